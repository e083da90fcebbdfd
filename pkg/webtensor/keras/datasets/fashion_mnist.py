"""tf.keras.datasets.fashion_mnist: 70,000 28x28 grayscale images of 10 kinds of clothing (Zalando, MIT license).

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag,
9 Ankle boot.
"""
from .mnist import _load

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = [("train-images-idx3-ubyte.gz", "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
         ("train-labels-idx1-ubyte.gz", "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
         ("t10k-images-idx3-ubyte.gz", "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
         ("t10k-labels-idx1-ubyte.gz", "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf")]


def load_data(path=None):
    """Loads Fashion-MNIST as uint8 arrays: ((x_train, y_train), (x_test, y_test)), images [n, 28, 28].

    The four IDX files are read from `path` (a folder; default ~/.keras/datasets/fashion-mnist, or
    $KERAS_HOME/datasets/fashion-mnist, as Keras caches them), downloaded from Keras's storage when
    missing and checked against their sha256. `path` is a webtensor addition (Keras takes no argument).

    >>> (x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
    """
    return _load(path, "fashion-mnist", BASE_URL, FILES)
