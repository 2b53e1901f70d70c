/* fuzz_csvread.c - fuzz the CSV reader: the same events for every chunk size, from memory and from a file. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/csvread.h"
#include "fuzz.h"

/*
 * Input: one option byte, then the CSV text.
 *   bits 0-2  chunk size of the second reading: 1, 2, 3, 4, 7, 64, 4096, default
 *   bits 3-4  max_field: default (1 MiB), 1, 8, 100
 *   bit 5     also read the text back from a file (cs_csv_read_path)
 *   bits 6-7  the callback stops at record 1, 2 or 3 (0: never); at 2 and 3
 *             it stores its own status in err first
 * Properties (csvread.h): records arrive with non-decreasing line numbers;
 * fields are NUL-terminated copies of len bytes holding NUL bytes only when
 * the record says it may; the whole
 * event log (records and the final error) is the same for every chunk size
 * and for memory and file; an error has the file name we gave, a line
 * within the text, and a message safe to print.
 */

static const size_t fzcr_chunks[8] = {1, 2, 3, 4, 7, 64, 4096, 0};
static const size_t fzcr_max_fields[4] = {0, 1, 8, 100};

struct fzcr_log {
    struct fuzz_buf b;
    unsigned long last_line;
    unsigned long max_line;       /* lines in the text */
    int records;
    int stop_at;                  /* 0: never */
    bool stop_with_status;
    struct cs_error *err;
};

static int fzcr_record(const struct cs_csv_record *rec, void *ctx)
{
    struct fzcr_log *l = ctx;
    FUZZ_CHECK(rec->line >= 1 && rec->line <= l->max_line, "record line outside the text");
    FUZZ_CHECK(rec->line >= l->last_line, "record lines go backwards");
    FUZZ_CHECK(rec->n >= 1, "a record without fields");
    l->last_line = rec->line;
    fuzz_buf_printf(&l->b, "%lu:%zu:", rec->line, rec->n);
    bool all_blank = true;
    for (size_t i = 0; i < rec->n; i++) {
        FUZZ_CHECK(rec->field[i] != NULL, "a NULL field");
        FUZZ_CHECK(rec->field[i][rec->len[i]] == '\0', "field not NUL-terminated");
        FUZZ_CHECK(rec->may_hold_nul || memchr(rec->field[i], '\0', rec->len[i]) == NULL,
                   "NUL byte inside a field of a record that says it holds none");
        if (rec->len[i])
            all_blank = false;
        fuzz_buf_printf(&l->b, "%zu=", rec->len[i]);
        fuzz_buf_put(&l->b, rec->field[i], rec->len[i]);
        fuzz_buf_puts(&l->b, "|");
    }
    FUZZ_CHECK(!all_blank, "an all-blank record was passed on");
    fuzz_buf_puts(&l->b, "\n");
    if (++l->records == l->stop_at) {
        if (l->stop_with_status)
            cs_error_set(l->err, CS_ERR_REJECTS, "callback", 7, NULL, "stopped by the harness");
        return 1;
    }
    return 0;
}

static void fzcr_end(struct fzcr_log *l, enum cs_status st, const struct cs_error *err,
                     const char *name)
{
    FUZZ_CHECK(st == err->status || (st == CS_OK && err->status == CS_OK),
               "returned status and err->status disagree");
    if (st != CS_OK) {
        if (st != CS_ERR_REJECTS) {
            FUZZ_CHECK(strcmp(err->file, name) == 0, "error does not name the file");
            FUZZ_CHECK(err->line <= l->max_line, "error line outside the text");
        }
        FUZZ_CHECK(err->msg[0] != '\0', "error without a message");
        FUZZ_CHECK(fuzz_error_printable(err->msg), "error message holds raw control bytes");
    }
    fuzz_buf_printf(&l->b, "E%d:%lu:%s:%s\n", (int)st, err->line, err->column, err->msg);
}

static void fzcr_run_mem(const char *text, size_t len, size_t chunk, size_t max_field,
                         int stop_at, bool stop_status, unsigned long lines, struct fuzz_buf *out)
{
    struct cs_error err;
    struct fzcr_log l = {.max_line = lines, .stop_at = stop_at,
                         .stop_with_status = stop_status, .err = &err};
    struct cs_csv_options opt = {.chunk_size = chunk, .max_field = max_field};
    memset(&err, 0x5a, sizeof err);      /* the reader must clear it */
    enum cs_status st = cs_csv_read_mem(text, len, "fuzz.csv", &opt, fzcr_record, &l, &err);
    fzcr_end(&l, st, &err, "fuzz.csv");
    *out = l.b;
}

/* A private scratch file for the path reader, made once per process. */
static const char *fzcr_scratch(void)
{
    static char path[64];
    if (!path[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/cs-fuzz-csv-XXXXXX", base);
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
    }
    return path;
}

static void fzcr_run_path(const char *text, size_t len, size_t chunk, size_t max_field,
                          int stop_at, bool stop_status, unsigned long lines, struct fuzz_buf *out)
{
    const char *path = fzcr_scratch();
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0 || (len && write(fd, text, len) != (ssize_t)len) || close(fd) != 0)
        abort();
    struct cs_error err;
    struct fzcr_log l = {.max_line = lines, .stop_at = stop_at,
                         .stop_with_status = stop_status, .err = &err};
    struct cs_csv_options opt = {.chunk_size = chunk, .max_field = max_field};
    enum cs_status st = cs_csv_read_path(path, "fuzz.csv", &opt, fzcr_record, &l, &err);
    fzcr_end(&l, st, &err, "fuzz.csv");
    *out = l.b;
}

int cs_fuzz_csvread(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned o = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    size_t chunk = fzcr_chunks[o & 7];
    size_t max_field = fzcr_max_fields[(o >> 3) & 3];
    int stop_at = (int)((o >> 6) & 3);
    bool stop_status = (o & 0x80) != 0;

    /* Physical lines: every LF, CRLF or lone CR ends one; +1 for the last. */
    unsigned long lines = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
            lines++;

    struct fuzz_buf ref, other;
    fzcr_run_mem(text, len, 0, max_field, stop_at, stop_status, lines, &ref);
    fzcr_run_mem(text, len, chunk, max_field, stop_at, stop_status, lines, &other);
    FUZZ_CHECK(ref.n == other.n && memcmp(ref.s, other.s, ref.n) == 0,
               "events differ between chunk sizes (cs_csv_read_mem)");
    fuzz_buf_free(&other);
    if (o & 0x20) {
        fzcr_run_path(text, len, chunk, max_field, stop_at, stop_status, lines, &other);
        FUZZ_CHECK(ref.n == other.n && memcmp(ref.s, other.s, ref.n) == 0,
                   "events differ between cs_csv_read_mem and cs_csv_read_path");
        fuzz_buf_free(&other);
    }
    fuzz_buf_free(&ref);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_csvread(data, size);
}
#endif
