"""Tensors, dtypes and shapes: TensorFlow's conversion rules, printing, operators and Python protocols."""
import numpy as np
import pytest

import webtensor as tf

# -- dtypes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, dtype", [
    (1, tf.int32), (1.5, tf.float32), (True, tf.bool), ([1, 2], tf.int32), ([1.0, 2], tf.float32),
    ([[True], [False]], tf.bool), (2**40, tf.int64), (np.float64(1.0), tf.float64), (np.int64(3), tf.int64),
    (np.array([1, 2], np.int16), tf.int16), (np.array([1.0], np.float16), tf.float16),
    (np.array([1, 2], np.uint8), tf.uint8),
])
def test_convert_to_tensor_default_dtypes(value, dtype):
    """Python floats become float32 and ints int32 (int64 when too big); numpy dtypes are kept."""
    t = tf.convert_to_tensor(value)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(value))


def test_constant_with_dtype_and_lossy_conversions():
    assert tf.constant(1, dtype=tf.float32).dtype == tf.float32
    assert tf.constant([1.0, 2.0], dtype=tf.int32).numpy().tolist() == [1, 2]
    assert tf.constant(3, dtype="float64").dtype == tf.float64
    with pytest.raises(TypeError, match="int32"):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError, match="bool"):
        tf.constant(1, dtype=tf.bool)
    with pytest.raises(TypeError, match="uint8"):
        tf.constant(-1, dtype=tf.uint8)
    with pytest.raises(ValueError, match="None"):
        tf.constant(None)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])


def test_python_ints_out_of_int64_range_and_big_floats():
    assert tf.constant(-2**63).numpy() == -2**63
    with pytest.raises(ValueError, match="int64 range"):
        tf.constant(2**63)
    assert tf.constant(2**63, dtype=tf.uint64).numpy() == 2**63
    assert np.isinf(tf.constant(1e40).numpy()) and tf.constant(1e40).dtype == tf.float32


def test_convert_to_tensor_dtype_hint_and_mismatch():
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    # A hint that cannot be honoured falls back to the default.
    assert tf.convert_to_tensor(1.5, dtype_hint=tf.int32).dtype == tf.float32
    x = tf.constant([1, 2])
    assert tf.convert_to_tensor(x) is x
    with pytest.raises(ValueError, match="float32.*int32|requested dtype float32"):
        tf.convert_to_tensor(x, dtype=tf.float32)


def test_constant_shape_argument():
    np.testing.assert_array_equal(tf.constant(0, shape=[2, 3]).numpy(), np.zeros((2, 3), np.int32))
    np.testing.assert_array_equal(tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy(), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="elements"):
        tf.constant([1, 2, 3], shape=[2, 2])


def test_dtype_repr_str_equality():
    assert repr(tf.float32) == "tf.float32"
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float32 == "float32"
    assert tf.float32 == np.float32
    assert tf.float32 == np.dtype("float32")
    assert tf.int64 != tf.int32
    assert tf.float32 != "int32"
    assert tf.float32 != "not a dtype"
    assert tf.float32 != 3
    assert tf.float64 != None and not (tf.float64 == None)  # noqa: E711 - np.dtype(None) is float64
    assert tf.as_dtype(int) is tf.int64 and tf.as_dtype(float) is tf.float32  # TF maps int through numpy
    assert tf.double is tf.float64 and tf.half is tf.float16
    assert tf.as_dtype("float") is tf.float32
    assert tf.as_dtype(np.int64) is tf.int64
    assert tf.as_dtype(bool) is tf.bool
    assert len({tf.float32, tf.as_dtype("float32")}) == 1
    with pytest.raises(TypeError, match="Cannot convert value"):
        tf.as_dtype("float31")


def test_dtype_properties():
    assert tf.float32.is_floating and not tf.float32.is_integer
    assert tf.int8.is_integer and not tf.int8.is_unsigned
    assert tf.uint16.is_unsigned
    assert tf.bool.is_bool
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.int8.min == -128 and tf.int8.max == 127
    assert tf.float16.size == 2
    assert tf.float64.base_dtype is tf.float64


# -- TensorShape -----------------------------------------------------------------------------------


