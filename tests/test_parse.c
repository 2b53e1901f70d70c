/* test_parse.c - dates, numbers, period labels, UTF-8 and word matching of parse.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/parse.h"

#include "testutil.h"

static bool parse_num(const char *s, bool dc, bool pct, double *out)
{
    return cs_parse_number(s, strlen(s), dc, pct, out);
}

static bool parse_date(const char *s, enum cs_date_format fmt, int32_t *day)
{
    return cs_parse_date(s, strlen(s), fmt, day);
}

/* ---------------------------------------------------------------------- */
/* Calendar                                                                */
/* ---------------------------------------------------------------------- */

static void test_known_days(void **state)
{
    (void)state;
    assert_int_equal(cs_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cs_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(cs_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(cs_days_from_civil(2026, 7, 4), 20638);
    assert_int_equal(cs_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(cs_days_from_civil(9999, 12, 31), 2932896);
    int y, m, d;
    cs_civil_from_days(-719162, &y, &m, &d);
    assert_true(y == 1 && m == 1 && d == 1);
    cs_civil_from_days(2932896, &y, &m, &d);
    assert_true(y == 9999 && m == 12 && d == 31);
}

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(cs_days_in_month(2023, 2), 28);
    assert_int_equal(cs_days_in_month(2024, 2), 29);
    assert_int_equal(cs_days_in_month(1900, 2), 28);
    assert_int_equal(cs_days_in_month(2000, 2), 29);
    assert_int_equal(cs_days_in_month(2100, 2), 28);
    assert_int_equal(cs_days_in_month(2026, 1), 31);
    assert_int_equal(cs_days_in_month(2026, 4), 30);
    assert_int_equal(cs_days_in_month(2026, 12), 31);
    assert_int_equal(cs_days_in_month(2026, 0), 0);
    assert_int_equal(cs_days_in_month(2026, 13), 0);
}

/* Every day of 1900..2200 against a naive count from 1970-01-01. */
static void test_days_naive(void **state)
{
    (void)state;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int32_t day = 0;
    /* Walk back to 1900-01-01 year by year with the plain leap-year rule. */
    for (int y = 1969; y >= 1900; y--)
        day -= (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
    long checked = 0;
    for (int y = 1900; y <= 2200; y++) {
        bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        for (int m = 1; m <= 12; m++) {
            int n = mdays[m - 1] + (m == 2 && leap);
            assert_int_equal(cs_days_in_month(y, m), n);
            for (int d = 1; d <= n; d++, day++, checked++) {
                if (cs_days_from_civil(y, m, d) != day) {
                    print_error("%04d-%02d-%02d: got %d, want %d\n", y, m, d,
                                (int)cs_days_from_civil(y, m, d), (int)day);
                    fail();
                }
                int yy, mm, dd;
                cs_civil_from_days(day, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d) {
                    print_error("day %d: got %04d-%02d-%02d\n", (int)day, yy, mm, dd);
                    fail();
                }
            }
        }
    }
    assert_int_equal(checked, 109938);   /* 301 years, 73 of them leap */
}

/* The inverse over all of years 1..9999: consecutive, valid, round trip. */
static void test_days_full_range(void **state)
{
    (void)state;
    int py = 0, pm = 12, pd = 31;
    for (int32_t day = cs_days_from_civil(1, 1, 1); day <= cs_days_from_civil(9999, 12, 31); day++) {
        int y, m, d;
        cs_civil_from_days(day, &y, &m, &d);
        bool next = (y == py && m == pm && d == pd + 1) ||
                    (y == py && m == pm + 1 && d == 1 && pd == cs_days_in_month(py, pm)) ||
                    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        if (!next || cs_days_from_civil(y, m, d) != day) {
            print_error("day %d: %04d-%02d-%02d after %04d-%02d-%02d\n", (int)day, y, m, d, py, pm, pd);
            fail();
        }
        py = y, pm = m, pd = d;
    }
    assert_true(py == 9999 && pm == 12 && pd == 31);
}

static const struct {
    const char *s;
    enum cs_date_format fmt;
    int y, m, d;                    /* y == 0: must be rejected */
} date_cases[] = {
    {"2026-07-04", CS_DATE_ISO, 2026, 7, 4},
    {"  2026-07-04\t", CS_DATE_ISO, 2026, 7, 4},
    {"2026-07-04T13:45:00Z", CS_DATE_ISO, 2026, 7, 4},
    {"2026-07-04 13:45", CS_DATE_ISO, 2026, 7, 4},
    {"2026-07-04T", CS_DATE_ISO, 2026, 7, 4},
    {"2024-02-29", CS_DATE_ISO, 2024, 2, 29},
    {"2000-02-29", CS_DATE_ISO, 2000, 2, 29},
    {"0001-01-01", CS_DATE_ISO, 1, 1, 1},
    {"9999-12-31", CS_DATE_ISO, 9999, 12, 31},
    {"2023-02-29", CS_DATE_ISO, 0, 0, 0},
    {"1900-02-29", CS_DATE_ISO, 0, 0, 0},
    {"2100-02-29", CS_DATE_ISO, 0, 0, 0},
    {"2026-02-30", CS_DATE_ISO, 0, 0, 0},
    {"2026-04-31", CS_DATE_ISO, 0, 0, 0},
    {"2026-13-01", CS_DATE_ISO, 0, 0, 0},
    {"2026-00-10", CS_DATE_ISO, 0, 0, 0},
    {"2026-01-00", CS_DATE_ISO, 0, 0, 0},
    {"0000-01-01", CS_DATE_ISO, 0, 0, 0},
    {"2026-1-05", CS_DATE_ISO, 0, 0, 0},
    {"2026-01-5", CS_DATE_ISO, 0, 0, 0},
    {"26-01-05", CS_DATE_ISO, 0, 0, 0},
    {"20260-01-05", CS_DATE_ISO, 0, 0, 0},
    {"2026/01/05", CS_DATE_ISO, 0, 0, 0},
    {"2026-01-05x", CS_DATE_ISO, 0, 0, 0},
    {"2026-01-051", CS_DATE_ISO, 0, 0, 0},
    {"+026-01-05", CS_DATE_ISO, 0, 0, 0},
    {"2026-0a-05", CS_DATE_ISO, 0, 0, 0},
    {"1/5/2026", CS_DATE_ISO, 0, 0, 0},
    {"", CS_DATE_ISO, 0, 0, 0},
    {"   ", CS_DATE_ISO, 0, 0, 0},

    {"1/5/2026", CS_DATE_US, 2026, 1, 5},
    {"01/05/2026", CS_DATE_US, 2026, 1, 5},
    {"12/31/2026", CS_DATE_US, 2026, 12, 31},
    {"2/29/2024", CS_DATE_US, 2024, 2, 29},
    {" 7/4/2026 10:30 AM ", CS_DATE_US, 2026, 7, 4},
    {"2/29/2023", CS_DATE_US, 0, 0, 0},
    {"13/1/2026", CS_DATE_US, 0, 0, 0},
    {"4/31/2026", CS_DATE_US, 0, 0, 0},
    {"0/1/2026", CS_DATE_US, 0, 0, 0},
    {"1/5/26", CS_DATE_US, 2026, 1, 5},          /* SPEC 12: two-digit years are 20YY */
    {"12/31/99 10:00", CS_DATE_US, 2099, 12, 31},
    {"1/5/026", CS_DATE_US, 0, 0, 0},
    {"1/5/6", CS_DATE_US, 0, 0, 0},
    {"1/5/26x", CS_DATE_US, 0, 0, 0},
    {"1/5/20261", CS_DATE_US, 0, 0, 0},
    {"001/5/2026", CS_DATE_US, 0, 0, 0},
    {"1.5.2026", CS_DATE_US, 0, 0, 0},
    {"1/5/2026x", CS_DATE_US, 0, 0, 0},
    {"1/5/2026T10:00", CS_DATE_US, 0, 0, 0},
    {"1//2026", CS_DATE_US, 0, 0, 0},
    {"/1/2026", CS_DATE_US, 0, 0, 0},
    {"2026-01-05", CS_DATE_US, 2026, 1, 5},      /* SPEC 12: YYYY-MM-DD always reads */
    {"2026-01-05T09:00:00.000Z", CS_DATE_US, 2026, 1, 5},
    {"2026-02-30", CS_DATE_US, 0, 0, 0},

    {"5/1/2026", CS_DATE_EU, 2026, 1, 5},
    {"5.1.2026", CS_DATE_EU, 2026, 1, 5},
    {"05.01.2026", CS_DATE_EU, 2026, 1, 5},
    {"31.12.2026 23:59", CS_DATE_EU, 2026, 12, 31},
    {"29.02.2024", CS_DATE_EU, 2024, 2, 29},
    {"29/2/2000", CS_DATE_EU, 2000, 2, 29},
    {"29.02.2023", CS_DATE_EU, 0, 0, 0},
    {"31.4.2026", CS_DATE_EU, 0, 0, 0},
    {"1.13.2026", CS_DATE_EU, 0, 0, 0},
    {"5/1.2026", CS_DATE_EU, 0, 0, 0},
    {"5.1/2026", CS_DATE_EU, 0, 0, 0},
    {"5-1-2026", CS_DATE_EU, 0, 0, 0},
    {"5.1.26", CS_DATE_EU, 2026, 1, 5},
    {"31/12/26", CS_DATE_EU, 2026, 12, 31},
    {"5.1.026", CS_DATE_EU, 0, 0, 0},
    {"2026-01-05", CS_DATE_EU, 2026, 1, 5},
};

/* The formats a date's text reads in (cs_parse_date_ex), whatever the chosen one. */
static void test_date_reads(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        unsigned reads;
    } cases[] = {
        {"2026-04-07", 1u << CS_DATE_ISO},
        {"4/7/2026", 1u << CS_DATE_US | 1u << CS_DATE_EU},
        {"13/4/2026", 1u << CS_DATE_EU},
        {"4/13/2026", 1u << CS_DATE_US},
        {"13.4.2026", 1u << CS_DATE_EU},
        {"4.7.26", 1u << CS_DATE_EU},
        {"13/13/2026", 0},
        {"x", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int f = CS_DATE_ISO; f <= CS_DATE_EU; f++) {
            int32_t day = 7;
            unsigned reads = 99;
            bool ok = cs_parse_date_ex(cases[i].s, strlen(cases[i].s), (enum cs_date_format)f,
                                       &day, &reads);
            assert_int_equal(reads, cases[i].reads);
            /* read only in the format chosen (ISO text in any) */
            assert_int_equal(ok, (reads >> f & 1) || reads == 1u << CS_DATE_ISO);
            if (!ok)
                assert_int_equal(day, 7);
        }
    }
    /* 7 April under eu is never 4 July: the format chosen decides */
    int32_t day;
    assert_true(cs_parse_date("7/4/2026", 8, CS_DATE_EU, &day));
    assert_int_equal(day, cs_days_from_civil(2026, 4, 7));
    assert_true(cs_parse_date("7/4/2026", 8, CS_DATE_US, &day));
    assert_int_equal(day, cs_days_from_civil(2026, 7, 4));
}

static void test_parse_bool(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "TRUE", " True ", "1", "yes", "Yes"};
    static const char *const no[] = {"false", "FALSE", "0", "no", "\tNo"};
    static const char *const bad[] = {"", "2", "y", "t", "truee", "10", "on"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_int_equal(cs_parse_bool(yes[i], strlen(yes[i])), 1);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_int_equal(cs_parse_bool(no[i], strlen(no[i])), 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(cs_parse_bool(bad[i], strlen(bad[i])), -1);
}

static void test_parse_date(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
        int32_t day = 12345;
        bool ok = parse_date(date_cases[i].s, date_cases[i].fmt, &day);
        if (ok != (date_cases[i].y != 0))
            print_error("\"%s\" (format %d): %s\n", date_cases[i].s, (int)date_cases[i].fmt,
                        ok ? "accepted" : "rejected");
        assert_int_equal(ok, date_cases[i].y != 0);
        if (ok)
            assert_int_equal(day, cs_days_from_civil(date_cases[i].y, date_cases[i].m, date_cases[i].d));
        else
            assert_int_equal(day, 12345);   /* untouched on failure */
    }
    /* Not NUL-terminated: only len bytes are read. */
    int32_t day;
    assert_true(cs_parse_date("2026-07-04999", 10, CS_DATE_ISO, &day));
    assert_int_equal(day, 20638);
    assert_true(cs_parse_date("7/4/2026/", 8, CS_DATE_US, &day));
    assert_int_equal(day, 20638);
}

static void test_format_date(void **state)
{
    (void)state;
    char buf[11];
    cs_format_date(20638, buf);
    assert_string_equal(buf, "2026-07-04");
    cs_format_date(0, buf);
    assert_string_equal(buf, "1970-01-01");
    cs_format_date(cs_days_from_civil(1, 1, 1), buf);
    assert_string_equal(buf, "0001-01-01");
    cs_format_date(cs_days_from_civil(9999, 12, 31), buf);
    assert_string_equal(buf, "9999-12-31");
    cs_format_date(CS_NO_DATE, buf);
    assert_string_equal(buf, "");
    cs_format_date(cs_days_from_civil(0, 12, 31), buf);
    assert_string_equal(buf, "0000-12-31");
    cs_format_date(cs_days_from_civil(-1, 12, 31), buf);
    assert_string_equal(buf, "");
    cs_format_date(cs_days_from_civil(10000, 1, 1), buf);
    assert_string_equal(buf, "");
    cs_format_date(INT32_MAX, buf);
    assert_string_equal(buf, "");
    /* Round trip through the ISO parser. */
    for (int32_t d = -1000; d < 30000; d += 7) {
        int32_t back;
        cs_format_date(d, buf);
        assert_true(parse_date(buf, CS_DATE_ISO, &back));
        assert_int_equal(back, d);
    }
}

/* ---------------------------------------------------------------------- */
/* Numbers                                                                 */
/* ---------------------------------------------------------------------- */

static const struct {
    const char *s;
    bool dc, pct;
    double want;                     /* compared exactly */
} number_ok[] = {
    {"0", 0, 0, 0},
    {"42", 0, 0, 42},
    {"-42", 0, 0, -42},
    {"+42", 0, 0, 42},
    {"007", 0, 0, 7},
    {"3.14", 0, 0, 3.14},
    {"  7.5  ", 0, 0, 7.5},
    {"\t1\t", 0, 0, 1},
    {".5", 0, 0, 0.5},
    {"5.", 0, 0, 5},
    {"-.5", 0, 0, -0.5},
    {"1e3", 0, 0, 1000},
    {"1.5E-3", 0, 0, 0.0015},
    {"2e+2", 0, 0, 200},
    {"0.1", 0, 0, 0.1},
    {"0.30000000000000004", 0, 0, 0.30000000000000004},
    {"1234567890123456789", 0, 0, 1234567890123456789.0},
    {"9007199254740993", 0, 0, 9007199254740992.0},      /* ties to even */
    {"2.2250738585072014e-308", 0, 0, 2.2250738585072014e-308},
    {"4.9e-324", 0, 0, 4.9e-324},
    {"1e-400", 0, 0, 0},                                 /* underflow kept as 0 */
    {"1.7976931348623157e308", 0, 0, 1.7976931348623157e308},
    {"$1,234.56", 0, 0, 1234.56},
    {"-$1,234.56", 0, 0, -1234.56},
    {"$-1,234.56", 0, 0, -1234.56},
    {"+$5", 0, 0, 5},
    {"\xe2\x82\xac" "1,000", 0, 0, 1000},
    {"-\xe2\x82\xac" "5", 0, 0, -5},
    {"\xe2\x82\xac" "-5", 0, 0, -5},
    {"\xc2\xa3" "12.50", 0, 0, 12.5},
    {"1,234,567.5", 0, 0, 1234567.5},
    {"1,234", 0, 0, 1234},
    {"123,456", 0, 0, 123456},
    {"999,999,999,999", 0, 0, 999999999999.0},
    {"1,234.", 0, 0, 1234},
    {"1,234e2", 0, 0, 123400},
    {"15%", 0, 1, 15},
    {"12.5%", 0, 1, 12.5},
    {" 15% ", 0, 1, 15},
    {"-5%", 0, 1, -5},
    {"15", 0, 1, 15},
    {"1.234,5", 1, 0, 1234.5},
    {"1,5", 1, 0, 1.5},
    {"0,5", 1, 0, 0.5},
    {"1.234.567,89", 1, 0, 1234567.89},
    {"1.234", 1, 0, 1234},
    {"1,234", 1, 0, 1.234},
    {"-\xe2\x82\xac" "1.234,50", 1, 0, -1234.5},
    {"1,5e2", 1, 0, 150},
    {"12,5%", 1, 1, 12.5},
    {",5", 1, 0, 0.5},
};

static const struct {
    const char *s;
    bool dc, pct;
} number_bad[] = {
    {"", 0, 0}, {"   ", 0, 0}, {"-", 0, 0}, {"+", 0, 0}, {"$", 0, 0}, {"$-", 0, 0},
    {".", 0, 0}, {"-.", 0, 0}, {"e5", 0, 0}, {".e5", 0, 0}, {"1e", 0, 0}, {"1e+", 0, 0},
    {"1.2.3", 0, 0}, {"1,2", 0, 0}, {"12,34", 0, 0}, {"1234,567", 0, 0}, {",123", 0, 0},
    {"1,", 0, 0}, {"1,,234", 0, 0}, {"1,234,", 0, 0}, {"1,23,456", 0, 0}, {"1,2345", 0, 0},
    {"0,500", 0, 0}, {"01,234", 0, 0}, {"1,234.5,6", 0, 0}, {"1.5,000", 0, 0},
    {"1 234", 0, 0}, {"1_000", 0, 0}, {"nan", 0, 0}, {"NaN", 0, 0}, {"-nan", 0, 0},
    {"inf", 0, 0}, {"Infinity", 0, 0}, {"-inf", 0, 0}, {"0x10", 0, 0}, {"0x1p3", 0, 0},
    {"1f", 0, 0}, {"12abc", 0, 0}, {"abc", 0, 0}, {"1%", 0, 0}, {"--5", 0, 0},
    {"+-5", 0, 0}, {"-+5", 0, 0}, {"$$5", 0, 0}, {"5$", 0, 0}, {"5 \xe2\x82\xac", 0, 0},
    {"- 5", 0, 0}, {"$ 5", 0, 0}, {"(5)", 0, 0}, {"1e5.5", 0, 0}, {"1.5e3e4", 0, 0},
    {"1.8e308", 0, 0}, {"1e999", 0, 0}, {"-1e999", 0, 0}, {"\xe2\x82", 0, 0},
    {"\xd9\xa1\xd9\xa2", 0, 0}, {"1\xc2\xa0" "000", 0, 0}, {"1\n", 0, 0}, {"1\r", 0, 0},
    {"15 %", 0, 1}, {"%", 0, 1}, {"15%%", 0, 1}, {"%15", 0, 1}, {"$%", 0, 1},
    {"1.5", 1, 0}, {"1,234.5", 1, 0}, {"12.34", 1, 0}, {"1.234.5", 1, 0},
    {"0.500", 1, 0}, {"1,2,3", 1, 0},
};

static void test_numbers_ok(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof number_ok / sizeof number_ok[0]; i++) {
        double v = -999;
        bool ok = parse_num(number_ok[i].s, number_ok[i].dc, number_ok[i].pct, &v);
        if (!ok)
            print_error("\"%s\" rejected\n", number_ok[i].s);
        assert_true(ok);
        assert_close(v, number_ok[i].want, 0);
    }
    double v;
    assert_true(parse_num("-0", 0, 0, &v));
    assert_true(v == 0 && signbit(v));
    /* Not NUL-terminated. */
    assert_true(cs_parse_number("12345", 2, false, false, &v));
    assert_close(v, 12, 0);
    /* Long but plausible: 90 digits are fine. */
    char buf[200];
    memset(buf, '1', 90);
    buf[90] = '\0';
    assert_true(parse_num(buf, 0, 0, &v));
    assert_close(v, strtod(buf, NULL), 0);
}

static void test_numbers_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof number_bad / sizeof number_bad[0]; i++) {
        double v = -999;
        bool ok = parse_num(number_bad[i].s, number_bad[i].dc, number_bad[i].pct, &v);
        if (ok)
            print_error("\"%s\" (decimal comma %d, percent %d) accepted as %.17g\n",
                        number_bad[i].s, number_bad[i].dc, number_bad[i].pct, v);
        assert_false(ok);
        assert_close(v, -999, 0);   /* untouched on failure */
    }
    /* More than about 100 characters is not a number anyone typed. */
    char buf[200];
    memset(buf, '1', 150);
    buf[150] = '\0';
    double v;
    assert_false(parse_num(buf, 0, 0, &v));
    memcpy(buf, "0.", 2);
    assert_false(parse_num(buf, 0, 0, &v));
    memset(buf, '0', 150);
    memcpy(buf, "1e", 2);
    assert_false(parse_num(buf, 0, 0, &v));
}

