/* test_whatif13.c - the what-if under SPEC 13: split deals re-priced on every credit row, credit_ columns in an alternative, the renewals option round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/commands.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/proposal.h"
#include "compsight/select.h"
#include "compsight/whatif.h"

#include "testutil.h"

#define FIX CS_TEST_DIR "/fixtures/whatif13"
#define SPLITS CS_TEST_DIR "/reference/plans13/splits"

/*
 * Every expected value below is worked out by hand from SPEC 5 and 13
 * (the arithmetic is in the comments); the splits fixture's base values
 * are those of tests/reference/plans13/splits/expected_credits.csv, which
 * tests/reference/reference_measures.R computed independently.
 */

struct world {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_selection sel;
    struct cs_whatif_base *b;
};

static void world_open(struct world *w, const char *dir)
{
    struct cs_error err;
    memset(w, 0, sizeof *w);
    struct cs_load_options lo = {.dir = dir};
    if (cs_dataset_load(&lo, &w->ds, &err) != CS_OK)
        fail_msg("load %s: %s", dir, err.msg);
    assert_int_equal(cs_calendar_init(&w->cal, 1, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(w->ds, &w->ds->plans, &w->cal, &w->inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w->ds, &w->cal, &w->oc, &err), CS_OK);
    assert_int_equal(cs_select_period("all", w->ds, &w->cal, &w->sel, &err), CS_OK);
    struct cs_whatif_settings o = {.seed = 3, .draws = 50, .threads = 1};
    struct cs_measured m = {w->ds, &w->cal, w->inc, w->oc, &w->sel};
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

static void load_alt(const struct world *w, const char *dir, const char *path, struct cs_plans *alt,
                     bool **listed)
{
    struct cs_error err;
    struct cs_load_options lo = {.dir = dir};
    if (cs_plans_load_alt(path, w->ds, &lo, alt, listed, &err) != CS_OK)
        fail_msg("alt %s: %s", path, err.msg);
}

static struct cs_whatif_result *simulate(const struct world *w, const struct cs_plans *alt)
{
    struct cs_error err;
    struct cs_whatif_result *r = NULL;
    if (cs_whatif_simulate(w->b, alt, true, &r, &err) != CS_OK)
        fail_msg("simulate: %s", err.msg);
    return r;
}

static size_t deal(const struct cs_dataset *ds, const char *id)
{
    for (size_t i = 0; i < ds->deals.n; i++)
        if (strcmp(cs_ds_str(ds, ds->deals.id[i]), id) == 0)
            return i;
    fail_msg("deal %s not found", id);
    return 0;
}

static size_t plan(const struct cs_dataset *ds, const char *id)
{
    for (size_t p = 0; p < ds->plans.n; p++)
        if (strcmp(cs_ds_str(ds, ds->plans.id[p]), id) == 0)
            return p;
    fail_msg("plan %s not found", id);
    return 0;
}

/* ======================================================================
 * Split deals: commission over every credit row
 * ==================================================================== */

/*
 * tests/reference/plans13/splits, 2026Q1 (PA: 100,000, 5% then 10% from
 * 1.0; PB: 60,000, 4%, 8% from 0.5, 12% from 1.0).  Base commission per
 * deal (expected_credits.csv): X1 4,000; X2 800; X3 2,000 (S1, PA) + 750
 * (S2, PA) + 800 (S3, PB) = 3,550; X4 1,600 (S3, PB, own) + 800 (S4, PB)
 * = 2,400; X5 2,700 (S2, PA, own) + 2,480 (S4, PB) = 5,180; total 15,930.
 *
 * PB flat at 4% re-prices every PB row at 4% of its credited amount: X2
 * 800 (unchanged), X3's S3 row 15,000 x 0.04 = 600, X4's rows 20,000 x
 * 0.04 = 800 each, X5's S4 row 36,000 x 0.04 = 1,440.  Deals: X3 2,000 +
 * 750 + 600 = 3,350 (its own row, S1's on PA, is unchanged: only the
 * co-seller's plan moved), X4 1,600, X5 2,700 + 1,440 = 4,140; total
 * 4,000 + 800 + 3,350 + 1,600 + 4,140 = 13,890, difference -2,040.  Had
 * only own rows been re-priced, X3 and X5 would keep 3,550 and 5,180.
 *
 * PB's quota doubled to 120,000 (tiers as they are) takes the recompute
 * route and, here, the same figures: S3's PB rows run 0 -> 1/6 (X2), 1/6
 * -> 35/120 (X3), 35/120 -> 55/120 (X4), S4's 0 -> 1/6 (X4), 1/6 ->
 * 56/120 (X5): all below 0.5, all at 4%.
 */
static void check_pb(const struct world *w, const struct cs_whatif_result *r)
{
    const struct cs_dataset *ds = w->ds;
    assert_close(r->base_commission, 15930.0, 1e-12);
    assert_close(r->alt_commission, 13890.0, 1e-12);
    assert_close(r->commission.estimate, -2040.0, 1e-12);
    static const struct { const char *id; double base, alt; } d[] = {
        {"X1", 4000, 4000}, {"X2", 800, 800}, {"X3", 3550, 3350}, {"X4", 2400, 1600},
        {"X5", 5180, 4140},
    };
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        assert_close(r->base_commission_deal[deal(ds, d[k].id)], d[k].base, 1e-12);
        assert_close(r->alt_commission_deal[deal(ds, d[k].id)], d[k].alt, 1e-12);
    }
    /* model inputs: X4's own row (S3, PB) drops from 8% to 4%; X3 and X5
     * keep their own rows' (PA) */
    assert_int_equal(r->changed_marginal_rate, 1);
    assert_int_equal(r->changed_tier_cross, 0);
    assert_int_equal(r->changed_commission, 3);
    /* every difference is filed under the changed plan, PB */
    assert_int_equal(r->n_plans, 1);
    assert_int_equal(r->plans[0].plan, plan(ds, "PB"));
    assert_close(r->plans[0].commission.estimate, -2040.0, 1e-12);
    assert_int_equal(r->plans[0].rows_changed, 1);
}

static void test_split_rows_repriced(void **state)
{
    (void)state;
    struct world w;
    world_open(&w, SPLITS);
    assert_int_equal(w.inc->split.n, 7);
    const char *files[] = {FIX "/splits_pb_flat.csv", FIX "/splits_pb_quota.csv"};
    for (size_t f = 0; f < 2; f++) {
        struct cs_plans alt;
        load_alt(&w, SPLITS, files[f], &alt, NULL);
        struct cs_whatif_result *r = simulate(&w, &alt);
        assert_int_equal(r->recomputed, f == 1);
        assert_false(r->credit_changed);
        check_pb(&w, r);
        /* a full SPEC 5 compute under the alternative agrees to the bit */
        struct cs_incentives *ai = NULL;
        struct cs_error err;
        assert_int_equal(cs_incentives_compute(w.ds, &alt, &w.cal, &ai, &err), CS_OK);
        for (size_t i = 0; i < w.ds->deals.n; i++)
            if (w.inc->won[i])
                assert_true(r->alt_commission_deal[i] == ai->commission[i]);
        cs_incentives_free(ai);
        cs_whatif_result_free(r);
        cs_plans_free(&alt);
    }
    world_close(&w);
}

/* ======================================================================
 * credit_ columns in an alternative plans file
 * ==================================================================== */

/*
 * tests/fixtures/whatif13/renewals: the renewals fixture of
 * tests/reference/plans13 with F1's deals changed to show the deals after
 * a renewal.  PH credits renewals at 0.5, PF every type in full; both
 * 100,000 a quarter, 5% then 10% from 1.0.
 *
 * Base, PH (as in plans13/renewals): N1 4,500, R1 1,500, R2 1,500, E1
 * 1,000, N3 4,000, R4 750 = 13,250.  PF (F1): N2 70,000, 0 -> 0.7 at 5%:
 * 3,500; R3 renewal 40,000 in full, 0.7 -> 1.1: 100,000 x (0.05 x 0.3 +
 * 0.10 x 0.1) = 2,500 (tier_cross 1); N4 15,000, 1.1 -> 1.25 at 10%: 1,500
 * (marginal rate 10%).  F2's N5 20,000 and F3's N6 30,000 (new business,
 * each its rep's only deal, so that PF has three reps and whatif.md shows
 * it) stay below 1.0 at 5%: 1,000 and 1,500.  Total 23,250; F1's final
 * attainment 1.25.
 *
 * pf_renewals_half.csv lists PF alone with credit_renewal 0.5 (its other
 * credit_ columns absent: they keep PF's 1): R3 counts 20,000, 0.7 -> 0.9
 * at 5%: 1,000 (no floor crossed); N4 now starts at 0.9: 0.9 -> 1.05,
 * 100,000 x (0.05 x 0.1 + 0.10 x 0.05) = 1,000, marginal rate 5%, crossing
 * 1.0.  F1: 3,500 + 1,000 + 1,000 = 5,500; total 21,250, difference
 * -2,000; F1's final attainment (70,000 + 20,000 + 15,000) / 100,000 =
 * 1.05.  PH carries over.  (Cross-checked once with
 * tests/reference/reference_measures.R on a copy of the fixture whose PF
 * rows say credit_renewal 0.5: 21,250 in all, N4 1,000 from 0.9.)
 */
static void test_credit_renewal_file(void **state)
{
    (void)state;
    const char *dir = FIX "/renewals";
    struct world w;
    world_open(&w, dir);
    const struct cs_dataset *ds = w.ds;
    size_t pf = plan(ds, "PF"), ph = plan(ds, "PH");
    struct cs_plans alt;
    bool *listed = NULL;
    load_alt(&w, dir, FIX "/pf_renewals_half.csv", &alt, &listed);
    assert_true(listed[pf]);
    assert_false(listed[ph]);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)pf, CS_TYPE_RENEWAL) == 0.5);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)pf, CS_TYPE_NEW) == 1.0);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)ph, CS_TYPE_RENEWAL) == 0.5);
    assert_true(cs_whatif_recomputes(ds, &alt));

    struct cs_whatif_result *r = simulate(&w, &alt);
    assert_true(r->recomputed);
    assert_true(r->credit_changed);
    assert_close(r->base_commission, 23250.0, 1e-12);
    assert_close(r->alt_commission, 21250.0, 1e-12);
    assert_close(r->commission.estimate, -2000.0, 1e-12);
    assert_close(r->alt_commission_deal[deal(ds, "R3")], 1000.0, 1e-12);
    assert_close(r->alt_commission_deal[deal(ds, "N4")], 1000.0, 1e-12);
    assert_close(r->base_commission_deal[deal(ds, "N4")], 1500.0, 1e-12);
    assert_close(r->alt_commission_deal[deal(ds, "N2")], 3500.0, 1e-12);
    assert_int_equal(r->changed_commission, 2);       /* R3 and N4 */
    assert_int_equal(r->changed_marginal_rate, 1);    /* N4: 10% -> 5% */
    assert_int_equal(r->changed_tier_cross, 2);       /* R3 no longer crosses, N4 does */
    assert_int_equal(r->n_plans, 1);
    assert_int_equal(r->plans[0].plan, pf);

    /* attainment under the alternative: N4 starts at 0.9, F1 ends at 1.05 */
    struct cs_incentives *ai = NULL;
    struct cs_error err;
    assert_int_equal(cs_incentives_compute(ds, &alt, &w.cal, &ai, &err), CS_OK);
    assert_close(ai->attainment_before[deal(ds, "N4")], 0.9, 1e-12);
    assert_close(w.inc->attainment_before[deal(ds, "N4")], 1.1, 1e-12);
    uint32_t rp = ai->rep_period[deal(ds, "N4")];
    assert_close(ai->rp.attainment[rp], 1.05, 1e-12);
    assert_close(w.inc->rp.attainment[w.inc->rep_period[deal(ds, "N4")]], 1.25, 1e-12);
    cs_incentives_free(ai);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    free(listed);
    world_close(&w);
}

