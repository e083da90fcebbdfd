/* Elementwise families: unary ops (contiguous), binary ops and where with broadcasting (strides in
 * the parameter block), cast and fill. Export names are <op>_<dtype>: f32, i32, bool.
 *
 * Broadcast layout: the host collapses the output shape to its fewest axes and writes
 * p[0..7] = shape, p[8..15] = strides of the first input, p[16..23] of the second, p[24..31] of the
 * third (where), all in elements; a broadcast axis has stride 0. The innermost axis runs as a
 * tight loop, specialised for the stride pairs (1, 1), (1, 0) and (0, 1) so it vectorises.
 */
#include <math.h>
#include "wt.h"

/* -- unary ------------------------------------------------------------------------------------- */

#define UNARY(name, T, TO, EXPR)                                                   \
    static inline TO name##_op(T v) { return (EXPR); }                             \
    WT_EXPORT(name) void name(const T *x, TO *out, int n) {                        \
        for (int i = 0; i < n; i++) out[i] = name##_op(x[i]);                      \
    }

static inline float sigmoid_f(float v) {
    if (v >= 0.0f) return 1.0f / (1.0f + expf(-v));
    float e = expf(v);
    return e / (1.0f + e);
}
static inline float sign_f(float v) { return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v; }
static inline float softplus_f(float v) { return fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v))); }
static inline float asin_f(float v) { return atan2f(v, sqrtf((1.0f - v) * (1.0f + v))); }
static inline float acos_f(float v) { return atan2f(sqrtf((1.0f - v) * (1.0f + v)), v); }
#define SELU_SCALE 1.0507009873554805f
#define SELU_ALPHA 1.6732632423543772f

UNARY(negative_f32, float, float, -v)
UNARY(abs_f32, float, float, fabsf(v))
UNARY(sign_f32, float, float, sign_f(v))
UNARY(exp_f32, float, float, expf(v))
UNARY(expm1_f32, float, float, expm1f(v))
UNARY(log_f32, float, float, logf(v))
UNARY(log1p_f32, float, float, log1pf(v))
UNARY(sqrt_f32, float, float, sqrtf(v))
UNARY(rsqrt_f32, float, float, 1.0f / sqrtf(v))
UNARY(square_f32, float, float, v * v)
UNARY(reciprocal_f32, float, float, 1.0f / v)
UNARY(sin_f32, float, float, sinf(v))
UNARY(cos_f32, float, float, cosf(v))
UNARY(tan_f32, float, float, tanf(v))
UNARY(asin_f32, float, float, asin_f(v))
UNARY(acos_f32, float, float, acos_f(v))
UNARY(atan_f32, float, float, atanf(v))
UNARY(sinh_f32, float, float, sinhf(v))
UNARY(cosh_f32, float, float, coshf(v))
UNARY(tanh_f32, float, float, tanhf(v))
UNARY(asinh_f32, float, float, asinhf(v))
UNARY(acosh_f32, float, float, acoshf(v))
UNARY(atanh_f32, float, float, atanhf(v))
UNARY(sigmoid_f32, float, float, sigmoid_f(v))
UNARY(softplus_f32, float, float, softplus_f(v))
UNARY(softsign_f32, float, float, v / (1.0f + fabsf(v)))
UNARY(erf_f32, float, float, erff(v))
UNARY(erfc_f32, float, float, erfcf(v))
UNARY(relu_f32, float, float, v > 0.0f ? v : (v != v ? v : 0.0f))
UNARY(elu_f32, float, float, v > 0.0f ? v : expm1f(v))
UNARY(selu_f32, float, float, SELU_SCALE * (v > 0.0f ? v : SELU_ALPHA * expm1f(v)))
UNARY(round_f32, float, float, rintf(v))
UNARY(floor_f32, float, float, floorf(v))
UNARY(ceil_f32, float, float, ceilf(v))
UNARY(is_nan_f32, float, wt_bool, v != v)
UNARY(is_inf_f32, float, wt_bool, isinf(v) != 0)
UNARY(is_finite_f32, float, wt_bool, isfinite(v) != 0)

/* int32 arithmetic wraps (as numpy's does): computed on uint32 to stay defined in C. */
UNARY(negative_i32, int32_t, int32_t, (int32_t)(0u - (uint32_t)v))
UNARY(abs_i32, int32_t, int32_t, v < 0 ? (int32_t)(0u - (uint32_t)v) : v)
UNARY(sign_i32, int32_t, int32_t, (v > 0) - (v < 0))
UNARY(square_i32, int32_t, int32_t, (int32_t)((uint32_t)v * (uint32_t)v))
UNARY(relu_i32, int32_t, int32_t, v > 0 ? v : 0)
UNARY(round_i32, int32_t, int32_t, v)
UNARY(logical_not_bool, wt_bool, wt_bool, !v)

