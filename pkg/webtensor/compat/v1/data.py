"""tf.compat.v1.data: datasets read through TF1 iterators (`make_one_shot_iterator`, `make_initializable_iterator`).

A compat.v1 Dataset is a recipe over webtensor.data.Dataset whose arguments may
be graph tensors (`Dataset.from_tensor_slices(tf.random_normal([10, 3]))`): a
Session computes them when the iterator is initialized (or, for one-shot
iterators, at the first get_next), then iterates the real dataset on the host.
`get_next()` returns graph tensors; running them past the end raises
tf.errors.OutOfRangeError.
"""
import numpy as np

from ... import data as _data
from ... import errors, nest
from ...core.state import init_scope
from ...core.tensor import SymbolicTensor, constant
from ...data import *  # noqa: F401,F403  (AUTOTUNE, Options, ...)
from . import graph as _graph
from . import session as _session

_STATIC = ("from_tensor_slices", "from_tensors", "from_generator", "range", "zip", "counter", "random",
           "sample_from_datasets", "choose_from_datasets")


def _symbolic_leaves(x, out):
    """Collects the graph tensors in args (also inside nested compat Datasets)."""
    if isinstance(x, Dataset):
        for t in x._symbolic:
            if not any(t is s for s in out):
                out.append(t)
    elif isinstance(x, SymbolicTensor):
        if not any(x is s for s in out):
            out.append(x)
    elif isinstance(x, dict):
        for v in x.values():
            _symbolic_leaves(v, out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _symbolic_leaves(v, out)
    return out


def _resolve(x, values):
    """args with graph tensors replaced by their values and compat Datasets by real datasets."""
    if isinstance(x, Dataset):
        return x._build(values)
    if isinstance(x, SymbolicTensor):
        return values[id(x)]
    if isinstance(x, dict):
        return type(x)((k, _resolve(v, values)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_resolve(v, values) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_resolve(v, values) for v in x)
    return x


class Dataset:
    """A TF1-style dataset: webtensor.data.Dataset methods, plus TF1 iterators.

    >>> ds = tf.compat.v1.data.Dataset.from_tensor_slices([[0, 1], [2, 3]])
    >>> next_item = ds.make_one_shot_iterator().get_next()
    """

    def __init__(self, parent, method, args, kwargs):
        self._parent = parent
        self._method = method
        self._args = args
        self._kwargs = kwargs
        self._symbolic = _symbolic_leaves((parent, args, kwargs), [])
        self._prototype = None

    def _build(self, values):
        args = _resolve(self._args, values)
        kwargs = _resolve(self._kwargs, values)
        with init_scope():
            if self._parent is None:
                return getattr(_data.Dataset, self._method)(*args, **kwargs)
            return getattr(self._parent._build(values), self._method)(*args, **kwargs)

    def _proto(self):
        """The dataset built on zeros for the graph tensors: its element_spec is this dataset's."""
        if self._prototype is None:
            values = {id(t): constant(np.zeros(tuple(1 if d is None else d for d in t._shape),
                                               t.dtype.as_numpy_dtype)) for t in self._symbolic}
            self._prototype = self._build(values)
        return self._prototype

    @property
    def element_spec(self):
        return self._proto().element_spec

    @property
    def output_types(self):
        return nest.map_structure(lambda s: s.dtype, self.element_spec)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda s: s.shape, self.element_spec)

    def make_one_shot_iterator(self):
        """An iterator that starts on its first get_next in each session."""
        return Iterator(self, one_shot=True)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator started (or restarted) by running `iterator.initializer`."""
        return Iterator(self, one_shot=False)

    def __iter__(self):
        if self._symbolic:
            raise RuntimeError("This dataset depends on graph tensors: read it with make_initializable_iterator "
                               "and a Session.")
        return iter(self._build({}))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(_data.Dataset, name)
        if not callable(attr):
            return getattr(self._proto(), name)

        def method(*args, **kwargs):
            return Dataset(self, name, args, kwargs)
        method.__name__ = name
        return method

    def __repr__(self):
        return f"<compat.v1 Dataset {self._method} element_spec={self.element_spec}>"


def _static(name):
    def make(*args, **kwargs):
        return Dataset(None, name, args, kwargs)
    make.__name__ = name
    make.__doc__ = f"A compat.v1 Dataset from webtensor.data.Dataset.{name} (graph tensors allowed in its arguments)."
    return staticmethod(make)


for _name in _STATIC:
    setattr(Dataset, _name, _static(_name))

DatasetV1 = Dataset


def _as_v1(dataset):
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, _data.Dataset):
        ds = Dataset.__new__(Dataset)
        ds._parent, ds._method, ds._args, ds._kwargs = None, None, (), {}
        ds._symbolic = []
        ds._prototype = dataset
        ds._build = lambda values: dataset
        return ds
    raise TypeError(f"Expected a tf.data.Dataset, got {type(dataset).__name__}")


class Iterator:
    """A TF1 iterator over a dataset, stateful per Session.

    >>> it = dataset.make_initializable_iterator()
    >>> sess.run(it.initializer); sess.run(it.get_next())
    """

    def __init__(self, dataset, one_shot):
        g = _graph._graph_for_building("make_one_shot_iterator" if one_shot else "make_initializable_iterator")
        self._graph = g
        self._dataset = _as_v1(dataset)
        self._one_shot = one_shot
        self._spec = self._dataset.element_spec
        self._initializer = None
        if not one_shot:
            self._initializer, _ = g.add_op("make_iterator", inputs=self._dataset._symbolic,
                                            params={"iterator": self}, node_name="MakeIterator")

    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer (one-shot iterators start by themselves).")
        return self._initializer

    @property
    def element_spec(self):
        return self._spec

    @property
    def output_types(self):
        return self._dataset.output_types

    @property
    def output_shapes(self):
        return self._dataset.output_shapes

    def get_next(self, name=None):
        """Graph tensors holding the next element at each run; OutOfRangeError at the end."""
        specs = nest.flatten(self._spec)
        avals = [(tuple(s.shape.as_list()) if s.shape.rank is not None else (), s.dtype) for s in specs]
        inputs = self._dataset._symbolic if self._one_shot else ()
        _, outs = self._graph.add_op("iterator_get_next", inputs=inputs, params={"iterator": self}, avals=avals,
                                     node_name=name or "IteratorGetNext")
        return nest.pack_sequence_as(self._spec, list(outs))

    def _start(self, session, ins):
        values = {id(t): v for t, v in zip(self._dataset._symbolic, ins)}
        session._resources[id(self)] = (self, iter(self._dataset._build(values)))


def _make_iterator_rule(session, node, ins):
    node.params["iterator"]._start(session, ins)


def _get_next_rule(session, node, ins):
    it = node.params["iterator"]
    state = session._resources.get(id(it))
    if state is None:
        if not it._one_shot:
            raise errors.FailedPreconditionError(
                None, node.name, "GetNext() failed because the iterator has not been initialized. Ensure that you "
                "have run the initializer operation for this iterator before getting the next element.")
        it._start(session, ins)
        state = session._resources[id(it)]
    try:
        element = next(state[1])
    except StopIteration:
        raise errors.OutOfRangeError(None, node.name, "End of sequence\n\t [[{{node " + node.name + "}}]]") from None
    return tuple(nest.flatten(element))


_session.RULES["make_iterator"] = _make_iterator_rule
_session.RULES["iterator_get_next"] = _get_next_rule


def make_one_shot_iterator(dataset):
    """A one-shot iterator over `dataset` (TF1's `dataset.make_one_shot_iterator()`)."""
    return Iterator(dataset, one_shot=True)


def make_initializable_iterator(dataset, shared_name=None):
    """An initializable iterator over `dataset` (run `iterator.initializer` first)."""
    return Iterator(dataset, one_shot=False)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes
