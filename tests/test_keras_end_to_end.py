"""Keras end to end on the offline digits data set (issue 4, items 10 and 11's checks).

(a) an MLP and (b) a small CNN trained with fit to >= 95% test accuracy (seeded, so repeatable;
the threshold is asserted, not exact values); (c) save/load round trips: .keras files,
save_weights/load_weights, tf.train.Checkpoint + CheckpointManager resuming mid-training to the
same weights as uninterrupted training, tf.saved_model of a Keras model; (d) damaged .keras files
raise a clear error naming the file; (e) TensorBoard interop both ways (tensorboard's
EventAccumulator reads the Keras callback's logs; webtensor reads logs that tensorboard wrote).
"""
import os

import numpy as np
import pytest

import webtensor as tf
from webtensor import errors

keras = tf.keras


@pytest.fixture(scope="module")
def digits():
    """The digits split scaled to [0, 1]: ((x_train [1437, 8, 8], y_train), (x_test [360, 8, 8], y_test))."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert int(x_train.max()) == 16 and sorted(set(y_train.tolist())) == list(range(10))
    x_train, x_test = (x_train / 16.0).astype(np.float32), (x_test / 16.0).astype(np.float32)
    return (x_train, y_train), (x_test, y_test)


def _mlp():
    return keras.Sequential([
        keras.Input(shape=(8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])


def _cnn():
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
    ])


def _compile(model, learning_rate=0.003):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _accuracy(logits, labels):
    return float(np.mean(np.argmax(logits, axis=1) == labels))


# -- (a), (b): training to >= 95% test accuracy ------------------------------------------------------


@pytest.fixture(scope="module")
def trained_mlp(digits):
    (x_train, y_train), _ = digits
    keras.utils.set_random_seed(0)
    model = _compile(_mlp())
    history = model.fit(x_train, y_train, epochs=40, batch_size=32, verbose=0)
    return model, history


def test_digits_mlp_reaches_95_percent(digits, trained_mlp):
    _, (x_test, y_test) = digits
    model, history = trained_mlp
    assert model.count_params() == 64 * 64 + 64 + 64 * 10 + 10
    losses = history.history["loss"]
    assert len(losses) == 40 and losses[-1] < 0.25 * losses[0]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95
    logits = model.predict(x_test, verbose=0)
    assert logits.shape == (360, 10) and logits.dtype == np.float32
    assert _accuracy(logits, y_test) == pytest.approx(accuracy)


def test_digits_cnn_reaches_95_percent(digits):
    (x_train, y_train), (x_test, y_test) = digits
    keras.utils.set_random_seed(0)
    model = _compile(_cnn())
    assert model.count_params() == (3 * 3 * 1 * 16 + 16) + (4 * 4 * 16 * 10 + 10)
    history = model.fit(x_train[..., None], y_train, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    _, accuracy = model.evaluate(x_test[..., None], y_test, verbose=0)
    assert accuracy >= 0.95
    assert _accuracy(model.predict(x_test[..., None], verbose=0), y_test) == pytest.approx(accuracy)


def test_training_is_repeatable_with_the_same_seed(digits):
    (x_train, y_train), _ = digits
    runs = []
    for _ in range(2):
        # Keras's way to seed everything (weights come from tf.random's global seed, fit's shuffling
        # from numpy's), as Keras 3 documents it.
        keras.utils.set_random_seed(7)
        model = _compile(_mlp())
        model.fit(x_train[:256], y_train[:256], epochs=2, batch_size=64, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


# -- (c) save/load round trips ---------------------------------------------------------------------


def test_keras_file_round_trip(digits, trained_mlp, tmp_path):
    _, (x_test, y_test) = digits
    model, _ = trained_mlp
    path = str(tmp_path / "digits_mlp.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and [layer.name for layer in loaded.layers] == \
        [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Compiled as saved (loss object with its settings, metrics), with the optimizer's state.
    assert isinstance(loaded.loss, keras.losses.SparseCategoricalCrossentropy) and loaded.loss.from_logits
    assert loaded.evaluate(x_test, y_test, verbose=0) == pytest.approx(model.evaluate(x_test, y_test, verbose=0))
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 40 * 45
    assert loaded.optimizer.learning_rate.numpy() == pytest.approx(0.003)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_save_weights_and_load_weights(digits, trained_mlp, tmp_path):
    _, (x_test, _) = digits
    model, _ = trained_mlp
    path = str(tmp_path / "digits_mlp.weights.h5")
    model.save_weights(path)
    fresh = _mlp()
    assert not np.array_equal(fresh.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    # Weights of another architecture are refused, naming the mismatch.
    with pytest.raises(ValueError):
        _cnn().load_weights(path)


def _train_steps(model, dataset, epochs):
    for _ in range(epochs):
        for x, y in dataset:
            model.train_on_batch(x, y)


def test_checkpoint_manager_resumes_training_to_the_same_weights(digits, tmp_path):
    (x_train, y_train), _ = digits
    x_train, y_train = x_train[:320], y_train[:320]

    def dataset():  # the same data order every epoch and every run
        return tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(64)

    tf.random.set_seed(11)
    initial = _mlp().get_weights()

    def fresh_model():
        model = _compile(_mlp())
        model.set_weights(initial)
        return model

    # Uninterrupted: 4 epochs.
    straight = fresh_model()
    _train_steps(straight, dataset(), 4)

    # Interrupted: 2 epochs, checkpoint, then a new process's objects restore and train 2 more.
    first = fresh_model()
    _train_steps(first, dataset(), 2)
    ckpt = tf.train.Checkpoint(model=first, optimizer=first.optimizer)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / "ckpts"), max_to_keep=2)
    for _ in range(3):
        saved = manager.save()
    assert saved == manager.latest_checkpoint and len(manager.checkpoints) == 2  # max_to_keep

    resumed = _compile(_mlp())  # other initial weights, an optimizer with no state yet
    resumed.build((None, 8, 8))
    status = tf.train.Checkpoint(model=resumed, optimizer=resumed.optimizer).restore(
        tf.train.latest_checkpoint(str(tmp_path / "ckpts")))
    for a, b in zip(resumed.get_weights(), first.get_weights()):
        np.testing.assert_array_equal(a, b)
    _train_steps(resumed, dataset(), 2)  # the optimizer's slots are restored when it creates them
    status.assert_consumed()
    assert int(resumed.optimizer.iterations) == int(straight.optimizer.iterations) == 4 * 5
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_saved_model_of_a_keras_model(digits, trained_mlp, tmp_path):
    _, (x_test, _) = digits
    model, _ = trained_mlp
    path = str(tmp_path / "digits_saved_model")
    tf.saved_model.save(model, path)
    reloaded = tf.saved_model.load(path)
    assert not isinstance(reloaded, keras.Model)  # runs its traced function, not the Python class
    expected = model.predict(x_test, verbose=0)
    # float32 logits of magnitude ~10 computed by two routes (the traced graph vs predict's batches)
    # differ in the last bits, so near-zero entries get an absolute tolerance of a few ulps of 10
    np.testing.assert_allclose(reloaded(tf.constant(x_test)).numpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(reloaded.serve(tf.constant(x_test[:5])).numpy(), expected[:5], rtol=1e-5, atol=1e-5)
    # Its variables hold the model's weights (and the tracked optimizer and metric state).
    saved = [np.asarray(v) for v in reloaded.variables]
    for w in model.get_weights():
        assert any(s.shape == w.shape and np.array_equal(s, w) for s in saved)


# -- (d) damaged .keras files ----------------------------------------------------------------------


@pytest.fixture
def keras_file(tmp_path, trained_mlp):
    path = tmp_path / "model.keras"
    trained_mlp[0].save(str(path))
    return path


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_keras_file_raises_naming_the_file(keras_file, keep):
    data = keras_file.read_bytes()
    keras_file.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(errors.DataLossError) as info:
        keras.models.load_model(str(keras_file))
    assert str(keras_file) in str(info.value)
    assert isinstance(info.value, ValueError)  # also what Keras raises for a bad file


def test_byte_flips_anywhere_raise_naming_the_file(keras_file, trained_mlp):
    data = keras_file.read_bytes()
    rng = np.random.default_rng(0)
    undetected = []
    positions = sorted(set(rng.integers(0, len(data), 40).tolist()) | {0, len(data) // 2, len(data) - 1})
    for pos in positions:
        flipped = bytearray(data)
        flipped[pos] ^= 0x5A
        keras_file.write_bytes(bytes(flipped))
        try:
            loaded = keras.models.load_model(str(keras_file))
        except errors.DataLossError as e:  # the zip's CRCs cover every member, the weights have their own
            assert str(keras_file) in str(e), f"byte {pos}: {e}"
        else:
            undetected.append((pos, loaded))
    # The weights carry checksums: every surviving load has the exact weights. (A flip in zip metadata that
    # zipfile ignores, such as a timestamp, may load normally.)
    for pos, loaded in undetected:
        for a, b in zip(loaded.get_weights(), trained_mlp[0].get_weights()):
            np.testing.assert_array_equal(a, b, err_msg=f"byte {pos} flipped, load succeeded with other weights")


def test_flipped_weight_bytes_fail_the_checksum(keras_file):
    import zipfile
    with zipfile.ZipFile(keras_file) as zf:
        info = zf.getinfo("model.weights.wt")
        members = {name: zf.read(name) for name in zf.namelist()}
    assert info.compress_type == zipfile.ZIP_STORED
    weights = bytearray(members["model.weights.wt"])
    # The tensor file: 24-byte prefix (magic, version, header length, header CRC), JSON header, data aligned.
    import json
    import struct
    header_length = struct.unpack_from("<Q", weights, 12)[0]
    header = json.loads(bytes(weights[24:24 + header_length]))
    data_start = -(-(24 + header_length) // 8) * 8
    # layer paths carry the layers' names (dense, dense_3, ... depending on what ran before)
    key = min((k for k in header["tensors"] if k.startswith("layers/")), key=lambda k: header["tensors"][k]["offset"])
    kernel = header["tensors"][key]
    assert kernel["shape"] == [64, 64]
    weights[data_start + kernel["offset"] + kernel["length"] // 2] ^= 0x01  # one bit of the first kernel
    members["model.weights.wt"] = bytes(weights)
    with zipfile.ZipFile(keras_file, "w") as zf:  # a well-formed zip around damaged weights
        for name, payload in members.items():
            zf.writestr(name, payload)
    with pytest.raises(errors.DataLossError, match="checksum|CRC|crc") as info:
        keras.models.load_model(str(keras_file))
    assert str(keras_file) in str(info.value)


def test_not_a_keras_file(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("hello")
    with pytest.raises(errors.DataLossError, match="not a valid .keras file") as info:
        keras.models.load_model(str(path))
    assert str(path) in str(info.value)
    with pytest.raises((errors.NotFoundError, FileNotFoundError, OSError)):
        keras.models.load_model(str(tmp_path / "missing.keras"))


# -- (e) TensorBoard interop -----------------------------------------------------------------------


def test_tensorboard_reads_the_keras_callback_logs(digits, tmp_path):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
    (x_train, y_train), (x_test, y_test) = digits
    tf.random.set_seed(0)
    model = _compile(_mlp())
    logdir = tmp_path / "logs"
    history = model.fit(x_train[:512], y_train[:512], epochs=3, batch_size=64, verbose=0,
                        validation_data=(x_test, y_test),
                        callbacks=[keras.callbacks.TensorBoard(log_dir=str(logdir), histogram_freq=1)])
    for run, prefix in (("train", ""), ("validation", "val_")):
        acc = ea.EventAccumulator(str(logdir / run), size_guidance={ea.TENSORS: 0, ea.HISTOGRAMS: 0})
        acc.Reload()
        tags = acc.Tags()["tensors"]
        for tag in ("epoch_loss", "epoch_accuracy"):
            assert tag in tags, f"{run}: {tags}"
            events = acc.Tensors(tag)
            assert [e.step for e in events] == [0, 1, 2]
            values = [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events]
            np.testing.assert_allclose(values, history.history[prefix + tag[len("epoch_"):]], rtol=1e-6)
            assert acc.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"
    # The train run also holds weight histograms and the model graph.
    acc = ea.EventAccumulator(str(logdir / "train"), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    histograms = [t for t in acc.Tags()["tensors"] if acc.SummaryMetadata(t).plugin_data.plugin_name == "histograms"]
    assert histograms
    assert acc.Tags()["graph"] and len(acc.Graph().node) > 0
    # Our reader agrees with TensorBoard's.
    ours = tf.summary.read_logdir(str(logdir))
    assert [e.value for e in ours["train"]["epoch_loss"]] == pytest.approx(history.history["loss"])


def test_webtensor_reads_logs_written_by_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.util import tensor_util

    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    losses = [2.0, 1.25, 0.5]
    for run in ("train", "validation"):
        writer = EventFileWriter(str(tmp_path / run))
        for step, loss in enumerate(losses):
            value = loss if run == "train" else loss + 0.25
            summary = summary_pb2.Summary(value=[
                # the TF2 way (a tensor under the scalars plugin) and the TF1 way (simple_value)
                summary_pb2.Summary.Value(tag="epoch_loss", metadata=meta,
                                          tensor=tensor_util.make_tensor_proto(np.float32(value))),
                summary_pb2.Summary.Value(tag="legacy_loss", simple_value=value)])
            writer.add_event(event_pb2.Event(wall_time=100.0 + step, step=step, summary=summary))
        writer.close()
    runs = tf.summary.read_logdir(str(tmp_path))
    assert set(runs) == {"train", "validation"}
    for run, offset in (("train", 0.0), ("validation", 0.25)):
        for tag in ("epoch_loss", "legacy_loss"):
            events = runs[run][tag]
            assert [(e.wall_time, e.step) for e in events] == [(100.0, 0), (101.0, 1), (102.0, 2)]
            np.testing.assert_allclose([e.value for e in events], [v + offset for v in losses])


def test_webtensor_reads_tensorboard_summary_v2_api_logs(tmp_path):
    """tensorboard's own summary_v2 helpers (TensorFlow-free) build the protos; webtensor reads them."""
    pytest.importorskip("tensorboard")
    try:
        from tensorboard.plugins.histogram import summary_v2 as histogram_v2
        from tensorboard.plugins.scalar import summary_v2 as scalar_v2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.compat.proto import event_pb2
    except ImportError as e:  # pragma: no cover - depends on the tensorboard version
        pytest.skip(f"tensorboard summary_v2 helpers unavailable: {e}")
    writer = EventFileWriter(str(tmp_path))
    data = np.array([0.0, 1.0, 1.0, 3.0])
    writer.add_event(event_pb2.Event(wall_time=1.0, step=5, summary=scalar_v2.scalar_pb("accuracy", 0.875)))
    writer.add_event(event_pb2.Event(wall_time=2.0, step=6, summary=histogram_v2.histogram_pb("w", data, buckets=3)))
    writer.close()
    run = tf.summary.read_logdir(str(tmp_path))["."]
    assert [(e.step, e.value) for e in run["accuracy"]] == [(5, 0.875)]
    (hist,) = run.histograms["w"]
    assert hist.step == 6
    buckets = np.asarray(hist.buckets)
    assert buckets.shape == (3, 3) and buckets[:, 2].sum() == 4
    assert buckets[0, 0] == 0.0 and buckets[-1, 1] == 3.0


