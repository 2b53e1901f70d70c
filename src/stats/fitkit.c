/* fitkit.c - small dense algebra and the fit record shared by the within-rep estimators. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "fitkit.h"

#define Z95 1.959964            /* SPEC 7: the 95% interval's multiplier */
#define ALIAS_TOL 1e-7          /* R's lm/glm rank tolerance (dqrdc2) */

/* ======================================================================
 * Cholesky, equilibrated
 * ==================================================================== */

int cs_fitkit_chol_factor(struct cs_fitkit_chol *c, const double *A, size_t k)
{
    if (k > CS_REGRESS_MAX_TERMS)
        return -1;
    c->k = k;
    for (size_t j = 0; j < k; j++) {
        double a = A[j * k + j];
        if (!(a > 0) || !isfinite(a))
            return -1;
        int e;
        frexp(sqrt(a), &e);
        c->s[j] = ldexp(1.0, -e);
    }
    double *L = c->L;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j <= i; j++) {
            double sum = A[i * k + j] * c->s[i] * c->s[j];
            for (size_t q = 0; q < j; q++)
                sum -= L[i * k + q] * L[j * k + q];
            if (i == j) {
                if (!(sum > 0) || !isfinite(sum))
                    return -1;
                L[i * k + i] = sqrt(sum);
            } else {
                L[i * k + j] = sum / L[j * k + j];
            }
        }
    }
    return 0;
}

int cs_fitkit_chol_solve(const struct cs_fitkit_chol *c, const double *b, double *x)
{
    size_t k = c->k;
    const double *L = c->L;
    double z[CS_REGRESS_MAX_TERMS];
    for (size_t i = 0; i < k; i++) {            /* L z = S b */
        double sum = b[i] * c->s[i];
        for (size_t q = 0; q < i; q++)
            sum -= L[i * k + q] * z[q];
        z[i] = sum / L[i * k + i];
    }
    for (size_t i = k; i-- > 0;) {              /* L' w = z, in place */
        double sum = z[i];
        for (size_t q = i + 1; q < k; q++)
            sum -= L[q * k + i] * z[q];
        z[i] = sum / L[i * k + i];
    }
    int rc = 0;
    for (size_t i = 0; i < k; i++) {
        x[i] = z[i] * c->s[i];
        if (!isfinite(x[i]))
            rc = -1;
    }
    return rc;
}

int cs_fitkit_chol_inverse(const struct cs_fitkit_chol *c, double *inv)
{
    size_t k = c->k;
    const double *L = c->L;
    double Li[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    /* Li = L^-1, lower triangular, column by column */
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < j; i++)
            Li[i * k + j] = 0;
        Li[j * k + j] = 1 / L[j * k + j];
        for (size_t i = j + 1; i < k; i++) {
            double sum = 0;
            for (size_t q = j; q < i; q++)
                sum -= L[i * k + q] * Li[q * k + j];
            Li[i * k + j] = sum / L[i * k + i];
        }
    }
    int rc = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j <= i; j++) {
            double sum = 0;                     /* (Li' Li)_ij over q >= max(i, j) = i */
            for (size_t q = i; q < k; q++)
                sum += Li[q * k + i] * Li[q * k + j];
            double v = sum * c->s[i] * c->s[j];
            inv[i * k + j] = inv[j * k + i] = v;
            if (!isfinite(v))
                rc = -1;
        }
    return rc;
}

/* ======================================================================
 * Sandwich, screen
 * ==================================================================== */

