"""Confusion-matrix metrics: true/false positive/negative counts, Precision, Recall and AUC.

Predictions above a threshold count as positive; labels are positive when non-zero.
"""
from ...core.tensor import constant
from ...ops import indexing_ops as _i
from ...ops import math_ops as _m
from ...ops import reduction_ops as _r
from ...ops import shape_ops as _s
from ...ops import sort_ops as _sort
from .. import backend
from .. import losses as _losses
from .metric import Metric

NEG_INF = -1e10


def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [default]
    values = [float(t) for t in _to_list(thresholds)]
    bad = [t for t in values if not 0 <= t <= 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return values


def _filter_top_k(x, k):
    """x with everything but the k largest entries of each row set to NEG_INF."""
    _, indices = _sort.top_k(x, k)
    keep = _r.reduce_sum(_i.one_hot(indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * keep + NEG_INF * (1.0 - keep)


def update_confusion_matrix(variables, y_true, y_pred, thresholds, top_k=None, class_id=None, sample_weight=None):
    """Adds this batch's weighted counts to variables {'tp'|'fp'|'tn'|'fn': variable of shape [thresholds]}."""
    dtype = next(iter(variables.values())).dtype
    y_pred = _losses._to_float(y_pred, dtype)
    y_true = _losses._to_float(y_true, dtype)
    y_pred, y_true = _losses.squeeze_or_expand_to_same_rank(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = _i.gather(y_true, class_id, axis=-1)
        y_pred = _i.gather(y_pred, class_id, axis=-1)
    weights = _m.ones_like(y_pred)
    if sample_weight is not None:
        sample_weight = _losses._to_float(sample_weight, dtype)
        y_pred_, sample_weight = _losses.squeeze_or_expand_to_same_rank(y_pred, sample_weight)
        weights = _s.reshape(sample_weight + _m.zeros_like(y_pred_), _s.shape(y_pred))
    preds = _s.reshape(y_pred, [1, -1])
    labels = _s.reshape(_m.not_equal(y_true, 0.0), [1, -1])
    weights = _s.reshape(weights, [1, -1])
    cuts = constant([[t] for t in thresholds], dtype=dtype)
    pred_pos = _m.greater(preds, cuts)                       # [thresholds, n]
    conditions = {
        "tp": lambda: _m.logical_and(labels, pred_pos),
        "fp": lambda: _m.logical_and(_m.logical_not(labels), pred_pos),
        "fn": lambda: _m.logical_and(labels, _m.logical_not(pred_pos)),
        "tn": lambda: _m.logical_and(_m.logical_not(labels), _m.logical_not(pred_pos)),
    }
    for key, variable in variables.items():
        counts = _r.reduce_sum(_m.cast(conditions[key](), dtype) * weights, axis=1)
        variable.assign_add(counts)


class _ConfusionCount(Metric):
    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({self._condition: self.accumulator}, y_true, y_pred, self.thresholds,
                                sample_weight=sample_weight)

    def result(self):
        value = self.accumulator.value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The weighted count of positive labels predicted positive. `tf.keras.metrics.TruePositives()`"""
    _condition = "tp"


class FalsePositives(_ConfusionCount):
    """The weighted count of negative labels predicted positive. `tf.keras.metrics.FalsePositives()`"""
    _condition = "fp"


class TrueNegatives(_ConfusionCount):
    """The weighted count of negative labels predicted negative. `tf.keras.metrics.TrueNegatives()`"""
    _condition = "tn"


class FalseNegatives(_ConfusionCount):
    """The weighted count of positive labels predicted negative. `tf.keras.metrics.FalseNegatives()`"""
    _condition = "fn"


class Precision(Metric):
    """true_positives / (true_positives + false_positives), per threshold (a scalar for one threshold).

    top_k keeps only each row's k highest predictions; class_id looks at one class of a multi-class output.

    >>> m = tf.keras.metrics.Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()          # 0.6666667
    """

    _second = ("false_positives", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        setattr(self, self._second[0], self.add_variable(shape, "zeros", name=self._second[0]))

    def update_state(self, y_true, y_pred, sample_weight=None):
        other_name, other_key = self._second
        update_confusion_matrix({"tp": self.true_positives, other_key: getattr(self, other_name)}, y_true, y_pred,
                                self.thresholds, top_k=self.top_k, class_id=self.class_id,
                                sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives.value()
        value = _m.divide_no_nan(tp, tp + getattr(self, self._second[0]).value())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Recall(Precision):
    """true_positives / (true_positives + false_negatives), per threshold (a scalar for one threshold).

    >>> m = tf.keras.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()          # 0.6666667
    """

    _second = ("false_negatives", "fn")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at num_thresholds evenly spaced thresholds.

    >>> m = tf.keras.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()          # 0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve, summation_method = str(curve).upper(), str(summation_method).lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid curve: "{curve}". Valid options are: "ROC", "PR"')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid `summation_method` argument value "{summation_method}". Valid options are: '
                             '"interpolation", "minoring", "majoring"')
        if multi_label or label_weights is not None:
            raise NotImplementedError("AUC: multi_label and label_weights are not supported yet")
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, 0.5))
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self._init_thresholds = thresholds
        self.num_thresholds = num_thresholds
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        shape = (num_thresholds,)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._from_logits:
            y_pred = _m.sigmoid(_losses._to_float(y_pred, self.dtype))
        update_confusion_matrix({"tp": self.true_positives, "fp": self.false_positives,
                                 "tn": self.true_negatives, "fn": self.false_negatives},
                                y_true, y_pred, self.thresholds, sample_weight=sample_weight)

    def _interpolate_pr_auc(self, tp, fp, fn):
        """Davis & Goadrich (2006): precision interpolated along the true-positive count, not linearly."""
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _m.divide_no_nan(dtp, _m.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = _m.logical_and(_m.greater(p[:n - 1], 0.0), _m.greater(p[1:], 0.0))
        ratio = _m.where(both, _m.divide_no_nan(p[:n - 1], _m.maximum(p[1:], 0.0)), _m.ones_like(p[1:]))
        increments = _m.divide_no_nan(slope * (dtp + intercept * _m.log(ratio)), _m.maximum(tp[1:] + fn[1:], 0.0))
        return _r.reduce_sum(increments)

    def result(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _m.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _m.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _m.divide_no_nan(tp, tp + fp)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _m.minimum(y[:n - 1], y[1:])
        else:
            heights = _m.maximum(y[:n - 1], y[1:])
        return _r.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": self.label_weights,
                "from_logits": self._from_logits,
                "thresholds": self.thresholds[1:-1] if self._init_thresholds is not None else None}

