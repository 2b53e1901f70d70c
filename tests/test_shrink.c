/* test_shrink.c - unit tests of the empirical-Bayes beta-binomial shrinkage (METHODS.md checks and R fixtures). */
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

#include "compsight/shrink.h"
#include "compsight/stattest.h"

#define FIX CS_TEST_DIR "/fixtures/stats/"

#include "stats_helpers.h"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

static const size_t methods_x[] = {0, 9, 1, 14, 2, 30, 0, 10, 3, 12, 5, 3};
static const size_t methods_n[] = {10, 12, 20, 25, 8, 40, 3, 12, 30, 15, 50, 4};

/* ======================================================================
 * METHODS.md checks
 * ==================================================================== */

static void test_methods_check(void **state)
{
    (void)state;
    struct cs_shrink *s = NULL;
    struct cs_error err;
    assert_int_equal(cs_shrink_fit(methods_x, methods_n, 12, &s, &err), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_FITTED);
    assert_false(s->pooled);
    assert_int_equal(s->m_used, 12);
    /* printed to 6 decimals: half a unit of the last place */
    assert_near(s->alpha, 0.735651, 5e-7);
    assert_near(s->beta, 1.110089, 5e-7);
    assert_near(s->nll, 32.17258612, 5e-9);
    static const double means[] = {0.062103, 0.703151, 0.079450, 0.548901, 0.277851, 0.734499,
                                   0.151814, 0.775376, 0.117305, 0.756016, 0.110629, 0.639038};
    for (int i = 0; i < 12; i++) {
        assert_near(s->mean[i], means[i], 5e-7);
        assert_true(s->low[i] < s->mean[i] && s->mean[i] < s->high[i]);
        assert_close(s->raw[i], (double)methods_x[i] / (double)methods_n[i], EXACT);
    }
    assert_close(s->rho, 1.0 / (s->alpha + s->beta + 1.0), EXACT);
    assert_true(s->lr > 0.0 && s->lr_p < 1e-10);
    assert_true(s->iterations > 0 && s->iterations < 50);
    assert_non_null(strstr(cs_shrink_outcome_text(s->outcome), "fitted"));
    cs_shrink_free(s);
}

static void test_methods_underdispersed(void **state)
{
    (void)state;
    const size_t x[] = {0, 1, 2, 5, 3, 10, 0, 4, 7, 1, 12, 2};
    const size_t n[] = {3, 10, 20, 25, 8, 40, 1, 12, 30, 15, 50, 4};
    struct cs_shrink *s = NULL;
    assert_int_equal(cs_shrink_fit(x, n, 12, &s, NULL), CS_OK);
    assert_true(s->pooled);
    assert_int_equal(s->outcome, CS_SHRINK_POOLED_MOMENT);
    assert_true(s->moment_rho <= 0.0);
    assert_near(s->pooled_rate, 0.2156, 5e-5);
    assert_close(s->pooled_rate, 47.0 / 218.0, EXACT);
    struct cs_wilson w;
    assert_int_equal(cs_wilson(47, 218, &w, NULL), CS_OK);
    for (int i = 0; i < 12; i++) {
        assert_close(s->mean[i], 47.0 / 218.0, EXACT);
        assert_close(s->low[i], w.low, EXACT);
        assert_close(s->high[i], w.high, EXACT);
    }
    assert_true(isnan(s->alpha) && isnan(s->beta) && s->rho == 0.0);
    assert_close(s->nll, s->nll_pooled, EXACT);
    assert_non_null(strstr(cs_shrink_outcome_text(s->outcome), "no evidence"));
    cs_shrink_free(s);
}

/* ======================================================================
 * Against R (tests/reference/stats/shrink_reference.R)
 * ==================================================================== */

