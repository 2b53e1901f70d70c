/* stattest.c - correlations, Benjamini-Hochberg, the timing chi-square and Wilson intervals. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "compsight/mem.h"
#include "compsight/stattest.h"

/* ======================================================================
 * Ranking
 *
 * Ranks are kept doubled, as integers: twice the average 1-based rank of a
 * tie group of positions i..j (0-based, sorted) is i + j + 2, exact.  Two
 * ways to get them, both O(n) in practice:
 * - few distinct values (0/1 flags, rates of a few tiers, day counts): a
 *   small hash table counts each value, the distinct values are sorted,
 *   and a second pass looks every value's rank up;
 * - otherwise an LSD radix sort of the values' order-preserving bit
 *   patterns with 11-bit digits (6 passes, those where every key has the
 *   same digit skipped), carrying the index.
 * ==================================================================== */

#define HASH_BITS 13
#define HASH_SLOTS (1u << HASH_BITS)
#define HASH_MAX_DISTINCT (HASH_SLOTS / 2)     /* load factor at most 1/2 */
#define RADIX_BITS 11
#define RADIX_PASSES 6                         /* ceil(64 / 11) */
#define RADIX_BUCKETS (1u << RADIX_BITS)

/* Order-preserving map of a finite double to an unsigned key: flipping the
 * sign bit of positives and every bit of negatives makes unsigned order
 * equal numeric order.  -0.0 is first turned into +0.0 so that equal values
 * have equal keys (ties are found by comparing keys).  No finite value maps
 * to 0 (that would be a NaN's pattern), so 0 marks an empty hash slot. */
static uint64_t double_key(double v)
{
    uint64_t u;
    v += 0.0;                 /* -0.0 + 0.0 == +0.0 under round-to-nearest */
    memcpy(&u, &v, sizeof u);
    return (u & UINT64_C(0x8000000000000000)) ? ~u : (u | UINT64_C(0x8000000000000000));
}

static uint32_t hash_slot(uint64_t key)
{
    return (uint32_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - HASH_BITS));
}

/* Scratch of the ranking, grown on demand and reused from pair to pair. */
struct rank_ws {
    size_t cap;
    uint64_t *key, *tkey;
    uint32_t *idx, *tidx;
    size_t *hist;             /* [RADIX_PASSES][RADIX_BUCKETS] */
    uint64_t *hkey;           /* [HASH_SLOTS], 0 = empty */
    uint32_t *hcount;         /* [HASH_SLOTS] values counted, then twice the rank */
    uint64_t *distinct;       /* [HASH_MAX_DISTINCT] keys, to sort */
};

static void rank_ws_free(struct rank_ws *ws)
{
    free(ws->key); free(ws->tkey); free(ws->idx); free(ws->tidx);
    free(ws->hist); free(ws->hkey); free(ws->hcount); free(ws->distinct);
    memset(ws, 0, sizeof *ws);
}

/* The fixed-size tables (hash and radix histograms), allocated once. */
static bool rank_ws_init(struct rank_ws *ws)
{
    if (ws->hist && ws->hkey && ws->hcount && ws->distinct)
        return true;
    free(ws->hist); free(ws->hkey); free(ws->hcount); free(ws->distinct);
    ws->hist = malloc((size_t)RADIX_PASSES * RADIX_BUCKETS * sizeof *ws->hist);
    ws->hkey = calloc(HASH_SLOTS, sizeof *ws->hkey);
    ws->hcount = malloc(HASH_SLOTS * sizeof *ws->hcount);
    ws->distinct = malloc(HASH_MAX_DISTINCT * sizeof *ws->distinct);
    return ws->hist && ws->hkey && ws->hcount && ws->distinct;
}

