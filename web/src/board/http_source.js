// The data source for `webtensor board`: the server's JSON API, polled for new data. A data source is
// what mountDashboard() reads (see dashboard.js); this one keeps each scalar series and fetches only
// the points added since the last fetch.
import { ScalarSeries } from "./series.js";

const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
const toNumber = (v) => (typeof v === "string" ? NON_FINITE[v] ?? Number(v) : v);

export class HttpSource {
  /** base: the server's URL ("" for this page's origin); interval: ms between polls (0: no polling). */
  constructor(base = "", { interval = 2000 } = {}) {
    this.base = base.replace(/\/$/, "");
    this.interval = interval;
    this.listeners = new Set();
    this.scalarCache = new Map();    // "run\0tag" -> ScalarSeries
    this.listing = null;
    this.timer = null;
  }

  async _get(path, params = {}) {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${this.base}/api/${path}${query ? "?" + query : ""}`, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || `${response.status} on /api/${path}`);
    return body;
  }

  /** {generation, runs: {run: {scalars: {tag: count}, histograms, images, text, graphs: n, errors: []}}} */
  async listRuns() {
    this.listing = await this._get("runs");
    return this.listing;
  }

  /** A run's scalar tag as a ScalarSeries (columns step, wall, value), fetched incrementally. */
  async scalars(run, tag) {
    const key = `${run}\0${tag}`;
    let series = this.scalarCache.get(key);
    if (!series) this.scalarCache.set(key, (series = new ScalarSeries()));
    const known = this.listing?.runs?.[run]?.scalars?.[tag];
    if (known !== undefined && known <= series.length) return series;
    const part = await this._get("scalars", { run, tag, since: series.length });
    if (part.since === series.length) series.append({ ...part, value: part.value.map(toNumber) });
    return series;
  }

  /** [{step, wall_time, buckets: [[left, right, count]]}] */
  async histograms(run, tag) {
    const body = await this._get("histograms", { run, tag });
    return body.events.map((e) => ({ ...e, buckets: e.buckets.map((row) => row.map(toNumber)) }));
  }

  /** [{name, tag, kind, step, nodes: [{name, op, scope, shapes, dtype, device, attrs}], edges}] */
  async graphs(run) { return (await this._get("graphs", { run })).graphs; }

  /** [{step, wall_time, text}] (text: a string, or nested arrays of strings) */
  async text(run, tag) { return (await this._get("text", { run, tag })).events; }

  /** [{step, wall_time, width, height, urls: [image URL per sample]}] */
  async images(run, tag) {
    const body = await this._get("images", { run, tag });
    return body.events.map((e, index) => ({
      ...e,
      urls: Array.from({ length: e.count }, (_, sample) =>
        `${this.base}/api/image?${new URLSearchParams({ run, tag, index, sample })}`),
    }));
  }

  /** Calls callback(listing) whenever the listing changes (new points, runs, tags or errors). */
  subscribe(callback) {
    this.listeners.add(callback);
    if (this.interval > 0 && !this.timer) this._schedule();
    return () => {
      this.listeners.delete(callback);
      if (!this.listeners.size) { clearTimeout(this.timer); this.timer = null; }
    };
  }

  _schedule() {
    this.timer = setTimeout(() => this.poll().finally(() => { if (this.listeners.size) this._schedule(); }),
                            this.interval);
  }

  /** Asks the server for the listing now; notifies subscribers when its generation moved. */
  async poll() {
    const before = this.listing?.generation;
    try {
      await this.listRuns();
    } catch (e) {
      console.warn("webtensor board: poll failed", e);
      return;
    }
    if (this.listing.generation !== before) for (const callback of this.listeners) callback(this.listing);
  }
}
