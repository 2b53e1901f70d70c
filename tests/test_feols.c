/* test_feols.c - least squares with rep (and quarter) fixed effects against lm + sandwich::vcovCL, hand values, conditions and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "compsight/feols.h"
#include "stats_helpers.h"

#define FIX CS_TEST_DIR "/fixtures/within/"
#define REF FIX "feols_ref.csv"

/* Tolerances against R (tests/reference/within/README.md): well inside
 * the brief's 1e-6 (estimates) and 1e-5 (SEs). */
#define TOL_EST 1e-9
#define TOL_SE 1e-9

struct fixture {
    size_t n, k;
    double *x, *y;
    uint32_t *g, *t;
    size_t groups, periods;
    const char *names[12];
};

static void fixture_free(struct fixture *f)
{
    free(f->x);
    free(f->y);
    free(f->g);
    free(f->t);
}

static uint32_t *ids(const double *v, size_t n, size_t *levels)
{
    uint32_t *out = malloc(n * sizeof *out);
    assert_non_null(out);
    *levels = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint32_t)v[i];
        if (out[i] + 1 > *levels)
            *levels = out[i] + 1;
    }
    return out;
}

/* rep, [quarter,] y and the terms named */
static struct fixture fixture_read(const char *file, bool two_way, const char *const *terms, size_t k)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", file);
    struct fixture f = {.k = k};
    double *rep, *col;
    f.n = read_column(path, "rep", &rep);
    f.g = ids(rep, f.n, &f.groups);
    free(rep);
    if (two_way) {
        double *q;
        assert_int_equal(read_column(path, "quarter", &q), f.n);
        f.t = ids(q, f.n, &f.periods);
        free(q);
    }
    assert_int_equal(read_column(path, "y", &f.y), f.n);
    f.x = malloc(f.n * k * sizeof *f.x);
    assert_non_null(f.x);
    for (size_t j = 0; j < k; j++) {
        f.names[j] = terms[j];
        assert_int_equal(read_column(path, terms[j], &col), f.n);
        for (size_t i = 0; i < f.n; i++)
            f.x[i * k + j] = col[i];
        free(col);
    }
    return f;
}

static struct cs_feols_design design_of(const struct fixture *f)
{
    struct cs_feols_design d = {.n = f->n, .k = f->k, .x = f->x, .y = f->y, .group = f->g,
                                .groups = f->groups, .period = f->t, .periods = f->periods,
                                .names = f->names};
    return d;
}

