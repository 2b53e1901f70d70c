/* chol.h - an equilibrated Cholesky factor of a small symmetric positive definite matrix. */
#ifndef COMPSIGHT_STATS_CHOL_H
#define COMPSIGHT_STATS_CHOL_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/*
 * Cholesky factor of a symmetric positive definite A (k x k, row-major),
 * equilibrated by powers of two (exact) so that the scaled diagonal is in
 * [1/4, 1): A = S^-1 L L' S^-1 with S = diag(s).  A struct cs_chol is
 * zeroed or allocated by cs_chol_alloc, used for any number of factors of
 * k x k matrices, and released by cs_chol_free (which accepts a zeroed one).
 * Matrices passed in are only read; results go to caller-owned arrays.
 */
struct cs_chol {
    size_t k;
    gsl_matrix *m;      /* L in the lower triangle (GSL decomp1) */
    gsl_vector *v, *u;  /* work vectors */
    double *s;
};

/* Allocate for k x k; 0, or -1 when out of memory (cs_chol_free still due). */
int cs_chol_alloc(struct cs_chol *c, size_t k);
void cs_chol_free(struct cs_chol *c);

/* Factor A; returns 0, or -1 when A is not (numerically) positive definite. */
int cs_chol_factor(struct cs_chol *c, const double *A);

/* x = A^-1 b (x and b may alias); -1 when GSL fails or x is not finite. */
int cs_chol_solve(struct cs_chol *c, const double *b, double *x);

/* log det A */
double cs_chol_logdet(const struct cs_chol *c);

/* inv = A^-1 (full symmetric, row-major).  Destroys the factor. */
int cs_chol_invert(struct cs_chol *c, double *inv);

/* M = L^-1 S (lower triangular, k x k row-major), so that x' A^-1 x = |M x|^2. */
void cs_chol_lower_inverse(const struct cs_chol *c, double *M);

#endif
