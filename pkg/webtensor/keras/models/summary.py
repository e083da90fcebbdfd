"""Model.summary(): Keras 3's table of layers, output shapes and parameter counts."""
from ... import dtypes, nest
from ..layers.layer import count_elements, num_elements


def _shape_text(model, layer):
    graph = getattr(model, "_graph", None)
    nodes = graph.nodes_of(layer) if graph is not None else []
    if not nodes:
        return "?"
    outs = nodes[0].outputs
    shapes = [tuple(t.shape.as_list()) for t in nest.flatten(outs)]
    text = ", ".join(str(s).replace(",)", ")") if len(s) == 1 else str(s) for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _connections(model, layer):
    graph = getattr(model, "_graph", None)
    if graph is None:
        return ""
    parts = []
    for node in graph.nodes_of(layer):
        for kt in node.input_tensors:
            src, index, tensor_index = kt._keras_history
            parts.append(f"{src.name}[{index}][{tensor_index}]")
    return ", ".join(parts) if parts else "-"


def _is_sequential_like(model):
    graph = getattr(model, "_graph", None)
    if graph is None or type(model).__name__ == "Sequential":
        return True
    if len(graph.flat_inputs) != 1 or len(graph.flat_outputs) != 1:
        return False
    return all(len(node.input_tensors) <= 1 and len(node.layer._inbound_nodes) == 1 for node in graph.nodes)


def _bytes(weights):
    return sum(num_elements(w) * dtypes.as_dtype(w.dtype).size for w in weights)


def _readable(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024.0


def _cells(texts, widths, align):
    out = []
    for text, width, right in zip(texts, widths, align):
        text = str(text)
        if len(text) > width - 2:
            text = text[:width - 3] + "…"
        out.append(" " + (text.rjust(width - 2) if right else text.ljust(width - 2)) + " ")
    return out


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    """Prints the model's layer table and parameter totals through print_fn (default print)."""
    if print_fn is None:
        print_fn = print
    if not model.built and not model.weights:
        raise ValueError(f"Undefined shapes are not supported: the model {model.name!r} has not yet been built. "
                         "Build the model first by calling `build()` or by calling the model on a batch of data.")
    sequential = _is_sequential_like(model)
    layers = list(model.layers)
    if sequential:
        layers = [lyr for lyr in layers if type(lyr).__name__ != "InputLayer"]
        headers = ["Layer (type)", "Output Shape", "Param #"]
        positions = positions or [0.45, 0.84, 1.0]
        line_length = line_length or 88
    else:
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        positions = positions or [0.3, 0.6, 0.70, 1.0]
        line_length = line_length or 108
    if show_trainable:
        headers.append("Trainable")
        line_length += 11
        positions = [p * (line_length - 11) / line_length for p in positions] + [1.0]
    inner = line_length - len(headers) - 1  # the table's width less its border characters
    if positions[-1] <= 1:
        positions = [int(round(inner * p)) for p in positions]
    else:
        positions = [int(round(inner * p / positions[-1])) for p in positions]
    widths = [positions[0]] + [positions[i] - positions[i - 1] for i in range(1, len(positions))]
    widths = [max(w, 4) for w in widths]
    align = [False, False, True, False, False][:len(headers)]

    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"),
             "┃" + "┃".join(_cells(headers, widths, align)) + "┃",
             rule("┡", "╇", "┩", "━")]
    for i, layer in enumerate(layers):
        params = layer.count_params() if (layer.built or layer.weights) else 0
        row = [f"{layer.name} ({type(layer).__name__})", _shape_text(model, layer), f"{params:,}"]
        if not sequential:
            row.append(_connections(model, layer))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        lines.append("│" + "│".join(_cells(row, widths, align)) + "│")
        if i < len(layers) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    total = count_elements(trainable) + count_elements(non_trainable)
    lines.append(f" Total params: {total:,} ({_readable(_bytes(trainable) + _bytes(non_trainable))})")
    lines.append(f" Trainable params: {count_elements(trainable):,} ({_readable(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {count_elements(non_trainable):,} ({_readable(_bytes(non_trainable))})")
    optimizer = getattr(model, "optimizer", None)
    opt_vars = list(getattr(optimizer, "variables", []) or []) if optimizer is not None else []
    if callable(getattr(optimizer, "variables", None)):
        opt_vars = list(optimizer.variables())
    if opt_vars and getattr(model, "compiled", False):
        lines.append(f" Optimizer params: {count_elements(opt_vars):,} ({_readable(_bytes(opt_vars))})")
    for line in lines:
        print_fn(line)
