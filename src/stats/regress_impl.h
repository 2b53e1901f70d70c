/* regress_impl.h - what the fits of regress.h share: the screened design, fit helpers, passes over the rows. */
#ifndef COMPSIGHT_STATS_REGRESS_IMPL_H
#define COMPSIGHT_STATS_REGRESS_IMPL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compsight/regress.h"
#include "compsight/status.h"
#include "fitkit.h"

/*
 * The files: regress.c (flags, options, freeing the fit record,
 * prediction), regress_design.c (validation, clusters, term
 * screening), regress_pass.c (passes over the rows in one or two halves),
 * regress_ols.c, regress_logit.c and regress_firth.c (one fit each);
 * fitkit.h (the fit record, its per-term numbers, the aliasing screen),
 * sandwich.h (the cluster-robust covariance) and chol.h (the Cholesky
 * factor) serve them all, and the within-rep fits (clogit.c, feols.c) too.
 */

/* ======================================================================
 * The screened design (regress_design.c)
 * ==================================================================== */

/* What every model works on once the design is screened. */
struct regress_work {
    const struct cs_regress_design *d;
    size_t n;
    size_t k;                   /* kept terms */
    size_t *col;                /* k design columns */
    double *norm2;              /* k squared column norms (kept) */
    const double *x;            /* n * k kept columns: d->x itself when nothing was dropped */
    double *xc;                 /* owned compact copy, or NULL */
    uint32_t *g;                /* n cluster indices 0..G-1, or NULL */
    size_t G;
    bool has_intercept;
};

/*
 * Validate d, allocate the fit, index the clusters and screen the terms
 * (regress.h, cs_regress_ols, says how).  On CS_OK *out is the new fit
 * and *w the screened design, whose arrays the caller releases with
 * cs_regress_work_free whatever the status; fit->fitted is false when there
 * is nothing to fit (the flags say why, the terms are there with NaN
 * numbers), else vcov and vcov_cluster are allocated k x k and NaN.
 * On an error *out is NULL and err says why.
 */
enum cs_status cs_regress_prepare(const struct cs_regress_design *d, enum cs_regress_model model,
                                  struct regress_work *w, struct cs_regress_fit **out,
                                  struct cs_error *err);
void cs_regress_work_free(struct regress_work *w);

/* ======================================================================
 * Options (regress.c)
 * ==================================================================== */

/* Options from opt (NULL: defaults); CS_ERR_USAGE when out of range. */
enum cs_status cs_regress_get_options(const struct cs_regress_options *opt,
                                      struct cs_regress_options *o, struct cs_error *err);

/* ======================================================================
 * Shared by the two logistic fits (regress_logit.c)
 * ==================================================================== */

/* Null deviance of a 0/1 outcome (intercept-only fit, or mu = 1/2 without one). */
double cs_regress_logit_null_deviance(const struct regress_work *w);

/*
 * The covariances at the estimate: model-based (X'WX)^-1 from A = X'WX
 * (k x k; overwritten with its inverse, ch is the fit's factor workspace)
 * into fit->vcov, and with two clusters or more vcovCL's HC0 from the
 * cluster score sums U (G x k) into fit->vcov_cluster.  When singular is
 * already true or A cannot be inverted: CS_REGRESS_SINGULAR, both stay NaN.
 */
struct cs_chol;
void cs_regress_logistic_vcov(struct cs_regress_fit *fit, const struct regress_work *w,
                              struct cs_chol *ch, double *A, const double *U, bool singular);

/* ======================================================================
 * Per-row arithmetic of the logistic passes (inline: called per row)
 * ==================================================================== */

/*
 * Products of probabilities kept as mantissa * 2^expo: the log-likelihood
 * as one log at the end instead of one per row.  Each product rounds once
 * (relative 2^-53), so the log is exact to n * 1.1e-16 in absolute terms,
 * closer than a sum of n logs.
 */
struct logprod {
    double m;
    long e;
};

