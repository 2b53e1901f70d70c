/* test_regress.c - unit tests of the regression module against NIST StRD, R (glm, lm, sandwich::vcovCL) and closed forms. */
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

#include "compsight/regress.h"
#include "stats/sandwich.h"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#include "testutil.h"

#define FIX CS_TEST_DIR "/fixtures/regress/"

/* Tolerances against R (see tests/reference/regress/README.md). */
#define TOL_EST 1e-6
#define TOL_SE 1e-5
#define TOL_FINAL_MU 1e-8   /* logit SEs against METHODS.md's formulas at R's final mu */

/* A CSV file as strings: cells[r * ncol + c], row 0 the header.  Fixture
 * files only: no quoting, no empty lines. */
struct table {
    size_t nrow, ncol;      /* nrow counts data rows, not the header */
    char **cells;
    char *buf;
};

static void table_free(struct table *t)
{
    free(t->cells);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static struct table table_read(const char *path)
{
    struct table t = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    t.buf = malloc((size_t)len + 1);
    assert_non_null(t.buf);
    assert_int_equal(fread(t.buf, 1, (size_t)len, f), (size_t)len);
    t.buf[len] = '\0';
    fclose(f);
    size_t cap = 1024, n = 0, rows = 0, cols = 0, cur = 0;
    t.cells = malloc(cap * sizeof *t.cells);
    assert_non_null(t.cells);
    char *p = t.buf;
    while (*p) {
        char *end = p + strcspn(p, ",\n");
        char sep = *end;
        *end = '\0';
        if (n == cap) {
            cap *= 2;
            t.cells = realloc(t.cells, cap * sizeof *t.cells);
            assert_non_null(t.cells);
        }
        t.cells[n++] = p;
        cur++;
        p = sep ? end + 1 : end;
        if (sep == '\n' || sep == '\0') {
            if (rows == 0)
                cols = cur;
            else if (cur != cols)
                fail_msg("%s: row %zu has %zu fields, header %zu", path, rows, cur, cols);
            rows++;
            cur = 0;
        }
    }
    t.ncol = cols;
    t.nrow = rows - 1;
    return t;
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
    return t->cells[(row + 1) * t->ncol + col];
}

static double num(const char *s)
{
    if (strcmp(s, "NA") == 0)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end)
        fail_msg("not a number: %s", s);
    return v;
}

static size_t column(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->cells[c], name) == 0)
            return c;
    fail_msg("no column %s", name);
    return 0;
}

/* A fixture of make_fixtures.R as a design: cl, y_logit, y_ols, terms... */
struct fixture {
    struct table t;
    size_t n, k;
    double *x, *y_logit, *y_ols;
    uint32_t *cl;
    const char **names;
};

static void fixture_free(struct fixture *f)
{
    table_free(&f->t);
    free(f->x);
    free(f->y_logit);
    free(f->y_ols);
    free(f->cl);
    free(f->names);
}

static struct fixture fixture_read(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s.csv", name);
    struct fixture f = {0};
    f.t = table_read(path);
    f.n = f.t.nrow;
    f.k = f.t.ncol - 3;
    f.x = malloc(f.n * f.k * sizeof *f.x);
    f.y_logit = malloc(f.n * sizeof *f.y_logit);
    f.y_ols = malloc(f.n * sizeof *f.y_ols);
    f.cl = malloc(f.n * sizeof *f.cl);
    f.names = malloc(f.k * sizeof *f.names);
    assert_true(f.x && f.y_logit && f.y_ols && f.cl && f.names);
    for (size_t j = 0; j < f.k; j++)
        f.names[j] = f.t.cells[3 + j];
    for (size_t i = 0; i < f.n; i++) {
        double c = num(cell(&f.t, i, 0));
        assert_true(c >= 0 && c <= 4294967295.0 && c == floor(c));
        f.cl[i] = (uint32_t)c;
        f.y_logit[i] = num(cell(&f.t, i, 1));
        f.y_ols[i] = num(cell(&f.t, i, 2));
        for (size_t j = 0; j < f.k; j++)
            f.x[i * f.k + j] = num(cell(&f.t, i, 3 + j));
    }
    return f;
}

static struct cs_regress_design design_of(const struct fixture *f, bool logit)
{
    struct cs_regress_design d = {
        .n = f->n, .k = f->k, .x = f->x, .y = logit ? f->y_logit : f->y_ols,
        .cluster = f->cl, .names = f->names,
    };
    return d;
}

static const struct cs_regress_term *find_term(const struct cs_regress_fit *fit, const char *name)
{
    for (size_t t = 0; t < fit->k; t++)
        if (strcmp(fit->terms[t].name, name) == 0)
            return &fit->terms[t];
    return NULL;
}

/* Largest relative deviation from the reference seen per model and figure, for the report. */
static double max_rel[4][3];   /* [ols, logit, firth, logit at final mu][estimate, se, se_cluster] */

static void track(int m, int what, double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0)
        return;
    double r = fabs(a - b) / fabs(b);
    if (r > max_rel[m][what])
        max_rel[m][what] = r;
}

/*
 * Compare a fit with the rows of a reference CSV (ref_fits.csv or
 * ref_firth.csv) whose fixture (and model, when the file has that column)
 * match.  Terms R reports as NA must be dropped here and vice versa.
 */
