/* dealscsv.h - the per-deal table of SPEC section 9 (deals.csv and `compsight deals`). */
#ifndef COMPSIGHT_DEALSCSV_H
#define COMPSIGHT_DEALSCSV_H

#include <stdbool.h>
#include <stdio.h>
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/groups.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/pseudonym.h"
#include "compsight/select.h"

/*
 * Write the header and one row per selected won deal, in file order:
 * deal_id, rep, team, plan_id, period, account, type, product, amount,
 * discount_pct, close_date, then the section 5 and 6 measures.  rep is the
 * rep's pseudonym under key (pseudonym.h), or the rep_id when key is NULL
 * (private output).  With disc (shared output, groups.h), a team or plan
 * too small to show is written "other teams" or "other plans", or left
 * blank when even the pool is too small; NULL writes every name.  Text cells are CSV-escaped
 * and neutralised against formulas; numbers are written in the shortest
 * form that reads back to the same double.  The caller checks ferror(f).
 */
void cs_deals_csv_write(FILE *f, const struct cs_dataset *ds, const struct cs_calendar *cal,
                        const struct cs_incentives *inc, const struct cs_outcomes *oc,
                        const struct cs_selection *sel, const struct cs_key *key,
                        const struct cs_disclosure *disc);

#endif
