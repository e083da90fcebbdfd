"""Random programs: the Philox-4x32-10 stream of ops/random_ops.py, ported to WGSL (shaders/random.wgsl).

The int64[3] state is read on the host (a host input: it is tiny and lives on the CPU, since int64
is no GPU storage type); its six little-endian uint32 words (counter c0..c3, key k0, k1) travel in
the uniforms, so no readback is needed. Invocation t computes block t of the stream (words
4t..4t+3) and writes elements 4t..4t+3, exactly as the spec maps blocks to elements:
  * random_uniform (float32): (w >> 8) * 2^-24, bit-identical to the numpy kernel;
  * random_uniform_int / random_uniform_full_int (int32, uint32): bit-identical; minval and
    maxval are host inputs too (scalars the public function reads anyway), so minval >= maxval
    falls back to the CPU kernel, which raises TensorFlow's error;
  * random_normal: Box-Muller on the two pairs of each block, random_truncated_normal: Giles'
    erfinv, both in f32 (the numpy kernel computes in float64 and rounds): they agree to the
    accuracy of the adapter's log/cos/sin.
A shape known only when a graph runs arrives as a trailing `dims` input, also read on the host.
float16, float64, int64 and uint64 outputs fall back to the CPU.
"""
import numpy as np

from ... import dtypes
from .movement import host_inputs_ready
from .programs import Fallback, program, shader, size_of, source

_BITCAST4 = "return bitcast<vec4<u32>>(vec4<f32>({}, {}, {}, {}));"
VALUES = {
    "random_uniform": _BITCAST4.format("unit(w.x)", "unit(w.y)", "unit(w.z)", "unit(w.w)"),
    "random_normal": "return bitcast<vec4<u32>>(vec4<f32>(box_muller(w.x, w.y), box_muller(w.z, w.w)));",
    "random_truncated_normal": _BITCAST4.format("truncated(w.x)", "truncated(w.y)", "truncated(w.z)",
                                                "truncated(w.w)"),
    "random_uniform_int": "let lo = u(8u);\n  return w % vec4<u32>(u(9u) - lo) + vec4<u32>(lo);",
    "random_uniform_full_int": "return w;",
}
OUTPUT_DTYPES = {
    "random_uniform": (dtypes.float32,),
    "random_normal": (dtypes.float32,),
    "random_truncated_normal": (dtypes.float32,),
    "random_uniform_int": (dtypes.int32, dtypes.uint32),
    "random_uniform_full_int": (dtypes.int32, dtypes.uint32),
}


def state_words(state):
    """The six uint32 words (c0, c1, c2, c3, k0, k1) of an int64[3] Philox state."""
    s = np.ascontiguousarray(np.asarray(state), dtype=np.int64)
    if s.shape != (3,):
        raise Fallback(f"a Philox state of shape {list(s.shape)}")
    return [int(w) for w in s.view(np.uint32)]


def _accepts(inputs, params=None):
    # The state (and minval, maxval, a run-time `dims`) are read on the host; the builder declines
    # output dtypes without a WGSL storage type.
    return host_inputs_ready()


def _word(value):
    return int(np.asarray(value).reshape(()).astype(np.int64)) & 0xFFFFFFFF


def build(backend, op, inputs, params, avals):
    """Queues one dispatch drawing op's output from the Philox state inputs[0] (a numpy int64[3])."""
    name = op.name
    (shape, dtype), = avals
    if dtype not in OUTPUT_DTYPES[name]:
        raise Fallback(f"{name} of {dtype.name}")
    rest = list(inputs[1:])
    if None in params["shape"]:  # a shape known only when the graph runs: the trailing dims input
        shape = tuple(int(d) for d in np.asarray(rest.pop()).reshape(-1))
        if any(d < 0 for d in shape):
            raise Fallback(f"{name}: negative dims {list(shape)} (the CPU kernel raises)")
    words = [size_of(shape)] + state_words(inputs[0])
    if name == "random_uniform_int":
        lo, hi = (np.asarray(v).reshape(()).item() for v in rest)
        if lo >= hi:
            raise Fallback(f"{name}: minval {lo} >= maxval {hi} (the CPU kernel raises TensorFlow's error)")
        words += [_word(lo), _word(hi)]
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        backend.dispatch(("random", name),
                         lambda: shader("random", 1, PHILOX=source("philox"), VALUES=VALUES[name]),
                         [out], words, -(-n // 4))
    return out


# Input 0 is the state; random_uniform_int has minval, maxval at 1, 2; a run-time dims input comes last.
for _name in VALUES:
    program(_name, accepts=_accepts, host_inputs=(0, 1, 2, 3) if _name == "random_uniform_int" else (0, 1))(build)
