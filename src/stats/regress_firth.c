/* regress_firth.c - Firth's penalised logistic regression, the remedy for separation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/regress.h"
#include "chol.h"
#include "regress_impl.h"
#include "sandwich.h"

#define MAX_STEP 5.0            /* logistf's maxstep */
#define MAX_HALVINGS 25         /* step halvings per iteration */
#define STALL_STEP 1e-8         /* a relative step this small that stops shrinking is rounding */

/* Firth pass 1 over rows lo..hi at beta: A = X'WX (W = p(1-p), no clamping), the likelihood. */
static void firth_info_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct regress_work *w = arg->w;
    struct pass_part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta;
    double wx[4 * CS_REGRESS_MAX_TERMS];
    const double *xr[4];
    int nr = 0;
    cs_pass_clear(pt, k, 0);
    for (size_t i = lo; i < hi; i++) {
        const double *xi = X + i * k;
        double eta = 0;
        for (size_t j = 0; j < k; j++)
            eta += xi[j] * beta[j];
        double e = exp(-fabs(eta));
        double big = 1 / (1 + e), small = e * big;
        double wt = small * big;
        bool one = y[i] != 0;
        double pr = (one == (eta >= 0)) ? big : small;   /* probability of the observed y */
        if (pr > 1e-300)
            logprod_mul(&pt->lp, pr);
        else
            pt->ll_far += (one ? fmin(eta, 0) : fmin(-eta, 0)) - log1p(e);
        double *wxr = wx + nr * CS_REGRESS_MAX_TERMS;
        for (size_t j = 0; j < k; j++)
            wxr[j] = wt * xi[j];
        xr[nr++] = xi;
        if (nr == 4) {
            syr4(pt->A, wx, xr, k);
            nr = 0;
        }
    }
    for (int q = 0; q < nr; q++)
        syr1(pt->A, wx + q * CS_REGRESS_MAX_TERMS, xr[q], k);
}

/*
 * Firth pass 2 over rows lo..hi at beta: the modified score
 * U* = sum (y - p + h (1/2 - p)) x (into b) and its cluster sums.
 * h_i = w_i |M x_i|^2 with M = L^-1 S (lower triangular), since
 * x_i' A^-1 x_i = |M x_i|^2.
 */
static void firth_score_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct regress_work *w = arg->w;
    struct pass_part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta, *M = arg->M;
    cs_pass_clear(pt, k, w->G);
    for (size_t i = lo; i < hi; i++) {
        const double *xi = X + i * k;
        double eta = 0;
        for (size_t j = 0; j < k; j++)
            eta += xi[j] * beta[j];
        double e = exp(-fabs(eta));
        double big = 1 / (1 + e), small = e * big;
        double pi = eta >= 0 ? big : small, qi = eta >= 0 ? small : big;
        double h = 0;
        for (size_t a = 0; a < k; a++) {
            const double *ma = M + a * k;
            double v = 0;
            for (size_t j = 0; j <= a; j++)
                v += ma[j] * xi[j];
            h += v * v;
        }
        h *= pi * qi;
        double r = (y[i] != 0 ? qi : -pi) + h * (0.5 - pi);
        for (size_t j = 0; j < k; j++)
            pt->b[j] += r * xi[j];
        if (pt->U)
            cs_cluster_score_add(pt->U, w->g[i], k, r, xi);
    }
}

/* ======================================================================
 * The fit
 * ==================================================================== */

/* One Firth fit's buffers (k each, or k x k), and the parts of its passes. */
struct firth {
    const struct regress_work *w;
    int threads;
    struct cs_chol ch;
    struct pass_part *part;
    double *A;          /* X'WX, then its inverse */
    double *M;          /* L^-1 S of the current factor */
    double *ustar;      /* the modified score */
    double *beta, *bprev, *step;
};

static int firth_alloc(struct firth *f, const struct regress_work *w, int threads)
{
    size_t k = w->k;
    f->w = w;
    f->threads = threads;
    f->part = cs_pass_parts_new(w);
    f->A = malloc(k * k * sizeof *f->A);
    f->M = malloc(k * k * sizeof *f->M);
    f->ustar = malloc(k * sizeof *f->ustar);
    f->beta = calloc(k, sizeof *f->beta);
    f->bprev = calloc(k, sizeof *f->bprev);
    f->step = calloc(k, sizeof *f->step);
    if (!f->part || !f->A || !f->M || !f->ustar || !f->beta || !f->bprev || !f->step ||
        cs_chol_alloc(&f->ch, k))
        return -1;
    return 0;
}

static void firth_free(struct firth *f)
{
    cs_chol_free(&f->ch);
    cs_pass_parts_free(f->part);
    free(f->A);
    free(f->M);
    free(f->ustar);
    free(f->beta);
    free(f->bprev);
    free(f->step);
}

/*
 * At f->beta: X'WX into f->A and its factor, the log-likelihood *ll and
 * the penalised one *pl.  -1 when X'WX cannot be factored (*ll is set,
 * *pl is not).
 */
