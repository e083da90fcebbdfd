"""WebGPU benchmark: matmul GFLOP/s, elementwise GB/s, per-op cost against the raw wgpu-py floor,
and the MLP training step, beside numpy and PyTorch CPU measured in the same run.

Run with `make bench` (or `.venv/bin/python tests/bench/bench_webgpu.py [--quick]`). It prints
Markdown tables; nothing here asserts a time. Each GPU measurement waits for the queue to drain
(a 4-byte read of the last result), so it counts execution, not just encoding.
"""
import argparse
import datetime
import os
import platform
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import webtensor as tf  # noqa: E402
from bench_core import Timer, WebtensorMLP, mlp_problem  # noqa: E402

try:
    import torch  # noqa: E402
    torch.set_num_threads(1)
except ImportError:
    torch = None


def _wait(backend, t):
    """Blocks until the GPU has finished everything queued up to t (reads 4 bytes of it)."""
    backend.flush()
    backend.adapter.read(t._value.buffer, 4)


def matmul_rows(backend, timer, sizes):
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        with tf.device("/GPU:0"):
            ga, gb = tf.constant(a), tf.constant(b)
            check = tf.matmul(ga, gb)
        np.testing.assert_allclose(check.numpy(), a @ b, rtol=2e-3, atol=2e-3 * n ** 0.5)
        reps = 3 if n >= 1024 else 10

        def gpu():
            with tf.device("/GPU:0"):
                for _ in range(reps):
                    out = tf.matmul(ga, gb)
            _wait(backend, out)

        ta, tb = (torch.from_numpy(a), torch.from_numpy(b)) if torch is not None else (None, None)
        times = timer.compare({
            "webgpu": gpu,
            "numpy": lambda: [a @ b for _ in range(reps)],
            "torch": (lambda: [ta @ tb for _ in range(reps)]) if torch is not None else None,
        })
        flop = 2.0 * n ** 3 * reps
        rows.append((f"matmul {n}", *[None if v is None else flop / v / 1e9 for v in
                                     (times["webgpu"], times["numpy"], times["torch"])]))
    return rows


def elementwise_rows(backend, timer, sizes):
    rows = []
    for n in sizes:
        a = np.arange(n, dtype=np.float32)
        with tf.device("/GPU:0"):
            ga = tf.constant(a)
            np.testing.assert_array_equal((ga + ga).numpy()[:5], a[:5] * 2)

        def gpu():
            with tf.device("/GPU:0"):
                out = ga + ga
            _wait(backend, out)

        ta = torch.from_numpy(a) if torch is not None else None
        times = timer.compare({"webgpu": gpu, "numpy": lambda: a + a,
                               "torch": (lambda: ta + ta) if torch is not None else None})
        nbytes = 12.0 * n  # two reads and one write of 4 bytes per element
        rows.append((f"add {n / 1e6:g}M", *[None if v is None else nbytes / v / 1e9 for v in
                                          (times["webgpu"], times["numpy"], times["torch"])]))
    return rows


def raw_dispatch_floor(backend, count):
    """Seconds per dispatch of a tiny kernel encoded straight through wgpu-py: the floor."""
    import wgpu
    device = backend.adapter.device
    src = """
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { if (gid.x < 4u) { x[gid.x] = x[gid.x] + 1.0; } }
"""
    pipeline = device.create_compute_pipeline(layout="auto", compute={
        "module": device.create_shader_module(code=src), "entry_point": "main"})
    buf = device.create_buffer(size=16, usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC)
    bind = device.create_bind_group(layout=pipeline.get_bind_group_layout(0), entries=[
        {"binding": 0, "resource": {"buffer": buf, "offset": 0, "size": 16}}])

    def run():
        encoder = device.create_command_encoder()
        cpass = encoder.begin_compute_pass()
        for _ in range(count):
            cpass.set_pipeline(pipeline)
            cpass.set_bind_group(0, bind)
            cpass.dispatch_workgroups(1)
        cpass.end()
        device.queue.submit([encoder.finish()])
        device.queue.read_buffer(buf, 0, 4)
    return run


