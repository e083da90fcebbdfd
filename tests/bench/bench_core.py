"""Core benchmark: webtensor's eager per-op overhead and an MLP training step, against numpy and PyTorch.

Run with `make bench` (or `.venv/bin/python tests/bench/bench_core.py [--quick] [--json PATH]`).
Every figure is a ratio to baselines measured in the same run, on the same machine:
numpy (the same kernels webtensor's reference backend calls, without the framework around them)
and PyTorch eager on one thread. Nothing here asserts a time; the script does assert that the
benchmarked computations are correct before it times them.
"""
import argparse
import datetime
import json
import os
import platform
import sys
import time

# One BLAS/OpenMP thread for every contender, so ratios compare frameworks, not thread counts.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import webtensor as tf  # noqa: E402

try:
    import torch  # noqa: E402
    torch.set_num_threads(1)
except ImportError:  # the bench extra is missing: report numpy ratios only
    torch = None

BATCH, HIDDEN, CLASSES = 64, 64, 10
LEARNING_RATE = 0.1


# -- timing ----------------------------------------------------------------------------------------

class Timer:
    """Best-of-`repeats` timing; each run makes enough calls to last at least `min_run_s`.

    `compare` interleaves the runs of its contenders (a, b, c, a, b, c, ...), so a burst of load
    from elsewhere on the machine slows all of them alike instead of skewing one ratio.
    """

    def __init__(self, min_run_s, repeats):
        self.min_run_s = min_run_s
        self.repeats = repeats

    def calls_per_run(self, fn):
        """How many calls of fn() make a run last at least min_run_s (after a warm-up call)."""
        fn()
        n = 1
        while True:
            elapsed = _run(fn, n)
            if elapsed >= self.min_run_s:
                return n
            n = max(n * 2, int(n * self.min_run_s * 1.2 / max(elapsed, 1e-9)))

    def compare(self, fns):
        """{name: seconds per call} for a dict of callables; None entries stay None."""
        live = {name: fn for name, fn in fns.items() if fn is not None}
        counts = {name: self.calls_per_run(fn) for name, fn in live.items()}
        best = dict.fromkeys(fns)
        for _ in range(self.repeats):
            for name, fn in live.items():
                seconds = _run(fn, counts[name]) / counts[name]
                best[name] = seconds if best[name] is None else min(best[name], seconds)
        return best