/* The radix sort's buffers, only when it is needed (24 bytes a value). */
static bool rank_ws_reserve(struct rank_ws *ws, size_t m)
{
    if (m <= ws->cap)
        return true;
    free(ws->key); free(ws->tkey); free(ws->idx); free(ws->tidx);
    ws->key = cs_malloc_big(m, sizeof *ws->key);
    ws->tkey = cs_malloc_big(m, sizeof *ws->tkey);
    ws->idx = cs_malloc_big(m, sizeof *ws->idx);
    ws->tidx = cs_malloc_big(m, sizeof *ws->tidx);
    ws->cap = ws->key && ws->tkey && ws->idx && ws->tidx ? m : 0;
    return ws->cap != 0;
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The hash path: false (nothing written) when v has too many distinct values. */
static bool rank2_hash(const double *v, size_t m, uint32_t *r2, struct rank_ws *ws, bool *ties)
{
    size_t nd = 0;
    bool ok = true;
    for (size_t i = 0; i < m && ok; i++) {
        uint64_t k = double_key(v[i]);
        uint32_t h = hash_slot(k);
        while (ws->hkey[h] && ws->hkey[h] != k)
            h = (h + 1) & (HASH_SLOTS - 1);
        if (!ws->hkey[h]) {
            if (nd == HASH_MAX_DISTINCT) {
                ok = false;
                break;
            }
            ws->hkey[h] = k;
            ws->hcount[h] = 0;
            ws->distinct[nd++] = k;
        }
        ws->hcount[h]++;
    }
    if (ok) {
        qsort(ws->distinct, nd, sizeof *ws->distinct, key_cmp);
        uint32_t before = 0;
        *ties = false;
        for (size_t d = 0; d < nd; d++) {
            uint32_t h = hash_slot(ws->distinct[d]);
            while (ws->hkey[h] != ws->distinct[d])
                h = (h + 1) & (HASH_SLOTS - 1);
            uint32_t t = ws->hcount[h];
            *ties |= t > 1;
            ws->hcount[h] = 2 * before + t + 1;     /* positions before .. before+t-1 */
            before += t;
        }
        for (size_t i = 0; i < m; i++) {
            uint64_t k = double_key(v[i]);
            uint32_t h = hash_slot(k);
            while (ws->hkey[h] != k)
                h = (h + 1) & (HASH_SLOTS - 1);
            r2[i] = ws->hcount[h];
        }
    }
    /* Empty the table for the next use.  The probe looks for the key itself
     * (present until cleared), so clearing in any order is safe. */
    for (size_t d = 0; d < nd; d++) {
        uint32_t h = hash_slot(ws->distinct[d]);
        while (ws->hkey[h] != ws->distinct[d])
            h = (h + 1) & (HASH_SLOTS - 1);
        ws->hkey[h] = 0;
    }
    return ok;
}

/* The radix path: sort (key, index), then walk runs of equal keys. */
static void rank2_radix(const double *v, size_t m, uint32_t *r2, struct rank_ws *ws, bool *ties)
{
    uint64_t *k = ws->key, *tk = ws->tkey;
    uint32_t *ix = ws->idx, *tix = ws->tidx;
    size_t *hist = ws->hist;
    const uint64_t mask = RADIX_BUCKETS - 1;
    memset(hist, 0, (size_t)RADIX_PASSES * RADIX_BUCKETS * sizeof *hist);
    for (size_t i = 0; i < m; i++) {
        uint64_t key = double_key(v[i]);
        k[i] = key;
        ix[i] = (uint32_t)i;
        for (int p = 0; p < RADIX_PASSES; p++)
            hist[(size_t)p * RADIX_BUCKETS + ((key >> (RADIX_BITS * p)) & mask)]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = hist + (size_t)p * RADIX_BUCKETS;
        if (c[(k[0] >> (RADIX_BITS * p)) & mask] == m)
            continue;                       /* every key has this digit */
        size_t sum = 0;
        for (size_t b = 0; b < RADIX_BUCKETS; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < m; i++) {
            size_t o = c[(k[i] >> (RADIX_BITS * p)) & mask]++;
            tk[o] = k[i];
            tix[o] = ix[i];
        }
        uint64_t *sk = k; k = tk; tk = sk;
        uint32_t *si = ix; ix = tix; tix = si;
    }
    *ties = false;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j + 1 < m && k[j + 1] == k[i])
            j++;
        *ties |= j > i;
        uint32_t r = (uint32_t)(i + j + 2);
        for (size_t q = i; q <= j; q++)
            r2[ix[q]] = r;
        i = j + 1;
    }
}

