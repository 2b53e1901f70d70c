/* feols.h - least squares with rep (and quarter) fixed effects by the within transformation, rep-clustered SEs as sandwich::vcovCL (SPEC 14.1, 14.3, METHODS.md). */
#ifndef COMPSIGHT_FEOLS_H
#define COMPSIGHT_FEOLS_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/regress.h"
#include "compsight/status.h"

/*
 * The model: y = X b + a_group [+ c_period] + e, the same slopes as R's
 * lm(y ~ X + factor(group) [+ factor(period)]) without ever forming a
 * column per group: y and X are projected off the dummies (the within
 * transformation) and regressed without an intercept.  X is any design
 * with term names (for plan changes: treated x post, or the event-study
 * dummies); it has no intercept column (the dummies hold it; a constant
 * column has no within variation and is dropped).
 *
 * The design is borrowed for the duration of the call; the fit points into
 * names (term and dropped names), which must outlive it.
 */
struct cs_feols_design {
    size_t n;                    /* rows */
    size_t k;                    /* terms = columns of x */
    const double *x;             /* row-major: x[i * stride + j] is term j of row i */
    size_t stride;               /* doubles from one row to the next, >= k; 0: k */
    const double *y;             /* n outcomes */
    const uint32_t *group;       /* n group ids below groups: the absorbed factor (reps) and
                                    the clusters of the robust covariance */
    size_t groups;
    const uint32_t *period;      /* n period ids below periods (quarters), a second absorbed
                                    factor; NULL: one-way */
    size_t periods;
    const char *const *names;    /* k term names */
};

/*
 * A fit, owned by the caller: free with cs_feols_free().
 *
 * fit holds what every model of the report holds (regress.h), with
 * model = CS_REGRESS_OLS and, for the slopes, exactly lm's figures:
 *   se           sigma^2 (X~'X~)^-1, sigma^2 = RSS / (n - K);
 *   se_cluster   vcovCL's default (HC1) for that lm, clustered by group:
 *                (X~'X~)^-1 [G/(G-1) (n-1)/(n-K) sum_g u_g u_g'] (X~'X~)^-1,
 *                u_g = sum_{i in g} e_i x~_i (the dummies' own scores do not
 *                change the slopes' block);
 *   K            rank: the kept slopes + G + (T - components) (lm's rank);
 *   deviance     RSS; null_deviance the within sum of squares of y (the RSS
 *                of the dummies alone); loglik Gaussian as logLik.lm;
 *   sigma        sqrt(RSS / (n - K));
 *   clusters     G; iterations 0; converged when fitted.
 * Flags: CS_REGRESS_NO_ROWS, CS_REGRESS_NO_TERMS (k == 0 or every term
 * dropped), CS_REGRESS_TOO_FEW_ROWS (n <= K), CS_REGRESS_FEW_CLUSTERS
 * (G < 2), CS_REGRESS_SINGULAR, CS_REGRESS_PERFECT_FIT (RSS <= 1e-24 sum
 * y^2: SEs 0, z and p NaN).
 */
struct cs_feols_fit {
    struct cs_regress_fit *fit;  /* owned */
    size_t groups;               /* G: groups with rows */
    size_t periods;              /* T: periods with rows (0 one-way) */
    size_t components;           /* connected components of the group-period graph
                                    (1 one-way); one period effect per component is
                                    not identified */
    size_t rank;                 /* K */
};

/*
 * Fit.  One-way: y and each column are demeaned within group.  Two-way:
 * after demeaning within group, the period effects are solved exactly from
 * the periods' normal equations, (diag(n_t) - sum_g n_g. n_g.' / n_g) c =
 * the period sums of the group-demeaned column (T x T, one period per
 * connected component fixed at 0, Cholesky), and the residual is
 * z - mean_g(z - c) - c_period.  Then the slopes by Cholesky of X~'X~ with
 * one step of iterative refinement, all in O(n k^2 + G T^2 + T^3) time and
 * O(G k + T^2 + T k) memory beyond the design: no copy of X.
 *
 * Terms are screened after the transformation: a column whose transformed
 * values have no variation (constant within groups, or within periods in
 * the two-way model), or aliased with earlier columns (R's rank test,
 * tolerance 1e-7 against the column's own norm), is dropped and listed.
 *
 * On CS_OK, *out is a new fit owned by the caller; check fit->flags.
 * Errors (*out NULL): CS_ERR_USAGE when d or its arrays are NULL or k >
 * CS_REGRESS_MAX_TERMS; CS_ERR_INPUT when a y or x value is not finite
 * (column = the term or "y", message "row I: ...", I 0-based) or a group
 * or period id is out of range (column "group" or "period"); CS_ERR_NOMEM.
 */
enum cs_status cs_feols(const struct cs_feols_design *d, struct cs_feols_fit **out,
                        struct cs_error *err);

/* Free a fit; accepts NULL. */
void cs_feols_free(struct cs_feols_fit *fit);

#endif
