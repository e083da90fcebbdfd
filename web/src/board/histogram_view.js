// The Histograms tab: per run and tag, every step's histogram re-binned onto one x range (mass spread
// uniformly inside each bucket, as TensorBoard does), drawn in SVG as a ridgeline ("offset": one curve
// per step, later steps in front and lower) or all on one baseline ("overlay").
const NS = "http://www.w3.org/2000/svg";
const BINS = 30;

/** Re-bins [[left, right, count]] rows onto `bins` equal bins over [lo, hi]. */
export function rebin(buckets, lo, hi, bins = BINS) {
  const out = new Float64Array(bins);
  const width = (hi - lo) / bins || 1;
  for (const [left, right, count] of buckets) {
    if (!(count > 0)) continue;
    if (!(right > left)) {       // a zero-width bucket: all its mass in one bin
      out[Math.min(bins - 1, Math.max(0, Math.floor((left - lo) / width)))] += count;
      continue;
    }
    const first = Math.max(0, Math.floor((left - lo) / width)), last = Math.min(bins - 1, Math.floor((right - lo) / width));
    for (let b = first; b <= last; b++) {
      const overlap = Math.min(right, lo + (b + 1) * width) - Math.max(left, lo + b * width);
      if (overlap > 0) out[b] += count * overlap / (right - left);
    }
  }
  return out;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function shade(hex, t) {     // the run's colour, from light (t = 0, early steps) to full (t = 1)
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(255 - (255 - c) * (0.25 + 0.75 * t));
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

export class HistogramsView {
  constructor(pane, ctx) {
    this.pane = pane;
    this.ctx = ctx;
    this.data = new Map();   // "run\0tag" -> {run, tag, events}
    this.summary = {};
    this.empty = document.createElement("p");
    this.empty.className = "empty";
    this.empty.textContent = "No histogram data yet.";
    pane.append(this.empty);
    this.grid = document.createElement("div");
    this.grid.className = "grid";
    pane.append(this.grid);
  }

  async update(listing) {
    const filter = this.ctx.tagFilter();
    const wanted = [];
    for (const run of this.ctx.selectedRuns()) {
      for (const [tag, count] of Object.entries(listing.runs[run]?.histograms || {})) {
        if (filter(tag)) wanted.push({ run, tag, count });
      }
    }
    wanted.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.run < b.run ? -1 : 1));
    const next = new Map();
    await Promise.all(wanted.map(async ({ run, tag, count }) => {
      const key = `${run}\0${tag}`;
      const have = this.data.get(key);
      next.set(key, have && have.events.length === count ? have
        : { run, tag, events: await this.ctx.source.histograms(run, tag) });
    }));
    this.data = new Map(wanted.map(({ run, tag }) => [`${run}\0${tag}`, next.get(`${run}\0${tag}`)]));
    this.redraw();
  }

  redraw() {
    const mode = this.ctx.settings.histogramMode;
    const cards = [];
    this.summary = {};
    for (const { run, tag, events } of this.data.values()) {
      cards.push(this._card(run, tag, events, mode));
    }
    this.grid.replaceChildren(...cards);
    this.empty.hidden = cards.length > 0;
  }

  _card(run, tag, events, mode) {
    const card = document.createElement("section");
    card.className = "card histogram-card";
    card.dataset.tag = tag;
    card.dataset.run = run;
    card.dataset.mode = mode;
    const title = document.createElement("h4");
    title.innerHTML = `<span class="swatch" style="background:${this.ctx.runColor(run)}"></span>`;
    title.append(`${tag} — ${run}`);
    card.append(title);
    let lo = Infinity, hi = -Infinity;
    for (const e of events) for (const [l, r] of e.buckets) { if (l < lo) lo = l; if (r > hi) hi = r; }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (lo === hi) { lo -= 0.5; hi += 0.5; }
    const binned = events.map((e) => rebin(e.buckets, lo, hi));
    (this.summary[tag] ??= {})[run] = { steps: events.map((e) => e.step), lo, hi, bins: binned.map((b) => Array.from(b)) };
    card.append(this._plot(events, binned, lo, hi, mode, this.ctx.runColor(run)));
    return card;
  }

  _plot(events, binned, lo, hi, mode, color) {
    const W = 420, H = 260, left = 48, right = 12, top = 10, bottom = 24;
    const plotW = W - left - right, plotH = H - top - bottom;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "histogram" });
    const n = binned.length;
    let maxCount = 0;
    for (const b of binned) for (const v of b) if (v > maxCount) maxCount = v;
    maxCount ||= 1;
    const ridge = mode === "offset" ? Math.min(plotH * 0.6, plotH) : plotH;
    const offsetStep = mode === "offset" && n > 1 ? (plotH - ridge) / (n - 1) : 0;
    const xOf = (i) => left + ((i + 0.5) / BINS) * plotW;
    for (let k = 0; k < n; k++) {
      const base = top + (mode === "offset" ? ridge + k * offsetStep : plotH);
      const pts = Array.from(binned[k], (v, i) => `${xOf(i).toFixed(1)},${(base - (v / maxCount) * ridge).toFixed(1)}`);
      const path = svg("path", {
        d: `M${xOf(0).toFixed(1)},${base.toFixed(1)}L${pts.join("L")}L${xOf(BINS - 1).toFixed(1)},${base.toFixed(1)}Z`,
        fill: mode === "offset" ? "#fff" : "none", "fill-opacity": mode === "offset" ? "0.85" : "0",
        stroke: shade(color, n > 1 ? k / (n - 1) : 1), "stroke-width": "1.2",
        "data-step": String(events[k].step),
      });
      const tip = svg("title");
      tip.textContent = `step ${events[k].step}`;
      path.append(tip);
      root.append(path);
      if (mode === "offset" && (k === 0 || k === n - 1 || n <= 6)) {
        const label = svg("text", { x: W - right, y: base, "text-anchor": "end", class: "step-label" });
        label.textContent = String(events[k].step);
        root.append(label);
      }
    }
    root.append(svg("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: "#999" }));
    for (const [value, x] of [[lo, left], [(lo + hi) / 2, left + plotW / 2], [hi, left + plotW]]) {
      const t = svg("text", { x, y: H - 6, "text-anchor": "middle", class: "axis-label" });
      t.textContent = String(+value.toPrecision(3));
      root.append(t);
    }
    return root;
  }

  state() { return this.summary; }
}
