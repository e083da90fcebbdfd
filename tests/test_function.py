"""tf.function: tracing once per signature, replay, captures, gradients and the traced graph."""
import json

import numpy as np
import pytest

import webtensor as tf


def _traced(fn):
    """A tf.function of fn that also counts Python executions of its body."""
    calls = []

    def body(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)
    return tf.function(body), calls


def test_trace_once_per_signature():
    f, calls = _traced(lambda x: tf.reduce_sum(x * 2))
    assert f(tf.constant([1, 2, 3])).numpy() == 12
    assert f(tf.constant([10, 9, 8])).numpy() == 54
    assert f.experimental_get_tracing_count() == 1 and len(calls) == 1
    assert f(tf.constant([1.0, 2.0, 3.0])).numpy() == 12.0  # new dtype
    assert f.experimental_get_tracing_count() == 2
    assert f(tf.constant([1, 2])).numpy() == 6  # new shape
    assert f.experimental_get_tracing_count() == 3
    assert f(tf.constant([[1, 2]])).numpy() == 6  # new rank
    assert f.experimental_get_tracing_count() == 4 and len(calls) == 4


def test_retrace_on_new_python_value():
    @tf.function
    def f(x, n):
        return x * n
    x = tf.constant(2.0)
    assert f(x, 3).numpy() == 6.0
    assert f(x, 3).numpy() == 6.0
    assert f.experimental_get_tracing_count() == 1
    assert f(x, 4).numpy() == 8.0
    assert f.experimental_get_tracing_count() == 2
    assert f(x, n=4).numpy() == 8.0  # the same call spelled with a keyword
    assert f.experimental_get_tracing_count() == 2


def test_numpy_arguments_are_traced_like_tensors():
    f, _ = _traced(lambda x: x + 1)
    np.testing.assert_array_equal(f(np.array([1.0, 2.0], np.float32)).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(f(np.array([5.0, 6.0], np.float32)).numpy(), [6.0, 7.0])
    assert f.experimental_get_tracing_count() == 1


def test_input_signature_with_none_dims():
    calls = []

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        calls.append(1)
        return tf.reduce_sum(x)
    assert f(tf.constant([1.0, 2.0])).numpy() == 3.0
    assert f(tf.constant([1.0, 2.0, 3.0, 4.0])).numpy() == 10.0
    assert f.experimental_get_tracing_count() == 1 and len(calls) == 1
    with pytest.raises(TypeError):
        f(tf.constant([1, 2]))  # wrong dtype
    with pytest.raises(TypeError):
        f(tf.constant([[1.0]]))  # wrong rank
    assert f.experimental_get_tracing_count() == 1


def test_input_signature_converts_python_lists():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return tf.reduce_sum(x)
    assert f([5.0, 6.0]).numpy() == 11.0
    assert f(np.array([1.0, 2.0], np.float32)).numpy() == 3.0


def test_input_signature_batch_dim_in_graph():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        assert x.shape.as_list() == [None, 2]
        return x @ tf.constant([[1.0], [2.0]])
    np.testing.assert_array_equal(f(tf.ones([3, 2])).numpy(), [[3.0]] * 3)
    np.testing.assert_array_equal(f(tf.ones([1, 2])).numpy(), [[3.0]])


def test_get_concrete_function():
    @tf.function
    def f(x):
        return x * x
    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    assert cf.inputs[0].shape.as_list() == [None]
    np.testing.assert_array_equal(cf(tf.constant([1.0, 2.0, 3.0])).numpy(), [1, 4, 9])
    cf2 = f.get_concrete_function(tf.constant([2.0]))
    np.testing.assert_array_equal(cf2(tf.constant([3.0])).numpy(), [9.0])
    assert f.get_concrete_function(tf.constant([5.0])) is cf2
    with pytest.raises(TypeError):
        cf2(tf.constant([1, 2]))


def test_get_concrete_function_from_input_signature():
    @tf.function(input_signature=[tf.TensorSpec([2], tf.int32)])
    def f(x):
        return x + 1
    cf = f.get_concrete_function()
    np.testing.assert_array_equal(cf(tf.constant([1, 2])).numpy(), [2, 3])
    assert f.experimental_get_tracing_count() == 1


def test_variable_captures_see_later_values():
    v = tf.Variable(2.0)

    @tf.function
    def f(x):
        return x * v
    assert f(tf.constant(3.0)).numpy() == 6.0
    v.assign(10.0)
    assert f(tf.constant(3.0)).numpy() == 30.0
    assert f.experimental_get_tracing_count() == 1


def test_assign_inside_function_persists():
    v = tf.Variable(1.0)

    @tf.function
    def step(x):
        v.assign_add(x)
        return v.read_value()
    assert step(tf.constant(2.0)).numpy() == 3.0
    assert step(tf.constant(2.0)).numpy() == 5.0
    assert v.numpy() == 5.0
    counter = tf.Variable(0)

    @tf.function
    def bump():
        counter.assign_add(1)
        counter.assign_add(1)
    bump()
    bump()
    assert counter.numpy() == 4


def test_cached_signature_runs_the_graph_not_python(capsys):
    seen = []

    @tf.function
    def f(x):
        print("Tracing.")
        seen.append(x)
        return x + 1
    f(tf.constant(1))
    f(tf.constant(2))
    f(tf.constant(3))
    assert capsys.readouterr().out == "Tracing.\n"
    assert len(seen) == 1  # the Python body ran once, on a symbolic tensor
    assert f(tf.constant(41)).numpy() == 42


def test_methods_on_modules_are_per_instance():
    class Scale(tf.Module):
        def __init__(self, k):
            super().__init__()
            self.k = tf.Variable(k)

        @tf.function
        def __call__(self, x):
            return x * self.k
    a, b = Scale(2.0), Scale(3.0)
    assert a(tf.constant(1.0)).numpy() == 2.0
    assert b(tf.constant(1.0)).numpy() == 3.0
    assert a(tf.constant(5.0)).numpy() == 10.0
    assert a.__call__.experimental_get_tracing_count() == 1
    assert b.__call__.experimental_get_tracing_count() == 1


def test_nested_functions():
    inner_calls = []

    @tf.function
    def inner(x):
        inner_calls.append(1)
        return x * 2

    @tf.function
    def outer(x):
        return inner(x) + inner(x + 1)
    assert outer(tf.constant(1.0)).numpy() == 6.0
    assert outer(tf.constant(2.0)).numpy() == 10.0
    assert outer.experimental_get_tracing_count() == 1


def test_gradient_of_function_under_eager_tape():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(w * x * x)
    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), [6.0, 16.0])
    np.testing.assert_allclose(gw.numpy(), [9.0, 16.0])


