/* credit_rows.h - building and freeing the split deals' credit rows, for incentives.c (private to src/measures/). */
#ifndef COMPSIGHT_MEASURES_CREDIT_ROWS_H
#define COMPSIGHT_MEASURES_CREDIT_ROWS_H

#include "compsight/incentives.h"

/*
 * The credit rows of ds's split won deals into *cr (its arrays new; free
 * with credit_rows_free): a row per splits.csv row whose rep holds a plan
 * on the close date, with its plan, share, fraction (under plans) and own
 * flag; rep_period CS_NONE, the tier maths NAN, for compute to fill.
 * 0, or -1 on OOM.
 */
int credit_rows_build(const struct cs_dataset *ds, const struct cs_plans *plans,
                      struct cs_credit_rows *cr);

/* The first row of cr of a deal >= deal (cr is in deal order): cr->n when
 * none.  O(log rows). */
size_t credit_rows_lower(const struct cs_credit_rows *cr, size_t deal);

/* Free the arrays of *cr and empty it. */
void credit_rows_free(struct cs_credit_rows *cr);

#endif
