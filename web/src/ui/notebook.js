// The notebook page: the model (nbformat data), one CellView per cell, selection and the two modes
// (command: Esc; edit: Enter), running cells on the kernel, and the file (open, save, autosave).
import { CellView } from "./cell.js";
import { emptyNotebook, newCell, newCellId, parseNotebook, serializeNotebook, toJupyter } from "./nbformat.js";
import * as contents from "./contents.js";
import * as store from "./store.js";

const AUTOSAVE_MS = 3000;
const DRAFT_MS = 400;

export class Notebook {
  constructor({ container, kernel, onState = () => {}, onBusy = () => {} }) {
    this.container = container;
    this.kernel = kernel;
    this.onState = onState; // (text) => void: save state for the toolbar
    this.onBusy = onBusy; // (busy: boolean) => void: a cell is running or waiting
    this.deleted = []; // [{index, cell}]: deleted cells, most recent last (undo with z)
    this.clipboard = null; // a copied or cut cell (c / x, pasted with v)
    this.nb = emptyNotebook();
    this.views = [];
    this.selected = 0;
    this.mode = "command";
    this.path = null;
    this.version = 0; // bumps on every change
    this.savedVersion = 0;
    this.saving = false;
    this.executionCount = 0;
    this.displays = new Map(); // display_id -> [{view, output}]
    this.container.tabIndex = -1;
    this._draftTimer = null;
    setInterval(() => this.autosave(), AUTOSAVE_MS);
  }

  get dirty() {
    return this.version !== this.savedVersion;
  }

  // -- the model ------------------------------------------------------------------------------------

  load(nb, path) {
    for (const v of this.views) v.destroy();
    this.nb = nb;
    this.path = path;
    this.displays.clear();
    this.views = nb.cells.map((c) => this._view(c));
    this.container.replaceChildren(...this.views.map((v) => v.el));
    if (!this.views.length) this.insert(0, "code");
    this.select(0);
    this.commandMode();
  }

  _view(cell) {
    return new CellView(cell, {
      onChange: () => this.changed(),
      onFocus: (v) => { this.select(this.views.indexOf(v)); this.mode = "edit"; this._paintSelection(); },
      onSelect: (v) => this.select(this.views.indexOf(v)),
      onRun: (v, { advance }) => this.runAt(this.views.indexOf(v), { advance }),
      onEscape: (v) => { if (v.cell.cell_type === "markdown") v.setEditing(false); this.commandMode(); },
      onEditRequest: (v) => { this.select(this.views.indexOf(v)); this.editMode(); },
    });
  }

  changed() {
    this.version++;
    this.onState(this.path ? `${this.path} (unsaved changes)` : "unsaved");
    clearTimeout(this._draftTimer);
    this._draftTimer = setTimeout(() => this.saveDraft(), DRAFT_MS);
  }

  insert(index, type = "code", source = "") {
    this._insertCell(index, newCell(this.nb, type, source));
    return this.views[index];
  }

  remove(index) {
    if (index < 0 || index >= this.views.length) return;
    const [view] = this.views.splice(index, 1);
    const [cell] = this.nb.cells.splice(index, 1);
    this.deleted.push({ index, cell });
    if (this.deleted.length > 50) this.deleted.shift();
    view.destroy();
    if (!this.views.length) this.insert(0, "code");
    this.changed();
    this.select(Math.min(index, this.views.length - 1));
  }

  // Puts the most recently deleted cell back where it was (Jupyter's "undo cell deletion", key z).
  undoDelete() {
    const last = this.deleted.pop();
    if (!last) return false;
    const index = Math.min(last.index, this.views.length);
    this._insertCell(index, last.cell);
    return true;
  }

  copy(index) {
    const view = this.views[index];
    if (view) this.clipboard = structuredClone(view.cell);
  }

  cut(index) {
    this.copy(index);
    this.remove(index);
  }

  // Pastes the copied cell below `index`, as a new cell (its own id; outputs kept, as Jupyter does).
  paste(index) {
    if (!this.clipboard) return false;
    const cell = structuredClone(this.clipboard);
    if ("id" in cell) cell.id = newCellId();
    this._insertCell(index + 1, cell);
    return true;
  }

  _insertCell(index, cell) {
    this.nb.cells.splice(index, 0, cell);
    const view = this._view(cell);
    this.views.splice(index, 0, view);
    const next = this.views[index + 1];
    this.container.insertBefore(view.el, next ? next.el : null);
    this.changed();
    this.select(index);
  }

