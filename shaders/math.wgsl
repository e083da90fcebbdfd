// Scalar helpers shared by the elementwise shaders (WGSL lacks these builtins).

fn expm1_(x: f32) -> f32 {
  // Kahan's trick keeps relative accuracy near 0.
  let e = exp(x);
  if (e == 1.0) { return x; }
  let em1 = e - 1.0;
  if (em1 == -1.0) { return -1.0; }
  if (abs(x) > 0.5) { return em1; }
  return em1 * x / log(e);
}

fn log1p_(x: f32) -> f32 {
  let v = 1.0 + x;
  if (v == 1.0) { return x; }
  if (abs(x) > 0.5) { return log(v); }
  return log(v) * x / (v - 1.0);
}

fn erf_(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), odd extension.
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
      * exp(-x * x);
  return select(-y, y, x >= 0.0);
}

fn sigmoid_(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn softplus_(x: f32) -> f32 {
  return max(x, 0.0) + log1p_(exp(-abs(x)));
}

fn is_nan_(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_inf_(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

fn pow_f32(x: f32, y: f32) -> f32 {
  // WGSL's pow is exp2(y * log2(x)): NaN for x < 0. Integer exponents of negative bases are real.
  if (y == 0.0) { return 1.0; }
  let r = pow(abs(x), y);
  if (x < 0.0) {
    if (fract(y) != 0.0) { return bitcast<f32>(0x7fc00000u); }
    if (abs(fract(y * 0.5)) == 0.5) { return -r; }
  }
  return r;
}

fn pow_i32(x: i32, y: i32) -> i32 {
  var r = 1;
  var base = x;
  var e = y;
  loop {
    if (e <= 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1;
  }
  return r;
}

fn floordiv_i32(x: i32, y: i32) -> i32 {
  let q = x / y;
  if ((x % y != 0) && ((x < 0) != (y < 0))) { return q - 1; }
  return q;
}

fn floormod_i32(x: i32, y: i32) -> i32 {
  let r = x % y;
  if ((r != 0) && ((r < 0) != (y < 0))) { return r + y; }
  return r;
}

fn floormod_f32(x: f32, y: f32) -> f32 {
  let r = x - floor(x / y) * y;
  return r;
}
