"""Batches for fit/evaluate/predict from arrays, tensors or a tf.data.Dataset (host-side, numpy indexing)."""
import math

import numpy as np

from ... import nest
from ...core.tensor import Tensor, convert_to_tensor
from .. import backend


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, sample_weight).

    >>> x, y, sw = tf.keras.utils.unpack_x_y_sample_weight((x, y))
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data!r}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch tuple for x, y and sample_weight, leaving out trailing Nones."""
    if y is None:
        return x if not isinstance(x, (tuple, list)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def is_dataset(x):
    from ...data import Dataset
    return isinstance(x, Dataset)


def _to_numpy(x):
    if x is None:
        return None
    if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
        return np.asarray(convert_to_tensor(x).numpy())
    arr = np.asarray(x)
    if arr.dtype == object:
        raise ValueError(f"Failed to find data adapter that can handle input: {type(x)} (an array of objects).")
    return arr


def _to_tensor(arr):
    if arr.dtype.kind == "f" and arr.dtype != np.dtype(backend.floatx()):
        arr = arr.astype(backend.floatx())
    return convert_to_tensor(arr)


def _shuffle_rng():
    """A host RNG for fit's per-epoch shuffles, seeded from webtensor's seed stream as tf.data's shuffle
    is, so tf.random.set_seed makes the batch order reproducible (unseeded: fresh entropy)."""
    from ...ops.random_ops import get_seed
    global_seed, op_seed = get_seed(None)
    if global_seed is None:
        return np.random.default_rng()
    return np.random.default_rng([int(global_seed) & 0xFFFFFFFFFFFFFFFF, int(op_seed) & 0xFFFFFFFFFFFFFFFF])


class ArrayData:
    """numpy/tensor inputs: split off validation, shuffle indices per epoch, slice batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None,
                 steps=None):
        self.x = nest.map_structure(_to_numpy, x)
        self.y = nest.map_structure(_to_numpy, y) if y is not None else None
        self.sample_weight = _to_numpy(sample_weight)
        if class_weight is not None:
            self.sample_weight = _class_weights(self.y, class_weight, self.sample_weight)
        sizes = {int(a.shape[0]) for a in nest.flatten((self.x, self.y, self.sample_weight))
                 if a is not None and a.ndim > 0}
        if len(sizes) > 1:
            raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the same number of "
                             f"samples. Sizes: {sorted(sizes)}")
        self.num_samples = sizes.pop() if sizes else 0
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps = steps
        self.rng = _shuffle_rng()

    @property
    def steps_per_epoch(self):
        n = max(1, math.ceil(self.num_samples / self.batch_size))
        return n if self.steps is None else self.steps

    def split(self, validation_split):
        """(train, validation) ArrayData: validation is the last fraction of the samples, before shuffling."""
        if not 0 < validation_split < 1:
            raise ValueError(f"validation_split must be in (0, 1), received: {validation_split}")
        at = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if at == 0 or at == self.num_samples:
            raise ValueError(f"Training data contains {self.num_samples} samples, which is not sufficient to split "
                             f"it into a validation and training set as specified by "
                             f"`validation_split={validation_split}`.")
        head = ArrayData.__new__(ArrayData)
        tail = ArrayData.__new__(ArrayData)
        for obj, s in ((head, slice(0, at)), (tail, slice(at, None))):
            obj.x = nest.map_structure(lambda a: a[s], self.x)
            obj.y = nest.map_structure(lambda a: a[s], self.y) if self.y is not None else None
            obj.sample_weight = None if self.sample_weight is None else self.sample_weight[s]
            obj.num_samples = len(range(self.num_samples)[s])
            obj.batch_size = self.batch_size
            obj.shuffle = self.shuffle
            obj.steps = None
            obj.rng = self.rng
        tail.shuffle = False
        return head, tail

    def batches(self):
        n = self.num_samples
        index = np.arange(n)
        if self.shuffle == "batch":
            starts = np.arange(0, n, self.batch_size)
            self.rng.shuffle(starts)
            index = np.concatenate([np.arange(s, min(s + self.batch_size, n)) for s in starts]) if n else index
        elif self.shuffle:
            self.rng.shuffle(index)
        steps = self.steps_per_epoch
        for step in range(steps):
            start = (step * self.batch_size) % max(n, 1)
            idx = index[start:start + self.batch_size]
            x = nest.map_structure(lambda a: _to_tensor(a[idx]), self.x)
            if self.y is None:
                yield (x,)
                continue
            y = nest.map_structure(lambda a: _to_tensor(a[idx]), self.y)
            if self.sample_weight is None:
                yield (x, y)
            else:
                yield (x, y, _to_tensor(self.sample_weight[idx]))


class DatasetData:
    """A tf.data.Dataset (or any re-iterable of batches): one pass per epoch, or steps batches per epoch."""

    def __init__(self, dataset, steps=None, class_weight=None):
        self.dataset = dataset
        self.steps = steps
        self.class_weight = class_weight
        self._iterator = None
        card = None
        if hasattr(dataset, "cardinality"):
            try:
                card = int(dataset.cardinality())
            except (TypeError, ValueError):
                card = None
        self._cardinality = card if card is not None and card >= 0 else None
        if steps is None and card is not None and card < 0 and card == -1:
            raise ValueError("The dataset is infinite (it repeats forever): pass `steps_per_epoch` (or `steps`).")

    @property
    def steps_per_epoch(self):
        return self.steps if self.steps is not None else self._cardinality

    def batches(self):
        if self.steps is None:
            for batch in self.dataset:
                yield self._weigh(batch)
            return
        for _ in range(self.steps):
            if self._iterator is None:
                self._iterator = iter(self.dataset)
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                return
            yield self._weigh(batch)

    def _weigh(self, batch):
        if not isinstance(batch, tuple):
            batch = tuple(batch) if isinstance(batch, list) else (batch,)
        if self.class_weight is None:
            return batch
        x, y, sw = unpack_x_y_sample_weight(batch)
        w = _class_weights(_to_numpy(y), self.class_weight, _to_numpy(sw))
        return (x, y, _to_tensor(w))


def _class_weights(y, class_weight, sample_weight):
    if y is None or isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for models with a single output.")
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(y.shape[0], -1)[:, 0]
    labels = np.round(labels).astype(np.int64)
    weights = np.array([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float64)
    if sample_weight is not None:
        weights = weights * sample_weight.reshape(weights.shape[0], -1)[:, 0]
    return weights.astype(backend.floatx())


def make_data(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None, steps=None):
    """The data object for fit/evaluate/predict inputs."""
    if is_dataset(x) or (hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, list, tuple, dict, Tensor))
                         and not hasattr(x, "_as_tensor")):
        if y is not None:
            raise ValueError("`y` argument is not supported when using a dataset or generator as input: the "
                             "dataset must yield (x, y) pairs.")
        if sample_weight is not None:
            raise ValueError("`sample_weight` argument is not supported when using a dataset as input.")
        return DatasetData(x, steps=steps, class_weight=class_weight)
    if x is None:
        raise ValueError("Missing input data: pass `x`.")
    return ArrayData(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, class_weight=class_weight,
                     steps=steps)
