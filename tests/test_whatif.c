/* test_whatif.c - unit tests of the what-if simulation, the strawman options and the proposal (SPEC 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/commands.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/select.h"
#include "whatif/whatif_priv.h"
#include "compsight/whatif.h"
#include "whatif/vecmath.h"

#define FIX CS_TEST_DIR "/fixtures/whatif"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#include "testutil.h"

/* Bit-for-bit equality (0.0 and -0.0 differ), printing both. */
#define assert_bits(a, b) assert_bits_at((a), (b), #a, __FILE__, __LINE__)
static void assert_bits_at(double a, double b, const char *what, const char *file, int line)
{
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("%s:%d: %s = %.17g, expected exactly %.17g", file, line, what, a, b);
}

/* Everything a simulation needs, loaded from a data directory. */
struct world {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_selection sel;
    struct cs_whatif_base *b;
};

/* The world's data set as measured, for the selection sel. */
static struct cs_measured measured(const struct world *w, const struct cs_selection *sel)
{
    return (struct cs_measured){w->ds, &w->cal, w->inc, w->oc, sel};
}

static void world_open(struct world *w, const char *dir, const char *period, unsigned draws,
                       int threads, uint64_t seed)
{
    struct cs_error err;
    memset(w, 0, sizeof *w);
    struct cs_load_options lo = {.dir = dir};
    if (cs_dataset_load(&lo, &w->ds, &err) != CS_OK)
        fail_msg("load %s: %s", dir, err.msg);
    assert_int_equal(cs_calendar_init(&w->cal, 1, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(w->ds, &w->ds->plans, &w->cal, &w->inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w->ds, &w->cal, &w->oc, &err), CS_OK);
    assert_int_equal(cs_select_period(period, w->ds, &w->cal, &w->sel, &err), CS_OK);
    struct cs_whatif_settings o = {.seed = seed, .draws = draws, .threads = threads};
    struct cs_measured m = measured(w, &w->sel);
    if (cs_whatif_base_new(&m, &o, &w->b, &err) != CS_OK)
        fail_msg("base: %s", err.msg);
}

static void world_close(struct world *w)
{
    cs_whatif_base_free(w->b);
    cs_outcomes_free(w->oc);
    cs_incentives_free(w->inc);
    cs_dataset_free(w->ds);
}

static void load_alt(const struct world *w, const char *path, struct cs_plans *alt, bool **listed)
{
    struct cs_error err;
    struct cs_load_options lo = {.dir = FIX "/data"};
    if (cs_plans_load_alt(path, w->ds, &lo, alt, listed, &err) != CS_OK)
        fail_msg("alt %s: %s", path, err.msg);
}

static struct cs_whatif_result *simulate(const struct world *w, const struct cs_plans *alt,
                                         bool per_deal)
{
    struct cs_error err;
    struct cs_whatif_result *r = NULL;
    if (cs_whatif_simulate(w->b, alt, per_deal, &r, &err) != CS_OK)
        fail_msg("simulate: %s", err.msg);
    return r;
}

/* The value of (selection, alt, key) in expected_totals.csv; NAN when absent. */
static double expected_total(const char *sel, const char *alt, const char *key)
{
    FILE *f = fopen(FIX "/expected_totals.csv", "r");
    assert_non_null(f);
    char line[512];
    double v = NAN;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *s = strtok(line, ","), *a, *k, *x;
        if (!s || strcmp(s, sel) != 0)
            continue;
        /* alt may be empty: split by hand */
        a = s + strlen(s) + 1;
        k = strchr(a, ',');
        if (!k)
            continue;
        *k++ = '\0';
        x = strchr(k, ',');
        if (!x)
            continue;
        *x++ = '\0';
        if (strcmp(a, alt) == 0 && strcmp(k, key) == 0) {
            v = strtod(x, NULL);
            break;
        }
    }
    fclose(f);
    return v;
}

static size_t deal_index(const struct cs_dataset *ds, const char *id)
{
    for (size_t i = 0; i < ds->deals.n; i++)
        if (strcmp(cs_ds_str(ds, ds->deals.id[i]), id) == 0)
            return i;
    fail_msg("deal %s not found", id);
    return 0;
}

/* The latest quarter of the fixture, as make_fixture.R found it. */
static const char latest[] = "2026Q4";

/* ======================================================================
 * Identical plans: exactly zero
 * ==================================================================== */

static void check_zero(const struct cs_whatif_result *r, const struct cs_whatif_base *b)
{
    assert_bits(r->alt_risky, r->base_risky);
    assert_bits(r->alt_risky_promises, r->base_risky_promises);
    assert_bits(r->alt_commission, r->base_commission);
    const struct cs_whatif_diff *d[] = {&r->risky, &r->risky_promises, &r->commission};
    for (size_t i = 0; i < 3; i++) {
        assert_bits(d[i]->estimate, 0.0);
        assert_bits(d[i]->low, 0.0);
        assert_bits(d[i]->high, 0.0);
    }
    assert_int_equal(r->n_plans, 0);      /* no plan changes */
    for (size_t p = 0; p < b->ds->plans.n; p++) {
        struct cs_whatif_plan_effect e;
        cs_whatif_plan_effect_of(b, r, p, &e);
        assert_int_equal(e.plan, p);
        assert_false(e.changed);
        assert_int_equal(e.rows_changed, 0);
        assert_bits(e.risky.estimate, 0.0);
        assert_bits(e.risky.low, 0.0);
        assert_bits(e.risky.high, 0.0);
        assert_bits(e.commission.estimate, 0.0);
        assert_bits(e.commission.low, 0.0);
        assert_bits(e.commission.high, 0.0);
        assert_bits(e.alt_commission, e.base_commission);
    }
    assert_int_equal(r->changed_rows, 0);
    assert_int_equal(r->changed_commission, 0);
    assert_false(r->recomputed);
    assert_non_null(b->fit);
}

static void test_identical_exact_zero(void **state)
{
    (void)state;
    const char *periods[] = {"all", NULL};
    for (size_t k = 0; k < 2; k++) {
        struct world w;
        world_open(&w, FIX "/data", periods[k], 0, 2, 1);
        /* the file read back, and the struct itself */
        struct cs_plans alt;
        bool *listed = NULL;
        load_alt(&w, FIX "/data/plans.csv", &alt, &listed);
        for (size_t p = 0; p < w.ds->plans.n; p++)
            assert_true(listed[p]);
        free(listed);
        struct cs_whatif_result *r = simulate(&w, &alt, true);
        check_zero(r, w.b);
        for (size_t i = 0; i < w.ds->deals.n; i++) {
            assert_bits(r->alt_p[i], r->base_p[i]);
            assert_bits(r->alt_commission_deal[i], r->base_commission_deal[i]);
        }
        cs_whatif_result_free(r);
        r = simulate(&w, &w.ds->plans, false);
        check_zero(r, w.b);
        cs_whatif_result_free(r);
        cs_plans_free(&alt);
        world_close(&w);
    }
}

/* ======================================================================
 * Against R: glm + predict on independently computed measures
 * ==================================================================== */

