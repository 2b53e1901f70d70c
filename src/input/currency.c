/* currency.c - SPEC 12's currencies: rates.csv checked and indexed, the corporate currency, amounts converted as rows load. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "loader.h"

#define N_CODES (26 * 26 * 26 + 1)   /* code numbers 1..17576, and 0 */

#define RATES_COLUMN(col) (cs_schema_table(CS_T_RATES)->columns[col].name)

/* How the corporate currency became known, for messages. */
enum corporate_from { FROM_NONE, FROM_OPTION, FROM_RATES, FROM_DEFAULT, FROM_DATA };

/* One currency of rates.csv: its undated rate (NAN: none) and its dated
 * ranges, at [first, first + n) of the state's start/next/rate. */
struct entry {
    double undated;
    uint32_t first, n;
};

struct cs_currency {
    uint16_t corporate;             /* 0 until known */
    enum corporate_from from;
    uint32_t corporate_line;        /* FROM_RATES: the undated rate's line */
    char corporate_file[256];       /* FROM_RATES: the undated rate's file; FROM_DATA:
                                       the file whose one code it is */
    bool rates;                     /* rates.csv was read: amounts convert */
    /* rates.csv's index: slot[code] = 1 + the code's entry, 0 = no rate */
    uint16_t *slot;
    struct entry *entry;
    int32_t *start, *next;          /* dated ranges by currency, then start */
    double *rate;
    /* without rates.csv: the rows of each code in the file being read;
     * with it: the rows converted from each code, [0] deals, [1] commissions */
    uint32_t *rows;
    uint32_t *converted[2];
    /* the file (source) each row of rates.csv came from (`file = A, B`) */
    uint32_t *rate_src;
    size_t rate_src_cap;
};

/* ------------------------------------------------------------------------
 * Codes
 * --------------------------------------------------------------------- */

uint16_t cs_currency_code(const char *s, size_t len)
{
    if (len != 3)
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < 3; i++) {
        unsigned c = (unsigned char)s[i] | 0x20u;   /* ASCII lower case */
        if (c < 'a' || c > 'z')
            return 0;
        v = v * 26 + (c - 'a');
    }
    return (uint16_t)(v + 1);
}

void cs_currency_text(uint16_t code, char *buf)
{
    if (code == 0 || code >= N_CODES) {
        buf[0] = '\0';
        return;
    }
    unsigned v = code - 1u;
    buf[2] = (char)('A' + v % 26);
    buf[1] = (char)('A' + v / 26 % 26);
    buf[0] = (char)('A' + v / 676);
    buf[3] = '\0';
}

void cs_currency_free(struct cs_currency *cur)
{
    if (!cur)
        return;
    free(cur->slot);
    free(cur->entry);
    free(cur->start);
    free(cur->next);
    free(cur->rate);
    free(cur->rows);
    free(cur->converted[0]);
    free(cur->converted[1]);
    free(cur->rate_src);
    free(cur);
}

/* The loader's currency state, allocated at first use; NULL on OOM. */
static struct cs_currency *state(struct loader *L)
{
    if (!L->cur)
        L->cur = calloc(1, sizeof *L->cur);
    return L->cur;
}

int cs_currency_rate_row(struct loader *L, uint32_t row)
{
    struct cs_currency *cur = state(L);
    if (!cur)
        return -1;
    if (row >= cur->rate_src_cap) {
        size_t cap = cur->rate_src_cap ? cur->rate_src_cap * 2 : 64;
        while (cap <= row)
            cap *= 2;
        uint32_t *p = realloc(cur->rate_src, cap * sizeof *p);
        if (!p)
            return -1;
        cur->rate_src = p;
        cur->rate_src_cap = cap;
    }
    cur->rate_src[row] = (uint32_t)L->src;
    return 0;
}

/* Reject row i of rates.csv (read and counted as used) after the fact, on
 * column, from the file it came from: reason formatted by fmt, which is
 * also its kind for check's grouping.  0, or -1 on OOM. */
