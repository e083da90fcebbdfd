"""Sum, Mean and MeanMetricWrapper: running totals of (weighted) values."""
from ...ops import math_ops as _m
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from .. import backend
from .. import losses as _losses
from .metric import Metric


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """One value per sample (values reduced over axes beyond the batch), and the matching weights.

    values are first reduced to sample_weight's rank, then weighted, then reduced to rank 1.
    """
    mask = backend.get_keras_mask(values)
    values = _losses._to_float(values, dtype)
    if mask is not None:
        sample_weight = _losses.apply_mask(sample_weight, mask, values.dtype, "sum")
    if sample_weight is not None:
        sample_weight = _losses._to_float(sample_weight, dtype)
        values, sample_weight = _losses.squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, values_rank = len(sample_weight.shape), len(values.shape)
        if values_rank > weight_rank:
            values = reduce_fn(values, axis=list(range(weight_rank, values_rank)))
        sample_weight = sample_weight + _m.zeros_like(values)  # broadcast to the values' shape
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_rank)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=list(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values it is given.

    >>> m = tf.keras.metrics.Sum()
    >>> m.update_state([1., 3., 5., 7.])
    >>> m.result()          # 16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, _r.reduce_sum, self.dtype)
        self.total.assign_add(_r.reduce_sum(values))

    def result(self):
        return self._cast_result(self.total.value())


class Mean(Metric):
    """The running (weighted) mean: total / count, 0 before any update.

    >>> m = tf.keras.metrics.Mean()
    >>> m.update_state([1., 3., 5., 7.], sample_weight=[1, 1, 0, 0])
    >>> m.result()          # 2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, _r.reduce_mean, self.dtype)
        self.total.assign_add(_r.reduce_sum(values))
        if sample_weight is not None:
            count = _r.reduce_sum(sample_weight)
        else:
            count = _m.cast(_s.size(values), values.dtype)
        self.count.assign_add(_m.cast(count, self.count.dtype))

    def result(self):
        return self._cast_result(_m.divide_no_nan(self.total.value(), self.count.value()))


class MeanMetricWrapper(Mean):
    """The running mean of fn(y_true, y_pred, **kwargs) over all samples seen.

    >>> m = tf.keras.metrics.MeanMetricWrapper(tf.keras.losses.mae, name="mae")
    >>> m.update_state([[0., 1.]], [[1., 1.]])
    >>> m.result()          # 0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = backend.get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = _losses.apply_mask(sample_weight, mask, self.dtype, "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config["fn"] = _losses.serialize(self._fn) if not isinstance(self._fn, Metric) else None
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper and "fn" in config:
            config["fn"] = _deserialize_fn(config["fn"])
        else:
            config.pop("fn", None)
        return cls(**config)


def _deserialize_fn(config):
    if isinstance(config, dict) and config.get("class_name") == "function":
        from . import _FUNCTIONS
        fn = _FUNCTIONS.get(config.get("config"))
        if fn is not None:
            return fn
    return _losses.get(config)
