// Register-blocked matrix product reading its operands from rgba32float textures, for software
// adapters: on lavapipe (Mesa 22) every storage-buffer load is a per-lane scalar loop, while a
// textureLoad of 4 floats is a gather about 8x cheaper per float (tests/bench/LAVAPIPE.md). A^T and
// B are packed first by matmul_pack.wgsl: texel (x, batch * K + k) of `ta` holds A[4x..4x+3, k],
// of `tb` B[k, 4x..4x+3], zero past M and N. Each invocation computes an {{R}} x {{C}} block of
// outputs: per step of K it loads {{R}} / 4 + {{C}} / 4 texels for {{R}} * {{C}} multiply-adds.
// u(1) = M, u(2) = N, u(3) = K, u(4) = blocks along N, u(5) = blocks per batch, u(6) = blocks in all
// (of this chunk of batches), u(7) = the chunk's first batch (textures hold only the chunk's).
// Workgroups are {{WG}} wide; the backend's grid row width u(0) counts 256 per workgroup.
@group(0) @binding(0) var ta: texture_2d<f32>;
@group(0) @binding(1) var tb: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = (wid.x + wid.y * (u(0u) / 256u)) * {{WG}}u + lid;
  if (blk >= u(6u)) { return; }
  let m = u(1u);
  let n = u(2u);
  let kdim = u(3u);
  let batch = blk / u(5u);
  let t = blk % u(5u);
  let i0 = (t / u(4u)) * {{R}}u;
  let j0 = (t % u(4u)) * {{C}}u;
  let xa = i0 / 4u;
  let xb = j0 / 4u;
  let y0 = batch * kdim;
{{SETUP}}
  for (var k = 0u; k < kdim; k = k + 1u) {
    let y = y0 + k;
{{STEP}}
  }
  let base = (u(7u) + batch) * m * n;
{{STORE}}
}
