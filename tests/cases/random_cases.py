"""Random primitives, checked bit for bit against a pure-Python Philox-4x32-10 reference.

The reference works on plain Python ints, one block at a time, and follows the
spec in webtensor/ops/random_ops.py's docstring. Its key schedule is written the
way Random123 writes it (bump the key before rounds 2..10), independently of the
vectorized kernel. tests/test_random.py checks it against the published
known-answer vectors.
"""
import math

import numpy as np

from cases import OpCase

MASK32 = 0xFFFFFFFF
PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)


def philox4x32_10(counter, key):
    """One Philox-4x32-10 block: 4 counter words and 2 key words (ints) -> 4 output words."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for rnd in range(10):
        if rnd:
            k0 = (k0 + PHILOX_W[0]) & MASK32
            k1 = (k1 + PHILOX_W[1]) & MASK32
        prod0 = PHILOX_M[0] * c0
        prod1 = PHILOX_M[1] * c2
        hi0, lo0 = prod0 >> 32, prod0 & MASK32
        hi1, lo1 = prod1 >> 32, prod1 & MASK32
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return [c0, c1, c2, c3]


def reference_words(state, nwords):
    """The word stream of an int64[3] state [counter_lo, counter_hi, key]: block j = philox(counter + j)."""
    lo, hi, key = (int(x) % 2 ** 64 for x in state)
    counter = lo + (hi << 64)
    out = []
    j = 0
    while len(out) < nwords:
        c = (counter + j) % 2 ** 128
        out += philox4x32_10([(c >> (32 * i)) & MASK32 for i in range(4)], [key & MASK32, key >> 32])
        j += 1
    return out[:nwords]


def _unit_spec(dtype, op):
    if dtype == "float64":
        return 53, 2
    if dtype == "float16" and op == "uniform":
        return 11, 1
    return 24, 1


def reference_units(state, n, bits, k):
    w = reference_words(state, n * k)
    if k == 2:
        xs = [(w[2 * i] | (w[2 * i + 1] << 32)) >> (64 - bits) for i in range(n)]
    else:
        xs = [w[i] >> (32 - bits) for i in range(n)]
    return [x * 2.0 ** -bits for x in xs]


def reference_uniform(state, shape, dtype):
    bits, k = _unit_spec(dtype, "uniform")
    return np.array(reference_units(state, math.prod(shape), bits, k), dtype).reshape(shape)


def reference_normal(state, shape, dtype):
    n = math.prod(shape)
    bits, k = _unit_spec(dtype, "normal")
    u = reference_units(state, n + n % 2, bits, k)
    out = []
    for p in range(len(u) // 2):
        r = math.sqrt(-2.0 * math.log(u[2 * p] + 2.0 ** -bits))
        out += [r * math.cos(2.0 * math.pi * u[2 * p + 1]), r * math.sin(2.0 * math.pi * u[2 * p + 1])]
    return np.array(out[:n], dtype).reshape(shape)


GILES = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
         -0.00417768164, 0.246640727, 1.50140941)


def reference_erfinv(x):
    w = -math.log((1.0 - x) * (1.0 + x)) - 2.5
    p = GILES[0]
    for c in GILES[1:]:
        p = c + p * w
    return p * x


def reference_truncated_normal(state, shape, dtype):
    bits, k = _unit_spec(dtype, "truncated")
    u = reference_units(state, math.prod(shape), bits, k)
    scale = math.erf(math.sqrt(2.0))
    out = [min(2.0, max(-2.0, math.sqrt(2.0) * reference_erfinv((2.0 * v - 1.0 + 2.0 ** -bits) * scale)))
           for v in u]
    return np.array(out, dtype).reshape(shape)


def _int_values(state, n, width):
    w = reference_words(state, n * width // 32)
    if width == 64:
        return [w[2 * i] | (w[2 * i + 1] << 32) for i in range(n)]
    return w


def _as_dtype(values, dtype, shape):
    width = np.dtype(dtype).itemsize * 8
    signed = np.dtype(dtype).kind == "i"
    vals = [v % 2 ** width for v in values]
    if signed:
        vals = [v - 2 ** width if v >= 2 ** (width - 1) else v for v in vals]
    return np.array(vals, dtype).reshape(shape)


def reference_uniform_int(state, minval, maxval, shape, dtype):
    width = np.dtype(dtype).itemsize * 8
    span = int(maxval) - int(minval)
    values = [int(minval) + x % span for x in _int_values(state, math.prod(shape), width)]
    return _as_dtype(values, dtype, shape)


def reference_uniform_full_int(state, shape, dtype):
    width = np.dtype(dtype).itemsize * 8
    return _as_dtype(_int_values(state, math.prod(shape), width), dtype, shape)


# States that exercise the counter words, the carry out of counter_lo, and all key bits.
STATES = {
    "zero": [0, 0, 0],
    "seeded": [0, 7, 1234],
    "carry": [-2, 5, -1],                      # counter_lo = 2^64 - 2: blocks 2.. carry into counter_hi
    "full": [-1, -1, -1],                      # counter = 2^128 - 1: block 1 wraps to 0
    "pi": [0x243F6A8885A308D3, 0x13198A2E03707344, 0x299F31D0A4093822],
}


def _state(name):
    return np.array(STATES[name], np.int64)


def _bind(op, shape, dtype):
    """fn(tf, state, *bounds): the primitive itself, on a state tensor."""
    from webtensor.core.registry import bind
    return lambda tf, state, *bounds: bind(op, (state,) + bounds, {"shape": shape, "dtype": tf.as_dtype(dtype)})


def _float_cases(op, reference, shapes, states, dtypes):
    cases = []
    for shape in shapes:
        for st in states:
            for dtype in dtypes:
                cases.append(OpCase(
                    op, _bind(op, shape, dtype), [_state(st)],
                    lambda s, shape=shape, dtype=dtype: reference(s, shape, dtype),
                    name=f"{op}_{dtype}_{st}_{'x'.join(map(str, shape)) or 'scalar'}",
                    dtypes=("float64",) if dtype == "float64" else ("float32",), grad=False))
    return cases


CASES = (
    _float_cases("random_uniform", reference_uniform, [(), (3, 5)], ["zero", "carry", "full", "pi"],
                 ["float32", "float64", "float16"])
    + _float_cases("random_uniform", reference_uniform, [(0,), (9,)], ["seeded"], ["float32"])
    + _float_cases("random_normal", reference_normal, [(), (3, 5), (8,)], ["zero", "carry", "pi"],
                   ["float32", "float64"])
    + _float_cases("random_normal", reference_normal, [(7,)], ["seeded"], ["float16"])
    + _float_cases("random_truncated_normal", reference_truncated_normal, [(), (3, 5)], ["zero", "carry", "pi"],
                   ["float32", "float64"])
    + _float_cases("random_truncated_normal", reference_truncated_normal, [(7,)], ["seeded"], ["float16"])
)

for _dtype, _lo, _hi in [("int32", 0, 10), ("int32", -5, 3), ("int32", -2 ** 31, 2 ** 31 - 1),
                         ("int64", -7, 1000), ("int64", -2 ** 63, 2 ** 63 - 1), ("uint32", 3, 2 ** 32 - 1),
                         ("uint64", 0, 2 ** 64 - 1)]:
    for _st in ("seeded", "carry", "pi"):
        CASES.append(OpCase(
            "random_uniform_int", _bind("random_uniform_int", (4, 3), _dtype),
            [_state(_st), np.array(_lo, _dtype), np.array(_hi, _dtype)],
            lambda s, lo, hi, dtype=_dtype: reference_uniform_int(s, lo, hi, (4, 3), dtype),
            name=f"random_uniform_int_{_dtype}_{_st}_{_lo}_{_hi}", dtypes=("float32",), grad=False))

for _dtype in ("int32", "int64", "uint32", "uint64"):
    for _st in ("zero", "carry", "full", "pi"):
        CASES.append(OpCase(
            "random_uniform_full_int", _bind("random_uniform_full_int", (5,), _dtype), [_state(_st)],
            lambda s, dtype=_dtype: reference_uniform_full_int(s, (5,), dtype),
            name=f"random_uniform_full_int_{_dtype}_{_st}", dtypes=("float32",), grad=False))

# Shapes known only when a traced graph runs: params["shape"] has None, and a trailing `dims` input the values.
CASES += [
    OpCase("random_uniform", lambda tf, state, dims: _bind("random_uniform", (None, 3), "float32")(tf, state, dims),
           [_state("pi"), np.array([2, 3], np.int64)], lambda s, d: reference_uniform(s, (2, 3), "float32"),
           name="random_uniform_run_time_shape", dtypes=("float32",), grad=False),
    OpCase("random_uniform_int",
           lambda tf, state, lo, hi, dims: _bind("random_uniform_int", (None,), "int32")(tf, state, lo, hi, dims),
           [_state("carry"), np.array(-4, np.int32), np.array(9, np.int32), np.array([7], np.int32)],
           lambda s, lo, hi, d: reference_uniform_int(s, lo, hi, (7,), "int32"),
           name="random_uniform_int_run_time_shape", dtypes=("float32",), grad=False),
]
