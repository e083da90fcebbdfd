"""Neural-network ops, all composite: softmax family, cross-entropies, losses, normalization, dropout.

Convolution is in conv_ops.py, pooling in pool_ops.py.
"""
import numbers

from .. import dtypes, errors
from ..core.tensor import Tensor
from . import array_ops as a
from . import math_ops as m
from . import reduction_ops as r
from ._helpers import FLOAT, INTEGER, broadcast_shapes, check_dtype, normalize_axes, static_value, to_tensor
from ._spatial import _check_format, _fmt


# -- softmax and cross-entropies (composite) -------------------------------------------------------

def _float_input(x, op):
    x = to_tensor(x)
    check_dtype(x, FLOAT, op)
    return x


def _shifted(x, axis):
    """x minus its (constant) max along axis: softmax is shift-invariant, and this keeps exp finite."""
    return x - a.stop_gradient(r.reduce_max(x, axis=axis, keepdims=True))


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits)) along axis (default: the last).

    >>> tf.nn.softmax(tf.constant([1., 1., 2.]))
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([0.21194156, 0.21194156, 0.5761169 ], dtype=float32)>
    """
    x = _float_input(logits, "softmax")
    axis = -1 if axis is None else axis
    e = m.exp(_shifted(x, axis))
    return e / r.reduce_sum(e, axis=axis, keepdims=True)


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits))) along axis, computed stably.

    >>> tf.nn.log_softmax(tf.constant([0., 0.]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-0.6931472, -0.6931472], dtype=float32)>
    """
    x = _float_input(logits, "log_softmax")
    axis = -1 if axis is None else axis
    z = _shifted(x, axis)
    return z - m.log(r.reduce_sum(m.exp(z), axis=axis, keepdims=True))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits)) along axis; labels are probability distributions.

    >>> tf.nn.softmax_cross_entropy_with_logits(labels=[[0., 1.]], logits=[[0., 0.]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.6931472], dtype=float32)>
    """
    z = _float_input(logits, "softmax_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    if y._dtype is not z._dtype:
        raise TypeError(f"softmax_cross_entropy_with_logits: labels ({y._dtype.name}) and logits "
                        f"({z._dtype.name}) must have the same dtype")
    try:
        broadcast_shapes(y._shape, z._shape, "softmax_cross_entropy_with_logits")
    except errors.InvalidArgumentError:
        raise errors.InvalidArgumentError(
            None, "SoftmaxCrossEntropyWithLogits", f"logits and labels must be broadcastable: logits_size="
            f"{_fmt(z._shape)} labels_size={_fmt(y._shape)} [Op:SoftmaxCrossEntropyWithLogits]") from None
    return m.negative(r.reduce_sum(y * log_softmax(z, axis), axis=axis))


def _check_label_range(labels, num_classes):
    if type(labels) is not Tensor or num_classes is None:  # symbolic: out-of-range labels give NaN
        return
    values = labels.numpy()
    bad = values[(values < 0) | (values >= num_classes)]
    if bad.size:
        shown = " ".join(str(v) for v in values.reshape(-1)[:32])
        raise errors.InvalidArgumentError(
            None, "SparseSoftmaxCrossEntropyWithLogits", f"Received a label value of {bad.reshape(-1)[0]} which "
            f"is outside the valid range of [0, {num_classes}).  Label values: {shown} "
            "[Op:SparseSoftmaxCrossEntropyWithLogits]")


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Softmax cross-entropy where labels are class indices (int32/int64) of shape logits.shape[:-1].

    >>> tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0., 0.]])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.6931472], dtype=float32)>
    """
    op = "sparse_softmax_cross_entropy_with_logits"
    z = _float_input(logits, op)
    y = to_tensor(labels)
    check_dtype(y, frozenset((dtypes.int32, dtypes.int64)), op)
    if not z._shape:
        raise ValueError(f"Logits cannot be scalars - received shape {_fmt(z._shape)}.")
    if len(y._shape) != len(z._shape) - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {len(y._shape)}) should equal rank of logits "
                         f"minus 1 (received {len(z._shape)}).")
    if any(p is not None and q is not None and p != q for p, q in zip(y._shape, z._shape[:-1])):
        raise ValueError(f"Shape mismatch: The shape of labels (received {_fmt(y._shape)}) should equal the shape "
                         f"of logits except for the last dimension (received {_fmt(z._shape)}).")
    num_classes = z._shape[-1]
    if num_classes is None:
        raise ValueError(f"{op}: the number of classes (last dim of logits {_fmt(z._shape)}) must be known")
    _check_label_range(y, num_classes)
    hot = m.equal(a.expand_dims(y, -1), a.range_(0, num_classes, dtype=y._dtype))
    picked = r.reduce_sum(m.where(hot, log_softmax(z), m.zeros_like(z)), axis=-1)
    valid = m.logical_and(m.greater_equal(y, 0), m.less(y, num_classes))
    return m.where(valid, m.negative(picked), m.zeros_like(picked) + float("nan"))


