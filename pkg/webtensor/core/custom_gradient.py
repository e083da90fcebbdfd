"""tf.custom_gradient: a function that supplies its own gradient."""


def custom_gradient(f=None):
    """Decorator for a function returning (outputs, grad_fn); being written in this session."""
    raise NotImplementedError("tf.custom_gradient is being written")
