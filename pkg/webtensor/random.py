"""tf.random: seeded random tensors and tf.random.Generator, on the Philox generator of ops/random_ops.py."""
import enum
import os
import types

import numpy as np

from . import dtypes
from .core.state import init_scope
from .core.tensor import SymbolicTensor, convert_to_tensor
from .ops.random_ops import (DEFAULT_GRAPH_SEED, FLOATS, INTS, categorical, check_dtype,  # noqa: F401
                             draw_categorical, draw_normal, draw_shuffle, draw_uniform, get_seed, normal, sample,
                             set_seed, shuffle, stateless, take_from, to_int64, truncated_normal, uniform)

_STATE_SIZE = 3


class Algorithm(enum.Enum):
    """The RNG algorithms of TensorFlow; webtensor implements PHILOX (AUTO_SELECT picks it)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _algorithm(alg):
    """The algorithm's number (1: Philox); raises for THREEFRY, which webtensor does not implement."""
    if alg is None:
        return Algorithm.PHILOX.value
    if isinstance(alg, str):
        key = alg.upper()
        if key not in Algorithm.__members__:
            raise ValueError(f"Unsupported algorithm name: {alg!r}; expected 'philox' or 'auto_select'")
        alg = Algorithm[key]
    value = alg.value if isinstance(alg, Algorithm) else int(alg)
    if value == Algorithm.AUTO_SELECT.value:
        return Algorithm.PHILOX.value
    if value != Algorithm.PHILOX.value:
        raise ValueError(f"Algorithm {alg!r} is not supported: webtensor's generators use Philox "
                         f"(tf.random.Algorithm.PHILOX = 1)")
    return value


def _state_array(state_value, what="state"):
    arr = np.asarray(state_value.numpy() if hasattr(state_value, "numpy") else state_value)
    if arr.dtype.kind not in "iu" or arr.shape != (_STATE_SIZE,):
        raise ValueError(f"The {what} of a Philox generator must be {_STATE_SIZE} integers "
                         f"[counter_lo, counter_hi, key], got {arr.dtype}{list(arr.shape)}")
    return np.array([to_int64(x) for x in arr.tolist()], np.int64)


def create_rng_state(seed, alg):
    """The int64 Philox state [counter_lo, counter_hi, key] that Generator.from_seed(seed) starts from.

    >>> tf.random.create_rng_state(1, "philox")
    array([0, 0, 1])
    """
    _algorithm(alg)
    if isinstance(seed, (list, tuple, np.ndarray)):
        words = [to_int64(s) for s in np.asarray(seed).reshape(-1).tolist()]
        if len(words) > _STATE_SIZE:
            raise ValueError(f"create_rng_state: a seed of {len(words)} integers is longer than the state")
        return np.array([0] * (_STATE_SIZE - len(words)) + words, np.int64)
    return np.array([0, 0, to_int64(seed)], np.int64)


