/* incentives.c - per-deal tier maths, attainment and commission (SPEC 5), and reconciliation (SPEC 7.9). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/incentives.h"
#include "compsight/plancheck.h"
#include "compsight/mem.h"
#include "compsight/side.h"

/* ======================================================================
 * Tier maths
 * ==================================================================== */

void cs_incentives_tiers(const double *floor, const double *rate, size_t n,
                         double quota, double a0, double a1,
                         double *commission, double *marginal_rate,
                         int8_t *tier_cross, double *gap_to_next_tier)
{
    /* The containing tier is the last whose floor is <= a0, so a0 exactly
     * on a floor belongs to the tier that starts there.  Plans have a
     * handful of tiers: a linear scan beats anything clever. */
    size_t k = 0;
    while (k + 1 < n && floor[k + 1] <= a0)
        k++;
    if (marginal_rate)
        *marginal_rate = n ? rate[k] : NAN;
    if (gap_to_next_tier)
        *gap_to_next_tier = k + 1 < n ? floor[k + 1] - a0 : NAN;
    if (tier_cross) {
        /* floor[k + 1] is the smallest floor > a0; a crossing needs f <= a1. */
        *tier_cross = (int8_t)(k + 1 < n && floor[k + 1] > 0 && floor[k + 1] <= a1);
    }
    if (commission) {
        /* Q * sum_k rate_k * |[a0, a1] ∩ [floor_k, floor_k+1)|, summed in
         * floor order and multiplied by Q last, as SPEC 5 writes it. */
        double acc = 0.0;
        for (size_t j = 0; j < n; j++) {
            double lo = floor[j] > a0 ? floor[j] : a0;
            double hi = a1;
            if (j + 1 < n && floor[j + 1] < hi)
                hi = floor[j + 1];
            if (hi > lo)
                acc += rate[j] * (hi - lo);
        }
        *commission = quota * acc;
    }
}

/* True when no floor lies strictly inside (a0, a1): the deal is paid at
 * one rate.  A deal ending exactly on a floor is still within one tier
 * (its overlap with the next is empty). */
static bool within_one_tier(const double *floor, size_t n, double a0, double a1)
{
    for (size_t j = 0; j < n; j++)
        if (floor[j] > a0 && floor[j] < a1)
            return false;
    return true;
}

bool cs_incentives_deal(const double *floor, const double *rate, size_t n, double quota,
                        double a0, double amount, double *commission, double *marginal_rate,
                        int8_t *tier_cross, double *gap_to_next_tier)
{
    double a1 = a0 + amount / quota;
    cs_incentives_tiers(floor, rate, n, quota, a0, a1, commission, marginal_rate, tier_cross,
                        gap_to_next_tier);
    if (!within_one_tier(floor, n, a0, a1))
        return false;
    /* The whole deal pays one rate: the exact value, which the rounding of
     * Q * rate * (a1 - a0) would scatter over a dozen effective rates. */
    *commission = *marginal_rate * amount;
    return true;
}

/* ======================================================================
 * Checks of the inputs (the importer guarantees these; this is a guard,
 * and what-if plans may come from elsewhere)
 * ==================================================================== */

/* An id of ds quoted for a message (cs_quote_bytes: escaped, cut if long). */
static const char *quoted_id(const struct cs_dataset *ds, uint32_t id, char *buf, size_t n)
{
    if (!ds->str)
        return cs_quote_bytes(buf, n, "", 0);
    return cs_quote_bytes(buf, n, cs_strpool_get(ds->str, id), cs_strpool_len(ds->str, id));
}

/* The one plan validator (plancheck.h), worded as this guard always was.
 * Named by the data's plan id: an alternative's ids may live in another
 * pool, and plan p is the same plan in both. */
static enum cs_status check_plans(const struct cs_dataset *ds, const struct cs_plans *plans,
                                  struct cs_error *err)
{
    struct cs_plan_fault f = cs_plans_check(plans);
    if (f.rule == CS_PLAN_OK)
        return CS_OK;
    return cs_plan_fault_error(&f, CS_PLAN_STYLE_INCENTIVES,
                               ds->str ? cs_ds_str(ds, ds->plans.id[f.plan]) : "", err);
}