static int reject_rate(struct loader *L, uint32_t i, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int reject_rate(struct loader *L, uint32_t i, const char *column, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    L->ds->counts[CS_T_RATES].used--;
    return cs_load_reject_msg(L, CS_T_RATES, L->cur->rate_src[i], L->ds->rates.line[i], column,
                              fmt, buf);
}

/* "line 7", or "DatedConversionRate.csv's line 7" when row j of rates.csv
 * comes from another file than row i. */
static const char *line_words(const struct loader *L, uint32_t i, uint32_t j, char *buf, size_t n)
{
    const struct cs_currency *cur = L->cur;
    if (cur->rate_src[i] == cur->rate_src[j])
        snprintf(buf, n, "line %u", L->ds->rates.line[j]);
    else
        snprintf(buf, n, "%s's line %u", L->ds->sources[cur->rate_src[j]].file,
                 L->ds->rates.line[j]);
    return buf;
}

static void set_corporate(struct loader *L, uint16_t code, enum corporate_from from)
{
    L->cur->corporate = code;
    L->cur->from = from;
    cs_currency_text(code, L->ds->currency);
}

/* How the corporate currency was decided, in words: " (--currency)". */
static const char *from_words(const struct cs_currency *cur, char *buf, size_t n)
{
    switch (cur->from) {
    case FROM_OPTION: return " (--currency)";
    case FROM_RATES:
        snprintf(buf, n, " (its undated rate is 1 on %s's line %u)", cur->corporate_file,
                 cur->corporate_line);
        return buf;
    case FROM_DEFAULT: return " (the default: no currency's undated rate is 1, no --currency)";
    case FROM_DATA:
        snprintf(buf, n, " (the one currency of %s)", cur->corporate_file);
        return buf;
    case FROM_NONE: break;
    }
    return "";
}

/* ------------------------------------------------------------------------
 * rates.csv as a whole: overlaps, the corporate currency, the index
 * --------------------------------------------------------------------- */

static int cmp_rate_row(const void *a, const void *b, void *ctx)
{
    const struct cs_rates *r = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (r->currency[i] != r->currency[j])
        return r->currency[i] < r->currency[j] ? -1 : 1;
    if (r->start[i] != r->start[j])   /* undated (CS_NO_DATE) first */
        return r->start[i] < r->start[j] ? -1 : 1;
    return r->line[i] < r->line[j] ? -1 : r->line[i] > r->line[j];
}

/* A rate row's range as words: "2026-01-01 to 2026-04-01". */
#define RANGE_WORDS 48
static const char *range_words(const struct cs_rates *r, uint32_t i, char buf[RANGE_WORDS])
{
    char a[16], b[16];
    cs_format_date(r->start[i], a);
    cs_format_date(r->next[i], b);
    snprintf(buf, RANGE_WORDS, "%s to %s", a, b);
    return buf;
}

/*
 * The rows of one currency, order[g..e) (sorted, undated first), that
 * clash with another: other[i] = a row it clashes with.  Two undated
 * rates clash; two dated ranges clash when they overlap.
 */
static void find_clashes(const struct cs_rates *r, const uint32_t *order, size_t g, size_t e,
                         uint32_t *other)
{
    size_t u = g;
    while (u < e && r->start[order[u]] == CS_NO_DATE)
        u++;
    for (size_t k = g; u - g > 1 && k < u; k++)
        other[order[k]] = order[k == g ? g + 1 : g];
    /* dated, by start: a range overlaps an earlier one when it starts
     * before the furthest end so far */
    uint32_t m = CS_NONE;
    for (size_t k = u; k < e; k++) {
        uint32_t i = order[k];
        if (m != CS_NONE && r->start[i] < r->next[m]) {
            if (other[i] == CS_NONE)
                other[i] = m;
            if (other[m] == CS_NONE)
                other[m] = i;
        }
        if (m == CS_NONE || r->next[i] > r->next[m])
            m = i;
    }
}

/* Reject row i of rates.csv for clashing with row j.  0, or -1 on OOM. */
static int reject_clash(struct loader *L, uint32_t i, uint32_t j)
{
    const struct cs_rates *r = &L->ds->rates;
    char code[4], a[RANGE_WORDS], b[RANGE_WORDS], where[128];
    cs_currency_text(r->currency[i], code);
    line_words(L, i, j, where, sizeof where);
    if (r->start[i] == CS_NO_DATE)
        return reject_rate(L, i, RATES_COLUMN(RATES_CURRENCY),
                           "another undated rate for %s is on %s (one undated rate a currency)",
                           code, where);
    return reject_rate(L, i, RATES_COLUMN(RATES_START), "%s's range %s overlaps its range %s on %s",
                       code, range_words(r, i, a), range_words(r, j, b), where);
}

/*
 * The corporate currency of a data set with rates.csv, from the rows
 * left (keep[i]): --currency, which must be the code whose undated rate
 * is 1 (CS_ERR_USAGE), else that code (two of them: CS_ERR_INPUT), else
 * USD.
 */
static enum cs_status decide_corporate(struct loader *L, const bool *keep, uint16_t option)
{
    const struct cs_rates *r = &L->ds->rates;
    uint32_t one = CS_NONE, one2 = CS_NONE, opt_row = CS_NONE;
    for (uint32_t i = 0; i < r->n; i++) {
        if (!keep[i] || r->start[i] != CS_NO_DATE)
            continue;
        if (r->currency[i] == option)
            opt_row = i;
        if (r->rate[i] == 1) {
            if (one == CS_NONE)
                one = i;
            else if (one2 == CS_NONE)
                one2 = i;
        }
    }
    char a[4], b[4], where[128];
    const uint32_t *src = L->cur->rate_src;
    if (option) {
        cs_currency_text(option, a);
        if (opt_row != CS_NONE && r->rate[opt_row] != 1)
            return cs_error_set(L->err, CS_ERR_USAGE, NULL, 0, NULL,
                                "--currency %s: %s gives %s an undated rate of %.15g (line %u), "
                                "and the corporate currency's rate is 1", a,
                                L->ds->sources[src[opt_row]].file, a, r->rate[opt_row],
                                r->line[opt_row]);
        if (opt_row == CS_NONE && one != CS_NONE) {
            cs_currency_text(r->currency[one], b);
            return cs_error_set(L->err, CS_ERR_USAGE, NULL, 0, NULL,
                                "--currency %s: %s makes %s the corporate currency (its undated "
                                "rate is 1, line %u); give --currency %s or none", a,
                                L->ds->sources[src[one]].file, b, r->line[one], b);
        }
        set_corporate(L, option, FROM_OPTION);
    } else if (one2 != CS_NONE) {
        cs_currency_text(r->currency[one], a);
        cs_currency_text(r->currency[one2], b);
        return cs_error_set(L->err, CS_ERR_INPUT, L->ds->sources[src[one]].file, 0, NULL,
                            "%s (line %u) and %s (%s) both have an undated rate of 1: name the "
                            "corporate currency with --currency", a, r->line[one], b,
                            line_words(L, one, one2, where, sizeof where));
    } else if (one != CS_NONE) {
        set_corporate(L, r->currency[one], FROM_RATES);
        L->cur->corporate_line = r->line[one];
        snprintf(L->cur->corporate_file, sizeof L->cur->corporate_file, "%s",
                 L->ds->sources[src[one]].file);
    } else {
        set_corporate(L, cs_currency_code(CS_DEFAULT_CURRENCY, 3), FROM_DEFAULT);
    }
    return CS_OK;
}

/* Keep the rows of rates.csv marked in keep, in file order. */
static void compact(struct cs_rates *r, const bool *keep)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!keep[i])
            continue;
        r->currency[n] = r->currency[i];
        r->rate[n] = r->rate[i];
        r->start[n] = r->start[i];
        r->next[n] = r->next[i];
        r->line[n] = r->line[i];
        n++;
    }
    r->n = n;
}

