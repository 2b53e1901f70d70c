/* test_calendar.c - unit tests of the fiscal calendar (SPEC section 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/calendar.h"

/* Day number of an ISO date "YYYY-MM-DD". */
static int32_t D(const char *iso)
{
    int y, m, d;
    if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        fail_msg("bad test date %s", iso);
    return cs_days_from_civil(y, m, d);
}

static struct cs_calendar cal_of(int start)
{
    struct cs_calendar c = {start};
    return c;
}

/* Check the quarter of a day, and the first/last day and length of that quarter. */
static void check_quarter(int start, const char *day, int32_t code,
                          const char *first, const char *last, int32_t days)
{
    struct cs_calendar c = cal_of(start);
    int32_t x = D(day);
    if (cs_cal_quarter_code(&c, x) != code)
        fail_msg("start %d, %s: quarter %d, expected %d", start, day,
                 (int)cs_cal_quarter_code(&c, x), (int)code);
    assert_int_equal(cs_cal_fiscal_year(&c, x), code / 10);
    assert_int_equal(cs_cal_quarter(&c, x), code % 10);
    assert_int_equal(cs_cal_period_code(&c, CS_PERIOD_QUARTER, x), code);
    assert_int_equal(cs_cal_period_first_day(&c, code), D(first));
    assert_int_equal(cs_cal_period_last_day(&c, code), D(last));
    assert_int_equal(cs_cal_period_days(&c, code), days);
}

static void check_year(int start, const char *day, int32_t code,
                       const char *first, const char *last, int32_t days)
{
    struct cs_calendar c = cal_of(start);
    int32_t x = D(day);
    if (cs_cal_year_code(&c, x) != code)
        fail_msg("start %d, %s: year %d, expected %d", start, day,
                 (int)cs_cal_year_code(&c, x), (int)code);
    assert_int_equal(cs_cal_period_code(&c, CS_PERIOD_YEAR, x), code);
    assert_int_equal(cs_cal_period_first_day(&c, code), D(first));
    assert_int_equal(cs_cal_period_last_day(&c, code), D(last));
    assert_int_equal(cs_cal_period_days(&c, code), days);
}

static void test_calendar_year(void **state)
{
    (void)state;
    /* Fiscal start 1: fiscal = calendar. */
    check_quarter(1, "2026-01-01", 20261, "2026-01-01", "2026-03-31", 90);
    check_quarter(1, "2026-03-31", 20261, "2026-01-01", "2026-03-31", 90);
    check_quarter(1, "2026-04-01", 20262, "2026-04-01", "2026-06-30", 91);
    check_quarter(1, "2026-09-30", 20263, "2026-07-01", "2026-09-30", 92);
    check_quarter(1, "2025-12-31", 20254, "2025-10-01", "2025-12-31", 92);
    check_quarter(1, "2024-02-29", 20241, "2024-01-01", "2024-03-31", 91);
    check_year(1, "2026-06-15", 20260, "2026-01-01", "2026-12-31", 365);
    check_year(1, "2024-12-31", 20240, "2024-01-01", "2024-12-31", 366);
    check_year(1, "1970-01-01", 19700, "1970-01-01", "1970-12-31", 365);
}

static void test_fiscal_start_2(void **state)
{
    (void)state;
    /* SPEC 4's example: FY2027 runs 2026-02-01 .. 2027-01-31. */
    check_year(2, "2026-02-01", 20270, "2026-02-01", "2027-01-31", 365);
    check_year(2, "2027-01-31", 20270, "2026-02-01", "2027-01-31", 365);
    check_year(2, "2026-01-31", 20260, "2025-02-01", "2026-01-31", 365);
    /* FY2025 holds 2024-02-29. */
    check_year(2, "2024-02-29", 20250, "2024-02-01", "2025-01-31", 366);
    check_quarter(2, "2026-02-01", 20271, "2026-02-01", "2026-04-30", 89);
    check_quarter(2, "2026-01-31", 20264, "2025-11-01", "2026-01-31", 92);
    check_quarter(2, "2027-01-01", 20274, "2026-11-01", "2027-01-31", 92);
    check_quarter(2, "2024-02-29", 20251, "2024-02-01", "2024-04-30", 90);
    check_quarter(2, "2026-05-01", 20272, "2026-05-01", "2026-07-31", 92);
    check_quarter(2, "2026-10-31", 20273, "2026-08-01", "2026-10-31", 92);
}

static void test_fiscal_start_12(void **state)
{
    (void)state;
    check_quarter(12, "2025-12-01", 20261, "2025-12-01", "2026-02-28", 90);
    check_quarter(12, "2025-11-30", 20254, "2025-09-01", "2025-11-30", 91);
    check_quarter(12, "2026-02-28", 20261, "2025-12-01", "2026-02-28", 90);
    check_quarter(12, "2026-03-01", 20262, "2026-03-01", "2026-05-31", 92);
    /* Leap day: last day of FY2024 Q1. */
    check_quarter(12, "2024-02-29", 20241, "2023-12-01", "2024-02-29", 91);
    check_quarter(12, "2024-03-01", 20242, "2024-03-01", "2024-05-31", 92);
    check_year(12, "2025-12-01", 20260, "2025-12-01", "2026-11-30", 365);
    check_year(12, "2025-11-30", 20250, "2024-12-01", "2025-11-30", 365);
    check_year(12, "2024-02-29", 20240, "2023-12-01", "2024-11-30", 366);
}