static void check_against_r(const char *period, const char *sel_label)
{
    static const char *const alts[] = {"alt_tiers.csv", "alt_yearly.csv", "plans.csv"};
    struct world w;
    world_open(&w, FIX "/data", period, 0, 2, 1);
    assert_int_equal(w.b->deals, (size_t)expected_total(sel_label, "", "won_deals"));
    assert_int_equal(w.b->observed_risky, (size_t)expected_total(sel_label, "", "observed_risky"));
    assert_close(w.b->promises_per_risky, expected_total(sel_label, "", "promises_per_risky"), 1e-15);
    /* the fitted model (R names its type dummies type_expansion, type_renewal) */
    static const char *const rn[] = {"(Intercept)", "marginal_rate", "tier_cross", "last_14_days",
                                     "log_amount", "spiff", "type_expansion", "type_renewal"};
    for (size_t t = 0; t < CS_DEAL_TERMS; t++) {
        char key[64];
        snprintf(key, sizeof key, "coef:%s", rn[t]);
        double want = expected_total(sel_label, "", key);
        const struct cs_regress_term *term = NULL;
        for (size_t j = 0; j < w.b->fit->k; j++)
            if (w.b->fit->terms[j].column == t)
                term = &w.b->fit->terms[j];
        if (isnan(want))
            assert_null(term);      /* R: aliased; compsight: dropped */
        else
            assert_close(term->estimate, want, 1e-6);
    }
    for (size_t a = 0; a < 3; a++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", strcmp(alts[a], "plans.csv") ? FIX : FIX "/data", alts[a]);
        struct cs_plans alt;
        load_alt(&w, path, &alt, NULL);
        struct cs_whatif_result *r = simulate(&w, &alt, true);
        const char *s = sel_label, *x = alts[a];
        assert_close(r->base_risky, expected_total(s, x, "base_risky"), 1e-6);
        assert_close(r->alt_risky, expected_total(s, x, "alt_risky"), 1e-6);
        double rd = expected_total(s, x, "risky_diff");
        if (rd == 0)
            assert_bits(r->risky.estimate, 0.0);
        else
            assert_close(r->risky.estimate, rd, 1e-6);
        assert_close(r->base_risky_promises, expected_total(s, x, "base_risky_promises"), 1e-6);
        assert_close(r->alt_risky_promises, expected_total(s, x, "alt_risky_promises"), 1e-6);
        /* commission is arithmetic on the same inputs: much tighter */
        assert_close(r->base_commission, expected_total(s, x, "base_commission"), 1e-12);
        assert_close(r->alt_commission, expected_total(s, x, "alt_commission"), 1e-12);
        assert_close(r->commission.estimate, expected_total(s, x, "commission_diff"), 1e-9);
        assert_int_equal(r->changed_rows, (size_t)expected_total(s, x, "changed_rows"));
        assert_int_equal(r->recomputed, strcmp(x, "alt_yearly.csv") == 0);
        /* the difference is consistent with the levels */
        if (isfinite(r->risky.estimate))
            assert_close(r->alt_risky - r->base_risky, r->risky.estimate, 1e-9);
        /* per-deal predictions and commissions */
        FILE *f = fopen(FIX "/expected_deals.csv", "r");
        assert_non_null(f);
        char line[512];
        size_t seen = 0;
        while (fgets(line, sizeof line, f)) {
            char sel[16], altf[64], id[32];
            double pb, pa, cb, ca;
            if (sscanf(line, "%15[^,],%63[^,],%31[^,],%lf,%lf,%lf,%lf", sel, altf, id, &pb, &pa, &cb, &ca) != 7 ||
                strcmp(sel, s) != 0 || strcmp(altf, x) != 0)
                continue;
            size_t i = deal_index(w.ds, id);
            assert_close(r->base_p[i], pb, 1e-6);
            assert_close(r->alt_p[i], pa, 1e-6);
            assert_close(r->base_commission_deal[i], cb, 1e-12);
            assert_close(r->alt_commission_deal[i], ca, 1e-12);
            if (pa == pb)
                assert_bits(r->alt_p[i], r->base_p[i]);
            seen++;
        }
        fclose(f);
        assert_true(seen >= (strcmp(x, "plans.csv") ? 6u : 3u));
        /* per plan, the commissions are the deals' summed in deal order, to the bit */
        for (size_t p = 0; p < w.ds->plans.n; p++) {
            struct cs_whatif_plan_effect e;
            cs_whatif_plan_effect_of(w.b, r, p, &e);
            double base = 0, alt_sum = 0;
            for (size_t i = 0; i < w.ds->deals.n; i++) {
                if (isnan(r->base_commission_deal[i]) ||
                    w.ds->reps.plan[w.ds->deals.rep[i]] != (uint32_t)p)
                    continue;
                base += r->base_commission_deal[i];
                alt_sum += r->alt_commission_deal[i];
            }
            assert_bits(e.base_commission, base);
            assert_bits(e.alt_commission, alt_sum);
        }
        cs_whatif_result_free(r);
        cs_plans_free(&alt);
    }
    world_close(&w);
}

static void test_against_r_all(void **state)
{
    (void)state;
    check_against_r("all", "all");
}

static void test_against_r_latest(void **state)
{
    (void)state;
    check_against_r(NULL, latest);
}

/* The base predictions are the report's design and fit, deal for deal. */
static void test_same_design_as_report(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/data", "all", 0, 2, 1);
    struct cs_analysis *an = NULL;
    struct cs_measured m = measured(&w, &w.sel);
    assert_int_equal(cs_analysis_run(&m, 1, &an, &err), CS_OK);
    const struct cs_regress_fit *f = an->model[CS_MODEL_PROMISE_RISK].fit;
    assert_int_equal(f->k, w.b->fit->k);
    for (size_t t = 0; t < f->k; t++)
        assert_bits(w.b->fit->terms[t].estimate, f->terms[t].estimate);
    struct cs_whatif_result *r = simulate(&w, &w.ds->plans, true);
    for (size_t i = 0; i < w.ds->deals.n; i++) {
        if (!w.inc->won[i])
            continue;
        double x[CS_DEAL_TERMS];
        cs_analysis_deal_row(w.ds, w.inc, i, x);
        assert_bits(r->base_p[i], cs_regress_predict_logit(f, x));
        assert_bits(r->base_p[i], cs_whatif_predict(f, x));
        assert_bits(r->base_commission_deal[i], w.inc->commission[i]);
    }
    cs_whatif_result_free(r);
    cs_analysis_free(an);
    world_close(&w);
}

/* ======================================================================
 * A hand-computed case: removing the accelerator
 * ==================================================================== */

/*
 * Plan P1: quota 100, 10% to 100%, 20% above.  R1 wins 60 and 60 in
 * 2026Q1: 6 and 100 (0.1 x 0.4 + 0.2 x 0.2) = 8.  R2 wins 50: 5.  Total 19.
 * Without the accelerator: 6 + 6 + 5 = 17, difference -2, all of it R1's.
 * A bootstrap draw takes R1 0, 1 or 2 times (probabilities 1/4, 1/2,
 * 1/4), so the draws are 0, -2 or -4 and 200 of them give the interval
 * [-4, 0] exactly.  No promises.csv: no model, risky figures NAN.
 */
static void test_small_by_hand(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, FIX "/small", "all", 0, 1, 1);
    assert_int_equal(w.b->deals, 3);
    assert_int_equal(w.b->reps, 2);
    assert_null(w.b->fit);
    assert_false(w.b->promise_data);
    assert_non_null(strstr(w.b->model_note, "promises.csv"));
    struct cs_plans alt;
    struct cs_error err;
    struct cs_load_options lo = {.dir = FIX "/small"};
    assert_int_equal(cs_plans_load_alt(FIX "/small/alt_flat.csv", w.ds, &lo, &alt, NULL, &err), CS_OK);
    struct cs_whatif_result *r = simulate(&w, &alt, true);
    assert_close(r->base_commission, 19.0, 1e-12);
    assert_close(r->alt_commission, 17.0, 1e-12);
    assert_close(r->commission.estimate, -2.0, 1e-12);
    assert_close(r->commission.low, -4.0, 1e-12);
    assert_close(r->commission.high, 0.0, 1e-12);
    assert_close(r->alt_commission_deal[deal_index(w.ds, "D2")], 6.0, 1e-12);
    assert_close(r->base_commission_deal[deal_index(w.ds, "D2")], 8.0, 1e-12);
    assert_true(isnan(r->base_p[deal_index(w.ds, "D2")]));
    assert_true(isnan(r->base_commission_deal[deal_index(w.ds, "D4")]));   /* lost */
    assert_true(isnan(r->base_risky) && isnan(r->alt_risky));
    assert_true(isnan(r->risky.estimate) && isnan(r->risky.low) && isnan(r->risky.high));
    assert_true(isnan(r->risky_promises.estimate) && isnan(r->risky_promises.low));
    assert_int_equal(r->changed_marginal_rate, 0);     /* D2 starts at 60%: still 10% */
    assert_int_equal(r->changed_tier_cross, 1);        /* D2 no longer crosses a floor */
    assert_int_equal(r->changed_commission, 1);
    assert_true(r->plans[0].changed);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    world_close(&w);
}

/* ======================================================================
 * A partial alternative (SPEC 13): the plans it leaves out carry over
 * ==================================================================== */

