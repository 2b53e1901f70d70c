/* whatif.c - SPEC 8: simulate alternative plans against the fitted promise_risk model, strawman options, ranking. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "compsight/analysis.h"
#include "compsight/whatif.h"
#include "compsight/mem.h"
#include "vecmath.h"

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
    size_t k;                /* kept terms */
    size_t col[CS_DEAL_TERMS];
    double beta[CS_DEAL_TERMS];
    /* bootstrap: depends on the seed and the base only */
    uint32_t *w;             /* draws x G resampling counts */
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
    uint32_t *rows;          /* the changed rows (j), rows_cap of them */
    size_t rows_cap;
    int threads;             /* for the bootstrap draws: 1 or 2 */
};

static void view_free(struct view *v);

struct cs_whatif_work *cs_whatif_work_new(const struct cs_whatif_base *b, int threads)
{
    struct cs_whatif_work *w = calloc(1, sizeof *w);
    if (w)
        w->threads = threads == 1 ? 1 : b->priv->threads;
    return w;
}

void cs_whatif_work_free(struct cs_whatif_work *w)
{
    if (!w)
        return;
    view_free(&w->alt);
    free(w->rows);
    free(w);
}

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}



/* ======================================================================
 * Small numerics
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

double cs_whatif_predict(const struct cs_regress_fit *fit, const double *x)
{
    return cs_regress_predict_logit(fit, x);
}

/*
 * Solve A d = b for a symmetric positive definite k x k A (row-major),
 * equilibrated by its diagonal first (the terms' scales differ by orders
 * of magnitude: rates near 0.1, log_amount near 10).  A is overwritten.
 * Returns -1 when A is not positive definite (a term without variation
 * among the resampled reps gives a zero diagonal).
 */
