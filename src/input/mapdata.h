/* mapdata.h - the loaded map and the map parser's context, shared by mapfile.c, mapkeys.c, mapquery.c and mapmerge.c (private to input/). */
#ifndef COMPSIGHT_INPUT_MAPDATA_H
#define COMPSIGHT_INPUT_MAPDATA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mapfile.h"
#include "compsight/parse.h"

/*
 * mapfile.c reads a map file line by line into inih, mapkeys.c handles its
 * keys, mapquery.c answers the loader's questions, mapmerge.c combines
 * maps.  The small helpers below are static inline, one copy per file.
 */

/* ------------------------------------------------------------------------
 * The loaded map
 * --------------------------------------------------------------------- */

/* One export value of a `COLUMN.VALUE = A, B` list. */
struct vmap {
    char *from;             /* trimmed export value, NUL-terminated */
    size_t len;
    size_t group;           /* index into map_col.groups */
    unsigned long line;     /* map file line the item is on */
};

/* The tool's VALUE of one `COLUMN.VALUE` key. */
struct vgroup {
    char *to;               /* canonical enumeration value, or VALUE as written */
    unsigned long line;     /* line of the key */
};

struct map_col {
    char *header;           /* COLUMN = HEADER */
    unsigned long header_line;
    bool unread;            /* COLUMN = - (header_line set, header NULL) */
    char *dflt;             /* COLUMN.default = VALUE */
    unsigned long dflt_line;
    char *blank;            /* COLUMN.blank = VALUE */
    unsigned long blank_line;
    struct vgroup *groups;
    size_t n_groups, cap_groups;
    struct vmap *vals;      /* sorted by (folded from, line) once loaded */
    size_t n_vals, cap_vals;
};

/* A list of names (`file = A, B`, `header = A, B`). */
struct names {
    char **v;
    size_t n, cap;
    unsigned long line;           /* of the key; 0 when unset */
};

/* `exclude.HEADER = A, B`: rows whose column HEADER holds A or B. */
struct exclude {
    char *header;
    struct names values;          /* trimmed; matched case-insensitively */
};

struct map_table {
    unsigned long section_line;   /* 0 when the map has no such section */
    struct names files;
    int date_format;              /* CS_DATE_*, -1 unset */
    unsigned long date_format_line;
    int decimal_comma;            /* 0/1, -1 unset */
    unsigned long decimal_comma_line;
    int encoding;                 /* enum cs_encoding, CS_ENC_UNSET unset */
    unsigned long encoding_line;
    int delimiter;                /* 0 unset, CS_DELIM_AUTO, or the byte */
    unsigned long delimiter_line;
    struct names header;          /* `header = NAME, ...` */
    char *null_text;
    unsigned long null_line;
    int escape;                   /* -1 unset, 0 none, 1 backslash */
    unsigned long escape_line;
    struct exclude *excl;
    size_t n_excl, cap_excl;
    struct map_col *cols;         /* n_columns entries; NULL until needed */
};

struct cs_map {
    struct map_table t[CS_T_COUNT];
};

/* ------------------------------------------------------------------------
 * Small string helpers (ASCII only: independent of the locale)
 * --------------------------------------------------------------------- */

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

static inline void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

static inline int fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive three-way comparison of two byte strings. */
static inline int cmp_fold(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        int d = fold((unsigned char)a[i]) - fold((unsigned char)b[i]);
        if (d)
            return d;
    }
    return alen < blen ? -1 : alen > blen;
}

static inline char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Grow an array of elements of size sz to hold one more. */
static inline bool grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * sz);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

/* ------------------------------------------------------------------------
 * Parse context and errors
 * --------------------------------------------------------------------- */

enum last_key { KEY_NONE, KEY_OTHER, KEY_LIST };

/* What the list being read (and continued on indented lines) fills. */
enum list_kind { LIST_VALUES, LIST_FILES, LIST_HEADER, LIST_EXCLUDE };

struct ctx {
    struct cs_map *map;
    const char *name;           /* for messages */
    const char *text;
    size_t len, pos;
    unsigned long lineno;       /* lines handed to inih so far = current line */
    bool cont;                  /* current line was passed on as a continuation */
    int table;                  /* current section, -1 before the first */
    enum last_key last;         /* the key a continuation line would extend */
    enum list_kind list;        /* with KEY_LIST: what it fills */
    int last_col;
    size_t last_group;
    size_t last_excl;
    char last_key[96];          /* quoted, for messages */
    bool failed;
    struct cs_error e;
};

