/* plancheck.h - the rules a comp plan obeys (SPEC 1, plans.csv): one validator, and its messages. */
#ifndef COMPSIGHT_PLANCHECK_H
#define COMPSIGHT_PLANCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "compsight/dataset.h"
#include "compsight/status.h"

/* The rules of a plan, in the order cs_plans_check names the first broken. */
enum cs_plan_rule {
    CS_PLAN_OK = 0,
    CS_PLAN_QUOTA,          /* quota > 0 (and finite) */
    CS_PLAN_PERIOD_TYPE,    /* period_type is quarter or year */
    CS_PLAN_NO_TIERS,       /* at least one tier, within floor[] and rate[] */
    CS_PLAN_FLOOR_ZERO,     /* the first tier's floor is 0 */
    CS_PLAN_FLOOR_ORDER,    /* floors finite, distinct and increasing */
    CS_PLAN_RATE            /* rates >= 0 (and finite) */
};

/* The first plan that breaks a rule, and how. */
struct cs_plan_fault {
    enum cs_plan_rule rule;  /* the first rule broken, in the order above; CS_PLAN_OK: none */
    unsigned broken;         /* every plan-level rule the plan breaks (QUOTA to FLOOR_ZERO),
                              * bit 1u << rule; the tiers are checked only when none is */
    size_t plan;             /* the plan's index */
    size_t tier;             /* FLOOR_ORDER, RATE: the tier's index in floor[] and rate[] */
};

/*
 * The rules of a row's values, for a loader (the importer rejects a
 * plans.csv row that breaks one): quota > 0, tier_floor >= 0, rate >= 0,
 * each finite.
 */
bool cs_plan_quota_ok(double quota);
bool cs_plan_floor_ok(double floor);
bool cs_plan_rate_ok(double rate);

/* Check plan p of plans (its tiers must be sorted by floor). */
struct cs_plan_fault cs_plan_check(const struct cs_plans *plans, size_t p);

/* Check every plan, in order: the first fault, or rule CS_PLAN_OK. */
struct cs_plan_fault cs_plans_check(const struct cs_plans *plans);

/*
 * How a fault is told.  The three wordings come from three copies of the
 * check that grew apart; they are kept as they were, here, until one
 * wording replaces them (the same figures and messages as before).
 *
 * - ROWS: the importer's reject of a plan built from plans.csv rows,
 *   e.g. `plan "P1" has no tier with floor 0` on column tier_floor (the
 *   other rules cannot fail there: the rows' own rules come first);
 * - INCENTIVES: cs_incentives_compute's guard: file "plans.csv", line 0,
 *   `plan "P1": quota must be > 0` (the id quoted and escaped as
 *   cs_quote_bytes does), quota named before period_type;
 * - WHATIF: the what-if's guard on an alternative: file "plans", line 0,
 *   `alternative plan P1: bad period type` (the id as it is),
 *   period_type named before quota, and a plan without tiers said to
 *   need a tier with floor 0.
 */
enum cs_plan_style { CS_PLAN_STYLE_ROWS, CS_PLAN_STYLE_INCENTIVES, CS_PLAN_STYLE_WHATIF };

/* The rule a style names for fault f: f->rule, or (WHATIF) another of f->broken. */
enum cs_plan_rule cs_plan_fault_rule(const struct cs_plan_fault *f, enum cs_plan_style style);

/* The column a style names for f (static: "quota", "tier_floor", ...). */
const char *cs_plan_fault_column(const struct cs_plan_fault *f, enum cs_plan_style style);

/* f's message in a style, for the plan whose id is plan_id (NUL-terminated),
 * into buf of size n (always NUL-terminated); returns buf. */
char *cs_plan_fault_message(const struct cs_plan_fault *f, enum cs_plan_style style,
                            const char *plan_id, char *buf, size_t n);

/* Fill err with f (rule not CS_PLAN_OK) in style INCENTIVES or WHATIF:
 * the style's file, line 0, column and message.  Returns CS_ERR_INPUT. */
enum cs_status cs_plan_fault_error(const struct cs_plan_fault *f, enum cs_plan_style style,
                                   const char *plan_id, struct cs_error *err);

#endif
