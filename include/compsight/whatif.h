/* whatif.h - what a changed comp plan would do (SPEC 8): the simulation, the strawman options and their ranking. */
#ifndef COMPSIGHT_WHATIF_H
#define COMPSIGHT_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/measured.h"
#include "compsight/regress.h"
#include "compsight/status.h"
#include "compsight/verdict.h"

/*
 * Pure computation, no I/O (the commands in src/cli/cmd_whatif.c write the
 * files).  Ownership: a base borrows the measured data set it was built
 * from (the dataset, calendar and incentives; it copies the selection);
 * every result, option list and base is owned by the caller and released
 * with its *_free.  docs/WHATIF.md explains every number to a user; in short:
 *
 *  - The promise_risk model of SPEC 7.1 is fitted exactly as the report
 *    fits it (same rows in the same order, cs_regress_logit, Firth's
 *    refit under separation).  Expected risky deals = sum of the fitted
 *    probabilities p^ over the selected won deals, under the current
 *    plans (base) and under the alternative (alt), with the deals, their
 *    order and everything but the plan-dependent measures unchanged.
 *  - Expected risky promises = expected risky deals x m, m = risky
 *    promises per risky deal observed in the selection: the plan acts on
 *    whether a deal carries a risky promise; how many it carries is kept
 *    at its observed average.
 *  - Commission = sum of SPEC 5's commission over the selected won deals,
 *    recomputed exactly under each plan.
 *  - Differences are summed deal by deal (alt - base of the same deal),
 *    over the deals whose inputs changed; a deal whose measures did not
 *    change contributes an exact 0.  An alternative equal to the current
 *    plans therefore gives differences and intervals of exactly 0.
 *  - 95% intervals of the differences: a cluster bootstrap over reps.
 *    Each draw resamples the reps with replacement (gsl mt19937, seed),
 *    moves the coefficients by one Newton step from the full-data
 *    estimate on the resampled reps (the one-step bootstrap of Moulton &
 *    Zeger 1991: H_w^-1 sum_g (w_g - 1) u_g, H_w the resampled
 *    information, u_g the rep's score at the estimate; the draws track a
 *    full refit on the same resample, see tests/reference/whatif/
 *    README.md), and recomputes the differences on the
 *    resampled deals with those coefficients.  Percentile intervals (R's
 *    quantile type 7).  The draws depend only on the seed and the base,
 *    never on the alternative, so options are compared on the same draws.
 */

#define CS_WHATIF_DRAWS 200

/*
 * Which model predicts the risky deals (SPEC 8, 14.1; `--model`):
 *  - CS_WHATIF_ACROSS: the promise_risk model of SPEC 7.1, as above;
 *  - CS_WHATIF_WITHIN: the within-rep model promise_risk_within (the
 *    conditional logit with reps as strata, as cs_analysis_run fits it):
 *    p^ = 1 / (1 + exp(-(a_g + x'b))) with b its coefficients and a_g each
 *    rep's intercept refitted given b, so that over the rep's selected
 *    deals sum (y - p^) = 0; a rep whose deals are all risky or all not
 *    keeps its observed rate (a_g = -/+ infinity: p^ is 0 or 1 whatever
 *    the plan).  The bootstrap's draws move b by the one-step formula
 *    above with each rep's score and information of the conditional
 *    likelihood, and each a_g with them to first order, a_g - c_g'(b_d -
 *    b), c_g the mean of x over the rep's deals weighted by p^(1 - p^)
 *    (the derivative of a_g in b).
 */
enum cs_whatif_model { CS_WHATIF_ACROSS = 0, CS_WHATIF_WITHIN };

/* "across", "within" (static): the names `--model` takes and the JSON writes. */
const char *cs_whatif_model_name(enum cs_whatif_model m);

/* The settings of a what-if, which the command line fills. */
struct cs_whatif_settings {
    uint64_t seed;           /* seed of the rep resampling */
    unsigned draws;          /* bootstrap draws; 0 = CS_WHATIF_DRAWS */
    int threads;             /* 1 or 2 (0 = 2); results are bit-identical either way */
    enum cs_whatif_model model;   /* which model predicts (default across) */
    /* The SPEC 7.1 promise_risk fit (and its Firth refit, or NULL) when the
     * caller has it already, as cs_analysis_run makes it for the same
     * selection: borrowed, not refitted.  NULL: the base fits it.  With
     * model CS_WHATIF_WITHIN, within is the promise_risk_within fit the
     * same way (logit and firth are then not read). */
    const struct cs_regress_fit *logit, *firth, *within;
};

