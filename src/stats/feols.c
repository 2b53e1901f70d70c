/* feols.c - least squares with one or two absorbed factors (rep, quarter) by the within transformation, with vcovCL's rep-clustered covariance. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/feols.h"
#include "compsight/mem.h"
#include "chol.h"
#include "fitkit.h"
#include "sandwich.h"

static enum cs_status nomem(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "fixed effects: out of memory");
}

void cs_feols_free(struct cs_feols_fit *f)
{
    if (!f)
        return;
    cs_regress_free(f->fit);
    free(f);
}

static size_t row_stride(const struct cs_feols_design *d)
{
    return d->stride ? d->stride : d->k;
}

static enum cs_status check_design(const struct cs_feols_design *d, struct cs_error *err)
{
    if (!d || (d->k > 0 && !d->names) ||
        (d->n > 0 && (!d->y || !d->group || (d->k > 0 && !d->x))))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "fixed effects: missing design arrays");
    if (d->k > CS_REGRESS_MAX_TERMS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "fixed effects: %zu terms, at most %d supported", d->k, CS_REGRESS_MAX_TERMS);
    if (d->stride != 0 && d->stride < d->k)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "fixed effects: row stride %zu below %zu terms", d->stride, d->k);
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]))
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "y", "row %zu: outcome is not a finite number", i);
        if (d->group[i] >= d->groups)
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "group", "row %zu: group id %lu is not below %zu",
                                i, (unsigned long)d->group[i], d->groups);
        if (d->period && d->period[i] >= d->periods)
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "period",
                                "row %zu: period id %lu is not below %zu", i,
                                (unsigned long)d->period[i], d->periods);
        for (size_t j = 0; j < d->k; j++)
            if (!isfinite(d->x[i * row_stride(d) + j]))
                return cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j],
                                    "row %zu: not a finite number", i);
    }
    return CS_OK;
}

/* ======================================================================
 * The within transformation
 * ==================================================================== */

/*
 * The fitted dummies of every column z (the k terms, then y as column k):
 * row i's transformed value is z_i - a[g(i)] - c[t(i)] (c = 0 one-way).
 */
struct effects {
    size_t C;                   /* k + 1 */
    double *a;                  /* groups * C */
    double *c;                  /* periods * C, or NULL */
    size_t G, T, components;    /* levels with rows; components of the group-period graph */
};

static void effects_free(struct effects *e)
{
    free(e->a);
    free(e->c);
}

static inline double zval(const struct cs_feols_design *d, size_t i, size_t j)
{
    return j < d->k ? d->x[i * row_stride(d) + j] : d->y[i];
}

/* The rows by group, the periods present and which are fixed at 0. */
struct periods {
    size_t *nt;                 /* T: rows per period */
    size_t *start;              /* G + 1: group g's rows are order[start[g]..start[g + 1]) */
    size_t *order;              /* n */
    size_t *pos;                /* T: a free period's index in the reduced system; SIZE_MAX for
                                   the fixed ones and the periods without rows */
    size_t Tr;                  /* free periods */
};

static void periods_free(struct periods *pe)
{
    free(pe->nt);
    free(pe->start);
    free(pe->order);
    free(pe->pos);
}

static size_t uf_find(size_t *parent, size_t t)
{
    while (parent[t] != t) {
        parent[t] = parent[parent[t]];
        t = parent[t];
    }
    return t;
}

/*
 * Group the rows by group; connect the periods that share a group (union
 * find, parent: T scratch); in each connected component the smallest
 * period is the root, fixed at 0.  Counts e->T and e->components.
 */
static void periods_index(const struct cs_feols_design *d, const size_t *ng, size_t *parent,
                          struct periods *pe, struct effects *e)
{
    size_t n = d->n, G = d->groups, T = d->periods;
    /* start shifted by one while filling: afterwards start[g] is group g's first row again */
    for (size_t g = 0; g < G; g++)
        pe->start[g + 1] = pe->start[g] + ng[g];
    for (size_t i = 0; i < n; i++) {
        pe->order[pe->start[d->group[i]]++] = i;
        pe->nt[d->period[i]]++;
    }
    for (size_t g = G; g > 0; g--)
        pe->start[g] = pe->start[g - 1];
    pe->start[0] = 0;

