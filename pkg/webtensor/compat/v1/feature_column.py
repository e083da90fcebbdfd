"""tf.compat.v1.feature_column: numeric, categorical-vocabulary and indicator columns, and input_layer.

    department = tf.feature_column.categorical_column_with_vocabulary_list('department', ['sports', 'gardening'])
    columns = [tf.feature_column.numeric_column('sales'), tf.feature_column.indicator_column(department)]
    inputs = tf.feature_column.input_layer(features, columns)

NOTE: webtensor has no string tensors. String features must be host values (Python
lists or numpy arrays of str); they are mapped to vocabulary ids on the host when
the graph is built, so the lookup tables need no initialization (tables_initializer
is a no-op). Numeric features may be host values or tensors.
"""
import collections

import numpy as np

from ... import dtypes
from ...core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from ...ops import array_ops, indexing_ops, math_ops, reduction_ops, shape_ops


class NumericColumn(collections.namedtuple("NumericColumn",
                                           ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    """A dense column of numbers read from features[key]."""

    @property
    def name(self):
        return self.key

    @property
    def _width(self):
        return int(np.prod(self.shape))

    def _dense(self, features):
        value = features[self.key]
        t = value if isinstance(value, Tensor) or hasattr(value, "_as_tensor") else \
            convert_to_tensor(np.asarray(value, dtype=self.dtype.as_numpy_dtype))
        t = math_ops.cast(convert_to_tensor(t), dtypes.float32)
        if self.normalizer_fn is not None:
            t = self.normalizer_fn(t)
        return shape_ops.reshape(t, [-1, self._width])


class VocabularyListCategoricalColumn(collections.namedtuple(
        "VocabularyListCategoricalColumn", ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"])):
    """A categorical column mapping values of features[key] to their index in a vocabulary."""

    @property
    def name(self):
        return self.key

    @property
    def num_buckets(self):
        return len(self.vocabulary_list) + self.num_oov_buckets

    def _ids(self, features):
        value = features[self.key]
        if isinstance(value, SymbolicTensor) or isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
            if self.dtype.is_integer or self.dtype.is_floating:  # numeric vocabularies can be looked up in-graph
                t = convert_to_tensor(value)
                vocab = convert_to_tensor(np.asarray(self.vocabulary_list, t.dtype.as_numpy_dtype))
                hits = math_ops.cast(math_ops.equal(shape_ops.expand_dims(t, -1), vocab), dtypes.int64)
                found = reduction_ops.reduce_any(math_ops.cast(hits, dtypes.bool), axis=-1)
                ids = reduction_ops.argmax(hits, axis=-1, output_type=dtypes.int64)
                return math_ops.where(found, ids, math_ops.cast(self.default_value, dtypes.int64) *
                                      math_ops.ones_like(ids))
            raise TypeError(f"feature column {self.key!r}: string features must be host values (lists or numpy "
                            "arrays), not tensors: webtensor has no string tensors.")
        arr = np.asarray(value)
        index = {v: i for i, v in enumerate(self.vocabulary_list)}
        n = len(self.vocabulary_list)
        flat = []
        for v in arr.reshape(-1).tolist():
            v = v.decode() if isinstance(v, bytes) else v
            if v in index:
                flat.append(index[v])
            elif self.num_oov_buckets:
                flat.append(n + hash(v) % self.num_oov_buckets)
            else:
                flat.append(self.default_value)
        return convert_to_tensor(np.asarray(flat, np.int64).reshape(arr.shape))


class IndicatorColumn(collections.namedtuple("IndicatorColumn", ["categorical_column"])):
    """A multi-hot dense column over a categorical column's ids."""

    @property
    def name(self):
        return self.categorical_column.name + "_indicator"

    def _dense(self, features):
        ids = self.categorical_column._ids(features)
        depth = self.categorical_column.num_buckets
        hot = indexing_ops.one_hot(ids, depth, dtype=dtypes.float32)  # out-of-vocabulary ids (-1) give zeros
        if len(ids.shape) >= 2:
            hot = reduction_ops.reduce_sum(hot, axis=-2)
        return shape_ops.reshape(hot, [-1, depth])


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32, normalizer_fn=None):
    """A column of numeric features.

    >>> tf.feature_column.numeric_column('sales')
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return NumericColumn(key, shape, default_value, dtypes.as_dtype(dtype), normalizer_fn)


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
    """A categorical column whose ids are positions in `vocabulary_list` (-1 or an OOV bucket otherwise).

    >>> tf.feature_column.categorical_column_with_vocabulary_list('department', ['sports', 'gardening'])
    """
    vocabulary_list = list(vocabulary_list)
    if not vocabulary_list:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    if len(set(vocabulary_list)) != len(vocabulary_list):
        raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list}, column_name: {key}")
    if dtype is None:
        dtype = "string" if isinstance(vocabulary_list[0], str) else dtypes.int64
    dtype = _StringType() if dtype == "string" else dtypes.as_dtype(dtype)
    return VocabularyListCategoricalColumn(key, tuple(vocabulary_list), dtype, default_value, num_oov_buckets)


class _StringType:
    name = "string"
    is_integer = False
    is_floating = False

    def __eq__(self, other):
        return isinstance(other, _StringType)

    def __hash__(self):
        return hash("string")


def indicator_column(categorical_column):
    """A one-hot (multi-hot) dense column of a categorical column.

    >>> tf.feature_column.indicator_column(department_column)
    """
    return IndicatorColumn(categorical_column)


def input_layer(features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
                cols_to_output_tensors=None):
    """The dense columns' values side by side, as a float32 [batch, width] tensor (columns sorted by name).

    >>> inputs = tf.feature_column.input_layer(features, columns)
    """
    columns = sorted(feature_columns, key=lambda c: c.name)
    for c in columns:
        if not hasattr(c, "_dense"):
            raise ValueError(f"Items of feature_columns must be a DenseColumn. You can wrap a categorical column "
                             f"with an embedding_column or indicator_column. Given: {c}")
    parts = [c._dense(features) for c in columns]
    out = array_ops.concat(parts, axis=1)
    if cols_to_output_tensors is not None:
        for c, p in zip(columns, parts):
            cols_to_output_tensors[c] = p
    return out
