"""`webtensor board`'s server: API values against read_logdir and the tensorboard package's own writer,
files growing while served (new points, new runs, records cut mid-write), corrupt records reported
without losing the rest, graphs as node/edge JSON, and request errors."""
import json
import pathlib
import threading
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

import webtensor as tf
from webtensor.__main__ import main as cli_main
from webtensor.board import BoardServer, from_graph_json, from_keras_config, from_node_defs
from webtensor.summary import proto
from webtensor.summary.event_file import frame_record
from webtensor.summary.graph_def import node_defs

FIXTURE_LOGDIR = pathlib.Path(__file__).parent / "fixtures" / "tf_logdir"


@pytest.fixture
def board(tmp_path):
    """(logdir, get): a BoardServer over tmp_path/logs on a free port; get(path, **query) -> (status, JSON)."""
    logdir = tmp_path / "logs"
    logdir.mkdir()
    httpd = BoardServer(("127.0.0.1", 0), str(logdir), dist_dir=str(tmp_path / "dist"), quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def get(path, raw=False, **query):
        url = httpd.url.rstrip("/") + path + ("?" + urllib.parse.urlencode(query) if query else "")
        try:
            with urllib.request.urlopen(url) as response:
                body, status, ctype = response.read(), response.status, response.headers["Content-Type"]
        except urllib.error.HTTPError as e:
            body, status, ctype = e.read(), e.code, e.headers["Content-Type"]
        if raw:
            return status, body, ctype
        return status, json.loads(body, parse_constant=_refuse_constant)

    yield logdir, get
    httpd.shutdown()
    httpd.server_close()


def _refuse_constant(name):
    raise AssertionError(f"the API sent {name}, which JSON.parse in the browser refuses")


def write_run(logdir, run, steps, start=0):
    writer = tf.summary.create_file_writer(str(logdir / run))
    with writer.as_default():
        for step in range(start, start + steps):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
            tf.summary.scalar("accuracy", step / 10.0, step=step)
    writer.flush()
    return writer


def event_file(logdir, run):
    (path,) = [p for p in (logdir / run).iterdir() if "tfevents" in p.name]
    return path


# -- values against read_logdir ----------------------------------------------------------------------

def test_runs_and_scalars_match_read_logdir(board):
    logdir, get = board
    write_run(logdir, "train", 7)
    write_run(logdir, "eval", 3)
    status, runs = get("/api/runs")
    assert status == 200
    assert sorted(runs["runs"]) == ["eval", "train"]
    assert runs["runs"]["train"]["scalars"] == {"accuracy": 7, "loss": 7}
    expected = tf.summary.read_logdir(logdir)
    for run in ("train", "eval"):
        for tag in ("loss", "accuracy"):
            _, series = get("/api/scalars", run=run, tag=tag)
            assert list(zip(series["step"], series["wall_time"], series["value"])) == \
                [tuple(e) for e in expected[run][tag]]
    _, tail = get("/api/scalars", run="train", tag="loss", since=5)
    assert tail["step"] == [5, 6] and tail["value"] == [np.float32(1 / 6).item(), np.float32(1 / 7).item()]


def test_histograms_text_images_match_read_logdir(board):
    logdir, get = board
    rng = np.random.default_rng(0)
    writer = tf.summary.create_file_writer(str(logdir / "run"))
    with writer.as_default():
        for step in range(3):
            tf.summary.histogram("weights", rng.normal(size=200) + step, step=step)
        tf.summary.text("notes", "**hello**", step=0)
        tf.summary.text("table", [["a", "b"], ["c", "d"]], step=1)
        tf.summary.image("digits", rng.random((2, 5, 4, 3)), step=2)
    writer.flush()
    expected = tf.summary.read_logdir(logdir)["run"]
    _, runs = get("/api/runs")
    assert runs["runs"]["run"]["histograms"] == {"weights": 3}
    _, hist = get("/api/histograms", run="run", tag="weights")
    assert [e["step"] for e in hist["events"]] == [0, 1, 2]
    for got, want in zip(hist["events"], expected.histograms["weights"]):
        np.testing.assert_array_equal(np.array(got["buckets"]), want.buckets)
        assert sum(row[2] for row in got["buckets"]) == 200
    _, text = get("/api/text", run="run", tag="notes")
    assert text["events"][0]["text"] == "**hello**"
    _, table = get("/api/text", run="run", tag="table")
    assert table["events"][0]["text"] == [["a", "b"], ["c", "d"]]
    _, images = get("/api/images", run="run", tag="digits")
    assert images["events"] == [{"step": 2, "wall_time": expected.images["digits"][0].wall_time,
                                 "width": 4, "height": 5, "count": 2}]
    status, png, ctype = get("/api/image", raw=True, run="run", tag="digits", index=0, sample=1)
    assert status == 200 and ctype == "image/png"
    assert png == expected.images["digits"][0].images[1]
    assert tf.summary.decode_png(png).shape == (5, 4, 3)


def test_files_from_the_tensorboard_writer_simple_value_and_histogram_proto(board):
    """Old-style summaries (simple_value, HistogramProto) written by the tensorboard package itself."""
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    logdir, get = board
    writer = EventFileWriter(str(logdir / "legacy"))
    for step in range(4):
        histo = summary_pb2.HistogramProto(min=-1.0, max=3.0, num=4, bucket_limit=[0.0, 1.0, 1e300],
                                           bucket=[1.0, step, 2.0])
        values = [summary_pb2.Summary.Value(tag="loss", simple_value=2.0 - step / 2),
                  summary_pb2.Summary.Value(tag="h", histo=histo)]
        writer.add_event(event_pb2.Event(wall_time=100.0 + step, step=10 * step,
                                         summary=summary_pb2.Summary(value=values)))
    writer.close()
    _, series = get("/api/scalars", run="legacy", tag="loss")
    assert series["step"] == [0, 10, 20, 30]
    assert series["wall_time"] == [100.0, 101.0, 102.0, 103.0]
    assert series["value"] == [2.0, 1.5, 1.0, 0.5]
    _, hist = get("/api/histograms", run="legacy", tag="h")
    assert hist["events"][2]["buckets"] == [[-1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 3.0, 2.0]]


def test_non_finite_values_are_valid_json(board):
    logdir, get = board
    writer = tf.summary.create_file_writer(str(logdir / "run"))
    with writer.as_default():
        for step, value in enumerate([1.0, float("nan"), float("inf"), -float("inf")]):
            tf.summary.scalar("loss", value, step=step)
    writer.flush()
    _, series = get("/api/scalars", run="run", tag="loss")
    assert series["value"] == [1.0, "NaN", "Infinity", "-Infinity"]


# -- growing files -----------------------------------------------------------------------------------

def test_new_points_and_new_runs_appear_as_files_grow(board):
    logdir, get = board
    writer = write_run(logdir, "train", 3)
    _, runs = get("/api/runs")
    generation = runs["generation"]
    assert runs["runs"]["train"]["scalars"]["loss"] == 3
    _, runs = get("/api/runs")
    assert runs["generation"] == generation     # nothing new: the same generation
    with writer.as_default():
        for step in (3, 4):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    writer.flush()
    write_run(logdir, "eval", 2)
    _, runs = get("/api/runs")
    assert runs["generation"] > generation
    assert runs["runs"]["train"]["scalars"]["loss"] == 5
    assert runs["runs"]["eval"]["scalars"] == {"accuracy": 2, "loss": 2}
    _, tail = get("/api/scalars", run="train", tag="loss", since=3)
    assert tail["since"] == 3 and tail["step"] == [3, 4]
    assert tail["value"] == [np.float32(1 / 4).item(), np.float32(1 / 5).item()]


def test_a_record_cut_mid_write_waits_for_the_rest(board):
    logdir, get = board
    write_run(logdir, "train", 2)
    path = event_file(logdir, "train")
    event = proto.Event(wall_time=5.0, step=2, summary=[proto.Value(tag="loss", simple_value=0.25)])
    record = frame_record(proto.encode_event(event))
    # cut inside the length, inside the header CRC, inside the data CRC
    for done, cut in enumerate((5, 14, len(record) - 1)):
        with open(path, "ab") as f:
            f.write(record[:cut])
        _, runs = get("/api/runs")
        assert runs["runs"]["train"]["scalars"]["loss"] == 2 + done
        assert runs["runs"]["train"]["errors"] == []
        with open(path, "ab") as f:
            f.write(record[cut:])
        _, runs = get("/api/runs")
        assert runs["runs"]["train"]["scalars"]["loss"] == 3 + done
        assert runs["runs"]["train"]["errors"] == []
    _, series = get("/api/scalars", run="train", tag="loss", since=2)
    assert series["step"] == [2, 2, 2] and series["value"] == [0.25, 0.25, 0.25]


def test_a_corrupt_record_is_reported_and_the_rest_kept(board):
    logdir, get = board
    path = logdir / "run" / "events.out.tfevents.1.host.1.0.v2"
    path.parent.mkdir()
    records = [frame_record(proto.encode_event(proto.Event(wall_time=1.0, file_version="brain.Event:2")))]
    for step in range(5):
        event = proto.Event(wall_time=10.0 + step, step=step, summary=[proto.Value(tag="x", simple_value=step)])
        records.append(frame_record(proto.encode_event(event)))
    bad = bytearray(records[3])
    bad[20] ^= 0xFF                         # a data byte of step 2's record: its data CRC fails
    offset = sum(len(r) for r in records[:3])
    path.write_bytes(b"".join(records[:3]) + bytes(bad) + b"".join(records[4:]))
    status, runs = get("/api/runs")
    assert status == 200
    info = runs["runs"]["run"]
    assert info["scalars"] == {"x": 4} and info["error_count"] == 1
    (message,) = info["errors"]
    assert str(path) in message and f"byte offset {offset}" in message and "CRC32C" in message
    _, series = get("/api/scalars", run="run", tag="x")
    assert series["step"] == [0, 1, 3, 4]
    with open(path, "ab") as f:             # the file goes on growing past the bad record
        f.write(frame_record(proto.encode_event(
            proto.Event(wall_time=20.0, step=5, summary=[proto.Value(tag="x", simple_value=5.0)]))))
    _, runs = get("/api/runs")
    assert runs["runs"]["run"]["scalars"] == {"x": 5} and runs["runs"]["run"]["error_count"] == 1


# -- graphs ------------------------------------------------------------------------------------------

def _traced():
    @tf.function
    def f(x):
        with tf.name_scope("dense"):
            y = tf.matmul(x, tf.ones([3, 2])) + 1.0
        return tf.nn.relu(y)
    return f, f.get_concrete_function(tf.TensorSpec([None, 3]))


def test_graphs_from_trace_export_and_summary_graph(board):
    logdir, get = board
    f, concrete = _traced()
    writer = tf.summary.create_file_writer(str(logdir / "run"))
    with writer.as_default():
        tf.summary.graph(concrete)
        tf.summary.trace_on(graph=True)
        f(tf.ones([2, 3]))
        tf.summary.trace_export("f_trace", step=0)
    writer.flush()
    _, runs = get("/api/runs")
    assert runs["runs"]["run"]["graphs"] == 2
    _, graphs = get("/api/graphs", run="run")
    by_tag = {g["tag"]: g for g in graphs["graphs"]}
    assert set(by_tag) == {"graph_def", "f_trace"}
    graph = by_tag["graph_def"]
    nodes = {n["name"]: n for n in graph["nodes"]}
    assert [n["name"] for n in graph["nodes"]] == [n.name for n in concrete.graph.nodes]
    assert nodes["dense/matmul"]["op"] == "MatMul" and nodes["dense/matmul"]["scope"] == "dense"
    assert nodes["dense/matmul"]["shapes"] == [[None, 2]] and nodes["dense/matmul"]["dtype"] == "float32"
    assert nodes["relu"]["scope"] == ""
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    assert ("x", "dense/matmul") in edges and ("dense/add", "relu") in edges
    assert by_tag["f_trace"]["nodes"][0]["shapes"] == [[2, 3]]   # traced for the concrete call


def test_graph_json_and_graph_def_views_agree():
    _, concrete = _traced()
    from_def = from_node_defs(node_defs(concrete.graph))
    from_ir = from_graph_json(concrete.graph.to_json())
    assert [n["name"] for n in from_ir["nodes"]] == [n["name"] for n in from_def["nodes"]]
    assert [n["shapes"] for n in from_ir["nodes"]] == [n["shapes"] for n in from_def["nodes"]]
    assert [(e["source"], e["target"]) for e in from_ir["edges"]] == \
        [(e["source"], e["target"]) for e in from_def["edges"]]


def test_graph_def_from_tensorboard_protos_with_devices_and_control_inputs():
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import graph_pb2
    from webtensor.summary.graph_def import decode_graph_def
    g = graph_pb2.GraphDef()
    a = g.node.add(name="scope/a", op="Placeholder", device="/job:localhost/device:CPU:0")
    a.attr["dtype"].type = 1
    for size in (4, -1):
        a.attr["shape"].shape.dim.add(size=size)
    b = g.node.add(name="scope/inner/b", op="Identity", input=["scope/a", "^init"])
    b.attr["T"].type = 3
    g.node.add(name="init", op="NoOp")
    c = g.node.add(name="split", op="Split", input=["scope/inner/b:1"])
    c.attr["num_split"].i = 2
    view = from_node_defs(decode_graph_def(g.SerializeToString()))
    nodes = {n["name"]: n for n in view["nodes"]}
    assert nodes["scope/a"]["device"] == "/job:localhost/device:CPU:0"
    assert nodes["scope/a"]["shapes"] == [[4, None]] and nodes["scope/a"]["dtype"] == "float32"
    assert nodes["scope/inner/b"]["scope"] == "scope/inner" and nodes["scope/inner/b"]["dtype"] == "int32"
    assert nodes["split"]["attrs"]["num_split"] == "2"
    assert {"source": "init", "target": "scope/inner/b", "output": 0, "control": True} in view["edges"]
    assert {"source": "scope/inner/b", "target": "split", "output": 1, "control": False} in view["edges"]


def test_keras_model_config_as_layer_graph():
    model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3, name="hidden"),
                                 tf.keras.layers.Dense(1, name="out")])
    view = from_keras_config(model.to_json())
    names = [n["name"].rsplit("/", 1)[-1] for n in view["nodes"]]
    assert names[-2:] == ["hidden", "out"]
    assert (view["nodes"][-2]["name"], view["nodes"][-1]["name"]) in \
        {(e["source"], e["target"]) for e in view["edges"]}
    assert view["nodes"][-1]["op"] == "Dense"