/*
 * A listed plan keeps the credit fractions the file does not give: PH
 * listed as it is without credit_ columns changes nothing (its renewals
 * stay at 0.5); PH with credit_expansion 0.8 and the other two blank keeps
 * new business 1 and renewals 0.5, and E1 (expansion 10,000, H1 from 1.25)
 * counts 8,000: 1.25 -> 1.33 at 10%, 800 instead of 1,000.
 */
static void test_credit_columns_kept(void **state)
{
    (void)state;
    const char *dir = FIX "/renewals";
    struct world w;
    world_open(&w, dir);
    const struct cs_dataset *ds = w.ds;
    size_t ph = plan(ds, "PH");
    struct cs_plans alt;
    load_alt(&w, dir, FIX "/ph_no_credit.csv", &alt, NULL);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)ph, CS_TYPE_RENEWAL) == 0.5);
    struct cs_whatif_result *r = simulate(&w, &alt);
    assert_int_equal(r->n_plans, 0);
    assert_true(r->commission.estimate == 0.0);
    assert_false(r->recomputed);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);

    load_alt(&w, dir, FIX "/ph_blank_credit.csv", &alt, NULL);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)ph, CS_TYPE_NEW) == 1.0);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)ph, CS_TYPE_EXPANSION) == 0.8);
    assert_true(cs_plan_credit(ds, &alt, (uint32_t)ph, CS_TYPE_RENEWAL) == 0.5);
    r = simulate(&w, &alt);
    assert_int_equal(r->n_plans, 1);
    assert_close(r->commission.estimate, -200.0, 1e-12);
    assert_close(r->alt_commission_deal[deal(ds, "E1")], 800.0, 1e-12);
    assert_int_equal(r->changed_commission, 1);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    world_close(&w);
}

