"""tf.summary API: writers, every summary kind written and read back, steps and record_if, summaries inside
tf.function (recorded on every call), trace_on/trace_export graphs."""
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import webtensor as tf
from webtensor.summary.graph_def import tf_op_name


@pytest.fixture(autouse=True)
def fresh_summary_state():
    """Each test starts with no default writer, no default step, recording on, tracing off."""
    from webtensor.summary import writer
    saved = (writer._state.writer, writer._state.step, writer._state.record_if)
    writer._state.writer, writer._state.step, writer._state.record_if = None, None, True
    yield
    tf.summary.trace_off()
    writer._state.writer, writer._state.step, writer._state.record_if = saved


def read(logdir, run="."):
    return tf.summary.read_logdir(str(logdir))[run]


# -- writers ------------------------------------------------------------------------------------------

def test_create_file_writer_makes_logdir_and_tf_named_file(tmp_path):
    logdir = tmp_path / "logs" / "train"
    writer = tf.summary.create_file_writer(str(logdir))
    assert logdir.is_dir()
    (name,) = os.listdir(logdir)
    assert re.fullmatch(r"events\.out\.tfevents\.\d{10}\.[^.]+(\.[^.]+)*\.\d+\.\d+\.v2", name)
    assert str(os.getpid()) in name
    first = next(tf.summary.read_events(str(logdir / name)))
    assert first.file_version == "brain.Event:2" and first.step == 0
    writer.close()
    other = tf.summary.create_file_writer(str(logdir), filename_suffix=".profile")
    assert other.path.endswith(".profile") and other.path != writer.path


def test_writes_are_queued_until_flush_or_max_queue(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=3)
    size0 = os.path.getsize(writer.path)
    writer.set_as_default(step=0)
    try:
        for i in range(3):
            tf.summary.scalar("x", float(i))
        assert os.path.getsize(writer.path) == size0          # still queued
        tf.summary.scalar("x", 3.0)                            # the queue grows past max_queue: flushed
        assert len(read(tmp_path)["x"]) == 4
        tf.summary.scalar("x", 4.0)
        assert len(read(tmp_path)["x"]) == 4
        tf.summary.flush()
        assert len(read(tmp_path)["x"]) == 5
    finally:
        writer.close()


def test_flush_millis_zero_flushes_every_write(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), flush_millis=0)
    with writer.as_default(step=1):
        tf.summary.scalar("x", 1.0)
        assert len(read(tmp_path)["x"]) == 1
    writer.close()


