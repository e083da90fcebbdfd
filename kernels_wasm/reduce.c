/* Reductions over the middle axis of an [outer, r, inner] view: out[o, i] = reduce_j x[o, j, i].
 *
 * The host merges adjacent axes and runs one pass per group of reduced axes. Sums, means and
 * products accumulate in float64 (so long float32 sums stay within a few ulps, as numpy's pairwise
 * sums do); max and min propagate NaN as numpy's do. int32 sums and products wrap.
 */
#include <math.h>
#include "wt.h"

static inline float max_nan(float a, float b) { return (a >= b || a != a) ? a : b; }
static inline float min_nan(float a, float b) { return (a <= b || a != a) ? a : b; }

/* sum (scale 1) and mean (scale 1/r) of float32 */
static void sum_f32(const float *x, float *out, int outer, int r, int inner, double scale) {
    if (inner == 1) {
        for (int o = 0; o < outer; o++) {
            const float *row = x + (size_t)o * r;
            v128_t acc0 = wasm_f64x2_splat(0.0), acc1 = acc0;
            int j = 0;
            for (; j + 4 <= r; j += 4) {
                v128_t v = wasm_v128_load(row + j);
                acc0 = wasm_f64x2_add(acc0, wasm_f64x2_promote_low_f32x4(v));
                acc1 = wasm_f64x2_add(acc1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
            }
            double s = wasm_f64x2_extract_lane(acc0, 0) + wasm_f64x2_extract_lane(acc0, 1) +
                       wasm_f64x2_extract_lane(acc1, 0) + wasm_f64x2_extract_lane(acc1, 1);
            for (; j < r; j++) s += row[j];
            out[o] = (float)(s * scale);
        }
        return;
    }
    size_t bytes = (size_t)inner * sizeof(double);
    double *acc = wt_alloc(bytes);
    if (!acc) __builtin_trap();
    for (int o = 0; o < outer; o++) {
        const float *block = x + (size_t)o * r * inner;
        for (int i = 0; i < inner; i++) acc[i] = 0.0;
        for (int j = 0; j < r; j++) {
            const float *row = block + (size_t)j * inner;
            for (int i = 0; i < inner; i++) acc[i] += row[i];
        }
        for (int i = 0; i < inner; i++) out[(size_t)o * inner + i] = (float)(acc[i] * scale);
    }
    wt_free(acc, bytes);
}

WT_EXPORT(reduce_sum_f32) void reduce_sum_f32(const float *x, float *out, int outer, int r, int inner) {
    sum_f32(x, out, outer, r, inner, 1.0);
}

WT_EXPORT(reduce_mean_f32) void reduce_mean_f32(const float *x, float *out, int outer, int r, int inner) {
    sum_f32(x, out, outer, r, inner, r > 0 ? 1.0 / r : NAN);
}

WT_EXPORT(reduce_prod_f32) void reduce_prod_f32(const float *x, float *out, int outer, int r, int inner) {
    for (int o = 0; o < outer; o++)
        for (int i = 0; i < inner; i++) {
            double p = 1.0;
            for (int j = 0; j < r; j++) p *= x[((size_t)o * r + j) * inner + i];
            out[(size_t)o * inner + i] = (float)p;
        }
}

/* Elementwise fold of rows (the inner > 1 case) and of one contiguous row (inner == 1). */
#define FOLD(name, T, INIT, STEP)                                                                 \
    WT_EXPORT(name) void name(const T *x, T *out, int outer, int r, int inner) {                  \
        for (int o = 0; o < outer; o++) {                                                         \
            const T *block = x + (size_t)o * r * inner;                                           \
            T *dst = out + (size_t)o * inner;                                                     \
            if (inner == 1) {                                                                     \
                T acc = (INIT);                                                                   \
                for (int j = 0; j < r; j++) { T a = acc, b = block[j]; acc = (STEP); }            \
                *dst = acc;                                                                       \
                continue;                                                                         \
            }                                                                                     \
            for (int i = 0; i < inner; i++) dst[i] = (INIT);                                      \
            for (int j = 0; j < r; j++) {                                                         \
                const T *row = block + (size_t)j * inner;                                         \
                for (int i = 0; i < inner; i++) { T a = dst[i], b = row[i]; dst[i] = (STEP); }    \
            }                                                                                     \
        }                                                                                         \
    }

FOLD(reduce_max_f32, float, -INFINITY, max_nan(a, b))
FOLD(reduce_min_f32, float, INFINITY, min_nan(a, b))
FOLD(reduce_sum_i32, int32_t, 0, (int32_t)((uint32_t)a + (uint32_t)b))
FOLD(reduce_prod_i32, int32_t, 1, (int32_t)((uint32_t)a * (uint32_t)b))
FOLD(reduce_max_i32, int32_t, INT32_MIN, a > b ? a : b)
FOLD(reduce_min_i32, int32_t, INT32_MAX, a < b ? a : b)
FOLD(reduce_any_bool, wt_bool, 0, a || b)
FOLD(reduce_all_bool, wt_bool, 1, a && b)
