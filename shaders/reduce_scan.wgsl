// cumsum / cumprod along one axis of a tensor viewed as [outer, L, inner].
// WORKGROUP variant (long lines): one workgroup per line; each invocation folds a contiguous run
// of the line, a Hillis-Steele scan in workgroup memory gives every run its prefix, then each run
// is written. Otherwise one invocation scans a whole line.
// Uniforms: u(1) = lines, u(2) = L, u(3) = inner, u(4) = exclusive, u(5) = reverse.
@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{T}}>;
var<workgroup> totals: array<{{T}}, 256>;

fn combine(a: {{T}}, b: {{T}}) -> {{T}} { return {{COMBINE}}; }

fn at(base: u32, k: u32) -> u32 {
  let len = u(2u);
  let kk = select(k, len - 1u - k, u(5u) != 0u);
  return base + kk * u(3u);
}

// Scans elements [start, end) of the line at base, starting from prefix.
fn scan_run(base: u32, start: u32, end: u32, prefix: {{T}}) {
  var run = prefix;
  let exclusive = u(4u) != 0u;
  for (var k = start; k < end; k = k + 1u) {
    let i = at(base, k);
    let v = x[i];
    if (exclusive) {
      out[i] = run;
      run = combine(run, v);
    } else {
      run = combine(run, v);
      out[i] = run;
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(global_invocation_id) gid: vec3<u32>) {
  let len = u(2u);
  let inner = u(3u);
  if ({{WORKGROUP}}) {
    let line = wid.x + wid.y * (u(0u) / 256u);
    if (line >= u(1u)) { return; }
    let base = (line / inner) * len * inner + line % inner;
    let chunk = (len + 255u) / 256u;
    let start = min(lid * chunk, len);
    let end = min(start + chunk, len);
    var total: {{T}} = {{IDENTITY}};
    for (var k = start; k < end; k = k + 1u) { total = combine(total, x[at(base, k)]); }
    totals[lid] = total;
    workgroupBarrier();
    for (var s = 1u; s < 256u; s = s << 1u) {
      var t = totals[lid];
      if (lid >= s) { t = combine(totals[lid - s], t); }
      workgroupBarrier();
      totals[lid] = t;
      workgroupBarrier();
    }
    var prefix: {{T}} = {{IDENTITY}};
    if (lid > 0u) { prefix = totals[lid - 1u]; }
    scan_run(base, start, end, prefix);
  } else {
    let line = gid.x + gid.y * u(0u);
    if (line >= u(1u)) { return; }
    let base = (line / inner) * len * inner + line % inner;
    scan_run(base, 0u, len, {{IDENTITY}});
  }
}