def per_op_rows(backend, timer, count):
    with tf.device("/GPU:0"):
        x = tf.constant(np.ones(4, np.float32))

    def batched():
        with tf.device("/GPU:0"):
            y = x
            for _ in range(count):
                y = y + 1.0
        _wait(backend, y)

    def synchronous():
        with tf.device("/GPU:0"):
            y = x
            for _ in range(count // 10):
                y = y + 1.0
                y.numpy()

    times = timer.compare({"batched": batched, "raw": raw_dispatch_floor(backend, count)})
    sync = timer.compare({"sync": synchronous})["sync"]
    per_batched = times["batched"] / count
    per_raw = times["raw"] / count
    per_sync = sync / (count // 10)
    return [("tiny add, batched (one read per %d ops)" % count, per_batched * 1e6, per_batched / per_raw),
            ("tiny add, synchronous (read after each op)", per_sync * 1e6, per_sync / per_raw),
            ("raw wgpu-py dispatch loop (the floor)", per_raw * 1e6, 1.0)]


def _mlp_steps(features, device):
    """Eager and tf.function steps of bench_core's MLP with its variables and data on `device`."""
    weights, x, labels = mlp_problem(features)
    with tf.device(device):
        eager_model, function_model = WebtensorMLP(weights), WebtensorMLP(weights)
        data = (tf.constant(x), tf.one_hot(labels, 10))
    function_step = tf.function(function_model.step)

    def on_device(step):
        def run():
            with tf.device(device):
                return step(*data)
        return run
    return on_device(eager_model.step), on_device(function_step)


def mlp_rows(backend, timer):
    rows = []
    for features in (64, 4096):
        gpu_eager, gpu_function = _mlp_steps(features, "/GPU:0")
        _, cpu_function = _mlp_steps(features, "/CPU:0")

        def waited(step):
            def run():
                _wait(backend, step())
            return run
        times = timer.compare({
            "webgpu eager": waited(gpu_eager),
            "webgpu tf.function": waited(gpu_function),
            "numpy tf.function": cpu_function,
        })
        rows.append((f"mlp-{features}", *[times[k] * 1e3 for k in
                                         ("webgpu eager", "webgpu tf.function", "numpy tf.function")]))
    return rows


def _fmt(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and sizes")
    parser.add_argument("--matmul", type=int, nargs="*", metavar="N",
                        help="only the matmul table, at these sizes (all four when none are given)")
    args = parser.parse_args(argv)
    if "webgpu" not in tf.config.available_backends():
        print("webgpu: no adapter on this machine; skipping the WebGPU benchmark")
        return 0
    backend = tf.config._backends.get("webgpu")
    details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
    timer = Timer(0.05 if args.quick else 0.2, 2 if args.quick else 3)
    print(f"## WebGPU benchmark ({datetime.date.today()})\n")
    print(f"- adapter: {details['device_name']} ({details['backend']}, "
          f"{'software' if details['is_software'] else 'hardware'})")
    print(f"- Python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else '–'} (1 thread)\n")

    print("| matmul | webgpu GFLOP/s | numpy GFLOP/s | torch GFLOP/s |\n|---|---:|---:|---:|")
    sizes = args.matmul or ([256, 512] if args.quick else [256, 512, 1024, 2048])
    for row in matmul_rows(backend, timer, sizes):
        print(f"| {row[0]} | {_fmt(row[1])} | {_fmt(row[2])} | {_fmt(row[3])} |", flush=True)
    if args.matmul is not None:
        return 0

    print("\n| elementwise | webgpu GB/s | numpy GB/s | torch GB/s |\n|---|---:|---:|---:|")
    for row in elementwise_rows(backend, timer, [1 << 20, 1 << 22] if args.quick else [1 << 20, 1 << 22, 1 << 24]):
        print(f"| {row[0]} | {_fmt(row[1])} | {_fmt(row[2])} | {_fmt(row[3])} |")

    print("\n| per-op cost | µs/op | × raw floor |\n|---|---:|---:|")
    for row in per_op_rows(backend, timer, 200 if args.quick else 1000):
        print(f"| {row[0]} | {_fmt(row[1], 1)} | {_fmt(row[2])} |")

    print("\n| MLP step (batch 64) | webgpu eager ms | webgpu tf.function ms | numpy tf.function ms |")
    print("|---|---:|---:|---:|")
    for row in mlp_rows(backend, timer):
        print(f"| {row[0]} | {_fmt(row[1])} | {_fmt(row[2])} | {_fmt(row[3])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
