"""The browser adapter's early submits (pkg/webtensor/backends/webgpu/browser.py) in headless Chromium.

A hardware adapter submits every few dispatches while Python encodes the next; the software adapter
here submits only at the backend's flush, so these tests force small batches and check that values,
the uniform slots and the buffer pool's bookkeeping come out as with one submit per flush.
"""
import pytest

from browser_support import missing

_reason = missing()
if _reason:
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(scope="module")
def gpu(runner):
    from test_runtime import GPU_SETUP
    out = runner.check(GPU_SETUP)
    assert out.startswith("BrowserAdapter "), out
    return runner


def test_chained_ops_across_early_submits(gpu):
    out = gpu.check("""
import numpy as np
import webtensor as tf
adapter = gpu.adapter
saved = adapter.submit_every
adapter.submit_every = 3
try:
    with tf.device("/GPU:0"):
        y = tf.constant(np.zeros(5, np.float32))
        one = tf.constant(np.arange(5, dtype=np.float32))
        for i in range(40):
            y = tf.add(y, one)
            if i == 10:
                # the backend still counts one pending run: submitted dispatches keep their uniform slots
                assert adapter.pending == 11 and adapter._submitted == 9, (adapter.pending, adapter._submitted)
        z = tf.reshape(tf.tile(y, [6]), (6, 5)) * 0.5  # uniforms of several word counts in one run
    np.testing.assert_array_equal(y.numpy(), np.arange(5, dtype=np.float32) * 40)
    np.testing.assert_array_equal(z.numpy(), np.tile(np.arange(5, dtype=np.float32) * 20, (6, 1)))
    assert adapter.pending == 0 and adapter._submitted == 0
finally:
    adapter.submit_every = saved
print("ok")
""")
    assert out.strip() == "ok", out


def test_training_matches_the_numpy_backend_with_early_submits(gpu):
    out = gpu.check("""
import numpy as np
import webtensor as tf
adapter = gpu.adapter
saved = adapter.submit_every
adapter.submit_every = 5
rng = np.random.default_rng(1)
x = rng.standard_normal((32, 8)).astype(np.float32)
w0 = rng.standard_normal((8, 4)).astype(np.float32)
labels = tf.one_hot(rng.integers(0, 4, 32), 4)

def train(device):
    with tf.device(device):
        w = tf.Variable(w0)
        xs, onehot = tf.constant(x), tf.constant(labels.numpy())
        for _ in range(6):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(onehot, tf.matmul(xs, w)))
            w.assign_sub(0.1 * tape.gradient(loss, w))
    return float(loss), w.numpy()

try:
    gpu_loss, gpu_w = train("/GPU:0")
finally:
    adapter.submit_every = saved
cpu_loss, cpu_w = train("/CPU:0")
np.testing.assert_allclose(gpu_loss, cpu_loss, rtol=1e-5)
np.testing.assert_allclose(gpu_w, cpu_w, rtol=1e-4, atol=1e-5)
print("ok")
""")
    assert out.strip() == "ok", out
