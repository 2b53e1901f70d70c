/* voice.h - the voice of the field (SPEC 7.8) for cs_analysis_run (private to src/analysis/). */
#ifndef COMPSIGHT_ANALYSIS_VOICE_H
#define COMPSIGHT_ANALYSIS_VOICE_H

#include <stdint.h>
#include "compsight/analysis.h"

/*
 * Fill an->voice with the off-roadmap and premature promises of the
 * selected won deals (sel[i] is 1 for them), grouped by feature_id, or,
 * when it is blank, by the promise's normalised text
 * (cs_outcomes_normalize_text).  A blank-feature promise whose normalised
 * text equals the normalised title of exactly one roadmap item joins that
 * item's row, as if it named its feature_id ("on-premise deployment" and
 * "On-premise deployment (FR-129)" are one row); its class under SPEC 6 is
 * unchanged (still off the roadmap: its feature was blank), and the row
 * counts it in by_text.  Rows are sorted by bookings, then promises, then
 * feature id or text.  The rows and their texts are owned by an.  Errors:
 * CS_ERR_NOMEM (an->voice then holds the rows made so far).
 */
enum cs_status cs_analysis_voice(struct cs_analysis *an, const struct cs_measured *ms,
                                 const uint8_t *sel, struct cs_error *err);

#endif
