/* verdict.h - the verdict rule of a finding (issue 19): the data rule, few clusters, Benjamini-Hochberg and the intervals printed. */
#ifndef COMPSIGHT_VERDICT_H
#define COMPSIGHT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/status.h"

/*
 * Pure functions over numbers: no dataset, no I/O.  The rule, in full
 * (docs/ARCHITECTURE.md and the report's method notes say it in words):
 *
 * 1. Data rule, per model, before any term is read: at least
 *    CS_VERDICT_MIN_CLUSTERS clusters (reps; owners for collateral), and
 *    for a logistic model at least CS_VERDICT_PER_TERM x k events of the
 *    rarer outcome, for least squares at least CS_VERDICT_PER_TERM x k
 *    rows, k the non-intercept terms kept in the fit.  A model that fails
 *    is "too little data": none of its terms is read or tested.
 * 2. Few clusters: with 10 to CS_VERDICT_T_MAX_CLUSTERS clusters a term's
 *    p-value and interval use Student's t with G - 1 degrees of freedom;
 *    with more, the normal.
 * 3. The family: every readable finding of one report.  Benjamini-Hochberg
 *    at q = CS_VERDICT_Q; an effect is clear exactly when BH rejects it.
 *    The interval printed is the false-coverage-rate adjusted interval of
 *    Benjamini & Yekutieli (2005) at level 1 - R q / m (R rejections of m;
 *    1 - q / m when R = 0): a finding is clear exactly when its printed
 *    interval excludes no effect (at the boundary p = R q / m, BH rejects
 *    and the interval's end is 0 up to rounding; the verdict decides).
 */

#define CS_VERDICT_MIN_CLUSTERS 10
#define CS_VERDICT_T_MAX_CLUSTERS 29
#define CS_VERDICT_PER_TERM 10
#define CS_VERDICT_Q 0.05

/* The three readings of a finding, worst first. */
enum cs_verdict {
    CS_VERDICT_THIN = 0,     /* too little data: not read, not tested */
    CS_VERDICT_UNCLEAR,      /* read and tested: no clear effect */
    CS_VERDICT_CLEAR         /* BH rejects: a clear effect */
};

/* "too little data", "no clear effect", "clear" (static; results.json's words). */
const char *cs_verdict_name(enum cs_verdict v);

/* What a model's data allow (rule 1), and what reading it would need. */
struct cs_data_rule {
    bool readable;
    bool few_clusters;       /* readable with 10..29 clusters: t(G - 1), say the reps are few */
    bool short_clusters;     /* fewer than need_clusters clusters */
    bool short_events;       /* logistic: the rarer outcome has fewer than need_events */
    bool short_n;            /* least squares: fewer than need_n rows */
    size_t need_clusters;    /* CS_VERDICT_MIN_CLUSTERS */
    size_t need_events;      /* logistic: 10 k of each outcome; 0 for least squares */
    size_t need_n;           /* least squares: 10 k rows; 0 for logistic */
    double df;               /* t degrees of freedom of its terms: G - 1, or 0 for the normal */
};

/*
 * Rule 1 and 2 for a model fitted on n rows in `clusters` clusters with k
 * non-intercept terms kept; events = rows of the rarer outcome (logistic
 * only: min(y = 1, y = 0)).  k == 0 is not readable (nothing to read).
 */
void cs_verdict_data_rule(bool logistic, size_t n, size_t events, size_t clusters, size_t k,
                          struct cs_data_rule *out);

/* Degrees of freedom for a term resting on G clusters: G - 1 when
 * 10 <= G <= 29, else 0 (the normal). */
double cs_verdict_df(size_t clusters);

/* Two-sided p-value of a statistic z: Student t with df degrees of
 * freedom, or the normal when df == 0.  NAN when z is NAN. */
double cs_verdict_p(double z, double df);

/* The two-sided critical value of an interval of level 1 - alpha: t
 * quantile 1 - alpha / 2 with df degrees of freedom, or the normal's when
 * df == 0.  NAN unless 0 < alpha < 1. */
double cs_verdict_crit(double alpha, double df);

/* The family of one report (rule 3). */
struct cs_family {
    size_t m;                /* findings tested (finite p) */
    size_t rejected;         /* R */
    double q;                /* CS_VERDICT_Q */
    double alpha;            /* R q / m, or q / m when R == 0; NAN when m == 0 */
    double level;            /* 1 - alpha: the level of every printed interval */
};

/*
 * Benjamini-Hochberg over p[0..n) at level q_level: NAN entries are not in
 * the family (q[i] NAN, clear[i] false).  q[i] as R's p.adjust(p, "BH");
 * clear[i] true exactly for the rejected ones (p[i] <= R q / m, which is
 * q[i] <= q_level).  *fam gets m, R and the printed intervals' level.
 * Errors: CS_ERR_USAGE for a p outside [0, 1] or q_level outside (0, 1);
 * CS_ERR_NOMEM.
 */
enum cs_status cs_verdict_family(const double *p, size_t n, double q_level, double *q,
                                 bool *clear, struct cs_family *fam, struct cs_error *err);

/*
 * The printed interval of an estimate with standard error se at the
 * family's level 1 - alpha with df (rule 2): estimate -/+ crit se, crit =
 * cs_verdict_crit(alpha, df).  NAN ends when any input is not finite.
 */
void cs_verdict_interval(double estimate, double se, double alpha, double df, double *low,
                         double *high);

/* A bootstrap interval's reading (the proposal's options): clear when
 * both ends are finite and exclude 0, else no clear effect. */
enum cs_verdict cs_verdict_of_interval(double low, double high);

#endif
