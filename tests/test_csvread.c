/* test_csvread.c - the CSV reader replayed with every chunk size, against expected events and a reference model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/csvread.h"

#define FIXTURES CS_TEST_DIR "/fixtures/csv/"
#define MIB ((size_t)1 << 20)

/* ---------------------------------------------------------------------- */
/* Event log: every record and the final error as one comparable string.   */
/*   "LINE:field|field\n" per record, "E<status>:LINE:message\n" at the end */
/* ---------------------------------------------------------------------- */

/* The dialect every run() reads with: the delimiter (0: ',') and escapes. */
static int g_delim;
static bool g_escape;

struct log {
    char *s;
    size_t n, cap;
    int stop_after;               /* callback returns nonzero at this record */
    enum cs_status stop_status;   /* ... after storing this in *err (if set) */
    struct cs_error *err;
    int records;
};

static void log_putc(struct log *l, char c)
{
    if (l->n + 2 > l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->s = realloc(l->s, l->cap);
        assert_non_null(l->s);
    }
    l->s[l->n++] = c;
    l->s[l->n] = '\0';
}

static void log_puts(struct log *l, const char *s)
{
    while (*s)
        log_putc(l, *s++);
}

static void log_bytes(struct log *l, const char *s, size_t n)
{
    char tmp[8];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            log_puts(l, "\\n");
        else if (c == '\r')
            log_puts(l, "\\r");
        else if (c == '\t')
            log_puts(l, "\\t");
        else if (c == '|' || c == '\\') {
            log_putc(l, '\\');
            log_putc(l, (char)c);
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            log_puts(l, tmp);
        } else
            log_putc(l, (char)c);
    }
}

static int log_record(const struct cs_csv_record *rec, void *ctx)
{
    struct log *l = ctx;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lu:", rec->line);
    log_puts(l, tmp);
    for (size_t i = 0; i < rec->n; i++) {
        if (i)
            log_putc(l, '|');
        /* The documented contract: NUL-terminated copies of len bytes,
         * which hold a NUL only when the record says it may. */
        assert_int_equal(rec->field[i][rec->len[i]], '\0');
        if (memchr(rec->field[i], '\0', rec->len[i]))
            assert_true(rec->may_hold_nul);
        log_bytes(l, rec->field[i], rec->len[i]);
    }
    if (g_delim > 0)
        assert_int_equal(rec->delimiter, g_delim);
    log_putc(l, '\n');
    if (++l->records == l->stop_after) {
        if (l->stop_status != CS_OK)
            cs_error_set(l->err, l->stop_status, "callback", 99, NULL, "stopped by test");
        return 1;
    }
    return 0;
}

static void log_status(struct log *l, enum cs_status st, const struct cs_error *err,
                       const char *name)
{
    char tmp[900];
    if (st == CS_OK) {
        assert_int_equal(err->status, CS_OK);
        return;
    }
    assert_int_equal(err->status, st);
    if (st != CS_ERR_REJECTS)      /* the test callback's own error has its own name */
        assert_string_equal(err->file, name);
    assert_string_equal(err->column, "");
    snprintf(tmp, sizeof tmp, "E%d:%lu:%s\n", (int)st, err->line, err->msg);
    log_puts(l, tmp);
}

/* Run the reader over mem (or path when path != NULL) and return its log. */
static char *run(const char *path, const char *buf, size_t len, size_t chunk,
                 size_t max_field, int stop_after, enum cs_status stop_status)
{
    struct cs_error err;
    struct log l = {.stop_after = stop_after, .stop_status = stop_status, .err = &err};
    struct cs_csv_options opt = {.chunk_size = chunk, .max_field = max_field,
                                 .delimiter = g_delim, .escape_backslash = g_escape};
    enum cs_status st;
    memset(&err, 0x55, sizeof err);   /* the reader must clear it */
    log_putc(&l, '\0');
    l.n = 0;
    if (path)
        st = cs_csv_read_path(path, "t.csv", &opt, log_record, &l, &err);
    else
        st = cs_csv_read_mem(buf, len, "t.csv", &opt, log_record, &l, &err);
    log_status(&l, st, &err, "t.csv");
    return l.s;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    assert_true(feof(f));
    fclose(f);
    return buf;
}

/* Replay buf with every chunk size from 1 to len + 1 and the default, from
 * memory and (when path is given) from the file: every log must be want. */
