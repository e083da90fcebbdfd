"""tf.keras.callbacks: hooks into fit/evaluate/predict (History, progress bar, early stopping, checkpoints...).

    model.fit(x, y, epochs=50, callbacks=[tf.keras.callbacks.EarlyStopping(patience=3)])
"""
import math
import os

import numpy as np


class Callback:
    """Base class of callbacks: override the hooks you need; `self.model` is the model being trained.

    >>> class Printer(tf.keras.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """A backwards-compatible alias of on_train_batch_begin."""

    def on_batch_end(self, batch, logs=None):
        """A backwards-compatible alias of on_train_batch_end."""

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


_HOOKS = ("on_batch_begin", "on_batch_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
          "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
          "on_predict_batch_end", "on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
          "on_predict_begin", "on_predict_end")


class CallbackList(Callback):
    """Calls each hook on every callback in order (adds History and the progress bar when asked)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history:
            history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if history is None:
                history = History()
                self.callbacks.append(history)
            if model is not None:
                model.history = history
        if model is not None:
            self.set_model(model)
        self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def set_model(self, model):
        self.model = model
        for c in self.callbacks:
            c.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)


def _dispatch(hook):
    indexed = hook.endswith(("batch_begin", "batch_end", "epoch_begin", "epoch_end"))

    if indexed:
        def method(self, index, logs=None):
            logs = logs if logs is not None else {}
            for c in self.callbacks:
                getattr(c, hook)(index, logs=logs)
    else:
        def method(self, logs=None):
            logs = logs if logs is not None else {}
            for c in self.callbacks:
                getattr(c, hook)(logs=logs)
    method.__name__ = hook
    return method


for _hook in _HOOKS:
    if _hook not in ("on_batch_begin", "on_batch_end"):
        setattr(CallbackList, _hook, _dispatch(_hook))


class History(Callback):
    """Records each epoch's logs: `history.history["loss"]` is the list of epoch losses."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a Keras progress bar per epoch (verbose=1 live, 2 one line per epoch)."""

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self.progbar = None
        self.seen = 0
        self._in_fit = False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _new_bar(self):
        from .utils.progbar import Progbar
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, unit_name="step")

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=True)
        if self.target is None:
            self.target = self.seen

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.seen = batch + 1
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        self.progbar.update(self.seen, [], finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.seen, [], finalize=True)


def _monitor_op(mode, monitor, cls_name):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{cls_name} mode {mode!r} is unknown, expected one of ('auto', 'min', 'max')")
    if mode == "auto":
        name = monitor[4:] if monitor.startswith("val_") else monitor
        mode = "max" if (name.endswith(("acc", "accuracy", "auc", "precision", "recall")) or
                         name.startswith(("acc", "accuracy", "auc", "precision", "recall"))) else "min"
    return mode


class EarlyStopping(Callback):
    """Stops training when `monitor` stops improving for `patience` epochs (optionally restoring the best weights).

    >>> callback = tf.keras.callbacks.EarlyStopping(monitor="loss", patience=3)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode = _monitor_op(mode, monitor, "EarlyStopping")
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def _better(self, value, reference):
        if reference is None:
            return True
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            import warnings
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs or {})}", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print("Restoring model weights from the end of the best epoch: " f"{self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")

    def get_monitor_value(self, logs):
        return (logs or {}).get(self.monitor)


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) after each epoch; the filepath may hold {epoch:02d} and {val_loss:.2f}.

    >>> tf.keras.callbacks.ModelCheckpoint("ckpt/model_{epoch:02d}.keras", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.mode = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.best = initial_value_threshold
        self._batches_seen = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}; expected 'epoch' or an integer.")

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._save(getattr(self, "_epoch", 0), logs, batch=batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch, logs, batch=None):
        logs = dict(logs or {})
        path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings
                warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
                return
            better = self.best is None or (current < self.best if self.mode == "min" else current > self.best)
            if not better:
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at each epoch start to schedule(epoch, lr).

    >>> tf.keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = float(np.asarray(_read(optimizer.learning_rate)))
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        lr = float(np.asarray(_read(lr)))
        if not isinstance(lr, float) or math.isnan(lr):
            raise ValueError(f'The output of the "schedule" function should be a float. Got: {lr}')
        optimizer.learning_rate = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(np.asarray(_read(self.model.optimizer.learning_rate)))


def _read(value):
    if hasattr(value, "_as_tensor"):
        return value._as_tensor()
    return value


class LambdaCallback(Callback):
    """A callback from functions: on_epoch_begin/end(epoch, logs), on_batch_*(batch, logs), on_train_*(logs).

    >>> tf.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_batch_begin=on_batch_begin,
                     on_batch_end=on_batch_end, on_train_begin=on_train_begin, on_train_end=on_train_end, **kwargs)
        for hook, fn in given.items():
            if hook not in _HOOKS:
                raise TypeError(f"LambdaCallback got an unknown hook {hook!r}")
            if fn is not None:
                setattr(self, hook, fn)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True



class TensorBoard(Callback):
    """Logs epoch (or batch) scalars under log_dir/train and log_dir/validation, weight histograms and the graph.

    >>> tf.keras.callbacks.TensorBoard(log_dir="logs", histogram_freq=1)
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False, write_steps_per_second=False,
                 update_freq="epoch", profile_batch=0, embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_steps_per_second = write_steps_per_second
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not isinstance(update_freq, int):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or an integer, got {update_freq!r}")
        self.update_freq = update_freq
        self._writers = {}
        self._train_step = 0
        self._graph_written = False

    def _writer(self, run):
        if run not in self._writers:
            from .. import summary
            self._writers[run] = summary.create_file_writer(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None):
        self._graph_written = False
        if self.write_graph:
            from .. import summary
            try:
                data = self.model.to_json()
            except Exception:  # noqa: BLE001  (subclassed models without a config still train)
                data = None
            if data is not None:
                with self._writer("train").as_default():
                    summary.keras_model("keras", data, step=0)

    def _write_train_graph(self):
        from .. import summary
        fn = getattr(self.model, "_train_function", None)
        concretes = fn.concrete_functions() if fn is not None else []
        if not concretes:
            return
        with self._writer("train").as_default():
            summary.graph(concretes[0])
        self._graph_written = True

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        if self.write_graph and not self._graph_written:
            self._write_train_graph()
        if isinstance(self.update_freq, int) and self._train_step % self.update_freq == 0:
            from .. import summary
            with self._writer("train").as_default():
                for name, value in (logs or {}).items():
                    if np.ndim(value) == 0:
                        summary.scalar("batch_" + name, float(value), step=self._train_step)

    def on_epoch_end(self, epoch, logs=None):
        from .. import summary
        train = {k: v for k, v in (logs or {}).items() if not k.startswith("val_") and np.ndim(v) == 0}
        val = {k[4:]: v for k, v in (logs or {}).items() if k.startswith("val_") and np.ndim(v) == 0}
        with self._writer("train").as_default():
            for name, value in train.items():
                summary.scalar("epoch_" + name, float(value), step=epoch)
            if self.histogram_freq and epoch % self.histogram_freq == 0:
                for layer in self.model.layers:
                    for weight in layer.weights:
                        tag = weight.name.split(":")[0].replace(":", "_")
                        summary.histogram(tag, weight.numpy(), step=epoch)
        if val:
            with self._writer("validation").as_default():
                for name, value in val.items():
                    summary.scalar("epoch_" + name, float(value), step=epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
