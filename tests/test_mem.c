/* test_mem.c - big blocks: sizes, contents, and the huge-page layout on this machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "compsight/mem.h"

#define MIB ((size_t)1 << 20)
#define HUGE (2 * MIB)

static void test_sizes(void **state)
{
    (void)state;
    /* small blocks are left alone */
    assert_int_equal(cs_big_size(0), 0);
    assert_int_equal(cs_big_size(1000), 1000);
    assert_int_equal(cs_big_size(HUGE - 1), HUGE - 1);
    /* big ones are rounded so that request + one page is whole huge pages */
    size_t prev = 0;
    for (size_t n = HUGE; n < 64 * MIB; n += 12345) {
        size_t b = cs_big_size(n);
        assert_true(b >= n);
        assert_true(b - n < HUGE);
        assert_int_equal((b + 4096) % HUGE, 0);
        assert_true(b >= prev);
        prev = b;
    }
    assert_int_equal(cs_big_size(4 * MIB - 4096), 4 * MIB - 4096);
    assert_int_equal(cs_big_size(4 * MIB - 4095), 6 * MIB - 4096);
    /* no wrap-around near SIZE_MAX */
    assert_int_equal(cs_big_size(SIZE_MAX - 10), SIZE_MAX - 10);
}

static void test_contents(void **state)
{
    (void)state;
    /* overflow of n * size is refused, not wrapped */
    assert_null(cs_malloc_big(SIZE_MAX / 2, 4));
    assert_null(cs_calloc_big(SIZE_MAX / 2, 4));
    /* zero elements still give a block */
    void *z = cs_malloc_big(0, 8);
    assert_non_null(z);
    free(z);

    size_t n = 3 * MIB / sizeof(uint32_t);
    uint32_t *a = cs_calloc_big(n, sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < n; i++)
        assert_true(a[i] == 0);
    for (size_t i = 0; i < n; i++)
        a[i] = (uint32_t)i * 2654435761u;
    /* growing keeps every element, small to big and big to bigger */
    a = cs_realloc_big(a, 5 * n, sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < n; i++)
        assert_true(a[i] == (uint32_t)i * 2654435761u);
    a[5 * n - 1] = 7;
    free(a);

    char *s = cs_realloc_big(NULL, 100, 1);
    assert_non_null(s);
    memcpy(s, "kept", 5);
    s = cs_realloc_big(s, 10 * MIB, 1);
    assert_non_null(s);
    assert_string_equal(s, "kept");
    free(s);
}

/* Kilobytes of the line `field` in the smaps entry of the mapping holding p; -1 if absent. */
static long smaps_kb(const void *p, const char *field)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    bool inside = false;
    long kb = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (inside && strncmp(line, field, flen) == 0 && line[flen] == ':') {
            kb = strtol(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static bool kernel_at_least(int major, int minor)
{
    struct utsname u;
    int a = 0, b = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
        return false;
    return a > major || (a == major && b >= minor);
}

static bool thp_allowed(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return false;
    char buf[128] = "";
    bool ok = fgets(buf, sizeof buf, f) && !strstr(buf, "[never]");
    fclose(f);
    return ok;
}

/* Skip a layout test where another allocator stands in for glibc's
 * (sanitizers, valgrind) or the kernel cannot align or use huge pages. */
static void skip_unless_glibc_thp(void)
{
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
    skip();
#endif
    const char *pre = getenv("LD_PRELOAD");
    if ((pre && strstr(pre, "vgpreload")) || !kernel_at_least(6, 7) || !thp_allowed())
        skip();
}

/*
 * The point of cs_big_size: on glibc and Linux 6.7 or later the block's
 * mapping starts on a huge page, and after the hint every 2 MiB of it,
 * the first one too, is one huge page.  Skipped where another allocator
 * stands in for glibc's (sanitizers, valgrind) or the kernel cannot.
 */
static void test_layout(void **state)
{
    (void)state;
    skip_unless_glibc_thp();
    size_t n = 8 * MIB;
    char *p = cs_malloc_big(n, 1);
    assert_non_null(p);
    assert_true(((uintptr_t)p & (HUGE - 1)) < 4096);
    memset(p, 1, n);
    long huge = smaps_kb(p, "AnonHugePages");
    long rss = smaps_kb(p, "Rss");
    assert_true(rss >= (long)(n >> 10));
    if (kernel_at_least(6, 1))   /* MADV_COLLAPSE: the first huge page too */
        assert_int_equal(huge, rss);
    else
        assert_true(huge >= rss - (long)(HUGE >> 10));
    free(p);
}

/* Rss in kB of the mappings that hold any of p[0..n). */
static long smaps_range_kb(const void *p, size_t n)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    bool inside = false;
    long kb = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p < hi && (uintptr_t)p + n > lo;
            continue;
        }
        if (inside && strncmp(line, "Rss:", 4) == 0)
            kb += strtol(line + 4, NULL, 10);
    }
    fclose(f);
    return kb;
}