static void compare_with_ref(const struct cs_regress_fit *fit, const char *ref, const char *fixture,
                             const char *model, double tol_est, double tol_se)
{
    struct table t = table_read(ref);
    size_t c_fix = column(&t, "fixture"), c_term = column(&t, "term");
    size_t c_model = SIZE_MAX;
    for (size_t c = 0; c < t.ncol; c++)
        if (strcmp(t.cells[c], "model") == 0)
            c_model = c;
    size_t c_est = column(&t, "estimate"), c_se = column(&t, "se"), c_scl = column(&t, "se_cluster");
    size_t c_z = column(&t, "z"), c_p = column(&t, "p");
    size_t c_lo = column(&t, "ci_low"), c_hi = column(&t, "ci_high");
    size_t c_se_mu = SIZE_MAX, c_scl_mu = SIZE_MAX;
    for (size_t c = 0; c < t.ncol; c++) {
        if (strcmp(t.cells[c], "se_final_mu") == 0)
            c_se_mu = c;
        if (strcmp(t.cells[c], "se_cluster_final_mu") == 0)
            c_scl_mu = c;
    }
    size_t seen = 0;
    for (size_t r = 0; r < t.nrow; r++) {
        if (strcmp(cell(&t, r, c_fix), fixture) != 0)
            continue;
        if (c_model != SIZE_MAX && strcmp(cell(&t, r, c_model), model) != 0)
            continue;
        const char *name = cell(&t, r, c_term);
        double est = num(cell(&t, r, c_est));
        const struct cs_regress_term *tm = find_term(fit, name);
        if (isnan(est)) {
            if (tm)
                fail_msg("%s %s: %s is aliased in R but kept here", fixture, model, name);
            bool listed = false;
            for (size_t q = 0; q < fit->n_dropped; q++)
                listed |= strcmp(fit->dropped[q], name) == 0;
            assert_true(listed);
            continue;
        }
        if (!tm)
            fail_msg("%s %s: term %s missing", fixture, model, name);
        seen++;
        assert_close(tm->estimate, est, tol_est);
        assert_close(tm->se, num(cell(&t, r, c_se)), tol_se);
        assert_close(tm->se_cluster, num(cell(&t, r, c_scl)), tol_se);
        assert_close(tm->z, num(cell(&t, r, c_z)), tol_se);
        double p = num(cell(&t, r, c_p));
        /* p moves by about z^2 times the relative change of z */
        double zz = fabs(tm->z);
        assert_close(tm->p, p, tol_se * fmax(1, zz * zz));
        double scale = fabs(est) + num(cell(&t, r, c_scl));
        if (fabs(tm->ci_low - num(cell(&t, r, c_lo))) > tol_se * scale ||
            fabs(tm->ci_high - num(cell(&t, r, c_hi))) > tol_se * scale)
            fail_msg("%s %s %s: interval [%.17g, %.17g], R [%s, %s]", fixture, model, name,
                     tm->ci_low, tm->ci_high, cell(&t, r, c_lo), cell(&t, r, c_hi));
        if (c_se_mu != SIZE_MAX && fit->model == CS_REGRESS_LOGIT) {
            /* METHODS.md's formulas at the final mu, recomputed in R: no
             * IRLS lag, so only the convergence tolerance separates us */
            assert_close(tm->se, num(cell(&t, r, c_se_mu)), TOL_FINAL_MU);
            assert_close(tm->se_cluster, num(cell(&t, r, c_scl_mu)), TOL_FINAL_MU);
            track(CS_REGRESS_FIRTH + 1, 1, tm->se, num(cell(&t, r, c_se_mu)));
            track(CS_REGRESS_FIRTH + 1, 2, tm->se_cluster, num(cell(&t, r, c_scl_mu)));
        }
        track(fit->model, 0, tm->estimate, est);
        track(fit->model, 1, tm->se, num(cell(&t, r, c_se)));
        track(fit->model, 2, tm->se_cluster, num(cell(&t, r, c_scl)));
        if (fit->model != CS_REGRESS_OLS) {
            assert_close(tm->odds_ratio, exp(tm->estimate), 1e-15);
            assert_close(tm->or_low, exp(tm->ci_low), 1e-15);
            assert_close(tm->or_high, exp(tm->ci_high), 1e-15);
        } else {
            assert_true(isnan(tm->odds_ratio));
        }
    }
    assert_int_equal(seen, fit->k);
    table_free(&t);
}

/* Value of key in ref_summary.csv / ref_firth_summary.csv. */
static double ref_summary(const char *ref, const char *fixture, const char *model, const char *key)
{
    struct table t = table_read(ref);
    size_t c_fix = column(&t, "fixture"), c_key = column(&t, "key"), c_val = column(&t, "value");
    size_t c_model = SIZE_MAX;
    for (size_t c = 0; c < t.ncol; c++)
        if (strcmp(t.cells[c], "model") == 0)
            c_model = c;
    double v = NAN;
    for (size_t r = 0; r < t.nrow; r++)
        if (strcmp(cell(&t, r, c_fix), fixture) == 0 && strcmp(cell(&t, r, c_key), key) == 0 &&
            (c_model == SIZE_MAX || strcmp(cell(&t, r, c_model), model) == 0))
            v = num(cell(&t, r, c_val));
    table_free(&t);
    if (isnan(v))
        fail_msg("%s: no %s %s %s", ref, fixture, model, key);
    return v;
}