static void test_fiscal_start_3_leap(void **state)
{
    (void)state;
    /* 2028-02-29 is the last day of FY2028 (2027-03-01 .. 2028-02-29). */
    check_quarter(3, "2028-02-29", 20284, "2027-12-01", "2028-02-29", 91);
    check_quarter(3, "2028-03-01", 20291, "2028-03-01", "2028-05-31", 92);
    check_year(3, "2028-02-29", 20280, "2027-03-01", "2028-02-29", 366);
    check_year(3, "2027-02-28", 20270, "2026-03-01", "2027-02-28", 365);
    check_quarter(7, "2026-06-30", 20264, "2026-04-01", "2026-06-30", 91);
    check_quarter(7, "2026-07-01", 20271, "2026-07-01", "2026-09-30", 92);
}

/* Every day of 2019..2031 under every start month lies inside its periods,
 * and four quarters tile the year. */
static void test_calendar_properties(void **state)
{
    (void)state;
    for (int s = 1; s <= 12; s++) {
        struct cs_calendar c = cal_of(s);
        for (int32_t x = D("2019-01-01"); x <= D("2031-12-31"); x++) {
            int32_t q = cs_cal_quarter_code(&c, x), y = cs_cal_year_code(&c, x);
            if (!(cs_cal_period_first_day(&c, q) <= x && x <= cs_cal_period_last_day(&c, q)))
                fail_msg("start %d day %d outside its quarter %d", s, (int)x, (int)q);
            if (!(cs_cal_period_first_day(&c, y) <= x && x <= cs_cal_period_last_day(&c, y)))
                fail_msg("start %d day %d outside its year %d", s, (int)x, (int)y);
            assert_int_equal(q / 10 * 10, y);
            /* The year is named after the calendar year it ends in. */
            int ly, lm, ld;
            cs_civil_from_days(cs_cal_period_last_day(&c, y), &ly, &lm, &ld);
            assert_int_equal(ly, y / 10);
            /* Q1 starts on the 1st of the start month. */
            int fy, fm, fd;
            cs_civil_from_days(cs_cal_period_first_day(&c, y / 10 * 10 + 1), &fy, &fm, &fd);
            assert_int_equal(fm, s);
            assert_int_equal(fd, 1);
        }
        for (int fy = 2020; fy <= 2030; fy++) {
            int32_t sum = 0;
            for (int q = 1; q <= 4; q++) {
                int32_t len = cs_cal_period_days(&c, fy * 10 + q);
                assert_in_range(len, 89, 92);
                sum += len;
                assert_int_equal(cs_cal_period_last_day(&c, fy * 10 + q) + 1,
                                 cs_cal_period_first_day(&c, cs_cal_next_period(fy * 10 + q)));
            }
            assert_int_equal(sum, cs_cal_period_days(&c, fy * 10));
        }
    }
}

static void test_calendar_sentinels(void **state)
{
    (void)state;
    struct cs_calendar c = cal_of(1), zero = {0}, bad = {13};
    assert_int_equal(cs_cal_quarter_code(&c, CS_NO_DATE), CS_NO_PERIOD);
    assert_int_equal(cs_cal_year_code(&c, CS_NO_DATE), CS_NO_PERIOD);
    assert_int_equal(cs_cal_period_code(&c, CS_PERIOD_YEAR, CS_NO_DATE), CS_NO_PERIOD);
    assert_int_equal(cs_cal_fiscal_year(&c, CS_NO_DATE), 0);
    assert_int_equal(cs_cal_quarter(&c, CS_NO_DATE), 0);
    assert_int_equal(cs_cal_period_first_day(&c, CS_NO_PERIOD), CS_NO_DATE);
    assert_int_equal(cs_cal_period_last_day(&c, 20265), CS_NO_DATE);
    assert_int_equal(cs_cal_period_days(&c, 20269), 0);
    assert_int_equal(cs_cal_next_period(CS_NO_PERIOD), CS_NO_PERIOD);
    assert_int_equal(cs_cal_next_period(20264), 20271);
    assert_int_equal(cs_cal_next_period(20262), 20263);
    assert_int_equal(cs_cal_next_period(20260), 20270);
    /* Out-of-range start months behave as the calendar year. */
    assert_int_equal(cs_cal_quarter_code(&zero, D("2026-12-31")), 20264);
    assert_int_equal(cs_cal_quarter_code(&bad, D("2026-12-31")), 20264);
    assert_int_equal(cs_cal_quarter_code(NULL, D("2026-04-01")), 20262);
}

static void test_calendar_init(void **state)
{
    (void)state;
    struct cs_calendar c = {5};
    struct cs_error err;
    cs_error_clear(&err);
    assert_int_equal(cs_calendar_init(&c, 0, &err), CS_ERR_USAGE);
    assert_int_equal(err.status, CS_ERR_USAGE);
    assert_string_equal(err.column, "--fiscal-start");
    assert_string_equal(err.msg, "fiscal start month must be 1 to 12, not 0");
    assert_int_equal(c.fiscal_start, 5);
    assert_int_equal(cs_calendar_init(&c, 13, NULL), CS_ERR_USAGE);
    assert_int_equal(cs_calendar_init(&c, 12, &err), CS_OK);
    assert_int_equal(c.fiscal_start, 12);
    assert_int_equal(cs_calendar_init(&c, 1, &err), CS_OK);
    assert_int_equal(c.fiscal_start, 1);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_year),
        cmocka_unit_test(test_fiscal_start_2),
        cmocka_unit_test(test_fiscal_start_12),
        cmocka_unit_test(test_fiscal_start_3_leap),
        cmocka_unit_test(test_calendar_properties),
        cmocka_unit_test(test_calendar_sentinels),
        cmocka_unit_test(test_calendar_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
