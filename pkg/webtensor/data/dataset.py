"""tf.data.Dataset: an input pipeline of elements (tensors or nested tuples/dicts of tensors).

Every dataset knows its `element_spec` and its cardinality, and produces host elements (numpy arrays)
through `_elements()`; iteration turns them into eager tensors. Each `iter()` starts a fresh pass (an
epoch), re-invoking generators and re-drawing shuffles.
"""
import numpy as np

from ..core.state import init_scope
from ..core.tensor import convert_to_tensor
from .. import dtypes, errors
from . import structure

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
AUTOTUNE = -1


class Dataset:
    """A sequence of elements with a fixed structure, built by the constructors and transformations below.

    >>> ds = tf.data.Dataset.from_tensor_slices([1, 2, 3]).map(lambda x: x * 2)
    >>> list(ds.as_numpy_iterator())
    [2, 4, 6]
    """

    _spec = None
    _options = None

    # -- the protocol subclasses implement ---------------------------------------------------------

    def _elements(self):
        """A fresh generator of host elements (nested numpy arrays matching element_spec)."""
        raise NotImplementedError

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    # -- inspection ---------------------------------------------------------------------------------

    @property
    def element_spec(self):
        """The structure of TensorSpecs that describes every element."""
        return self._spec

    def cardinality(self):
        """The number of elements as an int64 scalar tensor (-1: infinite, -2: unknown).

        >>> tf.data.Dataset.range(5).repeat().cardinality().numpy()
        -1
        """
        return convert_to_tensor(np.int64(self._cardinality()))

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True  # not len(): an empty or infinite dataset is still a dataset

    def __repr__(self):
        return f"<_{type(self).__name__}Dataset element_spec={self.element_spec!r}>"

    # -- iteration ----------------------------------------------------------------------------------

    def __iter__(self):
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """Iterates over the elements as numpy values (scalars as numpy scalars).

        >>> list(tf.data.Dataset.range(3).as_numpy_iterator())
        [0, 1, 2]
        """
        gen = self._elements()
        while True:
            with init_scope():
                try:
                    element = next(gen)
                except StopIteration:
                    return
            yield structure.to_numpy(element)

    def reduce(self, initial_state, reduce_func):
        """Folds the elements into a state: reduce_func(state, element) -> new state.

        >>> tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x).numpy()
        10
        """
        from ..core.function import function
        fn = function(lambda state, element: _pack_list(reduce_func(state, element)))
        state = structure.to_tensors(structure.normalize(initial_state))
        for element in self:
            state = fn(state, element)
        return state

    def get_single_element(self):
        """The one element of a dataset of exactly one element."""
        it = iter(self)
        try:
            element = next(it)
        except StopIteration:
            raise errors.InvalidArgumentError(None, "DatasetToSingleElement",
                                              "Dataset was empty.") from None
        try:
            next(it)
        except StopIteration:
            return element
        raise errors.InvalidArgumentError(None, "DatasetToSingleElement", "Dataset had more than one element.")

    # -- options ------------------------------------------------------------------------------------

    def options(self):
        """The tf.data.Options in effect (a default Options when none were set)."""
        from .options import Options
        return self._options if self._options is not None else Options()

    def with_options(self, options, name=None):
        """The same dataset with `options` attached (webtensor accepts and records them)."""
        from . import transforms
        out = transforms.Identity(self)
        out._options = options
        return out

    def apply(self, transformation_func):
        """transformation_func(self), which must return a Dataset.

        >>> ds.apply(lambda d: d.take(2))
        """
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(f"`transformation_func` must return a `tf.data.Dataset` object, got {type(out)}.")
        return out

    # -- constructors -------------------------------------------------------------------------------

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset of the slices of `tensors` along their first dimension.

        >>> ds = tf.data.Dataset.from_tensor_slices(([1, 2], [3., 4.]))
        """
        return sources.TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element, `tensors`."""
        return sources.Tensors(tensors)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """A dataset of what `generator(*args)` yields (called anew for every pass).

        >>> def gen():
        ...     yield from range(3)
        >>> ds = tf.data.Dataset.from_generator(gen, output_signature=tf.TensorSpec([], tf.int32))
        """
        return sources.Generator(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None):
        """range(stop), range(start, stop[, step]) as a dataset of int64 scalars.

        >>> list(tf.data.Dataset.range(1, 8, 3).as_numpy_iterator())
        [1, 4, 7]
        """
        return sources.Range(args, output_type)

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None):
        """The infinite dataset start, start + step, ...

        >>> list(tf.data.Dataset.counter(5, 2).take(3).as_numpy_iterator())
        [5, 7, 9]
        """
        return sources.Counter(start, step, dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """An infinite dataset of random int64 scalars (seeded like tf.random ops)."""
        return sources.RandomInts(seed, rerandomize_each_iteration)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """A dataset of tuples (or the given nesting) of elements of several datasets, as long as the shortest.

        >>> tf.data.Dataset.zip(tf.data.Dataset.range(3), tf.data.Dataset.range(5))
        """
        if datasets is not None:
            if args:
                raise TypeError("Both `*args` and `datasets` cannot be set.")
            return sources.Zip(datasets)
        if not args:
            raise TypeError("Must pass at least one dataset to `zip`.")
        return sources.Zip(args[0] if len(args) == 1 else tuple(args))

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Elements drawn at random from several datasets with the given weights."""
        return sources.Sample(datasets, weights, seed, stop_on_empty_dataset, rerandomize_each_iteration)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Element i comes from datasets[choice_dataset[i]]."""
        return sources.Choose(datasets, choice_dataset, stop_on_empty_dataset)

    # -- transformations ----------------------------------------------------------------------------

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by those of `dataset` (same structure and dtypes)."""
        return sources.Concatenate(self, dataset)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies map_func to every element (traced once; tuple elements are unpacked into arguments).

        >>> ds = tf.data.Dataset.from_tensor_slices(([1, 2], [3, 4])).map(lambda a, b: a + b)
        """
        return transforms.Map(self, map_func)

    def filter(self, predicate, name=None):
        """Keeps the elements for which predicate returns a True bool scalar."""
        return transforms.Filter(self, predicate)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Stacks consecutive elements into batches of batch_size (the last one smaller unless dropped).

        >>> tf.data.Dataset.range(5).batch(2).element_spec
        TensorSpec(shape=(None,), dtype=tf.int64, name=None)
        """
        return transforms.Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each component to a common shape."""
        return transforms.PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self, name=None):
        """Splits every element along its first dimension into consecutive elements."""
        return transforms.Unbatch(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Re-splits batched elements into batches of batch_size."""
        return transforms.Unbatch(self).batch(batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of buffer_size elements, each output drawn uniformly from the buffer.

        >>> ds = tf.data.Dataset.range(10).shuffle(10, seed=1)
        """
        return transforms.Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None):
        """Repeats the dataset count times (None or -1: forever)."""
        return transforms.Repeat(self, count)

    def take(self, count, name=None):
        """The first count elements (-1: all)."""
        return transforms.Take(self, count)

    def skip(self, count, name=None):
        """All but the first count elements (-1: skip everything)."""
        return transforms.Skip(self, count)

    def take_while(self, predicate, name=None):
        """Elements up to (not including) the first for which predicate is False."""
        return transforms.TakeWhile(self, predicate)

    def shard(self, num_shards, index, name=None):
        """Every num_shards-th element, starting at index."""
        return transforms.Shard(self, num_shards, index)

    def cache(self, filename="", name=None):
        """Keeps the elements of the first complete pass (in memory, or in `filename`) and replays them."""
        return transforms.Cache(self, filename)

    def prefetch(self, buffer_size, name=None):
        """Accepted for compatibility; elements are produced on demand."""
        return transforms.Identity(self)

    def enumerate(self, start=0, name=None):
        """Pairs (int64 index, element), counting from start."""
        return transforms.Enumerate(self, start)

    def flat_map(self, map_func, name=None):
        """Concatenates the datasets map_func returns for each element."""
        return transforms.FlatMap(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None):
        """Cycles through cycle_length of the datasets map_func returns, block_length elements at a time."""
        return transforms.Interleave(self, map_func, cycle_length, block_length)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """A dataset of windows: each element is a structure of datasets of `size` consecutive elements."""
        return transforms.Window(self, size, shift, stride, drop_remainder)

    def scan(self, initial_state, scan_func, name=None):
        """Like map with a running state: scan_func(state, element) -> (new_state, output)."""
        return transforms.Scan(self, initial_state, scan_func)

    def unique(self, name=None):
        """The elements (scalars) without repeats, in order of first appearance."""
        return transforms.Unique(self)


def _pack_list(ret):
    return tuple(ret) if type(ret) is list else ret


class OwnedIterator:
    """The iterator of one pass over a dataset (`iter(ds)`): next() gives eager tensors.

    >>> it = iter(tf.data.Dataset.range(2))
    >>> next(it).numpy(), it.get_next().numpy()
    (0, 1)
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._gen = dataset._elements()

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        with init_scope():
            element = next(self._gen)
        return structure.to_tensors(element)

    def next(self):
        return self.__next__()

    def get_next(self, name=None):
        """The next element; raises tf.errors.OutOfRangeError at the end (TensorFlow's end of sequence)."""
        try:
            return self.__next__()
        except StopIteration:
            raise errors.OutOfRangeError(None, "IteratorGetNext", "End of sequence") from None

    def get_next_as_optional(self):
        """An Optional holding the next element, or an empty Optional at the end."""
        from .experimental import Optional
        try:
            return Optional.from_value(self.__next__())
        except StopIteration:
            return Optional.empty(self.element_spec)


Iterator = OwnedIterator

from . import sources, transforms  # noqa: E402  (they subclass Dataset)
