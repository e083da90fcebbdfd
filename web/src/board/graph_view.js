// The Graphs tab: a run's graphs (traced tf.functions, GraphDefs, Keras models) laid out in layers by
// dagre, drawn in SVG with zoom (wheel) and pan (drag). Name scopes start collapsed into boxes that
// expand on click; clicking an op shows its details (op, shapes, dtype, device, attributes, inputs).
import dagre from "@dagrejs/dagre";

const NS = "http://www.w3.org/2000/svg";
const SCOPE = "scope:";     // id prefix of scope boxes (an op and a scope may share a name)

function svg(tag, attrs = {}) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function html(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const shapeText = (shape) => (shape == null ? "<unknown rank>" : `[${shape.map((d) => (d == null ? "?" : d)).join(", ")}]`);

/** The ancestors of a scope path, outermost first: "a/b/c" -> ["a", "a/b", "a/b/c"]. */
function scopeChain(scope) {
  if (!scope) return [];
  const parts = scope.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** What is drawn for a graph given the expanded scopes: items (ops and collapsed scopes), the expanded
 * scopes as clusters, and the edges between items (merged, with counts). */
export function visibleGraph(graph, expanded) {
  const itemOf = new Map();      // op name -> item id
  const items = new Map();       // id -> {id, kind, label, op?, count, parent}
  const clusters = new Map();    // scope -> parent scope or null
  for (const node of graph.nodes) {
    let parent = null, id = node.name;
    for (const scope of scopeChain(node.scope)) {
      if (expanded.has(scope)) {
        if (!clusters.has(scope)) clusters.set(scope, parent);
        parent = scope;
        continue;
      }
      id = SCOPE + scope;
      break;
    }
    itemOf.set(node.name, id);
    const item = items.get(id);
    if (item) { item.count++; continue; }
    items.set(id, id.startsWith(SCOPE)
      ? { id, kind: "scope", scope: id.slice(SCOPE.length), label: id.slice(SCOPE.length).split("/").pop(), count: 1, parent }
      : { id, kind: "op", label: node.name.split("/").pop(), op: node.op, node, count: 1, parent });
  }
  const edges = new Map();
  for (const e of graph.edges) {
    const a = itemOf.get(e.source), b = itemOf.get(e.target);
    if (a === undefined || b === undefined || a === b) continue;
    const key = `${a}\0${b}`;
    const edge = edges.get(key) ?? { source: a, target: b, count: 0, control: true };
    edge.count++;
    edge.control &&= e.control;
    edges.set(key, edge);
  }
  return { items: [...items.values()], clusters, edges: [...edges.values()] };
}

export class GraphsView {
  constructor(pane, ctx) {
    this.pane = pane;
    this.ctx = ctx;
    this.graphsByRun = new Map();   // run -> {count, graphs}
    this.run = null;
    this.index = 0;
    this.expanded = new Set();
    this.selected = null;
    this.view = { x: 0, y: 0, k: 1 };
    const bar = html("div", "graph-bar");
    this.runSelect = html("select", "graph-run");
    this.graphSelect = html("select", "graph-choice");
    const fit = html("button", "fit", "Fit");
    const collapse = html("button", "collapse", "Collapse all");
    bar.append(html("label", "", "Run "), this.runSelect, html("label", "", " Graph "), this.graphSelect, fit, collapse);
    this.runSelect.addEventListener("change", () => { this.run = this.runSelect.value; this.index = 0; this._reset(); this.update(this.listing); });
    this.graphSelect.addEventListener("change", () => { this.index = Number(this.graphSelect.value); this._reset(); this.draw(); });
    fit.addEventListener("click", () => this.fit());
    collapse.addEventListener("click", () => { this.expanded.clear(); this.autoFit = true; this.draw(); });
    this.svg = svg("svg", { class: "graph-canvas" });
    this.layer = svg("g");
    this.svg.append(this.layer);
    this.details = html("aside", "graph-details");
    this.details.hidden = true;
    const stage = html("div", "graph-stage");
    stage.append(this.svg, this.details);
    this.empty = html("p", "empty", "No graph in the selected runs.");
    pane.append(bar, this.empty, stage);
    this._bindZoom();
  }

  _reset() { this.expanded = new Set(); this.selected = null; this.autoFit = true; }

  async update(listing) {
    this.listing = listing;
    const runs = this.ctx.selectedRuns().filter((r) => (listing.runs[r]?.graphs || 0) > 0);
    this.runSelect.replaceChildren(...runs.map((r) => new Option(r, r)));
    if (!runs.includes(this.run)) { this.run = runs[0] ?? null; this.index = 0; this._reset(); }
    this.empty.hidden = !!this.run;
    this.svg.style.display = this.run ? "" : "none";
    if (!this.run) { this.graph = null; return; }
    this.runSelect.value = this.run;
    const run = this.run;
    const count = listing.runs[run].graphs;
    let entry = this.graphsByRun.get(run);
    if (!entry || entry.count !== count) {
      entry = { count, graphs: await this.ctx.source.graphs(run) };
      this.graphsByRun.set(run, entry);
      // NOTE: another run may have been chosen while this one loaded; its own update draws it.
      if (this.run !== run) return;
    }
    this.graphSelect.replaceChildren(...entry.graphs.map((g, i) =>
      new Option(`${g.tag ?? g.name}${g.kind === "keras" ? " (Keras model)" : ""} · step ${g.step ?? 0} · ${g.nodes.length} nodes`, String(i))));
    this.index = Math.min(this.index, entry.graphs.length - 1);
    this.graphSelect.value = String(this.index);
    const graph = entry.graphs[this.index];
    if (graph !== this.graph || this.shownRun !== this.run) this.draw();
  }

  /** Lays out and draws the current graph with the current expanded scopes. */
  draw() {
    const graph = this.graphsByRun.get(this.run)?.graphs[this.index];
    this.graph = graph;
    this.shownRun = this.run;
    if (!graph) return;
    let vis = visibleGraph(graph, this.expanded);
    // A graph wrapped in one scope (a Keras model, a function's outer scope) opens that scope at once.
    while (vis.items.length === 1 && vis.items[0].kind === "scope" && !this.expanded.has(vis.items[0].scope)) {
      this.expanded.add(vis.items[0].scope);
      vis = visibleGraph(graph, this.expanded);
    }
    this.visible = vis;
    const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
    g.setGraph({ rankdir: "TB", nodesep: 18, ranksep: 36, marginx: 20, marginy: 20 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const [scope, parent] of vis.clusters) {
      g.setNode(SCOPE + scope, { label: scope.split("/").pop(), clusterLabelPos: "top", paddingTop: 24 });
      if (parent) g.setParent(SCOPE + scope, SCOPE + parent);
    }
    for (const item of vis.items) {
      const text = item.kind === "scope" ? `${item.label} (${item.count})` : item.label;
      const sub = item.kind === "op" ? item.op : "";
      const width = Math.max(60, 7 * Math.max(text.length, sub.length) + 20);
      g.setNode(item.id, { width, height: item.kind === "op" ? 38 : 34, item, text, sub });
      if (item.parent) g.setParent(item.id, SCOPE + item.parent);
    }
    for (const e of vis.edges) g.setEdge(e.source, e.target, { edge: e });
    dagre.layout(g);
    this._render(g);
    if (this.autoFit !== false) { this.fit(); this.autoFit = false; }
  }

  _render(g) {
    const layer = this.layer;
    layer.replaceChildren();
    const defs = svg("defs");
    const marker = svg("marker", { id: "wtb-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
                                   markerHeight: "7", orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M0,0L10,5L0,10z", fill: "#888" }));
    defs.append(marker);
    layer.append(defs);
    const clusters = svg("g", { class: "clusters" }), edges = svg("g", { class: "edges" }), nodes = svg("g", { class: "nodes" });
    layer.append(clusters, edges, nodes);
    const sorted = g.nodes().filter((id) => this.visible.clusters.has(id.slice(SCOPE.length)) && id.startsWith(SCOPE))
      .sort((a, b) => a.split("/").length - b.split("/").length);
    for (const id of sorted) {
      const n = g.node(id);
      const box = svg("g", { class: "cluster", "data-scope": id.slice(SCOPE.length) });
      box.append(svg("rect", { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 8 }));
      const label = svg("text", { x: n.x - n.width / 2 + 8, y: n.y - n.height / 2 + 15 });
      label.textContent = `▾ ${id.slice(SCOPE.length)}`;
      box.append(label);
      label.addEventListener("click", (e) => { e.stopPropagation(); this.expanded.delete(id.slice(SCOPE.length)); this._collapseInside(id.slice(SCOPE.length)); this.autoFit = true; this.draw(); });
      clusters.append(box);
    }
    for (const ref of g.edges()) {
      const { points, edge } = g.edge(ref);
      const d = "M" + points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("L");
      const path = svg("path", { d, class: edge.control ? "edge control" : "edge", "marker-end": "url(#wtb-arrow)",
                                 "stroke-width": String(Math.min(4, 1 + Math.log2(edge.count))) });
      edges.append(path);
    }
    for (const id of g.nodes()) {
      const n = g.node(id);
      if (!n.item) continue;
      const item = n.item;
      const node = svg("g", { class: `node ${item.kind}`, "data-id": id, "data-name": item.kind === "op" ? item.node.name : item.scope,
                              transform: `translate(${n.x},${n.y})` });
      if (item.kind === "scope") {
        node.append(svg("rect", { x: -n.width / 2, y: -n.height / 2, width: n.width, height: n.height, rx: 10 }));
        const t = svg("text", { y: 5, "text-anchor": "middle" });
        t.textContent = `⊕ ${n.text}`;
        node.append(t);
        node.addEventListener("click", (e) => { e.stopPropagation(); this.expanded.add(item.scope); this.autoFit = true; this.draw(); });
      } else {
        node.append(svg("ellipse", { rx: n.width / 2, ry: n.height / 2 }));
        const t = svg("text", { y: -2, "text-anchor": "middle", class: "name" });
        t.textContent = n.text;
        const op = svg("text", { y: 12, "text-anchor": "middle", class: "op" });
        op.textContent = n.sub;
        node.append(t, op);
        if (this.selected === item.node.name) node.classList.add("selected");
        node.addEventListener("click", (e) => { e.stopPropagation(); this.select(item.node.name); });
      }
      const tip = svg("title");
      tip.textContent = item.kind === "scope" ? `${item.scope}: ${item.count} ops (click to expand)` : `${item.node.name} (${item.op})`;
      node.append(tip);
      nodes.append(node);
    }
    this.bounds = { width: g.graph().width || 1, height: g.graph().height || 1 };
    this._applyView();
  }

  _collapseInside(scope) {
    for (const s of [...this.expanded]) if (s.startsWith(scope + "/")) this.expanded.delete(s);
  }

  /** Shows an op's details (and highlights it), or hides them for null. */
  select(name) {
    this.selected = name;
    for (const n of this.layer.querySelectorAll(".node.op")) n.classList.toggle("selected", n.dataset.name === name);
    const node = name && this.graph.nodes.find((n) => n.name === name);
    this.details.hidden = !node;
    if (!node) return;
    const inputs = this.graph.edges.filter((e) => e.target === name).map((e) => (e.control ? "^" : "") + e.source + (e.output ? `:${e.output}` : ""));
    const outputs = this.graph.edges.filter((e) => e.source === name).map((e) => e.target);
    const rows = [["Name", node.name], ["Op", node.op], ["Scope", node.scope || "(root)"],
                  ["Shapes", node.shapes.map(shapeText).join(", ") || "unknown"], ["Dtype", node.dtype || "unknown"],
                  ["Device", node.device || "unspecified"], ["Inputs", inputs.join(", ") || "none"],
                  ["Outputs", [...new Set(outputs)].join(", ") || "none"]];
    const table = html("table");
    for (const [k, v] of rows) {
      const tr = table.insertRow();
      tr.dataset.field = k.toLowerCase();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = v;
    }
    const attrs = html("table", "attrs");
    for (const [k, v] of Object.entries(node.attrs || {})) {
      const tr = attrs.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = v;
    }
    const close = html("button", "close", "×");
    close.addEventListener("click", () => this.select(null));
    this.details.replaceChildren(close, html("h4", "", node.name), table, ...(attrs.rows.length ? [html("h5", "", "Attributes"), attrs] : []));
  }

  fit() {
    const w = this.svg.clientWidth || 800, h = this.svg.clientHeight || 500;
    const { width, height } = this.bounds || { width: 1, height: 1 };
    const k = Math.min(2, Math.min(w / width, h / height) * 0.95);
    this.view = { k, x: (w - width * k) / 2, y: Math.max(0, (h - height * k) / 2) };
    this._applyView();
  }

  _applyView() {
    const { x, y, k } = this.view;
    this.layer.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
  }

  _bindZoom() {
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      const factor = e.deltaY > 0 ? 0.85 : 1 / 0.85;
      const { x, y, k } = this.view;
      const nk = Math.min(8, Math.max(0.05, k * factor));
      this.view = { k: nk, x: px - (px - x) * (nk / k), y: py - (py - y) * (nk / k) };
      this._applyView();
    }, { passive: false });
    this.svg.addEventListener("mousedown", (e) => {
      if (e.button !== 0) return;
      const start = { cx: e.clientX, cy: e.clientY, ...this.view };
      const move = (m) => {
        this.view = { ...this.view, x: start.x + m.clientX - start.cx, y: start.y + m.clientY - start.cy };
        this._applyView();
      };
      const up = () => { window.removeEventListener("mousemove", move); window.removeEventListener("mouseup", up); };
      window.addEventListener("mousemove", move);
      window.addEventListener("mouseup", up);
    });
  }

  /** For tests: the graph shown, its ops, what is visible and the selected op's details. */
  state() {
    if (!this.graph) return null;
    return {
      run: this.shownRun, index: this.index, name: this.graph.name, tag: this.graph.tag,
      ops: this.graph.nodes.map((n) => ({ name: n.name, op: n.op })),
      expanded: [...this.expanded],
      visible: (this.visible?.items || []).map((i) => ({ id: i.id, kind: i.kind, label: i.label, op: i.op, count: i.count })),
      selected: this.selected,
    };
  }
}
