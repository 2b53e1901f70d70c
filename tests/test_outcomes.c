/* test_outcomes.c - unit tests of the behaviour outcomes (SPEC 6) and the text normaliser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/outcomes.h"

/* ======================================================================
 * Helpers
 * ==================================================================== */

#include "testutil.h"
#define EXACT 1e-12

static void *grow(void *p, size_t n, size_t size)
{
    void *q = realloc(p, (n + 1) * size);
    assert_non_null(q);
    return q;
}
/* Append v to arr, which has n elements (n is not changed). */
#define PUSH(arr, n, v) do { (arr) = grow((arr), (n), sizeof *(arr)); (arr)[(n)] = (v); } while (0)

/* ----------------------------------------------------------------------
 * Hand-built datasets (only the tables SPEC 6 reads)
 * -------------------------------------------------------------------- */

static struct cs_dataset *ds_new(void)
{
    struct cs_dataset *ds = calloc(1, sizeof *ds);
    assert_non_null(ds);
    ds->str = cs_strpool_new();
    assert_non_null(ds->str);
    return ds;
}

static void ds_free(struct cs_dataset *ds)
{
    if (!ds)
        return;
    struct cs_reps *r = &ds->reps;
    free(r->id); free(r->plan); free(r->team); free(r->line);
    struct cs_deals *d = &ds->deals;
    free(d->id); free(d->rep); free(d->stage); free(d->close); free(d->amount); free(d->line);
    struct cs_roadmap *m = &ds->roadmap;
    free(m->id); free(m->title); free(m->status); free(m->target); free(m->shipped); free(m->line);
    struct cs_promises *p = &ds->promises;
    free(p->id); free(p->deal); free(p->feature); free(p->feature_text); free(p->promised);
    free(p->due); free(p->text); free(p->line);
    struct cs_collateral *a = &ds->collateral;
    free(a->id); free(a->title); free(a->owner); free(a->campaign); free(a->published); free(a->line);
    struct cs_claims *c = &ds->claims;
    free(c->asset); free(c->feature); free(c->feature_text); free(c->claim); free(c->text); free(c->line);
    struct cs_targets *t = &ds->targets;
    free(t->owner); free(t->period); free(t->target); free(t->actual); free(t->line);
    cs_strpool_free(ds->str);
    free(ds);
}

static uint32_t S(struct cs_dataset *ds, const char *s)
{
    uint32_t id = 0;
    assert_int_equal(cs_strpool_intern(ds->str, s, strlen(s), &id), 0);
    return id;
}

static int32_t D(const char *iso)
{
    int y, m, d;
    if (!iso || !*iso)
        return CS_NO_DATE;
    if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        fail_msg("bad test date %s", iso);
    return cs_days_from_civil(y, m, d);
}

static uint32_t add_rep(struct cs_dataset *ds, const char *id)
{
    struct cs_reps *r = &ds->reps;
    PUSH(r->id, r->n, S(ds, id));
    PUSH(r->plan, r->n, CS_NONE);
    PUSH(r->team, r->n, S(ds, "Team"));
    PUSH(r->line, r->n, (uint32_t)r->n + 2);
    return (uint32_t)r->n++;
}

static uint32_t add_deal(struct cs_dataset *ds, const char *id, uint32_t rep, enum cs_stage stage)
{
    struct cs_deals *d = &ds->deals;
    PUSH(d->id, d->n, S(ds, id));
    PUSH(d->rep, d->n, rep);
    PUSH(d->stage, d->n, (uint8_t)stage);
    PUSH(d->close, d->n, D("2026-02-01"));
    PUSH(d->amount, d->n, 1000.0);
    PUSH(d->line, d->n, (uint32_t)d->n + 2);
    return (uint32_t)d->n++;
}

static uint32_t add_feature(struct cs_dataset *ds, const char *id, enum cs_rm_status status,
                            const char *target, const char *shipped)
{
    struct cs_roadmap *m = &ds->roadmap;
    PUSH(m->id, m->n, S(ds, id));
    PUSH(m->title, m->n, 0);
    PUSH(m->status, m->n, (uint8_t)status);
    PUSH(m->target, m->n, D(target));
    PUSH(m->shipped, m->n, D(shipped));
    PUSH(m->line, m->n, (uint32_t)m->n + 2);
    return (uint32_t)m->n++;
}

