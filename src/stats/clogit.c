/* clogit.c - exact conditional logistic regression with strata (SPEC 14.1): strata and terms, Newton-Raphson, robust SEs; one stratum's recursion is in clogit_stratum.c. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/clogit.h"
#include "compsight/mem.h"
#include "chol.h"
#include "clogit_stratum.h"
#include "fitkit.h"
#include "sandwich.h"

#define MAX_HALVINGS 30         /* step halvings per Newton iteration */
#define RUNAWAY 1e-3            /* a step left at the estimate above 1e-3 max(1, |b|): separation */
#define IMPLICATED_SHARE 0.25   /* a running-off term's share of the largest step, to be implicated */

/* The strata and what the caller reports about them. */
struct prep {
    struct cs_clogit_data dt;
    size_t half;                /* strata [0, half) and [half, ns): the two fixed halves */
    size_t strata, uninformative;
    double scale[CS_REGRESS_MAX_TERMS];   /* root mean square of each term, centred
                                             within strata (when screened) */
};

static void prep_free(struct prep *pr)
{
    free(pr->dt.s);
    free(pr->dt.order);
    free(pr->dt.mean);
    free(pr->dt.y);
    memset(pr, 0, sizeof *pr);
}

/* ======================================================================
 * All strata, in two fixed halves
 * ==================================================================== */

struct half {
    const struct prep *pr;
    const double *beta;
    struct cs_clogit_ws *w;
    size_t from, to;
    double *Ug;                 /* ns * p: each stratum's score */
    double ll;
    double U[CS_REGRESS_MAX_TERMS];
    double I[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
};

static void half_run(struct half *h)
{
    size_t p = h->pr->dt.p;
    h->ll = 0;
    memset(h->U, 0, sizeof h->U);
    memset(h->I, 0, sizeof h->I);
    for (size_t g = h->from; g < h->to; g++) {
        double *u = h->Ug + g * p;
        cs_clogit_stratum_eval(&h->pr->dt, g, h->beta, h->w, &h->ll, u, h->I);
        for (size_t a = 0; a < p; a++)
            h->U[a] += u[a];
    }
}

static void *half_thread(void *arg)
{
    half_run(arg);
    return NULL;
}

/*
 * Log-likelihood, score (p), information (p x p) and per-stratum scores
 * at beta: each half summed apart, the halves added in order, so that one
 * thread or two give the same bits.
 */
static void evaluate(const struct prep *pr, const double *beta, struct cs_clogit_ws *ws, int threads,
                     double *Ug, double *ll, double *U, double *I)
{
    struct half h[2] = {
        {.pr = pr, .beta = beta, .w = &ws[0], .from = 0, .to = pr->half, .Ug = Ug},
        {.pr = pr, .beta = beta, .w = &ws[threads >= 2 ? 1 : 0], .from = pr->half,
         .to = pr->dt.ns, .Ug = Ug},
    };
    pthread_t th;
    bool started = threads >= 2 && h[1].from < h[1].to &&
                   pthread_create(&th, NULL, half_thread, &h[1]) == 0;
    half_run(&h[0]);
    if (started && pthread_join(th, NULL) != 0)
        started = false;
    if (!started)
        half_run(&h[1]);
    size_t p = pr->dt.p;
    *ll = h[0].ll + h[1].ll;
    for (size_t a = 0; a < p; a++)
        U[a] = h[0].U[a] + h[1].U[a];
    for (size_t q = 0; q < p * p; q++)
        I[q] = h[0].I[q] + h[1].I[q];
}

/* ======================================================================
 * Preparation: validation, strata, screening
 * ==================================================================== */

static enum cs_status nomem(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "conditional logit: out of memory");
}

struct cs_clogit_options cs_clogit_options_default(void)
{
    struct cs_clogit_options o = {.max_iter = 100, .tol = 1e-10, .threads = 2};
    return o;
}

static enum cs_status get_options(const struct cs_clogit_options *opt, struct cs_clogit_options *o,
                                  struct cs_error *err)
{
    *o = opt ? *opt : cs_clogit_options_default();
    if (o->max_iter < 1 || !(o->tol >= 0))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "conditional logit: bad options (max_iter %d, tol %g)", o->max_iter, o->tol);
    return CS_OK;
}

