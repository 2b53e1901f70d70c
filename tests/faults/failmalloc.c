/* failmalloc.c - LD_PRELOAD shim for tests/faults/run.sh: the FAIL_AT-th
 * allocation (malloc, calloc or realloc) of the compsight process fails
 * with ENOMEM; with FAIL_COUNT set, the number of allocations is printed
 * at exit.  Children (gnuplot) are left alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_long count;
static long fail_at = -2;    /* -2: not read yet */

static int should_fail(void)
{
    if (strcmp(program_invocation_short_name, "compsight") != 0)
        return 0;
    if (fail_at == -2) {
        const char *s = getenv("FAIL_AT");
        fail_at = s ? atol(s) : -1;
    }
    return atomic_fetch_add(&count, 1) + 1 == fail_at;
}

void *malloc(size_t n)
{
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    if (n && should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

__attribute__((destructor)) static void report_count(void)
{
    if (getenv("FAIL_COUNT") && strcmp(program_invocation_short_name, "compsight") == 0)
        fprintf(stderr, "allocations: %ld\n", (long)atomic_load(&count));
}
