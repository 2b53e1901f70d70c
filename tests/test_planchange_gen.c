/* test_planchange_gen.c - plan changes on generated data (SPEC 14.3, docs/GENERATOR.md): the planted effect recovered, no effect not flagged, too few movers no change, few movers a caveat. */
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

#include "compsight/analysis.h"
#include "compsight/backtest.h"
#include "compsight/doc.h"
#include "compsight/generate.h"
#include "compsight/planchange.h"
#include "compsight/report.h"
#include "compsight/select.h"
#include <unistd.h>

#include "gen_csv.h"

/* A generated sample company (--preset sample --real-plans), measured and
 * analysed over all quarters, with the backtests and the report. */
struct world {
    char *dir;
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_selection sel;
    struct cs_analysis *an;
    char *md;                /* report.md */
};

static void world_open(struct world *w, uint64_t seed, bool movers_set, unsigned movers,
                       bool effect_set, double effect, const char *period)
{
    struct cs_error err;
    memset(w, 0, sizeof *w);
    w->dir = make_tmpdir();
    struct cs_gen_options o = {.out_dir = w->dir, .seed = seed, .preset = "sample",
                               .assignments = true, .splits = true, .credit_by_type = true,
                               .plan_change_movers_set = movers_set, .plan_change_movers = movers,
                               .plan_change_effect_set = effect_set,
                               .plan_change_effect = effect};
    if (cs_generate(&o, &err) != CS_OK)
        fail_msg("generate: %s", err.msg);
    struct cs_load_options lo = {.dir = w->dir};
    if (cs_dataset_load(&lo, &w->ds, &err) != CS_OK)
        fail_msg("load: %s", err.msg);
    assert_int_equal(cs_calendar_init(&w->cal, 1, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(w->ds, &w->ds->plans, &w->cal, &w->inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w->ds, &w->cal, &w->oc, &err), CS_OK);
    assert_int_equal(cs_select_period(period, w->ds, &w->cal, &w->sel, &err), CS_OK);
    struct cs_measured m = {w->ds, &w->cal, w->inc, w->oc, &w->sel};
    if (cs_analysis_run(&m, 1, &w->an, &err) != CS_OK)
        fail_msg("analysis: %s", err.msg);
    assert_int_equal(cs_whatif_backtests(&m, w->an->plan_changes, 1, &err), CS_OK);
    struct cs_report_input in = {.ds = w->ds, .cal = &w->cal, .inc = w->inc, .oc = w->oc,
                                 .an = w->an, .data_name = "generated", .date = "2026-12-07",
                                 .plots_note = ""};
    struct cs_doc *doc = NULL;
    assert_int_equal(cs_report_build(&in, &doc, &err), CS_OK);
    size_t len = 0;
    FILE *f = open_memstream(&w->md, &len);
    assert_non_null(f);
    cs_doc_markdown(doc, f);
    fclose(f);
    cs_doc_free(doc);
}

static void world_close(struct world *w)
{
    cs_analysis_free(w->an);
    cs_outcomes_free(w->oc);
    cs_incentives_free(w->inc);
    cs_dataset_free(w->ds);
    free(w->md);
    remove_tree(w->dir);
    free(w->dir);
}

/* The default plants -0.08 on the movers' promise-risk probability, and
 * MM-Q-FY26's halved steps add about -0.005 (docs/GENERATOR.md): the
 * interval covers the planted effect, the change is clear, and its 7
 * movers get the few-reps caveat. */
static void test_planted_effect(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, 2026, false, 0, false, 0, "all");
    const struct cs_plan_changes *pcs = w.an->plan_changes;
    assert_int_equal(pcs->n, 1);
    const struct cs_plan_change *c = cs_planchange_last(pcs);
    assert_non_null(c);
    assert_string_equal(cs_ds_str(w.ds, w.ds->plans.id[c->from]), "MM-Q");
    assert_string_equal(cs_ds_str(w.ds, w.ds->plans.id[c->to]), "MM-Q-FY26");
    assert_int_equal(c->movers, 7);
    assert_int_equal(c->treated_reps, 7);
    assert_true(c->estimated);
    assert_true(c->did.ci_low < -0.08 && -0.08 < c->did.ci_high);
    assert_true(c->did.ci_low < -0.085 && -0.085 < c->did.ci_high);
    assert_int_equal(c->verdict, CS_VERDICT_CLEAR);
    assert_true(c->few_treated);
    assert_int_equal(c->quarters_after, 4);
    /* the backtest predicts the incentive part only: small and negative */
    assert_true(c->predicted.done);
    assert_true(c->predicted.estimate < 0 && c->predicted.estimate > -0.03);
    assert_int_equal(c->predicted.draws, 200);
    assert_non_null(strstr(w.md, "## Did the last plan change work?"));
    assert_non_null(strstr(w.md, "7 reps moved from plan MM-Q to plan MM-Q-FY26"));
    /* its quarters before the change differ (the joint test rejects), so
     * the clear estimate is worded without bold and with the reason */
    assert_true(c->pre_df > 0 && c->pre_p < 0.05);
    assert_null(strstr(w.md, "**a clear fall.**"));
    assert_non_null(strstr(w.md, "a fall by this measure, but the two groups already differed "
                                 "before the change"));
    assert_non_null(strstr(w.md, "Few reps: only 7 reps moved."));
    assert_non_null(strstr(w.md, "predicted before the change"));
    world_close(&w);
}

/* No planted effect: the change is not flagged. */
static void test_no_effect(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, 2026, false, 0, true, 0.0, "all");
    const struct cs_plan_change *c = cs_planchange_last(w.an->plan_changes);
    assert_non_null(c);
    assert_true(c->estimated);
    assert_int_not_equal(c->verdict, CS_VERDICT_CLEAR);
    assert_true(c->did.ci_low < 0 && 0 < c->did.ci_high);
    assert_non_null(strstr(w.md, "no clear effect; the interval includes no change."));
    world_close(&w);
}

/* Three movers are no plan change: the report says none was found. */
static void test_three_movers(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, 2026, true, 3, false, 0, "all");
    const struct cs_plan_changes *pcs = w.an->plan_changes;
    assert_int_equal(pcs->n, 0);
    assert_int_equal(pcs->largest_group, 3);
    assert_null(cs_planchange_last(pcs));
    assert_non_null(strstr(w.md, "No plan change was found. A plan change is at least 5 reps"));
    assert_non_null(strstr(w.md, "was 3, too few to compare"));
    world_close(&w);
}

/* Five movers are a change, with the caveat; a quarterly report before
 * the change has none, one of its quarter an early read. */
static void test_five_movers_by_quarter(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, 7, true, 5, false, 0, "2026Q1");
    const struct cs_plan_change *c = cs_planchange_last(w.an->plan_changes);
    assert_non_null(c);
    assert_int_equal(c->movers, 5);
    assert_true(c->few_treated);
    assert_int_equal(c->quarters_after, 1);
    assert_non_null(strstr(w.md, "Few reps: only 5 reps moved."));
    assert_non_null(strstr(w.md, "Early read: the data reach 1 of the 4 quarters after the change."));
    world_close(&w);
    world_open(&w, 7, true, 5, false, 0, "2025Q4");
    assert_null(cs_planchange_last(w.an->plan_changes));
    assert_non_null(strstr(w.md, "No plan change was found up to this quarter."));
    world_close(&w);
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
        cmocka_unit_test(test_planted_effect),
        cmocka_unit_test(test_no_effect),
        cmocka_unit_test(test_three_movers),
        cmocka_unit_test(test_five_movers_by_quarter),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
