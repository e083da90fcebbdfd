"""tf.random: the Philox kernel against known answers, distributions, TensorFlow's seed rules, Generator, errors."""
import math

import numpy as np
import pytest

import webtensor as tf
from cases.random_cases import philox4x32_10, reference_normal, reference_uniform, reference_words
from webtensor.ops import random_ops

# -- (a) the Philox kernel ---------------------------------------------------------------------------

# Random123's kat_vectors, "philox4x32 10": counter (4 words), key (2 words) -> output (4 words).
KAT = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def _signed(x):
    return (x + 2 ** 63) % 2 ** 64 - 2 ** 63


def _state(counter, key):
    """The int64[3] state whose counter and key words are these."""
    c0, c1, c2, c3 = counter
    return np.array([_signed(c0 | c1 << 32), _signed(c2 | c3 << 32), _signed(key[0] | key[1] << 32)], np.int64)


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_reference_known_answers(counter, key, expected):
    assert philox4x32_10(list(counter), list(key)) == list(expected)


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_kernel_known_answers(counter, key, expected):
    got = random_ops.philox_words(_state(counter, key), 4)
    assert got.dtype == np.uint32
    assert got.tolist() == list(expected)


def test_kernel_matches_reference_for_many_counters():
    rng = np.random.default_rng(0)
    states = [rng.integers(-2 ** 63, 2 ** 63 - 1, size=3, dtype=np.int64, endpoint=True) for _ in range(150)]
    states += [np.array(s, np.int64) for s in ([0, 0, 0], [-1, -1, -1], [-3, 0, 5], [-1, 2 ** 62, -2 ** 63])]
    for s in states:
        n = int(rng.integers(1, 23))
        assert random_ops.philox_words(s, n).tolist() == reference_words(s.tolist(), n), s


def test_counter_carries_across_64_bits():
    s = np.array([-2, 9, 77], np.int64)  # counter_lo = 2^64 - 2: block 2 is counter (0, 10)
    words = random_ops.philox_words(s, 16)
    assert words[8:12].tolist() == random_ops.philox_words(np.array([0, 10, 77], np.int64), 4).tolist()
    assert words.tolist() == reference_words(s.tolist(), 16)


def test_block_i_depends_only_on_counter_plus_i():
    s = np.array([100, 3, 42], np.int64)
    long = random_ops.philox_words(s, 400)
    tail = random_ops.philox_words(np.array([137, 3, 42], np.int64), 252)
    assert long[148:].tolist() == tail.tolist()


def test_erfinv_polynomial_accuracy():
    def exact(y):
        lo, hi = -3.0, 3.0
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if math.erf(mid) < y else (lo, mid)
        return (lo + hi) / 2
    xs = np.linspace(-0.9545, 0.9545, 401)
    got = random_ops.erfinv_giles(xs)
    want = np.array([exact(x) for x in xs])
    np.testing.assert_allclose(got, want, rtol=3e-7, atol=1e-12)


def test_stateless_ops_follow_the_spec():
    """stateless seed [a, b] draws from the state [0, a, b]."""
    got = tf.random.stateless_uniform([3, 4], seed=[5, -6]).numpy()
    np.testing.assert_array_equal(got, reference_uniform([0, 5, -6], (3, 4), "float32"))
    got = tf.random.stateless_normal([5], seed=[1, 2], dtype=tf.float64).numpy()
    np.testing.assert_allclose(got, reference_normal([0, 1, 2], (5,), "float64"), rtol=1e-12)


# -- (b) distributions with fixed seeds -----------------------------------------------------------

N = 100_000


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_uniform_distribution(dtype):
    x = tf.random.stateless_uniform([N], seed=[1, 1], dtype=dtype).numpy().astype(np.float64)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert x.min() < 1e-3 and x.max() > 0.999
    assert abs(x.mean() - 0.5) < 0.005
    assert abs(x.std() - math.sqrt(1 / 12)) < 0.003
    counts = np.histogram(x, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(counts - N / 10) < 600), counts


