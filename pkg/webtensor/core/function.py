"""tf.function: trace a Python function once per input signature into a Graph, then replay it."""
import functools
import inspect
import weakref

import numpy as np

from .. import nest
from ..tensor_shape import TensorShape, TensorSpec
from . import compiled
from . import tensor as _tensor
from .graph import Graph
from .state import state, swapped
from .tensor import Tensor, convert_to_tensor


# Callables notified with the ConcreteFunction on each call (tf.summary.trace_on records graphs this way).
call_observers = []


class ConcreteFunction:
    """One traced graph of a tf.function, for one input signature."""

    def __init__(self, graph, input_structure, output_structure, function_name):
        self.graph = graph
        self._input_structure = input_structure  # (args, kwargs) with TensorSpec leaves for tensors
        self.structured_outputs = output_structure
        self.name = function_name
        self._plans = {}

    @property
    def inputs(self):
        return list(self.graph.inputs)

    @property
    def outputs(self):
        return list(self.graph.outputs)

    @property
    def structured_input_signature(self):
        return self._input_structure

    @property
    def variables(self):
        return tuple(self.graph.variables.values())

    @property
    def trainable_variables(self):
        return tuple(v for v in self.graph.variables.values() if v.trainable)

    def __call__(self, *args, **kwargs):
        flat = [a for a in nest.flatten((args, kwargs)) if _is_tensor_like(a)]
        if len(flat) != len(self.graph.inputs):
            raise TypeError(f"{self.name}: expected {len(self.graph.inputs)} tensor arguments, got {len(flat)}")
        tensors = []
        for a, ph in zip(flat, self.graph.inputs):
            t = convert_to_tensor(a, dtype_hint=ph.dtype)
            if t.dtype != ph.dtype or not TensorShape(ph._shape).is_compatible_with(t._shape):
                raise TypeError(f"{self.name}: argument of shape {t.shape} and dtype {t.dtype.name} is not "
                                f"compatible with the traced signature {TensorShape(ph._shape)} {ph.dtype.name}")
            tensors.append(t)
        return self._call_flat(tensors)

    def _call_flat(self, tensors):
        if call_observers:
            for observe in call_observers:
                observe(self)
        g = self.graph
        captured = [outer for outer, _ in g.captures]
        plan = self._plan_for(tensors)
        outs = plan.run(tensors, captured) if plan is not None else g.replay(tensors, captured)
        return nest.pack_sequence_as(self.structured_outputs, _fill_outputs(self.structured_outputs, outs))

    def _plan_for(self, tensors):
        """The compiled plan when nothing needs to see individual ops (no tracing, no tape), else None."""
        if state.graph is not None or state.tapes:
            return None
        backend = state.device.backend if state.device is not None else _tensor._DEFAULT
        if backend.name == "numpy":  # numpy plans call kernels on arrays; device plans place inputs as eager does
            for t in tensors:
                if t._backend is not backend:
                    return None
        plan = self._plans.get(backend.name, False)
        if plan is False:
            try:
                plan = compiled.Plan(self.graph, backend)
            except compiled.Unsupported:
                plan = None
            self._plans[backend.name] = plan
        return plan

    def pretty_printed_signature(self, verbose=True):
        return str(self.graph)

    def __repr__(self):
        return f"<ConcreteFunction {self.name} inputs={[str(TensorShape(t._shape)) for t in self.graph.inputs]}>"


def _fill_outputs(structure, outs):
    """Flat leaves of structure with tensor leaves replaced, in order, by outs."""
    it = iter(outs)
    return [next(it) if isinstance(leaf, _TensorSlot) else leaf for leaf in nest.flatten(structure)]


class _TensorSlot:
    """Marks where an output tensor goes in a function's output structure."""
    __slots__ = ()

    def __repr__(self):
        return "<tensor>"


_SLOT = _TensorSlot()


def _is_tensor_like(x):
    return isinstance(x, (Tensor, np.ndarray))


