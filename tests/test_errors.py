"""tf.errors: the classes, their codes and attributes, and what typical failures raise."""
import pickle

import numpy as np
import pytest

import webtensor as tf

CLASSES = [
    ("CancelledError", 1), ("UnknownError", 2), ("InvalidArgumentError", 3), ("DeadlineExceededError", 4),
    ("NotFoundError", 5), ("AlreadyExistsError", 6), ("PermissionDeniedError", 7), ("ResourceExhaustedError", 8),
    ("FailedPreconditionError", 9), ("AbortedError", 10), ("OutOfRangeError", 11), ("UnimplementedError", 12),
    ("InternalError", 13), ("UnavailableError", 14), ("DataLossError", 15), ("UnauthenticatedError", 16),
]


@pytest.mark.parametrize("name, code", CLASSES)
def test_error_classes(name, code):
    cls = getattr(tf.errors, name)
    assert issubclass(cls, tf.errors.OpError) and issubclass(cls, Exception)
    assert cls.error_code == code
    upper = "".join("_" + c if c.isupper() else c.upper() for c in name[:-5]).lstrip("_")
    assert getattr(tf.errors, upper) == code
    e = cls(None, "my_op", "something failed")
    assert e.message == "something failed" and e.op == "my_op" and e.node_def is None
    assert str(e) == "something failed"
    assert e.error_code == code
    assert tf.errors.exception_type_from_error_code(code) is cls
    assert tf.errors.error_code_from_exception_type(cls) == code
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and again.message == e.message and again.op == "my_op"


def test_op_error_base():
    assert tf.errors.OpError.error_code == tf.errors.UNKNOWN
    assert tf.errors.OK == 0
    with pytest.raises(tf.errors.OpError):
        raise tf.errors.NotFoundError(None, None, "missing")


def test_incompatible_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]") as info:
        tf.constant([1, 2]) + tf.constant([1, 2, 3])
    assert info.value.error_code == tf.errors.INVALID_ARGUMENT
    assert "[Op:" in info.value.message


def test_matmul_size_mismatch():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Matrix size-incompatible: In\[0\]: \[2,3\], "
                                                            r"In\[1\]: \[2,3\]"):
        tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))


def test_reshape_size_mismatch():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to reshape is a tensor with 3 values, but the requested shape has 4"):
        tf.reshape(tf.constant([1, 2, 3]), [2, 2])


def test_dtype_mismatch_is_invalid_argument_and_type_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32.*int32|int32.*float32"):
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        tf.constant([1, 2]) * tf.constant([1.0, 2.0])


def test_index_out_of_range():
    with pytest.raises(tf.errors.InvalidArgumentError, match="5"):
        tf.constant([1, 2])[5]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"not in \[0, 2\)"):
        tf.gather(tf.constant([1.0, 2.0]), 5)


def test_shape_errors_inside_function_are_raised_at_trace_time():
    @tf.function
    def f(x):
        return x + tf.constant([1.0, 2.0, 3.0])
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError), match=r"\[2\].*\[3\]|2.*3"):
        f(tf.constant([1.0, 2.0]))


def test_bad_dtype_name_is_type_error():
    with pytest.raises(TypeError, match="Cannot convert value 'foo' to a TensorFlow DType"):
        tf.cast(tf.constant(1), "foo")


def test_unconvertible_values():
    with pytest.raises(ValueError):
        tf.constant([[1], [2, 3]])
    with pytest.raises((TypeError, ValueError)):
        tf.constant({"a": 1})
    with pytest.raises(TypeError):
        tf.constant(np.array(["a"]))


def test_variable_errors():
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.Variable([1.0, 2.0]).assign([1.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shapes must be equal"):
        tf.Variable([1.0, 2.0]).assign_sub([1.0, 2.0, 3.0])


def test_tape_errors():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, x)