static size_t row_stride(const struct cs_clogit_design *d)
{
    return d->stride ? d->stride : d->k;
}

static enum cs_status check_design(const struct cs_clogit_design *d, struct cs_error *err)
{
    if (!d || (d->k > 0 && !d->names) ||
        (d->n > 0 && (!d->y || !d->stratum || (d->k > 0 && !d->x))))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "conditional logit: missing design arrays");
    if (d->k > CS_REGRESS_MAX_TERMS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "conditional logit: %zu terms, at most %d supported", d->k,
                            CS_REGRESS_MAX_TERMS);
    if (d->stride != 0 && d->stride < d->k)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "conditional logit: row stride %zu below %zu terms", d->stride, d->k);
    if (d->k > 0 && d->n > SIZE_MAX / sizeof(double) / (row_stride(d) + 2))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "conditional logit: design too large");
    for (size_t i = 0; i < d->n; i++) {
        if (d->y[i] != 0 && d->y[i] != 1)
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "y", "row %zu: outcome is not 0 or 1", i);
        if (d->stratum[i] >= d->strata)
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "stratum",
                                "row %zu: stratum id %lu is not below %zu", i,
                                (unsigned long)d->stratum[i], d->strata);
        for (size_t j = 0; j < d->k; j++)
            if (!isfinite(d->x[i * row_stride(d) + j]))
                return cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j],
                                    "row %zu: not a finite number", i);
    }
    return CS_OK;
}

/*
 * Count rows and events per stratum id; off[g] is where stratum g's rows
 * start among the informative strata's (off[g + 1] == off[g] for the
 * others), off[G] their number.
 */
static void count_strata(const struct cs_clogit_design *d, size_t *cnt, size_t *ev, size_t *off,
                         struct prep *pr)
{
    size_t G = d->strata, rows = 0;
    for (size_t i = 0; i < d->n; i++) {
        cnt[d->stratum[i]]++;
        ev[d->stratum[i]] += d->y[i] != 0;
    }
    for (size_t g = 0; g < G; g++) {
        bool informative = ev[g] > 0 && ev[g] < cnt[g];
        pr->strata += cnt[g] > 0;
        pr->uninformative += cnt[g] > 0 && !informative;
        off[g] = rows;
        if (informative) {
            rows += cnt[g];
            pr->dt.ns++;
        }
    }
    off[G] = rows;
    pr->dt.rows = rows;
}

/* The rows of the informative strata in order (fill: G scratch), and the
 * means of every column per informative stratum (ns x K, row t). */
static void index_rows(const struct cs_clogit_design *d, const size_t *off, size_t *fill,
                       double *mean, struct prep *pr)
{
    size_t G = d->strata, K = d->k, S = row_stride(d);
    for (size_t g = 0; g < G; g++)
        fill[g] = off[g];
    for (size_t i = 0; i < d->n; i++) {
        uint32_t g = d->stratum[i];
        if (off[g + 1] > off[g])
            pr->dt.order[fill[g]++] = i;
    }
    for (size_t g = 0, t = 0; g < G; g++) {
        size_t ng = off[g + 1] - off[g];
        if (!ng)
            continue;
        double *mg = mean + t++ * K;
        for (size_t r = off[g]; r < off[g + 1]; r++)
            for (size_t j = 0; j < K; j++)
                mg[j] += d->x[pr->dt.order[r] * S + j];
        for (size_t j = 0; j < K; j++)
            mg[j] /= (double)ng;
    }
}

/* Screen the terms on the informative rows, centred within strata; the
 * kept terms' root mean squares go to pr->scale. */
