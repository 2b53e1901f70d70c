/* analysis.c - SPEC section 7 wired to the data: tests, groupings, data warnings (the models: models.c; the voice of the field: voice.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "compsight/mem.h"
#include "compsight/analysis.h"
#include "compsight/findings.h"
#include "compsight/planchange.h"
#include "models.h"
#include "voice.h"

const char *const cs_corr_x_names[CS_CORR_NX] = {
    "marginal_rate", "effective_rate", "tier_cross",
    "gap_to_next_tier", "days_to_period_end", "spiff",
};
const char *const cs_corr_y_names[CS_CORR_NY] = {"promise_risk", "risky_promises", "discount_pct"};

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ------------------------------------------------------------------------
 * Correlations 7.4
 * --------------------------------------------------------------------- */

/* The incentive measures of the selected deals, one at a time (cs_corr_table_fill). */
struct corr_x {
    const struct cs_measured *m;
    const uint8_t *sel;
};

static void corr_fill_x(size_t v, double *x, void *ctx)
{
    const struct corr_x *c = ctx;
    const struct cs_incentives *inc = c->m->inc;
    const uint8_t *sel = c->sel;
    const size_t n = c->m->ds->deals.n;
    for (size_t i = 0, r = 0; i < n; i++) {
        if (!sel[i])
            continue;
        switch (v) {
        case 0: x[r] = inc->marginal_rate[i]; break;
        case 1: x[r] = inc->effective_rate[i]; break;
        case 2: x[r] = inc->tier_cross[i]; break;
        case 3: x[r] = inc->gap_to_next_tier[i]; break;
        case 4: x[r] = inc->days_to_period_end[i]; break;
        default: x[r] = inc->spiff[i]; break;
        }
        r++;
    }
}

static enum cs_status run_correlations(struct cs_analysis *an, const struct cs_measured *ms,
                                       const uint8_t *sel, struct cs_error *err)
{
    const struct cs_dataset *ds = ms->ds;
    const struct cs_outcomes *oc = ms->oc;
    enum cs_status st = CS_OK;
    size_t m = an->won_selected;
    double *buf = cs_malloc_big((m ? m : 1) * CS_CORR_NY, sizeof *buf);
    if (!buf)
        return oom(err);
    double *col[CS_CORR_NY];
    for (size_t v = 0; v < CS_CORR_NY; v++)
        col[v] = buf + v * (m ? m : 1);
    size_t r = 0;
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!sel[i])
            continue;
        col[0][r] = an->promise_data ? oc->promise_risk[i] : NAN;
        col[1][r] = an->promise_data ? oc->risky_promises[i] : NAN;
        col[2][r] = ds->deals.discount_pct[i];
        r++;
    }
    /* The six incentive measures are made one at a time: at ten million
     * deals each is 40 MB, and so are its ranks. */
    struct corr_x cx = {ms, sel};
    st = cs_corr_table_fill(CS_CORR_NX, corr_fill_x, &cx, (const double *const *)col, CS_CORR_NY,
                            m, an->corr, err);
    if (st == CS_OK) {
        double p[CS_CORR_NX * CS_CORR_NY];
        for (size_t k = 0; k < CS_CORR_NX * CS_CORR_NY; k++)
            p[k] = an->corr[k].pearson_p;
        st = cs_bh(p, CS_CORR_NX * CS_CORR_NY, an->corr_q, err);
    }
    free(buf);
    return st;
}

/* ------------------------------------------------------------------------
 * Bunching 7.6: every plan, every floor > 0, and its placebo
 * --------------------------------------------------------------------- */

/* Plans by rep-periods, most first, then in plan order. */
static int cmp_plan_rps(const void *pa, const void *pb, void *arg)
{
    const size_t *start = arg;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    size_t na = start[a + 1] - start[a], nb = start[b + 1] - start[b];
    if (na != nb)
        return na > nb ? -1 : 1;
    return (a > b) - (a < b);
}

/* The plans with a floor above 0 that bunching examines (CS_BUNCH_MAX_PLANS
 * of them at most, by rep-periods: start[] as in run_bunching; none with
 * fewer than CS_MIN_GROUP_REPS reps[]) into take[], and the others counted
 * in an.  -1: out of memory. */
