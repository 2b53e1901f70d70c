/* select.c - resolve --period into the set of fiscal quarters an analysis covers. */
#include <stdio.h>
#include <string.h>

#include "compsight/select.h"

enum cs_status cs_select_period(const char *arg, const struct cs_dataset *ds,
                                const struct cs_calendar *cal, struct cs_selection *sel,
                                struct cs_error *err)
{
    memset(sel, 0, sizeof *sel);
    sel->first = sel->last = CS_NO_PERIOD;
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (ds->deals.stage[i] != CS_STAGE_WON)
            continue;
        int32_t q = cs_cal_quarter_code(cal, ds->deals.close[i]);
        if (sel->first == CS_NO_PERIOD || q < sel->first)
            sel->first = q;
        if (sel->last == CS_NO_PERIOD || q > sel->last)
            sel->last = q;
    }
    if (sel->first == CS_NO_PERIOD)
        return cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                            "no usable won deals: nothing to analyse");
    char a[16], b[16];
    cs_format_period(sel->first, a);
    cs_format_period(sel->last, b);
    if (!arg) {
        sel->mode = CS_SELECT_QUARTER;
        sel->quarter = sel->last;
        snprintf(sel->label, sizeof sel->label, "%s", b);
        return CS_OK;
    }
    if (strcmp(arg, "all") == 0 || strcmp(arg, "each") == 0) {
        sel->mode = arg[0] == 'a' ? CS_SELECT_ALL : CS_SELECT_EACH;
        snprintf(sel->label, sizeof sel->label, "%s", arg);
        return CS_OK;
    }
    int32_t code;
    if (!cs_parse_period(arg, strlen(arg), &code) || code % 10 == 0)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "--period takes a fiscal quarter such as %s, 'all' or 'each'", b);
    bool any = false;
    for (size_t i = 0; i < ds->deals.n && !any; i++)
        any = ds->deals.stage[i] == CS_STAGE_WON &&
              cs_cal_quarter_code(cal, ds->deals.close[i]) == code;
    cs_format_period(code, sel->label);
    if (!any)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "--period %s: no won deals closed in that quarter "
                            "(the data covers %s to %s)", sel->label, a, b);
    sel->mode = CS_SELECT_QUARTER;
    sel->quarter = code;
    return CS_OK;
}
