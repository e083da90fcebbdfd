"""tf.train: checkpoints (Checkpoint, CheckpointManager, latest_checkpoint, list_variables, load_variable).

    ckpt = tf.train.Checkpoint(step=tf.Variable(1), model=model)
    manager = tf.train.CheckpointManager(ckpt, "./tf_ckpts", max_to_keep=3)
    ckpt.restore(manager.latest_checkpoint)
    manager.save()
"""
from .checkpoint import Checkpoint, CheckpointLoadStatus  # noqa: F401
from .checkpoint_management import (CheckpointManager, CheckpointState, get_checkpoint_state,  # noqa: F401
                                    latest_checkpoint, list_variables, load_variable, update_checkpoint_state)


class CheckpointOptions:
    """Options for Checkpoint.save/restore (accepted for compatibility; webtensor has none to set)."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False, **kwargs):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint
