/* test_stattest.c - unit tests of correlations, Benjamini-Hochberg, the timing test and Wilson intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "compsight/stattest.h"

#define FIX CS_TEST_DIR "/fixtures/stats/"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#define EST_TOL 1e-6     /* estimates against R */
#define P_TOL 1e-5       /* p-values and SEs against R */
#define EXACT 1e-12      /* the same formula evaluated twice */
#define XCHECK_TOL 2e-6  /* cross-checks with another z or rounded hand values */

#include "testutil.h"

/* A CSV fixture written by the scripts of tests/reference/stats/: header, then rows of
 * plain cells (no quoting), "NA" for missing. */
#define MAXCOL 16
struct table {
    size_t rows, cols;
    char name[MAXCOL][32];
    char **cell;          /* rows * cols strings */
};

static struct table *table_read(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open fixture %s", path);
    struct table *t = calloc(1, sizeof *t);
    assert_non_null(t);
    char line[4096];
    size_t cap = 0;
    bool header = true;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        size_t c = 0;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save), c++) {
            assert_true(c < MAXCOL);
            if (header) {
                snprintf(t->name[c], sizeof t->name[c], "%s", tok);
                continue;
            }
            if ((t->rows + 1) * t->cols > cap) {
                cap = cap ? 2 * cap : 1024;
                t->cell = realloc(t->cell, cap * sizeof *t->cell);
                assert_non_null(t->cell);
            }
            t->cell[t->rows * t->cols + c] = strdup(tok);
        }
        if (header) {
            t->cols = c;
            header = false;
        } else {
            assert_int_equal(c, t->cols);
            t->rows++;
        }
    }
    fclose(fp);
    return t;
}

static void table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t);
}

static size_t col_of(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (!strcmp(t->name[c], name))
            return c;
    fail_msg("fixture has no column %s", name);
    return 0;
}

static const char *str_at(const struct table *t, size_t r, const char *col)
{
    return t->cell[r * t->cols + col_of(t, col)];
}

static double num_at(const struct table *t, size_t r, const char *col)
{
    const char *s = str_at(t, r, col);
    if (!strcmp(s, "NA"))
        return NAN;
    char *end;
    double v = strtod(s, &end);
    if (*end)
        fail_msg("not a number in fixture: %s", s);
    return v;
}

