/* stattest.h - correlations, Benjamini-Hochberg, the timing test and Wilson intervals (SPEC 7.4, 7.5, 7.7). */
#ifndef COMPSIGHT_STATTEST_H
#define COMPSIGHT_STATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * Pure functions over caller-owned arrays: no dataset knowledge, no I/O.
 * Inputs are only read.  A figure that cannot be computed is NAN and comes
 * with a reason code (and a text for it), never a number made up to fill
 * the slot.  Every function that can fail returns an enum cs_status and
 * fills err (which may be NULL); on failure the outputs are unspecified
 * (nothing is allocated, nothing leaks).  GSL's error handler should be off
 * (gsl_set_error_handler_off()); every GSL result is checked regardless.
 */

/* z for two-sided 95% intervals, as written in SPEC 7 and METHODS.md. */
#define CS_Z95 1.959964

/* ======================================================================
 * Correlations (SPEC 7.4, METHODS "Spearman")
 * ==================================================================== */

/* Longest arrays accepted: ranks are held doubled in 32 bits. */
#define CS_CORR_MAX_N ((size_t)INT32_MAX - 1)

enum cs_corr_reason {
    CS_CORR_OK = 0,
    CS_CORR_TOO_FEW,      /* fewer than 3 complete pairs: no test (df = n - 2 < 1) */
    CS_CORR_CONST_X,      /* x takes one value over the pairs used */
    CS_CORR_CONST_Y,      /* y takes one value over the pairs used */
    CS_CORR_CONST_XY      /* both do */
};

struct cs_corr {
    size_t n;             /* pairs used: both x[i] and y[i] finite */
    double pearson;       /* r; NAN unless reason == CS_CORR_OK */
    double pearson_p;     /* two-sided t-test, df n - 2 (cor.test); 0 when |r| == 1 */
    double spearman;      /* Pearson r of average ranks (ties share the mean rank) */
    double spearman_p;    /* same t approximation, as cor.test(method = "spearman", exact = FALSE) */
    bool ties;            /* x or y has tied values among the pairs used */
    enum cs_corr_reason reason;
};

/*
 * Pearson and Spearman correlation of x and y over the indices where both
 * are finite (NAN, and also +-Inf, mark a missing value; pairs are dropped
 * pairwise, as cor.test on complete cases).  Ranking is O(n): counting
 * when there are at most 4096 distinct values, else a radix sort of the
 * values' bit patterns.  Scratch memory (about 48 bytes per pair) is
 * allocated and freed inside.
 *
 * Sums are accumulated in long double around the means (as R's cor()).
 * Degenerate inputs are results, not errors: fewer than 3 pairs or a
 * constant x or y give NAN correlations and p-values with the reason set
 * (n is still filled).  |r| within 8 DBL_EPSILON of 1 is taken as exactly
 * +-1 (an exact linear relation otherwise lands a few ulps short of it or
 * not, depending on the platform's long double), and |r| == 1 gives p == 0.
 *
 * Errors: CS_ERR_USAGE when out is NULL, x or y is NULL with n > 0, or n
 * exceeds CS_CORR_MAX_N; CS_ERR_NOMEM.
 */
enum cs_status cs_corr(const double *x, const double *y, size_t n,
                       struct cs_corr *out, struct cs_error *err);

/*
 * Every pair (x[i], y[j]) of nx arrays x and ny arrays y, all of length n
 * (SPEC 7.4's grid of incentive measures against outcomes), into
 * out[i * ny + j]: the same results, bit for bit, as cs_corr on each pair,
 * faster because the ranks of an array that needs sorting (more than 4096
 * distinct values) are computed once and reused by every pair whose
 * complete cases are exactly its finite values (a cache of 4 bytes per
 * value per such array, freed before returning), and scratch memory is
 * allocated once for the grid.
 *
 * Errors: CS_ERR_USAGE when out, x or y is NULL while needed, an array is
 * NULL with n > 0, or n exceeds CS_CORR_MAX_N; CS_ERR_NOMEM.  On error the
 * contents of out are unspecified.
 */
enum cs_status cs_corr_table(const double *const *x, size_t nx, const double *const *y, size_t ny,
                             size_t n, struct cs_corr *out, struct cs_error *err);

/*
 * The same grid, bit for bit, with the x arrays made one at a time: fill(i,
 * x, ctx) writes x[i] into x[0..n), a buffer of the function's, before the
 * pairs of row i are computed.  Only one x array and its ranks are in
 * memory at a time (the report's grid has six x arrays: at ten million
 * deals that spares a few hundred megabytes).  Errors as cs_corr_table
 * (CS_ERR_USAGE for a NULL fill).
 */
typedef void (*cs_corr_fill_fn)(size_t i, double *x, void *ctx);
enum cs_status cs_corr_table_fill(size_t nx, cs_corr_fill_fn fill, void *ctx,
                                  const double *const *y, size_t ny, size_t n,
                                  struct cs_corr *out, struct cs_error *err);