static void replay(const char *path, const char *buf, size_t len, size_t max_field,
                   const char *want)
{
    for (size_t chunk = 0; chunk <= len + 1; chunk++) {
        char *got = run(NULL, buf, len, chunk, max_field, 0, CS_OK);
        if (strcmp(got, want) != 0)
            print_error("chunk size %zu (memory)\n", chunk);
        assert_string_equal(got, want);
        free(got);
        if (path) {
            got = run(path, NULL, 0, chunk, max_field, 0, CS_OK);
            if (strcmp(got, want) != 0)
                print_error("chunk size %zu (file)\n", chunk);
            assert_string_equal(got, want);
            free(got);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Fixtures with their expected events                                     */
/* ---------------------------------------------------------------------- */

static const struct {
    const char *file;
    const char *want;
} fixtures[] = {
    {"basic.csv", "1:deal_id|rep_id|amount\n2:D1|R1|100\n3:D2|R2|200.5\n"},
    {"bom.csv", "1:deal_id|amount\n2:D1|5\n"},
    {"bom_only.csv", ""},
    {"empty.csv", ""},
    /* EF BB without BF is not a byte-order mark: the bytes are data. */
    {"partial_bom.csv", "1:\\xef\\xbbx|y\n2:1|2\n"},
    /* CRLF is one line break, inside quotes too. */
    {"crlf.csv", "1:id|note\n2:A|two\\r\\nlines\n4:B|plain\n"},
    {"lone_cr.csv", "1:id|note\n2:A|x\\ry\n4:B|z\n"},
    {"mixed_eol.csv", "1:id\n2:A\n3:B\n4:C\n6:D\n"},
    /* Quoted commas, doubled quotes, line breaks inside quotes (the next
     * record is numbered after them), blanks around quoted fields dropped,
     * blanks inside quotes kept, unquoted fields trimmed of spaces/tabs. */
    {"quoted.csv",
     "1:id|text|n\n"
     "2:1|a, b|2\n"
     "3:2|say \"hi\"|3\n"
     "4:3|line one\\nline two\\n\\nline four|4\n"
     "8:4|  padded  |5\n"
     "9:5||6 7\n"
     "10:6|a\\\\b\\|c|x\n"},
    /* Blank lines, lines of blanks and records of blank fields are skipped. */
    {"blank_lines.csv", "1:id|v\n5:1|a\n10:2|b\n"},
    {"no_final_newline.csv", "1:id|v\n2:1|a\n3:2|b\\nc\n"},
    {"trailing_cr.csv", "1:id|v\n2:1|a\n"},
    {"unterminated.csv",
     "1:id|v\n2:1|a\nE2:3:unterminated quoted field (the closing quote is missing)\n"},
    {"bare_quote.csv",
     "1:id|v\n2:1|a\nE2:3:malformed CSV: quote inside an unquoted field "
     "(quote the whole field and double the quote)\n"},
    {"after_quote.csv",
     "1:id|v\nE2:3:malformed CSV: text after a closing quote "
     "(a quote inside a quoted field must be doubled)\n"},
    /* NUL bytes are data (they matter only in a column that is read). */
    {"nul.csv", "1:id|v\n2:1|a\n3:2|b\\x00c\n4:3|d\n"},
};

static void test_fixtures(void **state)
{
    (void)state;
    char path[512];
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        size_t len;
        snprintf(path, sizeof path, FIXTURES "%s", fixtures[i].file);
        char *buf = slurp(path, &len);
        print_message("  %-22s %3zu bytes, chunk sizes 1..%zu and default\n",
                      fixtures[i].file, len, len + 1);
        replay(path, buf, len, 0, fixtures[i].want);
        free(buf);
    }
}

/* A BOM split at every position across chunks, and one not at the start. */
static void test_bom_positions(void **state)
{
    (void)state;
    static const char bom_mid[] = "a\n\xef\xbb\xbf" "b\n";
    replay(NULL, bom_mid, sizeof bom_mid - 1, 0, "1:a\n2:\\xef\\xbb\\xbfb\n");
    static const char two_boms[] = "\xef\xbb\xbf\xef\xbb\xbf" "a\n";
    replay(NULL, two_boms, sizeof two_boms - 1, 0, "1:\\xef\\xbb\\xbfa\n");
    static const char short_bom[] = "\xef\xbb";
    replay(NULL, short_bom, sizeof short_bom - 1, 0, "1:\\xef\\xbb\n");
    static const char bom_quote[] = "\xef\xbb\xbf\"a\nb\",c\n";
    replay(NULL, bom_quote, sizeof bom_quote - 1, 0, "1:a\\nb|c\n");
    static const char bom_nul[] = "\xef\xbb\xbf" "a\n\0";
    replay(NULL, bom_nul, sizeof bom_nul - 1, 0, "1:a\n2:\\x00\n");
}

/* ---------------------------------------------------------------------- */
/* Field length limit                                                      */
/* ---------------------------------------------------------------------- */

/* "h\n" + prefix + n x's + suffix + "\n" */
static char *long_field(size_t n, const char *prefix, const char *suffix, size_t *len)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *buf = malloc(2 + p + n + s + 1);
    assert_non_null(buf);
    memcpy(buf, "h\n", 2);
    memcpy(buf + 2, prefix, p);
    memset(buf + 2 + p, 'x', n);
    memcpy(buf + 2 + p + n, suffix, s);
    buf[2 + p + n + s] = '\n';
    *len = 2 + p + n + s + 1;
    return buf;
}

static void expect_field_len(const char *buf, size_t len, size_t chunk, size_t want_len)
{
    char *got = run(NULL, buf, len, chunk, 0, 0, CS_OK);
    if (want_len == 0) {
        assert_string_equal(got, "1:h\nE2:2:field longer than 1 MiB\n");
    } else {
        /* "1:h\n2:" + x's + "\n" */
        assert_int_equal(strlen(got), 6 + want_len + 1);
        assert_memory_equal(got, "1:h\n2:", 6);
    }
    free(got);
}

static void test_field_limit_default(void **state)
{
    (void)state;
    static const size_t chunks[] = {0, 1000, 4096, MIB - 1, MIB + 3};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t len;
        char *buf;
        buf = long_field(MIB, "", "", &len);          /* exactly the limit: fine */
        expect_field_len(buf, len, chunks[c], MIB);
        free(buf);
        buf = long_field(MIB + 1, "", "", &len);
        expect_field_len(buf, len, chunks[c], 0);
        free(buf);
        buf = long_field(MIB, "\"", "\"  ", &len);    /* quoted, trailing blanks */
        expect_field_len(buf, len, chunks[c], MIB);
        free(buf);
        buf = long_field(MIB + 1, "\"", "\"", &len);
        expect_field_len(buf, len, chunks[c], 0);
        free(buf);
        buf = long_field(MIB, "  ", "\t\t", &len);    /* blanks trimmed first */
        expect_field_len(buf, len, chunks[c], MIB);
        free(buf);
        /* An unterminated quote must not buffer the whole rest of the file. */
        buf = long_field(3 * MIB, "\"", "", &len);
        expect_field_len(buf, len, chunks[c], 0);
        free(buf);
    }
    /* From a file, too. */
    size_t len;
    char *buf = long_field(MIB + 1, "a,", "", &len);
    char path[] = "/tmp/test_csvread_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    char *got = run(path, NULL, 0, 0, 0, 0, CS_OK);
    assert_string_equal(got, "1:h\nE2:2:field longer than 1 MiB\n");
    free(got);
    unlink(path);
    free(buf);
}

