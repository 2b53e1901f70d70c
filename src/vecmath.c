/* vecmath.c - exp and the logistic function over arrays, the same bits on every x86-64. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "compsight/vecmath.h"

/*
 * exp(x) = 2^(k/N) * exp(r), k = round(x * N / ln 2), r = x - k ln2 / N,
 * |r| <= ln2 / 2N: glibc's (and ARM optimized-routines') method, with
 * their reduction constants and polynomial.  2^(k/N) is a table entry
 * 2^(i/N) (i = k mod N) in two parts, scale (a double whose exponent
 * field takes k/N directly) and tail, its relative rounding error.
 *
 * The loops are written for the vectorizer (the Makefile compiles this
 * file with -fvect-cost-model=dynamic): no branches, the table read by
 * index, bits moved with memcpy.  Contraction of a*b+c into one fused
 * instruction is off (-std=c11 implies it; the Makefile also says so), so
 * SSE2, AVX2 and AVX-512 code round alike.
 */

#define EXP_TABLE_BITS 7
#define EXP_N (1 << EXP_TABLE_BITS)
/* |x| <= EXP_LIMIT: the result, the scale and scale * tmp are normal
 * numbers (glibc's exp takes another route from |x| >= 512 to keep them
 * so; below -703, scale * tmp would lose bits as a subnormal). */
#define EXP_LIMIT 700.0

static const double inv_ln2_n = 0x1.71547652b82fep0 * EXP_N;
static const double neg_ln2_hi_n = -0x1.62e42fefa0000p-8;
static const double neg_ln2_lo_n = -0x1.cf79abc9e3b3ap-47;
static const double shift = 0x1.8p52;   /* adding it rounds to an integer, in the low bits */
static const double c2 = 0x1.ffffffffffdbdp-2, c3 = 0x1.555555555543cp-3,
                    c4 = 0x1.55555cf172b91p-5, c5 = 0x1.1111167a4d017p-7;

static uint64_t exp_scale[EXP_N];   /* bits of 2^(i/N), less i << (52 - EXP_TABLE_BITS) */
static double exp_tail[EXP_N];      /* (2^(i/N) - scale) / scale */
static pthread_once_t exp_once = PTHREAD_ONCE_INIT;

/* The table, from long double (64-bit mantissa): the pair is 2^(i/N) to
 * about 2^-64, and its rounding is glibc's exp2l, the same everywhere. */
static void exp_table(void)
{
    for (int i = 0; i < EXP_N; i++) {
        long double v = exp2l((long double)i / EXP_N);
        double hi = (double)v;
        uint64_t bits;
        memcpy(&bits, &hi, sizeof bits);
        exp_scale[i] = bits - ((uint64_t)i << (52 - EXP_TABLE_BITS));
        exp_tail[i] = (double)((v - hi) / hi);
    }
}

/* exp(x) for |x| <= EXP_LIMIT; any other x gives some number, never a
 * fault (the index is masked), and is fixed up by the caller. */
static inline double exp_kernel(double x)
{
    double kd = inv_ln2_n * x + shift;
    uint64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    kd -= shift;
    double r = x + kd * neg_ln2_hi_n + kd * neg_ln2_lo_n;
    uint64_t i = ki & (EXP_N - 1);
    uint64_t sbits = exp_scale[i] + (ki << (52 - EXP_TABLE_BITS));
    double scale;
    memcpy(&scale, &sbits, sizeof scale);
    double r2 = r * r;
    double tmp = exp_tail[i] + r + r2 * (c2 + r * c3) + r2 * r2 * (c4 + r * c5);
    return scale + scale * tmp;
}

/* The logistic function of cs_regress_predict_logit, on libm's exp: for
 * the values outside the table's range. */
static double logistic_libm(double eta)
{
    double e = exp(-fabs(eta));
    return eta >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/*
 * One copy of each loop per instruction set where GCC can make them
 * (chosen at load time by the processor); the copies differ in vector
 * width only.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CS_CLONES
#endif

/* Whether |x| > EXP_LIMIT or x is NaN, from the bits: a vector OR in the
 * loops below, so that the fix-up pass runs only when one is there. */
static inline uint64_t out_of_range(double x)
{
    uint64_t u, limit;
    const double lim = EXP_LIMIT;
    memcpy(&u, &x, sizeof u);
    memcpy(&limit, &lim, sizeof limit);
    return (u & ~((uint64_t)1 << 63)) > limit;
}

CS_CLONES
static uint64_t exp_loop(const double *restrict x, double *restrict y, size_t n)
{
    uint64_t out = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = exp_kernel(x[i]);
        out |= out_of_range(x[i]);
    }
    return out;
}

CS_CLONES
static uint64_t logistic_loop(const double *restrict eta, double *restrict p, size_t n)
{
    uint64_t out = 0;
    for (size_t i = 0; i < n; i++) {
        double e = exp_kernel(-fabs(eta[i]));
        p[i] = (eta[i] >= 0 ? 1.0 : e) / (1.0 + e);
        out |= out_of_range(eta[i]);
    }
    return out;
}

CS_CLONES
static void linear_loop(const double *restrict beta, size_t k, const double *restrict x,
                        size_t stride, size_t n, double *restrict y)
{
    for (size_t r = 0; r < n; r++)
        y[r] = 0;
    for (size_t t = 0; t < k; t++) {
        const double b = beta[t], *xt = x + t * stride;
        for (size_t r = 0; r < n; r++)
            y[r] += b * xt[r];
    }
}

CS_CLONES
static void add_difference_loop(double *restrict s, const double *restrict a,
                                const double *restrict b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] += a[i] - b[i];
}

void cs_vecmath_exp(const double *x, double *y, size_t n)
{
    pthread_once(&exp_once, exp_table);
    if (exp_loop(x, y, n))
        for (size_t i = 0; i < n; i++)
            if (!(fabs(x[i]) <= EXP_LIMIT))
                y[i] = exp(x[i]);
}

void cs_vecmath_logistic(const double *eta, double *p, size_t n)
{
    pthread_once(&exp_once, exp_table);
    if (logistic_loop(eta, p, n))
        for (size_t i = 0; i < n; i++)
            if (!(fabs(eta[i]) <= EXP_LIMIT))
                p[i] = logistic_libm(eta[i]);
}

double cs_vecmath_logistic1(double eta)
{
    double p;
    cs_vecmath_logistic(&eta, &p, 1);
    return p;
}

void cs_vecmath_linear(const double *beta, size_t k, const double *x, size_t stride, size_t n,
                       double *y)
{
    linear_loop(beta, k, x, stride, n, y);
}

void cs_vecmath_add_difference(double *s, const double *a, const double *b, size_t n)
{
    add_difference_loop(s, a, b, n);
}
