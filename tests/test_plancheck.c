/* test_plancheck.c - the plan validator: every rule, every style's message, against the copies it replaces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compsight/plancheck.h"

/* ------------------------------------------------------------------------
 * The copies the validator replaces, as they were (5140ba9): the guard in
 * src/measures/incentives.c (check_plans) and in src/whatif/whatif.c
 * (check_alt), given the plan ids as strings.  Reference implementations:
 * the validator's messages must be theirs, byte for byte.
 * --------------------------------------------------------------------- */

static enum cs_status ref_incentives(const char *const *ids, const struct cs_plans *plans,
                                     struct cs_error *err)
{
    for (size_t p = 0; p < plans->n; p++) {
        char q[128];
        const char *pid = cs_quote_bytes(q, sizeof q, ids[p], strlen(ids[p]));
        uint32_t first = plans->tier_first[p], cnt = plans->tier_count[p];
        if (!(plans->quota[p] > 0) || !isfinite(plans->quota[p]))
            return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "quota",
                                "plan %s: quota must be > 0", pid);
        if (plans->period_type[p] != CS_PERIOD_QUARTER && plans->period_type[p] != CS_PERIOD_YEAR)
            return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "period_type",
                                "plan %s: bad period type", pid);
        if (cnt == 0 || (size_t)first + cnt > plans->n_tiers)
            return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "tier_floor",
                                "plan %s: no tiers", pid);
        if (plans->floor[first] != 0.0)
            return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "tier_floor",
                                "plan %s: needs a tier with floor 0", pid);
        for (uint32_t t = first; t < first + cnt; t++) {
            if (!isfinite(plans->floor[t]) || (t > first && !(plans->floor[t] > plans->floor[t - 1])))
                return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "tier_floor",
                                    "plan %s: floors must be distinct and increasing", pid);
            if (!(plans->rate[t] >= 0) || !isfinite(plans->rate[t]))
                return cs_error_set(err, CS_ERR_INPUT, "plans.csv", 0, "rate",
                                    "plan %s: rate must be >= 0", pid);
        }
    }
    return CS_OK;
}

static enum cs_status ref_whatif(const char *const *ids, const struct cs_plans *alt,
                                 struct cs_error *err)
{
    for (size_t p = 0; p < alt->n; p++) {
        const char *pid = ids[p];
        uint32_t f = alt->tier_first[p], n = alt->tier_count[p];
        if (alt->period_type[p] != CS_PERIOD_QUARTER && alt->period_type[p] != CS_PERIOD_YEAR)
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "period_type",
                                "alternative plan %s: bad period type", pid);
        if (!(alt->quota[p] > 0) || !isfinite(alt->quota[p]))
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "quota",
                                "alternative plan %s: quota must be > 0", pid);
        if (n == 0 || (size_t)f + n > alt->n_tiers || alt->floor[f] != 0)
            return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "tier_floor",
                                "alternative plan %s: needs a tier with floor 0", pid);
        for (uint32_t t = f; t < f + n; t++) {
            if (!isfinite(alt->floor[t]) || (t > f && !(alt->floor[t] > alt->floor[t - 1])))
                return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "tier_floor",
                                    "alternative plan %s: floors must be distinct and increasing", pid);
            if (!(alt->rate[t] >= 0) || !isfinite(alt->rate[t]))
                return cs_error_set(err, CS_ERR_INPUT, "plans", 0, "rate",
                                    "alternative plan %s: rate must be >= 0", pid);
        }
    }
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * Plans built in the test
 * --------------------------------------------------------------------- */

enum { MAX_PLANS = 4, MAX_TIERS = 16 };

struct fixture {
    uint32_t id[MAX_PLANS];
    uint8_t period_type[MAX_PLANS];
    double quota[MAX_PLANS];
    uint32_t tier_first[MAX_PLANS], tier_count[MAX_PLANS];
    double floor[MAX_TIERS], rate[MAX_TIERS];
    struct cs_plans plans;
};

