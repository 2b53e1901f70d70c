/* plot.h - the report's plots (SPEC 9): aggregation in C, gnuplot scripts as pure builders, and the runner. */
#ifndef COMPSIGHT_PLOT_H
#define COMPSIGHT_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "compsight/analysis.h"
#include "compsight/bunching.h"
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/measured.h"
#include "compsight/outcomes.h"
#include "compsight/select.h"
#include "compsight/stattest.h"
#include "compsight/status.h"

/*
 * Three layers, so that each can be tested alone (docs/PLOTS.md):
 *
 *  1. Aggregation (cs_plot_*_aggregate): the data of a plot, counted and
 *     binned in C into a small plain struct.  gnuplot never sees a deal.
 *     The measured data come in as a struct cs_measured (measured.h), all
 *     borrowed; m->sel is the selection the analysis was run on, where an
 *     aggregate also reads the analysis.
 *  2. Builders (cs_plot_*_script): pure functions writing one complete
 *     gnuplot script into a FILE * (a memstream in the tests, compared with
 *     tests/golden/plots/).  Data goes in as numbers-only datablocks; every
 *     string that could come from the data (plan ids, quarter labels, term
 *     names, what-if labels) and every label or title goes through
 *     cs_gp_quote and carries `noenhanced`.  A script draws BASE.png
 *     (pngcairo) and then BASE.svg (the same plot, replotted), both
 *     relative to the current directory: run it from the plots directory.
 *  3. The runner (cs_plot_run): writes DIR/NAME.gp atomically and feeds the
 *     script to gnuplot on a pipe, gnuplot working in a private directory
 *     inside DIR from which the images are moved into DIR.
 *
 * cs_plots_write does all three for the report, from a table of its plots.
 * Builders never fail: a write error shows in ferror(f), which the caller
 * checks.  Strings in these structs are borrowed unless said otherwise.
 * The code: src/report/plot_<family>.c (aggregation and builder of each
 * family, below), gnuplot.c (quoting and the runner), plots.c (the
 * report's table and cs_plots_write).
 */

/* Every plot is drawn at this size, for slides and for the HTML report. */
#define CS_PLOT_WIDTH 1280
#define CS_PLOT_HEIGHT 720

/* ======================================================================
 * Quoting
 * ==================================================================== */

/*
 * Write s as one gnuplot single-quoted string literal: ' is doubled,
 * control characters (bytes < 0x20 and 0x7f) are dropped, bytes that are
 * not well-formed UTF-8 become '?', and valid UTF-8 is kept.  gnuplot's
 * scanner only reads '' as a quote after a character other than a quote,
 * so a quote at the start of s or right after another one gets a zero-width
 * space (U+200B) in front: the text reads the same.  Inside single quotes
 * gnuplot expands neither backquotes, nor @macros (its macro pass counts
 * quotes, and the doubling keeps the count even), nor backslash escapes,
 * and without a newline the literal cannot end the command: the result is
 * text, whatever s holds.  s NULL is written as ''.  Never use a quoted
 * string as a file name: output names are fixed by compsight.
 */
void cs_gp_quote(FILE *f, const char *s);

/*
 * The same literal for an explicit tic label (`set xtics ('label' 1, ...)`):
 * gnuplot runs such labels through its number formatter, so % is doubled
 * as well ("6%" would be a bad format, "%s%n" worse).  Every other text
 * (titles, axis labels, `set label`, key titles) uses cs_gp_quote.
 */
void cs_gp_quote_tic(FILE *f, const char *s);

/* ======================================================================
 * "where": risky-promise rate over attainment before the deal x weeks to
 * the end of the plan period (the centrepiece)
 * ==================================================================== */

#define CS_PLOT_WHERE_MAX_ROWS 16
#define CS_PLOT_WHERE_MAX_COLS 14
#define CS_PLOT_WHERE_MIN_CELL 10     /* cells with fewer deals are left blank: a rate of
                                         5 deals moves in steps of 20 points */
#define CS_PLOT_WHERE_MIN_SHOWN 12    /* fewer filled cells on the fine grid: the coarse
                                         grid; fewer than half that there: no plot */
