/* mapfile.c - the --map INI files of SPEC section 3: read with inih, validate, look up. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "compsight/mapfile.h"
#include "compsight/parse.h"

/*
 * How inih is used (Debian's libinih 55, whose options are runtime globals
 * set at build time: multi-line values on, BOM skipped, inline comments on
 * with ';', line buffer of ini_max_line = 200 bytes on the stack, no
 * realloc, does not stop on the first error, handler without a line number):
 *
 *  - we feed inih through ini_parse_stream with our own line reader, so we
 *    always know the physical line being parsed (the handler gets no line
 *    number) and can stop parsing at our first error by returning NULL;
 *  - the reader hands inih one physical line at a time: CRLF and a leading
 *    byte-order mark are removed, a NUL byte or invalid UTF-8 is an error,
 *    and a line that does not fit inih's buffer is an error (inih 55 would
 *    silently cut it in two and parse both halves);
 *  - leading whitespace is removed before inih sees a line, so indented keys
 *    are keys.  The one exception is an indented line without '=' or ':':
 *    it is passed on indented so that inih treats it as a continuation of the
 *    previous key (INI_ALLOW_MULTILINE), which we accept only for value lists;
 *  - section headers are checked by the reader, because inih does not tell
 *    the handler about a section without keys, and keeps only 49 bytes of a
 *    section name;
 *  - a ';' after whitespace starts a comment (inih's inline comments) after
 *    a value; inih 55 keeps it in a continuation line, so the reader cuts it
 *    there; '#' starts a comment only at the start of a line (so a header
 *    such as "Deal #" works).
 */
#if INI_HANDLER_LINENO
#error "mapfile.c expects inih's handler without a line number (INI_HANDLER_LINENO 0)"
#endif

/* A map is a few kilobytes; this only stops a wrong path such as a large CSV
 * or /dev/zero from being read into memory whole. */
#define MAP_MAX_BYTES (1024 * 1024)

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

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

static int fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive three-way comparison of two byte strings. */
static int cmp_fold(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        int d = fold((unsigned char)a[i]) - fold((unsigned char)b[i]);
        if (d)
            return d;
    }
    return alen < blen ? -1 : alen > blen;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Grow an array of elements of size sz to hold one more. */
static bool grow(void **arr, size_t *cap, size_t n, size_t sz)
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

static bool fail(struct ctx *C, enum cs_status st, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first error only; always returns false. */
static bool fail(struct ctx *C, enum cs_status st, unsigned long line, const char *fmt, ...)
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

static bool fail_nomem(struct ctx *C)
{
    return fail(C, CS_ERR_NOMEM, C->lineno, "out of memory reading the map file");
}

/* Quote untrusted bytes into buf ("..."). */
static const char *q(char *buf, size_t n, const char *s, size_t len)
{
    return cs_quote_bytes(buf, n, s, len);
}

/* The same without the surrounding quotes, for [section] names. */
static const char *q_bare(char *buf, size_t n, const char *s, size_t len)
{
    cs_quote_bytes(buf, n, s, len);
    size_t l = strlen(buf);
    if (l >= 2) {
        memmove(buf, buf + 1, l - 2);
        buf[l - 2] = '\0';
    }
    return buf;
}

static const char *section_name(const struct ctx *C)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)C->table);
    return def ? def->table : "";
}

/* "a, b or c" (conj = " or ") from count words into buf. */
static const char *join_words(char *buf, size_t n, const char *const *words, size_t count,
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

static const char *enum_list(char *buf, size_t n, const struct cs_column_def *col)
{
    size_t count = 0;
    while (col->enum_values[count])
        count++;
    return join_words(buf, n, col->enum_values, count, " or ");
}

static const char *column_list(char *buf, size_t n, int t)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
    const char *names[32];
    size_t count = 0;
    for (size_t c = 0; c < def->n_columns && count < 32; c++)
        names[count++] = def->columns[c].name;
    return join_words(buf, n, names, count, " and ");
}

