// The Pyodide kernel: a dedicated module worker that loads Pyodide, numpy and the webtensor wheel
// from this server (nothing leaves the machine) and runs the code the page sends it.
//
// Messages in:  {type: "init", pyodideUrl, wheelsUrl, packages, interruptBuffer}
//               {type: "run", id, code}
// Messages out: {type: "status", text}                      while loading
//               {type: "ready", timings, versions}          once (or {type: "failed", error})
//               {type: "stream", id, name, text}            stdout/stderr while a cell runs
//               {type: "display", id, data, display_id, update}
//                                                           a mime bundle the cell shows (display(),
//                                                           figures, Keras progress bars); update:
//                                                           replaces the outputs under display_id
//               {type: "summary", path, bytes}              a tf.summary record (framed bytes, as
//                                                           appended to the event file at path,
//                                                           relative to the working directory)
//               {type: "result", id, ok, value, data, error, ms}
//                                                           when it ends (value: repr of the last
//                                                           expression, data: its mime bundle, or null)
// Cells run under runPythonAsync, so JSPI's run_sync (synchronous GPU readbacks) works inside them.

import "./webgpu_bridge.js";

let pyodide = null;
let kernel = null; // the Python side: webtensor.notebook.kernel (see KERNEL_PY)
let kernelNs = null; // the namespace the worker's own snippets run in (holds `kernel`)
let pyodideBase = null; // where Pyodide's files and wheels are served
let queue = Promise.resolve();

const post = (msg) => self.postMessage(msg);
const status = (text) => post({ type: "status", text });

// Decodes stdout/stderr bytes incrementally (a multibyte character may span two writes).
function streamTo(name, current) {
  const decoder = new TextDecoder();
  return {
    write(bytes) {
      const text = decoder.decode(bytes, { stream: true });
      if (text) post({ type: "stream", id: current.id, name, text });
      return bytes.length;
    },
  };
}

// Loads the kernel's Python side (webtensor/notebook/kernel.py, see there) from the installed wheel
// by file, so that starting the kernel does not import all of webtensor.
const KERNEL_PY = `
import importlib.metadata, importlib.util, sys

for _s in (sys.stdout, sys.stderr):
    try:
        _s.reconfigure(line_buffering=True)
    except Exception:
        pass
_path = importlib.metadata.distribution("webtensor").locate_file("webtensor/notebook/kernel.py")
_spec = importlib.util.spec_from_file_location("webtensor.notebook.kernel", _path)
kernel = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = kernel
_spec.loader.exec_module(kernel)
kernel
`;

async function init(msg) {
  const t0 = performance.now();
  const timings = {};
  const origin = self.location.origin;
  const pyodideUrl = new URL(msg.pyodideUrl || "/pyodide/", origin).href;
  pyodideBase = pyodideUrl;
  const wheelsUrl = new URL(msg.wheelsUrl || "/wheels/", origin).href;
  const current = { id: null };
  self.__webtensorCurrent = current;

  status("loading Pyodide");
  const { loadPyodide } = await import(/* @vite-ignore */ pyodideUrl + "pyodide.mjs");
  pyodide = await loadPyodide({
    indexURL: pyodideUrl,
    lockFileURL: pyodideUrl + "pyodide-lock.json",
    stdout: () => {}, // replaced below by raw byte streams
    stderr: () => {},
  });
  pyodide.setStdout(streamTo("stdout", current));
  pyodide.setStderr(streamTo("stderr", current));
  if (msg.interruptBuffer) pyodide.setInterruptBuffer(msg.interruptBuffer);
  timings.pyodide = performance.now() - t0;

  status("loading numpy");
  const t1 = performance.now();
  const packages = ["numpy", "micropip", ...(msg.packages || [])];
  await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => console.warn(m) });
  timings.packages = performance.now() - t1;

  status("installing webtensor");
  const t2 = performance.now();
  const wheels = await listWheels(wheelsUrl);
  const webtensor = wheels.find((w) => /^webtensor-.*\.whl$/.test(w));
  if (!webtensor) throw new Error(`no webtensor wheel found at ${wheelsUrl} (have: ${wheels.join(", ") || "nothing"})`);
  const micropip = pyodide.pyimport("micropip");
  // deps=False: numpy already comes from the lock; everything else webtensor needs is stdlib.
  await micropip.install.callKwargs(wheelsUrl + webtensor, { deps: false });
  micropip.destroy();
  timings.webtensor = performance.now() - t2;

  const ns = pyodide.globals.get("dict")();
  kernel = pyodide.runPython(KERNEL_PY, { globals: ns, filename: "<webtensor-kernel>" });
  kernelNs = ns;
  const send = (text) => post({ type: "display", id: current.id, ...JSON.parse(text) });
  const sendSummary = (path, b64) => post({ type: "summary", path, bytes: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) });
  kernel.configure.callKwargs({ send, send_summary: sendSummary, wheels_url: wheelsUrl, wheels });
  kernel.install_hooks();
  timings.total = performance.now() - t0;
  const versions = {
    pyodide: pyodide.version,
    python: pyodide.runPython("import sys; sys.version.split()[0]"),
    webtensorWheel: webtensor,
    webgpu: typeof navigator !== "undefined" && !!navigator.gpu,
  };
  post({ type: "ready", timings, versions });
}

