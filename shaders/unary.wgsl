// Elementwise unary ops: out[i] = EXPR(v) with v = x[i]; one invocation per element.
// Uniforms: u(1) = element count; u(2..) = op parameters (e.g. leaky_relu's alpha as f32 bits).
@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;

{{FUNCTIONS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  let v = x[i];
  out[i] = {{EXPR}};
}
