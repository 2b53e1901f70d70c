/* fitkit.c - the fit record and the term screen shared by every fit of stats/ (fitkit.h). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "fitkit.h"

#define Z95 1.959964            /* SPEC 7: the 95% interval's multiplier */
#define ALIAS_TOL 1e-7          /* R's lm/glm rank tolerance (dqrdc2) */

/* ======================================================================
 * The term screen
 * ==================================================================== */

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

void cs_fitkit_set_terms(struct cs_regress_fit *fit, const char *const *names, const bool *keep)
{
    fit->k = fit->n_dropped = 0;
    for (size_t j = 0; j < fit->k_design; j++) {
        if (!keep || keep[j]) {
            term_clear(&fit->terms[fit->k++], names[j], j);
        } else {
            fit->dropped[fit->n_dropped] = names[j];
            fit->dropped_column[fit->n_dropped++] = j;
        }
    }
}

int cs_fitkit_alloc_cov(struct cs_regress_fit *fit)
{
    size_t k = fit->k;
    fit->vcov = malloc((k ? k * k : 1) * sizeof *fit->vcov);
    fit->vcov_cluster = malloc((k ? k * k : 1) * sizeof *fit->vcov_cluster);
    if (!fit->vcov || !fit->vcov_cluster)
        return -1;
    for (size_t q = 0; q < k * k; q++)
        fit->vcov[q] = fit->vcov_cluster[q] = NAN;
    fit->fitted = true;
    return 0;
}

struct cs_regress_fit *cs_fitkit_new(enum cs_regress_model model, size_t n, size_t k_design,
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
    cs_fitkit_set_terms(fit, names, keep);
    if (fitted && fit->k > 0 && cs_fitkit_alloc_cov(fit) != 0)
        goto fail;
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