static void check_reference(const char *tag)
{
    char path[512];
    double *xs = NULL, *ns = NULL, *mean = NULL, *low = NULL, *high = NULL;
    snprintf(path, sizeof path, FIX "shrink_%s_groups.csv", tag);
    size_t m = read_column(path, "x", &xs);
    assert_int_equal(read_column(path, "n", &ns), m);
    size_t *x = malloc(m * sizeof *x), *n = malloc(m * sizeof *n);
    assert_true(x && n);
    for (size_t i = 0; i < m; i++) {
        x[i] = (size_t)xs[i];
        n[i] = (size_t)ns[i];
    }
    char fit[512];
    snprintf(fit, sizeof fit, FIX "shrink_%s_fit.csv", tag);
    struct cs_shrink *s = NULL;
    struct cs_error err;
    assert_int_equal(cs_shrink_fit(x, n, m, &s, &err), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_FITTED);
    assert_close(s->moment_rho, kv(fit, "moment_rho"), EST_TOL);
    assert_close(s->alpha, kv(fit, "alpha"), EST_TOL);
    assert_close(s->beta, kv(fit, "beta"), EST_TOL);
    assert_close(s->nll, kv(fit, "nll"), EST_TOL);
    assert_close(s->nll_pooled, kv(fit, "nll_pooled"), EST_TOL);
    /* lr is a difference of two likelihoods: tiny on the ridge (4e-6), where
     * only its absolute error (rounding of nll, 1e-12) can be asked of it */
    if (kv(fit, "lr") > 1e-3)
        assert_close(s->lr, kv(fit, "lr"), EST_TOL);
    else
        assert_near(s->lr, kv(fit, "lr"), 1e-9);
    assert_close(cs_shrink_nll(x, n, m, kv(fit, "alpha"), kv(fit, "beta")), kv(fit, "nll"), 1e-12);

    snprintf(path, sizeof path, FIX "shrink_%s_posterior.csv", tag);
    assert_int_equal(read_column(path, "mean", &mean), m);
    assert_int_equal(read_column(path, "low", &low), m);
    assert_int_equal(read_column(path, "high", &high), m);
    for (size_t i = 0; i < m; i++) {
        assert_close(s->mean[i], mean[i], EST_TOL);
        assert_close(s->low[i], low[i], P_TOL);
        assert_close(s->high[i], high[i], P_TOL);
        if (n[i] == 0) {
            /* no data: the prior mean, and raw is undefined */
            assert_close(s->mean[i], s->alpha / (s->alpha + s->beta), EXACT);
            assert_true(isnan(s->raw[i]));
        }
    }
    print_message("%s: alpha %.9g beta %.9g nll %.12g (%u iterations)\n", tag, s->alpha,
                  s->beta, s->nll, s->iterations);
    cs_shrink_free(s);
    free(x); free(n); free(xs); free(ns); free(mean); free(low); free(high);
}

static void test_reference_methods(void **state)
{
    (void)state;
    check_reference("methods");
}

static void test_reference_generated(void **state)
{
    (void)state;
    check_reference("generated");
}

/* ======================================================================
 * Pooling, boundaries and degenerate inputs
 * ==================================================================== */

/* Moment rho > 0 but the likelihood rises toward alpha + beta -> infinity
 * (found by a random search; the optimiser runs out along the ridge). */
static void test_pooled_by_likelihood(void **state)
{
    (void)state;
    const size_t x[] = {3, 3, 0, 3, 0, 5}, n[] = {11, 5, 3, 11, 3, 12};
    const size_t x2[] = {3, 1, 4, 0}, n2[] = {4, 6, 10, 1};
    struct cs_shrink *s = NULL;
    assert_int_equal(cs_shrink_fit(x, n, 6, &s, NULL), CS_OK);
    assert_true(s->moment_rho > 0.0);
    assert_int_equal(s->outcome, CS_SHRINK_POOLED_ML);
    assert_true(s->pooled && s->lr == 0.0 && s->lr_p == 1.0);
    assert_close(s->mean[0], 14.0 / 45.0, EXACT);
    /* the likelihood does rise with alpha + beta at the pooled mean */
    double p0 = 14.0 / 45.0;
    double prev = cs_shrink_nll(x, n, 6, p0 * 10, (1 - p0) * 10);
    for (double prec = 100; prec <= 1e6; prec *= 10) {
        double f = cs_shrink_nll(x, n, 6, p0 * prec, (1 - p0) * prec);
        assert_true(f < prev);
        prev = f;
    }
    assert_true(prev > s->nll_pooled - 1e-4);
    cs_shrink_free(s);
    assert_int_equal(cs_shrink_fit(x2, n2, 4, &s, NULL), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_POOLED_ML);
    cs_shrink_free(s);
}

/* A tiny but real overdispersion far out on the ridge (alpha ~ 2700):
 * fitted, not an error and not pooled (this once stalled the optimiser). */
static void test_ridge_interior(void **state)
{
    (void)state;
    const size_t x[] = {1, 4, 7, 0, 3, 2}, n[] = {1, 10, 11, 2, 10, 8};
    struct cs_shrink *s = NULL;
    struct cs_error err;
    assert_int_equal(cs_shrink_fit(x, n, 6, &s, &err), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_FITTED);
    assert_true(s->alpha > 1000 && s->beta > 1000 && s->nll < s->nll_pooled);
    cs_shrink_free(s);
    check_reference("ridge");
}

static void test_unshrunk(void **state)
{
    (void)state;
    /* all-or-nothing groups: alpha + beta -> 0, rates left as observed */
    const size_t x[] = {0, 5, 0, 5}, n[] = {5, 5, 5, 5};
    struct cs_shrink *s = NULL;
    assert_int_equal(cs_shrink_fit(x, n, 4, &s, NULL), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_UNSHRUNK);
    assert_false(s->pooled);
    assert_true(s->alpha + s->beta < CS_SHRINK_MIN_PRECISION);
    for (int i = 0; i < 4; i++) {
        assert_near(s->mean[i], s->raw[i], 1e-6);
        assert_true(s->low[i] >= 0.0 && s->high[i] <= 1.0 && s->low[i] <= s->high[i]);
    }
    cs_shrink_free(s);
}

