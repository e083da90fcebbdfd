// Gather (gather, gather_nd): out viewed as [O, N, I] takes out[o, n, :] = x[o, row(b, n), :] where
// x is viewed as [O, A, I] and b = o / M is the batch of slice o (see index_rows.wgsl).
// An index outside its dim gives zeros (as TensorFlow's GPU kernels do). Words are moved raw.
// Uniforms: u(1) = count; geometry in u(2..23) (index_rows.wgsl).
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

{{INDEX_ROWS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  let inner = u(6u);
  let r = i / inner;
  let n = r % u(4u);
  let o = r / u(4u);
  let row = row_of(o / u(3u), n);
  if (row < 0) {
    out[i] = 0u;
  } else {
    out[i] = x[(o * u(5u) + u32(row)) * inner + i % inner];
  }
}
