"""tf.nn: activations, softmax and cross-entropies, convolution and pooling, normalization."""
