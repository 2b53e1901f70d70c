/* regress.h - least squares and logistic regression with cluster-robust standard errors (SPEC 7.1-7.3, METHODS.md). */
#ifndef COMPSIGHT_REGRESS_H
#define COMPSIGHT_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

#define CS_REGRESS_MAX_TERMS 64   /* more terms: CS_ERR_USAGE */

/*
 * A model's data, borrowed for the duration of the call; only the term
 * names are referenced afterwards (the fit points into names, see struct
 * cs_regress_fit), so they must outlive the fit.  The caller builds the
 * design: one row per observation without missing values, the intercept as
 * a column of 1s (usually column 0), 0/1 dummies for categories.
 */

struct cs_regress_design {
    size_t n;                    /* rows (observations) */
    size_t k;                    /* terms = columns of x */
    const double *x;             /* n * k, row-major: x[i * k + j] is term j of row i */
    const double *y;             /* n outcomes; 0 or 1 for the logistic fits */
    const uint32_t *cluster;     /* n cluster ids, any values; NULL: no cluster SE */
    const char *const *names;    /* k term names */
};

enum cs_regress_model {
    CS_REGRESS_OLS,              /* least squares, cluster SE of type HC1 */
    CS_REGRESS_LOGIT,            /* logistic maximum likelihood by IRLS, HC0 */
    CS_REGRESS_FIRTH             /* logistic, Firth's penalised likelihood */
};

/*
 * Conditions a fit reports in cs_regress_fit.flags (a bit set; 0 is a
 * normal fit).  They are data conditions, not errors: the call returns
 * CS_OK and the caller explains them; cs_regress_flag_text() names each.
 * The first four leave the fit without estimates (fitted == false, every
 * number of every term NaN).
 */
enum cs_regress_flag {
    CS_REGRESS_NO_ROWS        = 1u << 0,  /* n == 0 */
    CS_REGRESS_NO_TERMS       = 1u << 1,  /* k == 0, or every term dropped */
    CS_REGRESS_Y_CONSTANT     = 1u << 2,  /* every outcome the same (all 0 or all 1) */
    CS_REGRESS_TOO_FEW_ROWS   = 1u << 3,  /* n <= number of terms left to fit */
    CS_REGRESS_FEW_CLUSTERS   = 1u << 4,  /* G < 2 or no cluster ids: cluster SE and
                                             everything derived from it are NaN */
    CS_REGRESS_NOT_CONVERGED  = 1u << 5,  /* iteration limit reached, or the information
                                             matrix became singular: estimates are the
                                             last iterate */
    CS_REGRESS_SEPARATION     = 1u << 6,  /* logit: (quasi-)complete separation detected;
                                             the terms implicated have separated == true;
                                             estimates and SEs are not meaningful: refit
                                             with cs_regress_firth */
    CS_REGRESS_SINGULAR       = 1u << 7,  /* the (X'WX) or (X'X) at the estimate could not
                                             be inverted: SEs are NaN */
    CS_REGRESS_PERFECT_FIT    = 1u << 8   /* OLS: residual norm <= 1e-12 |y|: SEs are set
                                             to 0, z and p are NaN */
};
#define CS_REGRESS_UNFITTED \
    (CS_REGRESS_NO_ROWS | CS_REGRESS_NO_TERMS | CS_REGRESS_Y_CONSTANT | CS_REGRESS_TOO_FEW_ROWS)

/*
 * One fitted term.  Every number is NaN when it is undefined (no fit, no
 * clusters, a singular matrix); the JSON layer writes NaN as null.
 *   z = estimate / se_cluster; p = 2 Q(|z|), Q the standard normal upper tail;
 *   ci = estimate -/+ 1.959964 se_cluster;
 *   odds_ratio = exp(estimate), or_low/or_high = exp(ci_low/ci_high)
 *   (logistic fits; NaN for OLS).
 */
struct cs_regress_term {
    const char *name;            /* borrowed from design->names */
    size_t column;               /* its column in the design */
    double estimate;
    double se;                   /* model-based */
    double se_cluster;           /* cluster-robust (sandwich::vcovCL defaults) */
    double z, p, ci_low, ci_high;
    double odds_ratio, or_low, or_high;
    bool separated;              /* logit: implicated in the detected separation */
};

