/* test_clogit.c - exact conditional logit against survival::clogit and an independent R recursion, hand values, conditions and errors. */
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

#include "compsight/clogit.h"
#include "stats_helpers.h"

#define FIX CS_TEST_DIR "/fixtures/within/"
#define REF FIX "clogit_ref.csv"

/* Tolerances against R (tests/reference/within/README.md has what is seen:
 * 1e-15 to 1e-13, 6e-11 for the Hessian at x'b of +-1500).  SPEC asks 1e-6
 * on estimates and 1e-5 on standard errors. */
#define TOL_LL 1e-12        /* log-likelihoods */
#define TOL_GRAD 1e-9       /* gradient and Hessian at fixed beta, relative to the largest element */
#define TOL_SE 1e-9         /* standard errors, z, interval */
#define TOL_EST_STRICT 1e-10 /* estimates */

/* ======================================================================
 * Fixtures
 * ==================================================================== */

struct fixture {
    size_t n, k;
    double *x, *y;
    uint32_t *s;
    size_t strata;
    const char *names[8];
};

static void fixture_free(struct fixture *f)
{
    free(f->x);
    free(f->y);
    free(f->s);
}

/* A fixture CSV with the columns stratum, y and then the terms named. */
static struct fixture fixture_read(const char *file, const char *const *terms, size_t k)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", file);
    struct fixture f = {.k = k};
    double *col, *st, *y;
    f.n = read_column(path, "stratum", &st);
    assert_int_equal(read_column(path, "y", &y), f.n);
    f.x = malloc(f.n * (k ? k : 1) * sizeof *f.x);
    f.s = malloc(f.n * sizeof *f.s);
    assert_true(f.x && f.s);
    for (size_t j = 0; j < k; j++) {
        f.names[j] = terms[j];
        assert_int_equal(read_column(path, terms[j], &col), f.n);
        for (size_t i = 0; i < f.n; i++)
            f.x[i * k + j] = col[i];
        free(col);
    }
    for (size_t i = 0; i < f.n; i++) {
        f.s[i] = (uint32_t)st[i];
        if (f.s[i] + 1 > f.strata)
            f.strata = f.s[i] + 1;
    }
    f.y = y;
    free(st);
    return f;
}

static struct cs_clogit_design design_of(const struct fixture *f)
{
    struct cs_clogit_design d = {.n = f->n, .k = f->k, .x = f->x, .y = f->y, .stratum = f->s,
                                 .strata = f->strata, .names = f->names};
    return d;
}

static const char *const MAIN_TERMS[] = {"x_cont", "x_bin", "x_rate", "x_rep"};
static const char *const BIG_TERMS[] = {"x_big", "x_bin"};

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

/* |a - b| <= tol * scale */
#define assert_scaled(a, b, scale, tol) do { double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol) * (scale))) \
        fail_msg("%s = %.17g, expected %.17g (tol %g x %g)", #a, a_, b_, (double)(tol), (double)(scale)); \
    } while (0)

/* The log-likelihood, gradient and Hessian at fixed beta against the R keys prefix.b*. */
static void check_at_beta(const struct cs_clogit_design *d, const char *prefix, const double *beta)
{
    size_t k = d->k;
    double ll, g[8], H[64], gs = 0, hs = 0;
    struct cs_error err;
    assert_int_equal(cs_clogit_eval(d, beta, NULL, &ll, g, H, &err), CS_OK);
    assert_close(ll, ref("%s.loglik", prefix), TOL_LL);
    for (size_t a = 0; a < k; a++) {
        gs = fmax(gs, fabs(ref("%s.grad.%zu", prefix, a)));
        for (size_t b = 0; b < k; b++)
            hs = fmax(hs, fabs(ref("%s.hess.%zu.%zu", prefix, a, b)));
    }
    for (size_t a = 0; a < k; a++) {
        assert_scaled(g[a], ref("%s.grad.%zu", prefix, a), gs, TOL_GRAD);
        for (size_t b = 0; b < k; b++) {
            assert_scaled(H[a * k + b], ref("%s.hess.%zu.%zu", prefix, a, b), hs, TOL_GRAD);
            assert_true(H[a * k + b] == H[b * k + a]);
        }
    }
}

