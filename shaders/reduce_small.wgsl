// Reductions over few elements: one invocation per output loops over its reduced elements.
// Uniforms as in reduce.wgsl (one chunk per output: u(1) = outputs, u(4) = R).
@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;

{{FUNCTIONS}}

fn combine(a: {{ACC}}, b: {{ACC}}) -> {{ACC}} { return {{COMBINE}}; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x + gid.y * u(0u);
  if (o >= u(1u)) { return; }
  var rem = o;
  var base = 0u;
  for (var k = 0u; k < u(5u); k = k + 1u) {
    base = base + (rem % u(8u + k)) * u(16u + k);
    rem = rem / u(8u + k);
  }
  var acc: {{ACC}} = {{IDENTITY}};
  for (var r = 0u; r < u(4u); r = r + 1u) {
    var off = 0u;
    var q = r;
    for (var k = 0u; k < u(6u); k = k + 1u) {
      off = off + (q % u(24u + k)) * u(32u + k);
      q = q / u(24u + k);
    }
    let v = x[base + off];
    acc = combine(acc, {{LOAD}});
  }
  out[o] = {{FINAL}};
}
