/* calendar.h - fiscal years, quarters and period codes of SPEC section 4. */
#ifndef COMPSIGHT_CALENDAR_H
#define COMPSIGHT_CALENDAR_H

#include <stdint.h>
#include "compsight/parse.h"     /* day numbers, period codes */
#include "compsight/period.h"    /* enum cs_period_type */
#include "compsight/status.h"

/*
 * A fiscal calendar.  fiscal_start is the month (1..12) in which the fiscal
 * year starts; quarter 1 starts in that month.  A fiscal year is named by the
 * calendar year in which it ends: with fiscal_start 2, FY2027 runs from
 * 2026-02-01 to 2027-01-31; with fiscal_start 1 the fiscal year is the
 * calendar year.
 *
 * Plain data, no ownership.  Every function below treats a fiscal_start
 * outside 1..12 as 1 (so a zero-initialised calendar is the calendar year);
 * use cs_calendar_init to reject bad values from the command line.
 *
 * Days are day numbers (parse.h: days since 1970-01-01); period codes are
 * fiscal year * 10 + quarter, with quarter 0 for a whole year (parse.h).
 * Functions taking a day return CS_NO_PERIOD for CS_NO_DATE; functions
 * taking a code return CS_NO_DATE (or 0 for a length) for CS_NO_PERIOD or a
 * code whose last digit is not 0..4.
 */
struct cs_calendar {
    int fiscal_start;
};

/*
 * Set *cal to a calendar starting in month fiscal_start.  Outside 1..12:
 * CS_ERR_USAGE naming --fiscal-start, *cal left unchanged.
 */
enum cs_status cs_calendar_init(struct cs_calendar *cal, int fiscal_start,
                                struct cs_error *err);

/* Fiscal year (e.g. 2027) containing day; 0 for CS_NO_DATE. */
int cs_cal_fiscal_year(const struct cs_calendar *cal, int32_t day);

/* Fiscal quarter (1..4) containing day; 0 for CS_NO_DATE. */
int cs_cal_quarter(const struct cs_calendar *cal, int32_t day);

/* Quarter code (year * 10 + quarter) of the fiscal quarter containing day. */
int32_t cs_cal_quarter_code(const struct cs_calendar *cal, int32_t day);

/* Year code (year * 10) of the fiscal year containing day. */
int32_t cs_cal_year_code(const struct cs_calendar *cal, int32_t day);

/* Quarter or year code of day, by the plan's period type. */
int32_t cs_cal_period_code(const struct cs_calendar *cal,
                           enum cs_period_type type, int32_t day);

/* First and last day (inclusive) of a quarter or year code. */
int32_t cs_cal_period_first_day(const struct cs_calendar *cal, int32_t code);
int32_t cs_cal_period_last_day(const struct cs_calendar *cal, int32_t code);

/* Number of days in the period (90..92 for a quarter, 365 or 366 for a year). */
int32_t cs_cal_period_days(const struct cs_calendar *cal, int32_t code);

/* The code of the period that follows code (2026Q4 -> 2027Q1, 2026 -> 2027). */
int32_t cs_cal_next_period(int32_t code);

#endif