static void check_fit(const struct cs_clogit_fit *res, const char *prefix)
{
    const struct cs_regress_fit *fit = res->fit;
    assert_true(fit->fitted);
    assert_true(fit->converged);
    assert_int_equal(fit->flags, 0);
    assert_false(fit->separation);
    assert_int_equal(fit->n, (size_t)ref("%s.n", prefix));
    assert_int_equal(res->strata, (size_t)ref("%s.strata", prefix));
    assert_int_equal(res->uninformative, (size_t)ref("%s.uninformative", prefix));
    assert_int_equal(fit->clusters, res->strata - res->uninformative);
    assert_close(fit->loglik, ref("%s.loglik", prefix), TOL_LL);
    assert_close(res->loglik_null, ref("%s.loglik_null", prefix), TOL_LL);
    assert_close(fit->deviance, -2 * ref("%s.loglik", prefix), TOL_LL);
    assert_true(isnan(fit->sigma));
    for (size_t t = 0; t < fit->k; t++) {
        const struct cs_regress_term *tm = &fit->terms[t];
        double est = ref("%s.%s.estimate", prefix, tm->name);
        assert_close(tm->estimate, est, TOL_EST_STRICT);
        assert_close(tm->se, ref("%s.%s.se", prefix, tm->name), TOL_SE);
        assert_close(tm->se_cluster, ref("%s.%s.se_robust", prefix, tm->name), TOL_SE);
        assert_close(tm->z, ref("%s.%s.z", prefix, tm->name), TOL_SE);
        double p = ref("%s.%s.p", prefix, tm->name);
        if (p > 0)
            assert_close(tm->p, p, TOL_SE * fmax(1, tm->z * tm->z));
        else
            assert_true(tm->p < 1e-300);
        assert_close(tm->ci_low, ref("%s.%s.ci_low", prefix, tm->name), TOL_SE);
        assert_close(tm->ci_high, ref("%s.%s.ci_high", prefix, tm->name), TOL_SE);
        assert_close(tm->odds_ratio, exp(est), TOL_EST_STRICT);
        assert_close(tm->or_low, exp(tm->ci_low), 1e-15);
        assert_false(tm->separated);
    }
}

/* ======================================================================
 * Against R
 * ==================================================================== */

static void test_main_fit(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_main.csv", MAIN_TERMS, 4);
    struct cs_clogit_design d = design_of(&f);
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    check_fit(res, "main");
    /* x_rep is constant within every stratum: dropped and listed */
    assert_int_equal(res->fit->k, 3);
    assert_int_equal(res->fit->n_dropped, 1);
    assert_string_equal(res->fit->dropped[0], "x_rep");
    assert_int_equal(res->fit->dropped_column[0], 3);
    assert_string_equal(res->fit->terms[2].name, "x_rate");
    assert_int_equal(res->fit->terms[2].column, 2);
    assert_true(res->fit->iterations >= 3 && res->fit->iterations <= 10);
    cs_clogit_free(res);
    fixture_free(&f);
}

static void test_main_at_beta(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_main.csv", MAIN_TERMS, 3);
    struct cs_clogit_design d = design_of(&f);
    const double b0[] = {0, 0, 0}, b1[] = {0.3, -0.5, 2}, b2[] = {1.5, 2, -10};
    check_at_beta(&d, "main.b0", b0);
    check_at_beta(&d, "main.b1", b1);
    check_at_beta(&d, "main.b2", b2);
    fixture_free(&f);
}

/* A stratum of 5,000 rows with 1,200 events, x'b in the hundreds or
 * thousands: e_m and exp() itself overflow; survival::clogit returns NA. */
static void test_big_at_beta(void **state)
{
    (void)state;
    assert_true(ref("big.r_clogit_failed") == 1);
    struct fixture f = fixture_read("clogit_big.csv", BIG_TERMS, 2);
    struct cs_clogit_design d = design_of(&f);
    const double b1[] = {20, -3}, b2[] = {3, 1};
    check_at_beta(&d, "big.b1", b1);
    check_at_beta(&d, "big.b2", b2);
    fixture_free(&f);
}

static void test_big_fit(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_big.csv", BIG_TERMS, 2);
    struct cs_clogit_design d = design_of(&f);
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    check_fit(res, "big");
    assert_int_equal(res->informative_rows, 5000 + 4 * 50 + 2 * 2);
    cs_clogit_free(res);
    fixture_free(&f);
}

/* A stratum of 5,000 deals that survival's exact clogit still fits (100
 * events), with strata of 50, 2 and 1 deals, all-0 and all-1 among them:
 * the estimates and model SEs against survival itself, the robust SEs
 * against SPEC 14.1's definition. */
