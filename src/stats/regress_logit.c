/* regress_logit.c - logistic regression by IRLS as R's glm, with separation detected. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/regress.h"
#include "chol.h"
#include "regress_impl.h"
#include "sandwich.h"

#define BOUNDARY 1e-6           /* fitted probability "at" 0 or 1 */
#define RUNAWAY_STEP 0.1        /* last IRLS step of a boundary row's eta, separation */
#define IMPLICATED_SHARE 0.25   /* a term's share of that step, to be implicated */

/*
 * The inverse logit link as R's binomial(): beyond |eta| > 30 mu is held at
 * eps/(1+eps) or 1/(1+eps) and dmu/deta at eps.  Returns mu and 1 - mu
 * (both computed without cancellation) and dmu/deta.
 */
struct link {
    double mu, omu, mueta;
};

static inline void logit_link(double eta, struct link *l)
{
    if (eta > 30 || eta < -30) {
        double lo = DBL_EPSILON / (1 + DBL_EPSILON), hi = 1 / (1 + DBL_EPSILON);
        l->mu = eta > 0 ? hi : lo;
        l->omu = eta > 0 ? lo : hi;
        l->mueta = DBL_EPSILON;
        return;
    }
    double e = exp(-fabs(eta));
    double big = 1 / (1 + e), small = e * big;
    l->mueta = small * big;
    l->mu = eta >= 0 ? big : small;
    l->omu = eta >= 0 ? small : big;
}

/*
 * IRLS pass over rows lo..hi at beta (NULL: at R's start mu = (y + 1/2)/2):
 * A = X'WX, b = X'Wz, score = X'(y - mu), lp = likelihood.
 */
static void irls_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct regress_work *w = arg->w;
    struct pass_part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta;
    double wx[4 * CS_REGRESS_MAX_TERMS];
    const double *xr[4];
    int nr = 0;
    const double start = log(3.0);
    cs_pass_clear(pt, k, 0);
    for (size_t i = lo; i < hi; i++) {
        const double *xi = X + i * k;
        bool one = y[i] != 0;
        double eta;
        if (beta) {
            eta = 0;
            for (size_t j = 0; j < k; j++)
                eta += xi[j] * beta[j];
        } else {
            eta = one ? start : -start;
        }
        struct link l;
        logit_link(eta, &l);
        double r = one ? l.omu : -l.mu;     /* y - mu */
        double wt, wz;
        if (eta > 30 || eta < -30) {        /* R's clamped link */
            wt = l.mueta * l.mueta / (l.mu * l.omu);
            wz = wt * (eta + r / l.mueta);
        } else {
            wt = l.mueta;                   /* mueta^2 / var, var = mueta */
            wz = wt * eta + r;
        }
        logprod_mul(&pt->lp, one ? l.mu : l.omu);
        double *wxr = wx + nr * CS_REGRESS_MAX_TERMS;
        for (size_t j = 0; j < k; j++) {
            wxr[j] = wt * xi[j];
            pt->b[j] += wz * xi[j];
            pt->score[j] += r * xi[j];
        }
        xr[nr++] = xi;
        if (nr == 4) {
            syr4(pt->A, wx, xr, k);
            nr = 0;
        }
    }
    for (int q = 0; q < nr; q++)
        syr1(pt->A, wx + q * CS_REGRESS_MAX_TERMS, xr[q], k);
}

/* One IRLS pass; returns the deviance, the sums in part[0] (A full). */
static double irls_pass(const struct regress_work *w, const double *beta, struct pass_part *part,
                        int threads)
{
    struct pass_arg arg = {.w = w, .beta = beta, .part = part};
    cs_pass_run(irls_range, &arg, w->n, threads);
    cs_pass_join(part, w->n, w->k, 0);
    return -2 * logprod_log(&part[0].lp);
}

/*
 * Logit's last pass at the final beta: cluster sums of (y - mu) x, and the
 * separation diagnostics over the rows at the boundary (mu within BOUNDARY
 * of 0 or 1): how far the last step moved their eta, and each term's share
 * of that.
 */
static void final_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct regress_work *w = arg->w;
    struct pass_part *pt = &arg->part[chunk];
    size_t k = w->k;
    cs_pass_clear(pt, k, w->G);
    for (size_t i = lo; i < hi; i++) {
        const double *xi = w->x + i * k;
        double eta = 0, deta = 0;
        for (size_t j = 0; j < k; j++) {
            eta += xi[j] * arg->beta[j];
            deta += xi[j] * arg->step[j];
        }
        struct link l;
        logit_link(eta, &l);
        double r = w->d->y[i] != 0 ? l.omu : -l.mu;
        if (pt->U)
            cs_cluster_score_add(pt->U, w->g[i], k, r, xi);
        if (l.mu < BOUNDARY || l.omu < BOUNDARY) {
            pt->boundary++;
            pt->max_deta = fmax(pt->max_deta, fabs(deta));
            for (size_t j = 0; j < k; j++)
                pt->share[j] = fmax(pt->share[j], fabs(xi[j] * arg->step[j]));
        }
    }
}

