/* period.h - the two lengths of a plan period (SPEC 4): shared by the plans table and the calendar. */
#ifndef COMPSIGHT_PERIOD_H
#define COMPSIGHT_PERIOD_H

/*
 * How long a plan measures attainment: its fiscal quarter or its fiscal
 * year.  plans.csv's period_type column holds it (dataset.h) and the
 * calendar turns a day into the code of either (calendar.h); this header
 * lets each use it without depending on the other.
 */
enum cs_period_type { CS_PERIOD_QUARTER = 0, CS_PERIOD_YEAR = 1 };

#endif
