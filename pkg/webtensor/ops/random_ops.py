"""Random ops on a counter-based generator (Philox-4x32-10), so every backend draws the same numbers.

The spec every backend follows (numpy here, WGSL and wasm later)
---------------------------------------------------------------
State. Each random primitive takes a `state` input: an int64 tensor of shape
[3], TensorFlow's Philox Generator layout [counter_lo, counter_hi, key]. Read as
six little-endian uint32 words it is (c0, c1, c2, c3, k0, k1): a 128-bit counter
c0 + c1*2^32 + c2*2^64 + c3*2^96 and a 64-bit key (k0, k1).

Run-time shapes. Ops take their shape from params["shape"]. Only when a traced
graph knows some dims at run time alone, params["shape"] holds None for them and
a trailing int32/int64 `dims` input holds the whole shape.

Blocks. Block j (j = 0, 1, 2, ...) is Philox-4x32-10 (Salmon et al. 2011, the
Random123 reference, checked against its known-answer vectors) of the counter
plus j (a 128-bit add with carries) under the key. Its 4 output words are the
words w[4j + lane], lane 0..3, of the op's word stream w[0], w[1], ...

Units. A unit is a number in [0, 1) taken from the top bits of the stream:
  * 24-bit unit (float32, and float16 normals): u[i] = (w[i] >> 8) * 2^-24.
  * 11-bit unit (float16 uniform):              u[i] = (w[i] >> 21) * 2^-11.
  * 53-bit unit (float64): x = w[2i] + w[2i+1] * 2^32 (a 64-bit value from two
    words, low word first), u[i] = (x >> 11) * 2^-53.
Each unit is exact in its dtype, so uniform floats are bit-identical everywhere.

Ops (n = number of output elements, row-major order):
  * random_uniform: element i = u[i].
  * random_normal (Box-Muller on pairs): pair p gives elements 2p and 2p+1 from
    a = u[2p] + 2^-bits (in (0, 1]) and b = u[2p+1]:
    r = sqrt(-2 log a); element 2p = r cos(2 pi b), element 2p+1 = r sin(2 pi b).
    An odd n drops the last sine. float16 uses 24-bit units.
  * random_truncated_normal (inverse CDF on the truncated range, one unit per
    element, no rejection loop): x = (2 u[i] - 1 + 2^-bits) * erf(sqrt(2)),
    element i = clip(sqrt(2) erfinv(x), -2, 2), with erfinv the single-branch
    polynomial of M. Giles ("Approximating the erfinv function", GPU Gems 2010;
    only the w < 5 branch is reachable since |x| < 0.9545). The polynomial is
    accurate to about 1e-7 relative, so float64 results carry that error.
  * random_uniform_int(minval, maxval): with W the dtype's width, x = w[i]
    (W = 32) or w[2i] + w[2i+1] * 2^32 (W = 64); element i has the bits of
    (minval + x mod (maxval - minval)) mod 2^W. (Modulo bias, as in TensorFlow.)
  * random_uniform_full_int: element i has the bits of x as above.
Normals and truncated normals are computed in float64 and rounded to the output
dtype; backends without float64 agree to the accuracy of their log/cos/sin.

Consumption. An op uses ceil(words / 4) blocks, words = n * k (n rounded up to
even for normals), k = 2 for 64-bit units/ints and 1 otherwise. Stateful ops
add that many blocks to counter_lo after reading the state, so the next op
starts at a fresh block.

Seeds (TensorFlow's rules, tf.random.set_seed): an op with global seed g and op
seed s draws from the state [0, s, g], kept in a non-trainable int64 tf.Variable
per (g, s) and advanced on every call (also inside tf.function, where the graph
reads and advances it on each run). set_seed resets the op-seed counter and
every such variable, restarting the sequences. Without any seed, ops share one
variable whose key and counter come from os.urandom. Stateless ops with seed
[a, b] draw from [0, a, b], so `tf.random.uniform(shape, seed=s)` after
`tf.random.set_seed(g)` first gives `tf.random.stateless_uniform(shape, [s, g])`.
"""
import collections
import math
import os

import numpy as np

from .. import dtypes, errors
from ..core.registry import bind, defop
from ..core.state import init_scope, state
from ..core.tensor import SymbolicTensor, convert_to_tensor
from ._helpers import static_shape, to_tensor

# -- Philox-4x32-10 ---------------------------------------------------------------------------------

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)   # round multipliers
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)   # key schedule (golden ratio, sqrt(3) - 1)
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


