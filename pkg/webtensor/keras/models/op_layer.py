"""OpLambda: the layer that records Python operators (+, -, *, /, @, []) applied to KerasTensors."""
from ...ops import operators
from ..layers.layer import Layer


class OpLambda(Layer):
    """Applies one Python operator of tf.Tensor (by its dunder name) to its arguments.

    >>> x = tf.keras.Input(shape=(2,))
    >>> y = x * 2.0 + 1.0   # two OpLambda layers
    """

    def __init__(self, symbol, **kwargs):
        if symbol not in operators.OPERATORS:
            raise ValueError(f"OpLambda: unknown operator {symbol!r}; expected one of {sorted(operators.OPERATORS)}")
        kwargs.setdefault("name", None)
        if kwargs["name"] is None:
            from .. import backend
            kwargs["name"] = backend.unique_name(_NAMES.get(symbol, symbol.strip("_")))
        super().__init__(**kwargs)
        self.symbol = symbol
        self._fn = operators.OPERATORS[symbol]

    def _convert_inputs(self, inputs):
        return inputs  # the operator converts Python operands against the tensor operand's dtype

    def call(self, *args):
        return self._fn(*args)

    def get_config(self):
        config = super().get_config()
        config["symbol"] = self.symbol
        return config


_NAMES = {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply", "__truediv__": "truediv",
          "__matmul__": "matmul", "__getitem__": "getitem", "__neg__": "negative", "__pow__": "pow"}
