"""The generated WGSL kernel of one fused group of elementwise steps (see fusion.py for the grouping).

One invocation per element of the group's shape loads each bound input (by the element index when
it has the group's shape, element 0 when it has one element, else through broadcast strides),
computes every member as a small WGSL function of its inputs, and stores the outputs. Single-element
constants are literals in the text; single-element inputs computed on the CPU (an optimizer's int64
step count cast to float) travel in the uniforms, read fresh each call. Sizes and strides are
uniforms too, so the text (the pipeline key) depends only on members, dtypes, rank and index modes.
"""
from ... import dtypes
from ...core import compiled
from ...core import tensor as _tensor
from .programs import _PRELUDE, broadcast_strides, f32_bits, i32_bits, size_of, source

F32, I32, U32 = "f32", "i32", "u32"
TYPES = {dtypes.float32: F32, dtypes.int32: I32, dtypes.bool: U32, dtypes.uint32: U32}
# inputs these ops read only for their shape: a group passes them in but binds no buffer for them
SHAPE_ONLY = {"zeros_like": (0,), "ones_like": (0,), "broadcast_like": (1,)}
_UNIFORM_READ = {F32: "uf", I32: "ui", U32: "u"}
_BITS = {F32: f32_bits, I32: i32_bits, U32: int}


def value_args(step):
    """The input slots a member reads values from (not only the shape)."""
    skip = SHAPE_ONLY.get(step.op.name, ())
    return [i for p, i in enumerate(step.ins) if p not in skip]


def value_slots(members):
    return {i for s in members for i in value_args(s)}


