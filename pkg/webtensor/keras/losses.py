"""tf.keras.losses: loss functions and Loss classes (Keras 3 semantics).

A loss function maps (y_true, y_pred) to one value per sample (the mean over the last axis for
elementwise losses); a Loss object also weights those values by sample_weight and reduces them
("sum_over_batch_size" by default: the weighted sum divided by the number of values).

    mse = tf.keras.losses.MeanSquaredError()
    mse([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]])        # 0.5
    tf.keras.losses.MSE([[0., 1.]], [[1., 1.]])              # per sample: [0.5]
"""
import math

from .. import dtypes
from ..core.tensor import convert_to_tensor
from ..ops import math_ops as _m
from ..ops import nn_ops as _nn
from ..ops import reduction_ops as _r
from ..ops import shape_ops as _s
from . import backend

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight")


# -- shared helpers (metrics use them too) --------------------------------------------------------------

def _to_float(x, dtype=None):
    """x as a float tensor: of dtype when given, else its own float dtype (integers become floatx)."""
    x = convert_to_tensor(x)
    if dtype is None:
        dtype = x.dtype if x.dtype.is_floating else dtypes.as_dtype(backend.floatx())
    dtype = dtypes.as_dtype(dtype)
    return x if x.dtype == dtype else _m.cast(x, dtype)


def _rank(x):
    return len(x.shape)


def _last_dim(x):
    return x.shape[-1] if _rank(x) else None


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by a trailing dimension of 1 (as Keras does).

    >>> a, b = squeeze_or_expand_to_same_rank(tf.zeros([4, 1]), tf.zeros([4]))   # b becomes [4, 1]
    """
    r1, r2 = _rank(x1), _rank(x2)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and _last_dim(x1) == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _s.expand_dims(x2, -1)
        else:
            x1 = _s.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and _last_dim(x2) == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _s.expand_dims(x1, -1)
        else:
            x2 = _s.squeeze(x2, axis=-1)
    return x1, x2


def standardize_reduction(reduction):
    """'sum_over_batch_size', 'sum' or 'none' (None and 'auto' are accepted as Keras does)."""
    if reduction is None:
        return "none"
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {list(_REDUCTIONS)}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def _count(x):
    return _m.cast(_s.size(x), x.dtype)


def reduce_values(values, reduction="sum_over_batch_size", sample_weight=None):
    """Sums the (weighted) values, divided by their count for 'sum_over_batch_size'; 'none' keeps them."""
    if reduction == "none" or _rank(values) == 0:
        return values
    total = _r.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean"):
        return total / _count(values)
    if reduction == "mean_with_sample_weight":
        weights = sample_weight if sample_weight is not None else _m.ones_like(values)
        return _m.divide_no_nan(total, _r.reduce_sum(_s.broadcast_to(weights, _s.shape(values))))
    return total


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a Keras mask into sample_weight; for sum_over_batch_size valid entries weigh total/valid."""
    if mask is None:
        return sample_weight
    mask = _m.cast(mask, dtype)
    if reduction == "sum_over_batch_size":
        mask = mask * (_count(mask) / (_r.reduce_sum(mask) + backend.epsilon()))
    if sample_weight is None:
        return mask
    sample_weight = _to_float(sample_weight, dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None):
    """values * sample_weight (ranks matched, mask merged), then reduced as `reduction` says."""
    reduction = standardize_reduction(reduction)
    values = _to_float(values, dtype)
    if sample_weight is not None:
        sample_weight = _to_float(sample_weight, values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, reduction, sample_weight)


