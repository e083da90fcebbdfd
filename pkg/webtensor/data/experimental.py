"""tf.data.experimental: AUTOTUNE, cardinality, assert_cardinality, debug mode, Optional."""
import enum

import numpy as np

from .. import errors
from ..core.tensor import convert_to_tensor
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset  # noqa: F401
from .functions import disable_debug_mode, enable_debug_mode  # noqa: F401
from .transforms import Unary


def cardinality(dataset):
    """The number of elements of `dataset` as an int64 tensor (-1: infinite, -2: unknown).

    >>> tf.data.experimental.cardinality(tf.data.Dataset.range(4)).numpy()
    4
    """
    return dataset.cardinality()


class _AssertCardinality(Unary):
    def __init__(self, input_dataset, expected):
        super().__init__(input_dataset)
        self._expected = int(np.asarray(expected.numpy() if hasattr(expected, "numpy") else expected))

    def _elements(self):
        n = 0
        for element in self._input._elements():
            n += 1
            if self._expected >= 0 and n > self._expected:
                raise errors.FailedPreconditionError(
                    None, "AssertCardinalityDataset", f"Input dataset was expected to contain {self._expected} "
                                                      f"elements but contained at least {n} elements.")
            yield element
        if n != self._expected and self._expected != INFINITE_CARDINALITY:
            raise errors.FailedPreconditionError(
                None, "AssertCardinalityDataset", f"Input dataset was expected to contain {self._expected} elements "
                                                  f"but contained only {n} elements.")

    def _cardinality(self):
        return self._expected


def assert_cardinality(expected_cardinality):
    """A transformation (for Dataset.apply) that declares the cardinality and checks it while iterating.

    >>> ds = ds.apply(tf.data.experimental.assert_cardinality(10))
    """
    return lambda dataset: _AssertCardinality(dataset, expected_cardinality)


class AutoShardPolicy(enum.IntEnum):
    """How a distributed input pipeline is sharded (accepted in Options; webtensor does not shard)."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class Optional:
    """A value that may be absent (Iterator.get_next_as_optional).

    >>> opt = iter(tf.data.Dataset.range(1)).get_next_as_optional()
    >>> opt.has_value().numpy(), opt.get_value().numpy()
    (True, 0)
    """

    def __init__(self, value, has_value, element_spec):
        self._value, self._has, self.element_spec = value, has_value, element_spec

    @staticmethod
    def from_value(value):
        from ..tensor_shape import TensorSpec
        from . import structure
        return Optional(value, True, structure.map_leaves(lambda t: TensorSpec(t.shape, t.dtype), value))

    @staticmethod
    def empty(element_spec):
        return Optional(None, False, element_spec)

    def has_value(self, name=None):
        return convert_to_tensor(self._has)

    def get_value(self, name=None):
        if not self._has:
            raise errors.InvalidArgumentError(None, "OptionalGetValue", "The optional does not have a value.")
        return self._value
