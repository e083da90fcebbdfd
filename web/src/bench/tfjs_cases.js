// TensorFlow.js 4.22's side of the benchmark page: the same cases as webtensor_cases.py, on tfjs's
// webgpu and wasm backends, in the page's main thread (webtensor runs in the kernel's worker; both
// get their own GPUDevice from the same adapter). Everything loads from this server: the wasm
// backend's .wasm files are bundled assets handed to setWasmPaths.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";

setWasmPaths({
  "tfjs-backend-wasm.wasm": wasmPlain,
  "tfjs-backend-wasm-simd.wasm": wasmSimd,
  "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded,
});

// Timing as webtensor_cases.py's _timed: set by the page to the same values.
export const timing = { minSeconds: 0.75, windows: 3 };

// Seconds per call of fn(): one warm-up call, then the best of `windows` runs of calls, each lasting
// at least minSeconds / windows.
async function timed(fn) {
  await fn();
  let best = Infinity;
  for (let w = 0; w < timing.windows; w++) {
    let calls = 0;
    const start = performance.now();
    let elapsed;
    do {
      await fn();
      calls += 1;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < timing.minSeconds / timing.windows);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

// Waits until the backend has run everything up to t, reading 4 bytes of it (as webtensor does).
async function wait(t) {
  const corner = tf.slice(t, new Array(t.rank).fill(0), new Array(t.rank).fill(1));
  await corner.data();
  corner.dispose();
}

export async function use(backend) {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: the ${backend} backend failed to start`);
  await tf.ready();
}

export async function environment() {
  const info = { version: tf.version.tfjs, backends: {} };
  for (const name of ["webgpu", "wasm"]) {
    try {
      await use(name);
      const b = { ok: true };
      if (name === "wasm") {
        b.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
        b.threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
      } else {
        const adapter = tf.backend().adapterInfo;
        b.adapter = adapter ? { vendor: adapter.vendor, architecture: adapter.architecture } : null;
      }
      info.backends[name] = b;
    } catch (e) {
      info.backends[name] = { ok: false, error: String(e.message || e) };
    }
  }
  return info;
}

// Microseconds per eager tf.add on `size` float32 elements, `count` chained adds per timed call.
// tfjs-webgpu runs ops on small tensors whose data is on the CPU with its CPU kernels (below
// WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD elements, read once at import); gpuOnly turns that forwarding
// off (WEBGPU_CPU_FORWARD, read at each op) so that every add is a GPU dispatch, as webtensor's are.
export async function perOp(backend, count = 1000, size = 16, { gpuOnly = false } = {}) {
  await use(backend);
  const flag = "WEBGPU_CPU_FORWARD";
  const forward = backend === "webgpu" ? tf.env().getBool(flag) : null;
  if (gpuOnly) tf.env().set(flag, false);
  const x = tf.zeros([size]);
  const one = tf.ones([size]);
  let last = null;
  const run = async () => {
    let y = x;
    for (let i = 0; i < count; i++) {
      const z = tf.add(y, one);
      if (y !== x) y.dispose();
      y = z;
    }
    await wait(y);
    if (last) last.dispose();
    last = y;
  };
  await run();
  const got = await last.data();
  if (got.some((v) => v !== count)) throw new Error(`tfjs ${backend} per-op: expected ${count}, got ${got[0]}`);
  const seconds = await timed(run);
  tf.dispose([x, one, last]);
  if (gpuOnly) tf.env().set(flag, forward);
  const name = `tfjs-${backend}${gpuOnly ? " (GPU only)" : ""}`;
  return { case: "per_op", backend: name, us_per_op: (seconds / count) * 1e6, count, size };
}

function randomMatrix(n, seed) {
  let s = seed >>> 0;
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return data;
}

// GFLOP/s of an n x n float32 matmul (a few entries checked against a float64 dot product first).
export async function matmul(backend, n) {
  await use(backend);
  const ad = randomMatrix(n, 1);
  const bd = randomMatrix(n, 2);
  const a = tf.tensor2d(ad, [n, n]);
  const b = tf.tensor2d(bd, [n, n]);
  const check = tf.matMul(a, b);
  const got = await check.data();
  check.dispose();
  for (const [i, j] of [[0, 0], [n - 1, n - 1], [n >> 1, 3]]) {
    let want = 0;
    for (let k = 0; k < n; k++) want += ad[i * n + k] * bd[k * n + j];
    if (Math.abs(got[i * n + j] - want) > 2e-3 * Math.sqrt(n) * (1 + Math.abs(want))) {
      throw new Error(`tfjs ${backend} matmul ${n}: [${i}, ${j}] is ${got[i * n + j]}, expected ${want}`);
    }
  }
  const seconds = await timed(async () => {
    const c = tf.matMul(a, b);
    await wait(c);
    c.dispose();
  });
  tf.dispose([a, b]);
  return { case: "matmul", backend: `tfjs-${backend}`, n, gflops: (2 * n ** 3) / seconds / 1e9, ms: seconds * 1e3 };
}

// ms per training step of the MLP webtensor_cases.py builds, from the same weights and batch:
// variant "minimize" (optimizer.minimize over the variables, webtensor's eager step) or
// "trainOnBatch" (a tf.sequential model, as webtensor's Keras train_on_batch).
export async function mlp(backend, variant, problem, steps = 10) {
  await use(backend);
  const { weights, x, labels } = problem;
  const learningRate = 0.01;
  const classes = weights[3].length;
  const xs = tf.tensor2d(x);
  const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), classes).toFloat();
  const loss = (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  let step;
  let model = null;
  let params = null;
  if (variant === "trainOnBatch") {
    model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [x[0].length], units: weights[0][0].length, activation: "relu" }),
        tf.layers.dense({ units: classes }),
      ],
    });
    model.setWeights(weights.map((w) => tf.tensor(w)));
    model.compile({ optimizer: tf.train.sgd(learningRate), loss });
    step = async () => {
      let value;
      for (let i = 0; i < steps; i++) value = await model.trainOnBatch(xs, onehot);
      return value;
    };
  } else {
    params = weights.map((w) => tf.variable(tf.tensor(w)));
    const [w1, b1, w2, b2] = params;
    const optimizer = tf.train.sgd(learningRate);
    step = async () => {
      let cost = null;
      for (let i = 0; i < steps; i++) {
        if (cost) cost.dispose();
        cost = optimizer.minimize(() => loss(onehot, tf.relu(xs.matMul(w1).add(b1)).matMul(w2).add(b2)), true, params);
      }
      const value = (await cost.data())[0];
      cost.dispose();
      return value;
    };
  }
  const losses = [];
  const seconds = await timed(async () => losses.push(await step()));
  const firstLoss = losses[0];
  tf.dispose([xs, onehot, ...(params || [])]);
  if (model) model.dispose();
  if (!(losses[losses.length - 1] < firstLoss)) throw new Error(`tfjs ${backend} ${variant}: the loss did not fall`);
  return { case: "mlp", backend: `tfjs-${backend}`, variant, ms_per_step: (seconds / steps) * 1e3, first_loss: firstLoss, steps };
}