/* value of the row whose "key" is key, in a key,value table */
static double kv(const struct table *t, const char *key)
{
    for (size_t r = 0; r < t->rows; r++)
        if (!strcmp(str_at(t, r, "key"), key))
            return num_at(t, r, "value");
    fail_msg("fixture has no key %s", key);
    return NAN;
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

/* ======================================================================
 * Correlations
 * ==================================================================== */

static void test_corr_reference(void **state)
{
    (void)state;
    struct table *d = table_read(FIX "corr_data.csv");
    struct table *e = table_read(FIX "corr_expected.csv");
    for (size_t r = 0; r < e->rows; r++) {
        int set = (int)num_at(e, r, "set");
        double *x = NULL, *y = NULL;
        size_t n = 0;
        for (size_t i = 0; i < d->rows; i++) {
            if ((int)num_at(d, i, "set") != set)
                continue;
            x = realloc(x, (n + 1) * sizeof *x);
            y = realloc(y, (n + 1) * sizeof *y);
            assert_true(x && y);
            x[n] = num_at(d, i, "x");
            y[n] = num_at(d, i, "y");
            n++;
        }
        struct cs_corr c;
        struct cs_error err;
        assert_int_equal(cs_corr(x, y, n, &c, &err), CS_OK);
        print_message("set %d: n %zu r %.10f rho %.10f\n", set, c.n, c.pearson, c.spearman);
        assert_int_equal(c.reason, CS_CORR_OK);
        assert_int_equal(c.n, (size_t)num_at(e, r, "n"));
        assert_close(c.pearson, num_at(e, r, "pearson"), EST_TOL);
        assert_close(c.pearson_p, num_at(e, r, "pearson_p"), P_TOL);
        assert_close(c.spearman, num_at(e, r, "spearman"), EST_TOL);
        assert_close(c.spearman_p, num_at(e, r, "spearman_p"), P_TOL);
        assert_int_equal(c.ties, (int)num_at(e, r, "ties"));
        /* symmetric in x and y, bit for bit */
        struct cs_corr s;
        assert_int_equal(cs_corr(y, x, n, &s, &err), CS_OK);
        assert_true(s.pearson == c.pearson && s.spearman == c.spearman);
        free(x);
        free(y);
    }
    table_free(d);
    table_free(e);
}

static void expect_degenerate(const double *x, const double *y, size_t n, size_t used,
                              enum cs_corr_reason reason)
{
    struct cs_corr c;
    struct cs_error err;
    assert_int_equal(cs_corr(x, y, n, &c, &err), CS_OK);
    assert_int_equal(c.n, used);
    assert_int_equal(c.reason, reason);
    assert_true(isnan(c.pearson) && isnan(c.pearson_p));
    assert_true(isnan(c.spearman) && isnan(c.spearman_p));
    assert_int_equal(strcmp(cs_corr_reason_text(reason), "ok") != 0, 1);
}

static void test_corr_degenerate(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5}, y[] = {2, 1, 4, 3, 5};
    double k[] = {7, 7, 7, 7, 7};
    double nan5[] = {NAN, NAN, NAN, NAN, NAN};
    double inf[] = {1, INFINITY, 3, -INFINITY, NAN};
    expect_degenerate(NULL, NULL, 0, 0, CS_CORR_TOO_FEW);          /* n = 0 */
    expect_degenerate(x, y, 1, 1, CS_CORR_TOO_FEW);                /* n = 1 */
    expect_degenerate(x, y, 2, 2, CS_CORR_TOO_FEW);                /* n = 2 */
    expect_degenerate(nan5, y, 5, 0, CS_CORR_TOO_FEW);             /* nothing complete */
    expect_degenerate(inf, y, 5, 2, CS_CORR_TOO_FEW);              /* infinities are missing */
    expect_degenerate(k, y, 5, 5, CS_CORR_CONST_X);
    expect_degenerate(x, k, 5, 5, CS_CORR_CONST_Y);
    expect_degenerate(k, k, 5, 5, CS_CORR_CONST_XY);
    /* constant once the incomplete pairs are dropped */
    double x2[] = {1, 2, 1, 1, NAN}, y2[] = {3, NAN, 4, 5, 6};
    expect_degenerate(x2, y2, 5, 3, CS_CORR_CONST_X);

    /* exactly 3 pairs: defined, df = 1 */
    struct cs_corr c;
    struct cs_error err;
    assert_int_equal(cs_corr(x, y, 3, &c, &err), CS_OK);
    assert_int_equal(c.reason, CS_CORR_OK);
    /* by hand, x = (1, 2, 3), y = (2, 1, 4): means 2 and 7/3; sxy = 2,
     * sxx = 2, syy = 14/3; r = 2 / sqrt(28/3) = 0.6546537. */
    assert_close(c.pearson, 2.0 / sqrt(28.0 / 3.0), EXACT);

    /* |r| = 1: p is 0, not NaN */
    double y3[] = {3, 5, 7, 9, 11}, y4[] = {5, 4, 3, 2, 1};
    assert_int_equal(cs_corr(x, y3, 5, &c, &err), CS_OK);
    assert_close(c.pearson, 1.0, EXACT);
    assert_true(c.pearson_p == 0.0 && c.spearman == 1.0 && c.spearman_p == 0.0);
    assert_int_equal(cs_corr(x, y4, 5, &c, &err), CS_OK);
    assert_true(c.spearman == -1.0 && c.spearman_p == 0.0 && c.pearson_p == 0.0);
}

static void test_corr_errors(void **state)
{
    (void)state;
    double x[] = {1, 2, 3};
    struct cs_corr c;
    struct cs_error err;
    assert_int_equal(cs_corr(x, x, 3, NULL, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "NULL"));
    assert_int_equal(cs_corr(NULL, x, 3, &c, &err), CS_ERR_USAGE);
    assert_int_equal(cs_corr(x, NULL, 3, &c, NULL), CS_ERR_USAGE);
}

/* Ranks by an independent method: qsort of (value, index), average ties. */
struct vi { double v; size_t i; };
static int vi_cmp(const void *a, const void *b)
{
    const struct vi *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}
static void naive_ranks(const double *v, size_t n, double *rank)
{
    struct vi *s = malloc(n * sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (struct vi){v[i], i};
    qsort(s, n, sizeof *s, vi_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && s[j + 1].v == s[i].v)
            j++;
        for (size_t k = i; k <= j; k++)
            rank[s[k].i] = (double)(i + j + 2) / 2.0;
        i = j + 1;
    }
    free(s);
}
static double naive_pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
    mx /= (double)n; my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

