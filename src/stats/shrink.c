/* shrink.c - beta-binomial maximum likelihood and posterior rates (empirical Bayes, METHODS.md). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "compsight/shrink.h"
#include "compsight/stattest.h"

#define MAX_ITER 500
#define MAX_STEP 5.0          /* largest Newton step in log alpha or log beta */
#define NEWTON_ZONE 1e-6      /* full Newton steps, without line search, below this length */
/* Converged when the Newton step is below STEP_TOL (a relative change in
 * alpha and beta) or the Newton decrement g'H^-1 g (twice the predicted
 * gain in log-likelihood) is below DECREMENT_TOL: the second ends the
 * ill-conditioned cases (a long ridge in alpha + beta) where rounding noise
 * in the gradient keeps the step at 1e-9. */
#define STEP_TOL 1e-11
#define DECREMENT_TOL 1e-20
#define NOISE_TOL 1e-13       /* relative rounding noise of the negative log-likelihood */

const char *cs_shrink_outcome_text(enum cs_shrink_outcome outcome)
{
    switch (outcome) {
    case CS_SHRINK_FITTED:
        return "beta-binomial prior fitted by maximum likelihood; rates shrunk toward it";
    case CS_SHRINK_POOLED_DATA:
        return "no evidence that groups differ: too few groups or trials, or no variation at all; "
               "everyone gets the pooled rate";
    case CS_SHRINK_POOLED_MOMENT:
        return "no evidence that groups differ: the rates vary no more than binomial noise; "
               "everyone gets the pooled rate";
    case CS_SHRINK_POOLED_ML:
        return "no evidence that groups differ: the likelihood is highest with no between-group "
               "variation; everyone gets the pooled rate";
    case CS_SHRINK_UNSHRUNK:
        return "groups are all-or-nothing: the prior is flat and the rates are left as observed";
    }
    return "unknown outcome";
}

void cs_shrink_free(struct cs_shrink *s)
{
    if (!s)
        return;
    free(s->raw);
    free(s->mean);
    free(s->low);
    free(s->high);
    free(s);
}

/* ----------------------------------------------------------------------
 * The beta-binomial likelihood
 * -------------------------------------------------------------------- */

/*
 * Precision matters here more than usual.  When the groups barely differ,
 * the likelihood has a long flat ridge toward alpha + beta -> infinity on
 * which it changes by 1e-9 per Newton step while alpha is in the thousands;
 * as differences of lgamma or digamma values of size 1e4 the terms carry
 * errors of 1e-11 (measured), enough to stall the line search.  So the
 * log-likelihood of a group is written around its large common part,
 *   log BB(x | n, a, b) - log C(n, x)
 *     = x log(a/s) + y log(b/s) + L(a, x) + L(b, y) - L(s, n),
 * with s = a + b, y = n - x and L(a, k) = log Gamma(a + k) - log Gamma(a)
 * - k log a = sum_{j<k} log1p(j/a), which is small when a is large; and the
 * digamma differences are finite sums or asymptotic series, not
 * differences.  Small counts (k <= SUM_MAX) use the finite sums, large a
 * (>= ASYM_A) the Stirling / de Moivre series (truncation below 1e-17 at
 * a = 10), and only many trials at a small a the GSL special functions.
 */
#define SUM_MAX 64
#define ASYM_A 10.0

/* log Gamma(z) - (z - 1/2) log z + z - log sqrt(2 pi), z >= 10 */
static double stirling_tail(double z)
{
    double r = 1.0 / z, r2 = r * r;
    return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680
           + r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 + r2 * (-3617.0 / 122400))))))));
}

/* psi(z) - log z, z >= 10 */
static double digamma_tail(double z)
{
    double r = 1.0 / z, r2 = r * r;
    return -0.5 * r - r2 * (1.0 / 12 + r2 * (-1.0 / 120 + r2 * (1.0 / 252 + r2 * (-1.0 / 240
           + r2 * (1.0 / 132 + r2 * (-691.0 / 32760 + r2 * (1.0 / 12 + r2 * (-3617.0 / 8160))))))));
}

