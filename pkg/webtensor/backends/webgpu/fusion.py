"""Fusion of elementwise chains in compiled plans into single generated WGSL kernels.

A compiled Plan (core/compiled.py) is a flat list of steps over numbered slots. This pass finds
maximal groups of elementwise steps (the unary and binary families, casts, where, fills) and
replaces each group of two or more by one step that dispatches one generated kernel: one
invocation per element of the group's shape computes every member in registers, reading each
external input through its broadcast strides and writing only the members whose values are used
outside the group (several outputs when an intermediate escapes).

Which steps may share a group (`fuse`): a group runs where its last member stood, so a group is
closed as soon as a step outside it reads one of its values. Members have the group's static shape,
except members whose values are only used inside the group, which may be smaller (broadcast):
they are recomputed per element of the larger shape. Bindings (inputs plus outputs) stay within
the adapter's storage-buffer limit and the uniforms within one uniform block. At run time a group
whose actual shapes do not fit (a None dimension resolved differently) runs its members one by one.

The kernel text depends on the members, dtypes, rank and how each input is indexed (same shape as
the output, a single element, or broadcast strides), never on sizes: sizes and strides go in the
uniforms, and pipelines are cached by the text.
"""
import numpy as np

from ... import dtypes
from ...core import compiled
from ...core import tensor as _tensor
from . import elementwise
from .programs import (UNIFORM_WORDS, broadcast_strides, f32_bits, size_of, source)

F32, I32, U32 = "f32", "i32", "u32"
_TYPES = {dtypes.float32: F32, dtypes.int32: I32, dtypes.bool: U32, dtypes.uint32: U32}
_FILLS = {"zeros_like": {F32: "0.0", I32: "0", U32: "0u"}, "ones_like": {F32: "1.0", I32: "1", U32: "1u"}}
_PASS = {"identity", "stop_gradient"}
# inputs these ops read only for their shape: a group passes them in but binds no buffer for them
_SHAPE_ONLY = {"zeros_like": (0,), "ones_like": (0,), "broadcast_like": (1,)}
MAX_BINDINGS = 8  # WebGPU's default maxStorageBuffersPerShaderStage


def _member_expr(step, avals):
    """The WGSL expression a fusable step computes (of its inputs a, b, c or v), or None."""
    op, params = step.op, step.params
    if step.kind != compiled._KERNEL or len(step.outs) != 1:
        return None
    name = op.name
    types = [_TYPES.get(avals[i][1]) for i in step.ins]
    out = _TYPES.get(avals[step.outs[0]][1])
    if out is None or None in types or len(avals[step.outs[0]][0]) > 8:
        return None
    if name in elementwise.UNARY and (not params or name == "leaky_relu"):
        expr = elementwise.UNARY[name].get(types[0])
        if expr is None or elementwise._out_type(name, types[0]) != out:
            return None
        if name == "leaky_relu":
            expr = expr.replace("uf(2u)", f"bitcast<f32>({f32_bits(params['alpha'])}u)")
        return expr
    if name in elementwise.BINARY and not params:
        expr = elementwise.BINARY[name].get(types[0])
        if expr is None or types[0] != types[1] or elementwise._out_type(name, types[0]) != out:
            return None
        return expr
    if name in _PASS and types[0] == out:
        return "v"
    if name == "cast":
        src = types[0]
        if avals[step.outs[0]][1] is dtypes.bool:
            return {F32: "select(0u, 1u, v != 0.0)", I32: "select(0u, 1u, v != 0)", U32: "select(0u, 1u, v != 0u)"}[src]
        return elementwise._CASTS.get((src, out))
    if name in _FILLS:
        return _FILLS[name][out]
    if name == "broadcast_like" and types[0] == out:
        return "v"
    if name == "where" and types[0] == U32 and types[1] == types[2] == out:
        return "select(c, b, a != 0u)"
    return None


class _Group:
    __slots__ = ("members", "shape", "open", "last", "deferred")

    def __init__(self, k, shape):
        self.members = [k]
        self.deferred = []  # assign steps that run right after the group
        self.shape = shape
        self.open = True
        self.last = k


