/* within.c - the what-if's within-rep model (SPEC 14.1, --model within): the conditional logit, each rep's intercept given it, and each rep's score for the bootstrap. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/clogit.h"
#include "compsight/mem.h"
#include "whatif_priv.h"

#define ALPHA_ITER 200          /* safeguarded Newton steps for a rep's intercept */

/*
 * The selected deals' design rows grouped by cluster (by_g: clusters in
 * rep order, deal order within), which is the order cs_analysis_run fits
 * promise_risk_within in, so that the fit here and the report's are the
 * same bits: x (m x CS_DEAL_TERMS, intercept first), y and the clusters
 * as strata.  The caller frees the three arrays.
 */
static int grouped_design(const struct cs_whatif_base *b, double **x, double **y, uint32_t **g)
{
    const struct cs_whatif_priv *pv = b->priv;
    size_t m = pv->m;
    *x = cs_malloc_big(m * CS_DEAL_TERMS, sizeof **x);
    *y = cs_malloc_big(m, sizeof **y);
    *g = cs_malloc_big(m, sizeof **g);
    if (!*x || !*y || !*g)
        return -1;
    for (size_t r = 0; r < m; r++) {
        uint32_t j = pv->by_g[r];
        view_row(pv, &pv->full, j, *x + r * CS_DEAL_TERMS);
        (*y)[r] = pv->y[j];
        (*g)[r] = pv->g[j];
    }
    return 0;
}

enum cs_status cs_whatif_within_fit(struct cs_whatif_base *b, struct cs_error *err)
{
    double *x = NULL, *y = NULL;
    uint32_t *g = NULL;
    struct cs_clogit_fit *cf = NULL;
    enum cs_status st = CS_OK;
    if (grouped_design(b, &x, &y, &g) != 0) {
        st = cs_whatif_oom(err);
        goto out;
    }
    struct cs_clogit_design d = {.n = b->priv->m, .k = CS_DEAL_TERMS - 1, .x = x + 1,
                                 .stride = CS_DEAL_TERMS, .y = y, .stratum = g, .strata = b->reps,
                                 .names = cs_deal_term_names + 1};
    if ((st = cs_clogit(&d, NULL, &cf, err)) != CS_OK)
        goto out;
    b->within = cf->fit;
    cf->fit = NULL;
out:
    cs_clogit_free(cf);
    free(x);
    free(y);
    free(g);
    return st;
}

/*
 * Intercept a solving sum_j logistic(a + eta_j) = events over a rep's n
 * deals (0 < events < n): Newton's method kept inside a bracket that
 * holds the root (bisection when a step leaves it), until the sum is
 * within rounding of events.
 */
static double rep_intercept(const double *eta, size_t n, size_t events)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        lo = fmin(lo, -eta[j]);
        hi = fmax(hi, -eta[j]);
    }
    double target = (double)events, logit = log(target / ((double)n - target));
    /* sum logistic(a + eta_j) is below n logistic(a + max eta) and above
     * n logistic(a + min eta): the root lies in [logit - max, logit - min] */
    lo += logit;
    hi += logit;
    double a = 0.5 * (lo + hi);
    for (int it = 0; it < ALPHA_ITER && hi - lo > 1e-15 * fmax(1, fabs(a)); it++) {
        double f = -target, df = 0;
        for (size_t j = 0; j < n; j++) {
            double p = logistic(a + eta[j]);
            f += p;
            df += p * (1 - p);
        }
        if (f == 0 || fabs(f) <= 1e-13 * target)
            break;
        if (f > 0)
            hi = a;
        else
            lo = a;
        double next = df > 0 ? a - f / df : NAN;
        a = next > lo && next < hi ? next : 0.5 * (lo + hi);
    }
    return a;
}

