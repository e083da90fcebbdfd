"""tf.keras.metrics: stateful metrics (update_state / result / reset_state) and metric functions.

    m = tf.keras.metrics.SparseCategoricalAccuracy()
    m.update_state([1, 0], [[0.2, 0.8], [0.3, 0.7]])
    m.result()                    # 0.5
    m.reset_state()

Metric state lives in non-trainable tf.Variables, so update_state and result also run inside
tf.function (the Keras train step).
"""
import inspect

from .. import backend
from .. import losses as _losses
from ..losses import (binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge,  # noqa: F401
                      kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                      mean_squared_error, mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                      squared_hinge)
from ..losses import KLD, MAE, MAPE, MSE, MSLE, kld, mae, mape, mse, msle, logcosh  # noqa: F401
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,  # noqa: F401
                       SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, binary_accuracy,
                       categorical_accuracy, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
                       top_k_categorical_accuracy)
from .confusion import (AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,  # noqa: F401
                        TruePositives)
from .loss_metrics import (BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge,  # noqa: F401
                           CosineSimilarity, Hinge, KLDivergence, LogCoshError, MeanAbsoluteError,
                           MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
                           RootMeanSquaredError, SparseCategoricalCrossentropy, SquaredHinge, cosine_similarity)
from .metric import Metric  # noqa: F401
from .reduction import Mean, MeanMetricWrapper, Sum  # noqa: F401

_CLASSES = {cls.__name__: cls for cls in (
    Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC, TruePositives, FalsePositives,
    TrueNegatives, FalseNegatives, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity, LogCoshError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge,
    CategoricalHinge)}
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, cosine_similarity, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge, categorical_hinge,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, log_cosh)}

# Names as Keras resolves them: class names, their snake_case (a class wins over a function of the same
# name), function names, and the short aliases.
_NAMES = dict(_FUNCTIONS)
_NAMES.update(_CLASSES)
_NAMES.update({backend.to_snake_case(name): cls for name, cls in _CLASSES.items() if cls is not Metric})
_NAMES.update({"mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
               "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
               "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
               "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "kld": KLDivergence, "KLD": KLDivergence,
               "auc": AUC, "logcosh": LogCoshError})


def serialize(metric):
    """A JSON-able description of a metric object or metric function.

    >>> tf.keras.metrics.serialize(tf.keras.metrics.BinaryAccuracy(threshold=0.7))["config"]["threshold"]
    0.7
    """
    if metric is None:
        return None
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__, "config": metric.get_config(),
                "registered_name": None}
    name = getattr(metric, "__name__", None)
    if _FUNCTIONS.get(name) is metric:
        return {"module": "keras.metrics", "class_name": "function", "config": name, "registered_name": "function"}
    return _losses.serialize(metric)


def deserialize(config, custom_objects=None):
    """The metric a `serialize` dict (or a name) describes."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        obj = custom_objects.get(config) or _NAMES.get(config)
        if obj is None:
            raise ValueError(f"Could not interpret metric identifier: {config!r}")
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret metric config: {config!r}")
    class_name = config["class_name"]
    if class_name == "function":
        name = config.get("config")
        fn = custom_objects.get(name) or _FUNCTIONS.get(name)
        return fn if fn is not None else _losses.deserialize(config, custom_objects)
    cls = custom_objects.get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Could not interpret metric class {class_name!r}; expected one of {sorted(_CLASSES)}")
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A metric from a name ('mae', 'AUC', 'binary_accuracy', ...), a config dict, a class, an instance or a
    function; names and classes give a fresh instance, functions stay functions.

    >>> tf.keras.metrics.get("mae")
    <MeanAbsoluteError name=mean_absolute_error>
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def resolve_accuracy(y_true_shape, y_pred_shape, name="accuracy", loss=None):
    """The accuracy metric compile(metrics=["accuracy"]) means, chosen as Keras 3 does from the shapes:

    - BinaryAccuracy when y_pred's last dimension is 1;
    - SparseCategoricalAccuracy when y_true has a lower rank than y_pred, or y_true's last dimension is 1
      while y_pred's is not;
    - CategoricalAccuracy otherwise.

    Only when y_pred's last dimension is unknown does `loss` (a name, function or Loss) decide, as tf.keras 2
    did: binary / sparse categorical cross-entropy pick the matching accuracy.

    >>> tf.keras.metrics.resolve_accuracy((None,), (None, 10))
    <SparseCategoricalAccuracy name=accuracy>
    """
    y_true_shape, y_pred_shape = tuple(y_true_shape or ()), tuple(y_pred_shape or ())
    binary, sparse = _losses.is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    if (not y_pred_shape or y_pred_shape[-1] is None) and loss is not None:
        loss_name = _loss_name(loss)
        binary = loss_name in ("binary_crossentropy", "bce", "BinaryCrossentropy")
        sparse = loss_name in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy")
    if binary:
        return BinaryAccuracy(name=name)
    if sparse:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def _loss_name(loss):
    if isinstance(loss, str):
        return loss
    if isinstance(loss, _losses.LossFunctionWrapper):
        return getattr(loss.fn, "__name__", None)
    return getattr(loss, "__name__", None) or type(loss).__name__


def resolve(identifier, y_true_shape=None, y_pred_shape=None, loss=None):
    """The Metric object compile(metrics=[identifier]) uses, named as Keras names it (the string given, else
    the object's name); 'accuracy' / 'acc' follow resolve_accuracy; functions are wrapped in
    MeanMetricWrapper.

    >>> tf.keras.metrics.resolve("mae").name
    'mae'
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return resolve_accuracy(y_true_shape, y_pred_shape, name=identifier, loss=loss)
    obj = get(identifier)
    if not isinstance(obj, Metric):
        obj = MeanMetricWrapper(obj, name=getattr(obj, "__name__", None) or getattr(obj, "name", None))
    if isinstance(identifier, str):
        obj.name = identifier
    return obj
