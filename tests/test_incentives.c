/* test_incentives.c - unit tests of the incentive measures (SPEC 5) and the reconciliation (SPEC 7.9). */
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

#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#include "testutil.h"
#define EXACT 1e-12   /* hand-computed values: a few ulps of slack */

static void *grow(void *p, size_t n, size_t size)
{
    void *q = realloc(p, (n + 1) * size);
    assert_non_null(q);
    return q;
}
/* Append v to arr, which has n elements (n is not changed). */
#define PUSH(arr, n, v) do { (arr) = grow((arr), (n), sizeof *(arr)); (arr)[(n)] = (v); } while (0)

/* ----------------------------------------------------------------------
 * Hand-built datasets: each table grows one row at a time; strings are
 * interned in the dataset's pool as the importer does.  Line numbers are
 * the row's position + 2 (the header is line 1).
 * -------------------------------------------------------------------- */

static struct cs_dataset *ds_new(void)
{
    struct cs_dataset *ds = calloc(1, sizeof *ds);
    assert_non_null(ds);
    ds->str = cs_strpool_new();
    assert_non_null(ds->str);
    return ds;
}

static void ds_free(struct cs_dataset *ds)
{
    if (!ds)
        return;
    struct cs_plans *p = &ds->plans;
    free(p->id); free(p->period_type); free(p->quota); free(p->tier_first);
    free(p->tier_count); free(p->floor); free(p->rate);
    struct cs_reps *r = &ds->reps;
    free(r->id); free(r->name); free(r->team); free(r->role); free(r->manager);
    free(r->plan); free(r->line);
    struct cs_deals *d = &ds->deals;
    free(d->id); free(d->rep); free(d->account); free(d->type); free(d->product);
    free(d->amount); free(d->discount_pct); free(d->created); free(d->close);
    free(d->stage); free(d->line);
    free(ds->quotas.rep); free(ds->quotas.period); free(ds->quotas.quota); free(ds->quotas.line);
    free(ds->quotas.plan);
    free(ds->spiffs.id); free(ds->spiffs.product); free(ds->spiffs.start);
    free(ds->spiffs.end); free(ds->spiffs.amount); free(ds->spiffs.line);
    free(ds->commissions.rep); free(ds->commissions.deal); free(ds->commissions.period);
    free(ds->commissions.commission); free(ds->commissions.line);
    cs_strpool_free(ds->str);
    free(ds);
}

static uint32_t S(struct cs_dataset *ds, const char *s)
{
    uint32_t id = 0;
    assert_int_equal(cs_strpool_intern(ds->str, s, strlen(s), &id), 0);
    return id;
}

/* Day number of "YYYY-MM-DD"; NULL or "" is CS_NO_DATE. */
static int32_t D(const char *iso)
{
    int y, m, d;
    if (!iso || !*iso)
        return CS_NO_DATE;
    if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        fail_msg("bad test date %s", iso);
    return cs_days_from_civil(y, m, d);
}

static uint32_t add_plan(struct cs_dataset *ds, const char *id, enum cs_period_type type,
                         double quota, size_t nt, const double *floors, const double *rates)
{
    struct cs_plans *p = &ds->plans;
    uint32_t first = (uint32_t)p->n_tiers;
    for (size_t k = 0; k < nt; k++) {
        PUSH(p->floor, p->n_tiers, floors[k]);
        PUSH(p->rate, p->n_tiers, rates[k]);
        p->n_tiers++;
    }
    PUSH(p->id, p->n, S(ds, id));
    PUSH(p->period_type, p->n, (uint8_t)type);
    PUSH(p->quota, p->n, quota);
    PUSH(p->tier_first, p->n, first);
    PUSH(p->tier_count, p->n, (uint32_t)nt);
    return (uint32_t)p->n++;
}
#define TIERS(...) (sizeof (double[]){__VA_ARGS__} / sizeof(double)), (double[]){__VA_ARGS__}
#define RATES(...) (double[]){__VA_ARGS__}

static uint32_t add_rep(struct cs_dataset *ds, const char *id, uint32_t plan)
{
    struct cs_reps *r = &ds->reps;
    PUSH(r->id, r->n, S(ds, id));
    PUSH(r->name, r->n, 0);
    PUSH(r->team, r->n, S(ds, "Team"));
    PUSH(r->role, r->n, 0);
    PUSH(r->manager, r->n, 0);
    PUSH(r->plan, r->n, plan);
    PUSH(r->line, r->n, (uint32_t)r->n + 2);
    return (uint32_t)r->n++;
}

static uint32_t add_deal(struct cs_dataset *ds, const char *id, uint32_t rep,
                         enum cs_stage stage, double amount, const char *close,
                         const char *product)
{
    struct cs_deals *d = &ds->deals;
    PUSH(d->id, d->n, S(ds, id));
    PUSH(d->rep, d->n, rep);
    PUSH(d->account, d->n, 0);
    PUSH(d->type, d->n, CS_TYPE_NEW);
    PUSH(d->product, d->n, product ? S(ds, product) : 0);
    PUSH(d->amount, d->n, amount);
    PUSH(d->discount_pct, d->n, NAN);
    PUSH(d->created, d->n, CS_NO_DATE);
    PUSH(d->close, d->n, D(close));
    PUSH(d->stage, d->n, (uint8_t)stage);
    PUSH(d->line, d->n, (uint32_t)d->n + 2);
    return (uint32_t)d->n++;
}
#define WON(ds, id, rep, amount, close) add_deal((ds), (id), (rep), CS_STAGE_WON, (amount), (close), NULL)

static void add_quota(struct cs_dataset *ds, uint32_t rep, int32_t period, double quota)
{
    struct cs_quotas *q = &ds->quotas;
    PUSH(q->rep, q->n, rep);
    PUSH(q->period, q->n, period);
    PUSH(q->quota, q->n, quota);
    PUSH(q->plan, q->n, CS_NONE);     /* no plan_id: the plan held at the period's end */
    PUSH(q->line, q->n, (uint32_t)q->n + 2);
    q->n++;
}

static void add_spiff(struct cs_dataset *ds, const char *id, const char *product,
                      const char *start, const char *end)
{
    struct cs_spiffs *s = &ds->spiffs;
    PUSH(s->id, s->n, S(ds, id));
    PUSH(s->product, s->n, S(ds, product));
    PUSH(s->start, s->n, D(start));
    PUSH(s->end, s->n, D(end));
    PUSH(s->amount, s->n, 100.0);
    PUSH(s->line, s->n, (uint32_t)s->n + 2);
    s->n++;
}

static void add_commission(struct cs_dataset *ds, uint32_t rep, uint32_t deal, double paid)
{
    struct cs_commissions *c = &ds->commissions;
    PUSH(c->rep, c->n, rep);
    PUSH(c->deal, c->n, deal);
    PUSH(c->period, c->n, CS_NO_PERIOD);
    PUSH(c->commission, c->n, paid);
    PUSH(c->line, c->n, (uint32_t)c->n + 2);
    c->n++;
}

static const struct cs_calendar CAL1 = {1};

/* What the table does not store, got as incentives.h says: Q, a1 and the
 * last day of the plan period of deal i (NAN, NAN, CS_NO_DATE when not won). */
static double quota_of(const struct cs_incentives *inc, uint32_t i)
{
    return inc->rep_period[i] == CS_NONE ? NAN : inc->rp.quota[inc->rep_period[i]];
}

