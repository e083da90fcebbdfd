"""tf.keras.datasets.digits (a webtensor addition): 1797 8x8 handwritten digits that ship with webtensor.

The data is the UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and Kaynak, 1998,
CC BY 4.0), as scikit-learn ships it (see data/README.md). Each pixel counts the "on" pixels of a 4x4
block of a 32x32 bitmap, so values go from 0 to 16. It needs no network, natively or in the browser.
"""
import functools
import gzip
import os

import numpy as np

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
NUM_EXAMPLES = 1797


@functools.lru_cache(maxsize=1)
def _read():
    with gzip.open(DATA_FILE, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (NUM_EXAMPLES, 65) or table.min() < 0 or table[:, :64].max() > 16 or table[:, 64].max() > 9:
        raise ValueError(f"{DATA_FILE} does not hold the expected {NUM_EXAMPLES} rows of 64 pixels (0..16) and a "
                         f"label (0..9); got a table of shape {table.shape}")
    return table[:, :64].reshape(-1, 8, 8).astype(np.uint8), table[:, 64].astype(np.uint8)


def load_data(test_split=0.2, seed=113):
    """Loads the digits as uint8 numpy arrays: ((x_train, y_train), (x_test, y_test)), images [n, 8, 8].

    Split rule (as Keras's boston_housing loader): the 1797 examples are permuted with
    `np.random.RandomState(seed).shuffle`, the first int(1797 * (1 - test_split)) form the training set
    and the rest the test set (1437 and 360 with the defaults).

    >>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()
    >>> x_train.shape, x_test.shape
    ((1437, 8, 8), (360, 8, 8))
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    x, y = _read()
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