/* psi'(z) - 1/z, z >= 10 */
static double trigamma_tail(double z)
{
    double r = 1.0 / z, r2 = r * r;
    return r2 * (0.5 + r * (1.0 / 6 + r2 * (-1.0 / 30 + r2 * (1.0 / 42 + r2 * (-1.0 / 30
           + r2 * (5.0 / 66 + r2 * (-691.0 / 2730 + r2 * (7.0 / 6 + r2 * (-3617.0 / 510)))))))));
}

/* L(a, k) = log Gamma(a + k) - log Gamma(a) - k log a; NAN on failure */
static double lpoch_rel(double a, size_t k)
{
    double dk = (double)k;
    if (k <= SUM_MAX) {
        double s = 0.0;
        for (size_t j = 1; j < k; j++)
            s += log1p((double)j / a);
        return s;
    }
    if (a >= ASYM_A)
        return (a + dk - 0.5) * log1p(dk / a) - dk + (stirling_tail(a + dk) - stirling_tail(a));
    gsl_sf_result r1, r0;
    if (gsl_sf_lngamma_e(a + dk, &r1) != GSL_SUCCESS || gsl_sf_lngamma_e(a, &r0) != GSL_SUCCESS)
        return NAN;
    return r1.val - r0.val - dk * log(a);
}

/* psi(a + k) - psi(a); NAN on failure */
static double dpsi0(double a, size_t k)
{
    double dk = (double)k;
    if (k <= SUM_MAX) {
        double s = 0.0;
        for (size_t j = 0; j < k; j++)
            s += 1.0 / (a + (double)j);
        return s;
    }
    if (a >= ASYM_A)
        return log1p(dk / a) + (digamma_tail(a + dk) - digamma_tail(a));
    gsl_sf_result r1, r0;
    if (gsl_sf_psi_e(a + dk, &r1) != GSL_SUCCESS || gsl_sf_psi_e(a, &r0) != GSL_SUCCESS)
        return NAN;
    return r1.val - r0.val;
}

/* psi'(a + k) - psi'(a); NAN on failure */
static double dpsi1(double a, size_t k)
{
    double dk = (double)k;
    if (k <= SUM_MAX) {
        double s = 0.0;
        for (size_t j = 0; j < k; j++)
            s -= 1.0 / ((a + (double)j) * (a + (double)j));
        return s;
    }
    if (a >= ASYM_A)
        return -dk / (a * (a + dk)) + (trigamma_tail(a + dk) - trigamma_tail(a));
    gsl_sf_result r1, r0;
    if (gsl_sf_psi_1_e(a + dk, &r1) != GSL_SUCCESS || gsl_sf_psi_1_e(a, &r0) != GSL_SUCCESS)
        return NAN;
    return r1.val - r0.val;
}

double cs_shrink_nll(const size_t *x, const size_t *n, size_t m, double alpha, double beta)
{
    if (!(alpha > 0.0 && beta > 0.0) || !isfinite(alpha) || !isfinite(beta))
        return NAN;
    double s = alpha + beta;
    /* log(a/s) and log(b/s), the smaller share's complement through log1p */
    double lma, lmb;
    if (alpha <= beta) {
        lma = log(alpha / s);
        lmb = log1p(-alpha / s);
    } else {
        lma = log1p(-beta / s);
        lmb = log(beta / s);
    }
    double ll = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (n[i] == 0)
            continue;
        gsl_sf_result c;
        if (x[i] > n[i] || n[i] > UINT_MAX
            || gsl_sf_lnchoose_e((unsigned)n[i], (unsigned)x[i], &c) != GSL_SUCCESS)
            return NAN;
        size_t y = n[i] - x[i];
        ll += c.val;
        if (x[i])
            ll += (double)x[i] * lma;
        if (y)
            ll += (double)y * lmb;
        ll += lpoch_rel(alpha, x[i]) + lpoch_rel(beta, y) - lpoch_rel(s, n[i]);
    }
    return isfinite(ll) ? -ll : NAN;
}

/*
 * Gradient g and Hessian h (h[0] = d2/dla2, h[1] = d2/dla dlb, h[2] =
 * d2/dlb2) of the negative log-likelihood with respect to (la, lb) =
 * (log alpha, log beta).  Per group, with y = n - x:
 *   dl/da = psi(x+a) - psi(a) - [psi(n+a+b) - psi(a+b)], likewise for b;
 *   second derivatives the same with psi'; d2l/dadb = -[psi'(n+a+b) - psi'(a+b)].
 * Returns false when a special function fails.
 */