/* A small limit, every chunk size: the excess is reported in byte order
 * relative to other errors, whatever the chunking. */
static void test_field_limit_small(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"12345678\n", "1:12345678\n"},
        {"123456789\n", "E2:1:field longer than 8 bytes\n"},
        {"a,\"12345678\"\n", "1:a|12345678\n"},
        {"a,\"1234\"\"678\"\n", "1:a|1234\"678\n"},
        {"a,\"123456789\"\n", "E2:1:field longer than 8 bytes\n"},
        {"12345678        ,b\n", "1:12345678|b\n"},
        {"1234 678  ,b\n", "1:1234 678|b\n"},
        /* too long first, then a bad quote: the length wins */
        {"\"123456789\"x\n", "E2:1:field longer than 8 bytes\n"},
        {"123456789\"\n", "E2:1:field longer than 8 bytes\n"},
        {"12345678\"\n", "E2:1:malformed CSV: quote inside an unquoted field "
                          "(quote the whole field and double the quote)\n"},
        /* bad quote before the field gets too long */
        {"\"1234\"x6789\n", "E2:1:malformed CSV: text after a closing quote "
                            "(a quote inside a quoted field must be doubled)\n"},
        /* too long, then unterminated: the length wins; line of the field */
        {"a\nb,\"1\n2\n345678901", "1:a\nE2:2:field longer than 8 bytes\n"},
        {"a\nb,\"1\n2\n34567", "1:a\nE2:2:unterminated quoted field (the closing quote is missing)\n"},
        {"a\n\"1\n2\n3456\",\"x", "1:a\nE2:4:unterminated quoted field (the closing quote is missing)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        replay(NULL, cases[i].in, strlen(cases[i].in), 8, cases[i].want);
    /* a NUL byte is a byte of the field like any other */
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } nul[] = {
        {"123456789\0", 10, "E2:1:field longer than 8 bytes\n"},
        {"1234\0" "56789", 10, "E2:1:field longer than 8 bytes\n"},
        {"12\0" "45678\n", 9, "1:12\\x0045678\n"},
    };
    for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++)
        replay(NULL, nul[i].in, nul[i].len, 8, nul[i].want);
}

