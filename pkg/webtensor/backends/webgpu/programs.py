"""WGSL programs: for each op, a builder that picks a shader, its cache key, uniforms and size.

A builder has the signature `build(backend, op, inputs, params, avals) -> output handle(s)` and
queues its dispatches with `backend.dispatch(key, source_fn, buffers, uniforms, threads)`. The
shader text comes from `shaders/<name>.wgsl` with `{{NAME}}` placeholders filled in; the key names
everything the text depends on (never a shape: shapes and strides travel in the uniforms), so one
pipeline serves every shape.

Every shader reads its parameters from one uniform block of UNIFORM_WORDS u32 words through
`fn u(i: u32) -> u32`; word 0 is the row width of the dispatch grid, used as
`let i = gid.x + gid.y * u(0u);` so that more than 65535 workgroups can be dispatched.
"""
import os
import pathlib
import re

import numpy as np

WORKGROUP = 256
UNIFORM_WORDS = 64
MAX_RANK = 8

PROGRAMS = {}
_ACCEPTS = {}
HOST_INPUTS = {}  # op name -> input indices a program reads on the host (numpy arrays), e.g. RNG state
# backend.run wraps host inputs as HostValue (with _shape/_dtype/numpy()) before calling shape rules
HOST_VALUES_IN_INFER = True
# Ops that stay on the CPU by design: data-dependent output shapes, host-side effects, shape queries.
CPU_ONLY = frozenset({"where_indices", "shape", "size", "print", "write_summary"})


class Fallback(Exception):
    """This op (with these inputs/params) has no WebGPU form: run it on the CPU backend instead."""


def program(*names, accepts=None, host_inputs=()):
    """Registers a builder for the op names.

    `accepts(inputs) -> bool` may narrow what it handles; `host_inputs` lists input positions the
    builder reads on the host (they arrive as numpy arrays and may have dtypes the GPU cannot hold,
    such as the int64 state of the random ops).
    """
    def deco(fn):
        for n in names:
            PROGRAMS[n] = fn
            if accepts is not None:
                _ACCEPTS[n] = accepts
            if host_inputs:
                HOST_INPUTS[n] = frozenset(host_inputs)
        return fn
    return deco


def accepts(name, inputs):
    check = _ACCEPTS.get(name)
    return True if check is None else check(inputs)


# -- shader text --------------------------------------------------------------------------------------

_SHADER_DIRS = (pathlib.Path(__file__).resolve().parent / "shaders",                 # inside a built wheel
                pathlib.Path(__file__).resolve().parents[4] / "shaders")             # the source checkout
_PRELUDE = """
struct Params { w: array<vec4<u32>, %d> };
@group(0) @binding(%%BINDING%%) var<uniform> params: Params;
fn u(i: u32) -> u32 { return params.w[i / 4u][i %% 4u]; }
fn uf(i: u32) -> f32 { return bitcast<f32>(u(i)); }
fn ui(i: u32) -> i32 { return bitcast<i32>(u(i)); }
""" % (UNIFORM_WORDS // 4)
_cache = {}
_F16 = re.compile(r"\bf16\b")


def source(name):
    """The raw text of shaders/<name>.wgsl."""
    text = _cache.get(name)
    if text is None:
        for d in _SHADER_DIRS:
            path = d / f"{name}.wgsl"
            if path.exists():
                text = _cache[name] = path.read_text()
                break
        else:
            raise FileNotFoundError(f"WGSL shader {name}.wgsl not found in {[str(d) for d in _SHADER_DIRS]}")
    return text


def shader(name, binding, **fills):
    """The WGSL of shaders/<name>.wgsl with the uniform prelude (at `binding`) and {{KEY}} filled."""
    out = _PRELUDE.replace("%BINDING%", str(binding)) + source(name)
    for key, value in fills.items():
        out = out.replace("{{" + key + "}}", str(value))
    if _F16.search(out):  # float16 storage or arithmetic needs the extension enabled up front
        out = "enable f16;\n" + out
    if "{{" in out:
        missing = out[out.index("{{"):out.index("}}") + 2]
        raise ValueError(f"shader {name}: placeholder {missing} was not filled")
    return out


# -- uniforms -----------------------------------------------------------------------------------------

def f32_bits(value):
    return int(np.array(value, dtype=np.float32).view(np.uint32))


def i32_bits(value):
    return int(np.array(value, dtype=np.int32).view(np.uint32))


def contiguous_strides(shape):
    strides = [0] * len(shape)
    s = 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = s
        s *= shape[i]
    return strides


def broadcast_strides(shape, out_shape):
    """Strides of a tensor of `shape` read as if broadcast to out_shape (0 along broadcast axes)."""
    pad = len(out_shape) - len(shape)
    full = [1] * pad + list(shape)
    strides = contiguous_strides(full)
    return [0 if d == 1 and o != 1 else s for d, s, o in zip(full, strides, out_shape)]


def padded(values, n=MAX_RANK, fill=0):
    """values right-aligned in a list of n words (leading axes of size 1 / stride fill)."""
    values = list(values)
    if len(values) > n:
        raise Fallback(f"rank {len(values)} is above the WebGPU kernels' maximum rank {n}")
    return [fill] * (n - len(values)) + values


def size_of(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def env_flag(name):
    return os.environ.get(name, "") not in ("", "0")