/* The index of the rows left: an entry per currency, its dated ranges by
 * start.  order lists the rows sorted (cmp_rate_row); keep marks those left.
 * 0, or -1 on OOM. */
static int build_index(struct cs_currency *cur, const struct cs_rates *r, const uint32_t *order,
                       const bool *keep, size_t n)
{
    size_t m = n ? n : 1;
    cur->slot = calloc(N_CODES, sizeof *cur->slot);
    cur->entry = malloc(m * sizeof *cur->entry);
    cur->start = malloc(m * sizeof *cur->start);
    cur->next = malloc(m * sizeof *cur->next);
    cur->rate = malloc(m * sizeof *cur->rate);
    if (!cur->slot || !cur->entry || !cur->start || !cur->next || !cur->rate)
        return -1;
    size_t n_entry = 0, n_range = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = order[k];
        if (!keep[i])
            continue;
        uint16_t code = r->currency[i];
        if (!cur->slot[code]) {
            cur->entry[n_entry] = (struct entry){NAN, (uint32_t)n_range, 0};
            cur->slot[code] = (uint16_t)++n_entry;
        }
        struct entry *en = &cur->entry[cur->slot[code] - 1];
        if (r->start[i] == CS_NO_DATE) {
            en->undated = r->rate[i];
            continue;
        }
        cur->start[n_range] = r->start[i];
        cur->next[n_range] = r->next[i];
        cur->rate[n_range] = r->rate[i];
        n_range++;
        en->n++;
    }
    return 0;
}

