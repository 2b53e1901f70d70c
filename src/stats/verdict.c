/* verdict.c - the verdict rule of a finding: the data rule, t for few clusters, Benjamini-Hochberg and false-coverage-rate intervals (verdict.h). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "compsight/stattest.h"
#include "compsight/verdict.h"

const char *cs_verdict_name(enum cs_verdict v)
{
    switch (v) {
    case CS_VERDICT_THIN:    return "too little data";
    case CS_VERDICT_UNCLEAR: return "no clear effect";
    case CS_VERDICT_CLEAR:   return "clear";
    }
    return "?";
}

void cs_verdict_data_rule(bool logistic, size_t n, size_t events, size_t clusters, size_t k,
                          struct cs_data_rule *out)
{
    *out = (struct cs_data_rule){.need_clusters = CS_VERDICT_MIN_CLUSTERS};
    if (logistic)
        out->need_events = CS_VERDICT_PER_TERM * k;
    else
        out->need_n = CS_VERDICT_PER_TERM * k;
    out->short_clusters = clusters < CS_VERDICT_MIN_CLUSTERS;
    out->short_events = logistic && events < out->need_events;
    out->short_n = !logistic && n < out->need_n;
    out->readable = k > 0 && !out->short_clusters && !out->short_events && !out->short_n;
    out->df = out->readable ? cs_verdict_df(clusters) : 0;
    out->few_clusters = out->readable && out->df > 0;
}

double cs_verdict_df(size_t clusters)
{
    if (clusters >= CS_VERDICT_MIN_CLUSTERS && clusters <= CS_VERDICT_T_MAX_CLUSTERS)
        return (double)(clusters - 1);
    return 0;
}

double cs_verdict_p(double z, double df)
{
    if (isnan(z))
        return NAN;
    double a = fabs(z);
    double p = df > 0 ? 2 * gsl_cdf_tdist_Q(a, df) : 2 * gsl_cdf_ugaussian_Q(a);
    return p > 1 ? 1 : p;
}

double cs_verdict_crit(double alpha, double df)
{
    if (!(alpha > 0 && alpha < 1))
        return NAN;
    return df > 0 ? gsl_cdf_tdist_Qinv(alpha / 2, df) : gsl_cdf_ugaussian_Qinv(alpha / 2);
}

struct ranked {
    double p;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

enum cs_status cs_verdict_family(const double *p, size_t n, double q_level, double *q,
                                 bool *clear, struct cs_family *fam, struct cs_error *err)
{
    if (!(q_level > 0 && q_level < 1))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_verdict_family: q level %g", q_level);
    enum cs_status st = cs_bh(p, n, q, err);
    if (st != CS_OK)
        return st;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += !isnan(p[i]);
    struct ranked *r = malloc((m ? m : 1) * sizeof *r);
    if (!r)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0, j = 0; i < n; i++)
        if (!isnan(p[i]))
            r[j++] = (struct ranked){p[i], i};
    qsort(r, m, sizeof *r, cmp_ranked);
    /* R = the largest k with p_(k) <= k q / m; the rejected are those with
     * p <= p_(R), decided on the p-values themselves so that ties and
     * rounding cannot split them. */
    size_t rej = 0;
    for (size_t k = m; k > 0; k--)
        if (r[k - 1].p <= (double)k * q_level / (double)m) {
            rej = k;
            break;
        }
    double cut = rej ? r[rej - 1].p : -1;
    for (size_t i = 0; i < n; i++)
        clear[i] = !isnan(p[i]) && p[i] <= cut;
    free(r);
    fam->m = m;
    fam->rejected = rej;
    fam->q = q_level;
    fam->alpha = m == 0 ? NAN : (double)(rej ? rej : 1) * q_level / (double)m;
    fam->level = 1 - fam->alpha;
    return CS_OK;
}

void cs_verdict_interval(double estimate, double se, double alpha, double df, double *low,
                         double *high)
{
    double c = cs_verdict_crit(alpha, df);
    if (!isfinite(estimate) || !isfinite(se) || !isfinite(c)) {
        *low = *high = NAN;
        return;
    }
    *low = estimate - c * se;
    *high = estimate + c * se;
}

enum cs_verdict cs_verdict_of_interval(double low, double high)
{
    return isfinite(low) && isfinite(high) && (low > 0 || high < 0) ? CS_VERDICT_CLEAR
                                                                     : CS_VERDICT_UNCLEAR;
}
