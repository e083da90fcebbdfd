"""Protocol-buffer wire format, by hand, for the few TensorBoard messages event files hold.

Encoding builds bytes field by field (`field_varint(1, 7) + field_bytes(2, b"x")`); decoding splits a
message into {field number: [raw values]} and the message readers below turn that into plain Python
objects. Field numbers follow tensorflow/core/framework/*.proto and tensorboard/compat/proto/*.proto.
"""
import functools
import math
import struct
from dataclasses import dataclass, field

import numpy as np

# -- wire format ------------------------------------------------------------------------------------

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5


def varint(n):
    """Base-128 varint; negative ints are written as their 64-bit two's complement (10 bytes)."""
    n = int(n)
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(number, wire_type):
    return varint((number << 3) | wire_type)


def field_varint(number, value):
    return _key(number, VARINT) + varint(value)


def field_bytes(number, value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _key(number, BYTES) + varint(len(value)) + bytes(value)


def field_double(number, value):
    return _key(number, FIXED64) + struct.pack("<d", value)


def field_float(number, value):
    return _key(number, FIXED32) + struct.pack("<f", value)


def field_packed_doubles(number, values):
    return field_bytes(number, np.asarray(values, dtype="<f8").tobytes())


def _read_varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint in protocol buffer")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes in protocol buffer")


def parse(buf):
    """A message's fields: {number: [values]}; varints as ints, other wire types as bytes."""
    fields = {}
    pos, n = 0, len(buf)
    while pos < n:
        key = buf[pos]
        if key < 0x80:   # NOTE: one-byte keys and lengths are the common case, read inline for speed
            pos += 1
        else:
            key, pos = _read_varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == BYTES:
            length = buf[pos] if pos < n else 0x80
            if length < 0x80:
                pos += 1
            else:
                length, pos = _read_varint(buf, pos)
            value, pos = bytes(buf[pos:pos + length]), pos + length
        elif wire_type == VARINT:
            value, pos = _read_varint(buf, pos)
        elif wire_type == FIXED64:
            value, pos = bytes(buf[pos:pos + 8]), pos + 8
        elif wire_type == FIXED32:
            value, pos = bytes(buf[pos:pos + 4]), pos + 4
        else:
            raise ValueError(f"unsupported protocol buffer wire type {wire_type} (field {number})")
        if pos > n:
            raise ValueError(f"truncated protocol buffer (field {number})")
        values = fields.get(number)
        if values is None:
            fields[number] = [value]
        else:
            values.append(value)
    return fields


def last(fields, number, default=None):
    values = fields.get(number)
    return values[-1] if values else default


def signed64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def unpack_double(raw):
    return struct.unpack("<d", raw)[0]


def unpack_float(raw):
    return struct.unpack("<f", raw)[0]


def repeated_fixed(fields, number, fmt, size):
    """A repeated fixed-width field, packed (one bytes value) or not (one value per entry)."""
    out = []
    for v in fields.get(number, ()):
        out.extend(struct.unpack(f"<{len(v) // size}{fmt}", v))
    return out


def repeated_varints(fields, number):
    out = []
    for v in fields.get(number, ()):
        if isinstance(v, int):
            out.append(v)
        else:  # packed
            pos = 0
            while pos < len(v):
                x, pos = _read_varint(v, pos)
                out.append(x)
    return out


# -- DataType and tensors ---------------------------------------------------------------------------

DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = 1, 2, 3, 4, 5, 6, 7
DT_INT64, DT_BOOL, DT_UINT16, DT_HALF, DT_UINT32, DT_UINT64 = 9, 10, 17, 19, 22, 23
_NUMPY_OF = {DT_FLOAT: np.float32, DT_DOUBLE: np.float64, DT_INT32: np.int32, DT_UINT8: np.uint8,
             DT_INT16: np.int16, DT_INT8: np.int8, DT_INT64: np.int64, DT_BOOL: np.bool_, DT_UINT16: np.uint16,
             DT_HALF: np.float16, DT_UINT32: np.uint32, DT_UINT64: np.uint64}
_DATATYPE_OF = {np.dtype(v): k for k, v in _NUMPY_OF.items()}
_LITTLE_ENDIAN = {k: np.dtype(v).newbyteorder("<") for k, v in _NUMPY_OF.items()}


def datatype_of(dtype):
    """The DataType enum value of a numpy dtype (or a webtensor DType)."""
    np_dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    if np_dtype.kind in "SUO":
        return DT_STRING
    try:
        return _DATATYPE_OF[np_dtype]
    except KeyError:
        raise TypeError(f"no TensorFlow DataType for dtype {np_dtype}") from None