def test_tensor_shape_dims_and_compatibility():
    s = tf.TensorShape([None, 3])
    assert s.rank == 2 and s.as_list() == [None, 3]
    assert not s.is_fully_defined() and s.num_elements() is None
    assert s.is_compatible_with([5, 3]) and s.is_compatible_with([None, None])
    assert not s.is_compatible_with([5, 4]) and not s.is_compatible_with([3])
    assert s.is_compatible_with(tf.TensorShape(None))
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape(None).rank is None
    assert tf.TensorShape([]).rank == 0 and tf.TensorShape([]).num_elements() == 1
    assert s == tf.TensorShape([None, 3]) and s == [None, 3]
    assert tf.TensorShape([2, 3])[1] == 3 and tf.TensorShape([2, 3, 4])[1:] == [3, 4]
    assert tf.TensorShape([2]) + [3] == [2, 3]
    with pytest.raises(ValueError):
        tf.TensorShape(None).as_list()


def test_tensor_shape_helpers():
    assert tf.TensorShape([1, None]).most_specific_compatible_shape([1, 2]) == [1, None]
    assert tf.TensorShape([1, 2]).most_specific_compatible_shape([1, 2, 3]).rank is None
    assert tf.TensorShape(None).with_rank(2) == [None, None]
    with pytest.raises(ValueError):
        tf.TensorShape([1]).with_rank(2)
    assert tf.TensorShape([1]).concatenate([None, 2]) == [1, None, 2]
    assert tf.TensorShape(3) == [3]
    with pytest.raises(ValueError):
        tf.TensorShape([-1])
    assert tf.TensorShape(None)[0] is None
    assert tf.TensorShape(None) != tf.TensorShape([])


def test_tensor_shape_merge():
    assert tf.TensorShape([None, 3]).merge_with([4, None]) == [4, 3]
    assert tf.TensorShape(None).merge_with([1, 2]) == [1, 2]
    with pytest.raises(ValueError, match="not compatible"):
        tf.TensorShape([1, 3]).merge_with([2, 3])


def test_tensor_shape_repr_str():
    assert repr(tf.TensorShape([None, 3])) == "TensorShape([None, 3])"
    assert str(tf.TensorShape([None, 3])) == "(None, 3)"
    assert str(tf.TensorShape([3])) == "(3,)"
    assert str(tf.TensorShape([])) == "()"
    assert repr(tf.TensorShape(None)) == "TensorShape(None)"
    assert str(tf.TensorShape(None)) == "<unknown>"


def test_tensor_spec():
    spec = tf.TensorSpec([None], tf.float32)
    assert repr(spec) == "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"
    assert spec.is_compatible_with(tf.constant([1.0, 2.0]))
    assert not spec.is_compatible_with(tf.constant([1, 2]))
    assert tf.TensorSpec.from_tensor(tf.constant([[1]])) == tf.TensorSpec([1, 1], tf.int32)


# -- printing --------------------------------------------------------------------------------------


