// range: out[i] = start + i * delta, in the output type T (f32 or i32; i32 wraps like numpy's).
// Uniforms: u(1) = count; u(2) = start bits; u(3) = delta bits (both of type T).
@group(0) @binding(0) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  out[i] = bitcast<{{T}}>(u(2u)) + {{T}}(i) * bitcast<{{T}}>(u(3u));
}
