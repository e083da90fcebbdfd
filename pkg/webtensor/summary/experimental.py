"""tf.summary.experimental: the default step, and summary_scope."""
import contextlib

from ..core.state import name_scope
from .writer import get_step, set_step  # noqa: F401


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """A name scope for summary ops; yields (tag prefix, scope name).

    >>> with tf.summary.experimental.summary_scope("loss") as (tag, scope): ...
    """
    name = name or default_name
    with name_scope(name) as scope:
        yield scope.rstrip("/"), scope
