"""tf.keras.metrics: values accumulated over several batches vs numpy, sample weights, reset_state,
use inside tf.function, the compile-time 'accuracy' rule, configs and lookup."""
import numpy as np
import pytest

import webtensor as tf
from webtensor.keras import losses, metrics

rng = np.random.default_rng(1)


def _close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


def _batches(n_batches=3, batch=5, classes=4):
    out = []
    for _ in range(n_batches):
        labels = rng.integers(0, classes, size=batch)
        probs = rng.uniform(size=(batch, classes)).astype(np.float32)
        weights = rng.uniform(0.0, 2.0, size=batch).astype(np.float32)
        out.append((labels, probs, weights))
    return out


# -- Mean / Sum ---------------------------------------------------------------------------------------------

def test_mean_and_sum_accumulate_with_weights():
    m, s = metrics.Mean(), metrics.Sum()
    values, weights = [], []
    for _ in range(3):
        v = rng.normal(size=4).astype(np.float32)
        w = rng.uniform(size=4).astype(np.float32)
        m.update_state(v, sample_weight=w)
        s.update_state(v, sample_weight=w)
        values.append(v)
        weights.append(w)
    v, w = np.concatenate(values), np.concatenate(weights)
    _close(m.result(), (v * w).sum() / w.sum(), rtol=1e-5)
    _close(s.result(), (v * w).sum(), rtol=1e-5)
    m.reset_state()
    s.reset_state()
    _close(m.result(), 0.0)
    _close(s.result(), 0.0)
    assert [x.name for x in m.variables] == ["mean/total:0", "mean/count:0"]
    assert all(not x.trainable for x in m.variables)


def test_mean_reduces_extra_axes_per_sample():
    m = metrics.Mean()
    v = rng.normal(size=(3, 4)).astype(np.float32)
    m.update_state(v)
    _close(m.result(), v.mean(), rtol=1e-5)
    m.reset_state()
    m.update_state(v, sample_weight=[1.0, 0.0, 3.0])
    per = v.mean(-1)
    _close(m.result(), (per[0] + 3 * per[2]) / 4, rtol=1e-5)
    m.reset_state()
    m.update_state(5.0)
    m.update_state(1.0)
    _close(m.result(), 3.0)


def test_mean_metric_wrapper_and_call():
    m = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae")
    y = rng.normal(size=(2, 3)).astype(np.float32)
    p = rng.normal(size=(2, 3)).astype(np.float32)
    first = m(y, p)                     # __call__ updates and returns the result
    _close(first, np.abs(y - p).mean(), rtol=1e-5)
    m.update_state(y[:1], p[:1] + 1.0)
    per = np.concatenate([np.abs(y - p).mean(-1), np.abs(y[:1] - p[:1] - 1.0).mean(-1)])
    _close(m.result(), per.mean(), rtol=1e-5)


# -- accuracy family ----------------------------------------------------------------------------------------

def test_sparse_and_categorical_accuracy_over_batches():
    sparse, cat = metrics.SparseCategoricalAccuracy(), metrics.CategoricalAccuracy()
    weighted = metrics.SparseCategoricalAccuracy(name="weighted")
    hits, ws = [], []
    for labels, probs, w in _batches():
        sparse.update_state(labels, probs)
        cat.update_state(np.eye(4, dtype=np.float32)[labels], probs)
        weighted.update_state(labels[:, None], probs, sample_weight=w)
        hits.append(probs.argmax(-1) == labels)
        ws.append(w)
    h, w = np.concatenate(hits), np.concatenate(ws)
    _close(sparse.result(), h.mean())
    _close(cat.result(), h.mean())
    _close(weighted.result(), (h * w).sum() / w.sum(), rtol=1e-5)


def test_binary_accuracy_threshold_and_accuracy():
    y = np.array([[1.0], [1.0], [0.0], [0.0]], np.float32)
    p = np.array([[0.98], [0.4], [0.0], [0.6]], np.float32)
    _close(metrics.BinaryAccuracy()(y, p), 0.5)
    _close(metrics.BinaryAccuracy(threshold=0.3)(y, p), 0.75)
    _close(metrics.BinaryAccuracy(threshold=0.7)(y, p), 0.75)
    _close(metrics.binary_accuracy(y, p), [1.0, 0.0, 1.0, 0.0])
    _close(metrics.Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]), 0.75)
    with pytest.raises(ValueError, match="threshold"):
        metrics.BinaryAccuracy(threshold=1.5)


