"""tf.Variable: assignment, dtype and shape rules, naming, operators and printing."""
import numpy as np
import pytest

import webtensor as tf


def test_assign_family_values_and_return():
    v = tf.Variable([0.0, 0.0, 0.0])
    r = v.assign([1, 2, 3])
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(r), [1, 2, 3])
    r = v.assign_add([1, 1, 1])
    np.testing.assert_array_equal(v.numpy(), [2, 3, 4])
    np.testing.assert_array_equal(r.numpy(), [2, 3, 4])
    v.assign_sub(tf.constant([2.0, 2.0, 2.0]))
    np.testing.assert_array_equal(v.numpy(), [0, 1, 2])
    # The returned object reads like the variable: it can be used in ops.
    np.testing.assert_array_equal((v.assign([1.0, 1.0, 1.0]) * 2).numpy(), [2, 2, 2])


def test_assign_does_not_mutate_earlier_reads():
    v = tf.Variable([1.0, 2.0])
    before = v.read_value()
    v.assign([5.0, 6.0])
    np.testing.assert_array_equal(before.numpy(), [1, 2])
    np.testing.assert_array_equal(v.value().numpy(), [5, 6])


def test_dtype_rules():
    assert tf.Variable(1).dtype == tf.int32
    assert tf.Variable(1.0).dtype == tf.float32
    assert tf.Variable(1, dtype=tf.float64).dtype == tf.float64
    assert tf.Variable(tf.constant([1, 2]), dtype=tf.float32).dtype == tf.float32
    assert tf.Variable(np.zeros(2)).dtype == tf.float64
    v = tf.Variable(1.0)
    v.assign(2)  # Python ints convert to the variable's dtype
    assert v.numpy() == 2.0 and v.dtype == tf.float32
    with pytest.raises(ValueError, match="requested dtype float32"):
        v.assign(tf.constant(2))
    with pytest.raises(TypeError):
        tf.Variable(1).assign(1.5)


def test_shape_mismatch_error_text():
    v = tf.Variable([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"Shape mismatch.*variable shape \(3,\).*value shape \(2,\)"):
        v.assign([1.0, 2.0])
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError), match=r"shape"):
        v.assign_add([1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3])


def test_assign_add_requires_matching_shape_as_tf():
    v = tf.Variable([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Cannot update variable with shape \[3\] using "
                                                            r"a Tensor with shape \[\], shapes must be equal"):
        v.assign_add(1.0)


def test_trainable_flag():
    assert tf.Variable(1.0).trainable
    assert not tf.Variable(1.0, trainable=False).trainable


def test_names_and_name_scope():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    with tf.name_scope("layer"):
        assert tf.Variable(1.0, name="b").name == "layer/b:0"
        with tf.name_scope("inner"):
            assert tf.Variable(1.0).name == "layer/inner/Variable:0"
    assert tf.Variable(1.0, name="c").name == "c:0"


BINARY = ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__floordiv__", "__mod__",
          "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__",
          "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__", "__rfloordiv__", "__rmod__"]


