/* test_vecmath.c - the vector exp and logistic: accuracy against long double, special values, the same bits in every lane. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whatif/vecmath.h"

/* A fixed stream of doubles in [lo, hi): the tests see the same values everywhere. */
static uint64_t lcg_state;
static double uniform(double lo, double hi)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (double)(lcg_state >> 11) * 0x1p-53;
}

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* The error of y against the true value t, in units of the last place of t. */
static double ulps(double y, long double t)
{
    double td = (double)t;
    int e;
    frexp(td, &e);
    long double ulp = ldexpl(1.0L, e - 53);
    if (fabs(td) < 0x1p-1022)
        ulp = ldexpl(1.0L, -1074);
    return (double)fabsl(((long double)y - t) / ulp);
}

/* Whether long double is wider than double here: under valgrind it is
 * computed as double, too coarse to measure a double's error with. */
static bool long_double_is_wider(void)
{
    volatile long double one = 1.0L, tiny = 0x1p-60L;
    if (one + tiny != one)
        return true;
    print_message("long double is no wider than double here (valgrind?): "
                  "the accuracy against expl is not measured\n");
    return false;
}

#define N_RANDOM 2000000
#define CHUNK 1000

/*
 * exp against expl over the range the table covers: at most 0.51 ulp
 * (glibc's scalar exp, the same method, is within 0.502 ulp), and the
 * correctly rounded double in all but under one in a thousand (0.06%
 * here; glibc's exp, within 0.502 ulp, misses as often).
 */
static void test_exp_accuracy(void **state)
{
    (void)state;
    if (!long_double_is_wider())
        skip();
    double x[CHUNK], y[CHUNK], worst = 0, worst_x = 0;
    size_t not_nearest = 0;
    lcg_state = 1;
    for (size_t done = 0; done < N_RANDOM; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++) {
            /* half over the whole range, half near 0 where r is the whole argument */
            x[i] = i % 2 ? uniform(-700, 700) : uniform(-1, 1) * pow(2, -(double)(i % 60));
        }
        cs_vecmath_exp(x, y, CHUNK);
        for (size_t i = 0; i < CHUNK; i++) {
            long double t = expl((long double)x[i]);
            double u = ulps(y[i], t);
            if (u > worst) {
                worst = u;
                worst_x = x[i];
            }
            not_nearest += y[i] != (double)t;
        }
    }
    if (worst > 0.51)
        fail_msg("exp(%.17g): %.3f ulp", worst_x, worst);
    if (not_nearest > N_RANDOM / 1000)
        fail_msg("%zu of %d not the nearest double", not_nearest, N_RANDOM);
}

/* Exact and special values: 1 at 0; libm's exp outside the table's range. */
static void test_exp_special(void **state)
{
    (void)state;
    double x[] = {0.0, -0.0, 1e-300, -1e-300, 0x1p-60, 700.0, -700.0, 700.5, -707.1, 709.7,
                  709.8, -745.0, -745.2, -800.0, 1000.0, INFINITY, -INFINITY, NAN};
    size_t n = sizeof x / sizeof *x;
    double y[sizeof x / sizeof *x];
    cs_vecmath_exp(x, y, n);
    assert_true(y[0] == 1.0 && y[1] == 1.0 && y[2] == 1.0 && y[3] == 1.0 && y[4] == 1.0);
    for (size_t i = 7; i < n - 1; i++)
        if (bits(y[i]) != bits(exp(x[i])))
            fail_msg("exp(%.17g) = %a, libm %a", x[i], y[i], exp(x[i]));
    assert_true(y[15] == INFINITY && y[16] == 0.0);
    assert_true(isnan(y[n - 1]));
    /* the range's ends are within 0.51 ulp too */
    bool measurable = long_double_is_wider();
    for (size_t i = 5; i < 7 && measurable; i++)
        assert_true(ulps(y[i], expl((long double)x[i])) <= 0.51);
}

/*
 * The logistic function against long double: within 3 ulp.  e/(1+e)
 * rounds three times (e, 1 + e, the division), and 1 + e's rounding is
 * relative to 1, not to e: glibc's exp in the same formula is 2.08 ulp
 * off at eta = -3.4407475116176727.  And on average no worse than that
 * formula on glibc's exp (value by value the two differ where the exps
 * round to neighbouring doubles, about 1 value in 1,500).
 */