#define CS_PLOT_MAX_FLOORS 8
#define CS_PLOT_WHERE_WIDE 0.25       /* a cell whose 95% Wilson interval is wider than this
                                         (25 points) is hatched and faded: its colour says
                                         little (55% of 11 deals runs from 28% to 79%) */

struct cs_plot_where {
    bool coarse;              /* false: 16 rows of 0.10 x 14 columns of 1 week;
                                 true: 7 rows of 0.25 x 7 columns of 2 weeks */
    double row_step;          /* attainment bin width (fraction of quota) */
    size_t rows;              /* rows - 1 bins of row_step from 0, the last open-ended */
    int col_weeks;            /* weeks per column */
    size_t cols;              /* cols - 1 columns of col_weeks weeks from 0, the last open */
    size_t min_cell;          /* CS_PLOT_WHERE_MIN_CELL */
    size_t deals[CS_PLOT_WHERE_MAX_ROWS][CS_PLOT_WHERE_MAX_COLS];
    size_t risky[CS_PLOT_WHERE_MAX_ROWS][CS_PLOT_WHERE_MAX_COLS];
    size_t n_deals, n_risky;  /* over every cell */
    size_t cells_shown;       /* cells with at least min_cell deals */
    size_t n_floors;          /* distinct tier floors in (0, upper edge of the last closed row] */
    double floors[CS_PLOT_MAX_FLOORS];
    const char *title;        /* the finding (NULL: a neutral title); set by the caller */
};

/* Count the won deals of m->sel (promise_risk from m->oc) into *w, with
 * the fine (coarse false) or coarse grid.  Plain arithmetic, no error. */
void cs_plot_where_aggregate(const struct cs_measured *m, bool coarse, struct cs_plot_where *w);

/*
 * The heat map.  Each cell shows its share and n; a cell whose share's 95%
 * Wilson interval is wider than CS_PLOT_WHERE_WIDE is hatched and faded
 * (its share printed in dark type), and the colour scale ends at the
 * largest share of the other cells, so that a share of a handful of deals
 * never looks like the strongest finding.  Grey cells (fewer than
 * min_cell deals) show their n, n = 0 included.
 */
void cs_plot_where_script(FILE *f, const struct cs_plot_where *w, const char *base);

/* ======================================================================
 * "when": bookings by day before the period end, risky share per week
 * ==================================================================== */

#define CS_PLOT_WHEN_DAYS 92          /* days 0 .. 91 before the end (a quarter's length) */
#define CS_PLOT_WHEN_WEEKS 13         /* weeks 0 .. 11 of 7 days, week 12 = days 84 .. 91 */
#define CS_PLOT_WHEN_MIN_WEEK 5       /* weeks with fewer deals get no risky-share point */

struct cs_plot_when {
    double bookings[CS_PLOT_WHEN_DAYS];   /* amount closed that many days before the end */
    double even[CS_PLOT_WHEN_DAYS];       /* the same at an even pace: every selected won deal's
                                             amount spread over the L days of its plan period
                                             (amount / L on each day it covers) */
    size_t deals_week[CS_PLOT_WHEN_WEEKS], risky_week[CS_PLOT_WHEN_WEEKS];
    size_t n_deals;                /* selected won deals within the 92 days */
    double total;                  /* their bookings */
    size_t beyond_deals;           /* selected won deals further out (annual plans) */
    double beyond_bookings;
    bool risk;                     /* promise data given: draw the risky share */
    bool pooled;                   /* several periods (--period all): bookings are added up */
    double last14_share, expected_share;   /* from the timing analysis; NAN when absent */
    /* The even-pace share of the last 14 days (SPEC 7.5), by plan period:
     * a quarterly plan puts 14 of its ~91 days there, an annual one 14 of
     * 365, so their mix weighted by bookings is below 14/91. */
    double quarter_bookings, year_bookings;      /* of the selected won deals, all days */
    double quarter_even, year_even;              /* even-pace share of each (NAN without any) */
    const char *currency;     /* the bookings' currency code, for the axis (NULL: none said) */
    const char *title;        /* the finding (NULL: a neutral title); set by the caller */
};

/* The won deals of m->sel by days before their period end, and the even
 * pace; the shares of the title from an's timing analysis; currency is
 * left NULL for the caller.  No error. */
void cs_plot_when_aggregate(const struct cs_measured *m, const struct cs_analysis *an,
                            struct cs_plot_when *w);

