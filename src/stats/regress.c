/* regress.c - least squares, logistic (IRLS) and Firth regression with vcovCL-style cluster-robust SEs. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "compsight/mem.h"
#include "compsight/regress.h"

#define Z95 1.959964            /* SPEC 7: the 95% interval's multiplier */
#define ALIAS_TOL 1e-7          /* R's lm/glm rank tolerance (dqrdc2) */
#define BOUNDARY 1e-6           /* fitted probability "at" 0 or 1 */
#define RUNAWAY_STEP 0.1        /* last IRLS step of a boundary row's eta, separation */
#define IMPLICATED_SHARE 0.25   /* a term's share of that step, to be implicated */
#define MAX_STEP 5.0            /* Firth: logistf's maxstep */
#define MAX_HALVINGS 25         /* Firth: step halvings per iteration */
#define STALL_STEP 1e-8         /* Firth: a relative step this small that stops shrinking is rounding */

/* ======================================================================
 * Flags, options, allocation
 * ==================================================================== */

static const struct {
    unsigned flag;
    const char *text;
} flag_table[] = {
    {CS_REGRESS_NO_ROWS, "no rows to fit"},
    {CS_REGRESS_NO_TERMS, "no terms left to fit"},
    {CS_REGRESS_Y_CONSTANT, "every outcome is the same"},
    {CS_REGRESS_TOO_FEW_ROWS, "not more rows than terms"},
    {CS_REGRESS_FEW_CLUSTERS, "fewer than 2 clusters: no cluster-robust standard errors"},
    {CS_REGRESS_NOT_CONVERGED, "the fit did not converge"},
    {CS_REGRESS_SEPARATION, "separation: some outcomes are predicted perfectly"},
    {CS_REGRESS_SINGULAR, "singular information matrix: no standard errors"},
    {CS_REGRESS_PERFECT_FIT, "every residual is zero"},
};

const char *cs_regress_flag_text(unsigned flag)
{
    for (size_t i = 0; i < sizeof flag_table / sizeof flag_table[0]; i++)
        if (flag_table[i].flag == flag)
            return flag_table[i].text;
    return "";
}

struct cs_regress_options cs_regress_options_default(void)
{
    struct cs_regress_options o = {.max_iter = 100, .dev_tol = 1e-10, .coef_tol = 1e-12, .threads = 2};
    return o;
}

/* Options from opt (NULL: defaults); CS_ERR_USAGE when out of range. */
static enum cs_status get_options(const struct cs_regress_options *opt, struct cs_regress_options *o,
                                  struct cs_error *err)
{
    *o = opt ? *opt : cs_regress_options_default();
    if (o->max_iter < 1 || !(o->dev_tol >= 0) || !(o->coef_tol >= 0))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "regression: bad options (max_iter %d, dev_tol %g, coef_tol %g)",
                            o->max_iter, o->dev_tol, o->coef_tol);
    return CS_OK;
}

void cs_regress_free(struct cs_regress_fit *fit)
{
    if (!fit)
        return;
    free(fit->dropped);
    free(fit->dropped_column);
    free(fit->terms);
    free(fit->vcov);
    free(fit->vcov_cluster);
    free(fit);
}

/* A fit that got no estimate after all: no covariances either. */
static void unfit(struct cs_regress_fit *fit)
{
    fit->fitted = false;
    free(fit->vcov);
    free(fit->vcov_cluster);
    fit->vcov = fit->vcov_cluster = NULL;
}

static void term_clear(struct cs_regress_term *t, const char *name, size_t column)
{
    t->name = name;
    t->column = column;
    t->estimate = t->se = t->se_cluster = t->z = t->p = NAN;
    t->ci_low = t->ci_high = t->odds_ratio = t->or_low = t->or_high = NAN;
    t->separated = false;
}

/* ======================================================================
 * Shared preparation: validation, cluster ids, term screening
 * ==================================================================== */