def philox_words(state_words, nwords):
    """The first `nwords` uint32 words of the stream of an int64[3] Philox state (see the module docstring)."""
    s = np.ascontiguousarray(state_words, dtype=np.int64).view(np.uint64)
    nblocks = -(-nwords // 4)
    j = np.arange(nblocks, dtype=np.uint64)
    lo = s[0] + j
    hi = s[1] + (lo < j).astype(np.uint64)  # carry out of the low 64 bits
    c0, c1, c2, c3 = lo & _LOW, lo >> _32, hi & _LOW, hi >> _32
    k0, k1 = s[2] & _LOW, s[2] >> _32
    for _ in range(10):
        p0 = c0 * _M0  # a 32x32 -> 64-bit product: hi word = mulhi, lo word = mullo
        p1 = c2 * _M1
        c0, c1, c2, c3 = (p1 >> _32) ^ c1 ^ k0, p1 & _LOW, (p0 >> _32) ^ c3 ^ k1, p0 & _LOW
        k0, k1 = (k0 + _W0) & _LOW, (k1 + _W1) & _LOW
    return np.stack([c0, c1, c2, c3], axis=1).reshape(-1)[:nwords].astype(np.uint32)


def _unit_bits(dtype, op):
    """(bits, words per unit) of the uniform units an op of this output dtype uses."""
    if dtype is dtypes.float64:
        return 53, 2
    if dtype is dtypes.float16 and op == "random_uniform":
        return 11, 1
    return 24, 1


def _units(state_words, n, bits, k):
    """n units in [0, 1) as float64 (exact values)."""
    w = philox_words(state_words, n * k).astype(np.uint64)
    if k == 2:
        x = (w[0::2] | (w[1::2] << _32)) >> np.uint64(64 - bits)
    else:
        x = w >> np.uint64(32 - bits)
    return x.astype(np.float64) * 2.0 ** -bits


def _ints(state_words, n, width):
    """n uint64 values of `width` (32 or 64) random bits."""
    if width == 64:
        w = philox_words(state_words, 2 * n).astype(np.uint64)
        return w[0::2] | (w[1::2] << _32)
    return philox_words(state_words, n).astype(np.uint64)


def num_blocks(op, shape, dtype):
    """How many Philox blocks an op of this shape and dtype consumes."""
    n = math.prod(shape)
    if op == "random_normal":
        n += n % 2
    if op in ("random_uniform_int", "random_uniform_full_int"):
        k = dtype.size // 4
    else:
        k = _unit_bits(dtype, op)[1]
    return -(-n * k // 4)


# -- the kernels ------------------------------------------------------------------------------------

_ERF_SQRT2 = math.erf(math.sqrt(2.0))
_GILES = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
          -0.00417768164, 0.246640727, 1.50140941)


def erfinv_giles(x):
    """M. Giles' erfinv polynomial (the |x| < 0.9933 branch), elementwise in float64."""
    w = -np.log((1.0 - x) * (1.0 + x)) - 2.5
    p = np.full_like(x, _GILES[0])
    for c in _GILES[1:]:
        p = c + p * w
    return p * x


def _uniform_kernel(state, shape, dtype):
    bits, k = _unit_bits(dtype, "random_uniform")
    return _units(state, math.prod(shape), bits, k).astype(dtype.as_numpy_dtype).reshape(shape)


def _normal_kernel(state, shape, dtype):
    n = math.prod(shape)
    bits, k = _unit_bits(dtype, "random_normal")
    u = _units(state, n + n % 2, bits, k)
    r = np.sqrt(-2.0 * np.log(u[0::2] + 2.0 ** -bits))
    theta = (2.0 * math.pi) * u[1::2]
    z = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).reshape(-1)[:n]
    return z.astype(dtype.as_numpy_dtype).reshape(shape)


def _truncated_normal_kernel(state, shape, dtype):
    bits, k = _unit_bits(dtype, "random_truncated_normal")
    u = _units(state, math.prod(shape), bits, k)
    x = (2.0 * u - 1.0 + 2.0 ** -bits) * _ERF_SQRT2
    z = np.clip(math.sqrt(2.0) * erfinv_giles(x), -2.0, 2.0)
    return z.astype(dtype.as_numpy_dtype).reshape(shape)


def _from_bits(x, dtype, shape):
    unsigned = np.uint32 if dtype.size == 4 else np.uint64
    return x.astype(unsigned).view(dtype.as_numpy_dtype).reshape(shape)


