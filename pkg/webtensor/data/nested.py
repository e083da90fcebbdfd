"""flat_map and interleave: each element maps to a dataset, whose elements are concatenated or interleaved.

The function returns a Dataset, which webtensor builds from eager tensors, so it runs eagerly per
element (TensorFlow traces it once). The element_spec is found from the first element's dataset when
first asked for (None for an empty input).
"""
import os

from .dataset import AUTOTUNE, UNKNOWN_CARDINALITY, Dataset
from . import structure
from .functions import call_with_element

_UNSET = object()


class _DatasetFunction:
    def __init__(self, func, what):
        if not callable(func):
            raise TypeError(f"{what}: expected a callable, got {func!r}")
        self._func, self._what = func, what

    def __call__(self, element):
        out = call_with_element(self._func, structure.to_tensors(element))
        if not isinstance(out, Dataset):
            raise TypeError(f"{self._what}: the function must return a `tf.data.Dataset` object, got "
                            f"{type(out).__name__}.")
        return out


class FlatMap(Dataset):
    """Dataset.flat_map: the datasets of every element, one after another."""

    def __init__(self, input_dataset, map_func):
        self._input = input_dataset
        self._fn = _DatasetFunction(map_func, "Dataset.flat_map()")
        self._lazy_spec = _UNSET
        self._options = input_dataset._options

    @property
    def element_spec(self):
        if self._lazy_spec is _UNSET:
            self._lazy_spec = None
            for element in self._input._elements():
                self._lazy_spec = self._fn(element).element_spec
                break
        return self._lazy_spec

    def _elements(self):
        for element in self._input._elements():
            yield from self._fn(element)._elements()

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class Interleave(FlatMap):
    """Dataset.interleave: block_length elements from each of cycle_length open datasets in turn."""

    def __init__(self, input_dataset, map_func, cycle_length, block_length):
        super().__init__(input_dataset, map_func)
        self._fn = _DatasetFunction(map_func, "Dataset.interleave()")
        if cycle_length is None or cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        self._cycle = int(cycle_length)
        self._block = 1 if block_length is None else int(block_length)
        if self._cycle <= 0 or self._block <= 0:
            raise ValueError(f"interleave: cycle_length and block_length must be positive, got {self._cycle} and "
                             f"{self._block}")

    def _elements(self):
        inputs = self._input._elements()
        slots = [None] * self._cycle
        index, block, open_count, input_done = 0, 0, 0, False
        while not input_done or open_count > 0:
            if slots[index] is not None:
                try:
                    element = next(slots[index])
                except StopIteration:
                    slots[index] = None
                    open_count -= 1
                    index, block = (index + 1) % self._cycle, 0
                    continue
                block += 1
                if block == self._block:
                    index, block = (index + 1) % self._cycle, 0
                yield element
            elif not input_done:
                try:
                    slots[index] = self._fn(next(inputs))._elements()
                    open_count += 1
                except StopIteration:
                    input_done = True
            else:
                index, block = (index + 1) % self._cycle, 0
