/* output.c - escapers for CSV, HTML and Markdown, and atomic file writes. */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/output.h"

/* How cs_csv_cell writes s[0..len): quoted, and neutralised. */
static void csv_form(const char *s, size_t len, bool text, bool *quote, bool *neutralise)
{
    *neutralise = text && len > 0 &&
                  (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                   s[0] == '\r');
    /* Readers (libcsv among them) trim spaces and tabs around unquoted
     * cells: quote those to keep them. */
    bool q = len > 0 && (s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' || s[len - 1] == '\t');
    for (size_t i = 0; i < len && !q; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            q = true;
    *quote = q;
}

void cs_csv_cell(FILE *f, const char *s, size_t len, bool text)
{
    bool quote, neutralise;
    csv_form(s, len, text, &quote, &neutralise);
    if (!quote && !neutralise) {
        /* the common case: the bytes as they are */
        fwrite(s, 1, len, f);
        return;
    }
    if (quote)
        putc_unlocked('"', f);
    if (neutralise)
        putc_unlocked('\'', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc_unlocked('"', f);
        putc_unlocked(s[i], f);
    }
    if (quote)
        putc_unlocked('"', f);
}

size_t cs_csv_cell_mem(char *dst, const char *s, size_t len, bool text)
{
    bool quote, neutralise;
    csv_form(s, len, text, &quote, &neutralise);
    if (!quote && !neutralise) {
        memcpy(dst, s, len);
        return len;
    }
    char *o = dst;
    if (quote)
        *o++ = '"';
    if (neutralise)
        *o++ = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            *o++ = '"';
        *o++ = s[i];
    }
    if (quote)
        *o++ = '"';
    return (size_t)(o - dst);
}

void cs_csv_text(FILE *f, const char *s)
{
    cs_csv_cell(f, s, strlen(s), true);
}

/* The reference: the shortest of %.15g, %.16g and %.17g that reads back
 * exactly (whole numbers as integers).  Slow: glibc formats with
 * multiple-precision arithmetic, and each candidate is read back. */
static size_t format_number_slow(double x, char *buf)
{
    snprintf(buf, 32, "%.15g", x);
    if (strtod(buf, NULL) != x) {
        snprintf(buf, 32, "%.16g", x);
        if (strtod(buf, NULL) != x)
            snprintf(buf, 32, "%.17g", x);
    }
    return strlen(buf);
}

/*
 * Exact decimal digits of a double in 128-bit integers.  A normal double
 * is a = M * 2^q with M in [2^52, 2^53); scaled by 10^s (|s| <= 27, so
 * that 5^|s| < 2^63) it is M * 5^s * 2^(q+s), or M * 2^(q-t) / 5^t for
 * s = -t: a ratio of integers below 2^126, which can be rounded, and
 * compared with a candidate decimal, without error.
 */
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow5[28] = {
    1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull, 1953125ull,
    9765625ull, 48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
    152587890625ull, 762939453125ull, 3814697265625ull, 19073486328125ull,
    95367431640625ull, 476837158203125ull, 2384185791015625ull, 11920928955078125ull,
    59604644775390625ull, 298023223876953125ull, 1490116119384765625ull,
    7450580596923828125ull,
};

struct scaled {
    /* a * 10^s = num / den exactly, den a power of two (1 << sh2) or 5^t */
    u128 num;
    int sh2;          /* >= 0: den = 2^sh2 */
    uint64_t den5;    /* != 0: den = 5^t instead */
};

/* a * 10^s as a ratio; false when out of the exact range. */
static bool scale_exact(uint64_t M, int q, int s, struct scaled *v)
{
    if (s > 27 || s < -27)
        return false;
    if (s >= 0) {
        int sh = q + s;
        v->den5 = 0;
        v->num = (u128)M * pow5[s];        /* < 2^116 */
        if (sh >= 0) {
            if (sh > 10)                   /* only far above 10^17: not a candidate scale */
                return false;
            v->num <<= sh;
            v->sh2 = 0;
        } else {
            if (-sh > 120)
                return false;
            v->sh2 = -sh;
        }
    } else {
        int sh = q + s;                    /* num = M * 2^(q-t), den = 5^t */
        if (sh < 0 || sh > 72)
            return false;
        v->num = (u128)M << sh;
        v->sh2 = 0;
        v->den5 = pow5[-s];
    }
    return true;
}

/* floor and round-half-even of num / den; true when the floor is not exact. */
static bool split(const struct scaled *v, u128 *whole, u128 *rounded)
{
    u128 w, rem, half2;   /* compare 2 * rem with den */
    if (v->den5) {
        w = v->num / v->den5;
        rem = v->num - w * v->den5;
        half2 = v->den5;
    } else if (v->sh2 == 0) {
        *whole = *rounded = v->num;
        return false;
    } else {
        w = v->num >> v->sh2;
        rem = v->num - (w << v->sh2);
        half2 = (u128)1 << v->sh2;
    }
    *whole = w;
    *rounded = w + (2 * rem > half2 || (2 * rem == half2 && (w & 1)));
    return rem != 0;
}

/*
 * Does the decimal d * 10^-s read back as a: does it lie within half an
 * ulp of a (a quarter of one below a power of two, where the ulp below is
 * half as wide), a tie going to a when M is even?  In units of 1/(4 den):
 * 4 |d den - num| against the scaled ulp, which is 2^(q+s) 5^s = 5^s/2^r
 * over den = 2^r, or 2^(q-t) / 5^t over den = 5^t.
 */
static bool reads_back(uint64_t M, int q, int s, const struct scaled *v, u128 d)
{
    u128 dn, lim;
    if (v->den5) {
        dn = d * v->den5;
        lim = (u128)1 << (q + s + 1);
    } else if (v->sh2 == 0) {
        return d == v->num;
    } else {
        dn = d << v->sh2;
        lim = (u128)2 * pow5[s];
    }
    bool below = dn < v->num;
    u128 diff4 = 4 * (below ? v->num - dn : dn - v->num);
    if (below && M == (uint64_t)1 << 52)
        lim /= 2;
    return diff4 < lim || (diff4 == lim && !(M & 1));
}

/* "00" to "99": digits two at a time. */
static const char two_digits[200] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* v < 10^8 as eight digits, leading zeros included: two chains of two
 * divisions each, where a digit at a time is one chain of eight. */
static void put8(uint32_t v, char *o)
{
    uint32_t a = v / 10000, b = v % 10000;
    memcpy(o, two_digits + 2 * (a / 100), 2);
    memcpy(o + 2, two_digits + 2 * (a % 100), 2);
    memcpy(o + 4, two_digits + 2 * (b / 100), 2);
    memcpy(o + 6, two_digits + 2 * (b % 100), 2);
}

/* %.Pg of the digits n (P of them, 15 to 17) and exponent e, as C99 7.21.6.1 says. */
static size_t format_g(char *buf, bool neg, uint64_t n, int e, int P)
{
    char t[17], *d = t + 17 - P;
    uint32_t hi = (uint32_t)(n / 100000000);   /* below 10^9 */
    t[0] = (char)('0' + hi / 100000000);
    put8(hi % 100000000, t + 1);
    put8((uint32_t)(n % 100000000), t + 9);
    int L = P;
    while (L > 1 && d[L - 1] == '0')
        L--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (e < -4 || e >= P) {
        *o++ = d[0];
        if (L > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)L - 1);
            o += L - 1;
        }
        *o++ = 'e';
        *o++ = e < 0 ? '-' : '+';
        int ae = e < 0 ? -e : e;
        if (ae >= 100)
            *o++ = (char)('0' + ae / 100);
        *o++ = (char)('0' + ae / 10 % 10);
        *o++ = (char)('0' + ae % 10);
    } else if (e >= 0) {
        for (int i = 0; i <= e; i++)
            *o++ = i < L ? d[i] : '0';
        if (L > e + 1) {
            *o++ = '.';
            memcpy(o, d + e + 1, (size_t)(L - e - 1));
            o += L - e - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)L);
        o += L;
    }
    *o = '\0';
    return (size_t)(o - buf);
}

