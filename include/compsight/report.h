/* report.h - report.md and report.html: the findings in words a sales leader will read. */
#ifndef COMPSIGHT_REPORT_H
#define COMPSIGHT_REPORT_H

#include <stdbool.h>
#include "compsight/analysis.h"
#include "compsight/dataset.h"
#include "compsight/doc.h"
#include "compsight/incentives.h"
#include "compsight/measured.h"
#include "compsight/plot.h"
#include "compsight/proposal.h"
#include "compsight/status.h"

/* What the report needs besides the analysis; everything is borrowed. */
struct cs_report_input {
    const struct cs_dataset *ds;
    const struct cs_calendar *cal;
    const struct cs_incentives *inc;
    const struct cs_outcomes *oc;
    const struct cs_analysis *an;
    const struct cs_reconciliation *rec;   /* NULL without commissions.csv */
    const char *data_name;      /* the data set's name for the title (untrusted text) */
    const char *date;           /* YYYY-MM-DD the report is dated */
    const struct cs_plot_list *plots;  /* the plots drawn, or NULL */
    const char *plots_note;     /* why there are no plots ("" when there are) */
    const char *proposal_href;  /* relative link to proposal.md, or NULL */
    const char *index_href;     /* with --period each: link back to the index, or NULL */
    bool private_written;       /* a private/ directory was written */
    const struct cs_proposal_summary *proposal;  /* the proposal written with it
                                                    (proposal_href), or NULL */
};

/*
 * Build the report as a document (doc.h); the caller renders it to
 * report.md and report.html.  Plots of in->plots are referenced as
 * plots/NAME.png where they were rendered, and named with the reason where
 * they were skipped.  *out is new, owned by the caller (cs_doc_free).
 * CS_ERR_NOMEM on failure, *out left NULL.
 */
enum cs_status cs_report_build(const struct cs_report_input *in, struct cs_doc **out,
                               struct cs_error *err);

/*
 * index.md and index.html of a --period each run in out: the trend over
 * every quarter of an (an analysis of m with --period all), drawn into
 * out/plots when gnuplot can be used (a plot that cannot be drawn leaves
 * the index without it), the table of quarters and a link to each
 * quarter's report.  data_name is the data set's name for the title.
 * Errors: CS_ERR_NOMEM; CS_ERR_OUTPUT when a file cannot be written.
 */
enum cs_status cs_report_index_write(const char *out, const struct cs_measured *m,
                                     const struct cs_analysis *an, const char *data_name,
                                     struct cs_error *err);

/*
 * The per-rep tables of the private report (--private): private/reps.csv
 * and private/reps.md with each rep's deals, risky deals, raw rate and the
 * shrunk rate with its interval.  dir/private is created with mode 0700.
 */
enum cs_status cs_report_private(const struct cs_report_input *in, const char *dir,
                                 struct cs_error *err);

/* dir/private made (and kept) mode 0700 whatever the umask, for the
 * private files; CS_ERR_OUTPUT naming it when it cannot be. */
enum cs_status cs_report_private_dir(const char *dir, struct cs_error *err);

#endif
