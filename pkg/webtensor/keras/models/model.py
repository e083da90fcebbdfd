"""tf.keras.Model: a Layer with training (compile/fit/evaluate/predict), summary and saving.

Model(inputs, outputs) builds a functional model; subclasses of Model define call() instead.
"""
import json

from ... import nest
from ..layers.layer import Layer
from .functional import LayerGraph
from .keras_tensor import KerasTensor
from .trainer import Trainer


class Model(Trainer, Layer):
    """A trainable graph of layers: functional (`Model(inputs, outputs)`) or subclassed (override `call`).

    >>> inputs = tf.keras.Input(shape=(3,))
    >>> outputs = tf.keras.layers.Dense(2)(inputs)
    >>> model = tf.keras.Model(inputs, outputs)
    >>> model(tf.ones([1, 3])).shape
    TensorShape([1, 2])
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError(f"Model() takes at most 2 positional arguments (inputs, outputs), got {len(args)}")
        Layer.__init__(self, trainable=kwargs.pop("trainable", True), name=kwargs.pop("name", None),
                       dtype=kwargs.pop("dtype", None), **kwargs)
        Trainer.__init__(self)
        self._graph = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both `inputs` and `outputs`.")
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        if isinstance(inputs, dict) is False and isinstance(inputs, (list, tuple)) and len(inputs) == 1 and \
                isinstance(inputs[0], KerasTensor) and type(self).__name__ == "Sequential":
            inputs = inputs[0]
        self._graph = LayerGraph(inputs, outputs)
        self.built = True
        self._build_input_shape = nest.map_structure(lambda t: tuple(t.shape.as_list()), inputs)

    # -- calling ----------------------------------------------------------------------------------

    def call(self, inputs, training=None, mask=None):
        """Runs the functional graph (subclassed models override this)."""
        if self._graph is None:
            raise NotImplementedError(f"Model {self.name} has no call(): subclasses of tf.keras.Model must "
                                      "implement call(self, inputs, training=None).")
        return self._graph.run(inputs, training=training)

    def build(self, input_shape):
        """Builds the model's layers for an input shape by running call on symbolic inputs."""
        if self._graph is not None or type(self).call is Model.call:
            self.built = True
            return
        from ..layers.layer import _as_shape_structure, _trace_outputs
        specs = nest.map_structure(lambda s: KerasTensor(tuple(s.as_list()), self.compute_dtype),
                                   _as_shape_structure(input_shape))
        try:
            _trace_outputs(self, (specs,), {})
        except Exception as e:  # noqa: BLE001  (call may need concrete shapes: build on the first real call)
            if input_shape is not None and all(d is not None for d in nest.flatten(input_shape) if d is not None):
                raise ValueError(f"You cannot build your model by calling `build` if your layers do not support "
                                 f"float type inputs. Error: {e}") from e
        self._build_input_shape = input_shape
        self.built = True

    # -- structure --------------------------------------------------------------------------------

    @property
    def layers(self):
        if self._graph is not None:
            return list(self._graph.layers)
        return list(self._flatten_layers(include_self=False, recursive=False))

    def _flatten_layers(self, include_self=True, recursive=True):
        if self._graph is None:
            return Layer._flatten_layers(self, include_self, recursive)
        return self._flatten_layer_list(self._graph.layers, include_self, recursive)

    def _flatten_layer_list(self, layers, include_self, recursive):
        """self (if include_self), then layers in order and, if recursive, each one's sublayers; each once."""
        out = [self] if include_self else []
        seen = {id(self)}
        for layer in layers:
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                for sub in layer._flatten_layers(include_self=False, recursive=True):
                    if id(sub) not in seen:
                        seen.add(id(sub))
                        out.append(sub)
        return out

    def get_layer(self, name=None, index=None):
        """A layer of the model by name or by index in `layers`."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[lyr.name for lyr in self.layers]}.")

    @property
    def inputs(self):
        return None if self._graph is None else self._graph.flat_inputs

    @property
    def outputs(self):
        return None if self._graph is None else self._graph.flat_outputs

    @property
    def input(self):
        if self._graph is None:
            return Layer.input.fget(self)
        return self._graph.inputs

    @property
    def output(self):
        if self._graph is None:
            return Layer.output.fget(self)
        return self._graph.outputs

    @property
    def input_names(self):
        return [] if self._graph is None else [t._keras_history[0].name for t in self._graph.flat_inputs]

    @property
    def output_names(self):
        if self._graph is None:
            return []
        return [t._keras_history[0].name for t in self._graph.flat_outputs]

    @property
    def input_shape(self):
        if self._graph is not None:
            return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._graph.inputs)
        return Layer.input_shape.fget(self)

    @property
    def output_shape(self):
        if self._graph is not None:
            return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._graph.outputs)
        return Layer.output_shape.fget(self)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints a table of the layers: name (type), output shape, parameter count, and the totals."""
        from .summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    # -- config and saving ------------------------------------------------------------------------

    def get_config(self):
        """Functional models: layers with their inbound nodes, and the input/output layers (Keras's format)."""
        if self._graph is None:
            return {"name": self.name, "trainable": self.trainable}
        from .config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            from .config import functional_from_config
            return functional_from_config(cls if cls is not Model else Functional, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs):
        """The model's class and config as a JSON string."""
        from ..utils.serialization import serialize_layer
        data = serialize_layer(self)
        data["keras_version"] = "3.3.3"
        data["backend"] = "webtensor"
        return json.dumps(data, **kwargs)

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model (architecture, weights, compile config) to a .keras file."""
        from .. import saving
        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Saves the weights to a .weights.h5-style file (webtensor's own safe format)."""
        from .. import saving
        return saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights saved by save_weights."""
        from .. import saving
        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)


class Functional(Model):
    """The class of models made by Model(inputs, outputs)."""


def model_from_json(json_string, custom_objects=None):
    """A new (untrained) model from Model.to_json()."""
    from ..utils.serialization import deserialize_layer
    return deserialize_layer(json.loads(json_string), custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights."""
    from ..utils.serialization import deserialize_layer, serialize_layer
    data = serialize_layer(model)
    return deserialize_layer(data)