def encode_shape(dims):
    """TensorShapeProto; None in dims is -1 (unknown size), dims=None is unknown rank."""
    if dims is None:
        return field_varint(3, 1)
    return b"".join(field_bytes(2, field_varint(1, -1 if d is None else d)) for d in dims)


def decode_shape(buf):
    fields = parse(buf)
    if last(fields, 3):
        return None
    sizes = [signed64(last(parse(d), 1, 0)) for d in fields.get(2, ())]
    return [None if size == -1 else size for size in sizes]


def _as_bytes(x):
    return x if isinstance(x, bytes) else str(x).encode("utf-8")


def encode_tensor(value):
    """TensorProto of a numpy value: numbers in tensor_content, strings in string_val (as TensorFlow)."""
    a = np.asarray(value) if not isinstance(value, (bytes, str)) else np.array(value, dtype=object)
    dtype = datatype_of(a.dtype)
    out = field_varint(1, dtype) + field_bytes(2, encode_shape(a.shape))
    if dtype == DT_STRING:
        out += b"".join(field_bytes(8, _as_bytes(s)) for s in a.reshape(-1).tolist())
    else:
        out += field_bytes(4, np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes())
    return out


def decode_tensor(buf):
    """A TensorProto as a numpy array (strings as an object array of bytes)."""
    fields = parse(buf)
    dtype = last(fields, 1, 0)
    shape_buf = last(fields, 2)
    shape = tuple(decode_shape(shape_buf) or ()) if shape_buf is not None else ()
    count = math.prod(shape)
    if dtype == DT_STRING:
        values = fields.get(8, [])
        a = np.empty(len(values), dtype=object)
        a[:] = values
    else:
        np_dtype = _NUMPY_OF.get(dtype)
        if np_dtype is None:
            raise ValueError(f"unsupported TensorProto dtype {dtype}")
        content = last(fields, 4)
        if content is not None:
            a = np.frombuffer(content, dtype=_LITTLE_ENDIAN[dtype]).astype(np_dtype, copy=False)
        elif dtype == DT_FLOAT:
            a = np.array(repeated_fixed(fields, 5, "f", 4), dtype=np.float32)
        elif dtype == DT_DOUBLE:
            a = np.array(repeated_fixed(fields, 6, "d", 8), dtype=np.float64)
        elif dtype == DT_HALF:
            a = np.array(repeated_varints(fields, 13), dtype=np.uint16).view(np.float16)
        elif dtype in (DT_INT64,):
            a = np.array([signed64(v) for v in repeated_varints(fields, 10)], dtype=np.int64)
        elif dtype == DT_UINT64:
            a = np.array(repeated_varints(fields, 17), dtype=np.uint64)
        elif dtype == DT_UINT32:
            a = np.array(repeated_varints(fields, 16), dtype=np.uint32)
        elif dtype == DT_BOOL:
            a = np.array(repeated_varints(fields, 11), dtype=np.bool_)
        else:  # int32, int16, int8, uint8, uint16 share int_val
            a = np.array([signed64(v) for v in repeated_varints(fields, 7)], dtype=np.int64).astype(np_dtype)
    if a.size == count:
        return a.reshape(shape)
    if a.size == 0:
        return np.zeros(shape, dtype=a.dtype) if a.dtype != object else np.full(shape, b"", dtype=object)
    # TensorFlow repeats the last value to fill the shape
    return np.concatenate([a, np.repeat(a[-1:], count - a.size)]).reshape(shape)


# -- summaries and events ---------------------------------------------------------------------------

DATA_CLASS_SCALAR, DATA_CLASS_TENSOR, DATA_CLASS_BLOB_SEQUENCE = 1, 2, 3


@dataclass
class SummaryMetadata:
    plugin_name: str = ""
    plugin_content: bytes = b""
    display_name: str = ""
    description: str = ""
    data_class: int = 0


@dataclass
class Histogram:
    """The legacy HistogramProto."""
    min: float = 0.0
    max: float = 0.0
    num: float = 0.0
    sum: float = 0.0
    sum_squares: float = 0.0
    bucket_limit: list = field(default_factory=list)
    bucket: list = field(default_factory=list)


@dataclass
class Image:
    """The legacy Summary.Image: an encoded (PNG) image."""
    height: int = 0
    width: int = 0
    colorspace: int = 0
    encoded: bytes = b""


@dataclass
class Value:
    """One Summary.Value: exactly one of simple_value, tensor, histo, image is set."""
    tag: str = ""
    metadata: SummaryMetadata = None
    simple_value: float = None
    tensor: np.ndarray = None
    histo: Histogram = None
    image: Image = None


