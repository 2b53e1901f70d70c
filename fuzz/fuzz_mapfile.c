/* fuzz_mapfile.c - fuzz the --map INI parser (SPEC 3) and check what a loaded map can return. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compsight/mapfile.h"
#include "compsight/parse.h"
#include "compsight/schema.h"
#include "fuzz.h"

/*
 * The input is the map file.  Properties:
 *  - CS_OK exactly when a map comes back; an error names the file, a line
 *    of the text (or 0) and has a message safe to print;
 *  - cs_map_load (from a file) says the same as cs_map_load_mem;
 *  - a `file = NAME` that was accepted is a plain file name: no '/', '\',
 *    "..", and is valid UTF-8 (it is joined to the data directory);
 *  - headers, defaults and mapped values are valid UTF-8;
 *  - date_format is -1 or a CS_DATE_*, decimal_comma -1, 0 or 1;
 *  - cs_map_value on an enumeration column only ever returns one of the
 *    column's own values, and ignores case and surrounding blanks;
 *  - SPEC 12: every name of `file = A, B` is a plain file name; encoding,
 *    delimiter and escape are in range; `header =` names, null, blank
 *    values and exclude lists are valid UTF-8 and not empty, a blank
 *    value of an enumeration is one of its values, and an exclude list
 *    matches its own items;
 *  - a map merged into an empty map (cs_map_merge) answers every lookup
 *    as the map itself.
 */

static int fzm_lines(const char *s, size_t n)
{
    int lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines;
}

static void fzm_check_error(enum cs_status st, const struct cs_error *err, const char *name,
                            int lines)
{
    FUZZ_CHECK(st == err->status, "status and err->status disagree");
    if (st == CS_ERR_NOMEM)
        return;
    FUZZ_CHECK(st == CS_ERR_INPUT, "a bad map file is not CS_ERR_INPUT");
    FUZZ_CHECK(strcmp(err->file, name) == 0, "map error does not name the map file");
    FUZZ_CHECK(err->line <= (unsigned long)lines, "map error names a line past the end");
    FUZZ_CHECK(err->msg[0] != '\0', "map error without a message");
    FUZZ_CHECK(fuzz_error_printable(err->msg), "map error message holds raw control bytes");
}

/* A map file is configuration written by the user, not data: its strings
 * must be valid UTF-8 (the loader checks every line), control characters
 * are the user's business. */
static void fzm_check_text(const char *s, const char *what)
{
    if (!s)
        return;
    FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)), what);
}

/* The value lookup of one column for s: case- and blank-insensitive, and
 * on an enumeration column one of the column's values. */
static void fzm_probe(const struct cs_map *map, enum cs_table t, int c, const char *s, size_t n)
{
    const char *v = cs_map_value(map, t, c, s, n);
    if (n < 200) {
        char alt[256];
        size_t o = 0;
        alt[o++] = ' ';
        alt[o++] = '\t';
        for (size_t i = 0; i < n; i++) {
            char ch = s[i];
            alt[o++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
        }
        alt[o++] = ' ';
        const char *w = cs_map_value(map, t, c, alt, o);
        FUZZ_CHECK((v == NULL) == (w == NULL) && (!v || strcmp(v, w) == 0),
                   "cs_map_value depends on case or surrounding blanks");
    }
    if (!v)
        return;
    const struct cs_column_def *col = &cs_schema_table(t)->columns[c];
    fzm_check_text(v, "a mapped value is not valid UTF-8");
    if (col->kind == CS_K_ENUM)
        FUZZ_CHECK(cs_schema_enum_value(t, c, v, strlen(v)) >= 0,
                   "a mapped value is not one of the enumeration's values");
}

/* The keys of SPEC 12 of table t. */
static void fzm_check_export_keys(const struct cs_map *map, enum cs_table t)
{
    const char *const *names;
    size_t n = cs_map_files(map, t, &names);
    for (size_t i = 0; i < n; i++) {
        const char *file = names[i];
        FUZZ_CHECK(file[0] != '\0', "an empty file name was accepted");
        FUZZ_CHECK(!strchr(file, '/') && !strchr(file, '\\') && !strstr(file, ".."),
                   "a file name that leaves the data directory was accepted");
        FUZZ_CHECK(strcmp(file, ".") != 0, "file = . was accepted");
        fzm_check_text(file, "a file name that is not valid UTF-8 was accepted");
    }
    FUZZ_CHECK(n == 0 || cs_map_file(map, t) == names[0], "cs_map_file is not the first file");
    int enc = cs_map_encoding(map, t), d = cs_map_delimiter(map, t), e = cs_map_escape(map, t);
    FUZZ_CHECK(enc >= CS_ENC_UNSET && enc <= CS_ENC_ISO_8859_1, "encoding out of range");
    FUZZ_CHECK(d == 0 || d == CS_DELIM_AUTO || d == ',' || d == ';' || d == '\t' || d == '|',
               "delimiter out of range");
    FUZZ_CHECK(e >= -1 && e <= 1, "escape out of range");
    n = cs_map_header_names(map, t, &names);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(names[i][0] != '\0', "an empty header name was accepted");
        fzm_check_text(names[i], "a header name is not valid UTF-8");
    }
    const char *nul = cs_map_null(map, t);
    fzm_check_text(nul, "null is not valid UTF-8");
    FUZZ_CHECK(!nul || nul[0], "an empty null was accepted");
    for (size_t i = 0; i < cs_map_excludes(map, t); i++) {
        const char *h = cs_map_exclude_header(map, t, i);
        FUZZ_CHECK(h && h[0], "an exclude without a header");
        fzm_check_text(h, "an exclude header is not valid UTF-8");
    }
    FUZZ_CHECK(cs_map_exclude_header(map, t, cs_map_excludes(map, t)) == NULL,
               "an exclude past the last");
    const struct cs_table_def *def = cs_schema_table(t);
    for (size_t c = 0; c < def->n_columns; c++) {
        const char *b = cs_map_blank(map, t, (int)c);
        fzm_check_text(b, "a blank value is not valid UTF-8");
        if (b && def->columns[c].kind == CS_K_ENUM)
            FUZZ_CHECK(cs_schema_enum_value(t, (int)c, b, strlen(b)) >= 0,
                       "a blank value an enumeration does not have");
        if (cs_map_unread(map, t, (int)c))
            FUZZ_CHECK(cs_map_header(map, t, (int)c) == NULL, "COLUMN = - with a header");
    }
}

