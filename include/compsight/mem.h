/* mem.h - large blocks laid out for transparent huge pages. */
#ifndef COMPSIGHT_MEM_H
#define COMPSIGHT_MEM_H

#include <stddef.h>

/*
 * Why this file exists: on the virtual machines compsight is measured on,
 * a page fault costs about 12 microseconds, so filling memory 4 KiB at a
 * time runs at about 340 MB/s, slower than parsing the CSV that fills it.
 * A 2 MiB huge page costs one fault instead of 512.  Hash tables of
 * millions of entries, read at random, also miss the TLB far less.
 *
 * The kernel backs a block with huge pages only where it is advised to
 * (madvise MADV_HUGEPAGE) and only for the 2 MiB-aligned stretches of its
 * mapping.  glibc maps a big malloc request with its header in front, so
 * the mapping is a few KiB longer than the request and the kernel places
 * it at no particular alignment: half of a 4 MiB block, and 2 MiB of every
 * array, fell on small pages.  The functions below ask malloc for a size
 * whose mapping is a whole number of huge pages; the kernel then aligns
 * the mapping (Linux 6.7 and later), and realloc's mremap keeps it so.
 * Elsewhere they still work: only the layout is lost.
 */

/* The size to request for a block of at least n bytes: n itself under
 * 2 MiB, else n rounded up so that glibc's mapping is whole huge pages. */
size_t cs_big_size(size_t n);

/*
 * malloc, calloc and realloc of n elements of size bytes (at least one
 * element), rounded up by cs_big_size and hinted.  Free with free().  NULL
 * on overflow or when out of memory (realloc then leaves p as it was).
 * For the column arrays, hash tables and per-deal work arrays, each
 * filled once from start to end, where page faults cost more than the
 * filling.
 *
 * A block of malloc or calloc, which does not grow, gets huge pages only
 * where it fills them whole; the part of the last one it uses is faulted
 * in at once as small pages.  A whole huge page there would cost 1 MiB per
 * block on average (30 MiB of the 1M-deal report's peak).  A block of
 * realloc is hinted whole, so that it can keep growing in place.
 */
void *cs_malloc_big(size_t n, size_t size);
void *cs_calloc_big(size_t n, size_t size);
void *cs_realloc_big(void *p, size_t n, size_t size);

/* A stretch of memory, [p, p + n). */
struct cs_span {
    void *p;
    size_t n;
};

/*
 * Fault in the pages of [p, p + n) for writing, leaving their contents as
 * they are (MADV_POPULATE_WRITE): the cost of the first writes, paid by
 * the calling thread instead of the one that will write.  Harmless on
 * pages already present, and on memory freed meanwhile (the call then
 * fails quietly or faults in pages of no use); a no-op where the kernel
 * lacks it.
 */
void cs_prefault(void *p, size_t n);

/*
 * Give the whole pages inside [p, p + n) of a malloc'd block back to the
 * kernel (MADV_DONTNEED): the memory stays valid and reads as zero until
 * written again.  For the unused end of a block that must not move.
 */
void cs_give_back(void *p, size_t n);

#endif