void cs_plot_when_script(FILE *f, const struct cs_plot_when *w, const char *base);

/* ======================================================================
 * "threshold": one plan floor's final-attainment histogram and the
 * bunching counterfactual (SPEC 7.6)
 * ==================================================================== */

struct cs_plot_threshold {
    const char *plan;                    /* plan id as in the data (quoted in the script) */
    const char *period_word;             /* "quarter" or "year" */
    const struct cs_bunching *est;       /* verdict CS_BUNCH_OK */
    const struct cs_bunching *placebo;   /* the placebo estimate, or NULL */
    const char *title;                   /* the finding (NULL: a neutral title naming the plan
                                            and floor); set by the caller */
    double low, high, level;             /* the interval of the excess the report prints (its
                                            finding's); NAN: "estimate ± SE" instead */
};

void cs_plot_threshold_script(FILE *f, const struct cs_plot_threshold *t, const char *base);

/* ======================================================================
 * "how strong": forest plot of the promise_risk model's odds ratios
 * ==================================================================== */

struct cs_plot_forest_row {
    const char *term;         /* term name as in results.json */
    const char *label;        /* reader's label, unit included (static) */
    double odds_ratio, low, high;   /* the estimate that gives the verdict (cs_findings_lead),
                                       rescaled to the label's unit; the interval the report
                                       prints (its finding's) */
    bool clear;               /* the finding's verdict is clear: orange, else grey */
    bool within;              /* that estimate compares each rep with themselves */
    bool beside;              /* the other estimate of the term is drawn too: */
    double beside_or, beside_low, beside_high;   /* across reps, beside a within-rep one */
    bool beside_clear;        /* its own verdict */
};

struct cs_plot_forest {
    size_t n;
    struct cs_plot_forest_row rows[CS_REGRESS_MAX_TERMS];
    size_t deals;             /* rows of the fit */
    bool firth;               /* the Firth refit (separation) is shown */
    size_t left_out;          /* terms not shown: dropped by the fit, or no finite interval */
    const char *left_out_terms[CS_REGRESS_MAX_TERMS];   /* their readers' labels (static) */
    double level;             /* level of the intervals (the report's family); NAN: 95% */
    size_t tested;            /* effects the report tests at once (its family), 0: unknown */
    const char *title;        /* the finding (NULL: a neutral title); set by the caller */
    bool within;              /* some row has a within-rep estimate with the across-rep one
                                 beside it: the plot shows both, and says which is which */
    size_t within_reps;       /* the reps the within-rep estimates rest on (those with both
                                 risky and other deals) */
};

/*
 * The odds ratios of an->model[CS_MODEL_PROMISE_RISK] (its Firth refit
 * when the plain fit shows separation), intercept excluded, each term
 * with the estimate that gives its verdict (the within-rep one of
 * promise_risk_within when it can be read, with the across-rep one beside
 * it: SPEC 14.1); marginal_rate
 * rescaled to +1 percentage point (OR^0.01) and log_amount to a doubling
 * of the deal (OR^ln 2).  Interval and colour are each term's finding's
 * (an->findings): the interval the report prints, widened for the effects
 * it tests, and its verdict, so that the picture never disagrees with the
 * text; without findings, the fit's 95% interval and whether it excludes
 * 1.  Returns false, with *fo empty, when there is no fitted model with at
 * least one finite interval.
 */
bool cs_plot_forest_aggregate(const struct cs_analysis *an, struct cs_plot_forest *fo);

void cs_plot_forest_script(FILE *f, const struct cs_plot_forest *fo, const char *base);

/* ======================================================================
 * "push-out": the next quarter's early share after nothing more to earn
 * ==================================================================== */

/*
 * Over the push-out model's rep-quarters (SPEC 14.2): the share of the
 * next quarter's bookings closed in its first 14 days, mean of the
 * rep-quarters that ended with nothing more to earn against the others,
 * each with its rep-clustered 95% interval, and the share an even pace
 * would give the first 14 days of a quarter.  Colour is the verdict of
 * the model's nothing_to_earn term.
 */
