"""Keras saving: .keras files, save_weights/load_weights, custom objects, and damaged or hostile files."""
import io
import json
import os
import warnings
import zipfile

import numpy as np
import pytest

import webtensor as tf
from webtensor.core import serialization
from webtensor.core.serialization import CorruptFileError

keras = tf.keras
if not hasattr(keras, "Sequential") or not hasattr(keras, "optimizers"):
    pytest.skip("keras models are not available yet", allow_module_level=True)

X = np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32)
Y = (X.sum(1, keepdims=True) > 0).astype(np.float32)


def _mlp():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])


def _trained(tmp_path):
    model = _mlp()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=2, verbose=0, shuffle=False)
    path = str(tmp_path / "model.keras")
    model.save(path)
    return model, path


def test_sequential_round_trip_keeps_predictions_and_optimizer_state(tmp_path):
    model, path = _trained(tmp_path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert type(loaded.optimizer).__name__ == "Adam"
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # training goes on exactly where it stopped
    loaded.fit(X, Y, epochs=1, verbose=0, shuffle=False)
    model.fit(X, Y, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6, atol=1e-7)


def test_load_without_compile(tmp_path):
    model, path = _trained(tmp_path)
    loaded = keras.models.load_model(path, compile=False)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_functional_round_trip(tmp_path):
    inputs = keras.Input((4,))
    a = keras.layers.Dense(5, activation="tanh")(inputs)
    b = keras.layers.Dense(5)(inputs)
    outputs = keras.layers.Dense(2)(keras.layers.Add()([a, b]))
    model = keras.Model(inputs, outputs)
    path = str(tmp_path / "functional.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_save_weights_is_our_format_whatever_the_suffix(tmp_path):
    model = _mlp()
    path = str(tmp_path / "mlp.weights.h5")
    model.save_weights(path)
    assert open(path, "rb").read(8) == serialization.MAGIC  # not HDF5: no h5py here
    fresh = _mlp()  # different automatic layer names: matched by order
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    fresh.load_weights(str(tmp_path / "mlp.weights.h5"))
    other = _mlp()
    other.load_weights(_trained(tmp_path)[1])  # load_weights reads .keras files too


def test_load_weights_checks_shapes_and_counts(tmp_path):
    path = str(tmp_path / "w.weights.h5")
    _mlp().save_weights(path)
    wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(9), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"Shape mismatch.*\(4, 9\).*\(4, 8\)"):
        wider.load_weights(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wider.load_weights(path, skip_mismatch=True)
    assert any("Skipping" in str(w.message) for w in caught)
    deeper = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(8), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Layer count mismatch"):
        deeper.load_weights(path)


def test_lambda_layers_need_their_function_at_load(tmp_path):
    def double(x):
        return x * 2.0

    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(double), keras.layers.Dense(2)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="never stores Python code"):
        keras.models.load_model(path)
    with pytest.raises(ValueError, match="never stores Python code"):
        keras.models.load_model(path, safe_mode=False)
    loaded = keras.models.load_model(path, custom_objects={"double": double})
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


class Twice(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return self.dense(x) * 2.0

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_models_need_custom_objects(tmp_path):
    model = Twice(3)
    model(X[:2])
    path = str(tmp_path / "twice.keras")
    model.save(path)
    with pytest.raises(TypeError, match="Could not locate class 'Twice'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Twice": Twice})
    assert isinstance(loaded, Twice) and loaded.units == 3
    np.testing.assert_array_equal(loaded(X).numpy(), model(X).numpy())


def test_model_save_needs_the_keras_suffix(tmp_path):
    with pytest.raises(ValueError, match=".keras"):
        _mlp().save(str(tmp_path / "model.h5"))
    with pytest.raises(ValueError, match=".keras"):
        keras.models.load_model(str(tmp_path / "model.h5"))


# -- damaged and hostile .keras files ---------------------------------------------------------------

def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_truncated_and_non_zip_files(tmp_path):
    _, path = _trained(tmp_path)
    data = open(path, "rb").read()
    for n in (0, 10, len(data) // 2, len(data) - 30):
        with open(path, "wb") as f:
            f.write(data[:n])
        with pytest.raises(CorruptFileError, match="model.keras"):
            keras.models.load_model(path)
    with open(path, "wb") as f:
        f.write(b"\x80\x04\x95 pickle bytes")
    with pytest.raises(CorruptFileError, match="not a valid .keras file"):
        keras.models.load_model(path)


def test_corrupt_members(tmp_path):
    _, path = _trained(tmp_path)
    members = _members(path)

    def write(**changes):
        with open(path, "wb") as f:
            f.write(_zip({**members, **changes}))

    write(**{"config.json": b"[1, 2]"})
    with pytest.raises(CorruptFileError, match="JSON object"):
        keras.models.load_model(path)
    write(**{"config.json": b"{nope"})
    with pytest.raises(CorruptFileError, match="not valid JSON"):
        keras.models.load_model(path)
    weights = bytearray(members["model.weights.wt"])
    start = len(weights) - json.loads(bytes(weights[24:24 + int.from_bytes(weights[12:20], "little")]))[
        "data_length"]
    weights[start + 3] ^= 0xFF  # inside the first tensor's data
    write(**{"model.weights.wt": bytes(weights)})
    with pytest.raises(CorruptFileError, match="checksum|longer|truncated"):
        keras.models.load_model(path)
    write(**{"model.weights.wt": members["model.weights.wt"][:100]})
    with pytest.raises(CorruptFileError, match="model.weights.wt"):
        keras.models.load_model(path)
    hostile = json.loads(members["config.json"])
    hostile["class_name"], hostile["module"] = "system", "os"
    write(**{"config.json": json.dumps(hostile).encode()})
    with pytest.raises(TypeError, match="Could not locate class 'system'"):
        keras.models.load_model(path)
    with open(path, "wb") as f:
        f.write(_zip({"metadata.json": b"{}"}))
    with pytest.raises(CorruptFileError, match="no config.json"):
        keras.models.load_model(path)


def test_a_crash_midway_keeps_the_previous_model_file(tmp_path, monkeypatch):
    model, path = _trained(tmp_path)
    before = open(path, "rb").read()

    def crash(f, data):
        f.write(bytes(data)[:100])
        raise OSError("killed (simulated)")
    monkeypatch.setattr(serialization, "_write_all", crash)
    with pytest.raises(OSError, match="simulated"):
        _mlp().save(path)
    monkeypatch.undo()
    assert open(path, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["model.keras"]
    np.testing.assert_array_equal(keras.models.load_model(path).predict(X, verbose=0), model.predict(X, verbose=0))


def test_checkpoint_of_a_keras_model_and_optimizer(tmp_path):
    model, _ = _trained(tmp_path)
    ckpt = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    prefix = ckpt.save(str(tmp_path / "ckpts" / "ckpt"))
    fresh = _mlp()
    fresh.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    status = tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer).restore(prefix)
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    fresh.fit(X, Y, epochs=1, verbose=0, shuffle=False)  # slots appear on the first apply and get their values
    model.fit(X, Y, epochs=1, verbose=0, shuffle=False)
    status.assert_existing_objects_matched()  # the metrics' state was saved too; fresh has no such metrics
    np.testing.assert_allclose(fresh.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6, atol=1e-7)


def test_saved_model_of_a_keras_model_serves_its_call(tmp_path):
    model, _ = _trained(tmp_path)
    tf.saved_model.save(model, str(tmp_path / "exported"))
    reloaded = tf.saved_model.load(str(tmp_path / "exported"))
    np.testing.assert_allclose(reloaded(X).numpy(), model.predict(X, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(reloaded.serve(X[:3]).numpy(), model.predict(X[:3], verbose=0), rtol=1e-6)