/*
 * A fit, owned by the caller: free with cs_regress_free().  Pointers into
 * the design (term and dropped names) are borrowed: the design's names must
 * outlive the fit.  Terms are the kept ones, in design order.
 */
struct cs_regress_fit {
    enum cs_regress_model model;
    unsigned flags;              /* enum cs_regress_flag bits */
    bool fitted;                 /* estimates are numbers: false when a CS_REGRESS_UNFITTED
                                    flag is set (and, with CS_REGRESS_SINGULAR, when not even
                                    the first IRLS step could be solved) */
    bool converged;              /* OLS: true whenever fitted */
    bool separation;             /* flags & CS_REGRESS_SEPARATION */
    size_t n;                    /* rows used */
    size_t k_design;             /* terms in the design */
    size_t k;                    /* terms kept (length of terms) */
    size_t clusters;             /* G, distinct cluster ids (0 without ids) */
    int iterations;              /* IRLS / Newton iterations (0 for OLS) */
    double deviance;             /* logit, Firth: -2 log-likelihood (unpenalised); OLS: RSS */
    double null_deviance;        /* intercept-only deviance (logit; mu = 1/2 without an
                                    intercept) or total sum of squares (OLS; about the mean,
                                    or about 0 without an intercept), as R's glm/lm */
    double loglik;               /* log-likelihood (OLS: Gaussian, as R's logLik.lm) */
    double penalised_loglik;     /* Firth: loglik + 1/2 log det(X'WX); NaN otherwise */
    double sigma;                /* OLS: residual standard error sqrt(RSS / (n - k)); NaN otherwise */
    size_t n_dropped;
    const char **dropped;        /* n_dropped names of dropped terms, borrowed, design order */
    size_t *dropped_column;      /* their design columns */
    struct cs_regress_term *terms;   /* k kept terms (every design term when n == 0) */
    double *vcov;                /* k * k model-based covariance, row-major, kept terms;
                                    NULL when !fitted */
    double *vcov_cluster;        /* k * k cluster-robust covariance (NaN when G < 2);
                                    NULL when !fitted */
};

/*
 * Tuning; pass NULL for the defaults of SPEC 7 (cs_regress_options_default()).
 */
struct cs_regress_options {
    int max_iter;                /* 100 */
    double dev_tol;              /* logit: stop when |dev - dev_old| / (|dev| + 0.1) < dev_tol; 1e-10 */
    double coef_tol;             /* Firth: stop when every step |d_j| <= coef_tol (1 + |b_j|); 1e-12 */
    int threads;                 /* 2: passes over more than 65536 rows run their two halves
                                    on two threads; 1: on the calling thread only.  The halves
                                    are summed separately either way, so the fit is
                                    bit-identical whatever the value (set 1 when fitting
                                    several models in parallel yourself) */
};
struct cs_regress_options cs_regress_options_default(void);

/*
 * Fit by least squares: a Householder QR of [X y] streamed in blocks of 256
 * rows (no n x k copy), columns scaled by powers of two, so that Longley's
 * design keeps its digits; RSS is the last diagonal element squared.
 * Single-threaded (about 0.2 s of CPU for 1M rows x 8 terms).  Model SE from
 * sigma^2 (X'X)^-1, sigma^2 = RSS / (n - k); cluster SE as vcovCL's HC1:
 * (X'X)^-1 [G/(G-1) (n-1)/(n-k) sum_g u_g u_g'] (X'X)^-1, u_g = sum e_i x_i.
 *
 * Terms are screened first, for every model alike: a column constant over
 * the rows is dropped unless it is the first non-zero constant column (the
 * intercept); then, as R's lm/glm (LINPACK dqrdc2, tol 1e-7), a column whose
 * residual after projection on the intercept and the earlier kept columns
 * has norm below 1e-7 times its own norm is dropped (aliased).  The
 * intercept is projected out first wherever it sits in the design.
 *
 * On CS_OK, *out is a new fit owned by the caller; check fit->flags.
 * Errors (*out NULL): CS_ERR_USAGE when d or its arrays are NULL, k >
 * CS_REGRESS_MAX_TERMS or n * k overflows; CS_ERR_INPUT when a y or x
 * value is not finite (column = the term or "y", message "row I: ...",
 * I 0-based) or a column's sum of squares overflows (|x| > 1e154);
 * CS_ERR_NOMEM; CS_ERR_INTERNAL when GSL fails unexpectedly.  The caller
 * filters rows with missing values before building the design.
 */
