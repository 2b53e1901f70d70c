/* models.h - the models of SPEC 7.1-7.3 and 14.1-14.2, fitted for cs_analysis_run (private to src/analysis/). */
#ifndef COMPSIGHT_ANALYSIS_MODELS_H
#define COMPSIGHT_ANALYSIS_MODELS_H

#include <stdint.h>
#include "compsight/analysis.h"

/*
 * Fill an->model[] for the measured data set: every model of the table in
 * models.c, in enum cs_model_id order, with its name, its fit (and Firth
 * refit) or the note saying why it was not run, and an->push_out.  sel[i]
 * is 1 for the selected won deals of m->ds; an->sel, won_selected,
 * promise_data and collateral_data must be set.  The fits are owned by
 * an.  Errors:
 * CS_ERR_NOMEM, and those of the regressions; the models before the
 * failing one keep their fits.
 */
enum cs_status cs_analysis_models(struct cs_analysis *an, const struct cs_measured *m,
                                  const uint8_t *sel, struct cs_error *err);

#endif