  move(index, delta) {
    const to = index + delta;
    if (to < 0 || to >= this.views.length) return;
    const [view] = this.views.splice(index, 1);
    const [cell] = this.nb.cells.splice(index, 1);
    this.views.splice(to, 0, view);
    this.nb.cells.splice(to, 0, cell);
    const next = this.views[to + 1];
    this.container.insertBefore(view.el, next ? next.el : null);
    this.changed();
    this.select(to);
  }

  setType(index, type) {
    const view = this.views[index];
    const cell = view.cell;
    if (cell.cell_type === type) return;
    cell.cell_type = type;
    if (type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.attachments;
    } else {
      delete cell.outputs;
      delete cell.execution_count;
    }
    view.editing = false;
    view.retype();
    this.changed();
  }

  // -- selection and modes --------------------------------------------------------------------------

  select(index) {
    if (index < 0 || index >= this.views.length) return;
    if (index !== this.selected) {
      const old = this.views[this.selected];
      if (old && old.editing && old.cell.cell_type === "markdown") old.setEditing(false);
    }
    this.selected = index;
    this._paintSelection();
  }

  _paintSelection() {
    this.views.forEach((v, i) => {
      v.el.classList.toggle("selected", i === this.selected);
      v.el.classList.toggle("editing", i === this.selected && this.mode === "edit");
    });
    document.body.dataset.mode = this.mode;
  }

  get current() {
    return this.views[this.selected];
  }

  commandMode() {
    this.mode = "command";
    this.container.focus({ preventScroll: true });
    this._paintSelection();
  }

  editMode() {
    const v = this.current;
    if (!v) return;
    this.mode = "edit";
    v.setEditing(true);
    this._paintSelection();
    v.el.scrollIntoView({ block: "nearest" });
  }

  // -- running --------------------------------------------------------------------------------------

  async runAt(index, { advance = false } = {}) {
    const view = this.views[index];
    if (!view) return;
    if (advance) {
      if (index === this.views.length - 1) this.insert(index + 1, "code");
      this.select(index + 1);
      if (this.mode === "edit") this.editMode(); else this.commandMode();
    }
    if (view.cell.cell_type === "markdown") {
      view.setEditing(false);
      if (!advance) this.commandMode();
      return;
    }
    if (view.cell.cell_type !== "code") return;
    await this.execute(view);
  }

  async runAll() {
    const views = this.views.filter((v) => v.cell.cell_type !== "raw");
    for (const v of views) if (v.cell.cell_type === "code") { v.queued = true; v.renderPrompt(); }
    for (const v of views) {
      if (v.cell.cell_type === "markdown") { v.setEditing(false); continue; }
      if (!this.views.includes(v)) continue;
      const r = await this.execute(v);
      if (r && !r.ok) break;
    }
    for (const v of this.views) if (v.queued) { v.queued = false; v.renderPrompt(); }
  }

