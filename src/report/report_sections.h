/* report_sections.h - the report's sections on findings, written from the verdicts of findings.h (private to report/). */
#ifndef COMPSIGHT_REPORT_SECTIONS_H
#define COMPSIGHT_REPORT_SECTIONS_H

#include "compsight/doc.h"
#include "compsight/report.h"

/* Every plot of a report section (its kind in plot.h), rendered or with
 * the reason it is not shown (report.c). */
void cs_report_add_plots(struct cs_doc *d, const struct cs_report_input *in, const char *kind);

/* The sections that state effects (report_findings.c): each reads
 * in->an->findings for every verdict and interval it prints. */
void cs_report_where(struct cs_doc *d, const struct cs_report_input *in);
void cs_report_when(struct cs_doc *d, const struct cs_report_input *in);
void cs_report_thresholds(struct cs_doc *d, const struct cs_report_input *in);
void cs_report_collateral(struct cs_doc *d, const struct cs_report_input *in);

/* The summary's sentences on across-rep model m's plan terms: those whose
 * verdict (cs_findings_lead: the within-rep estimate when it is read) is
 * clear, largest effect first (at most `max`), each with the across-rep
 * estimate beside a within-rep one; then the links across reps that the
 * same-rep comparison does not confirm.  Returns how many it stated. */
size_t cs_report_summary_terms(struct cs_doc *d, const struct cs_report_input *in,
                               enum cs_model_id m, size_t max);

#endif
