// Philox-4x32-10 (Salmon et al. 2011), the generator of pkg/webtensor/ops/random_ops.py: block j of
// a stream is the cipher of counter + j (a 128-bit add) under the 64-bit key.
// WGSL has no 64-bit integers: the 32x32 -> 64-bit products are built from 16-bit halves.

fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  // (high word, low word) of the 64-bit product a * b
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>(a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u), a * b);
}

fn philox_block(counter: vec4<u32>, key: vec2<u32>, j: u32) -> vec4<u32> {
  // counter + j with carries through all four words
  var c0 = counter.x + j;
  var carry = select(0u, 1u, c0 < j);
  var c1 = counter.y + carry;
  carry = select(0u, 1u, carry == 1u && c1 == 0u);
  var c2 = counter.z + carry;
  carry = select(0u, 1u, carry == 1u && c2 == 0u);
  var c3 = counter.w + carry;
  var k0 = key.x;
  var k1 = key.y;
  for (var r = 0u; r < 10u; r = r + 1u) {
    let p0 = mulhilo(0xD2511F53u, c0);
    let p1 = mulhilo(0xCD9E8D57u, c2);
    c0 = p1.x ^ c1 ^ k0;
    c1 = p1.y;
    c2 = p0.x ^ c3 ^ k1;
    c3 = p0.y;
    k0 = k0 + 0x9E3779B9u;
    k1 = k1 + 0xBB67AE85u;
  }
  return vec4<u32>(c0, c1, c2, c3);
}