static const char *section_list(char *buf, size_t n)
{
    const char *names[CS_T_COUNT];
    for (int t = 0; t < CS_T_COUNT; t++)
        names[t] = cs_schema_table((enum cs_table)t)->table;
    return join_words(buf, n, names, CS_T_COUNT, " and ");
}

static int find_table_n(const char *s, size_t len)
{
    for (int t = 0; t < CS_T_COUNT; t++)
        if (cs_word_eq(s, len, cs_schema_table((enum cs_table)t)->table))
            return t;
    return -1;
}

static int find_column_n(int t, const char *s, size_t len)
{
    const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
    for (size_t c = 0; c < def->n_columns; c++)
        if (cs_word_eq(s, len, def->columns[c].name))
            return (int)c;
    return -1;
}

/* ------------------------------------------------------------------------
 * The line reader inih calls
 * --------------------------------------------------------------------- */

/* True when a (left-trimmed) line has '=' or ':' before any inline comment,
 * the way inih splits name and value. */
static bool has_separator(const char *s, size_t n)
{
    bool was_space = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' || s[i] == ':')
            return true;
        if (s[i] == ';' && was_space)
            return false;
        was_space = is_space(s[i]);
    }
    return false;
}

/* Offset of an inline comment (';' after whitespace) in s[0..n), or n. */
static size_t comment_start(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] == ';' && is_space(s[i - 1]))
            return i;
    return n;
}

/*
 * A `delimiter = ;` line (left-trimmed, s[0..n)), which inih would read as
 * an empty value and a comment: written into buf as `delimiter = semicolon`
 * plus whatever followed the ';' (a comment).  False for any other line.
 */
