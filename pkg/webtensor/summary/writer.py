"""Summary writers: event files in a log directory, the default writer, step and recording condition.

Events are queued and appended as whole records by flush() (called by close(), as_default's exit, when
the queue grows past max_queue, or when flush_millis have passed at the next write), so a crash leaves
every earlier record readable.
"""
import atexit
import contextlib
import itertools
import os
import socket
import threading
import time
import weakref

from . import proto
from .event_file import frame_record

FILE_VERSION = "brain.Event:2"
_WRITERS = weakref.WeakValueDictionary()   # writer id -> writer; graph ops refer to writers by id
_writer_ids = itertools.count(1)
_file_counter = itertools.count()


class _SummaryState(threading.local):
    def __init__(self):
        self.writer = None
        self.step = None
        self.record_if = True     # a bool, a bool tensor, or a callable returning either


_state = _SummaryState()
_record_listeners = []   # callables (event file path, framed record bytes): the notebook's live dashboard


def add_record_listener(listener):
    """Calls `listener(path, record)` with every record a file writer writes, as it is written.

    `record` is the framed bytes appended to the event file at `path` (a file is the concatenation of
    its records), so a listener can rebuild the file or decode it as it grows. The notebook kernel
    streams records to the page's dashboard this way. Returns `listener`.

    >>> seen = []
    >>> _ = add_record_listener(lambda path, record: seen.append(len(record)))
    """
    _record_listeners.append(listener)
    return listener


def remove_record_listener(listener):
    """Stops calling a listener added with add_record_listener."""
    if listener in _record_listeners:
        _record_listeners.remove(listener)


def _notify(path, record):
    for listener in list(_record_listeners):
        try:
            listener(path, record)
        except Exception as e:  # noqa: BLE001 - a broken listener must not lose the event file
            import warnings
            warnings.warn(f"webtensor.summary: record listener {listener!r} failed ({type(e).__name__}: {e}); removed")
            remove_record_listener(listener)