def test_closed_writer_drops_summaries(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.close()
    with writer.as_default(step=0):
        assert not bool(tf.summary.scalar("x", 1.0))
    assert read(tmp_path).scalars == {}


def test_crash_keeps_flushed_records(tmp_path):
    script = textwrap.dedent(f"""
        import os, webtensor as tf
        w = tf.summary.create_file_writer({str(tmp_path)!r}, max_queue=100)
        with w.as_default(step=0):
            for i in range(5):
                tf.summary.scalar("x", float(i), step=i)
            w.flush()
            tf.summary.scalar("x", 99.0, step=99)
            os._exit(1)
    """)
    subprocess.run([sys.executable, "-c", script], check=False)
    assert [e.step for e in read(tmp_path)["x"]] == [0, 1, 2, 3, 4]


def test_no_default_writer_is_a_noop_returning_false(tmp_path):
    assert not bool(tf.summary.scalar("x", 1.0, step=0))
    assert not bool(tf.summary.histogram("h", [1.0, 2.0], step=0))
    assert not bool(tf.summary.should_record_summaries())
    with tf.summary.create_noop_writer().as_default():
        assert not bool(tf.summary.scalar("x", 1.0, step=0))


def test_as_default_restores_writer_and_step(tmp_path):
    a = tf.summary.create_file_writer(str(tmp_path / "a"))
    b = tf.summary.create_file_writer(str(tmp_path / "b"))
    with a.as_default(step=1):
        with b.as_default(step=5):
            tf.summary.scalar("x", 1.0)
            assert tf.summary.experimental.get_step() == 5
        tf.summary.scalar("x", 2.0)
        assert tf.summary.experimental.get_step() == 1
    assert tf.summary.experimental.get_step() is None
    runs = tf.summary.read_logdir(str(tmp_path))
    assert runs["a"]["x"] == [(1, runs["a"]["x"][0].wall_time, 2.0)]
    assert [(e.step, e.value) for e in runs["b"]["x"]] == [(5, 1.0)]


# -- summary kinds --------------------------------------------------------------------------------------

def test_scalar_round_trip_steps_and_name_scopes(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)
    with writer.as_default():
        assert bool(tf.summary.scalar("a", 0.25, step=3))
        assert bool(tf.summary.scalar("b", tf.constant(7, tf.int32), step=np.int64(4), description="seven"))
        tf.summary.experimental.set_step(step)
        try:
            step.assign(11)
            with tf.name_scope("train"):
                tf.summary.scalar("loss", tf.constant(1.5, tf.float64))
        finally:
            tf.summary.experimental.set_step(None)
    writer.close()
    data = read(tmp_path).scalars
    assert [(e.step, e.value) for e in data["a"]] == [(3, 0.25)]
    assert [(e.step, e.value) for e in data["b"]] == [(4, 7.0)]
    assert [(e.step, e.value) for e in data["train/loss"]] == [(11, 1.5)]
    events = [e for e in tf.summary.read_events(writer.path) if e.summary]
    meta = events[1].summary[0].metadata
    assert (meta.plugin_name, meta.description, meta.data_class) == ("scalars", "seven", 1)
    assert events[0].summary[0].tensor.dtype == np.float32


def test_scalar_errors(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match="No step set|no step set"):
            tf.summary.scalar("x", 1.0)
        with pytest.raises(ValueError, match="scalar"):
            tf.summary.scalar("x", [1.0, 2.0], step=0)
        with pytest.raises(TypeError, match="integer"):
            tf.summary.scalar("x", 1.0, step=1.5)


def reference_buckets(x, k):
    x = np.asarray(x, np.float64).ravel()
    counts, edges = np.histogram(x, bins=k, range=(x.min(), x.max()))
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def test_histogram_buckets_match_reference(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 25)).astype(np.float32)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=2):
        tf.summary.histogram("w", tf.constant(x))
        tf.summary.histogram("w7", x, buckets=7)
        tf.summary.histogram("same", tf.fill([5], 3.0), buckets=4)
        tf.summary.histogram("empty", tf.zeros([0]), buckets=3)
    writer.close()
    data = read(tmp_path).histograms
    (w,) = data["w"]
    assert w.step == 2 and w.buckets.shape == (30, 3)
    np.testing.assert_allclose(w.buckets, reference_buckets(x, 30), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(data["w7"][0].buckets, reference_buckets(x, 7), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(data["same"][0].buckets, [[3, 3, 0], [3, 3, 0], [3, 3, 0], [3, 3, 5]])
    np.testing.assert_array_equal(data["empty"][0].buckets, np.zeros((3, 3)))


def test_text_round_trip(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=1):
        tf.summary.text("md", "# Title\n*héllo*")
        tf.summary.text("table", [["a", "b"], ["c", "d"]], step=2)
        with pytest.raises(TypeError, match="string"):
            tf.summary.text("bad", tf.constant([1.0]))
    writer.close()
    data = read(tmp_path).text
    assert data["md"][0].text == "# Title\n*héllo*"
    assert data["table"][0].step == 2 and data["table"][0].text.tolist() == [["a", "b"], ["c", "d"]]


def test_image_round_trip_uint8_and_float(tmp_path):
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (4, 5, 6, 3), dtype=np.uint8)
    gray = np.linspace(0.0, 1.0, 2 * 3 * 4).reshape(2, 3, 4, 1).astype(np.float32)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=0):
        tf.summary.image("rgb", rgb)                      # max_outputs=3 keeps the first three
        tf.summary.image("gray", tf.constant(gray), max_outputs=5)
        tf.summary.image("rgba", np.zeros((1, 2, 2, 4), np.uint8) + 9)
        with pytest.raises(ValueError, match=r"\[k, h, w, c\]"):
            tf.summary.image("bad", np.zeros((2, 2, 3)))
    writer.close()
    data = read(tmp_path).images
    (img,) = data["rgb"]
    assert (img.width, img.height, len(img.images)) == (6, 5, 3)
    for i in range(3):
        np.testing.assert_array_equal(tf.summary.decode_png(img.images[i]), rgb[i])
    expected = np.clip(gray * 255.5, 0, 255).astype(np.uint8)    # convert_image_dtype(saturate=True)
    decoded = [tf.summary.decode_png(b) for b in data["gray"][0].images]
    np.testing.assert_array_equal(np.stack(decoded), expected)
    np.testing.assert_array_equal(tf.summary.decode_png(data["rgba"][0].images[0]), np.full((2, 2, 4), 9))