static bool semicolon_delimiter(const char *s, size_t n, char *buf, size_t size)
{
    static const char key[] = "delimiter";
    size_t k = sizeof key - 1, i;
    if (n <= k || !cs_word_eq(s, k, key))
        return false;
    for (i = k; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        ;
    if (i == n || (s[i] != '=' && s[i] != ':'))
        return false;
    for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        ;
    if (i == n || s[i] != ';')
        return false;
    const char *rest = s + i + 1;
    size_t rn = n - i - 1;
    if (rn && rest[0] != ' ' && rest[0] != '\t')
        return false;                  /* `;x`: not a lone semicolon */
    int w = snprintf(buf, size, "delimiter = semicolon%.*s", (int)(rn < 32 ? rn : 32), rest);
    return w > 0 && (size_t)w < size;
}

/* Check a "[section]" line s[0..n) (s[0] == '[') and make it current. */
static bool section_line(struct ctx *C, const char *s, size_t n)
{
    char qb[128], list[256];
    const char *close = memchr(s, ']', n);
    if (!close)
        return fail(C, CS_ERR_INPUT, C->lineno, "malformed section header %s: no closing \"]\"",
                    q(qb, sizeof qb, s, n));
    const char *name = s + 1;
    size_t nlen = (size_t)(close - name);
    const char *after = close + 1;
    size_t alen = n - (size_t)(after - s);
    trim(&name, &nlen);
    trim(&after, &alen);
    if (alen && after[0] != ';' && after[0] != '#')
        return fail(C, CS_ERR_INPUT, C->lineno, "unexpected text %s after section header [%s]",
                    q(qb, sizeof qb, after, alen), q_bare(list, sizeof list, name, nlen));
    int t = find_table_n(name, nlen);
    if (t < 0) {
        char known[256];
        return fail(C, CS_ERR_INPUT, C->lineno, "unknown section [%s] (sections are %s)",
                    q_bare(qb, sizeof qb, name, nlen), section_list(known, sizeof known));
    }
    struct map_table *T = &C->map->t[t];
    if (T->section_line)
        return fail(C, CS_ERR_INPUT, C->lineno, "section [%s] appears twice (first on line %lu)",
                    cs_schema_table((enum cs_table)t)->table, T->section_line);
    T->section_line = C->lineno;
    C->table = t;
    C->last = KEY_NONE;
    return true;
}

/*
 * fgets-like reader over the map text: one physical line per call, with a
 * '\n' so that newer inih versions do not take it for a cut line.  Returns
 * NULL at the end or after an error, which ends ini_parse_stream.
 */
static char *read_line(char *str, int num, void *stream)
{
    struct ctx *C = stream;
    char qb[128];
    if (C->failed || C->pos >= C->len)
        return NULL;
    const char *p = C->text + C->pos;
    size_t rest = C->len - C->pos;
    const char *nl = memchr(p, '\n', rest);
    size_t n = nl ? (size_t)(nl - p) : rest;
    C->pos += nl ? n + 1 : n;
    C->lineno++;
    C->cont = false;
    if (n && p[n - 1] == '\r')
        n--;
    if (C->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        n -= 3;
    }
    if (memchr(p, '\0', n)) {
        fail(C, CS_ERR_INPUT, C->lineno, "NUL byte in the line: a map file must be text");
        return NULL;
    }
    if (!cs_utf8_valid(p, n)) {
        fail(C, CS_ERR_INPUT, C->lineno, "the line is not valid UTF-8 (save the map file as UTF-8)");
        return NULL;
    }

    size_t ind = 0;
    while (ind < n && is_space(p[ind]))
        ind++;
    const char *body = p + ind, *out = body;
    size_t blen = n - ind, olen = blen;
    char fixed[64];
    if (semicolon_delimiter(body, blen, fixed, sizeof fixed)) {
        /* `delimiter = ;`: to inih a ';' after a blank starts a comment */
        body = out = fixed;
        blen = olen = strlen(fixed);
    }
    if (blen == 0 || body[0] == ';' || body[0] == '#') {
        /* blank or comment: inih skips it */
    } else if (body[0] == '[') {
        if (!section_line(C, body, blen))
            return NULL;
    } else if (!has_separator(body, blen)) {
        if (ind == 0 || C->last == KEY_NONE) {
            if (C->table >= 0)
                fail(C, CS_ERR_INPUT, C->lineno,
                     "malformed line %s in section [%s] (expected KEY = VALUE%s)",
                     q(qb, sizeof qb, body, blen), section_name(C),
                     ind ? "; an indented line continues a value list, but no key precedes it" : "");
            else
                fail(C, CS_ERR_INPUT, C->lineno,
                     "malformed line %s (expected a [section] header, KEY = VALUE or a ; comment)",
                     q(qb, sizeof qb, body, blen));
            return NULL;
        }
        /* Indented: inih continues the previous key.  inih 55 does not
         * remove an inline comment from a continuation line (later
         * versions do), so cut it here. */
        out = p;
        olen = ind + comment_start(body, blen);
        while (olen > ind && is_space(out[olen - 1]))
            olen--;
        C->cont = true;
    }
    if (num < 3 || olen > (size_t)num - 2) {
        fail(C, CS_ERR_INPUT, C->lineno,
             "line longer than %d bytes, the limit of the INI parser (split a long value list "
             "over indented continuation lines)", num < 3 ? 0 : num - 2);
        return NULL;
    }
    memcpy(str, out, olen);
    str[olen] = '\n';
    str[olen + 1] = '\0';
    return str;
}

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

static bool names_push(struct names *nm, const char *s, size_t n)
{
    if (!grow((void **)&nm->v, &nm->cap, nm->n, sizeof *nm->v))
        return false;
    if (!(nm->v[nm->n] = dup_n(s, n)))
        return false;
    nm->n++;
    return true;
}

static void names_free(struct names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        free(nm->v[i]);
    free(nm->v);
    memset(nm, 0, sizeof *nm);
}

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

static int on_pair(void *user, const char *section, const char *name, const char *value)
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

static int cmp_vmap(const void *a, const void *b)
{
    const struct vmap *x = a, *y = b;
    int d = cmp_fold(x->from, x->len, y->from, y->len);
    if (d)
        return d;
    return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Sort every value list for binary search and report an export value that
 * two lists claim.  The error is the one that shows first in the file (the
 * line of the second mapping), and only counts if it comes before *limit
 * (the line of an error found while parsing, 0 for none).
 */
static void check_values(struct ctx *C, unsigned long limit)
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

/* ------------------------------------------------------------------------
 * Public interface
 * --------------------------------------------------------------------- */

/* Free what a section holds (the section stays, empty). */
static void table_free(struct map_table *T, enum cs_table t)
{
    names_free(&T->files);
    names_free(&T->header);
    free(T->null_text);
    T->null_text = NULL;
    for (size_t i = 0; i < T->n_excl; i++) {
        free(T->excl[i].header);
        names_free(&T->excl[i].values);
    }
    free(T->excl);
    T->excl = NULL;
    T->n_excl = T->cap_excl = 0;
    if (T->cols) {
        size_t n = cs_schema_table(t)->n_columns;
        for (size_t c = 0; c < n; c++) {
            struct map_col *col = &T->cols[c];
            free(col->header);
            free(col->dflt);
            free(col->blank);
            for (size_t g = 0; g < col->n_groups; g++)
                free(col->groups[g].to);
            free(col->groups);
            for (size_t v = 0; v < col->n_vals; v++)
                free(col->vals[v].from);
            free(col->vals);
        }
        free(T->cols);
        T->cols = NULL;
    }
}

void cs_map_free(struct cs_map *map)
{
    if (!map)
        return;
    for (int t = 0; t < CS_T_COUNT; t++)
        table_free(&map->t[t], (enum cs_table)t);
    free(map);
}

/* The text of line `line` of text[0..len), for a message. */
static void line_text(const char *text, size_t len, unsigned long line, const char **s, size_t *n)
{
    const char *p = text, *end = text + len;
    for (unsigned long l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *s = p;
    *n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    trim(s, n);
}

enum cs_status cs_map_load_mem(const char *text, size_t len, const char *name,
                               struct cs_map **out, struct cs_error *err)
{
    struct ctx C;
    memset(&C, 0, sizeof C);
    if (!out)
        return cs_error_set(err, CS_ERR_INTERNAL, name, 0, NULL, "cs_map_load_mem: out is NULL");
    *out = NULL;
    if (!text)
        len = 0;
    C.map = calloc(1, sizeof *C.map);
    if (!C.map)
        return cs_error_set(err, CS_ERR_NOMEM, name, 0, NULL, "out of memory reading the map file");
    for (int t = 0; t < CS_T_COUNT; t++) {
        C.map->t[t].date_format = -1;
        C.map->t[t].decimal_comma = -1;
        C.map->t[t].escape = -1;
    }
    C.name = name ? name : "map";
    C.text = text ? text : "";
    C.len = len;
    C.table = -1;

    int r = ini_parse_stream(read_line, &C, on_pair, &C);

    /*
     * inih returns the line of the first error it saw: a line our handler
     * refused (then it is the line we recorded), or one inih itself found
     * malformed.  The reader stops inih at our first error, so an earlier
     * line from inih can only be a syntax error we did not catch first.
     */
    if (r > 0 && (!C.failed || (unsigned long)r < C.e.line)) {
        const char *s;
        size_t n;
        char qb[128];
        line_text(C.text, C.len, (unsigned long)r, &s, &n);
        C.failed = false;
        fail(&C, CS_ERR_INPUT, (unsigned long)r,
             "malformed line %s (expected a [section] header, KEY = VALUE or a ; comment)",
             q(qb, sizeof qb, s, n));
    } else if (r < 0 && !C.failed) {
        fail(&C, r == -2 ? CS_ERR_NOMEM : CS_ERR_INTERNAL, 0, "the INI parser failed (%d)", r);
    }
    if (!C.failed || C.e.status == CS_ERR_INPUT)
        check_values(&C, C.failed ? C.e.line : 0);

    if (C.failed) {
        cs_map_free(C.map);
        if (err)
            *err = C.e;
        return C.e.status;
    }
    *out = C.map;
    return CS_OK;
}

enum cs_status cs_map_load(const char *path, struct cs_map **out, struct cs_error *err)
{
    enum cs_status st;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    FILE *f = NULL;
    if (out)
        *out = NULL;
    if (!path)
        return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "no map file given");
    f = fopen(path, "rb");
    if (!f)
        return cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "cannot open map file: %s",
                            strerror(errno));
    struct stat sb;
    size_t expected = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 0;
    for (;;) {
        if (len == cap) {
            if (cap >= MAP_MAX_BYTES) {
                st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL,
                                  "map file is larger than %d bytes: not a map file?", MAP_MAX_BYTES);
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 16384;
            char *p = realloc(buf, ncap + 1);
            if (!p) {
                st = cs_error_set(err, CS_ERR_NOMEM, path, 0, NULL, "out of memory reading the map file");
                goto out;
            }
            buf = p;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "cannot read map file: %s",
                                  strerror(errno));
                goto out;
            }
            break;
        }
    }
    if (len < expected) {
        st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL,
                          "the map file was cut short while it was read (%zu of %zu bytes)",
                          len, expected);
        goto out;
    }
    st = cs_map_load_mem(buf ? buf : "", len, path, out, err);