struct cs_whatif_priv;       /* internal arrays, see src/whatif/whatif_priv.h */

/*
 * Everything that does not depend on the alternative: the selection, the
 * fitted model, the bootstrap draws.  Built once, then any number of
 * alternatives are simulated against it.
 */
struct cs_whatif_base {
    const struct cs_dataset *ds;         /* borrowed */
    const struct cs_calendar *cal;       /* borrowed: the calendar inc was computed with */
    const struct cs_incentives *inc;     /* borrowed: SPEC 5 under the current plans */
    struct cs_selection sel;
    size_t deals;                        /* selected won deals */
    size_t reps;                         /* G: reps with a selected won deal */
    size_t observed_risky;               /* selected won deals with promise_risk */
    size_t observed_risky_promises;      /* their risky promises */
    size_t *plan_deals;                  /* per plan of ds: selected won deals of its reps */
    bool promise_data;                   /* roadmap.csv and promises.csv were given */
    enum cs_whatif_model model;          /* which model predicts */
    const struct cs_regress_fit *logit;  /* the SPEC 7.1 fit (owned, or borrowed from the
                                            settings); NULL without promise data or with
                                            the within-rep model */
    const struct cs_regress_fit *firth;  /* Firth refit under separation, or NULL */
    const struct cs_regress_fit *within; /* CS_WHATIF_WITHIN: the promise_risk_within fit
                                            (owned or borrowed), or NULL */
    const struct cs_regress_fit *fit;    /* the one predictions use (firth when set, within
                                            with the within-rep model), or NULL when there
                                            are no predictions */
    size_t uninformative_reps;           /* CS_WHATIF_WITHIN: reps whose deals are all risky
                                            or all not, which keep their observed rate */
    size_t rule_events, rule_rows;       /* what the data rule weighs: risky deals among
                                            rule_rows deals (every selected one; within,
                                            those of reps with both outcomes) */
    const char *model_note;              /* static text: why there are no predictions, or a
                                            caveat about the fit; "" when none */
    double promises_per_risky;           /* m; NAN when no risky deal */
    double rate_min, rate_max;           /* range of marginal_rate over the selection */
    unsigned draws;                      /* bootstrap draws */
    bool intervals;                      /* false when G < 2: intervals are NAN */
    unsigned draws_fixed_hessian;        /* draws whose resampled information was singular
                                            and took the full-data one instead */
    uint64_t seed;
    struct cs_whatif_priv *priv;
};

/*
 * Build the base for the won deals of m->ds that m->sel selects (sel is
 * required).  m->inc and m->oc must have been computed for m->ds under
 * ds->plans with m->cal; ds, cal and inc are borrowed and must outlive
 * *out (oc is read here only; sel is copied).  set NULL = seed 1, 200
 * draws, 2 threads.  Thin data is not an error: without promise data, or
 * when the model cannot be fitted, fit is NULL, model_note says why, and
 * every risky figure is NAN (commission figures are still computed).
 * On success *out is new, owned by the caller (cs_whatif_base_free).
 * Errors, *out left NULL: CS_ERR_USAGE when sel selects every quarter
 * separately (CS_SELECT_EACH) or inc/oc do not match ds; CS_ERR_INPUT
 * when no won deal is selected; CS_ERR_NOMEM; CS_ERR_INTERNAL from the
 * regression.
 */
enum cs_status cs_whatif_base_new(const struct cs_measured *m, const struct cs_whatif_settings *set,
                                  struct cs_whatif_base **out, struct cs_error *err);

void cs_whatif_base_free(struct cs_whatif_base *b);   /* accepts NULL */

/* An estimated difference (alternative - current) and its 95% bootstrap interval. */
struct cs_whatif_diff {
    double estimate, low, high;
};

/* The effect on one plan's deals. */
struct cs_whatif_plan_effect {
    uint32_t plan;           /* plan index of ds */
    bool changed;            /* the alternative's period type, quota, tiers or credit
                                fractions differ */
    size_t deals;            /* selected won deals of its reps */
    size_t rows_changed;     /* of those, deals whose model inputs changed */
    double base_commission, alt_commission;
    struct cs_whatif_diff risky, commission;
};