/* n plans of one good tier each (floor 0, rate 0.1, quota 100, quarterly). */
static void fixture_init(struct fixture *x, size_t n)
{
    memset(x, 0, sizeof *x);
    for (size_t p = 0; p < n; p++) {
        x->quota[p] = 100;
        x->tier_first[p] = (uint32_t)p;
        x->tier_count[p] = 1;
        x->rate[p] = 0.1;
    }
    x->plans = (struct cs_plans){n, x->id, x->period_type, x->quota, x->tier_first,
                                 x->tier_count, n, x->floor, x->rate};
}

/* The validator's error in style s, against the reference's. */
static void expect_same(const struct fixture *x, const char *const *ids)
{
    struct cs_error want, got;
    const enum cs_plan_style styles[] = {CS_PLAN_STYLE_INCENTIVES, CS_PLAN_STYLE_WHATIF};
    struct cs_plan_fault f = cs_plans_check(&x->plans);
    for (size_t k = 0; k < 2; k++) {
        cs_error_clear(&want);
        cs_error_clear(&got);
        enum cs_status st = styles[k] == CS_PLAN_STYLE_INCENTIVES
                                ? ref_incentives(ids, &x->plans, &want)
                                : ref_whatif(ids, &x->plans, &want);
        if (st == CS_OK) {
            assert_int_equal(f.rule, CS_PLAN_OK);
            continue;
        }
        assert_int_not_equal(f.rule, CS_PLAN_OK);
        assert_int_equal(cs_plan_fault_error(&f, styles[k], ids[f.plan], &got), CS_ERR_INPUT);
        assert_int_equal(got.status, want.status);
        assert_string_equal(got.file, want.file);
        assert_int_equal(got.line, want.line);
        assert_string_equal(got.column, want.column);
        assert_string_equal(got.msg, want.msg);
    }
}

/* ------------------------------------------------------------------------
 * Tests
 * --------------------------------------------------------------------- */

static void test_good_plans(void **state)
{
    (void)state;
    struct fixture x;
    fixture_init(&x, 3);
    x.period_type[1] = CS_PERIOD_YEAR;
    struct cs_plan_fault f = cs_plans_check(&x.plans);
    assert_int_equal(f.rule, CS_PLAN_OK);
    assert_int_equal(f.broken, 0);
    assert_true(cs_plan_quota_ok(1e-9) && !cs_plan_quota_ok(0) && !cs_plan_quota_ok(NAN) &&
                !cs_plan_quota_ok(INFINITY));
    assert_true(cs_plan_floor_ok(0) && !cs_plan_floor_ok(-0.5) && !cs_plan_floor_ok(INFINITY));
    assert_true(cs_plan_rate_ok(0) && !cs_plan_rate_ok(-1e-9) && !cs_plan_rate_ok(NAN));
}

/* One case per rule: the rule, plan and tier found, and each style's message. */
static void quota_zero(struct fixture *x) { x->quota[1] = 0; }
static void period_bad(struct fixture *x) { x->period_type[1] = 2; }
static void quota_and_period(struct fixture *x) { x->quota[1] = NAN; x->period_type[1] = 9; }
static void no_tiers(struct fixture *x) { x->tier_count[1] = 0; }
static void tiers_outside(struct fixture *x) { x->tier_first[1] = 7; }
static void floor_not_zero(struct fixture *x) { x->floor[1] = 0.5; }
static void floors_repeat(struct fixture *x)
{
    x->tier_count[1] = 3;
    x->tier_first[1] = 2;
    x->floor[2] = 0, x->floor[3] = 1, x->floor[4] = 1;
    x->rate[2] = x->rate[3] = x->rate[4] = 0.1;
    x->plans.n_tiers = 5;
}
static void rate_negative(struct fixture *x)
{
    floors_repeat(x);
    x->floor[4] = 2;
    x->rate[3] = -0.1;
}

