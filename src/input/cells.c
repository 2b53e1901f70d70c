/* cells.c - the importer's cells: the file's settings, the header matched to the schema, each cell mapped, trimmed and parsed by kind. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "currency.h"
#include "encoding.h"
#include "loader.h"

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool header_eq(const char *s, size_t len, const char *name)
{
    trim(&s, &len);
    return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* ------------------------------------------------------------------------
 * The file's settings (SPEC 12: the command line, then the map, then the
 * default)
 * --------------------------------------------------------------------- */

void cs_cells_settings(struct loader *L)
{
    const struct cs_load_options *o = L->opt;
    const struct cs_map *map = o->map;
    enum cs_table t = L->t;
    int df = cs_map_date_format(map, t), dc = cs_map_decimal_comma(map, t);
    L->date_format = o->date_format_given || df < 0 ? o->date_format : (enum cs_date_format)df;
    L->decimal_comma = o->decimal_comma_given || dc < 0 ? o->decimal_comma : dc != 0;
    int enc = o->encoding ? o->encoding : cs_map_encoding(map, t);
    L->encoding = enc ? enc : CS_ENC_AUTO;
    L->reread = L->encoding == CS_ENC_AUTO && L->file_index < 64 &&
                (L->force_cp1252[t] >> L->file_index & 1);
    if (L->reread)
        L->encoding = CS_ENC_WINDOWS_1252;     /* found so after the file was read as UTF-8 */
    int d = o->delimiter ? o->delimiter : cs_map_delimiter(map, t);
    L->delimiter = d && d != CS_DELIM_AUTO ? d : CS_CSV_DELIM_AUTO;
    L->escape = cs_map_escape(map, t) == 1;
    L->null_text = cs_map_null(map, t);
    L->null_len = L->null_text ? strlen(L->null_text) : 0;
    L->n_excl = cs_map_excludes(map, t);
    if (L->n_excl > MAX_EXCLUDES)
        L->n_excl = MAX_EXCLUDES;
    for (size_t c = 0; c < L->def->n_columns && c < MAX_COLS; c++)
        L->bound[c] = cs_schema_bounds(t, (int)c);
    L->day_min = cs_days_from_civil(CS_MIN_YEAR, 1, 1);
    L->day_max = cs_days_from_civil(CS_MAX_YEAR, 12, 31);
    memset(&L->stats, 0, sizeof L->stats);
}

/* ------------------------------------------------------------------------
 * Header
 * --------------------------------------------------------------------- */

/* A header field as text to match: converted from the file's single-byte
 * encoding when it is not UTF-8 (into buf, 3 * len + 1 bytes), else as it
 * is.  *converted says whether it was; *high whether it had bytes >= 0x80. */
static const char *header_text(struct loader *L, struct cs_recode *rc, const char *s, size_t *len,
                               char *buf, bool *converted, bool *high)
{
    *converted = false;
    *high = cs_has_high(s, *len);
    if (!*high || !rc || (L->encoding == CS_ENC_AUTO && cs_utf8_valid(s, *len)))
        return s;
    size_t n = cs_recode(rc, s, *len, buf);
    if (n == (size_t)-1)
        return s;
    buf[n] = '\0';
    *len = n;
    *converted = true;
    return buf;
}

/* The message for a required column the header lacks, with what the
 * header says about why: another delimiter, UTF-16 text. */
static void missing_column(struct loader *L, const struct cs_csv_record *rec, const char *want,
                           bool unread, struct cs_error *err)
{
    char quoted[128], why[300] = "";
    cs_quote_bytes(quoted, sizeof quoted, want, strlen(want));
    if (unread) {
        snprintf(why, sizeof why, " (the map reads no header for it, \"= -\", and gives it no "
                                  "default)");
    } else if (rec && rec->n == 1) {
        for (size_t k = 0; k < 4; k++) {
            static const char cands[4] = {',', ';', '\t', '|'};
            char d = cands[k];
            if (d != rec->delimiter && memchr(rec->field[0], d, rec->len[0])) {
                snprintf(why, sizeof why, "; the header is one field holding %s: is the "
                         "delimiter %s? (--delimiter %s, or delimiter = %s in the map)",
                         d == '\t' ? "tabs" : d == ';' ? "semicolons" : d == ',' ? "commas" : "pipes",
                         d == '\t' ? "a tab" : d == ';' ? "';'" : d == ',' ? "','" : "'|'",
                         d == '\t' ? "tab" : d == ';' ? "';'" : d == ',' ? "," : "'|'",
                         d == '\t' ? "tab" : d == ';' ? "semicolon" : d == ',' ? "," : "|");
                break;
            }
        }
    }
    if (!why[0] && rec) {
        for (size_t f = 0; f < rec->n && !why[0]; f++)
            if (memchr(rec->field[f], '\0', rec->len[f]))
                snprintf(why, sizeof why, " (the header holds NUL bytes: is the file UTF-16? "
                                          "save it as CSV UTF-8)");
    }
    cs_error_set(err, CS_ERR_INPUT, L->name, rec ? rec->line : 1, NULL,
                 "required column %s is missing from the header%s", quoted, why);
}

