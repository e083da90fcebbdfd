"""tf.compat.v1: graphs, Session.run (fetch structures, feeds, pruning), placeholders, variables and their
initialization, gradients vs finite differences, optimizers, data iterators, summaries, and eager restoration.

Graphs are built under `with tf1.Graph().as_default():`, which leaves the process eager outside the block;
the one test of disable_eager_execution restores eager mode in a finally block.
"""
import collections
import os

import numpy as np
import pytest

import webtensor
import webtensor.compat.v1 as tf1


@pytest.fixture
def graph():
    g = tf1.Graph()
    with g.as_default():
        yield g
    assert webtensor.executing_eagerly()


# -- building and printing ------------------------------------------------------------------------

def test_tensor_names_and_printing(graph):
    a = tf1.constant(3.0, dtype=tf1.float32)
    b = tf1.constant(4.0)
    total = a + b
    x = tf1.placeholder(tf1.float32, shape=[None, 3])
    assert str(a) == 'Tensor("Const:0", shape=(), dtype=float32)'
    assert repr(b) == 'Tensor("Const_1:0", shape=(), dtype=float32)'
    assert str(total) == 'Tensor("add:0", shape=(), dtype=float32)'
    assert str(x) == 'Tensor("Placeholder:0", shape=(?, 3), dtype=float32)'
    assert total.op.name == "add" and total.graph is graph and total.op.inputs == (a, b)
    assert graph.get_tensor_by_name("add:0") is total
    assert not webtensor.executing_eagerly() and not tf1.executing_eagerly()
    assert tf1.get_default_graph() is graph


def test_ops_of_another_graph_are_rejected(graph):
    a = tf1.constant(1.0)
    with tf1.Graph().as_default():
        with pytest.raises(ValueError, match="same graph"):
            a + tf1.constant(2.0)


# -- Session.run --------------------------------------------------------------------------------

def test_fetch_structures(graph):
    a, b = tf1.constant(3.0), tf1.constant(4.0)
    total = a + b
    noop = tf1.no_op()
    Pair = collections.namedtuple("Pair", ["x", "y"])
    with tf1.Session() as sess:
        assert sess.run(total) == 7.0
        assert isinstance(sess.run(total), np.float32)
        got = sess.run({"ab": (a, b), "total": total, "list": [a, [b]], "pair": Pair(a, total), "op": noop})
        assert got == {"ab": (3.0, 4.0), "total": 7.0, "list": [3.0, [4.0]], "pair": Pair(3.0, 7.0), "op": None}
        assert isinstance(got["ab"], tuple) and isinstance(got["pair"], Pair)
        assert sess.run(["add:0", "Const"]) == [7.0, None]
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(3)
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(total)


def test_feeds_any_tensor_and_prunes_unneeded_nodes(graph):
    x = tf1.placeholder(tf1.float32, name="x")
    unused = tf1.placeholder(tf1.float32, name="unused")
    c = tf1.constant(2.0)
    y = x * c
    z = y + unused
    sess = tf1.Session()
    assert sess.run(y, {x: 3}) == 6.0                       # `unused` is not fed and not needed
    assert sess.run(y, feed_dict={c: 10.0, x: 3}) == 30.0  # a constant can be fed like a placeholder
    assert sess.run(z, {y: np.float32(1.0), unused: 2.0}) == 3.0   # feeding y cuts x off
    np.testing.assert_array_equal(sess.run(y, {x: np.array([1, 2], np.int64)}), [2.0, 4.0])
    with pytest.raises(webtensor.errors.InvalidArgumentError,
                       match="You must feed a value for placeholder tensor 'unused' with dtype float"):
        sess.run(z, {x: 1.0})


def test_placeholder_shape_checks_and_unfed_message(graph):
    x = tf1.placeholder(tf1.float32, shape=[None, 3])
    y = tf1.reduce_sum(x, axis=1)
    sess = tf1.Session()
    np.testing.assert_array_equal(sess.run(y, {x: [[1, 2, 3], [4, 5, 6]]}), [6.0, 15.0])
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for Tensor 'Placeholder:0', which "
                                         r"has shape '\(\?, 3\)'"):
        sess.run(y, {x: [1.0, 2.0]})
    with pytest.raises(webtensor.errors.InvalidArgumentError) as info:
        sess.run(y)
    assert str(info.value).startswith("You must feed a value for placeholder tensor 'Placeholder' with dtype "
                                      "float and shape [?,3]")


