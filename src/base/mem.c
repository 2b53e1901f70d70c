/* mem.c - large blocks laid out for transparent huge pages. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "compsight/mem.h"

#define HUGE_PAGE ((size_t)2 << 20)
#if defined(MADV_HUGEPAGE) && !defined(MADV_COLLAPSE)
#define MADV_COLLAPSE 25   /* Linux 6.1; older kernels refuse it, which is harmless */
#endif
#if defined(MADV_HUGEPAGE) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23   /* Linux 5.14; likewise */
#endif
#define PAGE ((uintptr_t)4096)
/* What glibc adds to a request before it maps the chunk: its header,
 * rounded up to a page (checked by test_mem on the machine's libc). */
#define MALLOC_SLACK ((size_t)4096)

/* Ask the kernel to back the whole pages of p[0..n) with transparent huge
 * pages.  A no-op for blocks under 2 MiB and where the kernel or libc does
 * not support it; never fails. */
static void hugepage_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < HUGE_PAGE)
        return;
    /* The whole pages of the block, not only its huge-page-aligned middle:
     * a flag on part of a mapping splits it, and realloc can then no longer
     * grow it with mremap but copies it.  The kernel backs the aligned
     * 2 MiB stretches with huge pages either way. */
    uintptr_t start = (uintptr_t)p & ~(PAGE - 1);
    uintptr_t end = ((uintptr_t)p + n + PAGE - 1) & ~(PAGE - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    /* malloc wrote its chunk header before the hint, so the block's first
     * page is already a small page, and the kernel leaves the huge page
     * that holds it small: 511 more faults.  When the block starts a huge
     * page (as the blocks of cs_big_size do), collapse that one now. */
    if (((uintptr_t)p & (HUGE_PAGE - 1)) < PAGE)
        (void)madvise((void *)((uintptr_t)p & ~(uintptr_t)(HUGE_PAGE - 1)), HUGE_PAGE,
                      MADV_COLLAPSE);
#else
    (void)p;
    (void)n;
#endif
}

size_t cs_big_size(size_t n)
{
    if (n < HUGE_PAGE || n > SIZE_MAX - 2 * HUGE_PAGE)
        return n;
    return (n + MALLOC_SLACK + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE - MALLOC_SLACK;
}

/* n * size, at least 1 byte; 0 on overflow. */
static size_t bytes_of(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (size && n > SIZE_MAX / size)
        return 0;
    return n * size;
}

/* The hint for a block that will not grow: the huge pages p[0..n) fills
 * whole, and none for the last one it fills only in part, whose pages
 * are faulted in at once instead (one call instead of a fault a page). */
static void hugepage_hint_fixed(void *p, size_t n)
{
    if (!p || n < HUGE_PAGE)
        return;
    uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (end > (uintptr_t)p)
        hugepage_hint(p, end - (uintptr_t)p);
#ifdef MADV_HUGEPAGE
    uintptr_t tail = end > (uintptr_t)p ? end : (uintptr_t)p & ~(PAGE - 1);
    uintptr_t stop = ((uintptr_t)p + n + PAGE - 1) & ~(PAGE - 1);
    if (stop > tail)
        (void)madvise((void *)tail, stop - tail, MADV_POPULATE_WRITE);
#endif
}

void *cs_malloc_big(size_t n, size_t size)
{
    size_t bytes = bytes_of(n, size);
    if (!bytes)
        return NULL;
    void *p = malloc(cs_big_size(bytes));
    hugepage_hint_fixed(p, bytes);
    return p;
}

void *cs_calloc_big(size_t n, size_t size)
{
    size_t bytes = bytes_of(n, size);
    if (!bytes)
        return NULL;
    void *p = calloc(1, cs_big_size(bytes));
    hugepage_hint_fixed(p, bytes);
    return p;
}

void *cs_realloc_big(void *p, size_t n, size_t size)
{
    size_t bytes = bytes_of(n, size);
    if (!bytes)
        return NULL;
    void *q = realloc(p, cs_big_size(bytes));
    hugepage_hint(q, cs_big_size(bytes));
    return q;
}

void cs_prefault(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || !n)
        return;
    uintptr_t start = (uintptr_t)p & ~(PAGE - 1);
    uintptr_t stop = ((uintptr_t)p + n + PAGE - 1) & ~(PAGE - 1);
    (void)madvise((void *)start, stop - start, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

void cs_give_back(void *p, size_t n)
{
    if (!p || !n)
        return;
    uintptr_t start = ((uintptr_t)p + PAGE - 1) & ~(PAGE - 1);
    uintptr_t stop = ((uintptr_t)p + n) & ~(PAGE - 1);
    if (stop > start)
        (void)madvise((void *)start, stop - start, MADV_DONTNEED);
}