/* Every figure of two results, to the bit. */
static void assert_same_result(const struct cs_whatif_result *a, const struct cs_whatif_result *b,
                               size_t n_deals)
{
    const struct cs_whatif_diff *da[] = {&a->risky, &a->risky_promises, &a->commission};
    const struct cs_whatif_diff *db[] = {&b->risky, &b->risky_promises, &b->commission};
    for (size_t i = 0; i < 3; i++) {
        assert_bits(da[i]->estimate, db[i]->estimate);
        assert_bits(da[i]->low, db[i]->low);
        assert_bits(da[i]->high, db[i]->high);
    }
    assert_bits(a->base_risky, b->base_risky);
    assert_bits(a->alt_risky, b->alt_risky);
    assert_bits(a->alt_risky_promises, b->alt_risky_promises);
    assert_bits(a->base_commission, b->base_commission);
    assert_bits(a->alt_commission, b->alt_commission);
    assert_int_equal(a->changed_marginal_rate, b->changed_marginal_rate);
    assert_int_equal(a->changed_tier_cross, b->changed_tier_cross);
    assert_int_equal(a->changed_last_14_days, b->changed_last_14_days);
    assert_int_equal(a->changed_rows, b->changed_rows);
    assert_int_equal(a->changed_commission, b->changed_commission);
    assert_int_equal(a->extrapolated, b->extrapolated);
    assert_int_equal(a->recomputed, b->recomputed);
    assert_int_equal(a->n_plans, b->n_plans);
    for (size_t p = 0; p < a->n_plans; p++) {
        const struct cs_whatif_plan_effect *x = &a->plans[p], *y = &b->plans[p];
        assert_int_equal(x->plan, y->plan);
        assert_int_equal(x->deals, y->deals);
        assert_int_equal(x->rows_changed, y->rows_changed);
        assert_bits(x->alt_commission, y->alt_commission);
        assert_bits(x->risky.estimate, y->risky.estimate);
        assert_bits(x->risky.low, y->risky.low);
        assert_bits(x->risky.high, y->risky.high);
        assert_bits(x->commission.estimate, y->commission.estimate);
        assert_bits(x->commission.low, y->commission.low);
        assert_bits(x->commission.high, y->commission.high);
    }
    for (size_t i = 0; a->alt_p && i < n_deals; i++) {
        assert_bits(a->alt_p[i], b->alt_p[i]);
        assert_bits(a->alt_commission_deal[i], b->alt_commission_deal[i]);
    }
}

/* A file with one plan gives the same figures as the full file with that
 * one plan changed: alt_one.csv (MM-Q's ramp alone) against
 * alt_one_full.csv (plans.csv with MM-Q's rows replaced by it). */
static void test_one_plan_file(void **state)
{
    (void)state;
    const char *periods[] = {"all", NULL};
    for (size_t k = 0; k < 2; k++) {
        struct world w;
        world_open(&w, FIX "/data", periods[k], 100, 2, 5);
        struct cs_plans one, full;
        bool *l1 = NULL, *l2 = NULL;
        load_alt(&w, FIX "/alt_one.csv", &one, &l1);
        load_alt(&w, FIX "/alt_one_full.csv", &full, &l2);
        size_t mm = SIZE_MAX;
        for (size_t p = 0; p < w.ds->plans.n; p++) {
            bool is_mm = strcmp(cs_ds_str(w.ds, w.ds->plans.id[p]), "MM-Q") == 0;
            mm = is_mm ? p : mm;
            assert_int_equal(l1[p], is_mm);     /* only MM-Q is listed */
            assert_true(l2[p]);
            /* the same table, bit for bit */
            assert_int_equal(one.period_type[p], full.period_type[p]);
            assert_bits(one.quota[p], full.quota[p]);
            assert_int_equal(one.tier_count[p], full.tier_count[p]);
            for (uint32_t t = 0; t < one.tier_count[p]; t++) {
                assert_bits(one.floor[one.tier_first[p] + t], full.floor[full.tier_first[p] + t]);
                assert_bits(one.rate[one.tier_first[p] + t], full.rate[full.tier_first[p] + t]);
            }
        }
        assert_true(mm != SIZE_MAX);
        assert_int_equal(one.tier_count[mm], 7);
        struct cs_whatif_result *a = simulate(&w, &one, true), *b = simulate(&w, &full, true);
        assert_same_result(a, b, w.ds->deals.n);
        assert_int_equal(a->n_plans, 1);        /* MM-Q alone changes */
        assert_int_equal(a->plans[0].plan, mm);
        assert_true(a->changed_rows > 0);
        assert_true(cs_whatif_result_changes(a, mm));
        /* told which plans may differ, the same bits */
        struct cs_whatif_result *c = NULL;
        struct cs_error err;
        uint32_t only = (uint32_t)mm;
        struct cs_whatif_work *work = cs_whatif_work_new(w.b, 2);
        assert_non_null(work);
        assert_int_equal(cs_whatif_simulate_only(w.b, work, &one, &only, 1, true, &c, &err), CS_OK);
        cs_whatif_work_free(work);
        assert_same_result(a, c, w.ds->deals.n);
        cs_whatif_result_free(a);
        cs_whatif_result_free(b);
        cs_whatif_result_free(c);
        cs_plans_free(&one);
        cs_plans_free(&full);
        free(l1);
        free(l2);
        world_close(&w);
    }
}

/* A file that leaves a plan out: that plan carries over with its current
 * definition, and the simulation leaves its deals alone. */
static void test_partial_file(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, FIX "/data", "all", 50, 1, 2);
    struct cs_plans alt;
    bool *listed = NULL;
    load_alt(&w, FIX "/alt_missing.csv", &alt, &listed);
    const struct cs_plans *cur = &w.ds->plans;
    for (size_t p = 0; p < cur->n; p++) {
        const char *id = cs_ds_str(w.ds, cur->id[p]);
        bool smb = strcmp(id, "SMB-Q") == 0;
        assert_int_equal(listed[p], !smb);
        assert_int_equal(alt.id[p], cur->id[p]);
        if (strcmp(id, "MM-Q") == 0)
            assert_int_equal(alt.tier_count[p], 1);
        if (strcmp(id, "ENT-Y") == 0)
            assert_int_equal(alt.tier_count[p], 2);
        if (!smb)
            continue;
        assert_int_equal(alt.tier_count[p], cur->tier_count[p]);
        assert_bits(alt.quota[p], cur->quota[p]);
        for (uint32_t t = 0; t < cur->tier_count[p]; t++)
            assert_bits(alt.rate[alt.tier_first[p] + t], cur->rate[cur->tier_first[p] + t]);
        struct cs_whatif_result *r = simulate(&w, &alt, false);
        assert_int_equal(r->n_plans, 2);
        assert_false(cs_whatif_result_changes(r, p));
        struct cs_whatif_plan_effect e;
        cs_whatif_plan_effect_of(w.b, r, p, &e);
        assert_false(e.changed);
        assert_bits(e.commission.estimate, 0.0);
        assert_bits(e.alt_commission, e.base_commission);
        assert_true(e.deals > 0);
        cs_whatif_result_free(r);
    }
    free(listed);
    cs_plans_free(&alt);
    world_close(&w);
}

/* ======================================================================
 * Errors
 * ==================================================================== */

