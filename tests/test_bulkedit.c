/* test_bulkedit.c - the bulk-edit data warning: kinds of day, hand-counted days, a CRM bulk edit end to end, no false alarm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/bulkedit.h"
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/doc.h"
#include "compsight/generate.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "testutil.h"

/* ======================================================================
 * Helpers
 * ==================================================================== */

static int32_t day_of(const char *s)
{
    int32_t d;
    assert_true(cs_parse_date(s, strlen(s), CS_DATE_ISO, &d));
    return d;
}

static void check(enum cs_status st, const struct cs_error *err, const char *step)
{
    if (st != CS_OK) {
        char msg[1200];
        cs_error_format(err, msg, sizeof msg);
        fail_msg("%s: status %d: %s", step, (int)st, msg);
    }
}

/* Deals as columns, added a day at a time. */
struct deals {
    int32_t *close;
    uint8_t *stage;
    size_t n, cap;
};

static void add(struct deals *D, int32_t day, size_t closes, size_t won)
{
    for (size_t i = 0; i < closes; i++) {
        if (D->n == D->cap) {
            D->cap = D->cap ? 2 * D->cap : 1024;
            D->close = realloc(D->close, D->cap * sizeof *D->close);
            D->stage = realloc(D->stage, D->cap);
            assert_non_null(D->close);
            assert_non_null(D->stage);
        }
        D->close[D->n] = day;
        D->stage[D->n++] = i < won ? CS_STAGE_WON : CS_STAGE_LOST;
    }
}

static void deals_free(struct deals *D)
{
    free(D->close);
    free(D->stage);
}

/* ======================================================================
 * Kinds of day
 * ==================================================================== */