static enum cs_status check_won_deal(const struct cs_dataset *ds, const struct cs_plans *plans,
                                     size_t i, struct cs_error *err)
{
    const struct cs_deals *d = &ds->deals;
    unsigned long line = d->line ? d->line[i] : 0;
    char q[128];
    const char *did = quoted_id(ds, d->id[i], q, sizeof q);
    if (d->rep[i] >= ds->reps.n)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", line, "rep_id",
                            "won deal %s has no known rep", did);
    uint32_t p = ds->reps.plan[d->rep[i]];
    if (p == CS_NONE || p >= plans->n)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", line, "rep_id",
                            "won deal %s: its rep has no plan", did);
    if (d->close[i] == CS_NO_DATE)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", line, "close_date",
                            "won deal %s has no close date", did);
    if (!(d->amount[i] > 0) || !isfinite(d->amount[i]))
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", line, "amount",
                            "won deal %s needs an amount > 0", did);
    return CS_OK;
}

/* ======================================================================
 * Period codes by day
 * ==================================================================== */

/*
 * Every deal needs the quarter code of its close date and every won deal
 * the code of its plan period.  The close dates of an export span a few
 * years, so a table over [lo, hi] turns the calendar arithmetic into a
 * load; a span wider than DAY_TABLE_MAX days (a stray date in 1900 next to
 * one in 2100) falls back to computing.  A year code is the quarter code
 * with its last digit zeroed.
 */
#define DAY_TABLE_MAX 65536    /* about 180 years */

struct day_codes {
    const struct cs_calendar *cal;
    int32_t lo;
    size_t n;                  /* 0: no table */
    int32_t *quarter;
};

static int day_codes_init(struct day_codes *t, const struct cs_calendar *cal,
                          int32_t lo, int32_t hi)
{
    t->cal = cal;
    t->lo = lo;
    t->n = 0;
    t->quarter = NULL;
    if (lo > hi || (int64_t)hi - lo >= DAY_TABLE_MAX)
        return 0;
    size_t n = (size_t)((int64_t)hi - lo) + 1;
    if (!(t->quarter = malloc(n * sizeof *t->quarter)))
        return -1;
    for (size_t k = 0; k < n; k++)
        t->quarter[k] = cs_cal_quarter_code(cal, lo + (int32_t)k);
    t->n = n;
    return 0;
}

static int32_t day_quarter(const struct day_codes *t, int32_t day)
{
    if (day == CS_NO_DATE)
        return CS_NO_PERIOD;
    uint64_t k = (uint64_t)((int64_t)day - t->lo);
    return k < t->n ? t->quarter[k] : cs_cal_quarter_code(t->cal, day);
}

static int32_t day_period(const struct day_codes *t, uint8_t type, int32_t day)
{
    int32_t q = day_quarter(t, day);
    return type == CS_PERIOD_YEAR && q != CS_NO_PERIOD ? q / 10 * 10 : q;
}

/* ======================================================================
 * Ordering of the won deals
 * ==================================================================== */

/*
 * Won deals are bucketed by rep with a counting sort (O(n), no compares),
 * then each rep's bucket is merge-sorted by (close, deal_id bytes).  A rep
 * has one plan and a period is a contiguous range of days, so sorting by
 * close also groups the rep's deals by plan period.  The key is small and
 * carries the amount, so the attainment pass reads only the keys; the id
 * bytes are looked up only on a close-date tie.
 */
struct sort_key {
    int32_t close;
    uint32_t deal;
    double amount;
};