enum cs_status cs_whatif_within_levels(struct cs_whatif_base *b, struct cs_error *err)
{
    struct cs_whatif_priv *pv = b->priv;
    const struct cs_regress_fit *fit = b->fit;
    const size_t G = b->reps;
    pv->k = fit->k + 1;
    pv->col[0] = 0;
    pv->beta[0] = 0;
    for (size_t t = 0; t < fit->k; t++) {
        pv->col[t + 1] = fit->terms[t].column + 1;   /* the fit's design has no intercept */
        pv->beta[t + 1] = fit->terms[t].estimate;
    }
    const size_t k = pv->k;
    size_t most = 0;
    for (size_t h = 0; h < G; h++)
        most = pv->g_start[h + 1] - pv->g_start[h] > most ? pv->g_start[h + 1] - pv->g_start[h] : most;
    pv->alpha = cs_malloc_big(G ? G : 1, sizeof *pv->alpha);
    pv->alpha_c = cs_calloc_big((G ? G : 1) * k, sizeof *pv->alpha_c);
    double *eta = malloc((most ? most : 1) * sizeof *eta);
    if (!pv->alpha || !pv->alpha_c || !eta) {
        free(eta);
        return cs_whatif_oom(err);
    }
    b->rule_events = b->rule_rows = 0;
    for (size_t h = 0; h < G; h++) {
        size_t n = pv->g_start[h + 1] - pv->g_start[h], events = 0;
        const uint32_t *rows = pv->by_g + pv->g_start[h];
        double xr[CS_DEAL_TERMS];
        for (size_t r = 0; r < n; r++) {
            double x[CS_DEAL_TERMS];
            view_row(pv, &pv->full, rows[r], x);
            compact_row(pv, x, xr);
            xr[0] = 0;                      /* the intercept is what is solved for */
            eta[r] = dot(pv->beta, xr, k);
            events += pv->y[rows[r]];
        }
        if (events == 0 || events == n) {
            /* no variation: the rep keeps its observed rate whatever the plan */
            pv->alpha[h] = events ? INFINITY : -INFINITY;
            b->uninformative_reps++;
            continue;
        }
        b->rule_events += events;
        b->rule_rows += n;
        double a = pv->alpha[h] = rep_intercept(eta, n, events), sv = 0;
        double *c = pv->alpha_c + h * k;
        for (size_t r = 0; r < n; r++) {
            double x[CS_DEAL_TERMS], p = logistic(a + eta[r]), v = p * (1 - p);
            view_row(pv, &pv->full, rows[r], x);
            compact_row(pv, x, xr);
            sv += v;
            for (size_t t = 1; t < k; t++)
                c[t] += v * xr[t];
        }
        for (size_t t = 1; t < k; t++)
            c[t] = sv > 0 ? c[t] / sv : 0;
    }
    free(eta);
    return CS_OK;
}

enum cs_status cs_whatif_within_scores(const struct cs_whatif_base *b, double *u, double *h,
                                       struct cs_error *err)
{
    const struct cs_whatif_priv *pv = b->priv;
    const size_t m = pv->m, p = pv->k - 1;
    double *x = cs_malloc_big((m ? m : 1) * (p ? p : 1), sizeof *x);
    double *y = cs_malloc_big(m ? m : 1, sizeof *y);
    uint32_t *g = cs_malloc_big(m ? m : 1, sizeof *g);
    const char *names[CS_DEAL_TERMS];
    enum cs_status st = CS_OK;
    if (!x || !y || !g) {
        st = cs_whatif_oom(err);
        goto out;
    }
    for (size_t t = 0; t < p; t++)
        names[t] = cs_deal_term_names[pv->col[t + 1]];
    for (size_t r = 0; r < m; r++) {
        uint32_t j = pv->by_g[r];
        double row[CS_DEAL_TERMS], xk[CS_DEAL_TERMS];
        view_row(pv, &pv->full, j, row);
        compact_row(pv, row, xk);
        memcpy(x + r * p, xk + 1, p * sizeof *x);
        y[r] = pv->y[j];
        g[r] = pv->g[j];
    }
    struct cs_clogit_design d = {.n = m, .k = p, .x = x, .y = y, .stratum = g, .strata = b->reps,
                                 .names = names};
    /* u and h are G x p and G x p x p: the strata's scores and informations */
    st = cs_clogit_strata(&d, pv->beta + 1, NULL, u, h, err);
out:
    free(x);
    free(y);
    free(g);
    return st;
}
