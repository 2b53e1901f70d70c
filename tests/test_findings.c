/* test_findings.c - the verdict rule against R and by hand, the findings of an analysis, and how every document words them (issue 19). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "compsight/findings.h"
#include "compsight/verdict.h"
#include "stats_helpers.h"

#define VFIX CS_TEST_DIR "/fixtures/verdict/"

/* ======================================================================
 * 1. The pure rule (src/stats/verdict.c) against R
 * ==================================================================== */

/* p-values and critical values: pt/qt with df, pnorm/qnorm with df 0. */
static void test_t_values_against_r(void **state)
{
    (void)state;
    double *z, *df, *p, *alpha, *crit;
    size_t n = read_column(VFIX "t_values.csv", "z", &z);
    assert_int_equal(read_column(VFIX "t_values.csv", "df", &df), n);
    assert_int_equal(read_column(VFIX "t_values.csv", "p", &p), n);
    assert_int_equal(read_column(VFIX "t_values.csv", "alpha", &alpha), n);
    assert_int_equal(read_column(VFIX "t_values.csv", "crit", &crit), n);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        assert_close(cs_verdict_p(z[i], df[i]), p[i], 1e-12);
        assert_close(cs_verdict_crit(alpha[i], df[i]), crit[i], 1e-12);
    }
    assert_true(isnan(cs_verdict_p(NAN, 3)));
    assert_true(isnan(cs_verdict_crit(0, 0)));
    assert_true(isnan(cs_verdict_crit(1, 5)));
    free(z);
    free(df);
    free(p);
    free(alpha);
    free(crit);
}

/* One family of the fixture, rows [from, to). */
static void check_family(const double *est, const double *se, const double *df, const double *p,
                         const double *q, const double *clear, const double *m, const double *R,
                         const double *alpha, const double *low, const double *high, size_t from,
                         size_t to)
{
    size_t k = to - from;
    double *pp = malloc(k * sizeof *pp), *qq = malloc(k * sizeof *qq);
    bool *cl = malloc(k * sizeof *cl);
    assert_true(pp && qq && cl);
    for (size_t i = 0; i < k; i++) {
        pp[i] = cs_verdict_p(est[from + i] / se[from + i], df[from + i]);
        assert_close(pp[i], p[from + i], 1e-12);
    }
    struct cs_family fam;
    struct cs_error err;
    assert_int_equal(cs_verdict_family(pp, k, CS_VERDICT_Q, qq, cl, &fam, &err), CS_OK);
    assert_int_equal(fam.m, (size_t)m[from]);
    assert_int_equal(fam.rejected, (size_t)R[from]);
    assert_close(fam.alpha, alpha[from], 1e-15);
    assert_close(fam.level, 1 - alpha[from], 1e-15);
    for (size_t i = 0; i < k; i++) {
        size_t r = from + i;
        assert_close(qq[i], q[r], 1e-12);
        assert_int_equal(cl[i], clear[r] != 0);
        double lo, hi;
        cs_verdict_interval(est[r], se[r], fam.alpha, df[r], &lo, &hi);
        assert_close_scale(lo, low[r], 1e-12, se[r]);
        assert_close_scale(hi, high[r], 1e-12, se[r]);
        /* the point of the adjusted interval: clear exactly when it excludes 0 */
        assert_int_equal(cl[i], lo > 0 || hi < 0);
    }
    free(pp);
    free(qq);
    free(cl);
}

/* Families of findings: q as p.adjust(p, "BH"), R, the level and the
 * false-coverage-rate intervals; one family with R = 0. */
static void test_families_against_r(void **state)
{
    (void)state;
    const char *f = VFIX "families.csv";
    double *est, *se, *df, *p, *q, *clear, *m, *R, *alpha, *low, *high;
    size_t n = read_column(f, "estimate", &est);
    assert_int_equal(read_column(f, "se", &se), n);
    assert_int_equal(read_column(f, "df", &df), n);
    assert_int_equal(read_column(f, "p", &p), n);
    assert_int_equal(read_column(f, "q", &q), n);
    assert_int_equal(read_column(f, "clear", &clear), n);
    assert_int_equal(read_column(f, "m", &m), n);
    assert_int_equal(read_column(f, "R", &R), n);
    assert_int_equal(read_column(f, "alpha", &alpha), n);
    assert_int_equal(read_column(f, "low", &low), n);
    assert_int_equal(read_column(f, "high", &high), n);
    size_t families = 0, with_zero = 0;
    for (size_t from = 0; from < n;) {
        size_t to = from + (size_t)m[from];
        assert_true(to <= n);
        check_family(est, se, df, p, q, clear, m, R, alpha, low, high, from, to);
        families++;
        with_zero += R[from] == 0;
        from = to;
    }
    assert_int_equal(families, 3);
    assert_int_equal(with_zero, 1);
    double *cols[] = {est, se, df, p, q, clear, m, R, alpha, low, high};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        free(cols[i]);
}

/* By hand: p = R q / m exactly is rejected (BH's <=), and its interval's
 * end is 0 up to rounding; a hair above, nothing is rejected. */