def test_top_k_accuracies():
    labels = np.array([2, 1, 0, 3])
    probs = rng.uniform(size=(4, 5)).astype(np.float32)
    rank = (probs > probs[np.arange(4), labels][:, None]).sum(-1)   # how many beat the true class
    for k in (1, 2, 3):
        _close(metrics.SparseTopKCategoricalAccuracy(k=k)(labels, probs), (rank < k).mean())
        _close(metrics.TopKCategoricalAccuracy(k=k)(np.eye(5, dtype=np.float32)[labels], probs), (rank < k).mean())
    assert metrics.TopKCategoricalAccuracy().k == 5


# -- confusion-matrix metrics -------------------------------------------------------------------------------

def test_precision_recall_over_batches_and_thresholds():
    thresholds = [0.3, 0.5, 0.8]
    precision = metrics.Precision(thresholds=thresholds)
    recall = metrics.Recall(thresholds=thresholds)
    single = metrics.Precision()
    ys, ps, ws = [], [], []
    weighted = metrics.Recall(name="weighted_recall")
    for _ in range(3):
        y = (rng.uniform(size=6) > 0.5).astype(np.float32)
        p = rng.uniform(size=6).astype(np.float32)
        w = rng.uniform(size=6).astype(np.float32)
        for m in (precision, recall, single):
            m.update_state(y, p)
        weighted.update_state(y, p, sample_weight=w)
        ys.append(y)
        ps.append(p)
        ws.append(w)
    y, p, w = (np.concatenate(a) for a in (ys, ps, ws))
    pos = y > 0
    for i, t in enumerate(thresholds):
        pred = p > t
        _close(precision.result()[i], (pred & pos).sum() / max(pred.sum(), 1), rtol=1e-5)
        _close(recall.result()[i], (pred & pos).sum() / pos.sum(), rtol=1e-5)
    _close(single.result(), ((p > 0.5) & pos).sum() / max((p > 0.5).sum(), 1), rtol=1e-5)
    _close(weighted.result(), (w * ((p > 0.5) & pos)).sum() / (w * pos).sum(), rtol=1e-5)
    precision.reset_state()
    _close(precision.result(), [0.0, 0.0, 0.0])


def test_precision_top_k_and_class_id():
    y = np.array([[0, 0, 1, 1], [1, 0, 0, 0]], np.float32)
    p = np.array([[0.1, 0.9, 0.8, 0.3], [0.6, 0.7, 0.2, 0.1]], np.float32)
    # top_k=2: predicted positives are the two largest per row: {1, 2} and {0, 1}
    _close(metrics.Precision(top_k=2)(y, p), 2 / 4)
    _close(metrics.Recall(top_k=2)(y, p), 2 / 3)
    # class_id=2: only column 2 counts (predictions 0.8 and 0.2 against labels 1 and 0)
    _close(metrics.Precision(class_id=2)(y, p), 1.0)
    _close(metrics.Recall(class_id=3)(y, p), 0.0)


def test_confusion_counts_and_auc():
    y = np.array([0, 0, 1, 1, 1, 0], np.float32)
    p = np.array([0.1, 0.6, 0.7, 0.4, 0.9, 0.2], np.float32)
    _close(metrics.TruePositives()(y, p), 2)
    _close(metrics.FalsePositives()(y, p), 1)
    _close(metrics.TrueNegatives()(y, p), 2)
    _close(metrics.FalseNegatives()(y, p), 1)
    _close(metrics.AUC(num_thresholds=3)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]), 0.75)
    # with many thresholds the ROC AUC approaches the rank statistic
    yy = (rng.uniform(size=200) > 0.5).astype(np.float32)
    pp = np.clip(yy * 0.3 + rng.uniform(size=200) * 0.7, 0, 1).astype(np.float32)
    pos, neg = pp[yy > 0], pp[yy == 0]
    exact = (pos[:, None] > neg[None, :]).mean()
    _close(metrics.AUC(num_thresholds=1000)(yy, pp), exact, atol=5e-3)
    pr = metrics.AUC(curve="PR", num_thresholds=500)(yy, pp)
    assert 0.5 < float(pr) <= 1.0


# -- regression metrics -------------------------------------------------------------------------------------

def test_regression_metrics_over_batches():
    mse, mae, rmse = metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError()
    errs = []
    for _ in range(3):
        y = rng.normal(size=(4, 2)).astype(np.float32)
        p = rng.normal(size=(4, 2)).astype(np.float32)
        for m in (mse, mae, rmse):
            m.update_state(y, p)
        errs.append(p - y)
    e = np.concatenate(errs)
    _close(mse.result(), (e ** 2).mean(), rtol=1e-5)
    _close(mae.result(), np.abs(e).mean(), rtol=1e-5)
    _close(rmse.result(), np.sqrt((e ** 2).mean()), rtol=1e-5)
    _close(metrics.CosineSimilarity()([[0.0, 1.0]], [[0.0, 3.0]]), 1.0)