static int spd_solve(double *a, const double *b, double *d, size_t k)
{
    double s[CS_DEAL_TERMS], y[CS_DEAL_TERMS];
    for (size_t i = 0; i < k; i++) {
        if (!(a[i * k + i] > 0) || !isfinite(a[i * k + i]))
            return -1;
        s[i] = 1 / sqrt(a[i * k + i]);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            a[i * k + j] *= s[i] * s[j];
    /* Cholesky, lower triangle in place; a pivot below 1e-12 (the scaled
     * diagonal is 1) means the information is numerically singular. */
    for (size_t j = 0; j < k; j++) {
        double v = a[j * k + j];
        for (size_t p = 0; p < j; p++)
            v -= a[j * k + p] * a[j * k + p];
        if (!(v > 1e-12))
            return -1;
        double l = sqrt(v);
        a[j * k + j] = l;
        for (size_t i = j + 1; i < k; i++) {
            double u = a[i * k + j];
            for (size_t p = 0; p < j; p++)
                u -= a[i * k + p] * a[j * k + p];
            a[i * k + j] = u / l;
        }
    }
    for (size_t i = 0; i < k; i++) {       /* L y = S b */
        double u = s[i] * b[i];
        for (size_t p = 0; p < i; p++)
            u -= a[i * k + p] * y[p];
        y[i] = u / a[i * k + i];
    }
    for (size_t i = k; i-- > 0;) {         /* L' z = y, d = S z */
        double u = y[i];
        for (size_t p = i + 1; p < k; p++)
            u -= a[p * k + i] * y[p];
        y[i] = u / a[i * k + i];
    }
    for (size_t i = 0; i < k; i++)
        d[i] = s[i] * y[i];
    return 0;
}

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

/* ======================================================================
 * Views
 * ==================================================================== */

static void view_free(struct view *v)
{
    free(v->mr);
    free(v->tc);
    free(v->l14);
    free(v->comm);
    memset(v, 0, sizeof *v);
}

static int view_alloc(struct view *v, size_t m)
{
    v->mr = cs_malloc_big(m, sizeof *v->mr);
    v->tc = cs_malloc_big(m, sizeof *v->tc);
    v->l14 = cs_malloc_big(m, sizeof *v->l14);
    v->comm = cs_malloc_big(m, sizeof *v->comm);
    if (v->mr && v->tc && v->l14 && v->comm)
        return 0;
    view_free(v);
    return -1;
}

/* Row j of v: deal i's measures in inc, or row j of another view. */
static void view_row_from_inc(struct view *v, size_t j, const struct cs_incentives *inc, size_t i)
{
    v->mr[j] = inc->marginal_rate[i];
    v->tc[j] = inc->tier_cross[i];
    v->l14[j] = inc->last_14_days[i];
    v->comm[j] = inc->commission[i];
}

static void view_row_copy(struct view *v, const struct view *src, size_t j)
{
    v->mr[j] = src->mr[j];
    v->tc[j] = src->tc[j];
    v->l14[j] = src->l14[j];
    v->comm[j] = src->comm[j];
}

/* The measures as an inc computed them (the base). */
static void view_from_inc(struct view *v, const struct cs_whatif_priv *pv,
                          const struct cs_incentives *inc)
{
    for (size_t j = 0; j < pv->m; j++)
        view_row_from_inc(v, j, inc, pv->deal[j]);
}

/*
 * The alternative's view: deals of plans that changed get the tier maths
 * of plans on the a0 and Q of att (cs_incentives_deal, the function
 * cs_incentives_compute's last pass uses); the others copy the base view.  att is the base's
 * table when only tiers changed (the tiers route), or a recompute of the
 * changed plans' attainment (the full route: a period type or a quota
 * changed), which has no last_14_days: it comes from att's plan period.
 */
static void view_from_tiers(struct view *v, const struct cs_whatif_priv *pv,
                            const struct cs_dataset *ds, const struct cs_calendar *cal,
                            const struct cs_incentives *att, const struct cs_plans *plans,
                            const bool *plan_changed)
{
    for (size_t j = 0; j < pv->m; j++) {
        uint32_t i = pv->deal[j];
        uint32_t p = ds->reps.plan[ds->deals.rep[i]];
        if (!plan_changed[p]) {
            view_row_copy(v, &pv->full, j);
            continue;
        }
        uint32_t rp = att->rep_period[i];
        (void)cs_incentives_deal(plans->floor + plans->tier_first[p],
                                 plans->rate + plans->tier_first[p], plans->tier_count[p],
                                 att->rp.quota[rp], att->attainment_before[i],
                                 ds->deals.amount[i], &v->comm[j], &v->mr[j], &v->tc[j], NULL);
        if (att->last_14_days)
            v->l14[j] = att->last_14_days[i];
        else
            v->l14[j] = (int8_t)(cs_cal_period_last_day(cal, att->rp.period[rp]) -
                                 ds->deals.close[i] < 14);
    }
}

/* Design row of j under view v (cs_analysis_deal_row's layout). */
static void view_row(const struct cs_whatif_priv *pv, const struct view *v, size_t j, double *x)
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

/* The kept terms of a design row, in term order. */
static void compact_row(const struct cs_whatif_priv *pv, const double *x, double *xk)
{
    for (size_t t = 0; t < pv->k; t++)
        xk[t] = x[pv->col[t]];
}

/* ======================================================================
 * The base
 * ==================================================================== */

void cs_whatif_base_free(struct cs_whatif_base *b)
{
    if (!b)
        return;
    struct cs_whatif_priv *pv = b->priv;
    bool borrowed = pv && pv->borrowed;
    if (pv) {
        free(pv->deal);
        free(pv->g);
        free(pv->by_g);
        free(pv->g_start);
        free(pv->g_plan);
        free(pv->y);
        free(pv->risky_promises);
        view_free(&pv->full);
        cs_whatif_work_free(pv->work);
        pthread_mutex_destroy(&pv->recompute_lock);
        cs_incentives_free(pv->recompute_inc);
        free(pv->p_full);
        free(pv->plan_comm);
        free(pv->w);
        free(pv->beta_draw);
        free(pv->m_draw);
        free(pv);
    }
    if (!borrowed) {
        cs_regress_free((struct cs_regress_fit *)b->logit);
        cs_regress_free((struct cs_regress_fit *)b->firth);
    }
    free(b->plan_deals);
    free(b);
}

static void fit_notes(struct cs_whatif_base *b);

/* Fit SPEC 7.1 exactly as the report does: same rows, order, design, options. */
static enum cs_status fit_model(struct cs_whatif_base *b, const struct cs_outcomes *oc,
                                struct cs_error *err)
{
    const struct cs_whatif_priv *pv = b->priv;
    size_t m = pv->m;
    enum cs_status st = CS_OK;
    double *x = cs_malloc_big(m * CS_DEAL_TERMS, sizeof *x);
    double *y = cs_malloc_big(m, sizeof *y);
    uint32_t *cl = cs_malloc_big(m, sizeof *cl);
    if (!x || !y || !cl) {
        st = oom(err);
        goto out;
    }
    for (size_t j = 0; j < m; j++) {
        uint32_t i = pv->deal[j];
        cs_analysis_deal_row(b->ds, b->inc, i, x + j * CS_DEAL_TERMS);
        y[j] = oc->promise_risk[i];
        cl[j] = b->ds->deals.rep[i];
    }
    struct cs_regress_design d = {.n = m, .k = CS_DEAL_TERMS, .x = x, .y = y,
                                  .cluster = cl, .names = cs_deal_term_names};
    struct cs_regress_fit *logit = NULL, *firth = NULL;
    st = cs_regress_logit(&d, NULL, &logit, err);
    b->logit = logit;
    if (st != CS_OK)
        goto out;
    if (logit->separation) {
        st = cs_regress_firth(&d, NULL, &firth, err);
        b->firth = firth;
        if (st != CS_OK)
            goto out;
    }
    fit_notes(b);
out:
    free(x);
    free(y);
    free(cl);
    return st;
}

/* Which fit predictions use, and the caveat about it. */
static void fit_notes(struct cs_whatif_base *b)
{
    b->fit = b->firth ? b->firth : b->logit;
    if (!b->fit->fitted) {
        unsigned f = b->fit->flags & CS_REGRESS_UNFITTED;
        if (!f)
            f = b->fit->flags;                   /* singular from the first step */
        const char *why = cs_regress_flag_text(f & (~f + 1u));   /* the lowest flag set */
        b->model_note = *why ? why : "the promise_risk model could not be fitted";
        b->fit = NULL;
    } else if (b->firth) {
        b->model_note = "the promise_risk model shows separation: Firth's estimate is used, "
                        "and the risky-deal figures are rough";
    } else if (!b->fit->converged) {
        b->model_note = "the promise_risk fit did not converge: the risky-deal figures are rough";
    }
}

/*
 * The bootstrap draws.  Rep counts first (one stream, in draw order, so
 * the draws never depend on the thread count or on the alternative), then
 * per draw the risky promises per risky deal of the resampled reps and,
 * with a model, the one-step coefficients
 *     beta_d = beta^ + H_w^-1 sum_g (w_g - 1) u_g,   H_w = sum_g w_g H_g,
 * u_g = sum over rep g's deals of (y - p^) x and H_g = sum p^(1 - p^) x x'
 * at the estimate.  At the maximum-likelihood estimate sum_g u_g = 0, so
 * this is one Newton step on the resampled data from the full-data
 * estimate; centring by (w_g - 1) also keeps the draws centred on Firth's
 * estimate, where the plain scores do not sum to 0.  A draw whose H_w is
 * singular (a term without variation among the drawn reps) uses the
 * full-data H instead and is counted.
 */
static enum cs_status make_draws(struct cs_whatif_base *b, struct cs_error *err)
{
    struct cs_whatif_priv *pv = b->priv;
    const size_t G = b->reps, D = b->draws, k = pv->k, kk = k * k;
    enum cs_status st = CS_OK;
    double *u = NULL, *h = NULL, *rg = NULL, *rpg = NULL, *da = NULL, *dsc = NULL;
    gsl_rng *rng = NULL;

    pv->w = cs_calloc_big(D * G, sizeof *pv->w);
    pv->m_draw = cs_malloc_big(D, sizeof *pv->m_draw);
    rg = cs_calloc_big(G, sizeof *rg);
    rpg = cs_calloc_big(G, sizeof *rpg);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!pv->w || !pv->m_draw || !rg || !rpg || !rng) {
        st = oom(err);
        goto out;
    }
    gsl_rng_set(rng, (unsigned long)b->seed);
    for (size_t d = 0; d < D; d++) {
        uint32_t *w = pv->w + d * G;
        for (size_t t = 0; t < G; t++)
            w[gsl_rng_uniform_int(rng, (unsigned long)G)]++;
    }
    for (size_t j = 0; j < pv->m; j++) {
        rg[pv->g[j]] += pv->y[j];
        rpg[pv->g[j]] += pv->risky_promises[j];
    }
    for (size_t d = 0; d < D; d++) {
        const uint32_t *w = pv->w + d * G;
        double num = 0, den = 0;
        for (size_t g = 0; g < G; g++) {
            num += w[g] * rpg[g];
            den += w[g] * rg[g];
        }
        pv->m_draw[d] = den > 0 ? num / den : b->promises_per_risky;
    }
    if (!b->fit)
        goto out;

    u = cs_calloc_big(G * k, sizeof *u);
    h = cs_calloc_big(G * kk, sizeof *h);
    pv->beta_draw = cs_malloc_big(D * k, sizeof *pv->beta_draw);
    if (!u || !h || !pv->beta_draw) {
        st = oom(err);
        goto out;
    }
    for (size_t j = 0; j < pv->m; j++) {
        double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS];
        view_row(pv, &pv->full, j, x);
        compact_row(pv, x, xk);
        double p = logistic(dot(pv->beta, xk, k)), r = pv->y[j] - p, v = p * (1 - p);
        double *ug = u + (size_t)pv->g[j] * k, *hg = h + (size_t)pv->g[j] * kk;
        for (size_t s = 0; s < k; s++) {
            ug[s] += r * xk[s];
            for (size_t t = 0; t <= s; t++)
                hg[s * k + t] += v * xk[s] * xk[t];
        }
    }
    double hfull[CS_DEAL_TERMS * CS_DEAL_TERMS] = {0};
    for (size_t g = 0; g < G; g++)
        for (size_t s = 0; s < k; s++)
            for (size_t t = 0; t <= s; t++)
                hfull[s * k + t] += h[g * kk + s * k + t];
    for (size_t s = 0; s < k; s++)
        for (size_t t = 0; t < s; t++)
            hfull[t * k + s] = hfull[s * k + t];
    /* Every draw's H_w and score, cluster by cluster: each cluster's u
     * and H are read once for all the draws (at 62,500 reps, 32 MB read
     * once instead of once per draw), and each draw still adds the
     * clusters in cluster order, so its sums are the same. */
    da = cs_calloc_big(D * kk, sizeof *da);
    dsc = cs_calloc_big(D * k, sizeof *dsc);
    if (!da || !dsc) {
        st = oom(err);
        goto out;
    }
    for (size_t g = 0; g < G; g++) {
        const double *ug = u + g * k, *hg = h + g * kk;
        for (size_t d = 0; d < D; d++) {
            double wg = pv->w[d * G + g], c = wg - 1.0;
            double *a = da + d * kk, *sc = dsc + d * k;
            if (c != 0)
                for (size_t s = 0; s < k; s++)
                    sc[s] += c * ug[s];
            if (wg != 0)
                for (size_t s = 0; s < k; s++)
                    for (size_t t = 0; t <= s; t++)
                        a[s * k + t] += wg * hg[s * k + t];
        }
    }
    for (size_t d = 0; d < D; d++) {
        double a[CS_DEAL_TERMS * CS_DEAL_TERMS], sc[CS_DEAL_TERMS], step[CS_DEAL_TERMS];
        memcpy(a, da + d * kk, kk * sizeof *a);
        memcpy(sc, dsc + d * k, k * sizeof *sc);
        for (size_t s = 0; s < k; s++)
            for (size_t t = 0; t < s; t++)
                a[t * k + s] = a[s * k + t];
        if (spd_solve(a, sc, step, k) != 0) {
            memcpy(a, hfull, sizeof a);
            b->draws_fixed_hessian++;
            if (spd_solve(a, sc, step, k) != 0)
                memset(step, 0, sizeof step);   /* singular full information: noted below */
        }
        for (size_t s = 0; s < k; s++)
            pv->beta_draw[d * k + s] = pv->beta[s] + step[s];
    }
    /* A singular full-data information leaves the coefficients fixed; say so. */
    double probe[CS_DEAL_TERMS * CS_DEAL_TERMS], zero[CS_DEAL_TERMS] = {0}, dummy[CS_DEAL_TERMS];
    memcpy(probe, hfull, sizeof probe);
    if (spd_solve(probe, zero, dummy, k) != 0 && !*b->model_note)
        b->model_note = "the promise_risk model's information matrix is singular: the intervals "
                        "leave out the uncertainty of its coefficients";
