// The dashboard: TensorBoard's tabs (Scalars, Graphs, Histograms, Text, Images), a run selector with
// colours, and the shared settings. mountDashboard(element, source) works with any data source
// offering listRuns(), scalars(run, tag), histograms(run, tag), graphs(run), text(run, tag),
// images(run, tag) and subscribe(callback) -> unsubscribe (see http_source.js, memory_source.js).
import { GraphsView } from "./graph_view.js";
import { HistogramsView } from "./histogram_view.js";
import { ImagesView, TextView } from "./media_view.js";
import { ScalarsView } from "./scalars_view.js";

// Colour-blind-friendly run colours (Tol's "bright" and "vibrant" sets).
const PALETTE = ["#0077bb", "#ee7733", "#009988", "#cc3311", "#33bbee", "#ee3377", "#4477aa", "#228833",
                 "#aa3377", "#bbbbbb", "#66ccee", "#ccbb44"];

const TABS = [["scalars", "Scalars"], ["graphs", "Graphs"], ["histograms", "Histograms"], ["text", "Text"],
              ["images", "Images"]];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k in node && typeof v !== "string") node[k] = v; else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

class Dashboard {
  constructor(root, source, { title = "webtensor board" } = {}) {
    this.root = root;
    this.source = source;
    this.settings = { smoothing: 0.6, yScale: "linear", xAxis: "step", histogramMode: "offset" };
    this.runs = [];                 // run names, in listing order
    this.selected = new Set();
    this.colors = new Map();
    this.listing = { generation: -1, runs: {} };
    this.tab = "scalars";
    this.filterText = "";
    this._build(title);
    const ctx = {
      source, settings: this.settings,
      runColor: (run) => this.colors.get(run),
      selectedRuns: () => this.runs.filter((r) => this.selected.has(r)),
      tagFilter: () => this._tagFilter(),
    };
    this.views = {
      scalars: new ScalarsView(this.panes.scalars, ctx),
      graphs: new GraphsView(this.panes.graphs, ctx),
      histograms: new HistogramsView(this.panes.histograms, ctx),
      text: new TextView(this.panes.text, ctx),
      images: new ImagesView(this.panes.images, ctx),
    };
    this.updating = null;
    this.again = false;
    this.unsubscribe = source.subscribe((listing) => this.refresh(listing));
    this.refresh();
  }

  _build(title) {
    this.root.classList.add("wtb");
    this.root.replaceChildren();
    this.tabButtons = {};
    const tabs = el("nav", { class: "wtb-tabs" }, el("span", { class: "wtb-title" }, title));
    for (const [key, label] of TABS) {
      const b = el("button", { class: "tab", "data-tab": key }, label);
      b.addEventListener("click", () => this.showTab(key));
      this.tabButtons[key] = b;
      tabs.append(b);
    }
    this.status = el("span", { class: "wtb-status" });
    tabs.append(this.status);

    this.runList = el("div", { class: "run-list" });
    const filter = el("input", { type: "search", placeholder: "Filter tags (regex)", class: "tag-filter" });
    filter.addEventListener("input", () => { this.filterText = filter.value; this._updateView(); });

    const smoothing = el("input", { type: "range", min: "0", max: "0.99", step: "0.01", class: "smoothing" });
    smoothing.value = String(this.settings.smoothing);
    const smoothingValue = el("input", { type: "number", min: "0", max: "0.99", step: "0.01", class: "smoothing-value" });
    smoothingValue.value = String(this.settings.smoothing);
    const setSmoothing = (v) => {
      this.settings.smoothing = Math.min(0.99, Math.max(0, Number(v) || 0));
      smoothing.value = smoothingValue.value = String(this.settings.smoothing);
      this.views.scalars.redraw();
    };
    smoothing.addEventListener("input", () => setSmoothing(smoothing.value));
    smoothingValue.addEventListener("change", () => setSmoothing(smoothingValue.value));

    const radios = (name, options, key, onChange) => {
      const group = el("div", { class: `radios ${name}` });
      for (const [value, label] of options) {
        const input = el("input", { type: "radio", name: `wtb-${name}-${Math.random().toString(36).slice(2)}`, value });
        input.checked = this.settings[key] === value;
        input.dataset.setting = key;
        input.addEventListener("change", () => { this.settings[key] = value; onChange(); });
        group.append(el("label", {}, input, " " + label));
      }
      return group;
    };
    const scalarsChanged = () => this.views.scalars.redraw();
    this.side = el("aside", { class: "wtb-side" },
      el("h3", {}, "Runs"),
      el("div", { class: "run-tools" }, this._allNone()),
      this.runList,
      el("h3", {}, "Tags"), filter,
      el("div", { class: "scalar-settings" },
        el("h3", {}, "Smoothing"), el("div", { class: "row" }, smoothing, smoothingValue),
        el("h3", {}, "Y axis"), radios("yscale", [["linear", "linear"], ["log", "log"]], "yScale", scalarsChanged),
        el("h3", {}, "Horizontal axis"),
        radios("xaxis", [["step", "Step"], ["relative", "Relative"], ["wall", "Wall"]], "xAxis", scalarsChanged),
        el("p", { class: "hint" }, "Drag to zoom, wheel to zoom, Shift+drag to pan, double-click to reset.")),
      el("div", { class: "histogram-settings" },
        el("h3", {}, "Histogram mode"),
        radios("histmode", [["offset", "Offset"], ["overlay", "Overlay"]], "histogramMode",
               () => this.views.histograms.redraw())),
    );
    this.errors = el("div", { class: "wtb-errors" });
    this.side.append(this.errors);
    this.panes = {};
    const main = el("main", { class: "wtb-main" });
    for (const [key] of TABS) {
      this.panes[key] = el("div", { class: `pane pane-${key}` });
      this.panes[key].hidden = key !== this.tab;
      main.append(this.panes[key]);
    }
    this.root.append(tabs, el("div", { class: "wtb-body" }, this.side, main));
    this._markTab();
  }

