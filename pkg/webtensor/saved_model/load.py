"""tf.saved_model.load: rebuilds the saved object tree with its variables and callable functions.

No Python class or code from the saving program is needed or run: objects come back as
`_UserObject`s (tf.Modules) with the saved attribute names, variables as fresh tf.Variables
with the saved values (trainable as saved), and each tf.function attribute as a
`RestoredFunction` that replays the saved graphs for calls matching a traced signature.
"""
import inspect
import os

from .. import nest
from ..core import serialization
from ..core.function import ConcreteFunction
from ..core.module import Module
from ..core.serialization import CorruptFileError
from ..core.tensor import Tensor, convert_to_tensor
from ..core.variable import Variable
from ..tensor_shape import TensorShape, TensorSpec
from .graph_io import Decoder, SavedModelError
from .save import FILENAME, FORMAT


class _UserObject(Module):
    """A loaded object: the saved attributes, variables and functions, without the original class."""

    def __init__(self):
        self._name = "restored"
        self._scope_name = "restored/"

    def __call__(self, *args, **kwargs):
        fn = self.__dict__.get("__call__")
        if fn is None:
            raise TypeError("this loaded object was saved without a traced __call__ function")
        return fn(*args, **kwargs)


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel written by tf.saved_model.save; returns an object with the saved attributes.

    >>> reloaded = tf.saved_model.load("./saved")
    >>> reloaded.multiply(tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([3, 6, 9], dtype=int32)>
    """
    export_dir = os.fspath(export_dir)
    path = os.path.join(export_dir, FILENAME)
    if not os.path.exists(path):
        from ..errors import NotFoundError
        raise NotFoundError(None, None, f"Could not find a webtensor SavedModel in {export_dir}: {FILENAME} is "
                            "missing (is this a TensorFlow SavedModel? webtensor reads only its own format)")
    f = serialization.TensorFile.open(path)
    try:
        return _Loader(f, path).load()
    except RecursionError:
        raise SavedModelError(path, "structure nested too deeply") from None


class _Loader:
    def __init__(self, f, path):
        self.file, self.path, self.meta = f, path, f.metadata

    def fail(self, problem):
        return SavedModelError(self.path, problem)

    def load(self):
        meta = self.meta
        if meta.get("format") != FORMAT:
            raise CorruptFileError(self.path, f"not a webtensor SavedModel (format {meta.get('format')!r:.40})")
        variables = [self._variable(i, v) for i, v in enumerate(_list(meta.get("variables"), self, "variables"))]
        dec = Decoder(self.file, variables, self.path)
        concretes = []
        for i, c in enumerate(_list(meta.get("concrete_functions"), self, "concrete_functions")):
            if not isinstance(c, dict):
                raise self.fail(f"concrete function {i} is not an object")
            name = c.get("name") if isinstance(c.get("name"), str) else f"function_{i}"
            where = f"function {name!r}"
            graph = dec.graph(c.get("graph"), where)
            inputs = dec.value(c.get("inputs"), where + " inputs")
            outputs = dec.value(c.get("outputs"), where + " outputs")
            n_specs = sum(isinstance(x, TensorSpec) for x in nest.flatten(inputs))
            n_slots = sum(1 for x in nest.flatten(outputs) if type(x).__name__ == "_TensorSlot")
            if n_specs != len(graph.inputs) or n_slots != len(graph.outputs):
                raise self.fail(f"{where}: its signature does not match its graph's inputs and outputs")
            concretes.append(ConcreteFunction(graph, inputs, outputs, name))
        functions = []
        for i, fd in enumerate(_list(meta.get("functions"), self, "functions")):
            if not isinstance(fd, dict) or not isinstance(fd.get("name"), str):
                raise self.fail(f"function {i} is not an object with a name")
            refs = _list(fd.get("concrete_functions"), self, "functions")
            if not all(_is_int(r) and 0 <= r < len(concretes) for r in refs):
                raise self.fail(f"function {fd['name']!r} refers to a missing concrete function")
            spec = fd.get("input_signature")
            functions.append(RestoredFunction(fd["name"], [concretes[r] for r in refs], _arguments(fd.get("arguments")),
                                              None if spec is None else dec.value(spec, "input_signature")))
        root = self._objects(variables, functions)
        sigs = meta.get("signatures", {})
        if not isinstance(sigs, dict) or not all(
                isinstance(s, dict) and _is_int(s.get("function")) and 0 <= s["function"] < len(concretes)
                and isinstance(s.get("inputs"), list) and all(isinstance(n, str) for n in s["inputs"])
                for s in sigs.values()):
            raise self.fail("invalid signatures")
        if isinstance(root, Module):
            root.__dict__["signatures"] = {k: SignatureFunction(k, concretes[s["function"]], s["inputs"])
                                           for k, s in sigs.items()}
        return root

    def _variable(self, i, v):
        key = v.get("key") if isinstance(v, dict) else None
        if not isinstance(key, str) or key not in self.file:
            raise self.fail(f"variable {i} has no value in the file")
        name = v.get("name") if isinstance(v.get("name"), str) else "Variable:0"
        name = name[:-2] if name.endswith(":0") else name
        return Variable(self.file.read(key), trainable=bool(v.get("trainable", True)), name=name or "Variable")

    def _objects(self, variables, functions):
        nodes = _list(self.meta.get("objects"), self, "objects")
        if not nodes:
            raise self.fail("the object tree is empty")
        objs = []
        for i, nd in enumerate(nodes):
            if not isinstance(nd, dict) or not isinstance(nd.get("children"), dict):
                raise self.fail(f"object {i} is not an object with children")
            kind = nd.get("kind")
            if kind == "variable":
                ref = nd.get("variable")
                if not _is_int(ref) or not 0 <= ref < len(variables):
                    raise self.fail(f"object {i} names a missing variable")
                objs.append(variables[ref])
            elif kind == "object":
                objs.append(_UserObject())
            elif kind in ("list", "tuple"):
                objs.append([])
            elif kind == "dict":
                objs.append({})
            else:
                raise self.fail(f"object {i} has unknown kind {kind!r:.40}")
        for i, nd in enumerate(nodes):
            obj = objs[i]
            kids = nd["children"]
            if not all(isinstance(k, str) and _is_int(j) and 0 <= j < len(objs) for k, j in kids.items()):
                raise self.fail(f"object {i} has invalid children")
            if isinstance(obj, list):
                if not all(k.isdigit() and len(k) < 10 for k in kids):
                    raise self.fail(f"object {i} is a list with non-numeric children")
                if len(kids) > 0:  # entries left out when saving (nothing to save in them) come back as None
                    obj.extend([None] * (1 + max(int(k) for k in kids)))
                    if len(obj) > 16 * len(kids) + 1024:
                        raise self.fail(f"object {i} is a list with an absurd index")
                for k, j in kids.items():
                    obj[int(k)] = objs[j]
            elif isinstance(obj, dict):
                obj.update({k: objs[j] for k, j in kids.items()})
            elif isinstance(obj, _UserObject):
                for k, j in kids.items():
                    _set_attribute(self, obj, k, objs[j])
                fns = nd.get("functions", {})
                if not isinstance(fns, dict) or not all(_is_int(r) and 0 <= r < len(functions) for r in fns.values()):
                    raise self.fail(f"object {i} has invalid functions")
                for k, r in fns.items():
                    _set_attribute(self, obj, k, functions[r])
            elif kids:
                raise self.fail(f"object {i}, a variable, has children")
        return objs[0]  # tuples come back as lists, as TensorFlow's ListWrapper


def _set_attribute(loader, obj, name, value):
    if not name or (name.startswith("__") and name != "__call__") or "\0" in name:
        raise loader.fail(f"unsafe attribute name {name!r:.60}")
    obj.__dict__[name] = value


def _arguments(data):
    """An inspect.Signature from the saved argument list (None when absent)."""
    if data is None or not isinstance(data, list):
        return None
    params = []
    try:
        for a in data:
            kind = getattr(inspect.Parameter, a["kind"])
            default = a["default"]["value"] if a.get("has_default") and isinstance(a.get("default"), dict) \
                else inspect.Parameter.empty
            if a.get("has_default") and default is inspect.Parameter.empty:
                default = _NoDefault
            params.append(inspect.Parameter(a["name"], kind, default=default))
        return inspect.Signature(params)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


class _NoDefault:
    """A default value that was not data (not saved): the argument must then be passed."""


class RestoredFunction:
    """A loaded tf.function: calls replay the saved graph whose signature matches the arguments."""

    def __init__(self, name, concretes, signature, input_signature):
        self.__name__ = name
        self._name = name
        self.concrete_functions = list(concretes)
        self._signature = signature
        self.input_signature = None if input_signature is None else tuple(input_signature)

    def __call__(self, *args, **kwargs):
        for c in self.concrete_functions:
            tensors = self._match(c, args, kwargs)
            if tensors is not None:
                return c._call_flat(tensors)
        sigs = "\n".join(f"  Option {i + 1}: {_describe(c.structured_input_signature)}"
                         for i, c in enumerate(self.concrete_functions))
        raise ValueError(f"Could not find matching concrete function to call loaded from the SavedModel. Got:\n"
                         f"  Positional arguments ({len(args)} total): {list(args)!r:.200}\n"
                         f"  Keyword arguments: {kwargs!r:.200}\n\nExpected these arguments to match one of the "
                         f"following {len(self.concrete_functions)} option(s):\n{sigs}")

    def _match(self, c, args, kwargs):
        if self.input_signature is not None:
            given = tuple(args) + tuple(kwargs.values())
            expected = c.structured_input_signature[0]
        else:
            if self._signature is not None:
                try:
                    bound = self._signature.bind(*args, **kwargs)
                except TypeError:
                    return None
                bound.apply_defaults()
                if any(v is _NoDefault for v in bound.arguments.values()):
                    return None
                args, kwargs = tuple(bound.args), dict(bound.kwargs)
            given, expected = (args, kwargs), c.structured_input_signature
        try:
            nest.assert_same_structure(expected, given, check_types=False)
        except (ValueError, TypeError):
            return None
        tensors = []
        for spec, value in zip(nest.flatten(expected), nest.flatten(given)):
            if isinstance(spec, TensorSpec):
                if not (isinstance(value, Tensor) or hasattr(value, "_as_tensor") or hasattr(value, "__array__")
                        or isinstance(value, (int, float, bool, list, tuple))):
                    return None
                try:
                    t = convert_to_tensor(value, dtype_hint=spec.dtype)
                except (TypeError, ValueError):
                    return None
                if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t._shape):
                    return None
                tensors.append(t)
            elif not _same_python_value(spec, value):
                return None
        return tensors

    def get_concrete_function(self, *args, **kwargs):
        """The saved ConcreteFunction matching these arguments (tensors or TensorSpecs)."""
        if not args and not kwargs and len(self.concrete_functions) == 1:
            return self.concrete_functions[0]
        for c in self.concrete_functions:
            probe = nest.map_structure(lambda x: _zeros_like_spec(x) if isinstance(x, TensorSpec) else x,
                                       (args, kwargs))
            if self._match(c, *probe) is not None:
                return c
        raise ValueError(f"{self._name}: no saved concrete function matches {args!r:.200} {kwargs!r:.200}")

    def __get__(self, instance, owner=None):
        return self

    def __repr__(self):
        return f"<RestoredFunction {self._name} ({len(self.concrete_functions)} signature(s))>"


def _zeros_like_spec(spec):
    import numpy as np
    shape = [1 if d is None else d for d in (spec.shape.as_list() if spec.shape.rank is not None else [])]
    return convert_to_tensor(np.zeros(shape, spec.dtype.as_numpy_dtype))


def _same_python_value(a, b):
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def _describe(structure):
    return repr(nest.map_structure(lambda x: x, structure))


class SignatureFunction:
    """A loaded serving signature: keyword (or positional) tensors in, a dict of named outputs out."""

    def __init__(self, name, concrete, input_names):
        self.name = name
        self._concrete = concrete
        self._specs = [s for s in nest.flatten(concrete.structured_input_signature) if isinstance(s, TensorSpec)]
        self._names = list(input_names)
        if len(self._names) != len(self._specs):
            raise SavedModelError("<saved model>", f"signature {name!r} names {len(self._names)} inputs for "
                                  f"{len(self._specs)} tensors")

    @property
    def structured_input_signature(self):
        return self._concrete.structured_input_signature

    @property
    def structured_outputs(self):
        return self._concrete.structured_outputs

    def __call__(self, *args, **kwargs):
        values = list(args)
        for n in self._names[len(values):]:
            if n not in kwargs:
                raise TypeError(f"signature {self.name!r} expects arguments {self._names}, missing {n!r}")
            values.append(kwargs.pop(n))
        if kwargs:
            raise TypeError(f"signature {self.name!r} got unexpected arguments {sorted(kwargs)}")
        tensors = []
        for spec, v in zip(self._specs, values):
            t = convert_to_tensor(v, dtype_hint=spec.dtype)
            if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t._shape):
                raise TypeError(f"signature {self.name!r}: argument of shape {TensorShape(t._shape)} and dtype "
                                f"{t.dtype.name} is not compatible with {spec!r}")
            tensors.append(t)
        out = self._concrete._call_flat(tensors)
        if isinstance(out, dict):
            return out
        if isinstance(out, (list, tuple)):
            return {f"output_{i}": o for i, o in enumerate(nest.flatten(out))}
        return {"output_0": out}


def _list(v, loader, what):
    if not isinstance(v, list):
        raise loader.fail(f"{what} is not a list")
    return v


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)
