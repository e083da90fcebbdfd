"""float16 on WebGPU adapters with shader-f16: storage as f16, math in f32, values vs numpy float16."""
import numpy as np
import pytest

import webtensor as tf
from webtensor import dtypes

pytestmark = pytest.mark.skipif(
    "webgpu" not in tf.config.available_backends()
    or not getattr(tf.config._backends.get("webgpu").adapter, "has_f16", False),
    reason="no WebGPU adapter with shader-f16")

RTOL = 2e-3  # one float16 rounding (2^-11 relative) plus f32-vs-f16 intermediate differences


def gpu(x):
    with tf.device("/GPU:0"):
        return tf.constant(x)


def values(shape, seed=0):
    return np.random.default_rng(seed).uniform(-3, 3, shape).astype(np.float16)


def test_float16_lives_on_the_gpu_and_round_trips():
    x = values((3, 5))
    t = gpu(x)
    assert t.dtype == dtypes.float16 and "GPU" in t.device
    np.testing.assert_array_equal(t.numpy(), x)
    with tf.device("/GPU:0"):
        empty = tf.zeros((0, 3), tf.float16) + tf.constant(np.zeros((0, 3), np.float16))
    assert empty.numpy().shape == (0, 3) and empty.dtype == dtypes.float16


@pytest.mark.parametrize("name, fn, ref", [
    ("add", lambda a, b: a + b, np.add), ("multiply", lambda a, b: a * b, np.multiply),
    ("subtract", lambda a, b: a - b, np.subtract), ("maximum", tf.maximum, np.maximum),
    ("div", lambda a, b: a / b, np.divide),
])
def test_binary_broadcasting(name, fn, ref):
    a, b = values((4, 1, 6), 1), values((5, 1), 2)
    b = np.where(np.abs(b) < 0.1, np.float16(0.5), b)
    with tf.device("/GPU:0"):
        out = fn(gpu(a), gpu(b))
    assert out.dtype == dtypes.float16 and "GPU" in out.device
    np.testing.assert_allclose(out.numpy().astype(np.float32), ref(a, b).astype(np.float32), rtol=RTOL, atol=1e-3)


def test_unary_and_comparisons():
    x = values((1000,), 3)
    with tf.device("/GPU:0"):
        t = gpu(x)
        exp, sig, relu, less = tf.exp(t), tf.sigmoid(t), tf.nn.relu(t), t < 0.5
    assert all("GPU" in r.device for r in (exp, sig, relu, less))
    np.testing.assert_allclose(exp.numpy().astype(np.float32), np.exp(x).astype(np.float32), rtol=RTOL)
    ref_sig = (1 / (1 + np.exp(-x.astype(np.float32)))).astype(np.float16)
    np.testing.assert_allclose(sig.numpy().astype(np.float32), ref_sig.astype(np.float32), rtol=RTOL, atol=1e-3)
    np.testing.assert_array_equal(relu.numpy(), np.maximum(x, np.float16(0)))
    np.testing.assert_array_equal(less.numpy(), x < np.float16(0.5))


def test_casts_to_and_from_float32_and_int32():
    x = np.array([0.1, -2.5, 65504.0, 1e-4, 3.75], np.float32)
    with tf.device("/GPU:0"):
        h = tf.cast(gpu(x), tf.float16)
        back = tf.cast(h, tf.float32)
        ints = tf.cast(h, tf.int32)
        from_int = tf.cast(gpu(np.array([1, -7, 2049], np.int32)), tf.float16)
    assert h.dtype == dtypes.float16
    np.testing.assert_array_equal(h.numpy(), x.astype(np.float16))
    np.testing.assert_array_equal(back.numpy(), x.astype(np.float16).astype(np.float32))
    np.testing.assert_array_equal(ints.numpy(), x.astype(np.float16).astype(np.int32))
    np.testing.assert_array_equal(from_int.numpy(), np.array([1, -7, 2049]).astype(np.float16))


@pytest.mark.parametrize("m, k, n", [(64, 70, 33), (5, 300, 3), (130, 257, 70)])
def test_matmul_accumulates_in_float32(m, k, n):
    a, b = values((m, k), 4), values((k, n), 5)
    with tf.device("/GPU:0"):
        out = tf.matmul(gpu(a), gpu(b))
    assert out.dtype == dtypes.float16 and "GPU" in out.device
    ref = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16).astype(np.float32)
    # f32 accumulation: only the final rounding differs from the f32 reference (an f16 accumulator
    # would drift by ~sqrt(k) ulps of the partial sums)
    np.testing.assert_allclose(out.numpy().astype(np.float32), ref, rtol=RTOL, atol=2e-2)


def test_ops_without_float16_programs_fall_back_to_the_cpu():
    x = values((8, 300), 6)
    with tf.device("/GPU:0"):
        s = tf.reduce_sum(gpu(x), axis=1)
    assert s.dtype == dtypes.float16
    np.testing.assert_allclose(s.numpy().astype(np.float32), x.astype(np.float32).sum(axis=1), rtol=1e-2, atol=0.5)
