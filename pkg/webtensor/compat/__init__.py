"""tf.compat: `v1` (TensorFlow 1's graphs and sessions) and `v2` (the top-level webtensor namespace).

    import webtensor.compat.v1 as tf
    tf.disable_eager_execution()
"""
import sys as _sys

from . import v1  # noqa: F401
from .. import __name__ as _parent_name  # noqa: E402

v2 = _sys.modules[_parent_name]

_sys.modules[__name__ + ".v2"] = v2