struct cs_plot_push {
    double share[2], low[2], high[2];   /* [0] the others, [1] nothing more to earn */
    size_t n[2];                        /* rep-quarters */
    size_t reps;
    double even;                        /* 14 / 91 */
    bool clear;                         /* the finding's verdict is clear */
    const char *title;                  /* the finding (NULL: a neutral title); the caller's */
};

/* From an->push_out and the nothing_to_earn finding; false, with *p
 * empty, when there is no such finding (no rep-quarter ended with nothing
 * more to earn, or the model was not fitted). */
bool cs_plot_push_aggregate(const struct cs_analysis *an, struct cs_plot_push *p);

void cs_plot_push_script(FILE *f, const struct cs_plot_push *p, const char *base);

/* ======================================================================
 * Rates by category with Wilson intervals: "per tier" and "collateral"
 * ==================================================================== */

#define CS_PLOT_MAX_CATS 24
#define CS_PLOT_MAX_GROUPS 8

struct cs_plot_cat {
    char label[32];           /* its label, made by compsight ("8%", "10-20%") */
    size_t pos;               /* its slot on the x axis */
    size_t k, n;              /* events of n */
    struct cs_wilson w;
};

/* A group of slots (per tier: a plan), drawn as its own panel. */
struct cs_plot_group {
    const char *name;         /* plan id as in the data (quoted in the script); borrowed */
    size_t first, last;       /* its slots on the x axis */
    size_t k, n;              /* over all its observations, shown or not */
};

struct cs_plot_rates {
    size_t n_axis;            /* slots on the x axis: every bin or rate, shown or not, and */
    char axis[CS_PLOT_MAX_CATS][32];   /* an empty one between groups; their labels */
    size_t axis_n[CS_PLOT_MAX_CATS];   /* observations in each slot (n = 0 is drawn too) */
    bool gap[CS_PLOT_MAX_CATS];        /* the slot only separates two groups */
    size_t n_cats;            /* categories shown: a point with its interval */
    struct cs_plot_cat cat[CS_PLOT_MAX_CATS];
    size_t n_groups;          /* 0: one axis (collateral) */
    struct cs_plot_group group[CS_PLOT_MAX_GROUPS];
    size_t k_total, n_total;  /* over every category, shown or not */
    size_t omitted;           /* observations in slots without a point (too few), or left off
                                 the axis (too many slots) */
    size_t min_n;             /* slots with fewer observations show only their n */
    const char *title;        /* the finding (NULL: a neutral title); set by the caller */
};

#define CS_PLOT_TIER_MIN 10       /* deals for a marginal rate to be shown */
#define CS_PLOT_COLLATERAL_MIN 3  /* assets for a target-gap bin to be shown */
#define CS_PLOT_COLLATERAL_BINS 7 /* <0, 0-0.1, ..., 0.4-0.5, >=0.5 */

/* promise_risk by plan and marginal_rate over the won deals of m->sel:
 * one group per plan with won deals (plan order), its rates in the order
 * of its tiers, a gap slot between plans; a plan's rates are never pooled
 * with another plan's.  CS_ERR_NOMEM. */
enum cs_status cs_plot_tier_aggregate(const struct cs_measured *m, struct cs_plot_rates *r,
                                      struct cs_error *err);

/* The plans (groups) of r with at least two rates shown. */
size_t cs_plot_tier_comparable(const struct cs_plot_rates *r);

/* Misstated assets by target_gap bin, over the assets of m->sel's quarters
 * that have claims and a target_gap (the collateral model's rows); reads
 * m->oc and m->sel only.  Never fails. */
enum cs_status cs_plot_collateral_aggregate(const struct cs_measured *m, struct cs_plot_rates *r,
                                            struct cs_error *err);

/* Points with 95% Wilson intervals and their n; every slot shows its n,
 * an empty bin n = 0.  Per tier: a panel per plan (its name above, its
 * own rate over all its deals dashed); collateral: one axis, the rate of
 * all assets dashed. */
void cs_plot_tier_script(FILE *f, const struct cs_plot_rates *r, const char *base);
void cs_plot_collateral_script(FILE *f, const struct cs_plot_rates *r, const char *base);

/* ======================================================================
 * "whatif": a base value against alternatives (SPEC 8)
 * ==================================================================== */