/* Twice the average ranks of v[0..m) into r2, whether there are ties, and
 * whether the radix sort was needed; false when out of memory.
 * rank_ws_init must have succeeded. */
static bool rank2(const double *v, size_t m, uint32_t *r2, struct rank_ws *ws, bool *ties,
                  bool *sorted)
{
    *sorted = false;
    if (rank2_hash(v, m, r2, ws, ties))
        return true;
    if (!rank_ws_reserve(ws, m))
        return false;
    rank2_radix(v, m, r2, ws, ties);
    *sorted = true;
    return true;
}

/* ======================================================================
 * Correlations
 * ==================================================================== */

/* |r| this close to 1 is taken as exactly 1 */
#define PERFECT_TOL (8.0 * DBL_EPSILON)

static double clamp_r(double r)
{
    /* An exact linear relation comes out a few ulps short of 1 or not,
     * depending on the platform's long double; it is 1. */
    if (r >= 1.0 - PERFECT_TOL)
        return 1.0;
    if (r <= -1.0 + PERFECT_TOL)
        return -1.0;
    return r;
}

/*
 * Pearson r of x and y (n >= 2, neither constant) about the means mx, my,
 * clamped to [-1, 1].  Long double sums, as R's cov.c; R also corrects the
 * mean with a second pass, which moves r by less than 1e-16 here (an error
 * e in the mean changes the centred sums by n e^2 only) and is left out.
 */