/* Byte order of two deals' ids; a proper prefix first; equal ids by row. */
static int id_cmp(const struct cs_dataset *ds, uint32_t x, uint32_t y)
{
    if (ds->str) {
        uint32_t ix = ds->deals.id[x], iy = ds->deals.id[y];
        size_t lx = cs_strpool_len(ds->str, ix), ly = cs_strpool_len(ds->str, iy);
        int c = memcmp(cs_strpool_get(ds->str, ix), cs_strpool_get(ds->str, iy),
                       lx < ly ? lx : ly);
        if (c)
            return c;
        if (lx != ly)
            return lx < ly ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

static int key_before(const struct sort_key *a, const struct sort_key *b,
                      const struct cs_dataset *ds)
{
    if (a->close != b->close)
        return a->close < b->close;
    return id_cmp(ds, a->deal, b->deal) < 0;
}

/* Stable merge sort of k[0..n) with tmp of at least n / 2 keys; insertion
 * sort below 16 (own code rather than qsort: the comparator needs ds). */
static void sort_run(struct sort_key *k, size_t n, struct sort_key *tmp,
                     const struct cs_dataset *ds)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            struct sort_key t = k[i];
            size_t j = i;
            while (j > 0 && key_before(&t, &k[j - 1], ds)) {
                k[j] = k[j - 1];
                j--;
            }
            k[j] = t;
        }
        return;
    }
    size_t h = n / 2;
    sort_run(k, h, tmp, ds);
    sort_run(k + h, n - h, tmp, ds);
    if (!key_before(&k[h], &k[h - 1], ds))
        return;                                  /* already in order */
    memcpy(tmp, k, h * sizeof *k);
    /* Merge tmp[0..h) and k[h..n) into k: the write index never passes j. */
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        k[o++] = key_before(&k[j], &tmp[i], ds) ? k[j++] : tmp[i++];
    while (i < h)
        k[o++] = tmp[i++];
}

/* ======================================================================
 * Lookup tables: quota overrides by (rep, period), spiffs by product
 * ==================================================================== */

struct quota_key {
    uint32_t rep;
    int32_t period;
    uint32_t row;
};