def fuse(steps, plan):
    """Returns (steps with fused groups replaced by single steps, number of groups fused)."""
    avals = plan.avals
    exprs = [_member_expr(s, avals) for s in steps]
    consumers = {}
    for k, s in enumerate(steps):
        for i in s.ins:
            consumers.setdefault(i, []).append(k)
    for s in plan.outputs:
        consumers.setdefault(s, []).append(-1)  # a plan output is used outside every group
    limit = min(MAX_BINDINGS, getattr(plan.backend.adapter, "max_storage_buffers", MAX_BINDINGS))
    literals = _literals(plan)

    def s_shape(step):
        return avals[step.outs[0]][0]

    group_of = {}   # step index -> _Group
    producer = {}   # slot -> step index
    deferred = {}   # id(variable) -> the open group whose value an assign of it waits for
    for k, s in enumerate(steps):
        for o in s.outs:
            producer[o] = k
        if s.var is not None:  # a read or write of a variable whose assign waits must see it done
            waiting = deferred.pop(id(s.var), None)
            if waiting is not None:
                group_of[waiting].open = False
        open_producers = []
        for i in s.ins:
            p = producer.get(i)
            g = group_of.get(p) if p is not None else None
            if g is not None and g.open and g not in open_producers:
                open_producers.append(g)
        if s.kind == compiled._ASSIGN and len(open_producers) == 1:
            # the assign moves to just after its group, so the group can keep growing past it
            g = open_producers[0]
            g.deferred.append(k)
            group_of[k] = g
            deferred[id(s.var)] = k
            continue
        joined = None
        if exprs[k] is not None and open_producers:
            # all the groups it reads from, else the one of its own shape (the others then run before it)
            tries = [open_producers] + [[g] for g in sorted(open_producers, key=lambda g: g.shape != s_shape(s))]
            for producers in tries:
                joined = _join(k, s, producers, steps, avals, consumers, literals, limit)
                if joined is not None:
                    break
        for g in open_producers:  # the groups it reads from and did not join must run before it
            if g is not joined:
                g.open = False
        if joined is None:
            if exprs[k] is not None:
                group_of[k] = _Group(k, avals[s.outs[0]][0])
        else:
            for m in joined.members + joined.deferred:
                group_of[m] = joined
    out, fused, seen = [], 0, set()
    for k, s in enumerate(steps):
        g = group_of.get(k)
        if g is None:
            out.append(s)
        elif k == g.last and id(g) not in seen:
            seen.add(id(g))
            if len(g.members) < 2:
                out.append(s)
            else:
                out.append(_fused_step(g, steps, exprs, consumers, literals, plan))
                fused += 1
            out.extend(steps[d] for d in g.deferred)
        elif len(g.members) < 2 and k in g.members:
            out.append(s)
    return out, fused


def _literals(plan):
    """{slot: WGSL literal} for the plan's single-element constants: written into kernels, not bound."""
    out = {}
    for slot, t in plan.consts.items():
        shape, dtype = plan.avals[slot]
        wgsl = _TYPES.get(dtype)
        if wgsl is None or size_of(shape) != 1 or not hasattr(t, "numpy"):
            continue
        host = getattr(t._value, "host", None)  # the copy a small upload keeps: no wait for the GPU
        value = (host if host is not None else t.numpy()).reshape(())
        if wgsl == F32:
            if not np.isfinite(value):  # NOTE: Tint evaluates bitcast<f32>(literal) and rejects inf and nan
                continue
            out[slot] = f"bitcast<f32>({f32_bits(value)}u)"
        elif wgsl == I32:
            out[slot] = f"i32({int(value)})"
        else:
            out[slot] = f"{int(value)}u"
    return out


def _join(k, s, producers, steps, avals, consumers, literals, limit):
    """The group step k forms with the open groups it reads from, or None when it may not join them."""
    if not producers:
        return None
    shape = avals[s.outs[0]][0]
    members = [k]
    for g in producers:
        members += g.members
    member_set = set(members)
    for g in producers:
        if g.shape == shape:
            continue
        if _broadcast(g.shape, shape) != shape:
            return None
        for m in g.members:  # a smaller member is recomputed per element: its value may not escape
            for o in steps[m].outs:
                if any(c not in member_set for c in consumers.get(o, ())):
                    return None
    ins, outs = _boundary(sorted(members), steps, consumers, member_set, literals)
    values = _value_slots([steps[m] for m in members])
    if len([i for i in ins if i in values]) + len(outs) > limit or 2 + len(shape) * (1 + len(ins)) > UNIFORM_WORDS - 1:
        return None
    merged = producers[0]
    merged.members = sorted(members)
    merged.shape = shape
    merged.last = k
    for g in producers[1:]:
        merged.deferred += g.deferred
        g.open = False
        g.members = []
        g.deferred = []
    merged.deferred.sort()
    return merged