static double a1_of(const struct cs_dataset *ds, const struct cs_incentives *inc, uint32_t i)
{
    return inc->attainment_before[i] + ds->deals.amount[i] / quota_of(inc, i);
}

static int32_t end_of(const struct cs_calendar *cal, const struct cs_incentives *inc, uint32_t i)
{
    return inc->rep_period[i] == CS_NONE ? CS_NO_DATE : cs_cal_period_last_day(cal, inc->period[i]);
}

static struct cs_incentives *compute_ok(const struct cs_dataset *ds, const struct cs_calendar *cal)
{
    struct cs_incentives *inc = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_incentives_compute(ds, &ds->plans, cal, &inc, &err);
    if (st != CS_OK)
        fail_msg("cs_incentives_compute: %s", err.msg);
    assert_non_null(inc);
    assert_int_equal(inc->n, ds->deals.n);
    return inc;
}

/* ======================================================================
 * Tier maths
 * ==================================================================== */

/*
 * Plan: Q = 1000, tiers [0, 1): 10%, [1, 2): 20%, [2, inf): 0% (cap).
 * One rep, 2026Q1, fiscal start 1; amounts chosen so a0/a1 are exact in binary.
 *   A 01-10  500: a0 0,    a1 0.5,  mr .1, gap 1,    cross 0, comm 1000*.1*.5 = 50
 *   B 02-01  500: a0 0.5,  a1 1.0,  mr .1, gap .5,   cross 1 (lands on the floor), comm 50
 *   C 02-15  250: a0 1.0 (on the floor: its tier), mr .2, gap 1, cross 0, comm 1000*.2*.25 = 50
 *   D 03-01 1000: a0 1.25, a1 2.25, mr .2, gap .75,  cross 1, comm 1000*(.2*.75 + 0*.25) = 150
 *   E 03-31  250: a0 2.25, a1 2.5,  mr 0 (cap), gap none, cross 0, comm 0, days to end 0
 * Final attainment 2500 / 1000 = 2.5.
 */
static void test_floor_landing_and_cap(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0, 1, 2), RATES(0.1, 0.2, 0));
    uint32_t r = add_rep(ds, "R1", p);
    /* Inserted out of order: the computation sorts. */
    uint32_t e = WON(ds, "E", r, 250, "2026-03-31");
    uint32_t a = WON(ds, "A", r, 500, "2026-01-10");
    uint32_t c = WON(ds, "C", r, 250, "2026-02-15");
    uint32_t b = WON(ds, "B", r, 500, "2026-02-01");
    uint32_t d = WON(ds, "D", r, 1000, "2026-03-01");
    struct cs_incentives *inc = compute_ok(ds, &CAL1);

    assert_int_equal(inc->n_won, 5);
    assert_close(inc->attainment_before[a], 0.0, EXACT);
    assert_close(a1_of(ds, inc, a), 0.5, EXACT);
    assert_close(inc->marginal_rate[a], 0.1, EXACT);
    assert_close(inc->gap_to_next_tier[a], 1.0, EXACT);
    assert_int_equal(inc->tier_cross[a], 0);
    assert_close(inc->commission[a], 50, EXACT);
    assert_close(inc->effective_rate[a], 0.1, EXACT);

    assert_true(a1_of(ds, inc, b) == 1.0);
    assert_int_equal(inc->tier_cross[b], 1);
    assert_close(inc->commission[b], 50, EXACT);
    assert_close(inc->gap_to_next_tier[b], 0.5, EXACT);
    assert_close(inc->marginal_rate[b], 0.1, EXACT);

    assert_true(inc->attainment_before[c] == 1.0);
    assert_close(inc->marginal_rate[c], 0.2, EXACT);
    assert_close(inc->gap_to_next_tier[c], 1.0, EXACT);
    assert_int_equal(inc->tier_cross[c], 0);
    assert_close(inc->commission[c], 50, EXACT);
    assert_close(inc->effective_rate[c], 0.2, EXACT);

    assert_close(inc->attainment_before[d], 1.25, EXACT);
    assert_close(a1_of(ds, inc, d), 2.25, EXACT);
    assert_int_equal(inc->tier_cross[d], 1);
    assert_close(inc->commission[d], 150, EXACT);
    assert_close(inc->effective_rate[d], 0.15, EXACT);
    assert_close(inc->gap_to_next_tier[d], 0.75, EXACT);

    assert_close(inc->attainment_before[e], 2.25, EXACT);
    assert_close(inc->marginal_rate[e], 0.0, EXACT);
    assert_true(isnan(inc->gap_to_next_tier[e]));
    assert_int_equal(inc->tier_cross[e], 0);
    assert_true(inc->commission[e] == 0.0);
    assert_true(inc->effective_rate[e] == 0.0);
    assert_int_equal(inc->days_to_period_end[e], 0);
    assert_int_equal(inc->last_14_days[e], 1);
    assert_int_equal(end_of(&CAL1, inc, e), D("2026-03-31"));

    /* Period bookkeeping of A: 2026Q1 = 90 days, 01-10 is day 9. */
    assert_int_equal(inc->period[a], 20261);
    assert_int_equal(inc->quarter[a], 20261);
    assert_int_equal(inc->period_days[a], 90);
    assert_int_equal(inc->day_of_period[a], 9);
    assert_int_equal(inc->days_to_period_end[a], 80);
    assert_int_equal(inc->last_14_days[a], 0);
    assert_close(inc->log_amount[a], log(500.0), EXACT);
    assert_close(quota_of(inc, a), 1000, EXACT);
    assert_int_equal(inc->spiff[a], 0);

    assert_int_equal(inc->rp.n, 1);
    assert_int_equal(inc->rp.rep[0], r);
    assert_int_equal(inc->rp.plan[0], p);
    assert_int_equal(inc->rp.period[0], 20261);
    assert_int_equal(inc->rp.n_deals[0], 5);
    assert_close(inc->rp.quota[0], 1000, EXACT);
    assert_close(inc->rp.amount[0], 2500, EXACT);
    assert_close(inc->rp.attainment[0], 2.5, EXACT);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(inc->rep_period[i], 0);

    cs_incentives_free(inc);
    ds_free(ds);
}

/*
 * Crossing two floors.  Q = 2000, tiers [0, .5): 5%, [.5, 1): 10%, [1, inf): 15%.
 *   X 400:  a0 0, a1 0.2
 *   Y 2000: a0 400/2000 = 0.2, a1 0.2 + 1 = 1.2, crosses 0.5 and 1.0:
 *     commission = 2000 * (.05 * (.5 - .2) + .10 * (1 - .5) + .15 * (1.2 - 1))
 *                = 2000 * (.015 + .05 + .03) = 2000 * .095 = 190; effective .095
 *     marginal .05 (a0 in the first tier), gap .5 - .2 = .3, cross 1.
 */