/* The per-column masks of struct loader, once the header is matched.
 * SPEC 12: is_won (and is_closed) decide the stage when is_won is read. */
static void column_masks(struct loader *L)
{
    const struct cs_map *map = L->opt->map;
    uint32_t skip = 0, required = 0;
    L->stage_flags = false;
    if (L->t == CS_T_DEALS) {
        int won = cs_schema_find_column(CS_T_DEALS, "is_won");
        int stage = cs_schema_find_column(CS_T_DEALS, "stage");
        if (won >= 0 && stage >= 0 && (L->field_of[won] >= 0 || L->dflt[won])) {
            L->stage_flags = true;
            skip |= 1u << stage;
        }
    }
    L->mapped = L->use_dflt = L->use_blank = L->absent = 0;
    for (size_t c = 0; c < L->def->n_columns; c++) {
        uint32_t bit = 1u << c;
        if (L->def->columns[c].required && !(skip & bit))
            required |= bit;
        if (cs_map_has_values(map, L->t, (int)c))
            L->mapped |= bit;
        if (L->field_of[c] < 0 && L->dflt[c])
            L->use_dflt |= bit;
        if (L->blank[c])
            L->use_blank |= bit;
        if (L->field_of[c] < 0 && !(L->use_dflt & bit) && !(L->use_blank & bit) &&
            !(required & bit) && !(skip & bit))
            L->absent |= bit;
    }
    L->skip = skip;
    L->required = required;
    size_t ncol = L->def->n_columns;
    L->active = (ncol < 32 ? (1u << ncol) - 1 : ~0u) & ~(L->absent | skip);
    L->rare = L->use_dflt | (L->null_text ? ~0u : 0);
    L->lists = L->mapped | L->use_blank;
}

/* The header as evidence of the encoding: a column read whose header
 * is not UTF-8 makes the file Windows-1252; one whose header is UTF-8
 * beyond ASCII commits it to UTF-8 (SPEC 12, encoding = auto). */
static void encoding_evidence(struct loader *L, struct cs_source *so, const bool *conv,
                              const bool *high)
{
    for (size_t c = 0; c < L->def->n_columns; c++) {
        int f = L->field_of[c];
        if (f < 0 || !high[f])
            continue;
        if (conv[f]) {
            L->encoding = CS_ENC_WINDOWS_1252;
            so->encoding_detected = true;
            return;
        }
        L->header_utf8 = true;
    }
}

/* A header read for a column that the file has twice, once trimmed and
 * with case ignored (`amount` and ` Amount `): which one holds the values
 * cannot be told, so the file is refused naming both, rather than the
 * first silently read.  Fields no column reads may repeat.  1 with err
 * set, else 0. */
static int duplicate_header(struct loader *L, const struct cs_csv_record *rec,
                            const char *const *text, const size_t *tlen, struct cs_error *err)
{
    for (size_t c = 0; c < L->def->n_columns; c++) {
        int f = L->field_of[c];
        if (f < 0)
            continue;
        const char *want = cs_map_header(L->opt->map, L->t, (int)c);
        if (!want)
            want = L->def->columns[c].name;
        for (size_t g = (size_t)f + 1; g < L->header_fields; g++) {
            if (!header_eq(text[g], tlen[g], want))
                continue;
            char w[128], a[128], b[128];
            bool row = L->ds->sources[L->src].header_row;
            cs_quote_bytes(w, sizeof w, want, strlen(want));
            cs_quote_bytes(a, sizeof a, text[f], tlen[f]);
            cs_quote_bytes(b, sizeof b, text[g], tlen[g]);
            cs_error_set(err, CS_ERR_INPUT, L->name, rec->line, L->def->columns[c].name,
                         "the %s has %s twice: column %d %s and column %zu %s (the same once "
                         "spaces are trimmed and case ignored): which one to read cannot be "
                         "told; rename or remove one", row ? "header" : "map's header = list",
                         w, f + 1, a, g + 1, b);
            return 1;
        }
    }
    return 0;
}

