"""`webtensor board`: serves the dashboard app (web/dist/board.html) and a JSON API over a log directory.

URL layout (run and tag are query parameters, URL-encoded):
    /                         the dashboard (web/dist/board.html), its assets from web/dist/
    /api/runs                 re-reads the log directory, then lists runs, tags per kind, errors, generation
    /api/scalars?run&tag[&since=i]      a scalar tag's points from index i: {step, wall_time, value} columns
    /api/histograms?run&tag[&since=i]   histogram events: {step, wall_time, buckets: [[left, right, count]]}
    /api/text?run&tag[&since=i]         text events
    /api/images?run&tag                 image events (size, count); /api/image?run&tag&index&sample: the PNG
    /api/graphs?run                     the run's graphs as node/edge JSON (see board/graphs.py)
Errors answer {"status", "message"} with 400 (bad query) or 404 (no such run, tag or file).
"""
import http.server
import json
import os
import sys
import urllib.parse

from ..notebook.server import find_project_root, mime_type, run_until_stopped
from .logdir import BoardLogdir

DEFAULT_PORT = 6006
PAGE = "board.html"


class BoardServer(http.server.ThreadingHTTPServer):
    """A ThreadingHTTPServer over one log directory.

    Example: BoardServer(("127.0.0.1", 0), "logs").serve_forever()
    """

    daemon_threads = True

    def __init__(self, address, logdir, dist_dir=None, quiet=False):
        self.board = BoardLogdir(logdir)
        self.dist_dir = os.path.realpath(dist_dir or os.path.join(find_project_root(), "web", "dist"))
        self.quiet = quiet
        super().__init__(address, BoardHandler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{port}/"


_LOOKUPS = ("scalars", "histograms", "text", "images", "image", "graphs")


class _BadRequest(Exception):
    pass


def _query_int(query, name, default):
    raw = query.get(name, [None])[0]
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadRequest(f"query parameter {name!r} must be an integer, got {raw!r}") from None
    return value


def _query_str(query, name):
    value = query.get(name, [None])[0]
    if value is None:
        raise _BadRequest(f"missing query parameter {name!r}")
    return value


class BoardHandler(http.server.BaseHTTPRequestHandler):
    """Answers the JSON API and serves the built app's files."""

    server_version = "webtensor-board"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            super().log_message(fmt, *args)

    def _send_bytes(self, status, body, content_type, cache="no-store"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj):
        self._send_bytes(status, json.dumps(obj, allow_nan=False).encode("utf-8"), "application/json")

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        try:
            self._send_json(code, {"status": code, "message": message or self.responses.get(code, ("error",))[0]})
        except OSError:
            pass

    def do_GET(self):
        raw_path, _, raw_query = self.path.partition("#")[0].partition("?")
        path = urllib.parse.unquote(raw_path)
        query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)
        try:
            if path.startswith("/api/"):
                return self._api(path[len("/api/"):], query)
            return self._static(path)
        except _BadRequest as e:
            self._send_json(400, {"status": 400, "message": str(e)})
        except KeyError as e:
            self._send_json(404, {"status": 404, "message": e.args[0] if e.args else "not found"})
        except Exception as e:  # noqa: BLE001 - a failed request must not stop the server
            self.log_error("error handling %s: %r", self.path, e)
            self._send_json(500, {"status": 500, "message": f"{type(e).__name__}: {e}"})

    do_HEAD = do_GET

    def _api(self, name, query):
        board = self.server.board
        if name == "runs":
            board.reload()
            return self._send_json(200, board.runs_json())
        if name not in _LOOKUPS:
            raise KeyError(f"no API at /api/{name}; there are /api/runs and " +
                           ", ".join(f"/api/{n}" for n in _LOOKUPS))
        try:
            return self._api_lookup(board, name, query)
        except KeyError:     # a run or tag written since the last reload: read again, then look once more
            board.reload()
            return self._api_lookup(board, name, query)

    def _api_lookup(self, board, name, query):
        if name == "graphs":
            return self._send_json(200, board.graphs_json(_query_str(query, "run")))
        run, tag = _query_str(query, "run"), _query_str(query, "tag")
        since = max(0, _query_int(query, "since", 0))
        if name == "scalars":
            return self._send_json(200, board.scalars_json(run, tag, since))
        if name == "histograms":
            return self._send_json(200, board.histograms_json(run, tag, since))
        if name == "text":
            return self._send_json(200, board.text_json(run, tag, since))
        if name == "images":
            return self._send_json(200, board.images_json(run, tag))
        if name == "image":
            png = board.image_png(run, tag, _query_int(query, "index", -1), _query_int(query, "sample", 0))
            return self._send_bytes(200, png, "image/png")
        raise AssertionError(name)

    def _static(self, path):
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts or "\\" in path or "\x00" in path:
            raise _BadRequest(f"invalid path {path!r}")
        base = self.server.dist_dir
        full = os.path.realpath(os.path.join(base, *parts)) if parts else os.path.join(base, PAGE)
        if os.path.commonpath([full, base]) != base:
            raise _BadRequest(f"path {path!r} leads outside the served folder")
        if not os.path.isfile(full):
            if not parts:
                return self._send_bytes(200, _not_built_page(base).encode("utf-8"), "text/html; charset=utf-8")
            if parts == ["favicon.ico"]:
                return self._send_bytes(204, b"", "image/x-icon")
            raise KeyError(f"no file at {path!r}")
        with open(full, "rb") as f:
            body = f.read()
        return self._send_bytes(200, body, mime_type(full), cache="no-cache")


def _not_built_page(dist_dir):
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>webtensor board</title></head>"
            f"<body><h1>The dashboard front end is not built</h1><p>{dist_dir} holds no {PAGE}. Build it with "
            f"<code>make web-build</code> (or <code>cd web &amp;&amp; npm install &amp;&amp; npm run build</code>), "
            f"then reload. The JSON API is already served at <code>/api/runs</code>.</p></body></html>")


def serve(logdir, port=DEFAULT_PORT, host="127.0.0.1", open_browser=True, dist_dir=None):
    """Runs the dashboard server over `logdir` until Ctrl+C; returns the process exit status.

    Example: serve("logs", port=6006, open_browser=False)
    """
    logdir = os.path.abspath(logdir)
    if not os.path.isdir(logdir):
        print(f"webtensor board: log directory {logdir} does not exist", file=sys.stderr)
        return 2
    try:
        server = BoardServer((host, port), logdir, dist_dir=dist_dir)
    except OSError as e:
        print(f"webtensor board: cannot listen on {host}:{port}: {e.strerror or e}", file=sys.stderr)
        return 1
    server.board.reload()
    print(f"webtensor board serving {logdir} ({len(server.board.runs)} runs)", flush=True)
    if not os.path.isfile(os.path.join(server.dist_dir, PAGE)):
        print(f"  front end not built ({server.dist_dir} has no {PAGE}): run `make web-build`", flush=True)
    return run_until_stopped(server, "webtensor board", open_browser)
