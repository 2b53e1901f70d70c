/* regress_design.c - a design made ready to fit: validated, clusters indexed, constant and aliased terms dropped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "compsight/regress.h"
#include "regress_impl.h"
#include "sandwich.h"

void cs_regress_work_free(struct regress_work *w)
{
    free(w->col);
    free(w->norm2);
    free(w->xc);
    free(w->g);
}

/*
 * Drop constant columns (all but the first non-zero one, the intercept) and
 * aliased ones.  The aliasing test is R's (residual norm < 1e-7 x column
 * norm), evaluated by a sequential Cholesky of the Gram matrix of the
 * columns centred on their means when there is an intercept (so that the
 * intercept is projected out first, in two accurate passes), of the raw
 * columns otherwise.  Fills keep (K), w->col, w->k, w->norm2 and
 * w->has_intercept.
 */
static enum cs_status screen_terms(struct regress_work *w, bool *keep, struct cs_error *err)
{
    const struct cs_regress_design *d = w->d;
    size_t n = d->n, K = d->k;
    enum cs_status st = CS_OK;
    bool *varies = calloc(K, sizeof *varies);
    double *mean = calloc(K, sizeof *mean), *nrm = calloc(K, sizeof *nrm);
    double *C = calloc(K * K, sizeof *C), *cnorm = calloc(K, sizeof *cnorm);
    size_t *cand = malloc(K * sizeof *cand);
    w->col = malloc(K * sizeof *w->col);
    w->norm2 = malloc(K * sizeof *w->norm2);
    if (!varies || !mean || !nrm || !C || !cnorm || !cand || !w->col || !w->norm2) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }

    /* Which columns vary; squared norms; means; and every value finite (a
     * NaN or infinity anywhere makes a sum non-finite). */
    const double *x0 = d->x;
    for (size_t i = 0; i < n; i++) {
        const double *xi = d->x + i * K;
        for (size_t j = 0; j < K; j++) {
            varies[j] |= xi[j] != x0[j];
            nrm[j] += xi[j] * xi[j];
            mean[j] += xi[j];
        }
    }
    for (size_t j = 0; j < K; j++) {
        if (isfinite(nrm[j]))
            continue;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(d->x[i * K + j])) {
                st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j],
                                  "row %zu: not a finite number", i);
                goto out;
            }
        /* finite values whose squares overflow */
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j], "values too large");
        goto out;
    }
    for (size_t j = 0; j < K; j++)
        mean[j] /= (double)n;

    /* The intercept: the first constant non-zero column; other constants go. */
    size_t icol = SIZE_MAX, nc = 0;
    for (size_t j = 0; j < K; j++) {
        if (!varies[j] && x0[j] != 0 && icol == SIZE_MAX)
            icol = j;
        else if (varies[j])
            cand[nc++] = j;
    }
    w->has_intercept = icol != SIZE_MAX;

    /* Gram matrix (lower triangle) of the varying columns, centred on their
     * means when there is an intercept. */
    double ctr[CS_REGRESS_MAX_TERMS] = {0}, v[CS_REGRESS_MAX_TERMS];
    if (w->has_intercept)
        for (size_t a = 0; a < nc; a++)
            ctr[a] = mean[cand[a]];
    for (size_t i = 0; i < n; i++) {
        const double *xi = d->x + i * K;
        for (size_t a = 0; a < nc; a++)
            v[a] = xi[cand[a]] - ctr[a];
        for (size_t a = 0; a < nc; a++) {
            double va = v[a];
            double *row = C + a * nc;
            for (size_t b = 0; b <= a; b++)
                row[b] += va * v[b];
        }
    }

    /* R's rank test in design order (cs_fitkit_screen) over the
     * candidates; the intercept always stays. */
    bool kc[CS_REGRESS_MAX_TERMS];
    for (size_t a = 0; a < nc; a++)
        cnorm[a] = nrm[cand[a]];
    cs_fitkit_screen(C, cnorm, nc, kc);
    for (size_t j = 0; j < K; j++)
        keep[j] = w->has_intercept && j == icol;
    for (size_t a = 0; a < nc; a++)
        keep[cand[a]] = kc[a];
    w->k = 0;
    for (size_t j = 0; j < K; j++)
        if (keep[j]) {
            w->norm2[w->k] = nrm[j];
            w->col[w->k++] = j;
        }
