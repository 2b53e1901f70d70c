/* mapkeys.c - the keys of a --map section (SPEC 3 and 12) as inih hands them over: checked and stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapdata.h"

/* ------------------------------------------------------------------------
 * The key handler inih calls
 * --------------------------------------------------------------------- */

static struct map_col *cols_of(struct ctx *C)
{
    struct map_table *T = &C->map->t[C->table];
    if (!T->cols) {
        size_t n = cs_schema_table((enum cs_table)C->table)->n_columns;
        T->cols = calloc(n, sizeof *T->cols);
    }
    return T->cols;
}

static bool duplicate(struct ctx *C, const char *key, unsigned long first)
{
    char qk[128];
    return fail(C, CS_ERR_INPUT, C->lineno, "duplicate key %s in section [%s] (first on line %lu)",
                q(qk, sizeof qk, key, strlen(key)), section_name(C), first);
}

static bool add_items(struct ctx *C, const char *value, bool first);

/* The most files one `file =` key may list. */
#define MAX_FILES 64

/* One file name of a `file =` list. */
static bool add_file(struct ctx *C, const char *value, size_t n)
{
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    bool bad = memchr(value, '/', n) || memchr(value, '\\', n) ||
               (n >= 2 && memmem(value, n, "..", 2)) || (n == 1 && value[0] == '.');
    for (size_t i = 0; i < n && !bad; i++)
        bad = (unsigned char)value[i] < 0x20 || value[i] == 0x7f;
    if (bad)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "file name %s in section [%s] must be a plain file name in the data directory "
                    "(no \"/\", \"\\\" or \"..\")", q(qv, sizeof qv, value, n), section_name(C));
    if (T->files.n == MAX_FILES)
        return fail(C, CS_ERR_INPUT, C->lineno, "more than %d files for key \"file\" in section [%s]",
                    MAX_FILES, section_name(C));
    return names_push(&T->files, value, n) || fail_nomem(C);
}

/* Start a list key of the current section: `file`, `header`. */
static bool start_names(struct ctx *C, const char *key, struct names *nm, enum list_kind kind,
                        const char *value)
{
    if (nm->line)
        return duplicate(C, key, nm->line);
    nm->line = C->lineno;
    C->last = KEY_LIST;
    C->list = kind;
    return add_items(C, value, true);
}

static bool set_encoding(struct ctx *C, const char *key, const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    if (T->encoding_line)
        return duplicate(C, key, T->encoding_line);
    size_t n = strlen(value);
    T->encoding = cs_encoding_parse(value, n);
    if (T->encoding == CS_ENC_UNSET)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad encoding %s in section [%s] (expected auto, utf-8, windows-1252 or "
                    "iso-8859-1)", q(qv, sizeof qv, value, n), section_name(C));
    T->encoding_line = C->lineno;
    return true;
}

static bool set_delimiter(struct ctx *C, const char *key, const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    if (T->delimiter_line)
        return duplicate(C, key, T->delimiter_line);
    size_t n = strlen(value);
    int d = cs_delimiter_parse(value, n);
    if (d == 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad delimiter %s in section [%s] (expected auto, \",\", \";\", tab or \"|\"; "
                    "also comma, semicolon, pipe)", q(qv, sizeof qv, value, n), section_name(C));
    T->delimiter = d;
    T->delimiter_line = C->lineno;
    return true;
}

static bool set_null(struct ctx *C, const char *key, const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    if (T->null_line)
        return duplicate(C, key, T->null_line);
    size_t n = strlen(value);
    if (n == 0)
        return fail(C, CS_ERR_INPUT, C->lineno, "empty value for key \"null\" in section [%s]",
                    section_name(C));
    if (!(T->null_text = dup_n(value, n)))
        return fail_nomem(C);
    T->null_line = C->lineno;
    return true;
}

static bool set_escape(struct ctx *C, const char *key, const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    if (T->escape_line)
        return duplicate(C, key, T->escape_line);
    size_t n = strlen(value);
    if (cs_word_eq(value, n, "backslash"))
        T->escape = 1;
    else if (cs_word_eq(value, n, "none"))
        T->escape = 0;
    else
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad escape %s in section [%s] (expected backslash or none)",
                    q(qv, sizeof qv, value, n), section_name(C));
    T->escape_line = C->lineno;
    return true;
}