/* What every model works on once the design is screened. */
struct work {
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

static void work_free(struct work *w)
{
    free(w->col);
    free(w->norm2);
    free(w->xc);
    free(w->g);
}

/*
 * Map arbitrary 32-bit cluster ids to 0..G-1 in order of first appearance,
 * with an open-addressing hash table (linear probing, load <= 1/2).
 */
static enum cs_status cluster_index(const uint32_t *ids, size_t n, uint32_t **out, size_t *G,
                                    struct cs_error *err)
{
    enum cs_status st = CS_OK;
    uint32_t *idx = cs_malloc_big(n, sizeof *idx);
    size_t cap = 64, used = 0;
    uint32_t *key = malloc(cap * sizeof *key), *val = malloc(cap * sizeof *val);
    if (!idx || !key || !val) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    memset(val, 0xff, cap * sizeof *val);
    for (size_t i = 0; i < n; i++) {
        if (2 * (used + 1) > cap) {
            size_t ncap = cap * 2;
            uint32_t *nkey = malloc(ncap * sizeof *nkey), *nval = malloc(ncap * sizeof *nval);
            if (!nkey || !nval) {
                free(nkey);
                free(nval);
                st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
                goto out;
            }
            memset(nval, 0xff, ncap * sizeof *nval);
            for (size_t s = 0; s < cap; s++) {
                if (val[s] == UINT32_MAX)
                    continue;
                size_t h = (size_t)((key[s] * 2654435761u) & (uint32_t)(ncap - 1));
                while (nval[h] != UINT32_MAX)
                    h = (h + 1) & (ncap - 1);
                nkey[h] = key[s];
                nval[h] = val[s];
            }
            free(key);
            free(val);
            key = nkey;
            val = nval;
            cap = ncap;
        }
        uint32_t id = ids[i];
        size_t h = (size_t)((id * 2654435761u) & (uint32_t)(cap - 1));
        while (val[h] != UINT32_MAX && key[h] != id)
            h = (h + 1) & (cap - 1);
        if (val[h] == UINT32_MAX) {
            key[h] = id;
            val[h] = (uint32_t)used++;
        }
        idx[i] = val[h];
    }
    *out = idx;
    idx = NULL;
    *G = used;
out:
    free(idx);
    free(key);
    free(val);
    return st;
}

/*
 * Drop constant columns (all but the first non-zero one, the intercept) and
 * aliased ones.  The aliasing test is R's (residual norm < 1e-7 x column
 * norm), evaluated by a sequential Cholesky of the Gram matrix of the
 * columns centred on their means when there is an intercept (so that the
 * intercept is projected out first, in two accurate passes), of the raw
 * columns otherwise.  Fills w->col, w->k, w->norm2, w->has_intercept and
 * the fit's dropped lists.
 */
static enum cs_status screen_terms(struct work *w, struct cs_regress_fit *fit, struct cs_error *err)
{
    const struct cs_regress_design *d = w->d;
    size_t n = d->n, K = d->k;
    enum cs_status st = CS_OK;
    bool *varies = calloc(K, sizeof *varies);
    double *mean = calloc(K, sizeof *mean), *nrm = calloc(K, sizeof *nrm);
    double *C = calloc(K * K, sizeof *C), *L = calloc(K * K, sizeof *L);
    size_t *cand = malloc(K * sizeof *cand);
    w->col = malloc(K * sizeof *w->col);
    w->norm2 = malloc(K * sizeof *w->norm2);
    if (!varies || !mean || !nrm || !C || !L || !cand || !w->col || !w->norm2) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }

    /* Which columns vary; squared norms; means; and every value finite (a
     * NaN or infinity anywhere makes a sum non-finite). */
    const double *x0 = d->x;
    for (size_t i = 0; i < n; i++) {
        const double *xi = d->x + i * K;
        for (size_t j = 0; j < K; j++) {
            varies[j] |= xi[j] != x0[j];
            nrm[j] += xi[j] * xi[j];
            mean[j] += xi[j];
        }
    }
    for (size_t j = 0; j < K; j++) {
        if (isfinite(nrm[j]))
            continue;
        for (size_t i = 0; i < n; i++)
            if (!isfinite(d->x[i * K + j])) {
                st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j],
                                  "row %zu: not a finite number", i);
                goto out;
            }
        /* finite values whose squares overflow */
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, d->names[j], "values too large");
        goto out;
    }
    for (size_t j = 0; j < K; j++)
        mean[j] /= (double)n;

    /* The intercept: the first constant non-zero column; other constants go. */
    size_t icol = SIZE_MAX, nc = 0;
    for (size_t j = 0; j < K; j++) {
        if (!varies[j] && x0[j] != 0 && icol == SIZE_MAX)
            icol = j;
        else if (varies[j])
            cand[nc++] = j;
    }
    w->has_intercept = icol != SIZE_MAX;

    /* Gram matrix (lower triangle) of the varying columns, centred on their
     * means when there is an intercept. */
    double ctr[CS_REGRESS_MAX_TERMS] = {0}, v[CS_REGRESS_MAX_TERMS];
    if (w->has_intercept)
        for (size_t a = 0; a < nc; a++)
            ctr[a] = mean[cand[a]];
    for (size_t i = 0; i < n; i++) {
        const double *xi = d->x + i * K;
        for (size_t a = 0; a < nc; a++)
            v[a] = xi[cand[a]] - ctr[a];
        for (size_t a = 0; a < nc; a++) {
            double va = v[a];
            double *row = C + a * nc;
            for (size_t b = 0; b <= a; b++)
                row[b] += va * v[b];
        }
    }

    /* Sequential Cholesky in design order: row m of L belongs to the m-th
     * kept candidate (candidate position kpos[m]); a candidate whose squared
     * residual is below tol^2 times its squared norm is aliased. */
    bool keep[CS_REGRESS_MAX_TERMS] = {false};
    size_t kpos[CS_REGRESS_MAX_TERMS], nk = 0;
    if (w->has_intercept)
        keep[icol] = true;
    for (size_t a = 0; a < nc; a++) {
        double r = C[a * nc + a];
        double *la = L + nk * K;
        for (size_t m = 0; m < nk; m++) {
            double s = C[a * nc + kpos[m]];
            for (size_t q = 0; q < m; q++)
                s -= la[q] * L[m * K + q];
            la[m] = s / L[m * K + m];
            r -= la[m] * la[m];
        }
        if (r > 0 && r > ALIAS_TOL * ALIAS_TOL * nrm[cand[a]]) {
            la[nk] = sqrt(r);
            kpos[nk++] = a;
            keep[cand[a]] = true;
        }
    }
    w->k = 0;
    for (size_t j = 0; j < K; j++) {
        if (keep[j]) {
            w->norm2[w->k] = nrm[j];
            w->col[w->k++] = j;
        } else {
            fit->dropped[fit->n_dropped] = d->names[j];
            fit->dropped_column[fit->n_dropped++] = j;
        }
    }
