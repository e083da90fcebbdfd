"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU (run over a sequence by tf.keras.layers.RNN).

    cell = tf.keras.layers.LSTMCell(8)
    output, [h, c] = cell(x_t, [h, c])      # x_t: (batch, features)
"""
from ...ops import array_ops as _a
from ...ops import constructor_ops as _c
from ...ops import linalg_ops as _linalg
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import shape_ops as _s
from .. import activations
from ._utils import dims, set_weight_options, weight_options_config
from .layer import Layer

class _Cell(Layer):
    """Shared arguments of the built-in cells: activations, initializers, regularizers, constraints, dropout."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, got "
                             f"{units!r}.")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{type(self).__name__}: `{name}` must be a float in [0, 1), got {rate!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_options(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_options(self, "recurrent", recurrent_initializer, recurrent_regularizer, recurrent_constraint)
        set_weight_options(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self._dropout_masks = (None, None)

    @property
    def state_size(self):
        return [self.units]

    @property
    def output_size(self):
        return self.units

    def _build_kernels(self, input_dim, bias_shape, bias_initializer=None):
        n = self.gates * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, n), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, n),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def get_initial_state(self, like):
        """Zero states shaped (batch, size) where the batch comes from the tensor `like` (batch, ...)."""
        base = _m.zeros_like(_s.reshape(like, [-1, int(_num(like.shape[1:]))])[:, :1])
        return [base + _c.zeros([size], dtype=base.dtype) for size in self.state_size]

    def set_dropout_masks(self, x, h, training):
        """Draws the input and recurrent dropout masks used at every step of one sequence (training only)."""
        dp = rdp = None
        if training:
            seed2 = None if self.seed is None else self.seed + 1
            if self.dropout > 0:
                dp = _nn.dropout(_m.ones_like(x), rate=self.dropout, seed=self.seed)
            if self.recurrent_dropout > 0:
                rdp = _nn.dropout(_m.ones_like(h), rate=self.recurrent_dropout, seed=seed2)
        self._dropout_masks = (dp, rdp)

    def _dropped(self, x, h):
        dp, rdp = self._dropout_masks
        return (x if dp is None else x * dp), (h if rdp is None else h * rdp)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_options_config(self, "kernel", "recurrent", "bias"),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config


def _num(shape):
    n = 1
    for d in dims(shape):
        if d is None:
            raise ValueError(f"RNN: the feature dimensions of the inputs must be known, got {dims(shape)}")
        n *= d
    return n


class SimpleRNNCell(_Cell):
    """h = activation(x @ kernel + h_prev @ recurrent_kernel + bias). `tf.keras.layers.SimpleRNNCell(4)`"""

    gates = 1

    def build(self, input_shape):
        self._build_kernels(dims(input_shape)[-1], (self.units,))

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x, h = self._dropped(inputs, h_prev)
        y = _linalg.matmul(x, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        y = self.activation(y + _linalg.matmul(h, self.recurrent_kernel))
        return y, [y]


class LSTMCell(_Cell):
    """One LSTM step; gates i, f, c, o in that order along the kernels' last axis.

    >>> cell = tf.keras.layers.LSTMCell(4)
    >>> tf.keras.layers.RNN(cell)(tf.ones([2, 3, 5])).shape
    TensorShape([2, 4])
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        init = None
        if self.use_bias and self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def init(shape, dtype=None):
                return _a.concat([base((units,), dtype=dtype), _c.ones((units,), dtype=dtype or "float32"),
                                  base((2 * units,), dtype=dtype)], axis=0)
        self._build_kernels(dims(input_shape)[-1], (4 * self.units,), init)

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        x, h = self._dropped(inputs, h_prev)
        z = _linalg.matmul(x, self.kernel) + _linalg.matmul(h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        zi, zf, zc, zo = _a.split(z, 4, axis=-1)
        i = self.recurrent_activation(zi)
        f = self.recurrent_activation(zf)
        c = f * c_prev + i * self.activation(zc)
        o = self.recurrent_activation(zo)
        h_new = o * self.activation(c)
        return h_new, [h_new, c]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias)
        return config


class GRUCell(_Cell):
    """One GRU step; gates z (update), r (reset), h (candidate). reset_after=True applies the reset gate after
    the recurrent matmul and keeps separate input and recurrent biases (bias shape (2, 3 * units)).

    >>> tf.keras.layers.RNN(tf.keras.layers.GRUCell(4))(tf.ones([2, 3, 5])).shape
    TensorShape([2, 4])
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 reset_after=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._build_kernels(dims(input_shape)[-1], bias_shape)

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x, h = self._dropped(inputs, h_prev)
        u = self.units
        if self.bias is None:
            input_bias = recurrent_bias = None
        elif self.reset_after:
            input_bias, recurrent_bias = self.bias[0], self.bias[1]
        else:
            input_bias, recurrent_bias = self.bias, None
        mx = _linalg.matmul(x, self.kernel)
        if input_bias is not None:
            mx = mx + input_bias
        x_z, x_r, x_h = _a.split(mx, 3, axis=-1)
        if self.reset_after:
            mh = _linalg.matmul(h, self.recurrent_kernel)
            if recurrent_bias is not None:
                mh = mh + recurrent_bias
            h_z, h_r, h_h = _a.split(mh, 3, axis=-1)
            z = self.recurrent_activation(x_z + h_z)
            r = self.recurrent_activation(x_r + h_r)
            candidate = self.activation(x_h + r * h_h)
        else:
            mh = _linalg.matmul(h, self.recurrent_kernel[:, :2 * u])
            h_z, h_r = _a.split(mh, 2, axis=-1)
            z = self.recurrent_activation(x_z + h_z)
            r = self.recurrent_activation(x_r + h_r)
            candidate = self.activation(x_h + _linalg.matmul(r * h, self.recurrent_kernel[:, 2 * u:]))
        h_new = z * h_prev + (1 - z) * candidate
        return h_new, [h_new]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      reset_after=self.reset_after)
        return config


CELLS = {c.__name__: c for c in (SimpleRNNCell, LSTMCell, GRUCell)}
