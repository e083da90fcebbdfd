"""Element-wise and counting transformations: map, filter, repeat, take, skip, enumerate, cache, scan..."""
import os

import numpy as np

from .. import dtypes, errors
from ..tensor_shape import TensorSpec
from . import structure
from .batching import Batch, PaddedBatch, Unbatch, Window  # noqa: F401  (Dataset methods find them here)
from .dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .functions import StructuredFunction
from .nested import FlatMap, Interleave  # noqa: F401
from .shuffle import SeedStream, Shuffle  # noqa: F401


def count_of(value, what):
    """An int from a Python int, numpy integer or integer scalar tensor."""
    arr = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be an integer scalar, got {value!r}")
    return int(arr)


class Unary(Dataset):
    """A dataset computed from one input dataset; by default same spec and cardinality."""

    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"Expected a tf.data.Dataset, got {type(input_dataset).__name__}")
        self._input = input_dataset
        self._options = input_dataset._options

    @property
    def element_spec(self):
        return self._input.element_spec if self._spec is None else self._spec

    def _elements(self):
        return self._input._elements()

    def _cardinality(self):
        return self._input._cardinality()


class Identity(Unary):
    """prefetch, with_options: the input unchanged."""


def first_element(dataset):
    """A callable giving the dataset's first host element (None when empty), for functions run eagerly."""
    def sample():
        for element in dataset._elements():
            return element
        return None
    return sample


class Map(Unary):
    """Dataset.map: map_func traced once over the element spec, run on every element."""

    def __init__(self, input_dataset, map_func):
        super().__init__(input_dataset)
        self._fn = StructuredFunction(map_func, input_dataset.element_spec, "Dataset.map()",
                                      first_element(input_dataset))

    @property
    def element_spec(self):
        return self._fn.output_spec

    def _elements(self):
        fn = self._fn
        for element in self._input._elements():
            yield fn(element)


def _predicate(func, dataset, what):
    fn = StructuredFunction(func, dataset.element_spec, what, first_element(dataset))
    out = fn.output_spec
    if not (isinstance(out, TensorSpec) and out.dtype == dtypes.bool and out.shape.rank == 0):
        raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return "
                         f"type was {out}.")
    return fn


class Filter(Unary):
    """Dataset.filter: keeps elements whose predicate is True."""

    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._fn = _predicate(predicate, input_dataset, "Dataset.filter()")

    def _elements(self):
        fn = self._fn
        for element in self._input._elements():
            if fn(element):
                yield element

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class TakeWhile(Filter):
    """Dataset.take_while: stops at the first element whose predicate is False."""

    def _elements(self):
        fn = self._fn
        for element in self._input._elements():
            if not fn(element):
                return
            yield element


class Repeat(Unary):
    """Dataset.repeat: count passes over the input (None or -1: forever; stops if a pass is empty)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else count_of(count, "repeat count")

    def _elements(self):
        done = 0
        while self._count < 0 or done < self._count:
            produced = False
            for element in self._input._elements():
                produced = True
                yield element
            done += 1
            if not produced:
                return

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        return self._count * n


class Take(Unary):
    """Dataset.take: the first count elements (-1: all)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count_of(count, "take count")

    def _elements(self):
        if self._count < 0:
            yield from self._input._elements()
            return
        if self._count == 0:
            return
        for i, element in enumerate(self._input._elements()):
            yield element
            if i + 1 >= self._count:
                return

    def _cardinality(self):
        n = self._input._cardinality()
        if n == UNKNOWN_CARDINALITY:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        if self._count < 0:
            return n
        return min(n, self._count)