def _uniform_int_kernel(state, minval, maxval, shape, dtype):
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise errors.InvalidArgumentError(None, "random_uniform_int",
                                          f"Need minval < maxval: {lo} >= {hi} [Op:random_uniform_int]")
    width = dtype.size * 8
    x = _ints(state, math.prod(shape), width) % np.uint64(hi - lo)
    x = x + np.uint64(lo % (1 << width))  # wraps mod 2^64; the cast below keeps the low `width` bits
    return _from_bits(x, dtype, shape)


def _uniform_full_int_kernel(state, shape, dtype):
    return _from_bits(_ints(state, math.prod(shape), dtype.size * 8), dtype, shape)


FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
INTS = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)


def _run_time_shape(kernel):
    """Lets a kernel take its shape from a trailing `dims` input when params["shape"] has unknown dims."""
    def run(state, *rest, shape, dtype):
        if None in shape:
            *rest, dims = rest
            shape = tuple(int(d) for d in dims)
            if any(d < 0 for d in shape):
                raise errors.InvalidArgumentError(None, None, f"Dimensions must be non-negative, got {list(shape)}")
        return kernel(state, *rest, shape=shape, dtype=dtype)
    return run


def _random_infer(name, allowed):
    def infer(inputs, params):
        if None in params["shape"]:
            dims = inputs[-1]
            inputs = inputs[:-1]
            if dims._dtype not in (dtypes.int32, dtypes.int64) or dims._shape != (len(params["shape"]),):
                raise errors.InvalidArgumentError(
                    None, name, f"{name}: dims must be an int vector of length {len(params['shape'])}, got "
                    f"{dims._dtype.name}{list(dims._shape)} [Op:{name}]")
        s = inputs[0]
        if s._dtype is not dtypes.int64 or len(s._shape) != 1 or s._shape[0] not in (3, None):
            raise errors.InvalidArgumentError(
                None, name, f"{name}: the Philox state must be int64 of shape [3], got {s._dtype.name}"
                f"{list(s._shape)} [Op:{name}]")
        for t in inputs[1:]:
            if t._shape != () or t._dtype is not params["dtype"]:
                raise errors.InvalidArgumentError(
                    None, name, f"{name}: minval and maxval must be {params['dtype'].name} scalars, got "
                    f"{t._dtype.name}{list(t._shape)} [Op:{name}]")
        if params["dtype"] not in allowed:
            raise TypeError(f"{name}: dtype {params['dtype'].name} is not one of "
                            f"{', '.join(d.name for d in allowed)} [Op:{name}]")
        return [(tuple(params["shape"]), params["dtype"])]
    return infer


# name: (kernel, allowed dtypes). Random ops have no gradient.
RANDOM = {
    "random_uniform": (_uniform_kernel, FLOATS),
    "random_normal": (_normal_kernel, FLOATS),
    "random_truncated_normal": (_truncated_normal_kernel, FLOATS),
    "random_uniform_int": (_uniform_int_kernel, INTS),
    "random_uniform_full_int": (_uniform_full_int_kernel, INTS),
}
for _name, (_kernel, _allowed) in RANDOM.items():
    defop(_name, _run_time_shape(_kernel), _random_infer(_name, _allowed))


def sample(op, take, shape, dtype, extra=()):
    """Binds a random primitive on a state from `take`, then advances that state.

    take(nblocks) -> (state tensor, advance): advance() runs after the op, so a traced graph reads the
    state, draws, and only then writes the state (no backend sees a write before the read is used).
    `shape` is a tuple of ints, or a RunTimeShape from check_shape when tracing meets unknown dims.
    """
    if isinstance(shape, RunTimeShape):
        shape, dims_t = shape
        state_t, advance = take(_num_blocks_in_graph(op, dims_t, dtype))
        extra = tuple(extra) + (dims_t,)
    else:
        state_t, advance = take(num_blocks(op, shape, dtype))
    out = bind(op, (state_t,) + tuple(extra), {"shape": shape, "dtype": dtype})
    if advance is not None:
        advance()
    return out


# -- seeds ------------------------------------------------------------------------------------------

DEFAULT_GRAPH_SEED = 87654321
_seeds = {"global": None, "count": 0}
_streams = {}       # (global seed, op seed) -> the int64[3] state Variable of that stream
_unseeded = []      # the one state Variable of ops without any seed, created on first use


