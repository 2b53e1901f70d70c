/* csvread.c - streaming CSV reader over libcsv that knows physical line numbers. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvreader.h"

/*
 * How it works
 *
 * libcsv does the RFC 4180 state machine; this file adds what it lacks:
 * physical line numbers, BOM skipping, the field length limit, blank-record
 * skipping, the delimiter's detection and (in a parser of its own, since
 * libcsv has no escape character) backslash escapes.
 *
 * Line numbers: each chunk is cut into segments that end just after a line
 * break (LF, CRLF or a lone CR) and every segment goes to csv_parse on its
 * own, so the line number is constant during one csv_parse call and every
 * callback knows the line it is on.  A record starts in the first segment
 * that begins while no record is in progress; "no record in progress" at a
 * segment start is exactly "no field delivered yet and libcsv's entry buffer
 * empty", because a line break outside quotes ends the record and one
 * inside quotes is stored in the entry buffer.  (A chunk boundary inside a
 * line may start a segment in the middle of a record, but then the line has
 * not changed since the record began, so re-stamping it is harmless.)
 *
 * Options: CSV_STRICT (reject bare quotes), CSV_STRICT_FINI (reject an
 * unterminated quote at EOF), CSV_APPEND_NULL (libcsv keeps a spare byte; we
 * copy fields anyway, so it costs nothing) and CSV_EMPTY_IS_NULL (empty
 * unquoted fields arrive as NULL, which saves a memcpy; quoted "" is blank
 * too per csvread.h, so the distinction is not passed on).  Other libcsv
 * defaults are kept on purpose: spaces and tabs around unquoted fields are
 * trimmed, blank lines are dropped, a lone CR ends a row.
 *
 * A leading UTF-8 BOM is held back until three bytes are seen, so it is
 * dropped even when split across chunks (and a UTF-16 one is refused).
 * Records whose fields are all blank (" , ", "\"\"") are dropped like
 * libcsv drops blank lines.
 *
 * NUL bytes are data: they matter only in a column the caller reads (SPEC
 * 12: a rich-text column of a Salesforce export holds them).  The chunk
 * scan for them only sets may_hold_nul on every record from then on, so
 * that a caller looks for them in its fields only in such a file.
 *
 * The delimiter, when it is to be detected, is decided on the first line
 * that is not blank: its bytes are held back (like the BOM) until its end
 * outside quotes is seen, then parsed.  Deciding at a fixed byte (its end,
 * or 1 MiB into it) keeps the events the same for every chunk size.
 *
 * Every decision must give the same callbacks for any chunk size; errors
 * are therefore reported in byte order (see check_field_length).
 *
 * This reads entry_pos, spaces and quoted of struct csv_parser, which csv.h
 * exposes (checked against Debian's 3.0.3; the tests fail if they change).
 *
 * Speed: libcsv looks at every byte through its state machine (about 40
 * instructions a byte).  Most lines of an export hold no quote at all; such
 * a line, when it is complete in the chunk and starts between records, is
 * split here with memchr instead (plain_line), which is what libcsv would
 * make of it: fields cut at delimiters, blanks trimmed.  Lines with a quote,
 * lines cut by a chunk boundary and everything inside a record go through
 * libcsv.  The tests check both paths against a reference model.
 */

#define MIB ((size_t)1 << 20)
#define DEFAULT_CHUNK MIB
#define DEFAULT_MAX_FIELD MIB
#define PROGRESS_STEP ((uint64_t)4 << 20)
#define LIBCSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)
/* libcsv grows its entry buffer linearly by this much (default 128 bytes,
 * i.e. 8192 reallocs for a 1 MiB field). */
#define LIBCSV_BLOCK ((size_t)64 << 10)

static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};

/* The delimiters detection chooses from, in the order that breaks ties. */
static const char auto_delims[4] = {',', ';', '\t', '|'};
/* Detection decides at the end of the first line, or this far into it. */
#define SNIFF_MAX MIB

/* Describe a size limit for messages: "1 MiB", "64 KiB", "100 bytes". */
static void size_text(char *buf, size_t n, size_t bytes)
{
    if (bytes >= MIB && bytes % MIB == 0)
        snprintf(buf, n, "%zu MiB", bytes / MIB);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, n, "%zu bytes", bytes);
}