def test_random_ops_draw_once_per_run(graph):
    vec = tf1.random_uniform(shape=(3,))
    out1, out2 = vec + 1, vec + 2
    sess = tf1.Session()
    v, o1, o2 = sess.run((vec, out1, out2))
    np.testing.assert_allclose(o1, v + 1, rtol=1e-6)
    np.testing.assert_allclose(o2, v + 2, rtol=1e-6)
    assert not np.allclose(sess.run(vec), sess.run(vec))
    n = tf1.random_normal([1000], mean=2.0, stddev=0.5)
    s = sess.run(n)
    assert abs(s.mean() - 2.0) < 0.1 and abs(s.std() - 0.5) < 0.1


def test_default_sessions_eval_and_run(graph):
    a = tf1.constant([1.0, 2.0])
    v = tf1.Variable([5.0, 6.0])
    with pytest.raises(ValueError, match="No default session"):
        a.eval()
    with tf1.Session() as sess:
        assert tf1.get_default_session() is sess
        v.initializer.run()
        np.testing.assert_array_equal(a.eval(), [1.0, 2.0])
        np.testing.assert_array_equal(v.eval(), [5.0, 6.0])
    assert tf1.get_default_session() is None
    isess = tf1.InteractiveSession()
    try:
        tf1.global_variables_initializer().run()
        np.testing.assert_array_equal((a * 2).eval(), [2.0, 4.0])
    finally:
        isess.close()
    assert tf1.get_default_session() is None


def test_control_dependencies_and_group(graph):
    v = tf1.Variable(0.0)
    inc = tf1.assign_add(v, 1.0)
    with tf1.control_dependencies([inc]):
        after = tf1.identity(tf1.constant(5.0))
    both = tf1.group(tf1.assign_add(v, 10.0), tf1.assign_add(v, 100.0))
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    assert sess.run(after) == 5.0
    assert sess.run(v) == 1.0
    assert sess.run(both) is None
    assert sess.run(v) == 111.0


# -- variables ------------------------------------------------------------------------------------

def test_uninitialized_variables_and_per_session_values(graph):
    v = tf1.Variable(tf1.constant([1.0, 2.0]), name="v")
    double = v * 2
    assign = v.assign([10.0, 20.0])
    s1, s2 = tf1.Session(), tf1.Session()
    with pytest.raises(webtensor.errors.FailedPreconditionError, match="Attempting to use uninitialized value v"):
        s1.run(double)
    s1.run(tf1.global_variables_initializer())
    np.testing.assert_array_equal(s1.run(double), [2.0, 4.0])
    np.testing.assert_array_equal(s1.run(assign), [10.0, 20.0])     # an assign gives the new value
    np.testing.assert_array_equal(s1.run(v), [10.0, 20.0])
    with pytest.raises(webtensor.errors.FailedPreconditionError):
        s2.run(v)                                                     # values live per session
    s2.run(v.initializer)
    np.testing.assert_array_equal(s2.run(v), [1.0, 2.0])
    assert [x.name for x in tf1.global_variables()] == ["v:0"]
    assert tf1.trainable_variables() == tf1.global_variables()
    assert list(s1.run(tf1.report_uninitialized_variables())) == []
    assert list(tf1.Session().run(tf1.report_uninitialized_variables())) == [b"v"]
    assert s1.run(tf1.is_variable_initialized(v))


def test_variable_initial_value_from_random_op_is_fresh_per_initializer_run(graph):
    v = tf1.Variable(tf1.random_normal([4]))
    sess = tf1.Session()
    sess.run(v.initializer)
    first = sess.run(v)
    np.testing.assert_array_equal(sess.run(v), first)   # reading does not redraw
    sess.run(v.initializer)
    assert not np.allclose(sess.run(v), first)


def test_get_variable_and_variable_scope(graph):
    with tf1.variable_scope("layer"):
        w = tf1.get_variable("w", shape=[2, 3], initializer=tf1.zeros_initializer())
        u = tf1.get_variable("u", shape=[3], dtype=tf1.float64)
    assert w.name == "layer/w:0" and u.dtype == tf1.float64
    with pytest.raises(ValueError, match="Variable layer/w already exists, disallowed"):
        with tf1.variable_scope("layer"):
            tf1.get_variable("w", shape=[2, 3])
    with tf1.variable_scope("layer", reuse=True):
        assert tf1.get_variable("w") is w
        with pytest.raises(ValueError, match="Variable layer/nope does not exist"):
            tf1.get_variable("nope", shape=[1])
    with tf1.variable_scope("layer", reuse=tf1.AUTO_REUSE):
        assert tf1.get_variable("w", shape=[2, 3]) is w
        fresh = tf1.get_variable("fresh", shape=[1], initializer=tf1.constant_initializer(7.0))
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(w), np.zeros((2, 3)))
    assert sess.run(fresh)[0] == 7.0
    glorot = sess.run(u)
    limit = np.sqrt(6.0 / (3 + 3))   # fans of a [3] shape
    assert glorot.dtype == np.float64 and np.all(np.abs(glorot) <= limit)