def broadcast(a, b):
    """numpy broadcasting of static shapes (None = unknown); None when it is not known to succeed."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == y:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        else:
            return None
    return tuple(out)


class FusedKernel:
    """One generated kernel computing a group of elementwise steps; called with the input tensors.

    `ins` are the group's external input slots (tensors arrive in that order), `outs` the member slots
    it writes, `literals` {constant slot: WGSL literal}, `host` the input slots expected on the CPU
    as single elements (passed as uniforms).
    """

    def __init__(self, members, exprs, ins, outs, literals, host, plan):
        self.members = members
        self.exprs = exprs
        self.ins = ins
        self.outs = outs
        self.literals = literals
        values = value_slots(members)
        self.uniform = [j for j, slot in enumerate(ins) if slot in values and slot in host]
        self.bound = [j for j, slot in enumerate(ins) if slot in values and slot not in host]
        self.avals = plan.avals
        self.backend = plan.backend
        self.consts = {slot: plan.consts[slot] for slot in literals}
        self.name = "fused_" + "_".join(s.op.name for s in members)
        self._layouts = {}

    def __repr__(self):
        return f"<FusedKernel {self.name}: {len(self.ins)} inputs, {len(self.outs)} outputs>"

    def __call__(self, tensors):
        backend = self.backend
        shapes = tuple([t._shape for t in tensors])
        handles = []
        for j in self.bound:
            t = tensors[j]
            if t._backend is not backend:  # a value the CPU computed: upload it, as eager execution would
                if t._dtype not in TYPES:
                    return self._one_by_one(tensors)
                handles.append(backend.write(t._backend.read(t._value)))
            else:
                handles.append(t._value)
        layout = self._layouts.get(shapes)
        if layout is None:
            layout = self._layouts[shapes] = self._layout(shapes)
        if layout is False:
            return self._one_by_one(tensors)
        key, source_fn, words, shape, n = layout
        if self.uniform:
            words = list(words)
            for j in self.uniform:
                t = tensors[j]
                if t._backend is backend:  # expected on the CPU but on the GPU: reading it would wait
                    return self._one_by_one(tensors)
                words.append(_BITS[TYPES[t._dtype]](t._value.reshape(())))
        outs = [backend.output(shape, self.avals[o][1]) for o in self.outs]
        if n:
            backend.dispatch(key, source_fn, handles + outs, words, n)
        wrap = _tensor.wrap
        return [wrap(h, backend) for h in outs]

    def _one_by_one(self, tensors):
        vals = dict(zip(self.ins, tensors))
        vals.update({slot: self.consts[slot] for slot in self.literals})
        compiled.run_steps(self.members, vals)
        return [vals[o] for o in self.outs]

    def _layout(self, shapes):
        """(key, source_fn, uniform words, output shape, element count) for these input shapes, or False."""
        shape_of = dict(zip(self.ins, shapes))
        for slot in self.literals:
            shape_of[slot] = self.avals[slot][0]
        for j in self.uniform:
            if size_of(shapes[j]) != 1:
                return False
        for s in self.members:
            shape = ()
            for i in s.ins:
                shape = broadcast(shape, shape_of[i])
                if shape is None:
                    return False
            shape_of[s.outs[0]] = shape
        out_shape = shape_of[self.outs[0]]
        if any(shape_of[o] != out_shape for o in self.outs) or len(out_shape) > 8:
            return False
        for s in self.members:
            if broadcast(shape_of[s.outs[0]], out_shape) != out_shape:
                return False
        rank = len(out_shape)
        n = size_of(out_shape)
        modes, words = [], [n] + list(out_shape)
        for j, shape in enumerate(shapes):
            if j not in self.bound:
                modes.append("none")
            elif tuple(shape) == out_shape:
                modes.append("same")
            elif size_of(shape) == 1:
                modes.append("scalar")
            else:
                modes.append("strided")
            words += broadcast_strides(shape, out_shape) if modes[-1] == "strided" else [0] * rank
        text = self._source(rank, modes)
        return (("fused", text), lambda: text, words, out_shape, n)

    def _source(self, rank, modes):
        avals = self.avals
        var = dict(self.literals)
        lines, decls, funcs = [], [], []
        for b, j in enumerate(self.bound):
            slot, mode = self.ins[j], modes[j]
            t = TYPES[avals[slot][1]]
            decls.append(f"@group(0) @binding({b}) var<storage, read> in{j}: array<{t}>;")
            index = {"same": "i", "scalar": "0u", "strided": f"index_of(i, {2 + rank + rank * j}u)"}[mode]
            lines.append(f"  let x{slot} = in{j}[{index}];")
            var[slot] = f"x{slot}"
        first = 2 + rank + rank * len(self.ins)  # uniform words after the strides: the CPU's scalars
        for q, j in enumerate(self.uniform):
            slot = self.ins[j]
            lines.append(f"  let x{slot} = {_UNIFORM_READ[TYPES[avals[slot][1]]]}({first + q}u);")
            var[slot] = f"x{slot}"
        for m, (s, expr) in enumerate(zip(self.members, self.exprs)):
            value_ins = value_args(s)
            args = [var[i] for i in value_ins]
            out_t = TYPES[avals[s.outs[0]][1]]
            in_ts = [TYPES[avals[i][1]] for i in value_ins]
            names = ["v"] if len(args) == 1 else ["a", "b", "c"][:len(args)]
            sig = ", ".join(f"{p}: {t}" for p, t in zip(names, in_ts))
            funcs.append(f"fn op{m}({sig}) -> {out_t} {{ return {expr}; }}")
            lines.append(f"  let x{s.outs[0]} = op{m}({', '.join(args)});")
            var[s.outs[0]] = f"x{s.outs[0]}"
        for j, slot in enumerate(self.outs):
            b = len(self.bound) + j
            decls.append(f"@group(0) @binding({b}) var<storage, read_write> out{j}: array<{TYPES[avals[slot][1]]}>;")
            lines.append(f"  out{j}[i] = x{slot};")
        prelude = _PRELUDE.replace("%BINDING%", str(len(self.bound) + len(self.outs)))
        index_fn = ""
        if "strided" in modes:
            index_fn = (f"fn index_of(i: u32, strides: u32) -> u32 {{\n  var rem = i;\n  var at = 0u;\n"
                        f"  for (var k = {rank - 1}; k >= 0; k = k - 1) {{\n"
                        f"    let d = u(2u + u32(k));\n    at = at + (rem % d) * u(strides + u32(k));\n"
                        f"    rem = rem / d;\n  }}\n  return at;\n}}\n")
        return "\n".join([prelude, *decls, source("math"), *funcs, index_fn,
                          "@compute @workgroup_size(256)",
                          "fn main(@builtin(global_invocation_id) gid: vec3<u32>) {",
                          "  let i = gid.x + gid.y * u(0u);",
                          "  if (i >= u(1u)) { return; }",
                          *lines, "}"])
