"""tf.compat.v1.train: TF1 optimizers whose minimize() adds gradient and update ops to the graph.

    optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.01)
    train = optimizer.minimize(loss)
    for i in range(100):
        _, loss_value = sess.run((train, loss))

Outside a graph (eager mode) minimize takes a callable loss and updates at once.
"""
import numpy as np

from ... import dtypes
from ...core.state import name_scope
from ...core.tensor import convert_to_tensor
from ...ops import math_ops
from ...train import *  # noqa: F401,F403  (Checkpoint, CheckpointManager, ...)
from . import graph as _graph
from . import building as _ops
from . import variables as _variables
from .gradients import gradients


def _assign(g, var, value, mode):
    """Adds an assign op for var (any variable) to graph g; returns the Operation."""
    value = var._convert(value, mode)
    g.assign_variable(var, value, mode)
    return g.nodes[-1]


def _value(x, dtype):
    x = x() if callable(x) else x
    return math_ops.cast(convert_to_tensor(x), dtype) if hasattr(x, "_dtype") or hasattr(x, "_as_tensor") \
        else convert_to_tensor(x, dtype=dtype)


class Optimizer:
    """Base of TF1 optimizers: compute_gradients, apply_gradients, minimize."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}    # (slot name, id(var)) -> slot variable

    def get_name(self):
        return self._name

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """[(gradient, variable)] for the trainable variables (or var_list)."""
        if callable(loss) and _graph.current_graph() is None:
            from ...core.tape import GradientTape
            with GradientTape() as tape:
                value = loss()
            var_list = list(var_list) if var_list is not None else list(tape.watched_variables())
            return list(zip(tape.gradient(value, var_list), var_list))
        if var_list is None:
            var_list = _variables.trainable_variables()
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """An op applying the gradients (and incrementing global_step, if given)."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        usable = [(g, v) for g, v in grads_and_vars if g is not None]
        if not usable:
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[v.name for _, v in grads_and_vars]} and loss.")
        g = _graph.current_graph()
        if g is None:   # eager: update now
            self._prepare()
            for grad, var in usable:
                self._create_slots_for(var)
            for grad, var in usable:
                self._apply_dense(grad, var)
            self._finish_eager()
            if global_step is not None:
                global_step.assign_add(1)
            return None
        with name_scope(name or self._name):
            self._prepare()
            for _, var in usable:
                self._create_slots_for(var)
            updates = [self._apply_dense(grad, var) for grad, var in usable]
            updates = [u for op in updates for u in (op if isinstance(op, list) else [op])]
            updates += self._finish(g, updates)
            if global_step is not None:
                with _ops.control_dependencies(updates):
                    step = _assign(g, global_step, np.asarray(1, global_step.dtype.as_numpy_dtype), "assign_add")
                updates.append(step)
            return _ops.group(updates, name=name or self._name)

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """compute_gradients then apply_gradients: returns the training op.

        >>> train = tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss)
        """
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    # -- slots -------------------------------------------------------------------------------------

    def _slot_names(self):
        return []

    def _slot_init(self, slot, var):
        return np.zeros(tuple(var.shape.as_list()), var.dtype.as_numpy_dtype)

    def _create_slots_for(self, var):
        for slot in self._slot_names():
            if (slot, id(var)) in self._slots:
                continue
            base = var.name[:-2] if var.name.endswith(":0") else var.name
            prefix = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
            with name_scope(None), name_scope(prefix):
                s = _variables.Variable(self._slot_init(slot, var), trainable=False, dtype=var.dtype,
                                        name=base.rsplit("/", 1)[-1] + "/" + (self._name if slot == "" else slot))
            self._slots[(slot, id(var))] = s

    def get_slot(self, var, name):
        return self._slots.get((name, id(var)))

    def get_slot_names(self):
        return self._slot_names()

    def variables(self):
        return list(self._slots.values()) + self._extra_variables()

    def _extra_variables(self):
        return []

    def _prepare(self):
        pass

    def _finish(self, g, updates):
        return []

    def _finish_eager(self):
        pass

    def _lr(self, var):
        return _value(self._learning_rate, var.dtype)

    def _update(self, var, value, mode):
        g = _graph.current_graph()
        if g is None:
            getattr(var, mode)(value)
            return None
        return _assign(g, var, value, mode)


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * gradient.

    >>> tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss)
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad, var):
        return self._update(var, self._lr(var) * grad, "assign_sub")


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + gradient; var -= learning_rate * accum (or the Nesterov form)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._nesterov = use_nesterov

    def _slot_names(self):
        return ["momentum"]

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "momentum")
        mom = _value(self._momentum, var.dtype)
        new = mom * accum + grad
        op1 = self._update(accum, new, "assign")
        step = grad + mom * new if self._nesterov else new
        return [op1, self._update(var, self._lr(var) * step, "assign_sub")]


