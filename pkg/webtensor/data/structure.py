"""Element structures of tf.data: nested tuples/dicts of host arrays, described by TensorSpecs.

Datasets keep their elements on the host as numpy arrays (as TensorFlow runs tf.data on the CPU) and
turn them into tensors only where user code sees them: at iteration and inside map/filter functions.
Lists are not structure in tf.data: a list becomes one tensor, as TensorFlow converts it.
"""
import collections.abc

import numpy as np

from .. import nest
from ..core.tensor import Tensor, convert_to_tensor
from ..tensor_shape import TensorShape, TensorSpec


def is_structure(x):
    """True for the containers tf.data treats as structure: tuples (and namedtuples) and dicts."""
    return isinstance(x, (tuple, collections.abc.Mapping))


def map_leaves(fn, structure):
    """Applies fn to every leaf of a tf.data structure (lists are leaves)."""
    if is_structure(structure):
        return pack(structure, [fn(v) for v in flatten(structure)])
    return fn(structure)


def flatten(structure):
    """The leaves of a tf.data structure in nest order (dicts by sorted key); lists are leaves."""
    if not is_structure(structure):
        return [structure]
    if type(structure) is tuple and not any(is_structure(c) for c in structure):
        return list(structure)
    out = []

    def walk(x):
        if is_structure(x):
            if isinstance(x, collections.abc.Mapping):
                children = [x[k] for k in nest._sorted_keys(x)]
            else:
                children = list(x)
            for c in children:
                walk(c)
        else:
            out.append(x)
    walk(structure)
    return out


def pack(structure, flat):
    """Rebuilds `structure` (a tf.data structure: lists are leaves) from its flat leaves."""
    flat = list(flat)
    if type(structure) is tuple and len(flat) == len(structure) and not any(is_structure(c) for c in structure):
        return tuple(flat)
    pos = [0]

    def build(x):
        if is_structure(x):
            if isinstance(x, collections.abc.Mapping):
                children = [build(x[k]) for k in nest._sorted_keys(x)]
            else:
                children = [build(c) for c in x]
            return nest._rebuild(x, children)
        pos[0] += 1
        return flat[pos[0] - 1]
    out = build(structure)
    if pos[0] != len(flat):
        raise ValueError(f"The structure {structure!r} has {pos[0]} components, got {len(flat)} values")
    return out


def to_host(value, dtype=None):
    """A Python value, numpy array or tensor as a host numpy array with TensorFlow's dtype rules."""
    if isinstance(value, np.ndarray) and dtype is None and value.dtype.kind in "biuf":
        return value
    t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=dtype)
    if t.dtype.name == "string":  # pragma: no cover - webtensor has no string tensors yet
        raise TypeError("tf.data: string tensors are not supported")
    return np.asarray(t.numpy())


def normalize(element):
    """An element given by the user as a structure of host arrays (tensors read back once)."""
    return map_leaves(to_host, element)


def spec_of(value):
    """The TensorSpec of a host array."""
    return TensorSpec(value.shape, value.dtype)


def spec_structure(element):
    return map_leaves(spec_of, element)


def _is_dataset(x):
    return not isinstance(x, np.ndarray) and hasattr(x, "_elements")


def to_tensors(element):
    """Host arrays -> eager tensors, one per component (datasets, as window() gives, stay datasets)."""
    return map_leaves(lambda a: a if _is_dataset(a) else convert_to_tensor(a), element)


def to_numpy(element):
    """Host arrays as as_numpy_iterator gives them: 0-d arrays become numpy scalars."""
    return map_leaves(lambda a: a if _is_dataset(a) else (a[()] if a.ndim == 0 else a), element)


class DatasetSpec:
    """The spec of a component that is itself a dataset (the elements of window()).

    >>> tf.data.DatasetSpec(tf.TensorSpec([], tf.int64))
    DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, name=None), TensorShape([]))
    """

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self.shape = TensorShape(dataset_shape)

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and other.element_spec == self.element_spec

    def __hash__(self):
        return hash(repr(self.element_spec))

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, {self.shape!r})"


def batched(spec, batch_size):
    """The spec of a batch of elements: a leading dimension of batch_size (None: unknown)."""
    return map_leaves(lambda s: TensorSpec(TensorShape([batch_size]).concatenate(s.shape), s.dtype), spec)


def unbatched(spec, what="unbatch"):
    """The spec with its leading dimension removed; every component needs rank >= 1."""
    def drop(s):
        if s.shape.rank is None or s.shape.rank == 0:
            raise ValueError(f"Unbatching a tensor is only supported for rank >= 1 ({what} got {s!r})")
        return TensorSpec(s.shape[1:], s.dtype)
    return map_leaves(drop, spec)


def same_structure(a, b):
    """True when two tf.data structures nest the same way (dict keys included)."""
    if is_structure(a) != is_structure(b):
        return False
    if not is_structure(a):
        return True
    mapping = collections.abc.Mapping
    if isinstance(a, mapping) != isinstance(b, mapping):
        return False
    if isinstance(a, mapping):
        return set(a) == set(b) and all(same_structure(a[k], b[k]) for k in a)
    return len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b))


def most_specific_compatible(a, b):
    """The spec both a and b fit (dimensions that differ become None); None if dtypes or nesting differ."""
    if not same_structure(a, b):
        return None
    fa, fb = flatten(a), flatten(b)
    out = []
    for x, y in zip(fa, fb):
        if x.dtype != y.dtype:
            return None
        out.append(TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype))
    return pack(a, out)