/* Whether two maps answer every lookup alike (the probes of text too). */
static bool fzm_same_str(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

static void fzm_check_same(const struct cs_map *a, const struct cs_map *b, const char *text,
                           size_t len)
{
    for (int ti = 0; ti < CS_T_COUNT; ti++) {
        enum cs_table t = (enum cs_table)ti;
        const char *const *na, *const *nb;
        size_t n = cs_map_files(a, t, &na);
        FUZZ_CHECK(n == cs_map_files(b, t, &nb), "merged: another number of files");
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(strcmp(na[i], nb[i]) == 0, "merged: another file");
        n = cs_map_header_names(a, t, &na);
        FUZZ_CHECK(n == cs_map_header_names(b, t, &nb), "merged: another header list");
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(strcmp(na[i], nb[i]) == 0, "merged: another header name");
        FUZZ_CHECK(cs_map_date_format(a, t) == cs_map_date_format(b, t) &&
                   cs_map_decimal_comma(a, t) == cs_map_decimal_comma(b, t) &&
                   cs_map_encoding(a, t) == cs_map_encoding(b, t) &&
                   cs_map_delimiter(a, t) == cs_map_delimiter(b, t) &&
                   cs_map_escape(a, t) == cs_map_escape(b, t) &&
                   fzm_same_str(cs_map_null(a, t), cs_map_null(b, t)) &&
                   cs_map_excludes(a, t) == cs_map_excludes(b, t), "merged: another setting");
        for (size_t i = 0; i < cs_map_excludes(a, t); i++)
            FUZZ_CHECK(fzm_same_str(cs_map_exclude_header(a, t, i), cs_map_exclude_header(b, t, i)),
                       "merged: another exclude");
        const struct cs_table_def *def = cs_schema_table(t);
        for (size_t c = 0; c < def->n_columns; c++) {
            FUZZ_CHECK(fzm_same_str(cs_map_header(a, t, (int)c), cs_map_header(b, t, (int)c)) &&
                       fzm_same_str(cs_map_default(a, t, (int)c), cs_map_default(b, t, (int)c)) &&
                       fzm_same_str(cs_map_blank(a, t, (int)c), cs_map_blank(b, t, (int)c)) &&
                       cs_map_unread(a, t, (int)c) == cs_map_unread(b, t, (int)c) &&
                       cs_map_has_values(a, t, (int)c) == cs_map_has_values(b, t, (int)c),
                       "merged: another column key");
            for (size_t i = 0; i < len;) {
                size_t j = i;
                while (j < len && text[j] != ',' && text[j] != '=' && text[j] != '\n')
                    j++;
                if (j - i < 200) {
                    FUZZ_CHECK(fzm_same_str(cs_map_value(a, t, (int)c, text + i, j - i),
                                            cs_map_value(b, t, (int)c, text + i, j - i)),
                               "merged: another value mapping");
                    for (size_t x = 0; x < cs_map_excludes(a, t); x++)
                        FUZZ_CHECK(fzm_same_str(cs_map_exclude_match(a, t, x, text + i, j - i),
                                                cs_map_exclude_match(b, t, x, text + i, j - i)),
                                   "merged: another exclusion");
                }
                i = j + 1;
            }
        }
    }
}

static void fzm_check_map(const struct cs_map *map, const char *text, size_t len)
{
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        fzm_check_export_keys(map, (enum cs_table)t);
        int df = cs_map_date_format(map, (enum cs_table)t);
        int dc = cs_map_decimal_comma(map, (enum cs_table)t);
        FUZZ_CHECK(df >= -1 && df <= CS_DATE_EU, "date_format out of range");
        FUZZ_CHECK(dc >= -1 && dc <= 1, "decimal_comma out of range");
        for (size_t c = 0; c < def->n_columns; c++) {
            const char *h = cs_map_header(map, (enum cs_table)t, (int)c);
            const char *d = cs_map_default(map, (enum cs_table)t, (int)c);
            fzm_check_text(h, "a header is not valid UTF-8");
            fzm_check_text(d, "a default is not valid UTF-8");
            if (h)
                FUZZ_CHECK(h[0] != '\0', "an empty header was accepted");
            if (h)
                fzm_probe(map, (enum cs_table)t, (int)c, h, strlen(h));
            if (d)
                fzm_probe(map, (enum cs_table)t, (int)c, d, strlen(d));
            static const char *const words[] = {"won", "Closed Won", "lost", "open", "new", ""};
            for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
                fzm_probe(map, (enum cs_table)t, (int)c, words[w], strlen(words[w]));
            /* every item of every "a, b, c" list in the text */
            for (size_t i = 0; i < len;) {
                size_t j = i;
                while (j < len && text[j] != ',' && text[j] != '=' && text[j] != '\n')
                    j++;
                if (j - i < 200)
                    fzm_probe(map, (enum cs_table)t, (int)c, text + i, j - i);
                i = j + 1;
            }
            /* out-of-range columns are NULL, not a crash */
            FUZZ_CHECK(cs_map_header(map, (enum cs_table)t, -1) == NULL, "header of column -1");
            FUZZ_CHECK(cs_map_header(map, (enum cs_table)t, (int)def->n_columns) == NULL,
                       "header of a column past the last");
        }
    }
}

