/* csvread.h - streaming CSV reader over libcsv with physical line numbers. */
#ifndef COMPSIGHT_CSVREAD_H
#define COMPSIGHT_CSVREAD_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * One parsed record, borrowed: valid only during the callback.  Every field
 * is a NUL-terminated copy of its bytes (quotes removed, doubled quotes
 * undone); a blank field is "" with len 0 (quoted "" is blank too).
 * line is the physical line on which the record starts, counting every line
 * break in the file including those inside quoted fields (first line = 1).
 */
struct cs_csv_record {
    const char *const *field;
    const size_t *len;
    size_t n;
    unsigned long line;
};

/*
 * Called once per record, the header included.  Return 0 to go on; any
 * other value stops reading and cs_csv_read_* returns CS_ERR_INPUT unless the
 * callback already stored another status in *err (err->status != CS_OK).
 */
typedef int (*cs_csv_record_fn)(const struct cs_csv_record *rec, void *ctx);

/* Called now and then with bytes consumed so far and the total (0 unknown). */
typedef void (*cs_csv_progress_fn)(uint64_t done, uint64_t total, void *ctx);

struct cs_csv_options {
    size_t chunk_size;             /* bytes per read; 0 = 1 MiB */
    size_t max_field;              /* 0 = 1 MiB; longer is a CS_ERR_INPUT */
    cs_csv_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
};

/*
 * Decisions, each tested:
 *  - a leading UTF-8 byte-order mark is skipped;
 *  - LF, CRLF and lone CR end a record; line breaks inside quotes are data
 *    and are counted as lines;
 *  - blank lines (and records whose fields are all blank) are skipped, not
 *    passed to the callback;
 *  - spaces and tabs around unquoted fields are trimmed (libcsv);
 *  - strict RFC 4180: a quote inside an unquoted field, or text after a
 *    closing quote, is CS_ERR_INPUT naming the line;
 *  - an unterminated quoted field at end of file is CS_ERR_INPUT naming the
 *    line where the field started;
 *  - a NUL byte anywhere means the file is not text: CS_ERR_INPUT.
 * Errors are reported with err->file = name (a display name, e.g. "deals.csv";
 * NULL means path) and err->line = the physical line (0 for open/read
 * errors); a field longer than max_field names the line where that field
 * started.  err is cleared on entry, so a callback can store its own status
 * in it; one that stops without doing so gets "reading stopped at this
 * record".  Records before an error have already been passed on: reading
 * is streaming, the caller decides what a failure means for them.  The
 * events (records and the error) are the same for every chunk_size.
 * Out of memory is CS_ERR_NOMEM.  progress is called about every 4 MiB and
 * once at the end, with total = the file size (0 for a pipe) or len.
 */
enum cs_status cs_csv_read_path(const char *path, const char *name,
                                const struct cs_csv_options *opt,
                                cs_csv_record_fn fn, void *ctx,
                                struct cs_error *err);

/* The same over a buffer in memory (for tests and fuzzing). */
enum cs_status cs_csv_read_mem(const char *buf, size_t len, const char *name,
                               const struct cs_csv_options *opt,
                               cs_csv_record_fn fn, void *ctx,
                               struct cs_error *err);

#endif
