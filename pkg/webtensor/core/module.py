"""tf.Module: finds variables and submodules through attributes, lists, tuples and dicts."""
import re

from .state import name_scope as _name_scope
from .variable import Variable


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class Module:
    """Base class for objects that hold variables and other modules.

    >>> class Dense(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable(tf.ones([2, 2]))
    >>> len(Dense().trainable_variables)
    1
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_self_unconditional_checkpoint_dependencies",
                                               "_self_unconditional_dependency_names"))

    def __init__(self, name=None):
        if name is None:
            name = _snake(type(self).__name__)
        elif not re.match(r"^[A-Za-z_][\w.\-]*$", name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name).")
        self._name = name
        with _name_scope(name) as scope_name:
            self._scope_name = scope_name

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        """A name_scope for this module's ops: `with self.name_scope: ...`."""
        return _name_scope(self._scope_name or self._name + "/")

    @property
    def variables(self):
        """All variables of this module and its submodules, without duplicates."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        """The trainable variables of this module and its submodules."""
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self):
        """All modules reachable from this one (not including itself): each module's own, then depth first."""
        return tuple(self._flatten(predicate=lambda v: isinstance(v, Module)))

    def _flatten(self, recursive=True, predicate=None, with_path=False):
        """Objects under this module (by attribute, then list/tuple/dict entries) matching predicate."""
        seen = {id(self)}
        found = []
        _flatten_module(self, (), predicate, seen, found, recursive)
        return list(found) if with_path else [v for _, v in found]

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs the method inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = getattr(method, "__name__", "method")
        wrapped.__doc__ = getattr(method, "__doc__", None)
        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


def _is_variable(v):
    return isinstance(v, Variable)


def _flatten_module(module, path, predicate, seen, found, recursive):
    """Matches among module's attributes in sorted order, then depth first into its submodules (as TF does)."""
    submodules = []
    for key, value in _module_attributes(module):
        _walk(value, path + (key,), predicate, seen, found, submodules, recursive)
    for sub_path, sub in submodules:
        _flatten_module(sub, sub_path, predicate, seen, found, recursive)


def _module_attributes(module):
    ignored = getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", ())
    items = [(k, v) for k, v in vars(module).items() if k not in ignored]
    items.sort(key=lambda kv: kv[0])
    return items


def _walk(value, path, predicate, seen, found, next_queue, recursive):
    if isinstance(value, Module) or isinstance(value, Variable):
        if id(value) in seen:
            return
        seen.add(id(value))
        if predicate(value):
            found.append((path, value))
        if isinstance(value, Module) and recursive:
            next_queue.append((path, value))
        return
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        for k in keys:
            _walk(value[k], path + (k,), predicate, seen, found, next_queue, recursive)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _walk(v, path + (i,), predicate, seen, found, next_queue, recursive)
