/* datanotes.h - what the report says about how its data was read (SPEC 12; private to report/). */
#ifndef COMPSIGHT_REPORT_DATANOTES_H
#define COMPSIGHT_REPORT_DATANOTES_H

#include "compsight/analysis.h"
#include "compsight/incentives.h"
#include "compsight/select.h"
#include <stdbool.h>
#include "compsight/dataset.h"
#include "compsight/doc.h"

/* The share of a required file's rows rejected above which the report
 * warns first (SPEC 12). */
#define CS_REJECTED_LOUD 0.20

/*
 * The loud warning that opens a report (SPEC 12) when more than 20% of a
 * required file's rows, or any row of plans.csv, were rejected: which
 * files, and the plans and teams the rejected rows belong to: a team by
 * name only when an shows it on its own (fewer than CS_MIN_GROUP_REPS
 * reps: counted, not named; groups.h).  Nothing when neither is the case.
 */
void cs_report_rejected_warning(struct cs_doc *d, const struct cs_dataset *ds,
                                const struct cs_analysis *an);

/* Whether the trust box has something to say of how files were read. */
bool cs_report_read_warns(const struct cs_dataset *ds);

/* Its bullets: files read as another encoding than UTF-8 (named), rows
 * excluded (with a link to excluded.csv). */
void cs_report_read_notes(struct cs_doc *d, const struct cs_dataset *ds);

/*
 * SPEC 13's bullets of the data section, each only when its input is
 * there: how many reps changed plan or team within the selected quarters
 * (assignments.csv), how many selected won deals were split (splits.csv),
 * and which plans credit deal types at other than 100% (credit_ columns).
 */
void cs_report_plan_notes(struct cs_doc *d, const struct cs_dataset *ds,
                          const struct cs_calendar *cal, const struct cs_incentives *inc,
                          const struct cs_selection *sel);

#endif