static inline void logprod_mul(struct logprod *lp, double p)
{
    lp->m *= p;
    if (lp->m < 0x1p-900) {
        int e;
        lp->m = frexp(lp->m, &e);
        lp->e += e;
    }
}

static inline double logprod_log(const struct logprod *lp)
{
    return log(lp->m) + (double)lp->e * M_LN2;
}

/*
 * A += sum over 4 rows of wx_r x_r' (lower triangle).  Four rows at a time
 * quarter the loads and stores of A.
 */
static inline void syr4(double *restrict A, const double *restrict wx, const double *const xr[4],
                        size_t k)
{
    const double *x0 = xr[0], *x1 = xr[1], *x2 = xr[2], *x3 = xr[3];
    for (size_t a = 0; a < k; a++) {
        double w0 = wx[a], w1 = wx[CS_REGRESS_MAX_TERMS + a];
        double w2 = wx[2 * CS_REGRESS_MAX_TERMS + a], w3 = wx[3 * CS_REGRESS_MAX_TERMS + a];
        double *row = A + a * k;
        for (size_t b = 0; b <= a; b++)
            row[b] += w0 * x0[b] + w1 * x1[b] + w2 * x2[b] + w3 * x3[b];
    }
}

static inline void syr1(double *restrict A, const double *restrict wx, const double *restrict x,
                        size_t k)
{
    for (size_t a = 0; a < k; a++) {
        double w0 = wx[a];
        double *row = A + a * k;
        for (size_t b = 0; b <= a; b++)
            row[b] += w0 * x[b];
    }
}

/* ======================================================================
 * Passes over the rows, in one or two chunks (regress_pass.c)
 * ==================================================================== */

/*
 * A pass over more than 65536 rows is cut into two halves, each summed into
 * its own partial result (struct pass_part); the partials are added in a
 * fixed order, so the numbers depend on n only: running the second half on
 * a second thread (options.threads >= 2) or after the first on the same
 * thread gives bit-identical fits.
 */

/* Partial sums of one chunk of an IRLS or Firth pass. */
struct pass_part {
    double A[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];   /* lower triangle, stride k */
    double b[CS_REGRESS_MAX_TERMS];      /* IRLS: X'Wz; Firth: U* */
    double score[CS_REGRESS_MAX_TERMS];  /* IRLS: X'(y - mu) */
    struct logprod lp;
    double ll_far;                       /* Firth: log-likelihood of rows too far out for lp */
    double *U;                           /* G x k cluster sums, or NULL */
    /* logit's final pass: separation diagnostics */
    size_t boundary;
    double max_deta;
    double share[CS_REGRESS_MAX_TERMS];
};

/* What a fit's range functions read: the design, the point, and the parts to fill. */
struct pass_arg {
    const struct regress_work *w;
    const double *beta;         /* NULL: IRLS start */
    const double *step;         /* logit final pass: the last IRLS step */
    const double *M;            /* Firth score pass: L^-1 S */
    struct pass_part *part;
};

/* Sum rows lo..hi into chunk's part (0 or 1). */
typedef void (*cs_pass_range_fn)(void *arg, size_t lo, size_t hi, int chunk);

/* Number of chunks a pass over n rows has: 1 or 2. */
int cs_pass_chunks(size_t n);

/* Run fn over rows 0..n, as one chunk or as two halves (on two threads when threads >= 2). */
void cs_pass_run(cs_pass_range_fn fn, void *arg, size_t n, int threads);

/* Zero a part's sums over k terms (and its G x k cluster sums when it has them). */
void cs_pass_clear(struct pass_part *pt, size_t k, size_t G);

/*
 * Add chunk 1 into chunk 0 (when there are two).  A is completed from its
 * lower triangle.
 */
void cs_pass_join(struct pass_part *p, size_t n, size_t k, size_t G);

/* Two parts, and their cluster-sum buffers when G >= 2 (and rows split); NULL when out
 * of memory. */
struct pass_part *cs_pass_parts_new(const struct regress_work *w);
void cs_pass_parts_free(struct pass_part *p);   /* accepts NULL */

#endif
