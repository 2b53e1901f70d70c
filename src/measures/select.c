/* select.c - resolve --period into the set of fiscal quarters an analysis covers. */
#include <stdio.h>
#include <stdlib.h>
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

/* A quarter code (year * 10 + 1..4) as a number that counts quarters. */
static int64_t quarter_index(int32_t code)
{
    return (int64_t)(code / 10) * 4 + code % 10 - 1;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

enum cs_status cs_select_won_quarters(const uint8_t *won, const int32_t *quarter, size_t n,
                                      int32_t **codes, size_t *n_codes, struct cs_error *err)
{
    /* Distinct codes in a small open-addressing set (grown at half full),
     * then sorted: as many slots as there are quarters with data. */
    size_t cap = 64, used = 0;
    int32_t *set = NULL, *out = NULL;
    *codes = NULL;
    *n_codes = 0;
    if (!(set = malloc(cap * sizeof *set)))
        goto oom;
    for (size_t k = 0; k < cap; k++)
        set[k] = CS_NO_PERIOD;
    for (size_t i = 0; i < n; i++) {
        if (!won[i] || quarter[i] == CS_NO_PERIOD)
            continue;
        uint64_t h = (uint64_t)quarter_index(quarter[i]) * 0x9e3779b97f4a7c15ull;
        size_t k = (size_t)(h >> 32) & (cap - 1);
        while (set[k] != CS_NO_PERIOD && set[k] != quarter[i])
            k = (k + 1) & (cap - 1);
        if (set[k] == quarter[i])
            continue;
        set[k] = quarter[i];
        if (++used * 2 <= cap)
            continue;
        /* grow: reinsert into twice the slots */
        size_t ncap = cap * 2;
        int32_t *ns = malloc(ncap * sizeof *ns);
        if (!ns)
            goto oom;
        for (size_t j = 0; j < ncap; j++)
            ns[j] = CS_NO_PERIOD;
        for (size_t j = 0; j < cap; j++) {
            if (set[j] == CS_NO_PERIOD)
                continue;
            uint64_t g = (uint64_t)quarter_index(set[j]) * 0x9e3779b97f4a7c15ull;
            size_t s = (size_t)(g >> 32) & (ncap - 1);
            while (ns[s] != CS_NO_PERIOD)
                s = (s + 1) & (ncap - 1);
            ns[s] = set[j];
        }
        free(set);
        set = ns;
        cap = ncap;
    }
    if (used) {
        if (!(out = malloc(used * sizeof *out)))
            goto oom;
        size_t m = 0;
        for (size_t k = 0; k < cap; k++)
            if (set[k] != CS_NO_PERIOD)
                out[m++] = set[k];
        qsort(out, m, sizeof *out, cmp_i32);
    }
    free(set);
    *codes = out;
    *n_codes = used;
    return CS_OK;
oom:
    free(set);
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}