/* feature: a roadmap feature_id, "" for blank, or an id not on the roadmap. */
static uint32_t find_feature(struct cs_dataset *ds, const char *feature)
{
    for (size_t f = 0; f < ds->roadmap.n; f++)
        if (strcmp(cs_ds_str(ds, ds->roadmap.id[f]), feature) == 0)
            return (uint32_t)f;
    return CS_NONE;
}

static uint32_t add_promise(struct cs_dataset *ds, uint32_t deal, const char *feature,
                            const char *due, const char *text)
{
    struct cs_promises *p = &ds->promises;
    char id[16];
    snprintf(id, sizeof id, "P%zu", p->n);
    PUSH(p->id, p->n, S(ds, id));
    PUSH(p->deal, p->n, deal);
    PUSH(p->feature, p->n, find_feature(ds, feature));
    PUSH(p->feature_text, p->n, S(ds, feature));
    PUSH(p->promised, p->n, CS_NO_DATE);
    PUSH(p->due, p->n, D(due));
    PUSH(p->text, p->n, S(ds, text ? text : ""));
    PUSH(p->line, p->n, (uint32_t)p->n + 2);
    return (uint32_t)p->n++;
}

static uint32_t add_asset(struct cs_dataset *ds, const char *id, uint32_t owner, const char *published)
{
    struct cs_collateral *a = &ds->collateral;
    PUSH(a->id, a->n, S(ds, id));
    PUSH(a->title, a->n, 0);
    PUSH(a->owner, a->n, owner);
    PUSH(a->campaign, a->n, 0);
    PUSH(a->published, a->n, D(published));
    PUSH(a->line, a->n, (uint32_t)a->n + 2);
    return (uint32_t)a->n++;
}

static uint32_t add_claim(struct cs_dataset *ds, uint32_t asset, const char *feature,
                          enum cs_claim_kind kind)
{
    struct cs_claims *c = &ds->claims;
    PUSH(c->asset, c->n, asset);
    PUSH(c->feature, c->n, find_feature(ds, feature));
    PUSH(c->feature_text, c->n, S(ds, feature));
    PUSH(c->claim, c->n, (uint8_t)kind);
    PUSH(c->text, c->n, 0);
    PUSH(c->line, c->n, (uint32_t)c->n + 2);
    return (uint32_t)c->n++;
}

static void add_target(struct cs_dataset *ds, uint32_t owner, int32_t period,
                       double target, double actual)
{
    struct cs_targets *t = &ds->targets;
    PUSH(t->owner, t->n, owner);
    PUSH(t->period, t->n, period);
    PUSH(t->target, t->n, target);
    PUSH(t->actual, t->n, actual);
    PUSH(t->line, t->n, (uint32_t)t->n + 2);
    t->n++;
}

static const struct cs_calendar CAL1 = {1};

static struct cs_outcomes *compute_ok(const struct cs_dataset *ds, const struct cs_calendar *cal)
{
    struct cs_outcomes *oc = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    if (cs_outcomes_compute(ds, cal, &oc, &err) != CS_OK)
        fail_msg("cs_outcomes_compute: %s", err.msg);
    assert_non_null(oc);
    return oc;
}

/* A roadmap with one feature of each status. */
static void add_roadmap(struct cs_dataset *ds)
{
    add_feature(ds, "F-SHIP", CS_RM_SHIPPED, "2025-12-01", "2026-01-15");
    add_feature(ds, "F-SHIP-NODATE", CS_RM_SHIPPED, "", "");
    add_feature(ds, "F-COMMIT", CS_RM_COMMITTED, "2026-06-30", "");
    add_feature(ds, "F-PLAN", CS_RM_PLANNED, "2026-09-30", "");
    add_feature(ds, "F-PLAN-NODATE", CS_RM_PLANNED, "", "");
    add_feature(ds, "F-EXPL", CS_RM_EXPLORING, "2026-12-31", "");
    add_feature(ds, "F-NOPE", CS_RM_NOT_PLANNED, "", "");
}

