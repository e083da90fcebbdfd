"""Graphs as JSON data and back: nodes with op names, params, inputs by position; no Python code.

A node's inputs are [node index, output index] pairs into the same graph's node list; graph
inputs, outputs and sub-graph captures are such pairs too. Params are JSON with tagged values
for what JSON lacks:

    [a, b]                       a tuple (the common case)       {"$": "list", "v": [...]}
    {"$": "dict", "v": [[k, v], ...]}                            {"$": "slice", "v": [start, stop, step]}
    {"$": "dtype", "v": "float32"}  {"$": "float", "v": "nan"}   {"$": "ellipsis"}
    {"$": "tensor", "key": "constants/3"}      a constant, stored in the tensor file
    {"$": "variable", "ref": 2}                a variable, by its index in the saved variables
    {"$": "graph", "v": {...}}                 a sub-graph (cond branches, loop bodies)

Decoding checks every op name against the registry and every reference against the graph, runs
each op's shape rule on the decoded params, and raises SavedModelError naming the file and node.
"""
import math

import numpy as np

from .. import dtypes
from ..core import registry
from ..core.graph import Graph, Node
from ..core.serialization import DTYPES, CorruptFileError
from ..core.tensor import Tensor, convert_to_tensor
from ..core.variable import Variable
from ..tensor_shape import TensorShape, TensorSpec

_MAX_NODES = 1 << 22


class SavedModelError(CorruptFileError):
    """A saved model's graph cannot be rebuilt (unknown op, bad params or references)."""


class Encoder:
    """Turns graphs into JSON data; collects their constants and the variables they use."""

    def __init__(self, variable_ref, function_name="function"):
        self.constants = {}        # key -> numpy array
        self._constant_keys = {}   # id(tensor) -> key
        self._keep = []
        self.variable_ref = variable_ref   # callable(var) -> int
        self.where = function_name

    def graph(self, g, sub=False):
        if not sub and g.captures:
            raise ValueError(f"tf.saved_model.save: the function {self.where!r} captures tensors of an enclosing "
                             "tf.function graph; save functions traced at the top level.")
        refs, nodes = {}, []
        for i, node in enumerate(g.nodes):
            for j, o in enumerate(node.outputs):
                refs[id(o)] = [i, j]
            nodes.append({
                "name": node.name,
                "op": node.op.name,
                "inputs": [self._ref(refs, t, node) for t in node.inputs],
                "params": {k: self.value(v, node, k) for k, v in node.params.items()},
                "outputs": [[_shape_json(o._shape), o._dtype.name] for o in node.outputs],
            })
        return {"name": g.name, "sub": bool(sub), "nodes": nodes,
                "inputs": [self._ref(refs, t, None) for t in g.inputs],
                "outputs": [self._ref(refs, t, None) for t in g.outputs],
                "captures": [self._ref(refs, inner, None) for _, inner in g.captures] if sub else []}

    def _ref(self, refs, t, node):
        r = refs.get(id(t))
        if r is None:
            where = f" (input of node {node.name})" if node is not None else ""
            raise ValueError(f"tf.saved_model.save: function {self.where!r} uses tensor {t.name}{where} from "
                             "outside its graph")
        return r

    def value(self, v, node=None, key=None):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
        if isinstance(v, np.generic):
            return self.value(v.item(), node, key)
        if isinstance(v, tuple):
            return [self.value(x, node, key) for x in v]
        if isinstance(v, list):
            return {"$": "list", "v": [self.value(x, node, key) for x in v]}
        if isinstance(v, dict):
            return {"$": "dict", "v": [[self.value(k, node, key), self.value(x, node, key)] for k, x in v.items()]}
        if isinstance(v, slice):
            return {"$": "slice", "v": [self.value(v.start), self.value(v.stop), self.value(v.step)]}
        if v is Ellipsis:
            return {"$": "ellipsis"}
        if isinstance(v, dtypes.DType):
            return {"$": "dtype", "v": v.name}
        if isinstance(v, TensorShape):
            return {"$": "shape", "v": None if v.rank is None else v.as_list()}
        if isinstance(v, TensorSpec):
            return {"$": "spec", "shape": self.value(v.shape), "dtype": v.dtype.name, "name": v.name}
        if isinstance(v, Variable):
            return {"$": "variable", "ref": self.variable_ref(v)}
        if isinstance(v, Tensor) and v._value is not None:
            k = self._constant_keys.get(id(v))
            if k is None:
                k = self._constant_keys[id(v)] = f"constants/{len(self.constants)}"
                self.constants[k] = v.numpy()
                self._keep.append(v)
            return {"$": "tensor", "key": k}
        if isinstance(v, Graph):
            return {"$": "graph", "v": self.graph(v, sub=True)}
        from ..core.function import _TensorSlot
        if isinstance(v, _TensorSlot):
            return {"$": "slot"}
        what = f" (param {key!r} of op {node.op.name}, node {node.name})" if node is not None else ""
        raise TypeError(f"tf.saved_model.save: function {self.where!r} holds a {type(v).__name__} value{what} "
                        f"that cannot be saved as data: {v!r:.80}")