#define REF_FITS FIX "ref_fits.csv"
#define REF_SUMMARY FIX "ref_summary.csv"
#define REF_FIRTH FIX "ref_firth.csv"
#define REF_FIRTH_SUMMARY FIX "ref_firth_summary.csv"

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return 0;
}

/* ======================================================================
 * NIST StRD: certified values, log relative error >= 9 digits
 * ==================================================================== */

static double lre(double got, double cert)
{
    if (got == cert)
        return 15;
    double r = -log10(fabs(got - cert) / fabs(cert));
    return r > 15 ? 15 : r;
}

static void nist_case(const char *file, const char *dataset)
{
    struct table t = table_read(file);
    size_t n = t.nrow, k = t.ncol;   /* y then k - 1 predictors, plus intercept */
    double *x = malloc(n * k * sizeof *x), *y = malloc(n * sizeof *y);
    static const char *const names[] = {"b0", "b1", "b2", "b3", "b4", "b5", "b6"};
    assert_true(x && y && k <= sizeof names / sizeof names[0]);
    for (size_t i = 0; i < n; i++) {
        y[i] = num(cell(&t, i, 0));
        x[i * k] = 1;
        for (size_t j = 1; j < k; j++)
            x[i * k + j] = num(cell(&t, i, j));
    }
    struct cs_regress_design d = {.n = n, .k = k, .x = x, .y = y, .cluster = NULL, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    assert_true(fit->fitted);
    assert_int_equal(fit->k, k);
    assert_int_equal(fit->flags, CS_REGRESS_FEW_CLUSTERS);   /* no cluster ids given */

    struct table c = table_read(FIX "nist_certified.csv");
    double worst_est = 15, worst_se = 15;
    for (size_t r = 0; r < c.nrow; r++) {
        if (strcmp(cell(&c, r, 0), dataset) != 0)
            continue;
        const char *term = cell(&c, r, 1);
        if (strcmp(term, "residual_sd") == 0) {
            double l = lre(fit->sigma, num(cell(&c, r, 2)));
            print_message("%s residual sd LRE %.1f\n", dataset, l);
            assert_true(l >= 9);
            continue;
        }
        const struct cs_regress_term *tm = find_term(fit, term);
        assert_non_null(tm);
        double le = lre(tm->estimate, num(cell(&c, r, 2)));
        double ls = lre(tm->se, num(cell(&c, r, 3)));
        if (le < 9 || ls < 9)
            fail_msg("%s %s: LRE estimate %.1f (%.17g), se %.1f (%.17g)", dataset, term,
                     le, tm->estimate, ls, tm->se);
        worst_est = fmin(worst_est, le);
        worst_se = fmin(worst_se, ls);
        assert_true(isnan(tm->se_cluster) && isnan(tm->z) && isnan(tm->p));
    }
    print_message("%s: lowest LRE estimate %.1f, se %.1f\n", dataset, worst_est, worst_se);
    table_free(&c);
    table_free(&t);
    cs_regress_free(fit);
    free(x);
    free(y);
}

static void test_nist_longley(void **state)
{
    (void)state;
    nist_case(FIX "nist_longley.csv", "longley");
}

static void test_nist_norris(void **state)
{
    (void)state;
    nist_case(FIX "nist_norris.csv", "norris");
}

/* ======================================================================
 * Against R: glm / lm / sandwich::vcovCL
 * ==================================================================== */

static void check_logit(const char *name, const struct cs_regress_options *opt)
{
    struct fixture f = fixture_read(name);
    struct cs_regress_design d = design_of(&f, true);
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_logit(&d, opt, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged && !fit->separation);
    assert_int_equal(fit->n, f.n);
    assert_int_equal(fit->clusters, (size_t)ref_summary(REF_SUMMARY, name, "logit", "clusters"));
    assert_close(fit->deviance, ref_summary(REF_SUMMARY, name, "logit", "deviance"), 1e-9);
    assert_close(fit->null_deviance, ref_summary(REF_SUMMARY, name, "logit", "null_deviance"), 1e-12);
    assert_close(fit->loglik, ref_summary(REF_SUMMARY, name, "logit", "loglik"), 1e-9);
    if (opt && opt->dev_tol == 1e-12)
        assert_int_equal(fit->iterations, (int)ref_summary(REF_SUMMARY, name, "logit", "iterations"));
    compare_with_ref(fit, REF_FITS, name, "logit", TOL_EST, TOL_SE);
    for (size_t t = 0; t < fit->k; t++) {
        assert_close(sqrt(fit->vcov[t * fit->k + t]), fit->terms[t].se, 1e-15);
        assert_close(sqrt(fit->vcov_cluster[t * fit->k + t]), fit->terms[t].se_cluster, 1e-15);
        for (size_t u = 0; u < t; u++)
            assert_true(fit->vcov[t * fit->k + u] == fit->vcov[u * fit->k + t]);
    }
    cs_regress_free(fit);
    fixture_free(&f);
}

static void check_ols(const char *name)
{
    struct fixture f = fixture_read(name);
    struct cs_regress_design d = design_of(&f, false);
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged);
    assert_int_equal(fit->flags, 0);
    assert_close(fit->deviance, ref_summary(REF_SUMMARY, name, "ols", "rss"), 1e-10);
    assert_close(fit->null_deviance, ref_summary(REF_SUMMARY, name, "ols", "null_deviance"), 1e-10);
    assert_close(fit->loglik, ref_summary(REF_SUMMARY, name, "ols", "loglik"), 1e-10);
    assert_close(fit->sigma, ref_summary(REF_SUMMARY, name, "ols", "sigma"), 1e-10);
    /* least squares has no iteration noise: much tighter than the brief's tolerances */
    compare_with_ref(fit, REF_FITS, name, "ols", 1e-9, 1e-9);
    cs_regress_free(fit);
    fixture_free(&f);
}

