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

#include <ftw.h>
#include <jansson.h>
#include <unistd.h>

#include "compsight/analysis.h"
#include "compsight/calendar.h"
#include "compsight/commands.h"
#include "compsight/dataset.h"
#include "compsight/findings.h"
#include "compsight/generate.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/proposal.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "compsight/verdict.h"
#include "compsight/whatifdoc.h"
#include "cli/propose.h"
#include "report/wording.h"
#include "stats_helpers.h"

#define VFIX CS_TEST_DIR "/fixtures/verdict/"
#define HANDMADE CS_TEST_DIR "/reference/handmade"
#define SAMPLE CS_SOURCE_DIR "/data/sample"

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

/* ======================================================================
 * 2. The one number formatter (src/report/wording.c)
 * ==================================================================== */

static void test_numbers(void **state)
{
    (void)state;
    char b[128];
    /* never "-0": a value that rounds to zero prints 0 */
    assert_string_equal(cs_words_num(b, sizeof b, -1e-12), "0");
    assert_string_equal(cs_words_num(b, sizeof b, -0.0), "0");
    assert_string_equal(cs_words_num(b, sizeof b, 2.84), "2.8");
    assert_string_equal(cs_words_num(b, sizeof b, 133.4), "133");
    assert_string_equal(cs_words_num(b, sizeof b, 1234.6), "1,235");
    assert_string_equal(cs_words_num(b, sizeof b, 0.0424), "0.042");
    assert_string_equal(cs_words_num(b, sizeof b, NAN), "n/a");
    /* both ends of a range with the precision of the larger */
    assert_string_equal(cs_words_num_range(b, sizeof b, 0.0642, 5.61), "0.1 to 5.6");
    assert_string_equal(cs_words_num_range(b, sizeof b, -0.0001, -0.00002), "-0.00010 to -0.00002");
    assert_string_equal(cs_words_num_range(b, sizeof b, -13000, -0.4), "-13,000 to 0");
    /* and more digits when the ends would read the same */
    assert_string_equal(cs_words_num_range(b, sizeof b, 1.36, 1.44), "1.36 to 1.44");
    /* money: the currency, one unit for both ends: never "-13k to -133" */
    assert_string_equal(cs_words_money(b, sizeof b, -4890, "USD"), "-4.9k USD");
    assert_string_equal(cs_words_money(b, sizeof b, 1234567, "USD"), "1.2M USD");
    assert_string_equal(cs_words_money(b, sizeof b, 950, "EUR"), "950 EUR");
    assert_string_equal(cs_words_money(b, sizeof b, -0.001, "USD"), "0 USD");
    assert_string_equal(cs_words_money_range(b, sizeof b, -13000, -133, "USD"), "-13k to 0 USD");
    assert_string_equal(cs_words_money_range(b, sizeof b, 300, 3100, "USD"), "0.3k to 3.1k USD");
    /* percentages one way: exact when short (a plan's rate), else two digits */
    assert_string_equal(cs_words_pct(b, sizeof b, 0.125), "12.5%");
    assert_string_equal(cs_words_pct(b, sizeof b, 0.0875), "8.75%");
    assert_string_equal(cs_words_pct(b, sizeof b, 1.0), "100%");
    assert_string_equal(cs_words_pct(b, sizeof b, 0.22345), "22%");
    assert_string_equal(cs_words_pct(b, sizeof b, 0.03412), "3.4%");
    assert_string_equal(cs_words_pct(b, sizeof b, 0.0), "0%");
    assert_string_equal(cs_words_pct(b, sizeof b, -1e-13), "0%");
    assert_string_equal(cs_words_pct_range(b, sizeof b, 0.0366, 0.376), "4% to 38%");
    assert_string_equal(cs_words_level(b, sizeof b, 1 - 7 * 0.05 / 15), "98%");
    assert_string_equal(cs_words_level(b, sizeof b, 1 - 0.05 / 15), "99.7%");
    assert_string_equal(cs_words_level(b, sizeof b, 0.95), "95%");
    assert_string_equal(cs_words_ratio_range(b, sizeof b, 36.6, 211), "37 to 211");
    assert_string_equal(cs_words_p(b, sizeof b, 0.0035), "0.0035");
    assert_string_equal(cs_words_p(b, sizeof b, 0.0002), "< 0.001");
}

