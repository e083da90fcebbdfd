// argmax / argmin along one axis of a tensor viewed as [outer, L, inner]: one workgroup per output
// (WORKGROUP variant, long axes) or one invocation per output. The first extreme wins on ties and a
// NaN counts as the extreme (numpy's rule). Output int32.
// Uniforms: u(1) = outputs, u(2) = L, u(3) = inner.
@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
var<workgroup> best_v: array<{{T}}, 256>;
var<workgroup> best_i: array<u32, 256>;

const NONE: u32 = 0xffffffffu;

fn is_nan_(v: {{T}}) -> bool { return {{IS_NAN}}; }

// Whether candidate (v, i) beats (bv, bi).
fn better(v: {{T}}, i: u32, bv: {{T}}, bi: u32) -> bool {
  if (i == NONE) { return false; }
  if (bi == NONE) { return true; }
  let nv = is_nan_(v);
  let nb = is_nan_(bv);
  if (nv || nb) { return nv && (!nb || i < bi); }
  return (v {{CMP}} bv) || (v == bv && i < bi);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(global_invocation_id) gid: vec3<u32>) {
  let len = u(2u);
  let inner = u(3u);
  if ({{WORKGROUP}}) {
    let o = wid.x + wid.y * (u(0u) / 256u);
    if (o >= u(1u)) { return; }
    let base = (o / inner) * len * inner + o % inner;
    var bv = x[base];
    var bi = NONE;
    for (var k = lid; k < len; k = k + 256u) {
      let v = x[base + k * inner];
      if (better(v, k, bv, bi)) { bv = v; bi = k; }
    }
    best_v[lid] = bv;
    best_i[lid] = bi;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s = s >> 1u) {
      if (lid < s && better(best_v[lid + s], best_i[lid + s], best_v[lid], best_i[lid])) {
        best_v[lid] = best_v[lid + s];
        best_i[lid] = best_i[lid + s];
      }
      workgroupBarrier();
    }
    if (lid == 0u) { out[o] = i32(best_i[0]); }
  } else {
    let o = gid.x + gid.y * u(0u);
    if (o >= u(1u)) { return; }
    let base = (o / inner) * len * inner + o % inner;
    var bv = x[base];
    var bi = 0u;
    for (var k = 1u; k < len; k = k + 1u) {
      let v = x[base + k * inner];
      if (better(v, k, bv, bi)) { bv = v; bi = k; }
    }
    out[o] = i32(bi);
  }
}
