"""KerasTensor and Node: the symbolic values and layer calls the functional API records.

A KerasTensor has a shape (batch dimension None), a dtype and a name, but no value. Calling a
layer on one records a Node (the layer, its arguments, its outputs); Model(inputs, outputs) walks
the nodes back from the outputs and replays them on real tensors.
"""
from ... import dtypes
from ...tensor_shape import TensorShape


class KerasTensor:
    """A symbolic tensor of the functional API (what tf.keras.Input returns).

    >>> x = tf.keras.Input(shape=(3,))
    >>> x.shape
    TensorShape([None, 3])
    """

    def __init__(self, shape, dtype="float32", name=None, keras_history=None, sparse=False):
        self._shape = tuple(TensorShape(shape).as_list()) if TensorShape(shape).rank is not None else None
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name
        self._keras_history = keras_history  # (layer, node_index, tensor_index)
        self.sparse = sparse

    @property
    def shape(self):
        return TensorShape(self._shape)

    @property
    def ndim(self):
        return None if self._shape is None else len(self._shape)

    rank = ndim

    def get_shape(self):
        return self.shape

    def _as_tensor(self):
        raise ValueError(
            f"A KerasTensor cannot be used as input to a TensorFlow function (got {self!r}). A KerasTensor is a "
            "symbolic placeholder for a shape and dtype, used when constructing Keras Functional models. Wrap the "
            "call in a layer: `tf.keras.layers.Lambda(lambda x: tf.some_op(x))(keras_tensor)`.")

    def numpy(self):
        raise ValueError(f"{self!r} is symbolic: it has no value. Call the model on data to get values.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"You are passing {self!r}, an intermediate Keras symbolic input/output, to a numpy "
                        "function. Wrap the call in a Lambda layer.")

    def __bool__(self):
        raise TypeError(f"A symbolic KerasTensor ({self.name}) cannot be used as a Python bool.")

    def __hash__(self):
        return id(self)

    def ref(self):
        from ...core.tensor import Reference
        return Reference(self)

    def __len__(self):
        if not self._shape or self._shape[0] is None:
            raise TypeError(f"len is not well defined for the symbolic tensor {self.name} with shape {self.shape}.")
        return self._shape[0]

    def __iter__(self):
        raise TypeError(f"Iterating over the symbolic KerasTensor {self.name} is not allowed.")

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"


def _op(symbol, reverse=False):
    def method(self, *others):
        from .op_layer import OpLambda
        args = (others[0], self) if reverse else (self,) + others
        return OpLambda(symbol)(*args)
    method.__name__ = symbol
    return method


_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "lt", "le", "gt", "ge",
           "and", "or", "xor")
for _name in _BINARY:
    setattr(KerasTensor, f"__{_name}__", _op(f"__{_name}__"))
    if _name not in ("lt", "le", "gt", "ge"):
        setattr(KerasTensor, f"__r{_name}__", _op(f"__{_name}__", reverse=True))
for _name in ("neg", "pos", "abs", "invert", "getitem"):
    setattr(KerasTensor, f"__{_name}__", _op(f"__{_name}__"))


class Node:
    """One call of a layer on symbolic inputs: the layer, its arguments, its output KerasTensors."""

    def __init__(self, layer, call_args, call_kwargs, outputs):
        from ... import nest
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs                      # the output structure
        self.flat_outputs = nest.flatten(outputs)
        self.input_tensors = [x for x in nest.flatten((call_args, call_kwargs)) if isinstance(x, KerasTensor)]

    @property
    def parent_nodes(self):
        nodes = []
        for kt in self.input_tensors:
            layer, node_index, _ = kt._keras_history
            nodes.append(layer._inbound_nodes[node_index])
        return nodes

    @property
    def is_input(self):
        return not self.input_tensors

    def __repr__(self):
        return f"<Node {self.layer.name} inputs={[t.name for t in self.input_tensors]}>"


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