/* Null deviance of a 0/1 outcome (intercept-only fit, or mu = 1/2 without one). */
double cs_regress_logit_null_deviance(const struct regress_work *w)
{
    size_t n = w->n, ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += w->d->y[i] != 0;
    if (!w->has_intercept)
        return 2 * (double)n * log(2.0);
    double p = (double)ones / (double)n;
    return -2 * ((double)ones * log(p) + (double)(n - ones) * log1p(-p));
}

void cs_regress_logistic_vcov(struct cs_regress_fit *fit, const struct regress_work *w,
                              struct cs_chol *ch, double *A, const double *U, bool singular)
{
    size_t k = w->k;
    if (singular || cs_chol_factor(ch, A) != 0 || cs_chol_invert(ch, A) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        memcpy(fit->vcov, A, k * k * sizeof *A);
        if (w->G >= 2)
            cs_vcovcl(A, U, w->G, w->n, k, CS_VCOVCL_HC0, fit->vcov_cluster);
    }
}

enum cs_status cs_regress_logit(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err)
{
    struct regress_work w;
    struct cs_regress_fit *fit = NULL;
    struct cs_chol ch = {0};
    struct pass_part *part = NULL;
    double *A = NULL, *beta = NULL, *step = NULL;
    struct cs_regress_options o;
    enum cs_status st = cs_regress_get_options(opt, &o, err);
    if (st != CS_OK) {
        *out = NULL;
        return st;
    }
    st = cs_regress_prepare(d, CS_REGRESS_LOGIT, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;
    size_t k = w.k;
    part = cs_pass_parts_new(&w);
    A = malloc(k * k * sizeof *A);
    beta = calloc(k, sizeof *beta);
    step = calloc(k, sizeof *step);
    if (!part || !A || !beta || !step || cs_chol_alloc(&ch, k)) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }

    /* IRLS, counted as R counts: one iteration = one solve + one pass.  The
     * first update is (X'WX)^-1 X'Wz from R's start; the later ones are the
     * same update written as a step, b + (X'WX)^-1 X'(y - mu), which keeps
     * the last step for the separation test. */
    double dev_old = irls_pass(&w, NULL, part, o.threads), dev = dev_old;
    bool singular = false;
    for (int it = 1; it <= o.max_iter; it++) {
        if (cs_chol_factor(&ch, part[0].A) != 0 ||
            cs_chol_solve(&ch, it == 1 ? part[0].b : part[0].score, step) != 0) {
            singular = true;
            break;
        }
        for (size_t j = 0; j < k; j++)
            beta[j] += step[j];     /* beta = 0 before the first step */
        dev = irls_pass(&w, beta, part, o.threads);
        fit->iterations = it;
        if (fabs(dev - dev_old) / (fabs(dev) + 0.1) < o.dev_tol) {
            fit->converged = true;
            break;
        }
        dev_old = dev;
    }
    if (fit->iterations == 0) {
        /* singular at the start: no estimate at all */
        fit->flags |= CS_REGRESS_SINGULAR | CS_REGRESS_NOT_CONVERGED;
        cs_fitkit_unfit(fit);
        goto out;
    }
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    fit->deviance = dev;
    fit->loglik = -dev / 2;
    fit->null_deviance = cs_regress_logit_null_deviance(&w);
    memcpy(A, part[0].A, k * k * sizeof *A);     /* X'WX at the final mu */

    /* Final pass: cluster scores and the separation diagnostics. */
    struct pass_arg arg = {.w = &w, .beta = beta, .step = step, .part = part};
    cs_pass_run(final_range, &arg, w.n, o.threads);
    cs_pass_join(part, w.n, k, w.G);
    double max_deta = part[0].max_deta;
    if (part[0].boundary > 0 && (max_deta > RUNAWAY_STEP || !fit->converged)) {
        fit->flags |= CS_REGRESS_SEPARATION;
        fit->separation = true;
    }

    /* Covariances at the final mu. */
    cs_regress_logistic_vcov(fit, &w, &ch, A, part[0].U, singular);
    cs_fitkit_finish_terms(fit, beta, true);
    if (fit->separation)
        for (size_t j = 0; j < k; j++)
            fit->terms[j].separated = part[0].share[j] > 0 &&
                                      part[0].share[j] >= IMPLICATED_SHARE * max_deta;
out:
    cs_chol_free(&ch);
    cs_pass_parts_free(part);
    free(A);
    free(beta);
    free(step);
    cs_regress_work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}
