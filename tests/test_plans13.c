/* test_plans13.c - SPEC 13 (real comp plans) loaded and computed, against the independent R reference of tests/reference/plans13. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/parse.h"
#include "gen_csv.h"
#include "testutil.h"

/*
 * Every figure of the fixtures' expected_*.csv (written by
 * tests/reference/reference_measures.R from SPEC 13, not from this code)
 * is compared to 1e-9, relative; the README beside them works the same
 * values out by hand, a few of which are asserted directly below.
 */
#define TOL 1e-9
#define FIXTURES CS_TEST_DIR "/reference/plans13/"

static const struct cs_calendar CAL1 = {1};

struct fixture {
    char dir[512];
    struct cs_dataset *ds;
    struct cs_incentives *inc;
};

static void open_fixture(struct fixture *f, const char *name)
{
    snprintf(f->dir, sizeof f->dir, "%s%s", FIXTURES, name);
    struct cs_load_options lo = {.dir = f->dir};
    struct cs_error err;
    f->ds = NULL;
    f->inc = NULL;
    if (cs_dataset_load(&lo, &f->ds, &err) != CS_OK)
        fail_msg("load %s: %s", name, err.msg);
    if (cs_incentives_compute(f->ds, &f->ds->plans, &CAL1, &f->inc, &err) != CS_OK)
        fail_msg("compute %s: %s", name, err.msg);
}

static void close_fixture(struct fixture *f)
{
    cs_incentives_free(f->inc);
    cs_dataset_free(f->ds);
}

/* The column of a header, -1 when absent. */
static int ccol(const struct csv *c, const char *name)
{
    for (size_t j = 0; j < c->nf[0]; j++)
        if (strcmp(c->f[0][j], name) == 0)
            return (int)j;
    fail_msg("no column %s", name);
    return -1;
}

static double cnum(const struct csv *c, size_t r, const char *name)
{
    const char *s = c->f[r][ccol(c, name)];
    return *s ? strtod(s, NULL) : NAN;
}

static const char *ctext(const struct csv *c, size_t r, const char *name)
{
    return c->f[r][ccol(c, name)];
}

static uint32_t find_id(const struct cs_dataset *ds, const uint32_t *ids, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cs_ds_str(ds, ids[i]), s) == 0)
            return (uint32_t)i;
    fail_msg("no id %s", s);
    return CS_NONE;
}

static void assert_period(int32_t code, const char *want)
{
    char buf[16];
    cs_format_period(code, buf);
    assert_string_equal(buf, want);
}

/* ---------------------------------------------------------------------- */

/* expected_measures.csv: a won deal's own credit row, team and plan. */
static void check_measures(const struct fixture *f)
{
    const struct cs_dataset *ds = f->ds;
    const struct cs_incentives *inc = f->inc;
    struct csv c = csv_read(f->dir, "expected_measures.csv");
    assert_int_equal(c.n - 1, inc->n_won);
    for (size_t r = 1; r < c.n; r++) {
        uint32_t i = find_id(ds, ds->deals.id, ds->deals.n, ctext(&c, r, "deal_id"));
        assert_true(inc->won[i]);
        uint32_t g = inc->rep_period[i];
        assert_string_equal(cs_ds_str(ds, cs_incentives_team(ds, inc, i)), ctext(&c, r, "team"));
        assert_string_equal(cs_ds_str(ds, ds->plans.id[inc->rp.plan[g]]), ctext(&c, r, "plan_id"));
        assert_period(inc->period[i], ctext(&c, r, "period"));
        assert_close(cs_incentives_credit_share(inc, i), cnum(&c, r, "credit_share"), TOL);
        assert_close(inc->attainment_before[i], cnum(&c, r, "attainment_before"), TOL);
        assert_close(inc->marginal_rate[i], cnum(&c, r, "marginal_rate"), TOL);
        assert_close(inc->commission[i], cnum(&c, r, "commission"), TOL);
        assert_close(inc->effective_rate[i], cnum(&c, r, "effective_rate"), TOL);
        assert_int_equal(inc->tier_cross[i], (int)cnum(&c, r, "tier_cross"));
        assert_close(inc->gap_to_next_tier[i], cnum(&c, r, "gap_to_next_tier"), TOL);
        assert_int_equal(inc->days_to_period_end[i], (int)cnum(&c, r, "days_to_period_end"));
        assert_int_equal(inc->last_14_days[i], (int)cnum(&c, r, "last_14_days"));
        assert_close(inc->log_amount[i], cnum(&c, r, "log_amount"), TOL);
    }
    csv_free(&c);
}

/* The credit row of deal i crediting rep among n rows walked. */
static const struct cs_credit *walked_row(const struct cs_credit *rows, size_t n, uint32_t i,
                                          uint32_t rep)
{
    for (size_t k = 0; k < n; k++)
        if (rows[k].deal == i && rows[k].rep == rep)
            return &rows[k];
    fail_msg("no credit row");
    return NULL;
}