def _prepare(y_true, y_pred):
    """y_pred as a float tensor, y_true cast to its dtype, ranks matched."""
    y_pred = _to_float(y_pred)
    y_true = _to_float(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _mean_last(x):
    return _r.reduce_mean(x, axis=-1)


def _check_same_shape(target, output, what):
    if _rank(target) < 1:
        raise ValueError(f"{what}: Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if _rank(target) != _rank(output):
        raise ValueError(f"{what}: Arguments `target` and `output` must have the same rank (ndim). Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    for e1, e2 in zip(target.shape, output.shape):
        if e1 is not None and e2 is not None and e1 != e2:
            raise ValueError(f"{what}: Arguments `target` and `output` must have the same shape. Received: "
                             f"target.shape={target.shape}, output.shape={output.shape}")


def _clip_probabilities(p):
    eps = backend.epsilon()
    return _m.clip_by_value(p, eps, 1.0 - eps)


# -- loss functions ---------------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """mean(square(y_true - y_pred), axis=-1).

    >>> tf.keras.losses.mean_squared_error([[0., 1.]], [[1., 1.]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.5], dtype=float32)>
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(_m.square(y_true - y_pred))


def mean_absolute_error(y_true, y_pred):
    """mean(abs(y_true - y_pred), axis=-1).

    >>> tf.keras.losses.mean_absolute_error([[0., 1.]], [[1., 1.]])   # [0.5]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(_m.abs(y_true - y_pred))


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1).

    >>> tf.keras.losses.mean_absolute_percentage_error([[2., 4.]], [[1., 4.]])   # [25.]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = _m.abs((y_true - y_pred) / _m.maximum(_m.abs(y_true), backend.epsilon()))
    return 100.0 * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1), values below epsilon raised to epsilon.

    >>> tf.keras.losses.mean_squared_logarithmic_error([[0., 1.]], [[1., 1.]])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = backend.epsilon()
    first = _m.log(_m.maximum(y_pred, eps) + 1.0)
    second = _m.log(_m.maximum(y_true, eps) + 1.0)
    return _mean_last(_m.square(first - second))


def huber(y_true, y_pred, delta=1.0):
    """mean of 0.5 * e**2 where |e| <= delta, else delta * |e| - 0.5 * delta**2 (e = y_pred - y_true).

    >>> tf.keras.losses.huber([[0., 0.]], [[0.5, 3.]])   # [(0.125 + 2.5) / 2]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = float(delta)
    error = y_pred - y_true
    abs_error = _m.abs(error)
    quadratic = 0.5 * _m.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return _mean_last(_m.where(_m.less_equal(abs_error, delta), quadratic, linear))


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log(2) (no overflow).

    >>> tf.keras.losses.log_cosh([[0.]], [[1.]])   # [0.4337808]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return _mean_last(x + _m.softplus(-2.0 * x) - math.log(2.0))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over axis of -(y log p + (1 - y) log(1 - p)); p clipped to [eps, 1 - eps] unless from_logits.

    >>> tf.keras.losses.binary_crossentropy([[0., 1.]], [[0.4, 0.6]])   # [0.5108256]
    """
    y_pred = _to_float(y_pred)
    y_true = _to_float(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        bce = _nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = _clip_probabilities(y_pred)
        bce = -(y_true * _m.log(p) + (1.0 - y_true) * _m.log(1.0 - p))
    return _r.reduce_mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(p), axis) with p = y_pred / sum(y_pred) clipped to [eps, 1 - eps], or softmax(logits).

    >>> tf.keras.losses.categorical_crossentropy([[0., 1., 0.]], [[0.05, 0.95, 0.]])   # [0.0512933]
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _to_float(y_pred)
    y_true = _to_float(y_true, y_pred.dtype)
    if label_smoothing:
        classes = _last_dim(y_true)
        classes = float(classes) if classes is not None else _m.cast(_s.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / _r.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _clip_probabilities(p)
    return -_r.reduce_sum(y_true * _m.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer class labels (shape y_pred.shape[:-1], or with a trailing 1).

    Entries whose label equals ignore_class give 0 (and are masked out of a Loss object's mean).

    >>> tf.keras.losses.sparse_categorical_crossentropy([1], [[0.05, 0.95, 0.]])   # [0.0512933]
    """
    y_pred = _to_float(y_pred)
    if axis != -1 and axis != _rank(y_pred) - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    y_true = convert_to_tensor(y_true)
    if _rank(y_true) == _rank(y_pred) and _last_dim(y_true) == 1:
        y_true = _s.squeeze(y_true, axis=-1)
    if _rank(y_pred) < 1 or _rank(y_true) != _rank(y_pred) - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    valid = None
    if ignore_class is not None:
        valid = _m.not_equal(y_true, _m.cast(convert_to_tensor(ignore_class), y_true.dtype))
        y_true = _m.where(valid, y_true, _m.zeros_like(y_true))
        y_pred = y_pred * _m.cast(_s.expand_dims(valid, -1), y_pred.dtype)
    labels = _m.cast(y_true, dtypes.int64)
    logits = y_pred if from_logits else _m.log(_clip_probabilities(y_pred))
    result = _nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if valid is not None:
        result = _m.where(valid, result, _m.zeros_like(result))
        backend.set_keras_mask(result, valid)
    return result


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}; labels already in {-1, 1} stay."""
    binary = _r.reduce_all(_m.logical_or(_m.equal(y_true, 0.0), _m.equal(y_true, 1.0)))
    return _m.where(binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """mean(maximum(1 - y_true * y_pred, 0), axis=-1); 0/1 labels are taken as -1/1.

    >>> tf.keras.losses.hinge([[0., 1.]], [[0.5, 0.5]])   # [1.0]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _mean_last(_m.maximum(1.0 - y_true * y_pred, 0.0))


def squared_hinge(y_true, y_pred):
    """mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1); 0/1 labels are taken as -1/1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _mean_last(_m.square(_m.maximum(1.0 - y_true * y_pred, 0.0)))


def categorical_hinge(y_true, y_pred):
    """maximum(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred)) over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = _r.reduce_sum(y_true * y_pred, axis=-1)
    neg = _r.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _m.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1].

    >>> tf.keras.losses.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = backend.epsilon()
    y_true = _m.clip_by_value(y_true, eps, 1.0)
    y_pred = _m.clip_by_value(y_pred, eps, 1.0)
    return _r.reduce_sum(y_true * _m.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1).

    >>> tf.keras.losses.poisson([[1., 0.]], [[1., 1.]])   # [1.]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _mean_last(y_pred - y_true * _m.log(y_pred + backend.epsilon()))


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for equal directions, 0 for orthogonal.

    >>> tf.keras.losses.cosine_similarity([[0., 1.]], [[0., 3.]])   # [-1.]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _nn.l2_normalize(y_true, axis=axis)
    y_pred = _nn.l2_normalize(y_pred, axis=axis)
    return -_r.reduce_sum(y_true * y_pred, axis=axis)


