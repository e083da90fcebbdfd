"""The Keras Layer base class: weights created in build(input_shape), computation in call(inputs).

    class Linear(tf.keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        def call(self, inputs):
            return tf.matmul(inputs, self.w)
"""
import contextlib
import inspect

from ... import dtypes, nest
from ...core.module import Module
from ...core.state import init_scope, name_scope, swapped
from ...core.tensor import SymbolicTensor, Tensor, convert_to_tensor
from ...core.variable import Variable
from ...tensor_shape import TensorShape
from .. import backend
from ..models.keras_tensor import KerasTensor, Node

_ALLOWED_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "weights", "autocast",
                   "input_length"}
# Attributes holding bookkeeping, never searched for sublayers or variables.
_UNTRACKED = frozenset(("_inbound_nodes", "_outbound_nodes", "_losses", "_own_weights", "_regularized",
                        "_callable_losses", "_compile_state", "_call_params", "_build_input_shape", "_history",
                        "_stop_training", "_train_function", "_test_function", "_predict_function",
                        "input_spec", "_input_spec", "_graph", "_output_shape_cache", "_self_tracked_trackables"))


class InputSpec:
    """Constraints on a layer's input: ndim, min_ndim, max_ndim, dtype, shape, or axes={axis: size}.

    >>> tf.keras.layers.InputSpec(min_ndim=2, axes={-1: 3})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze

    def get_config(self):
        return {"dtype": None if self.dtype is None else self.dtype.name, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises ValueError when inputs do not meet the layer's InputSpec (rank, axis sizes, dtype)."""
    if input_spec is None:
        return
    specs = nest.flatten(input_spec)
    flat = nest.flatten(inputs)
    if len(specs) > 1 and len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
                         f"input tensors. Inputs received: {inputs}")
    for i, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None:
            continue
        shape = getattr(x, "shape", None)
        if shape is None:
            continue
        shape = TensorShape(shape)
        if shape.rank is None:
            continue
        rank = shape.rank
        dims = tuple(shape.as_list())
        prefix = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(f"{prefix}expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {dims}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                             f"Full shape received: {dims}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {dims}")
        if spec.dtype is not None and getattr(x, "dtype", None) is not None and x.dtype != spec.dtype:
            raise ValueError(f"{prefix}expected dtype={spec.dtype.name}, found dtype={x.dtype.name}")
        for axis, size in spec.axes.items():
            if size is None:
                continue
            if -rank <= axis < rank and dims[axis] is not None and dims[axis] != size:
                raise ValueError(f"{prefix}expected axis {axis} of input shape to have value {size}, but received "
                                 f"input with shape {dims}")
        if spec.shape is not None:
            for want, got in zip(spec.shape, dims):
                if want is not None and got is not None and want != got:
                    raise ValueError(f"{prefix}expected shape={spec.shape}, found shape={dims}")


class Layer(Module):
    """Base class of Keras layers: `build(input_shape)` creates weights, `call(inputs)` computes.

    >>> layer = tf.keras.layers.Dense(3)
    >>> layer(tf.ones([2, 4])).shape
    TensorShape([2, 3])
    """

    def __init__(self, trainable=True, name=None, dtype=None, activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{ {k: kwargs[k] for k in sorted(unknown)} }")
        if name is None:
            name = backend.unique_name(backend.to_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: "
                             f"name={name!r} (of type {type(name)})")
        Module.__init__(self, name=name)
        self._trainable = bool(trainable)
        self._dtype_name = backend.standardize_dtype(getattr(dtype, "name", dtype) if dtype is not None else None)
        self.built = False
        self._own_weights = []
        self._regularized = []
        self._losses = []
        self._callable_losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._build_input_shape = None
        self.autocast = kwargs.get("autocast", True)
        self.supports_masking = getattr(self, "supports_masking", False)
        self._initial_weights = kwargs.get("weights")
        if activity_regularizer is not None and not callable(activity_regularizer):
            from .. import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        self._call_params = _call_params(self.call)
        batch_input_shape = kwargs.get("batch_input_shape")
        if batch_input_shape is None:
            if "input_shape" in kwargs and kwargs["input_shape"] is not None:
                batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
            elif kwargs.get("input_dim") is not None:
                batch_input_shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._batch_input_shape = None if batch_input_shape is None else tuple(batch_input_shape)

    # -- to override -------------------------------------------------------------------------------

    def build(self, input_shape):
        """Creates the layer's weights; called once, before the first call, with the input's shape."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation (override it)."""
        return inputs

    def get_config(self):
        """The arguments that rebuild this layer: `type(layer).from_config(layer.get_config())`."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        """A new layer from the dict get_config() returned."""
        config = dict(config)
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                            f"Exception encountered: {e}") from e

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape, found by tracing call on a symbolic input."""
        specs = nest.map_structure(lambda s: KerasTensor(s, self.compute_dtype), _as_shape_structure(input_shape))
        out = self.compute_output_spec(specs)
        return nest.map_structure(lambda t: tuple(t.shape.as_list()), out)

    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensors (shape and dtype) for KerasTensor arguments, without recording a node."""
        self._maybe_build(args, kwargs)
        return _trace_outputs(self, args, kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the outputs: the input mask when the layer supports masking, else None."""
        if not self.supports_masking:
            return None
        return previous_mask

    # -- weights ----------------------------------------------------------------------------------

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, aggregation=None, synchronization=None, **kwargs):
        """Creates a weight variable of this layer (initializer by name or callable; glorot_uniform for floats).

        >>> self.kernel = self.add_weight(name="kernel", shape=(4, 3), initializer="glorot_uniform")
        """
        if "getter" in kwargs or "partitioner" in kwargs or "use_resource" in kwargs:
            kwargs = {}
        if kwargs:
            raise TypeError(f"Unknown keyword arguments passed to add_weight of layer {self.name!r}: {sorted(kwargs)}")
        shape = () if shape is None else tuple(TensorShape(shape).as_list())
        dtype = dtypes.as_dtype(dtype if dtype is not None else self._dtype_name)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = _get_initializer(initializer)
        if regularizer is not None and not callable(regularizer):
            from .. import regularizers
            regularizer = regularizers.get(regularizer)
        if constraint is not None and not callable(constraint):
            from .. import constraints
            constraint = constraints.get(constraint)
        from ...core.state import state
        scope = contextlib.nullcontext() if state.scope and state.scope[-1] == self.name else name_scope(self.name)
        with init_scope(), scope:
            value = _call_initializer(init, shape, dtype)
            var = Variable(value, trainable=trainable, name=name or "variable", dtype=dtype, constraint=constraint)
        self._own_weights.append(var)
        if regularizer is not None:
            self._regularized.append((var, regularizer))
        return var

    add_variable = add_weight

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for layer in self._flatten_layers(include_self=False, recursive=False):
            layer.trainable = value

    @property
    def weights(self):
        """All weights: this layer's (trainable first, in creation order), then each sublayer's."""
        own = self._own_variables()
        return self._with_sublayers([v for v in own if v.trainable] + [v for v in own if not v.trainable],
                                    lambda layer: layer.weights)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._with_sublayers([v for v in self._own_variables() if v.trainable],
                                    lambda layer: layer.trainable_weights)

    def _with_sublayers(self, own, sublayer_weights):
        """own, then sublayer_weights(layer) of each direct sublayer in order, each variable once."""
        out = list(own)
        seen = {id(v) for v in out}
        for layer in self._flatten_layers(include_self=False, recursive=False):
            for v in sublayer_weights(layer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    @property
    def variables(self):
        return list(self.weights)

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        """The weights' values as numpy arrays, in the order of `weights`."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assigns numpy arrays to the weights, in the order of `weights`."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                             f"{len(weights)}, but the layer was expecting {len(params)} weights.")
        for v, w in zip(params, weights):
            w_shape = tuple(getattr(w, "shape", None) or TensorShape(convert_to_tensor(w).shape).as_list())
            if tuple(v.shape.as_list()) != tuple(w_shape):
                raise ValueError(f"Layer {self.name} weight shape {tuple(v.shape.as_list())} is not compatible with "
                                 f"provided weight shape {tuple(w_shape)}.")
        for v, w in zip(params, weights):
            v.assign(convert_to_tensor(w, dtype=v.dtype) if not isinstance(w, Tensor) else w)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built and not self.weights:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`.")
        return count_elements(self.weights)

    # -- losses -----------------------------------------------------------------------------------

    def add_loss(self, loss):
        """Adds a loss tensor (cleared at each outermost call) or a zero-argument callable (kept)."""
        if callable(loss) and not isinstance(loss, Tensor):
            self._callable_losses.append(loss)
            return
        for x in nest.flatten(loss):
            if x is not None:
                self._losses.append(x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=self.compute_dtype))

    @property
    def losses(self):
        """Losses from add_loss during the last call plus weight-regularization penalties (recomputed now)."""
        out = []
        for layer in self._flatten_layers(include_self=True, recursive=True):
            out.extend(layer._losses)
            out.extend(fn() for fn in layer._callable_losses)
            for var, reg in layer._regularized:
                out.append(reg(var))
        return out

    def _clear_losses(self):
        for layer in self._flatten_layers(include_self=True, recursive=True):
            layer._losses = []

    # -- calling ----------------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if "_call_params" not in vars(self):
            raise RuntimeError(f"You must call `super().__init__(**kwargs)` in the constructor of "
                               f"{type(self).__name__} before using the layer.")
        if any(isinstance(x, KerasTensor) for x in nest.flatten((args, kwargs))):
            return self._symbolic_call(args, kwargs)
        if not args:
            raise ValueError(f"Layer {self.name} was called without inputs: pass the input tensors as the first "
                             "positional argument.")
        args = (self._convert_inputs(args[0]),) + tuple(args[1:])
        training = self._resolve_training(kwargs)
        if "mask" in self._call_params and kwargs.get("mask") is None:
            masks = [backend.get_keras_mask(x) for x in nest.flatten(args[0])]
            if any(m is not None for m in masks):
                kwargs["mask"] = masks[0] if len(masks) == 1 else nest.pack_sequence_as(args[0], masks)
        assert_input_compatibility(getattr(self, "input_spec", None), args[0], self.name)
        self._maybe_build(args, kwargs)
        with backend.enter_call(training, self) as ctx, name_scope(self.name):
            if ctx.entry_layer is self:
                self._clear_losses()
            outputs = self.call(*args, **kwargs)
        if self.activity_regularizer is not None:
            for out in nest.flatten(outputs):
                if isinstance(out, Tensor):
                    self.add_loss(self.activity_regularizer(out))
        self._set_output_masks(args[0], kwargs.get("mask"), outputs)
        return outputs

    def _resolve_training(self, kwargs):
        """training: the caller's argument, else the enclosing call's, else fit/evaluate's phase."""
        training = kwargs.get("training")
        if training is None:
            ctx = backend.call_context()
            training = ctx.training if ctx is not None else None
        if training is None:
            training = backend.learning_phase()
        if "training" in self._call_params:
            if training is not None:
                kwargs["training"] = training
        else:
            kwargs.pop("training", None)
        return training

    def _convert_inputs(self, inputs):
        def convert(x):
            if isinstance(x, Tensor):
                if self.autocast and x.dtype.is_floating and x.dtype != self.compute_dtype and \
                        dtypes.as_dtype(self.compute_dtype).is_floating:
                    from ...ops import math_ops
                    return math_ops.cast(x, self.compute_dtype)
                return x
            if hasattr(x, "_as_tensor"):
                return x
            if x is None or isinstance(x, (str, bool)):
                return x
            try:
                import numpy as np
                arr = np.asarray(x)
            except Exception:  # noqa: BLE001  (not array-like: pass it through)
                return x
            if arr.dtype.kind == "f":
                return convert_to_tensor(arr.astype(self.compute_dtype if dtypes.as_dtype(
                    self.compute_dtype).is_floating else backend.floatx()))
            if arr.dtype.kind in "iub":
                return convert_to_tensor(arr)
            return x
        return nest.map_structure(convert, inputs)

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        first = args[0] if args else next(iter(kwargs.values()), None)
        input_shape = _shape_structure(first)
        self._build_input_shape = input_shape
        with name_scope(self.name):
            self.build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _set_output_masks(self, inputs, mask, outputs):
        if not self.supports_masking and type(self).compute_mask is Layer.compute_mask:
            return
        if mask is None:
            masks = [backend.get_keras_mask(x) for x in nest.flatten(inputs)]
            mask = masks[0] if len(masks) == 1 else (None if all(m is None for m in masks) else masks)
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is None:
            return
        flat = nest.flatten(outputs)
        masks = nest.flatten(out_mask) if isinstance(out_mask, (list, tuple)) else [out_mask] * len(flat)
        for out, m in zip(flat, masks):
            if isinstance(out, Tensor):
                backend.set_keras_mask(out, m)

    def _symbolic_call(self, args, kwargs):
        """Functional API: computes output shapes by tracing call, and records a Node."""
        for i, x in enumerate(nest.flatten(args[0] if args else None)):
            if isinstance(x, KerasTensor):
                assert_input_compatibility(getattr(self, "input_spec", None), args[0], self.name)
                break
        self._maybe_build(args, kwargs)
        outputs = _trace_outputs(self, args, kwargs)
        node_index = len(self._inbound_nodes)
        flat = nest.flatten(outputs)
        for i, kt in enumerate(flat):
            kt._keras_history = (self, node_index, i)
            kt.name = self.name if len(flat) == 1 else f"{self.name}_{i}"
        node = Node(self, args, kwargs, outputs)
        self._inbound_nodes.append(node)
        for kt in node.input_tensors:
            kt._keras_history[0]._outbound_nodes.append(node)
        return outputs

    # -- properties -------------------------------------------------------------------------------

    @property
    def dtype(self):
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def variable_dtype(self):
        return self._dtype_name

    @property
    def input_shape(self):
        if self._inbound_nodes:
            return nest.map_structure(lambda t: tuple(t.shape.as_list()),
                                      _first_arg(self._inbound_nodes[0]))
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        raise AttributeError(f"The layer {self.name} has never been called and thus has no defined input shape.")

    @property
    def output_shape(self):
        if self._inbound_nodes:
            return nest.map_structure(lambda t: tuple(t.shape.as_list()), self._inbound_nodes[0].outputs)
        raise AttributeError(f"The layer {self.name} has never been called and thus has no defined output shape.")

    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return _first_arg(self._inbound_nodes[0])

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._inbound_nodes[0].outputs

    @property
    def layers(self):
        return list(self._flatten_layers(include_self=False, recursive=False))

    @property
    def submodules(self):
        return tuple(self._flatten_layers(include_self=False, recursive=True))

    def _own_variables(self):
        own = list(self._own_weights)
        seen = {id(v) for v in own}
        for key, value in vars(self).items():
            if key in _UNTRACKED:
                continue
            for v in _leaves(value, Variable):
                if id(v) not in seen:
                    seen.add(id(v))
                    own.append(v)
        return own

    def _flatten_layers(self, include_self=True, recursive=True):
        """This layer's sublayers in assignment order (attributes, lists, dicts), without duplicates."""
        seen = {id(self)}
        out = [self] if include_self else []
        _collect_layers(self, seen, out, recursive)
        return out

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self.name}, built={self.built}>"


# -- helpers ---------------------------------------------------------------------------------------

def num_elements(variable):
    """The number of scalars in a variable of fully known shape."""
    n = 1
    for d in variable.shape.as_list():
        n *= d
    return int(n)


def count_elements(variables):
    """The number of scalars in all of the variables (count_params, Model.summary)."""
    return sum(num_elements(v) for v in variables)


def _collect_layers(layer, seen, out, recursive):
    for key, value in vars(layer).items():
        if key in _UNTRACKED:
            continue
        for sub in _leaves(value, Layer):
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            out.append(sub)
            if recursive:
                _collect_layers(sub, seen, out, recursive)


def _leaves(value, cls, depth=0):
    """Objects of cls in value, or inside its lists, tuples and dicts (in order)."""
    if isinstance(value, cls):
        return [value]
    if depth > 4:
        return []
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v, cls, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _leaves(v, cls, depth + 1)]
    return []


