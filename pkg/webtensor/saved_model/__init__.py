"""tf.saved_model: export a tf.Module's variables and traced tf.functions; load them without the Python class.

    tf.saved_model.save(module, "./saved")
    reloaded = tf.saved_model.load("./saved")
    reloaded.multiply(tf.constant([1, 2, 3]))
"""
from .graph_io import SavedModelError  # noqa: F401
from .load import load  # noqa: F401
from .save import save  # noqa: F401

SERVING = "serve"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"


class SaveOptions:
    """Options for tf.saved_model.save (accepted for compatibility; webtensor has none to set)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None, **kwargs):
        self.function_aliases = function_aliases


class LoadOptions:
    """Options for tf.saved_model.load (accepted for compatibility)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None, **kwargs):
        pass


def contains_saved_model(export_dir):
    """True if export_dir holds a webtensor SavedModel."""
    import os
    from .save import FILENAME
    return os.path.exists(os.path.join(os.fspath(export_dir), FILENAME))