static void test_logit_main(void **state)
{
    (void)state;
    check_logit("main", NULL);                   /* SPEC's 1e-10 */
    struct cs_regress_options o = cs_regress_options_default();
    o.dev_tol = 1e-12;                           /* as the reference: same iteration count */
    check_logit("main", &o);
}

static void test_ols_main(void **state)
{
    (void)state;
    check_ols("main");
}

static void test_tiny_two_clusters(void **state)
{
    (void)state;
    check_logit("tiny", NULL);
    check_ols("tiny");
}

static void test_dropped_terms(void **state)
{
    (void)state;
    struct fixture f = fixture_read("dropped");
    for (int m = 0; m < 3; m++) {
        struct cs_regress_design d = design_of(&f, m != 1);
        struct cs_regress_fit *fit = NULL;
        struct cs_error err;
        enum cs_status st = m == 0 ? cs_regress_logit(&d, NULL, &fit, &err)
                          : m == 1 ? cs_regress_ols(&d, &fit, &err)
                                   : cs_regress_firth(&d, NULL, &fit, &err);
        assert_int_equal(st, CS_OK);
        assert_true(fit->fitted);
        assert_int_equal(fit->k_design, 8);
        assert_int_equal(fit->k, 6);
        assert_int_equal(fit->n_dropped, 2);
        assert_string_equal(fit->dropped[0], "spiff");
        assert_string_equal(fit->dropped[1], "type[renewal]");
        assert_int_equal(fit->dropped_column[0], 5);
        assert_int_equal(fit->dropped_column[1], 7);
        assert_ptr_equal(fit->dropped[0], f.names[5]);      /* borrowed */
        assert_int_equal(fit->terms[5].column, 6);
        if (m < 2) {
            compare_with_ref(fit, REF_FITS, "dropped", m == 0 ? "logit" : "ols", TOL_EST, TOL_SE);
        } else {
            /* prediction ignores dropped columns, whatever they hold */
            double row[8], p1, p2;
            memcpy(row, f.x, sizeof row);
            p1 = cs_regress_predict_logit(fit, row);
            row[5] = 1e300;
            row[7] = NAN;
            p2 = cs_regress_predict_logit(fit, row);
            assert_true(p1 > 0 && p1 < 1);
            assert_true(p1 == p2);
        }
        cs_regress_free(fit);
    }
    fixture_free(&f);
}

/* ======================================================================
 * Separation and Firth
 * ==================================================================== */

static void test_separation_detected(void **state)
{
    (void)state;
    struct fixture f = fixture_read("separation");
    struct cs_regress_design d = design_of(&f, true);
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->separation);
    assert_true(fit->flags & CS_REGRESS_SEPARATION);
    for (size_t t = 0; t < fit->k; t++) {
        bool sp = strcmp(fit->terms[t].name, "spiff") == 0;
        if (fit->terms[t].separated != sp)
            fail_msg("term %s separated = %d", fit->terms[t].name, fit->terms[t].separated);
    }
    const struct cs_regress_term *sp = find_term(fit, "spiff");
    assert_true(sp->estimate > 15 && sp->se > 100 * sp->estimate);   /* what R shows too */
    cs_regress_free(fit);

    /* Firth's fit exists; compare with the independent R implementation. */
    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged && !fit->separation);
    assert_int_equal(fit->flags, 0);
    compare_with_ref(fit, REF_FIRTH, "separation", NULL, TOL_EST, TOL_SE);
    assert_close(fit->penalised_loglik,
                 ref_summary(REF_FIRTH_SUMMARY, "separation", NULL, "penalised_loglik"), 1e-10);
    assert_close(fit->loglik, ref_summary(REF_FIRTH_SUMMARY, "separation", NULL, "loglik"), 1e-9);
    cs_regress_free(fit);
    fixture_free(&f);
}

static void test_firth_regular(void **state)
{
    (void)state;
    const char *names[] = {"main", "tiny"};
    for (size_t q = 0; q < 2; q++) {
        struct fixture f = fixture_read(names[q]);
        struct cs_regress_design d = design_of(&f, true);
        struct cs_regress_fit *fit = NULL;
        struct cs_error err;
        assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
        assert_true(fit->fitted && fit->converged);
        assert_int_equal(fit->model, CS_REGRESS_FIRTH);
        compare_with_ref(fit, REF_FIRTH, names[q], NULL, TOL_EST, TOL_SE);
        assert_close(fit->penalised_loglik,
                     ref_summary(REF_FIRTH_SUMMARY, names[q], NULL, "penalised_loglik"), 1e-10);
        cs_regress_free(fit);
        fixture_free(&f);
    }
}