static void screen_terms(const struct cs_clogit_design *d, const size_t *off, const double *mean,
                         bool *keep, struct prep *pr)
{
    size_t G = d->strata, K = d->k, S = row_stride(d);
    double C[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS] = {0};
    double norm2[CS_REGRESS_MAX_TERMS] = {0}, v[CS_REGRESS_MAX_TERMS];
    for (size_t g = 0, t = 0; g < G; g++) {
        if (off[g + 1] == off[g])
            continue;
        const double *mg = mean + t++ * K;
        for (size_t r = off[g]; r < off[g + 1]; r++) {
            const double *xi = d->x + pr->dt.order[r] * S;
            for (size_t j = 0; j < K; j++) {
                v[j] = xi[j] - mg[j];
                norm2[j] += xi[j] * xi[j];
            }
            for (size_t a = 0; a < K; a++)
                for (size_t b = 0; b <= a; b++)
                    C[a * K + b] += v[a] * v[b];
        }
    }
    cs_fitkit_screen(C, norm2, K, keep);
    size_t a = 0;
    for (size_t j = 0; j < K; j++)
        if (keep[j])
            pr->scale[a++] = sqrt(C[j * K + j] / (double)pr->dt.rows);
}

/* The strata as the recursion reads them, and the two halves of equal cost. */
static void lay_out(const struct cs_clogit_design *d, const size_t *off, const size_t *ev,
                    const double *mean, struct prep *pr)
{
    struct cs_clogit_data *dt = &pr->dt;
    size_t G = d->strata, K = d->k, P = dt->P, p = dt->p, t = 0;
    double cost_total = 0;
    for (size_t g = 0; g < G; g++) {
        size_t ng = off[g + 1] - off[g];
        if (!ng)
            continue;
        for (size_t a = 0; a < p; a++)
            dt->mean[t * P + a] = mean[t * K + dt->col[a]];
        struct cs_clogit_stratum *s = &dt->s[t++];
        bool mirror = ev[g] > ng - ev[g];
        s->start = off[g];
        s->n = ng;
        s->m = mirror ? ng - ev[g] : ev[g];
        s->sign = mirror ? -1 : 1;
        for (size_t r = off[g]; r < off[g + 1]; r++) {
            bool one = d->y[dt->order[r]] != 0;
            dt->y[r] = mirror ? !one : one;
        }
        cs_clogit_stratum_layout(s, dt);
        cost_total += (double)ng * (double)(s->m + 1) * (double)(P + 2) + (double)ng * (double)(p * p);
    }
    double acc = 0;
    pr->half = dt->ns;
    for (size_t u = 0; u < dt->ns; u++) {
        const struct cs_clogit_stratum *s = &dt->s[u];
        acc += (double)s->n * (double)(s->m + 1) * (double)(P + 2) + (double)s->n * (double)(p * p);
        if (acc >= cost_total / 2) {
            pr->half = u + 1;
            break;
        }
    }
}

/*
 * Index the strata and screen the terms (screen: else keep every column).
 * keep (k) receives the kept columns.
 */
static enum cs_status prepare(const struct cs_clogit_design *d, bool screen, bool *keep,
                              struct prep *pr, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    size_t K = d->k, G = d->strata;
    size_t *cnt = calloc(G ? G : 1, sizeof *cnt), *ev = calloc(G ? G : 1, sizeof *ev);
    size_t *off = calloc(G + 1, sizeof *off);
    double *mean = NULL;
    memset(pr, 0, sizeof *pr);
    pr->dt.x = d->x;
    pr->dt.stride = row_stride(d);
    if (!cnt || !ev || !off) {
        st = nomem(err);
        goto out;
    }
    count_strata(d, cnt, ev, off, pr);
    size_t ns = pr->dt.ns, rows = pr->dt.rows;
    pr->dt.order = cs_malloc_big(rows ? rows : 1, sizeof *pr->dt.order);
    mean = calloc((ns ? ns : 1) * (K ? K : 1), sizeof *mean);
    if (!pr->dt.order || !mean) {
        st = nomem(err);
        goto out;
    }
    index_rows(d, off, cnt, mean, pr);
    for (size_t j = 0; j < K; j++)
        keep[j] = true;
    if (screen && K > 0 && rows > 0)
        screen_terms(d, off, mean, keep, pr);
    size_t p = 0;
    for (size_t j = 0; j < K; j++)
        if (keep[j])
            pr->dt.col[p++] = j;
    pr->dt.p = p;
    pr->dt.P = (p + 1) & ~(size_t)1;
    pr->dt.s = calloc(ns ? ns : 1, sizeof *pr->dt.s);
    pr->dt.mean = calloc((ns ? ns : 1) * (pr->dt.P ? pr->dt.P : 1), sizeof *pr->dt.mean);
    pr->dt.y = malloc(rows ? rows : 1);
    if (!pr->dt.s || !pr->dt.mean || !pr->dt.y) {
        st = nomem(err);
        goto out;
    }
    lay_out(d, off, ev, mean, pr);
out:
    free(cnt);
    free(ev);
    free(off);
    free(mean);
    if (st != CS_OK)
        prep_free(pr);
    return st;
}

