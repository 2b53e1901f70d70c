/* fuzz_dialect.c - fuzz the CSV reader's dialects (SPEC 12): delimiters and their detection, backslash escapes, NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/csvread.h"
#include "fuzz.h"

/*
 * Input: one option byte, then the text.
 *   bits 0-2  the delimiter: ',' ';' TAB '|', or detected (4-7)
 *   bit 3     escape = backslash
 *   bits 4-5  chunk size of the second reading: 1, 3, 64, default
 *   bit 6     max_field 8 instead of 1 MiB
 *   bit 7     round trip: the text is fields (0x1f between them, 0x1e
 *             between records) to write in the dialect and read back
 * Properties: the events (records, then the error) are the same for every
 * chunk size; records come with non-decreasing lines inside the text;
 * fields are NUL-terminated copies of len bytes that hold a NUL byte only
 * when the record says it may; every record knows the file's delimiter,
 * which is the one given, or one of the four when detected; no record is
 * all blank.  Round trip (bit 7): fields written quoted, with doubled
 * quotes, or (escapes) with \" \\ and \<delimiter>, read back as they
 * were, blanks included (a record of blank fields excepted: it is skipped).
 */

static const size_t fzdi_chunks[4] = {1, 3, 64, 0};
static const int fzdi_delims[4] = {',', ';', '\t', '|'};

struct fzdi_log {
    struct fuzz_buf b;
    unsigned long last_line, max_line;
    int delim;                 /* given, or 0 when detected */
    int seen_delim;
    size_t records;
};

static int fzdi_record(const struct cs_csv_record *rec, void *ctx)
{
    struct fzdi_log *l = ctx;
    FUZZ_CHECK(rec->line >= 1 && rec->line <= l->max_line, "record line outside the text");
    FUZZ_CHECK(rec->line >= l->last_line, "record lines go backwards");
    l->last_line = rec->line;
    if (l->delim)
        FUZZ_CHECK(rec->delimiter == l->delim, "a record with another delimiter than given");
    else
        FUZZ_CHECK(rec->delimiter == ',' || rec->delimiter == ';' || rec->delimiter == '\t' ||
                   rec->delimiter == '|', "a detected delimiter that is none of the four");
    if (l->seen_delim)
        FUZZ_CHECK(rec->delimiter == l->seen_delim, "the delimiter changed within a file");
    l->seen_delim = rec->delimiter;
    bool any = false;
    fuzz_buf_printf(&l->b, "%lu:", rec->line);
    for (size_t i = 0; i < rec->n; i++) {
        FUZZ_CHECK(rec->field[i][rec->len[i]] == '\0', "field not NUL-terminated");
        FUZZ_CHECK(rec->may_hold_nul || !memchr(rec->field[i], '\0', rec->len[i]),
                   "a NUL byte in a record that says it holds none");
        any |= rec->len[i] > 0;
        fuzz_buf_printf(&l->b, "%zu=", rec->len[i]);
        fuzz_buf_put(&l->b, rec->field[i], rec->len[i]);
        fuzz_buf_puts(&l->b, "|");
    }
    FUZZ_CHECK(any, "an all-blank record was passed on");
    fuzz_buf_puts(&l->b, "\n");
    l->records++;
    return 0;
}

static void fzdi_read(const char *text, size_t len, const struct cs_csv_options *o,
                      unsigned long lines, struct fzdi_log *l)
{
    struct cs_error err;
    memset(l, 0, sizeof *l);
    l->max_line = lines;
    l->delim = o->delimiter == CS_CSV_DELIM_AUTO ? 0 : o->delimiter ? o->delimiter : ',';
    enum cs_status st = cs_csv_read_mem(text, len, "fuzz.csv", o, fzdi_record, l, &err);
    if (st != CS_OK) {
        FUZZ_CHECK(strcmp(err.file, "fuzz.csv") == 0, "error does not name the file");
        FUZZ_CHECK(err.line <= lines, "error line outside the text");
        FUZZ_CHECK(err.msg[0] && fuzz_error_printable(err.msg), "error message");
    }
    fuzz_buf_printf(&l->b, "E%d:%lu:%s\n", (int)st, err.line, err.msg);
}

