/* whatif_priv.h - the what-if base's private layout, shared by base.c and simulate.c (private to src/whatif/). */
#ifndef COMPSIGHT_WHATIF_PRIV_H
#define COMPSIGHT_WHATIF_PRIV_H

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compsight/analysis.h"
#include "compsight/whatif.h"

/*
 * Layout.  The selected won deals are numbered j = 0..m-1 in deal order
 * (the order of the report's model rows).  Everything per deal that a
 * plan can change lives in a "view": marginal_rate, tier_cross,
 * last_14_days (the plan-dependent model inputs) and commission.  The
 * base view is read from the inc the report uses.  An alternative's view
 * copies the base view for the deals of plans it leaves alone, and gives
 * the others the tier maths of cs_incentives_compute on the new tiers,
 * with a0 and Q from one of two routes:
 *   tiers: every plan keeps its period type and quota, so a0 and Q are
 *          those of the current plans (the base's table);
 *   full:  a period type or quota changed, and cs_incentives_recompute
 *          redoes SPEC 5's attainment for the changed plans' deals.
 * Either way a deal whose plan did not change carries exactly the base's
 * bits, so identical plans give differences of exactly 0; and a deal of
 * a changed plan is computed as cs_incentives_compute would compute it
 * (test_whatif.c checks both routes against a full compute).
 */

struct view {
    double *mr;              /* marginal_rate */
    int8_t *tc;              /* tier_cross */
    int8_t *l14;             /* last_14_days */
    double *comm;            /* commission */
};

/* A resampling count too large for a byte, at its place d * G + g of w. */
struct cs_w_big {
    size_t at;
    uint32_t count;
};
#define CS_W_BIG 15u

struct cs_whatif_priv {
    size_t m;                /* selected deals */
    uint32_t *deal;          /* deal index of j */
    uint32_t *g;             /* cluster (rep) number of j */
    uint32_t *by_g;          /* j ordered by cluster, deal order within */
    uint32_t *g_start;       /* G + 1 offsets into by_g */
    uint32_t *g_plan;        /* plan index of cluster g */
    /* the model inputs no plan changes, per deal (of j: deal[j]) */
    const double *log_amount;    /* inc's */
    const int8_t *spiff;         /* inc's */
    const uint8_t *type;         /* ds->deals' */
    uint8_t *y;              /* promise_risk of j */
    uint32_t *risky_promises;    /* of j */
    struct view full;        /* the base view, from inc */
    /* model */
    size_t k;                /* kept terms (within: 1 + the within fit's, the first being the
                                intercept column, whose coefficient is the rep's a_g) */
    size_t col[CS_DEAL_TERMS];
    double beta[CS_DEAL_TERMS];   /* within: beta[0] = 0, a_g in alpha */
    double *alpha;           /* within: G intercepts a_g (-/+ INFINITY for a rep whose deals are
                                all risky or all not); NULL for the across-rep model */
    double *alpha_c;         /* within: G x k, c_g (column 0 unused): a draw's a_g is
                                alpha[g] - sum_t c_g[t] (beta_d[t] - beta[t]) */
    /* bootstrap: depends on the seed and the base only */
    uint8_t *w;              /* draws x G resampling counts, four bits each, two a byte (at
                                100,000 reps and 200 draws, 10 MB instead of 80): read with
                                draw_w; a count of CS_W_BIG or more is CS_W_BIG here and its
                                value in w_big */
    struct cs_w_big *w_big;  /* those counts, by place d * G + g, ascending (almost never any:
                                a count of 15 of G is about 1 in 15! a place) */
    size_t n_big;
    double *beta_draw;       /* draws x k coefficients (NULL without a model) */
    double *m_draw;          /* draws: risky promises per risky deal */
    int threads;
    double *p_full;          /* p of each row under the base view (with a model) */
    double level_risky;      /* sum of p_full, in row order (with a model) */
    double level_comm;       /* sum of the base view's commissions, in row order */
    double *plan_comm;       /* per plan: the same sum over the plan's rows */
    struct cs_whatif_work *work;   /* cs_whatif_simulate's */
    pthread_mutex_t recompute_lock;   /* one full recompute at a time, */
    struct cs_incentives *recompute_inc;   /* into this table, kept for the next */
    bool borrowed;           /* logit and firth belong to the caller */
};

/*
 * A simulation's working memory, kept from one call to the next: a
 * proposal simulates twenty options, and fresh arrays each time cost more
 * in page faults than the arithmetic on them.
 */
struct cs_whatif_work {
    struct view alt;         /* the alternative's view (m rows) */
    struct cs_plans plans;   /* cs_whatif_simulate_option's copy of the plans, with room for
                                MAX_TIERS_NEW more tiers; empty until its first option */
    uint32_t *rows;          /* the changed rows (j), rows_cap of them */
    size_t rows_cap;
    int threads;             /* for the bootstrap draws: 1 or 2 */
};