/*
 * Closed forms: for one binary covariate Firth's estimate is the log odds
 * ratio of the 2x2 table with 1/2 added to every cell (Firth 1993), and its
 * Wald variance is the inverse information at those fitted probabilities.
 * The table has a zero cell (complete separation in group 1).
 */
static void test_firth_closed_form(void **state)
{
    (void)state;
    enum { N = 23 };
    double x[2 * N], y[N];
    uint32_t cl[N];
    const char *names[] = {"(Intercept)", "g"};
    for (size_t i = 0; i < N; i++) {
        x[2 * i] = 1;
        x[2 * i + 1] = i >= 15;
        y[i] = i >= 10;         /* group 0: 10 zeros, 5 ones; group 1: 8 ones */
        cl[i] = (uint32_t)(i % 4);
    }
    struct cs_regress_design d = {.n = N, .k = 2, .x = x, .y = y, .cluster = cl, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;

    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->separation && fit->terms[1].separated && !fit->terms[0].separated);
    cs_regress_free(fit);

    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->converged);
    double p0 = 5.5 / 16, p1 = 8.5 / 9;
    assert_close(fit->terms[0].estimate, log(5.5 / 10.5), 1e-12);
    assert_close(fit->terms[1].estimate, log((8.5 / 0.5) / (5.5 / 10.5)), 1e-12);
    double v0 = 1 / (15 * p0 * (1 - p0)), v1 = 1 / (8 * p1 * (1 - p1));
    assert_close(fit->terms[0].se, sqrt(v0), 1e-10);
    assert_close(fit->terms[1].se, sqrt(v0 + v1), 1e-10);
    assert_close(cs_regress_predict_logit(fit, (double[]){1, 1}), p1, 1e-12);
    cs_regress_free(fit);

    /* intercept only: logit((k + 1/2) / (n + 1)) */
    d.k = 1;
    for (size_t i = 0; i < N; i++)
        x[i] = 1;
    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
    assert_close(fit->terms[0].estimate, log(13.5 / 10.5), 1e-12);
    cs_regress_free(fit);
}

/* Complete separation by a continuous term, and no false alarm on a regular fit. */
static void test_complete_separation(void **state)
{
    (void)state;
    enum { N = 40 };
    double x[3 * N], y[N];
    uint32_t cl[N];
    const char *names[] = {"(Intercept)", "amount", "noise"};
    for (size_t i = 0; i < N; i++) {
        double a = (double)i / 4;
        x[3 * i] = 1;
        x[3 * i + 1] = a;
        x[3 * i + 2] = (double)((i * 7) % 5);
        y[i] = a > 5.1;
        cl[i] = (uint32_t)(i % 5) * 1000003u;
    }
    struct cs_regress_design d = {.n = N, .k = 3, .x = x, .y = y, .cluster = cl, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->separation);
    assert_true(fit->terms[1].separated);
    assert_false(fit->terms[2].separated);
    cs_regress_free(fit);

    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged);
    assert_true(fit->terms[1].estimate > 0 && isfinite(fit->terms[1].se));
    cs_regress_free(fit);

    /* overlap the groups: no separation any more */
    y[5] = 1;
    y[30] = 0;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged && !fit->separation);
    assert_int_equal(fit->flags, 0);
    cs_regress_free(fit);
}

/*
 * A steep but proper fit: the tails have fitted probabilities far inside
 * 1e-6 of 0 and 1, yet the maximum exists (the middle overlaps), so the
 * last IRLS step is tiny and no separation may be reported.
 */
static void test_steep_no_false_alarm(void **state)
{
    (void)state;
    enum { N = 400 };
    double x[2 * N], y[N];
    uint32_t cl[N];
    const char *names[] = {"(Intercept)", "x"};
    for (size_t i = 0; i < N; i++) {
        double v = -10 + 20 * (double)i / (N - 1);
        x[2 * i] = 1;
        x[2 * i + 1] = v;
        y[i] = v > 0;
        if (fabs(v) < 1.5)                 /* an overlapping middle */
            y[i] = (i % 3) != 0 ? v > 0 : v <= 0;
        cl[i] = (uint32_t)(i % 10);
    }
    struct cs_regress_design d = {.n = N, .k = 2, .x = x, .y = y, .cluster = cl, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && fit->converged);
    assert_false(fit->separation);
    assert_int_equal(fit->flags, 0);
    assert_true(cs_regress_predict_logit(fit, (double[]){1, -10}) < 1e-6);   /* the tails are extreme */
    assert_true(cs_regress_predict_logit(fit, (double[]){1, 10}) > 1 - 1e-6);
    cs_regress_free(fit);
}

/* ======================================================================
 * Conditions and errors
 * ==================================================================== */

static void expect_unfitted(const struct cs_regress_fit *fit, unsigned flag)
{
    assert_true(fit->flags & flag);
    assert_false(fit->fitted);
    assert_null(fit->vcov);
    assert_null(fit->vcov_cluster);
    for (size_t t = 0; t < fit->k; t++) {
        assert_true(isnan(fit->terms[t].estimate));
        assert_true(isnan(fit->terms[t].se));
        assert_true(isnan(fit->terms[t].p));
    }
    assert_true(isnan(cs_regress_predict(fit, (double[]){1, 2, 3})));
    assert_true(strlen(cs_regress_flag_text(flag)) > 0);
}