/* ---------------------------------------------------------------------- */
/* Dialects: delimiters, their detection, escapes, UTF-16 (SPEC 12)        */
/* ---------------------------------------------------------------------- */

/* Replay in with delimiter delim and escapes esc; restore the defaults. */
static void replay_dialect(int delim, bool esc, const char *in, const char *want)
{
    g_delim = delim;
    g_escape = esc;
    replay(NULL, in, strlen(in), 0, want);
    g_delim = 0;
    g_escape = false;
}

static void test_delimiters(void **state)
{
    (void)state;
    /* each delimiter given; a TAB delimiter is not a blank to trim */
    replay_dialect(';', false, "a; b ;\"c;d\" ;1,5\n", "1:a|b|c;d|1,5\n");
    replay_dialect('|', false, "a|b, c|\"|\"\n", "1:a|b, c|\\|\n");
    replay_dialect('\t', false, "a\t\tb\t c \t\n\t\"x\"\t y\n", "1:a||b|c|\n2:|x|y\n");
    /* detected on the first line with text, outside quotes; ties in the
     * order , ; TAB |; none at all: a comma */
    int a = CS_CSV_DELIM_AUTO;
    replay_dialect(a, false, "deal_id;amount;note\nD1;1,5;\"x;y\"\n",
                   "1:deal_id|amount|note\n2:D1|1,5|x;y\n");
    replay_dialect(a, false, "\"a,b,c\";d;e\n1;2;3\n", "1:a,b,c|d|e\n2:1|2|3\n");
    replay_dialect(a, false, "a\tb\tc\n1\t2\t3\n", "1:a|b|c\n2:1|2|3\n");
    replay_dialect(a, false, "a|b|c\r\n1|2|3\r\n", "1:a|b|c\n2:1|2|3\n");
    replay_dialect(a, false, "a,b;c\n", "1:a|b;c\n");
    replay_dialect(a, false, "a;b,c|d\tx\n", "1:a;b|c\\|d\\tx\n");
    replay_dialect(a, false, "single\nx;y\n", "1:single\n2:x;y\n");
    replay_dialect(a, false, "\n  \n\xef;b\n", "3:\\xef|b\n");
    replay_dialect(a, false, "\xef\xbb\xbf" "a;b\n", "1:a|b\n");
    replay_dialect(a, false, "\"a\nb;c\",d,e\n", "1:a\\nb;c|d|e\n");
    replay_dialect(a, false, "a;b", "1:a|b\n");
    replay_dialect(a, false, "", "");
    /* the record knows the delimiter */
    g_delim = ';';
    replay(NULL, "a;b\n", 4, 0, "1:a|b\n");
    g_delim = 0;
}

/* A file with a UTF-16 byte-order mark is not 8-bit text. */
static void test_utf16(void **state)
{
    (void)state;
    const char *msg = "E2:1:the file is UTF-16 text (as Excel's \"Unicode Text\" saves it): "
                      "save it as CSV UTF-8, or as CSV with a comma or semicolon\n";
    replay(NULL, "\xff\xfe" "a\0,\0", 6, 0, msg);
    replay(NULL, "\xfe\xff\0a", 4, 0, msg);
    replay(NULL, "\xff\xfe", 2, 0, msg);
    replay(NULL, "\xff\xbb\xbf" "a\n", 5, 0, "1:\\xff\\xbb\\xbfa\n");
    replay(NULL, "\xfe" "a\n", 3, 0, "1:\\xfea\n");
    replay(NULL, "\xff", 1, 0, "1:\\xff\n");
}