/* ======================================================================
 * Promises
 * ==================================================================== */

static void test_promise_classes(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    add_roadmap(ds);
    uint32_t r = add_rep(ds, "R1");
    uint32_t d = add_deal(ds, "D1", r, CS_STAGE_WON);
    static const struct { const char *feature, *due; enum cs_promise_class want; } cases[] = {
        {"", "2026-03-01", CS_PROMISE_OFF_ROADMAP},            /* blank feature */
        {"F-UNKNOWN", "2026-03-01", CS_PROMISE_OFF_ROADMAP},   /* not on the roadmap */
        {"f-ship", "", CS_PROMISE_OFF_ROADMAP},                /* ids are byte-exact: unknown */
        {"F-EXPL", "2027-06-01", CS_PROMISE_OFF_ROADMAP},
        {"F-NOPE", "", CS_PROMISE_OFF_ROADMAP},
        {"F-COMMIT", "2026-06-29", CS_PROMISE_PREMATURE},      /* a day early */
        {"F-COMMIT", "2026-06-30", CS_PROMISE_ON_ROADMAP},     /* due == target */
        {"F-COMMIT", "2026-07-01", CS_PROMISE_ON_ROADMAP},
        {"F-COMMIT", "", CS_PROMISE_ON_ROADMAP},               /* no due date */
        {"F-PLAN", "2026-01-01", CS_PROMISE_PREMATURE},
        {"F-PLAN-NODATE", "2026-01-01", CS_PROMISE_ON_ROADMAP},/* no target date */
        {"F-SHIP", "2025-01-01", CS_PROMISE_ON_ROADMAP},       /* shipped: never premature */
        {"F-SHIP-NODATE", "", CS_PROMISE_ON_ROADMAP},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t k = 0; k < n; k++)
        add_promise(ds, d, cases[k].feature, cases[k].due, NULL);
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->n_promises, n);
    size_t count[CS_PROMISE_CLASS_COUNT] = {0};
    for (size_t k = 0; k < n; k++) {
        if (oc->promise_class[k] != cases[k].want)
            fail_msg("case %zu (%s, due %s): %s, expected %s", k, cases[k].feature, cases[k].due,
                     cs_outcomes_class_name(oc->promise_class[k]),
                     cs_outcomes_class_name(cases[k].want));
        assert_int_equal(cs_outcomes_promise_class(ds, k), cases[k].want);
        count[cases[k].want]++;
    }
    for (int c = 0; c < CS_PROMISE_CLASS_COUNT; c++)
        assert_int_equal(oc->class_count[c], count[c]);
    assert_int_equal(count[CS_PROMISE_OFF_ROADMAP], 5);
    assert_int_equal(count[CS_PROMISE_PREMATURE], 2);
    assert_int_equal(oc->promises[d], n);
    assert_int_equal(oc->risky_promises[d], 7);
    assert_int_equal(oc->promise_risk[d], 1);
    assert_string_equal(cs_outcomes_class_name(CS_PROMISE_OFF_ROADMAP), "off_roadmap");
    assert_string_equal(cs_outcomes_class_name(CS_PROMISE_PREMATURE), "premature");
    assert_string_equal(cs_outcomes_class_name(CS_PROMISE_ON_ROADMAP), "on_roadmap");
    assert_string_equal(cs_outcomes_class_name(CS_PROMISE_CLASS_COUNT), "?");
    cs_outcomes_free(oc);
    ds_free(ds);
}