/* `exclude.HEADER = A, B` */
static bool start_exclude(struct ctx *C, const char *key, const char *header, size_t hlen,
                          const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    if (hlen == 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "missing header after \"exclude.\" in key %s in section [%s]",
                    C->last_key, section_name(C));
    for (size_t i = 0; i < T->n_excl; i++)
        if (cmp_fold(T->excl[i].header, strlen(T->excl[i].header), header, hlen) == 0)
            return duplicate(C, key, T->excl[i].values.line);
    if (!grow((void **)&T->excl, &T->cap_excl, T->n_excl, sizeof *T->excl))
        return fail_nomem(C);
    struct exclude *e = &T->excl[T->n_excl];
    memset(e, 0, sizeof *e);
    if (!(e->header = dup_n(header, hlen)))
        return fail_nomem(C);
    e->values.line = C->lineno;
    C->last_excl = T->n_excl++;
    C->last = KEY_LIST;
    C->list = LIST_EXCLUDE;
    return add_items(C, value, true);
}

static bool set_date_format(struct ctx *C, const char *key, const char *value)
{
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    if (T->date_format_line)
        return duplicate(C, key, T->date_format_line);
    size_t n = strlen(value);
    if (cs_word_eq(value, n, "iso"))
        T->date_format = CS_DATE_ISO;
    else if (cs_word_eq(value, n, "us"))
        T->date_format = CS_DATE_US;
    else if (cs_word_eq(value, n, "eu"))
        T->date_format = CS_DATE_EU;
    else
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad date_format %s in section [%s] (expected iso, us or eu)",
                    q(qv, sizeof qv, value, n), section_name(C));
    T->date_format_line = C->lineno;
    return true;
}

static bool set_decimal_comma(struct ctx *C, const char *key, const char *value)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    struct map_table *T = &C->map->t[C->table];
    char qv[128];
    if (T->decimal_comma_line)
        return duplicate(C, key, T->decimal_comma_line);
    size_t n = strlen(value);
    for (int i = 0; i < 3; i++) {
        if (cs_word_eq(value, n, yes[i]))
            T->decimal_comma = 1;
        else if (cs_word_eq(value, n, no[i]))
            T->decimal_comma = 0;
    }
    if (T->decimal_comma < 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad decimal_comma %s in section [%s] (expected true, false, yes, no, 1 or 0)",
                    q(qv, sizeof qv, value, n), section_name(C));
    T->decimal_comma_line = C->lineno;
    return true;
}

static bool set_header(struct ctx *C, const char *key, int c, const char *value)
{
    struct map_col *col = cols_of(C);
    char qk[128];
    if (!col)
        return fail_nomem(C);
    col += c;
    if (col->header_line)
        return duplicate(C, key, col->header_line);
    if (!*value)
        return fail(C, CS_ERR_INPUT, C->lineno, "empty header for key %s in section [%s]",
                    q(qk, sizeof qk, key, strlen(key)), section_name(C));
    col->header_line = C->lineno;
    if (strcmp(value, "-") == 0) {       /* read no header for this column */
        col->unread = true;
        return true;
    }
    if (!(col->header = dup_n(value, strlen(value))))
        return fail_nomem(C);
    return true;
}

/* COLUMN.default = VALUE (blank false) or COLUMN.blank = VALUE (blank true). */
static bool set_default(struct ctx *C, const char *key, int c, const char *value, bool blank)
{
    const struct cs_column_def *def = &cs_schema_table((enum cs_table)C->table)->columns[c];
    struct map_col *col = cols_of(C);
    char qk[128], qv[128], list[128];
    if (!col)
        return fail_nomem(C);
    col += c;
    char **slot = blank ? &col->blank : &col->dflt;
    unsigned long *line = blank ? &col->blank_line : &col->dflt_line;
    if (*line)
        return duplicate(C, key, *line);
    size_t n = strlen(value);
    if (n == 0)
        return fail(C, CS_ERR_INPUT, C->lineno, "empty value for key %s in section [%s]",
                    q(qk, sizeof qk, key, strlen(key)), section_name(C));
    if (def->kind == CS_K_ENUM) {
        int v = cs_schema_enum_value((enum cs_table)C->table, c, value, n);
        if (v < 0)
            return fail(C, CS_ERR_INPUT, C->lineno,
                        "bad value %s for key %s in section [%s] (%s is %s)",
                        q(qv, sizeof qv, value, n), q(qk, sizeof qk, key, strlen(key)),
                        section_name(C), def->name, enum_list(list, sizeof list, def));
        value = def->enum_values[v];
        n = strlen(value);
    }
    if (def->kind == CS_K_BOOL && cs_parse_bool(value, n) < 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "bad value %s for key %s in section [%s] (%s is true or false)",
                    q(qv, sizeof qv, value, n), q(qk, sizeof qk, key, strlen(key)),
                    section_name(C), def->name);
    if (!(*slot = dup_n(value, n)))
        return fail_nomem(C);
    *line = C->lineno;
    return true;
}