def _call_params(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(params)


def _first_arg(node):
    if node.call_args:
        return node.call_args[0]
    return next(iter(node.call_kwargs.values()))


def _shape_of(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    shape = TensorShape(shape)
    return None if shape.rank is None else tuple(shape.as_list())


def _shape_structure(x):
    if isinstance(x, (list, tuple, dict)):
        return nest.map_structure(_shape_of, x)
    return _shape_of(x)


def _as_shape_structure(shape):
    """A shape, or nested shapes, as TensorShape leaves (tuples of ints are one shape)."""
    if isinstance(shape, TensorShape):
        return shape
    if isinstance(shape, dict):
        return {k: _as_shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(s, (list, tuple, TensorShape)) for s in shape):
        return [_as_shape_structure(s) for s in shape]
    return TensorShape(shape)


def _trace_outputs(layer, args, kwargs):
    """Runs layer.call on placeholders standing for the KerasTensors; returns output KerasTensors."""
    from ...core.graph import Graph
    graph = Graph(f"{layer.name}_symbolic")

    def placeholder(x):
        if isinstance(x, KerasTensor):
            return graph.placeholder(x._shape if x._shape is not None else (), x.dtype, "x")
        return x

    with swapped(graph=graph, tapes=(), scope=()):
        sym_args, sym_kwargs = nest.map_structure(placeholder, (tuple(args), dict(kwargs)))
        sym_args = list(sym_args)
        if sym_args:
            sym_args[0] = layer._convert_inputs(sym_args[0])
        training = sym_kwargs.get("training")
        if "training" not in layer._call_params:
            sym_kwargs.pop("training", None)
        saved = [(lyr, list(lyr._losses)) for lyr in layer._flatten_layers(include_self=True, recursive=True)]
        with backend.enter_call(training, layer), name_scope(layer.name):
            outputs = layer.call(*sym_args, **sym_kwargs)
        for lyr, losses in saved:
            lyr._losses = losses

    def to_keras(t):
        if isinstance(t, SymbolicTensor) or isinstance(t, Tensor):
            return KerasTensor(t._shape, t._dtype)
        if hasattr(t, "_as_tensor"):
            v = t._as_tensor()
            return KerasTensor(v._shape, v._dtype)
        return t
    return nest.map_structure(to_keras, outputs)


def _get_initializer(initializer):
    if isinstance(initializer, str) or isinstance(initializer, dict):
        from .. import initializers
        return initializers.get(initializer)
    return initializer


def _call_initializer(init, shape, dtype):
    if isinstance(init, (Tensor, Variable)):
        return init
    if not callable(init):
        import numpy as np
        return convert_to_tensor(np.asarray(init), dtype=dtype)
    try:
        return init(shape, dtype=dtype)
    except TypeError:
        return init(shape)
