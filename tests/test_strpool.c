/* test_strpool.c - string interning: ids, lookups, stable pointers, memory use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

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

/*
 * Lookups in a batch find what one-by-one lookups find, whatever the
 * batch's length (shorter and longer than the prefetch pipeline):
 * stored strings, strings not stored (one a prefix of a stored one), the
 * blank string, the same string twice, in order and not.
 */
static void test_find_batch(void **state)
{
    (void)state;
    enum { N = 20000, K = 3000 };
    struct cs_strpool *p = cs_strpool_new();
    char buf[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "S%d", i * 2);
        uint32_t id;
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
    }
    static char text[K][32];
    static struct cs_strpool_key key[K];
    static struct cs_strpool_key *keys[K];
    unsigned x = 7;
    for (int i = 0; i < K; i++) {
        x = x * 1103515245u + 12345u;
        int len = i % 97 == 5 ? 0 : i % 89 == 3 ? snprintf(text[i], 32, "S") :
                  snprintf(text[i], 32, "S%u", (x >> 8) % (2 * N + 10));
        key[i] = (struct cs_strpool_key){text[i], (size_t)len, cs_strpool_hash(text[i], (size_t)len), 77};
        keys[i] = &key[i];
    }
    keys[K - 1] = keys[0];
    const size_t lengths[] = {0, 1, 5, 7, 13, 25, 100, K};
    for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
        for (int i = 0; i < K; i++)
            key[i].id = 77;
        cs_strpool_find_batch(p, keys, lengths[l]);
        for (size_t i = 0; i < lengths[l]; i++)
            assert_int_equal(keys[i]->id, cs_strpool_find(p, keys[i]->s, keys[i]->len));
        for (size_t i = lengths[l]; i < K - 1; i++)
            assert_int_equal(keys[i]->id, 77);   /* untouched */
    }
    size_t found = 0;
    for (int i = 0; i < K; i++)
        found += key[i].id != 0;
    assert_true(found > K / 3 && found < K);   /* both kinds were there */
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
    struct cs_strpool_key k7 = {"D7", 2, cs_strpool_hash("D7", 2), 99}, *k7p = &k7;
    cs_strpool_find_batch(p, &k7p, 1);   /* without the table: one by one */
    assert_int_equal(k7.id, 8);
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

/* Room for text: strings of the text reserved go into one block (the
 * pool's bytes do not grow), cs_strpool_text counts 5 + length a string,
 * and the unwritten spans shrink as the pool fills what was reserved. */
static void test_reserve_text(void **state)
{
    (void)state;
    enum { N = 200000 };
    struct cs_strpool *p = cs_strpool_new();
    struct cs_span table, ids, rest;
    char buf[32];
    size_t text = 0;
    for (int i = 0; i < N; i++)
        text += (size_t)snprintf(buf, sizeof buf, "Text%d", i) + 5;
    assert_int_equal(cs_strpool_reserve(p, N), 0);
    assert_int_equal(cs_strpool_reserve_text(p, text), 0);
    cs_strpool_unwritten(p, &table, &ids, &rest);
    assert_non_null(table.p);
    assert_true(table.n >= N * 8);
    assert_true(ids.n >= N * sizeof(char *));
    assert_true(rest.n >= text);
    size_t before = cs_strpool_bytes(p);
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf, sizeof buf, "Text%d", i);
        uint32_t id;
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
    }
    assert_int_equal(cs_strpool_bytes(p), before);
    assert_int_equal(cs_strpool_text(p), text);
    /* interning it again adds nothing */
    uint32_t id;
    assert_int_equal(cs_strpool_intern(p, "Text7", 5, &id), 0);
    assert_int_equal(cs_strpool_text(p), text);
    /* what is left: the ids and text beyond those written */
    struct cs_span t2, ids2, rest2;
    cs_strpool_unwritten(p, &t2, &ids2, &rest2);
    assert_ptr_equal(t2.p, table.p);
    assert_int_equal(ids2.n, ids.n - N * sizeof(char *));
    assert_ptr_equal(rest2.p, (char *)rest.p + text);
    assert_int_equal(rest2.n, rest.n - text);
    /* a reservation the current block holds takes no new block */
    assert_int_equal(cs_strpool_reserve_text(p, 1), 0);
    assert_int_equal(cs_strpool_bytes(p), before);
    assert_int_equal(cs_strpool_find(p, "Text199999", 10), N);
    /* sealing gives the unused room back; the block takes strings again */
    cs_strpool_seal(p);
    assert_true(cs_strpool_bytes(p) < before);
    cs_strpool_unwritten(p, &t2, &ids2, &rest2);
    assert_null(t2.p);
    assert_int_equal(ids2.n, 0);
    for (int i = 0; i < 1000; i++) {
        int len = snprintf(buf, sizeof buf, "After%d", i);
        assert_int_equal(cs_strpool_intern(p, buf, (size_t)len, &id), 0);
        assert_int_equal(id, N + 1 + i);
    }
    assert_string_equal(cs_strpool_get(p, N + 1000), "After999");
    assert_string_equal(cs_strpool_get(p, N), "Text199999");
    cs_strpool_free(p);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_big_strings),
        cmocka_unit_test(test_find_batch),
        cmocka_unit_test(test_seal),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reserve_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
