/* bulkedit.c - the bulk-edit data warning: days with far more closes than days of their kind (bulkedit.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "compsight/bulkedit.h"
#include "compsight/dataset.h"
#include "compsight/parse.h"

enum cs_day_kind cs_day_kind(const struct cs_calendar *cal, int32_t day)
{
    int32_t q = cs_cal_quarter_code(cal, day);
    int32_t to_end = cs_cal_period_last_day(cal, q) - day;
    if (to_end < 3)
        return q % 10 == 4 ? CS_DAY_YEAR_END : CS_DAY_QUARTER_END;
    if (to_end < 14)
        return CS_DAY_LAST_WEEKS;
    int y, m, d;
    cs_civil_from_days(day, &y, &m, &d);
    return d == cs_days_in_month(y, m) ? CS_DAY_MONTH_END : CS_DAY_OTHER;
}

const char *cs_day_kind_name(enum cs_day_kind k)
{
    static const char *const names[CS_DAY_KINDS] = {"other", "month_end", "last_weeks",
                                                     "quarter_end", "year_end"};
    return (unsigned)k < CS_DAY_KINDS ? names[k] : "other";
}

/* Closes per day over the span, and the sums per kind of the days not flagged. */
struct days {
    size_t span;
    uint32_t *closes, *won;
    uint8_t *kind, *flagged;
    size_t n_kind[CS_DAY_KINDS];      /* unflagged days of each kind */
    double sum_kind[CS_DAY_KINDS];    /* their closes */
};

/* P(X >= c) for X ~ Poisson(mu); mu 0 gives 0 for any c >= 1. */
static double poisson_tail(size_t c, double mu)
{
    if (c == 0)
        return 1.0;
    if (mu <= 0)
        return 0.0;
    return gsl_cdf_poisson_Q((unsigned)(c - 1), mu);
}

/* One pass: flag every day that stands out against the others of its kind; how many. */
static size_t flag_pass(struct days *D, uint8_t *newly)
{
    size_t found = 0;
    memset(newly, 0, D->span);
    for (size_t i = 0; i < D->span; i++) {
        size_t c = D->closes[i];
        int k = D->kind[i];
        if (D->flagged[i] || c < CS_BULK_MIN_CLOSES || D->n_kind[k] < CS_BULK_MIN_OTHERS + 1)
            continue;
        double mu = (D->sum_kind[k] - (double)c) / (double)(D->n_kind[k] - 1);
        if ((double)c >= CS_BULK_RATIO * mu && poisson_tail(c, mu) < CS_BULK_P) {
            newly[i] = 1;
            found++;
        }
    }
    for (size_t i = 0; i < D->span; i++) {
        if (!newly[i])
            continue;
        D->flagged[i] = 1;
        D->n_kind[D->kind[i]]--;
        D->sum_kind[D->kind[i]] -= D->closes[i];
    }
    return found;
}

static int cmp_bulk(const void *a, const void *b)
{
    const struct cs_bulk_day *x = a, *y = b;
    if (x->closes != y->closes)
        return x->closes > y->closes ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

/* Keep the flagged days in the selection, the largest first. */
static void keep_flagged(const struct days *D, int32_t first, const struct cs_calendar *cal,
                         const struct cs_selection *sel, struct cs_bulk_edits *out)
{
    struct cs_bulk_day all[CS_BULK_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < D->span; i++) {
        int32_t day = first + (int32_t)i;
        if (!D->flagged[i] || (sel && !cs_selected(sel, cs_cal_quarter_code(cal, day))))
            continue;
        int k = D->kind[i];
        all[n < CS_BULK_MAX ? n : CS_BULK_MAX] = (struct cs_bulk_day){
            .day = day, .closes = D->closes[i], .won = D->won[i], .kind = (enum cs_day_kind)k,
            .expected = D->n_kind[k] ? D->sum_kind[k] / (double)D->n_kind[k] : NAN};
        if (n >= CS_BULK_MAX)           /* keep the CS_BULK_MAX largest */
            qsort(all, CS_BULK_MAX + 1, sizeof *all, cmp_bulk);
        n++;
    }
    out->n_flagged = n;
    out->n = n < CS_BULK_MAX ? n : CS_BULK_MAX;
    qsort(all, out->n, sizeof *all, cmp_bulk);
    memcpy(out->day, all, out->n * sizeof *all);
}

enum cs_status cs_bulk_edits_find(const int32_t *close, const uint8_t *stage, size_t n,
                                  const struct cs_calendar *cal, const struct cs_selection *sel,
                                  struct cs_bulk_edits *out, struct cs_error *err)
{
    memset(out, 0, sizeof *out);
    int32_t first = INT32_MAX, last = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        if (stage[i] == CS_STAGE_OPEN || close[i] == CS_NO_DATE)
            continue;
        out->closes++;
        first = close[i] < first ? close[i] : first;
        last = close[i] > last ? close[i] : last;
    }
    if (!out->closes)
        return CS_OK;
    struct days D = {.span = (size_t)((int64_t)last - first + 1)};
    out->days = D.span;
    D.closes = calloc(D.span, sizeof *D.closes);
    D.won = calloc(D.span, sizeof *D.won);
    D.kind = malloc(D.span);
    D.flagged = calloc(D.span, 1);
    uint8_t *newly = malloc(D.span);
    enum cs_status st = CS_OK;
    if (!D.closes || !D.won || !D.kind || !D.flagged || !newly) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (stage[i] == CS_STAGE_OPEN || close[i] == CS_NO_DATE)
            continue;
        size_t d = (size_t)(close[i] - first);
        D.closes[d]++;
        D.won[d] += stage[i] == CS_STAGE_WON;
    }
    for (size_t i = 0; i < D.span; i++) {
        int k = cs_day_kind(cal, first + (int32_t)i);
        D.kind[i] = (uint8_t)k;
        D.n_kind[k]++;
        D.sum_kind[k] += D.closes[i];
    }
    /* Each pass can only add flags (a flagged day lowers its kind's mean):
     * this ends after at most span passes, in practice one or two. */
    while (flag_pass(&D, newly) > 0)
        ;
    keep_flagged(&D, first, cal, sel, out);
out:
    free(D.closes);
    free(D.won);
    free(D.kind);
    free(D.flagged);
    free(newly);
    return st;
}
