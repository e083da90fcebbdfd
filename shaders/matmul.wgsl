// Tiled matrix product out[b, i, j] = sum_k A(b, i, k) * B(b, k, j) (out contiguous [batch, M, N]).
// One workgroup of 256 invocations per 64x64 output tile; each invocation accumulates a 4x4 block in
// registers from 64x16 (A) and 16x64 (B) tiles staged in workgroup memory. load_a/load_b (filled in:
// strided matrices for matmul, implicit im2col windows for the convolutions) never see out-of-range
// indices: the tile loader zero-fills past M, N and K.
// Uniforms: u(1) = M, u(2) = N, u(3) = K, u(4) = tiles along N, u(5) = tiles per batch,
// u(6) = tiles in all; u(8..) are the loaders'.
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(1) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;
var<workgroup> tile_a: array<{{T}}, 1024>;  // [16 k][64 i]
var<workgroup> tile_b: array<{{T}}, 1024>;  // [16 k][64 j]

{{LOADERS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * (u(0u) / 256u);
  if (tile >= u(6u)) { return; }
  let m = u(1u);
  let n = u(2u);
  let kdim = u(3u);
  let batch = tile / u(5u);
  let t = tile % u(5u);
  let i0 = (t / u(4u)) * 64u;
  let j0 = (t % u(4u)) * 64u;
  let offs = batch_offsets(batch);
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc0 = vec4<{{T}}>();
  var acc1 = vec4<{{T}}>();
  var acc2 = vec4<{{T}}>();
  var acc3 = vec4<{{T}}>();
  for (var k0 = 0u; k0 < kdim; k0 = k0 + 16u) {
    for (var q = 0u; q < 4u; q = q + 1u) {
      let e = lid + q * 256u;
      // A tile element (ii, kk): which index runs fastest across invocations follows A's layout.
      var ii = e / 16u;
      var kk = e % 16u;
      if ({{A_ROWS_FAST}}) { ii = e % 64u; kk = e / 64u; }
      var va: {{T}} = {{ZERO}};
      if (i0 + ii < m && k0 + kk < kdim) { va = load_a(offs.x, i0 + ii, k0 + kk); }
      tile_a[kk * 64u + ii] = va;
      var jj = e % 64u;
      var kb = e / 64u;
      if ({{B_K_FAST}}) { jj = e / 16u; kb = e % 16u; }
      var vb: {{T}} = {{ZERO}};
      if (j0 + jj < n && k0 + kb < kdim) { vb = load_b(offs.y, k0 + kb, j0 + jj); }
      tile_b[kb * 64u + jj] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let ra = kk * 64u + ty * 4u;
      let rb = kk * 64u + tx * 4u;
      let b = vec4<{{T}}>(tile_b[rb], tile_b[rb + 1u], tile_b[rb + 2u], tile_b[rb + 3u]);
      acc0 = acc0 + tile_a[ra] * b;
      acc1 = acc1 + tile_a[ra + 1u] * b;
      acc2 = acc2 + tile_a[ra + 2u] * b;
      acc3 = acc3 + tile_a[ra + 3u] * b;
    }
    workgroupBarrier();
  }
  let i = i0 + ty * 4u;
  let j = j0 + tx * 4u;
  store_row(batch * m * n, i, j, acc0);
  store_row(batch * m * n, i + 1u, j, acc1);
  store_row(batch * m * n, i + 2u, j, acc2);
  store_row(batch * m * n, i + 3u, j, acc3);
}

fn store_row(base: u32, i: u32, j: u32, v: vec4<{{T}}>) {
  let m = u(1u);
  let n = u(2u);
  if (i >= m) { return; }
  let o = base + i * n + j;
  if (j + 3u < n) {
    out[o] = v.x;
    out[o + 1u] = v.y;
    out[o + 2u] = v.z;
    out[o + 3u] = v.w;
    return;
  }
  if (j < n) { out[o] = v.x; }
  if (j + 1u < n) { out[o + 1u] = v.y; }
  if (j + 2u < n) { out[o + 2u] = v.z; }
}
