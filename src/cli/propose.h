/* propose.h - the proposal draft as files, shared by `compsight propose` and `compsight report` (private to src/cli/). */
#ifndef COMPSIGHT_CLI_PROPOSE_H
#define COMPSIGHT_CLI_PROPOSE_H

#include <stddef.h>
#include "compsight/commands.h"
#include "compsight/findings.h"
#include "compsight/measured.h"
#include "compsight/proposal.h"
#include "compsight/status.h"
#include "compsight/whatif.h"

/* What the command that asks for a proposal tells the writer. */
struct cs_proposal_settings {
    struct cs_whatif_settings whatif;   /* seed, draws, threads, a borrowed promise_risk fit */
    const char *display_dir; /* where dir ends up, for text and warnings that name it (the
                                report writes into a staging directory); NULL: dir itself */
    const struct cs_findings *findings;   /* the analysis's verdicts for the same selection
                                             (borrowed), for the problem statement; NULL:
                                             the proposal states no model term */
};

/*
 * Everything `compsight propose --out dir` writes, for data already loaded
 * and measured: builds a what-if base for m's selection with ps->whatif,
 * generates, simulates and ranks the strawman options, and writes into
 * dir (created): proposal.md, proposal.html, proposal.json,
 * proposal_options.csv, options/1.csv .. options/N.csv, plots/options-*.
 * m and everything ps points to are borrowed (m->sel is required; inc
 * under ds->plans).  Warnings (gnuplot missing or failing) go to io->msg,
 * progress to io->msg when io->progress.  *summary (may be NULL)
 * receives N and the best-ranked options, for the report (proposal.h).  Errors: those of cs_whatif_base_new; CS_ERR_OUTPUT when a
 * file cannot be written; CS_ERR_NOMEM.  A plot that cannot be drawn is a
 * warning.
 */
enum cs_status cs_proposal_write(const char *dir, const struct cs_measured *m,
                                 const struct cs_proposal_settings *ps, const struct cs_io *io,
                                 struct cs_proposal_summary *summary, struct cs_error *err);

/*
 * Simulate pr's options (pr->opt, pr->n of them) on base into pr->res
 * (allocated by the caller, each result owned by pr afterwards), two at a
 * time, one on each core, largest plans first (option_pool.c); progress
 * to io.  The first failed option in option order gives the error.
 */
enum cs_status cs_proposal_simulate_options(const struct cs_whatif_base *base,
                                            struct cs_proposal *pr, const struct cs_io *io,
                                            struct cs_error *err);

#endif