/* The cleaned text goes to strtod: results match it to the last bit. */
static void test_numbers_match_strtod(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "0.1", "0.2", "0.3", "123456.789", "1e23", "8.5e-5", "2.675", "1.005",
        "9.999999999999999e22", "3.141592653589793238462643383279",
        "0.000001", "100000000000000000000000", "7e-10", "1.4142135623730951",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        double v;
        assert_true(parse_num(samples[i], 0, 0, &v));
        assert_close(v, strtod(samples[i], NULL), 0);
    }
    /* Grouped versions of the same digits give the same double. */
    double a, b;
    assert_true(parse_num("12,345,678.901234567", 0, 0, &a));
    assert_true(parse_num("12345678.901234567", 0, 0, &b));
    assert_close(a, b, 0);
    assert_true(parse_num("12.345.678,901234567", 1, 0, &a));
    assert_close(a, b, 0);
}

/* Random decimals of every shape the fast path and strtod_l share or split:
 * the result must be strtod's to the bit (sign of zero included). */
static void test_numbers_random_vs_strtod(void **state)
{
    (void)state;
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    assert_non_null(c);
    uint64_t x = 88172645463325252u;
    char buf[64];
    long mismatches = 0, n = 2000000;
    for (long t = 0; t < n; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;     /* xorshift64 */
        uint64_t r = x;
        size_t o = 0;
        if (r % 3 == 0)
            buf[o++] = '-';
        r /= 3;
        int ndig = 1 + (int)(r % 20);
        r /= 20;
        int point = (int)(r % (uint64_t)(ndig + 2)) - 1;   /* -1: no point */
        r /= (uint64_t)(ndig + 2);
        uint64_t y = x * 0x9e3779b97f4a7c15u;
        for (int k = 0; k < ndig; k++) {
            if (k == point)
                buf[o++] = '.';
            /* mostly small digits and zeros so that short mantissas occur */
            buf[o++] = (char)('0' + (k == 0 && y % 4 == 0 ? 0 : (int)(y % 10)));
            y = y / 10 ^ (y << 7);
        }
        if (point == ndig)
            buf[o++] = '.';
        if (r % 2) {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "e%d", (int)(r / 2 % 61) - 30);
        }
        buf[o] = '\0';
        double got = -999, want = strtod_l(buf, NULL, c);
        bool ok = parse_num(buf, 0, 0, &got);
        if (!ok || memcmp(&got, &want, sizeof got) != 0) {
            if (mismatches++ < 10)
                print_error("\"%s\": got %.17g (%s), strtod %.17g\n", buf, got,
                            ok ? "accepted" : "rejected", want);
        }
    }
    freelocale(c);
    assert_int_equal(mismatches, 0);
}

