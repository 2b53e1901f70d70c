/* credit_rows.c - SPEC 13's credit rows: the split deals' rows the engine fills, the walk over every credit row, lookups (incentives.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "credit_rows.h"
#include "compsight/mem.h"

/* ======================================================================
 * Credit rows of split deals
 * ==================================================================== */

/* Byte order of two string ids' texts; a proper prefix first. */
static int text_cmp(const struct cs_strpool *str, uint32_t a, uint32_t b)
{
    size_t la = cs_strpool_len(str, a), lb = cs_strpool_len(str, b);
    int c = memcmp(cs_strpool_get(str, a), cs_strpool_get(str, b), la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static int cmp_split(const void *pa, const void *pb, void *ctx)
{
    const struct cs_dataset *ds = ctx;
    uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;
    const struct cs_splits *s = &ds->splits;
    if (s->deal[i] != s->deal[j])
        return s->deal[i] < s->deal[j] ? -1 : 1;
    int c = text_cmp(ds->str, ds->reps.id[s->rep[i]], ds->reps.id[s->rep[j]]);
    return c ? c : (i > j) - (i < j);
}

void credit_rows_free(struct cs_credit_rows *cr)
{
    free(cr->deal);
    free(cr->rep);
    free(cr->plan);
    free(cr->share);
    free(cr->fraction);
    free(cr->own);
    free(cr->rep_period);
    free(cr->attainment_before);
    free(cr->commission);
    free(cr->marginal_rate);
    free(cr->tier_cross);
    free(cr->gap_to_next_tier);
    memset(cr, 0, sizeof *cr);
}

static int alloc_rows(struct cs_credit_rows *cr, size_t n)
{
    size_t m = n ? n : 1;
#define A(f) ((cr->f = malloc(m * sizeof *cr->f)) != NULL)
    return A(deal) && A(rep) && A(plan) && A(share) && A(fraction) && A(own) && A(rep_period) &&
                   A(attainment_before) && A(commission) && A(marginal_rate) && A(tier_cross) &&
                   A(gap_to_next_tier)
               ? 0
               : -1;
#undef A
}

/* Mark the own row among rows b..e of one deal: its owner's, else the
 * largest share (the first, in rep_id byte order, of equal ones). */
static void mark_own(struct cs_credit_rows *cr, size_t b, size_t e, uint32_t owner)
{
    size_t own = b;
    for (size_t k = b; k < e; k++) {
        if (cr->rep[k] == owner) {
            own = k;
            break;
        }
        if (cr->share[k] > cr->share[own])
            own = k;
    }
    for (size_t k = b; k < e; k++)
        cr->own[k] = k == own;
}

int credit_rows_build(const struct cs_dataset *ds, const struct cs_plans *plans,
                      struct cs_credit_rows *cr)
{
    const struct cs_splits *s = &ds->splits;
    const struct cs_deals *d = &ds->deals;
    memset(cr, 0, sizeof *cr);
    if (!s->n)
        return 0;
    uint32_t *order = malloc(s->n * sizeof *order);
    if (!order || alloc_rows(cr, s->n) != 0) {
        free(order);
        credit_rows_free(cr);
        return -1;
    }
    for (size_t j = 0; j < s->n; j++)
        order[j] = (uint32_t)j;
    qsort_r(order, s->n, sizeof *order, cmp_split, (void *)ds);
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++) {
        uint32_t j = order[k], i = s->deal[j];
        if (i >= d->n || d->stage[i] != CS_STAGE_WON)
            continue;
        uint32_t p = cs_plan_on(ds, s->rep[j], d->close[i], NULL);
        if (p == CS_NONE)
            continue;    /* the importer rejects such a row; a guard */
        cr->deal[n] = i;
        cr->rep[n] = s->rep[j];
        cr->plan[n] = p;
        cr->share[n] = s->share[j];
        cr->fraction[n] = cs_plan_credit(ds, plans, p, d->type[i]);
        cr->rep_period[n] = CS_NONE;
        cr->attainment_before[n] = NAN;
        cr->commission[n] = NAN;
        cr->marginal_rate[n] = NAN;
        cr->tier_cross[n] = -1;
        cr->gap_to_next_tier[n] = NAN;
        n++;
    }
    free(order);
    for (size_t b = 0, e; b < n; b = e) {
        for (e = b; e < n && cr->deal[e] == cr->deal[b]; e++)
            ;
        mark_own(cr, b, e, d->rep[cr->deal[b]]);
    }
    cr->n = n;
    return 0;
}

/* ======================================================================
 * Every credit row, and lookups (incentives.h)
 * ==================================================================== */

size_t credit_rows_lower(const struct cs_credit_rows *cr, size_t deal)
{
    size_t lo = 0, hi = cr->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cr->deal[mid] < deal)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t cs_incentives_split_first(const struct cs_incentives *inc, uint32_t deal)
{
    const struct cs_credit_rows *cr = &inc->split;
    size_t lo = credit_rows_lower(cr, deal);
    return lo < cr->n && cr->deal[lo] == deal ? (uint32_t)lo : CS_NONE;
}

bool cs_credits_next(const struct cs_incentives *inc, struct cs_credit_walk *w,
                     struct cs_credit *row)
{
    const struct cs_credit_rows *cr = &inc->split;
    for (; w->deal < inc->n; w->deal++) {
        size_t i = w->deal;
        while (w->split < cr->n && cr->deal[w->split] < i)
            w->split++;    /* rows of deals a table leaves out */
        if (!inc->won[i])
            continue;
        if (w->split < cr->n && cr->deal[w->split] == i) {
            size_t k = w->split++;
            *row = (struct cs_credit){(uint32_t)i, cr->rep[k], cr->rep_period[k], cr->share[k],
                                      cr->own[k], cr->attainment_before[k], cr->commission[k],
                                      cr->marginal_rate[k], cr->tier_cross[k],
                                      cr->gap_to_next_tier[k]};
            if (w->split >= cr->n || cr->deal[w->split] != i)
                w->deal++;
            return true;
        }
        *row = (struct cs_credit){(uint32_t)i, cs_incentives_own_rep(inc, i), inc->rep_period[i],
                                  1.0, true, inc->attainment_before[i], inc->commission[i],
                                  inc->marginal_rate[i], inc->tier_cross[i],
                                  inc->gap_to_next_tier[i]};
        w->deal++;
        return true;
    }
    return false;
}

double cs_incentives_credit_share(const struct cs_incentives *inc, size_t i)
{
    uint32_t k = cs_incentives_split_first(inc, (uint32_t)i);
    if (k == CS_NONE)
        return 1.0;
    for (; k < inc->split.n && inc->split.deal[k] == i; k++)
        if (inc->split.own[k])
            return inc->split.share[k];
    return 1.0;
}

double cs_incentives_credited(const struct cs_dataset *ds, const struct cs_plans *plans,
                              const struct cs_incentives *inc, size_t i)
{
    uint32_t p = inc->rp.plan[inc->rep_period[i]];
    return cs_incentives_credit_share(inc, i) * ds->deals.amount[i] *
           cs_plan_credit(ds, plans, p, ds->deals.type[i]);
}

uint32_t cs_incentives_team(const struct cs_dataset *ds, const struct cs_incentives *inc,
                            size_t i)
{
    uint32_t rep = ds->deals.rep[i];
    if (inc && i < inc->n && inc->won[i] && inc->rep_period[i] != CS_NONE)
        rep = cs_incentives_own_rep(inc, i);
    uint32_t team;
    (void)cs_plan_on(ds, rep, ds->deals.close[i], &team);
    return team;
}
