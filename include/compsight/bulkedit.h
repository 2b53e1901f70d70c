/* bulkedit.h - days holding far more closes than the data's own calendar pattern explains: a CRM bulk edit. */
#ifndef COMPSIGHT_BULKEDIT_H
#define COMPSIGHT_BULKEDIT_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/calendar.h"
#include "compsight/select.h"
#include "compsight/status.h"

/*
 * A CRM bulk edit or import stamps one close date on many records (747
 * deals "closed" on one day, 58 won in the same second).  Selling does not
 * do that, except at the end of a period, which is a finding (timing,
 * bunching), not a data error.  So each day is compared with the days of
 * its own kind, from the dates alone:
 *
 *   year end     the last 3 days of a fiscal year
 *   quarter end  the last 3 days of another fiscal quarter
 *   last weeks   3 to 13 days before a fiscal quarter's end
 *   month end    the last day of any other month
 *   other        every other day
 *
 * A day's closes are the won and lost deals whose close_date falls on it.
 * Its expected count is the mean over the other days of its kind, over
 * every day from the first to the last close in the data, leaving out the
 * days already flagged.  A day is flagged when it holds at least
 * CS_BULK_MIN_CLOSES closes, at least CS_BULK_RATIO times its expected
 * count, and a Poisson count with that mean would reach it with probability
 * below CS_BULK_P; this repeats until no new day is flagged (a flagged day
 * no longer props up its kind's mean).  A day is tested only when its kind
 * has at least CS_BULK_MIN_OTHERS other unflagged days to compare with: with
 * under two years of data the fiscal year's last days are not tested, since
 * a year-end push is a finding a single year cannot tell from an edit.
 */
#define CS_BULK_MIN_CLOSES 10
#define CS_BULK_RATIO 5.0
#define CS_BULK_P 1e-6
#define CS_BULK_MIN_OTHERS 3
#define CS_BULK_MAX 8             /* flagged days kept (the largest first) */

enum cs_day_kind {
    CS_DAY_OTHER = 0, CS_DAY_MONTH_END, CS_DAY_LAST_WEEKS, CS_DAY_QUARTER_END, CS_DAY_YEAR_END,
    CS_DAY_KINDS
};

/* The kind of day (above) under calendar cal; day must be a date. */
enum cs_day_kind cs_day_kind(const struct cs_calendar *cal, int32_t day);

/* "other", "month_end", "last_weeks", "quarter_end", "year_end" (results.json). */
const char *cs_day_kind_name(enum cs_day_kind k);

struct cs_bulk_day {
    int32_t day;
    size_t closes, won;
    double expected;              /* mean closes of the other, unflagged days of its kind */
    enum cs_day_kind kind;
};

/* Plain data, no ownership. */
struct cs_bulk_edits {
    size_t closes;                /* won and lost deals with a close date (all periods) */
    size_t days;                  /* days from the first to the last close */
    size_t n_flagged;             /* flagged days in the selection */
    size_t n;                     /* of those kept in day[]: min(n_flagged, CS_BULK_MAX) */
    struct cs_bulk_day day[CS_BULK_MAX];   /* most closes first, then earliest */
};

/*
 * Find the bulk-edited days among n deals (close day and stage, enum
 * cs_stage, per deal; open deals and CS_NO_DATE are skipped).  The pattern
 * is learnt from every day in the data; *out keeps the flagged days in a
 * quarter sel selects (sel NULL: every day).  Errors: CS_ERR_NOMEM (*out
 * then holds no flagged day).
 */
enum cs_status cs_bulk_edits_find(const int32_t *close, const uint8_t *stage, size_t n,
                                  const struct cs_calendar *cal, const struct cs_selection *sel,
                                  struct cs_bulk_edits *out, struct cs_error *err);

#endif
