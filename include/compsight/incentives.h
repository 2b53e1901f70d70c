/* incentives.h - the incentive each won deal faced (SPEC section 5) and the reconciliation of 7.9. */
#ifndef COMPSIGHT_INCENTIVES_H
#define COMPSIGHT_INCENTIVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/status.h"

/*
 * One row per (rep, plan, plan period) with at least one credit row (SPEC
 * 13; without assignments.csv a rep has one plan, and this is one row per
 * rep-period), ordered by rep index, then period code, then plan index.
 * This is the population of the bunching analysis (SPEC 7.6) and of the
 * rep clusters.
 */
struct cs_rep_periods {
    size_t n;
    uint32_t *rep;           /* rep index */
    uint32_t *plan;          /* plan index */
    int32_t *period;         /* plan period code (quarter or year code) */
    double *quota;           /* Q used: quotas.csv's, else the plan's prorated (SPEC 13) */
    double *amount;          /* sum of the credited amounts (plain double sum in SPEC 5 order) */
    double *attainment;      /* final attainment = amount / Q */
    uint32_t *n_deals;       /* credit rows in it (won deals, without splits.csv) */
};

/*
 * SPEC 13: the credit rows of the split deals (won deals with rows in
 * splits.csv), all of them, the deal's own among them: in deal order, and
 * a deal's rows by rep_id in byte order.  A deal not split has one credit
 * row, its own, held in the per-deal arrays (share 1, its owner).  A
 * row's credited amount is share x fraction x the deal's amount; its
 * period and quota are those of rp[rep_period].  For a what-if's table
 * (cs_incentives_recompute with only_plans) the rows of the plans not
 * computed have rep_period CS_NONE, and only deal, rep, plan, share,
 * fraction, own, rep_period and attainment_before are set.
 */
struct cs_credit_rows {
    size_t n;
    uint32_t *deal, *rep, *plan;     /* plan: the rep's on the close date (assignment, reps.csv) */
    double *share;                   /* splits.csv's */
    double *fraction;                /* the plan's credit_ fraction for the deal's type */
    uint8_t *own;                    /* 1: the deal's own row (its measures are the deal's) */
    uint32_t *rep_period;
    double *attainment_before;
    double *commission;
    double *marginal_rate;
    int8_t *tier_cross;
    double *gap_to_next_tier;
};

/*
 * Per-deal measures, every array of length n == ds->deals.n, indexed like
 * ds->deals.  A deal's measures are those of its own credit row (SPEC 13:
 * its owner's, or of a split deal whose owner is not credited, the row
 * with the largest share): rep_period, attainment_before, marginal_rate,
 * tier_cross, gap_to_next_tier, period, the day counts; its commission
 * sums all its credit rows; effective_rate is its own row's commission /
 * (share x amount), or rate x credit fraction exactly for a row paid at
 * one rate.  Only won deals (won[i] == 1) carry measures; for the others
 * the doubles are NAN, the small flags -1, day counts -1, period_end
 * CS_NO_DATE and period CS_NO_PERIOD.  quarter is the exception: it is set
 * for every deal that has a close date, won or not, because selecting
 * deals by --period needs it.
 */
struct cs_incentives {
    size_t n;
    size_t n_won;
    uint8_t *won;            /* 1 for won deals */
    int32_t *period;         /* plan period code (the rep's plan period type) */
    int32_t *quarter;        /* fiscal quarter code of close_date */
    int32_t *period_days;    /* L: days in the plan period */
    int32_t *day_of_period;  /* close_date - first day of the period, 0-based */
    uint32_t *rep_period;    /* row of rp, CS_NONE when not won */
    double *attainment_before;   /* a0 */
    double *marginal_rate;
    double *commission;
    double *effective_rate;
    int8_t *tier_cross;
    double *gap_to_next_tier;    /* NAN when a0 is in the last tier */
    int32_t *days_to_period_end;
    int8_t *last_14_days;
    int8_t *spiff;
    double *log_amount;
    /* Not stored, as one array read gives them (seventy-seven bytes a
     * deal instead of ninety-seven): a won deal's Q is
     * rp.quota[rep_period[i]], its a1 = a0 + amount / Q (SPEC 5's
     * arithmetic), its period's last day cs_cal_period_last_day(cal,
     * period[i]); with a split deal or a credit fraction other than 1, use
     * the credited amount (cs_incentives_credited) for amount. */
    struct cs_rep_periods rp;
    struct cs_credit_rows split;     /* n == 0 without splits.csv */
};

/* ----------------------------------------------------------------------
 * Credit rows (SPEC 13): src/measures/credit_rows.c
 * -------------------------------------------------------------------- */

/* The rep of won deal i's own credit row (its owner unless the deal is
 * split without crediting the owner). */
static inline uint32_t cs_incentives_own_rep(const struct cs_incentives *inc, size_t i)
{
    return inc->rp.rep[inc->rep_period[i]];
}

/* The first row of inc->split of deal i, CS_NONE when it is not split. */
uint32_t cs_incentives_split_first(const struct cs_incentives *inc, uint32_t deal);

