/* fuzz_parse.c - fuzz the value parsers of SPEC 2 against independent reference implementations. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/parse.h"
#include "compsight/status.h"
#include "fuzz.h"

/*
 * The whole input is one cell's text; every parser runs on it:
 *  - cs_parse_number (both decimal marks, with and without '%') against a
 *    reference that checks the grammar of parse.h and converts the bare
 *    digits with strtod; and the symmetry "1,234.5 with a decimal point =
 *    1.234,5 with a decimal comma";
 *  - cs_parse_date in the three formats against a reference parser and a
 *    different day-count formula; cs_format_date round trip;
 *  - cs_parse_period and cs_format_period both ways;
 *  - cs_utf8_valid against the reference decoder of fuzz.h;
 *  - cs_word_eq against a plain case-insensitive compare;
 *  - cs_quote_bytes: the quoted form is printable ASCII and bounded;
 *  - the first 4 bytes as a day number and as a period code: the civil
 *    conversions are inverse, the formatters never overflow.
 * Failures leave the output untouched (checked with a sentinel).
 */

/* ---------------------------------------------------------------------- */

static bool fzp_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *fzp_trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/* Length of a currency symbol at s[i..n), 0 when none. */
static size_t fzp_currency(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '$')
        return 1;
    if (n - i >= 3 && memcmp(s + i, "\xe2\x82\xac", 3) == 0)
        return 3;
    if (n - i >= 2 && memcmp(s + i, "\xc2\xa3", 2) == 0)
        return 2;
    return 0;
}

/*
 * The number grammar of parse.h, written out as a plain recogniser.  On a
 * match, clean[] holds the bare decimal (sign, digits, '.', exponent) and
 * *clean_len its length; the value is strtod of it.
 */
