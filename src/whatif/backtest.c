/* backtest.c - the backtest of a plan change (SPEC 14.3): the what-if of plan B on the moved reps' deals before the change, with its rep bootstrap. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/analysis.h"
#include "compsight/backtest.h"
#include "compsight/whatif.h"

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "backtest: out of memory");
}

/* A copy of plans with plan `from` given plan `to`'s period type, quota,
 * tiers and credit_ fractions (SPEC 13; left NULL when plans has none:
 * cs_plan_credit then reads the data's), in the cs_plans_free layout.
 * -1 when out of memory (out then empty). */
static int plans_as(const struct cs_plans *base, uint32_t from, uint32_t to, struct cs_plans *out)
{
    size_t n = base->n, total = base->n_tiers - base->tier_count[from] + base->tier_count[to];
    memset(out, 0, sizeof *out);
    out->n = n;
    out->id = malloc(n * sizeof *out->id);
    out->period_type = malloc(n * sizeof *out->period_type);
    out->quota = malloc(n * sizeof *out->quota);
    out->tier_first = malloc(n * sizeof *out->tier_first);
    out->tier_count = malloc(n * sizeof *out->tier_count);
    out->floor = malloc(total * sizeof *out->floor);
    out->rate = malloc(total * sizeof *out->rate);
    bool credit = base->credit_new && base->credit_expansion && base->credit_renewal;
    if (credit) {
        out->credit_new = malloc(n * sizeof *out->credit_new);
        out->credit_expansion = malloc(n * sizeof *out->credit_expansion);
        out->credit_renewal = malloc(n * sizeof *out->credit_renewal);
    }
    if (!out->id || !out->period_type || !out->quota || !out->tier_first || !out->tier_count ||
        !out->floor || !out->rate ||
        (credit && (!out->credit_new || !out->credit_expansion || !out->credit_renewal))) {
        cs_plans_free(out);
        return -1;
    }
    size_t at = 0;
    for (size_t q = 0; q < n; q++) {
        size_t src = q == from ? to : q;
        out->id[q] = base->id[q];
        out->period_type[q] = base->period_type[src];
        out->quota[q] = base->quota[src];
        out->tier_first[q] = (uint32_t)at;
        out->tier_count[q] = base->tier_count[src];
        if (credit) {
            out->credit_new[q] = base->credit_new[src];
            out->credit_expansion[q] = base->credit_expansion[src];
            out->credit_renewal[q] = base->credit_renewal[src];
        }
        memcpy(out->floor + at, base->floor + base->tier_first[src],
               base->tier_count[src] * sizeof *out->floor);
        memcpy(out->rate + at, base->rate + base->tier_first[src],
               base->tier_count[src] * sizeof *out->rate);
        at += base->tier_count[src];
    }
    out->n_tiers = at;
    return 0;
}

/* The fitted probability of design row x under coefficients beta (fit's
 * kept terms, in its order). */
static double prob(const struct cs_regress_fit *fit, const double *beta, const double *x)
{
    double eta = 0;
    for (size_t t = 0; t < fit->k; t++)
        eta += beta[t] * x[fit->terms[t].column];
    return 1 / (1 + exp(-eta));
}

/* The treated reps' deals of the base's selection, with each one's rep
 * cluster and both design rows. */
struct rows {
    size_t n;
    uint32_t *g;             /* the base's cluster number */
    double *xa, *xb;         /* n x CS_DEAL_TERMS: under the current plans, under plan B */
};

static void rows_free(struct rows *r)
{
    free(r->g);
    free(r->xa);
    free(r->xb);
}

static int by_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* c->treated is sorted (planchange.h). */
static bool treated(const struct cs_plan_change *c, uint32_t rep)
{
    return c->movers && bsearch(&rep, c->treated, c->movers, sizeof rep, by_u32) != NULL;
}

static enum cs_status collect(const struct cs_measured *m, const struct cs_whatif_base *b,
                              const struct cs_incentives *alt, const struct cs_plan_change *c,
                              struct rows *r, struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    uint32_t *rep_g = malloc((ds->reps.n ? ds->reps.n : 1) * sizeof *rep_g);
    enum cs_status st = CS_OK;
    if (!rep_g)
        return oom(err);
    /* the base's clusters: reps with a selected won deal, in rep order */
    for (size_t k = 0; k < ds->reps.n; k++)
        rep_g[k] = UINT32_MAX;
    for (size_t i = 0; i < ds->deals.n; i++)
        if (inc->won[i] && cs_selected(&b->sel, inc->quarter[i]))
            rep_g[ds->deals.rep[i]] = 0;
    uint32_t G = 0;
    size_t n = 0;
    for (size_t k = 0; k < ds->reps.n; k++)
        if (rep_g[k] != UINT32_MAX)
            rep_g[k] = G++;
    for (size_t i = 0; i < ds->deals.n; i++)
        n += inc->won[i] && cs_selected(&b->sel, inc->quarter[i]) && treated(c, ds->deals.rep[i]);
    r->g = malloc((n ? n : 1) * sizeof *r->g);
    r->xa = malloc((n ? n : 1) * CS_DEAL_TERMS * sizeof *r->xa);
    r->xb = malloc((n ? n : 1) * CS_DEAL_TERMS * sizeof *r->xb);
    if (!r->g || !r->xa || !r->xb) {
        st = oom(err);
        goto out;
    }
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!inc->won[i] || !cs_selected(&b->sel, inc->quarter[i]) || !treated(c, ds->deals.rep[i]))
            continue;
        r->g[r->n] = rep_g[ds->deals.rep[i]];
        cs_analysis_deal_row(ds, inc, i, r->xa + r->n * CS_DEAL_TERMS);
        cs_analysis_deal_row(ds, alt, i, r->xb + r->n * CS_DEAL_TERMS);
        r->n++;
    }
