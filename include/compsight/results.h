/* results.h - results.json: every figure of SPEC section 7, machine readable (SPEC 9). */
#ifndef COMPSIGHT_RESULTS_H
#define COMPSIGHT_RESULTS_H

#include <jansson.h>
#include "compsight/analysis.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"

/*
 * Build the results.json object for one selection.  rec may be NULL (no
 * commissions.csv).  Numbers that are not finite become null; rep ids and
 * names never appear (per-rep figures go to the private report).  Returns a
 * new reference (json_decref), or NULL when out of memory.
 */
json_t *cs_results_json(const struct cs_dataset *ds, const struct cs_calendar *cal,
                        const struct cs_analysis *an, const struct cs_reconciliation *rec);

/* A JSON number, or null when x is NaN or infinite. */
json_t *cs_json_number(double x);

#endif
