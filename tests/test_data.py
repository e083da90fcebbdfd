"""tf.data.Dataset: every transformation against expected Python lists, element specs, seeds, cardinality."""
import collections

import numpy as np
import pytest

import webtensor as tf

Dataset = tf.data.Dataset


def values(ds):
    """The elements as Python values (lists for arrays), via as_numpy_iterator."""
    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, tuple):
            return tuple(plain(v) for v in x)
        return np.asarray(x).tolist()
    return [plain(e) for e in ds.as_numpy_iterator()]


def spec(shape, dtype):
    return tf.TensorSpec(shape, dtype)


# -- sources ----------------------------------------------------------------------------------------

def test_from_tensor_slices_python_list_numpy_and_tensor():
    assert values(Dataset.from_tensor_slices([1, 2, 3])) == [1, 2, 3]
    assert Dataset.from_tensor_slices([1, 2, 3]).element_spec == spec([], tf.int32)
    assert Dataset.from_tensor_slices([1.5, 2.5]).element_spec == spec([], tf.float32)
    x = np.arange(6, dtype=np.float64).reshape(3, 2)
    ds = Dataset.from_tensor_slices(x)
    assert ds.element_spec == spec([2], tf.float64)
    assert values(ds) == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    t = tf.constant([[1, 2], [3, 4]], dtype=tf.int64)
    assert values(Dataset.from_tensor_slices(t)) == [[1, 2], [3, 4]]


def test_from_tensor_slices_copies_its_input():
    x = np.array([1, 2, 3])
    ds = Dataset.from_tensor_slices(x)
    x[0] = 100
    assert values(ds) == [1, 2, 3]


def test_from_tensor_slices_tuple_dict_and_nested():
    ds = Dataset.from_tensor_slices(([1, 2], [[1.0, 2.0], [3.0, 4.0]]))
    assert ds.element_spec == (spec([], tf.int32), spec([2], tf.float32))
    assert values(ds) == [(1, [1.0, 2.0]), (2, [3.0, 4.0])]
    ds = Dataset.from_tensor_slices({"b": [3, 4], "a": np.array([1.0, 2.0], np.float32)})
    assert ds.element_spec == {"b": spec([], tf.int32), "a": spec([], tf.float32)}
    assert values(ds) == [{"a": 1.0, "b": 3}, {"a": 2.0, "b": 4}]
    ds = Dataset.from_tensor_slices(({"x": [1, 2]}, ([5, 6], [7, 8])))
    assert values(ds) == [({"x": 1}, (5, 7)), ({"x": 2}, (6, 8))]
    Point = collections.namedtuple("Point", "x y")
    (first,) = list(Dataset.from_tensor_slices(Point([1], [2])))
    assert isinstance(first, Point) and first.x.numpy() == 1 and first.y.numpy() == 2


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(5)


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(([1, 2, 3], 4.0))
    assert ds.element_spec == (spec([3], tf.int32), spec([], tf.float32))
    assert values(ds) == [([1, 2, 3], 4.0)]
    assert len(ds) == 1


def test_range_start_stop_step_and_dtype():
    assert values(Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(2, 5)) == [2, 3, 4]
    assert values(Dataset.range(1, 5, 2)) == [1, 3]
    assert values(Dataset.range(1, 8, -3)) == []
    assert values(Dataset.range(5, 1, -2)) == [5, 3]
    assert Dataset.range(3).element_spec == spec([], tf.int64)
    assert Dataset.range(3, output_type=tf.int32).element_spec == spec([], tf.int32)
    assert next(iter(Dataset.range(3))).dtype == tf.int64
    assert [len(Dataset.range(*a)) for a in [(5,), (2, 5), (1, 5, 2), (5, 1, -2), (1, 8, -3)]] == [5, 3, 2, 2, 0]


