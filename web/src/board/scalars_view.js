// The Scalars tab: one card per tag (grouped by the tag's first path component, as TensorBoard does),
// each an overlaid chart of the selected runs, with CSV/PNG download and zoom reset.
import { ScalarChart } from "./scalar_chart.js";

export function download(filename, href) {
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

const safeName = (text) => text.replace(/[^\w.-]+/g, "_");

export class ScalarsView {
  constructor(pane, ctx) {
    this.pane = pane;
    this.ctx = ctx;          // {source, settings, runColor(run), selectedRuns(), tagFilter()}
    this.cards = new Map();  // tag -> {el, chart}
    this.empty = document.createElement("p");
    this.empty.className = "empty";
    this.empty.textContent = "No scalar data yet.";
    pane.append(this.empty);
    this.resizeObserver = new ResizeObserver(() => this.redraw());
    this.resizeObserver.observe(pane);
    this.lastWidth = 0;
  }

  _card(tag) {
    let card = this.cards.get(tag);
    if (card) return card;
    const el = document.createElement("section");
    el.className = "card scalar-card";
    el.dataset.tag = tag;
    const head = document.createElement("header");
    const title = document.createElement("h4");
    title.textContent = tag;
    const tools = document.createElement("span");
    tools.className = "tools";
    const button = (label, tip, action) => {
      const b = document.createElement("button");
      b.textContent = label; b.title = tip; b.className = label.toLowerCase();
      b.addEventListener("click", action);
      tools.append(b);
    };
    const body = document.createElement("div");
    body.className = "chart";
    const chart = new ScalarChart(body, tag, this.ctx.settings);
    button("Reset", "Reset zoom (or double-click the chart)", () => chart.setRange(null));
    button("CSV", "Download the data as CSV", () =>
      download(`${safeName(tag)}.csv`, URL.createObjectURL(new Blob([chart.csv()], { type: "text/csv" }))));
    button("PNG", "Download the chart as PNG", () => download(`${safeName(tag)}.png`, chart.png()));
    head.append(title, tools);
    el.append(head, body);
    card = { el, chart };
    this.cards.set(tag, card);
    return card;
  }

  /** Fetches the selected runs' series for every tag and redraws. */
  async update(listing) {
    const selected = this.ctx.selectedRuns();
    const filter = this.ctx.tagFilter();
    const tags = new Set();
    for (const run of Object.keys(listing.runs)) for (const tag of Object.keys(listing.runs[run].scalars)) tags.add(tag);
    const shown = [...tags].sort().filter((t) => filter(t));
    const wanted = [];
    for (const tag of shown) {
      for (const run of selected) if (listing.runs[run]?.scalars[tag] !== undefined) wanted.push([run, tag]);
    }
    const fetched = await Promise.all(wanted.map(([run, tag]) => this.ctx.source.scalars(run, tag)));
    const byTag = new Map(shown.map((t) => [t, []]));
    wanted.forEach(([run, tag], i) => byTag.get(tag).push({ run, color: this.ctx.runColor(run), series: fetched[i] }));
    for (const [tag, card] of this.cards) if (!byTag.has(tag)) { card.chart.destroy(); card.el.remove(); this.cards.delete(tag); }
    let previous = this.empty;
    for (const tag of shown) {
      const card = this._card(tag);
      if (previous.nextSibling !== card.el) previous.after(card.el);
      previous = card.el;
      card.chart.setRuns(byTag.get(tag));
    }
    this.empty.hidden = shown.length > 0;
    this.redraw();
  }

  redraw() {
    if (this.pane.hidden) return;
    for (const { chart } of this.cards.values()) chart.render();
  }

  /** For tests: per tag and run, the point count and what the chart plots. */
  state() {
    const out = {};
    for (const [tag, { chart }] of this.cards) {
      out[tag] = {};
      for (const { run, series } of chart.runs) {
        const small = series.length <= 20000;     // whole columns only where they stay cheap to hand over
        out[tag][run] = { count: series.length, step: small ? Array.from(series.step.array) : null,
                          value: small ? Array.from(series.value.array) : null,
                          plotted: Object.fromEntries(Object.entries(chart.plotted[run] || {}).map(([k, v]) => [k, Array.from(v)])) };
      }
    }
    return out;
  }
}