static double pearson_r(const double *x, const double *y, size_t n, long double mx, long double my)
{
    long double sxx = 0.0L, syy = 0.0L, sxy = 0.0L;
    for (size_t i = 0; i < n; i++) {
        long double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (!(sxx > 0.0L) || !(syy > 0.0L))
        return NAN;
    return clamp_r((double)(sxy / (sqrtl(sxx) * sqrtl(syy))));
}

/* Pearson r of doubled ranks: their mean is exactly m + 1 (ranks sum to
 * m(m+1)/2 with or without ties), so one pass; with a 64-bit long double
 * mantissa the sums are exact up to a few million pairs. */
static double rank_pearson(const uint32_t *rx, const uint32_t *ry, size_t m)
{
    long double mean = (long double)m + 1.0L;
    long double sxx = 0.0L, syy = 0.0L, sxy = 0.0L;
    for (size_t i = 0; i < m; i++) {
        long double dx = (long double)rx[i] - mean, dy = (long double)ry[i] - mean;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (!(sxx > 0.0L) || !(syy > 0.0L))
        return NAN;
    return clamp_r((double)(sxy / (sqrtl(sxx) * sqrtl(syy))));
}

/* Two-sided p of t = r sqrt(df / (1 - r^2)) on df = n - 2 degrees of freedom. */
static double corr_p(double r, size_t n)
{
    if (isnan(r) || n < 3)
        return NAN;
    if (fabs(r) >= 1.0)
        return 0.0;
    double df = (double)(n - 2);
    double t = r * sqrt(df / (1.0 - r * r));
    double p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
    if (!(p >= 0.0))
        return NAN;
    return p > 1.0 ? 1.0 : p;
}

const char *cs_corr_reason_text(enum cs_corr_reason reason)
{
    switch (reason) {
    case CS_CORR_OK:       return "ok";
    case CS_CORR_TOO_FEW:  return "fewer than 3 complete pairs";
    case CS_CORR_CONST_X:  return "x is constant over the complete pairs";
    case CS_CORR_CONST_Y:  return "y is constant over the complete pairs";
    case CS_CORR_CONST_XY: return "x and y are constant over the complete pairs";
    }
    return "unknown reason";
}

/* One input array and, in a table, its ranks over all its finite values,
 * reused by every pair whose complete cases are exactly those.  Only ranks
 * that needed the radix sort are kept: counting ranks are cheaper to redo
 * than the fresh memory a cache costs. */
struct corr_var {
    const double *v;
    size_t finite;            /* finite values; SIZE_MAX until counted */
    uint32_t *r2;             /* cached doubled ranks in index order, or NULL */
    bool ties;
    bool counted_ranks;       /* its full ranks came from counting: no cache */
};

/* Scratch of a pair, reused across pairs. */
struct corr_scratch {
    size_t cap;
    double *cx, *cy;          /* complete cases, when some pairs are incomplete */
    uint32_t *rx, *ry;
    struct rank_ws ws;
};

static void scratch_free(struct corr_scratch *s)
{
    free(s->cx); free(s->cy); free(s->rx); free(s->ry);
    rank_ws_free(&s->ws);
    memset(s, 0, sizeof *s);
}

static bool scratch_reserve(struct corr_scratch *s, size_t m, bool compact)
{
    if (!rank_ws_init(&s->ws))
        return false;
    if (m > s->cap) {
        free(s->rx); free(s->ry);
        s->rx = cs_malloc_big(m, sizeof *s->rx);
        s->ry = cs_malloc_big(m, sizeof *s->ry);
        s->cap = s->rx && s->ry ? m : 0;
        free(s->cx); free(s->cy);
        s->cx = s->cy = NULL;
    }
    if (!s->cap)
        return false;
    if (compact && !s->cx) {
        s->cx = cs_malloc_big(s->cap, sizeof *s->cx);
        s->cy = cs_malloc_big(s->cap, sizeof *s->cy);
    }
    return !compact || (s->cx && s->cy);
}

static size_t count_finite(const double *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += isfinite(v[i]) != 0;
    return k;
}

/*
 * Ranks of the complete cases cv[0..m) of var: the cached ranks when the
 * complete cases are all of var's finite values (cache on), else computed
 * into buf.  Returns the array to use and sets *ties; NULL when out of
 * memory.
 */
static const uint32_t *pair_ranks(struct corr_var *var, size_t n, bool cache, const double *cv,
                                  size_t m, uint32_t *buf, struct rank_ws *ws, bool *ties)
{
    bool sorted;
    if (cache) {
        if (var->finite == SIZE_MAX)
            var->finite = count_finite(var->v, n);
        if (m == var->finite && var->r2) {
            *ties = var->ties;
            return var->r2;
        }
        if (m == var->finite && !var->counted_ranks) {
            if (!rank2(cv, m, buf, ws, ties, &sorted))
                return NULL;
            if (sorted) {
                var->r2 = cs_malloc_big(m, sizeof *var->r2);
                if (!var->r2)
                    return NULL;
                memcpy(var->r2, buf, m * sizeof *buf);
                var->ties = *ties;
            } else {
                var->counted_ranks = true;
            }
            return buf;
        }
    }
    return rank2(cv, m, buf, ws, ties, &sorted) ? buf : NULL;
}

static enum cs_status corr_pair(struct corr_var *X, struct corr_var *Y, size_t n, bool cache,
                                struct corr_scratch *s, struct cs_corr *out, struct cs_error *err)
{
    out->n = 0;
    out->pearson = out->pearson_p = out->spearman = out->spearman_p = NAN;
    out->ties = false;
    out->reason = CS_CORR_TOO_FEW;

    /* One read-only pass: complete cases and their sums. */
    const double *x = X->v, *y = Y->v;
    size_t m = 0;
    long double sx = 0.0L, sy = 0.0L;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i]) && isfinite(y[i])) {
            m++;
            sx += x[i];
            sy += y[i];
        }
    }
    out->n = m;
    if (m < 3)
        return CS_OK;
    if (!scratch_reserve(s, m, m < n))
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "correlation: %zu pairs", m);

    /* The complete cases: the arrays themselves when every pair is complete. */
    const double *vx = x, *vy = y;
    if (m < n) {
        for (size_t i = 0, k = 0; i < n; i++) {
            if (!(isfinite(x[i]) && isfinite(y[i])))
                continue;
            s->cx[k] = x[i];
            s->cy[k] = y[i];
            k++;
        }
        vx = s->cx;
        vy = s->cy;
    }
    bool xvar = false, yvar = false;
    for (size_t k = 1; k < m && !(xvar && yvar); k++) {
        xvar |= vx[k] != vx[0];
        yvar |= vy[k] != vy[0];
    }
    if (!xvar || !yvar) {
        out->reason = !xvar && !yvar ? CS_CORR_CONST_XY : !xvar ? CS_CORR_CONST_X : CS_CORR_CONST_Y;
        out->ties = true;
        return CS_OK;
    }
    out->reason = CS_CORR_OK;
    out->pearson = pearson_r(vx, vy, m, sx / (long double)m, sy / (long double)m);
    out->pearson_p = corr_p(out->pearson, m);

    bool tx = false, ty = false;
    const uint32_t *rx = pair_ranks(X, n, cache, vx, m, s->rx, &s->ws, &tx);
    const uint32_t *ry = rx ? pair_ranks(Y, n, cache, vy, m, s->ry, &s->ws, &ty) : NULL;
    if (!rx || !ry)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "correlation: ranks of %zu values", m);
    out->ties = tx || ty;
    out->spearman = rank_pearson(rx, ry, m);
    out->spearman_p = corr_p(out->spearman, m);
    return CS_OK;
}