/* escape = backslash, as MySQL and vtiger dumps write (SPEC 12). */
static void test_escapes(void **state)
{
    (void)state;
    /* \" \\ \n \t \r and \<delimiter>, quoted or not; \N stays */
    replay_dialect(0, true, "\"12\",\"Acme \\\"Big\\\" deal\",\\N,a\\,b\n",
                   "1:12|Acme \"Big\" deal|\\\\N|a,b\n");
    replay_dialect(0, true, "x\\\\y,t\\tab,n\\nl,r\\rc\n", "1:x\\\\y|t\\tab|n\\nl|r\\rc\n");
    /* a backslash before a line break: the break is data, and a line */
    replay_dialect(0, true, "a,\"one\\\ntwo\"\nb,c\\\r\nd\ne,f\n",
                   "1:a|one\\ntwo\n3:b|c\\r\\nd\n5:e|f\n");
    /* an escaped blank is kept, unescaped trailing ones trimmed */
    replay_dialect(0, true, " a\\  ,b \n", "1:a\\\\ |b\n");
    replay_dialect(0, true, "a\\ \\ ,b\n", "1:a\\\\ \\\\ |b\n");
    /* doubled quotes still work; a backslash at the end stays */
    replay_dialect(0, true, "\"say \"\"hi\"\"\",x\\", "1:say \"hi\"|x\\\\\n");
    /* with another delimiter, \<that delimiter> */
    replay_dialect('\t', true, "a\\\tb\tc\\,d\n", "1:a\\tb|c\\\\,d\n");
    /* errors */
    replay_dialect(0, true, "a\"b\n",
                   "E2:1:malformed CSV: quote inside an unquoted field "
                   "(escape it as \\\" or quote the whole field)\n");
    replay_dialect(0, true, "\"a\"b\n",
                   "E2:1:malformed CSV: text after a closing quote "
                   "(escape a quote inside a quoted field as \\\")\n");
    replay_dialect(0, true, "x\n\"a\\\"\n", "1:x\nE2:2:unterminated quoted field "
                   "(the closing quote is missing)\n");
}

/* ---------------------------------------------------------------------- */
/* Other errors and the callback contract                                  */
/* ---------------------------------------------------------------------- */

static void test_missing_file(void **state)
{
    (void)state;
    struct cs_error err;
    struct log l = {0};
    enum cs_status st = cs_csv_read_path(FIXTURES "no_such_file.csv", "deals.csv", NULL,
                                         log_record, &l, &err);
    assert_int_equal(st, CS_ERR_INPUT);
    assert_int_equal(err.status, CS_ERR_INPUT);
    assert_string_equal(err.file, "deals.csv");
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.msg, "no_such_file.csv"));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_null(l.s);

    /* A directory is refused. */
    st = cs_csv_read_path(FIXTURES, NULL, NULL, log_record, &l, &err);
    assert_int_equal(st, CS_ERR_INPUT);
    assert_string_equal(err.file, FIXTURES);   /* no display name: the path */
    assert_non_null(strstr(err.msg, "is a directory, not a regular file"));
}

/* A FIFO is refused, not waited on (opening it for reading would block
 * until a writer came: none does here), and so is a device, whose end
 * (/dev/zero) may never come. */
static void test_not_regular(void **state)
{
    (void)state;
    struct cs_error err;
    struct log l = {0};
    char dir[] = "/tmp/cs_test_fifo_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/deals.csv", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(300);     /* a hang becomes a failure, however slow the machine */
    enum cs_status st = cs_csv_read_path(path, "deals.csv", NULL, log_record, &l, &err);
    alarm(0);
    assert_int_equal(st, CS_ERR_INPUT);
    assert_string_equal(err.file, "deals.csv");
    if (!strstr(err.msg, "is a FIFO (named pipe), not a regular file"))
        fail_msg("message: %s", err.msg);
    assert_null(l.s);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    st = cs_csv_read_path("/dev/zero", "deals.csv", NULL, log_record, &l, &err);
    assert_int_equal(st, CS_ERR_INPUT);
    if (!strstr(err.msg, "/dev/zero is a character device, not a regular file"))
        fail_msg("message: %s", err.msg);
}

static void test_callback_stops(void **state)
{
    (void)state;
    static const char in[] = "a\nb\nc\n";
    for (size_t chunk = 0; chunk <= sizeof in; chunk++) {
        char *got = run(NULL, in, sizeof in - 1, chunk, 0, 2, CS_OK);
        assert_string_equal(got, "1:a\n2:b\nE2:2:reading stopped at this record\n");
        free(got);
        /* The callback's own status and error record are kept. */
        got = run(NULL, in, sizeof in - 1, chunk, 0, 1, CS_ERR_REJECTS);
        assert_string_equal(got, "1:a\nE3:99:stopped by test\n");
        free(got);
        got = run(FIXTURES "basic.csv", NULL, 0, chunk, 0, 3, CS_ERR_REJECTS);
        assert_string_equal(got, "1:deal_id|rep_id|amount\n2:D1|R1|100\n3:D2|R2|200.5\n"
                                 "E3:99:stopped by test\n");
        free(got);
    }
}