  _allNone() {
    const all = el("button", {}, "All"), none = el("button", {}, "None");
    all.addEventListener("click", () => { this.runs.forEach((r) => this.selected.add(r)); this._runsChanged(); });
    none.addEventListener("click", () => { this.selected.clear(); this._runsChanged(); });
    return el("span", {}, all, none);
  }

  _tagFilter() {
    if (!this.filterText) return () => true;
    try {
      const re = new RegExp(this.filterText, "i");
      return (tag) => re.test(tag);
    } catch {
      return (tag) => tag.includes(this.filterText);
    }
  }

  showTab(key) {
    this.tab = key;
    for (const [k, pane] of Object.entries(this.panes)) pane.hidden = k !== key;
    this._markTab();
    this._updateView();
  }

  _markTab() {
    for (const [k, b] of Object.entries(this.tabButtons)) b.classList.toggle("active", k === this.tab);
    this.root.dataset.tab = this.tab;
  }

  _runsChanged() {
    for (const input of this.runList.querySelectorAll("input")) input.checked = this.selected.has(input.value);
    this._updateView();
  }

  _renderRuns() {
    const known = new Set(this.runs);
    const names = Object.keys(this.listing.runs);
    for (const run of names) {
      if (known.has(run)) continue;
      this.colors.set(run, PALETTE[this.colors.size % PALETTE.length]);
      this.selected.add(run);       // new runs start selected, as in TensorBoard
    }
    this.runs = names;
    this.runList.replaceChildren(...names.map((run) => {
      const box = el("input", { type: "checkbox", value: run });
      box.checked = this.selected.has(run);
      box.addEventListener("change", () => {
        if (box.checked) this.selected.add(run); else this.selected.delete(run);
        this._updateView();
      });
      return el("label", { class: "run", "data-run": run },
                box, el("span", { class: "swatch", style: `background:${this.colors.get(run)}` }), run);
    }));
    const errors = names.flatMap((run) => (this.listing.runs[run].errors || []).map((m) => `${run}: ${m}`));
    this.errors.replaceChildren(...(errors.length ? [el("h3", {}, "Read errors"), ...errors.map((m) => el("p", { class: "error" }, m))] : []));
    for (const [key] of TABS) {
      const has = names.some((run) => {
        const info = this.listing.runs[run][key];
        return typeof info === "number" ? info > 0 : Object.keys(info || {}).length > 0;
      });
      this.tabButtons[key].classList.toggle("has-data", has);
    }
  }

  /** Reads the listing (or uses the one given) and updates the visible tab; calls are serialised. */
  refresh(listing) {
    if (this.updating) { this.again = true; this.pendingListing = listing; return this.updating; }
    this.updating = (async () => {
      try {
        this.listing = listing ?? await this.source.listRuns();
        this._renderRuns();
        await this.views[this.tab].update(this.listing);
        this.status.textContent = "";
      } catch (e) {
        this.status.textContent = `⚠ ${e.message}`;
        console.error(e);
      } finally {
        this.root.dataset.generation = String(this.listing.generation);
        this.updating = null;
      }
      if (this.again) { this.again = false; await this.refresh(this.pendingListing); }
    })();
    return this.updating;
  }

  _updateView() {
    return this.refresh(this.listing);
  }

  /** What the dashboard shows, as plain data, for tests and debugging. */
  state() {
    return {
      tab: this.tab, generation: this.listing.generation, settings: { ...this.settings },
      runs: this.runs.map((run) => ({ run, color: this.colors.get(run), selected: this.selected.has(run) })),
      scalars: this.views.scalars.state(), histograms: this.views.histograms.state(),
      graphs: this.views.graphs.state(), text: this.views.text.state(), images: this.views.images.state(),
    };
  }

  destroy() {
    this.unsubscribe?.();
    for (const view of Object.values(this.views)) view.destroy?.();
    this.root.replaceChildren();
  }
}

/** Mounts the dashboard into `element`, reading `source`; returns the dashboard (state(), showTab(), destroy()). */
export function mountDashboard(element, source, options = {}) {
  return new Dashboard(element, source, options);
}
