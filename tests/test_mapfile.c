/* test_mapfile.c - unit tests of the --map INI files (src/input/mapfile.c) and the bundled presets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/mapfile.h"
#include "compsight/parse.h"
#include "compsight/schema.h"

#define FIX CS_TEST_DIR "/fixtures/maps/"
#define MAPS CS_SOURCE_DIR "/data/maps/"

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static int col(enum cs_table t, const char *name)
{
    int c = cs_schema_find_column(t, name);
    assert_true(c >= 0);
    return c;
}

static const char *value(const struct cs_map *m, enum cs_table t, const char *column, const char *s)
{
    return cs_map_value(m, t, col(t, column), s, strlen(s));
}

static struct cs_map *load_ok(const char *path)
{
    struct cs_map *m = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_map_load(path, &m, &err);
    if (st != CS_OK)
        print_error("%s:%lu: %s\n", err.file, err.line, err.msg);
    assert_int_equal(st, CS_OK);
    assert_non_null(m);
    return m;
}

static struct cs_map *load_mem_ok(const char *text, size_t len)
{
    struct cs_map *m = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_map_load_mem(text, len, "mem.ini", &m, &err);
    if (st != CS_OK)
        print_error("%s:%lu: %s\n", err.file, err.line, err.msg);
    assert_int_equal(st, CS_OK);
    assert_non_null(m);
    return m;
}

/* The error must have this status, file, line, and contain every needle. */
static void check_err(enum cs_status st, const struct cs_error *err, const char *file,
                      unsigned long line, const char *needle, const char *needle2)
{
    if (st == CS_OK || err->line != line || !strstr(err->msg, needle) ||
        (needle2 && !strstr(err->msg, needle2)))
        print_error("got status %d, %s:%lu: %s\n", (int)st, err->file, err->line, err->msg);
    assert_int_equal(st, CS_ERR_INPUT);
    assert_int_equal(err->status, CS_ERR_INPUT);
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, line);
    assert_non_null(strstr(err->msg, needle));
    if (needle2)
        assert_non_null(strstr(err->msg, needle2));
}

static void expect_file_error(const char *fixture, unsigned long line, const char *needle,
                              const char *needle2)
{
    char path[1024];
    snprintf(path, sizeof path, FIX "%s", fixture);
    struct cs_map *m = (struct cs_map *)1;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_map_load(path, &m, &err);
    assert_null(m);
    check_err(st, &err, path, line, needle, needle2);
}

static void expect_mem_error_n(const char *text, size_t len, unsigned long line,
                               const char *needle, const char *needle2)
{
    struct cs_map *m = (struct cs_map *)1;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_map_load_mem(text, len, "mem.ini", &m, &err);
    assert_null(m);
    check_err(st, &err, "mem.ini", line, needle, needle2);
}

/* ------------------------------------------------------------------------
 * Every key form
 * --------------------------------------------------------------------- */

static void test_full(void **state)
{
    (void)state;
    struct cs_map *m = load_ok(FIX "full.ini");
    const enum cs_table D = CS_T_DEALS;

    /* file = NAME, COLUMN = HEADER (keys case-insensitive, indented key) */
    assert_string_equal(cs_map_file(m, D), "opps.csv");
    assert_string_equal(cs_map_header(m, D, col(D, "deal_id")), "Opportunity ID");
    assert_string_equal(cs_map_header(m, D, col(D, "rep_id")), "Opportunity Owner");
    assert_string_equal(cs_map_header(m, D, col(D, "stage")), "Stage");   /* inline comment gone */
    assert_string_equal(cs_map_header(m, D, col(D, "account")), "Deal #"); /* '#' is not inline */
    assert_string_equal(cs_map_header(m, D, col(D, "amount")), "Amount (USD)");
    assert_null(cs_map_header(m, D, col(D, "close_date")));
    assert_null(cs_map_header(m, D, col(D, "type")));

    /* COLUMN.default: enumeration defaults are stored canonical */
    assert_string_equal(cs_map_default(m, D, col(D, "type")), "new");
    assert_null(cs_map_default(m, D, col(D, "stage")));

    /* COLUMN.VALUE = A, B: case-insensitive, trimmed, continuation lines,
     * VALUE spelled in any case or as an alias */
    assert_string_equal(value(m, D, "stage", "Closed Won"), "won");
    assert_string_equal(value(m, D, "stage", "  cLOSED wON\t"), "won");
    assert_string_equal(value(m, D, "stage", "booked"), "won");
    assert_string_equal(value(m, D, "stage", "Engaging"), "open");
    assert_string_equal(value(m, D, "stage", "PROSPECTING"), "open");
    assert_string_equal(value(m, D, "stage", "lost"), "lost");
    assert_string_equal(value(m, D, "stage", "Dead"), "lost");
    assert_null(value(m, D, "stage", "Prospecting ; a continuation line"));
    assert_null(value(m, D, "stage", "Closed"));
    assert_null(value(m, D, "stage", ""));
    assert_null(value(m, D, "stage", "Closed Won, Booked"));
    /* a length shorter than the string: only s[0..len) counts */
    assert_string_equal(cs_map_value(m, D, col(D, "stage"), "Booked and more", 6), "won");
    /* non-enumeration columns take any VALUE, as written */
    assert_string_equal(value(m, D, "product", "CP"), "Core Platform");
    assert_string_equal(value(m, D, "product", "Core"), "Core Platform");
    assert_null(value(m, D, "type", "core"));

    /* per-file date_format and decimal_comma */
    assert_int_equal(cs_map_date_format(m, D), CS_DATE_US);
    assert_int_equal(cs_map_decimal_comma(m, D), 1);
    assert_int_equal(cs_map_date_format(m, CS_T_REPS), CS_DATE_EU);
    assert_int_equal(cs_map_decimal_comma(m, CS_T_REPS), 0);
    assert_string_equal(cs_map_header(m, CS_T_REPS, col(CS_T_REPS, "rep_id")), "Owner Name");
    assert_null(cs_map_file(m, CS_T_REPS));

    /* a section of its own, with a value list only */
    assert_string_equal(value(m, CS_T_ROADMAP, "status", "won't do"), "not_planned");
    assert_string_equal(value(m, CS_T_ROADMAP, "status", "REJECTED"), "not_planned");
    assert_null(cs_map_header(m, CS_T_ROADMAP, col(CS_T_ROADMAP, "status")));

    /* tables the map does not mention */
    assert_null(cs_map_file(m, CS_T_PLANS));
    assert_null(cs_map_header(m, CS_T_PLANS, 0));
    assert_null(cs_map_default(m, CS_T_PLANS, 0));
    assert_null(cs_map_value(m, CS_T_PLANS, 0, "x", 1));
    assert_int_equal(cs_map_date_format(m, CS_T_PLANS), -1);
    assert_int_equal(cs_map_decimal_comma(m, CS_T_PLANS), -1);

    /* out-of-range table and column */
    assert_null(cs_map_header(m, D, -1));
    assert_null(cs_map_header(m, D, (int)cs_schema_table(D)->n_columns));
    assert_null(cs_map_value(m, D, 99, "x", 1));
    assert_null(cs_map_file(m, CS_T_COUNT));
    assert_int_equal(cs_map_date_format(m, CS_T_COUNT), -1);
    assert_int_equal(cs_map_decimal_comma(m, (enum cs_table)-1), -1);
    cs_map_free(m);
}