static void test_conditions(void **state)
{
    (void)state;
    const char *names[] = {"(Intercept)", "a", "b"};
    double x[3 * 6] = {1, 0, 1, 1, 1, 0, 1, 2, 1, 1, 3, 0, 1, 4, 2, 1, 5, 1};
    double y0[6] = {0, 0, 0, 0, 0, 0}, y1[6] = {0, 1, 0, 0, 1, 1};
    uint32_t cl[6] = {7, 7, 7, 7, 7, 7};
    struct cs_regress_design d = {.n = 6, .k = 3, .x = x, .y = y0, .cluster = cl, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;

    /* n == 0 */
    d.n = 0;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_NO_ROWS);
    assert_int_equal(fit->k, 3);
    cs_regress_free(fit);
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_NO_ROWS);
    cs_regress_free(fit);
    d.n = 6;

    /* y constant */
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_Y_CONSTANT);
    cs_regress_free(fit);
    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_Y_CONSTANT);
    cs_regress_free(fit);
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_Y_CONSTANT);
    cs_regress_free(fit);

    /* too few rows: 3 rows for 3 terms */
    d.y = y1;
    d.n = 3;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_TOO_FEW_ROWS);
    cs_regress_free(fit);
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_TOO_FEW_ROWS);
    cs_regress_free(fit);
    d.n = 6;

    /* one cluster: model SE yes, cluster SE and its derivatives NaN */
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    assert_true(fit->fitted);
    assert_int_equal(fit->flags, CS_REGRESS_FEW_CLUSTERS);
    assert_int_equal(fit->clusters, 1);
    for (size_t t = 0; t < fit->k; t++) {
        const struct cs_regress_term *tm = &fit->terms[t];
        assert_true(isfinite(tm->estimate) && isfinite(tm->se));
        assert_true(isnan(tm->se_cluster) && isnan(tm->z) && isnan(tm->p));
        assert_true(isnan(tm->ci_low) && isnan(tm->ci_high));
    }
    cs_regress_free(fit);
    d.cluster = NULL;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_OK);
    assert_true(fit->fitted && (fit->flags & CS_REGRESS_FEW_CLUSTERS));
    assert_int_equal(fit->clusters, 0);
    assert_true(isfinite(fit->terms[1].odds_ratio) && isnan(fit->terms[1].or_low));
    cs_regress_free(fit);
    d.cluster = cl;

    /* the iteration limit */
    struct fixture f = fixture_read("main");
    struct cs_regress_design dm = design_of(&f, true);
    struct cs_regress_options o = cs_regress_options_default();
    o.max_iter = 2;
    assert_int_equal(cs_regress_logit(&dm, &o, &fit, &err), CS_OK);
    assert_true(fit->fitted && !fit->converged && !fit->separation);
    assert_int_equal(fit->flags, CS_REGRESS_NOT_CONVERGED);
    assert_int_equal(fit->iterations, 2);
    cs_regress_free(fit);
    fixture_free(&f);

    /* every term dropped */
    double xz[6] = {0, 0, 0, 0, 0, 0};
    struct cs_regress_design dz = {.n = 6, .k = 1, .x = xz, .y = y1, .cluster = cl, .names = names};
    assert_int_equal(cs_regress_logit(&dz, NULL, &fit, &err), CS_OK);
    expect_unfitted(fit, CS_REGRESS_NO_TERMS);
    assert_int_equal(fit->n_dropped, 1);
    cs_regress_free(fit);
}

static void test_constant_columns(void **state)
{
    (void)state;
    /* intercept, a, a constant 2s column, an all-zero column, b = 3 - 2a (aliased), c */
    enum { N = 12, K = 6 };
    const char *names[K] = {"(Intercept)", "a", "twos", "zeros", "b", "c"};
    double x[N * K], y[N];
    uint32_t cl[N];
    for (size_t i = 0; i < N; i++) {
        double a = (double)(i % 5), c = (double)((i * 3) % 7);
        double row[K] = {1, a, 2, 0, 3 - 2 * a, c};
        memcpy(x + i * K, row, sizeof row);
        y[i] = 1 + 0.5 * a - 0.25 * c + ((double)(i % 3) - 1) * 0.1;
        cl[i] = (uint32_t)(i % 3);
    }
    struct cs_regress_design d = {.n = N, .k = K, .x = x, .y = y, .cluster = cl, .names = names};
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    assert_true(fit->fitted);
    assert_int_equal(fit->k, 3);
    assert_int_equal(fit->n_dropped, 3);
    assert_string_equal(fit->dropped[0], "twos");
    assert_string_equal(fit->dropped[1], "zeros");
    assert_string_equal(fit->dropped[2], "b");
    assert_true(fabs(fit->terms[1].estimate - 0.5) < 0.05);

    /* prediction on a full design row */
    double row[K] = {1, 2, 2, 0, -1, 3};
    assert_close(cs_regress_predict(fit, row),
                 fit->terms[0].estimate + 2 * fit->terms[1].estimate + 3 * fit->terms[2].estimate,
                 1e-15);
    assert_true(isnan(cs_regress_predict_logit(fit, row)));   /* OLS */
    cs_regress_free(fit);

    /* an exact fit */
    for (size_t i = 0; i < N; i++)
        y[i] = 2 + 3 * x[i * K + 1];
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    assert_true(fit->fitted && (fit->flags & CS_REGRESS_PERFECT_FIT));
    assert_close(fit->terms[1].estimate, 3, 1e-12);
    assert_true(fit->terms[1].se == 0 && isnan(fit->terms[1].z));
    cs_regress_free(fit);
}