static void test_logistic_accuracy(void **state)
{
    (void)state;
    if (!long_double_is_wider())
        skip();
    double eta[CHUNK], p[CHUNK], worst = 0, worst_eta = 0, sum = 0, sum_libm = 0;
    lcg_state = 2;
    for (size_t done = 0; done < N_RANDOM / 4; done += CHUNK) {
        for (size_t i = 0; i < CHUNK; i++)
            eta[i] = i % 3 ? uniform(-40, 40) : uniform(-700, 700);
        cs_vecmath_logistic(eta, p, CHUNK);
        for (size_t i = 0; i < CHUNK; i++) {
            long double e = expl(-fabsl((long double)eta[i]));
            long double t = eta[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
            double u = ulps(p[i], t);
            if (u > worst) {
                worst = u;
                worst_eta = eta[i];
            }
            double el = exp(-fabs(eta[i]));
            sum += u;
            sum_libm += ulps(eta[i] >= 0 ? 1 / (1 + el) : el / (1 + el), t);
        }
    }
    if (worst > 3.0)
        fail_msg("logistic(%.17g): %.3f ulp", worst_eta, worst);
    if (sum > sum_libm * 1.01)
        fail_msg("mean error %.4f ulp, with libm's exp %.4f", sum / (N_RANDOM / 4),
                 sum_libm / (N_RANDOM / 4));
}

static void test_logistic_special(void **state)
{
    (void)state;
    double eta[] = {0.0, -0.0, 800.0, -800.0, 700.5, -700.5, 745.5, -745.5, INFINITY, -INFINITY, NAN};
    size_t n = sizeof eta / sizeof *eta;
    double p[sizeof eta / sizeof *eta];
    cs_vecmath_logistic(eta, p, n);
    assert_true(p[0] == 0.5 && p[1] == 0.5);
    assert_true(p[2] == 1.0 && p[3] == 0.0);
    assert_true(p[4] == 1.0 && p[5] == exp(-700.5) / (1 + exp(-700.5)));
    assert_true(p[6] == 1.0 && p[7] == exp(-745.5) / (1 + exp(-745.5)));
    assert_true(p[8] == 1.0 && p[9] == 0.0);
    assert_true(isnan(p[10]));
    assert_true(bits(cs_vecmath_logistic1(1.25)) == bits(p[0] * 0 + cs_vecmath_logistic1(1.25)));
}

/*
 * A value's bits do not depend on where it sits in the array: the vector
 * body, its remainder and a call of one value give the same result.
 * Within one instruction set's copy; vecmath.h says why the copies agree.
 */
static void test_lanes_agree(void **state)
{
    (void)state;
    enum { M = 1031 };
    double *x = malloc((M + 8) * sizeof *x), *y = malloc((M + 8) * sizeof *y);
    double *e = malloc((M + 8) * sizeof *e), *p = malloc((M + 8) * sizeof *p);
    assert_true(x && y && e && p);
    lcg_state = 3;
    for (size_t i = 0; i < M + 8; i++)
        x[i] = uniform(-30, 30);
    for (size_t off = 0; off < 8; off++) {
        cs_vecmath_exp(x + off, y + off, M);
        cs_vecmath_logistic(x + off, p + off, M);
        for (size_t i = off; i < M + off; i++) {
            double one;
            cs_vecmath_exp(x + i, &one, 1);
            if (bits(one) != bits(y[i]))
                fail_msg("exp(%.17g): %a alone, %a at %zu", x[i], one, y[i], i - off);
            if (bits(cs_vecmath_logistic1(x[i])) != bits(p[i]))
                fail_msg("logistic(%.17g) differs at %zu", x[i], i - off);
        }
    }
    /* and the same bits as the plain scalar formula over the vector exp */
    cs_vecmath_exp(x, e, M);
    for (size_t i = 0; i < M; i++) {
        double en, neg = -fabs(x[i]);
        cs_vecmath_exp(&neg, &en, 1);
        double want = x[i] >= 0 ? 1 / (1 + en) : en / (1 + en);
        assert_true(bits(want) == bits(cs_vecmath_logistic1(x[i])));
    }
    free(x);
    free(y);
    free(e);
    free(p);
}

/* Linear predictors by column: the bits of the plain loop over one row, for every k and n. */
static void test_linear(void **state)
{
    (void)state;
    enum { K = 8, NMAX = 41, STRIDE = 45 };
    double beta[K], x[K * STRIDE], y[NMAX + 1];
    lcg_state = 4;
    for (size_t t = 0; t < K; t++)
        beta[t] = uniform(-3, 3);
    for (size_t i = 0; i < K * STRIDE; i++)
        x[i] = uniform(-10, 10);
    x[2 * STRIDE + 3] = -0.0;
    for (size_t k = 0; k <= K; k++) {
        for (size_t n = 0; n <= NMAX; n++) {
            y[n] = 12345.0;   /* not written past n */
            cs_vecmath_linear(beta, k, x, STRIDE, n, y);
            for (size_t r = 0; r < n; r++) {
                double want = 0;
                for (size_t t = 0; t < k; t++)
                    want += beta[t] * x[t * STRIDE + r];
                if (bits(want) != bits(y[r]))
                    fail_msg("k %zu, n %zu, row %zu: %a, want %a", k, n, r, y[r], want);
            }
            assert_true(y[n] == 12345.0);
        }
    }
}

static void test_add_difference(void **state)
{
    (void)state;
    double s[37], a[37], b[37];
    for (size_t i = 0; i < 37; i++) {
        s[i] = (double)i;
        a[i] = 0.1 * (double)i;
        b[i] = 0.3;
    }
    cs_vecmath_add_difference(s, a, b, 36);
    for (size_t i = 0; i < 36; i++)
        assert_true(bits(s[i]) == bits((double)i + (0.1 * (double)i - 0.3)));
    assert_true(s[36] == 36.0);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp_accuracy),
        cmocka_unit_test(test_exp_special),
        cmocka_unit_test(test_logistic_accuracy),
        cmocka_unit_test(test_logistic_special),
        cmocka_unit_test(test_lanes_agree),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_add_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