out:
    free(buf);
    fclose(f);
    return st;
}

static const struct map_col *col_of(const struct cs_map *map, enum cs_table t, int c)
{
    const struct cs_table_def *def = cs_schema_table(t);
    if (!map || !def || c < 0 || (size_t)c >= def->n_columns || !map->t[t].cols)
        return NULL;
    return &map->t[t].cols[c];
}

static const struct map_table *table_of(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? &map->t[t] : NULL;
}

const char *cs_map_file(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T && T->files.n ? T->files.v[0] : NULL;
}

size_t cs_map_files(const struct cs_map *map, enum cs_table t, const char *const **names)
{
    const struct map_table *T = table_of(map, t);
    *names = T ? (const char *const *)T->files.v : NULL;
    return T ? T->files.n : 0;
}

bool cs_map_unread(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col && col->unread;
}

const char *cs_map_blank(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->blank : NULL;
}

int cs_map_encoding(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->encoding : CS_ENC_UNSET;
}

int cs_map_delimiter(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->delimiter : 0;
}

size_t cs_map_header_names(const struct cs_map *map, enum cs_table t, const char *const **names)
{
    const struct map_table *T = table_of(map, t);
    *names = T ? (const char *const *)T->header.v : NULL;
    return T ? T->header.n : 0;
}