def _sigmoid_terms(z):
    """(relu(z), -|z|) written with where, so the gradient at z == 0 is TensorFlow's sigmoid(0) - labels."""
    cond = m.greater_equal(z, m.zeros_like(z))
    return m.where(cond, z, m.zeros_like(z)), m.where(cond, m.negative(z), z)


def _same_shape(y, z, op):
    if len(y._shape) != len(z._shape) or any(p is not None and q is not None and p != q
                                             for p, q in zip(y._shape, z._shape)):
        raise ValueError(f"{op}: logits and labels must have the same shape, received ({_fmt(z._shape)} vs "
                         f"{_fmt(y._shape)}).")


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Elementwise max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z in [0, 1].

    >>> tf.nn.sigmoid_cross_entropy_with_logits(labels=[1., 0.], logits=[0., 0.])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6931472, 0.6931472], dtype=float32)>
    """
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits: both labels and logits must be given")
    z = _float_input(logits, "sigmoid_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    _same_shape(y, z, "sigmoid_cross_entropy_with_logits")
    relu_z, neg_abs = _sigmoid_terms(z)
    return relu_z - z * y + m.log1p(m.exp(neg_abs))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by pos_weight.

    >>> tf.nn.weighted_cross_entropy_with_logits(labels=[1.], logits=[0.], pos_weight=2.)
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.3862944], dtype=float32)>
    """
    z = _float_input(logits, "weighted_cross_entropy_with_logits")
    y = to_tensor(labels, dtype=z._dtype)
    _same_shape(y, z, "weighted_cross_entropy_with_logits")
    log_weight = 1 + (pos_weight - 1) * y
    relu_z, neg_abs = _sigmoid_terms(z)
    softplus_neg = m.log1p(m.exp(neg_abs)) + (relu_z - z)  # log(1 + exp(-z)), stably
    return (1 - y) * z + log_weight * softplus_neg


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the batch size).

    >>> tf.nn.compute_average_loss(tf.constant([1., 3.]))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    loss = _float_input(per_example_loss, "compute_average_loss")
    if sample_weight is not None:
        loss = loss * sample_weight
    total = r.reduce_sum(loss)
    if global_batch_size is None:
        n = loss._shape[0] if loss._shape else 1
        if n is None:
            return total / m.cast(a.shape(loss)[0], loss._dtype)
        global_batch_size = n
    return total / global_batch_size


