/* planchange.h - plan changes that happened (SPEC 14.3): found in the assignments, with their difference-in-differences and event study. */
#ifndef COMPSIGHT_PLANCHANGE_H
#define COMPSIGHT_PLANCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/calendar.h"
#include "compsight/measured.h"
#include "compsight/status.h"
#include "compsight/verdict.h"

/*
 * SPEC 14.3, in the order a report runs it (docs/PLANCHANGE.md says it in
 * words):
 *
 * 1. Moves and changes (cs_planchange_detect).  A move is two consecutive
 *    assignments of a rep (by start date) with different plans, dated at
 *    the second one's start; two rows of the same plan (a team-only move)
 *    are not a move.  A plan change is at least CS_PC_MIN_MOVERS reps
 *    moving from the same plan A to the same plan B at start dates within
 *    CS_PC_DAYS days of the earliest, whose date it takes.  Where SPEC
 *    14.3 is silent: the moves A -> B are taken by date (then rep), each
 *    not yet in a change starts a group of the moves up to 7 days after
 *    it; a group of enough reps is a change and its moves are used up,
 *    else the next move starts one.  A rep that moves A -> B twice within
 *    the 7 days counts once.
 * 2. The difference-in-differences of a change (cs_planchange_did): the
 *    window is the CS_PC_QUARTERS fiscal quarters before the one holding
 *    the date and the CS_PC_QUARTERS from it (event quarters -4 .. 3);
 *    treated = the change's movers; controls = every other rep with no
 *    move dated in the window (moves outside it do not matter); on their
 *    won deals in the window (and up to a cutoff day: a quarterly report
 *    sees its own quarter and the ones before), least squares of the
 *    outcome on treated x post (post = closed on or after the date) with
 *    a dummy per rep and per fiscal quarter, by cs_feols (the within
 *    transformation), rep-clustered errors as vcovCL; and the event study,
 *    treated x (event quarter = q) for q = -4 .. 3 but -1 (the baseline).
 *    A term without deals (a quarter past the cutoff) is left out.  The
 *    pre-change terms are tested jointly (W = b' V^-1 b, V their vcovCL
 *    block; p from F(df, G - 1) at W / df with 10..29 reps, else
 *    chi-square(df)): a small p says treated and control reps did not
 *    move together before the change.
 * 3. The verdict (cs_planchange_family): verdict.h's rule.  A change's
 *    estimate is read when its sample has CS_VERDICT_MIN_CLUSTERS reps
 *    and CS_VERDICT_PER_TERM deals; its p and interval use t(G - 1) with
 *    10..29 reps; the readable changes of one report are one family
 *    (Benjamini-Hochberg, the printed interval at its level).
 *
 * The backtest (the what-if of plan B on the treated reps' deals before
 * the change, SPEC 14.3) lives in whatif/ (backtest.h) and fills
 * `predicted`.
 *
 * Ownership: every list is owned by its struct and freed with
 * cs_planchange_free; nothing borrowed is kept.
 */

#define CS_PC_MIN_MOVERS 5       /* reps for a group of moves to be a plan change */
#define CS_PC_DAYS 7             /* start dates within this many days of the earliest */
#define CS_PC_QUARTERS 4         /* fiscal quarters before the change, and from it */
#define CS_PC_EVENTS 8           /* event quarters -4 .. 3 */
#define CS_PC_FEW_TREATED 10     /* fewer treated reps in the sample: the few-reps caveat */

/* One row of assignments.csv: rep and plan as indexes, days as day
 * numbers (parse.h), end CS_NO_DATE when open. */
struct cs_pc_assignment {
    uint32_t rep, plan;
    int32_t start, end;
};

/* A move: the rep's assignment goes from plan `from` to plan `to` on `day`. */
struct cs_pc_move {
    uint32_t rep, from, to;
    int32_t day;
};

/* The won deals an estimate reads, as plain arrays (borrowed). */
struct cs_pc_deals {
    size_t n;
    const uint32_t *rep;         /* rep index, < reps */
    const int32_t *day;          /* close date; CS_NO_DATE rows are not used */
    const uint8_t *y;            /* the outcome, 0 or 1 (promise_risk) */
    const uint8_t *use;          /* NULL: every row; else the rows with use[i] != 0 */
    size_t reps;                 /* rep indexes are below this */
};

/* The difference-in-differences term. */
struct cs_pc_did {
    double estimate;
    double se;                   /* lm's model-based */
    double se_cluster;           /* vcovCL (HC1) by rep */
    double z;                    /* estimate / se_cluster */
    double df;                   /* t degrees of freedom: G - 1 with 10..29 reps, 0: normal */
    double p;                    /* two-sided, t(df) or normal */
    double ci_low, ci_high;      /* the printed interval: the family's level, t(df) */
    double level;                /* its level (0.95 for a family of one) */
};

/* One event-study term: treated x (event quarter = quarter). */
struct cs_pc_event {
    int quarter;                 /* -4 .. 3 */
    int32_t code;                /* its fiscal quarter code */
    bool baseline;               /* -1: the reference, 0 by definition */
    bool estimated;              /* has treated deals and was kept by the fit */
    size_t treated_deals, control_deals;
    double treated_rate, control_rate;   /* raw outcome rates of the quarter (NAN: none) */
    double estimate, se_cluster; /* 0 and 0 for the baseline; NAN when not estimated */
    double ci_low, ci_high;      /* 95%, t(df) as the DiD */
};

