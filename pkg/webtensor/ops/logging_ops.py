"""tf.print: prints tensors when it runs (eagerly now, in tf.function on every call), as TensorFlow formats them."""
import pprint
import sys

import numpy as np

from .. import nest
from ..core.registry import bind, defop
from ..core.tensor import Tensor, convert_to_tensor


# -- tf.print ---------------------------------------------------------------------------------------

def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors (and Python values) when it runs: eagerly now, in tf.function on every call.

    >>> tf.print("x:", tf.constant([1, 2, 3]), output_stream=sys.stdout)
    x: [1 2 3]
    """
    stream = "stderr" if output_stream is None else _stream_name(output_stream)   # sys.stderr, as TF
    summarize = 3 if summarize is None else int(summarize)
    free = nest.map_structure(lambda x: "" if _is_tensor(x) else x, list(inputs))
    placeholder = "{}"
    while placeholder in " ".join(x if isinstance(x, str) else pprint.pformat(x) for x in free):
        placeholder = "{" + placeholder + "}"
    tensors, templates = [], []
    for x in inputs:
        if isinstance(x, str):
            templates.append(x)
            continue
        leaves = []
        for leaf in nest.flatten(x):
            if _is_tensor(leaf):
                tensors.append(convert_to_tensor(leaf))
                leaves.append(placeholder)
            else:
                leaves.append(leaf)
        templates.append(pprint.pformat(nest.pack_sequence_as(x, leaves)) if nest.is_nested(x) else
                         (placeholder if _is_tensor(x) else pprint.pformat(x)))
    template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
    bind("print", tuple(tensors), {"template": template, "placeholder": placeholder, "summarize": summarize,
                                   "output_stream": stream, "end": end})
    return None


print = print_  # noqa: A001 - tf.print


def _is_tensor(x):
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _stream_name(stream):
    if stream is sys.stdout or stream is sys.__stdout__ or stream == "stdout":
        return "stdout"
    if stream is sys.stderr or stream is sys.__stderr__ or stream == "stderr":
        return "stderr"
    if isinstance(stream, str) and stream.startswith("file://"):
        return stream
    raise ValueError(f"tf.print: unsupported output_stream {stream!r}; use sys.stdout, sys.stderr or "
                     "'file://<path>'.")


def _print_kernel(*arrays, template, placeholder, summarize, output_stream, end):
    pieces = template.split(placeholder)
    text = pieces[0] + "".join(format_tensor(a, summarize) + p for a, p in zip(arrays, pieces[1:])) + end
    if output_stream.startswith("file://"):
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
    else:
        stream = sys.stdout if output_stream == "stdout" else sys.stderr
        stream.write(text)
        stream.flush()
    return ()


def format_tensor(array, summarize=3):
    """An array as tf.print shows it: `[1 2 3]`, nested brackets, the first/last `summarize` per dim."""
    a = np.asarray(array)
    if a.ndim == 0:
        return _element(a[()])
    edge = a.size if summarize < 0 else min(summarize, a.size)
    return _format_dim(a, edge, 0)


def _format_dim(a, edge, dim):
    if a.ndim == 0:
        return _element(a[()])
    n = a.shape[0]
    spacing = " " if a.ndim == 1 else "\n" * (a.ndim - 1) + " " * (dim + 1)
    parts = [_format_dim(a[i], edge, dim + 1) for i in range(min(edge, n))]
    text = spacing.join(parts)
    if n > 2 * edge:
        text += spacing + "..."
    for i in range(max(edge, n - edge), n):
        text += spacing + _format_dim(a[i], edge, dim + 1)
    return "[" + text + "]"


def _element(x):
    """One element the way TensorFlow's StrCat writes it (shortest of 6/9 or 15/17 significant digits)."""
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, np.floating):
        if np.isnan(x):
            return "-nan" if np.signbit(x) else "nan"
        if x.dtype == np.float64:
            short, long_, kind = 15, 17, np.float64
        else:
            short, long_, kind = 6, 9, np.float32
        text = "%.*g" % (short, x)
        return text if kind(text) == kind(x) else "%.*g" % (long_, x)
    if isinstance(x, np.integer):
        return str(int(x))
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    return str(x)


def _print_infer(inputs, params):
    return []


defop("print", _print_kernel, _print_infer, num_outputs=0, stateful=True)