static void test_wide_fit(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_wide.csv", MAIN_TERMS, 3);
    struct cs_clogit_design d = design_of(&f);
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    check_fit(res, "wide");
    assert_int_equal(res->fit->k, 3);
    assert_int_equal(res->strata, 9);
    assert_int_equal(res->uninformative, 6);     /* all-0 and all-1 of 50, 2 and 1 rows */
    assert_int_equal(res->informative_rows, 5000 + 50 + 2);
    cs_clogit_free(res);
    const double b1[] = {0.3, -0.5, 2};
    check_at_beta(&d, "wide.b1", b1);
    fixture_free(&f);
}

/* One thread or two: the same bits. */
static void test_threads_identical(void **state)
{
    (void)state;
    const char *files[] = {"clogit_main.csv", "clogit_big.csv"};
    for (int w = 0; w < 2; w++) {
        struct fixture f = w == 0 ? fixture_read(files[0], MAIN_TERMS, 4)
                                  : fixture_read(files[1], BIG_TERMS, 2);
        struct cs_clogit_design d = design_of(&f);
        struct cs_clogit_options o1 = cs_clogit_options_default(), o2 = o1;
        o1.threads = 1;
        o2.threads = 2;
        struct cs_clogit_fit *a = NULL, *b = NULL;
        struct cs_error err;
        assert_int_equal(cs_clogit(&d, &o1, &a, &err), CS_OK);
        assert_int_equal(cs_clogit(&d, &o2, &b, &err), CS_OK);
        size_t k = a->fit->k;
        assert_int_equal(k, b->fit->k);
        assert_memory_equal(a->fit->vcov, b->fit->vcov, k * k * sizeof(double));
        assert_memory_equal(a->fit->vcov_cluster, b->fit->vcov_cluster, k * k * sizeof(double));
        for (size_t t = 0; t < k; t++)
            assert_memory_equal(&a->fit->terms[t].estimate, &b->fit->terms[t].estimate, sizeof(double));
        assert_memory_equal(&a->fit->loglik, &b->fit->loglik, sizeof(double));
        double beta[] = {0.4, 0.7, 8, 0}, ll1, ll2, g1[4], g2[4], H1[16], H2[16];
        assert_int_equal(cs_clogit_eval(&d, beta, &o1, &ll1, g1, H1, &err), CS_OK);
        assert_int_equal(cs_clogit_eval(&d, beta, &o2, &ll2, g2, H2, &err), CS_OK);
        assert_memory_equal(&ll1, &ll2, sizeof ll1);
        assert_memory_equal(g1, g2, d.k * sizeof(double));
        assert_memory_equal(H1, H2, d.k * d.k * sizeof(double));
        cs_clogit_free(a);
        cs_clogit_free(b);
        fixture_free(&f);
    }
}

/* ======================================================================
 * Hand values
 * ==================================================================== */

/*
 * Strata of 1 and 2 rows and an all-0 / all-1 stratum, one term.  A
 * stratum of 2 rows with one event is a logistic term in the difference:
 * l = d b - log(1 + e^{d b}) with d = x_event - x_other, so
 * l' = d (1 - p), l'' = -d^2 p (1 - p), p = expit(d b).  A stratum of 3
 * rows with one event: l = eta_e - log(sum e^eta).
 */