static void test_readme_example(void **state)
{
    (void)state;
    struct cs_map *m = load_ok(FIX "readme_example.ini");
    assert_string_equal(cs_map_file(m, CS_T_DEALS), "opportunities-export.csv");
    assert_string_equal(value(m, CS_T_DEALS, "stage", "legal review"), "open");
    assert_string_equal(value(m, CS_T_DEALS, "type", "Cross-sell"), "expansion");
    assert_string_equal(cs_map_default(m, CS_T_REPS, col(CS_T_REPS, "team")), "Sales");
    assert_string_equal(value(m, CS_T_ROADMAP, "status", "GA"), "shipped");
    assert_int_equal(cs_map_decimal_comma(m, CS_T_ROADMAP), 1);
    assert_int_equal(cs_map_date_format(m, CS_T_DEALS), CS_DATE_US);
    cs_map_free(m);
}

static void test_null_map(void **state)
{
    (void)state;
    cs_map_free(NULL);
    assert_null(cs_map_file(NULL, CS_T_DEALS));
    assert_null(cs_map_header(NULL, CS_T_DEALS, 0));
    assert_null(cs_map_default(NULL, CS_T_DEALS, 0));
    assert_null(cs_map_value(NULL, CS_T_DEALS, 9, "Closed Won", 10));
    assert_int_equal(cs_map_date_format(NULL, CS_T_DEALS), -1);
    assert_int_equal(cs_map_decimal_comma(NULL, CS_T_DEALS), -1);
}

static void test_empty_and_comment_only(void **state)
{
    (void)state;
    struct cs_map *m = load_mem_ok("", 0);
    assert_null(cs_map_header(m, CS_T_DEALS, 0));
    cs_map_free(m);
    m = load_mem_ok(NULL, 0);
    cs_map_free(m);
    /* a section without keys is fine */
    const char *t = "; nothing\n# at all\n\n[deals]\n\n[reps]\n";
    m = load_mem_ok(t, strlen(t));
    assert_int_equal(cs_map_date_format(m, CS_T_DEALS), -1);
    cs_map_free(m);
}

/* CRLF line ends, a byte-order mark, no final newline, tabs. */
static void test_crlf_bom(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF[deals]\r\n\tdeal_id\t=\tId\r\nstage.won = Closed Won,\r\n"
                    "\tGewonnen \xE2\x9C\x93\r\ndecimal_comma = TRUE";
    struct cs_map *m = load_mem_ok(t, strlen(t));
    assert_string_equal(cs_map_header(m, CS_T_DEALS, 0), "Id");
    assert_string_equal(value(m, CS_T_DEALS, "stage", "gewonnen \xE2\x9C\x93"), "won");
    assert_int_equal(cs_map_decimal_comma(m, CS_T_DEALS), 1);
    cs_map_free(m);
}

