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
 *    column's own values, and ignores case and surrounding blanks.
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

static void fzm_check_map(const struct cs_map *map, const char *text, size_t len)
{
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const char *file = cs_map_file(map, (enum cs_table)t);
        if (file) {
            FUZZ_CHECK(file[0] != '\0', "an empty file name was accepted");
            FUZZ_CHECK(!strchr(file, '/') && !strchr(file, '\\') && !strstr(file, ".."),
                       "a file name that leaves the data directory was accepted");
            FUZZ_CHECK(strcmp(file, ".") != 0, "file = . was accepted");
            fzm_check_text(file, "a file name that is not valid UTF-8 was accepted");
        }
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
