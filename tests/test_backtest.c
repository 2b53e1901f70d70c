/* test_backtest.c - the backtest of a plan change (SPEC 14.3): the what-if of plan B on the moved reps' deals before the change, checked against cs_whatif_simulate. */
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

#include "compsight/backtest.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/planchange.h"
#include "compsight/select.h"
#include "compsight/whatif.h"
#include "testutil.h"

#define DATA CS_TEST_DIR "/fixtures/whatif/data"

/* The what-if fixture (tests/fixtures/whatif: 28 reps, won deals
 * 2025-01 .. 2026-12) with a pretend plan change: the six Mid-Market AEs
 * (R0010 .. R0015) move from MM-Q to plan `to` on 2026-01-01. */
struct world {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_plan_changes *pcs;
    uint8_t *won, *y;
    int32_t *day;
};

static uint32_t plan_of(const struct cs_dataset *ds, const char *id)
{
    for (size_t p = 0; p < ds->plans.n; p++)
        if (strcmp(cs_ds_str(ds, ds->plans.id[p]), id) == 0)
            return (uint32_t)p;
    fail_msg("no plan %s", id);
    return 0;
}

static uint32_t rep_of(const struct cs_dataset *ds, const char *id)
{
    for (size_t r = 0; r < ds->reps.n; r++)
        if (strcmp(cs_ds_str(ds, ds->reps.id[r]), id) == 0)
            return (uint32_t)r;
    fail_msg("no rep %s", id);
    return 0;
}

static void world_open(struct world *w, const char *to)
{
    struct cs_error err;
    memset(w, 0, sizeof *w);
    struct cs_load_options lo = {.dir = DATA};
    if (cs_dataset_load(&lo, &w->ds, &err) != CS_OK)
        fail_msg("load: %s", err.msg);
    assert_int_equal(cs_calendar_init(&w->cal, 1, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(w->ds, &w->ds->plans, &w->cal, &w->inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w->ds, &w->cal, &w->oc, &err), CS_OK);
    int32_t date;
    assert_int_equal(cs_parse_date("2026-01-01", 10, CS_DATE_ISO, &date), true);
    struct cs_pc_assignment a[12];
    size_t n = 0;
    uint32_t from = plan_of(w->ds, "MM-Q"), b = plan_of(w->ds, to);
    for (int k = 10; k <= 15; k++) {
        char id[8];
        snprintf(id, sizeof id, "R%04d", k);
        uint32_t r = rep_of(w->ds, id);
        a[n++] = (struct cs_pc_assignment){r, from, date - 800, date - 1};
        a[n++] = (struct cs_pc_assignment){r, b, date, CS_NO_DATE};
    }
    assert_int_equal(cs_planchange_detect(a, n, &w->cal, &w->pcs, &err), CS_OK);
    assert_int_equal(w->pcs->n, 1);
    size_t nd = w->ds->deals.n;
    w->won = malloc(nd);
    w->y = malloc(nd);
    w->day = malloc(nd * sizeof *w->day);
    assert_true(w->won && w->y && w->day);
    for (size_t i = 0; i < nd; i++) {
        w->won[i] = w->inc->won[i];
        w->y[i] = w->oc->promise_risk[i];
        w->day[i] = w->ds->deals.close[i];
    }
    struct cs_pc_deals d = {.n = nd, .rep = w->ds->deals.rep, .day = w->day, .y = w->y,
                            .use = w->won, .reps = w->ds->reps.n};
    assert_int_equal(cs_planchange_did(w->pcs, 0, &d, &w->cal, CS_NO_DATE, &err), CS_OK);
}

static void world_close(struct world *w)
{
    cs_planchange_free(w->pcs);
    cs_outcomes_free(w->oc);
    cs_incentives_free(w->inc);
    cs_dataset_free(w->ds);
    free(w->won);
    free(w->y);
    free(w->day);
}

static struct cs_measured measured(const struct world *w, const struct cs_selection *sel)
{
    return (struct cs_measured){w->ds, &w->cal, w->inc, w->oc, sel};
}

/* The estimate is the what-if's own: the mean over the moved reps' deals
 * of 2025 of alt_p - base_p from cs_whatif_simulate with MM-Q given
 * SMB-Q's tiers. */
static void test_against_simulate(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, "SMB-Q");
    struct cs_plan_change *c = &w.pcs->items[0];
    struct cs_measured m = measured(&w, NULL);
    assert_int_equal(cs_whatif_backtest(&m, c, 7, 0, &err), CS_OK);
    const struct cs_pc_predicted *pr = &c->predicted;
    assert_true(pr->done);
    assert_string_equal(pr->note, "");

    /* the same through the what-if's own simulation */
    struct cs_selection sel = {.mode = CS_SELECT_RANGE, .first = 20251, .last = 20254};
    struct cs_measured before = measured(&w, &sel);
    struct cs_whatif_settings set = {.seed = 7, .threads = 1};
    struct cs_whatif_base *b = NULL;
    assert_int_equal(cs_whatif_base_new(&before, &set, &b, &err), CS_OK);
    assert_int_equal(pr->fit_deals, b->deals);
    struct cs_plans alt = {0};
    size_t nt = w.ds->plans.n_tiers;
    uint32_t from = c->from, to = c->to;
    alt = w.ds->plans;
    /* plans with MM-Q given SMB-Q's period type, quota and tiers */
    double *fl = malloc(nt * 2 * sizeof *fl), *rt = malloc(nt * 2 * sizeof *rt);
    uint32_t first[16], count[16];
    uint8_t ptype[16];
    double quota[16];
    assert_true(fl && rt && w.ds->plans.n <= 16);
    size_t at = 0;
    for (size_t p = 0; p < w.ds->plans.n; p++) {
        size_t s = p == from ? to : p;
        first[p] = (uint32_t)at;
        count[p] = w.ds->plans.tier_count[s];
        ptype[p] = w.ds->plans.period_type[s];
        quota[p] = w.ds->plans.quota[s];
        for (uint32_t k = 0; k < count[p]; k++, at++) {
            fl[at] = w.ds->plans.floor[w.ds->plans.tier_first[s] + k];
            rt[at] = w.ds->plans.rate[w.ds->plans.tier_first[s] + k];
        }
    }
    alt.tier_first = first;
    alt.tier_count = count;
    alt.period_type = ptype;
    alt.quota = quota;
    alt.floor = fl;
    alt.rate = rt;
    alt.n_tiers = at;
    struct cs_whatif_result *res = NULL;
    assert_int_equal(cs_whatif_simulate(b, &alt, true, &res, &err), CS_OK);
    double sum = 0, sa = 0;
    size_t n = 0;
    for (size_t i = 0; i < w.ds->deals.n; i++) {
        if (isnan(res->base_p[i]))
            continue;
        uint32_t r = w.ds->deals.rep[i];
        bool treated = false;
        for (size_t k = 0; k < c->movers; k++)
            treated |= c->treated[k] == r;
        if (!treated)
            continue;
        sum += res->alt_p[i] - res->base_p[i];
        sa += res->base_p[i];
        n++;
    }
    assert_int_equal(pr->deals, n);
    assert_true(n > 100);
    assert_close(pr->estimate, sum / (double)n, 1e-12);
    assert_close(pr->base_rate, sa / (double)n, 1e-12);
    /* the interval: percentile of the draws, around the estimate */
    assert_true(pr->draws > 190 && pr->draws <= CS_WHATIF_DRAWS);
    assert_true(pr->ci_low < pr->estimate && pr->estimate < pr->ci_high);
    printf("    predicted %.5f [%.5f, %.5f] over %zu deals, %zu draws\n", pr->estimate, pr->ci_low,
           pr->ci_high, pr->deals, pr->draws);

    /* the same seed gives the same interval; another seed another */
    struct cs_pc_predicted first_run = *pr;
    assert_int_equal(cs_whatif_backtest(&m, c, 7, 0, &err), CS_OK);
    assert_true(pr->ci_low == first_run.ci_low && pr->ci_high == first_run.ci_high);
    assert_int_equal(cs_whatif_backtest(&m, c, 8, 50, &err), CS_OK);
    assert_true(pr->ci_low != first_run.ci_low);
    assert_true(pr->estimate == first_run.estimate);
    assert_true(pr->draws <= 50);

    cs_whatif_result_free(res);
    cs_whatif_base_free(b);
    free(fl);
    free(rt);
    world_close(&w);
}

