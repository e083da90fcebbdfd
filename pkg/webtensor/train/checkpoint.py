"""tf.train.Checkpoint: save and restore the variables of an object graph, by attribute path.

A checkpoint `prefix` is one tensor file, `<prefix>.index` (see core/serialization.py): every
variable's value under its path key, and the object graph as JSON metadata. TensorFlow splits
this into `.index` and `.data-*` files; webtensor keeps one file so a save is one atomic rename.

Restoring matches saved objects to live ones by edge name. Variables that do not exist yet
(optimizer slots before the first apply, layer weights before the first call) are restored
when they appear: after the owning object's `build` / `apply_gradients` / `apply` runs, or when
the status object is asked (`assert_consumed`, `run_restore_ops`).
"""
import functools
import os
import weakref

import numpy as np

from .. import dtypes
from ..core import serialization
from ..core.serialization import CorruptFileError
from ..core.state import init_scope
from ..core.variable import Variable
from . import _object_graph

_FORMAT = "webtensor-checkpoint"
_HOOKED_METHODS = ("build", "apply_gradients", "apply", "minimize")


def checkpoint_file(prefix):
    """The file that holds the checkpoint `prefix`."""
    prefix = os.fspath(prefix)
    return prefix if prefix.endswith(".index") else prefix + ".index"


def write_checkpoint(root, prefix):
    """Writes every variable reachable from root to `<prefix>.index` atomically; returns prefix."""
    graph, variables = _object_graph.build(root)
    tensors = {key: var.numpy() for key, var in variables.items()}
    serialization.write_file(checkpoint_file(prefix), tensors, {"format": _FORMAT, "object_graph": graph})
    return os.fspath(prefix)


def open_checkpoint(prefix):
    """The validated TensorFile of a checkpoint and its object graph nodes."""
    path = checkpoint_file(prefix)
    f = serialization.TensorFile.open(path)
    meta = f.metadata
    if meta.get("format") != _FORMAT:
        raise CorruptFileError(path, f"not a webtensor checkpoint (format {meta.get('format')!r:.40})")
    return f, _check_graph(meta.get("object_graph"), f, path)


def _check_graph(graph, f, path):
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if not isinstance(nodes, list) or not nodes:
        raise CorruptFileError(path, "the object graph has no nodes")
    for i, node in enumerate(nodes):
        kids = node.get("children") if isinstance(node, dict) else None
        if not isinstance(kids, dict) or not all(
                isinstance(k, str) and isinstance(j, int) and not isinstance(j, bool) and 0 <= j < len(nodes)
                for k, j in kids.items()):
            raise CorruptFileError(path, f"object graph node {i} has invalid children")
        key = node.get("variable")
        if key is not None and key not in f:
            raise CorruptFileError(path, f"object graph node {i} names a tensor {key!r:.80} the file does not hold")
    return nodes


