/* incentives.c - per-deal tier maths, attainment and commission (SPEC 5, over SPEC 13's credit rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "credit_rows.h"
#include "compsight/incentives.h"
#include "compsight/plancheck.h"
#include "compsight/mem.h"
#include "compsight/side.h"

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

/* plan: the plan of the deal's own credit row (CS_NONE: none holds one). */
static enum cs_status check_won_deal(const struct cs_dataset *ds, const struct cs_plans *plans,
                                     size_t i, uint32_t plan, struct cs_error *err)
{
    const struct cs_deals *d = &ds->deals;
    unsigned long line = d->line ? d->line[i] : 0;
    char q[128];
    const char *did = quoted_id(ds, d->id[i], q, sizeof q);
    if (d->rep[i] >= ds->reps.n)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", line, "rep_id",
                            "won deal %s has no known rep", did);
    if (plan == CS_NONE || plan >= plans->n)
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
 * Credit rows (SPEC 13: a won deal's own, and a split deal's others) are
 * bucketed by rep with a counting sort (O(n), no compares), then each
 * rep's bucket is merge-sorted by (close, deal_id bytes).  A rep with one
 * plan has its periods as contiguous ranges of days, so sorting by close
 * also groups its rows by plan period; the rare rep whose rows hold
 * several plans (assignments.csv) is regrouped by (period, plan), keeping
 * that order within each group.  The key is small and carries the
 * credited amount, so the attainment pass reads only the keys; the id
 * bytes are looked up only on a close-date tie.
 */
struct sort_key {
    int32_t close;
    uint32_t deal;
    double amount;           /* credited: share x amount x fraction */
    uint32_t plan;
    uint32_t xrow;           /* its row of inc->split, CS_NONE for a deal not split */
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
    uint32_t plan;           /* quotas.csv's plan_id, else the plan held at the period's end */
    int32_t period;
    uint32_t row;
};

