/* sandwich.h - cluster-robust covariances as sandwich::vcovCL (HC0, HC1), for every fit in stats/. */
#ifndef COMPSIGHT_STATS_SANDWICH_H
#define COMPSIGHT_STATS_SANDWICH_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * A fit with cluster-robust standard errors needs three things from here:
 *   1. cs_cluster_index: the observations' cluster ids as indices 0..G-1;
 *   2. per cluster g, the sum u_g of the observations' score contributions
 *      s_i x_i (s_i the residual y_i - x_i'b of least squares, y_i - mu_i of
 *      logistic maximum likelihood, the modified score of Firth's fit), in
 *      a G x k array U, row g = u_g: cs_cluster_score_add adds one row;
 *   3. the bread B, the model's inverse information ((X'X)^-1, (X'WX)^-1,
 *      the conditional logit's I^-1), k x k: cs_vcovcl(B, U, ...) is the
 *      covariance (cs_sandwich when the factor is not vcovCL's).
 * k is at most CS_REGRESS_MAX_TERMS (regress.h).
 */

/* The small-sample adjustment, as vcovCL's `type` with cadjust = TRUE. */
enum cs_vcovcl_type {
    CS_VCOVCL_HC0,              /* G/(G-1): vcovCL's default for glm */
    CS_VCOVCL_HC1               /* G/(G-1) (n-1)/(n-k): its default for lm */
};

/*
 * Map arbitrary 32-bit cluster ids[0..n) to 0..G-1 in order of first
 * appearance.  On CS_OK, *out is a new array of n indices owned by the
 * caller (free()), and *G the number of distinct ids.  CS_ERR_NOMEM
 * ("regression: out of memory") otherwise, *out untouched.
 */
enum cs_status cs_cluster_index(const uint32_t *ids, size_t n, uint32_t **out, size_t *G,
                                struct cs_error *err);

/* u_g += s x: one observation's score contribution into its cluster's row of U (G x k). */
static inline void cs_cluster_score_add(double *U, uint32_t g, size_t k, double s, const double *x)
{
    double *u = U + (size_t)g * k;
    for (size_t t = 0; t < k; t++)
        u[t] += s * x[t];
}

/*
 * The small-sample factor c of vcovCL for G clusters, n observations and
 * K coefficients: G/(G-1) for HC0, G/(G-1) (n-1)/(n-K) for HC1.  K is the
 * number of coefficients of the model the sandwich stands for, which for
 * a fixed-effects fit counts the absorbed dummies too (feols.h).
 */
double cs_vcovcl_factor(enum cs_vcovcl_type type, size_t G, size_t n, size_t K);

/*
 * V = c B [sum_g u_g u_g'] B: B the bread (k x k, row-major), U the G x k
 * cluster score sums, c the small-sample factor (cs_vcovcl_factor, or 1
 * for the conditional logit's robust covariance, which has none: SPEC
 * 14.1).  Accumulated as sum_g (B u_g)(B u_g)', so that V is positive
 * semi-definite by construction.  V (k x k) is written whole; the caller
 * owns every array.
 */
void cs_sandwich(const double *B, const double *U, size_t G, size_t k, double c, double *V);

/*
 * The cluster-robust covariance of sandwich's vcovCL for a fit of k
 * coefficients on n observations: cs_sandwich with c =
 * cs_vcovcl_factor(type, G, n, k).  Needs G >= 2 (and n > k for HC1):
 * with fewer clusters there is no cluster-robust covariance, which the
 * caller reports.
 */
void cs_vcovcl(const double *B, const double *U, size_t G, size_t n, size_t k,
               enum cs_vcovcl_type type, double *V);

#endif