/* One item of the list being read (C->list). */
static bool add_item(struct ctx *C, const char *item, size_t len)
{
    struct map_table *T = &C->map->t[C->table];
    switch (C->list) {
    case LIST_FILES:
        return add_file(C, item, len);
    case LIST_HEADER:
        return names_push(&T->header, item, len) || fail_nomem(C);
    case LIST_EXCLUDE:
        return names_push(&T->excl[C->last_excl].values, item, len) || fail_nomem(C);
    case LIST_VALUES:
        break;
    }
    struct map_col *col = &T->cols[C->last_col];
    if (!grow((void **)&col->vals, &col->cap_vals, col->n_vals, sizeof *col->vals))
        return fail_nomem(C);
    struct vmap *m = &col->vals[col->n_vals];
    if (!(m->from = dup_n(item, len)))
        return fail_nomem(C);
    m->len = len;
    m->group = C->last_group;
    m->line = C->lineno;
    col->n_vals++;
    return true;
}

/* Append the comma-separated items of one line to the list being read
 * (C->list).  A line may end with a comma (the list goes on on the next
 * line); any other empty item is an error. */
static bool add_items(struct ctx *C, const char *value, bool first)
{
    const char *s = value;
    size_t items = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        const char *item = s;
        trim(&item, &len);
        if (len == 0) {
            if (!comma && items > 0)
                break;
            if (first && !comma && items == 0)
                return fail(C, CS_ERR_INPUT, C->lineno, "empty value list for key %s in section [%s]",
                            C->last_key, section_name(C));
            return fail(C, CS_ERR_INPUT, C->lineno,
                        "empty item in the value list of key %s in section [%s]",
                        C->last_key, section_name(C));
        }
        if (!add_item(C, item, len))
            return false;
        items++;
        if (!comma)
            break;
        s = comma + 1;
    }
    return true;
}

static bool start_list(struct ctx *C, const char *key, int c, const char *sub, size_t sublen,
                       const char *value)
{
    const struct cs_column_def *def = &cs_schema_table((enum cs_table)C->table)->columns[c];
    struct map_col *col = cols_of(C);
    char qv[128], qk[128], list[128];
    if (!col)
        return fail_nomem(C);
    col += c;
    const char *to = sub;
    size_t tolen = sublen;
    if (def->kind == CS_K_ENUM) {
        int v = cs_schema_enum_value((enum cs_table)C->table, c, sub, sublen);
        if (v < 0)
            return fail(C, CS_ERR_INPUT, C->lineno,
                        "unknown value %s in key %s in section [%s] (%s is %s)",
                        q(qv, sizeof qv, sub, sublen), q(qk, sizeof qk, key, strlen(key)),
                        section_name(C), def->name, enum_list(list, sizeof list, def));
        to = def->enum_values[v];
        tolen = strlen(to);
    }
    /* Enumeration values are canonical by now; other VALUEs are data (ids
     * are compared byte for byte), so compare them exactly. */
    for (size_t g = 0; g < col->n_groups; g++)
        if (strlen(col->groups[g].to) == tolen && memcmp(col->groups[g].to, to, tolen) == 0)
            return duplicate(C, key, col->groups[g].line);
    if (!grow((void **)&col->groups, &col->cap_groups, col->n_groups, sizeof *col->groups))
        return fail_nomem(C);
    struct vgroup *g = &col->groups[col->n_groups];
    if (!(g->to = dup_n(to, tolen)))
        return fail_nomem(C);
    g->line = C->lineno;
    C->last = KEY_LIST;
    C->list = LIST_VALUES;
    C->last_col = c;
    C->last_group = col->n_groups++;
    return add_items(C, value, true);
}

/* An indented line inih passes as the continuation of the previous key. */
static bool continue_list(struct ctx *C, const char *value)
{
    if (C->last != KEY_LIST)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "indented line continues key %s in section [%s], but only a list (file, "
                    "header, exclude.HEADER, COLUMN.VALUE = A, B) may go on over lines; remove "
                    "the indentation",
                    C->last_key, section_name(C));
    return add_items(C, value, false);
}

