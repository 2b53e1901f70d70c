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
#include "compsight/planchange.h"
#include "compsight/regress.h"
#include "compsight/select.h"
#include "compsight/whatif.h"

/*
 * One place for how a document words a figure: report.md, proposal.md
 * and whatif.md alike (full precision stays in the JSON files).  Each
 * formatter writes into buf of size n and returns buf; a figure that is
 * not finite reads "n/a".  The rules:
 * - two significant digits, whole numbers kept whole (133, not 130),
 *   thousands separators from 1,000;
 * - a range, or an estimate with its interval, takes the decimals of its
 *   largest member at every end ("0.1 to 5.6", never "-13k to -133");
 * - a value that rounds to zero prints "0", never "-0";
 * - percentages one way everywhere: exact when the value is short (a
 *   plan's "12.5%", "8.75%", "100%"), else two significant digits
 *   ("22%", "3.4%", "0.42%"), "0%" for zero;
 * - money with its currency code ("4.9k USD");
 * - differences as words with natural signs ("2.8 fewer", "4.9k USD less").
 */

/* A figure: "1,234", "56", "3.4", "0.42". */
const char *cs_words_num(char *buf, size_t n, double x);

/* x with the precision `like` would get (an estimate beside its interval). */
const char *cs_words_num_as(char *buf, size_t n, double x, double like);

/* "0.1 to 5.6": both ends with the precision of the larger. */
const char *cs_words_num_range(char *buf, size_t n, double lo, double hi);

/* A share or a plan's rate, in percent: "22%", "3.4%", "12.5%", "0%". */
const char *cs_words_pct(char *buf, size_t n, double fraction);

/* "3.7% to 38%": both ends with the decimals of the larger. */
const char *cs_words_pct_range(char *buf, size_t n, double lo, double hi);

/* The level of an interval: "95%", "98%", "99.7%" (never "100%"). */
const char *cs_words_level(char *buf, size_t n, double level);

/* An odds ratio: two decimals below 10 (1.08, since the distance from 1
 * is the point), one below 100, none above; _as with the precision of
 * `like`, _range with the precision of the larger end. */
const char *cs_words_ratio(char *buf, size_t n, double x);
const char *cs_words_ratio_as(char *buf, size_t n, double x, double like);
const char *cs_words_ratio_range(char *buf, size_t n, double lo, double hi);

/* A p-value: "< 0.001", else two significant digits ("0.0035"). */
const char *cs_words_p(char *buf, size_t n, double p);

/* An expected count of deals or promises (cs_words_num). */
const char *cs_words_expected(char *buf, size_t n, double x);

/* How cs_words_change words a difference. */
struct cs_words_change_style {
    const char *less, *more;   /* "fewer" / "more", "less" / "more" */
    const char *none;          /* when it rounds to zero: "no change" */
    const char *currency;      /* money: its code after every amount; NULL: a count */
    const char *interval;      /* words before the interval ("95% interval "), or "" */
};

/*
 * A difference with its interval (NAN ends: none) in words with natural
 * signs: "2.8 fewer (95% interval 0.1 to 5.6 fewer)", "1.2 fewer (95%
 * interval from 2.5 fewer to 0.1 more)", "4.9k USD less (...)", and
 * st->none when it rounds to zero.
 */