void cs_fitkit_sandwich(const double *B, const double *U, size_t G, size_t k, double c_adj,
                        double *V)
{
    double vp[CS_REGRESS_MAX_TERMS];
    for (size_t q = 0; q < k * k; q++)
        V[q] = 0;
    for (size_t g = 0; g < G; g++) {
        const double *u = U + g * k;
        for (size_t i = 0; i < k; i++) {
            double s = 0;
            for (size_t j = 0; j < k; j++)
                s += B[i * k + j] * u[j];
            vp[i] = s;
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                V[i * k + j] += vp[i] * vp[j];
    }
    for (size_t q = 0; q < k * k; q++)
        V[q] *= c_adj;
}

size_t cs_fitkit_screen(const double *C, const double *norm2, size_t p, bool *keep)
{
    /* Sequential Cholesky in column order: row m of L belongs to the m-th
     * kept column (column kcol[m]). */
    double L[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    size_t kcol[CS_REGRESS_MAX_TERMS], nk = 0;
    for (size_t a = 0; a < p; a++) {
        double r = C[a * p + a];
        double *la = L + nk * p;
        for (size_t m = 0; m < nk; m++) {
            double s = C[a * p + kcol[m]];
            for (size_t q = 0; q < m; q++)
                s -= la[q] * L[m * p + q];
            la[m] = s / L[m * p + m];
            r -= la[m] * la[m];
        }
        keep[a] = isfinite(r) && r > 0 && r > ALIAS_TOL * ALIAS_TOL * norm2[a];
        if (keep[a]) {
            la[nk] = sqrt(r);
            kcol[nk++] = a;
        }
    }
    return nk;
}

/* ======================================================================
 * The fit record
 * ==================================================================== */

static void term_clear(struct cs_regress_term *t, const char *name, size_t column)
{
    t->name = name;
    t->column = column;
    t->estimate = t->se = t->se_cluster = t->z = t->p = NAN;
    t->ci_low = t->ci_high = t->odds_ratio = t->or_low = t->or_high = NAN;
    t->separated = false;
}

struct cs_regress_fit *cs_fitkit_fit_new(enum cs_regress_model model, size_t n, size_t k_design,
                                         const char *const *names, const bool *keep, bool fitted)
{
    struct cs_regress_fit *fit = calloc(1, sizeof *fit);
    if (!fit)
        return NULL;
    size_t K = k_design;
    fit->model = model;
    fit->n = n;
    fit->k_design = K;
    fit->deviance = fit->null_deviance = fit->loglik = NAN;
    fit->penalised_loglik = fit->sigma = NAN;
    fit->terms = calloc(K ? K : 1, sizeof *fit->terms);
    fit->dropped = calloc(K ? K : 1, sizeof *fit->dropped);
    fit->dropped_column = calloc(K ? K : 1, sizeof *fit->dropped_column);
    if (!fit->terms || !fit->dropped || !fit->dropped_column)
        goto fail;
    for (size_t j = 0; j < K; j++) {
        if (!keep || keep[j]) {
            term_clear(&fit->terms[fit->k++], names[j], j);
        } else {
            fit->dropped[fit->n_dropped] = names[j];
            fit->dropped_column[fit->n_dropped++] = j;
        }
    }
    if (fitted && fit->k > 0) {
        size_t k = fit->k;
        fit->vcov = malloc(k * k * sizeof *fit->vcov);
        fit->vcov_cluster = malloc(k * k * sizeof *fit->vcov_cluster);
        if (!fit->vcov || !fit->vcov_cluster)
            goto fail;
        for (size_t q = 0; q < k * k; q++)
            fit->vcov[q] = fit->vcov_cluster[q] = NAN;
        fit->fitted = true;
    }
    return fit;
fail:
    cs_regress_free(fit);
    return NULL;
}

void cs_fitkit_unfit(struct cs_regress_fit *fit)
{
    fit->fitted = false;
    free(fit->vcov);
    free(fit->vcov_cluster);
    fit->vcov = fit->vcov_cluster = NULL;
}

void cs_fitkit_finish_terms(struct cs_regress_fit *fit, const double *beta, bool logistic)
{
    size_t k = fit->k;
    for (size_t t = 0; t < k; t++) {
        struct cs_regress_term *tm = &fit->terms[t];
        double v = fit->vcov[t * k + t], vc = fit->vcov_cluster[t * k + t];
        tm->estimate = beta[t];
        tm->se = v >= 0 ? sqrt(v) : NAN;
        tm->se_cluster = vc >= 0 ? sqrt(vc) : NAN;
        if (fit->flags & CS_REGRESS_PERFECT_FIT) {
            tm->se = tm->se_cluster = 0;
            tm->ci_low = tm->ci_high = beta[t];
        } else if (tm->se_cluster > 0 && isfinite(tm->se_cluster)) {
            tm->z = beta[t] / tm->se_cluster;
            tm->p = 2 * gsl_cdf_ugaussian_Q(fabs(tm->z));
            tm->ci_low = beta[t] - Z95 * tm->se_cluster;
            tm->ci_high = beta[t] + Z95 * tm->se_cluster;
        }
        if (logistic) {
            tm->odds_ratio = exp(beta[t]);
            tm->or_low = exp(tm->ci_low);
            tm->or_high = exp(tm->ci_high);
        }
    }
}
