/* clogit_stratum.c - one stratum's exact conditional log-likelihood, score and information: a tilted Poisson-binomial recursion that cannot overflow. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "clogit_stratum.h"

#define WHOLE_MAX (1u << 18)    /* doubles of a stratum's backward table kept whole (2 MiB);
                                   beyond, checkpoints every sqrt(n) rows */
#define TILT_MAX_ITER 200
#define PREFETCH_AHEAD 16       /* rows gathered ahead of use */

/*
 * The method.  For a stratum of n rows with m events and q_i =
 * expit(eta_i + tau), the count K of events among independent
 * Bernoulli(q_i) rows has P(K = m) = e_m(w) e^{m tau} / prod(1 + w_i e^tau),
 * w_i = exp(eta_i), so the conditional likelihood exp(sum_{y=1} eta_i) /
 * e_m(w) is P(delta = y) / P(K = m), whatever tau.  tau is chosen so that
 * E K is near m: then P(K = m) cannot underflow, and the recursions below
 * are convex combinations of probabilities, so nothing overflows however
 * large |eta| is.  The score is sum (y_i - pi_i) x_i with pi_i = P(row i
 * an event | K = m); the information is the covariance of S = sum of x
 * over the event rows given K = m.
 */

/*
 * Two doubles as one SSE2 register (GCC and clang vector extensions, the
 * x86-64 baseline): the term loops of the recursion work on pairs of
 * terms.  Each lane's arithmetic is the scalar arithmetic, so results do
 * not depend on the vector width.  Loads and stores through memcpy: no
 * alignment assumed.
 */
typedef double v2d __attribute__((vector_size(16)));

/* The loops over pairs of terms have a constant count where it matters
 * (rows_P below): unrolled, the accumulators stay in registers. */
#define UNROLL _Pragma("GCC unroll 8")

