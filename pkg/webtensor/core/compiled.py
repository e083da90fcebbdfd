"""Compiled replay of a traced Graph: a flat list of kernel calls over numbered slots.

Replaying a Graph node by node through `bind` is general (tapes record it, an
enclosing trace inlines it) but pays for dispatch on every node. When nothing
needs to observe the individual ops (no tape is recording, we are not tracing),
a Plan runs the same nodes as straight kernel calls: constants are bound once
(and nodes computed from constants alone are folded into constants), dead nodes
are dropped, variables are read and written directly.

On numpy the slots hold arrays and steps call the ops' numpy kernels. On the
webgpu backend the slots hold tensors and steps go straight to `execute` (soft
placement and error messages as in eager mode), after a fusion pass
(backends/webgpu/fusion.py) has replaced chains of elementwise steps by single
generated kernels.
"""
import os

import numpy as np

from . import registry
from . import tensor as _tensor

_KERNEL, _READ, _ASSIGN, _CALL = range(4)
_ASSIGN_KERNELS = {"assign_add": "add", "assign_sub": "subtract"}
# Backends whose plans run through `execute`; the numpy plan calls kernels itself.
_DEVICE_PLANS = ("webgpu",)
_FILLS = {"ones_like": np.ones, "zeros_like": np.zeros}  # single-element fills of a known shape fold too
_FOLD_LIMIT = 1 << 16  # elements: larger results of constant folding would cost memory for little gain


class Unsupported(Exception):
    """The graph holds a node a Plan cannot run (e.g. control flow); use the general replay."""


options = {}  # tf.config.optimizer.set_experimental_options


def fusion_enabled():
    """Whether plans fuse elementwise chains (tf.config.optimizer's "remapping" option; the environment
    variable WEBTENSOR_FUSION=0 turns it off too)."""
    return options.get("remapping", True) and os.environ.get("WEBTENSOR_FUSION", "1") != "0"


class Step:
    """One call of a plan: `kind` says how; `ins`/`outs` are slot numbers.

    For _KERNEL steps `fn` is the op's numpy kernel (numpy plans) or None (device plans run the op
    through `execute`); for _CALL steps `fn(tensors) -> tensors` (a fused kernel); _READ/_ASSIGN steps
    carry the variable in `var`.
    """

    __slots__ = ("kind", "op", "params", "ins", "outs", "node", "fn", "var", "drop", "buffers")

    def __init__(self, kind, op, params, ins, outs, node=None, fn=None, var=None):
        self.kind = kind
        self.op = op
        self.params = params
        self.ins = ins
        self.outs = outs
        self.node = node
        self.fn = fn
        self.var = var
        self.drop = ()  # slots whose last use is this step (device plans release them after it)
        self.buffers = []  # device plans: the buffers this step's outputs got last time, in reverse order

    def __repr__(self):
        name = self.op.name if self.op is not None else getattr(self.fn, "name", "call")
        return f"<Step {name} {self.ins}->{self.outs}>"