/* The text need not be NUL-terminated: only text[0..len) is read. */
static void test_mem_length(void **state)
{
    (void)state;
    const char *t = "[deals]\ndeal_id = Id\nrep_id = Owner";
    struct cs_map *m = load_mem_ok(t, strlen("[deals]\ndeal_id = Id\n"));
    assert_string_equal(cs_map_header(m, CS_T_DEALS, 0), "Id");
    assert_null(cs_map_header(m, CS_T_DEALS, 1));
    cs_map_free(m);
}

static void test_decimal_comma_words(void **state)
{
    (void)state;
    static const struct { const char *word; int want; } cases[] = {
        {"true", 1}, {"Yes", 1}, {"1", 1}, {"false", 0}, {"NO", 0}, {"0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "[plans]\ndecimal_comma = %s\ndate_format = Iso\n", cases[i].word);
        struct cs_map *m = load_mem_ok(text, strlen(text));
        assert_int_equal(cs_map_decimal_comma(m, CS_T_PLANS), cases[i].want);
        assert_int_equal(cs_map_date_format(m, CS_T_PLANS), CS_DATE_ISO);
        cs_map_free(m);
    }
}

/* The same export value twice for one VALUE is harmless; keys are separate
 * per column and per table. */
static void test_harmless_repeats(void **state)
{
    (void)state;
    const char *t = "[deals]\nstage.won = Won, WON , won\nproduct.Won = Won\n"
                    "[claims]\nclaim.available = Won\n";
    struct cs_map *m = load_mem_ok(t, strlen(t));
    assert_string_equal(value(m, CS_T_DEALS, "stage", "won"), "won");
    assert_string_equal(value(m, CS_T_DEALS, "product", "won"), "Won");
    assert_string_equal(value(m, CS_T_CLAIMS, "claim", "won"), "available");
    cs_map_free(m);
}

/* Non-enumeration VALUEs are data: rep ids differing in case are two keys. */
static void test_id_values_exact(void **state)
{
    (void)state;
    const char *t = "[deals]\nrep_id.r1 = Jane Doe\nrep_id.R1 = John Roe\n";
    struct cs_map *m = load_mem_ok(t, strlen(t));
    assert_string_equal(value(m, CS_T_DEALS, "rep_id", "jane doe"), "r1");
    assert_string_equal(value(m, CS_T_DEALS, "rep_id", "John Roe"), "R1");
    cs_map_free(m);
}

/* Many values: the lookup is a binary search over a sorted list. */
static void test_many_values(void **state)
{
    (void)state;
    size_t cap = 200000, used = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    used += (size_t)snprintf(t + used, cap - used, "[deals]\n");
    for (int g = 0; g < 50; g++) {
        used += (size_t)snprintf(t + used, cap - used, "rep_id.rep%02d = Owner %02d-000", g, g);
        for (int i = 1; i < 100; i++)
            used += (size_t)snprintf(t + used, cap - used, "%s Owner %02d-%03d",
                                     i % 8 == 0 ? ",\n " : ",", g, i);
        used += (size_t)snprintf(t + used, cap - used, "\n");
    }
    struct cs_map *m = load_mem_ok(t, used);
    for (int g = 0; g < 50; g++) {
        for (int i = 0; i < 100; i += 7) {
            char from[32], to[16];
            snprintf(from, sizeof from, "OWNER %02d-%03d", g, i);
            snprintf(to, sizeof to, "rep%02d", g);
            assert_string_equal(value(m, CS_T_DEALS, "rep_id", from), to);
        }
    }
    assert_null(value(m, CS_T_DEALS, "rep_id", "Owner 50-000"));
    assert_null(value(m, CS_T_DEALS, "rep_id", "Owner"));
    cs_map_free(m);
    free(t);
}

/* ------------------------------------------------------------------------
 * Errors from fixture files: status, file, exact line, message
 * --------------------------------------------------------------------- */

static const struct {
    const char *fixture;
    unsigned long line;
    const char *needle, *needle2;    /* the message holds both (needle2 may be NULL) */
} file_errors[] = {
    {"err_unknown_section.ini", 4, "unknown section [opportunities]",
     "sections are plans, reps, assignments, rates, deals, splits"},
    {"err_unknown_key.ini", 3, "unknown key \"amout\" in section [deals]", "deal_id, rep_id"},
    {"err_unknown_column.ini", 5,
     "unknown column \"amout\" in key \"amout.default\" in section [deals]", NULL},
    {"err_bad_enum.ini", 4, "unknown value \"wonn\" in key \"stage.wonn\" in section [deals]",
     "stage is won, lost or open"},
    {"err_bad_date_format.ini", 3,
     "bad date_format \"dmy\" in section [deals] (expected iso, us or eu)", NULL},
    {"err_bad_decimal_comma.ini", 3, "bad decimal_comma \"maybe\" in section [deals]", NULL},
    {"err_duplicate_key.ini", 5, "duplicate key \"DEAL_ID\" in section [deals] (first on line 3)",
     NULL},
    {"err_conflict.ini", 6,
     "export value \"booked\" of stage is mapped to both \"won\" (line 3) and "
     "\"lost\" in section [deals]", NULL},
    {"err_file_slash.ini", 3,
     "file name \"exports/deals.csv\" in section [deals] must be a plain file name", NULL},
    {"err_file_dotdot.ini", 3, "file name \"..\" in section [deals] must be a plain", NULL},
    {"err_malformed.ini", 4, "malformed line \"this line has no equals sign\" in section [deals]",
     NULL},
    {"err_long_line.ini", 3, "line longer than 198 bytes",
     "split a long value list over indented continuation lines"},
};

static void test_err_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof file_errors / sizeof *file_errors; i++)
        expect_file_error(file_errors[i].fixture, file_errors[i].line, file_errors[i].needle,
                          file_errors[i].needle2);
}

