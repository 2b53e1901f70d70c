/* bunching.h - bunching of final attainments at a tier floor (SPEC 7.6): excess mass and its bootstrap. */
#ifndef COMPSIGHT_BUNCHING_H
#define COMPSIGHT_BUNCHING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * The estimator of SPEC 7.6, over an array of final attainments (one plan's
 * rep-periods) and one threshold f:
 *
 * Bins.  CS_BUNCH_BINS = 40 bins of width w = 0.02 over [f - 0.40, f + 0.40).
 *   A value A goes to bin j = 20 + floor((A - f) / w + 1e-9), kept when
 *   0 <= j < 40.  This is the spec's floor((A - (f - 0.40)) / w) with two
 *   floating-point decisions written down:
 *   - it is anchored at f, so A >= f always lands in bin 20 or above and
 *     A < f (by more than the epsilon) in bin 19 or below;
 *   - the 1e-9 (of a bin, i.e. 2e-11 in attainment) puts a value that
 *     rounding left just under a bin edge into the bin above: 0.96 is
 *     0.9599999999999999645 as a double and would otherwise fall into
 *     [0.94, 0.96), and an attainment of exactly quota summed as
 *     0.99999999999999989 counts as at the floor.
 *   Bin j has left edge f - 0.40 + j w and centre f - 0.40 + (j + 0.5) w.
 * Window.  The bins whose left edge lies in [f - 0.06, f + 0.06) are
 *   j = 17 .. 22 (edges f - 0.06 ... f + 0.04), decided by integer index,
 *   not by comparing computed edges: CS_BUNCH_WIN_FIRST .. CS_BUNCH_WIN_LAST.
 *   Bins 20, 21, 22 are at or above f, bins 17, 18, 19 below.
 * Fit.  Least squares of count on 1, u, ..., u^5 with u = (centre - f),
 *   over the 34 bins outside the window (empty bins count as 0).  The
 *   design is solved by QR with u rescaled to (centre - f) / 0.40 for
 *   conditioning; fitted values are those of the raw polynomial.
 * Estimates.  B = sum over bins 20..22 of (count - fit); M = sum over bins
 *   17..19 of (fit - count); b = B / (mean fit over bins 17..22).
 * Bootstrap.  draws times: every one of the 40 bins gets count + e, e drawn
 *   with replacement from the 34 fitted bins' residuals (bins in order 0..39,
 *   gsl_rng_uniform_int on an mt19937 generator), the polynomial is refitted
 *   and B, M, b recomputed.  SE = sample standard deviation (divisor
 *   draws - 1).  Deterministic given the seed: mt19937 is seeded with the
 *   64-bit seed folded to 32 bits (seed ^ (seed >> 32), low 32 bits; GSL
 *   maps 0 to its default 4357).  A draw whose window fit mean is <= 0 has
 *   no b and is left out of b's SE only (b_draws counts the others).
 *
 * Verdicts (no estimate is made up where the data cannot carry one):
 * - CS_BUNCH_TOO_FEW: fewer than CS_BUNCH_MIN_VALUES values in the 40 bins;
 * - CS_BUNCH_SPARSE: fewer than CS_BUNCH_MIN_FIT_BINS of the 34 fitted bins
 *   hold any value (a degree-5 polynomial through fewer non-empty bins is
 *   fitting zeros);
 * in both cases the bins and counts are filled (for the plot), and the fit,
 * the estimates and the SEs are NAN.
 * - thin (a flag on an estimate, SPEC: "b is unstable where the
 *   counterfactual is thin"): the mean fit over the window is below
 *   CS_BUNCH_THIN_FIT values per bin, the count at which Poisson noise of a
 *   bin is about 45% of it (the chi-square rule of thumb).  B, M, z remain
 *   meaningful; b should be reported with the warning, and is NAN when
 *   the window fit mean is <= 0.
 */

#define CS_BUNCH_BINS 40
#define CS_BUNCH_WIDTH 0.02
#define CS_BUNCH_HALF_RANGE 0.40
#define CS_BUNCH_THRESHOLD_BIN 20     /* first bin at or above f */
#define CS_BUNCH_WIN_FIRST 17
#define CS_BUNCH_WIN_LAST 22
#define CS_BUNCH_DEGREE 5
#define CS_BUNCH_EDGE_EPS 1e-9        /* in bins */
#define CS_BUNCH_DRAWS 500            /* SPEC default */
#define CS_BUNCH_PLACEBO_SHIFT 0.25   /* placebo threshold f - 0.25 */
#define CS_BUNCH_MIN_VALUES 30
#define CS_BUNCH_MIN_FIT_BINS 6
#define CS_BUNCH_THIN_FIT 5.0

enum cs_bunch_verdict {
    CS_BUNCH_OK = 0,
    CS_BUNCH_TOO_FEW,
    CS_BUNCH_SPARSE
};

struct cs_bunch_bin {
    double left;          /* f - 0.40 + j w */
    double centre;        /* f - 0.40 + (j + 0.5) w */
    double count;         /* values in the bin */
    double fit;           /* counterfactual (polynomial); NAN unless verdict OK */
    bool excluded;        /* in the window 17..22 */
};

/* Plain data, no pointers: the caller owns it (a local or a member). */
struct cs_bunching {
    double threshold;             /* f */
    size_t n_total;               /* values given */
    size_t n_binned;              /* in [f - 0.40, f + 0.40) */
    size_t n_below, n_above;      /* outside the range, either side */
    size_t n_nonfinite;           /* NAN or infinite values (not binned) */
    size_t fit_bins_with_data;    /* of the 34 fitted bins, those with count > 0 */
    struct cs_bunch_bin bins[CS_BUNCH_BINS];
    enum cs_bunch_verdict verdict;
    bool thin;                    /* window fit mean < CS_BUNCH_THIN_FIT */
    double window_fit_mean;       /* mean fit over bins 17..22 */
    double excess_mass;           /* B */
    double missing_mass;          /* M */
    double b;                     /* B / window_fit_mean; NAN when that is <= 0 */
    size_t draws;                 /* bootstrap draws made */
    size_t b_draws;               /* draws with a defined b */
    double excess_mass_se, missing_mass_se, b_se;   /* NAN with fewer than 2 draws */
    double z;                     /* B / se(B), the test statistic; NAN when se(B) is NAN or
                                     at rounding level (<= 1e-9 (1 + window_fit_mean): the
                                     polynomial fits the 34 bins exactly) */
    double p;                     /* two-sided normal p-value of z */
};

/*
 * Estimate bunching at threshold f over a[0..n) with `draws` bootstrap
 * draws from `seed`.  The placebo of SPEC 7.6 is the same call at
 * f - CS_BUNCH_PLACEBO_SHIFT (the caller marks it).  Fills *out (caller
 * owned) on success, including the TOO_FEW and SPARSE verdicts.
 *
 * Errors: CS_ERR_USAGE when out is NULL, a is NULL with n > 0, or f is not
 * finite; CS_ERR_NOMEM; CS_ERR_INTERNAL when GSL's QR fails (a bug).
 */
enum cs_status cs_bunching_estimate(const double *a, size_t n, double f, uint64_t seed,
                                    size_t draws, struct cs_bunching *out,
                                    struct cs_error *err);

/* Static English sentence for a verdict. */
const char *cs_bunching_verdict_text(enum cs_bunch_verdict verdict);

#endif