# Keras's short names for the same functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh


# -- Loss classes -----------------------------------------------------------------------------------------

class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` returning per-sample values.

    `loss(y_true, y_pred, sample_weight=None)` converts both to the loss dtype (floatx by default), calls
    `call`, weights and reduces.

    >>> class Quartic(tf.keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return tf.reduce_mean((y_true - y_pred) ** 4, axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).name

    @property
    def dtype(self):
        """The dtype name inputs are converted to (floatx() unless given)."""
        return self._dtype or backend.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = backend.get_keras_mask(y_pred)
        y_pred = _to_float(y_pred, self.dtype)
        y_true = _to_float(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        out_mask = backend.get_keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = _m.logical_and(_m.cast(in_mask, dtypes.bool), _m.cast(out_mask, dtypes.bool))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask, reduction=self.reduction,
                                      dtype=self.dtype)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"Loss subclass {type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A Loss around a function fn(y_true, y_pred, **kwargs) returning per-sample values.

    >>> loss = tf.keras.losses.LossFunctionWrapper(tf.keras.losses.mae, name="mae")
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = Loss.get_config(self)
        config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = get(config["fn"])
        return cls(**config)


def _bind_arguments(class_name, order, defaults, args, kwargs):
    """The values a constructor whose parameters are `order` receives from (*args, **kwargs), starting from
    defaults; raises Python's TypeErrors for too many, repeated or unknown arguments (generated wrapper
    classes of losses and metrics take Keras's positional order this way)."""
    if len(args) > len(order):
        raise TypeError(f"{class_name}() takes at most {len(order)} positional arguments ({len(args)} given)")
    values = dict(defaults)
    for key, value in zip(order, args):
        if key in kwargs:
            raise TypeError(f"{class_name}() got multiple values for argument {key!r}")
        values[key] = value
    unknown = set(kwargs) - set(order)
    if unknown:
        raise TypeError(f"{class_name}() got unexpected keyword arguments {sorted(unknown)}")
    values.update(kwargs)
    return values


def _wrapper_class(class_name, fn, default_name, doc, **defaults):
    """A LossFunctionWrapper subclass whose constructor takes fn's keyword arguments by name."""
    params = list(defaults)
    order = params + ["reduction", "name", "dtype"]  # Keras's positional order

    def __init__(self, *args, **kwargs):
        values = _bind_arguments(class_name, order, dict(defaults, reduction="sum_over_batch_size",
                                                         name=default_name, dtype=None), args, kwargs)
        reduction, name, dtype = values.pop("reduction"), values.pop("name"), values.pop("dtype")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype, **values)
        for key, value in values.items():
            setattr(self, key, value)

    def get_config(self):
        config = Loss.get_config(self)
        config.update(self._fn_kwargs)
        return config

    def from_config(cls, config):
        return cls(**config)

    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "from_config": classmethod(from_config),
        "__doc__": doc, "__module__": __name__, "__qualname__": class_name})


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error",
    """mean(square(y_true - y_pred)). `tf.keras.losses.MeanSquaredError()([[0., 1.]], [[1., 1.]])` -> 0.5""")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
    """mean(abs(y_true - y_pred)). `tf.keras.losses.MeanAbsoluteError()([[0., 1.]], [[1., 1.]])` -> 0.5""")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error",
    """100 * mean(abs((y_true - y_pred) / y_true)). `MeanAbsolutePercentageError()([[2.]], [[1.]])` -> 50.""")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    """mean(square(log(y_pred + 1) - log(y_true + 1))). `MeanSquaredLogarithmicError()([[0.]], [[1.]])`""")
Huber = _wrapper_class(
    "Huber", huber, "huber_loss",
    """Quadratic for |error| <= delta, linear beyond. `tf.keras.losses.Huber(delta=1.0)([[0.]], [[3.]])` -> 2.5""",
    delta=1.0)
LogCosh = _wrapper_class(
    "LogCosh", log_cosh, "log_cosh",
    """mean(log(cosh(y_pred - y_true))). `tf.keras.losses.LogCosh()([[0.]], [[1.]])` -> 0.4337808""")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    """Cross-entropy for 0/1 labels. `tf.keras.losses.BinaryCrossentropy(from_logits=True)([[1.]], [[0.]])`""",
    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    """Cross-entropy for one-hot labels. `tf.keras.losses.CategoricalCrossentropy()([[0., 1.]], [[.1, .9]])`""",
    from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    """Cross-entropy for integer labels. `tf.keras.losses.SparseCategoricalCrossentropy()([1], [[.1, .9]])`""",
    from_logits=False, ignore_class=None)
Hinge = _wrapper_class(
    "Hinge", hinge, "hinge",
    """mean(maximum(1 - y_true * y_pred, 0)) with labels -1/1 (or 0/1). `Hinge()([[1.]], [[0.5]])` -> 0.5""")
SquaredHinge = _wrapper_class(
    "SquaredHinge", squared_hinge, "squared_hinge",
    """mean(square(maximum(1 - y_true * y_pred, 0))). `SquaredHinge()([[1.]], [[0.5]])` -> 0.25""")
CategoricalHinge = _wrapper_class(
    "CategoricalHinge", categorical_hinge, "categorical_hinge",
    """maximum(0, 1 + max(negatives) - positive). `CategoricalHinge()([[0., 1.]], [[.3, .7]])` -> 0.6""")
KLDivergence = _wrapper_class(
    "KLDivergence", kl_divergence, "kl_divergence",
    """sum(y_true * log(y_true / y_pred)). `tf.keras.losses.KLDivergence()([[.5, .5]], [[.5, .5]])` -> 0.""")
Poisson = _wrapper_class(
    "Poisson", poisson, "poisson",
    """mean(y_pred - y_true * log(y_pred)). `tf.keras.losses.Poisson()([[1.]], [[1.]])` -> 1.""")
CosineSimilarity = _wrapper_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    """Negative cosine similarity along axis. `tf.keras.losses.CosineSimilarity()([[0., 1.]], [[0., 2.]])` -> -1.""",
    axis=-1)


# -- lookup and serialization -------------------------------------------------------------------------------

_CLASSES = {cls.__name__: cls for cls in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson, CosineSimilarity)}
_FUNCTIONS = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, huber,
    log_cosh, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, hinge, squared_hinge,
    categorical_hinge, kl_divergence, poisson, cosine_similarity)}
_FUNCTIONS.update({"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape, "msle": msle,
                   "MSLE": msle, "kld": kld, "KLD": kld, "bce": bce, "BCE": bce, "logcosh": log_cosh,
                   "kullback_leibler_divergence": kl_divergence})


def serialize(loss):
    """A JSON-able description of a loss object or loss function.

    >>> tf.keras.losses.serialize(tf.keras.losses.Huber(delta=2.0))["class_name"]
    'Huber'
    """
    if loss is None:
        return None
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None}
    name = getattr(loss, "__name__", None)
    if _FUNCTIONS.get(name) is loss:
        return {"module": "keras.losses", "class_name": "function", "config": name, "registered_name": "function"}
    from .initializers import serialize_function
    return serialize_function(loss, "loss")


def deserialize(config, custom_objects=None):
    """The loss a `serialize` dict (or a name) describes."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return _by_name(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}")
    class_name = config["class_name"]
    if class_name == "function":
        name = config.get("config")
        if name in custom_objects or name in _FUNCTIONS:
            return _by_name(name, custom_objects)
        from .initializers import deserialize_function
        return deserialize_function(config, "loss")
    cls = custom_objects.get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Could not interpret loss class {class_name!r}; expected one of {sorted(_CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}))


def _by_name(name, custom_objects):
    obj = custom_objects.get(name) or _CLASSES.get(name) or _FUNCTIONS.get(name)
    if obj is None:
        raise ValueError(f"Could not interpret loss identifier: {name!r}")
    return obj


def get(identifier):
    """A loss from a name ('mse', 'MeanSquaredError', ...), a config dict, a class, an instance or a function.

    Function names give the function; class names give a default instance (as Keras does).

    >>> tf.keras.losses.get("mse") is tf.keras.losses.mean_squared_error
    True
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape):
    """Keras 3's guess from shapes: (binary, sparse_categorical) for 'accuracy' and 'crossentropy'.

    binary: y_pred's last dimension is 1; sparse: y_true has a lower rank than y_pred, or its last dimension
    is 1 while y_pred's is not.
    """
    t, p = tuple(y_true_shape), tuple(y_pred_shape)
    t_last = t[-1] if t else None
    p_last = p[-1] if p else None
    binary = p_last == 1
    sparse = len(t) < len(p) or (t_last == 1 and p_last != 1)
    return binary, sparse


def resolve(identifier, y_true_shape=None, y_pred_shape=None):
    """The Loss object compile() uses for `identifier`: functions and names are wrapped, named as given.

    'crossentropy' / 'ce' pick binary, sparse categorical or categorical cross-entropy from the shapes.

    >>> tf.keras.losses.resolve("mse").name
    'mse'
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier in ("crossentropy", "ce"):
        binary, sparse = is_binary_or_sparse_categorical(y_true_shape or (), y_pred_shape or ())
        obj = binary_crossentropy if binary else sparse_categorical_crossentropy if sparse \
            else categorical_crossentropy
    else:
        obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None) or type(obj).__name__
    return LossFunctionWrapper(obj, name=name)