class Generator:
    """A random number generator whose state (an int64 tf.Variable) advances with every draw.

    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal(shape=[2, 3]).shape
    TensorShape([2, 3])
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("Generator: when copy_from is given, state and alg must be None")
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        elif state is None:
            raise ValueError("Generator needs copy_from or state; use Generator.from_seed(seed) or "
                             "Generator.from_non_deterministic_state()")
        self._alg = _algorithm(alg)
        from .core.variable import Variable
        with init_scope():
            self._state_var = Variable(_state_array(state), dtype=dtypes.int64, trainable=False, name="StateVar")

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def from_state(cls, state, alg):
        """A generator starting at the given int64[3] state [counter_lo, counter_hi, key]."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator determined by an integer seed (the same seed gives the same stream)."""
        return cls(state=create_rng_state(seed, _algorithm(alg)), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator whose state comes from the operating system's entropy."""
        return cls(state=np.frombuffer(os.urandom(8 * _STATE_SIZE), np.int64).copy(), alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A generator from a key (one integer) and a counter (two integers)."""
        return cls(state=_key_counter_state(key, counter), alg=alg)

    def reset(self, state):
        """Sets the state: int64 [counter_lo, counter_hi, key]."""
        self._state_var.assign(_state_array(state))

    def reset_from_seed(self, seed):
        """Restarts the stream that from_seed(seed) would give."""
        self._state_var.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        self._state_var.assign(_key_counter_state(key, counter))

    def skip(self, delta):
        """Advances the counter by delta Philox blocks (4 x 32 random bits each)."""
        self._state_var.assign_add(np.array([to_int64(delta), 0, 0], np.int64))

    # -- properties --------------------------------------------------------------------------------

    @property
    def state(self):
        """The int64 tf.Variable [counter_lo, counter_hi, key] that every draw reads and advances."""
        return self._state_var

    @property
    def algorithm(self):
        """The RNG algorithm's number (1: Philox)."""
        return self._alg

    @property
    def key(self):
        return self._state_var.read_value()[2]

    def _take(self, nblocks):
        return take_from(self._state_var, nblocks)

    # -- sampling ----------------------------------------------------------------------------------

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        """Uniform values in [minval, maxval); for ints give both bounds, or both None for the full range."""
        dtype = check_dtype(dtype, FLOATS + INTS, "Generator.uniform")
        if dtype.is_integer and (minval is None) != (maxval is None):
            raise ValueError(f"For integer dtype {dtype!r}, minval and maxval must be both `None` or both "
                             f"non-`None`; got minval={minval!r} and maxval={maxval!r}.")
        return draw_uniform(self._take, shape, minval, maxval, dtype, "Generator.uniform")

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        """Integers uniform over the whole range of dtype."""
        dtype = check_dtype(dtype, INTS, "Generator.uniform_full_int")
        return draw_uniform(self._take, shape, None, None, dtype, "Generator.uniform_full_int")

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Normally distributed values."""
        return draw_normal("random_normal", self._take, shape, mean, stddev, dtype, "Generator.normal")

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Normal values within 2 standard deviations of the mean."""
        return draw_normal("random_truncated_normal", self._take, shape, mean, stddev, dtype,
                           "Generator.truncated_normal")

    def make_seeds(self, count=1):
        """count new seeds for stateless ops: an int64 tensor of shape [2, count]."""
        return draw_uniform(self._take, (2, int(count)), None, None, dtypes.int64, "Generator.make_seeds")

    def split(self, count=1):
        """count new generators whose streams are independent of this one (which advances)."""
        seeds = self.make_seeds(count)
        if isinstance(seeds, SymbolicTensor):
            raise ValueError("Generator.split creates variables: call it outside tf.function")
        seeds = seeds.numpy()
        return [Generator(state=np.array([0, seeds[0, i], seeds[1, i]], np.int64), alg=self._alg)
                for i in range(int(count))]

    def __repr__(self):
        return f"<tf.random.Generator alg={self._alg} state={self._state_var.numpy().tolist()}>"


def _key_counter_state(key, counter):
    key = np.asarray(key.numpy() if hasattr(key, "numpy") else key).reshape(-1)
    counter = np.asarray(counter.numpy() if hasattr(counter, "numpy") else counter).reshape(-1)
    if key.shape != (1,) or counter.shape != (2,):
        raise ValueError(f"Philox needs a key of 1 integer and a counter of 2, got {key.shape[0]} and "
                         f"{counter.shape[0]}")
    return _state_array([counter[0], counter[1], key[0]])


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None, alg="auto_select"):
    """Uniform values determined only by seed=[a, b] (ints: both bounds, or both None for the full range).

    >>> tf.random.stateless_uniform([2], seed=[1, 2]).shape
    TensorShape([2])
    """
    op = "stateless_random_uniform"
    dtype = check_dtype(dtype, FLOATS + INTS, op)
    if dtype.is_integer and (minval is None) != (maxval is None):
        raise ValueError(f"For integer dtype {dtype!r}, minval and maxval must be both `None` or both non-`None`;"
                         f" got minval={minval!r} and maxval={maxval!r}.")
    if dtype in (dtypes.uint32, dtypes.uint64) and minval is not None:
        raise ValueError(f"{op}: unsigned dtype {dtype.name} supports only the full range (minval=maxval=None)")
    return draw_uniform(stateless(seed, op), shape, minval, maxval, dtype, op)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"):
    """Normal values determined only by seed=[a, b].

    >>> tf.random.stateless_normal([2], seed=[1, 2]).shape
    TensorShape([2])
    """
    op = "stateless_random_normal"
    return draw_normal("random_normal", stateless(seed, op), shape, mean, stddev, dtype, op)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                               alg="auto_select"):
    """Truncated normal values (within 2 stddev) determined only by seed=[a, b].

    >>> tf.random.stateless_truncated_normal([2], seed=[1, 2]).shape
    TensorShape([2])
    """
    op = "stateless_truncated_normal"
    return draw_normal("random_truncated_normal", stateless(seed, op), shape, mean, stddev, dtype, op)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """Categorical samples determined only by seed=[a, b].

    >>> tf.random.stateless_categorical([[0.0, 0.0]], 3, seed=[1, 2]).shape
    TensorShape([1, 3])
    """
    op = "stateless_categorical"
    return draw_categorical(stateless(seed, op), logits, num_samples, dtype, op)


