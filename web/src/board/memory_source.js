// A data source held in memory and fed by push: the notebook's live panel (events from the Pyodide
// worker), dropped event files and the scale benchmark use it. Same interface as HttpSource.
import { ScalarSeries } from "./series.js";

export class MemorySource {
  constructor() {
    this.runs = new Map();     // run -> {scalars: Map(tag -> ScalarSeries), histograms: Map, text: Map, images: Map, graphs: []}
    this.generation = 0;
    this.listeners = new Set();
    this.pending = false;
  }

  _run(run) {
    let data = this.runs.get(run);
    if (!data) {
      data = { scalars: new Map(), histograms: new Map(), text: new Map(), images: new Map(), graphs: [], errors: [] };
      this.runs.set(run, data);
    }
    return data;
  }

  /** Adds scalar points: columns {step: [], wall_time: [], value: []}. */
  addScalars(run, tag, columns) {
    const scalars = this._run(run).scalars;
    if (!scalars.has(tag)) scalars.set(tag, new ScalarSeries());
    scalars.get(tag).append(columns);
    this._changed();
  }

  /** Adds events of another kind ("histograms", "text", "images"): [{step, wall_time, ...}]. */
  addEvents(run, kind, tag, events) {
    const byTag = this._run(run)[kind];
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push(...events);
    this._changed();
  }

  /** Adds a graph in the board's node/edge JSON shape ({name, tag, nodes, edges}). */
  addGraph(run, graph) { this._run(run).graphs.push(graph); this._changed(); }

  _changed() {
    this.generation++;
    if (this.pending) return;
    this.pending = true;      // many pushes in one task notify once
    queueMicrotask(() => {
      this.pending = false;
      const listing = this._listing();
      for (const callback of this.listeners) callback(listing);
    });
  }

  _listing() {
    const counts = (map) => Object.fromEntries([...map].map(([tag, v]) => [tag, v.length]));
    const runs = {};
    for (const [run, d] of [...this.runs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      runs[run] = { scalars: counts(d.scalars), histograms: counts(d.histograms), images: counts(d.images),
                    text: counts(d.text), graphs: d.graphs.length, errors: d.errors, error_count: d.errors.length };
    }
    return { generation: this.generation, runs };
  }

  async listRuns() { return this._listing(); }
  async scalars(run, tag) { return this.runs.get(run)?.scalars.get(tag) ?? new ScalarSeries(); }
  async histograms(run, tag) { return this.runs.get(run)?.histograms.get(tag) ?? []; }
  async text(run, tag) { return this.runs.get(run)?.text.get(tag) ?? []; }
  async images(run, tag) { return this.runs.get(run)?.images.get(tag) ?? []; }
  async graphs(run) { return this.runs.get(run)?.graphs ?? []; }

  subscribe(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }
}