    for (size_t t = 0; t < T; t++)
        parent[t] = t;
    for (size_t g = 0; g < G; g++) {
        if (pe->start[g + 1] == pe->start[g])
            continue;
        size_t first = d->period[pe->order[pe->start[g]]];
        for (size_t r = pe->start[g]; r < pe->start[g + 1]; r++) {
            size_t a = uf_find(parent, first), b = uf_find(parent, d->period[pe->order[r]]);
            if (a != b)
                parent[a > b ? a : b] = a < b ? a : b;
        }
    }
    pe->Tr = e->T = e->components = 0;
    for (size_t t = 0; t < T; t++) {
        pe->pos[t] = SIZE_MAX;
        if (!pe->nt[t])
            continue;
        e->T++;
        if (uf_find(parent, t) == t)
            e->components++;
        else
            pe->pos[t] = pe->Tr++;
    }
}

/*
 * The periods' normal equations after the groups are projected out, over
 * the free periods: M = diag(n_t) - sum_g n_g. n_g.' / n_g (Tr x Tr) and
 * R = D_t' M_g z (Tr x C).  cnt and touched: T scratch, cnt all 0.
 */
static void periods_system(const struct cs_feols_design *d, const size_t *ng, const struct periods *pe,
                           const struct effects *e, size_t *cnt, size_t *touched, double *M,
                           double *R)
{
    size_t G = d->groups, T = d->periods, C = e->C, Tr = pe->Tr;
    for (size_t t = 0; t < T; t++)
        if (pe->pos[t] != SIZE_MAX)
            M[pe->pos[t] * Tr + pe->pos[t]] = (double)pe->nt[t];
    for (size_t g = 0; g < G; g++) {
        size_t nu = 0;
        const double *ag = e->a + g * C;
        for (size_t r = pe->start[g]; r < pe->start[g + 1]; r++) {
            size_t i = pe->order[r], t = d->period[i];
            if (cnt[t]++ == 0)
                touched[nu++] = t;
            if (pe->pos[t] != SIZE_MAX) {
                double *Rt = R + pe->pos[t] * C;
                for (size_t j = 0; j < C; j++)
                    Rt[j] += zval(d, i, j) - ag[j];
            }
        }
        double inv = 1 / (double)ng[g];
        for (size_t u = 0; u < nu; u++) {
            size_t t = touched[u];
            if (pe->pos[t] == SIZE_MAX)
                continue;
            for (size_t w = 0; w < nu; w++) {
                size_t t2 = touched[w];
                if (pe->pos[t2] != SIZE_MAX)
                    M[pe->pos[t] * Tr + pe->pos[t2]] -= (double)cnt[t] * (double)cnt[t2] * inv;
            }
        }
        for (size_t u = 0; u < nu; u++)
            cnt[touched[u]] = 0;
    }
}

/* Solve M c = R for every column (chol.h's equilibrated Cholesky) into
 * e->c; -1 when M cannot be factored or memory runs out. */
static int periods_solve(const struct cs_feols_design *d, const struct periods *pe, const double *M,
                         const double *R, struct effects *e)
{
    size_t T = d->periods, C = e->C, Tr = pe->Tr;
    if (Tr == 0)
        return 0;
    int rc = -1;
    struct cs_chol ch = {0};
    double *v = malloc(Tr * sizeof *v);
    if (!v || cs_chol_alloc(&ch, Tr) != 0 || cs_chol_factor(&ch, M) != 0)
        goto out;
    for (size_t j = 0; j < C; j++) {
        for (size_t a = 0; a < Tr; a++)
            v[a] = R[a * C + j];
        if (cs_chol_solve(&ch, v, v) != 0)
            goto out;
        for (size_t t = 0; t < T; t++)
            if (pe->pos[t] != SIZE_MAX)
                e->c[t * C + j] = v[pe->pos[t]];
    }
    rc = 0;
out:
    cs_chol_free(&ch);
    free(v);
    return rc;
}