/* Radix ranking against qsort ranking on negative, positive, tied, huge,
 * tiny and subnormal values; Spearman invariant under monotone maps. */
static void test_corr_ranks_large(void **state)
{
    (void)state;
    size_t n = 20000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    double *ex = malloc(n * sizeof *ex);
    assert_true(x && y && rx && ry && ex);
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        switch (i % 5) {
        case 0: x[i] = floor(u * 40.0) - 20.0; break;          /* ties, negatives, zero */
        case 1: x[i] = (u - 0.5) * 1e300; break;
        case 2: x[i] = (u - 0.5) * 1e-310; break;              /* subnormals */
        case 3: x[i] = -0.0; break;                            /* ties with 0.0 */
        default: x[i] = u; break;
        }
        y[i] = x[i] * 0.5 + (double)(s % 1000) / 1000.0 + (i % 7 == 0 ? 0.0 : (double)(i % 3));
        ex[i] = x[i] >= 0 ? log1p(x[i] > 1e300 ? 1e300 : x[i]) : -log1p(-x[i]);   /* monotone */
    }
    naive_ranks(x, n, rx);
    naive_ranks(y, n, ry);
    struct cs_corr c, c2;
    struct cs_error err;
    assert_int_equal(cs_corr(x, y, n, &c, &err), CS_OK);
    assert_true(c.ties);
    assert_close(c.spearman, naive_pearson(rx, ry, n), 1e-12);
    assert_int_equal(cs_corr(ex, y, n, &c2, &err), CS_OK);
    assert_close(c2.spearman, c.spearman, 1e-12);
    free(x); free(y); free(rx); free(ry); free(ex);
}

/* Few distinct values (the counting path), many (the radix path) and the
 * boundary between them, against qsort ranks. */
static void test_corr_rank_paths(void **state)
{
    (void)state;
    size_t n = 30000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    assert_true(x && y && rx && ry);
    size_t distinct[] = {2, 3, 4095, 4096, 4097, 30000};
    for (size_t c = 0; c < sizeof distinct / sizeof distinct[0]; c++) {
        size_t k = distinct[c];
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)((i * 7919) % k) * 0.01 - 3.0;      /* all k values occur */
            y[i] = (double)((i * 104729) % 5) + x[i] * 0.001 * (double)(i % 3);
        }
        naive_ranks(x, n, rx);
        naive_ranks(y, n, ry);
        struct cs_corr r;
        assert_int_equal(cs_corr(x, y, n, &r, NULL), CS_OK);
        assert_close(r.spearman, naive_pearson(rx, ry, n), 1e-12);
        assert_int_equal(r.ties, 1);
    }
    free(x); free(y); free(rx); free(ry);
}

/* cs_corr_table_fill's x arrays, copied from the arrays of ctx. */
static void fill_from(size_t i, double *x, void *ctx)
{
    const double *const *xs = ctx;
    memcpy(x, xs[i], 5000 * sizeof *x);
}

/* The table gives what cs_corr gives, bit for bit, with and without
 * missing values and with degenerate columns. */
