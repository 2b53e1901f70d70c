/* test_bunching.c - unit tests of the bunching estimator (SPEC 7.6): bins, fit, B/M/b against R, bootstrap properties. */
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

#include "compsight/bunching.h"

#define FIX CS_TEST_DIR "/fixtures/stats/"

#include "stats_helpers.h"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

/* Values at the centres of bins, count[j] of them in bin j (threshold f). */
static size_t at_centres(double f, const double *count, double *a)
{
    size_t n = 0;
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        for (int k = 0; k < (int)count[j]; k++)
            a[n++] = f - 0.40 + (j + 0.5) * 0.02;
    return n;
}

/* ======================================================================
 * Against R (tests/reference/stats/bunching_reference.R)
 * ==================================================================== */

static void check_reference(double f, const char *tag)
{
    double *a = NULL, *count = NULL, *fit = NULL;
    size_t n = read_column(FIX "bunching_values.csv", "attainment", &a);
    char summary[512], bins[512];
    snprintf(summary, sizeof summary, FIX "bunching_%s_summary.csv", tag);
    snprintf(bins, sizeof bins, FIX "bunching_%s_bins.csv", tag);
    assert_int_equal(read_column(bins, "count", &count), CS_BUNCH_BINS);
    assert_int_equal(read_column(bins, "fit", &fit), CS_BUNCH_BINS);

    struct cs_bunching b;
    struct cs_error err;
    assert_int_equal(cs_bunching_estimate(a, n, f, 2026, CS_BUNCH_DRAWS, &b, &err), CS_OK);
    assert_int_equal(b.verdict, CS_BUNCH_OK);
    assert_int_equal(b.n_total, n);
    assert_int_equal(b.n_binned, (size_t)kv(summary, "n_binned"));
    assert_int_equal(b.n_below, (size_t)kv(summary, "n_below"));
    assert_int_equal(b.n_above, (size_t)kv(summary, "n_above"));
    assert_int_equal(b.fit_bins_with_data, (size_t)kv(summary, "fit_bins_with_data"));
    for (int j = 0; j < CS_BUNCH_BINS; j++) {
        assert_close(b.bins[j].count, count[j], 0.0);
        assert_close(b.bins[j].fit, fit[j], EST_TOL);
    }
    assert_close(b.excess_mass, kv(summary, "excess_mass"), EST_TOL);
    assert_close(b.missing_mass, kv(summary, "missing_mass"), EST_TOL);
    assert_close(b.b, kv(summary, "b"), EST_TOL);
    assert_close(b.window_fit_mean, kv(summary, "window_fit_mean"), EST_TOL);
    assert_false(b.thin);

    /* (b) sanity range of the bootstrap SE: each draw perturbs the three
     * bins of B by residuals of sd ~ resid_sd and refits, so se(B) is at
     * least ~ sqrt(3) resid_sd, and the refit adds little (1.2x here). */
    double base = sqrt(3.0) * kv(summary, "resid_sd");
    print_message("f = %.2f: B %.4f (se %.4f, %.2f x sqrt(3) resid sd) M %.4f b %.4f (se %.4f) z %.3f p %.3g\n",
                  f, b.excess_mass, b.excess_mass_se, b.excess_mass_se / base, b.missing_mass, b.b,
                  b.b_se, b.z, b.p);
    assert_true(b.excess_mass_se > 0.8 * base && b.excess_mass_se < 2.5 * base);
    assert_true(b.missing_mass_se > 0.8 * base && b.missing_mass_se < 2.5 * base);
    assert_int_equal(b.draws, CS_BUNCH_DRAWS);
    assert_int_equal(b.b_draws, CS_BUNCH_DRAWS);
    /* b = B / window mean: its SE is about se(B) / mean, more as the mean varies too */
    double b_base = b.excess_mass_se / b.window_fit_mean;
    assert_true(b.b_se > 0.8 * b_base && b.b_se < 2.0 * b_base);
    assert_close(b.z, b.excess_mass / b.excess_mass_se, EXACT);
    free(a); free(count); free(fit);
}

static void test_reference_threshold(void **state)
{
    (void)state;
    check_reference(1.0, "f100");
}

static void test_reference_placebo(void **state)
{
    (void)state;
    check_reference(1.0 - CS_BUNCH_PLACEBO_SHIFT, "f075");
}