def to_int64(seed, what="seed"):
    """A Python or numpy integer (or a scalar tensor) as an int64 value, wrapping like TensorFlow's casts."""
    try:
        value = int(np.asarray(seed).item()) if not isinstance(seed, int) else seed
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be an integer, got {seed!r}") from None
    return (value + 2 ** 63) % 2 ** 64 - 2 ** 63


def set_seed(seed):
    """Sets the global random seed: with it, random ops give the same sequences on every run.

    >>> tf.random.set_seed(1234)
    >>> a = tf.random.uniform([2]); tf.random.set_seed(1234); b = tf.random.uniform([2])  # a == b
    """
    _seeds["global"] = None if seed is None else to_int64(seed)
    _seeds["count"] = 0
    with init_scope():
        for (g, s), var in _streams.items():
            var.assign(np.array([0, s, g], np.int64))


def get_seed(op_seed):
    """The (global seed, op seed) pair an op uses, following TensorFlow's rules (None, None: no seed)."""
    g = _seeds["global"]
    if g is None:
        return (None, None) if op_seed is None else (DEFAULT_GRAPH_SEED, to_int64(op_seed))
    if op_seed is None:
        _seeds["count"] += 1
        # an op seed from the counter, spread over 64 bits so that it rarely meets a user's seed
        return g, to_int64(_seeds["count"] * 0x9E3779B97F4A7C15)
    return g, to_int64(op_seed)


def _variable(initial):
    from ..core.variable import Variable
    with init_scope():
        return Variable(np.array(initial, np.int64), trainable=False, name="RandomState")


def _num_blocks_in_graph(op, dims_t, dtype):
    """num_blocks as an int64 tensor, for shapes known only when the graph runs."""
    from .reduction_ops import reduce_prod
    n = reduce_prod(dims_t)
    if op == "random_normal":
        n = n + n % 2
    if op in ("random_uniform_int", "random_uniform_full_int"):
        k = dtype.size // 4
    else:
        k = _unit_bits(dtype, op)[1]
    return (n * k + 3) // 4


def take_from(var, nblocks):
    """The state in `var` and a function that advances its counter by nblocks (see `sample`)."""
    if isinstance(nblocks, int):
        return var.read_value(), lambda: var.assign_add(np.array([nblocks, 0, 0], np.int64))
    from .array_ops import concat, reshape
    delta = concat([reshape(nblocks, [1]), convert_to_tensor(np.zeros([2], np.int64))], 0)
    return var.read_value(), lambda: var.assign_add(delta)


def seeded(seed):
    """A take(nblocks) function for a stateful op with op seed `seed` under the global seed."""
    g, s = get_seed(seed)
    if g is None:
        if not _unseeded:
            r = np.frombuffer(os.urandom(24), np.int64)
            _unseeded.append(_variable(r))
        return lambda n: take_from(_unseeded[0], n)
    if seed is None and state.graph is None:
        # an eager op with a counter op seed uses its stream once: no variable needed
        return lambda n: (convert_to_tensor(np.array([0, s, g], np.int64)), None)
    var = _streams.get((g, s))
    if var is None:
        var = _streams[(g, s)] = _variable([0, s, g])
    return lambda n: take_from(var, n)


def stateless(seed, op):
    """A take(nblocks) function for a stateless op with seed [a, b]: the state [0, a, b]."""
    if hasattr(seed, "_as_tensor"):
        seed = seed._as_tensor()  # a variable: read it (inside tf.function, when the graph runs)
    if isinstance(seed, SymbolicTensor):
        if seed._dtype not in (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64):
            raise TypeError(f"{op}: seed must be an integer tensor of shape [2], got {seed._dtype.name}")
        if seed._shape not in ((2,), (None,)):
            raise ValueError(f"{op}: seed must have shape [2], got {list(seed._shape)}")
        from .array_ops import concat
        from .math_ops import cast
        value = concat([convert_to_tensor(np.zeros([1], np.int64)), cast(seed, dtypes.int64)], 0)
        return lambda n: (value, None)
    arr = np.asarray(seed.numpy() if hasattr(seed, "numpy") else seed)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: seed must be integers of shape [2], got dtype {arr.dtype}: {seed!r}")
    if arr.shape != (2,):
        raise ValueError(f"{op}: seed must have shape [2], got {list(arr.shape)}: {seed!r}")
    value = np.array([0, to_int64(arr[0]), to_int64(arr[1])], np.int64)
    return lambda n: (convert_to_tensor(value), None)


