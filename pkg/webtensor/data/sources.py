"""Datasets that start a pipeline or join pipelines: slices, tensors, generators, range, zip, concatenate."""
import numpy as np

from .. import dtypes, errors, nest
from ..tensor_shape import TensorShape, TensorSpec
from . import structure
from .dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


class TensorSlices(Dataset):
    """Dataset.from_tensor_slices: element i is component[i] of every component."""

    def __init__(self, tensors):
        element = structure.normalize(tensors)
        flat = structure.flatten(element)
        if not flat:
            raise ValueError("Invalid `tensors`: `from_tensor_slices` needs at least one component.")
        for a in flat:
            if a.ndim == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1 (from_tensor_slices got a "
                                 f"scalar of dtype {dtypes.as_dtype(a.dtype).name})")
        n = flat[0].shape[0]
        for a in flat[1:]:
            if a.shape[0] != n:
                raise ValueError(f"Dimensions {n} and {a.shape[0]} are not compatible: every component of "
                                 f"from_tensor_slices needs the same first dimension, got shapes "
                                 f"{[tuple(x.shape) for x in flat]}")
        self._flat = [np.array(a, copy=True) for a in flat]  # the caller may change their arrays later
        self._structure = element
        self._n = n
        self._spec = structure.unbatched(structure.spec_structure(element), "from_tensor_slices")

    def _elements(self):
        flat, like = self._flat, self._structure
        if not structure.is_structure(like):
            (a,) = flat
            for i in range(self._n):
                yield a[i]
            return
        for i in range(self._n):
            yield structure.pack(like, [a[i] for a in flat])

    def _cardinality(self):
        return self._n


class Tensors(Dataset):
    """Dataset.from_tensors: one element."""

    def __init__(self, tensors):
        element = structure.map_leaves(lambda a: np.array(a, copy=True), structure.normalize(tensors))
        self._element = element
        self._spec = structure.spec_structure(element)

    def _elements(self):
        yield self._element

    def _cardinality(self):
        return 1


def _signature_from_types(output_types, output_shapes):
    """output_types (+ output_shapes) as a structure of TensorSpecs (shapes default to unknown rank)."""
    if output_shapes is None:
        return structure.map_leaves(lambda t: TensorSpec(None, t), _as_tuple_structure(output_types))
    types = _as_tuple_structure(output_types)
    shapes = output_shapes if not structure.is_structure(types) else _shape_structure(output_shapes, types)
    flat_types, flat_shapes = structure.flatten(types), structure.flatten(shapes)
    if len(flat_types) != len(flat_shapes):
        raise TypeError(f"`output_shapes` {output_shapes!r} does not match the structure of `output_types` "
                        f"{output_types!r}")
    return structure.pack(types, [TensorSpec(s, t) for t, s in zip(flat_types, flat_shapes)])


def _as_tuple_structure(x):
    if isinstance(x, list):
        return tuple(_as_tuple_structure(v) for v in x)
    if isinstance(x, tuple) and not hasattr(type(x), "_fields"):
        return tuple(_as_tuple_structure(v) for v in x)
    if isinstance(x, dict):
        return {k: _as_tuple_structure(v) for k, v in x.items()}
    return x


def _shape_structure(shapes, types):
    """Shapes given as lists of dims or TensorShapes, nested like types."""
    if isinstance(types, dict):
        return {k: _shape_structure(shapes[k], v) for k, v in types.items()}
    if isinstance(types, tuple):
        if len(shapes) != len(types):
            raise TypeError(f"`output_shapes` {shapes!r} does not match `output_types` {types!r}")
        return tuple(_shape_structure(s, t) for s, t in zip(shapes, types))
    return TensorShape(shapes)


