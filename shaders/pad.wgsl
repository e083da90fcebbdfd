// pad: out[i] = x[mapped coordinates], or the fill value where a coordinate falls in a CONSTANT pad.
// MODE 0 = CONSTANT, 1 = REFLECT (edge not repeated), 2 = SYMMETRIC (edge repeated). Pads never
// exceed the input size (the shape rule checks it), so one reflection maps every coordinate inside.
// Words are moved raw (any 32-bit dtype). Uniforms: u(1) = count; u(2..9) output shape;
// u(10..17) input shape; u(18..25) padding before each axis; u(26) fill value bits.
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * u(0u);
  if (i >= u(1u)) { return; }
  var rem = i;
  var src = 0u;
  var stride = 1u;
  var inside = true;
  for (var k = 7u; k < 8u; k = k - 1u) {  // k wraps below 0 to end the loop
    let d = u(2u + k);
    let c = rem % d;
    rem = rem / d;
    let n = i32(u(10u + k));
    var j = i32(c) - i32(u(18u + k));
    if ({{MODE}} == 0) {
      if (j < 0 || j >= n) { inside = false; }
    } else if ({{MODE}} == 1) {
      if (j < 0) { j = -j; }
      if (j >= n) { j = 2 * (n - 1) - j; }
    } else {
      if (j < 0) { j = -j - 1; }
      if (j >= n) { j = 2 * n - 1 - j; }
    }
    src = src + u32(max(j, 0)) * stride;
    stride = stride * u32(n);
  }
  if (inside) {
    out[i] = x[src];
  } else {
    out[i] = u(26u);
  }
}
