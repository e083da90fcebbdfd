"""webtensor's side of the browser benchmark page (web/bench.html), run in the page's Pyodide kernel.

The page runs this file once, then calls the functions below; each prints one JSON line. Every
WebGPU measurement ends with a 4-byte read of its last result, so it counts execution, not just
encoding. Times are means over runs of calls after one warm-up call (tracing, shader compilation):
the best of WINDOWS runs. `backend` is "webgpu" (the page's adapter) or "numpy" (the CPU reference).
"""
import json
import time

import numpy as np

import webtensor as tf
from webtensor import backends as _backends

MIN_SECONDS = 0.75
WINDOWS = 3
DEVICES = {"webgpu": "/GPU:0", "numpy": "/CPU:0"}


def _timed(fn):
    """Seconds per call of fn(): one warm-up call, then the best of WINDOWS runs of calls, each run
    lasting at least MIN_SECONDS / WINDOWS (the best: other load on a shared machine only adds time)."""
    fn()
    best = float("inf")
    for _ in range(WINDOWS):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_SECONDS / WINDOWS:
                break
        best = min(best, elapsed / calls)
    return best


def _wait(backend, t):
    """Blocks until the device has run everything queued up to t (reads 4 bytes of it on WebGPU)."""
    if backend == "webgpu":
        gpu = _backends.get("webgpu")
        gpu.flush()
        gpu.adapter.read(t._value.buffer, 4)
    else:
        t.numpy()


def _report(**row):
    print(json.dumps(row))


def environment():
    """Pyodide's Python, numpy, webtensor's backends and the WebGPU adapter the kernel sees."""
    import sys
    info = {"python": sys.version.split()[0], "numpy": np.__version__, "backends": tf.config.available_backends()}
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        info["adapter"] = tf.config.experimental.get_device_details(gpus[0])
    _report(**info)


def per_op(backend, count=1000, size=16):
    """Microseconds per eager tf.add on `size` float32 elements, `count` chained adds per timed call."""
    with tf.device(DEVICES[backend]):
        x = tf.constant(np.zeros(size, np.float32))
        one = tf.constant(np.ones(size, np.float32))

    def run():
        with tf.device(DEVICES[backend]):
            y = x
            for _ in range(count):
                y = tf.add(y, one)
        _wait(backend, y)
        return y

    np.testing.assert_array_equal(run().numpy(), np.full(size, count, np.float32))
    _report(case="per_op", backend=backend, us_per_op=_timed(run) / count * 1e6, count=count, size=size)


def matmul(backend, n):
    """GFLOP/s of an n x n float32 matmul (checked against numpy first)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    with tf.device(DEVICES[backend]):
        ga, gb = tf.constant(a), tf.constant(b)
        out = tf.matmul(ga, gb).numpy()
    np.testing.assert_allclose(out, a @ b, rtol=2e-3, atol=2e-3 * n ** 0.5)

    def run():
        with tf.device(DEVICES[backend]):
            c = tf.matmul(ga, gb)
        _wait(backend, c)

    seconds = _timed(run)
    _report(case="matmul", backend=backend, n=n, gflops=2.0 * n ** 3 / seconds / 1e9, ms=seconds * 1e3)


def numpy_matmul(n):
    """GFLOP/s of Pyodide's own numpy (a @ b on float32), outside webtensor."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    seconds = _timed(lambda: a @ b)
    _report(case="matmul", backend="pyodide-numpy", n=n, gflops=2.0 * n ** 3 / seconds / 1e9, ms=seconds * 1e3)


# -- the digits MLP training step -------------------------------------------------------------------

BATCH, FEATURES, HIDDEN, CLASSES = 64, 64, 64, 10
LEARNING_RATE = 0.01


def mlp_problem(seed=0):
    """Glorot-uniform weights, zero biases, one batch of inputs and labels (float32 / int32 numpy).
    The page's tfjs models start from the same arrays (it reads them from `mlp_problem_json`)."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    weights = [glorot(FEATURES, HIDDEN), np.zeros(HIDDEN, np.float32),
               glorot(HIDDEN, CLASSES), np.zeros(CLASSES, np.float32)]
    x = rng.uniform(0, 1, (BATCH, FEATURES)).astype(np.float32)
    labels = rng.integers(0, CLASSES, BATCH).astype(np.int32)
    return weights, x, labels


def mlp_problem_json():
    weights, x, labels = mlp_problem()
    _report(weights=[w.tolist() for w in weights], x=x.tolist(), labels=labels.tolist())


class MLP:
    """dense -> relu -> dense -> softmax cross-entropy, trained by plain SGD on tf.Variables."""

    def __init__(self, weights):
        self.params = [tf.Variable(w) for w in weights]

    def step(self, x, onehot):
        with tf.GradientTape() as tape:
            w1, b1, w2, b2 = self.params
            logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(onehot, logits))
        for p, g in zip(self.params, tape.gradient(loss, self.params)):
            p.assign_sub(LEARNING_RATE * g)
        return loss


def mlp(backend, variant, steps=10):
    """ms per training step of the MLP: variant "eager", "function" (tf.function) or "keras"
    (Sequential.train_on_batch, SGD). `steps` steps per timed call, then one wait. first_loss is the
    loss of step `steps` (the warm-up call's last), computed before that step's update."""
    weights, x, labels = mlp_problem()
    with tf.device(DEVICES[backend]):
        data = tf.constant(x), tf.one_hot(labels, CLASSES)
        if variant == "keras":
            model = tf.keras.Sequential([tf.keras.Input((FEATURES,)), tf.keras.layers.Dense(HIDDEN, activation="relu"),
                                         tf.keras.layers.Dense(CLASSES)])
            model.set_weights(weights)
            model.compile(optimizer=tf.keras.optimizers.SGD(LEARNING_RATE),
                          loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
            step = lambda: model.train_on_batch(*data)  # noqa: E731 - returns the loss as a float (a read)
        else:
            model = MLP(weights)
            fn = tf.function(model.step) if variant == "function" else model.step
            step = lambda: fn(*data)  # noqa: E731
    losses = []

    def run():
        with tf.device(DEVICES[backend]):
            for _ in range(steps):
                loss = step()
        if variant != "keras":
            _wait(backend, loss)
        losses.append(float(loss))

    seconds = _timed(run)
    if not losses[-1] < losses[0]:
        raise AssertionError(f"mlp {backend} {variant}: the loss did not fall ({losses[0]} -> {losses[-1]})")
    _report(case="mlp", backend=backend, variant=variant, ms_per_step=seconds / steps * 1e3,
            first_loss=losses[0], steps=steps)