static void test_errors(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    struct cs_plans alt;
    world_open(&w, FIX "/small", "all", 10, 1, 1);
    struct cs_load_options lo = {.dir = FIX "/data"};
    cs_dataset_free(w.ds);
    assert_int_equal(cs_dataset_load(&lo, &w.ds, &err), CS_OK);

    /* a plan the data does not have: the first in file order, by its line */
    cs_error_clear(&err);
    bool *listed = (bool *)&err;
    assert_int_equal(cs_plans_load_alt(FIX "/alt_unknown.csv", w.ds, &lo, &alt, &listed, &err),
                     CS_ERR_INPUT);
    assert_non_null(strstr(err.file, "alt_unknown.csv"));
    assert_int_equal(err.line, 4);
    assert_string_equal(err.column, "plan_id");
    assert_non_null(strstr(err.msg, "plan \"MM-q\" is not a plan of the data"));
    assert_int_equal(alt.n, 0);
    assert_null(listed);

    cs_error_clear(&err);
    assert_int_equal(cs_plans_load_alt(FIX "/alt_malformed.csv", w.ds, &lo, &alt, NULL, &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.file, "alt_malformed.csv"));
    assert_int_equal(err.line, 4);
    assert_string_equal(err.column, "rate");

    /* a plans struct with the wrong number of plans, an option of another data set */
    struct cs_plans bad = w.ds->plans;
    bad.n = 1;
    struct cs_whatif_result *r = NULL;
    struct cs_whatif_base *b = NULL;
    struct cs_selection sel;
    assert_int_equal(cs_select_period("all", w.ds, &w.cal, &sel, &err), CS_OK);
    cs_incentives_free(w.inc);
    cs_outcomes_free(w.oc);
    assert_int_equal(cs_incentives_compute(w.ds, &w.ds->plans, &w.cal, &w.inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w.ds, &w.cal, &w.oc, &err), CS_OK);
    struct cs_whatif_settings o = {.seed = 1, .draws = 10, .threads = 1};
    struct cs_measured m = measured(&w, &sel);
    assert_int_equal(cs_whatif_base_new(&m, &o, &b, &err), CS_OK);
    assert_int_equal(cs_whatif_simulate(b, &bad, false, &r, &err), CS_ERR_USAGE);
    assert_null(r);
    uint32_t only = (uint32_t)w.ds->plans.n;
    struct cs_whatif_work *work = cs_whatif_work_new(b, 1);
    assert_non_null(work);
    assert_int_equal(cs_whatif_simulate_only(b, work, &w.ds->plans, &only, 1, false, &r, &err),
                     CS_ERR_USAGE);
    assert_null(r);
    cs_whatif_work_free(work);
    /* a plans struct that breaks the rules of plans.csv */
    double *rates = malloc(w.ds->plans.n_tiers * sizeof *rates);
    assert_non_null(rates);
    memcpy(rates, w.ds->plans.rate, w.ds->plans.n_tiers * sizeof *rates);
    rates[1] = -0.01;
    bad = w.ds->plans;
    bad.rate = rates;
    cs_error_clear(&err);
    assert_int_equal(cs_whatif_simulate(b, &bad, false, &r, &err), CS_ERR_INPUT);
    assert_string_equal(err.column, "rate");
    assert_null(r);
    free(rates);
    cs_whatif_base_free(b);

    /* --period each */
    sel.mode = CS_SELECT_EACH;
    assert_int_equal(cs_whatif_base_new(&m, &o, &b, &err), CS_ERR_USAGE);
    assert_null(b);
    world_close(&w);
}

/* ======================================================================
 * The bootstrap
 * ==================================================================== */

/* Threads and repeated runs give the same bits; another seed other intervals. */
static void test_deterministic(void **state)
{
    (void)state;
    struct world a, b, c;
    world_open(&a, FIX "/data", "all", 0, 1, 7);
    world_open(&b, FIX "/data", "all", 0, 2, 7);
    world_open(&c, FIX "/data", "all", 0, 2, 8);
    struct cs_plans alt;
    load_alt(&a, FIX "/alt_tiers.csv", &alt, NULL);
    struct cs_whatif_result *ra = simulate(&a, &alt, false), *rb = simulate(&b, &alt, false),
                            *rc = simulate(&c, &alt, false);
    assert_bits(ra->risky.low, rb->risky.low);
    assert_bits(ra->risky.high, rb->risky.high);
    assert_bits(ra->risky_promises.high, rb->risky_promises.high);
    assert_bits(ra->commission.low, rb->commission.low);
    assert_bits(ra->risky.estimate, rc->risky.estimate);   /* estimates do not depend on the seed */
    assert_true(ra->risky.low != rc->risky.low);
    /* the interval holds the estimate and is not degenerate */
    assert_true(ra->risky.low < ra->risky.estimate && ra->risky.estimate < ra->risky.high);
    assert_true(ra->commission.low < ra->commission.estimate &&
                ra->commission.estimate < ra->commission.high);
    cs_whatif_result_free(ra);
    cs_whatif_result_free(rb);
    cs_whatif_result_free(rc);
    cs_plans_free(&alt);
    world_close(&a);
    world_close(&b);
    world_close(&c);
}

/* The bootstrap's clusters: reps with a won deal (the selection "all"),
 * numbered in rep order; UINT32_MAX for the others.  The caller frees. */
static uint32_t *clusters_of_reps(const struct world *w, size_t G)
{
    uint32_t *g_of_rep = malloc((w->ds->reps.n ? w->ds->reps.n : 1) * sizeof *g_of_rep);
    assert_non_null(g_of_rep);
    for (size_t r = 0; r < w->ds->reps.n; r++)
        g_of_rep[r] = UINT32_MAX;
    for (size_t i = 0; i < w->ds->deals.n; i++)
        if (w->inc->won[i])
            g_of_rep[w->ds->deals.rep[i]] = 0;
    size_t g = 0;
    for (size_t r = 0; r < w->ds->reps.n; r++)
        if (g_of_rep[r] != UINT32_MAX)
            g_of_rep[r] = (uint32_t)g++;
    assert_int_equal(g, G);
    return g_of_rep;
}

/*
 * The resampling counts, kept in four bits each, against a recount of the
 * same mt19937 stream done here: per draw, G reps drawn with replacement
 * (gsl_rng_uniform_int), draw after draw.
 */
static void test_draw_weights_stream(void **state)
{
    (void)state;
    struct world w;
    const unsigned D = 40;
    const uint64_t seed = 11;
    world_open(&w, FIX "/data", "all", D, 2, seed);
    const size_t G = w.b->reps;
    uint32_t *wt = malloc(G * sizeof *wt), *mine = malloc(G * sizeof *mine);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(wt);
    assert_non_null(mine);
    assert_non_null(rng);
    gsl_rng_set(rng, (unsigned long)seed);
    for (size_t d = 0; d < D; d++) {
        memset(mine, 0, G * sizeof *mine);
        for (size_t t = 0; t < G; t++)
            mine[gsl_rng_uniform_int(rng, (unsigned long)G)]++;
        assert_true(cs_whatif_draw_weights(w.b, d, wt));
        assert_memory_equal(wt, mine, G * sizeof *wt);
    }
    gsl_rng_free(rng);
    free(wt);
    free(mine);
    world_close(&w);
}

/* A count of 15 or more is kept beside the four bits: by hand, a draw of
 * G = 3 places with counts 0, 15 and 2, then 200, 1 and 0. */
static void test_draw_w_big(void **state)
{
    (void)state;
    struct cs_w_big big[] = {{.at = 1, .count = 15}, {.at = 3, .count = 200}};
    uint8_t bits[3] = {0};
    const uint32_t counts[6] = {0, 15, 2, 200, 1, 0};
    for (size_t at = 0; at < 6; at++) {
        uint32_t v = counts[at] < CS_W_BIG ? counts[at] : CS_W_BIG;
        bits[at >> 1] |= (uint8_t)(v << ((at & 1) * 4));
    }
    struct cs_whatif_priv pv = {.w = bits, .w_big = big, .n_big = 2};
    for (size_t d = 0; d < 2; d++)
        for (size_t g = 0; g < 3; g++)
            assert_int_equal(draw_w(&pv, d, 3, g), counts[d * 3 + g]);
    assert_int_equal(cs_whatif_w_big(&pv, 2), CS_W_BIG);   /* not a big place */
}

/*
 * The one-step draws against the textbook cluster bootstrap: on the same
 * resamples (each rep's deals repeated as often as the rep was drawn),
 * cs_regress_logit refitted to convergence must land close to the
 * one-step coefficients.  With 19 reps the bootstrap variance is well
 * above the sandwich's (the refit's too: see tests/reference/whatif/
 * README.md), so the refit, not vcov_cluster, is the yardstick.
 */
