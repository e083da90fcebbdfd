/* Pooling over NHWC images: max_pool2d (+ grad, grad_grad) and avg_pool2d (+ grad).
 *
 * Parameter block: p[0..11] = N, H, W, C, KH, KW, OH, OW, stride_h, stride_w, pad_top, pad_left.
 * Padding cells never win a max and are not counted in an average (TensorFlow's rules). The max
 * gradients route through the first maximum of each window in row-major tap order.
 */
#include <math.h>
#include "wt.h"

typedef struct { int n, h, w, c, kh, kw, oh, ow, sh, sw, top, left; } pool_geometry;

static pool_geometry read_geometry(void) {
    const int32_t *p = wt_param_block();
    pool_geometry g = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]};
    return g;
}

/* The in-bounds window of output pixel (oy, ox): rows [y0, y1), columns [x0, x1). */
#define WINDOW(g, oy, ox)                                                                  \
    int y0 = (oy) * (g).sh - (g).top, x0 = (ox) * (g).sw - (g).left;                       \
    int y1 = y0 + (g).kh, x1 = x0 + (g).kw;                                                 \
    if (y0 < 0) y0 = 0;                                                                     \
    if (x0 < 0) x0 = 0;                                                                     \
    if (y1 > (g).h) y1 = (g).h;                                                             \
    if (x1 > (g).w) x1 = (g).w;

WT_EXPORT(max_pool2d_f32) void max_pool2d_f32(const float *x, float *out) {
    pool_geometry g = read_geometry();
    for (int b = 0; b < g.n; b++)
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                WINDOW(g, oy, ox)
                float *dst = out + (((size_t)b * g.oh + oy) * g.ow + ox) * g.c;
                int ch = 0;
                for (; ch + 4 <= g.c; ch += 4) {
                    v128_t m = wasm_f32x4_splat(-INFINITY);
                    for (int y = y0; y < y1; y++)
                        for (int xx = x0; xx < x1; xx++)  /* f32x4.max propagates NaN, as numpy's max */
                            m = wasm_f32x4_max(m, wasm_v128_load(x + (((size_t)b * g.h + y) * g.w + xx) * g.c + ch));
                    wasm_v128_store(dst + ch, m);
                }
                for (; ch < g.c; ch++) {
                    float m = -INFINITY;
                    for (int y = y0; y < y1; y++)
                        for (int xx = x0; xx < x1; xx++) {
                            float v = x[(((size_t)b * g.h + y) * g.w + xx) * g.c + ch];
                            m = (v > m || v != v) ? v : m;
                        }
                    dst[ch] = m;
                }
            }
}

/* Flat index into x of the first maximum of window (b, oy, ox) in channel ch; -1 if none is in bounds. */
static long argmax_tap(const pool_geometry *g, const float *x, int b, int oy, int ox, int ch) {
    long best_at = -1;
    float best = 0.0f;
    int first = 1;
    for (int ky = 0; ky < g->kh; ky++) {
        int y = oy * g->sh - g->top + ky;
        for (int kx = 0; kx < g->kw; kx++) {
            int xx = ox * g->sw - g->left + kx;
            int inside = y >= 0 && y < g->h && xx >= 0 && xx < g->w;
            long at = inside ? (((long)b * g->h + y) * g->w + xx) * g->c + ch : -1;
            float v = inside ? x[at] : -INFINITY;
            if (first || v > best) {
                best = v;
                best_at = at;
                first = 0;
            }
        }
    }
    return best_at;
}

/* dx (shape of x) = dy routed to each window's first maximum. */
WT_EXPORT(max_pool2d_grad_f32) void max_pool2d_grad_f32(const float *x, const float *dy, float *dx) {
    pool_geometry g = read_geometry();
    memset(dx, 0, (size_t)g.n * g.h * g.w * g.c * sizeof(float));
    for (int b = 0; b < g.n; b++)
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                const float *src = dy + (((size_t)b * g.oh + oy) * g.ow + ox) * g.c;
                for (int ch = 0; ch < g.c; ch++) {
                    long at = argmax_tap(&g, x, b, oy, ox, ch);
                    if (at >= 0) dx[at] += src[ch];
                }
            }
}

/* out (pooled shape) = g read at each window's first maximum of x. */
WT_EXPORT(max_pool2d_grad_grad_f32) void max_pool2d_grad_grad_f32(const float *x, const float *grad, float *out) {
    pool_geometry g = read_geometry();
    for (int b = 0; b < g.n; b++)
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                float *dst = out + (((size_t)b * g.oh + oy) * g.ow + ox) * g.c;
                for (int ch = 0; ch < g.c; ch++) {
                    long at = argmax_tap(&g, x, b, oy, ox, ch);
                    dst[ch] = at >= 0 ? grad[at] : 0.0f;
                }
            }
}

WT_EXPORT(avg_pool2d_f32) void avg_pool2d_f32(const float *x, float *out) {
    pool_geometry g = read_geometry();
    for (int b = 0; b < g.n; b++)
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                WINDOW(g, oy, ox)
                float *dst = out + (((size_t)b * g.oh + oy) * g.ow + ox) * g.c;
                float scale = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int ch = 0; ch < g.c; ch++) {
                    float s = 0.0f;
                    for (int y = y0; y < y1; y++)
                        for (int xx = x0; xx < x1; xx++) s += x[(((size_t)b * g.h + y) * g.w + xx) * g.c + ch];
                    dst[ch] = s * scale;
                }
            }
}

/* dx[N, H, W, C] = each dy spread evenly over the real cells of its window. */
WT_EXPORT(avg_pool2d_grad_f32) void avg_pool2d_grad_f32(const float *dy, float *dx) {
    pool_geometry g = read_geometry();
    memset(dx, 0, (size_t)g.n * g.h * g.w * g.c * sizeof(float));
    for (int b = 0; b < g.n; b++)
        for (int oy = 0; oy < g.oh; oy++)
            for (int ox = 0; ox < g.ow; ox++) {
                WINDOW(g, oy, ox)
                const float *src = dy + (((size_t)b * g.oh + oy) * g.ow + ox) * g.c;
                float scale = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int y = y0; y < y1; y++)
                    for (int xx = x0; xx < x1; xx++) {
                        float *dst = dx + (((size_t)b * g.h + y) * g.w + xx) * g.c;
                        for (int ch = 0; ch < g.c; ch++) dst[ch] += src[ch] * scale;
                    }
            }
}
