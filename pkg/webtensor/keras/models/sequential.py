"""tf.keras.Sequential: a plain stack of layers, each with one input and one output."""
from ... import nest
from ..layers.layer import Layer
from .input_layer import Input, InputLayer
from .keras_tensor import KerasTensor
from .model import Model


class Sequential(Model):
    """A linear stack of layers (given as a list or added with add()).

    >>> model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
    ...                              tf.keras.layers.Dense(1)])
    >>> model(tf.ones([2, 4])).shape
    TensorShape([2, 1])
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Appends a layer (or an Input) to the stack."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential model. Received: "
                            f"{layer} (of type {type(layer)})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("Sequential model: an InputLayer can only be the first layer.")
            self._input_layer = layer
        else:
            if any(lyr.name == layer.name for lyr in self._stack):
                raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                                 f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                                 "argument to pass a unique name.")
            self._stack.append(layer)
        self.built = False
        self._graph = None
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self.built = False
        self._graph = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _input_batch_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape, self._input_layer.dtype
        if self._stack and self._stack[0]._batch_input_shape is not None:
            return self._stack[0]._batch_input_shape, self._stack[0].dtype
        return None, None

    def _maybe_rebuild(self):
        shape, dtype = self._input_batch_shape()
        if shape is not None and self._stack:
            self.build(shape)

    def build(self, input_shape=None):
        """Builds the layers for an input shape (batch dimension included, may be None)."""
        if input_shape is None:
            input_shape, _ = self._input_batch_shape()
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        input_shape = tuple(input_shape)
        if self._input_layer is not None and tuple(self._input_layer.batch_shape) == input_shape:
            inputs = self._input_layer.output
        else:
            dtype = self._stack[0].dtype if self._stack else None
            inputs = Input(batch_shape=input_shape, dtype=dtype)
        x = inputs
        try:
            for layer in self._stack:
                x = layer(x)
        except Exception:  # noqa: BLE001  (a layer that cannot trace symbolically builds on the first call)
            self._graph = None
            self._build_input_shape = input_shape
            return
        self._init_graph(inputs, x)
        self._build_input_shape = input_shape

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._stack:
            kwargs = {}
            if training is not None and "training" in layer._call_params:
                kwargs["training"] = training
            x = layer(x, **kwargs)
        return x

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        first = args[0] if args else None
        if first is not None and not isinstance(first, (list, tuple, dict)) and getattr(first, "shape", None) is not None:
            shape = (None,) + tuple(first.shape.as_list() if hasattr(first.shape, "as_list") else first.shape)[1:]
            if isinstance(first, KerasTensor):
                shape = tuple(first.shape.as_list())
            self.build(shape)
        self.built = True

    @property
    def layers(self):
        return list(self._stack)

    def _flatten_layers(self, include_self=True, recursive=True):
        return self._flatten_layer_list(self._stack, include_self, recursive)

    @property
    def input_shape(self):
        if self._graph is not None:
            return tuple(self._graph.flat_inputs[0].shape.as_list())
        shape, _ = self._input_batch_shape()
        if shape is None:
            raise AttributeError(f"The model {self.name} has not been built and has no defined input shape.")
        return shape

    def get_config(self):
        from ..utils.serialization import serialize_layer
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers += [serialize_layer(layer) for layer in self._stack]
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_name, "layers": layers}
        if self._build_input_shape is not None:
            config["build_input_shape"] = list(nest.flatten(self._build_input_shape)) \
                if not isinstance(self._build_input_shape, tuple) else list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..utils.serialization import deserialize_layer
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects), rebuild=False)
        shape = config.get("build_input_shape")
        if shape is not None and not model.built and model._stack:
            model.build(tuple(shape))
        else:
            model._maybe_rebuild()
        return model
