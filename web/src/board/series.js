// Scalar series math, shared by the scalars view and its tests: TensorBoard's debiased EMA smoothing and a
// downsampling to the chart's pixel width that keeps each bucket's first, min, max and last point, so
// spikes stay visible at any zoom.

/** Debiased exponential moving average (TensorBoard's smoothing): weight in [0, 1), 0 = no smoothing.
 * Non-finite values pass through unsmoothed; a constant series stays exactly constant. */
export function smooth(values, weight) {
  const n = values.length;
  const out = new Float64Array(n);
  if (weight <= 0) { out.set(values); return out; }
  let last = 0, count = 0, constant = true;
  for (let i = 1; i < n; i++) if (values[i] !== values[0]) { constant = false; break; }
  if (constant) { out.set(values); return out; }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { out[i] = v; continue; }
    last = last * weight + (1 - weight) * v;
    count++;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}

/** First index with xs[i] >= x in an ascending array. */
export function lowerBound(xs, x, lo = 0, hi = xs.length) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** First index with xs[i] > x in an ascending array. */
export function upperBound(xs, x, lo = 0, hi = xs.length) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The points of (xs, ys) inside [xmin, xmax] (plus one neighbour each side, so lines reach the edges),
 * reduced to at most 4 per bucket of `buckets` equal x-widths: first, min, max, last in x order.
 * xs ascending. Returns {x, y, yMin, yMax} (yMin/yMax over finite y, for the y range; positive-only for log). */
export function downsample(xs, ys, xmin, xmax, buckets, positiveOnly = false) {
  const n = xs.length;
  let start = Math.max(0, lowerBound(xs, xmin) - 1);
  let end = Math.min(n, upperBound(xs, xmax, start) + 1);
  if (!(xmax > xmin)) { start = 0; end = n; }
  const count = end - start;
  let yMin = Infinity, yMax = -Infinity;
  const track = (v) => {
    if (Number.isFinite(v) && (!positiveOnly || v > 0)) { if (v < yMin) yMin = v; if (v > yMax) yMax = v; }
  };
  if (count <= 4 * buckets) {
    const x = new Float64Array(count), y = new Float64Array(count);
    for (let i = 0; i < count; i++) { x[i] = xs[start + i]; y[i] = ys[start + i]; track(y[i]); }
    return { x, y, yMin, yMax };
  }
  const x = [], y = [];
  const width = (xmax - xmin) / buckets;
  const bucketOf = (v) => Math.min(buckets, Math.max(-1, Math.floor((v - xmin) / width)));
  let i = start;
  while (i < end) {
    const b = bucketOf(xs[i]);
    let j = i, lo = -1, hi = -1;
    for (; j < end && bucketOf(xs[j]) === b; j++) {
      const v = ys[j];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < ys[lo]) lo = j;
      if (hi < 0 || v > ys[hi]) hi = j;
    }
    const picks = [i, lo, hi, j - 1].filter((p) => p >= 0).sort((p, q) => p - q);
    for (let k = 0; k < picks.length; k++) {
      if (k > 0 && picks[k] === picks[k - 1]) continue;
      x.push(xs[picks[k]]); y.push(ys[picks[k]]); track(ys[picks[k]]);
    }
    i = j;
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y), yMin, yMax };
}

/** Merges per-run (x, y) series onto one sorted x axis, as uPlot wants: [xs, ys_run0, ys_run1, ...],
 * with null where a run has no point at an x. */
export function align(seriesList) {
  const all = [];
  for (const s of seriesList) for (let i = 0; i < s.x.length; i++) all.push(s.x[i]);
  all.sort((a, b) => a - b);
  const xs = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) xs.push(all[i]);
  const out = [xs];
  for (const s of seriesList) {
    const ys = new Array(xs.length).fill(null);
    let k = 0;
    for (let i = 0; i < s.x.length; i++) {
      while (xs[k] < s.x[i]) k++;
      ys[k] = Number.isFinite(s.y[i]) ? s.y[i] : null;
    }
    out.push(ys);
  }
  return out;
}

/** A growable column of float64 values (appends amortised O(1), read as a Float64Array view). */
export class Column {
  constructor() { this.buf = new Float64Array(64); this.length = 0; }
  push(values) {
    const need = this.length + values.length;
    if (need > this.buf.length) {
      let cap = this.buf.length;
      while (cap < need) cap *= 2;
      const grown = new Float64Array(cap);
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    for (let i = 0; i < values.length; i++) this.buf[this.length + i] = Number(values[i]);
    this.length = need;
  }
  get array() { return this.buf.subarray(0, this.length); }
}

/** A scalar tag of one run: step, wall_time and value columns, in the order written. */
export class ScalarSeries {
  constructor() { this.step = new Column(); this.wall = new Column(); this.value = new Column(); }
  get length() { return this.value.length; }
  append({ step, wall_time, value }) {
    this.step.push(step); this.wall.push(wall_time); this.value.push(value);
  }
}

/** CSV of a run's series ("Wall time,Step,Value" as TensorBoard's download). */
export function toCsv(series) {
  const lines = ["Wall time,Step,Value"];
  const w = series.wall.array, s = series.step.array, v = series.value.array;
  for (let i = 0; i < v.length; i++) lines.push(`${w[i]},${s[i]},${v[i]}`);
  return lines.join("\n") + "\n";
}