class _Restore:
    """One restore in progress: matches saved nodes to live objects now and as they appear."""

    def __init__(self, root, prefix):
        self.file, self.nodes = open_checkpoint(prefix)
        self.path = self.file.path
        self.root = root
        self.matched = {}         # saved node id -> live object
        self.restored = set()     # saved node ids of variables given their value
        self.pending = []         # (anchor object, [names from anchor], saved node id)
        self._walk(0, root, root, [])

    def _walk(self, sid, obj, anchor, rel):
        queue = [(sid, obj, anchor, rel)]
        while queue:
            sid, obj, anchor, rel = queue.pop(0)
            if sid in self.matched:
                continue
            self.matched[sid] = obj
            node = self.nodes[sid]
            key = node.get("variable")
            if key is not None:
                self._assign(key, obj)
                self.restored.add(sid)
            if not _object_graph.is_container(obj):
                anchor, rel = obj, []
            for name, cid in node["children"].items():
                if cid in self.matched:
                    continue
                c = _object_graph.child(obj, name)
                if c is None:
                    self.pending.append((anchor, rel + [name], cid))
                    self._hook(anchor)
                else:
                    queue.append((cid, c, anchor, rel + [name]))

    def _assign(self, key, var):
        if not isinstance(var, Variable):
            raise ValueError(f"{self.path}: the checkpoint holds a variable at {key!r}, but the object there is a "
                             f"{type(var).__name__}, not a tf.Variable")
        shape, dtype = self.file.spec(key)
        vshape = var.shape
        if vshape.rank is not None and (len(shape) != vshape.rank or not vshape.is_compatible_with(shape)):
            raise ValueError(f"Received incompatible tensor with shape {list(shape)} when attempting to restore "
                             f"variable with shape {vshape} and name {var.name} (checkpoint key {key!r} in "
                             f"{self.path})")
        if dtypes.as_dtype(dtype) != var.dtype:
            raise ValueError(f"Received tensor of dtype {dtype} when attempting to restore variable {var.name} of "
                             f"dtype {var.dtype.name} (checkpoint key {key!r} in {self.path})")
        value = self.file.read(key)
        with init_scope():
            var.assign(np.asarray(value))

    def retry(self):
        """Matches pending saved objects whose live counterparts now exist."""
        pending, self.pending = self.pending, []
        for anchor, rel, cid in pending:
            if cid in self.matched:
                continue
            obj, a, arel = anchor, anchor, []
            for name in rel:
                obj = _object_graph.child(obj, name)
                if obj is None:
                    break
                if _object_graph.is_container(obj):
                    arel = arel + [name]
                else:
                    a, arel = obj, []
            if obj is None:
                self.pending.append((anchor, rel, cid))
            else:
                self._walk(cid, obj, a, arel)
        return self

    def _hook(self, obj):
        """Wraps obj's build/apply methods (on the instance) so deferred values land right after they run."""
        attrs = getattr(obj, "__dict__", None)
        if attrs is None:
            return
        waiting = attrs.get("_checkpoint_restores")
        if waiting is None:
            waiting = attrs["_checkpoint_restores"] = []
            for name in _HOOKED_METHODS:
                method = getattr(obj, name, None)
                if callable(method) and name not in attrs:
                    attrs[name] = _after(method, obj, name)
        if not any(w is self for w in waiting):
            waiting.append(self)  # held by the object, so a dropped Checkpoint still restores later

    def unmatched_saved(self):
        return [n.get("variable") for i, n in enumerate(self.nodes) if n.get("variable") and i not in self.restored]


def _after(method, obj, name):
    """method, then any restores waiting on obj retried; the wrappers go away once nothing waits."""
    owner = weakref.ref(obj)

    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        result = method(*args, **kwargs)
        o = owner()
        if o is not None:
            attrs = o.__dict__
            waiting = list(attrs.get("_checkpoint_restores", ()))
            for r in waiting:
                r.retry()
            alive = [r for r in waiting if r.pending]
            if alive:
                attrs["_checkpoint_restores"] = alive
            else:
                attrs.pop("_checkpoint_restores", None)
                for n in _HOOKED_METHODS:
                    if getattr(attrs.get(n), "_checkpoint_hook", False):
                        del attrs[n]
        return result
    wrapped._checkpoint_hook = True
    return wrapped


class CheckpointLoadStatus:
    """What `Checkpoint.restore` returns: assertions about how the checkpoint matched the objects."""

    def __init__(self, restore):
        self._restore = restore

    def assert_consumed(self):
        """Checks every saved value was restored and every live variable got one."""
        r = self._restore.retry()
        missing = r.unmatched_saved()
        if missing:
            raise AssertionError(f"Unresolved object in checkpoint {r.path}: {len(missing)} saved value(s) not "
                                 f"restored (their objects do not exist yet), e.g. {missing[:5]}")
        self.assert_existing_objects_matched()
        return self

    def assert_existing_objects_matched(self):
        """Checks every variable reachable from the checkpoint's objects was restored."""
        r = self._restore.retry()
        restored = {id(r.matched[i]) for i in r.restored}
        unmatched = [v.name for v in _object_graph.live_variables(r.root).values() if id(v) not in restored]
        if unmatched:
            raise AssertionError(f"Some objects had no values in checkpoint {r.path}: {unmatched[:10]}")
        return self

    def assert_nontrivial_match(self):
        r = self._restore.retry()
        if not r.restored:
            raise AssertionError(f"Nothing was restored from checkpoint {r.path}")
        return self

    def expect_partial(self):
        """Silences warnings about values left unrestored (webtensor does not warn); returns self."""
        return self

    def run_restore_ops(self, session=None):
        self._restore.retry()

    def initialize_or_restore(self, session=None):
        self._restore.retry()


