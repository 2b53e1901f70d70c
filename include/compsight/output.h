/* output.h - one escaper per output format, and files written atomically. */
#ifndef COMPSIGHT_OUTPUT_H
#define COMPSIGHT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "compsight/status.h"

/*
 * CSV cell per RFC 4180: quoted when it holds a comma, quote, CR or LF (or
 * leading/trailing space), quotes doubled.  With text = true (names,
 * titles, free text; never numbers) a cell that begins with = + - @ TAB or
 * CR is neutralised against spreadsheet formula injection by a leading
 * apostrophe, the convention spreadsheets show as plain text.
 */
void cs_csv_cell(FILE *f, const char *s, size_t len, bool text);

/* The same for a NUL-terminated string. */
void cs_csv_text(FILE *f, const char *s);

/* The same cell into dst, which has room for 2 * len + 3 bytes (no NUL);
 * returns its length. */
size_t cs_csv_cell_mem(char *dst, const char *s, size_t len, bool text);

/* A number for CSV/Markdown: %.17g, shortest form that round-trips when
 * possible ("0.1", not "0.10000000000000001"); empty for NaN/Inf.  The
 * formatter itself is src/report/numfmt.c (cs_format_number). */
void cs_put_number(FILE *f, double x);

/* Numbers for reading (full precision stays in the JSON files); each
 * writes into buf of size n and returns buf.
 * cs_fmt_count: whole counts with thousands separators, "2,115".
 * cs_fmt_amount: amounts without a currency symbol (the data does not say
 * which): "1.23M", "84k", "8.4k", "950"; "n/a" when not finite. */
const char *cs_fmt_count(char *buf, size_t n, size_t v);
const char *cs_fmt_amount(char *buf, size_t n, double x);

/* HTML text and attribute values: & < > " ' escaped. */
void cs_html_text(FILE *f, const char *s);

/* Markdown table cell / inline text: | \ ` * _ [ ] < > escaped, newlines
 * and other control characters become spaces. */
void cs_md_text(FILE *f, const char *s);

/*
 * An output file written atomically: cs_atomic_open creates NAME.tmp next
 * to the final path; cs_atomic_commit flushes, checks every write, closes
 * and renames; cs_atomic_abort removes the temporary.  Any failure is
 * CS_ERR_OUTPUT naming the path.  The struct is owned by the caller;
 * commit and abort release everything, and abort after commit is a no-op.
 */
struct cs_atomic {
    FILE *f;
    char *path;
    char *tmp;
};

enum cs_status cs_atomic_open(struct cs_atomic *a, const char *dir, const char *name,
                              struct cs_error *err);
enum cs_status cs_atomic_commit(struct cs_atomic *a, struct cs_error *err);
void cs_atomic_abort(struct cs_atomic *a);

/* mkdir -p with the given mode for the last component; CS_ERR_OUTPUT on failure. */
enum cs_status cs_mkdir_p(const char *dir, unsigned mode, struct cs_error *err);

/* The date a report or proposal carries, YYYY-MM-DD into buf of size n:
 * $SOURCE_DATE_EPOCH when set (reproducible builds' convention, used by
 * the tests), else today (UTC). */
void cs_report_date(char *buf, size_t n);

#endif
