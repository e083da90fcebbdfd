"""Recurrent layers: SimpleRNN, LSTM and GRU (batch-major inputs) and the generic RNN(cell).

The time loop runs in Python over a statically known number of steps (unrolled when tf.function traces),
or as a tf.while_loop when the number of steps is unknown while tracing. The batch dimension may be unknown:
initial states are built from a slice of the inputs.

    lstm = tf.keras.layers.LSTM(16, return_sequences=True)
    lstm(tf.ones([4, 10, 8])).shape      # (4, 10, 16)
"""
from ...core.state import name_scope
from ...ops import array_ops as _a
from ...ops import constructor_ops as _c
from ...ops import math_ops as _m
from ...ops import shape_ops as _s
from ._utils import as_float, dims, training_flag
from .layer import Layer
from .rnn_cells import CELLS as _CELLS
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: F401 - re-exported


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
