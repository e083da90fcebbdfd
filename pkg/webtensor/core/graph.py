"""The Graph IR that tf.function records: nodes of (op, inputs, params, outputs), in execution order.

A Graph is replayed by binding each node's op again, so a replay runs eagerly,
is recorded by GradientTapes, or is inlined into an enclosing trace, all by the
same code. Special ops (placeholder, constant, variable read/assign, control
flow) carry a `replay` rule instead of a kernel.
"""
import json

import numpy as np

from .. import errors
from ..tensor_shape import TensorShape
from . import registry
from .registry import OPS, defop
from .state import state
from .tensor import SymbolicTensor, Tensor

_new = object.__new__


class Node:
    """One op in a Graph. Gradient rules read it exactly like an eager tape entry."""

    __slots__ = ("graph", "name", "op", "inputs", "params", "outputs")

    def __init__(self, graph, name, op, inputs, params):
        self.graph = graph
        self.name = name
        self.op = op
        self.inputs = inputs
        self.params = params
        self.outputs = None

    @property
    def type(self):
        return self.op.name

    def get_attr(self, key):
        return self.params[key]

    def needs_grad(self, i):
        return True

    def __repr__(self):
        return f"<Node {self.name} op={self.op.name}>"


class Graph:
    """A traced computation: placeholders in, nodes in order, outputs out."""

    def __init__(self, name="graph", outer=None):
        self.name = name
        self.outer = outer          # the graph being traced when this one started (for nested captures)
        self.nodes = []
        self.inputs = []            # placeholder tensors, one per flat tensor argument
        self.outputs = []
        self.captures = []          # (outer tensor, inner placeholder) pairs for values from outside
        self._capture_ids = {}
        self.variables = {}         # id(variable) -> variable read or written here
        self._names = {}

    # -- building ----------------------------------------------------------------------------------

    def unique_name(self, base):
        scope = "/".join(state.scope)
        full = f"{scope}/{base}" if scope else base
        n = self._names.get(full, 0)
        self._names[full] = n + 1
        return full if n == 0 else f"{full}_{n}"

    tensor_class = SymbolicTensor  # subclasses (compat.v1's TF1 graphs) may print their tensors differently

    def _make_outputs(self, node, avals):
        outs = []
        for i, (shape, dtype) in enumerate(avals):
            t = _new(self.tensor_class)
            t._value = None
            t._backend = None
            t._dtype = dtype
            t._shape = tuple(shape)
            t._node = node
            t._index = i
            outs.append(t)
        node.outputs = tuple(outs)
        return outs

    def add_node(self, op, inputs, params, name=None):
        ins = tuple(self.capture(t) for t in inputs)
        avals = op.infer(ins, params)
        node = Node(self, self.unique_name(name or op.name), op, ins, params)
        outs = self._make_outputs(node, avals)
        self.nodes.append(node)
        return outs[0] if registry.num_outputs(op, params) == 1 else tuple(outs)

    def placeholder(self, shape, dtype, name="x"):
        node = Node(self, self.unique_name(name), OPS["placeholder"], (), {"shape": tuple(shape), "dtype": dtype})
        (t,) = self._make_outputs(node, [(shape, dtype)])
        self.nodes.append(node)
        self.inputs.append(t)
        return t

    def capture(self, t):
        """A tensor of this graph standing for t (an eager tensor or a tensor of an enclosing graph)."""
        # NOTE: isinstance, not type(): compat.v1 graphs make SymbolicTensor subclasses (TF1 printing), and
        # tf.cond/tf.function bodies built inside such a graph must capture them as graph tensors.
        if isinstance(t, SymbolicTensor) and t._node.graph is self:
            return t
        key = id(t)
        got = self._capture_ids.get(key)
        if got is not None:
            return got
        if isinstance(t, SymbolicTensor):
            if not self._encloses(t._node.graph):
                raise errors.InvalidArgumentError(
                    None, None, f"The tensor {t.name} belongs to another tf.function graph ({t._node.graph.name}) "
                    f"and cannot be used in {self.name}. Return it from its function first.")
            node = Node(self, self.unique_name("capture"), OPS["placeholder"], (),
                        {"shape": t._shape, "dtype": t._dtype})
            (inner,) = self._make_outputs(node, [(t._shape, t._dtype)])
            self.nodes.append(node)
            self.captures.append((t, inner))
        elif isinstance(t, Tensor):
            node = Node(self, self.unique_name("Const"), OPS["constant"], (), {"value": t})
            (inner,) = self._make_outputs(node, [(t._shape, t._dtype)])
            self.nodes.append(node)
        else:
            raise TypeError(f"Expected a tensor, got {type(t).__name__}: {t!r}")
        self._capture_ids[key] = inner
        # keep the captured object alive so its id stays unique
        self._capture_ids[("keep", key)] = t
        return inner

    def _encloses(self, graph):
        g = self.outer
        while g is not None:
            if g is graph:
                return True
            g = g.outer
        return False

    def read_variable(self, var):
        self.variables[id(var)] = var
        node = Node(self, self.unique_name("ReadVariableOp"), OPS["read_variable"], (), {"variable": var})
        (t,) = self._make_outputs(node, [(tuple(var._static_shape.dims or ()) if var._static_shape.rank is not None
                                          else var._value._shape, var.dtype)])
        self.nodes.append(node)
        return t

    def assign_variable(self, var, value, mode):
        self.variables[id(var)] = var
        value = self.capture(value)
        node = Node(self, self.unique_name(_ASSIGN_NAMES[mode]), OPS["assign_variable"], (value,),
                    {"variable": var, "mode": mode})
        self._make_outputs(node, [])
        self.nodes.append(node)

    # -- running -----------------------------------------------------------------------------------

    def replay(self, args, captured=()):
        """Runs the graph on tensors for its placeholders (and captures); returns the output tensors."""
        env = {}
        for ph, a in zip(self.inputs, args):
            env[id(ph)] = a
        for (_, inner), a in zip(self.captures, captured):
            env[id(inner)] = a
        for node in self.nodes:
            op = node.op
            if op.name == "placeholder":
                continue
            ins = tuple(env[id(i)] for i in node.inputs)
            rule = _REPLAY.get(op.name)
            outs = rule(node, ins) if rule is not None else registry.bind(op.name, ins, node.params)
            if outs is None:
                continue
            if type(outs) is tuple:
                for o, v in zip(node.outputs, outs):
                    env[id(o)] = v
            else:
                env[id(node.outputs[0])] = outs
        return [env[id(o)] for o in self.outputs]

    # -- showing -----------------------------------------------------------------------------------

    def __str__(self):
        sig = ", ".join(f"%{_short(t)}: {_aval(t)}" for t in self.inputs)
        lines = [f"graph {self.name}({sig}) {{"]
        for node in self.nodes:
            if node.op.name == "placeholder" and node.outputs[0] in self.inputs:
                continue
            outs = ", ".join(f"%{_short(o)}: {_aval(o)}" for o in node.outputs) or "()"
            args = ", ".join(f"%{_short(i)}" for i in node.inputs)
            params = _params_text(node.params)
            lines.append(f"  {outs} = {node.op.name}({args}){params}")
        lines.append("  return " + ", ".join(f"%{_short(o)}" for o in self.outputs))
        lines.append("}")
        return "\n".join(lines)

    def as_json_dict(self):
        """The graph as plain JSON data: nodes with op, name, name scope, inputs, shapes, dtypes, params."""
        nodes = []
        for node in self.nodes:
            nodes.append({
                "name": node.name,
                "op": node.op.name,
                "scope": node.name.rsplit("/", 1)[0] if "/" in node.name else "",
                "inputs": [i.name for i in node.inputs],
                "outputs": [{"name": o.name, "shape": list(o._shape), "dtype": o._dtype.name} for o in node.outputs],
                "params": {k: _json_value(v) for k, v in node.params.items()},
            })
        return {"name": self.name, "inputs": [t.name for t in self.inputs],
                "outputs": [t.name for t in self.outputs], "nodes": nodes}

    def to_json(self, indent=None):
        return json.dumps(self.as_json_dict(), indent=indent)

    def get_operations(self):
        return list(self.nodes)