static double ref(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double ref(const char *fmt, ...)
{
    char key[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    return kv(REF, key);
}

static void check_fit(const struct cs_feols_fit *res, const char *prefix)
{
    const struct cs_regress_fit *fit = res->fit;
    assert_true(fit->fitted);
    assert_int_equal(fit->flags, 0);
    assert_int_equal(fit->n, (size_t)ref("%s.n", prefix));
    assert_int_equal(res->rank, (size_t)ref("%s.rank", prefix));
    assert_close(fit->deviance, ref("%s.rss", prefix), TOL_SE);
    assert_close(fit->sigma, ref("%s.sigma", prefix), TOL_SE);
    assert_close(fit->loglik, ref("%s.loglik", prefix), TOL_SE);
    for (size_t t = 0; t < fit->k; t++) {
        const struct cs_regress_term *tm = &fit->terms[t];
        assert_close(tm->estimate, ref("%s.%s.estimate", prefix, tm->name), TOL_EST);
        assert_close(tm->se, ref("%s.%s.se", prefix, tm->name), TOL_SE);
        assert_close(tm->se_cluster, ref("%s.%s.se_cluster", prefix, tm->name), TOL_SE);
        assert_close(tm->z, ref("%s.%s.z", prefix, tm->name), TOL_SE);
        assert_close(tm->p, ref("%s.%s.p", prefix, tm->name), TOL_SE * fmax(1, tm->z * tm->z));
        assert_close(tm->ci_low, ref("%s.%s.ci_low", prefix, tm->name), TOL_SE);
        assert_close(tm->ci_high, ref("%s.%s.ci_high", prefix, tm->name), TOL_SE);
        assert_true(isnan(tm->odds_ratio));
    }
}

/* ======================================================================
 * Against R
 * ==================================================================== */

static void test_one_way(void **state)
{
    (void)state;
    const char *terms[] = {"x1", "x2", "x3"};
    struct fixture f = fixture_read("feols_one.csv", false, terms, 3);
    struct cs_feols_design d = design_of(&f);
    struct cs_feols_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    check_fit(res, "one");
    assert_int_equal(res->fit->k, 2);
    assert_int_equal(res->fit->n_dropped, 1);           /* x3: constant within rep */
    assert_string_equal(res->fit->dropped[0], "x3");
    assert_int_equal(res->groups, 40);
    assert_int_equal(res->periods, 0);
    assert_int_equal(res->fit->clusters, 40);
    cs_feols_free(res);
    fixture_free(&f);
}

static void test_two_way(void **state)
{
    (void)state;
    const char *terms[] = {"did", "x1"};
    struct fixture f = fixture_read("feols_two.csv", true, terms, 2);
    struct cs_feols_design d = design_of(&f);
    struct cs_feols_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    check_fit(res, "two");
    assert_int_equal(res->periods, 12);
    assert_int_equal(res->components, 1);
    cs_feols_free(res);
    fixture_free(&f);
}

static void test_event_study(void **state)
{
    (void)state;
    const char *terms[] = {"ev_m4", "ev_m3", "ev_m2", "ev_0", "ev_1", "ev_2", "ev_3"};
    struct fixture f = fixture_read("feols_two.csv", true, terms, 7);
    struct cs_feols_design d = design_of(&f);
    struct cs_feols_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    check_fit(res, "event");
    assert_int_equal(res->fit->k, 7);
    cs_feols_free(res);
    fixture_free(&f);
}

/* Two sets of reps in disjoint quarters: two components, lm's rank one lower. */
static void test_two_components(void **state)
{
    (void)state;
    const char *terms[] = {"x1", "x2"};
    struct fixture f = fixture_read("feols_split.csv", true, terms, 2);
    struct cs_feols_design d = design_of(&f);
    struct cs_feols_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    check_fit(res, "split");
    assert_int_equal(res->components, 2);
    assert_int_equal(res->periods, 10);
    cs_feols_free(res);
    fixture_free(&f);
}

/* The terms inside a wider row (row stride): the same fit, bit for bit. */
static void test_stride(void **state)
{
    (void)state;
    const char *terms[] = {"did", "x1"};
    struct fixture f = fixture_read("feols_two.csv", true, terms, 2);
    struct cs_feols_design d = design_of(&f);
    double *wide = malloc(f.n * 4 * sizeof *wide);
    assert_non_null(wide);
    for (size_t i = 0; i < f.n; i++) {
        wide[i * 4] = 1;
        wide[i * 4 + 1] = f.x[i * 2];
        wide[i * 4 + 2] = f.x[i * 2 + 1];
        wide[i * 4 + 3] = NAN;                  /* not read */
    }
    struct cs_feols_design dw = d;
    dw.x = wide + 1;
    dw.stride = 4;
    struct cs_feols_fit *a = NULL, *b = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &a, &err), CS_OK);
    assert_int_equal(cs_feols(&dw, &b, &err), CS_OK);
    for (size_t t = 0; t < 2; t++) {
        assert_memory_equal(&a->fit->terms[t].estimate, &b->fit->terms[t].estimate, sizeof(double));
        assert_memory_equal(&a->fit->terms[t].se_cluster, &b->fit->terms[t].se_cluster, sizeof(double));
    }
    cs_feols_free(b);
    dw.stride = 1;
    assert_int_equal(cs_feols(&dw, &b, &err), CS_ERR_USAGE);
    assert_null(b);
    cs_feols_free(a);
    free(wide);
    fixture_free(&f);
}

/* ======================================================================
 * Hand values and conditions
 * ==================================================================== */

/*
 * Two reps, y = 2 x + rep effect + e with e known: the within slope is
 * sum(x~ y~) / sum(x~^2).  Rep 0: x = 1, 2, 3, y = 3, 4.5, 7; rep 1:
 * x = 0, 4, y = 10, 17.  x~ = -1, 0, 1, -2, 2; y~ = -1.8333.., -0.3333..,
 * 2.1666.., -3.5, 3.5; slope = (1.8333.. + 2.1666.. + 7 + 7) / 10 = 1.8.
 * K = 1 + 2, n - K = 2; residuals e~ = y~ - 1.8 x~ = -0.0333.., -0.3333..,
 * 0.3666.., 0.1, -0.1; RSS = 0.2666..; sigma^2 = 0.1333..;
 * se = sqrt(0.1333.. / 10).  Scores u_0 = 0.0333.. + 0.3666.. = 0.4,
 * u_1 = -0.2 - 0.2 = -0.4; vcovCL = 2 (4/2) (0.16 + 0.16) / 100 = 0.0128.
 */