const char *cs_map_null(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->null_text : NULL;
}

int cs_map_escape(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->escape : -1;
}

size_t cs_map_excludes(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->n_excl : 0;
}

const char *cs_map_exclude_header(const struct cs_map *map, enum cs_table t, size_t i)
{
    const struct map_table *T = table_of(map, t);
    return T && i < T->n_excl ? T->excl[i].header : NULL;
}

const char *cs_map_exclude_match(const struct cs_map *map, enum cs_table t, size_t i,
                                 const char *s, size_t len)
{
    const struct map_table *T = table_of(map, t);
    if (!T || i >= T->n_excl || !s)
        return NULL;
    trim(&s, &len);
    const struct names *v = &T->excl[i].values;
    for (size_t k = 0; k < v->n; k++)
        if (cmp_fold(v->v[k], strlen(v->v[k]), s, len) == 0)
            return v->v[k];
    return NULL;
}

int cs_encoding_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {
        {"auto", CS_ENC_AUTO}, {"utf-8", CS_ENC_UTF8}, {"utf8", CS_ENC_UTF8},
        {"windows-1252", CS_ENC_WINDOWS_1252}, {"cp1252", CS_ENC_WINDOWS_1252},
        {"iso-8859-1", CS_ENC_ISO_8859_1}, {"latin1", CS_ENC_ISO_8859_1},
        {"latin-1", CS_ENC_ISO_8859_1},
    };
    trim(&s, &n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs_word_eq(s, n, names[i].name))
            return names[i].enc;
    return CS_ENC_UNSET;
}