class Function:
    """A Python function compiled into graphs, one per input signature.

    >>> @tf.function
    ... def f(x):
    ...     return tf.reduce_sum(x)
    >>> f(tf.constant([1, 2, 3]))
    <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """

    def __init__(self, python_function, input_signature=None, autograph=True, jit_compile=None,
                 reduce_retracing=False, experimental_relax_shapes=None, name=None, **unused):
        functools.update_wrapper(self, python_function)
        self._python_function = python_function
        self._input_signature = None if input_signature is None else tuple(input_signature)
        for spec in nest.flatten(self._input_signature or ()):
            if not isinstance(spec, TensorSpec):
                raise TypeError(f"input_signature must be a possibly nested sequence of TensorSpec objects, "
                                f"got {spec!r}")
        self._name = name or getattr(python_function, "__name__", "function")
        self._cache = {}
        self._fast_cache = {}   # (shape, dtype) per argument -> ConcreteFunction, for all-tensor calls
        self._trace_count = 0
        self._bound = weakref.WeakKeyDictionary()
        self.jit_compile = jit_compile
        self._reduce_retracing = bool(reduce_retracing or experimental_relax_shapes)
        self._relaxed = {}      # key without dims -> [relaxed shapes per tensor, ConcreteFunction]
        self._signature = _signature_of(python_function)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def concrete_functions(self):
        """The ConcreteFunctions traced so far, in tracing order (each once)."""
        seen, out = set(), []
        for c in list(self._cache.values()) + list(self._fast_cache.values()):
            if id(c) not in seen:
                seen.add(id(c))
                out.append(c)
        return out

    def experimental_get_tracing_count(self):
        """How many times this function has been traced."""
        return self._trace_count

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            bound = self._bound.get(instance)
        except TypeError:  # unhashable instance: key by identity
            bound = None
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner), self._input_signature,
                             name=self._name, jit_compile=self.jit_compile)
            try:
                self._bound[instance] = bound
            except TypeError:
                pass
        return bound

    def __call__(self, *args, **kwargs):
        if state.run_functions_eagerly:
            return self._python_function(*args, **kwargs)
        if not kwargs:  # fast path: only plain tensors, seen before with these shapes and dtypes
            try:
                key = tuple([(a._shape, a._dtype) for a in args if type(a) is Tensor])
            except AttributeError:
                key = None
            if key is not None and len(key) == len(args):
                concrete = self._fast_cache.get(key)
                if concrete is not None:
                    return concrete._call_flat(list(args))
                concrete, flat = self._concrete_for(args, kwargs)
                self._fast_cache[key] = concrete
                return concrete._call_flat(flat)
        concrete, flat = self._concrete_for(args, kwargs)
        return concrete._call_flat(flat)

    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these arguments (tensors or TensorSpecs), tracing if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = self._input_signature
        concrete, _ = self._concrete_for(args, kwargs, specs_allowed=True)
        return concrete

    def _concrete_for(self, args, kwargs, specs_allowed=False):
        if self._input_signature is not None:  # the signature names the arguments: no defaults added
            args, kwargs = self._canonicalize(args, kwargs, defaults=False)
            return self._concrete_for_signature(args, kwargs, specs_allowed)
        args, kwargs = self._canonicalize(args, kwargs)
        flat_tensors = []
        key = _key_of((args, kwargs), flat_tensors, specs_allowed)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._cache[key] = (self._relaxed_trace(args, kwargs, key) if self._reduce_retracing
                                           else self._trace(args, kwargs))
        return concrete, [t for t in flat_tensors if not isinstance(t, TensorSpec)]

    def _relaxed_trace(self, args, kwargs, key):
        """reduce_retracing: the first call traces exact shapes; a call that differs only in some dims
        traces once with those dims unknown (None), and later calls that fit reuse that graph."""
        loose = tuple(("T", None if p[1] is None else len(p[1]), p[2]) if p[0] == "T" else p for p in key)
        shapes = [p[1] for p in key if p[0] == "T"]
        entry = self._relaxed.get(loose)
        if entry is None:
            concrete = self._trace(args, kwargs)
            self._relaxed[loose] = [shapes, concrete]
            return concrete
        known, concrete = entry
        if all(_fits(s, k) for s, k in zip(shapes, known)):
            return concrete
        merged = [None if s is None or k is None else tuple(a if a == b else None for a, b in zip(s, k))
                  for s, k in zip(shapes, known)]
        it = iter(merged)
        specs = nest.map_structure(
            lambda leaf: TensorSpec(next(it), leaf.dtype) if isinstance(leaf, (Tensor, np.ndarray, TensorSpec))
            else leaf, (args, kwargs))
        concrete = self._trace(*specs)
        entry[:] = [merged, concrete]
        return concrete

    def _canonicalize(self, args, kwargs, defaults=True):
        """Arguments bound to the signature with defaults applied, so f(x) and f(x, flag=False) match."""
        sig = self._signature
        if sig is None:
            return tuple(args), dict(kwargs)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError:
            return tuple(args), dict(kwargs)
        if defaults:
            bound.apply_defaults()
        return tuple(bound.args), dict(bound.kwargs)

    def _concrete_for_signature(self, args, kwargs, specs_allowed):
        specs = nest.flatten(self._input_signature)
        if kwargs:
            args = args + tuple(kwargs.values())
        if len(args) != len(self._input_signature):
            raise TypeError(f"{self._name}: expected {len(self._input_signature)} arguments matching input_signature "
                            f"{list(self._input_signature)}, got {len(args)}: {args!r}")
        given = _flatten_up_to(self._input_signature, args, self._name)
        flat = []
        for spec, value in zip(specs, given):
            if isinstance(value, TensorSpec) and specs_allowed:
                continue
            t = convert_to_tensor(value, dtype_hint=spec.dtype)
            if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t._shape):
                raise TypeError(f"{self._name}: Binding inputs to tf.function failed: Can not cast "
                                f"{type(t).__name__} of shape {t.shape} and dtype {t.dtype.name} to {spec!r}")
            flat.append(t)
        concrete = self._cache.get("signature")
        if concrete is None:
            structure = nest.pack_sequence_as(self._input_signature, specs)
            concrete = self._cache["signature"] = self._trace(tuple(structure), {})
        return concrete, flat

    def _trace(self, args, kwargs):
        self._trace_count += 1
        graph = Graph(self._name, outer=state.graph)
        with swapped(graph=graph, tapes=(), scope=()):
            flat = nest.flatten((args, kwargs))
            sym = []
            for leaf in flat:
                if isinstance(leaf, TensorSpec):
                    shape = leaf.shape.as_list() if leaf.shape.rank is not None else ()
                    sym.append(graph.placeholder(shape, leaf.dtype, leaf.name or "x"))
                elif _is_tensor_like(leaf):
                    t = convert_to_tensor(leaf)
                    sym.append(graph.placeholder(t._shape, t._dtype, "x"))
                else:
                    sym.append(leaf)
            t_args, t_kwargs = nest.pack_sequence_as((args, kwargs), sym)
            result = self._python_function(*t_args, **t_kwargs)
            outs = []
            structure = nest.map_structure(lambda leaf: _collect_output(graph, leaf, outs), result)
            graph.outputs = outs
        specs = nest.map_structure(
            lambda leaf: TensorSpec(leaf._shape, leaf._dtype) if isinstance(leaf, Tensor) else leaf, (args, kwargs))
        return ConcreteFunction(graph, specs, structure, self._name)

    def __repr__(self):
        return f"<webtensor.function {self._name}>"