out:
    free(rep_g);
    return st;
}

/* The point estimate and the percentile interval of the draws. */
static enum cs_status predict(const struct cs_whatif_base *b, const struct rows *r,
                              struct cs_pc_predicted *pr, struct cs_error *err)
{
    const struct cs_regress_fit *fit = b->fit;
    double beta[CS_REGRESS_MAX_TERMS], sa = 0, sb = 0;
    for (size_t t = 0; t < fit->k; t++)
        beta[t] = fit->terms[t].estimate;
    for (size_t j = 0; j < r->n; j++) {
        sa += prob(fit, beta, r->xa + j * CS_DEAL_TERMS);
        sb += prob(fit, beta, r->xb + j * CS_DEAL_TERMS);
    }
    pr->base_rate = sa / (double)r->n;
    pr->alt_rate = sb / (double)r->n;
    pr->estimate = pr->alt_rate - pr->base_rate;
    pr->done = true;
    double *v = malloc((b->draws ? b->draws : 1) * sizeof *v);
    uint32_t *w = malloc((b->reps ? b->reps : 1) * sizeof *w);
    if (!v || !w) {
        free(v);
        free(w);
        return oom(err);
    }
    size_t nv = 0;
    for (size_t d = 0; b->intervals && d < b->draws; d++) {
        if (!cs_whatif_draw_coefficients(b, d, beta) || !cs_whatif_draw_weights(b, d, w))
            continue;
        double diff = 0, deals = 0;
        for (size_t j = 0; j < r->n; j++) {
            double wg = w[r->g[j]];
            if (wg == 0)
                continue;
            diff += wg * (prob(fit, beta, r->xb + j * CS_DEAL_TERMS) -
                          prob(fit, beta, r->xa + j * CS_DEAL_TERMS));
            deals += wg;
        }
        if (deals > 0 && isfinite(diff))
            v[nv++] = diff / deals;
    }
    pr->draws = nv;
    pr->ci_low = cs_whatif_quantile(v, nv, 0.025);
    pr->ci_high = cs_whatif_quantile(v, nv, 0.975);
    free(v);
    free(w);
    return CS_OK;
}

enum cs_status cs_whatif_backtest(const struct cs_measured *m, struct cs_plan_change *c,
                                  uint64_t seed, unsigned draws, struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    struct cs_pc_predicted *pr = &c->predicted;
    struct cs_whatif_base *b = NULL;
    struct cs_incentives *alt_inc = NULL;
    struct cs_plans alt = {0};
    struct rows r = {0};
    enum cs_status st = CS_OK;
    if (!c->run)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "backtest: the change's difference-in-differences has not run");
    memset(pr, 0, sizeof *pr);
    pr->estimate = pr->ci_low = pr->ci_high = pr->base_rate = pr->alt_rate = NAN;
    pr->note = "";
    /* the four quarters before the one holding the date */
    int32_t q0 = c->event[CS_PC_QUARTERS].code;
    struct cs_selection sel = {.mode = CS_SELECT_RANGE, .first = c->event[0].code,
                               .last = c->event[CS_PC_QUARTERS - 1].code};
    snprintf(sel.label, sizeof sel.label, "before %d", (int)q0);
    bool any = false;
    for (size_t i = 0; i < ds->deals.n && !any; i++)
        any = m->inc->won[i] && cs_selected(&sel, m->inc->quarter[i]);
    if (!any) {
        pr->note = "there is no won deal in the four quarters before the change";
        return CS_OK;
    }
    struct cs_measured before = *m;
    before.sel = &sel;
    struct cs_whatif_settings set = {.seed = seed, .draws = draws, .threads = 2};
    if ((st = cs_whatif_base_new(&before, &set, &b, err)) != CS_OK)
        goto out;
    pr->fit_deals = b->deals;
    if (!b->fit) {
        pr->note = b->model_note;
        goto out;
    }
    if (plans_as(&ds->plans, c->from, c->to, &alt) != 0) {
        st = oom(err);
        goto out;
    }
    if ((st = cs_incentives_compute(ds, &alt, m->cal, &alt_inc, err)) != CS_OK)
        goto out;
    if ((st = collect(m, b, alt_inc, c, &r, err)) != CS_OK)
        goto out;
    pr->deals = r.n;
    if (r.n == 0) {
        pr->note = "the reps who moved have no won deal in the four quarters before the change";
        goto out;
    }
    st = predict(b, &r, pr, err);
    if (st == CS_OK && b->model_note[0])
        pr->note = b->model_note;
out:
    rows_free(&r);
    cs_incentives_free(alt_inc);
    cs_plans_free(&alt);
    cs_whatif_base_free(b);
    return st;
}

enum cs_status cs_whatif_backtests(const struct cs_measured *m, struct cs_plan_changes *pcs,
                                   uint64_t seed, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    for (size_t i = 0; pcs && i < pcs->n && st == CS_OK; i++)
        if (pcs->items[i].run)
            st = cs_whatif_backtest(m, &pcs->items[i], seed, 0, err);
    return st;
}
