/* simulate.c - one alternative plans table against the what-if base (SPEC 8): its view, differences and bootstrap intervals. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "vecmath.h"
#include "whatif_priv.h"
#include "compsight/plancheck.h"

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

double cs_whatif_quantile(double *x, size_t n, double p)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return x[n - 1];
    double frac = h - (double)lo;
    /* R: x[lo] + frac * (x[lo + 1] - x[lo]); equal neighbours give x[lo] exactly. */
    return x[lo] + frac * (x[lo + 1] - x[lo]);
}

static void view_row_copy(struct view *v, const struct view *src, size_t j)
{
    v->mr[j] = src->mr[j];
    v->tc[j] = src->tc[j];
    v->l14[j] = src->l14[j];
    v->comm[j] = src->comm[j];
}

/* The alternative's commission of credit row k of a split deal (SPEC
 * 13): re-priced under plans when its plan changed, from the a0 and Q of
 * att's row k (att's credit rows are base's, row for row), else base's. */
static double row_commission(const struct cs_dataset *ds, const struct cs_plans *plans,
                             const struct cs_incentives *base, const struct cs_incentives *att,
                             const bool *plan_changed, size_t k)
{
    const struct cs_credit_rows *cr = &base->split;
    uint32_t p = cr->plan[k], i = cr->deal[k];
    if (!plan_changed[p])
        return cr->commission[k];
    double c, mr;
    int8_t tc;
    double credited = cr->share[k] * ds->deals.amount[i] * cs_plan_credit(ds, plans, p, ds->deals.type[i]);
    (void)cs_incentives_deal(plans->floor + plans->tier_first[p], plans->rate + plans->tier_first[p],
                             plans->tier_count[p], att->rp.quota[att->split.rep_period[k]],
                             att->split.attainment_before[k], credited, &c, &mr, &tc, NULL);
    return c;
}

/* A split deal's commission, rows x.. of base->split: the sum over its
 * credit rows in row order, as cs_incentives_compute sums them; the own
 * row's is *own when given (the caller computed it), else row_commission's. */
static double split_commission(const struct cs_dataset *ds, const struct cs_plans *plans,
                               const struct cs_incentives *base, const struct cs_incentives *att,
                               const bool *plan_changed, size_t x, const double *own)
{
    const struct cs_credit_rows *cr = &base->split;
    double sum = 0.0;
    for (size_t k = x; k < cr->n && cr->deal[k] == cr->deal[x]; k++)
        sum += cr->own[k] && own ? *own : row_commission(ds, plans, base, att, plan_changed, k);
    return sum;
}

/* Whether a credit row of the split deal at rows x.. other than its own
 * is on a changed plan. */
static bool others_changed(const struct cs_credit_rows *cr, const bool *plan_changed, size_t x)
{
    for (size_t k = x; k < cr->n && cr->deal[k] == cr->deal[x]; k++)
        if (!cr->own[k] && plan_changed[cr->plan[k]])
            return true;
    return false;
}

/* The own row's share of the split deal at rows x.. */
static double own_share(const struct cs_credit_rows *cr, size_t x)
{
    for (size_t k = x; k < cr->n && cr->deal[k] == cr->deal[x]; k++)
        if (cr->own[k])
            return cr->share[k];
    return 1.0;
}

/*
 * The alternative's view: deals whose own credit row's plan changed get
 * the tier maths of plans on the a0 and Q of att (cs_incentives_deal, the
 * function cs_incentives_compute's last pass uses); the others copy the
 * base view.  att is the base's table when only tiers changed (the tiers
 * route), or a recompute of the changed plans' attainment (the full
 * route: a period type, a quota or a credit fraction changed), which has
 * no last_14_days: it comes from att's plan period.  SPEC 13: a split
 * deal's commission sums every credit row, each re-priced under its own
 * rep's plan when that plan changed (so a deal whose own plan is
 * unchanged still costs more or less when a co-seller's plan changes);
 * its model inputs stay those of its own row.  Deals come in order and x
 * walks base->split beside them: linear in deals and credit rows.
 */
static void view_from_tiers(struct view *v, const struct cs_whatif_priv *pv,
                            const struct cs_dataset *ds, const struct cs_calendar *cal,
                            const struct cs_incentives *base, const struct cs_incentives *att,
                            const struct cs_plans *plans, const bool *plan_changed)
{
    const struct cs_credit_rows *cr = &base->split;
    size_t x = 0;
    for (size_t j = 0; j < pv->m; j++) {
        uint32_t i = pv->deal[j];
        uint32_t p = base->rp.plan[base->rep_period[i]];
        while (x < cr->n && cr->deal[x] < i)
            x++;
        bool split = x < cr->n && cr->deal[x] == i;
        if (!plan_changed[p]) {
            view_row_copy(v, &pv->full, j);
            if (split && others_changed(cr, plan_changed, x))
                v->comm[j] = split_commission(ds, plans, base, att, plan_changed, x, NULL);
            continue;
        }
        uint32_t rp = att->rep_period[i];
        double share = split ? own_share(cr, x) : 1.0;
        double credited = share * ds->deals.amount[i] *
                          cs_plan_credit(ds, plans, p, ds->deals.type[i]);
        (void)cs_incentives_deal(plans->floor + plans->tier_first[p],
                                 plans->rate + plans->tier_first[p], plans->tier_count[p],
                                 att->rp.quota[rp], att->attainment_before[i], credited,
                                 &v->comm[j], &v->mr[j], &v->tc[j], NULL);
        if (split) {
            double own = v->comm[j];
            v->comm[j] = split_commission(ds, plans, base, att, plan_changed, x, &own);
        }
        if (att->last_14_days)
            v->l14[j] = att->last_14_days[i];
        else
            v->l14[j] = (int8_t)(cs_cal_period_last_day(cal, att->rp.period[rp]) -
                                 ds->deals.close[i] < 14);
    }
}