/* The credit row of deal i crediting rep, found by walking every row. */
static struct cs_credit credit_of(const struct fixture *f, uint32_t i, uint32_t rep)
{
    struct cs_credit_walk w = {0};
    struct cs_credit x = {0};
    while (cs_credits_next(f->inc, &w, &x))
        if (x.deal == i && x.rep == rep)
            return x;
    fail_msg("no credit row");
    return x;
}

/* expected_credits.csv: every credit row, as cs_credits_next walks them. */
static void check_credits(const struct fixture *f)
{
    const struct cs_dataset *ds = f->ds;
    const struct cs_incentives *inc = f->inc;
    struct csv c = csv_read(f->dir, "expected_credits.csv");
    struct cs_credit *rows = calloc(c.n, sizeof *rows);
    assert_non_null(rows);
    struct cs_credit_walk w = {0};
    size_t n = 0;
    while (n < c.n && cs_credits_next(inc, &w, &rows[n]))
        n++;
    assert_int_equal(n, c.n - 1);
    for (size_t r = 1; r < c.n; r++) {
        uint32_t i = find_id(ds, ds->deals.id, ds->deals.n, ctext(&c, r, "deal_id"));
        uint32_t rep = find_id(ds, ds->reps.id, ds->reps.n, ctext(&c, r, "rep_id"));
        const struct cs_credit *x = walked_row(rows, n, i, rep);
        uint32_t plan = inc->rp.plan[x->rep_period];
        double amount = ds->deals.amount[i], q = inc->rp.quota[x->rep_period];
        double fraction = cs_plan_credit(ds, NULL, plan, ds->deals.type[i]);
        double credited = x->share * amount * fraction;
        assert_int_equal(inc->rp.rep[x->rep_period], rep);
        assert_int_equal(x->own, (int)cnum(&c, r, "own"));
        if (x->own)
            assert_int_equal(x->rep_period, inc->rep_period[i]);
        assert_string_equal(cs_ds_str(ds, ds->plans.id[plan]), ctext(&c, r, "plan_id"));
        uint32_t team;
        (void)cs_plan_on(ds, rep, ds->deals.close[i], &team);
        assert_string_equal(cs_ds_str(ds, team), ctext(&c, r, "team"));
        assert_period(inc->rp.period[x->rep_period], ctext(&c, r, "period"));
        assert_close(x->share, cnum(&c, r, "share"), TOL);
        assert_close(fraction, cnum(&c, r, "credit_fraction"), TOL);
        assert_close(credited, cnum(&c, r, "credited_amount"), TOL);
        assert_close(q, cnum(&c, r, "quota"), TOL);
        assert_close(x->attainment_before, cnum(&c, r, "attainment_before"), TOL);
        assert_close(x->attainment_before + credited / q, cnum(&c, r, "attainment_after"), TOL);
        assert_close(x->marginal_rate, cnum(&c, r, "marginal_rate"), TOL);
        assert_int_equal(x->tier_cross, (int)cnum(&c, r, "tier_cross"));
        assert_close(x->gap_to_next_tier, cnum(&c, r, "gap_to_next_tier"), TOL);
        assert_close(x->commission, cnum(&c, r, "commission"), TOL);
        assert_close(x->commission / (x->share * amount), cnum(&c, r, "effective_rate"), TOL);
    }
    free(rows);
    csv_free(&c);
}

/* expected_attainment.csv: one row per rep, plan and period. */
static void check_attainment(const struct fixture *f)
{
    const struct cs_dataset *ds = f->ds;
    const struct cs_rep_periods *rp = &f->inc->rp;
    struct csv c = csv_read(f->dir, "expected_attainment.csv");
    assert_int_equal(c.n - 1, rp->n);
    for (size_t r = 1; r < c.n; r++) {
        uint32_t rep = find_id(ds, ds->reps.id, ds->reps.n, ctext(&c, r, "rep_id"));
        uint32_t plan = find_id(ds, ds->plans.id, ds->plans.n, ctext(&c, r, "plan_id"));
        int32_t code;
        const char *label = ctext(&c, r, "period");
        assert_true(cs_parse_period(label, strlen(label), &code));
        size_t g = 0;
        while (g < rp->n && !(rp->rep[g] == rep && rp->plan[g] == plan && rp->period[g] == code))
            g++;
        assert_true(g < rp->n);
        assert_close(rp->quota[g], cnum(&c, r, "quota"), TOL);
        assert_int_equal(rp->n_deals[g], (int)cnum(&c, r, "credit_rows"));
        assert_close(rp->amount[g], cnum(&c, r, "credited_amount"), TOL);
        assert_close(rp->attainment[g], cnum(&c, r, "final_attainment"), TOL);
    }
    csv_free(&c);
}

/* expected_rejects.csv: the same rows set aside, on the same column (the
 * reasons are worded in each program's own way). */
