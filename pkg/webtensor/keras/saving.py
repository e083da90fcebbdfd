"""Keras saving: `.keras` files, save_weights/load_weights, and config (de)serialization by class name.

A `.keras` file is a zip (stored, not compressed) of three members:

    metadata.json       {"keras_version", "webtensor_version", "date_saved"}
    config.json         {"class_name", "config", "compile_config", "build_config"}: the model's get_config()
    model.weights.wt    the weights as a webtensor tensor file (core/serialization.py): layer weights under
                        "layers/<name>/.../vars/<i>", optimizer variables under "optimizer/vars/<i>"

Nothing in it is code: classes are found by name among Keras' own classes, `custom_objects` and
classes registered with `register_keras_serializable`; Python functions in a config (a Lambda
layer's function) are saved by name only and must be supplied through `custom_objects` to load,
so a `.keras` file from anyone is safe to load. `save_weights(path)` writes the same tensor file
whatever the suffix (`.weights.h5` included: it is not HDF5, since webtensor has no h5py).

The model engineer's Model methods call `save_model`, `load_model`, `save_weights`, `load_weights`.
"""
import contextlib
import datetime
import inspect
import io
import json
import os
import warnings
import zipfile

import numpy as np

from ..core import serialization
from ..core.serialization import CorruptFileError
from ..core.state import init_scope

_CONFIG = "config.json"
_METADATA = "metadata.json"
_WEIGHTS = "model.weights.wt"
_WEIGHTS_FORMAT = "webtensor-keras-weights"
_MAX_JSON_BYTES = 64 << 20
_FUNCTION_TAG = "__python_function__"

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPES = []


# -- registration of custom classes -----------------------------------------------------------------

def register_keras_serializable(package="Custom", name=None):
    """Class decorator: lets load_model find this class by `package>Name` (and by its class name)."""
    from .utils import serialization as _utils
    return _utils.register_keras_serializable(package, name)


def get_custom_objects():
    """The global {name: class} dict consulted when deserializing (add to it to register classes)."""
    return _GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(*scopes):
    """Within this `with` block, the given {name: class/function} dicts are used to deserialize."""
    merged = {}
    for s in scopes:
        merged.update(s or {})
    _SCOPES.append(merged)
    try:
        yield merged
    finally:
        _SCOPES.pop()


CustomObjectScope = custom_object_scope


def get_registered_name(obj):
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class/function registered (or passed in custom_objects) under name, else None."""
    from .utils import serialization as _utils
    for scope in [custom_objects or {}] + _SCOPES[::-1] + [_GLOBAL_CUSTOM_OBJECTS, _utils._REGISTRY,
                                                           module_objects or {}]:
        if name in scope:
            return scope[name]
    return None


# -- config (de)serialization -----------------------------------------------------------------------

def serialize_keras_object(obj):
    """A JSON-able dict describing obj: {"module", "class_name", "config", "registered_name"}.

    >>> serialize_keras_object(tf.keras.layers.Dense(2))["class_name"]
    'Dense'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "as_numpy_dtype"):
        return obj.name
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        cls = type(obj)
        out = {"module": _public_module(cls), "class_name": cls.__name__,
               "config": _jsonable(obj.get_config(), f"{cls.__name__}.get_config()"),
               "registered_name": getattr(cls, "_registered_name", None)}
        shape = getattr(obj, "_build_input_shape", None)
        if getattr(obj, "built", False) and shape is not None:
            out["build_config"] = {"input_shape": _jsonable(shape, "build input shape")}
        return out
    if callable(obj):
        return _function_ref(obj)
    raise TypeError(f"Cannot serialize {obj!r:.80} of type {type(obj).__name__}: it has no get_config()")


def _public_module(cls):
    mod = cls.__module__ or ""
    return mod.replace("webtensor.keras", "keras", 1) if mod.startswith("webtensor.keras") else mod


def _function_ref(fn):
    """A Python function in a config: saved by name only, never as code."""
    name = getattr(fn, "__name__", None)
    if name is None or name == "<lambda>":
        name = "<lambda>"
    from . import activations
    if getattr(activations, name, None) is fn:
        return name  # Keras activations are saved by name, as Keras does
    return {_FUNCTION_TAG: name}


