/* test_analysis.c - SPEC 7 end to end: models, correlations and timing against R, planted and null effects, degenerate inputs, determinism. */
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
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/generate.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/regress.h"
#include "compsight/results.h"
#include "compsight/select.h"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#define FIX CS_TEST_DIR "/fixtures/models/"

/* Tolerances against R (tests/reference/models/README.md). */
#define TOL_EST 1e-6        /* estimates, correlations, shares, chi-square */
#define TOL_SE 1e-5         /* standard errors, z, p-values, q */
#define TOL_FINAL_MU 1e-8   /* logit SEs against METHODS.md's formulas at the final mu */

/* Largest relative deviation from R seen, per figure, printed with CS_TEST_VERBOSE. */
enum { D_EST, D_SE, D_SEC, D_SE_GLM, D_SEC_GLM, D_Z, D_P, D_CORR, D_CORR_P, D_TIMING, D_COUNT };
static const char *const dev_names[D_COUNT] = {
    "estimate", "se (final mu)", "se_cluster (final mu)", "se (glm vcov)",
    "se_cluster (glm vcovCL)", "z", "p", "correlation", "correlation p/q", "timing",
};
static double dev_max[D_COUNT];

static void track(int what, double a, double b)
{
    double scale = fmax(fabs(a), fabs(b));
    if (isfinite(a) && isfinite(b) && scale > 0 && fabs(a - b) / scale > dev_max[what])
        dev_max[what] = fabs(a - b) / scale;
}

#include "testutil.h"

/* A CSV file of the R script as strings: cells[r * ncol + c], row 0 the
 * header.  Fixture files only: no quoting, no empty lines. */
struct table {
    size_t nrow, ncol;
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
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len > 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
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
    t.nrow = rows ? rows - 1 : 0;
    return t;
}

static size_t column(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->cells[c], name) == 0)
            return c;
    fail_msg("no column %s", name);
    return 0;
}

static const char *cell(const struct table *t, size_t row, const char *col)
{
    return t->cells[(row + 1) * t->ncol + column(t, col)];
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

static double cellnum(const struct table *t, size_t row, const char *col)
{
    return num(cell(t, row, col));
}

/* key,value tables (ref_timing.csv) and model,key,value (ref_model_summary.csv). */
static double lookup(const struct table *t, const char *model, const char *key)
{
    for (size_t r = 0; r < t->nrow; r++)
        if ((!model || strcmp(cell(t, r, "model"), model) == 0) && strcmp(cell(t, r, "key"), key) == 0)
            return cellnum(t, r, "value");
    fail_msg("no %s %s in the reference", model ? model : "", key);
    return NAN;
}

/* ----------------------------------------------------------------------
 * JSON access: every lookup fails the test when the member is missing
 * -------------------------------------------------------------------- */

static json_t *jget(const json_t *o, const char *key)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v)
        fail_msg("JSON member \"%s\" missing", key);
    return v;
}

/* A number member; null reads as NaN. */
static double jnum(const json_t *o, const char *key)
{
    json_t *v = jget(o, key);
    if (json_is_null(v))
        return NAN;
    if (!json_is_number(v))
        fail_msg("JSON member \"%s\" is not a number", key);
    return json_number_value(v);
}

static json_int_t jint(const json_t *o, const char *key)
{
    json_t *v = jget(o, key);
    if (!json_is_integer(v))
        fail_msg("JSON member \"%s\" is not an integer", key);
    return json_integer_value(v);
}

static const char *jstr(const json_t *o, const char *key)
{
    json_t *v = jget(o, key);
    if (!json_is_string(v))
        fail_msg("JSON member \"%s\" is not a string", key);
    return json_string_value(v);
}

static bool jbool(const json_t *o, const char *key)
{
    json_t *v = jget(o, key);
    if (!json_is_boolean(v))
        fail_msg("JSON member \"%s\" is not a boolean", key);
    return json_is_true(v);
}

static json_t *model_json(const json_t *root, const char *name)
{
    return jget(jget(root, "models"), name);
}

static json_t *term_json(const json_t *model, const char *name)
{
    json_t *terms = jget(model, "terms"), *t;
    size_t i;
    json_array_foreach(terms, i, t) {
        if (strcmp(jstr(t, "name"), name) == 0)
            return t;
    }
    fail_msg("no term %s", name);
    return NULL;
}

static json_t *bunching_json(const json_t *root, const char *plan, double threshold, bool placebo)
{
    json_t *a = jget(root, "bunching"), *b;
    size_t i;
    json_array_foreach(a, i, b) {
        if (strcmp(jstr(b, "plan_id"), plan) == 0 && fabs(jnum(b, "threshold") - threshold) < 1e-9 &&
            jbool(b, "placebo") == placebo)
            return b;
    }
    fail_msg("no bunching row %s %g%s", plan, threshold, placebo ? " (placebo)" : "");
    return NULL;
}

/* Does a string member or an array of strings under key contain text? */
static bool mentions(const json_t *o, const char *key, const char *text)
{
    json_t *v = json_object_get(o, key), *s;
    size_t i;
    if (json_is_string(v))
        return strstr(json_string_value(v), text) != NULL;
    json_array_foreach(v, i, s) {
        if (json_is_string(s) && strstr(json_string_value(s), text))
            return true;
    }
    return false;
}

/*
 * Every real in the tree is finite (jansson cannot write NaN, and a NaN
 * handed to json_real() makes it return NULL, so that the member silently
 * disappears: the schema checks below catch that half), and every number
 * that must be present is.
 */
static void assert_json_finite(const json_t *v, const char *path)
{
    char sub[512];
    const char *key;
    json_t *x;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_REAL:
        if (!isfinite(json_real_value(v)))
            fail_msg("%s: non-finite real %g", path, json_real_value(v));
        break;
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, key, x) {
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            assert_json_finite(x, sub);
        }
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            assert_json_finite(x, sub);
        }
        break;
    default:
        break;
    }
}

static void assert_keys(const json_t *o, const char *const *keys, const char *where)
{
    for (size_t i = 0; keys[i]; i++)
        if (!json_object_get(o, keys[i]))
            fail_msg("%s: member \"%s\" missing", where, keys[i]);
}