/* The most tiers an option's plan has (the proposal skips plans of more). */
#define MAX_TIERS_NEW 64

/*
 * The within-rep model (within.c): cs_whatif_within_fit fits
 * promise_risk_within on the base's selected deals into b->within, as
 * cs_analysis_run does (the same rows in the same order: the same bits);
 * cs_whatif_within_levels sets the model's terms (pv->k, col, beta: the
 * intercept first) from b->fit and each rep's intercept and its slope in
 * the coefficients (alpha, alpha_c), and the counts of the data rule;
 * cs_whatif_within_scores writes each cluster's score u (G x k) and
 * information h (G x k x k) of the conditional likelihood at the
 * estimate, k = pv->k - 1, for the bootstrap draws.  Errors: CS_ERR_NOMEM
 * and those of the conditional logit.
 */
enum cs_status cs_whatif_within_fit(struct cs_whatif_base *b, struct cs_error *err);
enum cs_status cs_whatif_within_levels(struct cs_whatif_base *b, struct cs_error *err);
enum cs_status cs_whatif_within_scores(const struct cs_whatif_base *b, double *u, double *h,
                                       struct cs_error *err);

/* A view of m rows (cs_malloc_big); -1 when out of memory, v then empty. */
int cs_whatif_view_alloc(struct view *v, size_t m);
void cs_whatif_view_free(struct view *v);   /* and zeroes it */

/* CS_ERR_NOMEM, "out of memory". */
enum cs_status cs_whatif_oom(struct cs_error *err);

/* ======================================================================
 * Per-row arithmetic, inline: the base and the bootstrap's hot loop both
 * run it on every row
 * ==================================================================== */

/* The logistic function exactly as cs_regress_predict_logit evaluates it. */
static inline double logistic(double eta)
{
    double e = exp(-fabs(eta));
    return eta >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/* eta = sum_t beta_t x_t over the kept terms, in term order (as cs_regress_predict). */
static inline double dot(const double *beta, const double *x, size_t k)
{
    double eta = 0;
    for (size_t t = 0; t < k; t++)
        eta += beta[t] * x[t];
    return eta;
}

/* Design row of j under view v (cs_analysis_deal_row's layout). */
static inline void view_row(const struct cs_whatif_priv *pv, const struct view *v, size_t j, double *x)
{
    x[0] = 1.0;
    x[1] = v->mr[j];
    x[2] = v->tc[j];
    x[3] = v->l14[j];
    uint32_t i = pv->deal[j];
    x[4] = pv->log_amount[i];
    x[5] = pv->spiff[i];
    x[6] = pv->type[i] == CS_TYPE_EXPANSION;
    x[7] = pv->type[i] == CS_TYPE_RENEWAL;
}

/* Cluster g's coefficients: beta itself for the across-rep model, else a
 * copy in buf with the rep's intercept a_g first (a draw's beta_d, moved
 * to first order in the draw's change). */
static inline const double *cluster_beta(const struct cs_whatif_priv *pv, uint32_t g,
                                         const double *beta, double *buf)
{
    if (!pv->alpha)
        return beta;
    const double *c = pv->alpha_c + (size_t)g * pv->k;
    double a = pv->alpha[g];
    for (size_t t = 0; t < pv->k; t++)
        buf[t] = beta[t];
    if (isfinite(a) && beta != pv->beta)
        for (size_t t = 1; t < pv->k; t++)
            a -= c[t] * (beta[t] - pv->beta[t]);
    buf[0] = a;
    return buf;
}

/* The kept terms of a design row, in term order. */
static inline void compact_row(const struct cs_whatif_priv *pv, const double *x, double *xk)
{
    for (size_t t = 0; t < pv->k; t++)
        xk[t] = x[pv->col[t]];
}

/* The big resampling count at place at of w (base.c). */
uint32_t cs_whatif_w_big(const struct cs_whatif_priv *pv, size_t at);

/* The four bits of w at place at: the count, or CS_W_BIG. */
static inline uint32_t draw_w_bits(const struct cs_whatif_priv *pv, size_t at)
{
    return (uint32_t)(pv->w[at >> 1] >> ((at & 1) * 4)) & 15u;
}

/* Draw d's resampling count of cluster g (G clusters). */
static inline uint32_t draw_w(const struct cs_whatif_priv *pv, size_t d, size_t G, size_t g)
{
    size_t at = d * G + g;
    uint32_t v = draw_w_bits(pv, at);
    return v == CS_W_BIG ? cs_whatif_w_big(pv, at) : v;
}

#endif
