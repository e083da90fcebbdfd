// The browser benchmark page (/bench.html): webtensor in the Pyodide kernel (its webgpu and numpy
// backends, and Pyodide's own numpy) beside TensorFlow.js 4.22 (webgpu and wasm), one page, one run.
// tests/bench/bench_browser.py drives it: `await window.webtensorBench.run(options)` resolves to
// {environment, rows} and also fills the page's table. The Run button does the same by hand.
import { Kernel } from "../kernel.js";
import * as tfjs from "./tfjs_cases.js";
import CASES_PY from "./webtensor_cases.py?raw";

const DEFAULTS = { sizes: [256, 512, 1024], perOpCount: 1000, mlpSteps: 10, minSeconds: 0.75, windows: 3 };

const $ = (id) => document.getElementById(id);
const kernel = new Kernel({ onStatus: (text) => ($("status").textContent = `kernel: ${text}`) });
let defined = null;

// Runs Python in the kernel; resolves to the JSON lines it printed.
async function py(code) {
  let out = "";
  let err = "";
  const r = await kernel.run(code, { onStream: (name, text) => (name === "stdout" ? (out += text) : (err += text)) });
  if (!r.ok) throw new Error(`webtensor: ${r.error.traceback || r.error.evalue}\n${err}`);
  return out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

async function webtensor(call) {
  if (!defined) {
    defined = py(`${CASES_PY}\nimport warnings\nwarnings.filterwarnings("ignore", message="WebGPU holds no int64")`);
  }
  await defined;
  return py(call);
}

function show(row) {
  const tr = document.createElement("tr");
  const what = row.case === "per_op" ? `tf.add, ${row.size} floats` : row.case === "matmul" ? `matmul ${row.n}` : `MLP step, ${row.variant}`;
  const value = row.us_per_op ?? row.gflops ?? row.ms_per_step;
  const unit = row.case === "per_op" ? "µs/op" : row.case === "matmul" ? "GFLOP/s" : "ms/step";
  const who = row.backend === "webgpu" || row.backend === "numpy" ? `webtensor-${row.backend}` : row.backend;
  for (const text of [what, who, `${value.toPrecision(3)} ${unit}`]) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  $("results").append(tr);
}

// Every case, in a fixed order; `only` (a list of "per_op" / "matmul" / "mlp") picks some.
async function run(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const wanted = (c) => !o.only || o.only.includes(c);
  const q = JSON.stringify;
  await kernel.ready;
  await webtensor(`MIN_SECONDS, WINDOWS = ${o.minSeconds}, ${o.windows}`);
  Object.assign(tfjs.timing, { minSeconds: o.minSeconds, windows: o.windows });
  const environment = { webtensor: (await webtensor("environment()"))[0], tfjs: await tfjs.environment(),
    hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated: globalThis.crossOriginIsolated,
    userAgent: navigator.userAgent };
  const rows = [];
  const add = (list) => {
    for (const row of list) {
      rows.push(row);
      show(row);
    }
  };
  const tf = { webgpu: "webgpu", wasm: "wasm" };
  if (wanted("per_op")) {
    for (const b of ["webgpu", "numpy"]) add(await webtensor(`per_op(${q(b)}, count=${o.perOpCount})`));
    add([await tfjs.perOp("webgpu", o.perOpCount, 16, { gpuOnly: true })]);
    for (const b of Object.values(tf)) add([await tfjs.perOp(b, o.perOpCount)]);
  }
  if (wanted("matmul")) {
    for (const n of o.sizes) {
      add(await webtensor(`matmul("webgpu", ${n})`));
      add(await webtensor(`numpy_matmul(${n})`));
      for (const b of Object.values(tf)) add([await tfjs.matmul(b, n)]);
    }
  }
  if (wanted("mlp")) {
    const problem = (await webtensor("mlp_problem_json()"))[0];
    for (const b of ["webgpu", "numpy"]) {
      for (const v of ["eager", "function", "keras"]) add(await webtensor(`mlp(${q(b)}, ${q(v)}, steps=${o.mlpSteps})`));
    }
    for (const b of Object.values(tf)) {
      for (const v of ["minimize", "trainOnBatch"]) add([await tfjs.mlp(b, v, problem, o.mlpSteps)]);
    }
  }
  return { environment, rows };
}

window.webtensorBench = { kernel, run, tfjs, webtensor };

kernel.ready.then(
  () => {
    $("status").textContent = "kernel: ready";
    document.body.dataset.kernel = "ready";
    $("run").disabled = false;
  },
  (e) => {
    $("status").textContent = `kernel failed to start: ${e.message || e}`;
    document.body.dataset.kernel = "failed";
  },
);

$("run").addEventListener("click", async () => {
  $("run").disabled = true;
  $("results").textContent = "";
  try {
    const { environment } = await run();
    $("environment").textContent = JSON.stringify(environment, null, 1);
  } catch (e) {
    $("environment").textContent = String(e.message || e);
  }
  $("run").disabled = false;
});