# -- gradients and training -------------------------------------------------------------------------

def _numeric_grad(sess, f, x, x0, feed):
    g = np.zeros_like(x0)
    eps = 1e-6
    for i in np.ndindex(x0.shape):
        plus, minus = x0.copy(), x0.copy()
        plus[i] += eps
        minus[i] -= eps
        g[i] = (sess.run(f, {**feed, x: plus}) - sess.run(f, {**feed, x: minus})) / (2 * eps)
    return g


def test_gradients_match_finite_differences(graph):
    rng = np.random.default_rng(0)
    x = tf1.placeholder(tf1.float64, shape=[3, 4])
    w = tf1.placeholder(tf1.float64, shape=[4, 2])
    h = tf1.tanh(tf1.matmul(x, w))
    f = tf1.reduce_sum(h * h * x[:, :2]) + tf1.reduce_mean(tf1.exp(x) / (1.0 + w[0, 0] ** 2))
    gx, gw = tf1.gradients(f, [x, w])
    assert gx.shape.as_list() == [3, 4] and gw.shape.as_list() == [4, 2]
    sess = tf1.Session()
    x0, w0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    got_x, got_w = sess.run([gx, gw], {x: x0, w: w0})
    np.testing.assert_allclose(got_x, _numeric_grad(sess, f, x, x0, {w: w0}), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got_w, _numeric_grad(sess, f, w, w0, {x: x0}), rtol=1e-5, atol=1e-7)
    unrelated = tf1.placeholder(tf1.float64)
    assert tf1.gradients(f, [unrelated]) == [None]


def test_gradients_of_variables_sum_over_reads_and_grad_ys(graph):
    v = tf1.Variable(3.0)
    y = v * v + 2.0 * v             # two reads of v
    (g,) = tf1.gradients(y, [v])
    (g2,) = tf1.gradients(y, v, grad_ys=tf1.constant(10.0))
    sess = tf1.Session()
    sess.run(v.initializer)
    assert sess.run(g) == 8.0 and sess.run(g2) == 80.0


def test_gradient_descent_step_matches_numpy(graph):
    x = tf1.constant([[1.0], [2.0], [3.0], [4.0]])
    y_true = tf1.constant([[0.0], [-1.0], [-2.0], [-3.0]])
    w = tf1.Variable([[0.5]])
    b = tf1.Variable([0.1])
    loss = tf1.losses.mean_squared_error(labels=y_true, predictions=tf1.matmul(x, w) + b)
    step = tf1.train.GradientDescentOptimizer(0.01).minimize(loss)
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    xs, ys = np.array([[1.0], [2], [3], [4]]), np.array([[0.0], [-1], [-2], [-3]])
    wn, bn = 0.5, 0.1
    for _ in range(3):
        _, l = sess.run((step, loss))
        err = xs * wn + bn - ys
        assert l == pytest.approx(np.mean(err ** 2), rel=1e-5)
        wn, bn = wn - 0.01 * np.mean(2 * err * xs), bn - 0.01 * np.mean(2 * err)
    np.testing.assert_allclose(sess.run(w), [[wn]], rtol=1e-5)
    np.testing.assert_allclose(sess.run(b), [bn], rtol=1e-5)


def test_adam_matches_tf1_update_rule(graph):
    v = tf1.Variable([1.0, -2.0])
    loss = tf1.reduce_sum(tf1.square(v))
    gs = tf1.train.get_or_create_global_step()
    step = tf1.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    x, m, s = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 4):
        sess.run(step)
        g = 2 * x
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        lr = 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        x = x - lr * m / (np.sqrt(s) + 1e-8)
    np.testing.assert_allclose(sess.run(v), x, rtol=1e-5)
    assert sess.run(gs) == 3


def test_dense_layer_variables_are_graph_variables(graph):
    x = tf1.placeholder(tf1.float32, shape=[None, 3])
    layer = tf1.layers.Dense(units=2, activation=tf1.nn.relu)
    y = layer(x)
    assert y.shape.as_list() == [None, 2]
    assert [v.name for v in tf1.trainable_variables()] == [v.name for v in layer.weights]
    assert [tuple(v.shape.as_list()) for v in layer.weights] == [(3, 2), (2,)]
    sess = tf1.Session()
    with pytest.raises(webtensor.errors.FailedPreconditionError):
        sess.run(y, {x: np.ones((1, 3))})
    sess.run(tf1.global_variables_initializer())
    kernel, bias = sess.run(layer.weights)
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(sess.run(y, {x: xv}), np.maximum(xv @ kernel + bias, 0), rtol=1e-5)


