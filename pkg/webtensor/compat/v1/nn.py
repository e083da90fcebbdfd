"""tf.compat.v1.nn: webtensor.nn plus TF1 spellings (keep_prob dropout, softmax_cross_entropy_with_logits_v2)."""
from ...nn import *  # noqa: F401,F403
from ...nn import dropout as _dropout, softmax_cross_entropy_with_logits as _softmax_xent
from ...ops import linalg_ops as _linalg


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Dropout with TF1's keep_prob (or TF2's rate)."""
    if rate is None:
        if keep_prob is None:
            raise ValueError("You must provide a rate to dropout.")
        rate = 1 - keep_prob
    return _dropout(x, rate, noise_shape=noise_shape, seed=seed)


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=-1, name=None, dim=None):
    """Softmax cross-entropy per example."""
    return _softmax_xent(labels=labels, logits=logits, axis=axis if dim is None else dim)


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    return _linalg.matmul(x, weights) + biases
