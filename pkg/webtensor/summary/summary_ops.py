"""tf.summary.scalar / histogram / text / image / write: one stateful primitive, `write_summary`.

The op takes (step, condition, *data) and params naming the writer (by id), the tag and the summary
kind; its kernel reads the values on the host, encodes the Summary (histogram buckets and PNG images
included) and queues the Event. Being a stateful primitive, it runs on every call of a tf.function,
not only when it is traced, exactly like tf.print.
"""
import time

import numpy as np

from .. import nest  # noqa: F401  (keeps import order with the core package)
from ..core.registry import bind, defop
from ..core.state import state
from ..core.tensor import Tensor, constant, convert_to_tensor
from ..dtypes import bool as _bool
from . import proto
from .png import encode_png
from .writer import _condition, _state, _WRITERS

DEFAULT_BUCKET_COUNT = 30


def _tag(name):
    scope = "/".join(state.scope)
    return f"{scope}/{name}" if scope else name


def _resolve_step(step, op):
    step = _state.step if step is None else step
    if step is None:
        raise ValueError(f"tf.summary.{op}: no step set. Please specify one either through the `step` argument "
                         "or through tf.summary.experimental.set_step()")
    t = convert_to_tensor(step)
    if t._dtype.name not in ("int64", "int32", "int16", "int8", "uint8", "uint16", "uint32", "uint64"):
        raise TypeError(f"tf.summary.{op}: step must be an integer, got {t._dtype.name} {step!r}")
    if t._shape != ():
        raise ValueError(f"tf.summary.{op}: step must be a scalar, got shape {list(t._shape)}")
    return t


def _write(op, name, data, step, params):
    """Binds write_summary when a default writer exists and the recording condition may hold."""
    writer = _state.writer
    if writer is None or not hasattr(writer, "_id"):
        return constant(False)
    cond = _condition()
    if cond is False:
        return constant(False)
    step_t = _resolve_step(step, op)
    cond_t = constant(True) if cond is True else convert_to_tensor(cond, dtype=_bool)
    inputs = (step_t, cond_t) + (() if data is None else (data,))
    return bind("write_summary", inputs, {"writer": writer._id, "tag": _tag(name), "kind": op, **params})


