/* The allocator: size classes with free lists over a bump region that grows the linear memory.
 *
 * The host and the kernels (for their scratch panels) share it. Callers pass the size back to
 * wt_free, so blocks carry no header: a 4 MiB tensor takes exactly 4 MiB. Small sizes round up
 * to powers of two; from 4 KiB on, to quarter steps between powers of two (at most 25% slack).
 * Memory is never returned to the engine (wasm memories cannot shrink); freed blocks are reused.
 */
#include "wt.h"

#define ALIGN 16
#define PAGE 65536
#define NUM_CLASSES 128

extern unsigned char __heap_base;

static void *free_lists[NUM_CLASSES];
static uintptr_t bump;
static size_t bytes_in_use;
static int32_t param_block[WT_PARAM_WORDS];

static int log2_floor(size_t v) { return 31 - __builtin_clz((uint32_t)v); }

/* The class of a request and the size its blocks have. */
static int size_class(size_t n, size_t *rounded) {
    if (n < ALIGN) n = ALIGN;
    if (n <= 4096) {
        int e = log2_floor(n - 1) + 1;
        *rounded = (size_t)1 << e;
        return e;
    }
    int e = log2_floor(n - 1);               /* n in (2^e, 2^(e+1)] */
    size_t step = (size_t)1 << (e - 2);
    size_t r = (n + step - 1) & ~(step - 1);
    *rounded = r;
    return 16 + (e - 12) * 4 + (int)(r >> (e - 2)) - 5;
}

WT_EXPORT(wt_alloc) void *wt_alloc(size_t nbytes) {
    size_t rounded;
    if (nbytes > 0x7ff00000u) return 0;
    int c = size_class(nbytes, &rounded);
    void *p = free_lists[c];
    if (p) {
        free_lists[c] = *(void **)p;
    } else {
        if (!bump) bump = ((uintptr_t)&__heap_base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
        uintptr_t end = bump + rounded;
        if (end < bump) return 0;
        size_t have = __builtin_wasm_memory_size(0) * (size_t)PAGE;
        if (end > have) {
            size_t pages = (end - have + PAGE - 1) / PAGE;
            if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
        }
        p = (void *)bump;
        bump = end;
    }
    bytes_in_use += rounded;
    return p;
}

WT_EXPORT(wt_free) void wt_free(void *ptr, size_t nbytes) {
    if (!ptr) return;
    size_t rounded;
    int c = size_class(nbytes, &rounded);
    *(void **)ptr = free_lists[c];
    free_lists[c] = ptr;
    bytes_in_use -= rounded;
}

/* Bytes held by live blocks (rounded sizes). */
WT_EXPORT(wt_bytes_in_use) size_t wt_bytes_in_use(void) { return bytes_in_use; }

/* The parameter block the host fills with shapes and strides before a call. */
WT_EXPORT(wt_params) int32_t *wt_param_block(void) { return param_block; }
