/* webtensor wasm kernels: the shared C ABI (see README.md).
 *
 * Every export takes plain i32/f32 arguments; pointers are byte offsets into the module's one
 * linear memory. Tensors are dense, row-major, C-contiguous. Shapes and strides of variable rank
 * travel through the parameter block (wt_params(), WT_PARAM_WORDS int32 words) that the host
 * fills before the call. Kernels never fail silently: a kernel that finds bad input returns a
 * negative status or the position of the first bad element (documented per export).
 */
#ifndef WT_H
#define WT_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <wasm_simd128.h>

#define WT_EXPORT(name) __attribute__((export_name(#name))) 
#define WT_MAX_RANK 8
#define WT_PARAM_WORDS 256

typedef uint8_t wt_bool;

void *wt_alloc(size_t nbytes);
void wt_free(void *ptr, size_t nbytes);
int32_t *wt_param_block(void);

/* C = alpha-free GEMM on row-major operands with explicit leading dimensions:
 * C[m, n] (+)= op(A)[m, k] @ op(B)[k, n]. trans_a: A is stored [k, m]; trans_b: B is stored [n, k]. */
void wt_gemm(int m, int n, int k, const float *a, int lda, int trans_a, const float *b, int ldb, int trans_b,
             float *c, int ldc, int accumulate);

#endif