static bool nll_derivs(const size_t *x, const size_t *n, size_t m, double la, double lb,
                       double g[2], double h[3])
{
    double a = exp(la), b = exp(lb), ab = a + b;
    double d_a = 0.0, d_b = 0.0, d_aa = 0.0, d_bb = 0.0, d_ab = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (n[i] == 0)
            continue;
        double n1 = dpsi0(ab, n[i]), n2 = dpsi1(ab, n[i]);
        d_a += dpsi0(a, x[i]) - n1;
        d_b += dpsi0(b, n[i] - x[i]) - n1;
        d_aa += dpsi1(a, x[i]) - n2;
        d_bb += dpsi1(b, n[i] - x[i]) - n2;
        d_ab -= n2;
    }
    /* log-likelihood derivatives -> negative log-likelihood in log scale */
    g[0] = -a * d_a;
    g[1] = -b * d_b;
    h[0] = -(a * a * d_aa + a * d_a);
    h[1] = -(a * b * d_ab);
    h[2] = -(b * b * d_bb + b * d_b);
    return isfinite(g[0]) && isfinite(g[1]) && isfinite(h[0]) && isfinite(h[1]) && isfinite(h[2]);
}

/* ----------------------------------------------------------------------
 * Quantiles
 * -------------------------------------------------------------------- */

/*
 * The P quantile of Beta(a, b).  gsl_cdf_beta_Pinv is accurate in the
 * ordinary cases; its answer is checked and, when it failed or is off,
 * replaced by bisection on gsl_cdf_beta_P down to adjacent doubles.
 */
