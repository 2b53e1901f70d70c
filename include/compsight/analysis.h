/* analysis.h - SPEC section 7 on a loaded data set: the models, tests and tables of a report. */
#ifndef COMPSIGHT_ANALYSIS_H
#define COMPSIGHT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/bulkedit.h"
#include "compsight/bunching.h"
#include "compsight/groups.h"
#include "compsight/measured.h"
#include "compsight/regress.h"
#include "compsight/shrink.h"
#include "compsight/stattest.h"

/*
 * The models of SPEC 7.1-7.3 and 14.1-14.2, in this order everywhere (the
 * table in src/analysis/models.c, results.json's "models"): each
 * across-rep model followed by its within-rep counterpart, then the
 * collateral model and the push-out model of timing across periods.
 */
enum cs_model_id {
    CS_MODEL_PROMISE_RISK = 0,      /* 7.1: logistic, across reps */
    CS_MODEL_PROMISE_RISK_WITHIN,   /* 14.1: conditional logistic, reps as strata */
    CS_MODEL_DISCOUNT,              /* 7.2: least squares, across reps */
    CS_MODEL_DISCOUNT_WITHIN,       /* 14.1: least squares with a dummy per rep */
    CS_MODEL_COLLATERAL,            /* 7.3: logistic, clustered by asset owner */
    CS_MODEL_PUSH_OUT,              /* 14.2: least squares over rep-periods */
    CS_MODEL_COUNT
};

/* What a model is, from the table of src/analysis/models.c. */
struct cs_model_info {
    const char *name;               /* results.json's key: "promise_risk", "discount_within", ... */
    bool logistic;                  /* effects are log odds (odds ratios) */
    enum cs_model_id across;        /* a within-rep model: the across-rep model it stands
                                       beside, term by term; any other model: itself */
};

/* The entry of model m (m < CS_MODEL_COUNT; never NULL). */
const struct cs_model_info *cs_model_info(enum cs_model_id m);

/* Whether m compares each rep with themselves (SPEC 14.1). */
static inline bool cs_model_is_within(enum cs_model_id m)
{
    return cs_model_info(m)->across != m;
}

/* Correlation grid of SPEC 7.4: x varies slowest. */
#define CS_CORR_NX 6
#define CS_CORR_NY 3
extern const char *const cs_corr_x_names[CS_CORR_NX];
extern const char *const cs_corr_y_names[CS_CORR_NY];

struct cs_model_result {
    const char *name;               /* cs_model_info(m)->name */
    struct cs_regress_fit *fit;     /* NULL when the model could not be run (note says why) */
    struct cs_regress_fit *firth;   /* Firth refit when fit->separation, else NULL */
    const char *note;               /* static text: why not run, or "" */
    size_t events;                  /* logistic: rows of the fit's design with y = 1; for
                                       promise_risk_within, of the informative reps' deals */
    size_t event_rows;              /* the rows events are counted over: the fit's n, or
                                       for promise_risk_within the informative reps' deals */
    size_t reps;                    /* within-rep models: reps with a row in the fit */
    size_t uninformative;           /* promise_risk_within: reps whose deals are all risky
                                       or all not (they add nothing; their deals are in n) */
    size_t rank;                    /* discount_within: lm's coefficients, the rep dummies
                                       included (the K of vcovCL's (n-1)/(n-K)) */
};

/*
 * Timing across periods (SPEC 14.2): the rep-periods of quarterly plans
 * whose next period has won deals and is selected, and the next period's
 * first-14-day share of bookings of the two groups the report draws.  The
 * model itself is an->model[CS_MODEL_PUSH_OUT].
 */
struct cs_push_out {
    size_t candidates;              /* rep-periods of quarterly plans whose next period is
                                       selected (with or without won deals) */
    size_t rep_periods;             /* of those, the ones whose next period has won deals:
                                       the model's rows */
    size_t reps;                    /* distinct reps among them */
    size_t nothing_to_earn;         /* rows with nothing_to_earn = 1 */
    size_t crossed_late;            /* rows with crossed_late = 1 */
    bool quarterly;                 /* some plan is quarterly */
    /* The next period's first-14-day share of bookings, mean over the rows
     * of each group ([0]: nothing_to_earn = 0, [1]: = 1), with a 95%
     * interval from the rep-clustered standard error of that mean (NAN
     * when the group has rows of fewer than 2 reps). */
    size_t group_n[2], group_reps[2];
    double group_share[2], group_low[2], group_high[2];
};

struct cs_findings;                 /* findings.h */
struct cs_plan_changes;             /* planchange.h */

/* Promise-risk rate of one team or plan over the selected won deals. */
struct cs_group_rate {
    uint32_t id;                    /* team: string id; plan: plan index; unused when other */
    size_t deals, risky;
    struct cs_wilson w;
    size_t reps;                    /* reps with selected won deals in it */
    bool other;                     /* the pool of the groups too small to show (groups.h):
                                       "other teams", "other plans" */
};

/* One row of the voice of the field (SPEC 7.8), sorted by bookings, then count. */
struct cs_voice {
    uint32_t feature_text;          /* the feature_id as given, or 0 when grouped by text */
    uint32_t feature;               /* roadmap index or CS_NONE */
    char *text;                     /* normalised promise text when feature_text == 0 (owned) */
    size_t promises, deals, off_roadmap, premature;
    size_t by_text;                 /* of promises: blank feature, joined by a roadmap title */
    double bookings;                /* amounts of the distinct won deals that carried it */
};