class Generator(Dataset):
    """Dataset.from_generator: the generator is called again for every pass."""

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("The `output_types` and `output_shapes` arguments must not be set when "
                                "`output_signature` is set.")
            spec = _as_tuple_structure(output_signature)
            for s in structure.flatten(spec):
                if not isinstance(s, TensorSpec):
                    raise TypeError(f"`output_signature` must contain objects that are subclass of "
                                    f"`tf.TypeSpec` but found {type(s)} which is not.")
        elif output_types is None:
            raise TypeError("The `output_signature` argument must be set.")
        else:
            spec = _signature_from_types(output_types, output_shapes)
        self._generator = generator
        self._args = tuple(structure.to_host(a) for a in (args or ()))
        self._spec = spec

    def _elements(self):
        spec = self._spec
        flat_specs = structure.flatten(spec)
        for value in self._generator(*self._args):
            flat = _flatten_like(spec, value)
            out = []
            for v, s in zip(flat, flat_specs):
                out.append(_convert_yielded(v, s))
            yield structure.pack(spec, out)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def _flatten_like(spec, value):
    """The components of a yielded value, which must nest like spec (a list stands for a tuple)."""
    def walk(s, v):
        if isinstance(s, dict):
            if not isinstance(v, dict) or set(v) != set(s):
                raise TypeError
            return [x for k in nest._sorted_keys(s) for x in walk(s[k], v[k])]
        if isinstance(s, tuple):
            if not isinstance(v, (tuple, list)) or len(v) != len(s):
                raise TypeError
            return [x for a, b in zip(s, v) for x in walk(a, b)]
        return [v]
    try:
        return walk(spec, value)
    except TypeError:
        types = structure.map_leaves(lambda s: s.dtype, spec)
        raise TypeError(f"`generator` yielded an element that did not match the expected structure. The expected "
                        f"structure was {types}, but the yielded element was {value!r}.") from None


def _convert_yielded(value, spec):
    try:
        arr = structure.to_host(value, spec.dtype)
    except (TypeError, ValueError):
        raise TypeError(f"`generator` yielded an element that could not be converted to the expected type. The "
                        f"expected type was {spec.dtype.name}, but the yielded element was {value!r}.") from None
    if not spec.shape.is_compatible_with(TensorShape(arr.shape)):
        raise errors.InvalidArgumentError(None, "PyFunc", f"`generator` yielded an element of shape "
                                                          f"{TensorShape(arr.shape)} where an element of shape "
                                                          f"{spec.shape} was expected.")
    return arr


class Range(Dataset):
    """Dataset.range: start, stop, step like Python's range, as int64 scalars."""

    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid `args`. The length of `args` should be between 1 and 3 but was {len(args)}.")
        values = [int(np.asarray(a.numpy() if hasattr(a, "numpy") else a)) for a in args]
        start, stop, step = (0, values[0], 1) if len(values) == 1 else (values + [1])[:3]
        if step == 0:
            raise errors.InvalidArgumentError(None, "RangeDataset", "step must be a non-zero integer.")
        self._range = range(start, stop, step)
        self._dtype = dtypes.as_dtype(output_type)
        self._spec = TensorSpec([], self._dtype)

    def _elements(self):
        np_dtype = self._dtype.as_numpy_dtype
        for i in self._range:
            yield np.asarray(i, np_dtype)

    def _cardinality(self):
        return len(self._range)


class Counter(Dataset):
    """Dataset.counter: start, start + step, ... forever."""

    def __init__(self, start, step, dtype):
        from .transforms import count_of
        self._start, self._step = count_of(start, "start"), count_of(step, "step")
        self._dtype = dtypes.as_dtype(dtype)
        self._spec = TensorSpec([], self._dtype)

    def _elements(self):
        np_dtype, value = self._dtype.as_numpy_dtype, self._start
        while True:
            yield np.asarray(value, np_dtype)
            value += self._step

    def _cardinality(self):
        return INFINITE_CARDINALITY


class RandomInts(Dataset):
    """Dataset.random: random int64 scalars from a host RNG seeded like tf.random ops."""

    def __init__(self, seed, rerandomize_each_iteration):
        from .shuffle import SeedStream
        self._seeds = SeedStream(seed, bool(rerandomize_each_iteration))
        self._spec = TensorSpec([], dtypes.int64)

    def _elements(self):
        rng = self._seeds.next_rng()
        while True:
            for v in rng.integers(-2 ** 63, 2 ** 63 - 1, 256, dtype=np.int64, endpoint=True):
                yield np.asarray(v)

    def _cardinality(self):
        return INFINITE_CARDINALITY


def _check_dataset(ds, what):
    if not isinstance(ds, Dataset):
        raise TypeError(f"Invalid input to `{what}`. Expected a (nested) structure of `tf.data.Dataset` objects, "
                        f"got {type(ds).__name__}: {ds!r}")