static void test_hand_small_strata(void **state)
{
    (void)state;
    /* stratum 0: 1 row (uninformative); 1: 2 rows, event x = 2, other 0.5;
     * 2: 2 rows, event x = -1, other 1; 3: 3 rows all 0; 4: 2 rows all 1;
     * 5: 3 rows, event x = 0.2, others 1 and -0.4 */
    const double x[] = {7, 2, 0.5, -1, 1, 3, 4, 5, 9, 9, 0.2, 1, -0.4};
    const double y[] = {1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0};
    const uint32_t s[] = {0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5};
    const char *names[] = {"x"};
    struct cs_clogit_design d = {.n = 13, .k = 1, .x = x, .y = y, .stratum = s, .strata = 7,
                                 .names = names};
    const double bs[] = {0, 0.7, -2.5, 40};
    for (size_t t = 0; t < 4; t++) {
        double b = bs[t], ll, g, H, ell = 0, eg = 0, eH = 0;
        const double dd[] = {2 - 0.5, -1 - 1};
        for (int q = 0; q < 2; q++) {
            double p = 1 / (1 + exp(-dd[q] * b));
            ell += dd[q] * b - log1p(exp(dd[q] * b));
            eg += dd[q] * (1 - p);
            eH += -dd[q] * dd[q] * p * (1 - p);
        }
        const double x5[] = {0.2, 1, -0.4};
        double mx = fmax(0.2 * b, fmax(b, -0.4 * b)), sw = 0, swx = 0, swxx = 0;
        for (int q = 0; q < 3; q++) {
            double w = exp(x5[q] * b - mx);
            sw += w;
            swx += w * x5[q];
            swxx += w * x5[q] * x5[q];
        }
        ell += 0.2 * b - mx - log(sw);
        eg += 0.2 - swx / sw;
        eH += -(swxx / sw - (swx / sw) * (swx / sw));
        struct cs_error err;
        assert_int_equal(cs_clogit_eval(&d, &b, NULL, &ll, &g, &H, &err), CS_OK);
        assert_close(ll, ell, 1e-13);
        assert_near(g, eg, 1e-13 * fmax(1, fabs(eg)));
        assert_near(H, eH, 1e-13 * fmax(1, fabs(eH)));
    }
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_int_equal(res->strata, 6);           /* id 6 has no rows */
    assert_int_equal(res->uninformative, 3);
    assert_int_equal(res->informative_rows, 7);
    assert_int_equal(res->fit->n, 13);
    assert_int_equal(res->fit->clusters, 3);
    assert_true(res->fit->converged);
    /* at the estimate the score is 0 */
    double g;
    assert_int_equal(cs_clogit_eval(&d, &res->fit->terms[0].estimate, NULL, NULL, &g, NULL, &err), CS_OK);
    assert_near(g, 0, 1e-9);
    cs_clogit_free(res);
}

/* A stratum with most rows events is fitted as its mirror image: the
 * mirrored data (y -> 1 - y, x -> -x) must give the same figures. */
static void test_mirror(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_main.csv", MAIN_TERMS, 3);
    struct cs_clogit_design d = design_of(&f);
    double *xm = malloc(f.n * 3 * sizeof *xm), *ym = malloc(f.n * sizeof *ym);
    assert_true(xm && ym);
    for (size_t i = 0; i < f.n; i++) {
        ym[i] = 1 - f.y[i];
        for (int j = 0; j < 3; j++)
            xm[i * 3 + j] = -f.x[i * 3 + j];
    }
    struct cs_clogit_design dm = d;
    dm.x = xm;
    dm.y = ym;
    const double b[] = {0.3, -0.5, 2};
    double ll, llm, g[3], gm[3], H[9], Hm[9];
    struct cs_error err;
    assert_int_equal(cs_clogit_eval(&d, b, NULL, &ll, g, H, &err), CS_OK);
    assert_int_equal(cs_clogit_eval(&dm, b, NULL, &llm, gm, Hm, &err), CS_OK);
    assert_close(llm, ll, 1e-13);
    for (int a = 0; a < 3; a++) {
        assert_near(gm[a], g[a], 1e-11 * fabs(g[0]));
        for (int c = 0; c < 3; c++)
            assert_close(Hm[a * 3 + c], H[a * 3 + c], 1e-11);
    }
    free(xm);
    free(ym);
    fixture_free(&f);
}

/* Rows in another order within the strata: the same figures to rounding. */
static void test_row_order(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_big.csv", BIG_TERMS, 2);
    struct cs_clogit_design d = design_of(&f);
    size_t n = f.n;
    double *x = malloc(n * 2 * sizeof *x), *y = malloc(n * sizeof *y);
    uint32_t *s = malloc(n * sizeof *s);
    assert_true(x && y && s);
    for (size_t i = 0; i < n; i++) {           /* reversed */
        size_t r = n - 1 - i;
        x[2 * i] = f.x[2 * r];
        x[2 * i + 1] = f.x[2 * r + 1];
        y[i] = f.y[r];
        s[i] = f.s[r];
    }
    struct cs_clogit_design dr = d;
    dr.x = x;
    dr.y = y;
    dr.stratum = s;
    const double b[] = {3, 1};
    double ll, llr, g[2], gr[2], H[4], Hr[4];
    struct cs_error err;
    assert_int_equal(cs_clogit_eval(&d, b, NULL, &ll, g, H, &err), CS_OK);
    assert_int_equal(cs_clogit_eval(&dr, b, NULL, &llr, gr, Hr, &err), CS_OK);
    assert_close(llr, ll, 1e-12);
    for (int a = 0; a < 2; a++) {
        assert_near(gr[a], g[a], 1e-10 * fmax(fabs(g[0]), fabs(g[1])));
        for (int c = 0; c < 2; c++)
            assert_close(Hr[a * 2 + c], H[a * 2 + c], 1e-9);
    }
    free(x);
    free(y);
    free(s);
    fixture_free(&f);
}

