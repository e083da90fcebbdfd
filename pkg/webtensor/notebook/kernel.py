"""The notebook kernel's Python side: rich outputs for cells run by the Pyodide worker (web/src/worker.js).

What it gives the cells' namespace and the worker:
- `display(obj, display_id=None, update=False)`: sends a Jupyter-style mime bundle (text/plain always;
  text/html, image/png, ... from `_repr_html_`, `_repr_png_`, `_repr_mimebundle_`) to the page;
  `format_bundle(obj)` builds one. A small `IPython.display` shim is importable.
- matplotlib: the Agg backend; after each cell (and on `plt.show()`) every open figure is sent as an
  image/png display and closed.
- Keras progress bars: `Progbar` sends `application/vnd.webtensor.progress+json` display updates (one
  display_id per bar, i.e. per epoch) with a text/plain fallback line, since the page is no terminal.
- `%pip install name|/wheels/x.whl` and `!pip install ...` lines become `await _pip(...)`: the wheelhouse
  first, then PyPI through micropip; `%matplotlib ...` lines are accepted and ignored.
- `run_cell(code, filename)`: runs a cell (top-level `await` allowed) and returns its result dict.

Everything but the installs and `run_cell` works without Pyodide, so native tests exercise it. The
worker sends messages through `configure(send=...)`: `send(json_text)` with
{"data": bundle, "display_id": str | None, "update": bool}. tf.summary records go to
`configure(send_summary=...)` as they are written (the live dashboard).

>>> configure(send=print)
>>> display(1)
{"data": {"text/plain": "1"}, "display_id": null, "update": false}
"""
import ast
import base64
import importlib.abc
import importlib.machinery
import importlib.util
import io
import itertools
import json
import os
import re
import sys
import time
import traceback
import types

PROGRESS_MIME = "application/vnd.webtensor.progress+json"
_RICH_MIMES = (("_repr_html_", "text/html"), ("_repr_markdown_", "text/markdown"),
               ("_repr_svg_", "image/svg+xml"), ("_repr_png_", "image/png"),
               ("_repr_jpeg_", "image/jpeg"), ("_repr_json_", "application/json"))
_BINARY_MIMES = ("image/png", "image/jpeg")

_state = {"send": None, "send_summary": None, "wheels_url": "/wheels/", "wheels": [], "epoch": None}
_ids = itertools.count(1)


def configure(send=None, wheels_url=None, wheels=None, send_summary=None):
    """Sets where displays go (`send(json_text)`), where summary records go (`send_summary(path,
    record_base64)`: every record tf.summary writers write, for the page's live dashboard) and the
    wheelhouse `%pip` looks in first.

    >>> configure(send=lambda text: None, wheels_url="/wheels/", wheels=["iniconfig-2.3.1-py3-none-any.whl"])
    """
    if send is not None:
        _state["send"] = send
    if send_summary is not None:
        _state["send_summary"] = send_summary
    if wheels_url is not None:
        _state["wheels_url"] = wheels_url if wheels_url.endswith("/") else wheels_url + "/"
    if wheels is not None:
        _state["wheels"] = list(wheels)


# -- mime bundles and display --------------------------------------------------------------------------

def _encode(mime, value):
    if mime in _BINARY_MIMES and isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if mime == "application/json" or mime == PROGRESS_MIME:
        return value
    return value if isinstance(value, str) else str(value)


def _figure_png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _is_figure(obj):
    mpl_figure = sys.modules.get("matplotlib.figure")
    return mpl_figure is not None and isinstance(obj, mpl_figure.Figure)


def format_bundle(obj):
    """The mime bundle of `obj`: {"text/plain": repr(obj), ...} plus what its `_repr_*_` methods give.

    >>> class Bold:
    ...     def _repr_html_(self): return "<b>hi</b>"
    >>> format_bundle(Bold())["text/html"]
    '<b>hi</b>'
    """
    data = {}
    method = getattr(obj, "_repr_mimebundle_", None)
    if callable(method) and not isinstance(obj, type):
        try:
            got = method(include=None, exclude=None)
        except Exception:
            got = None
        if isinstance(got, tuple):
            got = got[0]
        for mime, value in (got or {}).items():
            if value is not None:
                data[mime] = _encode(mime, value)
    for name, mime in _RICH_MIMES:
        if mime in data:
            continue
        method = getattr(obj, name, None)
        # Classes have the methods unbound; only instances (and modules) are formatted through them.
        if not callable(method) or isinstance(obj, type):
            continue
        try:
            value = method()
        except Exception:
            continue
        if isinstance(value, tuple):  # (data, metadata)
            value = value[0]
        if value is not None:
            data[mime] = _encode(mime, value)
    if "image/png" not in data and _is_figure(obj):
        data["image/png"] = _encode("image/png", _figure_png(obj))
    if "text/plain" not in data:
        try:
            data["text/plain"] = repr(obj)
        except Exception as e:
            data["text/plain"] = f"<{type(obj).__name__} object: repr failed with {type(e).__name__}: {e}>"
    return data