static void test_errors(void **state)
{
    (void)state;
    const char *names[] = {"(Intercept)", "amount"};
    double x[6] = {1, 1, 1, 2, 1, NAN}, y[3] = {0, 1, 0};
    struct cs_regress_design d = {.n = 3, .k = 2, .x = x, .y = y, .cluster = NULL, .names = names};
    struct cs_regress_fit *fit = (struct cs_regress_fit *)&d;   /* must be reset to NULL */
    struct cs_error err;
    char msg[1024];

    cs_error_clear(&err);
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_ERR_INPUT);
    assert_null(fit);
    cs_error_format(&err, msg, sizeof msg);
    assert_string_equal(msg, "amount: row 2: not a finite number");

    x[5] = 3;
    y[1] = 2;
    assert_int_equal(cs_regress_firth(&d, NULL, &fit, &err), CS_ERR_INPUT);
    assert_null(fit);
    cs_error_format(&err, msg, sizeof msg);
    assert_string_equal(msg, "y: row 1: outcome is not 0 or 1");
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);   /* 2 is a fine OLS outcome */
    cs_regress_free(fit);

    y[1] = INFINITY;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_ERR_INPUT);
    assert_null(fit);

    assert_int_equal(cs_regress_ols(NULL, &fit, &err), CS_ERR_USAGE);
    d.x = NULL;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_ERR_USAGE);
    cs_error_format(&err, msg, sizeof msg);
    assert_string_equal(msg, "regression: missing design arrays");
    d.k = CS_REGRESS_MAX_TERMS + 1;
    d.x = x;
    assert_int_equal(cs_regress_logit(&d, NULL, &fit, &err), CS_ERR_USAGE);

    d.k = 2;
    struct cs_regress_options o = cs_regress_options_default();
    o.max_iter = 0;
    assert_int_equal(cs_regress_logit(&d, &o, &fit, &err), CS_ERR_USAGE);
    assert_null(fit);
    o = cs_regress_options_default();
    o.coef_tol = NAN;
    assert_int_equal(cs_regress_firth(&d, &o, &fit, &err), CS_ERR_USAGE);
    assert_null(fit);

    cs_regress_free(NULL);
    assert_true(isnan(cs_regress_predict(NULL, x)));
    assert_true(isnan(cs_regress_predict_logit(NULL, x)));
    assert_string_equal(cs_regress_flag_text(0), "");
}

/*
 * Passes over more than 65536 rows are summed in two halves; running the
 * second half on a second thread must not change a single bit.
 */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static void test_threads_identical(void **state)
{
    (void)state;
    enum { N = 100000, K = 4 };
    double *x = malloc(N * K * sizeof *x), *y = malloc(N * sizeof *y);
    uint32_t *cl = malloc(N * sizeof *cl);
    const char *names[K] = {"(Intercept)", "a", "b", "c"};
    assert_true(x && y && cl);
    uint64_t seed = 12345;
    for (size_t i = 0; i < N; i++) {
        double a = lcg(&seed), b = lcg(&seed) < 0.3, c = 10 + 3 * (lcg(&seed) - 0.5);
        x[i * K] = 1;
        x[i * K + 1] = a;
        x[i * K + 2] = b;
        x[i * K + 3] = c;
        y[i] = lcg(&seed) < 1 / (1 + exp(-(-1 + 2 * a - b + 0.1 * (c - 10))));
        cl[i] = (uint32_t)(lcg(&seed) * 300) * 7919u;
    }
    struct cs_regress_design d = {.n = N, .k = K, .x = x, .y = y, .cluster = cl, .names = names};
    struct cs_regress_options o1 = cs_regress_options_default(), o2 = o1;
    o1.threads = 1;
    o2.threads = 2;
    struct cs_error err;
    for (int m = 0; m < 2; m++) {
        struct cs_regress_fit *f1 = NULL, *f2 = NULL;
        enum cs_status (*fn)(const struct cs_regress_design *, const struct cs_regress_options *,
                             struct cs_regress_fit **, struct cs_error *) =
            m == 0 ? cs_regress_logit : cs_regress_firth;
        assert_int_equal(fn(&d, &o1, &f1, &err), CS_OK);
        assert_int_equal(fn(&d, &o2, &f2, &err), CS_OK);
        assert_true(f1->fitted && f1->converged && f1->flags == 0);
        assert_int_equal(f1->iterations, f2->iterations);
        assert_true(f1->deviance == f2->deviance);
        for (size_t t = 0; t < K; t++) {
            assert_true(f1->terms[t].estimate == f2->terms[t].estimate);
            assert_true(f1->terms[t].se == f2->terms[t].se);
            assert_true(f1->terms[t].se_cluster == f2->terms[t].se_cluster);
        }
        assert_close(f1->terms[1].estimate, 2, 0.05);    /* the model that made y */
        cs_regress_free(f1);
        cs_regress_free(f2);
    }
    free(x);
    free(y);
    free(cl);
}

