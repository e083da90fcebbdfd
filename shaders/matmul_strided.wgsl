// Loaders of matmul.wgsl for batched strided matrices with broadcast batch axes.
// u(8) = batch rank, u(9..14) batch sizes, u(15..20) A's batch strides, u(21..26) B's batch strides
// (innermost first; stride 0 along a broadcast axis), u(27), u(28) = A's strides along i and k,
// u(29), u(30) = B's strides along k and j.
fn batch_offsets(b: u32) -> vec2<u32> {
  var rem = b;
  var oa = 0u;
  var ob = 0u;
  for (var d = 0u; d < u(8u); d = d + 1u) {
    let c = rem % u(9u + d);
    rem = rem / u(9u + d);
    oa = oa + c * u(15u + d);
    ob = ob + c * u(21u + d);
  }
  return vec2<u32>(oa, ob);
}

fn load_a(off: u32, i: u32, k: u32) -> {{T}} { return xa[off + i * u(27u) + k * u(28u)]; }

fn load_b(off: u32, k: u32, j: u32) -> {{T}} { return xb[off + k * u(29u) + j * u(30u)]; }