def test_counter_and_random():
    assert values(Dataset.counter(5, 2).take(3)) == [5, 7, 9]
    assert Dataset.counter().cardinality().numpy() == tf.data.INFINITE_CARDINALITY
    a = values(Dataset.random(seed=4).take(5))
    assert a == values(Dataset.random(seed=4).take(5)) and len(set(a)) == 5
    assert Dataset.random(seed=4).element_spec == spec([], tf.int64)


def test_from_generator_reinvoked_every_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from [(1, [1.0]), (2, [2.0, 3.0])]
    ds = Dataset.from_generator(gen, output_signature=(spec([], tf.int32), spec([None], tf.float32)))
    assert values(ds) == [(1, [1.0]), (2, [2.0, 3.0])]
    assert values(ds) == [(1, [1.0]), (2, [2.0, 3.0])]
    assert len(calls) == 2
    assert ds.cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY


def test_from_generator_types_shapes_and_args():
    def gen(n):
        for i in range(int(n)):
            yield i, [i] * 2
    ds = Dataset.from_generator(gen, output_types=(tf.int64, tf.float32), output_shapes=((), (2,)), args=(3,))
    assert ds.element_spec == (spec([], tf.int64), spec([2], tf.float32))
    assert values(ds) == [(0, [0.0, 0.0]), (1, [1.0, 1.0]), (2, [2.0, 2.0])]
    ds = Dataset.from_generator(lambda: iter([1, 2]), output_types=tf.int32)
    assert ds.element_spec == tf.TensorSpec(None, tf.int32)
    assert values(ds) == [1, 2]


def test_from_generator_mismatches_raise():
    ds = Dataset.from_generator(lambda: iter([[1, 2, 3]]), output_signature=spec([2], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\) where an element of shape \(2,\)"):
        list(ds)
    ds = Dataset.from_generator(lambda: iter([1]), output_signature=(spec([], tf.int32), spec([], tf.int32)))
    with pytest.raises(TypeError, match="did not match the expected structure"):
        list(ds)
    ds = Dataset.from_generator(lambda: iter([1.5]), output_signature=spec([], tf.int32))
    with pytest.raises(TypeError, match="could not be converted to the expected type"):
        list(ds)
    with pytest.raises(TypeError, match="output_signature"):
        Dataset.from_generator(lambda: iter([1]))


def test_zip_stops_at_the_shortest_and_keeps_nesting():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert values(Dataset.zip(a, b)) == [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.zip((a, b))) == [(0, 10), (1, 11), (2, 12)]
    ds = Dataset.zip({"x": a, "y": (b, a)})
    assert ds.element_spec == {"x": spec([], tf.int64), "y": (spec([], tf.int64), spec([], tf.int64))}
    assert values(ds)[1] == {"x": 1, "y": (11, 1)}
    assert len(Dataset.zip(a, b)) == 3
    assert len(Dataset.zip(a, b.repeat())) == 3
    with pytest.raises(TypeError):
        Dataset.zip(a, [1, 2])


def test_concatenate_and_relaxed_spec():
    a = Dataset.from_tensor_slices([[1, 2], [3, 4]])
    b = Dataset.from_tensor_slices([[5, 6, 7]])
    ds = a.concatenate(b)
    assert ds.element_spec == spec([None], tf.int32)
    assert values(ds) == [[1, 2], [3, 4], [5, 6, 7]]
    assert len(ds) == 3
    with pytest.raises(TypeError, match="Incompatible"):
        a.concatenate(Dataset.range(3))


# -- map and filter ---------------------------------------------------------------------------------

def test_map_unpacks_tuples_and_packs_lists():
    ds = Dataset.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: a + b)
    assert values(ds) == [11, 22]
    ds = Dataset.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: [b, a])
    assert ds.element_spec == (spec([], tf.int32), spec([], tf.int32))
    assert values(ds) == [(10, 1), (20, 2)]
    ds = Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]}).map(lambda d: d["a"] * d["b"])
    assert values(ds) == [3, 8]
    ds = Dataset.range(3).map(lambda x: {"sq": x * x, "c": 1.5})
    assert ds.element_spec == {"sq": spec([], tf.int64), "c": spec([], tf.float32)}
    assert values(ds) == [{"c": 1.5, "sq": 0}, {"c": 1.5, "sq": 1}, {"c": 1.5, "sq": 4}]


