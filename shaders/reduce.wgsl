// Reductions (sum, mean, max, min, prod, any, all): one workgroup per (output, chunk), a strided
// loop over the chunk's reduced elements, then a tree reduction in workgroup memory.
// Uniforms: u(1) = workgroups used (outputs * chunks), u(2) = chunks per output, u(3) = chunk length,
// u(4) = reduced element count R (of this pass), u(5) = kept rank, u(6) = reduced rank,
// u(7) = FINAL's divisor (f32 or i32 bits), u(8..15) kept sizes, u(16..23) kept strides,
// u(24..31) reduced sizes, u(32..39) reduced strides (innermost axis first).
@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT}}>;
var<workgroup> partial: array<{{ACC}}, 256>;

{{FUNCTIONS}}

fn combine(a: {{ACC}}, b: {{ACC}}) -> {{ACC}} { return {{COMBINE}}; }

fn kept_offset(o: u32) -> u32 {
  var rem = o;
  var off = 0u;
  for (var k = 0u; k < u(5u); k = k + 1u) {
    off = off + (rem % u(8u + k)) * u(16u + k);
    rem = rem / u(8u + k);
  }
  return off;
}

fn reduced_offset(r: u32) -> u32 {
  if ({{ONE_AXIS}}) { return r * u(32u); }
  var rem = r;
  var off = 0u;
  for (var k = 0u; k < u(6u); k = k + 1u) {
    off = off + (rem % u(24u + k)) * u(32u + k);
    rem = rem / u(24u + k);
  }
  return off;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * (u(0u) / 256u);
  if (w >= u(1u)) { return; }
  let o = w / u(2u);
  let start = (w % u(2u)) * u(3u);
  let end = min(start + u(3u), u(4u));
  let base = kept_offset(o);
  var acc: {{ACC}} = {{IDENTITY}};
  for (var r = start + lid; r < end; r = r + 256u) {
    let v = x[base + reduced_offset(r)];
    acc = combine(acc, {{LOAD}});
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = partial[0];
    out[w] = {{FINAL}};
  }
}