void csv_fail_too_long(struct reader *r)
{
    char lim[32];
    size_text(lim, sizeof lim, r->max_field);
    r->failed = cs_error_set(r->err, CS_ERR_INPUT, r->name, r->field_line, NULL,
                             "field longer than %s", lim);
}

/* Capacity to hold need elements: double from cap (at least 16); 0 on overflow. */
static size_t next_cap(size_t cap, size_t need, size_t elem)
{
    size_t n = cap ? cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return 0;
        n *= 2;
    }
    return n;
}

static bool grow_buf(struct reader *r, size_t need)
{
    size_t cap = next_cap(r->buf_cap, need, 1);
    char *p = cap ? realloc(r->buf, cap) : NULL;
    if (!p)
        return false;
    r->buf = p;
    r->buf_cap = cap;
    return true;
}

/* Grow a byte buffer to hold need bytes; false on OOM (it stays as it was). */
bool csv_grow_bytes(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = next_cap(*cap, need, 1);
    char *q = c ? realloc(*p, c) : NULL;
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* Grow the three per-field arrays together; on failure the caller gives
 * up, so a partly grown set is never used. */
static bool grow_fields(struct reader *r)
{
    size_t cap = next_cap(r->fields_cap, r->nfields + 1, sizeof(size_t) + sizeof(char *));
    if (!cap)
        return false;
    size_t *off = realloc(r->off, cap * sizeof *off);
    if (!off)
        return false;
    r->off = off;
    size_t *len = realloc(r->len, cap * sizeof *len);
    if (!len)
        return false;
    r->len = len;
    const char **ptr = realloc(r->ptr, cap * sizeof *ptr);
    if (!ptr)
        return false;
    r->ptr = ptr;
    r->fields_cap = cap;
    return true;
}

/* ---------------------------------------------------------------------- */
/* libcsv callbacks                                                        */
/* ---------------------------------------------------------------------- */

void csv_on_field(void *data, size_t len, void *vr)
{
    struct reader *r = vr;
    if (r->failed)
        return;
    if (len > r->max_field) {
        csv_fail_too_long(r);
        return;
    }
    if ((r->nfields == r->fields_cap && !grow_fields(r)) ||
        (r->buf_cap - r->buf_used < len + 1 && !grow_buf(r, r->buf_used + len + 1))) {
        r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->seg_line, NULL,
                                 "out of memory");
        return;
    }
    char *dst = r->buf + r->buf_used;
    if (len) {                    /* data is NULL for an empty unquoted field */
        memcpy(dst, data, len);
        r->any_text = true;
    }
    dst[len] = '\0';
    r->off[r->nfields] = r->buf_used;
    r->len[r->nfields] = len;
    r->nfields++;
    r->buf_used += len + 1;
    /* The next field starts after the delimiter, on this line. */
    r->field_line = r->seg_line;
}

static void end_record(struct reader *r)
{
    r->nfields = 0;
    r->buf_used = 0;
    r->any_text = false;
}

void csv_on_row(int c, void *vr)
{
    struct reader *r = vr;
    (void)c;
    if (r->failed || !r->any_text) {   /* all fields blank: skip the record */
        end_record(r);
        return;
    }
    for (size_t i = 0; i < r->nfields; i++)
        r->ptr[i] = r->buf + r->off[i];
    struct cs_csv_record rec = {
        .field = r->ptr, .len = r->len, .n = r->nfields, .line = r->rec_line,
        .may_hold_nul = r->nul_seen, .delimiter = r->delim,
    };
    if (r->fn(&rec, r->ctx) != 0) {
        if (r->err && r->err->status != CS_OK)
            r->failed = r->err->status;
        else
            r->failed = cs_error_set(r->err, CS_ERR_INPUT, r->name, r->rec_line, NULL,
                                     "reading stopped at this record");
    }
    end_record(r);
}

/* ---------------------------------------------------------------------- */
/* Feeding libcsv                                                          */
/* ---------------------------------------------------------------------- */

/*
 * The field in progress will be longer than max_field.  libcsv only hands
 * a field over when it ends, so without this check an unterminated quote
 * would make it buffer the rest of the file.  What libcsv holds, less the
 * blanks it will trim (entry_pos - spaces), never decreases while a field
 * grows; the field finally delivered is exactly that for an unquoted field
 * and at least that minus one for a quoted one (whose closing quote may
 * still be held).  Checking after every csv_parse call therefore catches
 * the excess before any later error in byte order, whatever the chunking.
 * Memory is bounded by max_field plus one chunk (plus any run of trailing
 * blanks, which libcsv keeps until it knows they are trailing).
 */