static void test_two_floors(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 2000, TIERS(0, 0.5, 1.0), RATES(0.05, 0.10, 0.15));
    uint32_t r = add_rep(ds, "R1", p);
    uint32_t x = WON(ds, "X", r, 400, "2026-05-02");
    uint32_t y = WON(ds, "Y", r, 2000, "2026-06-20");
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_close(inc->commission[x], 20, EXACT);   /* 2000 * .05 * .2 */
    assert_close(inc->attainment_before[y], 0.2, EXACT);
    assert_close(a1_of(ds, inc, y), 1.2, EXACT);
    assert_close(inc->commission[y], 190, EXACT);
    assert_close(inc->effective_rate[y], 0.095, EXACT);
    assert_close(inc->marginal_rate[y], 0.05, EXACT);
    assert_close(inc->gap_to_next_tier[y], 0.3, EXACT);
    assert_int_equal(inc->tier_cross[y], 1);
    assert_int_equal(inc->period[y], 20262);
    assert_int_equal(inc->days_to_period_end[y], 10);
    assert_int_equal(inc->last_14_days[y], 1);
    assert_int_equal(inc->day_of_period[y], 80);   /* Apr 30 + May 31 + 19 */
    assert_int_equal(inc->period_days[y], 91);
    cs_incentives_free(inc);
    ds_free(ds);
}

/* The tier function on its own, including a0 inside the cap and a1 == a0. */
static void test_tiers_function(void **state)
{
    (void)state;
    const double fl[] = {0, 0.5, 1.0, 1.5}, rt[] = {0.05, 0.1, 0.2, 0};
    double c, mr, gap;
    int8_t cross;
    /* [0.4, 1.6]: .05*.1 + .1*.5 + .2*.5 + 0*.1 = .005 + .05 + .1 = .155 */
    cs_incentives_tiers(fl, rt, 4, 100, 0.4, 1.6, &c, &mr, &cross, &gap);
    assert_close(c, 15.5, EXACT);
    assert_close(mr, 0.05, EXACT);
    assert_int_equal(cross, 1);
    assert_close(gap, 0.1, EXACT);
    /* Exactly on the top floor. */
    cs_incentives_tiers(fl, rt, 4, 100, 1.5, 1.75, &c, &mr, &cross, &gap);
    assert_true(c == 0.0);
    assert_true(mr == 0.0);
    assert_int_equal(cross, 0);
    assert_true(isnan(gap));
    /* Zero-length interval on a floor: no crossing (f <= a1 but not a0 < f). */
    cs_incentives_tiers(fl, rt, 4, 100, 1.0, 1.0, &c, &mr, &cross, &gap);
    assert_true(c == 0.0);
    assert_int_equal(cross, 0);
    assert_close(mr, 0.2, EXACT);
    /* NULL outputs are allowed; a single flat tier. */
    const double f1[] = {0}, r1[] = {0.07};
    cs_incentives_tiers(f1, r1, 1, 1000, 0.25, 0.75, &c, NULL, NULL, NULL);
    assert_close(c, 35, EXACT);
    cs_incentives_tiers(f1, r1, 1, 1000, 0.25, 0.75, NULL, &mr, &cross, &gap);
    assert_close(mr, 0.07, EXACT);
    assert_int_equal(cross, 0);
    assert_true(isnan(gap));
}

/* Ties on close date: byte order of deal_id, "D1" < "D10" < "D9". */
static void test_ties_by_deal_id(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0), RATES(0.1));
    uint32_t r = add_rep(ds, "R1", p);
    uint32_t d9 = WON(ds, "D9", r, 100, "2026-02-02");
    uint32_t d10 = WON(ds, "D10", r, 200, "2026-02-02");
    uint32_t d1 = WON(ds, "D1", r, 400, "2026-02-02");
    uint32_t early = WON(ds, "Z", r, 800, "2026-02-01");   /* earlier date beats the id */
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_close(inc->attainment_before[early], 0.0, EXACT);
    assert_close(inc->attainment_before[d1], 0.8, EXACT);
    assert_close(inc->attainment_before[d10], 1.2, EXACT);
    assert_close(inc->attainment_before[d9], 1.4, EXACT);
    assert_close(inc->rp.attainment[0], 1.5, EXACT);
    cs_incentives_free(inc);
    ds_free(ds);
}

/* Reference order for test_sort_many: strcmp is byte order with a proper prefix first. */
struct ref_deal {
    int32_t close;
    char id[16];
    uint32_t deal;
};

static int cmp_ref(const void *pa, const void *pb)
{
    const struct ref_deal *a = pa, *b = pb;
    if (a->close != b->close)
        return a->close < b->close ? -1 : 1;
    return strcmp(a->id, b->id);
}

/*
 * Many deals of one rep on few days (runs longer than the insertion-sort
 * cut-off, many ties, ids of mixed lengths), amounts of 1 and Q = 1000 so
 * that a0 * 1000 is exactly the deal's rank in (close, id) order.  A deal
 * closed in 1800 (lost) makes the close-date span too wide for the day
 * table, so the direct calendar path is used as well.
 */
static void test_sort_many(void **state)
{
    (void)state;
    enum { N = 500 };
    for (int wide = 0; wide < 2; wide++) {
        struct cs_dataset *ds = ds_new();
        uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0), RATES(0.1));
        uint32_t other = add_rep(ds, "R0", p);
        uint32_t r = add_rep(ds, "R1", p);
        struct ref_deal ref[N];
        static const char *const days[] = {"2026-02-03", "2026-02-01", "2026-03-31", "2026-02-02"};
        unsigned x = 12345;
        for (uint32_t k = 0; k < N; k++) {
            x = x * 1103515245u + 12345u;
            /* ids of mixed lengths ("D7-3", "D70123-4"), unique by the suffix */
            snprintf(ref[k].id, sizeof ref[k].id, "D%u-%u", (x >> 8) % (k % 3 == 0 ? 10u : 100000u), k);
            ref[k].close = D(days[(x >> 20) % 4]);
            ref[k].deal = WON(ds, ref[k].id, r, 1, days[(x >> 20) % 4]);
            if (k % 50 == 0)
                WON(ds, "X", other, 1, days[0]);   /* interleaved rows of another rep */
        }
        uint32_t old = add_deal(ds, "OLD", r, CS_STAGE_LOST, 1, wide ? "1800-01-01" : "2025-12-31", NULL);
        qsort(ref, N, sizeof ref[0], cmp_ref);
        struct cs_incentives *inc = compute_ok(ds, &CAL1);
        for (uint32_t k = 0; k < N; k++) {
            double a0 = inc->attainment_before[ref[k].deal];
            if (a0 * 1000 != (double)k)
                fail_msg("deal %s: rank %.17g, expected %u", ref[k].id, a0 * 1000, k);
        }
        assert_int_equal(inc->quarter[old], wide ? 18001 : 20254);
        assert_int_equal(inc->rp.n, 2);
        assert_int_equal(inc->rp.n_deals[1], N);
        assert_int_equal(inc->period[ref[0].deal], 20261);
        cs_incentives_free(inc);
        ds_free(ds);
    }
}

/*
 * Enough deals for the last pass to run on two threads (from 65,536
 * deals, each thread half of them): every deal is written, on both sides
 * of the split.  A deal no thread wrote would keep the zeros of a fresh
 * page: period_days 0 and commission 0, not 90 and 0.2, or -1 and NaN.
 */