out:
    gsl_rng_free(rng);
    free(da);
    free(dsc);
    free(u);
    free(h);
    free(rg);
    free(rpg);
    return st;
}

enum cs_status cs_whatif_base_new(const struct cs_dataset *ds, const struct cs_incentives *inc,
                                  const struct cs_outcomes *oc, const struct cs_selection *sel,
                                  const struct cs_whatif_options *opt,
                                  struct cs_whatif_base **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    const size_t n = ds->deals.n, nreps = ds->reps.n;
    uint32_t *rep_g = NULL;
    *out = NULL;
    if (sel->mode == CS_SELECT_EACH)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "a what-if covers one quarter or all of them, not each");
    if (!inc || inc->n != n || !oc || oc->n_deals != n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "what-if: measures not computed for this data set");

    struct cs_whatif_base *b = calloc(1, sizeof *b);
    struct cs_whatif_priv *pv = b ? calloc(1, sizeof *pv) : NULL;
    if (!pv || pthread_mutex_init(&pv->recompute_lock, NULL) != 0) {
        free(pv);
        free(b);
        return oom(err);
    }
    b->priv = pv;
    b->ds = ds;
    b->inc = inc;
    b->sel = *sel;
    b->model_note = "";
    b->seed = opt ? opt->seed : 1;
    b->draws = opt && opt->draws ? opt->draws : CS_WHATIF_DRAWS;
    pv->threads = opt && opt->threads == 1 ? 1 : 2;
    b->promise_data = ds->counts[CS_T_ROADMAP].present && ds->counts[CS_T_PROMISES].present;

    /* The selection, and the reps as clusters numbered in rep order. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += inc->won[i] && cs_selected(sel, inc->quarter[i]);
    if (m == 0) {
        cs_whatif_base_free(b);
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                            "no won deals in the selected period");
    }
    pv->m = b->deals = m;
    b->plan_deals = cs_calloc_big(ds->plans.n, sizeof *b->plan_deals);
    rep_g = cs_malloc_big(nreps, sizeof *rep_g);
    pv->deal = cs_malloc_big(m, sizeof *pv->deal);
    pv->g = cs_malloc_big(m, sizeof *pv->g);
    pv->by_g = cs_malloc_big(m, sizeof *pv->by_g);
    pv->y = cs_malloc_big(m, sizeof *pv->y);
    pv->risky_promises = cs_malloc_big(m, sizeof *pv->risky_promises);
    pv->log_amount = inc->log_amount;
    pv->spiff = inc->spiff;
    pv->type = ds->deals.type;
    if (!b->plan_deals || !rep_g || !pv->deal || !pv->g || !pv->by_g || !pv->y ||
        !pv->risky_promises ||
        view_alloc(&pv->full, m))
        goto nomem;
    for (size_t r = 0; r < nreps; r++)
        rep_g[r] = UINT32_MAX;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
            continue;
        pv->deal[j++] = (uint32_t)i;
        rep_g[ds->deals.rep[i]] = 0;
    }
    size_t G = 0;
    for (size_t r = 0; r < nreps; r++)
        if (rep_g[r] != UINT32_MAX)
            rep_g[r] = (uint32_t)G++;
    b->reps = G;
    b->intervals = G >= 2;
    pv->g_start = cs_calloc_big(G + 1, sizeof *pv->g_start);
    pv->g_plan = cs_malloc_big(G, sizeof *pv->g_plan);
    if (!pv->g_start || !pv->g_plan)
        goto nomem;
    b->rate_min = INFINITY;
    b->rate_max = -INFINITY;
    for (j = 0; j < m; j++) {
        uint32_t i = pv->deal[j], r = ds->deals.rep[i];
        pv->g[j] = rep_g[r];
        pv->g_plan[rep_g[r]] = ds->reps.plan[r];
        pv->g_start[rep_g[r] + 1]++;
        b->plan_deals[ds->reps.plan[r]]++;
        pv->y[j] = b->promise_data ? oc->promise_risk[i] : 0;
        pv->risky_promises[j] = b->promise_data ? oc->risky_promises[i] : 0;
        b->observed_risky += pv->y[j];
        b->observed_risky_promises += pv->risky_promises[j];
        double mr = inc->marginal_rate[i];
        b->rate_min = mr < b->rate_min ? mr : b->rate_min;
        b->rate_max = mr > b->rate_max ? mr : b->rate_max;
    }
    for (size_t g = 0; g < G; g++)
        pv->g_start[g + 1] += pv->g_start[g];
    {
        /* counting sort of j by cluster, stable */
        uint32_t *next = cs_malloc_big(G, sizeof *next);
        if (!next)
            goto nomem;
        memcpy(next, pv->g_start, G * sizeof *next);
        for (j = 0; j < m; j++)
            pv->by_g[next[pv->g[j]]++] = (uint32_t)j;
        free(next);
    }
    b->promises_per_risky = b->observed_risky
        ? (double)b->observed_risky_promises / (double)b->observed_risky : NAN;

    view_from_inc(&pv->full, pv, inc);

    if (!b->promise_data) {
        b->model_note = "no roadmap.csv and promises.csv: promises cannot be classified, so "
                        "risky deals cannot be predicted";
    } else if (opt && opt->logit) {
        pv->borrowed = true;
        b->logit = opt->logit;
        b->firth = opt->firth;
        fit_notes(b);
    } else if ((st = fit_model(b, oc, err)) != CS_OK) {
        goto fail;
    }
    if (b->fit) {
        pv->k = b->fit->k;
        for (size_t t = 0; t < pv->k; t++) {
            pv->col[t] = b->fit->terms[t].column;
            pv->beta[t] = b->fit->terms[t].estimate;
        }
    }
    if ((st = make_draws(b, err)) != CS_OK)
        goto fail;
    if (!(pv->work = cs_whatif_work_new(b, pv->threads)))
        goto nomem;
    if (b->fit) {
        /* every simulation compares with these: computed once */
        if (!(pv->p_full = cs_malloc_big(m, sizeof *pv->p_full)))
            goto nomem;
        for (j = 0; j < m; j++) {
            double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS];
            view_row(pv, &pv->full, j, x);
            compact_row(pv, x, xk);
            pv->p_full[j] = logistic(dot(pv->beta, xk, pv->k));
        }
        for (j = 0; j < m; j++)
            pv->level_risky += pv->p_full[j];
    }
    if (!(pv->plan_comm = cs_calloc_big(ds->plans.n, sizeof *pv->plan_comm)))
        goto nomem;
    for (j = 0; j < m; j++) {
        pv->level_comm += pv->full.comm[j];
        pv->plan_comm[pv->g_plan[pv->g[j]]] += pv->full.comm[j];
    }
    free(rep_g);
    *out = b;
    return CS_OK;