/* Per-deal counts for every deal, won or not; deals without promises are 0. */
static void test_promise_risk_per_deal(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    add_roadmap(ds);
    uint32_t r = add_rep(ds, "R1");
    uint32_t safe = add_deal(ds, "SAFE", r, CS_STAGE_WON);
    uint32_t risky = add_deal(ds, "RISKY", r, CS_STAGE_WON);
    uint32_t none = add_deal(ds, "NONE", r, CS_STAGE_WON);
    uint32_t lost = add_deal(ds, "LOST", r, CS_STAGE_LOST);
    uint32_t open = add_deal(ds, "OPEN", r, CS_STAGE_OPEN);
    add_promise(ds, safe, "F-SHIP", "", NULL);
    add_promise(ds, safe, "F-PLAN", "2026-10-01", NULL);
    add_promise(ds, risky, "F-SHIP", "", NULL);
    add_promise(ds, risky, "", "", "SSO for the mobile app");
    add_promise(ds, risky, "F-NOPE", "", NULL);
    add_promise(ds, lost, "F-EXPL", "", NULL);
    add_promise(ds, open, "F-COMMIT", "2026-05-01", NULL);
    add_promise(ds, CS_NONE, "", "", NULL);   /* importer guard: classified, on no deal */
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->n_deals, 5);
    assert_int_equal(oc->promises[safe], 2);
    assert_int_equal(oc->risky_promises[safe], 0);
    assert_int_equal(oc->promise_risk[safe], 0);
    assert_int_equal(oc->promises[risky], 3);
    assert_int_equal(oc->risky_promises[risky], 2);
    assert_int_equal(oc->promise_risk[risky], 1);
    assert_int_equal(oc->promises[none], 0);
    assert_int_equal(oc->promise_risk[none], 0);
    assert_int_equal(oc->risky_promises[lost], 1);
    assert_int_equal(oc->promise_risk[lost], 1);
    assert_int_equal(oc->risky_promises[open], 1);
    assert_int_equal(oc->class_count[CS_PROMISE_OFF_ROADMAP], 4);
    assert_int_equal(oc->class_count[CS_PROMISE_PREMATURE], 1);
    assert_int_equal(oc->class_count[CS_PROMISE_ON_ROADMAP], 3);
    cs_outcomes_free(oc);
    ds_free(ds);
}

/* ======================================================================
 * Claims and assets
 * ==================================================================== */

static void test_claims_misstated(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    add_roadmap(ds);   /* F-SHIP shipped 2026-01-15 */
    uint32_t m = add_rep(ds, "M1");
    uint32_t before = add_asset(ds, "A-BEFORE", m, "2026-01-14");
    uint32_t same = add_asset(ds, "A-SAME", m, "2026-01-15");
    uint32_t after = add_asset(ds, "A-AFTER", m, "2026-02-01");
    static const struct { int asset; const char *feature; enum cs_claim_kind kind; int want; } cases[] = {
        {2, "F-SHIP", CS_CLAIM_AVAILABLE, 0},          /* shipped before publication */
        {1, "F-SHIP", CS_CLAIM_AVAILABLE, 0},          /* shipped on the day */
        {0, "F-SHIP", CS_CLAIM_AVAILABLE, 1},          /* shipped the day after */
        {0, "F-SHIP-NODATE", CS_CLAIM_AVAILABLE, 0},   /* shipped, no date: taken as shipped */
        {2, "F-COMMIT", CS_CLAIM_AVAILABLE, 1},
        {2, "F-PLAN", CS_CLAIM_AVAILABLE, 1},
        {2, "F-EXPL", CS_CLAIM_AVAILABLE, 1},
        {2, "F-UNKNOWN", CS_CLAIM_AVAILABLE, 1},
        {2, "", CS_CLAIM_AVAILABLE, 1},
        {2, "F-SHIP", CS_CLAIM_COMING_SOON, 0},
        {2, "F-COMMIT", CS_CLAIM_COMING_SOON, 0},
        {2, "F-PLAN", CS_CLAIM_COMING_SOON, 0},
        {2, "F-EXPL", CS_CLAIM_COMING_SOON, 1},
        {2, "F-NOPE", CS_CLAIM_COMING_SOON, 1},
        {2, "F-UNKNOWN", CS_CLAIM_COMING_SOON, 1},
        {2, "", CS_CLAIM_COMING_SOON, 1},
    };
    size_t n = sizeof cases / sizeof cases[0];
    uint32_t assets[3] = {before, same, after};
    for (size_t k = 0; k < n; k++)
        add_claim(ds, assets[cases[k].asset], cases[k].feature, cases[k].kind);
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->n_claims, n);
    for (size_t k = 0; k < n; k++) {
        if (oc->claim_misstated[k] != cases[k].want)
            fail_msg("case %zu (%s %s): misstated %d, expected %d", k, cases[k].feature,
                     cases[k].kind == CS_CLAIM_AVAILABLE ? "available" : "coming_soon",
                     oc->claim_misstated[k], cases[k].want);
        assert_int_equal(cs_outcomes_claim_misstated(ds, k), cases[k].want);
    }
    assert_int_equal(oc->asset_misstated[before], 1);
    assert_int_equal(oc->asset_claims[before], 2);
    assert_int_equal(oc->asset_misstated[same], 0);
    assert_int_equal(oc->asset_claims[same], 1);
    assert_int_equal(oc->asset_misstated[after], 1);
    cs_outcomes_free(oc);
    ds_free(ds);
}

