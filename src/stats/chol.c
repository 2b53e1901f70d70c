/* chol.c - an equilibrated Cholesky factor of a small symmetric positive definite matrix (chol.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "chol.h"

void cs_chol_free(struct cs_chol *c)
{
    gsl_matrix_free(c->m);
    gsl_vector_free(c->v);
    gsl_vector_free(c->u);
    free(c->s);
    memset(c, 0, sizeof *c);
}

int cs_chol_alloc(struct cs_chol *c, size_t k)
{
    c->k = k;
    c->m = gsl_matrix_alloc(k, k);
    c->v = gsl_vector_alloc(k);
    c->u = gsl_vector_alloc(k);
    c->s = malloc(k * sizeof *c->s);
    return c->m && c->v && c->u && c->s ? 0 : -1;
}

/* Factor A; returns 0, or -1 when A is not (numerically) positive definite. */
int cs_chol_factor(struct cs_chol *c, const double *A)
{
    size_t k = c->k;
    for (size_t j = 0; j < k; j++) {
        double a = A[j * k + j];
        if (!(a > 0) || !isfinite(a))
            return -1;
        int e;
        frexp(sqrt(a), &e);
        c->s[j] = ldexp(1.0, -e);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(c->m, i, j, A[i * k + j] * c->s[i] * c->s[j]);
    if (gsl_linalg_cholesky_decomp1(c->m) != GSL_SUCCESS)
        return -1;
    for (size_t j = 0; j < k; j++)
        if (!(gsl_matrix_get(c->m, j, j) > 0))
            return -1;
    return 0;
}

/* x = A^-1 b (x and b may alias). */
int cs_chol_solve(struct cs_chol *c, const double *b, double *x)
{
    size_t k = c->k;
    for (size_t j = 0; j < k; j++)
        gsl_vector_set(c->v, j, b[j] * c->s[j]);
    if (gsl_linalg_cholesky_solve(c->m, c->v, c->u) != GSL_SUCCESS)
        return -1;
    for (size_t j = 0; j < k; j++) {
        x[j] = gsl_vector_get(c->u, j) * c->s[j];
        if (!isfinite(x[j]))
            return -1;
    }
    return 0;
}

/* log det A */
double cs_chol_logdet(const struct cs_chol *c)
{
    double ld = 0;
    for (size_t j = 0; j < c->k; j++)
        ld += 2 * log(gsl_matrix_get(c->m, j, j)) - 2 * log(c->s[j]);
    return ld;
}

/* inv = A^-1 (full symmetric, row-major).  Destroys the factor. */
int cs_chol_invert(struct cs_chol *c, double *inv)
{
    size_t k = c->k;
    if (gsl_linalg_cholesky_invert(c->m) != GSL_SUCCESS)
        return -1;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            inv[i * k + j] = gsl_matrix_get(c->m, i, j) * c->s[i] * c->s[j];
    return 0;
}

/* M = L^-1 S from a factor (lower triangular, k x k row-major). */
void cs_chol_lower_inverse(const struct cs_chol *c, double *M)
{
    size_t k = c->k;
    memset(M, 0, k * k * sizeof *M);
    for (size_t j = 0; j < k; j++)
        for (size_t a = j; a < k; a++) {
            double t = a == j ? 1 : 0;
            for (size_t b = j; b < a; b++)
                t -= gsl_matrix_get(c->m, a, b) * M[b * k + j];
            M[a * k + j] = t / gsl_matrix_get(c->m, a, a);
        }
    for (size_t a = 0; a < k; a++)
        for (size_t j = 0; j <= a; j++)
            M[a * k + j] *= c->s[j];
}
