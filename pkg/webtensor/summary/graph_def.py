"""A traced webtensor Graph as a TensorFlow GraphDef, for TensorBoard's graph dashboard.

One NodeDef per graph node: its unique name (name scopes included), its op in TensorFlow's CamelCase
spelling, its inputs ("node" for output 0, "node:i" otherwise) and attrs: dtype/shape for placeholders,
dtype/value for constants, T for the input dtype, _output_shapes, and the op's params.
"""
import json

import numpy as np

from . import proto

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
    return proto.TypeAttr(proto.datatype_of(dtype))


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
        return _tensor_attr(value.numpy())[0]
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
        attr = {"_output_shapes": [proto.ShapeAttr(o._shape) for o in node.outputs]}
        op = node.op.name
        if op == "placeholder":
            attr["dtype"] = _datatype(node.params["dtype"])
            attr["shape"] = proto.ShapeAttr(node.params["shape"])
        elif op == "constant":
            value = node.params["value"]
            attr["dtype"] = _datatype(value.dtype)
            attr["value"], truncated = _tensor_attr(value.numpy())
            if truncated:
                attr["_truncated"] = True
                attr["_shape"] = proto.ShapeAttr(value._shape)
        else:
            if node.inputs:
                attr["T"] = _datatype(node.inputs[0]._dtype)
            elif node.outputs:
                attr["dtype"] = _datatype(node.outputs[0]._dtype)
            for key, value in node.params.items():
                a = _attr(value)
                if a is not None and key not in attr:
                    attr[key] = a
        nodes.append(proto.NodeDef(name=node.name, op=tf_op_name(node),
                                   inputs=[_input_name(t) for t in node.inputs], attr=attr))
    return nodes


def graph_def_bytes(graph):
    """A serialized GraphDef of a webtensor Graph."""
    return proto.encode_graph_def(node_defs(graph))


def as_graph_def(graph_data):
    """GraphDef bytes from a Graph, a ConcreteFunction, a tf.function (its traced graphs), NodeDefs or bytes."""
    if isinstance(graph_data, (bytes, bytearray)):
        return bytes(graph_data)
    if isinstance(graph_data, list) and all(isinstance(n, proto.NodeDef) for n in graph_data):
        return proto.encode_graph_def(graph_data)
    graph = getattr(graph_data, "graph", graph_data)
    if hasattr(graph, "nodes") and hasattr(graph, "inputs"):
        return graph_def_bytes(graph)
    raise TypeError(f"tf.summary.graph: expected a traced Graph, a ConcreteFunction or serialized GraphDef bytes, "
                    f"got {type(graph_data).__name__}")
