// einsum by index loops: one invocation per output element sums the product of the operands over
// every combination of the contracted letters. Letters are numbered output letters first, then
// contracted ones (innermost first within each group).
// Uniforms: u(1) = outputs, u(2) = output letters, u(3) = letters, u(4) = contracted combinations,
// u(5..16) = size per letter, u(17..28), u(29..40), u(41..52) = each operand's stride per letter
// (0 where the operand lacks or broadcasts the letter; summed over a repeated letter).
// OPERANDS declares x0.. at bindings 0..count-1; out follows them.
{{OPERANDS}}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x + gid.y * u(0u);
  if (o >= u(1u)) { return; }
  let n_out = u(2u);
  let n_letters = u(3u);
  var rem = o;
  var b0 = 0u;
  var b1 = 0u;
  var b2 = 0u;
  for (var l = 0u; l < n_out; l = l + 1u) {
    let c = rem % u(5u + l);
    rem = rem / u(5u + l);
    b0 = b0 + c * u(17u + l);
    b1 = b1 + c * u(29u + l);
    b2 = b2 + c * u(41u + l);
  }
  var acc: {{T}} = {{ZERO}};
  for (var s = 0u; s < u(4u); s = s + 1u) {
    var q = s;
    var o0 = b0;
    var o1 = b1;
    var o2 = b2;
    for (var l = n_out; l < n_letters; l = l + 1u) {
      let c = q % u(5u + l);
      q = q / u(5u + l);
      o0 = o0 + c * u(17u + l);
      o1 = o1 + c * u(29u + l);
      o2 = o2 + c * u(41u + l);
    }
    acc = acc + {{PRODUCT}};
  }
  out[o] = acc;
}