static const struct {
    const char *what;
    void (*breaks)(struct fixture *x);
    enum cs_plan_rule rule, whatif_rule;
    size_t plan, tier;
    const char *incentives, *whatif, *rows;
} rule_cases[] = {
    {"quota", quota_zero, CS_PLAN_QUOTA, CS_PLAN_QUOTA, 1, 0,
     "plan \"P2\": quota must be > 0", "alternative plan P2: quota must be > 0",
     "plan \"P2\": quota must be > 0"},
    {"period type", period_bad, CS_PLAN_PERIOD_TYPE, CS_PLAN_PERIOD_TYPE, 1, 0,
     "plan \"P2\": bad period type", "alternative plan P2: bad period type",
     "plan \"P2\": bad period type"},
    {"both: the incentives name the quota, the what-if the period type", quota_and_period,
     CS_PLAN_QUOTA, CS_PLAN_PERIOD_TYPE, 1, 0, "plan \"P2\": quota must be > 0",
     "alternative plan P2: bad period type", "plan \"P2\": quota must be > 0"},
    {"no tiers", no_tiers, CS_PLAN_NO_TIERS, CS_PLAN_FLOOR_ZERO, 1, 0, "plan \"P2\": no tiers",
     "alternative plan P2: needs a tier with floor 0", "plan \"P2\": no tiers"},
    {"tiers outside the arrays", tiers_outside, CS_PLAN_NO_TIERS, CS_PLAN_FLOOR_ZERO, 1, 0,
     "plan \"P2\": no tiers", "alternative plan P2: needs a tier with floor 0",
     "plan \"P2\": no tiers"},
    {"first floor not 0", floor_not_zero, CS_PLAN_FLOOR_ZERO, CS_PLAN_FLOOR_ZERO, 1, 0,
     "plan \"P2\": needs a tier with floor 0", "alternative plan P2: needs a tier with floor 0",
     "plan \"P2\" has no tier with floor 0"},
    {"floors repeat", floors_repeat, CS_PLAN_FLOOR_ORDER, CS_PLAN_FLOOR_ORDER, 1, 4,
     "plan \"P2\": floors must be distinct and increasing",
     "alternative plan P2: floors must be distinct and increasing",
     "plan \"P2\": floors must be distinct and increasing"},
    {"a rate below 0", rate_negative, CS_PLAN_RATE, CS_PLAN_RATE, 1, 3,
     "plan \"P2\": rate must be >= 0", "alternative plan P2: rate must be >= 0",
     "plan \"P2\": rate must be >= 0"},
};

/* got must be want; the case's name says which failed. */
static void same_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("%s: \"%s\", wanted \"%s\"", what, got, want);
}

static void test_each_rule(void **state)
{
    (void)state;
    const char *const ids[] = {"P1", "P2", "P3"};
    for (size_t i = 0; i < sizeof rule_cases / sizeof *rule_cases; i++) {
        const char *what = rule_cases[i].what;
        struct fixture x;
        fixture_init(&x, 3);
        rule_cases[i].breaks(&x);
        struct cs_plan_fault f = cs_plans_check(&x.plans);
        char buf[256];
        if (f.rule != rule_cases[i].rule || f.plan != rule_cases[i].plan ||
            f.tier != rule_cases[i].tier ||
            cs_plan_fault_rule(&f, CS_PLAN_STYLE_WHATIF) != rule_cases[i].whatif_rule)
            fail_msg("%s: rule %d (what-if %d), plan %zu, tier %zu", what, (int)f.rule,
                     (int)cs_plan_fault_rule(&f, CS_PLAN_STYLE_WHATIF), f.plan, f.tier);
        same_text(what, cs_plan_fault_message(&f, CS_PLAN_STYLE_INCENTIVES, ids[f.plan], buf,
                                              sizeof buf), rule_cases[i].incentives);
        same_text(what, cs_plan_fault_message(&f, CS_PLAN_STYLE_WHATIF, ids[f.plan], buf,
                                              sizeof buf), rule_cases[i].whatif);
        same_text(what, cs_plan_fault_message(&f, CS_PLAN_STYLE_ROWS, ids[f.plan], buf,
                                              sizeof buf), rule_cases[i].rows);
        expect_same(&x, ids);
    }
}

