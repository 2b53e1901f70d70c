/* cells.c - the importer's cells: the header matched to the schema, each cell mapped, trimmed and parsed by kind. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "currency.h"
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
 * Header
 * --------------------------------------------------------------------- */

int cs_cells_header(struct loader *L, const struct cs_csv_record *rec, struct cs_error *err)
{
    const struct cs_map *map = L->opt->map;
    char quoted[128];
    for (size_t c = 0; c < L->def->n_columns; c++) {
        const struct cs_column_def *col = &L->def->columns[c];
        const char *want = cs_map_header(map, L->t, (int)c);
        if (!want)
            want = col->name;
        L->field_of[c] = -1;
        for (size_t f = 0; f < rec->n; f++) {
            if (header_eq(rec->field[f], rec->len[f], want)) {
                L->field_of[c] = (int)f;
                break;
            }
        }
        L->dflt[c] = cs_map_default(map, L->t, (int)c);
        L->mapped[c] = cs_map_has_values(map, L->t, (int)c);
        if (L->field_of[c] < 0 && col->required && !L->dflt[c]) {
            cs_quote_bytes(quoted, sizeof quoted, want, strlen(want));
            cs_error_set(err, CS_ERR_INPUT, L->name, rec->line, NULL,
                         "required column %s is missing from the header", quoted);
            return -1;
        }
    }
    L->header_done = true;
    return 0;
}

/* ------------------------------------------------------------------------
 * Cells: map, trim, check UTF-8, parse by kind
 * --------------------------------------------------------------------- */

static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, REJECT_MSG, fmt, ap);
    va_end(ap);
    pr->rej_col = column;
    return 1;
}

int cs_cells_parse(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG])
{
    pr->rej_col = NULL;
    const struct cs_map *map = L->opt->map;
    char q[128];
    for (size_t c = 0; c < L->def->n_columns; c++) {
        const struct cs_column_def *col = &L->def->columns[c];
        struct cell *cell = &pr->cell[c];
        int f = L->field_of[c];
        const char *s = cell->str.s;
        size_t len = cell->str.len;
        trim(&s, &len);
        /* SPEC 3: a default stands in for a column the export does not
         * have; a blank cell of a column it has stays blank. */
        if (f < 0 && L->dflt[c]) {
            s = L->dflt[c];
            len = strlen(s);
        }
        if (len && !cs_utf8_valid(s, len))
            return parse_reject(pr, msg, col->name, "invalid UTF-8");
        if (len && L->mapped[c]) {
            const char *mapped = cs_map_value(map, L->t, (int)c, s, len);
            if (mapped) {
                s = mapped;
                len = strlen(s);
            }
        }
        cell->str.s = s;
        cell->str.len = len;
        cell->blank = len == 0;
        cell->num = NAN;
        cell->day = CS_NO_DATE;
        cell->period = CS_NO_PERIOD;
        cell->en = -1;
        cell->code = 0;
        cell->str.id = 0;
        cell->hashed = false;
        if (cell->blank) {
            if (col->required)
                return parse_reject(pr, msg, col->name, "required value is missing");
            continue;
        }
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
            if (!cs_parse_number(s, len, L->decimal_comma, col->kind == CS_K_PERCENT, &cell->num))
                return parse_reject(pr, msg, col->name, "not a number: %s",
                              cs_quote_bytes(q, sizeof q, s, len));
            break;
        case CS_K_DATE:
            if (!cs_parse_date(s, len, L->date_format, &cell->day))
                return parse_reject(pr, msg, col->name, "not a date (%s): %s",
                              L->date_format == CS_DATE_US ? "expected M/D/YYYY"
                              : L->date_format == CS_DATE_EU ? "expected D/M/YYYY or D.M.YYYY"
                                                              : "expected YYYY-MM-DD",
                              cs_quote_bytes(q, sizeof q, s, len));
            break;
        case CS_K_PERIOD:
            if (!cs_parse_period(s, len, &cell->period))
                return parse_reject(pr, msg, col->name,
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
                return parse_reject(pr, msg, col->name, "unknown value %s (expected %s)",
                              cs_quote_bytes(q, sizeof q, s, len), expected);
            }
            break;
        case CS_K_CURRENCY:
            if (!(cell->code = cs_currency_code(s, len)))
                return parse_reject(pr, msg, col->name,
                                    "not an ISO 4217 currency code (three letters, such as EUR): %s",
                                    cs_quote_bytes(q, sizeof q, s, len));
            break;
        }
    }
    return 0;
}
