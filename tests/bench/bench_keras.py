"""Keras benchmark: fit / evaluate / predict throughput on the digits MLP, beside PyTorch on the CPU.

Run with `make bench` (or `.venv/bin/python tests/bench/bench_keras.py [--quick] [--json PATH]`).
The model is the digits MLP (64 inputs -> Dense(64, relu) -> Dense(10) logits), sparse softmax
cross-entropy, Adam(1e-3), accuracy tracked as a metric, on the 1437 training images of
tf.keras.datasets.digits. Contenders, all measured in this run on this machine:
- webtensor `model.fit` on the numpy backend (the reference CPU backend);
- webtensor on the WebGPU backend (`with tf.device('/GPU:0')`) when "webgpu" is available; on a
  machine without a GPU that is Mesa's software adapter (llvmpipe), which the report says;
- the same model as a plain PyTorch CPU loop (shuffled mini-batches, loss and accuracy tracked as
  fit does), on one thread (torch.set_num_threads(1)) and on PyTorch's default thread count.
Throughput is samples per second: timed epochs x 1437 / seconds, after one warm-up epoch (tracing,
shader compilation). evaluate() and predict() are timed the same way over the training images.
Nothing here asserts a time; the script does check, before timing, that one training step of each
contender computes the same loss and weights from the same start (SGD), and it reports the test
accuracy every contender reached, so the figures compare models that learn.
"""
import argparse
import datetime
import json
import math
import os
import platform
import sys
import time

import warnings

import numpy as np

import webtensor as tf

# On WebGPU the optimizer's int64 step counter lives on the CPU (soft placement); that is expected here.
warnings.filterwarnings("ignore", message="WebGPU holds no int64 tensors")

try:
    import torch
    TORCH_DEFAULT_THREADS = torch.get_num_threads()
except ImportError:  # the bench extra is missing: report webtensor only
    torch = None
    TORCH_DEFAULT_THREADS = None

HIDDEN, CLASSES, FEATURES = 64, 10, 64
LEARNING_RATE = 1e-3
BATCH_SIZES = (32, 128)
GPU = "/GPU:0"


def digits():
    """((x_train [1437, 64] float32 in [0, 1], y_train int32), (x_test [360, 64], y_test))."""
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()

    def prep(x, y):
        return (x.reshape(len(x), FEATURES) / 16.0).astype(np.float32), y.astype(np.int32)

    return prep(x_train, y_train), prep(x_test, y_test)