static bool fzp_number_ref(const char *s, size_t len, bool dc, bool pct, double *out,
                           size_t *clean_len)
{
    char clean[4096];
    size_t o = 0, i = 0;
    char point = dc ? ',' : '.', group = dc ? '.' : ',';
    *clean_len = 0;
    s = fzp_trim(s, &len);
    if (len > 2000)
        return false;
    if (pct && len && s[len - 1] == '%')
        len--;
    size_t c = fzp_currency(s, len, i);
    i += c;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        clean[o++] = s[i++];
    if (!c)
        i += fzp_currency(s, len, i);
    /* integer part: digits, or a 1-3 digit group not starting with 0 and
     * then groups of exactly three */
    size_t start = i;
    while (i < len && fzp_digit(s[i]))
        clean[o++] = s[i++];
    size_t first = i - start, int_digits = first;
    if (i < len && s[i] == group) {
        if (first < 1 || first > 3 || s[start] == '0')
            return false;
        while (i < len && s[i] == group) {
            i++;
            for (int k = 0; k < 3; k++, i++) {
                if (i >= len || !fzp_digit(s[i]))
                    return false;
                clean[o++] = s[i];
            }
            int_digits += 3;
        }
        if (i < len && fzp_digit(s[i]))
            return false;          /* a fourth digit in the last group */
    }
    size_t frac_digits = 0;
    if (i < len && s[i] == point) {
        clean[o++] = '.';
        for (i++; i < len && fzp_digit(s[i]); i++, frac_digits++)
            clean[o++] = s[i];
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        clean[o++] = 'e';
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            clean[o++] = s[i++];
        size_t e = 0;
        for (; i < len && fzp_digit(s[i]); i++, e++)
            clean[o++] = s[i];
        if (!e)
            return false;
    }
    if (i != len)
        return false;
    clean[o] = '\0';
    *clean_len = o;
    char *end;
    double v = strtod(clean, &end);      /* the harness runs in the "C" locale */
    if (end != clean + o || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool fzp_same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void fzp_numbers(const char *s, size_t len)
{
    for (int dc = 0; dc < 2; dc++) {
        for (int pct = 0; pct < 2; pct++) {
            double got = 12345.678, want = 0;
            size_t clean_len;
            bool ok = cs_parse_number(s, len, dc, pct, &got);
            bool ref = fzp_number_ref(s, len, dc, pct, &want, &clean_len);
            if (ok) {
                FUZZ_CHECK(ref, "cs_parse_number accepts what the grammar rejects");
                FUZZ_CHECK(isfinite(got), "cs_parse_number returned a non-finite number");
                FUZZ_CHECK(fzp_same_double(got, want),
                           "cs_parse_number differs from strtod of the bare digits");
            } else {
                FUZZ_CHECK(fzp_same_double(got, 12345.678), "cs_parse_number wrote *out on failure");
                /* the one allowed difference: parse.h rejects numbers of
                 * more than about 100 characters */
                FUZZ_CHECK(!ref || clean_len > 90, "cs_parse_number rejects a valid number");
            }
        }
    }
    /* Symmetry: swapping ',' and '.' in the text and the decimal mark
     * gives the same answer. */
    if (len <= 512) {
        char sw[512];
        for (size_t i = 0; i < len; i++)
            sw[i] = s[i] == ',' ? '.' : s[i] == '.' ? ',' : s[i];
        for (int pct = 0; pct < 2; pct++) {
            double a = 1, b = 2;
            bool oa = cs_parse_number(s, len, false, pct, &a);
            bool ob = cs_parse_number(sw, len, true, pct, &b);
            FUZZ_CHECK(oa == ob, "--decimal-comma is not the mirror image of the decimal point");
            FUZZ_CHECK(!oa || fzp_same_double(a, b), "--decimal-comma mirror gives another value");
        }
    }
}

/* ---------------------------------------------------------------------- */

static bool fzp_leap(long y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int fzp_mdays(long y, long m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && fzp_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 counted from 0001-01-01 (a different formula from
 * parse.c's era arithmetic). */
static long fzp_days(long y, long m, long d)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    long p = y - 1;
    long n = 365 * p + p / 4 - p / 100 + p / 400 + before[m - 1] + (m > 2 && fzp_leap(y)) + d - 1;
    return n - 719162;       /* 0001-01-01 .. 1970-01-01 */
}

static bool fzp_valid_ymd(long y, long m, long d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= fzp_mdays(y, m);
}

/* n digits at s (all must be digits), or -1. */
static long fzp_num(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fzp_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* YYYY-MM-DD, then 'T' or ' ' and anything */
static bool fzp_iso_ref(const char *s, size_t len, long *day)
{
    if (len < 10 || s[4] != '-' || s[7] != '-' || (len > 10 && s[10] != 'T' && s[10] != ' '))
        return false;
    long y = fzp_num(s, 4), m = fzp_num(s + 5, 2), d = fzp_num(s + 8, 2);
    if (y < 0 || m < 0 || d < 0 || !fzp_valid_ymd(y, m, d))
        return false;
    *day = fzp_days(y, m, d);
    return true;
}

/* SPEC 2 and 12: YYYY-MM-DD in every format; else, for US and EU, A/B/Y
 * (EU also A.B.Y), A and B one or two digits, Y four digits or two (20YY),
 * then the end or a space and anything */
static bool fzp_date_ref(const char *s, size_t len, enum cs_date_format fmt, long *day)
{
    s = fzp_trim(s, &len);
    if (fzp_iso_ref(s, len, day))
        return true;
    if (fmt == CS_DATE_ISO)
        return false;
    size_t i = 0, a0 = 0;
    while (i < len && i < 2 && fzp_digit(s[i]))
        i++;
    size_t an = i - a0;
    if (!an || i >= len)
        return false;
    char sep = s[i];
    if (sep != '/' && !(fmt == CS_DATE_EU && sep == '.'))
        return false;
    size_t b0 = ++i;
    while (i < len && i - b0 < 2 && fzp_digit(s[i]))
        i++;
    size_t bn = i - b0;
    if (!bn || i >= len || s[i] != sep)
        return false;
    size_t y0 = ++i;
    while (i < len && fzp_digit(s[i]))
        i++;
    size_t yn = i - y0;
    if ((yn != 4 && yn != 2) || (i < len && s[i] != ' '))
        return false;
    long y = fzp_num(s + y0, yn) + (yn == 2 ? 2000 : 0);
    long a = fzp_num(s, an), b = fzp_num(s + b0, bn);
    long m = fmt == CS_DATE_US ? a : b, d = fmt == CS_DATE_US ? b : a;
    if (!fzp_valid_ymd(y, m, d))
        return false;
    *day = fzp_days(y, m, d);
    return true;
}

static void fzp_dates(const char *s, size_t len)
{
    long iso_day;
    size_t tn = len;
    const char *t = fzp_trim(s, &tn);
    bool iso_text = fzp_iso_ref(t, tn, &iso_day);
    for (int f = CS_DATE_ISO; f <= CS_DATE_EU; f++) {
        int32_t day = 0x7eadbeef;
        long want = 0;
        unsigned reads = 0;
        bool ok = cs_parse_date(s, len, (enum cs_date_format)f, &day);
        bool ref = fzp_date_ref(s, len, (enum cs_date_format)f, &want);
        FUZZ_CHECK(ok == ref, "cs_parse_date accepts/rejects unlike the reference");
        int32_t day2 = 0x7eadbeef;
        bool ok2 = cs_parse_date_ex(s, len, (enum cs_date_format)f, &day2, &reads);
        FUZZ_CHECK(ok2 == ok && day2 == day, "cs_parse_date_ex differs from cs_parse_date");
        /* the formats it says the text reads in are those that read it */
        for (int g = CS_DATE_ISO; g <= CS_DATE_EU; g++) {
            long w;
            bool r = iso_text ? g == CS_DATE_ISO
                              : g != CS_DATE_ISO && fzp_date_ref(s, len, (enum cs_date_format)g, &w);
            FUZZ_CHECK(((reads >> g) & 1) == (unsigned)r, "cs_parse_date_ex: wrong formats read");
        }
        if (!ok) {
            FUZZ_CHECK(day == 0x7eadbeef, "cs_parse_date wrote *day on failure");
            continue;
        }
        FUZZ_CHECK(day == want, "cs_parse_date gives another day than the reference");
        char buf[16];
        cs_format_date(day, buf);
        FUZZ_CHECK(strlen(buf) == 10, "cs_format_date of a parsed date is not YYYY-MM-DD");
        int32_t back = 0;
        FUZZ_CHECK(cs_parse_date(buf, 10, CS_DATE_ISO, &back) && back == day,
                   "cs_format_date does not parse back to the same day");
        if (iso_text)
            FUZZ_CHECK(memcmp(buf, t, 10) == 0, "ISO date does not format back to its text");
    }
}

static void fzp_days_roundtrip(int32_t day)
{
    int y, m, d;
    cs_civil_from_days(day, &y, &m, &d);
    char buf[16];
    memset(buf, 'x', sizeof buf);
    cs_format_date(day, buf);
    FUZZ_CHECK(memchr(buf, '\0', 11) != NULL, "cs_format_date wrote more than 11 bytes");
    if (day >= fzp_days(1, 1, 1) && day <= fzp_days(9999, 12, 31)) {
        FUZZ_CHECK(fzp_valid_ymd(y, m, d), "cs_civil_from_days gives an impossible date");
        FUZZ_CHECK(fzp_days(y, m, d) == day, "cs_civil_from_days is not the inverse day count");
        FUZZ_CHECK(cs_days_from_civil(y, m, d) == day, "cs_days_from_civil(cs_civil_from_days(d)) != d");
        FUZZ_CHECK(strlen(buf) == 10, "cs_format_date left out a date within 1..9999");
    }
    if (day == CS_NO_DATE)
        FUZZ_CHECK(buf[0] == '\0', "cs_format_date(CS_NO_DATE) is not empty");
}

/* ---------------------------------------------------------------------- */

static void fzp_periods(const char *s, size_t len)
{
    int32_t code = 0x7eadbeef;
    bool ok = cs_parse_period(s, len, &code);
    size_t n = len;
    const char *t = fzp_trim(s, &n);
    bool ref = (n == 4 || n == 6) && fzp_num(t, 4) >= 1000 &&
               (n == 4 || ((t[4] == 'Q' || t[4] == 'q') && t[5] >= '1' && t[5] <= '4'));
    FUZZ_CHECK(ok == ref, "cs_parse_period accepts/rejects unlike the reference");
    if (!ok) {
        FUZZ_CHECK(code == 0x7eadbeef, "cs_parse_period wrote *code on failure");
        return;
    }
    FUZZ_CHECK(code == fzp_num(t, 4) * 10 + (n == 6 ? t[5] - '0' : 0), "cs_parse_period code");
    char buf[16];
    cs_format_period(code, buf);
    FUZZ_CHECK(strlen(buf) == n, "cs_format_period does not give the label back");
    FUZZ_CHECK(memcmp(buf, t, 4) == 0 && (n == 4 || (buf[4] == 'Q' && buf[5] == t[5])),
               "cs_format_period does not give the label back");
}

static void fzp_period_code(int32_t code)
{
    char buf[16];
    memset(buf, 'x', sizeof buf);
    cs_format_period(code, buf);
    FUZZ_CHECK(memchr(buf, '\0', 12) != NULL, "cs_format_period wrote more than 12 bytes");
    int32_t back;
    if (buf[0] && cs_parse_period(buf, strlen(buf), &back))
        FUZZ_CHECK(back == code, "a formatted period parses back to another code");
}

/* ---------------------------------------------------------------------- */

static void fzp_text(const char *s, size_t len)
{
    FUZZ_CHECK(cs_utf8_valid(s, len) == fuzz_utf8_valid(s, len),
               "cs_utf8_valid disagrees with the reference decoder");

    static const char *const words[] = {"won", "lost", "open", "closed won", "closedlost",
                                        "quarter", "year", "", "a"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen(words[w]);
        bool want = len == wl;
        for (size_t i = 0; want && i < len; i++) {
            unsigned char a = (unsigned char)s[i], b = (unsigned char)words[w][i];
            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a + 32);
            want = a == b;
        }
        FUZZ_CHECK(cs_word_eq(s, len, words[w]) == want, "cs_word_eq differs from a case-insensitive compare");
    }

    static const size_t sizes[] = {1, 2, 5, 16, 64, 200};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char q[256];
        memset(q, 'x', sizeof q);
        cs_quote_bytes(q, sizes[k], s, len);
        const char *nul = memchr(q, '\0', sizes[k]);
        FUZZ_CHECK(nul != NULL, "cs_quote_bytes did not NUL-terminate within n");
        for (const char *p = q; p < nul; p++)
            FUZZ_CHECK(*p >= 0x20 && *p < 0x7f, "cs_quote_bytes let a non-printable byte through");
        FUZZ_CHECK(q[sizes[k]] == 'x' || sizes[k] == sizeof q, "cs_quote_bytes wrote past n");
    }
}

int cs_fuzz_parse(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fzp_numbers(s, size);
    fzp_dates(s, size);
    fzp_periods(s, size);
    fzp_text(s, size);
    if (size >= 4) {
        int32_t v;
        memcpy(&v, data, 4);
        fzp_days_roundtrip(v);
        fzp_days_roundtrip(v % 3000000);    /* mostly within years 1..9999 */
        fzp_period_code(v);
        fzp_period_code(v % 100000);
    }
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_parse(data, size);
}
#endif
