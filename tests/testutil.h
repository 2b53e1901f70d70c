/* testutil.h - the tests' one double comparison: assert_close (relative), assert_close_scale, assert_near (absolute). */
#ifndef COMPSIGHT_TESTS_TESTUTIL_H
#define COMPSIGHT_TESTS_TESTUTIL_H

/*
 * Included after cmocka.h (cmocka 1.1.5 has no double assertion); every
 * helper is static and marked unused, since no test uses them all.  A
 * failure names the file, the line and the expression, and prints both
 * values with %.17g.
 *
 *   assert_close(a, b, rel)            |a - b| <= rel * max(|a|, |b|);
 *                                      a == b passes (so does the same
 *                                      infinity), and so do two NaNs
 *   assert_close_scale(a, b, rel, s)   the same with max(|a|, |b|, s) as the
 *                                      scale: for figures near 0 whose error
 *                                      is relative to a larger quantity
 *   assert_near(a, b, tol)             |a - b| <= tol, absolute: for figures
 *                                      printed rounded; a == b passes, a NaN
 *                                      never does
 *
 * assert_close also keeps the largest relative deviation it has seen for
 * each tolerance (the first 32 distinct ones), so that a test against R can
 * print how close it came: assert_close_worst(rel).
 */

#include <math.h>
#include <stddef.h>

#define TESTUTIL_UNUSED __attribute__((unused))

#define assert_close(a, b, rel) assert_close_at((a), (b), (rel), 0.0, #a, __FILE__, __LINE__)
#define assert_close_scale(a, b, rel, s) assert_close_at((a), (b), (rel), (s), #a, __FILE__, __LINE__)
#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), #a, __FILE__, __LINE__)

#define CLOSE_TOLS 32
TESTUTIL_UNUSED static struct {
    double tol, worst;
} close_seen[CLOSE_TOLS];
TESTUTIL_UNUSED static size_t n_close_seen;

/* Remember a relative deviation under its tolerance (first CLOSE_TOLS tolerances). */
TESTUTIL_UNUSED static void close_track(double rel, double dev)
{
    size_t i = 0;
    while (i < n_close_seen && close_seen[i].tol != rel)
        i++;
    if (i == n_close_seen) {
        if (i == CLOSE_TOLS)
            return;
        close_seen[n_close_seen].tol = rel;
        close_seen[n_close_seen++].worst = 0.0;
    }
    if (dev > close_seen[i].worst)
        close_seen[i].worst = dev;
}

/* The largest relative deviation assert_close has seen with tolerance rel (0 if none). */
TESTUTIL_UNUSED static double assert_close_worst(double rel)
{
    for (size_t i = 0; i < n_close_seen; i++)
        if (close_seen[i].tol == rel)
            return close_seen[i].worst;
    return 0.0;
}

TESTUTIL_UNUSED static void assert_close_at(double a, double b, double rel, double floor_scale,
                                            const char *what, const char *file, int line)
{
    if (isnan(a) && isnan(b))
        return;
    double scale = fmax(fmax(fabs(a), fabs(b)), floor_scale);
    close_track(rel, a == b ? 0.0 : fabs(a - b) / scale);
    if (a == b || fabs(a - b) <= rel * scale)
        return;
    fail_msg("%s:%d: %s = %.17g, expected %.17g (rel tol %g)", file, line, what, a, b, rel);
}

TESTUTIL_UNUSED static void assert_near_at(double a, double b, double tol, const char *what,
                                           const char *file, int line)
{
    if (a == b || fabs(a - b) <= tol)
        return;
    fail_msg("%s:%d: %s = %.17g, expected %.17g (abs tol %g)", file, line, what, a, b, tol);
}

#endif