def _send(data, display_id=None, update=False):
    # Flush first, so the page sees printed text and displays in the order the cell made them.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    send = _state["send"]
    if send is None:
        print(data.get("text/plain", ""))
        return
    send(json.dumps({"data": data, "display_id": display_id, "update": bool(update)}))


class DisplayHandle:
    """A display that can be replaced later: `h = display(obj, display_id=True); h.update(new)`."""

    def __init__(self, display_id=None):
        self.display_id = display_id if isinstance(display_id, str) else f"display-{os.getpid()}-{next(_ids)}"

    def display(self, obj, **kwargs):
        display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj, **kwargs):
        display(obj, display_id=self.display_id, update=True, **kwargs)

    def __repr__(self):
        return f"<DisplayHandle display_id={self.display_id}>"


def display(*objs, display_id=None, update=False, raw=False, **kwargs):
    """Shows objects in the cell's output as mime bundles (raw=True: the objects are bundles already).

    `display_id=True` makes a fresh id; with an id, returns a DisplayHandle, and `update=True` replaces
    the outputs shown under that id.

    >>> display("<b>x</b>")                    # text/plain: "'<b>x</b>'"
    >>> h = display(1, display_id=True); h.update(2)
    """
    handle = None
    if display_id is not None:
        handle = DisplayHandle(display_id)
        display_id = handle.display_id
    for obj in objs:
        if raw:
            data = {mime: _encode(mime, value) for mime, value in obj.items()}
        else:
            data = format_bundle(obj)
        _send(data, display_id, update)
        if _is_figure(obj):
            _close_figure(obj)
    return handle


def update_display(obj, display_id, **kwargs):
    """Replaces what is shown under `display_id`.

    >>> update_display("done", display_id="status")
    """
    display(obj, display_id=display_id, update=True, **kwargs)


class _Rich:
    """Objects with one given representation, as IPython.display's HTML, Markdown, Image and JSON."""
    mime = "text/plain"

    def __init__(self, data=None, url=None, filename=None, **kwargs):
        if data is None and filename is not None:
            with open(filename, "rb" if self.mime in _BINARY_MIMES else "r") as f:
                data = f.read()
        self.data = data

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {self.mime: self.data, "text/plain": f"<{type(self).__name__} object>"}


class HTML(_Rich):
    """HTML shown as such: `display(HTML("<b>bold</b>"))`."""
    mime = "text/html"


class Markdown(_Rich):
    """Markdown text: `display(Markdown("# Title"))`."""
    mime = "text/markdown"


class Image(_Rich):
    """A PNG image from bytes or a file: `display(Image(filename="plot.png"))`."""
    mime = "image/png"


class JSON(_Rich):
    """A JSON-able value: `display(JSON({"a": 1}))`."""
    mime = "application/json"


def _ipython_modules():
    """A small `IPython` / `IPython.display` stand-in, so notebook code written for Jupyter imports."""
    ipython = types.ModuleType("IPython", "webtensor's stand-in for IPython (display only)")
    shim = types.ModuleType("IPython.display", "webtensor's stand-in for IPython.display")
    for name in ("display", "update_display", "DisplayHandle", "HTML", "Markdown", "Image", "JSON"):
        setattr(shim, name, globals()[name])
    ipython.display = shim
    ipython.get_ipython = lambda: None  # no IPython shell: matplotlib and others then take plain paths
    ipython.__path__ = []
    return {"IPython": ipython, "IPython.display": shim}


# -- matplotlib ---------------------------------------------------------------------------------------

def _close_figure(fig):
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def flush_figures():
    """Sends every open pyplot figure as an image/png display and closes it (after each cell).

    >>> plt.plot([1, 2]); flush_figures()
    """
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return 0
    count = 0
    for num in plt.get_fignums():
        fig = plt.figure(num)
        _send({"image/png": _encode("image/png", _figure_png(fig)), "text/plain": repr(fig)})
        count += 1
    plt.close("all")
    return count


def _patch_pyplot(plt):
    def show(*args, **kwargs):
        """Sends the open figures to the notebook (inline, as Jupyter's inline backend does)."""
        flush_figures()
    show.__wrapped__ = plt.show
    plt.show = show


# -- Keras progress bars --------------------------------------------------------------------------------

