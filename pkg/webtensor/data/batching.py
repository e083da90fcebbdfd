"""batch, padded_batch, unbatch and window: elements grouped along a new leading dimension (on the host)."""
import numpy as np

from .. import errors
from ..tensor_shape import TensorShape, TensorSpec
from . import structure
from .dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


def _positive(value, what, op):
    from .transforms import count_of
    n = count_of(value, what)
    if n <= 0:
        raise errors.InvalidArgumentError(None, op, f"{what} must be greater than zero (got {n}).")
    return n


def _input(ds):
    if not isinstance(ds, Dataset):
        raise TypeError(f"Expected a tf.data.Dataset, got {type(ds).__name__}")
    return ds


def stack(elements, like):
    """One element of stacked components; elements of different shapes raise TensorFlow's error."""
    flats = [structure.flatten(e) for e in elements]
    out = []
    for j in range(len(flats[0])):
        parts = [f[j] for f in flats]
        first = parts[0].shape
        for k, p in enumerate(parts):
            if p.shape != first:
                raise errors.InvalidArgumentError(
                    None, "BatchDataset", f"Cannot batch tensors with different shapes in component {j}. First "
                                          f"element had shape {list(first)} and element {k} had shape {list(p.shape)}.")
        out.append(np.stack(parts))
    return structure.pack(like, out)


def _batch_count(n, size, drop_remainder):
    if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
        return n
    return n // size + (0 if drop_remainder or n % size == 0 else 1)


class Batch(Dataset):
    """Dataset.batch: batch_size consecutive elements stacked; the last batch may be smaller."""

    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._input = _input(input_dataset)
        self._size = _positive(batch_size, "Batch size", "BatchDataset")
        self._drop = bool(drop_remainder)
        self._spec = structure.batched(input_dataset.element_spec, self._size if self._drop else None)
        self._options = input_dataset._options

    def _group(self, elements):
        return stack(elements, self._input.element_spec)

    def _elements(self):
        group = []
        for element in self._input._elements():
            group.append(element)
            if len(group) == self._size:
                yield self._group(group)
                group = []
        if group and not self._drop:
            yield self._group(group)

    def _cardinality(self):
        return _batch_count(self._input._cardinality(), self._size, self._drop)


class PaddedBatch(Batch):
    """Dataset.padded_batch: components padded (to padded_shapes, or the batch's largest) before stacking."""

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(input_dataset, batch_size, drop_remainder)
        spec = input_dataset.element_spec
        flat_specs = structure.flatten(spec)
        if padded_shapes is None:
            shapes = [s.shape for s in flat_specs]
            if any(s.rank is None for s in shapes):
                raise ValueError("You must provide `padded_shapes` argument because component of the input has "
                                 "unknown rank")
        else:
            shapes = [TensorShape(_dims(s)) for s in _flatten_up_to(spec, padded_shapes)]
        for s, shape in zip(flat_specs, shapes):
            if s.shape.rank is not None and shape.rank != s.shape.rank:
                raise ValueError(f"The padded shape {shape} is not compatible with the shape {s.shape} of the "
                                 f"corresponding input component.")
        if padding_values is None:
            values = [np.zeros((), s.dtype.as_numpy_dtype) for s in flat_specs]
        else:
            values = [np.asarray(structure.to_host(v, s.dtype)) for v, s in
                      zip(_flatten_up_to(spec, padding_values), flat_specs)]
        self._shapes, self._values = shapes, values
        batch_dim = self._size if self._drop else None
        self._spec = structure.pack(spec, [TensorSpec(TensorShape([batch_dim]).concatenate(shape), s.dtype)
                                           for s, shape in zip(flat_specs, shapes)])

    def _group(self, elements):
        flats = [structure.flatten(e) for e in elements]
        out = []
        for j, (shape, value) in enumerate(zip(self._shapes, self._values)):
            parts = [f[j] for f in flats]
            target = [max(p.shape[d] for p in parts) if dim is None else dim
                      for d, dim in enumerate(shape.as_list())]
            batch = np.full([len(parts)] + target, value, dtype=parts[0].dtype)
            for k, p in enumerate(parts):
                if any(a > b for a, b in zip(p.shape, target)):
                    raise errors.InvalidArgumentError(
                        None, "PaddedBatchDataset", f"Attempted to pad to a smaller size than the input element: "
                                                    f"component {j} has shape {list(p.shape)}, padded shape {target}.")
                batch[(k,) + tuple(slice(0, d) for d in p.shape)] = p
            out.append(batch)
        return structure.pack(self._input.element_spec, out)