static int firth_information(struct firth *f, struct pass_arg *arg, double *ll, double *pl)
{
    const struct regress_work *w = f->w;
    size_t k = w->k;
    cs_pass_run(firth_info_range, arg, w->n, f->threads);
    cs_pass_join(f->part, w->n, k, 0);
    *ll = logprod_log(&f->part[0].lp) + f->part[0].ll_far;
    memcpy(f->A, f->part[0].A, k * k * sizeof *f->A);
    if (cs_chol_factor(&f->ch, f->A) != 0)
        return -1;
    *pl = *ll + 0.5 * cs_chol_logdet(&f->ch);
    return 0;
}

/* At f->beta, with the factor of its X'WX: the modified score into f->ustar, its
 * cluster sums into the parts. */
static void firth_score(struct firth *f, struct pass_arg *arg)
{
    const struct regress_work *w = f->w;
    cs_chol_lower_inverse(&f->ch, f->M);
    cs_pass_run(firth_score_range, arg, w->n, f->threads);
    cs_pass_join(f->part, w->n, w->k, w->G);
    memcpy(f->ustar, f->part[0].b, w->k * sizeof *f->ustar);
}

/*
 * Newton on the modified score from beta = 0.  Once the full step is below
 * the tolerance it is still taken, and everything (information, scores,
 * likelihoods) is evaluated once more at the final point, so that the
 * estimate is a step more accurate than the test and every reported figure
 * belongs to it.  Counts fit->iterations, sets fit->converged, leaves the
 * estimate in f->beta, X'WX in f->A, the cluster score sums in the parts
 * and the likelihoods in *ll and *pl.  Returns true when the information
 * became singular (the last iterate stays).
 */
static bool firth_newton(struct firth *f, const struct cs_regress_options *o,
                         struct cs_regress_fit *fit, double *ll, double *pl)
{
    size_t k = f->w->k;
    double *beta = f->beta, *bprev = f->bprev, *step = f->step;
    struct pass_arg arg = {.w = f->w, .beta = beta, .M = f->M, .part = f->part};
    double pl_prev = -INFINITY, rel_prev = INFINITY;
    int halvings = 0;
    bool last = false;
    *ll = *pl = NAN;
    for (;;) {
        if (firth_information(f, &arg, ll, pl) != 0)
            return true;
        if (!last && !(*pl >= pl_prev - 1e-12 * fabs(pl_prev)) && halvings < MAX_HALVINGS) {
            /* the step lowered the penalised likelihood: halve it */
            halvings++;
            for (size_t j = 0; j < k; j++) {
                step[j] *= 0.5;
                beta[j] = bprev[j] + step[j];
            }
            continue;
        }
        halvings = 0;
        firth_score(f, &arg);
        if (last)
            return false;
        if (cs_chol_solve(&f->ch, f->ustar, step) != 0)
            return true;
        fit->iterations++;
        double big = 0, rel = 0;
        for (size_t j = 0; j < k; j++) {
            big = fmax(big, fabs(step[j]));
            rel = fmax(rel, fabs(step[j]) / (1 + fabs(beta[j])));
        }
        /* converged, or stalled at rounding level (the step no longer shrinks) */
        if (rel <= o->coef_tol || (rel <= STALL_STEP && rel >= 0.9 * rel_prev)) {
            fit->converged = true;
            last = true;
        } else if (fit->iterations >= o->max_iter) {
            return false;
        }
        if (big > MAX_STEP)
            for (size_t j = 0; j < k; j++)
                step[j] *= MAX_STEP / big;
        memcpy(bprev, beta, k * sizeof *beta);
        pl_prev = *pl;
        rel_prev = rel;
        for (size_t j = 0; j < k; j++)
            beta[j] += step[j];
    }
}

enum cs_status cs_regress_firth(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err)
{
    struct regress_work w;
    struct cs_regress_fit *fit = NULL;
    struct firth f = {0};
    struct cs_regress_options o;
    enum cs_status st = cs_regress_get_options(opt, &o, err);
    if (st != CS_OK) {
        *out = NULL;
        return st;
    }
    st = cs_regress_prepare(d, CS_REGRESS_FIRTH, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;
    if (firth_alloc(&f, &w, o.threads) != 0) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    double ll, pl;
    bool singular = firth_newton(&f, &o, fit, &ll, &pl);
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    if (singular && fit->iterations == 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
        cs_fitkit_unfit(fit);
        goto out;
    }
    fit->deviance = -2 * ll;
    fit->loglik = ll;
    fit->penalised_loglik = pl;
    fit->null_deviance = cs_regress_logit_null_deviance(&w);
    cs_regress_logistic_vcov(fit, &w, &f.ch, f.A, f.part[0].U, singular);
    cs_fitkit_finish_terms(fit, f.beta, true);
out:
    firth_free(&f);
    cs_regress_work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}
