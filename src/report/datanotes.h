/* datanotes.h - what the report says about how its data was read (SPEC 12; private to report/). */
#ifndef COMPSIGHT_REPORT_DATANOTES_H
#define COMPSIGHT_REPORT_DATANOTES_H

#include <stdbool.h>
#include "compsight/dataset.h"
#include "compsight/doc.h"

/* The share of a required file's rows rejected above which the report
 * warns first (SPEC 12). */
#define CS_REJECTED_LOUD 0.20

/*
 * The loud warning that opens a report (SPEC 12) when more than 20% of a
 * required file's rows, or any row of plans.csv, were rejected: which
 * files, and the plans and teams the rejected rows belong to.  Nothing
 * when neither is the case.
 */
void cs_report_rejected_warning(struct cs_doc *d, const struct cs_dataset *ds);

/* Whether the trust box has something to say of how files were read. */
bool cs_report_read_warns(const struct cs_dataset *ds);

/* Its bullets: files read as another encoding than UTF-8 (named), rows
 * excluded (with a link to excluded.csv). */
void cs_report_read_notes(struct cs_doc *d, const struct cs_dataset *ds);

#endif