def _jsonable(value, where):
    """value with tuples as lists, numpy scalars as numbers, dtypes by name, functions by name."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, where) for k, v in value.items()}
    if hasattr(value, "as_numpy_dtype"):
        return value.name
    if hasattr(value, "as_list") and hasattr(value, "rank"):
        return None if value.rank is None else value.as_list()
    if hasattr(value, "get_config") and not inspect.isclass(value):
        return serialize_keras_object(value)
    if callable(value):
        return _function_ref(value)
    raise TypeError(f"{where} returned a value that cannot be saved as JSON: {value!r:.80} "
                    f"({type(value).__name__})")


def _builtin_class(name):
    """A Keras class by its name, looked up in webtensor.keras' own namespaces only (never by import path)."""
    import importlib
    for mod in ("layers", "models", "optimizers", "losses", "metrics", "initializers", "regularizers",
                "constraints", "optimizers.schedules"):
        try:
            m = importlib.import_module(f"{__package__}.{mod}")
        except ImportError:
            continue
        obj = getattr(m, name, None)
        if inspect.isclass(obj):
            return obj
    return None


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, module_objects=None, **kwargs):
    """Rebuilds an object from serialize_keras_object's dict (class found by name; no code is run)."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        return obj if obj is not None else config
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, safe_mode, module_objects) for c in config]
    if not isinstance(config, dict):
        raise ValueError(f"Could not deserialize {config!r:.80}: expected a dict with 'class_name' and 'config'")
    if _FUNCTION_TAG in config:
        return _resolve_function(config[_FUNCTION_TAG], custom_objects, "a config")
    if "class_name" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode, module_objects) if isinstance(v, dict) and
                ("class_name" in v or _FUNCTION_TAG in v) else v for k, v in config.items()}
    name = config["class_name"]
    if not isinstance(name, str):
        raise ValueError(f"Invalid class_name {name!r:.60} in a saved config")
    cls = (get_registered_object(config.get("registered_name") or name, custom_objects, module_objects)
           or get_registered_object(name, custom_objects, module_objects) or _builtin_class(name))
    if cls is None:
        raise TypeError(f"Could not locate class '{name}'. Make sure custom classes are decorated with "
                        f"`@keras.saving.register_keras_serializable()` or passed in `custom_objects`. "
                        f"Full object config: {json.dumps(config)[:300]}")
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"Invalid config for class '{name}': expected a dict")
    if name == "Lambda" or any(isinstance(v, dict) and _FUNCTION_TAG in v for v in inner.values()):
        inner = {k: _resolve_function(v[_FUNCTION_TAG], custom_objects, f"the {name} layer "
                                      f"'{inner.get('name', name)}'")
                 if isinstance(v, dict) and _FUNCTION_TAG in v else v for k, v in inner.items()}
    with custom_object_scope(custom_objects or {}):
        if not hasattr(cls, "from_config"):
            obj = cls(**inner)
        elif "custom_objects" in _parameters(cls.from_config):
            obj = cls.from_config(inner, custom_objects=custom_objects)
        else:
            obj = cls.from_config(inner)
    build = config.get("build_config")
    if isinstance(build, dict) and build.get("input_shape") is not None and not getattr(obj, "built", True):
        shape = build["input_shape"]
        if hasattr(obj, "build_from_config"):
            obj.build_from_config(build)
        else:
            obj.build(tuple(shape) if isinstance(shape, list) and not any(isinstance(s, list) for s in shape)
                      else shape)
    return obj


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def _resolve_function(name, custom_objects, where):
    fn = get_registered_object(name, custom_objects) if isinstance(name, str) else None
    if fn is None:
        from . import activations
        fn = getattr(activations, name, None) if isinstance(name, str) and name != "<lambda>" else None
    if fn is None or not callable(fn):
        raise ValueError(
            f"Cannot load {where}: it needs the Python function {name!r}, which was not saved. webtensor never "
            "stores Python code in .keras files (so loading a file from anyone is safe, and safe_mode=False "
            "cannot change this). Pass the function as load_model(..., custom_objects={" + repr(name) +
            ": fn}) (name the function; a lambda cannot be found), or rebuild the model in code and call "
            "load_weights.")
    return fn


# -- weights ----------------------------------------------------------------------------------------

def _layer_paths(model):
    """[(path, layer, own variables)] for the model and every nested layer, in order."""
    out = []

    def visit(layer, path, seen):
        own = layer._own_variables() if hasattr(layer, "_own_variables") else list(getattr(layer, "weights", []))
        out.append((path, layer, own))
        subs = layer._flatten_layers(include_self=False, recursive=False) if hasattr(layer, "_flatten_layers") \
            else []
        names = {}
        for sub in subs:
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            n = names[sub.name] = names.get(sub.name, -1) + 1
            name = sub.name if n == 0 else f"{sub.name}_{n}"
            visit(sub, f"{path}/layers/{name}" if path else f"layers/{name}", seen)
    visit(model, "", {id(model)})
    return out


def _weights_tensors(model, optimizer=True):
    tensors, layers = {}, []
    for path, layer, own in _layer_paths(model):
        if not own:
            continue
        for i, v in enumerate(own):
            tensors[f"{path}/vars/{i}" if path else f"vars/{i}"] = v.numpy()
        layers.append({"path": path, "class_name": type(layer).__name__, "count": len(own)})
    meta = {"format": _WEIGHTS_FORMAT, "layers": layers}
    opt = getattr(model, "optimizer", None) if optimizer else None
    opt_vars = _optimizer_variables(opt)
    if opt_vars:
        for i, v in enumerate(opt_vars):
            tensors[f"optimizer/vars/{i}"] = v.numpy()
        meta["optimizer_count"] = len(opt_vars)
    return tensors, meta


def _optimizer_variables(opt):
    if opt is None:
        return []
    v = getattr(opt, "variables", None)
    if callable(v):
        v = v()
    return list(v or [])


def save_weights(model, filepath, overwrite=True):
    """Writes the model's weights to filepath (webtensor's tensor format, whatever the suffix), atomically."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    tensors, meta = _weights_tensors(model, optimizer=False)
    serialization.write_file(filepath, tensors, meta)