class AdagradOptimizer(Optimizer):
    """accum += gradient**2; var -= learning_rate * gradient / sqrt(accum)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial = initial_accumulator_value

    def _slot_names(self):
        return ["Adagrad"]

    def _slot_init(self, slot, var):
        return np.full(tuple(var.shape.as_list()), self._initial, var.dtype.as_numpy_dtype)

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "Adagrad")
        new = accum + grad * grad
        return [self._update(accum, new, "assign"),
                self._update(var, self._lr(var) * grad / math_ops.sqrt(new), "assign_sub")]


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) as TF1 computes it: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t).

    >>> train = tf.compat.v1.train.AdamOptimizer(0.001).minimize(loss)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._beta1, self._beta2, self._epsilon = beta1, beta2, epsilon
        self._powers = None

    def _slot_names(self):
        return ["m", "v"]

    def _create_slots_for(self, var):
        super()._create_slots_for(var)
        if self._powers is None:
            with name_scope(None):
                self._powers = (_variables.Variable(self._beta1, trainable=False, name="beta1_power",
                                                    dtype=dtypes.float32),
                                _variables.Variable(self._beta2, trainable=False, name="beta2_power",
                                                    dtype=dtypes.float32))

    def _extra_variables(self):
        return list(self._powers or ())

    def _apply_dense(self, grad, var):
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        b1, b2 = _value(self._beta1, var.dtype), _value(self._beta2, var.dtype)
        eps = _value(self._epsilon, var.dtype)
        p1, p2 = (math_ops.cast(convert_to_tensor(p), var.dtype) for p in self._powers)
        lr_t = self._lr(var) * math_ops.sqrt(1 - p2) / (1 - p1)
        m_new = b1 * m + (1 - b1) * grad
        v_new = b2 * v + (1 - b2) * grad * grad
        return [self._update(m, m_new, "assign"), self._update(v, v_new, "assign"),
                self._update(var, lr_t * m_new / (math_ops.sqrt(v_new) + eps), "assign_sub")]

    def _finish(self, g, updates):
        p1, p2 = self._powers
        with _ops.control_dependencies(updates):
            return [_assign(g, p1, convert_to_tensor(p1) * self._beta1, "assign"),
                    _assign(g, p2, convert_to_tensor(p2) * self._beta2, "assign")]

    def _finish_eager(self):
        p1, p2 = self._powers
        p1.assign(p1 * self._beta1)
        p2.assign(p2 * self._beta2)


# -- global step ------------------------------------------------------------------------------------

def get_global_step(graph=None):
    """The graph's global step variable, or None."""
    g = graph or _graph.get_default_graph()
    steps = g.get_collection(_variables.GraphKeys.GLOBAL_STEP)
    return steps[0] if steps else None


def create_global_step(graph=None):
    """Creates the int64 global step variable (0) in the graph's GLOBAL_STEP collection."""
    g = graph or _graph.get_default_graph()
    if get_global_step(g) is not None:
        raise ValueError("global_step already exists.")
    with g.as_default(), name_scope(None):
        return _variables.Variable(np.int64(0), trainable=False, name="global_step", dtype=dtypes.int64,
                                   collections=[_variables.GraphKeys.GLOBAL_VARIABLES,
                                                _variables.GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step variable, created if needed."""
    return get_global_step(graph) or create_global_step(graph)
