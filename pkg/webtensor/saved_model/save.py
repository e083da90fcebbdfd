"""tf.saved_model.save: variables by object path, and every tf.function's traced graphs, as data.

The export directory gets one tensor file, `saved_model.wt` (core/serialization.py), written
atomically: variable values and graph constants as tensors, and as JSON metadata the object tree
(attribute names, which node is a variable, which attributes are functions), the functions'
argument names, and each concrete function's graph (saved_model/graph_io.py), input signature
and output structure. Nothing in it is code; `load` rebuilds callables from registered ops.
"""
import inspect
import os

from ..core.function import ConcreteFunction, Function
from ..core.serialization import dumps, atomic_write
from ..core.variable import Variable
from ..train import _object_graph
from .graph_io import Encoder

FILENAME = "saved_model.wt"
FORMAT = "webtensor-saved-model"
DEFAULT_SIGNATURE = "serving_default"


def save(obj, export_dir, signatures=None, options=None):
    """Saves obj's variables and tf.function graphs to export_dir, loadable without its Python class.

    >>> class MyModule(tf.Module):
    ...     def __init__(self, value):
    ...         self.weight = tf.Variable(value)
    ...     @tf.function
    ...     def multiply(self, x):
    ...         return x * self.weight
    >>> mod = MyModule(3); mod.multiply(tf.constant([1, 2, 3]))
    >>> tf.saved_model.save(mod, "./saved")
    """
    if not _object_graph.is_trackable(obj) and getattr(obj, "__dict__", None) is None:
        raise ValueError(f"Expected a trackable object (e.g. a tf.Module) for export, got {obj!r:.80}")
    export_dir = os.fspath(export_dir)
    data = _Exporter(obj).export(signatures)
    os.makedirs(export_dir, exist_ok=True)
    atomic_write(os.path.join(export_dir, FILENAME), data)


def functions_of(obj):
    """{attribute name: Function} for the tf.function attributes of obj (class and instance ones)."""
    found = {}
    if isinstance(obj, (Variable, list, tuple, dict)):
        return found
    for name in sorted(set(dir(type(obj)))):
        if name.startswith("__") and name != "__call__":
            continue
        try:
            attr = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        if isinstance(attr, Function):
            found[name] = getattr(obj, name)
    for name, attr in sorted(getattr(obj, "__dict__", {}).items()):
        if isinstance(attr, Function) and (not name.startswith("__") or name == "__call__") \
                and name != "_saved_model_serve":
            found[name] = attr
    if "__call__" not in found:
        serve = _keras_serving_function(obj)
        if serve is not None:
            found["__call__"] = found["serve"] = serve
    return found


def _keras_serving_function(obj):
    """For a Keras model with known inputs: its inference call as a tf.function (what Keras exports)."""
    if not (type(obj).__module__ or "").startswith("webtensor.keras") or not getattr(obj, "built", False):
        return None
    try:
        inputs = obj.inputs
    except (AttributeError, ValueError):
        return None
    if not isinstance(inputs, (list, tuple)) or not inputs:
        return None
    cached = obj.__dict__.get("_saved_model_serve")
    if cached is not None:
        return cached
    from ..tensor_shape import TensorSpec
    from ..core.function import function
    specs = [TensorSpec(tuple(t.shape), getattr(t, "dtype", "float32"), name=getattr(t, "name", None))
             for t in inputs]
    if len(specs) == 1:
        fn = function(lambda x: obj(x, training=False), input_signature=specs)
    else:
        fn = function(lambda *xs: obj(list(xs), training=False), input_signature=specs)
    obj.__dict__["_saved_model_serve"] = fn
    return fn


def concrete_functions_of(fn):
    """The ConcreteFunctions a Function has traced, tracing its input_signature if it has one."""
    if fn.input_signature is not None:
        fn.get_concrete_function()
    return fn.concrete_functions()