static void test_one_step_matches_refit(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    const unsigned D = 150;
    world_open(&w, FIX "/data", "all", D, 2, 3);
    const struct cs_regress_fit *f = w.b->fit;
    const size_t k = f->k, G = w.b->reps, n = w.ds->deals.n;
    uint32_t *g_of_rep = clusters_of_reps(&w, G), *wt = malloc(G * sizeof *wt);
    assert_non_null(wt);
    double *x = malloc(n * 4 * CS_DEAL_TERMS * sizeof *x), *y = malloc(n * 4 * sizeof *y);
    double (*one)[CS_DEAL_TERMS] = malloc(D * sizeof *one), (*ref)[CS_DEAL_TERMS] = malloc(D * sizeof *ref);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(one);
    assert_non_null(ref);
    size_t used = 0;
    for (size_t d = 0; d < D; d++) {
        assert_true(cs_whatif_draw_weights(w.b, d, wt));
        size_t rows = 0;
        for (size_t i = 0; i < n; i++) {
            if (!w.inc->won[i])
                continue;
            uint32_t c = wt[g_of_rep[w.ds->deals.rep[i]]];
            assert_true(rows + c <= n * 4);
            for (uint32_t t = 0; t < c; t++, rows++) {
                cs_analysis_deal_row(w.ds, w.inc, i, x + rows * CS_DEAL_TERMS);
                y[rows] = w.oc->promise_risk[i];
            }
        }
        struct cs_regress_design des = {.n = rows, .k = CS_DEAL_TERMS, .x = x, .y = y,
                                        .names = cs_deal_term_names};
        struct cs_regress_fit *rf = NULL;
        assert_int_equal(cs_regress_logit(&des, NULL, &rf, &err), CS_OK);
        if (rf->fitted && rf->converged && !rf->separation && rf->k == k) {
            assert_true(cs_whatif_draw_coefficients(w.b, d, one[used]));
            for (size_t t = 0; t < k; t++)
                ref[used][t] = rf->terms[t].estimate;
            used++;
        }
        cs_regress_free(rf);
    }
    assert_true(used >= D - 5);
    assert_false(cs_whatif_draw_coefficients(w.b, D, one[0]));
    assert_false(cs_whatif_draw_weights(w.b, D, wt));
    for (size_t t = 0; t < k; t++) {
        double ma = 0, mb = 0, va = 0, vb = 0, cv = 0;
        for (size_t d = 0; d < used; d++) {
            ma += one[d][t] / used;
            mb += ref[d][t] / used;
        }
        for (size_t d = 0; d < used; d++) {
            va += (one[d][t] - ma) * (one[d][t] - ma);
            vb += (ref[d][t] - mb) * (ref[d][t] - mb);
            cv += (one[d][t] - ma) * (ref[d][t] - mb);
        }
        double corr = cv / sqrt(va * vb);
        if (!(corr > 0.97))
            fail_msg("%s: correlation of one-step and refit draws %.4f", f->terms[t].name, corr);
        assert_close(va, vb, 0.15);
        /* both centred near the estimate, within a tenth of a bootstrap SD of each other */
        assert_true(fabs(ma - mb) < 0.1 * sqrt(vb / used) * sqrt((double)used));
    }
    assert_int_equal(w.b->draws_fixed_hessian, 0);
    free(g_of_rep);
    free(wt);
    free(x);
    free(y);
    free(one);
    free(ref);
    world_close(&w);
}

/*
 * The bootstrap's risky-deal draws recomputed the plain way, one draw, one
 * rep and one deal at a time: for draw d, the sum over reps (in rep order)
 * of the rep's resampling count times the sum over its changed deals (in
 * deal order) of p(x_alt) - p(x_base) under the draw's coefficients.  1200
 * draws: each of the two jobs has 600, and a rep is drawn in about 380 of
 * them (1 - 1/e), so the draws of a rep are summed in two blocks.  The
 * intervals (their 2.5% and 97.5% draws, overall and per plan) must come
 * out to the bit.
 */
static void test_bootstrap_by_hand(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    const unsigned D = 1200;
    world_open(&w, FIX "/data", "all", D, 2, 7);
    struct cs_plans alt;
    load_alt(&w, FIX "/alt_tiers.csv", &alt, NULL);
    struct cs_whatif_result *r = simulate(&w, &alt, false);
    struct cs_incentives *ai = NULL;
    assert_int_equal(cs_incentives_compute(w.ds, &alt, &w.cal, &ai, &err), CS_OK);
    const struct cs_regress_fit *f = w.b->fit;
    const size_t k = f->k, G = w.b->reps, n = w.ds->deals.n, np = w.ds->plans.n;
    uint32_t *g_of_rep = clusters_of_reps(&w, G), *wt = malloc(G * sizeof *wt);
    uint32_t *plan_of_g = malloc(G * sizeof *plan_of_g);
    double *s = malloc(G * sizeof *s), *dr = malloc(D * sizeof *dr), *drp = malloc(D * np * sizeof *drp);
    assert_true(wt && plan_of_g && s && dr && drp);
    for (size_t rp = 0; rp < w.ds->reps.n; rp++)
        if (g_of_rep[rp] != UINT32_MAX)
            plan_of_g[g_of_rep[rp]] = w.ds->reps.plan[rp];
    size_t changed = 0;
    for (size_t d = 0; d < D; d++) {
        double beta[CS_DEAL_TERMS];
        assert_true(cs_whatif_draw_coefficients(w.b, d, beta));
        assert_true(cs_whatif_draw_weights(w.b, d, wt));
        for (size_t g = 0; g < G; g++)
            s[g] = 0;
        for (size_t i = 0; i < n; i++) {
            if (!w.inc->won[i] || (ai->marginal_rate[i] == w.inc->marginal_rate[i] &&
                                   ai->tier_cross[i] == w.inc->tier_cross[i] &&
                                   ai->last_14_days[i] == w.inc->last_14_days[i]))
                continue;
            changed += d == 0;
            double xa[CS_DEAL_TERMS], xb[CS_DEAL_TERMS], ea = 0, eb = 0;
            cs_analysis_deal_row(w.ds, ai, i, xa);
            cs_analysis_deal_row(w.ds, w.inc, i, xb);
            for (size_t t = 0; t < k; t++) {
                ea += beta[t] * xa[f->terms[t].column];
                eb += beta[t] * xb[f->terms[t].column];
            }
            s[g_of_rep[w.ds->deals.rep[i]]] += cs_vecmath_logistic1(ea) - cs_vecmath_logistic1(eb);
        }
        dr[d] = 0;
        for (size_t p = 0; p < np; p++)
            drp[d * np + p] = 0;
        for (size_t g = 0; g < G; g++) {
            if (wt[g] == 0 || s[g] == 0)
                continue;
            dr[d] += wt[g] * s[g];
            drp[d * np + plan_of_g[g]] += wt[g] * s[g];
        }
    }
    assert_int_equal(changed, r->changed_rows);
    assert_true(changed > 100);
    assert_bits(r->risky.low, cs_whatif_quantile(dr, D, 0.025));
    assert_bits(r->risky.high, cs_whatif_quantile(dr, D, 0.975));
    for (size_t p = 0; p < np; p++) {
        double *col = malloc(D * sizeof *col);
        assert_non_null(col);
        for (size_t d = 0; d < D; d++)
            col[d] = drp[d * np + p];
        struct cs_whatif_plan_effect e;
        cs_whatif_plan_effect_of(w.b, r, p, &e);
        assert_bits(e.risky.low, cs_whatif_quantile(col, D, 0.025));
        assert_bits(e.risky.high, cs_whatif_quantile(col, D, 0.975));
        free(col);
    }
    free(g_of_rep);
    free(wt);
    free(plan_of_g);
    free(s);
    free(dr);
    free(drp);
    cs_incentives_free(ai);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    world_close(&w);
}

/* Both routes (tiers, and the yearly options' recomputed attainment) give,
 * deal for deal, what cs_incentives_compute gives. */
static void test_tiers_route_matches_compute(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/data", "all", 20, 1, 1);
    struct cs_whatif_option *o = NULL;
    size_t n = 0;
    assert_int_equal(cs_whatif_options_generate(w.b, &o, &n, &err), CS_OK);
    size_t tiers_only = 0;
    for (size_t i = 0; i < n; i++) {
        struct cs_plans full;
        assert_int_equal(cs_whatif_option_plans(w.ds, &o[i], &full), 0);
        struct cs_whatif_result *r = simulate(&w, &full, true);
        struct cs_incentives *ai = NULL;
        assert_int_equal(cs_incentives_compute(w.ds, &full, &w.cal, &ai, &err), CS_OK);
        cs_plans_free(&full);
        tiers_only += !r->recomputed;
        for (size_t j = 0; j < w.ds->deals.n; j++) {
            if (!w.inc->won[j])
                continue;
            double x[CS_DEAL_TERMS];
            cs_analysis_deal_row(w.ds, ai, j, x);
            assert_bits(r->alt_commission_deal[j], ai->commission[j]);
            assert_bits(r->alt_p[j], cs_regress_predict_logit(w.b->fit, x));
        }
        cs_incentives_free(ai);
        cs_whatif_result_free(r);
    }
    /* the two yearly options and the two renewals-half options (SPEC 13:
     * MM-Q and SMB-Q credit their renewals in full; ENT-Y has none) take
     * the full route, and match a full compute to the bit too */
    assert_int_equal(tiers_only, n - 4);
    cs_whatif_options_free(o, n);
    world_close(&w);
}

