"""A traced webtensor Graph as a TensorFlow GraphDef, for TensorBoard's graph dashboard.

One NodeDef per graph node: its unique name (name scopes included), its op in TensorFlow's CamelCase
spelling, its inputs ("node" for output 0, "node:i" otherwise) and attrs: dtype/shape for placeholders,
dtype/value for constants, T for the input dtype, _output_shapes, and the op's params.
"""
import json
from dataclasses import dataclass, field

import numpy as np

from . import proto

# -- GraphDef messages -----------------------------------------------------------------------------

@dataclass
class NodeDef:
    name: str
    op: str
    inputs: list = field(default_factory=list)
    device: str = ""
    attr: dict = field(default_factory=dict)   # name -> AttrValue as a Python value (see encode_attr)


class TypeAttr:
    """Marks an attr value as a DataType (AttrValue.type), e.g. TypeAttr(DT_FLOAT)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, TypeAttr) and other.value == self.value

    def __repr__(self):
        return f"TypeAttr({self.value})"


class ShapeAttr:
    """Marks an attr value as a TensorShapeProto: a list of dims (None unknown) or None (unknown rank)."""
    __slots__ = ("dims",)

    def __init__(self, dims):
        self.dims = None if dims is None else list(dims)

    def __eq__(self, other):
        return isinstance(other, ShapeAttr) and other.dims == self.dims

    def __repr__(self):
        return f"ShapeAttr({self.dims})"


def _encode_list(values):
    out = b""
    for v in values:
        if isinstance(v, (bytes, str)):
            out += proto.field_bytes(2, v)
        elif isinstance(v, bool):
            out += proto.field_varint(5, v)
        elif isinstance(v, int):
            out += proto.field_varint(3, v)
        elif isinstance(v, float):
            out += proto.field_float(4, v)
        elif isinstance(v, TypeAttr):
            out += proto.field_varint(6, v.value)
        elif isinstance(v, ShapeAttr):
            out += proto.field_bytes(7, proto.encode_shape(v.dims))
        elif isinstance(v, np.ndarray):
            out += proto.field_bytes(8, proto.encode_tensor(v))
        else:
            raise TypeError(f"cannot encode {type(v).__name__} in an AttrValue list")
    return out


def encode_attr(value):
    """AttrValue from a Python value: bytes/str -> s, bool -> b, int -> i, float -> f, TypeAttr -> type,
    ShapeAttr -> shape, numpy array -> tensor, list/tuple -> list."""
    if isinstance(value, (bytes, str)):
        return proto.field_bytes(2, value)
    if isinstance(value, bool):
        return proto.field_varint(5, value)
    if isinstance(value, int):
        return proto.field_varint(3, value)
    if isinstance(value, float):
        return proto.field_float(4, value)
    if isinstance(value, TypeAttr):
        return proto.field_varint(6, value.value)
    if isinstance(value, ShapeAttr):
        return proto.field_bytes(7, proto.encode_shape(value.dims))
    if isinstance(value, np.ndarray):
        return proto.field_bytes(8, proto.encode_tensor(value))
    if isinstance(value, (list, tuple)):
        return proto.field_bytes(1, _encode_list(value))
    raise TypeError(f"cannot encode {type(value).__name__} as an AttrValue")


def decode_attr(buf):
    fields = proto.parse(buf)
    if 2 in fields:
        return proto.last(fields, 2)
    if 3 in fields:
        return proto.signed64(proto.last(fields, 3))
    if 4 in fields:
        return proto.unpack_float(proto.last(fields, 4))
    if 5 in fields:
        return bool(proto.last(fields, 5))
    if 6 in fields:
        return TypeAttr(proto.last(fields, 6))
    if 7 in fields:
        return ShapeAttr(proto.decode_shape(proto.last(fields, 7)))
    if 8 in fields:
        return proto.decode_tensor(proto.last(fields, 8))
    if 1 in fields:
        lf = proto.parse(proto.last(fields, 1))
        varints = proto.repeated_varints
        return (list(lf.get(2, [])) + [proto.signed64(v) for v in varints(lf, 3)] +
                proto.repeated_fixed(lf, 4, "f", 4) + [bool(v) for v in varints(lf, 5)] +
                [TypeAttr(v) for v in varints(lf, 6)] + [ShapeAttr(proto.decode_shape(s)) for s in lf.get(7, [])] +
                [proto.decode_tensor(t) for t in lf.get(8, [])])
    return None


def encode_node(node):
    out = proto.field_bytes(1, node.name) + proto.field_bytes(2, node.op)
    out += b"".join(proto.field_bytes(3, i) for i in node.inputs)
    if node.device:
        out += proto.field_bytes(4, node.device)
    for key in sorted(node.attr):
        out += proto.field_bytes(5, proto.field_bytes(1, key) + proto.field_bytes(2, encode_attr(node.attr[key])))
    return out


def decode_node(buf):
    fields = proto.parse(buf)
    attr = {}
    for entry in fields.get(5, ()):
        ef = proto.parse(entry)
        attr[proto.last(ef, 1, b"").decode("utf-8")] = decode_attr(proto.last(ef, 2, b""))
    return NodeDef(name=proto.last(fields, 1, b"").decode("utf-8"), op=proto.last(fields, 2, b"").decode("utf-8"),
                   inputs=[i.decode("utf-8") for i in fields.get(3, ())],
                   device=proto.last(fields, 4, b"").decode("utf-8"), attr=attr)


GRAPH_PRODUCER = 1882   # the GraphDef version TensorFlow 2.16 writes (versions.producer)


def encode_graph_def(nodes, producer=GRAPH_PRODUCER):
    """GraphDef bytes: the nodes, then versions {producer}."""
    versions = proto.field_bytes(4, proto.field_varint(1, producer))
    return b"".join(proto.field_bytes(1, encode_node(n)) for n in nodes) + versions


def decode_graph_def(buf):
    """The NodeDefs of a GraphDef, in order."""
    return [decode_node(n) for n in proto.parse(buf).get(1, ())]


def encode_run_metadata(graph_defs):
    """RunMetadata with one function_graphs entry (pre_optimization_graph) per GraphDef, as trace_export writes."""
    return b"".join(proto.field_bytes(4, proto.field_bytes(2, g)) for g in graph_defs)


def decode_run_metadata_graphs(buf):
    """The GraphDef bytes held by a RunMetadata: function graphs (pre-optimization) and partition graphs."""
    fields = proto.parse(buf)
    graphs = []
    for fg in fields.get(4, ()):
        f = proto.parse(fg)
        graphs.extend(f.get(2, []) or f.get(1, []))
    graphs.extend(fields.get(3, []))
    return graphs


# -- webtensor Graph -> NodeDefs -------------------------------------------------------------------

# ops whose TensorFlow name is not the CamelCase of the webtensor name
_TF_NAMES = {"constant": "Const", "read_variable": "ReadVariableOp", "matmul": "MatMul", "add": "AddV2",
             "batch_matmul": "BatchMatMulV2", "print": "PrintV2", "write_summary": "WriteSummary"}
_ASSIGN_NAMES = {"assign": "AssignVariableOp", "assign_add": "AssignAddVariableOp",
                 "assign_sub": "AssignSubVariableOp"}
MAX_CONSTANT_ELEMENTS = 10000   # larger constants keep their dtype and shape only (attr _truncated)


def tf_op_name(node):
    """The op name a NodeDef gets for a graph node: TensorFlow's spelling of the webtensor op."""
    name = node.op.name
    if name == "assign_variable":
        return _ASSIGN_NAMES.get(node.params.get("mode"), "AssignVariableOp")
    return _TF_NAMES.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _input_name(t):
    return t._node.name if t._index == 0 else f"{t._node.name}:{t._index}"


