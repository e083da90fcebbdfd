"""The dashboard (`webtensor board`) in headless Chromium: what the page plots is read back from the page
(window.__board.state()) and compared with the event files' values, TensorBoard's smoothing computed
here in float64, the traced graph's ops, histogram counts, a growing log directory, and a log directory
written by real TensorFlow (tests/fixtures/tf_logdir)."""
import pathlib
import threading

import numpy as np
import pytest

import webtensor as tf
from browser_support import DIST, ROOT

FIXTURE_LOGDIR = ROOT / "tests" / "fixtures" / "tf_logdir"
TIMEOUT_MS = 30_000


@pytest.fixture
def board(browser, tmp_path):
    """open(logdir, poll_ms) -> page: a BoardServer over logdir and a page on it, loaded."""
    if not (DIST / "board.html").exists():
        pytest.skip("the dashboard is not built (web/dist/board.html missing: cd web && npm run build)")
    from webtensor.board import BoardServer
    servers, contexts = [], []

    def open_board(logdir, poll_ms=2000):
        httpd = BoardServer(("127.0.0.1", 0), str(logdir), dist_dir=str(DIST), quiet=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        page.goto(f"{httpd.url}?poll={poll_ms}")
        page.wait_for_function("Number(document.querySelector('#board').dataset.generation) >= 1",
                               timeout=TIMEOUT_MS)
        return page

    yield open_board
    for context in contexts:
        context.close()
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def state(page):
    return page.evaluate("window.__board.state()")


def svg_texts(page, selector):
    return page.eval_on_selector_all(selector, "nodes => nodes.map((n) => n.textContent)")


def debiased_ema(values, weight):
    """TensorBoard's scalar smoothing, in float64."""
    out, last = [], 0.0
    for count, v in enumerate(values, start=1):
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight ** count))
    return out


def write_scalars(logdir, run, values, tag="loss", start=0):
    writer = tf.summary.create_file_writer(str(logdir / run))
    with writer.as_default():
        for step, value in enumerate(values, start=start):
            tf.summary.scalar(tag, value, step=step)
    writer.flush()
    return writer