static void test_two_halves(void **state)
{
    (void)state;
    enum { N = 65536 + 7 };
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1e9, TIERS(0), RATES(0.1));
    uint32_t r = add_rep(ds, "R", p);
    static const char *const days[] = {"2026-01-05", "2026-03-20", "2026-02-11"};
    /* the columns at their full size at once: add_deal grows them a row
     * at a time, which a sanitizer's realloc makes quadratic */
    struct cs_deals *d = &ds->deals;
    d->id = calloc(N, sizeof *d->id);
    d->rep = calloc(N, sizeof *d->rep);
    d->account = calloc(N, sizeof *d->account);
    d->type = calloc(N, sizeof *d->type);
    d->product = calloc(N, sizeof *d->product);
    d->amount = calloc(N, sizeof *d->amount);
    d->discount_pct = calloc(N, sizeof *d->discount_pct);
    d->created = calloc(N, sizeof *d->created);
    d->close = calloc(N, sizeof *d->close);
    d->stage = calloc(N, sizeof *d->stage);
    d->line = calloc(N, sizeof *d->line);
    assert_true(d->id && d->rep && d->account && d->type && d->product && d->amount &&
                d->discount_pct && d->created && d->close && d->stage && d->line);
    for (uint32_t k = 0; k < N; k++) {
        char id[16];
        snprintf(id, sizeof id, "D%u", k);
        d->id[k] = S(ds, id);
        d->rep[k] = r;
        d->type[k] = CS_TYPE_NEW;
        d->amount[k] = 2;
        d->discount_pct[k] = NAN;
        d->created[k] = CS_NO_DATE;
        d->close[k] = D(days[k % 3]);
        d->stage[k] = k % 3 == 2 ? CS_STAGE_LOST : CS_STAGE_WON;
        d->line[k] = k + 2;
    }
    d->n = N;
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    for (uint32_t k = 0; k < N; k++) {
        if (k % 3 == 2) {
            if (inc->period_days[k] != -1 || !isnan(inc->commission[k]) || inc->spiff[k] != -1)
                fail_msg("lost deal %u: period_days %d, commission %.17g", k,
                         inc->period_days[k], inc->commission[k]);
            continue;
        }
        if (inc->period_days[k] != 90 || inc->commission[k] != 0.2 || quota_of(inc, k) != 1e9 ||
            inc->marginal_rate[k] != 0.1 || inc->log_amount[k] != log(2.0) || inc->spiff[k] != 0 ||
            inc->last_14_days[k] != (k % 3 == 0 ? 0 : 1) || inc->period[k] != 20261)
            fail_msg("won deal %u: period_days %d, commission %.17g, last_14_days %d", k,
                     inc->period_days[k], inc->commission[k], inc->last_14_days[k]);
    }
    cs_incentives_free(inc);
    ds_free(ds);
}

/*
 * Annual plan, Q = 4000, tiers [0, 1): 10%, [1, inf): 20%; fiscal start 1.
 *   2026-02-10 1000: a0 0
 *   2026-05-05 2000: a0 .25 (Q2, same fiscal year: attainment carries)
 *   2026-11-30 1000: a0 .75, a1 1.0, cross 1
 *   2027-01-15 1000: FY2027: a0 0 again
 */
static void test_annual_plan(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "Y", CS_PERIOD_YEAR, 4000, TIERS(0, 1), RATES(0.1, 0.2));
    uint32_t r = add_rep(ds, "R1", p);
    uint32_t a = WON(ds, "A", r, 1000, "2026-02-10");
    uint32_t b = WON(ds, "B", r, 2000, "2026-05-05");
    uint32_t c = WON(ds, "C", r, 1000, "2026-11-30");
    uint32_t d = WON(ds, "D", r, 1000, "2027-01-15");
    uint32_t lost = add_deal(ds, "L", r, CS_STAGE_LOST, 5000, "2026-03-01", NULL);
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_close(inc->attainment_before[a], 0.0, EXACT);
    assert_close(inc->attainment_before[b], 0.25, EXACT);
    assert_close(inc->attainment_before[c], 0.75, EXACT);
    assert_int_equal(inc->tier_cross[c], 1);
    assert_close(inc->commission[c], 100, EXACT);
    assert_close(inc->attainment_before[d], 0.0, EXACT);
    assert_int_equal(inc->period[b], 20260);
    assert_int_equal(inc->quarter[b], 20262);
    assert_int_equal(inc->period[d], 20270);
    assert_int_equal(inc->quarter[d], 20271);
    assert_int_equal(end_of(&CAL1, inc, b), D("2026-12-31"));
    assert_int_equal(inc->period_days[b], 365);
    assert_int_equal(inc->day_of_period[b], 124);
    assert_int_equal(inc->days_to_period_end[b], 240);
    assert_int_equal(inc->rp.n, 2);
    assert_int_equal(inc->rp.period[0], 20260);
    assert_close(inc->rp.attainment[0], 1.0, EXACT);
    assert_int_equal(inc->rp.n_deals[0], 3);
    assert_int_equal(inc->rp.period[1], 20270);
    assert_close(inc->rp.attainment[1], 0.25, EXACT);
    assert_int_equal(inc->rep_period[d], 1);
    /* The lost deal: no measures, but its quarter is known. */
    assert_int_equal(inc->won[lost], 0);
    assert_int_equal(inc->quarter[lost], 20261);
    assert_int_equal(inc->period[lost], CS_NO_PERIOD);
    assert_int_equal(end_of(&CAL1, inc, lost), CS_NO_DATE);
    assert_int_equal(inc->tier_cross[lost], -1);
    assert_int_equal(inc->spiff[lost], -1);
    assert_int_equal(inc->last_14_days[lost], -1);
    assert_int_equal(inc->days_to_period_end[lost], -1);
    assert_int_equal(inc->rep_period[lost], CS_NONE);
    assert_true(isnan(inc->commission[lost]));
    assert_true(isnan(inc->attainment_before[lost]));
    assert_true(isnan(inc->log_amount[lost]));
    cs_incentives_free(inc);
    ds_free(ds);
}

/* Fiscal start 2 around the year end (annual plan) and 12 around a leap day (quarterly). */
static void test_fiscal_year_ends(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t py = add_plan(ds, "Y", CS_PERIOD_YEAR, 1000, TIERS(0), RATES(0.1));
    uint32_t pq = add_plan(ds, "Q", CS_PERIOD_QUARTER, 1000, TIERS(0), RATES(0.1));
    uint32_t ry = add_rep(ds, "RY", py), rq = add_rep(ds, "RQ", pq);
    uint32_t y1 = WON(ds, "Y1", ry, 300, "2026-01-31");
    uint32_t y0 = WON(ds, "Y0", ry, 200, "2025-02-01");
    uint32_t y2 = WON(ds, "Y2", ry, 100, "2026-02-01");
    uint32_t q1 = WON(ds, "Q1", rq, 300, "2024-02-29");
    uint32_t q2 = WON(ds, "Q2", rq, 100, "2024-03-01");
    uint32_t q0 = WON(ds, "Q0", rq, 50, "2023-12-01");

    struct cs_calendar c2 = {2};
    struct cs_incentives *inc = compute_ok(ds, &c2);
    /* FY2026 = 2025-02-01 .. 2026-01-31. */
    assert_int_equal(inc->period[y0], 20260);
    assert_int_equal(inc->period[y1], 20260);
    assert_close(inc->attainment_before[y1], 0.2, EXACT);
    assert_int_equal(inc->days_to_period_end[y1], 0);
    assert_int_equal(inc->day_of_period[y0], 0);
    assert_int_equal(inc->day_of_period[y1], 364);
    assert_int_equal(inc->quarter[y1], 20264);
    assert_int_equal(inc->period[y2], 20270);
    assert_close(inc->attainment_before[y2], 0.0, EXACT);
    assert_int_equal(inc->quarter[y2], 20271);
    assert_int_equal(inc->days_to_period_end[y2], 364);
    cs_incentives_free(inc);

    struct cs_calendar c12 = {12};
    inc = compute_ok(ds, &c12);
    /* FY2024 Q1 = 2023-12-01 .. 2024-02-29 (91 days). */
    assert_int_equal(inc->period[q0], 20241);
    assert_int_equal(inc->period[q1], 20241);
    assert_close(inc->attainment_before[q1], 0.05, EXACT);
    assert_int_equal(inc->days_to_period_end[q1], 0);
    assert_int_equal(inc->period_days[q1], 91);
    assert_int_equal(inc->day_of_period[q1], 90);
    assert_int_equal(inc->period[q2], 20242);
    assert_close(inc->attainment_before[q2], 0.0, EXACT);
    assert_int_equal(end_of(&c12, inc, q2), D("2024-05-31"));
    /* The annual rep under fiscal start 12: FY2025 = 2024-12-01 .. 2025-11-30. */
    assert_int_equal(inc->period[y0], 20250);
    assert_int_equal(inc->period[y1], 20260);
    assert_int_equal(inc->period[y2], 20260);
    assert_close(inc->attainment_before[y2], 0.3, EXACT);
    assert_int_equal(inc->rp.n, 4);   /* RY 2025, RY 2026, RQ 20241, RQ 20242 */
    cs_incentives_free(inc);
    ds_free(ds);
}

