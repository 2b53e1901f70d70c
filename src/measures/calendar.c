/* calendar.c - fiscal years, quarters and period codes (SPEC section 4). */
#include "compsight/calendar.h"

/*
 * Everything is done on "fiscal month numbers": months counted from the
 * fiscal start month, so that a fiscal year is 12 consecutive numbers and
 * quarters are groups of three.  Civil <-> day conversion is parse.c's.
 */

static int start_month(const struct cs_calendar *cal)
{
    if (!cal || cal->fiscal_start < 1 || cal->fiscal_start > 12)
        return 1;
    return cal->fiscal_start;
}

enum cs_status cs_calendar_init(struct cs_calendar *cal, int fiscal_start,
                                struct cs_error *err)
{
    if (fiscal_start < 1 || fiscal_start > 12)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--fiscal-start",
                            "fiscal start month must be 1 to 12, not %d", fiscal_start);
    cal->fiscal_start = fiscal_start;
    return CS_OK;
}

/*
 * Fiscal year and 0-based month within it.  A start month other than 1
 * means the fiscal year began in the previous calendar year for the months
 * from the start month on, and is named after the year it ends in.
 */
static void fiscal_split(const struct cs_calendar *cal, int32_t day, int *fy, int *fmonth)
{
    int y, m, d, s = start_month(cal);
    cs_civil_from_days(day, &y, &m, &d);
    if (s == 1) {
        *fy = y;
        *fmonth = m - 1;
    } else if (m >= s) {
        *fy = y + 1;
        *fmonth = m - s;
    } else {
        *fy = y;
        *fmonth = m + 12 - s;
    }
}

int cs_cal_fiscal_year(const struct cs_calendar *cal, int32_t day)
{
    int fy, fm;
    if (day == CS_NO_DATE)
        return 0;
    fiscal_split(cal, day, &fy, &fm);
    return fy;
}

int cs_cal_quarter(const struct cs_calendar *cal, int32_t day)
{
    int fy, fm;
    if (day == CS_NO_DATE)
        return 0;
    fiscal_split(cal, day, &fy, &fm);
    return fm / 3 + 1;
}

int32_t cs_cal_quarter_code(const struct cs_calendar *cal, int32_t day)
{
    int fy, fm;
    if (day == CS_NO_DATE)
        return CS_NO_PERIOD;
    fiscal_split(cal, day, &fy, &fm);
    return (int32_t)fy * 10 + fm / 3 + 1;
}

int32_t cs_cal_year_code(const struct cs_calendar *cal, int32_t day)
{
    if (day == CS_NO_DATE)
        return CS_NO_PERIOD;
    return (int32_t)cs_cal_fiscal_year(cal, day) * 10;
}

int32_t cs_cal_period_code(const struct cs_calendar *cal,
                           enum cs_period_type type, int32_t day)
{
    return type == CS_PERIOD_YEAR ? cs_cal_year_code(cal, day)
                                  : cs_cal_quarter_code(cal, day);
}

/* Split a code; false when it is not a quarter or year code. */
static int split_code(int32_t code, int *fy, int *q)
{
    if (code == CS_NO_PERIOD || code < 10)
        return 0;
    *fy = (int)(code / 10);
    *q = (int)(code % 10);
    return *q <= 4;
}

/* First day of the fiscal quarter (q 1..4) or year (q 0) of fiscal year fy. */
static int32_t first_day(const struct cs_calendar *cal, int fy, int q)
{
    int s = start_month(cal);
    /* Fiscal month 0 of FY fy is month s of year fy (s == 1) or fy - 1. */
    int y = s == 1 ? fy : fy - 1;
    int m0 = (s - 1) + (q > 0 ? 3 * (q - 1) : 0);   /* 0-based, may pass 11 */
    return cs_days_from_civil(y + m0 / 12, m0 % 12 + 1, 1);
}

int32_t cs_cal_period_first_day(const struct cs_calendar *cal, int32_t code)
{
    int fy, q;
    if (!split_code(code, &fy, &q))
        return CS_NO_DATE;
    return first_day(cal, fy, q);
}

int32_t cs_cal_period_last_day(const struct cs_calendar *cal, int32_t code)
{
    int fy, q;
    if (!split_code(code, &fy, &q))
        return CS_NO_DATE;
    /* The day before the next period starts: no month-length tables needed. */
    int32_t next = cs_cal_next_period(code);
    return first_day(cal, (int)(next / 10), (int)(next % 10)) - 1;
}

int32_t cs_cal_period_days(const struct cs_calendar *cal, int32_t code)
{
    int32_t a = cs_cal_period_first_day(cal, code);
    int32_t b = cs_cal_period_last_day(cal, code);
    if (a == CS_NO_DATE || b == CS_NO_DATE)
        return 0;
    return b - a + 1;
}

int32_t cs_cal_next_period(int32_t code)
{
    int fy, q;
    if (!split_code(code, &fy, &q))
        return CS_NO_PERIOD;
    if (q == 0)
        return (int32_t)(fy + 1) * 10;
    if (q == 4)
        return (int32_t)(fy + 1) * 10 + 1;
    return code + 1;
}
