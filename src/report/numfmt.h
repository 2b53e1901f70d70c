/* numfmt.h - numbers as text, fast: the formatter behind cs_put_number and deals.csv (private to report/). */
#ifndef COMPSIGHT_REPORT_NUMFMT_H
#define COMPSIGHT_REPORT_NUMFMT_H

#include <stddef.h>

/*
 * x as text into buf (NUL-terminated), returning its length: a whole
 * number below 1e15 as an integer, else the first of %.15g, %.16g and
 * %.17g that reads back as x; "" for NaN and infinities.  The digits are
 * computed in integer arithmetic wherever that is provably exact, with
 * snprintf and strtod (ten times slower) as the fallback elsewhere;
 * tests/test_output.c checks it against that method, done by snprintf and
 * strtod alone, on every class of double.
 */
size_t cs_format_number(double x, char buf[32]);

/* v in decimal, as %lld writes it, into buf; returns the length. */
size_t cs_format_int(long long v, char buf[24]);

#endif
