/* test_within.c - SPEC 14.1-14.2 end to end: credit rows, the push-out model against hand counts (with and without split deals), the skill-correlated generated set and its wording, the what-if's within-rep model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
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
#include "compsight/findings.h"
#include "compsight/generate.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/plot.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "compsight/whatif.h"
#include "analysis/pushout.h"
#include "testutil.h"

#define PUSH CS_TEST_DIR "/fixtures/pushout"
#define PUSH_SPLIT CS_TEST_DIR "/fixtures/pushout_split"
#define SAMPLE CS_SOURCE_DIR "/data/sample"

/* The skill-correlated set (docs/GENERATOR.md, "--skill"): fixed once. */
#define SKILL_DEALS 40000
#define SKILL_SEED 1

static void check_ok(enum cs_status st, const struct cs_error *err, const char *what)
{
    if (st != CS_OK) {
        char buf[1200];
        cs_error_format(err, buf, sizeof buf);
        fail_msg("%s: %s", what, buf);
    }
}

/* A data set measured and analysed for one period, and its report. */
struct run {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_selection sel;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_analysis *an;
    json_t *results;
    char *md;
};

static void run_analysis(struct run *r, const char *dir, const char *period, bool report)
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
    if (!report)
        return;
    struct cs_report_input in = {.ds = r->ds, .cal = &r->cal, .inc = r->inc, .oc = r->oc,
                                 .an = r->an, .data_name = "test", .date = "2026-01-01",
                                 .plots_note = ""};
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

static const struct cs_regress_term *term(const struct cs_regress_fit *fit, const char *name)
{
    for (size_t j = 0; fit && j < fit->k; j++)
        if (strcmp(fit->terms[j].name, name) == 0)
            return &fit->terms[j];
    fail_msg("no term %s", name);
    return NULL;
}

/* ======================================================================
 * Credit rows
 * ==================================================================== */

/* Without splits.csv, one credit row per won deal: its owner, share 1,
 * the deal's own rep-period and measures (13 won deals in the fixture,
 * L1 is lost). */
static void test_credit_rows(void **state)
{
    (void)state;
    struct run r;
    run_analysis(&r, PUSH, "all", false);
    struct cs_credit_walk w = {0};
    struct cs_credit c;
    size_t n = 0;
    uint32_t last = 0;
    while (cs_credits_next(r.inc, &w, &c)) {
        uint32_t i = c.deal;
        assert_true(r.inc->won[i]);
        assert_true(n == 0 || i > last);
        assert_int_equal(c.rep, r.ds->deals.rep[i]);
        assert_true(c.share == 1.0 && c.own);
        assert_int_equal(c.rep_period, r.inc->rep_period[i]);
        assert_int_equal(c.tier_cross, r.inc->tier_cross[i]);
        assert_true(c.attainment_before == r.inc->attainment_before[i]);
        assert_true(c.commission == r.inc->commission[i]);
        assert_true(c.marginal_rate == r.inc->marginal_rate[i]);
        last = i;
        n++;
    }
    assert_int_equal(n, 13);
    assert_int_equal(n, r.inc->n_won);
    assert_false(cs_credits_next(r.inc, &w, &c));     /* a finished walk stays finished */
    run_free(&r);
}

/* The rep-period of rep, plan and period code: its row of inc->rp. */
static uint32_t rep_period_of(const struct run *r, const char *rep, const char *plan, int32_t code)
{
    const struct cs_rep_periods *rp = &r->inc->rp;
    for (uint32_t k = 0; k < rp->n; k++)
        if (strcmp(cs_ds_str(r->ds, r->ds->reps.id[rp->rep[k]]), rep) == 0 &&
            strcmp(cs_ds_str(r->ds, r->ds->plans.id[rp->plan[k]]), plan) == 0 &&
            rp->period[k] == code)
            return k;
    fail_msg("no rep-period %s %s %d", rep, plan, (int)code);
    return CS_NONE;
}

/* With split deals across two reps and S2's plan change on 2026-02-15:
 * every credit row of tests/fixtures/pushout_split/README.md, each in its
 * own rep's rep-period with its own share and tier crossing. */