def progress_message(bar, current, finalize, now=None):
    """The progress+json payload of a Keras Progbar at step `current`.

    >>> progress_message(bar, 3, False)["step"]
    3
    """
    now = time.time() if now is None else now
    elapsed = now - bar._start
    metrics = {}
    for name, value in bar._values.items():
        try:
            metrics[name] = float(value)
        except (TypeError, ValueError):
            continue
    eta = None
    if not finalize and bar.target and current:
        eta = elapsed / current * (bar.target - current)
    epoch = getattr(bar, "_wt_epoch", None)
    return {"epoch": epoch[0] if epoch else None, "epochs": epoch[1] if epoch else None,
            "step": current, "steps": bar.target, "metrics": metrics, "elapsed": elapsed, "eta": eta,
            "unit": bar.unit_name, "done": bool(finalize)}


def _patch_progbar(module):
    original = module.Progbar.update

    def update(self, current, values=None, finalize=None):
        # verbose=2 (a line per epoch) and verbose=0 keep Keras's text; verbose=1 becomes a live display.
        if self.verbose != 1 or self._dynamic or _state["send"] is None:
            return original(self, current, values, finalize)
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._values[name] = value
        self._seen = current
        now = time.time()
        if not finalize and now - self._last_update < self.interval:
            return
        if not hasattr(self, "_wt_display_id"):
            self._wt_display_id = f"progress-{os.getpid()}-{next(_ids)}"
            self._wt_epoch = _state["epoch"]
            first = True
        else:
            first = False
        data = {"text/plain": self._line(current, now, finalize),
                PROGRESS_MIME: progress_message(self, current, finalize, now)}
        _send(data, self._wt_display_id, update=not first)
        self._last_update = now

    update.__wrapped__ = original
    module.Progbar.update = update


def _patch_callbacks(module):
    logger = module.ProgbarLogger
    begin, end = logger.on_epoch_begin, logger.on_train_end

    def on_epoch_begin(self, epoch, logs=None):
        _state["epoch"] = (epoch + 1, self.epochs)
        return begin(self, epoch, logs)

    def on_train_end(self, logs=None):
        _state["epoch"] = None
        return end(self, logs)

    logger.on_epoch_begin, logger.on_train_end = on_epoch_begin, on_train_end


def _summary_record(path, record):
    send = _state.get("send_summary")
    if send is not None:  # paths relative to the working directory name the runs: logs/fit/train/...
        send(os.path.relpath(path), base64.b64encode(record).decode("ascii"))


def _patch_summary_writer(module):
    if _summary_record not in module._record_listeners:
        module.add_record_listener(_summary_record)


_PATCHES = {
    "matplotlib.pyplot": _patch_pyplot,
    "webtensor.keras.utils.progbar": _patch_progbar,
    "webtensor.keras.callbacks": _patch_callbacks,
    "webtensor.summary.writer": _patch_summary_writer,
}


class _Finder(importlib.abc.MetaPathFinder):
    """Patches modules of _PATCHES as they are imported, and serves the IPython shim where IPython
    itself is not installed (the browser)."""

    def __init__(self):
        real = importlib.machinery.PathFinder.find_spec("IPython") is not None
        self._shims = {} if real else _ipython_modules()

    def find_spec(self, name, path=None, target=None):
        if name in self._shims:
            return importlib.util.spec_from_loader(name, _ShimLoader(self._shims[name]))
        if name not in _PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchingLoader(spec.loader, name)
        return spec


class _ShimLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, name):
        self.loader = loader
        self.name = name

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _apply_patch(self.name, module)


def _apply_patch(name, module):
    if not getattr(module, "_webtensor_kernel_patched", False):
        _PATCHES[name](module)
        module._webtensor_kernel_patched = True