/* ======================================================================
 * The proposal's crediting option, and its file read back
 * ==================================================================== */

/*
 * On the renewals fixture PF credits renewals in full and has one (R3);
 * PH already counts them at half: "renewals count half" is offered on PF
 * alone, and simulates exactly as pf_renewals_half.csv (-2,000 above).
 */
static void test_renewals_option(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_open(&w, FIX "/renewals");
    const struct cs_dataset *ds = w.ds;
    struct cs_whatif_option *o = NULL;
    size_t n = 0;
    assert_int_equal(cs_whatif_options_generate(w.b, &o, &n, &err), CS_OK);
    const struct cs_whatif_option *x = NULL;
    for (size_t i = 0; i < n; i++) {
        if (o[i].kind != CS_WHATIF_RENEWALS_HALF)
            continue;
        assert_null(x);                       /* one: PF's */
        x = &o[i];
    }
    assert_non_null(x);
    assert_int_equal(x->plan, plan(ds, "PF"));
    char buf[512];
    cs_proposal_describe_option(buf, sizeof buf, ds, x);
    assert_string_equal(buf, "PF: count renewals at half (a renewal adds half its amount to "
                             "attainment and earns commission on half; today renewals count in "
                             "full)");
    cs_proposal_option_label(buf, sizeof buf, ds, x, 3);
    assert_string_equal(buf, "3. PF renewals at half");
    struct cs_whatif_work *work = cs_whatif_work_new(w.b, 1);
    struct cs_whatif_result *r = NULL;
    assert_int_equal(cs_whatif_simulate_option(w.b, work, x, true, &r, &err), CS_OK);
    assert_close(r->commission.estimate, -2000.0, 1e-12);
    assert_close(r->alt_commission_deal[deal(ds, "N4")], 1000.0, 1e-12);
    assert_true(r->recomputed && r->credit_changed);
    cs_whatif_result_free(r);
    cs_whatif_work_free(work);
    cs_whatif_options_free(o, n);
    world_close(&w);
}

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
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Read a whole file (at most 64 KiB) into buf. */
static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* whatif on pf_renewals_half.csv through the command: whatif.md shows
 * PF's crediting before and after (PF has three reps; PH, two, is not
 * shown by itself). */
