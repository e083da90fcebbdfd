"""tf.nn: activations, softmax and cross-entropies, convolution and pooling, normalization."""
from .ops.conv_ops import (conv1d, conv2d, conv2d_transpose, convolution, depthwise_conv2d,  # noqa: F401
                           separable_conv2d)
from .ops.math_ops import (elu, gelu, leaky_relu, log_sigmoid, relu, relu6, selu, sigmoid, silu,  # noqa: F401
                           softplus, softsign, swish, tanh)
from .ops.nn_ops import (batch_normalization, bias_add, compute_average_loss, dropout, embedding_lookup,  # noqa: F401
                         fused_batch_norm, in_top_k, l2_loss, l2_normalize, log_softmax, moments,
                         scale_regularization_loss, sigmoid_cross_entropy_with_logits, softmax,
                         softmax_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits,
                         weighted_cross_entropy_with_logits)
from .ops.pool_ops import avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d, max_pool2d  # noqa: F401
from .ops.sort_ops import top_k  # noqa: F401