/* A design with an intercept in column 0, passed as x + 1 with its row
 * stride: the same fit, bit for bit. */
static void test_stride(void **state)
{
    (void)state;
    struct fixture f = fixture_read("clogit_main.csv", MAIN_TERMS, 4);
    struct cs_clogit_design d = design_of(&f);
    double *wide = malloc(f.n * 6 * sizeof *wide);
    assert_non_null(wide);
    for (size_t i = 0; i < f.n; i++) {
        wide[i * 6] = 1;
        memcpy(wide + i * 6 + 1, f.x + i * 4, 4 * sizeof *wide);
        wide[i * 6 + 5] = -7;                   /* a column after the terms: not read */
    }
    struct cs_clogit_design dw = d;
    dw.x = wide + 1;
    dw.stride = 6;
    struct cs_clogit_fit *a = NULL, *b = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &a, &err), CS_OK);
    assert_int_equal(cs_clogit(&dw, NULL, &b, &err), CS_OK);
    assert_int_equal(a->fit->k, b->fit->k);
    for (size_t t = 0; t < a->fit->k; t++) {
        assert_memory_equal(&a->fit->terms[t].estimate, &b->fit->terms[t].estimate, sizeof(double));
        assert_memory_equal(&a->fit->terms[t].se_cluster, &b->fit->terms[t].se_cluster, sizeof(double));
    }
    dw.stride = 3;
    cs_clogit_free(b);
    assert_int_equal(cs_clogit(&dw, NULL, &b, &err), CS_ERR_USAGE);
    assert_null(b);
    cs_clogit_free(a);
    free(wide);
    fixture_free(&f);
}

/* ======================================================================
 * Conditions
 * ==================================================================== */

/* Within every stratum the event row has the largest x: the coefficient
 * runs off to +infinity.  A second term is fine. */
static void test_separation(void **state)
{
    (void)state;
    enum { G = 30, NS = 6 };
    double x[G * NS * 2], y[G * NS];
    uint32_t s[G * NS];
    const char *names[] = {"sep", "noise"};
    unsigned long r = 12345;
    for (int g = 0; g < G; g++)
        for (int i = 0; i < NS; i++) {
            int row = g * NS + i;
            r = r * 6364136223846793005ul + 1442695040888963407ul;
            double u = (double)(r >> 11) / 9007199254740992.0;
            s[row] = (uint32_t)g;
            y[row] = i < 2;                     /* two events per stratum */
            x[row * 2] = i < 2 ? 1 + u : u;     /* events above every non-event */
            r = r * 6364136223846793005ul + 1442695040888963407ul;
            x[row * 2 + 1] = (double)(r >> 11) / 9007199254740992.0 - 0.5;
        }
    struct cs_clogit_design d = {.n = G * NS, .k = 2, .x = x, .y = y, .stratum = s, .strata = G,
                                 .names = names};
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_SEPARATION);
    assert_true(res->fit->separation);
    assert_true(res->fit->terms[0].separated);
    assert_false(res->fit->terms[1].separated);
    assert_true(res->fit->terms[0].estimate > 10);
    cs_clogit_free(res);
}

/* Quasi-complete separation: in half the strata the events are exactly the
 * rows with sep = 1; in the others sep = 1 also on some non-events (a tie
 * the coefficient cannot resolve).  sep runs off; noise stays estimable. */
static void test_quasi_separation(void **state)
{
    (void)state;
    enum { G = 40, NS = 8 };
    double x[G * NS * 2], y[G * NS];
    uint32_t s[G * NS];
    const char *names[] = {"sep", "noise"};
    unsigned long r = 777;
    for (int g = 0; g < G; g++)
        for (int i = 0; i < NS; i++) {
            int row = g * NS + i;
            r = r * 6364136223846793005ul + 1442695040888963407ul;
            double u = (double)(r >> 11) / 9007199254740992.0 - 0.5;
            s[row] = (uint32_t)g;
            y[row] = i < 2;
            x[row * 2] = i < 2 || (g % 2 == 1 && i < 5);
            x[row * 2 + 1] = u + (y[row] && g % 2 ? 0.3 : 0);
        }
    struct cs_clogit_design d = {.n = G * NS, .k = 2, .x = x, .y = y, .stratum = s, .strata = G,
                                 .names = names};
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_SEPARATION);
    assert_true(res->fit->terms[0].separated);
    assert_false(res->fit->terms[1].separated);
    assert_true(res->fit->terms[0].estimate > 10);
    assert_true(fabs(res->fit->terms[1].estimate) < 10);
    assert_true(isfinite(res->fit->terms[1].se));
    cs_clogit_free(res);
}

