"""wasm backend benchmark: sgemm GFLOP/s at 256/512/1024 and conv2d on small CNN shapes, beside numpy.

Run with `make bench` (or `.venv/bin/python tests/bench/bench_wasm.py [--quick]`). Natively the
kernels run under wasmtime; numpy (OpenBLAS) is limited to one thread, as wasm runs on one, and
is measured in the same run, interleaved with the wasm runs. Columns: the raw kernel (one export
call on buffers already in wasm memory), the same op through webtensor on the wasm backend (with
its Python dispatch and allocation), and numpy; the ratio is wasm kernel / numpy. Nothing here
asserts a time; results are checked against numpy before they are timed.
"""
import argparse
import os
import time

# One BLAS/OpenMP thread, so the ratio compares kernels, not thread counts.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import webtensor as tf  # noqa: E402
from webtensor import backends  # noqa: E402


def best_of(fns, repeats, min_run_s):
    """{name: best seconds per call}, the contenders' runs interleaved (a, b, c, a, b, c, ...)."""
    counts = {}
    for name, fn in fns.items():
        fn()
        n, elapsed = 1, 0.0
        while elapsed < min_run_s:
            t = time.perf_counter()
            for _ in range(n):
                fn()
            elapsed = time.perf_counter() - t
            if elapsed < min_run_s:
                n *= 2
        counts[name] = n
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            for _ in range(counts[name]):
                fn()
            best[name] = min(best[name], (time.perf_counter() - t) / counts[name])
    return best


def sgemm_rows(sizes, repeats, min_run_s):
    wasm = backends.get("wasm")
    adapter = wasm.adapter
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        ta, tb, tc = wasm.write(a), wasm.write(b), wasm.output((n, n), tf.float32)
        adapter.call("matmul_f32", ta.ptr, tb.ptr, tc.ptr, 1, n, n, n, 0, 0, 0, 0)
        np.testing.assert_allclose(wasm.read(tc), a.astype(np.float64) @ b, rtol=1e-3, atol=1e-3)
        with tf.device("/CPU:0"):
            pass
        tf.config.set_backend("wasm")
        xa, xb = tf.constant(a), tf.constant(b)
        times = best_of({
            "kernel": lambda: adapter.call("matmul_f32", ta.ptr, tb.ptr, tc.ptr, 1, n, n, n, 0, 0, 0, 0),
            "op": lambda: tf.matmul(xa, xb),
            "numpy": lambda: a @ b,
        }, repeats, min_run_s)
        tf.config.set_backend("numpy")
        flops = 2.0 * n ** 3
        rows.append((f"sgemm {n}", {k: flops / v / 1e9 for k, v in times.items()}))
    return rows


CONVS = [  # (input NHWC, filter HWIO, stride, padding): a small MNIST-style CNN's layers, batch 32
    ((32, 28, 28, 1), (3, 3, 1, 32), 1, "SAME"),
    ((32, 14, 14, 32), (3, 3, 32, 64), 1, "SAME"),
    ((32, 7, 7, 64), (3, 3, 64, 64), 1, "SAME"),
    ((32, 28, 28, 16), (5, 5, 16, 32), 2, "VALID"),
]


def conv_rows(repeats, min_run_s):
    rng = np.random.default_rng(1)
    rows = []
    for xs, ws, stride, padding in CONVS:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        tf.config.set_backend("numpy")
        xn, wn = tf.constant(x), tf.constant(w)
        ref = tf.nn.conv2d(xn, wn, stride, padding)
        tf.config.set_backend("wasm")
        xw, ww = tf.constant(x), tf.constant(w)
        got = tf.nn.conv2d(xw, ww, stride, padding)
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-3, atol=1e-3)
        out = ref.shape
        flops = 2.0 * out[0] * out[1] * out[2] * out[3] * ws[0] * ws[1] * ws[2]

        def numpy_conv():
            tf.config.set_backend("numpy")
            tf.nn.conv2d(xn, wn, stride, padding)

        def wasm_conv():
            tf.config.set_backend("wasm")
            tf.nn.conv2d(xw, ww, stride, padding)

        times = best_of({"op": wasm_conv, "numpy": numpy_conv}, repeats, min_run_s)
        tf.config.set_backend("numpy")
        name = f"conv2d {'x'.join(map(str, xs))} * {'x'.join(map(str, ws))} /{stride} {padding}"
        rows.append((name, {k: flops / v / 1e9 for k, v in times.items()}))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args()
    if "wasm" not in tf.config.available_backends():
        print("bench_wasm: the wasm backend is not available (make wasm; pip install wasmtime)")
        return
    repeats, min_run_s = (2, 0.05) if args.quick else (5, 0.3)
    backends.get("wasm").adapter  # compile (or load) the module before timing
    rows = sgemm_rows([256, 512, 1024], repeats, min_run_s) + conv_rows(repeats, min_run_s)
    print("wasm backend (wasmtime, one thread) vs numpy (OpenBLAS, one thread); GFLOP/s, best of", repeats)
    print(f"{'benchmark':<44} {'wasm kernel':>11} {'wasm op':>9} {'numpy':>9} {'op/numpy':>9}")
    for name, r in rows:
        kernel = f"{r['kernel']:.1f}" if "kernel" in r else "-"
        print(f"{name:<44} {kernel:>11} {r['op']:>9.1f} {r['numpy']:>9.1f} {r['op'] / r['numpy']:>9.2f}")


if __name__ == "__main__":
    main()
