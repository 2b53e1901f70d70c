/* clogit.h - conditional logistic regression with strata, exact, as survival::clogit(method = "exact") (SPEC 14.1, METHODS.md). */
#ifndef COMPSIGHT_CLOGIT_H
#define COMPSIGHT_CLOGIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/regress.h"
#include "compsight/status.h"

/*
 * The model: for a stratum (a rep) with n rows of which m have y = 1, and
 * linear predictors eta_i = x_i'b (no intercept: a stratum's own intercept
 * cancels), the conditional likelihood of which rows have y = 1 given m is
 * exp(sum_{y=1} eta_i) / e_m(w), e_m the elementary symmetric polynomial of
 * degree m in w_i = exp(eta_i).  The log-likelihood is the sum over
 * strata.  A stratum with m = 0 or m = n contributes nothing
 * ("uninformative"); its rows still count in n.
 *
 * The design is borrowed for the duration of the call; the fit points into
 * names (term and dropped names), which must outlive it.  It is not
 * copied: each evaluation reads a stratum's rows where they are.  A design
 * whose rows are grouped by stratum is read in sequence; in any other
 * order it is read at random, which made a fit on 1M deals about half as
 * slow again (0.35 s of CPU grouped, 0.53 s shuffled).
 */
struct cs_clogit_design {
    size_t n;                    /* rows */
    size_t k;                    /* terms = columns of x (no intercept) */
    const double *x;             /* row-major: x[i * stride + j] is term j of row i */
    size_t stride;               /* doubles from one row to the next, >= k; 0: k (so a
                                    design with an intercept in column 0 can be passed
                                    as x + 1 with its own stride and k - 1 terms) */
    const double *y;             /* n outcomes, 0 or 1 */
    const uint32_t *stratum;     /* n stratum ids, each below strata */
    size_t strata;               /* ids are 0..strata-1 (ids without rows are allowed) */
    const char *const *names;    /* k term names */
};

/* Tuning; pass NULL for cs_clogit_options_default(). */
struct cs_clogit_options {
    int max_iter;                /* Newton iterations: 100 */
    double tol;                  /* stop when |l - l_old| <= tol (|l| + 0.1): 1e-10 (the
                                    0.1 as glm's, for fits whose l runs to 0 under
                                    separation) */
    int threads;                 /* 2: the strata are cut into two fixed halves (by
                                    their cost), each summed on its own, the halves added
                                    in a fixed order; with 2 the second half runs on a
                                    second thread.  The fit is bit-identical whatever the
                                    value */
};
struct cs_clogit_options cs_clogit_options_default(void);

/*
 * A fit, owned by the caller: free with cs_clogit_free().
 *
 * fit holds what every model of the report holds (regress.h), with
 * model = CS_REGRESS_LOGIT (odds ratios are filled in) and:
 *   n            every row, uninformative strata included;
 *   clusters     the informative strata (the scores of the robust covariance);
 *   loglik       the conditional log-likelihood at the estimate;
 *   deviance     -2 loglik; null_deviance -2 loglik_null;
 *   se           from the inverse information I^-1 at the estimate;
 *   se_cluster   robust: I^-1 (sum_g U_g U_g') I^-1, U_g stratum g's score at
 *                the estimate, no G/(G-1) factor (SPEC 14.1); z, p and the
 *                interval use it;
 *   iterations   Newton iterations; converged as the tolerance says;
 *   sigma, penalised_loglik: NaN.
 * Flags (regress.h): CS_REGRESS_NO_ROWS; CS_REGRESS_NO_TERMS (k == 0 or
 * every term dropped); CS_REGRESS_Y_CONSTANT when no stratum is
 * informative (the outcome is constant within every stratum);
 * CS_REGRESS_FEW_CLUSTERS when fewer than 2 strata are informative (the
 * robust SE and what derives from it are NaN); CS_REGRESS_NOT_CONVERGED;
 * CS_REGRESS_SINGULAR (the information at the estimate cannot be
 * inverted); CS_REGRESS_SEPARATION when a coefficient is running off to
 * infinity (a term predicts the outcome perfectly within the strata): the
 * Newton step still left at the estimate moves the term by more than
 * 1e-3 max(1, |b|) (at a maximum it is many orders smaller; on a
 * separated direction it stays near 1 per iteration), both in units of
 * the term's linear predictor (b times the term's root mean square within
 * strata); the terms whose step is at least a quarter of the largest have
 * separated = true.  The estimate and SEs are then not meaningful.
 */