def test_png_codec_against_pillow():
    pil = pytest.importorskip("PIL.Image")
    import io
    rng = np.random.default_rng(2)
    for channels, mode in [(1, "L"), (3, "RGB"), (4, "RGBA")]:
        pixels = rng.integers(0, 256, (9, 13, channels), dtype=np.uint8)
        ours = pil.open(io.BytesIO(tf.summary.encode_png(pixels)))
        np.testing.assert_array_equal(np.asarray(ours).reshape(pixels.shape), pixels)
        smooth = (np.add.outer(np.arange(9), np.arange(13))[:, :, None] * 7 + np.arange(channels)).astype(np.uint8)
        buf = io.BytesIO()
        pil.fromarray(smooth.squeeze(-1) if channels == 1 else smooth, mode).save(buf, "PNG", optimize=True)
        np.testing.assert_array_equal(tf.summary.decode_png(buf.getvalue()), smooth)   # adaptive filters


def test_generic_write_with_metadata(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    from webtensor.summary.proto import SummaryMetadata
    with writer.as_default(step=4):
        tf.summary.write("custom", tf.constant([[1, 2]], tf.int64),
                         metadata=SummaryMetadata("my_plugin", b"\x01\x02", description="d"))
    writer.close()
    (event,) = read(tmp_path).tensors["custom"]
    assert event.plugin_name == "my_plugin" and event.tensor.tolist() == [[1, 2]]
    value = [e for e in tf.summary.read_events(writer.path) if e.summary][0].summary[0]
    assert value.metadata.plugin_content == b"\x01\x02"


# -- record_if --------------------------------------------------------------------------------------------

def test_record_if_bool_callable_and_tensor(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)
    with writer.as_default(step=step):
        with tf.summary.record_if(False):
            assert not bool(tf.summary.scalar("x", 1.0))
            assert not bool(tf.summary.should_record_summaries())
        with tf.summary.record_if(lambda: tf.equal(step % 2, 0)):
            for i in range(4):
                step.assign(i)
                tf.summary.scalar("y", float(i))
        with tf.summary.record_if(tf.constant(True)):
            assert bool(tf.summary.should_record_summaries())
    writer.close()
    data = read(tmp_path).scalars
    assert "x" not in data
    assert [e.step for e in data["y"]] == [0, 2]


# -- inside tf.function ------------------------------------------------------------------------------------

def test_summaries_in_tf_function_record_on_every_call(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def train_step(x):
        loss = tf.reduce_mean(x * x)
        tf.summary.scalar("loss", loss, step=step)
        tf.summary.histogram("x", x, step=step, buckets=2)
        with tf.summary.record_if(tf.equal(step % 2, 1)):
            tf.summary.scalar("odd", loss, step=step)
        step.assign_add(1)
        return loss

    with writer.as_default():
        for i in range(4):
            train_step(tf.constant([1.0, float(i)]))
    writer.close()
    assert train_step.experimental_get_tracing_count() == 1
    data = read(tmp_path)
    assert [(e.step, e.value) for e in data["loss"]] == [(i, (1 + i * i) / 2) for i in range(4)]
    assert [e.step for e in data["odd"]] == [1, 3]
    np.testing.assert_array_equal(data.histograms["x"][3].buckets, [[1, 2, 1], [2, 3, 1]])


def test_summary_in_tf_function_uses_the_writer_seen_at_trace(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(x):
        return tf.summary.scalar("v", x, step=0)

    with writer.as_default():
        assert bool(f(tf.constant(1.0)))
        assert bool(f(tf.constant(2.0)))
    writer.close()
    assert [e.value for e in read(tmp_path)["v"]] == [1.0, 2.0]


# -- graphs ----------------------------------------------------------------------------------------------

def test_trace_export_writes_the_traced_function_graph(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    w = tf.Variable(tf.ones([3, 2]))

    @tf.function
    def model(x):
        with tf.name_scope("dense"):
            y = tf.matmul(x, w) + 1.0
        return tf.nn.relu(y)

    @tf.function
    def unused(x):
        return x - 1.0

    unused(tf.ones([1]))
    tf.summary.trace_on(graph=True, profiler=False)
    model(tf.ones([4, 3]))
    model(tf.ones([4, 3]))
    with writer.as_default():
        tf.summary.trace_export(name="model_trace", step=0)
    writer.close()
    (event,) = read(tmp_path).graphs
    assert event.tag == "model_trace" and event.step == 0
    graph = model.get_concrete_function(tf.ones([4, 3])).graph
    assert [(n.name, n.op) for n in event.nodes] == [(n.name, tf_op_name(n)) for n in graph.nodes]
    by_name = {n.name: n for n in event.nodes}
    matmul = next(n for n in event.nodes if n.op == "MatMul")
    assert matmul.name.startswith("dense/")
    assert by_name[matmul.inputs[0]].op == "Placeholder"
    assert by_name[matmul.inputs[1]].op == "ReadVariableOp"
    assert any(n.op == "Relu" for n in event.nodes)
    assert matmul.attr["_output_shapes"][0].dims == [4, 2]


def test_trace_off_and_export_without_calls(tmp_path):
    f = tf.function(lambda x: x + 1.0)
    tf.summary.trace_on()
    tf.summary.trace_off()
    f(tf.ones([2]))
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.trace_on()
        with pytest.warns(UserWarning, match="nothing written"):
            tf.summary.trace_export("empty", step=0)
        tf.summary.trace_on()
        with pytest.raises(ValueError, match="step"):
            tf.summary.trace_export("nostep")
    writer.close()
    tf.summary.trace_off()
    assert read(tmp_path).graphs == []


def test_summary_graph_of_concrete_function(tmp_path):
    f = tf.function(lambda x: tf.reduce_sum(x * 2.0, axis=1))
    concrete = f.get_concrete_function(tf.TensorSpec([None, 5], tf.float32))
    writer = tf.summary.create_file_writer(str(tmp_path))
    assert not bool(tf.summary.graph(concrete))          # no writer
    with writer.as_default():
        assert bool(tf.summary.graph(concrete))
    writer.close()
    (event,) = read(tmp_path).graphs
    assert event.tag is None
    assert [n.name for n in event.nodes] == [n.name for n in concrete.graph.nodes]
    placeholder = event.nodes[0]
    assert placeholder.attr["shape"].dims == [None, 5]


def test_keras_model_config_summary(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    config = '{"class_name": "Sequential", "config": {"layers": []}}'
    with writer.as_default(step=0):
        assert bool(tf.summary.keras_model("keras", config))
    writer.close()
    (event,) = read(tmp_path).tensors["keras"]
    assert event.plugin_name == "graph_keras_model" and event.tensor.item() == config.encode()


def test_record_listener_sees_every_record_as_written(tmp_path):
    """Listeners get each framed record at write time; their concatenation is the event file."""
    from webtensor.summary import writer as writer_module
    seen = {}
    listener = writer_module.add_record_listener(lambda path, record: seen.setdefault(path, []).append(record))
    try:
        w = tf.summary.create_file_writer(str(tmp_path), max_queue=100)
        with w.as_default():
            tf.summary.scalar("loss", 0.5, step=1)
            tf.summary.scalar("loss", 0.25, step=2)
            assert [len(v) for v in seen.values()] == [3]  # file_version + 2 scalars, before any flush
        w.close()
    finally:
        writer_module.remove_record_listener(listener)
    (path, records), = seen.items()
    assert pathlib.Path(path).read_bytes() == b"".join(records)
    assert [(s, v) for s, _, v in read(tmp_path)["loss"]] == [(1, 0.5), (2, 0.25)]


def test_failing_record_listener_is_removed_and_the_file_is_kept(tmp_path):
    from webtensor.summary import writer as writer_module

    def broken(path, record):
        raise OSError("page went away")
    writer_module.add_record_listener(broken)
    with pytest.warns(UserWarning, match="record listener"):
        w = tf.summary.create_file_writer(str(tmp_path))  # its first record (file_version) fails
    with w.as_default():
        tf.summary.scalar("x", 1.0, step=0)
    w.close()
    assert broken not in writer_module._record_listeners
    assert [v for _, _, v in read(tmp_path)["x"]] == [1.0]
