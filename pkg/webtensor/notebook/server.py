"""The notebook's local web server: the front end, Pyodide, the wheelhouse and the contents API.

Everything is served from this machine; no page refers to another host. Every response carries
the cross-origin isolation headers (COOP/COEP/CORP) that SharedArrayBuffer, and so Pyodide's
interrupt buffer, needs.

URL layout:
    /                  the built front end (web/dist/), or a page saying how to build it
    /pyodide/<file>    Pyodide's core files and official wheels (.cache/pyodide/)
    /wheels/<file>     the local wheelhouse: webtensor, pytest and their dependencies (.cache/wheels/)
    /api/contents/...  list, open, save, create, rename and delete notebooks (see contents.py)
"""
import email.utils
import html
import http.server
import json
import os
import shutil
import signal
import sys
import threading
import urllib.parse
import webbrowser

from webtensor.notebook import contents

MAX_BODY_BYTES = 64 * 1024 * 1024

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".woff2": "font/woff2",
}


def find_project_root():
    """The folder holding web/ and .cache/: the source checkout when installed editable, else cwd."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidate = os.path.abspath(os.path.join(here, "..", "..", ".."))
    if os.path.isfile(os.path.join(candidate, "pyproject.toml")):
        return candidate
    return os.getcwd()


def mime_type(path):
    """The Content-Type for a served file, by extension (application/octet-stream when unknown)."""
    return MIME_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


def _not_built_page(dist_dir):
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>webtensor notebook: front end not built</title>
<style>body{{font-family:system-ui,sans-serif;max-width:42em;margin:3em auto;line-height:1.5}}
code,pre{{background:#f3f3f3;padding:.1em .3em}}</style></head>
<body><h1>The notebook front end is not built yet</h1>
<p>The server is running, but <code>{html.escape(dist_dir)}</code> holds no <code>index.html</code>.</p>
<p>Build everything (Python environment, Pyodide assets, wheelhouse and front end) and start the
server with:</p>
<pre>make notebook</pre>
<p>or build only the front end with:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>then reload this page. The contents API is already available at <code>/api/contents</code>.</p>
</body></html>
"""