static bool check_field_length(struct reader *r)
{
    size_t slack = r->parser.quoted ? 1 : 0;
    if (r->parser.entry_pos > r->max_field + slack + r->parser.spaces) {
        csv_fail_too_long(r);
        return false;
    }
    return true;
}

static enum cs_status parse_error(struct reader *r)
{
    switch (csv_error(&r->parser)) {
    case CSV_ENOMEM:
        return cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->seg_line, NULL,
                            "out of memory");
    case CSV_EPARSE:
        /* libcsv stopped at a quote in an unquoted field, or at something
         * other than a delimiter, line break or blank after a closing quote. */
        if (!r->parser.quoted)
            return cs_error_set(r->err, CS_ERR_INPUT, r->name, r->seg_line, NULL,
                                "malformed CSV: quote inside an unquoted field "
                                "(quote the whole field and double the quote)");
        return cs_error_set(r->err, CS_ERR_INPUT, r->name, r->seg_line, NULL,
                            "malformed CSV: text after a closing quote "
                            "(a quote inside a quoted field must be doubled)");
    default:
        return cs_error_set(r->err, CS_ERR_INPUT, r->name, r->seg_line, NULL,
                            "malformed CSV: %s", csv_strerror(csv_error(&r->parser)));
    }
}

/* Parse one segment (no line break inside except possibly at its end). */
static enum cs_status parse_segment(struct reader *r, const char *s, size_t n)
{
    if (r->nfields == 0 && r->parser.entry_pos == 0)
        r->rec_line = r->field_line = r->line;
    r->seg_line = r->line;
    size_t done = csv_parse(&r->parser, s, n, csv_on_field, csv_on_row, r);
    if (r->failed)
        return r->failed;
    if (!check_field_length(r))
        return r->failed;
    if (done < n)
        return parse_error(r);
    return CS_OK;
}

/*
 * Fast path: a complete line with no quote, starting while libcsv is
 * between records, is split here (copy once, cut at delimiters, trim blanks),
 * which is exactly what libcsv would do with it.  Everything else goes
 * through libcsv.
 */

/*
 * The index of the first delimiter in s[from..n), or n when there is none
 * (delims: the delimiter in every byte).
 * Eight bytes at a time: fields are short, and a memchr call a field was
 * a fifth of the reader's time.  The test for a zero byte of w ^ delims
 * is exact (no carry crosses a byte), and on a little-endian machine the
 * first one is the lowest; elsewhere memchr finds it.  It reads the line
 * where read() put it, not its copy in the record buffer, whose bytes
 * were just stored in pieces of other sizes: a load that spans two
 * stores in flight waits for both (at 1M deals, that wait was 60% of
 * this function).
 */
static size_t find_delim(const char *s, size_t from, size_t n, uint64_t delims)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    for (; n - from >= 8; from += 8) {
        uint64_t w;
        memcpy(&w, s + from, 8);
        uint64_t x = w ^ delims;
        uint64_t zero = ~(((x & low7) + low7) | x | low7);
        if (zero)
            return from + (size_t)__builtin_ctzll(zero) / 8;
    }
    for (; from < n; from++)
        if (s[from] == (char)delims)
            return from;
    return n;
#else
    const char *c = memchr(s + from, (char)delims, n - from);
    return c ? (size_t)(c - s) : n;
#endif
}

static enum cs_status plain_line(struct reader *r, const char *s, size_t n)
{
    r->rec_line = r->field_line = r->seg_line = r->line;
    if (r->buf_cap < n + 1 && !grow_buf(r, n + 1))
        return r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                        "out of memory");
    char *b = r->buf;
    memcpy(b, s, n);
    size_t start = 0;
    const uint64_t delims = (uint64_t)(unsigned char)r->delim * 0x0101010101010101ull;
    const char tb = r->tab_blank ? '\t' : ' ';
    for (;;) {
        size_t stop = find_delim(s, start, n, delims), lo = start, hi = stop;
        while (lo < hi && is_blank(s[lo], tb))
            lo++;
        while (hi > lo && is_blank(s[hi - 1], tb))
            hi--;
        if (hi - lo > r->max_field) {
            csv_fail_too_long(r);
            return r->failed;
        }
        if (r->nfields == r->fields_cap && !grow_fields(r))
            return r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                            "out of memory");
        b[hi] = '\0';
        r->off[r->nfields] = lo;
        r->len[r->nfields] = hi - lo;
        r->nfields++;
        if (hi > lo)
            r->any_text = true;
        if (stop == n)
            break;
        start = stop + 1;
    }
    r->buf_used = n + 1;
    csv_on_row(0, r);
    return r->failed;
}

