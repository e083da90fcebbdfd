/* gather along one axis, its gradient (scatter-add), and unsorted_segment_sum.
 *
 * Views: params [outer, axis_dim, inner] gathered by m indices into out [outer, m, inner].
 * Indices are int32 (idx64 = 0) or int64 (idx64 = 1). Each export returns -1 when every index was
 * in range, else the flat position of the first bad one (nothing useful is written then): the host
 * raises TensorFlow's error naming it.
 */
#include "wt.h"

static inline int64_t index_at(const void *indices, int idx64, long j) {
    return idx64 ? ((const int64_t *)indices)[j] : ((const int32_t *)indices)[j];
}

static long first_bad(const void *indices, int idx64, long m, int64_t limit, int allow_negative) {
    for (long j = 0; j < m; j++) {
        int64_t v = index_at(indices, idx64, j);
        if (v >= limit || (v < 0 && !allow_negative)) return j;
    }
    return -1;
}

/* Any element type: rows of `inner_bytes` bytes are copied. */
WT_EXPORT(gather) long gather(const uint8_t *params, const void *indices, uint8_t *out, int outer, int axis_dim,
                              int inner_bytes, long m, int idx64) {
    long bad = first_bad(indices, idx64, m, axis_dim, 0);
    if (bad >= 0) return bad;
    for (int o = 0; o < outer; o++) {
        const uint8_t *src = params + (size_t)o * axis_dim * inner_bytes;
        for (long j = 0; j < m; j++, out += inner_bytes)
            memcpy(out, src + (size_t)index_at(indices, idx64, j) * inner_bytes, (size_t)inner_bytes);
    }
    return -1;
}

/* out [outer, axis_dim, inner] = 0, then out[o, idx[j], :] += dy[o, j, :]. */
WT_EXPORT(gather_grad_f32) long gather_grad_f32(const float *dy, const void *indices, float *out, int outer,
                                                int axis_dim, int inner, long m, int idx64) {
    long bad = first_bad(indices, idx64, m, axis_dim, 0);
    if (bad >= 0) return bad;
    memset(out, 0, (size_t)outer * axis_dim * inner * sizeof(float));
    for (int o = 0; o < outer; o++) {
        float *dst = out + (size_t)o * axis_dim * inner;
        for (long j = 0; j < m; j++, dy += inner) {
            float *row = dst + (size_t)index_at(indices, idx64, j) * inner;
            for (int i = 0; i < inner; i++) row[i] += dy[i];
        }
    }
    return -1;
}

/* out [num_segments, inner] = sums of data's m rows by segment id; negative ids drop their row. */
#define SEGMENT_SUM(name, T, ADD)                                                                 \
    WT_EXPORT(name) long name(const T *data, const void *ids, T *out, long m, int inner,          \
                              int num_segments, int idx64) {                                      \
        long bad = first_bad(ids, idx64, m, num_segments, 1);                                     \
        if (bad >= 0) return bad;                                                                 \
        memset(out, 0, (size_t)num_segments * inner * sizeof(T));                                 \
        for (long j = 0; j < m; j++, data += inner) {                                             \
            int64_t s = index_at(ids, idx64, j);                                                  \
            if (s < 0) continue;                                                                  \
            T *row = out + (size_t)s * inner;                                                     \
            for (int i = 0; i < inner; i++) { T a = row[i], b = data[i]; row[i] = (ADD); }        \
        }                                                                                         \
        return -1;                                                                                \
    }

SEGMENT_SUM(unsorted_segment_sum_f32, float, a + b)
SEGMENT_SUM(unsorted_segment_sum_i32, int32_t, (int32_t)((uint32_t)a + (uint32_t)b))
