/* csvescape.c - CSV with backslash escapes (SPEC 12, escape = backslash): a byte-at-a-time parser beside libcsv. */
#include <string.h>

#include "csvreader.h"

/* ---------------------------------------------------------------------- */
/* escape = backslash: a byte-at-a-time parser of its own                  */
/* ---------------------------------------------------------------------- */

/*
 * libcsv has no escape character, so a file with backslash escapes is read
 * here instead, one byte at a time with explicit state (so the events do
 * not depend on the chunking), under the rules of the libcsv path: blanks
 * around unquoted fields and outside quotes trimmed, a quote inside an
 * unquoted field or text after a closing quote an error, all-blank records
 * skipped, the field limit, physical lines.  An escaped byte is never a
 * blank to trim, a delimiter, a quote or a record end.
 */

static enum cs_status esc_put(struct reader *r, char c, bool keep)
{
    if (r->flen == r->fcap && !csv_grow_bytes(&r->fbuf, &r->fcap, r->flen + 1))
        return r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                        "out of memory");
    r->fbuf[r->flen++] = c;
    if (keep)
        r->fkeep = r->flen;
    if ((r->e_quoted ? r->flen : r->fkeep) > r->max_field) {
        csv_fail_too_long(r);
        return r->failed;
    }
    return CS_OK;
}

static enum cs_status esc_end_field(struct reader *r)
{
    csv_on_field(r->fbuf, r->e_quoted ? r->flen : r->fkeep, r);
    r->flen = r->fkeep = 0;
    r->e_quoted = false;
    r->field_line = r->line;
    return r->failed;
}

/* The byte after an escaping backslash. */
static char esc_byte(const struct reader *r, char c, bool *plain)
{
    *plain = false;
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '"': case '\\': case '\n': case '\r': return c;
    default:
        if (c == r->delim)
            return c;
        *plain = true;        /* not an escape: the backslash stays */
        return c;
    }
}

static enum cs_status esc_byte_in(struct reader *r, char c)
{
    enum cs_status st = CS_OK;
    bool blank = is_blank(c, r->tab_blank ? '\t' : ' '), eol = c == '\n' || c == '\r';
    if (r->e_esc) {
        bool plain;
        char out = esc_byte(r, c, &plain);
        r->e_esc = false;
        if (plain && (st = esc_put(r, '\\', true)) != CS_OK)
            return st;
        r->e_esc_cr = c == '\r';
        return esc_put(r, out, true);
    }
    if (r->e_esc_cr) {
        r->e_esc_cr = false;
        if (c == '\n')                   /* CRLF after a backslash: both data */
            return esc_put(r, c, true);
    }
    switch (r->es) {
    case E_ROW:
    case E_FIELD:
        if (blank)
            return CS_OK;
        if (eol) {
            if (r->es == E_FIELD) {
                if ((st = esc_end_field(r)) != CS_OK)
                    return st;
                csv_on_row(0, r);
                r->es = E_ROW;
            }
            return r->failed;
        }
        if (r->es == E_ROW)
            r->rec_line = r->line;
        r->field_line = r->line;
        if (c == r->delim) {
            r->es = E_FIELD;
            return esc_end_field(r);
        }
        if (c == '"') {
            r->es = E_Q;
            r->e_quoted = true;
            return CS_OK;
        }
        r->es = E_UNQ;
        if (c == '\\') {
            r->e_esc = true;
            return CS_OK;
        }
        return esc_put(r, c, true);
    case E_UNQ:
        if (c == r->delim) {
            r->es = E_FIELD;
            return esc_end_field(r);
        }
        if (eol) {
            if ((st = esc_end_field(r)) != CS_OK)
                return st;
            csv_on_row(0, r);
            r->es = E_ROW;
            return r->failed;
        }
        if (c == '"')
            return r->failed = cs_error_set(r->err, CS_ERR_INPUT, r->name, r->line, NULL,
                                            "malformed CSV: quote inside an unquoted field "
                                            "(escape it as \\\" or quote the whole field)");
        if (c == '\\') {
            r->e_esc = true;
            return CS_OK;
        }
        return esc_put(r, c, !blank);
    case E_Q:
        if (c == '"') {
            r->es = E_AFTER;
            r->e_after_blank = false;
            return CS_OK;
        }
        if (c == '\\') {
            r->e_esc = true;
            return CS_OK;
        }
        return esc_put(r, c, true);
    case E_AFTER:
        if (c == '"' && !r->e_after_blank) {     /* a doubled quote */
            r->es = E_Q;
            return esc_put(r, c, true);
        }
        if (blank) {
            r->e_after_blank = true;
            return CS_OK;
        }
        if (c == r->delim || eol) {
            if ((st = esc_end_field(r)) != CS_OK)
                return st;
            if (c == r->delim) {
                r->es = E_FIELD;
                return CS_OK;
            }
            csv_on_row(0, r);
            r->es = E_ROW;
            return r->failed;
        }
        return r->failed = cs_error_set(r->err, CS_ERR_INPUT, r->name, r->line, NULL,
                                        "malformed CSV: text after a closing quote "
                                        "(escape a quote inside a quoted field as \\\")");
    }
    return CS_OK;
}

enum cs_status csv_feed_escaped(struct reader *r, const char *s, size_t n)
{
    if (!r->nul_seen && memchr(s, '\0', n))
        r->nul_seen = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        /* the LF of a CRLF is on the line the CR ended */
        bool lf_of_crlf = c == '\n' && r->e_after_cr;
        if (lf_of_crlf)
            r->line--;
        enum cs_status st = esc_byte_in(r, c);
        if (st != CS_OK)
            return st;
        r->line += c == '\n' || c == '\r';
        r->e_after_cr = c == '\r';
    }
    return CS_OK;
}

enum cs_status csv_escape_finish(struct reader *r)
{
    enum cs_status st = CS_OK;
    if (r->e_esc) {                      /* a backslash at the very end */
        r->e_esc = false;
        if ((st = esc_put(r, '\\', true)) != CS_OK)
            return st;
    }
    switch (r->es) {
    case E_Q:
        return cs_error_set(r->err, CS_ERR_INPUT, r->name, r->field_line, NULL,
                            "unterminated quoted field (the closing quote is missing)");
    case E_UNQ:
    case E_AFTER:
    case E_FIELD:
        if ((st = esc_end_field(r)) != CS_OK)
            return st;
        csv_on_row(0, r);
        r->es = E_ROW;
        return r->failed;
    case E_ROW:
        break;
    }
    return r->failed;
}