def scale_regularization_loss(regularization_loss):
    """The regularization loss scaled for one replica (a single replica here: unchanged).

    >>> tf.nn.scale_regularization_loss(tf.constant(2.))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    return r.reduce_sum(to_tensor(regularization_loss))


# -- normalization and related (composite) ---------------------------------------------------------

def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D bias along the channel axis (last, or 1 for "NC..." formats).

    >>> tf.nn.bias_add(tf.zeros([2, 3]), [1., 2., 3.])[0]
    <tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2., 3.], dtype=float32)>
    """
    x = to_tensor(value)
    b = to_tensor(bias, dtype=x._dtype)
    if b._dtype is not x._dtype:
        raise TypeError(f"bias_add: value ({x._dtype.name}) and bias ({b._dtype.name}) must have the same dtype")
    rank = len(x._shape)
    if len(b._shape) != 1:
        raise ValueError(f"bias_add: Shape must be rank 1 but is rank {len(b._shape)} for bias {_fmt(b._shape)}")
    if rank < 2:
        raise ValueError(f"bias_add: Shape must be at least rank 2 but is rank {rank} for value {_fmt(x._shape)}")
    channels_first = data_format is not None and data_format.startswith("NC")
    c = x._shape[1] if channels_first else x._shape[-1]
    if c is not None and b._shape[0] is not None and c != b._shape[0]:
        raise errors.InvalidArgumentError(
            None, "BiasAdd", "Must provide as many biases as the channel dimension of the input tensor: "
            f"{_fmt(b._shape)} vs. {_fmt(x._shape)} [Op:BiasAdd]")
    if channels_first:
        b = a.reshape(b, [-1] + [1] * (rank - 2))
    return x + b


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of x over axes.

    >>> mean, var = tf.nn.moments(tf.constant([1., 2., 3., 4.]), axes=[0])
    >>> float(mean), float(var)
    (2.5, 1.25)
    """
    x = _float_input(x, "moments")
    y = m.cast(x, dtypes.float32) if x._dtype is dtypes.float16 else x
    axes = list(normalize_axes(axes, len(x._shape), "moments"))
    mean = r.reduce_mean(y, axis=axes, keepdims=True)
    variance = r.reduce_mean(m.squared_difference(y, a.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = a.squeeze(mean, axes), a.squeeze(variance, axes)
    return m.cast(mean, x._dtype), m.cast(variance, x._dtype)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset (offset, scale may be None).

    >>> tf.nn.batch_normalization(tf.constant([1., 3.]), 2., 1., None, None, 0.)
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([-1.,  1.], dtype=float32)>
    """
    x = _float_input(x, "batch_normalization")
    inv = m.rsqrt(to_tensor(variance, dtype=x._dtype) + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    shift = m.negative(mean * inv) if offset is None else offset - mean * inv
    return x * m.cast(inv, x._dtype) + m.cast(shift, x._dtype)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None, exponential_avg_factor=1.0):
    """Batch normalization of NHWC x over N, H, W: returns (y, batch_mean, batch_variance).

    In training the returned variance is the unbiased (n / (n - 1)) batch variance, as TensorFlow's.

    >>> y, m, v = tf.nn.fused_batch_norm(tf.ones([2, 2, 2, 3]), tf.ones([3]), tf.zeros([3]))
    """
    _check_format(data_format, "fused_batch_norm")
    x = _float_input(x, "fused_batch_norm")
    if len(x._shape) != 4:
        raise ValueError(f"fused_batch_norm: x must be rank 4 (NHWC), got shape {_fmt(x._shape)}")
    epsilon = max(float(epsilon), 1.001e-5)
    if not is_training:
        if mean is None or variance is None:
            raise ValueError("fused_batch_norm: mean and variance are required when is_training=False")
        y = batch_normalization(x, mean, variance, offset, scale, epsilon)
        return y, to_tensor(mean), to_tensor(variance)
    batch_mean, batch_var = moments(x, [0, 1, 2])
    y = batch_normalization(x, batch_mean, batch_var, offset, scale, epsilon)
    count = m.cast(a.size(x), batch_var._dtype) / float(x._shape[3])
    unbiased = batch_var * count / m.maximum(count - 1, m.ones_like(count))
    if exponential_avg_factor != 1.0 and mean is not None and variance is not None:
        f = exponential_avg_factor
        batch_mean = (1 - f) * to_tensor(mean) + f * batch_mean
        unbiased = (1 - f) * to_tensor(variance) + f * unbiased
    return y, batch_mean, unbiased


