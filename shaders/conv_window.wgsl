// Implicit im2col for the convolutions run by matmul.wgsl: window_value(m, k) is the element of the
// [N*OH*OW, KH*KW*C] patch matrix of the NHWC input xa (zero in the padding).
// Uniforms: u(8) H, u(9) W, u(10) C, u(11) OH, u(12) OW, u(13) KH, u(14) KW, u(15) stride h,
// u(16) stride w, u(17) dilation h, u(18) dilation w, u(19) pad top, u(20) pad left, u(21) out channels.
fn batch_offsets(b: u32) -> vec2<u32> { return vec2<u32>(0u, 0u); }

fn window_value(m: u32, k: u32) -> {{T}} {
  let c = u(10u);
  let ox = m % u(12u);
  let t = m / u(12u);
  let oy = t % u(11u);
  let n = t / u(11u);
  let ci = k % c;
  let tap = k / c;
  let y = i32(oy * u(15u) + (tap / u(14u)) * u(17u)) - i32(u(19u));
  let x = i32(ox * u(16u) + (tap % u(14u)) * u(18u)) - i32(u(20u));
  if (y < 0 || x < 0 || y >= i32(u(8u)) || x >= i32(u(9u))) { return {{ZERO}}; }
  return xa[((n * u(8u) + u32(y)) * u(9u) + u32(x)) * c + ci];
}

// The [N*H*W, KH*KW*COUT] matrix whose product with the filter gives conv2d's input gradient: the
// out_backprop element each (input pixel, tap, out channel) received, zero where none.
fn backprop_value(m: u32, k: u32) -> {{T}} {
  let cout = u(21u);
  let x = m % u(9u);
  let t = m / u(9u);
  let y = t % u(8u);
  let n = t / u(8u);
  let co = k % cout;
  let tap = k / cout;
  let py = i32(y + u(19u)) - i32((tap / u(14u)) * u(17u));
  let px = i32(x + u(20u)) - i32((tap % u(14u)) * u(18u));
  if (py < 0 || px < 0) { return {{ZERO}}; }
  let sh = u(15u);
  let sw = u(16u);
  if (u32(py) % sh != 0u || u32(px) % sw != 0u) { return {{ZERO}}; }
  let oy = u32(py) / sh;
  let ox = u32(px) / sw;
  if (oy >= u(11u) || ox >= u(12u)) { return {{ZERO}}; }
  return xa[((n * u(11u) + oy) * u(12u) + ox) * cout + co];
}
