"""Fused elementwise kernels in compiled tf.function plans equal op-by-op execution.

Each chain runs three ways on the webgpu backend: eagerly (one program per op), as a compiled plan
with fusion (generated kernels) and, for reference, in numpy float64.
"""
import numpy as np
import pytest

import webtensor as tf
from webtensor.core import compiled

pytestmark = pytest.mark.skipif("webgpu" not in tf.config.available_backends(), reason="no WebGPU adapter")
TOL = dict(rtol=2e-5, atol=1e-6)


@pytest.fixture
def webgpu():
    previous = tf.config.get_backend()
    tf.config.set_backend("webgpu")
    try:
        yield
    finally:
        tf.config.set_backend(previous)


def _plan(f, *args):
    concrete = f.get_concrete_function(*args)
    return concrete._plans.get(tf.config.get_backend())


def _dispatches(fn, *args):
    before = tf.config.experimental.get_dispatch_count()
    out = fn(*args)
    return out, tf.config.experimental.get_dispatch_count() - before


rng = np.random.default_rng(0)
F = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
I = lambda *shape: rng.integers(-5, 6, size=shape).astype(np.int32)  # noqa: E731

CHAINS = {
    "unary": (lambda x: tf.tanh(tf.exp(x) * 2.0 + 1.0), [F(5, 7)]),
    "broadcast": (lambda a, b, c: (a + b) * c - a, [F(4, 1), F(3), F(4, 3)]),
    "scalar_input": (lambda a, s: tf.sqrt(tf.abs(a * s)) + s, [F(6, 2), F(1)[0].reshape(())]),
    "int32": (lambda i, j: tf.maximum(i * 3 + j, -2) - tf.math.floormod(i, 4), [I(8), I(8)]),
    "bool": (lambda x, y: tf.where(tf.logical_and(x > 0.0, y < 0.5), x, y * 2.0), [F(3, 5), F(3, 5)]),
    "cast": (lambda x: tf.cast(x > 0.0, tf.float32) * x + tf.cast(tf.cast(x * 3.0, tf.int32), tf.float32),
             [F(9)]),
    "repeated_inputs": (lambda x: x * x + x / (x * x + 1.0), [F(4, 4)]),
    "escaping": (lambda x, y: (lambda t: (t, tf.exp(t) * y, -t))(x + y), [F(5), F(5)]),
    "smaller_inner": (lambda a, b: tf.square(a * 2.0 + 1.0) + b, [F(3), F(4, 3)]),
    "smaller_escapes": (lambda a, b: (lambda t: (t, t + b))(a * 2.0 + 1.0), [F(3), F(4, 3)]),
    "across_matmul": (lambda x, w, b: tf.nn.relu(x @ w + b) * 0.5 - tf.nn.leaky_relu(x @ w, 0.3),
                      [F(6, 4), F(4, 5), F(5)]),
    "activations": (lambda x: tf.nn.sigmoid(x) + tf.nn.softplus(x) - tf.nn.elu(x) + tf.zeros_like(x) + 1.0, [F(33)]),
    "comparisons": (lambda x, y: tf.cast(tf.equal(x, y), tf.int32) + tf.cast(tf.greater_equal(x, 0), tf.int32),
                    [I(10), I(10)]),
    "non_finite_constants": (lambda x: tf.where(x > 0.0, x * 2.0, float("-inf")) - tf.minimum(x, float("inf")),
                             [F(12)]),
    "rank4": (lambda x, y: tf.nn.relu(x + y) * x, [F(2, 3, 4, 5), F(1, 3, 1, 5)]),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_fused_chain_equals_per_op(webgpu, name):
    fn, arrays = CHAINS[name]
    args = [tf.constant(a) for a in arrays]
    eager = tf.nest.flatten(fn(*args))
    f = tf.function(fn)
    fused = tf.nest.flatten(f(*args))
    assert len(fused) == len(eager)
    for got, want in zip(fused, eager):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)
    plan = _plan(f, *args)
    assert plan is not None and plan.fused >= 1
    expected = tf.nest.flatten(fn(*[a.astype(np.float64) if a.dtype == np.float32 else a for a in arrays]))
    for got, want in zip(fused, expected):  # and both equal float64 numpy semantics
        np.testing.assert_allclose(got.numpy(), np.asarray(want), rtol=1e-4, atol=1e-5)