WT_EXPORT(leaky_relu_f32) void leaky_relu_f32(const float *x, float *out, int n, float alpha) {
    for (int i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
}

/* -- binary with broadcasting ------------------------------------------------------------------ */

typedef struct { int rank, shape[WT_MAX_RANK], s[3][WT_MAX_RANK]; } layout;

static layout read_layout(int rank) {
    const int32_t *p = wt_param_block();
    layout l;
    l.rank = rank;
    for (int d = 0; d < rank; d++) {
        l.shape[d] = p[d];
        l.s[0][d] = p[8 + d];
        l.s[1][d] = p[16 + d];
        l.s[2][d] = p[24 + d];
    }
    return l;
}

/* Steps the odometer over the outer axes (all but the last); off[k] are the inputs' offsets. */
static inline void advance(const layout *l, int *idx, long *off, int inputs) {
    for (int d = l->rank - 2; d >= 0; d--) {
        for (int k = 0; k < inputs; k++) off[k] += l->s[k][d];
        if (++idx[d] < l->shape[d]) return;
        for (int k = 0; k < inputs; k++) off[k] -= (long)l->s[k][d] * l->shape[d];
        idx[d] = 0;
    }
}

#define BINARY(name, T, TO, EXPR)                                                                 \
    static inline TO name##_op(T a, T b) { return (EXPR); }                                       \
    WT_EXPORT(name) void name(const T *a, const T *b, TO *out, int rank) {                        \
        layout l = read_layout(rank);                                                             \
        int inner = l.shape[rank - 1], ia = l.s[0][rank - 1], ib = l.s[1][rank - 1];              \
        long outer = 1;                                                                           \
        for (int d = 0; d < rank - 1; d++) outer *= l.shape[d];                                   \
        int idx[WT_MAX_RANK] = {0};                                                               \
        long off[2] = {0, 0};                                                                     \
        for (long o = 0; o < outer; o++, out += inner) {                                          \
            const T *pa = a + off[0], *pb = b + off[1];                                           \
            if (ia == 1 && ib == 1) {                                                             \
                for (int i = 0; i < inner; i++) out[i] = name##_op(pa[i], pb[i]);                 \
            } else if (ia == 1 && ib == 0) {                                                      \
                T bv = *pb;                                                                       \
                for (int i = 0; i < inner; i++) out[i] = name##_op(pa[i], bv);                    \
            } else if (ia == 0 && ib == 1) {                                                      \
                T av = *pa;                                                                       \
                for (int i = 0; i < inner; i++) out[i] = name##_op(av, pb[i]);                    \
            } else {                                                                              \
                for (int i = 0; i < inner; i++) out[i] = name##_op(pa[(long)i * ia], pb[(long)i * ib]); \
            }                                                                                     \
            advance(&l, idx, off, 2);                                                             \
        }                                                                                         \
    }

/* numpy's float floor division and modulo (npy_divmod): exact where floor(a / b) is not. */
static inline float floordiv_f(float a, float b) {
    if (b == 0.0f) return a / b;
    float mod = fmodf(a, b), div = (a - mod) / b;
    if (mod != 0.0f && ((b < 0.0f) != (mod < 0.0f))) div -= 1.0f;
    if (div == 0.0f) return copysignf(0.0f, a / b);
    float fl = floorf(div);
    return div - fl > 0.5f ? fl + 1.0f : fl;
}
static inline float floormod_f(float a, float b) {
    if (b == 0.0f) return fmodf(a, b);
    float mod = fmodf(a, b);
    if (mod == 0.0f) return copysignf(0.0f, b);
    return ((b < 0.0f) != (mod < 0.0f)) ? mod + b : mod;
}
/* numpy's maximum/minimum propagate NaN from either side. */
static inline float max_f(float a, float b) { return (a >= b || a != a) ? a : b; }
static inline float min_f(float a, float b) { return (a <= b || a != a) ? a : b; }

BINARY(add_f32, float, float, a + b)
BINARY(subtract_f32, float, float, a - b)
BINARY(multiply_f32, float, float, a * b)
BINARY(div_f32, float, float, a / b)
BINARY(floordiv_f32, float, float, floordiv_f(a, b))
BINARY(floormod_f32, float, float, floormod_f(a, b))
BINARY(pow_f32, float, float, powf(a, b))
BINARY(maximum_f32, float, float, max_f(a, b))
BINARY(minimum_f32, float, float, min_f(a, b))
BINARY(atan2_f32, float, float, atan2f(a, b))
BINARY(equal_f32, float, wt_bool, a == b)
BINARY(not_equal_f32, float, wt_bool, a != b)
BINARY(less_f32, float, wt_bool, a < b)
BINARY(less_equal_f32, float, wt_bool, a <= b)
BINARY(greater_f32, float, wt_bool, a > b)
BINARY(greater_equal_f32, float, wt_bool, a >= b)

BINARY(add_i32, int32_t, int32_t, (int32_t)((uint32_t)a + (uint32_t)b))
BINARY(subtract_i32, int32_t, int32_t, (int32_t)((uint32_t)a - (uint32_t)b))
BINARY(multiply_i32, int32_t, int32_t, (int32_t)((uint32_t)a * (uint32_t)b))
BINARY(maximum_i32, int32_t, int32_t, a > b ? a : b)
BINARY(minimum_i32, int32_t, int32_t, a < b ? a : b)
BINARY(equal_i32, int32_t, wt_bool, a == b)
BINARY(not_equal_i32, int32_t, wt_bool, a != b)
BINARY(less_i32, int32_t, wt_bool, a < b)
BINARY(less_equal_i32, int32_t, wt_bool, a <= b)
BINARY(greater_i32, int32_t, wt_bool, a > b)
BINARY(greater_equal_i32, int32_t, wt_bool, a >= b)

BINARY(logical_and_bool, wt_bool, wt_bool, a && b)
BINARY(logical_or_bool, wt_bool, wt_bool, a || b)
BINARY(equal_bool, wt_bool, wt_bool, (a != 0) == (b != 0))
BINARY(not_equal_bool, wt_bool, wt_bool, (a != 0) != (b != 0))

/* -- where: out = c ? x : y, three broadcast operands; by element width ------------------------- */

#define WHERE(name, T)                                                                            \
    WT_EXPORT(name) void name(const wt_bool *c, const T *x, const T *y, T *out, int rank) {       \
        layout l = read_layout(rank);                                                             \
        int inner = l.shape[rank - 1];                                                            \
        int ic = l.s[0][rank - 1], ix = l.s[1][rank - 1], iy = l.s[2][rank - 1];                  \
        long outer = 1;                                                                           \
        for (int d = 0; d < rank - 1; d++) outer *= l.shape[d];                                   \
        int idx[WT_MAX_RANK] = {0};                                                               \
        long off[3] = {0, 0, 0};                                                                  \
        for (long o = 0; o < outer; o++, out += inner) {                                          \
            const wt_bool *pc = c + off[0];                                                       \
            const T *px = x + off[1], *py = y + off[2];                                           \
            for (int i = 0; i < inner; i++)                                                       \
                out[i] = pc[(long)i * ic] ? px[(long)i * ix] : py[(long)i * iy];                  \
            advance(&l, idx, off, 3);                                                             \
        }                                                                                         \
    }

WHERE(where_b32, uint32_t)
WHERE(where_b8, uint8_t)

/* -- strided copy: every layout op (transpose, broadcast_to, tile, reverse, slices, concat, split,
 * pad) as one walk over the copied region with source strides (words 8..15, 0 to broadcast,
 * negative to reverse) and destination strides (words 16..23). */

#define COPY(name, T)                                                                             \
    WT_EXPORT(name) void name(const T *x, T *out, int rank) {                                     \
        layout l = read_layout(rank);                                                             \
        int inner = l.shape[rank - 1], ix = l.s[0][rank - 1], io = l.s[1][rank - 1];              \
        long outer = 1;                                                                           \
        for (int d = 0; d < rank - 1; d++) outer *= l.shape[d];                                   \
        int idx[WT_MAX_RANK] = {0};                                                               \
        long off[2] = {0, 0};                                                                     \
        for (long o = 0; o < outer; o++) {                                                        \
            const T *px = x + off[0];                                                             \
            T *po = out + off[1];                                                                 \
            if (ix == 1 && io == 1) memcpy(po, px, (size_t)inner * sizeof(T));                    \
            else for (int i = 0; i < inner; i++) po[(long)i * io] = px[(long)i * ix];             \
            advance(&l, idx, off, 2);                                                             \
        }                                                                                         \
    }

COPY(copy_b32, uint32_t)
COPY(copy_b8, uint8_t)

/* -- cast and fill ------------------------------------------------------------------------------ */

#define CAST(name, TI, TO, EXPR)                                                                  \
    WT_EXPORT(name) void name(const TI *x, TO *out, int n) {                                      \
        for (int i = 0; i < n; i++) { TI v = x[i]; out[i] = (EXPR); }                             \
    }

/* float -> int truncates toward zero; NaN and out-of-range values saturate (nontrapping-fptoint). */
CAST(cast_f32_i32, float, int32_t, (int32_t)v)
CAST(cast_i32_f32, int32_t, float, (float)v)
CAST(cast_f32_bool, float, wt_bool, v != 0.0f)
CAST(cast_i32_bool, int32_t, wt_bool, v != 0)
CAST(cast_bool_f32, wt_bool, float, v ? 1.0f : 0.0f)
CAST(cast_bool_i32, wt_bool, int32_t, v ? 1 : 0)

WT_EXPORT(fill_b32) void fill_b32(uint32_t *out, int n, uint32_t bits) {
    for (int i = 0; i < n; i++) out[i] = bits;
}
