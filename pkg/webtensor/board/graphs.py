"""Graphs for the dashboard: GraphDefs (webtensor- or TensorFlow-written), webtensor's Graph IR JSON and
Keras model configs, all turned into one node/edge JSON shape the graph view lays out:

    {"name", "nodes": [{"name", "op", "scope", "shapes", "dtype", "device", "attrs"}],
     "edges": [{"source", "target", "output", "control"}]}

`scope` is the name scope (the name up to its last "/"), `shapes` one list of dims per output (None for
an unknown size; a None entry for an unknown rank), `attrs` the other attributes as short strings.
"""
import json

import numpy as np

from ..summary.graph_def import ShapeAttr, TypeAttr

# DataType enum -> dtype name (types.proto; reference types are the value + 100)
DTYPE_NAMES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string",
               8: "complex64", 9: "int64", 10: "bool", 14: "bfloat16", 17: "uint16", 18: "complex128",
               19: "float16", 20: "resource", 21: "variant", 22: "uint32", 23: "uint64"}
_DTYPE_ATTRS = ("dtype", "T", "DstT", "out_type", "Tout", "output_type", "dtypes")
MAX_ATTR_CHARS = 200


def dtype_name(enum):
    """A DataType enum value as a dtype name ("float32"; "float32_ref" for reference types)."""
    if enum > 100:
        return dtype_name(enum - 100) + "_ref"
    return DTYPE_NAMES.get(enum, f"DataType({enum})")


def scope_of(name):
    return name.rsplit("/", 1)[0] if "/" in name else ""


def attr_text(value):
    """An AttrValue (as graph_def.decode_attr returns it) as a short readable string."""
    if isinstance(value, TypeAttr):
        text = dtype_name(value.value)
    elif isinstance(value, ShapeAttr):
        text = "<unknown rank>" if value.dims is None else str(["?" if d is None else d for d in value.dims])
    elif isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, np.ndarray):
        dims = ", ".join(str(d) for d in value.shape)
        kind = "string" if value.dtype == object else value.dtype.name
        shown = value.tolist() if value.size <= 8 and value.dtype != object else None
        text = f"{kind}[{dims}]" + (f" {shown}" if shown is not None else "")
    elif isinstance(value, list):
        text = "[" + ", ".join(attr_text(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= MAX_ATTR_CHARS else text[:MAX_ATTR_CHARS - 1] + "…"


def _shape_dims(shape_attr):
    return None if shape_attr.dims is None else list(shape_attr.dims)


def _node_dtype(attr):
    for key in _DTYPE_ATTRS:
        value = attr.get(key)
        if isinstance(value, TypeAttr):
            return dtype_name(value.value)
        if isinstance(value, list) and value and all(isinstance(v, TypeAttr) for v in value):
            return ", ".join(dtype_name(v.value) for v in value)
    return ""


def _split_input(text):
    """A NodeDef input ("node", "node:1", "^node", "node:out_arg:0") as (node, output index, control)."""
    if text.startswith("^"):
        return text[1:], 0, True
    name, _, rest = text.partition(":")
    index = rest.rsplit(":", 1)[-1] if rest else "0"
    return name, int(index) if index.isdigit() else 0, False


def from_node_defs(node_defs, name="graph"):
    """The view JSON of a GraphDef's NodeDefs (graph_def.NodeDef, as read_logdir gives them)."""
    nodes, edges = [], []
    for node in node_defs:
        attr = node.attr
        shapes = [_shape_dims(s) for s in attr.get("_output_shapes", []) if isinstance(s, ShapeAttr)]
        if not shapes and isinstance(attr.get("shape"), ShapeAttr):
            shapes = [_shape_dims(attr["shape"])]
        nodes.append({
            "name": node.name, "op": node.op, "scope": scope_of(node.name), "shapes": shapes,
            "dtype": _node_dtype(attr), "device": node.device,
            "attrs": {k: attr_text(v) for k, v in sorted(attr.items()) if k != "_output_shapes"},
        })
        for text in node.inputs:
            source, output, control = _split_input(text)
            edges.append({"source": source, "target": node.name, "output": output, "control": control})
    return {"name": name, "nodes": nodes, "edges": edges}


def from_graph_json(graph_json):
    """The view JSON of webtensor's Graph IR JSON (Graph.as_json_dict(), or its to_json() string)."""
    if isinstance(graph_json, str):
        graph_json = json.loads(graph_json)
    nodes, edges = [], []
    for node in graph_json["nodes"]:
        outputs = node.get("outputs", [])
        dtypes = sorted({o["dtype"] for o in outputs})
        nodes.append({
            "name": node["name"], "op": node["op"], "scope": node.get("scope", scope_of(node["name"])),
            "shapes": [o["shape"] for o in outputs], "dtype": ", ".join(dtypes), "device": node.get("device", ""),
            "attrs": {k: attr_text(json.dumps(v) if not isinstance(v, str) else v)
                      for k, v in sorted(node.get("params", {}).items())},
        })
        for text in node.get("inputs", []):
            source, output, control = _split_input(text)
            edges.append({"source": source, "target": node["name"], "output": output, "control": control})
    return {"name": graph_json.get("name", "graph"), "nodes": nodes, "edges": edges}


def from_keras_config(model_json, name="keras"):
    """The view JSON of a Keras model's JSON config (the "graph_keras_model" summary): one node per layer."""
    config = json.loads(model_json) if isinstance(model_json, (str, bytes)) else model_json
    model_name = config.get("config", {}).get("name", name)
    layers = config.get("config", {}).get("layers", [])
    nodes, edges, previous = [], [], None
    for layer in layers:
        layer_config = layer.get("config", {})
        layer_name = layer_config.get("name") or layer.get("name") or f"layer_{len(nodes)}"
        full = f"{model_name}/{layer_name}"
        shape = layer_config.get("batch_input_shape") or layer_config.get("batch_shape")
        dtype = layer_config.get("dtype")
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name", "")
        nodes.append({"name": full, "op": layer.get("class_name", ""), "scope": model_name,
                      "shapes": [shape] if shape else [], "dtype": dtype or "", "device": "",
                      "attrs": {k: attr_text(json.dumps(v)) for k, v in sorted(layer_config.items())
                                if k not in ("name", "dtype")}})
        sources = _keras_inbound(layer.get("inbound_nodes"))
        if sources is None:     # a Sequential config lists its layers in order, without inbound nodes
            sources = [previous] if previous else []
        else:
            sources = [f"{model_name}/{s}" for s in sources]
        edges.extend({"source": s, "target": full, "output": 0, "control": False} for s in sources)
        previous = full
    return {"name": model_name, "nodes": nodes, "edges": edges}


def _keras_inbound(inbound):
    """Layer names feeding a functional model's layer: Keras 2 lists [[name, i, j, kw]], Keras 3 dicts."""
    if inbound is None:
        return None
    names = []

    def walk(item):
        if isinstance(item, dict):
            history = item.get("config", {}).get("keras_history") if item.get("class_name") == "__keras_tensor__" \
                else None
            if history:
                names.append(history[0])
            else:
                for v in item.values():
                    walk(v)
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                names.append(item[0])
            else:
                for v in item:
                    walk(v)

    walk(inbound)
    return list(dict.fromkeys(names))