def test_one_chain_is_one_dispatch(webgpu):
    x, y = tf.constant(F(64, 64)), tf.constant(F(64))
    fn = lambda x, y: tf.nn.relu(x * 2.0 + y) - tf.exp(-x) / (y * y + 1.0)  # noqa: E731
    f = tf.function(fn)
    f(x, y)
    eager, n_eager = _dispatches(fn, x, y)
    fused, n_fused = _dispatches(f, x, y)
    assert n_fused == 1 and n_eager >= 8
    np.testing.assert_allclose(fused.numpy(), eager.numpy(), **TOL)


def test_generated_kernels_are_cached_by_source(webgpu):
    f = tf.function(lambda x: tf.exp(x) * 3.0 + 1.0)
    g = tf.function(lambda x: tf.exp(x) * 3.0 + 1.0)
    x = tf.constant(F(10))
    f(x)
    g(x)
    kf = [s.fn for s in _plan(f, x).steps if s.kind == compiled._CALL][0]
    kg = [s.fn for s in _plan(g, x).steps if s.kind == compiled._CALL][0]
    (layout_f,), (layout_g,) = kf._layouts.values(), kg._layouts.values()
    assert layout_f[0] == layout_g[0]  # the same pipeline key for the same generated source


def test_run_time_shapes(webgpu):
    spec = tf.TensorSpec([None, 4], tf.float32)
    f = tf.function(lambda x, y: (lambda t: (t, tf.tanh(t) * x))(x * y + 1.0), input_signature=[spec, spec])
    for rows_x, rows_y in ((3, 3), (5, 5), (1, 6), (6, 1)):
        x, y = tf.constant(F(rows_x, 4)), tf.constant(F(rows_y, 4))
        got = f(x, y)
        t = x.numpy() * y.numpy() + 1.0
        np.testing.assert_allclose(got[0].numpy(), t, **TOL)
        np.testing.assert_allclose(got[1].numpy(), np.tanh(t) * x.numpy(), **TOL)
    with pytest.raises(tf.errors.InvalidArgumentError):
        f(tf.constant(F(3, 4)), tf.constant(F(2, 4)))


def test_unfusable_graphs_fall_back(webgpu):
    f = tf.function(lambda x: tf.reduce_sum(tf.transpose(x), axis=0))  # no elementwise chain
    x = tf.constant(F(3, 4))
    np.testing.assert_allclose(f(x).numpy(), F_sum := x.numpy().sum(axis=1), **TOL)
    assert _plan(f, x).fused == 0 and F_sum.shape == (3,)
    cond = tf.function(lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0 + 1.0, lambda: x - 1.0))
    want = x.numpy() * 2.0 + 1.0 if x.numpy().sum() > 0 else x.numpy() - 1.0
    np.testing.assert_allclose(cond(x).numpy(), want, **TOL)
    assert _plan(cond, x) is None  # control flow: op-by-op replay


def test_float64_and_int64_steps_run_on_the_cpu_inside_a_plan(webgpu):
    f = tf.function(lambda x, n: tf.cast(n + 1, tf.float32) * tf.exp(x) + 1.0)
    x, n = tf.constant(F(5)), tf.constant(np.int64(3))
    np.testing.assert_allclose(f(x, n).numpy(), 4.0 * np.exp(x.numpy()) + 1.0, rtol=1e-5)
    assert _plan(f, x, n).fused >= 1


def test_remapping_option_turns_fusion_off(webgpu):
    try:
        tf.config.optimizer.set_experimental_options({"remapping": False})
        f = tf.function(lambda x: tf.exp(x) * 2.0 + 1.0)
        x = tf.constant(F(8))
        _, n = _dispatches(f, x)
        _, n = _dispatches(f, x)
        assert _plan(f, x).fused == 0 and n == 3
    finally:
        tf.config.optimizer.set_experimental_options({"remapping": True})
    np.testing.assert_allclose(f(x).numpy(), np.exp(x.numpy()) * 2.0 + 1.0, rtol=1e-5)


def test_reads_after_assigns_see_the_new_value(webgpu):
    v = tf.Variable(np.ones(4, np.float32))

    @tf.function
    def f(x):
        v.assign(x * 2.0)
        a = v.read_value() + 1.0
        v.assign_add(a)
        return v.read_value() * 3.0, a

    for _ in range(2):
        x = tf.constant(F(4))
        out, a = f(x)
        np.testing.assert_allclose(a.numpy(), x.numpy() * 2.0 + 1.0, **TOL)
        np.testing.assert_allclose(v.numpy(), x.numpy() * 4.0 + 1.0, **TOL)
        np.testing.assert_allclose(out.numpy(), v.numpy() * 3.0, **TOL)