def test_map_traces_once_so_python_side_effects_run_at_trace_time():
    calls = []

    def fn(x):
        calls.append(1)  # Python side effect: runs while tracing only
        return tf.cast(x, tf.float32) * 2.0
    ds = Dataset.range(4).map(fn, num_parallel_calls=tf.data.AUTOTUNE)
    assert len(calls) == 1
    assert values(ds) == [0.0, 2.0, 4.0, 6.0]
    assert values(ds) == [0.0, 2.0, 4.0, 6.0]
    assert len(calls) == 1
    assert ds.element_spec == spec([], tf.float32)


def test_map_output_spec_from_the_traced_graph():
    ds = Dataset.range(5).batch(2).map(lambda x: tf.reshape(x, [-1, 1]))
    assert ds.element_spec == spec([None, 1], tf.int64)
    assert values(ds) == [[[0], [1]], [[2], [3]], [[4]]]


def test_map_calls_tf_function_and_captures_variables():
    scale = tf.Variable(3.0)

    @tf.function
    def double(x):
        return x * 2.0
    ds = Dataset.from_tensor_slices([1.0, 2.0]).map(lambda x: double(x) * scale)
    assert values(ds) == [6.0, 12.0]
    scale.assign(1.0)
    assert values(ds) == [2.0, 4.0]


def test_map_with_dataset_inside_tf_function_training_step():
    w = tf.Variable([[1.0], [2.0]])

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(x @ w - y))
        return loss, tape.gradient(loss, w)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)
    y = np.array([[1.0], [2.0], [4.0]], np.float32)
    ds = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b * 1.0)).batch(3)
    (xb, yb), = list(ds)
    loss, grad = step(xb, yb)
    np.testing.assert_allclose(loss.numpy(), 1.0 / 3.0, rtol=1e-6)
    np.testing.assert_allclose(grad.numpy(), [[-2.0 / 3.0], [-2.0 / 3.0]], rtol=1e-6)


def test_iterating_a_dataset_inside_tf_function():
    ds = Dataset.range(1, 5)

    @tf.function
    def total():
        s = tf.constant(0, tf.int64)
        for x in ds:
            s = s + x
        return s
    assert total().numpy() == 10


def test_filter_keeps_true_elements_and_checks_the_predicate():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert values(ds) == [0, 3, 6, 9]
    assert ds.cardinality().numpy() == tf.data.UNKNOWN_CARDINALITY
    ds = Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).filter(lambda a, b: a + b > 6)
    assert values(ds) == [(2, 5), (3, 6)]
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar"):
        Dataset.range(3).filter(lambda x: x)
    with pytest.raises(TypeError, match="length is unknown"):
        len(Dataset.range(3).filter(lambda x: x > 0))


def test_take_while_and_shard():
    assert values(Dataset.range(10).take_while(lambda x: x < 4)) == [0, 1, 2, 3]
    assert values(Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert len(Dataset.range(10).shard(3, 0)) == 4 and len(Dataset.range(10).shard(3, 2)) == 3


# -- batching ---------------------------------------------------------------------------------------

def test_batch_shapes_and_drop_remainder():
    ds = Dataset.range(7).batch(3)
    assert ds.element_spec == spec([None], tf.int64)
    assert values(ds) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(ds) == 3
    ds = Dataset.range(7).batch(3, drop_remainder=True)
    assert ds.element_spec == spec([3], tf.int64)
    assert values(ds) == [[0, 1, 2], [3, 4, 5]]
    assert len(ds) == 2
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(6))).batch(4)
    assert ds.element_spec == (spec([None, 2], tf.float32), spec([None], tf.int64))
    shapes = [(a.shape.as_list(), b.shape.as_list()) for a, b in ds]
    assert shapes == [([4, 2], [4]), ([2, 2], [2])]
    batches = list(ds)
    assert batches[0][0].dtype == tf.float32 and batches[0][1].dtype == tf.int64
    np.testing.assert_array_equal(batches[1][0].numpy(), x[4:])