/* A move to a plan that pays the same predicts exactly no change. */
static void test_same_plan_is_zero(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, "SMB-Q");
    struct cs_plan_change *c = &w.pcs->items[0];
    c->to = c->from;
    struct cs_measured m = measured(&w, NULL);
    assert_int_equal(cs_whatif_backtest(&m, c, 7, 0, &err), CS_OK);
    assert_true(c->predicted.done);
    assert_true(c->predicted.estimate == 0);
    assert_true(c->predicted.ci_low == 0 && c->predicted.ci_high == 0);
    world_close(&w);
}

/* Thin: a change before any data, and the order of the calls. */
static void test_thin(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, "ENT-Y");
    struct cs_plan_change *c = &w.pcs->items[0];
    struct cs_measured m = measured(&w, NULL);
    /* pretend the change came a year earlier: no deal in the four quarters before it */
    struct cs_plan_change early = *c;
    for (int e = 0; e < CS_PC_EVENTS; e++)
        early.event[e].code -= 10;
    assert_int_equal(cs_whatif_backtest(&m, &early, 7, 0, &err), CS_OK);
    assert_false(early.predicted.done);
    assert_string_equal(early.predicted.note,
                        "there is no won deal in the four quarters before the change");
    early.run = false;
    assert_int_equal(cs_whatif_backtest(&m, &early, 7, 0, &err), CS_ERR_USAGE);
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
        cmocka_unit_test(test_against_simulate),
        cmocka_unit_test(test_same_plan_is_zero),
        cmocka_unit_test(test_thin),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