static void test_day_kinds(void **state)
{
    (void)state;
    struct cs_calendar jan = {1}, feb = {2};
    static const struct {
        const char *date;
        enum cs_day_kind jan, feb;
    } cases[] = {
        /* fiscal start 1: quarters end Mar 31, Jun 30, Sep 30, Dec 31 (the year) */
        {"2026-03-31", CS_DAY_QUARTER_END, CS_DAY_MONTH_END},
        {"2026-03-29", CS_DAY_QUARTER_END, CS_DAY_OTHER},     /* 2 days before the end */
        {"2026-03-28", CS_DAY_LAST_WEEKS, CS_DAY_OTHER},      /* 3 days before */
        {"2026-03-18", CS_DAY_LAST_WEEKS, CS_DAY_OTHER},      /* 13 days before */
        {"2026-03-17", CS_DAY_OTHER, CS_DAY_OTHER},           /* 14 days before */
        {"2026-01-31", CS_DAY_MONTH_END, CS_DAY_YEAR_END},    /* start 2: FY2026 ends Jan 31 */
        {"2026-02-28", CS_DAY_MONTH_END, CS_DAY_MONTH_END},
        {"2026-04-30", CS_DAY_MONTH_END, CS_DAY_QUARTER_END}, /* start 2: Q1 FY2027 ends Apr 30 */
        {"2026-12-31", CS_DAY_YEAR_END, CS_DAY_MONTH_END},
        {"2026-12-29", CS_DAY_YEAR_END, CS_DAY_OTHER},
        {"2026-12-28", CS_DAY_LAST_WEEKS, CS_DAY_OTHER},
        {"2028-02-29", CS_DAY_MONTH_END, CS_DAY_MONTH_END},   /* a leap year's February */
        {"2027-02-28", CS_DAY_MONTH_END, CS_DAY_MONTH_END},
        {"2026-02-17", CS_DAY_OTHER, CS_DAY_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t d = day_of(cases[i].date);
        if (cs_day_kind(&jan, d) != cases[i].jan || cs_day_kind(&feb, d) != cases[i].feb)
            fail_msg("%s: kinds %d, %d; wanted %d, %d", cases[i].date, (int)cs_day_kind(&jan, d),
                     (int)cs_day_kind(&feb, d), (int)cases[i].jan, (int)cases[i].feb);
    }
    assert_string_equal(cs_day_kind_name(CS_DAY_YEAR_END), "year_end");
    assert_string_equal(cs_day_kind_name(CS_DAY_OTHER), "other");
}

/* ======================================================================
 * Hand-counted days: two fiscal years, fiscal start 1
 * ==================================================================== */

/*
 * Every day of 2025 and 2026 closes 2 deals, except: the last 3 days of each
 * quarter close 20 (an end-of-period push ten times an ordinary day), and
 * the days in extra[] close what they say.  Kinds then hold (by hand):
 * quarter_end 6 quarters x 3 = 18 days, year_end 2 x 3 = 6 days.
 */
struct extra {
    const char *date;
    size_t closes, won;
};

static void world(struct deals *D, const struct extra *extra, size_t n_extra)
{
    struct cs_calendar cal = {1};
    int32_t first = day_of("2025-01-01"), last = day_of("2026-12-31");
    for (int32_t d = first; d <= last; d++) {
        size_t c = 2, w = 1;
        enum cs_day_kind k = cs_day_kind(&cal, d);
        if (k == CS_DAY_QUARTER_END || k == CS_DAY_YEAR_END)
            c = 20, w = 10;
        for (size_t i = 0; i < n_extra; i++)
            if (day_of(extra[i].date) == d)
                c = extra[i].closes, w = extra[i].won;
        add(D, d, c, w);
    }
}

static void test_hand_counts(void **state)
{
    (void)state;
    struct cs_calendar cal = {1};
    struct cs_error err;
    /* 2026-02-17: 40 closes on an ordinary day (others hold about 2).
     * 2025-05-06: 11 closes, 5.5 times the ordinary 2, but a Poisson(2)
     *   count reaches 11 with probability e^-2 (2^11/11! + 2^12/12! + ...)
     *   = 0.1353 x 6.14e-5 = 8.3e-6, above 1e-6: not flagged.
     * 2025-07-08: 15 closes: Poisson(2) tail 0.1353 x 2.86e-8 = 3.9e-9: flagged.
     * 2026-03-02: 9 closes, under the 10 a bulk edit needs.
     * 2025-09-30 and 2026-06-30: 400 and 110 closes on quarter-end days
     *   (the 16 others hold 20).  Against the other 17 quarter-end days,
     *   110 is 110 / ((16 x 20 + 400) / 17) = 2.6 times: not yet; once 400
     *   is flagged, 110 is 5.5 times the 20 of the rest: flagged on the
     *   second pass.  The 20-close pushes themselves, ten times an ordinary
     *   day, are never flagged. */
    static const struct extra ex[] = {
        {"2026-02-17", 40, 3}, {"2025-05-06", 11, 0}, {"2025-07-08", 15, 5},
        {"2025-09-30", 400, 30}, {"2026-06-30", 110, 0}, {"2026-03-02", 9, 0},
    };
    struct deals D = {0};
    world(&D, ex, sizeof ex / sizeof ex[0]);
    struct cs_bulk_edits b;
    check(cs_bulk_edits_find(D.close, D.stage, D.n, &cal, NULL, &b, &err), &err, "find");
    assert_int_equal(b.days, 730);
    assert_int_equal(b.n_flagged, 4);
    assert_int_equal(b.n, 4);
    static const struct { const char *date; size_t closes, won; double expected; enum cs_day_kind k; }
        want[] = {
            {"2025-09-30", 400, 30, 20.0, CS_DAY_QUARTER_END},
            {"2026-06-30", 110, 0, 20.0, CS_DAY_QUARTER_END},
            {"2026-02-17", 40, 3, 0, CS_DAY_OTHER},
            {"2025-07-08", 15, 5, 0, CS_DAY_OTHER},
        };
    /* The ordinary days' mean without the flagged ones: every other
     * ordinary day holds 2, except 2025-05-06 (11) and 2026-03-02 (9). */
    size_t ordinary = 0;
    for (int32_t d = day_of("2025-01-01"); d <= day_of("2026-12-31"); d++)
        ordinary += cs_day_kind(&cal, d) == CS_DAY_OTHER;
    double other_mean = (2.0 * (double)(ordinary - 4) + 11 + 9) / (double)(ordinary - 2);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(b.day[i].day, day_of(want[i].date));
        assert_int_equal(b.day[i].closes, want[i].closes);
        assert_int_equal(b.day[i].won, want[i].won);
        assert_int_equal(b.day[i].kind, want[i].k);
        assert_close(b.day[i].expected, want[i].k == CS_DAY_OTHER ? other_mean : want[i].expected,
                     1e-12);
    }
    /* Only the selected quarter's days are kept; the pattern is still learnt from all. */
    struct cs_selection sel = {.mode = CS_SELECT_QUARTER, .quarter = 20261};
    check(cs_bulk_edits_find(D.close, D.stage, D.n, &cal, &sel, &b, &err), &err, "find");
    assert_int_equal(b.n_flagged, 1);
    assert_int_equal(b.day[0].day, day_of("2026-02-17"));
    sel.quarter = 20253;
    check(cs_bulk_edits_find(D.close, D.stage, D.n, &cal, &sel, &b, &err), &err, "find");
    assert_int_equal(b.n_flagged, 2);
    assert_int_equal(b.day[0].day, day_of("2025-09-30"));
    assert_int_equal(b.day[1].day, day_of("2025-07-08"));
    deals_free(&D);
}