def _short(t):
    return t.name.replace(":0", "")


def _aval(t):
    dims = ",".join("?" if d is None else str(d) for d in t._shape)
    return f"{t._dtype.name}[{dims}]"


def _params_text(params):
    shown = {k: v for k, v in params.items() if k != "value" and not isinstance(v, Graph)}
    value = params.get("value")
    if isinstance(value, Tensor) and int(np.prod(value._shape)) <= 4:  # small constants show their value
        shown = {"value": value.numpy().tolist(), **shown}
    text = " {" + ", ".join(f"{k}={_json_value(v)}" for k, v in shown.items()) + "}" if shown else ""
    for k, v in params.items():  # branch and loop bodies, indented under their node
        if isinstance(v, Graph):
            text += f"\n    {k}: " + str(v).replace("\n", "\n    ")
    return text


def _json_value(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [_json_value(x) for x in v]
    if isinstance(v, slice):
        return {"slice": [v.start, v.stop, v.step]}
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if hasattr(v, "as_numpy_dtype"):
        return v.name
    if isinstance(v, Tensor):
        return {"tensor": {"shape": list(v._shape), "dtype": v._dtype.name}}
    if hasattr(v, "_as_tensor"):
        return {"variable": v.name}
    if isinstance(v, Graph):
        return {"graph": v.as_json_dict()}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, TensorShape):
        return v.as_list() if v.rank is not None else None
    return repr(v)


# -- the graph-only ops -----------------------------------------------------------------------------

def _no_infer(inputs, params):
    raise TypeError("this op exists only inside graphs")


def _placeholder_infer(inputs, params):
    return [(params["shape"], params["dtype"])]


def _constant_infer(inputs, params):
    v = params["value"]
    return [(v._shape, v._dtype)]


def _read_infer(inputs, params):
    var = params["variable"]
    return [(var._value._shape, var.dtype)]


defop("placeholder", None, _placeholder_infer)
defop("constant", None, _constant_infer)
defop("read_variable", None, _read_infer, stateful=True)
defop("assign_variable", None, lambda inputs, params: [], stateful=True, num_outputs=0)

_ASSIGN_NAMES = {"assign": "AssignVariableOp", "assign_add": "AssignAddVariableOp",
                 "assign_sub": "AssignSubVariableOp"}


def _replay_assign(node, ins):
    var = node.params["variable"]
    var._write(node.params["mode"], ins[0])
    return None


_REPLAY = {
    "constant": lambda node, ins: node.params["value"],
    "read_variable": lambda node, ins: node.params["variable"]._read(),
    "assign_variable": _replay_assign,
}


def register_replay(name, rule):
    """Gives a graph-only op (e.g. cond, while_loop) its replay rule: rule(node, input_tensors) -> outputs."""
    _REPLAY[name] = rule
