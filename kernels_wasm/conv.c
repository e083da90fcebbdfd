/* conv2d (NHWC input, HWIO filters) and its two gradients: im2col in chunks of output pixels + sgemm.
 *
 * Geometry comes from the parameter block (the host computes padding with the ops' shape rules):
 * p[0..14] = N, H, W, C, KH, KW, CO, OH, OW, stride_h, stride_w, dilation_h, dilation_w, pad_top,
 * pad_left. Pixels are processed CHUNK_BYTES of columns at a time, so the column matrix never
 * holds the whole image.
 */
#include "wt.h"

#define CHUNK_BYTES (4 << 20)

typedef struct {
    int n, h, w, c, kh, kw, co, oh, ow, sh, sw, dh, dw, top, left;
} geometry;

static geometry read_geometry(void) {
    const int32_t *p = wt_param_block();
    geometry g = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
    return g;
}

static int chunk_pixels(const geometry *g) {
    int row = g->kh * g->kw * g->c;
    int rows = CHUNK_BYTES / (int)sizeof(float) / (row > 0 ? row : 1);
    return rows < 16 ? 16 : rows;
}

/* Rows [p0, p0+rows) of the column matrix: row = output pixel (n, oy, ox), columns = (ky, kx, c). */
static void im2col(const geometry *g, const float *x, int p0, int rows, float *cols) {
    int row_len = g->kh * g->kw * g->c, per_image = g->oh * g->ow;
    for (int r = 0; r < rows; r++) {
        int pix = p0 + r, b = pix / per_image, rest = pix % per_image, oy = rest / g->ow, ox = rest % g->ow;
        float *dst = cols + (size_t)r * row_len;
        for (int ky = 0; ky < g->kh; ky++) {
            int iy = oy * g->sh + ky * g->dh - g->top;
            for (int kx = 0; kx < g->kw; kx++, dst += g->c) {
                int ix = ox * g->sw + kx * g->dw - g->left;
                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                    memset(dst, 0, (size_t)g->c * sizeof(float));
                else
                    memcpy(dst, x + (((size_t)b * g->h + iy) * g->w + ix) * g->c, (size_t)g->c * sizeof(float));
            }
        }
    }
}

/* The adjoint of im2col: adds each column row back onto the (unpadded) image dx. */
static void col2im(const geometry *g, const float *cols, int p0, int rows, float *dx) {
    int row_len = g->kh * g->kw * g->c, per_image = g->oh * g->ow;
    for (int r = 0; r < rows; r++) {
        int pix = p0 + r, b = pix / per_image, rest = pix % per_image, oy = rest / g->ow, ox = rest % g->ow;
        const float *src = cols + (size_t)r * row_len;
        for (int ky = 0; ky < g->kh; ky++) {
            int iy = oy * g->sh + ky * g->dh - g->top;
            for (int kx = 0; kx < g->kw; kx++, src += g->c) {
                int ix = ox * g->sw + kx * g->dw - g->left;
                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                float *dst = dx + (((size_t)b * g->h + iy) * g->w + ix) * g->c;
                for (int ch = 0; ch < g->c; ch++) dst[ch] += src[ch];
            }
        }
    }
}

static int is_pointwise(const geometry *g) {
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->top == 0 && g->left == 0 &&
           g->oh == g->h && g->ow == g->w;
}

/* out[N, OH, OW, CO] = conv2d(x[N, H, W, C], w[KH, KW, C, CO]). Returns 0, or -1 when out of memory. */
WT_EXPORT(conv2d_f32) int conv2d_f32(const float *x, const float *w, float *out) {
    geometry g = read_geometry();
    int pixels = g.n * g.oh * g.ow, row_len = g.kh * g.kw * g.c;
    if (is_pointwise(&g)) {
        wt_gemm(pixels, g.co, g.c, x, g.c, 0, w, g.co, 0, out, g.co, 0);
        return 0;
    }
    int chunk = chunk_pixels(&g);
    size_t bytes = (size_t)chunk * row_len * sizeof(float);
    float *cols = wt_alloc(bytes);
    if (!cols) return -1;
    for (int p0 = 0; p0 < pixels; p0 += chunk) {
        int rows = pixels - p0 < chunk ? pixels - p0 : chunk;
        im2col(&g, x, p0, rows, cols);
        wt_gemm(rows, g.co, row_len, cols, row_len, 0, w, g.co, 0, out + (size_t)p0 * g.co, g.co, 0);
    }
    wt_free(cols, bytes);
    return 0;
}

/* dx[N, H, W, C] from dy[N, OH, OW, CO] and w: dy @ w^T per pixel chunk, then col2im. */
WT_EXPORT(conv2d_backprop_input_f32) int conv2d_backprop_input_f32(const float *dy, const float *w, float *dx) {
    geometry g = read_geometry();
    int pixels = g.n * g.oh * g.ow, row_len = g.kh * g.kw * g.c;
    if (is_pointwise(&g)) {
        wt_gemm(pixels, g.c, g.co, dy, g.co, 0, w, g.co, 1, dx, g.c, 0);
        return 0;
    }
    memset(dx, 0, (size_t)g.n * g.h * g.w * g.c * sizeof(float));
    int chunk = chunk_pixels(&g);
    size_t bytes = (size_t)chunk * row_len * sizeof(float);
    float *cols = wt_alloc(bytes);
    if (!cols) return -1;
    for (int p0 = 0; p0 < pixels; p0 += chunk) {
        int rows = pixels - p0 < chunk ? pixels - p0 : chunk;
        wt_gemm(rows, row_len, g.co, dy + (size_t)p0 * g.co, g.co, 0, w, g.co, 1, cols, row_len, 0);
        col2im(&g, cols, p0, rows, dx);
    }
    wt_free(cols, bytes);
    return 0;
}

/* dw[KH, KW, C, CO] = sum over pixel chunks of cols^T @ dy. */
WT_EXPORT(conv2d_backprop_filter_f32) int conv2d_backprop_filter_f32(const float *x, const float *dy, float *dw) {
    geometry g = read_geometry();
    int pixels = g.n * g.oh * g.ow, row_len = g.kh * g.kw * g.c;
    if (is_pointwise(&g)) {
        wt_gemm(g.c, g.co, pixels, x, g.c, 1, dy, g.co, 0, dw, g.co, 0);
        return 0;
    }
    if (pixels == 0) {
        memset(dw, 0, (size_t)row_len * g.co * sizeof(float));
        return 0;
    }
    int chunk = chunk_pixels(&g);
    size_t bytes = (size_t)chunk * row_len * sizeof(float);
    float *cols = wt_alloc(bytes);
    if (!cols) return -1;
    for (int p0 = 0; p0 < pixels; p0 += chunk) {
        int rows = pixels - p0 < chunk ? pixels - p0 : chunk;
        im2col(&g, x, p0, rows, cols);
        wt_gemm(row_len, g.co, rows, cols, row_len, 1, dy + (size_t)p0 * g.co, g.co, 0, dw, g.co, p0 > 0);
    }
    wt_free(cols, bytes);
    return 0;
}
