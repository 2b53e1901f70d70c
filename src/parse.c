/* parse.c - value formats of SPEC section 2: dates, numbers, period labels, UTF-8. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/parse.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim spaces and tabs from both ends of s[0..*len); returns the new start. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n && is_blank(*s))
        s++, n--;
    while (n && is_blank(s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* Value of exactly n digits at s, or -1 if any is not a digit. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ---------------------------------------------------------------------- */
/* Calendar (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms") */
/* ---------------------------------------------------------------------- */

int32_t cs_days_from_civil(int y, int m, int d)
{
    /* Years start on March 1 so that the leap day is the last of the year. */
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
    return (int32_t)(era * 146097 + doe - 719468);
}

void cs_civil_from_days(int32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                         /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                       /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int cs_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool make_date(int y, int m, int d, int32_t *day)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > cs_days_in_month(y, m))
        return false;
    *day = cs_days_from_civil(y, m, d);
    return true;
}

/* Read 1 or 2 digits at s[*i], stopping at the first non-digit. */
static int short_number(const char *s, size_t len, size_t *i)
{
    size_t start = *i;
    while (*i < len && *i - start < 2 && is_digit(s[*i]))
        (*i)++;
    if (*i == start)
        return -1;
    return digits(s + start, *i - start);
}

/* D/M/YYYY-like dates: two short numbers and a 4-digit year, one separator. */
static bool parse_dmy(const char *s, size_t len, bool eu, int32_t *day)
{
    size_t i = 0;
    int a = short_number(s, len, &i);
    if (a < 0 || i >= len)
        return false;
    char sep = s[i];
    if (!(sep == '/' || (eu && sep == '.')))
        return false;
    i++;
    int b = short_number(s, len, &i);
    if (b < 0 || i >= len || s[i] != sep)
        return false;
    i++;
    if (len - i < 4)
        return false;
    int y = digits(s + i, 4);
    i += 4;
    /* A time may follow after a space; it is not validated (ignored). */
    if (y < 0 || (i < len && s[i] != ' '))
        return false;
    return eu ? make_date(y, b, a, day) : make_date(y, a, b, day);
}

bool cs_parse_date(const char *s, size_t len, enum cs_date_format fmt, int32_t *day)
{
    s = trim(s, &len);
    switch (fmt) {
    case CS_DATE_ISO: {
        if (len < 10 || s[4] != '-' || s[7] != '-')
            return false;
        if (len > 10 && s[10] != 'T' && s[10] != ' ')
            return false;
        int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
        if (y < 0 || m < 0 || d < 0)
            return false;
        return make_date(y, m, d, day);
    }
    case CS_DATE_US:
        return parse_dmy(s, len, false, day);
    case CS_DATE_EU:
        return parse_dmy(s, len, true, day);
    }
    return false;
}

