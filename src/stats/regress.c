/* regress.c - what the three fits share: flags, options, freeing the fit record, prediction (fitkit.c makes and fills it). */
#include <math.h>
#include <stdlib.h>

#include "compsight/regress.h"
#include "regress_impl.h"

/* ======================================================================
 * Flags, options, allocation
 * ==================================================================== */

static const struct {
    unsigned flag;
    const char *text;
} flag_table[] = {
    {CS_REGRESS_NO_ROWS, "no rows to fit"},
    {CS_REGRESS_NO_TERMS, "no terms left to fit"},
    {CS_REGRESS_Y_CONSTANT, "every outcome is the same"},
    {CS_REGRESS_TOO_FEW_ROWS, "not more rows than terms"},
    {CS_REGRESS_FEW_CLUSTERS, "fewer than 2 clusters: no cluster-robust standard errors"},
    {CS_REGRESS_NOT_CONVERGED, "the fit did not converge"},
    {CS_REGRESS_SEPARATION, "separation: some outcomes are predicted perfectly"},
    {CS_REGRESS_SINGULAR, "singular information matrix: no standard errors"},
    {CS_REGRESS_PERFECT_FIT, "every residual is zero"},
};

const char *cs_regress_flag_text(unsigned flag)
{
    for (size_t i = 0; i < sizeof flag_table / sizeof flag_table[0]; i++)
        if (flag_table[i].flag == flag)
            return flag_table[i].text;
    return "";
}

struct cs_regress_options cs_regress_options_default(void)
{
    struct cs_regress_options o = {.max_iter = 100, .dev_tol = 1e-10, .coef_tol = 1e-12, .threads = 2};
    return o;
}

/* Options from opt (NULL: defaults); CS_ERR_USAGE when out of range. */
enum cs_status cs_regress_get_options(const struct cs_regress_options *opt,
                                      struct cs_regress_options *o, struct cs_error *err)
{
    *o = opt ? *opt : cs_regress_options_default();
    if (o->max_iter < 1 || !(o->dev_tol >= 0) || !(o->coef_tol >= 0))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "regression: bad options (max_iter %d, dev_tol %g, coef_tol %g)",
                            o->max_iter, o->dev_tol, o->coef_tol);
    return CS_OK;
}

void cs_regress_free(struct cs_regress_fit *fit)
{
    if (!fit)
        return;
    free(fit->dropped);
    free(fit->dropped_column);
    free(fit->terms);
    free(fit->vcov);
    free(fit->vcov_cluster);
    free(fit);
}

/* ======================================================================
 * Prediction
 * ==================================================================== */

double cs_regress_predict(const struct cs_regress_fit *fit, const double *x_row)
{
    if (!fit || !fit->fitted || !x_row)
        return NAN;
    double eta = 0;
    for (size_t t = 0; t < fit->k; t++)
        eta += fit->terms[t].estimate * x_row[fit->terms[t].column];
    return eta;
}

double cs_regress_predict_logit(const struct cs_regress_fit *fit, const double *x_row)
{
    if (!fit || fit->model == CS_REGRESS_OLS)
        return NAN;
    double eta = cs_regress_predict(fit, x_row);
    if (isnan(eta))
        return NAN;
    double e = exp(-fabs(eta));
    return eta >= 0 ? 1 / (1 + e) : e / (1 + e);
}