# -- requests ----------------------------------------------------------------------------------------

def test_request_errors(board):
    logdir, get = board
    write_run(logdir, "train", 1)
    get("/api/runs")
    assert get("/api/scalars", run="train")[0] == 400                       # no tag
    assert get("/api/scalars", run="train", tag="loss", since="x")[0] == 400
    status, body = get("/api/scalars", run="nope", tag="loss")
    assert status == 404 and "nope" in body["message"]
    assert get("/api/histograms", run="train", tag="loss")[0] == 404        # a scalar tag, not a histogram
    assert get("/api/nothing")[0] == 404
    assert get("/../../etc/passwd")[0] in (400, 404)
    status, page, ctype = get("/", raw=True)                                  # the app is not built here
    assert status == 200 and b"not built" in page and ctype.startswith("text/html")


def test_the_app_page_is_served_from_dist(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "board.html").write_text("<!doctype html><title>board</title>")
    (dist / "assets" / "board.js").write_text("export {}")
    httpd = BoardServer(("127.0.0.1", 0), str(tmp_path), dist_dir=str(dist), quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(httpd.url) as r:
            assert r.read() == b"<!doctype html><title>board</title>"
        with urllib.request.urlopen(httpd.url + "assets/board.js") as r:
            assert r.headers["Content-Type"].startswith("text/javascript")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cli_refuses_a_missing_logdir(tmp_path, capsys):
    assert cli_main(["board", "--logdir", str(tmp_path / "missing"), "--no-browser"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_logdir_written_by_tensorflow():
    """tests/fixtures/tf_logdir (make_tf_logdir.py, real TensorFlow 2.21): Keras callback runs, a traced
    function, TF1 summaries; each kind read as read_logdir reads it."""
    from webtensor.board import BoardLogdir
    board = BoardLogdir(str(FIXTURE_LOGDIR))
    board.reload()
    runs = board.runs_json()["runs"]
    assert sorted(runs) == ["legacy", "traced", "train", "validation"]
    assert all(info["errors"] == [] for info in runs.values())
    expected = tf.summary.read_logdir(FIXTURE_LOGDIR)
    for run, info in runs.items():
        assert info["scalars"] == {tag: len(v) for tag, v in expected[run].items()}
        for tag in info["scalars"]:
            assert board.scalars_json(run, tag)["value"] == [e.value for e in expected[run][tag]]
    assert runs["train"]["scalars"]["epoch_loss"] == 5
    assert set(runs["train"]["histograms"]) == {f"regressor/{layer}/{var}/histogram" for layer in ("hidden", "out")
                                                for var in ("kernel", "bias")}
    hist = board.histograms_json("train", "regressor/hidden/kernel/histogram")["events"]
    assert [e["step"] for e in hist] == [0, 1, 2, 3, 4]
    assert all(sum(row[2] for row in e["buckets"]) == 4 * 8 for e in hist)     # a 4x8 kernel
    legacy = board.histograms_json("legacy", "weights")["events"]
    assert len(legacy) == 4 and sum(row[2] for row in legacy[0]["buckets"]) == 100
    (keras,) = board.graphs_json("train")["graphs"]
    assert keras["kind"] == "keras" and [n["op"] for n in keras["nodes"]] == ["InputLayer", "Dense", "Dense"]
    traced = board.graphs_json("traced")["graphs"][0]
    nodes = {n["name"]: n for n in traced["nodes"]}
    assert nodes["dense/MatMul"]["op"] == "MatMul" and nodes["dense/MatMul"]["scope"] == "dense"
    assert ("dense/add", "activation/Relu") in {(e["source"], e["target"]) for e in traced["edges"]}
    (legacy_graph,) = board.graphs_json("legacy")["graphs"]
    nodes = {n["name"]: n for n in legacy_graph["nodes"]}
    assert nodes["input/x"]["shapes"] == [[None, 2]] and nodes["model/MatMul"]["dtype"] == "float32"
    assert board.text_json("traced", "notes")["events"][0]["text"] == "written by **TensorFlow**"
