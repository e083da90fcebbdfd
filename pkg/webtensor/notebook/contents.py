"""The contents API's file logic: list, read, save, create, rename and delete inside one directory.

Paths are API paths: '/'-separated, relative to the notebook directory. Every path is checked
before use, so no request can reach a file outside that directory (`..` segments, absolute
paths and symlinks that lead out are refused with `Forbidden`). Saves are atomic: the new
content goes to a temporary file in the same directory, is flushed to disk, and replaces the
old file in one `os.replace`, so a failed save leaves the previous version in place.
"""
import base64
import datetime
import json
import os
import shutil
import stat
import tempfile

NOTEBOOK_EXT = ".ipynb"
CELL_TYPES = ("code", "markdown", "raw")


class ContentsError(Exception):
    """A request the contents API refuses; `status` is the HTTP status to answer with."""

    status = 400


class BadRequest(ContentsError):
    status = 400


class Forbidden(ContentsError):
    status = 403


class NotFound(ContentsError):
    status = 404


class Conflict(ContentsError):
    status = 409


def _iso_mtime(st):
    return datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc).isoformat()


def _kind(name, is_dir):
    if is_dir:
        return "directory"
    return "notebook" if name.endswith(NOTEBOOK_EXT) else "file"


def validate_notebook(nb):
    """Raises BadRequest unless `nb` looks like an nbformat-4 notebook (a dict with a cells list).

    Example: validate_notebook({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})
    """
    if not isinstance(nb, dict):
        raise BadRequest(f"a notebook must be a JSON object, got {type(nb).__name__}")
    if nb.get("nbformat") != 4:
        raise BadRequest(f"only nbformat 4 notebooks are supported, got nbformat={nb.get('nbformat')!r}")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise BadRequest(f"a notebook needs a 'cells' list, got {type(cells).__name__}")
    if not isinstance(nb.get("metadata", {}), dict):
        raise BadRequest("notebook 'metadata' must be an object")
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise BadRequest(f"cell {i} must be an object, got {type(cell).__name__}")
        if cell.get("cell_type") not in CELL_TYPES:
            raise BadRequest(f"cell {i} has cell_type {cell.get('cell_type')!r}; expected one of {CELL_TYPES}")
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise BadRequest(f"cell {i} 'source' must be a string or a list of strings")