/* Candidates with a comma decimal point, tried in order. */
static const char *const comma_locales[] = {
    "de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8",
    "es_ES.UTF-8", "it_IT.UTF-8", "pt_BR.UTF-8", "ru_RU.UTF-8", "de_DE@euro",
};

static void check_numbers_under_comma_locale(void)
{
    double v;
    assert_true(parse_num("1.5", 0, 0, &v));
    assert_close(v, 1.5, 0);
    assert_true(parse_num("$1,234.25", 0, 0, &v));
    assert_close(v, 1234.25, 0);
    assert_true(parse_num("1.234,5", 1, 0, &v));
    assert_close(v, 1234.5, 0);
    assert_false(parse_num("1,5", 0, 0, &v));   /* still not a decimal comma */
    int32_t day;
    assert_true(parse_date("2026-07-04", CS_DATE_ISO, &day));
    assert_int_equal(day, 20638);
}

static void test_locale_independence(void **state)
{
    (void)state;
    const char *found = NULL;
    for (size_t i = 0; i < sizeof comma_locales / sizeof comma_locales[0] && !found; i++)
        if (setlocale(LC_ALL, comma_locales[i]) && localeconv()->decimal_point[0] == ',')
            found = comma_locales[i];
    if (!found) {
        setlocale(LC_ALL, "C");
        print_message("  no locale with a decimal comma is installed (tried de_DE.UTF-8 "
                      "and others; set LOCPATH to a localedef output to run this): skipped\n");
        skip();
    }
    print_message("  process locale %s: strtod(\"1.5\") = %g here\n", found, strtod("1.5", NULL));
    assert_true(strtod("1.5", NULL) != 1.5);   /* the locale really is hostile */
    check_numbers_under_comma_locale();
    setlocale(LC_ALL, "C");

    /* The same through a thread locale (uselocale) rather than setlocale. */
    locale_t loc = newlocale(LC_NUMERIC_MASK, found, (locale_t)0);
    assert_non_null(loc);
    locale_t old = uselocale(loc);
    assert_true(strtod("1.5", NULL) != 1.5);
    check_numbers_under_comma_locale();
    uselocale(old);
    freelocale(loc);
}

