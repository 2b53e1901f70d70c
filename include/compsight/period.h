/* period.h - the two lengths of a plan period (SPEC 4): shared by the plans table and the calendar. */
#ifndef COMPSIGHT_PERIOD_H
#define COMPSIGHT_PERIOD_H

/*
 * How long a plan measures attainment: its fiscal quarter or its fiscal
 * year.  plans.csv's period_type column holds it (dataset.h) and the
 * calendar turns a day into the code of either (calendar.h); this header
 * lets each use it without depending on the other.  The value texts
 * (schema.h's value lists) sit beside the constants.
 */
#define CS_VALUES_PERIOD_TYPE(X) X(CS_PERIOD_QUARTER, "quarter") X(CS_PERIOD_YEAR, "year")
#define CS_PERIOD_TYPE_CONSTANT_(constant, value) constant,
enum cs_period_type { CS_VALUES_PERIOD_TYPE(CS_PERIOD_TYPE_CONSTANT_) };

#endif