static int bunching_plans(struct cs_analysis *an, const struct cs_plans *pl, const size_t *start,
                          const size_t *reps, bool *take)
{
    size_t n = 0;
    for (size_t p = 0; p < pl->n; p++) {
        take[p] = pl->tier_count[p] > 1;
        /* a plan of one or two reps: its attainments are theirs (groups.h) */
        if (take[p] && reps[p] < CS_MIN_GROUP_REPS) {
            take[p] = false;
            an->bunch_plans_left_out += reps[p] > 0;
        }
        n += take[p];
    }
    if (n <= CS_BUNCH_MAX_PLANS)
        return 0;
    uint32_t *by = malloc(n * sizeof *by);
    if (!by)
        return -1;
    for (size_t p = 0, k = 0; p < pl->n; p++)
        if (take[p])
            by[k++] = (uint32_t)p;
    qsort_r(by, n, sizeof *by, cmp_plan_rps, (void *)start);
    for (size_t i = CS_BUNCH_MAX_PLANS; i < n; i++) {
        take[by[i]] = false;
        an->bunch_plans_skipped++;
        an->bunch_rp_skipped += start[by[i] + 1] - start[by[i]];
    }
    free(by);
    return 0;
}

static enum cs_status run_bunching(struct cs_analysis *an, const struct cs_measured *m,
                                   uint64_t seed, struct cs_error *err)
{
    const struct cs_plans *pl = &m->ds->plans;
    const struct cs_rep_periods *rp = &m->inc->rp;
    /* The rep-periods' attainments grouped by plan, in rep-period order
     * within a plan (a counting sort: one pass, not one per plan), and the
     * reps of each plan's rep-periods (rows come rep by rep). */
    double *a = malloc((rp->n ? rp->n : 1) * sizeof *a);
    size_t *start = calloc(pl->n + 1, sizeof *start);
    bool *take = malloc((pl->n ? pl->n : 1) * sizeof *take);
    size_t *reps = calloc(pl->n ? pl->n : 1, sizeof *reps);
    uint32_t *last = malloc((pl->n ? pl->n : 1) * sizeof *last);
    enum cs_status st = CS_OK;
    if (!a || !start || !take || !reps || !last) {
        st = oom(err);
        goto out;
    }
    for (size_t p = 0; p < pl->n; p++)
        last[p] = UINT32_MAX;
    for (size_t r = 0; r < rp->n; r++) {
        uint32_t p = rp->plan[r];
        if (p >= pl->n)
            continue;
        start[p + 1]++;
        if (last[p] != rp->rep[r]) {
            last[p] = rp->rep[r];
            reps[p]++;
        }
    }
    for (size_t p = 0; p < pl->n; p++)
        start[p + 1] += start[p];
    for (size_t r = 0; r < rp->n; r++)
        if (rp->plan[r] < pl->n)
            a[start[rp->plan[r]]++] = rp->attainment[r];
    for (size_t p = pl->n; p > 0; p--)     /* each start moved to the next plan's: back */
        start[p] = start[p - 1];
    start[0] = 0;
    if (bunching_plans(an, pl, start, reps, take) != 0) {
        st = oom(err);
        goto out;
    }
    size_t floors = 0;
    for (size_t p = 0; p < pl->n; p++)
        floors += take[p] ? pl->tier_count[p] - 1 : 0;
    if (!(an->bunch = calloc(floors * 2 + 1, sizeof *an->bunch))) {
        st = oom(err);
        goto out;
    }
    for (size_t p = 0; p < pl->n && st == CS_OK; p++) {
        if (!take[p])
            continue;
        const double *ap = a + start[p];
        size_t na = start[p + 1] - start[p];
        for (uint32_t t = 1; t < pl->tier_count[p] && st == CS_OK; t++) {
            double f = pl->floor[pl->tier_first[p] + t];
            for (int placebo = 0; placebo <= 1 && st == CS_OK; placebo++) {
                struct cs_bunch_result *b = &an->bunch[an->n_bunch];
                b->plan = (uint32_t)p;
                b->floor = f;
                b->placebo = placebo;
                st = cs_bunching_estimate(ap, na, placebo ? f - CS_BUNCH_PLACEBO_SHIFT : f,
                                          seed + an->n_bunch, CS_BUNCH_DRAWS, &b->est, err);
                an->n_bunch++;
            }
        }
    }
out:
    free(a);
    free(start);
    free(take);
    free(reps);
    free(last);
    return st;
}