def test_uniform_range_and_dtype():
    x = tf.random.uniform([N], minval=-3.0, maxval=5.0, seed=4)
    assert x.dtype == tf.float32 and x.shape == (N,)
    x = x.numpy()
    assert x.min() >= -3.0 and x.max() < 5.0 and abs(x.mean() - 1.0) < 0.04


@pytest.mark.parametrize("dtype,lo,hi", [(tf.int32, 0, 10), (tf.int32, -7, -2), (tf.int64, -3, 4)])
def test_uniform_int_distribution(dtype, lo, hi):
    x = tf.random.uniform([N], minval=lo, maxval=hi, dtype=dtype, seed=9)
    assert x.dtype == dtype
    counts = np.bincount(x.numpy() - lo, minlength=hi - lo)
    assert len(counts) == hi - lo and counts.min() > 0
    assert np.all(np.abs(counts - N / (hi - lo)) < 5 * math.sqrt(N / (hi - lo))), counts


def test_uniform_int_full_int64_range():
    x = tf.random.uniform([N], minval=-2 ** 63, maxval=2 ** 63 - 1, dtype=tf.int64, seed=2).numpy()
    assert (x < 0).mean() == pytest.approx(0.5, abs=0.01)
    assert x.min() < -2 ** 62 and x.max() > 2 ** 62


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_normal_distribution(dtype):
    x = tf.random.stateless_normal([N], seed=[3, 4], dtype=dtype).numpy()
    assert abs(x.mean()) < 0.015 and abs(x.std() - 1.0) < 0.01
    assert abs(np.mean(np.abs(x) < 1.0) - 0.6827) < 0.005
    assert abs(np.mean(np.abs(x) < 2.0) - 0.9545) < 0.003
    assert 3.5 < np.abs(x).max() < 6.5
    assert np.all(np.isfinite(x))


def test_normal_mean_stddev():
    x = tf.random.normal([N], mean=3.0, stddev=0.5, seed=1).numpy()
    assert abs(x.mean() - 3.0) < 0.01 and abs(x.std() - 0.5) < 0.005


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_truncated_normal_distribution(dtype):
    x = tf.random.stateless_truncated_normal([N], seed=[5, 6], dtype=dtype).numpy().astype(np.float64)
    assert np.abs(x).max() <= 2.0 and np.abs(x).max() > 1.99
    # the standard normal truncated to [-2, 2] has standard deviation 0.8796
    assert abs(x.mean()) < 0.01 and abs(x.std() - 0.87962566) < 0.006
    assert abs(np.mean(np.abs(x) < 1.0) - 0.6827 / 0.9545) < 0.006


def test_truncated_normal_mean_stddev():
    x = tf.random.truncated_normal([N], mean=3.0, stddev=2.0, seed=8).numpy()
    assert x.min() >= -1.0 and x.max() <= 7.0 and abs(x.mean() - 3.0) < 0.03


def test_categorical_frequencies():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    with np.errstate(divide="ignore"):
        logits = tf.constant(np.log(probs), dtype=tf.float32)
    s = tf.random.categorical(logits, N, seed=11)
    assert s.dtype == tf.int64 and s.shape == (2, N)
    for row, p in zip(s.numpy(), probs):
        freq = np.bincount(row, minlength=3) / N
        np.testing.assert_allclose(freq, p, atol=0.006)
    s32 = tf.random.stateless_categorical(tf.zeros([1, 4]), 8, seed=[1, 2], dtype=tf.int32)
    assert s32.dtype == tf.int32 and s32.shape == (1, 8)


def test_shuffle_is_a_permutation():
    x = tf.reshape(tf.range(200), [100, 2])
    y = tf.random.shuffle(x, seed=3).numpy()
    assert sorted(y[:, 0].tolist()) == list(range(0, 200, 2))
    np.testing.assert_array_equal(y[:, 1], y[:, 0] + 1)  # rows move whole
    assert not np.array_equal(y, x.numpy())
    z = tf.random.experimental.stateless_shuffle(tf.range(50), seed=[1, 2]).numpy()
    assert sorted(z.tolist()) == list(range(50))