/* Open deals do not count; a kind with too few days to compare is not tested. */
static void test_open_and_short_data(void **state)
{
    (void)state;
    struct cs_calendar cal = {1};
    struct cs_error err;
    struct cs_bulk_edits b;
    struct deals D = {0};
    /* one quarter, 2026Q1: ordinary days 1 close; 500 closes on its last
     * day, and 500 open deals dated 2026-02-17 */
    for (int32_t d = day_of("2026-01-01"); d <= day_of("2026-03-31"); d++)
        add(&D, d, d == day_of("2026-03-31") ? 500 : 1, 0);
    size_t before = D.n;
    add(&D, day_of("2026-02-17"), 500, 0);
    for (size_t i = before; i < D.n; i++)
        D.stage[i] = CS_STAGE_OPEN;
    check(cs_bulk_edits_find(D.close, D.stage, D.n, &cal, NULL, &b, &err), &err, "find");
    assert_int_equal(b.closes, before);
    assert_int_equal(b.days, 90);
    /* the quarter-end kind has 3 days (2 others): the 500 is not judged */
    assert_int_equal(b.n_flagged, 0);
    /* none at all */
    check(cs_bulk_edits_find(D.close, D.stage, 0, &cal, NULL, &b, &err), &err, "find");
    assert_int_equal(b.closes, 0);
    assert_int_equal(b.n_flagged, 0);
    deals_free(&D);
}

/* More flagged days than kept: the largest are kept, all are counted. */
static void test_many_days(void **state)
{
    (void)state;
    struct cs_calendar cal = {1};
    struct cs_error err;
    struct extra ex[12];
    char dates[12][16];
    for (size_t i = 0; i < 12; i++) {
        snprintf(dates[i], sizeof dates[i], "2025-%02zu-10", i + 1);
        ex[i] = (struct extra){dates[i], 100 + 10 * i, 1};
    }
    struct deals D = {0};
    world(&D, ex, 12);
    struct cs_bulk_edits b;
    check(cs_bulk_edits_find(D.close, D.stage, D.n, &cal, NULL, &b, &err), &err, "find");
    assert_int_equal(b.n_flagged, 12);
    assert_int_equal(b.n, CS_BULK_MAX);
    for (size_t i = 0; i < CS_BULK_MAX; i++)
        assert_int_equal(b.day[i].closes, 210 - 10 * i);
    deals_free(&D);
}

/* ======================================================================
 * A CRM bulk edit, end to end: 747 deals "closed" on 2026-02-17, 58 of
 * them won in the same second, close_date written with its time as
 * Salesforce writes a date-time ("2026-02-17T16:42:05.000Z")
 * ==================================================================== */

struct pipeline {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_selection sel;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_analysis *an;
};

static void pipeline_run(struct pipeline *p, const char *dir, int fiscal_start)
{
    struct cs_error err;
    struct cs_load_options lo = {.dir = dir};
    memset(p, 0, sizeof *p);
    cs_error_clear(&err);
    check(cs_dataset_load(&lo, &p->ds, &err), &err, "load");
    check(cs_calendar_init(&p->cal, fiscal_start, &err), &err, "calendar");
    check(cs_select_period("all", p->ds, &p->cal, &p->sel, &err), &err, "select");
    check(cs_incentives_compute(p->ds, &p->ds->plans, &p->cal, &p->inc, &err), &err, "incentives");
    check(cs_outcomes_compute(p->ds, &p->cal, &p->oc, &err), &err, "outcomes");
    struct cs_measured m = {p->ds, &p->cal, p->inc, p->oc, &p->sel};
    check(cs_analysis_run(&m, 1, &p->an, &err), &err, "analysis");
}

