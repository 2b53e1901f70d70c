/* clogit.c - exact conditional logistic regression with strata (SPEC 14.1): likelihood, score and information by one recursion, Newton-Raphson, robust SEs. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/clogit.h"
#include "compsight/mem.h"
#include "fitkit.h"

#define MAX_HALVINGS 30         /* step halvings per Newton iteration */
#define RUNAWAY 1e-3            /* a step left at the estimate above 1e-3 max(1, |b|): separation */
#define IMPLICATED_SHARE 0.25   /* a running-off term's share of the largest step, to be implicated */
#define WHOLE_MAX (1u << 18)    /* doubles of a stratum's backward table kept whole (2 MiB);
                                   beyond, checkpoints every sqrt(n) rows */
#define TILT_MAX_ITER 200
#define PREFETCH_AHEAD 16       /* rows gathered ahead of use */

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
 * The strata, laid out for the recursion
 * ==================================================================== */

/*
 * One informative stratum: its rows are order[start..start+n), m events
 * after mirroring (m <= n - m).  A stratum whose events are the majority
 * is used mirrored, y -> 1 - y and x -> -x: the conditional likelihood,
 * score and information do not change, and the recursion runs up to
 * min(m, n - m).
 */
struct stratum {
    size_t start, n, m;
    double sign;                /* -1 when mirrored */
    size_t block;               /* rows per block of the backward checkpoints (n: one block) */
};

/*
 * What every evaluation works on.  The design is not copied: each
 * evaluation gathers a stratum's rows into the thread's workspace (the
 * copy would cost as much memory as the design; the gathering, a few per
 * cent of the time).
 */
struct prep {
    const double *x;            /* the design, borrowed: row i at x + i * stride */
    size_t stride;
    size_t p;                   /* terms kept */
    size_t P;                   /* row stride of the workspace: p rounded up to even */
    size_t col[CS_REGRESS_MAX_TERMS];     /* their design columns */
    size_t ns;                  /* informative strata */
    size_t half;                /* strata [0, half) and [half, ns): the two fixed halves */
    struct stratum *s;
    size_t *order;              /* rows of the informative strata, stratum by stratum */
    double *mean;               /* ns * P: each stratum's means of the kept terms */
    unsigned char *y;           /* rows, in order: the outcome, mirrored */
    size_t rows;
    /* workspace sizes, the largest over the strata */
    size_t n_max, m_max, ck_max, blk_max;
    /* what the caller reports */
    size_t strata, uninformative;
    double scale[CS_REGRESS_MAX_TERMS];   /* root mean square of each term, centred
                                             within strata (when screened) */
};

static void prep_free(struct prep *pr)
{
    free(pr->s);
    free(pr->order);
    free(pr->mean);
    free(pr->y);
    memset(pr, 0, sizeof *pr);
}

/* One thread's scratch, sized for the largest stratum. */
struct ws {
    double *eta, *q, *oq, *ez;  /* n_max */
    double *xs;                 /* n_max * P: the rows shifted by the tilted mean */
    double *F0, *F1;            /* (m_max + 2) and (m_max + 2) * P: forward, index k + 1 */
    double *bw;                 /* m_max + 1: the backward working array, index k + 1 */
    double *ck;                 /* ck_max: backward checkpoints */
    double *blk;                /* blk_max: one block's backward arrays */
};

static void ws_free(struct ws *w)
{
    free(w->eta);
    free(w->q);
    free(w->oq);
    free(w->ez);
    free(w->xs);
    free(w->F0);
    free(w->F1);
    free(w->bw);
    free(w->ck);
    free(w->blk);
    memset(w, 0, sizeof *w);
}

static int ws_alloc(struct ws *w, const struct prep *pr)
{
    size_t n = pr->n_max ? pr->n_max : 1, m2 = pr->m_max + 2;
    w->eta = malloc(n * sizeof *w->eta);
    w->q = malloc(n * sizeof *w->q);
    w->oq = malloc(n * sizeof *w->oq);
    w->ez = malloc(n * sizeof *w->ez);
    w->xs = malloc(n * (pr->P ? pr->P : 1) * sizeof *w->xs);
    w->F0 = malloc(m2 * sizeof *w->F0);
    w->F1 = malloc(m2 * (pr->P ? pr->P : 1) * sizeof *w->F1);
    w->bw = malloc(m2 * sizeof *w->bw);
    w->ck = malloc((pr->ck_max ? pr->ck_max : 1) * sizeof *w->ck);
    w->blk = cs_malloc_big(pr->blk_max ? pr->blk_max : 1, sizeof *w->blk);
    return w->eta && w->q && w->oq && w->ez && w->xs && w->F0 && w->F1 && w->bw && w->ck && w->blk ? 0 : -1;
}