/* ------------------------------------------------------------------------
 * Per-group rates 7.7
 * --------------------------------------------------------------------- */

static enum cs_status group_rates(const uint32_t *key, size_t n_keys_max, const uint8_t *sel,
                                  const uint8_t *risk, size_t n,
                                  struct cs_group_rate **out, size_t *n_out, struct cs_error *err)
{
    /* key[i] < n_keys_max; groups listed in order of first appearance. */
    size_t *slot = malloc((n_keys_max ? n_keys_max : 1) * sizeof *slot);
    struct cs_group_rate *g = calloc(n_keys_max ? n_keys_max : 1, sizeof *g);
    if (!slot || !g) {
        free(slot);
        free(g);
        return oom(err);
    }
    for (size_t k = 0; k < n_keys_max; k++)
        slot[k] = SIZE_MAX;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sel[i])
            continue;
        uint32_t k = key[i];
        if (slot[k] == SIZE_MAX) {
            slot[k] = m;
            g[m++].id = k;
        }
        g[slot[k]].deals++;
        g[slot[k]].risky += risk[i];
    }
    enum cs_status st = CS_OK;
    for (size_t j = 0; j < m && st == CS_OK; j++)
        st = cs_wilson(g[j].risky, g[j].deals, &g[j].w, err);
    free(slot);
    *out = g;
    *n_out = m;
    return st;
}

/* The groups of *g (ids: keys of shown[] and reps[]) as shared output
 * shows them: each group with enough reps; the small ones summed into one
 * `other` group at the end when the pool has enough reps, else left out. */
static enum cs_status pool_small(struct cs_group_rate *g, size_t *n, const uint8_t *shown,
                                 const size_t *reps, struct cs_error *err)
{
    struct cs_group_rate other = {.other = true};
    size_t m = 0;
    for (size_t j = 0; j < *n; j++) {
        uint8_t s = shown[g[j].id];
        if (s == CS_SHOWN) {
            g[j].reps = reps[g[j].id];
            g[m++] = g[j];
        } else if (s == CS_SHOWN_POOLED) {
            other.deals += g[j].deals;
            other.risky += g[j].risky;
            other.reps += reps[g[j].id];
        }
    }
    enum cs_status st = CS_OK;
    if (other.reps) {          /* g had room: other replaces at least one group */
        st = cs_wilson(other.risky, other.deals, &other.w, err);
        g[m++] = other;
    }
    *n = m;
    return st;
}

static enum cs_status run_groups(struct cs_analysis *an, const struct cs_measured *ms,
                                 const uint8_t *sel, struct cs_error *err)
{
    const struct cs_dataset *ds = ms->ds;
    const struct cs_outcomes *oc = ms->oc;
    size_t n = ds->deals.n;
    enum cs_status st = CS_OK;
    uint32_t *team = cs_malloc_big(n, sizeof *team);
    uint32_t *plan = cs_malloc_big(n, sizeof *plan);
    uint32_t *rep = cs_malloc_big(n, sizeof *rep);
    size_t *x = NULL, *nn = NULL;
    struct cs_disclosure *disc = NULL;
    struct cs_group_rate *reps = NULL;
    size_t n_reps = 0;
    if (!team || !plan || !rep) {
        st = oom(err);
        goto out;
    }
    /* Teams are string ids, numbered among millions of strings: counted
     * by the dense numbers of the disclosure rule, then named again. */
    if ((st = cs_disclosure_compute(ms, &disc, err)) != CS_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = ds->deals.rep[i];
        /* SPEC 13: the team and plan of the deal's own credit row */
        uint32_t p = cs_disclosure_deal_plan(ms, i);
        team[i] = cs_disclosure_deal_team(disc, ms, i);
        plan[i] = p != CS_NONE ? p : 0;
        rep[i] = r;
    }
    if ((st = group_rates(team, disc->n_teams, sel, oc->promise_risk, n, &an->teams, &an->n_teams,
                          err)) != CS_OK ||
        (st = pool_small(an->teams, &an->n_teams, disc->team_shown, disc->team_reps, err)) != CS_OK)
        goto out;
    for (size_t j = 0; j < an->n_teams; j++)
        if (!an->teams[j].other)
            an->teams[j].id = disc->team_ids[an->teams[j].id];
    an->team_pool = disc->teams;
    if ((st = group_rates(plan, ds->plans.n, sel, oc->promise_risk, n, &an->plans, &an->n_plans, err)) != CS_OK ||
        (st = pool_small(an->plans, &an->n_plans, disc->plan_shown, disc->plan_reps, err)) != CS_OK ||
        (st = group_rates(rep, ds->reps.n, sel, oc->promise_risk, n, &reps, &n_reps, err)) != CS_OK)
        goto out;
    an->plan_pool = disc->plans;
    if (!an->promise_data || n_reps == 0)
        goto out;
    x = malloc(n_reps * sizeof *x);
    nn = malloc(n_reps * sizeof *nn);
    an->rep_of_group = malloc(n_reps * sizeof *an->rep_of_group);
    if (!x || !nn || !an->rep_of_group) {
        st = oom(err);
        goto out;
    }
    for (size_t j = 0; j < n_reps; j++) {
        x[j] = reps[j].risky;
        nn[j] = reps[j].deals;
        an->rep_of_group[j] = reps[j].id;
    }
    st = cs_shrink_fit(x, nn, n_reps, &an->reps, err);
out:
    free(team);
    free(plan);
    free(rep);
    cs_disclosure_free(disc);
    free(reps);
    free(x);
    free(nn);
    return st;
}