nomem:
    st = oom(err);
fail:
    free(rep_g);
    cs_whatif_base_free(b);
    return st;
}

bool cs_whatif_draw_coefficients(const struct cs_whatif_base *b, size_t d, double *beta)
{
    if (!b->fit || !b->priv->beta_draw || d >= b->draws)
        return false;
    memcpy(beta, b->priv->beta_draw + d * b->priv->k, b->priv->k * sizeof *beta);
    return true;
}

bool cs_whatif_draw_weights(const struct cs_whatif_base *b, size_t d, uint32_t *w)
{
    if (d >= b->draws)
        return false;
    memcpy(w, b->priv->w + d * b->reps, b->reps * sizeof *w);
    return true;
}

/* ======================================================================
 * Simulation
 * ==================================================================== */

/* The deals whose model inputs changed, grouped by cluster. */
struct changed {
    size_t k, n, ngroups, n_plans;
    size_t max_rows;         /* the most rows in one group */
    const struct cs_whatif_priv *pv;
    const struct view *bv, *av;   /* base and alternative */
    const uint32_t *j;       /* n changed rows, by group */
    uint32_t *group_g;       /* cluster of each group */
    uint32_t *group_start;   /* ngroups + 1 offsets into the rows */
    const uint32_t *g_plan;
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
 * cluster's sum in cluster order; per plan into per_plan[0..n_plans) when
 * not NULL.  The point estimate: one draw, every weight 1.
 */
static double risky_diff(const struct changed *c, const double *beta, double *per_plan,
                         struct scratch *sc)
{
    double total = 0;
    if (per_plan)
        for (size_t p = 0; p < c->n_plans; p++)
            per_plan[p] = 0;
    put_beta(sc, c->k, 1, 0, beta);
    for (size_t h = 0; h < c->ngroups; h++) {
        uint32_t g = c->group_g[h];
        size_t n = group_rows(c, h, sc->xb, sc->xa);
        group_sums(sc, c->k, n, 1);
        total += sc->s[0];
        if (per_plan)
            per_plan[c->g_plan[g]] += sc->s[0];
    }
    return total;
}

struct draw_job {
    const struct changed *c;
    const struct cs_whatif_priv *pv;
    size_t G, d0, d1, n_plans;
    double *dr, *drp;        /* per draw: risky difference, and per plan */
    struct scratch *sc;
};

/*
 * The bootstrap's hot loop, for draws d0..d1: per draw, the sum over
 * clusters of the cluster's resampling count times its sum of
 * p(x_alt) - p(x_base) under the draw's coefficients; per plan likewise.
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
        uint32_t plan = c->g_plan[g];
        size_t nd = 0;
        for (size_t d = jb->d0; d < jb->d1; d++)
            if (jb->pv->w[d * jb->G + g] != 0)
                sc->drawn[nd++] = (uint32_t)d;
        if (nd == 0)
            continue;
        size_t n = group_rows(c, h, sc->xb, sc->xa);
        for (size_t q0 = 0; q0 < nd; q0 += DRAW_BLOCK) {
            size_t nb = nd - q0 < DRAW_BLOCK ? nd - q0 : DRAW_BLOCK;
            for (size_t q = 0; q < nb; q++)
                put_beta(sc, k, nb, q, jb->pv->beta_draw + sc->drawn[q0 + q] * k);
            group_sums(sc, k, n, nb);
            for (size_t q = 0; q < nb; q++) {
                size_t d = sc->drawn[q0 + q];
                double wg = jb->pv->w[d * jb->G + g];
                jb->dr[d] += wg * sc->s[q];
                jb->drp[d * np + plan] += wg * sc->s[q];
            }
        }
    }
    return NULL;
}

static bool plan_changed(const struct cs_plans *a, const struct cs_plans *b, size_t p)
{
    if (a->period_type[p] != b->period_type[p] || a->quota[p] != b->quota[p] ||
        a->tier_count[p] != b->tier_count[p])
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
static enum cs_status check_alt(const struct cs_dataset *ds, const struct cs_plans *alt,
                                struct cs_error *err)
{
    for (size_t p = 0; p < alt->n; p++) {
        const char *pid = cs_ds_str(ds, ds->plans.id[p]);
        uint32_t f = alt->tier_first[p], n = alt->tier_count[p];
        if (alt->period_type[p] != CS_PERIOD_QUARTER && alt->period_type[p] != CS_PERIOD_YEAR)
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "period_type",
                                "alternative plan %s: bad period type", pid);
        if (!(alt->quota[p] > 0) || !isfinite(alt->quota[p]))
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "quota",
                                "alternative plan %s: quota must be > 0", pid);
        if (n == 0 || (size_t)f + n > alt->n_tiers || alt->floor[f] != 0)
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "tier_floor",
                                "alternative plan %s: needs a tier with floor 0", pid);
        for (uint32_t t = f; t < f + n; t++) {
            if (!isfinite(alt->floor[t]) || (t > f && !(alt->floor[t] > alt->floor[t - 1])))
                return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "tier_floor",
                                    "alternative plan %s: floors must be distinct and increasing", pid);
            if (!(alt->rate[t] >= 0) || !isfinite(alt->rate[t]))
                return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "rate",
                                    "alternative plan %s: rate must be >= 0", pid);
        }
    }
    return CS_OK;
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

bool cs_whatif_recomputes(const struct cs_dataset *ds, const struct cs_plans *alt)
{
    for (size_t p = 0; p < ds->plans.n && p < alt->n; p++)
        if (alt->period_type[p] != ds->plans.period_type[p] || alt->quota[p] != ds->plans.quota[p])
            return true;
    return false;
}

enum cs_status cs_whatif_simulate(const struct cs_whatif_base *b, const struct cs_calendar *cal,
                                  const struct cs_plans *alt, bool per_deal,
                                  struct cs_whatif_result **out, struct cs_error *err)
{
    return cs_whatif_simulate_in(b, b->priv->work, cal, alt, per_deal, out, err);
}

enum cs_status cs_whatif_simulate_in(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                     const struct cs_calendar *cal, const struct cs_plans *alt,
                                     bool per_deal, struct cs_whatif_result **out,
                                     struct cs_error *err)
{
    const struct cs_dataset *ds = b->ds;
    const struct cs_whatif_priv *pv = b->priv;
    const size_t m = pv->m, G = b->reps, D = b->draws, np = ds->plans.n, k = pv->k;
    enum cs_status st = CS_OK;
    struct view *alt_view = &work->alt;
    struct changed c = {0};
    bool *changed_plan = NULL;
    double *cg = NULL, *plan_alt = NULL, *dr = NULL, *drp = NULL, *dc = NULL, *dcp = NULL, *scratch = NULL;
    struct scratch gs[3] = {{0}};   /* the estimate's, and each draw job's */
    uint32_t *gpos = NULL;
    *out = NULL;
    if (alt->n != np)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "alternative plans: %zu plans where the data has %zu", alt->n, np);
    if ((st = check_alt(ds, alt, err)) != CS_OK)
        return st;
    struct cs_whatif_result *r = calloc(1, sizeof *r);
    if (!r || !(r->plans = cs_calloc_big(np, sizeof *r->plans)) || (!alt_view->mr && view_alloc(alt_view, m)))
        goto nomem;
    r->n_plans = np;

    /* The route: only tiers changed, or SPEC 5 in full. */
    changed_plan = cs_calloc_big(np, sizeof *changed_plan);
    if (!changed_plan)
        goto nomem;
    for (size_t p = 0; p < np; p++) {
        r->plans[p].changed = changed_plan[p] = plan_changed(alt, &ds->plans, p);
        r->plans[p].deals = b->plan_deals[p];
    }
    r->recomputed = cs_whatif_recomputes(ds, alt);
    const struct view *bv = &pv->full;
    if (r->recomputed) {
        /* An attainment table, thirteen bytes a deal: one at a time
         * however many simulations run, always the same one. */
        pthread_mutex_lock(&b->priv->recompute_lock);
        st = cs_incentives_recompute(ds, alt, cal, changed_plan, &b->priv->recompute_inc, err);
        if (st == CS_OK)
            view_from_tiers(alt_view, pv, ds, cal, b->priv->recompute_inc, alt, changed_plan);
        pthread_mutex_unlock(&b->priv->recompute_lock);
        if (st != CS_OK)
            goto fail;
    } else {
        view_from_tiers(alt_view, pv, ds, cal, b->inc, alt, changed_plan);
    }

    /* Levels: the same function over the same deals in the same order.
     * The base's are the same for every alternative (base_new summed
     * them); an alternative row whose plan inputs equal the base's has
     * the base's probability (pv->p_full), bit for bit. */
    double *pdeal[2] = {NULL, NULL}, *cdeal[2] = {NULL, NULL};
    if (per_deal) {
        for (int v = 0; v < 2; v++) {
            if (!(pdeal[v] = cs_malloc_big(ds->deals.n, sizeof *pdeal[v])) ||
                !(cdeal[v] = cs_malloc_big(ds->deals.n, sizeof *cdeal[v])))
                goto nomem_deal;
            for (size_t i = 0; i < ds->deals.n; i++)
                pdeal[v][i] = cdeal[v][i] = NAN;
        }
        for (size_t j = 0; j < m; j++) {
            cdeal[0][pv->deal[j]] = bv->comm[j];
            if (b->fit)
                pdeal[0][pv->deal[j]] = pv->p_full[j];
        }
    }
    r->base_p = pdeal[0];
    r->alt_p = pdeal[1];
    r->base_commission_deal = cdeal[0];
    r->alt_commission_deal = cdeal[1];

    /* In one pass in deal order j: the alternative's levels, the changed
     * deals and the commission differences per cluster.  by_g is a stable
     * sort of j by cluster, so each cluster's rows and terms come in the
     * same order as when the clusters were walked one by one, and its sum
     * is the same. */
    cg = cs_calloc_big(G, sizeof *cg);
    gpos = cs_calloc_big(G + 1, sizeof *gpos);   /* changed rows per cluster, then where they go */
    plan_alt = cs_calloc_big(np, sizeof *plan_alt);   /* alternative commissions of changed plans */
    if (!cg || !gpos || !plan_alt)
        goto nomem;
    double sr = 0, sc = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t g = pv->g[j];
        bool dm = alt_view->mr[j] != bv->mr[j], dt = alt_view->tc[j] != bv->tc[j],
             dl = alt_view->l14[j] != bv->l14[j];
        sc += alt_view->comm[j];
        if (per_deal)
            cdeal[1][pv->deal[j]] = alt_view->comm[j];
        if (b->fit) {
            double p = pv->p_full[j];
            if (dm || dt || dl) {
                double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS];
                view_row(pv, alt_view, j, x);
                compact_row(pv, x, xk);
                p = logistic(dot(pv->beta, xk, k));
            }
            sr += p;
            if (per_deal)
                pdeal[1][pv->deal[j]] = p;
        }
        r->changed_marginal_rate += dm;
        r->changed_tier_cross += dt;
        r->changed_last_14_days += dl;
        if (dm && (alt_view->mr[j] < b->rate_min || alt_view->mr[j] > b->rate_max))
            r->extrapolated++;
        if (dm || dt || dl) {
            r->changed_rows++;
            r->plans[pv->g_plan[g]].rows_changed++;
            gpos[g + 1]++;
        }
        if (changed_plan[pv->g_plan[g]])
            plan_alt[pv->g_plan[g]] += alt_view->comm[j];
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
    size_t ngroups = 0;
    for (size_t g = 0; g < G; g++) {
        ngroups += gpos[g + 1] != 0;
        gpos[g + 1] += gpos[g];
    }
    c.k = k;
    c.n_plans = np;
    c.g_plan = pv->g_plan;
    c.pv = pv;
    c.bv = bv;
    c.av = alt_view;
    if (b->fit && r->changed_rows) {
        if (r->changed_rows > work->rows_cap) {
            free(work->rows);
            work->rows = cs_malloc_big(r->changed_rows, sizeof *work->rows);
            work->rows_cap = work->rows ? r->changed_rows : 0;
        }
        uint32_t *rows = work->rows;
        c.j = rows;
        c.group_g = cs_malloc_big(ngroups, sizeof *c.group_g);
        c.group_start = cs_malloc_big(ngroups + 1, sizeof *c.group_start);
        if (!rows || !c.group_g || !c.group_start)
            goto nomem;
        for (size_t g = 0; g < G; g++) {
            if (gpos[g + 1] == gpos[g])
                continue;
            size_t nh = gpos[g + 1] - gpos[g];
            c.group_g[c.ngroups] = (uint32_t)g;
            c.group_start[c.ngroups++] = gpos[g];
            c.max_rows = nh > c.max_rows ? nh : c.max_rows;
        }
        c.group_start[c.ngroups] = (uint32_t)r->changed_rows;
        c.n = r->changed_rows;
        for (size_t j = 0; j < m; j++) {   /* gpos[g] becomes the next free row of g */
            if (alt_view->mr[j] == bv->mr[j] && alt_view->tc[j] == bv->tc[j] &&
                alt_view->l14[j] == bv->l14[j])
                continue;
            rows[gpos[pv->g[j]]++] = (uint32_t)j;
        }
    }

    /* Group rows: for the estimate and for each of the two draw jobs. */
    for (int i = 0; i < (b->intervals ? 3 : 1); i++)
        if (!scratch_alloc(&gs[i], c.max_rows, k, D))
            goto nomem;

    /* Point estimates: the draw with every weight 1 and the estimate. */
    double *pp = cs_calloc_big(np, sizeof *pp);
    if (!pp)
        goto nomem;
    if (b->fit) {
        r->risky.estimate = risky_diff(&c, pv->beta, pp, &gs[0]);
        for (size_t p = 0; p < np; p++)
            r->plans[p].risky.estimate = pp[p];
    } else {
        r->risky = no_diff();
        for (size_t p = 0; p < np; p++)
            r->plans[p].risky = no_diff();
    }
    free(pp);
    r->risky_promises.estimate = r->risky.estimate * b->promises_per_risky;
    r->commission.estimate = 0;
    for (size_t g = 0; g < G; g++) {
        r->commission.estimate += cg[g];
        r->plans[pv->g_plan[g]].commission.estimate += cg[g];
    }
    /* Per plan: the base's sums are the same for every alternative, and
     * an unchanged plan's rows carry the base's commissions. */
    for (size_t p = 0; p < np; p++) {
        r->plans[p].base_commission = pv->plan_comm[p];
        r->plans[p].alt_commission = changed_plan[p] ? plan_alt[p] : pv->plan_comm[p];
    }

    /* The bootstrap. */
    dr = cs_calloc_big(D, sizeof *dr);
    drp = cs_calloc_big(D * np, sizeof *drp);
    dc = cs_calloc_big(D, sizeof *dc);
    dcp = cs_calloc_big(D * np, sizeof *dcp);
    scratch = cs_malloc_big(D, sizeof *scratch);
    if (!dr || !drp || !dc || !dcp || !scratch)
        goto nomem;
    /* The commission draws, over the clusters whose commission moved (in
     * cluster order, as a walk over all of them that skips the rest). */
    uint32_t *moved = gpos;   /* G + 1 places, done with as offsets */
    size_t n_moved = 0;
    for (size_t g = 0; g < G; g++)
        if (cg[g] != 0)
            moved[n_moved++] = (uint32_t)g;
    for (size_t d = 0; d < D; d++) {
        const uint32_t *w = pv->w + d * G;
        for (size_t t = 0; t < n_moved; t++) {
            uint32_t g = moved[t];
            if (w[g] == 0)
                continue;
            dc[d] += w[g] * cg[g];
            dcp[d * np + pv->g_plan[g]] += w[g] * cg[g];
        }
    }
    if (b->fit && c.n && b->intervals) {
        struct draw_job jobs[2] = {
            {&c, pv, G, 0, D / 2, np, dr, drp, &gs[1]},
            {&c, pv, G, D / 2, D, np, dr, drp, &gs[2]},
        };
        pthread_t th;
        bool threaded = work->threads > 1 && c.n * D > 100000 &&
                        pthread_create(&th, NULL, draw_range, &jobs[1]) == 0;
        draw_range(&jobs[0]);
        if (threaded)
            pthread_join(th, NULL);
        else
            draw_range(&jobs[1]);
    }
    bool ok = b->intervals;
    bool rok = ok && b->fit;
    for (size_t d = 0; d < D; d++)
        scratch[d] = dr[d];
    if (b->fit)
        interval(&r->risky, scratch, D, rok);
    for (size_t d = 0; d < D; d++)
        scratch[d] = dr[d] * pv->m_draw[d];
    if (b->fit)
        interval(&r->risky_promises, scratch, D, rok);
    else
        r->risky_promises = no_diff();
    memcpy(scratch, dc, D * sizeof *scratch);
    interval(&r->commission, scratch, D, ok);
    for (size_t p = 0; p < np; p++) {
        if (b->fit) {
            for (size_t d = 0; d < D; d++)
                scratch[d] = drp[d * np + p];
            interval(&r->plans[p].risky, scratch, D, rok);
        }
        for (size_t d = 0; d < D; d++)
            scratch[d] = dcp[d * np + p];
        interval(&r->plans[p].commission, scratch, D, ok);
    }
    goto done;

