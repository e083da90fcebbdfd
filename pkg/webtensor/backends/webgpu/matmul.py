"""Matmul family: batched matmul with transposes and broadcast batch axes, and einsum.

matmul runs shaders/matmul.wgsl (64x64 workgroup tiles, 4x4 register blocks) on hardware adapters,
shaders/matmul_blocked.wgsl (16x16 register blocks per invocation, no workgroup memory) on software
adapters, where loads cost far more than arithmetic (tests/bench/LAVAPIPE.md); there float32
products of 128 and more on each side first pack A^T and B into rgba32float textures
(shaders/matmul_pack.wgsl) and read them with textureLoad (shaders/matmul_texture.wgsl), which is
several times cheaper per float than a storage-buffer load on lavapipe. For small and
skinny shapes shaders/matmul_small.wgsl (one invocation per output). All take their operands
through `load_a`/`load_b` functions filled in from a loader file, so the convolutions (conv.py)
reuse the same kernels with implicit im2col loaders. einsum runs a general index-loop kernel.
"""
import os

from .programs import Fallback, contiguous_strides, program, shader, size_of, source

TILE = 64
SKINNY = 16   # M or N below this: one invocation per output instead of 64x64 tiles
ZERO = {"f32": "0.0", "f16": "0.0", "i32": "0", "u32": "0u"}
BLOCK = 16       # software adapters: each invocation computes a BLOCK x BLOCK block of outputs
BLOCK_WG = 64    # ... in workgroups of 64, so that small products still spread over the CPU's threads
TEXTURE_WORK = 1 << 20  # software adapters: float32 products of at least this many multiply-adds
                        # (batch * M * N * K; M, N >= SKINNY) read their operands from textures


def _choice():
    return os.environ.get("WEBTENSOR_WEBGPU_MATMUL", "")


def _use_blocked(backend):
    """Software adapters get matmul_blocked; WEBTENSOR_WEBGPU_MATMUL=tiled|blocked overrides (benchmarks)."""
    choice = _choice()
    if choice in ("tiled", "blocked"):
        return choice == "blocked"
    return backend.adapter.is_software