/* ======================================================================
 * Simulation
 * ==================================================================== */

/* The deals whose model inputs changed, grouped by cluster. */
struct changed {
    size_t k, n, ngroups;
    size_t max_rows;         /* the most rows in one group */
    const struct cs_whatif_priv *pv;
    const struct view *bv, *av;   /* base and alternative */
    const uint32_t *j;       /* n changed rows, by group */
    uint32_t *group_g;       /* cluster of each group */
    uint32_t *group_start;   /* ngroups + 1 offsets into the rows */
    const uint32_t *gslot;   /* per cluster: 1 + the place of the changed plan its
                                differences are filed under, 0: none changed */
};

/*
 * The kept-term rows of group h, base and alternative, into xb and xa
 * (max_rows x k each).  Built per group rather than for all changed rows
 * at once: 4 bytes a changed row instead of 16 doubles, and a group's rows
 * stay in cache for all the draws.
 */
static size_t group_rows(const struct changed *c, size_t h, double *xb, double *xa)
{
    size_t n = 0;
    for (size_t r = c->group_start[h]; r < c->group_start[h + 1]; r++, n++) {
        double x[CS_DEAL_TERMS];
        view_row(c->pv, c->bv, c->j[r], x);
        compact_row(c->pv, x, xb + n * c->k);
        view_row(c->pv, c->av, c->j[r], x);
        compact_row(c->pv, x, xa + n * c->k);
    }
    return n;
}

/*
 * A group's working memory: its rows (group_rows), the coefficients of
 * the draws it is summed for, by term, and the linear predictors and
 * probabilities of one slice of rows.  One per thread.
 */
#define DRAW_BLOCK 256       /* draws summed together */
#define SLICE 2048           /* linear predictors per cs_vecmath_logistic call */

struct scratch {
    double *xb, *xa;         /* max_rows x k each */
    double *bt;              /* k x DRAW_BLOCK: bt[t * nb + q] is term t of draw q */
    double *s;               /* DRAW_BLOCK sums */
    uint32_t *drawn;         /* the draws that take the group */
    double *eta, *p;         /* SLICE each */
};

static void scratch_free(struct scratch *sc)
{
    free(sc->xb);
    free(sc->bt);
    free(sc->drawn);
    free(sc->eta);
    *sc = (struct scratch){0};
}

static bool scratch_alloc(struct scratch *sc, size_t max_rows, size_t k, size_t draws)
{
    size_t rows = (max_rows ? max_rows : 1) * (k ? k : 1);
    sc->xb = cs_malloc_big(2 * rows, sizeof *sc->xb);
    sc->bt = malloc((CS_DEAL_TERMS + 1) * DRAW_BLOCK * sizeof *sc->bt);
    sc->drawn = malloc((draws ? draws : 1) * sizeof *sc->drawn);
    sc->eta = malloc(2 * SLICE * sizeof *sc->eta);
    if (!sc->xb || !sc->bt || !sc->drawn || !sc->eta) {
        scratch_free(sc);
        return false;
    }
    sc->xa = sc->xb + rows;
    sc->s = sc->bt + CS_DEAL_TERMS * DRAW_BLOCK;
    sc->p = sc->eta + SLICE;
    return true;
}

/*
 * For nb <= DRAW_BLOCK coefficient vectors (sc->bt, by term), the sum over
 * the group's n rows (sc->xb, sc->xa) of p(x_alt) - p(x_base), in row
 * order, into sc->s[0..nb).  Each sum is, bit for bit,
 *     s = 0; for each row: s += logistic(beta . xa) - logistic(beta . xb)
 * with dot products in term order and cs_vecmath_logistic's logistic.  The
 * rows' linear predictors for all nb draws are computed together, and the
 * probabilities of a slice of rows for all of them in one vector call.
 */
static void group_sums(struct scratch *sc, size_t k, size_t n, size_t nb)
{
    size_t per = SLICE / (2 * nb);   /* rows per slice: at least 4 */
    for (size_t q = 0; q < nb; q++)
        sc->s[q] = 0;
    for (size_t r0 = 0; r0 < n; r0 += per) {
        size_t m = n - r0 < per ? n - r0 : per;
        for (size_t r = 0; r < m; r++) {
            cs_vecmath_linear(sc->xa + (r0 + r) * k, k, sc->bt, nb, nb, sc->eta + 2 * r * nb);
            cs_vecmath_linear(sc->xb + (r0 + r) * k, k, sc->bt, nb, nb, sc->eta + (2 * r + 1) * nb);
        }
        cs_vecmath_logistic(sc->eta, sc->p, 2 * m * nb);
        for (size_t r = 0; r < m; r++)
            cs_vecmath_add_difference(sc->s, sc->p + 2 * r * nb, sc->p + (2 * r + 1) * nb, nb);
    }
}