/*
 * Every credit row of the won deals (SPEC 13), one at a time: a deal not
 * split gives its one row (its owner, share 1, the per-deal measures), a
 * split deal every row of inc->split (its own among them).  Whatever
 * groups credit by rep and period (the push-out model of SPEC 14.2) walks
 * these, so that a split deal credits each of its reps in their own
 * rep-periods, with their own tier crossings.
 */
struct cs_credit {
    uint32_t deal;           /* deal index */
    uint32_t rep;            /* the rep credited */
    uint32_t rep_period;     /* its row of inc->rp (the rep's plan and period) */
    double share;            /* 0 < share <= 1: the rep is credited share x amount */
    bool own;                /* the deal's own row (the per-deal measures are its) */
    double attainment_before;
    double commission;       /* this row's (a split deal's per-deal commission sums its rows) */
    double marginal_rate;
    int8_t tier_cross;
    double gap_to_next_tier;
};

/* Where a walk is: start it zeroed (struct cs_credit_walk w = {0}). */
struct cs_credit_walk {
    size_t deal, split;
};

/*
 * The next credit row of inc into *row, in deal order (a deal's rows
 * together, a split deal's by rep_id in byte order): true, or false when
 * the walk is over.  inc is a full table (cs_incentives_compute, or
 * cs_incentives_recompute without only_plans).  Borrows inc; allocates
 * nothing.
 */
bool cs_credits_next(const struct cs_incentives *inc, struct cs_credit_walk *w,
                     struct cs_credit *row);

/* The share of won deal i's own credit row: 1 unless it is split. */
double cs_incentives_credit_share(const struct cs_incentives *inc, size_t i);

/* The amount won deal i's own credit row counts: share x amount x the
 * plan's credit fraction for its type (plans: the table inc was computed
 * under; NULL for ds's). */
double cs_incentives_credited(const struct cs_dataset *ds, const struct cs_plans *plans,
                              const struct cs_incentives *inc, size_t i);

/* The team of deal i (a string id): for a won deal, its own credit row's
 * rep's on the close date (SPEC 13: the assignment's, else reps.csv's);
 * for the others, its owner's on the close date (reps.csv's without one). */
uint32_t cs_incentives_team(const struct cs_dataset *ds, const struct cs_incentives *inc,
                            size_t i);

/* ----------------------------------------------------------------------
 * The table (incentives.c) and the tier maths of one row (tiers.c)
 * -------------------------------------------------------------------- */

/*
 * Compute SPEC section 5 for every won deal of ds under plans, with periods
 * from cal.  plans is &ds->plans, or for a what-if an alternative with the
 * same number of plans in the same order (reps refer to plans by index;
 * ids are not compared, they may live in another string pool).  Quota
 * overrides of ds->quotas apply to either: a row matches when its rep and
 * period code equal the deal's rep and plan period code, so a quarter row
 * never matches a yearly plan nor a year row a quarterly one; when several
 * rows match, the first one in the file wins (as the importer, which
 * rejects the repeats).  A row whose quota is not > 0 is ignored.
 *
 * Won deals of one rep and plan period are taken in (close_date, deal_id)
 * order, deal_id compared as bytes (a proper prefix sorts first: "D1" <
 * "D10" < "D9").  The running sum of amounts is a plain double sum in that
 * order (not compensated), a0 = sum_before / Q and a1 = a0 + amount / Q,
 * exactly the expressions of the spec, so an independent implementation
 * evaluating the same expressions in the same order gets the same bits.
 * One refinement, mathematically the same value: a deal with no floor
 * strictly inside (a0, a1) is paid at one rate, so its commission is
 * rate * amount and its effective_rate is that rate exactly (Q * rate *
 * (a1 - a0) equals it only up to rounding, which would scatter one tier's
 * effective rates over a dozen values and break ties for Spearman).
 *
 * On success *out is a new struct owned by the caller (cs_incentives_free).
 * Errors, with *out left NULL: CS_ERR_USAGE when plans has a different
 * number of plans than ds; CS_ERR_INPUT naming plans.csv when a plan has no
 * tier, a first floor other than 0, floors not strictly increasing, a
 * negative or non-finite rate or a quota that is not > 0; CS_ERR_INPUT
 * naming deals.csv and the line when a won deal has no close date, an
 * amount that is not > 0, or a rep without a plan (the importer rejects
 * those, so this is a guard); CS_ERR_NOMEM.
 */
enum cs_status cs_incentives_compute(const struct cs_dataset *ds,
                                     const struct cs_plans *plans,
                                     const struct cs_calendar *cal,
                                     struct cs_incentives **out,
                                     struct cs_error *err);

/*
 * The same, for a what-if: reusing the arrays of *inout (a table from an
 * earlier call for the same ds, or NULL) instead of allocating new ones,
 * so that recomputing for several alternatives fills the same pages each
 * time; and, when only_plans is not NULL, only for the deals of reps on
 * the plans it flags (indexed like plans).  Every other deal gets won = 0
 * and nothing else: its other elements keep what an earlier call left
 * there, or are indeterminate in a new table, and must not be read (a
 * deal of a plan that did not change keeps its measures, which the
 * caller has).  Such a table stops after the attainment: it holds won,
 * rep_period and attainment_before of the deals of those plans, and rp;
 * its other per-deal arrays are NULL, and a what-if does the tier maths
 * for the deals it simulates itself (at ten million deals, 13 bytes a
 * deal instead of 77).  On success *inout is the new table; on failure
 * NULL (the old one is freed either way).
 */
