/* credits.h - credit rows: which rep is credited with which share of each won deal, in which rep-period (SPEC 13, 14.2). */
#ifndef COMPSIGHT_CREDITS_H
#define COMPSIGHT_CREDITS_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/status.h"

/*
 * A credit row is one (deal, rep, share): the rep is credited with share x
 * amount of the won deal, in the rep-period (a row of the incentives'
 * rep-period table) that holds the deal's close date under the rep's
 * plan.  SPEC 13's splits.csv will give a deal several rows; until then
 * every won deal has exactly one, crediting its owner (deals.csv rep_id)
 * with share 1, and the row's measures are the deal's own.  Whatever
 * groups deals by rep and period (the push-out model of SPEC 14.2) reads
 * these rows, so that it counts split deals right once they exist.
 *
 * Rows are in deal order (a deal's rows together).  The struct owns its
 * arrays: cs_credits_free.
 */
struct cs_credits {
    size_t n;
    uint32_t *deal;          /* deal index */
    uint32_t *rep;           /* rep index credited */
    double *share;           /* 0 < share <= 1 */
    uint32_t *rep_period;    /* its row of inc->rp */
    int8_t *tier_cross;      /* 1 when this row carried the rep across a tier floor */
};

/*
 * The credit rows of every won deal of ds, from the incentives inc
 * computed for it.  On success *out is new, owned by the caller
 * (cs_credits_free).  Errors: CS_ERR_USAGE when inc was not computed for
 * ds; CS_ERR_NOMEM; *out left NULL.
 */
enum cs_status cs_credits_build(const struct cs_dataset *ds, const struct cs_incentives *inc,
                                struct cs_credits **out, struct cs_error *err);

void cs_credits_free(struct cs_credits *c);   /* accepts NULL */

#endif