/* The key handler inih calls (mapkeys.c), and the check of value lists
 * after parsing: an export value mapped to two values is an error that
 * counts when it comes before limit (0: none). */
int map_on_pair(void *user, const char *section, const char *name, const char *value);
void map_check_values(struct ctx *C, unsigned long limit);

/* Free what a section holds (the section stays, empty): mapfile.c. */
void map_table_free(struct map_table *T, enum cs_table t);

static inline bool fail(struct ctx *C, enum cs_status st, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first error only; always returns false. */
static inline bool fail(struct ctx *C, enum cs_status st, unsigned long line, const char *fmt, ...)
{
    if (C->failed)
        return false;
    char msg[sizeof C->e.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages quote the user's text; a control byte in it must not reach
     * the terminal raw. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    cs_error_set(&C->e, st, C->name, line, NULL, "%s", msg);
    C->failed = true;
    return false;
}

static inline bool fail_nomem(struct ctx *C)
{
    return fail(C, CS_ERR_NOMEM, C->lineno, "out of memory reading the map file");
}

/* Quote untrusted bytes into buf ("..."). */
static inline const char *q(char *buf, size_t n, const char *s, size_t len)
{
    return cs_quote_bytes(buf, n, s, len);
}

/* The same without the surrounding quotes, for [section] names. */
static inline const char *q_bare(char *buf, size_t n, const char *s, size_t len)
{
    cs_quote_bytes(buf, n, s, len);
    size_t l = strlen(buf);
    if (l >= 2) {
        memmove(buf, buf + 1, l - 2);
        buf[l - 2] = '\0';
    }
    return buf;
}

static inline const char *section_name(const struct ctx *C)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)C->table);
    return def ? def->table : "";
}

/* "a, b or c" (conj = " or ") from count words into buf. */
static inline const char *join_words(char *buf, size_t n, const char *const *words, size_t count,
                              const char *conj)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && used < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == count ? conj : ", ";
        int k = snprintf(buf + used, n - used, "%s%s", sep, words[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return buf;
}

static inline const char *enum_list(char *buf, size_t n, const struct cs_column_def *col)
{
    size_t count = 0;
    while (col->enum_values[count])
        count++;
    return join_words(buf, n, col->enum_values, count, " or ");
}

static inline const char *column_list(char *buf, size_t n, int t)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
    const char *names[32];
    size_t count = 0;
    for (size_t c = 0; c < def->n_columns && count < 32; c++)
        names[count++] = def->columns[c].name;
    return join_words(buf, n, names, count, " and ");
}

static inline const char *section_list(char *buf, size_t n)
{
    const char *names[CS_T_COUNT];
    for (int t = 0; t < CS_T_COUNT; t++)
        names[t] = cs_schema_table((enum cs_table)t)->table;
    return join_words(buf, n, names, CS_T_COUNT, " and ");
}

static inline int find_table_n(const char *s, size_t len)
{
    for (int t = 0; t < CS_T_COUNT; t++)
        if (cs_word_eq(s, len, cs_schema_table((enum cs_table)t)->table))
            return t;
    return -1;
}

static inline int find_column_n(int t, const char *s, size_t len)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
    for (size_t c = 0; c < def->n_columns; c++)
        if (cs_word_eq(s, len, def->columns[c].name))
            return (int)c;
    return -1;
}

static inline bool names_push(struct names *nm, const char *s, size_t n)
{
    if (!grow((void **)&nm->v, &nm->cap, nm->n, sizeof *nm->v))
        return false;
    if (!(nm->v[nm->n] = dup_n(s, n)))
        return false;
    nm->n++;
    return true;
}

static inline void names_free(struct names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        free(nm->v[i]);
    free(nm->v);
    memset(nm, 0, sizeof *nm);
}

static inline int cmp_vmap(const void *a, const void *b)
{
    const struct vmap *x = a, *y = b;
    int d = cmp_fold(x->from, x->len, y->from, y->len);
    if (d)
        return d;
    return x->line < y->line ? -1 : x->line > y->line;
}

#endif