def test_batch_of_different_shapes_raises():
    ds = Dataset.from_generator(lambda: iter([[1], [1, 2]]), output_signature=spec([None], tf.int32)).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes"):
        list(ds)
    with pytest.raises(tf.errors.InvalidArgumentError):
        Dataset.range(3).batch(0)


def test_padded_batch():
    ds = Dataset.range(1, 5).map(lambda x: tf.fill([x], x)).padded_batch(2)
    assert ds.element_spec == spec([None, None], tf.int64)
    assert values(ds) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    ds = Dataset.range(1, 4).map(lambda x: tf.fill([x], x)).padded_batch(3, padded_shapes=[5], padding_values=-1)
    assert ds.element_spec == spec([None, 5], tf.int64)
    assert values(ds) == [[[1, -1, -1, -1, -1], [2, 2, -1, -1, -1], [3, 3, 3, -1, -1]]]


def test_unbatch_and_rebatch():
    ds = Dataset.from_tensor_slices(([[1, 2], [3, 4]], [[5, 6], [7, 8]])).unbatch()
    assert ds.element_spec == (spec([], tf.int32), spec([], tf.int32))
    assert values(ds) == [(1, 5), (2, 6), (3, 7), (4, 8)]
    assert values(Dataset.range(7).batch(3).unbatch()) == list(range(7))
    assert len(Dataset.range(8).batch(4, drop_remainder=True).unbatch()) == 8
    assert values(Dataset.range(7).batch(2).rebatch(3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_window_and_flat_map():
    windows = Dataset.range(7).window(3)
    assert isinstance(windows.element_spec, tf.data.DatasetSpec)
    assert [values(w) for w in windows] == [[0, 1, 2], [3, 4, 5], [6]]
    ds = Dataset.range(7).window(3, shift=1, stride=2).flat_map(lambda w: w.batch(3))
    assert values(ds) == [[0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5], [4, 6], [5], [6]]
    ds = Dataset.range(7).window(3, shift=2, drop_remainder=True).flat_map(lambda w: w.batch(3))
    assert values(ds) == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert len(Dataset.range(7).window(3, shift=2, drop_remainder=True)) == 3
    assert len(Dataset.range(7).window(3, shift=1, stride=2)) == 7
    ds = Dataset.from_tensor_slices([[1, 2], [3, 4]]).flat_map(Dataset.from_tensor_slices)
    assert ds.element_spec == spec([], tf.int32)
    assert values(ds) == [1, 2, 3, 4]


def test_interleave_matches_tensorflow_order():
    ds = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6), cycle_length=2,
                                        block_length=4)
    assert values(ds) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5]


# -- shuffle ----------------------------------------------------------------------------------------

def test_shuffle_is_a_seeded_permutation():
    ds = Dataset.range(100).shuffle(100, seed=7)
    first = values(ds)
    assert sorted(first) == list(range(100)) and first != list(range(100))
    again = values(Dataset.range(100).shuffle(100, seed=7))
    assert again == first
    assert values(Dataset.range(100).shuffle(100, seed=8)) != first


def test_shuffle_reshuffles_each_iteration_unless_told_not_to():
    ds = Dataset.range(50).shuffle(50, seed=3)
    a, b = values(ds), values(ds)
    assert sorted(a) == sorted(b) == list(range(50)) and a != b
    ds = Dataset.range(50).shuffle(50, seed=3, reshuffle_each_iteration=False)
    assert values(ds) == values(ds)
    ds = Dataset.range(50).shuffle(50, reshuffle_each_iteration=False)  # no seed: fixed at creation
    assert values(ds) == values(ds)
    epochs = values(Dataset.range(10).shuffle(10, seed=1).repeat(2))
    assert sorted(epochs[:10]) == sorted(epochs[10:]) == list(range(10)) and epochs[:10] != epochs[10:]


