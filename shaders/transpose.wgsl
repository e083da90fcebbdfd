// Batched matrix transpose out[b, p, q] = x[b, q, p] through a 16x16 tile in workgroup memory, so
// that reads (along p) and writes (along q) are both contiguous. One workgroup per tile; the
// strided copy hands over every layout op that coalesces to this form. Words are moved raw.
// Uniforms: u(1) = number of tiles; u(2) = P; u(3) = Q (the output's last two dims).
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

var<workgroup> tile: array<u32, 272>;  // 16 rows of 17: the pad column avoids bank conflicts

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * (u(0u) / 256u);
  if (g >= u(1u)) { return; }
  let np = u(2u);
  let nq = u(3u);
  let tq = (nq + 15u) / 16u;
  let per = ((np + 15u) / 16u) * tq;
  let base = (g / per) * np * nq;
  let p0 = ((g % per) / tq) * 16u;
  let q0 = ((g % per) % tq) * 16u;
  let lx = lid % 16u;
  let ly = lid / 16u;
  if (q0 + ly < nq && p0 + lx < np) {
    tile[ly * 17u + lx] = x[base + (q0 + ly) * np + p0 + lx];
  }
  workgroupBarrier();
  if (p0 + ly < np && q0 + lx < nq) {
    out[base + (p0 + ly) * nq + q0 + lx] = tile[lx * 17u + ly];
  }
}
