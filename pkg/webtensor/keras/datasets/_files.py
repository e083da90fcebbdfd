"""Where Keras datasets are cached, downloading into that cache, and reading IDX files (MNIST's format).

IDX (LeCun et al.): two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64), the number of dimensions, each dimension as a big-endian uint32, then
the values in big-endian C order. Files may be gzip-compressed.
"""
import gzip
import hashlib
import os
import tempfile
import urllib.request

import numpy as np

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def cache_dir():
    """The folder datasets are cached in: $KERAS_HOME/datasets, else ~/.keras/datasets (as Keras)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url, path, sha256=None):
    """Downloads url to path (atomically: a temporary file, checked, then renamed)."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-")
    os.close(fd)
    try:
        print(f"Downloading data from {url}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(tmp, "wb") as out:
                while True:
                    chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
        except Exception as e:  # no network (or the browser, where urllib cannot connect)
            raise OSError(f"Could not download {url} ({e}). Without network access, put the file at {path} "
                          f"yourself.") from e
        if sha256 is not None:
            got = sha256_of(tmp)
            if got != sha256:
                raise ValueError(f"The file downloaded from {url} is incomplete or corrupt: its sha256 is {got}, "
                                 f"expected {sha256}.")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def fetch(folder, fname, base_url, sha256=None):
    """The path of fname in folder (also found uncompressed, without .gz), downloaded when absent.

    A file already in the cache is used as it is (only downloads are checked against sha256), so
    files put there by hand, or generated for tests, load without network.
    """
    path = os.path.join(folder, fname)
    if os.path.exists(path):
        return path
    if fname.endswith(".gz") and os.path.exists(path[:-3]):
        return path[:-3]
    return download(base_url + fname, path, sha256)


def read_idx(path):
    """The array stored in an IDX file (gzip-compressed or not), as a native-endian numpy array.

    Raises ValueError naming the file when it is truncated, corrupt or not an IDX file.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise ValueError(f"Cannot read the IDX file {path}: the gzip data is truncated or corrupt ({e})") from e
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: its magic number is {data[:4].hex() or 'missing'}, expected "
                         f"00 00 followed by a type code (08 for uint8) and the number of dimensions")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"The IDX file {path} is truncated: its header needs {header} bytes, the file has "
                         f"{len(data)}")
    dims = [int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4)]
    dtype = np.dtype(_IDX_TYPES[data[2]])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"The IDX file {path} is truncated or corrupt: dimensions {dims} of {dtype.str[1:]} need "
                         f"{expected} bytes of data, the file holds {len(data) - header}")
    arr = np.frombuffer(data, dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))


def load_idx_set(paths, image_shape):
    """((x_train, y_train), (x_test, y_test)) from the four IDX files [x_train, y_train, x_test, y_test]."""
    arrays = [read_idx(p) for p in paths]
    for images, labels, pi, pl in ((arrays[0], arrays[1], paths[0], paths[1]),
                                   (arrays[2], arrays[3], paths[2], paths[3])):
        if images.ndim != 1 + len(image_shape) or tuple(images.shape[1:]) != tuple(image_shape):
            raise ValueError(f"The IDX file {pi} holds images of shape {list(images.shape)}, expected "
                             f"[n, {', '.join(map(str, image_shape))}]")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(f"The IDX file {pl} holds labels of shape {list(labels.shape)}, expected "
                             f"[{images.shape[0]}] (one per image of {pi})")
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])