def test_shuffle_follows_the_global_seed():
    tf.random.set_seed(1234)
    a = values(Dataset.range(30).shuffle(30))
    b = values(Dataset.range(30).shuffle(30))
    tf.random.set_seed(1234)
    c = values(Dataset.range(30).shuffle(30))
    d = values(Dataset.range(30).shuffle(30))
    tf.random.set_seed(None)
    assert a == c and b == d and a != b


def test_shuffle_buffer_semantics():
    assert values(Dataset.range(20).shuffle(1, seed=5)) == list(range(20))
    for seed in range(20):
        out = values(Dataset.range(20).shuffle(3, seed=seed))
        assert sorted(out) == list(range(20))
        # with a buffer of 3, the i-th output was among the first i + 3 input elements
        assert all(x < i + 3 for i, x in enumerate(out))
    # every element of a full buffer is equally likely to come out first
    firsts = values(Dataset.range(4).shuffle(4, seed=11).take(1).repeat(4000))
    counts = np.bincount(np.ravel(firsts), minlength=4)
    assert counts.sum() == 4000 and counts.min() > 880 and counts.max() < 1120
    with pytest.raises(tf.errors.InvalidArgumentError):
        Dataset.range(3).shuffle(0)


# -- counting: repeat, take, skip, cardinality --------------------------------------------------------

