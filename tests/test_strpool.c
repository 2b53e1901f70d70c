/* test_strpool.c - string interning: ids, lookups, stable pointers, memory use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/strpool.h"

static void test_ids(void **state)
{
    (void)state;
    struct cs_strpool *p = cs_strpool_new();
    uint32_t a, b, c, z;
    assert_non_null(p);
    assert_int_equal(cs_strpool_intern(p, "alpha", 5, &a), 0);
    assert_int_equal(cs_strpool_intern(p, "beta", 4, &b), 0);
    assert_int_equal(cs_strpool_intern(p, "alpha", 5, &c), 0);
    assert_int_equal(cs_strpool_intern(p, "", 0, &z), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(c, a);
    assert_int_equal(z, 0);
    assert_string_equal(cs_strpool_get(p, 0), "");
    assert_string_equal(cs_strpool_get(p, b), "beta");
    assert_int_equal(cs_strpool_len(p, a), 5);
    assert_int_equal(cs_strpool_find(p, "beta", 4), b);
    assert_int_equal(cs_strpool_find(p, "bet", 3), 0);
    /* prefixes and bytes past a prefix are different strings */
    assert_int_equal(cs_strpool_find(p, "alphabet", 5), a);
    assert_int_equal(cs_strpool_count(p), 2);
    cs_strpool_free(p);
    cs_strpool_free(NULL);
}

/* Many strings: pointers stay valid across growth, and the arena packs
 * small strings into shared blocks (a regression: every string once got a
 * block of its own). */
static void test_many(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct cs_strpool *p = cs_strpool_new();
    const char **ptr = malloc(N * sizeof *ptr);
    assert_non_null(ptr);
    char buf[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "DEAL-%08d", i);
        uint32_t id;
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
        assert_int_equal(id, (uint32_t)i + 1);
        ptr[i] = cs_strpool_get(p, id);
    }
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "DEAL-%08d", i);
        assert_string_equal(ptr[i], buf);
        assert_int_equal(cs_strpool_find(p, buf, (size_t)len), (uint32_t)i + 1);
    }
    /* 14 bytes a string plus ids, hashes and the table: well under 64 bytes each */
    assert_true(cs_strpool_bytes(p) < (size_t)N * 64);
    free(ptr);
    cs_strpool_free(p);
}

static void test_big_strings(void **state)
{
    (void)state;
    struct cs_strpool *p = cs_strpool_new();
    size_t n = 3u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    uint32_t small1, large, small2;
    assert_int_equal(cs_strpool_intern(p, "a", 1, &small1), 0);
    assert_int_equal(cs_strpool_intern(p, big, n, &large), 0);
    assert_int_equal(cs_strpool_intern(p, "b", 1, &small2), 0);
    assert_int_equal(cs_strpool_len(p, large), n);
    assert_memory_equal(cs_strpool_get(p, large), big, n);
    assert_string_equal(cs_strpool_get(p, small1), "a");
    assert_string_equal(cs_strpool_get(p, small2), "b");
    /* a small block and the big string's own, each rounded to huge pages */
    assert_true(cs_strpool_bytes(p) < n + (6u << 20));
    free(big);
    cs_strpool_free(p);
}

/* A sealed pool: the table is gone (cs_strpool_bytes falls by it), the
 * strings and ids stay, find still finds them, and interning builds the
 * table again with every old id where it was. */
static void test_seal(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct cs_strpool *p = cs_strpool_new();
    char buf[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "D%d", i);
        uint32_t id;
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
    }
    size_t before = cs_strpool_bytes(p);
    cs_strpool_seal(p);
    assert_true(cs_strpool_bytes(p) + 8192 * 8 <= before);   /* the 8192 slots of N strings */
    cs_strpool_prefetch(p, cs_strpool_hash("D7", 2));
    cs_strpool_prefetch_id(p, cs_strpool_hash("D7", 2));
    cs_strpool_prefetch_bytes(p, cs_strpool_hash("D7", 2));
    assert_string_equal(cs_strpool_get(p, 8), "D7");
    assert_int_equal(cs_strpool_find(p, "D4999", 5), N);
    assert_int_equal(cs_strpool_find(p, "D5000", 5), 0);
    uint32_t id;
    assert_int_equal(cs_strpool_intern(p, "D123", 4, &id), 0);
    assert_int_equal(id, 124);
    assert_int_equal(cs_strpool_intern(p, "new", 3, &id), 0);
    assert_int_equal(id, N + 1);
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "D%d", i);
        assert_int_equal(cs_strpool_find(p, buf, (size_t)len), (uint32_t)i + 1);
    }
    assert_int_equal(cs_strpool_count(p), N + 1);
    cs_strpool_free(p);
}

/* Room reserved up front: interning that many strings grows nothing (the
 * pool's bytes stay as they were, arena blocks aside), and every string is
 * found; a sealed pool reserves nothing. */
static void test_reserve(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct cs_strpool *p = cs_strpool_new();
    assert_int_equal(cs_strpool_reserve(p, N), 0);
    size_t before = cs_strpool_bytes(p);
    char buf[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "K%d", i);
        uint32_t id;
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
    }
    /* only the arena grew (1.1 MB of strings: one 4 MiB block); a table
     * and an id array grown on the way would add 3 MiB more */
    size_t grown = cs_strpool_bytes(p) - before;
    if (grown > (5u << 20))
        fail_msg("the pool grew by %zu bytes after reserving room", grown);
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "K%d", i);
        assert_int_equal(cs_strpool_find(p, buf, (size_t)len), (uint32_t)i + 1);
    }
    cs_strpool_seal(p);
    size_t sealed = cs_strpool_bytes(p);
    assert_int_equal(cs_strpool_reserve(p, 10 * N), 0);
    assert_int_equal(cs_strpool_bytes(p), sealed);
    cs_strpool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_big_strings),
        cmocka_unit_test(test_seal),
        cmocka_unit_test(test_reserve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
