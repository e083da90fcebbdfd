"""GradientTape and tf.custom_gradient, against analytic derivatives."""
import numpy as np
import pytest

import webtensor as tf


def _close(a, b, **kw):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=kw.get("rtol", 1e-5), atol=kw.get("atol", 1e-6))


# -- watching --------------------------------------------------------------------------------------


def test_trainable_variables_are_watched_automatically():
    w = tf.Variable(3.0)
    frozen = tf.Variable(2.0, trainable=False)
    c = tf.constant(5.0)
    with tf.GradientTape() as tape:
        y = w * w * frozen * c
    gw, gf, gc = tape.gradient(y, [w, frozen, c])
    _close(gw, 2 * 3.0 * 2.0 * 5.0)
    assert gf is None and gc is None
    assert tape.watched_variables() == (w,)


def test_watch_constants_and_non_trainable_variables():
    frozen = tf.Variable(2.0, trainable=False)
    c = tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch(c)
        tape.watch(frozen)
        y = frozen ** 2 * c
    gf, gc = tape.gradient(y, [frozen, c])
    _close(gf, 2 * 2.0 * 5.0)
    _close(gc, 4.0)


def test_watch_accessed_variables_false():
    a = tf.Variable(2.0)
    b = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    _close(ga, 3.0)
    assert gb is None
    assert tape.watched_variables() == (a,)


def test_watched_variables_order():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        _ = c * b
        _ = a + c
    assert tape.watched_variables() == (c, b, a)


def test_integer_sources_give_none():
    x = tf.constant(3)
    v = tf.Variable(2)
    with pytest.warns(UserWarning, match="floating"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x * v
    assert tape.gradient(y, [x, v]) == [None, None]


# -- persistence, errors ---------------------------------------------------------------------------


def test_non_persistent_tape_used_twice():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    _close(tape.gradient(y, x), 6.0)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set "
                                           "of gradients"):
        tape.gradient(y, x)


def test_persistent_tape():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    _close(tape.gradient(z, x), 4 * 27.0)
    _close(tape.gradient(y, x), 6.0)
    _close(tape.gradient(z, y), 18.0)


def test_gradient_of_non_tensor_source_raises():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2
    with pytest.raises((ValueError, TypeError)):
        tape.gradient(y, "x")


# -- higher order ----------------------------------------------------------------------------------


def test_nested_tapes_second_and_third_derivatives():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x ** 3
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    d3y = t3.gradient(d2y, x)
    _close(dy, 3 * 4.0)
    _close(d2y, 6 * 2.0)
    _close(d3y, 6.0)


def test_second_derivative_of_sin():
    x = tf.constant(0.7)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.sin(x)
        dy = inner.gradient(y, x)
    _close(dy, np.cos(0.7))
    _close(outer.gradient(dy, x), -np.sin(0.7))


# -- structures ------------------------------------------------------------------------------------


def test_gradients_of_and_wrt_nested_structures():
    a = tf.Variable(2.0)
    b = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y1 = a * a
        y2 = tf.reduce_sum(b * a)
    g = tape.gradient({"first": y1, "second": y2}, {"a": a, "rest": [b]})
    assert set(g) == {"a", "rest"} and isinstance(g["rest"], list)
    _close(g["a"], 2 * 2.0 + 3.0)
    _close(g["rest"][0], [2.0, 2.0])
    g2 = tape.gradient([y1, (y2,)], (a, b))
    assert isinstance(g2, tuple)
    _close(g2[0], 7.0)


def test_output_gradients():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([1.0, 10.0, 100.0]))
    _close(g, [2.0, 40.0, 600.0])


def test_gradient_is_summed_over_non_scalar_targets():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x @ x
    # d sum(x @ x) / dx = ones @ x^T + x^T @ ones
    ones = np.ones((2, 2))
    xn = x.numpy()
    _close(tape.gradient(y, x), ones @ xn.T + xn.T @ ones)


# -- jacobians -------------------------------------------------------------------------------------