class Plan:
    """Executable form of a Graph for one backend."""

    def __init__(self, graph, backend):
        self.device = backend.name != "numpy"
        if self.device and backend.name not in _DEVICE_PLANS:
            raise Unsupported(f"compiled plans run on numpy and webgpu; {backend.name} replays node by node")
        self.backend = backend
        self.graph = graph
        self.consts = {}
        self.avals = []           # (static shape, dtype) of each slot, for the fusion pass
        slot_of = {}
        for t in graph.inputs:
            slot_of[id(t)] = self._new_slot(t._shape, t._dtype)
        self.n_inputs = len(graph.inputs)
        self.capture_slots = []
        for _, inner in graph.captures:
            slot_of[id(inner)] = s = self._new_slot(inner._shape, inner._dtype)
            self.capture_slots.append(s)
        live = _live_nodes(graph)
        steps = []
        # device plans: id(variable) -> the slot holding its value since the last read or assign of it
        self._known = {}
        for node in graph.nodes:
            name = node.op.name
            if name == "placeholder" or id(node) not in live:
                continue
            if node.op.stateful and name not in ("read_variable", "assign_variable"):
                self._known.clear()  # e.g. a py_function: it might assign variables itself
            outs = tuple(self._new_slot(o._shape, o._dtype) for o in node.outputs)
            for o, s in zip(node.outputs, outs):
                slot_of[id(o)] = s
            ins = tuple(slot_of[id(i)] for i in node.inputs)
            if name == "constant":
                self.consts[outs[0]] = self._constant(node.params["value"])
            elif name == "read_variable" and id(node.params["variable"]) in self._known:
                # NOTE: a second read, or a read after an assign, is the value already in a slot: forwarding
                # it lets an optimizer's m.assign_add(...) then m chain fuse into one kernel with one load of m
                slot_of[id(node.outputs[0])] = self._known[id(node.params["variable"])]
            elif name == "read_variable":
                steps.append(Step(_READ, node.op, None, ins, outs, node, var=node.params["variable"]))
                if self.device:
                    self._known[id(node.params["variable"])] = outs[0]
            elif name == "assign_variable":
                steps.extend(self._assign(node, ins))
            elif node.op.kernel is None:
                raise Unsupported(f"{name} has no kernel")
            elif not self._fold(node, ins, outs):
                fn = None if self.device else node.op.kernel
                steps.append(Step(_KERNEL, node.op, node.params, ins, outs, node, fn=fn))
        self.outputs = [slot_of[id(o)] for o in graph.outputs]
        self.fused = 0
        if self.device and fusion_enabled():
            from ..backends.webgpu import fusion
            steps, self.fused = fusion.fuse(steps, self)
        self.steps = steps
        if self.device:
            self._plan_lifetimes()

    def _new_slot(self, shape, dtype):
        self.avals.append((tuple(shape), dtype))
        return len(self.avals) - 1

    @property
    def nslots(self):
        return len(self.avals)

    def _constant(self, value):
        """A constant's slot value: the array (numpy plans) or a tensor on the plan's backend when it can hold it."""
        backend = self.backend
        if not self.device:
            if value._backend is not backend:
                raise Unsupported("constant on another backend")
            return value._value
        if value._backend is backend or not backend.can_hold(value._dtype):
            return value
        return _tensor.wrap(backend.write(value._backend.read(value._value)), backend)

    def _fold(self, node, ins, outs):
        """Computes a node whose inputs are all constants once, at build time (device plans: e.g. the
        `range` of a loss, whose host-read inputs would otherwise wait for the GPU every step)."""
        if self.device and node.op.name in _FILLS and len(outs) == 1:
            shape, dtype = self.avals[outs[0]]
            if None not in shape and int(np.prod(shape)) == 1 and self.backend.can_hold(dtype):
                value = _FILLS[node.op.name](shape, dtype.as_numpy_dtype)
                self.consts[outs[0]] = _tensor.wrap(self.backend.write(value), self.backend)
                return True
        if not self.device or node.op.stateful or not ins or any(i not in self.consts for i in ins):
            return False
        if any(None in o._shape or int(np.prod(o._shape)) > _FOLD_LIMIT for o in node.outputs):
            return False
        try:
            res = registry.execute(node.op, [self.consts[i] for i in ins], node.params)
        except Exception:  # let the step raise at run time, as eager execution would
            return False
        res = res if type(res) is tuple else (res,)
        for s, r in zip(outs, res):
            self.consts[s] = r
        return True

    def _assign(self, node, ins):
        var, mode = node.params["variable"], node.params["mode"]
        if mode not in _ASSIGN_KERNELS:
            if self.device:
                self._known[id(var)] = ins[0]
            return [Step(_ASSIGN, None, None, ins, (), node, var=var)]
        if not self.device:
            return [Step(_ASSIGN, None, None, ins, (), node, fn=registry.OPS[_ASSIGN_KERNELS[mode]].kernel, var=var)]
        # device plans: read, add/subtract, assign, so the update's arithmetic can fuse with what computes it
        value = node.inputs[0]
        new = self._new_slot(value._shape, value._dtype)
        op = registry.OPS[_ASSIGN_KERNELS[mode]]
        steps = []
        old = self._known.get(id(var))
        if old is None:
            old = self._new_slot(value._shape, value._dtype)
            steps.append(Step(_READ, registry.OPS["read_variable"], None, (), (old,), node, var=var))
        self._known[id(var)] = new
        return steps + [Step(_KERNEL, op, {}, (old, ins[0]), (new,), node),
                        Step(_ASSIGN, None, None, (new,), (), node, var=var)]

    def kernels(self):
        """The plan's kernel calls in order: [{"kernel": name, "nodes": [graph node names]}]; a fused
        kernel lists every node it computes (for views of what the compiler fused)."""
        out = []
        for step in self.steps:
            if step.kind == _KERNEL:
                out.append({"kernel": step.op.name, "nodes": [step.node.name]})
            elif step.kind == _CALL:
                members = getattr(step.fn, "members", ())
                out.append({"kernel": getattr(step.fn, "name", "call"), "nodes": [m.node.name for m in members]})
        return out

    def _plan_lifetimes(self):
        """Marks each step with the slots it reads for the last time. Releasing them there lets the buffer
        pool hand the same buffers to the same steps every call (so cached bind groups are found again)
        and bounds memory by the live set instead of the whole step."""
        keep = set(self.outputs) | set(self.consts)
        last = {}
        for k, step in enumerate(self.steps):
            for i in step.ins:
                last[i] = k
            for o in step.outs:
                last.setdefault(o, k)  # a value nothing reads is released right away
        drops = [[] for _ in self.steps]
        for slot, k in last.items():
            if slot not in keep:
                drops[k].append(slot)
        for step, drop in zip(self.steps, drops):
            step.drop = tuple(drop)

    def run(self, tensors, captured):
        """Runs the plan on input tensors (on this plan's backend); returns output tensors."""
        if self.device:
            return self._run_device(tensors, captured)
        vals = [None] * self.nslots
        for i, t in enumerate(tensors):
            vals[i] = t._value
        for slot, t in zip(self.capture_slots, captured):
            vals[slot] = t._value
        for slot, v in self.consts.items():
            vals[slot] = v
        backend = self.backend
        step = None
        try:
            for step in self.steps:
                kind = step.kind
                if kind == _KERNEL:
                    res = step.fn(*[vals[i] for i in step.ins], **step.params)
                    outs = step.outs
                    if len(outs) == 1:
                        vals[outs[0]] = res if type(res) is np.ndarray else np.asarray(res)
                    else:
                        for o, r in zip(outs, res):
                            vals[o] = r
                elif kind == _READ:
                    value = step.var._value
                    if value._backend is not backend:
                        value = _tensor.wrap(backend.write(value._backend.read(value._value)), backend)
                    vals[step.outs[0]] = value._value
                else:
                    new = vals[step.ins[0]]
                    if step.fn is not None:
                        new = step.fn(step.var._value._value, new)
                    step.var._set(_tensor.wrap(new, backend))
        except Exception as e:  # name the failing op the way eager execution would
            if step is None or step.kind != _KERNEL:
                raise
            inputs = [_tensor.wrap(np.asarray(vals[i]), backend) for i in step.ins]
            raise registry.explain_failure(step.op, inputs, step.params, e) from e
        wrap = _tensor.wrap
        return [wrap(vals[s] if type(vals[s]) is np.ndarray else np.asarray(vals[s]), backend)
                for s in self.outputs]

    def _run_device(self, tensors, captured):
        vals = [None] * self.nslots
        vals[:len(tensors)] = tensors
        for slot, t in zip(self.capture_slots, captured):
            vals[slot] = t
        for slot, v in self.consts.items():
            vals[slot] = v
        execute = registry.execute
        backend = self.backend
        try:
            for step in self.steps:
                kind = step.kind
                if kind == _KERNEL or kind == _CALL:
                    backend.preferred = step.buffers
                    backend.allocated = got = []
                    if kind == _KERNEL:
                        res = execute(step.op, [vals[i] for i in step.ins], step.params)
                        outs = step.outs
                        if len(outs) == 1:
                            vals[outs[0]] = res
                        else:
                            for o, r in zip(outs, res):
                                vals[o] = r
                    else:
                        for o, r in zip(step.outs, step.fn([vals[i] for i in step.ins])):
                            vals[o] = r
                    got.reverse()
                    step.buffers = got
                elif kind == _READ:
                    vals[step.outs[0]] = step.var._value
                else:
                    step.var._set(vals[step.ins[0]])
                for i in step.drop:
                    vals[i] = None
        finally:
            backend.preferred = backend.allocated = None
        return [vals[s] for s in self.outputs]


def run_steps(steps, vals):
    """Runs _KERNEL steps of a device plan on slot values (a fused step's fallback when it cannot dispatch)."""
    for step in steps:
        res = registry.execute(step.op, [vals[i] for i in step.ins], step.params)
        if len(step.outs) == 1:
            vals[step.outs[0]] = res
        else:
            for o, r in zip(step.outs, res):
                vals[o] = r


def _live_nodes(graph):
    """Nodes that reach an output or have side effects (variable writes, stateful ops)."""
    producer = {}
    for node in graph.nodes:
        for o in node.outputs:
            producer[id(o)] = node
    live = set()
    stack = [producer[id(o)] for o in graph.outputs if id(o) in producer]
    stack += [n for n in graph.nodes if n.op.stateful and n.op.name != "read_variable"]
    while stack:
        node = stack.pop()
        if id(node) in live:
            continue
        live.add(id(node))
        for i in node.inputs:
            p = producer.get(id(i))
            if p is not None and id(p) not in live:
                stack.append(p)
    return live