/* Term t of beta into column q of the scratch's nb draws. */
static void put_beta(struct scratch *sc, size_t k, size_t nb, size_t q, const double *beta)
{
    for (size_t t = 0; t < k; t++)
        sc->bt[t * nb + q] = beta[t];
}

static void changed_free(struct changed *c)
{
    free(c->group_g);
    free(c->group_start);
}

/*
 * Sum over the changed deals of p(x_alt) - p(x_base) under beta, each
 * cluster's sum in cluster order; per changed plan into per_plan (by its
 * slot, zeroed by the caller).  The point estimate: one draw, every
 * weight 1.
 */
static double risky_diff(const struct changed *c, const double *beta, double *per_plan,
                         struct scratch *sc)
{
    double total = 0;
    double bg[CS_DEAL_TERMS];
    put_beta(sc, c->k, 1, 0, beta);
    for (size_t h = 0; h < c->ngroups; h++) {
        uint32_t g = c->group_g[h];
        if (c->pv->alpha)           /* within: the rep's own intercept */
            put_beta(sc, c->k, 1, 0, cluster_beta(c->pv, g, beta, bg));
        size_t n = group_rows(c, h, sc->xb, sc->xa);
        group_sums(sc, c->k, n, 1);
        total += sc->s[0];
        per_plan[c->gslot[g] - 1] += sc->s[0];
    }
    return total;
}

struct draw_job {
    const struct changed *c;
    const struct cs_whatif_priv *pv;
    size_t G, d0, d1, n_plans;   /* n_plans: the changed plans */
    double *dr, *drp;        /* per draw: risky difference, and per changed plan */
    struct scratch *sc;
};

/*
 * The bootstrap's hot loop, for draws d0..d1: per draw, the sum over
 * clusters of the cluster's resampling count times its sum of
 * p(x_alt) - p(x_base) under the draw's coefficients; per changed plan
 * likewise (a changed row's plan is a changed plan).
 * Cluster by cluster: a cluster's rows are read from memory once and stay
 * in cache for all the draws that take it (the others are skipped).  Each
 * draw adds its clusters in cluster order and each cluster's rows in row
 * order, so the sums do not depend on how the draws are split or grouped.
 */
static void *draw_range(void *arg)
{
    struct draw_job *jb = arg;
    const struct changed *c = jb->c;
    struct scratch *sc = jb->sc;
    const size_t k = jb->pv->k, np = jb->n_plans;
    for (size_t d = jb->d0; d < jb->d1; d++) {
        jb->dr[d] = 0;
        for (size_t p = 0; p < np; p++)
            jb->drp[d * np + p] = 0;
    }
    for (size_t h = 0; h < c->ngroups; h++) {
        uint32_t g = c->group_g[h];
        uint32_t plan = c->gslot[g] - 1;
        size_t nd = 0;
        for (size_t d = jb->d0; d < jb->d1; d++)
            if (draw_w_bits(jb->pv, d * jb->G + g) != 0)   /* (a big count is not 0 either) */
                sc->drawn[nd++] = (uint32_t)d;
        if (nd == 0)
            continue;
        size_t n = group_rows(c, h, sc->xb, sc->xa);
        for (size_t q0 = 0; q0 < nd; q0 += DRAW_BLOCK) {
            size_t nb = nd - q0 < DRAW_BLOCK ? nd - q0 : DRAW_BLOCK;
            for (size_t q = 0; q < nb; q++) {
                double bg[CS_DEAL_TERMS];
                put_beta(sc, k, nb, q, cluster_beta(jb->pv, g, jb->pv->beta_draw +
                                                               sc->drawn[q0 + q] * k, bg));
            }
            group_sums(sc, k, n, nb);
            for (size_t q = 0; q < nb; q++) {
                size_t d = sc->drawn[q0 + q];
                double wg = draw_w(jb->pv, d, jb->G, g);
                jb->dr[d] += wg * sc->s[q];
                jb->drp[d * np + plan] += wg * sc->s[q];
            }
        }
    }
    return NULL;
}

/* Whether plan p credits a type of deal differently under a and b (SPEC
 * 13; a table without credit_ arrays reads ds's). */
static bool credit_changed(const struct cs_dataset *ds, const struct cs_plans *a,
                           const struct cs_plans *b, size_t p)
{
    static const uint8_t types[] = {CS_TYPE_NEW, CS_TYPE_EXPANSION, CS_TYPE_RENEWAL};
    for (size_t t = 0; t < sizeof types; t++)
        if (cs_plan_credit(ds, a, (uint32_t)p, types[t]) != cs_plan_credit(ds, b, (uint32_t)p, types[t]))
            return true;
    return false;
}