class _Exporter:
    def __init__(self, root):
        self.root = root
        self.objects, self.ids = [], {}
        self.variables, self.var_ids = [], {}    # saved variables, in index order
        self.tensors = {}
        self.concretes, self.concrete_ids = [], {}
        self.owners = {}   # id(concrete function) -> its Function

    def export(self, signatures):
        self._walk()
        enc = Encoder(self._variable_ref)
        functions, nodes = [], []
        for i, (obj, kids) in enumerate(self.objects):
            node = {"kind": _kind(obj), "children": kids}
            if isinstance(obj, Variable):
                node["variable"] = self._variable_ref(obj)
            fns = {}
            for name, fn in functions_of(obj).items():
                concretes = []
                for c in concrete_functions_of(fn):
                    concretes.append(self._concrete_ref(c))
                    self.owners[id(c)] = fn
                if not concretes:
                    continue  # never called and no input_signature: nothing to save (as TF)
                fns[name] = len(functions)
                functions.append({"name": name, "arguments": _arguments(fn),
                                  "input_signature": None if fn.input_signature is None
                                  else enc.value(list(fn.input_signature)),
                                  "concrete_functions": concretes})
            if fns:
                node["functions"] = fns
            nodes.append(node)
        sigs = {}
        for name, (c, fn) in _signature_functions(signatures).items():
            fn = fn or self.owners.get(id(c))
            sigs[name] = {"function": self._concrete_ref(c), "inputs": _input_names(c, fn)}
        concretes = []
        for c in self.concretes:  # grows while encoding? no: all refs were taken above
            enc.where = c.name
            concretes.append({"name": c.name, "graph": enc.graph(c.graph),
                              "inputs": enc.value(c.structured_input_signature),
                              "outputs": enc.value(c.structured_outputs)})
        tensors = dict(enc.constants)
        variables = []
        for k, v in enumerate(self.variables):
            key = f"variables/{k}"
            tensors[key] = v.numpy()
            variables.append({"key": key, "name": v.name, "trainable": bool(v.trainable)})
        meta = {"format": FORMAT, "version": 1, "objects": nodes, "variables": variables, "functions": functions,
                "concrete_functions": concretes, "signatures": sigs}
        return dumps(tensors, meta)

    def _walk(self):
        queue = [self.root]
        self.ids[id(self.root)] = 0
        self.objects.append((self.root, {}))
        while queue:
            obj = queue.pop(0)
            kids = self.objects[self.ids[id(obj)]][1]
            for name, c in _object_graph.children(obj):
                j = self.ids.get(id(c))
                if j is None:
                    j = self.ids[id(c)] = len(self.objects)
                    self.objects.append((c, {}))
                    queue.append(c)
                kids[name] = j
        # keep the tree small: drop subtrees with no variables and no functions
        keep = [isinstance(o, Variable) or bool(functions_of(o)) for o, _ in self.objects]
        changed = True
        while changed:
            changed = False
            for i, (_, kids) in enumerate(self.objects):
                if not keep[i] and any(keep[j] for j in kids.values()):
                    keep[i] = changed = True
        keep[0] = True
        renumber = {}
        for i in range(len(self.objects)):
            if keep[i]:
                renumber[i] = len(renumber)
        self.objects = [(o, {n: renumber[j] for n, j in kids.items() if keep[j]})
                        for i, (o, kids) in enumerate(self.objects) if keep[i]]
        for o, _ in self.objects:
            if isinstance(o, Variable):
                self._variable_ref(o)

    def _variable_ref(self, var):
        k = self.var_ids.get(id(var))
        if k is None:
            k = self.var_ids[id(var)] = len(self.variables)
            self.variables.append(var)
        return k

    def _concrete_ref(self, c):
        k = self.concrete_ids.get(id(c))
        if k is None:
            k = self.concrete_ids[id(c)] = len(self.concretes)
            self.concretes.append(c)
        return k


def _kind(obj):
    if isinstance(obj, Variable):
        return "variable"
    if isinstance(obj, dict):
        return "dict"
    if isinstance(obj, tuple):
        return "tuple"
    if isinstance(obj, list):
        return "list"
    return "object"


def _arguments(fn):
    """The Python function's parameters as data: [{"name", "kind", "has_default"}] (defaults are not kept)."""
    try:
        sig = inspect.signature(fn.python_function)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        out.append({"name": p.name, "kind": p.kind.name, "has_default": p.default is not p.empty,
                    "default": _json_default(p.default)})
    return out


def _json_default(v):
    if v is None or isinstance(v, (bool, int, str)) or (isinstance(v, float) and v == v and abs(v) != float("inf")):
        return {"value": v}
    return None


def _signature_functions(signatures):
    if signatures is None:
        return {}
    if not isinstance(signatures, dict):
        signatures = {DEFAULT_SIGNATURE: signatures}
    out = {}
    for name, f in signatures.items():
        if isinstance(f, Function):
            if f.input_signature is None:
                raise ValueError(f"tf.saved_model.save: signature {name!r} is a tf.function without an "
                                 "input_signature; pass f.get_concrete_function(<TensorSpecs>) instead")
            fn, f = f, f.get_concrete_function()
        else:
            fn = None
        if not isinstance(f, ConcreteFunction):
            raise ValueError(f"tf.saved_model.save: signature {name!r} must be a tf.function with an "
                             f"input_signature or a ConcreteFunction, got {type(f).__name__}")
        out[str(name)] = (f, fn)
    return out


def _input_names(concrete, fn):
    """Keyword names of a signature's inputs: each TensorSpec's name, else the Python argument's name."""
    from .. import nest
    from ..tensor_shape import TensorSpec
    params = []
    if fn is not None:
        try:
            params = [p.name for p in inspect.signature(fn.python_function).parameters.values()]
        except (TypeError, ValueError):
            params = []
    args, kwargs = concrete.structured_input_signature
    names = []
    for i, arg in enumerate(args):
        specs = [s for s in nest.flatten(arg) if isinstance(s, TensorSpec)]
        base = params[i] if i < len(params) else f"input_{i}"
        for j, s in enumerate(specs):
            names.append(s.name or (base if len(specs) == 1 else f"{base}_{j}"))
    for k in sorted(kwargs):
        specs = [s for s in nest.flatten(kwargs[k]) if isinstance(s, TensorSpec)]
        for j, s in enumerate(specs):
            names.append(s.name or (k if len(specs) == 1 else f"{k}_{j}"))
    return names