enum cs_status cs_corr(const double *x, const double *y, size_t n,
                       struct cs_corr *out, struct cs_error *err)
{
    if (!out || (n > 0 && (!x || !y)))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_corr: NULL argument");
    if (n > CS_CORR_MAX_N)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "cs_corr: %zu pairs is more than %lu", n, (unsigned long)CS_CORR_MAX_N);
    struct corr_var X = {x, SIZE_MAX, NULL, false, false}, Y = {y, SIZE_MAX, NULL, false, false};
    struct corr_scratch s = {0};
    enum cs_status st = corr_pair(&X, &Y, n, false, &s, out, err);
    scratch_free(&s);
    return st;
}

/*
 * The grid of cs_corr_table and cs_corr_table_fill: x[i] is read from xs
 * when given, else fill writes it into one buffer, column after column.
 * The y arrays' cached ranks serve every x; an x's, only its own row.
 */
static enum cs_status corr_grid(const double *const *xs, size_t nx, cs_corr_fill_fn fill,
                                void *ctx, const double *const *y, size_t ny, size_t n,
                                struct cs_corr *out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct corr_scratch s = {0};
    struct corr_var *yv = calloc(ny ? ny : 1, sizeof *yv);
    double *xbuf = xs || nx == 0 ? NULL : cs_malloc_big(n ? n : 1, sizeof *xbuf);
    if (!yv || (!xs && nx && !xbuf)) {
        free(yv);
        free(xbuf);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "correlations of %zu values", n);
    }
    for (size_t j = 0; j < ny; j++)
        yv[j] = (struct corr_var){y[j], SIZE_MAX, NULL, false, false};
    for (size_t i = 0; i < nx && st == CS_OK; i++) {
        if (!xs)
            fill(i, xbuf, ctx);
        struct corr_var xv = {xs ? xs[i] : xbuf, SIZE_MAX, NULL, false, false};
        for (size_t j = 0; j < ny && st == CS_OK; j++)
            st = corr_pair(&xv, &yv[j], n, true, &s, &out[i * ny + j], err);
        free(xv.r2);
    }
    for (size_t j = 0; j < ny; j++)
        free(yv[j].r2);
    free(yv);
    free(xbuf);
    scratch_free(&s);
    return st;
}

enum cs_status cs_corr_table(const double *const *x, size_t nx, const double *const *y, size_t ny,
                             size_t n, struct cs_corr *out, struct cs_error *err)
{
    if ((nx && ny && !out) || (nx && !x) || (ny && !y))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_corr_table: NULL argument");
    for (size_t i = 0; i < nx + ny; i++)
        if (n > 0 && !(i < nx ? x[i] : y[i - nx]))
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "cs_corr_table: %s[%zu] is NULL", i < nx ? "x" : "y",
                                i < nx ? i : i - nx);
    if (n > CS_CORR_MAX_N)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "cs_corr_table: %zu pairs is more than %lu", n,
                            (unsigned long)CS_CORR_MAX_N);
    return corr_grid(x, nx, NULL, NULL, y, ny, n, out, err);
}

