"""Control flow that works eagerly and inside tf.function: cond, while_loop, case, switch_case, print."""
__all__ = []