  async execute(view) {
    const cell = view.cell;
    cell.outputs = [];
    view.queued = true;
    view.renderPrompt();
    view.renderOutputs();
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      view.queued = false;
      view.running = true;
      view.renderPrompt();
    };
    const run = this.kernel.run(cell.source, {
      onStream: (name, text) => {
        start();
        const last = cell.outputs[cell.outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === name) {
          last.text += text;
          view.renderLastOutput();
        } else {
          cell.outputs.push({ output_type: "stream", name, text });
          view.renderOutputs();
        }
      },
      onDisplay: (data, { display_id: displayId, update } = {}) => {
        start();
        this._display(view, data, displayId, update);
      },
    });
    // The kernel queues cells; there is no "started" message, so the prompt turns [*] on the first
    // output or right away for the first cell in line.
    if (!this._busy) start();
    this._busy = (this._busy || 0) + 1;
    if (this._busy === 1) this.onBusy(true);
    let result;
    try {
      result = await run;
    } finally {
      this._busy--;
      if (!this._busy) this.onBusy(false);
    }
    start();
    view.running = false;
    if (result.error && result.error.ename === "KernelRestarted") {
      cell.execution_count = null;
    } else {
      cell.execution_count = ++this.executionCount;
    }
    if (result.ok) {
      const data = result.data && typeof result.data === "object" ? result.data
        : result.value !== null && result.value !== undefined ? { "text/plain": String(result.value) } : null;
      if (data) cell.outputs.push({ output_type: "execute_result", execution_count: cell.execution_count, data, metadata: {} });
    } else if (result.error) {
      const e = result.error;
      const tb = e.traceback ? String(e.traceback).replace(/\n$/, "").split("\n") : [`${e.ename}: ${e.evalue}`];
      cell.outputs.push({ output_type: "error", ename: e.ename, evalue: e.evalue, traceback: tb });
    }
    view.renderPrompt();
    view.renderOutputs();
    this.changed();
    return result;
  }

  _display(view, data, displayId, update) {
    if (update) {
      for (const entry of this.displays.get(displayId) || []) {
        entry.output.data = data;
        if (entry.view.cell.outputs.includes(entry.output)) {
          const i = entry.view.cell.outputs.indexOf(entry.output);
          if (i === entry.view.cell.outputs.length - 1) entry.view.renderLastOutput(); else entry.view.renderOutputs();
        }
      }
      return;
    }
    const output = { output_type: "display_data", data, metadata: {} };
    view.cell.outputs.push(output);
    if (displayId) {
      if (!this.displays.has(displayId)) this.displays.set(displayId, []);
      this.displays.get(displayId).push({ view, output });
    }
    view.renderOutputs();
  }

  async restart() {
    this.executionCount = 0;
    this.displays.clear();
    return this.kernel.restart();
  }

  clearOutputs() {
    for (const v of this.views) {
      if (v.cell.cell_type !== "code") continue;
      v.cell.outputs = [];
      v.cell.execution_count = null;
      v.refresh();
    }
    this.changed();
  }

  // -- files ----------------------------------------------------------------------------------------

  jupyter() {
    return toJupyter(this.nb);
  }

  serialize() {
    return serializeNotebook(this.nb);
  }

  async save() {
    if (!this.path || this.saving) return;
    this.saving = true;
    const version = this.version;
    this.onState(`saving ${this.path}`);
    try {
      const content = this.jupyter();
      await store.putDraft(this.path, content).catch(() => {});
      const model = await contents.saveNotebook(this.path, content);
      this.savedVersion = version;
      this.lastModified = model.last_modified;
      this.onState(this.dirty ? `${this.path} (unsaved changes)` : `saved ${new Date().toLocaleTimeString()}`);
      document.body.dataset.saved = String(this.savedVersion);
    } catch (e) {
      this.onState(`save failed: ${e.message} (kept in this browser)`);
    } finally {
      this.saving = false;
    }
  }

  autosave() {
    if (this.dirty && !this.saving && this.path) this.save();
  }

  saveDraft() {
    if (!this.path) return;
    store.putDraft(this.path, this.jupyter()).catch(() => {});
  }

  // Opens `path` from the server (creating an empty notebook there when absent). Returns the
  // browser's draft when it is newer than the server's copy and differs from it, else null.
  async open(path) {
    let model;
    try {
      model = await contents.getNotebook(path);
    } catch (e) {
      if (e.status !== 404) throw e;
      const nb = emptyNotebook();
      model = await contents.saveNotebook(path, toJupyter(nb));
      model.content = toJupyter(nb);
    }
    const nb = parseNotebook(model.content);
    this.load(nb, path);
    this.version = this.savedVersion = 0;
    this.lastModified = model.last_modified;
    this.onState(`opened ${path}`);
    const draft = await store.getDraft(path).catch(() => undefined);
    if (draft && draft.savedAt > Date.parse(model.last_modified || 0)) {
      if (serializeNotebook(parseNotebook(draft.content)) !== serializeNotebook(nb)) return draft;
    }
    return null;
  }

  // Renames the open notebook on the server (refused when the new name exists); its browser draft
  // moves with it. Autosave waits while the rename is in flight.
  async rename(newPath) {
    if (!this.path || newPath === this.path) return this.path;
    if (this.saving) throw new Error("a save is in progress; try again");
    this.saving = true;
    try {
      const model = await contents.rename(this.path, newPath);
      const old = this.path;
      this.path = model.path;
      await store.putDraft(this.path, this.jupyter()).catch(() => {});
      await store.deleteDraft(old).catch(() => {});
      this.onState(`renamed to ${this.path}`);
      return this.path;
    } finally {
      this.saving = false;
    }
  }

  restoreDraft(draft) {
    this.load(parseNotebook(draft.content), this.path);
    this.changed();
  }

  // A local .ipynb (text) opened under a free name in the notebook directory; no code runs.
  async openLocal(name, text) {
    const nb = parseNotebook(text);
    const path = await contents.freePath(name.replace(/^.*[\\/]/, "") || "uploaded.ipynb");
    this.load(nb, path);
    this.version = 1;
    this.savedVersion = 0;
    await this.save();
    return path;
  }
}