size_t cs_format_int(long long v, char buf[24])
{
    char t[24];
    size_t i = 0, n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        t[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[n++] = '-';
    while (i)
        buf[n++] = t[--i];
    buf[n] = '\0';
    return n;
}

size_t cs_format_number(double x, char buf[32])
{
    if (!isfinite(x)) {
        buf[0] = '\0';
        return 0;
    }
    /* Whole numbers (counts, most amounts) need no search for the shortest form. */
    if (fabs(x) < 1e15 && x == (double)(long long)x)
        return cs_format_int((long long)x, buf);
    /* Otherwise the shortest of 15, 16 and 17 significant digits that reads
     * back exactly, computed in integers where that is provably the same as
     * format_number_slow, which covers the rest. */
    double a = fabs(x);
    if (!(a >= DBL_MIN))   /* subnormal */
        return format_number_slow(x, buf);
    /* a = M * 2^(b2 - 53), M in [2^52, 2^53): frexp and ldexp, from the bits */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int b2 = (int)(bits >> 52) - 1022;
    uint64_t M = (bits & (((uint64_t)1 << 52) - 1)) | (uint64_t)1 << 52;
    int q = b2 - 53;
    const u128 e16 = 10000000000000000ull, e17 = e16 * 10;
    /* ex = floor(log10 a): an estimate from the binary exponent, made
     * exact by the 17-digit whole part landing in [10^16, 10^17). */
    int ex = (int)floor((b2 - 1) * 0.30102999566398120);
    struct scaled v;
    u128 w, r;
    bool rest;
    for (int tries = 0;; tries++) {
        if (tries == 3 || !scale_exact(M, q, 16 - ex, &v))
            return format_number_slow(x, buf);
        rest = split(&v, &w, &r);
        if (w >= e17)
            ex++;
        else if (w < e16)
            ex--;
        else
            break;
    }
    /* v is a at the 17-digit scale, w its whole part.  The 15- and
     * 16-digit roundings follow from w exactly: the digits cut off, and
     * whether anything was left below them.  Whether one reads back is
     * the same question at this scale, asked of d * 10^(17 - P), except
     * where v is a whole number (den 1), whose test below compares for
     * equality only: there each scale is built as before. */
    const int s17 = 16 - ex;
    const bool whole = !v.den5 && v.sh2 == 0;
    uint64_t top = 100000000000000ull;   /* 10^(P-1) for P = 15 */
    for (int P = 15; P <= 17; P++, top *= 10) {
        uint64_t d;
        if (P == 17) {
            d = (uint64_t)r;
        } else {
            /* constant divisors: a multiplication each, not a division */
            uint64_t div = P == 15 ? 100 : 10, half = div / 2;
            d = P == 15 ? (uint64_t)w / 100 : (uint64_t)w / 10;
            uint64_t cut = (uint64_t)w - d * div;
            d += cut > half || (cut == half && (rest || (d & 1)));
            if (whole) {
                int s = P - 1 - ex;
                if (!scale_exact(M, q, s, &v))
                    return format_number_slow(x, buf);
                if (!reads_back(M, q, s, &v, d))
                    continue;
            } else if (!reads_back(M, q, s17, &v, (u128)d * div)) {
                continue;
            }
        }
        /* 99..9.5 and above round up to 10^P: one digit, one more in the exponent */
        bool up = d == top * 10;
        return format_g(buf, x < 0, up ? top : d, up ? ex + 1 : ex, P);
    }
    return format_number_slow(x, buf);   /* not reached: 17 digits always read back */
}

size_t cs_format_number_reference(double x, char buf[32])
{
    if (!isfinite(x)) {
        buf[0] = '\0';
        return 0;
    }
    if (fabs(x) < 1e15 && x == (double)(long long)x)
        return (size_t)snprintf(buf, 32, "%lld", (long long)x);
    return format_number_slow(x, buf);
}

void cs_put_number(FILE *f, double x)
{
    char buf[32];
    size_t n = cs_format_number(x, buf);
    fwrite(buf, 1, n, f);
}

void cs_html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

void cs_md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fputc(' ', f);
        else if (strchr("|\\`*_[]<>#", c))
            fprintf(f, "\\%c", c);
        else
            fputc(c, f);
    }
}