/* ======================================================================
 * Public entry points
 * ==================================================================== */

enum cs_status cs_clogit_eval(const struct cs_clogit_design *d, const double *beta,
                              const struct cs_clogit_options *opt, double *loglik, double *grad,
                              double *hess, struct cs_error *err)
{
    struct prep pr;
    struct cs_clogit_ws ws[2] = {{0}, {0}};
    double *Ug = NULL;
    struct cs_clogit_options o;
    bool keep[CS_REGRESS_MAX_TERMS];
    enum cs_status st = get_options(opt, &o, err);
    if (st != CS_OK)
        return st;
    st = check_design(d, err);
    if (st != CS_OK)
        return st;
    size_t k = d->k;
    if (k > 0 && !beta)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "conditional logit: no beta");
    for (size_t j = 0; j < k; j++)
        if (!isfinite(beta[j]))
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, d->names[j], "beta is not finite");
    st = prepare(d, false, keep, &pr, err);
    if (st != CS_OK)
        return st;
    double b[CS_REGRESS_MAX_TERMS + 1] = {0}, U[CS_REGRESS_MAX_TERMS];
    double I[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS], ll = 0;
    for (size_t j = 0; j < k; j++)
        b[j] = beta[j];
    Ug = malloc((pr.dt.ns ? pr.dt.ns : 1) * (k ? k : 1) * sizeof *Ug);
    if (!Ug || cs_clogit_ws_alloc(&ws[0], &pr.dt) || (o.threads >= 2 && cs_clogit_ws_alloc(&ws[1], &pr.dt))) {
        st = nomem(err);
        goto out;
    }
    evaluate(&pr, b, ws, o.threads, Ug, &ll, U, I);
    if (loglik)
        *loglik = ll;
    if (grad)
        memcpy(grad, U, k * sizeof *grad);
    if (hess)
        for (size_t q = 0; q < k * k; q++)
            hess[q] = -I[q];
out:
    free(Ug);
    cs_clogit_ws_free(&ws[0]);
    cs_clogit_ws_free(&ws[1]);
    prep_free(&pr);
    return st;
}

enum cs_status cs_clogit_strata(const struct cs_clogit_design *d, const double *beta,
                                const struct cs_clogit_options *opt, double *U, double *I,
                                struct cs_error *err)
{
    struct prep pr;
    struct cs_clogit_ws ws = {0};
    struct cs_clogit_options o;
    bool keep[CS_REGRESS_MAX_TERMS];
    enum cs_status st = get_options(opt, &o, err);
    if (st != CS_OK || (st = check_design(d, err)) != CS_OK)
        return st;
    size_t k = d->k;
    if (k > 0 && !beta)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "conditional logit: no beta");
    for (size_t j = 0; j < k; j++)
        if (!isfinite(beta[j]))
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, d->names[j], "beta is not finite");
    if ((st = prepare(d, false, keep, &pr, err)) != CS_OK)
        return st;
    double b[CS_REGRESS_MAX_TERMS + 1] = {0}, Ig[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    for (size_t j = 0; j < k; j++)
        b[j] = beta[j];
    memset(U, 0, d->strata * k * sizeof *U);
    memset(I, 0, d->strata * k * k * sizeof *I);
    if (cs_clogit_ws_alloc(&ws, &pr.dt)) {
        st = nomem(err);
        goto out;
    }
    for (size_t t = 0; t < pr.dt.ns; t++) {
        size_t g = d->stratum[pr.dt.order[pr.dt.s[t].start]];
        double ll = 0;
        memset(Ig, 0, k * k * sizeof *Ig);
        cs_clogit_stratum_eval(&pr.dt, t, b, &ws, &ll, U + g * k, Ig);
        memcpy(I + g * k * k, Ig, k * k * sizeof *Ig);
    }
out:
    cs_clogit_ws_free(&ws);
    prep_free(&pr);
    return st;
}

