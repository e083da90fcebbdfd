"""tf.keras.optimizers against step-by-step numpy references of each update rule, clipping, weight decay,
schedules, and training loops (eager, tf.function on a Module, minimize)."""
import math
import warnings

import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import optimizers
from webtensor.keras.optimizers import schedules

rng = np.random.default_rng(2)
STEPS = 5


def _close(actual, expected, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


def _run(opt, w0, grads):
    """Applies the gradient sequence to a float64 variable; returns its value after each step."""
    v = tf.Variable(w0)
    out = []
    for g in grads:
        opt.apply_gradients([(tf.constant(g), v)])
        out.append(v.numpy().copy())
    return out


def _problem(shape=(3,)):
    w0 = rng.normal(size=shape)
    grads = [rng.normal(size=shape) for _ in range(STEPS)]
    return w0, grads


LR = float(np.float32(0.1))   # the learning-rate variable is float32 (floatx), as in Keras


# -- numpy references, written from the update rules ---------------------------------------------------------

def ref_sgd(w, grads, lr=LR, momentum=0.0, nesterov=False):
    out, m = [], np.zeros_like(w)
    for g in grads:
        if momentum == 0:
            w = w - lr * g
        else:
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if nesterov else m)
        out.append(w)
    return out


def ref_adam(w, grads, lr=LR, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    out, m, v, vhat = [], np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if wd is not None:
            w = w - w * wd * lr
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        if amsgrad:
            vhat = np.maximum(vhat, v)
            w = w - alpha * m / (np.sqrt(vhat) + eps)
        else:
            w = w - alpha * m / (np.sqrt(v) + eps)
        out.append(w)
    return out


def ref_rmsprop(w, grads, lr=LR, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    out, v, mom, avg = [], np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        if centered:
            avg = rho * avg + (1 - rho) * g
            denom = v - avg * avg + eps
        else:
            denom = v + eps
        inc = lr * g / np.sqrt(denom)
        if momentum > 0:
            mom = momentum * mom + inc
            w = w - mom
        else:
            w = w - inc
        out.append(w)
    return out


def ref_adagrad(w, grads, lr=LR, init=0.1, eps=1e-7):
    out, acc = [], np.full_like(w, init)
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
        out.append(w)
    return out


CASES = [
    ("sgd", lambda: optimizers.SGD(0.1), ref_sgd),
    ("sgd_momentum", lambda: optimizers.SGD(0.1, momentum=0.9), lambda w, g: ref_sgd(w, g, momentum=0.9)),
    ("sgd_nesterov", lambda: optimizers.SGD(0.1, momentum=0.8, nesterov=True),
     lambda w, g: ref_sgd(w, g, momentum=0.8, nesterov=True)),
    ("adam", lambda: optimizers.Adam(0.1), ref_adam),
    ("adam_betas", lambda: optimizers.Adam(0.1, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
     lambda w, g: ref_adam(w, g, b1=0.5, b2=0.9, eps=1e-3)),
    ("adam_amsgrad", lambda: optimizers.Adam(0.1, amsgrad=True), lambda w, g: ref_adam(w, g, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(0.1), lambda w, g: ref_adam(w, g, wd=0.004)),
    ("adamw_strong", lambda: optimizers.AdamW(0.1, weight_decay=0.5), lambda w, g: ref_adam(w, g, wd=0.5)),
    ("rmsprop", lambda: optimizers.RMSprop(0.1), ref_rmsprop),
    ("rmsprop_momentum", lambda: optimizers.RMSprop(0.1, momentum=0.5), lambda w, g: ref_rmsprop(w, g, momentum=0.5)),
    ("rmsprop_centered", lambda: optimizers.RMSprop(0.1, rho=0.8, centered=True),
     lambda w, g: ref_rmsprop(w, g, rho=0.8, centered=True)),
    ("rmsprop_centered_momentum", lambda: optimizers.RMSprop(0.1, momentum=0.3, centered=True),
     lambda w, g: ref_rmsprop(w, g, momentum=0.3, centered=True)),
    ("adagrad", lambda: optimizers.Adagrad(0.1), ref_adagrad),
    ("adagrad_init", lambda: optimizers.Adagrad(0.1, initial_accumulator_value=1.0, epsilon=1e-3),
     lambda w, g: ref_adagrad(w, g, init=1.0, eps=1e-3)),
    ("sgd_weight_decay", lambda: optimizers.SGD(0.1, weight_decay=0.3),
     lambda w, g: _decayed_sgd(w, g, 0.3)),
]


def _decayed_sgd(w, grads, wd):
    out = []
    for g in grads:
        w = w - w * wd * LR
        w = w - LR * g
        out.append(w)
    return out


@pytest.mark.parametrize("make,ref", [(m, r) for _, m, r in CASES], ids=[n for n, _, _ in CASES])
def test_update_rules_match_numpy(make, ref):
    w0, grads = _problem()
    opt = make()
    got = _run(opt, w0, grads)
    for step, (a, b) in enumerate(zip(got, ref(w0, grads))):
        _close(a, b, rtol=1e-6, atol=1e-9), step
    assert int(opt.iterations.numpy()) == STEPS


@pytest.mark.parametrize("make,ref", [(m, r) for _, m, r in CASES[::3]], ids=[n for n, _, _ in CASES[::3]])
def test_update_rules_in_float32(make, ref):
    w0, grads = _problem((2, 2))
    v = tf.Variable(w0.astype(np.float32))
    opt = make()
    for g in grads:
        opt.apply_gradients([(tf.constant(g.astype(np.float32)), v)])
    assert v.dtype == tf.float32
    assert all(s.dtype == tf.float32 for s in opt.variables[2:])
    _close(v.numpy(), ref(w0, grads)[-1], rtol=1e-4, atol=1e-5)


# -- clipping ----------------------------------------------------------------------------------------------

def _two_var_problem():
    a0, b0 = rng.normal(size=3), rng.normal(size=(2, 2))
    grads = [(3 * rng.normal(size=3), 3 * rng.normal(size=(2, 2))) for _ in range(3)]
    return a0, b0, grads


def _run_pair(opt, a0, b0, grads):
    a, b = tf.Variable(a0), tf.Variable(b0)
    for ga, gb in grads:
        opt.apply_gradients([(tf.constant(ga), a), (tf.constant(gb), b)])
    return a.numpy(), b.numpy()


def test_clipnorm_clips_each_gradient():
    a0, b0, grads = _two_var_problem()
    a, b = _run_pair(optimizers.SGD(0.1, clipnorm=1.0), a0, b0, grads)
    ra, rb = a0.copy(), b0.copy()
    for ga, gb in grads:
        ra -= LR * ga / max(np.linalg.norm(ga), 1.0)
        rb -= LR * gb / max(np.linalg.norm(gb), 1.0)
    _close(a, ra)
    _close(b, rb)


def test_global_clipnorm_scales_all_gradients_together():
    a0, b0, grads = _two_var_problem()
    a, b = _run_pair(optimizers.SGD(0.1, global_clipnorm=2.0), a0, b0, grads)
    ra, rb = a0.copy(), b0.copy()
    for ga, gb in grads:
        norm = math.sqrt((ga ** 2).sum() + (gb ** 2).sum())
        scale = 2.0 / max(norm, 2.0)
        ra -= LR * ga * scale
        rb -= LR * gb * scale
    _close(a, ra)
    _close(b, rb)


def test_clipvalue():
    a0, b0, grads = _two_var_problem()
    a, b = _run_pair(optimizers.SGD(0.1, clipvalue=0.5), a0, b0, grads)
    ra, rb = a0.copy(), b0.copy()
    for ga, gb in grads:
        ra -= LR * np.clip(ga, -0.5, 0.5)
        rb -= LR * np.clip(gb, -0.5, 0.5)
    _close(a, ra)
    _close(b, rb)


def test_clipnorm_with_adam_clips_before_the_moments():
    w0, grads = _problem()
    got = _run(optimizers.Adam(0.1, clipnorm=0.5), w0, grads)
    clipped = [g * 0.5 / max(np.linalg.norm(g), 0.5) for g in grads]
    _close(got[-1], ref_adam(w0, clipped)[-1])


def test_clipnorm_and_global_clipnorm_are_exclusive():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)


# -- learning-rate schedules ----------------------------------------------------------------------------------

def _ref_cosine(step, lr, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    if warmup_target is None:
        step = min(step, decay_steps)
        return lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return lr + (warmup_target - lr) * step / warmup_steps
    s = step - warmup_steps
    return warmup_target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)


SCHEDULES = [
    ("exponential", schedules.ExponentialDecay(0.1, 10, 0.5), lambda s: 0.1 * 0.5 ** (s / 10)),
    ("exponential_staircase", schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 * 0.5 ** (s // 10)),
    ("inverse_time", schedules.InverseTimeDecay(0.1, 10, 0.5), lambda s: 0.1 / (1 + 0.5 * s / 10)),
    ("inverse_time_staircase", schedules.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 / (1 + 0.5 * (s // 10))),
    ("piecewise", schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 10 else 0.5 if s <= 20 else 0.1),
    ("polynomial", schedules.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    ("polynomial_cycle", schedules.PolynomialDecay(0.1, 20, end_learning_rate=0.01, cycle=True),
     lambda s: (0.1 - 0.01) * (1 - s / (20 * max(1, math.ceil(s / 20)))) + 0.01),
    ("cosine", schedules.CosineDecay(0.1, 20, alpha=0.1), lambda s: _ref_cosine(s, 0.1, 20, alpha=0.1)),
    ("cosine_warmup", schedules.CosineDecay(0.0, 20, warmup_target=0.2, warmup_steps=5),
     lambda s: _ref_cosine(s, 0.0, 20, warmup_target=0.2, warmup_steps=5)),
]


@pytest.mark.parametrize("schedule,ref", [(s, r) for _, s, r in SCHEDULES], ids=[n for n, _, _ in SCHEDULES])
def test_schedules_at_several_steps(schedule, ref):
    for step in (0, 1, 4, 5, 9, 10, 11, 15, 20, 21, 33, 50):
        _close(schedule(step), ref(step), rtol=1e-5, atol=1e-7)
    again = type(schedule).from_config(schedule.get_config())
    _close(again(7), ref(7), rtol=1e-5, atol=1e-7)
    assert schedules.deserialize(schedules.serialize(schedule)).get_config() == schedule.get_config()


def test_cosine_decay_restarts():
    s = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    # periods: [0, 10), [10, 30) at half height, [30, 70) at a quarter
    _close(s(0), 0.1, rtol=1e-6)
    _close(s(5), 0.05, rtol=1e-5)
    _close(s(10), 0.05, rtol=1e-5)
    _close(s(20), 0.025, rtol=1e-5)
    _close(s(30), 0.025, rtol=1e-5)
    flat = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=1.0)
    _close(flat(15), 0.05, rtol=1e-5)


def test_schedule_is_evaluated_at_iterations():
    lr = schedules.ExponentialDecay(0.1, 1, 0.5)   # halves every step
    opt = optimizers.SGD(lr)
    w0, grads = _problem()
    got = _run(opt, w0, grads)
    w = w0.copy()
    for t, g in enumerate(grads):
        w = w - float(np.float32(0.1 * 0.5 ** t)) * g
    _close(got[-1], w, rtol=1e-6)
    _close(opt.learning_rate, 0.1 * 0.5 ** STEPS, rtol=1e-6)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.5


def test_schedule_inside_tf_function():
    opt = optimizers.SGD(schedules.PiecewiseConstantDecay([1], [1.0, 0.1]))
    v = tf.Variable(0.0)

    @tf.function
    def step():
        opt.apply_gradients([(tf.constant(-1.0), v)])

    for _ in range(3):
        step()
    _close(v.numpy(), 1.0 + 1.0 + 0.1, rtol=1e-6)


def test_schedule_validation():
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


# -- learning rate variable, callable learning rates ------------------------------------------------------------

def test_learning_rate_is_a_settable_variable():
    opt = optimizers.SGD(0.1)
    assert isinstance(opt.learning_rate, tf.Variable)
    v = tf.Variable(1.0)

    @tf.function
    def step():
        opt.apply_gradients([(tf.constant(1.0), v)])

    step()
    opt.learning_rate = 0.5        # as LearningRateScheduler does between epochs
    step()
    _close(v.numpy(), 1.0 - 0.1 - 0.5, rtol=1e-6)
    assert step.experimental_get_tracing_count() == 1
    _close(opt.learning_rate.numpy(), 0.5)


def test_callable_learning_rate():
    opt = optimizers.SGD(lambda: 0.25)
    v = tf.Variable(1.0)
    opt.apply_gradients([(tf.constant(1.0), v)])
    _close(v.numpy(), 0.75)
    opt2 = optimizers.SGD(lambda step: 0.1 * tf.cast(step + 1, tf.float32))
    w = tf.Variable(0.0)
    for _ in range(3):
        opt2.apply_gradients([(tf.constant(1.0), w)])
    _close(w.numpy(), -(0.1 + 0.2 + 0.3), rtol=1e-6)


# -- apply_gradients contract ---------------------------------------------------------------------------------

def test_none_gradients_are_skipped_with_a_warning():
    opt = optimizers.Adam(0.1)
    a, b = tf.Variable([1.0, 2.0]), tf.Variable(3.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt.apply_gradients([(tf.constant([1.0, 1.0]), a), (None, b)])
    assert any("Gradients do not exist" in str(w.message) for w in caught)
    _close(b.numpy(), 3.0)
    assert not np.allclose(a.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a), (None, b)])


def test_unknown_variable_after_build_raises():
    opt = optimizers.SGD(0.1, momentum=0.9)
    a = tf.Variable(1.0)
    opt.apply_gradients([(tf.constant(1.0), a)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tf.constant(1.0), tf.Variable(2.0))])


def test_slots_are_non_trainable_and_listed_in_order():
    opt = optimizers.Adam(0.1, name="opt")
    a = tf.Variable([1.0, 2.0], name="a")
    b = tf.Variable([[1.0]], name="b")
    assert not opt.built
    opt.apply_gradients(zip([tf.constant([1.0, 1.0]), tf.constant([[1.0]])], [a, b]))
    assert opt.built
    names = [v.name for v in opt.variables]
    assert names == ["opt/iteration:0", "opt/learning_rate:0", "opt/a_momentum:0", "opt/b_momentum:0",
                     "opt/a_velocity:0", "opt/b_velocity:0"]
    assert all(not v.trainable for v in opt.variables)
    assert opt.iterations.dtype == tf.int64


def test_constraints_are_applied_after_the_update():
    v = tf.Variable([0.5, -0.5], constraint=lambda x: tf.clip_by_value(x, 0.0, 1.0))
    optimizers.SGD(1.0).apply_gradients([(tf.constant([-2.0, -0.2]), v)])
    _close(v.numpy(), [1.0, 0.0])


def test_exclude_from_weight_decay():
    opt = optimizers.AdamW(0.1, weight_decay=0.5)
    kernel, bias = tf.Variable([1.0], name="kernel"), tf.Variable([1.0], name="bias")
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([0.0]), kernel), (tf.constant([0.0]), bias)])
    _close(kernel.numpy(), [1.0 - 0.5 * LR], rtol=1e-6)
    _close(bias.numpy(), [1.0])


def test_exponential_moving_average():
    opt = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    v = tf.Variable(1.0)
    values, avg = [], None
    for g in (1.0, 2.0, -1.0):
        opt.apply_gradients([(tf.constant(g), v)])
        values.append(float(v.numpy()))
        avg = values[-1] if avg is None else 0.5 * avg + 0.5 * values[-1]
    opt.finalize_variable_values([v])
    _close(v.numpy(), avg, rtol=1e-6)


# -- training loops ---------------------------------------------------------------------------------------------

class Linear(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.zeros([3, 1]))
        self.b = tf.Variable(tf.zeros([1]))

    def __call__(self, x):
        return x @ self.w + self.b


@pytest.mark.parametrize("make", [
    lambda: optimizers.SGD(0.1, momentum=0.9), lambda: optimizers.Adam(0.05), lambda: optimizers.RMSprop(0.01),
    lambda: optimizers.Adagrad(0.5), lambda: optimizers.SGD(schedules.CosineDecay(0.2, 300, alpha=0.1)),
], ids=["sgd_momentum", "adam", "rmsprop", "adagrad", "sgd_cosine"])
def test_tf_function_training_loop_reaches_the_solution(make):
    x = rng.normal(size=(64, 3)).astype(np.float32)
    true_w = np.array([[2.0], [-1.0], [0.5]], np.float32)
    y = x @ true_w + 0.3
    model, opt = Linear(), make()

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xb) - yb))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    for _ in range(300):
        loss = train_step(x, y)
    assert train_step.experimental_get_tracing_count() == 1
    assert int(opt.iterations.numpy()) == 300
    assert float(loss) < 1e-3
    _close(model.w.numpy(), true_w, atol=2e-2, rtol=0)
    _close(model.b.numpy(), [0.3], atol=2e-2, rtol=0)


