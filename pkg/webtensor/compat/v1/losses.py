"""tf.compat.v1.losses: TF1 loss functions (weighted, reduced to a scalar by default).

    loss = tf.compat.v1.losses.mean_squared_error(labels=y_true, predictions=y_pred)
"""
from ... import nn
from ...core.tensor import convert_to_tensor
from ...ops import math_ops, reduction_ops
from . import graph as _graph


class Reduction:
    """How a weighted loss is reduced."""
    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_BY_NONZERO_WEIGHTS)


LOSSES = "losses"


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Multiplies losses by weights and reduces them as `reduction` says."""
    losses = convert_to_tensor(losses)
    dtype = losses.dtype
    weights = math_ops.cast(convert_to_tensor(weights), dtype)
    weighted = losses * weights
    if reduction == Reduction.NONE:
        loss = weighted
    else:
        total = reduction_ops.reduce_sum(weighted)
        if reduction == Reduction.SUM:
            loss = total
        elif reduction == Reduction.MEAN:
            loss = math_ops.divide_no_nan(total, reduction_ops.reduce_sum(weights * math_ops.ones_like(losses)))
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
            loss = total / math_ops.cast(reduction_ops.reduce_sum(math_ops.ones_like(losses)), dtype)
        else:
            nonzero = math_ops.cast(math_ops.not_equal(weights * math_ops.ones_like(losses), 0), dtype)
            loss = math_ops.divide_no_nan(total, reduction_ops.reduce_sum(nonzero))
    g = _graph.current_graph()
    if g is not None and loss_collection:
        g.add_to_collection(loss_collection, loss)
    return loss


def _pair(labels, predictions):
    predictions = convert_to_tensor(predictions)
    labels = math_ops.cast(convert_to_tensor(labels), predictions.dtype)
    if labels.shape.rank is not None and predictions.shape.rank is not None and \
            not labels.shape.is_compatible_with(predictions.shape):
        raise ValueError(f"Shapes {labels.shape} and {predictions.shape} are incompatible")
    return labels, predictions


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The weighted mean of (predictions - labels)**2.

    >>> loss = tf.compat.v1.losses.mean_squared_error(labels=y_true, predictions=y_pred)
    """
    labels, predictions = _pair(labels, predictions)
    return compute_weighted_loss(math_ops.square(predictions - labels), weights, scope, loss_collection, reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """The weighted mean of |predictions - labels|."""
    labels, predictions = _pair(labels, predictions)
    return compute_weighted_loss(math_ops.abs(predictions - labels), weights, scope, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Quadratic for |error| <= delta, linear beyond."""
    labels, predictions = _pair(labels, predictions)
    err = math_ops.abs(predictions - labels)
    quad = math_ops.minimum(err, delta)
    losses = 0.5 * quad * quad + delta * (err - quad)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary cross-entropy of probabilities."""
    labels, predictions = _pair(labels, predictions)
    losses = -labels * math_ops.log(predictions + epsilon) - (1 - labels) * math_ops.log(1 - predictions + epsilon)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Sigmoid cross-entropy of logits against 0/1 labels."""
    labels, logits = _pair(multi_class_labels, logits)
    if label_smoothing:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of logits against one-hot labels."""
    labels, logits = _pair(onehot_labels, logits)
    if label_smoothing:
        n = math_ops.cast(logits.shape[-1], logits.dtype)
        labels = labels * (1 - label_smoothing) + label_smoothing / n
    losses = nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of logits against integer class labels."""
    losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def get_losses(scope=None, loss_collection=LOSSES):
    return _graph.get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    return _graph.get_default_graph().get_collection("regularization_losses", scope)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the collected losses (and regularization losses)."""
    from ...ops.math_ops import add_n
    items = get_losses(scope) + (get_regularization_losses(scope) if add_regularization_losses else [])
    return add_n(items)


def add_loss(loss, loss_collection=LOSSES):
    g = _graph.current_graph()
    if g is not None and loss_collection:
        g.add_to_collection(loss_collection, loss)
