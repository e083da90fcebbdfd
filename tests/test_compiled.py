"""The compiled replay of tf.function graphs gives exactly what op-by-op replay gives."""
import numpy as np
import pytest

import webtensor as tf
from webtensor.core import compiled


@pytest.fixture(autouse=True)
def numpy_default():
    """These tests read the numpy plan (tests/test_fusion.py covers webgpu's), whatever the default backend."""
    previous = tf.config.get_backend()
    tf.config.set_backend("numpy")
    try:
        yield
    finally:
        tf.config.set_backend(previous)


def _mlp(seed=0):
    rng = np.random.default_rng(seed)
    x = tf.constant(rng.normal(size=(8, 5)).astype(np.float32))
    y = tf.constant(rng.integers(0, 3, size=8).astype(np.int32))
    params = [tf.Variable(rng.normal(size=(5, 4)).astype(np.float32)), tf.Variable(np.zeros(4, np.float32)),
              tf.Variable(rng.normal(size=(4, 3)).astype(np.float32)), tf.Variable(np.zeros(3, np.float32))]

    def step(x, y):
        w1, b1, w2, b2 = params
        with tf.GradientTape() as tape:
            h = tf.maximum(x @ w1 + b1, 0.)
            logits = h @ w2 + b2
            logp = logits - tf.reduce_logsumexp(logits, axis=1, keepdims=True)
            loss = -tf.reduce_mean(tf.reduce_sum(tf.one_hot(y, 3) * logp, axis=1))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.1 * g)
        return loss
    return x, y, params, step


def test_plan_matches_op_by_op_replay():
    x, y, params, step = _mlp()
    f = tf.function(step)
    concrete = f.get_concrete_function(x, y)
    start = [p.numpy() for p in params]
    losses_plan = [float(f(x, y)) for _ in range(3)]
    after_plan = [p.numpy() for p in params]
    for p, v in zip(params, start):
        p.assign(v)
    losses_replay = []
    for _ in range(3):
        (loss,) = concrete.graph.replay([x, y], [])
        losses_replay.append(float(loss))
    np.testing.assert_allclose(losses_plan, losses_replay, rtol=1e-6)
    for p, v in zip(params, after_plan):
        np.testing.assert_allclose(p.numpy(), v, rtol=1e-6)
    assert losses_plan[2] < losses_plan[0]
    assert concrete._plans["numpy"] is not None


def test_plan_matches_eager_step():
    x, y, params, step = _mlp(1)
    start = [p.numpy() for p in params]
    eager_loss = float(step(x, y))
    eager_after = [p.numpy() for p in params]
    for p, v in zip(params, start):
        p.assign(v)
    f = tf.function(step)
    np.testing.assert_allclose(float(f(x, y)), eager_loss, rtol=1e-6)
    for p, v in zip(params, eager_after):
        np.testing.assert_allclose(p.numpy(), v, rtol=1e-5, atol=1e-7)


def test_plan_drops_dead_nodes_but_keeps_side_effects():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        unused = tf.exp(x) * 3.0  # noqa: F841 - dead: nothing uses it
        v.assign_add(x)
        return x * 2.0

    out = f(tf.constant(2.0))
    assert float(out) == 4.0 and float(v) == 3.0
    plan = f.get_concrete_function(tf.constant(2.0))._plans["numpy"]
    kernels = [s.op.name for s in plan.steps if s.op is not None]
    assert "exp" not in kernels and "multiply" in kernels
    f(tf.constant(1.0))
    assert float(v) == 4.0


def test_plan_reads_variables_at_call_time():
    v = tf.Variable([1.0, 2.0])
    f = tf.function(lambda x: x * v)
    np.testing.assert_array_equal(f(tf.constant(2.0)).numpy(), [2.0, 4.0])
    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(f(tf.constant(2.0)).numpy(), [6.0, 8.0])


def test_plan_errors_name_the_op():
    f = tf.function(lambda p, i: tf.gather(p, i))
    f(tf.constant([1.0, 2.0]), tf.constant([0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices(\[0\])? = 5 is not in \[0, 2\)"):
        f(tf.constant([1.0, 2.0]), tf.constant([5]))


def test_tape_around_function_uses_op_by_op_replay():
    w = tf.Variable(3.0)
    f = tf.function(lambda x: x * w * w)
    f(tf.constant(1.0))  # builds the plan
    with tf.GradientTape() as tape:
        y = f(tf.constant(2.0))
    assert float(tape.gradient(y, w)) == 12.0


def test_unsupported_nodes_fall_back():
    graph = tf.function(lambda x: x + 1).get_concrete_function(tf.constant(1)).graph
    node = graph.nodes[-1]
    saved = node.op.kernel
    try:
        node.op.kernel = None
        with pytest.raises(compiled.Unsupported):
            compiled.Plan(graph, tf.config._backends.default())
    finally:
        node.op.kernel = saved