enum cs_status cs_corr_table_fill(size_t nx, cs_corr_fill_fn fill, void *ctx,
                                  const double *const *y, size_t ny, size_t n,
                                  struct cs_corr *out, struct cs_error *err)
{
    if ((nx && ny && !out) || (nx && !fill) || (ny && !y))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_corr_table_fill: NULL argument");
    for (size_t j = 0; j < ny; j++)
        if (n > 0 && !y[j])
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "cs_corr_table_fill: y[%zu] is NULL", j);
    if (n > CS_CORR_MAX_N)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "cs_corr_table_fill: %zu pairs is more than %lu", n,
                            (unsigned long)CS_CORR_MAX_N);
    return corr_grid(NULL, nx, fill, ctx, y, ny, n, out, err);
}

/* ======================================================================
 * Benjamini-Hochberg
 * ==================================================================== */

struct pv {
    double p;
    size_t i;
};

/* Ascending p, then index, so that the order (and the result) is defined. */
static int pv_cmp(const void *a, const void *b)
{
    const struct pv *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

enum cs_status cs_bh(const double *p, size_t m, double *q, struct cs_error *err)
{
    if (m > 0 && (!p || !q))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_bh: NULL argument");
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (isnan(p[i]))
            continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                                "cs_bh: p-value %zu is %g, outside [0, 1]", i, p[i]);
        k++;
    }
    struct pv *v = malloc((k ? k : 1) * sizeof *v);
    if (!v)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "cs_bh: %zu p-values", k);
    for (size_t i = 0, j = 0; i < m; i++)
        if (!isnan(p[i]))
            v[j++] = (struct pv){p[i], i};
    qsort(v, k, sizeof *v, pv_cmp);
    for (size_t i = 0; i < m; i++)
        if (isnan(p[i]))
            q[i] = NAN;
    /* From the largest p down: running minimum of k/j * p_(j), capped at 1
     * (p.adjust: pmin(1, cummin(n/i * p[o])) with o decreasing). */
    double run = INFINITY;
    for (size_t j = k; j-- > 0;) {
        double a = (double)k / (double)(j + 1) * v[j].p;
        if (a < run)
            run = a;
        q[v[j].i] = run < 1.0 ? run : 1.0;
    }
    free(v);
    return CS_OK;
}

/* ======================================================================
 * Timing
 * ==================================================================== */

const char *cs_timing_reason_text(enum cs_timing_reason reason)
{
    switch (reason) {
    case CS_TIMING_OK:      return "ok";
    case CS_TIMING_EMPTY:   return "no deal with a valid period and day";
    case CS_TIMING_ONE_BIN: return "every period fits in one week: no chi-square test";
    }
    return "unknown reason";
}

void cs_timing_free(struct cs_timing *t)
{
    if (!t)
        return;
    free(t->observed);
    free(t->expected);
    free(t);
}

static bool timing_row_ok(double amount, int32_t L, int32_t d)
{
    return L >= 1 && L <= CS_TIMING_MAX_DAYS && d >= 0 && d < L && isfinite(amount) && amount >= 0.0;
}

