"""The layer graph of a functional model: found from its outputs, replayed in topological order."""
from ... import nest
from .input_layer import InputLayer
from .keras_tensor import KerasTensor


class LayerGraph:
    """The nodes between a model's input KerasTensors and its output KerasTensors, in an order that runs."""

    def __init__(self, inputs, outputs):
        self.inputs = inputs
        self.outputs = outputs
        self.flat_inputs = nest.flatten(inputs)
        self.flat_outputs = nest.flatten(outputs)
        for x in self.flat_inputs + self.flat_outputs:
            if not isinstance(x, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` of a functional model must be KerasTensors (from "
                                 f"tf.keras.Input and layers called on them). Received: {x!r}")
        for x in self.flat_inputs:
            if not isinstance(x._keras_history[0], InputLayer):
                raise ValueError(f"Model inputs must come from `tf.keras.Input`; {x.name} was produced by layer "
                                 f"{x._keras_history[0].name!r}.")
        self.nodes = self._topological_nodes()
        input_ids = {id(x) for x in self.flat_inputs}
        for node in self.nodes:
            if isinstance(node.layer, InputLayer) and id(node.flat_outputs[0]) not in input_ids:
                raise ValueError(f"Graph disconnected: cannot obtain value for tensor {node.outputs!r} at layer "
                                 f"{node.layer.name!r}. It is not among the model's inputs "
                                 f"{[x.name for x in self.flat_inputs]}.")
        layers = [x._keras_history[0] for x in self.flat_inputs]
        for node in self.nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        self.layers = layers

    def _topological_nodes(self):
        order, done, active = [], set(), set()

        def visit(node):
            if id(node) in done:
                return
            if id(node) in active:
                raise ValueError(f"The functional graph has a cycle at layer {node.layer.name!r}.")
            active.add(id(node))
            for parent in node.parent_nodes:
                visit(parent)
            active.discard(id(node))
            done.add(id(node))
            order.append(node)

        for x in self.flat_inputs + self.flat_outputs:
            layer, index, _ = x._keras_history
            visit(layer._inbound_nodes[index])
        return order

    def nodes_of(self, layer):
        return [n for n in self.nodes if n.layer is layer]

    def run(self, inputs, **call_kwargs):
        """Replays the nodes on real tensors; returns outputs in the structure of the model's outputs."""
        flat = _match_inputs(self.inputs, inputs)
        env = {}
        for kt, value in zip(self.flat_inputs, flat):
            env[id(kt)] = value
        for node in self.nodes:
            if node.is_input:
                continue
            if all(id(kt) in env for kt in node.flat_outputs):
                continue

            def fetch(x):
                if isinstance(x, KerasTensor):
                    if id(x) not in env:
                        raise ValueError(f"Graph disconnected: no value for {x.name} needed by layer "
                                         f"{node.layer.name!r}.")
                    return env[id(x)]
                return x
            args, kwargs = nest.map_structure(fetch, (tuple(node.call_args), dict(node.call_kwargs)))
            for k, v in call_kwargs.items():
                if v is not None and k not in kwargs and k in node.layer._call_params:
                    kwargs[k] = v
            outs = node.layer(*args, **kwargs)
            for kt, value in zip(node.flat_outputs, nest.flatten(outs)):
                env[id(kt)] = value
        return nest.pack_sequence_as(self.outputs, [env[id(kt)] for kt in self.flat_outputs])


def _match_inputs(structure, inputs):
    """The user's inputs, flat, in the order of the model's flat inputs."""
    flat_struct = nest.flatten(structure)
    if isinstance(structure, dict) and isinstance(inputs, dict):
        missing = [k for k in structure if k not in inputs]
        if missing:
            raise ValueError(f"Missing data for input(s) {missing}. The model expects inputs {sorted(structure)}, "
                             f"received {sorted(inputs)}.")
        return nest.flatten({k: inputs[k] for k in structure})
    if len(flat_struct) == 1:
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            return [inputs[0]]
        if isinstance(inputs, dict) and len(inputs) == 1:
            return list(inputs.values())
        return [inputs]
    if isinstance(inputs, dict):
        names = [kt._keras_history[0].name for kt in flat_struct]
        if all(n in inputs for n in names):
            return [inputs[n] for n in names]
    flat = nest.flatten(inputs)
    if len(flat) != len(flat_struct):
        raise ValueError(f"The model expects {len(flat_struct)} input(s), but it received {len(flat)} input "
                         f"tensors.")
    return flat
