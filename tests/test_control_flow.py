"""tf.cond, tf.while_loop, tf.case, tf.switch_case and tf.print: eagerly and inside tf.function."""
import collections
import sys

import numpy as np
import pytest

import webtensor as tf


def _ops(fn, *args):
    """The op names of the top-level graph fn traces for args."""
    return [n.op.name for n in fn.get_concrete_function(*args).graph.nodes]


def _np(structure):
    return tf.nest.map_structure(lambda t: np.asarray(t), structure)


# -- cond -------------------------------------------------------------------------------------------

def _piecewise(x):
    return tf.cond(x > 0, lambda: x * x, lambda: -x * 3.0)


def test_cond_eager_and_traced_agree_and_replay_takes_either_branch():
    f = tf.function(_piecewise)
    for v in (2.0, -2.0, 0.5):
        x = tf.constant(v)
        assert float(_piecewise(x)) == float(f(x)) == (v * v if v > 0 else -3 * v)
    assert "cond" in _ops(f, tf.constant(1.0))
    assert f.experimental_get_tracing_count() == 1


def test_cond_python_and_constant_predicates_call_one_branch_while_tracing():
    calls = []

    def branch(tag, value):
        def fn():
            calls.append(tag)
            return value
        return fn

    @tf.function
    def f(x, flag):
        return x + tf.cond(flag, branch("t", 1.0), branch("f", 2.0))

    assert float(f(tf.constant(1.0), True)) == 2.0
    assert float(f(tf.constant(1.0), False)) == 3.0
    assert calls == ["t", "f"]
    assert "cond" not in _ops(f, tf.constant(1.0), True)


def test_cond_returns_nested_structures_and_python_values():
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: {"a": x, "b": (x + 1, 7)}, lambda: {"a": -x, "b": (x - 1, 8)})

    got = f(tf.constant(2.0))
    assert float(got["a"]) == 2.0 and float(got["b"][0]) == 3.0 and int(got["b"][1]) == 7
    got = f(tf.constant(-2.0))
    assert float(got["a"]) == 2.0 and float(got["b"][0]) == -3.0 and int(got["b"][1]) == 8


def test_nested_conds_capture_outer_tensors():
    def sign3(x, y):
        return tf.cond(x > 0,
                       lambda: tf.cond(y > 0, lambda: x + y, lambda: x - y),
                       lambda: tf.cond(y > 0, lambda: -x + y * 10.0, lambda: x * y))

    f = tf.function(sign3)
    for a, b in [(1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.0, -2.0)]:
        x, y = tf.constant(a), tf.constant(b)
        assert float(f(x, y)) == pytest.approx(float(sign3(x, y)))
    assert _ops(f, tf.constant(1.0), tf.constant(1.0)).count("cond") == 1


def test_cond_branch_shapes_may_differ():
    @tf.function
    def f(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x, lambda: tf.concat([x, x], 0))

    out = f.get_concrete_function(tf.constant([1.0, 2.0])).graph.outputs[0]
    assert out.shape.as_list() == [None]
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [1, 2])
    np.testing.assert_array_equal(f(tf.constant([-1.0, -2.0])).numpy(), [-1, -2, -1, -2])


@pytest.mark.parametrize("true_fn, false_fn, detail", [
    (lambda x: (x, x), lambda x: x, "structure"),
    (lambda x: x, lambda x: tf.cast(x, tf.int32), "dtype float32"),
    (lambda x: [x, None], lambda x: [x, x], "returned None"),
])
def test_cond_mismatched_branches_raise(true_fn, false_fn, detail):
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: true_fn(x), lambda: false_fn(x))

    with pytest.raises(TypeError, match="true_fn and false_fn arguments to tf.cond must have the same") as e:
        f(tf.constant(1.0))
    assert detail in str(e.value)