/* Signs that read: "2.8 fewer", "4.9k USD less", never "-2.8 avoided". */
static void test_changes(void **state)
{
    (void)state;
    char b[256];
    struct cs_words_change_style risky = {"fewer", "more", "no change", NULL, "95% interval "};
    struct cs_words_change_style money = {"less", "more", "no change", "USD", ""};
    assert_string_equal(cs_words_change(b, sizeof b, 2.8, 0.064, 5.6, &risky),
                        "2.8 more (95% interval 0.1 to 5.6 more)");
    assert_string_equal(cs_words_change(b, sizeof b, -2.8, -5.6, -0.9, &risky),
                        "2.8 fewer (95% interval 0.9 to 5.6 fewer)");
    assert_string_equal(cs_words_change(b, sizeof b, -1.2, -2.5, 0.11, &risky),
                        "1.2 fewer (95% interval from 2.5 fewer to 0.1 more)");
    assert_string_equal(cs_words_change(b, sizeof b, -1.0, -3.2, 0.004, &risky),
                        "1.0 fewer (95% interval 0 to 3.2 fewer)");
    assert_string_equal(cs_words_change(b, sizeof b, -0.004, -3.2, 0.004, &risky),
                        "no change (95% interval 0 to 3.2 fewer)");
    assert_string_equal(cs_words_change(b, sizeof b, 0.001, -0.004, 0.004, &money), "no change");
    assert_string_equal(cs_words_change(b, sizeof b, -4900, -9300, -1200, &money),
                        "4.9k USD less (1.2k to 9.3k USD less)");
    assert_string_equal(cs_words_change(b, sizeof b, -13000, -13000, -133, &money),
                        "13k USD less (0 to 13k USD less)");
    assert_null(strstr(cs_words_change(b, sizeof b, -0.3, -0.6, -0.01, &risky), "-"));
}

/* ======================================================================
 * 3. Findings of an analysis, and the documents that read them
 * ==================================================================== */

struct run {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_selection sel;
    struct cs_analysis *an;
    struct cs_proposal_summary sum;
    bool proposal;
    char *md;              /* report.md */
    json_t *results;
};

