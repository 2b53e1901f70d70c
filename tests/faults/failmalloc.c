/* failmalloc.c - LD_PRELOAD shim for tests/faults/run.sh: the FAIL_AT-th
 * allocation (malloc, calloc or realloc) of the compsight process fails
 * with ENOMEM; with FAIL_COUNT set, the number of allocations is printed
 * at exit.  Children (gnuplot) are left alone.
 *
 * The numbering must name the same allocation on every run, so the
 * compsight process runs on one thread: pthread_create fails (EAGAIN),
 * and compsight does each piece of work it would have handed to a thread
 * in line, on the calling thread (side.h, the import's reader, the
 * proposal's option workers, the split fits and bootstrap: each falls
 * back to the same work sequentially).  With threads, which allocation is
 * the Nth depends on how the threads happen to be scheduled: the option
 * workers and the import's reader and loader take work from each other
 * as they come free, so even one thread's own sequence of allocations
 * varies from run to run, and a count kept per thread would not help. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_long count;
static long fail_at = -2;    /* -2: not read yet */

static int is_compsight(void)
{
    return strcmp(program_invocation_short_name, "compsight") == 0;
}

static int should_fail(void)
{
    if (!is_compsight())
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

/* No second thread in compsight (see above); other programs get theirs. */
int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    if (is_compsight())
        return EAGAIN;
    if (!real)
        real = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
            dlsym(RTLD_NEXT, "pthread_create");
    return real ? real(th, attr, fn, arg) : EAGAIN;
}

__attribute__((destructor)) static void report_count(void)
{
    if (getenv("FAIL_COUNT") && is_compsight())
        fprintf(stderr, "allocations: %ld\n", (long)atomic_load(&count));
}