/* A map file that cannot be read at all: line 0, the system's reason. */
static const struct {
    const char *path, *needle;
} open_errors[] = {
    {FIX "no-such-map.ini", "cannot open map file: No such file or directory"},
    {FIX, "cannot read map file: Is a directory"},
};

static void test_err_open(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof open_errors / sizeof *open_errors; i++) {
        struct cs_map *m = (struct cs_map *)1;
        struct cs_error err;
        cs_error_clear(&err);
        enum cs_status st = cs_map_load(open_errors[i].path, &m, &err);
        check_err(st, &err, open_errors[i].path, 0, open_errors[i].needle, NULL);
        assert_null(m);
    }
}

/* The error record may be NULL: the status still says what happened. */
static void test_err_null_record(void **state)
{
    (void)state;
    struct cs_map *m = NULL;
    assert_int_equal(cs_map_load_mem("[nope]\n", 7, "x", &m, NULL), CS_ERR_INPUT);
    assert_null(m);
    assert_int_equal(cs_map_load(FIX "no-such-map.ini", &m, NULL), CS_ERR_INPUT);
    assert_null(m);
}

/* ------------------------------------------------------------------------
 * Errors from text in memory
 * --------------------------------------------------------------------- */

#define T(text) text, sizeof text - 1

static const struct {
    const char *text;
    size_t len;
    unsigned long line;
    const char *needle, *needle2;
} mem_errors[] = {
    /* sections */
    {T("[deals]\n[Deals]\n"), 2, "section [deals] appears twice (first on line 1)", NULL},
    {T("\n[deals\ndeal_id = x\n"), 2, "malformed section header \"[deals\": no closing \"]\"", NULL},
    {T("[deals] extra\n"), 1, "unexpected text \"extra\" after section header [deals]", NULL},
    {T("[deals] ; fine\n[reps] # fine\n[]\n"), 3, "unknown section [] ", NULL},
    /* an empty unknown section is still an error (inih never reports it) */
    {T("[deals]\ndeal_id = x\n\n[opportunities]\n"), 4, "unknown section [opportunities]", NULL},
    /* names are escaped in messages */
    {T("[a\"b\x01]\n"), 1, "unknown section [a\\x22b\\x01]", NULL},
    /* inih keeps only 49 bytes of a section name; we do not rely on it */
    {T("[deals                                                  x]\n"), 1, "unknown section [deals",
     NULL},

    /* keys */
    {T("; top\ndeal_id = x\n[deals]\n"), 2, "key \"deal_id\" before the first section", NULL},
    {T("[deals]\n= x\n"), 2, "missing key before \"=\" in section [deals]", NULL},
    {T("[deals]\nstage. = x\n"), 2, "missing value after \".\" in key \"stage.\"", NULL},
    {T("[deals]\n.won = x\n"), 2, "unknown column \"\" in key \".won\"", NULL},
    {T("[deals]\ndeal_id =\n"), 2, "empty header for key \"deal_id\" in section [deals]", NULL},
    {T("[deals]\ntype.default = \n"), 2, "empty value for key \"type.default\"", NULL},
    {T("[deals]\ntype.default = brand new\n"), 2,
     "bad value \"brand new\" for key \"type.default\" in section [deals]",
     "type is new, expansion or renewal"},
    {T("[deals]\nfile = \n"), 2, "empty value list for key \"file\" in section [deals]", NULL},
    {T("[deals]\nfile = a\\b.csv\n"), 2, "file name \"a\\x5cb.csv\"", "must be a plain"},
    {T("[deals]\nfile = /etc/passwd\n"), 2, "file name \"/etc/passwd\"", NULL},
    {T("[deals]\nfile = .\n"), 2, "file name \".\"", NULL},
    {T("[deals]\nfile = a\tb.csv\n"), 2, "file name \"a\\x09b.csv\"", NULL},
    /* duplicates of every kind, whatever the spelling */
    {T("[deals]\nfile = a.csv\nFILE = b.csv\n"), 3, "duplicate key \"FILE\"", "line 2"},
    {T("[deals]\ndate_format = us\n\ndate_format = us\n"), 4, "duplicate key \"date_format\"",
     "first on line 2"},
    {T("[deals]\ndecimal_comma = 1\ndecimal_comma = 0\n"), 3, "duplicate key \"decimal_comma\"",
     NULL},
    {T("[deals]\ntype.default = new\ntype.Default = renewal\n"), 3,
     "duplicate key \"type.Default\"", NULL},
    {T("[deals]\nstage.won = A\nstage.WON = B\n"), 3, "duplicate key \"stage.WON\"", NULL},
    {T("[deals]\nstage.won = A\nstage.closedwon = B\n"), 3, "duplicate key \"stage.closedwon\"",
     "first on line 2"},
    {T("[deals]\nproduct.X = A\nproduct . X = B\n"), 3, "duplicate key \"product . X\"", NULL},

    /* value lists */
    {T("[deals]\nstage.won =\n"), 2, "empty value list for key \"stage.won\"", NULL},
    {T("[deals]\nstage.won = A,,B\n"), 2, "empty item in the value list of key \"stage.won\"",
     NULL},
    {T("[deals]\nstage.won = , A\n"), 2, "empty item", NULL},
    {T("[deals]\nstage.won = A,\n  , B\n"), 3, "empty item", NULL},
    /* conflicts: across keys, within one key, in a continuation */
    {T("[deals]\nstage.won = A\nstage.lost = B, a\n"), 3,
     "export value \"a\" of stage is mapped to both \"won\" (line 2) and \"lost\"", NULL},
    {T("[deals]\nproduct.P1 = x\nproduct.P2 = y\nproduct.P3 = X\n"), 4,
     "export value \"X\" of product is mapped to both \"P1\" (line 2) and \"P3\"", NULL},
    /* the first error in the file wins: a conflict before a bad key... */
    {T("[deals]\nstage.won = A\nstage.lost = a\namout = 1\n"), 3, "export value \"a\"", NULL},
    /* ...and a bad key before a conflict */
    {T("[deals]\nstage.won = A\namout = 1\nstage.lost = a\n"), 3, "unknown key \"amout\"", NULL},
    /* ...and a malformed line before a conflict */
    {T("[deals]\nstage.won = A\nstage.lost = B,\n  a\noops\n"), 4, "export value \"a\"", NULL},
    {T("[deals]\nstage.won = A\noops\nstage.lost = a\n"), 3, "malformed line \"oops\"", NULL},
    /* several conflicts: the earliest line is reported */
    {T("[deals]\nstage.won = A, B\nproduct.x = q\nproduct.y = Q\nstage.lost = b\n"), 4,
     "export value \"Q\" of product", NULL},

    /* lines */
    /* a continuation of anything but a value list */
    {T("[deals]\ndeal_id = Opportunity\n    ID\n"), 3,
     "indented line continues key \"deal_id\" in section [deals]", NULL},
    /* an indented line right after a section header has nothing to continue */
    {T("[deals]\n    Closed Won\n"), 2, "malformed line \"Closed Won\" in section [deals]",
     "no key precedes it"},
    {T("just text\n"), 1, "malformed line \"just text\" (expected a [section] header", NULL},
    /* SPEC 12 keys */
    {T("[deals]\nencoding = ebcdic\n"), 2, "bad encoding \"ebcdic\" in section [deals]",
     "auto, utf-8, windows-1252 or iso-8859-1"},
    {T("[deals]\nencoding = auto\nencoding = utf-8\n"), 3, "duplicate key \"encoding\"", NULL},
    {T("[deals]\ndelimiter = :\n"), 2, "bad delimiter \":\"", NULL},
    {T("[deals]\ndelimiter = ;\ndelimiter = tab\n"), 3, "duplicate key \"delimiter\"", NULL},
    {T("[deals]\nescape = slash\n"), 2, "bad escape \"slash\"", "backslash or none"},
    {T("[deals]\nnull =\n"), 2, "empty value for key \"null\"", NULL},
    {T("[deals]\nheader = a,,b\n"), 2, "empty item in the value list of key \"header\"", NULL},
    {T("[deals]\nheader = a\nheader = b\n"), 3, "duplicate key \"header\"", NULL},
    {T("[deals]\nexclude. = x\n"), 2, "missing header after \"exclude.\"", NULL},
    {T("[deals]\nexclude.Stage = x\nexclude.stage = y\n"), 3, "duplicate key \"exclude.stage\"",
     NULL},
    {T("[deals]\nexclude.Stage =\n"), 2, "empty value list for key \"exclude.Stage\"", NULL},
    {T("[deals]\ntype.blank = brand new\n"), 2, "bad value \"brand new\" for key \"type.blank\"",
     NULL},
    {T("[deals]\ntype.blank = new\ntype.BLANK = renewal\n"), 3, "duplicate key \"type.BLANK\"",
     NULL},
    {T("[deals]\nis_won.default = maybe\n"), 2, "bad value \"maybe\" for key \"is_won.default\"",
     "is_won is true or false"},
    {T("[deals]\nfile = a.csv, b/c.csv\n"), 2, "file name \"b/c.csv\"", NULL},
    {T("[deals]\nnull = x\n  y\n"), 3, "indented line continues key \"null\"", NULL},
    /* NUL bytes and invalid UTF-8 */
    {T("[deals]\ndeal_id = a\0b\n"), 2, "NUL byte", NULL},
    {T("[deals]\n\ndeal_id = caf\xE9\n"), 3, "not valid UTF-8", NULL},
};