bool cs_whatif_plan_recomputes(const struct cs_dataset *ds, const struct cs_plans *alt, size_t p)
{
    return alt->period_type[p] != ds->plans.period_type[p] || alt->quota[p] != ds->plans.quota[p] ||
           credit_changed(ds, alt, &ds->plans, p);
}

static bool plan_changed(const struct cs_dataset *ds, const struct cs_plans *a,
                         const struct cs_plans *b, size_t p)
{
    if (a->period_type[p] != b->period_type[p] || a->quota[p] != b->quota[p] ||
        a->tier_count[p] != b->tier_count[p] || credit_changed(ds, a, b, p))
        return true;
    for (uint32_t t = 0; t < a->tier_count[p]; t++)
        if (a->floor[a->tier_first[p] + t] != b->floor[b->tier_first[p] + t] ||
            a->rate[a->tier_first[p] + t] != b->rate[b->tier_first[p] + t])
            return true;
    return false;
}

/*
 * The rules of plans.csv, checked here because the tiers route never
 * reaches cs_incentives_compute's own check (cs_plans_load_alt has
 * checked a file already: this guards other callers).
 */
/* The one plan validator (plancheck.h), worded as this guard always was;
 * only the plans only[0..n_only) when only is not NULL. */
static enum cs_status check_alt(const struct cs_dataset *ds, const struct cs_plans *alt,
                                const uint32_t *only, size_t n_only, struct cs_error *err)
{
    struct cs_plan_fault f = {.rule = CS_PLAN_OK};
    if (!only)
        f = cs_plans_check(alt);
    for (size_t i = 0; only && i < n_only && f.rule == CS_PLAN_OK; i++)
        f = cs_plan_check(alt, only[i]);
    if (f.rule == CS_PLAN_OK)
        return CS_OK;
    return cs_plan_fault_error(&f, CS_PLAN_STYLE_WHATIF, cs_ds_str(ds, ds->plans.id[f.plan]), err);
}

void cs_whatif_result_free(struct cs_whatif_result *r)
{
    if (!r)
        return;
    free(r->plans);
    free(r->base_p);
    free(r->alt_p);
    free(r->base_commission_deal);
    free(r->alt_commission_deal);
    free(r);
}

static struct cs_whatif_diff no_diff(void)
{
    return (struct cs_whatif_diff){NAN, NAN, NAN};
}

/* Percentile interval of draws x[0..n) (sorted in place). */
static void interval(struct cs_whatif_diff *dd, double *x, size_t n, bool ok)
{
    dd->low = ok ? cs_whatif_quantile(x, n, 0.025) : NAN;
    dd->high = ok ? cs_whatif_quantile(x, n, 0.975) : NAN;
}

static int cmp_effect_plan(const void *pa, const void *pb)
{
    uint32_t a = ((const struct cs_whatif_plan_effect *)pa)->plan;
    uint32_t b = ((const struct cs_whatif_plan_effect *)pb)->plan;
    return (a > b) - (a < b);
}

bool cs_whatif_recomputes(const struct cs_dataset *ds, const struct cs_plans *alt)
{
    for (size_t p = 0; p < ds->plans.n && p < alt->n; p++)
        if (cs_whatif_plan_recomputes(ds, alt, p))
            return true;
    return false;
}

/* ======================================================================
 * One simulation, step by step
 * ==================================================================== */

/*
 * What the steps of cs_whatif_simulate_in hand each other.  Every pointer
 * starts NULL; sim_done frees the working arrays (r is handed out on
 * success and freed by the caller of the steps on failure).
 */
struct sim {
    const struct cs_whatif_base *b;
    const struct cs_whatif_priv *pv;
    struct cs_whatif_work *work;
    const struct cs_plans *alt;
    const uint32_t *only;    /* the plans alt may change (NULL: any) */
    size_t n_only;
    bool per_deal;
    size_t m, G, D, np, k;   /* deals, clusters, draws, plans, kept terms */
    size_t nc;               /* plans changed */
    const struct view *bv;   /* the base's view */
    struct view *av;         /* the alternative's (the work's) */
    struct cs_whatif_result *r;
    bool *changed_plan;      /* per plan: its period type, quota or tiers differ */
    uint32_t *slot;          /* per plan: 1 + its place in r->plans, 0: unchanged */
    uint32_t *gslot;         /* per cluster: the slot its differences are filed under: its
                                plan's (the plan of its last deal, base.c), or, when that
                                one did not change (a rep who changed plan, SPEC 13), the
                                plan of its first changed deal; 0: nothing of it changed */
    double *cg;              /* per cluster: its deals' commission differences */
    uint32_t *gpos;          /* G + 1: changed rows per cluster, then where they go */
    double *plan_alt;        /* per changed plan: the alternative's commission */
    struct changed c;        /* the changed rows, grouped by cluster */
    struct scratch gs[3];    /* group rows: the estimate's, and each draw job's */
    double *dr, *drp;        /* per draw: risky difference, and per changed plan */
    double *dc, *dcp;        /* per draw: commission difference, and per changed plan */
    double *scratch;         /* D values to take quantiles of */
};

