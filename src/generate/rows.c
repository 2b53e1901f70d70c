/* rows.c - the generator's CSV rows: quoting, locale-free numbers, dates and ids, names. */
#include <errno.h>

#include "compsight/calendar.h"
#include "gen.h"

/* ===================================================================== */
/* Row building: CSV quoting and locale-free number formats              */
/* ===================================================================== */

void row_str(struct row *r, const char *s)
{
    row_sep(r);
    size_t len = strlen(s);
    bool q = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
                         s[len - 1] == '\t');
    for (size_t i = 0; !q && i < len; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q) {
        row_put(r, s, len);
        return;
    }
    row_put(r, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            row_put(r, "\"", 1);
        row_put(r, s + i, 1);
    }
    row_put(r, "\"", 1);
}

void row_scaled(struct row *r, int64_t units, int decimals)
{
    char tmp[40];
    int n = 0;
    bool neg = units < 0;
    uint64_t u = neg ? (uint64_t)(-(units + 1)) + 1 : (uint64_t)units;
    int digits = 0;
    do {
        if (digits == decimals && decimals > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        digits++;
    } while (u > 0 || digits <= decimals);
    if (neg)
        tmp[n++] = '-';
    row_sep(r);
    char out[40];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    row_put(r, out, (size_t)n);
}

void row_money(struct row *r, int64_t cents) { row_scaled(r, cents, 2); }

void row_fixed(struct row *r, double v, int decimals)
{
    row_scaled(r, llround(v * pow(10.0, decimals)), decimals);
}

void fmt_date(int32_t day, char *buf)
{
    int y, m, d;
    cs_civil_from_days(day, &y, &m, &d);
    /* by hand rather than snprintf: three dates per deal, ten million deals */
    buf[0] = (char)('0' + y / 1000 % 10);
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

void row_date(struct row *r, int32_t day)
{
    row_sep(r);
    if (day == NO_DATE)
        return;
    char b[11];
    fmt_date(day, b);
    row_put(r, b, 10);
}

/* prefix + num zero-padded to width (what "%c%0*llu" prints, without the
 * cost of printf on the hot path); buf holds at least width + 22 bytes. */
void fmt_id(char *buf, char prefix, uint64_t num, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + num % 10);
        num /= 10;
    } while (num);
    size_t o = 0;
    buf[o++] = prefix;
    for (int i = n; i < width; i++)
        buf[o++] = '0';
    while (n)
        buf[o++] = digits[--n];
    buf[o] = '\0';
}

void row_id(struct row *r, char prefix, uint64_t num, int width)
{
    char b[48];
    fmt_id(b, prefix, num, width);
    row_str(r, b);
}

/* Currency-formatted amount "$12,345.67" (valid per SPEC 2). */
void fmt_currency(int64_t cents, char *buf, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)(cents / 100));
    size_t o = 0;
    buf[o++] = '$';
    for (int i = 0; i < len && o + 8 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    snprintf(buf + o, n - o, ".%02lld", (long long)(cents % 100));
}

void row_end(struct gen *g, enum gfile f)
{
    g->row.buf[g->row.n++] = '\n';
    if (fwrite(g->row.buf, 1, g->row.n, g->f[f]) != g->row.n && !g->write_status)
        g->write_status = cs_error_set(g->err, CS_ERR_OUTPUT, g->path_tmp[f], 0, NULL,
                                       "cannot write: %s", strerror(errno));
}

void raw_line(struct gen *g, enum gfile f, const char *line)
{
    row_begin(&g->row);
    row_put(&g->row, line, strlen(line));
    row_end(g, f);
}

/* Period labels of SPEC section 4. */
void quarter_label(int qi, char *buf, size_t n)
{
    snprintf(buf, n, "%dQ%d", FIRST_FY + qi / 4, qi % 4 + 1);
}

/* ===================================================================== */
/* Names                                                                 */
/* ===================================================================== */

void rep_name(size_t k, char *buf, size_t n)
{
    size_t combos = 48 * 48;
    size_t j = (k * 1031) % combos;          /* 1031 is prime to 2304 */
    size_t tier = k / combos;
    const char *f = first_names[j % 48], *l = last_names[j / 48];
    if (tier == 0)
        snprintf(buf, n, "%s %s", f, l);
    else if (tier <= 26)
        snprintf(buf, n, "%s %c. %s", f, (char)('A' + tier - 1), l);
    else
        snprintf(buf, n, "%s %s %zu", f, l, tier);
}

void account_name(uint32_t k, char *buf, size_t n)
{
    uint32_t combos = 40 * 30 * 8;
    uint32_t j = (uint32_t)(((uint64_t)k * 7919u) % combos);  /* 7919 prime to 9600 */
    uint32_t round_ = k / combos;
    const char *a = acct_a[j % 40], *b = acct_b[(j / 40) % 30], *c = acct_c[j / 1200];
    if (round_ == 0) {
        /* per deal: concatenate by hand */
        const char *parts[4] = {a, " ", b, c};
        size_t o = 0;
        for (int i = 0; i < 4; i++)
            for (const char *q = parts[i]; *q && o + 1 < n; q++)
                buf[o++] = *q;
        buf[o] = '\0';
    } else
        snprintf(buf, n, "%s %s %u%s", a, b, round_ + 1, c);
}

void rep_id(const struct gen *g, size_t rep_index, char *buf, size_t n)
{
    (void)n;                                 /* callers pass >= 32 bytes */
    fmt_id(buf, 'R', rep_index + 1, g->rep_w);
}

void feature_id(int i, char *buf, size_t n)
{
    snprintf(buf, n, "FR-%d", FEATURE_BASE + i);
}

/* A free-text ask as a rep would type it: case and spacing vary, so the
 * voice-of-the-field grouping has something to normalise. */
void ask_variant(gsl_rng *r, const char *s, char *buf, size_t n)
{
    double u = unif(r);
    size_t len = strlen(s), o = 0;
    if (u < 0.60) {
        snprintf(buf, n, "%s", s);
    } else if (u < 0.70 || u >= 0.94) {
        for (size_t i = 0; i < len && o + 2 < n; i++)
            buf[o++] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
        if (u >= 0.94)
            buf[o++] = ' ';
        buf[o] = '\0';
    } else if (u < 0.78) {
        for (size_t i = 0; i < len && o + 1 < n; i++)
            buf[o++] = (char)((s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i]);
        buf[o] = '\0';
    } else if (u < 0.88) {
        bool doubled = false;
        for (size_t i = 0; i < len && o + 2 < n; i++) {
            buf[o++] = s[i];
            if (s[i] == ' ' && !doubled) {
                buf[o++] = ' ';
                doubled = true;
            }
        }
        buf[o] = '\0';
    } else {
        snprintf(buf, n, " %s ", s);
    }
}