out:
    free(varies);
    free(mean);
    free(nrm);
    free(C);
    free(L);
    free(cand);
    return st;
}

/*
 * Validate d, allocate the fit, index the clusters and screen the terms.
 * Returns CS_OK with fit->fitted false when there is nothing to fit (the
 * flags say why, the terms are there with NaN numbers).
 */
static enum cs_status prepare(const struct cs_regress_design *d, enum cs_regress_model model,
                              struct work *w, struct cs_regress_fit **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_regress_fit *fit = NULL;
    *out = NULL;
    memset(w, 0, sizeof *w);
    w->d = d;

    if (!d || (d->k > 0 && !d->names) || (d->n > 0 && (!d->y || (d->k > 0 && !d->x))))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "regression: missing design arrays");
    if (d->k > CS_REGRESS_MAX_TERMS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "regression: %zu terms, at most %d supported", d->k, CS_REGRESS_MAX_TERMS);
    if (d->k > 0 && d->n > SIZE_MAX / sizeof(double) / d->k)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "regression: design too large");
    size_t K = d->k;
    fit = calloc(1, sizeof *fit);
    if (!fit)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
    fit->model = model;
    fit->n = d->n;
    fit->k_design = K;
    fit->deviance = fit->null_deviance = fit->loglik = NAN;
    fit->penalised_loglik = fit->sigma = NAN;
    fit->terms = calloc(K ? K : 1, sizeof *fit->terms);
    fit->dropped = calloc(K ? K : 1, sizeof *fit->dropped);
    fit->dropped_column = calloc(K ? K : 1, sizeof *fit->dropped_column);
    if (!fit->terms || !fit->dropped || !fit->dropped_column) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    for (size_t j = 0; j < K; j++)
        term_clear(&fit->terms[j], d->names[j], j);
    fit->k = K;

    if (d->n == 0)
        fit->flags |= CS_REGRESS_NO_ROWS;
    if (K == 0)
        fit->flags |= CS_REGRESS_NO_TERMS;
    if (fit->flags)
        goto out;

    /* Outcomes (the terms are checked while they are screened). */
    bool logistic = model != CS_REGRESS_OLS;
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]) || (logistic && d->y[i] != 0 && d->y[i] != 1)) {
            st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, "y", "row %zu: %s", i,
                              logistic ? "outcome is not 0 or 1" : "outcome is not a finite number");
            goto out;
        }
    }
    w->n = d->n;

    /* Clusters. */
    if (d->cluster) {
        st = cluster_index(d->cluster, d->n, &w->g, &w->G, err);
        if (st != CS_OK)
            goto out;
    }
    fit->clusters = w->G;
    if (w->G < 2)
        fit->flags |= CS_REGRESS_FEW_CLUSTERS;

    /* Terms. */
    st = screen_terms(w, fit, err);
    if (st != CS_OK)
        goto out;
    for (size_t t = 0; t < w->k; t++)
        term_clear(&fit->terms[t], d->names[w->col[t]], w->col[t]);
    fit->k = w->k;

    bool yconst = true;
    for (size_t i = 1; i < d->n && yconst; i++)
        yconst = d->y[i] == d->y[0];
    if (yconst)
        fit->flags |= CS_REGRESS_Y_CONSTANT;
    if (w->k == 0)
        fit->flags |= CS_REGRESS_NO_TERMS;
    else if (d->n <= w->k)
        fit->flags |= CS_REGRESS_TOO_FEW_ROWS;
    if (fit->flags & CS_REGRESS_UNFITTED)
        goto out;

    /* Compact copy of the kept columns, only when something was dropped. */
    if (w->k == K) {
        w->x = d->x;
    } else {
        w->xc = cs_malloc_big(d->n * w->k, sizeof *w->xc);
        if (!w->xc) {
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
            goto out;
        }
        for (size_t i = 0; i < d->n; i++)
            for (size_t t = 0; t < w->k; t++)
                w->xc[i * w->k + t] = d->x[i * K + w->col[t]];
        w->x = w->xc;
    }
    fit->vcov = malloc(w->k * w->k * sizeof *fit->vcov);
    fit->vcov_cluster = malloc(w->k * w->k * sizeof *fit->vcov_cluster);
    if (!fit->vcov || !fit->vcov_cluster) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    for (size_t q = 0; q < w->k * w->k; q++)
        fit->vcov[q] = fit->vcov_cluster[q] = NAN;
    fit->fitted = true;
out:
    if (st != CS_OK) {
        cs_regress_free(fit);
        return st;
    }
    *out = fit;
    return CS_OK;
}

/* ======================================================================
 * Small dense algebra on k x k matrices
 * ==================================================================== */

