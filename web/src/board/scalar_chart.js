// One scalar tag's chart: every selected run overlaid (faint raw line, solid smoothed line), x as step,
// relative or wall time, linear or log y, zoom (drag a box or the wheel), pan (Shift+drag), reset
// (double-click), a readout of the nearest point of each run under the cursor, CSV and PNG downloads.
// Only what fits the chart's pixel width is handed to uPlot: see series.js downsample().
import uPlot from "uplot";
import { MinMaxTree, align, downsample, lowerBound, smooth } from "./series.js";

const PAN_FACTOR = 1;

function formatDuration(seconds) {
  const s = Math.abs(seconds);
  if (s >= 3600) return `${(seconds / 3600).toFixed(s >= 36000 ? 0 : 1)}h`;
  if (s >= 60) return `${(seconds / 60).toFixed(s >= 600 ? 0 : 1)}m`;
  return `${+seconds.toFixed(2)}s`;
}

export function formatNumber(v) {
  if (v === null || v === undefined) return "";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(+v.toPrecision(6));
}

function tickText(v) {
  if (v == null) return "";     // uPlot's log axes leave some ticks unlabelled
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : String(+v.toPrecision(4));
}

/** The x values of a series for an axis mode, and a permutation when they are not ascending. */
function xColumn(series, mode) {
  const n = series.length;
  const wall = series.wall.array;
  let xs;
  if (mode === "step") xs = series.step.array;
  else if (mode === "wall") xs = wall;
  else {
    xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = wall[i] - wall[0];
  }
  let ascending = true;
  for (let i = 1; i < n; i++) if (xs[i] < xs[i - 1]) { ascending = false; break; }
  if (ascending) return { xs, order: null };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
  return { xs: Float64Array.from(order, (i) => xs[i]), order };
}

const permute = (values, order) => (order ? Float64Array.from(order, (i) => values[i]) : values);

export class ScalarChart {
  /** el: the element to draw in; settings: {smoothing, yScale: "linear"|"log", xAxis: "step"|"relative"|"wall"} */
  constructor(el, tag, settings) {
    this.el = el;
    this.tag = tag;
    this.settings = settings;
    this.runs = [];          // [{run, color, series}]
    this.cache = new Map();  // run -> prepared columns
    this.range = null;       // the user's x zoom, or null for the full extent
    this.plot = null;
    this.plotKey = "";
    this.plotted = {};       // run -> {x, raw, smoothed}: what was last handed to uPlot (for tests)
    this.readout = document.createElement("div");
    this.readout.className = "readout";
    this.chartEl = document.createElement("div");
    el.append(this.chartEl, this.readout);
  }

  setRuns(runs) { this.runs = runs; }

  _prepared(run, series) {
    const { smoothing, xAxis } = this.settings;
    let p = this.cache.get(run);
    if (p && p.length === series.length && p.xAxis === xAxis && p.smoothing === smoothing) return p;
    const { xs, order } = xColumn(series, xAxis);
    const raw = series.value.array;
    p = { length: series.length, xAxis, smoothing, xs, order,
          raw: permute(raw, order), smoothed: permute(smooth(raw, smoothing), order),
          step: permute(series.step.array, order), wall: permute(series.wall.array, order) };
    this.cache.set(run, p);
    return p;
  }

  _extent() {
    let lo = Infinity, hi = -Infinity;
    for (const { run, series } of this.runs) {
      if (!series.length) continue;
      const p = this._prepared(run, series);
      lo = Math.min(lo, p.xs[0]); hi = Math.max(hi, p.xs[p.xs.length - 1]);
    }
    if (!Number.isFinite(lo)) return [0, 1];
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  }

