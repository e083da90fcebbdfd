"""Event-file format: CRC32C, record framing, reading files written in TensorFlow's format, corrupt and
truncated files, incremental reads, and interop with the tensorboard package's own reader and writer."""
import os
import struct

import numpy as np
import pytest

import webtensor as tf
from webtensor.summary import event_file, proto
from webtensor.summary.graph_def import decode_graph_def


# -- an independent reference: bitwise CRC32C and a minimal protobuf encoder ---------------------------

def ref_crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def ref_masked(data):
    crc = ref_crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) % (1 << 32)


def ref_record(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", ref_masked(length)) + data + struct.pack("<I", ref_masked(data))


def vint(n):
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        out += bytes([low | (0x80 if n else 0)])
        if not n:
            return out


def f_len(num, payload):          # wire type 2
    payload = payload.encode() if isinstance(payload, str) else payload
    return vint(num << 3 | 2) + vint(len(payload)) + payload


def f_int(num, value):            # wire type 0
    return vint(num << 3) + vint(value)


def f_f64(num, value):            # wire type 1
    return vint(num << 3 | 1) + struct.pack("<d", value)


def f_f32(num, value):            # wire type 5
    return vint(num << 3 | 5) + struct.pack("<f", value)


def ref_event(wall_time, step, summary_values=(), file_version=None, graph_def=None):
    out = f_f64(1, wall_time) + f_int(2, step)
    if file_version:
        out += f_len(3, file_version)
    if graph_def is not None:
        out += f_len(4, graph_def)
    if summary_values:
        out += f_len(5, b"".join(f_len(1, v) for v in summary_values))
    return out


def ref_plugin_meta(plugin):
    return f_len(9, f_len(1, f_len(1, plugin)))


def write_ref_file(path, events):
    with open(path, "wb") as f:
        for e in events:
            f.write(ref_record(e))


# -- CRC32C -----------------------------------------------------------------------------------------

def test_crc32c_known_answers():
    assert event_file.crc32c(b"123456789") == 0xE3069283
    assert event_file.crc32c(b"") == 0
    assert event_file.crc32c(bytes(32)) == 0x8A9136AA           # RFC 3720 B.4 test vectors
    assert event_file.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert event_file.crc32c(bytes(range(32))) == 0x46DD794E


def test_masked_crc_matches_the_definition():
    for data in [b"", b"a", b"123456789", bytes(range(256))]:
        assert event_file.masked_crc32c(data) == ref_masked(data)
        assert event_file.unmask_crc(event_file.masked_crc32c(data)) == event_file.crc32c(data)


@pytest.mark.parametrize("n", [0, 1, 63, 32767, 32768, 32769, 100003])
def test_crc32c_large_buffers_use_lanes_and_agree(n):
    rng = np.random.default_rng(n)
    data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    expected = event_file._crc_update(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    assert event_file.crc32c(data) == expected
    if n <= 1000:
        assert expected == ref_crc32c(data)


def test_crc32c_lanes_against_bitwise_reference():
    data = bytes((i * 7 + 3) % 256 for i in range(40000))
    assert event_file.crc32c(data) == ref_crc32c(data)


def test_frame_record_matches_reference_framing():
    for data in [b"", b"hello", bytes(1000)]:
        assert event_file.frame_record(data) == ref_record(data)


# -- reading files in TensorFlow's format ------------------------------------------------------------

def test_reads_reference_file_with_simple_values_tensors_and_legacy_histograms(tmp_path):
    run = tmp_path / "run1"
    run.mkdir()
    scalar_tensor = f_len(8, f_int(1, 1) + f_len(2, b"") + f_len(4, struct.pack("<f", 2.5)))
    histo = (f_f64(1, -1.0) + f_f64(2, 3.0) + f_f64(3, 4.0) + f_f64(4, 6.0) + f_f64(5, 14.0) +
             f_len(6, struct.pack("<3d", 0.0, 1.0, 1.7976931348623157e308)) + f_len(7, struct.pack("<3d", 1, 1, 2)))
    hist_tensor = np.array([[0.0, 1.0, 3.0], [1.0, 2.0, 5.0]])
    shape = f_len(2, f_int(1, 2)) + f_len(2, f_int(1, 3))
    hist_value = f_len(8, f_int(1, 2) + f_len(2, shape) + b"".join(f_f64(6, x) for x in hist_tensor.reshape(-1)))
    text_value = f_len(8, f_int(1, 7) + f_len(2, b"") + f_len(8, "hi *there*"))
    events = [
        ref_event(100.0, 0, file_version="brain.Event:2"),
        ref_event(101.0, 1, [f_len(1, "loss") + f_f32(2, 0.75)]),                       # TF1 simple_value
        ref_event(102.0, 2, [f_len(1, "acc") + ref_plugin_meta("scalars") + scalar_tensor]),   # TF2 tensor
        ref_event(103.0, 3, [f_len(1, "acc") + scalar_tensor]),                     # metadata on first only
        ref_event(104.0, 4, [f_len(1, "w") + f_len(5, histo)]),                    # legacy HistogramProto
        ref_event(105.0, 5, [f_len(1, "w2") + ref_plugin_meta("histograms") + hist_value]),
        ref_event(106.0, 6, [f_len(1, "note") + ref_plugin_meta("text") + text_value]),
        ref_event(107.0, 0, graph_def=f_len(1, f_len(1, "x") + f_len(2, "Placeholder")) +
                  f_len(1, f_len(1, "y") + f_len(2, "Neg") + f_len(3, "x"))),
    ]
    write_ref_file(run / "events.out.tfevents.100.host.1.0.v2", events)
    data = tf.summary.read_logdir(tmp_path)["run1"]
    assert data["loss"] == [(1, 101.0, 0.75)]
    (step, wall_time, value), = data["loss"]         # the layout: {tag: [(step, wall_time, value)]}
    assert (step, wall_time, value) == (1, 101.0, 0.75) and data.scalars is data
    with pytest.raises(KeyError, match="run.histograms"):
        data["histograms"]                             # the old nested layout names where a kind went
    assert [(e.step, e.value) for e in data["acc"]] == [(2, 2.5), (3, 2.5)]
    (h,) = data.histograms["w"]
    np.testing.assert_array_equal(h.buckets, [[-1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 3.0, 2.0]])
    np.testing.assert_array_equal(data.histograms["w2"][0].buckets, hist_tensor)
    assert data.text["note"][0].text == "hi *there*"
    (g,) = data.graphs
    assert [(n.name, n.op, n.inputs) for n in g.nodes] == [("x", "Placeholder", []), ("y", "Neg", ["x"])]
    first = next(tf.summary.read_events(str(run / "events.out.tfevents.100.host.1.0.v2")))
    assert first.file_version == "brain.Event:2" and first.wall_time == 100.0


def test_runs_are_directories_with_event_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    for path, value in [(tmp_path, 1.0), (tmp_path / "a" / "b", 2.0)]:
        write_ref_file(path / "events.out.tfevents.1.h.1.0.v2",
                       [ref_event(1.0, 0, file_version="brain.Event:2"),
                        ref_event(2.0, 7, [f_len(1, "v") + f_f32(2, value)])])
    runs = tf.summary.read_logdir(tmp_path)
    assert sorted(runs) == [".", "a/b"]
    assert runs["."]["v"][0].value == 1.0 and runs["a/b"]["v"][0].value == 2.0


# -- truncated and corrupt files ---------------------------------------------------------------------

def _three_scalar_file(path):
    records = [ref_record(ref_event(float(i), i, [f_len(1, "x") + f_f32(2, float(i))])) for i in range(3)]
    path.write_bytes(b"".join(records))
    return records


@pytest.mark.parametrize("cut", [1, 5, 11, 12, 20])
def test_partial_last_record_is_ignored_then_picked_up(tmp_path, cut):
    path = tmp_path / "events.out.tfevents.1.h.1.0.v2"
    records = _three_scalar_file(path)
    full = path.read_bytes()
    path.write_bytes(full[:len(full) - len(records[2]) + cut])
    reader = tf.summary.LogdirReader(tmp_path)
    assert [e.step for e in reader.reload()["."]["x"]] == [0, 1]
    path.write_bytes(full)           # the writer finishes the record
    assert [e.step for e in reader.reload()["."]["x"]] == [0, 1, 2]
    assert reader.reload()["."]["x"][-1].value == 2.0          # nothing read twice


def test_corrupt_data_crc_names_file_and_offset(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h.1.0.v2"
    records = _three_scalar_file(path)
    raw = bytearray(path.read_bytes())
    offset = len(records[0])
    raw[offset + 14] ^= 0xFF         # a data byte of the second record
    path.write_bytes(bytes(raw))
    with pytest.raises(tf.summary.DataLossError) as info:
        list(tf.summary.read_events(str(path)))
    assert str(path) in str(info.value) and f"offset {offset}" in str(info.value)
    assert info.value.offset == offset
    with pytest.raises(tf.summary.DataLossError):
        tf.summary.read_logdir(tmp_path)
    # TensorBoard's choice: skip the corrupt record and go on
    values = tf.summary.read_logdir(tmp_path, skip_corrupt=True)["."]["x"]
    assert [e.step for e in values] == [0, 2]


def test_corrupt_length_header(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h.1.0.v2"
    records = _three_scalar_file(path)
    raw = bytearray(path.read_bytes())
    raw[len(records[0]) + 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(tf.summary.DataLossError, match="length header"):
        list(tf.summary.read_events(str(path)))
    events = list(tf.summary.read_events(str(path), skip_corrupt=True))
    assert [e.step for e in events] == [0]


def test_record_reader_keeps_offsets(tmp_path):
    path = tmp_path / "f.tfevents"
    path.write_bytes(ref_record(b"one"))
    reader = event_file.RecordReader(str(path))
    assert reader.read_new() == [b"one"]
    assert reader.read_new() == []
    with open(path, "ab") as f:
        f.write(ref_record(b"two") + ref_record(b"three")[:7])
    assert reader.read_new() == [b"two"]
    assert reader.offset == len(ref_record(b"one") + ref_record(b"two"))


def test_one_megabyte_file_round_trips(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=1000)
    with writer.as_default():
        for step in range(6000):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
        tf.summary.histogram("big", np.arange(200000, dtype=np.float32), step=0, buckets=30000)
    writer.close()
    assert os.path.getsize(writer.path) > 1_000_000
    data = tf.summary.read_logdir(tmp_path)["."]
    assert len(data["loss"]) == 6000
    assert data["loss"][9].value == np.float32(0.1)
    assert data.histograms["big"][0].buckets[:, 2].sum() == 200000


# -- protobuf wire format ----------------------------------------------------------------------------

def test_varints_and_negative_int64():
    assert proto.varint(300) == b"\xac\x02"
    assert proto.varint(-1) == b"\xff" * 9 + b"\x01"
    fields = proto.parse(proto.field_varint(2, -5) + proto.field_bytes(3, "ab") + proto.field_double(1, 1.5))
    assert proto.signed64(fields[2][0]) == -5 and fields[3] == [b"ab"] and proto.unpack_double(fields[1][0]) == 1.5


@pytest.mark.parametrize("value", [np.float32(3.5), np.arange(6, dtype=np.int64).reshape(2, 3) - 3,
                                   np.array([True, False]), np.array([1.5, -2.0], np.float16),
                                   np.arange(4, dtype=np.uint8)])
def test_tensor_proto_round_trip(value):
    out = proto.decode_tensor(proto.encode_tensor(value))
    assert out.dtype == np.asarray(value).dtype
    np.testing.assert_array_equal(out, value)


def test_tensor_proto_typed_fields_and_fill():
    shape = f_len(2, f_int(1, 3))
    assert proto.decode_tensor(f_int(1, 3) + f_len(2, shape) + f_int(7, 4)).tolist() == [4, 4, 4]
    ints = proto.decode_tensor(f_int(1, 9) + f_len(2, shape) + f_len(10, vint(1) + vint(2) + vint((1 << 64) - 3)))
    assert ints.tolist() == [1, 2, -3]
    floats = proto.decode_tensor(f_int(1, 1) + f_len(2, shape) + f_len(5, struct.pack("<3f", 1, 2, 3)))
    assert floats.tolist() == [1.0, 2.0, 3.0]


# -- the tensorboard package (its reader and its writer) ----------------------------------------------

def test_tensorboard_event_accumulator_reads_our_files(tmp_path):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step in range(3):
            tf.summary.scalar("loss", 0.5 * step, step=step)
        tf.summary.histogram("w", tf.constant([1.0, 2.0, 2.0, 4.0]), step=1, buckets=3)
        tf.summary.text("notes", "hello", step=2)
        tf.summary.image("img", np.full((1, 2, 3, 3), 200, np.uint8), step=3)
        f = tf.function(lambda x: tf.nn.relu(x) * 2.0)
        tf.summary.graph(f.get_concrete_function(tf.TensorSpec([None, 4], tf.float32)))
    writer.close()
    acc = ea.EventAccumulator(str(tmp_path), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    assert sorted(acc.Tags()["tensors"]) == ["img", "loss", "notes", "w"]
    assert [(e.step, tensor_util.make_ndarray(e.tensor_proto).item()) for e in acc.Tensors("loss")] == \
        [(0, 0.0), (1, 0.5), (2, 1.0)]
    np.testing.assert_array_equal(tensor_util.make_ndarray(acc.Tensors("w")[0].tensor_proto),
                                  [[1, 2, 1], [2, 3, 2], [3, 4, 1]])
    assert tensor_util.make_ndarray(acc.Tensors("notes")[0].tensor_proto).item() == b"hello"
    blobs = tensor_util.make_ndarray(acc.Tensors("img")[0].tensor_proto)
    assert blobs[0] == b"3" and blobs[1] == b"2"
    np.testing.assert_array_equal(tf.summary.decode_png(blobs[2]), np.full((2, 3, 3), 200, np.uint8))
    assert acc.SummaryMetadata("loss").plugin_data.plugin_name == "scalars"
    assert acc.SummaryMetadata("w").plugin_data.plugin_name == "histograms"
    graph = acc.Graph()
    assert [n.op for n in graph.node][0] == "Placeholder"
    assert "Relu" in [n.op for n in graph.node]


def test_tensorboard_writer_files_read_by_webtensor(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.util import tensor_util
    writer = EventFileWriter(str(tmp_path))
    histo = summary_pb2.HistogramProto(min=0.0, max=5.0, num=3, sum=6.0, sum_squares=14.0,
                                       bucket_limit=[1.0, 2.0, 1e300], bucket=[1.0, 0.0, 2.0])
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    values = [summary_pb2.Summary.Value(tag="simple", simple_value=1.25),
              summary_pb2.Summary.Value(tag="legacy_hist", histo=histo),
              summary_pb2.Summary.Value(tag="tensor_scalar", metadata=meta,
                                        tensor=tensor_util.make_tensor_proto(np.float32(4.5)))]
    for step, value in enumerate(values, start=1):
        writer.add_event(event_pb2.Event(wall_time=10.0 + step, step=step, summary=summary_pb2.Summary(value=[value])))
    writer.close()
    data = tf.summary.read_logdir(tmp_path)["."]
    assert data["simple"] == [(1, 11.0, 1.25)]
    assert data["tensor_scalar"] == [(3, 13.0, 4.5)]
    np.testing.assert_array_equal(data.histograms["legacy_hist"][0].buckets,
                                  [[0, 1, 1], [1, 2, 0], [2, 5, 2]])


def test_our_graph_def_parses_with_tensorboard_protos(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import graph_pb2
    f = tf.function(lambda x, y: tf.matmul(x, y) + 1.0)
    concrete = f.get_concrete_function(tf.TensorSpec([2, 3]), tf.TensorSpec([3, None]))
    from webtensor.summary.graph_def import graph_def_bytes
    raw = graph_def_bytes(concrete.graph)
    parsed = graph_pb2.GraphDef.FromString(raw)
    assert [n.name for n in parsed.node] == [n.name for n in decode_graph_def(raw)]
    by_name = {n.name: n for n in parsed.node}
    mm = by_name["matmul"]
    assert mm.op == "MatMul" and list(mm.input) == ["x", "x_1"]
    assert [d.size for d in mm.attr["_output_shapes"].list.shape[0].dim] == [2, -1]
    assert by_name["x"].attr["dtype"].type == 1
    assert parsed.versions.producer > 0
