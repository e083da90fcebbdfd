"""Layer configs as JSON-able dicts and back: {"module", "class_name", "config", "registered_name"}."""
_REGISTRY = {}


def register_keras_serializable(package="Custom", name=None):
    """Decorator that makes a custom class findable by name when a saved config is loaded.

    >>> @tf.keras.utils.register_keras_serializable(package="my_package")
    ... class MyLayer(tf.keras.layers.Layer): ...
    """
    def deco(cls):
        key = f"{package}>{name or cls.__name__}"
        _REGISTRY[key] = cls
        _REGISTRY.setdefault(cls.__name__, cls)
        cls._registered_name = key
        return cls
    return deco


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class registered (or passed in custom_objects) under name, or None."""
    for table in (custom_objects, _REGISTRY, module_objects):
        if table and name in table:
            return table[name]
    return None


def get_registered_name(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return getattr(cls, "_registered_name", None) or cls.__name__


def serialize_layer(layer):
    """A layer's class and config (plus its build shape) as a JSON-able dict."""
    cls = type(layer)
    config = {"module": _public_module(cls), "class_name": cls.__name__, "config": layer.get_config(),
              "registered_name": getattr(cls, "_registered_name", None)}
    shape = getattr(layer, "_build_input_shape", None)
    if layer.built and shape is not None:
        config["build_config"] = {"input_shape": _jsonable_shape(shape)}
    return config


def deserialize_layer(config, custom_objects=None):
    """A new layer from serialize_layer's dict (classes looked up in custom_objects, registered ones, keras)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize a layer from {config!r}: expected a dict with 'class_name' and "
                         "'config'.")
    name = config["class_name"]
    cls = get_registered_object(config.get("registered_name") or name, custom_objects) or \
        get_registered_object(name, custom_objects) or _keras_class(name)
    if cls is None:
        raise TypeError(f"Could not locate class '{name}'. Make sure custom classes are decorated with "
                        "`@tf.keras.utils.register_keras_serializable()` or passed in `custom_objects`. "
                        f"Full object config: {config}")
    if hasattr(cls, "from_config"):
        try:
            layer = cls.from_config(config.get("config", {}), custom_objects=custom_objects)
        except TypeError as e:
            if "custom_objects" not in str(e):
                raise
            layer = cls.from_config(config.get("config", {}))
    else:
        layer = cls(**config.get("config", {}))
    build = config.get("build_config")
    if build and not layer.built and build.get("input_shape") is not None:
        layer.build(_shape_from_json(build["input_shape"]))
        layer.built = True
    return layer


def _keras_class(name):
    from .. import models
    if hasattr(models, name):
        return getattr(models, name)
    try:
        from .. import layers
    except ImportError:
        return None
    return getattr(layers, name, None)


def _public_module(cls):
    mod = cls.__module__
    if mod.startswith("webtensor.keras.layers"):
        return "keras.layers"
    if mod.startswith("webtensor.keras.models"):
        return "keras.models"
    return mod


def _jsonable_shape(shape):
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(s, (list, tuple)) or s is None for s in shape) \
            and any(isinstance(s, (list, tuple)) for s in shape):
        return [_jsonable_shape(s) for s in shape]
    return None if shape is None else list(shape)


def _shape_from_json(shape):
    if isinstance(shape, dict):
        return {k: _shape_from_json(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and any(isinstance(s, list) for s in shape):
        return [_shape_from_json(s) for s in shape]
    return tuple(shape)
