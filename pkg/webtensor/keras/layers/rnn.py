"""Recurrent layers: SimpleRNN, LSTM and GRU (batch-major inputs), their cells, and the generic RNN(cell).

The time loop runs in Python over the statically known number of steps, so it traces into tf.function
(the batch dimension may be unknown: initial states are built from a slice of the inputs).

    lstm = tf.keras.layers.LSTM(16, return_sequences=True)
    lstm(tf.ones([4, 10, 8])).shape      # (4, 10, 16)
"""
from ...core.state import name_scope
from ...ops import array_ops as _a
from ...ops import linalg_ops as _linalg
from ...ops import math_ops as _m
from ...ops import nn_ops as _nn
from ...ops import shape_ops as _s
from ...ops import constructor_ops as _c
from .. import activations, constraints, initializers, regularizers
from ._utils import as_float, dims, training_flag
from .layer import Layer

_WEIGHT_ARGS = ("kernel", "recurrent", "bias")


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
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
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
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
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


class RNN(Layer):
    """Runs a cell over the time axis of (batch, time, features) inputs.

    >>> tf.keras.layers.RNN(tf.keras.layers.SimpleRNNCell(3), return_sequences=True)(tf.ones([2, 5, 4])).shape
    TensorShape([2, 5, 3])
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if kwargs.pop("time_major", False):
            _unsupported("time_major=True")
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            raise ValueError("RNN: a list of cells (stacked cells) is not supported by webtensor yet; stack RNN "
                             "layers instead")
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"Argument `cell` should have a `call` method and a `state_size` attribute. Received: "
                             f"cell={cell!r}")
        if stateful:
            _unsupported("stateful=True")
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True

    def _state_sizes(self):
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def build(self, input_shape):
        shape = dims(input_shape)
        if len(shape) < 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim=3, "
                             f"found ndim={len(shape)}. Full shape received: {tuple(shape)}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            with name_scope(self.cell.name):
                self.cell.build((shape[0],) + tuple(shape[2:]))
            self.cell.built = True

    def call(self, inputs, mask=None, training=None, initial_state=None):
        shape = dims(inputs.shape)
        if len(shape) < 3:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim=3, "
                             f"found ndim={len(shape)}. Full shape received: {tuple(shape)}")
        kernel = getattr(self.cell, "kernel", None)
        x = as_float(inputs, kernel.dtype) if kernel is not None else inputs
        mask = None if mask is None else _m.cast(mask, "bool")
        if self.go_backwards:
            x = _a.reverse(x, [1])
            mask = None if mask is None else _a.reverse(mask, [1])
        first = x[:, 0]
        if initial_state is None:
            states = self._initial_state(first)
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != len(self._state_sizes()):
                raise ValueError(f"{type(self).__name__}: expected {len(self._state_sizes())} initial states, got "
                                 f"{len(states)}")
        training = training_flag(training)
        if hasattr(self.cell, "set_dropout_masks"):
            self.cell.set_dropout_masks(first, states[0], training)
        try:
            if shape[1] is None:
                result, states = self._dynamic_loop(x, mask, states, training)
            else:
                result, states = self._static_loop(x, mask, states, training, shape[1])
        finally:
            if hasattr(self.cell, "set_dropout_masks"):
                self.cell._dropout_masks = (None, None)
        if self.return_state:
            return [result] + list(states)
        return result

    def _step(self, x_t, keep, states, previous, training):
        """One cell step; where keep (batch, 1) is False the states and the output stay as they were."""
        if "training" in getattr(self.cell, "_call_params", ()):
            out, new_states = self.cell.call(x_t, states, training=training)
        else:
            out, new_states = self.cell.call(x_t, states)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if keep is not None:
            new_states = [_m.where(keep, n, o) for n, o in zip(new_states, states)]
            previous = _m.zeros_like(out) if previous is None or self.zero_output_for_mask else previous
            out = _m.where(keep, out, previous)
        return out, new_states

    def _static_loop(self, x, mask, states, training, steps):
        """A Python loop over the known number of steps (unrolled into the traced graph)."""
        xs = _a.unstack(x, num=steps, axis=1)
        keeps = [None] * steps if mask is None else [_s.expand_dims(k, -1) for k in _a.unstack(mask, axis=1)]
        outputs, output = [], None
        for x_t, keep in zip(xs, keeps):
            output, states = self._step(x_t, keep, states, output, training)
            if self.return_sequences:
                outputs.append(output)
        return (_a.stack(outputs, axis=1) if self.return_sequences else output), states

    def _dynamic_loop(self, x, mask, states, training):
        """A tf.while_loop over a number of steps known only when the graph runs."""
        from ...core.tensor import convert_to_tensor
        from ...ops.indexing_ops import gather
        from ...ops.while_ops import while_loop
        from ...tensor_shape import TensorShape
        steps = _s.shape(x)[1]
        size = self.cell.output_size if hasattr(self.cell, "output_size") else self._state_sizes()[0]
        zero_out = _m.zeros_like(x[:, 0, :1]) + _c.zeros([size], dtype=x.dtype)
        acc = _s.expand_dims(zero_out, 1)[:, :0]

        def body(t, previous, acc, *states):
            keep = None if mask is None else _s.expand_dims(gather(mask, t, axis=1), -1)
            out, new_states = self._step(gather(x, t, axis=1), keep, list(states), previous, training)
            if self.return_sequences:
                acc = _a.concat([acc, _s.expand_dims(out, 1)], axis=1)
            return (t + 1, out, acc) + tuple(new_states)

        invariants = [TensorShape([]), TensorShape([None, size]), TensorShape([None, None, size])] + \
            [TensorShape([None] + dims(s.shape)[1:]) for s in states]
        result = while_loop(lambda t, *rest: t < steps, body,
                            [convert_to_tensor(0, dtype=steps.dtype), zero_out, acc] + list(states),
                            shape_invariants=invariants)
        return (result[2] if self.return_sequences else result[1]), list(result[3:])

    def _initial_state(self, first_step):
        if hasattr(self.cell, "get_initial_state"):
            return list(self.cell.get_initial_state(first_step))
        base = _m.zeros_like(first_step[:, :1])
        return [base + _c.zeros([size], dtype=base.dtype) for size in self._state_sizes()]

    def compute_mask(self, inputs, mask=None):
        out = mask if (self.return_sequences and mask is not None) else None
        if self.return_state:
            return [out] + [None] * len(self._state_sizes())
        return out

    def compute_output_shape(self, input_shape):
        shape = dims(input_shape)
        units = self.cell.output_size if hasattr(self.cell, "output_size") else self._state_sizes()[0]
        out = (shape[0], shape[1], units) if self.return_sequences else (shape[0], units)
        if self.return_state:
            return [out] + [(shape[0], s) for s in self._state_sizes()]
        return out

    def get_config(self):
        config = super().get_config()
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
                      zero_output_for_mask=self.zero_output_for_mask)
        config["cell"] = {"class_name": type(self.cell).__name__, "config": self.cell.get_config()}
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            cell_cls = _CELLS.get(cell.get("class_name"))
            if cell_cls is None:
                raise ValueError(f"RNN.from_config: unknown cell class {cell.get('class_name')!r}; expected one of "
                                 f"{sorted(_CELLS)}")
            cell = cell_cls.from_config(cell["config"])
        return cls(cell, **config)


def _unsupported(what):
    raise ValueError(f"RNN layers: {what} is not supported by webtensor yet")


_CELLS = {c.__name__: c for c in (SimpleRNNCell, LSTMCell, GRUCell)}
_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
_BASE_ARGS = ("name", "trainable", "dtype", "input_shape", "input_dim", "batch_input_shape", "batch_size",
              "weights", "activity_regularizer")


class _CellRNN(RNN):
    """An RNN layer that builds its own cell from the cell arguments (SimpleRNN, LSTM, GRU)."""

    cell_class = None
    cell_name = None

    def __init__(self, units, **kwargs):
        rnn_kwargs = {k: kwargs.pop(k) for k in _RNN_ARGS if k in kwargs}
        base_kwargs = {k: kwargs.pop(k) for k in _BASE_ARGS if k in kwargs}
        kwargs.pop("use_cudnn", None)
        kwargs.pop("time_major", None)
        cell = self.cell_class(units, name=self.cell_name, dtype=base_kwargs.get("dtype"),
                               trainable=base_kwargs.get("trainable", True), **kwargs)
        super().__init__(cell, **rnn_kwargs, **base_kwargs)

    def __getattr__(self, name):
        # the cell's arguments read as the layer's own: lstm.units, lstm.dropout, lstm.kernel, ...
        if name.startswith("_") or name == "cell" or "cell" not in vars(self):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(vars(self)["cell"], name)

    def get_config(self):
        config = RNN.get_config(self)
        del config["cell"], config["zero_output_for_mask"]
        cell_config = dict(self.cell.get_config())
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class SimpleRNN(_CellRNN):
    """A fully connected RNN whose output is fed back: h = tanh(x W + h U + b).

    >>> tf.keras.layers.SimpleRNN(4)(tf.ones([2, 3, 5])).shape
    TensorShape([2, 4])
    """
    cell_class, cell_name = SimpleRNNCell, "simple_rnn_cell"


class LSTM(_CellRNN):
    """Long short-term memory layer (weights: kernel, recurrent_kernel, bias; gates i, f, c, o).

    >>> out, h, c = tf.keras.layers.LSTM(4, return_sequences=True, return_state=True)(tf.ones([2, 3, 5]))
    >>> out.shape, h.shape
    (TensorShape([2, 3, 4]), TensorShape([2, 4]))
    """
    cell_class, cell_name = LSTMCell, "lstm_cell"


class GRU(_CellRNN):
    """Gated recurrent unit layer (reset_after=True by default, as Keras 3; gates z, r, h).

    >>> tf.keras.layers.GRU(4)(tf.ones([2, 3, 5])).shape
    TensorShape([2, 4])
    """
    cell_class, cell_name = GRUCell, "gru_cell"