/*
 * rates.csv read: reject the rows that clash, decide the corporate
 * currency, reject its rows whose rate is not 1, keep the rest and index
 * them.
 */
static enum cs_status rates_read(struct loader *L, uint16_t option)
{
    struct cs_rates *r = &L->ds->rates;
    struct cs_currency *cur = L->cur;
    enum cs_status st = CS_OK;
    size_t n = r->n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *other = malloc((n ? n : 1) * sizeof *other);
    bool *keep = malloc(n ? n : 1);
    if (!order || !other || !keep) {
        st = cs_load_oom(L);
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i] = i;
        other[i] = CS_NONE;
    }
    qsort_r(order, n, sizeof *order, cmp_rate_row, r);
    for (size_t g = 0, e; g < n; g = e) {
        for (e = g; e < n && r->currency[order[e]] == r->currency[order[g]]; e++)
            ;
        find_clashes(r, order, g, e, other);
    }
    for (uint32_t i = 0; i < n; i++) {
        keep[i] = other[i] == CS_NONE;
        if (!keep[i]) {
            if (reject_clash(L, i, other[i]) != 0) {
                st = cs_load_oom(L);
                goto out;
            }
        }
    }
    if ((st = decide_corporate(L, keep, option)) != CS_OK)
        goto out;
    char code[4], how[384];
    cs_currency_text(cur->corporate, code);
    for (uint32_t i = 0; i < n; i++) {
        if (!keep[i] || r->currency[i] != cur->corporate || r->rate[i] == 1)
            continue;
        keep[i] = false;
        if (reject_rate(L, i, RATES_COLUMN(RATES_RATE),
                        "%s is the corporate currency%s, which converts at 1, not %.15g", code,
                        from_words(cur, how, sizeof how), r->rate[i]) != 0) {
            st = cs_load_oom(L);
            goto out;
        }
    }
    if (build_index(cur, r, order, keep, n) != 0) {
        st = cs_load_oom(L);
        goto out;
    }
    compact(r, keep);
    cur->rates = true;
out:
    free(order);
    free(other);
    free(keep);
    return st;
}

/* ------------------------------------------------------------------------
 * Without rates.csv: one currency, or a stop
 * --------------------------------------------------------------------- */

static int cmp_code_rows(const void *a, const void *b, void *ctx)
{
    const uint32_t *rows = ctx;
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    if (rows[x] != rows[y])
        return rows[x] > rows[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/*
 * The codes of the file just read (table t, without rates.csv): one code
 * is the corporate currency (unless known already); a second currency
 * stops the import, naming each code and its rows.
 */
static enum cs_status codes_read(struct loader *L)
{
    struct cs_currency *cur = L->cur;
    uint16_t codes[N_CODES];
    size_t n = 0, other = 0;
    for (uint16_t c = 1; c < N_CODES; c++) {
        if (!cur->rows[c])
            continue;
        codes[n++] = c;
        other += c != cur->corporate;
    }
    if (n == 0)
        return CS_OK;
    if (!cur->corporate && n == 1) {
        set_corporate(L, codes[0], FROM_DATA);
        snprintf(cur->corporate_file, sizeof cur->corporate_file, "%s", L->name);
        memset(cur->rows, 0, N_CODES * sizeof *cur->rows);
        return CS_OK;
    }
    if (cur->corporate && other == 0) {
        memset(cur->rows, 0, N_CODES * sizeof *cur->rows);
        return CS_OK;
    }
    qsort_r(codes, n, sizeof *codes, cmp_code_rows, cur->rows);
    char list[512], code[4], how[384], label[160];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof list - 64; i++) {
        cs_currency_text(codes[i], code);
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s (%u row%s)", i ? ", " : "", code,
                              cur->rows[codes[i]], cur->rows[codes[i]] == 1 ? "" : "s");
        if (i + 1 < n && o >= sizeof list - 64)
            snprintf(list + o, sizeof list - o, " and %zu more", n - i - 1);
    }
    /* the column as the export names it: "CurrencyIsoCode (currency)" */
    int c = cs_schema_find_column(L->t, "currency");
    const char *column = cs_column_label(label, sizeof label, L->ds->sources[L->src].header[c],
                                         L->def->columns[c].name);
    if (!cur->corporate)
        return cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, column,
                            "amounts in more than one currency, %s, and no rates.csv to convert "
                            "them: add rates.csv with a rate for each (docs/INPUT.md)", list);
    cs_currency_text(cur->corporate, code);
    return cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, column,
                        "amounts in %s, and no rates.csv to convert them to the corporate "
                        "currency %s%s: add rates.csv with a rate for each (docs/INPUT.md)",
                        list, code, from_words(cur, how, sizeof how));
}