static inline v2d v2d_load(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v2d_store(double *p, v2d v)
{
    memcpy(p, &v, sizeof v);
}

/* ======================================================================
 * Layout and workspace
 * ==================================================================== */

void cs_clogit_stratum_layout(struct cs_clogit_stratum *s, struct cs_clogit_data *dt)
{
    size_t mb1 = s->m + 1;
    s->block = s->n * mb1 <= WHOLE_MAX ? s->n : (size_t)ceil(sqrt((double)s->n));
    size_t nblocks = (s->n + s->block - 1) / s->block;
    size_t ck = nblocks > 1 ? (nblocks - 1) * (mb1 + 1) : 0;
    size_t blk = s->block * (mb1 + 1);
    dt->n_max = s->n > dt->n_max ? s->n : dt->n_max;
    dt->m_max = s->m > dt->m_max ? s->m : dt->m_max;
    dt->ck_max = ck > dt->ck_max ? ck : dt->ck_max;
    dt->blk_max = blk > dt->blk_max ? blk : dt->blk_max;
}

void cs_clogit_ws_free(struct cs_clogit_ws *w)
{
    free(w->eta);
    free(w->q);
    free(w->oq);
    free(w->ez);
    free(w->xs);
    free(w->wv);
    free(w->F0);
    free(w->F1);
    free(w->bw);
    free(w->ck);
    free(w->blk);
    memset(w, 0, sizeof *w);
}

int cs_clogit_ws_alloc(struct cs_clogit_ws *w, const struct cs_clogit_data *dt)
{
    size_t n = dt->n_max ? dt->n_max : 1, m2 = dt->m_max + 2, P = dt->P ? dt->P : 1;
    w->eta = malloc(n * sizeof *w->eta);
    w->q = malloc(n * sizeof *w->q);
    w->oq = malloc(n * sizeof *w->oq);
    w->ez = malloc(n * sizeof *w->ez);
    w->xs = malloc(n * P * sizeof *w->xs);
    w->wv = malloc(n * P * sizeof *w->wv);
    w->F0 = malloc(m2 * sizeof *w->F0);
    w->F1 = malloc(m2 * P * sizeof *w->F1);
    w->bw = malloc(m2 * sizeof *w->bw);
    w->ck = malloc((dt->ck_max ? dt->ck_max : 1) * sizeof *w->ck);
    w->blk = cs_malloc_big(dt->blk_max ? dt->blk_max : 1, sizeof *w->blk);
    return w->eta && w->q && w->oq && w->ez && w->xs && w->wv && w->F0 && w->F1 && w->bw && w->ck &&
                   w->blk
               ? 0 : -1;
}

/* ======================================================================
 * The tilt: q_i, the log-likelihood's independent part
 * ==================================================================== */

/* Products of factors in [1, 2] kept as mantissa * 2^e: one log at the end. */
struct logprod {
    double m;
    long e;
};

static inline void logprod_mul(struct logprod *lp, double f)
{
    lp->m *= f;
    if (lp->m > 0x1p900) {
        int e;
        lp->m = frexp(lp->m, &e);
        lp->e += e;
    }
}

/*
 * q_i = expit(eta_i + tau) and 1 - q_i without cancellation, over the
 * stratum, and ez_i = exp(-|eta_i + tau|); returns sum q_i and *var =
 * sum q_i (1 - q_i).
 */
static double tilt_pass(const double *eta, size_t n, double tau, double *q, double *oq, double *ez,
                        double *var)
{
    double mu = 0, v = 0;
    for (size_t i = 0; i < n; i++) {
        double z = eta[i] + tau;
        double e = exp(-fabs(z));
        double big = 1 / (1 + e), small = e * big;
        ez[i] = e;
        q[i] = z >= 0 ? big : small;
        oq[i] = z >= 0 ? small : big;
        mu += q[i];
        v += q[i] * oq[i];
    }
    *var = v;
    return mu;
}

/*
 * Choose tau so that the expected count sum q_i is within 1 + 2 sd of m:
 * then P(K = m) is not small enough to underflow.  Newton on tau inside a
 * bracket (sum q_i is increasing in tau), bisection when Newton leaves it.
 */
static double choose_tilt(const double *eta, size_t n, size_t m, double *q, double *oq, double *ez)
{
    double lo_eta = eta[0], hi_eta = eta[0], sum = 0;
    for (size_t i = 0; i < n; i++) {
        lo_eta = fmin(lo_eta, eta[i]);
        hi_eta = fmax(hi_eta, eta[i]);
        sum += eta[i];
    }
    double lo = -hi_eta - 40, hi = -lo_eta + 40;       /* sum q < m at lo, > m at hi */
    double tau = log((double)m / (double)(n - m)) - sum / (double)n;
    if (!(tau > lo && tau < hi))
        tau = 0.5 * (lo + hi);
    for (int it = 0; it < TILT_MAX_ITER; it++) {
        double var, f = tilt_pass(eta, n, tau, q, oq, ez, &var) - (double)m;
        if (fabs(f) <= 1 + 2 * sqrt(var))
            break;
        if (f < 0)
            lo = tau;
        else
            hi = tau;
        double next = var > 0 ? tau - f / var : NAN;
        tau = next > lo && next < hi ? next : 0.5 * (lo + hi);
    }
    return tau;
}

/* ======================================================================
 * The recursion: backward arrays, forward moments
 * ==================================================================== */

/*
 * Backward arrays: B_j(k) = P(k events among rows j..n-1), index k + 1
 * (index 0 is a zero sentinel for k = -1), needed for k in
 * [max(0, m - j), min(m - 1, n - j)].  One step takes B_{j+1} to B_j.
 */
static inline void back_step(double *B, size_t j, size_t n, size_t m, double q, double oq)
{
    size_t lo = m > j ? m - j : 0, hi = m - 1 < n - j ? m - 1 : n - j;
    for (size_t k = hi + 1; k-- > lo;)
        B[k + 1] = oq * B[k + 1] + q * B[k];
}

static inline void back_band(size_t j, size_t n, size_t m, size_t *lo, size_t *hi)
{
    *lo = m > j ? m - j : 0;
    *hi = m - 1 < n - j ? m - 1 : n - j;
}

/*
 * The same step from one stored array to another: src holds B_{j+1} on
 * its band only (nothing else of it is read), dst receives B_j on its
 * band.  B_{j+1} is 0 below its band only at k = -1 and above it only at
 * k = n - j; the two ends are written apart, the rest is one vector loop.
 */
static inline void back_step_to(const double *restrict src, double *restrict dst, size_t j,
                                size_t n, size_t m, double q, double oq)
{
    size_t lo, hi, lo1, hi1;
    back_band(j, n, m, &lo, &hi);
    back_band(j + 1, n, m, &lo1, &hi1);
    size_t a = lo, b = hi;                      /* the part with both neighbours stored */
    if (lo == 0 && lo1 == 0) {                  /* k = 0: B_{j+1}(-1) = 0 */
        dst[1] = oq * src[1];
        a = 1;
    }
    if (hi > hi1) {                             /* k = n - j: B_{j+1}(n - j) = 0 */
        dst[hi + 1] = q * src[hi];
        b = hi - 1;
    }
    if (a > b)
        return;
    const v2d qv = {q, q}, oqv = {oq, oq};
    size_t k = a;
    for (; k + 1 <= b; k += 2)
        v2d_store(dst + k + 1, oqv * v2d_load(src + k + 1) + qv * v2d_load(src + k));
    for (; k <= b; k++)
        dst[k + 1] = oq * src[k + 1] + q * src[k];
}

/*
 * The rows s..e-1 of a stratum, given B_{i+1} for each (blk row i - s):
 * combine, then add the row to the forward arrays.  With F_i(k) = P(k
 * events among rows < i) and F1_i(k) = E[S_{<i}; K_{<i} = k] (index k + 1,
 * F1 with stride P), unnormalised by P(K = m):
 *   pi_i = q_i sum_k F_i(k) B_{i+1}(m-1-k)        P(row i an event | K = m)
 *   v_i  = q_i sum_k F1_i(k) B_{i+1}(m-1-k)       E[delta_i S_{<i} | K = m]
 * and E[S S'] = A + A', A = sum_i x_i w_i', w_i = v_i + pi_i x_i / 2.  The
 * combine runs over k in [max(0, m - n + i), min(i, m - 1)], the forward
 * step over [max(0, m - n + i + 1), min(i + 1, m)]: one loop, descending,
 * reads each F(k) before the step overwrites it.  Inlined with P a
 * constant (rows_P below), so that the term loops unroll and vectorise.
 */
static inline __attribute__((always_inline)) void
rows_kernel(const size_t P, size_t s, size_t e, size_t n, size_t m, const double *restrict xs,
            const double *restrict q, const double *restrict oq, const double *restrict blk,
            size_t bstride, double *restrict F0, double *restrict F1, double *restrict mu,
            double *restrict wv)
{
    const size_t H = P / 2;                     /* pairs of terms (P is even) */
    v2d s1[CS_REGRESS_MAX_TERMS / 2], xv[CS_REGRESS_MAX_TERMS / 2];
    for (size_t i = s; i < e; i++) {
        const double *restrict Bi = blk + (i - s) * bstride;    /* B_{i+1}, index k + 1 */
        const double qi = q[i], oqi = oq[i];
        const v2d qv = {qi, qi}, oqv = {oqi, oqi};
        size_t lo = m + i > n ? m + i - n : 0, hi = i < m - 1 ? i : m - 1;
        size_t flo = lo + (m + i >= n);
        double s0 = 0;
        UNROLL
        for (size_t h = 0; h < H; h++) {
            xv[h] = v2d_load(xs + i * P + 2 * h);
            s1[h] = (v2d){0, 0};
        }
        /* k = hi + 1: the forward step only */
        {
            size_t k = hi + 1;
            double *f1 = F1 + (k + 1) * P;
            const double *f1m = F1 + k * P;
            double c0 = qi * F0[k];
            const v2d cv = {c0, c0};
            UNROLL
        for (size_t h = 0; h < H; h++)
                v2d_store(f1 + 2 * h, oqv * v2d_load(f1 + 2 * h) + qv * v2d_load(f1m + 2 * h) + cv * xv[h]);
            F0[k + 1] = oqi * F0[k + 1] + c0;
        }
        for (size_t k = hi + 1; k-- > flo;) {
            double *f1 = F1 + (k + 1) * P;
            const double *f1m = F1 + k * P;
            double bk = Bi[m - k];                               /* B_{i+1}(m - 1 - k) */
            double c0 = qi * F0[k];
            const v2d bv = {bk, bk}, cv = {c0, c0};
            s0 += F0[k + 1] * bk;
            UNROLL
        for (size_t h = 0; h < H; h++) {
                v2d f = v2d_load(f1 + 2 * h);
                s1[h] += f * bv;
                v2d_store(f1 + 2 * h, oqv * f + qv * v2d_load(f1m + 2 * h) + cv * xv[h]);
            }
            F0[k + 1] = oqi * F0[k + 1] + c0;
        }
        if (lo < flo) {                                          /* k = lo: the combine only */
            double bk = Bi[m - lo];
            const v2d bv = {bk, bk};
            const double *f1 = F1 + (lo + 1) * P;
            s0 += F0[lo + 1] * bk;
            UNROLL
        for (size_t h = 0; h < H; h++)
                s1[h] += v2d_load(f1 + 2 * h) * bv;
        }
        double pi = qi * s0;
        const v2d piv = {pi, pi}, half = {0.5 * pi, 0.5 * pi};
        UNROLL
        for (size_t h = 0; h < H; h++) {
            v2d_store(mu + 2 * h, v2d_load(mu + 2 * h) + piv * xv[h]);
            v2d_store(wv + i * P + 2 * h, qv * s1[h] + half * xv[h]);   /* w_i */
        }
    }
}

/*
 * A += sum over the stratum's rows of x_i w_i' (P x P), two rows of A at a
 * time with their sums in registers: each element is summed over i in
 * order from 0, as adding x_i w_i' to a zero A row by row would (the
 * same bits), with a quarter of the loads and no stores in the loop.
 */
static inline __attribute__((always_inline)) void
xtw_kernel(const size_t P, size_t n, const double *restrict xs, const double *restrict wv,
           double *restrict A)
{
    const size_t H = P / 2;
    for (size_t a = 0; a < P; a += 2) {
        v2d s0[CS_REGRESS_MAX_TERMS / 2], s1[CS_REGRESS_MAX_TERMS / 2];
        UNROLL
        for (size_t h = 0; h < H; h++)
            s0[h] = s1[h] = (v2d){0, 0};
        for (size_t i = 0; i < n; i++) {
            const v2d x0 = {xs[i * P + a], xs[i * P + a]}, x1 = {xs[i * P + a + 1], xs[i * P + a + 1]};
            UNROLL
            for (size_t h = 0; h < H; h++) {
                v2d w = v2d_load(wv + i * P + 2 * h);
                s0[h] += x0 * w;
                s1[h] += x1 * w;
            }
        }
        UNROLL
        for (size_t h = 0; h < H; h++) {
            v2d_store(A + a * P + 2 * h, v2d_load(A + a * P + 2 * h) + s0[h]);
            v2d_store(A + (a + 1) * P + 2 * h, v2d_load(A + (a + 1) * P + 2 * h) + s1[h]);
        }
    }
}

#define ROWS_P(PP) \
    static void rows_##PP(size_t s, size_t e, size_t n, size_t m, const double *xs, const double *q, \
                          const double *oq, const double *blk, size_t bstride, double *F0,            \
                          double *F1, double *mu, double *wv)                                        \
    {                                                                                                \
        rows_kernel(PP, s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv);                        \
    }                                                                                                \
    static void xtw_##PP(size_t n, const double *xs, const double *wv, double *A)                    \
    {                                                                                                \
        xtw_kernel(PP, n, xs, wv, A);                                                                \
    }