int map_on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct ctx *C = user;
    char qc[128], list[256];
    (void)section;              /* the reader tracks sections itself */
    if (C->failed)
        return 0;
    if (C->cont)
        return continue_list(C, value);

    size_t klen = strlen(name);
    C->last = KEY_OTHER;
    q(C->last_key, sizeof C->last_key, name, klen);
    if (C->table < 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "key %s before the first section (put it under [deals] or another table)",
                    C->last_key);
    if (klen == 0)
        return fail(C, CS_ERR_INPUT, C->lineno, "missing key before \"=\" in section [%s]",
                    section_name(C));

    struct map_table *T = &C->map->t[C->table];
    const char *dot = memchr(name, '.', klen);
    if (!dot) {
        if (cs_word_eq(name, klen, "file"))
            return start_names(C, name, &T->files, LIST_FILES, value);
        if (cs_word_eq(name, klen, "date_format"))
            return set_date_format(C, name, value);
        if (cs_word_eq(name, klen, "decimal_comma"))
            return set_decimal_comma(C, name, value);
        if (cs_word_eq(name, klen, "encoding"))
            return set_encoding(C, name, value);
        if (cs_word_eq(name, klen, "delimiter"))
            return set_delimiter(C, name, value);
        if (cs_word_eq(name, klen, "header"))
            return start_names(C, name, &T->header, LIST_HEADER, value);
        if (cs_word_eq(name, klen, "null"))
            return set_null(C, name, value);
        if (cs_word_eq(name, klen, "escape"))
            return set_escape(C, name, value);
        int c = find_column_n(C->table, name, klen);
        if (c < 0)
            return fail(C, CS_ERR_INPUT, C->lineno,
                        "unknown key %s in section [%s] (keys are file, date_format, decimal_comma, "
                        "encoding, delimiter, header, null, escape, exclude.HEADER and the columns "
                        "%s)", C->last_key, section_name(C),
                        column_list(list, sizeof list, C->table));
        return set_header(C, name, c, value);
    }

    const char *colname = name, *sub = dot + 1;
    size_t clen = (size_t)(dot - name), sublen = klen - clen - 1;
    trim(&colname, &clen);
    trim(&sub, &sublen);
    if (cs_word_eq(colname, clen, "exclude"))
        return start_exclude(C, name, sub, sublen, value);
    int c = find_column_n(C->table, colname, clen);
    if (c < 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "unknown column %s in key %s in section [%s] (columns are %s)",
                    q(qc, sizeof qc, colname, clen), C->last_key, section_name(C),
                    column_list(list, sizeof list, C->table));
    if (sublen == 0)
        return fail(C, CS_ERR_INPUT, C->lineno,
                    "missing value after \".\" in key %s in section [%s] "
                    "(expected COLUMN.default, COLUMN.blank or COLUMN.VALUE)", C->last_key,
                    section_name(C));
    if (cs_word_eq(sub, sublen, "default"))
        return set_default(C, name, c, value, false);
    if (cs_word_eq(sub, sublen, "blank"))
        return set_default(C, name, c, value, true);
    return start_list(C, name, c, sub, sublen, value);
}

/* ------------------------------------------------------------------------
 * After parsing: sort value lists, find conflicting mappings
 * --------------------------------------------------------------------- */


/*
 * Sort every value list for binary search and report an export value that
 * two lists claim.  The error is the one that shows first in the file (the
 * line of the second mapping), and only counts if it comes before *limit
 * (the line of an error found while parsing, 0 for none).
 */
void map_check_values(struct ctx *C, unsigned long limit)
{
    unsigned long best = 0;
    const struct vmap *first = NULL, *second = NULL;
    int best_t = 0, best_c = 0;
    for (int t = 0; t < CS_T_COUNT; t++) {
        struct map_table *T = &C->map->t[t];
        if (!T->cols)
            continue;
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        for (size_t c = 0; c < def->n_columns; c++) {
            struct map_col *col = &T->cols[c];
            if (col->n_vals > 1)
                qsort(col->vals, col->n_vals, sizeof *col->vals, cmp_vmap);
            for (size_t i = 0, j; i < col->n_vals; i = j) {
                /* The run [i, j) holds one export value, earliest line first. */
                for (j = i + 1; j < col->n_vals &&
                     cmp_fold(col->vals[i].from, col->vals[i].len,
                              col->vals[j].from, col->vals[j].len) == 0; j++) {
                    const struct vmap *v = &col->vals[j];
                    if (v->group != col->vals[i].group && (!best || v->line < best)) {
                        best = v->line;
                        first = &col->vals[i];
                        second = v;
                        best_t = t;
                        best_c = (int)c;
                    }
                }
            }
        }
    }
    if (!best || (limit && best >= limit))
        return;
    const struct map_col *col = &C->map->t[best_t].cols[best_c];
    const struct cs_table_def *def = cs_schema_table((enum cs_table)best_t);
    char qv[128];
    C->failed = false;          /* this one comes first */
    fail(C, CS_ERR_INPUT, best,
         "export value %s of %s is mapped to both \"%s\" (line %lu) and \"%s\" in section [%s]",
         q(qv, sizeof qv, second->from, second->len), def->columns[best_c].name,
         col->groups[first->group].to, first->line, col->groups[second->group].to, def->table);
}

