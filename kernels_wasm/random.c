/* Random ops: the Philox-4x32-10 stream specified in pkg/webtensor/ops/random_ops.py, bit for bit.
 *
 * `state` points at the op's int64[3] Philox state ([counter_lo, counter_hi, key], little-endian).
 * Block j is Philox of the 128-bit counter plus j under the 64-bit key; its four words are words
 * 4j..4j+3 of the stream. Normals are computed in float64 and rounded, as the numpy kernels do.
 */
#include <math.h>
#include "wt.h"

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

static void philox_block(const uint64_t *state, uint64_t j, uint32_t out[4]) {
    uint64_t lo = state[0] + j, hi = state[1] + (lo < j);
    uint32_t c0 = (uint32_t)lo, c1 = (uint32_t)(lo >> 32), c2 = (uint32_t)hi, c3 = (uint32_t)(hi >> 32);
    uint32_t k0 = (uint32_t)state[2], k1 = (uint32_t)(state[2] >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)c0 * M0, p1 = (uint64_t)c2 * M1;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += W0;
        k1 += W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* The first n words of the stream into words[0..n). */
static void philox_words(const uint64_t *state, uint32_t *words, long n) {
    uint32_t block[4];
    for (long j = 0; 4 * j < n; j++) {
        philox_block(state, (uint64_t)j, block);
        for (int lane = 0; lane < 4 && 4 * j + lane < n; lane++) words[4 * j + lane] = block[lane];
    }
}

static inline double unit24(uint32_t w) { return (double)(w >> 8) * 0x1p-24; }

WT_EXPORT(random_uniform_f32) void random_uniform_f32(const uint64_t *state, float *out, long n) {
    philox_words(state, (uint32_t *)out, n);
    for (long i = 0; i < n; i++) out[i] = (float)unit24(((uint32_t *)out)[i]);
}

/* Box-Muller on pairs; `scratch` holds n + 1 words (n rounded up to even). */
WT_EXPORT(random_normal_f32) void random_normal_f32(const uint64_t *state, float *out, long n, uint32_t *scratch) {
    long pairs = (n + 1) / 2;
    philox_words(state, scratch, 2 * pairs);
    for (long p = 0; p < pairs; p++) {
        double a = unit24(scratch[2 * p]) + 0x1p-24, b = unit24(scratch[2 * p + 1]);
        double r = sqrt(-2.0 * log(a)), theta = 6.283185307179586 * b;
        out[2 * p] = (float)(r * cos(theta));
        if (2 * p + 1 < n) out[2 * p + 1] = (float)(r * sin(theta));
    }
}

static const double GILES[9] = {2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                                -0.00125372503, -0.00417768164, 0.246640727, 1.50140941};

WT_EXPORT(random_truncated_normal_f32) void random_truncated_normal_f32(const uint64_t *state, float *out, long n) {
    philox_words(state, (uint32_t *)out, n);
    for (long i = 0; i < n; i++) {
        double x = (2.0 * unit24(((uint32_t *)out)[i]) - 1.0 + 0x1p-24) * 0.9544997361036416;
        double w = -log((1.0 - x) * (1.0 + x)) - 2.5, p = GILES[0];
        for (int c = 1; c < 9; c++) p = GILES[c] + p * w;
        double z = 1.4142135623730951 * (p * x);
        out[i] = (float)(z < -2.0 ? -2.0 : z > 2.0 ? 2.0 : z);
    }
}

/* minval + word mod (maxval - minval), in int32 bits (the host checks minval < maxval). */
WT_EXPORT(random_uniform_int_i32) void random_uniform_int_i32(const uint64_t *state, int32_t *out, long n,
                                                            int32_t minval, int32_t maxval) {
    uint64_t range = (uint64_t)((int64_t)maxval - (int64_t)minval);
    philox_words(state, (uint32_t *)out, n);
    for (long i = 0; i < n; i++) out[i] = (int32_t)(uint32_t)((uint64_t)(uint32_t)out[i] % range + (uint64_t)minval);
}

WT_EXPORT(random_uniform_full_int_i32) void random_uniform_full_int_i32(const uint64_t *state, int32_t *out, long n) {
    philox_words(state, (uint32_t *)out, n);
}
