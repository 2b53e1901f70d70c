/* mapfile.c - the --map INI files of SPEC sections 3 and 12: read line by line into inih, loaded, freed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "mapdata.h"

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

/* Free what a section holds (the section stays, empty). */
void map_table_free(struct map_table *T, enum cs_table t)
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
/* ------------------------------------------------------------------------
 * Public interface
 * --------------------------------------------------------------------- */


void cs_map_free(struct cs_map *map)
{
    if (!map)
        return;
    for (int t = 0; t < CS_T_COUNT; t++)
        map_table_free(&map->t[t], (enum cs_table)t);
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

    int r = ini_parse_stream(read_line, &C, map_on_pair, &C);

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
        map_check_values(&C, C.failed ? C.e.line : 0);

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
    enum cs_status st = CS_OK;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (out)
        *out = NULL;
    if (!path)
        return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "no map file given");
    /* a FIFO or a device is refused, not waited on (csvread.c does the same) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "cannot open map file: %s",
                            strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "cannot read map file: %s",
                          strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "the map file is %s, not a regular "
                          "file", cs_file_kind(sb.st_mode));
        goto out;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    size_t expected = (size_t)sb.st_size;
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
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL, "cannot read map file: %s",
                              strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        len += (size_t)got;
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
    close(fd);
    return st;
}