def test_cond_rejects_bad_predicates_and_branches():
    with pytest.raises(TypeError, match="bool"):
        tf.function(lambda x: tf.cond(x, lambda: x, lambda: x))(tf.constant(1.0))
    with pytest.raises(ValueError, match="scalar"):
        tf.function(lambda x: tf.cond(x > 0, lambda: x, lambda: x))(tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(True, 1, lambda: 2)


def test_cond_gradients_eager_and_under_an_eager_tape_around_tf_function():
    f = tf.function(_piecewise)
    for v, expected in [(2.0, 4.0), (-2.0, -3.0)]:
        for fn in (_piecewise, f):
            x = tf.constant(v)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = fn(x)
            assert float(tape.gradient(y, x)) == pytest.approx(expected)


def test_cond_gradient_with_the_tape_inside_tf_function():
    @tf.function
    def f(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.cond(x > 0, lambda: x ** 3, lambda: tf.sin(x))
            dy = inner.gradient(y, x)
        return y, dy, outer.gradient(dy, x)

    y, dy, d2y = f(tf.constant(2.0))
    assert (float(y), float(dy), float(d2y)) == pytest.approx((8.0, 12.0, 12.0))
    y, dy, d2y = f(tf.constant(-0.5))
    assert (float(y), float(dy), float(d2y)) == pytest.approx((np.sin(-0.5), np.cos(-0.5), -np.sin(-0.5)), rel=1e-6)
    assert _ops(f, tf.constant(1.0)).count("cond") >= 3


def test_cond_gradient_inside_tf_function_reaches_variables_and_captured_tensors():
    w = tf.Variable(3.0)
    c = tf.constant(5.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            y = tf.cond(x > 0, lambda: w * x * c, lambda: w * w)
        return tape.gradient(y, w)

    assert float(f(tf.constant(2.0))) == pytest.approx(10.0)
    assert float(f(tf.constant(-2.0))) == pytest.approx(6.0)


def test_cond_branch_side_effects_run_only_in_the_taken_branch_and_not_again_for_gradients():
    counter = tf.Variable(0.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cond(x > 0, lambda: _bump(counter, x), lambda: x * 2.0)
        return tape.gradient(y, x)

    assert float(f(tf.constant(1.0))) == pytest.approx(3.0)
    assert float(counter.numpy()) == 1.0
    assert float(f(tf.constant(-1.0))) == pytest.approx(2.0)
    assert float(counter.numpy()) == 1.0
    assert any(v is counter for v in f.get_concrete_function(tf.constant(1.0)).variables)


def _bump(counter, x):
    counter.assign_add(1.0)
    return x ** 3


def test_cond_inside_a_tf_function_called_from_another():
    inner = tf.function(_piecewise)

    @tf.function
    def outer(x):
        return inner(x) + 1.0

    assert float(outer(tf.constant(2.0))) == 5.0
    assert float(outer(tf.constant(-2.0))) == 7.0
    x = tf.constant(-2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = outer(x)
    assert float(tape.gradient(y, x)) == -3.0


# -- while_loop -------------------------------------------------------------------------------------

def _power_loop(x, n):
    """x ** n by repeated multiplication."""
    _, y = tf.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x), [tf.constant(0), tf.ones_like(x)])
    return y


def test_while_loop_eager_and_traced_agree_with_different_trip_counts():
    f = tf.function(_power_loop)
    for n in (0, 1, 3, 5):
        x, k = tf.constant(1.5), tf.constant(n)
        assert float(_power_loop(x, k)) == pytest.approx(1.5 ** n)
        assert float(f(x, k)) == pytest.approx(1.5 ** n)
    assert f.experimental_get_tracing_count() == 1
    assert "while_loop" in _ops(f, tf.constant(1.5), tf.constant(3))


def test_while_loop_returns_the_structure_of_loop_vars():
    Pair = collections.namedtuple("Pair", "a b")

    def run(x):
        def body(i, state):
            return i + 1, {"p": Pair(state["p"].a + x, state["p"].b * 2.0), "n": state["n"] - 1}
        return tf.while_loop(lambda i, state: i < 3, body,
                             (tf.constant(0), {"p": Pair(tf.constant(0.0), tf.constant(1.0)), "n": tf.constant(10)}))

    for fn in (run, tf.function(run)):
        i, state = fn(tf.constant(2.0))
        assert isinstance(state["p"], Pair)
        assert (int(i), float(state["p"].a), float(state["p"].b), int(state["n"])) == (3, 6.0, 8.0, 7)


def test_while_loop_single_tensor_and_single_element_list():
    for fn in (lambda x: tf.while_loop(lambda v: v < 100, lambda v: v * 2, [x]),
               lambda x: tf.while_loop(lambda v: v < 100, lambda v: (v * 2,), [x])):
        for g in (fn, tf.function(fn)):
            (v,) = g(tf.constant(3))
            assert int(v) == 192
    lone = tf.function(lambda x: tf.while_loop(lambda v: v < 100, lambda v: v * 2, x))
    assert int(lone(tf.constant(3))) == 192


@pytest.mark.parametrize("limit", [2, tf.constant(2)])
def test_while_loop_maximum_iterations(limit):
    def run(x):
        return tf.while_loop(lambda v: v < 1000, lambda v: v + 1, [x], maximum_iterations=limit)

    assert int(run(tf.constant(0))[0]) == 2
    assert int(tf.function(run)(tf.constant(0))[0]) == 2
    assert int(tf.function(run)(tf.constant(999))[0]) == 1000


def test_while_loop_with_growing_shapes_relaxes_or_uses_shape_invariants():
    def grow(x, invariants=None):
        return tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.concat([v, v[:1]], 0)), [0, x],
                             shape_invariants=invariants)

    eager = grow(tf.constant([1.0, 2.0]))[1].numpy()
    np.testing.assert_array_equal(eager, [1, 2, 1, 1, 1])
    relaxed = tf.function(grow)
    np.testing.assert_array_equal(relaxed(tf.constant([1.0, 2.0]))[1].numpy(), eager)
    graph = relaxed.get_concrete_function(tf.constant([1.0, 2.0])).graph
    assert graph.outputs[1].shape.as_list() == [None]
    given = tf.function(lambda x: grow(x, [tf.TensorShape([]), tf.TensorShape([None])]))
    np.testing.assert_array_equal(given(tf.constant([1.0, 2.0]))[1].numpy(), eager)
    too_strict = tf.function(lambda x: grow(x, [tf.TensorShape([]), tf.TensorShape([2])]))
    with pytest.raises(ValueError, match="after one iteration"):
        too_strict(tf.constant([1.0, 2.0]))


def test_while_loop_body_errors():
    with pytest.raises(ValueError, match="same structure as loop_vars"):
        tf.while_loop(lambda a, b: a < 3, lambda a, b: (a + 1,), [0, 0])
    with pytest.raises(ValueError, match="same structure as loop_vars"):
        tf.function(lambda x: tf.while_loop(lambda a, b: a < 3, lambda a, b: (a + 1,), [x, x]))(tf.constant(0))
    with pytest.raises(TypeError, match="dtype int32, but has dtype float32"):
        tf.function(lambda x: tf.while_loop(lambda a: a < 3, lambda a: tf.cast(a, tf.float32), [x]))(tf.constant(0))
    with pytest.raises(TypeError, match="bool"):
        tf.function(lambda x: tf.while_loop(lambda a: a, lambda a: a + 1, [x]))(tf.constant(0))


def test_while_loop_gradients_eager_and_under_an_eager_tape_around_tf_function():
    f = tf.function(_power_loop)
    for fn in (_power_loop, f):
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x, tf.constant(3))
        assert float(tape.gradient(y, x)) == pytest.approx(12.0)   # d/dx x**3 = 3x**2


