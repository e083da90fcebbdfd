"""The Keras 3 optimizer contract: build(var_list) creates slot variables, update_step(gradient, variable,
learning_rate) updates one variable; the base class does the rest (clipping, weight decay, the iteration
counter, learning-rate schedules, constraints, moving averages).

Everything runs eagerly or inside tf.function: slot variables are created eagerly even while a function
traces (init_scope), and updates are variable assignments recorded into the traced graph.
"""
import inspect
import re
import warnings

from ... import dtypes
from ...core.state import init_scope, name_scope
from ...core.tape import GradientTape
from ...core.tensor import convert_to_tensor
from ...core.variable import Variable
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import reduction_ops as _r
from .. import backend
from . import schedules as _schedules


def _tensor(x):
    return x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x)


def _cast(x, dtype):
    """x as a tensor of dtype; Python numbers convert directly (0.9 stays 0.9 in float64)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return convert_to_tensor(x, dtype=dtype)
    t = x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x)
    return t if t.dtype == dtype else _m.cast(t, dtype)


def clip_by_norm(value, clip_norm):
    """value * clip_norm / max(l2norm(value), clip_norm): rescaled so its L2 norm is at most clip_norm."""
    l2sum = _r.reduce_sum(_m.square(value), keepdims=True)
    positive = _m.greater(l2sum, 0.0)
    # the two-sided where keeps sqrt's gradient finite at zero
    safe = _m.where(positive, l2sum, _m.ones_like(l2sum))
    l2norm = _m.where(positive, _m.sqrt(safe), l2sum)
    return value * clip_norm / _m.maximum(l2norm, clip_norm)


def global_norm(values):
    """sqrt of the sum of squares of every element of every (non-None) tensor."""
    present = [v for v in values if v is not None]
    squares = [_r.reduce_sum(_m.square(_cast(v, present[0].dtype))) for v in present]
    return _m.sqrt(_r.reduce_sum(_a.stack(squares)))


def clip_by_global_norm(values, clip_norm):
    """All values scaled by clip_norm / max(global_norm, clip_norm); NaN everywhere if the norm is not finite."""
    norm = global_norm(values)
    scale = clip_norm * _m.minimum(1.0 / norm, 1.0 / clip_norm)
    scale = scale + (norm - norm)  # inf or NaN norm -> NaN scale, as Keras does
    return [None if v is None else v * _m.cast(scale, v.dtype) for v in values]


class Optimizer:
    """Base class of Keras optimizers; subclasses implement build(var_list) and update_step().

    >>> class PlainSGD(tf.keras.optimizers.Optimizer):
    ...     def __init__(self, learning_rate=0.01, name="plain_sgd", **kwargs):
    ...         super().__init__(learning_rate=learning_rate, name=name, **kwargs)
    ...     def update_step(self, gradient, variable, learning_rate):
    ...         variable.assign_sub(tf.cast(learning_rate, variable.dtype) * gradient)
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        if "lr" in kwargs:
            raise ValueError("Argument `lr` is no longer supported; use `learning_rate` instead.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(f"Only one of `clipnorm` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, global_clipnorm={global_clipnorm}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        if gradient_accumulation_steps not in (None, 1):
            raise NotImplementedError("gradient_accumulation_steps is not supported by webtensor yet")
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._indices = {}
        self._exclude_ids = set()
        self._exclude_names = []
        with init_scope(), name_scope(self.name):
            self.iterations = Variable(0, dtype=dtypes.int64, trainable=False, name="iteration")
        self._variables.append(self.iterations)
        self._learning_rate = self._make_learning_rate(learning_rate)

    # -- learning rate ---------------------------------------------------------------------------------

    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        try:
            value = float(_tensor(learning_rate).numpy())
        except Exception:
            raise ValueError("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or "
                             "a callable (that takes in the current iteration value and returns the corresponding "
                             f"learning rate value). Received instead: learning_rate={learning_rate!r}") from None
        with init_scope(), name_scope(self.name):
            variable = Variable(value, dtype=backend.floatx(), trainable=False, name="learning_rate")
        self._variables.append(variable)
        return variable

    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule evaluated at `iterations`."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            return lr
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self.iterations)
        if _takes_argument(lr):
            return lr(self.iterations)
        return lr()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, _schedules.LearningRateSchedule) or callable(value):
            if isinstance(self._learning_rate, Variable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = value
        elif isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(_cast(value, self._learning_rate.dtype))
        elif isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                            "constructor argument, hence its learning rate is not settable. If you need the "
                            "learning rate to be settable, you should instantiate the optimizer with a float "
                            "`learning_rate` argument.")
        else:
            self._learning_rate = self._make_learning_rate(value)

    lr = learning_rate

    # -- variables -------------------------------------------------------------------------------------

    @property
    def variables(self):
        """iterations, the learning-rate variable (if any), then slot variables in creation order."""
        return list(self._variables)

    def build(self, var_list):
        """Records the variables this optimizer updates; subclasses create their slots after calling this."""
        if self.use_ema:
            self._ema_variables = [self.add_variable_from_reference(v, "average") for v in var_list]
        self._trainable_variables = list(var_list)
        self._indices = {id(v): i for i, v in enumerate(self._trainable_variables)}
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="mean", name=None):
        """A new non-trainable optimizer variable (created eagerly, also while tf.function traces)."""
        from .. import initializers
        init = initializers.get(initializer)
        dtype = dtypes.as_dtype(dtype or backend.floatx())
        shape = tuple(shape)
        with init_scope(), name_scope(self.name):
            variable = Variable(lambda: init(shape, dtype=dtype), dtype=dtype, trainable=False, name=name)
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot variable shaped like reference_variable, e.g. Adam's first moment for a weight."""
        base = str(reference_variable.name).split(":")[0].replace("/", "_")
        return self.add_variable(tuple(reference_variable.shape), initializer=initializer,
                                 dtype=reference_variable.dtype, name=f"{base}_{name or 'var'}")

    def _get_variable_index(self, variable):
        return self._indices[id(variable)]

    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    # -- applying gradients ----------------------------------------------------------------------------

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(f"Optimizer subclass {type(self).__name__} must implement "
                                  "update_step(gradient, variable, learning_rate)")

    def apply_gradients(self, grads_and_vars):
        """Applies (gradient, variable) pairs (None gradients are skipped with a warning); returns iterations.

        >>> opt = tf.keras.optimizers.SGD(0.1)
        >>> opt.apply_gradients([(tf.constant(1.0), v)])
        """
        pairs = list(grads_and_vars)
        if not pairs:
            return self.iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        """Applies grads to trainable_variables (default: the variables the optimizer was built with)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Got {len(grads)} gradients for {len(trainable_variables)} variables")
        if not self.built:
            with init_scope():
                self.build(trainable_variables)
            self.built = True
        self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = [_tensor(g) for g in grads]
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        learning_rate = self.learning_rate
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)
        if self.use_ema:
            self._update_moving_averages()
        self.iterations.assign_add(1)
        for variable in trainable_variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable.value()))

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of loss (a tensor recorded on `tape`, or a callable) and applies them.

        >>> opt.minimize(lambda: tf.reduce_sum(v ** 2), [v])
        """
        grads_and_vars = self.compute_gradients(loss, var_list, tape)
        return self.apply_gradients(grads_and_vars)

    def compute_gradients(self, loss, var_list, tape=None):
        """[(gradient, variable)] for loss (a callable, or a tensor together with the tape that recorded it)."""
        if not callable(loss) and tape is None:
            raise ValueError(f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, tape={tape}.")
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(list(var_list))
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        elif callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def _check_variables_are_known(self, variables):
        for v in variables:
            if id(v) not in self._indices:
                raise ValueError(f"Unknown variable: {v!r}. This optimizer can only be called for the variables it "
                                 "was originally built with. When working with a new set of variables, you should "
                                 "recreate a new optimizer instance.")

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(f"No gradients provided for any variable: {[v.name for v in variables]}.")
        if len(kept) < len(grads):
            missing = [v.name for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [_m.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # -- weight decay ----------------------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or variables whose name matches a regex in var_names) that weight decay leaves alone."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids.update(id(v) for v in (var_list or ()))
        self._exclude_names.extend(var_names or ())

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not any(re.search(name, variable.name) for name in self._exclude_names)

    def _apply_weight_decay(self, variables):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = _cast(self.learning_rate, variable.dtype)
                decay = _cast(self.weight_decay, variable.dtype)
                variable.assign(variable.value() - variable.value() * decay * lr)

    # -- exponential moving average of the weights -----------------------------------------------------

    def _update_moving_averages(self):
        not_first = _m.not_equal(self.iterations.value(), 0)  # the first average is the weight itself
        for variable, average in zip(self._trainable_variables, self._ema_variables):
            momentum = _m.cast(not_first, variable.dtype) * self.ema_momentum
            average.assign(momentum * average.value() + (1.0 - momentum) * variable.value())
        if self.ema_overwrite_frequency:
            due = _m.equal(_m.floormod(self.iterations.value() + 1, self.ema_overwrite_frequency), 0)
            for variable, average in zip(self._trainable_variables, self._ema_variables):
                variable.assign(_m.where(due, average.value(), variable.value()))

    def finalize_variable_values(self, var_list):
        """With use_ema, sets each variable to its moving average (fit calls this at the end of training)."""
        if self.use_ema:
            for variable in var_list:
                variable.assign(self._ema_variables[self._get_variable_index(variable)].value())

    # -- saving ----------------------------------------------------------------------------------------

    def save_own_variables(self, store):
        """Writes every optimizer variable's value into store["0"], store["1"], ..."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Restores the values written by save_own_variables (the optimizer must be built the same way)."""
        if len(store) != len(self._variables):
            raise ValueError(f"Skipping variable loading for optimizer '{self.name}', because it has "
                             f"{len(self._variables)} variables whereas the saved optimizer has {len(store)} "
                             "variables.")
        for i, variable in enumerate(self._variables):
            variable.assign(store[str(i)])

    # -- config ----------------------------------------------------------------------------------------

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            learning_rate = _schedules.serialize(lr)
        elif isinstance(lr, Variable):
            learning_rate = float(lr.numpy())
        else:
            from ..initializers import serialize_function
            learning_rate = serialize_function(lr, "learning rate")
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            if lr.get("class_name") == "function":
                from ..initializers import deserialize_function
                config["learning_rate"] = deserialize_function(lr, "learning rate")
            else:
                config["learning_rate"] = _schedules.deserialize(lr, custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _takes_argument(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)
