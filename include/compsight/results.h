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

/*
 * jansson drops a member or element it has no memory to store and says
 * nothing: json_object_set_new returns -1, which no builder checks.  So
 * main() routes jansson's allocations through compsight (cs_json_init,
 * once, before any JSON is built), and from the first one that fails,
 * cs_json_write refuses to write: a results file is whole or not there.
 */
void cs_json_init(void);

/* Whether a JSON allocation has failed since cs_json_init. */
bool cs_json_failed(void);

/* Write root to DIR/NAME atomically (indented, members in order, doubles
 * with 17 digits).  CS_ERR_NOMEM when a JSON allocation has failed. */
enum cs_status cs_json_write(const char *dir, const char *name, const json_t *root,
                             struct cs_error *err);

#endif