out:
    free(varies);
    free(mean);
    free(nrm);
    free(C);
    free(cnorm);
    free(cand);
    return st;
}

/*
 * Validate d, allocate the fit, index the clusters and screen the terms.
 * Returns CS_OK with fit->fitted false when there is nothing to fit (the
 * flags say why, the terms are there with NaN numbers).
 */
enum cs_status cs_regress_prepare(const struct cs_regress_design *d, enum cs_regress_model model,
                                  struct regress_work *w, struct cs_regress_fit **out,
                                  struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_regress_fit *fit = NULL;
    *out = NULL;
    memset(w, 0, sizeof *w);
    w->d = d;

    if (!d || (d->k > 0 && !d->names) || (d->n > 0 && (!d->y || (d->k > 0 && !d->x))))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "regression: missing design arrays");
    if (d->k > CS_REGRESS_MAX_TERMS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "regression: %zu terms, at most %d supported", d->k, CS_REGRESS_MAX_TERMS);
    if (d->k > 0 && d->n > SIZE_MAX / sizeof(double) / d->k)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "regression: design too large");
    size_t K = d->k;
    fit = cs_fitkit_new(model, d->n, K, d->names, NULL, false);
    if (!fit)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");

    if (d->n == 0)
        fit->flags |= CS_REGRESS_NO_ROWS;
    if (K == 0)
        fit->flags |= CS_REGRESS_NO_TERMS;
    if (fit->flags)
        goto out;

    /* Outcomes (the terms are checked while they are screened). */
    bool logistic = model != CS_REGRESS_OLS;
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]) || (logistic && d->y[i] != 0 && d->y[i] != 1)) {
            st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, "y", "row %zu: %s", i,
                              logistic ? "outcome is not 0 or 1" : "outcome is not a finite number");
            goto out;
        }
    }
    w->n = d->n;

    /* Clusters. */
    if (d->cluster) {
        st = cs_cluster_index(d->cluster, d->n, &w->g, &w->G, err);
        if (st != CS_OK)
            goto out;
    }
    fit->clusters = w->G;
    if (w->G < 2)
        fit->flags |= CS_REGRESS_FEW_CLUSTERS;

    /* Terms. */
    bool keep[CS_REGRESS_MAX_TERMS];
    st = screen_terms(w, keep, err);
    if (st != CS_OK)
        goto out;
    cs_fitkit_set_terms(fit, d->names, keep);

    bool yconst = true;
    for (size_t i = 1; i < d->n && yconst; i++)
        yconst = d->y[i] == d->y[0];
    if (yconst)
        fit->flags |= CS_REGRESS_Y_CONSTANT;
    if (w->k == 0)
        fit->flags |= CS_REGRESS_NO_TERMS;
    else if (d->n <= w->k)
        fit->flags |= CS_REGRESS_TOO_FEW_ROWS;
    if (fit->flags & CS_REGRESS_UNFITTED)
        goto out;

    /* Compact copy of the kept columns, only when something was dropped. */
    if (w->k == K) {
        w->x = d->x;
    } else {
        w->xc = cs_malloc_big(d->n * w->k, sizeof *w->xc);
        if (!w->xc) {
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
            goto out;
        }
        for (size_t i = 0; i < d->n; i++)
            for (size_t t = 0; t < w->k; t++)
                w->xc[i * w->k + t] = d->x[i * K + w->col[t]];
        w->x = w->xc;
    }
    if (cs_fitkit_alloc_cov(fit) != 0)
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
out:
    if (st != CS_OK) {
        cs_regress_free(fit);
        return st;
    }
    *out = fit;
    return CS_OK;
}