/*
 * Fast path for a complete line with quotes, between records: when every
 * quoted field opens its field (after blanks) and closes on this line, and
 * only blanks follow its closing quote before the delimiter, the line is split
 * here as libcsv would split it (quotes removed, doubled quotes undone,
 * blanks inside quotes kept).  Anything else (a quote inside an unquoted
 * field, text after a closing quote, a field that goes on to the next
 * line, a field over the limit) returns false having passed nothing on,
 * and libcsv reads the line and reports what is wrong with it.
 */
static bool quoted_line(struct reader *r, const char *s, size_t n, enum cs_status *st)
{
    /* Each field's text is at most its bytes less the quotes, and its NUL
     * takes the place of its delimiter: n + 1 bytes in all. */
    if (r->buf_cap < n + 1 && !grow_buf(r, n + 1)) {
        *st = r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                       "out of memory");
        return true;
    }
    char *b = r->buf;
    size_t i = 0, used = 0;
    bool any = false;
    const char delim = r->delim;
    const char tb = r->tab_blank ? '\t' : ' ';
    for (;;) {
        while (i < n && is_blank(s[i], tb))
            i++;
        size_t start = used;
        if (i < n && s[i] == '"') {
            for (i++;;) {
                const char *q = memchr(s + i, '"', n - i);
                if (!q)
                    goto fall_back;           /* the field goes on past the line */
                size_t k = (size_t)(q - (s + i));
                memcpy(b + used, s + i, k);
                used += k;
                i += k + 1;
                if (i < n && s[i] == '"') {   /* a doubled quote */
                    b[used++] = '"';
                    i++;
                    continue;
                }
                break;
            }
            while (i < n && is_blank(s[i], tb))
                i++;
            if (i < n && s[i] != delim)
                goto fall_back;
        } else {
            size_t lo = i;
            while (i < n && s[i] != delim) {
                if (s[i] == '"')
                    goto fall_back;
                i++;
            }
            size_t hi = i;
            while (hi > lo && is_blank(s[hi - 1], tb))
                hi--;
            memcpy(b + used, s + lo, hi - lo);
            used += hi - lo;
        }
        size_t len = used - start;
        if (len > r->max_field)
            goto fall_back;
        if (r->nfields == r->fields_cap && !grow_fields(r)) {
            *st = r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                           "out of memory");
            return true;
        }
        b[used++] = '\0';
        r->off[r->nfields] = start;
        r->len[r->nfields] = len;
        r->nfields++;
        any |= len > 0;
        if (i >= n)
            break;
        i++;                                  /* the delimiter */
    }
    r->rec_line = r->field_line = r->seg_line = r->line;
    r->any_text = any;
    r->buf_used = used;
    csv_on_row(0, r);
    *st = r->failed;
    return true;
fall_back:
    r->nfields = 0;
    return false;
}

/* Feed bytes (no BOM logic here), cutting them into lines. */
static enum cs_status feed_lines(struct reader *r, const char *s, size_t n)
{
    enum cs_status st = CS_OK;
    const char *p = s, *end = s + n;
    if (!r->nul_seen && memchr(s, '\0', n))
        r->nul_seen = true;