/* Static English text for a reason ("fewer than 3 complete pairs", ...). */
const char *cs_corr_reason_text(enum cs_corr_reason reason);

/*
 * Benjamini-Hochberg adjusted p-values exactly as R's p.adjust(p, "BH"):
 * q_(i) = min(1, min_{j >= i} m/j p_(j)) over the p sorted ascending.  NAN
 * entries stay NAN in q and are not counted in m (p.adjust's default
 * n = length(p) is evaluated after its NAs are removed).  q may alias p.
 *
 * Errors: CS_ERR_USAGE when p or q is NULL with m > 0, or a p-value is
 * outside [0, 1] (infinities included); CS_ERR_NOMEM.
 */
enum cs_status cs_bh(const double *p, size_t m, double *q, struct cs_error *err);

/* ======================================================================
 * Timing (SPEC 7.5)
 * ==================================================================== */

/* Longest period accepted, in days (100 years); longer rows are invalid. */
#define CS_TIMING_MAX_DAYS 36600
/* Chi-square bins whose expected count is below this are counted in
 * n_small_expected (the rule of thumb under which R's chisq.test warns). */
#define CS_TIMING_SMALL_EXPECTED 5.0

enum cs_timing_reason {
    CS_TIMING_OK = 0,
    CS_TIMING_EMPTY,      /* no valid deal */
    CS_TIMING_ONE_BIN     /* every period is 7 days or shorter: one bin, df 0, no test */
};

struct cs_timing {
    size_t n;                 /* deals used */
    size_t n_invalid;         /* selected rows skipped: period_days < 1 or > CS_TIMING_MAX_DAYS,
                                 day outside [0, period_days), amount not finite or < 0 */
    double amount_total;      /* sum of amount over the deals used */
    double last14_share;      /* bookings with day >= L - 14, over amount_total; NAN when it is 0 */
    double expected_share;    /* sum amount * min(14, L) / L over amount_total; NAN when it is 0 */
    double last14_deal_share; /* the same two by deal count (METHODS quotes deal shares); */
    double expected_deal_share; /*   NAN when n == 0 */
    size_t n_bins;            /* ceil(max L / 7): bin i holds days 7i .. 7i+6 */
    double *observed;         /* [n_bins] deals closed in bin i */
    double *expected;         /* [n_bins] sum over deals of (days of its period in bin i) / L */
    size_t bins_used;         /* bins with expected > 0 (all of them when n > 0) */
    size_t n_small_expected;  /* used bins with expected < CS_TIMING_SMALL_EXPECTED */
    double chi2;              /* sum over used bins of (O - E)^2 / E; NAN unless reason OK */
    int df;                   /* bins_used - 1 (0 when no test) */
    double p;                 /* gsl_cdf_chisq_Q(chi2, df); NAN unless reason OK */
    enum cs_timing_reason reason;
};

/*
 * Timing of bookings within plan periods, over rows i with sel == NULL or
 * sel[i] != 0: amount[i] (bookings), period_days[i] (L, days in the deal's
 * plan period) and day_of_period[i] (d, 0-based day of its close date in
 * the period; the last 14 days are d >= L - 14).  The chi-square statistic
 * equals R's chisq.test(observed, p = expected / sum(expected)).
 *
 * On success *out is a new struct owned by the caller (cs_timing_free);
 * selected rows that are not valid are skipped and counted in n_invalid.
 * Errors, with *out left NULL: CS_ERR_USAGE when out is NULL or an input
 * array is NULL with n > 0; CS_ERR_NOMEM.
 */
enum cs_status cs_timing(const double *amount, const int32_t *period_days,
                         const int32_t *day_of_period, const uint8_t *sel, size_t n,
                         struct cs_timing **out, struct cs_error *err);

void cs_timing_free(struct cs_timing *t);     /* accepts NULL */

const char *cs_timing_reason_text(enum cs_timing_reason reason);

/* ======================================================================
 * Wilson interval (SPEC 7.7, METHODS "Wilson interval")
 * ==================================================================== */

struct cs_wilson {
    double rate;          /* k / n */
    double low, high;     /* Wilson 95% interval at z = CS_Z95, within [0, 1] */
    bool undefined;       /* n == 0: rate, low and high are NAN */
};

/*
 * Wilson score interval for k successes of n: centre (k + z^2/2)/(n + z^2),
 * half-width z sqrt(k(n-k)/n + z^2/4)/(n + z^2).  The bounds are clipped to
 * [0, 1], and are exactly 0 for k == 0 and 1 for k == n (rounding would
 * otherwise leave 1e-17 on the wrong side).
 * Errors: CS_ERR_USAGE when out is NULL or k > n.
 */
enum cs_status cs_wilson(size_t k, size_t n, struct cs_wilson *out, struct cs_error *err);

#endif