@pytest.mark.parametrize("name", BINARY)
def test_variables_as_operands(name):
    v = tf.Variable([1.0, 2.0, 4.0])
    t = tf.constant([1.0, 2.0, 4.0])
    other = tf.constant([2.0, 2.0, 2.0])
    got = getattr(v, name)(other)
    want = getattr(t, name)(other)
    assert isinstance(got, tf.Tensor)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_variable_unary_matmul_getitem_and_numpy_on_the_left():
    v = tf.Variable([[1.0, -2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((-v).numpy(), [[-1, 2], [-3, -4]])
    np.testing.assert_array_equal(abs(v).numpy(), [[1, 2], [3, 4]])
    np.testing.assert_array_equal((v @ v).numpy(), [[-5, -10], [15, 10]])
    np.testing.assert_array_equal(v[1].numpy(), [3, 4])
    r = np.ones((2, 2), np.float32) + v
    assert isinstance(r, tf.Tensor)
    np.testing.assert_array_equal(r.numpy(), [[2, -1], [4, 5]])
    np.testing.assert_array_equal((2.0 * v).numpy(), [[2, -4], [6, 8]])
    np.testing.assert_array_equal(tf.reduce_sum(v).numpy(), 6.0)
    assert float(tf.Variable(2.5)) == 2.5 and int(tf.Variable(3)) == 3
    assert len(v) == 2 and [r.numpy().tolist() for r in v] == [[1, -2], [3, 4]]


def test_variable_hash_and_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match=r"Variable is unhashable. Instead, use variable.ref\(\) as the key."):
        hash(v)
    assert {v.ref(): 1}[v.ref()] == 1 and v.ref().deref() is v


def test_repr():
    assert repr(tf.Variable([1.0, 2.0], name="w")) == \
        "<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert repr(tf.Variable(3)) == "<tf.Variable 'Variable:0' shape=() dtype=int32, numpy=3>"
    assert repr(tf.Variable([[1.0, 2.0], [3.0, 4.0]])) == (
        "<tf.Variable 'Variable:0' shape=(2, 2) dtype=float32, numpy=\n"
        "array([[1., 2.],\n"
        "       [3., 4.]], dtype=float32)>")


def test_initial_value_callable_and_required():
    v = tf.Variable(lambda: tf.ones([2]) * 3)
    np.testing.assert_array_equal(v.numpy(), [3, 3])
    np.testing.assert_array_equal(v.initial_value.numpy(), [3, 3])
    v.assign([1.0, 1.0])
    np.testing.assert_array_equal(v.initial_value.numpy(), [3, 3])
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()


def test_dynamic_shapes():
    v = tf.Variable(1.0, shape=tf.TensorShape(None))
    assert v.shape == tf.TensorShape(None) and v.shape.rank is None
    v.assign([1.0, 2.0])
    np.testing.assert_array_equal(v.numpy(), [1, 2])
    assert v.shape.rank is None
    assert "shape=<unknown>" in repr(v)
    w = tf.Variable([1.0], shape=[None])
    assert w.shape.as_list() == [None]
    w.assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(w.numpy(), [1, 2, 3])
    with pytest.raises(ValueError, match="Shape mismatch"):
        w.assign([[1.0]])
    with pytest.raises(ValueError, match="not compatible"):
        tf.Variable([1.0, 2.0], shape=[3])


def test_dynamic_shape_variable_in_function():
    v = tf.Variable([1.0], shape=[None])

    @tf.function
    def total():
        return tf.reduce_sum(v)
    assert total().numpy() == 1.0
    v.assign([1.0, 2.0, 3.0])
    assert total().numpy() == 6.0


def test_constraint_is_kept_but_not_applied_by_assign():
    """As in TF, `constraint` is a projection optimizers apply after their update; assign itself ignores it."""
    def clip(x):
        return tf.clip_by_value(x, 0.0, 1.0)
    v = tf.Variable(0.5, constraint=clip)
    assert v.constraint is clip
    v.assign(5.0)
    assert v.numpy() == 5.0
    v.assign(v.constraint(v))
    assert v.numpy() == 1.0
    with pytest.raises(ValueError, match="callable"):
        tf.Variable(1.0, constraint=3)


def test_variable_not_picklable_and_deepcopy():
    import copy
    import pickle
    v = tf.Variable([1.0, 2.0], name="w", trainable=False)
    with pytest.raises(TypeError):
        pickle.dumps(v)
    c = copy.deepcopy(v)
    assert c is not v and c.name == "w:0" and not c.trainable
    c.assign([3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [1, 2])


def test_variable_device_and_properties():
    v = tf.Variable([[1.0, 2.0, 3.0]])
    assert v.device.endswith("CPU:0")
    assert v.shape == [1, 3] and v.get_shape() == [1, 3] and v.ndim == 2
    assert v.dtype == tf.float32
    assert tf.convert_to_tensor(v).dtype == tf.float32
