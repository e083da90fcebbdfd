"""The WebGPU backend's own behaviour: placement, lazy submission, memory, limits and faults."""
import gc
import warnings

import numpy as np
import pytest

import webtensor as tf
from webtensor.backends.webgpu import programs

pytestmark = pytest.mark.skipif("webgpu" not in tf.config.available_backends(), reason="no WebGPU adapter")


@pytest.fixture
def gpu():
    return tf.config._backends.get("webgpu")


def test_gpu_is_listed_with_adapter_details():
    (device,) = tf.config.list_physical_devices("GPU")
    assert device.device_type == "GPU"
    details = tf.config.experimental.get_device_details(device)
    assert details["device_name"] and details["backend"]
    assert isinstance(details["is_software"], bool)


def test_device_scope_places_tensors_and_ops():
    with tf.device("/GPU:0"):
        x = tf.constant([1.0, 2.0, 3.0])
        y = tf.exp(x) * 2.0
    assert "GPU:0" in x.device and "GPU:0" in y.device
    np.testing.assert_allclose(y.numpy(), np.exp([1.0, 2.0, 3.0]) * 2.0, rtol=1e-5)
    with tf.device("/CPU:0"):
        z = y + 1.0  # the GPU input is read back for a CPU op
    assert "CPU:0" in z.device
    np.testing.assert_allclose(z.numpy(), np.exp([1.0, 2.0, 3.0]) * 2.0 + 1.0, rtol=1e-5)


