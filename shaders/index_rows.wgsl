// Shared by gather.wgsl and scatter_add.wgsl: the row an index tuple addresses.
// Geometry (uniform words): u(2) = O (outer slices), u(3) = M (outer slices per batch),
// u(4) = N (index tuples per batch), u(5) = A (rows per outer slice), u(6) = I (inner size),
// u(7) = K (index depth), u(8..15) = the K dims the tuple indexes, u(16..23) = their row strides.
// The tuple of batch b and number n is idx[(b * N + n) * K .. + K].

fn row_of(b: u32, n: u32) -> i32 {
  // the row addressed by tuple (b, n), or -1 when any index is outside [0, dim)
  let depth = u(7u);
  let base = (b * u(4u) + n) * depth;
  var row = 0u;
  for (var k = 0u; k < depth; k = k + 1u) {
    let v = idx[base + k];
    if (v < 0 || u32(v) >= u(8u + k)) { return -1; }
    row = row + u32(v) * u(16u + k);
  }
  return i32(row);
}
