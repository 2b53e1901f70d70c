/* fitkit.h - the fit record and the term screen that every fit of stats/ shares (regress_*.c, clogit.c, feols.c). */
#ifndef COMPSIGHT_STATS_FITKIT_H
#define COMPSIGHT_STATS_FITKIT_H

/*
 * Private to src/stats/.  With chol.h (the one Cholesky factor) and
 * sandwich.h (the one cluster-robust covariance), this is all the fits
 * share: how a struct cs_regress_fit (regress.h) is made and filled, and
 * R's test of which terms a design can estimate.
 */

#include <stdbool.h>
#include <stddef.h>
#include "compsight/regress.h"

/*
 * Aliasing screen, as R's rank test (residual norm below tol times the
 * column's norm, tol 1e-7, LINPACK dqrdc2): C is the p x p Gram matrix
 * (row-major, lower triangle read) of the columns after whatever the
 * model projects out first (the intercept by centring, the strata or
 * groups by demeaning within them), norm2 the squared norms of the
 * columns before it.  Columns are taken in order, by a sequential
 * Cholesky of C; a column whose squared residual on the earlier kept ones
 * is not above tol^2 * norm2 is dropped (keep[j] = false), so a column
 * without variation after the projection always goes.  Returns the number
 * kept.
 */
size_t cs_fitkit_screen(const double *C, const double *norm2, size_t p, bool *keep);

/*
 * A new fit record for a design of k_design terms named names (borrowed),
 * of which keep[] (NULL: all) are kept (cs_fitkit_set_terms), every number
 * NaN; with fitted, vcov and vcov_cluster too (cs_fitkit_alloc_cov).  Free
 * with cs_regress_free().  NULL when out of memory.
 */
struct cs_regress_fit *cs_fitkit_new(enum cs_regress_model model, size_t n, size_t k_design,
                                     const char *const *names, const bool *keep, bool fitted);

/* The kept terms (keep[j], NULL: all), in design order, with NaN numbers,
 * and the others in the dropped lists; k and n_dropped set. */
void cs_fitkit_set_terms(struct cs_regress_fit *fit, const char *const *names, const bool *keep);

/* vcov and vcov_cluster allocated k x k and NaN, fitted set; -1 when out
 * of memory (the fit is then freed whole by cs_regress_free as usual). */
int cs_fitkit_alloc_cov(struct cs_regress_fit *fit);

/*
 * Fill each kept term's estimate, SEs, z, p, interval (and odds ratio when
 * logistic) from beta and the diagonals of fit->vcov and fit->vcov_cluster,
 * as regress.h defines them; PERFECT_FIT sets the SEs to 0.
 */
void cs_fitkit_finish_terms(struct cs_regress_fit *fit, const double *beta, bool logistic);

/* A fit that got no estimate after all: no covariances either. */
void cs_fitkit_unfit(struct cs_regress_fit *fit);

#endif