/*
 * The period effects of the two-way model, given the group means in e->a:
 * c solves (D_t' M_g D_t) c = D_t' M_g z, M_g the within-group projection,
 * with one period per connected component fixed at 0; then a = group mean
 * of (z - c).  ng: rows per group.
 */
static enum cs_status period_effects(const struct cs_feols_design *d, const size_t *ng,
                                     struct effects *e, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    size_t n = d->n, G = d->groups, T = d->periods ? d->periods : 1, C = e->C;
    struct periods pe = {
        .nt = calloc(T, sizeof *pe.nt), .start = calloc(G + 1, sizeof *pe.start),
        .order = cs_malloc_big(n ? n : 1, sizeof *pe.order), .pos = malloc(T * sizeof *pe.pos),
    };
    size_t *cnt = calloc(T, sizeof *cnt), *scratch = malloc(T * sizeof *scratch);
    double *M = NULL, *R = NULL, *gbar = calloc(C, sizeof *gbar);
    e->c = calloc(T * C, sizeof *e->c);
    if (!pe.nt || !pe.start || !pe.order || !pe.pos || !cnt || !scratch || !gbar || !e->c) {
        st = nomem(err);
        goto out;
    }
    periods_index(d, ng, scratch, &pe, e);
    size_t Tr = pe.Tr;
    M = calloc(Tr * Tr > 0 ? Tr * Tr : 1, sizeof *M);
    R = calloc(Tr * C > 0 ? Tr * C : 1, sizeof *R);
    if (!M || !R) {
        st = nomem(err);
        goto out;
    }
    periods_system(d, ng, &pe, e, cnt, scratch, M, R);
    if (periods_solve(d, &pe, M, R, e) != 0) {
        st = cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                          "fixed effects: the period effects could not be solved");
        goto out;
    }
    /* a_g = mean_g(z) - mean_g(c_t) */
    for (size_t g = 0; g < G; g++) {
        if (!ng[g])
            continue;
        memset(gbar, 0, C * sizeof *gbar);
        for (size_t r = pe.start[g]; r < pe.start[g + 1]; r++) {
            const double *ct = e->c + (size_t)d->period[pe.order[r]] * C;
            for (size_t j = 0; j < C; j++)
                gbar[j] += ct[j];
        }
        for (size_t j = 0; j < C; j++)
            e->a[g * C + j] -= gbar[j] / (double)ng[g];
    }
out:
    periods_free(&pe);
    free(cnt);
    free(scratch);
    free(M);
    free(R);
    free(gbar);
    return st;
}

/* Group means (and, two-way, the period effects) of every column. */
static enum cs_status effects_of(const struct cs_feols_design *d, struct effects *e, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    size_t n = d->n, G = d->groups, C = d->k + 1;
    memset(e, 0, sizeof *e);
    e->C = C;
    size_t *ng = calloc(G ? G : 1, sizeof *ng);
    e->a = calloc(G * C > 0 ? G * C : 1, sizeof *e->a);
    if (!ng || !e->a) {
        st = nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t g = d->group[i];
        ng[g]++;
        double *ag = e->a + (size_t)g * C;
        for (size_t j = 0; j < C; j++)
            ag[j] += zval(d, i, j);
    }
    for (size_t g = 0; g < G; g++) {
        e->G += ng[g] > 0;
        if (ng[g])
            for (size_t j = 0; j < C; j++)
                e->a[g * C + j] /= (double)ng[g];
    }
    e->components = 1;
    if (d->period)
        st = period_effects(d, ng, e, err);
out:
    free(ng);
    if (st != CS_OK)
        effects_free(e);
    return st;
}