int cs_cells_header(struct loader *L, const struct cs_csv_record *rec, struct cs_error *err)
{
    const struct cs_map *map = L->opt->map;
    struct cs_source *so = &L->ds->sources[L->src];
    struct cs_recode *rc = NULL;
    char **text = NULL;          /* the header's fields as matched */
    size_t *tlen = NULL;
    bool *conv = NULL, *high = NULL;
    int ret = -1;
    size_t nf = rec->n;
    L->header_fields = nf;
    text = calloc(nf ? nf : 1, sizeof *text);
    tlen = calloc(nf ? nf : 1, sizeof *tlen);
    conv = calloc(nf ? nf : 1, sizeof *conv);
    high = calloc(nf ? nf : 1, sizeof *high);
    if (!text || !tlen || !conv || !high)
        goto oom;
    if (L->encoding != CS_ENC_UTF8)
        rc = cs_recode_new(L->encoding == CS_ENC_ISO_8859_1 ? CS_ENC_ISO_8859_1
                                                            : CS_ENC_WINDOWS_1252);
    for (size_t f = 0; f < nf; f++) {
        size_t len = rec->len[f];
        char *buf = malloc(3 * len + 1);
        if (!buf)
            goto oom;
        const char *s = header_text(L, rc, rec->field[f], &len, buf, &conv[f], &high[f]);
        if (s != buf)
            memcpy(buf, s, len);
        buf[len] = '\0';
        text[f] = buf;
        tlen[f] = len;
    }

    /* the columns */
    for (size_t c = 0; c < L->def->n_columns; c++) {
        const struct cs_column_def *col = &L->def->columns[c];
        const char *want = cs_map_header(map, L->t, (int)c);
        bool unread = cs_map_unread(map, L->t, (int)c);
        if (!want)
            want = col->name;
        L->field_of[c] = -1;
        for (size_t f = 0; f < nf && !unread; f++) {
            if (header_eq(text[f], tlen[f], want)) {
                L->field_of[c] = (int)f;
                break;
            }
        }
        L->dflt[c] = cs_map_default(map, L->t, (int)c);
        L->blank[c] = cs_map_blank(map, L->t, (int)c);
        int f = L->field_of[c];
        if (f >= 0) {
            const char *h = text[f];
            size_t hl = tlen[f];
            trim(&h, &hl);
            if (!(so->header[c] = strndup(h, hl)))
                goto oom;
        }
    }
    if (duplicate_header(L, rec, (const char *const *)text, tlen, err))
        goto out;
    column_masks(L);
    for (size_t c = 0; c < L->def->n_columns; c++) {
        if (L->field_of[c] < 0 && (L->required >> c & 1) && !L->dflt[c]) {
            const char *want = cs_map_header(map, L->t, (int)c);
            missing_column(L, so->header_row ? rec : NULL, want ? want : L->def->columns[c].name,
                           cs_map_unread(map, L->t, (int)c), err);
            goto out;
        }
    }
    /* exclude.HEADER */
    for (size_t i = 0; i < L->n_excl; i++) {
        const char *want = cs_map_exclude_header(map, L->t, i);
        L->excl_field[i] = -1;
        for (size_t f = 0; f < nf; f++)
            if (header_eq(text[f], tlen[f], want)) {
                L->excl_field[i] = (int)f;
                break;
            }
    }

    if (L->encoding == CS_ENC_AUTO && so->header_row)
        encoding_evidence(L, so, conv, high);
    L->header_done = true;
    ret = 0;
    goto out;
oom:
    cs_error_set(err, CS_ERR_NOMEM, L->name, rec->line, NULL, "out of memory");
out:
    for (size_t f = 0; text && f < nf; f++)
        free(text[f]);
    free(text);
    free(tlen);
    free(conv);
    free(high);
    cs_recode_free(rc);
    return ret;
}

/* ------------------------------------------------------------------------
 * Cells: map, trim, check the bytes, parse by kind
 * --------------------------------------------------------------------- */

static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *kind, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reject the row on column: msg formatted from fmt; kind is what groups it
 * (struct cs_reject: fmt itself, or NULL to group by the text). */
static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, REJECT_MSG, fmt, ap);
    va_end(ap);
    pr->rej_col = column;
    pr->rej_kind = kind;
    return 1;
}

#define REJECT(kind_, ...) parse_reject(pr, msg, col->name, kind_, __VA_ARGS__)

static const char *const date_expected[3] = {
    [CS_DATE_ISO] = "expected YYYY-MM-DD",
    [CS_DATE_US] = "expected M/D/YYYY",
    [CS_DATE_EU] = "expected D/M/YYYY or D.M.YYYY",
};