/* quotas.csv overrides: exact (rep, period) match only; the first matching row wins. */
static void test_quota_override(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t pq = add_plan(ds, "Q", CS_PERIOD_QUARTER, 1000, TIERS(0, 1), RATES(0.1, 0.3));
    uint32_t py = add_plan(ds, "Y", CS_PERIOD_YEAR, 4000, TIERS(0, 1), RATES(0.1, 0.3));
    uint32_t r1 = add_rep(ds, "R1", pq), r2 = add_rep(ds, "R2", pq), r3 = add_rep(ds, "R3", py);
    add_quota(ds, r1, 20261, 500);
    add_quota(ds, r1, 20261, 800);    /* a repeat (the importer rejects it): the first wins */
    add_quota(ds, r1, 20260, 100);    /* a year row cannot match a quarterly plan */
    add_quota(ds, r3, 20261, 100);    /* a quarter row cannot match a yearly plan */
    add_quota(ds, r3, 20260, 2000);
    add_quota(ds, r2, 20262, 0);      /* not a quota: ignored (importer guard) */
    uint32_t a = WON(ds, "A", r1, 250, "2026-01-05");
    uint32_t b = WON(ds, "B", r1, 500, "2026-01-06");
    uint32_t c = WON(ds, "C", r1, 250, "2026-04-06");   /* Q2: plan quota */
    uint32_t d = WON(ds, "D", r2, 250, "2026-01-06");   /* other rep: plan quota */
    uint32_t e = WON(ds, "E", r3, 500, "2026-01-06");
    uint32_t f = WON(ds, "F", r3, 1000, "2026-08-06");
    uint32_t g = WON(ds, "G", r2, 250, "2026-04-06");
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_close(quota_of(inc, a), 500, EXACT);
    assert_close(a1_of(ds, inc, a), 0.5, EXACT);
    assert_close(inc->attainment_before[b], 0.5, EXACT);
    assert_int_equal(inc->tier_cross[b], 1);
    /* B: [0.5, 1.5] with Q 500: 500 * (.1 * .5 + .3 * .5) = 100 */
    assert_close(inc->commission[b], 100, EXACT);
    assert_close(quota_of(inc, c), 1000, EXACT);
    assert_close(quota_of(inc, d), 1000, EXACT);
    assert_close(quota_of(inc, g), 1000, EXACT);
    assert_close(quota_of(inc, e), 2000, EXACT);
    assert_close(inc->attainment_before[f], 0.25, EXACT);
    /* rep-periods: R1 20261 (Q 500), R1 20262, R2 20261, R2 20262, R3 2026 */
    assert_int_equal(inc->rp.n, 5);
    assert_close(inc->rp.quota[0], 500, EXACT);
    assert_close(inc->rp.attainment[0], 1.5, EXACT);
    assert_close(inc->rp.attainment[4], 0.75, EXACT);
    cs_incentives_free(inc);
    ds_free(ds);
}

/* SPIFF windows are inclusive at both ends and per product. */
static void test_spiff_boundaries(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1e6, TIERS(0), RATES(0.1));
    uint32_t r = add_rep(ds, "R1", p);
    add_spiff(ds, "S2", "X", "2026-03-01", "2026-03-05");
    add_spiff(ds, "S1", "X", "2026-02-10", "2026-02-20");
    add_spiff(ds, "S3", "Y", "2026-01-01", "2026-01-31");
    add_spiff(ds, "S4", "X", "2026-02-15", "2026-02-16");   /* overlaps S1 */
    struct { const char *close, *product; int spiff; } cases[] = {
        {"2026-02-10", "X", 1}, {"2026-02-20", "X", 1}, {"2026-02-09", "X", 0},
        {"2026-02-21", "X", 0}, {"2026-02-15", "X", 1}, {"2026-02-15", "Y", 0},
        {"2026-02-15", NULL, 0}, {"2026-03-03", "X", 1}, {"2026-03-06", "X", 0},
        {"2026-01-31", "Y", 1}, {"2026-01-31", "Z", 0}, {"2026-02-28", "X", 0},
        {"2026-02-18", "X", 1},   /* after S4 ended, still inside the longer S1 */
    };
    size_t nc = sizeof cases / sizeof cases[0];
    for (size_t k = 0; k < nc; k++) {
        char id[16];
        snprintf(id, sizeof id, "D%02zu", k);
        add_deal(ds, id, r, CS_STAGE_WON, 100, cases[k].close, cases[k].product);
    }
    add_deal(ds, "OPEN", r, CS_STAGE_OPEN, 100, "2026-02-15", "X");
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    for (size_t k = 0; k < nc; k++)
        if (inc->spiff[k] != cases[k].spiff)
            fail_msg("case %zu (%s, %s): spiff %d, expected %d", k, cases[k].close,
                     cases[k].product ? cases[k].product : "blank", inc->spiff[k], cases[k].spiff);
    assert_int_equal(inc->spiff[nc], -1);
    cs_incentives_free(inc);
    ds_free(ds);
}