#undef T

static void test_err_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mem_errors / sizeof *mem_errors; i++)
        expect_mem_error_n(mem_errors[i].text, mem_errors[i].len, mem_errors[i].line,
                           mem_errors[i].needle, mem_errors[i].needle2);
}

/* Lines: an indented key is a key, not a continuation; a line of 198
 * bytes is fine, 199 is not (inih's 200-byte buffer), whatever the line
 * end, comments included. */
static void test_line_lengths(void **state)
{
    (void)state;
    const char *t = "[deals]\n  stage.won = A\n  stage.lost = B\n";
    struct cs_map *m = load_mem_ok(t, strlen(t));
    assert_string_equal(value(m, CS_T_DEALS, "stage", "b"), "lost");
    assert_null(value(m, CS_T_DEALS, "stage", "stage.lost = B"));
    cs_map_free(m);
    char text[512];
    int n = snprintf(text, sizeof text, "[deals]\ndeal_id = %0188d\n", 0);
    assert_true(n > 0);
    assert_int_equal(strlen("deal_id = ") + 188, 198);
    m = load_mem_ok(text, (size_t)n);
    cs_map_free(m);
    n = snprintf(text, sizeof text, "[deals]\n; comment\ndeal_id = %0189d\n", 0);
    expect_mem_error_n(text, (size_t)n, 3, "line longer than 198 bytes", NULL);
    /* trailing \r does not count; long comment lines are errors too */
    n = snprintf(text, sizeof text, "[deals]\r\ndeal_id = %0188d\r\n;%0300d\n", 0, 0);
    expect_mem_error_n(text, (size_t)n, 3, "line longer than 198 bytes", NULL);
}