def load_weights(model, filepath, skip_mismatch=False):
    """Loads weights saved by save_weights (or from a .keras file) into model; checks counts and shapes."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        with _open_zip(filepath) as zf:
            f = serialization.TensorFile(_read_member(zf, _WEIGHTS, filepath), f"{filepath}/{_WEIGHTS}")
    else:
        f = serialization.TensorFile.open(filepath)
    _assign_weights(model, f, skip_mismatch)


def _assign_weights(model, f, skip_mismatch):
    meta = f.metadata
    saved = meta.get("layers")
    if meta.get("format") != _WEIGHTS_FORMAT or not isinstance(saved, list) or not all(
            isinstance(s, dict) and isinstance(s.get("path"), str) and isinstance(s.get("count"), int)
            for s in saved):
        raise CorruptFileError(f.path, "not a webtensor Keras weights file")
    live = [(p, layer, own) for p, layer, own in _layer_paths(model) if own]
    if saved and not live:
        raise ValueError(f"Cannot load weights from {f.path} into {getattr(model, 'name', 'the model')}: it has no "
                         "weights yet. Build it first (call it on a batch, or model.build(input_shape)).")
    by_path = {s["path"]: s for s in saved}
    if {p for p, _, _ in live} == set(by_path):
        pairs = [(by_path[p], p, layer, own) for p, layer, own in live]
    elif len(live) == len(saved):
        pairs = [(s, p, layer, own) for s, (p, layer, own) in zip(saved, live)]
    else:
        raise ValueError(f"Layer count mismatch when loading weights from {f.path}: the model has {len(live)} "
                         f"layers with weights ({[p or 'model' for p, _, _ in live][:8]}), the file has "
                         f"{len(saved)} ({[s['path'] or 'model' for s in saved][:8]}).")
    updates = []
    for s, path, layer, own in pairs:
        keys = [f"{s['path']}/vars/{i}" if s["path"] else f"vars/{i}" for i in range(s["count"])]
        problem = None
        if len(keys) != len(own):
            problem = (f"Layer '{layer.name}' expected {len(own)} variables, but received {len(keys)} variables "
                       "during loading.")
        else:
            for key, v in zip(keys, own):
                if key not in f:
                    raise CorruptFileError(f.path, f"missing tensor {key!r}")
                shape, dtype = f.spec(key)
                if tuple(v.shape.as_list()) != shape:
                    problem = (f"Shape mismatch in layer '{layer.name}' for weight {v.name}: the model expects "
                               f"{tuple(v.shape.as_list())}, the file {f.path} holds {shape} (key {key!r}).")
                    break
        if problem is not None:
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for layer '{layer.name}': {problem}")
                continue
            raise ValueError(problem)
        updates += [(v, f.read(k)) for k, v in zip(keys, own)]
    with init_scope():  # read everything (checksums) before changing any variable
        for v, value in updates:
            v.assign(value.astype(v.dtype.as_numpy_dtype, copy=False))


# -- .keras files -----------------------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Saves architecture (get_config), weights and optimizer state to a `.keras` zip, atomically."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please add a `.keras` extension: {filepath}. "
                         "(Use save_weights for weights only; the legacy SavedModel/h5 formats are not supported, "
                         "use tf.saved_model.save for a SavedModel.)")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    from .utils.serialization import serialize_layer
    if not hasattr(model, "get_config"):
        raise TypeError(f"{type(model).__name__} has no get_config(); subclassed models must implement get_config "
                        "(and from_config) to be saved in the .keras format.")
    config = _jsonable(serialize_layer(model), f"{type(model).__name__}.get_config()")
    if hasattr(model, "get_compile_config") and getattr(model, "compiled", False):
        compile_config = dict(model.get_compile_config() or {})
        optimizer = getattr(model, "optimizer", None)
        if compile_config.get("optimizer") is None and optimizer is not None:
            compile_config["optimizer"] = serialize_keras_object(optimizer)  # the object's settings, not a name
        config["compile_config"] = _jsonable(compile_config, "get_compile_config()")
    if hasattr(model, "get_build_config"):
        build = model.get_build_config()
        if build is not None:
            config["build_config"] = _jsonable(build, "get_build_config()")
    tensors, meta = _weights_tensors(model, optimizer=include_optimizer)
    from .. import __version__
    metadata = {"keras_version": "3 (webtensor)", "webtensor_version": __version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_METADATA, json.dumps(metadata))
        zf.writestr(_CONFIG, json.dumps(config, allow_nan=False))
        zf.writestr(_WEIGHTS, serialization.dumps(tensors, meta))
    serialization.atomic_write(filepath, buf.getvalue())


def _open_zip(filepath):
    try:
        return zipfile.ZipFile(filepath, "r")
    except FileNotFoundError:
        from ..errors import NotFoundError
        raise NotFoundError(None, None, f"{filepath}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CorruptFileError(filepath, f"not a valid .keras file (not a readable zip archive: {e})") from None


def _read_member(zf, name, filepath, limit=None):
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise CorruptFileError(filepath, f"not a valid .keras file: the archive has no {name}") from None
    archive_size = os.path.getsize(filepath)
    if info.file_size > (limit or archive_size) or info.file_size > archive_size * 100:
        raise CorruptFileError(filepath, f"{name} declares {info.file_size} bytes, more than the archive could "
                               "hold (corrupt or hostile file)")
    try:
        with zf.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise CorruptFileError(filepath, f"cannot read {name}: {e}") from None
    if len(data) != info.file_size:
        raise CorruptFileError(filepath, f"{name} is not the size its entry says")
    return data


def _read_json(zf, name, filepath):
    data = _read_member(zf, name, filepath, limit=_MAX_JSON_BYTES)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CorruptFileError(filepath, f"{name} is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise CorruptFileError(filepath, f"{name} must hold a JSON object, got {type(value).__name__}")
    return value


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by model.save("x.keras"): architecture, weights, optimizer and compile settings.

    >>> model.save("model.keras")
    >>> restored = tf.keras.models.load_model("model.keras")
    """
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath} is a directory: load_model reads .keras files; for a SavedModel directory "
                         "use tf.saved_model.load")
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. webtensor's load_model reads `.keras` "
                         "files (weights-only files load with model.load_weights).")
    with _open_zip(filepath) as zf:
        config = _read_json(zf, _CONFIG, filepath)
        weights = serialization.TensorFile(_read_member(zf, _WEIGHTS, filepath), f"{filepath}/{_WEIGHTS}")
    from .utils.serialization import deserialize_layer
    try:
        config = _resolve_functions(config, custom_objects)
        if not isinstance(config.get("class_name"), str) or not isinstance(config.get("config"), dict):
            raise CorruptFileError(filepath, f"{_CONFIG} lacks a 'class_name' and a 'config'")
        with custom_object_scope(custom_objects or {}):
            merged = dict(_SCOPES[-1])
            model = deserialize_layer(config, custom_objects=merged)
    except RecursionError:
        raise CorruptFileError(filepath, "config nested too deeply") from None
    build = config.get("build_config")
    if isinstance(build, dict) and not getattr(model, "built", True) and hasattr(model, "build_from_config"):
        model.build_from_config(build)
    _assign_weights(model, weights, skip_mismatch=False)
    compile_config = config.get("compile_config")
    if compile and isinstance(compile_config, dict):
        try:
            with custom_object_scope(custom_objects or {}):
                if hasattr(model, "compile_from_config"):
                    model.compile_from_config(compile_config)
                else:
                    model.compile(**compile_config)
        except (TypeError, ValueError) as e:
            warnings.warn(f"{filepath}: the model was loaded uncompiled; its compile config could not be "
                          f"restored ({e}). Call model.compile(...) yourself.")
        else:
            _restore_optimizer(model, weights)
    return model