/* The SPEC 9 members are all there (a NaN passed to json_real would drop one). */
static void assert_schema(const json_t *root)
{
    static const char *const top[] = {"period", "counts", "models", "correlations", "timing",
                                      "bunching", "reconciliation", NULL};
    static const char *const counts[] = {"rows_read", "rows_used", "rows_rejected", "won_deals", NULL};
    static const char *const fitted_model[] = {"n", "clusters", "converged", "iterations", "dropped",
                                               "terms", "notes", "fitted", NULL};
    static const char *const term[] = {"name", "estimate", "se", "se_cluster", "z", "p", "ci_low",
                                       "ci_high", NULL};
    static const char *const logit_term[] = {"odds_ratio", "or_low", "or_high", NULL};
    static const char *const corr[] = {"x", "y", "n", "pearson", "pearson_p", "spearman",
                                       "spearman_p", "q", NULL};
    static const char *const timing[] = {"last_14_days_share", "expected_share", "chi2", "df", "p", NULL};
    static const char *const bunch[] = {"plan_id", "threshold", "placebo", "n", "excess_mass",
                                        "excess_mass_se", "missing_mass", "b", "b_se", NULL};
    /* SPEC 9 and 14: every model under "models", with its own counts */
    static const char *const models[] = {"promise_risk", "discount", "collateral",
                                         "promise_risk_within", "discount_within", "push_out"};
    static const bool logistic[] = {true, false, true, true, false, false};
    static const char *const extra_prw[] = {"reps", "informative_reps", "uninformative_reps",
                                            "informative_deals", NULL};
    static const char *const extra_dw[] = {"reps", "rank", NULL};
    static const char *const extra_po[] = {"rep_periods", "candidates", "reps", "crossed_late",
                                           "nothing_to_earn", "next_period_share", NULL};
    static const char *const *const extra[] = {NULL, NULL, NULL, extra_prw, extra_dw, extra_po};
    json_t *x, *t;
    size_t i, j;
    assert_keys(root, top, "results");
    assert_keys(jget(root, "counts"), counts, "counts");
    assert_int_equal(json_object_size(jget(root, "models")), 6);
    for (i = 0; i < 6; i++) {
        json_t *m = model_json(root, models[i]);
        if (json_object_get(m, "terms")) {
            assert_keys(m, fitted_model, models[i]);
            if (extra[i])
                assert_keys(m, extra[i], models[i]);
            assert_true(json_object_get(m, logistic[i] ? "deviance" : "rss") != NULL);
            json_array_foreach(jget(m, "terms"), j, t) {
                assert_keys(t, term, models[i]);
                if (logistic[i])
                    assert_keys(t, logit_term, models[i]);
                /* the within-rep models have no (Intercept) */
                if (i == 3 || i == 4)
                    assert_string_not_equal(jstr(t, "name"), "(Intercept)");
                /* a term estimated both ways says whether it gives the verdict */
                if (json_object_get(t, "leads"))
                    assert_true(json_is_boolean(jget(t, "leads")));
            }
        } else {
            /* not run: says why */
            assert_false(jbool(m, "fitted"));
            assert_true(strlen(jstr(m, "note")) > 0);
        }
    }
    assert_int_equal(json_array_size(jget(root, "correlations")), CS_CORR_NX * CS_CORR_NY);
    json_array_foreach(jget(root, "correlations"), i, x) {
        assert_keys(x, corr, "correlation");
        /* a missing figure comes with a reason */
        if (json_is_null(jget(x, "pearson")))
            assert_true(strlen(jstr(x, "note")) > 0);
    }
    json_t *tm = jget(root, "timing");
    if (json_object_get(tm, "note") == NULL || json_object_get(tm, "chi2"))
        assert_keys(tm, timing, "timing");
    else
        assert_true(strlen(jstr(tm, "note")) > 0);
    json_array_foreach(jget(root, "bunching"), i, x) {
        assert_keys(x, bunch, "bunching");
        if (json_is_null(jget(x, "excess_mass")))
            assert_true(strlen(jstr(x, "note")) > 0);
    }
}

/* rows_read = rows_used + rows_rejected for every file (SPEC 10). */
static void assert_counts_balance(const json_t *root)
{
    json_t *counts = jget(root, "counts");
    json_t *read = jget(counts, "rows_read"), *used = jget(counts, "rows_used"),
           *rej = jget(counts, "rows_rejected"), *v;
    const char *file;
    assert_int_equal(json_object_size(read), json_object_size(used));
    assert_int_equal(json_object_size(read), json_object_size(rej));
    json_object_foreach(read, file, v) {
        json_int_t r = json_integer_value(v), u = jint(used, file), x = jint(rej, file);
        if (r != u + x)
            fail_msg("%s: rows_read %lld != rows_used %lld + rows_rejected %lld", file,
                     (long long)r, (long long)u, (long long)x);
    }
}

/* ----------------------------------------------------------------------
 * The pipeline of `compsight report`, as a library user runs it
 * -------------------------------------------------------------------- */

struct pipeline {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_selection sel;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_reconciliation *rec;
    struct cs_analysis *an;
    json_t *json;          /* cs_results_json */
    char *dump;            /* json_dumps(JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) */
    json_t *loaded;        /* dump parsed back: what a reader of results.json sees */
};

static void pipeline_free(struct pipeline *p)
{
    json_decref(p->loaded);
    free(p->dump);
    json_decref(p->json);
    cs_analysis_free(p->an);
    cs_recon_free(p->rec);
    cs_outcomes_free(p->oc);
    cs_incentives_free(p->inc);
    cs_dataset_free(p->ds);
    memset(p, 0, sizeof *p);
}

static void check(enum cs_status st, const struct cs_error *err, const char *step)
{
    if (st != CS_OK) {
        char msg[1200];
        cs_error_format(err, msg, sizeof msg);
        fail_msg("%s: status %d: %s", step, (int)st, msg);
    }
}

/* Load dir, select period, and run every step; every step must succeed,
 * the JSON must dump, and every real in it must be finite. */