const char *cs_words_change(char *buf, size_t n, double est, double lo, double hi,
                            const struct cs_words_change_style *st);

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
 * Crediting by deal type (SPEC 13's credit_ columns)
 * -------------------------------------------------------------------- */

/* The deal types plan p of pl (NULL or a table without credit_ arrays:
 * ds's) credits at other than their full amount: "renewals at 50%",
 * "expansions at 80% and renewals at 50%"; false (and "") when it credits
 * every type in full. */
bool cs_words_credit(char *buf, size_t n, const struct cs_dataset *ds, const struct cs_plans *pl,
                     size_t p);

/* The same for a table cell: "every deal in full" when nothing is less. */
const char *cs_words_crediting(char *buf, size_t n, const struct cs_dataset *ds,
                               const struct cs_plans *pl, size_t p);

/* The proposal's option on plan `plan` that credits renewals at `after`
 * instead of `before`, as one plain sentence for a sales leader ("MM-Q:
 * count renewals at half (a renewal adds half its amount to attainment
 * ...)"), and its trade-off for the recommendation. */
const char *cs_words_renewals_option(char *buf, size_t n, const char *plan, double before,
                                     double after);
const char *cs_words_renewals_trade_off(char *buf, size_t n);

/* ----------------------------------------------------------------------
 * Money (the corporate currency: cs_ds_currency)
 * -------------------------------------------------------------------- */

/* An amount with its currency code: "4.9k USD", "1.2M USD", "950 USD";
 * two significant digits (whole units kept: "133k USD"), never "-0";
 * currency NULL: the number alone ("4.9k", for a column that names it). */
const char *cs_words_money(char *buf, size_t n, double x, const char *currency);

/* "1.2k to 9.3k USD": both ends in the unit and precision of the larger. */
const char *cs_words_money_range(char *buf, size_t n, double lo, double hi, const char *currency);

/* The label of a money axis whose values reach max, and its divisor:
 * "millions of USD" (from 2e6), "thousands of USD" (from 2e3), "USD". */
double cs_words_money_axis(char *buf, size_t n, double max, const char *currency);

/* ----------------------------------------------------------------------
 * Verdicts in words (findings.h): the only place a verdict becomes text
 * -------------------------------------------------------------------- */

/* "clear", "no clear effect", "too little data". */
const char *cs_words_verdict(enum cs_verdict v);

/* What reading model m tells ("the link between the plan and risky
 * promises"), and what its clusters are ("reps", "asset owners", "reps
 * with both risky and other deals"); static text. */
const char *cs_words_model_about(enum cs_model_id m);
const char *cs_words_model_clusters(enum cs_model_id m);

/* A least-squares model's outcome in percentage points per unit (1 for
 * discount_pct, 100 for a share); 0 for a logistic model. */
double cs_words_outcome_points(enum cs_model_id m);

/* s with its first letter lowered, for a subject mid-sentence (an
 * acronym's capitals kept). */
const char *cs_words_lowered(char *buf, size_t n, const char *s);

/*
 * What the difference between a term's within-rep estimate w (the one
 * that leads) and its across-rep estimate a means, as a clause without a
 * capital or a full stop (SPEC 14.1; docs/WITHIN.md gives the
 * rule).  The two differ when a's estimate lies outside w's printed
 * interval, a reading aid rather than a test:
 *   w clear, differ, a larger:    "part of the link across reps is who the reps are"
 *   w clear, differ, a smaller:   "the link is stronger within the same rep, so differences
 *                                  between reps hide part of it across reps"
 *   w clear, differ, other sign:  "across reps the link goes the other way, so it comes from
 *                                  who the reps are"
 *   w clear, agree:               "the two agree, so who the reps are does not explain this
 *                                  link away"
 *   w not clear, a clear:         "the same-rep comparison is too uncertain to confirm it, so
 *                                  the link across reps may be who the reps are"
 *   neither clear:                "neither comparison shows a clear link"
 * (when the same-rep estimate shows no clear link, whether the other lies
 * outside its interval is not read: it would call "part of the link" what
 * is no clear link at all.)
 * "" when either is not read (too little data).
 */
const char *cs_words_within_contrast(char *buf, size_t n, const struct cs_finding *w,
                                     const struct cs_finding *a);

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
 *   TERM within-rep: the same after "Same rep: " ("Same rep: deals closed in ... went
 *                     with 1.6 times the odds of a risky promise")
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

/* The headline of the push-out finding (SPEC 14.2) for its plot: the
 * verdict of the model's nothing_to_earn term with the two groups' shares
 * ("After a quarter with nothing more to earn, reps close more of the next
 * quarter's bookings in its first two weeks (31% against 15%)", "No clear
 * sign of deals held back to the next quarter (...)"), or why it has none. */
const char *cs_words_push_title(char *buf, size_t n, const struct cs_analysis *an);

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
 * Plan changes (SPEC 14.3)
 * -------------------------------------------------------------------- */

/* A change of a rate (fractions) in percentage points with its interval
 * at level (NAN: no interval words): "11 points lower (95% interval 4.7
 * to 17 points lower)", "2 points higher (95% interval from 3.1 points
 * lower to 7 points higher)", "no change". */
const char *cs_words_points(char *buf, size_t n, double est, double lo, double hi, double level);

/* The headline of a plan change (plot title, alt text): its plans and
 * date and what the difference-in-differences says, never more than its
 * verdict: "Plan MM-Q to MM-Q-FY26 on 2026-01-01: risky deals 11 points
 * lower for the 7 reps who moved than for the others" (clear), "...: no
 * clear change in risky deals for the 7 reps who moved", "...: too little
 * data to tell ...", "...: no estimate yet". */
const char *cs_words_plan_change_title(char *buf, size_t n, const struct cs_dataset *ds,
                                       const struct cs_plan_change *c);

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
