"""User functions of tf.data (map, filter, ...): traced once into a graph per element spec, as TensorFlow does.

TensorFlow traces a dataset function when the transformation is created, so Python side effects (print,
appending to a list) run once, at trace time, while tensor ops run for every element. The function gets
the element's components as positional arguments when the element is a tuple (not a namedtuple), else
the element itself. tf.data.experimental.enable_debug_mode() runs the functions eagerly instead.
"""
import contextlib

import numpy as np

from .. import backends
from ..backends import device
from ..core.function import function
from ..core.state import init_scope, state
from ..core.tensor import convert_to_tensor
from ..tensor_shape import TensorSpec
from . import structure

_debug = {"eager": False}


def enable_debug_mode():
    """Runs tf.data functions eagerly, element by element (Python side effects then run every time).

    >>> tf.data.experimental.enable_debug_mode()
    """
    _debug["eager"] = True


def disable_debug_mode():
    _debug["eager"] = False


def call_with_element(func, element):
    """func(*element) for a tuple element (TensorFlow unpacks exactly tuples), func(element) otherwise."""
    if type(element) is tuple:
        return func(*element)
    return func(element)


def _normalize_output(ret, what):
    if ret is None:
        raise TypeError(f"{what}: the function returned None; a dataset function must return a tensor or a "
                        f"(nested) tuple or dict of tensors")
    if type(ret) is list:  # TensorFlow packs a returned list into a tuple
        ret = tuple(ret)
    return structure.map_leaves(convert_to_tensor, ret)


class StructuredFunction:
    """A dataset function over elements of `input_spec`, traced into one graph (see the module doc).

    >>> fn = StructuredFunction(lambda x: x * 2, tf.TensorSpec([], tf.int64), "Dataset.map()")
    >>> fn.output_spec
    TensorSpec(shape=(), dtype=tf.int64, name=None)
    """

    def __init__(self, func, input_spec, what, sample=None):
        if not callable(func):
            raise TypeError(f"{what}: expected a callable, got {func!r}")
        self._func = func
        self._input_spec = input_spec
        self._what = what
        self._eager = _debug["eager"]
        self._sample = sample
        self._output_spec = None
        traced = {}

        def flat_fn(*flat):
            element = structure.pack(input_spec, flat)
            out = _normalize_output(call_with_element(func, element), what)
            traced["structure"] = out
            return tuple(structure.flatten(out))

        try:
            with init_scope(), device("/CPU:0"):
                name = getattr(func, "__name__", "dataset_fn").replace("<lambda>", "lambda")
                self._concrete = function(flat_fn, name=name).get_concrete_function(*structure.flatten(input_spec))
        except (TypeError, ValueError, NotImplementedError) as e:
            # NOTE: webtensor traces without autograph and with static shapes, so Python control flow on
            # tensor values or shapes computed from values cannot be traced; such functions run eagerly
            # per element instead (TensorFlow would run them as graphs), and the output spec comes from
            # the first element with unknown dimensions.
            if "while tf.function traces" not in str(e) or sample is None:
                raise
            self._eager = True
        else:
            self._output_spec = structure.map_leaves(lambda t: TensorSpec(t._shape, t._dtype), traced["structure"])

    @property
    def output_spec(self):
        """The structure of TensorSpecs of the function's outputs."""
        if self._output_spec is None and self._eager:
            first = self._sample()
            if first is None:
                raise ValueError(f"{self._what}: the function cannot be traced and the dataset is empty, so the "
                                 f"structure of its outputs is unknown")
            out = self.call_tensors(first)
            self._output_spec = structure.map_leaves(
                lambda t: TensorSpec([None] * len(t.shape), t.dtype), out)
        return self._output_spec

    def call_tensors(self, element):
        """Runs the function on a host element and returns its outputs as eager CPU tensors."""
        with init_scope(), _on_cpu():
            if self._eager:
                tensors = structure.to_tensors(element)
                return _normalize_output(call_with_element(self._func, tensors), self._what)
            tensors = [convert_to_tensor(a) for a in structure.flatten(element)]
            outs = self._concrete._call_flat(tensors)  # the spec guarantees shapes and dtypes
            return structure.pack(self.output_spec, list(outs))

    def __call__(self, element):
        """Runs the function on a host element; returns a host element of output_spec's structure."""
        out = self.call_tensors(element)
        return structure.map_leaves(lambda t: np.asarray(t.numpy()), out)


def _on_cpu():
    """tf.device("/CPU:0") unless ops already run on the CPU (numpy) backend."""
    if state.device is None and backends.default().name == "numpy":
        return contextlib.nullcontext()
    return device("/CPU:0")
