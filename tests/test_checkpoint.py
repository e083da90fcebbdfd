"""tf.train.Checkpoint / CheckpointManager and the tensor file format under them (corrupt and hostile files)."""
import json
import os
import struct
import zlib

import numpy as np
import pytest

import webtensor as tf
from webtensor.core import serialization
from webtensor.core.serialization import CorruptFileError


class Net(tf.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.w = tf.Variable(rng.standard_normal((3, 4)).astype(np.float32))
        self.parts = [tf.Variable(np.arange(5, dtype=np.int64)), {"flag": tf.Variable([True, False])}]
        self.inner = tf.Module()
        self.inner.b = tf.Variable(rng.standard_normal(4))  # float64


def _zero(net):
    for v in net.variables:
        v.assign(np.zeros(v.shape, v.dtype.as_numpy_dtype))


class SlotOptimizer(tf.Module):
    """An optimizer whose slot variables appear on the first apply, as Keras optimizers' do."""

    def __init__(self):
        super().__init__()
        self.iterations = tf.Variable(0, dtype=tf.int64)
        self.momentums = []

    def build(self, var_list):
        for v in var_list:
            self.momentums.append(tf.Variable(tf.zeros(v.shape, v.dtype)))

    def apply_gradients(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        if not self.momentums:
            self.build([v for _, v in grads_and_vars])
        for (g, v), m in zip(grads_and_vars, self.momentums):
            m.assign(0.9 * m + g)
            v.assign_sub(0.1 * m)
        self.iterations.assign_add(1)


# -- Checkpoint -------------------------------------------------------------------------------------

def test_round_trip_restores_values_exactly(tmp_path):
    net = Net()
    ckpt = tf.train.Checkpoint(model=net, step=tf.Variable(7))
    path = ckpt.save(str(tmp_path / "ckpt"))
    assert path == str(tmp_path / "ckpt-1")
    assert os.path.exists(path + ".index")
    saved = [v.numpy().copy() for v in net.variables]
    _zero(net)
    ckpt.step.assign(0)
    status = ckpt.restore(path)
    status.assert_consumed()
    for v, want in zip(net.variables, saved):
        assert v.numpy().dtype == want.dtype
        np.testing.assert_array_equal(v.numpy(), want)
    assert int(ckpt.step.numpy()) == 7
    assert int(ckpt.save_counter.numpy()) == 1


def test_save_counts_and_latest_checkpoint(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    paths = [ckpt.save(str(tmp_path / "ckpt")) for _ in range(3)]
    assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-3")
    state = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "ckpt-3"' in state


def test_write_and_read_use_the_exact_prefix(tmp_path):
    v = tf.Variable([1.0, 2.0])
    ckpt = tf.train.Checkpoint(v=v)
    assert ckpt.write(str(tmp_path / "weights")) == str(tmp_path / "weights")
    assert not (tmp_path / "checkpoint").exists()
    v.assign([0.0, 0.0])
    ckpt.read(str(tmp_path / "weights")).assert_consumed()
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert int(ckpt.save_counter.numpy()) == 0


def test_a_fresh_object_graph_restores(tmp_path):
    net = Net()
    path = tf.train.Checkpoint(model=net).save(str(tmp_path / "c"))
    other = Net()
    _zero(other)
    tf.train.Checkpoint(model=other).restore(path).assert_consumed()
    np.testing.assert_array_equal(other.w.numpy(), net.w.numpy())
    np.testing.assert_array_equal(other.inner.b.numpy(), net.inner.b.numpy())


def test_shape_and_dtype_mismatch_raise(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).save(str(tmp_path / "c"))
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \[2\].*shape \(3,\)"):
        tf.train.Checkpoint(v=tf.Variable([1.0, 2.0, 3.0])).restore(path)
    with pytest.raises(ValueError, match="dtype float32.*dtype int32"):
        tf.train.Checkpoint(v=tf.Variable([1, 2])).restore(path)


def test_deferred_restore_of_optimizer_slots(tmp_path):
    var = tf.Variable([1.0, -1.0])
    opt = SlotOptimizer()
    opt.apply_gradients([(tf.constant([0.5, 0.25]), var)])
    path = tf.train.Checkpoint(opt=opt, var=var).save(str(tmp_path / "c"))
    momentum = opt.momentums[0].numpy().copy()

    var2, opt2 = tf.Variable([0.0, 0.0]), SlotOptimizer()
    status = tf.train.Checkpoint(opt=opt2, var=var2).restore(path)
    np.testing.assert_array_equal(var2.numpy(), var.numpy())
    assert int(opt2.iterations.numpy()) == 1
    with pytest.raises(AssertionError, match="not restored"):
        status.assert_consumed()
    status.assert_existing_objects_matched()
    # the slot is created by the first apply; its saved value lands right after build, before the update
    opt2.apply_gradients([(tf.constant([0.0, 0.0]), var2)])
    np.testing.assert_allclose(opt2.momentums[0].numpy(), 0.9 * momentum, rtol=1e-6)
    status.assert_consumed()
    assert "build" not in vars(opt2)  # the hooks are gone once everything is restored


def test_deferred_restore_of_keras_layer_weights(tmp_path):
    layers = pytest.importorskip("webtensor.keras.layers")
    layer = layers.Dense(3)
    layer(tf.ones([2, 4]))
    ckpt = tf.train.Checkpoint(layer=layer)
    path = ckpt.save(str(tmp_path / "c"))
    fresh = layers.Dense(3)
    status = tf.train.Checkpoint(layer=fresh).restore(path)  # the Checkpoint itself is dropped
    fresh(tf.ones([1, 4]))
    status.assert_consumed()
    np.testing.assert_array_equal(fresh.kernel.numpy(), layer.kernel.numpy())
    np.testing.assert_array_equal(fresh.bias.numpy(), layer.bias.numpy())


def test_status_objects(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable(1.0), b=tf.Variable(2.0)).save(str(tmp_path / "c"))
    partial = tf.train.Checkpoint(a=tf.Variable(0.0))
    status = partial.restore(path)
    assert status.expect_partial() is status
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError):
        status.assert_consumed()
    extra = tf.train.Checkpoint(a=tf.Variable(0.0), b=tf.Variable(0.0), c=tf.Variable(0.0))
    with pytest.raises(AssertionError, match="no values"):
        extra.restore(path).assert_existing_objects_matched()
    none = tf.train.Checkpoint(a=tf.Variable(0.0)).restore(None)
    none.expect_partial()
    with pytest.raises(AssertionError):
        none.assert_consumed()


def test_checkpoint_rejects_non_trackable_values():
    with pytest.raises(ValueError, match="trackable"):
        tf.train.Checkpoint(x=3)


def test_list_variables_and_load_variable(tmp_path):
    net = Net()
    tf.train.Checkpoint(model=net).save(str(tmp_path / "c"))
    names = dict(tf.train.list_variables(str(tmp_path)))
    assert names["model/w/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 4]
    assert names["model/parts/1/flag/.ATTRIBUTES/VARIABLE_VALUE"] == [2]
    assert names["save_counter/.ATTRIBUTES/VARIABLE_VALUE"] == []
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "model/inner/b"), net.inner.b.numpy())
    with pytest.raises(tf.errors.NotFoundError):
        tf.train.load_variable(str(tmp_path), "nope")
    with pytest.raises(tf.errors.NotFoundError):
        tf.train.list_variables(str(tmp_path / "missing-1"))


# -- CheckpointManager ------------------------------------------------------------------------------

def test_manager_keeps_max_to_keep(tmp_path):
    v = tf.Variable(0.0)
    ckpt = tf.train.Checkpoint(v=v)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    for i in range(4):
        v.assign(float(i))
        manager.save()
    assert [os.path.basename(p) for p in manager.checkpoints] == ["ckpt-3", "ckpt-4"]
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-3.index", "ckpt-4.index"]
    assert manager.latest_checkpoint == str(tmp_path / "ckpt-4")
    assert tf.train.latest_checkpoint(str(tmp_path)) == manager.latest_checkpoint
    ckpt.restore(manager.checkpoints[0])
    assert float(v.numpy()) == 2.0
    # a new manager picks up the kept checkpoints from the state file and keeps deleting
    again = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    assert again.checkpoints == manager.checkpoints
    again.save(checkpoint_number=10)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-10.index", "ckpt-4.index"]


def test_manager_restore_or_initialize_and_names(tmp_path):
    v = tf.Variable(5.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=None,
                                         checkpoint_name="model")
    assert manager.restore_or_initialize() is None
    path = manager.save()
    assert os.path.basename(path) == "model-1"
    v.assign(0.0)
    assert manager.restore_or_initialize() == path
    assert float(v.numpy()) == 5.0
    with pytest.raises(ValueError, match="max_to_keep"):
        tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=0)