static void test_credit_rows_split(void **state)
{
    (void)state;
    static const struct {
        const char *deal, *rep, *plan;
        int32_t period;
        double share;
        bool own;
        int8_t tier_cross;
    } want[] = {
        {"K1", "S2", "QA", 20261, 1.0, true, 0},  {"K2", "S1", "QA", 20261, 1.0, true, 0},
        {"K3", "S1", "QA", 20261, 0.5, true, 1},  {"K3", "S2", "QA", 20261, 0.5, false, 1},
        {"K4", "S2", "QB", 20261, 1.0, true, 0},  {"K5", "S1", "QA", 20261, 0.3, true, 0},
        {"K5", "S2", "QB", 20261, 0.7, false, 1}, {"M1", "S1", "QA", 20262, 1.0, true, 0},
        {"M2", "S1", "QA", 20262, 0.5, false, 0}, {"M2", "S2", "QB", 20262, 0.5, true, 0},
        {"M3", "S1", "QA", 20262, 1.0, true, 1},  {"M4", "S2", "QB", 20262, 1.0, true, 1},
        {"N1", "S1", "QA", 20263, 0.6, true, 0},  {"N1", "S2", "QB", 20263, 0.4, false, 0},
        {"N2", "S1", "QA", 20263, 1.0, true, 1},  {"N3", "S2", "QB", 20263, 1.0, true, 1},
        {"N4", "S1", "QA", 20263, 1.0, true, 0},  /* owner S2, not credited */
    };
    struct run r;
    run_analysis(&r, PUSH_SPLIT, "all", false);
    struct cs_credit_walk w = {0};
    struct cs_credit c;
    size_t n = 0;
    while (cs_credits_next(r.inc, &w, &c)) {
        assert_true(n < sizeof want / sizeof want[0]);
        assert_string_equal(cs_ds_str(r.ds, r.ds->deals.id[c.deal]), want[n].deal);
        assert_string_equal(cs_ds_str(r.ds, r.ds->reps.id[c.rep]), want[n].rep);
        assert_int_equal(c.rep_period, rep_period_of(&r, want[n].rep, want[n].plan, want[n].period));
        assert_close(c.share, want[n].share, 1e-15);
        assert_int_equal(c.own, want[n].own);
        assert_int_equal(c.tier_cross, want[n].tier_cross);
        if (c.own) {    /* the deal's own row: its measures are the deal's */
            assert_int_equal(c.rep_period, r.inc->rep_period[c.deal]);
            assert_true(c.attainment_before == r.inc->attainment_before[c.deal]);
        }
        n++;
    }
    assert_int_equal(n, sizeof want / sizeof want[0]);
    /* the rep-periods, their quotas (S2's prorated: 45 of Q1's 90 days on
     * each plan) and final attainments */
    static const struct {
        const char *rep, *plan;
        int32_t period;
        double quota, attainment;
    } rp_want[] = {
        {"S1", "QA", 20261, 100, 1.4}, {"S1", "QA", 20262, 100, 1.2},
        {"S1", "QA", 20263, 100, 1.6}, {"S2", "QA", 20261, 50, 1.4},
        {"S2", "QB", 20261, 50, 1.8},  {"S2", "QB", 20262, 100, 1.0},
        {"S2", "QB", 20263, 100, 1.0},
    };
    assert_int_equal(r.inc->rp.n, sizeof rp_want / sizeof rp_want[0]);
    for (size_t k = 0; k < sizeof rp_want / sizeof rp_want[0]; k++) {
        uint32_t x = rep_period_of(&r, rp_want[k].rep, rp_want[k].plan, rp_want[k].period);
        assert_close(r.inc->rp.quota[x], rp_want[k].quota, 1e-15);
        assert_close(r.inc->rp.attainment[x], rp_want[k].attainment, 1e-12);
    }
    run_free(&r);
}

/* ======================================================================
 * push_out against the hand count of tests/fixtures/pushout/README.md
 * ==================================================================== */