/* ======================================================================
 * One stratum: log-likelihood, score and information at beta
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
            double *restrict A)
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
            s1[h] = qv * s1[h] + half * xv[h];                   /* w_i */
        }
        const double *xi = xs + i * P;
        for (size_t a = 0; a < P; a++) {
            const v2d xa = {xi[a], xi[a]};
            double *row = A + a * P;
            UNROLL
        for (size_t h = 0; h < H; h++)
                v2d_store(row + 2 * h, v2d_load(row + 2 * h) + xa * s1[h]);
        }
    }
}

#define ROWS_P(PP) \
    static void rows_##PP(size_t s, size_t e, size_t n, size_t m, const double *xs, const double *q, \
                          const double *oq, const double *blk, size_t bstride, double *F0,            \
                          double *F1, double *mu, double *A)                                         \
    {                                                                                                \
        rows_kernel(PP, s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A);                         \
    }
ROWS_P(2)
ROWS_P(4)
ROWS_P(6)
ROWS_P(8)
ROWS_P(10)
ROWS_P(12)

static void rows_any(size_t P, size_t s, size_t e, size_t n, size_t m, const double *xs,
                     const double *q, const double *oq, const double *blk, size_t bstride,
                     double *F0, double *F1, double *mu, double *A)
{
    switch (P) {
    case 2: rows_2(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    case 4: rows_4(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    case 6: rows_6(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    case 8: rows_8(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    case 10: rows_10(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    case 12: rows_12(s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    default: rows_kernel(P, s, e, n, m, xs, q, oq, blk, bstride, F0, F1, mu, A); break;
    }
}

/*
 * One stratum at beta: adds its log-likelihood to *ll, writes its score to
 * U (p) and adds its information (the conditional covariance of S = sum of
 * x over the event rows) to I (p x p, full).
 *
 * With q_i = expit(eta_i + tau), P(delta = y | K = m) is the conditional
 * likelihood; the forward arrays of rows_kernel and the backward ones,
 * B_j(k) = P(k events among rows j..n-1), give the score and information.
 */
static void stratum_eval(const struct prep *pr, const struct stratum *st, const double *beta,
                         struct ws *w, double *ll, double *U, double *I)
{
    size_t n = st->n, m = st->m, P = pr->P, p = pr->p, K = pr->stride, mb = m + 1;
    const unsigned char *Y = pr->y + st->start;
    const size_t *rows = pr->order + st->start;
    const double *mean = pr->mean + (size_t)(st - pr->s) * P;
    double *eta = w->eta, *q = w->q, *oq = w->oq, *xs = w->xs;

    /* the rows, centred on the stratum's means, mirrored, padded; in a
     * design not grouped by stratum they are read at random, so the rows
     * a few ahead are fetched early */
    for (size_t i = 0; i < n; i++) {
        if (st->start + i + PREFETCH_AHEAD < pr->rows) {     /* into the next strata too */
            const double *ahead = pr->x + rows[i + PREFETCH_AHEAD] * K;
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + K - 1);
        }
        const double *xi = pr->x + rows[i] * K;
        double *xo = xs + i * P;
        for (size_t a = 0; a < p; a++)
            xo[a] = st->sign * (xi[pr->col[a]] - mean[a]);
        for (size_t a = p; a < P; a++)
            xo[a] = 0;
    }

    size_t H = P / 2;
    v2d bv[CS_REGRESS_MAX_TERMS / 2];
    for (size_t h = 0; h < H; h++)
        bv[h] = v2d_load(beta + 2 * h);
    for (size_t i = 0; i < n; i++) {
        const double *xi = xs + i * P;
        v2d e = {0, 0};
        for (size_t h = 0; h < H; h++)
            e += v2d_load(xi + 2 * h) * bv[h];
        eta[i] = e[0] + e[1];
    }
    double tau = choose_tilt(eta, n, m, q, oq, w->ez);

    /* log P(delta = y) under the independent q_i */
    struct logprod lp = {1, 0};
    double lin = 0;
    for (size_t i = 0; i < n; i++) {
        double z = eta[i] + tau;
        lin += (Y[i] ? z : 0) - (z > 0 ? z : 0);
        logprod_mul(&lp, 1 + w->ez[i]);
    }
    lin -= log(lp.m) + (double)lp.e * M_LN2;

    /* Shift x by its mean under the tilted q_i, c = sum q_i x_i / sum q_i:
     * nothing changes in exact arithmetic (the event count is fixed), but
     * E[S] moves near 0, so the covariance E[S S'] - E[S] E[S]' does not
     * cancel when the events are nearly determined (large |x'b|). */
    v2d ctr[CS_REGRESS_MAX_TERMS / 2];
    double sq = 0;
    for (size_t h = 0; h < H; h++)
        ctr[h] = (v2d){0, 0};
    for (size_t i = 0; i < n; i++) {
        const double *xi = xs + i * P;
        const v2d qv = {q[i], q[i]};
        for (size_t h = 0; h < H; h++)
            ctr[h] += qv * v2d_load(xi + 2 * h);
        sq += q[i];
    }
    const v2d sqv = {sq, sq};
    for (size_t h = 0; h < H; h++)
        ctr[h] /= sqv;
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < H; h++)
            v2d_store(xs + i * P + 2 * h, v2d_load(xs + i * P + 2 * h) - ctr[h]);

    /* backward checkpoints (only when there is more than one block) */
    size_t C = st->block, nblocks = (n + C - 1) / C;
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

    double mu[CS_REGRESS_MAX_TERMS] = {0};
    double A[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS] = {0};    /* P x P */
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
        {
            size_t lo, hi;
            back_band(e, n, m, &lo, &hi);
            memcpy(w->blk + (e - s - 1) * (mb + 1) + lo + 1, bw + lo + 1, (hi - lo + 1) * sizeof *bw);
        }
        for (size_t j = e - 1; j > s; j--)
            back_step_to(w->blk + (j - s) * (mb + 1), w->blk + (j - s - 1) * (mb + 1), j, n, m,
                         q[j], oq[j]);
        rows_any(P, s, e, n, m, xs, q, oq, w->blk, mb + 1, F0, F1, mu, A);
    }

    double Pm = F0[m + 1];
    *ll += lin - log(Pm);
    v2d sy[CS_REGRESS_MAX_TERMS / 2];
    for (size_t h = 0; h < H; h++)
        sy[h] = (v2d){0, 0};
    for (size_t i = 0; i < n; i++)
        if (Y[i])
            for (size_t h = 0; h < H; h++)
                sy[h] += v2d_load(xs + i * P + 2 * h);
    for (size_t a = 0; a < p; a++) {
        mu[a] /= Pm;
        U[a] = sy[a / 2][a % 2] - mu[a];
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b2 = 0; b2 <= a; b2++) {
            double v = (A[a * P + b2] + A[b2 * P + a]) / Pm - mu[a] * mu[b2];
            I[a * p + b2] += v;
            if (b2 != a)
                I[b2 * p + a] += v;
        }
}

/* ======================================================================
 * All strata, in two fixed halves
 * ==================================================================== */

struct half {
    const struct prep *pr;
    const double *beta;
    struct ws *w;
    size_t from, to;
    double *Ug;                 /* ns * p: each stratum's score */
    double ll;
    double U[CS_REGRESS_MAX_TERMS];
    double I[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
};

static void half_run(struct half *h)
{
    size_t p = h->pr->p;
    h->ll = 0;
    memset(h->U, 0, sizeof h->U);
    memset(h->I, 0, sizeof h->I);
    for (size_t g = h->from; g < h->to; g++) {
        double *u = h->Ug + g * p;
        stratum_eval(h->pr, &h->pr->s[g], h->beta, h->w, &h->ll, u, h->I);
        for (size_t a = 0; a < p; a++)
            h->U[a] += u[a];
    }
}

static void *half_thread(void *arg)
{
    half_run(arg);
    return NULL;
}

/* Log-likelihood, score (p), information (p x p) and per-stratum scores at beta. */
static void evaluate(const struct prep *pr, const double *beta, struct ws *ws, int threads,
                     double *Ug, double *ll, double *U, double *I)
{
    struct half h[2] = {
        {.pr = pr, .beta = beta, .w = &ws[0], .from = 0, .to = pr->half, .Ug = Ug},
        {.pr = pr, .beta = beta, .w = &ws[threads >= 2 ? 1 : 0], .from = pr->half, .to = pr->ns,
         .Ug = Ug},
    };
    pthread_t th;
    bool started = threads >= 2 && h[1].from < h[1].to &&
                   pthread_create(&th, NULL, half_thread, &h[1]) == 0;
    half_run(&h[0]);
    if (started) {
        if (pthread_join(th, NULL) != 0)
            started = false;
    }
    if (!started)
        half_run(&h[1]);
    size_t p = pr->p;
    *ll = h[0].ll + h[1].ll;
    for (size_t a = 0; a < p; a++)
        U[a] = h[0].U[a] + h[1].U[a];
    for (size_t q = 0; q < p * p; q++)
        I[q] = h[0].I[q] + h[1].I[q];
}

/* ======================================================================
 * Preparation: validation, strata, screening, the compact arrays
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
 * Index the strata and screen the terms (screen: else keep every column).
 * keep (k) receives the kept columns.
 */
static enum cs_status prepare(const struct cs_clogit_design *d, bool screen, bool *keep,
                              struct prep *pr, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    size_t n = d->n, K = d->k, G = d->strata, S = row_stride(d);
    size_t *cnt = calloc(G ? G : 1, sizeof *cnt), *ev = calloc(G ? G : 1, sizeof *ev);
    size_t *off = calloc(G + 1, sizeof *off);
    double *mean = NULL;
    memset(pr, 0, sizeof *pr);
    pr->x = d->x;
    pr->stride = S;
    if (!cnt || !ev || !off) {
        st = nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        cnt[d->stratum[i]]++;
        ev[d->stratum[i]] += d->y[i] != 0;
    }
    size_t rows = 0, ns = 0;
    for (size_t g = 0; g < G; g++) {
        bool informative = ev[g] > 0 && ev[g] < cnt[g];
        pr->strata += cnt[g] > 0;
        pr->uninformative += cnt[g] > 0 && !informative;
        off[g] = rows;
        if (informative) {
            rows += cnt[g];
            ns++;
        }
    }
    off[G] = rows;
    pr->rows = rows;
    pr->ns = ns;

    /* rows of the informative strata, grouped by stratum, in row order;
     * the means of every column per informative stratum (index t) */
    pr->order = cs_malloc_big(rows ? rows : 1, sizeof *pr->order);
    mean = calloc((ns ? ns : 1) * (K ? K : 1), sizeof *mean);
    if (!pr->order || !mean) {
        st = nomem(err);
        goto out;
    }
    {
        size_t *fill = cnt;         /* reused as fill positions: an informative stratum's
                                       count is now off[g + 1] - off[g], the others' 0 */
        for (size_t g = 0; g < G; g++)
            fill[g] = off[g];
        for (size_t i = 0; i < n; i++) {
            uint32_t g = d->stratum[i];
            if (off[g + 1] > off[g])
                pr->order[fill[g]++] = i;
        }
    }
    for (size_t g = 0, t = 0; g < G; g++) {
        size_t ng = off[g + 1] - off[g];
        if (!ng)
            continue;
        double *mg = mean + t++ * K;
        for (size_t r = off[g]; r < off[g + 1]; r++)
            for (size_t j = 0; j < K; j++)
                mg[j] += d->x[pr->order[r] * S + j];
        for (size_t j = 0; j < K; j++)
            mg[j] /= (double)ng;
    }

    /* screening on the centred columns of the informative rows */
    for (size_t j = 0; j < K; j++)
        keep[j] = true;
    if (screen && K > 0 && rows > 0) {
        double C[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS] = {0};
        double norm2[CS_REGRESS_MAX_TERMS] = {0}, v[CS_REGRESS_MAX_TERMS];
        for (size_t g = 0, t = 0; g < G; g++) {
            if (off[g + 1] == off[g])
                continue;
            const double *mg = mean + t++ * K;
            for (size_t r = off[g]; r < off[g + 1]; r++) {
                const double *xi = d->x + pr->order[r] * S;
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
                pr->scale[a++] = sqrt(C[j * K + j] / (double)rows);
    }
    size_t p = 0;
    for (size_t j = 0; j < K; j++)
        if (keep[j])
            pr->col[p++] = j;
    size_t P = (p + 1) & ~(size_t)1;
    pr->p = p;
    pr->P = P;

    pr->s = calloc(ns ? ns : 1, sizeof *pr->s);
    pr->mean = calloc((ns ? ns : 1) * (P ? P : 1), sizeof *pr->mean);
    pr->y = malloc(rows ? rows : 1);
    if (!pr->s || !pr->mean || !pr->y) {
        st = nomem(err);
        goto out;
    }
    double cost_total = 0;
    size_t t = 0;
    for (size_t g = 0; g < G; g++) {
        size_t ng = off[g + 1] - off[g];
        if (!ng)
            continue;
        for (size_t a = 0; a < p; a++)
            pr->mean[t * P + a] = mean[t * K + pr->col[a]];
        struct stratum *s = &pr->s[t++];
        size_t m = ev[g];
        bool mirror = m > ng - m;
        s->start = off[g];
        s->n = ng;
        s->m = mirror ? ng - m : m;
        s->sign = mirror ? -1 : 1;
        for (size_t r = off[g]; r < off[g + 1]; r++) {
            bool one = d->y[pr->order[r]] != 0;
            pr->y[r] = mirror ? !one : one;
        }
        /* the backward table whole, or checkpoints every ceil(sqrt(n)) rows */
        size_t mb1 = s->m + 1;
        if (ng * mb1 <= WHOLE_MAX) {
            s->block = ng;
        } else {
            size_t c = (size_t)ceil(sqrt((double)ng));
            s->block = c;
        }
        size_t nblocks = (ng + s->block - 1) / s->block;
        size_t ck = nblocks > 1 ? (nblocks - 1) * (mb1 + 1) : 0;
        size_t blk = s->block * (mb1 + 1);
        pr->n_max = ng > pr->n_max ? ng : pr->n_max;
        pr->m_max = s->m > pr->m_max ? s->m : pr->m_max;
        pr->ck_max = ck > pr->ck_max ? ck : pr->ck_max;
        pr->blk_max = blk > pr->blk_max ? blk : pr->blk_max;
        cost_total += (double)ng * (double)(s->m + 1) * (double)(P + 2) + (double)ng * (double)(p * p);
    }
    /* the two halves: equal cost, fixed by the data alone */
    double acc = 0;
    pr->half = ns;
    for (size_t g = 0; g < ns; g++) {
        const struct stratum *s = &pr->s[g];
        acc += (double)s->n * (double)(s->m + 1) * (double)(P + 2) + (double)s->n * (double)(p * p);
        if (acc >= cost_total / 2) {
            pr->half = g + 1;
            break;
        }
    }
out:
    free(cnt);
    free(ev);
    free(off);
    free(mean);
    if (st != CS_OK)
        prep_free(pr);
    return st;
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

/* ======================================================================
 * Public entry points
 * ==================================================================== */

enum cs_status cs_clogit_eval(const struct cs_clogit_design *d, const double *beta,
                              const struct cs_clogit_options *opt, double *loglik, double *grad,
                              double *hess, struct cs_error *err)
{
    struct prep pr;
    struct ws ws[2] = {{0}, {0}};
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
    Ug = malloc((pr.ns ? pr.ns : 1) * (k ? k : 1) * sizeof *Ug);
    if (!Ug || ws_alloc(&ws[0], &pr) || (o.threads >= 2 && ws_alloc(&ws[1], &pr))) {
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
    ws_free(&ws[0]);
    ws_free(&ws[1]);
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
static bool newton(const struct prep *pr, const struct cs_clogit_options *o, struct ws *ws,
                   double *beta, double *Ug, double *ll, double *U, double *I,
                   struct cs_regress_fit *fit, double *ll_null, double *last_step)
{
    size_t p = pr->p;
    double bn[CS_REGRESS_MAX_TERMS + 1], Un[CS_REGRESS_MAX_TERMS], d[CS_REGRESS_MAX_TERMS];
    memset(last_step, 0, p * sizeof *last_step);
    double In[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS], lln;
    struct cs_fitkit_chol ch;
    memset(bn, 0, sizeof bn);
    evaluate(pr, beta, ws, o->threads, Ug, ll, U, I);
    *ll_null = *ll;
    bool at_beta = true;        /* Ug is at beta */
    for (int it = 1; it <= o->max_iter; it++) {
        if (cs_fitkit_chol_factor(&ch, I, p) != 0 || cs_fitkit_chol_solve(&ch, U, d) != 0) {
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

enum cs_status cs_clogit(const struct cs_clogit_design *d, const struct cs_clogit_options *opt,
                         struct cs_clogit_fit **out, struct cs_error *err)
{
    struct prep pr;
    struct ws ws[2] = {{0}, {0}};
    struct cs_clogit_fit *res = NULL;
    struct cs_regress_fit *fit = NULL;
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
    size_t p = pr.p;
    bool fitted = d->n > 0 && d->k > 0 && pr.ns > 0 && p > 0;
    res = calloc(1, sizeof *res);
    if (res)
        res->fit = fit = cs_fitkit_fit_new(CS_REGRESS_LOGIT, d->n, d->k, d->names, keep, fitted);
    if (!res || !fit) {
        st = nomem(err);
        goto out;
    }
    res->strata = pr.strata;
    res->uninformative = pr.uninformative;
    res->informative_rows = pr.rows;
    res->loglik_null = NAN;
    fit->clusters = pr.ns;
    if (d->n == 0)
        fit->flags |= CS_REGRESS_NO_ROWS;
    if (d->k == 0 || (p == 0 && pr.ns > 0))
        fit->flags |= CS_REGRESS_NO_TERMS;
    if (d->n > 0 && pr.ns == 0)
        fit->flags |= CS_REGRESS_Y_CONSTANT;
    if (pr.ns < 2)
        fit->flags |= CS_REGRESS_FEW_CLUSTERS;
    if (!fitted)
        goto out;

    double beta[CS_REGRESS_MAX_TERMS + 1] = {0}, U[CS_REGRESS_MAX_TERMS], ll;
    double I[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS], V[CS_REGRESS_MAX_TERMS * CS_REGRESS_MAX_TERMS];
    Ug = malloc(pr.ns * p * sizeof *Ug);
    if (!Ug || ws_alloc(&ws[0], &pr) || (o.threads >= 2 && ws_alloc(&ws[1], &pr))) {
        st = nomem(err);
        goto out;
    }
    double step[CS_REGRESS_MAX_TERMS] = {0};
    if (!newton(&pr, &o, ws, beta, Ug, &ll, U, I, fit, &res->loglik_null, step)) {
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
        cs_fitkit_unfit(fit);
        goto out;
    }
    if (!fit->converged)
        fit->flags |= CS_REGRESS_NOT_CONVERGED;
    fit->loglik = ll;
    fit->deviance = -2 * ll;
    fit->null_deviance = -2 * res->loglik_null;

    /* Covariances; the Newton step still left at the estimate (or, when
     * the information there cannot be factored, the last one taken): a
     * term still running off is separated. */
    struct cs_fitkit_chol ch;
    if (cs_fitkit_chol_factor(&ch, I, p) != 0 || cs_fitkit_chol_inverse(&ch, V) != 0) {
        fit->flags |= CS_REGRESS_SINGULAR;
    } else {
        memcpy(fit->vcov, V, p * p * sizeof *V);
        if (pr.ns >= 2)
            cs_fitkit_sandwich(V, Ug, pr.ns, p, 1.0, fit->vcov_cluster);
        if (cs_fitkit_chol_solve(&ch, U, step) != 0)
            fit->flags |= CS_REGRESS_SINGULAR;
    }
    double dmax = 0;
    bool runaway[CS_REGRESS_MAX_TERMS];
    for (size_t a = 0; a < p; a++) {
        double deta = fabs(step[a]) * pr.scale[a];      /* in units of the linear predictor */
        runaway[a] = deta > RUNAWAY * fmax(1, fabs(beta[a]) * pr.scale[a]);
        fit->separation |= runaway[a];
        dmax = fmax(dmax, deta);
    }
    for (size_t a = 0; a < p; a++)
        fit->terms[a].separated = runaway[a] && fabs(step[a]) * pr.scale[a] >= IMPLICATED_SHARE * dmax;
    if (fit->separation)
        fit->flags |= CS_REGRESS_SEPARATION;
    cs_fitkit_finish_terms(fit, beta, true);
out:
    free(Ug);
    ws_free(&ws[0]);
    ws_free(&ws[1]);
    prep_free(&pr);
    if (st != CS_OK) {
        cs_clogit_free(res);
        return st;
    }
    *out = res;
    return CS_OK;
}