def scalar(name, data, step=None, description=None):
    """Writes a scalar summary (a float32 tensor under the "scalars" plugin, as TF2 writes it).

    >>> with writer.as_default(step=1):
    ...     tf.summary.scalar("loss", 0.5)
    """
    data = convert_to_tensor(data)
    if len(data._shape) != 0:
        raise ValueError(f"tf.summary.scalar: data for {name!r} must be a scalar, got shape {list(data._shape)}")
    return _write("scalar", name, data, step, {"description": description or ""})


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram summary: a float64 [buckets, 3] tensor of (left edge, right edge, count) rows.

    >>> tf.summary.histogram("weights", tf.random.normal([1000]), step=0)
    """
    data = convert_to_tensor(data)
    buckets = DEFAULT_BUCKET_COUNT if buckets is None else int(buckets)
    return _write("histogram", name, data, step, {"description": description or "", "buckets": buckets})


def text(name, data, step=None, description=None):
    """Writes a text summary (a string or an array of strings; Markdown in TensorBoard).

    >>> tf.summary.text("notes", "**bold** text", step=0)
    """
    if isinstance(data, Tensor):
        raise TypeError(f"tf.summary.text: data for {name!r} must be a string or an array of strings, got a "
                        f"{data.dtype.name} tensor")
    array = np.asarray(data)
    if array.dtype.kind not in "USO":
        raise TypeError(f"tf.summary.text: data for {name!r} must be a string or an array of strings, got "
                        f"{array.dtype}")
    strings = tuple(s.decode("utf-8") if isinstance(s, bytes) else str(s) for s in array.reshape(-1).tolist())
    return _write("text", name, None, step, {"description": description or "", "text": strings,
                                               "text_shape": tuple(array.shape)})


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes image summaries: data of shape [k, h, w, c] (c = 1, 3 or 4), uint8 or floats in [0, 1].

    >>> tf.summary.image("samples", tf.zeros([2, 8, 8, 1]), step=0)
    """
    data = convert_to_tensor(data)
    shape = data._shape
    if len(shape) != 4 or shape[3] not in (1, 3, 4, None):
        raise ValueError(f"tf.summary.image: data for {name!r} must have shape [k, h, w, c] with c in (1, 3, 4), "
                         f"got {list(shape)}")
    if data._dtype.name == "bool" or not data._dtype.name.startswith(("float", "int", "uint")):
        raise TypeError(f"tf.summary.image: data for {name!r} must be uint8 or float, got {data._dtype.name}")
    return _write("image", name, data, step, {"description": description or "", "max_outputs": int(max_outputs)})


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes a generic tensor summary with optional SummaryMetadata (proto.SummaryMetadata or plugin name).

    >>> tf.summary.write("custom", tf.constant([1.0, 2.0]), step=0)
    """
    tensor = convert_to_tensor(tensor() if callable(tensor) else tensor)
    if isinstance(metadata, str):
        metadata = proto.SummaryMetadata(plugin_name=metadata)
    params = {}
    if metadata is not None:
        params = {"plugin_name": metadata.plugin_name, "plugin_content": metadata.plugin_content.hex(),
                  "display_name": metadata.display_name, "description": metadata.description,
                  "data_class": metadata.data_class}
    return _write("tensor", tag, tensor, step, params)


def keras_model(name, data, step=None):
    """Writes a Keras model's JSON config for TensorBoard's graph dashboard (plugin "graph_keras_model").

    >>> keras_model("keras", model.to_json(), step=0)
    """
    if not isinstance(data, str):
        raise TypeError(f"keras_model: data for {name!r} must be the model's JSON string, got {type(data).__name__}")
    return _write("keras_model", name, None, step, {"text": (data,), "text_shape": ()})


# -- the primitive ----------------------------------------------------------------------------------

def histogram_buckets(data, bucket_count=DEFAULT_BUCKET_COUNT):
    """TensorBoard's bucketing: [bucket_count, 3] rows of (left, right, count) over [min, max], float64."""
    x = np.asarray(data, dtype=np.float64).reshape(-1)
    k = max(0, int(bucket_count))
    if k == 0 or x.size == 0:
        return np.zeros((k, 3), np.float64)
    lo, hi = x.min(), x.max()
    if hi == lo:   # a single distinct value: every count in the last bucket, edges all at that value
        counts = np.zeros(k, np.float64)
        counts[-1] = x.size
        edges = np.full(k, hi)
        return np.stack([edges, edges, counts], axis=1)
    width = (hi - lo) / k
    index = np.minimum(np.floor((x - lo) / width).astype(np.int64), k - 1)
    counts = np.bincount(index, minlength=k).astype(np.float64)
    edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def _to_uint8_images(a):
    """tf.image.convert_image_dtype(..., tf.uint8, saturate=True) on the host."""
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "f":
        return np.clip(np.nan_to_num(a.astype(np.float64) * 255.5), 0, 255).astype(np.uint8)
    top = np.iinfo(a.dtype).max + 1
    scaled = a.astype(np.int64) // (top // 256) if top > 256 else a.astype(np.int64) * (256 // top)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _summary_value(kind, tag, data, params):
    description = params.get("description", "")
    if kind == "scalar":
        meta = proto.SummaryMetadata("scalars", description=description, data_class=proto.DATA_CLASS_SCALAR)
        return proto.Value(tag=tag, metadata=meta, tensor=np.asarray(data[0], dtype=np.float32).reshape(()))
    if kind == "histogram":
        meta = proto.SummaryMetadata("histograms", description=description, data_class=proto.DATA_CLASS_TENSOR)
        return proto.Value(tag=tag, metadata=meta, tensor=histogram_buckets(data[0], params["buckets"]))
    if kind in ("text", "keras_model"):
        meta = (proto.SummaryMetadata("text", description=description, data_class=proto.DATA_CLASS_TENSOR)
                if kind == "text" else proto.SummaryMetadata("graph_keras_model", b"1"))
        strings = np.empty(len(params["text"]), dtype=object)
        strings[:] = [s.encode("utf-8") for s in params["text"]]
        return proto.Value(tag=tag, metadata=meta, tensor=strings.reshape(params["text_shape"]))
    if kind == "image":
        meta = proto.SummaryMetadata("images", description=description, data_class=proto.DATA_CLASS_BLOB_SEQUENCE)
        images = _to_uint8_images(np.asarray(data[0]))[:max(0, params["max_outputs"])]
        blobs = [str(images.shape[2]).encode(), str(images.shape[1]).encode()]
        blobs += [encode_png(img) for img in images]
        strings = np.empty(len(blobs), dtype=object)
        strings[:] = blobs
        return proto.Value(tag=tag, metadata=meta, tensor=strings)
    meta = None
    if params.get("plugin_name"):
        meta = proto.SummaryMetadata(params["plugin_name"], bytes.fromhex(params["plugin_content"]),
                                     params["display_name"], params["description"], params["data_class"])
    return proto.Value(tag=tag, metadata=meta, tensor=np.asarray(data[0]))


def _write_summary_kernel(step, condition, *data, writer, tag, kind, **params):
    target = _WRITERS.get(writer)
    if not bool(condition) or target is None or target.closed:
        return np.array(False)
    value = _summary_value(kind, tag, data, params)
    target.write_event(proto.Event(wall_time=time.time(), step=int(step), summary=[value]))
    return np.array(True)


def _write_summary_infer(inputs, params):
    return [((), _bool)]


defop("write_summary", _write_summary_kernel, _write_summary_infer, stateful=True)