static void test_corr_table(void **state)
{
    (void)state;
    size_t n = 5000;
    double *cols[6];
    for (int c = 0; c < 6; c++) {
        cols[c] = malloc(n * sizeof *cols[c]);
        assert_non_null(cols[c]);
    }
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        cols[0][i] = (double)(s % 4) * 0.04;                    /* few rates */
        cols[1][i] = u;                                         /* continuous */
        cols[2][i] = i % 10 == 0 ? NAN : u * u + (double)(i % 3);  /* gaps with blanks */
        cols[3][i] = 7.0;                                       /* constant */
        cols[4][i] = (double)(s % 2);                           /* 0/1 outcome */
        cols[5][i] = i % 4 == 0 ? NAN : floor(u * 300) / 10;    /* discount with blanks */
    }
    const double *xs[] = {cols[0], cols[1], cols[2], cols[3]};
    const double *ys[] = {cols[4], cols[5], cols[1]};
    struct cs_corr table[12];
    struct cs_error err;
    assert_int_equal(cs_corr_table(xs, 4, ys, 3, n, table, &err), CS_OK);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            struct cs_corr one;
            assert_int_equal(cs_corr(xs[i], ys[j], n, &one, &err), CS_OK);
            const struct cs_corr *t = &table[i * 3 + j];
            assert_int_equal(t->n, one.n);
            assert_int_equal(t->reason, one.reason);
            assert_int_equal(t->ties, one.ties);
            assert_memory_equal(&t->pearson, &one.pearson, sizeof one.pearson);
            assert_memory_equal(&t->spearman, &one.spearman, sizeof one.spearman);
            assert_memory_equal(&t->spearman_p, &one.spearman_p, sizeof one.spearman_p);
        }
    assert_int_equal(table[9].reason, CS_CORR_CONST_X);
    /* made one x at a time: the same grid, bit for bit */
    struct cs_corr filled[12];
    assert_int_equal(cs_corr_table_fill(4, fill_from, (void *)xs, ys, 3, n, filled, &err), CS_OK);
    for (int k = 0; k < 12; k++) {
        assert_int_equal(filled[k].n, table[k].n);
        assert_int_equal(filled[k].reason, table[k].reason);
        assert_int_equal(filled[k].ties, table[k].ties);
        assert_memory_equal(&filled[k].pearson, &table[k].pearson, sizeof table[k].pearson);
        assert_memory_equal(&filled[k].pearson_p, &table[k].pearson_p, sizeof table[k].pearson_p);
        assert_memory_equal(&filled[k].spearman, &table[k].spearman, sizeof table[k].spearman);
        assert_memory_equal(&filled[k].spearman_p, &table[k].spearman_p, sizeof table[k].spearman_p);
    }
    assert_int_equal(cs_corr_table_fill(4, NULL, NULL, ys, 3, n, filled, &err), CS_ERR_USAGE);
    /* empty grids and bad arguments */
    assert_int_equal(cs_corr_table(NULL, 0, NULL, 0, n, NULL, &err), CS_OK);
    const double *bad[] = {cols[0], NULL};
    assert_int_equal(cs_corr_table(bad, 2, ys, 3, n, table, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "x[1]"));
    assert_int_equal(cs_corr_table(xs, 4, ys, 3, n, NULL, &err), CS_ERR_USAGE);
    for (int c = 0; c < 6; c++)
        free(cols[c]);
}

/* ======================================================================
 * Benjamini-Hochberg
 * ==================================================================== */

static void test_bh_methods_check(void **state)
{
    (void)state;
    double p[] = {0.01, 0.04, 0.10, 0.20}, q[4];
    assert_int_equal(cs_bh(p, 4, q, NULL), CS_OK);
    assert_close(q[0], 0.04, EXACT);
    assert_close(q[1], 0.08, EXACT);
    assert_close(q[2], 0.4 / 3.0, EXACT);       /* 0.1333333 */
    assert_close(q[3], 0.20, EXACT);
    /* in place */
    assert_int_equal(cs_bh(p, 4, p, NULL), CS_OK);
    assert_close(p[2], 0.4 / 3.0, EXACT);
}

static void test_bh_reference(void **state)
{
    (void)state;
    struct table *t = table_read(FIX "bh.csv");
    for (size_t r = 0; r < t->rows;) {
        int cas = (int)num_at(t, r, "case");
        size_t m = 0;
        while (r + m < t->rows && (int)num_at(t, r + m, "case") == cas)
            m++;
        double p[64], q[64];
        assert_true(m <= 64);
        for (size_t i = 0; i < m; i++)
            p[i] = num_at(t, r + i, "p");
        assert_int_equal(cs_bh(p, m, q, NULL), CS_OK);
        for (size_t i = 0; i < m; i++)
            assert_close(q[i], num_at(t, r + i, "q"), EXACT);
        r += m;
    }
    table_free(t);
}