class NotebookServer(http.server.ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows the notebook directory and the asset folders.

    Example: NotebookServer(("127.0.0.1", 0), notebook_dir="notebooks").serve_forever()
    """

    daemon_threads = True

    def __init__(self, address, notebook_dir, root=None, dist_dir=None, pyodide_dir=None, wheels_dir=None,
                 max_body_bytes=MAX_BODY_BYTES, quiet=False):
        root = root or find_project_root()
        self.contents = contents.ContentsManager(notebook_dir)
        self.dist_dir = os.path.realpath(dist_dir or os.path.join(root, "web", "dist"))
        self.mounts = {
            "pyodide": os.path.realpath(pyodide_dir or os.path.join(root, ".cache", "pyodide")),
            "wheels": os.path.realpath(wheels_dir or os.path.join(root, ".cache", "wheels")),
        }
        self.max_body_bytes = max_body_bytes
        self.quiet = quiet
        super().__init__(address, NotebookHandler)

    def handle_error(self, request, client_address):
        # A browser that navigates away drops its open requests: not an error worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self):
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{port}/"


class NotebookHandler(http.server.BaseHTTPRequestHandler):
    """Routes requests to static files or the contents API; every answer gets the isolation headers."""

    server_version = "webtensor-notebook"
    protocol_version = "HTTP/1.1"

    # -- responses -----------------------------------------------------------------------------

    def end_headers(self):
        for name, value in ISOLATION_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            super().log_message(fmt, *args)

    def _send_bytes(self, status, body, content_type, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, extra=None):
        self._send_bytes(status, json.dumps(obj).encode("utf-8"), "application/json", extra)

    def _send_error(self, status, message):
        self._send_json(status, {"status": status, "message": message})

    def send_error(self, code, message=None, explain=None):
        # http.server's own errors (bad request line, unsupported method) answer in JSON too.
        self.close_connection = True
        try:
            self._send_error(code, message or self.responses.get(code, ("error",))[0])
        except OSError:
            pass

    # -- routing -------------------------------------------------------------------------------

    def _split(self):
        # NOTE: not urlsplit: it would read a path starting with '//' as a host name.
        raw_path, _, query = self.path.partition("#")[0].partition("?")
        return urllib.parse.unquote(raw_path), urllib.parse.parse_qs(query)

    def _dispatch(self):
        path, query = self._split()
        try:
            if path in ("/api/contents", "/api/contents/"):
                return self._contents("", query)
            if path.startswith("/api/contents/"):
                return self._contents(path[len("/api/contents/"):], query)
            if path.startswith("/api/"):
                raise contents.NotFound(f"no API at {path!r}")
            if self.command not in ("GET", "HEAD"):
                return self._send_error(405, f"{self.command} is not allowed on {path!r}")
            return self._static(path)
        except contents.ContentsError as e:
            self._drain_body()
            self._send_error(e.status, str(e))
        except Exception as e:  # noqa: BLE001 - a failed request must not kill the server
            self._drain_body()
            self.log_error("error handling %s %s: %r", self.command, self.path, e)
            self._send_error(500, f"{type(e).__name__}: {e}")

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _dispatch

    # -- request bodies ------------------------------------------------------------------------

    _body_read = False

    def _drain_body(self):
        if self._body_read:
            return
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= self.server.max_body_bytes:
            self.rfile.read(int(length))
        elif length:
            self.close_connection = True  # too big to read: drop the connection instead
        self._body_read = True

    def _read_json(self, required=True):
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            if required:
                raise _HTTPError(411, "a request body needs a Content-Length header")
            return None
        if not length.isdigit():
            self.close_connection = True
            raise contents.BadRequest(f"invalid Content-Length {length!r}")
        if int(length) > self.server.max_body_bytes:
            self.close_connection = True
            self._body_read = True
            raise _HTTPError(413, f"request body of {length} bytes exceeds the limit of "
                                  f"{self.server.max_body_bytes} bytes")
        data = self.rfile.read(int(length))
        self._body_read = True
        if not data.strip():
            if required:
                raise contents.BadRequest("the request body is empty; expected JSON")
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise contents.BadRequest(f"the request body is not valid JSON: {e}") from None

    # -- contents API --------------------------------------------------------------------------

    def _contents(self, api_path, query):
        cm = self.server.contents
        cm.resolve(api_path)  # refuses traversal before anything else happens
        if self.command in ("GET", "HEAD"):
            want_content = query.get("content", ["1"])[0] not in ("0", "false")
            return self._send_json(200, cm.get(api_path, content=want_content))
        if self.command == "PUT":
            model = self._read_json()
            existed = os.path.exists(cm.resolve(cm.normalize(api_path)))
            return self._send_json(200 if existed else 201, cm.save(api_path, model))
        if self.command == "POST":
            body = self._read_json(required=False) or {}
            if not isinstance(body, dict):
                raise contents.BadRequest("the request body must be a JSON object")
            model = cm.create_untitled(api_path, body.get("type", "notebook"), body.get("ext", ".ipynb"))
            location = "/api/contents/" + urllib.parse.quote(model["path"])
            return self._send_json(201, model, {"Location": location})
        if self.command == "PATCH":
            body = self._read_json()
            if not isinstance(body, dict) or not isinstance(body.get("path"), str):
                raise contents.BadRequest("PATCH needs a JSON body {\"path\": \"new/path\"}")
            return self._send_json(200, cm.rename(api_path, body["path"]))
        if self.command == "DELETE":
            cm.delete(api_path)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send_error(405, f"{self.command} is not allowed on the contents API")

    # -- static files --------------------------------------------------------------------------

    def _static(self, path):
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if "\\" in path or "\x00" in path or ".." in parts:
            raise contents.Forbidden(f"invalid path {path!r}")
        if parts and parts[0] in self.server.mounts:
            base, rest = self.server.mounts[parts[0]], parts[1:]
        else:
            base, rest = self.server.dist_dir, parts
        if not rest and base != self.server.dist_dir:
            raise contents.NotFound(f"no file at {path!r}")
        full = os.path.realpath(os.path.join(base, *rest))
        if os.path.commonpath([full, base]) != base:
            raise contents.Forbidden(f"path {path!r} leads outside the served folder")
        if os.path.isdir(full):
            full = os.path.join(full, "index.html")
        if not os.path.isfile(full):
            if base == self.server.dist_dir and not rest:
                return self._send_bytes(200, _not_built_page(base).encode("utf-8"), MIME_TYPES[".html"])
            if rest == ["favicon.ico"]:
                return self._send_bytes(204, b"", "image/x-icon")  # no icon, and no error in the console
            raise contents.NotFound(f"no file at {path!r}")
        st = os.stat(full)
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                if int(st.st_mtime) <= email.utils.parsedate_to_datetime(since).timestamp():
                    self.send_response(304)
                    self.send_header("Last-Modified", last_modified)
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    return None
            except (TypeError, ValueError):
                pass
        with open(full, "rb") as f:
            self.send_response(200)
            self.send_header("Content-Type", mime_type(full))
            self.send_header("Content-Length", str(st.st_size))
            self.send_header("Last-Modified", last_modified)
            self.send_header("Cache-Control", "no-cache")  # cached, but revalidated on each load
            self.end_headers()
            if self.command != "HEAD":
                shutil.copyfileobj(f, self.wfile, 1024 * 1024)
        return None


class _HTTPError(contents.ContentsError):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def serve(port=8888, host="127.0.0.1", notebook_dir=".", open_browser=True, root=None):
    """Runs the notebook server until Ctrl+C; returns the process exit status.

    Example: serve(port=8888, notebook_dir="notebooks", open_browser=False)
    """
    notebook_dir = os.path.abspath(notebook_dir)
    if not os.path.isdir(notebook_dir):
        print(f"webtensor notebook: notebook directory {notebook_dir} does not exist", file=sys.stderr)
        return 2
    try:
        server = NotebookServer((host, port), notebook_dir, root=root)
    except OSError as e:
        print(f"webtensor notebook: cannot listen on {host}:{port}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"webtensor notebook serving {notebook_dir}", flush=True)
    if not os.path.isfile(os.path.join(server.dist_dir, "index.html")):
        print(f"  front end not built ({server.dist_dir} has no index.html): run `make notebook`", flush=True)
    for name, folder in server.mounts.items():
        if not os.path.isdir(folder):
            print(f"  /{name}/ is empty ({folder} missing): run `make assets`", flush=True)
    return run_until_stopped(server, "webtensor notebook", open_browser)


def run_until_stopped(server, label, open_browser):
    """Prints the server's URL, serves until Ctrl+C or SIGTERM (optionally opening a browser), closes
    it; returns 0. Shared by `webtensor notebook` and `webtensor board`."""
    print(f"  {server.url}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)  # `kill` stops it as cleanly as Ctrl+C
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"\n{label}: stopped", flush=True)
    finally:
        server.server_close()
    return 0