/* A block that ends a little into a huge page does not get all of it: the
 * whole huge pages are huge, the part of the last one it uses is small
 * pages.  (Rounded up, 100 KiB past 4 MiB once cost 2 MiB, about 1 MiB
 * per array on average: 30 MiB of the 1M-deal report's peak.) */
static void test_no_whole_last_huge_page(void **state)
{
    (void)state;
    skip_unless_glibc_thp();
    size_t n = 4 * MIB + 100 * 1024;
    for (int zeroed = 0; zeroed < 2; zeroed++) {
        char *p = zeroed ? cs_calloc_big(n, 1) : cs_malloc_big(n, 1);
        assert_non_null(p);
        memset(p, 1, n);
        long rss = smaps_range_kb(p, n);
        if (rss < (long)(n >> 10) || rss > (long)((n >> 10) + 64))
            fail_msg("%s: %ld kB resident for a block of %zu kB", zeroed ? "calloc" : "malloc",
                     rss, n >> 10);
        free(p);
    }
}

/*
 * cs_prefault faults in every page a span touches, for writing, and
 * changes no byte: a page written before keeps its bytes, the others read
 * as zero.  Skipped on a kernel without MADV_POPULATE_WRITE (before 5.14).
 */
static void test_prefault(void **state)
{
    (void)state;
    if (!kernel_at_least(5, 14))
        skip();
    size_t n = 4 * MIB;
    unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    unsigned char in[4 * MIB / 4096];
    assert_int_equal(mincore(p, n, in), 0);
    for (size_t i = 0; i < sizeof in; i++)
        assert_false(in[i] & 1);
    memset(p + 4096, 0xab, 100);
    /* from inside the second page to inside the 513th */
    cs_prefault(p + 4096 + 50, 2 * MIB);
    assert_int_equal(mincore(p, n, in), 0);
    /* (a huge page may bring its neighbours in too) */
    for (size_t i = 1; i <= 513; i++)
        if (!(in[i] & 1))
            fail_msg("page %zu of the span is not resident", i);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(p[4096 + i], 0xab);
    for (size_t i = 4096 + 100; i < 514 * 4096; i++)
        assert_int_equal(p[i], 0);
    cs_prefault(NULL, 10);
    cs_prefault(p, 0);
    munmap(p, n);
}

/* cs_give_back returns the whole pages inside a span and keeps the bytes
 * of the partial pages at its ends; the memory stays usable. */
static void test_give_back(void **state)
{
    (void)state;
    size_t n = 64 * 4096;
    unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    memset(p, 0x5a, n);
    /* from inside page 2 to inside page 10: pages 3 to 9 go */
    cs_give_back(p + 2 * 4096 + 100, 8 * 4096);
    unsigned char in[64];
    assert_int_equal(mincore(p, n, in), 0);
    for (size_t i = 0; i < 64; i++) {
        bool gone = i >= 3 && i <= 9;
        if ((in[i] & 1) == gone)
            fail_msg("page %zu: resident %d", i, in[i] & 1);
    }
    assert_int_equal(p[3 * 4096 - 1], 0x5a);
    assert_int_equal(p[10 * 4096], 0x5a);
    assert_int_equal(p[3 * 4096], 0);
    p[5 * 4096] = 1;
    assert_int_equal(p[5 * 4096], 1);
    cs_give_back(NULL, 10);
    cs_give_back(p, 100);   /* no whole page: nothing */
    assert_int_equal(p[0], 0x5a);
    munmap(p, n);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);   /* as compsight's main() does */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_contents),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_no_whole_last_huge_page),
        cmocka_unit_test(test_prefault),
        cmocka_unit_test(test_give_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