    if (r->after_cr && p < end) {
        r->after_cr = false;
        if (*p == '\n') {         /* second half of a CRLF split by a chunk */
            if ((st = parse_segment(r, p, 1)) != CS_OK)
                return st;
            p++;
        }
    }
    /* Next LF and CR at or after p (NULL: none before end), found once each
     * per chunk and line so that CR-only files do not rescan. */
    const char *lf = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    const char *cr = p < end ? memchr(p, '\r', (size_t)(end - p)) : NULL;
    const char *q = p < end ? memchr(p, '"', (size_t)(end - p)) : NULL;
    while (p < end) {
        if (lf && lf < p)
            lf = memchr(p, '\n', (size_t)(end - p));
        if (cr && cr < p)
            cr = memchr(p, '\r', (size_t)(end - p));
        const char *seg_end;
        bool eol = true;
        if (cr && (!lf || cr < lf)) {
            if (cr + 1 == lf) {
                seg_end = lf + 1;                  /* CRLF */
            } else {
                seg_end = cr + 1;                  /* lone CR, or CR at the end */
                r->after_cr = seg_end == s + n;    /* maybe an LF in the next chunk */
            }
        } else if (lf) {
            seg_end = lf + 1;
        } else {
            seg_end = end;
            eol = false;
        }
        if (q && q < p)
            q = memchr(p, '"', (size_t)(end - p));
        bool done = false;
        if (eol && r->at_line_start && r->nfields == 0 && r->parser.entry_pos == 0) {
            size_t text = (size_t)(seg_end - p);   /* less the line break */
            text -= seg_end[-1] == '\n' && text >= 2 && seg_end[-2] == '\r' ? 2 : 1;
            if (!q || q >= seg_end) {
                st = plain_line(r, p, text);
                done = true;
            } else {
                done = quoted_line(r, p, text, &st);
            }
            if (st != CS_OK)
                return st;
        }
        if (!done && (st = parse_segment(r, p, (size_t)(seg_end - p))) != CS_OK)
            return st;
        if (eol)
            r->line++;
        r->at_line_start = eol;
        p = seg_end;
    }
    return CS_OK;
}

/* ---------------------------------------------------------------------- */
/* The delimiter, detected on the first line                              */
/* ---------------------------------------------------------------------- */

static void set_delim(struct reader *r, char d)
{
    r->delim = d;
    r->tab_blank = d != '\t';
    r->delim_known = true;
    csv_set_delim(&r->parser, (unsigned char)d);
}

static void decide_delim(struct reader *r)
{
    size_t best = 0;
    for (size_t k = 1; k < sizeof auto_delims; k++)
        if (r->sniff_count[k] > r->sniff_count[best])
            best = k;
    set_delim(r, auto_delims[best]);
}

static enum cs_status release_sniff(struct reader *r, const char *rest, size_t n);

static enum cs_status feed_known(struct reader *r, const char *s, size_t n)
{
    return r->escape ? csv_feed_escaped(r, s, n) : feed_lines(r, s, n);
}

/*
 * Hold bytes back until the end (outside quotes) of the first line with
 * text, counting the candidate delimiters outside quotes on it; then
 * decide and parse what was held back and the rest.
 */
static enum cs_status sniff(struct reader *r, const char *s, size_t n)
{
    size_t i = 0;
    bool decided = false;
    for (; i < n && !decided; i++) {
        char c = s[i];
        if (r->sniff_esc) {
            r->sniff_esc = false;
        } else if (r->escape && c == '\\') {
            r->sniff_esc = true;
            r->sniff_text = true;
        } else if (c == '"') {
            r->sniff_quoted = !r->sniff_quoted;
            r->sniff_text = true;
        } else if (!r->sniff_quoted && (c == '\n' || c == '\r')) {
            decided = r->sniff_text;
        } else if (!r->sniff_quoted) {
            for (size_t k = 0; k < sizeof auto_delims; k++)
                r->sniff_count[k] += c == auto_delims[k];
            if (c != ' ' && c != '\t')
                r->sniff_text = true;
        }
        if (r->sniff_len + i + 1 >= SNIFF_MAX)
            decided = true;
    }
    if (i) {
        if (!csv_grow_bytes(&r->sniff, &r->sniff_cap, r->sniff_len + i))
            return r->failed = cs_error_set(r->err, CS_ERR_NOMEM, r->name, r->line, NULL,
                                            "out of memory");
        memcpy(r->sniff + r->sniff_len, s, i);
        r->sniff_len += i;
    }
    if (!decided)
        return CS_OK;
    return release_sniff(r, s + i, n - i);
}

/* Decide (if not yet), parse the bytes held back, then rest[0..n). */
static enum cs_status release_sniff(struct reader *r, const char *rest, size_t n)
{
    enum cs_status st = CS_OK;
    if (!r->delim_known)
        decide_delim(r);
    if (r->sniff_len)
        st = feed_known(r, r->sniff, r->sniff_len);
    free(r->sniff);
    r->sniff = NULL;
    r->sniff_len = r->sniff_cap = 0;
    if (st == CS_OK && n)
        st = feed_known(r, rest, n);
    return st;
}