static void test_null_err(void **state)
{
    (void)state;
    struct log l = {0};
    assert_int_equal(cs_csv_read_mem("a\"\n", 3, "x", NULL, log_record, &l, NULL), CS_ERR_INPUT);
    assert_int_equal(cs_csv_read_mem("a\n", 2, "x", NULL, log_record, &l, NULL), CS_OK);
    assert_string_equal(l.s, "1:a\n");
    free(l.s);
}

static void test_many_fields(void **state)
{
    (void)state;
    /* 5000 fields in one record: the per-record arrays grow. */
    size_t n = 5000, len = 0;
    char *buf = malloc(n * 8 + 2);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len, "%s%zu", i ? "," : "", i);
    buf[len++] = '\n';
    char *got = run(NULL, buf, len, 0, 0, 0, CS_OK);
    assert_string_equal(got + strlen(got) - 11, "|4998|4999\n");
    assert_memory_equal(got, "1:0|1|2|", 8);
    free(got);
    free(buf);
}

struct progress {
    int calls;
    uint64_t last_done, last_total;
    bool monotone;
};

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
    struct progress *p = ctx;
    if (done < p->last_done)
        p->monotone = false;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static int count_record(const struct cs_csv_record *rec, void *ctx)
{
    (void)rec;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_progress(void **state)
{
    (void)state;
    size_t len = 10 * MIB, records = 0;
    char *buf = malloc(len);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = i % 64 == 63 ? '\n' : 'a';
    struct progress p = {.monotone = true};
    struct cs_csv_options opt = {.chunk_size = 65536, .progress = on_progress, .progress_ctx = &p};
    assert_int_equal(cs_csv_read_mem(buf, len, "big.csv", &opt, count_record, &records, NULL), CS_OK);
    assert_int_equal(records, len / 64);
    /* every 4 MiB (at 4 and 8) and once at the end */
    assert_int_equal(p.calls, 3);
    assert_true(p.monotone);
    assert_int_equal(p.last_done, len);
    assert_int_equal(p.last_total, len);

    char path[] = "/tmp/test_csvread_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    memset(&p, 0, sizeof p);
    p.monotone = true;
    records = 0;
    opt.chunk_size = 0;
    assert_int_equal(cs_csv_read_path(path, "big.csv", &opt, count_record, &records, NULL), CS_OK);
    assert_int_equal(records, len / 64);
    assert_int_equal(p.calls, 3);
    assert_true(p.monotone);
    assert_int_equal(p.last_done, len);
    assert_int_equal(p.last_total, len);
    unlink(path);
    free(buf);
}

/* ---------------------------------------------------------------------- */
/* Random inputs against a byte-at-a-time reference model                  */
/* ---------------------------------------------------------------------- */

/*
 * An independent statement of the documented behaviour: libcsv's strict
 * RFC 4180 with blank trimming, our line numbers, BOM, blank-record and
 * NUL rules, the field limit checked after every byte, the delimiter (or
 * its detection) and, with esc, backslash escapes.
 */
enum ref_state { R_ROW, R_FIELD, R_UNQ, R_Q, R_AFTER };

struct ref {
    struct log *l;
    char field[4096];
    size_t flen, trail;           /* trail: pending blanks (unquoted / after quote) */
    char rec[8192];
    size_t rlen, nf;
    bool any;
    unsigned long rec_line, field_line;
};

static void ref_emit_field(struct ref *r, size_t len)
{
    if (r->nf)
        r->rec[r->rlen++] = '\x1f';
    memcpy(r->rec + r->rlen, r->field, len);
    r->rlen += len;
    r->nf++;
    if (len)
        r->any = true;
    r->flen = r->trail = 0;
}

static void ref_end_row(struct ref *r)
{
    if (r->any) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%lu:", r->rec_line);
        log_puts(r->l, tmp);
        size_t start = 0;
        for (size_t i = 0; i <= r->rlen; i++) {
            if (i == r->rlen || r->rec[i] == '\x1f') {
                if (start)
                    log_putc(r->l, '|');
                log_bytes(r->l, r->rec + start, i - start);
                start = i + 1;
            }
        }
        log_putc(r->l, '\n');
    }
    r->rlen = r->nf = 0;
    r->any = false;
}

static void ref_error(struct log *l, unsigned long line, const char *msg)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "E2:%lu:%s\n", line, msg);
    log_puts(l, tmp);
}

#define REF_LONG "field longer than 4 bytes"
#define REF_BARE "malformed CSV: quote inside an unquoted field (quote the whole field and double the quote)"
#define REF_AFTER "malformed CSV: text after a closing quote (a quote inside a quoted field must be doubled)"
#define REF_BARE_E "malformed CSV: quote inside an unquoted field (escape it as \\\" or quote the whole field)"
#define REF_AFTER_E "malformed CSV: text after a closing quote (escape a quote inside a quoted field as \\\")"
#define REF_UNTERM "unterminated quoted field (the closing quote is missing)"