static void pipeline_run(struct pipeline *p, const char *dir, const char *period, uint64_t seed)
{
    struct cs_error err;
    struct cs_load_options lo = {.dir = dir};
    memset(p, 0, sizeof *p);
    cs_error_clear(&err);
    check(cs_dataset_load(&lo, &p->ds, &err), &err, "cs_dataset_load");
    check(cs_calendar_init(&p->cal, 1, &err), &err, "cs_calendar_init");
    check(cs_select_period(period, p->ds, &p->cal, &p->sel, &err), &err, "cs_select_period");
    check(cs_incentives_compute(p->ds, &p->ds->plans, &p->cal, &p->inc, &err), &err,
          "cs_incentives_compute");
    check(cs_outcomes_compute(p->ds, &p->cal, &p->oc, &err), &err, "cs_outcomes_compute");
    if (p->ds->counts[CS_T_COMMISSIONS].present)
        check(cs_incentives_reconcile(p->ds, p->inc, &p->rec, &err), &err, "cs_incentives_reconcile");
    struct cs_measured m = {p->ds, &p->cal, p->inc, p->oc, &p->sel};
    check(cs_analysis_run(&m, seed, &p->an, &err), &err, "cs_analysis_run");
    p->json = cs_results_json(p->ds, &p->cal, p->an, p->rec);
    assert_non_null(p->json);
    assert_json_finite(p->json, "$");
    p->dump = json_dumps(p->json, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (!p->dump)
        fail_msg("json_dumps refused the results of %s", dir);
    json_error_t jerr;
    p->loaded = json_loads(p->dump, 0, &jerr);
    if (!p->loaded)
        fail_msg("results of %s do not parse back: %s", dir, jerr.text);
    assert_true(json_equal(p->json, p->loaded));
    assert_schema(p->loaded);
    assert_counts_balance(p->loaded);
}

/* CS_TEST_KEEP=1 keeps the data directories for a look (their names are printed). */
static void remove_tree(const char *path)
{
    char cmd[600];
    assert_non_null(strstr(path, "/tmp/cs_test_analysis_"));
    if (getenv("CS_TEST_KEEP")) {
        print_message("kept %s\n", path);
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static void generate(char *dir, size_t n, uint64_t n_deals, uint64_t seed, bool null_effects, bool dirty)
{
    snprintf(dir, n, "/tmp/cs_test_analysis_XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct cs_gen_options g = {.out_dir = dir, .n_deals = n_deals, .seed = seed,
                               .null_effects = null_effects, .dirty = dirty};
    struct cs_error err;
    cs_error_clear(&err);
    check(cs_generate(&g, &err), &err, "cs_generate");
}

/* ======================================================================
 * 1. Against R on the committed fixture (tests/reference/models/)
 * ==================================================================== */

static void compare_models(const json_t *root)
{
    struct table ref = table_read(FIX "ref_models.csv");
    struct table sum = table_read(FIX "ref_model_summary.csv");
    static const char *const models[] = {"promise_risk", "discount", "collateral"};
    for (int mi = 0; mi < 3; mi++) {
        const char *name = models[mi];
        bool logit = mi != 1;
        json_t *m = model_json(root, name);
        assert_true(jbool(m, "fitted"));
        assert_true(jbool(m, "converged"));
        assert_false(jbool(m, "separation"));
        assert_int_equal(json_array_size(jget(m, "dropped")), 0);
        assert_int_equal(json_array_size(jget(m, "notes")), 0);
        assert_int_equal(jint(m, "n"), (json_int_t)lookup(&sum, name, "n"));
        assert_int_equal(jint(m, "clusters"), (json_int_t)lookup(&sum, name, "clusters"));
        if (logit) {
            assert_close(jnum(m, "deviance"), lookup(&sum, name, "deviance"), 1e-9);
            assert_close(jnum(m, "null_deviance"), lookup(&sum, name, "null_deviance"), 1e-9);
        } else {
            assert_close(jnum(m, "rss"), lookup(&sum, name, "rss"), 1e-9);
            assert_close(jnum(m, "tss"), lookup(&sum, name, "tss"), 1e-9);
        }
        /* the terms, in SPEC 9's names and order */
        json_t *terms = jget(m, "terms");
        size_t k = 0;
        for (size_t r = 0; r < ref.nrow; r++) {
            if (strcmp(cell(&ref, r, "model"), name) != 0)
                continue;
            json_t *t = json_array_get(terms, k++);
            assert_non_null(t);
            const char *term = cell(&ref, r, "term");
            assert_string_equal(jstr(t, "name"), term);
            double est = cellnum(&ref, r, "estimate"), se = cellnum(&ref, r, "se"),
                   sec = cellnum(&ref, r, "se_cluster"), z = cellnum(&ref, r, "z");
            double got_est = jnum(t, "estimate"), got_se = jnum(t, "se"),
                   got_sec = jnum(t, "se_cluster"), got_z = jnum(t, "z"), got_p = jnum(t, "p");
            track(D_EST, got_est, est);
            track(D_SE, got_se, se);
            track(D_SEC, got_sec, sec);
            track(D_SE_GLM, got_se, cellnum(&ref, r, "glm_se"));
            track(D_SEC_GLM, got_sec, cellnum(&ref, r, "glm_se_cluster"));
            track(D_Z, got_z, z);
            track(D_P, got_p, cellnum(&ref, r, "p"));
            assert_close(got_est, est, TOL_EST);
            assert_close(got_est, cellnum(&ref, r, "glm_estimate"), TOL_EST);
            assert_close(got_se, se, logit ? TOL_FINAL_MU : TOL_SE);
            assert_close(got_sec, sec, logit ? TOL_FINAL_MU : TOL_SE);
            /* R's own published figures (the IRLS lag, README.md) */
            assert_close(got_se, cellnum(&ref, r, "glm_se"), TOL_SE);
            assert_close(got_sec, cellnum(&ref, r, "glm_se_cluster"), TOL_SE);
            assert_close(got_z, z, TOL_SE);
            /* p moves by about z^2 times the relative change of z */
            assert_close(got_p, cellnum(&ref, r, "p"), TOL_SE * fmax(1.0, z * z));
            assert_close_scale(jnum(t, "ci_low"), cellnum(&ref, r, "ci_low"), TOL_EST, sec);
            assert_close_scale(jnum(t, "ci_high"), cellnum(&ref, r, "ci_high"), TOL_EST, sec);
            if (logit) {
                assert_close(jnum(t, "odds_ratio"), exp(est), TOL_EST * fmax(1.0, fabs(est)));
                assert_close(jnum(t, "or_low"), exp(cellnum(&ref, r, "ci_low")),
                             TOL_EST * fmax(1.0, fabs(est) + 2 * sec));
                assert_close(jnum(t, "or_high"), exp(cellnum(&ref, r, "ci_high")),
                             TOL_EST * fmax(1.0, fabs(est) + 2 * sec));
            } else {
                assert_null(json_object_get(t, "odds_ratio"));
            }
        }
        assert_int_equal(k, json_array_size(terms));
        assert_int_equal(k, logit && mi == 2 ? 3 : CS_DEAL_TERMS);
    }
    table_free(&ref);
    table_free(&sum);
}

static void compare_correlations(const json_t *root)
{
    struct table ref = table_read(FIX "ref_correlations.csv");
    json_t *a = jget(root, "correlations");
    assert_int_equal(ref.nrow, json_array_size(a));
    for (size_t r = 0; r < ref.nrow; r++) {
        json_t *c = json_array_get(a, r);
        assert_string_equal(jstr(c, "x"), cell(&ref, r, "x"));
        assert_string_equal(jstr(c, "y"), cell(&ref, r, "y"));
        assert_int_equal(jint(c, "n"), (json_int_t)cellnum(&ref, r, "n"));
        assert_null(json_object_get(c, "note"));
        static const char *const est[] = {"pearson", "spearman"};
        static const char *const pv[] = {"pearson_p", "spearman_p", "q"};
        for (int i = 0; i < 2; i++) {
            track(D_CORR, jnum(c, est[i]), cellnum(&ref, r, est[i]));
            assert_close(jnum(c, est[i]), cellnum(&ref, r, est[i]), TOL_EST);
        }
        for (int i = 0; i < 3; i++) {
            track(D_CORR_P, jnum(c, pv[i]), cellnum(&ref, r, pv[i]));
            assert_close(jnum(c, pv[i]), cellnum(&ref, r, pv[i]), TOL_SE);
        }
    }
    table_free(&ref);
}

static void compare_timing(const json_t *root)
{
    struct table ref = table_read(FIX "ref_timing.csv");
    json_t *t = jget(root, "timing");
    assert_null(json_object_get(t, "note"));
    assert_int_equal(jint(t, "n"), (json_int_t)lookup(&ref, NULL, "n"));
    assert_int_equal(jint(t, "df"), (json_int_t)lookup(&ref, NULL, "df"));
    static const char *const keys[] = {"last_14_days_share", "expected_share",
                                       "last_14_days_deal_share", "expected_deal_share", "chi2"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        track(D_TIMING, jnum(t, keys[i]), lookup(&ref, NULL, keys[i]));
        assert_close(jnum(t, keys[i]), lookup(&ref, NULL, keys[i]), TOL_EST);
    }
    track(D_TIMING, jnum(t, "p"), lookup(&ref, NULL, "p"));
    assert_close(jnum(t, "p"), lookup(&ref, NULL, "p"), TOL_SE);
    json_t *obs = jget(t, "week_observed"), *exp_ = jget(t, "week_expected");
    assert_int_equal(json_array_size(obs), json_array_size(exp_));
    assert_int_equal(json_array_size(obs), (size_t)lookup(&ref, NULL, "df") + 1);
    for (size_t i = 0; i < json_array_size(obs); i++) {
        char key[32];
        snprintf(key, sizeof key, "observed_%zu", i);
        assert_close(json_number_value(json_array_get(obs, i)), lookup(&ref, NULL, key), 0);
        snprintf(key, sizeof key, "expected_%zu", i);
        track(D_TIMING, json_number_value(json_array_get(exp_, i)), lookup(&ref, NULL, key));
        assert_close(json_number_value(json_array_get(exp_, i)), lookup(&ref, NULL, key), TOL_EST);
    }
    table_free(&ref);
}

/*
 * SPEC 14.1-14.2 through the model table, against
 * tests/reference/models/reference_within.R: promise_risk_within (survival's
 * exact clogit; the robust SE from its definition), discount_within (lm with
 * a dummy per rep, vcovCL), push_out (lm over rep-periods built by the R
 * script from the deals, vcovCL); counts and dropped terms too.
 */
static void compare_within(const json_t *root)
{
    struct table ref = table_read(FIX "ref_within.csv");
    struct table sum = table_read(FIX "ref_within_summary.csv");
    static const char *const models[] = {"promise_risk_within", "discount_within", "push_out"};
    for (int mi = 0; mi < 3; mi++) {
        const char *name = models[mi];
        bool logit = mi == 0;
        json_t *m = model_json(root, name);
        assert_true(jbool(m, "fitted"));
        assert_true(jbool(m, "converged"));
        assert_int_equal(jint(m, "n"), (json_int_t)lookup(&sum, name, "n"));
        assert_int_equal(jint(m, "clusters"), (json_int_t)lookup(&sum, name, "clusters"));
        if (mi == 0) {
            assert_int_equal(jint(m, "reps"), (json_int_t)lookup(&sum, name, "reps"));
            assert_int_equal(jint(m, "uninformative_reps"),
                             (json_int_t)lookup(&sum, name, "uninformative_reps"));
            assert_int_equal(jint(m, "informative_deals"),
                             (json_int_t)lookup(&sum, name, "informative_deals"));
            assert_close(jnum(m, "deviance"), -2 * lookup(&sum, name, "loglik"), 1e-9);
        } else if (mi == 1) {
            assert_int_equal(jint(m, "rank"), (json_int_t)lookup(&sum, name, "rank"));
            assert_close(jnum(m, "rss"), lookup(&sum, name, "rss"), 1e-9);
        } else {
            assert_int_equal(jint(m, "rep_periods"), (json_int_t)lookup(&sum, name, "rep_periods"));
            assert_int_equal(jint(m, "crossed_late"), (json_int_t)lookup(&sum, name, "crossed_late"));
            assert_int_equal(jint(m, "nothing_to_earn"),
                             (json_int_t)lookup(&sum, name, "nothing_to_earn"));
            assert_close(jnum(m, "rss"), lookup(&sum, name, "rss"), 1e-9);
            /* a term without variation (nobody reached the cap) is dropped and listed */
            json_t *dropped = jget(m, "dropped");
            bool gone = lookup(&sum, name, "dropped_nothing_to_earn") != 0;
            assert_int_equal(json_array_size(dropped), gone ? 1 : 0);
            if (gone)
                assert_string_equal(json_string_value(json_array_get(dropped, 0)), "nothing_to_earn");
        }
        json_t *terms = jget(m, "terms");
        size_t k = 0;
        for (size_t r = 0; r < ref.nrow; r++) {
            if (strcmp(cell(&ref, r, "model"), name) != 0)
                continue;
            json_t *t = json_array_get(terms, k++);
            assert_non_null(t);
            assert_string_equal(jstr(t, "name"), cell(&ref, r, "term"));
            double est = cellnum(&ref, r, "estimate"), sec = cellnum(&ref, r, "se_cluster");
            double z = cellnum(&ref, r, "z");
            assert_close(jnum(t, "estimate"), est, TOL_EST);
            assert_close(jnum(t, "se"), cellnum(&ref, r, "se"), TOL_SE);
            assert_close(jnum(t, "se_cluster"), sec, TOL_SE);
            assert_close(jnum(t, "z"), z, TOL_SE);
            assert_close(jnum(t, "p"), cellnum(&ref, r, "p"), TOL_SE * fmax(1.0, z * z));
            assert_close_scale(jnum(t, "ci_low"), cellnum(&ref, r, "ci_low"), TOL_EST, sec);
            assert_close_scale(jnum(t, "ci_high"), cellnum(&ref, r, "ci_high"), TOL_EST, sec);
            if (logit)
                assert_close(jnum(t, "odds_ratio"), exp(est), TOL_EST * fmax(1.0, fabs(est)));
            else
                assert_null(json_object_get(t, "odds_ratio"));
            /* 16 reps: the within-rep estimates are read, and give the verdicts;
             * the same terms across reps stand beside them */
            if (mi < 2) {
                assert_true(jbool(t, "leads"));
                json_t *a = term_json(model_json(root, mi == 0 ? "promise_risk" : "discount"),
                                      jstr(t, "name"));
                assert_false(jbool(a, "leads"));
            } else {
                assert_null(json_object_get(t, "leads"));
            }
        }
        assert_int_equal(k, json_array_size(terms));
    }
    table_free(&ref);
    table_free(&sum);
}

static void test_against_r(void **state)
{
    (void)state;
    struct pipeline p;
    pipeline_run(&p, FIX "data", "all", 1);
    assert_string_equal(jstr(p.loaded, "period"), "all");
    assert_int_equal(jint(jget(p.loaded, "counts"), "won_deals"), 1315);
    compare_models(p.loaded);
    compare_within(p.loaded);
    compare_correlations(p.loaded);
    compare_timing(p.loaded);
    if (getenv("CS_TEST_VERBOSE"))
        for (int i = 0; i < D_COUNT; i++)
            print_message("largest relative deviation from R, %-24s %.2e\n", dev_names[i], dev_max[i]);
    pipeline_free(&p);
}

/* ======================================================================
 * 2. Planted effects found, null effects not (docs/GENERATOR.md)
 * ==================================================================== */

/* 30000 deals: about 16000 won, 188 reps, 14 marketers, ~300-400 quarterly
 * rep-periods per plan.  Seeds chosen once and fixed; the values they give
 * are in tests/reference/models/README.md, with the margins. */
#define PLANTED_DEALS 30000
#define PLANTED_SEED 102
#define NULL_SEED 11
#define RUN_SEED 1

struct generated {
    char planted_dir[64], null_dir[64];
    struct pipeline planted, null_run;
};

static int generated_setup(void **state)
{
    static struct generated g;
    memset(&g, 0, sizeof g);
    generate(g.planted_dir, sizeof g.planted_dir, PLANTED_DEALS, PLANTED_SEED, false, false);
    generate(g.null_dir, sizeof g.null_dir, PLANTED_DEALS, NULL_SEED, true, false);
    pipeline_run(&g.planted, g.planted_dir, "all", RUN_SEED);
    pipeline_run(&g.null_run, g.null_dir, "all", RUN_SEED);
    *state = &g;
    return 0;
}

static int generated_teardown(void **state)
{
    struct generated *g = *state;
    if (!g)
        return 0;
    pipeline_free(&g->planted);
    pipeline_free(&g->null_run);
    if (g->planted_dir[0])
        remove_tree(g->planted_dir);
    if (g->null_dir[0])
        remove_tree(g->null_dir);
    return 0;
}

static void show_json(const char *what, const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    print_error("%s: %s\n", what, s ? s : "?");
    free(s);
}

/* One term on one line: on stdout with CS_TEST_VERBOSE, else (on failure) on stderr. */
static void show_term(const char *model, const json_t *t, bool failing)
{
    char line[300];
    snprintf(line, sizeof line, "%s %s: estimate %.6g se %.6g se_cluster %.6g z %.4g p %.4g\n",
             model, jstr(t, "name"), jnum(t, "estimate"), jnum(t, "se"), jnum(t, "se_cluster"),
             jnum(t, "z"), jnum(t, "p"));
    if (failing)
        print_error("%s", line);
    else if (getenv("CS_TEST_VERBOSE"))
        print_message("%s", line);
}

/* A planted term: p below p_max and the estimate within [lo, hi] (which fixes its sign). */
static void expect_effect(const json_t *root, const char *model, const char *term, double p_max,
                          double lo, double hi)
{
    json_t *t = term_json(model_json(root, model), term);
    double est = jnum(t, "estimate"), p = jnum(t, "p");
    bool ok = p < p_max && est >= lo && est <= hi;
    show_term(model, t, !ok);
    if (!ok)
        fail_msg("%s %s: expected p < %g and an estimate in [%g, %g]", model, term, p_max, lo, hi);
}

/* An unplanted term: not significant. */
static void expect_nothing(const json_t *root, const char *model, const char *term, double p_min)
{
    json_t *t = term_json(model_json(root, model), term);
    bool ok = jnum(t, "p") > p_min;
    show_term(model, t, !ok);
    if (!ok)
        fail_msg("%s %s: expected p > %g (nothing planted)", model, term, p_min);
}

static void test_planted_models(void **state)
{
    const json_t *r = ((struct generated *)*state)->planted.loaded;
    /* promise_risk: planted +8.0, +0.6, +0.5, +0.5 (spiff); type 0 */
    expect_effect(r, "promise_risk", "marginal_rate", 1e-3, 3.0, 13.0);
    expect_effect(r, "promise_risk", "tier_cross", 1e-3, 0.3, 0.9);
    expect_effect(r, "promise_risk", "last_14_days", 1e-3, 0.3, 0.7);
    expect_effect(r, "promise_risk", "spiff", 1e-3, 0.2, 0.8);
    expect_nothing(r, "promise_risk", "type[expansion]", 0.05);
    expect_nothing(r, "promise_risk", "type[renewal]", 0.05);
    /* discount: +5.0 last 14 days, +2.0 log_amount, -3.0 renewal; 0 for the incentives */
    expect_effect(r, "discount", "last_14_days", 1e-6, 4.6, 5.4);
    expect_effect(r, "discount", "log_amount", 1e-6, 1.8, 2.2);
    expect_effect(r, "discount", "type[renewal]", 1e-6, -3.4, -2.6);
    expect_nothing(r, "discount", "marginal_rate", 0.05);
    expect_nothing(r, "discount", "tier_cross", 0.05);
    expect_nothing(r, "discount", "spiff", 0.05);
    /* collateral: +3.0 target_gap */
    expect_effect(r, "collateral", "target_gap", 1e-2, 1.0, 5.0);
    json_t *pr = model_json(r, "promise_risk");
    assert_int_equal(jint(pr, "clusters"), 188);
    /* rep effects: cluster SE of marginal_rate above the model SE */
    json_t *mr = term_json(pr, "marginal_rate");
    assert_true(jnum(mr, "se_cluster") > jnum(mr, "se"));
}

static void test_planted_timing(void **state)
{
    const json_t *t = jget(((struct generated *)*state)->planted.loaded, "timing");
    double share = jnum(t, "last_14_days_share"), expected = jnum(t, "expected_share");
    if (getenv("CS_TEST_VERBOSE"))
        print_message("timing: share %.4f expected %.4f chi2 %.1f p %.3g\n", share, expected,
                      jnum(t, "chi2"), jnum(t, "p"));
    /* GENERATOR.md: about 0.244 against 0.098 over all plans */
    if (!(share > expected + 0.1 && share > 0.2 && share < 0.3 && jnum(t, "p") < 1e-3))
        fail_msg("timing: share %.6g expected %.6g chi2 %.6g p %.6g", share, expected,
                 jnum(t, "chi2"), jnum(t, "p"));
    assert_true(expected > 0.09 && expected < 0.11);
}

/* Bunching at each plan's floors: z > z_planted where planted (the 1.0
 * floor of the quarterly plans), |z| < z_none (or no estimate) elsewhere,
 * placebos included.  ENT-Y's 1.0 is planted but too thin to require. */
static void check_bunching(const json_t *root, bool planted, double z_planted, double z_none)
{
    json_t *a = jget(root, "bunching"), *b;
    size_t i, found = 0;
    assert_int_equal(json_array_size(a), 12);    /* 3 plans x 2 floors x (floor, placebo) */
    json_array_foreach(a, i, b) {
        const char *plan = jstr(b, "plan_id");
        bool placebo = jbool(b, "placebo");
        double floor_ = jnum(b, "tier_floor"), z = jnum(b, "z");
        bool target = planted && !placebo && floor_ == 1.0 && strcmp(plan, "ENT-Y") != 0;
        if (getenv("CS_TEST_VERBOSE"))
            print_message("bunching %-5s %.2f%s: n %lld B %.4g se %.4g z %.4g%s\n", plan,
                          jnum(b, "threshold"), placebo ? " placebo" : "", (long long)jint(b, "n_binned"),
                          jnum(b, "excess_mass"), jnum(b, "excess_mass_se"), z,
                          json_object_get(b, "note") ? " (no estimate)" : "");
        bool entry_planted = planted && !placebo && floor_ == 1.0;
        if (target) {
            found++;
            if (!(z > z_planted))
                fail_msg("bunching %s at %g: z = %.6g (B %.6g, se %.6g), expected > %g", plan,
                         floor_, z, jnum(b, "excess_mass"), jnum(b, "excess_mass_se"), z_planted);
            assert_true(jnum(b, "excess_mass") > 0);
        } else if (!entry_planted && isfinite(z) && !(fabs(z) < z_none)) {
            fail_msg("bunching %s at %g%s: z = %.6g (B %.6g, se %.6g), expected |z| < %g", plan,
                     jnum(b, "threshold"), placebo ? " (placebo)" : "", z, jnum(b, "excess_mass"),
                     jnum(b, "excess_mass_se"), z_none);
        }
    }
    assert_int_equal(found, planted ? 2 : 0);
    /* the planted floors must have been estimated at all */
    json_t *mm = bunching_json(root, "MM-Q", 1.0, false), *smb = bunching_json(root, "SMB-Q", 1.0, false);
    assert_false(json_is_null(jget(mm, "z")));
    assert_false(json_is_null(jget(smb, "z")));
}

static void test_planted_bunching(void **state)
{
    check_bunching(((struct generated *)*state)->planted.loaded, true, 3.0, 2.5);
}

static void test_null_nothing(void **state)
{
    const json_t *r = ((struct generated *)*state)->null_run.loaded;
    static const char *const deal_terms[] = {"marginal_rate", "tier_cross", "last_14_days",
                                             "log_amount", "spiff", "type[expansion]",
                                             "type[renewal]"};
    for (size_t i = 0; i < sizeof deal_terms / sizeof deal_terms[0]; i++) {
        expect_nothing(r, "promise_risk", deal_terms[i], 0.01);
        expect_nothing(r, "discount", deal_terms[i], 0.01);
    }
    expect_nothing(r, "collateral", "target_gap", 0.01);
    expect_nothing(r, "collateral", "last_14_days", 0.01);
    json_t *t = jget(r, "timing");
    double share = jnum(t, "last_14_days_share"), expected = jnum(t, "expected_share");
    if (getenv("CS_TEST_VERBOSE"))
        print_message("null timing: share %.4f expected %.4f chi2 %.1f p %.3g\n", share, expected,
                      jnum(t, "chi2"), jnum(t, "p"));
    if (!(fabs(share - expected) < 0.01 && jnum(t, "p") > 0.01))
        fail_msg("null timing: share %.6g expected %.6g chi2 %.6g p %.6g", share, expected,
                 jnum(t, "chi2"), jnum(t, "p"));
    check_bunching(r, false, 0, 2.5);
    /* no promise_risk correlation survives BH at 1% */
    json_t *c;
    size_t i;
    json_array_foreach(jget(r, "correlations"), i, c) {
        if (strcmp(jstr(c, "y"), "discount_pct") == 0 || strcmp(jstr(c, "y"), "promise_risk") == 0) {
            double q = jnum(c, "q");
            if (!(q > 0.01))
                fail_msg("null correlation %s ~ %s: r %.4g q %.4g", jstr(c, "x"), jstr(c, "y"),
                         jnum(c, "pearson"), q);
        }
    }
}

/* ======================================================================
 * 4. Determinism
 * ==================================================================== */

static bool bootstrap_member(const char *key)
{
    static const char *const keys[] = {"excess_mass_se", "missing_mass_se", "b_se", "z", "p"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* The verdict members (issue 19): Benjamini-Hochberg runs over a family
 * that holds the bunching estimates, whose p-values move with the
 * bootstrap, so q, the level of the printed intervals and a verdict near
 * the boundary may move with the seed too (never a correlation's q). */
static bool family_member(const char *path, const char *key)
{
    static const char *const keys[] = {"q", "verdict", "reported_level", "reported_low",
                                       "reported_high", "reported_or_low", "reported_or_high"};
    if (strncmp(path, "$.correlations", 14) == 0)
        return false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* Walk a and b in step; a difference is allowed only in the seed itself, in
 * the bootstrap figures of bunching rows and in the verdict members.
 * Counts the allowed ones. */
static void diff_json(const json_t *a, const json_t *b, const char *path, bool in_bunching,
                      size_t *changed)
{
    char sub[512];
    if (json_typeof(a) != json_typeof(b))
        fail_msg("%s: JSON types differ between seeds", path);
    if (json_is_object(a)) {
        const char *key;
        json_t *x;
        assert_int_equal(json_object_size(a), json_object_size(b));
        json_object_foreach((json_t *)a, key, x) {
            json_t *y = json_object_get(b, key);
            if (!y)
                fail_msg("%s.%s: missing with the other seed", path, key);
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            if (json_equal(x, y))
                continue;
            bool allowed = (strcmp(path, "$") == 0 && strcmp(key, "seed") == 0) ||
                           (in_bunching && bootstrap_member(key)) || family_member(path, key);
            if (allowed && !json_is_object(x) && !json_is_array(x)) {
                (*changed)++;
                continue;
            }
            diff_json(x, y, sub, in_bunching || strcmp(sub, "$.bunching") == 0, changed);
        }
    } else if (json_is_array(a)) {
        size_t i;
        json_t *x;
        assert_int_equal(json_array_size(a), json_array_size(b));
        json_array_foreach(a, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            diff_json(x, json_array_get(b, i), sub, in_bunching, changed);
        }
    } else if (!json_equal(a, b)) {
        char *sa = json_dumps(a, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        char *sb = json_dumps(b, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        print_error("%s: %s vs %s\n", path, sa ? sa : "?", sb ? sb : "?");
        free(sa);
        free(sb);
        fail_msg("%s changed with the seed", path);
    }
}

static void test_determinism(void **state)
{
    struct generated *g = *state;
    struct pipeline again, other;
    /* same input, same seed: byte-identical */
    pipeline_run(&again, g->planted_dir, "all", RUN_SEED);
    assert_string_equal(again.dump, g->planted.dump);
    pipeline_free(&again);
    /* another seed: only the bootstrap figures of bunching (and the seed) move */
    pipeline_run(&other, g->planted_dir, "all", RUN_SEED + 1000);
    size_t changed = 0;
    diff_json(g->planted.loaded, other.loaded, "$", false, &changed);
    /* the seed, and the SEs of every estimated bunching row */
    assert_true(changed > 1 + 3 * 8);
    json_t *b = bunching_json(other.loaded, "SMB-Q", 1.0, false);
    json_t *b0 = bunching_json(g->planted.loaded, "SMB-Q", 1.0, false);
    assert_true(jnum(b, "excess_mass_se") != jnum(b0, "excess_mass_se"));
    assert_true(jnum(b, "excess_mass") == jnum(b0, "excess_mass"));
    pipeline_free(&other);
}

/* The committed fixture, too (its bunching rows are mostly too thin). */
static void test_determinism_fixture(void **state)
{
    (void)state;
    struct pipeline a, b;
    pipeline_run(&a, FIX "data", "all", 7);
    pipeline_run(&b, FIX "data", "all", 7);
    assert_string_equal(a.dump, b.dump);
    pipeline_free(&b);
    pipeline_run(&b, FIX "data", "all", 8);
    size_t changed = 0;
    diff_json(a.loaded, b.loaded, "$", false, &changed);
    assert_true(changed >= 1);
    pipeline_free(&a);
    pipeline_free(&b);
}

/* ======================================================================
 * 5. rows_read = rows_used + rows_rejected on a dirty set
 * ==================================================================== */

static void test_dirty_counts(void **state)
{
    (void)state;
    char dir[64];
    struct pipeline p;
    generate(dir, sizeof dir, 3000, 2026, false, true);
    pipeline_run(&p, dir, "all", 1);   /* asserts the balance for every file */
    json_t *counts = jget(p.loaded, "counts");
    json_t *rej = jget(counts, "rows_rejected"), *read = jget(counts, "rows_read"), *v;
    const char *file;
    static const struct {
        const char *file;
        json_int_t rejected;
    /* deals.csv: six dirty rows, but the one with a Latin-1 byte makes the
     * file Windows-1252 (SPEC 12, encoding = auto), where it is valid */
    } expect[] = {{"deals.csv", 5}, {"reps.csv", 1}, {"quotas.csv", 1}, {"promises.csv", 1},
                  {"claims.csv", 1}, {"targets.csv", 1}};
    json_int_t total = 0;
    assert_int_equal(json_object_size(read), 11);
    json_object_foreach(rej, file, v) {
        json_int_t want = 0;
        for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
            if (strcmp(file, expect[i].file) == 0)
                want = expect[i].rejected;
        if (json_integer_value(v) != want)
            fail_msg("%s: %lld rejected, expected %lld", file, (long long)json_integer_value(v),
                     (long long)want);
        total += json_integer_value(v);
    }
    assert_int_equal(total, (json_int_t)p.ds->n_rejects);
    pipeline_free(&p);
    remove_tree(dir);
}

/* ======================================================================
 * 3. Degenerate inputs: an explained result, never a crash or a NaN
 * ==================================================================== */

struct world {
    int deals;           /* won deals (every third deal after them is lost) */
    int reps;            /* AEs R1..Rn on plan P1 */
    int teams;           /* AE i is in team T(i % teams) */
    bool single_tier;    /* P1 has only its floor-0 tier */
    bool one_week;       /* every close date in 2025-01-01 .. 2025-01-07 */
    bool no_promises;    /* no promises.csv (roadmap.csv is there) */
    bool no_collateral;  /* neither collateral.csv, claims.csv nor targets.csv */
    enum { RISK_MIXED, RISK_ALL_Q2, RISK_IS_SPIFF, RISK_FIRST } risk;
};

/* A growing text buffer. */
struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* A small pseudo-random sequence, fixed for the tests. */
static unsigned mix(unsigned i)
{
    i = (i ^ 61u) ^ (i >> 16);
    i *= 9u;
    i ^= i >> 4;
    i *= 0x27d4eb2du;
    return i ^ (i >> 15);
}

static void write_world(char *dir, size_t n, const struct world *w)
{
    struct sbuf b = {0};
    snprintf(dir, n, "/tmp/cs_test_analysis_XXXXXX");
    assert_non_null(mkdtemp(dir));

    put(dir, "plans.csv", w->single_tier
        ? "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,100000,0,0.08\n"
        : "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,100000,0,0.08\n"
          "P1,quarter,100000,1.0,0.12\n");

    sb_printf(&b, "rep_id,name,team,role,plan_id,manager\n");
    for (int r = 1; r <= w->reps; r++)
        sb_printf(&b, "R%d,Rep %d,T%d,AE,P1,\n", r, r, r % (w->teams ? w->teams : 1));
    sb_printf(&b, "M1,Mo,Marketing,Marketing,,\nM2,Max,Marketing,Marketing,,\n");
    put(dir, "reps.csv", b.s);
    b.len = 0;

    put(dir, "spiffs.csv", "spiff_id,product,start_date,end_date,amount\n"
                           "S1,Analytics,2025-02-01,2025-03-15,500\n");

    /* deals: won ones first, then some lost ones */
    struct sbuf pr = {0};
    sb_printf(&pr, "promise_id,deal_id,feature_id,promised_date,due_date,text\n");
    sb_printf(&b, "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n");
    static const char *const types[] = {"new", "expansion", "renewal"};
    int total = w->deals + w->deals / 3;
    for (int i = 0; i < total; i++) {
        bool won = i < w->deals;
        unsigned h = mix((unsigned)i + 1);
        int day = w->one_week ? (int)(h % 7) : (int)(h % 181);   /* 2025-01-01 + day */
        int month = 1, mday = day + 1;
        static const int mdays[] = {31, 28, 31, 30, 31, 30};
        while (mday > mdays[month - 1]) {
            mday -= mdays[month - 1];
            month++;
        }
        bool analytics = (h >> 8) % 4 == 0;
        bool spiff = analytics && ((month == 2) || (month == 3 && mday <= 15));
        int amount = 4000 + (int)((h >> 12) % 22000);
        double discount = (double)((h >> 5) % 250) / 10.0;
        sb_printf(&b, "D%04d,R%d,Acct %d,%s,%s,%d,%.1f,2024-12-01,2025-%02d-%02d,%s\n", i,
                  1 + (int)((h >> 3) % (unsigned)w->reps), i, types[(h >> 16) % 3],
                  analytics ? "Analytics" : "Core", amount, discount, month, mday,
                  won ? "won" : "lost");
        bool risky;
        switch (w->risk) {
        case RISK_ALL_Q2:
            risky = month >= 4 || (h >> 20) % 10 < 3;
            break;
        case RISK_IS_SPIFF:
            risky = spiff;
            break;
        case RISK_FIRST:
            risky = i == 0;
            break;
        default:
            risky = (h >> 20) % 10 < 3;
        }
        if (risky)
            sb_printf(&pr, "P%04da,D%04d,,2024-12-15,,On-premise deployment\n", i, i);
        if ((h >> 24) % 2)
            sb_printf(&pr, "P%04db,D%04d,F1,2024-12-15,,Audit log\n", i, i);
    }
    put(dir, "deals.csv", b.s);
    put(dir, "roadmap.csv", "feature_id,title,status,target_date,shipped_date\n"
                            "F1,Audit log,shipped,2024-01-01,2024-01-10\n"
                            "F2,Forecasts,planned,2026-01-01,\n");
    if (!w->no_promises)
        put(dir, "promises.csv", pr.s);
    if (!w->no_collateral) {
        b.len = 0;
        sb_printf(&b, "asset_id,title,owner_id,campaign,published_date\n");
        struct sbuf cl = {0};
        sb_printf(&cl, "asset_id,feature_id,claim,text\n");
        for (int a = 0; a < 24; a++) {
            unsigned h = mix((unsigned)a + 1000);
            int month = 1 + (int)(h % 6), mday = 1 + (int)((h >> 4) % 28);
            sb_printf(&b, "A%02d,Asset %d,M%d,C,2025-%02d-%02d\n", a, a, 1 + a % 2, month, mday);
            sb_printf(&cl, "A%02d,F1,available,Audit log is here\n", a);
            if ((h >> 9) % 3 == 0)
                sb_printf(&cl, "A%02d,F2,available,Forecasts are here\n", a);
        }
        put(dir, "collateral.csv", b.s);
        put(dir, "claims.csv", cl.s);
        put(dir, "targets.csv", "owner_id,period,target,actual\n"
                                "M1,2025Q1,100000,90000\nM1,2025Q2,100000,60000\n"
                                "M2,2025Q1,100000,105000\nM2,2025Q2,100000,80000\n");
        free(cl.s);
    }
    free(b.s);
    free(pr.s);
}

static const struct world base_world = {.deals = 80, .reps = 4, .teams = 2, .risk = RISK_MIXED};

/* The base world fits every model normally (the degenerate cases below
 * differ from it in one respect each). */
static void test_world_base(void **state)
{
    (void)state;
    char dir[64];
    struct pipeline p;
    write_world(dir, sizeof dir, &base_world);
    pipeline_run(&p, dir, "all", 1);
    for (int m = 0; m < 3; m++) {
        static const char *const names[] = {"promise_risk", "discount", "collateral"};
        json_t *j = model_json(p.loaded, names[m]);
        if (!jbool(j, "fitted") || json_array_size(jget(j, "notes")) != 0 ||
            json_array_size(jget(j, "dropped")) != 0) {
            char *s = json_dumps(j, JSON_INDENT(1));
            print_error("%s\n", s);
            free(s);
            fail_msg("base world: %s not a plain fit", names[m]);
        }
    }
    assert_int_equal(jint(jget(p.loaded, "counts"), "won_deals"), 80);
    pipeline_free(&p);
    remove_tree(dir);
}

static void run_world(const struct world *w, const char *period, struct pipeline *p, char *dir, size_t n)
{
    write_world(dir, n, w);
    pipeline_run(p, dir, period, 1);
}

static void end_world(struct pipeline *p, char *dir)
{
    pipeline_free(p);
    remove_tree(dir);
}

/* A fitted model object that carries the text of flag among its notes. */
static void expect_note(const json_t *root, const char *model, const char *text, bool fitted)
{
    json_t *m = model_json(root, model);
    if (jbool(m, "fitted") != fitted || !(mentions(m, "notes", text) || mentions(m, "note", text))) {
        char *s = json_dumps(m, JSON_INDENT(1));
        print_error("%s\n", s);
        free(s);
        fail_msg("%s: expected fitted %s and a note with \"%s\"", model, fitted ? "true" : "false", text);
    }
}

static void test_no_promises(void **state)
{
    (void)state;
    struct world w = base_world;
    w.no_promises = true;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    expect_note(p.loaded, "promise_risk", "promises.csv", false);
    assert_true(jbool(model_json(p.loaded, "discount"), "fitted"));
    /* the promise correlations have no pairs, and say so */
    json_t *c;
    size_t i;
    json_array_foreach(jget(p.loaded, "correlations"), i, c) {
        if (strcmp(jstr(c, "y"), "discount_pct") != 0) {
            assert_int_equal(jint(c, "n"), 0);
            assert_true(json_is_null(jget(c, "pearson")));
            assert_true(strlen(jstr(c, "note")) > 0);
        }
    }
    assert_true(strlen(jstr(jget(p.loaded, "rep_shrinkage"), "note")) > 0);
    assert_int_equal(json_array_size(jget(p.loaded, "voice_of_the_field")), 0);
    end_world(&p, dir);
}

static void test_no_collateral(void **state)
{
    (void)state;
    struct world w = base_world;
    w.no_collateral = true;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    expect_note(p.loaded, "collateral", "collateral.csv", false);
    end_world(&p, dir);
}

static void test_one_rep(void **state)
{
    (void)state;
    struct world w = base_world;
    w.reps = 1;
    w.teams = 1;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    const char *few = cs_regress_flag_text(CS_REGRESS_FEW_CLUSTERS);
    assert_true(strlen(few) > 0);
    for (int m = 0; m < 2; m++) {
        const char *name = m ? "discount" : "promise_risk";
        json_t *j = model_json(p.loaded, name);
        expect_note(p.loaded, name, few, true);
        assert_int_equal(jint(j, "clusters"), 1);
        json_t *t = term_json(j, "last_14_days");
        /* estimates and model SEs stand; the cluster figures are null, not made up */
        assert_false(json_is_null(jget(t, "estimate")));
        assert_false(json_is_null(jget(t, "se")));
        assert_true(json_is_null(jget(t, "se_cluster")));
        assert_true(json_is_null(jget(t, "z")));
        assert_true(json_is_null(jget(t, "p")));
    }
    assert_int_equal(json_array_size(jget(jget(p.loaded, "rates"), "team")), 1);
    assert_true(jbool(jget(p.loaded, "rep_shrinkage"), "pooled"));
    end_world(&p, dir);
}

static void test_one_team(void **state)
{
    (void)state;
    struct world w = base_world;
    w.teams = 1;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    json_t *teams = jget(jget(p.loaded, "rates"), "team");
    assert_int_equal(json_array_size(teams), 1);
    json_t *t = json_array_get(teams, 0);
    assert_int_equal(jint(t, "deals"), 80);
    assert_true(jnum(t, "ci_low") <= jnum(t, "rate") && jnum(t, "rate") <= jnum(t, "ci_high"));
    assert_true(jbool(model_json(p.loaded, "promise_risk"), "fitted"));
    end_world(&p, dir);
}

static void test_one_week(void **state)
{
    (void)state;
    struct world w = base_world;
    w.one_week = true;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    /* no deal in the last 14 days: the term has no variation, dropped and listed */
    for (int m = 0; m < 2; m++) {
        json_t *j = model_json(p.loaded, m ? "discount" : "promise_risk");
        if (!mentions(j, "dropped", "last_14_days"))
            show_json("one week", j);
        assert_true(mentions(j, "dropped", "last_14_days"));
        assert_true(jbool(j, "fitted"));
    }
    json_t *t = jget(p.loaded, "timing");
    assert_true(jnum(t, "last_14_days_share") == 0);
    assert_true(jnum(t, "p") < 1e-6);      /* all in week 0 of 13: not uniform */
    assert_int_equal(json_array_size(jget(p.loaded, "quarters")), 1);
    end_world(&p, dir);
}

static void test_single_tier(void **state)
{
    (void)state;
    struct world w = base_world;
    w.single_tier = true;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    /* no floor > 0: no bunching rows at all */
    assert_int_equal(json_array_size(jget(p.loaded, "bunching")), 0);
    /* one rate, never a crossing: both terms dropped and listed */
    for (int m = 0; m < 2; m++) {
        json_t *j = model_json(p.loaded, m ? "discount" : "promise_risk");
        json_t *d = jget(j, "dropped");
        if (json_array_size(d) != 2)
            show_json("single tier", j);
        assert_int_equal(json_array_size(d), 2);
        assert_string_equal(json_string_value(json_array_get(d, 0)), "marginal_rate");
        assert_string_equal(json_string_value(json_array_get(d, 1)), "tier_cross");
        assert_true(jbool(j, "fitted"));
    }
    /* gap_to_next_tier is blank everywhere (no pairs), marginal_rate and
     * tier_cross constant: no figures, a note each */
    json_t *c;
    size_t i;
    json_array_foreach(jget(p.loaded, "correlations"), i, c) {
        const char *x = jstr(c, "x");
        if (strcmp(x, "gap_to_next_tier") == 0)
            assert_int_equal(jint(c, "n"), 0);
        if (strcmp(x, "gap_to_next_tier") == 0 || strcmp(x, "marginal_rate") == 0 ||
            strcmp(x, "tier_cross") == 0) {
            if (!json_is_null(jget(c, "pearson")))
                show_json("single tier", c);
            assert_true(json_is_null(jget(c, "pearson")));
            assert_true(json_is_null(jget(c, "spearman")));
            assert_true(json_is_null(jget(c, "q")));
            assert_true(strlen(jstr(c, "note")) > 0);
        }
    }
    end_world(&p, dir);
}

/*
 * KNOWN BUG, reported to the lead (fails until src/measures/incentives.c is fixed):
 * under a single-tier plan effective_rate is the tier's rate for every deal
 * (0.08 here), but compsight evaluates commission = Q * rate * (a1 - a0)
 * with a1 = a0 + amount / Q, so effective_rate = commission / amount comes
 * out as 0.07999999999999988 ... 0.08000000000000014 (10 distinct values
 * over 80 deals).  cs_corr sees a varying x and reports a correlation of
 * rounding noise (here r = -0.14, Spearman rho = -0.19, p = 0.09) instead
 * of "x takes one value".  The same noise breaks the ties of effective_rate
 * inside every tier of any plan, which moves its Spearman rho.
 */
static void test_single_tier_effective_rate(void **state)
{
    (void)state;
    struct world w = base_world;
    w.single_tier = true;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    size_t distinct = 0;
    double seen[8];
    for (size_t i = 0; i < p.ds->deals.n; i++) {
        if (!p.inc->won[i])
            continue;
        double e = p.inc->effective_rate[i];
        size_t j = 0;
        while (j < distinct && seen[j] != e)
            j++;
        if (j == distinct) {
            if (distinct == sizeof seen / sizeof seen[0])
                break;
            seen[distinct++] = e;
        }
    }
    json_t *c;
    size_t i;
    bool noise = false;
    json_array_foreach(jget(p.loaded, "correlations"), i, c) {
        if (strcmp(jstr(c, "x"), "effective_rate") == 0 && !json_is_null(jget(c, "pearson"))) {
            show_json("effective_rate under a single 0.08 tier", c);
            noise = true;
        }
    }
    end_world(&p, dir);
    if (distinct != 1 || noise)
        fail_msg("KNOWN BUG (src/measures/incentives.c commission/effective_rate): a single-tier plan's "
                 "effective_rate takes %zu%s distinct values (rounding of Q * rate * (a1 - a0)), "
                 "and its correlations are reported on that noise instead of \"x takes one value\"",
                 distinct, distinct == sizeof seen / sizeof seen[0] ? "+" : "");
}

static void test_three_won_deals(void **state)
{
    (void)state;
    struct world w = base_world;
    w.deals = 3;
    w.risk = RISK_FIRST;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    assert_int_equal(jint(jget(p.loaded, "counts"), "won_deals"), 3);
    for (int m = 0; m < 2; m++) {
        const char *name = m ? "discount" : "promise_risk";
        json_t *j = model_json(p.loaded, name);
        expect_note(p.loaded, name, cs_regress_flag_text(CS_REGRESS_TOO_FEW_ROWS), false);
        json_t *t;
        size_t i;
        json_array_foreach(jget(j, "terms"), i, t) assert_true(json_is_null(jget(t, "estimate")));
    }
    end_world(&p, dir);
}

static void test_all_risky_period(void **state)
{
    (void)state;
    struct world w = base_world;
    w.risk = RISK_ALL_Q2;
    char dir[64];
    struct pipeline p;
    run_world(&w, "2025Q2", &p, dir, sizeof dir);
    assert_string_equal(jstr(p.loaded, "period"), "2025Q2");
    json_t *counts = jget(p.loaded, "counts");
    assert_true(jint(counts, "won_deals") > 10);
    assert_int_equal(jint(counts, "risky_deals"), jint(counts, "won_deals"));
    expect_note(p.loaded, "promise_risk", cs_regress_flag_text(CS_REGRESS_Y_CONSTANT), false);
    assert_true(jbool(model_json(p.loaded, "discount"), "fitted"));
    /* y constant: promise_risk correlations say so */
    json_t *c;
    size_t i;
    json_array_foreach(jget(p.loaded, "correlations"), i, c) {
        if (strcmp(jstr(c, "y"), "promise_risk") == 0) {
            assert_true(json_is_null(jget(c, "pearson")));
            assert_true(strlen(jstr(c, "note")) > 0);
        }
    }
    /* every team's rate is 1, inside its interval */
    json_array_foreach(jget(jget(p.loaded, "rates"), "team"), i, c) {
        assert_true(jnum(c, "rate") == 1.0 && jnum(c, "ci_high") == 1.0);
    }
    end_world(&p, dir);
}

static void test_separation(void **state)
{
    (void)state;
    struct world w = base_world;
    w.risk = RISK_IS_SPIFF;
    char dir[64];
    struct pipeline p;
    run_world(&w, "all", &p, dir, sizeof dir);
    json_t *m = model_json(p.loaded, "promise_risk");
    expect_note(p.loaded, "promise_risk", cs_regress_flag_text(CS_REGRESS_SEPARATION), true);
    assert_true(jbool(m, "separation"));
    assert_true(jbool(term_json(m, "spiff"), "separated"));
    /* the Firth refit is there, with finite numbers for every term */
    json_t *firth = jget(m, "firth");
    assert_true(jbool(firth, "fitted"));
    json_t *t;
    size_t i;
    json_array_foreach(jget(firth, "terms"), i, t) {
        assert_false(json_is_null(jget(t, "estimate")));
        assert_false(json_is_null(jget(t, "se")));
    }
    assert_true(jnum(term_json(firth, "spiff"), "estimate") > 2);
    end_world(&p, dir);
}

/* No collateral asset has a target row: the model says why it was not run. */
static void test_collateral_without_targets(void **state)
{
    (void)state;
    char dir[64];
    struct pipeline p;
    write_world(dir, sizeof dir, &base_world);
    put(dir, "targets.csv", "owner_id,period,target,actual\nM1,2024Q1,100000,90000\n");
    pipeline_run(&p, dir, "all", 1);
    expect_note(p.loaded, "collateral", "target", false);
    end_world(&p, dir);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest fixture_tests[] = {
        cmocka_unit_test(test_against_r),
        cmocka_unit_test(test_determinism_fixture),
        cmocka_unit_test(test_dirty_counts),
    };
    const struct CMUnitTest world_tests[] = {
        cmocka_unit_test(test_world_base),
        cmocka_unit_test(test_no_promises),
        cmocka_unit_test(test_no_collateral),
        cmocka_unit_test(test_one_rep),
        cmocka_unit_test(test_one_team),
        cmocka_unit_test(test_one_week),
        cmocka_unit_test(test_single_tier),
        cmocka_unit_test(test_single_tier_effective_rate),
        cmocka_unit_test(test_three_won_deals),
        cmocka_unit_test(test_all_risky_period),
        cmocka_unit_test(test_separation),
        cmocka_unit_test(test_collateral_without_targets),
    };
    const struct CMUnitTest generated_tests[] = {
        cmocka_unit_test(test_planted_models),
        cmocka_unit_test(test_planted_timing),
        cmocka_unit_test(test_planted_bunching),
        cmocka_unit_test(test_null_nothing),
        cmocka_unit_test(test_determinism),
    };
    int fails = cmocka_run_group_tests_name("against R", fixture_tests, NULL, NULL);
    fails += cmocka_run_group_tests_name("degenerate inputs", world_tests, NULL, NULL);
    fails += cmocka_run_group_tests_name("planted and null effects", generated_tests,
                                         generated_setup, generated_teardown);
    return fails ? 1 : 0;
}