def _numeric_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, np.float64)
    y0 = np.asarray(f(x))
    jac = np.zeros(y0.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        dx = np.zeros_like(x)
        dx[idx] = eps
        jac[(Ellipsis,) + idx] = (np.asarray(f(x + dx)) - np.asarray(f(x - dx))) / (2 * eps)
    return jac


def test_jacobian_vs_numerical():
    w = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    x = tf.constant([[0.1, 0.2], [0.3, -0.4]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tanh(x @ tf.constant(w))
    jac = tape.jacobian(y, x)
    assert jac.shape == [2, 3, 2, 2]
    _close(jac, _numeric_jacobian(lambda a: np.tanh(a @ w), x.numpy()), rtol=1e-6)


def test_jacobian_of_a_variable_and_unconnected():
    v = tf.Variable([1.0, 2.0])
    other = tf.Variable([5.0, 6.0, 7.0])
    with tf.GradientTape(persistent=True) as tape:
        y = v * v
    _close(tape.jacobian(y, v), np.diag([2.0, 4.0]))
    assert tape.jacobian(y, other) is None
    _close(tape.jacobian(y, other, unconnected_gradients=tf.UnconnectedGradients.ZERO), np.zeros((2, 3)))


def test_batch_jacobian_vs_numerical():
    w = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    x = tf.constant([[0.1, 0.2], [0.3, -0.4], [1.0, 2.0], [-1.0, 0.5]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sigmoid(x @ tf.constant(w))
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == [4, 3, 2]
    for b in range(4):
        want = _numeric_jacobian(lambda a: 1 / (1 + np.exp(-(a @ w))), x.numpy()[b])
        _close(bj[b], want, rtol=1e-6)


# -- unconnected, stop_gradient, stop_recording, reset ---------------------------------------------


def test_unconnected_gradients_none_vs_zero():
    x = tf.Variable([1.0, 2.0])
    y = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        z = tf.reduce_sum(x * 2)
    assert tape.gradient(z, y) is None
    assert tape.gradient(z, y, unconnected_gradients="none") is None
    _close(tape.gradient(z, y, unconnected_gradients=tf.UnconnectedGradients.ZERO), 0.0)
    gz = tape.gradient(z, [x, y], unconnected_gradients="zero")
    _close(gz[0], [2.0, 2.0])
    _close(gz[1], 0.0)


def test_stop_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x * x)
    _close(tape.gradient(y, x), 9.0)


def test_stop_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = y * x  # not recorded: y is treated as its value here
        w = y + z
    # d(y + const)/dx = 2x
    _close(tape.gradient(w, x), 6.0)


def test_reset():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x * x
        tape.reset()
        y = x * x
    _close(tape.gradient(y, x), 4.0)


# -- variables over time ---------------------------------------------------------------------------


def test_variable_read_twice():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        a = v * 2.0
        b = v.read_value() * v
        total = a + b
    _close(tape.gradient(total, v), 2.0 + 2 * 3.0)


def test_gradient_through_assign_follows_reads():
    """TF semantics: gradients flow through the values read, not through assign (which cuts the path)."""
    v = tf.Variable(2.0)
    x = tf.constant(5.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        first = v * v           # read before the assign
        v.assign(x * 3.0)       # assign is not differentiable
        second = v * 10.0       # read after: a new value
        total = first + second
    _close(tape.gradient(first, v), 4.0)
    _close(tape.gradient(second, v), 10.0)
    assert tape.gradient(second, x) is None
    _close(tape.gradient(total, v), 14.0)


def test_tape_after_variable_changed():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    v.assign(100.0)
    # The recorded read was 2.0: the gradient uses the value at recording time.
    _close(tape.gradient(y, v), 4.0)


def test_gradient_inside_recorded_context_is_usable():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * x
        g = tape.gradient(y, x)
    _close(g, 2.0)


def test_gradient_dtype_and_shape_match_sources():
    x = tf.Variable(np.ones((2, 3)))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * x)
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64 and g.shape == [2, 3]


def test_broadcast_gradients_are_reduced():
    b = tf.Variable([1.0, 2.0, 3.0])
    x = tf.constant(np.ones((4, 3), np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x + b)
    _close(tape.gradient(y, b), [4.0, 4.0, 4.0])


# -- tf.custom_gradient ----------------------------------------------------------------------------


@tf.custom_gradient
def log1pexp(x):
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))
    return tf.math.log(1 + e), grad


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # exp(100) in float32 is inf, as in TF
def test_custom_gradient_log1pexp_is_stable():
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    _close(tape.gradient(y, x), 1.0)

    # Without the custom gradient the naive formula gives nan at x=100.
    def naive(x):
        return tf.math.log(1 + tf.exp(x))
    with tf.GradientTape() as tape, np.errstate(invalid="ignore"):
        tape.watch(x)
        y = naive(x)
        g = tape.gradient(y, x)
    assert np.isnan(g.numpy())


def test_custom_gradient_values_and_second_order():
    x = tf.constant(0.5)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = log1pexp(x)
        dy = inner.gradient(y, x)
    s = 1 / (1 + np.exp(-0.5))
    _close(y, np.log1p(np.exp(0.5)))
    _close(dy, s)
    _close(outer.gradient(dy, x), s * (1 - s))


@tf.custom_gradient
def clip_gradient_by_norm(x, norm):
    y = tf.identity(x)

    def grad_fn(dy):
        n = tf.sqrt(tf.reduce_sum(dy * dy))
        return [dy * tf.minimum(1.0, norm / n), None]
    return y, grad_fn


def test_custom_gradient_clip_by_norm():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clip_gradient_by_norm(x, 1.0)
        loss = tf.reduce_sum(y * tf.constant([3.0, 4.0]))
    _close(y, [1.0, 2.0])
    _close(tape.gradient(loss, x), [0.6, 0.8])


def test_custom_gradient_two_inputs():
    @tf.custom_gradient
    def mul(a, b):
        def grad(dy):
            return dy * b * 10.0, dy * a * 100.0  # deliberately scaled to show it is used
        return a * b, grad
    a, b = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = mul(a, b)
    assert y.numpy() == 6.0
    ga, gb = tape.gradient(y, [a, b])
    _close(ga, 30.0)
    _close(gb, 200.0)


def test_custom_gradient_multiple_outputs():
    @tf.custom_gradient
    def split_scale(x):
        def grad(d1, d2):
            return d1 * 2.0 + d2 * 3.0
        return (x * 2.0, x * 3.0), grad
    x = tf.constant(1.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a, b = split_scale(x)
        total = a + b
    _close(tape.gradient(total, x), 5.0)
    _close(tape.gradient(b, x), 3.0)  # the missing upstream gradient arrives as zeros


def test_custom_gradient_fused_second_order():
    """The TF docs' pattern: a nested custom gradient supplies the second derivative of x**3."""
    @tf.custom_gradient
    def cube(x):
        y = x ** 3
        x_grad = 3 * x ** 2

        def first_order_gradient(dy):
            @tf.custom_gradient
            def first_order_custom(unused_x):
                def second_order(ddy):
                    return ddy * 6 * x * 1000.0  # scaled to prove this function is what runs
                return x_grad, second_order
            return dy * first_order_custom(x)
        return y, first_order_gradient
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        dy = inner.gradient(y, x)
    _close(dy, 12.0)
    _close(outer.gradient(dy, x), 12.0 * 1000.0)


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            assert variables == [v]
            return dy * v, [dy * x * 7.0]
        return x * v, grad
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scale(x)
    gx, gv = tape.gradient(y, [x, v])
    _close(gx, 2.0)
    _close(gv, 21.0)


def test_custom_gradient_variables_kwarg_required():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy):
            return dy * v
        return x * v, grad
    with pytest.raises(TypeError, match="grad_fn must accept keyword argument 'variables'"):
        scale(tf.constant(1.0))


def test_custom_gradient_wrong_number_of_gradients():
    @tf.custom_gradient
    def f(a, b):
        return a + b, lambda dy: dy
    a = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = f(a, tf.constant(2.0))
    with pytest.raises(ValueError, match="expected to return 2 gradients"):
        tape.gradient(y, a)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # exp(100) in float32 is inf, as in TF
def test_custom_gradient_inside_function_with_tape():
    @tf.function
    def value_and_grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
        return y, tape.gradient(y, x)
    y, g = value_and_grad(tf.constant(0.0))
    _close(y, np.log(2.0))
    _close(g, 0.5)
    _, g = value_and_grad(tf.constant(100.0))
    _close(g, 1.0)
    assert value_and_grad.experimental_get_tracing_count() == 1


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # exp(100) in float32 is inf, as in TF
def test_custom_gradient_in_function_under_eager_tape():
    """grad_fn closes over graph tensors (e); it is traced with the function so an outer eager tape works."""
    f = tf.function(log1pexp)
    x = tf.constant([0.0, 100.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    _close(tape.gradient(y, x), [0.5, 1.0])
    g = tf.function(lambda x: clip_gradient_by_norm(x, 1.0))
    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    _close(tape.gradient(y, x), [1 / np.sqrt(2), 1 / np.sqrt(2)])
    assert f.experimental_get_tracing_count() == 1


def test_custom_gradient_in_function_second_order_under_eager_tapes():
    f = tf.function(log1pexp)
    x = tf.constant(0.5)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        dy = inner.gradient(y, x)
    s = 1 / (1 + np.exp(-0.5))
    _close(dy, s)
    _close(outer.gradient(dy, x), s * (1 - s))


def test_custom_gradient_in_nested_functions_and_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scale(x):
        y = x * v

        def grad(dy, variables=None):
            return dy * v * 10.0, [dy * x * y]
        return y, grad

    @tf.function
    def inner(x):
        return scale(x)

    @tf.function
    def outer(x):
        return inner(x) + 1.0
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = outer(x)
    _close(out, 7.0)
    gx, gv = tape.gradient(out, [x, v])
    _close(gx, 20.0)
    _close(gv, 3.0 * 6.0)


def test_custom_gradient_untraceable_grad_fn_outside_its_graph_raises_clearly():
    @tf.custom_gradient
    def f(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * float(e.numpy())  # needs a concrete value: cannot be traced in advance
        return e, grad
    g = tf.function(f)
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = g(x)
    with pytest.raises(tf.errors.UnimplementedError, match="outside of the tf.function graph"):
        tape.gradient(y, x)
    with tf.GradientTape() as tape:  # eagerly it works
        tape.watch(x)
        y = f(x)
    _close(tape.gradient(y, x), np.e)


def test_custom_gradient_forward_without_tape():
    _close(log1pexp(tf.constant(0.0)), np.log(2.0))
    assert log1pexp.__name__ == "log1pexp"


def test_output_gradients_forms():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 3.0
        z = tf.reduce_sum(x)
    _close(tape.gradient(y, x, output_gradients=[1.0, 2.0]), [3.0, 6.0])  # a list is one gradient for one target
    _close(tape.gradient(y, x, output_gradients=[tf.constant([2.0, 2.0])]), [6.0, 6.0])
    _close(tape.gradient([y, z], x, output_gradients=[tf.constant([1.0, 0.0]), None]), [4.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="entries"):
        tape.gradient([y, z], x, output_gradients=[tf.constant([1.0, 0.0])])