def new_notebook():
    """An empty nbformat-4.5 notebook with a Python 3 (Pyodide) kernelspec."""
    return {
        "cells": [],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (Pyodide)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def atomic_write(path, data):
    """Writes bytes to `path` so that readers see either the old or the new file, never a torn one.

    Example: atomic_write("/tmp/a.ipynb", b"{}")
    """
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    # NOTE: the rename itself is durable only once the directory entry is flushed too.
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class ContentsManager:
    """Files under `root`, addressed by API paths; all methods return Jupyter-style models.

    Example: ContentsManager("notebooks").get("")["content"]  # the directory listing
    """

    def __init__(self, root):
        self.root = os.path.realpath(root)

    # -- paths ---------------------------------------------------------------------------------

    @staticmethod
    def normalize(api_path):
        """`api_path` without empty and '.' segments; raises Forbidden for '..' and absolute paths."""
        if not isinstance(api_path, str) or "\\" in api_path or "\x00" in api_path:
            raise Forbidden(f"invalid path {api_path!r}")
        if api_path.startswith("/"):
            raise Forbidden(f"absolute paths are not allowed: {api_path!r}")
        parts = [p for p in api_path.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise Forbidden(f"'..' is not allowed in paths: {api_path!r}")
        return "/".join(parts)

    def resolve(self, api_path):
        """The real filesystem path for `api_path`; raises Forbidden when it would leave the root."""
        parts = self.normalize(api_path).split("/")
        real = os.path.realpath(os.path.join(self.root, *parts))
        if real != self.root and os.path.commonpath([real, self.root]) != self.root:
            raise Forbidden(f"path {api_path!r} leads outside the notebook directory")
        return real

    # -- models --------------------------------------------------------------------------------

    def _model(self, api_path, real, st=None):
        st = st or os.stat(real)
        is_dir = stat.S_ISDIR(st.st_mode)
        name = api_path.rsplit("/", 1)[-1]
        return {
            "name": name,
            "path": api_path,
            "type": _kind(name, is_dir),
            "last_modified": _iso_mtime(st),
            "size": None if is_dir else st.st_size,
            "writable": os.access(real, os.W_OK),
        }

    def get(self, api_path, content=True):
        """The model of a file or directory; with content for notebooks, files and listings."""
        api_path = self.normalize(api_path)
        real = self.resolve(api_path)
        try:
            st = os.stat(real)
        except FileNotFoundError:
            raise NotFound(f"no such file or directory: {api_path!r}") from None
        model = self._model(api_path, real, st)
        if not content:
            model["content"] = model["format"] = None
            return model
        if model["type"] == "directory":
            entries = []
            for entry in sorted(os.scandir(real), key=lambda e: e.name.lower()):
                if entry.name.startswith("."):
                    continue
                child = f"{api_path}/{entry.name}" if api_path else entry.name
                try:
                    child_real = self.resolve(child)
                    entries.append(self._model(child, child_real))
                except (Forbidden, OSError):
                    continue  # dangling or escaping symlinks are not listed
            model.update(content=entries, format="json")
        elif model["type"] == "notebook":
            with open(real, "rb") as f:
                try:
                    model["content"] = json.loads(f.read().decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as e:
                    raise BadRequest(f"{api_path!r} is not valid notebook JSON: {e}") from None
            model["format"] = "json"
        else:
            with open(real, "rb") as f:
                data = f.read()
            try:
                model.update(content=data.decode("utf-8"), format="text", mimetype="text/plain")
            except UnicodeDecodeError:
                model.update(content=base64.b64encode(data).decode("ascii"), format="base64",
                             mimetype="application/octet-stream")
        return model

    # -- changes -------------------------------------------------------------------------------

    def save(self, api_path, model):
        """Creates or replaces a notebook, file or directory from a Jupyter-style model."""
        api_path = self.normalize(api_path)
        if not api_path:
            raise BadRequest("cannot save over the notebook directory itself")
        if not isinstance(model, dict):
            raise BadRequest("the request body must be a JSON object")
        if "type" not in model and "cells" in model:
            model = {"type": "notebook", "content": model}  # a bare notebook is accepted too
        kind = model.get("type") or _kind(api_path, False)
        real = self.resolve(api_path)
        parent = os.path.dirname(real)
        if not os.path.isdir(parent):
            raise NotFound(f"the parent directory of {api_path!r} does not exist")
        if os.path.isdir(real) and kind != "directory":
            raise Conflict(f"{api_path!r} is a directory")
        if kind == "directory":
            os.makedirs(real, exist_ok=True)
            return self.get(api_path, content=False)
        content = model.get("content")
        if kind == "notebook":
            if not api_path.endswith(NOTEBOOK_EXT):
                raise BadRequest(f"notebooks must be saved with the {NOTEBOOK_EXT} extension: {api_path!r}")
            validate_notebook(content)
            data = (json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        elif kind == "file":
            fmt = model.get("format") or "text"
            if not isinstance(content, str):
                raise BadRequest("a file's 'content' must be a string")
            if fmt == "text":
                data = content.encode("utf-8")
            elif fmt == "base64":
                try:
                    data = base64.b64decode(content, validate=True)
                except ValueError as e:
                    raise BadRequest(f"invalid base64 content: {e}") from None
            else:
                raise BadRequest(f"unknown file format {fmt!r}; expected 'text' or 'base64'")
        else:
            raise BadRequest(f"unknown type {kind!r}; expected 'notebook', 'file' or 'directory'")
        atomic_write(real, data)
        return self.get(api_path, content=False)

    def create_untitled(self, dir_path, kind="notebook", ext=NOTEBOOK_EXT):
        """Creates Untitled.ipynb (or Untitled1.ipynb, ...) in a directory and returns its model."""
        dir_path = self.normalize(dir_path)
        real_dir = self.resolve(dir_path)
        if not os.path.isdir(real_dir):
            raise NotFound(f"no such directory: {dir_path!r}")
        base = "Untitled Folder" if kind == "directory" else "Untitled"
        suffix = "" if kind == "directory" else (ext if kind == "file" else NOTEBOOK_EXT)
        for i in range(10000):
            name = f"{base}{i or ''}{suffix}"
            if not os.path.lexists(os.path.join(real_dir, name)):
                break
        path = f"{dir_path}/{name}" if dir_path else name
        if kind == "directory":
            return self.save(path, {"type": "directory"})
        if kind == "file":
            return self.save(path, {"type": "file", "format": "text", "content": ""})
        return self.save(path, {"type": "notebook", "content": new_notebook()})

    def rename(self, old_path, new_path):
        """Moves a file or directory; refuses to overwrite an existing one."""
        old_path, new_path = self.normalize(old_path), self.normalize(new_path)
        if not old_path or not new_path:
            raise BadRequest("cannot rename the notebook directory itself")
        old_real, new_real = self.resolve(old_path), self.resolve(new_path)
        if not os.path.lexists(old_real):
            raise NotFound(f"no such file or directory: {old_path!r}")
        if os.path.lexists(new_real):
            raise Conflict(f"{new_path!r} already exists")
        if not os.path.isdir(os.path.dirname(new_real)):
            raise NotFound(f"the parent directory of {new_path!r} does not exist")
        os.rename(old_real, new_real)
        return self.get(new_path, content=False)

    def delete(self, api_path):
        """Deletes a file or an empty directory."""
        api_path = self.normalize(api_path)
        if not api_path:
            raise Forbidden("cannot delete the notebook directory itself")
        real = self.resolve(api_path)
        if not os.path.lexists(real):
            raise NotFound(f"no such file or directory: {api_path!r}")
        if os.path.isdir(real):
            if any(not e.name.startswith(".") for e in os.scandir(real)):
                raise BadRequest(f"directory {api_path!r} is not empty")
            shutil.rmtree(real)
        else:
            os.unlink(real)