@dataclass
class Event:
    wall_time: float = 0.0
    step: int = 0
    file_version: str = None
    graph_def: bytes = None
    summary: list = None       # [Value]
    other_fields: tuple = ()   # numbers of fields this reader does not decode (log_message, session_log, ...)


def encode_metadata(metadata):
    out = b""
    if metadata.plugin_name:
        out += field_bytes(1, field_bytes(1, metadata.plugin_name) +
                           (field_bytes(2, metadata.plugin_content) if metadata.plugin_content else b""))
    if metadata.display_name:
        out += field_bytes(2, metadata.display_name)
    if metadata.description:
        out += field_bytes(3, metadata.description)
    if metadata.data_class:
        out += field_varint(4, metadata.data_class)
    return out


@functools.lru_cache(maxsize=256)   # every event of a tag usually repeats the same metadata
def _decode_metadata_cached(buf):
    return _decode_metadata(buf)


def decode_metadata(buf):
    meta = _decode_metadata_cached(bytes(buf))
    return SummaryMetadata(meta.plugin_name, meta.plugin_content, meta.display_name, meta.description,
                           meta.data_class)


def _decode_metadata(buf):
    fields = parse(buf)
    meta = SummaryMetadata(display_name=last(fields, 2, b"").decode("utf-8", "replace"),
                           description=last(fields, 3, b"").decode("utf-8", "replace"),
                           data_class=last(fields, 4, 0))
    plugin = last(fields, 1)
    if plugin is not None:
        pf = parse(plugin)
        meta.plugin_name = last(pf, 1, b"").decode("utf-8", "replace")
        meta.plugin_content = last(pf, 2, b"")
    return meta


def encode_histogram(h):
    return (field_double(1, h.min) + field_double(2, h.max) + field_double(3, h.num) + field_double(4, h.sum) +
            field_double(5, h.sum_squares) + field_packed_doubles(6, h.bucket_limit) +
            field_packed_doubles(7, h.bucket))


def decode_histogram(buf):
    fields = parse(buf)
    return Histogram(*(unpack_double(last(fields, i, bytes(8))) for i in range(1, 6)),
                     bucket_limit=repeated_fixed(fields, 6, "d", 8), bucket=repeated_fixed(fields, 7, "d", 8))


def encode_value(value):
    out = field_bytes(1, value.tag)
    if value.metadata is not None:
        out += field_bytes(9, encode_metadata(value.metadata))
    if value.simple_value is not None:
        out += field_float(2, value.simple_value)
    if value.tensor is not None:
        out += field_bytes(8, encode_tensor(value.tensor))
    if value.histo is not None:
        out += field_bytes(5, encode_histogram(value.histo))
    if value.image is not None:
        img = value.image
        out += field_bytes(4, field_varint(1, img.height) + field_varint(2, img.width) +
                           field_varint(3, img.colorspace) + field_bytes(4, img.encoded))
    return out


def decode_value(buf):
    fields = parse(buf)
    value = Value(tag=last(fields, 1, b"").decode("utf-8", "replace"))
    if 9 in fields:
        value.metadata = decode_metadata(last(fields, 9))
    if 2 in fields:
        value.simple_value = unpack_float(last(fields, 2))
    if 8 in fields:
        value.tensor = decode_tensor(last(fields, 8))
    if 5 in fields:
        value.histo = decode_histogram(last(fields, 5))
    if 4 in fields:
        img = parse(last(fields, 4))
        value.image = Image(last(img, 1, 0), last(img, 2, 0), last(img, 3, 0), last(img, 4, b""))
    return value


def encode_event(event):
    out = field_double(1, event.wall_time)
    if event.step:
        out += field_varint(2, event.step)
    if event.file_version is not None:
        out += field_bytes(3, event.file_version)
    if event.graph_def is not None:
        out += field_bytes(4, event.graph_def)
    if event.summary is not None:
        out += field_bytes(5, b"".join(field_bytes(1, encode_value(v)) for v in event.summary))
    return out


def decode_event(buf):
    fields = parse(buf)
    event = Event(wall_time=unpack_double(last(fields, 1, bytes(8))), step=signed64(last(fields, 2, 0)))
    if 3 in fields:
        event.file_version = last(fields, 3).decode("utf-8", "replace")
    if 4 in fields:
        event.graph_def = last(fields, 4)
    if 5 in fields:
        event.summary = [decode_value(v) for v in parse(last(fields, 5)).get(1, ())]
    event.other_fields = tuple(sorted(set(fields) - {1, 2, 3, 4, 5}))
    return event
