// Matrix product for few outputs over a long K (dot products, filter gradients): one workgroup per
// output element strides over K, then a tree reduction in workgroup memory. Same loaders and
// uniforms as matmul.wgsl (u(6) = batch * M * N outputs).
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(1) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;
var<workgroup> partial: array<{{T}}, 256>;

{{LOADERS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * (u(0u) / 256u);
  if (o >= u(6u)) { return; }
  let m = u(1u);
  let n = u(2u);
  let j = o % n;
  let i = (o / n) % m;
  let offs = batch_offsets(o / (m * n));
  var acc: {{T}} = {{ZERO}};
  for (var k = lid; k < u(3u); k = k + 256u) {
    acc = acc + load_a(offs.x, i, k) * load_b(offs.y, k, j);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = partial[0]; }
}