/* The incentives quote and escape the id; the what-if prints it as it is. */
static void test_ids_in_messages(void **state)
{
    (void)state;
    const char *const ids[] = {"P\"1\n", "", "P3"};
    struct fixture x;
    fixture_init(&x, 3);
    x.quota[0] = -1;
    expect_same(&x, ids);
    struct cs_error err;
    struct cs_plan_fault f = cs_plans_check(&x.plans);
    cs_plan_fault_error(&f, CS_PLAN_STYLE_INCENTIVES, ids[0], &err);
    assert_string_equal(err.msg, "plan \"P\\x221\\x0a\": quota must be > 0");
    cs_plan_fault_error(&f, CS_PLAN_STYLE_WHATIF, ids[0], &err);
    assert_string_equal(err.msg, "alternative plan P\"1\n: quota must be > 0");
    fixture_init(&x, 3);
    x.quota[1] = 0;
    expect_same(&x, ids);    /* an empty id: "" quoted, nothing as it is */
    assert_int_equal(cs_plan_fault_error(&f, CS_PLAN_STYLE_WHATIF, "", NULL), CS_ERR_INPUT);
}

/* Random plans, good and broken in every way at once: the first fault and
 * both styles' errors are the references' (a few thousand cases). */
static void test_against_the_copies(void **state)
{
    (void)state;
    const char *const ids[] = {"A", "B b", "C\"", "D"};
    const double quotas[] = {100, 0, -5, NAN, INFINITY, 1e-300};
    const double floors[] = {0, 0.5, 1, 1, 2, NAN, INFINITY, -0.0};
    const double rates[] = {0.1, 0, 0.2, -0.1, NAN, INFINITY};
    uint64_t s = 88172645463325252ull;
    size_t faults = 0, rules_seen = 0;
    for (int it = 0; it < 20000; it++) {
        struct fixture x;
        size_t n = 1 + it % MAX_PLANS, nt = 0;
        fixture_init(&x, n);
        for (size_t p = 0; p < n; p++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            bool bad = (s & 7) == 0;          /* most plans good, so later plans are reached */
            x.quota[p] = bad ? quotas[s >> 3 & 3 ? (s >> 5) % 6 : 0] : 100;
            x.period_type[p] = bad && (s >> 8 & 3) == 0 ? (uint8_t)(2 + (s >> 10) % 3) : s >> 12 & 1;
            uint32_t cnt = (uint32_t)((s >> 14) % 4);
            cnt = cnt ? cnt : bad ? 0 : 1;
            x.tier_first[p] = (uint32_t)nt;
            x.tier_count[p] = cnt;
            for (uint32_t k = 0; k < cnt && nt < MAX_TIERS; k++, nt++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                x.floor[nt] = k == 0 && (s & 3) ? 0 : bad ? floors[s % 8] : k;
                x.rate[nt] = bad && (s >> 4 & 3) == 0 ? rates[(s >> 6) % 6] : 0.1;
            }
        }
        x.plans.n_tiers = (s >> 20 & 15) == 0 && nt ? nt - 1 : nt;   /* now and then one short */
        expect_same(&x, ids);
        struct cs_plan_fault f = cs_plans_check(&x.plans);
        faults += f.rule != CS_PLAN_OK;
        rules_seen |= 1u << f.rule;
    }
    /* the draws reached every rule, and good plans too */
    assert_int_equal(rules_seen, (1u << (CS_PLAN_RATE + 1)) - 1);
    assert_true(faults > 1000 && faults < 19000);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plans),
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_ids_in_messages),
        cmocka_unit_test(test_against_the_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
