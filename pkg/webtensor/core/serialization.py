"""The tensor file format shared by checkpoints, saved models and Keras weights, and atomic writes.

A tensor file holds no pickle and nothing executable: a fixed prefix, a JSON header, then raw
little-endian tensor data, each tensor with its CRC32.

    offset 0   magic  b"WTENSOR\\0"                 (8 bytes)
           8   format version                        (uint32, little-endian)
          12   header length n                       (uint64)
          20   CRC32 of the header                   (uint32)
          24   header: UTF-8 JSON object, n bytes
               {"tensors": {key: {"dtype", "shape", "offset", "length", "crc32"}},
                "data_length": int, "metadata": {...}}
    align8(24 + n)  data: each tensor's bytes at its offset (relative to the data start)

Readers check everything before they allocate or trust it (the header length against the file
size, each offset/length against the data section, shape × itemsize against the length, known
dtypes only, checksums) and raise CorruptFileError naming the file and the problem.
"""
import json
import os
import struct
import tempfile
import zlib

import numpy as np

from .. import errors

MAGIC = b"WTENSOR\0"
VERSION = 1
_PREFIX = struct.Struct("<8sIQI")  # magic, version, header length, header crc32
_ALIGN = 64
MAX_RANK = 64
MAX_KEY_LENGTH = 4096
MAX_HEADER_BYTES = 1 << 30

# dtype name -> numpy little-endian dtype; nothing else is accepted from a file
DTYPES = {
    "bool": np.dtype("bool"), "int8": np.dtype("<i1"), "int16": np.dtype("<i2"), "int32": np.dtype("<i4"),
    "int64": np.dtype("<i8"), "uint8": np.dtype("<u1"), "uint16": np.dtype("<u2"), "uint32": np.dtype("<u4"),
    "uint64": np.dtype("<u8"), "float16": np.dtype("<f2"), "float32": np.dtype("<f4"), "float64": np.dtype("<f8"),
}


class CorruptFileError(errors.DataLossError, ValueError):
    """A saved file is truncated, corrupt or not a webtensor file (a DataLossError, and a ValueError)."""

    def __init__(self, path, problem):
        super().__init__(None, None, f"{path}: {problem}")
        self.path = path
        self.problem = problem


# -- writing ----------------------------------------------------------------------------------------

def _align(n, to=_ALIGN):
    return (n + to - 1) // to * to


def _dtype_name(array):
    for name, dt in DTYPES.items():
        if array.dtype.kind == dt.kind and array.dtype.itemsize == dt.itemsize:
            return name
    raise TypeError(f"Cannot save a tensor of dtype {array.dtype}; supported dtypes: {', '.join(DTYPES)}")