/* ------------------------------------------------------------------------
 * The keys of SPEC 12, and maps combined
 * --------------------------------------------------------------------- */

static void test_export_keys(void **state)
{
    (void)state;
    static const char text[] =
        "[deals]\n"
        "file = q1.csv,\n"
        "    q2.csv, q3.csv\n"
        "encoding = Windows-1252\n"
        "delimiter = ;   ; a comment after the semicolon\n"
        "header = id, owner,\n"
        "    close date   ; comment\n"
        "null = \\N\n"
        "escape = backslash\n"
        "type = -\n"
        "type.default = new\n"
        "type.blank = renewal\n"
        "is_won.blank = false\n"
        "exclude.Record Type = Partner, Test,\n"
        "    Internal\n"
        "exclude.StageName = Disqualified\n"
        "[reps]\n"
        "delimiter = tab\n"
        "encoding = latin1\n"
        "[plans]\n"
        "delimiter = auto\n"
        "escape = none\n";
    struct cs_map *m = load_mem_ok(text, sizeof text - 1);
    const enum cs_table D = CS_T_DEALS;
    const char *const *names;
    assert_int_equal(cs_map_files(m, D, &names), 3);
    assert_string_equal(names[2], "q3.csv");
    assert_string_equal(cs_map_file(m, D), "q1.csv");
    assert_int_equal(cs_map_encoding(m, D), CS_ENC_WINDOWS_1252);
    assert_int_equal(cs_map_delimiter(m, D), ';');
    assert_int_equal(cs_map_header_names(m, D, &names), 3);
    assert_string_equal(names[2], "close date");
    assert_string_equal(cs_map_null(m, D), "\\N");
    assert_int_equal(cs_map_escape(m, D), 1);
    assert_true(cs_map_unread(m, D, col(D, "type")));
    assert_null(cs_map_header(m, D, col(D, "type")));
    assert_string_equal(cs_map_default(m, D, col(D, "type")), "new");
    assert_string_equal(cs_map_blank(m, D, col(D, "type")), "renewal");
    assert_string_equal(cs_map_blank(m, D, col(D, "is_won")), "false");
    assert_int_equal(cs_map_excludes(m, D), 2);
    assert_string_equal(cs_map_exclude_header(m, D, 0), "Record Type");
    assert_string_equal(cs_map_exclude_match(m, D, 0, " internal ", 10), "Internal");
    assert_null(cs_map_exclude_match(m, D, 0, "Sales", 5));
    assert_string_equal(cs_map_exclude_match(m, D, 1, "DISQUALIFIED", 12), "Disqualified");
    assert_int_equal(cs_map_delimiter(m, CS_T_REPS), '\t');
    assert_int_equal(cs_map_encoding(m, CS_T_REPS), CS_ENC_ISO_8859_1);
    assert_int_equal(cs_map_delimiter(m, CS_T_PLANS), CS_DELIM_AUTO);
    assert_int_equal(cs_map_escape(m, CS_T_PLANS), 0);
    assert_int_equal(cs_map_escape(m, CS_T_REPS), -1);
    assert_int_equal(cs_map_encoding(m, CS_T_PLANS), CS_ENC_UNSET);
    assert_int_equal(cs_map_delimiter(m, CS_T_QUOTAS), 0);
    assert_int_equal(cs_map_header_names(m, CS_T_REPS, &names), 0);
    cs_map_free(m);
    /* the words of --encoding and --delimiter */
    assert_int_equal(cs_encoding_parse("UTF8", 4), CS_ENC_UTF8);
    assert_int_equal(cs_encoding_parse("cp1252", 6), CS_ENC_WINDOWS_1252);
    assert_int_equal(cs_encoding_parse("utf-16", 6), CS_ENC_UNSET);
    assert_int_equal(cs_delimiter_parse("|", 1), '|');
    assert_int_equal(cs_delimiter_parse("\t", 1), '\t');
    assert_int_equal(cs_delimiter_parse("\\t", 2), '\t');
    assert_int_equal(cs_delimiter_parse("semicolon", 9), ';');
    assert_int_equal(cs_delimiter_parse("auto", 4), CS_DELIM_AUTO);
    assert_int_equal(cs_delimiter_parse(":", 1), 0);
}