# -- (c) seeds -------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def test_global_seed_reproduces_the_sequence():
    tf.random.set_seed(1234)
    a1, a2 = tf.random.uniform([3]), tf.random.normal([3])
    tf.random.set_seed(1234)
    b1, b2 = tf.random.uniform([3]), tf.random.normal([3])
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    tf.random.set_seed(1234)
    c1, c2 = tf.random.uniform([3]), tf.random.uniform([3])
    assert not np.array_equal(c1, c2)  # each call gets a new op seed
    tf.random.set_seed(99)
    assert not np.array_equal(tf.random.uniform([3]), a1)


def test_op_seed_calls_advance_and_set_seed_restarts():
    tf.random.set_seed(1234)
    a1, a2 = tf.random.uniform([2], seed=1), tf.random.uniform([2], seed=1)
    assert not np.array_equal(a1, a2)
    tf.random.set_seed(1234)
    b1, b2 = tf.random.uniform([2], seed=1), tf.random.uniform([2], seed=1)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    # documented: global seed g and op seed s start the stream of the stateless seed [s, g]
    np.testing.assert_array_equal(a1, tf.random.stateless_uniform([2], seed=[1, 1234]))


def test_op_seed_alone_uses_the_default_global_seed():
    a = tf.random.normal([4], seed=7)
    np.testing.assert_array_equal(a, tf.random.stateless_normal([4], seed=[7, random_ops.DEFAULT_GRAPH_SEED]))
    assert not np.array_equal(tf.random.normal([4], seed=7), a)


def test_no_seed_is_different_every_call():
    a, b = tf.random.uniform([8]), tf.random.uniform([8])
    assert not np.array_equal(a, b)


def test_traced_function_draws_new_values_each_call_and_replays_after_set_seed():
    tf.random.set_seed(5)

    @tf.function
    def f():
        return tf.random.normal([2]), tf.random.uniform([2], seed=3)

    n1, u1 = f()
    n2, u2 = f()
    assert not np.array_equal(n1, n2) and not np.array_equal(u1, u2)
    tf.random.set_seed(5)
    n3, u3 = f()
    np.testing.assert_array_equal(n1, n3)
    np.testing.assert_array_equal(u1, u3)
    concrete = f.get_concrete_function()
    assert concrete.variables and not concrete.trainable_variables
    ops = [n.op.name for n in concrete.graph.nodes]
    assert ops.count("assign_variable") == 2

    tf.random.set_seed(5)

    @tf.function
    def g():
        return tf.random.normal([2]), tf.random.uniform([2], seed=3)

    n4, u4 = g()  # the same program after set_seed gives the same numbers
    np.testing.assert_array_equal(n1, n4)
    np.testing.assert_array_equal(u1, u4)


def test_traced_function_without_seed_draws_new_values():
    f = tf.function(lambda: tf.random.normal([2]))
    assert not np.array_equal(f(), f())


def test_shapes_known_only_when_the_graph_runs():
    spec = [tf.TensorSpec([None, 2], tf.float32)]
    f = tf.function(lambda x: tf.random.stateless_uniform(tf.shape(x), seed=[1, 2]), input_signature=spec)
    for n in (3, 5):
        np.testing.assert_array_equal(f(tf.zeros([n, 2])), tf.random.stateless_uniform([n, 2], seed=[1, 2]))
    g = tf.random.Generator.from_seed(4)
    h = tf.function(lambda x: (g.normal([tf.shape(x)[0], 2]), tf.random.shuffle(x),
                               tf.random.categorical(x, 3, seed=1)), input_signature=spec)
    normal, shuffled, samples = h(tf.reshape(tf.range(10.0), [5, 2]))
    assert normal.shape == (5, 2) and samples.shape == (5, 3)
    assert g.state.numpy().tolist() == [3, 0, 4]  # 10 float32 normals: 10 words, 3 blocks
    np.testing.assert_array_equal(normal, tf.random.Generator.from_seed(4).normal([5, 2]))
    assert sorted(shuffled.numpy()[:, 0].tolist()) == [0, 2, 4, 6, 8]