static double beta_quantile(double P, double a, double b)
{
    double q = gsl_cdf_beta_Pinv(P, a, b);
    if (q >= 0.0 && q <= 1.0) {
        double c = gsl_cdf_beta_P(q, a, b);
        if (fabs(c - P) <= 1e-12 * (P < 0.5 ? P : 1.0 - P))
            return q;
    }
    double lo = 0.0, hi = 1.0;
    for (int it = 0; it < 2000; it++) {
        double mid = lo + (hi - lo) / 2.0;
        if (mid <= lo || mid >= hi)
            break;
        double c = gsl_cdf_beta_P(mid, a, b);
        if (!isfinite(c))
            return NAN;
        if (c < P)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2.0;
}

/* ----------------------------------------------------------------------
 * The fit
 * -------------------------------------------------------------------- */

/*
 * Descent direction s from gradient g and Hessian h (2 x 2, symmetric):
 * the Newton step when h is positive definite (returns true); otherwise
 * the Newton step with each eigenvalue replaced by its absolute value
 * (floored), which still points downhill and, unlike steepest descent,
 * runs along the narrow curved ridge this likelihood has toward
 * alpha + beta -> infinity instead of zigzagging across it.
 */
static bool newton_direction(const double g[2], const double h[3], double s[2])
{
    double det = h[0] * h[2] - h[1] * h[1];
    if (h[0] > 0.0 && det > 0.0) {
        s[0] = -(h[2] * g[0] - h[1] * g[1]) / det;
        s[1] = -(h[0] * g[1] - h[1] * g[0]) / det;
        return true;
    }
    double mid = (h[0] + h[2]) / 2.0, rad = hypot((h[0] - h[2]) / 2.0, h[1]);
    double lam[2] = {mid + rad, mid - rad};
    double floor_ = 1e-8 * fmax(fabs(lam[0]), fabs(lam[1])) + 1e-300;
    s[0] = s[1] = 0.0;
    for (int i = 0; i < 2; i++) {
        /* eigenvector of lam[i]: (h01, lam - h00) or (lam - h11, h01), the longer */
        double v0 = h[1], v1 = lam[i] - h[0];
        double w0 = lam[i] - h[2], w1 = h[1];
        if (hypot(w0, w1) > hypot(v0, v1)) {
            v0 = w0;
            v1 = w1;
        }
        double nv = hypot(v0, v1);
        if (!(nv > 0.0)) {              /* h diagonal: the axes */
            v0 = i == 0 ? (h[0] >= h[2] ? 1.0 : 0.0) : (h[0] >= h[2] ? 0.0 : 1.0);
            v1 = 1.0 - v0;
            nv = 1.0;
        }
        v0 /= nv;
        v1 /= nv;
        double c = (v0 * g[0] + v1 * g[1]) / fmax(fabs(lam[i]), floor_);
        s[0] -= c * v0;
        s[1] -= c * v1;
    }
    return false;
}

/*
 * Newton's method on the negative log-likelihood in (log alpha, log beta)
 * from (la, lb), with an Armijo backtracking line search; where the
 * Hessian is not positive definite its eigenvalues are made positive
 * (newton_direction).  Sets *outcome to FITTED, POOLED_ML (alpha + beta
 * ran off to infinity) or UNSHRUNK (to zero), and (la, lb) to the final
 * point.
 */
static enum cs_status newton(const size_t *x, const size_t *n, size_t m, double *la, double *lb,
                             unsigned *iterations, enum cs_shrink_outcome *outcome,
                             struct cs_error *err)
{
    double f = cs_shrink_nll(x, n, m, exp(*la), exp(*lb));
    if (!isfinite(f))
        return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                            "beta-binomial: likelihood undefined at the start (%g, %g)",
                            exp(*la), exp(*lb));
    *outcome = CS_SHRINK_FITTED;
    for (unsigned it = 1; it <= MAX_ITER; it++) {
        *iterations = it;
        double g[2], h[3], s[2];
        if (!nll_derivs(x, n, m, *la, *lb, g, h))
            return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                                "beta-binomial: digamma failed at (%g, %g)", exp(*la), exp(*lb));
        bool newton_step = newton_direction(g, h, s);
        double len = fmax(fabs(s[0]), fabs(s[1]));
        if (newton_step && len < NEWTON_ZONE) {
            /* Close to the optimum the predicted decrease is below the
             * rounding noise of f, so a line search cannot judge the step;
             * the Hessian is positive definite and the step tiny: take it. */
            *la += s[0];
            *lb += s[1];
            if (len < STEP_TOL || -(g[0] * s[0] + g[1] * s[1]) < DECREMENT_TOL)
                return CS_OK;
            f = cs_shrink_nll(x, n, m, exp(*la), exp(*lb));
            continue;
        }
        if (len > MAX_STEP) {
            s[0] *= MAX_STEP / len;
            s[1] *= MAX_STEP / len;
        }
        double slope = g[0] * s[0] + g[1] * s[1];
        double t = 1.0, fn = NAN;
        bool accepted = false;
        for (int k = 0; k < 60; k++, t /= 2.0) {
            if (*la + t * s[0] == *la && *lb + t * s[1] == *lb)
                break;                      /* the step no longer moves the point */
            fn = cs_shrink_nll(x, n, m, exp(*la + t * s[0]), exp(*lb + t * s[1]));
            if (isfinite(fn) && fn <= f + 1e-4 * t * slope) {
                accepted = true;
                break;
            }
        }
        if (!accepted) {
            /* No decrease along a descent direction: f is flat to rounding
             * here.  That is the optimum when the gradient is negligible or,
             * at a positive definite Hessian, when the predicted gain is
             * below the rounding noise of f. */
            if (fmax(fabs(g[0]), fabs(g[1])) <= 1e-7 * fmax(1.0, fabs(f))
                || (newton_step && -slope <= NOISE_TOL * (1.0 + fabs(f))))
                return CS_OK;
            return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                                "beta-binomial: line search failed at (%g, %g)",
                                exp(*la), exp(*lb));
        }
        *la += t * s[0];
        *lb += t * s[1];
        f = fn;
        double ab = exp(*la) + exp(*lb);
        if (ab > CS_SHRINK_MAX_PRECISION) {
            *outcome = CS_SHRINK_POOLED_ML;
            return CS_OK;
        }
        if (ab < CS_SHRINK_MIN_PRECISION) {
            *outcome = CS_SHRINK_UNSHRUNK;
            return CS_OK;
        }
    }
    return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                        "beta-binomial: no convergence in %d iterations (at %g, %g)",
                        MAX_ITER, exp(*la), exp(*lb));
}