def test_while_loop_gradient_with_the_tape_inside_tf_function():
    @tf.function
    def f(x, n):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = _power_loop(x, n)
            dy = inner.gradient(y, x)
        return y, dy, outer.gradient(dy, x)

    for n in (3, 4):
        y, dy, d2y = f(tf.constant(2.0), tf.constant(n))
        assert (float(y), float(dy), float(d2y)) == pytest.approx((2.0 ** n, n * 2.0 ** (n - 1),
                                                                  n * (n - 1) * 2.0 ** (n - 2)))
    y, dy, d2y = f(tf.constant(2.0), tf.constant(0))
    assert (float(y), float(dy), float(d2y)) == (1.0, 0.0, 0.0)
    assert "while_loop_grad" in _ops(f, tf.constant(2.0), tf.constant(3))


def test_while_loop_gradient_inside_tf_function_reaches_variables_and_loop_vars():
    w = tf.Variable(0.5)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w + x), [0, x])
        return tape.gradient(y, [x, w])

    # y3 = w^3 x + w^2 x + w x + x
    gx, gw = f(tf.constant(2.0))
    assert float(gx) == pytest.approx(0.125 + 0.25 + 0.5 + 1 + 0)
    assert float(gw) == pytest.approx(2.0 * (3 * 0.25 + 2 * 0.5 + 1))