static char *join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

enum cs_status cs_atomic_open(struct cs_atomic *a, const char *dir, const char *name,
                              struct cs_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = join(dir, name, "");
    a->tmp = join(dir, name, ".tmp");
    if (!a->path || !a->tmp) {
        cs_atomic_abort(a);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    /* A fresh file: a link planted at NAME.tmp is removed, never followed. */
    if (unlink(a->tmp) != 0 && errno != ENOENT) {
        enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s",
                                         a->tmp, strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    a->f = fopen(a->tmp, "wxe");     /* x: O_EXCL, so nothing in the way is followed */
    if (!a->f) {
        /* no memory for the stream is running out of memory, not an
         * output error (which costs a plot only its picture) */
        enum cs_status st = cs_error_set(err, errno == ENOMEM ? CS_ERR_NOMEM : CS_ERR_OUTPUT,
                                         NULL, 0, NULL, "%s: %s", a->tmp, strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    return CS_OK;
}

enum cs_status cs_atomic_commit(struct cs_atomic *a, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    if (!a->f)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "output file not open");
    int bad = ferror(a->f);
    int saved = errno;
    if (fclose(a->f) != 0 || bad) {
        if (!bad)
            saved = errno;
        a->f = NULL;
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", a->tmp,
                          strerror(saved ? saved : EIO));
        cs_atomic_abort(a);
        return st;
    }
    a->f = NULL;
    if (rename(a->tmp, a->path) != 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", a->path,
                          strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return CS_OK;
}

void cs_atomic_abort(struct cs_atomic *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}

enum cs_status cs_mkdir_p(const char *dir, unsigned mode, struct cs_error *err)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, c ? 0777 : (mode_t)mode) != 0 && errno != EEXIST) {
            enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                             "cannot create directory %s: %s", p,
                                             strerror(errno));
            free(p);
            return st;
        }
        p[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        free(p);
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s is not a directory", dir);
    }
    free(p);
    return CS_OK;
}