/* Bytes after the BOM: held back while the delimiter is unknown. */
static enum cs_status feed_body(struct reader *r, const char *s, size_t n)
{
    return r->delim_known ? feed_known(r, s, n) : sniff(r, s, n);
}

/* Feed one chunk of the file, holding the first bytes back to drop a BOM
 * (and to refuse a UTF-16 file). */
static enum cs_status feed(struct reader *r, const char *s, size_t n)
{
    while (!r->head_done && n > 0) {
        unsigned char c = (unsigned char)*s;
        r->head[r->head_len] = c;
        bool utf16 = r->head_len == 1 && ((r->head[0] == 0xff && c == 0xfe) ||
                                          (r->head[0] == 0xfe && c == 0xff));
        if (utf16)
            return cs_error_set(r->err, CS_ERR_INPUT, r->name, 1, NULL,
                                "the file is UTF-16 text (as Excel's \"Unicode Text\" saves it): "
                                "save it as CSV UTF-8, or as CSV with a comma or semicolon");
        bool may_be_bom = r->head[0] == bom[0] && c == bom[r->head_len];
        bool may_be_utf16 = r->head_len == 0 && (c == 0xff || c == 0xfe);
        if (!may_be_bom && !may_be_utf16) {
            r->head_done = true;   /* not a BOM: parse what was held back */
            enum cs_status st = feed_body(r, (const char *)r->head, r->head_len);
            if (st != CS_OK)
                return st;
            break;                 /* the mismatching byte is still in s */
        }
        r->head_len++;
        s++;
        n--;
        if (r->head_len == sizeof bom)
            r->head_done = true;
    }
    return n ? feed_body(r, s, n) : CS_OK;
}

/* End of input: release held-back bytes, then flush libcsv (or the
 * escape parser). */
static enum cs_status finish(struct reader *r)
{
    enum cs_status st;
    if (!r->head_done) {
        r->head_done = true;
        if ((st = feed_body(r, (const char *)r->head, r->head_len)) != CS_OK)
            return st;
    }
    if (!r->delim_known && (st = release_sniff(r, NULL, 0)) != CS_OK)
        return st;
    if (r->escape)
        return csv_escape_finish(r);
    r->seg_line = r->line;
    if (csv_fini(&r->parser, csv_on_field, csv_on_row, r) != 0) {
        if (csv_error(&r->parser) == CSV_EPARSE)
            return cs_error_set(r->err, CS_ERR_INPUT, r->name, r->field_line, NULL,
                                "unterminated quoted field (the closing quote is missing)");
        return parse_error(r);
    }
    return r->failed;
}

static enum cs_status reader_init(struct reader *r, const char *name,
                                  const struct cs_csv_options *opt,
                                  cs_csv_record_fn fn, void *ctx, struct cs_error *err)
{
    memset(r, 0, sizeof *r);
    r->name = name ? name : "";
    r->max_field = opt && opt->max_field ? opt->max_field : DEFAULT_MAX_FIELD;
    if (r->max_field > SIZE_MAX / 4)
        r->max_field = SIZE_MAX / 4;
    r->fn = fn;
    r->ctx = ctx;
    r->err = err;
    r->line = r->seg_line = r->rec_line = r->field_line = 1;
    r->at_line_start = true;
    r->escape = opt && opt->escape_backslash;
    r->es = E_ROW;
    cs_error_clear(err);
    int d = opt ? opt->delimiter : 0;
    if (d == CS_CSV_DELIM_AUTO) {
        d = 0;
    } else if (d == 0) {
        d = ',';
    } else if (d < 1 || d > 255 || d == '"' || d == '\\' || d == ' ' || d == '\n' || d == '\r') {
        return cs_error_set(err, CS_ERR_INTERNAL, r->name, 0, NULL, "bad delimiter %d", d);
    }
    if (csv_init(&r->parser, LIBCSV_OPTIONS) != 0)
        return cs_error_set(err, CS_ERR_NOMEM, r->name, 0, NULL, "out of memory");
    r->parser_ready = true;
    csv_set_blk_size(&r->parser, LIBCSV_BLOCK);
    if (d)
        set_delim(r, (char)d);
    return CS_OK;
}

