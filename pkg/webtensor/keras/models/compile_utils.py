"""What compile() configures: per-output losses and metrics, resolved once output shapes are known."""
from ... import nest
from ...core.variable import Variable
from ...ops import math_ops, reduction_ops, shape_ops


class MeanTracker:
    """A running weighted mean (the 'loss' entry of fit's logs), written with public ops so it traces."""

    def __init__(self, name="loss"):
        self.name = name
        self.total = Variable(0.0, trainable=False, name=f"{name}/total")
        self.count = Variable(0.0, trainable=False, name=f"{name}/count")

    @property
    def variables(self):
        return [self.total, self.count]

    def update_state(self, value, sample_weight=None):
        value = math_ops.cast(value, "float32")
        weight = 1.0 if sample_weight is None else math_ops.cast(sample_weight, "float32")
        self.total.assign_add(reduction_ops.reduce_sum(value * weight))
        self.count.assign_add(math_ops.cast(shape_ops.size(value), "float32") * weight
                              if sample_weight is not None else math_ops.cast(shape_ops.size(value), "float32"))

    def result(self):
        return math_ops.divide_no_nan(self.total, self.count)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    reset_states = reset_state


class _FunctionMetric:
    """Mean of a metric function's per-sample values (used when keras.metrics lacks MeanMetricWrapper)."""

    def __init__(self, fn, name):
        self.fn = fn
        self.name = name
        self._mean = MeanTracker(name)

    @property
    def variables(self):
        return self._mean.variables

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.fn(y_true, y_pred)
        if sample_weight is not None:
            sw = math_ops.cast(sample_weight, values.dtype)
            while len(sw.shape) > len(values.shape):
                sw = shape_ops.squeeze(sw, axis=-1)
            self._mean.total.assign_add(reduction_ops.reduce_sum(values * sw))
            self._mean.count.assign_add(reduction_ops.reduce_sum(sw * math_ops.ones_like(values)))
        else:
            self._mean.update_state(values)

    def result(self):
        return self._mean.result()

    def reset_state(self):
        self._mean.reset_state()


def _resolve_metric(identifier, y_true, y_pred):
    from .. import metrics as metrics_mod
    resolve = getattr(metrics_mod, "resolve", None)
    if resolve is not None:
        return resolve(identifier, tuple(y_true.shape.as_list()), tuple(y_pred.shape.as_list()))
    name = identifier if isinstance(identifier, str) else None
    if identifier in ("accuracy", "acc", "crossentropy", "ce"):
        from .. import losses
        binary, sparse = losses.is_binary_or_sparse_categorical(tuple(y_true.shape.as_list()),
                                                                tuple(y_pred.shape.as_list()))
        stem = "accuracy" if identifier in ("accuracy", "acc") else "crossentropy"
        identifier = ("binary_" if binary else "sparse_categorical_" if sparse else "categorical_") + stem
    obj = metrics_mod.get(identifier)
    if isinstance(obj, type):
        obj = obj()
    if hasattr(obj, "update_state"):
        return obj
    wrapper = getattr(metrics_mod, "MeanMetricWrapper", None)
    name = name or getattr(obj, "__name__", "metric")
    return wrapper(obj, name=name) if wrapper is not None else _FunctionMetric(obj, name)


