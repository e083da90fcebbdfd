// Random ops on the Philox stream (philox.wgsl), as specified in pkg/webtensor/ops/random_ops.py.
// Invocation t computes block t (stream words 4t..4t+3) and writes elements 4t..4t+3 that exist.
// Units are 24-bit: unit(w) = (w >> 8) * 2^-24, exact in f32, so uniforms and ints are bit-identical
// to the numpy kernels; normals (Box-Muller on the pairs of a block) and truncated normals (Giles'
// erfinv) are computed in f32 and agree to the accuracy of log/cos/sin.
// Uniforms: u(1) = element count; u(2..5) counter words; u(6..7) key words;
// u(8), u(9) = minval, maxval bits (random_uniform_int).
@group(0) @binding(0) var<storage, read_write> out: array<u32>;

{{PHILOX}}

const TWO_PI: f32 = 6.283185307179586;

fn unit(w: u32) -> f32 {
  return f32(w >> 8u) * 5.9604644775390625e-8;
}

fn erfinv_giles(x: f32) -> f32 {
  let w = -ln((1.0 - x) * (1.0 + x)) - 2.5;
  var p = 2.81022636e-08;
  p = 3.43273939e-07 + p * w;
  p = -3.5233877e-06 + p * w;
  p = -4.39150654e-06 + p * w;
  p = 0.00021858087 + p * w;
  p = -0.00125372503 + p * w;
  p = -0.00417768164 + p * w;
  p = 0.246640727 + p * w;
  p = 1.50140941 + p * w;
  return p * x;
}

fn truncated(w: u32) -> f32 {
  // (2u - 1 + 2^-24) is exact in f32: an odd multiple of 2^-24 below 1 in magnitude
  let x = f32(i32((w >> 8u) * 2u + 1u) - 16777216) * 5.9604644775390625e-8 * 0.9544997361036416;
  return clamp(1.4142135623730951 * erfinv_giles(x), -2.0, 2.0);
}

fn ln(a: f32) -> f32 {
  // log with a relative error of a few ulps near 1, where WGSL only bounds log's absolute error
  // (2^-21): log a = 2 atanh(s), s = (a - 1) / (a + 1), |s| <= 1/3 for a in [0.5, 2].
  if (a < 0.5 || a > 2.0) { return log(a); }
  let s = (a - 1.0) / (a + 1.0);
  let s2 = s * s;
  var p = 1.0 / 15.0;
  p = 1.0 / 13.0 + p * s2;
  p = 1.0 / 11.0 + p * s2;
  p = 1.0 / 9.0 + p * s2;
  p = 1.0 / 7.0 + p * s2;
  p = 1.0 / 5.0 + p * s2;
  p = 1.0 / 3.0 + p * s2;
  p = 1.0 + p * s2;
  return 2.0 * s * p;
}

fn box_muller(wa: u32, wb: u32) -> vec2<f32> {
  let a = unit(wa) + 5.9604644775390625e-8;  // in (0, 1]
  var b = unit(wb);
  if (b >= 0.5) { b = b - 1.0; }  // same angle, argument kept in [-pi, pi)
  let r = sqrt(-2.0 * ln(a));
  let theta = TWO_PI * b;
  return vec2<f32>(r * cos(theta), r * sin(theta));
}

fn values(w: vec4<u32>) -> vec4<u32> {
  {{VALUES}}
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x + gid.y * u(0u);
  let n = u(1u);
  if (t >= (n + 3u) / 4u) { return; }
  let w = philox_block(vec4<u32>(u(2u), u(3u), u(4u), u(5u)), vec2<u32>(u(6u), u(7u)), t);
  let v = values(w);
  for (var l = 0u; l < 4u; l = l + 1u) {
    if (4u * t + l < n) { out[4u * t + l] = v[l]; }
  }
}
