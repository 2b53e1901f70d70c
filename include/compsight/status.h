/* status.h - status codes and the error record every library call fills. */
#ifndef COMPSIGHT_STATUS_H
#define COMPSIGHT_STATUS_H

#include <stddef.h>

/*
 * Library code never prints and never exits: it returns one of these and,
 * on failure, fills a caller-provided struct cs_error.  main() maps the
 * status to an exit code with cs_exit_code().
 */
enum cs_status {
    CS_OK = 0,
    CS_ERR_USAGE,     /* bad command line                       -> exit 1 */
    CS_ERR_INPUT,     /* input cannot be read or parsed          -> exit 2 */
    CS_ERR_REJECTS,   /* rows were rejected under --strict       -> exit 3 */
    CS_ERR_OUTPUT,    /* an output could not be written          -> exit 4 */
    CS_ERR_NOMEM,     /* out of memory                           -> exit 4 */
    CS_ERR_NOTIMPL,   /* subcommand not implemented yet          -> exit 1 */
    CS_ERR_INTERNAL   /* a bug or a numerical failure            -> exit 4 */
};

/*
 * Where and why something failed.  file/column are empty strings when they
 * do not apply; line is 0 when it does not.  The struct is plain data: no
 * ownership, copy it freely.
 */
struct cs_error {
    enum cs_status status;
    char file[256];
    unsigned long line;
    char column[64];
    char msg[768];
};

/* Static description of a status ("input cannot be read", ...). */
const char *cs_strerror(enum cs_status status);

/* Exit code of SPEC section 10 for a status. */
int cs_exit_code(enum cs_status status);

/* Clear an error record (status CS_OK, empty strings). */
void cs_error_clear(struct cs_error *err);

/*
 * Fill err and return status, so that failures read
 *     return cs_error_set(err, CS_ERR_INPUT, "deals.csv", 12, "amount", "not a number: %s", q);
 * err may be NULL (the status is still returned).  file/column may be NULL.
 */
enum cs_status cs_error_set(struct cs_error *err, enum cs_status status,
                            const char *file, unsigned long line,
                            const char *column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Format as "FILE:LINE: COLUMN: MSG" (parts that are absent are left out)
 * into buf of size n; always NUL-terminates.  main() prefixes "compsight: ".
 */
void cs_error_format(const struct cs_error *err, char *buf, size_t n);

/*
 * When err names a file under the directory from, name it under to
 * instead ("" for a path relative to it), in its file and in its message
 * ("FROM/x.tmp: No space left on device"): a report is written in a
 * staging directory and moved into place, and its messages should name
 * files where the reader will find them.  A name that would no longer
 * fit is left as it was.
 */
void cs_error_rebase(struct cs_error *err, const char *from, const char *to);

/*
 * Quote untrusted bytes for a message: the result is "..." with control
 * characters, quotes, backslashes and bytes >= 0x7f as \xNN, cut at about
 * 40 input bytes with "..." appended.  Writes at most n bytes into dst,
 * NUL-terminated, and returns dst.
 */
char *cs_quote_bytes(char *dst, size_t n, const char *src, size_t len);

/* What a file of st_mode mode is, for a message refusing it ("a FIFO
 * (named pipe)", "a character device", "a directory", ...); static text. */
const char *cs_file_kind(unsigned mode);

#endif