static void test_push_out_hand_count(void **state)
{
    (void)state;
    struct run r;
    run_analysis(&r, PUSH, "all", false);
    const struct cs_push_out *po = &r.an->push_out;
    assert_true(po->quarterly);
    assert_int_equal(po->candidates, 8);
    assert_int_equal(po->rep_periods, 4);
    assert_int_equal(po->reps, 2);
    assert_int_equal(po->crossed_late, 2);
    assert_int_equal(po->nothing_to_earn, 1);
    const struct cs_regress_fit *fit = r.an->model[CS_MODEL_PUSH_OUT].fit;
    assert_non_null(fit);
    assert_true(fit->fitted);
    assert_int_equal(fit->n, 4);
    assert_int_equal(fit->clusters, 2);
    assert_int_equal(fit->n_dropped, 0);
    assert_close(fit->deviance, 0.03125, 1e-12);
    static const char *const names[] = {"(Intercept)", "crossed_late", "nothing_to_earn"};
    static const double est[] = {0.375, -0.375, 0.4};
    static const double inv[] = {0.5, 1.5, 2.0};          /* diag (X'X)^-1 */
    static const double b_e1[] = {0.5, -0.5, 0.0};        /* (X'X)^-1 e1 */
    for (int j = 0; j < 3; j++) {
        const struct cs_regress_term *t = term(fit, names[j]);
        assert_close_scale(t->estimate, est[j], 1e-12, 1);
        assert_close(t->se, sqrt(0.03125 * inv[j]), 1e-12);
        assert_close_scale(t->se_cluster, sqrt(0.1875) * fabs(b_e1[j]), 1e-12, 0.1);
    }
    /* the groups of the plot */
    assert_int_equal(po->group_n[1], 1);
    assert_int_equal(po->group_reps[1], 1);
    assert_close(po->group_share[1], 0.4, 1e-15);
    assert_true(isnan(po->group_low[1]) && isnan(po->group_high[1]));
    assert_int_equal(po->group_n[0], 3);
    assert_int_equal(po->group_reps[0], 2);
    assert_close(po->group_share[0], 0.25, 1e-15);
    assert_true(po->group_low[0] < 0.25 && po->group_high[0] > 0.25);
    /* two reps: too little data to read, and said so */
    const struct cs_model_rule *rule = cs_findings_model(r.an->findings, CS_MODEL_PUSH_OUT);
    assert_true(rule->fitted);
    assert_false(rule->rule.readable);
    assert_int_equal(cs_findings_term(r.an->findings, CS_MODEL_PUSH_OUT, "nothing_to_earn")->verdict,
                     CS_VERDICT_THIN);
    /* results.json: models.push_out with its counts */
    json_t *m = json_object_get(json_object_get(r.results, "models"), "push_out");
    assert_non_null(m);
    assert_int_equal(json_integer_value(json_object_get(m, "rep_periods")), 4);
    assert_int_equal(json_integer_value(json_object_get(m, "candidates")), 8);
    assert_int_equal(json_integer_value(json_object_get(m, "nothing_to_earn")), 1);
    run_free(&r);

    /* --period Q: the rep-periods whose NEXT period is Q */
    run_analysis(&r, PUSH, "2026Q2", false);
    assert_int_equal(r.an->push_out.candidates, 3);
    assert_int_equal(r.an->push_out.rep_periods, 2);      /* rows 1 and 3 */
    assert_int_equal(r.an->push_out.nothing_to_earn, 1);
    assert_int_equal(r.an->push_out.crossed_late, 1);
    fit = r.an->model[CS_MODEL_PUSH_OUT].fit;
    assert_non_null(fit);
    /* two rows and two terms that vary: not more rows than terms */
    assert_false(fit->fitted);
    run_free(&r);

    run_analysis(&r, PUSH, "2026Q3", true);
    /* the report names the quarter whose rep-periods it compares */
    assert_non_null(strstr(r.md, "Over 2 rep-quarters of 2 reps (2026Q2, the quarter before "
                                 "2026Q3, for reps with won deals in both)"));
    assert_int_equal(r.an->push_out.candidates, 2);
    assert_int_equal(r.an->push_out.rep_periods, 2);      /* rows 2 and 4 */
    assert_int_equal(r.an->push_out.nothing_to_earn, 0);
    assert_int_equal(r.an->push_out.crossed_late, 1);
    fit = r.an->model[CS_MODEL_PUSH_OUT].fit;
    /* no rep-quarter ended with nothing to earn: the term is dropped and listed */
    assert_int_equal(fit->n_dropped, 1);
    assert_string_equal(fit->dropped[0], "nothing_to_earn");
    assert_null(cs_findings_term(r.an->findings, CS_MODEL_PUSH_OUT, "nothing_to_earn"));
    run_free(&r);
}

