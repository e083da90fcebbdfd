// argsort / top_k: one workgroup sorts one row of up to 2048 elements in workgroup memory with a
// bitonic network over (key, index) pairs, so ties keep index order (numpy's stable sort; for
// descending order TensorFlow's top_k rule: larger first, equal values by increasing index).
// Keys are the elements' bits mapped to u32 so that unsigned order is the value order: for f32,
// -0.0 == 0.0 and every NaN sorts above +inf (numpy puts NaNs last ascending, first descending).
// Slots past the row length hold indices >= n and always sort last.
// Element j of row r lives at x[(r / inner) * n * inner + r % inner + j * inner]; the first K
// sorted positions are written the same way with K in place of n.
// Uniforms: u(1) = rows; u(2) = n; u(3) = inner; u(4) = K; u(5) = P (a power of two >= n).
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out_idx: array<i32>;
{{VALUES_DECL}}

var<workgroup> keys: array<u32, 2048>;
var<workgroup> ids: array<u32, 2048>;

fn key_of(b: u32) -> u32 {
  {{KEY}}
}

fn before(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  let n = u(2u);
  if (ia >= n || ib >= n) { return ia < ib; }
  if (ka != kb) { return {{KEY_BEFORE}}; }
  return ia < ib;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * (u(0u) / 256u);
  if (row >= u(1u)) { return; }
  let n = u(2u);
  let inner = u(3u);
  let kk = u(4u);
  let p = u(5u);
  let base = (row / inner) * n * inner + row % inner;
  for (var s = lid; s < p; s = s + 256u) {
    if (s < n) {
      keys[s] = key_of(x[base + s * inner]);
    } else {
      keys[s] = 0xffffffffu;
    }
    ids[s] = s;
  }
  workgroupBarrier();
  for (var k = 2u; k <= p; k = k << 1u) {
    for (var j = k >> 1u; j > 0u; j = j >> 1u) {
      for (var t = lid; t < p / 2u; t = t + 256u) {
        let a = 2u * t - (t & (j - 1u));
        let b = a + j;
        let ka = keys[a];
        let kb = keys[b];
        let ia = ids[a];
        let ib = ids[b];
        var swap: bool;
        if ((a & k) == 0u) {
          swap = before(kb, ib, ka, ia);
        } else {
          swap = before(ka, ia, kb, ib);
        }
        if (swap) {
          keys[a] = kb;
          keys[b] = ka;
          ids[a] = ib;
          ids[b] = ia;
        }
      }
      workgroupBarrier();
    }
  }
  let obase = (row / inner) * kk * inner + row % inner;
  for (var s = lid; s < kk; s = s + 256u) {
    let src = ids[s];
    out_idx[obase + s * inner] = i32(src);
    {{VALUES_WRITE}}
  }
}
