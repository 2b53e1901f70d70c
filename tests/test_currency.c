/* test_currency.c - SPEC 12's currencies: rates.csv, the currency columns, conversion, the corporate currency, every reject and stop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/mapfile.h"
#include "compsight/stattest.h"
#include "input/currency.h"
#include "input/tuning.h"
#include "testutil.h"

#define ORG CS_TEST_DIR "/fixtures/real/currency"

/* ------------------------------------------------------------------------
 * A data directory per test, written from strings
 * --------------------------------------------------------------------- */

static const char plans_csv[] = "plan_id,period_type,quota,tier_floor,rate\n"
                                "P1,quarter,100000,0,0.1\nP1,quarter,100000,1.0,0.15\n";
static const char reps_csv[] = "rep_id,name,team,role,plan_id,manager\nR1,Ann,East,AE,P1,\n";
static const char deals_csv[] = "deal_id,rep_id,type,amount,currency,created_date,close_date,stage\n"
                                "D1,R1,new,1000,,2026-01-02,2026-01-15,won\n"
                                "D2,R1,new,920,EUR,2026-01-05,2026-03-02,won\n";
/* deals without a currency column */
static const char plain_deals[] = "deal_id,rep_id,type,amount,close_date,stage\n"
                                  "D1,R1,new,1000,2026-01-15,won\n";

struct dir {
    char path[64];
};

static void put(struct dir *d, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d->path, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

/* A fresh directory with plans, reps and deals, then (name, text) pairs
 * that add files or replace those. */
static void make_dir(struct dir *d, ...)
{
    snprintf(d->path, sizeof d->path, "/tmp/cs_test_currency_XXXXXX");
    assert_non_null(mkdtemp(d->path));
    put(d, "plans.csv", plans_csv);
    put(d, "reps.csv", reps_csv);
    put(d, "deals.csv", deals_csv);
    va_list ap;
    va_start(ap, d);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL)
        put(d, name, va_arg(ap, const char *));
    va_end(ap);
}

static void remove_dir(struct dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
}

static enum cs_status load(const char *dir, const char *currency, struct cs_dataset **ds,
                           struct cs_error *err)
{
    struct cs_load_options opt = {.dir = dir, .currency = currency};
    cs_error_clear(err);
    *ds = NULL;
    return cs_dataset_load(&opt, ds, err);
}

static void assert_counts_balance(const struct cs_dataset *ds)
{
    for (int t = 0; t < CS_T_COUNT; t++)
        assert_int_equal(ds->counts[t].read,
                         ds->counts[t].used + ds->counts[t].rejected + ds->counts[t].excluded);
}

static void print_rejects(const struct cs_dataset *ds)
{
    for (size_t i = 0; i < ds->n_rejects; i++)
        print_error("reject %zu: %s:%u %s: %s\n", i,
                    cs_schema_table((enum cs_table)ds->rejects[i].table)->file,
                    ds->rejects[i].line, ds->rejects[i].column, ds->rejects[i].reason);
}

/* Reject i is in file, line and column, with exactly this reason. */
static void assert_reject(const struct cs_dataset *ds, size_t i, const char *file, unsigned line,
                          const char *column, const char *reason)
{
    if (i >= ds->n_rejects)
        print_rejects(ds);
    assert_true(i < ds->n_rejects);
    const struct cs_reject *r = &ds->rejects[i];
    if (strcmp(cs_schema_table((enum cs_table)r->table)->file, file) != 0 || r->line != line ||
        strcmp(r->column, column) != 0 || strcmp(r->reason, reason) != 0) {
        print_rejects(ds);
        fail_msg("reject %zu: wanted %s:%u %s: %s", i, file, line, column, reason);
    }
}

