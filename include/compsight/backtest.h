/* backtest.h - the backtest of a plan change (SPEC 14.3): what the what-if of the new plan predicts for the reps who moved, before the change. */
#ifndef COMPSIGHT_BACKTEST_H
#define COMPSIGHT_BACKTEST_H

#include <stdint.h>
#include "compsight/measured.h"
#include "compsight/planchange.h"
#include "compsight/status.h"

/*
 * Fill c->predicted for change c of m->ds, after cs_planchange_did has
 * run on it (CS_ERR_USAGE otherwise); m->sel is not read; inc and oc as
 * for cs_whatif_base_new:
 *  - the what-if base (whatif.h) on the won deals of the CS_PC_QUARTERS
 *    fiscal quarters before the one holding the change's date: the SPEC
 *    7.1 model fitted on all of them (Firth's refit under separation, as
 *    everywhere), and its rep bootstrap (draws resamples of the reps with
 *    seed; each draw's coefficients one Newton step from the estimate on
 *    the resample, which tracks a full refit: whatif.h);
 *  - the alternative: the current plans with plan c->from given plan
 *    c->to's period type, quota and tiers (SPEC 5 recomputed in full by
 *    cs_incentives_compute), so that the treated reps' deals of those
 *    quarters are paid as plan B would have paid them;
 *  - estimate = mean over the treated reps' deals of those quarters of
 *    p(plan B) - p(plan A) under the fitted model (the change in their
 *    risky-deal rate), base_rate and alt_rate the two means; each draw
 *    recomputes it on the resampled reps' deals (a treated rep drawn
 *    twice counts twice) with its coefficients; a draw that draws no
 *    treated rep has no rate and is left out (draws counts the others);
 *    ci = R's quantile type 7 at 2.5% and 97.5% of the draws.
 * Thin data is not an error: no deal before the change, no treated deal,
 * no promise data or a model that cannot be fitted leave done false and
 * note saying why.  draws 0 = CS_WHATIF_DRAWS.  Errors: CS_ERR_NOMEM,
 * CS_ERR_INTERNAL or CS_ERR_INPUT from the model or SPEC 5.
 */
enum cs_status cs_whatif_backtest(const struct cs_measured *m, struct cs_plan_change *c,
                                  uint64_t seed, unsigned draws, struct cs_error *err);

/* cs_whatif_backtest for every change of pcs that ran (NULL: none), with
 * CS_WHATIF_DRAWS draws: what a report does after cs_analysis_run. */
enum cs_status cs_whatif_backtests(const struct cs_measured *m, struct cs_plan_changes *pcs,
                                   uint64_t seed, struct cs_error *err);

#endif
