// where(c, x, y) with broadcasting of all three: out[i] = c ? x : y.
// Uniforms: u(1) = count; u(2..9) output shape; u(10..17), u(18..25), u(26..33) strides of c, x, y.
@group(0) @binding(0) var<storage, read> c: array<u32>;
@group(0) @binding(1) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(2) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  var rem = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var k = 7u; k < 8u; k = k - 1u) {
    let d = u(2u + k);
    let q = rem % d;
    rem = rem / d;
    ic = ic + q * u(10u + k);
    ia = ia + q * u(18u + k);
    ib = ib + q * u(26u + k);
  }
  out[i] = select(xb[ib], xa[ia], c[ic] != 0u);
}