void cs_clogit_free(struct cs_clogit_fit *f)
{
    if (!f)
        return;
    cs_regress_free(f->fit);
    free(f);
}

/*
 * Newton-Raphson from 0.  On return beta, *ll, U and I are at the final
 * iterate, Ug holds the per-stratum scores there and last_step the last
 * step taken (0 when none).  Returns false when the information at the
 * start could not be factored (no estimate).
 */
static bool newton(const struct prep *pr, const struct cs_clogit_options *o, struct cs_clogit_ws *ws,
                   struct cs_chol *ch, double *beta, double *Ug, double *ll, double *U, double *I,
                   struct cs_regress_fit *fit, double *ll_null, double *last_step)
{
    size_t p = pr->dt.p;
    double bn[CS_REGRESS_MAX_TERMS + 1], Un[CS_REGRESS_MAX_TERMS], d[CS_REGRESS_MAX_TERMS];
    memset(last_step, 0, p * sizeof *last_step);
    double In[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS], lln;
    memset(bn, 0, sizeof bn);
    evaluate(pr, beta, ws, o->threads, Ug, ll, U, I);
    *ll_null = *ll;
    bool at_beta = true;        /* Ug is at beta */
    for (int it = 1; it <= o->max_iter; it++) {
        if (cs_chol_factor(ch, I) != 0 || cs_chol_solve(ch, U, d) != 0) {
            fit->flags |= CS_REGRESS_SINGULAR;
            if (it == 1)
                return false;
            break;
        }
        bool accepted = false;
        for (int h = 0; h <= MAX_HALVINGS; h++) {
            for (size_t a = 0; a < p; a++)
                bn[a] = beta[a] + d[a];
            evaluate(pr, bn, ws, o->threads, Ug, &lln, Un, In);
            at_beta = false;
            if (isfinite(lln) && (lln >= *ll || fabs(lln - *ll) <= o->tol * (fabs(lln) + 0.1))) {
                accepted = true;
                break;
            }
            for (size_t a = 0; a < p; a++)
                d[a] *= 0.5;
        }
        if (!accepted)
            break;
        double change = fabs(lln - *ll);
        memcpy(beta, bn, p * sizeof *beta);
        memcpy(U, Un, p * sizeof *U);
        memcpy(I, In, p * p * sizeof *I);
        *ll = lln;
        at_beta = true;
        fit->iterations = it;
        memcpy(last_step, d, p * sizeof *d);
        if (change <= o->tol * (fabs(lln) + 0.1)) {
            fit->converged = true;
            break;
        }
    }
    if (!at_beta)
        evaluate(pr, beta, ws, o->threads, Ug, ll, U, I);
    return true;
}

/*
 * The covariances at the estimate, and separation: the Newton step still
 * left there (or, when the information cannot be factored, the last one
 * taken, in step), in units of each term's linear predictor; a term still
 * running off is separated.
 */