def _resolve_functions(config, custom_objects):
    """The config with saved-by-name Python functions replaced by the functions custom_objects give."""
    if isinstance(config, list):
        return [_resolve_functions(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        return config
    if set(config) == {_FUNCTION_TAG}:
        return _resolve_function(config[_FUNCTION_TAG], custom_objects, "a saved config")
    if config.get("class_name") == "Lambda" and isinstance(config.get("config"), dict):
        inner = dict(config["config"])
        fn = inner.get("function")
        if isinstance(fn, dict) and fn.get("class_name") == "__lambda__":
            name = (fn.get("config") or {}).get("name") if isinstance(fn.get("config"), dict) else None
            inner["function"] = _resolve_function(name, custom_objects, f"the Lambda layer "
                                                  f"'{inner.get('name', 'lambda')}'")
        return {**config, "config": {k: _resolve_functions(v, custom_objects) if k != "function" else v
                                     for k, v in inner.items()}}
    return {k: _resolve_functions(v, custom_objects) for k, v in config.items()}


def _restore_optimizer(model, f):
    count = f.metadata.get("optimizer_count")
    opt = getattr(model, "optimizer", None)
    if not isinstance(count, int) or count <= 0 or opt is None:
        return
    if not _optimizer_variables(opt) or len(_optimizer_variables(opt)) != count:
        if hasattr(opt, "build"):
            opt.build(model.trainable_variables)
    live = _optimizer_variables(opt)
    if len(live) != count:
        warnings.warn(f"Skipping loading the optimizer state from {f.path}: the optimizer has {len(live)} "
                      f"variables, the file {count}.")
        return
    values = [f.read(f"optimizer/vars/{i}") for i in range(count)]
    if any(tuple(v.shape.as_list()) != val.shape for v, val in zip(live, values)):
        warnings.warn(f"Skipping loading the optimizer state from {f.path}: variable shapes differ.")
        return
    with init_scope():
        for v, val in zip(live, values):
            v.assign(val.astype(v.dtype.as_numpy_dtype, copy=False))
