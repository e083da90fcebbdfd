"""Accuracy metrics: exact match, binary (threshold), categorical (argmax), sparse and top-k variants."""
from ... import dtypes
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from .. import backend
from .. import losses as _losses
from .reduction import MeanMetricWrapper


def _floatx():
    return dtypes.as_dtype(backend.floatx())


def _matches(a, b):
    return _m.cast(_m.equal(a, b), _floatx())


def accuracy(y_true, y_pred):
    """mean(y_true == y_pred, axis=-1): how often predictions equal labels exactly.

    >>> tf.keras.metrics.accuracy([[1., 2.]], [[1., 3.]])   # [0.5]
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = _losses._to_float(y_true, y_pred.dtype) if y_pred.dtype.is_floating else convert_to_tensor(y_true)
    if y_true.dtype != y_pred.dtype:
        y_true = _m.cast(y_true, y_pred.dtype)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _r.reduce_mean(_matches(y_true, y_pred), axis=-1)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold), axis=-1).

    >>> tf.keras.metrics.binary_accuracy([[1.], [0.]], [[0.7], [0.6]])   # [1., 0.]
    """
    y_pred = _losses._to_float(y_pred)
    y_true = _losses._to_float(y_true, y_pred.dtype)
    y_true, y_pred = _losses.squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = _m.cast(_m.greater(y_pred, _m.cast(convert_to_tensor(threshold), y_pred.dtype)), y_true.dtype)
    return _r.reduce_mean(_matches(y_true, predicted), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """argmax(y_true) == argmax(y_pred) per sample (one-hot labels).

    >>> tf.keras.metrics.categorical_accuracy([[0., 1.], [1., 0.]], [[.2, .8], [.3, .7]])   # [1., 0.]
    """
    y_pred = convert_to_tensor(y_pred)
    labels = _r.argmax(convert_to_tensor(y_true), axis=-1)
    return _matches(labels, _r.argmax(y_pred, axis=-1, output_type=labels.dtype))


def sparse_categorical_accuracy(y_true, y_pred):
    """y_true == argmax(y_pred) per sample (integer labels, shape [batch] or [batch, 1]).

    >>> tf.keras.metrics.sparse_categorical_accuracy([1, 0], [[.2, .8], [.3, .7]])   # [1., 0.]
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and len(y_true.shape) and y_true.shape[-1] == 1:
        y_true = _s.squeeze(y_true, axis=-1)
    predicted = _r.argmax(y_pred, axis=-1)
    if y_true.dtype.is_floating:
        predicted = _m.cast(predicted, y_true.dtype)
    elif y_true.dtype != predicted.dtype:
        y_true = _m.cast(y_true, predicted.dtype)
    return _matches(y_true, predicted)


def _in_top_k(labels, y_pred, k):
    """Whether each label is among the k largest predictions of its row (any leading shape)."""
    y_pred = _losses._to_float(y_pred)
    out_shape = None
    if len(y_pred.shape) > 2:
        out_shape = _s.shape(labels)
        y_pred = _s.reshape(y_pred, [-1, y_pred.shape[-1]])
        labels = _s.reshape(labels, [-1])
    hits = _m.cast(_nn.in_top_k(_m.cast(labels, dtypes.int32), y_pred, k=k), _floatx())
    return hits if out_shape is None else _s.reshape(hits, out_shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the one-hot label's class is among the k highest predictions.

    >>> tf.keras.metrics.top_k_categorical_accuracy([[0., 0., 1.]], [[.5, .3, .2]], k=2)   # [0.]
    """
    labels = _r.argmax(convert_to_tensor(y_true), axis=-1)
    return _in_top_k(labels, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the integer label is among the k highest predictions.

    >>> tf.keras.metrics.sparse_top_k_categorical_accuracy([1], [[.5, .3, .2]], k=2)   # [1.]
    """
    y_true = convert_to_tensor(y_true)
    y_pred = convert_to_tensor(y_pred)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = _s.squeeze(y_true, axis=-1)
    if y_true.dtype.is_floating:
        y_true = _m.cast(y_true, dtypes.int32)
    return _in_top_k(y_true, y_pred, k)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    >>> m = tf.keras.metrics.Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> m.result()          # 0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the 0/1 label.

    >>> m = tf.keras.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> m.result()          # 0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and not 0 <= threshold <= 1:
            raise ValueError(f"Invalid value for argument `threshold`. Expected a value in interval (0, 1). "
                             f"Received: threshold={threshold}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals argmax of the one-hot label.

    >>> m = tf.keras.metrics.CategoricalAccuracy()
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()          # 0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals the integer label.

    >>> m = tf.keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> m.result()          # 0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest predictions.

    >>> m = tf.keras.metrics.TopKCategoricalAccuracy(k=1)
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()          # 0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest predictions.

    >>> m = tf.keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()          # 0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}