static void covariances(const struct prep *pr, struct cs_chol *ch, const double *beta,
                        const double *U, const double *I, const double *Ug, double *step,
                        struct cs_regress_fit *fit)
{
    size_t p = pr->dt.p, ns = pr->dt.ns;
    double V[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    /* the step first: cs_chol_invert destroys the factor */
    if (cs_chol_factor(ch, I) != 0 || cs_chol_solve(ch, U, step) != 0 ||
        cs_chol_invert(ch, V) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        memcpy(fit->vcov, V, p * p * sizeof *V);
        if (ns >= 2)
            cs_sandwich(V, Ug, ns, p, 1.0, fit->vcov_cluster);
    }
    double dmax = 0;
    bool runaway[CS_REGRESS_MAX_TERMS];
    for (size_t a = 0; a < p; a++) {
        double deta = fabs(step[a]) * pr->scale[a];
        runaway[a] = deta > RUNAWAY * fmax(1, fabs(beta[a]) * pr->scale[a]);
        fit->separation |= runaway[a];
        dmax = fmax(dmax, deta);
    }
    for (size_t a = 0; a < p; a++)
        fit->terms[a].separated = runaway[a] && fabs(step[a]) * pr->scale[a] >= IMPLICATED_SHARE * dmax;
    if (fit->separation)
        fit->flags |= CS_REGRESS_SEPARATION;
}

enum cs_status cs_clogit(const struct cs_clogit_design *d, const struct cs_clogit_options *opt,
                         struct cs_clogit_fit **out, struct cs_error *err)
{
    struct prep pr;
    struct cs_clogit_ws ws[2] = {{0}, {0}};
    struct cs_clogit_fit *res = NULL;
    struct cs_regress_fit *fit = NULL;
    struct cs_chol ch = {0};
    double *Ug = NULL;
    struct cs_clogit_options o;
    bool keep[CS_REGRESS_MAX_TERMS];
    *out = NULL;
    enum cs_status st = get_options(opt, &o, err);
    if (st != CS_OK)
        return st;
    st = check_design(d, err);
    if (st != CS_OK)
        return st;
    st = prepare(d, true, keep, &pr, err);
    if (st != CS_OK)
        return st;
    size_t p = pr.dt.p, ns = pr.dt.ns;
    bool fitted = d->n > 0 && d->k > 0 && ns > 0 && p > 0;
    res = calloc(1, sizeof *res);
    if (res)
        res->fit = fit = cs_fitkit_new(CS_REGRESS_LOGIT, d->n, d->k, d->names, keep, fitted);
    if (!res || !fit) {
        st = nomem(err);
        goto out;
    }
    res->strata = pr.strata;
    res->uninformative = pr.uninformative;
    res->informative_rows = pr.dt.rows;
    res->loglik_null = NAN;
    fit->clusters = ns;
    if (d->n == 0)
        fit->flags |= CS_REGRESS_NO_ROWS;
    if (d->k == 0 || (p == 0 && ns > 0))
        fit->flags |= CS_REGRESS_NO_TERMS;
    if (d->n > 0 && ns == 0)
        fit->flags |= CS_REGRESS_Y_CONSTANT;
    if (ns < 2)
        fit->flags |= CS_REGRESS_FEW_CLUSTERS;
    if (!fitted)
        goto out;

    double beta[CS_REGRESS_MAX_TERMS + 1] = {0}, U[CS_REGRESS_MAX_TERMS], ll;
    double I[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    Ug = malloc(ns * p * sizeof *Ug);
    if (!Ug || cs_chol_alloc(&ch, p) || cs_clogit_ws_alloc(&ws[0], &pr.dt) ||
        (o.threads >= 2 && cs_clogit_ws_alloc(&ws[1], &pr.dt))) {
        st = nomem(err);
        goto out;
    }
    double step[CS_REGRESS_MAX_TERMS] = {0};
    if (!newton(&pr, &o, ws, &ch, beta, Ug, &ll, U, I, fit, &res->loglik_null, step)) {
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
        cs_fitkit_unfit(fit);
        goto out;
    }
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    fit->loglik = ll;
    fit->deviance = -2 * ll;
    fit->null_deviance = -2 * res->loglik_null;

    covariances(&pr, &ch, beta, U, I, Ug, step, fit);
    cs_fitkit_finish_terms(fit, beta, true);
out:
    cs_chol_free(&ch);
    free(Ug);
    cs_clogit_ws_free(&ws[0]);
    cs_clogit_ws_free(&ws[1]);
    prep_free(&pr);
    if (st != CS_OK) {
        cs_clogit_free(res);
        return st;
    }
    *out = res;
    return CS_OK;
}
