/* pushout.c - timing games across periods (SPEC 14.2): rep-periods from the credit rows, and the push-out model's rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/incentives.h"
#include "compsight/mem.h"
#include "pushout.h"

#define Z95 1.959964            /* SPEC 7: the 95% interval's multiplier */
#define EDGE_DAYS 14            /* first and last 14 days of a period */

const char *const cs_push_term_names[CS_PUSH_TERMS] = {"(Intercept)", "crossed_late",
                                                       "nothing_to_earn"};

void cs_push_rows_free(struct cs_push_rows *r)
{
    free(r->x);
    free(r->y);
    free(r->rep);
    free(r->rep_period);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------------
 * Each rep-period's bookings, first-14-day bookings and late crossings,
 * summed over its credit rows
 * --------------------------------------------------------------------- */

struct period_sums {
    double *book, *first;        /* per row of inc->rp */
    uint8_t *late;
};

static enum cs_status sum_periods(const struct cs_measured *m, struct period_sums *ps,
                                  struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_rep_periods *rp = &m->inc->rp;
    size_t R = rp->n;
    int32_t *first_day = cs_malloc_big(R ? R : 1, sizeof *first_day);
    int32_t *last_day = cs_malloc_big(R ? R : 1, sizeof *last_day);
    ps->book = cs_calloc_big(R ? R : 1, sizeof *ps->book);
    ps->first = cs_calloc_big(R ? R : 1, sizeof *ps->first);
    ps->late = cs_calloc_big(R ? R : 1, sizeof *ps->late);
    enum cs_status st = CS_OK;
    if (!first_day || !last_day || !ps->book || !ps->first || !ps->late) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < R; r++) {
        first_day[r] = cs_cal_period_first_day(m->cal, rp->period[r]);
        last_day[r] = cs_cal_period_last_day(m->cal, rp->period[r]);
    }
    /* every credit row (SPEC 13): a split deal's in each of its reps'
     * rep-periods, with that rep's own tier crossing */
    struct cs_credit_walk w = {0};
    struct cs_credit c;
    while (cs_credits_next(m->inc, &w, &c)) {
        uint32_t r = c.rep_period;
        if (r == CS_NONE || ds->plans.period_type[rp->plan[r]] != CS_PERIOD_QUARTER)
            continue;
        int32_t close = ds->deals.close[c.deal];
        double amount = c.share * ds->deals.amount[c.deal];
        ps->book[r] += amount;
        if (close - first_day[r] < EDGE_DAYS)
            ps->first[r] += amount;
        if (c.tier_cross == 1 && last_day[r] - close < EDGE_DAYS)
            ps->late[r] = 1;
    }
out:
    free(first_day);
    free(last_day);
    return st;
}

/* ------------------------------------------------------------------------
 * Rep-periods by rep, plan and period; the rows
 * --------------------------------------------------------------------- */

struct rp_key {
    uint32_t rep, plan;
    int32_t period;
    uint32_t row;
};

