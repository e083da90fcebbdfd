"""PNG encoding (8-bit gray, gray+alpha, RGB, RGBA) with zlib, and decoding for reading images back."""
import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}          # channels -> PNG color type
_CHANNELS = {v: k for k, v in _COLOR_TYPE.items()}


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(pixels, compression=6):
    """PNG bytes of a uint8 array of shape [height, width, channels] (channels 1 to 4).

    >>> encode_png(np.zeros((2, 3, 1), np.uint8))[:4]
    b'\\x89PNG'
    """
    a = np.asarray(pixels)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in _COLOR_TYPE or a.dtype != np.uint8:
        raise ValueError(f"encode_png: expected a uint8 array of shape [height, width, 1|2|3|4], got "
                         f"{a.dtype} {list(a.shape)}")
    height, width, channels = a.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), a.reshape(height, width * channels)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), compression)) +
            _chunk(b"IEND", b""))


def decode_png(data):
    """A uint8 array [height, width, channels] from 8-bit non-interlaced PNG bytes (any filter)."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("decode_png: not a PNG (bad signature)")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("decode_png: missing IHDR chunk")
    width, height, depth, color_type, _, _, interlace = header
    if depth != 8 or color_type not in _CHANNELS or interlace:
        raise ValueError(f"decode_png: only 8-bit non-interlaced gray/RGB(A) images are supported "
                         f"(bit depth {depth}, color type {color_type}, interlace {interlace})")
    channels = _CHANNELS[color_type]
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + prev) & 0xFF
        else:  # Sub, Average and Paeth depend on the bytes to their left: one pixel at a time
            row = np.zeros(stride, np.int32)
            for x in range(stride):
                left = row[x - channels] if x >= channels else 0
                up_left = prev[x - channels] if x >= channels else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + prev[x]) // 2
                elif kind == 4:
                    p = left + prev[x] - up_left
                    pa, pb, pc = abs(p - left), abs(p - prev[x]), abs(p - up_left)
                    pred = left if pa <= pb and pa <= pc else (prev[x] if pb <= pc else up_left)
                else:
                    raise ValueError(f"decode_png: unknown filter type {kind} on row {y}")
                row[x] = (line[x] + pred) & 0xFF
        out[y] = row
        prev = row
    return out.astype(np.uint8).reshape(height, width, channels)