def check_key(key, path="<tensor file>"):
    """Raises CorruptFileError unless key is a sane tensor name (a non-empty string, no NUL, bounded length)."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or "\0" in key:
        raise CorruptFileError(path, f"invalid tensor name {key!r:.80}")


def dumps(tensors, metadata=None):
    """The bytes of a tensor file holding `tensors` ({name: array-like}) and JSON-able `metadata`.

    >>> blob = dumps({"w": np.ones(3, np.float32)}, {"note": "hi"})
    >>> loads(blob)[0]["w"]
    array([1., 1., 1.], dtype=float32)
    """
    entries, chunks, offset = {}, [], 0
    for key, value in tensors.items():
        check_key(key)
        arr = np.asarray(value)
        name = _dtype_name(arr)
        data = np.ascontiguousarray(arr, dtype=DTYPES[name]).tobytes()
        entries[key] = {"dtype": name, "shape": [int(d) for d in arr.shape], "offset": offset,
                        "length": len(data), "crc32": zlib.crc32(data)}
        padded = _align(len(data))
        chunks.append(data + b"\0" * (padded - len(data)))
        offset += padded
    header = {"tensors": entries, "data_length": offset, "metadata": metadata if metadata is not None else {}}
    hbytes = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    start = _align(_PREFIX.size + len(hbytes), 8)
    prefix = _PREFIX.pack(MAGIC, VERSION, len(hbytes), zlib.crc32(hbytes))
    return b"".join([prefix, hbytes, b"\0" * (start - _PREFIX.size - len(hbytes))] + chunks)


def atomic_write(path, data):
    """Writes bytes to path atomically: a temporary file in the same folder, fsync, then os.replace.

    A crash (or an exception) midway leaves any previous file at `path` untouched.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_all(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _write_all(f, data):
    """Writes data in chunks (one seam where tests simulate a crash midway)."""
    view = memoryview(data)
    for i in range(0, len(view), 1 << 24):
        f.write(view[i:i + (1 << 24)])


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(path, tensors, metadata=None):
    """Saves tensors ({name: array}) and metadata to a tensor file, atomically."""
    atomic_write(path, dumps(tensors, metadata))


# -- reading ----------------------------------------------------------------------------------------

class TensorFile:
    """A parsed, validated tensor file (from bytes); tensors are checked and decoded on demand.

    >>> f = TensorFile.open("ckpt-1.index")
    >>> sorted(f.keys()), f.metadata
    """

    def __init__(self, data, path="<bytes>"):
        self.path = path
        self._data = memoryview(data)
        self.metadata, self._entries, self._start = _parse(self._data, path)

    @classmethod
    def open(cls, path):
        """Reads and validates the file at path."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{path}: no such file") from None
        except IsADirectoryError:
            raise errors.NotFoundError(None, None, f"{path}: is a directory, not a tensor file") from None
        return cls(data, path)

    def keys(self):
        return list(self._entries)

    def __contains__(self, key):
        return key in self._entries

    def spec(self, key):
        """(shape tuple, dtype name) of a tensor, without reading its data."""
        e = self._entries[key]
        return tuple(e["shape"]), e["dtype"]

    def read(self, key):
        """The tensor `key` as a numpy array (native byte order), after checking its CRC32."""
        if key not in self._entries:
            raise KeyError(f"{self.path}: no tensor named {key!r}")
        e = self._entries[key]
        lo = self._start + e["offset"]
        raw = self._data[lo:lo + e["length"]]
        if zlib.crc32(raw) != e["crc32"]:
            raise CorruptFileError(self.path, f"checksum mismatch in the data of tensor {key!r} (the file is "
                                   "corrupt)")
        dt = DTYPES[e["dtype"]]
        arr = np.frombuffer(raw, dtype=dt).reshape(e["shape"])
        return arr.astype(dt.newbyteorder("="), copy=True)

    def read_all(self):
        return {k: self.read(k) for k in self._entries}


def loads(data, path="<bytes>"):
    """(tensors dict, metadata) from the bytes of a tensor file; raises CorruptFileError."""
    f = TensorFile(data, path)
    return f.read_all(), f.metadata


def read_file(path):
    """(tensors dict, metadata) from a tensor file on disk; raises CorruptFileError or NotFoundError."""
    f = TensorFile.open(path)
    return f.read_all(), f.metadata


def _parse(data, path):
    size = len(data)
    if size == 0:
        raise CorruptFileError(path, "empty file (truncated to 0 bytes)")
    if size < _PREFIX.size:
        if bytes(data[:len(MAGIC)]) != MAGIC[:min(size, len(MAGIC))]:
            raise CorruptFileError(path, "not a webtensor tensor file (bad magic number)")
        raise CorruptFileError(path, f"truncated: {size} bytes, shorter than the {_PREFIX.size}-byte file prefix")
    magic, version, hlen, hcrc = _PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise CorruptFileError(path, "not a webtensor tensor file (bad magic number)")
    if version != VERSION:
        raise CorruptFileError(path, f"unsupported format version {version} (this webtensor reads version "
                               f"{VERSION})")
    if hlen > size - _PREFIX.size or hlen > MAX_HEADER_BYTES:
        raise CorruptFileError(path, f"header length {hlen} runs past the end of the file ({size} bytes): the "
                               "file is truncated or corrupt")
    hbytes = data[_PREFIX.size:_PREFIX.size + hlen]
    if zlib.crc32(hbytes) != hcrc:
        raise CorruptFileError(path, "header checksum mismatch (the file is corrupt)")
    try:
        header = json.loads(bytes(hbytes).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CorruptFileError(path, f"header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise CorruptFileError(path, f"header must be a JSON object, got {type(header).__name__}")
    tensors, metadata, dlen = header.get("tensors"), header.get("metadata", {}), header.get("data_length")
    if not isinstance(tensors, dict) or not isinstance(metadata, dict) or not _is_int(dlen) or dlen < 0:
        raise CorruptFileError(path, "header lacks a 'tensors' object, a 'metadata' object or a 'data_length'")
    start = _align(_PREFIX.size + hlen, 8)
    if start + dlen != size:
        what = "truncated" if start + dlen > size else "longer than its header says"
        raise CorruptFileError(path, f"file is {what}: {size} bytes, expected {start + dlen}")
    entries = {}
    for key, e in tensors.items():
        check_key(key, path)
        entries[key] = _check_entry(key, e, dlen, path)
    return metadata, entries, start


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _check_entry(key, e, dlen, path):
    if not isinstance(e, dict):
        raise CorruptFileError(path, f"tensor {key!r}: entry is not an object")
    dtype, shape, off, length, crc = (e.get(k) for k in ("dtype", "shape", "offset", "length", "crc32"))
    if dtype not in DTYPES:
        raise CorruptFileError(path, f"tensor {key!r}: unknown dtype {dtype!r:.40}")
    if (not isinstance(shape, list) or len(shape) > MAX_RANK
            or not all(_is_int(d) and 0 <= d < (1 << 62) for d in shape)):
        raise CorruptFileError(path, f"tensor {key!r}: invalid shape {shape!r:.80}")
    if not all(_is_int(v) and v >= 0 for v in (off, length, crc)):
        raise CorruptFileError(path, f"tensor {key!r}: invalid offset, length or crc32")
    count = 1
    for d in shape:
        count *= d
    if count * DTYPES[dtype].itemsize != length:
        raise CorruptFileError(path, f"tensor {key!r}: shape {shape} of {dtype} needs "
                               f"{count * DTYPES[dtype].itemsize} bytes, but the entry says {length}")
    if off + length > dlen:
        raise CorruptFileError(path, f"tensor {key!r}: bytes {off}..{off + length} lie outside the data section "
                               f"({dlen} bytes)")
    return {"dtype": dtype, "shape": shape, "offset": off, "length": length, "crc32": crc}


def safe_relative_path(name, path="<file>"):
    """Checks that a name read from a file is a plain relative path with no '..', drive or root."""
    if (not isinstance(name, str) or not name or "\0" in name or name.startswith(("/", "\\"))
            or os.path.isabs(name) or any(p in ("..", "") for p in name.replace("\\", "/").split("/"))
            or ":" in name):
        raise CorruptFileError(path, f"unsafe path {name!r:.80} (absolute, empty or with '..')")
    return name