def test_tape_inside_function():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * x * x)
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss, g
    loss, g = train_step(tf.constant([1.0, 2.0]))
    assert loss.numpy() == 9.0
    np.testing.assert_allclose(g.numpy(), [1.0, 4.0])
    np.testing.assert_allclose(w.numpy(), [0.9, 1.6])
    loss, _ = train_step(tf.constant([1.0, 2.0]))
    np.testing.assert_allclose(loss.numpy(), 0.9 + 1.6 * 4, rtol=1e-6)
    assert train_step.experimental_get_tracing_count() == 1


def test_second_derivative_inside_function():
    @tf.function
    def d2(x):
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = x * x * x
            dy = t1.gradient(y, x)
        return t2.gradient(dy, x)
    assert d2(tf.constant(2.0)).numpy() == 12.0


def test_closure_over_eager_tensor():
    c = tf.constant([1.0, 2.0])

    @tf.function
    def f(x):
        return x + c
    np.testing.assert_array_equal(f(tf.constant(1.0)).numpy(), [2.0, 3.0])


def test_returning_nested_structures_and_python_values():
    @tf.function
    def f(x):
        return {"double": x * 2, "pair": (x, x + 1), "name": "result", "n": 3, "none": None}
    out = f(tf.constant(1.0))
    assert set(out) == {"double", "pair", "name", "n", "none"}
    assert out["double"].numpy() == 2.0
    assert isinstance(out["pair"], tuple) and out["pair"][1].numpy() == 2.0
    assert out["name"] == "result" and out["n"] == 3 and out["none"] is None
    assert isinstance(out["pair"][0], tf.Tensor)

    @tf.function
    def g(x):
        return [x, [x * 3]]
    r = g(tf.constant(2))
    assert isinstance(r, list) and r[1][0].numpy() == 6


def test_function_with_no_return_and_no_args():
    v = tf.Variable(0)

    @tf.function
    def inc():
        v.assign_add(1)
    assert inc() is None
    inc()
    assert v.numpy() == 2


def test_python_control_flow_on_symbolic_tensor_raises():
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(TypeError, match="tf.cond"):
        f(tf.constant(1.0))


def test_numpy_inside_function_raises():
    @tf.function
    def f(x):
        return x.numpy()
    with pytest.raises((NotImplementedError, AttributeError, TypeError)):
        f(tf.constant(1.0))


