/* csvreader.h - the CSV reader's state, shared by csvread.c and csvescape.c (private to input/). */
#ifndef COMPSIGHT_INPUT_CSVREADER_H
#define COMPSIGHT_INPUT_CSVREADER_H

#include <csv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvread.h"

/* The escape parser's states (feed_escaped): between records, at the start
 * of a field, in an unquoted field, in a quoted one, after its closing quote. */
enum esc_state { E_ROW, E_FIELD, E_UNQ, E_Q, E_AFTER };

struct reader {
    struct csv_parser parser;
    bool parser_ready;
    const char *name;
    size_t max_field;
    cs_csv_record_fn fn;
    void *ctx;
    struct cs_error *err;
    enum cs_status failed;        /* set by callbacks, which cannot abort libcsv */

    /* The record being assembled: field bytes, each NUL-terminated, back
     * to back in buf; off/len per field; ptr filled when it is passed on. */
    char *buf;
    size_t buf_used, buf_cap;
    size_t *off, *len;
    const char **ptr;
    size_t nfields, fields_cap;
    bool any_text;                /* some field of the record is not blank */

    unsigned long line;           /* line of the next byte to be parsed */
    unsigned long seg_line;       /* line of the segment being parsed */
    unsigned long rec_line;       /* line where the current record started */
    unsigned long field_line;     /* line where the current field started */
    bool after_cr;                /* last byte fed was a CR ending a line */
    bool at_line_start;           /* next byte fed starts a physical line */

    unsigned char head[3];        /* first bytes, held back until we know */
    size_t head_len;              /* whether they are a byte-order mark */
    bool head_done;
    bool nul_seen;                /* a NUL byte was fed: records may hold NULs */

    /* The delimiter, and the first line held back to detect it. */
    char delim;
    bool tab_blank;               /* TAB is a blank to trim (not the delimiter) */
    bool delim_known;
    char *sniff;
    size_t sniff_len, sniff_cap;
    size_t sniff_count[4];        /* of each of auto_delims, outside quotes */
    bool sniff_quoted, sniff_esc, sniff_text;

    /* escape = backslash: the parser's state and the field being read. */
    bool escape;
    enum esc_state es;
    bool e_esc;                   /* the byte before was an escaping backslash */
    bool e_esc_cr;                /* an escaped CR was read: an LF right after is data */
    bool e_after_cr;              /* the byte before was a CR (line counted) */
    bool e_quoted;                /* the field was quoted */
    bool e_after_blank;           /* blanks after the closing quote */
    char *fbuf;
    size_t flen, fkeep, fcap;     /* fkeep: length without trailing blanks */
};

/* A blank to trim: a space, or tab_blank (a TAB, or a space again when TAB
 * is the delimiter): two comparisons, as before there were delimiters. */
static inline bool is_blank(char c, char tab_blank)
{
    return c == ' ' || c == tab_blank;
}

/* csvread.c: a field, a record's end (libcsv's callbacks, which the
 * escape parser calls too); the too-long-field error; a byte buffer grown
 * to need bytes (false on OOM, the buffer unchanged). */
void csv_on_field(void *data, size_t len, void *vr);
void csv_on_row(int c, void *vr);
void csv_fail_too_long(struct reader *r);
bool csv_grow_bytes(char **p, size_t *cap, size_t need);

/* csvescape.c: feed bytes to the escape parser; the end of the input. */
enum cs_status csv_feed_escaped(struct reader *r, const char *s, size_t n);
enum cs_status csv_escape_finish(struct reader *r);

#endif