struct cs_whatif_result {
    double base_risky, alt_risky;                    /* expected risky deals, sum of p^ */
    double base_risky_promises, alt_risky_promises;  /* x promises_per_risky */
    double base_commission, alt_commission;
    struct cs_whatif_diff risky, risky_promises, commission;   /* alt - base */
    size_t changed_marginal_rate, changed_tier_cross, changed_last_14_days;
    size_t changed_rows;         /* deals with any model input changed */
    size_t changed_commission;   /* deals whose commission changed */
    size_t extrapolated;         /* deals whose new marginal_rate lies outside [rate_min, rate_max] */
    bool recomputed;             /* a period type, quota or credit fraction changed: SPEC
                                    5's attainment was recomputed (cs_incentives_recompute);
                                    else only the tier maths */
    bool credit_changed;         /* a changed plan credits a deal type differently (SPEC 13) */
    size_t n_plans;              /* the plans the alternative changes, */
    struct cs_whatif_plan_effect *plans;   /* in plan order (cs_whatif_plan_effect_of
                                              gives any plan's) */
    /* With per_deal: arrays indexed like ds->deals, NAN for deals not
     * selected (p NAN too when there is no model). */
    double *base_p, *alt_p, *base_commission_deal, *alt_commission_deal;
};

/*
 * Simulate the alternative plans alt (same plans as ds in the same order,
 * as cs_plans_load_alt returns them; any plans struct with ds->plans.n
 * entries works) against the base.  With per_deal the per-deal arrays are
 * filled, else they are NULL.  A period type change reads the base's
 * calendar.  On success *out is new, owned by the caller
 * (cs_whatif_result_free).  Errors, *out left NULL:
 * CS_ERR_USAGE when alt has another number of plans than ds; CS_ERR_INPUT
 * when a plan of alt breaks the rules of plans.csv (no tier at floor 0,
 * floors not increasing, a negative rate, a quota not > 0); CS_ERR_NOMEM.
 * The base keeps working memory from one call to the next: calls on one
 * base must not run at the same time (see cs_whatif_simulate_in).
 */
enum cs_status cs_whatif_simulate(const struct cs_whatif_base *b, const struct cs_plans *alt,
                                  bool per_deal, struct cs_whatif_result **out,
                                  struct cs_error *err);

/*
 * The same with working memory of the caller's: simulations on one base
 * may run at the same time on different threads, each with its own work
 * (cs_whatif_work_new; threads 1: the bootstrap draws stay on the calling
 * thread, else they are split over two as the base says).  Results are
 * bit-identical whichever way they are run.
 */
struct cs_whatif_work;
struct cs_whatif_work *cs_whatif_work_new(const struct cs_whatif_base *b, int threads);
void cs_whatif_work_free(struct cs_whatif_work *w);   /* accepts NULL */
enum cs_status cs_whatif_simulate_in(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                     const struct cs_plans *alt, bool per_deal,
                                     struct cs_whatif_result **out, struct cs_error *err);

/*
 * The same when alt may differ from ds->plans only in the plans
 * only[0..n_only) (the others are taken as equal and not compared; NULL:
 * any plan may differ).  The cost of a simulation grows with the deals of
 * the changed plans and the plans in only, not with the plans it leaves
 * alone (but for flags over the plans).  CS_ERR_USAGE also for an index
 * of only that is not a plan.
 */
enum cs_status cs_whatif_simulate_only(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                       const struct cs_plans *alt, const uint32_t *only,
                                       size_t n_only, bool per_deal,
                                       struct cs_whatif_result **out, struct cs_error *err);

void cs_whatif_result_free(struct cs_whatif_result *r);   /* accepts NULL */

/*
 * The effect of r on plan p of b->ds into *out: r's entry when the
 * alternative changes p; else the exact figures of an unchanged plan (its
 * deals, its commission under both, differences and intervals of 0, NAN
 * where r has no intervals or no model), as a simulation computes them.
 */
void cs_whatif_plan_effect_of(const struct cs_whatif_base *b, const struct cs_whatif_result *r,
                              size_t p, struct cs_whatif_plan_effect *out);

/* Whether r changes plan p of the data (it is in r->plans). */
bool cs_whatif_result_changes(const struct cs_whatif_result *r, size_t p);

/* Whether simulating alt redoes SPEC 5's attainment (a plan's period type,
 * quota or credit fractions changed: SPEC 13's credit_ columns move
 * attainment) rather than only its tier maths: the slower route; _plan_
 * for plan p alone. */
bool cs_whatif_recomputes(const struct cs_dataset *ds, const struct cs_plans *alt);
bool cs_whatif_plan_recomputes(const struct cs_dataset *ds, const struct cs_plans *alt, size_t p);

