"""tf.keras.datasets: small datasets as numpy arrays.

`digits` ships inside webtensor (no network needed, also in the browser); `mnist` and `fashion_mnist`
download the original files once and cache them under ~/.keras/datasets (or $KERAS_HOME/datasets).

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()
"""
from . import digits, fashion_mnist, mnist  # noqa: F401
