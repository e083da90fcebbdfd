"""tf.keras.datasets: the shipped digits, and MNIST / Fashion-MNIST read from locally generated IDX files."""
import csv
import gzip
import hashlib
import io
import os
import struct
import urllib.request

import numpy as np
import pytest

from webtensor.keras.datasets import _files, digits, fashion_mnist, mnist

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any download attempt fails (tests must never reach the network)."""
    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in tests")
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


# -- digits -----------------------------------------------------------------------------------------

def _raw_digits():
    with gzip.open(digits.DATA_FILE, "rt") as f:
        return np.array([[int(v) for v in row] for row in csv.reader(f)])


def test_digits_file_is_the_documented_one():
    with open(digits.DATA_FILE, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == DIGITS_SHA256
    readme = os.path.join(os.path.dirname(digits.DATA_FILE), "README.md")
    with open(readme) as f:
        text = f.read()
    assert DIGITS_SHA256 in text and "CC BY 4.0" in text and "scikit-learn" in text


def test_digits_shapes_dtypes_and_values():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and y_train.shape == (1437,)
    assert x_test.shape == (360, 8, 8) and y_test.shape == (360,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    assert x.min() == 0 and x.max() == 16 and set(np.unique(y)) == set(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    raw = _raw_digits()
    # the split is a permutation of the file's rows: same multiset of (image, label) rows
    rows = np.concatenate([x.reshape(-1, 64), y[:, None]], axis=1).astype(np.int64)
    assert sorted(map(tuple, rows)) == sorted(map(tuple, raw))
    assert raw[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0] and raw[0, 64] == 0


def test_digits_split_rule():
    raw = _raw_digits()
    order = np.arange(1797)
    np.random.RandomState(113).shuffle(order)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    np.testing.assert_array_equal(x_train.reshape(-1, 64), raw[order[:1437], :64])
    np.testing.assert_array_equal(y_test, raw[order[1437:], 64])
    (a, _), (b, _) = digits.load_data(test_split=0.5, seed=1)
    assert len(a) == 898 and len(b) == 899
    (c, _), _ = digits.load_data(test_split=0.5, seed=1)
    np.testing.assert_array_equal(a, c)
    (d, _), (e, _) = digits.load_data(test_split=0.0)
    assert len(d) == 1797 and len(e) == 0
    with pytest.raises(ValueError, match="test_split"):
        digits.load_data(test_split=1.0)


def test_digits_results_are_copies():
    (x_train, _), _ = digits.load_data()
    x_train[:] = 99
    (again, _), _ = digits.load_data()
    assert again.max() == 16


# -- IDX files --------------------------------------------------------------------------------------

def idx_bytes(array, type_code=0x08, dtype=">u1"):
    """An IDX file: 0, 0, type code, ndim, big-endian uint32 dims, big-endian data (written independently)."""
    array = np.asarray(array)
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(dtype).tobytes()


def write(path, data, compress=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(gzip.compress(data) if compress else data)
    return path


def make_set(folder, n_train=5, n_test=3, compress=True, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.integers(0, 256, (n_train, 28, 28)), rng.integers(0, 10, n_train),
              rng.integers(0, 256, (n_test, 28, 28)), rng.integers(0, 10, n_test)]
    for (name, _), arr in zip(mnist.FILES, arrays):
        write(os.path.join(folder, name if compress else name[:-3]), idx_bytes(arr), compress)
    return arrays


def check(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for got, want in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


def test_read_idx_types_and_byte_order(tmp_path):
    a = np.array([[1, -2, 300], [-400, 5, 6]], np.int16)
    p = write(str(tmp_path / "a.idx"), idx_bytes(a, 0x0B, ">i2"), compress=False)
    got = _files.read_idx(p)
    assert got.dtype == np.int16 and got.dtype.isnative
    np.testing.assert_array_equal(got, a)
    f = np.array([1.5, -2.25], np.float32)
    got = _files.read_idx(write(str(tmp_path / "f.idx.gz"), idx_bytes(f, 0x0D, ">f4")))
    np.testing.assert_array_equal(got, f)
    got = _files.read_idx(write(str(tmp_path / "d.idx"), idx_bytes(np.arange(3.0), 0x0E, ">f8"), False))
    np.testing.assert_array_equal(got, [0.0, 1.0, 2.0])


def test_mnist_from_an_absolute_path(tmp_path):
    arrays = make_set(str(tmp_path / "mnist"))
    check(mnist.load_data(path=str(tmp_path / "mnist.npz")), arrays)


def test_mnist_from_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    arrays = make_set(str(tmp_path / "datasets" / "mnist"), compress=False)
    check(mnist.load_data(), arrays)


def test_mnist_keras_npz(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    arrays = [np.full((2, 28, 28), 7, np.uint8), np.array([1, 2], np.uint8),
              np.zeros((1, 28, 28), np.uint8), np.array([3], np.uint8)]
    os.makedirs(tmp_path / "datasets")
    np.savez(tmp_path / "datasets" / "mnist.npz", x_train=arrays[0], y_train=arrays[1], x_test=arrays[2],
             y_test=arrays[3])
    check(mnist.load_data(), arrays)
    (tmp_path / "datasets" / "bad.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="bad.npz"):
        mnist.load_data("bad.npz")


def test_fashion_mnist_default_and_explicit_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    arrays = make_set(str(tmp_path / "home" / "datasets" / "fashion-mnist"), seed=1)
    check(fashion_mnist.load_data(), arrays)
    arrays = make_set(str(tmp_path / "elsewhere"), n_train=2, n_test=2, seed=2)
    check(fashion_mnist.load_data(path=str(tmp_path / "elsewhere")), arrays)


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[:-5], "truncated or corrupt"),
    (lambda data: data + b"\x00", "truncated or corrupt"),
    (lambda data: data[:10], "header needs"),
    (lambda data: b"\x08\x03" + data[2:], "not an IDX file"),
    (lambda data: data[:2] + b"\x07" + data[3:], "not an IDX file"),
    (lambda data: b"", "not an IDX file"),
])
def test_corrupt_idx_raises_a_value_error_naming_the_file(tmp_path, damage, message):
    folder = str(tmp_path / "mnist")
    make_set(folder)
    name = mnist.FILES[0][0]
    path = os.path.join(folder, name)
    with gzip.open(path, "rb") as f:
        data = f.read()
    write(path, damage(data))
    with pytest.raises(ValueError, match=message) as info:
        mnist.load_data(path=str(tmp_path / "mnist.npz"))
    assert name in str(info.value)


def test_truncated_gzip_raises_a_value_error(tmp_path):
    folder = str(tmp_path / "mnist")
    make_set(folder)
    path = os.path.join(folder, mnist.FILES[2][0])
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*gzip"):
        mnist.load_data(path=str(tmp_path / "mnist.npz"))


def test_mismatched_images_and_labels(tmp_path):
    folder = str(tmp_path / "mnist")
    make_set(folder)
    write(os.path.join(folder, mnist.FILES[1][0]), idx_bytes(np.zeros(4)))  # 4 labels for 5 images
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*expected \\[5\\]"):
        mnist.load_data(path=str(tmp_path / "mnist.npz"))
    write(os.path.join(folder, mnist.FILES[1][0]), idx_bytes(np.zeros(5)))
    write(os.path.join(folder, mnist.FILES[0][0]), idx_bytes(np.zeros((5, 27, 28))))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz.*\\[n, 28, 28\\]"):
        mnist.load_data(path=str(tmp_path / "mnist.npz"))


def test_missing_files_without_network_name_where_to_put_them(tmp_path):
    folder = str(tmp_path / "mnist")
    with pytest.raises(OSError, match="put the file at .*train-images-idx3-ubyte.gz"):
        mnist.load_data(path=str(tmp_path / "mnist.npz"))
    assert not os.path.exists(folder) or os.listdir(folder) == []


def test_download_is_checked_and_cached(tmp_path, monkeypatch):
    src = str(tmp_path / "server")
    arrays = make_set(src, seed=3)
    served = []

    def fake_urlopen(url, timeout=None):
        name = url.rsplit("/", 1)[1]
        assert url.startswith(mnist.BASE_URL)
        served.append(name)
        with open(os.path.join(src, name), "rb") as f:
            return io.BytesIO(f.read())
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    files = [(name, _files.sha256_of(os.path.join(src, name))) for name, _ in mnist.FILES]
    monkeypatch.setattr(mnist, "FILES", files)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    check(mnist.load_data(), arrays)
    assert len(served) == 4
    check(mnist.load_data(), arrays)  # cached: nothing downloaded again
    assert len(served) == 4
    # a download whose sha256 does not match is refused and not kept
    monkeypatch.setattr(mnist, "FILES", [(name, "0" * 64) for name, _ in mnist.FILES])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home2"))
    with pytest.raises(ValueError, match="incomplete or corrupt"):
        mnist.load_data()
    assert os.listdir(tmp_path / "home2" / "datasets" / "mnist") == []