nomem_deal:
    for (int v = 0; v < 2; v++) {
        free(pdeal[v]);
        free(cdeal[v]);
    }
nomem:
    st = oom(err);
fail:
    cs_whatif_result_free(r);
    r = NULL;
done:
    free(changed_plan);
    changed_free(&c);
    free(cg);
    free(plan_alt);
    free(dr);
    free(drp);
    free(dc);
    free(dcp);
    free(scratch);
    for (int i = 0; i < 3; i++)
        scratch_free(&gs[i]);
    free(gpos);
    *out = r;
    return st;
}

/* ======================================================================
 * Strawman options
 * ==================================================================== */

static const char *const kind_names[CS_WHATIF_KIND_COUNT] = {
    "halve_step", "ramp_step", "remove_step", "cap_top", "decelerator", "yearly",
};

const char *cs_whatif_kind_name(enum cs_whatif_kind k)
{
    return (unsigned)k < CS_WHATIF_KIND_COUNT ? kind_names[k] : "?";
}

/* Rounded to 10 decimals: short in a CSV, and read back as the same double. */
static double round10(double x)
{
    return round(x * 1e10) / 1e10;
}

#define MAX_TIERS_NEW 64

/*
 * A copy of base with plan p's period type, quota and tiers replaced.
 * Returns -1 when out of memory (out then empty).
 */
