// Window taps for the pooling shaders (uniforms as in pool_geometry.wgsl). Padded cells read as LOWEST
// (the fill value the numpy kernels pad with: the lowest value for max pooling, 0 for average).
fn nan_max(a: {{T}}, b: {{T}}) -> {{T}} {
  if ({{FLOAT}}) {
    if (a != a || (bitcast<u32>(f32(a)) & 0x7fffffffu) > 0x7f800000u) { return a; }
    if ((bitcast<u32>(f32(b)) & 0x7fffffffu) > 0x7f800000u) { return b; }
  }
  return max(a, b);
}

// x at tap t of window (oy, ox) of image n, channel c; LOWEST in the padding.
fn tap_value(n: u32, oy: u32, ox: u32, c: u32, t: u32) -> {{T}} {
  let y = i32(oy * u(9u) + t / u(8u)) - i32(u(11u));
  let x = i32(ox * u(10u) + t % u(8u)) - i32(u(12u));
  if (y < 0 || x < 0 || y >= i32(u(2u)) || x >= i32(u(3u))) { return {{LOWEST}}; }
  return xa[((n * u(2u) + u32(y)) * u(3u) + u32(x)) * u(4u) + c];
}

// The tap holding the window's first maximum (numpy's strict > over a NaN-propagating running max).
fn max_tap(n: u32, oy: u32, ox: u32, c: u32) -> u32 {
  var best = tap_value(n, oy, ox, c, 0u);
  var bt = 0u;
  for (var t = 1u; t < u(7u) * u(8u); t = t + 1u) {
    let v = tap_value(n, oy, ox, c, t);
    if (v > best) { bt = t; }
    best = nan_max(best, v);
  }
  return bt;
}