struct cs_clogit_fit {
    struct cs_regress_fit *fit;  /* owned */
    size_t strata;               /* strata with at least one row */
    size_t uninformative;        /* of them, those with m == 0 or m == n */
    size_t informative_rows;     /* rows of the informative strata */
    double loglik_null;          /* conditional log-likelihood at b = 0 */
};

/*
 * Maximise the conditional likelihood by Newton-Raphson from b = 0, with
 * the step halved (up to 30 times) while the log-likelihood would fall,
 * until |l - l_old| <= tol (|l| + 0.1).  The likelihood, score and information of
 * a stratum come from one recursion over its rows: the count of events
 * among independent Bernoulli(q_i) rows, q_i = w_i t / (1 + w_i t), has
 * P(K = m) = e_m(w) t^m / prod(1 + w_i t), so log e_m follows from that
 * probability, which a forward recursion over the rows computes as a
 * convex combination (nothing overflows, whatever eta); t is chosen per
 * stratum so that E K is near m (P(K = m) cannot underflow), and a
 * stratum with m > n - m is fitted as its mirror image (y -> 1 - y,
 * x -> -x), so the recursion is never wider than min(m, n - m) + 1.  The
 * score sum (y_i - pi_i) x_i and the information, the conditional
 * covariance of sum_{y=1} x_i, come from the same forward recursion
 * carrying first moments and a backward one (checkpointed for strata of
 * thousands of rows); the cost is O(n min(m, n - m) k) per stratum, the
 * memory O(n) for an index of the rows plus, per thread, O(n k) for the
 * largest stratum and O(sqrt(n) min(m, n - m)) for its backward arrays.
 * x is centred within each stratum, and then on its mean under the tilted
 * q_i (the conditional likelihood does not change; the covariance then
 * does not cancel when the events are nearly determined).
 *
 * Terms are screened on the informative strata's rows, x centred within
 * each stratum: a term with no within-stratum variation, or aliased with
 * earlier ones (R's rank test, tolerance 1e-7 against the term's own
 * norm), is dropped and listed.
 *
 * On CS_OK, *out is a new fit owned by the caller; check fit->flags.
 * Errors (*out NULL): CS_ERR_USAGE when d or its arrays are NULL, k >
 * CS_REGRESS_MAX_TERMS, options out of range (max_iter < 1, tol < 0 or
 * NaN); CS_ERR_INPUT when a y is not 0 or 1, an x is not finite (column =
 * the term, message "row I: ...", I 0-based) or a stratum id is not below
 * strata (column "stratum"); CS_ERR_NOMEM.
 */
enum cs_status cs_clogit(const struct cs_clogit_design *d, const struct cs_clogit_options *opt,
                         struct cs_clogit_fit **out, struct cs_error *err);

/* Free a fit; accepts NULL. */
void cs_clogit_free(struct cs_clogit_fit *fit);

/*
 * The conditional log-likelihood, its gradient and its Hessian at beta (k
 * values, one per design column: nothing is screened or dropped), summed
 * over the strata, computed as cs_clogit computes them.  grad (k) and hess
 * (k * k, row-major, symmetric) may be NULL when not wanted.  Uninformative
 * strata contribute 0.  Errors as cs_clogit (beta NULL or not finite:
 * CS_ERR_USAGE); threads as in the options (NULL: default).
 */
enum cs_status cs_clogit_eval(const struct cs_clogit_design *d, const double *beta,
                              const struct cs_clogit_options *opt, double *loglik, double *grad,
                              double *hess, struct cs_error *err);

/*
 * Each stratum's score and information at beta (k values, one per design
 * column: nothing is screened), as cs_clogit_eval computes their sums:
 * U (d->strata x k) gets row g = stratum g's score, I (d->strata x k x k)
 * block g = its information (full, row-major); strata that are empty or
 * uninformative get zeros.  The one-step bootstrap over reps of the
 * what-if (whatif.h) resamples these.  Errors as cs_clogit_eval.
 */
enum cs_status cs_clogit_strata(const struct cs_clogit_design *d, const double *beta,
                                const struct cs_clogit_options *opt, double *U, double *I,
                                struct cs_error *err);

#endif
