"""tf.compat.v1: TensorFlow 1's graph-and-session API over webtensor's graph IR.

    import webtensor.compat.v1 as tf
    tf.disable_eager_execution()
    a = tf.constant(3.0)
    b = tf.constant(4.0)
    total = a + b
    print(total)                   # Tensor("add:0", shape=(), dtype=float32)
    sess = tf.Session()
    print(sess.run(total))         # 7.0

Every name of `webtensor` is here too (constant, matmul, reduce_sum, nn, ...), plus
TF1's: placeholder, Session, Variable/get_variable with initializers, gradients,
layers, losses, train optimizers, data iterators, summary.FileWriter and
feature_column. Limits: no string tensors (feature columns map strings on the
host; summary ops return bytes), placeholders of unknown rank are scalar-shaped
while the graph is built, and Keras-created weights start from the values drawn
when the layer was built (each Session's initializer assigns those values).
"""
import importlib as _importlib
import types as _types

from ... import *  # noqa: F401,F403  (every top-level name of webtensor)
from ... import errors, keras, math as _math, random as _random  # noqa: F401
from ...core.state import name_scope  # noqa: F401
from ...dtypes import as_dtype as _as_dtype, float32 as _float32, float64 as _float64, int32 as _int32, \
    int64 as _int64
from ...ops import math_ops as _math_ops
# NOTE: the star import above bound webtensor's own data/nn/summary/train here, and `from . import x` would
# return those; import the TF1 submodules by their full names instead.
data, feature_column, initializers, layers, losses, nn, summary, train = (
    _importlib.import_module(f"{__name__}.{_m}")
    for _m in ("data", "feature_column", "initializers", "layers", "losses", "nn", "summary", "train"))
from .gradients import gradients  # noqa: F401
from .graph import (Graph, Operation, disable_eager_execution, disable_v2_behavior,  # noqa: F401
                    enable_eager_execution, enable_v2_behavior, executing_eagerly, executing_eagerly_outside_functions,
                    get_default_graph, reset_default_graph)
from .building import (constant, control_dependencies, group, no_op, placeholder,  # noqa: F401
                  placeholder_with_default)
from .building import tuple_ as tuple  # noqa: F401,A001
from .initializers import (constant_initializer, glorot_normal_initializer, glorot_uniform_initializer,  # noqa: F401
                           ones_initializer, orthogonal_initializer, random_normal_initializer,
                           random_uniform_initializer, truncated_normal_initializer, variance_scaling_initializer,
                           zeros_initializer)
from .session import InteractiveSession, Session, get_default_session  # noqa: F401
from .variables import (AUTO_REUSE, GraphKeys, Variable, VariableScope, add_to_collection,  # noqa: F401
                        add_to_collections, all_variables, assert_variables_initialized, get_collection,
                        get_collection_ref, get_variable, get_variable_scope, global_variables,
                        global_variables_initializer, initialize_all_variables, is_variable_initialized,
                        local_variables, local_variables_initializer, model_variables,
                        report_uninitialized_variables, tables_initializer, trainable_variables,
                        variable_scope, variables_initializer)

# -- TF1 spellings of math and random ops -----------------------------------------------------------

log = _math.log
log1p = _math.log1p
floor = _math.floor
ceil = _math.ceil
rsqrt = _math.rsqrt
floordiv = _math.floordiv
mod = _math.floormod
div = _math.divide
squared_difference = _math.squared_difference
count_nonzero = _math.count_nonzero
is_nan = _math.is_nan
is_finite = _math.is_finite
random_shuffle = _random.shuffle
multinomial = _random.categorical
arg_max = argmax  # noqa: F405
arg_min = argmin  # noqa: F405


def to_float(x, name="ToFloat"):
    """Casts x to float32."""
    return _math_ops.cast(x, _float32)


def to_double(x, name="ToDouble"):
    """Casts x to float64."""
    return _math_ops.cast(x, _float64)


def to_int32(x, name="ToInt32"):
    """Casts x to int32."""
    return _math_ops.cast(x, _int32)


def to_int64(x, name="ToInt64"):
    """Casts x to int64."""
    return _math_ops.cast(x, _int64)


def random_uniform(shape, minval=0, maxval=None, dtype=_float32, seed=None, name=None):
    """Uniform random values in [minval, maxval); in a graph, a new draw on every Session.run.

    >>> vec = tf.compat.v1.random_uniform(shape=(3,))
    """
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=_as_dtype(dtype), seed=seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=_float32, seed=None, name=None):
    """Normally distributed random values; in a graph, a new draw on every Session.run."""
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=_as_dtype(dtype), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_float32, seed=None, name=None):
    """Normal values truncated to two standard deviations."""
    return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=_as_dtype(dtype), seed=seed)


def set_random_seed(seed):
    """Sets the graph-level random seed (tf.random.set_seed)."""
    get_default_graph().seed = seed
    _random.set_seed(seed)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """ref.assign(value)."""
    return ref.assign(value)


def assign_add(ref, value, use_locking=None, name=None):
    return ref.assign_add(value)


def assign_sub(ref, value, use_locking=None, name=None):
    return ref.assign_sub(value)


def reduce_sum_v1(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
    """reduce_sum with TF1's reduction_indices / keep_dims spellings."""
    return reduce_sum(input_tensor, axis if axis is not None else reduction_indices,  # noqa: F405
                      bool(keepdims if keepdims is not None else keep_dims))


# -- small TF1 utility namespaces ---------------------------------------------------------------------

class ConfigProto:
    """Session configuration (accepted and ignored)."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


GPUOptions = RunOptions = RunMetadata = GraphOptions = OptimizerOptions = ConfigProto

logging = _types.SimpleNamespace(DEBUG=10, INFO=20, WARN=30, WARNING=30, ERROR=40, FATAL=50,
                                 set_verbosity=lambda level: None, get_verbosity=lambda: 30,
                                 info=lambda *a, **k: None, warning=lambda *a, **k: None,
                                 warn=lambda *a, **k: None, error=lambda *a, **k: None, debug=lambda *a, **k: None)