/* ======================================================================
 * push_out with split deals and a plan change: the hand count of
 * tests/fixtures/pushout_split/README.md
 * ==================================================================== */

/* The model's rows for --period `period`: want[k] = {rep-period (rep,
 * plan, code), y, crossed_late, nothing_to_earn}, in order. */
struct push_want {
    const char *rep, *plan;
    int32_t period;
    double y;
    int crossed_late, nothing_to_earn;
};

static void check_push_rows(const char *period, const struct push_want *want, size_t n,
                            size_t candidates)
{
    struct run r;
    run_analysis(&r, PUSH_SPLIT, period, false);
    struct cs_measured m = {r.ds, &r.cal, r.inc, r.oc, &r.sel};
    struct cs_push_rows rows;
    struct cs_push_out po;
    struct cs_error err;
    cs_error_clear(&err);
    check_ok(cs_push_out_rows(&m, &r.sel, &rows, &po, &err), &err, "push rows");
    assert_int_equal(rows.n, n);
    assert_int_equal(po.rep_periods, n);
    assert_int_equal(po.candidates, candidates);
    assert_int_equal(r.an->push_out.candidates, candidates);
    assert_int_equal(r.an->push_out.rep_periods, n);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(rows.rep_period[k],
                         rep_period_of(&r, want[k].rep, want[k].plan, want[k].period));
        assert_close_scale(rows.y[k], want[k].y, 1e-15, 1);
        assert_true(rows.x[k * CS_PUSH_TERMS] == 1.0);
        assert_true(rows.x[k * CS_PUSH_TERMS + 1] == want[k].crossed_late);
        assert_true(rows.x[k * CS_PUSH_TERMS + 2] == want[k].nothing_to_earn);
    }
    cs_push_rows_free(&rows);
    run_free(&r);
}

static void test_push_out_splits(void **state)
{
    (void)state;
    /* S1 2026Q1 -> Q2: (20 + 40) / 120 closed by 04-14; S1 Q2 -> Q3: (30 +
     * 40) / 160, M3 crossed 100% on 06-20; S2's QB 2026Q1 -> Q2: 40 / 100,
     * its 70 of K5 crossed two floors on 03-25 and ended at 1.8 (4% < 10%);
     * S2 QB Q2 -> Q3: 20 / 100.  S2's QA 2026Q1 has no next period on QA. */
    static const struct push_want all[] = {
        {"S1", "QA", 20261, 0.5, 0, 0},
        {"S1", "QA", 20262, 0.4375, 1, 0},
        {"S2", "QB", 20261, 0.4, 1, 1},
        {"S2", "QB", 20262, 0.2, 0, 0},
    };
    check_push_rows("all", all, 4, 7);
    static const struct push_want q2[] = {all[0], all[2]};
    check_push_rows("2026Q2", q2, 2, 3);    /* candidates: S1's, S2's QA and QB 2026Q1 */
    static const struct push_want q3[] = {all[1], all[3]};
    check_push_rows("2026Q3", q3, 2, 2);

    /* the fit on the 4 rows: X'X as in the fixture without splits */
    struct run r;
    run_analysis(&r, PUSH_SPLIT, "all", false);
    const struct cs_push_out *po = &r.an->push_out;
    assert_int_equal(po->reps, 2);
    assert_int_equal(po->crossed_late, 2);
    assert_int_equal(po->nothing_to_earn, 1);
    const struct cs_regress_fit *fit = r.an->model[CS_MODEL_PUSH_OUT].fit;
    assert_non_null(fit);
    assert_true(fit->fitted);
    assert_int_equal(fit->n, 4);
    assert_int_equal(fit->clusters, 2);
    assert_close(fit->deviance, 0.045, 1e-12);
    static const char *const names[] = {"(Intercept)", "crossed_late", "nothing_to_earn"};
    static const double est[] = {0.35, 0.0875, -0.0375};
    static const double inv[] = {0.5, 1.5, 2.0};          /* diag (X'X)^-1 */
    static const double b_e1[] = {0.5, -0.5, 0.0};        /* (X'X)^-1 e1 */
    for (int j = 0; j < 3; j++) {
        const struct cs_regress_term *t = term(fit, names[j]);
        assert_close_scale(t->estimate, est[j], 1e-12, 1);
        assert_close(t->se, sqrt(0.045 * inv[j]), 1e-12);
        assert_close_scale(t->se_cluster, sqrt(0.27) * fabs(b_e1[j]), 1e-12, 0.1);
    }
    assert_int_equal(po->group_n[1], 1);
    assert_close(po->group_share[1], 0.4, 1e-15);
    assert_int_equal(po->group_n[0], 3);
    assert_close(po->group_share[0], (0.5 + 0.4375 + 0.2) / 3, 1e-15);
    run_free(&r);
}