static int cmp_rp(const void *a, const void *b)
{
    const struct rp_key *x = a, *y = b;
    if (x->rep != y->rep)
        return x->rep < y->rep ? -1 : 1;
    if (x->plan != y->plan)
        return x->plan < y->plan ? -1 : 1;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Whether final attainment a of a rep-period of plan p lies in a tier paying
 * less than the plan's first tier (floor 0): a cap or a decelerator. */
static bool nothing_to_earn(const struct cs_plans *pl, uint32_t p, double a)
{
    const double *floor = pl->floor + pl->tier_first[p], *rate = pl->rate + pl->tier_first[p];
    size_t t = 0;
    while (t + 1 < pl->tier_count[p] && floor[t + 1] <= a)
        t++;
    return rate[t] < rate[0];
}

enum cs_status cs_push_out_rows(const struct cs_measured *m, const struct cs_selection *sel,
                                struct cs_push_rows *rows, struct cs_push_out *po,
                                struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_rep_periods *rp = &m->inc->rp;
    struct period_sums ps = {0};
    enum cs_status st = CS_OK;
    memset(rows, 0, sizeof *rows);
    memset(po, 0, sizeof *po);
    for (size_t p = 0; p < ds->plans.n; p++)
        po->quarterly |= ds->plans.period_type[p] == CS_PERIOD_QUARTER;
    size_t R = rp->n, nq = 0;
    struct rp_key *order = cs_malloc_big(R ? R : 1, sizeof *order);
    rows->x = cs_malloc_big((R ? R : 1) * CS_PUSH_TERMS, sizeof *rows->x);
    rows->y = cs_malloc_big(R ? R : 1, sizeof *rows->y);
    rows->rep = cs_malloc_big(R ? R : 1, sizeof *rows->rep);
    rows->rep_period = cs_malloc_big(R ? R : 1, sizeof *rows->rep_period);
    if (!order || !rows->x || !rows->y || !rows->rep || !rows->rep_period) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    if (!po->quarterly || (st = sum_periods(m, &ps, err)) != CS_OK)
        goto out;
    for (size_t r = 0; r < R; r++)
        if (ds->plans.period_type[rp->plan[r]] == CS_PERIOD_QUARTER)
            order[nq++] = (struct rp_key){rp->rep[r], rp->plan[r], rp->period[r], (uint32_t)r};
    qsort(order, nq, sizeof *order, cmp_rp);
    uint32_t last_rep = CS_NONE;
    for (size_t u = 0; u < nq; u++) {
        uint32_t r = order[u].row;
        int32_t next = cs_cal_next_period(rp->period[r]);
        if (!cs_selected(sel, next))
            continue;
        po->candidates++;
        if (u + 1 >= nq)
            continue;
        uint32_t r2 = order[u + 1].row;
        if (rp->rep[r2] != rp->rep[r] || rp->plan[r2] != rp->plan[r] || rp->period[r2] != next ||
            !(ps.book[r2] > 0))
            continue;
        double *x = rows->x + rows->n * CS_PUSH_TERMS;
        x[0] = 1.0;
        x[1] = ps.late[r];
        x[2] = nothing_to_earn(&ds->plans, rp->plan[r], rp->attainment[r]);
        rows->y[rows->n] = ps.first[r2] / ps.book[r2];
        rows->rep_period[rows->n] = r;
        rows->rep[rows->n++] = rp->rep[r];
        po->crossed_late += x[1] != 0;
        po->nothing_to_earn += x[2] != 0;
        po->reps += rp->rep[r] != last_rep;
        last_rep = rp->rep[r];
    }
    po->rep_periods = rows->n;
out:
    free(order);
    free(ps.book);
    free(ps.first);
    free(ps.late);
    return st;
}

enum cs_status cs_push_out_groups(const struct cs_push_rows *rows, struct cs_push_out *po,
                                  struct cs_error *err)
{
    enum cs_status st = CS_OK;
    size_t n = rows->n;
    double *x = cs_malloc_big(n ? n : 1, sizeof *x), *y = cs_malloc_big(n ? n : 1, sizeof *y);
    uint32_t *cl = cs_malloc_big(n ? n : 1, sizeof *cl);
    if (!x || !y || !cl) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    static const char *const names[] = {"(Intercept)"};
    for (int g = 0; g < 2 && st == CS_OK; g++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if ((rows->x[i * CS_PUSH_TERMS + 2] != 0) != (g == 1))
                continue;
            x[k] = 1.0;
            y[k] = rows->y[i];
            cl[k++] = rows->rep[i];
        }
        po->group_n[g] = k;
        po->group_share[g] = po->group_low[g] = po->group_high[g] = NAN;
        if (k == 0)
            continue;
        struct cs_regress_design d = {.n = k, .k = 1, .x = x, .y = y, .cluster = cl, .names = names};
        struct cs_regress_fit *fit = NULL;
        if ((st = cs_regress_ols(&d, &fit, err)) != CS_OK)
            break;
        po->group_reps[g] = fit->clusters;
        double mean = 0;
        for (size_t i = 0; i < k; i++)
            mean += y[i];
        po->group_share[g] = mean / (double)k;
        /* every share the same: the mean is known exactly */
        bool exact = (fit->flags & (CS_REGRESS_PERFECT_FIT | CS_REGRESS_Y_CONSTANT)) != 0;
        double se = exact ? 0 : fit->fitted ? fit->terms[0].se_cluster : NAN;
        if (fit->clusters < 2)
            se = NAN;
        if (isfinite(se)) {
            po->group_low[g] = po->group_share[g] - Z95 * se;
            po->group_high[g] = po->group_share[g] + Z95 * se;
        }
        cs_regress_free(fit);
    }
out:
    free(x);
    free(y);
    free(cl);
    return st;
}
