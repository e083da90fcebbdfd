// Elementwise binary ops with numpy broadcasting: out[i] = EXPR(a, b).
// Uniforms: u(1) = element count; u(2..9) = output shape, u(10..17) = a's strides,
// u(18..25) = b's strides (right-aligned to rank 8; stride 0 along broadcast axes).
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(1) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT}}>;

{{FUNCTIONS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  var ia = i;
  var ib = i;
  if ({{BROADCAST}}) {
    var rem = i;
    ia = 0u;
    ib = 0u;
    for (var k = 7u; k < 8u; k = k - 1u) {  // k wraps below 0 to end the loop
      let d = u(2u + k);
      let c = rem % d;
      rem = rem / d;
      ia = ia + c * u(10u + k);
      ib = ib + c * u(18u + k);
    }
  }
  let a = xa[ia];
  let b = xb[ib];
  out[i] = {{EXPR}};
}