/*
 * Cholesky factor of a symmetric positive definite A (k x k, row-major),
 * equilibrated by powers of two (exact) so that the scaled diagonal is in
 * [1/4, 1): A = S^-1 L L' S^-1 with S = diag(s).
 */
struct chol {
    size_t k;
    gsl_matrix *m;      /* L in the lower triangle (GSL decomp1) */
    gsl_vector *v, *u;  /* work vectors */
    double *s;
};

static void chol_free(struct chol *c)
{
    gsl_matrix_free(c->m);
    gsl_vector_free(c->v);
    gsl_vector_free(c->u);
    free(c->s);
    memset(c, 0, sizeof *c);
}

static int chol_alloc(struct chol *c, size_t k)
{
    c->k = k;
    c->m = gsl_matrix_alloc(k, k);
    c->v = gsl_vector_alloc(k);
    c->u = gsl_vector_alloc(k);
    c->s = malloc(k * sizeof *c->s);
    return c->m && c->v && c->u && c->s ? 0 : -1;
}

/* Factor A; returns 0, or -1 when A is not (numerically) positive definite. */
static int chol_factor(struct chol *c, const double *A)
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
static int chol_solve(struct chol *c, const double *b, double *x)
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
static double chol_logdet(const struct chol *c)
{
    double ld = 0;
    for (size_t j = 0; j < c->k; j++)
        ld += 2 * log(gsl_matrix_get(c->m, j, j)) - 2 * log(c->s[j]);
    return ld;
}

/* inv = A^-1 (full symmetric, row-major).  Destroys the factor. */
static int chol_invert(struct chol *c, double *inv)
{
    size_t k = c->k;
    if (gsl_linalg_cholesky_invert(c->m) != GSL_SUCCESS)
        return -1;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            inv[i * k + j] = gsl_matrix_get(c->m, i, j) * c->s[i] * c->s[j];
    return 0;
}

/*
 * V = c_adj * B [sum_g u_g u_g'] B, accumulated as sum_g (B u_g)(B u_g)' so
 * that V is positive semi-definite by construction.  U is G x k.
 */