/* An asset is misstated only through its claims; one bad claim is enough. */
static void test_asset_rollup(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    add_roadmap(ds);
    uint32_t m = add_rep(ds, "M1");
    uint32_t clean = add_asset(ds, "CLEAN", m, "2026-02-01");
    uint32_t mixed = add_asset(ds, "MIXED", m, "2026-02-01");
    uint32_t empty = add_asset(ds, "EMPTY", m, "2026-02-01");
    add_claim(ds, clean, "F-SHIP", CS_CLAIM_AVAILABLE);
    add_claim(ds, clean, "F-PLAN", CS_CLAIM_COMING_SOON);
    add_claim(ds, mixed, "F-SHIP", CS_CLAIM_AVAILABLE);
    add_claim(ds, mixed, "F-NOPE", CS_CLAIM_COMING_SOON);
    add_claim(ds, mixed, "F-PLAN", CS_CLAIM_COMING_SOON);
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->asset_misstated[clean], 0);
    assert_int_equal(oc->asset_misstated[mixed], 1);
    assert_int_equal(oc->asset_claims[mixed], 3);
    assert_int_equal(oc->asset_misstated[empty], 0);
    assert_int_equal(oc->asset_claims[empty], 0);
    cs_outcomes_free(oc);
    ds_free(ds);
}

/*
 * target_gap = 1 - actual/target for the owner's row of the published
 * quarter; last_14_days from the end of that fiscal quarter.
 */
static void test_target_gap_and_timing(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    uint32_t m1 = add_rep(ds, "M1"), m2 = add_rep(ds, "M2");
    add_target(ds, m1, 20261, 100, 80);     /* gap 0.2 */
    add_target(ds, m1, 20262, 200, 250);    /* over target: gap -0.25 */
    add_target(ds, m2, 20262, 50, 0);       /* nothing done: gap 1 */
    add_target(ds, m2, 20261, 0, 10);       /* target 0 cannot give a gap (importer guard) */
    add_target(ds, m1, 20261, 100, 10);     /* a repeat (importer guard): the first wins */
    uint32_t a = add_asset(ds, "A", m1, "2026-03-18");   /* 13 days to 03-31 */
    uint32_t b = add_asset(ds, "B", m1, "2026-03-17");   /* 14 days */
    uint32_t c = add_asset(ds, "C", m1, "2026-04-01");
    uint32_t d = add_asset(ds, "D", m2, "2026-03-31");   /* m2 has no usable 20261 row */
    uint32_t e = add_asset(ds, "E", m2, "2026-06-30");
    uint32_t f = add_asset(ds, "F", m1, "2026-07-01");   /* no row for 20263 */
    uint32_t g = add_asset(ds, "G", m1, "");             /* importer guard: no date */
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->asset_quarter[a], 20261);
    assert_close(oc->target_gap[a], 0.2, EXACT);
    assert_int_equal(oc->days_to_quarter_end[a], 13);
    assert_int_equal(oc->asset_last_14_days[a], 1);
    assert_close(oc->target_gap[b], 0.2, EXACT);
    assert_int_equal(oc->days_to_quarter_end[b], 14);
    assert_int_equal(oc->asset_last_14_days[b], 0);
    assert_int_equal(oc->asset_quarter[c], 20262);
    assert_close(oc->target_gap[c], -0.25, EXACT);
    assert_int_equal(oc->days_to_quarter_end[c], 90);
    assert_true(isnan(oc->target_gap[d]));
    assert_int_equal(oc->days_to_quarter_end[d], 0);
    assert_int_equal(oc->asset_last_14_days[d], 1);
    assert_close(oc->target_gap[e], 1.0, EXACT);
    assert_true(isnan(oc->target_gap[f]));
    assert_int_equal(oc->asset_quarter[f], 20263);
    assert_int_equal(oc->asset_quarter[g], CS_NO_PERIOD);
    assert_true(isnan(oc->target_gap[g]));
    assert_int_equal(oc->asset_last_14_days[g], -1);
    assert_int_equal(oc->days_to_quarter_end[g], -1);
    cs_outcomes_free(oc);

    /* Fiscal start 2: 2026-03-18 is in FY2027 Q1 (Feb..Apr), 43 days to 04-30. */
    struct cs_calendar c2 = {2};
    oc = compute_ok(ds, &c2);
    assert_int_equal(oc->asset_quarter[a], 20271);
    assert_int_equal(oc->days_to_quarter_end[a], 43);
    assert_int_equal(oc->asset_last_14_days[a], 0);
    assert_true(isnan(oc->target_gap[a]));   /* no row for 2027Q1 */
    cs_outcomes_free(oc);
    ds_free(ds);
}