static void sim_done(struct sim *s)
{
    free(s->changed_plan);
    free(s->slot);
    free(s->gslot);
    changed_free(&s->c);
    free(s->cg);
    free(s->plan_alt);
    free(s->dr);
    free(s->drp);
    free(s->dc);
    free(s->dcp);
    free(s->scratch);
    for (int i = 0; i < 3; i++)
        scratch_free(&s->gs[i]);
    free(s->gpos);
}

/* The result to fill, the plans that changed, and the route: only tiers,
 * or SPEC 5 in full.  The work is in the plans that may change (s->only,
 * else every plan) and in the changed ones: per-plan arrays beyond the
 * flags and slots are sized by the changed plans, so that an option's
 * cost does not grow with the plans it leaves alone.  -1: out of memory. */
static int sim_start(struct sim *s)
{
    const struct cs_whatif_base *b = s->b;
    const struct cs_plans *cur = &b->ds->plans;
    struct cs_whatif_result *r = s->r = calloc(1, sizeof *r);
    if (!r || (!s->av->mr && cs_whatif_view_alloc(s->av, s->m)))
        return -1;
    if (!(s->changed_plan = cs_calloc_big(s->np, sizeof *s->changed_plan)) ||
        !(s->slot = cs_calloc_big(s->np, sizeof *s->slot)))
        return -1;
    size_t n_try = s->only ? s->n_only : s->np;
    for (size_t i = 0; i < n_try; i++) {
        size_t p = s->only ? s->only[i] : i;
        if (!s->changed_plan[p] && plan_changed(b->ds, s->alt, cur, p)) {
            s->changed_plan[p] = true;
            s->nc++;
        }
    }
    if (!(r->plans = cs_calloc_big(s->nc ? s->nc : 1, sizeof *r->plans)))
        return -1;
    /* in plan order: for the documents, and the order main's loops took */
    for (size_t i = 0, at = 0; at < s->nc; i++) {
        size_t p = s->only ? s->only[i] : i;
        if (!s->changed_plan[p] || s->slot[p])
            continue;
        r->plans[at] = (struct cs_whatif_plan_effect){.plan = (uint32_t)p, .changed = true,
                                                      .deals = b->plan_deals[p]};
        s->slot[p] = (uint32_t)++at;
        r->recomputed |= cs_whatif_plan_recomputes(b->ds, s->alt, p);
        r->credit_changed |= credit_changed(b->ds, s->alt, cur, p);
    }
    if (s->only)
        qsort(r->plans, s->nc, sizeof *r->plans, cmp_effect_plan);
    for (size_t i = 0; i < s->nc; i++)
        s->slot[r->plans[i].plan] = (uint32_t)(i + 1);
    r->n_plans = s->nc;
    return 0;
}

/* The alternative's view, by the route sim_start chose. */
static enum cs_status sim_alt_view(struct sim *s, struct cs_error *err)
{
    const struct cs_whatif_base *b = s->b;
    struct cs_whatif_priv *pv = b->priv;
    if (!s->r->recomputed) {
        view_from_tiers(s->av, s->pv, b->ds, b->cal, b->inc, b->inc, s->alt, s->changed_plan);
        return CS_OK;
    }
    /* An attainment table, thirteen bytes a deal: one at a time however
     * many simulations run, always the same one. */
    pthread_mutex_lock(&pv->recompute_lock);
    enum cs_status st = cs_incentives_recompute(b->ds, s->alt, b->cal, s->changed_plan,
                                                &pv->recompute_inc, err);
    if (st == CS_OK)
        view_from_tiers(s->av, s->pv, b->ds, b->cal, b->inc, pv->recompute_inc, s->alt, s->changed_plan);
    pthread_mutex_unlock(&pv->recompute_lock);
    return st;
}

/* With per_deal: the result's per-deal arrays, NAN but for the selected
 * deals, whose base values are set here.  -1: out of memory. */
static int sim_per_deal(struct sim *s)
{
    const struct cs_whatif_priv *pv = s->pv;
    struct cs_whatif_result *r = s->r;
    const size_t n = s->b->ds->deals.n;
    double **arrays[] = {&r->base_p, &r->base_commission_deal, &r->alt_p, &r->alt_commission_deal};
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) {
        double *v = *arrays[a] = cs_malloc_big(n, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < n; i++)
            v[i] = NAN;
    }
    for (size_t j = 0; j < s->m; j++) {
        r->base_commission_deal[pv->deal[j]] = s->bv->comm[j];
        if (s->b->fit)
            r->base_p[pv->deal[j]] = pv->p_full[j];
    }
    return 0;
}

/* The slot of the first changed plan among split deal i's credit rows
 * (its commission changed while its own plan did not). */
static uint32_t split_slot(const struct cs_incentives *inc, uint32_t i, const uint32_t *slot)
{
    const struct cs_credit_rows *cr = &inc->split;
    for (uint32_t k = cs_incentives_split_first(inc, i); k < cr->n && cr->deal[k] == i; k++)
        if (slot[cr->plan[k]])
            return slot[cr->plan[k]];
    return 0;   /* not reached */
}