static int plans_with(const struct cs_plans *base, size_t p, uint8_t period_type, double quota,
                      const double *floor, const double *rate, size_t nt, struct cs_plans *out)
{
    size_t n = base->n, total = base->n_tiers - base->tier_count[p] + nt;
    memset(out, 0, sizeof *out);
    out->n = n;
    out->id = cs_malloc_big(n, sizeof *out->id);
    out->period_type = cs_malloc_big(n, sizeof *out->period_type);
    out->quota = cs_malloc_big(n, sizeof *out->quota);
    out->tier_first = cs_malloc_big(n, sizeof *out->tier_first);
    out->tier_count = cs_malloc_big(n, sizeof *out->tier_count);
    out->floor = cs_malloc_big(total, sizeof *out->floor);
    out->rate = cs_malloc_big(total, sizeof *out->rate);
    if (!out->id || !out->period_type || !out->quota || !out->tier_first || !out->tier_count ||
        !out->floor || !out->rate) {
        cs_plans_free(out);
        return -1;
    }
    size_t at = 0;
    for (size_t q = 0; q < n; q++) {
        out->id[q] = base->id[q];
        out->tier_first[q] = (uint32_t)at;
        if (q != p) {
            out->period_type[q] = base->period_type[q];
            out->quota[q] = base->quota[q];
            out->tier_count[q] = base->tier_count[q];
            memcpy(out->floor + at, base->floor + base->tier_first[q], base->tier_count[q] * sizeof *out->floor);
            memcpy(out->rate + at, base->rate + base->tier_first[q], base->tier_count[q] * sizeof *out->rate);
            at += base->tier_count[q];
        } else {
            out->period_type[q] = period_type;
            out->quota[q] = quota;
            out->tier_count[q] = (uint32_t)nt;
            memcpy(out->floor + at, floor, nt * sizeof *out->floor);
            memcpy(out->rate + at, rate, nt * sizeof *out->rate);
            at += nt;
        }
    }
    out->n_tiers = at;
    return 0;
}