def test_traced_step_matches_eager_steps():
    w0, grads = _problem()
    eager_opt, traced_opt = optimizers.Adam(0.1, amsgrad=True), optimizers.Adam(0.1, amsgrad=True)
    eager = _run(eager_opt, w0, grads)
    v = tf.Variable(w0)

    @tf.function
    def step(g):
        traced_opt.apply_gradients([(g, v)])

    for g in grads:
        step(tf.constant(g))
    _close(v.numpy(), eager[-1], rtol=1e-12)
    _close(v.numpy(), ref_adam(w0, grads, amsgrad=True)[-1])


def test_minimize_with_a_callable_loss():
    v = tf.Variable([3.0, -2.0])
    opt = optimizers.SGD(0.1)
    for _ in range(100):
        opt.minimize(lambda: tf.reduce_sum((v - tf.constant([1.0, 4.0])) ** 2), [v])
    _close(v.numpy(), [1.0, 4.0], atol=1e-4)
    # var_list may be a callable too, and a tensor loss needs its tape
    w = tf.Variable(2.0)
    opt2 = optimizers.SGD(0.5)
    opt2.minimize(lambda: w * w, lambda: [w])
    _close(w.numpy(), 0.0)
    u = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        loss = 3.0 * u
    optimizers.SGD(0.1).minimize(loss, [u], tape=tape)
    _close(u.numpy(), 0.7, rtol=1e-6)
    with pytest.raises(ValueError, match="tape"):
        optimizers.SGD(0.1).minimize(loss, [u])