/*
 * In one pass in deal order j: the alternative's levels, the changed
 * deals and the commission differences per cluster.  by_g is a stable
 * sort of j by cluster, so each cluster's rows and terms come in the
 * same order as when the clusters were walked one by one, and its sum
 * is the same.  Levels: the same function over the same deals in the
 * same order.  The base's are the same for every alternative (base_new
 * summed them); an alternative row whose plan inputs equal the base's
 * has the base's probability (pv->p_full), bit for bit.  -1: out of
 * memory.
 */
static int sim_compare(struct sim *s)
{
    const struct cs_whatif_base *b = s->b;
    const struct cs_whatif_priv *pv = s->pv;
    const struct view *bv = s->bv, *alt_view = s->av;
    const bool *changed_plan = s->changed_plan;
    const size_t m = s->m, k = s->k;
    const bool per_deal = s->per_deal;
    struct cs_whatif_result *r = s->r;
    double *alt_p = r->alt_p, *alt_cd = r->alt_commission_deal;
    double *cg = s->cg = cs_calloc_big(s->G, sizeof *cg);
    uint32_t *gpos = s->gpos = cs_calloc_big(s->G + 1, sizeof *gpos);
    double *plan_alt = s->plan_alt = cs_calloc_big(s->nc ? s->nc : 1, sizeof *plan_alt);
    const uint32_t *slot = s->slot;
    uint32_t *gslot = s->gslot = cs_calloc_big(s->G ? s->G : 1, sizeof *gslot);
    const struct cs_incentives *inc = b->inc;
    if (!cg || !gpos || !plan_alt || !gslot)
        return -1;
    double sr = 0, sc = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t g = pv->g[j];
        bool dm = alt_view->mr[j] != bv->mr[j], dt = alt_view->tc[j] != bv->tc[j],
             dl = alt_view->l14[j] != bv->l14[j];
        sc += alt_view->comm[j];
        if (per_deal)
            alt_cd[pv->deal[j]] = alt_view->comm[j];
        if (b->fit) {
            double p = pv->p_full[j];
            if (dm || dt || dl) {
                double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS], bg[CS_DEAL_TERMS];
                view_row(pv, alt_view, j, x);
                compact_row(pv, x, xk);
                p = logistic(dot(cluster_beta(pv, g, pv->beta, bg), xk, k));
            }
            sr += p;
            if (per_deal)
                alt_p[pv->deal[j]] = p;
        }
        r->changed_marginal_rate += dm;
        r->changed_tier_cross += dt;
        r->changed_last_14_days += dl;
        if (dm && (alt_view->mr[j] < b->rate_min || alt_view->mr[j] > b->rate_max))
            r->extrapolated++;
        if (dm || dt || dl || alt_view->comm[j] != bv->comm[j]) {
            /* only a deal with a credit row on a changed plan changes
             * (view_from_tiers); its model inputs only when its own is */
            uint32_t own = slot[inc->rp.plan[inc->rep_period[pv->deal[j]]]];
            if (!gslot[g])
                gslot[g] = slot[pv->g_plan[g]] ? slot[pv->g_plan[g]]
                           : own ? own : split_slot(inc, pv->deal[j], slot);
            if (dm || dt || dl)
                r->plans[own - 1].rows_changed++;
        }
        if (dm || dt || dl) {
            r->changed_rows++;
            gpos[g + 1]++;
        }
        if (changed_plan[pv->g_plan[g]])
            plan_alt[slot[pv->g_plan[g]] - 1] += alt_view->comm[j];
        if (alt_view->comm[j] != bv->comm[j]) {
            r->changed_commission++;
            cg[g] += alt_view->comm[j] - bv->comm[j];
        }
    }
    r->base_risky = b->fit ? pv->level_risky : NAN;
    r->alt_risky = b->fit ? sr : NAN;
    r->base_risky_promises = r->base_risky * b->promises_per_risky;
    r->alt_risky_promises = r->alt_risky * b->promises_per_risky;
    r->base_commission = pv->level_comm;
    r->alt_commission = sc;
    return 0;
}

/*
 * The changed rows grouped by cluster, for the risky differences (with a
 * model; without one there is nothing to group): gpos's counts become
 * offsets, then each group's next free row.  And the group rows' scratch
 * of the estimate and of each of the two draw jobs.  -1: out of memory.
 */
