/* sgemm: packed panels and a 4x8 register-blocked SIMD micro-kernel (GotoBLAS loop order).
 *
 * Loops: columns of C in NC blocks, the shared dimension in KC slices (B's slice packed into
 * NR-wide panels that stay in cache), rows in MC blocks (A's block packed into MR-tall panels),
 * then MR x NR tiles of C accumulated in eight 4-lane registers. wasm SIMD has no fused
 * multiply-add (without relaxed-simd), so a tile step is a multiply and an add per register.
 */
#include "wt.h"

#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 2048

/* A's rows [i0, i0+mc) x shared [p0, p0+kc) into MR-tall panels: panel r holds kc columns of MR. */
static void pack_a(int mc, int kc, const float *a, int lda, int trans, int i0, int p0, float *out) {
    for (int r = 0; r < mc; r += MR) {
        int rows = mc - r < MR ? mc - r : MR;
        for (int p = 0; p < kc; p++) {
            for (int i = 0; i < MR; i++) {
                float v = 0.0f;
                if (i < rows) {
                    int row = i0 + r + i, col = p0 + p;
                    v = trans ? a[(size_t)col * lda + row] : a[(size_t)row * lda + col];
                }
                *out++ = v;
            }
        }
    }
}

/* B's shared [p0, p0+kc) x columns [j0, j0+nc) into NR-wide panels. */
static void pack_b(int kc, int nc, const float *b, int ldb, int trans, int p0, int j0, float *out) {
    for (int s = 0; s < nc; s += NR) {
        int cols = nc - s < NR ? nc - s : NR;
        for (int p = 0; p < kc; p++) {
            int row = p0 + p;
            if (!trans && cols == NR) {
                const float *src = b + (size_t)row * ldb + j0 + s;
                wasm_v128_store(out, wasm_v128_load(src));
                wasm_v128_store(out + 4, wasm_v128_load(src + 4));
                out += NR;
                continue;
            }
            for (int j = 0; j < NR; j++) {
                float v = 0.0f;
                if (j < cols) {
                    int col = j0 + s + j;
                    v = trans ? b[(size_t)col * ldb + row] : b[(size_t)row * ldb + col];
                }
                *out++ = v;
            }
        }
    }
}

/* One MR x NR tile: C[0:mr, 0:nr] (+)= Ap panel @ Bp panel. */
static void micro_kernel(int kc, const float *ap, const float *bp, float *c, int ldc, int mr, int nr, int acc) {
    v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
    v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int p = 0; p < kc; p++) {
        v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
        v128_t a0 = wasm_v128_load32_splat(ap + 0), a1 = wasm_v128_load32_splat(ap + 1);
        v128_t a2 = wasm_v128_load32_splat(ap + 2), a3 = wasm_v128_load32_splat(ap + 3);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
        ap += MR;
        bp += NR;
    }
    if (mr == MR && nr == NR) {
        float *r0 = c, *r1 = c + ldc, *r2 = c + 2 * (size_t)ldc, *r3 = c + 3 * (size_t)ldc;
        if (acc) {
            c00 = wasm_f32x4_add(c00, wasm_v128_load(r0)); c01 = wasm_f32x4_add(c01, wasm_v128_load(r0 + 4));
            c10 = wasm_f32x4_add(c10, wasm_v128_load(r1)); c11 = wasm_f32x4_add(c11, wasm_v128_load(r1 + 4));
            c20 = wasm_f32x4_add(c20, wasm_v128_load(r2)); c21 = wasm_f32x4_add(c21, wasm_v128_load(r2 + 4));
            c30 = wasm_f32x4_add(c30, wasm_v128_load(r3)); c31 = wasm_f32x4_add(c31, wasm_v128_load(r3 + 4));
        }
        wasm_v128_store(r0, c00); wasm_v128_store(r0 + 4, c01);
        wasm_v128_store(r1, c10); wasm_v128_store(r1 + 4, c11);
        wasm_v128_store(r2, c20); wasm_v128_store(r2 + 4, c21);
        wasm_v128_store(r3, c30); wasm_v128_store(r3 + 4, c31);
        return;
    }
    float tile[MR * NR];
    wasm_v128_store(tile, c00); wasm_v128_store(tile + 4, c01);
    wasm_v128_store(tile + 8, c10); wasm_v128_store(tile + 12, c11);
    wasm_v128_store(tile + 16, c20); wasm_v128_store(tile + 20, c21);
    wasm_v128_store(tile + 24, c30); wasm_v128_store(tile + 28, c31);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            c[(size_t)i * ldc + j] = (acc ? c[(size_t)i * ldc + j] : 0.0f) + tile[i * NR + j];
}

void wt_gemm(int m, int n, int k, const float *a, int lda, int trans_a, const float *b, int ldb, int trans_b,
             float *c, int ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate)
            for (int i = 0; i < m; i++) memset(c + (size_t)i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    int kc_max = k < KC ? k : KC;
    int mc_max = m < MC ? m : MC;
    int nc_max = n < NC ? n : NC;
    size_t a_bytes = (size_t)((mc_max + MR - 1) / MR * MR) * kc_max * sizeof(float);
    size_t b_bytes = (size_t)((nc_max + NR - 1) / NR * NR) * kc_max * sizeof(float);
    float *ap = wt_alloc(a_bytes), *bp = wt_alloc(b_bytes);
    if (!ap || !bp) __builtin_trap();  /* out of memory: the host sees a trap and raises */
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = k - p0 < KC ? k - p0 : KC;
            int acc = accumulate || p0 > 0;
            pack_b(kc, nc, b, ldb, trans_b, p0, j0, bp);
            for (int i0 = 0; i0 < m; i0 += MC) {
                int mc = m - i0 < MC ? m - i0 : MC;
                pack_a(mc, kc, a, lda, trans_a, i0, p0, ap);
                for (int s = 0; s < nc; s += NR) {
                    int nr = nc - s < NR ? nc - s : NR;
                    for (int r = 0; r < mc; r += MR) {
                        int mr = mc - r < MR ? mc - r : MR;
                        micro_kernel(kc, ap + (size_t)r * kc, bp + (size_t)s * kc,
                                     c + (size_t)(i0 + r) * ldc + j0 + s, ldc, mr, nr, acc);
                    }
                }
            }
        }
    }
    wt_free(ap, a_bytes);
    wt_free(bp, b_bytes);
}

/* matmul: `batch` products c[b] = op(a[b]) @ op(b[b]) with batch strides (0 broadcasts an operand).
 * a[b] is [m, k] ([k, m] if trans_a), b[b] is [k, n] ([n, k] if trans_b), c[b] is [m, n]. */
WT_EXPORT(matmul_f32) void matmul_f32(const float *a, const float *b, float *c, int batch, int m, int n, int k,
                                      int trans_a, int trans_b, int stride_a, int stride_b) {
    int lda = trans_a ? m : k, ldb = trans_b ? k : n;
    for (int i = 0; i < batch; i++)
        wt_gemm(m, n, k, a + (size_t)i * stride_a, lda, trans_a, b + (size_t)i * stride_b, ldb, trans_b,
                c + (size_t)i * m * n, n, 0);
}