def _flatten_up_to(signature, values, name):
    """The values at the TensorSpec positions of signature (a value there may itself be a list)."""
    if isinstance(signature, TensorSpec):
        return [values]
    if nest.is_nested(signature):
        if isinstance(signature, dict):
            if not isinstance(values, dict) or set(values) != set(signature):
                raise TypeError(f"{name}: argument {values!r} does not match the input_signature {signature!r}")
            return [v for k in sorted(signature) for v in _flatten_up_to(signature[k], values[k], name)]
        if not isinstance(values, (list, tuple)) or len(values) != len(signature):
            raise TypeError(f"{name}: argument {values!r} does not match the input_signature {signature!r}")
        return [v for s, x in zip(signature, values) for v in _flatten_up_to(s, x, name)]
    return [values]


def _fits(shape, pattern):
    """Whether a concrete shape matches a relaxed one (None = any size)."""
    if pattern is None or shape is None:
        return pattern is None
    return len(shape) == len(pattern) and all(p is None or p == d for d, p in zip(shape, pattern))


def _collect_output(graph, leaf, outs):
    if isinstance(leaf, Tensor) or hasattr(leaf, "_as_tensor"):
        outs.append(graph.capture(convert_to_tensor(leaf)))
        return _SLOT
    if isinstance(leaf, np.ndarray):
        outs.append(graph.capture(convert_to_tensor(leaf)))
        return _SLOT
    return leaf


def _signature_of(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _key_of(structure, flat_tensors, specs_allowed):
    """A hashable description of the arguments: tensors by (shape, dtype), Python values by value."""
    parts = []
    for leaf in nest.flatten(structure):
        if isinstance(leaf, Tensor):
            flat_tensors.append(leaf)
            parts.append(("T", leaf._shape, leaf._dtype.name))
        elif isinstance(leaf, np.ndarray):
            t = convert_to_tensor(leaf)
            flat_tensors.append(t)
            parts.append(("T", t._shape, t._dtype.name))
        elif isinstance(leaf, TensorSpec):
            if not specs_allowed:
                raise TypeError("TensorSpec arguments are only accepted by get_concrete_function")
            flat_tensors.append(leaf)
            parts.append(("T", tuple(leaf.shape.as_list()) if leaf.shape.rank is not None else None, leaf.dtype.name))
        elif hasattr(leaf, "_as_tensor"):
            parts.append(("V", id(leaf)))
        else:
            try:
                hash(leaf)
                parts.append(("P", type(leaf).__name__, leaf))
            except TypeError:
                parts.append(("O", id(leaf)))
    parts.append(("S", _structure_key(structure)))
    return tuple(parts)


def _structure_key(structure):
    if nest.is_nested(structure):
        if isinstance(structure, dict):
            return ("d",) + tuple((k, _structure_key(structure[k])) for k in sorted(structure, key=repr))
        return (type(structure).__name__,) + tuple(_structure_key(c) for c in structure)
    return None


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_relax_shapes=None, name=None, **kwargs):
    """Compiles a function into a callable graph (use as `@tf.function` or `tf.function(f)`).

    >>> f = tf.function(lambda x: x * 2)
    >>> f(tf.constant(2.0))
    <tf.Tensor: shape=(), dtype=float32, numpy=4.0>
    """
    def wrap(f):
        return Function(f, input_signature=input_signature, autograph=autograph, jit_compile=jit_compile,
                        reduce_retracing=reduce_retracing, name=name)
    return wrap if func is None else wrap(func)


def run_functions_eagerly(run_eagerly):
    """Makes every tf.function run its Python body eagerly (for debugging)."""
    state.run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    return state.run_functions_eagerly