/* p-values in the far tail come from the upper tail, not 1 - cdf. */
static void test_tail_p(void **state)
{
    (void)state;
    struct fixture f = fixture_read("tiny");
    struct cs_regress_design d = design_of(&f, false);
    struct cs_regress_fit *fit = NULL;
    struct cs_error err;
    assert_int_equal(cs_regress_ols(&d, &fit, &err), CS_OK);
    const struct cs_regress_term *t = find_term(fit, "(Intercept)");
    /* z = -7.245: p = 4.32e-13, where 1 - cdf would keep about 3 digits */
    assert_close(t->p, 4.3203501892422759e-13, 1e-6);
    cs_regress_free(fit);
    fixture_free(&f);
}

/* The sandwich on its own (sandwich.h), by hand: bread B = [2 1; 1 3], G = 3
 * clusters whose score sums are (1, 0), (0, 1) and (1, -1), n = 10, k = 2.
 * B u_g = (2, 1), (1, 3), (1, -2); the sum of their outer products is
 * [6 3; 3 14]; HC0 multiplies by G/(G-1) = 3/2, HC1 by 3/2 * 9/8 = 27/16.
 * Every number is exact in binary. */
static void test_vcovcl_hand(void **state)
{
    (void)state;
    const double B[4] = {2, 1, 1, 3};
    double U[6] = {0};
    const double x[3][2] = {{1, 0}, {0, 1}, {1, -1}};
    const uint32_t g[4] = {0, 1, 2, 2};
    /* cluster 2's sum (1, -1) from two rows: 0.5 (1, -1) + 1 (0.5, -0.5) */
    const double r[4] = {1, 1, 0.5, 1};
    const double xr[4][2] = {{1, 0}, {0, 1}, {1, -1}, {0.5, -0.5}};
    for (int i = 0; i < 4; i++)
        cs_cluster_score_add(U, g[i], 2, r[i], xr[i]);
    for (int c = 0; c < 3; c++)
        for (int t = 0; t < 2; t++)
            assert_true(U[c * 2 + t] == x[c][t]);
    double V[4];
    cs_vcovcl(B, U, 3, 10, 2, CS_VCOVCL_HC0, V);
    const double hc0[4] = {9, 4.5, 4.5, 21};
    for (int q = 0; q < 4; q++)
        assert_true(V[q] == hc0[q]);
    cs_vcovcl(B, U, 3, 10, 2, CS_VCOVCL_HC1, V);
    const double hc1[4] = {10.125, 5.0625, 5.0625, 23.625};
    for (int q = 0; q < 4; q++)
        assert_true(V[q] == hc1[q]);
}

/* Cluster ids become 0..G-1 in order of first appearance, through the table's growth. */
static void test_cluster_index(void **state)
{
    (void)state;
    const uint32_t ids[6] = {7, 3, 7, 100000, 3, UINT32_MAX};
    const uint32_t want[6] = {0, 1, 0, 2, 1, 3};
    uint32_t *idx = NULL;
    size_t G = 0;
    struct cs_error err;
    assert_int_equal(cs_cluster_index(ids, 6, &idx, &G, &err), CS_OK);
    assert_int_equal(G, 4);
    for (int i = 0; i < 6; i++)
        assert_int_equal(idx[i], want[i]);
    free(idx);
    /* 1000 distinct ids, seen twice over, all multiples of 2^16 (one hash bucket pattern) */
    enum { N = 3000, DISTINCT = 1000 };
    uint32_t *many = malloc(N * sizeof *many);
    assert_non_null(many);
    for (uint32_t i = 0; i < N; i++)
        many[i] = (DISTINCT - 1 - i % DISTINCT) << 16;
    assert_int_equal(cs_cluster_index(many, N, &idx, &G, &err), CS_OK);
    assert_int_equal(G, DISTINCT);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(idx[i], i % DISTINCT);
    free(idx);
    free(many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_longley),
        cmocka_unit_test(test_nist_norris),
        cmocka_unit_test(test_logit_main),
        cmocka_unit_test(test_ols_main),
        cmocka_unit_test(test_tiny_two_clusters),
        cmocka_unit_test(test_dropped_terms),
        cmocka_unit_test(test_separation_detected),
        cmocka_unit_test(test_firth_regular),
        cmocka_unit_test(test_firth_closed_form),
        cmocka_unit_test(test_complete_separation),
        cmocka_unit_test(test_steep_no_false_alarm),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_constant_columns),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_tail_p),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_vcovcl_hand),
        cmocka_unit_test(test_cluster_index),
    };
    int failed = cmocka_run_group_tests(tests, setup, NULL);
    /* how close the fits came to R: information, not a test (every figure
     * was asserted against its tolerance where it was compared) */
    static const char *const model[] = {"ols", "logit", "firth", "logit at R's final mu"};
    for (int m = 0; m < 4; m++)
        printf("%s: largest relative deviation from R: estimate %.2g, se %.2g, se_cluster %.2g\n",
               model[m], max_rel[m][0], max_rel[m][1], max_rel[m][2]);
    return failed;
}