static void check_rejects(const struct fixture *f)
{
    const struct cs_dataset *ds = f->ds;
    struct csv c = csv_read(f->dir, "expected_rejects.csv");
    assert_int_equal(c.n - 1, ds->n_rejects);
    for (size_t r = 1; r < c.n; r++) {
        unsigned line = (unsigned)cnum(&c, r, "line");
        size_t k = 0;
        while (k < ds->n_rejects && !(ds->rejects[k].line == line &&
                                      strcmp(ds->rejects[k].source_file, ctext(&c, r, "file")) == 0))
            k++;
        if (k == ds->n_rejects)
            fail_msg("no reject of %s line %u", ctext(&c, r, "file"), line);
        assert_string_equal(ds->rejects[k].column, ctext(&c, r, "column"));
    }
    csv_free(&c);
}

static void check_all(const char *name)
{
    struct fixture f;
    open_fixture(&f, name);
    check_measures(&f);
    check_credits(&f);
    check_attainment(&f);
    check_rejects(&f);
    close_fixture(&f);
}

/* ---------------------------------------------------------------------- */

/* Tier maths across a mid-quarter plan change, with proration. */
static void test_midquarter(void **state)
{
    (void)state;
    check_all("midquarter");
    /* by hand (README): R1 holds PA for 45 of 90 days, quota 50,000; M2
     * crosses PA's 1.0 only because of the proration */
    struct fixture f;
    open_fixture(&f, "midquarter");
    uint32_t m2 = find_id(f.ds, f.ds->deals.id, f.ds->deals.n, "M2");
    assert_close(f.inc->rp.quota[f.inc->rep_period[m2]], 50000.0, TOL);
    assert_close(f.inc->commission[m2], 50000.0 * (0.05 * 0.4 + 0.10 * 0.1), TOL);
    assert_int_equal(f.inc->tier_cross[m2], 1);
    close_fixture(&f);
}

/* A deal split three ways across two plans; one row crosses a floor, one
 * does not; an owner not credited. */
static void test_splits(void **state)
{
    (void)state;
    check_all("splits");
    struct fixture f;
    open_fixture(&f, "splits");
    uint32_t x3 = find_id(f.ds, f.ds->deals.id, f.ds->deals.n, "X3");
    assert_close(f.inc->commission[x3], 2000.0 + 750.0 + 800.0, TOL);
    assert_close(f.inc->effective_rate[x3], 2000.0 / 30000.0, TOL);
    uint32_t s1 = find_id(f.ds, f.ds->reps.id, f.ds->reps.n, "S1");
    uint32_t s2 = find_id(f.ds, f.ds->reps.id, f.ds->reps.n, "S2");
    assert_int_equal(credit_of(&f, x3, s1).tier_cross, 1);   /* crosses PA's 1.0 */
    assert_int_equal(credit_of(&f, x3, s2).tier_cross, 0);   /* does not */
    close_fixture(&f);
}

/* Renewals credited at half crossing (and kept below) a floor. */
static void test_renewals(void **state)
{
    (void)state;
    check_all("renewals");
    struct fixture f;
    open_fixture(&f, "renewals");
    uint32_t r1 = find_id(f.ds, f.ds->deals.id, f.ds->deals.n, "R1");
    uint32_t r2 = find_id(f.ds, f.ds->deals.id, f.ds->deals.n, "R2");
    uint32_t r4 = find_id(f.ds, f.ds->deals.id, f.ds->deals.n, "R4");
    assert_close(f.inc->commission[r1], 1500.0, TOL);
    assert_close(f.inc->effective_rate[r1], 1500.0 / 40000.0, TOL);
    assert_true(f.inc->effective_rate[r2] == 0.10 * 0.5);   /* one rate: rate x fraction exactly */
    assert_int_equal(f.inc->tier_cross[r4], 0);
    close_fixture(&f);
}

/* Overlapping assignments: both rejected, each naming the other's line. */
static void test_overlap(void **state)
{
    (void)state;
    check_all("overlap");
    struct fixture f;
    open_fixture(&f, "overlap");
    bool seen2 = false, seen5 = false;
    for (size_t k = 0; k < f.ds->n_rejects; k++) {
        const struct cs_reject *r = &f.ds->rejects[k];
        if (r->line == 2) {
            assert_string_equal(r->reason, "overlaps the assignment of the same rep on line 3");
            seen2 = true;
        }
        if (r->line == 5) {
            assert_string_equal(r->reason,
                                "overlaps the assignment of the same rep on lines 6, 10");
            seen5 = true;
        }
    }
    assert_true(seen2 && seen5);
    assert_int_equal(f.ds->assignments.n, 2);
    close_fixture(&f);
}

/* A rep hired mid-quarter: prorated; a deal before the hire set aside. */
static void test_hire(void **state)
{
    (void)state;
    check_all("hire");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midquarter), cmocka_unit_test(test_splits),
        cmocka_unit_test(test_renewals),   cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_hire),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    printf("worst relative deviation from the R reference: %.3g\n", assert_close_worst(TOL));
    return failed;
}
