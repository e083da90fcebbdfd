"""Compiled tf.function steps: dispatches and step time, eager vs compiled (with and without fusion).

Run with `make bench` (or `.venv/bin/python tests/bench/bench_compiled.py [--quick] [--json PATH]`).
For an MLP and a small CNN training step (GradientTape + Adam), on each backend present (numpy,
webgpu), it measures in one run:
- dispatches per step (webgpu): eager, compiled without fusion, compiled with fusion;
- new GPU buffers and bind groups created per step once warm (the pool and the plan's buffer
  lifetimes should make the first zero);
- step time, eager vs compiled, each step followed by reading its loss (as Keras fit logs it);
  runs are interleaved (Timer.compare), so load from elsewhere on the machine hits all alike.
The baseline of every ratio is eager execution of the same step on the same backend.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_core import Timer  # noqa: E402

import numpy as np  # noqa: E402

import webtensor as tf  # noqa: E402


def mlp(r):
    """Digits-sized MLP: 64 -> 64 (relu) -> 10, batch 64."""
    params = [tf.Variable(r.normal(size=(64, 64)).astype(np.float32) * 0.1), tf.Variable(np.zeros(64, np.float32)),
              tf.Variable(r.normal(size=(64, 10)).astype(np.float32) * 0.1), tf.Variable(np.zeros(10, np.float32))]

    def forward(x):
        h = tf.nn.relu(x @ params[0] + params[1])
        return h @ params[2] + params[3]
    data = (r.normal(size=(64, 64)), r.integers(0, 10, size=64))
    return params, forward, data


def cnn(r):
    """8x8x1 images: conv 3x3x8 (relu) -> 2x2 max pool -> dense 10, batch 32."""
    params = [tf.Variable(r.normal(size=(3, 3, 1, 8)).astype(np.float32) * 0.3), tf.Variable(np.zeros(8, np.float32)),
              tf.Variable(r.normal(size=(128, 10)).astype(np.float32) * 0.1), tf.Variable(np.zeros(10, np.float32))]

    def forward(x):
        h = tf.nn.relu(tf.nn.conv2d(x, params[0], 1, "SAME") + params[1])
        h = tf.nn.max_pool2d(h, 2, 2, "VALID")
        return tf.reshape(h, (-1, 128)) @ params[2] + params[3]
    data = (r.normal(size=(32, 8, 8, 1)), r.integers(0, 10, size=32))
    return params, forward, data


MODELS = {"MLP": mlp, "CNN": cnn}


def make_step(model):
    """(step function, x, y) for a fresh copy of the model and an Adam optimizer."""
    params, forward, (x, y) = MODELS[model](np.random.default_rng(0))
    opt = tf.keras.optimizers.Adam(0.01)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, forward(x)))
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params))
        return loss
    return step, tf.constant(x.astype(np.float32)), tf.constant(y.astype(np.int32))


def variants(model):
    """{name: callable running one step and reading its loss}: eager, compiled without and with fusion."""
    out = {}
    for name, compiled, fusion in (("eager", False, True), ("plan", True, False), ("fused", True, True)):
        step, x, y = make_step(model)
        fn = tf.function(step) if compiled else step
        tf.config.optimizer.set_experimental_options({"remapping": fusion})
        float(fn(x, y))  # trace and build the plan under this fusion setting
        tf.config.optimizer.set_experimental_options({"remapping": True})
        out[name] = (lambda fn=fn, x=x, y=y: float(fn(x, y)))
    return out


def keras_fits():
    """{eager, fused: callable running one epoch of Keras fit (16 batches of 64) on a digits-sized MLP}."""
    r = np.random.default_rng(0)
    x = r.normal(size=(1024, 64)).astype(np.float32)
    y = r.integers(0, 10, size=1024).astype(np.int32)
    out = {}
    for name, eagerly in (("eager", True), ("fused", False)):
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((64,)), tf.keras.layers.Dense(64, activation="relu"),
                                     tf.keras.layers.Dense(10)])
        model.compile(optimizer="adam", run_eagerly=eagerly,
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        out[name] = (lambda model=model: model.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False))
    return out


def counts(backend, run, steps=5):
    """(dispatches, new buffers, new bind groups) per step, after warm-up steps."""
    for _ in range(steps):
        run()
    adapter = backend.adapter
    d0, b0, g0 = backend.dispatch_count, len(backend._buffers), len(getattr(adapter, "_bind_groups", ()))
    for _ in range(steps):
        run()
    return ((backend.dispatch_count - d0) / steps, (len(backend._buffers) - b0) / steps,
            (len(getattr(adapter, "_bind_groups", ())) - g0) / steps)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter timing runs (a rough look)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    timer = Timer(0.3, 3) if args.quick else Timer(1.0, 5)
    results = {}
    backends = [b for b in ("numpy", "webgpu") if b in tf.config.available_backends()]
    previous = tf.config.get_backend()
    print("Compiled tf.function training steps (GradientTape + Adam), eager = baseline, same run")
    for backend_name in backends:
        tf.config.set_backend(backend_name)
        try:
            for model in MODELS:
                runs = variants(model)
                row = {}
                if backend_name == "webgpu":
                    backend = tf.config._backends.get("webgpu")
                    for name, run in runs.items():
                        row[name + "_counts"] = counts(backend, run)
                times = timer.compare(runs)
                row.update({name + "_ms": t * 1e3 for name, t in times.items()})
                results[f"{backend_name}/{model}"] = row
            times = timer.compare(keras_fits())
            results[f"{backend_name}/fit"] = {name + "_ms": t * 1e3 / 16 for name, t in times.items()}
        finally:
            tf.config.set_backend(previous)
    print(f"\n{'backend/model':16} {'eager ms':>9} {'plan ms':>9} {'fused ms':>9} {'eager/fused':>12} {'eager/plan':>11}")
    for key, row in results.items():
        e, p, f = row["eager_ms"], row.get("plan_ms"), row["fused_ms"]
        plan = f"{p:9.2f}" if p is not None else f"{'-':>9}"
        ratio = f"{e / p:10.2f}x" if p is not None else f"{'-':>11}"
        print(f"{key:16} {e:9.2f} {plan} {f:9.2f} {e / f:11.2f}x {ratio}")
    print("(fit: Keras model.fit per batch, digits-sized MLP; eager = run_eagerly=True)")
    gpu = {k: v for k, v in results.items() if "eager_counts" in v}
    if gpu:
        print(f"\nwebgpu per step (warm)  {'eager':>7} {'plan':>7} {'fused':>7} {'cut':>6}   new buffers e/p/f   "
              "new bind groups e/p/f")
        for key, row in gpu.items():
            (de, be, ge), (dp, bp, gp), (df, bf, gf) = row["eager_counts"], row["plan_counts"], row["fused_counts"]
            print(f"{key + ' dispatches':23} {de:7.0f} {dp:7.0f} {df:7.0f} {de / df:5.2f}x   "
                  f"{be:4.1f} {bp:4.1f} {bf:4.1f}        {ge:5.1f} {gp:5.1f} {gf:5.1f}")
    print(f"\nload average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