def test_cond_inside_a_graph(graph):
    x = tf1.placeholder(tf1.float32)
    v = tf1.Variable(10.0)
    y = tf1.cond(x > 0, lambda: x * v, lambda: x - v)
    sess = tf1.Session()
    sess.run(v.initializer)
    assert sess.run(y, {x: 2.0}) == 20.0
    assert sess.run(y, {x: -2.0}) == -12.0


# -- data, summaries, feature columns --------------------------------------------------------------

def test_iterators(graph):
    ds = tf1.data.Dataset.from_tensor_slices(np.arange(6)).batch(4)
    nxt = tf1.data.make_one_shot_iterator(ds).get_next()
    sess = tf1.Session()
    np.testing.assert_array_equal(sess.run(nxt), [0, 1, 2, 3])
    np.testing.assert_array_equal(sess.run(nxt), [4, 5])
    with pytest.raises(webtensor.errors.OutOfRangeError):
        sess.run(nxt)
    limit = tf1.placeholder(tf1.int64, shape=[])
    it = tf1.data.Dataset.range(limit).map(lambda i: (i, i * 2)).make_initializable_iterator()
    a, b = it.get_next()
    with pytest.raises(webtensor.errors.FailedPreconditionError, match="not been initialized"):
        sess.run(a)
    sess.run(it.initializer, {limit: 2})
    assert sess.run([a, b]) == [0, 0]
    assert sess.run([a, b]) == [1, 2]
    sess.run(it.initializer, {limit: 1})   # re-initializing restarts
    assert sess.run(a) == 0
    with pytest.raises(webtensor.errors.OutOfRangeError):
        sess.run(b)


def test_file_writer_graph_and_summaries(graph, tmp_path):
    from webtensor.summary import graph_def, read_events
    x = tf1.placeholder(tf1.float32, name="x")
    loss = tf1.square(x)
    tf1.summary.scalar("loss", loss)
    merged = tf1.summary.merge_all()
    writer = tf1.summary.FileWriter(str(tmp_path), graph=graph)
    sess = tf1.Session()
    for step in range(3):
        writer.add_summary(sess.run(merged, {x: float(step)}), step)
    writer.close()
    (path,) = [os.path.join(tmp_path, f) for f in os.listdir(tmp_path)]
    events = list(read_events(path))
    names = [n.name for n in graph_def.decode_graph_def([e for e in events if e.graph_def][0].graph_def)]
    assert "x" in names
    scalars = [(e.step, v.simple_value) for e in events if e.summary for v in e.summary if v.tag == "loss"]
    assert scalars == [(0, 0.0), (1, 1.0), (2, 4.0)]


def test_feature_columns_input_layer(graph):
    features = {"sales": [[5], [10], [8], [9]], "department": ["sports", "sports", "gardening", "other"]}
    dept = tf1.feature_column.categorical_column_with_vocabulary_list("department", ["sports", "gardening"])
    inputs = tf1.feature_column.input_layer(
        features, [tf1.feature_column.numeric_column("sales"), tf1.feature_column.indicator_column(dept)])
    sess = tf1.Session()
    sess.run((tf1.global_variables_initializer(), tf1.tables_initializer()))
    np.testing.assert_array_equal(sess.run(inputs), [[1, 0, 5], [1, 0, 10], [0, 1, 8], [0, 0, 9]])


# -- eager mode is restored --------------------------------------------------------------------------

def test_disable_and_enable_eager_execution():
    assert webtensor.executing_eagerly()
    try:
        tf1.disable_eager_execution()
        tf1.reset_default_graph()
        c = tf1.constant(2.0) * 3.0
        assert str(c).startswith('Tensor("mul') and not webtensor.executing_eagerly()
        assert tf1.Session().run(c) == 6.0
    finally:
        tf1.enable_eager_execution()
    assert webtensor.executing_eagerly() and tf1.executing_eagerly()
    t = webtensor.constant(2.0) * 3.0
    assert float(t.numpy()) == 6.0
    v = tf1.Variable(1.0)         # eager compat.v1 variables are plain variables
    v.assign_add(1.0)
    assert float(v.numpy()) == 2.0


def test_compat_v2_is_the_top_level_namespace():
    import webtensor.compat.v2 as v2
    assert v2 is webtensor and webtensor.compat.v2.constant is webtensor.constant
    assert tf1.matmul is webtensor.matmul and tf1.reduce_sum is webtensor.reduce_sum
    assert tf1.log is webtensor.math.log and tf1.div is webtensor.math.divide
