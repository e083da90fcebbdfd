// Register-blocked matrix product without workgroup memory, for software adapters (lavapipe,
// SwiftShader). There every storage or workgroup load costs a per-lane scalar loop (~20 cycles per
// float per invocation on llvmpipe) while arithmetic runs 8 lanes wide, so the only lever is loads
// per multiply-add: each invocation keeps an R x C block of outputs in registers and per step of K
// loads R values of A and C of B for R * C multiply-adds (tests/bench/LAVAPIPE.md has the numbers).
// Rows and columns past M and N are clamped on load (load_a/load_b never see out-of-range indices)
// and skipped on store. Same loaders and uniforms as matmul.wgsl: u(1) = M, u(2) = N, u(3) = K,
// u(4) = blocks along N, u(5) = blocks per batch, u(6) = blocks in all, u(8..) the loaders'.
// Workgroups are {{WG}} wide; the backend's grid row width u(0) counts 256 per workgroup.
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(1) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;

{{LOADERS}}

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
  let offs = batch_offsets(batch);
{{SETUP}}
  for (var k = 0u; k < kdim; k = k + 1u) {
{{STEP}}
  }
  let base = batch * m * n;
{{STORE}}
}