def l2_loss(t, name=None):
    """sum(t ** 2) / 2.

    >>> tf.nn.l2_loss(tf.constant([1., 2.]))
    <tf.Tensor: shape=(), dtype=float32, numpy=2.5>
    """
    t = _float_input(t, "l2_loss")
    return r.reduce_sum(m.square(t)) / 2


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon)).

    >>> tf.nn.l2_normalize(tf.constant([3., 4.]))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    x = _float_input(x, "l2_normalize")
    axis = dim if axis is None else axis
    square_sum = r.reduce_sum(m.square(x), axis=axis, keepdims=True)
    return x * m.rsqrt(m.maximum(square_sum, epsilon))


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of params (a tensor, or a list of shards split with the "div" strategy) at ids.

    >>> tf.nn.embedding_lookup(tf.constant([[0., 1.], [2., 3.]]), [1, 1])
    <tf.Tensor: shape=(2, 2), dtype=float32, numpy=array([[2., 3.], [2., 3.]], dtype=float32)>
    """
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("embedding_lookup: params must not be empty")
        # "div" sharding keeps ids in shard order, so the shards concatenated are the full table.
        table = to_tensor(params[0]) if len(params) == 1 else a.concat([to_tensor(p) for p in params], 0)
    else:
        table = to_tensor(params)
    rows = a.gather(table, ids)
    if max_norm is not None:
        axes = list(range(len(to_tensor(ids)._shape), len(rows._shape)))
        norm = m.sqrt(r.reduce_sum(m.square(rows), axis=axes, keepdims=True))
        rows = rows * m.minimum(m.ones_like(norm), max_norm / m.maximum(norm, 1e-30 * m.ones_like(norm)))
    return rows


def in_top_k(targets, predictions, k, name=None):
    """Whether predictions[i, targets[i]] is among the k largest of row i (ties count as in).

    >>> tf.nn.in_top_k(targets=[1, 0], predictions=[[0.1, 0.9], [0.8, 0.2]], k=1)
    <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True,  True])>
    """
    p = _float_input(predictions, "in_top_k")
    t = to_tensor(targets)
    check_dtype(t, INTEGER, "in_top_k")
    if len(p._shape) != 2 or len(t._shape) != 1:
        raise ValueError(f"in_top_k: predictions must be rank 2 and targets rank 1, got {_fmt(p._shape)} and "
                         f"{_fmt(t._shape)}")
    num_classes = p._shape[1]
    hot = m.equal(a.expand_dims(t, -1), a.range_(0, num_classes, dtype=t._dtype))
    target = r.reduce_sum(m.where(hot, p, m.zeros_like(p)), axis=1, keepdims=True)
    above = r.reduce_sum(m.cast(m.greater(p, target), dtypes.int32), axis=1)
    finite = r.reduce_all(m.is_finite(p), axis=1)
    in_range = m.logical_and(m.greater_equal(t, 0), m.less(t, num_classes))
    return m.logical_and(m.logical_and(m.less(above, int(k)), finite), in_range)


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes elements with probability rate and scales the rest by 1 / (1 - rate).

    >>> tf.nn.dropout(tf.ones([2, 2]), rate=0.5, seed=1)  # elements are 0. or 2.
    """
    x = to_tensor(x)
    if not x._dtype.is_floating:
        raise ValueError(f"dropout: x must be a floating point tensor as it will be scaled, got {x._dtype.name}")
    if isinstance(rate, numbers.Real) and not isinstance(rate, bool):
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be a scalar tensor or a float in the range [0, 1), got {rate}")
        if rate == 0:
            return x
        scale = 1.0 / (1.0 - rate)
    else:
        rate = m.cast(to_tensor(rate), x._dtype)
        scale = 1 / (1 - rate)
    from .random_ops import uniform
    shape = _noise_shape(x, noise_shape)
    keep = m.greater_equal(uniform(shape, dtype=x._dtype, seed=seed), rate)
    return x * scale * m.cast(keep, x._dtype)


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return list(x._shape) if None not in x._shape else a.shape(x)
    if isinstance(noise_shape, (list, tuple)) and len(noise_shape) == len(x._shape):
        dims = [x._shape[i] if d is None else d for i, d in enumerate(noise_shape)]
        if None not in dims:
            return [int(static_value(d, "dropout", "noise_shape")) for d in dims]
        return a.stack([a.shape(x)[i] if d is None else d for i, d in enumerate(dims)])
    return noise_shape


__all__ = ["batch_normalization", "bias_add", "compute_average_loss", "dropout", "embedding_lookup",
           "fused_batch_norm", "in_top_k", "l2_loss", "l2_normalize", "log_softmax", "moments",
           "scale_regularization_loss", "sigmoid_cross_entropy_with_logits", "softmax",
           "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
           "weighted_cross_entropy_with_logits"]