def test_hostile_state_file_cannot_point_outside(tmp_path):
    victim = tmp_path / "victim.index"
    victim.write_bytes(b"keep me")
    ckpt_dir = tmp_path / "ckpts"
    ckpt_dir.mkdir()
    (ckpt_dir / "checkpoint").write_text('model_checkpoint_path: "../victim"\n'
                                         'all_model_checkpoint_paths: "../victim"\n')
    with pytest.raises(CorruptFileError, match="unsafe path|outside its directory"):
        tf.train.latest_checkpoint(str(ckpt_dir))
    with pytest.raises(CorruptFileError):
        tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), str(ckpt_dir), max_to_keep=1)
    (ckpt_dir / "checkpoint").write_text("import os\n")
    with pytest.raises(CorruptFileError, match="checkpoint"):
        tf.train.latest_checkpoint(str(ckpt_dir))
    assert victim.read_bytes() == b"keep me"


# -- the tensor file format: atomic writes ----------------------------------------------------------

def test_a_crash_midway_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    v = tf.Variable(np.arange(1000, dtype=np.float32))
    ckpt = tf.train.Checkpoint(v=v)
    prefix = str(tmp_path / "weights")
    ckpt.write(prefix)
    before = (tmp_path / "weights.index").read_bytes()

    def crash(f, data):
        f.write(bytes(data)[: len(data) // 2])
        raise OSError("disk full (simulated)")
    monkeypatch.setattr(serialization, "_write_all", crash)
    v.assign(np.zeros(1000, np.float32))
    with pytest.raises(OSError, match="simulated"):
        ckpt.write(prefix)
    monkeypatch.undo()
    assert (tmp_path / "weights.index").read_bytes() == before
    assert os.listdir(tmp_path) == ["weights.index"]  # no temporary file left behind
    ckpt.read(prefix).assert_consumed()
    np.testing.assert_array_equal(v.numpy(), np.arange(1000, dtype=np.float32))


# -- the tensor file format: truncated, corrupt and hostile files -----------------------------------

def _real_file(tmp_path):
    net = Net()
    tf.train.Checkpoint(model=net).write(str(tmp_path / "c"))
    return tmp_path / "c.index"


def _restore(path):
    return tf.train.Checkpoint(model=Net()).restore(str(path)[: -len(".index")])


@pytest.mark.parametrize("keep", [0, 4, 19, 30, "half-header", "half", -1])
def test_truncated_files_raise_naming_the_file(tmp_path, keep):
    path = _real_file(tmp_path)
    data = path.read_bytes()
    hlen = struct.unpack_from("<Q", data, 12)[0]
    n = {"half-header": 24 + hlen // 2, "half": len(data) // 2}.get(keep, keep)
    path.write_bytes(data[:n] if n >= 0 else data[:n])
    with pytest.raises(CorruptFileError, match=str(path).replace("\\", "\\\\")) as e:
        _restore(path)
    assert isinstance(e.value, tf.errors.DataLossError)


def test_flipped_bytes_are_caught_by_checksums(tmp_path):
    path = _real_file(tmp_path)
    data = bytearray(path.read_bytes())
    hlen = struct.unpack_from("<Q", data, 12)[0]
    entry = json.loads(bytes(data[24:24 + hlen]))["tensors"]["model/w/.ATTRIBUTES/VARIABLE_VALUE"]
    bad = bytearray(data)
    bad[(24 + hlen + 7) // 8 * 8 + entry["offset"] + 5] ^= 0xFF  # inside the data of model.w
    path.write_bytes(bytes(bad))
    with pytest.raises(CorruptFileError, match="checksum mismatch in the data"):
        _restore(path)
    bad = bytearray(data)
    bad[40] ^= 0x01  # inside the JSON header
    path.write_bytes(bytes(bad))
    with pytest.raises(CorruptFileError, match="header checksum"):
        _restore(path)
    bad = bytearray(data)
    bad[0:8] = b"PK\x03\x04abc"
    path.write_bytes(bytes(bad))
    with pytest.raises(CorruptFileError, match="bad magic"):
        _restore(path)
    bad = bytearray(data)
    bad[8] = 99
    path.write_bytes(bytes(bad))
    with pytest.raises(CorruptFileError, match="version 99"):
        _restore(path)
    path.write_bytes(bytes(data) + b"junk")
    with pytest.raises(CorruptFileError, match="longer than its header says"):
        _restore(path)


def _forge(header, data=b"", hlen=None):
    """A file with any header (valid checksum), as an attacker would write it."""
    hbytes = header if isinstance(header, bytes) else json.dumps(header).encode()
    start = (24 + len(hbytes) + 7) // 8 * 8
    prefix = struct.pack("<8sIQI", b"WTENSOR\0", 1, len(hbytes) if hlen is None else hlen, zlib.crc32(hbytes))
    return prefix + hbytes + b"\0" * (start - 24 - len(hbytes)) + data


def _entry(**kw):
    e = {"dtype": "float32", "shape": [2], "offset": 0, "length": 8, "crc32": zlib.crc32(b"\0" * 8)}
    e.update(kw)
    return e


@pytest.mark.parametrize("blob, message", [
    (_forge({"tensors": {}, "data_length": 0, "metadata": {}}, hlen=1 << 40), "header length"),
    (_forge(b"[1, 2, 3]"), "JSON object"),
    (_forge(b"{not json"), "not valid JSON"),
    (_forge(b"\xff\xfe"), "not valid JSON"),
    (_forge({"tensors": {"a": _entry(offset=64)}, "data_length": 8, "metadata": {}}, b"\0" * 8),
     "outside the data section"),
    (_forge({"tensors": {"a": _entry(shape=[1 << 40, 1 << 40], length=8)}, "data_length": 8, "metadata": {}},
            b"\0" * 8), "needs"),
    (_forge({"tensors": {"a": _entry(shape=[-2])}, "data_length": 8, "metadata": {}}, b"\0" * 8), "invalid shape"),
    (_forge({"tensors": {"a": _entry(shape=[1] * 100)}, "data_length": 8, "metadata": {}}, b"\0" * 8),
     "invalid shape"),
    (_forge({"tensors": {"a": _entry(dtype="object")}, "data_length": 8, "metadata": {}}, b"\0" * 8),
     "unknown dtype"),
    (_forge({"tensors": {"a": _entry(offset=True)}, "data_length": 8, "metadata": {}}, b"\0" * 8), "invalid offset"),
    (_forge({"tensors": {"a\0b": _entry()}, "data_length": 8, "metadata": {}}, b"\0" * 8), "invalid tensor name"),
    (_forge({"tensors": {"a": _entry()}, "data_length": 1 << 50, "metadata": {}}, b"\0" * 8), "truncated"),
    (_forge({"tensors": [], "data_length": 0, "metadata": {}}), "lacks"),
    (_forge({"tensors": {}, "data_length": 0, "metadata": {"format": "webtensor-checkpoint",
                                                             "object_graph": {"nodes": [{"children": {"x": 5}}]}}}),
     "invalid children"),
    (_forge({"tensors": {}, "data_length": 0, "metadata": {
        "format": "webtensor-checkpoint", "object_graph": {"nodes": [{"children": {}, "variable": "../../x"}]}}}),
     "does not hold"),
    (_forge({"tensors": {}, "data_length": 0, "metadata": {"format": "pickle"}}), "not a webtensor checkpoint"),
])
def test_hostile_headers_raise_clear_errors(tmp_path, blob, message):
    path = tmp_path / "evil.index"
    path.write_bytes(blob)
    with pytest.raises(CorruptFileError, match=message) as e:
        _restore(path)
    assert str(path) in str(e.value)


def test_checksum_of_forged_data_is_verified(tmp_path):
    path = tmp_path / "evil.index"
    header = {"tensors": {"a": _entry(crc32=123)}, "data_length": 64,
              "metadata": {"format": "webtensor-checkpoint",
                           "object_graph": {"nodes": [{"children": {"v": 1}},
                                                      {"children": {}, "variable": "a"}]}}}
    path.write_bytes(_forge(header, b"\0" * 64))
    with pytest.raises(CorruptFileError, match="checksum mismatch"):
        tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).restore(str(tmp_path / "evil"))


def test_format_round_trip_of_every_dtype():
    arrays = {name: np.arange(6).reshape(2, 3).astype(dt.newbyteorder("=")) for name, dt in
              serialization.DTYPES.items()}
    arrays["scalar"] = np.float32(3.5)
    arrays["empty"] = np.zeros((0, 4), np.float32)
    got, meta = serialization.loads(serialization.dumps(arrays, {"k": [1, "x"]}))
    assert meta == {"k": [1, "x"]}
    for k, a in arrays.items():
        assert got[k].dtype == np.asarray(a).dtype and got[k].shape == np.asarray(a).shape
        np.testing.assert_array_equal(got[k], a)
    big_endian = np.arange(3, dtype=">f4")
    np.testing.assert_array_equal(serialization.loads(serialization.dumps({"b": big_endian}))[0]["b"], [0, 1, 2])
