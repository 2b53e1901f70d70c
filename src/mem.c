/* mem.c - memory hints for large arrays (transparent huge pages). */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "compsight/mem.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define PAGE ((uintptr_t)4096)

void cs_hugepage_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < 2 * HUGE_PAGE)
        return;
    /* The whole pages of the block, not only its huge-page-aligned middle:
     * a flag on part of a mapping splits it, and realloc can then no longer
     * grow it with mremap but copies it.  The kernel backs the aligned
     * 2 MiB stretches with huge pages either way. */
    uintptr_t start = (uintptr_t)p & ~(PAGE - 1);
    uintptr_t end = ((uintptr_t)p + n + PAGE - 1) & ~(PAGE - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *cs_malloc_big(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = malloc(n * size);
    cs_hugepage_hint(p, n * size);
    return p;
}