/* What-if: alternative plans in the same order; measures follow them. */
static void test_whatif_plans(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0, 1), RATES(0.1, 0.3));
    uint32_t r = add_rep(ds, "R1", p);
    uint32_t a = WON(ds, "A", r, 500, "2026-01-05");
    uint32_t b = WON(ds, "B", r, 1000, "2026-04-06");
    add_quota(ds, r, 20261, 250);   /* overrides apply to the alternative too */

    /* Alternative: yearly, Q 2000, linear 0.15. */
    double fl[] = {0}, rt[] = {0.15};
    double q[] = {2000};
    uint8_t pt[] = {CS_PERIOD_YEAR};
    uint32_t first[] = {0}, cnt[] = {1}, ids[] = {ds->plans.id[0]};
    struct cs_plans alt = {.n = 1, .id = ids, .period_type = pt, .quota = q, .tier_first = first,
                           .tier_count = cnt, .n_tiers = 1, .floor = fl, .rate = rt};
    struct cs_incentives *inc = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    assert_int_equal(cs_incentives_compute(ds, &alt, &CAL1, &inc, &err), CS_OK);
    assert_int_equal(inc->period[a], 20260);
    assert_close(quota_of(inc, a), 2000, EXACT);   /* the quarter override does not match a year */
    assert_close(inc->attainment_before[b], 0.25, EXACT);
    assert_close(inc->commission[b], 150, EXACT);
    cs_incentives_free(inc);

    /* NULL plans means ds->plans. */
    assert_int_equal(cs_incentives_compute(ds, NULL, &CAL1, &inc, &err), CS_OK);
    assert_close(quota_of(inc, a), 250, EXACT);
    /* A: [0, 2] at Q 250: 250 * (.1 + .3) = 100 */
    assert_close(inc->commission[a], 100, EXACT);
    cs_incentives_free(inc);

    /* A different number of plans is a usage error. */
    alt.n = 0;
    inc = (struct cs_incentives *)&err;   /* any non-NULL value: must come back NULL */
    assert_int_equal(cs_incentives_compute(ds, &alt, &CAL1, &inc, &err), CS_ERR_USAGE);
    assert_null(inc);
    assert_string_equal(err.msg, "alternative plans: 0 plans where the data has 1");
    ds_free(ds);
}

/* Two tables hold the same bits in every per-deal array. */
static void assert_same_tables(const struct cs_incentives *a, const struct cs_incentives *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->n_won, b->n_won);
    assert_int_equal(a->rp.n, b->rp.n);
#define SAME(f) assert_memory_equal(a->f, b->f, a->n * sizeof *a->f)
    SAME(won); SAME(period); SAME(quarter); SAME(period_days);
    SAME(day_of_period); SAME(rep_period); SAME(attainment_before);
    SAME(marginal_rate); SAME(commission); SAME(effective_rate);
    SAME(tier_cross); SAME(gap_to_next_tier); SAME(days_to_period_end); SAME(last_14_days);
    SAME(spiff); SAME(log_amount);
#undef SAME
    assert_memory_equal(a->rp.amount, b->rp.amount, a->rp.n * sizeof *a->rp.amount);
    assert_memory_equal(a->rp.quota, b->rp.quota, a->rp.n * sizeof *a->rp.quota);
}

/* Recomputing into an old table (what-if) gives what a fresh one holds,
 * whatever the old table held: every element is written again. */
static void test_recompute_reuses(void **state)
{
    (void)state;
    struct cs_load_options lo = {.dir = CS_SOURCE_DIR "/data/sample"};
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    assert_int_equal(cs_dataset_load(&lo, &ds, &err), CS_OK);
    /* the alternative: every plan yearly at four times its quota */
    size_t np = ds->plans.n;
    uint8_t pt[64];
    double q[64];
    assert_true(np <= 64);
    for (size_t p = 0; p < np; p++) {
        pt[p] = CS_PERIOD_YEAR;
        q[p] = ds->plans.period_type[p] == CS_PERIOD_YEAR ? ds->plans.quota[p] : 4 * ds->plans.quota[p];
    }
    struct cs_plans alt = ds->plans;
    alt.period_type = pt;
    alt.quota = q;
    struct cs_incentives *base = NULL, *fresh = NULL, *reused = NULL;
    assert_int_equal(cs_incentives_compute(ds, NULL, &CAL1, &base, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(ds, &alt, &CAL1, &fresh, &err), CS_OK);
    /* into nothing, then into a table of the other plans, then back */
    assert_int_equal(cs_incentives_recompute(ds, NULL, &CAL1, NULL, &reused, &err), CS_OK);
    assert_same_tables(base, reused);
    assert_int_equal(cs_incentives_recompute(ds, &alt, &CAL1, NULL, &reused, &err), CS_OK);
    assert_same_tables(fresh, reused);
    assert_int_equal(cs_incentives_recompute(ds, NULL, &CAL1, NULL, &reused, &err), CS_OK);
    assert_same_tables(base, reused);
    /* only the deals of one plan: their attainment as in the full table,
     * the others not won (and nothing else of theirs written) */
    bool only[64] = {false};
    only[1] = true;
    assert_int_equal(cs_incentives_recompute(ds, &alt, &CAL1, only, &reused, &err), CS_OK);
    size_t kept = 0;
    for (size_t i = 0; i < ds->deals.n; i++) {
        /* the plan of the deal's own credit row (SPEC 13) */
        bool mine = fresh->won[i] && only[fresh->rp.plan[fresh->rep_period[i]]];
        if (!mine || !fresh->won[i]) {
            assert_int_equal(reused->won[i], 0);
            continue;
        }
        kept++;
        assert_int_equal(reused->won[i], 1);
        assert_memory_equal(&reused->attainment_before[i], &fresh->attainment_before[i],
                            sizeof(double));
        uint32_t a = reused->rep_period[i], b = fresh->rep_period[i];
        assert_memory_equal(&reused->rp.quota[a], &fresh->rp.quota[b], sizeof(double));
        assert_int_equal(reused->rp.period[a], fresh->rp.period[b]);
        assert_int_equal(reused->rp.rep[a], fresh->rp.rep[b]);
    }
    assert_true(kept > 0 && kept < fresh->n_won);
    /* ... and the tier maths are left to the what-if: no measures at all */
    assert_null(reused->marginal_rate);
    assert_null(reused->commission);
    assert_null(reused->last_14_days);
    assert_null(reused->period);
    assert_null(reused->quarter);
    assert_null(reused->log_amount);
    /* back to a whole table: all of it again */
    assert_int_equal(cs_incentives_recompute(ds, NULL, &CAL1, NULL, &reused, &err), CS_OK);
    assert_same_tables(base, reused);
    /* a failure frees the old table and leaves NULL */
    struct cs_plans bad = alt;
    bad.n = 0;
    assert_int_equal(cs_incentives_recompute(ds, &bad, &CAL1, NULL, &reused, &err), CS_ERR_USAGE);
    assert_null(reused);
    cs_incentives_free(base);
    cs_incentives_free(fresh);
    cs_dataset_free(ds);
}

static void expect_error(struct cs_dataset *ds, const struct cs_plans *plans,
                         enum cs_status status, const char *file, unsigned long line,
                         const char *column, const char *msg)
{
    struct cs_incentives *inc = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    assert_int_equal(cs_incentives_compute(ds, plans, &CAL1, &inc, &err), status);
    assert_null(inc);
    assert_int_equal(err.status, status);
    assert_string_equal(err.file, file);
    assert_int_equal(err.line, line);
    assert_string_equal(err.column, column);
    assert_string_equal(err.msg, msg);
}

/* Guards against data the importer should have rejected. */
static void test_errors(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0, 1), RATES(0.1, 0.3));
    uint32_t r = add_rep(ds, "R1", p);
    uint32_t nop = add_rep(ds, "R2", CS_NONE);
    WON(ds, "A", r, 500, "2026-01-05");
    uint32_t b = WON(ds, "B", nop, 500, "2026-01-05");
    expect_error(ds, NULL, CS_ERR_INPUT, "deals.csv", 3, "rep_id", "won deal \"B\": its rep has no plan");
    ds->reps.plan[nop] = p;
    ds->deals.amount[b] = 0;
    expect_error(ds, NULL, CS_ERR_INPUT, "deals.csv", 3, "amount", "won deal \"B\" needs an amount > 0");
    ds->deals.amount[b] = 10;
    ds->deals.close[b] = CS_NO_DATE;
    expect_error(ds, NULL, CS_ERR_INPUT, "deals.csv", 3, "close_date", "won deal \"B\" has no close date");
    ds->deals.close[b] = D("2026-01-05");
    ds->deals.stage[b] = CS_STAGE_LOST;
    ds->deals.amount[b] = NAN;   /* blank amounts are fine on lost deals */

    ds->plans.floor[0] = 0.1;
    expect_error(ds, NULL, CS_ERR_INPUT, "plans.csv", 0, "tier_floor", "plan \"P\": needs a tier with floor 0");
    ds->plans.floor[0] = 0;
    ds->plans.floor[1] = 0;
    expect_error(ds, NULL, CS_ERR_INPUT, "plans.csv", 0, "tier_floor",
                 "plan \"P\": floors must be distinct and increasing");
    ds->plans.floor[1] = 1;
    ds->plans.rate[1] = -0.1;
    expect_error(ds, NULL, CS_ERR_INPUT, "plans.csv", 0, "rate", "plan \"P\": rate must be >= 0");
    ds->plans.rate[1] = 0.3;
    ds->plans.quota[0] = 0;
    expect_error(ds, NULL, CS_ERR_INPUT, "plans.csv", 0, "quota", "plan \"P\": quota must be > 0");
    ds->plans.quota[0] = 1000;
    ds->plans.tier_count[0] = 0;
    expect_error(ds, NULL, CS_ERR_INPUT, "plans.csv", 0, "tier_floor", "plan \"P\": no tiers");
    ds->plans.tier_count[0] = 2;

    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_int_equal(inc->n_won, 1);
    cs_incentives_free(inc);
    cs_incentives_free(NULL);
    ds_free(ds);
}