  _ensurePlot(width, data) {
    const { xAxis, yScale } = this.settings;
    const key = `${this.runs.map((r) => `${r.run}:${r.color}`).join("|")}|${xAxis}|${yScale}`;
    if (this.plot && this.plotKey === key) {
      if (this.plot.width !== width) this.plot.setSize({ width, height: this.height() });
      return;
    }
    this.plot?.destroy();
    this.plotKey = key;
    const series = [{}];
    for (const { run, color } of this.runs) {
      series.push({ label: `${run} (raw)`, stroke: color + "44", width: 1, spanGaps: true, points: { show: false } });
      series.push({ label: run, stroke: color, width: 1.5, spanGaps: true, points: { show: false } });
    }
    const xValues = xAxis === "relative" ? (u, ticks) => ticks.map(formatDuration)
      : xAxis === "step" ? (u, ticks) => ticks.map(tickText) : undefined;
    const stepIncrs = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].flatMap((d) => [d, d * 1e3, d * 1e6]).sort((a, b) => a - b);
    const opts = {
      width, height: this.height(),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: {
        x: { time: xAxis === "wall", auto: false, range: () => this.xRange },
        y: { distr: yScale === "log" ? 3 : 1, auto: false, range: () => this.yRange },
      },
      axes: [{ values: xValues, size: 36, ...(xAxis === "step" ? { incrs: stepIncrs } : {}) },
             { values: (u, ticks) => ticks.map(tickText), size: 64 }],
      series,
      hooks: {
        setSelect: [(u) => this._zoomToSelection(u)],
        setCursor: [(u) => this._showReadout(u)],
      },
    };
    this.plot = new uPlot(opts, data, this.chartEl);
    this._bindPanZoom(this.plot);
  }

  height() { return 220; }

  /** Recomputes what is drawn: downsampled to the chart's width within the current x range. */
  render() {
    const width = Math.max(200, Math.floor(this.el.clientWidth || 400));
    const [xmin, xmax] = this.range ?? this._extent();
    // the plot area: the width less the y axis (settings.downsample === false draws every point, for comparison)
    const buckets = this.settings.downsample === false ? Infinity : Math.max(50, width - 70);
    const log = this.settings.yScale === "log";
    const parts = [];
    let yMin = Infinity, yMax = -Infinity;
    this.plotted = {};
    for (const { run, series } of this.runs) {
      const p = this._prepared(run, series);
      const big = p.length > 4 * buckets;     // min/max trees, built once per data or smoothing change
      const raw = downsample(p.xs, p.raw, xmin, xmax, buckets, log, big ? (p.rawTree ??= new MinMaxTree(p.raw)) : null);
      const sm = downsample(p.xs, p.smoothed, xmin, xmax, buckets, log,
                            big ? (p.smoothedTree ??= new MinMaxTree(p.smoothed)) : null);
      parts.push(raw, sm);
      yMin = Math.min(yMin, raw.yMin, sm.yMin);
      yMax = Math.max(yMax, raw.yMax, sm.yMax);
      this.plotted[run] = { x: sm.x, raw: raw.y, smoothed: sm.y };
    }
    if (log) for (const part of parts) part.y = part.y.map((v) => (v > 0 ? v : NaN));
    this.xRange = [xmin, xmax];
    this.yRange = niceRange(yMin, yMax, log);
    const data = align(parts);
    this._ensurePlot(width, data);
    this.plot.setData(data);
  }

  _zoomToSelection(u) {
    const { left, width } = u.select;
    if (width < 3) return;
    const lo = u.posToVal(left, "x"), hi = u.posToVal(left + width, "x");
    u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
    this.setRange([lo, hi]);
  }

  setRange(range) {
    this.range = range;
    this.render();
  }

  /** Moves the x range by a fraction of its width (positive: to larger x). */
  pan(fraction) {
    const [lo, hi] = this.range ?? this._extent();
    const shift = (hi - lo) * fraction * PAN_FACTOR;
    this.setRange([lo + shift, hi + shift]);
  }

  _bindPanZoom(u) {
    const over = u.over;
    over.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [lo, hi] = this.range ?? this._extent();
      const at = u.posToVal(e.offsetX, "x");
      const factor = e.deltaY > 0 ? 1.25 : 0.8;
      this.setRange([at - (at - lo) * factor, at + (hi - at) * factor]);
    }, { passive: false });
    over.addEventListener("mousedown", (e) => {
      if (!e.shiftKey) return;
      e.stopPropagation();
      e.preventDefault();
      let last = e.clientX;
      const move = (m) => {
        const [lo, hi] = this.range ?? this._extent();
        const dx = (last - m.clientX) / u.over.clientWidth;
        last = m.clientX;
        this.setRange([lo + dx * (hi - lo), hi + dx * (hi - lo)]);
      };
      const up = () => { window.removeEventListener("mousemove", move); window.removeEventListener("mouseup", up); };
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    }, { capture: true });
    over.addEventListener("dblclick", (e) => { e.stopPropagation(); this.setRange(null); }, { capture: true });
  }

  /** The nearest point of each run to an x value: [{run, color, step, wall, relative, value, smoothed}]. */
  nearest(x) {
    const out = [];
    for (const { run, color, series } of this.runs) {
      if (!series.length) continue;
      const p = this._prepared(run, series);
      let i = lowerBound(p.xs, x);
      if (i >= p.xs.length || (i > 0 && x - p.xs[i - 1] < p.xs[i] - x)) i--;
      i = Math.max(0, i);
      out.push({ run, color, step: p.step[i], wall: p.wall[i], relative: p.wall[i] - series.wall.array[0],
                 value: p.raw[i], smoothed: p.smoothed[i] });
    }
    return out;
  }

  _showReadout(u) {
    const left = u.cursor.left;
    if (left == null || left < 0) { this.readout.replaceChildren(); return; }
    const rows = this.nearest(u.posToVal(left, "x"));
    this.lastReadout = rows;
    const table = document.createElement("table");
    table.innerHTML = "<tr><th></th><th>Run</th><th>Smoothed</th><th>Value</th><th>Step</th><th>Time</th><th>Relative</th></tr>";
    for (const r of rows) {
      const tr = table.insertRow();
      const cells = ["", r.run, formatNumber(r.smoothed), formatNumber(r.value), String(r.step),
                     new Date(r.wall * 1000).toLocaleString(), formatDuration(r.relative)];
      cells.forEach((text, k) => { tr.insertCell().textContent = text; });
      tr.cells[0].innerHTML = `<span class="swatch" style="background:${r.color}"></span>`;
    }
    this.readout.replaceChildren(table);
  }

  /** CSV of the chart's runs: Run, Wall time, Step, Value (TensorBoard's columns plus the run). */
  csv() {
    const lines = ["Run,Wall time,Step,Value"];
    for (const { run, series } of this.runs) {
      const w = series.wall.array, s = series.step.array, v = series.value.array;
      const name = /[",\n]/.test(run) ? `"${run.replaceAll('"', '""')}"` : run;
      for (let i = 0; i < v.length; i++) lines.push(`${name},${w[i]},${s[i]},${v[i]}`);
    }
    return lines.join("\n") + "\n";
  }

  /** The chart as a PNG data URL (on white). */
  png() {
    const src = this.plot.ctx.canvas;
    const canvas = document.createElement("canvas");
    canvas.width = src.width; canvas.height = src.height;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(src, 0, 0);
    return canvas.toDataURL("image/png");
  }

  destroy() { this.plot?.destroy(); this.plot = null; }
}

function niceRange(lo, hi, log) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return log ? [0.1, 10] : [0, 1];
  if (log) return lo === hi ? [lo / 2, hi * 2] : [lo / Math.pow(hi / lo, 0.05), hi * Math.pow(hi / lo, 0.05)];
  if (lo === hi) { const d = Math.abs(lo) * 0.1 || 1; return [lo - d, hi + d]; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