class SummaryWriter:
    """Interface of summary writers (see create_file_writer)."""

    def set_as_default(self, step=None):
        """Makes this writer the default for summaries from now on (and the default step, when given)."""
        _state.writer = self
        if step is not None:
            _state.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Context in which summaries go to this writer; flushes it on exit.

        >>> with tf.summary.create_file_writer("logs").as_default(step=0):
        ...     tf.summary.scalar("loss", 0.5)
        """
        old_writer, old_step = _state.writer, _state.step
        _state.writer = self
        if step is not None:
            _state.step = step
        try:
            yield self
            self.flush()
        finally:
            _state.writer, _state.step = old_writer, old_step

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass


class _FileWriter(SummaryWriter):
    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=".v2", name=None):
        self.logdir = os.fspath(logdir)
        self.max_queue = 10 if max_queue is None else int(max_queue)
        self.flush_secs = (120000 if flush_millis is None else flush_millis) / 1000.0
        self.filename_suffix = ".v2" if filename_suffix is None else filename_suffix
        self.name = name
        self._id = next(_writer_ids)
        self._lock = threading.RLock()
        self._queue = []
        self._file = None
        self.path = None
        self.closed = False
        _WRITERS[self._id] = self
        _OPEN.add(self)
        self.init()

    def init(self):
        """Creates the log directory and the event file (with its file_version event), if not done yet."""
        with self._lock:
            if self._file is not None:
                return
            os.makedirs(self.logdir, exist_ok=True)
            now = time.time()
            filename = (f"events.out.tfevents.{int(now):010d}.{socket.gethostname()}.{os.getpid()}."
                        f"{next(_file_counter)}{self.filename_suffix}")
            self.path = os.path.join(self.logdir, filename)
            self._file = open(self.path, "ab")
            self.closed = False
            self._last_flush = now
            self.write_event(proto.Event(wall_time=now, file_version=FILE_VERSION))
            self.flush()

    def write_event(self, event):
        """Queues one proto.Event; flushes when the queue is full or flush_millis have passed."""
        with self._lock:
            if self.closed:
                return False
            record = frame_record(proto.encode_event(event))
            self._queue.append(record)
            if _record_listeners:
                _notify(self.path, record)
            if len(self._queue) > self.max_queue or time.time() - self._last_flush >= self.flush_secs:
                self.flush()
            return True

    def flush(self):
        """Appends the queued events to the event file."""
        with self._lock:
            if self._queue and self._file is not None:
                self._file.write(b"".join(self._queue))
                self._file.flush()
            self._queue = []
            self._last_flush = time.time()

    def close(self):
        """Flushes and closes the event file; later summaries to this writer are dropped."""
        with self._lock:
            if self._file is None:
                return
            self.flush()
            self._file.close()
            self._file = None
            self.closed = True
        _OPEN.discard(self)

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def __repr__(self):
        return f"<SummaryWriter logdir={self.logdir!r}>"


class _NoopWriter(SummaryWriter):
    """A writer that writes nothing; as_default leaves the current default in place (as TensorFlow)."""

    def set_as_default(self, step=None):
        pass

    @contextlib.contextmanager
    def as_default(self, step=None):
        yield self


_OPEN = weakref.WeakSet()


@atexit.register
def _flush_all():
    for writer in list(_OPEN):
        try:
            writer.flush()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None):
    """Creates a summary writer of TensorBoard event files in logdir (created if missing).

    >>> writer = tf.summary.create_file_writer("logs/train")
    >>> with writer.as_default():
    ...     tf.summary.scalar("loss", 0.25, step=1)
    """
    if logdir is None:
        raise ValueError("create_file_writer: logdir cannot be None")
    if hasattr(logdir, "numpy"):
        logdir = logdir.numpy()
    if isinstance(logdir, bytes):
        logdir = logdir.decode("utf-8")
    return _FileWriter(logdir, max_queue, flush_millis, filename_suffix, name)


def create_noop_writer():
    """A summary writer that does nothing (for code that always expects a writer).

    >>> with tf.summary.create_noop_writer().as_default(): ...
    """
    return _NoopWriter()


def flush(writer=None, name=None):
    """Flushes a writer (the default one when None)."""
    writer = _state.writer if writer is None else writer
    if writer is not None:
        writer.flush()


def default_writer():
    """The current default writer, or None."""
    return _state.writer


# -- step and recording condition -------------------------------------------------------------------

def set_step(step):
    """Sets the default step for summaries (an int, a tensor or a tf.Variable, read when written).

    >>> tf.summary.experimental.set_step(10)
    """
    _state.step = step


def get_step():
    """The default step set by set_step or as_default(step=...), or None."""
    return _state.step


@contextlib.contextmanager
def record_if(condition):
    """Records summaries only while condition (a bool, a bool tensor, or a callable returning one) holds.

    >>> with tf.summary.record_if(lambda: step % 10 == 0): ...
    """
    old = _state.record_if
    _state.record_if = condition
    try:
        yield
    finally:
        _state.record_if = old


def _condition():
    """The recording condition now: a Python bool or a bool tensor."""
    cond = _state.record_if
    if callable(cond):
        cond = cond()
    if isinstance(cond, bool) or cond is None:
        return bool(cond)
    if hasattr(cond, "_dtype") and getattr(cond, "_value", None) is not None:   # an eager tensor
        return bool(cond.numpy())
    return cond


def should_record_summaries():
    """Whether summaries would be recorded now: a default writer exists and the record_if condition holds.

    >>> tf.summary.should_record_summaries()
    <tf.Tensor: shape=(), dtype=bool, numpy=False>
    """
    from ..core.tensor import constant
    if _state.writer is None:
        return constant(False)
    cond = _condition()
    return constant(cond) if isinstance(cond, bool) else cond