def initial_weights(seed=0):
    """Glorot-uniform kernels and zero biases, as Keras' Dense initializes them (float32 numpy)."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    return [glorot(FEATURES, HIDDEN), np.zeros(HIDDEN, np.float32),
            glorot(HIDDEN, CLASSES), np.zeros(CLASSES, np.float32)]


# -- contenders ------------------------------------------------------------------------------------

class WebtensorContender:
    """A compiled tf.keras model; every call runs under `device` (None: the default, numpy backend)."""

    def __init__(self, name, device=None):
        self.name = name
        self.device = device

    def _scope(self):
        return tf.device(self.device) if self.device else _nullcontext()

    def build(self, weights, optimizer="adam"):
        with self._scope():
            self.model = tf.keras.Sequential([
                tf.keras.Input(shape=(FEATURES,)),
                tf.keras.layers.Dense(HIDDEN, activation="relu"),
                tf.keras.layers.Dense(CLASSES),
            ])
            self.model.set_weights(weights)
            opt = (tf.keras.optimizers.Adam(LEARNING_RATE) if optimizer == "adam"
                   else tf.keras.optimizers.SGD(optimizer))
            self.model.compile(optimizer=opt,
                               loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                               metrics=["accuracy"])
        return self

    def step(self, x, y):
        """One train_on_batch; returns the loss."""
        with self._scope():
            return float(self.model.train_on_batch(x, y)[0])

    def weights(self):
        return self.model.get_weights()

    def fit(self, x, y, batch_size, epochs):
        with self._scope():
            self.model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)

    def evaluate(self, x, y, batch_size):
        with self._scope():
            return self.model.evaluate(x, y, batch_size=batch_size, verbose=0)

    def predict(self, x, batch_size):
        with self._scope():
            return self.model.predict(x, batch_size=batch_size, verbose=0)


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class TorchContender:
    """The same MLP in PyTorch eager: nn.Sequential, F.cross_entropy, torch.optim; threads set per call."""

    def __init__(self, name, threads):
        self.name = name
        self.threads = threads

    def build(self, weights, optimizer="adam"):
        torch.set_num_threads(self.threads)
        w1, b1, w2, b2 = weights
        self.model = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                                         torch.nn.Linear(HIDDEN, CLASSES))
        with torch.no_grad():  # torch keeps kernels as [out, in]
            self.model[0].weight.copy_(torch.from_numpy(w1.T.copy()))
            self.model[0].bias.copy_(torch.from_numpy(b1))
            self.model[2].weight.copy_(torch.from_numpy(w2.T.copy()))
            self.model[2].bias.copy_(torch.from_numpy(b2))
        self.opt = (torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE, eps=1e-7) if optimizer == "adam"
                    else torch.optim.SGD(self.model.parameters(), lr=optimizer))
        return self

    def _tensors(self, x, y):
        return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def _train_batch(self, xb, yb):
        self.opt.zero_grad(set_to_none=True)
        logits = self.model(xb)
        loss = torch.nn.functional.cross_entropy(logits, yb)
        loss.backward()
        self.opt.step()
        return loss.detach(), (logits.detach().argmax(dim=1) == yb).sum()

    def step(self, x, y):
        torch.set_num_threads(self.threads)
        return float(self._train_batch(*self._tensors(x, y))[0])

    def weights(self):
        m = self.model
        return [m[0].weight.detach().numpy().T, m[0].bias.detach().numpy(),
                m[2].weight.detach().numpy().T, m[2].bias.detach().numpy()]

    def fit(self, x, y, batch_size, epochs):
        torch.set_num_threads(self.threads)
        tx, ty = self._tensors(x, y)
        n = len(tx)
        self.model.train()
        for _ in range(epochs):
            order = torch.randperm(n)
            total_loss = torch.zeros(())
            correct = torch.zeros((), dtype=torch.int64)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                loss, hits = self._train_batch(tx[idx], ty[idx])
                total_loss += loss * len(idx)
                correct += hits
            # what fit logs per epoch: the mean loss and the accuracy
            self.last_logs = (float(total_loss) / n, int(correct) / n)

    def evaluate(self, x, y, batch_size):
        torch.set_num_threads(self.threads)
        tx, ty = self._tensors(x, y)
        self.model.eval()
        total_loss, correct = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(tx), batch_size):
                logits = self.model(tx[start:start + batch_size])
                yb = ty[start:start + batch_size]
                total_loss += float(torch.nn.functional.cross_entropy(logits, yb, reduction="sum"))
                correct += int((logits.argmax(dim=1) == yb).sum())
        return [total_loss / len(tx), correct / len(tx)]

    def predict(self, x, batch_size):
        torch.set_num_threads(self.threads)
        tx = torch.from_numpy(x)
        self.model.eval()
        with torch.no_grad():
            return torch.cat([self.model(tx[s:s + batch_size]) for s in range(0, len(tx), batch_size)]).numpy()


def webgpu_available():
    return "webgpu" in tf.config.available_backends()


def contenders():
    out = [WebtensorContender("webtensor fit (numpy backend)")]
    if webgpu_available():
        details = webgpu_details()
        kind = "software adapter" if details.get("is_software") else "GPU"
        out.append(WebtensorContender(f"webtensor fit (webgpu, {kind})", device=GPU))
    if torch is not None:
        out.append(TorchContender("torch CPU loop, 1 thread", 1))
        if TORCH_DEFAULT_THREADS != 1:
            out.append(TorchContender(f"torch CPU loop, {TORCH_DEFAULT_THREADS} threads (default)",
                                      TORCH_DEFAULT_THREADS))
    return out


def webgpu_details():
    gpus = tf.config.list_physical_devices("GPU")
    return tf.config.experimental.get_device_details(gpus[0]) if gpus else {}


# -- checks ----------------------------------------------------------------------------------------

def check_one_step(x, y):
    """From the same weights, one SGD step of every contender gives numpy's loss and updated weights."""
    weights = initial_weights(1)
    xb, yb = x[:64], y[:64]
    lr = 0.1
    # numpy reference: forward, backward, update in float64
    w1, b1, w2, b2 = (w.astype(np.float64) for w in weights)
    pre = xb @ w1 + b1
    hidden = np.maximum(pre, 0)
    logits = hidden @ w2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    ref_loss = -np.mean(np.log(probs[np.arange(len(yb)), yb]))
    d_logits = (probs - np.eye(CLASSES)[yb]) / len(yb)
    d_hidden = (d_logits @ w2.T) * (pre > 0)
    ref = [w1 - lr * xb.T @ d_hidden, b1 - lr * d_hidden.sum(0), w2 - lr * hidden.T @ d_logits,
           b2 - lr * d_logits.sum(0)]
    for c in contenders():
        c.build(weights, optimizer=lr)
        loss = c.step(xb, yb)
        tol = 1e-3 if getattr(c, "device", None) else 1e-4
        np.testing.assert_allclose(loss, ref_loss, rtol=tol, err_msg=f"{c.name}: first-step loss")
        for got, want, name in zip(c.weights(), ref, ("w1", "b1", "w2", "b2")):
            np.testing.assert_allclose(got, want, rtol=tol, atol=1e-5, err_msg=f"{c.name}: {name} after one step")


# -- timing ----------------------------------------------------------------------------------------

