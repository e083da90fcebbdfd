// linspace: num values from start to stop inclusive (start and stop are f32 scalars in buffers, so
// no readback is needed): out[i] = start + i * (stop - start) / (num - 1), the last one exactly stop.
// Uniforms: u(1) = num.
@group(0) @binding(0) var<storage, read> start: array<f32>;
@group(0) @binding(1) var<storage, read> stop: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  let num = u(1u);
  if (i >= num) { return; }
  let a = start[0];
  let b = stop[0];
  if (i + 1u == num && num > 1u) {
    out[i] = b;
  } else if (num > 1u) {
    out[i] = a + f32(i) * ((b - a) / f32(num - 1u));
  } else {
    out[i] = a;
  }
}