/* A later map's keys override an earlier one's, key by key (SPEC 12). */
static void test_merge(void **state)
{
    (void)state;
    static const char preset[] =
        "[deals]\nfile = Opportunity.csv\ndeal_id = Id\ntype = Type\ndate_format = us\n"
        "stage.won = Closed Won\nstage.lost = Closed Lost, Lost Forever\n"
        "stage.open = Prospecting\nexclude.IsDeleted = true\nexclude.Kind = Test\n"
        "[reps]\nteam = Department\n";
    static const char ours[] =
        "[deals]\ndate_format = eu\ntype.blank = new\nstage.won = Closed Won, Lost Forever\n"
        "exclude.kind = Internal\n"
        "[reps]\nplan_id.default = AE-Q\n"
        "[plans]\ndecimal_comma = yes\n";
    struct cs_map *a = load_mem_ok(preset, sizeof preset - 1);
    struct cs_map *b = load_mem_ok(ours, sizeof ours - 1);
    struct cs_error err;
    assert_int_equal(cs_map_merge(a, b, &err), CS_OK);
    const enum cs_table D = CS_T_DEALS, R = CS_T_REPS;
    /* kept from the first */
    assert_string_equal(cs_map_file(a, D), "Opportunity.csv");
    assert_string_equal(cs_map_header(a, D, col(D, "deal_id")), "Id");
    assert_string_equal(cs_map_header(a, R, col(R, "team")), "Department");
    assert_string_equal(value(a, D, "stage", "Closed Lost"), "lost");
    assert_string_equal(value(a, D, "stage", "prospecting"), "open");
    assert_string_equal(cs_map_exclude_match(a, D, 0, "true", 4), "true");
    /* overridden or added by the second */
    assert_int_equal(cs_map_date_format(a, D), CS_DATE_EU);
    assert_string_equal(cs_map_blank(a, D, col(D, "type")), "new");
    assert_string_equal(cs_map_default(a, R, col(R, "plan_id")), "AE-Q");
    assert_int_equal(cs_map_decimal_comma(a, CS_T_PLANS), 1);
    /* stage.won replaced whole, and Lost Forever moved from lost to won */
    assert_string_equal(value(a, D, "stage", "Lost Forever"), "won");
    assert_string_equal(value(a, D, "stage", "closed won"), "won");
    /* exclude.Kind replaced (headers match whatever their case) */
    assert_int_equal(cs_map_excludes(a, D), 2);
    assert_null(cs_map_exclude_match(a, D, 1, "Test", 4));
    assert_string_equal(cs_map_exclude_match(a, D, 1, "internal", 8), "Internal");
    /* the second is unchanged, and merging nothing changes nothing */
    assert_int_equal(cs_map_date_format(b, D), CS_DATE_EU);
    assert_null(cs_map_file(b, D));
    assert_int_equal(cs_map_merge(a, NULL, &err), CS_OK);
    cs_map_free(a);
    cs_map_free(b);
}

/* ------------------------------------------------------------------------
 * The bundled presets
 * --------------------------------------------------------------------- */

static void test_preset_salesforce_api(void **state)
{
    (void)state;
    struct cs_map *m = load_ok(MAPS "salesforce-api.ini");
    const enum cs_table D = CS_T_DEALS, R = CS_T_REPS;
    assert_string_equal(cs_map_file(m, D), "Opportunity.csv");
    assert_string_equal(cs_map_file(m, R), "User.csv");
    static const char *const deals[][2] = {
        {"deal_id", "Id"}, {"rep_id", "OwnerId"}, {"account", "AccountId"}, {"type", "Type"},
        {"amount", "Amount"}, {"created_date", "CreatedDate"}, {"close_date", "CloseDate"},
        {"stage", "StageName"}, {"is_won", "IsWon"}, {"is_closed", "IsClosed"},
    };
    for (size_t i = 0; i < sizeof deals / sizeof deals[0]; i++)
        assert_string_equal(cs_map_header(m, D, col(D, deals[i][0])), deals[i][1]);
    assert_string_equal(cs_map_header(m, R, col(R, "rep_id")), "Id");
    assert_string_equal(cs_map_header(m, R, col(R, "name")), "Name");
    assert_string_equal(cs_map_header(m, R, col(R, "team")), "Department");
    assert_int_equal(cs_map_date_format(m, D), CS_DATE_ISO);
    assert_string_equal(value(m, D, "type", "Existing Business"), "expansion");
    assert_string_equal(cs_map_exclude_header(m, D, 0), "IsDeleted");
    assert_non_null(cs_map_exclude_match(m, D, 0, "true", 4));
    assert_non_null(cs_map_exclude_match(m, R, 0, "AutomatedProcess", 16));
    assert_null(cs_map_exclude_match(m, R, 0, "Standard", 8));
    cs_map_free(m);
}

