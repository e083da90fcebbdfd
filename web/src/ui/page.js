// The notebook page: toolbar, kernel status line, command-mode keys, and opening the file named in
// the URL (?path=name.ipynb, else Untitled.ipynb). Opening a notebook runs none of its code.
import { Kernel } from "../kernel.js";
import { Notebook } from "./notebook.js";
import { serializeNotebook } from "./nbformat.js";
import * as contents from "./contents.js";

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
    // Why the GPU is not the default: a software adapter is slower than the CPU backends.
    if (g.is_software && probe.backend !== "webgpu") parts.push("software adapter, so not the default: tf.config.set_backend('webgpu') uses it");
  } else {
    parts.push(info.versions && info.versions.webgpu ? "no WebGPU adapter in use" : "WebGPU unavailable");
  }
  if (info.versions) parts.push(`Pyodide ${info.versions.pyodide}`);
  if (info.timings) parts.push(`started in ${(info.timings.sinceStart / 1000).toFixed(1)} s`);
  return parts.join(" · ");
}

export function startNotebook() {
  const $ = (id) => document.getElementById(id);
  const info = $("kernel-info");
  const activity = $("kernel-activity");
  const saveState = $("save-state");
  // While the kernel starts, its progress is the status line; once ready, the line keeps the backend
  // and adapter, and later messages (packages loading for a cell) show beside it until the cell ends.
  const kernel = new Kernel({
    onStatus: (text) => {
      if (document.body.dataset.kernel === "ready") activity.textContent = text;
      else info.textContent = `Kernel: ${text}`;
    },
  });
  window.webtensorKernel = kernel;
  const nb = new Notebook({
    container: $("notebook"),
    kernel,
    onState: (t) => { saveState.textContent = t; },
    onBusy: (busy) => {
      document.body.dataset.busy = String(busy);
      $("kernel-dot").title = busy ? "kernel busy" : "kernel idle";
      if (!busy) activity.textContent = "";
    },
  });
  window.webtensorNotebook = nb;

  async function probeAndReport() {
    document.body.dataset.kernel = "loading";
    info.textContent = "Kernel: starting";
    activity.textContent = "";
    try {
      const started = await kernel.ready;
      let text = "";
      const r = await kernel.run(PROBE, { onStream: (name, t) => { if (name === "stdout") text += t; } });
      let probe = { backend: "unknown" };
      try { probe = JSON.parse(text.trim().split("\n").pop()); } catch { /* keep unknown */ }
      if (!r.ok) probe.backend = `unknown (${r.error && r.error.ename})`;
      // The probe is not a user cell: the page is "ready" only after it (status shows the backend).
      info.textContent = describe(started, probe);
      info.dataset.backend = probe.backend;
      document.body.dataset.kernel = "ready";
    } catch (e) {
      info.textContent = `Kernel failed to start: ${e.message || e}`;
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
  const undoButton = $("btn-undo-delete");
  const refreshUndo = () => { undoButton.disabled = !nb.deleted.length; };
  click("btn-delete", () => { nb.remove(nb.selected); refreshUndo(); });
  click("btn-undo-delete", () => { nb.undoDelete(); refreshUndo(); });
  click("btn-clear", () => nb.clearOutputs());
  const help = $("help");
  click("btn-help", () => { help.hidden = !help.hidden; });
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

  // -- rename: click the name, type, Enter (Escape or leaving the field cancels) -------------------
  const nameLabel = $("nb-name");
  const nameInput = $("nb-rename");
  function startRename() {
    if (!nb.path) return;
    nameInput.value = nb.path;
    nameLabel.hidden = true;
    nameInput.hidden = false;
    nameInput.focus();
    nameInput.setSelectionRange(0, nb.path.replace(/\.ipynb$/i, "").length);
  }
  function endRename() {
    nameInput.hidden = true;
    nameLabel.hidden = false;
  }
  nameLabel.addEventListener("click", startRename);
  nameLabel.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); startRename(); } });
  nameInput.addEventListener("keydown", async (e) => {
    e.stopPropagation();
    if (e.key === "Escape") { endRename(); nb.commandMode(); return; }
    if (e.key !== "Enter") return;
    e.preventDefault();
    let target = nameInput.value.trim();
    if (!target) return;
    if (!/\.ipynb$/i.test(target)) target += ".ipynb";
    try {
      showPath(await nb.rename(target));
      endRename();
      nb.commandMode();
    } catch (err) {
      saveState.textContent = err.message;
      nameInput.setCustomValidity(err.message);
      nameInput.reportValidity();
    }
  });
  nameInput.addEventListener("input", () => nameInput.setCustomValidity(""));
  nameInput.addEventListener("blur", () => { if (!nameInput.hidden) endRename(); });

  // -- the notebook list: open another notebook or create one --------------------------------------
  const fileList = $("file-list");
  let listDir = "";
  async function openPath(path) {
    if (nb.dirty) await nb.save();
    const url = new URL(location.href);
    url.searchParams.set("path", path);
    location.assign(url);
  }
  async function showFiles(dir) {
    listDir = dir;
    const ul = $("file-entries");
    ul.replaceChildren();
    let entries;
    try {
      entries = await contents.list(dir);
    } catch (err) {
      const li = document.createElement("li");
      li.textContent = err.message;
      ul.append(li);
      return;
    }
    const item = (label, when, onClick, cls) => {
      const li = document.createElement("li");
      if (cls) li.className = cls;
      const a = document.createElement("a");
      a.href = "#";
      const name = document.createElement("span");
      name.textContent = label;
      const time = document.createElement("span");
      time.className = "when";
      time.textContent = when ? new Date(when).toLocaleString() : "";
      a.append(name, time);
      a.addEventListener("click", (e) => { e.preventDefault(); onClick(); });
      li.append(a);
      ul.append(li);
    };
    if (dir) item("..", "", () => showFiles(dir.split("/").slice(0, -1).join("/")));
    for (const entry of entries) {
      if (entry.type === "directory") item(`${entry.name}/`, entry.last_modified, () => showFiles(entry.path));
      else if (entry.type === "notebook") {
        item(entry.name, entry.last_modified, () => openPath(entry.path), entry.path === nb.path ? "current" : "");
      }
    }
    if (!ul.children.length) item("(no notebooks here)", "", () => {});
  }
  click("btn-files", () => {
    fileList.hidden = !fileList.hidden;
    if (!fileList.hidden) showFiles(listDir);
  });
  click("btn-new-notebook", async () => {
    try {
      const model = await contents.createUntitled(listDir);
      await openPath(model.path);
    } catch (err) {
      saveState.textContent = err.message;
    }
  });
  document.addEventListener("mousedown", (e) => {
    if (!fileList.hidden && !fileList.contains(e.target) && e.target.id !== "btn-files") fileList.hidden = true;
  });

  // -- command-mode keys ----------------------------------------------------------------------------
  let lastD = 0;
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      nb.save();
      return;
    }
    const t = e.target;
    // Escape outside an editor (focus on a toolbar button, say) also means command mode.
    if (e.key === "Escape" && !t?.closest?.(".cm-editor") && t?.id !== "nb-rename") {
      if (nb.mode !== "command") nb.commandMode();
      help.hidden = true;
      return;
    }
    if (nb.mode !== "command") return;
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
    else if (e.key === "z") { nb.undoDelete(); refreshUndo(); }
    else if (e.key === "h") help.hidden = !help.hidden;
    else if (e.key === "c") nb.copy(i);
    else if (e.key === "x") { nb.cut(i); refreshUndo(); }
    else if (e.key === "v") nb.paste(i);
    else if (e.key === "d") {
      const now = Date.now();
      if (now - lastD < 800) { nb.remove(i); refreshUndo(); lastD = 0; } else lastD = now;
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
