"""The one piece of global state every op consults: are we tracing, which tapes
record, which device places ops, which name scope names them."""
import contextlib


class _State:
    __slots__ = ("graph", "tapes", "device", "scope", "run_functions_eagerly")

    def __init__(self):
        self.graph = None          # the Graph being traced into, or None when eager
        self.tapes = ()            # the active GradientTapes, innermost last
        self.device = None         # a backends.Device chosen by `tf.device`, or None
        self.scope = ()            # name-scope parts
        self.run_functions_eagerly = False


state = _State()


@contextlib.contextmanager
def swapped(**values):
    """Temporarily replaces fields of the global state."""
    saved = {k: getattr(state, k) for k in values}
    for k, v in values.items():
        setattr(state, k, v)
    try:
        yield state
    finally:
        for k, v in saved.items():
            setattr(state, k, v)


def executing_eagerly():
    """True outside of tf.function tracing.

    >>> tf.executing_eagerly()
    True
    """
    return state.graph is None


@contextlib.contextmanager
def init_scope():
    """Leaves any tracing (and tape recording) to run code eagerly, e.g. variable initializers."""
    with swapped(graph=None, tapes=()):
        yield


class name_scope:
    """Prefixes the names of ops and variables created inside.

    >>> with tf.name_scope("layer1"): ...
    """

    def __init__(self, name, default_name=None, values=None):
        self._name = name if name is not None else default_name
        self._saved = None

    @property
    def name(self):
        return self._name

    def __enter__(self):
        self._saved = state.scope
        name = self._name
        if not name:
            state.scope = ()
        elif name.endswith("/"):
            state.scope = tuple(p for p in name.rstrip("/").split("/") if p)
        else:
            state.scope = self._saved + (name,)
        return "/".join(state.scope) + "/" if state.scope else ""

    def __exit__(self, *exc):
        state.scope = self._saved
        return False


def scope_name():
    return "/".join(state.scope)