static void sandwich(const double *B, const double *U, size_t G, size_t k, double c_adj, double *V)
{
    double vp[CS_REGRESS_MAX_TERMS];
    for (size_t q = 0; q < k * k; q++)
        V[q] = 0;
    for (size_t g = 0; g < G; g++) {
        const double *u = U + g * k;
        for (size_t i = 0; i < k; i++) {
            double s = 0;
            for (size_t j = 0; j < k; j++)
                s += B[i * k + j] * u[j];
            vp[i] = s;
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                V[i * k + j] += vp[i] * vp[j];
    }
    for (size_t q = 0; q < k * k; q++)
        V[q] *= c_adj;
}

/* Mirror the lower triangle of a k x k row-major matrix into the upper. */
static void mirror_lower(double *A, size_t k)
{
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            A[i * k + j] = A[j * k + i];
}

/* Fill the per-term numbers from the estimates and both covariances. */
static void finish_terms(struct cs_regress_fit *fit, const double *beta, bool logistic)
{
    size_t k = fit->k;
    for (size_t t = 0; t < k; t++) {
        struct cs_regress_term *tm = &fit->terms[t];
        double v = fit->vcov[t * k + t], vc = fit->vcov_cluster[t * k + t];
        tm->estimate = beta[t];
        tm->se = v >= 0 ? sqrt(v) : NAN;
        tm->se_cluster = vc >= 0 ? sqrt(vc) : NAN;
        if (fit->flags & CS_REGRESS_PERFECT_FIT) {
            tm->se = tm->se_cluster = 0;
            tm->ci_low = tm->ci_high = beta[t];
        } else if (tm->se_cluster > 0 && isfinite(tm->se_cluster)) {
            tm->z = beta[t] / tm->se_cluster;
            tm->p = 2 * gsl_cdf_ugaussian_Q(fabs(tm->z));
            tm->ci_low = beta[t] - Z95 * tm->se_cluster;
            tm->ci_high = beta[t] + Z95 * tm->se_cluster;
        }
        if (logistic) {
            tm->odds_ratio = exp(beta[t]);
            tm->or_low = exp(tm->ci_low);
            tm->or_high = exp(tm->ci_high);
        }
    }
}

/* ======================================================================
 * Least squares
 * ==================================================================== */

/*
 * Least squares by a streamed Householder QR: blocks of OLS_BLOCK rows of
 * [X S | y] are stacked under the current (k+1) x (k+1) triangle and
 * re-triangularised, so the whole fit is one sequence of orthogonal
 * transformations (as accurate as a QR of the full matrix) without an n x k
 * copy.  The last diagonal element of the triangle is the residual norm.
 */
#define OLS_BLOCK 256

enum cs_status cs_regress_ols(const struct cs_regress_design *d, struct cs_regress_fit **out,
                              struct cs_error *err)
{
    struct work w;
    struct cs_regress_fit *fit = NULL;
    gsl_matrix *M = NULL, *R = NULL;
    gsl_vector *tau = NULL;
    double *s = NULL, *B = NULL, *U = NULL, *beta = NULL;
    enum cs_status st = prepare(d, CS_REGRESS_OLS, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;

    size_t n = w.n, k = w.k, k1 = k + 1;
    M = gsl_matrix_calloc(k1 + OLS_BLOCK, k1);
    R = gsl_matrix_calloc(k, k);
    tau = gsl_vector_alloc(k1);
    s = malloc(k1 * sizeof *s);
    B = malloc(k * k * sizeof *B);
    beta = malloc(k * sizeof *beta);
    U = calloc((w.G ? w.G : 1) * k, sizeof *U);
    if (!M || !R || !tau || !s || !B || !beta || !U) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    /* Columns (and y) scaled by powers of two to norms in [1/2, 1): exact,
     * and it keeps the triangle balanced. */
    double ynorm2 = 0;
    for (size_t i = 0; i < n; i++)
        ynorm2 += d->y[i] * d->y[i];
    for (size_t t = 0; t < k1; t++) {
        int e;
        frexp(sqrt(t < k ? w.norm2[t] : ynorm2), &e);
        s[t] = ynorm2 > 0 || t < k ? ldexp(1.0, -e) : 1;
    }
    for (size_t i0 = 0; i0 < n; i0 += OLS_BLOCK) {
        size_t nb = n - i0 < OLS_BLOCK ? n - i0 : OLS_BLOCK;
        /* rows 0..k of M hold the triangle from the last block (zeros at
         * first); the new rows go below it, unused rows stay zero */
        for (size_t r = 0; r < k1; r++)
            for (size_t c = 0; c < r; c++)
                M->data[r * M->tda + c] = 0;   /* below-diagonal Householder vectors */
        for (size_t r = 0; r < OLS_BLOCK; r++) {
            double *m = M->data + (k1 + r) * M->tda;
            if (r < nb) {
                const double *xi = w.x + (i0 + r) * k;
                for (size_t t = 0; t < k; t++)
                    m[t] = xi[t] * s[t];
                m[k] = d->y[i0 + r] * s[k];
            } else {
                for (size_t t = 0; t < k1; t++)
                    m[t] = 0;
            }
        }
        if (gsl_linalg_QR_decomp(M, tau) != GSL_SUCCESS) {
            st = cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL, "regression: QR failed");
            goto out;
        }
    }
    /* Solve R b = (Q'y)[0..k); rss = R[k][k]^2. */
    bool singular = false;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++)
            gsl_matrix_set(R, i, j, gsl_matrix_get(M, i, j));
    for (size_t i = k; i-- > 0;) {
        double acc = gsl_matrix_get(M, i, k);
        for (size_t j = i + 1; j < k; j++)
            acc -= gsl_matrix_get(R, i, j) * beta[j];
        double rii = gsl_matrix_get(R, i, i);
        if (rii == 0)
            singular = true;
        beta[i] = rii != 0 ? acc / rii : NAN;
    }
    for (size_t i = 0; i < k; i++)
        beta[i] = beta[i] * s[i] / s[k];
    double rn = gsl_matrix_get(M, k, k) / s[k];
    double rss = rn * rn, ysum = 0, yss = 0;
    for (size_t i = 0; i < n; i++)
        ysum += d->y[i];
    double ybar = ysum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double c = w.has_intercept ? d->y[i] - ybar : d->y[i];
        yss += c * c;
    }
    fit->deviance = rss;
    fit->null_deviance = yss;
    fit->loglik = -0.5 * (double)n * (log(2 * M_PI * rss / (double)n) + 1);
    fit->sigma = sqrt(rss / (double)(n - k));
    fit->converged = true;
    if (sqrt(rss) <= 1e-12 * sqrt(ynorm2))
        fit->flags |= CS_REGRESS_PERFECT_FIT;

    /* (X'X)^-1 = S R^-1 R^-T S. */
    if (!singular && gsl_linalg_tri_invert(CblasUpper, CblasNonUnit, R) != GSL_SUCCESS)
        singular = true;
    if (singular) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) {
                double acc = 0;
                for (size_t q = (i > j ? i : j); q < k; q++)
                    acc += gsl_matrix_get(R, i, q) * gsl_matrix_get(R, j, q);
                B[i * k + j] = acc * s[i] * s[j];
            }
        double s2 = rss / (double)(n - k);
        for (size_t q = 0; q < k * k; q++)
            fit->vcov[q] = s2 * B[q];

        if (w.G >= 2) {
            /* residuals e = y - X b, for the scores u_g = sum e_i x_i */
            for (size_t i = 0; i < n; i++) {
                const double *xi = w.x + i * k;
                double e = d->y[i];
                for (size_t t = 0; t < k; t++)
                    e -= xi[t] * beta[t];
                double *u = U + (size_t)w.g[i] * k;
                for (size_t t = 0; t < k; t++)
                    u[t] += e * xi[t];
            }
            double G = (double)w.G;
            double c = G / (G - 1) * (double)(n - 1) / (double)(n - k);
            sandwich(B, U, w.G, k, c, fit->vcov_cluster);
        }
    }
    finish_terms(fit, beta, false);
out:
    gsl_matrix_free(M);
    gsl_matrix_free(R);
    gsl_vector_free(tau);
    free(s);
    free(B);
    free(U);
    free(beta);
    work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}