static int cmp_quota(const void *pa, const void *pb)
{
    const struct quota_key *a = pa, *b = pb;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    if (a->plan != b->plan)
        return a->plan < b->plan ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The override for (rep, plan, period) from the first matching row in file
 * order (the importer keeps the first and rejects repeats), or NAN. */
static double find_quota(const struct cs_quotas *q, const struct quota_key *keys, size_t n,
                         uint32_t rep, uint32_t plan, int32_t period)
{
    size_t lo = 0, hi = n;            /* lower bound of (rep, plan, period) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct quota_key *k = &keys[mid];
        if (k->rep < rep || (k->rep == rep && (k->plan < plan ||
                                                (k->plan == plan && k->period < period))))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || keys[lo].rep != rep || keys[lo].plan != plan || keys[lo].period != period)
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
    credit_rows_free(&inc->split);
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
        credit_rows_free(&reuse->split);
        reuse->n_won = 0;
    }
    return compute(ds, plans, cal, only_plans, reuse, inout, err);
}

/* Is plan p one of the plans computed (all of them when only_plans is NULL)? */
static bool on_plan(const bool *only_plans, uint32_t p)
{
    return !only_plans || only_plans[p];
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
    const struct cs_credit_rows *cr = &inc->split;
    size_t x = credit_rows_lower(cr, a->begin);
    for (size_t i = a->begin; i < a->end; i++) {
        if (!inc->won[i]) {
            set_not_won(inc, i);
            continue;
        }
        uint32_t rp = inc->rep_period[i], p = inc->rp.plan[rp];
        double amount = d->amount[i], share = 1.0;
        while (x < cr->n && cr->deal[x] < i)
            x++;
        for (size_t k = x; k < cr->n && cr->deal[k] == i; k++)
            if (cr->own[k])
                share = cr->share[k];
        double fraction = cs_plan_credit(ds, plans, p, d->type[i]);
        int32_t close = d->close[i], first = a->rp_first[rp], last = a->rp_last[rp];
        inc->period[i] = inc->rp.period[rp];
        bool one_rate = cs_incentives_deal(plans->floor + plans->tier_first[p],
                                           plans->rate + plans->tier_first[p],
                                           plans->tier_count[p], inc->rp.quota[rp],
                                           inc->attainment_before[i], share * amount * fraction,
                                           &inc->commission[i], &inc->marginal_rate[i],
                                           &inc->tier_cross[i], &inc->gap_to_next_tier[i]);
        /* SPEC 13: rate x credit fraction exactly for a row paid at one rate */
        inc->effective_rate[i] = one_rate ? inc->marginal_rate[i] * fraction
                                          : inc->commission[i] / (share * amount);
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
    size_t nkeys;                  /* credit rows computed */
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

/* The table to fill: the one to reuse, or a new one, with its per-deal
 * arrays and the credit rows of the split deals. */
static int new_table(struct compute *c)
{
    if (!c->inc && !(c->inc = calloc(1, sizeof *c->inc)))
        return -1;
    if (shape_deal_arrays(c->inc, c->ds->deals.n, c->only_plans != NULL) != 0)
        return -1;
    c->inc->n = c->ds->deals.n;
    return credit_rows_build(c->ds, c->plans, &c->inc->split);
}

/* One credit row of a won deal (SPEC 13). */
struct credit_one {
    uint32_t rep, plan;      /* plan CS_NONE: the rep holds none on the close date */
    uint32_t xrow;           /* its row of inc->split, CS_NONE for a deal not split */
    bool own;
    double credited;         /* share x amount x fraction */
};

/*
 * The credit rows of won deal i: rows [*b, *e) of inc->split, or, for a
 * deal not split (*b == *e), its owner's.  *x is a cursor into inc->split
 * that only moves forward (deals come in order).
 */
static void split_range(const struct compute *c, size_t i, size_t *x, size_t *b, size_t *e)
{
    const struct cs_credit_rows *cr = &c->inc->split;
    while (*x < cr->n && cr->deal[*x] < i)
        (*x)++;
    *b = *e = *x;
    while (*e < cr->n && cr->deal[*e] == i)
        (*e)++;
}

/* Credit row k of inc->split, or the owner's row of deal i (k == CS_NONE). */
static struct credit_one credit_row(const struct compute *c, size_t i, size_t k)
{
    const struct cs_credit_rows *cr = &c->inc->split;
    const struct cs_deals *d = &c->ds->deals;
    if (k != CS_NONE)
        return (struct credit_one){cr->rep[k], cr->plan[k], (uint32_t)k, cr->own[k],
                                   cr->share[k] * d->amount[i] * cr->fraction[k]};
    uint32_t plan = cs_plan_on(c->ds, d->rep[i], d->close[i], NULL);
    double fraction = plan == CS_NONE ? NAN : cs_plan_credit(c->ds, c->plans, plan, d->type[i]);
    return (struct credit_one){d->rep[i], plan, CS_NONE, true, 1.0 * d->amount[i] * fraction};
}

/* Pass 1 (deal order): checks, credit rows per rep, span of close dates. */
static enum cs_status pass_won(struct compute *c, struct cs_error *err)
{
    const struct cs_dataset *ds = c->ds;
    const struct cs_deals *d = &ds->deals;
    const size_t n = d->n, nreps = ds->reps.n;
    struct cs_incentives *inc = c->inc;
    enum cs_status st;
    size_t *bucket = c->bucket = calloc(nreps + 1, sizeof *bucket);
    if (!bucket)
        return compute_nomem(err);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    size_t x = 0, b, e;
    for (size_t i = 0; i < n; i++) {
        int32_t close = d->close[i];
        if (close != CS_NO_DATE) {
            lo = close < lo ? close : lo;
            hi = close > hi ? close : hi;
        }
        inc->won[i] = 0;
        if (d->stage[i] != CS_STAGE_WON)
            continue;
        uint32_t own_plan = CS_NONE;
        bool own_on = false;
        split_range(c, i, &x, &b, &e);
        size_t stop = d->rep[i] >= nreps ? b : b == e ? b + 1 : e;   /* not split: one row */
        for (size_t k = b; k < stop; k++) {
            struct credit_one row = credit_row(c, i, b == e ? CS_NONE : k);
            if (row.own)
                own_plan = row.plan;
            if (row.plan != CS_NONE && on_plan(c->only_plans, row.plan)) {
                bucket[row.rep + 1]++;
                c->nkeys++;
                own_on |= row.own;
            }
        }
        if ((st = check_won_deal(ds, c->plans, i, own_plan, err)) != CS_OK)
            return st;
        inc->won[i] = own_on;
        inc->n_won += own_on;
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
    const struct cs_deals *d = &c->ds->deals;
    const struct day_codes days = c->days;
    struct cs_incentives *inc = c->inc;
    size_t *bucket = c->bucket;
    struct sort_key *keys = c->keys = cs_malloc_big(c->nkeys, sizeof *keys);
    if (!keys)
        return -1;
    size_t x = 0, b, e;
    for (size_t i = 0; i < d->n; i++) {
        if (inc->quarter)
            inc->quarter[i] = day_quarter(&days, d->close[i]);
        if (d->stage[i] != CS_STAGE_WON)
            continue;
        split_range(c, i, &x, &b, &e);
        for (size_t k = b; k < (b == e ? b + 1 : e); k++) {
            struct credit_one row = credit_row(c, i, b == e ? CS_NONE : k);
            if (row.plan != CS_NONE && on_plan(c->only_plans, row.plan))
                keys[bucket[row.rep]++] =
                    (struct sort_key){d->close[i], (uint32_t)i, row.credited, row.plan, row.xrow};
        }
    }
    return 0;
}

/* A key's plan period code. */
static int32_t key_period(const struct compute *c, const struct sort_key *k)
{
    return day_period(&c->days, c->plans->period_type[k->plan], k->close);
}

struct regroup {
    int32_t period;
    uint32_t plan, pos;
};

static int cmp_regroup(const void *pa, const void *pb)
{
    const struct regroup *a = pa, *b = pb;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    if (a->plan != b->plan)
        return a->plan < b->plan ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* A run sorted by (close, deal_id) whose rows hold several plans: into
 * (period, plan) groups, each keeping that order.  0, or -1 on OOM. */
static int regroup_run(const struct compute *c, struct sort_key *k, size_t n)
{
    struct regroup *g = malloc(n * sizeof *g);
    struct sort_key *copy = malloc(n * sizeof *copy);
    if (!g || !copy) {
        free(g);
        free(copy);
        return -1;
    }
    for (size_t j = 0; j < n; j++)
        g[j] = (struct regroup){key_period(c, &k[j]), k[j].plan, (uint32_t)j};
    qsort(g, n, sizeof *g, cmp_regroup);
    memcpy(copy, k, n * sizeof *k);
    for (size_t j = 0; j < n; j++)
        k[j] = copy[g[j].pos];
    free(g);
    free(copy);
    return 0;
}

/* Whether keys a and b are of one (period, plan) group. */
static bool same_group(const struct compute *c, const struct sort_key *a, const struct sort_key *b)
{
    return a->plan == b->plan && key_period(c, a) == key_period(c, b);
}

/* Sort each rep's run and count the rep-periods; room for the rep-period table. */
static int sort_runs(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    const size_t nreps = ds->reps.n;
    const size_t *bucket = c->bucket;
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
        bool mixed = false;
        for (size_t j = b + 1; j < e && !mixed; j++)
            mixed = keys[j].plan != keys[b].plan;
        if (mixed && regroup_run(c, keys + b, e - b) != 0)
            return -1;
        for (size_t j = b; j < e; j++)
            if (j == b || !same_group(c, &keys[j], &keys[j - 1]))
                nrp++;
    }
    c->nrp = nrp;
    if (!alloc_rp_arrays(&c->inc->rp, nrp) || !(c->rp_first = cs_malloc_big(nrp, sizeof *c->rp_first)) ||
        !(c->rp_last = cs_malloc_big(nrp, sizeof *c->rp_last)))
        return -1;
    return 0;
}

/* Lookup tables: quota overrides by (rep, plan, period), spiffs by product. */
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
        uint32_t rep = ds->quotas.rep[j], plan = ds->quotas.plan ? ds->quotas.plan[j] : CS_NONE;
        int32_t period = ds->quotas.period[j];
        /* SPEC 13: a row without plan_id is for the plan held at the period's end */
        if (plan == CS_NONE)
            plan = cs_plan_on(ds, rep, cs_cal_period_last_day(c->cal, period), NULL);
        if (plan == CS_NONE)
            continue;
        qkeys[nq++] = (struct quota_key){rep, plan, period, (uint32_t)j};
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

/* The quota of rep r on plan p in period code [first, last]: quotas.csv's,
 * else the plan's, prorated by the days r holds p (SPEC 13). */
static double group_quota(const struct compute *c, uint32_t r, uint32_t p, int32_t code,
                          int32_t first, int32_t last)
{
    double q = find_quota(&c->ds->quotas, c->qkeys, c->nq, r, p, code);
    if (!isnan(q))
        return q;
    int32_t days = last - first + 1, covered = cs_plan_days(c->ds, r, p, first, last);
    return covered == days ? c->plans->quota[p]
                           : c->plans->quota[p] * (double)covered / (double)days;
}

/* Pass 3 (sorted order): attainment before each credit row, rep-period
 * table.  a0 = (plain double sum of the earlier credited amounts) / Q, as
 * SPEC 5 says. */
static void pass_attainment(struct compute *c)
{
    const struct cs_dataset *ds = c->ds;
    const size_t nreps = ds->reps.n;
    const size_t *bucket = c->bucket;
    const struct sort_key *keys = c->keys;
    int32_t *rp_first = c->rp_first, *rp_last = c->rp_last;
    struct cs_incentives *inc = c->inc;
    struct cs_credit_rows *cr = &inc->split;
    size_t g = 0;
    for (size_t r = 0; r < nreps; r++) {
        size_t j = r ? bucket[r - 1] : 0, e = bucket[r];
        while (j < e) {
            uint32_t p = keys[j].plan;
            int32_t code = key_period(c, &keys[j]);
            int32_t first = cs_cal_period_first_day(c->cal, code);
            int32_t last = cs_cal_period_last_day(c->cal, code);
            double q = group_quota(c, (uint32_t)r, p, code, first, last);
            double sum = 0.0;
            uint32_t cnt = 0;
            const struct sort_key *head = &keys[j];
            for (; j < e && (j == (size_t)(head - keys) || same_group(c, &keys[j], head)); j++) {
                uint32_t i = keys[j].deal, x = keys[j].xrow;
                if (x == CS_NONE || cr->own[x]) {
                    inc->attainment_before[i] = sum / q;
                    inc->rep_period[i] = (uint32_t)g;
                }
                if (x != CS_NONE) {
                    cr->attainment_before[x] = sum / q;
                    cr->rep_period[x] = (uint32_t)g;
                }
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
            rp_first[g] = first;
            rp_last[g] = last;
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

/* Pass 5 (SPEC 13): the tier maths of every credit row of the split
 * deals, and each such deal's commission, the sum over its rows. */
static void pass_split(const struct compute *c)
{
    const struct cs_plans *plans = c->plans;
    const struct cs_deals *d = &c->ds->deals;
    struct cs_incentives *inc = c->inc;
    struct cs_credit_rows *cr = &inc->split;
    for (size_t x = 0; x < cr->n; x++) {
        uint32_t rp = cr->rep_period[x], p = inc->rp.plan[rp], i = cr->deal[x];
        (void)cs_incentives_deal(plans->floor + plans->tier_first[p],
                                 plans->rate + plans->tier_first[p], plans->tier_count[p],
                                 inc->rp.quota[rp], cr->attainment_before[x],
                                 cr->share[x] * d->amount[i] * cr->fraction[x], &cr->commission[x],
                                 &cr->marginal_rate[x], &cr->tier_cross[x],
                                 &cr->gap_to_next_tier[x]);
    }
    for (size_t b = 0, e; b < cr->n; b = e) {
        double sum = 0.0;
        for (e = b; e < cr->n && cr->deal[e] == cr->deal[b]; e++)
            sum += cr->commission[e];
        inc->commission[cr->deal[b]] = sum;
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
    if (!only_plans) {
        pass_measures(&c);
        pass_split(&c);
    }
    *out = c.inc;
    c.inc = NULL;
out:
    compute_done(&c);
    return st;
}
