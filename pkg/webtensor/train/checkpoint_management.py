"""The `checkpoint` state file, tf.train.latest_checkpoint, CheckpointManager, list_variables, load_variable.

The state file is TensorFlow's text format (a CheckpointState text proto), written atomically:

    model_checkpoint_path: "ckpt-3"
    all_model_checkpoint_paths: "ckpt-2"
    all_model_checkpoint_paths: "ckpt-3"
    all_model_checkpoint_timestamps: 1700000000.5
    ...

Paths are stored relative to the directory. Paths read from a state file must stay inside that
directory (no '..', no absolute path elsewhere), since a manager deletes old checkpoints by them.
"""
import json
import os
import re
import time

from .. import errors
from ..core import serialization
from ..core.serialization import CorruptFileError
from ..core.state import init_scope
from . import checkpoint as _checkpoint
from ._object_graph import VALUE_SUFFIX

STATE_FILENAME = "checkpoint"
_LINE = re.compile(r'^\s*([a-z_]+)\s*:\s*(.*?)\s*$')
_MAX_STATE_BYTES = 1 << 22


class CheckpointState:
    """Parsed `checkpoint` file: the latest path, all kept paths, their timestamps."""

    def __init__(self, model_checkpoint_path=None, all_model_checkpoint_paths=(), all_model_checkpoint_timestamps=(),
                 last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp


def _state_path(directory, latest_filename=None):
    return os.path.join(os.fspath(directory), latest_filename or STATE_FILENAME)


def _inside(directory, name, path):
    """name (from a state file) as a path inside directory; raises CorruptFileError if it points elsewhere."""
    if os.path.isabs(name):
        if os.path.realpath(os.path.dirname(name)) != os.path.realpath(directory):
            raise CorruptFileError(path, f"names a checkpoint outside its directory: {name!r:.120}")
        return name
    serialization.safe_relative_path(name, path)
    if "/" in name.replace("\\", "/"):
        raise CorruptFileError(path, f"names a checkpoint outside its directory: {name!r:.120}")
    return os.path.join(directory, name)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState of a directory's `checkpoint` file, or None if there is none."""
    path = _state_path(checkpoint_dir, latest_filename)
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_STATE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(raw) > _MAX_STATE_BYTES:
        raise CorruptFileError(path, "checkpoint state file is too large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptFileError(path, "checkpoint state file is not UTF-8 text") from None
    state = CheckpointState()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            raise CorruptFileError(path, f"line {n}: not a 'key: value' line: {line!r:.80}")
        key, value = m.groups()
        if key in ("model_checkpoint_path", "all_model_checkpoint_paths"):
            name = _inside(checkpoint_dir, _unquote(value, path, n), path)
            if key == "model_checkpoint_path":
                state.model_checkpoint_path = name
            else:
                state.all_model_checkpoint_paths.append(name)
        elif key in ("all_model_checkpoint_timestamps", "last_preserved_timestamp"):
            try:
                t = float(value)
            except ValueError:
                raise CorruptFileError(path, f"line {n}: {key} is not a number: {value!r:.40}") from None
            if key == "last_preserved_timestamp":
                state.last_preserved_timestamp = t
            else:
                state.all_model_checkpoint_timestamps.append(t)
        else:
            raise CorruptFileError(path, f"line {n}: unknown field {key!r}")
    return state


def _unquote(value, path, n):
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        raise CorruptFileError(path, f"line {n}: expected a quoted string, got {value!r:.80}")
    try:
        # JSON strings are a safe subset of the text-proto escapes TF writes
        return json.loads(value)
    except ValueError:
        raise CorruptFileError(path, f"line {n}: bad string escape in {value!r:.80}") from None


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            all_model_checkpoint_timestamps=None, last_preserved_timestamp=None,
                            latest_filename=None):
    """Writes a directory's `checkpoint` state file atomically (paths stored relative to save_dir)."""
    paths = list(all_model_checkpoint_paths or [model_checkpoint_path])
    if model_checkpoint_path not in paths:
        paths.append(model_checkpoint_path)
    lines = [f"model_checkpoint_path: {_quote(save_dir, model_checkpoint_path)}"]
    lines += [f"all_model_checkpoint_paths: {_quote(save_dir, p)}" for p in paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in (all_model_checkpoint_timestamps or [])]
    if last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {float(last_preserved_timestamp)!r}")
    serialization.atomic_write(_state_path(save_dir, latest_filename), ("\n".join(lines) + "\n").encode("utf-8"))


def _quote(save_dir, path):
    path = os.fspath(path)
    if os.path.realpath(os.path.dirname(path) or ".") == os.path.realpath(save_dir):
        path = os.path.basename(path)
    return json.dumps(path)


def record_checkpoint(save_dir, path):
    """Adds path to save_dir's state file as the latest checkpoint (what Checkpoint.save does)."""
    try:
        state = get_checkpoint_state(save_dir)
    except CorruptFileError:
        state = None  # a damaged state file is replaced, not trusted
    paths = [p for p in (state.all_model_checkpoint_paths if state else []) if os.path.realpath(p) !=
             os.path.realpath(path)]
    paths.append(path)
    update_checkpoint_state(save_dir, path, paths)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in checkpoint_dir, or None.

    >>> tf.train.latest_checkpoint("./tf_ckpts")
    './tf_ckpts/ckpt-3'
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    path = state.model_checkpoint_path
    return path if os.path.exists(_checkpoint.checkpoint_file(path)) else None


def _resolve(ckpt_dir_or_file):
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        return latest
    if not os.path.exists(_checkpoint.checkpoint_file(path)):
        raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                                   f"matching files for {path}")
    return path


