"""TFRecord framing of event files, with the masked CRC32C (Castagnoli) TensorFlow checks.

A record is: uint64 length (little-endian), uint32 masked CRC32C of those 8
bytes, the data, uint32 masked CRC32C of the data. Writers append whole
records, so a crash leaves every earlier record readable; readers stop before a
partial last record and resume from that offset later.
"""
import struct

import numpy as np

_POLY = 0x82F63B78  # CRC32C, reflected


def _make_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_TABLE_NP = np.array(_TABLE, dtype=np.uint32)
_LANES = 512            # data of at least _LANES * _MIN_LANE_BYTES bytes is hashed in parallel lanes
_MIN_LANE_BYTES = 64
_SHIFT_TABLES = {}      # lane length -> 4 x 256 table applying "append that many zero bytes" to a register


def _crc_update(reg, data):
    """Raw register update (no pre/post inversion) over bytes, one table lookup per byte."""
    table = _TABLE
    for b in data:
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def _shift_tables(length):
    """Tables T with shift(r) = T0[r & 255] ^ T1[r >> 8 & 255] ^ ...: the register after `length` zero bytes."""
    tables = _SHIFT_TABLES.get(length)
    if tables is None:
        basis = np.array([1 << i for i in range(32)], dtype=np.uint32)   # the operator is linear in r
        for _ in range(length):
            basis = _TABLE_NP[basis & 0xFF] ^ (basis >> 8)
        tables = np.zeros((4, 256), dtype=np.uint32)
        byte_values = np.arange(256)
        for k in range(4):
            for bit in range(8):
                has_bit = (byte_values >> bit) & 1 == 1
                tables[k, has_bit] ^= basis[8 * k + bit]
        _SHIFT_TABLES[length] = tables = [[int(x) for x in row] for row in tables]
    return tables


def _crc_update_lanes(reg, data):
    """The register update over a large buffer: lanes hashed side by side with numpy, then chained."""
    lane_bytes = len(data) // _LANES
    body = np.frombuffer(data, dtype=np.uint8, count=lane_bytes * _LANES).reshape(_LANES, lane_bytes)
    lanes = np.zeros(_LANES, dtype=np.uint32)
    table = _TABLE_NP
    for j in range(lane_bytes):
        lanes = table[(lanes ^ body[:, j]) & 0xFF] ^ (lanes >> 8)
    # NOTE: the update is linear, so crc(A + B) from reg = shift_len(B)(crc(A) from reg) ^ crc(B) from 0.
    t0, t1, t2, t3 = _shift_tables(lane_bytes)
    for lane in lanes.tolist():
        reg = t0[reg & 0xFF] ^ t1[(reg >> 8) & 0xFF] ^ t2[(reg >> 16) & 0xFF] ^ t3[reg >> 24] ^ lane
    return _crc_update(reg, memoryview(data)[lane_bytes * _LANES:])


def crc32c(data):
    """CRC32C (Castagnoli) of bytes, as TFRecord files use.

    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    if len(data) >= _LANES * _MIN_LANE_BYTES:
        reg = _crc_update_lanes(0xFFFFFFFF, data)
    else:
        reg = _crc_update(0xFFFFFFFF, data)
    return reg ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The masked CRC stored in records: rotate right by 15 bits, plus 0xa282ead8 (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc32c_many(chunks):
    """masked_crc32c of many byte strings; strings of one length are hashed side by side with numpy."""
    out = [0] * len(chunks)
    by_length = {}
    for i, chunk in enumerate(chunks):
        by_length.setdefault(len(chunk), []).append(i)
    for length, index in by_length.items():
        if len(index) < 16 or length >= _LANES * _MIN_LANE_BYTES:
            for i in index:
                out[i] = masked_crc32c(chunks[i])
            continue
        columns = np.frombuffer(b"".join(chunks[i] for i in index), np.uint8).reshape(len(index), length).T.copy()
        reg = np.full(len(index), 0xFFFFFFFF, dtype=np.uint32)
        for column in columns:
            reg = _TABLE_NP[(reg ^ column) & 0xFF] ^ (reg >> 8)
        crc = reg ^ np.uint32(0xFFFFFFFF)
        masked = ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(0xA282EAD8)
        for i, m in zip(index, masked.tolist()):
            out[i] = m
    return out


def unmask_crc(masked):
    """Inverse of the masking step of masked_crc32c."""
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def frame_record(data):
    """One TFRecord: header, header CRC, data, data CRC."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + bytes(data) + struct.pack("<I", masked_crc32c(data))


class DataLossError(Exception):
    """A record whose CRC does not match: the file is corrupt at `path`, byte `offset`."""

    def __init__(self, path, offset, what):
        super().__init__(f"corrupted record in event file {path} at byte offset {offset}: {what}")
        self.path = path
        self.offset = offset


class RecordReader:
    """Reads the records of one file incrementally: `read_new()` returns the complete records added since
    the last call; a partial record at the end is left for the next call.

    >>> reader = RecordReader("events.out.tfevents.1.host.1.0.v2")
    >>> records = reader.read_new()
    """

    def __init__(self, path, skip_corrupt=False):
        self.path = path
        self.offset = 0
        self.skip_corrupt = skip_corrupt
        self.corrupt_records = 0   # how many were skipped

    def read_new(self):
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            buf = f.read()
        # find the complete records first, then check every CRC in one batch
        spans, pos, n = [], 0, len(buf)
        while n - pos >= 12:
            (length,) = struct.unpack_from("<Q", buf, pos)
            end = pos + 12 + length + 4
            if end > n:
                break   # a record still being written, or a corrupt length (checked below)
            spans.append((pos, end))
            pos = end
        view = memoryview(buf)
        headers = [view[a:a + 8] for a, _ in spans]
        datas = [view[a + 12:b - 4] for a, b in spans]
        header_ok = masked_crc32c_many(headers)
        data_ok = masked_crc32c_many(datas)
        records = []
        for (a, b), header_crc, data_crc, data in zip(spans, header_ok, data_ok, datas):
            if struct.unpack_from("<I", buf, a + 8)[0] != header_crc:
                self._corrupt(a, "the length header's CRC32C does not match")
                self.offset += n     # the length cannot be trusted, so nothing after it can be found
                return records
            if struct.unpack_from("<I", buf, b - 4)[0] != data_crc:
                self._corrupt(a, f"the CRC32C of the {len(data)} data bytes does not match")
            else:
                records.append(bytes(data))
        if n - pos >= 12 and masked_crc32c(view[pos:pos + 8]) != struct.unpack_from("<I", buf, pos + 8)[0]:
            self._corrupt(pos, "the length header's CRC32C does not match")
            pos = n
        self.offset += pos
        return records

    def _corrupt(self, pos, what):
        if not self.skip_corrupt:
            raise DataLossError(self.path, self.offset + pos, what)
        self.corrupt_records += 1


def read_records(path, skip_corrupt=False):
    """All complete records of a TFRecord file, as bytes."""
    return RecordReader(path, skip_corrupt).read_new()