/* A data set that loads with exactly one reject, as given. */
static void expect_one_reject(const char *currency, const char *file_name, const char *file_text,
                              const char *file2, const char *text2, const char *file,
                              unsigned line, const char *column, const char *reason)
{
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;
    make_dir(&d, file_name, file_text, file2, text2, NULL);
    enum cs_status st = load(d.path, currency, &ds, &err);
    if (st != CS_OK)
        fail_msg("status %d: %s", (int)st, err.msg);
    assert_counts_balance(ds);
    if (ds->n_rejects != 1)
        print_rejects(ds);
    assert_int_equal(ds->n_rejects, 1);
    assert_reject(ds, 0, file, line, column, reason);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* A data set whose load stops with status want, err formatted as message. */
static void expect_stop(const char *currency, const char *f1, const char *t1, const char *f2,
                        const char *t2, enum cs_status want, const char *message)
{
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;
    make_dir(&d, f1, t1, f2, t2, NULL);
    enum cs_status st = load(d.path, currency, &ds, &err);
    char buf[1200];
    cs_error_format(&err, buf, sizeof buf);
    if (st != want || strcmp(buf, message) != 0)
        fail_msg("status %d, wanted %d:\n  got    %s\n  wanted %s", (int)st, (int)want, buf,
                 message);
    assert_null(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Codes
 * --------------------------------------------------------------------- */

static void test_codes(void **state)
{
    (void)state;
    char buf[4];
    assert_int_equal(cs_currency_code("AAA", 3), 1);
    assert_int_equal(cs_currency_code("ZZZ", 3), 26 * 26 * 26);
    assert_int_equal(cs_currency_code("eur", 3), cs_currency_code("EUR", 3));
    assert_int_equal(cs_currency_code("EUR ", 4), 0);
    assert_int_equal(cs_currency_code("EU", 2), 0);
    assert_int_equal(cs_currency_code("E1R", 3), 0);
    assert_int_equal(cs_currency_code("\xc3\x89UR", 4), 0);
    assert_int_equal(cs_currency_code("E@R", 3), 0);     /* '@' | 0x20 is '`', not a letter */
    assert_int_equal(cs_currency_code("E[R", 3), 0);
    static const char *const codes[] = {"AAA", "USD", "EUR", "MXN", "COP", "PEN", "ZZZ"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        cs_currency_text(cs_currency_code(codes[i], 3), buf);
        assert_string_equal(buf, codes[i]);
    }
    cs_currency_text(cs_currency_code("cop", 3), buf);
    assert_string_equal(buf, "COP");
    cs_currency_text(0, buf);
    assert_string_equal(buf, "");
    cs_currency_text(26 * 26 * 26 + 1, buf);
    assert_string_equal(buf, "");
}

/* ------------------------------------------------------------------------
 * A multi-currency Salesforce org (tests/fixtures/real/currency/README.md)
 * --------------------------------------------------------------------- */

/* The deal of the org whose id ends in suffix ("001" for ...Opp001). */
static size_t deal(const struct cs_dataset *ds, const char *suffix)
{
    for (size_t i = 0; i < ds->deals.n; i++) {
        const char *id = cs_ds_str(ds, ds->deals.id[i]);
        if (strlen(id) >= 3 && strcmp(id + strlen(id) - 3, suffix) == 0)
            return i;
    }
    fail_msg("no deal ...%s", suffix);
    return 0;
}

/*
 * Every converted figure by hand.  USD is the corporate currency (its
 * undated rate is 1).  A won deal converts at the dated rate of its
 * close_date, an open one at its created_date's; PEN has an undated rate
 * only:
 *   001  20000 USD                   20000
 *   002  18400 EUR / 0.92 (Q1 2026)  20000
 *   003  720000 MXN / 18.0           40000
 *   004  120000000 COP / 4000.0      30000
 *   005  9300 EUR / 0.93 (2025)      10000
 *   006  7500 PEN / 3.75 (undated)    2000
 *   007  90000 EUR / 0.9 (created 2026-04-20, open)  100000
 *   009  50000, currency blank       50000
 */
static void test_org_amounts(void **state)
{
    (void)state;
    struct cs_dataset *ds;
    struct cs_error err;
    assert_int_equal(load(ORG, NULL, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_counts_balance(ds);
    assert_string_equal(ds->currency, "USD");
    assert_string_equal(cs_ds_currency(ds), "USD");
    assert_int_equal(ds->rates.n, 15);
    assert_true(ds->counts[CS_T_RATES].present);
    const double *a = ds->deals.amount;
    assert_true(a[deal(ds, "001")] == 20000.0);
    assert_true(a[deal(ds, "002")] == 18400.0 / 0.92);
    assert_close(a[deal(ds, "002")], 20000.0, 1e-15);
    assert_true(a[deal(ds, "003")] == 40000.0);
    assert_true(a[deal(ds, "004")] == 30000.0);
    assert_true(a[deal(ds, "005")] == 9300.0 / 0.93);
    assert_close(a[deal(ds, "005")], 10000.0, 1e-15);
    assert_true(a[deal(ds, "006")] == 2000.0);
    assert_true(a[deal(ds, "007")] == 90000.0 / 0.9);
    assert_close(a[deal(ds, "007")], 100000.0, 1e-15);
    assert_true(isnan(a[deal(ds, "008")]));
    assert_true(a[deal(ds, "009")] == 50000.0);

    /* commission lines convert at their deal's close_date: 1840 EUR /
     * 0.92, 72000 MXN / 18, 14000000 COP / 4000, 930 EUR / 0.93 (2025) */
    const double paid[] = {2000.0, 1840.0 / 0.92, 4000.0, 3500.0, 930.0 / 0.93, 5000.0};
    assert_int_equal(ds->commissions.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(ds->commissions.commission[i] == paid[i]);
    assert_close(ds->commissions.commission[1], 2000.0, 1e-15);
    assert_close(ds->commissions.commission[4], 1000.0, 1e-15);

    /* what was converted, most rows first */
    static const struct cs_currency_use want[] = {
        {"EUR", 3, 2}, {"COP", 1, 1}, {"MXN", 1, 1}, {"PEN", 1, 0}};
    assert_int_equal(ds->n_converted, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(ds->converted[i].code, want[i].code);
        assert_int_equal(ds->converted[i].deals, want[i].deals);
        assert_int_equal(ds->converted[i].commissions, want[i].commissions);
    }
    cs_dataset_free(ds);
}

/*
 * The measures on converted amounts, by hand.  Plan: quota 100000 a
 * quarter, 10% to 100%, 15% above.  Ana's 2026Q1 in close order: 20000,
 * 20000, 40000, 30000: a0 of the COP deal = 0.8, a1 = 1.1, its commission
 * 0.2 x 100000 x 10% + 0.1 x 100000 x 15% = 3500; her final attainment
 * 1.1.  Unconverted, the COP deal alone would be 1200 times quota.
 * Every commission line reproduces (reconciliation share 1).  The timing
 * share of 2026Q1's bookings in its last 14 days (days 76..89 of 90, from
 * 2026-03-18): the COP deal (30000, 03-25) and 009 (50000, 03-30) of
 * 20000 + 20000 + 40000 + 30000 + 2000 + 50000 = 162000.
 */
static void test_org_measures(void **state)
{
    (void)state;
    struct cs_dataset *ds;
    struct cs_error err;
    struct cs_calendar cal;
    struct cs_incentives *inc = NULL;
    struct cs_reconciliation *rec = NULL;
    struct cs_timing *tm = NULL;
    assert_int_equal(load(ORG, NULL, &ds, &err), CS_OK);
    assert_int_equal(cs_calendar_init(&cal, 1, &err), CS_OK);
    assert_int_equal(cs_incentives_compute(ds, &ds->plans, &cal, &inc, &err), CS_OK);
    size_t cop = deal(ds, "004");
    assert_close(inc->attainment_before[cop], 0.8, 1e-15);
    assert_close(inc->commission[cop], 3500.0, 1e-12);
    assert_close(inc->marginal_rate[cop], 0.10, 0);
    assert_int_equal(inc->tier_cross[cop], 1);
    assert_close(inc->rp.attainment[inc->rep_period[cop]], 1.1, 1e-15);
    assert_close(inc->rp.amount[inc->rep_period[cop]], 110000.0, 1e-15);
    assert_close(inc->commission[deal(ds, "003")], 4000.0, 1e-15);
    assert_close(inc->commission[deal(ds, "005")], 1000.0, 1e-15);
    assert_close(inc->commission[deal(ds, "009")], 5000.0, 1e-15);

    assert_int_equal(cs_incentives_reconcile(ds, inc, &rec, &err), CS_OK);
    assert_int_equal(rec->compared, 6);
    assert_int_equal(rec->within, 6);
    assert_true(rec->reproduces);

    uint8_t *sel = calloc(ds->deals.n, 1);
    assert_non_null(sel);
    for (size_t i = 0; i < ds->deals.n; i++)
        sel[i] = inc->won[i] && inc->quarter[i] == 2026 * 10 + 1;
    assert_int_equal(cs_timing(ds->deals.amount, inc->period_days, inc->day_of_period, sel,
                               ds->deals.n, &tm, &err), CS_OK);
    assert_int_equal(tm->n, 6);
    assert_close(tm->amount_total, 162000.0, 1e-15);
    assert_close(tm->last14_share, 80000.0 / 162000.0, 1e-14);
    free(sel);
    cs_timing_free(tm);
    cs_recon_free(rec);
    cs_incentives_free(inc);
    cs_dataset_free(ds);
}

/*
 * The same organisation read as Salesforce exports it, through the
 * salesforce-api preset and the organisation's own map after it:
 * Opportunity.csv (CurrencyIsoCode), User.csv, CurrencyType.csv and
 * DatedConversionRate.csv as one rates table (file = A, B).  The same
 * converted figures as through the compsight-format files, and the open
 * opportunity 007 (CloseDate 2026-03-31, CreatedDate 2026-04-20) at its
 * created date's rate, 0.9, not its close date's, 0.92.
 */
static void test_org_salesforce_export(void **state)
{
    (void)state;
    struct cs_map *map = NULL, *ours = NULL;
    struct cs_error err;
    assert_int_equal(cs_map_load(CS_SOURCE_DIR "/data/maps/salesforce-api.ini", &map, &err), CS_OK);
    assert_int_equal(cs_map_load(ORG "/ours.ini", &ours, &err), CS_OK);
    assert_int_equal(cs_map_merge(map, ours, &err), CS_OK);
    struct cs_load_options opt = {.dir = ORG, .map = map};
    struct cs_dataset *ds = NULL, *plain = NULL;
    assert_int_equal(cs_dataset_load(&opt, &ds, &err), CS_OK);
    assert_int_equal(load(ORG, NULL, &plain, &err), CS_OK);
    if (ds->n_rejects)
        print_rejects(ds);
    assert_int_equal(ds->n_rejects, 0);
    assert_counts_balance(ds);
    assert_string_equal(ds->currency, "USD");
    /* the rates of both files: 5 undated, 10 dated */
    assert_int_equal(ds->rates.n, 15);
    assert_int_equal(ds->counts[CS_T_RATES].read, 15);
    assert_int_equal(ds->deals.n, plain->deals.n);
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (ds->deals.stage[i] == CS_STAGE_OPEN)
            continue;
        assert_true(ds->deals.amount[i] == plain->deals.amount[i] ||
                    (isnan(ds->deals.amount[i]) && isnan(plain->deals.amount[i])));
    }
    size_t open = deal(ds, "007");
    assert_int_equal(ds->deals.stage[open], CS_STAGE_OPEN);
    assert_true(ds->deals.amount[open] == 90000.0 / 0.9);
    assert_memory_equal(ds->commissions.commission, plain->commissions.commission,
                        ds->commissions.n * sizeof(double));
    cs_dataset_free(plain);
    cs_dataset_free(ds);
    cs_map_free(ours);
    cs_map_free(map);
}

/* The same files read on the reader thread with batches of 1 to 3 rows:
 * the same converted amounts and the same rejects. */
static void test_org_threaded(void **state)
{
    (void)state;
    struct cs_dataset *a, *b;
    struct cs_error err;
    struct cs_load_options opt = {.dir = ORG};
    assert_int_equal(cs_dataset_load(&opt, &a, &err), CS_OK);
    for (size_t rows = 1; rows <= 3; rows++) {
        struct cs_load_tuning tune = {.thread_min_size = 1, .batch_rows = rows, .batch_text = 16};
        assert_int_equal(cs_dataset_load_tuned(&opt, &tune, &b, &err), CS_OK);
        assert_int_equal(a->deals.n, b->deals.n);
        assert_memory_equal(a->deals.amount, b->deals.amount, a->deals.n * sizeof(double));
        assert_memory_equal(a->commissions.commission, b->commissions.commission,
                            a->commissions.n * sizeof(double));
        assert_string_equal(a->currency, b->currency);
        cs_dataset_free(b);
    }
    cs_dataset_free(a);
}

/* ------------------------------------------------------------------------
 * The corporate currency
 * --------------------------------------------------------------------- */

static void test_corporate(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;

    /* no currency column, no rates.csv: nothing said, USD by default */
    make_dir(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\nD1,R1,new,5,2026-01-02,won\n",
             NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "");
    assert_string_equal(cs_ds_currency(ds), "USD");
    cs_dataset_free(ds);
    /* --currency names it, and converts nothing */
    assert_int_equal(load(d.path, "chf", &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "CHF");
    assert_true(ds->deals.amount[0] == 5.0);
    cs_dataset_free(ds);
    remove_dir(&d);

    /* without rates.csv, the one code of the column (blank cells too) */
    make_dir(&d, "deals.csv", "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                              "D1,R1,new,5,eur,2026-01-02,won\nD2,R1,new,7,,2026-01-03,won\n"
                              "D3,R1,new,9,EUR,2026-01-04,won\n", NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "EUR");
    assert_true(ds->deals.amount[0] == 5.0 && ds->deals.amount[1] == 7.0);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->n_converted, 0);
    cs_dataset_free(ds);
    assert_int_equal(load(d.path, "EUR", &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "EUR");
    cs_dataset_free(ds);
    remove_dir(&d);

    /* commissions.csv's one code, when deals.csv has none */
    make_dir(&d, "commissions.csv", "rep_id,deal_id,commission,currency\nR1,D1,100,GBP\n",
             "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\nD1,R1,new,5,2026-01-02,won\n",
             NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "GBP");
    cs_dataset_free(ds);
    remove_dir(&d);

    /* with rates.csv: the code whose undated rate is 1 */
    make_dir(&d, "rates.csv", "currency,rate,start_date,next_start_date\nUSD,1.08,,\nEUR,1,,\n",
             "deals.csv", "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                          "D1,R1,new,108,USD,2026-01-02,won\nD2,R1,new,50,,2026-01-02,won\n", NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "EUR");
    assert_close(ds->deals.amount[0], 100.0, 1e-15);
    assert_true(ds->deals.amount[1] == 50.0);
    cs_dataset_free(ds);
    assert_int_equal(load(d.path, "EUR", &ds, &err), CS_OK);   /* the same, said */
    assert_string_equal(ds->currency, "EUR");
    cs_dataset_free(ds);
    remove_dir(&d);

    /* rates.csv with dated rates only: --currency is taken as given; its
     * dated rates of 1 are fine */
    make_dir(&d, "rates.csv", "currency,rate,start_date,next_start_date\n"
                              "EUR,1,0001-01-01,9999-12-31\nUSD,1.25,2026-01-01,9999-12-31\n",
             "deals.csv", "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                          "D1,R1,new,125,USD,2026-01-02,won\n", NULL);
    assert_int_equal(load(d.path, "EUR", &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "EUR");
    assert_true(ds->deals.amount[0] == 100.0);
    assert_int_equal(ds->n_rejects, 0);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Rejects: each with its message
 * --------------------------------------------------------------------- */

static void test_rate_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *rates;
        unsigned line;
        const char *column, *reason;
    } cases[] = {
        {"currency,rate\nUSD,1\nEUR,0\n", 3, "rate", "must be greater than 0: \"0\""},
        {"currency,rate\nUSD,1\nEUR,-0.9\n", 3, "rate", "must be greater than 0: \"-0.9\""},
        /* not last: a last row with text in its first cell only is a footer */
        {"currency,rate\nUSD,1\nEUR,\nMXN,17.2\n", 3, "rate", "required value is missing"},
        {"currency,rate\nUSD,1\nEUR,x\n", 3, "rate", "not a number: \"x\""},
        {"currency,rate\nUSD,1\nEURO,0.9\n", 3, "currency",
         "not an ISO 4217 currency code (three letters, such as EUR): \"EURO\""},
        {"currency,rate\nUSD,1\n\xe2\x82\xac,0.9\n", 3, "currency",
         "not an ISO 4217 currency code (three letters, such as EUR): \"\\xe2\\x82\\xac\""},
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,2026-01-01,\n", 3,
         "next_start_date",
         "required with start_date (a dated rate has both dates, an undated rate neither)"},
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,,2026-01-01\n", 3,
         "start_date",
         "required with next_start_date (a dated rate has both dates, an undated rate neither)"},
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,2026-04-01,2026-04-01\n", 3,
         "next_start_date", "must be after start_date (it is the first day of the next rate)"},
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,2026-04-01,2026-01-01\n", 3,
         "next_start_date", "must be after start_date (it is the first day of the next rate)"},
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,2026-04-01,10000-01-01\n", 3,
         "next_start_date", "not a date (expected YYYY-MM-DD): \"10000-01-01\""},
        /* the corporate currency converts at 1 */
        {"currency,rate,start_date,next_start_date\nUSD,1,,\nUSD,1.1,2026-01-01,9999-12-31\n", 3,
         "rate", "USD is the corporate currency (its undated rate is 1 on rates.csv's line 2), "
                 "which converts at 1, not 1.1"},
        {"currency,rate\nUSD,1.1\nEUR,0.9\n", 2, "rate",
         "USD is the corporate currency (the default: no currency's undated rate is 1, no "
         "--currency), which converts at 1, not 1.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        print_message("rates.csv case %zu\n", i);
        expect_one_reject(NULL, "rates.csv", cases[i].rates, "deals.csv", plain_deals,
                          "rates.csv", cases[i].line, cases[i].column, cases[i].reason);
    }
    /* the same with --currency: a dated corporate rate other than 1 */
    expect_one_reject("EUR", "rates.csv",
                      "currency,rate,start_date,next_start_date\nEUR,0.98,2025-01-01,2026-01-01\n",
                      "deals.csv", plain_deals, "rates.csv", 2, "rate",
                      "EUR is the corporate currency (--currency), which converts at 1, not 0.98");
}

/* Two undated rates of a currency, or two dated ranges that overlap: both
 * rows rejected, each naming the other's line; the other rows stay. */
static void test_rate_clashes(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;
    make_dir(&d, "rates.csv",
             "currency,rate,start_date,next_start_date\n"
             "USD,1,,\n"                                  /* 2 */
             "EUR,0.9,,\n"                                /* 3 */
             "EUR,0.92,2026-01-01,2026-04-01\n"           /* 4 overlaps 6 */
             "EUR,0.91,,\n"                               /* 5 second undated */
             "EUR,0.93,2026-03-01,9999-12-31\n"           /* 6 overlaps 4 */
             "EUR,0.95,0001-01-01,2026-01-01\n"           /* 7 touches 4: fine */
             "MXN,18,2026-01-01,2026-02-01\n"             /* 8 inside 9 */
             "MXN,17,2025-01-01,2027-01-01\n"             /* 9 */
             "MXN,19,2026-06-01,2026-07-01\n"             /* 10 inside 9 too */
             "COP,4000,2026-01-01,2026-04-01\n"           /* 11 */
             "COP,4100,2026-04-01,9999-12-31\n",          /* 12 touches 11: fine */
             "deals.csv", plain_deals, NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_counts_balance(ds);
    assert_int_equal(ds->counts[CS_T_RATES].read, 11);
    assert_int_equal(ds->counts[CS_T_RATES].rejected, 7);
    assert_int_equal(ds->counts[CS_T_RATES].used, 4);
    assert_int_equal(ds->n_rejects, 7);
    assert_reject(ds, 0, "rates.csv", 3, "currency",
                  "another undated rate for EUR is on line 5 (one undated rate a currency)");
    assert_reject(ds, 1, "rates.csv", 4, "start_date",
                  "EUR's range 2026-01-01 to 2026-04-01 overlaps its range 2026-03-01 to "
                  "9999-12-31 on line 6");
    assert_reject(ds, 2, "rates.csv", 5, "currency",
                  "another undated rate for EUR is on line 3 (one undated rate a currency)");
    assert_reject(ds, 3, "rates.csv", 6, "start_date",
                  "EUR's range 2026-03-01 to 9999-12-31 overlaps its range 2026-01-01 to "
                  "2026-04-01 on line 4");
    assert_reject(ds, 4, "rates.csv", 8, "start_date",
                  "MXN's range 2026-01-01 to 2026-02-01 overlaps its range 2025-01-01 to "
                  "2027-01-01 on line 9");
    assert_reject(ds, 5, "rates.csv", 9, "start_date",
                  "MXN's range 2025-01-01 to 2027-01-01 overlaps its range 2026-01-01 to "
                  "2026-02-01 on line 8");
    assert_reject(ds, 6, "rates.csv", 10, "start_date",
                  "MXN's range 2026-06-01 to 2026-07-01 overlaps its range 2025-01-01 to "
                  "2027-01-01 on line 9");
    /* what is left, in file order */
    assert_int_equal(ds->rates.n, 4);
    const unsigned lines[] = {2, 7, 11, 12};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ds->rates.line[i], lines[i]);
    assert_true(ds->rates.start[1] == cs_days_from_civil(1, 1, 1));
    assert_true(ds->rates.next[3] == cs_days_from_civil(9999, 12, 31));
    cs_dataset_free(ds);
    remove_dir(&d);
}

static void test_deal_rejects(void **state)
{
    (void)state;
    static const char rates[] = "currency,rate,start_date,next_start_date\nUSD,1,,\n"
                                "EUR,0.92,2026-01-01,2026-03-01\n";
    /* no rate for the deal's date: its close_date */
    expect_one_reject(NULL, "rates.csv", rates, NULL, NULL, "deals.csv", 3, "currency",
                      "no rate for EUR on 2026-03-02");
    /* a code rates.csv does not have at all */
    expect_one_reject(NULL, "rates.csv", rates, "deals.csv",
                      "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                      "D1,R1,new,5,MXN,2026-01-02,won\n", "deals.csv", 2, "currency",
                      "no rate for MXN on 2026-01-02");
    /* an open deal converts at its created_date's rate */
    expect_one_reject(NULL, "rates.csv", rates, "deals.csv",
                      "deal_id,rep_id,type,amount,currency,created_date,close_date,stage\n"
                      "D1,R1,new,5,EUR,2026-02-01,2026-03-15,open\n"
                      "D2,R1,new,5,EUR,2026-03-01,2026-02-15,open\n", "deals.csv", 3, "currency",
                      "no rate for EUR on 2026-03-01");
    /* an open deal with no date: an undated rate or none */
    expect_one_reject(NULL, "rates.csv", rates, "deals.csv",
                      "deal_id,rep_id,type,amount,currency,created_date,close_date,stage\n"
                      "D1,R1,new,5,EUR,,,open\n", "deals.csv", 2, "currency",
                      "no undated rate for EUR (the deal has no date for a dated one)");
    /* a blank amount has nothing to convert: not rejected */
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;
    make_dir(&d, "rates.csv", rates, "deals.csv",
             "deal_id,rep_id,type,amount,currency,created_date,close_date,stage\n"
             "D1,R1,new,,MXN,,2026-01-02,lost\nD2,R1,new,0,EUR,2026-02-01,,open\n", NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_true(isnan(ds->deals.amount[0]));
    assert_true(ds->deals.amount[1] == 0.0);
    cs_dataset_free(ds);
    remove_dir(&d);
    /* a bad code */
    expect_one_reject(NULL, "rates.csv", rates, "deals.csv",
                      "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                      "D1,R1,new,5,US$,2026-01-02,won\n", "deals.csv", 2, "currency",
                      "not an ISO 4217 currency code (three letters, such as EUR): \"US$\"");
    /* an amount too large once converted: each plausible, the result not */
    expect_one_reject(NULL, "rates.csv", "currency,rate\nUSD,1\nEUR,1e-8\n", "deals.csv",
                      "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                      "D1,R1,new,1e10,EUR,2026-01-02,won\n", "deals.csv", 2, "currency",
                      "10000000000 EUR at a rate of 1e-08 is too large a number (beyond 1e15 "
                      "once converted)");
    /* Salesforce's open ends, 0001-01-01 and 9999-12-31, are valid range
     * ends; any other date outside 1900-2200 is not */
    make_dir(&d, "rates.csv", "currency,rate,start_date,next_start_date\nUSD,1,,\n"
                              "EUR,0.9,0001-01-01,2026-01-01\nEUR,0.92,2026-01-01,9999-12-31\n",
             NULL);
    assert_int_equal(load(d.path, NULL, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    cs_dataset_free(ds);
    remove_dir(&d);
    expect_one_reject(NULL, "rates.csv", "currency,rate,start_date,next_start_date\nUSD,1,,\n"
                                         "EUR,0.9,,\nEUR,0.9,2026-01-01,9000-01-01\n", NULL, NULL,
                      "rates.csv", 4, "next_start_date",
                      "outside the plausible years 1900 to 2200 (0001-01-01 and 9999-12-31 stand "
                      "for an open end): \"9000-01-01\"");
    /* a rate beyond the plausible range is a reject of rates.csv */
    expect_one_reject(NULL, "rates.csv", "currency,rate\nUSD,1\nEUR,0.9\nMXN,1e-300\n", NULL, NULL,
                      "rates.csv", 4, "rate",
                      "beyond the plausible range (from 1e-9 to 1e9): \"1e-300\"");
    /* a commission line converts at its deal's close_date (D1's is
     * 2026-01-15, D2's 2026-03-02) */
    static const char rates_q1[] = "currency,rate,start_date,next_start_date\nUSD,1,,\n"
                                   "EUR,0.92,2026-01-01,2026-04-01\n"
                                   "MXN,18,2026-03-01,2026-04-01\n";
    expect_one_reject(NULL, "rates.csv", rates_q1, "commissions.csv",
                      "rep_id,deal_id,commission,currency\nR1,D2,100,MXN\nR1,D1,100,MXN\n",
                      "commissions.csv", 3, "currency", "no rate for MXN on 2026-01-15");
}

/* ------------------------------------------------------------------------
 * Stops (exit 2) and usage errors (exit 1)
 * --------------------------------------------------------------------- */

static void test_stops(void **state)
{
    (void)state;
    static const char two[] = "deal_id,rep_id,type,amount,currency,close_date,stage\n"
                              "D1,R1,new,5,USD,2026-01-02,won\nD2,R1,new,5,EUR,2026-01-02,won\n"
                              "D3,R1,new,5,usd,2026-01-02,won\nD4,R1,new,5,,2026-01-02,won\n"
                              "D5,R1,new,5,MXN,2026-01-02,won\nD6,R1,new,5,EUR,2026-01-02,won\n"
                              "D7,R1,new,5,USD,2026-01-02,won\n";
    expect_stop(NULL, "deals.csv", two, NULL, NULL, CS_ERR_INPUT,
                "deals.csv: currency: amounts in more than one currency, USD (3 rows), EUR (2 "
                "rows), MXN (1 row), and no rates.csv to convert them: add rates.csv with a rate "
                "for each (docs/INPUT.md)");
    /* --currency other than the one code, without rates.csv */
    expect_stop("USD", NULL, NULL, NULL, NULL, CS_ERR_INPUT,
                "deals.csv: currency: amounts in EUR (1 row), and no rates.csv to convert them to "
                "the corporate currency USD (--currency): add rates.csv with a rate for each "
                "(docs/INPUT.md)");
    /* commissions.csv in another code than deals.csv's one */
    expect_stop(NULL, "commissions.csv", "rep_id,deal_id,commission,currency\n"
                "R1,D1,100,GBP\nR1,D2,100,GBP\nR1,D2,100,EUR\n", NULL, NULL, CS_ERR_INPUT,
                "commissions.csv: currency: amounts in GBP (2 rows), EUR (1 row), and no "
                "rates.csv to convert them to the corporate currency EUR (the one currency of "
                "deals.csv): add rates.csv with a rate for each (docs/INPUT.md)");

    static const char rates[] = "currency,rate\nUSD,1\nEUR,0.92\n";
    expect_stop("EUR", "rates.csv", rates, NULL, NULL, CS_ERR_USAGE,
                "--currency EUR: rates.csv gives EUR an undated rate of 0.92 (line 3), and the "
                "corporate currency's rate is 1");
    expect_stop("GBP", "rates.csv", rates, NULL, NULL, CS_ERR_USAGE,
                "--currency GBP: rates.csv makes USD the corporate currency (its undated rate is "
                "1, line 2); give --currency USD or none");
    expect_stop(NULL, "rates.csv", "currency,rate\nUSD,1\nEUR,0.92\nPAB,1.0\n", NULL, NULL,
                CS_ERR_INPUT,
                "rates.csv: USD (line 2) and PAB (line 4) both have an undated rate of 1: name "
                "the corporate currency with --currency");
    expect_stop("EU", NULL, NULL, NULL, NULL, CS_ERR_USAGE,
                "--currency takes an ISO 4217 code such as EUR, not \"EU\"");
    /* with two undated rates of 1, --currency picks one */
    struct dir d;
    struct cs_dataset *ds;
    struct cs_error err;
    make_dir(&d, "rates.csv", "currency,rate\nUSD,1\nEUR,0.92\nPAB,1.0\n", NULL);
    assert_int_equal(load(d.path, "PAB", &ds, &err), CS_OK);
    assert_string_equal(ds->currency, "PAB");
    cs_dataset_free(ds);
    remove_dir(&d);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_org_amounts),
        cmocka_unit_test(test_org_measures),
        cmocka_unit_test(test_org_threaded),
        cmocka_unit_test(test_org_salesforce_export),
        cmocka_unit_test(test_corporate),
        cmocka_unit_test(test_rate_rejects),
        cmocka_unit_test(test_rate_clashes),
        cmocka_unit_test(test_deal_rejects),
        cmocka_unit_test(test_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