struct optlist {
    struct cs_whatif_option *o;
    size_t n, cap;
};

/* Append an option built from plan p's new tiers, unless it changes nothing
 * or its floors are not strictly increasing from 0.  -1: out of memory. */
static int add_option(struct optlist *L, const struct cs_plans *base, size_t p,
                      enum cs_whatif_kind kind, uint8_t period_type, double quota,
                      const double *floor, const double *rate, size_t nt,
                      double at, double before, double after)
{
    const double *f0 = base->floor + base->tier_first[p], *r0 = base->rate + base->tier_first[p];
    bool same = period_type == base->period_type[p] && quota == base->quota[p] &&
                nt == base->tier_count[p];
    for (size_t t = 0; same && t < nt; t++)
        same = floor[t] == f0[t] && rate[t] == r0[t];
    if (same || nt == 0 || floor[0] != 0)
        return 0;
    for (size_t t = 1; t < nt; t++)
        if (!(floor[t] > floor[t - 1]))
            return 0;
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 16;
        struct cs_whatif_option *o = realloc(L->o, cap * sizeof *o);
        if (!o)
            return -1;
        L->o = o;
        L->cap = cap;
    }
    struct cs_whatif_option *o = &L->o[L->n];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->plan = (uint32_t)p;
    o->floor = at;
    o->rate_before = before;
    o->rate_after = after;
    o->ramp_low = o->ramp_high = NAN;
    if (plans_with(base, p, period_type, quota, floor, rate, nt, &o->plans) != 0)
        return -1;
    L->n++;
    return 0;
}

void cs_whatif_options_free(struct cs_whatif_option *o, size_t n)
{
    if (!o)
        return;
    for (size_t i = 0; i < n; i++)
        cs_plans_free(&o[i].plans);
    free(o);
}