static void test_quantile(void **state)
{
    (void)state;
    /* R: quantile(c(1, 2, 3, 4, 10), c(0.025, 0.975), type = 7) = 1.1, 9.4 */
    double x[] = {10, 3, 1, 4, 2};
    assert_close(cs_whatif_quantile(x, 5, 0.025), 1.1, 1e-15);
    assert_close(cs_whatif_quantile(x, 5, 0.975), 9.4, 1e-15);
    double z[] = {0, 0, 0};
    assert_bits(cs_whatif_quantile(z, 3, 0.025), 0.0);
    double one[] = {5};
    assert_close(cs_whatif_quantile(one, 1, 0.975), 5, 0);
    assert_true(isnan(cs_whatif_quantile(NULL, 0, 0.5)));
}

/* ======================================================================
 * Strawman options
 * ==================================================================== */

static const struct cs_whatif_option *find_option(const struct cs_whatif_option *o, size_t n,
                                                  const struct cs_dataset *ds, const char *plan,
                                                  enum cs_whatif_kind kind, double floor)
{
    for (size_t i = 0; i < n; i++)
        if (o[i].kind == kind && strcmp(cs_ds_str(ds, ds->plans.id[o[i].plan]), plan) == 0 &&
            fabs(o[i].floor - floor) < 1e-12)
            return &o[i];
    return NULL;
}

/* The tiers of option x's plan (its change: a table of one plan). */
static void tiers_of(const struct cs_whatif_option *x, const double **f, const double **r, size_t *n)
{
    assert_int_equal(x->change.n, 1);
    *f = x->change.floor + x->change.tier_first[0];
    *r = x->change.rate + x->change.tier_first[0];
    *n = x->change.tier_count[0];
}

static void test_options(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/data", "all", 10, 1, 1);
    struct cs_whatif_option *o = NULL;
    size_t n = 0;
    assert_int_equal(cs_whatif_options_generate(w.b, &o, &n, &err), CS_OK);
    /* ENT-Y (6%, 10% at 100%, 12% at 130%): 2 steps x 3 + cap + decelerator = 8;
     * MM-Q (8%, 12% at 100%, 15% at 150%): 6 + cap + yearly (150% is its top
     * floor: no decelerator) = 8; SMB-Q (6%, 9% at 100%, 0% at 200%): 3 +
     * yearly (top rate already 0: no cap, no decelerator) = 4.  SPEC 13:
     * renewals count half on MM-Q and SMB-Q, which credit renewals in full
     * and have renewals; ENT-Y's reps have none in this data: 2 more. */
    assert_int_equal(n, 22);
    const struct cs_whatif_option *x;
    const double *f, *r;
    size_t nt;

    x = find_option(o, n, w.ds, "ENT-Y", CS_WHATIF_HALVE_STEP, 1.0);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_int_equal(nt, 3);
    assert_bits(r[1], 0.08);
    assert_bits(x->rate_after, 0.08);
    assert_bits(x->rate_before, 0.1);

    x = find_option(o, n, w.ds, "MM-Q", CS_WHATIF_RAMP_STEP, 1.0);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_int_equal(nt, 7);
    const double ff[] = {0, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5}, rr[] = {0.08, 0.088, 0.096, 0.104, 0.112, 0.12, 0.15};
    for (size_t t = 0; t < nt; t++) {
        assert_bits(f[t], ff[t]);
        assert_bits(r[t], rr[t]);
    }
    assert_bits(x->ramp_low, 0.8);
    assert_bits(x->ramp_high, 1.2);

    x = find_option(o, n, w.ds, "ENT-Y", CS_WHATIF_RAMP_STEP, 1.0);   /* next floor 1.3: h = 0.15 */
    assert_non_null(x);
    assert_bits(x->ramp_low, 0.85);
    assert_bits(x->ramp_high, 1.15);

    x = find_option(o, n, w.ds, "SMB-Q", CS_WHATIF_REMOVE_STEP, 1.0);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_int_equal(nt, 2);
    assert_bits(f[1], 2.0);
    assert_bits(r[1], 0.0);

    x = find_option(o, n, w.ds, "MM-Q", CS_WHATIF_CAP_TOP, 1.5);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_bits(r[2], 0.0);
    assert_null(find_option(o, n, w.ds, "SMB-Q", CS_WHATIF_CAP_TOP, 2.0));
    assert_null(find_option(o, n, w.ds, "MM-Q", CS_WHATIF_DECELERATOR, 1.5));

    x = find_option(o, n, w.ds, "ENT-Y", CS_WHATIF_DECELERATOR, 1.5);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_int_equal(nt, 4);
    assert_bits(f[3], 1.5);
    assert_bits(r[3], 0.06);

    x = find_option(o, n, w.ds, "MM-Q", CS_WHATIF_YEARLY, 0.0);
    assert_non_null(x);
    assert_int_equal(x->change.period_type[0], CS_PERIOD_YEAR);
    assert_bits(x->change.quota[0], 4 * w.ds->plans.quota[x->plan]);
    assert_true(cs_whatif_option_recomputes(w.ds, x));
    assert_null(find_option(o, n, w.ds, "ENT-Y", CS_WHATIF_YEARLY, 0.0));

    /* renewals count half: the plan's tiers, period and quota as they are,
     * credit_renewal 0.5, the other fractions kept */
    x = find_option(o, n, w.ds, "MM-Q", CS_WHATIF_RENEWALS_HALF, 0.0);
    assert_non_null(x);
    tiers_of(x, &f, &r, &nt);
    assert_int_equal(nt, w.ds->plans.tier_count[x->plan]);
    for (size_t t = 0; t < nt; t++)
        assert_bits(r[t], w.ds->plans.rate[w.ds->plans.tier_first[x->plan] + t]);
    assert_bits(x->change.quota[0], w.ds->plans.quota[x->plan]);
    assert_bits(x->change.credit_renewal[0], 0.5);
    assert_bits(x->change.credit_new[0], 1.0);
    assert_bits(x->change.credit_expansion[0], 1.0);
    assert_bits(x->credit_before, 1.0);
    assert_bits(x->credit_after, 0.5);
    assert_true(isnan(x->rate_before) && isnan(x->rate_after));
    assert_true(cs_whatif_option_recomputes(w.ds, x));
    assert_string_equal(cs_whatif_kind_name(x->kind), "renewals_half");
    assert_non_null(find_option(o, n, w.ds, "SMB-Q", CS_WHATIF_RENEWALS_HALF, 0.0));
    assert_null(find_option(o, n, w.ds, "ENT-Y", CS_WHATIF_RENEWALS_HALF, 0.0));

    /* every option changes exactly one plan, and only that one */
    for (size_t i = 0; i < n; i++) {
        struct cs_plans full;
        assert_int_equal(cs_whatif_option_plans(w.ds, &o[i], &full), 0);
        const struct cs_plans *a = &full, *b = &w.ds->plans;
        assert_int_equal(a->n, b->n);
        assert_int_equal(o[i].change.id[0], b->id[o[i].plan]);
        for (size_t p = 0; p < b->n; p++) {
            bool same = a->period_type[p] == b->period_type[p] && a->quota[p] == b->quota[p] &&
                        a->tier_count[p] == b->tier_count[p] &&
                        a->credit_renewal[p] == b->credit_renewal[p];
            for (uint32_t t = 0; same && t < a->tier_count[p]; t++)
                same = a->floor[a->tier_first[p] + t] == b->floor[b->tier_first[p] + t] &&
                       a->rate[a->tier_first[p] + t] == b->rate[b->tier_first[p] + t];
            assert_int_equal(same, p != o[i].plan);
        }
        cs_plans_free(&full);
        assert_string_not_equal(cs_whatif_kind_name(o[i].kind), "?");
    }
    cs_whatif_options_free(o, n);
    world_close(&w);
}

