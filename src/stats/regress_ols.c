/* regress_ols.c - least squares by a streamed Householder QR, with vcovCL's HC1 cluster-robust covariance. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "compsight/regress.h"
#include "regress_impl.h"
#include "sandwich.h"

/*
 * Least squares by a streamed Householder QR: blocks of OLS_BLOCK rows of
 * [X S | y] are stacked under the current (k+1) x (k+1) triangle and
 * re-triangularised, so the whole fit is one sequence of orthogonal
 * transformations (as accurate as a QR of the full matrix) without an n x k
 * copy.  The last diagonal element of the triangle is the residual norm.
 */
#define OLS_BLOCK 256

/* The arrays of one fit, allocated together. */
struct ols {
    gsl_matrix *M;      /* (k+1 + OLS_BLOCK) x (k+1): the triangle, then a block of rows */
    gsl_matrix *R;      /* k x k: R, then R^-1 */
    gsl_vector *tau;
    double *s;          /* k+1 column scales (the last one y's) */
    double *B;          /* k x k (X'X)^-1 */
    double *U;          /* G x k cluster score sums */
    double *beta;       /* k */
    double ynorm2;      /* |y|^2 */
};

static int ols_alloc(struct ols *o, size_t k, size_t G)
{
    size_t k1 = k + 1;
    o->M = gsl_matrix_calloc(k1 + OLS_BLOCK, k1);
    o->R = gsl_matrix_calloc(k, k);
    o->tau = gsl_vector_alloc(k1);
    o->s = malloc(k1 * sizeof *o->s);
    o->B = malloc(k * k * sizeof *o->B);
    o->beta = malloc(k * sizeof *o->beta);
    o->U = calloc((G ? G : 1) * k, sizeof *o->U);
    return o->M && o->R && o->tau && o->s && o->B && o->beta && o->U ? 0 : -1;
}

static void ols_free(struct ols *o)
{
    gsl_matrix_free(o->M);
    gsl_matrix_free(o->R);
    gsl_vector_free(o->tau);
    free(o->s);
    free(o->B);
    free(o->U);
    free(o->beta);
}

/* Columns (and y) scaled by powers of two to norms in [1/2, 1): exact,
 * and it keeps the triangle balanced. */
static void ols_scales(const struct regress_work *w, struct ols *o)
{
    const double *y = w->d->y;
    size_t k = w->k;
    o->ynorm2 = 0;
    for (size_t i = 0; i < w->n; i++)
        o->ynorm2 += y[i] * y[i];
    for (size_t t = 0; t < k + 1; t++) {
        int e;
        frexp(sqrt(t < k ? w->norm2[t] : o->ynorm2), &e);
        o->s[t] = o->ynorm2 > 0 || t < k ? ldexp(1.0, -e) : 1;
    }
}

/* The triangle of [X S | y s_y], block by block, in rows 0..k of M. */
static enum cs_status ols_triangle(const struct regress_work *w, struct ols *o,
                                   struct cs_error *err)
{
    size_t n = w->n, k = w->k, k1 = k + 1;
    gsl_matrix *M = o->M;
    for (size_t i0 = 0; i0 < n; i0 += OLS_BLOCK) {
        size_t nb = n - i0 < OLS_BLOCK ? n - i0 : OLS_BLOCK;
        /* rows 0..k of M hold the triangle from the last block (zeros at
         * first); the new rows go below it, unused rows stay zero */
        for (size_t r = 0; r < k1; r++)
            for (size_t c = 0; c < r; c++)
                M->data[r * M->tda + c] = 0;   /* below-diagonal Householder vectors */
        for (size_t r = 0; r < OLS_BLOCK; r++) {
            double *m = M->data + (k1 + r) * M->tda;
            if (r < nb) {
                const double *xi = w->x + (i0 + r) * k;
                for (size_t t = 0; t < k; t++)
                    m[t] = xi[t] * o->s[t];
                m[k] = w->d->y[i0 + r] * o->s[k];
            } else {
                for (size_t t = 0; t < k1; t++)
                    m[t] = 0;
            }
        }
        if (gsl_linalg_QR_decomp(M, o->tau) != GSL_SUCCESS)
            return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL, "regression: QR failed");
    }
    return CS_OK;
}