enum cs_status cs_whatif_options_generate(const struct cs_whatif_base *b,
                                          struct cs_whatif_option **out, size_t *n,
                                          struct cs_error *err)
{
    const struct cs_plans *pl = &b->ds->plans;
    struct optlist L = {0};
    double f[MAX_TIERS_NEW], r[MAX_TIERS_NEW];
    *out = NULL;
    *n = 0;
    for (size_t p = 0; p < pl->n; p++) {
        if (!b->plan_deals[p])
            continue;
        const size_t nt = pl->tier_count[p];
        const double *f0 = pl->floor + pl->tier_first[p], *r0 = pl->rate + pl->tier_first[p];
        const uint8_t type = pl->period_type[p];
        const double quota = pl->quota[p];
        if (nt + 4 > MAX_TIERS_NEW)
            continue;                    /* a plan of 60 tiers is its own ramp already */
        for (size_t k = 1; k < nt; k++) {
            if (!(r0[k] > r0[k - 1]))
                continue;                /* not an accelerator step */
            double step = r0[k] - r0[k - 1];

            /* halve the step */
            memcpy(f, f0, nt * sizeof *f);
            memcpy(r, r0, nt * sizeof *r);
            r[k] = round10(r0[k - 1] + step / 2);
            if (add_option(&L, pl, p, CS_WHATIF_HALVE_STEP, type, quota, f, r, nt,
                           f0[k], r0[k], r[k]))
                goto nomem;

            /* a ramp: five steps of a fifth, symmetric around f, so that
             * whoever ends above f + h is paid exactly as before */
            double h = CS_WHATIF_RAMP_HALF_WIDTH;
            if ((f0[k] - f0[k - 1]) / 2 < h)
                h = (f0[k] - f0[k - 1]) / 2;
            if (k + 1 < nt && (f0[k + 1] - f0[k]) / 2 < h)
                h = (f0[k + 1] - f0[k]) / 2;
            size_t o = 0;
            for (size_t t = 0; t < k; t++, o++) {
                f[o] = f0[t];
                r[o] = r0[t];
            }
            for (int s = 1; s <= 5; s++, o++) {
                f[o] = round10(f0[k] + h * (s - 3) / 2.0);
                r[o] = s == 5 ? r0[k] : round10(r0[k - 1] + step * s / 5.0);
            }
            for (size_t t = k + 1; t < nt; t++, o++) {
                f[o] = f0[t];
                r[o] = r0[t];
            }
            size_t before = L.n;
            if (add_option(&L, pl, p, CS_WHATIF_RAMP_STEP, type, quota, f, r, o,
                           f0[k], r0[k - 1], r0[k]))
                goto nomem;
            if (L.n > before) {
                L.o[L.n - 1].ramp_low = f[k];
                L.o[L.n - 1].ramp_high = f[k + 4];
            }

            /* remove the step: its tier merges into the one below */
            o = 0;
            for (size_t t = 0; t < nt; t++)
                if (t != k) {
                    f[o] = f0[t];
                    r[o++] = r0[t];
                }
            if (add_option(&L, pl, p, CS_WHATIF_REMOVE_STEP, type, quota, f, r, o,
                           f0[k], r0[k], r0[k - 1]))
                goto nomem;
        }
        /* cap at the top floor */
        if (nt >= 2 && r0[nt - 1] > 0) {
            memcpy(f, f0, nt * sizeof *f);
            memcpy(r, r0, nt * sizeof *r);
            r[nt - 1] = 0;
            if (add_option(&L, pl, p, CS_WHATIF_CAP_TOP, type, quota, f, r, nt,
                           f0[nt - 1], r0[nt - 1], 0.0))
                goto nomem;
        }
        /* a decelerator at 150%, above the top floor */
        if (f0[nt - 1] < CS_WHATIF_DECEL_FLOOR && r0[nt - 1] > 0) {
            memcpy(f, f0, nt * sizeof *f);
            memcpy(r, r0, nt * sizeof *r);
            f[nt] = CS_WHATIF_DECEL_FLOOR;
            r[nt] = round10(r0[nt - 1] / 2);
            if (add_option(&L, pl, p, CS_WHATIF_DECELERATOR, type, quota, f, r, nt + 1,
                           CS_WHATIF_DECEL_FLOOR, r0[nt - 1], r[nt]))
                goto nomem;
        }
        /* measured over the year */
        if (type == CS_PERIOD_QUARTER &&
            add_option(&L, pl, p, CS_WHATIF_YEARLY, CS_PERIOD_YEAR, quota * 4, f0, r0, nt,
                       0.0, NAN, NAN))
            goto nomem;
    }
    *out = L.o;
    *n = L.n;
    return CS_OK;
nomem:
    cs_whatif_options_free(L.o, L.n);
    return oom(err);
}

size_t cs_whatif_spiffs_at_quarter_end(const struct cs_dataset *ds, const struct cs_calendar *cal,
                                       uint32_t *idx, size_t cap)
{
    size_t found = 0;
    for (size_t s = 0; s < ds->spiffs.n; s++) {
        int32_t end = ds->spiffs.end[s];
        if (end == CS_NO_DATE)
            continue;
        int32_t last = cs_cal_period_last_day(cal, cs_cal_quarter_code(cal, end));
        if (last - end < 14) {
            if (found < cap)
                idx[found] = (uint32_t)s;
            found++;
        }
    }
    return found;
}

/* ======================================================================
 * Ranking
 * ==================================================================== */

int cs_whatif_rank_group(double avoided, double cost)
{
    if (isnan(avoided))
        return 3;
    if (avoided > 0)
        return cost <= 0 ? 0 : 1;
    return 2;
}

struct rank_item {
    size_t index;
    int group;
    double avoided, cost;
};

static int cmp_rank(const void *pa, const void *pb)
{
    const struct rank_item *a = pa, *b = pb;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    double ka = 0, kb = 0, la = 0, lb = 0;     /* primary key and tie-break, larger first */
    switch (a->group) {
    case 0: ka = a->avoided; kb = b->avoided; la = -a->cost; lb = -b->cost; break;
    case 1: ka = a->avoided / a->cost; kb = b->avoided / b->cost; la = a->avoided; lb = b->avoided; break;
    case 2: ka = a->avoided; kb = b->avoided; la = -a->cost; lb = -b->cost; break;
    default: ka = -a->cost; kb = -b->cost; break;
    }
    /* NaN costs sort last within their group */
    if (isnan(ka) != isnan(kb))
        return isnan(ka) ? 1 : -1;
    if (ka != kb && !isnan(ka))
        return ka > kb ? -1 : 1;
    if (isnan(la) != isnan(lb))
        return isnan(la) ? 1 : -1;
    if (la != lb && !isnan(la))
        return la > lb ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

void cs_whatif_rank(const double *avoided, const double *cost, size_t n, size_t *order)
{
    struct rank_item *it = malloc((n ? n : 1) * sizeof *it);
    if (!it) {                            /* keep the input order rather than fail */
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        return;
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (struct rank_item){i, cs_whatif_rank_group(avoided[i], cost[i]), avoided[i], cost[i]};
    qsort(it, n, sizeof *it, cmp_rank);
    for (size_t i = 0; i < n; i++)
        order[i] = it[i].index;
    free(it);
}
