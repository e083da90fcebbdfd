"""Random programs: the Philox-4x32-10 stream of ops/random_ops.py, ported to WGSL (shaders/random.wgsl).

The int64[3] state is read on the host (a host input: it is tiny and lives on the CPU, since int64
is no GPU storage type); its six little-endian uint32 words (counter c0..c3, key k0, k1) travel in
the uniforms, so no readback is needed. Invocation t computes block t of the stream (words
4t..4t+3) and writes elements 4t..4t+3, exactly as the spec maps blocks to elements:
  * random_uniform (float32): (w >> 8) * 2^-24, bit-identical to the numpy kernel;
  * random_uniform_int / random_uniform_full_int (int32, uint32): bit-identical; minval and
    maxval are read from their GPU buffers inside the shader (no readback);
  * random_normal: Box-Muller on the two pairs of each block, random_truncated_normal: Giles'
    erfinv, both in f32 (the numpy kernel computes in float64 and rounds): they agree to the
    accuracy of the adapter's log/cos/sin.
float16, float64, int64 and uint64 outputs, and shapes known only at run time (a `dims` input),
fall back to the CPU.
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
    "random_uniform_int": "let lo = minval[0];\n  return w % vec4<u32>(maxval[0] - lo) + vec4<u32>(lo);",
    "random_uniform_full_int": "return w;",
}
OUTPUT_DTYPES = {
    "random_uniform": (dtypes.float32,),
    "random_normal": (dtypes.float32,),
    "random_truncated_normal": (dtypes.float32,),
    "random_uniform_int": (dtypes.int32, dtypes.uint32),
    "random_uniform_full_int": (dtypes.int32, dtypes.uint32),
}
_INT_DECL = ("@group(0) @binding(1) var<storage, read> minval: array<u32>;\n"
             "@group(0) @binding(2) var<storage, read> maxval: array<u32>;")


def state_words(state):
    """The six uint32 words (c0, c1, c2, c3, k0, k1) of an int64[3] Philox state."""
    s = np.ascontiguousarray(np.asarray(state), dtype=np.int64)
    if s.shape != (3,):
        raise Fallback(f"a Philox state of shape {list(s.shape)}")
    return [int(w) for w in s.view(np.uint32)]


def _accepts(inputs, params=None):
    if not host_inputs_ready():
        return False
    # The state (input 0) is read on the host; a trailing `dims` input (run-time shape) and the
    # dtypes without a WGSL storage type are left to the CPU kernel.
    if params is not None and (None in params["shape"] or params["dtype"] not in OUTPUT_DTYPES):
        return False
    return True


def build(backend, op, inputs, params, avals):
    """Queues one dispatch drawing op's output from the Philox state inputs[0] (a numpy int64[3])."""
    name = op.name
    (shape, dtype), = avals
    if None in params["shape"] or dtype not in OUTPUT_DTYPES[name]:
        raise Fallback(f"{name} of {dtype.name}")
    words = state_words(inputs[0])
    out = backend.output(shape, dtype)
    n = size_of(shape)
    if n:
        extra = list(inputs[1:3]) if name == "random_uniform_int" else []
        backend.dispatch(("random", name),
                         lambda: shader("random", 1 + len(extra), PHILOX=source("philox"), VALUES=VALUES[name],
                                        EXTRA_DECL=_INT_DECL if extra else ""),
                         [out] + extra, [n] + words, -(-n // 4))
    return out


for _name in VALUES:
    program(_name, accepts=_accepts, host_inputs=(0,))(build)