/* The ramp is symmetric: whoever ends above f + h is paid exactly as under the step. */
/* Simulations on one base from two threads, each with its own work, give
 * the same bits as one after another with the base's. */
struct sim_job {
    const struct world *w;
    const struct cs_whatif_option *o;
    size_t first, n;
    struct cs_whatif_result **res;
};

static void *sim_every_other(void *arg)
{
    struct sim_job *j = arg;
    struct cs_whatif_work *work = cs_whatif_work_new(j->w->b, 1);
    struct cs_error err;
    for (size_t i = j->first; i < j->n; i += 2)
        if (!work || cs_whatif_simulate_option(j->w->b, work, &j->o[i], true,
                                               &j->res[i], &err) != CS_OK)
            j->res[i] = NULL;
    cs_whatif_work_free(work);
    return NULL;
}

static void test_concurrent_simulations(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/data", "all", 50, 2, 3);
    struct cs_whatif_option *o = NULL;
    size_t n = 0;
    assert_int_equal(cs_whatif_options_generate(w.b, &o, &n, &err), CS_OK);
    struct cs_whatif_result *seq[32] = {0}, *par[32] = {0};
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {      /* the complete table, every plan compared */
        struct cs_plans full;
        assert_int_equal(cs_whatif_option_plans(w.ds, &o[i], &full), 0);
        seq[i] = simulate(&w, &full, true);
        cs_plans_free(&full);
    }
    struct sim_job a = {&w, o, 0, n, par}, b = {&w, o, 1, n, par};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sim_every_other, &b), 0);
    sim_every_other(&a);
    pthread_join(th, NULL);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(par[i]);
        assert_bits(seq[i]->risky.estimate, par[i]->risky.estimate);
        assert_bits(seq[i]->risky.low, par[i]->risky.low);
        assert_bits(seq[i]->risky.high, par[i]->risky.high);
        assert_bits(seq[i]->commission.low, par[i]->commission.low);
        assert_bits(seq[i]->alt_risky, par[i]->alt_risky);
        assert_same_result(seq[i], par[i], w.ds->deals.n);
        cs_whatif_result_free(seq[i]);
        cs_whatif_result_free(par[i]);
    }
    cs_whatif_options_free(o, n);
    world_close(&w);
}

/* A base that borrows the report's promise_risk fit simulates exactly as
 * one that fits the model itself: the same rows, design and estimates. */
static void test_borrowed_fit(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/data", "all", 50, 1, 5);
    struct cs_analysis *an = NULL;
    struct cs_measured m = measured(&w, &w.sel);
    assert_int_equal(cs_analysis_run(&m, 5, &an, &err), CS_OK);
    const struct cs_model_result *pm = &an->model[CS_MODEL_PROMISE_RISK];
    assert_non_null(pm->fit);
    struct cs_whatif_settings o = {.seed = 5, .draws = 50, .threads = 1,
                                   .logit = pm->fit, .firth = pm->firth};
    struct cs_whatif_base *borrowed = NULL;
    assert_int_equal(cs_whatif_base_new(&m, &o, &borrowed, &err), CS_OK);
    assert_ptr_equal(borrowed->logit, pm->fit);
    for (size_t t = 0; t < w.b->fit->k; t++)
        assert_bits(w.b->fit->terms[t].estimate, borrowed->fit->terms[t].estimate);
    struct cs_plans alt;
    load_alt(&w, FIX "/alt_tiers.csv", &alt, NULL);
    struct cs_whatif_result *ra = simulate(&w, &alt, false), *rb = NULL;
    assert_int_equal(cs_whatif_simulate(borrowed, &alt, false, &rb, &err), CS_OK);
    assert_bits(ra->risky.estimate, rb->risky.estimate);
    assert_bits(ra->risky.low, rb->risky.low);
    assert_bits(ra->risky.high, rb->risky.high);
    assert_bits(ra->alt_risky, rb->alt_risky);
    cs_whatif_result_free(ra);
    cs_whatif_result_free(rb);
    cs_plans_free(&alt);
    cs_whatif_base_free(borrowed);   /* leaves the analysis' fits alone */
    cs_analysis_free(an);
    world_close(&w);
}

static void test_ramp_pays_the_same_above(void **state)
{
    (void)state;
    const double sf[] = {0, 1.0}, sr[] = {0.08, 0.12};
    const double rf[] = {0, 0.8, 0.9, 1.0, 1.1, 1.2}, rr[] = {0.08, 0.088, 0.096, 0.104, 0.112, 0.12};
    const double ends[] = {1.2, 1.3, 2.0, 3.5};
    for (size_t e = 0; e < 4; e++) {
        double cs, cr;
        cs_incentives_tiers(sf, sr, 2, 1000.0, 0.0, ends[e], &cs, NULL, NULL, NULL);
        cs_incentives_tiers(rf, rr, 6, 1000.0, 0.0, ends[e], &cr, NULL, NULL, NULL);
        assert_close(cr, cs, 1e-12);
    }
    double cs, cr;                     /* and more just below the step */
    cs_incentives_tiers(sf, sr, 2, 1000.0, 0.0, 0.95, &cs, NULL, NULL, NULL);
    cs_incentives_tiers(rf, rr, 6, 1000.0, 0.0, 0.95, &cr, NULL, NULL, NULL);
    assert_true(cr > cs);
}

static void test_rank(void **state)
{
    (void)state;
    /*                 0     1    2     3    4     5    6     7 */
    double avoided[] = {2,   5,   3,    1,   0,    -1,  4,    NAN};
    double cost[] =    {100, 100, -50,  10,  -500, 0,   0,    -1};
    size_t order[8];
    cs_whatif_rank(avoided, cost, NULL, 8, order);
    /* group 0 (avoids, cost <= 0): 6 (4 avoided), 2 (3); group 1 by avoided/cost:
     * 3 (0.1), 1 (0.05), 0 (0.02); group 2: 4 (0, saves), 5 (-1); group 3: 7 */
    const size_t want[] = {6, 2, 3, 1, 0, 4, 5, 7};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(order[i], want[i]);
    assert_int_equal(cs_whatif_rank_group(1, 0), 0);
    assert_int_equal(cs_whatif_rank_group(1, -1), 0);
    assert_int_equal(cs_whatif_rank_group(1, 1), 1);
    assert_int_equal(cs_whatif_rank_group(0, -1), 2);
    assert_int_equal(cs_whatif_rank_group(-1, -1), 2);
    assert_int_equal(cs_whatif_rank_group(NAN, 1), 3);
    /* ties keep the input order */
    double a2[] = {1, 1, 1}, c2[] = {-1, -1, -1};
    cs_whatif_rank(a2, c2, NULL, 3, order);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
}

/* Uncertainty first (issue 19): clear reductions before options without a
 * clear effect, clear increases last; the ratio within each tier.  The
 * old ranking put 6 and 2 first although neither is clear. */
static void test_rank_clear_first(void **state)
{
    (void)state;
    /*                 0     1    2     3    4     5    6     7 */
    double avoided[] = {2,   5,   3,    1,   0,    -1,  4,    NAN};
    double cost[] =    {100, 100, -50,  10,  -500, 0,   0,    -1};
    const enum cs_verdict v[] = {CS_VERDICT_CLEAR, CS_VERDICT_CLEAR, CS_VERDICT_UNCLEAR,
                                 CS_VERDICT_UNCLEAR, CS_VERDICT_UNCLEAR, CS_VERDICT_CLEAR,
                                 CS_VERDICT_UNCLEAR, CS_VERDICT_THIN};
    size_t order[8];
    cs_whatif_rank(avoided, cost, v, 8, order);
    /* clear reductions by avoided / cost: 1 (0.05), 0 (0.02); then the rest
     * as before: 6, 2, 3, 4, 7 (no model); the clear increase 5 last */
    const size_t want[] = {1, 0, 6, 2, 3, 4, 7, 5};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(order[i], want[i]);
    struct cs_data_rule thin = {.readable = false}, ok = {.readable = true};
    struct cs_whatif_diff clear = {-2, -3, -1}, unclear = {-2, -3, 0.5};
    assert_int_equal(cs_whatif_option_verdict(&thin, &clear), CS_VERDICT_THIN);
    assert_int_equal(cs_whatif_option_verdict(&ok, &clear), CS_VERDICT_CLEAR);
    assert_int_equal(cs_whatif_option_verdict(&ok, &unclear), CS_VERDICT_UNCLEAR);
}