/* The planted bunching is significant; the test statistic at the floor is
 * well above the placebo's. */
static void test_planted_detected(void **state)
{
    (void)state;
    double *a = NULL;
    size_t n = read_column(FIX "bunching_values.csv", "attainment", &a);
    struct cs_bunching b;
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 7, CS_BUNCH_DRAWS, &b, NULL), CS_OK);
    assert_true(b.excess_mass > 0 && b.missing_mass > 0 && b.z > 3.0 && b.p < 0.01);
    free(a);
}

/* ======================================================================
 * Bootstrap properties
 * ==================================================================== */

static void test_bootstrap_deterministic(void **state)
{
    (void)state;
    double *a = NULL;
    size_t n = read_column(FIX "bunching_values.csv", "attainment", &a);
    struct cs_bunching b1, b2, b3, b4;
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 42, 500, &b1, NULL), CS_OK);
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 42, 500, &b2, NULL), CS_OK);
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 43, 500, &b3, NULL), CS_OK);
    /* (a) the same seed gives the same bits */
    assert_true(b1.excess_mass_se == b2.excess_mass_se && b1.b_se == b2.b_se
                && b1.missing_mass_se == b2.missing_mass_se);
    /* another seed, other draws, but the estimates do not move */
    assert_true(b1.excess_mass_se != b3.excess_mass_se);
    assert_true(b1.excess_mass == b3.excess_mass && b1.b == b3.b);
    /* the high 32 bits of a 64-bit seed count too */
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 42 + (UINT64_C(1) << 40), 500, &b4, NULL), CS_OK);
    assert_true(b4.excess_mass_se != b1.excess_mass_se);
    free(a);
}

/* (c) with many draws the SE settles: two seeds agree within 3%, and 500
 * draws are within 15% of it. */
static void test_bootstrap_stable(void **state)
{
    (void)state;
    double *a = NULL;
    size_t n = read_column(FIX "bunching_values.csv", "attainment", &a);
    struct cs_bunching big1, big2, small;
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 1, 20000, &big1, NULL), CS_OK);
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 2, 20000, &big2, NULL), CS_OK);
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 3, 500, &small, NULL), CS_OK);
    print_message("se(B): %.4f and %.4f with 20000 draws, %.4f with 500\n",
                  big1.excess_mass_se, big2.excess_mass_se, small.excess_mass_se);
    assert_close(big1.excess_mass_se, big2.excess_mass_se, 0.03);
    assert_close(big1.b_se, big2.b_se, 0.03);
    assert_close(small.excess_mass_se, big1.excess_mass_se, 0.15);
    free(a);
}

/* ======================================================================
 * Hand-made counts: exact answers
 * ==================================================================== */

/* Counts on a line outside the window; the window gets known extra and
 * missing values.  The polynomial reproduces the line, so B and M are the
 * planted amounts exactly and the residuals are zero. */
static void test_exact_polynomial(void **state)
{
    (void)state;
    const double f = 1.0;
    double count[CS_BUNCH_BINS];
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        count[j] = 10 + j;
    count[17] -= 2; count[18] -= 3; count[19] -= 4;    /* M = 9 */
    count[20] += 5; count[21] += 3; count[22] += 1;    /* B = 9 */
    double a[2000];
    size_t n = at_centres(f, count, a);
    struct cs_bunching b;
    assert_int_equal(cs_bunching_estimate(a, n, f, 1, 100, &b, NULL), CS_OK);
    assert_int_equal(b.verdict, CS_BUNCH_OK);
    for (int j = 0; j < CS_BUNCH_BINS; j++) {
        assert_close(b.bins[j].count, count[j], 0.0);
        assert_close(b.bins[j].fit, 10 + j, 1e-10);
        assert_int_equal(b.bins[j].excluded, j >= 17 && j <= 22);
    }
    assert_close(b.excess_mass, 9.0, 1e-10);
    assert_close(b.missing_mass, 9.0, 1e-10);
    assert_close(b.window_fit_mean, 29.5, 1e-12);      /* mean of 27 .. 32 */
    assert_close(b.b, 9.0 / 29.5, 1e-10);
    /* zero residuals: SE at rounding level, and no test statistic from it */
    assert_true(b.excess_mass_se < 1e-9);
    assert_true(isnan(b.z) && isnan(b.p));
    /* a quadratic is reproduced too, and draws = 0 gives no SE */
    static double q[20000];
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        count[j] = 5 + (j - 20) * (j - 20);
    n = at_centres(f, count, q);
    assert_int_equal(cs_bunching_estimate(q, n, f, 1, 0, &b, NULL), CS_OK);
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        assert_close(b.bins[j].fit, count[j], 1e-10);
    assert_near(b.excess_mass, 0.0, 1e-9);
    assert_true(b.draws == 0 && isnan(b.excess_mass_se) && isnan(b.z));
}