enum cs_status cs_incentives_recompute(const struct cs_dataset *ds,
                                       const struct cs_plans *plans,
                                       const struct cs_calendar *cal,
                                       const bool *only_plans,
                                       struct cs_incentives **inout,
                                       struct cs_error *err);

void cs_incentives_free(struct cs_incentives *inc);   /* accepts NULL */

/*
 * Tier maths for one deal, exposed for the what-if simulations and tests:
 * tiers are floor[0..n) (floor[0] == 0, increasing) with rate[0..n).
 * Given a0 and a1 >= a0 (fractions of quota) and Q, fill the measures that
 * depend only on them.  Any output pointer may be NULL.
 */
void cs_incentives_tiers(const double *floor, const double *rate, size_t n,
                         double quota, double a0, double a1,
                         double *commission, double *marginal_rate,
                         int8_t *tier_cross, double *gap_to_next_tier);

/*
 * SPEC 5's tier maths for one won deal of the given amount, as
 * cs_incentives_compute does them: a1 = a0 + amount / quota, then
 * cs_incentives_tiers, and a deal that no floor splits (none strictly
 * inside (a0, a1)) is paid rate x amount exactly instead of Q x rate x
 * (a1 - a0), which equals it only up to rounding.  Returns whether it was
 * (its effective rate is then its marginal rate).  gap_to_next_tier may
 * be NULL.
 */
bool cs_incentives_deal(const double *floor, const double *rate, size_t n, double quota,
                        double a0, double amount, double *commission, double *marginal_rate,
                        int8_t *tier_cross, double *gap_to_next_tier);

/* ----------------------------------------------------------------------
 * Reconciliation against commissions.csv (SPEC 7.9)
 * -------------------------------------------------------------------- */

/* Deals compared, and the share within tolerance at or above which the
 * plan model is said to reproduce the statements. */
#define CS_RECON_REPRODUCE_SHARE 0.95
/* Within tolerance: |paid - computed| <= CS_RECON_REL_TOL * max(|computed|,
 * CS_RECON_TINY).  The floor of half a currency unit makes the absolute
 * tolerance half a cent for tiny commissions (statements are rounded to
 * cents), and makes paid 0 against computed 0 a match. */
#define CS_RECON_REL_TOL 0.01
#define CS_RECON_TINY 0.5
#define CS_RECON_TOP 10

struct cs_recon_gap {
    uint32_t deal;           /* deal index */
    double paid;             /* sum of its commissions.csv lines */
    double computed;         /* inc->commission[deal] */
    double gap;              /* paid - computed */
};

struct cs_reconciliation {
    size_t lines;            /* commissions.csv rows considered */
    size_t lines_not_won;    /* rows for deals that are not won */
    size_t deals_not_won;    /* distinct such deals */
    size_t lines_unknown;    /* rows with no valid deal index (importer guard) */
    size_t lines_rep_mismatch;   /* rows whose rep_id is not the deal's rep (still counted) */
    size_t compared;         /* won deals with at least one line */
    size_t within;           /* of those, within tolerance */
    double share;            /* within / compared; NAN when compared == 0 */
    bool reproduces;         /* compared > 0 && share >= CS_RECON_REPRODUCE_SHARE */
    double paid_total;       /* over the compared deals */
    double computed_total;
    size_t n_gaps;           /* <= CS_RECON_TOP */
    struct cs_recon_gap gaps[CS_RECON_TOP];  /* largest |gap| first; ties by deal index */
    double *paid;            /* length ds->deals.n: paid per deal, NAN without a line */
    /* SPEC 13, per rep and deal: the split deals' credit rows that lines
     * name by their rep (their lines summed), and of those within
     * tolerance of the row's commission; lines of a split deal whose rep is
     * none of its credited reps count in lines_rep_mismatch */
    size_t rows_compared, rows_within;
};

/*
 * Sum the commissions.csv lines of ds per deal (a deal may have several
 * lines; the line's period is not used to split them) and compare with
 * inc->commission for every won deal that has a line; and, for a split
 * deal (SPEC 13), each line by its rep_id with that rep's credit row.
 * *out is new and owned by the caller (cs_recon_free).  An empty
 * commissions table gives compared == 0, share NAN, reproduces false.
 * Errors: CS_ERR_USAGE when inc was not computed for ds (n differs),
 * CS_ERR_NOMEM; *out is left NULL.
 */
enum cs_status cs_incentives_reconcile(const struct cs_dataset *ds,
                                       const struct cs_incentives *inc,
                                       struct cs_reconciliation **out,
                                       struct cs_error *err);

void cs_recon_free(struct cs_reconciliation *rec);   /* accepts NULL */

#endif