class Skip(Unary):
    """Dataset.skip: drops the first count elements (-1: all)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count_of(count, "skip count")

    def _elements(self):
        for i, element in enumerate(self._input._elements()):
            if self._count >= 0 and i >= self._count:
                yield element

    def _cardinality(self):
        n = self._input._cardinality()
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        if self._count < 0:
            return 0
        return max(0, n - self._count)


class Shard(Unary):
    """Dataset.shard: elements index, index + num_shards, ..."""

    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._n, self._i = count_of(num_shards, "num_shards"), count_of(index, "index")
        if self._n <= 0:
            raise errors.InvalidArgumentError(None, "ShardDataset", "Number of shards must be greater than zero "
                                                                    f"(currently num_shards = {self._n}).")
        if not 0 <= self._i < self._n:
            raise errors.InvalidArgumentError(None, "ShardDataset", f"Index must be between 0 and {self._n - 1} "
                                                                    f"(currently index = {self._i}).")

    def _elements(self):
        for i, element in enumerate(self._input._elements()):
            if i % self._n == self._i:
                yield element

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._n + (1 if n % self._n > self._i else 0)


class Enumerate(Unary):
    """Dataset.enumerate: (int64 index, element) pairs."""

    def __init__(self, input_dataset, start):
        super().__init__(input_dataset)
        self._start = count_of(start, "start")
        self._spec = (TensorSpec([], dtypes.int64), input_dataset.element_spec)

    def _elements(self):
        for i, element in enumerate(self._input._elements(), self._start):
            yield (np.asarray(i, np.int64), element)


class Cache(Unary):
    """Dataset.cache: the first complete pass is kept (in memory, or in a file) and replayed afterwards."""

    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        self._filename = os.fspath(filename) if filename else ""
        self._cached = None

    @property
    def _path(self):
        return self._filename + ".wtcache.npz"

    def _elements(self):
        if self._cached is None and self._filename and os.path.exists(self._path):
            self._cached = self._read()
        if self._cached is not None:
            yield from self._cached
            return
        items = []
        for element in self._input._elements():
            items.append(element)
            yield element
        self._cached = items  # reached only when the pass completed (a partial pass is not kept)
        if self._filename:
            self._write(items)

    def _write(self, items):
        arrays = {f"e{i}_{j}": a for i, el in enumerate(items) for j, a in enumerate(structure.flatten(el))}
        tmp = self._path + ".tmp.npz"
        np.savez(tmp, count=np.int64(len(items)), **arrays)
        os.replace(tmp, self._path)  # atomic: a crash leaves no half-written cache

    def _read(self):
        spec = self.element_spec
        specs = structure.flatten(spec)
        try:
            with np.load(self._path, allow_pickle=False) as f:
                n = int(f["count"])
                items = []
                for i in range(n):
                    flat = [f[f"e{i}_{j}"] for j in range(len(specs))]
                    for a, s in zip(flat, specs):
                        if a.dtype != np.dtype(s.dtype.as_numpy_dtype) or not s.shape.is_compatible_with(a.shape):
                            raise ValueError(f"element {i} has {a.dtype}{list(a.shape)}, the dataset expects {s}")
                    items.append(structure.pack(spec, flat))
        except (KeyError, ValueError, OSError) as e:
            raise errors.DataLossError(None, "CacheDataset", f"The cache file {self._path!r} does not match this "
                                                             f"dataset or is corrupt: {e}") from e
        return items


class Scan(Unary):
    """Dataset.scan: scan_func(state, element) -> (new_state, output), state carried across elements."""

    def __init__(self, input_dataset, initial_state, scan_func):
        super().__init__(input_dataset)
        self._initial = structure.normalize(initial_state)
        state_spec = structure.spec_structure(self._initial)
        for _ in range(3):  # retrace with relaxed shapes when the state's shape changes, as TensorFlow does
            fn = StructuredFunction(scan_func, (state_spec, input_dataset.element_spec), "Dataset.scan()")
            out = fn.output_spec
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError(f"The scan function must return a pair (new_state, output_element), got {out}")
            new_spec = structure.most_specific_compatible(state_spec, out[0])
            if new_spec is None:
                raise TypeError(f"The element types for the new state must match the initial state. Expected "
                                f"{state_spec}; got {out[0]}.")
            if new_spec == state_spec:
                break
            state_spec = new_spec
        self._fn = fn
        self._spec = out[1]

    def _elements(self):
        state = self._initial
        for element in self._input._elements():
            state, output = self._fn((state, element))
            yield output


class Unique(Unary):
    """Dataset.unique: scalar elements without repeats."""

    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        spec = input_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.shape.rank != 0 or not spec.dtype.is_integer:
            raise TypeError(f"Unique transformation only supports datasets of integer scalars, got {spec}")

    def _elements(self):
        seen = set()
        for element in self._input._elements():
            key = int(element)
            if key not in seen:
                seen.add(key)
                yield element

    def _cardinality(self):
        return UNKNOWN_CARDINALITY
