// The Text and Images tabs: per run and tag, each step's text (Markdown shown as plain text, tables as
// tables) or images.
class EventsView {
  constructor(pane, ctx, kind, emptyText) {
    this.pane = pane;
    this.ctx = ctx;
    this.kind = kind;
    this.cache = new Map();
    this.summary = {};
    this.empty = document.createElement("p");
    this.empty.className = "empty";
    this.empty.textContent = emptyText;
    this.grid = document.createElement("div");
    this.grid.className = "grid";
    pane.append(this.empty, this.grid);
  }

  async update(listing) {
    const filter = this.ctx.tagFilter();
    const wanted = [];
    for (const run of this.ctx.selectedRuns()) {
      for (const [tag, count] of Object.entries(listing.runs[run]?.[this.kind] || {})) {
        if (filter(tag)) wanted.push({ run, tag, count });
      }
    }
    wanted.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.run < b.run ? -1 : 1));
    const cards = [];
    this.summary = {};
    for (const { run, tag, count } of wanted) {
      const key = `${run}\0${tag}`;
      let events = this.cache.get(key);
      if (!events || events.length !== count) {
        events = await this.ctx.source[this.kind](run, tag);
        this.cache.set(key, events);
      }
      (this.summary[tag] ??= {})[run] = events.map((e) => this.describe(e));
      const card = document.createElement("section");
      card.className = `card ${this.kind}-card`;
      card.dataset.tag = tag;
      card.dataset.run = run;
      const title = document.createElement("h4");
      title.innerHTML = `<span class="swatch" style="background:${this.ctx.runColor(run)}"></span>`;
      title.append(`${tag} — ${run}`);
      card.append(title);
      for (const e of events.slice(-10).reverse()) {
        const row = document.createElement("div");
        row.className = "event";
        const step = document.createElement("div");
        step.className = "step";
        step.textContent = `step ${e.step}`;
        row.append(step, this.render(e));
        card.append(row);
      }
      cards.push(card);
    }
    this.grid.replaceChildren(...cards);
    this.empty.hidden = cards.length > 0;
  }

  state() { return this.summary; }
}

function textNode(value) {
  if (!Array.isArray(value)) {
    const pre = document.createElement("pre");
    pre.textContent = String(value);
    return pre;
  }
  const table = document.createElement("table");
  for (const row of value) {
    const tr = table.insertRow();
    for (const cell of Array.isArray(row) ? row : [row]) tr.insertCell().textContent = String(cell);
  }
  return table;
}

export class TextView extends EventsView {
  constructor(pane, ctx) { super(pane, ctx, "text", "No text data."); }
  render(e) { return textNode(e.text); }
  describe(e) { return { step: e.step, text: e.text }; }
}

export class ImagesView extends EventsView {
  constructor(pane, ctx) { super(pane, ctx, "images", "No image data."); }
  render(e) {
    const box = document.createElement("div");
    box.className = "images";
    for (const url of e.urls || []) {
      const img = document.createElement("img");
      img.src = url;
      img.alt = `step ${e.step}`;
      img.style.imageRendering = e.width < 64 ? "pixelated" : "auto";
      img.width = Math.max(e.width, Math.min(128, e.width * 8));
      box.append(img);
    }
    return box;
  }
  describe(e) { return { step: e.step, width: e.width, height: e.height, count: (e.urls || []).length }; }
}