/* A date that does not read in the file's format: count it by the formats
 * it reads in (for the refusal and the hint), the first one kept. */
static void date_failed(const struct loader *L, struct file_stats *st, size_t c, unsigned reads,
                        unsigned long line, const char *s, size_t len)
{
    if (!st)
        return;
    if (st->date_fail[c][0]++ == 0) {
        st->first_fail_line[c] = line;
        size_t n = len < sizeof st->first_fail[c] - 1 ? len : sizeof st->first_fail[c] - 1;
        memcpy(st->first_fail[c], s, n);
        st->first_fail[c][n] = '\0';
    }
    for (int f = CS_DATE_ISO; f <= CS_DATE_EU; f++)
        if (reads >> f & 1)
            st->date_fail[c][f + 1]++;
    (void)L;
}

/* A cell that is blank (or not this row's business). */
static void blank_cell(struct cell *cell)
{
    cell->str.len = 0;
    cell->str.id = 0;
    cell->blank = true;
    cell->hashed = false;
    cell->num = NAN;
    cell->day = CS_NO_DATE;
    cell->period = CS_NO_PERIOD;
    cell->en = -1;
}

/*
 * The text s[0..len) of column c (not blank) into cell, by the column's
 * kind: 0, or 1 with the reject in pr and msg.  Inlined into its one
 * caller: called apart, it cost the import 7% more instructions.
 */
__attribute__((always_inline)) static inline int
parse_kind(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG], struct file_stats *st,
           size_t c, const struct cs_column_def *col, struct cell *cell, const char *s, size_t len,
           enum cs_date_format date_format, bool decimal_comma)
{
    char q[128];
    switch (col->kind) {
    case CS_K_ID:
    case CS_K_TEXT:
        /* Interned later, once the row is known to be good: a rejected
         * row must not grow the string pool.  Hashed here, on either
         * thread, so that the loader only looks it up. */
        cell->str.hash = cs_strpool_hash(s, len);
        cell->hashed = true;
        break;
    case CS_K_NUMBER:
    case CS_K_PERCENT:
        if (!cs_parse_number(s, len, decimal_comma, col->kind == CS_K_PERCENT, &cell->num)) {
            if (st) {
                double other;
                st->number_fail[c]++;
                st->number_other_mark[c] += cs_parse_number(s, len, !decimal_comma,
                                                            col->kind == CS_K_PERCENT, &other);
            }
            return REJECT("not a number: %s", "not a number: %s",
                          cs_quote_bytes(q, sizeof q, s, len));
        }
        if (!(fabs(cell->num) <= L->bound[c].max_abs) ||
            (cell->num > 0 && cell->num < L->bound[c].min_pos))
            return REJECT("beyond the plausible range (%s): %s",
                          "beyond the plausible range (%s): %s", L->bound[c].range,
                          cs_quote_bytes(q, sizeof q, s, len));
        break;
    case CS_K_DATE: {
        unsigned reads;
        if (!cs_parse_date_ex(s, len, date_format, &cell->day, &reads)) {
            date_failed(L, st, c, reads, pr->line, s, len);
            return REJECT("not a date (%s): %s", "not a date (%s): %s",
                          date_expected[date_format], cs_quote_bytes(q, sizeof q, s, len));
        }
        if ((cell->day < L->day_min || cell->day > L->day_max) &&
            !(L->bound[c].open_ends && (cell->day == cs_days_from_civil(1, 1, 1) ||
                                        cell->day == cs_days_from_civil(9999, 12, 31))))
            return REJECT("outside the plausible years %d to %d%s: %s",
                          "outside the plausible years %d to %d%s: %s", CS_MIN_YEAR, CS_MAX_YEAR,
                          L->bound[c].open_ends ? " (0001-01-01 and 9999-12-31 stand for an "
                                                  "open end)" : "",
                          cs_quote_bytes(q, sizeof q, s, len));
        /* a M/D date no D/M reading could give (or the reverse) */
        if (st && date_format != CS_DATE_ISO && reads == 1u << date_format)
            st->date_only_chosen[c]++;
        break;
    }
    case CS_K_PERIOD:
        if (!cs_parse_period(s, len, &cell->period))
            return REJECT("not a period label (expected e.g. 2026Q3 or 2026): %s",
                          "not a period label (expected e.g. 2026Q3 or 2026): %s",
                          cs_quote_bytes(q, sizeof q, s, len));
        break;
    case CS_K_ENUM:
        cell->en = cs_schema_enum_value(L->t, (int)c, s, len);
        if (cell->en < 0) {
            char expected[160] = "";
            size_t o = 0;
            for (int v = 0; col->enum_values[v]; v++)
                o += (size_t)snprintf(expected + o, sizeof expected - o, "%s%s",
                                      v ? ", " : "", col->enum_values[v]);
            /* grouped by text: each value the map lacks is its own reason */
            return REJECT(NULL, "unknown value %s (expected %s)",
                          cs_quote_bytes(q, sizeof q, s, len), expected);
        }
        break;
    case CS_K_BOOL:
        cell->en = cs_parse_bool(s, len);
        if (cell->en < 0)
            return REJECT("not true or false: %s", "not true or false: %s",
                          cs_quote_bytes(q, sizeof q, s, len));
        break;
    case CS_K_CURRENCY:
        if (!(cell->code = cs_currency_code(s, len)))
            return REJECT("not an ISO 4217 currency code (three letters, such as EUR): %s",
                          "not an ISO 4217 currency code (three letters, such as EUR): %s",
                          cs_quote_bytes(q, sizeof q, s, len));
        break;
    }
    return 0;
}