# -- the same training on the WebGPU backend ---------------------------------------------------------


@pytest.mark.skipif("webgpu" not in tf.config.available_backends(), reason="no WebGPU adapter")
@pytest.mark.filterwarnings("ignore:WebGPU holds no int64")  # the optimizer's step counter stays on the CPU
@pytest.mark.parametrize("make, shape", [(_mlp, (8, 8)), (_cnn, (8, 8, 1))], ids=["mlp", "cnn"])
def test_fit_on_webgpu_matches_the_cpu(digits, make, shape):
    (x_train, y_train), (x_test, y_test) = digits
    x, y = x_train[:256].reshape((-1,) + shape), y_train[:256].astype(np.int32)
    xt = x_test[:64].reshape((-1,) + shape)
    tf.random.set_seed(3)
    initial = make().get_weights()
    results = []
    for device in ("/CPU:0", "/GPU:0"):
        with tf.device(device):
            model = make()
            model.set_weights(initial)
            model.compile(optimizer=keras.optimizers.SGD(0.1),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
            history = model.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0)
            assert all(device[1:] in w.device for w in model.weights)
            results.append((history.history["loss"], model.get_weights(), model.predict(xt, verbose=0),
                            model.evaluate(xt, y_test[:64].astype(np.int32), verbose=0)))
    (cpu_loss, cpu_w, cpu_pred, cpu_eval), (gpu_loss, gpu_w, gpu_pred, gpu_eval) = results
    np.testing.assert_allclose(gpu_loss, cpu_loss, rtol=1e-3)
    for a, b in zip(gpu_w, cpu_w):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gpu_pred, cpu_pred, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gpu_eval, cpu_eval, rtol=1e-3, atol=1e-4)