/*
 * Fitted probability of a design row x[0..CS_DEAL_TERMS) (cs_deal_term_names
 * order) under fit: the same arithmetic as cs_regress_predict_logit, which
 * the simulation uses for every prediction, base and alternative alike.
 * NAN when fit is NULL or has no estimates.
 */
double cs_whatif_predict(const struct cs_regress_fit *fit, const double *x);

/* ----------------------------------------------------------------------
 * Strawman options (compsight propose)
 * -------------------------------------------------------------------- */

enum cs_whatif_kind {
    CS_WHATIF_HALVE_STEP = 0,    /* rate_k = rate_k-1 + (rate_k - rate_k-1) / 2 */
    CS_WHATIF_RAMP_STEP,         /* the step at f becomes 5 steps of a fifth at
                                    f - h, f - h/2, f, f + h/2, f + h */
    CS_WHATIF_REMOVE_STEP,       /* the tier at f is merged into the one below */
    CS_WHATIF_CAP_TOP,           /* rate 0 from the top floor on */
    CS_WHATIF_DECELERATOR,       /* a tier at 150% paying half the rate in force there */
    CS_WHATIF_YEARLY,            /* a quarterly plan measured over the fiscal year,
                                    quota x 4 */
    CS_WHATIF_RENEWALS_HALF,     /* SPEC 13: renewals credited at half (credit_renewal
                                    0.5) on a plan that credits them in full */
    CS_WHATIF_KIND_COUNT
};

/* "halve_step", "ramp_step", ... (static). */
const char *cs_whatif_kind_name(enum cs_whatif_kind k);

#define CS_WHATIF_RAMP_HALF_WIDTH 0.20    /* h at most; less when the next floors are closer */
#define CS_WHATIF_DECEL_FLOOR 1.50

/* One strawman: one element of one plan changed, every other plan as it is. */
struct cs_whatif_option {
    enum cs_whatif_kind kind;
    uint32_t plan;           /* plan index of ds */
    double floor;            /* the floor acted on (step, top floor, 1.5); 0 for yearly */
    double rate_before;      /* rate from that floor on, before and after; for a */
    double rate_after;       /*   ramp the rates below and above the old step */
    double ramp_low, ramp_high;   /* ramp: its first and last floor; NAN otherwise */
    double credit_before, credit_after;   /* renewals half: the renewal credit fraction
                                             before and after (rates NAN, floor 0); NAN
                                             for the other kinds */
    struct cs_plans change;  /* the plan as the option has it, alone: a table of one
                                plan (id[0] = ds's string id) with its credit_
                                fractions, owned (cs_plans_free layout).  The other
                                plans stay as they are. */
};

/* The plans a proposal simulates: the CS_WHATIF_MAX_PLANS plans with the
 * most selected won deals.  A proposal's size and cost then do not grow
 * with the number of plans; the others are named as not simulated. */
#define CS_WHATIF_MAX_PLANS 20

/*
 * The plans that get options: of the plans with selected won deals in b,
 * the CS_WHATIF_MAX_PLANS with the most (ties: plan order).  Sets
 * chosen[0..ds->plans.n) and *n_chosen.  Errors: CS_ERR_NOMEM.
 */
enum cs_status cs_whatif_options_plans(const struct cs_whatif_base *b, bool *chosen,
                                       size_t *n_chosen, struct cs_error *err);

/*
 * Generate the standard strawman options for the plans that
 * cs_whatif_options_plans chooses (plans without selected won deals are
 * left out: no effect to show), in plan order, and for each plan: per accelerator step (a floor where
 * the rate rises) halve, ramp, remove; then cap at the top floor (when
 * the top rate is > 0), a decelerator at 150% (when 150% lies above the
 * top floor and the top rate is > 0), yearly measurement (quarterly
 * plans), renewals counted at half (SPEC 13: a plan that credits renewals
 * in full and has renewals among the selected deals' credit rows).  New rates and floors are rounded to 10 decimals, so that they
 * print short and read back as the same doubles.  Options that would
 * leave the plan unchanged are skipped.  On success *out (an array of *n,
 * possibly 0) is owned by the caller: cs_whatif_options_free.  Errors:
 * CS_ERR_NOMEM, *out NULL and *n 0.
 */
enum cs_status cs_whatif_options_generate(const struct cs_whatif_base *b,
                                          struct cs_whatif_option **out, size_t *n,
                                          struct cs_error *err);

void cs_whatif_options_free(struct cs_whatif_option *o, size_t n);   /* accepts NULL */

