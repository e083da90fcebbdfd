// General strided copy: for every i of an iteration space (rank <= 8, row-major),
//   out[dst_offset + sum_k c_k * dst_stride_k] = x[src_offset + sum_k s_k * src_stride_k]
// with s_k = c_k (or c_k % m_k in the MOD variant, used by tile). Strides are i32 so they may be
// negative (reverse, negative-step slices). Elements are moved as raw 32-bit words, so one pipeline
// serves f32, i32, u32 and bool.
// Uniforms: u(1) = count; u(2..9) iteration shape; u(10..17) source strides (i32);
// u(18..25) destination strides (i32); u(26) source offset; u(27) destination offset (i32);
// u(28..35) moduli (MOD only); u(36) rank (the loop runs over the last `rank` axes only).
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  var rem = i;
  var src = ui(26u);
  var dst = ui(27u);
  var k = 7u;
  for (var r = 0u; r < u(36u); r = r + 1u) {
    let d = u(2u + k);
    let c = rem % d;
    rem = rem / d;
    src = src + i32({{SRC_COORD}}) * ui(10u + k);
    dst = dst + i32(c) * ui(18u + k);
    k = k - 1u;
  }
  if ({{DST_CONTIGUOUS}}) {
    out[i] = x[u32(src)];
  } else {
    out[u32(dst)] = x[u32(src)];
  }
}