/* ======================================================================
 * The skill-correlated generated set (docs/GENERATOR.md, --skill)
 * ==================================================================== */

static char skill_dir[64];

static int skill_setup(void **state)
{
    (void)state;
    snprintf(skill_dir, sizeof skill_dir, "/tmp/cs_test_within_XXXXXX");
    if (!mkdtemp(skill_dir))
        return -1;
    struct cs_gen_options g = {.out_dir = skill_dir, .n_deals = SKILL_DEALS, .seed = SKILL_SEED,
                               .skill = true};
    struct cs_error err;
    cs_error_clear(&err);
    return cs_generate(&g, &err) == CS_OK ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int skill_teardown(void **state)
{
    (void)state;
    if (skill_dir[0] && strncmp(skill_dir, "/tmp/cs_test_within_", 20) == 0)
        nftw(skill_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Whether x lies in a finding's printed interval. */
static bool covers(const struct cs_finding *f, double x)
{
    return f->low <= x && x <= f->high;
}

/*
 * Rep skill drives both volume and promising: across reps, the plan looks
 * more dangerous than it is; within the same rep the planted effects come
 * back.  Planted (gen.h): tier_cross 0.6, marginal_rate 8.0.
 */
static void test_skill_within_recovers(void **state)
{
    (void)state;
    struct run r;
    run_analysis(&r, skill_dir, "all", true);
    const struct cs_findings *fs = r.an->findings;
    const struct cs_finding *tc_w = cs_findings_term(fs, CS_MODEL_PROMISE_RISK_WITHIN, "tier_cross");
    const struct cs_finding *tc_a = cs_findings_term(fs, CS_MODEL_PROMISE_RISK, "tier_cross");
    const struct cs_finding *mr_w = cs_findings_term(fs, CS_MODEL_PROMISE_RISK_WITHIN,
                                                     "marginal_rate");
    assert_non_null(tc_w);
    assert_non_null(tc_a);
    assert_non_null(mr_w);
    if (getenv("CS_TEST_VERBOSE"))
        print_message("tier_cross within %.3f [%.3f, %.3f], across %.3f [%.3f, %.3f]; "
                      "marginal_rate within %.3f [%.3f, %.3f]\n", tc_w->estimate, tc_w->low,
                      tc_w->high, tc_a->estimate, tc_a->low, tc_a->high, mr_w->estimate,
                      mr_w->low, mr_w->high);
    /* the within-rep estimates are read, lead, and cover the planted values */
    assert_int_equal(tc_w->verdict, CS_VERDICT_CLEAR);
    assert_true(tc_w->leads && !tc_a->leads);
    assert_ptr_equal(cs_findings_lead(fs, CS_MODEL_PROMISE_RISK, "tier_cross"), tc_w);
    assert_ptr_equal(cs_findings_beside(fs, tc_w), tc_a);
    assert_true(covers(tc_w, 0.6));
    assert_true(covers(mr_w, 8.0));
    /* the across-rep one is inflated by who the reps are: it misses 0.6,
     * and lies outside the within-rep interval */
    assert_false(covers(tc_a, 0.6));
    assert_true(tc_a->estimate > tc_w->high);
    /* the report's wording of the difference, in the body and the plot */
    char *where = strstr(r.md, "## Where incentives drive the behaviour");
    assert_non_null(where);
    char *bullet = strstr(where, "**Deals that carried the rep across a tier floor** went with");
    assert_non_null(bullet);
    char *eol = strchr(bullet, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_non_null(strstr(bullet, "within the same rep"));
    assert_non_null(strstr(bullet, "; across reps, "));
    assert_non_null(strstr(bullet, "part of the link across reps is who the reps are"));
    *eol = '\n';
    assert_non_null(strstr(where, "Each rep is also compared with themselves"));
    assert_non_null(strstr(r.md, "Same rep against themselves"));   /* the method notes */
    /* a term that neither comparison shows: no "part of the link" (the
     * across-rep log_amount lies outside the same-rep interval on this set) */
    const struct cs_finding *la_w = cs_findings_term(fs, CS_MODEL_PROMISE_RISK_WITHIN, "log_amount");
    const struct cs_finding *la_a = cs_findings_term(fs, CS_MODEL_PROMISE_RISK, "log_amount");
    assert_non_null(la_w);
    assert_non_null(la_a);
    assert_int_equal(la_w->verdict, CS_VERDICT_UNCLEAR);
    assert_int_equal(la_a->verdict, CS_VERDICT_UNCLEAR);
    assert_true(la_a->estimate < la_w->low);
    char *size = strstr(where, "- Each doubling of deal size: within the same rep, no clear effect");
    assert_non_null(size);
    eol = strchr(size, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_non_null(strstr(size, "neither comparison shows a clear link"));
    *eol = '\n';
    struct cs_plot_forest fo;
    assert_true(cs_plot_forest_aggregate(r.an, &fo));
    assert_true(fo.within);
    bool found = false;
    for (size_t i = 0; i < fo.n; i++)
        if (strcmp(fo.rows[i].term, "tier_cross") == 0) {
            found = true;
            assert_true(fo.rows[i].within && fo.rows[i].beside);
            assert_close(fo.rows[i].odds_ratio, exp(tc_w->estimate), 1e-12);
            assert_close(fo.rows[i].beside_or, exp(tc_a->estimate), 1e-12);
        }
    assert_true(found);
    run_free(&r);
}

/* ======================================================================
 * The what-if with the within-rep model (--model within)
 * ==================================================================== */

static void test_whatif_within(void **state)
{
    (void)state;
    struct run r;
    run_analysis(&r, SAMPLE, "all", false);
    struct cs_measured m = {r.ds, &r.cal, r.inc, r.oc, &r.sel};
    struct cs_error err;
    cs_error_clear(&err);
    /* fitted by the base itself, and lent by the analysis: the same bits */
    struct cs_whatif_settings own = {.seed = 3, .draws = 200, .threads = 2,
                                     .model = CS_WHATIF_WITHIN};
    struct cs_whatif_settings lent = own;
    lent.within = r.an->model[CS_MODEL_PROMISE_RISK_WITHIN].fit;
    struct cs_whatif_base *b = NULL, *bl = NULL;
    check_ok(cs_whatif_base_new(&m, &own, &b, &err), &err, "base");
    check_ok(cs_whatif_base_new(&m, &lent, &bl, &err), &err, "base (lent fit)");
    assert_int_equal(b->model, CS_WHATIF_WITHIN);
    assert_non_null(b->fit);
    assert_null(b->logit);
    assert_int_equal(b->fit->k, bl->fit->k);
    for (size_t t = 0; t < b->fit->k; t++)
        assert_true(b->fit->terms[t].estimate == bl->fit->terms[t].estimate);
    assert_string_equal(cs_whatif_model_name(b->model), "within");
    /* the current plans: per rep, the expected risky deals are the observed
     * ones (sum of y - p over the rep's deals is 0); a rep whose deals are
     * all risky or all not keeps that rate */
    struct cs_whatif_result *res = NULL;
    check_ok(cs_whatif_simulate(b, &r.ds->plans, true, &res, &err), &err, "simulate");
    assert_true(res->risky.estimate == 0 && res->risky.low == 0 && res->risky.high == 0);
    assert_close(res->base_risky, (double)b->observed_risky, 1e-10);
    size_t nr = r.ds->reps.n;
    double *resid = calloc(nr, sizeof *resid), *dev = calloc(nr, sizeof *dev);
    size_t *cnt = calloc(nr, sizeof *cnt), *ev = calloc(nr, sizeof *ev);
    assert_non_null(resid);
    assert_non_null(dev);
    assert_non_null(cnt);
    assert_non_null(ev);
    for (size_t i = 0; i < r.ds->deals.n; i++) {
        if (!r.inc->won[i])
            continue;
        uint32_t rep = r.ds->deals.rep[i];
        double y = r.oc->promise_risk[i], p = res->base_p[i];
        assert_true(p >= 0 && p <= 1);
        resid[rep] += y - p;
        dev[rep] = fmax(dev[rep], fabs(y - p));
        cnt[rep]++;
        ev[rep] += y != 0;
    }
    size_t fixed = 0;
    for (size_t g = 0; g < nr; g++) {
        if (!cnt[g])
            continue;
        if (ev[g] == 0 || ev[g] == cnt[g]) {
            fixed++;
            assert_true(dev[g] == 0);           /* p = y exactly */
        } else {
            assert_true(fabs(resid[g]) <= 1e-9 * (double)cnt[g]);
        }
    }
    assert_int_equal(fixed, b->uninformative_reps);
    assert_int_equal(fixed, r.an->model[CS_MODEL_PROMISE_RISK_WITHIN].uninformative);
    /* the data rule weighs the informative reps, as the report's findings do */
    struct cs_data_rule rule;
    cs_whatif_model_rule(b, &rule);
    const struct cs_model_rule *mr = cs_findings_model(r.an->findings, CS_MODEL_PROMISE_RISK_WITHIN);
    assert_int_equal(rule.readable, mr->rule.readable);
    assert_int_equal(b->rule_rows, mr->event_rows);
    assert_int_equal(b->rule_events, mr->events);
    /* the draws: centred near the estimate, spread like the robust SEs */
    size_t k = b->fit->k;
    for (size_t t = 0; t < k; t++) {
        double s = 0, s2 = 0, beta[CS_DEAL_TERMS];
        for (size_t d = 0; d < b->draws; d++) {
            assert_true(cs_whatif_draw_coefficients(b, d, beta));
            assert_true(beta[0] == 0);          /* the place of each rep's intercept */
            s += beta[t + 1];
            s2 += beta[t + 1] * beta[t + 1];
        }
        double mean = s / b->draws, sd = sqrt(s2 / b->draws - mean * mean);
        const struct cs_regress_term *tm = &b->fit->terms[t];
        assert_true(fabs(mean - tm->estimate) < 0.35 * tm->se_cluster);
        assert_true(sd > 0.6 * tm->se_cluster && sd < 1.5 * tm->se_cluster);
    }
    /* a plan change moves the risky deals; a rep without variation does not */
    struct cs_plans alt = r.ds->plans;
    double *rate = malloc(r.ds->plans.n_tiers * sizeof *rate);
    assert_non_null(rate);
    for (size_t t = 0; t < r.ds->plans.n_tiers; t++)
        rate[t] = r.ds->plans.rate[t] > 0.12 ? r.ds->plans.rate[t] / 2 : r.ds->plans.rate[t];
    alt.rate = rate;
    struct cs_whatif_result *res2 = NULL;
    check_ok(cs_whatif_simulate(b, &alt, true, &res2, &err), &err, "simulate alt");
    assert_true(res2->risky.estimate < 0);
    assert_true(res2->risky.low <= res2->risky.estimate && res2->risky.estimate <= res2->risky.high);
    for (size_t i = 0; i < r.ds->deals.n; i++)
        if (r.inc->won[i]) {
            uint32_t g = r.ds->deals.rep[i];
            if (ev[g] == 0 || ev[g] == cnt[g])
                assert_true(res2->alt_p[i] == res2->base_p[i]);
        }
    free(rate);
    free(resid);
    free(dev);
    free(cnt);
    free(ev);
    cs_whatif_result_free(res);
    cs_whatif_result_free(res2);
    cs_whatif_base_free(b);
    cs_whatif_base_free(bl);
    run_free(&r);
}

int main(void)
{
    gsl_set_error_handler_off();
    cs_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credit_rows),
        cmocka_unit_test(test_credit_rows_split),
        cmocka_unit_test(test_push_out_hand_count),
        cmocka_unit_test(test_push_out_splits),
        cmocka_unit_test(test_whatif_within),
    };
    const struct CMUnitTest skill_tests[] = {
        cmocka_unit_test(test_skill_within_recovers),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += cmocka_run_group_tests(skill_tests, skill_setup, skill_teardown);
    return failed;
}