class InitializationOnlyStatus:
    """What `restore(None)` returns: nothing to restore; assertions other than partial ones fail."""

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    assert_existing_objects_matched = assert_nontrivial_match = assert_consumed

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        pass

    initialize_or_restore = run_restore_ops


class Checkpoint:
    """Groups trackable objects so their variables can be saved and restored together.

    >>> ckpt = tf.train.Checkpoint(step=tf.Variable(1), model=model)
    >>> path = ckpt.save("/tmp/ckpts/ckpt")         # '/tmp/ckpts/ckpt-1'
    >>> ckpt.restore(tf.train.latest_checkpoint("/tmp/ckpts")).assert_consumed()
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_deps", {})
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_restores", [])
        if root is not None:
            _check_trackable("root", root)
        for name, obj in sorted(kwargs.items()):
            setattr(self, name, obj)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name == "save_counter":
            raise AttributeError("save_counter is managed by the Checkpoint")
        _check_trackable(name, value)
        self._deps[name] = value
        object.__setattr__(self, name, value)

    def _trackable_children(self):
        kids = {}
        if self._root is not None:
            kids.update(_object_graph.children(self._root))
        kids.update(self._deps)
        kids["save_counter"] = self.save_counter
        return kids

    @property
    def save_counter(self):
        """How many times `save` has run (an int64 tf.Variable, saved with the checkpoint)."""
        if self._save_counter is None:
            with init_scope():
                object.__setattr__(self, "_save_counter",
                                   Variable(0, dtype=dtypes.int64, trainable=False, name="save_counter"))
        return self._save_counter

    def write(self, file_prefix, options=None):
        """Writes the checkpoint to `<file_prefix>.index` (no counter, no state file); returns file_prefix."""
        return write_checkpoint(self, file_prefix)

    def save(self, file_prefix, options=None):
        """Saves to `<file_prefix>-<n>` (n = the new save_counter) and records it in the `checkpoint` file."""
        from . import checkpoint_management
        file_prefix = os.fspath(file_prefix)
        with init_scope():
            self.save_counter.assign_add(1)
        path = self.write(f"{file_prefix}-{int(self.save_counter.numpy())}")
        checkpoint_management.record_checkpoint(os.path.dirname(path) or ".", path)
        return path

    def read(self, save_path, options=None):
        """Restores from save_path (as `restore`, for checkpoints made by `write`)."""
        return self.restore(save_path, options)

    def restore(self, save_path, options=None):
        """Restores the variables saved at save_path; values for objects not created yet wait for them.

        Returns a status object: `assert_consumed()`, `assert_existing_objects_matched()`,
        `expect_partial()`.
        """
        if save_path is None:
            return InitializationOnlyStatus()
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            raise ValueError(f"Checkpoint.restore expects a checkpoint prefix, but {save_path!r} is a directory; "
                             "use tf.train.latest_checkpoint(directory)")
        r = _Restore(self, save_path)
        self._restores.append(r)
        return CheckpointLoadStatus(r)


def _check_trackable(name, obj):
    if not _object_graph.is_trackable(obj) and getattr(obj, "__dict__", None) is None:
        raise ValueError(f"`Checkpoint` was expecting a trackable object (a tf.Module, tf.Variable, Keras object "
                         f"or a list/dict of them) for {name!r}, got {obj!r:.80}")