struct cs_plot_whatif_alt {
    const char *label;        /* e.g. the alternative's name (data: quoted) */
    double value, low, high;  /* its value and 95% interval (NAN: no interval) */
    bool clear;               /* the verdict: the interval excludes the current value
                                 (green; grey otherwise).  The caller decides it. */
};

struct cs_plot_whatif {
    const char *title;        /* the finding, plain text (quoted) */
    const char *axis;         /* what the values are ("expected risky deals"); the
                                 builder appends the unit */
    const char *currency;     /* money: its code, for "(thousands of USD)"; NULL: not money */
    const char *base_label;   /* "current plan" when NULL */
    double base;
    size_t n_alt;
    const struct cs_plot_whatif_alt *alt;
    bool thin;                /* the verdicts are "too little data" (the model fails the data
                                 rule): every point grey, and the title says so */
};

/*
 * The current plan as a dashed reference line (and the top row's point),
 * each alternative a point with its 95% interval, the numbers right of the
 * plot.  The axis spans the values and intervals, not 0, so that 62.0
 * against 61.9 shows; no bars.
 */

void cs_plot_whatif_script(FILE *f, const struct cs_plot_whatif *w, const char *base);

/* How a what-if plot's title words its figure: "Risky deals", "give",
 * "fewer", "more"; or "Commission", "cost", "less", "more". */
struct cs_plot_whatif_words {
    const char *what, *verb, *less, *more;
};

/*
 * The title of a what-if plot from its alternatives' verdicts (alt[].clear,
 * decided by the caller) and directions, into buf[0..n): with one
 * alternative "Risky deals: the alternative plans give clearly fewer than
 * the current plans" or "Risky deals: no clear change under the
 * alternative plans"; with several, "Risky deals: 2 of 10 options give
 * clearly fewer than the current plans" or "... no option makes a clear
 * change from the current plans"; w->thin: "... too little data to tell
 * what the alternative plans (any option) would change".  total: options
 * in all (more than n_alt when only the first are drawn).  The title never claims more than the
 * verdicts: an option is counted only when its interval excludes the
 * current value.
 */
void cs_plot_whatif_title(char *buf, size_t n, const struct cs_plot_whatif *w, size_t total,
                          const struct cs_plot_whatif_words *words);

/* ======================================================================
 * "trend" (--period all): risky-deal rate and last-14-days share by quarter
 * ==================================================================== */

struct cs_plot_trend_q {
    int32_t quarter;          /* quarter code */
    size_t won, risky;
    struct cs_wilson w;       /* risky of won */
    double bookings, last14_bookings;
    double last14_share;      /* NAN without bookings */
    bool thin;
};

struct cs_plot_trend {
    size_t n;
    struct cs_plot_trend_q *q;    /* owned: cs_plot_trend_free */
    bool risk;                    /* promise data given */
    bool annual;                  /* some won deal is on an annual plan (its last 14 days
                                     fall in the year's last quarter: say so) */
    const char *title;            /* the finding (NULL: a neutral title); set by the caller */
};

/* Every quarter of an (run with --period all: m->sel is not read), with
 * the bookings of m's won deals.  CS_ERR_NOMEM, *t left empty. */
enum cs_status cs_plot_trend_aggregate(const struct cs_measured *m, const struct cs_analysis *an,
                                       struct cs_plot_trend *t, struct cs_error *err);
void cs_plot_trend_free(struct cs_plot_trend *t);     /* frees t->q; accepts NULL */

/* Every quarter's won deals along the top (n = 0 for a quarter without). */
void cs_plot_trend_script(FILE *f, const struct cs_plot_trend *t, const char *base);

/* ======================================================================
 * Running gnuplot
 * ==================================================================== */

/*
 * Probe `gnuplot --version`.  True when it ran and exited 0; its first line
 * ("gnuplot 5.4 patchlevel 4") is copied into version (n > 0), else
 * version is "".  version may be NULL.  The probe has the deadline of a
 * plot (COMPSIGHT_GNUPLOT_TIMEOUT), and its answer is kept while PATH
 * stays the same.
 */
bool cs_plot_gnuplot_available(char *version, size_t n);

/* Why the last probe found no usable gnuplot ("gnuplot not found", or that
 * it did not answer in time), into why[0..n); "" when it found one.  True
 * when gnuplot is not installed at all. */
bool cs_plot_gnuplot_problem(char *why, size_t n);

