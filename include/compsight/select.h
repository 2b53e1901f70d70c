/* select.h - which deals an analysis covers: the --period argument. */
#ifndef COMPSIGHT_SELECT_H
#define COMPSIGHT_SELECT_H

#include <stdbool.h>
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/status.h"

/* CS_SELECT_RANGE is never made from --period: the quarters first .. last
 * (codes), as the backtest of a plan change selects the four quarters
 * before it (SPEC 14.3). */
enum cs_period_mode { CS_SELECT_QUARTER, CS_SELECT_ALL, CS_SELECT_EACH, CS_SELECT_RANGE };

struct cs_selection {
    enum cs_period_mode mode;
    int32_t quarter;            /* CS_SELECT_QUARTER: the fiscal quarter code */
    char label[16];             /* "2026Q3", "all" or "each" */
    int32_t first, last;        /* quarter codes of the earliest and latest won deal;
                                   CS_SELECT_RANGE: of the first and last quarter selected */
};

/*
 * Resolve --period (NULL = the latest fiscal quarter with won deals) against
 * the won deals of ds.  A quarter label with no won deals, or text that is
 * not a quarter label, "all" or "each", is CS_ERR_USAGE naming the range
 * the data covers; no won deals at all is CS_ERR_INPUT.
 */
enum cs_status cs_select_period(const char *arg, const struct cs_dataset *ds,
                                const struct cs_calendar *cal, struct cs_selection *sel,
                                struct cs_error *err);

/*
 * The fiscal quarters that hold at least one won deal, in order: the
 * distinct quarter[i] of the deals with won[i] (n deals), into *codes
 * (*n_codes of them; new, the caller frees it; NULL when none).  Its cost
 * grows with the deals and the quarters that hold them, never with the
 * empty quarters between (one deal in 0001 and one in 9999 are two
 * quarters).  Errors: CS_ERR_NOMEM, *codes left NULL.
 */
enum cs_status cs_select_won_quarters(const uint8_t *won, const int32_t *quarter, size_t n,
                                      int32_t **codes, size_t *n_codes, struct cs_error *err);

/* Does the selection cover a deal closed in quarter code q? */
static inline bool cs_selected(const struct cs_selection *sel, int32_t q)
{
    if (sel->mode == CS_SELECT_RANGE)
        return q >= sel->first && q <= sel->last;
    return sel->mode != CS_SELECT_QUARTER || q == sel->quarter;
}

#endif