/* Bin edges and the window, decided by index arithmetic. */
static void test_bin_edges(void **state)
{
    (void)state;
    const double f = 1.0;
    struct cs_bunching b;
    /* geometry */
    double none = 0;
    assert_int_equal(cs_bunching_estimate(&none, 0, f, 1, 10, &b, NULL), CS_OK);
    assert_close(b.bins[0].left, 0.6, EXACT);
    assert_close(b.bins[39].centre, 1.39, EXACT);
    assert_close(b.bins[17].left, 0.94, EXACT);      /* f - 0.06: first excluded */
    assert_close(b.bins[22].left, 1.04, EXACT);      /* last left edge below f + 0.06 */
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        assert_int_equal(b.bins[j].excluded, j >= CS_BUNCH_WIN_FIRST && j <= CS_BUNCH_WIN_LAST);

    struct { double a; int bin; } cases[] = {
        {1.0, 20},                  /* at the floor: at or above */
        {0.99999999999999989, 20},  /* quota met, summed with rounding */
        {1.0 - 1e-10, 19},          /* really below */
        {0.96, 18},                 /* 0.95999999999999996 as a double: still bin 18 */
        {0.94, 17},
        {1.04, 22},
        {1.06, 23},                 /* f + 0.06: first bin after the window */
        {0.6, 0},                   /* f - 0.40: first bin */
        {1.3999999, 39},
        {1.4, -2},                  /* f + 0.40: outside, above */
        {0.6 - 1e-9, -1},           /* outside, below */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(cs_bunching_estimate(&cases[i].a, 1, f, 1, 10, &b, NULL), CS_OK);
        int found = -3;
        for (int j = 0; j < CS_BUNCH_BINS; j++)
            if (b.bins[j].count > 0)
                found = j;
        if (cases[i].bin == -1)
            assert_true(b.n_below == 1 && found == -3);
        else if (cases[i].bin == -2)
            assert_true(b.n_above == 1 && found == -3);
        else if (found != cases[i].bin)
            fail_msg("%.17g went to bin %d, expected %d", cases[i].a, found, cases[i].bin);
    }
}

/* ======================================================================
 * Degenerate inputs
 * ==================================================================== */

static void expect_no_estimate(const struct cs_bunching *b, enum cs_bunch_verdict v)
{
    assert_int_equal(b->verdict, v);
    assert_true(isnan(b->excess_mass) && isnan(b->missing_mass) && isnan(b->b));
    assert_true(isnan(b->excess_mass_se) && isnan(b->b_se) && isnan(b->z) && isnan(b->p));
    assert_true(isnan(b->window_fit_mean));
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        assert_true(isnan(b->bins[j].fit));
    assert_true(b->draws == 0);
    assert_non_null(strstr(cs_bunching_verdict_text(v), "too few"));
}

