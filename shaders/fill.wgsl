// out[i] = VALUE for every element. Uniforms: u(1) = element count.
@group(0) @binding(0) var<storage, read_write> out: array<{{T}}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  out[i] = {{VALUE}};
}