static void test_bh_edges(void **state)
{
    (void)state;
    struct cs_error err;
    assert_int_equal(cs_bh(NULL, 0, NULL, &err), CS_OK);
    double p[] = {0.5, 1.5}, q[2];
    assert_int_equal(cs_bh(p, 2, q, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "outside [0, 1]"));
    p[1] = -0.1;
    assert_int_equal(cs_bh(p, 2, q, &err), CS_ERR_USAGE);
    p[1] = INFINITY;
    assert_int_equal(cs_bh(p, 2, q, &err), CS_ERR_USAGE);
    assert_int_equal(cs_bh(NULL, 2, q, &err), CS_ERR_USAGE);
    /* NaN is not counted: (NaN, 0.02, 0.04) adjusts like (0.02, 0.04) */
    double p3[] = {NAN, 0.02, 0.04}, q3[3];
    assert_int_equal(cs_bh(p3, 3, q3, &err), CS_OK);
    assert_true(isnan(q3[0]));
    assert_close(q3[1], 0.04, EXACT);
    assert_close(q3[2], 0.04, EXACT);
}

/* ======================================================================
 * Timing
 * ==================================================================== */

static void test_timing_reference(void **state)
{
    (void)state;
    struct table *d = table_read(FIX "timing_deals.csv");
    struct table *e = table_read(FIX "timing_expected.csv");
    size_t n = d->rows;
    double *amount = malloc(n * sizeof *amount);
    int32_t *L = malloc(n * sizeof *L), *day = malloc(n * sizeof *day);
    assert_true(amount && L && day);
    for (size_t i = 0; i < n; i++) {
        amount[i] = num_at(d, i, "amount");
        L[i] = (int32_t)num_at(d, i, "period_days");
        day[i] = (int32_t)num_at(d, i, "day");
    }
    struct cs_timing *t = NULL;
    struct cs_error err;
    assert_int_equal(cs_timing(amount, L, day, NULL, n, &t, &err), CS_OK);
    assert_int_equal(t->reason, CS_TIMING_OK);
    assert_int_equal(t->n, (size_t)kv(e, "n"));
    assert_int_equal(t->n_invalid, 0);
    assert_close(t->last14_share, kv(e, "last14_share"), EST_TOL);
    assert_close(t->expected_share, kv(e, "expected_share"), EST_TOL);
    assert_close(t->last14_deal_share, kv(e, "last14_deal_share"), EST_TOL);
    assert_close(t->expected_deal_share, kv(e, "expected_deal_share"), EST_TOL);
    assert_int_equal(t->n_bins, (size_t)kv(e, "n_bins"));
    for (size_t i = 0; i < t->n_bins; i++) {
        char key[32];
        snprintf(key, sizeof key, "observed_%zu", i);
        assert_close(t->observed[i], kv(e, key), EXACT);
        snprintf(key, sizeof key, "expected_%zu", i);
        assert_close(t->expected[i], kv(e, key), 1e-10);
    }
    assert_close(t->chi2, kv(e, "chi2"), EST_TOL);
    assert_int_equal(t->df, (int)kv(e, "df"));
    assert_close(t->p, kv(e, "p"), P_TOL);
    assert_int_equal(t->n_small_expected, (size_t)kv(e, "n_small_expected"));
    print_message("timing: share %.4f expected %.4f chi2 %.3f df %d p %.3g\n",
                  t->last14_share, t->expected_share, t->chi2, t->df, t->p);
    cs_timing_free(t);

    /* a selection mask gives the same as the subset */
    uint8_t *sel = malloc(n);
    assert_non_null(sel);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sel[i] = i % 3 == 0;
        if (sel[i]) {
            amount[k] = amount[i]; L[k] = L[i]; day[k] = day[i]; k++;
        }
    }
    struct cs_timing *a = NULL, *b = NULL;
    /* reload the originals for the masked run */
    double *amount0 = malloc(n * sizeof *amount0);
    int32_t *L0 = malloc(n * sizeof *L0), *day0 = malloc(n * sizeof *day0);
    assert_true(amount0 && L0 && day0);
    for (size_t i = 0; i < n; i++) {
        amount0[i] = num_at(d, i, "amount");
        L0[i] = (int32_t)num_at(d, i, "period_days");
        day0[i] = (int32_t)num_at(d, i, "day");
    }
    assert_int_equal(cs_timing(amount0, L0, day0, sel, n, &a, &err), CS_OK);
    assert_int_equal(cs_timing(amount, L, day, NULL, k, &b, &err), CS_OK);
    assert_int_equal(a->n, b->n);
    assert_true(a->chi2 == b->chi2 && a->last14_share == b->last14_share);
    cs_timing_free(a);
    cs_timing_free(b);
    free(sel); free(amount0); free(L0); free(day0);
    free(amount); free(L); free(day);
    table_free(d);
    table_free(e);
}