/* Solve R b = (Q'y)[0..k) into o->beta, unscaled; true when R is singular. */
static bool ols_solve(struct ols *o, size_t k)
{
    bool singular = false;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++)
            gsl_matrix_set(o->R, i, j, gsl_matrix_get(o->M, i, j));
    for (size_t i = k; i-- > 0;) {
        double acc = gsl_matrix_get(o->M, i, k);
        for (size_t j = i + 1; j < k; j++)
            acc -= gsl_matrix_get(o->R, i, j) * o->beta[j];
        double rii = gsl_matrix_get(o->R, i, i);
        if (rii == 0)
            singular = true;
        o->beta[i] = rii != 0 ? acc / rii : NAN;
    }
    for (size_t i = 0; i < k; i++)
        o->beta[i] = o->beta[i] * o->s[i] / o->s[k];
    return singular;
}

/* RSS = R[k][k]^2, the total sum of squares, the likelihood and sigma; returns the RSS. */
static double ols_summaries(const struct regress_work *w, const struct ols *o,
                            struct cs_regress_fit *fit)
{
    size_t n = w->n, k = w->k;
    const double *y = w->d->y;
    double rn = gsl_matrix_get(o->M, k, k) / o->s[k];
    double rss = rn * rn, ysum = 0, yss = 0;
    for (size_t i = 0; i < n; i++)
        ysum += y[i];
    double ybar = ysum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double c = w->has_intercept ? y[i] - ybar : y[i];
        yss += c * c;
    }
    fit->deviance = rss;
    fit->null_deviance = yss;
    fit->loglik = -0.5 * (double)n * (log(2 * M_PI * rss / (double)n) + 1);
    fit->sigma = sqrt(rss / (double)(n - k));
    fit->converged = true;
    if (sqrt(rss) <= 1e-12 * sqrt(o->ynorm2))
        fit->flags |= CS_REGRESS_PERFECT_FIT;
    return rss;
}

/*
 * (X'X)^-1 = S R^-1 R^-T S into o->B (R inverted in place); sigma^2 B as
 * the model covariance; with two clusters or more, vcovCL's HC1 from the
 * residuals' cluster sums.
 */
static void ols_covariances(const struct regress_work *w, struct ols *o, double rss, bool singular,
                            struct cs_regress_fit *fit)
{
    size_t n = w->n, k = w->k;
    if (!singular && gsl_linalg_tri_invert(CblasUpper, CblasNonUnit, o->R) != GSL_SUCCESS)
        singular = true;
    if (singular) {
        fit->flags |= CS_REGRESS_SINGULAR;
        return;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double acc = 0;
            for (size_t q = (i > j ? i : j); q < k; q++)
                acc += gsl_matrix_get(o->R, i, q) * gsl_matrix_get(o->R, j, q);
            o->B[i * k + j] = acc * o->s[i] * o->s[j];
        }
    double s2 = rss / (double)(n - k);
    for (size_t q = 0; q < k * k; q++)
        fit->vcov[q] = s2 * o->B[q];

    if (w->G >= 2) {
        /* residuals e = y - X b, for the scores u_g = sum e_i x_i */
        for (size_t i = 0; i < n; i++) {
            const double *xi = w->x + i * k;
            double e = w->d->y[i];
            for (size_t t = 0; t < k; t++)
                e -= xi[t] * o->beta[t];
            cs_cluster_score_add(o->U, w->g[i], k, e, xi);
        }
        cs_vcovcl(o->B, o->U, w->G, n, k, CS_VCOVCL_HC1, fit->vcov_cluster);
    }
}

enum cs_status cs_regress_ols(const struct cs_regress_design *d, struct cs_regress_fit **out,
                              struct cs_error *err)
{
    struct regress_work w;
    struct cs_regress_fit *fit = NULL;
    struct ols o = {0};
    enum cs_status st = cs_regress_prepare(d, CS_REGRESS_OLS, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;
    if (ols_alloc(&o, w.k, w.G) != 0) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    ols_scales(&w, &o);
    st = ols_triangle(&w, &o, err);
    if (st != CS_OK)
        goto out;
    bool singular = ols_solve(&o, w.k);
    double rss = ols_summaries(&w, &o, fit);
    ols_covariances(&w, &o, rss, singular, fit);
    cs_fitkit_finish_terms(fit, o.beta, false);
out:
    ols_free(&o);
    cs_regress_work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}