/* ------------------------------------------------------------------------
 * What was converted, for the notes on the data
 * --------------------------------------------------------------------- */

static int cmp_use(const void *a, const void *b)
{
    const struct cs_currency_use *x = a, *y = b;
    uint64_t nx = x->deals + x->commissions, ny = y->deals + y->commissions;
    if (nx != ny)
        return nx > ny ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* ds->converted from the counts of the conversions.  0, or -1 on OOM. */
static int summarise(struct loader *L)
{
    const struct cs_currency *cur = L->cur;
    struct cs_dataset *ds = L->ds;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint16_t c = 1; c < N_CODES; c++) {
            uint32_t d = cur->converted[0] ? cur->converted[0][c] : 0;
            uint32_t m = cur->converted[1] ? cur->converted[1][c] : 0;
            if (!d && !m)
                continue;
            if (pass) {
                struct cs_currency_use *u = &ds->converted[ds->n_converted++];
                cs_currency_text(c, u->code);
                u->deals = d;
                u->commissions = m;
            } else {
                n++;
            }
        }
        if (!pass && !(ds->converted = calloc(n ? n : 1, sizeof *ds->converted)))
            return -1;
    }
    qsort(ds->converted, ds->n_converted, sizeof *ds->converted, cmp_use);
    return 0;
}

/* ------------------------------------------------------------------------
 * The entry points
 * --------------------------------------------------------------------- */

enum cs_status cs_currency_after_table(struct loader *L, enum cs_table t)
{
    const char *opt = L->opt->currency;
    if (t == CS_T_RATES) {
        bool present = L->ds->counts[CS_T_RATES].present;
        if (!present && !opt)
            return CS_OK;
        uint16_t option = opt ? cs_currency_code(opt, strlen(opt)) : 0;
        if (opt && !option)
            return cs_error_set(L->err, CS_ERR_USAGE, NULL, 0, NULL,
                                "--currency takes an ISO 4217 code such as EUR, not \"%s\"",
                                strlen(opt) < 40 ? opt : "...");
        if (!state(L))
            return cs_load_oom(L);
        if (present)
            return rates_read(L, option);
        set_corporate(L, option, FROM_OPTION);
        return CS_OK;
    }
    if ((t == CS_T_DEALS || t == CS_T_COMMISSIONS) && L->cur && !L->cur->rates && L->cur->rows)
        return codes_read(L);
    if (t == CS_T_COMMISSIONS && L->cur && (L->cur->converted[0] || L->cur->converted[1]) &&
        summarise(L) != 0)
        return cs_load_oom(L);
    return CS_OK;
}

/* The rate of code on day, NAN when none applies. */
static double rate_on(const struct cs_currency *cur, uint16_t code, int32_t day)
{
    uint16_t s = cur->slot[code];
    if (!s)
        return NAN;
    const struct entry *en = &cur->entry[s - 1];
    if (day != CS_NO_DATE && en->n) {
        /* the last range starting on or before day */
        const int32_t *start = cur->start + en->first;
        size_t lo = 0, hi = en->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (start[mid] <= day)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo && day < cur->next[en->first + lo - 1])
            return cur->rate[en->first + lo - 1];
    }
    return en->undated;
}

int cs_currency_convert(struct loader *L, uint16_t code, int32_t day, double *amount,
                        double *rate)
{
    struct cs_currency *cur = state(L);
    if (!cur)
        return -1;
    if (!cur->rates) {
        /* nothing converts; the codes are checked once the file is read */
        if (!cur->rows && !(cur->rows = calloc(N_CODES, sizeof *cur->rows)))
            return -1;
        cur->rows[code]++;
        return 0;
    }
    if (code == cur->corporate || isnan(*amount))
        return 0;
    *rate = rate_on(cur, code, day);
    if (isnan(*rate))
        return CS_CURRENCY_NO_RATE;
    double converted = *amount / *rate;
    if (!isfinite(converted))
        return CS_CURRENCY_TOO_LARGE;
    *amount = converted;
    uint32_t **count = &cur->converted[L->t == CS_T_COMMISSIONS];
    if (!*count && !(*count = calloc(N_CODES, sizeof **count)))
        return -1;
    (*count)[code]++;
    return 0;
}