static int sim_group(struct sim *s)
{
    const struct cs_whatif_priv *pv = s->pv;
    const struct view *bv = s->bv, *alt_view = s->av;
    const size_t G = s->G, changed_rows = s->r->changed_rows;
    struct cs_whatif_work *work = s->work;
    struct changed *c = &s->c;
    uint32_t *gpos = s->gpos;
    size_t ngroups = 0;
    for (size_t g = 0; g < G; g++) {
        ngroups += gpos[g + 1] != 0;
        gpos[g + 1] += gpos[g];
    }
    c->k = s->k;
    c->gslot = s->gslot;
    c->pv = pv;
    c->bv = bv;
    c->av = alt_view;
    if (s->b->fit && changed_rows) {
        if (changed_rows > work->rows_cap) {
            free(work->rows);
            work->rows = cs_malloc_big(changed_rows, sizeof *work->rows);
            work->rows_cap = work->rows ? changed_rows : 0;
        }
        uint32_t *rows = work->rows;
        c->j = rows;
        c->group_g = cs_malloc_big(ngroups, sizeof *c->group_g);
        c->group_start = cs_malloc_big(ngroups + 1, sizeof *c->group_start);
        if (!rows || !c->group_g || !c->group_start)
            return -1;
        for (size_t g = 0; g < G; g++) {
            if (gpos[g + 1] == gpos[g])
                continue;
            size_t nh = gpos[g + 1] - gpos[g];
            c->group_g[c->ngroups] = (uint32_t)g;
            c->group_start[c->ngroups++] = gpos[g];
            c->max_rows = nh > c->max_rows ? nh : c->max_rows;
        }
        c->group_start[c->ngroups] = (uint32_t)changed_rows;
        c->n = changed_rows;
        for (size_t j = 0; j < s->m; j++) {   /* gpos[g] becomes the next free row of g */
            if (alt_view->mr[j] == bv->mr[j] && alt_view->tc[j] == bv->tc[j] &&
                alt_view->l14[j] == bv->l14[j])
                continue;
            rows[gpos[pv->g[j]]++] = (uint32_t)j;
        }
    }
    for (int i = 0; i < (s->b->intervals ? 3 : 1); i++)
        if (!scratch_alloc(&s->gs[i], c->max_rows, s->k, s->D))
            return -1;
    return 0;
}

/* Point estimates: the draw with every weight 1 and the estimate; per
 * changed plan likewise.  -1: out of memory. */
static int sim_estimates(struct sim *s)
{
    const struct cs_whatif_base *b = s->b;
    const struct cs_whatif_priv *pv = s->pv;
    const size_t nc = s->nc;
    struct cs_whatif_result *r = s->r;
    double *pp = cs_calloc_big(nc ? nc : 1, sizeof *pp);
    if (!pp)
        return -1;
    if (b->fit) {
        r->risky.estimate = risky_diff(&s->c, pv->beta, pp, &s->gs[0]);
        for (size_t i = 0; i < nc; i++)
            r->plans[i].risky.estimate = pp[i];
    } else {
        r->risky = no_diff();
        for (size_t i = 0; i < nc; i++)
            r->plans[i].risky = no_diff();
    }
    free(pp);
    r->risky_promises.estimate = r->risky.estimate * b->promises_per_risky;
    r->commission.estimate = 0;
    for (size_t g = 0; g < s->G; g++) {
        r->commission.estimate += s->cg[g];
        uint32_t at = s->gslot[g];
        if (at)
            r->plans[at - 1].commission.estimate += s->cg[g];
    }
    /* Per plan: the base's sums are the same for every alternative. */
    for (size_t i = 0; i < nc; i++) {
        r->plans[i].base_commission = pv->plan_comm[r->plans[i].plan];
        r->plans[i].alt_commission = s->plan_alt[i];
    }
    return 0;
}

/* The commission draws, over the clusters whose commission moved (in
 * cluster order, as a walk over all of them that skips the rest). */
static void commission_draws(struct sim *s)
{
    const struct cs_whatif_priv *pv = s->pv;
    const size_t G = s->G, nc = s->nc;
    const double *cg = s->cg;
    uint32_t *moved = s->gpos;   /* G + 1 places, done with as offsets */
    size_t n_moved = 0;
    for (size_t g = 0; g < G; g++)
        if (cg[g] != 0)
            moved[n_moved++] = (uint32_t)g;
    for (size_t d = 0; d < s->D; d++) {
        for (size_t t = 0; t < n_moved; t++) {
            uint32_t g = moved[t], wg = draw_w(pv, d, G, g);
            if (wg == 0)
                continue;
            s->dc[d] += wg * cg[g];
            s->dcp[d * nc + s->gslot[g] - 1] += wg * cg[g];
        }
    }
}

/* The risky draws: the draws split in two ranges (draw_range), the second
 * on another thread when the work allows two and there is enough of it. */
