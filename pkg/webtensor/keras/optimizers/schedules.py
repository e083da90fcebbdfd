"""tf.keras.optimizers.schedules: learning rates as functions of the optimizer's step.

An optimizer given a schedule evaluates it at `optimizer.iterations` before each update, also inside
tf.function (every schedule is written with tensor ops, no Python branching on the step).

    lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = tf.keras.optimizers.SGD(learning_rate=lr)
    lr(200)           # 0.025
"""
import math

from ... import dtypes
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as _m


def _float(value):
    t = convert_to_tensor(value)
    return t if t.dtype.is_floating else _m.cast(t, dtypes.float32)


def _cast(x, dtype):
    """x as a tensor of dtype; Python numbers convert directly (0.9 stays 0.9 in float64)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return convert_to_tensor(x, dtype=dtype)
    t = x._as_tensor() if hasattr(x, "_as_tensor") else convert_to_tensor(x)
    return t if t.dtype == dtype else _m.cast(t, dtype)


class LearningRateSchedule:
    """Base class: `schedule(step)` returns the learning rate at that step (a scalar tensor).

    >>> class Halving(tf.keras.optimizers.schedules.LearningRateSchedule):
    ...     def __call__(self, step):
    ...         return 0.1 * 0.5 ** tf.cast(step // 10, tf.float32)
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__} must override __call__(self, step).")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__} must override get_config() in "
                                  "order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check_decay_steps(decay_steps, who):
    if decay_steps is None or decay_steps <= 0:
        raise ValueError(f"{who}: Argument `decay_steps` must be > 0, received: decay_steps={decay_steps}")


class _StepDecay(LearningRateSchedule):
    """Shared body of ExponentialDecay and InverseTimeDecay: both decay by decay_rate as a function of
    p = step / decay_steps (floored if staircase); a subclass says how in `_decay(lr, rate, p)`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        _check_decay_steps(decay_steps, type(self).__name__)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        p = _cast(step, lr.dtype) / _cast(self.decay_steps, lr.dtype)
        if self.staircase:
            p = _m.floor(p)
        return self._decay(lr, _cast(self.decay_rate, lr.dtype), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps) (the exponent floored if staircase).

    >>> tf.keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.5, staircase=True)(150)   # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, p):
        return lr * _m.pow(rate, p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i], then values[-1].

    >>> tf.keras.optimizers.schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])(150)   # 0.5
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        values = [_float(v) for v in self.values]
        dtype = values[0].dtype
        step = convert_to_tensor(step) if not hasattr(step, "_as_tensor") else step._as_tensor()
        bounds = [_cast(b, step.dtype) for b in self.boundaries]
        result = _m.cast(_m.less_equal(step, bounds[0]), dtype) * values[0]
        result = result + _m.cast(_m.greater(step, bounds[-1]), dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = _m.logical_and(_m.greater(step, low), _m.less_equal(step, high))
            result = result + _m.cast(inside, dtype) * _cast(value, dtype)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end, step capped at decay_steps (or cycling).

    >>> tf.keras.optimizers.schedules.PolynomialDecay(0.1, 100, end_learning_rate=0.0)(50)   # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        _check_decay_steps(decay_steps, "PolynomialDecay")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        dtype = lr.dtype
        end = _cast(self.end_learning_rate, dtype)
        step = _cast(step, dtype)
        decay_steps = _cast(self.decay_steps, dtype)
        if self.cycle:
            # the first multiple of decay_steps at or above step (1 at step 0)
            multiplier = _m.where(_m.equal(step, 0.0), _m.ones_like(step), _m.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = _m.minimum(step, decay_steps)
        p = step / decay_steps
        return (lr - end) * _m.pow(1.0 - p, _cast(self.power, dtype)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(_StepDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps) (the ratio floored if staircase).

    >>> tf.keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 1.0)(10)   # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def _decay(self, lr, rate, p):
        return lr / (1.0 + rate * p)


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup to warmup_target over warmup_steps, then cosine decay over decay_steps:
    lr * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha), held at the end.

    >>> tf.keras.optimizers.schedules.CosineDecay(0.1, decay_steps=100)(50)   # 0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        _check_decay_steps(decay_steps, "CosineDecay")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_steps, start):
        cosine = 0.5 * (1.0 + _m.cos(math.pi * (step / decay_steps)))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        dtype = lr.dtype
        decay_steps = _cast(self.decay_steps, dtype)
        step = _cast(step, dtype)
        if self.warmup_target is None:
            return self._decay(_m.minimum(step, decay_steps), decay_steps, lr)
        target = _cast(self.warmup_target, dtype)
        warmup_steps = _cast(self.warmup_steps, dtype)
        step = _m.minimum(step, decay_steps + warmup_steps)
        warming = _m.less(step, warmup_steps)
        # NOTE: where, not cond: both sides are cheap scalars, and the unused side may divide by zero harmlessly.
        warm = (target - lr) * (step / _m.maximum(warmup_steps, 1.0)) + lr
        decayed = self._decay(step - warmup_steps, decay_steps, target)
        return _m.where(warming, warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): each period t_mul times longer, its peak m_mul times lower.

    >>> tf.keras.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=10)(10)   # 0.1 (restart)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _check_decay_steps(first_decay_steps, "CosineDecayRestarts")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        dtype = lr.dtype
        fraction = _cast(step, dtype) / _cast(self.first_decay_steps, dtype)
        t_mul, m_mul = _cast(self._t_mul, dtype), _cast(self._m_mul, dtype)
        if self._t_mul == 1.0:
            restarts = _m.floor(fraction)
            fraction = fraction - restarts
        else:
            restarts = _m.floor(_m.log(1.0 - fraction * (1.0 - t_mul)) / _m.log(t_mul))
            sum_r = (1.0 - _m.pow(t_mul, restarts)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / _m.pow(t_mul, restarts)
        peak = _m.pow(m_mul, restarts)
        cosine = 0.5 * peak * (1.0 + _m.cos(math.pi * fraction))
        return lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_CLASSES = {cls.__name__: cls for cls in (LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay,
                                          PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule):
    """A JSON-able description of a schedule.

    >>> tf.keras.optimizers.schedules.serialize(tf.keras.optimizers.schedules.CosineDecay(0.1, 10))["class_name"]
    'CosineDecay'
    """
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The schedule a `serialize` dict describes."""
    custom_objects = custom_objects or {}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret learning rate schedule config: {config!r}")
    cls = custom_objects.get(config["class_name"]) or _CLASSES.get(config["class_name"])
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule {config['class_name']!r}; expected one of "
                         f"{sorted(_CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}))