def test_while_loop_gradient_with_a_cond_in_the_body():
    def collatz_like(x):
        def body(i, y):
            return i + 1, tf.cond(y > 1.0, lambda: y * 0.5, lambda: y * y + 1.0)
        return tf.while_loop(lambda i, y: i < 4, body, [0, x])[1]

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        expected_y = collatz_like(x)
    expected = tape.gradient(expected_y, x)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = collatz_like(x)
        return y, tape.gradient(y, x)

    y, g = f(x)
    assert float(y) == pytest.approx(float(expected_y))
    assert float(g) == pytest.approx(float(expected))


def test_while_loop_side_effects_in_traced_body_run_every_iteration():
    total = tf.Variable(0)

    @tf.function
    def f(n):
        def body(i):
            total.assign_add(i)
            return i + 1
        return tf.while_loop(lambda i: i < n, body, [0])

    f(tf.constant(4))
    assert int(total.numpy()) == 6
    f(tf.constant(3))
    assert int(total.numpy()) == 9


# -- case and switch_case ---------------------------------------------------------------------------

def _classify(x):
    return tf.case([(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(10))],
                   default=lambda: tf.constant(0))


def test_case_eager_and_traced():
    f = tf.function(_classify)
    for v, expected in [(-5, -1), (5, 0), (50, 10)]:
        assert int(_classify(tf.constant(v))) == int(f(tf.constant(v))) == expected
    assert "cond" in _ops(f, tf.constant(1))


def test_case_without_default_uses_the_last_pair_and_checks_it_eagerly():
    pairs = lambda x: [(x < 0, lambda: x * 0 - 1), (x >= 0, lambda: x)]  # noqa: E731
    assert int(tf.case(pairs(tf.constant(4)))) == 4
    assert int(tf.function(lambda x: tf.case(pairs(x)))(tf.constant(-4))) == -1
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions"):
        tf.case([(tf.constant(False), lambda: 1), (tf.constant(False), lambda: 2)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
        tf.case([(tf.constant(True), lambda: 1), (tf.constant(True), lambda: 2)], exclusive=True)


def test_switch_case_eager_and_traced():
    def pick(i):
        return tf.switch_case(i, [lambda: tf.constant(10.0), lambda: tf.constant(20.0), lambda: tf.constant(30.0)],
                              default=lambda: tf.constant(-1.0))

    f = tf.function(pick)
    for i, expected in [(0, 10.0), (1, 20.0), (2, 30.0), (7, -1.0), (-1, -1.0)]:
        assert float(pick(tf.constant(i))) == float(f(tf.constant(i))) == expected
    g = tf.function(lambda i: tf.switch_case(i, {1: lambda: i * 100, 0: lambda: i - 100}))
    assert [int(g(tf.constant(k))) for k in (0, 1, 5)] == [-100, 100, 500]
    with pytest.raises(ValueError, match="contiguous"):
        tf.switch_case(0, {0: lambda: 1, 2: lambda: 2})


# -- tf.print ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, kwargs, expected", [
    (np.array([1, 2, 3], np.int32), {}, "[1 2 3]"),
    (np.arange(10, dtype=np.int64), {}, "[0 1 2 ... 7 8 9]"),
    (np.arange(10, dtype=np.int32), {"summarize": -1}, "[0 1 2 3 4 5 6 7 8 9]"),
    (np.arange(10, dtype=np.int32), {"summarize": 1}, "[0 ... 9]"),
    (np.array([[1, 2], [3, 4]], np.int32), {}, "[[1 2]\n [3 4]]"),
    (np.arange(8, dtype=np.int32).reshape(2, 2, 2), {}, "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"),
    (np.arange(50, dtype=np.int32).reshape(10, 5), {"summarize": 1},
     "[[0 ... 4]\n ...\n [45 ... 49]]"),
    (np.array(7, np.int32), {}, "7"),
    (np.array([0.5, 2.0, 1 / 3], np.float32), {}, "[0.5 2 0.333333343]"),
    (np.array([0.1, 1 / 3], np.float64), {}, "[0.1 0.33333333333333331]"),
    (np.array([True, False]), {}, "[1 0]"),
    (np.array([], np.float32), {}, "[]"),
])
def test_print_formats_like_tensorflow(capsys, value, kwargs, expected):
    tf.print(tf.constant(value), **kwargs)
    assert capsys.readouterr().err == expected + "\n"


