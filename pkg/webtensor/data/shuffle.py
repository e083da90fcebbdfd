"""Dataset.shuffle: a buffer of buffer_size elements, each output drawn uniformly from it (host RNG).

The RNG is numpy's, seeded from the (global seed, op seed) pair that tf.random.set_seed and the op's
`seed` give, by TensorFlow's rules, so a program that sets seeds sees the same orders on every run.
With reshuffle_each_iteration, pass k draws from the stream (seeds, k); without it every pass repeats
the first order.
"""
import os

import numpy as np

from .. import errors
from ..ops.random_ops import get_seed
from .dataset import Dataset

_DRAWS = 256  # random numbers drawn at once (one numpy call per chunk, not per element)


class SeedStream:
    """Host RNGs for successive passes, seeded like a TensorFlow random op."""

    def __init__(self, seed, reshuffle):
        global_seed, op_seed = get_seed(seed)
        if global_seed is None:  # no seed anywhere: a different order on every run
            self._base = [int.from_bytes(os.urandom(8), "little") for _ in range(2)]
        else:
            self._base = [global_seed % 2 ** 64, op_seed % 2 ** 64]
        self._reshuffle = reshuffle
        self._passes = 0

    def next_rng(self):
        """The numpy Generator of the next pass."""
        k = self._passes if self._reshuffle else 0
        self._passes += 1
        return np.random.default_rng(np.random.SeedSequence(self._base + [k]))


class Shuffle(Dataset):
    """Dataset.shuffle (see the module doc)."""

    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        from .transforms import count_of
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"Expected a tf.data.Dataset, got {type(input_dataset).__name__}")
        self._input = input_dataset
        self._size = count_of(buffer_size, "buffer_size")
        if self._size <= 0:
            raise errors.InvalidArgumentError(None, "ShuffleDataset", f"buffer_size must be greater than zero "
                                                                      f"(got {self._size}).")
        self._seeds = SeedStream(seed, True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration))
        self._spec = input_dataset.element_spec
        self._options = input_dataset._options

    def _elements(self):
        rng = self._seeds.next_rng()
        draws, pos = rng.random(_DRAWS), 0
        buf = []
        size = self._size
        for element in self._input._elements():
            if len(buf) < size:
                buf.append(element)
                continue
            if pos == _DRAWS:
                draws, pos = rng.random(_DRAWS), 0
            i = int(draws[pos] * len(buf))
            pos += 1
            yield buf[i]
            buf[i] = element
        while buf:
            if pos == _DRAWS:
                draws, pos = rng.random(_DRAWS), 0
            i = int(draws[pos] * len(buf))
            pos += 1
            yield buf[i]
            buf[i] = buf[-1]
            buf.pop()

    def _cardinality(self):
        return self._input._cardinality()
