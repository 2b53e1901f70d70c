/* proposal.h - the proposal draft (SPEC 8): its simulated options, their words, proposal.md, and the summary the report shows. */
#ifndef COMPSIGHT_PROPOSAL_H
#define COMPSIGHT_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/dataset.h"
#include "compsight/findings.h"
#include "compsight/groups.h"
#include "compsight/status.h"
#include "compsight/verdict.h"
#include "compsight/whatif.h"

/*
 * `compsight propose` (and `compsight report`, for its proposal/) computes
 * a struct cs_proposal in src/cli/cmd_whatif.c: the strawman options,
 * simulated and ranked.  The functions here put it in words
 * (src/report/proposal_doc.c): proposal.md and proposal.html, the
 * description of an option that proposal.json and proposal_options.csv
 * also carry, and the summary the report shows of it.  Nothing here
 * changes the proposal; every pointer in it is borrowed from the command.
 */
struct cs_proposal {
    const struct cs_whatif_base *base;   /* the data set is base->ds */
    const char *date;                    /* YYYY-MM-DD the draft carries */
    struct cs_whatif_option *opt;        /* the options, in generation order */
    size_t n;
    struct cs_whatif_result **res;       /* per option */
    size_t *order;                       /* rank -> option */
    enum cs_verdict *verdict;            /* per option: its effect on risky deals
                                            (cs_whatif_option_verdict) */
    size_t recommended;                  /* option index, SIZE_MAX: none clear */
    const struct cs_findings *findings;  /* the report's verdicts for the same selection
                                            (the problem statement reads them), or NULL */
    uint32_t spiffs[16];                 /* SPIFFs ending in a quarter's last two weeks */
    size_t n_spiffs;
    const struct cs_disclosure *disc;    /* plans too small to show (groups.h), or NULL */
    size_t small_plans;                  /* plans with selected won deals and fewer than
                                            CS_MIN_GROUP_REPS reps: not simulated */
    const bool *simulated;               /* per plan of ds: it gets options
                                            (cs_whatif_options_plans) */
    const uint32_t *plans;               /* those plans, in plan order */
    size_t n_plans;
    size_t n_beyond;                     /* plans with selected won deals beyond
                                            CS_WHATIF_MAX_PLANS: not simulated */
    size_t deals_beyond;                 /* their selected won deals */
};

/* Option o in one line of plain text, into buf[0..n) ("P: halve the
 * accelerator step at 100% of quota (6% above it instead of 12%)"): the
 * doc, JSON and CSV layers escape it. */
void cs_proposal_describe_option(char *buf, size_t n, const struct cs_dataset *ds,
                                 const struct cs_whatif_option *o);

/* A short label of option o, ranked `rank`, for a plot's axis
 * ("2. P halve step at 100%"). */
void cs_proposal_option_label(char *buf, size_t n, const struct cs_dataset *ds,
                              const struct cs_whatif_option *o, size_t rank);

/* Notes on option i (generation order) as plain sentences: extrapolated
 * rates, the ramp's extra floors, quotas that no longer apply; "" when
 * none. */
void cs_proposal_option_notes(char *buf, size_t n, const struct cs_proposal *pr, size_t i);

/*
 * proposal.md and proposal.html in dir (each written atomically), linking
 * plots/options-risky.png and plots/options-commission.png where those
 * were drawn (plot_risky, plot_commission).  CS_ERR_OUTPUT when a file
 * cannot be written, CS_ERR_NOMEM.
 */
enum cs_status cs_proposal_doc_write(const char *dir, const struct cs_proposal *pr,
                                     bool plot_risky, bool plot_commission,
                                     struct cs_error *err);

/* The best-ranked options the report's "Options" section shows. */
#define CS_PROPOSAL_SUMMARY_TOP 3

/*
 * What the report shows of a proposal it wrote: typed, filled by
 * cs_proposal_summarize where the proposal is written, so that the report
 * reads the figures themselves rather than proposal.json back.  Plain
 * values, no pointer: the summary outlives the proposal.
 */
struct cs_proposal_summary {
    size_t n_options;                    /* options simulated and ranked */
    size_t small_plans;                  /* plans not simulated: fewer than
                                            CS_MIN_GROUP_REPS reps (groups.h) */
    size_t n_top;                        /* min(n_options, CS_PROPOSAL_SUMMARY_TOP) */
    size_t n_clear;                      /* options whose effect on risky deals is clear */
    bool predicts;                       /* the model predicts risky deals at all */
    bool readable;                       /* and it passes the data rule (verdict.h) */
    struct cs_proposal_summary_option {
        char description[512];           /* cs_proposal_describe_option, as in proposal.json */
        struct cs_whatif_diff risky;     /* alternative - current expected risky deals */
        struct cs_whatif_diff commission;   /* alternative - current commission */
        enum cs_verdict verdict;         /* its effect on risky deals */
    } top[CS_PROPOSAL_SUMMARY_TOP];      /* by rank */
};

/* Fill *s from pr (no allocation, no error). */
void cs_proposal_summarize(const struct cs_proposal *pr, struct cs_proposal_summary *s);

#endif