static void test_spiffs_at_quarter_end(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, FIX "/data", "all", 10, 1, 1);
    uint32_t idx[4];
    /* SP-01 ends 2025-08-31 (30 days before 2025Q3 ends), SP-02 2026-06-15 (15 days) */
    struct cs_measured m = measured(&w, &w.sel);
    assert_int_equal(cs_whatif_spiffs_at_quarter_end(&m, idx, 4), 0);
    w.ds->spiffs.end[1] = cs_days_from_civil(2026, 6, 17);   /* 13 days before the end */
    assert_int_equal(cs_whatif_spiffs_at_quarter_end(&m, idx, 4), 1);
    assert_int_equal(idx[0], 1);
    world_close(&w);
}

/* ======================================================================
 * The commands: files, and propose -> whatif round trip
 * ==================================================================== */

static json_t *load_json(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    return json_number_value(v);
}

static void check_same_diff(json_t *a, json_t *b, const char *key)
{
    char k[64];
    assert_bits(jnum(a, key), jnum(b, key));
    snprintf(k, sizeof k, "%s_ci", key);
    json_t *ca = json_object_get(a, k), *cb = json_object_get(b, k);
    assert_non_null(ca);
    assert_non_null(cb);
    for (size_t i = 0; i < 2; i++)
        assert_bits(json_number_value(json_array_get(ca, i)), json_number_value(json_array_get(cb, i)));
}

static bool exists(const char *dir, const char *name)
{
    char p[1024];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0;
}

static void test_commands_round_trip(void **state)
{
    (void)state;
    char tmp[] = "/tmp/test_whatif.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char prop[256], wdir[256], plans[300], path[512];
    snprintf(prop, sizeof prop, "%s/proposal", tmp);
    snprintf(wdir, sizeof wdir, "%s/whatif", tmp);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    struct cs_io io = {.out = out, .msg = out, .progress = false};
    struct cs_error err;
    struct cs_options opt = {.data_dir = FIX "/data", .out_dir = prop, .period = "all",
                             .fiscal_start = 1, .seed = 5, .quiet = true};
    if (cs_cmd_propose(&opt, &io, &err) != CS_OK)
        fail_msg("propose: %s", err.msg);
    static const char *const files[] = {"proposal.md", "proposal.html", "proposal.json",
                                        "proposal_options.csv", "options/1.csv", "options/22.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (!exists(prop, files[i]))
            fail_msg("%s/%s missing", prop, files[i]);
    assert_false(exists(prop, "options/23.csv"));
    snprintf(path, sizeof path, "%s/proposal.json", prop);
    json_t *pj = load_json(path);
    json_t *opts = json_object_get(pj, "options");
    assert_int_equal(json_array_size(opts), 22);

    /* every option re-run from its file with whatif gives the same figures:
     * one in six, and every renewals-half option (SPEC 13: its file has the
     * credit_ columns, and the re-run takes them) */
    size_t renewals = 0;
    for (size_t k = 1; k <= 22; k++) {
        const char *kind = json_string_value(json_object_get(json_array_get(opts, k - 1), "kind"));
        bool credit = strcmp(kind, "renewals_half") == 0;
        renewals += credit;
        if ((k - 1) % 6 != 0 && !credit)
            continue;
        snprintf(plans, sizeof plans, "%s/options/%zu.csv", prop, k);
        struct cs_options wo = opt;
        wo.out_dir = wdir;
        wo.plans = plans;
        if (cs_cmd_whatif(&wo, &io, &err) != CS_OK)
            fail_msg("whatif %s: %s", plans, err.msg);
        snprintf(path, sizeof path, "%s/whatif.json", wdir);
        json_t *wj = load_json(path);
        json_t *oj = json_array_get(opts, k - 1);
        assert_int_equal(json_integer_value(json_object_get(oj, "rank")), k);
        check_same_diff(wj, oj, "risky_diff");
        check_same_diff(wj, oj, "risky_promises_diff");
        check_same_diff(wj, oj, "commission_diff");
        assert_bits(jnum(wj, "alt_risky"), jnum(oj, "alt_risky"));
        assert_bits(jnum(wj, "base_commission"), jnum(oj, "base_commission"));
        assert_int_equal(json_integer_value(json_object_get(wj, "extra_plans_ignored")), 0);
        if (credit) {
            assert_true(json_is_true(json_object_get(wj, "recomputed")));
            assert_bits(jnum(oj, "credit_after"), 0.5);
            assert_bits(jnum(wj, "alt_commission"), jnum(oj, "alt_commission"));
            assert_true(jnum(wj, "commission_diff") < 0);   /* renewals paid on half */
            char head[200];
            FILE *f = fopen(plans, "r");
            assert_non_null(f);
            assert_non_null(fgets(head, sizeof head, f));
            fclose(f);
            assert_string_equal(head, "plan_id,period_type,quota,tier_floor,rate,credit_new,"
                                      "credit_expansion,credit_renewal,currency\n");
        }
        json_decref(wj);
    }
    assert_int_equal(renewals, 2);
    /* ranks follow the documented order */
    int last_group = -1;
    for (size_t k = 0; k < 22; k++) {
        int g = (int)json_integer_value(json_object_get(json_array_get(opts, k), "rank_group"));
        assert_true(g >= last_group);
        last_group = g;
    }
    json_decref(pj);

    /* whatif with the current plans: exact zeros in the JSON too */
    struct cs_options wo = opt;
    wo.out_dir = wdir;
    wo.plans = FIX "/data/plans.csv";
    assert_int_equal(cs_cmd_whatif(&wo, &io, &err), CS_OK);
    snprintf(path, sizeof path, "%s/whatif.json", wdir);
    json_t *wj = load_json(path);
    static const char *const zero[] = {"risky_diff", "risky_promises_diff", "commission_diff"};
    for (size_t i = 0; i < 3; i++) {
        char k[64];
        assert_bits(jnum(wj, zero[i]), 0.0);
        snprintf(k, sizeof k, "%s_ci", zero[i]);
        assert_bits(json_number_value(json_array_get(json_object_get(wj, k), 0)), 0.0);
        assert_bits(json_number_value(json_array_get(json_object_get(wj, k), 1)), 0.0);
    }
    assert_bits(jnum(wj, "base_risky"), jnum(wj, "alt_risky"));
    json_decref(wj);
    assert_true(exists(wdir, "whatif.md"));

    /* a bad plans file: CS_ERR_INPUT naming file and line, no output written */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/bad", tmp);
    wo.out_dir = bad;
    wo.plans = FIX "/alt_malformed.csv";
    cs_error_clear(&err);
    assert_int_equal(cs_cmd_whatif(&wo, &io, &err), CS_ERR_INPUT);
    assert_int_equal(err.line, 4);
    assert_false(exists(bad, "whatif.json"));
    /* --period each is bad usage */
    wo.plans = FIX "/data/plans.csv";
    wo.period = "each";
    assert_int_equal(cs_cmd_whatif(&wo, &io, &err), CS_ERR_USAGE);

    fclose(out);
    free(buf);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_exact_zero),
        cmocka_unit_test(test_against_r_all),
        cmocka_unit_test(test_against_r_latest),
        cmocka_unit_test(test_same_design_as_report),
        cmocka_unit_test(test_small_by_hand),
        cmocka_unit_test(test_one_plan_file),
        cmocka_unit_test(test_partial_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_one_step_matches_refit),
        cmocka_unit_test(test_draw_weights_stream),
        cmocka_unit_test(test_draw_w_big),
        cmocka_unit_test(test_tiers_route_matches_compute),
        cmocka_unit_test(test_bootstrap_by_hand),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_concurrent_simulations),
        cmocka_unit_test(test_borrowed_fit),
        cmocka_unit_test(test_ramp_pays_the_same_above),
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_rank_clear_first),
        cmocka_unit_test(test_spiffs_at_quarter_end),
        cmocka_unit_test(test_commands_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