/* The backtest (whatif/backtest.h fills it). */
struct cs_pc_predicted {
    bool done;                   /* estimate computed */
    double estimate;             /* predicted change of the treated reps' risky-deal rate */
    double ci_low, ci_high;      /* percentile interval of the bootstrap draws */
    double base_rate, alt_rate;  /* mean fitted p under plan A and under plan B */
    size_t deals;                /* treated reps' won deals of the 4 quarters before */
    size_t draws;                /* bootstrap draws with a defined rate */
    size_t fit_deals;            /* won deals the 7.1 model was fitted on */
    const char *note;            /* static: why not done, or a caveat; "" */
};

struct cs_plan_change {
    uint32_t from, to;           /* plan indexes */
    int32_t date;                /* the earliest mover's start date */
    int32_t last_move;           /* the latest start date in the group */
    int32_t quarter;             /* fiscal quarter code holding date: event quarter 0 */
    int32_t first_day, last_day; /* the window: quarters -4 .. 3 */
    size_t movers;
    uint32_t *treated;           /* movers' rep indexes, ascending (owned) */
    size_t other_moves;          /* moves of other reps dated within CS_PC_DAYS of date */
    size_t other_changes;        /* other changes dated within CS_PC_DAYS of date */

    /* cs_planchange_did */
    bool run;                    /* cs_planchange_did ran on it */
    int32_t cutoff;              /* the last close date read */
    int quarters_after;          /* event quarters 0 .. 3 the sample reaches (0: none yet) */
    size_t n;                    /* deals in the sample */
    size_t treated_reps, control_reps;   /* reps in the sample */
    size_t treated_deals, treated_post_deals, control_deals;
    bool estimated;              /* the DiD term has an estimate */
    const char *note;            /* static: why not estimated, or "" */
    struct cs_pc_did did;
    struct cs_pc_event event[CS_PC_EVENTS];   /* quarters -4 .. 3 in order */
    size_t pre_df;               /* pre-change event terms tested (0: no test) */
    double pre_wald, pre_p;      /* the joint test; NAN without one */
    struct cs_data_rule rule;    /* verdict.h's data rule on the sample (k = 1) */
    bool few_treated;            /* 1 .. CS_PC_FEW_TREATED - 1 treated reps in the sample */

    /* cs_planchange_family */
    enum cs_verdict verdict;
    double q;                    /* Benjamini-Hochberg q in the family; NAN when not in it */

    struct cs_pc_predicted predicted;
};

struct cs_plan_changes {
    size_t n_moves;
    struct cs_pc_move *moves;    /* every move, by day, then rep (owned) */
    size_t n;
    struct cs_plan_change *items;   /* by date, then from, then to (owned) */
    size_t largest_group;        /* the most reps of a group of moves that is not a change
                                    (0: none): "3 reps moved ..., fewer than 5" */
    struct cs_family family;     /* cs_planchange_family's */
};

/*
 * Moves and changes (rule 1) of a[0..n) (any order) with quarters from
 * cal.  On CS_OK *out is new, owned by the caller (cs_planchange_free);
 * no assignments is an empty list, not an error.  Errors, *out NULL:
 * CS_ERR_USAGE when a is NULL with n > 0; CS_ERR_INPUT when a row has no
 * start date (message "row I: ..."); CS_ERR_NOMEM.
 */
enum cs_status cs_planchange_detect(const struct cs_pc_assignment *a, size_t n,
                                    const struct cs_calendar *cal, struct cs_plan_changes **out,
                                    struct cs_error *err);

/*
 * The difference-in-differences and event study (rule 2) of change c of
 * pcs on the deals d, reading the deals closed up to cutoff (CS_NO_DATE:
 * every one).  Fills c's fields after `run`; a change whose sample cannot
 * give an estimate (no treated deal after the date yet, no control rep)
 * is not an error: estimated is false and note says why.  The family's
 * figures (did.p's reading, the printed interval, verdict) wait for
 * cs_planchange_family; until then the interval is the 95% one.  Errors:
 * CS_ERR_USAGE (NULL arrays); CS_ERR_INPUT from cs_feols (an outcome not
 * 0/1 is accepted: it is least squares); CS_ERR_NOMEM.
 */
enum cs_status cs_planchange_did(struct cs_plan_changes *pcs, size_t c,
                                 const struct cs_pc_deals *d, const struct cs_calendar *cal,
                                 int32_t cutoff, struct cs_error *err);

/*
 * The verdicts (rule 3) of the changes that ran: the family of the
 * readable ones, each one's verdict, q, p's reading and printed interval.
 * Errors: CS_ERR_NOMEM.
 */
enum cs_status cs_planchange_family(struct cs_plan_changes *pcs, struct cs_error *err);

/*
 * The whole of rules 1-3 on a measured data set: the assignments of
 * m->ds, the won deals with their promise_risk (m->oc), the changes dated
 * up to the end of m->sel (a quarter: its last day, which is also the
 * cutoff; all: every change and deal).  Without assignments or without
 * promise data *out is an empty list.  Errors as above.
 */
enum cs_status cs_planchange_run(const struct cs_measured *m, struct cs_plan_changes **out,
                                 struct cs_error *err);

/* The last change of pcs that ran (the report's "last plan change"), or NULL. */
const struct cs_plan_change *cs_planchange_last(const struct cs_plan_changes *pcs);

void cs_planchange_free(struct cs_plan_changes *pcs);   /* accepts NULL */

#endif
