"""Seed 001, TensorFlow's r1 "low level APIs" guide (low_level_intro), run as written with
`tf = webtensor.compat.v1` after `tf.disable_eager_execution()`.

The walkthrough runs once in a subprocess (graph mode is process-wide), printing
what the guide prints and saving the values it shows; the tests check both.
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

# The guide's code, in order. The page text lost the `sess.run(...)` calls; they are restored from the r1
# guide. `R[...] = ...` lines (not in the guide) record the values the guide shows, for the assertions.
WALKTHROUGH = '''
import json
import numpy as np
import webtensor.compat.v1 as tf
tf.disable_eager_execution()
R = {}

a = tf.constant(3.0, dtype=tf.float32)
b = tf.constant(4.0) # also tf.float32 implicitly
total = a + b
print(a)
print(b)
print(total)

writer = tf.summary.FileWriter('.')
writer.add_graph(tf.get_default_graph())
writer.flush()

sess = tf.Session()
print(sess.run(total))
R["total"] = float(sess.run(total))

print(sess.run({'ab':(a, b), 'total':total}))
out = sess.run({'ab':(a, b), 'total':total})
R["dict"] = {"ab": [type(out["ab"]).__name__, [float(v) for v in out["ab"]]], "total": float(out["total"])}

vec = tf.random_uniform(shape=(3,))
out1 = vec + 1
out2 = vec + 2
R["vec"] = [sess.run(vec).tolist(), sess.run(vec).tolist()]
print(R["vec"][0])
print(R["vec"][1])
pair = sess.run((out1, out2))
print(pair)
R["out12"] = [pair[0].tolist(), pair[1].tolist()]

x = tf.placeholder(tf.float32)
y = tf.placeholder(tf.float32)
z = x + y
print(sess.run(z, feed_dict={x: 3, y: 4.5}))
print(sess.run(z, feed_dict={x: [1, 3], y: [2, 4]}))
R["z"] = [float(sess.run(z, feed_dict={x: 3, y: 4.5})), sess.run(z, feed_dict={x: [1, 3], y: [2, 4]}).tolist()]

my_data = [
    [0, 1,],
    [2, 3,],
    [4, 5,],
    [6, 7,],
]
slices = tf.data.Dataset.from_tensor_slices(my_data)
next_item = slices.make_one_shot_iterator().get_next()

R["items"] = []
while True:
  try:
    item = sess.run(next_item)
    print(item)
    R["items"].append(item.tolist())
  except tf.errors.OutOfRangeError:
    break

r = tf.random_normal([10,3])
dataset = tf.data.Dataset.from_tensor_slices(r)
iterator = dataset.make_initializable_iterator()
next_row = iterator.get_next()

sess.run(iterator.initializer)
R["rows"] = []
while True:
  try:
    row = sess.run(next_row)
    print(row)
    R["rows"].append(row.tolist())
  except tf.errors.OutOfRangeError:
    break

x = tf.placeholder(tf.float32, shape=[None, 3])
linear_model = tf.layers.Dense(units=1)
y = linear_model(x)

init = tf.global_variables_initializer()
sess.run(init)

print(sess.run(y, {x: [[1, 2, 3],[4, 5, 6]]}))
R["dense"] = sess.run(y, {x: [[1, 2, 3],[4, 5, 6]]}).tolist()
R["dense_weights"] = [w.tolist() for w in sess.run(linear_model.weights)]

x = tf.placeholder(tf.float32, shape=[None, 3])
y = tf.layers.dense(x, units=1)

init = tf.global_variables_initializer()
sess.run(init)

print(sess.run(y, {x: [[1, 2, 3], [4, 5, 6]]}))
R["dense_fn"] = sess.run(y, {x: [[1, 2, 3], [4, 5, 6]]}).tolist()

features = {
    'sales' : [[5], [10], [8], [9]],
    'department': ['sports', 'sports', 'gardening', 'gardening']}

department_column = tf.feature_column.categorical_column_with_vocabulary_list(
        'department', ['sports', 'gardening'])
department_column = tf.feature_column.indicator_column(department_column)

columns = [
    tf.feature_column.numeric_column('sales'),
    department_column
]

inputs = tf.feature_column.input_layer(features, columns)

var_init = tf.global_variables_initializer()
table_init = tf.tables_initializer()
sess = tf.Session()
R["init_pair"] = repr(sess.run((var_init, table_init)))

print(sess.run(inputs))
R["inputs"] = sess.run(inputs).tolist()

x = tf.constant([[1], [2], [3], [4]], dtype=tf.float32)
y_true = tf.constant([[0], [-1], [-2], [-3]], dtype=tf.float32)

linear_model = tf.layers.Dense(units=1)

y_pred = linear_model(x)

sess = tf.Session()
init = tf.global_variables_initializer()
sess.run(init)

print(sess.run(y_pred))
R["y_pred0"] = sess.run(y_pred).tolist()

loss = tf.losses.mean_squared_error(labels=y_true, predictions=y_pred)

print(sess.run(loss))
R["loss0"] = float(sess.run(loss))

optimizer = tf.train.GradientDescentOptimizer(0.01)
train = optimizer.minimize(loss)

R["losses"] = []
for i in range(100):
  _, loss_value = sess.run((train, loss))
  print(loss_value)
  R["losses"].append(float(loss_value))

print(sess.run(y_pred))
R["y_pred"] = sess.run(y_pred).tolist()

# Complete program
tf.reset_default_graph()
x = tf.constant([[1], [2], [3], [4]], dtype=tf.float32)
y_true = tf.constant([[0], [-1], [-2], [-3]], dtype=tf.float32)

linear_model = tf.layers.Dense(units=1)

y_pred = linear_model(x)
loss = tf.losses.mean_squared_error(labels=y_true, predictions=y_pred)

optimizer = tf.train.GradientDescentOptimizer(0.01)
train = optimizer.minimize(loss)

init = tf.global_variables_initializer()

sess = tf.Session()
sess.run(init)
R["complete"] = []
for i in range(100):
  _, loss_value = sess.run((train, loss))
  R["complete"].append(float(loss_value))
  print(loss_value)

print(sess.run(y_pred))
R["complete_pred"] = sess.run(y_pred).tolist()
R["complete_weights"] = [w.tolist() for w in sess.run(linear_model.weights)]

with open("results.json", "w") as f:
    json.dump(R, f)
'''


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory):
    work = tmp_path_factory.mktemp("seed001")
    (work / "guide.py").write_text(textwrap.dedent(WALKTHROUGH))
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), os.pardir, "pkg")
    env["PYTHONPATH"] = os.path.abspath(src) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "guide.py"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads((work / "results.json").read_text())
    return proc.stdout, results, work


def test_tensor_printing_and_session_run(walkthrough):
    out, r, _ = walkthrough
    lines = out.splitlines()
    assert lines[:4] == ['Tensor("Const:0", shape=(), dtype=float32)',
                         'Tensor("Const_1:0", shape=(), dtype=float32)',
                         'Tensor("add:0", shape=(), dtype=float32)',
                         '7.0']
    assert r["total"] == 7.0
    assert r["dict"] == {"ab": ["tuple", [3.0, 4.0]], "total": 7.0}


def test_tensorboard_event_file_holds_the_graph(walkthrough):
    from webtensor.summary import graph_def, proto, read_events
    _, _, work = walkthrough
    files = [f for f in os.listdir(work) if f.startswith("events.out.tfevents.")]
    assert len(files) == 1
    events = list(read_events(str(work / files[0])))
    graphs = [e.graph_def for e in events if e.graph_def is not None]
    assert len(graphs) == 1
    nodes = graph_def.decode_graph_def(graphs[0])
    assert [(n.name, n.op) for n in nodes] == [("Const", "Const"), ("Const_1", "Const"), ("add", "AddV2")]
    assert nodes[2].inputs == ["Const", "Const_1"]
    assert proto is not None


def test_random_values_differ_between_runs_and_agree_within_one(walkthrough):
    _, r, _ = walkthrough
    first, second = np.array(r["vec"][0]), np.array(r["vec"][1])
    assert first.shape == (3,) and np.all((first >= 0) & (first < 1)) and np.all((second >= 0) & (second < 1))
    assert not np.allclose(first, second)
    out1, out2 = np.array(r["out12"][0]), np.array(r["out12"][1])
    np.testing.assert_allclose(out2 - out1, np.ones(3), rtol=1e-6)   # the same vec in both fetches
    assert np.all((out1 >= 1) & (out1 < 2))


def test_placeholders(walkthrough):
    out, r, _ = walkthrough
    assert r["z"] == [7.5, [3.0, 7.0]]
    assert "7.5\n[3. 7.]\n" in out


def test_one_shot_iterator_until_out_of_range(walkthrough):
    out, r, _ = walkthrough
    assert r["items"] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert "[0 1]\n[2 3]\n[4 5]\n[6 7]\n" in out


def test_initializable_iterator_over_a_random_tensor(walkthrough):
    _, r, _ = walkthrough
    rows = np.array(r["rows"])
    assert rows.shape == (10, 3)
    assert len({tuple(row) for row in rows.tolist()}) == 10
    assert abs(rows.mean()) < 1.0 and 0.3 < rows.std() < 2.0


def test_dense_layer(walkthrough):
    _, r, _ = walkthrough
    kernel, bias = (np.array(w, np.float32) for w in r["dense_weights"])
    assert kernel.shape == (3, 1) and bias.shape == (1,)
    x = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    np.testing.assert_allclose(r["dense"], x @ kernel + bias, rtol=1e-5)
    assert np.array(r["dense_fn"]).shape == (2, 1)


def test_feature_columns(walkthrough):
    out, r, _ = walkthrough
    assert r["init_pair"] == "(None, None)"
    assert r["inputs"] == [[1, 0, 5], [1, 0, 10], [0, 1, 8], [0, 1, 9]]
    assert "[[ 1.  0.  5.]\n [ 1.  0. 10.]\n [ 0.  1.  8.]\n [ 0.  1.  9.]]" in out


def test_training_reduces_the_loss(walkthrough):
    _, r, _ = walkthrough
    y_true = np.array([[0], [-1], [-2], [-3]], np.float32)
    loss0 = r["loss0"]
    np.testing.assert_allclose(loss0, np.mean((np.array(r["y_pred0"]) - y_true) ** 2), rtol=1e-5)
    losses = r["losses"]
    assert len(losses) == 100
    assert losses[0] == pytest.approx(loss0, rel=1e-6)  # the fetched loss is computed before the update
    assert losses[-1] < losses[0] and losses[-1] < 0.5
    assert all(b <= a + 1e-6 for a, b in zip(losses[5:], losses[6:]))
    complete = r["complete"]
    assert complete[-1] < 0.5 and complete[-1] < complete[0]
    kernel, bias = (np.array(w) for w in r["complete_weights"])
    x = np.array([[1], [2], [3], [4]], np.float32)
    np.testing.assert_allclose(r["complete_pred"], x @ kernel + bias, rtol=1e-5)