class Zip(Dataset):
    """Dataset.zip: elements of several datasets side by side, until the shortest ends."""

    def __init__(self, datasets):
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        self._structure = datasets
        self._datasets = structure.flatten(datasets)
        for ds in self._datasets:
            _check_dataset(ds, "zip")
        self._spec = structure.pack(datasets, [ds.element_spec for ds in self._datasets])

    def _elements(self):
        gens = [ds._elements() for ds in self._datasets]
        while True:
            parts = []
            for g in gens:
                try:
                    parts.append(next(g))
                except StopIteration:
                    return
            yield structure.pack(self._structure, parts)

    def _cardinality(self):
        result = INFINITE_CARDINALITY
        for ds in self._datasets:
            n = ds._cardinality()
            if n == UNKNOWN_CARDINALITY:
                return UNKNOWN_CARDINALITY
            if n != INFINITE_CARDINALITY and (result == INFINITE_CARDINALITY or n < result):
                result = n
        return result


class Concatenate(Dataset):
    """Dataset.concatenate: one dataset's elements, then the other's."""

    def __init__(self, first, second):
        _check_dataset(second, "concatenate")
        spec = structure.most_specific_compatible(first.element_spec, second.element_spec)
        if spec is None:
            raise TypeError(f"Incompatible dataset elements:\n  {first.element_spec} vs.\n  {second.element_spec}")
        self._first, self._second = first, second
        self._spec = spec

    def _elements(self):
        yield from self._first._elements()
        yield from self._second._elements()

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (a, b):
            return UNKNOWN_CARDINALITY
        return a + b


class Sample(Dataset):
    """Dataset.sample_from_datasets: each element from a dataset picked at random by weight."""

    def __init__(self, datasets, weights, seed, stop_on_empty_dataset, rerandomize_each_iteration):
        from .transforms import SeedStream
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        spec = datasets[0].element_spec
        for ds in datasets[1:]:
            spec = structure.most_specific_compatible(spec, ds.element_spec)
            if spec is None:
                raise TypeError("Incompatible dataset elements in sample_from_datasets")
        w = np.full(len(datasets), 1.0 / len(datasets)) if weights is None else np.asarray(
            structure.to_host(weights), np.float64)
        if w.shape != (len(datasets),):
            raise ValueError(f"Invalid `weights`. The shape of `weights` should be compatible with `[num_datasets]` "
                             f"but is {w.shape}.")
        self._datasets, self._weights, self._stop = datasets, w, stop_on_empty_dataset
        self._seeds = SeedStream(seed, rerandomize_each_iteration in (None, True))
        self._spec = spec

    def _elements(self):
        rng = self._seeds.next_rng()
        gens = [ds._elements() for ds in self._datasets]
        w = self._weights.copy()
        while w.sum() > 0:
            i = int(rng.choice(len(w), p=w / w.sum()))
            try:
                yield next(gens[i])
            except StopIteration:
                if self._stop:
                    return
                w[i] = 0.0

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class Choose(Dataset):
    """Dataset.choose_from_datasets: element i comes from datasets[choice[i]]."""

    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        choice_spec = choice_dataset.element_spec
        if not isinstance(choice_spec, TensorSpec) or choice_spec.dtype != dtypes.int64 or choice_spec.shape.rank:
            raise TypeError(f"Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar of `tf.int64` "
                            f"dtype, but got {choice_spec}.")
        spec = datasets[0].element_spec
        for ds in datasets[1:]:
            spec = structure.most_specific_compatible(spec, ds.element_spec)
            if spec is None:
                raise TypeError("Incompatible dataset elements in choose_from_datasets")
        self._datasets, self._choice, self._stop = datasets, choice_dataset, stop_on_empty_dataset
        self._spec = spec

    def _elements(self):
        gens = [ds._elements() for ds in self._datasets]
        for c in self._choice._elements():
            i = int(c)
            if not 0 <= i < len(gens):
                raise errors.InvalidArgumentError(None, "DirectedInterleave",
                                                  f"Selector index {i} out of range [0, {len(gens)})")
            try:
                yield next(gens[i])
            except StopIteration:
                if self._stop:
                    return

    def _cardinality(self):
        return UNKNOWN_CARDINALITY