def _datatype(dtype):
    return TypeAttr(proto.datatype_of(dtype))


def _attr(value):
    """A param as an AttrValue-able Python value, or None to leave it out."""
    if isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "as_numpy_dtype"):
        return _datatype(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (bool, int, float, str)) for v in value):
        kinds = {type(v) for v in value}
        if len(kinds) <= 1:
            return list(value)
    if hasattr(value, "_shape") and hasattr(value, "numpy"):   # an eager tensor
        return _tensor_attr(np.asarray(value.numpy()))[0]
    if hasattr(value, "_as_tensor"):                          # a variable
        return value.name
    if hasattr(value, "nodes") and hasattr(value, "inputs"):   # a nested Graph (cond/while body)
        return value.name
    from ..core.graph import _json_value
    return json.dumps(_json_value(value))


def _tensor_attr(array):
    if array.size <= MAX_CONSTANT_ELEMENTS:
        return array, False
    return np.zeros((0,), array.dtype), True


def node_defs(graph):
    """The NodeDefs of a webtensor Graph, in execution order."""
    nodes = []
    for node in graph.nodes:
        attr = {"_output_shapes": [ShapeAttr(o._shape) for o in node.outputs]}
        op = node.op.name
        if op == "placeholder":
            attr["dtype"] = _datatype(node.params["dtype"])
            attr["shape"] = ShapeAttr(node.params["shape"])
        elif op == "constant":
            value = node.params["value"]
            attr["dtype"] = _datatype(value.dtype)
            attr["value"], truncated = _tensor_attr(np.asarray(value.numpy()))
            if truncated:
                attr["_truncated"] = True
                attr["_shape"] = ShapeAttr(value._shape)
        else:
            if node.inputs:
                attr["T"] = _datatype(node.inputs[0]._dtype)
            elif node.outputs:
                attr["dtype"] = _datatype(node.outputs[0]._dtype)
            for key, value in node.params.items():
                a = _attr(value)
                if a is not None and key not in attr:
                    attr[key] = a
        nodes.append(NodeDef(name=node.name, op=tf_op_name(node),
                                   inputs=[_input_name(t) for t in node.inputs], attr=attr))
    return nodes


def graph_def_bytes(graph):
    """A serialized GraphDef of a webtensor Graph."""
    return encode_graph_def(node_defs(graph))


def as_graph_def(graph_data):
    """GraphDef bytes from a Graph, a ConcreteFunction, a tf.function (its traced graphs), NodeDefs or bytes."""
    if isinstance(graph_data, (bytes, bytearray)):
        return bytes(graph_data)
    if isinstance(graph_data, list) and all(isinstance(n, NodeDef) for n in graph_data):
        return encode_graph_def(graph_data)
    graph = getattr(graph_data, "graph", graph_data)
    if hasattr(graph, "nodes") and hasattr(graph, "inputs"):
        return graph_def_bytes(graph)
    raise TypeError(f"tf.summary.graph: expected a traced Graph, a ConcreteFunction or serialized GraphDef bytes, "
                    f"got {type(graph_data).__name__}")