def _run(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def _ratio(a, b):
    return None if a is None or b is None else a / b


# -- 1. eager per-op overhead ----------------------------------------------------------------------

def op_cases():
    """(name, shape text, webtensor fn, numpy fn, torch fn or None) for small-tensor ops."""
    rng = np.random.default_rng(0)
    cases = []
    for shape in ((4,), (8, 8)):
        a = rng.standard_normal(shape).astype(np.float32)
        b = rng.standard_normal(shape).astype(np.float32)
        x, y = tf.constant(a), tf.constant(b)
        tx, ty = (torch.from_numpy(a.copy()), torch.from_numpy(b.copy())) if torch else (None, None)
        new_shape = (2, 2) if shape == (4,) else (64,)
        text = str(list(shape))
        rows = [
            ("tf.add", lambda: tf.add(x, y), lambda: np.add(a, b), lambda: torch.add(tx, ty)),
            ("tf.multiply", lambda: tf.multiply(x, y), lambda: np.multiply(a, b), lambda: torch.mul(tx, ty)),
            ("x + y", lambda: x + y, lambda: a + b, lambda: tx + ty),
            ("tf.exp", lambda: tf.exp(x), lambda: np.exp(a), lambda: torch.exp(tx)),
            ("tf.reduce_sum", lambda: tf.reduce_sum(x), lambda: np.sum(a), lambda: torch.sum(tx)),
            ("tf.reshape", lambda: tf.reshape(x, new_shape), lambda: np.reshape(a, new_shape),
             lambda: torch.reshape(tx, new_shape)),
            ("x[1:3]", lambda: x[1:3], lambda: a[1:3], lambda: tx[1:3]),
        ]
        if len(shape) == 2:
            rows.append(("tf.matmul", lambda: tf.matmul(x, y), lambda: np.matmul(a, b),
                         lambda: torch.matmul(tx, ty)))
        for name, wt, ref, th in rows:
            cases.append((name, text, wt, ref, th if torch else None))
    return cases


def check_op_cases(cases):
    """Each webtensor op computes what its numpy counterpart does."""
    for name, shape, wt, ref, _ in cases:
        np.testing.assert_allclose(np.asarray(wt()), ref(), rtol=1e-6, atol=1e-6,
                                   err_msg=f"{name} on {shape} differs from numpy")


def bench_eager_ops(timer):
    """µs per call of each small op for webtensor, numpy and torch."""
    cases = op_cases()
    check_op_cases(cases)
    results = []
    for name, shape, wt, ref, th in cases:
        times = timer.compare({"webtensor": wt, "numpy": ref, "torch": th})
        wt_s, np_s, th_s = times["webtensor"], times["numpy"], times["torch"]
        results.append({"op": name, "shape": shape, "webtensor_us": wt_s * 1e6, "numpy_us": np_s * 1e6,
                        "torch_us": None if th_s is None else th_s * 1e6,
                        "vs_torch": _ratio(wt_s, th_s), "vs_numpy": _ratio(wt_s, np_s)})
    return results


# -- 2. MLP training step --------------------------------------------------------------------------

def mlp_problem(features, seed=0):
    """Initial weights (Glorot-uniform-like) and one batch of data, as float32 numpy arrays."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    weights = {
        "w1": glorot(features, HIDDEN), "b1": np.zeros(HIDDEN, np.float32),
        "w2": glorot(HIDDEN, CLASSES), "b2": np.zeros(CLASSES, np.float32),
    }
    x = rng.standard_normal((BATCH, features)).astype(np.float32)
    labels = rng.integers(0, CLASSES, BATCH).astype(np.int32)
    return weights, x, labels


def _relu(h):
    relu = getattr(tf.math, "relu", None)  # tf.nn.relu is TensorFlow's name; tf.nn is not written yet
    return relu(h) if relu is not None else tf.maximum(h, 0.0)


class WebtensorMLP:
    """dense -> relu -> dense -> softmax cross-entropy, trained by plain SGD on tf.Variables."""

    def __init__(self, weights):
        self.params = [tf.Variable(weights[k], name=k) for k in ("w1", "b1", "w2", "b2")]

    def loss(self, x, onehot):
        w1, b1, w2, b2 = self.params
        hidden = _relu(tf.matmul(x, w1) + b1)
        logits = tf.matmul(hidden, w2) + b2
        log_probs = logits - tf.reduce_logsumexp(logits, axis=1, keepdims=True)
        return -tf.reduce_mean(tf.reduce_sum(onehot * log_probs, axis=1))

    def step(self, x, onehot):
        with tf.GradientTape() as tape:
            loss = self.loss(x, onehot)
        grads = tape.gradient(loss, self.params)
        for p, g in zip(self.params, grads):
            p.assign_sub(LEARNING_RATE * g)
        return loss

    def weights(self):
        return {k: p.numpy() for k, p in zip(("w1", "b1", "w2", "b2"), self.params)}


def webtensor_eager_step(weights, x, labels):
    model = WebtensorMLP(weights)
    x, onehot = tf.constant(x), tf.one_hot(labels, CLASSES)
    return model, lambda: model.step(x, onehot)


def webtensor_function_step(weights, x, labels):
    model = WebtensorMLP(weights)
    x, onehot = tf.constant(x), tf.one_hot(labels, CLASSES)
    step = tf.function(model.step)  # forward, tape.gradient and assign_sub in one graph
    return model, lambda: step(x, onehot)


class NumpyMLP:
    """The same model with a hand-written forward, backward and update in numpy."""

    def __init__(self, weights):
        self.w = {k: v.copy() for k, v in weights.items()}

    def step(self, x, onehot):
        w = self.w
        pre = x @ w["w1"] + w["b1"]
        hidden = np.maximum(pre, 0)
        logits = hidden @ w["w2"] + w["b2"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        loss = -np.mean(np.sum(onehot * (shifted - np.log(sum_exp)), axis=1))
        d_logits = (exp / sum_exp - onehot) / x.shape[0]
        d_hidden = (d_logits @ w["w2"].T) * (pre > 0)
        grads = {"w2": hidden.T @ d_logits, "b2": d_logits.sum(axis=0),
                 "w1": x.T @ d_hidden, "b1": d_hidden.sum(axis=0)}
        for k, g in grads.items():
            w[k] -= LEARNING_RATE * g
        return loss

    def weights(self):
        return self.w


def numpy_step(weights, x, labels):
    model = NumpyMLP(weights)
    onehot = np.eye(CLASSES, dtype=np.float32)[labels]
    return model, lambda: model.step(x, onehot)


class TorchMLP:
    """The same model in PyTorch eager: autograd, then SGD updates under torch.no_grad()."""

    def __init__(self, weights):
        self.params = [torch.tensor(weights[k], requires_grad=True) for k in ("w1", "b1", "w2", "b2")]

    def step(self, x, labels):
        w1, b1, w2, b2 = self.params
        logits = torch.relu(x @ w1 + b1) @ w2 + b2
        log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
        loss = -log_probs.gather(1, labels[:, None]).mean()
        grads = torch.autograd.grad(loss, self.params)
        with torch.no_grad():
            for p, g in zip(self.params, grads):
                p.sub_(LEARNING_RATE * g)
        return loss.detach()

    def weights(self):
        return {k: p.detach().numpy() for k, p in zip(("w1", "b1", "w2", "b2"), self.params)}


def torch_step(weights, x, labels):
    model = TorchMLP(weights)
    tx, tl = torch.from_numpy(x.copy()), torch.from_numpy(labels.astype(np.int64))
    return model, lambda: model.step(tx, tl)


MLP_VARIANTS = {
    "webtensor eager": webtensor_eager_step,
    "webtensor tf.function": webtensor_function_step,
    "numpy (hand-written)": numpy_step,
    "torch eager": torch_step,
}


def _variants():
    return {k: v for k, v in MLP_VARIANTS.items() if torch is not None or not k.startswith("torch")}


def check_mlp(features):
    """Every variant computes numpy's loss and updated weights from the same start; losses decrease."""
    weights, x, labels = mlp_problem(features)
    reference, ref_step = numpy_step(weights, x, labels)
    ref_loss = float(ref_step())
    for name, make in _variants().items():
        model, step = make(weights, x, labels)
        loss = float(step())
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-5, err_msg=f"{name}: first-step loss")
        for k, v in model.weights().items():
            np.testing.assert_allclose(v, reference.weights()[k], rtol=1e-4, atol=1e-6,
                                       err_msg=f"mlp-{features} {name}: {k} after one step")
        losses = [loss] + [float(step()) for _ in range(4)]
        if not all(later < earlier for earlier, later in zip(losses, losses[1:])):
            raise AssertionError(f"mlp-{features} {name}: loss did not decrease over 5 steps: {losses}")