# -- distributions over a take function (shared by tf.random, stateless ops and Generator) ---------

class RunTimeShape(collections.namedtuple("RunTimeShape", ["dims", "tensor"])):
    """A shape only a running graph knows: dims (None where unknown) and the int64 tensor of its values."""


def _symbolic(shape):
    if isinstance(shape, (list, tuple)):
        return any(isinstance(d, SymbolicTensor) for d in shape)
    return isinstance(shape, SymbolicTensor)


def _run_time_dims(shape, op):
    """(dims with None where unknown, int64 dims tensor) for a shape computed inside a traced graph."""
    from .array_ops import stack
    from .math_ops import cast
    if isinstance(shape, (list, tuple)):
        known = tuple(None if isinstance(d, SymbolicTensor) else int(d) for d in shape)
        dims_t = stack([cast(d, dtypes.int64) if isinstance(d, SymbolicTensor) else np.int64(d) for d in shape])
        return known, cast(dims_t, dtypes.int64)
    if len(shape._shape) != 1 or shape._shape[0] is None:
        raise ValueError(f"{op}: shape must be a vector of known length, got a tensor of shape {list(shape._shape)}")
    known = (None,) * shape._shape[0]
    if shape._node.op.name == "shape":
        known = tuple(shape._node.inputs[0]._shape)
    return known, cast(shape, dtypes.int64)


def check_shape(shape, op):
    """A shape argument as a tuple of non-negative ints (or, while tracing, see `sample`)."""
    if isinstance(shape, int):
        shape = (shape,)
    if _symbolic(shape):
        try:
            dims = static_shape(shape, op)
        except ValueError:
            known, dims_t = _run_time_dims(shape, op)
            if None in known:
                return RunTimeShape(known, dims_t)
            dims = known
    else:
        dims = static_shape(shape, op)
    for d in dims:
        if d is None or d < 0:
            raise errors.InvalidArgumentError(
                None, op, f"{op}: shape must be known and non-negative, got {list(dims)} [Op:{op}]")
    return dims


def check_dtype(dtype, allowed, op):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in allowed:
        raise ValueError(f"{op}: argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
                         f"{', '.join(d.name for d in allowed)}.")
    return dtype


def _is(x, value):
    return type(x) in (int, float) and x == value


def _scale(z, scale, shift, dtype):
    if not _is(scale, 1):
        z = z * convert_to_tensor(scale, dtype=dtype) if not hasattr(scale, "_dtype") else z * scale
    if not _is(shift, 0):
        z = z + convert_to_tensor(shift, dtype=dtype) if not hasattr(shift, "_dtype") else z + shift
    return z


def draw_uniform(take, shape, minval, maxval, dtype, op):
    """Uniform floats in [minval, maxval), or ints (minval, maxval required; both None: the full range)."""
    shape = check_shape(shape, op)
    if dtype.is_integer:
        if minval is None and maxval is None:
            return sample("random_uniform_full_int", take, shape, dtype)
        lo, hi = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
        for name, t in (("minval", lo), ("maxval", hi)):
            if t._shape != ():
                raise errors.InvalidArgumentError(
                    None, op, f"{op}: {name} must be a scalar for integer dtypes, got shape {list(t._shape)} "
                    f"[Op:{op}]")
        if not isinstance(lo, SymbolicTensor) and not isinstance(hi, SymbolicTensor):
            if int(lo.numpy()) >= int(hi.numpy()):
                raise errors.InvalidArgumentError(
                    None, op, f"Need minval < maxval: {int(lo.numpy())} >= {int(hi.numpy())} [Op:{op}]")
        return sample("random_uniform_int", take, shape, dtype, (lo, hi))
    u = sample("random_uniform", take, shape, dtype)
    minval = 0 if minval is None else minval
    maxval = 1 if maxval is None else maxval
    if _is(minval, 0) and _is(maxval, 1):
        return u
    lo, hi = to_tensor(minval, dtype), to_tensor(maxval, dtype)
    return u * (hi - lo) + lo


def draw_normal(op, take, shape, mean, stddev, dtype, name):
    """mean + stddev * standard normals from the primitive `op` (random_normal or random_truncated_normal)."""
    shape = check_shape(shape, name)
    dtype = dtypes.as_dtype(dtype)
    if dtype not in FLOATS:
        raise TypeError(f"{name}: value passed to parameter 'dtype' has DataType {dtype.name} not in list of "
                        f"allowed values: float16, float32, float64")
    return _scale(sample(op, take, shape, dtype), stddev, mean, dtype)