const char *cs_encoding_name(int enc)
{
    switch (enc) {
    case CS_ENC_AUTO: return "auto";
    case CS_ENC_UTF8: return "UTF-8";
    case CS_ENC_WINDOWS_1252: return "Windows-1252";
    case CS_ENC_ISO_8859_1: return "ISO-8859-1";
    default: return "";
    }
}

int cs_delimiter_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int d;
    } names[] = {
        {"auto", CS_DELIM_AUTO}, {",", ','}, {";", ';'}, {"|", '|'}, {"tab", '\t'},
        {"comma", ','}, {"semicolon", ';'}, {"pipe", '|'}, {"\",\"", ','}, {"\";\"", ';'},
        {"\"|\"", '|'}, {"\\t", '\t'},
    };
    if (n == 1 && s[0] == '\t')
        return '\t';
    trim(&s, &n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs_word_eq(s, n, names[i].name))
            return names[i].d;
    return 0;
}

const char *cs_map_header(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->header : NULL;
}

const char *cs_map_default(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->dflt : NULL;
}

const char *cs_map_value(const struct cs_map *map, enum cs_table t, int c,
                         const char *s, size_t len)
{
    const struct map_col *col = col_of(map, t, c);
    if (!col || !col->n_vals || !s)
        return NULL;
    trim(&s, &len);
    size_t lo = 0, hi = col->n_vals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = cmp_fold(col->vals[mid].from, col->vals[mid].len, s, len);
        if (d == 0)
            return col->groups[col->vals[mid].group].to;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool cs_map_has_values(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col && col->n_vals;
}

int cs_map_date_format(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? map->t[t].date_format : -1;
}

int cs_map_decimal_comma(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? map->t[t].decimal_comma : -1;
}

/* ------------------------------------------------------------------------
 * Combining maps (SPEC 12): a later map's keys override an earlier one's
 * --------------------------------------------------------------------- */

/* dst becomes a copy of src; false on OOM. */
static bool names_copy(struct names *dst, const struct names *src)
{
    names_free(dst);
    for (size_t i = 0; i < src->n; i++)
        if (!names_push(dst, src->v[i], strlen(src->v[i])))
            return false;
    dst->line = src->line;
    return true;
}

/* *dst becomes a copy of src (NULL stays NULL); false on OOM. */
static bool str_copy(char **dst, const char *src)
{
    char *p = src ? dup_n(src, strlen(src)) : NULL;
    if (src && !p)
        return false;
    free(*dst);
    *dst = p;
    return true;
}

/*
 * The value lists of a column: each of src's groups (`stage.won = ...`)
 * replaces dst's group of the same value, and an export value src lists
 * leaves whatever dst's group held it, so that a user's map can move
 * "Closed Lost" from lost to won.
 */
static bool merge_values(struct map_col *D, const struct map_col *S)
{
    size_t n = 0;
    struct vmap *v = malloc((D->n_vals + S->n_vals + 1) * sizeof *v);
    size_t *gmap = malloc((S->n_groups + 1) * sizeof *gmap);
    if (!v || !gmap) {
        free(v);
        free(gmap);
        return false;
    }
    for (size_t i = 0; i < D->n_vals; i++) {
        const struct vmap *d = &D->vals[i];
        bool drop = false;
        for (size_t g = 0; g < S->n_groups && !drop; g++)
            drop = strcmp(S->groups[g].to, D->groups[d->group].to) == 0;
        for (size_t k = 0; k < S->n_vals && !drop; k++)
            drop = cmp_fold(S->vals[k].from, S->vals[k].len, d->from, d->len) == 0;
        if (drop)
            free(d->from);
        else
            v[n++] = *d;
    }
    bool ok = true;
    for (size_t g = 0; g < S->n_groups && ok; g++) {
        size_t m = 0;
        while (m < D->n_groups && strcmp(D->groups[m].to, S->groups[g].to) != 0)
            m++;
        if (m == D->n_groups) {
            ok = grow((void **)&D->groups, &D->cap_groups, D->n_groups, sizeof *D->groups) &&
                 (D->groups[m].to = dup_n(S->groups[g].to, strlen(S->groups[g].to))) != NULL;
            if (ok) {
                D->groups[m].line = S->groups[g].line;
                D->n_groups++;
            }
        }
        gmap[g] = m;
    }
    for (size_t k = 0; k < S->n_vals && ok; k++) {
        v[n] = S->vals[k];
        v[n].group = gmap[S->vals[k].group];
        if ((v[n].from = dup_n(S->vals[k].from, S->vals[k].len)) == NULL)
            ok = false;
        else
            n++;
    }
    free(D->vals);
    D->vals = v;
    D->n_vals = n;
    D->cap_vals = n;
    free(gmap);
    if (n > 1)
        qsort(D->vals, n, sizeof *D->vals, cmp_vmap);
    return ok;
}

static bool merge_table(struct map_table *D, const struct map_table *S, enum cs_table t)
{
    if (!S->section_line)
        return true;
    if (!D->section_line)
        D->section_line = S->section_line;
#define SCALAR(field)                                                                    \
    if (S->field##_line) {                                                               \
        D->field = S->field;                                                             \
        D->field##_line = S->field##_line;                                               \
    }
    SCALAR(date_format)
    SCALAR(decimal_comma)
    SCALAR(encoding)
    SCALAR(delimiter)
    SCALAR(escape)
#undef SCALAR
    if (S->files.line && !names_copy(&D->files, &S->files))
        return false;
    if (S->header.line && !names_copy(&D->header, &S->header))
        return false;
    if (S->null_line) {
        if (!str_copy(&D->null_text, S->null_text))
            return false;
        D->null_line = S->null_line;
    }
    for (size_t i = 0; i < S->n_excl; i++) {
        const struct exclude *se = &S->excl[i];
        size_t k = 0;
        while (k < D->n_excl &&
               cmp_fold(D->excl[k].header, strlen(D->excl[k].header), se->header,
                        strlen(se->header)) != 0)
            k++;
        if (k == D->n_excl) {
            if (!grow((void **)&D->excl, &D->cap_excl, D->n_excl, sizeof *D->excl))
                return false;
            memset(&D->excl[k], 0, sizeof D->excl[k]);
            if (!(D->excl[k].header = dup_n(se->header, strlen(se->header))))
                return false;
            D->n_excl++;
        }
        if (!names_copy(&D->excl[k].values, &se->values))
            return false;
    }
    if (!S->cols)
        return true;
    size_t nc = cs_schema_table(t)->n_columns;
    if (!D->cols && !(D->cols = calloc(nc, sizeof *D->cols)))
        return false;
    for (size_t c = 0; c < nc; c++) {
        const struct map_col *sc = &S->cols[c];
        struct map_col *dc = &D->cols[c];
        if (sc->header_line) {
            if (!str_copy(&dc->header, sc->header))
                return false;
            dc->unread = sc->unread;
            dc->header_line = sc->header_line;
        }
        if (sc->dflt_line) {
            if (!str_copy(&dc->dflt, sc->dflt))
                return false;
            dc->dflt_line = sc->dflt_line;
        }
        if (sc->blank_line) {
            if (!str_copy(&dc->blank, sc->blank))
                return false;
            dc->blank_line = sc->blank_line;
        }
        if (sc->n_groups && !merge_values(dc, sc))
            return false;
    }
    return true;
}

enum cs_status cs_map_merge(struct cs_map *dst, const struct cs_map *src, struct cs_error *err)
{
    if (!dst || !src)
        return CS_OK;
    for (int t = 0; t < CS_T_COUNT; t++)
        if (!merge_table(&dst->t[t], &src->t[t], (enum cs_table)t))
            return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory combining map files");
    return CS_OK;
}
