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

const LEAF = 8;   // values per leaf of a MinMaxTree

/** Min and max of any index range of a value array in O(log n): a bottom-up segment tree over leaves of
 * LEAF values (non-finite values ignored), so a wide chart's buckets cost the same at 1k or 1M points. */
export class MinMaxTree {
  constructor(values) {
    this.values = values;
    const leaves = Math.ceil(values.length / LEAF);
    let size = 1;
    while (size < leaves) size *= 2;
    this.size = size;
    this.min = new Float64Array(2 * size).fill(Infinity);
    this.max = new Float64Array(2 * size).fill(-Infinity);
    for (let i = 0; i < values.length; i++) {
      const v = values[i], leaf = size + ((i / LEAF) | 0);
      if (v < this.min[leaf]) this.min[leaf] = v;
      if (v > this.max[leaf]) this.max[leaf] = v;
    }
    for (let k = size - 1; k >= 1; k--) {
      this.min[k] = Math.min(this.min[2 * k], this.min[2 * k + 1]);
      this.max[k] = Math.max(this.max[2 * k], this.max[2 * k + 1]);
    }
  }

  /** [min, max] of the finite values in [i, j) (Infinity, -Infinity when there are none). */
  query(i, j) {
    let lo = Infinity, hi = -Infinity;
    const v = this.values;
    const headEnd = Math.min(j, Math.ceil(i / LEAF) * LEAF);
    for (; i < headEnd; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i]; }
    const tailStart = Math.max(i, Math.floor(j / LEAF) * LEAF);
    for (let k = tailStart; k < j; k++) { if (v[k] < lo) lo = v[k]; if (v[k] > hi) hi = v[k]; }
    let l = this.size + i / LEAF, r = this.size + tailStart / LEAF;
    while (l < r) {
      if (l & 1) { if (this.min[l] < lo) lo = this.min[l]; if (this.max[l] > hi) hi = this.max[l]; l++; }
      if (r & 1) { r--; if (this.min[r] < lo) lo = this.min[r]; if (this.max[r] > hi) hi = this.max[r]; }
      l >>= 1; r >>= 1;
    }
    return [lo, hi];
  }
}

/** The points of (xs, ys) inside [xmin, xmax] (plus one neighbour each side, so lines reach the edges),
 * reduced for a chart `buckets` pixels wide. Few enough points are returned as they are. Otherwise each
 * bucket (an equal x-width) gives its first value, its min and max (in the order the line meets them)
 * and its last value, at four fixed x positions inside the bucket: every series of a chart then shares
 * one x grid (cheap to align), and no spike is lost. xs ascending; tree: a MinMaxTree of ys (optional).
 * Returns {x, y, yMin, yMax} (yMin/yMax over the finite y drawn; positive ones only for log scales). */
export function downsample(xs, ys, xmin, xmax, buckets, positiveOnly = false, tree = null) {
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
  tree ??= new MinMaxTree(ys);
  const x = [], y = [];
  const push = (px, py) => { x.push(px); y.push(py); track(py); };
  const width = (xmax - xmin) / buckets;
  let i = lowerBound(xs, xmin, start);
  if (start < i) push(xs[start], ys[start]);          // the neighbour left of the range
  for (let b = 0; b < buckets && i < end; b++) {
    const left = xmin + b * width;
    const j = b === buckets - 1 ? upperBound(xs, xmax, i) : lowerBound(xs, left + width, i);
    if (j <= i) continue;
    const first = ys[i], last = ys[j - 1];
    if (j - i <= 2) {
      push(left, first);
      if (j - i === 2) push(left + 0.75 * width, last);
    } else {
      const [lo, hi] = tree.query(i, j);
      const rising = last >= first;
      push(left, first);
      if (lo <= hi) {
        push(left + 0.25 * width, rising ? lo : hi);
        push(left + 0.5 * width, rising ? hi : lo);
      }
      push(left + 0.75 * width, last);
    }
    i = j;
  }
  if (i < end) push(xs[end - 1], ys[end - 1]);       // the neighbour right of the range
  return { x: Float64Array.from(x), y: Float64Array.from(y), yMin, yMax };
}

/** Merges per-run (x, y) series onto one sorted x axis, as uPlot wants: [xs, ys_run0, ys_run1, ...],
 * with null where a run has no point at an x. */
export function align(seriesList) {
  const first = seriesList[0]?.x;
  const shared = first && seriesList.every((s) => s.x.length === first.length && s.x.every((v, i) => v === first[i]));
  if (shared) {     // downsampled runs that share steps share the bucket grid: nothing to merge
    return [Array.from(first), ...seriesList.map((s) => Array.from(s.y, (v) => (Number.isFinite(v) ? v : null)))];
  }
  let total = 0;
  for (const s of seriesList) total += s.x.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const s of seriesList) { all.set(s.x, offset); offset += s.x.length; }
  all.sort();       // typed arrays sort numerically, far faster than a comparator
  const xs = [];
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) xs.push(all[i]);
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