/* Binomial negative log-likelihood at rate p (0 log 0 = 0). */
static double binom_nll(const size_t *x, const size_t *n, size_t m, double p)
{
    double ll = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (n[i] == 0)
            continue;
        double xi = (double)x[i], yi = (double)(n[i] - x[i]);
        ll += gsl_sf_lnchoose((unsigned)n[i], (unsigned)x[i]);
        if (xi > 0.0)
            ll += xi * log(p);
        if (yi > 0.0)
            ll += yi * log1p(-p);
    }
    return -ll;
}

/* CS_ERR_USAGE for a NULL argument or a group with more successes than trials. */
static enum cs_status check_groups(const size_t *x, const size_t *n, size_t m,
                                   struct cs_shrink **out, struct cs_error *err)
{
    if (!out || (m > 0 && (!x || !n)))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_shrink_fit: NULL argument");
    for (size_t i = 0; i < m; i++) {
        if (x[i] > n[i])
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "cs_shrink_fit: group %zu has %zu successes of %zu", i, x[i], n[i]);
        if (n[i] > UINT_MAX)
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "cs_shrink_fit: group %zu has %zu trials", i, n[i]);
    }
    return CS_OK;
}

/* A result for m groups, its figures NaN until computed; NULL when out of memory. */
static struct cs_shrink *shrink_new(size_t m)
{
    struct cs_shrink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t cap = m ? m : 1;
    s->raw = malloc(cap * sizeof *s->raw);
    s->mean = malloc(cap * sizeof *s->mean);
    s->low = malloc(cap * sizeof *s->low);
    s->high = malloc(cap * sizeof *s->high);
    if (!s->raw || !s->mean || !s->low || !s->high) {
        cs_shrink_free(s);
        return NULL;
    }
    s->m = m;
    s->alpha = s->beta = s->moment_rho = NAN;
    s->lr = s->lr_p = NAN;
    s->pooled_rate = s->pooled_low = s->pooled_high = NAN;
    s->nll_pooled = NAN;
    return s;
}

/* Sums over the groups with n > 0 that the moment estimate needs. */
struct group_sums {
    size_t xt, nt;              /* successes and trials */
    double sum_p, sum_inv;      /* of the raw rates and of 1/n */
    bool all_one;               /* every n is 1 */
};

/*
 * Raw rates, totals, the pooled rate with its Wilson interval and its
 * binomial negative log-likelihood, over the groups with n > 0; and the
 * sums of the moment estimate.
 */
static enum cs_status pool_groups(const size_t *x, const size_t *n, struct cs_shrink *s,
                                  struct group_sums *gs, struct cs_error *err)
{
    size_t m = s->m, xt = 0, nt = 0;
    double sum_p = 0.0, sum_inv = 0.0;
    bool all_one = true;
    for (size_t i = 0; i < m; i++) {
        s->raw[i] = n[i] ? (double)x[i] / (double)n[i] : NAN;
        if (!n[i])
            continue;
        s->m_used++;
        xt += x[i];
        nt += n[i];
        sum_p += s->raw[i];
        sum_inv += 1.0 / (double)n[i];
        all_one &= n[i] == 1;
    }
    *gs = (struct group_sums){.xt = xt, .nt = nt, .sum_p = sum_p, .sum_inv = sum_inv,
                              .all_one = all_one};
    s->x_total = (double)xt;
    s->n_total = (double)nt;
    struct cs_wilson w;
    enum cs_status st = cs_wilson(xt, nt, &w, err);
    if (st != CS_OK)
        return st;
    s->pooled_rate = nt ? (double)xt / (double)nt : NAN;
    s->pooled_low = w.low;
    s->pooled_high = w.high;
    if (nt)
        s->nll_pooled = binom_nll(x, n, m, s->pooled_rate);
    return CS_OK;
}

/*
 * The prior: pooled when the data cannot show a difference or the moment
 * estimate shows none; otherwise Newton from the moment estimate, and
 * pooled after all when the maximum is not better than the pooled
 * binomial.  Sets *outcome, and alpha, beta, nll, lr and lr_p of a fit.
 */