/* Row i transformed: z~ (C values, y last). */
static inline void transformed(const struct cs_feols_design *d, const struct effects *e, size_t i,
                               double *z)
{
    const double *a = e->a + (size_t)d->group[i] * e->C;
    const double *c = e->c ? e->c + (size_t)d->period[i] * e->C : NULL;
    for (size_t j = 0; j < e->C; j++)
        z[j] = zval(d, i, j) - a[j] - (c ? c[j] : 0);
}

/* ======================================================================
 * The fit
 * ==================================================================== */

/* The transformed columns' Gram matrix (C x C, lower triangle, y last)
 * and the raw columns' squared norms. */
static void gram(const struct cs_feols_design *d, const struct effects *e, double *Gm, double *norm2)
{
    size_t C = e->C;
    double z[CS_REGRESS_MAX_TERMS + 1];
    for (size_t i = 0; i < d->n; i++) {
        transformed(d, e, i, z);
        for (size_t a = 0; a < C; a++) {
            double ra = zval(d, i, a);
            norm2[a] += ra * ra;
            for (size_t b = 0; b <= a; b++)
                Gm[a * C + b] += z[a] * z[b];
        }
    }
}

/* The slopes, kept columns col (p), from the Gram matrix: Cholesky of
 * X~'X~ (ch) and one step of iterative refinement over the rows; -1 when
 * X~'X~ cannot be factored. */
static int slopes(const struct cs_feols_design *d, const struct effects *e, const double *Gm,
                  const size_t *col, size_t p, struct cs_chol *ch, double *beta)
{
    size_t K = d->k, C = e->C;
    double A[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS], b[CS_REGRESS_MAX_TERMS];
    double r[CS_REGRESS_MAX_TERMS] = {0}, delta[CS_REGRESS_MAX_TERMS], z[CS_REGRESS_MAX_TERMS + 1];
    for (size_t a = 0; a < p; a++) {
        for (size_t c = 0; c < p; c++) {
            size_t hi = col[a] > col[c] ? col[a] : col[c], lo = col[a] < col[c] ? col[a] : col[c];
            A[a * p + c] = Gm[hi * C + lo];
        }
        b[a] = Gm[K * C + col[a]];
    }
    if (cs_chol_factor(ch, A) != 0 || cs_chol_solve(ch, b, beta) != 0)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        transformed(d, e, i, z);
        double res = z[K];
        for (size_t a = 0; a < p; a++)
            res -= z[col[a]] * beta[a];
        for (size_t a = 0; a < p; a++)
            r[a] += z[col[a]] * res;
    }
    if (cs_chol_solve(ch, r, delta) == 0)
        for (size_t a = 0; a < p; a++)
            beta[a] += delta[a];
    return 0;
}

/* Residuals: returns the RSS, adds each group's score sum e~_i x~_i to U
 * (groups x p), and sets *yy to sum y^2. */
static double residuals(const struct cs_feols_design *d, const struct effects *e, const size_t *col,
                        size_t p, const double *beta, double *U, double *yy)
{
    size_t K = d->k;
    double rss = 0, z[CS_REGRESS_MAX_TERMS + 1];
    *yy = 0;
    for (size_t i = 0; i < d->n; i++) {
        transformed(d, e, i, z);
        double res = z[K];
        for (size_t a = 0; a < p; a++)
            res -= z[col[a]] * beta[a];
        rss += res * res;
        *yy += d->y[i] * d->y[i];
        double *u = U + (size_t)d->group[i] * p;
        for (size_t a = 0; a < p; a++)
            u[a] += res * z[col[a]];
    }
    return rss;
}