def test_repeat_take_skip_values():
    assert values(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert values(Dataset.range(3).repeat(0)) == []
    assert values(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert values(Dataset.range(5).take(2)) == [0, 1]
    assert values(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(5).take(0)) == []
    assert values(Dataset.range(5).skip(3)) == [3, 4]
    assert values(Dataset.range(5).skip(-1)) == []
    assert values(Dataset.range(5).skip(2).take(2)) == [2, 3]
    assert values(Dataset.range(0).repeat()) == []  # an empty dataset repeated forever ends


@pytest.mark.parametrize("make, expected", [
    (lambda: Dataset.range(5), 5),
    (lambda: Dataset.range(5).repeat(), tf.data.INFINITE_CARDINALITY),
    (lambda: Dataset.range(5).repeat(3), 15),
    (lambda: Dataset.range(0).repeat(), 0),
    (lambda: Dataset.range(5).repeat().take(4), 4),
    (lambda: Dataset.range(5).repeat().skip(4), tf.data.INFINITE_CARDINALITY),
    (lambda: Dataset.range(5).take(10), 5),
    (lambda: Dataset.range(5).skip(10), 0),
    (lambda: Dataset.range(5).skip(-1), 0),
    (lambda: Dataset.range(5).filter(lambda x: x > 1), tf.data.UNKNOWN_CARDINALITY),
    (lambda: Dataset.range(5).filter(lambda x: x > 1).take(2), tf.data.UNKNOWN_CARDINALITY),
    (lambda: Dataset.range(5).filter(lambda x: x > 1).repeat(), tf.data.INFINITE_CARDINALITY),
    (lambda: Dataset.range(5).filter(lambda x: x > 1).repeat(2), tf.data.UNKNOWN_CARDINALITY),
    (lambda: Dataset.range(10).batch(3), 4),
    (lambda: Dataset.range(10).batch(3, drop_remainder=True), 3),
    (lambda: Dataset.range(10).repeat().batch(3), tf.data.INFINITE_CARDINALITY),
    (lambda: Dataset.range(10).shuffle(4).map(lambda x: x + 1).prefetch(2).cache(), 10),
    (lambda: Dataset.range(10).enumerate(), 10),
    (lambda: Dataset.range(3).concatenate(Dataset.range(4)), 7),
    (lambda: Dataset.range(3).concatenate(Dataset.range(4).repeat()), tf.data.INFINITE_CARDINALITY),
])
def test_cardinality(make, expected):
    ds = make()
    assert ds.cardinality().numpy() == expected
    assert ds.cardinality().dtype == tf.int64
    assert tf.data.experimental.cardinality(ds).numpy() == expected
    if expected >= 0:
        assert len(ds) == expected == len(values(ds))


def test_len_of_infinite_dataset_raises():
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(3).repeat())
    assert bool(Dataset.range(0))


def test_assert_cardinality():
    ds = Dataset.range(5).filter(lambda x: x >= 0).apply(tf.data.experimental.assert_cardinality(5))
    assert len(ds) == 5 and values(ds) == [0, 1, 2, 3, 4]
    bad = Dataset.range(5).apply(tf.data.experimental.assert_cardinality(3))
    with pytest.raises(tf.errors.FailedPreconditionError):
        list(bad)


# -- enumerate, cache, prefetch, reduce, scan, unique -------------------------------------------------

def test_enumerate():
    ds = Dataset.from_tensor_slices([7, 8, 9]).enumerate(start=5)
    assert ds.element_spec == (spec([], tf.int64), spec([], tf.int32))
    assert values(ds) == [(5, 7), (6, 8), (7, 9)]


def test_cache_in_memory_replays_the_first_complete_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from range(4)
    ds = Dataset.from_generator(gen, output_signature=spec([], tf.int64)).cache()
    assert values(ds.take(2)) == [0, 1]  # a partial pass is not kept
    assert values(ds) == [0, 1, 2, 3]
    assert values(ds) == [0, 1, 2, 3]
    assert len(calls) == 2


def test_cache_to_file(tmp_path):
    calls = []

    def gen():
        calls.append(1)
        yield from [(1, [1.0, 2.0]), (2, [3.0, 4.0])]
    sig = (spec([], tf.int32), spec([2], tf.float32))
    ds = Dataset.from_generator(gen, output_signature=sig).cache(str(tmp_path / "c"))
    assert values(ds) == [(1, [1.0, 2.0]), (2, [3.0, 4.0])]
    again = Dataset.from_generator(gen, output_signature=sig).cache(str(tmp_path / "c"))
    assert values(again) == [(1, [1.0, 2.0]), (2, [3.0, 4.0])]
    assert len(calls) == 1
    other = Dataset.range(2).cache(str(tmp_path / "c"))
    with pytest.raises(tf.errors.DataLossError):
        list(other)


def test_prefetch_options_and_apply():
    options = tf.data.Options()
    options.deterministic = True
    options.experimental_optimization.map_parallelization = True
    options.threading.private_threadpool_size = 2
    ds = Dataset.range(3).prefetch(tf.data.AUTOTUNE).with_options(options)
    assert ds.options().deterministic is True
    assert ds.map(lambda x: x).options().threading.private_threadpool_size == 2
    assert values(ds.apply(lambda d: d.skip(1))) == [1, 2]
    with pytest.raises(AttributeError):
        options.no_such_option = 1
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1


def test_reduce_scan_unique_and_single_element():
    assert Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x).numpy() == 10
    total = Dataset.from_tensor_slices(([1, 2], [3, 4])).reduce((0, 0), lambda s, e: (s[0] + e[0], s[1] + e[1]))
    assert (total[0].numpy(), total[1].numpy()) == (3, 7)
    ds = Dataset.range(5).scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s + x))
    assert values(ds) == [0, 1, 3, 6, 10]
    assert values(Dataset.from_tensor_slices([1, 3, 1, 2, 3]).unique()) == [1, 3, 2]
    assert Dataset.from_tensors(5).get_single_element().numpy() == 5
    with pytest.raises(tf.errors.InvalidArgumentError):
        Dataset.range(2).get_single_element()