# -- training steps: compiled equals eager, on numpy and webgpu -----------------------------------------------

def _mlp_step(seed):
    r = np.random.default_rng(seed)
    params = [tf.Variable(r.normal(size=(16, 32)).astype(np.float32) * 0.3), tf.Variable(np.zeros(32, np.float32)),
              tf.Variable(r.normal(size=(32, 4)).astype(np.float32) * 0.3), tf.Variable(np.zeros(4, np.float32))]
    opt = tf.keras.optimizers.Adam(0.01)

    def step(x, y):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(x @ params[0] + params[1])
            logits = h @ params[2] + params[3]
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params))
        return loss
    return params, step


def _cnn_step(seed):
    r = np.random.default_rng(seed)
    params = [tf.Variable(r.normal(size=(3, 3, 1, 4)).astype(np.float32) * 0.3), tf.Variable(np.zeros(4, np.float32)),
              tf.Variable(r.normal(size=(36, 3)).astype(np.float32) * 0.3), tf.Variable(np.zeros(3, np.float32))]
    opt = tf.keras.optimizers.SGD(0.1, momentum=0.9)

    def step(x, y):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.nn.conv2d(x, params[0], 1, "SAME") + params[1])
            h = tf.nn.max_pool2d(h, 2, 2, "VALID")
            logits = tf.reshape(h, (-1, 36)) @ params[2] + params[3]
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params))
        return loss
    return params, step


MODELS = {"mlp": (_mlp_step, lambda r: (r.normal(size=(8, 16)), r.integers(0, 4, size=8))),
          "cnn": (_cnn_step, lambda r: (r.normal(size=(4, 6, 6, 1)), r.integers(0, 3, size=4)))}


def _train(make, data, compiled_step, steps=3):
    params, step = make(0)
    fn = tf.function(step) if compiled_step else step
    losses, dispatches = [], 0
    x, y = tf.constant(data[0].astype(np.float32)), tf.constant(data[1].astype(np.int32))
    for _ in range(steps):
        loss, dispatches = _dispatches(fn, x, y)
        losses.append(float(loss))
    return losses, [p.numpy() for p in params], dispatches


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("backend_name", ["numpy", "webgpu"])
def test_training_step_compiled_equals_eager(model, backend_name):
    make, data_of = MODELS[model]
    data = data_of(np.random.default_rng(1))
    previous = tf.config.get_backend()
    tf.config.set_backend(backend_name)
    try:
        eager_losses, eager_params, eager_n = _train(make, data, False)
        plan_losses, plan_params, plan_n = _train(make, data, True)
    finally:
        tf.config.set_backend(previous)
    tol = dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plan_losses, eager_losses, **tol)
    for got, want in zip(plan_params, eager_params):
        np.testing.assert_allclose(got, want, **tol)
    assert plan_losses[-1] < plan_losses[0]
    if backend_name == "webgpu":
        # the goal is a 3x cut; an SGD step has fewer elementwise ops to fuse than an Adam one
        assert plan_n * (3 if model == "mlp" else 2) <= eager_n, (plan_n, eager_n)


def test_keras_fit_compiled_equals_eager(webgpu):
    r = np.random.default_rng(2)
    x = r.normal(size=(32, 8)).astype(np.float32)
    y = r.integers(0, 3, size=32).astype(np.int32)
    results = []
    for eagerly in (True, False):
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(16, activation="relu"),
                                     tf.keras.layers.Dense(3)])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.01), run_eagerly=eagerly,
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        results.append((history.history["loss"], [w.numpy() for w in model.weights]))
    (eager_loss, eager_w), (plan_loss, plan_w) = results
    np.testing.assert_allclose(plan_loss, eager_loss, rtol=1e-5)
    for got, want in zip(plan_w, eager_w):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_plan_lists_what_it_fused(webgpu):
    f = tf.function(lambda x, w: tf.nn.relu(x @ w + 1.0) * 2.0)
    x, w = tf.constant(F(3, 4)), tf.constant(F(4, 2))
    f(x, w)
    kernels = _plan(f, x, w).kernels()
    assert [k["kernel"] for k in kernels] == ["matmul", "fused_add_relu_multiply"]
    graph = f.get_concrete_function(x, w).graph
    by_name = {n.name: n.op.name for n in graph.nodes}
    assert [by_name[n] for n in kernels[1]["nodes"]] == ["add", "relu", "multiply"]
