/* reconcile.c - the commission statements against the computed commissions (SPEC 7.9), per deal and, for split deals, per rep (SPEC 13). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/incentives.h"
#include "compsight/mem.h"

/* ======================================================================
 * Reconciliation (SPEC 7.9)
 * ==================================================================== */

void cs_recon_free(struct cs_reconciliation *rec)
{
    if (!rec)
        return;
    free(rec->paid);
    free(rec);
}

/* Ordering of the largest gaps: larger |gap| first (NaN largest), then deal index. */
static int gap_before(const struct cs_recon_gap *a, const struct cs_recon_gap *b)
{
    double x = isnan(a->gap) ? INFINITY : fabs(a->gap);
    double y = isnan(b->gap) ? INFINITY : fabs(b->gap);
    if (x != y)
        return x > y;
    return a->deal < b->deal;
}

static void keep_top(struct cs_reconciliation *rec, struct cs_recon_gap g)
{
    size_t k = rec->n_gaps;
    if (k == CS_RECON_TOP) {
        if (!gap_before(&g, &rec->gaps[k - 1]))
            return;
        k--;                       /* the last one drops out */
    } else {
        rec->n_gaps++;
    }
    while (k > 0 && gap_before(&g, &rec->gaps[k - 1])) {
        rec->gaps[k] = rec->gaps[k - 1];
        k--;
    }
    rec->gaps[k] = g;
}

/* paid within tolerance of computed (false for NaN). */
static bool within(double paid, double comp)
{
    double scale = fabs(comp) > CS_RECON_TINY ? fabs(comp) : CS_RECON_TINY;
    return fabs(paid - comp) <= CS_RECON_REL_TOL * scale;
}

/* The row of inc->split of deal i credited to rep, CS_NONE when none. */
static uint32_t credit_row_of(const struct cs_incentives *inc, uint32_t i, uint32_t rep)
{
    uint32_t k = cs_incentives_split_first(inc, i);
    for (; k != CS_NONE && k < inc->split.n && inc->split.deal[k] == i; k++)
        if (inc->split.rep[k] == rep)
            return k;
    return CS_NONE;
}

enum cs_status cs_incentives_reconcile(const struct cs_dataset *ds,
                                       const struct cs_incentives *inc,
                                       struct cs_reconciliation **out,
                                       struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_reconciliation *rec = NULL;
    uint8_t *seen = NULL;              /* 1: has a line */
    double *row_paid = NULL;           /* per row of inc->split: its rep's lines, NAN: none */
    const struct cs_commissions *c = &ds->commissions;
    const size_t n = ds->deals.n;

    *out = NULL;
    if (inc->n != n) {
        st = cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                          "incentives were computed for %zu deals, the data has %zu",
                          inc->n, n);
        goto out;
    }
    rec = calloc(1, sizeof *rec);
    seen = calloc(n ? n : 1, 1);
    row_paid = malloc((inc->split.n ? inc->split.n : 1) * sizeof *row_paid);
    if (!rec || !seen || !row_paid || !(rec->paid = cs_malloc_big(n, sizeof *rec->paid)))
        goto nomem;
    for (size_t x = 0; x < inc->split.n; x++)
        row_paid[x] = NAN;
    for (size_t i = 0; i < n; i++)
        rec->paid[i] = NAN;

    for (size_t j = 0; j < c->n; j++) {
        uint32_t di = c->deal[j];
        rec->lines++;
        if (di >= n) {
            rec->lines_unknown++;
            continue;
        }
        uint32_t x = inc->split.n ? credit_row_of(inc, di, c->rep[j]) : CS_NONE;
        if (x != CS_NONE)
            row_paid[x] = isnan(row_paid[x]) ? c->commission[j] : row_paid[x] + c->commission[j];
        else if (c->rep[j] != ds->deals.rep[di])
            rec->lines_rep_mismatch++;
        rec->paid[di] = seen[di] ? rec->paid[di] + c->commission[j] : c->commission[j];
        if (!inc->won[di]) {
            rec->lines_not_won++;
            if (!seen[di])
                rec->deals_not_won++;
        }
        seen[di] = 1;
    }

    for (size_t i = 0; i < n; i++) {
        if (!seen[i] || !inc->won[i])
            continue;
        double paid = rec->paid[i], comp = inc->commission[i];
        double gap = paid - comp;
        rec->compared++;
        rec->within += within(paid, comp);
        rec->paid_total += paid;
        rec->computed_total += comp;
        keep_top(rec, (struct cs_recon_gap){(uint32_t)i, paid, comp, gap});
    }
    for (size_t x = 0; x < inc->split.n; x++) {
        if (isnan(row_paid[x]) || !inc->won[inc->split.deal[x]])
            continue;
        rec->rows_compared++;
        rec->rows_within += within(row_paid[x], inc->split.commission[x]);
    }
    rec->share = rec->compared ? (double)rec->within / (double)rec->compared : NAN;
    rec->reproduces = rec->compared > 0 && rec->share >= CS_RECON_REPRODUCE_SHARE;

    *out = rec;
    rec = NULL;
    goto out;

nomem:
    st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory reconciling commissions");
out:
    cs_recon_free(rec);
    free(seen);
    free(row_paid);
    return st;
}
