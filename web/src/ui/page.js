// The notebook page: toolbar, kernel status line, command-mode keys, and opening the file named in
// the URL (?path=name.ipynb, else Untitled.ipynb). Opening a notebook runs none of its code.
import { Kernel } from "../kernel.js";
import { Notebook } from "./notebook.js";
import { serializeNotebook } from "./nbformat.js";

// Asks the kernel which backend runs ops and on which adapter (printed as one JSON line).
const PROBE = `
def _webtensor_probe():
    import json, sys
    import webtensor as tf
    info = {"backend": tf.config.get_backend(), "python": sys.version.split()[0]}
    try:
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            info["gpu"] = tf.config.get_device_details(gpus[0]) if hasattr(tf.config, "get_device_details") \\
                else tf.config.experimental.get_device_details(gpus[0])
    except Exception as e:
        info["gpu_error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(info, default=str))
_webtensor_probe()
del _webtensor_probe
`;

function describe(info, probe) {
  const parts = [`Kernel ready: backend ${probe.backend}`];
  if (probe.gpu) {
    const g = probe.gpu;
    parts.push(`adapter ${g.device_name}${g.backend ? ` (${g.backend}${g.is_software ? ", software" : ""})` : ""}`);
  } else {
    parts.push(info.versions && info.versions.webgpu ? "no WebGPU adapter in use" : "WebGPU unavailable");
  }
  if (info.versions) parts.push(`Pyodide ${info.versions.pyodide}`);
  if (info.timings) parts.push(`started in ${(info.timings.sinceStart / 1000).toFixed(1)} s`);
  return parts.join(" · ");
}

export function startNotebook() {
  const $ = (id) => document.getElementById(id);
  const status = $("kernel-status");
  const saveState = $("save-state");
  const kernel = new Kernel({ onStatus: (text) => { status.textContent = `Kernel: ${text}`; } });
  window.webtensorKernel = kernel;
  const nb = new Notebook({ container: $("notebook"), kernel, onState: (t) => { saveState.textContent = t; } });
  window.webtensorNotebook = nb;

  async function probeAndReport() {
    document.body.dataset.kernel = "loading";
    status.textContent = "Kernel: starting";
    try {
      const info = await kernel.ready;
      let text = "";
      const r = await kernel.run(PROBE, { onStream: (name, t) => { if (name === "stdout") text += t; } });
      let probe = { backend: "unknown" };
      try { probe = JSON.parse(text.trim().split("\n").pop()); } catch { /* keep unknown */ }
      if (!r.ok) probe.backend = `unknown (${r.error && r.error.ename})`;
      // The probe is not a user cell: the page is "ready" only after it (status shows the backend).
      status.textContent = describe(info, probe);
      status.dataset.backend = probe.backend;
      document.body.dataset.kernel = "ready";
    } catch (e) {
      status.textContent = `Kernel failed to start: ${e.message || e}`;
      document.body.dataset.kernel = "failed";
    }
  }
  probeAndReport();

  // -- toolbar --------------------------------------------------------------------------------------
  const click = (id, fn) => $(id).addEventListener("click", (e) => { e.preventDefault(); fn(); });
  click("btn-save", () => nb.save());
  click("btn-run", () => nb.runAt(nb.selected, { advance: true }));
  click("btn-run-all", () => nb.runAll());
  click("btn-interrupt", () => kernel.interrupt());
  click("btn-restart", async () => { await nb.restart().catch(() => {}); probeAndReport(); });
  click("btn-add-code", () => { nb.insert(nb.selected + 1, "code"); nb.editMode(); });
  click("btn-add-md", () => { nb.insert(nb.selected + 1, "markdown"); nb.editMode(); });
  click("btn-up", () => nb.move(nb.selected, -1));
  click("btn-down", () => nb.move(nb.selected, 1));
  click("btn-delete", () => nb.remove(nb.selected));
  click("btn-download", () => {
    const blob = new Blob([serializeNotebook(nb.nb)], { type: "application/x-ipynb+json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (nb.path || "notebook.ipynb").split("/").pop();
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  $("upload").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    try {
      const path = await nb.openLocal(file.name, await file.text());
      showPath(path);
    } catch (err) {
      saveState.textContent = `cannot open ${file.name}: ${err.message}`;
    }
  });

  function showPath(path) {
    $("nb-name").textContent = path;
    document.title = `${path.split("/").pop()} - webtensor`;
    const url = new URL(location.href);
    url.searchParams.set("path", path);
    history.replaceState(null, "", url);
  }

  // -- command-mode keys ----------------------------------------------------------------------------
  let lastD = 0;
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      nb.save();
      return;
    }
    if (nb.mode !== "command") return;
    const t = e.target;
    if (t && (t.closest?.(".cm-editor") || ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(t.tagName))) return;
    const i = nb.selected;
    let handled = true;
    if (e.key === "Enter" && e.shiftKey) nb.runAt(i, { advance: true });
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) nb.runAt(i);
    else if (e.key === "Enter") nb.editMode();
    else if (e.altKey && e.key === "ArrowUp") nb.move(i, -1);
    else if (e.altKey && e.key === "ArrowDown") nb.move(i, 1);
    else if (e.ctrlKey || e.metaKey || e.altKey) handled = false;
    else if (e.key === "ArrowUp" || e.key === "k") nb.select(i - 1);
    else if (e.key === "ArrowDown" || e.key === "j") nb.select(i + 1);
    else if (e.key === "a") nb.insert(i, "code");
    else if (e.key === "b") nb.insert(i + 1, "code");
    else if (e.key === "m") nb.setType(i, "markdown");
    else if (e.key === "y") nb.setType(i, "code");
    else if (e.key === "d") {
      const now = Date.now();
      if (now - lastD < 800) { nb.remove(i); lastD = 0; } else lastD = now;
    } else handled = false;
    if (handled) {
      e.preventDefault();
      nb.current?.el.scrollIntoView({ block: "nearest" });
    }
  });

  // -- the file -------------------------------------------------------------------------------------
  const path = new URLSearchParams(location.search).get("path") || "Untitled.ipynb";
  showPath(path);
  nb.open(path).then((draft) => {
    document.body.dataset.notebook = "open";
    if (!draft) return;
    $("draft-time").textContent = new Date(draft.savedAt).toLocaleString();
    $("draft-banner").hidden = false;
    click("draft-restore", () => { nb.restoreDraft(draft); $("draft-banner").hidden = true; });
    click("draft-discard", () => { $("draft-banner").hidden = true; });
  }, (e) => {
    saveState.textContent = `cannot open ${path}: ${e.message}`;
    document.body.dataset.notebook = "failed";
  });
  // The draft store already holds every edit; a reload needs no confirmation dialog.
  window.addEventListener("pagehide", () => nb.saveDraft());
}