/* ======================================================================
 * Logistic regression by IRLS
 * ==================================================================== */

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

static double logprod_log(const struct logprod *lp)
{
    return log(lp->m) + (double)lp->e * M_LN2;
}

/* a = a * b, both kept as mantissa * 2^e (fixed order: deterministic). */
static void logprod_join(struct logprod *a, const struct logprod *b)
{
    int ea, eb;
    double ma = frexp(a->m, &ea), mb = frexp(b->m, &eb);
    a->m = ma * mb;
    a->e += b->e + ea + eb;
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
 * Passes over the rows, in one or two chunks
 * ==================================================================== */

/*
 * A pass over more than SPLIT_MIN_ROWS rows is cut into two halves, each
 * summed into its own partial result; the partials are added in a fixed
 * order, so the numbers depend on n only: running the second half on a
 * second thread (options.threads >= 2) or after the first on the same
 * thread gives bit-identical fits.
 */
#define SPLIT_MIN_ROWS 65536

typedef void (*range_fn)(void *arg, size_t lo, size_t hi, int chunk);

struct split_job {
    range_fn fn;
    void *arg;
    size_t lo, hi;
};

static void *split_thread(void *p)
{
    struct split_job *j = p;
    j->fn(j->arg, j->lo, j->hi, 1);
    return NULL;
}

static int chunks(size_t n)
{
    return n > SPLIT_MIN_ROWS ? 2 : 1;
}

static void run_split(range_fn fn, void *arg, size_t n, int threads)
{
    if (chunks(n) == 1) {
        fn(arg, 0, n, 0);
        return;
    }
    size_t mid = n / 2;
    struct split_job job = {fn, arg, mid, n};
    pthread_t th;
    bool started = threads >= 2 && pthread_create(&th, NULL, split_thread, &job) == 0;
    fn(arg, 0, mid, 0);
    if (!started || pthread_join(th, NULL) != 0)
        fn(arg, mid, n, 1);     /* no second thread: the same sums, sequentially */
}

/* Partial sums of one chunk of an IRLS or Firth pass. */
struct part {
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

static void part_clear(struct part *pt, size_t k, size_t G)
{
    memset(pt->A, 0, k * k * sizeof *pt->A);
    memset(pt->b, 0, k * sizeof *pt->b);
    memset(pt->score, 0, k * sizeof *pt->score);
    memset(pt->share, 0, k * sizeof *pt->share);
    pt->lp.m = 1;
    pt->lp.e = 0;
    pt->ll_far = 0;
    pt->boundary = 0;
    pt->max_deta = 0;
    if (pt->U)
        memset(pt->U, 0, G * k * sizeof *pt->U);
}

/*
 * Add chunk 1 into chunk 0 (when there are two).  A is completed from its
 * lower triangle.
 */
static void part_join(struct part *p, size_t n, size_t k, size_t G)
{
    if (chunks(n) == 2) {
        const struct part *q = &p[1];
        for (size_t a = 0; a < k; a++) {
            for (size_t b = 0; b <= a; b++)
                p->A[a * k + b] += q->A[a * k + b];
            p->b[a] += q->b[a];
            p->score[a] += q->score[a];
            p->share[a] = fmax(p->share[a], q->share[a]);
        }
        logprod_join(&p->lp, &q->lp);
        p->ll_far += q->ll_far;
        p->boundary += q->boundary;
        p->max_deta = fmax(p->max_deta, q->max_deta);
        if (p->U && q->U)
            for (size_t t = 0; t < G * k; t++)
                p->U[t] += q->U[t];
    }
    mirror_lower(p->A, k);
}

/* Two parts, and their cluster-sum buffers when G >= 2 (and rows split). */
static struct part *parts_new(const struct work *w)
{
    struct part *p = calloc(2, sizeof *p);
    if (!p)
        return NULL;
    if (w->G >= 2) {
        for (int c = 0; c < chunks(w->n); c++) {
            p[c].U = malloc(w->G * w->k * sizeof *p[c].U);
            if (!p[c].U) {
                free(p[0].U);
                free(p);
                return NULL;
            }
        }
    }
    return p;
}

static void parts_free(struct part *p)
{
    if (!p)
        return;
    free(p[0].U);
    free(p[1].U);
    free(p);
}

struct pass_arg {
    const struct work *w;
    const double *beta;         /* NULL: IRLS start */
    const double *step;         /* logit final pass: the last IRLS step */
    const double *M;            /* Firth score pass: L^-1 S */
    struct part *part;
};

/*
 * IRLS pass over rows lo..hi at beta (NULL: at R's start mu = (y + 1/2)/2):
 * A = X'WX, b = X'Wz, score = X'(y - mu), lp = likelihood.
 */
static void irls_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct work *w = arg->w;
    struct part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta;
    double wx[4 * CS_REGRESS_MAX_TERMS];
    const double *xr[4];
    int nr = 0;
    const double start = log(3.0);
    part_clear(pt, k, 0);
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
static double irls_pass(const struct work *w, const double *beta, struct part *part, int threads)
{
    struct pass_arg arg = {.w = w, .beta = beta, .part = part};
    run_split(irls_range, &arg, w->n, threads);
    part_join(part, w->n, w->k, 0);
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
    const struct work *w = arg->w;
    struct part *pt = &arg->part[chunk];
    size_t k = w->k;
    part_clear(pt, k, w->G);
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
        if (pt->U) {
            double *u = pt->U + (size_t)w->g[i] * k;
            for (size_t j = 0; j < k; j++)
                u[j] += r * xi[j];
        }
        if (l.mu < BOUNDARY || l.omu < BOUNDARY) {
            pt->boundary++;
            pt->max_deta = fmax(pt->max_deta, fabs(deta));
            for (size_t j = 0; j < k; j++)
                pt->share[j] = fmax(pt->share[j], fabs(xi[j] * arg->step[j]));
        }
    }
}

/* Null deviance of a 0/1 outcome (intercept-only fit, or mu = 1/2 without one). */
static double logit_null_deviance(const struct work *w)
{
    size_t n = w->n, ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += w->d->y[i] != 0;
    if (!w->has_intercept)
        return 2 * (double)n * log(2.0);
    double p = (double)ones / (double)n;
    return -2 * ((double)ones * log(p) + (double)(n - ones) * log1p(-p));
}

enum cs_status cs_regress_logit(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err)
{
    struct work w;
    struct cs_regress_fit *fit = NULL;
    struct chol ch = {0};
    struct part *part = NULL;
    double *A = NULL, *beta = NULL, *step = NULL;
    struct cs_regress_options o;
    enum cs_status st = get_options(opt, &o, err);
    if (st != CS_OK) {
        *out = NULL;
        return st;
    }
    st = prepare(d, CS_REGRESS_LOGIT, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;
    size_t k = w.k;
    part = parts_new(&w);
    A = malloc(k * k * sizeof *A);
    beta = calloc(k, sizeof *beta);
    step = calloc(k, sizeof *step);
    if (!part || !A || !beta || !step || chol_alloc(&ch, k)) {
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
        if (chol_factor(&ch, part[0].A) != 0 ||
            chol_solve(&ch, it == 1 ? part[0].b : part[0].score, step) != 0) {
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
        unfit(fit);
        goto out;
    }
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    fit->deviance = dev;
    fit->loglik = -dev / 2;
    fit->null_deviance = logit_null_deviance(&w);
    memcpy(A, part[0].A, k * k * sizeof *A);     /* X'WX at the final mu */

    /* Final pass: cluster scores and the separation diagnostics. */
    struct pass_arg arg = {.w = &w, .beta = beta, .step = step, .part = part};
    run_split(final_range, &arg, w.n, o.threads);
    part_join(part, w.n, k, w.G);
    double max_deta = part[0].max_deta;
    if (part[0].boundary > 0 && (max_deta > RUNAWAY_STEP || !fit->converged)) {
        fit->flags |= CS_REGRESS_SEPARATION;
        fit->separation = true;
    }

    /* Covariances at the final mu. */
    if (singular || chol_factor(&ch, A) != 0 || chol_invert(&ch, A) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        memcpy(fit->vcov, A, k * k * sizeof *A);
        if (w.G >= 2) {
            double G = (double)w.G;
            sandwich(A, part[0].U, w.G, k, G / (G - 1), fit->vcov_cluster);
        }
    }
    finish_terms(fit, beta, true);
    if (fit->separation)
        for (size_t j = 0; j < k; j++)
            fit->terms[j].separated = part[0].share[j] > 0 &&
                                      part[0].share[j] >= IMPLICATED_SHARE * max_deta;
out:
    chol_free(&ch);
    parts_free(part);
    free(A);
    free(beta);
    free(step);
    work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}

/* ======================================================================
 * Firth's penalised logistic regression
 * ==================================================================== */

/* Firth pass 1 over rows lo..hi at beta: A = X'WX (W = p(1-p), no clamping), the likelihood. */
static void firth_info_range(void *p, size_t lo, size_t hi, int chunk)
{
    const struct pass_arg *arg = p;
    const struct work *w = arg->w;
    struct part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta;
    double wx[4 * CS_REGRESS_MAX_TERMS];
    const double *xr[4];
    int nr = 0;
    part_clear(pt, k, 0);
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
    const struct work *w = arg->w;
    struct part *pt = &arg->part[chunk];
    size_t k = w->k;
    const double *X = w->x, *y = w->d->y, *beta = arg->beta, *M = arg->M;
    part_clear(pt, k, w->G);
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
        if (pt->U) {
            double *u = pt->U + (size_t)w->g[i] * k;
            for (size_t j = 0; j < k; j++)
                u[j] += r * xi[j];
        }
    }
}

/* M = L^-1 S from a factor (lower triangular, k x k row-major). */
static void chol_lower_inverse(const struct chol *c, double *M)
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

enum cs_status cs_regress_firth(const struct cs_regress_design *d,
                                const struct cs_regress_options *opt,
                                struct cs_regress_fit **out, struct cs_error *err)
{
    struct work w;
    struct cs_regress_fit *fit = NULL;
    struct chol ch = {0};
    struct part *part = NULL;
    double *A = NULL, *ustar = NULL, *beta = NULL, *bprev = NULL, *step = NULL, *M = NULL;
    struct cs_regress_options o;
    enum cs_status st = get_options(opt, &o, err);
    if (st != CS_OK) {
        *out = NULL;
        return st;
    }
    st = prepare(d, CS_REGRESS_FIRTH, &w, &fit, err);
    if (st != CS_OK || !fit->fitted)
        goto out;
    size_t k = w.k;
    part = parts_new(&w);
    A = malloc(k * k * sizeof *A);
    M = malloc(k * k * sizeof *M);
    ustar = malloc(k * sizeof *ustar);
    beta = calloc(k, sizeof *beta);
    bprev = calloc(k, sizeof *bprev);
    step = calloc(k, sizeof *step);
    if (!part || !A || !M || !ustar || !beta || !bprev || !step || chol_alloc(&ch, k)) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    struct pass_arg arg = {.w = &w, .beta = beta, .M = M, .part = part};

    /* Newton on the modified score.  Once the full step is below the
     * tolerance it is still taken, and everything (information, scores,
     * likelihoods) is evaluated once more at the final point, so that the
     * estimate is a step more accurate than the test and every reported
     * figure belongs to it. */
    double pl_prev = -INFINITY, ll = NAN, pl = NAN, rel_prev = INFINITY;
    int halvings = 0;
    bool singular = false, last = false;
    for (;;) {
        run_split(firth_info_range, &arg, w.n, o.threads);
        part_join(part, w.n, k, 0);
        ll = logprod_log(&part[0].lp) + part[0].ll_far;
        memcpy(A, part[0].A, k * k * sizeof *A);
        if (chol_factor(&ch, A) != 0) {
            singular = true;
            break;
        }
        pl = ll + 0.5 * chol_logdet(&ch);
        if (!last && !(pl >= pl_prev - 1e-12 * fabs(pl_prev)) && halvings < MAX_HALVINGS) {
            /* the step lowered the penalised likelihood: halve it */
            halvings++;
            for (size_t j = 0; j < k; j++) {
                step[j] *= 0.5;
                beta[j] = bprev[j] + step[j];
            }
            continue;
        }
        halvings = 0;
        chol_lower_inverse(&ch, M);
        run_split(firth_score_range, &arg, w.n, o.threads);
        part_join(part, w.n, k, w.G);
        memcpy(ustar, part[0].b, k * sizeof *ustar);
        if (last)
            break;
        if (chol_solve(&ch, ustar, step) != 0) {
            singular = true;
            break;
        }
        fit->iterations++;
        double big = 0, rel = 0;
        for (size_t j = 0; j < k; j++) {
            big = fmax(big, fabs(step[j]));
            rel = fmax(rel, fabs(step[j]) / (1 + fabs(beta[j])));
        }
        /* converged, or stalled at rounding level (the step no longer shrinks) */
        if (rel <= o.coef_tol || (rel <= STALL_STEP && rel >= 0.9 * rel_prev)) {
            fit->converged = true;
            last = true;
        } else if (fit->iterations >= o.max_iter) {
            break;
        }
        if (big > MAX_STEP)
            for (size_t j = 0; j < k; j++)
                step[j] *= MAX_STEP / big;
        memcpy(bprev, beta, k * sizeof *beta);
        pl_prev = pl;
        rel_prev = rel;
        for (size_t j = 0; j < k; j++)
            beta[j] += step[j];
    }
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    if (singular && fit->iterations == 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
        unfit(fit);
        goto out;
    }
    fit->deviance = -2 * ll;
    fit->loglik = ll;
    fit->penalised_loglik = pl;
    fit->null_deviance = logit_null_deviance(&w);
    if (singular || chol_factor(&ch, A) != 0 || chol_invert(&ch, A) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        memcpy(fit->vcov, A, k * k * sizeof *A);
        if (w.G >= 2) {
            double G = (double)w.G;
            sandwich(A, part[0].U, w.G, k, G / (G - 1), fit->vcov_cluster);
        }
    }
    finish_terms(fit, beta, true);
out:
    chol_free(&ch);
    parts_free(part);
    free(A);
    free(M);
    free(ustar);
    free(beta);
    free(bprev);
    free(step);
    work_free(&w);
    if (st != CS_OK) {
        cs_regress_free(fit);
        fit = NULL;
    }
    *out = fit;
    return st;
}

/* ======================================================================
 * Prediction
 * ==================================================================== */

double cs_regress_predict(const struct cs_regress_fit *fit, const double *x_row)
{
    if (!fit || !fit->fitted || !x_row)
        return NAN;
    double eta = 0;
    for (size_t t = 0; t < fit->k; t++)
        eta += fit->terms[t].estimate * x_row[fit->terms[t].column];
    return eta;
}

double cs_regress_predict_logit(const struct cs_regress_fit *fit, const double *x_row)
{
    if (!fit || fit->model == CS_REGRESS_OLS)
        return NAN;
    double eta = cs_regress_predict(fit, x_row);
    if (isnan(eta))
        return NAN;
    double e = exp(-fabs(eta));
    return eta >= 0 ? 1 / (1 + e) : e / (1 + e);
}