def test_random_ops_have_no_gradient_but_their_parameters_do():
    mean = tf.Variable(1.0)
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        noise = tf.random.normal([2], mean=mean, seed=1)
        y = tf.reduce_sum(x * noise)
    g_mean, g_x = tape.gradient(y, [mean, x])
    assert float(g_mean) == pytest.approx(3.0)
    np.testing.assert_allclose(g_x, noise)


def test_stateless_is_a_function_of_the_seed():
    a = tf.random.stateless_uniform([4], seed=[1, 2])
    np.testing.assert_array_equal(a, tf.random.stateless_uniform([4], seed=[1, 2]))
    assert not np.array_equal(a, tf.random.stateless_uniform([4], seed=[1, 3]))
    assert not np.array_equal(a, tf.random.stateless_uniform([4], seed=[2, 2]))
    f = tf.function(lambda seed: tf.random.stateless_uniform([4], seed=seed))
    np.testing.assert_array_equal(f(tf.constant([1, 2])), a)
    np.testing.assert_array_equal(f(tf.constant([1, 2], tf.int64)), a)
    full = tf.random.stateless_uniform([3], seed=[1, 2], minval=None, maxval=None, dtype=tf.uint32)
    assert full.dtype == tf.uint32


def test_stateless_split_and_fold_in():
    seeds = tf.random.experimental.stateless_split(tf.constant([1, 2]), num=3)
    assert seeds.shape == (3, 2) and seeds.dtype == tf.int32
    assert len({tuple(s) for s in seeds.numpy().tolist()}) == 3
    a = tf.random.experimental.stateless_fold_in([1, 2], 0)
    b = tf.random.experimental.stateless_fold_in([1, 2], 1)
    assert a.shape == (2,) and not np.array_equal(a, b)
    np.testing.assert_array_equal(a, tf.random.experimental.stateless_fold_in([1, 2], 0))


# -- Generator ---------------------------------------------------------------------------------------

def test_generator_same_seed_same_stream():
    g1, g2 = tf.random.Generator.from_seed(7), tf.random.Generator.from_seed(7)
    for draw in (lambda g: g.normal([3]), lambda g: g.uniform([2, 2]), lambda g: g.truncated_normal([5]),
                 lambda g: g.uniform([4], 0, 10, dtype=tf.int32), lambda g: g.uniform_full_int([3])):
        np.testing.assert_array_equal(draw(g1), draw(g2))
    other = tf.random.Generator.from_seed(8).normal([3])
    assert not np.array_equal(other, tf.random.Generator.from_seed(7).normal([3]))


def test_generator_state_advances_and_resets():
    g = tf.random.Generator.from_seed(3)
    assert isinstance(g.state, tf.Variable) and not g.state.trainable
    assert g.state.dtype == tf.int64 and g.state.shape == (3,)
    assert g.algorithm == tf.random.Algorithm.PHILOX.value == 1
    start = g.state.numpy().copy()
    a = g.normal([10])  # 10 float32 normals: 10 words, 3 blocks
    assert g.state.numpy().tolist() == [start[0] + 3, start[1], start[2]]
    b = g.normal([10])
    assert not np.array_equal(a, b)
    g.reset_from_seed(3)
    np.testing.assert_array_equal(g.normal([10]), a)
    g2 = tf.random.Generator.from_state(g.state, alg="philox")
    np.testing.assert_array_equal(g2.normal([10]), b)
    g3 = tf.random.Generator(copy_from=tf.random.Generator.from_seed(3))
    np.testing.assert_array_equal(g3.normal([10]), a)