static void test_preset_salesforce(void **state)
{
    (void)state;
    struct cs_map *m = load_ok(MAPS "salesforce.ini");
    const enum cs_table D = CS_T_DEALS;
    assert_string_equal(cs_map_header(m, D, col(D, "deal_id")), "Opportunity ID");
    assert_string_equal(cs_map_header(m, D, col(D, "rep_id")), "Opportunity Owner");
    assert_string_equal(cs_map_header(m, D, col(D, "account")), "Account Name");
    assert_string_equal(cs_map_header(m, D, col(D, "close_date")), "Close Date");
    assert_string_equal(cs_map_header(m, D, col(D, "created_date")), "Created Date");
    assert_string_equal(cs_map_header(m, D, col(D, "stage")), "Stage");
    assert_string_equal(cs_map_header(m, D, col(D, "type")), "Type");
    assert_string_equal(cs_map_header(m, D, col(D, "amount")), "Amount");
    assert_null(cs_map_header(m, D, col(D, "product")));
    assert_null(cs_map_file(m, D));
    assert_int_equal(cs_map_date_format(m, D), CS_DATE_US);
    assert_int_equal(cs_map_decimal_comma(m, D), -1);
    assert_string_equal(value(m, D, "stage", "Closed Won"), "won");
    assert_string_equal(value(m, D, "stage", "Closed Lost"), "lost");
    static const char *const open[] = {"Prospecting", "Qualification", "Needs Analysis",
        "Value Proposition", "Id. Decision Makers", "Perception Analysis",
        "Proposal/Price Quote", "Negotiation/Review"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        assert_string_equal(value(m, D, "stage", open[i]), "open");
    assert_string_equal(value(m, D, "type", "New Customer"), "new");
    assert_string_equal(value(m, D, "type", "New Business"), "new");
    assert_string_equal(value(m, D, "type", "Existing Customer - Upgrade"), "expansion");
    assert_string_equal(value(m, D, "type", "Existing Customer - Replacement"), "renewal");
    assert_string_equal(value(m, D, "type", "Existing Customer - Downgrade"), "renewal");
    /* only deals is mapped */
    for (int t = 0; t < CS_T_COUNT; t++) {
        if (t == CS_T_DEALS)
            continue;
        assert_null(cs_map_file(m, (enum cs_table)t));
        assert_null(cs_map_header(m, (enum cs_table)t, 0));
        assert_int_equal(cs_map_date_format(m, (enum cs_table)t), -1);
    }
    cs_map_free(m);
}

static void test_preset_hubspot(void **state)
{
    (void)state;
    struct cs_map *m = load_ok(MAPS "hubspot.ini");
    const enum cs_table D = CS_T_DEALS;
    assert_string_equal(cs_map_header(m, D, col(D, "deal_id")), "Record ID");
    assert_string_equal(cs_map_header(m, D, col(D, "rep_id")), "Deal owner");
    assert_string_equal(cs_map_header(m, D, col(D, "stage")), "Deal Stage");
    assert_string_equal(cs_map_header(m, D, col(D, "type")), "Deal Type");
    assert_string_equal(cs_map_header(m, D, col(D, "created_date")), "Create Date");
    assert_string_equal(cs_map_header(m, D, col(D, "close_date")), "Close Date");
    assert_int_equal(cs_map_date_format(m, D), CS_DATE_ISO);
    assert_string_equal(value(m, D, "stage", "Closed won"), "won");
    assert_string_equal(value(m, D, "stage", "closedwon"), "won");
    assert_string_equal(value(m, D, "stage", "Closed lost"), "lost");
    static const char *const open[] = {"Appointment scheduled", "Qualified to buy",
        "Presentation scheduled", "Decision maker bought-in", "Contract sent",
        "appointmentscheduled", "decisionmakerboughtin", "contractsent"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        assert_string_equal(value(m, D, "stage", open[i]), "open");
    assert_string_equal(value(m, D, "type", "New Business"), "new");
    assert_string_equal(value(m, D, "type", "existingbusiness"), "expansion");
    cs_map_free(m);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_readme_example),
        cmocka_unit_test(test_null_map),
        cmocka_unit_test(test_empty_and_comment_only),
        cmocka_unit_test(test_crlf_bom),
        cmocka_unit_test(test_mem_length),
        cmocka_unit_test(test_decimal_comma_words),
        cmocka_unit_test(test_harmless_repeats),
        cmocka_unit_test(test_id_values_exact),
        cmocka_unit_test(test_many_values),
        cmocka_unit_test(test_err_files),
        cmocka_unit_test(test_err_open),
        cmocka_unit_test(test_err_null_record),
        cmocka_unit_test(test_err_text),
        cmocka_unit_test(test_line_lengths),
        cmocka_unit_test(test_export_keys),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_preset_salesforce),
        cmocka_unit_test(test_preset_salesforce_api),
        cmocka_unit_test(test_preset_hubspot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