static void test_degenerate(void **state)
{
    (void)state;
    struct cs_bunching b;
    struct cs_error err;
    double a[200];

    /* n = 0 */
    assert_int_equal(cs_bunching_estimate(NULL, 0, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_TOO_FEW);
    assert_true(b.n_total == 0 && b.n_binned == 0);

    /* n = 1, n = 2 */
    a[0] = 1.01; a[1] = 0.97;
    assert_int_equal(cs_bunching_estimate(a, 1, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_TOO_FEW);
    assert_close(b.bins[20].count, 1.0, 0.0);        /* counts are still there for the plot */
    assert_int_equal(cs_bunching_estimate(a, 2, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_TOO_FEW);

    /* 29 values spread out: still too few; 30 are enough */
    for (int i = 0; i < 30; i++)
        a[i] = 0.61 + 0.0265 * i;
    assert_int_equal(cs_bunching_estimate(a, 29, 1.0, 1, 50, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_TOO_FEW);
    assert_int_equal(cs_bunching_estimate(a, 30, 1.0, 1, 50, &b, &err), CS_OK);
    assert_int_equal(b.verdict, CS_BUNCH_OK);
    assert_true(b.thin);                              /* under one value per bin */

    /* all values in one bin (constant attainment) */
    for (int i = 0; i < 100; i++)
        a[i] = 1.25;
    assert_int_equal(cs_bunching_estimate(a, 100, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_SPARSE);
    assert_int_equal(b.n_binned, 100);
    assert_int_equal(b.fit_bins_with_data, 1);

    /* all values in the window: plenty of values, nothing to fit */
    for (int i = 0; i < 100; i++)
        a[i] = 0.95 + 0.001 * i;
    assert_int_equal(cs_bunching_estimate(a, 100, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_SPARSE);
    assert_int_equal(b.fit_bins_with_data, 0);

    /* five fitted bins with data: sparse; six: fitted */
    for (int i = 0; i < 60; i++)
        a[i] = 0.61 + 0.02 * (i % 5);
    assert_int_equal(cs_bunching_estimate(a, 60, 1.0, 1, 50, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_SPARSE);
    for (int i = 0; i < 60; i++)
        a[i] = 0.61 + 0.02 * (i % 6);
    assert_int_equal(cs_bunching_estimate(a, 60, 1.0, 1, 50, &b, &err), CS_OK);
    assert_int_equal(b.verdict, CS_BUNCH_OK);

    /* no values in range; non-finite values counted apart */
    for (int i = 0; i < 100; i++)
        a[i] = i % 2 ? 5.0 : 0.1;
    a[0] = NAN;
    a[2] = INFINITY;
    a[4] = -INFINITY;
    assert_int_equal(cs_bunching_estimate(a, 100, 1.0, 1, 500, &b, &err), CS_OK);
    expect_no_estimate(&b, CS_BUNCH_TOO_FEW);
    assert_int_equal(b.n_nonfinite, 3);
    assert_int_equal(b.n_above, 50);
    assert_int_equal(b.n_below, 47);
    assert_int_equal(b.n_binned, 0);

    /* errors */
    assert_int_equal(cs_bunching_estimate(a, 10, 1.0, 1, 500, NULL, &err), CS_ERR_USAGE);
    assert_int_equal(cs_bunching_estimate(NULL, 10, 1.0, 1, 500, &b, &err), CS_ERR_USAGE);
    assert_int_equal(cs_bunching_estimate(a, 10, NAN, 1, 500, &b, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "threshold"));
}

/* A thin counterfactual is flagged; one draw gives no SE. */
static void test_thin_and_draws(void **state)
{
    (void)state;
    double count[CS_BUNCH_BINS];
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        count[j] = 2 + (j % 3);                       /* about 3 per bin: thin */
    double a[400];
    size_t n = at_centres(1.0, count, a);
    struct cs_bunching b;
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 9, 1, &b, NULL), CS_OK);
    assert_int_equal(b.verdict, CS_BUNCH_OK);
    assert_true(b.thin && b.window_fit_mean < CS_BUNCH_THIN_FIT);
    assert_true(isfinite(b.b));
    assert_true(b.draws == 1 && isnan(b.excess_mass_se) && isnan(b.b_se) && isnan(b.z));
    for (int j = 0; j < CS_BUNCH_BINS; j++)
        count[j] = 8;                                  /* 8 per bin: not thin */
    n = at_centres(1.0, count, a);
    assert_int_equal(cs_bunching_estimate(a, n, 1.0, 9, 10, &b, NULL), CS_OK);
    assert_false(b.thin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_threshold),
        cmocka_unit_test(test_reference_placebo),
        cmocka_unit_test(test_planted_detected),
        cmocka_unit_test(test_bootstrap_deterministic),
        cmocka_unit_test(test_bootstrap_stable),
        cmocka_unit_test(test_exact_polynomial),
        cmocka_unit_test(test_bin_edges),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_thin_and_draws),
    };
    int failed = cmocka_run_group_tests(tests, setup, NULL);
    printf("largest relative deviation from R: estimates %.3g\n", assert_close_worst(EST_TOL));
    return failed;
}