static void pipeline_free(struct pipeline *p)
{
    cs_analysis_free(p->an);
    cs_outcomes_free(p->oc);
    cs_incentives_free(p->inc);
    cs_dataset_free(p->ds);
}

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/cs_test_bulkedit_XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_tree(const char *path)
{
    char cmd[600];
    assert_non_null(strstr(path, "/tmp/cs_test_bulkedit_"));
    if (getenv("CS_TEST_KEEP")) {        /* CS_TEST_KEEP=1 keeps the data for a look */
        print_message("kept %s\n", path);
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static void generate(const char *dir, uint64_t n, uint64_t seed, bool null_fx, int fiscal_start)
{
    struct cs_gen_options g = {.out_dir = dir, .n_deals = n, .seed = seed,
                               .null_effects = null_fx, .fiscal_start = fiscal_start};
    struct cs_error err;
    cs_error_clear(&err);
    check(cs_generate(&g, &err), &err, "generate");
}

/* The data's own figure, counted here from the file written (independent
 * of the library): the mean closes of the ordinary days, fiscal start 1 -
 * days that are neither within 14 days of a quarter's end nor a month's
 * last day - over the span of the closes, without the bulk day. */
struct tally {
    char first[11], last[11];
    size_t bulk_closes, bulk_won, bulk_same_second;
    double other_sum;
    size_t other_days;
};

static time_t utc(const char *date)
{
    struct tm tm = {0};
    assert_int_equal(sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static bool ordinary_day(time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    struct tm next = tm;
    next.tm_mday++;
    time_t tn = timegm(&next);
    struct tm n2;
    gmtime_r(&tn, &n2);
    if (n2.tm_mon != tm.tm_mon)
        return false;                               /* a month's last day */
    /* the quarter's end: day 0 of the month after it (timegm normalises) */
    struct tm end = {.tm_year = tm.tm_year, .tm_mon = (tm.tm_mon / 3) * 3 + 3, .tm_mday = 0};
    double to_end = difftime(timegm(&end), t) / 86400.0;
    return to_end >= 14;
}

/*
 * Rewrite dir/deals.csv as an export after a bulk edit: every close_date
 * gets a time, and 747 deals created before the edit are closed on
 * 2026-02-17: 58 won deals keep their stage and share one second, 689 lost
 * or open deals become lost a few seconds apart (the deals that closed on
 * that day move to the next, so that it holds the 747 alone).  close_date and stage are
 * the last two fields of the generator's deals.csv, never quoted.
 */
static void bulk_edit(const char *dir, struct tally *T)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/deals.csv", dir);
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *in = fopen(path, "r"), *out = fopen(tmp, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[4096];
    size_t row = 0, won = 0, lost = 0;
    assert_non_null(fgets(line, sizeof line, in));
    fputs(line, out);
    memset(T, 0, sizeof *T);
    while (fgets(line, sizeof line, in)) {
        row++;
        line[strcspn(line, "\n")] = '\0';
        char *stage = strrchr(line, ',');
        assert_non_null(stage);
        *stage++ = '\0';
        char *close = strrchr(line, ',');
        assert_non_null(close);
        *close++ = '\0';
        char *created = strrchr(line, ',');
        assert_non_null(created);
        created++;
        char when[40];
        snprintf(when, sizeof when, "%s", close);
        const char *st = stage;
        bool early = strcmp(created, "2026-02-10") < 0;
        if (early && !strcmp(stage, "won") && row % 7 == 0 && won < 58) {
            snprintf(when, sizeof when, "2026-02-17T16:42:05.000Z");
            won++;
        } else if (early && strcmp(stage, "won") && row % 3 == 0 && lost < 689) {
            snprintf(when, sizeof when, "2026-02-17T16:%02zu:%02zu.000Z", 30 + lost / 60, lost % 60);
            st = "lost";
            lost++;
        } else if (close[0]) {
            /* the day holds the edit alone: its own closes move a day on */
            snprintf(when, sizeof when, "%sT%02zu:%02zu:%02zu.000Z",
                     strcmp(close, "2026-02-17") ? close : "2026-02-18", 8 + row % 10, row % 60,
                     (row * 7) % 60);
        }
        fprintf(out, "%s,%s,%s\n", line, when, st);
        if (strcmp(st, "open") != 0 && when[0]) {
            char date[11];
            snprintf(date, sizeof date, "%.10s", when);
            if (!T->first[0] || strcmp(date, T->first) < 0)
                snprintf(T->first, sizeof T->first, "%s", date);
            if (strcmp(date, T->last) > 0)
                snprintf(T->last, sizeof T->last, "%s", date);
            if (!strcmp(date, "2026-02-17")) {
                T->bulk_closes++;
                T->bulk_won += !strcmp(st, "won");
                T->bulk_same_second += !strcmp(when, "2026-02-17T16:42:05.000Z");
            } else if (ordinary_day(utc(date))) {
                T->other_sum++;
            }
        }
    }
    assert_int_equal(won, 58);
    assert_int_equal(lost, 689);
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(rename(tmp, path), 0);
    for (time_t t = utc(T->first); t <= utc(T->last); t += 86400) {
        struct tm tm;
        gmtime_r(&t, &tm);
        char date[11];
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        if (ordinary_day(t) && strcmp(date, "2026-02-17") != 0)
            T->other_days++;
    }
}

static char *report_markdown(const struct pipeline *p)
{
    struct cs_report_input in = {.ds = p->ds, .cal = &p->cal, .inc = p->inc, .oc = p->oc,
                                 .an = p->an, .data_name = "bulk", .date = "2026-12-01",
                                 .plots_note = ""};
    struct cs_doc *doc = NULL;
    struct cs_error err;
    check(cs_report_build(&in, &doc, &err), &err, "report");
    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    assert_non_null(f);
    cs_doc_markdown(doc, f);
    assert_int_equal(fclose(f), 0);
    cs_doc_free(doc);
    return md;
}

static void test_crm_bulk_edit(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    generate(dir, 12000, 19, false, 1);
    struct pipeline p;
    /* before the edit: no alarm, though quarter ends are busier (planted push) */
    pipeline_run(&p, dir, 1);
    assert_int_equal(p.an->bulk.n_flagged, 0);
    assert_true(p.an->bulk.closes > 10000);
    pipeline_free(&p);

    struct tally T;
    bulk_edit(dir, &T);
    assert_int_equal(T.bulk_closes, 747);
    assert_int_equal(T.bulk_won, 58);
    assert_int_equal(T.bulk_same_second, 58);
    pipeline_run(&p, dir, 1);
    assert_int_equal(p.ds->counts[CS_T_DEALS].rejected, 0);   /* the times are read */
    const struct cs_bulk_edits *b = &p.an->bulk;
    assert_int_equal(b->n_flagged, 1);
    assert_int_equal(b->day[0].day, day_of("2026-02-17"));
    assert_int_equal(b->day[0].closes, 747);
    assert_int_equal(b->day[0].won, 58);
    assert_int_equal(b->day[0].kind, CS_DAY_OTHER);
    assert_close(b->day[0].expected, T.other_sum / (double)T.other_days, 1e-12);

    /* results.json's data warnings */
    json_t *root = cs_results_json(p.ds, &p.cal, p.an, NULL);
    assert_non_null(root);
    json_t *w = json_object_get(json_object_get(root, "data_warnings"), "bulk_edits");
    assert_int_equal(json_array_size(w), 1);
    json_t *d0 = json_array_get(w, 0);
    assert_string_equal(json_string_value(json_object_get(d0, "date")), "2026-02-17");
    assert_int_equal(json_integer_value(json_object_get(d0, "closes")), 747);
    assert_int_equal(json_integer_value(json_object_get(d0, "won")), 58);
    assert_string_equal(json_string_value(json_object_get(d0, "kind_of_day")), "other");
    json_decref(root);

    /* the report's "Data you can trust?" box names the day and the count */
    char *md = report_markdown(&p);
    char *box = strstr(md, "Data you can trust?");
    assert_non_null(box);
    char *next = strstr(box + 1, "\n# ");
    if (next)
        *next = '\0';
    assert_non_null(strstr(box, "Close dates look bulk-edited"));
    assert_non_null(strstr(box, "747 deals closed on 2026-02-17 (58 of them won)"));
    assert_non_null(strstr(box, "where an ordinary day holds about"));
    free(md);
    pipeline_free(&p);
    remove_tree(dir);
    free(dir);
}

/* No false alarm: the bundled sample, planted and null sets, another fiscal start. */
static void test_no_false_alarm(void **state)
{
    (void)state;
    struct pipeline p;
    pipeline_run(&p, CS_SOURCE_DIR "/data/sample", 1);
    assert_int_equal(p.an->bulk.n_flagged, 0);
    char *md = report_markdown(&p);
    assert_null(strstr(md, "bulk-edited"));
    free(md);
    pipeline_free(&p);
    static const struct { uint64_t n, seed; bool null_fx; int fs; } sets[] = {
        {40, 1, false, 1}, {4000, 2, true, 1}, {30000, 3, false, 4}, {30000, 4, false, 1},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char *dir = make_tmpdir();
        generate(dir, sets[i].n, sets[i].seed, sets[i].null_fx, sets[i].fs);
        pipeline_run(&p, dir, sets[i].fs);
        if (p.an->bulk.n_flagged)
            fail_msg("set %zu: %zu days flagged, the first with %zu closes", i,
                     p.an->bulk.n_flagged, p.an->bulk.day[0].closes);
        pipeline_free(&p);
        remove_tree(dir);
        free(dir);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_kinds),
        cmocka_unit_test(test_hand_counts),
        cmocka_unit_test(test_open_and_short_data),
        cmocka_unit_test(test_many_days),
        cmocka_unit_test(test_crm_bulk_edit),
        cmocka_unit_test(test_no_false_alarm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
