/* test_deals_reference.c - `compsight deals` against the independent R recomputation (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "compsight/commands.h"
#include "input/csvread.h"
#include "compsight/output.h"

/*
 * tests/reference/reference_measures.R recomputes every SPEC 5 and 6
 * measure from the CSVs of data/sample without any of compsight's code;
 * its output is committed as tests/reference/sample_measures.csv (see the
 * README there for provenance).  This test runs the deals command on the
 * same data and requires every deal and every measure to agree to 1e-9
 * relative.  It never runs R.
 */

#define MAX_COLS 32
#define REL_TOL 1e-9

struct table {
    size_t n_cols, n_rows, cap;
    char *header[MAX_COLS];
    char **cell;                /* n_rows * n_cols */
};

static int collect(const struct cs_csv_record *rec, void *ctx)
{
    struct table *t = ctx;
    if (t->n_cols == 0) {
        assert_true(rec->n <= MAX_COLS);
        t->n_cols = rec->n;
        for (size_t c = 0; c < rec->n; c++)
            t->header[c] = strdup(rec->field[c]);
        return 0;
    }
    assert_int_equal(rec->n, t->n_cols);
    if (t->n_rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->cell = realloc(t->cell, t->cap * t->n_cols * sizeof *t->cell);
        assert_non_null(t->cell);
    }
    for (size_t c = 0; c < rec->n; c++)
        t->cell[t->n_rows * t->n_cols + c] = strdup(rec->field[c]);
    t->n_rows++;
    return 0;
}

static void table_free(struct table *t)
{
    for (size_t c = 0; c < t->n_cols; c++)
        free(t->header[c]);
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cell[i]);
    free(t->cell);
}

static int column(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c], name) == 0)
            return (int)c;
    return -1;
}

static const char *cell(const struct table *t, size_t row, int col)
{
    return t->cell[row * t->n_cols + (size_t)col];
}

