/* parse.c - value formats of SPEC section 2: dates, numbers, period labels, UTF-8. */
#include <float.h>
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

/* Inlined where dates are parsed: an import does it for every date cell. */
static inline int32_t days_from_civil(int y, int m, int d)
{
    /* Years start on March 1 so that the leap day is the last of the year. */
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
    return (int32_t)(era * 146097 + doe - 719468);
}

int32_t cs_days_from_civil(int y, int m, int d)
{
    return days_from_civil(y, m, d);
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

static inline bool make_date(int y, int m, int d, int32_t *day)
{
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > cs_days_in_month(y, m))
        return false;
    *day = days_from_civil(y, m, d);
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

static bool date_ok(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= cs_days_in_month(y, m);
}

/*
 * D/M/YYYY-like dates: two short numbers a and b, one separator ('/', or
 * '.' too when dots), and a year of four digits or two (20YY).  False when
 * the text has not that shape.
 */
static bool split_dmy(const char *s, size_t len, bool dots, int *a, int *b, int *y, char *sepp)
{
    size_t i = 0;
    *a = short_number(s, len, &i);
    if (*a < 0 || i >= len)
        return false;
    char sep = s[i];
    if (!(sep == '/' || (dots && sep == '.')))
        return false;
    *sepp = sep;
    i++;
    *b = short_number(s, len, &i);
    if (*b < 0 || i >= len || s[i] != sep)
        return false;
    i++;
    size_t start = i;
    while (i < len && i - start < 5 && is_digit(s[i]))
        i++;
    size_t nd = i - start;
    /* A time may follow after a space; it is not validated (ignored). */
    if ((nd != 4 && nd != 2) || (i < len && s[i] != ' '))
        return false;
    *y = digits(s + start, nd) + (nd == 2 ? 2000 : 0);
    return true;
}

/* YYYY-MM-DD, optionally followed by 'T' or ' ' and anything (the digits
 * spelled out: every date cell of an import comes here first). */
static inline bool parse_iso(const char *s, size_t len, int32_t *day)
{
    if (len < 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (len > 10 && s[10] != 'T' && s[10] != ' ')
        return false;
#define D(i) (s[i] - '0')
#define BAD(i) ((unsigned)D(i) > 9)
    if (BAD(0) | BAD(1) | BAD(2) | BAD(3) | BAD(5) | BAD(6) | BAD(8) | BAD(9))
        return false;
#undef BAD
    int y = D(0) * 1000 + D(1) * 100 + D(2) * 10 + D(3), m = D(5) * 10 + D(6),
        d = D(8) * 10 + D(9);
#undef D
    return make_date(y, m, d, day);
}

bool cs_parse_date_ex(const char *s, size_t len, enum cs_date_format fmt, int32_t *day,
                      unsigned *reads)
{
    s = trim(s, &len);
    *reads = 0;
    /* YYYY-MM-DD reads whatever the format (SPEC 12) */
    if (parse_iso(s, len, day)) {
        *reads = 1u << CS_DATE_ISO;
        return true;
    }
    int a, b, y;
    char sep;
    if (split_dmy(s, len, true, &a, &b, &y, &sep)) {
        if (sep == '/' && date_ok(y, a, b))
            *reads |= 1u << CS_DATE_US;
        if (date_ok(y, b, a))
            *reads |= 1u << CS_DATE_EU;
    }
    if (fmt == CS_DATE_ISO || !(*reads >> fmt & 1))
        return false;
    *day = fmt == CS_DATE_US ? days_from_civil(y, a, b) : days_from_civil(y, b, a);
    return true;
}

bool cs_parse_date(const char *s, size_t len, enum cs_date_format fmt, int32_t *day)
{
    unsigned reads;
    return cs_parse_date_ex(s, len, fmt, day, &reads);
}

void cs_format_date(int32_t day, char *buf)
{
    int y = -1, m = 0, d = 0;
    if (day != CS_NO_DATE)
        cs_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {          /* does not fit YYYY: no date */
        buf[0] = '\0';
        return;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
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
 *
 * strtod_l costs about 50 ns a call, a large share of an import, so the
 * common case is done exactly without it (Clinger's fast path): when the
 * digits form an integer M <= 2^53 and the decimal exponent e is within
 * +-22, both M and 10^|e| are exact doubles and one IEEE multiplication or
 * division rounds correctly, giving the very double strtod would.  This
 * needs double arithmetic without excess precision (FLT_EVAL_METHOD 0, as
 * on x86-64 and arm64); elsewhere everything goes to strtod_l.
 */
#define NUMBER_MAX 100
#define EXACT_MANT_MAX (UINT64_C(1) << 53)

static const double exact_pow10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Append a significand digit to the exact mantissa, noting overflow. */
static void add_digit(uint64_t *mant, bool *exact, char c)
{
    if (*mant > (EXACT_MANT_MAX - 9) / 10)
        *exact = false;
    else
        *mant = *mant * 10 + (uint64_t)(c - '0');
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Skip a currency symbol at s[*i] ($, UTF-8 € or £). */
static bool skip_currency(const char *s, size_t len, size_t *i)
{
    size_t n = 0;
    if (*i >= len)
        return false;
    switch ((unsigned char)s[*i]) {    /* most numbers have none: test one byte */
    case '$':
        n = 1;
        break;
    case 0xe2:                         /* € U+20AC */
        n = len - *i >= 3 && memcmp(s + *i, "\xe2\x82\xac", 3) == 0 ? 3 : 0;
        break;
    case 0xc2:                         /* £ U+00A3 */
        n = len - *i >= 2 && (unsigned char)s[*i + 1] == 0xa3 ? 2 : 0;
        break;
    default:
        break;
    }
    *i += n;
    return n != 0;
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
    bool grouped = false, exact = true, negative = o && buf[0] == '-';
    uint64_t mant = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (is_digit(c)) {
            if (o >= NUMBER_MAX)
                return false;
            buf[o++] = c;
            add_digit(&mant, &exact, c);
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
            add_digit(&mant, &exact, s[i]);
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return false;

    long exp10 = 0;                 /* the exponent as written, clamped */
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        buf[o++] = 'e';
        i++;
        bool exp_negative = false;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
            exp_negative = s[i] == '-';
            buf[o++] = s[i++];
        }
        size_t exp_digits = 0;
        for (; i < len && is_digit(s[i]); i++) {
            if (o >= NUMBER_MAX)
                return false;
            buf[o++] = s[i];
            if (exp10 < 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
            exp_digits++;
        }
        if (exp_digits == 0)
            return false;
        if (exp_negative)
            exp10 = -exp10;
    }
    if (i != len)
        return false;
    buf[o] = '\0';

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    long e = exp10 - (long)frac_digits;
    if (exact && e >= -22 && e <= 22) {
        double m = (double)mant;    /* exact: mant <= 2^53 */
        double v = e < 0 ? m / exact_pow10[-e] : m * exact_pow10[e];
        *out = negative ? -v : v;
        return true;
    }
#endif

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
    /* "%uQ%u" of the year (mod 10^9, as ever) and quarter, or "%u" of the
     * year, without printf: deals.csv writes one a row */
    unsigned y = (unsigned)code / 10 % 1000000000u, q = (unsigned)code % 10;
    char t[10];
    size_t n = 0, o = 0;
    do {
        t[n++] = (char)('0' + y % 10);
        y /= 10;
    } while (y);
    while (n)
        buf[o++] = t[--n];
    if (q) {
        buf[o++] = 'Q';
        buf[o++] = (char)('0' + q);
    }
    buf[o] = '\0';
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */
/* ---------------------------------------------------------------------- */

/* Whether s[0..len) is all ASCII: the high bits of its 8-byte words, the
 * last word read overlapping the one before (fields are short, and a byte
 * loop over their tails was most of the time validation took). */
static bool all_ascii(const unsigned char *s, size_t len)
{
    uint64_t acc = 0, w;
    if (len >= 8) {
        size_t i = 0;
        for (; len - i > 8; i += 8) {
            memcpy(&w, s + i, 8);
            acc |= w;
        }
        memcpy(&w, s + len - 8, 8);
        return !((acc | w) & UINT64_C(0x8080808080808080));
    }
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        return !((a | b) & UINT32_C(0x80808080));
    }
    for (size_t i = 0; i < len; i++)
        acc |= s[i];
    return !(acc & 0x80);
}

int cs_parse_bool(const char *s, size_t len)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    s = trim(s, &len);
    for (int i = 0; i < 3; i++) {
        if (cs_word_eq(s, len, yes[i]))
            return 1;
        if (cs_word_eq(s, len, no[i]))
            return 0;
    }
    return -1;
}

bool cs_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    if (all_ascii(s, len))
        return true;
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