def test_scalars_match_the_event_files_and_smoothing(board, tmp_path):
    rng = np.random.default_rng(0)
    train = (np.exp(-np.arange(40) / 10) + 0.05 * rng.random(40)).tolist()
    write_scalars(tmp_path, "train", train)
    write_scalars(tmp_path, "eval", [0.9, 0.7, 0.6, 0.55])
    write_scalars(tmp_path, "train", [0.1 * i for i in range(5)], tag="accuracy")
    page = board(tmp_path)
    expected = tf.summary.read_logdir(tmp_path)
    shown = state(page)
    assert [r["run"] for r in shown["runs"]] == ["eval", "train"] and all(r["selected"] for r in shown["runs"])
    assert sorted(shown["scalars"]) == ["accuracy", "loss"]
    for run in ("train", "eval"):
        series = shown["scalars"]["loss"][run]
        assert series["step"] == [e.step for e in expected[run]["loss"]]
        assert series["value"] == [e.value for e in expected[run]["loss"]]
        plotted = series["plotted"]
        assert plotted["x"] == series["step"] and plotted["raw"] == series["value"]
        np.testing.assert_allclose(plotted["smoothed"], debiased_ema(series["value"], 0.6), rtol=1e-12)
    assert page.locator(".scalar-card[data-tag='loss'] canvas").count() == 1

    page.fill(".smoothing-value", "0.9")
    page.dispatch_event(".smoothing-value", "change")
    smoothed = state(page)["scalars"]["loss"]["train"]["plotted"]["smoothed"]
    np.testing.assert_allclose(smoothed, debiased_ema([e.value for e in expected["train"]["loss"]], 0.9), rtol=1e-12)

    # the hover readout names each run's nearest point
    box = page.locator(".scalar-card[data-tag='loss'] .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    readout = page.locator(".scalar-card[data-tag='loss'] .readout")
    readout.locator("td", has_text="train").wait_for(timeout=TIMEOUT_MS)
    rows = readout.locator("tr").all_inner_texts()
    train_row = next(r for r in rows if "train" in r)
    assert "39" in train_row.split("\t") and f"{expected['train']['loss'][-1].value:.6g}".rstrip("0") in train_row

    # unticking a run removes it from every chart
    page.uncheck(".run[data-run='eval'] input")
    page.wait_for_function("!('eval' in window.__board.state().scalars.loss)", timeout=TIMEOUT_MS)
    assert not page.errors


def test_csv_download_log_scale_and_x_axes(board, tmp_path):
    write_scalars(tmp_path, "run", [1.0, 10.0, 100.0, 1000.0])
    page = board(tmp_path)
    with page.expect_download() as download:
        page.click(".scalar-card[data-tag='loss'] button.csv")
    lines = pathlib.Path(download.value.path()).read_text().splitlines()
    expected = tf.summary.read_logdir(tmp_path)["run"]["loss"]
    assert lines[0] == "Run,Wall time,Step,Value"
    assert [tuple(float(x) for x in line.split(",")[1:]) for line in lines[1:]] == \
        [(e.wall_time, e.step, e.value) for e in expected]
    with page.expect_download() as download:
        page.click(".scalar-card[data-tag='loss'] button.png")
    assert pathlib.Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.check(".radios.yscale input[value='log']")
    page.wait_for_function("window.__board.state().settings.yScale === 'log'")
    y_range = page.evaluate("window.__board.views.scalars.cards.get('loss').chart.yRange")
    assert 0 < y_range[0] < 1.0 and y_range[1] > 1000.0
    page.check(".radios.xaxis input[value='relative']")
    plotted = state(page)["scalars"]["loss"]["run"]["plotted"]
    np.testing.assert_allclose(plotted["x"], [e.wall_time - expected[0].wall_time for e in expected], atol=1e-9)
    page.check(".radios.xaxis input[value='wall']")
    plotted = state(page)["scalars"]["loss"]["run"]["plotted"]
    assert plotted["x"] == [e.wall_time for e in expected]
    assert not page.errors


def test_downsampling_keeps_spikes(board, tmp_path):
    values = np.sin(np.arange(20000) / 500.0)
    values[12345] = 50.0
    values[777] = -40.0
    path = tmp_path / "big" / "events.out.tfevents.1.host.1.0.v2"
    path.parent.mkdir()
    from webtensor.summary import proto
    from webtensor.summary.event_file import frame_record
    records = [frame_record(proto.encode_event(proto.Event(wall_time=1.0, file_version="brain.Event:2")))]
    records += [frame_record(proto.encode_event(proto.Event(wall_time=1.0 + i, step=i, summary=[
        proto.Value(tag="x", simple_value=float(v))]))) for i, v in enumerate(values)]
    path.write_bytes(b"".join(records))
    page = board(tmp_path)
    series = state(page)["scalars"]["x"]["big"]
    assert series["count"] == 20000
    raw = series["plotted"]["raw"]
    width = page.locator(".scalar-card[data-tag='x'] .chart").bounding_box()["width"]
    assert len(raw) <= 4 * width < 20000
    assert max(raw) == np.float32(50.0) and min(raw) == np.float32(-40.0)
    # each spike is drawn within its bucket: less than one pixel's worth of steps from where it was written
    x = series["plotted"]["x"]
    steps_per_pixel = 20000 / (len(raw) / 4)
    assert abs(x[raw.index(max(raw))] - 12345) <= 2 * steps_per_pixel
    assert abs(x[raw.index(min(raw))] - 777) <= 2 * steps_per_pixel
    # zoomed in to 100 steps: every point in range is drawn as it is
    page.evaluate("window.__board.views.scalars.cards.get('x').chart.setRange([1000, 1100])")
    zoomed = state(page)["scalars"]["x"]["big"]["plotted"]
    assert zoomed["x"] == list(range(999, 1102))
    np.testing.assert_array_equal(zoomed["raw"], values[999:1102].astype(np.float32))


def test_new_points_and_runs_appear_while_a_writer_appends(board, tmp_path):
    writer = write_scalars(tmp_path, "train", [1.0, 0.5])
    page = board(tmp_path, poll_ms=200)
    assert state(page)["scalars"]["loss"]["train"]["count"] == 2
    for step in range(2, 6):
        with writer.as_default():
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
        writer.flush()
        page.wait_for_function(f"window.__board.state().scalars.loss.train.count === {step + 1}", timeout=TIMEOUT_MS)
    write_scalars(tmp_path, "eval", [0.7])
    page.wait_for_function("window.__board.state().scalars.loss.eval?.count === 1", timeout=TIMEOUT_MS)
    series = state(page)["scalars"]["loss"]["train"]
    assert series["step"] == list(range(6))
    assert series["plotted"]["raw"] == [e.value for e in tf.summary.read_logdir(tmp_path)["train"]["loss"]]
    assert page.locator(".run[data-run='eval'] input").is_checked()


def test_graph_view_shows_the_traced_ops(board, tmp_path):
    @tf.function
    def layer(x):
        with tf.name_scope("dense"):
            y = tf.matmul(x, tf.ones([3, 2])) + 1.0
        return tf.nn.relu(y)

    writer = tf.summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        tf.summary.trace_on(graph=True)
        layer(tf.ones([4, 3]))
        tf.summary.trace_export("layer_trace", step=0)
    writer.flush()
    traced = [n.name for n in tf.summary.read_logdir(tmp_path)["run"].graphs[0].nodes]
    page = board(tmp_path)
    page.click("button[data-tab='graphs']")
    page.wait_for_function("window.__board.state().graphs !== null", timeout=TIMEOUT_MS)
    graph = state(page)["graphs"]
    assert [op["name"] for op in graph["ops"]] == traced
    visible = {item["id"]: item for item in graph["visible"]}
    assert visible["scope:dense"]["kind"] == "scope" and visible["relu"]["op"] == "Relu"
    page.click(".node.scope[data-name='dense']")                        # expand the name scope
    page.wait_for_function("window.__board.state().graphs.expanded.includes('dense')")
    labels = svg_texts(page, ".graph-canvas .node.op text.name")
    assert {"matmul", "add", "relu"} <= set(labels)
    assert "MatMul" in svg_texts(page, ".graph-canvas .node.op text.op")
    page.click(".node.op[data-name='dense/matmul']")
    details = page.locator(".graph-details")
    details.wait_for()
    assert details.locator("tr[data-field='op'] td").nth(1).inner_text() == "MatMul"
    assert details.locator("tr[data-field='shapes'] td").nth(1).inner_text() == "[4, 2]"
    assert details.locator("tr[data-field='dtype'] td").nth(1).inner_text() == "float32"
    assert "x" in details.locator("tr[data-field='inputs'] td").nth(1).inner_text()
    page.click(".cluster[data-scope='dense'] text")                      # collapse it again
    page.wait_for_function("!window.__board.state().graphs.expanded.includes('dense')")
    assert not page.errors


def test_histograms_render_in_offset_and_overlay_modes(board, tmp_path):
    rng = np.random.default_rng(1)
    writer = tf.summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        for step in range(4):
            tf.summary.histogram("weights", rng.normal(loc=step, size=300), step=step)
    writer.flush()
    expected = tf.summary.read_logdir(tmp_path)["run"].histograms["weights"]
    page = board(tmp_path)
    page.click("button[data-tab='histograms']")
    page.wait_for_function("window.__board.state().histograms.weights !== undefined", timeout=TIMEOUT_MS)
    shown = state(page)["histograms"]["weights"]["run"]
    assert shown["steps"] == [0, 1, 2, 3]
    assert shown["lo"] == min(e.buckets[0][0] for e in expected)
    assert shown["hi"] == max(e.buckets[-1][1] for e in expected)
    for bins in shown["bins"]:
        assert sum(bins) == pytest.approx(300)
    card = page.locator(".histogram-card[data-tag='weights']")
    assert card.locator("path[data-step]").count() == 4
    assert card.get_attribute("data-mode") == "offset"
    page.check(".radios.histmode input[value='overlay']")
    assert page.locator(".histogram-card[data-tag='weights']").get_attribute("data-mode") == "overlay"
    assert not page.errors


def test_a_logdir_written_by_tensorflow(board):
    page = board(FIXTURE_LOGDIR)
    shown = state(page)
    assert [r["run"] for r in shown["runs"]] == ["legacy", "traced", "train", "validation"]
    expected = tf.summary.read_logdir(FIXTURE_LOGDIR)
    assert shown["scalars"]["epoch_loss"]["train"]["value"] == [e.value for e in expected["train"]["epoch_loss"]]
    assert shown["scalars"]["loss"]["legacy"]["value"] == [e.value for e in expected["legacy"]["loss"]]
    page.click("button[data-tab='histograms']")
    page.wait_for_function("Object.keys(window.__board.state().histograms).length >= 5", timeout=TIMEOUT_MS)
    hist = state(page)["histograms"]
    assert sum(hist["regressor/hidden/kernel/histogram"]["train"]["bins"][0]) == pytest.approx(32)
    assert page.locator(".histogram-card").count() == 6
    page.click("button[data-tab='graphs']")
    page.select_option(".graph-run", "traced")
    page.wait_for_function("window.__board.state().graphs?.run === 'traced'", timeout=TIMEOUT_MS)
    ops = {op["op"] for op in state(page)["graphs"]["ops"]}
    assert {"MatMul", "AddV2", "Relu"} <= ops
    page.select_option(".graph-run", "train")
    page.wait_for_function("window.__board.state().graphs?.run === 'train'", timeout=TIMEOUT_MS)
    labels = svg_texts(page, ".graph-canvas .node.op text.name")
    assert {"hidden", "out"} <= set(labels)        # the Keras model's layers
    page.click("button[data-tab='text']")
    page.locator(".text-card pre", has_text="written by **TensorFlow**").wait_for(timeout=TIMEOUT_MS)
    assert not page.errors