/* An empty dataset is not an error. */
static void test_empty(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    struct cs_incentives *inc = compute_ok(ds, &CAL1);
    assert_int_equal(inc->n_won, 0);
    assert_int_equal(inc->rp.n, 0);
    struct cs_reconciliation *rec = NULL;
    assert_int_equal(cs_incentives_reconcile(ds, inc, &rec, NULL), CS_OK);
    assert_int_equal(rec->compared, 0);
    assert_true(isnan(rec->share));
    assert_false(rec->reproduces);
    cs_recon_free(rec);
    cs_recon_free(NULL);
    cs_incentives_free(inc);
    ds_free(ds);
}

/* ======================================================================
 * Reconciliation
 * ==================================================================== */

/*
 * Computed commissions are set by hand in a struct cs_incentives that holds
 * only what the reconciliation reads (n, won, commission).
 */
static void test_reconcile(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0), RATES(0.1));
    uint32_t r = add_rep(ds, "R1", p), r2 = add_rep(ds, "R2", p);
    /*                          computed  paid lines       */
    static const struct { double computed; double paid[2]; int won; } rows[] = {
        {100, {60, 40}, 1},      /* 0: two lines, exact          -> within */
        {50, {50.4, NAN}, 1},    /* 1: 0.8 %                     -> within */
        {50, {51, NAN}, 1},      /* 2: 2 %                       -> out, gap 1 */
        {0, {0, NAN}, 1},        /* 3: 0 vs 0                    -> within */
        {0, {0.004, NAN}, 1},    /* 4: under half a cent         -> within */
        {0, {0.01, NAN}, 1},     /* 5: a cent on nothing         -> out */
        {200, {NAN, NAN}, 1},    /* 6: no line                   -> not compared */
        {NAN, {5, 7}, 0},        /* 7: lost deal with two lines  */
        {1000, {1010, NAN}, 1},  /* 8: exactly 1 %               -> within */
        {1000, {900, NAN}, 1},   /* 9: -100                      -> out, largest gap */
    };
    size_t n = sizeof rows / sizeof rows[0];
    uint8_t won[10];
    double comp[10];
    for (size_t i = 0; i < n; i++) {
        char id[8];
        snprintf(id, sizeof id, "W%zu", i);
        add_deal(ds, id, r, rows[i].won ? CS_STAGE_WON : CS_STAGE_LOST, 100, "2026-01-05", NULL);
        won[i] = (uint8_t)rows[i].won;
        comp[i] = rows[i].computed;
    }
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < n; i++)
            if (!isnan(rows[i].paid[k]))
                add_commission(ds, i == 3 ? r2 : r, (uint32_t)i, rows[i].paid[k]);
    struct cs_incentives inc;
    memset(&inc, 0, sizeof inc);
    inc.n = n;
    inc.won = won;
    inc.commission = comp;

    struct cs_reconciliation *rec = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    assert_int_equal(cs_incentives_reconcile(ds, &inc, &rec, &err), CS_OK);
    assert_int_equal(rec->lines, 11);
    assert_int_equal(rec->lines_not_won, 2);
    assert_int_equal(rec->deals_not_won, 1);
    assert_int_equal(rec->lines_unknown, 0);
    assert_int_equal(rec->lines_rep_mismatch, 1);
    assert_int_equal(rec->compared, 8);
    assert_int_equal(rec->within, 5);
    assert_close(rec->share, 5.0 / 8.0, EXACT);
    assert_false(rec->reproduces);
    assert_close(rec->paid_total, 100 + 50.4 + 51 + 0 + 0.004 + 0.01 + 1010 + 900, EXACT);
    assert_close(rec->computed_total, 2200, EXACT);
    assert_close(rec->paid[0], 100, EXACT);
    assert_close(rec->paid[7], 12, EXACT);
    assert_true(isnan(rec->paid[6]));
    /* Largest |gap| first: 9 (-100), 8 (10), 2 (1), 1 (.4), 5 (.01), 4 (.004), then 0 and 3 (0) by index. */
    static const uint32_t order[] = {9, 8, 2, 1, 5, 4, 0, 3};
    assert_int_equal(rec->n_gaps, 8);
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(rec->gaps[k].deal, order[k]);
    assert_close(rec->gaps[0].gap, -100, EXACT);
    assert_close(rec->gaps[0].paid, 900, EXACT);
    assert_close(rec->gaps[0].computed, 1000, EXACT);
    cs_recon_free(rec);

    /* Wrong incentives for the data. */
    inc.n = 3;
    rec = (struct cs_reconciliation *)&err;
    assert_int_equal(cs_incentives_reconcile(ds, &inc, &rec, &err), CS_ERR_USAGE);
    assert_null(rec);
    ds_free(ds);
}