def test_graph_prints_and_exports_json():
    v = tf.Variable([1.0, 2.0], name="w")

    @tf.function
    def f(x):
        with tf.name_scope("dense"):
            return tf.reduce_sum(x * v + 1.0)
    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    text = str(cf.graph)
    assert "multiply" in text and "reduce_sum" in text and "float32[2]" in text
    data = json.loads(cf.graph.to_json())
    ops = [n["op"] for n in data["nodes"]]
    assert "read_variable" in ops and "multiply" in ops and "reduce_sum" in ops
    mul = next(n for n in data["nodes"] if n["op"] == "multiply")
    assert mul["name"].startswith("dense/") and mul["scope"] == "dense"
    assert len(mul["inputs"]) == 2 and all(isinstance(i, str) for i in mul["inputs"])
    assert mul["outputs"][0]["shape"] == [2] and mul["outputs"][0]["dtype"] == "float32"
    assert data["outputs"] and data["inputs"]


def test_symbolic_tensor_repr_and_shape_inside_trace():
    seen = {}

    @tf.function
    def f(x):
        seen["repr"] = repr(x)
        seen["shape"] = x.shape
        seen["eager"] = tf.executing_eagerly()
        return x
    f(tf.constant([[1.0, 2.0]]))
    assert "shape=(1, 2)" in seen["repr"] and "float32" in seen["repr"]
    assert seen["shape"] == [1, 2] and seen["eager"] is False
    assert tf.executing_eagerly()


def test_run_functions_eagerly():
    calls = []

    @tf.function
    def f(x):
        calls.append(tf.executing_eagerly())
        return x * 2
    tf.config.run_functions_eagerly(True)
    try:
        assert f(tf.constant(1.0)).numpy() == 2.0
        assert f(tf.constant(2.0)).numpy() == 4.0
        assert calls == [True, True]
    finally:
        tf.config.run_functions_eagerly(False)
    f(tf.constant(1.0))
    f(tf.constant(2.0))
    assert calls == [True, True, False]


def test_tensor_used_outside_its_graph_raises():
    leaked = []

    @tf.function
    def f(x):
        y = x * 2
        leaked.append(y)
        return y
    f(tf.constant(1.0))
    with pytest.raises(TypeError, match="symbolic tensor"):
        leaked[0] + 1


def test_variable_created_in_function_from_constant():
    holder = []

    @tf.function
    def f(x):
        if not holder:
            holder.append(tf.Variable(2.0))
        return x * holder[0]
    assert f(tf.constant(3.0)).numpy() == 6.0
    assert f(tf.constant(4.0)).numpy() == 8.0


def test_function_decorator_forms():
    def double(x):
        return x * 2
    assert tf.function(double)(tf.constant(2)).numpy() == 4
    assert tf.function()(double)(tf.constant(3)).numpy() == 6
    assert tf.function(double).__name__ == "double"
    assert tf.function(double).python_function is double


def test_default_arguments_share_a_trace():
    @tf.function
    def f(x, training=False):
        return x * 2 if training else x
    x = tf.constant(1.0)
    f(x)
    f(x, training=False)
    f(x, False)
    assert f.experimental_get_tracing_count() == 1


def test_function_get_without_owner():
    class M(tf.Module):
        @tf.function
        def f(self, x):
            return x + 1
    m = M()
    assert M.f.__get__(m)(tf.constant(1)).numpy() == 2


def test_iterating_symbolic_tensors():
    @tf.function
    def total(x):
        s = 0.0
        for row in x:  # a known first dimension unrolls
            s += row
        return s
    assert total(tf.constant([1.0, 2.0, 3.0])).numpy() == 6.0

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def dynamic(x):
        return [r for r in x]
    with pytest.raises(TypeError, match="while_loop"):
        dynamic(tf.constant([1.0]))


def test_reduce_retracing_relaxes_the_dims_that_change():
    @tf.function(reduce_retracing=True)
    def f(x):
        return tf.reduce_sum(x, axis=0)

    for n in (4, 5, 7, 2):
        np.testing.assert_array_equal(f(tf.ones([n, 3])).numpy(), [n, n, n])
    assert f.experimental_get_tracing_count() == 2  # exact, then [None, 3]
    shapes = [c.inputs[0].shape.as_list() for c in f.concrete_functions()]
    assert shapes == [[4, 3], [None, 3]]
    np.testing.assert_array_equal(f(tf.ones([2, 4])).numpy(), [2, 2, 2, 2])
    assert f.experimental_get_tracing_count() == 3  # a new trailing size relaxes that dim too
