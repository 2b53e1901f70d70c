/* vecmath.h - exp and the logistic function over arrays, the same bits on every x86-64. */
#ifndef COMPSIGHT_VECMATH_H
#define COMPSIGHT_VECMATH_H

#include <stddef.h>

/*
 * Why this file exists: the proposal's bootstrap evaluates the logistic
 * function about 180 million times on a million deals, and glibc's exp
 * is one call per value.  glibc's vector exp (libmvec) is allowed 4 ulp
 * of error, and each instruction set gets its own variant with its own
 * last bits, so a report would depend on the processor it ran on.
 *
 * The functions below use the algorithm of glibc's scalar exp (a table
 * of 2^(i/128) and a degree-5 polynomial; error under 0.51 ulp, checked
 * in tests/test_vecmath.c against long double), written so that the
 * compiler vectorizes it.  Every value goes through the same IEEE
 * additions, multiplications and divisions, none fused, in every
 * instruction set the code is compiled for (SSE2, AVX2, AVX-512): the
 * results do not depend on the processor, nor on a value's position in
 * the array.  They can differ from glibc's exp in the last bit, as
 * glibc's FMA and non-FMA variants differ from each other.
 *
 * Arrays may not overlap.  No allocation; never fails.
 */

/* y[i] = exp(x[i]) for i < n.  Outside |x| <= 700, and for NaN, the
 * value is libm's exp (the method needs normal numbers throughout). */
void cs_vecmath_exp(const double *x, double *y, size_t n);

/*
 * p[i] = 1 / (1 + exp(-eta[i])) for i < n, evaluated as
 * cs_regress_predict_logit does (e = exp(-|eta|); 1/(1+e) for eta >= 0,
 * e/(1+e) below), with cs_vecmath_exp's exp.  NaN gives NaN.
 */
void cs_vecmath_logistic(const double *eta, double *p, size_t n);

/* The same logistic function for one value: cs_vecmath_logistic's bits. */
double cs_vecmath_logistic1(double eta);

/*
 * y[r] = sum over t < k of beta[t] * x[t * stride + r], for r < n: linear
 * predictors of n rows stored by column (column t of the rows starts at
 * x + t * stride).  The terms are added in order t = 0..k-1, starting
 * from 0, so y[r] has the bits of the plain loop over one row.
 */
void cs_vecmath_linear(const double *beta, size_t k, const double *x, size_t stride, size_t n,
                       double *y);

/* s[i] += a[i] - b[i] for i < n. */
void cs_vecmath_add_difference(double *s, const double *a, const double *b, size_t n);

#endif