/* More than ten deals: only the ten largest gaps are kept; 95 % reproduces. */
static void test_reconcile_top10(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t p = add_plan(ds, "P", CS_PERIOD_QUARTER, 1000, TIERS(0), RATES(0.1));
    uint32_t r = add_rep(ds, "R1", p);
    enum { N = 40 };
    uint8_t won[N];
    double comp[N];
    for (size_t i = 0; i < N; i++) {
        char id[8];
        snprintf(id, sizeof id, "W%02zu", i);
        add_deal(ds, id, r, CS_STAGE_WON, 100, "2026-01-05", NULL);
        won[i] = 1;
        comp[i] = 1000;
        /* Deals 0..37 within 1 % (gap i * 0.25), 38 and 39 off by 50 and 40. */
        double paid = i < 38 ? 1000 + 0.25 * (double)i : (i == 38 ? 1050 : 960);
        add_commission(ds, r, (uint32_t)i, paid);
    }
    struct cs_incentives inc;
    memset(&inc, 0, sizeof inc);
    inc.n = N;
    inc.won = won;
    inc.commission = comp;
    struct cs_reconciliation *rec = NULL;
    assert_int_equal(cs_incentives_reconcile(ds, &inc, &rec, NULL), CS_OK);
    assert_int_equal(rec->compared, 40);
    assert_int_equal(rec->within, 38);
    assert_close(rec->share, 0.95, EXACT);
    assert_true(rec->reproduces);
    assert_int_equal(rec->n_gaps, CS_RECON_TOP);
    assert_int_equal(rec->gaps[0].deal, 38);
    assert_int_equal(rec->gaps[1].deal, 39);
    for (size_t k = 2; k < CS_RECON_TOP; k++)
        assert_int_equal(rec->gaps[k].deal, 37 - (k - 2));
    cs_recon_free(rec);
    ds_free(ds);
}

/* ======================================================================
 * Cross-check against the independent R implementation
 * (tests/reference/reference_measures.R on tests/reference/handmade)
 * ==================================================================== */

#ifdef CS_TEST_DIR
#define HANDMADE_DIR CS_TEST_DIR "/reference/handmade"
#else
#define HANDMADE_DIR "tests/reference/handmade"
#endif

/* One row of expected_measures.csv. */
struct expected {
    char deal_id[64];
    char period[16];
    double v[12];   /* attainment_before .. promise_risk, NAN for blank */
};
static const char *const expected_cols[] = {
    "attainment_before", "marginal_rate", "commission", "effective_rate", "tier_cross",
    "gap_to_next_tier", "days_to_period_end", "last_14_days", "spiff", "log_amount",
    "risky_promises", "promise_risk",
};

static size_t read_expected(const char *path, struct expected **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[1024];
    struct expected *rows = NULL;
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line,
        "deal_id,period,attainment_before,marginal_rate,commission,effective_rate,tier_cross,"
        "gap_to_next_tier,days_to_period_end,last_14_days,spiff,log_amount,risky_promises,promise_risk\n");
    while (fgets(line, sizeof line, f)) {
        struct expected e;
        memset(&e, 0, sizeof e);
        char *tok;
        line[strcspn(line, "\r\n")] = '\0';
        /* strsep keeps empty fields (blank gap_to_next_tier). */
        char *p = line;
        size_t k = 0;
        while ((tok = strsep(&p, ",")) != NULL) {
            if (k == 0)
                snprintf(e.deal_id, sizeof e.deal_id, "%s", tok);
            else if (k == 1)
                snprintf(e.period, sizeof e.period, "%s", tok);
            else if (k < 14)
                e.v[k - 2] = *tok ? strtod(tok, NULL) : NAN;
            k++;
        }
        assert_int_equal(k, 14);
        rows = grow(rows, n, sizeof *rows);
        rows[n++] = e;
    }
    fclose(f);
    *out = rows;
    return n;
}

static void test_reference_handmade(void **state)
{
    (void)state;
    struct cs_load_options opt;
    memset(&opt, 0, sizeof opt);
    opt.dir = HANDMADE_DIR;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    if (cs_dataset_load(&opt, &ds, &err) != CS_OK)
        fail_msg("loading %s: %s:%lu: %s", HANDMADE_DIR, err.file, err.line, err.msg);
    assert_int_equal(ds->n_rejects, 0);
    struct cs_incentives *inc = compute_ok(ds, &CAL1);

    /* risky_promises / promise_risk straight from SPEC 6, so this binary
     * does not depend on outcomes.c (test_outcomes covers that module). */
    uint32_t *risky = calloc(ds->deals.n ? ds->deals.n : 1, sizeof *risky);
    assert_non_null(risky);
    for (size_t j = 0; j < ds->promises.n; j++) {
        uint32_t f = ds->promises.feature[j];
        int bad = f == CS_NONE || ds->roadmap.status[f] == CS_RM_EXPLORING ||
                  ds->roadmap.status[f] == CS_RM_NOT_PLANNED ||
                  ((ds->roadmap.status[f] == CS_RM_PLANNED || ds->roadmap.status[f] == CS_RM_COMMITTED) &&
                   ds->promises.due[j] != CS_NO_DATE && ds->roadmap.target[f] != CS_NO_DATE &&
                   ds->promises.due[j] < ds->roadmap.target[f]);
        if (bad && ds->promises.deal[j] < ds->deals.n)
            risky[ds->promises.deal[j]]++;
    }

    struct expected *ex = NULL;
    size_t nex = read_expected(HANDMADE_DIR "/expected_measures.csv", &ex);
    assert_int_equal(nex, inc->n_won);
    size_t checked = 0;
    for (size_t k = 0; k < nex; k++) {
        uint32_t id = cs_strpool_find(ds->str, ex[k].deal_id, strlen(ex[k].deal_id));
        size_t i = 0;
        while (i < ds->deals.n && ds->deals.id[i] != id)
            i++;
        if (id == 0 || i == ds->deals.n || !inc->won[i])
            fail_msg("expected won deal %s not found", ex[k].deal_id);
        char label[16];
        cs_format_period(inc->period[i], label);
        if (strcmp(label, ex[k].period) != 0)
            fail_msg("%s: period %s, expected %s", ex[k].deal_id, label, ex[k].period);
        double got[12] = {
            inc->attainment_before[i], inc->marginal_rate[i], inc->commission[i],
            inc->effective_rate[i], inc->tier_cross[i], inc->gap_to_next_tier[i],
            inc->days_to_period_end[i], inc->last_14_days[i], inc->spiff[i],
            inc->log_amount[i], risky[i], risky[i] > 0,
        };
        for (size_t c = 0; c < 12; c++) {
            double a = got[c], b = ex[k].v[c];
            /* 1e-9 relative, with an absolute floor for values that are 0 in
             * one implementation and a rounding residue in the other. */
            int ok = (isnan(a) && isnan(b)) ||
                     fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) || fabs(a - b) <= 1e-12;
            if (!ok)
                fail_msg("%s %s: %.17g, R says %.17g", ex[k].deal_id, expected_cols[c], a, b);
        }
        checked++;
    }
    assert_int_equal(checked, nex);
    free(ex);
    free(risky);
    cs_incentives_free(inc);
    cs_dataset_free(ds);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_landing_and_cap),
        cmocka_unit_test(test_two_floors),
        cmocka_unit_test(test_tiers_function),
        cmocka_unit_test(test_ties_by_deal_id),
        cmocka_unit_test(test_sort_many),
        cmocka_unit_test(test_two_halves),
        cmocka_unit_test(test_annual_plan),
        cmocka_unit_test(test_fiscal_year_ends),
        cmocka_unit_test(test_quota_override),
        cmocka_unit_test(test_spiff_boundaries),
        cmocka_unit_test(test_whatif_plans),
        cmocka_unit_test(test_recompute_reuses),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_reconcile),
        cmocka_unit_test(test_reconcile_top10),
        cmocka_unit_test(test_reference_handmade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