# -- inside tf.function -------------------------------------------------------------------------------------

def test_metrics_update_inside_tf_function():
    acc = metrics.SparseCategoricalAccuracy()
    mean = metrics.Mean()
    prec = metrics.Precision()

    @tf.function
    def step(labels, probs):
        acc.update_state(labels, probs)
        mean.update_state(tf.reduce_max(probs, axis=-1))
        prec.update_state(tf.cast(tf.equal(labels, 0), tf.float32), probs[:, 0])
        return acc.result()

    hits, maxes, pos, pred = [], [], [], []
    for labels, probs, _ in _batches(batch=6):
        out = step(tf.constant(labels), tf.constant(probs))
        hits.append(probs.argmax(-1) == labels)
        maxes.append(probs.max(-1))
        pos.append(labels == 0)
        pred.append(probs[:, 0] > 0.5)
        _close(out, np.concatenate(hits).mean())
    assert step.experimental_get_tracing_count() == 1
    _close(mean.result(), np.concatenate(maxes).mean(), rtol=1e-5)
    pos, pred = np.concatenate(pos), np.concatenate(pred)
    _close(prec.result(), (pos & pred).sum() / max(pred.sum(), 1), rtol=1e-5)

    @tf.function
    def reset():
        acc.reset_state()

    reset()
    _close(acc.result(), 0.0)


def test_metric_with_unknown_batch_dimension():
    mean = metrics.MeanSquaredError()

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None, 2], tf.float32)])
    def step(y, p):
        mean.update_state(y, p)
        return mean.result()

    y = rng.normal(size=(3, 2)).astype(np.float32)
    p = rng.normal(size=(3, 2)).astype(np.float32)
    step(y, p)
    out = step(y[:1], p[:1])
    e = np.concatenate([p - y, p[:1] - y[:1]])
    _close(out, (e ** 2).mean(), rtol=1e-5)


def test_custom_metric_subclass():
    class CountPositive(metrics.Metric):
        def __init__(self, name="count_positive", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_variable((), "zeros", name="count")

        def update_state(self, values):
            self.count.assign_add(tf.reduce_sum(tf.cast(tf.greater(values, 0.0), self.dtype)))

        def result(self):
            return tf.identity(self.count)

    m = CountPositive()
    m.update_state([1.0, -2.0, 3.0])
    m.update_state([4.0])
    _close(m.result(), 3.0)
    m.reset_state()
    _close(m.result(), 0.0)


# -- lookup, 'accuracy' resolution, configs -----------------------------------------------------------------

def test_accuracy_resolution_rule():
    assert isinstance(metrics.resolve_accuracy((None, 1), (None, 1)), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve_accuracy((None,), (None, 1)), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve_accuracy((None,), (None, 10)), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve_accuracy((None, 1), (None, 10)), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.resolve_accuracy((None, 10), (None, 10)), metrics.CategoricalAccuracy)
    # unknown last dimension: the loss decides
    assert isinstance(metrics.resolve_accuracy((None, None), (None, None), loss="binary_crossentropy"),
                      metrics.BinaryAccuracy)
    m = metrics.resolve("acc", (None,), (None, 3))
    assert isinstance(m, metrics.SparseCategoricalAccuracy) and m.name == "acc"


def test_get_and_resolve():
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert metrics.get(metrics.categorical_accuracy) is metrics.categorical_accuracy
    r = metrics.resolve("mse")
    assert isinstance(r, metrics.MeanSquaredError) and r.name == "mse"
    wrapped = metrics.resolve(metrics.sparse_top_k_categorical_accuracy)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "sparse_top_k_categorical_accuracy"
    with pytest.raises(ValueError, match="Could not interpret metric"):
        metrics.get("no_such_metric")


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="m"), metrics.Sum(), metrics.BinaryAccuracy(threshold=0.7), metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=3), metrics.Precision(thresholds=[0.2, 0.4]),
    metrics.Recall(top_k=2, class_id=1), metrics.AUC(num_thresholds=50, curve="PR"), metrics.MeanSquaredError(),
    metrics.RootMeanSquaredError(), metrics.BinaryCrossentropy(from_logits=True),
    metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae"),
], ids=lambda x: type(x).__name__)
def test_config_round_trip(metric):
    config = metric.get_config()
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric)
    assert again.get_config() == config