def _value_args(step):
    """The input slots a member reads values from (not only the shape)."""
    skip = _SHAPE_ONLY.get(step.op.name, ())
    return [i for p, i in enumerate(step.ins) if p not in skip]


def _value_slots(members):
    return {i for s in members for i in _value_args(s)}


def _boundary(members, steps, consumers, member_set, literals):
    """(external input slots, escaping output slots) of a set of member steps, in first-use order."""
    produced = set(literals)
    for m in members:
        produced.update(steps[m].outs)
    ins = []
    for m in members:
        for i in steps[m].ins:
            if i not in produced and i not in ins:
                ins.append(i)
    outs = [o for m in members for o in steps[m].outs
            if any(c not in member_set for c in consumers.get(o, ()))]
    return ins, outs


def _broadcast(a, b):
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


def _fused_step(g, steps, exprs, consumers, literals, plan):
    members = [steps[m] for m in g.members]
    ins, outs = _boundary(g.members, steps, consumers, set(g.members), literals)
    used = {i: literals[i] for m in members for i in m.ins if i in literals}
    kernel = FusedKernel(members, [exprs[m] for m in g.members], ins, outs, used, plan)
    return compiled.Step(compiled._CALL, None, None, tuple(ins), tuple(outs), fn=kernel)


class FusedKernel:
    """One generated kernel computing a group of elementwise steps; called with the input tensors."""

    def __init__(self, members, exprs, ins, outs, literals, plan):
        self.members = members
        self.literals = literals  # constant slot -> WGSL literal
        self.exprs = exprs
        self.ins = ins
        values = _value_slots(members)
        self.bound = [j for j, slot in enumerate(ins) if slot in values]  # inputs with a buffer binding
        self.outs = outs
        self.avals = plan.avals
        self.backend = plan.backend
        self.consts = {slot: plan.consts[slot] for slot in literals}
        self.name = "fused_" + "_".join(s.op.name for s in members)
        self._layouts = {}

    def __repr__(self):
        return f"<FusedKernel {self.name}: {len(self.ins)} inputs, {len(self.outs)} outputs>"

    def __call__(self, tensors):
        backend = self.backend
        shapes = []
        for t in tensors:
            shapes.append(t._shape)
        shapes = tuple(shapes)
        handles = []
        for j in self.bound:
            t = tensors[j]
            if t._backend is not backend:  # e.g. a cast of an int64 step counter, computed on the CPU
                if t._dtype not in _TYPES:
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
        try:
            for s in self.members:
                shape = ()
                for i in s.ins:
                    shape = _broadcast(shape, shape_of[i])
                    if shape is None:
                        return False
                shape_of[s.outs[0]] = shape
        except KeyError:
            return False
        out_shape = shape_of[self.outs[0]]
        if any(shape_of[o] != out_shape for o in self.outs) or len(out_shape) > 8:
            return False
        for s in self.members:
            if _broadcast(shape_of[s.outs[0]], out_shape) != out_shape:
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
            t = _TYPES[avals[slot][1]]
            decls.append(f"@group(0) @binding({b}) var<storage, read> in{j}: array<{t}>;")
            index = {"same": "i", "scalar": "0u", "strided": f"index_of(i, {2 + rank + rank * j}u)"}[mode]
            lines.append(f"  let x{slot} = in{j}[{index}];")
            var[slot] = f"x{slot}"
        for m, (s, expr) in enumerate(zip(self.members, self.exprs)):
            value_ins = _value_args(s)
            args = [var[i] for i in value_ins]
            out_t = _TYPES[avals[s.outs[0]][1]]
            in_ts = [_TYPES[avals[i][1]] for i in value_ins]
            names = ["v"] if len(args) == 1 else ["a", "b", "c"][:len(args)]
            sig = ", ".join(f"{p}: {t}" for p, t in zip(names, in_ts))
            funcs.append(f"fn op{m}({sig}) -> {out_t} {{ return {expr}; }}")
            lines.append(f"  let x{s.outs[0]} = op{m}({', '.join(args)});")
            var[s.outs[0]] = f"x{s.outs[0]}"
        for j, slot in enumerate(self.outs):
            b = len(self.bound) + j
            decls.append(f"@group(0) @binding({b}) var<storage, read_write> out{j}: array<{_TYPES[avals[slot][1]]}>;")
            lines.append(f"  out{j}[i] = x{slot};")
        binding = len(self.bound) + len(self.outs)
        prelude = _prelude(binding)
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


def _prelude(binding):
    from .programs import _PRELUDE
    return _PRELUDE.replace("%BINDING%", str(binding))
