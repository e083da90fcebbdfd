// max_pool2d / avg_pool2d forward and max_pool2d_grad_grad: one invocation per NHWC output element.
// BODY computes `result` from the window of output (n, oy, ox, c); uniforms as in pool_window.
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
{{BINDINGS}}

{{WINDOW}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  let p = nhwc(i, u(5u), u(6u));
  let n = p.x;
  let oy = p.y;
  let ox = p.z;
  let c = p.w;
  {{BODY}}
}