static void test_hand_one_way(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 0, 4}, y[] = {3, 4.5, 7, 10, 17};
    const uint32_t g[] = {0, 0, 0, 1, 1};
    const char *names[] = {"x"};
    struct cs_feols_design d = {.n = 5, .k = 1, .x = x, .y = y, .group = g, .groups = 2, .names = names};
    struct cs_feols_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    const struct cs_regress_term *t = &res->fit->terms[0];
    assert_close(t->estimate, 1.8, 1e-14);
    assert_close(res->fit->deviance, 0.8 / 3, 1e-13);
    assert_close(t->se, sqrt(0.4 / 3 / 10), 1e-13);
    assert_close(t->se_cluster, sqrt(0.0128), 1e-13);
    assert_int_equal(res->rank, 3);
    cs_feols_free(res);
}

static void test_conditions(void **state)
{
    (void)state;
    const double x[] = {1, 1, 2, 2}, y[] = {1, 2, 3, 5};
    const uint32_t g[] = {0, 0, 1, 1}, g1[] = {0, 0, 0, 0};
    const char *names[] = {"x"};
    struct cs_feols_design d = {.n = 4, .k = 1, .x = x, .y = y, .group = g, .groups = 2, .names = names};
    struct cs_feols_fit *res = NULL;
    struct cs_error err;

    /* x constant within rep: dropped, nothing to fit */
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_NO_TERMS);
    assert_int_equal(res->fit->n_dropped, 1);
    assert_false(res->fit->fitted);
    cs_feols_free(res);

    /* one group: no cluster SE */
    const double x2[] = {1, 2, 4, 3};
    d.x = x2;
    d.group = g1;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    assert_true(res->fit->fitted);
    assert_true(res->fit->flags & CS_REGRESS_FEW_CLUSTERS);
    assert_true(isnan(res->fit->terms[0].se_cluster));
    assert_false(isnan(res->fit->terms[0].se));
    cs_feols_free(res);

    /* n <= K: 2 rows in 1 group, 1 slope */
    d.n = 2;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_TOO_FEW_ROWS);
    assert_false(res->fit->fitted);
    cs_feols_free(res);

    /* exact fit: y = 3 x + rep effect */
    const double y3[] = {3, 6, 12, 9};
    d.n = 4;
    d.y = y3;
    d.group = g;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_PERFECT_FIT);
    assert_close(res->fit->terms[0].estimate, 3, 1e-13);
    assert_true(res->fit->terms[0].se == 0);
    cs_feols_free(res);

    d.n = 0;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_NO_ROWS);
    cs_feols_free(res);
}

static void test_errors(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4}, y[] = {1, 2, 3, 5};
    uint32_t g[] = {0, 0, 1, 1}, t[] = {0, 1, 0, 1};
    const char *names[] = {"x"};
    struct cs_feols_design d = {.n = 4, .k = 1, .x = x, .y = y, .group = g, .groups = 2,
                                .period = t, .periods = 2, .names = names};
    struct cs_feols_fit *res = (void *)1;
    struct cs_error err;
    assert_int_equal(cs_feols(NULL, &res, &err), CS_ERR_USAGE);
    assert_null(res);
    y[1] = NAN;
    assert_int_equal(cs_feols(&d, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "y");
    assert_string_equal(err.msg, "row 1: outcome is not a finite number");
    y[1] = 2;
    x[3] = INFINITY;
    assert_int_equal(cs_feols(&d, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "x");
    assert_string_equal(err.msg, "row 3: not a finite number");
    x[3] = 4;
    g[2] = 5;
    assert_int_equal(cs_feols(&d, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "group");
    assert_string_equal(err.msg, "row 2: group id 5 is not below 2");
    g[2] = 1;
    t[0] = 2;
    assert_int_equal(cs_feols(&d, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "period");
    assert_string_equal(err.msg, "row 0: period id 2 is not below 2");
    t[0] = 0;
    assert_int_equal(cs_feols(&d, &res, &err), CS_OK);
    cs_feols_free(res);
    cs_feols_free(NULL);
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_way),
        cmocka_unit_test(test_two_way),
        cmocka_unit_test(test_event_study),
        cmocka_unit_test(test_two_components),
        cmocka_unit_test(test_stride),
        cmocka_unit_test(test_hand_one_way),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