void cs_format_date(int32_t day, char *buf)
{
    int y, m, d;
    if (day == CS_NO_DATE) {
        buf[0] = '\0';
        return;
    }
    cs_civil_from_days(day, &y, &m, &d);
    /* Years outside 0..9999 do not fit the documented 11 bytes: truncate. */
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

/* ---------------------------------------------------------------------- */
/* Numbers                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * The text is validated here and its digits copied, without separators or
 * symbols, into a plain "C" decimal, which strtod_l converts with correct
 * rounding.  strtod itself would follow LC_NUMERIC, which a library must
 * not depend on (in de_DE "1.5" would parse as 1).  The "C" locale object
 * is created once and never freed.
 */
#define NUMBER_MAX 100

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Skip a currency symbol at s[*i] ($, UTF-8 € or £). */
static bool skip_currency(const char *s, size_t len, size_t *i)
{
    static const char *const symbols[] = {"$", "\xe2\x82\xac", "\xc2\xa3"};
    for (size_t k = 0; k < sizeof symbols / sizeof symbols[0]; k++) {
        size_t n = strlen(symbols[k]);
        if (len - *i >= n && memcmp(s + *i, symbols[k], n) == 0) {
            *i += n;
            return true;
        }
    }
    return false;
}

bool cs_parse_number(const char *s, size_t len, bool decimal_comma,
                     bool allow_percent, double *out)
{
    char buf[NUMBER_MAX + 8];
    size_t o = 0, i = 0;
    const char point = decimal_comma ? ',' : '.';
    const char group = decimal_comma ? '.' : ',';

    s = trim(s, &len);
    if (allow_percent && len && s[len - 1] == '%')
        len--;                     /* "15%" is 15: discount_pct is in percent */

    /* Sign and currency symbol in either order: -$5, $-5. */
    bool currency = skip_currency(s, len, &i);
    if (i < len && (s[i] == '-' || s[i] == '+'))
        buf[o++] = s[i++];
    if (!currency)
        skip_currency(s, len, &i);

    /* Integer part: plain digits, or groups of three after a first group
     * of one to three digits.  A grouped number may not start with 0, so
     * that "0,500" (a decimal comma in a dot file) is not read as 500. */
    size_t int_digits = 0, run = 0;
    bool grouped = false;
    for (; i < len; i++) {
        char c = s[i];
        if (is_digit(c)) {
            if (o >= NUMBER_MAX)
                return false;
            buf[o++] = c;
            int_digits++;
            run++;
        } else if (c == group) {
            if (run == 0 || (grouped ? run != 3 : run > 3))
                return false;
            if (!grouped && s[i - run] == '0')
                return false;
            grouped = true;
            run = 0;
        } else {
            break;
        }
    }
    if (grouped && run != 3)
        return false;

    size_t frac_digits = 0;
    if (i < len && s[i] == point) {
        buf[o++] = '.';
        for (i++; i < len && is_digit(s[i]); i++) {
            if (o >= NUMBER_MAX)
                return false;
            buf[o++] = s[i];
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return false;

    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        buf[o++] = 'e';
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            buf[o++] = s[i++];
        size_t exp_digits = 0;
        for (; i < len && is_digit(s[i]); i++) {
            if (o >= NUMBER_MAX)
                return false;
            buf[o++] = s[i];
            exp_digits++;
        }
        if (exp_digits == 0)
            return false;
    }
    if (i != len)
        return false;
    buf[o] = '\0';

    pthread_once(&c_locale_once, c_locale_init);
    char *end;
    /* Without a "C" locale object (never seen with glibc) plain strtod is
     * used: under a comma locale it stops at the '.', the end check below
     * fails and the number is rejected rather than misread. */
    double v = c_locale != (locale_t)0 ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    if (end != buf + o || !isfinite(v))
        return false;               /* overflow gives +-HUGE_VAL; underflow is kept */
    *out = v;
    return true;
}

/* ---------------------------------------------------------------------- */
/* Period labels                                                           */
/* ---------------------------------------------------------------------- */

bool cs_parse_period(const char *s, size_t len, int32_t *code)
{
    s = trim(s, &len);
    if (len != 4 && len != 6)
        return false;
    int y = digits(s, 4);
    if (y < 1000)
        return false;
    int q = 0;
    if (len == 6) {
        if (s[4] != 'Q' && s[4] != 'q')
            return false;
        q = digits(s + 5, 1);
        if (q < 1 || q > 4)
            return false;
    }
    *code = y * 10 + q;
    return true;
}

void cs_format_period(int32_t code, char *buf)
{
    /* CS_NO_PERIOD and codes that no label produces are written as "". */
    if (code < 0 || code % 10 > 4) {
        buf[0] = '\0';
        return;
    }
    unsigned y = (unsigned)code / 10, q = (unsigned)code % 10;
    if (q)
        snprintf(buf, 12, "%uQ%u", y % 1000000000u, q);
    else
        snprintf(buf, 12, "%u", y);
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */
/* ---------------------------------------------------------------------- */

bool cs_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* Most data is ASCII: test eight bytes at a time for a high bit. */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;   /* allowed range of the 2nd byte */
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0)
                lo = 0xa0;                    /* overlong */
            else if (c == 0xed)
                hi = 0x9f;                    /* surrogates D800..DFFF */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0)
                lo = 0x90;                    /* overlong */
            else if (c == 0xf4)
                hi = 0x8f;                    /* above U+10FFFF */
        } else {
            return false;                     /* 80..C1 and F5..FF never lead */
        }
        if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

bool cs_word_eq(const char *s, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)word[i];
        if (b == '\0')
            return false;
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return word[i] == '\0';
}
