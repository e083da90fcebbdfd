// max_pool2d_grad / avg_pool2d_grad: one invocation per NHWC input cell sums the gradient of every
// window covering it (max: only windows whose first maximum is this cell, from the taps computed
// by pool.wgsl's argmax pass; avg: dy / the window's real cell count).
{{BINDINGS}}

{{WINDOW}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  let p = nhwc(i, u(2u), u(3u));
  let n = p.x;
  let c = p.w;
  let r = covering(p.y, p.z);
  var acc = 0.0;
  for (var oy = r.x; oy <= r.y; oy = oy + 1) {
    for (var ox = r.z; ox <= r.w; ox = ox + 1) {
      let o = ((n * u(5u) + u32(oy)) * u(6u) + u32(ox)) * u(4u) + c;
      {{ACCUMULATE}}
    }
  }
  out[i] = acc;
}