# -- lookup and configs -----------------------------------------------------------------------------------------

def test_get_resolves_names_dicts_and_instances():
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    assert isinstance(optimizers.get("Adam"), optimizers.Adam)
    assert isinstance(optimizers.get("adamw"), optimizers.AdamW)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("adagrad"), optimizers.Adagrad)
    opt = optimizers.SGD(0.3)
    assert optimizers.get(opt) is opt
    assert isinstance(optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.2}}), optimizers.SGD)
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        optimizers.get("nope")
    assert optimizers.get("sgd").get_config()["learning_rate"] == pytest.approx(0.01)
    assert optimizers.get("adam").get_config()["learning_rate"] == pytest.approx(0.001)


@pytest.mark.parametrize("opt", [
    optimizers.SGD(0.2, momentum=0.5, nesterov=True, clipnorm=1.0),
    optimizers.Adam(0.01, beta_1=0.8, amsgrad=True, global_clipnorm=2.0),
    optimizers.AdamW(0.01, weight_decay=0.1), optimizers.RMSprop(0.01, centered=True, momentum=0.1),
    optimizers.Adagrad(0.3, initial_accumulator_value=0.5, clipvalue=0.1),
    optimizers.Adam(schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)),
], ids=lambda o: type(o).__name__)
def test_config_round_trip(opt):
    config = opt.get_config()
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt)
    assert again.get_config() == config


def test_adamw_requires_weight_decay_and_sgd_checks_momentum():
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.SGD(foo=1)


def test_custom_optimizer_with_the_keras_3_contract():
    class SignSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, name="sign_sgd", **kwargs):
            super().__init__(learning_rate=learning_rate, name=name, **kwargs)

        def build(self, var_list):
            if self.built:
                return
            super().build(var_list)
            self.counts = [self.add_variable_from_reference(v, "count") for v in var_list]

        def update_step(self, gradient, variable, learning_rate):
            self.assign_add(self.counts[self._get_variable_index(variable)], tf.ones_like(gradient))
            self.assign_sub(variable, tf.cast(learning_rate, variable.dtype) * tf.sign(gradient))

    v = tf.Variable([1.0, 1.0])
    opt = SignSGD()
    for _ in range(2):
        opt.apply_gradients([(tf.constant([3.0, -0.5]), v)])
    _close(v.numpy(), [0.8, 1.2], rtol=1e-6)
    _close(opt.counts[0].numpy(), [2.0, 2.0])