def bench_mlp(timer):
    """ms per training step for each variant, on the mlp-64 and mlp-4096 problems."""
    results = []
    for features in (64, 64 * 64):
        check_mlp(features)
        weights, x, labels = mlp_problem(features)
        times = timer.compare({name: make(weights, x, labels)[1] for name, make in _variants().items()})
        for name, seconds in times.items():
            results.append({"model": f"mlp-{features}", "variant": name, "ms_per_step": seconds * 1e3,
                            "vs_torch": _ratio(seconds, times.get("torch eager")),
                            "vs_numpy": _ratio(seconds, times["numpy (hand-written)"])})
    return results


# -- 3. report -------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment():
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
        "webtensor": tf.__version__,
        "backend": tf.config.get_backend(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "threads": "1 (torch.set_num_threads(1); OMP/OpenBLAS/MKL_NUM_THREADS=" + os.environ["OMP_NUM_THREADS"] + ")",
    }


def _fmt(value, digits=2, suffix=""):
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def markdown_ops(rows):
    lines = ["| op | shape | webtensor µs | numpy µs | torch µs | webtensor / torch | webtensor / numpy |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['op']}` | {r['shape']} | {_fmt(r['webtensor_us'])} | {_fmt(r['numpy_us'])} | "
                     f"{_fmt(r['torch_us'])} | {_fmt(r['vs_torch'], 1, 'x')} | {_fmt(r['vs_numpy'], 1, 'x')} |")
    return "\n".join(lines)


def markdown_mlp(rows):
    lines = ["| model | variant | ms / step | vs torch | vs numpy |", "|---|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['variant']} | {_fmt(r['ms_per_step'], 3)} | "
                     f"{_fmt(r['vs_torch'], 2, 'x')} | {_fmt(r['vs_numpy'], 2, 'x')} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter timing runs (a rough look)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    timer = Timer(min_run_s=0.02, repeats=3) if args.quick else Timer(min_run_s=0.05, repeats=7)

    env = environment()
    print("# webtensor core benchmark\n")
    for key, value in env.items():
        print(f"- {key}: {value}")
    print(f"- timing: best of {timer.repeats} runs of N calls, N chosen so a run lasts >= "
          f"{timer.min_run_s * 1e3:.0f} ms, contenders' runs interleaved{' (--quick)' if args.quick else ''}\n")

    ops = bench_eager_ops(timer)
    print("## Eager per-op overhead (float32, small tensors)\n")
    print(markdown_ops(ops) + "\n")
    sys.stdout.flush()

    mlp = bench_mlp(timer)
    print(f"## MLP training step (batch {BATCH}, {HIDDEN} hidden, {CLASSES} classes, SGD; "
          "checked against numpy before timing)\n")
    print(markdown_mlp(mlp))
    print("\nChecked before timing: every variant's first-step loss and updated weights match the numpy step "
          "(loss rtol 1e-5, weights rtol 1e-4), and its loss decreases over 5 steps.")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": env, "quick": args.quick, "eager_ops": ops, "mlp_step": mlp}, f, indent=2)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