/* The fit record and its conditions, before any estimate. */
static struct cs_feols_fit *fit_new(const struct cs_feols_design *d, const struct effects *e,
                                    const bool *keep, size_t p, size_t rank)
{
    size_t n = d->n;
    bool fitted = n > 0 && p > 0 && n > rank;
    struct cs_feols_fit *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    struct cs_regress_fit *fit = res->fit = cs_fitkit_new(CS_REGRESS_OLS, n, d->k, d->names,
                                                          keep, fitted);
    if (!fit) {
        free(res);
        return NULL;
    }
    res->groups = e->G;
    res->periods = d->period ? e->T : 0;
    res->components = d->period ? e->components : 1;
    res->rank = rank;
    fit->clusters = e->G;
    if (n == 0)
        fit->flags |= CS_REGRESS_NO_ROWS;
    if (n > 0 && p == 0)
        fit->flags |= CS_REGRESS_NO_TERMS;
    if (n > 0 && p > 0 && n <= rank)
        fit->flags |= CS_REGRESS_TOO_FEW_ROWS;
    if (e->G < 2)
        fit->flags |= CS_REGRESS_FEW_CLUSTERS;
    return res;
}

enum cs_status cs_feols(const struct cs_feols_design *d, struct cs_feols_fit **out,
                        struct cs_error *err)
{
    struct effects e = {0};
    struct cs_feols_fit *res = NULL;
    struct cs_chol ch = {0};
    double *U = NULL;
    *out = NULL;
    enum cs_status st = check_design(d, err);
    if (st != CS_OK)
        return st;
    size_t n = d->n, K = d->k, C = K + 1;
    st = effects_of(d, &e, err);
    if (st != CS_OK)
        return st;

    double Gm[(CS_REGRESS_MAX_TERMS + 1) * (CS_REGRESS_MAX_TERMS + 1)] = {0};
    double norm2[CS_REGRESS_MAX_TERMS + 1] = {0}, XX[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    gram(d, &e, Gm, norm2);
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b <= a; b++)
            XX[a * K + b] = Gm[a * C + b];
    bool keep[CS_REGRESS_MAX_TERMS];
    size_t p = K ? cs_fitkit_screen(XX, norm2, K, keep) : 0;
    size_t col[CS_REGRESS_MAX_TERMS], q = 0;
    for (size_t j = 0; j < K; j++)
        if (keep[j])
            col[q++] = j;
    size_t rank = p + e.G + (d->period ? e.T - e.components : 0);
    res = fit_new(d, &e, keep, p, rank);
    if (!res) {
        st = nomem(err);
        goto out;
    }
    struct cs_regress_fit *fit = res->fit;
    if (!fit->fitted)
        goto out;

    double beta[CS_REGRESS_MAX_TERMS], yy;
    if (cs_chol_alloc(&ch, p) != 0) {
        st = nomem(err);
        goto out;
    }
    if (slopes(d, &e, Gm, col, p, &ch, beta) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
        cs_fitkit_unfit(fit);
        goto out;
    }
    U = calloc(d->groups * p, sizeof *U);
    if (!U) {
        st = nomem(err);
        goto out;
    }
    double rss = residuals(d, &e, col, p, beta, U, &yy);
    fit->converged = true;
    fit->deviance = rss;
    fit->null_deviance = Gm[K * C + K];
    fit->loglik = -0.5 * (double)n * (log(2 * M_PI * rss / (double)n) + 1);
    fit->sigma = sqrt(rss / (double)(n - rank));
    if (rss <= 1e-24 * yy)
        fit->flags |= CS_REGRESS_PERFECT_FIT;

    double B[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    if (cs_chol_invert(&ch, B) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        double s2 = rss / (double)(n - rank);
        for (size_t t = 0; t < p * p; t++)
            fit->vcov[t] = s2 * B[t];
        if (e.G >= 2)
            cs_sandwich(B, U, d->groups, p, cs_vcovcl_factor(CS_VCOVCL_HC1, e.G, n, rank),
                        fit->vcov_cluster);
    }
    cs_fitkit_finish_terms(fit, beta, false);
out:
    cs_chol_free(&ch);
    free(U);
    effects_free(&e);
    if (st != CS_OK) {
        cs_feols_free(res);
        return st;
    }
    *out = res;
    return CS_OK;
}
