/* parse.h - value formats of SPEC section 2: numbers, dates, periods, UTF-8. */
#ifndef COMPSIGHT_PARSE_H
#define COMPSIGHT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Dates are day numbers: days since 1970-01-01 (proleptic Gregorian). */
#define CS_NO_DATE INT32_MIN

enum cs_date_format { CS_DATE_ISO = 0, CS_DATE_US, CS_DATE_EU };

/* Days since 1970-01-01 of a civil date (any year in 1..9999). */
int32_t cs_days_from_civil(int y, int m, int d);
/* Inverse of cs_days_from_civil. */
void cs_civil_from_days(int32_t day, int *y, int *m, int *d);
/* Days in month m (1..12) of year y. */
int cs_days_in_month(int y, int m);

/*
 * Parse a date of s[0..len) (not necessarily NUL-terminated) in format fmt:
 *   any  YYYY-MM-DD, optionally followed by 'T' or ' ' and anything
 *        (ignored): it reads whatever the format (SPEC 12)
 *   US   M/D/YYYY or M/D/YY (one or two digit month/day), optional time
 *        after a space
 *   EU   D/M/YYYY, D.M.YYYY, D/M/YY or D.M.YY, optional time after a space
 * A two-digit year YY is 20YY.  Surrounding spaces are trimmed.  Returns
 * true and sets *day, or false for anything else (including impossible
 * dates such as 2026-02-30, years outside 1..9999, and a time glued to a
 * US/EU date without a space); *day is untouched on failure.
 */
bool cs_parse_date(const char *s, size_t len, enum cs_date_format fmt, int32_t *day);

/*
 * The same, and *reads: the formats (bits 1 << CS_DATE_*) in which the text
 * reads as a date.  For a YYYY-MM-DD date that is ISO alone (the other
 * formats are not tried); otherwise US and EU as they read it, whether or
 * not fmt is one of them.  A date is read in fmt only: the bits serve the
 * messages and hints that name another format.
 */
bool cs_parse_date_ex(const char *s, size_t len, enum cs_date_format fmt, int32_t *day,
                      unsigned *reads);

/* Write day as YYYY-MM-DD into buf (at least 11 bytes); CS_NO_DATE and days
 * outside years 0..9999 as "". */
void cs_format_date(int32_t day, char *buf);

/*
 * Parse a number of s[0..len): optional sign, optional leading currency
 * symbol ($, UTF-8 € or £, before or after the sign), digits with optional
 * comma thousands separators in groups of three, optional fraction,
 * optional exponent; with allow_percent a trailing '%'.  With decimal_comma
 * the roles of ',' and '.' swap (1.234,5).  Surrounding spaces trimmed.
 * Independent of the process locale.  Returns false for anything else,
 * including NaN, Inf and out-of-range values.
 * Details: the result is what strtod gives for the text without symbols
 * and separators (correctly rounded); ".5" and "5." are numbers; a '%'
 * does not scale ("15%" is 15, as discount_pct is in percent); a grouped
 * number may not start with 0 ("0,500" is rejected rather than read as
 * 500, the usual sign of a decimal comma); no space is allowed between
 * symbol, sign and digits; an underflow (1e-400) gives 0 or a subnormal;
 * more than about 100 characters is rejected.  *out untouched on failure.
 */
bool cs_parse_number(const char *s, size_t len, bool decimal_comma,
                     bool allow_percent, double *out);

/*
 * Period labels (SPEC section 4): "2026Q3" (quarter 3 of fiscal 2026) or
 * "2026" (fiscal year).  Encoded as year * 10 + quarter (0 for a year), so
 * that codes sort in time order within a kind.  Years 1000..9999, q or Q,
 * surrounding spaces trimmed; false (and *code untouched) otherwise.
 */
#define CS_NO_PERIOD INT32_MIN
bool cs_parse_period(const char *s, size_t len, int32_t *code);
/* Write a period code as its label into buf (at least 12 bytes); CS_NO_PERIOD
 * and other codes no label produces are written as "". */
void cs_format_period(int32_t code, char *buf);

/* A boolean of SPEC 12 (is_won, is_closed): true/false, yes/no, 1/0,
 * case-insensitive, trimmed: 1, 0, or -1 for anything else. */
int cs_parse_bool(const char *s, size_t len);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool cs_utf8_valid(const char *s, size_t len);

/* ASCII case-insensitive equality of s[0..len) and the NUL-terminated word. */
bool cs_word_eq(const char *s, size_t len, const char *word);

#endif