static enum cs_status fit_prior(const size_t *x, const size_t *n, struct cs_shrink *s,
                                const struct group_sums *gs, enum cs_shrink_outcome *outcome,
                                struct cs_error *err)
{
    size_t m = s->m;
    *outcome = CS_SHRINK_POOLED_DATA;
    if (s->m_used < 2 || gs->all_one || gs->xt == 0 || gs->xt == gs->nt)
        return CS_OK;
    double k = (double)s->m_used, mu = gs->sum_p / k, m1 = gs->sum_inv / k, v = 0.0;
    for (size_t i = 0; i < m; i++)
        if (n[i])
            v += (s->raw[i] - mu) * (s->raw[i] - mu);
    v /= k - 1.0;
    double rho = (v / (mu * (1.0 - mu)) - m1) / (1.0 - m1);
    s->moment_rho = rho;
    if (!(rho > 0.0)) {
        *outcome = CS_SHRINK_POOLED_MOMENT;
        return CS_OK;
    }
    /* alpha + beta = 1/rho - 1; a rho near 1 (possible with the sample
     * variance of few groups) starts at a small but positive alpha + beta
     * instead of a non-positive one. */
    double prec = 1.0 / fmin(rho, 0.99) - 1.0;
    double la = log(mu * prec), lb = log((1.0 - mu) * prec);
    enum cs_status st = newton(x, n, m, &la, &lb, &s->iterations, outcome, err);
    if (st != CS_OK || *outcome == CS_SHRINK_POOLED_ML)
        return st;
    double nll = cs_shrink_nll(x, n, m, exp(la), exp(lb));
    if (!isfinite(nll))
        return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                            "beta-binomial: likelihood undefined at the optimum");
    if (!(nll < s->nll_pooled - CS_SHRINK_LR_EPS)) {
        *outcome = CS_SHRINK_POOLED_ML;
        return CS_OK;
    }
    s->alpha = exp(la);
    s->beta = exp(lb);
    s->nll = nll;
    s->lr = 2.0 * (s->nll_pooled - nll);
    s->lr_p = 0.5 * gsl_cdf_chisq_Q(s->lr, 1.0);
    return CS_OK;
}

/* Every group's posterior mean and interval; when pooled, the pooled rate and its interval. */
static enum cs_status posteriors(const size_t *x, const size_t *n, struct cs_shrink *s,
                                 struct cs_error *err)
{
    size_t m = s->m;
    if (s->pooled) {
        s->nll = s->nll_pooled;
        s->rho = 0.0;
        if (s->outcome == CS_SHRINK_POOLED_ML) {
            s->lr = 0.0;
            s->lr_p = 1.0;
        }
        for (size_t i = 0; i < m; i++) {
            s->mean[i] = s->pooled_rate;
            s->low[i] = s->pooled_low;
            s->high[i] = s->pooled_high;
        }
        return CS_OK;
    }
    double a = s->alpha, b = s->beta;
    s->rho = 1.0 / (a + b + 1.0);
    for (size_t i = 0; i < m; i++) {
        double xi = (double)x[i], yi = (double)(n[i] - x[i]);
        s->mean[i] = (xi + a) / ((double)n[i] + a + b);
        s->low[i] = beta_quantile((1.0 - CS_SHRINK_LEVEL) / 2.0, a + xi, b + yi);
        s->high[i] = beta_quantile((1.0 + CS_SHRINK_LEVEL) / 2.0, a + xi, b + yi);
        if (!isfinite(s->low[i]) || !isfinite(s->high[i]))
            return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                                "beta-binomial: posterior quantile failed for group %zu "
                                "(Beta(%g, %g))", i, a + xi, b + yi);
    }
    return CS_OK;
}

enum cs_status cs_shrink_fit(const size_t *x, const size_t *n, size_t m,
                             struct cs_shrink **out, struct cs_error *err)
{
    if (out)
        *out = NULL;
    enum cs_status st = check_groups(x, n, m, out, err);
    if (st != CS_OK)
        return st;
    struct cs_shrink *s = shrink_new(m);
    if (!s)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "cs_shrink_fit: %zu groups", m);
    struct group_sums gs;
    enum cs_shrink_outcome outcome;
    if ((st = pool_groups(x, n, s, &gs, err)) != CS_OK ||
        (st = fit_prior(x, n, s, &gs, &outcome, err)) != CS_OK)
        goto out;
    s->outcome = outcome;
    s->pooled = outcome == CS_SHRINK_POOLED_DATA || outcome == CS_SHRINK_POOLED_MOMENT
                || outcome == CS_SHRINK_POOLED_ML;
    if ((st = posteriors(x, n, s, err)) != CS_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    cs_shrink_free(s);
    return st;
}
