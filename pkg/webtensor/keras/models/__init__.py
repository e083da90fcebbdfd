"""tf.keras.models: Model, Sequential, the functional API, and model saving/loading entry points."""
from .input_layer import Input, InputLayer  # noqa: F401
from .model import Functional, Model, clone_model, model_from_json  # noqa: F401
from .op_layer import OpLambda  # noqa: F401
from .sequential import Sequential  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Loads a model saved with model.save (delegates to keras saving)."""
    from .. import saving
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Saves a model (same as model.save)."""
    return model.save(filepath, overwrite=overwrite, **kwargs)
