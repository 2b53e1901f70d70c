/* wording.c - numbers and model terms in words, for every document and plot of report/ (wording.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wording.h"

/* ======================================================================
 * Percentages: the report's and the plan's
 * ==================================================================== */

const char *cs_words_pct_share(char *buf, size_t n, double share)
{
    if (!isfinite(share))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.*f%%", fabs(share) < 0.1 ? 1 : 0, 100 * share);
    return buf;
}

const char *cs_words_pct_plan(char *buf, size_t n, double fraction)
{
    if (!isfinite(fraction))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.4g%%", 100 * fraction);
    return buf;
}

/* ======================================================================
 * Effects
 * ==================================================================== */

const char *cs_words_ratio(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (x >= 100)
        snprintf(buf, n, "%.0f", x);
    else if (x >= 10)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2f", x);
    return buf;
}

const char *cs_words_num(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (fabs(x) >= 100)
        snprintf(buf, n, "%.0f", x);
    else if (fabs(x) >= 10)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2g", x);
    return buf;
}

const struct cs_regress_term *cs_words_find_term(const struct cs_regress_fit *fit,
                                                 const char *name)
{
    if (!fit || !fit->fitted)
        return NULL;
    for (size_t j = 0; j < fit->k; j++)
        if (strcmp(fit->terms[j].name, name) == 0)
            return &fit->terms[j];
    return NULL;
}

/* ======================================================================
 * Units of amount axes
 * ==================================================================== */

double cs_words_money_unit(double max, const char **word)
{
    if (max >= 2e6) {
        *word = "millions";
        return 1e6;
    }
    if (max >= 2e3) {
        *word = "thousands";
        return 1e3;
    }
    *word = "units";
    return 1.0;
}

double cs_words_value_unit(double max, const char **word)
{
    if (max >= 2e6) {
        *word = " (millions)";
        return 1e6;
    }
    if (max >= 2e4) {
        *word = " (thousands)";
        return 1e3;
    }
    *word = "";
    return 1.0;
}
