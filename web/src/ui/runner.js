// Development runner (index.html?runner): a textarea, a Run button and an output area. The runtime's
// e2e tests drive it through its element ids and `window.webtensorKernel`.
import { Kernel } from "../kernel.js";

export function startRunner() {
  document.title = "webtensor runtime";
  document.body.className = "runner";
  document.body.dataset.kernel = "loading";
  document.body.innerHTML = `
    <h1>webtensor runtime</h1>
    <div id="status">starting</div>
    <textarea id="code" spellcheck="false">import webtensor as tf
print(tf.reduce_sum(tf.constant([1., 2., 3.])))</textarea>
    <p><button id="run" disabled>Run</button> <small>(Shift+Enter)</small></p>
    <pre id="output"></pre>`;
  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");
  const output = $("output");
  const runButton = $("run");

  function append(text, cls) {
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    output.appendChild(span);
  }

  const kernel = new Kernel({ onStatus: (text) => (statusEl.textContent = text) });
  window.webtensorKernel = kernel;

  kernel.ready.then(
    (info) => {
      const t = info.timings;
      statusEl.textContent = `ready: Pyodide ${info.versions.pyodide}, ${info.versions.webtensorWheel}, ` +
        `WebGPU ${info.versions.webgpu ? "available" : "unavailable"} (${(t.sinceStart / 1000).toFixed(1)} s)`;
      document.body.dataset.kernel = "ready";
      runButton.disabled = false;
    },
    (err) => {
      statusEl.textContent = "kernel failed to start";
      append(String(err.message || err), "stderr");
      document.body.dataset.kernel = "failed";
    },
  );

  async function runCell() {
    runButton.disabled = true;
    output.textContent = "";
    document.body.dataset.cell = "running";
    const result = await kernel.run($("code").value, { onStream: (name, text) => append(text, name) });
    if (result.ok && result.value !== null) append(result.value + "\n", "result");
    if (!result.ok) append(result.error.traceback || `${result.error.ename}: ${result.error.evalue}`, "error");
    document.body.dataset.cell = result.ok ? "ok" : "error";
    runButton.disabled = false;
  }

  runButton.addEventListener("click", runCell);
  $("code").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.shiftKey || e.ctrlKey) && !runButton.disabled) {
      e.preventDefault();
      runCell();
    }
  });
}