def draw_categorical(take, logits, num_samples, dtype, op):
    """Gumbel-max sampling: argmax over classes of logits - log(-log(u))."""
    from .math_ops import log, negative
    from .reduction_ops import argmax
    from .array_ops import expand_dims
    logits = to_tensor(logits)
    if len(logits._shape) != 2:
        raise ValueError(f"{op}: logits should be a matrix [batch_size, num_classes], got shape "
                         f"{list(logits._shape)}")
    if logits._dtype not in FLOATS:
        raise TypeError(f"{op}: logits must be a float tensor, got {logits._dtype.name}")
    dtype = check_dtype(dtypes.int64 if dtype is None else dtype, (dtypes.int32, dtypes.int64), op)
    n = int(num_samples.numpy() if hasattr(num_samples, "numpy") else num_samples)
    if n < 0:
        raise errors.InvalidArgumentError(None, op, f"{op}: num_samples should be nonnegative, got {n} [Op:{op}]")
    batch, classes = logits._shape
    if classes == 0 and n > 0:
        raise errors.InvalidArgumentError(None, op, f"{op}: num_classes should be positive, got 0 [Op:{op}]")
    noise_dtype = dtypes.float64 if logits._dtype is dtypes.float64 else dtypes.float32
    if batch is None or classes is None:
        from .array_ops import shape as shape_of
        dims = shape_of(logits)
        batch = dims[0] if batch is None else batch
        classes = dims[1] if classes is None else classes
    u = sample("random_uniform", take, check_shape([batch, n, classes], op), noise_dtype)
    gumbel = negative(log(negative(log(u))))  # u = 0 gives -inf: that draw never wins
    if logits._dtype is not noise_dtype:
        from .math_ops import cast
        logits = cast(logits, noise_dtype)
    if classes == 0:
        from .array_ops import zeros
        return zeros((batch, 0), dtype)
    return argmax(expand_dims(logits, 1) + gumbel, axis=-1, output_type=dtype)


def draw_shuffle(take, value, op):
    """value permuted along axis 0 by the argsort of random 64-bit keys."""
    from .indexing_ops import gather
    from .sort_ops import argsort
    value = to_tensor(value)
    if not value._shape:
        return value
    n = value._shape[0]
    if n is None:
        from .array_ops import shape as shape_of
        n = shape_of(value)[0]
    keys = sample("random_uniform_full_int", take, check_shape([n], op), dtypes.int64)
    return gather(value, argsort(keys, axis=0))


# -- tf.random's functions (tf.nn.dropout and initializers import `uniform` etc. from here) ---------

UNIFORM_DTYPES = FLOATS + (dtypes.int32, dtypes.int64)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform random values in [minval, maxval) (floats default to [0, 1); ints need maxval).

    >>> tf.random.uniform([2, 3], minval=-1.0, maxval=1.0, seed=1).shape
    TensorShape([2, 3])
    """
    dtype = check_dtype(dtype, UNIFORM_DTYPES, "random_uniform")
    if dtype.is_integer and maxval is None:
        raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
    if dtype.is_integer and minval is None:
        minval = 0
    return draw_uniform(seeded(seed), shape, minval, maxval, dtype, "random_uniform")


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normally distributed random values.

    >>> tf.random.normal([2], mean=1.0, stddev=0.5, seed=1).shape
    TensorShape([2])
    """
    return draw_normal("random_normal", seeded(seed), shape, mean, stddev, dtype, "random_normal")


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values redrawn (by inverse CDF) to lie within 2 standard deviations of the mean.

    >>> tf.random.truncated_normal([3], seed=1).shape
    TensorShape([3])
    """
    return draw_normal("random_truncated_normal", seeded(seed), shape, mean, stddev, dtype,
                       "random_truncated_normal")


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Samples class indices from unnormalized log-probabilities: shape [batch, num_samples], int64.

    >>> tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5, seed=1).shape
    TensorShape([1, 5])
    """
    return draw_categorical(seeded(seed), logits, num_samples, dtype, "categorical")


def shuffle(value, seed=None, name=None):
    """Randomly permutes a tensor along its first dimension.

    >>> tf.random.shuffle(tf.range(5), seed=1).shape
    TensorShape([5])
    """
    return draw_shuffle(seeded(seed), value, "random_shuffle")
