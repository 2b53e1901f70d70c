/* shrink.h - empirical-Bayes beta-binomial shrinkage of per-group rates (SPEC 7.7, METHODS.md). */
#ifndef COMPSIGHT_SHRINK_H
#define COMPSIGHT_SHRINK_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/status.h"

/*
 * Model: x_r ~ Binomial(n_r, theta_r), theta_r ~ Beta(alpha, beta), one r
 * per group (a rep).  (alpha, beta) are fitted by maximum likelihood of the
 * beta-binomial over the groups with n_r > 0, optimising (log alpha,
 * log beta) by Newton's method (analytic gradient and Hessian, eigenvalues
 * made positive where the Hessian is not, Armijo line search), started
 * from the noise-corrected moment estimate of METHODS.md (v = sample
 * variance, with divisor m - 1, and mu = mean of the raw rates x_r / n_r).
 * Converged when the Newton step is below 1e-11 or the Newton decrement
 * below 1e-20.  The likelihood is METHODS.md's, lnB(x + a, n - x + b) -
 * lnB(a, b) plus log C(n, x), but evaluated as finite sums and asymptotic
 * series of log-Gamma ratios rather than as a difference of gsl_sf_lnbeta
 * values: where groups barely differ the optimum lies on a flat ridge at
 * alpha in the thousands, and lnbeta differences there carry 1e-11 of
 * rounding, more than the likelihood changes per step (agrees with R's
 * lbeta to 2e-13 elsewhere).
 *
 * Pooling: there is no evidence that groups differ, and everyone gets the
 * pooled rate sum x / sum n, when
 *   - the data cannot show a difference: fewer than 2 groups with n > 0,
 *     every such n_r == 1, or the pooled rate is 0 or 1  (CS_SHRINK_POOLED_DATA);
 *   - the moment estimate rho <= 0: under- or exactly binomially dispersed
 *     (CS_SHRINK_POOLED_MOMENT);
 *   - the likelihood keeps rising as alpha + beta grows: an accepted
 *     Newton iterate has alpha + beta > CS_SHRINK_MAX_PRECISION, or the
 *     optimum found is not better than the pooled binomial (the limit
 *     alpha + beta -> infinity) by more than CS_SHRINK_LR_EPS in
 *     log-likelihood (CS_SHRINK_POOLED_ML).
 * The other boundary, alpha + beta -> 0 (groups all-or-nothing, e.g. every
 * x_r is 0 or n_r), leaves the raw rates essentially unshrunk: when an
 * iterate has alpha + beta < CS_SHRINK_MIN_PRECISION the fit stops there and
 * says so (CS_SHRINK_UNSHRUNK); posteriors use that (alpha, beta).
 */

#define CS_SHRINK_MAX_PRECISION 1e6    /* alpha + beta beyond: pooled */
#define CS_SHRINK_MIN_PRECISION 1e-6   /* alpha + beta below: unshrunk */
#define CS_SHRINK_LR_EPS 1e-9          /* log-likelihood gain that counts as none */
#define CS_SHRINK_LEVEL 0.95           /* posterior interval: 2.5% and 97.5% quantiles */

enum cs_shrink_outcome {
    CS_SHRINK_FITTED = 0,     /* interior maximum: per-group posteriors */
    CS_SHRINK_POOLED_DATA,    /* see above */
    CS_SHRINK_POOLED_MOMENT,
    CS_SHRINK_POOLED_ML,
    CS_SHRINK_UNSHRUNK        /* alpha + beta -> 0: posteriors are the raw rates */
};

struct cs_shrink {
    size_t m;                 /* groups given */
    size_t m_used;            /* groups with n > 0 (the fit's data) */
    enum cs_shrink_outcome outcome;
    bool pooled;              /* outcome is one of the POOLED_* */
    double x_total, n_total;
    double pooled_rate;       /* x_total / n_total; NAN when n_total == 0 */
    double pooled_low, pooled_high;   /* its Wilson 95% interval (stattest.h) */
    double moment_rho;        /* starting estimate; NAN when it cannot be computed */
    double alpha, beta;       /* ML prior; NAN when pooled */
    double rho;               /* 1 / (alpha + beta + 1), the intra-group correlation; 0 when pooled */
    double nll;               /* negative log-likelihood at the ML, binomial coefficients
                                 included; when pooled, nll_pooled */
    double nll_pooled;        /* binomial negative log-likelihood at pooled_rate */
    double lr;                /* 2 (nll_pooled - nll) >= 0 */
    double lr_p;              /* 0.5 P(chi2_1 > lr): boundary LR test of overdispersion;
                                 1 when pooled, NAN when no fit was attempted */
    unsigned iterations;      /* Newton iterations (0 when no fit was attempted) */
    /* Per group, [m] each.  raw = x/n (NAN when n == 0).  mean = posterior
     * mean (x + alpha)/(n + alpha + beta), low/high = the 2.5% and 97.5%
     * quantiles of Beta(alpha + x, beta + n - x); a group with n == 0 gets
     * the prior's.  When pooled: pooled_rate and its interval for everyone. */
    double *raw, *mean, *low, *high;
};

/*
 * Fit the prior to x[0..m), n[0..m) and compute every group's posterior.
 * On success *out is a new struct owned by the caller (cs_shrink_free).
 * Errors, with *out left NULL: CS_ERR_USAGE when out is NULL, x or n is NULL
 * with m > 0, or some x[r] > n[r]; CS_ERR_NOMEM; CS_ERR_INTERNAL when the
 * optimiser does not converge in 500 iterations or a special function or a
 * quantile fails (message says which).
 */
enum cs_status cs_shrink_fit(const size_t *x, const size_t *n, size_t m,
                             struct cs_shrink **out, struct cs_error *err);

void cs_shrink_free(struct cs_shrink *s);    /* accepts NULL */

/*
 * Negative log-likelihood of the beta-binomial at (alpha, beta) over the
 * groups with n > 0, binomial coefficients included; NAN when alpha or
 * beta is not > 0 or a special function fails.  Exposed for tests.
 */
double cs_shrink_nll(const size_t *x, const size_t *n, size_t m, double alpha, double beta);

/* Static English sentence for an outcome ("no evidence that groups differ: ..."). */
const char *cs_shrink_outcome_text(enum cs_shrink_outcome outcome);

#endif