void cs_pseudonym(const char *rep_id, char *buf)
{
    /* FNV-1a then a final avalanche, so similar ids do not look alike. */
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)rep_id; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    /* "rep-%010llx" of the low 40 bits, without printf: deals.csv writes
     * one a row */
    static const char hex[] = "0123456789abcdef";
    memcpy(buf, "rep-", 4);
    for (int i = 0; i < 10; i++)
        buf[4 + i] = hex[(h >> (36 - 4 * i)) & 0xf];
    buf[14] = '\0';
}

const char *cs_fmt_count(char *buf, size_t n, size_t v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%zu", v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

const char *cs_fmt_amount(char *buf, size_t n, double x)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (a >= 1e9)
        snprintf(buf, n, "%.2fB", x / 1e9);
    else if (a >= 1e6)
        snprintf(buf, n, "%.2fM", x / 1e6);
    else if (a >= 1e4)
        snprintf(buf, n, "%.0fk", x / 1e3);
    else if (a >= 1e3)
        snprintf(buf, n, "%.1fk", x / 1e3);
    else
        snprintf(buf, n, "%.0f", x);
    /* no "-0" or "-0.0k" for a value that rounds to zero */
    if (buf[0] == '-' && strspn(buf + 1, "0.kMB") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

void cs_report_date(char *buf, size_t n)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    time_t t = env && *env ? (time_t)strtoll(env, NULL, 10) : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d", &tm);
}