static void test_whatif_md_shows_crediting(void **state)
{
    (void)state;
    char tmp[] = "/tmp/test_whatif13.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char out[300], path[400];
    snprintf(out, sizeof out, "%s/whatif", tmp);
    char *mbuf = NULL;
    size_t mlen = 0;
    FILE *msg = open_memstream(&mbuf, &mlen);
    struct cs_io io = {.out = msg, .msg = msg, .progress = false};
    struct cs_error err;
    struct cs_options opt = {.data_dir = FIX "/renewals", .out_dir = out, .period = "all",
                             .fiscal_start = 1, .seed = 5, .quiet = true,
                             .plans = FIX "/pf_renewals_half.csv"};
    if (cs_cmd_whatif(&opt, &io, &err) != CS_OK)
        fail_msg("whatif: %s", err.msg);
    snprintf(path, sizeof path, "%s/whatif.json", out);
    json_t *j = load_json(path);
    assert_close(jnum(j, "commission_diff"), -2000.0, 1e-12);
    assert_true(json_is_true(json_object_get(j, "recomputed")));
    json_decref(j);
    static char md[65536];
    snprintf(path, sizeof path, "%s/whatif.md", out);
    slurp(path, md, sizeof md);
    assert_non_null(strstr(md, "| crediting (share of a deal's amount that counts) |"));
    assert_non_null(strstr(md, "| every deal in full |"));
    assert_non_null(strstr(md, "| renewals at 50% |"));
    assert_non_null(strstr(md, "A plan counts a type of deal differently"));
    fclose(msg);
    free(mbuf);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_rows_repriced),
        cmocka_unit_test(test_credit_renewal_file),
        cmocka_unit_test(test_credit_columns_kept),
        cmocka_unit_test(test_renewals_option),
        cmocka_unit_test(test_whatif_md_shows_crediting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