/* Whether option o changes its plan's period type, quota or crediting (its
 * simulation then recomputes SPEC 5's attainment: the slower route). */
bool cs_whatif_option_recomputes(const struct cs_dataset *ds, const struct cs_whatif_option *o);

/*
 * The complete alternative of option o: ds's plans with o's plan
 * replaced, into *out (cs_plans_free).  O(plans): for callers that want
 * one table (cs_whatif_simulate_option does without).  -1 when out of
 * memory (*out then empty).
 */
int cs_whatif_option_plans(const struct cs_dataset *ds, const struct cs_whatif_option *o,
                           struct cs_plans *out);

/*
 * Simulate option o against b, as cs_whatif_simulate_in would simulate
 * cs_whatif_option_plans(o), bit for bit, with the work's own copy of the
 * plans (made on its first option) changed in o's plan for the time of
 * the call: the cost does not grow with the plans o leaves alone.
 */
enum cs_status cs_whatif_simulate_option(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                         const struct cs_whatif_option *o, bool per_deal,
                                         struct cs_whatif_result **out, struct cs_error *err);

/*
 * SPIFFs of m->ds whose end_date falls in the last 14 days of a fiscal
 * quarter of m->cal (days to the quarter's end < 14, as SPEC 5's
 * last_14_days; only ds and cal are read).
 * Moving them is a natural option the model cannot simulate (it would
 * have to predict when deals close); the proposal lists them as a
 * question instead.  Writes up to cap spiff indexes into idx and returns
 * how many there are.
 */
size_t cs_whatif_spiffs_at_quarter_end(const struct cs_measured *m, uint32_t *idx, size_t cap);

/*
 * The data rule of verdict.h for the base's fit: its won deals, risky
 * deals (the events), reps (clusters) and non-intercept terms kept; with
 * the within-rep model, over the reps with both risky and other deals and
 * their deals.  The same answer the report's findings give for the same
 * model and selection.  Not readable when there is no fit.
 */
void cs_whatif_model_rule(const struct cs_whatif_base *b, struct cs_data_rule *out);

/*
 * An option's effect on risky deals: too little data when the model is
 * not readable (rule), else clear exactly when the bootstrap interval of
 * the difference excludes 0 (cs_verdict_of_interval).
 */
enum cs_verdict cs_whatif_option_verdict(const struct cs_data_rule *rule,
                                         const struct cs_whatif_diff *risky);

/*
 * Ranking of options, uncertainty first: options whose effect on risky
 * deals is clear and a reduction (verdict[i] CS_VERDICT_CLEAR, avoided >
 * 0) come first, then those without a clear effect, then clear
 * increases (verdict NULL: all alike); within each tier, by risky deals
 * avoided (avoided = -risky difference) per unit of extra cost (cost =
 * commission difference):
 *   group 0: avoided > 0 and cost <= 0 (fewer risky deals AND no extra
 *            cost): first, by avoided, most first, then by saving;
 *   group 1: avoided > 0 and cost > 0: by avoided / cost, most first;
 *   group 2: avoided <= 0 (no reduction predicted): by avoided, most first
 *            (least harm), then by cost, cheapest first;
 *   group 3: avoided NAN (no model): by cost, cheapest first.
 * Ties keep the input order.  order[0..n) receives the input indexes.
 */
int cs_whatif_rank_group(double avoided, double cost);
void cs_whatif_rank(const double *avoided, const double *cost, const enum cs_verdict *verdict,
                    size_t n, size_t *order);

/*
 * The coefficients of bootstrap draw d (b->fit->k values, in the fit's
 * term order; with the within-rep model a 0 first, the place of each
 * rep's own intercept, then b->fit->k values) into beta.  False when
 * there is no model or d >= b->draws.  Exposed for the tests (their
 * spread must be the cluster covariance).
 */
bool cs_whatif_draw_coefficients(const struct cs_whatif_base *b, size_t d, double *beta);

/*
 * The resampling counts of draw d: w[g] for cluster g = 0..b->reps-1, the
 * clusters being the reps with a selected won deal in increasing rep
 * index.  False when d >= b->draws.  Exposed for the tests (a refit on
 * the same resample must land near cs_whatif_draw_coefficients).
 */
bool cs_whatif_draw_weights(const struct cs_whatif_base *b, size_t d, uint32_t *w);

/*
 * R's quantile type 7 of x[0..n) (sorted in place); NAN when n == 0.
 * Exposed for the tests.
 */
double cs_whatif_quantile(double *x, size_t n, double p);

#endif