def stateless_shuffle(value, seed, name=None):
    """A permutation of value along axis 0 determined only by seed=[a, b].

    >>> tf.random.experimental.stateless_shuffle(tf.range(4), seed=[1, 2]).shape
    TensorShape([4])
    """
    return draw_shuffle(stateless(seed, "stateless_shuffle"), value, "stateless_shuffle")


_global = []


def get_global_generator():
    """The generator used when none is given, created from non-deterministic state on first use.

    >>> tf.random.get_global_generator().normal([2]).shape
    TensorShape([2])
    """
    if not _global:
        _global.append(Generator.from_non_deterministic_state())
    return _global[0]


def set_global_generator(generator):
    """Replaces the global generator (tf.functions traced before keep the generator they captured)."""
    if not isinstance(generator, Generator):
        raise TypeError(f"set_global_generator expects a tf.random.Generator, got {type(generator).__name__}")
    _global[:] = [generator]


def stateless_split(seed, num=2):
    """num new seeds (shape [num, 2], seed's dtype) derived from seed=[a, b].

    >>> tf.random.experimental.stateless_split([1, 2], num=3).shape
    TensorShape([3, 2])
    """
    dtype = seed._dtype if hasattr(seed, "_dtype") else dtypes.int64
    return stateless_uniform([int(num), 2], seed, minval=None, maxval=None, dtype=dtype)


def stateless_fold_in(seed, data):
    """A new seed derived from seed=[a, b] and an integer `data` (e.g. a step number).

    >>> tf.random.experimental.stateless_fold_in([1, 2], 7).shape
    TensorShape([2])
    """
    from .ops.array_ops import concat, reshape
    from .ops.math_ops import cast
    dtype = seed._dtype if hasattr(seed, "_dtype") else dtypes.int64
    data64 = cast(convert_to_tensor(data), dtypes.int64)
    if data64._shape != ():
        raise ValueError(f"stateless_fold_in: data must be a scalar, got shape {list(data64._shape)}")
    # block `data` of key b at counter_hi a + 2^63: a range apart from the stateless ops' state [0, a, b]
    folded = concat([reshape(data64, [1]), cast(convert_to_tensor(seed), dtypes.int64)], 0)
    folded = folded + convert_to_tensor(np.array([0, -2 ** 63, 0], np.int64))
    return sample("random_uniform_full_int", lambda n: (folded, None), (2,), dtype if dtype in INTS else dtypes.int64)


split = stateless_split
fold_in = stateless_fold_in

experimental = types.SimpleNamespace(
    Algorithm=Algorithm, Generator=Generator, create_rng_state=create_rng_state,
    get_global_generator=get_global_generator, set_global_generator=set_global_generator,
    stateless_split=stateless_split, stateless_fold_in=stateless_fold_in, stateless_shuffle=stateless_shuffle,
)

__all__ = ["Algorithm", "Generator", "categorical", "create_rng_state", "experimental", "fold_in",
           "get_global_generator", "normal", "set_global_generator", "set_seed", "shuffle", "split",
           "stateless_categorical", "stateless_normal", "stateless_truncated_normal", "stateless_uniform",
           "truncated_normal", "uniform"]