enum cs_status cs_timing(const double *amount, const int32_t *period_days,
                         const int32_t *day_of_period, const uint8_t *sel, size_t n,
                         struct cs_timing **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_timing *t = NULL;
    size_t *by_len = NULL;           /* deals per period length L */

    if (out)
        *out = NULL;
    if (!out || (n > 0 && (!amount || !period_days || !day_of_period)))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_timing: NULL argument");
    t = calloc(1, sizeof *t);
    if (!t) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "cs_timing");
        goto out;
    }
    t->last14_share = t->expected_share = NAN;
    t->last14_deal_share = t->expected_deal_share = NAN;
    t->chi2 = t->p = NAN;
    t->reason = CS_TIMING_EMPTY;

    int32_t maxlen = 0;
    for (size_t i = 0; i < n; i++) {
        if (sel && !sel[i])
            continue;
        if (!timing_row_ok(amount[i], period_days[i], day_of_period[i])) {
            t->n_invalid++;
            continue;
        }
        t->n++;
        if (period_days[i] > maxlen)
            maxlen = period_days[i];
    }
    t->n_bins = ((size_t)maxlen + 6) / 7;
    /* at least one element each, so that an empty result still owns arrays */
    t->observed = calloc(t->n_bins ? t->n_bins : 1, sizeof *t->observed);
    t->expected = calloc(t->n_bins ? t->n_bins : 1, sizeof *t->expected);
    by_len = calloc((size_t)maxlen + 1, sizeof *by_len);
    if (!t->observed || !t->expected || !by_len) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "cs_timing: %zu bins", t->n_bins);
        goto out;
    }
    if (t->n == 0)
        goto done;

    /* One pass over the deals: bookings, counts per bin, counts per length.
     * Sums are plain doubles in row order. */
    double total = 0.0, last = 0.0, expect = 0.0, deal_expect = 0.0;
    size_t last_deals = 0;
    for (size_t i = 0; i < n; i++) {
        if (sel && !sel[i])
            continue;
        int32_t L = period_days[i], d = day_of_period[i];
        if (!timing_row_ok(amount[i], L, d))
            continue;
        double a = amount[i];
        double tail = (L < 14 ? (double)L : 14.0) / (double)L;
        total += a;
        expect += a * tail;
        deal_expect += tail;
        if (d >= L - 14) {
            last += a;
            last_deals++;
        }
        t->observed[d / 7] += 1.0;
        by_len[L]++;
    }
    t->amount_total = total;
    if (total > 0.0) {
        t->last14_share = last / total;
        t->expected_share = expect / total;
    }
    t->last14_deal_share = (double)last_deals / (double)t->n;
    t->expected_deal_share = deal_expect / (double)t->n;

    /* Expected count of bin i: sum over lengths L of deals(L) * (days of a
     * period of length L in bin i) / L, so O(bins * distinct lengths). */
    for (int32_t L = 1; L <= maxlen; L++) {
        if (!by_len[L])
            continue;
        double c = (double)by_len[L];
        for (size_t i = 0; 7 * (int64_t)i < L; i++) {
            int32_t lo = (int32_t)(7 * i), hi = lo + 7 < L ? lo + 7 : L;
            t->expected[i] += c * (double)(hi - lo) / (double)L;
        }
    }

    double chi2 = 0.0;
    for (size_t i = 0; i < t->n_bins; i++) {
        double e = t->expected[i];
        if (!(e > 0.0))
            continue;
        t->bins_used++;
        if (e < CS_TIMING_SMALL_EXPECTED)
            t->n_small_expected++;
        double dlt = t->observed[i] - e;
        chi2 += dlt * dlt / e;
    }
    if (t->bins_used < 2) {
        t->reason = CS_TIMING_ONE_BIN;
        t->df = 0;
        goto done;
    }
    t->reason = CS_TIMING_OK;
    t->df = (int)(t->bins_used - 1);
    t->chi2 = chi2;
    t->p = gsl_cdf_chisq_Q(chi2, (double)t->df);
    if (!(t->p >= 0.0 && t->p <= 1.0)) {
        st = cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                          "cs_timing: chi-square p-value failed (chi2 %g, df %d)", chi2, t->df);
        goto out;
    }

done:
    *out = t;
    t = NULL;
out:
    free(by_len);
    cs_timing_free(t);
    return st;
}

/* ======================================================================
 * Wilson interval
 * ==================================================================== */

enum cs_status cs_wilson(size_t k, size_t n, struct cs_wilson *out, struct cs_error *err)
{
    if (!out)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_wilson: NULL argument");
    if (k > n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "cs_wilson: %zu successes of %zu", k, n);
    if (n == 0) {
        *out = (struct cs_wilson){NAN, NAN, NAN, true};
        return CS_OK;
    }
    const double z = CS_Z95, z2 = z * z;
    double dk = (double)k, dn = (double)n;
    double centre = (dk + z2 / 2.0) / (dn + z2);
    double half = z * sqrt(dk * (dn - dk) / dn + z2 / 4.0) / (dn + z2);
    double lo = centre - half, hi = centre + half;
    if (k == 0 || lo < 0.0)
        lo = 0.0;
    if (k == n || hi > 1.0)
        hi = 1.0;
    *out = (struct cs_wilson){dk / dn, lo, hi, false};
    return CS_OK;
}
