/* fitkit.h - small dense algebra and the fit record shared by the within-rep estimators (clogit.c, feols.c). */
#ifndef COMPSIGHT_STATS_FITKIT_H
#define COMPSIGHT_STATS_FITKIT_H

/*
 * Private to src/stats/.  Parts of this duplicate static helpers of
 * regress.c (the equilibrated Cholesky, the sandwich, the per-term
 * figures, the aliasing screen): regress.c is being split in parallel, and
 * the two are to be merged once both have landed.
 */

#include <stdbool.h>
#include <stddef.h>
#include "compsight/regress.h"
#include "compsight/status.h"

/*
 * Cholesky factor of a symmetric positive definite k x k matrix (row-major,
 * k <= CS_REGRESS_MAX_TERMS), equilibrated by powers of two (exact) so that
 * the scaled diagonal is in [1/4, 1): A = S^-1 L L' S^-1.  The struct holds
 * everything: no allocation, no freeing.
 */
struct cs_fitkit_chol {
    size_t k;
    double L[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];   /* lower triangle */
    double s[CS_REGRESS_MAX_TERMS];
};

/* Factor A (only its lower triangle is read); 0, or -1 when A is not
 * numerically positive definite or not finite. */
int cs_fitkit_chol_factor(struct cs_fitkit_chol *c, const double *A, size_t k);

/* x = A^-1 b (x and b may alias); -1 when a result is not finite. */
int cs_fitkit_chol_solve(const struct cs_fitkit_chol *c, const double *b, double *x);

/* inv = A^-1, full and symmetric, row-major k x k; -1 when not finite. */
int cs_fitkit_chol_inverse(const struct cs_fitkit_chol *c, double *inv);

/*
 * V = c_adj * B [sum_g u_g u_g'] B, accumulated as sum_g (B u_g)(B u_g)'
 * (positive semi-definite by construction).  B is k x k, U is G x k (row g
 * is u_g), V is k x k; all row-major.
 */
void cs_fitkit_sandwich(const double *B, const double *U, size_t G, size_t k, double c_adj,
                        double *V);

/*
 * Aliasing screen, as R's rank test (residual norm below tol times the
 * column's norm, tol 1e-7): C is the p x p Gram matrix (lower triangle
 * read) of the columns after whatever transformation the model applies
 * (within-stratum centring, demeaning), norm2 the squared norms of the
 * columns before it.  Columns are taken in order; a column whose squared
 * residual on the earlier kept ones is not above tol^2 * norm2 is dropped
 * (keep[j] = false), so a column without within variation always goes.
 * Returns the number kept.
 */
size_t cs_fitkit_screen(const double *C, const double *norm2, size_t p, bool *keep);

/*
 * A new fit record for a design of k_design terms named names (borrowed),
 * of which keep[] (NULL: all) are kept: terms, dropped lists, vcov and
 * vcov_cluster allocated (the matrices only when fitted; filled with NaN),
 * every number NaN.  Free with cs_regress_free().  NULL when out of memory.
 */
struct cs_regress_fit *cs_fitkit_fit_new(enum cs_regress_model model, size_t n, size_t k_design,
                                         const char *const *names, const bool *keep, bool fitted);

/*
 * Fill each kept term's estimate, SEs, z, p, interval (and odds ratio when
 * logistic) from beta and the diagonals of fit->vcov and fit->vcov_cluster,
 * as regress.h defines them; PERFECT_FIT sets the SEs to 0.
 */
void cs_fitkit_finish_terms(struct cs_regress_fit *fit, const double *beta, bool logistic);

/* A fit that got no estimate after all: no covariances either. */
void cs_fitkit_unfit(struct cs_regress_fit *fit);

#endif
