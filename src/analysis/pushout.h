/* pushout.h - the rep-periods of SPEC 14.2 and the push-out model's rows (private to src/analysis/). */
#ifndef COMPSIGHT_ANALYSIS_PUSHOUT_H
#define COMPSIGHT_ANALYSIS_PUSHOUT_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/analysis.h"

/* The push-out model's design: x = [1, crossed_late, nothing_to_earn] per row. */
#define CS_PUSH_TERMS 3
extern const char *const cs_push_term_names[CS_PUSH_TERMS];

struct cs_push_rows {
    size_t n;
    double *x;               /* n x CS_PUSH_TERMS, row-major */
    double *y;               /* the next period's first-14-day share of bookings */
    uint32_t *rep;           /* the clusters */
    uint32_t *rep_period;    /* the row's rep-period: its row of inc->rp */
};

void cs_push_rows_free(struct cs_push_rows *r);   /* the arrays; r itself is the caller's */

/*
 * The rows of the push-out model (SPEC 14.2), built over every credit row
 * of m (cs_credits_next: a split deal's in each of its reps' rep-periods,
 * with that rep's share and tier crossing): a rep-period is a rep, plan
 * and quarter with a credit row (a row of m->inc->rp of a quarterly
 * plan); its next period is the same rep and plan in the next quarter.  A
 * rep-period is a candidate when its next quarter is selected by sel, and
 * a row when that next period has bookings.  Per row: y = the share of
 * the next period's bookings (share x amount) closed in its first 14
 * days; crossed_late = 1 when one of the rep's own credit rows of the
 * period with tier_cross = 1 closed in its last 14 days; nothing_to_earn
 * = 1 when the rep-period's final attainment under its plan lies in a
 * tier (the last whose floor is at or below it) whose rate is below the
 * rate of the tier with floor 0.
 * Rows are ordered by rep, plan and period.  Fills *rows (arrays owned by
 * the caller: cs_push_rows_free, also after an error) and po's counts.
 * Errors: CS_ERR_NOMEM.
 */
enum cs_status cs_push_out_rows(const struct cs_measured *m, const struct cs_selection *sel,
                                struct cs_push_rows *rows, struct cs_push_out *po,
                                struct cs_error *err);

/* The mean y of each nothing_to_earn group with a rep-clustered 95%
 * interval, into po (push_out.h's group figures).  Errors: those of
 * cs_regress_ols. */
enum cs_status cs_push_out_groups(const struct cs_push_rows *rows, struct cs_push_out *po,
                                  struct cs_error *err);

#endif