static void reader_free(struct reader *r)
{
    if (r->parser_ready)
        csv_free(&r->parser);
    free(r->sniff);
    free(r->fbuf);
    free(r->buf);
    free(r->off);
    free(r->len);
    free(r->ptr);
}

static void report_progress(const struct cs_csv_options *opt, uint64_t done,
                            uint64_t total, uint64_t *next)
{
    if (opt && opt->progress && (done >= *next || done == total)) {
        opt->progress(done, total, opt->progress_ctx);
        *next = done - done % PROGRESS_STEP + PROGRESS_STEP;
    }
}

/* ---------------------------------------------------------------------- */
/* Public entry points                                                     */
/* ---------------------------------------------------------------------- */

enum cs_status cs_csv_read_path(const char *path, const char *name,
                                const struct cs_csv_options *opt,
                                cs_csv_record_fn fn, void *ctx,
                                struct cs_error *err)
{
    struct reader r;
    enum cs_status st;
    char *chunk = NULL;
    int fd = -1;
    size_t chunk_size = opt && opt->chunk_size ? opt->chunk_size : DEFAULT_CHUNK;
    uint64_t done = 0, total = 0, next_progress = PROGRESS_STEP;

    if (!name)
        name = path;
    if ((st = reader_init(&r, name, opt, fn, ctx, err)) != CS_OK)
        goto out;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer
     * forever; it is refused below, as is a device (a terminal, /dev/zero):
     * an input is a file whose end can be reached */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        st = cs_error_set(err, CS_ERR_INPUT, name, 0, NULL, "cannot open %s: %s",
                          path, strerror(errno));
        goto out;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = cs_error_set(err, CS_ERR_INPUT, name, 0, NULL, "cannot read %s: %s",
                          path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = cs_error_set(err, CS_ERR_INPUT, name, 0, NULL,
                          "%s is %s, not a regular file: compsight reads only files (export "
                          "the data to a file first)", path, cs_file_kind(sb.st_mode));
        goto out;
    }
    total = (uint64_t)sb.st_size;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    chunk = malloc(chunk_size);
    if (!chunk) {
        st = cs_error_set(err, CS_ERR_NOMEM, name, 0, NULL, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t got = read(fd, chunk, chunk_size);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            st = cs_error_set(err, CS_ERR_INPUT, name, 0, NULL, "cannot read %s: %s",
                              path, strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        if ((st = feed(&r, chunk, (size_t)got)) != CS_OK)
            goto out;
        done += (uint64_t)got;
        if (done != total)   /* the call at 100% comes after the last record */
            report_progress(opt, done, total, &next_progress);
    }
    if (done < total) {
        /* The file shrank while we read it: another process is rewriting
         * the export.  What was read is not the file the user has. */
        st = cs_error_set(err, CS_ERR_INPUT, name, 0, NULL,
                          "the file was cut short while it was read (%llu of %llu bytes): "
                          "was it being rewritten?", (unsigned long long)done,
                          (unsigned long long)total);
        goto out;
    }
    if ((st = finish(&r)) != CS_OK)
        goto out;
    report_progress(opt, done, done > total ? done : total, &next_progress);
out:
    if (fd >= 0)
        close(fd);
    free(chunk);
    reader_free(&r);
    return st;
}

enum cs_status cs_csv_read_mem(const char *buf, size_t len, const char *name,
                               const struct cs_csv_options *opt,
                               cs_csv_record_fn fn, void *ctx,
                               struct cs_error *err)
{
    struct reader r;
    enum cs_status st;
    size_t chunk_size = opt && opt->chunk_size ? opt->chunk_size : DEFAULT_CHUNK;
    uint64_t next_progress = PROGRESS_STEP;

    if ((st = reader_init(&r, name, opt, fn, ctx, err)) != CS_OK)
        goto out;
    for (size_t pos = 0; pos < len; ) {
        size_t n = len - pos < chunk_size ? len - pos : chunk_size;
        if ((st = feed(&r, buf + pos, n)) != CS_OK)
            goto out;
        pos += n;
        if (pos != len)
            report_progress(opt, pos, len, &next_progress);
    }
    if ((st = finish(&r)) != CS_OK)
        goto out;
    report_progress(opt, len, len, &next_progress);
out:
    reader_free(&r);
    return st;
}