def _shape_json(shape):
    return [None if d is None else int(d) for d in shape]


class Decoder:
    """Rebuilds graphs from JSON data, with constants from a TensorFile and variables by index."""

    def __init__(self, tensor_file, variables, path):
        self.file = tensor_file
        self.variables = variables
        self.path = path
        self.node_count = 0

    def fail(self, where, problem):
        return SavedModelError(self.path, f"{where}: {problem}")

    def graph(self, data, where, sub=False):
        if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
            raise self.fail(where, "graph is not an object with a 'nodes' list")
        name = data.get("name") if isinstance(data.get("name"), str) else "graph"
        if sub:
            from ..ops._subgraph import _SubGraph
            g = _SubGraph(name, None, hoist=True)
        else:
            g = Graph(name)
        for i, nd in enumerate(data["nodes"]):
            self.node_count += 1
            if self.node_count > _MAX_NODES:
                raise self.fail(where, "too many nodes")
            self._node(g, nd, f"{where}, node {i}")
        g.inputs = [self._lookup(g, r, where + ", inputs") for r in _list(data.get("inputs"), self, where)]
        for t in g.inputs:
            if t._node.op.name != "placeholder":
                raise self.fail(where, "a graph input is not a placeholder")
        g.outputs = [self._lookup(g, r, where + ", outputs") for r in _list(data.get("outputs"), self, where)]
        if sub:
            g.captures = [(None, self._lookup(g, r, where + ", captures"))
                          for r in _list(data.get("captures"), self, where)]
        return g

    def _lookup(self, g, ref, where):
        if (not isinstance(ref, list) or len(ref) != 2 or not all(_is_int(x) for x in ref)
                or not 0 <= ref[0] < len(g.nodes) or not 0 <= ref[1] < len(g.nodes[ref[0]].outputs)):
            raise self.fail(where, f"invalid tensor reference {ref!r:.60}")
        return g.nodes[ref[0]].outputs[ref[1]]

    def _node(self, g, nd, where):
        if not isinstance(nd, dict):
            raise self.fail(where, "node is not an object")
        opname = nd.get("op")
        op = registry.OPS.get(opname) if isinstance(opname, str) else None
        if op is None:
            raise self.fail(where, f"unknown op {opname!r:.60}; this webtensor has no op registered under that name")
        name = nd.get("name") if isinstance(nd.get("name"), str) else opname
        where = f"{where} ({name}, op {opname})"
        inputs = tuple(self._lookup(g, r, where) for r in _list(nd.get("inputs"), self, where))
        raw = nd.get("params")
        if not isinstance(raw, dict):
            raise self.fail(where, "params is not an object")
        params = {k: self.value(v, where) for k, v in raw.items()}
        outs = _list(nd.get("outputs"), self, where)
        node = Node(g, name, op, inputs, params)
        try:
            if opname == "placeholder":
                shape, dtype = params.get("shape"), params.get("dtype")
                if (not isinstance(dtype, dtypes.DType) or not isinstance(shape, tuple)
                        or not all(d is None or (_is_int(d) and d >= 0) for d in shape)):
                    raise TypeError("a placeholder needs a shape (a list of sizes or null) and a dtype")
                avals = [(shape, dtype)]
            else:
                avals = op.infer(inputs, params)
                n = registry.num_outputs(op, params)
            if opname != "placeholder" and n != len(avals):
                raise ValueError(f"op declares {n} outputs, its shape rule gives {len(avals)}")
        except SavedModelError:
            raise
        except Exception as e:  # a shape rule rejecting the params: the file is wrong, say where
            raise self.fail(where, f"invalid params or inputs ({type(e).__name__}: {e})") from None
        if len(outs) != len(avals):
            raise self.fail(where, f"the file lists {len(outs)} outputs, the op gives {len(avals)}")
        stored = []
        for (shape, dtype), o in zip(avals, outs):
            if not isinstance(o, list) or len(o) != 2 or o[1] != dtypes.as_dtype(dtype).name:
                raise self.fail(where, f"output {o!r:.60} does not match the op's {dtype.name} output")
            s = o[0]
            if (not isinstance(s, list) or len(s) != len(shape)
                    or not all(d is None or (_is_int(d) and d >= 0) for d in s)):
                raise self.fail(where, f"output shape {s!r:.60} does not match the op's shape {list(shape)}")
            # keep the saved (possibly less specific) shape: it is what the function was traced with
            stored.append((tuple(s), dtype))
        g._make_outputs(node, stored)
        g.nodes.append(node)
        if opname in ("read_variable", "assign_variable"):
            var = params.get("variable")
            if not isinstance(var, Variable):
                raise self.fail(where, "the variable param does not name a saved variable")
            g.variables[id(var)] = var

    def value(self, v, where):
        if v is None or isinstance(v, (bool, str, int, float)):
            return v
        if isinstance(v, list):
            return tuple(self.value(x, where) for x in v)
        if not isinstance(v, dict) or not isinstance(v.get("$"), str):
            raise self.fail(where, f"untagged object in params: {v!r:.60}")
        tag = v["$"]
        body = v.get("v")
        if tag == "list":
            return [self.value(x, where) for x in _list(body, self, where)]
        if tag == "dict":
            items = _list(body, self, where)
            if not all(isinstance(kv, list) and len(kv) == 2 for kv in items):
                raise self.fail(where, "bad dict entry in params")
            return {self.value(k, where): self.value(x, where) for k, x in items}
        if tag == "slice":
            parts = _list(body, self, where)
            if len(parts) != 3 or not all(p is None or _is_int(p) for p in parts):
                raise self.fail(where, f"bad slice {body!r:.60}")
            return slice(*parts)
        if tag == "ellipsis":
            return Ellipsis
        if tag == "float":
            if body not in ("nan", "inf", "-inf"):
                raise self.fail(where, f"bad float {body!r:.20}")
            return float(body)
        if tag == "dtype":
            return _dtype(body, self, where)
        if tag == "shape":
            return TensorShape(None if body is None else [None if d is None else int(d)
                                                          for d in _list(body, self, where)])
        if tag == "spec":
            shape = self.value(v.get("shape"), where)
            name = v.get("name") if isinstance(v.get("name"), str) else None
            return TensorSpec(shape, _dtype(v.get("dtype"), self, where), name)
        if tag == "slot":
            from ..core.function import _SLOT
            return _SLOT
        if tag == "tensor":
            key = v.get("key")
            if not isinstance(key, str) or key not in self.file:
                raise self.fail(where, f"constant {key!r:.60} is not in the file")
            return convert_to_tensor(self.file.read(key))
        if tag == "variable":
            ref = v.get("ref")
            if not _is_int(ref) or not 0 <= ref < len(self.variables):
                raise self.fail(where, f"variable reference {ref!r:.20} out of range")
            return self.variables[ref]
        if tag == "graph":
            return self.graph(body, where + " sub-graph", sub=True)
        raise self.fail(where, f"unknown value tag {tag!r:.40}")


def _dtype(name, dec, where):
    if isinstance(name, str) and name in DTYPES:
        return dtypes.as_dtype(name)
    raise dec.fail(where, f"unknown dtype {name!r:.40}")


def _list(v, dec, where):
    if not isinstance(v, list):
        raise dec.fail(where, f"expected a list, got {type(v).__name__}")
    return v


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)