static void test_deals_match_r(void **state)
{
    (void)state;
    struct table ours = {0}, ref = {0};
    struct cs_error err;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    struct cs_options opt = {.data_dir = CS_SOURCE_DIR "/data/sample", .fiscal_start = 1,
                             .private_mode = true, .quiet = true};
    struct cs_io io = {.out = out, .msg = stderr};
    cs_error_clear(&err);
    assert_int_equal(cs_cmd_deals(&opt, &io, &err), CS_OK);
    fclose(out);
    assert_int_equal(cs_csv_read_mem(buf, len, "deals", NULL, collect, &ours, &err), CS_OK);
    assert_int_equal(cs_csv_read_path(CS_TEST_DIR "/reference/sample_measures.csv",
                                      "sample_measures.csv", NULL, collect, &ref, &err), CS_OK);
    assert_int_equal(ours.n_rows, ref.n_rows);

    int id_ours = column(&ours, "deal_id"), id_ref = column(&ref, "deal_id");
    assert_true(id_ours >= 0 && id_ref >= 0);
    /* R writes rows sorted by deal_id; index ours by id with a linear
     * merge after sorting row numbers by id. */
    size_t *order = malloc(ours.n_rows * sizeof *order);
    assert_non_null(order);
    for (size_t i = 0; i < ours.n_rows; i++)
        order[i] = i;
    for (size_t i = 1; i < ours.n_rows; i++) {          /* insertion sort: data is near-sorted */
        size_t v = order[i], j = i;
        while (j > 0 && strcmp(cell(&ours, order[j - 1], id_ours), cell(&ours, v, id_ours)) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    size_t compared = 0;
    for (size_t c = 0; c < ref.n_cols; c++) {
        int oc = column(&ours, ref.header[c]);
        if (oc < 0)
            fail_msg("compsight deals has no column %s", ref.header[c]);
        for (size_t r = 0; r < ref.n_rows; r++) {
            const char *want = cell(&ref, r, (int)c), *got = cell(&ours, order[r], oc);
            assert_string_equal(cell(&ours, order[r], id_ours), cell(&ref, r, id_ref));
            char *e1, *e2;
            double a = strtod(want, &e1), b = strtod(got, &e2);
            bool numeric = *want && !*e1;
            if (!numeric || strcmp(ref.header[c], "period") == 0) {
                /* text (deal_id, period) and blanks (gap_to_next_tier) agree exactly */
                if (strcmp(want, got) != 0)
                    fail_msg("deal %s %s: R \"%s\", compsight \"%s\"", cell(&ref, r, id_ref),
                             ref.header[c], want, got);
            } else {
                if (*e2 || fabs(a - b) > REL_TOL * fmax(fabs(a), 1e-300))
                    fail_msg("deal %s %s: R %.17g, compsight %s", cell(&ref, r, id_ref),
                             ref.header[c], a, got);
            }
            compared++;
        }
    }
    print_message("compared %zu values of %zu deals\n", compared, ref.n_rows);
    assert_true(compared >= ref.n_rows * 13);
    free(order);
    free(buf);
    table_free(&ours);
    table_free(&ref);
}

/* A text of n bytes that needs quoting: quotes, commas, line breaks. */
static char *awkward_text(size_t n, char first)
{
    static const char pattern[] = "Acme \"Big\", Inc.\r\nline ";
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = pattern[i % (sizeof pattern - 1)];
    s[0] = first;
    s[n] = '\0';
    return s;
}

/*
 * deals.csv through its buffer: accounts of every size up to well past
 * the buffer (which they then bypass), quoted, with a leading '=' to
 * neutralise, written between rows that fill the buffer; every cell of the
 * output reads back as the input's (with the apostrophe where one is due).
 */
static void test_deals_text_cells_read_back(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs_test_dealscsv_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s'/*.csv '%s'/", CS_SOURCE_DIR "/data/sample", dir);
    assert_int_equal(system(cmd), 0);
    struct table in = {0}, ours = {0};
    struct cs_error err;
    assert_int_equal(cs_csv_read_path(CS_SOURCE_DIR "/data/sample/deals.csv", "deals.csv", NULL,
                                      collect, &in, &err), CS_OK);
    int acc = column(&in, "account");
    assert_true(acc >= 0);
    const size_t sizes[] = {1, 100, 20000, 32766, 32767, 40000, 70000, 200000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t row = 3 + 7 * k;
        free(in.cell[row * in.n_cols + (size_t)acc]);
        in.cell[row * in.n_cols + (size_t)acc] = awkward_text(sizes[k], k % 2 ? '=' : 'A');
    }
    char path[256];
    snprintf(path, sizeof path, "%s/deals.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t c = 0; c < in.n_cols; c++)
        fprintf(f, "%s%s", c ? "," : "", in.header[c]);
    fputc('\n', f);
    for (size_t r = 0; r < in.n_rows; r++) {
        for (size_t c = 0; c < in.n_cols; c++) {
            if (c)
                fputc(',', f);
            const char *v = cell(&in, r, (int)c);
            cs_csv_cell(f, v, strlen(v), false);
        }
        fputc('\n', f);
    }
    fclose(f);

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    struct cs_options opt = {.data_dir = dir, .fiscal_start = 1, .private_mode = true,
                             .quiet = true};
    struct cs_io io = {.out = out, .msg = stderr};
    cs_error_clear(&err);
    assert_int_equal(cs_cmd_deals(&opt, &io, &err), CS_OK);
    fclose(out);
    assert_int_equal(cs_csv_read_mem(buf, len, "deals", NULL, collect, &ours, &err), CS_OK);
    int id_in = column(&in, "deal_id"), stage = column(&in, "stage");
    int id_ours = column(&ours, "deal_id"), acc_ours = column(&ours, "account");
    size_t o = 0, long_ones = 0;
    for (size_t r = 0; r < in.n_rows; r++) {
        if (strcmp(cell(&in, r, stage), "won") != 0)
            continue;
        assert_true(o < ours.n_rows);
        assert_string_equal(cell(&ours, o, id_ours), cell(&in, r, id_in));
        const char *want = cell(&in, r, acc), *got = cell(&ours, o, acc_ours);
        if (want[0] == '=') {
            assert_int_equal(got[0], '\'');
            got++;
        }
        if (strcmp(got, want) != 0)
            fail_msg("deal %s: account of %zu bytes written as %zu bytes", cell(&in, r, id_in),
                     strlen(want), strlen(got));
        long_ones += strlen(want) > 10000;
        o++;
    }
    assert_int_equal(o, ours.n_rows);
    print_message("%zu won deals, %zu with an account over 10 kB\n", o, long_ones);
    assert_true(long_ones >= 2);
    free(buf);
    table_free(&in);
    table_free(&ours);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deals_match_r),
        cmocka_unit_test(test_deals_text_cells_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