/* The plans bunching is estimated for: the CS_BUNCH_MAX_PLANS plans with a
 * floor above 0 that have the most rep-periods (all of them when there are
 * no more), so that the analysis and the report do not grow with the
 * number of plans; the others are counted as not examined. */
#define CS_BUNCH_MAX_PLANS 20

struct cs_bunch_result {
    uint32_t plan;                  /* plan index */
    double floor;                   /* the plan's tier floor this is about */
    bool placebo;                   /* estimated at floor - 0.25 */
    struct cs_bunching est;
};

/* Close dates heaped on month ends: the CRM-default pattern of METHODS.md. */
struct cs_heaping {
    size_t deals, month_end;        /* selected won deals; of those closed on a month's last day */
    double share, expected;         /* month_end / deals; days that are month ends / days covered */
    double p;                       /* one-sided binomial p of at least month_end */
    bool flagged;                   /* share > 2 x expected and p < 0.001 */
};

/* Won deals per quarter (all data), for the trend and the "thin quarter" warning. */
struct cs_quarter_count {
    int32_t quarter;
    size_t won, risky;
    double bookings;
    bool thin;                      /* fewer than half the median quarter's won deals */
};

struct cs_analysis {
    struct cs_selection sel;
    size_t won_selected;            /* won deals in the selection */
    bool promise_data;              /* roadmap.csv and promises.csv were given */
    bool collateral_data;           /* collateral.csv, claims.csv and targets.csv were given */
    struct cs_model_result model[CS_MODEL_COUNT];
    struct cs_push_out push_out;
    struct cs_corr corr[CS_CORR_NX * CS_CORR_NY];
    double corr_q[CS_CORR_NX * CS_CORR_NY];
    struct cs_timing *timing;       /* NULL when no won deal is selected */
    struct cs_bunch_result *bunch;  /* by plan, then floor: each floor's estimate, then
                                       its placebo */
    size_t n_bunch;
    size_t bunch_plans_skipped;     /* plans with a floor above 0 beyond CS_BUNCH_MAX_PLANS: */
    size_t bunch_rp_skipped;        /*   not examined, and their rep-periods */
    struct cs_group_rate *teams, *plans;   /* as shared output shows them (groups.h): each
                                              with CS_MIN_GROUP_REPS reps or more, then the
                                              pool of the others when it has as many */
    size_t n_teams, n_plans;
    struct cs_group_pool team_pool, plan_pool;   /* the small teams and plans */
    size_t bunch_plans_left_out;    /* plans with tier floors above 0 and fewer than
                                       CS_MIN_GROUP_REPS reps: no bunching estimate */
    size_t risky_selected;          /* selected won deals with promise_risk */
    struct cs_shrink *reps;         /* per-rep shrinkage over the selection (private report) */
    uint32_t *rep_of_group;         /* rep index of each group of reps */
    struct cs_voice *voice;
    size_t n_voice;
    struct cs_heaping heaping;
    struct cs_bulk_edits bulk;      /* bulk-edited close dates in the selection (bulkedit.h) */
    struct cs_quarter_count *quarters;
    size_t n_quarters;
    uint64_t seed;
    size_t reps_selected;           /* distinct reps of the selected won deals */
    struct cs_findings *findings;   /* one verdict per finding (findings.h), computed last;
                                       owned; NULL only while cs_analysis_run builds it */
    struct cs_plan_changes *plan_changes;   /* SPEC 14.3 (planchange.h): the changes dated up
                                       to the selection's end, with their estimates; owned.
                                       Their backtests (backtest.h, in whatif/) are the
                                       caller's to fill in before the report reads them */
};

/*
 * Run SPEC 7.1-7.8 and 14.1-14.2 on the measured data set for its
 * selection m->sel (required; copied; the push-out model covers the
 * rep-periods whose next period it selects).  m->cal, m->inc and m->oc
 * must have been computed for m->ds; nothing of m is kept in *out, which
 * owns all it holds.  Bunching uses every
 * rep-period whatever the selection; its bootstrap for estimate i uses seed
 * + i so that each estimate has its own reproducible stream.  Thin or
 * degenerate data is not an error: each part records why it has no number.
 * Last, it builds an->findings (findings.h): the verdict of every finding.
 * On success *out is new, owned by the caller (cs_analysis_free).  Errors:
 * CS_ERR_NOMEM, CS_ERR_INTERNAL from a numerical routine; *out left NULL.
 */
enum cs_status cs_analysis_run(const struct cs_measured *m, uint64_t seed,
                               struct cs_analysis **out, struct cs_error *err);

void cs_analysis_free(struct cs_analysis *an);   /* accepts NULL */

/* The fit of model m to read: Firth's refit when the plain fit separated
 * and the refit has estimates, else the plain fit when it has estimates,
 * else NULL.  Borrowed from an.  (The within-rep models have no Firth
 * refit: a term that separates within reps is reported as such.) */
const struct cs_regress_fit *cs_analysis_fit(const struct cs_analysis *an, enum cs_model_id m);

/* Term names of the promise_risk and discount models (SPEC 9), k = 8; the
 * within-rep models have the same terms without the first, (Intercept). */
#define CS_DEAL_TERMS 8
extern const char *const cs_deal_term_names[CS_DEAL_TERMS];

/* Fill row x[0..8) of the deal design for deal i (intercept first). */
void cs_analysis_deal_row(const struct cs_dataset *ds, const struct cs_incentives *inc,
                          size_t i, double *x);

#endif
