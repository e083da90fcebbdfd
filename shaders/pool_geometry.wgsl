// Geometry helpers shared by the pooling shaders (NHWC, no dilation). Uniforms: u(1) = invocations,
// u(2) H, u(3) W, u(4) C, u(5) OH, u(6) OW, u(7) KH, u(8) KW, u(9) stride h, u(10) stride w,
// u(11) pad top, u(12) pad left.
// How many real (unpadded) cells window (oy, ox) covers.
fn window_count(oy: u32, ox: u32) -> f32 {
  let y0 = i32(oy * u(9u)) - i32(u(11u));
  let x0 = i32(ox * u(10u)) - i32(u(12u));
  let rows = min(y0 + i32(u(7u)), i32(u(2u))) - max(y0, 0);
  let cols = min(x0 + i32(u(8u)), i32(u(3u))) - max(x0, 0);
  return f32(rows * cols);
}

// Decodes an NHWC index of a tensor with spatial size (h, w) into (n, y, x, c).
fn nhwc(i: u32, h: u32, w: u32) -> vec4<u32> {
  let c = i % u(4u);
  let t = i / u(4u);
  let x = t % w;
  let t2 = t / w;
  return vec4<u32>(t2 / h, t2 % h, x, c);
}

// The windows (rows oy0..oy1, cols ox0..ox1 inclusive) that cover input cell (y, x); empty when oy0 > oy1.
fn covering(y: u32, x: u32) -> vec4<i32> {
  let py = i32(y + u(11u));
  let px = i32(x + u(12u));
  let sh = i32(u(9u));
  let sw = i32(u(10u));
  let oy0 = max(py - i32(u(7u)) + sh, 0) / sh;
  let ox0 = max(px - i32(u(8u)) + sw, 0) / sw;
  let oy1 = min(py / sh, i32(u(5u)) - 1);
  let ox1 = min(px / sw, i32(u(6u)) - 1);
  return vec4<i32>(oy0, oy1, ox0, ox1);
}