def test_print_mixes_python_values_nested_structures_and_separators(capsys):
    x = tf.constant([1, 2])
    tf.print("x:", x, 3.5, {"b": x, "a": "s"}, [x, 1], sep="|", end="!\n", output_stream=sys.stdout)
    assert capsys.readouterr().out == "x:|[1 2]|3.5|{'a': 's', 'b': [1 2]}|[[1 2], 1]!\n"
    tf.print("{}", x)
    assert capsys.readouterr().err == "{} [1 2]\n"
    tf.print(tf.Variable([1.5, 2.5]))
    assert capsys.readouterr().err == "[1.5 2.5]\n"


def test_print_in_tf_function_runs_on_every_call_python_print_only_on_trace(capsys):
    @tf.function
    def f(x):
        print("tracing")   # noqa: T201 - Python's print, on purpose
        tf.print("value:", x * 2)
        return x

    f(tf.constant(1))
    f(tf.constant(2))
    captured = capsys.readouterr()
    assert captured.out == "tracing\n"
    assert captured.err == "value: 2\nvalue: 4\n"
    assert "print" in _ops(f, tf.constant(1))


def test_print_in_a_traced_branch_runs_only_when_taken(capsys):
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: _print_then(x, "pos"), lambda: _print_then(x, "neg"))

    capsys.readouterr()
    f(tf.constant(1))
    f(tf.constant(-1))
    f(tf.constant(5))
    assert capsys.readouterr().err == "pos 1\nneg -1\npos 5\n"


def _print_then(x, tag):
    tf.print(tag, x)
    return x


def test_print_to_a_file(tmp_path):
    path = tmp_path / "log.txt"
    f = tf.function(lambda x: tf.print("got", x, output_stream=f"file://{path}"))
    f(tf.constant([1.0, 2.5]))
    f(tf.constant([3.0, 4.0]))
    assert path.read_text() == "got [1 2.5]\ngot [3 4]\n"
    with pytest.raises(ValueError, match="output_stream"):
        tf.print(1, output_stream=42)


# -- Python control flow on symbolic tensors, grouping ----------------------------------------------

def test_python_if_on_a_symbolic_tensor_points_to_tf_cond():
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match="tf.cond"):
        f(tf.constant(1.0))


def test_group_control_dependencies_and_no_op():
    v = tf.Variable(0.0)

    @tf.function
    def f(x):
        with tf.control_dependencies([v.assign(x)]):
            y = v + 1.0
        return y, tf.group(v.assign_add(1.0)), tf.no_op()

    y, group, noop = f(tf.constant(4.0))
    assert float(y) == 5.0 and group is None and noop is None
    assert float(v.numpy()) == 5.0
    assert tf.group() is None and tf.no_op() is None


def test_print_in_a_traced_loop_body_runs_every_iteration(capsys):
    @tf.function
    def f(n):
        def body(i):
            tf.print("i =", i)
            return i + 1
        return tf.while_loop(lambda i: i < n, body, [0])

    capsys.readouterr()
    f(tf.constant(3))
    assert capsys.readouterr().err == "i = 0\ni = 1\ni = 2\n"
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:   # the op-by-op replay path prints the same
        tape.watch(x)
        f(tf.constant(2))
    assert capsys.readouterr().err == "i = 0\ni = 1\n"


def test_graphs_with_control_flow_export_to_json():
    import json
    f = tf.function(lambda x: tf.while_loop(lambda v: v < 10.0, lambda v: tf.cond(v > 2.0, lambda: v * 2.0,
                                                                                  lambda: v + 1.0), [x]))
    data = json.loads(f.get_concrete_function(tf.constant(1.0)).graph.to_json())
    assert [n["op"] for n in data["nodes"]].count("while_loop") == 1


def test_second_order_through_an_eager_tape_around_a_gradient_computed_inside_tf_function():
    @tf.function
    def slope(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = _power_loop(x, tf.constant(3)) + tf.cond(x > 0, lambda: x ** 2, lambda: x)
        return tape.gradient(y, x)

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        dy = slope(x)
    assert float(dy) == pytest.approx(3 * 4.0 + 2 * 2.0)
    assert float(tape.gradient(dy, x)) == pytest.approx(6 * 2.0 + 2.0)