static void test_conditions(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4, 5, 6};
    const double y0[] = {0, 0, 1, 1, 0, 0};     /* strata {0,1}, {2,3}, {4,5}: none informative */
    const double y1[] = {1, 0, 1, 1, 0, 0};     /* one informative stratum */
    const uint32_t s[] = {0, 0, 1, 1, 2, 2};
    const char *names[] = {"x"};
    struct cs_clogit_design d = {.n = 6, .k = 1, .x = x, .y = y0, .stratum = s, .strata = 3,
                                 .names = names};
    struct cs_clogit_fit *res = NULL;
    struct cs_error err;

    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_Y_CONSTANT);
    assert_false(res->fit->fitted);
    assert_int_equal(res->uninformative, 3);
    assert_true(isnan(res->fit->terms[0].estimate));
    cs_clogit_free(res);

    d.y = y1;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->fitted);
    assert_true(res->fit->flags & CS_REGRESS_FEW_CLUSTERS);
    assert_true(isnan(res->fit->terms[0].se_cluster));
    assert_true(isnan(res->fit->terms[0].p));
    assert_false(isnan(res->fit->terms[0].se));
    cs_clogit_free(res);

    /* a term constant within strata only: dropped, nothing left to fit */
    const double xc[] = {1, 1, 2, 2, 3, 3};
    const double y2[] = {1, 0, 0, 1, 1, 0};
    d.x = xc;
    d.y = y2;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_NO_TERMS);
    assert_int_equal(res->fit->n_dropped, 1);
    assert_int_equal(res->fit->k, 0);
    cs_clogit_free(res);

    d.n = 0;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    assert_true(res->fit->flags & CS_REGRESS_NO_ROWS);
    assert_false(res->fit->fitted);
    cs_clogit_free(res);
}

static void test_errors(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4};
    double y[] = {0, 1, 1, 0};
    uint32_t s[] = {0, 0, 1, 1};
    const char *names[] = {"x"};
    struct cs_clogit_design d = {.n = 4, .k = 1, .x = x, .y = y, .stratum = s, .strata = 2,
                                 .names = names};
    struct cs_clogit_fit *res = (void *)1;
    struct cs_error err;

    assert_int_equal(cs_clogit(NULL, NULL, &res, &err), CS_ERR_USAGE);
    assert_null(res);

    y[2] = 0.5;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "y");
    assert_string_equal(err.msg, "row 2: outcome is not 0 or 1");
    y[2] = 1;

    s[3] = 2;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "stratum");
    assert_string_equal(err.msg, "row 3: stratum id 2 is not below 2");
    s[3] = 1;

    x[1] = NAN;
    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "x");
    assert_string_equal(err.msg, "row 1: not a finite number");
    x[1] = 2;

    struct cs_clogit_options o = cs_clogit_options_default();
    o.max_iter = 0;
    assert_int_equal(cs_clogit(&d, &o, &res, &err), CS_ERR_USAGE);
    o = cs_clogit_options_default();
    o.tol = NAN;
    assert_int_equal(cs_clogit(&d, &o, &res, &err), CS_ERR_USAGE);

    double b = INFINITY, ll;
    assert_int_equal(cs_clogit_eval(&d, &b, NULL, &ll, NULL, NULL, &err), CS_ERR_USAGE);
    assert_int_equal(cs_clogit_eval(&d, NULL, NULL, &ll, NULL, NULL, &err), CS_ERR_USAGE);

    assert_int_equal(cs_clogit(&d, NULL, &res, &err), CS_OK);
    cs_clogit_free(res);
    cs_clogit_free(NULL);
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
        cmocka_unit_test(test_main_fit),
        cmocka_unit_test(test_main_at_beta),
        cmocka_unit_test(test_big_at_beta),
        cmocka_unit_test(test_big_fit),
        cmocka_unit_test(test_wide_fit),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_hand_small_strata),
        cmocka_unit_test(test_mirror),
        cmocka_unit_test(test_row_order),
        cmocka_unit_test(test_stride),
        cmocka_unit_test(test_separation),
        cmocka_unit_test(test_quasi_separation),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