/* ------------------------------------------------------------------------
 * Data warnings: month-end heaping, thin quarters (bulk edits: bulkedit.c)
 * --------------------------------------------------------------------- */

static void run_heaping(struct cs_analysis *an, const struct cs_dataset *ds, const uint8_t *sel)
{
    struct cs_heaping *h = &an->heaping;
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!sel[i])
            continue;
        int32_t day = ds->deals.close[i];
        int y, m, d;
        cs_civil_from_days(day, &y, &m, &d);
        h->deals++;
        h->month_end += d == cs_days_in_month(y, m);
        if (day < first)
            first = day;
        if (day > last)
            last = day;
    }
    h->share = h->deals ? (double)h->month_end / (double)h->deals : NAN;
    if (!h->deals) {
        h->expected = h->p = NAN;
        return;
    }
    size_t days = 0, ends = 0;
    for (int32_t day = first; day <= last; day++) {
        int y, m, d;
        cs_civil_from_days(day, &y, &m, &d);
        days++;
        ends += d == cs_days_in_month(y, m);
    }
    h->expected = ends ? (double)ends / (double)days : 1.0 / 30.44;
    /* P(X >= k) for X ~ Binomial(n, expected) */
    h->p = h->month_end ? gsl_cdf_binomial_Q((unsigned)h->month_end - 1, h->expected,
                                             (unsigned)h->deals) : 1.0;
    h->flagged = h->deals >= 20 && h->share > 2 * h->expected && h->p < 0.001;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The quarters that hold won deals (only those: one deal in 0001 and one
 * in 9999 are two quarters, not 40,000), with their counts. */
static enum cs_status run_quarters(struct cs_analysis *an, const struct cs_measured *ms,
                                   struct cs_error *err)
{
    const struct cs_dataset *ds = ms->ds;
    const struct cs_incentives *inc = ms->inc;
    const struct cs_outcomes *oc = ms->oc;
    int32_t *codes = NULL;
    size_t nq = 0;
    enum cs_status st = cs_select_won_quarters(inc->won, inc->quarter, ds->deals.n, &codes, &nq, err);
    if (st != CS_OK)
        return st;
    an->quarters = calloc(nq ? nq : 1, sizeof *an->quarters);
    size_t *won = malloc((nq ? nq : 1) * sizeof *won);
    if (!an->quarters || !won) {
        free(won);
        free(codes);
        return oom(err);
    }
    for (size_t k = 0; k < nq; k++)
        an->quarters[k].quarter = codes[k];
    an->n_quarters = nq;
    /* The quarters that hold data, sorted: one binary search a deal. */
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!inc->won[i])
            continue;
        const int32_t *at = bsearch(&inc->quarter[i], codes, nq, sizeof *codes, cmp_i32);
        if (!at)
            continue;
        struct cs_quarter_count *q = &an->quarters[at - codes];
        q->won++;
        q->risky += oc->promise_risk[i];
        q->bookings += ds->deals.amount[i];
    }
    free(codes);
    for (size_t j = 0; j < nq; j++)
        won[j] = an->quarters[j].won;
    qsort(won, nq, sizeof *won, cmp_size);
    double median = nq ? (nq % 2 ? (double)won[nq / 2] : 0.5 * (double)(won[nq / 2 - 1] + won[nq / 2])) : 0;
    for (size_t j = 0; j < nq; j++)
        an->quarters[j].thin = (double)an->quarters[j].won < 0.5 * median;
    free(won);
    return CS_OK;
}

