/* measured.h - the measured data set: the tables and what was measured on them, handed on as one. */
#ifndef COMPSIGHT_MEASURED_H
#define COMPSIGHT_MEASURED_H

#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/select.h"

/*
 * What every stage after the measures reads: the imported tables, the
 * fiscal calendar, the incentive measures of SPEC 5 and the outcomes of
 * SPEC 6, and the selection --period made.  Every pointer is borrowed: the
 * command that loaded and measured the data owns the objects and keeps them
 * alive while anything holds this struct.  A stage that needs no selection
 * (the incentive tables, say) may be handed one with sel NULL; a function
 * that reads sel says so in its comment.
 */
struct cs_measured {
    const struct cs_dataset *ds;
    const struct cs_calendar *cal;
    const struct cs_incentives *inc;
    const struct cs_outcomes *oc;
    const struct cs_selection *sel;
};

#endif