def _dims(shape):
    if isinstance(shape, TensorShape):
        return shape
    arr = structure.to_host(shape) if not isinstance(shape, (list, tuple)) else shape
    return [None if d is None or int(d) < 0 else int(d) for d in list(arr)]


def _flatten_up_to(spec, values):
    """values nested like spec, flattened at spec's leaves (a leaf of values may be a list: a shape)."""
    if isinstance(spec, dict):
        return [v for k in sorted(spec) for v in _flatten_up_to(spec[k], values[k])]
    if isinstance(spec, tuple):
        if len(values) != len(spec):
            raise ValueError(f"The padded shapes/values {values!r} do not match the element structure {spec!r}")
        return [v for s, x in zip(spec, values) for v in _flatten_up_to(s, x)]
    return [values]


class Unbatch(Dataset):
    """Dataset.unbatch: every element split along its first dimension."""

    def __init__(self, input_dataset):
        self._input = _input(input_dataset)
        self._spec = structure.unbatched(input_dataset.element_spec)
        self._options = input_dataset._options

    def _elements(self):
        like = self._spec
        for element in self._input._elements():
            flat = structure.flatten(element)
            n = flat[0].shape[0]
            for j, a in enumerate(flat[1:], 1):
                if a.shape[0] != n:
                    raise errors.InvalidArgumentError(
                        None, "UnbatchDataset", f"Input element must have the same batch size in each component. "
                                                f"Component 0 had size {n} but component {j} had size {a.shape[0]}.")
            for i in range(n):
                yield structure.pack(like, [a[i] for a in flat])

    def _cardinality(self):
        n = self._input._cardinality()
        dims = {s.shape[0] for s in structure.flatten(self._input.element_spec)}
        if n < 0 or len(dims) != 1 or None in dims:
            return INFINITE_CARDINALITY if n == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return n * dims.pop()


class ListDataset(Dataset):
    """A dataset over a Python list of host elements (the windows of Dataset.window)."""

    def __init__(self, items, spec):
        self._items, self._spec = items, spec

    def _elements(self):
        return iter(self._items)

    def _cardinality(self):
        return len(self._items)


class Window(Dataset):
    """Dataset.window: each element is a structure of datasets holding `size` elements (every stride-th)."""

    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        self._input = _input(input_dataset)
        self._size = _positive(size, "Window size", "WindowDataset")
        self._shift = self._size if shift is None else _positive(shift, "Window shift", "WindowDataset")
        self._stride = _positive(stride, "Window stride", "WindowDataset")
        self._drop = bool(drop_remainder)
        spec = input_dataset.element_spec
        self._spec = structure.map_leaves(structure.DatasetSpec, spec)

    def _elements(self):
        span = (self._size - 1) * self._stride + 1
        buf, base, start, done = [], 0, 0, False  # buf[0] is element number `base`
        gen = self._input._elements()
        while True:
            while not done and base + len(buf) < start + span:
                try:
                    buf.append(next(gen))
                except StopIteration:
                    done = True
            if start >= base + len(buf):
                return
            picked = buf[start - base::self._stride][:self._size]
            if len(picked) < self._size and self._drop:
                return
            yield self._window(picked)
            start += self._shift
            drop = min(len(buf), start - base)
            del buf[:drop]
            base += drop

    def _window(self, items):
        spec = self._input.element_spec
        flats = [structure.flatten(e) for e in items]
        leaves = [ListDataset([f[j] for f in flats], s) for j, s in enumerate(structure.flatten(spec))]
        return structure.pack(spec, leaves)

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._drop:
            span = (self._size - 1) * self._stride + 1
            return 0 if n < span else (n - span) // self._shift + 1
        return -(-n // self._shift)