/* Hand-computed: two quarters of 14 and 10 days. */
static void test_timing_hand(void **state)
{
    (void)state;
    /* L = 14: days 0..6 bin 0, 7..13 bin 1; L = 10: days 0..6 bin 0, 7..9 bin 1.
     * E0 = 7/14 + 7/14 + 7/10 = 1.7, E1 = 0.5 + 0.5 + 0.3 = 1.3 (3 deals).
     * O = (1, 2): chi2 = 0.49/1.7 + 0.49/1.3. */
    double amount[] = {100, 300, 600};
    int32_t L[] = {14, 14, 10}, d[] = {0, 13, 8};
    struct cs_timing *t = NULL;
    assert_int_equal(cs_timing(amount, L, d, NULL, 3, &t, NULL), CS_OK);
    assert_int_equal(t->n_bins, 2);
    assert_close(t->expected[0], 1.7, EXACT);
    assert_close(t->expected[1], 1.3, EXACT);
    assert_close(t->observed[0], 1.0, EXACT);
    assert_close(t->observed[1], 2.0, EXACT);
    assert_close(t->chi2, 0.49 / 1.7 + 0.49 / 1.3, EXACT);
    assert_int_equal(t->df, 1);
    /* every day of a period of 14 days or less is in its last 14 days */
    assert_close(t->last14_share, 1.0, EXACT);
    assert_close(t->expected_share, 1.0, EXACT);
    assert_int_equal(t->n_small_expected, 2);
    cs_timing_free(t);

    /* L = 30: last 14 days are days 16..29 */
    double a2[] = {1, 1, 1};
    int32_t L2[] = {30, 30, 30}, d2[] = {15, 16, 29};
    assert_int_equal(cs_timing(a2, L2, d2, NULL, 3, &t, NULL), CS_OK);
    assert_close(t->last14_share, 2.0 / 3.0, EXACT);
    assert_close(t->expected_share, 14.0 / 30.0, EXACT);
    assert_int_equal(t->n_bins, 5);
    assert_close(t->expected[4], 3.0 * 2.0 / 30.0, EXACT);   /* days 28, 29 */
    cs_timing_free(t);
}

static void test_timing_degenerate(void **state)
{
    (void)state;
    struct cs_timing *t = NULL;
    struct cs_error err;
    /* n = 0 */
    assert_int_equal(cs_timing(NULL, NULL, NULL, NULL, 0, &t, &err), CS_OK);
    assert_int_equal(t->reason, CS_TIMING_EMPTY);
    assert_true(t->n == 0 && t->n_bins == 0 && isnan(t->chi2) && isnan(t->p) && t->df == 0);
    assert_true(isnan(t->last14_share) && isnan(t->expected_share));
    cs_timing_free(t);
    /* every row invalid, counted */
    double a[] = {1, NAN, 1, -5, 1, 1};
    int32_t L[] = {0, 90, 90, 90, 90, 40000}, d[] = {0, 3, 90, 3, -1, 3};
    assert_int_equal(cs_timing(a, L, d, NULL, 6, &t, &err), CS_OK);
    assert_int_equal(t->reason, CS_TIMING_EMPTY);
    assert_int_equal(t->n_invalid, 6);
    cs_timing_free(t);
    /* one bin: periods of a week or less */
    double a1[] = {1, 2, 3};
    int32_t L1[] = {7, 5, 7}, d1[] = {0, 4, 6};
    assert_int_equal(cs_timing(a1, L1, d1, NULL, 3, &t, &err), CS_OK);
    assert_int_equal(t->reason, CS_TIMING_ONE_BIN);
    assert_true(t->n == 3 && t->n_bins == 1 && t->df == 0 && isnan(t->chi2) && isnan(t->p));
    assert_close(t->expected[0], 3.0, EXACT);
    assert_non_null(strstr(cs_timing_reason_text(t->reason), "one week"));
    cs_timing_free(t);
    /* zero bookings: shares undefined, test still defined */
    double z[] = {0, 0, 0};
    int32_t Lz[] = {91, 91, 91}, dz[] = {0, 50, 90};
    assert_int_equal(cs_timing(z, Lz, dz, NULL, 3, &t, &err), CS_OK);
    assert_true(isnan(t->last14_share) && isnan(t->expected_share));
    assert_close(t->last14_deal_share, 1.0 / 3.0, EXACT);
    assert_int_equal(t->reason, CS_TIMING_OK);
    assert_int_equal(t->df, 12);
    cs_timing_free(t);
    /* usage */
    assert_int_equal(cs_timing(a, L, d, NULL, 6, NULL, &err), CS_ERR_USAGE);
    assert_int_equal(cs_timing(NULL, L, d, NULL, 6, &t, &err), CS_ERR_USAGE);
    assert_null(t);
    cs_timing_free(NULL);
}