static void check_ok(enum cs_status st, const struct cs_error *err, const char *what)
{
    if (st != CS_OK)
        fail_msg("%s: %s", what, err->msg);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The report of dir for period, built as `compsight report` builds it,
 * with its proposal when with_proposal (written into a temporary folder). */
static void run_report(struct run *r, const char *dir, const char *period, bool with_proposal)
{
    struct cs_error err;
    memset(r, 0, sizeof *r);
    cs_error_clear(&err);
    struct cs_load_options lo = {.dir = dir};
    check_ok(cs_dataset_load(&lo, &r->ds, &err), &err, "load");
    check_ok(cs_calendar_init(&r->cal, 1, &err), &err, "calendar");
    check_ok(cs_select_period(period, r->ds, &r->cal, &r->sel, &err), &err, "select");
    check_ok(cs_incentives_compute(r->ds, &r->ds->plans, &r->cal, &r->inc, &err), &err, "incentives");
    check_ok(cs_outcomes_compute(r->ds, &r->cal, &r->oc, &err), &err, "outcomes");
    struct cs_measured m = {r->ds, &r->cal, r->inc, r->oc, &r->sel};
    check_ok(cs_analysis_run(&m, 1, &r->an, &err), &err, "analysis");
    r->results = cs_results_json(r->ds, &r->cal, r->an, NULL);
    assert_non_null(r->results);
    if (with_proposal && r->an->model[CS_MODEL_PROMISE_RISK].fit) {
        char pdir[] = "/tmp/compsight-test-findings.XXXXXX";
        assert_non_null(mkdtemp(pdir));
        FILE *devnull = fopen("/dev/null", "w");
        assert_non_null(devnull);
        const struct cs_model_result *pm = &r->an->model[CS_MODEL_PROMISE_RISK];
        struct cs_proposal_settings ps = {.whatif = {.seed = 1, .threads = 2, .logit = pm->fit,
                                                     .firth = pm->firth},
                                          .findings = r->an->findings};
        struct cs_io io = {.out = devnull, .msg = devnull};
        check_ok(cs_proposal_write(pdir, &m, &ps, &io, &r->sum, &err), &err, "proposal");
        fclose(devnull);
        nftw(pdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        r->proposal = true;
    }
    struct cs_report_input in = {.ds = r->ds, .cal = &r->cal, .inc = r->inc, .oc = r->oc,
                                 .an = r->an, .data_name = "test", .date = "2026-01-01",
                                 .plots_note = "",
                                 .proposal_href = r->proposal ? "proposal/proposal.md" : NULL,
                                 .proposal = r->proposal ? &r->sum : NULL};
    struct cs_doc *doc = NULL;
    check_ok(cs_report_build(&in, &doc, &err), &err, "report");
    size_t len = 0;
    FILE *f = open_memstream(&r->md, &len);
    assert_non_null(f);
    cs_doc_markdown(doc, f);
    assert_int_equal(fclose(f), 0);
    cs_doc_free(doc);
}

static void run_free(struct run *r)
{
    free(r->md);
    json_decref(r->results);
    cs_analysis_free(r->an);
    cs_outcomes_free(r->oc);
    cs_incentives_free(r->inc);
    cs_dataset_free(r->ds);
}

/* The text of section `heading` ("## Summary") up to the next heading. */
static char *section(const char *md, const char *heading)
{
    const char *a = strstr(md, heading);
    if (!a)
        fail_msg("no section %s", heading);
    a += strlen(heading);
    const char *b = strstr(a, "\n## ");
    size_t n = b ? (size_t)(b - a) : strlen(a);
    char *s = strndup(a, n);
    assert_non_null(s);
    return s;
}

/* No identifier, SPEC, source path or "-0" in a shared document. */
static void assert_plain(const char *md)
{
    static const char *const banned[] = {
        "promise_risk", "promise\\_risk", "marginal_rate", "marginal\\_rate", "type[", "type\\[",
        "tier_cross", "tier\\_cross", "last_14_days", "last\\_14\\_days", "log_amount",
        "target_gap", "target\\_gap", "discount_pct", "discount\\_pct", " spiff", "SPEC ",
        "docs/", "compsight sources", "their owner", " -0 ", " -0)", "(-0 ", "-0 to", "to -0",
        "some excess, not clear", "saves money", "no reduction |",
    };
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        if (strstr(md, banned[i]))
            fail_msg("a shared document says \"%s\":\n%.300s", banned[i], strstr(md, banned[i]));
}

/* Every bold span of md lies in a finding the verdicts call clear: here,
 * no bold at all in a section whose model is too little data. */
static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* Issue 19: ten won deals from four reps gave bold findings ("Renewals ...
 * 12.7 times the odds") while the summary said "no clear link".  The
 * handmade set has 26 won deals of 4 reps: every model is too little data,
 * nothing is bold, the summary says why and what reading it would need,
 * and results.json says so model by model. */
static void test_thin_data(void **state)
{
    (void)state;
    struct run r;
    run_report(&r, HANDMADE, "all", false);
    const struct cs_model_rule *mr = cs_findings_model(r.an->findings, CS_MODEL_PROMISE_RISK);
    assert_true(mr->fitted);
    assert_false(mr->rule.readable);
    assert_true(mr->rule.short_clusters);
    for (size_t i = 0; i < r.an->findings->n; i++) {
        const struct cs_finding *f = &r.an->findings->items[i];
        if (f->kind == CS_FINDING_TERM) {
            assert_int_equal(f->verdict, CS_VERDICT_THIN);
            assert_false(f->in_family);
            assert_true(isnan(f->low) && isnan(f->high));
        }
    }
    char *sum = section(r.md, "## Summary");
    char *where = section(r.md, "## Where incentives drive the behaviour");
    char *when = section(r.md, "## When");
    assert_int_equal(count(r.md, "**"), 0);
    assert_non_null(strstr(sum, "too little data to tie risky promises"));
    assert_non_null(strstr(sum, "26 deals of 4 reps"));
    assert_non_null(strstr(sum, "at least 10 reps"));
    assert_null(strstr(sum, "times the odds"));
    assert_null(strstr(sum, "no clear link"));
    assert_non_null(strstr(where, "Too little data"));
    assert_null(strstr(where, "times the odds"));
    /* the timing test rests on 4 reps: not tested, and said so */
    assert_non_null(strstr(when, "not tested: they come from 4 reps"));
    assert_null(strstr(when, "not spread evenly"));
    assert_plain(r.md);
    /* results.json: each model readable or not, and what it would need */
    json_t *pm = json_object_get(json_object_get(r.results, "models"), "promise_risk");
    assert_true(json_is_false(json_object_get(pm, "readable")));
    json_t *needs = json_object_get(pm, "needs");
    assert_int_equal(json_integer_value(json_object_get(needs, "clusters")), 10);
    assert_true(json_integer_value(json_object_get(needs, "events")) >= 10);
    free(sum);
    free(where);
    free(when);
    run_free(&r);
}

/* The sample's last quarter rests on 25 reps: t with 24 degrees of
 * freedom, said in words; results.json keeps every figure of SPEC 7 and
 * adds the verdict and the printed interval, which excludes 0 exactly for
 * the clear terms. */
static void test_few_reps_and_results(void **state)
{
    (void)state;
    struct run r;
    run_report(&r, SAMPLE, NULL, true);
    const struct cs_findings *fs = r.an->findings;
    const struct cs_model_rule *mr = cs_findings_model(fs, CS_MODEL_PROMISE_RISK);
    assert_true(mr->rule.readable);
    assert_true(mr->rule.few_clusters);
    assert_close(mr->rule.df, (double)mr->clusters - 1, 0);
    char *where = section(r.md, "## Where incentives drive the behaviour");
    char want[96];
    snprintf(want, sizeof want, "It rests on %zu reps, which is few", mr->clusters);
    assert_non_null(strstr(where, want));
    json_t *models = json_object_get(r.results, "models");
    size_t terms = 0;
    const char *key;
    json_t *m;
    json_object_foreach(models, key, m) {
        json_t *fit = json_object_get(m, "firth") ? json_object_get(m, "firth") : m;
        json_t *ts = json_object_get(fit, "terms"), *t;
        size_t i;
        assert_non_null(json_object_get(m, "readable"));
        json_array_foreach(ts, i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            /* section 7 as it was */
            static const char *const keep[] = {"estimate", "se", "se_cluster", "z", "p", "ci_low",
                                               "ci_high"};
            for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
                assert_non_null(json_object_get(t, keep[k]));
            if (strcmp(name, "(Intercept)") == 0)
                continue;
            const char *v = json_string_value(json_object_get(t, "verdict"));
            assert_non_null(v);
            terms++;
            if (strcmp(v, "too little data") == 0)
                continue;
            double lo = json_number_value(json_object_get(t, "reported_low"));
            double hi = json_number_value(json_object_get(t, "reported_high"));
            assert_int_equal(strcmp(v, "clear") == 0, lo > 0 || hi < 0);
            json_t *df = json_object_get(t, "df");
            if (mr->rule.few_clusters && strcmp(key, "promise_risk") == 0)
                assert_close(json_number_value(df), mr->rule.df, 0);
            assert_close(json_number_value(json_object_get(t, "reported_level")),
                         fs->family.level, 0);
        }
    }
    assert_true(terms >= 8);
    assert_non_null(json_object_get(json_object_get(r.results, "timing"), "verdict"));
    /* the method notes state the rule in plain words */
    char *method = section(r.md, "## Method notes");
    assert_non_null(strstr(method, "each interval is widened for that number"));
    assert_non_null(strstr(method, "at least 10 reps"));
    free(method);
    free(where);
    run_free(&r);
}

/* One verdict per finding: every bold term of the report is clear, every
 * clear term is bold, every interval the report prints is the finding's.
 * A term estimated within and across reps is bold by the estimate that
 * leads (the within-rep one here: the sample has enough reps). */
static void test_bold_is_clear(void **state)
{
    (void)state;
    struct run r;
    run_report(&r, SAMPLE, "all", false);
    const struct cs_findings *fs = r.an->findings;
    size_t clear = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const struct cs_finding *f = &fs->items[i];
        if (f->kind != CS_FINDING_TERM || !cs_findings_model(fs, f->model)->rule.readable ||
            !f->leads)
            continue;
        char bold[300];
        snprintf(bold, sizeof bold, "**%s**", cs_words_term_subject(f->model, f->term, NULL));
        bool is_bold = strstr(r.md, bold) != NULL;
        enum cs_model_id across = cs_model_info(f->model)->across;
        if (f->model == CS_MODEL_PROMISE_RISK_WITHIN)
            assert_int_equal(fs->items[f->pair].leads, false);
        if (across == CS_MODEL_DISCOUNT) {
            /* deal terms share their subject with the promise model: check the when section */
            char *when = section(r.md, "## When");
            is_bold = strstr(when, bold) != NULL;
            free(when);
        } else if (across == CS_MODEL_PROMISE_RISK) {
            char *where = section(r.md, "## Where incentives drive the behaviour");
            is_bold = strstr(where, bold) != NULL;
            free(where);
        }
        assert_int_equal(is_bold, f->verdict == CS_VERDICT_CLEAR);
        clear += f->verdict == CS_VERDICT_CLEAR;
    }
    assert_true(clear > 0);
    assert_plain(r.md);
    run_free(&r);
}

/* The thresholds table, the summary and the plot agree on one rule: the
 * sample's MM-Q floor read "some excess, not clear" in the table while its
 * plot claimed more rep-quarters above the floor, and the summary left it
 * out. */
static void test_bunching_one_reading(void **state)
{
    (void)state;
    /* the sample before SPEC 13 (one plan a rep, no splits), which has a
     * clear excess to word; the committed sample now has none */
    char dir[] = "/tmp/cs_findings_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct cs_gen_options o = {.out_dir = dir, .seed = 2026, .preset = "sample"};
    struct cs_error gerr;
    check_ok(cs_generate(&o, &gerr), &gerr, "generate");
    struct run r;
    run_report(&r, dir, NULL, false);
    const struct cs_findings *fs = r.an->findings;
    char *sum = section(r.md, "## Summary");
    char *thr = section(r.md, "## At the thresholds");
    const struct cs_finding *best = NULL;
    for (size_t i = 0; i < r.an->n_bunch; i++) {
        const struct cs_bunch_result *b = &r.an->bunch[i];
        const struct cs_finding *f = cs_findings_bunching(fs, b->plan, b->floor, b->placebo);
        assert_non_null(f);
        assert_int_equal(f->in_family, !b->placebo && f->verdict != CS_VERDICT_THIN);
        char row[256], title[256];
        snprintf(row, sizeof row, "| %s |", cs_words_bunching_reading(r.an, f));
        assert_non_null(strstr(thr, row));
        cs_words_finding_title(title, sizeof title, r.ds, r.an, f);
        if (f->kind == CS_FINDING_BUNCHING && f->verdict == CS_VERDICT_CLEAR && f->direction > 0) {
            assert_non_null(strstr(title, "more rep-"));
            if (!best || fabs(f->stat) > fabs(best->stat))
                best = f;
        } else {
            assert_null(strstr(title, "more rep-"));
        }
    }
    assert_non_null(best);
    char want[128];
    snprintf(want, sizeof want, "On the %s plan", cs_ds_str(r.ds, r.ds->plans.id[best->plan]));
    assert_non_null(strstr(sum, want));
    assert_null(strstr(thr, "not clear |"));
    free(sum);
    free(thr);
    run_free(&r);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "no clear departure from an even pace (p = 0.0035)": the wording
 * followed p < 0.001, not the verdict.  With p = 0.0035 the timing test
 * is clear in the sample's family, and the text says so. */
static void test_timing_follows_verdict(void **state)
{
    (void)state;
    struct run r;
    run_report(&r, SAMPLE, NULL, false);
    struct cs_error err;
    r.an->timing->p = 0.0035;
    cs_findings_free(r.an->findings);
    check_ok(cs_findings_compute(r.an, r.an->reps_selected, &r.an->findings, &err), &err,
             "findings");
    const struct cs_finding *t = cs_findings_timing(r.an->findings);
    assert_int_equal(t->verdict, CS_VERDICT_CLEAR);
    free(r.md);
    struct cs_report_input in = {.ds = r.ds, .cal = &r.cal, .inc = r.inc, .oc = r.oc, .an = r.an,
                                 .data_name = "test", .date = "2026-01-01", .plots_note = ""};
    struct cs_doc *doc = NULL;
    check_ok(cs_report_build(&in, &doc, &err), &err, "report");
    size_t len;
    FILE *f = open_memstream(&r.md, &len);
    cs_doc_markdown(doc, f);
    fclose(f);
    cs_doc_free(doc);
    char *when = section(r.md, "## When");
    assert_null(strstr(when, "no clear departure"));
    assert_non_null(strstr(when, "not spread evenly"));
    assert_non_null(strstr(when, "p = 0.0035"));
    free(when);
    /* and the other way: a p the family does not reject reads "no clear departure" */
    r.an->timing->p = 0.9;
    cs_findings_free(r.an->findings);
    check_ok(cs_findings_compute(r.an, r.an->reps_selected, &r.an->findings, &err), &err,
             "findings");
    assert_int_equal(cs_findings_timing(r.an->findings)->verdict, CS_VERDICT_UNCLEAR);
    char buf[256];
    cs_words_finding_title(buf, sizeof buf, r.ds, r.an, cs_findings_timing(r.an->findings));
    assert_non_null(strstr(buf, "No clear departure"));
    run_free(&r);
}

/* The Options section: says first that no option is clear when none is
 * (the sample's last quarter), words each difference with a natural sign
 * and its currency, and never "-0" or a negative "avoided". */
static void test_options_section(void **state)
{
    (void)state;
    struct run r;
    run_report(&r, SAMPLE, NULL, true);
    assert_true(r.proposal);
    char *opt = section(r.md, "## Options");
    if (r.sum.n_clear == 0)
        assert_non_null(strstr(opt, "No option has a clear effect on risky deals"));
    assert_null(strstr(opt, "risky deals avoided |"));
    assert_null(strstr(opt, "| -"));
    assert_non_null(strstr(opt, " USD"));
    assert_non_null(strstr(opt, "clear effect on risky deals first"));
    for (size_t k = 0; k < r.sum.n_top; k++)
        assert_non_null(strstr(opt, cs_words_verdict(r.sum.top[k].verdict)));
    assert_plain(r.md);
    free(opt);
    run_free(&r);
}

/* With no promises.csv the trend said "risky rate 0.0%" every quarter. */
static void test_trend_without_promises(void **state)
{
    (void)state;
    char dir[] = "/tmp/compsight-test-findings.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    struct cs_gen_options g = {.out_dir = dir, .n_deals = 400, .seed = 3};
    struct cs_error err;
    check_ok(cs_generate(&g, &err), &err, "generate");
    snprintf(path, sizeof path, "%s/promises.csv", dir);
    assert_int_equal(unlink(path), 0);
    struct run r;
    run_report(&r, dir, "all", false);
    char *trend = section(r.md, "## Trend");
    assert_non_null(strstr(trend, "no promise data"));
    assert_null(strstr(trend, "| risky rate"));
    assert_null(strstr(trend, "0.0%"));
    assert_non_null(strstr(trend, "bookings (USD)"));
    free(trend);
    run_free(&r);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The collateral finding is worded on the asset and its target pressure,
 * never on a person; results.json keeps its term's name. */
static void test_collateral_words(void **state)
{
    (void)state;
    double s;
    const char *subject = cs_words_term_subject(CS_MODEL_COLLATERAL, "target_gap", &s);
    assert_null(strstr(subject, "owner"));
    assert_non_null(strstr(subject, "asset"));
    assert_close(s, 0.1, 0);
    struct cs_finding f = {.kind = CS_FINDING_TERM, .model = CS_MODEL_COLLATERAL,
                           .term = "target_gap", .verdict = CS_VERDICT_CLEAR, .direction = 1,
                           .estimate = 2.0, .low = 1.0, .high = 3.0, .level = 0.95};
    char buf[256];
    cs_words_finding_title(buf, sizeof buf, NULL, NULL, &f);
    assert_null(strstr(buf, "owner"));
    assert_non_null(strstr(buf, "misstated"));
}

/* What a difference between the two estimates of a term means (SPEC 14.1,
 * docs/WITHIN.md): every row of the rule, and the case the rule once got
 * wrong (neither clear, the across-rep estimate outside the same-rep
 * interval: no "part of the link" where there is no clear link). */
static void test_within_contrast(void **state)
{
    (void)state;
    static const struct {
        double w, wlo, whi;
        enum cs_verdict wv;
        double a;
        enum cs_verdict av;
        const char *says;
    } rows[] = {
        {0.74, 0.57, 0.92, CS_VERDICT_CLEAR, 1.02, CS_VERDICT_CLEAR,
         "part of the link across reps is who the reps are"},
        {0.57, 0.47, 0.67, CS_VERDICT_CLEAR, 0.21, CS_VERDICT_CLEAR,
         "the link is stronger within the same rep, so differences between reps hide part of it "
         "across reps"},
        {0.57, 0.47, 0.67, CS_VERDICT_CLEAR, 0.05, CS_VERDICT_UNCLEAR,
         "the link is stronger within the same rep, so differences between reps hide part of it "
         "across reps"},
        {0.40, 0.10, 0.70, CS_VERDICT_CLEAR, -0.30, CS_VERDICT_CLEAR,
         "across reps the link goes the other way, so it comes from who the reps are"},
        {0.55, 0.02, 1.08, CS_VERDICT_CLEAR, 0.55, CS_VERDICT_CLEAR,
         "the two agree, so who the reps are does not explain this link away"},
        {0.08, -0.01, 0.17, CS_VERDICT_UNCLEAR, 0.10, CS_VERDICT_CLEAR,
         "the same-rep comparison is too uncertain to confirm it, so the link across reps may "
         "be who the reps are"},
        {0.03, -0.02, 0.08, CS_VERDICT_UNCLEAR, 0.19, CS_VERDICT_CLEAR,
         "the same-rep comparison is too uncertain to confirm it, so the link across reps may "
         "be who the reps are"},
        {0.03, -0.02, 0.08, CS_VERDICT_UNCLEAR, -0.05, CS_VERDICT_UNCLEAR,
         "neither comparison shows a clear link"},
        {0.03, -0.02, 0.08, CS_VERDICT_UNCLEAR, 0.02, CS_VERDICT_UNCLEAR,
         "neither comparison shows a clear link"},
        {0.03, -0.02, 0.08, CS_VERDICT_THIN, 0.40, CS_VERDICT_CLEAR, ""},
        {0.03, -0.02, 0.08, CS_VERDICT_CLEAR, 0.40, CS_VERDICT_THIN, ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct cs_finding w = {.kind = CS_FINDING_TERM, .model = CS_MODEL_PROMISE_RISK_WITHIN,
                               .term = "tier_cross", .verdict = rows[i].wv,
                               .estimate = rows[i].w, .low = rows[i].wlo, .high = rows[i].whi};
        struct cs_finding a = {.kind = CS_FINDING_TERM, .model = CS_MODEL_PROMISE_RISK,
                               .term = "tier_cross", .verdict = rows[i].av,
                               .estimate = rows[i].a, .low = rows[i].a - 0.1,
                               .high = rows[i].a + 0.1};
        char buf[256];
        if (strcmp(cs_words_within_contrast(buf, sizeof buf, &w, &a), rows[i].says) != 0)
            fail_msg("row %zu: \"%s\", expected \"%s\"", i, buf, rows[i].says);
    }
    char buf[8] = "x";
    assert_string_equal(cs_words_within_contrast(buf, sizeof buf, NULL, NULL), "");
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
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_thin_data),
        cmocka_unit_test(test_few_reps_and_results),
        cmocka_unit_test(test_bold_is_clear),
        cmocka_unit_test(test_bunching_one_reading),
        cmocka_unit_test(test_timing_follows_verdict),
        cmocka_unit_test(test_options_section),
        cmocka_unit_test(test_trend_without_promises),
        cmocka_unit_test(test_collateral_words),
        cmocka_unit_test(test_within_contrast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
