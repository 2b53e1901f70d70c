/* base.c - the what-if base (SPEC 8): the selected deals as clusters, the promise_risk fit, the bootstrap draws. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "compsight/mem.h"
#include "whatif_priv.h"

enum cs_status cs_whatif_oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

void cs_whatif_view_free(struct view *v)
{
    free(v->mr);
    free(v->tc);
    free(v->l14);
    free(v->comm);
    memset(v, 0, sizeof *v);
}

int cs_whatif_view_alloc(struct view *v, size_t m)
{
    v->mr = cs_malloc_big(m, sizeof *v->mr);
    v->tc = cs_malloc_big(m, sizeof *v->tc);
    v->l14 = cs_malloc_big(m, sizeof *v->l14);
    v->comm = cs_malloc_big(m, sizeof *v->comm);
    if (v->mr && v->tc && v->l14 && v->comm)
        return 0;
    cs_whatif_view_free(v);
    return -1;
}

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
    cs_whatif_view_free(&w->alt);
    cs_plans_free(&w->plans);
    free(w->rows);
    free(w);
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

/* Row j of v: deal i's measures in inc, or row j of another view. */
static void view_row_from_inc(struct view *v, size_t j, const struct cs_incentives *inc, size_t i)
{
    v->mr[j] = inc->marginal_rate[i];
    v->tc[j] = inc->tier_cross[i];
    v->l14[j] = inc->last_14_days[i];
    v->comm[j] = inc->commission[i];
}