static void test_empty(void **state)
{
    (void)state;
    struct cs_dataset *ds = ds_new();
    struct cs_outcomes *oc = compute_ok(ds, &CAL1);
    assert_int_equal(oc->n_promises + oc->n_deals + oc->n_claims + oc->n_assets, 0);
    cs_outcomes_free(oc);
    cs_outcomes_free(NULL);
    ds_free(ds);
}

/* ======================================================================
 * Text normalisation
 * ==================================================================== */

static void check_norm(const char *in, size_t n, const char *want, size_t want_len)
{
    char buf[64];
    assert_true(n <= sizeof buf);
    memset(buf, 'X', sizeof buf);
    size_t len = cs_outcomes_normalize_text(in, buf, n);
    if (len != want_len)
        fail_msg("normalize(\"%s\", %zu): length %zu, expected %zu", in ? in : "(null)", n,
                 len, want_len);
    if (n > 0)
        assert_string_equal(buf, want);
    else
        assert_int_equal(buf[0], 'X');   /* nothing written */
}

static void test_normalize_text(void **state)
{
    (void)state;
    check_norm("  Single Sign-On  ", 64, "single sign-on", 14);
    check_norm("SSO\tfor  the\r\nMOBILE app\n", 64, "sso for the mobile app", 22);
    check_norm("", 64, "", 0);
    check_norm(" \t\n ", 64, "", 0);
    check_norm(NULL, 64, "", 0);
    check_norm("a", 64, "a", 1);
    /* Non-ASCII bytes are kept as they are (no Unicode case folding). */
    check_norm("  \xC3\x84pfel  API ", 64, "\xC3\x84pfel api", 10);
    /* Truncation: snprintf-like return, NUL always written. */
    check_norm("abc defgh", 6, "abc d", 9);
    check_norm("abc   def", 5, "abc", 7);          /* no trailing space when cut */
    check_norm("ab\xC3\xA9", 4, "ab", 4);          /* never half a UTF-8 character */
    check_norm("ab\xC3\xA9", 5, "ab\xC3\xA9", 4);
    check_norm("ab\xE2\x82\xAC" "c", 5, "ab", 6);  /* 3-byte euro sign does not fit */
    check_norm("abc", 1, "", 3);
    check_norm("abc", 0, "", 3);
    /* The same group key for variants of one request. */
    char x[64], y[64];
    cs_outcomes_normalize_text("Offline  Mode ", x, sizeof x);
    cs_outcomes_normalize_text("\toffline mode", y, sizeof y);
    assert_string_equal(x, y);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promise_classes),
        cmocka_unit_test(test_promise_risk_per_deal),
        cmocka_unit_test(test_claims_misstated),
        cmocka_unit_test(test_asset_rollup),
        cmocka_unit_test(test_target_gap_and_timing),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_normalize_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