class CompileState:
    """compile()'s loss, loss_weights and metrics, matched to the model's outputs on the first batch."""

    def __init__(self, loss, loss_weights, metrics, weighted_metrics, output_names):
        self.loss = loss
        self.loss_weights = loss_weights
        self.metrics_spec = metrics
        self.weighted_metrics_spec = weighted_metrics
        self.output_names = output_names
        self.built = False
        self.loss_tracker = MeanTracker("loss")
        self.output_losses = []       # [(output index, Loss, weight, tracker name or None)]
        self.output_loss_trackers = []
        self.metrics = []             # [(output index, metric, weighted)]

    def _names(self, n):
        names = list(self.output_names or [])
        if len(names) != n:
            names = [f"output_{i + 1}" for i in range(n)] if n > 1 else ["output"]
        return names

    def build(self, y_true, y_pred):
        from .. import losses as losses_mod
        flat_true, flat_pred = nest.flatten(y_true), nest.flatten(y_pred)
        n = len(flat_pred)
        names = self._names(n)
        if len(flat_true) != n and self.loss is not None:
            raise ValueError(f"The model has {n} output(s) but received {len(flat_true)} target(s) (y).")
        per_output = _per_output(self.loss, names, y_pred, n, "loss")
        weights = _per_output(self.loss_weights, names, y_pred, n, "loss_weights")
        for i, spec in enumerate(per_output):
            if spec is None:
                continue
            loss = losses_mod.resolve(spec, tuple(flat_true[i].shape.as_list()), tuple(flat_pred[i].shape.as_list()))
            w = 1.0 if weights[i] is None else float(weights[i])
            tracker = MeanTracker(f"{names[i]}_loss") if n > 1 else None
            self.output_losses.append((i, loss, w, tracker))
        for spec, weighted in ((self.metrics_spec, False), (self.weighted_metrics_spec, True)):
            if spec is None:
                continue
            for i, specs in enumerate(_per_output(spec, names, y_pred, n, "metrics", listy=True)):
                for s in specs or []:
                    m = _resolve_metric(s, flat_true[i], flat_pred[i])
                    if n > 1:
                        m.name = f"{names[i]}_{m.name}"
                    self.metrics.append((i, m, weighted))
        self.built = True

    def compute_loss(self, y_true, y_pred, sample_weight):
        flat_true, flat_pred = nest.flatten(y_true), nest.flatten(y_pred)
        flat_sw = nest.flatten(sample_weight) if sample_weight is not None else None
        total = None
        for i, loss, w, tracker in self.output_losses:
            sw = None
            if flat_sw is not None:
                sw = flat_sw[i] if len(flat_sw) == len(flat_pred) else flat_sw[0]
            value = loss(flat_true[i], flat_pred[i], sample_weight=sw)
            if tracker is not None:
                tracker.update_state(value, _batch_size(flat_pred[i]))
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        return total

    def update_metrics(self, y_true, y_pred, sample_weight):
        flat_true, flat_pred = nest.flatten(y_true), nest.flatten(y_pred)
        for i, m, weighted in self.metrics:
            sw = None
            if sample_weight is not None:
                flat_sw = nest.flatten(sample_weight)
                sw = flat_sw[i] if len(flat_sw) == len(flat_pred) else flat_sw[0]
            m.update_state(flat_true[i], flat_pred[i], sample_weight=sw)

    @property
    def all_metrics(self):
        """Loss tracker, per-output loss trackers, then compile metrics (the order of metrics_names)."""
        out = [self.loss_tracker]
        out += [t for _, _, _, t in self.output_losses if t is not None]
        out += [m for _, m, _ in self.metrics]
        return out


def _batch_size(t):
    return math_ops.cast(shape_ops.shape(t)[0], "float32")


def _per_output(spec, names, y_pred, n, what, listy=False):
    """spec matched to outputs: a dict by output name, a list by position, or one value for every output."""
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"In compile, `{what}` has keys {unknown} that are not output names; the model's "
                             f"outputs are {names}.")
        return [spec.get(name) for name in names]
    if listy:
        if spec is None:
            return [None] * n
        if isinstance(spec, (list, tuple)) and n > 1 and len(spec) == n and \
                all(isinstance(s, (list, tuple)) or s is None for s in spec):
            return list(spec)
        specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        return [specs] * n
    if isinstance(spec, (list, tuple)):
        if len(spec) != n:
            raise ValueError(f"In compile, `{what}` is a list of {len(spec)} entries but the model has {n} "
                             "output(s).")
        return list(spec)
    return [spec] * n