def list_variables(ckpt_dir_or_file):
    """[(key, shape)] of every value in a checkpoint (a prefix, or a directory for its latest one).

    >>> tf.train.list_variables("./tf_ckpts")
    [('model/w/.ATTRIBUTES/VARIABLE_VALUE', [2, 2]), ('save_counter/.ATTRIBUTES/VARIABLE_VALUE', [])]
    """
    f, _ = _checkpoint.open_checkpoint(_resolve(ckpt_dir_or_file))
    return sorted((k, list(f.spec(k)[0])) for k in f.keys())


def load_variable(ckpt_dir_or_file, name):
    """The numpy value saved under `name` (a key from list_variables; the '/.ATTRIBUTES/...' suffix optional)."""
    f, _ = _checkpoint.open_checkpoint(_resolve(ckpt_dir_or_file))
    key = name if name in f else name + VALUE_SUFFIX
    if key not in f:
        raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint {f.path}")
    return f.read(key)


class CheckpointManager:
    """Saves numbered checkpoints into a directory and deletes all but the newest `max_to_keep`.

    >>> manager = tf.train.CheckpointManager(ckpt, "./tf_ckpts", max_to_keep=3)
    >>> manager.save()
    './tf_ckpts/ckpt-1'
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if not isinstance(checkpoint, _checkpoint.Checkpoint):
            raise TypeError(f"CheckpointManager expects a tf.train.Checkpoint, got {type(checkpoint).__name__}")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._last_step = None
        self._init_fn = init_fn
        state = get_checkpoint_state(self._directory)
        self._kept = []          # [(path, timestamp)], oldest first
        self._last_preserved = time.time()
        if state is not None:
            times = state.all_model_checkpoint_timestamps
            if len(times) != len(state.all_model_checkpoint_paths):
                times = [time.time()] * len(state.all_model_checkpoint_paths)
            self._kept = [(p, t) for p, t in zip(state.all_model_checkpoint_paths, times)
                          if os.path.exists(_checkpoint.checkpoint_file(p))]
            if state.last_preserved_timestamp:
                self._last_preserved = state.last_preserved_timestamp
        self._latest = self._kept[-1][0] if self._kept else None

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def latest_checkpoint(self):
        """The prefix of the newest checkpoint this manager knows, or None."""
        return self._latest

    @property
    def checkpoints(self):
        """The prefixes of the checkpoints kept, oldest first."""
        return [p for p, _ in self._kept]

    @property
    def checkpoint_interval(self):
        return self._interval

    def restore_or_initialize(self):
        """Restores the latest checkpoint if there is one, else runs init_fn; returns the path or None."""
        if self._latest is not None:
            self._checkpoint.restore(self._latest)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Saves a checkpoint `<directory>/<checkpoint_name>-<n>`; returns its prefix (None if skipped)."""
        if self._interval is not None and check_interval:
            step = int(self._step_counter.numpy() if hasattr(self._step_counter, "numpy") else self._step_counter)
            if self._last_step is not None and step < self._last_step + self._interval:
                return None
            self._last_step = step
        counter = self._checkpoint.save_counter
        with init_scope():
            counter.assign_add(1)
        if checkpoint_number is None:
            checkpoint_number = int(counter.numpy())
        elif hasattr(checkpoint_number, "numpy"):
            checkpoint_number = int(checkpoint_number.numpy())
        path = self._checkpoint.write(f"{self._checkpoint_prefix}-{int(checkpoint_number)}")
        now = time.time()
        self._kept = [(p, t) for p, t in self._kept if os.path.realpath(p) != os.path.realpath(path)]
        self._kept.append((path, now))
        self._latest = path
        self._sweep()
        update_checkpoint_state(self._directory, path, [p for p, _ in self._kept], [t for _, t in self._kept],
                                self._last_preserved)
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._kept) > self._max_to_keep:
            path, stamp = self._kept.pop(0)
            if self._keep_every is not None and stamp - self._last_preserved >= self._keep_every * 3600.0:
                self._last_preserved = stamp
                continue
            _delete_checkpoint(self._directory, path)


def _delete_checkpoint(directory, path):
    """Removes a checkpoint's file, only if it lies in directory."""
    if os.path.realpath(os.path.dirname(path)) != os.path.realpath(directory):
        return
    for f in (_checkpoint.checkpoint_file(path),):
        try:
            os.remove(f)
        except FileNotFoundError:
            pass
