"""Compiled replay of a traced Graph: a flat list of kernel calls over numbered slots.

Replaying a Graph node by node through `bind` is general (tapes record it, an
enclosing trace inlines it) but pays for dispatch on every node. When nothing
needs to observe the individual ops (no tape is recording, we are not tracing),
a Plan runs the same nodes as straight kernel calls on backend handles:
constants are bound once, dead nodes are dropped, variables are read and
written directly. Issue-level fusion of elementwise chains builds on this.
"""
import numpy as np

from . import registry
from . import tensor as _tensor

_CONSTANT, _KERNEL, _READ, _ASSIGN = range(4)
_ASSIGN_KERNELS = {"assign_add": "add", "assign_sub": "subtract"}


class Unsupported(Exception):
    """The graph holds a node a Plan cannot run (e.g. control flow); use the general replay."""


class Plan:
    """Executable form of a Graph for one backend."""

    def __init__(self, graph, backend):
        if backend.name != "numpy":  # other backends replay op by op until issue-8 fusion plans them
            raise Unsupported(f"compiled plans run numpy kernels; {backend.name} replays node by node")
        self.backend = backend
        self.graph = graph
        slot_of = {}
        self.consts = {}
        for i, t in enumerate(graph.inputs):
            slot_of[id(t)] = i
        nslots = len(graph.inputs)
        self.n_inputs = nslots
        capture_slots = []
        for _, inner in graph.captures:
            slot_of[id(inner)] = nslots
            capture_slots.append(nslots)
            nslots += 1
        self.capture_slots = capture_slots
        live = _live_nodes(graph)
        steps = []
        for node in graph.nodes:
            name = node.op.name
            if name == "placeholder" or id(node) not in live:
                continue
            outs = []
            for o in node.outputs:
                slot_of[id(o)] = nslots
                outs.append(nslots)
                nslots += 1
            ins = tuple(slot_of[id(i)] for i in node.inputs)
            if name == "constant":
                value = node.params["value"]
                if value._backend is not backend:
                    raise Unsupported("constant on another backend")
                self.consts[outs[0]] = value._value
            elif name == "read_variable":
                steps.append((_READ, node.params["variable"], ins, outs[0], node))
            elif name == "assign_variable":
                mode = node.params["mode"]
                kernel = registry.OPS[_ASSIGN_KERNELS[mode]].kernel if mode in _ASSIGN_KERNELS else None
                steps.append((_ASSIGN, node.params["variable"], ins, kernel, node))
            elif node.op.kernel is None:
                raise Unsupported(f"{name} has no kernel")
            else:
                multi = registry.num_outputs(node.op, node.params) != 1
                steps.append((_KERNEL, node.op.kernel, ins, tuple(outs) if multi else outs[0], node))
        self.steps = steps
        self.nslots = nslots
        self.outputs = [slot_of[id(o)] for o in graph.outputs]

    def run(self, tensors, captured):
        """Runs the plan on input tensors (on this plan's backend); returns output tensors."""
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
                kind, what, ins, out, _ = step
                if kind == _KERNEL:
                    res = what(*[vals[i] for i in ins], **step[4].params)
                    if type(out) is tuple:
                        for o, r in zip(out, res):
                            vals[o] = r
                    else:
                        vals[out] = res if type(res) is np.ndarray else np.asarray(res)
                elif kind == _READ:
                    value = what._value
                    if value._backend is not backend:
                        value = _tensor.wrap(backend.write(value._backend.read(value._value)), backend)
                    vals[out] = value._value
                else:
                    new = vals[ins[0]]
                    if out is not None:
                        new = out(what._value._value, new)
                    what._set(_tensor.wrap(new, backend))
        except Exception as e:  # name the failing op the way eager execution would
            if step is None or step[0] != _KERNEL:
                raise
            node = step[4]
            inputs = [_tensor.wrap(np.asarray(vals[i]), backend) for i in step[2]]
            raise registry.explain_failure(node.op, inputs, node.params, e) from e
        wrap = _tensor.wrap
        return [wrap(vals[s] if type(vals[s]) is np.ndarray else np.asarray(vals[s]), backend)
                for s in self.outputs]


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