/* The measures as an inc computed them (the base). */
static void view_from_inc(struct view *v, const struct cs_whatif_priv *pv,
                          const struct cs_incentives *inc)
{
    for (size_t j = 0; j < pv->m; j++)
        view_row_from_inc(v, j, inc, pv->deal[j]);
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
        cs_whatif_view_free(&pv->full);
        cs_whatif_work_free(pv->work);
        pthread_mutex_destroy(&pv->recompute_lock);
        cs_incentives_free(pv->recompute_inc);
        free(pv->p_full);
        free(pv->plan_comm);
        free(pv->w);
        free(pv->w_big);
        free(pv->beta_draw);
        free(pv->m_draw);
        free(pv->alpha);
        free(pv->alpha_c);
        free(pv);
    }
    if (!borrowed) {
        cs_regress_free((struct cs_regress_fit *)b->logit);
        cs_regress_free((struct cs_regress_fit *)b->firth);
        cs_regress_free((struct cs_regress_fit *)b->within);
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
        st = cs_whatif_oom(err);
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
    b->fit = b->within ? b->within : b->firth ? b->firth : b->logit;
    if (!b->fit->fitted) {
        unsigned f = b->fit->flags & CS_REGRESS_UNFITTED;
        if (!f)
            f = b->fit->flags;                   /* singular from the first step */
        const char *why = cs_regress_flag_text(f & (~f + 1u));   /* the lowest flag set */
        b->model_note = *why ? why : "the promise-risk model could not be fitted";
        b->fit = NULL;
    } else if (b->firth) {
        b->model_note = "the promise-risk model shows separation: Firth's estimate is used, "
                        "and the risky-deal figures are rough";
    } else if (b->within && b->fit->separation) {
        b->model_note = "the same-rep promise-risk model shows separation (an element predicts "
                        "risky deals perfectly within reps): the risky-deal figures are rough";
    } else if (!b->fit->converged) {
        b->model_note = "the promise-risk fit did not converge: the risky-deal figures are rough";
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

/* The resampling counts: per draw, G reps drawn with replacement from
 * one mt19937 stream, counted in G places and kept in four bits each (a
 * count of CS_W_BIG or more in w_big).  -1: out of memory. */
static int resample_reps(struct cs_whatif_base *b)
{
    struct cs_whatif_priv *pv = b->priv;
    const size_t G = b->reps, D = b->draws, DG = D * G;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    uint32_t *count = cs_malloc_big(G ? G : 1, sizeof *count);
    int ret = -1;
    pv->w = cs_calloc_big(DG / 2 + 1, sizeof *pv->w);
    if (!pv->w || !rng || !count)
        goto out;
    gsl_rng_set(rng, (unsigned long)b->seed);
    for (size_t d = 0; d < D; d++) {
        memset(count, 0, G * sizeof *count);
        for (size_t t = 0; t < G; t++)
            count[gsl_rng_uniform_int(rng, (unsigned long)G)]++;
        for (size_t g = 0; g < G; g++) {
            size_t at = d * G + g;
            uint32_t v = count[g] < CS_W_BIG ? count[g] : CS_W_BIG;
            pv->w[at >> 1] |= (uint8_t)(v << ((at & 1) * 4));
            if (v < CS_W_BIG)
                continue;
            struct cs_w_big *big = realloc(pv->w_big, (pv->n_big + 1) * sizeof *big);
            if (!big)
                goto out;
            pv->w_big = big;
            big[pv->n_big++] = (struct cs_w_big){.at = at, .count = count[g]};
        }
    }
    ret = 0;
out:
    gsl_rng_free(rng);
    free(count);
    return ret;
}

uint32_t cs_whatif_w_big(const struct cs_whatif_priv *pv, size_t at)
{
    size_t lo = 0, hi = pv->n_big;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pv->w_big[mid].at < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < pv->n_big && pv->w_big[lo].at == at ? pv->w_big[lo].count : CS_W_BIG;
}

/* Per draw, the risky promises per risky deal of the resampled reps (the
 * observed ratio when they have no risky deal).  -1: out of memory. */
static int promise_ratios(struct cs_whatif_base *b)
{
    struct cs_whatif_priv *pv = b->priv;
    const size_t G = b->reps, D = b->draws;
    double *rg = cs_calloc_big(G, sizeof *rg);
    double *rpg = cs_calloc_big(G, sizeof *rpg);
    pv->m_draw = cs_malloc_big(D, sizeof *pv->m_draw);
    if (!rg || !rpg || !pv->m_draw) {
        free(rg);
        free(rpg);
        return -1;
    }
    for (size_t j = 0; j < pv->m; j++) {
        rg[pv->g[j]] += pv->y[j];
        rpg[pv->g[j]] += pv->risky_promises[j];
    }
    for (size_t d = 0; d < D; d++) {
        double num = 0, den = 0;
        for (size_t g = 0; g < G; g++) {
            uint32_t wg = draw_w(pv, d, G, g);
            num += wg * rpg[g];
            den += wg * rg[g];
        }
        pv->m_draw[d] = den > 0 ? num / den : b->promises_per_risky;
    }
    free(rg);
    free(rpg);
    return 0;
}

/* Rep g's score ug (k) and information hg (k x k, lower triangle) at the
 * estimate, its deals added in deal order (by_g keeps deal order within a
 * rep).  One rep at a time: at 100,000 reps, every rep's at once took
 * 50 MB. */
static void rep_score(const struct cs_whatif_base *b, size_t g, double *ug, double *hg)
{
    const struct cs_whatif_priv *pv = b->priv;
    const size_t k = pv->k, kk = k * k;
    memset(ug, 0, k * sizeof *ug);
    memset(hg, 0, kk * sizeof *hg);
    for (size_t r = pv->g_start[g]; r < pv->g_start[g + 1]; r++) {
        uint32_t j = pv->by_g[r];
        double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS];
        view_row(pv, &pv->full, j, x);
        compact_row(pv, x, xk);
        double p = logistic(dot(pv->beta, xk, k)), res = pv->y[j] - p, v = p * (1 - p);
        for (size_t s = 0; s < k; s++) {
            ug[s] += res * xk[s];
            for (size_t t = 0; t <= s; t++)
                hg[s * k + t] += v * xk[s] * xk[t];
        }
    }
}

/* Cluster g's part of the full-data information (hfull, lower triangle),
 * of every draw's H_w (da: D x k x k, lower triangle) and of its centred
 * score (dsc: D x k).  Called in cluster order, so every sum adds the
 * clusters in cluster order; each cluster's u and H are read once for all
 * the draws. */
static void add_cluster(const struct cs_whatif_base *b, size_t g, const double *ug,
                        const double *hg, size_t k, double *hfull, double *da, double *dsc)
{
    const struct cs_whatif_priv *pv = b->priv;
    const size_t G = b->reps, D = b->draws, kk = k * k;
    for (size_t s = 0; s < k; s++)
        for (size_t t = 0; t <= s; t++)
            hfull[s * k + t] += hg[s * k + t];
    for (size_t d = 0; d < D; d++) {
        double wg = draw_w(pv, d, G, g), c = wg - 1.0;
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

/* Every cluster's score and information, added into hfull (made
 * symmetric), da and dsc: the within-rep model's from the conditional
 * likelihood (all at once), the across-rep model's one rep at a time. */
static enum cs_status cluster_sums(struct cs_whatif_base *b, size_t k, size_t off, double *hfull,
                                   double *da, double *dsc, struct cs_error *err)
{
    const size_t G = b->reps, kk = k * k;
    double *u = NULL, *h = NULL;
    enum cs_status st = CS_OK;
    if (off) {
        u = cs_calloc_big((G ? G : 1) * (k ? k : 1), sizeof *u);
        h = cs_calloc_big((G ? G : 1) * (kk ? kk : 1), sizeof *h);
        if (!u || !h) {
            st = cs_whatif_oom(err);
            goto out;
        }
        if ((st = cs_whatif_within_scores(b, u, h, err)) != CS_OK)
            goto out;
    }
    for (size_t g = 0; g < G; g++) {
        double ug[CS_DEAL_TERMS], hg[CS_DEAL_TERMS * CS_DEAL_TERMS];
        if (off) {
            memcpy(ug, u + g * k, k * sizeof *ug);
            memcpy(hg, h + g * kk, kk * sizeof *hg);
        } else {
            rep_score(b, g, ug, hg);
        }
        add_cluster(b, g, ug, hg, k, hfull, da, dsc);
    }
    for (size_t s = 0; s < k; s++)
        for (size_t t = 0; t < s; t++)
            hfull[t * k + s] = hfull[s * k + t];
out:
    free(u);
    free(h);
    return st;
}

/* Each draw's coefficients: one Newton step H_w^-1 score from the
 * estimate, with the full-data H when H_w is singular (counted).  The
 * step moves the k coefficients from off on (within: after the intercept,
 * which each rep has its own of). */
static void one_step_draws(struct cs_whatif_base *b, const double *da, const double *dsc,
                           const double *hfull, size_t k, size_t off)
{
    struct cs_whatif_priv *pv = b->priv;
    const size_t kk = k * k, kb = pv->k;
    for (size_t d = 0; d < b->draws; d++) {
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
        for (size_t s = 0; s < off; s++)
            pv->beta_draw[d * kb + s] = pv->beta[s];
        for (size_t s = 0; s < k; s++)
            pv->beta_draw[d * kb + off + s] = pv->beta[off + s] + step[s];
    }
}

/* With a model: the coefficient draws, and a note when the full-data
 * information is singular (the coefficients then stay fixed). */
static enum cs_status coefficient_draws(struct cs_whatif_base *b, struct cs_error *err)
{
    struct cs_whatif_priv *pv = b->priv;
    /* the within-rep model draws its coefficients after the intercept */
    const size_t off = pv->alpha ? 1 : 0;
    const size_t D = b->draws, k = pv->k - off, kk = k * k;
    enum cs_status st = CS_OK;
    double hfull[CS_DEAL_TERMS * CS_DEAL_TERMS] = {0};
    double *da = cs_calloc_big(D * kk, sizeof *da);
    double *dsc = cs_calloc_big(D * k, sizeof *dsc);
    pv->beta_draw = cs_malloc_big(D * pv->k, sizeof *pv->beta_draw);
    if (!da || !dsc || !pv->beta_draw) {
        st = cs_whatif_oom(err);
        goto out;
    }
    if ((st = cluster_sums(b, k, off, hfull, da, dsc, err)) != CS_OK)
        goto out;
    one_step_draws(b, da, dsc, hfull, k, off);
    double probe[CS_DEAL_TERMS * CS_DEAL_TERMS], zero[CS_DEAL_TERMS] = {0}, dummy[CS_DEAL_TERMS];
    memcpy(probe, hfull, sizeof probe);
    if (spd_solve(probe, zero, dummy, k) != 0 && !*b->model_note)
        b->model_note = "the promise-risk model's information matrix is singular: the intervals "
                        "leave out the uncertainty of its coefficients";
out:
    free(da);
    free(dsc);
    return st;
}

static enum cs_status make_draws(struct cs_whatif_base *b, struct cs_error *err)
{
    if (resample_reps(b) != 0 || promise_ratios(b) != 0)
        return cs_whatif_oom(err);
    return b->fit ? coefficient_draws(b, err) : CS_OK;
}

/* ----------------------------------------------------------------------
 * Building a base, step by step
 * -------------------------------------------------------------------- */

/* A new base for m with the settings (set NULL: seed 1, CS_WHATIF_DRAWS
 * draws, two threads) and nothing else yet; NULL when out of memory. */
static struct cs_whatif_base *base_alloc(const struct cs_measured *m,
                                         const struct cs_whatif_settings *set)
{
    struct cs_whatif_base *b = calloc(1, sizeof *b);
    struct cs_whatif_priv *pv = b ? calloc(1, sizeof *pv) : NULL;
    if (!pv || pthread_mutex_init(&pv->recompute_lock, NULL) != 0) {
        free(pv);
        free(b);
        return NULL;
    }
    b->priv = pv;
    b->ds = m->ds;
    b->cal = m->cal;
    b->inc = m->inc;
    b->sel = *m->sel;
    b->model_note = "";
    b->seed = set ? set->seed : 1;
    b->draws = set && set->draws ? set->draws : CS_WHATIF_DRAWS;
    b->model = set ? set->model : CS_WHATIF_ACROSS;
    pv->threads = set && set->threads == 1 ? 1 : 2;
    b->promise_data = m->ds->counts[CS_T_ROADMAP].present && m->ds->counts[CS_T_PROMISES].present;
    return b;
}

/*
 * The selected won deals, numbered j in deal order, with room for what
 * the base keeps of each; their reps marked in rep_g (nreps places: 0 for
 * a rep with a selected deal, UINT32_MAX for the others).  CS_ERR_INPUT
 * when no won deal is selected.
 */
static enum cs_status select_deals(struct cs_whatif_base *b, uint32_t *rep_g, struct cs_error *err)
{
    const struct cs_dataset *ds = b->ds;
    const struct cs_incentives *inc = b->inc;
    const struct cs_selection *sel = &b->sel;
    struct cs_whatif_priv *pv = b->priv;
    const size_t n = ds->deals.n;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += inc->won[i] && cs_selected(sel, inc->quarter[i]);
    if (m == 0)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                            "no won deals in the selected period");
    pv->m = b->deals = m;
    b->plan_deals = cs_calloc_big(ds->plans.n, sizeof *b->plan_deals);
    pv->deal = cs_malloc_big(m, sizeof *pv->deal);
    pv->g = cs_malloc_big(m, sizeof *pv->g);
    pv->by_g = cs_malloc_big(m, sizeof *pv->by_g);
    pv->y = cs_malloc_big(m, sizeof *pv->y);
    pv->risky_promises = cs_malloc_big(m, sizeof *pv->risky_promises);
    pv->log_amount = inc->log_amount;
    pv->spiff = inc->spiff;
    pv->type = ds->deals.type;
    if (!b->plan_deals || !pv->deal || !pv->g || !pv->by_g || !pv->y || !pv->risky_promises ||
        cs_whatif_view_alloc(&pv->full, m))
        return cs_whatif_oom(err);
    for (size_t r = 0; r < ds->reps.n; r++)
        rep_g[r] = UINT32_MAX;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
            continue;
        pv->deal[j++] = (uint32_t)i;
        rep_g[ds->deals.rep[i]] = 0;
    }
    return CS_OK;
}

/*
 * The marked reps as clusters g = 0..G-1 in rep order (rep_g numbered);
 * per deal its cluster and outcome, per cluster its plan and first deal
 * (g_start), per plan its deals; the observed counts, the range of
 * marginal_rate, and by_g: the deals sorted by cluster (a stable counting
 * sort).  Then the base view.
 */
static enum cs_status cluster_deals(struct cs_whatif_base *b, const struct cs_outcomes *oc,
                                    uint32_t *rep_g, struct cs_error *err)
{
    const struct cs_dataset *ds = b->ds;
    const struct cs_incentives *inc = b->inc;
    struct cs_whatif_priv *pv = b->priv;
    const size_t m = pv->m;
    size_t G = 0;
    for (size_t r = 0; r < ds->reps.n; r++)
        if (rep_g[r] != UINT32_MAX)
            rep_g[r] = (uint32_t)G++;
    b->reps = G;
    b->intervals = G >= 2;
    pv->g_start = cs_calloc_big(G + 1, sizeof *pv->g_start);
    pv->g_plan = cs_malloc_big(G, sizeof *pv->g_plan);
    uint32_t *next = cs_malloc_big(G, sizeof *next);
    if (!pv->g_start || !pv->g_plan || !next) {
        free(next);
        return cs_whatif_oom(err);
    }
    b->rate_min = INFINITY;
    b->rate_max = -INFINITY;
    for (size_t j = 0; j < m; j++) {
        uint32_t i = pv->deal[j], r = ds->deals.rep[i];
        /* SPEC 13: the plan of the deal's own credit row (a rep that
         * changed plan is filed under the plan of its last deal) */
        uint32_t p = inc->rp.plan[inc->rep_period[i]];
        pv->g[j] = rep_g[r];
        pv->g_plan[rep_g[r]] = p;
        pv->g_start[rep_g[r] + 1]++;
        b->plan_deals[p]++;
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
    memcpy(next, pv->g_start, G * sizeof *next);
    for (size_t j = 0; j < m; j++)
        pv->by_g[next[pv->g[j]]++] = (uint32_t)j;
    free(next);
    b->promises_per_risky = b->observed_risky
        ? (double)b->observed_risky_promises / (double)b->observed_risky : NAN;
    view_from_inc(&pv->full, pv, inc);
    return CS_OK;
}

/* The promise_risk fit: none without promise data, the caller's when it
 * has one, else fitted here; and the kept terms and their estimates. */
static enum cs_status attach_model(struct cs_whatif_base *b, const struct cs_outcomes *oc,
                                   const struct cs_whatif_settings *set, struct cs_error *err)
{
    struct cs_whatif_priv *pv = b->priv;
    enum cs_status st;
    b->rule_events = b->observed_risky;
    b->rule_rows = b->deals;
    if (!b->promise_data) {
        b->model_note = "no roadmap.csv and promises.csv: promises cannot be classified, so "
                        "risky deals cannot be predicted";
    } else if (b->model == CS_WHATIF_WITHIN) {
        if (set && set->within) {
            pv->borrowed = true;
            b->within = set->within;
        } else if ((st = cs_whatif_within_fit(b, err)) != CS_OK) {
            return st;
        }
        fit_notes(b);
        return b->fit ? cs_whatif_within_levels(b, err) : CS_OK;
    } else if (set && set->logit) {
        pv->borrowed = true;
        b->logit = set->logit;
        b->firth = set->firth;
        fit_notes(b);
    } else if ((st = fit_model(b, oc, err)) != CS_OK) {
        return st;
    }
    if (b->fit) {
        pv->k = b->fit->k;
        for (size_t t = 0; t < pv->k; t++) {
            pv->col[t] = b->fit->terms[t].column;
            pv->beta[t] = b->fit->terms[t].estimate;
        }
    }
    return CS_OK;
}

/* What every simulation compares with, computed once: each deal's p under
 * the base view and their sum (with a model), the base's commission in
 * total and per plan, each summed in deal order.  -1: out of memory. */
static int base_levels(struct cs_whatif_base *b)
{
    struct cs_whatif_priv *pv = b->priv;
    const size_t m = pv->m;
    if (b->fit) {
        if (!(pv->p_full = cs_malloc_big(m, sizeof *pv->p_full)))
            return -1;
        for (size_t j = 0; j < m; j++) {
            double x[CS_DEAL_TERMS], xk[CS_DEAL_TERMS], bg[CS_DEAL_TERMS];
            view_row(pv, &pv->full, j, x);
            compact_row(pv, x, xk);
            pv->p_full[j] = logistic(dot(cluster_beta(pv, pv->g[j], pv->beta, bg), xk, pv->k));
        }
        for (size_t j = 0; j < m; j++)
            pv->level_risky += pv->p_full[j];
    }
    if (!(pv->plan_comm = cs_calloc_big(b->ds->plans.n, sizeof *pv->plan_comm)))
        return -1;
    for (size_t j = 0; j < m; j++) {
        pv->level_comm += pv->full.comm[j];
        pv->plan_comm[pv->g_plan[pv->g[j]]] += pv->full.comm[j];
    }
    return 0;
}

enum cs_status cs_whatif_base_new(const struct cs_measured *m, const struct cs_whatif_settings *set,
                                  struct cs_whatif_base **out, struct cs_error *err)
{
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    const size_t n = m->ds->deals.n;
    *out = NULL;
    if (m->sel->mode == CS_SELECT_EACH)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "a what-if covers one quarter or all of them, not each");
    if (!inc || inc->n != n || !oc || oc->n_deals != n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "what-if: measures not computed for this data set");
    struct cs_whatif_base *b = base_alloc(m, set);
    uint32_t *rep_g = b ? cs_malloc_big(m->ds->reps.n, sizeof *rep_g) : NULL;
    enum cs_status st = rep_g ? CS_OK : cs_whatif_oom(err);
    if (st == CS_OK)
        st = select_deals(b, rep_g, err);
    if (st == CS_OK)
        st = cluster_deals(b, oc, rep_g, err);
    if (st == CS_OK)
        st = attach_model(b, oc, set, err);
    if (st == CS_OK)
        st = make_draws(b, err);
    if (st == CS_OK && (!(b->priv->work = cs_whatif_work_new(b, b->priv->threads)) ||
                        base_levels(b) != 0))
        st = cs_whatif_oom(err);
    free(rep_g);
    if (st != CS_OK) {
        cs_whatif_base_free(b);
        return st;
    }
    *out = b;
    return CS_OK;
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
    for (size_t g = 0; g < b->reps; g++)
        w[g] = draw_w(b->priv, d, b->reps, g);
    return true;
}