def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_batch_size(batch_size, data, epochs, repeats):
    """{contender name: {fit, evaluate, predict samples/s, test accuracy}} for one batch size.

    Every contender starts from the same weights, gets a warm-up epoch (and a warm-up evaluate/predict),
    then `repeats` timed runs of `epochs` epochs, each followed by timed evaluate() and predict() calls;
    contenders' runs are interleaved so a burst of outside load hits all alike. All contenders train the
    same number of epochs, so their test accuracies compare.
    """
    (x, y), (x_test, y_test) = data
    n = len(x)
    live = [c.build(initial_weights(0)) for c in contenders()]
    for c in live:
        c.fit(x, y, batch_size, 1)
        c.evaluate(x, y, batch_size)
        c.predict(x, batch_size)
    results = {c.name: {"fit": 0.0, "evaluate": 0.0, "predict": 0.0} for c in live}
    for _ in range(repeats):
        for c in live:
            r = results[c.name]
            r["fit"] = max(r["fit"], epochs * n / _timed(lambda: c.fit(x, y, batch_size, epochs)))
            r["evaluate"] = max(r["evaluate"], n / _timed(lambda: c.evaluate(x, y, batch_size)))
            r["predict"] = max(r["predict"], n / _timed(lambda: c.predict(x, batch_size)))
    for c in live:
        results[c.name]["epochs_trained"] = 1 + repeats * epochs
        results[c.name]["test_accuracy"] = float(c.evaluate(x_test, y_test, batch_size)[1])
    return results


# -- report ----------------------------------------------------------------------------------------

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
    env = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
        "webtensor": tf.__version__,
        "backends": ", ".join(tf.config.available_backends()),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "threads": ("numpy/OpenBLAS as configured (OMP/OPENBLAS_NUM_THREADS="
                    f"{os.environ.get('OMP_NUM_THREADS', 'unset')}/{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}); "
                    f"torch default {TORCH_DEFAULT_THREADS}"),
    }
    if webgpu_available():
        d = webgpu_details()
        env["webgpu adapter"] = (f"{d.get('device_name')} ({d.get('backend')}"
                                 f"{', software: runs on the CPU' if d.get('is_software') else ''})")
    return env


def _fmt(value):
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def markdown(rows):
    lines = ["| batch | contender | fit samples/s | vs torch 1 thread | evaluate samples/s | predict samples/s | "
             "test accuracy |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for batch_size, results in rows:
        base = next((r["fit"] for name, r in results.items() if name.startswith("torch CPU loop, 1 thread")), None)
        for name, r in results.items():
            ratio = "–" if base is None else f"{r['fit'] / base:.2f}x"
            lines.append(f"| {batch_size} | {name} | {_fmt(r['fit'])} | {ratio} | {_fmt(r['evaluate'])} | "
                         f"{_fmt(r['predict'])} | {r['test_accuracy']:.3f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter and fewer timing runs (a rough look)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--no-webgpu", action="store_true", help="leave the WebGPU backend out")
    args = parser.parse_args(argv)
    if args.no_webgpu:
        global webgpu_available
        webgpu_available = lambda: False  # noqa: E731
    epochs, repeats = (1, 2) if args.quick else (3, 5)

    tf.random.set_seed(0)
    if torch is not None:
        torch.manual_seed(0)
    data = digits()
    env = environment()
    print("# webtensor Keras benchmark: fit / evaluate / predict on the digits MLP\n")
    for key, value in env.items():
        print(f"- {key}: {value}")
    print(f"- model: {FEATURES} -> Dense({HIDDEN}, relu) -> Dense({CLASSES}); sparse softmax cross-entropy; "
          f"Adam({LEARNING_RATE:g}); accuracy metric; {len(data[0][0])} training samples, shuffled each epoch")
    print(f"- timing: one warm-up epoch, then best of {repeats} runs of {epochs} epoch(s) per contender and batch "
          f"size, contenders interleaved; evaluate/predict: best of {repeats} calls over the same "
          f"{len(data[0][0])} samples{' (--quick)' if args.quick else ''}\n")
    sys.stdout.flush()

    check_one_step(*data[0])
    rows = []
    for batch_size in BATCH_SIZES:
        rows.append((batch_size, bench_batch_size(batch_size, data, epochs, repeats)))
    print("## Throughput (samples/s, higher is better)\n")
    print(markdown(rows))
    print("\nChecked before timing: from the same weights, one SGD step (batch 64) of every contender gives the "
          "loss and updated weights of a float64 numpy reference (rtol 1e-4; 1e-3 on WebGPU). Test accuracy is "
          f"measured on the 360 held-out images after each contender's {1 + repeats * epochs} epochs (warm-up + "
          "timed runs) at that batch size.")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": env, "quick": args.quick,
                       "results": [{"batch_size": b, "contenders": r} for b, r in rows]}, f, indent=2)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