/* ======================================================================
 * Wilson
 * ==================================================================== */

static void test_wilson_hand(void **state)
{
    (void)state;
    struct cs_wilson w;
    struct cs_error err;
    /* k = 3, n = 10 by hand: z^2 = 3.841458881296, centre = 4.920729440648
     * / 13.841458881296 = 0.3555066; half = 1.959964 * sqrt(2.1 + 0.960364720324)
     * / 13.841458881296 = 0.2477153; so (0.1077913, 0.6032219). */
    assert_int_equal(cs_wilson(3, 10, &w, &err), CS_OK);
    double z2 = 1.959964 * 1.959964;
    double centre = (3.0 + z2 / 2.0) / (10.0 + z2);
    double half = 1.959964 * sqrt(2.1 + z2 / 4.0) / (10.0 + z2);
    assert_close(w.rate, 0.3, EXACT);
    assert_close(w.low, centre - half, EXACT);
    assert_close(w.high, centre + half, EXACT);
    assert_close(w.low, 0.1077913, XCHECK_TOL);
    assert_close(w.high, 0.6032219, XCHECK_TOL);
    assert_false(w.undefined);
    /* k = 0 and k = n: exact ends */
    assert_int_equal(cs_wilson(0, 10, &w, &err), CS_OK);
    assert_true(w.low == 0.0 && w.rate == 0.0);
    assert_close(w.high, z2 / (10.0 + z2), EXACT);     /* 2 z^2/2 / (n + z^2) */
    assert_int_equal(cs_wilson(10, 10, &w, &err), CS_OK);
    assert_true(w.high == 1.0);
    assert_close(w.low, 10.0 / (10.0 + z2), EXACT);
    /* n = 0 */
    assert_int_equal(cs_wilson(0, 0, &w, &err), CS_OK);
    assert_true(w.undefined && isnan(w.rate) && isnan(w.low) && isnan(w.high));
    /* errors */
    assert_int_equal(cs_wilson(11, 10, &w, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "11 successes of 10"));
    assert_int_equal(cs_wilson(1, 10, NULL, &err), CS_ERR_USAGE);
}

static void test_wilson_reference(void **state)
{
    (void)state;
    struct table *t = table_read(FIX "wilson.csv");
    for (size_t r = 0; r < t->rows; r++) {
        struct cs_wilson w;
        size_t k = (size_t)num_at(t, r, "k"), n = (size_t)num_at(t, r, "n");
        assert_int_equal(cs_wilson(k, n, &w, NULL), CS_OK);
        assert_close(w.low, num_at(t, r, "low"), EXACT);
        assert_close(w.high, num_at(t, r, "high"), EXACT);
        /* prop.test(correct = FALSE) uses z = qnorm(0.975) = 1.95996398...: */
        assert_close(w.low, num_at(t, r, "proptest_low"), XCHECK_TOL);
        assert_close(w.high, num_at(t, r, "proptest_high"), XCHECK_TOL);
    }
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corr_reference),
        cmocka_unit_test(test_corr_degenerate),
        cmocka_unit_test(test_corr_errors),
        cmocka_unit_test(test_corr_ranks_large),
        cmocka_unit_test(test_corr_rank_paths),
        cmocka_unit_test(test_corr_table),
        cmocka_unit_test(test_bh_methods_check),
        cmocka_unit_test(test_bh_reference),
        cmocka_unit_test(test_bh_edges),
        cmocka_unit_test(test_timing_reference),
        cmocka_unit_test(test_timing_hand),
        cmocka_unit_test(test_timing_degenerate),
        cmocka_unit_test(test_wilson_hand),
        cmocka_unit_test(test_wilson_reference),
    };
    int failed = cmocka_run_group_tests(tests, setup, NULL);
    printf("largest relative deviation from R: estimates %.3g, p-values %.3g\n",
           assert_close_worst(EST_TOL), assert_close_worst(P_TOL));
    return failed;
}