ROWS_P(2)
ROWS_P(4)
ROWS_P(6)
ROWS_P(8)
ROWS_P(10)
ROWS_P(12)

static void rows_any(size_t P, size_t s, size_t e, size_t n, size_t m, const double *xs,
                     const double *q, const double *oq, const double *blk, size_t bstride,
                     double *F0, double *F1, double *mu, double *wv)
{
    switch (P) {
    case 2: rows_2(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    case 4: rows_4(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    case 6: rows_6(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    case 8: rows_8(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    case 10: rows_10(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    case 12: rows_12(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    default: rows_kernel(P, s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, wv); break;
    }
}

static void xtw_any(size_t P, size_t n, const double *xs, const double *wv, double *A)
{
    switch (P) {
    case 2: xtw_2(n, xs, wv, A); break;
    case 4: xtw_4(n, xs, wv, A); break;
    case 6: xtw_6(n, xs, wv, A); break;
    case 8: xtw_8(n, xs, wv, A); break;
    case 10: xtw_10(n, xs, wv, A); break;
    case 12: xtw_12(n, xs, wv, A); break;
    default: xtw_kernel(P, n, xs, wv, A); break;
    }
}

/* ======================================================================
 * One stratum
 * ==================================================================== */

/*
 * The stratum's rows into w->xs: centred on the stratum's means, mirrored,
 * padded with zeros to P.  In a design not grouped by stratum they are
 * read at random, so the rows a few ahead (into the next strata too) are
 * fetched early.
 */
static void gather(const struct cs_clogit_data *dt, size_t t, struct cs_clogit_ws *w)
{
    const struct cs_clogit_stratum *st = &dt->s[t];
    size_t n = st->n, P = dt->P, p = dt->p, S = dt->stride;
    const size_t *rows = dt->order + st->start;
    const double *mean = dt->mean + t * P;
    for (size_t i = 0; i < n; i++) {
        if (st->start + i + PREFETCH_AHEAD < dt->rows) {
            const double *ahead = dt->x + rows[i + PREFETCH_AHEAD] * S;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + S - 1);
        }
        const double *xi = dt->x + rows[i] * S;
        double *xo = w->xs + i * P;
        for (size_t a = 0; a < p; a++)
            xo[a] = st->sign * (xi[dt->col[a]] - mean[a]);
        for (size_t a = p; a < P; a++)
            xo[a] = 0;
    }
}

/*
 * The linear predictors, the tilt and q_i; returns log P(delta = y) under
 * the independent q_i.  Then shifts the rows by their mean under the q_i,
 * c = sum q_i x_i / sum q_i: nothing changes in exact arithmetic (the
 * event count is fixed), but E[S] moves near 0, so the covariance
 * E[S S'] - E[S] E[S]' does not cancel when the events are nearly
 * determined (large |x'b|).
 */
static double tilt(const struct cs_clogit_data *dt, const struct cs_clogit_stratum *st,
                   const unsigned char *Y, const double *beta, struct cs_clogit_ws *w)
{
    size_t n = st->n, P = dt->P, H = P / 2;
    double *eta = w->eta, *q = w->q, *xs = w->xs;
    v2d bv[CS_REGRESS_MAX_TERMS / 2];
    for (size_t h = 0; h < H; h++)
        bv[h] = v2d_load(beta + 2 * h);
    for (size_t i = 0; i < n; i++) {
        v2d e = {0, 0};
        for (size_t h = 0; h < H; h++)
            e += v2d_load(xs + i * P + 2 * h) * bv[h];
        eta[i] = e[0] + e[1];
    }
    double tau = choose_tilt(eta, n, st->m, q, w->oq, w->ez);

    struct logprod lp = {1, 0};
    double lin = 0;
    for (size_t i = 0; i < n; i++) {
        double z = eta[i] + tau;
        lin += (Y[i] ? z : 0) - (z > 0 ? z : 0);
        logprod_mul(&lp, 1 + w->ez[i]);
    }
    lin -= log(lp.m) + (double)lp.e * M_LN2;

    v2d ctr[CS_REGRESS_MAX_TERMS / 2];
    double sq = 0;
    for (size_t h = 0; h < H; h++)
        ctr[h] = (v2d){0, 0};
    for (size_t i = 0; i < n; i++) {
        const v2d qv = {q[i], q[i]};
        for (size_t h = 0; h < H; h++)
            ctr[h] += qv * v2d_load(xs + i * P + 2 * h);
        sq += q[i];
    }
    const v2d sqv = {sq, sq};
    for (size_t h = 0; h < H; h++)
        ctr[h] /= sqv;
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < H; h++)
            v2d_store(xs + i * P + 2 * h, v2d_load(xs + i * P + 2 * h) - ctr[h]);
    return lin;
}

/*
 * The forward and backward recursions over the stratum's rows, block by
 * block (checkpoints of the backward arrays first when there is more than
 * one block).  Accumulates mu (P) and A (P x P) unnormalised, as
 * rows_kernel says; returns P(K = m).
 */
static double moments(const struct cs_clogit_stratum *st, size_t P, struct cs_clogit_ws *w,
                      double *mu, double *A)
{
    size_t n = st->n, m = st->m, mb = m + 1;
    size_t C = st->block, nblocks = (n + C - 1) / C;
    const double *q = w->q, *oq = w->oq;
    double *bw = w->bw, *F0 = w->F0, *F1 = w->F1;
    if (nblocks > 1) {
        memset(bw, 0, (mb + 1) * sizeof *bw);
        bw[1] = 1;
        for (size_t j = n - 1; j >= C; j--) {
            back_step(bw, j, n, m, q[j], oq[j]);
            if (j % C == 0)
                memcpy(w->ck + (j / C - 1) * (mb + 1), bw, (mb + 1) * sizeof *bw);
        }
    }
    memset(F0, 0, (mb + 1) * sizeof *F0);
    memset(F1, 0, (mb + 1) * P * sizeof *F1);
    F0[1] = 1;
    for (size_t b = 0; b < nblocks; b++) {
        size_t s = b * C, e = s + C < n ? s + C : n;
        /* B_e, then down to B_{s+1}, each stored: blk row j - s - 1 holds B_j */
        if (e == n) {
            memset(bw, 0, (mb + 1) * sizeof *bw);
            bw[1] = 1;
        } else {
            memcpy(bw, w->ck + b * (mb + 1), (mb + 1) * sizeof *bw);
        }
        size_t lo, hi;
        back_band(e, n, m, &lo, &hi);
        memcpy(w->blk + (e - s - 1) * (mb + 1) + lo + 1, bw + lo + 1, (hi - lo + 1) * sizeof *bw);
        for (size_t j = e - 1; j > s; j--)
            back_step_to(w->blk + (j - s) * (mb + 1), w->blk + (j - s - 1) * (mb + 1), j, n, m,
                         q[j], oq[j]);
        rows_any(P, s, e, n, m, w->xs, q, oq, w->blk, mb + 1, F0, F1, mu, w->wv);
    }
    xtw_any(P, n, w->xs, w->wv, A);
    return F0[m + 1];
}

void cs_clogit_stratum_eval(const struct cs_clogit_data *dt, size_t t, const double *beta,
                            struct cs_clogit_ws *w, double *ll, double *U, double *I)
{
    const struct cs_clogit_stratum *st = &dt->s[t];
    size_t n = st->n, P = dt->P, p = dt->p, H = P / 2;
    const unsigned char *Y = dt->y + st->start;
    gather(dt, t, w);
    double lin = tilt(dt, st, Y, beta, w);
    double mu[CS_REGRESS_MAX_TERMS] = {0};
    double A[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS] = {0};    /* P x P */
    double Pm = moments(st, P, w, mu, A);
    *ll += lin - log(Pm);

    /* score sum_{y=1} x_i - E[S]; information E[S S'] - E[S] E[S]' */
    v2d sy[CS_REGRESS_MAX_TERMS / 2];
    for (size_t h = 0; h < H; h++)
        sy[h] = (v2d){0, 0};
    for (size_t i = 0; i < n; i++)
        if (Y[i])
            for (size_t h = 0; h < H; h++)
                sy[h] += v2d_load(w->xs + i * P + 2 * h);
    for (size_t a = 0; a < p; a++) {
        mu[a] /= Pm;
        U[a] = sy[a / 2][a % 2] - mu[a];
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = (A[a * P + b] + A[b * P + a]) / Pm - mu[a] * mu[b];
            I[a * p + b] += v;
            if (b != a)
                I[b * p + a] += v;
        }
}