int cs_cells_parse(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG],
                   struct file_stats *st, bool utf8)
{
    pr->rej_col = NULL;
    pr->rej_kind = NULL;
    const struct cs_map *map = L->opt->map;
    /* The file's settings in locals: the stores to the cells below could
     * otherwise alias them, and each would be read again for every cell.
     * Columns are visited in order, so a row is rejected on its first
     * bad column. */
    const uint32_t bad = pr->nul_cols | pr->enc_cols, quiet = L->absent | L->skip;
    const uint32_t mapped = L->mapped, required = L->required, use_dflt = L->use_dflt,
                   use_blank = L->use_blank;
    const char *const null_text = L->null_text;
    const size_t null_len = L->null_len;
    const struct cs_column_def *const cols = L->def->columns;
    /* What most cells never need, tested once a cell: a default, bad
     * bytes, a null marker (rare); value lists, COLUMN.blank (lists). */
    const uint32_t rare = L->rare | bad, lists = L->lists, active = L->active;
    const enum cs_date_format date_format = L->date_format;
    const bool decimal_comma = L->decimal_comma;
    /* no text and no default: blank in every row (or not read at all) */
    for (uint32_t m = quiet; m; m &= m - 1)
        blank_cell(&pr->cell[__builtin_ctz(m)]);
    for (uint32_t m = active; m; m &= m - 1) {
        const size_t c = (size_t)__builtin_ctz(m);
        const struct cs_column_def *col = &cols[c];
        struct cell *cell = &pr->cell[c];
        const char *s = cell->str.s;
        size_t len = cell->str.len;
        trim(&s, &len);
        if (rare >> c & 1) {
            /* SPEC 12: a null marker is a blank cell */
            if (null_text && len == null_len && memcmp(s, null_text, len) == 0)
                len = 0;
            /* SPEC 3: a default stands in for a column the export does not
             * have; a blank cell of a column it has stays blank. */
            if (use_dflt >> c & 1) {
                s = L->dflt[c];
                len = strlen(s);
            }
            if (bad >> c & 1) {
                if (pr->nul_cols >> c & 1)
                    return REJECT("NUL byte in the value", "NUL byte in the value");
                return REJECT("not Windows-1252 text (a byte that is no character of it)",
                              "not Windows-1252 text (a byte that is no character of it)");
            }
        }
        if (!utf8 && len && !cs_utf8_valid(s, len))
            return REJECT("invalid UTF-8", "invalid UTF-8");
        if (lists >> c & 1) {
            if (len && (mapped >> c & 1)) {
                const char *v = cs_map_value(map, L->t, (int)c, s, len);
                if (v) {
                    s = v;
                    len = strlen(s);
                }
            }
            /* SPEC 12: COLUMN.blank = VALUE */
            if (!len && (use_blank >> c & 1)) {
                s = L->blank[c];
                len = strlen(s);
            }
        }
        if (!len) {
            blank_cell(cell);
            cell->str.s = s;
            if (required >> c & 1)
                return REJECT("required value is missing", "required value is missing");
            continue;
        }
        cell->str.s = s;
        cell->str.len = len;
        cell->blank = false;
        cell->num = NAN;
        cell->day = CS_NO_DATE;
        cell->period = CS_NO_PERIOD;
        cell->en = -1;
        cell->code = 0;
        cell->str.id = 0;
        cell->hashed = false;
        if (parse_kind(L, pr, msg, st, c, col, cell, s, len, date_format, decimal_comma))
            return 1;
    }
    return 0;
}