/* Write the fields of text (0x1f and 0x1e separated) in the dialect, each
 * quoted; *want gets the records as the reader must log them. */
static void fzdi_round_trip(const char *text, size_t len, char delim, bool esc,
                            struct cs_csv_options *o)
{
    struct fuzz_buf out = {0}, want = {0};
    size_t start = 0, line = 1;
    bool any = false;
    struct fuzz_buf rec = {0};
    for (size_t i = 0; i <= len; i++) {
        bool end_field = i == len || text[i] == 0x1f || text[i] == 0x1e;
        if (!end_field)
            continue;
        const char *f = text + start;
        size_t n = i - start;
        fuzz_buf_puts(&out, "\"");
        for (size_t k = 0; k < n; k++) {
            char c = f[k];
            if (c == '"')
                fuzz_buf_puts(&out, esc ? "\\\"" : "\"\"");
            else if (esc && (c == '\\' || c == delim))
                fuzz_buf_printf(&out, "\\%c", c);
            else
                fuzz_buf_put(&out, &c, 1);
        }
        fuzz_buf_puts(&out, "\"");
        fuzz_buf_printf(&rec, "%zu=", n);
        fuzz_buf_put(&rec, f, n);
        fuzz_buf_puts(&rec, "|");
        any |= n > 0;
        bool end_rec = i == len || text[i] == 0x1e;
        if (end_rec) {
            fuzz_buf_puts(&out, "\n");
            if (any) {
                fuzz_buf_printf(&want, "%zu:", line);
                fuzz_buf_put(&want, rec.s, rec.n);
                fuzz_buf_puts(&want, "\n");
            }
            rec.n = 0;
            any = false;
        } else {
            fuzz_buf_put(&out, &delim, 1);
        }
        start = i + 1;
        if (end_rec)                 /* the next record starts on the next line */
            line++;
    }
    fuzz_buf_puts(&want, "E0:0:\n");
    o->delimiter = delim;
    unsigned long lines = 1;
    for (size_t k = 0; k < out.n; k++)
        lines += out.s[k] == '\n' || (out.s[k] == '\r' && (k + 1 == out.n || out.s[k + 1] != '\n'));
    struct fzdi_log l;
    fzdi_read(out.s ? out.s : "", out.n, o, lines, &l);
    FUZZ_CHECK(l.b.n == want.n && memcmp(l.b.s, want.s, want.n) == 0,
               "fields written in the dialect do not read back as they were");
    fuzz_buf_free(&l.b);
    fuzz_buf_free(&out);
    fuzz_buf_free(&want);
    fuzz_buf_free(&rec);
}

int cs_fuzz_dialect(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned o = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    int d = (o & 7) < 4 ? fzdi_delims[o & 7] : CS_CSV_DELIM_AUTO;
    struct cs_csv_options opt = {.delimiter = d, .escape_backslash = (o & 8) != 0,
                                 .max_field = (o & 64) ? 8 : 0};
    if (o & 128) {
        /* line breaks and NULs inside quotes are data, but a record of
         * blank fields is skipped and CR/LF count as lines: keep them out
         * of the round trip, which tests the quoting and escaping */
        char *t = malloc(len + 1);
        if (!t)
            abort();
        for (size_t i = 0; i < len; i++)
            t[i] = text[i] == '\n' || text[i] == '\r' ? 'x' : text[i];
        opt.max_field = 0;
        fzdi_round_trip(t, len, (char)(d == CS_CSV_DELIM_AUTO ? ',' : d), opt.escape_backslash,
                        &opt);
        free(t);
        return 0;
    }
    unsigned long lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'));
    struct fzdi_log a, b;
    fzdi_read(text, len, &opt, lines, &a);
    opt.chunk_size = fzdi_chunks[(o >> 4) & 3];
    fzdi_read(text, len, &opt, lines, &b);
    FUZZ_CHECK(a.b.n == b.b.n && memcmp(a.b.s, b.b.s, a.b.n) == 0,
               "events differ between chunk sizes");
    fuzz_buf_free(&a.b);
    fuzz_buf_free(&b.b);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_dialect(data, size);
}
#endif