/* Distinct reps of the selected won deals: what the timing test rests on. */
static enum cs_status count_reps(struct cs_analysis *an, const struct cs_dataset *ds,
                                 const uint8_t *sel, struct cs_error *err)
{
    uint8_t *seen = calloc(ds->reps.n ? ds->reps.n : 1, 1);
    if (!seen)
        return oom(err);
    for (size_t i = 0; i < ds->deals.n; i++)
        if (sel[i] && !seen[ds->deals.rep[i]]) {
            seen[ds->deals.rep[i]] = 1;
            an->reps_selected++;
        }
    free(seen);
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

const struct cs_regress_fit *cs_analysis_fit(const struct cs_analysis *an, enum cs_model_id m)
{
    const struct cs_model_result *r = &an->model[m];
    if (r->firth && r->firth->fitted)
        return r->firth;
    return r->fit && r->fit->fitted ? r->fit : NULL;
}

enum cs_status cs_analysis_run(const struct cs_measured *m, uint64_t seed,
                               struct cs_analysis **out, struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    const struct cs_selection *sel = m->sel;
    enum cs_status st = CS_OK;
    size_t n = ds->deals.n;
    *out = NULL;
    struct cs_analysis *an = calloc(1, sizeof *an);
    uint8_t *mask = cs_malloc_big(n, 1);
    if (!an || !mask) {
        free(an);
        free(mask);
        return oom(err);
    }
    an->sel = *sel;
    an->seed = seed;
    an->promise_data = ds->counts[CS_T_ROADMAP].present && ds->counts[CS_T_PROMISES].present;
    an->collateral_data = ds->counts[CS_T_COLLATERAL].present && ds->counts[CS_T_CLAIMS].present &&
                          ds->counts[CS_T_TARGETS].present;
    for (size_t i = 0; i < n; i++) {
        mask[i] = inc->won[i] && cs_selected(sel, inc->quarter[i]);
        an->won_selected += mask[i];
        an->risky_selected += mask[i] && oc->promise_risk[i];
    }
    if ((st = cs_analysis_models(an, m, mask, err)) != CS_OK ||
        (st = run_correlations(an, m, mask, err)) != CS_OK)
        goto out;
    if (an->won_selected &&
        (st = cs_timing(ds->deals.amount, inc->period_days, inc->day_of_period, mask, n,
                        &an->timing, err)) != CS_OK)
        goto out;
    if ((st = run_bunching(an, m, seed, err)) != CS_OK ||
        (st = run_groups(an, m, mask, err)) != CS_OK ||
        (an->promise_data && (st = cs_analysis_voice(an, m, mask, err)) != CS_OK) ||
        (st = run_quarters(an, m, err)) != CS_OK)
        goto out;
    run_heaping(an, ds, mask);
    if ((st = cs_bulk_edits_find(ds->deals.close, ds->deals.stage, ds->deals.n, m->cal, sel,
                                 &an->bulk, err)) != CS_OK ||
        (st = count_reps(an, ds, mask, err)) != CS_OK ||
        (st = cs_planchange_run(m, &an->plan_changes, err)) != CS_OK ||
        (st = cs_findings_compute(an, an->reps_selected, &an->findings, err)) != CS_OK)
        goto out;
out:
    free(mask);
    if (st != CS_OK) {
        cs_analysis_free(an);
        return st;
    }
    *out = an;
    return CS_OK;
}

void cs_analysis_free(struct cs_analysis *an)
{
    if (!an)
        return;
    for (int m = 0; m < CS_MODEL_COUNT; m++) {
        cs_regress_free(an->model[m].fit);
        cs_regress_free(an->model[m].firth);
    }
    cs_timing_free(an->timing);
    cs_findings_free(an->findings);
    cs_planchange_free(an->plan_changes);
    free(an->bunch);
    free(an->teams);
    free(an->plans);
    cs_shrink_free(an->reps);
    free(an->rep_of_group);
    for (size_t i = 0; i < an->n_voice; i++)
        free(an->voice[i].text);
    free(an->voice);
    free(an->quarters);
    free(an);
}
