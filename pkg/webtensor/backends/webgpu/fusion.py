"""Fusion of elementwise chains in compiled plans into single generated WGSL kernels.

A compiled Plan (core/compiled.py) is a flat list of steps over numbered slots. This pass finds
maximal groups of elementwise steps (the unary and binary families, comparisons, casts, where,
fills, broadcast_like) and replaces each group of two or more by one step that dispatches one
generated kernel (fused_kernel.py): every member is computed in registers per element of the
group's shape, and only the members whose values are used outside the group are written (several
outputs when an intermediate escapes).

Which steps may share a group: a group runs where its last member stood, so it is closed as soon
as a step outside it reads one of its values; an assign of one of its values instead moves to just
after the group (unless the variable is read or written in between), so an optimizer's update of
m, v and the variable stays one kernel. Members have the group's static shape, except members whose
values are only used inside the group, which may be smaller (broadcast): they are recomputed per
element of the larger shape. Bound buffers (inputs plus outputs) stay within WebGPU's default 8
storage buffers per stage: single-element constants become literals, single-element values the CPU
computed become uniforms, and inputs read only for their shape bind nothing. At run time a group
whose actual shapes do not fit (a None dimension resolved differently) runs its members one by one.
"""
import numpy as np

from ... import dtypes
from ...core import compiled
from . import elementwise
from .backend import STORAGE_TYPES
from .fused_kernel import F32, I32, U32, FusedKernel, broadcast, value_slots
from .fused_kernel import TYPES as _TYPES
from .programs import UNIFORM_WORDS, f32_bits, size_of

_FILLS = {"zeros_like": {F32: "0.0", I32: "0", U32: "0u"}, "ones_like": {F32: "1.0", I32: "1", U32: "1u"}}
_PASS = {"identity", "stop_gradient"}
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
    return _Fusion(steps, plan).run()


class _Fusion:
    """One pass over a plan's steps, in order, growing groups (see the module docstring for the rules)."""

    def __init__(self, steps, plan):
        self.steps = steps
        self.plan = plan
        self.avals = avals = plan.avals
        self.exprs = [_member_expr(s, avals) for s in steps]
        self.consumers = {}
        for k, s in enumerate(steps):
            for i in s.ins:
                self.consumers.setdefault(i, []).append(k)
        for s in plan.outputs:
            self.consumers.setdefault(s, []).append(-1)  # a plan output is used outside every group
        self.limit = min(MAX_BINDINGS, getattr(plan.backend.adapter, "max_storage_buffers", MAX_BINDINGS))
        self.literals = _literals(plan)
        self.host = _host_scalars(steps, avals)

    def run(self):
        steps, avals = self.steps, self.avals
        group_of = {}   # step index -> _Group
        producer = {}   # slot -> step index
        deferred = {}   # id(variable) -> index of an assign of it that waits for its group
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
            if self.exprs[k] is not None and open_producers:
                # all the groups it reads from, else one of them (its own shape first; the others run before it)
                shape = avals[s.outs[0]][0]
                tries = [open_producers] + [[g] for g in sorted(open_producers, key=lambda g: g.shape != shape)]
                for producers in tries:
                    joined = self._join(k, producers)
                    if joined is not None:
                        break
            for g in open_producers:  # the groups it reads from and did not join must run before it
                if g is not joined:
                    g.open = False
            if joined is None:
                if self.exprs[k] is not None:
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
                    out.append(self._fused_step(g))
                    fused += 1
                out.extend(steps[d] for d in g.deferred)
            elif len(g.members) < 2 and k in g.members:
                out.append(s)
        return out, fused

    def _join(self, k, producers):
        """The group step k forms with these open groups it reads from, or None when it may not join them."""
        steps = self.steps
        shape = self.avals[steps[k].outs[0]][0]
        members = [k]
        for g in producers:
            members += g.members
        member_set = set(members)
        for g in producers:
            if g.shape == shape:
                continue
            if broadcast(g.shape, shape) != shape:
                return None
            for m in g.members:  # a smaller member is recomputed per element: its value may not escape
                for o in steps[m].outs:
                    if any(c not in member_set for c in self.consumers.get(o, ())):
                        return None
        ins, outs = self._boundary(sorted(members))
        values = value_slots([steps[m] for m in members])
        bound = [i for i in ins if i in values and i not in self.host]
        words = 2 + len(shape) * (1 + len(ins)) + len(ins) - len(bound)
        if len(bound) + len(outs) > self.limit or words > UNIFORM_WORDS:
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

    def _boundary(self, members):
        """(external input slots, escaping output slots) of a set of member steps, in first-use order."""
        steps = self.steps
        produced = set(self.literals)
        for m in members:
            produced.update(steps[m].outs)
        ins = []
        for m in members:
            for i in steps[m].ins:
                if i not in produced and i not in ins:
                    ins.append(i)
        member_set = set(members)
        outs = [o for m in members for o in steps[m].outs
                if any(c not in member_set for c in self.consumers.get(o, ()))]
        return ins, outs

    def _fused_step(self, g):
        members = [self.steps[m] for m in g.members]
        ins, outs = self._boundary(g.members)
        literals = {i: self.literals[i] for m in members for i in m.ins if i in self.literals}
        kernel = FusedKernel(members, [self.exprs[m] for m in g.members], ins, outs, literals, self.host, self.plan)
        return compiled.Step(compiled._CALL, None, None, tuple(ins), tuple(outs), fn=kernel)


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


def _host_scalars(steps, avals):
    """Single-element slots that steps compute on the CPU because an input's dtype has no GPU storage
    (an optimizer's int64 step count, cast to float32): fused kernels take them as uniforms."""
    out = set()
    for s in steps:
        if s.kind != compiled._KERNEL or len(s.outs) != 1:
            continue
        shape, dtype = avals[s.outs[0]]
        if dtype in _TYPES and None not in shape and size_of(shape) == 1 and \
                any(avals[i][1] not in STORAGE_TYPES for i in s.ins):
            out.add(s.outs[0])
    return out
