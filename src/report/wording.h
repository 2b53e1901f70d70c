/* wording.h - numbers and model terms in words, for every document and plot of report/ (private to report/). */
#ifndef COMPSIGHT_REPORT_WORDING_H
#define COMPSIGHT_REPORT_WORDING_H

#include <stddef.h>
#include "compsight/regress.h"

/*
 * One place for how report/ words a figure.  Full precision stays in the
 * JSON files; these round for reading.  Each cs_words_* formatter writes
 * into buf of size n and returns buf; a figure that is not finite reads
 * "n/a".
 *
 * Where two documents word the same kind of figure differently today, both
 * ways are here under their own names, unchanged: the issue on trustworthy
 * findings chooses one (and tests pin every document's bytes until then).
 */

/* A share in percent, as the report writes it: whole percent, one decimal
 * below 10% ("12%", "3.4%", "0.0%"). */
const char *cs_words_pct_share(char *buf, size_t n, double share);

/* A plan's rate or floor in percent, as the what-if and the proposal write
 * it: up to four significant digits ("12%", "10.5%", "8.75%", "0%"). */
const char *cs_words_pct_plan(char *buf, size_t n, double fraction);

/* An odds ratio: two decimals below 10 (1.08, not 1.1, since the distance
 * from 1 is the point), one below 100, none above. */
const char *cs_words_ratio(char *buf, size_t n, double x);

/* An effect: two significant digits below 10, one decimal below 100,
 * whole above. */
const char *cs_words_num(char *buf, size_t n, double x);

/* The term `name` of a fitted model, or NULL (fit NULL or not fitted, or
 * no such term). */
const struct cs_regress_term *cs_words_find_term(const struct cs_regress_fit *fit,
                                                 const char *name);

/*
 * The unit of an amount axis for values up to max: the divisor, and its
 * words in *word.  Two today, as the plots use them:
 * cs_words_money_unit ("when": "millions" from 2e6, "thousands" from 2e3,
 * else "units") and cs_words_value_unit ("whatif": " (millions)" from 2e6,
 * " (thousands)" from 2e4, else "", ready to append to the axis label).
 */
double cs_words_money_unit(double max, const char **word);
double cs_words_value_unit(double max, const char **word);

#endif
