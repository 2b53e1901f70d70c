/* plancheck.c - the rules a comp plan obeys: one validator for the importer, the incentives and the what-if. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/plancheck.h"

bool cs_plan_quota_ok(double quota)
{
    return quota > 0 && isfinite(quota);
}

bool cs_plan_floor_ok(double floor)
{
    return floor >= 0 && isfinite(floor);
}

bool cs_plan_rate_ok(double rate)
{
    return rate >= 0 && isfinite(rate);
}

struct cs_plan_fault cs_plan_check(const struct cs_plans *pl, size_t p)
{
    struct cs_plan_fault f = {CS_PLAN_OK, 0, p, 0};
    uint32_t first = pl->tier_first[p], n = pl->tier_count[p];
    if (!cs_plan_quota_ok(pl->quota[p]))
        f.broken |= 1u << CS_PLAN_QUOTA;
    if (pl->period_type[p] != CS_PERIOD_QUARTER && pl->period_type[p] != CS_PERIOD_YEAR)
        f.broken |= 1u << CS_PLAN_PERIOD_TYPE;
    if (n == 0 || (size_t)first + n > pl->n_tiers)
        f.broken |= 1u << CS_PLAN_NO_TIERS;
    else if (pl->floor[first] != 0.0)
        f.broken |= 1u << CS_PLAN_FLOOR_ZERO;
    if (f.broken) {
        for (f.rule = CS_PLAN_QUOTA; !(f.broken >> f.rule & 1); f.rule++)
            ;
        return f;
    }
    for (uint32_t t = first; t < first + n; t++) {
        f.tier = t;
        if (!isfinite(pl->floor[t]) || (t > first && !(pl->floor[t] > pl->floor[t - 1]))) {
            f.rule = CS_PLAN_FLOOR_ORDER;
            return f;
        }
        if (!cs_plan_rate_ok(pl->rate[t])) {
            f.rule = CS_PLAN_RATE;
            return f;
        }
    }
    f.tier = 0;
    return f;
}

struct cs_plan_fault cs_plans_check(const struct cs_plans *plans)
{
    struct cs_plan_fault f = {CS_PLAN_OK, 0, 0, 0};
    for (size_t p = 0; p < plans->n; p++)
        if ((f = cs_plan_check(plans, p)).rule != CS_PLAN_OK)
            return f;
    return (struct cs_plan_fault){CS_PLAN_OK, 0, 0, 0};
}

/* ------------------------------------------------------------------------
 * Messages
 * --------------------------------------------------------------------- */

/* The index of each plans.csv column (schema.h): PLANS_QUOTA, ... */
#define COLUMN_INDEX(T, TAG, ...) T##_##TAG,
enum { CS_COLUMNS_PLANS(COLUMN_INDEX, PLANS) PLANS_COLUMNS };

static const struct {
    int column;              /* of plans.csv */
    const char *text;        /* after "plan ID: " */
} rules[] = {
    [CS_PLAN_OK] = {PLANS_ID, ""},
    [CS_PLAN_QUOTA] = {PLANS_QUOTA, "quota must be > 0"},
    [CS_PLAN_PERIOD_TYPE] = {PLANS_PERIOD_TYPE, "bad period type"},
    [CS_PLAN_NO_TIERS] = {PLANS_FLOOR, "no tiers"},
    [CS_PLAN_FLOOR_ZERO] = {PLANS_FLOOR, "needs a tier with floor 0"},
    [CS_PLAN_FLOOR_ORDER] = {PLANS_FLOOR, "floors must be distinct and increasing"},
    [CS_PLAN_RATE] = {PLANS_RATE, "rate must be >= 0"},
};

enum cs_plan_rule cs_plan_fault_rule(const struct cs_plan_fault *f, enum cs_plan_style style)
{
    if (style != CS_PLAN_STYLE_WHATIF)
        return f->rule;
    /* period_type before quota; no tiers is a missing floor-0 tier */
    if (f->broken >> CS_PLAN_PERIOD_TYPE & 1)
        return CS_PLAN_PERIOD_TYPE;
    if (f->rule == CS_PLAN_NO_TIERS)
        return CS_PLAN_FLOOR_ZERO;
    return f->rule;
}

const char *cs_plan_fault_column(const struct cs_plan_fault *f, enum cs_plan_style style)
{
    return cs_schema_table(CS_T_PLANS)->columns[rules[cs_plan_fault_rule(f, style)].column].name;
}

char *cs_plan_fault_message(const struct cs_plan_fault *f, enum cs_plan_style style,
                            const char *plan_id, char *buf, size_t n)
{
    enum cs_plan_rule rule = cs_plan_fault_rule(f, style);
    char q[128];
    if (style == CS_PLAN_STYLE_WHATIF) {
        snprintf(buf, n, "alternative plan %s: %s", plan_id, rules[rule].text);
        return buf;
    }
    cs_quote_bytes(q, sizeof q, plan_id, strlen(plan_id));
    if (style == CS_PLAN_STYLE_ROWS && rule == CS_PLAN_FLOOR_ZERO)
        snprintf(buf, n, "plan %s has no tier with floor 0", q);
    else
        snprintf(buf, n, "plan %s: %s", q, rules[rule].text);
    return buf;
}

enum cs_status cs_plan_fault_error(const struct cs_plan_fault *f, enum cs_plan_style style,
                                   const char *plan_id, struct cs_error *err)
{
    char msg[sizeof err->msg];
    cs_plan_fault_message(f, style, plan_id, msg, sizeof msg);
    return cs_error_set(err, CS_ERR_INPUT, style == CS_PLAN_STYLE_WHATIF ? "plans" : "plans.csv", 0,
                        cs_plan_fault_column(f, style), "%s", msg);
}
