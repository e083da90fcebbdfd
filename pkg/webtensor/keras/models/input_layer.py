"""tf.keras.Input and InputLayer: the entry points of a functional model."""
from ... import dtypes
from .. import backend
from ..layers.layer import Layer
from .keras_tensor import KerasTensor, Node


class InputLayer(Layer):
    """The layer behind tf.keras.Input: it holds one symbolic KerasTensor of a given shape.

    >>> layer = tf.keras.layers.InputLayer(shape=(3,))
    >>> layer.output.shape
    TensorShape([None, 3])
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, input_shape=None, batch_input_shape=None, ragged=None, **kwargs):
        if name is None:
            name = backend.unique_name("input_layer")
        kwargs.pop("trainable", None)
        super().__init__(name=name, dtype=dtype, **{k: v for k, v in kwargs.items() if k != "autocast"})
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is None and batch_input_shape is not None:
            batch_shape = batch_input_shape
        if batch_shape is not None:
            if shape is not None:
                raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
            batch_shape = tuple(batch_shape)
        elif shape is not None:
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        elif input_tensor is not None:
            batch_shape = tuple(input_tensor.shape.as_list())
        else:
            raise ValueError("You must pass a `shape` argument to InputLayer (or tf.keras.Input).")
        self._batch_shape = batch_shape
        self._batch_input_shape = batch_shape
        self.sparse = bool(sparse)
        self.built = True
        if input_tensor is not None and isinstance(input_tensor, KerasTensor):
            output = input_tensor
        else:
            output = KerasTensor(batch_shape, dtypes.as_dtype(self._dtype_name), name=name)
        output._keras_history = (self, 0, 0)
        output.name = name
        self._inbound_nodes.append(Node(self, (), {}, output))

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self._batch_shape), "dtype": self._dtype_name, "sparse": self.sparse,
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          ragged=None, **kwargs):  # noqa: N802  (Keras's name)
    """A symbolic input of a functional model: shape excludes the batch dimension.

    >>> x = tf.keras.Input(shape=(784,), name="pixels")
    >>> x.shape
    TensorShape([None, 784])
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, **kwargs)
    return layer.output