enum cs_status cs_regress_ols(const struct cs_regress_design *d, struct cs_regress_fit **out,
                              struct cs_error *err);

/*
 * Logistic regression by IRLS, as R's glm.fit: start from mu = (y + 1/2)/2,
 * W = diag(mu (1 - mu)), working response z = eta + (y - mu)/(mu (1 - mu)),
 * b <- (X'WX)^-1 X'Wz (Cholesky of the equilibrated X'WX), until
 * |dev - dev_old| / (|dev| + 0.1) < dev_tol.  mu is kept in
 * [eps, 1 - eps] beyond |eta| > 30 like R's binomial() link.  Model SE from
 * (X'WX)^-1 at the final mu; cluster SE as vcovCL's HC0 for glm:
 * (X'WX)^-1 [G/(G-1) sum_g u_g u_g'] (X'WX)^-1, u_g = sum (y_i - mu_i) x_i.
 *
 * Separation (CS_REGRESS_SEPARATION) is reported when some rows have a
 * fitted probability within 1e-6 of 0 or 1 and the fit is still running off
 * along them: the last IRLS step moved the linear predictor of such a row by
 * more than 0.1 (in a fit whose maximum exists, the last step moves every
 * linear predictor by orders of magnitude less; under separation, Newton's
 * step on the rows at the boundary stays near 1 per iteration for ever), or
 * the iterations ran out.  A term is implicated (separated = true) when its
 * own share of that last step, |step_j x_ij| over the boundary rows, is at
 * least a quarter of the largest step of a boundary row.
 *
 * y must be 0 or 1 (CS_ERR_INPUT otherwise); CS_ERR_USAGE for options out
 * of range (max_iter < 1, a negative or NaN tolerance).  Other errors as
 * cs_regress_ols.
 */
enum cs_status cs_regress_logit(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err);

/*
 * Firth's penalised logistic regression (the remedy for separation):
 * maximise l(b) + 1/2 log det(X'WX) by Newton steps on the modified score
 * U* = sum_i (y_i - p_i + h_i (1/2 - p_i)) x_i, h_i the diagonal of
 * W^1/2 X (X'WX)^-1 X' W^1/2, with X'WX as the Hessian; start from b = 0;
 * each step scaled so that no coefficient moves by more than 5 (logistf's
 * maxstep); halved (up to 25 times) while the penalised log-likelihood
 * would fall.  Converged when the full step has |d_j| <= coef_tol (1 + |b_j|)
 * for every j, or when that relative step is below 1e-8 and no longer
 * shrinking (rounding level); the converged step is still taken and every
 * figure is evaluated at the resulting point.  With the Fisher information
 * in place of the penalised Hessian the convergence is linear, at a rate
 * that falls like 1/n (logistf does the same; its default xconv = 1e-5 on
 * the step is far looser).  SE from (X'WX)^-1 at the
 * estimate (logistf's Wald variance); cluster SE from the HC0 sandwich with
 * the modified scores.  separation is left false: run cs_regress_logit to
 * detect it.  Screening, flags and errors as cs_regress_logit.
 */
enum cs_status cs_regress_firth(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err);

/* Free a fit; accepts NULL. */
void cs_regress_free(struct cs_regress_fit *fit);

/*
 * Linear predictor x_row . b for a new row given as all k_design columns of
 * the original design (dropped terms count 0, so their values are ignored).
 * NaN when the fit has no estimates or fit is NULL.
 */
double cs_regress_predict(const struct cs_regress_fit *fit, const double *x_row);

/*
 * Fitted probability 1 / (1 + exp(-x_row . b)) of a logistic or Firth fit
 * for a new row as above.  NaN for an OLS fit, a fit without estimates, or
 * fit NULL.
 */
double cs_regress_predict_logit(const struct cs_regress_fit *fit, const double *x_row);

/* Static text for one flag bit ("every outcome is the same"), "" for 0 or unknown bits. */
const char *cs_regress_flag_text(unsigned flag);

#endif