static const char *fzm_scratch(void)
{
    static char path[64];
    if (!path[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/cs-fuzz-map-XXXXXX", base);
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
    }
    return path;
}

int cs_fuzz_mapfile(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    int lines = fzm_lines(text, size);
    struct cs_map *map = (struct cs_map *)1;
    struct cs_error err;
    memset(&err, 0x5a, sizeof err);
    enum cs_status st = cs_map_load_mem(text, size, "fuzz.ini", &map, &err);
    if (st == CS_OK) {
        FUZZ_CHECK(map != NULL, "CS_OK without a map");
        fzm_check_map(map, text, size);
        struct cs_map *copy = NULL;
        struct cs_error e3;
        if (cs_map_load_mem("", 0, "empty.ini", &copy, &e3) == CS_OK &&
            cs_map_merge(copy, map, &e3) == CS_OK)
            fzm_check_same(map, copy, text, size);
        cs_map_free(copy);
    } else {
        FUZZ_CHECK(map == NULL, "an error left *out set");
        fzm_check_error(st, &err, "fuzz.ini", lines);
    }

    /* the same text from a file, now and then (it costs a write) */
    if (size && data[size - 1] == '\n') {
        const char *path = fzm_scratch();
        int fd = open(path, O_WRONLY | O_TRUNC);
        if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
            abort();
        struct cs_map *m2 = NULL;
        struct cs_error e2;
        enum cs_status st2 = cs_map_load(path, &m2, &e2);
        FUZZ_CHECK(st2 == st, "cs_map_load and cs_map_load_mem disagree");
        if (st != CS_OK) {
            FUZZ_CHECK(e2.line == err.line && strcmp(e2.msg, err.msg) == 0,
                       "cs_map_load and cs_map_load_mem report different errors");
            FUZZ_CHECK(strcmp(e2.file, path) == 0, "cs_map_load error does not name the path");
        }
        cs_map_free(m2);
    }
    cs_map_free(map);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_mapfile(data, size);
}
#endif
