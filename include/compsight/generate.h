/* generate.h - synthetic data sets with planted, documented effects (`compsight generate`). */
#ifndef COMPSIGHT_GENERATE_H
#define COMPSIGHT_GENERATE_H

#include <stdbool.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * What to generate.  The struct is plain data owned by the caller; nothing
 * in it is kept after cs_generate returns.
 *
 *   out_dir       directory to write into; created (with missing parents)
 *                 when absent.  An existing directory must be empty or hold a
 *                 deals.csv (a previous data set), so that a typo cannot
 *                 scatter files into an unrelated directory (staging
 *                 directories, ".compsight-staging-*", do not count).
 *   write_dir     NULL, or the existing directory the files are written into
 *                 instead of out_dir (a staging directory inside it, which
 *                 the caller moves into place); out_dir is still checked.
 *   n_deals       exact number of valid rows of deals.csv; 0 = the preset's
 *                 default (4000).  Allowed: 10 .. 100000000.
 *   seed          random seed; the same options give byte-identical files.
 *   dirty         also write the bad rows listed in docs/GENERATOR.md (each
 *                 one a single extra or altered row; the rest is unchanged).
 *   null_effects  same structure with no planted behaviour: constant promise
 *                 and misstatement risk, uniform close dates, no pull-ins,
 *                 discounts independent of everything.
 *   skill         rep skill drives both a rep's volume (so attainment and the
 *                 accelerators) and the rep's promise risk: the across-rep
 *                 model mistakes skill for the plan's effect, the within-rep
 *                 one does not (docs/GENERATOR.md, SPEC 14.1).
 *   assignments   also write assignments.csv (SPEC 13): a fiscal-year change of
 *                 the Mid-Market AEs to a new plan (written to plans.csv),
 *                 two mid-quarter promotions, a team-only move and a rep
 *                 hired mid-quarter; quotas.csv gains plan_id.
 *   splits        also write splits.csv: about 10% of won deals credited to
 *                 two or three reps, some across two plans.
 *   credit_by_type  plans.csv gains credit_new, credit_expansion and
 *                 credit_renewal (renewals count half on two plans).
 *   plan_change_movers, plan_change_movers_set
 *                 how many Mid-Market AEs move at the fiscal-year change
 *                 (0: no change); unset: all that can.  Setting it implies
 *                 assignments.
 *   plan_change_effect, plan_change_effect_set
 *                 added to the promise-risk probability of every won deal
 *                 credited under the new plan, -0.5 .. 0.5; unset: -0.08
 *                 (0 with null_effects).  Setting it implies assignments.
 *   fiscal_start  month (1..12) in which the fiscal year starts; 0 = 1.
 *   preset        "sample" (the committed data/sample set) or NULL (the
 *                 default company, scaled to n_deals); anything else is a
 *                 usage error.
 */
struct cs_gen_options {
    const char *out_dir;
    const char *write_dir;
    uint64_t n_deals;
    uint64_t seed;
    bool dirty;
    bool null_effects;
    bool skill;
    bool assignments, splits, credit_by_type;
    bool plan_change_movers_set, plan_change_effect_set;
    unsigned plan_change_movers;
    double plan_change_effect;
    int fiscal_start;
    const char *preset;
};

/* The options' usage errors (CS_ERR_USAGE, err naming the option), before
 * anything is written; cs_generate checks them too. */
enum cs_status cs_generate_check(const struct cs_gen_options *opt, struct cs_error *err);

/*
 * Write the eleven files of SPEC section 1 into opt->write_dir or
 * opt->out_dir (thirteen with assignments and splits).  Each file is
 * written as NAME.tmp and renamed only when every file has been written,
 * so a failure leaves no half data set (and removes its .tmp files); a
 * process that is killed can leave .tmp files, which is why `compsight
 * generate` writes into a staging directory (write_dir).
 * Rows are streamed: memory is proportional to the number of reps, not of
 * deals.  The model and its planted effects are documented in
 * docs/GENERATOR.md.
 *
 * Returns CS_OK; CS_ERR_USAGE for bad options (err names the option);
 * CS_ERR_OUTPUT when the directory is unsuitable or a write fails (err names
 * the file); CS_ERR_NOMEM.  Never prints.
 */
enum cs_status cs_generate(const struct cs_gen_options *opt, struct cs_error *err);

#endif