static void expect_pooled_data(const size_t *x, const size_t *n, size_t m, double rate)
{
    struct cs_shrink *s = NULL;
    struct cs_error err;
    assert_int_equal(cs_shrink_fit(x, n, m, &s, &err), CS_OK);
    assert_int_equal(s->outcome, CS_SHRINK_POOLED_DATA);
    assert_true(s->pooled);
    assert_int_equal(s->m, m);
    assert_close(s->pooled_rate, rate, EXACT);
    assert_true(isnan(s->lr) && isnan(s->lr_p) && s->iterations == 0);
    for (size_t i = 0; i < m; i++)
        assert_close(s->mean[i], rate, EXACT);
    cs_shrink_free(s);
}

static void test_degenerate(void **state)
{
    (void)state;
    /* m = 0 */
    expect_pooled_data(NULL, NULL, 0, NAN);
    /* one group */
    const size_t x1[] = {3}, n1[] = {10};
    expect_pooled_data(x1, n1, 1, 0.3);
    /* every group without trials */
    const size_t x0[] = {0, 0, 0}, n0[] = {0, 0, 0};
    expect_pooled_data(x0, n0, 3, NAN);
    /* one group with trials among empty ones */
    const size_t xe[] = {0, 2, 0}, ne[] = {0, 4, 0};
    expect_pooled_data(xe, ne, 3, 0.5);
    /* no successes at all, and all successes */
    const size_t xz[] = {0, 0, 0}, nz[] = {5, 9, 2};
    expect_pooled_data(xz, nz, 3, 0.0);
    expect_pooled_data(nz, nz, 3, 1.0);
    /* single trials cannot show overdispersion */
    const size_t xo[] = {1, 0, 1, 1}, no[] = {1, 1, 1, 1};
    expect_pooled_data(xo, no, 4, 0.75);

    /* pooled interval for the all-zero case: Wilson, exactly 0 at the bottom */
    struct cs_shrink *s = NULL;
    assert_int_equal(cs_shrink_fit(xz, nz, 3, &s, NULL), CS_OK);
    assert_true(s->low[0] == 0.0 && s->high[0] > 0.0);
    cs_shrink_free(s);

    /* errors */
    struct cs_error err;
    const size_t xb[] = {4}, nb[] = {3};
    s = (struct cs_shrink *)&err;       /* must be reset to NULL */
    assert_int_equal(cs_shrink_fit(xb, nb, 1, &s, &err), CS_ERR_USAGE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "4 successes of 3"));
    assert_int_equal(cs_shrink_fit(NULL, nb, 1, &s, &err), CS_ERR_USAGE);
    assert_int_equal(cs_shrink_fit(xb, nb, 1, NULL, &err), CS_ERR_USAGE);
    cs_shrink_free(NULL);
    assert_true(isnan(cs_shrink_nll(methods_x, methods_n, 12, 0.0, 1.0)));
    assert_true(isnan(cs_shrink_nll(methods_x, methods_n, 12, 1.0, NAN)));
}

/* Groups that are all empty but one do not change the fit of the others. */
static void test_empty_groups_ignored(void **state)
{
    (void)state;
    size_t x[14], n[14];
    for (int i = 0; i < 12; i++) {
        x[i + 1] = methods_x[i];
        n[i + 1] = methods_n[i];
    }
    x[0] = n[0] = x[13] = n[13] = 0;
    struct cs_shrink *s = NULL;
    assert_int_equal(cs_shrink_fit(x, n, 14, &s, NULL), CS_OK);
    assert_int_equal(s->m_used, 12);
    assert_near(s->alpha, 0.735651, 5e-7);
    assert_close(s->mean[0], s->alpha / (s->alpha + s->beta), EXACT);
    assert_close(s->mean[13], s->mean[0], EXACT);
    assert_true(isnan(s->raw[0]));
    cs_shrink_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods_check),
        cmocka_unit_test(test_methods_underdispersed),
        cmocka_unit_test(test_reference_methods),
        cmocka_unit_test(test_reference_generated),
        cmocka_unit_test(test_pooled_by_likelihood),
        cmocka_unit_test(test_ridge_interior),
        cmocka_unit_test(test_unshrunk),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_empty_groups_ignored),
    };
    int failed = cmocka_run_group_tests(tests, setup, NULL);
    printf("largest relative deviation from R: estimates %.3g, interval ends %.3g\n",
           assert_close_worst(EST_TOL), assert_close_worst(P_TOL));
    return failed;
}
