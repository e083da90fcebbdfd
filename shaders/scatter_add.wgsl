// Scatter-add (gather_grad, scatter_nd, scatter_nd_like, unsorted_segment_sum) into a zeroed out:
// out viewed as [O, A, I] gets out[o, row(b, n), :] += upd[o, n, :] for every tuple n
// (see index_rows.wgsl); tuples with an index outside its dim are dropped.
// OWNER variant: one invocation per output column (o, j) walks n = 0..N-1 in order and owns every
// write to its column: no atomics, a fixed summation order (the same as numpy's add.at).
// ATOMIC variant: one invocation per update element; add_at adds with an atomic (atomicAdd for
// ints, atomicOr for bool, a compare-exchange loop on the bits for f32).
// Uniforms: u(1) = count (columns O*I for OWNER, updates O*N*I for ATOMIC); geometry in u(2..23).
@group(0) @binding(0) var<storage, read> upd: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT}}>;

{{INDEX_ROWS}}

fn add_at(j: u32, v: u32) {
  {{ADD_AT}}
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  let inner = u(6u);
  let nn = u(4u);
  if ({{OWNER}}) {
    let o = i / inner;
    let c = i % inner;
    let b = o / u(3u);
    for (var n = 0u; n < nn; n = n + 1u) {
      let row = row_of(b, n);
      if (row >= 0) {
        add_at((o * u(5u) + u32(row)) * inner + c, upd[(o * nn + n) * inner + c]);
      }
    }
  } else {
    let r = i / inner;
    let n = r % nn;
    let o = r / nn;
    let row = row_of(o / u(3u), n);
    if (row >= 0) {
      add_at((o * u(5u) + u32(row)) * inner + i % inner, upd[i]);
    }
  }
}
