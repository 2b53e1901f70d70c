/* mem.c - memory hints for large arrays (transparent huge pages). */
#include <stdint.h>
#include <sys/mman.h>

#include "compsight/mem.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

void cs_hugepage_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < 2 * HUGE_PAGE)
        return;
    uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}
