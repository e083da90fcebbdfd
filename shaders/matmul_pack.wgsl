// Packs one operand of a matrix product into an rgba32float texture for matmul_texture.wgsl, reading
// it through the same `load_a`/`load_b` loaders as the buffer kernels (so strided, transposed,
// broadcast-batched and im2col operands all pack alike). Texel (x, y) holds 4 consecutive rows of A
// (i = 4x..4x+3) or 4 consecutive columns of B (j = 4x..4x+3) at y = batch * K + k; entries past M
// (or N) are zero; `batch` counts from u(6), the chunk's first batch. One invocation per texel.
// u(1) = M, u(2) = N, u(3) = K, u(4) = texels per row, u(5) = texels in all, u(6) = first batch,
// u(8..) the loaders'.
@group(0) @binding(0) var<storage, read> xa: array<f32>;
@group(0) @binding(1) var<storage, read> xb: array<f32>;
@group(0) @binding(2) var packed: texture_storage_2d<rgba32float, write>;

{{LOADERS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x + gid.y * u(0u);
  if (t >= u(5u)) { return; }
  let kdim = u(3u);
  let x = t % u(4u);
  let y = t / u(4u);
  let k = y % kdim;
  let offs = batch_offsets(u(6u) + y / kdim);
  var v = vec4<f32>();
  for (var c = 0u; c < 4u; c = c + 1u) {
    let r = 4u * x + c;
{{PACK}}
  }
  textureStore(packed, vec2<u32>(x, y), v);
}