static void test_family_boundary(void **state)
{
    (void)state;
    struct cs_family fam;
    double q[2];
    bool cl[2];
    double p[2] = {0.05, 0.05};
    assert_int_equal(cs_verdict_family(p, 2, 0.05, q, cl, &fam, NULL), CS_OK);
    assert_int_equal(fam.m, 2);
    assert_int_equal(fam.rejected, 2);
    assert_true(cl[0] && cl[1]);
    assert_close(fam.alpha, 0.05, 1e-15);
    /* z whose normal p is exactly 0.05: the interval at 95% touches 0 */
    double z = gsl_cdf_ugaussian_Qinv(0.025), lo, hi;
    cs_verdict_interval(z, 1.0, fam.alpha, 0, &lo, &hi);
    assert_near(lo, 0.0, 1e-12);

    double p2[2] = {0.05, 0.0500001};
    assert_int_equal(cs_verdict_family(p2, 2, 0.05, q, cl, &fam, NULL), CS_OK);
    assert_int_equal(fam.rejected, 0);
    assert_false(cl[0] || cl[1]);
    assert_close(fam.alpha, 0.025, 1e-15);   /* R = 0: level 1 - q / m */
    /* every p of an R = 0 family lies above q / m: no interval excludes 0 */
    for (int i = 0; i < 2; i++) {
        double zz = gsl_cdf_ugaussian_Qinv(p2[i] / 2);
        cs_verdict_interval(zz, 1.0, fam.alpha, 0, &lo, &hi);
        assert_true(lo < 0 && hi > 0);
    }
}

/* NaN p-values are not in the family; an empty family has no level; a
 * p outside [0, 1] is a usage error. */
static void test_family_edges(void **state)
{
    (void)state;
    struct cs_family fam;
    double q[3];
    bool cl[3];
    double p[3] = {NAN, 0.001, NAN};
    assert_int_equal(cs_verdict_family(p, 3, 0.05, q, cl, &fam, NULL), CS_OK);
    assert_int_equal(fam.m, 1);
    assert_int_equal(fam.rejected, 1);
    assert_true(isnan(q[0]) && isnan(q[2]));
    assert_false(cl[0] || cl[2]);
    assert_true(cl[1]);
    double none[1] = {NAN};
    assert_int_equal(cs_verdict_family(none, 1, 0.05, q, cl, &fam, NULL), CS_OK);
    assert_int_equal(fam.m, 0);
    assert_true(isnan(fam.alpha) && isnan(fam.level));
    double bad[1] = {1.5};
    struct cs_error err;
    assert_int_equal(cs_verdict_family(bad, 1, 0.05, q, cl, &fam, &err), CS_ERR_USAGE);
    assert_int_equal(cs_verdict_family(p, 3, 0, q, cl, &fam, &err), CS_ERR_USAGE);
}

/* The data rule by hand: the issue's thin set, the few-cluster band, the
 * normal from 30 clusters, least squares by rows. */
static void test_data_rule(void **state)
{
    (void)state;
    struct cs_data_rule r;
    /* 56 won deals of 4 reps, 12 risky, 7 terms: neither enough reps nor events */
    cs_verdict_data_rule(true, 56, 12, 4, 7, &r);
    assert_false(r.readable);
    assert_true(r.short_clusters && r.short_events);
    assert_int_equal(r.need_clusters, 10);
    assert_int_equal(r.need_events, 70);
    assert_int_equal(r.need_n, 0);
    /* enough reps, too few events */
    cs_verdict_data_rule(true, 5000, 69, 40, 7, &r);
    assert_false(r.readable);
    assert_false(r.short_clusters);
    assert_true(r.short_events);
    /* exactly at the rule: 10 clusters, 70 events: t with 9 df */
    cs_verdict_data_rule(true, 5000, 70, 10, 7, &r);
    assert_true(r.readable && r.few_clusters);
    assert_close(r.df, 9, 0);
    cs_verdict_data_rule(true, 5000, 700, 29, 7, &r);
    assert_close(r.df, 28, 0);
    assert_true(r.few_clusters);
    cs_verdict_data_rule(true, 5000, 700, 30, 7, &r);
    assert_true(r.readable);
    assert_false(r.few_clusters);
    assert_close(r.df, 0, 0);
    /* least squares: 10 rows per term */
    cs_verdict_data_rule(false, 69, 0, 12, 7, &r);
    assert_false(r.readable);
    assert_true(r.short_n);
    assert_int_equal(r.need_n, 70);
    cs_verdict_data_rule(false, 70, 0, 12, 7, &r);
    assert_true(r.readable);
    /* nothing to read */
    cs_verdict_data_rule(false, 700, 0, 40, 0, &r);
    assert_false(r.readable);
    assert_close(cs_verdict_df(9), 0, 0);
    assert_close(cs_verdict_df(10), 9, 0);
    assert_close(cs_verdict_df(29), 28, 0);
    assert_close(cs_verdict_df(30), 0, 0);
}

static void test_interval_verdict(void **state)
{
    (void)state;
    assert_int_equal(cs_verdict_of_interval(0.1, 2), CS_VERDICT_CLEAR);
    assert_int_equal(cs_verdict_of_interval(-2, -0.1), CS_VERDICT_CLEAR);
    assert_int_equal(cs_verdict_of_interval(-0.1, 2), CS_VERDICT_UNCLEAR);
    assert_int_equal(cs_verdict_of_interval(0, 2), CS_VERDICT_UNCLEAR);
    assert_int_equal(cs_verdict_of_interval(NAN, 2), CS_VERDICT_UNCLEAR);
    assert_string_equal(cs_verdict_name(CS_VERDICT_THIN), "too little data");
    assert_string_equal(cs_verdict_name(CS_VERDICT_UNCLEAR), "no clear effect");
    assert_string_equal(cs_verdict_name(CS_VERDICT_CLEAR), "clear");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_values_against_r),
        cmocka_unit_test(test_families_against_r),
        cmocka_unit_test(test_family_boundary),
        cmocka_unit_test(test_family_edges),
        cmocka_unit_test(test_data_rule),
        cmocka_unit_test(test_interval_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