/*
 * Write script[0..len) to DIR/NAME.gp (atomically), then run gnuplot on it:
 * the script goes to gnuplot's standard input through a pipe (SIGPIPE
 * ignored while writing, then restored), gnuplot runs in a fresh private
 * directory DIR/.NAME.XXXXXX (so the script's relative output names land
 * there), and its standard error goes to a file in that directory.  When
 * gnuplot exits 0, NAME.png and NAME.svg are moved into DIR; the private
 * directory is removed either way, so a failure leaves no half image.
 * name must be a plain file name ([A-Za-z0-9_-], chosen by compsight).
 *
 * Errors: CS_ERR_USAGE for a bad name; CS_ERR_OUTPUT when a file cannot
 * be written, gnuplot cannot be started ("gnuplot not found" for exit 127
 * or a failed exec), exits non-zero (the message quotes its first error
 * line) or leaves no PNG or SVG; CS_ERR_NOMEM.  DIR/NAME.gp stays in
 * every case where it could be written, so the user can re-run it.
 */
enum cs_status cs_plot_run(const char *dir, const char *name, const char *script, size_t len,
                           struct cs_error *err);

/* ======================================================================
 * The report's plots
 * ==================================================================== */

struct cs_plot_item {
    char name[32];            /* file name in plots/ without extension: "where", "threshold-2" */
    const char *kind;         /* static: "where", "when", "threshold", "how-strong", "per-tier",
                                 "collateral", "trend", "whatif" (the report's section) */
    char *title;              /* owned: the finding, plain UTF-8 (escape it for Markdown/HTML);
                                 may hold a plan id */
    char *caption;            /* owned: one-line caption, also the image's alt text */
    char *skipped;            /* owned: NULL when the plot was built; else why not (plain text) */
    bool script;              /* plots/NAME.gp was written */
    bool rendered;            /* plots/NAME.png and plots/NAME.svg were written */
    char *error;              /* owned: why gnuplot failed on it, else NULL */
};

struct cs_plot_list {
    size_t n;
    struct cs_plot_item *items;   /* owned */
    bool gnuplot_missing;         /* scripts written, no image: warn and continue */
    char gnuplot_version[64];     /* "" when missing */
    size_t failed;                /* items whose gnuplot run failed */
};

/* Free the items (not the list struct itself, which is usually a local);
 * leaves *l empty.  Accepts NULL. */
void cs_plot_list_free(struct cs_plot_list *l);

/*
 * Create DIR/plots/ and write every applicable plot of the report on m
 * (borrowed; m->sel is not read: the plots show an's selection) into it,
 * in this order: where, when, threshold-1 ... threshold-K (the plan floors
 * with a bunching estimate, in an->bunch order, placebos left out),
 * how-strong, per-tier, collateral, and trend when `trend` is true (pass
 * it for --period all).  A plot whose data are too thin is skipped: its
 * item has `skipped` set and no file (stale files of that name are
 * removed).  Scripts are always written; when gnuplot is missing
 * out->gnuplot_missing is set and the status is CS_OK: the report warns
 * and continues without images.  gnuplot runs as many processes at once
 * as there are processors, up to 4.
 *
 * *out (caller owned, overwritten) is filled on CS_OK and also on a
 * gnuplot failure, which is CS_ERR_OUTPUT naming the first failed plot
 * after every other plot was still attempted; the failed items have
 * `error` set.  Other errors (CS_ERR_OUTPUT for the directory or a
 * script, CS_ERR_NOMEM) leave *out empty.
 */
enum cs_status cs_plots_write(const char *dir, const struct cs_measured *m,
                              const struct cs_analysis *an, bool trend, struct cs_plot_list *out,
                              struct cs_error *err);

/*
 * The what-if plot, for `compsight whatif`/`propose`: build the script of w
 * as PLOTS_DIR/NAME.gp and render it when gnuplot is available (probed
 * here).  *rendered (may be NULL) tells whether the PNG and SVG exist.
 * Errors as cs_plot_run; a missing gnuplot is not an error.
 */
enum cs_status cs_plot_whatif_write(const char *plots_dir, const char *name,
                                    const struct cs_plot_whatif *w, bool *rendered,
                                    struct cs_error *err);

#endif
