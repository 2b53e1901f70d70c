/* gnuplot.h - running gnuplot on many scripts at once, for the report's plots (private to report/). */
#ifndef COMPSIGHT_REPORT_GNUPLOT_H
#define COMPSIGHT_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/status.h"

/*
 * gnuplot.c also implements what plot.h declares about gnuplot: the
 * quoting (cs_gp_quote, cs_gp_quote_tic), the probe
 * (cs_plot_gnuplot_available, cs_plot_gnuplot_problem) and one script run
 * alone (cs_plot_run).  This header adds what only report/ uses.
 */

/* A plot file name compsight may use: 1 to 24 of [A-Za-z0-9_-], not
 * starting with '-'. */
bool cs_gp_valid_name(const char *name);

/* Write DIR/NAME.gp atomically (output.h); errors as cs_atomic_*. */
enum cs_status cs_gp_write_script(const char *dir, const char *name, const char *script,
                                  size_t len, struct cs_error *err);

/* One script for cs_gp_run_jobs.  Everything is borrowed from the caller. */
struct cs_gp_job {
    const char *name;         /* its plot's file name (cs_gp_valid_name) */
    char *script;             /* the script, script[0..len): read, not freed, here */
    size_t len;
    size_t item;              /* the caller's: which of its plots this is (not read here) */
    bool rendered;            /* out: DIR/NAME.png and DIR/NAME.svg were drawn */
};

/* Told of a job that was not drawn, and why (e names the script). */
typedef void cs_gp_failed_fn(void *ctx, const struct cs_gp_job *job, const struct cs_error *e);

/*
 * Draw every job into DIR (whose NAME.gp files the caller has written):
 * one gnuplot a processor, at most 4, each on a batch of the scripts
 * (starting gnuplot costs as much as drawing a plot), each script after
 * `reset session`.  gnuplot stops at the first error, so the jobs a batch
 * did not draw are then run one process each, a processor's worth at a
 * time: a plot gnuplot cannot draw costs only its own picture, and its
 * error names its script.  Each image pair is drawn in a private
 * directory and moved into DIR whole, as cs_plot_run does.  After a batch
 * ran past the deadline (COMPSIGHT_GNUPLOT_TIMEOUT) the undrawn jobs are
 * not tried again: each is a failure.  Sets jobs[].rendered; calls
 * failed(ctx, job, e) for each job not drawn, in the order the failures
 * are seen (a running job's when it is waited for).
 */
void cs_gp_run_jobs(const char *dir, struct cs_gp_job *jobs, size_t n, cs_gp_failed_fn *failed,
                    void *ctx);

#endif
