"""compile / fit / evaluate / predict: the Keras training loop around overridable train/test/predict steps.

Each step runs inside tf.function unless compile(run_eagerly=True) (or tf.config.run_functions_eagerly).
"""
import numpy as np

from ... import nest
from ...core.function import function as tf_function
from ...core.state import state
from ...core.tape import GradientTape
from ...core.tensor import Tensor
from ...ops import math_ops, shape_ops
from .. import backend
from .compile_utils import CompileState
from .data_adapter import make_data, unpack_x_y_sample_weight


class Trainer:
    """The training half of tf.keras.Model."""

    def __init__(self):
        self._compile_state = None
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._run_eagerly = False
        self._train_function = self._test_function = self._predict_function = None
        self.steps_per_execution = 1
        self.compiled = False

    # -- compile ----------------------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configures training: optimizer, loss(es), metrics, by object or by name ('adam', 'mse', 'accuracy').

        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        """
        if isinstance(optimizer, (str, dict)) or not hasattr(optimizer, "apply_gradients"):
            from .. import optimizers
            optimizer = optimizers.get(optimizer)
        self.optimizer = optimizer
        self.loss = loss
        self._compile_state = CompileState(loss, loss_weights, metrics, weighted_metrics, self.output_names)
        self._run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self._train_function = self._test_function = self._predict_function = None
        self.compiled = True
        self._compile_config = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": _compile_arg_config(loss, "losses"),
                                "metrics": _compile_arg_config(metrics, "metrics"),
                                "loss_weights": loss_weights, "run_eagerly": run_eagerly}

    @property
    def run_eagerly(self):
        return self._run_eagerly or state.run_functions_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)
        self._train_function = self._test_function = self._predict_function = None

    def _assert_compiled(self, method):
        if self._compile_state is None:
            raise RuntimeError(f"You must call `compile()` before using the model in `{method}()`.")

    # -- metrics ----------------------------------------------------------------------------------

    @property
    def metrics(self):
        """The model's metric objects: the loss tracker, then compile metrics (after the first batch)."""
        out = list(self._compile_state.all_metrics) if self._compile_state is not None else []
        for layer in self._flatten_layers(include_self=False, recursive=True):
            out.extend(getattr(layer, "_extra_metrics", []))
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        """Resets every metric's state (fit does it at each epoch, evaluate at its start)."""
        for m in self.metrics:
            (getattr(m, "reset_state", None) or m.reset_states)()

    def get_metrics_result(self):
        """The metrics' current results as a dict of Python floats (nested results flattened)."""
        return _pythonify({m.name: m.result() for m in self.metrics})

    # -- the steps (override these to customize fit) ------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss(es) for y and y_pred, plus the model's regularization losses (model.losses)."""
        cs = self._compile_state
        if cs is not None and not cs.built:
            cs.build(y, y_pred)
        total = cs.compute_loss(y, y_pred, sample_weight) if cs is not None else None
        extra = self.losses
        if extra:
            reg = math_ops.add_n([math_ops.cast(v, "float32") for v in extra])
            total = reg if total is None else total + reg
        if total is None:
            raise ValueError("No loss to compute: compile() got no `loss` and the model has no losses "
                             "from add_loss().")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compile metrics; returns every metric's result (a dict of tensors)."""
        cs = self._compile_state
        if cs is not None:
            if not cs.built:
                cs.build(y, y_pred)
            cs.update_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result_tensors()

    def get_metrics_result_tensors(self):
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def train_step(self, data):
        """One optimization step on a batch: forward, loss, gradients, apply, metrics; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._compile_state.loss_tracker.update_state(loss, _batch_size(x))
        weights = self.trainable_weights
        if weights:
            grads = tape.gradient(loss, weights)
            self.optimizer.apply_gradients(zip(grads, weights))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """One evaluation step on a batch: forward, loss, metrics; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        self._compile_state.loss_tracker.update_state(loss, _batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def make_train_function(self, force=False):
        """The callable fit runs per batch: train_step, inside tf.function unless run_eagerly."""
        if self._train_function is None or force:
            self._train_function = self._wrap(self.train_step)
        return self._train_function

    def make_test_function(self, force=False):
        if self._test_function is None or force:
            self._test_function = self._wrap(self.test_step)
        return self._test_function

    def make_predict_function(self, force=False):
        if self._predict_function is None or force:
            self._predict_function = self._wrap(self.predict_step)
        return self._predict_function

    def _wrap(self, step):
        if self.run_eagerly:
            return step
        # As Keras does: the last, smaller batch of an epoch retraces once with a None batch dimension,
        # and every later batch size reuses that graph.
        return tf_function(step, name=step.__name__, reduce_retracing=True)

    # -- loops ------------------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1, **kwargs):
        """Trains for `epochs` epochs; returns a History whose `history` dict holds each epoch's logs.

        >>> history = model.fit(x, y, epochs=5, batch_size=32, validation_split=0.2)
        >>> history.history["loss"]
        """
        self._assert_compiled("fit")
        from .. import callbacks as callbacks_mod
        data = make_data(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, class_weight=class_weight,
                         steps=steps_per_epoch)
        val_data = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val_data = make_data(vx, vy, vsw, batch_size=validation_batch_size or batch_size,
                                 steps=validation_steps)
        elif validation_split:
            if not hasattr(data, "split"):
                raise ValueError("`validation_split` is only supported for tensors or numpy arrays; with a "
                                 "dataset, pass `validation_data`.")
            data, val_data = data.split(validation_split)
            if validation_batch_size:
                val_data.batch_size = validation_batch_size
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks_mod.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                         verbose=verbose, epochs=epochs, steps=data.steps_per_epoch)
        train_fn = self.make_train_function()
        self.stop_training = False
        cbs.on_train_begin()
        logs = {}
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            step = -1
            with backend.training_phase(True):
                for step, batch in enumerate(data.batches()):
                    cbs.on_train_batch_begin(step)
                    logs = _pythonify(train_fn(batch))
                    cbs.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
            if step == -1:
                raise ValueError("Unexpected result of `train_function` (empty logs): the training data is empty. "
                                 "Check that the dataset or arrays hold at least one batch.")
            epoch_logs = dict(logs)
            if val_data is not None and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_data(val_data, cbs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if getattr(self.optimizer, "use_ema", False):  # Keras swaps the moving averages in after training
            self.optimizer.finalize_variable_values(self.trainable_variables)
        cbs.on_train_end(epoch_logs)
        return self.history

    def _evaluate_data(self, data, cbs):
        test_fn = self.make_test_function()
        self.reset_metrics()
        cbs.on_test_begin()
        logs = {}
        with backend.training_phase(False):
            for step, batch in enumerate(data.batches()):
                cbs.on_test_batch_begin(step)
                logs = _pythonify(test_fn(batch))
                cbs.on_test_batch_end(step, logs)
        logs = self.get_metrics_result() if not logs else logs
        cbs.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics over the data: a scalar (loss only), a list in metrics_names order, or a dict.

        >>> loss, acc = model.evaluate(x_test, y_test)
        """
        self._assert_compiled("evaluate")
        from .. import callbacks as callbacks_mod
        data = make_data(x, y, sample_weight, batch_size=batch_size, steps=steps)
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks_mod.CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                         epochs=1, steps=data.steps_per_epoch)
        logs = self._evaluate_data(data, cbs)
        return logs if return_dict else _flatten_in_order(logs, self.metrics_names)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """The model's outputs for x, batched, concatenated into numpy arrays (same structure as outputs).

        >>> model.predict(x_test).shape
        """
        from .. import callbacks as callbacks_mod
        data = make_data(x, None, None, batch_size=batch_size, steps=steps)
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks_mod.CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                         epochs=1, steps=data.steps_per_epoch)
        predict_fn = self.make_predict_function()
        outputs = []
        cbs.on_predict_begin()
        with backend.training_phase(False):
            for step, batch in enumerate(data.batches()):
                cbs.on_predict_batch_begin(step)
                out = predict_fn(batch)
                outputs.append(nest.map_structure(_to_numpy, out))
                cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                             "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                             "for more information of where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the loss (and metrics) for that batch."""
        self._assert_compiled("train_on_batch")
        data = make_data(x, y, sample_weight, batch_size=_num_samples(x), class_weight=class_weight)
        self.reset_metrics()
        with backend.training_phase(True):
            logs = {}
            for batch in data.batches():
                logs = _pythonify(self.make_train_function()(batch))
        return logs if return_dict else _flatten_in_order(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) of the model on one batch, without training."""
        self._assert_compiled("test_on_batch")
        data = make_data(x, y, sample_weight, batch_size=_num_samples(x))
        self.reset_metrics()
        with backend.training_phase(False):
            logs = {}
            for batch in data.batches():
                logs = _pythonify(self.make_test_function()(batch))
        return logs if return_dict else _flatten_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as numpy arrays."""
        data = make_data(x, None, None, batch_size=_num_samples(x))
        with backend.training_phase(False):
            for batch in data.batches():
                return nest.map_structure(_to_numpy, self.make_predict_function()(batch))

    def get_compile_config(self):
        return dict(getattr(self, "_compile_config", {}) or {})

    def compile_from_config(self, config):
        config = dict(config)
        if config.get("optimizer") is None:
            config.pop("optimizer", None)
        for key, module in (("loss", "losses"), ("metrics", "metrics"), ("weighted_metrics", "metrics")):
            if config.get(key) is not None:
                config[key] = _compile_arg_from_config(config[key], module)
        self.compile(**config)


def _compile_arg_config(value, module):
    """compile()'s loss/metrics as saved in a compile config: names stay names, Keras loss and metric
    objects and functions become their serialize() dicts (nested in lists and per-output dicts);
    values that cannot be described (a lambda) become None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_compile_arg_config(v, module) for v in value]
    if isinstance(value, dict):
        return {k: _compile_arg_config(v, module) for k, v in value.items()}
    import importlib
    try:
        return importlib.import_module(f"..{module}", __package__).serialize(value)
    except (TypeError, ValueError):
        return None


def _compile_arg_from_config(value, module):
    """The inverse of _compile_arg_config: serialize() dicts (they have a class_name) become objects again,
    looked up among the Keras built-ins and the custom objects in scope."""
    if isinstance(value, (list, tuple)):
        return [_compile_arg_from_config(v, module) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _compile_arg_from_config(v, module) for k, v in value.items()}
    if isinstance(value, dict):
        import importlib
        from ..saving import _SCOPES, get_custom_objects
        custom = dict(get_custom_objects())
        for scope in _SCOPES:
            custom.update(scope)
        return importlib.import_module(f"..{module}", __package__).deserialize(value, custom_objects=custom)
    return value


def _batch_size(x):
    first = nest.flatten(x)[0]
    return math_ops.cast(shape_ops.shape(first)[0], "float32")


def _num_samples(x):
    first = nest.flatten(x)[0]
    return int(first.shape[0]) if getattr(first, "shape", None) is not None and len(first.shape) else 1


def _should_validate(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _to_numpy(x):
    if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
        return np.asarray(x)
    return x


def _pythonify(logs):
    """Tensors in the logs as Python floats (or numpy arrays), nested dicts flattened."""
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, dict):
            out.update(_pythonify(value))
            continue
        if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
            arr = np.asarray(value)
            value = float(arr) if arr.size == 1 else arr
        out[key] = value
    return dict(sorted(out.items()))


def _flatten_in_order(logs, names):
    values = [logs[n] for n in names if n in logs]
    values += [v for k, v in logs.items() if k not in names]
    return values[0] if len(values) == 1 else values