/* ---------------------------------------------------------------------- */
/* Periods, UTF-8, words                                                   */
/* ---------------------------------------------------------------------- */

static void test_periods(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int32_t code;              /* 0: rejected */
    } cases[] = {
        {"2026Q3", 20263}, {"2026q1", 20261}, {"2026Q4", 20264}, {"2026", 20260},
        {" 2026Q2 ", 20262}, {"1000", 10000}, {"9999Q4", 99994},
        {"2026Q0", 0}, {"2026Q5", 0}, {"2026Q", 0}, {"2026Q12", 0}, {"0999", 0},
        {"999", 0}, {"20261", 0}, {"2026-Q3", 0}, {"Q3 2026", 0}, {"FY2026", 0},
        {"2026H1", 0}, {"", 0}, {"abcd", 0}, {"2026Qa", 0}, {"-2026", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t code = -1;
        bool ok = cs_parse_period(cases[i].s, strlen(cases[i].s), &code);
        if (ok != (cases[i].code != 0))
            print_error("\"%s\": %s\n", cases[i].s, ok ? "accepted" : "rejected");
        assert_int_equal(ok, cases[i].code != 0);
        assert_int_equal(code, ok ? cases[i].code : -1);
    }
    char buf[12];
    cs_format_period(20263, buf);
    assert_string_equal(buf, "2026Q3");
    cs_format_period(20260, buf);
    assert_string_equal(buf, "2026");
    cs_format_period(CS_NO_PERIOD, buf);
    assert_string_equal(buf, "");
    for (int y = 1000; y <= 9999; y += 37)
        for (int q = 0; q <= 4; q++) {
            int32_t code;
            cs_format_period(y * 10 + q, buf);
            assert_true(cs_parse_period(buf, strlen(buf), &code));
            assert_int_equal(code, y * 10 + q);
        }
    /* Codes sort in time order within a kind. */
    int32_t a, b;
    assert_true(cs_parse_period("2025Q4", 6, &a));
    assert_true(cs_parse_period("2026Q1", 6, &b));
    assert_true(a < b);
}

