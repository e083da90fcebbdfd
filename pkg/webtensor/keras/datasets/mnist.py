"""tf.keras.datasets.mnist: 70,000 28x28 handwritten digits (60,000 for training, 10,000 for testing)."""
import os
import zipfile

import numpy as np

from ._files import cache_dir, fetch, load_idx_set

BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
# name, sha256 (of the gzip files the TensorFlow mirror above serves); order x_train, y_train, x_test, y_test
FILES = [("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
         ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
         ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
         ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")]


def load_data(path="mnist.npz"):
    """Loads MNIST as uint8 numpy arrays: ((x_train, y_train), (x_test, y_test)), images of shape [n, 28, 28].

    `path` is relative to the Keras cache folder ($KERAS_HOME/datasets or ~/.keras/datasets) unless absolute.
    A Keras `mnist.npz` already at `path` is read (without pickle); otherwise the four original IDX files
    are read from the folder named like `path` without `.npz` (e.g. ~/.keras/datasets/mnist/), downloaded
    there from TensorFlow's mirror when missing and checked against their sha256.

    >>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    >>> x_train.shape
    (60000, 28, 28)
    """
    return _load(path, "mnist", BASE_URL, FILES)


def _load(path, default_folder, base_url, files):
    full = os.path.join(cache_dir(), path) if path and not os.path.isabs(path) else path
    if full and os.path.isfile(full):
        return _load_npz(full)
    folder = full[:-4] if full and full.endswith(".npz") else (full or os.path.join(cache_dir(), default_folder))
    paths = [fetch(folder, name, base_url, sha) for name, sha in files]
    return load_idx_set(paths, (28, 28))


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as f:
            x_train, y_train, x_test, y_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"Cannot read {path} as a Keras MNIST .npz file (arrays x_train, y_train, x_test, "
                         f"y_test): {e}") from e
    return (x_train, y_train), (x_test, y_test)
