"""Callbacks: hook order, History, EarlyStopping (restore_best_weights), LearningRateScheduler, others."""
import numpy as np

import webtensor as tf
from webtensor import keras
from test_keras_fit import _linear_data, sgd

layers = keras.layers


def _model(lr=0.05):
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=sgd(lr), loss="mse")
    return model


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attr = object.__getattribute__(self, name)
        if name.startswith("on_") and callable(attr):
            def hook(*args, **kwargs):
                object.__getattribute__(self, "calls").append((name,) + tuple(a for a in args if isinstance(a, int)))
                return attr(*args, **kwargs)
            return hook
        return attr


def test_hook_order_in_fit_evaluate_predict():
    x, y = _linear_data(20)
    rec = Recorder()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=10, validation_data=(x[:5], y[:5]), callbacks=[rec], verbose=0)
    calls = [c for c in rec.calls if c[0] not in ("on_batch_begin", "on_batch_end")]
    epoch = [("on_train_batch_begin", 0), ("on_train_batch_end", 0), ("on_train_batch_begin", 1),
             ("on_train_batch_end", 1), ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
             ("on_test_end",)]
    assert calls == ([("on_train_begin",), ("on_epoch_begin", 0)] + epoch + [("on_epoch_end", 0),
                     ("on_epoch_begin", 1)] + epoch + [("on_epoch_end", 1), ("on_train_end",)])
    rec.calls.clear()
    model.predict(x, batch_size=20, callbacks=[rec], verbose=0)
    assert rec.calls == [("on_predict_begin",), ("on_predict_batch_begin", 0), ("on_predict_batch_end", 0),
                         ("on_predict_end",)]


def test_epoch_logs_given_to_callbacks_match_history():
    x, y = _linear_data(20)
    seen = []
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(dict(logs)))
    history = _model().fit(x, y, epochs=3, callbacks=[cb], validation_split=0.5, verbose=0)
    assert [s["loss"] for s in seen] == history.history["loss"]
    assert [s["val_loss"] for s in seen] == history.history["val_loss"]


def test_early_stopping_and_restore_best_weights():
    x, y = _linear_data(20)
    model = _model(lr=0.0)

    def score(epoch, logs):
        """Sets the bias to the epoch number and reports a score that is best at epoch 2."""
        model.layers[0].bias.assign([float(epoch)])
        logs["score"] = abs(epoch - 2.0)

    stopper = keras.callbacks.EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=score), stopper],
                        verbose=0)
    assert history.history["score"] == [2.0, 1.0, 0.0, 1.0, 2.0]
    assert stopper.stopped_epoch == 4 and stopper.best_epoch == 2
    np.testing.assert_allclose(model.layers[0].bias.numpy(), [2.0])


def test_early_stopping_baseline_and_mode():
    stopper = keras.callbacks.EarlyStopping(monitor="val_accuracy")
    assert stopper.mode == "max"
    x, y = _linear_data(20)
    model = _model(lr=0.0)
    history = model.fit(x, y, epochs=10, callbacks=[keras.callbacks.EarlyStopping(monitor="loss", baseline=-1.0,
                                                                                   patience=1, min_delta=1e-3)],
                        shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2


def test_learning_rate_scheduler_sets_lr():
    x, y = _linear_data(20)
    model = _model(lr=0.1)
    seen = []
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    probe = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(np.asarray(model.optimizer.learning_rate))))
    history = model.fit(x, y, epochs=3, callbacks=[sched, probe], verbose=0)
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_learning_rate_zero_freezes_training():
    x, y = _linear_data(20)
    model = _model(lr=0.1)
    before = model.get_weights()
    model.fit(x, y, epochs=2, callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch: 0.0)], verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_allclose(a, b)


def test_terminate_on_nan():
    x, y = _linear_data(20)
    y[3] = np.nan
    history = _model().fit(x, y, epochs=5, batch_size=5, callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.history["loss"]) == 1


def test_stop_training_from_callback():
    x, y = _linear_data(20)
    model = _model()
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1))
    assert len(model.fit(x, y, epochs=10, callbacks=[cb], verbose=0).history["loss"]) == 2


def test_tensorboard_writes_epoch_scalars(tmp_path):
    x, y = _linear_data(20)
    model = _model()
    cb = keras.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1)
    history = model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[cb], verbose=0)
    runs = tf.summary.read_logdir(str(tmp_path))
    train = runs["train"]["epoch_loss"]
    val = runs["validation"]["epoch_loss"]
    np.testing.assert_allclose([e.value for e in train], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([e.value for e in val], history.history["val_loss"], rtol=1e-6)
    assert [e.step for e in train] == [0, 1, 2]
    assert runs["train"].histograms