// Wheel file names served under wheelsUrl: index.json (a list of names) when the server offers one,
// else the .whl links of its directory listing.
async function listWheels(wheelsUrl) {
  try {
    const r = await fetch(wheelsUrl + "index.json");
    if (r.ok) {
      const data = await r.json();
      const names = Array.isArray(data) ? data : data.wheels || data.files || [];
      if (names.length) return names.map((n) => (typeof n === "string" ? n : n.file || n.name));
    }
  } catch (e) {
    /* fall through to the listing */
  }
  const r = await fetch(wheelsUrl);
  if (!r.ok) return [];
  const text = await r.text();
  const names = new Set();
  for (const m of text.matchAll(/([A-Za-z0-9_.+-]+\.whl)/g)) names.add(decodeURIComponent(m[1]));
  return [...names];
}

let cellCount = 0;

// Loads the Pyodide packages a cell imports (matplotlib and its dependencies) from the local lock
// and wheels before it runs. Only packages whose wheel this server has are loaded (a HEAD request,
// once per package): others are left to the import itself or to %pip. Failures go to the cell's stderr.
const localWheel = new Map(); // package name -> Promise<bool>
let importToPackage = null;

async function loadImports(code, id) {
  const errors = [];
  try {
    if (!importToPackage) {
      const lock = await (await fetch(pyodideBase + "pyodide-lock.json")).json();
      importToPackage = new Map();
      for (const pkg of Object.values(lock.packages)) {
        for (const name of pkg.imports || []) importToPackage.set(name, pkg);
      }
    }
    const found = pyodide.pyimport("pyodide.code").find_imports(kernel.transform_magics(code));
    const names = found.toJs();
    found.destroy();
    const wanted = [];
    for (const name of names) {
      const pkg = importToPackage.get(name.split(".")[0]);
      if (!pkg || pyodide.loadedPackages[pkg.name] || wanted.includes(pkg.name)) continue;
      if (!localWheel.has(pkg.name)) {
        localWheel.set(pkg.name, fetch(pyodideBase + pkg.file_name, { method: "HEAD" }).then((r) => r.ok, () => false));
      }
      if (await localWheel.get(pkg.name)) wanted.push(pkg.name);
    }
    if (wanted.length) {
      await pyodide.loadPackage(wanted, { messageCallback: (m) => status(m), errorCallback: (m) => errors.push(m) });
    }
  } catch (e) {
    errors.push(String(e && e.message ? e.message : e));
  }
  if (errors.length) post({ type: "stream", id, name: "stderr", text: errors.join("\n") + "\n" });
}

async function run(msg) {
  const current = self.__webtensorCurrent;
  current.id = msg.id;
  const t0 = performance.now();
  let reply;
  try {
    await loadImports(msg.code, msg.id);
    kernelNs.set("_code", msg.code);
    kernelNs.set("_filename", `<cell-${++cellCount}>`);
    // Through runPythonAsync (not a call of the coroutine from JS): JSPI's run_sync needs it.
    const res = await pyodide.runPythonAsync("await kernel.run_cell(_code, _filename)", { globals: kernelNs });
    reply = res.toJs({ dict_converter: Object.fromEntries });
    res.destroy();
    reply.value = reply.value ?? null; // Python None arrives as undefined
    reply.data = reply.data ?? null;
    reply.error = reply.error ?? null;
  } catch (e) {
    reply = { ok: false, value: null, data: null, error: { ename: "KernelError", evalue: String(e), traceback: String(e.stack || e) } };
  }
  post({ type: "result", id: msg.id, ...reply, ms: performance.now() - t0 });
  current.id = null;
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    queue = queue.then(() => init(msg)).catch((e) => post({ type: "failed", error: String(e && e.stack ? e.stack : e) }));
  } else if (msg.type === "run") {
    queue = queue.then(() => (kernel ? run(msg) : post({
      type: "result", id: msg.id, ok: false, value: null, data: null,
      error: { ename: "KernelError", evalue: "the kernel failed to start", traceback: "" }, ms: 0,
    })));
  }
};
