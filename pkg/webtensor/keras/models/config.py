"""Functional models as configs (Keras 3's layout) and back: layers with inbound nodes, input/output layers."""
from ... import nest
from .keras_tensor import KerasTensor


def _encode(value, node_index_of):
    if isinstance(value, KerasTensor):
        layer, node_index, tensor_index = value._keras_history
        return {"class_name": "__keras_tensor__",
                "config": {"keras_history": [layer.name, node_index_of(layer, node_index), tensor_index]}}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": [value.start, value.stop, value.step]}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": None}
    if isinstance(value, tuple):
        return {"class_name": "__tuple__", "config": [_encode(v, node_index_of) for v in value]}
    if isinstance(value, list):
        return [_encode(v, node_index_of) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v, node_index_of) for k, v in value.items()}
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _decode(value, created):
    if isinstance(value, dict):
        kind = value.get("class_name")
        if kind == "__keras_tensor__":
            name, node_index, tensor_index = value["config"]["keras_history"]
            return nest.flatten(created[name][node_index])[tensor_index]
        if kind == "__slice__":
            return slice(*value["config"])
        if kind == "__ellipsis__":
            return Ellipsis
        if kind == "__tuple__":
            return tuple(_decode(v, created) for v in value["config"])
        return {k: _decode(v, created) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, created) for v in value]
    return value


def functional_config(model):
    """{"name", "trainable", "layers": [... with "inbound_nodes"], "input_layers", "output_layers"}."""
    from ..utils.serialization import serialize_layer
    graph = model._graph
    kept = {}  # layer id -> the indices (in layer._inbound_nodes) of this model's nodes, in order

    for node in graph.nodes:
        kept.setdefault(id(node.layer), []).append(node.layer._inbound_nodes.index(node))

    def node_index_of(layer, index):
        return kept.get(id(layer), [index]).index(index) if index in kept.get(id(layer), []) else index

    layers = []
    for layer in graph.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        nodes = []
        for index in kept.get(id(layer), []):
            node = layer._inbound_nodes[index]
            if node.is_input and type(layer).__name__ == "InputLayer":
                continue
            nodes.append({"args": _encode(list(node.call_args), node_index_of),
                          "kwargs": _encode(dict(node.call_kwargs), node_index_of)})
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def history(kt):
        layer, index, tensor_index = kt._keras_history
        return [layer.name, node_index_of(layer, index), tensor_index]
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": nest.map_structure(history, graph.inputs) if not isinstance(graph.inputs, KerasTensor)
            else [history(graph.inputs)],
            "output_layers": nest.map_structure(history, graph.outputs) if not isinstance(graph.outputs, KerasTensor)
            else [history(graph.outputs)],
            "_single_input": isinstance(graph.inputs, KerasTensor),
            "_single_output": isinstance(graph.outputs, KerasTensor)}


def functional_from_config(cls, config, custom_objects=None):
    """A new functional model (fresh weights) from functional_config's dict."""
    from ..utils.serialization import deserialize_layer
    created = {}   # layer name -> list of output structures, one per replayed node
    layers = {}
    for entry in config["layers"]:
        layer_conf = {k: v for k, v in entry.items() if k not in ("inbound_nodes", "build_config")}
        layer = deserialize_layer(layer_conf, custom_objects=custom_objects)
        layers[entry["name"]] = layer
        if type(layer).__name__ == "InputLayer":
            created[entry["name"]] = [layer.output]
        else:
            created[entry["name"]] = []
    pending = [(entry["name"], node) for entry in config["layers"] for node in entry.get("inbound_nodes", [])]
    while pending:
        progress = False
        rest = []
        for name, node in pending:
            try:
                args = _decode(node["args"], created)
                kwargs = _decode(node["kwargs"], created)
            except (KeyError, IndexError):
                rest.append((name, node))
                continue
            created[name].append(layers[name](*args, **kwargs))
            progress = True
        if not progress:
            raise ValueError(f"Cannot rebuild the functional model {config.get('name')!r}: layers "
                             f"{sorted({n for n, _ in rest})} depend on tensors that are never created.")
        pending = rest

    def lookup(h):
        name, node_index, tensor_index = h
        return nest.flatten(created[name][node_index])[tensor_index]

    def rebuild(spec, single):
        if single:
            return lookup(spec[0])
        if isinstance(spec, dict):
            return {k: lookup(v) for k, v in spec.items()}
        return [lookup(h) for h in spec]
    inputs = rebuild(config["input_layers"], config.get("_single_input", len(config["input_layers"]) == 1))
    outputs = rebuild(config["output_layers"], config.get("_single_output", len(config["output_layers"]) == 1))
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))
