/* csvread.h - streaming CSV reader over libcsv with physical line numbers. */
#ifndef COMPSIGHT_CSVREAD_H
#define COMPSIGHT_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/status.h"

/*
 * One parsed record, borrowed: valid only during the callback.  Every field
 * is a NUL-terminated copy of its bytes (quotes removed, doubled quotes
 * undone, escapes read); a blank field is "" with len 0 (quoted "" is blank
 * too).  NUL bytes are data, which matter only in the columns a caller
 * reads: may_hold_nul is set on every record that holds one (and on others
 * once the reader has seen one), so that a caller need look for them only
 * then.
 * line is the physical line on which the record starts, counting every line
 * break in the file including those inside quoted fields (first line = 1).
 * delimiter is the file's (the one detected, with CS_CSV_DELIM_AUTO).
 */
struct cs_csv_record {
    const char *const *field;
    const size_t *len;
    size_t n;
    unsigned long line;
    bool may_hold_nul;
    char delimiter;
};

/*
 * Called once per record, the header included.  Return 0 to go on; any
 * other value stops reading and cs_csv_read_* returns CS_ERR_INPUT unless the
 * callback already stored another status in *err (err->status != CS_OK).
 */
typedef int (*cs_csv_record_fn)(const struct cs_csv_record *rec, void *ctx);

/* Called now and then with bytes consumed so far and the total (0 unknown). */
typedef void (*cs_csv_progress_fn)(uint64_t done, uint64_t total, void *ctx);

/* cs_csv_options.delimiter: detect it (SPEC 12): of ',' ';' TAB '|', the
 * one that occurs most often outside quotes on the first line that is not
 * blank (ties in that order; none at all: ','). */
#define CS_CSV_DELIM_AUTO (-1)

struct cs_csv_options {
    size_t chunk_size;             /* bytes per read; 0 = 1 MiB */
    size_t max_field;              /* 0 = 1 MiB; longer is a CS_ERR_INPUT */
    cs_csv_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
    int delimiter;                 /* 0: ','; CS_CSV_DELIM_AUTO; else the byte (not a quote,
                                    * backslash, space or line break) */
    bool escape_backslash;         /* escape = backslash (SPEC 12), see below */
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
 *  - NUL bytes are data (see may_hold_nul); a file that starts with a
 *    UTF-16 byte-order mark is CS_ERR_INPUT (it is not 8-bit text);
 *  - with escape_backslash, inside fields (quoted or not) \" \\ \n \t \r
 *    and a backslash before the delimiter or a line break stand for that
 *    character (a quote, a backslash, LF, TAB, CR, the delimiter, the line
 *    break, which still counts as a line); any other backslash is kept
 *    with the byte after it (so MySQL's \N arrives as \N); doubled quotes
 *    inside quotes still work.  This mode reads byte by byte, apart from
 *    libcsv, with the same rules otherwise (blanks, strictness, lines).
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