/* The delimiter detected in in[0..len) (after any BOM): the most frequent of
 * , ; TAB | outside quotes on the first line with text, ties in that order. */
static char ref_detect(const char *in, size_t len, bool esc)
{
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t count[4] = {0};
    bool quoted = false, text = false;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (esc && c == '\\') {
            i++;
            text = true;
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
            text = true;
        } else if (!quoted && (c == '\n' || c == '\r')) {
            if (text)
                break;
        } else if (!quoted) {
            for (int k = 0; k < 4; k++)
                count[k] += c == cand[k];
            text |= c != ' ' && c != '\t';
        }
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

/* delim: the delimiter, or 0 to detect it. */
static char *reference(const char *in, size_t len, size_t max_field, char delim, bool esc)
{
    struct log l = {0};
    struct ref r = {.l = &l};
    enum ref_state s = R_ROW;
    size_t i = 0;
    unsigned long line = 1;
    bool escaped = false, esc_cr = false;   /* esc: after a backslash; after an escaped CR */
    size_t keep = 0;                        /* esc: unquoted length without trailing blanks */
    log_putc(&l, '\0');
    l.n = 0;
    if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    if (!delim)
        delim = ref_detect(in + i, len - i, esc);
    const bool tab_blank = delim != '\t';
    for (; i < len; i++) {
        char c = in[i];
        bool is_lf = c == '\n';
        bool is_cr = c == '\r';
        /* this byte ends a physical line: LF, or CR not followed by LF */
        bool breaks = is_lf || (is_cr && !(i + 1 < len && in[i + 1] == '\n'));
        bool blank = c == ' ' || (c == '\t' && tab_blank);
        if (esc && (escaped || (esc_cr && is_lf))) {
            /* an escaped byte: data, never a blank, delimiter, quote or end */
            char out = c;
            if (escaped) {
                if (c == 'n')
                    out = '\n';
                else if (c == 't')
                    out = '\t';
                else if (c == 'r')
                    out = '\r';
                else if (!(c == '"' || c == '\\' || c == delim || is_lf || is_cr))
                    r.field[r.flen++] = '\\';
            }
            esc_cr = escaped && is_cr;
            escaped = false;
            r.field[r.flen++] = out;
            keep = r.flen;
            r.trail = 0;
            if ((s == R_Q ? r.flen : keep) > max_field) {
                ref_error(&l, r.field_line, REF_LONG);
                return l.s;
            }
            if (breaks)
                line++;
            continue;
        }
        esc_cr = false;
        if (esc && c == '\\' && s != R_AFTER) {
            if (s == R_ROW)
                r.rec_line = line;
            if (s == R_ROW || s == R_FIELD) {
                r.field_line = line;
                s = R_UNQ;
            }
            escaped = true;
            continue;
        }
        switch (s) {
        case R_ROW:
        case R_FIELD:
            if (s == R_ROW && !blank && !is_lf && !is_cr)
                r.rec_line = r.field_line = line;
            if (s == R_FIELD && !blank && !is_lf && !is_cr)
                r.field_line = line;
            if (blank) {
            } else if (is_lf || is_cr) {
                if (s == R_FIELD) {
                    ref_emit_field(&r, 0);
                    ref_end_row(&r);
                }
                s = R_ROW;
            } else if (c == delim) {
                ref_emit_field(&r, 0);
                s = R_FIELD;
            } else if (c == '"') {
                s = R_Q;
            } else {
                r.field[r.flen++] = c;
                keep = r.flen;
                s = R_UNQ;
            }
            break;
        case R_UNQ:
            if (c == '"') {
                ref_error(&l, line, esc ? REF_BARE_E : REF_BARE);
                return l.s;
            } else if (c == delim || is_lf || is_cr) {
                size_t n = esc ? keep : r.flen - r.trail;
                if (n > max_field) {
                    ref_error(&l, r.field_line, REF_LONG);
                    return l.s;
                }
                ref_emit_field(&r, n);
                keep = 0;
                if (c == delim) {
                    r.field_line = line;
                    s = R_FIELD;
                } else {
                    ref_end_row(&r);
                    s = R_ROW;
                }
            } else {
                r.field[r.flen++] = c;
                r.trail = blank ? r.trail + 1 : 0;
                if (!blank)
                    keep = r.flen;
            }
            break;
        case R_Q:
            if (c == '"') {
                s = R_AFTER;
                r.trail = 0;
            } else {
                r.field[r.flen++] = c;
            }
            break;
        case R_AFTER:
            if (c == '"' && r.trail == 0) {
                r.field[r.flen++] = '"';
                s = R_Q;
            } else if (c == delim || is_lf || is_cr) {
                if (r.flen > max_field) {
                    ref_error(&l, r.field_line, REF_LONG);
                    return l.s;
                }
                ref_emit_field(&r, r.flen);
                keep = 0;
                if (c == delim) {
                    r.field_line = line;
                    s = R_FIELD;
                } else {
                    ref_end_row(&r);
                    s = R_ROW;
                }
            } else if (blank) {
                r.trail++;
            } else {
                ref_error(&l, line, esc ? REF_AFTER_E : REF_AFTER);
                return l.s;
            }
            break;
        }
        /* What libcsv holds, less trailing blanks (never shrinks while a
         * field grows); a closing quote is still in it after a quote.  The
         * escape parser holds no closing quote. */
        size_t slack = esc ? 0 : 1;
        size_t held = s == R_UNQ ? (esc ? keep : r.flen - r.trail) : s == R_Q ? r.flen
                    : s == R_AFTER ? r.flen + slack : 0;
        if (held > max_field + (s == R_Q || s == R_AFTER ? slack : 0)) {
            ref_error(&l, r.field_line, REF_LONG);
            return l.s;
        }
        if (breaks)
            line++;
    }
    if (escaped) {                      /* a backslash at the very end */
        r.field[r.flen++] = '\\';
        keep = r.flen;
        if ((s == R_Q ? r.flen : keep) > max_field) {
            ref_error(&l, r.field_line, REF_LONG);
            return l.s;
        }
    }
    switch (s) {
    case R_Q:
        ref_error(&l, r.field_line, REF_UNTERM);
        return l.s;
    case R_UNQ:
    case R_AFTER:
    case R_FIELD: {
        size_t n = s == R_UNQ ? (esc ? keep : r.flen - r.trail) : r.flen;
        if (n > max_field) {
            ref_error(&l, r.field_line, REF_LONG);
            return l.s;
        }
        ref_emit_field(&r, n);
        ref_end_row(&r);
        break;
    }
    case R_ROW:
        break;
    }
    return l.s;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng(void)
{
    /* xorshift64*: reproducible without depending on the C library's rand */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

/* Random inputs of the given alphabet in every dialect, every chunk size. */
static void random_against_reference(const char *alphabet, int trials)
{
    static const int delims[] = {0, ';', '\t', '|', CS_CSV_DELIM_AUTO};
    char in[64];
    size_t na = strlen(alphabet);
    for (int t = 0; t < trials; t++) {
        size_t len = rng() % 40, i = 0;
        if (rng() % 8 == 0) {
            memcpy(in, "\xef\xbb\xbf", 3);
            i = 3 - rng() % 2 * (rng() % 3);   /* sometimes only part of it */
        }
        for (; i < len; i++)
            in[i] = alphabet[rng() % na];
        if (len && rng() % 16 == 0)
            in[rng() % len] = '\0';
        size_t max_field = rng() % 2 ? 4 : 0;
        g_delim = delims[rng() % 5];
        g_escape = rng() % 3 == 0;
        char d = g_delim == 0 ? ',' : g_delim == CS_CSV_DELIM_AUTO ? 0 : (char)g_delim;
        char *want = reference(in, len, max_field ? max_field : 1000, d, g_escape);
        for (size_t chunk = 0; chunk <= len + 1; chunk++) {
            char *got = run(NULL, in, len, chunk, max_field, 0, CS_OK);
            if (strcmp(got, want) != 0) {
                struct log l = {0};
                log_bytes(&l, in, len);
                print_error("input \"%s\" (%zu bytes), chunk %zu, max_field %zu, delimiter %d, "
                            "escape %d\n", l.s ? l.s : "", len, chunk, max_field, g_delim,
                            (int)g_escape);
                free(l.s);
            }
            assert_string_equal(got, want);
            free(got);
        }
        free(want);
    }
    g_delim = 0;
    g_escape = false;
}

static void test_random_against_reference(void **state)
{
    (void)state;
    random_against_reference("ab ,,\"\"\"\n\n\r\t", 4000);
    random_against_reference("ab ,;|\t\"\"\n\r\\\\nt", 4000);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_bom_positions),
        cmocka_unit_test(test_field_limit_default),
        cmocka_unit_test(test_field_limit_small),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_null_err),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