def install_hooks():
    """Patches matplotlib, Keras's progress bar and the IPython shim in (now, or when imported)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    for name in _PATCHES:
        if sys.modules.get(name) is not None:
            _apply_patch(name, sys.modules[name])


# -- magics: %pip, !pip, %matplotlib ---------------------------------------------------------------------

_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?P<kind>%|!)(?P<rest>.*)$")


def transform_magics(code):
    """Rewrites IPython line magics the kernel supports into Python (code that parses is unchanged).

    >>> transform_magics("%pip install iniconfig")
    "await _pip(['install', 'iniconfig'])"
    """
    try:
        ast.parse(code)
        return code
    except SyntaxError:
        pass
    lines = code.split("\n")
    for i, line in enumerate(lines):
        m = _MAGIC.match(line)
        if not m or line.lstrip().startswith("%%"):
            continue
        indent, kind, rest = m.group("indent"), m.group("kind"), m.group("rest").strip()
        words = rest.split()
        if not words:
            continue
        command = words[0]
        if command == "pip" or (kind == "%" and command == "micropip"):
            lines[i] = f"{indent}await _pip({words[1:]!r})"
        elif kind == "%" and command == "matplotlib":
            lines[i] = f"{indent}pass  # {kind}{rest}: figures always show inline"
        else:
            what = "line magic" if kind == "%" else "shell command"
            msg = (f"{what} {kind}{command} is not supported in the browser kernel "
                   f"(supported: %pip install, !pip install, %matplotlib)")
            lines[i] = f"{indent}raise NotImplementedError({msg!r})"
    return "\n".join(lines)


def _wheel_name(filename):
    return re.sub(r"[-_.]+", "-", filename.split("-", 1)[0]).lower()


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def plan_install(requirements):
    """Splits `pip install` arguments into (wheel URLs from the wheelhouse or given paths, names for
    PyPI, options). A name found in the wheelhouse is installed from there.

    >>> configure(wheels=["iniconfig-2.3.1-py3-none-any.whl"])
    >>> plan_install(["iniconfig", "rich", "-q"])
    (['/wheels/iniconfig-2.3.1-py3-none-any.whl'], ['rich'], ['-q'])
    """
    local, remote, options = [], [], []
    house = {_wheel_name(w): w for w in _state["wheels"]}
    for req in requirements:
        if req.startswith("-"):
            options.append(req)
        elif req.endswith(".whl"):
            local.append(req)
        else:
            name = _normalize(re.split(r"[<>=!~\[; ]", req, 1)[0])
            if name in house and name == _normalize(req):
                local.append(_state["wheels_url"] + house[name])
            else:
                remote.append(req)
    return local, remote, options


async def _pip(args):
    """`%pip install ...` under Pyodide: micropip, the wheelhouse first, PyPI for the rest."""
    if not args or args[0] not in ("install", "list"):
        raise NotImplementedError(f"%pip {' '.join(args)}: only `%pip install` and `%pip list` are supported")
    import micropip
    if args[0] == "list":
        print(micropip.list())
        return
    local, remote, options = plan_install(args[1:])
    unknown = [o for o in options if o not in ("-q", "--quiet", "-U", "--upgrade", "--no-deps")]
    if unknown:
        print(f"%pip: ignoring options {' '.join(unknown)}", file=sys.stderr)
    deps = "--no-deps" not in options
    quiet = "-q" in options or "--quiet" in options
    before = {name: pkg.version for name, pkg in micropip.list().items()}
    for url in local:
        await micropip.install(url, deps=deps)
    if remote:
        try:
            await micropip.install(remote, deps=deps)
        except Exception as e:
            have = ", ".join(sorted({_wheel_name(w) for w in _state["wheels"]})) or "nothing"
            raise RuntimeError(
                f"%pip install {' '.join(remote)}: {type(e).__name__}: {e}. These packages are not in the "
                f"notebook's wheelhouse ({_state['wheels_url']} has: {have}), and PyPI could not provide "
                f"them (offline?). Put a pure-Python wheel in the wheelhouse, or pass its URL.") from None
    importlib.invalidate_caches()
    if not quiet:
        after = micropip.list()
        new = [f"{name}-{pkg.version}" for name, pkg in sorted(after.items()) if before.get(name) != pkg.version]
        print("Successfully installed " + " ".join(new) if new else "Requirement already satisfied")


# -- running cells ------------------------------------------------------------------------------------

user_ns = {"__name__": "__main__", "__builtins__": __builtins__, "display": display, "_pip": _pip}


def _format_error(e):
    tb = e.__traceback__
    # Drop the kernel's and Pyodide's own frames: start at the first frame of the cell.
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<cell"):
        tb = tb.tb_next
    lines = traceback.format_exception(type(e), e, tb)
    return {"ename": type(e).__name__, "evalue": str(e), "traceback": "".join(lines)}


async def run_cell(code, filename):
    """Runs a cell in `user_ns` under Pyodide; returns {ok, value, data, error} for the worker."""
    from pyodide.code import eval_code_async
    value = data = error = None
    _state["epoch"] = None
    try:
        value = await eval_code_async(transform_magics(code), globals=user_ns, filename=filename)
        if value is not None:
            data = format_bundle(value)
            if _is_figure(value):
                _close_figure(value)  # shown as the result: not again among the open figures
    except BaseException as e:
        error = _format_error(e)
    try:
        flush_figures()
    except Exception as e:
        print(f"could not draw the open figures: {type(e).__name__}: {e}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    if error is not None:
        return {"ok": False, "value": None, "data": None, "error": error}
    return {"ok": True, "value": None if data is None else data["text/plain"], "data": data, "error": None}