static void risky_draws(struct sim *s)
{
    const struct changed *c = &s->c;
    const size_t D = s->D;
    if (!(s->b->fit && c->n && s->b->intervals))
        return;
    struct draw_job jobs[2] = {
        {c, s->pv, s->G, 0, D / 2, s->nc, s->dr, s->drp, &s->gs[1]},
        {c, s->pv, s->G, D / 2, D, s->nc, s->dr, s->drp, &s->gs[2]},
    };
    pthread_t th;
    bool threaded = s->work->threads > 1 && c->n * D > 100000 &&
                    pthread_create(&th, NULL, draw_range, &jobs[1]) == 0;
    draw_range(&jobs[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        draw_range(&jobs[1]);
}

/* The bootstrap: every draw's differences.  -1: out of memory. */
static int sim_draws(struct sim *s)
{
    const size_t D = s->D, nc = s->nc ? s->nc : 1;
    s->dr = cs_calloc_big(D, sizeof *s->dr);
    s->drp = cs_calloc_big(D * nc, sizeof *s->drp);
    s->dc = cs_calloc_big(D, sizeof *s->dc);
    s->dcp = cs_calloc_big(D * nc, sizeof *s->dcp);
    s->scratch = cs_malloc_big(D, sizeof *s->scratch);
    if (!s->dr || !s->drp || !s->dc || !s->dcp || !s->scratch)
        return -1;
    commission_draws(s);
    risky_draws(s);
    return 0;
}

/* The 95% intervals of every difference, overall and per changed plan. */
static void sim_intervals(struct sim *s)
{
    const struct cs_whatif_base *b = s->b;
    const size_t D = s->D, np = s->nc;
    struct cs_whatif_result *r = s->r;
    double *scratch = s->scratch;
    bool ok = b->intervals;
    bool rok = ok && b->fit;
    for (size_t d = 0; d < D; d++)
        scratch[d] = s->dr[d];
    if (b->fit)
        interval(&r->risky, scratch, D, rok);
    for (size_t d = 0; d < D; d++)
        scratch[d] = s->dr[d] * s->pv->m_draw[d];
    if (b->fit)
        interval(&r->risky_promises, scratch, D, rok);
    else
        r->risky_promises = no_diff();
    memcpy(scratch, s->dc, D * sizeof *scratch);
    interval(&r->commission, scratch, D, ok);
    for (size_t p = 0; p < np; p++) {
        if (b->fit) {
            for (size_t d = 0; d < D; d++)
                scratch[d] = s->drp[d * np + p];
            interval(&r->plans[p].risky, scratch, D, rok);
        }
        for (size_t d = 0; d < D; d++)
            scratch[d] = s->dcp[d * np + p];
        interval(&r->plans[p].commission, scratch, D, ok);
    }
}

enum cs_status cs_whatif_simulate(const struct cs_whatif_base *b, const struct cs_plans *alt,
                                  bool per_deal, struct cs_whatif_result **out,
                                  struct cs_error *err)
{
    return cs_whatif_simulate_in(b, b->priv->work, alt, per_deal, out, err);
}

enum cs_status cs_whatif_simulate_in(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                     const struct cs_plans *alt, bool per_deal,
                                     struct cs_whatif_result **out, struct cs_error *err)
{
    return cs_whatif_simulate_only(b, work, alt, NULL, 0, per_deal, out, err);
}

enum cs_status cs_whatif_simulate_only(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                       const struct cs_plans *alt, const uint32_t *only,
                                       size_t n_only, bool per_deal,
                                       struct cs_whatif_result **out, struct cs_error *err)
{
    const struct cs_whatif_priv *pv = b->priv;
    struct sim s = {.b = b, .pv = pv, .work = work, .alt = alt, .only = only, .n_only = n_only,
                    .per_deal = per_deal, .m = pv->m, .G = b->reps, .D = b->draws,
                    .np = b->ds->plans.n, .k = pv->k, .bv = &pv->full, .av = &work->alt};
    enum cs_status st;
    *out = NULL;
    if (alt->n != s.np)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "alternative plans: %zu plans where the data has %zu", alt->n, s.np);
    for (size_t i = 0; only && i < n_only; i++)
        if (only[i] >= s.np)
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "alternative plans: plan %u of %zu", (unsigned)only[i], s.np);
    if ((st = check_alt(b->ds, alt, only, n_only, err)) != CS_OK)
        return st;
    if (sim_start(&s) != 0) {
        st = cs_whatif_oom(err);
        goto out;
    }
    if ((st = sim_alt_view(&s, err)) != CS_OK)
        goto out;
    if ((per_deal && sim_per_deal(&s) != 0) || sim_compare(&s) != 0 || sim_group(&s) != 0 ||
        sim_estimates(&s) != 0 || sim_draws(&s) != 0) {
        st = cs_whatif_oom(err);
        goto out;
    }
    sim_intervals(&s);
    *out = s.r;
    s.r = NULL;
out:
    cs_whatif_result_free(s.r);
    sim_done(&s);
    return st;
}

/* The place of plan p in r->plans (in plan order), or r->n_plans. */
static size_t effect_index(const struct cs_whatif_result *r, size_t p)
{
    size_t lo = 0, hi = r->n_plans;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->plans[mid].plan < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_plans && r->plans[lo].plan == p ? lo : r->n_plans;
}

bool cs_whatif_result_changes(const struct cs_whatif_result *r, size_t p)
{
    return effect_index(r, p) < r->n_plans;
}

void cs_whatif_plan_effect_of(const struct cs_whatif_base *b, const struct cs_whatif_result *r,
                              size_t p, struct cs_whatif_plan_effect *out)
{
    size_t at = effect_index(r, p);
    if (at < r->n_plans) {
        *out = r->plans[at];
        return;
    }
    /* Unchanged: its deals carry the base's bits, so every difference and
     * every draw of it is exactly 0 (an interval only where there are
     * intervals, risky figures only with a model). */
    bool ok = b->intervals;
    double c = b->priv->plan_comm[p];
    struct cs_whatif_diff zero = {0.0, ok ? 0.0 : NAN, ok ? 0.0 : NAN};
    *out = (struct cs_whatif_plan_effect){.plan = (uint32_t)p, .changed = false,
                                          .deals = b->plan_deals[p], .rows_changed = 0,
                                          .base_commission = c, .alt_commission = c,
                                          .risky = b->fit ? zero : (struct cs_whatif_diff){NAN, NAN, NAN},
                                          .commission = zero};
}