static void test_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        bool ok;
    } cases[] = {
#define U(lit, ok) {lit, sizeof lit - 1, ok}
        U("", true), U("plain ascii", true), U("caf\xc3\xa9", true),
        U("\xe2\x82\xac", true), U("\xf0\x9f\x98\x80", true),
        U("\xc2\x80", true), U("\xdf\xbf", true), U("\xe0\xa0\x80", true),
        U("\xed\x9f\xbf", true), U("\xee\x80\x80", true), U("\xef\xbf\xbf", true),
        U("\xf0\x90\x80\x80", true), U("\xf4\x8f\xbf\xbf", true),
        U("\x7f", true), U("a\0b", true),
        U("\x80", false), U("\xbf", false), U("\xc0\x80", false), U("\xc1\xbf", false),
        U("\xc3", false), U("\xc3x", false), U("\xe2\x82", false), U("\xe2\x82x", false),
        U("\xe0\x80\x80", false), U("\xe0\x9f\xbf", false),        /* overlong */
        U("\xed\xa0\x80", false), U("\xed\xbf\xbf", false),        /* surrogates */
        U("\xf0\x80\x80\x80", false), U("\xf0\x8f\xbf\xbf", false),/* overlong */
        U("\xf4\x90\x80\x80", false), U("\xf5\x80\x80\x80", false),/* > U+10FFFF */
        U("\xf8\x88\x80\x80\x80", false), U("\xfe", false), U("\xff", false),
        U("\xf0\x9f\x98", false), U("\xc3\xa9\xa9", false),
#undef U
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cs_utf8_valid(cases[i].s, cases[i].len) != cases[i].ok)
            print_error("case %zu: expected %s\n", i, cases[i].ok ? "valid" : "invalid");
        assert_int_equal(cs_utf8_valid(cases[i].s, cases[i].len), cases[i].ok);
    }
    /* Every position relative to the 8-byte fast path. */
    char buf[64];
    for (size_t pos = 0; pos < 40; pos++) {
        memset(buf, 'a', sizeof buf);
        assert_true(cs_utf8_valid(buf, sizeof buf));
        buf[pos] = (char)0xff;
        assert_false(cs_utf8_valid(buf, sizeof buf));
        assert_true(cs_utf8_valid(buf, pos));           /* stops before it */
        memcpy(buf + pos, "\xe2\x82\xac", 3);
        assert_true(cs_utf8_valid(buf, sizeof buf));
        assert_false(cs_utf8_valid(buf, pos + 2));      /* truncated sequence */
    }
    /* Every length against the ASCII test's loads (under 4 bytes, 4 to 7,
     * 8 and more with the last word overlapping), a stray continuation
     * byte at each place. */
    for (size_t len = 1; len <= 24; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            memset(buf, 'a', len);
            assert_true(cs_utf8_valid(buf, len));
            buf[pos] = (char)0x80;
            assert_false(cs_utf8_valid(buf, len));
        }
    }
    /* Every single code point encodes to something valid; no 1-byte
     * corruption of a lead byte into a continuation goes unnoticed. */
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        unsigned char e[4];
        size_t n;
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        if (cp < 0x80) {
            e[0] = (unsigned char)cp;
            n = 1;
        } else if (cp < 0x800) {
            e[0] = (unsigned char)(0xc0 | cp >> 6);
            e[1] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            e[0] = (unsigned char)(0xe0 | cp >> 12);
            e[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            e[2] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            e[0] = (unsigned char)(0xf0 | cp >> 18);
            e[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
            e[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            e[3] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        if (!cs_utf8_valid((const char *)e, n)) {
            print_error("U+%04X rejected\n", (unsigned)cp);
            fail();
        }
        if (n > 1 && cs_utf8_valid((const char *)e, n - 1)) {
            print_error("truncated U+%04X accepted\n", (unsigned)cp);
            fail();
        }
    }
    /* Surrogates encoded as 3 bytes are rejected, every one. */
    for (uint32_t cp = 0xd800; cp <= 0xdfff; cp++) {
        unsigned char e[3] = {(unsigned char)(0xe0 | cp >> 12),
                              (unsigned char)(0x80 | (cp >> 6 & 0x3f)),
                              (unsigned char)(0x80 | (cp & 0x3f))};
        assert_false(cs_utf8_valid((const char *)e, 3));
    }
}

static void test_word_eq(void **state)
{
    (void)state;
    assert_true(cs_word_eq("won", 3, "won"));
    assert_true(cs_word_eq("WON", 3, "won"));
    assert_true(cs_word_eq("Closed Won", 10, "closed won"));
    assert_true(cs_word_eq("wonder", 3, "won"));      /* only len bytes */
    assert_true(cs_word_eq("", 0, ""));
    assert_false(cs_word_eq("wo", 2, "won"));
    assert_false(cs_word_eq("wont", 4, "won"));
    assert_false(cs_word_eq("w0n", 3, "won"));
    assert_false(cs_word_eq("", 0, "won"));
    assert_false(cs_word_eq("won", 3, ""));
    assert_false(cs_word_eq("@", 1, "`"));            /* not a letter: no folding */
    assert_false(cs_word_eq("[", 1, "{"));
    assert_false(cs_word_eq("\xc3\x89", 2, "\xc3\xa9"));  /* ASCII only */
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_days_naive),
        cmocka_unit_test(test_days_full_range),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_date_reads),
        cmocka_unit_test(test_parse_bool),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_numbers_ok),
        cmocka_unit_test(test_numbers_bad),
        cmocka_unit_test(test_numbers_match_strtod),
        cmocka_unit_test(test_numbers_random_vs_strtod),
        cmocka_unit_test(test_locale_independence),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_word_eq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
