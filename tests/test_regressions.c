/* test_regressions.c - replay fuzzer finds and seed corpora through the fuzz targets' own code. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each fuzz/fuzz_NAME.c is compiled in here without its libFuzzer entry
 * point (CS_FUZZ_NO_MAIN); its cs_fuzz_NAME(data, size) runs every file of
 * tests/regressions/NAME/ (inputs that once crashed or broke a property:
 * see tests/regressions/README.md) and of fuzz/corpus/NAME/ (the seeds).
 * A violated property fails the test with the file's name instead of
 * aborting; a crash is a crash (run the sanitizer build, or valgrind, for
 * the details).  The same code runs under `make check`, under
 * `make SANITIZE=address,undefined check` and under valgrind.
 */

static const char *fz_current = "";

#define CS_FUZZ_NO_MAIN
#define FUZZ_FAIL(what) fail_msg("%s: property violated: %s (%s:%d)", fz_current, (what), __FILE__, __LINE__)

#include "../fuzz/fuzz_csvcell.c"
#include "../fuzz/fuzz_csvread.c"
#include "../fuzz/fuzz_dataset.c"
#include "../fuzz/fuzz_dialect.c"
#include "../fuzz/fuzz_gpquote.c"
#include "../fuzz/fuzz_html.c"
#include "../fuzz/fuzz_json.c"
#include "../fuzz/fuzz_mapfile.c"
#include "../fuzz/fuzz_parse.c"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run fn on every file of dir (in name order); returns how many ran. */
static size_t replay_dir(const char *dir, fuzz_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;                  /* no regressions for this target (yet) */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        long len = ftell(f);
        assert_true(len >= 0);
        rewind(f);
        uint8_t *buf = malloc((size_t)len + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
        fclose(f);
        fz_current = path;
        fn(buf, (size_t)len);
        fz_current = "";
        free(buf);
        free(names[i]);
    }
    free(names);
    return n;
}

static void replay(const char *target, fuzz_fn fn)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/regressions/%s", CS_TEST_DIR, target);
    replay_dir(dir, fn);
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", CS_SOURCE_DIR, target);
    size_t seeds = replay_dir(dir, fn);
    assert_true(seeds > 0);        /* the seed corpus is part of the repository */
}

static void test_csvcell(void **state) { (void)state; replay("csvcell", cs_fuzz_csvcell); }
static void test_csvread(void **state) { (void)state; replay("csvread", cs_fuzz_csvread); }
static void test_dataset(void **state) { (void)state; replay("dataset", cs_fuzz_dataset); }
static void test_dialect(void **state) { (void)state; replay("dialect", cs_fuzz_dialect); }
static void test_gpquote(void **state) { (void)state; replay("gpquote", cs_fuzz_gpquote); }
static void test_html(void **state) { (void)state; replay("html", cs_fuzz_html); }
static void test_json(void **state) { (void)state; replay("json", cs_fuzz_json); }
static void test_mapfile(void **state) { (void)state; replay("mapfile", cs_fuzz_mapfile); }
static void test_parse(void **state) { (void)state; replay("parse", cs_fuzz_parse); }

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csvcell),  cmocka_unit_test(test_csvread),
        cmocka_unit_test(test_dataset),  cmocka_unit_test(test_gpquote),
        cmocka_unit_test(test_html),     cmocka_unit_test(test_json),
        cmocka_unit_test(test_mapfile),  cmocka_unit_test(test_parse),
        cmocka_unit_test(test_dialect),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fzd_cleanup();                 /* the dataset target's scratch directory */
    return failed;
}
