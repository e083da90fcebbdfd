// Gradient of a REFLECT/SYMMETRIC pad: each input element sums the output elements that were
// copied from it. Along each axis at most three output coordinates map to input coordinate c
// (itself shifted by the padding, its mirror in the leading pad, its mirror in the trailing pad),
// so every invocation sums at most 3^rank values it owns: no atomics, a fixed summation order.
// MODE 1 = REFLECT, 2 = SYMMETRIC. Uniforms: u(1) = count (input elements); u(2..9) input shape;
// u(10..17) dy (padded) shape; u(18..25) padding before each axis.
@group(0) @binding(0) var<storage, read> dy: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  var cand: array<array<u32, 3>, 8>;  // offsets into dy (coordinate * dy stride) per axis
  var cnt: array<u32, 8>;
  var rem = i;
  var stride = 1u;
  var total = 1u;
  for (var k = 7u; k < 8u; k = k - 1u) {
    let d = u(2u + k);
    let c = rem % d;
    rem = rem / d;
    let od = u(10u + k);
    let lo = u(18u + k);
    cand[k][0] = (c + lo) * stride;
    var m = 1u;
    if ({{MODE}} == 1) {
      if (c >= 1u && c <= lo) { cand[k][m] = (lo - c) * stride; m = m + 1u; }
      if (c + 2u <= d && lo + 2u * (d - 1u) - c < od) { cand[k][m] = (lo + 2u * (d - 1u) - c) * stride; m = m + 1u; }
    } else {
      if (c + 1u <= lo) { cand[k][m] = (lo - c - 1u) * stride; m = m + 1u; }
      if (lo + 2u * d - 1u - c < od) { cand[k][m] = (lo + 2u * d - 1u - c) * stride; m = m + 1u; }
    }
    cnt[k] = m;
    total = total * m;
    stride = stride * od;
  }
  var acc = {{ZERO}};
  for (var t = 0u; t < total; t = t + 1u) {
    var r = t;
    var off = 0u;
    for (var k = 0u; k < 8u; k = k + 1u) {
      off = off + cand[k][r % cnt[k]];
      r = r / cnt[k];
    }
    acc = acc + dy[off];
  }
  out[i] = acc;
}
