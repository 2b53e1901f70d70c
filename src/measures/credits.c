/* credits.c - the credit rows of the won deals (credits.h): today one per deal, its owner's, share 1. */
#include <stdlib.h>

#include "compsight/credits.h"
#include "compsight/mem.h"

void cs_credits_free(struct cs_credits *c)
{
    if (!c)
        return;
    free(c->deal);
    free(c->rep);
    free(c->share);
    free(c->rep_period);
    free(c->tier_cross);
    free(c);
}

enum cs_status cs_credits_build(const struct cs_dataset *ds, const struct cs_incentives *inc,
                                struct cs_credits **out, struct cs_error *err)
{
    *out = NULL;
    if (!inc || inc->n != ds->deals.n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "credit rows: measures not computed for this data set");
    size_t m = inc->n_won;
    struct cs_credits *c = calloc(1, sizeof *c);
    if (c) {
        c->deal = cs_malloc_big(m ? m : 1, sizeof *c->deal);
        c->rep = cs_malloc_big(m ? m : 1, sizeof *c->rep);
        c->share = cs_malloc_big(m ? m : 1, sizeof *c->share);
        c->rep_period = cs_malloc_big(m ? m : 1, sizeof *c->rep_period);
        c->tier_cross = cs_malloc_big(m ? m : 1, sizeof *c->tier_cross);
    }
    if (!c || !c->deal || !c->rep || !c->share || !c->rep_period || !c->tier_cross) {
        cs_credits_free(c);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    /* The one place split credit (SPEC 13, issue 21) plugs in: with
     * splits.csv, a won deal gives a row per (rep, share) it lists, each
     * with that rep's rep-period and that rep's own tier crossing, and m
     * becomes the number of such rows.  Everything that groups by rep and
     * period (push_out) reads only these rows. */
    for (size_t i = 0; i < ds->deals.n && c->n < m; i++) {
        if (!inc->won[i])
            continue;
        size_t r = c->n++;
        c->deal[r] = (uint32_t)i;
        c->rep[r] = ds->deals.rep[i];
        c->share[r] = 1.0;
        c->rep_period[r] = inc->rep_period[i];
        c->tier_cross[r] = inc->tier_cross[i];
    }
    *out = c;
    return CS_OK;
}
