"""tf.random: seeded random tensors and tf.random.Generator."""