def test_sample_and_choose_from_datasets():
    a, b = Dataset.from_tensors(np.int64(0)).repeat(), Dataset.from_tensors(np.int64(1)).repeat()
    ds = Dataset.sample_from_datasets([a, b], weights=[0.75, 0.25], seed=4).take(2000)
    ones = sum(values(ds))
    assert 400 < ones < 600
    choice = Dataset.range(3).repeat(2)
    ds = Dataset.choose_from_datasets([Dataset.range(10, 13), Dataset.range(20, 23), Dataset.range(30, 33)], choice)
    assert values(ds) == [10, 20, 30, 11, 21, 31]


# -- iteration ----------------------------------------------------------------------------------------

def test_iterators_next_and_out_of_range():
    ds = Dataset.range(2)
    it = iter(ds)
    assert it.element_spec == spec([], tf.int64)
    assert next(it).numpy() == 0
    assert it.get_next().numpy() == 1
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)
    opt = iter(ds).get_next_as_optional()
    assert opt.has_value().numpy() and opt.get_value().numpy() == 0
    assert opt.element_spec == spec([], tf.int64)
    assert not iter(Dataset.range(0)).get_next_as_optional().has_value().numpy()
    assert [int(x) for x in ds] == [0, 1] and [int(x) for x in ds] == [0, 1]  # each for loop is a new pass


def test_elements_are_eager_tensors_and_numpy_iterator_gives_numpy():
    x, y = next(iter(Dataset.from_tensor_slices(([1.0, 2.0], [3, 4]))))
    assert isinstance(x, tf.Tensor) and x.dtype == tf.float32 and x.shape == []
    (a, b), = list(Dataset.from_tensor_slices(([1.0], [3])).as_numpy_iterator())
    assert isinstance(a, np.float32) and isinstance(b, np.int32)
    assert "element_spec" in repr(Dataset.range(3).batch(2))


# -- the TensorFlow basics guide pipeline ------------------------------------------------------------

def test_basics_guide_pipeline_trains():
    tf.random.set_seed(42)
    x = tf.cast(tf.linspace(-2, 2, 201), tf.float32)
    y = x ** 2 + 2 * x - 5 + tf.random.normal(shape=[201], stddev=0.1)
    batch_size = 32
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(buffer_size=x.shape[0]).batch(batch_size)
    assert dataset.element_spec == (spec([None], tf.float32), spec([None], tf.float32))
    assert len(dataset) == 7
    seen = []
    for x_batch, y_batch in dataset:
        seen.append(x_batch.numpy())
    assert [len(s) for s in seen] == [32] * 6 + [9]
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), x.numpy())
    w = tf.Variable([1.0, 1.0, 1.0])

    def loss_of(xs, ys):
        return tf.reduce_mean(tf.square(w[0] * xs ** 2 + w[1] * xs + w[2] - ys))
    before = loss_of(x, y).numpy()
    for _ in range(30):
        for x_batch, y_batch in dataset:
            with tf.GradientTape() as tape:
                batch_loss = loss_of(x_batch, y_batch)
            w.assign_sub(0.05 * tape.gradient(batch_loss, w))
    after = loss_of(x, y).numpy()
    tf.random.set_seed(None)
    assert before > 10 and after < 0.5
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0, -5.0], atol=0.3)


def test_debug_mode_runs_functions_eagerly_per_element():
    calls = []

    def fn(x):
        calls.append(1)
        return x + 1
    tf.data.experimental.enable_debug_mode()
    try:
        ds = Dataset.range(3).map(fn)
        traced = len(calls)
        assert values(ds) == [1, 2, 3]
        assert len(calls) == traced + 3
    finally:
        tf.data.experimental.disable_debug_mode()


def test_untraceable_map_runs_eagerly_with_unknown_dims():
    def fn(x):
        if x > 1:  # Python control flow on a tensor: webtensor has no autograph, so this runs eagerly
            return x * 10
        return x
    ds = Dataset.range(4).map(fn)
    assert ds.element_spec == spec([], tf.int64)
    assert values(ds) == [0, 1, 20, 30]
