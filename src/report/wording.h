/* wording.h - numbers, model terms and shared passages in words, for every document and plot of report/ (private to report/). */
#ifndef COMPSIGHT_REPORT_WORDING_H
#define COMPSIGHT_REPORT_WORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/analysis.h"
#include "compsight/dataset.h"
#include "compsight/doc.h"
#include "compsight/findings.h"
#include "compsight/regress.h"
#include "compsight/select.h"
#include "compsight/whatif.h"

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

/* An expected count of deals or promises: 1,234 / 56 / 3.4 / 0.42 (never
 * "-0"). */
const char *cs_words_expected(char *buf, size_t n, double x);

/* A formatter of the kind above, for the two that follow. */
typedef const char *cs_words_fn(char *buf, size_t n, double x);

/* A what-if difference with its interval, by f: "3.4 (1.2 to 5.6)", or the
 * estimate alone without an interval; with negate, of its opposite (an
 * avoided count: the interval's ends swap). */
const char *cs_words_ci(char *buf, size_t n, const struct cs_whatif_diff *d, bool negate,
                        cs_words_fn *f);

/* A difference as a phrase, by f: "4.1 fewer (95% interval 0.9 to 8.3
 * fewer)", "... (95% interval from 2.0 fewer to 1.1 more)"; less and more
 * are the words for each direction. */
const char *cs_words_diff(char *buf, size_t n, const struct cs_whatif_diff *d, cs_words_fn *f,
                          const char *less, const char *more);

/* Whether a difference's 95% interval excludes 0: a clear effect. */
bool cs_words_clear(const struct cs_whatif_diff *d);

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

/* A plan's period: "year" or "quarter" (CS_PERIOD_*). */
const char *cs_words_period_word(uint8_t period_type);

/* ----------------------------------------------------------------------
 * Money (the corporate currency: cs_ds_currency)
 * -------------------------------------------------------------------- */

/* An amount with its currency code: "4.9k USD", "1.2M USD", "950 USD";
 * two significant digits (whole units kept: "133k USD"), never "-0". */
const char *cs_words_money(char *buf, size_t n, double x, const char *currency);

/* The label of a money axis whose values reach max, and its divisor:
 * "millions of USD" (from 2e6), "thousands of USD" (from 2e3), "USD". */
double cs_words_money_axis(char *buf, size_t n, double max, const char *currency);

/* ----------------------------------------------------------------------
 * Verdicts in words (findings.h): the only place a verdict becomes text
 * -------------------------------------------------------------------- */

/* "clear", "no clear effect", "too little data". */
const char *cs_words_verdict(enum cs_verdict v);

/* What a model term is about, in plan language, and the unit its effect
 * is read per (*scale: 0.01 for a percentage point of rate, ln 2 for a
 * doubling, 0.1 for 10 points of target shortfall, else 1).  Never an
 * identifier: an unknown term reads "another element of the model". */
const char *cs_words_term_subject(enum cs_model_id m, const char *term, double *scale);

/*
 * One finding as a plain-text sentence without a final full stop, for a
 * plot title, an alt text or a summary line; it states the verdict and
 * never claims more:
 *   TERM clear:      "Deals closed in the last two weeks of the plan period went with
 *                     3.1 times the odds of a risky promise"
 *   TERM not clear:  "Deals closed in ...: no clear effect on the odds of a risky promise"
 *   TERM thin:       "Deals closed in ...: too little data to tell"
 *   BUNCHING clear:  "Plan MM-Q: more rep-quarters end just above the 100% floor than the
 *                     smooth pattern predicts" (fewer, when below it)
 *   BUNCHING not:    "Plan MM-Q: no clear bunching at the 100% floor"
 *   BUNCHING thin:   "Plan MM-Q: too few rep-quarters near the 100% floor to tell"
 *   TIMING clear:    "22% of bookings closed in the last 14 days of the period, against 10%
 *                     at an even pace"
 *   TIMING not:      "No clear departure from an even pace of closes over the period"
 * ds names the plan (control characters dropped); an holds the timing.
 */
const char *cs_words_finding_title(char *buf, size_t n, const struct cs_dataset *ds,
                                   const struct cs_analysis *an, const struct cs_finding *f);

/* The headline of model m for its plot: its strongest clear finding
 * (cs_words_finding_title), or that no element has a clear link, or that
 * there is too little data to read it. */
const char *cs_words_model_title(char *buf, size_t n, const struct cs_analysis *an,
                                 enum cs_model_id m);

/* Why model m is too little data and what reading it would need, as a
 * sentence: "This rests on 56 deals of 4 reps; reading it needs at least
 * 10 reps and at least 70 deals of each kind (risky and not); here 12
 * were risky." */
const char *cs_words_model_thin(char *buf, size_t n, const struct cs_model_rule *r,
                                enum cs_model_id m);

/* The reading of a bunching row (table, summary and plot title agree):
 * "clear excess just above the floor", "no clear excess", ... */
const char *cs_words_bunching_reading(const struct cs_analysis *an, const struct cs_finding *f);

/* ----------------------------------------------------------------------
 * Passages shared by whatif.md and proposal.md (SPEC 8)
 * -------------------------------------------------------------------- */

/* Under every simulated figure, in the words of SPEC 8's brief. */
extern const char cs_words_first_order[];

/* "fiscal quarter 2026Q2" / "all periods in the data (2025Q1 to 2026Q2)" */
void cs_words_period_phrase(char *buf, size_t n, const struct cs_selection *sel);

/* The method bullets: what the simulated figures are and are not. */
void cs_words_method_bullets(struct cs_doc *d, const struct cs_whatif_base *b);

/* The image plots/NAME.png with its alt text and caption. */
void cs_words_plot_image(struct cs_doc *d, const char *name, const char *alt, const char *caption);

#endif