def test_float64_is_placed_on_the_cpu_with_one_warning(gpu):
    gpu._warned.discard(tf.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tf.device("/GPU:0"):
            a = tf.constant([1.0, 2.0], dtype=tf.float64)
            b = tf.constant([3.0, 4.0], dtype=tf.float64)
            c = a * b
    assert "CPU:0" in c.device
    np.testing.assert_array_equal(c.numpy(), [3.0, 8.0])
    placement = [w for w in caught if "float64" in str(w.message)]
    assert len(placement) == 1, [str(w.message) for w in caught]


def test_dispatches_are_submitted_lazily_and_flushed_by_a_read(gpu):
    gpu.flush()
    with tf.device("/GPU:0"):
        x = tf.constant(np.arange(8, dtype=np.float32))
        y = x
        for _ in range(5):
            y = y + 1.0
        assert gpu.adapter.pending == 5  # recorded, not submitted
        np.testing.assert_array_equal(y.numpy(), np.arange(8) + 5)
    assert gpu.adapter.pending == 0


def test_memory_is_returned_when_tensors_are_dropped(gpu):
    gpu.flush()
    gc.collect()
    before = gpu.memory_info()["current"]
    with tf.device("/GPU:0"):
        big = tf.constant(np.ones((256, 1024), np.float32))
        doubled = big * 2.0
        during = gpu.memory_info()["current"]
        assert during >= before + 2 * 256 * 1024 * 4
        del big, doubled
    gc.collect()
    gpu.flush()
    info = tf.config.memory_info("webgpu")
    assert info["current"] == before
    assert info["pool"] >= 2 * 256 * 1024 * 4  # kept for reuse
    assert info["peak"] >= during


def test_freed_buffers_are_reused_after_the_submit(gpu):
    def step():
        x = tf.constant(np.ones(1000, np.float32))
        x = x * 3.0
        np.testing.assert_array_equal(x.numpy(), np.full(1000, 3.0))

    with tf.device("/GPU:0"):
        step()
        gc.collect()
        created = len(gpu._buffers)
        for _ in range(10):
            step()
    assert len(gpu._buffers) <= created + 1  # the same buffers go round, not new ones per tensor


def test_work_beyond_65535_workgroups_is_split_over_a_2d_grid(gpu):
    n = 65535 * programs.WORKGROUP + 300  # one more row of workgroups than a 1-D dispatch allows
    values = (np.arange(n) % 1000).astype(np.float32)
    with tf.device("/GPU:0"):
        out = tf.constant(values) + 1.0
        result = out.numpy()
    assert result[0] == 1.0 and result[-1] == values[-1] + 1.0
    np.testing.assert_array_equal(result[::9973], values[::9973] + 1.0)


def test_tensor_over_the_binding_limit_raises_resource_exhausted(gpu, monkeypatch):
    monkeypatch.setattr(gpu.adapter, "max_binding_size", 4096)
    with tf.device("/GPU:0"):
        with pytest.raises(tf.errors.ResourceExhaustedError, match="maxStorageBufferBindingSize"):
            tf.constant(np.ones(2048, np.float32))
        small = tf.constant(np.ones(16, np.float32)) * 2.0
    np.testing.assert_array_equal(small.numpy(), np.full(16, 2.0))


def test_out_of_memory_raises_and_the_backend_keeps_working(gpu, monkeypatch):
    real = gpu.adapter.create_buffer

    def refuse(nbytes, kind="storage"):
        if nbytes >= 1 << 20:
            raise MemoryError("Out of memory (injected)")
        return real(nbytes, kind)

    monkeypatch.setattr(gpu.adapter, "create_buffer", refuse)
    gpu.trim()  # an empty pool, so the big tensor must ask the device
    with tf.device("/GPU:0"):
        with pytest.raises(tf.errors.ResourceExhaustedError, match="OOM"):
            tf.constant(np.ones((1024, 1024), np.float32))
        ok = tf.constant(np.arange(4, dtype=np.float32)) + 1.0
    np.testing.assert_array_equal(ok.numpy(), [1, 2, 3, 4])


def test_device_loss_raises_clearly_and_the_next_op_reinitialises(gpu):
    with tf.device("/GPU:0"):
        before = tf.constant([1.0, 2.0]) * 3.0
        before.numpy()
    generation = gpu.generation
    gpu.adapter.device.destroy()
    with tf.device("/GPU:0"):
        with pytest.raises(tf.errors.UnavailableError, match="was lost"):
            (tf.constant([1.0, 2.0]) * 3.0).numpy()
        after = tf.constant([1.0, 2.0]) * 3.0
    np.testing.assert_array_equal(after.numpy(), [3.0, 6.0])
    assert gpu.generation == generation + 1
    with pytest.raises(tf.errors.UnavailableError, match="device that was lost"):
        before.numpy()


def test_pipelines_are_shared_across_shapes(gpu):
    with tf.device("/GPU:0"):
        for shape in [(3,), (5, 7), (2, 3, 4)]:
            x = tf.constant(np.ones(shape, np.float32))
            np.testing.assert_allclose(tf.tanh(x).numpy(), np.tanh(np.ones(shape, np.float32)), rtol=1e-6)
    keys = [k for k in gpu.adapter._pipelines if k[:2] == ("unary", "tanh")]
    assert len(keys) == 1


def test_every_primitive_has_a_webgpu_program():
    """A new primitive needs a WGSL program, or a place in CPU_ONLY with the reason it stays there."""
    from webtensor.core.registry import OPS
    missing = sorted(name for name, op in OPS.items()
                     if op.kernel is not None and name not in programs.PROGRAMS and name not in programs.CPU_ONLY)
    assert not missing, f"primitives without a WebGPU program: {missing}"


def test_custom_gradient_stays_on_the_gpu():
    @tf.custom_gradient
    def clipped(x):
        def grad(dy):
            return tf.clip_by_value(dy, -0.5, 0.5)
        return x * 2.0, grad

    with tf.device("/GPU:0"):
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = clipped(x)
        g = tape.gradient(y, x)
    assert "GPU:0" in y.device
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(g.numpy(), [0.5, 0.5])


@pytest.mark.skipif(__import__("sys").platform == "emscripten", reason="no subprocesses in the browser")
def test_the_basics_guide_runs_with_webgpu_as_the_default_backend():
    """The basics guide (seed 002) end to end, in a fresh process whose default backend is WebGPU."""
    import os
    import pathlib
    import subprocess
    import sys
    here = pathlib.Path(__file__).resolve().parent
    env = dict(os.environ, WEBTENSOR_BACKEND="webgpu")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(here / "test_seed_002.py")], env=env, capture_output=True, text=True,
                          timeout=600, cwd=here.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