static int cmp_quota(const void *pa, const void *pb)
{
    const struct quota_key *a = pa, *b = pb;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The override for (rep, period) from the first matching row in file order
 * (the importer keeps the first and rejects repeats), or NAN. */
static double find_quota(const struct cs_quotas *q, const struct quota_key *keys, size_t n,
                         uint32_t rep, int32_t period)
{
    size_t lo = 0, hi = n;            /* lower bound of (rep, period) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].rep < rep || (keys[mid].rep == rep && keys[mid].period < period))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || keys[lo].rep != rep || keys[lo].period != period)
        return NAN;
    return q->quota[keys[lo].row];
}

/*
 * Spiffs sorted by (product, start), each carrying the latest end of its
 * product's spiffs up to it: the spiffs that started by a day are a prefix
 * of the product's run, and one of them covers the day exactly when the
 * latest end among them is on or after it.  One binary search per deal,
 * however many (overlapping) spiffs a product has.
 */
struct spiff_key {
    uint32_t product;
    int32_t start, end;
    int32_t max_end;
};

static int cmp_spiff(const void *pa, const void *pb)
{
    const struct spiff_key *a = pa, *b = pb;
    if (a->product != b->product)
        return a->product < b->product ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

static void spiff_index(struct spiff_key *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_spiff);
    for (size_t j = 0; j < n; j++) {
        keys[j].max_end = keys[j].end;
        if (j > 0 && keys[j - 1].product == keys[j].product && keys[j - 1].max_end > keys[j].end)
            keys[j].max_end = keys[j - 1].max_end;
    }
}

/* 1 when some spiff of product covers day (start and end inclusive). */
static int8_t find_spiff(const struct spiff_key *keys, size_t n, uint32_t product, int32_t day)
{
    if (product == 0 || day == CS_NO_DATE)
        return 0;
    size_t lo = 0, hi = n;            /* first key after (product, day) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].product < product ||
            (keys[mid].product == product && keys[mid].start <= day))
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int8_t)(lo > 0 && keys[lo - 1].product == product && keys[lo - 1].max_end >= day);
}

/* ======================================================================
 * cs_incentives_compute
 * ==================================================================== */

void cs_incentives_free(struct cs_incentives *inc)
{
    if (!inc)
        return;
    free(inc->won);
    free(inc->period);
    free(inc->quarter);
    free(inc->period_days);
    free(inc->day_of_period);
    free(inc->rep_period);
    free(inc->attainment_before);
    free(inc->marginal_rate);
    free(inc->commission);
    free(inc->effective_rate);
    free(inc->tier_cross);
    free(inc->gap_to_next_tier);
    free(inc->days_to_period_end);
    free(inc->last_14_days);
    free(inc->spiff);
    free(inc->log_amount);
    free(inc->rp.rep);
    free(inc->rp.plan);
    free(inc->rp.period);
    free(inc->rp.quota);
    free(inc->rp.amount);
    free(inc->rp.attainment);
    free(inc->rp.n_deals);
    free(inc);
}

/*
 * Give inc the per-deal arrays of a full table (lean false) or of a
 * what-if's (lean true: what the attainment pass writes), allocating
 * those missing and freeing the others.  0, or -1 on OOM.
 */
static int shape_deal_arrays(struct cs_incentives *inc, size_t n, bool lean)
{
    bool ok = true;
#define KEEP(f) (ok = ok && (inc->f || (inc->f = cs_malloc_big(n, sizeof *inc->f)) != NULL))
#define FULL(f) do { if (!lean) KEEP(f); else { free(inc->f); inc->f = NULL; } } while (0)
    KEEP(won);
    KEEP(rep_period);
    KEEP(attainment_before);
    FULL(marginal_rate);
    FULL(commission);
    FULL(tier_cross);
    FULL(last_14_days);
    FULL(period);
    FULL(quarter);
    FULL(period_days);
    FULL(day_of_period);
    FULL(effective_rate);
    FULL(gap_to_next_tier);
    FULL(days_to_period_end);
    FULL(spiff);
    FULL(log_amount);
#undef FULL
#undef KEEP
    return ok ? 0 : -1;
}

static int alloc_rp_arrays(struct cs_rep_periods *rp, size_t n)
{
#define A(f) ((rp->f = cs_malloc_big(n, sizeof *rp->f)) != NULL)
    return A(rep) && A(plan) && A(period) && A(quota) && A(amount) && A(attainment) &&
           A(n_deals);
#undef A
}

/* Sentinels of a deal that is not won (won and quarter are set elsewhere). */
static void set_not_won(struct cs_incentives *inc, size_t i)
{
    inc->rep_period[i] = CS_NONE;
    inc->attainment_before[i] = NAN;
    inc->marginal_rate[i] = NAN;
    inc->commission[i] = NAN;
    inc->tier_cross[i] = -1;
    inc->last_14_days[i] = -1;
    inc->period[i] = CS_NO_PERIOD;
    inc->period_days[i] = -1;
    inc->day_of_period[i] = -1;
    inc->effective_rate[i] = NAN;
    inc->gap_to_next_tier[i] = NAN;
    inc->days_to_period_end[i] = -1;
    inc->spiff[i] = -1;
    inc->log_amount[i] = NAN;
}

/*
 * The passes are arranged for memory, not for the reader's convenience:
 * with a million deals every random access to a per-deal array is a cache
 * miss, so only the attainment pass runs in sorted order (reading the
 * compact keys, writing two arrays); everything else runs in deal order
 * and streams through the arrays.
 */
static enum cs_status compute(const struct cs_dataset *ds, const struct cs_plans *plans,
                              const struct cs_calendar *cal, const bool *only_plans,
                              struct cs_incentives *reuse, struct cs_incentives **out,
                              struct cs_error *err);

enum cs_status cs_incentives_compute(const struct cs_dataset *ds,
                                     const struct cs_plans *plans,
                                     const struct cs_calendar *cal,
                                     struct cs_incentives **out,
                                     struct cs_error *err)
{
    return compute(ds, plans, cal, NULL, NULL, out, err);
}

enum cs_status cs_incentives_recompute(const struct cs_dataset *ds,
                                       const struct cs_plans *plans,
                                       const struct cs_calendar *cal,
                                       const bool *only_plans,
                                       struct cs_incentives **inout,
                                       struct cs_error *err)
{
    struct cs_incentives *reuse = *inout;
    *inout = NULL;
    if (reuse && reuse->n != ds->deals.n) {
        cs_incentives_free(reuse);
        reuse = NULL;
    }
    if (reuse) {
        /* every per-deal element is written again below; the rep-periods
         * are counted afresh */
        struct cs_rep_periods *rp = &reuse->rp;
        free(rp->rep);
        free(rp->plan);
        free(rp->period);
        free(rp->quota);
        free(rp->amount);
        free(rp->attainment);
        free(rp->n_deals);
        memset(rp, 0, sizeof *rp);
        reuse->n_won = 0;
    }
    return compute(ds, plans, cal, only_plans, reuse, inout, err);
}

/* Is deal i on one of the plans computed (all of them when only_plans is NULL)? */
static bool on_plans(const struct cs_dataset *ds, const bool *only_plans, size_t i)
{
    return !only_plans || only_plans[ds->reps.plan[ds->deals.rep[i]]];
}

/* Deals from which pass 4 runs on two threads. */
#define PASS4_SPLIT 65536

/* What pass 4 reads and writes, for deals begin..end. */
struct pass4 {
    const struct cs_dataset *ds;
    const struct cs_plans *plans;
    struct cs_incentives *inc;
    const int32_t *rp_first, *rp_last;
    const struct spiff_key *skeys;
    size_t ns;
    size_t begin, end;
};

/* Pass 4 of compute for deals a->begin..a->end: every measure passes 1-3 left. */
static void *pass4_main(void *arg)
{
    const struct pass4 *a = arg;
    const struct cs_dataset *ds = a->ds;
    const struct cs_plans *plans = a->plans;
    const struct cs_deals *d = &ds->deals;
    struct cs_incentives *inc = a->inc;
    for (size_t i = a->begin; i < a->end; i++) {
        if (!inc->won[i]) {
            set_not_won(inc, i);
            continue;
        }
        uint32_t rp = inc->rep_period[i], p = inc->rp.plan[rp];
        double amount = d->amount[i];
        int32_t close = d->close[i], first = a->rp_first[rp], last = a->rp_last[rp];
        inc->period[i] = inc->rp.period[rp];
        bool one_rate = cs_incentives_deal(plans->floor + plans->tier_first[p],
                                           plans->rate + plans->tier_first[p],
                                           plans->tier_count[p], inc->rp.quota[rp],
                                           inc->attainment_before[i], amount,
                                           &inc->commission[i], &inc->marginal_rate[i],
                                           &inc->tier_cross[i], &inc->gap_to_next_tier[i]);
        inc->effective_rate[i] = one_rate ? inc->marginal_rate[i] : inc->commission[i] / amount;
        inc->period_days[i] = last - first + 1;
        inc->day_of_period[i] = close - first;
        inc->days_to_period_end[i] = last - close;
        inc->last_14_days[i] = (int8_t)(last - close < 14);
        inc->spiff[i] = find_spiff(a->skeys, a->ns, d->product[i], close);
        inc->log_amount[i] = log(amount);
    }
    return NULL;
}

/*
 * What one compute works with besides the table it fills: the won deals'
 * keys bucketed by rep, the lookup tables, the first and last day of each
 * rep-period.  Everything starts NULL and compute_done frees it.
 */
struct compute {
    const struct cs_dataset *ds;
    const struct cs_plans *plans;
    const struct cs_calendar *cal;
    const bool *only_plans;
    struct cs_incentives *inc;     /* the table being filled (owned until handed out) */
    size_t *bucket;                /* rep -> start, then end, of its keys */
    struct sort_key *keys, *tmp;
    size_t nrp;                    /* rep-periods */
    struct quota_key *qkeys;
    size_t nq;
    struct spiff_key *skeys;
    size_t ns;
    int32_t *rp_first, *rp_last;   /* per rep-period */
    struct day_codes days;
};

static void compute_done(struct compute *c)
{
    cs_incentives_free(c->inc);
    free(c->bucket);
    free(c->keys);
    free(c->tmp);
    free(c->qkeys);
    free(c->skeys);
    free(c->rp_first);
    free(c->rp_last);
    free(c->days.quarter);
}

static enum cs_status compute_nomem(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory computing incentives");
}

/* The alternative has the data's plans, and every plan follows the rules of plans.csv. */
static enum cs_status check_inputs(const struct compute *c, struct cs_error *err)
{
    if (c->plans->n != c->ds->plans.n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "alternative plans: %zu plans where the data has %zu",
                            c->plans->n, c->ds->plans.n);
    return check_plans(c->ds, c->plans, err);
}

/* The table to fill: the one to reuse, or a new one, with its per-deal arrays. */
static int new_table(struct compute *c)
{
    if (!c->inc && !(c->inc = calloc(1, sizeof *c->inc)))
        return -1;
    if (shape_deal_arrays(c->inc, c->ds->deals.n, c->only_plans != NULL) != 0)
        return -1;
    c->inc->n = c->ds->deals.n;
    return 0;
}

/* Pass 1 (deal order): checks, won deals per rep, span of close dates. */
static enum cs_status pass_won(struct compute *c, struct cs_error *err)
{
    const struct cs_dataset *ds = c->ds;
    const struct cs_deals *d = &ds->deals;
    const size_t n = d->n, nreps = ds->reps.n;
    const bool *only_plans = c->only_plans;
    struct cs_incentives *inc = c->inc;
    enum cs_status st;
    size_t *bucket = c->bucket = calloc(nreps + 1, sizeof *bucket);
    if (!bucket)
        return compute_nomem(err);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        int32_t close = d->close[i];
        if (close != CS_NO_DATE) {
            lo = close < lo ? close : lo;
            hi = close > hi ? close : hi;
        }
        inc->won[i] = d->stage[i] == CS_STAGE_WON &&
                      on_plans(ds, only_plans, i);
        if (!inc->won[i])
            continue;
        if ((st = check_won_deal(ds, c->plans, i, err)) != CS_OK)
            return st;
        inc->n_won++;
        bucket[d->rep[i] + 1]++;
    }
    for (size_t r = 0; r < nreps; r++)
        bucket[r + 1] += bucket[r];
    if (day_codes_init(&c->days, c->cal, lo, hi) != 0)
        return compute_nomem(err);
    return CS_OK;
}

/* Pass 2 (deal order): quarters, and the keys placed by rep.  Afterwards
 * bucket[r] is the end of rep r's run, which is where r + 1's starts. */
static int pass_keys(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    const struct cs_deals *d = &ds->deals;
    const bool *only_plans = c->only_plans;
    const struct day_codes days = c->days;
    struct cs_incentives *inc = c->inc;
    size_t *bucket = c->bucket;
    struct sort_key *keys = c->keys = cs_malloc_big(inc->n_won, sizeof *keys);
    if (!keys)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        if (inc->quarter && on_plans(ds, only_plans, i))
            inc->quarter[i] = day_quarter(&days, d->close[i]);
        if (inc->won[i])
            keys[bucket[d->rep[i]]++] = (struct sort_key){d->close[i], (uint32_t)i, d->amount[i]};
    }
    return 0;
}

/* Sort each rep's run and count the rep-periods; room for the rep-period table. */
static int sort_runs(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    const size_t nreps = ds->reps.n;
    const size_t *bucket = c->bucket;
    const struct day_codes days = c->days;
    struct sort_key *keys = c->keys;
    size_t longest = 0, nrp = 0;
    for (size_t r = 0; r < nreps; r++) {
        size_t len = bucket[r] - (r ? bucket[r - 1] : 0);
        longest = len > longest ? len : longest;
    }
    if (!(c->tmp = cs_malloc_big(longest / 2 + 1, sizeof *c->tmp)))
        return -1;
    for (size_t r = 0; r < nreps; r++) {
        size_t b = r ? bucket[r - 1] : 0, e = bucket[r];
        if (b == e)
            continue;
        sort_run(keys + b, e - b, c->tmp, ds);
        uint8_t type = c->plans->period_type[ds->reps.plan[r]];
        for (size_t j = b; j < e; j++)
            if (j == b || day_period(&days, type, keys[j].close) !=
                          day_period(&days, type, keys[j - 1].close))
                nrp++;
    }
    c->nrp = nrp;
    if (!alloc_rp_arrays(&c->inc->rp, nrp) || !(c->rp_first = cs_malloc_big(nrp, sizeof *c->rp_first)) ||
        !(c->rp_last = cs_malloc_big(nrp, sizeof *c->rp_last)))
        return -1;
    return 0;
}

/* Lookup tables: quota overrides by (rep, period), spiffs by product. */
static int lookup_tables(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    struct quota_key *qkeys = c->qkeys = cs_malloc_big(ds->quotas.n, sizeof *qkeys);
    struct spiff_key *skeys = c->skeys = cs_malloc_big(ds->spiffs.n, sizeof *skeys);
    if (!qkeys || !skeys)
        return -1;
    size_t nq = 0, ns = 0;
    for (size_t j = 0; j < ds->quotas.n; j++) {
        /* A non-positive override cannot be a quota (importer guard): skip it. */
        if (!(ds->quotas.quota[j] > 0) || !isfinite(ds->quotas.quota[j]))
            continue;
        qkeys[nq].rep = ds->quotas.rep[j];
        qkeys[nq].period = ds->quotas.period[j];
        qkeys[nq].row = (uint32_t)j;
        nq++;
    }
    qsort(qkeys, nq, sizeof *qkeys, cmp_quota);
    for (size_t j = 0; j < ds->spiffs.n; j++) {
        if (ds->spiffs.start[j] == CS_NO_DATE || ds->spiffs.end[j] == CS_NO_DATE)
            continue;
        skeys[ns].product = ds->spiffs.product[j];
        skeys[ns].start = ds->spiffs.start[j];
        skeys[ns].end = ds->spiffs.end[j];
        ns++;
    }
    spiff_index(skeys, ns);
    c->nq = nq;
    c->ns = ns;
    return 0;
}

/* Pass 3 (sorted order): attainment before each deal, rep-period table.
 * a0 = (plain double sum of the earlier amounts) / Q, as SPEC 5 says. */
static void pass_attainment(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    const struct cs_plans *plans = c->plans;
    const size_t nreps = ds->reps.n;
    const size_t *bucket = c->bucket;
    const struct sort_key *keys = c->keys;
    const struct quota_key *qkeys = c->qkeys;
    const size_t nq = c->nq;
    const struct day_codes days = c->days;
    int32_t *rp_first = c->rp_first, *rp_last = c->rp_last;
    struct cs_incentives *inc = c->inc;
    size_t g = 0;
    for (size_t r = 0; r < nreps; r++) {
        size_t j = r ? bucket[r - 1] : 0, e = bucket[r];
        if (j == e)
            continue;
        uint32_t p = ds->reps.plan[r];
        uint8_t type = plans->period_type[p];
        while (j < e) {
            int32_t code = day_period(&days, type, keys[j].close);
            double q = find_quota(&ds->quotas, qkeys, nq, (uint32_t)r, code);
            if (isnan(q))
                q = plans->quota[p];
            double sum = 0.0;
            uint32_t cnt = 0;
            for (; j < e && day_period(&days, type, keys[j].close) == code; j++) {
                uint32_t i = keys[j].deal;
                inc->attainment_before[i] = sum / q;
                inc->rep_period[i] = (uint32_t)g;
                sum += keys[j].amount;
                cnt++;
            }
            inc->rp.rep[g] = (uint32_t)r;
            inc->rp.plan[g] = p;
            inc->rp.period[g] = code;
            inc->rp.quota[g] = q;
            inc->rp.amount[g] = sum;
            inc->rp.attainment[g] = sum / q;
            inc->rp.n_deals[g] = cnt;
            rp_first[g] = cs_cal_period_first_day(c->cal, code);
            rp_last[g] = cs_cal_period_last_day(c->cal, code);
            g++;
        }
    }
    inc->rp.n = g;
}

/* Pass 4 (deal order): every other measure, the deals split in two
 * halves, one on each core.  Most of this pass's time is the kernel
 * handing out fresh pages for the fifteen arrays it writes first, and two
 * threads take those faults side by side. */
static void pass_measures(const struct compute *c)
{
    const size_t n = c->ds->deals.n;
    struct pass4 half[2];
    for (int h = 0; h < 2; h++)
        half[h] = (struct pass4){c->ds, c->plans, c->inc, c->rp_first, c->rp_last, c->skeys, c->ns,
                                 h ? n / 2 : 0, h ? n : n / 2};
    struct side_job other;
    if (n >= PASS4_SPLIT) {
        side_start(&other, pass4_main, &half[1]);
        pass4_main(&half[0]);
        side_join(&other);
    } else {
        half[0].end = n;
        pass4_main(&half[0]);
    }
}

static enum cs_status compute(const struct cs_dataset *ds, const struct cs_plans *plans,
                              const struct cs_calendar *cal, const bool *only_plans,
                              struct cs_incentives *reuse, struct cs_incentives **out,
                              struct cs_error *err)
{
    /* reuse is freed on failure like a new table */
    struct compute c = {.ds = ds, .plans = plans ? plans : &ds->plans, .cal = cal,
                        .only_plans = only_plans, .inc = reuse, .days = {cal, 0, 0, NULL}};
    enum cs_status st;
    *out = NULL;
    if ((st = check_inputs(&c, err)) != CS_OK)
        goto out;
    if (new_table(&c) != 0) {
        st = compute_nomem(err);
        goto out;
    }
    if ((st = pass_won(&c, err)) != CS_OK)
        goto out;
    if (pass_keys(&c) != 0 || sort_runs(&c) != 0 || lookup_tables(&c) != 0) {
        st = compute_nomem(err);
        goto out;
    }
    pass_attainment(&c);
    /* A what-if's table stops before pass 4: the what-if does the tier
     * maths for its own deals. */
    if (!only_plans)
        pass_measures(&c);
    *out = c.inc;
    c.inc = NULL;
out:
    compute_done(&c);
    return st;
}

/* ======================================================================
 * Reconciliation (SPEC 7.9)
 * ==================================================================== */

void cs_recon_free(struct cs_reconciliation *rec)
{
    if (!rec)
        return;
    free(rec->paid);
    free(rec);
}

/* Ordering of the largest gaps: larger |gap| first (NaN largest), then deal index. */
static int gap_before(const struct cs_recon_gap *a, const struct cs_recon_gap *b)
{
    double x = isnan(a->gap) ? INFINITY : fabs(a->gap);
    double y = isnan(b->gap) ? INFINITY : fabs(b->gap);
    if (x != y)
        return x > y;
    return a->deal < b->deal;
}

static void keep_top(struct cs_reconciliation *rec, struct cs_recon_gap g)
{
    size_t k = rec->n_gaps;
    if (k == CS_RECON_TOP) {
        if (!gap_before(&g, &rec->gaps[k - 1]))
            return;
        k--;                       /* the last one drops out */
    } else {
        rec->n_gaps++;
    }
    while (k > 0 && gap_before(&g, &rec->gaps[k - 1])) {
        rec->gaps[k] = rec->gaps[k - 1];
        k--;
    }
    rec->gaps[k] = g;
}

enum cs_status cs_incentives_reconcile(const struct cs_dataset *ds,
                                       const struct cs_incentives *inc,
                                       struct cs_reconciliation **out,
                                       struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_reconciliation *rec = NULL;
    uint8_t *seen = NULL;              /* 1: has a line */
    const struct cs_commissions *c = &ds->commissions;
    const size_t n = ds->deals.n;

    *out = NULL;
    if (inc->n != n) {
        st = cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                          "incentives were computed for %zu deals, the data has %zu",
                          inc->n, n);
        goto out;
    }
    rec = calloc(1, sizeof *rec);
    seen = calloc(n ? n : 1, 1);
    if (!rec || !seen || !(rec->paid = cs_malloc_big(n, sizeof *rec->paid)))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        rec->paid[i] = NAN;

    for (size_t j = 0; j < c->n; j++) {
        uint32_t di = c->deal[j];
        rec->lines++;
        if (di >= n) {
            rec->lines_unknown++;
            continue;
        }
        if (c->rep[j] != ds->deals.rep[di])
            rec->lines_rep_mismatch++;
        rec->paid[di] = seen[di] ? rec->paid[di] + c->commission[j] : c->commission[j];
        if (!inc->won[di]) {
            rec->lines_not_won++;
            if (!seen[di])
                rec->deals_not_won++;
        }
        seen[di] = 1;
    }

    for (size_t i = 0; i < n; i++) {
        if (!seen[i] || !inc->won[i])
            continue;
        double paid = rec->paid[i], comp = inc->commission[i];
        double gap = paid - comp;
        double scale = fabs(comp) > CS_RECON_TINY ? fabs(comp) : CS_RECON_TINY;
        rec->compared++;
        if (fabs(gap) <= CS_RECON_REL_TOL * scale)   /* false for NaN */
            rec->within++;
        rec->paid_total += paid;
        rec->computed_total += comp;
        keep_top(rec, (struct cs_recon_gap){(uint32_t)i, paid, comp, gap});
    }
    rec->share = rec->compared ? (double)rec->within / (double)rec->compared : NAN;
    rec->reproduces = rec->compared > 0 && rec->share >= CS_RECON_REPRODUCE_SHARE;

    *out = rec;
    rec = NULL;
    goto out;

nomem:
    st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory reconciling commissions");
out:
    cs_recon_free(rec);
    free(seen);
    return st;
}
