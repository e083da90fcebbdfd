// Matrix product for small or skinny shapes (matrix-vector, M or N below 16): one invocation per
// output element loops over K. Same loaders and uniforms as matmul.wgsl (u(1) = M, u(2) = N,
// u(3) = K, u(6) = batch * M * N outputs).
@group(0) @binding(0) var<storage, read> xa: array<{{T}}>;
@group(0) @binding(1) var<storage, read> xb: array<{{T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;

{{LOADERS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x + gid.y * u(0u);
  if (o >= u(6u)) { return; }
  let m = u(1u);
  let n = u(2u);
  let j = o % n;
  let i = (o / n) % m;
  let offs = batch_offsets(o / (m * n));
  var acc: {{T}} = {{ZERO}};
  for (var k = 0u; k < u(3u); k = k + 1u) {
    acc = acc + load_a(offs.x, i, k) * load_b(offs.y, k, j);
  }
  out[o] = acc;
}