def test_repr_and_str():
    assert repr(tf.constant(21.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=21.0>"
    assert repr(tf.constant(6)) == "<tf.Tensor: shape=(), dtype=int32, numpy=6>"
    assert repr(tf.constant(True)) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"
    assert repr(tf.constant([1, 2, 3])) == \
        "<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>"
    assert repr(tf.constant([True, False])) == \
        "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>"
    assert repr(tf.constant([[1., 2.], [3., 4.]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\n"
        "array([[1., 2.],\n"
        "       [3., 4.]], dtype=float32)>")
    assert str(tf.constant(21.0)) == "tf.Tensor(21.0, shape=(), dtype=float32)"
    assert str(tf.constant([1, 2])) == "tf.Tensor([1 2], shape=(2,), dtype=int32)"
    assert str(tf.constant([[1., 2., 3.], [4., 5., 6.]])) == (
        "tf.Tensor(\n[[1. 2. 3.]\n [4. 5. 6.]], shape=(2, 3), dtype=float32)")


# -- numpy interop ---------------------------------------------------------------------------------


def test_numpy_returns_an_independent_copy():
    t = tf.constant([1.0, 2.0])
    a = t.numpy()
    a[0] = 100.0
    assert t.numpy()[0] == 1.0
    scalar = tf.constant(2.5).numpy()
    assert isinstance(scalar, np.float32) and scalar == 2.5


def test_constant_does_not_alias_its_source():
    src = np.array([1.0, 2.0], np.float32)
    t = tf.constant(src)
    src[0] = 9.0
    assert t.numpy()[0] == 1.0


def test_array_protocol():
    t = tf.constant([[1, 2], [3, 4]])
    a = np.asarray(t)
    assert a.dtype == np.int32 and a.tolist() == [[1, 2], [3, 4]]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(t).tolist() == [[1, 2], [3, 4]]
    assert float(np.sum(t)) == 10.0


# -- operators -------------------------------------------------------------------------------------


def _v(t):
    return t.numpy().tolist()


def test_arithmetic_operators():
    x = tf.constant([1.0, 2.0, 4.0])
    assert _v(x + x) == [2, 4, 8]
    assert _v(x - 1) == [0, 1, 3]
    assert _v(x * 2) == [2, 4, 8]
    assert _v(x / 2) == [0.5, 1, 2]
    assert _v(x ** 2) == [1, 4, 16]
    assert _v(-x) == [-1, -2, -4]
    assert _v(abs(-x)) == [1, 2, 4]
    assert _v(x // 3) == [0, 0, 1]
    assert _v(x % 3) == [1, 2, 1]
    assert _v(+x) == [1, 2, 4]


def test_reflected_operators_with_python_scalars():
    x = tf.constant([1.0, 2.0, 4.0])
    assert _v(1 + x) == [2, 3, 5]
    assert _v(1 - x) == [0, -1, -3]
    assert _v(2 * x) == [2, 4, 8]
    assert _v(4 / x) == [4, 2, 1]
    assert _v(2 ** x) == [2, 4, 16]
    assert _v(7 // x) == [7, 3, 1]
    assert _v(7 % x) == [0, 1, 3]
    r = 5 * x
    assert isinstance(r, tf.Tensor) and r.dtype == tf.float32


def test_reflected_operators_with_numpy_arrays():
    x = tf.constant([1.0, 2.0])
    a = np.array([10.0, 20.0], np.float32)
    for r, want in [(a + x, [11, 22]), (a - x, [9, 18]), (a * x, [10, 40]), (a / x, [10, 10])]:
        assert isinstance(r, tf.Tensor), type(r)
        assert _v(r) == want
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    am = np.eye(2, dtype=np.float32) * 2
    r = am @ m
    assert isinstance(r, tf.Tensor) and _v(r) == [[2, 4], [6, 8]]


def test_matmul_operator():
    x = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    assert _v(x @ tf.transpose(x)) == [[14, 32], [32, 77]]
    with pytest.raises(tf.errors.InvalidArgumentError):
        x @ x


def test_mixed_dtype_operands_raise():
    with pytest.raises((TypeError, tf.errors.InvalidArgumentError)):
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    # Python scalars adopt the tensor's dtype.
    assert (tf.constant([1, 2]) + 1).dtype == tf.int32
    assert (tf.constant([1.0], tf.float64) * 2).dtype == tf.float64


def test_comparisons():
    x = tf.constant([1, 2, 3])
    assert _v(x < 2) == [True, False, False]
    assert _v(x <= 2) == [True, True, False]
    assert _v(x > 2) == [False, False, True]
    assert _v(x >= 2) == [False, True, True]
    assert _v(x == 2) == [False, True, False]
    assert _v(x != 2) == [True, False, True]
    assert _v(2 < x) == [False, False, True]
    assert (x == None) is False  # noqa: E711 - TF's documented behaviour
    assert (x != None) is True  # noqa: E711
    b = tf.constant([True, False])
    assert _v(b & tf.constant([True, True])) == [True, False]
    assert _v(b | tf.constant([False, False])) == [True, False]
    assert _v(~b) == [False, True]
    assert _v(b ^ tf.constant([True, True])) == [False, True]


def test_getitem():
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert _v(x[1]) == [4, 5, 6]
    assert _v(x[:, 1]) == [2, 5]
    assert _v(x[..., ::-1]) == [[3, 2, 1], [6, 5, 4]]
    assert x[1, 2].numpy() == 6
    assert tuple(x[tf.newaxis].shape) == (1, 2, 3)


# -- Python protocols ------------------------------------------------------------------------------


def test_scalar_conversions():
    assert float(tf.constant(2.5)) == 2.5
    assert int(tf.constant(7)) == 7
    assert int(tf.constant(7.9)) == 7
    assert bool(tf.constant(True)) is True and bool(tf.constant(0)) is False
    assert [10, 20, 30][tf.constant(1)] == 20
    assert range(10)[tf.constant(3, tf.int64)] == 3
    assert float(tf.constant([3.0])) == 3.0  # one element is enough, as in TF


def test_scalar_conversion_errors():
    x = tf.constant([1.0, 2.0])
    with pytest.raises((TypeError, ValueError)):
        float(x)
    with pytest.raises((TypeError, ValueError)):
        int(tf.constant([1, 2]))
    with pytest.raises((TypeError, ValueError)):
        bool(x)
    with pytest.raises(TypeError):
        [1, 2][tf.constant(1.0)]


def test_iteration_len_and_device():
    x = tf.constant([[1, 2], [3, 4], [5, 6]])
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, tf.Tensor) for r in rows)
    assert [_v(r) for r in rows] == [[1, 2], [3, 4], [5, 6]]
    assert len(x) == 3
    with pytest.raises(TypeError):
        len(tf.constant(1))
    with pytest.raises(TypeError):
        iter(tf.constant(1))
    assert x.device.endswith("CPU:0")
    assert x.ndim == 2 and x.shape.rank == 2 and x.get_shape() == [3, 2]


def test_hash_raises_and_ref_is_a_key():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match=r"Tensor is unhashable. Instead, use tensor.ref\(\) as the key."):
        hash(x)
    with pytest.raises(TypeError):
        {x: 1}  # noqa: B018
    y = tf.constant(1.0)
    d = {x.ref(): "x", y.ref(): "y"}
    assert d[x.ref()] == "x" and d[y.ref()] == "y"
    assert x.ref().deref() is x
    assert x.ref() == x.ref() and x.ref() != y.ref()


def test_is_tensor():
    assert tf.is_tensor(tf.constant(1))
    assert tf.is_tensor(tf.Variable(1.0))
    assert not tf.is_tensor(np.ones(2))
    assert not tf.is_tensor(1.0)


def test_eager_tensor_has_no_graph_name():
    with pytest.raises(AttributeError, match="eager"):
        tf.constant(1).name  # noqa: B018


# -- tf.nest ---------------------------------------------------------------------------------------


def test_nest_flatten_and_pack():
    import collections
    pair = collections.namedtuple("Pair", "b a")
    s = {"z": [1, (2, 3)], "a": pair(4, 5), "o": collections.OrderedDict([("y", 6), ("x", 7)])}
    flat = tf.nest.flatten(s)
    assert flat == [4, 5, 7, 6, 1, 2, 3]  # mappings by sorted key, namedtuples by field order
    packed = tf.nest.pack_sequence_as(s, [x * 10 for x in flat])
    assert packed["z"] == [10, (20, 30)] and packed["a"] == pair(40, 50)
    assert list(packed["o"].items()) == [("y", 60), ("x", 70)] and list(packed) == ["z", "a", "o"]
    d = collections.defaultdict(list, {"b": 1, "a": 2})
    again = tf.nest.pack_sequence_as(d, [20, 10])
    assert isinstance(again, collections.defaultdict) and again == {"a": 20, "b": 10} and again["new"] == []
    assert tf.nest.flatten(None) == [None] and tf.nest.flatten("ab") == ["ab"]
    with pytest.raises(ValueError):
        tf.nest.pack_sequence_as([1, 2], [1])


def test_nest_map_and_assert_same_structure():
    assert tf.nest.map_structure(lambda a, b: a + b, {"x": 1, "y": [2]}, {"y": [3], "x": 4}) == {"x": 5, "y": [5]}
    with pytest.raises(ValueError, match="same nested structure"):
        tf.nest.assert_same_structure([1, [2]], [1, 2])
    with pytest.raises(ValueError):
        tf.nest.map_structure(lambda a, b: a, {"x": 1}, {"y": 1})
    assert tf.nest.is_nested((1,)) and not tf.nest.is_nested("abc") and not tf.nest.is_nested(tf.constant([1]))