def _use_texture(backend, t, m, n, k, batch, name="strided"):
    """Whether a product runs as pack-into-textures + matmul_texture (software adapters, float32,
    at least TEXTURE_WORK multiply-adds, K and the packed widths within the adapter's texture size).
    WEBTENSOR_WEBGPU_MATMUL=texture takes it for every float32 shape that fits (tests); =tiled|blocked
    never."""
    adapter = backend.adapter
    limit = getattr(adapter, "max_texture_size", 0)
    if t != "f32" or not limit or not hasattr(adapter, "acquire_texture"):
        return False
    if k > limit or 4 * -(-max(m, n) // BLOCK) > limit:
        return False
    choice = _choice()
    if choice == "texture":
        return True
    if choice in ("tiled", "blocked"):
        return False
    # The convolutions' im2col loaders always pack: inlined 16 + 16 times into matmul_blocked they make a
    # shader that loses the device on SwiftShader (Chromium's software adapter); packed, 4 times.
    return adapter.is_software and (name != "strided" or batch * m * n * k >= TEXTURE_WORK)


def texture_source(r=BLOCK, c=BLOCK, wg=BLOCK_WG):
    """matmul_texture.wgsl with an r x c block unrolled (r and c multiples of 4)."""
    setup, step, store = [], [], []
    for x in range(r):
        for q in range(c // 4):
            setup.append(f"  var acc{x}_{q} = vec4<f32>();")
    for p in range(r // 4):
        step.append(f"    let a{p} = textureLoad(ta, vec2<u32>(xa + {p}u, y), 0);")
    for q in range(c // 4):
        step.append(f"    let b{q} = textureLoad(tb, vec2<u32>(xb + {q}u, y), 0);")
    for x in range(r):
        for q in range(c // 4):
            step.append(f"    acc{x}_{q} = fma(vec4<f32>(a{x // 4}.{'xyzw'[x % 4]}), b{q}, acc{x}_{q});")
    for x in range(r):
        store.append(f"  if (i0 + {x}u < m) {{")
        store.append(f"    let o{x} = base + (i0 + {x}u) * n + j0;")
        for y in range(c):
            store.append(f"    if (j0 + {y}u < n) {{ out[o{x} + {y}u] = acc{x}_{y // 4}[{y % 4}]; }}")
        store.append("  }")
    return shader("matmul_texture", 3, WG=wg, R=r, C=c,
                  SETUP="\n".join(setup), STEP="\n".join(step), STORE="\n".join(store))


_PACK = {"a": "    if (r < u(1u)) { v[c] = load_a(offs.x, r, k); }",
         "b": "    if (r < u(2u)) { v[c] = load_b(offs.y, k, r); }"}


def _texture_gemm(backend, name, a, b, out, m, n, k, batch, loader_words, loaders):
    """Queues out = A @ B as two pack dispatches (A^T and B into rgba32float textures, through the
    loaders) and one matmul_texture dispatch, per chunk of batches whose K rows stack within the
    texture height limit; the textures go back to the adapter's pool at once (later dispatches that
    reuse them run after these)."""
    adapter = backend.adapter
    blocks_m, blocks_n = -(-m // BLOCK), -(-n // BLOCK)
    per_batch = blocks_m * blocks_n
    chunk = min(batch, adapter.max_texture_size // k)
    for first in range(0, batch, chunk):
        count = min(chunk, batch - first)
        height = count * k
        textures = []
        try:
            for side, blocks in (("a", blocks_m), ("b", blocks_n)):
                width = 4 * blocks  # BLOCK / 4 texels per block
                tex = adapter.acquire_texture(width, height)
                textures.append(tex)
                texels = width * height
                words = [m, n, k, width, texels, first, 0] + list(loader_words)
                backend.dispatch(("matmul_pack", name, side),
                                 lambda side=side: shader("matmul_pack", 3, LOADERS=loaders, T="f32",
                                                          ZERO="0.0", PACK=_PACK[side]),
                                 [a, b, tex], words, texels)
            total = count * per_batch
            words = [m, n, k, blocks_n, per_batch, total, first]
            backend.dispatch(("matmul_texture", BLOCK), texture_source, textures + [out], words,
                             -(-total // BLOCK_WG) * 256)
        finally:
            for tex in textures:
                adapter.release_texture(tex)
    return out


def blocked_source(loaders, t, r=BLOCK, c=BLOCK, wg=BLOCK_WG):
    """matmul_blocked.wgsl with an r x c block unrolled (c a multiple of 4; vec4 accumulators)."""
    # float16 loads widen to f32 and accumulate there; the block rounds to f16 on store
    acc_t = "f32" if t == "f16" else t
    load = "f32({})" if t == "f16" else "{}"
    mac = "fma({a}, {b}, {acc})" if acc_t == "f32" else "{acc} + {a} * {b}"
    setup, step, store = [], [], []
    for x in range(r):
        setup.append(f"  let ia{x} = min(i0 + {x}u, m - 1u);")
    for y in range(c):
        setup.append(f"  let jb{y} = min(j0 + {y}u, n - 1u);")
    for x in range(r):
        for q in range(c // 4):
            setup.append(f"  var acc{x}_{q} = vec4<{acc_t}>();")
    for x in range(r):
        step.append(f"    let a{x} = vec4<{acc_t}>({load.format(f'load_a(offs.x, ia{x}, k)')});")
    for q in range(c // 4):
        loads = ", ".join(load.format(f"load_b(offs.y, k, jb{4 * q + y})") for y in range(4))
        step.append(f"    let b{q} = vec4<{acc_t}>({loads});")
    for x in range(r):
        for q in range(c // 4):
            step.append("    acc{x}_{q} = ".format(x=x, q=q) +
                        mac.format(a=f"a{x}", b=f"b{q}", acc=f"acc{x}_{q}") + ";")
    for x in range(r):
        store.append(f"  if (i0 + {x}u < m) {{")
        store.append(f"    let o{x} = base + (i0 + {x}u) * n + j0;")
        for y in range(c):
            store.append(f"    if (j0 + {y}u < n) {{ out[o{x} + {y}u] = {t}(acc{x}_{y // 4}[{y % 4}]); }}")
        store.append("  }")
    return shader("matmul_blocked", 3, LOADERS=loaders, T=t, ZERO=ZERO[t], WG=wg, R=r, C=c,
                  SETUP="\n".join(setup), STEP="\n".join(step), STORE="\n".join(store))


def _wgsl(h):
    from .backend import STORAGE_TYPES
    return STORAGE_TYPES[h._dtype][0]


def gemm(backend, name, t, a, b, out, m, n, k, batch, loader_words, loaders, a_rows_fast, b_k_fast,
         tiled=None):
    """Queues out[batch, m, n] = A @ B with A and B read through the WGSL `loaders` text.

    `name` keys the pipeline (it must determine `loaders`); loader_words fill uniforms u(8..).
    """
    if batch * m * n == 0:
        return out
    if tiled is None:
        tiled = m >= SKINNY and n >= SKINNY
    if t == "f16":  # only the blocked kernel accumulates float16 products in f32
        tiled = True
    if len(loader_words) > 55:
        raise Fallback(f"{name}: too many loader parameters")
    if tiled and _use_texture(backend, t, m, n, k, batch, name):
        return _texture_gemm(backend, name, a, b, out, m, n, k, batch, loader_words, loaders)
    if tiled and (t == "f16" or _use_blocked(backend)):
        blocks_n = -(-n // BLOCK)
        per_batch = -(-m // BLOCK) * blocks_n
        total = batch * per_batch
        words = [m, n, k, blocks_n, per_batch, total, 0] + list(loader_words)
        # backend.dispatch sizes its grid in workgroups of 256 invocations; ours are BLOCK_WG wide
        backend.dispatch(("matmul_blocked", name, t, BLOCK), lambda: blocked_source(loaders, t),
                         [a, b, out], words, -(-total // BLOCK_WG) * 256)
        return out
    tiles_n = -(-n // TILE)
    per_batch = -(-m // TILE) * tiles_n
    pad = [0] * (7 - 6) + loader_words  # header words u(1..6), u(7) unused, loaders from u(8)
    if tiled:
        total = batch * per_batch
        words = [m, n, k, tiles_n, per_batch, total] + pad
        fills = dict(LOADERS=loaders, T=t, ZERO=ZERO[t], A_ROWS_FAST=str(a_rows_fast).lower(),
                     B_K_FAST=str(b_k_fast).lower())
        backend.dispatch(("matmul", name, t, a_rows_fast, b_k_fast), lambda: shader("matmul", 3, **fills),
                         [a, b, out], words, total * 256)
    else:
        total = batch * m * n
        words = [m, n, k, tiles_n, per_batch, total] + pad
        fills = dict(LOADERS=loaders, T=t, ZERO=ZERO[t])
        backend.dispatch(("matmul_small", name, t), lambda: shader("matmul_small", 3, **fills),
                         [a, b, out], words, total)
    return out


def _batch_strides(shape, batch_shape):
    """Element strides of a [..., r, c] operand's batch axes read as broadcast to batch_shape."""
    own = list(shape[:-2])
    per_matrix = shape[-2] * shape[-1]
    own_strides = [s * per_matrix for s in contiguous_strides(own)]
    pad = len(batch_shape) - len(own)
    full = [1] * pad + own
    strides = [0] * pad + own_strides
    return [0 if d == 1 and o != 1 else s for d, s, o in zip(full, strides, batch_shape)]


@program("matmul")
def _matmul(backend, op, inputs, params, avals):
    a, b = inputs
    (shape, dtype), = avals
    out = backend.output(shape, dtype)
    t = _wgsl(a)
    ta, tb = params["transpose_a"], params["transpose_b"]
    m, n = shape[-2], shape[-1]
    k = a.shape[-2] if ta else a.shape[-1]
    batch_shape = list(shape[:-2])
    batch = size_of(batch_shape)
    # drop size-1 batch axes (they never move an offset); innermost first
    dims = [(d, sa, sb) for d, sa, sb in zip(batch_shape, _batch_strides(a.shape, batch_shape),
                                             _batch_strides(b.shape, batch_shape)) if d != 1][::-1]
    if len(dims) > 6:
        raise Fallback(f"matmul with {len(dims)} batch axes")
    dims += [(1, 0, 0)] * (6 - len(dims))
    rank = sum(1 for d in dims if d[0] != 1)
    ra, ca = a.shape[-2], a.shape[-1]
    rb, cb = b.shape[-2], b.shape[-1]
    sa_i, sa_k = (1, ca) if ta else (ca, 1)
    sb_k, sb_j = (1, cb) if tb else (cb, 1)
    words = [rank] + [d[0] for d in dims] + [d[1] for d in dims] + [d[2] for d in dims] + [sa_i, sa_k, sb_k, sb_j]
    return gemm(backend, "strided", t, a, b, out, m, n, k, batch, words, source("matmul_strided"),
                a_rows_fast=ta, b_k_fast=tb)


# -- einsum ----------------------------------------------------------------------------------------

MAX_LETTERS = 12
MAX_OPERANDS = 3


@program("einsum")
def _einsum(backend, op, inputs, params, avals):
    terms, output = params["terms"], params["output"]
    (shape, dtype), = avals
    if len(inputs) > MAX_OPERANDS:
        raise Fallback(f"einsum with {len(inputs)} operands")
    t = _wgsl(inputs[0])
    if any(_wgsl(x) != t for x in inputs):
        raise Fallback("einsum over mixed dtypes")
    sizes = {}
    for term, x in zip(terms, inputs):
        for c, d in zip(term, x.shape):
            sizes[c] = max(sizes.get(c, d), d)
    summed = [c for c in sizes if c not in output]
    letters = list(output)[::-1] + summed[::-1]   # innermost first within each group
    if len(letters) > MAX_LETTERS or len(output) > 8:
        raise Fallback(f"einsum over {len(letters)} index letters")
    out = backend.output(shape, dtype)
    n_out = size_of(shape)
    if n_out == 0:
        return out
    strides = []
    for term, x in zip(terms, inputs):
        own = contiguous_strides(x.shape)
        per = {}
        for c, d, s in zip(term, x.shape, own):
            if d == 1 and sizes[c] != 1:
                continue  # broadcast along c
            per[c] = per.get(c, 0) + s  # a repeated letter walks the diagonal
        strides.append([per.get(c, 0) for c in letters] + [0] * (MAX_LETTERS - len(letters)))
    while len(strides) < MAX_OPERANDS:
        strides.append([0] * MAX_LETTERS)
    n_sum = size_of([sizes[c] for c in summed])
    words = [n_out, len(output), len(letters), n_sum] + [sizes[c] for c in letters] + \
        [1] * (MAX_LETTERS - len(letters))
    for s in strides:
        words += s
    count = len(inputs)
    product = " * ".join(f"x{i}[o{i}]" for i in range(count))
    decls = "".join(f"@group(0) @binding({i}) var<storage, read> x{i}: array<{t}>;\n" for i in range(count)) + \
        f"@group(0) @binding({count}) var<storage, read_write> out: array<{t}>;\n"
    backend.dispatch(("einsum", t, count),
                     lambda: shader("matmul_einsum", count + 1, OPERANDS=decls, T=t, ZERO=ZERO[t], PRODUCT=product),
                     list(inputs) + [out], words, n_out)
    return out