def test_generator_split_and_make_seeds():
    g = tf.random.Generator.from_seed(1)
    seeds = g.make_seeds(4)
    assert seeds.shape == (2, 4) and seeds.dtype == tf.int64
    children = g.split(3)
    draws = [c.normal([6]).numpy() for c in children] + [g.normal([6]).numpy()]
    for i in range(len(draws)):
        for j in range(i):
            assert not np.array_equal(draws[i], draws[j])
    again = tf.random.Generator.from_seed(1)
    again.make_seeds(4)
    np.testing.assert_array_equal(again.split(3)[1].normal([6]), draws[1])


def test_generator_inside_tf_function():
    g = tf.random.Generator.from_seed(2)
    f = tf.function(lambda: g.normal([2]))
    a, b = f(), f()
    assert not np.array_equal(a, b)
    g.reset_from_seed(2)
    np.testing.assert_array_equal(f(), a)
    np.testing.assert_array_equal(tf.random.Generator.from_seed(2).normal([2]), a)


def test_global_generator_and_experimental_aliases():
    g = tf.random.Generator.from_seed(10)
    tf.random.set_global_generator(g)
    assert tf.random.get_global_generator() is g
    assert tf.random.experimental.get_global_generator() is g
    assert tf.random.experimental.Generator is tf.random.Generator
    assert tf.random.experimental.Algorithm is tf.random.Algorithm
    np.testing.assert_array_equal(tf.random.get_global_generator().normal([2]),
                                  tf.random.Generator.from_seed(10).normal([2]))
    nd = tf.random.Generator.from_non_deterministic_state()
    assert not np.array_equal(nd.normal([4]), tf.random.Generator.from_non_deterministic_state().normal([4]))
    np.testing.assert_array_equal(tf.random.create_rng_state(5, "philox"), [0, 0, 5])


def test_module_level_uniform_for_dropout():
    x = random_ops.uniform([3, 2], minval=0, maxval=None, dtype=tf.float32, seed=None)
    assert x.shape == (3, 2) and x.dtype == tf.float32


# -- (d) errors --------------------------------------------------------------------------------------

def test_int_dtype_needs_maxval():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="must be both `None` or both non-`None`"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="must be both `None` or both non-`None`"):
        tf.random.Generator.from_seed(1).uniform([2], dtype=tf.int64)


@pytest.mark.parametrize("lo,hi", [(5, 5), (6, 2)])
def test_int_minval_must_be_below_maxval(lo, hi):
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"Need minval < maxval: {lo} >= {hi}"):
        tf.random.uniform([2], minval=lo, maxval=hi, dtype=tf.int32)
    f = tf.function(lambda a, b: tf.random.uniform([2], minval=a, maxval=b, dtype=tf.int32, seed=1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
        f(tf.constant(lo), tf.constant(hi))


def test_int_bounds_must_be_scalars():
    with pytest.raises(tf.errors.InvalidArgumentError, match="minval must be a scalar"):
        tf.random.uniform([2], minval=[0, 1], maxval=5, dtype=tf.int32)


def test_bad_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"non-negative, got \[2, -1\]"):
        tf.random.uniform([2, -1])
    with pytest.raises(ValueError, match="shape must be a vector"):
        tf.random.normal(tf.constant([[2, 3]]))
    with pytest.raises(ValueError, match="seed must have shape"):
        tf.random.stateless_normal([2], seed=[1, 2, 3])
    with pytest.raises(TypeError, match="seed must be integers"):
        tf.random.stateless_normal([2], seed=[1.5, 2.0])
    with pytest.raises(ValueError, match="logits should be a matrix"):
        tf.random.categorical([0.0, 1.0], 3)


def test_bad_dtypes_and_algorithms():
    with pytest.raises(ValueError, match="invalid value"):
        tf.random.uniform([2], dtype=tf.bool)
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.random.normal([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="not supported"):
        tf.random.Generator.from_seed(1, alg=tf.random.Algorithm.THREEFRY)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Philox state must be int64"):
        from webtensor.core.registry import bind
        tf.function(lambda s: bind("random_uniform", (s,), {"shape": (2,), "dtype": tf.float32}))(
            tf.constant([1, 2], tf.int64))
