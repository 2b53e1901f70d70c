/* test_plot.c - unit tests of the plots: gnuplot quoting, golden scripts, aggregation, and running gnuplot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "compsight/analysis.h"
#include "compsight/findings.h"
#include "compsight/generate.h"
#include "compsight/plot.h"
#include "report/wording.h"

#ifndef CS_TEST_DIR
#define CS_TEST_DIR "tests"
#endif
#ifndef CS_SOURCE_DIR
#define CS_SOURCE_DIR "."
#endif
#define GOLDEN_DIR CS_TEST_DIR "/golden/plots"
#define SAMPLE_DIR CS_SOURCE_DIR "/data/sample"
#define PWNED "/tmp/compsight_pwned"

/* ======================================================================
 * Helpers
 * ==================================================================== */

/* A string written by f(memstream); the caller frees it. */
#define CAPTURE(buf, len, call)                                      \
    do {                                                             \
        FILE *m_ = open_memstream(&(buf), &(len));                   \
        assert_non_null(m_);                                         \
        FILE *f = m_;                                                \
        call;                                                        \
        assert_int_equal(fclose(m_), 0);                             \
    } while (0)

static char *quoted(const char *s, bool tic)
{
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, tic ? cs_gp_quote_tic(f, s) : cs_gp_quote(f, s));
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void)
{
    char *t = strdup("/tmp/cs_test_plot.XXXXXX");
    assert_non_null(t);
    assert_non_null(mkdtemp(t));
    return t;
}

/* Entries of dir whose name starts with '.' other than . and .. (leftover private dirs). */
static int hidden_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void assert_png(const char *path)
{
    size_t len = 0;
    char *b = slurp(path, &len);
    if (!b)
        fail_msg("%s: missing", path);
    assert_true(len > 8);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    free(b);
}

static void assert_svg(const char *path)
{
    char *b = slurp(path, NULL);
    if (!b)
        fail_msg("%s: missing", path);
    assert_non_null(strstr(b, "<svg"));
    assert_non_null(strstr(b, "</svg>"));
    free(b);
}

/* Compare a script with tests/golden/plots/NAME.gp; CS_UPDATE_GOLDEN=1 rewrites it. */
static void golden(const char *name, const char *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.gp", GOLDEN_DIR, name);
    const char *upd = getenv("CS_UPDATE_GOLDEN");
    if (upd && strcmp(upd, "1") == 0) {
        FILE *f = fopen(path, "wb");
        if (!f)
            fail_msg("cannot write %s", path);
        assert_int_equal(fwrite(buf, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        return;
    }
    size_t glen = 0;
    char *g = slurp(path, &glen);
    if (!g)
        fail_msg("%s: missing (run with CS_UPDATE_GOLDEN=1 to create it)", path);
    if (glen != len || memcmp(g, buf, len) != 0) {
        size_t i = 0;
        while (i < len && i < glen && g[i] == buf[i])
            i++;
        size_t line = 1;
        for (size_t k = 0; k < i; k++)
            line += buf[k] == '\n';
        free(g);
        fail_msg("%s differs from the built script at line %zu "
                 "(CS_UPDATE_GOLDEN=1 regenerates it; review the diff)", path, line);
    }
    free(g);
}

/*
 * Read a literal the way gnuplot 5.4 does (src/scanner.c): from the opening
 * quote, a character followed by '' takes the pair in as one quote, and the
 * first other quote ends the string.  Asserts that the string ends exactly
 * at the last byte (nothing after it can become a command), that there is
 * no control character, and that gnuplot's macro pass (which toggles on
 * every quote and expands @name outside quotes) sees every @ inside quotes.
 * Returns the text, '' undone.
 */
static char *unquote(const char *q)
{
    size_t n = strlen(q);
    assert_true(n >= 2);
    assert_int_equal(q[0], '\'');
    size_t i = 0;
    while (q[++i] != '\'') {
        assert_true(q[i] != '\0');
        if (q[i + 1] == '\'' && q[i + 2] == '\'')
            i += 2;
    }
    if (i != n - 1)
        fail_msg("the literal ends at byte %zu of %zu: %s", i, n, q);
    bool squote = false;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)q[k];
        if (c < 0x20 || c == 0x7f)
            fail_msg("control character 0x%02x in %s", c, q);
        if (c == '\'')
            squote = !squote;
        if (c == '@' && !squote)
            fail_msg("@ outside quotes for the macro pass: %s", q);
    }
    char *out = malloc(n);
    assert_non_null(out);
    size_t k = 0;
    for (size_t j = 1; j < n - 1; j++) {
        out[k++] = q[j];
        if (q[j] == '\'')
            j++;
    }
    out[k] = '\0';
    return out;
}

/* ======================================================================
 * Quoting
 * ==================================================================== */

static const char *const hostile[] = {
    "plain",
    "it's",
    "''",
    "'",
    "`touch " PWNED "`",
    "system(\"touch " PWNED "\")",
    "a\nset output '" PWNED "'\nplot 1",
    "'|touch " PWNED "'",
    "'<touch " PWNED "'",
    "<script>alert(1)</script>",
    "@macro \\n \\' \"double\" $var",
    "tab\there\rcr\x7f" "del",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88",   /* UTF-8 kept */
    "%s%n%d 100%",
    "'; system('touch " PWNED "'); '",
    "''''",
    "x'''@macro",
    "\"'@macro",
    "'@macro\"'@macro",
    "#'#' \\'",
};

/* What the literal must hold: the text without control characters, with a
 * zero-width space before a quote at the start or after another quote. */
static char *expected_text(const char *s)
{
    char *o = malloc(4 * strlen(s) + 1);
    assert_non_null(o);
    size_t k = 0;
    bool after_quote = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if (*p == '\'' && after_quote) {
            memcpy(o + k, "\xe2\x80\x8b", 3);
            k += 3;
        }
        after_quote = *p == '\'';
        o[k++] = (char)*p;
    }
    o[k] = '\0';
    return o;
}

static void test_quote_literal(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *q = quoted(hostile[i], false);
        char *text = unquote(q);
        char *want = expected_text(hostile[i]);
        assert_string_equal(text, want);
        free(q);
        free(text);
        free(want);
    }
    char *q = quoted(NULL, false);
    assert_string_equal(q, "''");
    free(q);
    q = quoted("it's", false);
    assert_string_equal(q, "'it''s'");
    free(q);
    /* a leading quote, and two in a row, get the zero-width space */
    q = quoted("'a''b", false);
    assert_string_equal(q, "'\xe2\x80\x8b''a''\xe2\x80\x8b''b'");
    free(q);
    q = quoted("a\nb\r\tc", false);
    assert_string_equal(q, "'abc'");
    free(q);
}

static void test_quote_utf8_and_tic(void **state)
{
    (void)state;
    /* malformed UTF-8 (a lone continuation byte, an overlong, a truncated
     * sequence, a surrogate) becomes '?', valid sequences are kept */
    char *q = quoted("a\x80" "b\xc0\xaf" "c\xe2\x82" "d\xed\xa0\x80" "e\xc3\xa9", false);
    assert_string_equal(q, "'a?b??c??d???e\xc3\xa9'");
    free(q);
    /* tic labels are formats to gnuplot: % doubled there only */
    q = quoted("6% %s%n", true);
    assert_string_equal(q, "'6%% %%s%%n'");
    free(q);
    q = quoted("6% %s%n", false);
    assert_string_equal(q, "'6% %s%n'");
    free(q);
}

/* gnuplot itself reads every hostile literal back as plain text. */
static void test_quote_gnuplot_reads_text(void **state)
{
    (void)state;
    if (!cs_plot_gnuplot_available(NULL, 0)) {
        print_message("gnuplot not found: skipped (install gnuplot-nox to run it)\n");
        skip();
    }
    unlink(PWNED);
    char *dir = make_tmpdir();
    char path[512], out[512];
    snprintf(path, sizeof path, "%s/q.gp", dir);
    snprintf(out, sizeof out, "%s/q.out", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("macro = 'touch " PWNED "'\n", f);
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        fputs("print ", f);
        cs_gp_quote(f, hostile[i]);
        fputc('\n', f);
        fputs("set title ", f);
        cs_gp_quote(f, hostile[i]);
        fputs(" noenhanced\nset xtics (", f);
        cs_gp_quote_tic(f, hostile[i]);
        fputs(" 1)\n", f);
    }
    assert_int_equal(fclose(f), 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot q.gp > /dev/null 2> q.out", dir);
    assert_int_equal(system(cmd), 0);
    char *got = slurp(out, NULL);
    assert_non_null(got);
    char *line = got;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        char *want = expected_text(hostile[i]);
        assert_string_equal(line, want);
        free(want);
        line = nl + 1;
    }
    assert_false(exists(PWNED));
    free(got);
    rm_rf(dir);
    free(dir);
}

/* ======================================================================
 * Golden scripts from hand-made fixtures
 * ==================================================================== */

static void where_fixture(struct cs_plot_where *w, bool coarse)
{
    memset(w, 0, sizeof *w);
    w->coarse = coarse;
    w->row_step = coarse ? 0.25 : 0.10;
    w->rows = coarse ? 7 : 16;
    w->col_weeks = coarse ? 2 : 1;
    w->cols = coarse ? 7 : 14;
    w->min_cell = CS_PLOT_WHERE_MIN_CELL;
    static const struct { size_t r, c, n, k; } cells[] = {
        {9, 0, 40, 18}, {9, 1, 25, 8}, {10, 0, 12, 6}, {3, 5, 30, 3},
        {0, 13, 55, 6}, {15, 0, 11, 5}, {5, 2, 9, 4},   /* 9 deals: blank */
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        size_t r = cells[i].r, c = cells[i].c;
        if (r >= w->rows || c >= w->cols)
            continue;
        w->deals[r][c] = cells[i].n;
        w->risky[r][c] = cells[i].k;
        w->n_deals += cells[i].n;
        w->n_risky += cells[i].k;
        w->cells_shown += cells[i].n >= w->min_cell;
    }
    w->n_floors = 2;
    w->floors[0] = 1.0;
    w->floors[1] = 1.3;
}

static void test_golden_where(void **state)
{
    (void)state;
    struct cs_plot_where w;
    char *buf = NULL;
    size_t len = 0;
    where_fixture(&w, false);
    CAPTURE(buf, len, cs_plot_where_script(f, &w, "where"));
    golden("where", buf, len);
    free(buf);
    where_fixture(&w, true);
    CAPTURE(buf, len, cs_plot_where_script(f, &w, "where"));
    golden("where-coarse", buf, len);
    free(buf);
}

static char *label_text(const char *script, int n);
static char *note_text(const char *script);

static void when_fixture(struct cs_plot_when *wp)
{
    struct cs_plot_when w;
    memset(&w, 0, sizeof w);
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++) {
        w.bookings[d] = d < 14 ? 90000.0 + 5000.0 * (double)(14 - d) : 30000.0 + (double)(d % 7) * 1000.0;
        w.total += w.bookings[d];
    }
    for (size_t k = 0; k < CS_PLOT_WHEN_WEEKS; k++) {
        w.deals_week[k] = k < 2 ? 60 : k == 12 ? 3 : 20;   /* week 12: too few, no point */
        w.risky_week[k] = k < 2 ? 21 : 3;
        w.n_deals += w.deals_week[k];
    }
    w.beyond_deals = 12;
    w.beyond_bookings = 400000;
    w.risk = true;
    w.last14_share = 0.38;
    w.expected_share = 0.152;
    /* half the bookings on quarterly plans (91 days), half on annual ones */
    w.quarter_bookings = w.year_bookings = 0.5 * (w.total + w.beyond_bookings);
    w.quarter_even = 14.0 / 91;
    w.year_even = 14.0 / 365;
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++)
        w.even[d] = (d < 91 ? w.quarter_bookings / 91 : 0) + w.year_bookings / 365;
    w.currency = "USD";
    w.title = "38% of bookings closed in the last 14 days of the period, against 10% at an even pace";
    *wp = w;
}

/* The lines of datablock $NAME in a script, as one string (static). */
static const char *datablock(const char *script, const char *name)
{
    static char out[8192];
    char head[64];
    snprintf(head, sizeof head, "$%s << EOD\n", name);
    const char *p = strstr(script, head);
    if (!p)
        return NULL;
    p += strlen(head);
    const char *e = strstr(p, "EOD\n");
    assert_non_null(e);
    size_t n = (size_t)(e - p) < sizeof out - 1 ? (size_t)(e - p) : sizeof out - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/*
 * where (issue 19): a cell whose share rests on so few deals that its 95%
 * interval is wide (45% of 11 deals: 21% to 72%) is hatched and faded, and
 * the note says what "wide" means; a cell with a narrow interval (11% of
 * 55) is not.  Grey cells show their n, n = 0 included.
 */
static void test_where_uncertainty(void **state)
{
    (void)state;
    struct cs_plot_where w;
    where_fixture(&w, false);
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_where_script(f, &w, "where"));
    const char *wide = datablock(buf, "wide");
    assert_non_null(wide);
    assert_non_null(strstr(wide, "0 15\n"));      /* column 0, row 15: 5 of 11 */
    assert_null(strstr(wide, "13 0\n"));          /* 6 of 55: 5% to 22% */
    assert_null(strstr(wide, "5 3\n"));           /* 3 of 30: 3% to 26%, 22 points */
    assert_non_null(strstr(buf, "$wide using 1:2:(0.5):(0.5) with boxxyerror"));
    assert_non_null(strstr(buf, "fs transparent pattern"));
    char *note = note_text(buf);
    assert_non_null(strstr(note, "Hatched and faded: the share's 95% interval is wider than 25 "
                                 "points, too few deals to read its colour."));
    free(note);
    /* grey cells: n, and n = 0 for an empty one */
    const char *few = datablock(buf, "few");
    assert_non_null(few);
    assert_non_null(strstr(few, "2 5 9\n"));
    assert_true(strncmp(few, "0 0 0\n", 6) == 0);
    assert_non_null(strstr(buf, "$few using 1:2:(sprintf('n = %d', $3)) with labels"));
    free(buf);

    /* the caller's title */
    w.title = "Risky promises concentrate in the last 14 days";
    CAPTURE(buf, len, cs_plot_where_script(f, &w, "where"));
    assert_non_null(strstr(buf, "set title 'Risky promises concentrate in the last 14 days'"));
    free(buf);
}

static void test_golden_when(void **state)
{
    (void)state;
    struct cs_plot_when w;
    when_fixture(&w);
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_when_script(f, &w, "when"));
    golden("when", buf, len);
    free(buf);
}

/* The whole note of a script: its lines (labels 99, 98, ...) joined by spaces. */
static char *note_text(const char *script)
{
    char *out = calloc(1, 4096);
    assert_non_null(out);
    for (int n = 99; n >= 96; n--) {
        char *l = label_text(script, n);
        if (!l)
            break;
        if (out[0])
            strcat(out, " ");
        strncat(out, l, 4096 - strlen(out) - 2);
        free(l);
    }
    return out;
}

/*
 * when (issue 19): the bookings axis names its currency; the even pace is
 * drawn and the note says why it is not 14/91 of bookings when annual
 * plans weigh in; every week shows how many deals it has, an empty one
 * n = 0; the title is the caller's (the finding's verdict).
 */
static void test_when_even_pace_and_counts(void **state)
{
    (void)state;
    struct cs_plot_when w;
    when_fixture(&w);
    w.deals_week[5] = 0;
    w.risky_week[5] = 0;
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_when_script(f, &w, "when"));
    assert_non_null(strstr(buf, "set ylabel 'bookings closed that day (thousands of USD)'"));
    assert_non_null(strstr(buf, "title 'at an even pace'"));
    assert_non_null(strstr(buf, "against 10% at an even pace' font"));
    char *note = note_text(buf);
    assert_non_null(strstr(note, "Dashed: an even pace (each deal's amount spread over its plan "
                                 "period) puts 9.6% of bookings in the last 14 days, not 14/91 = "
                                 "15%, as annual plans (50% of bookings) spread theirs over 365 "
                                 "days."));
    assert_non_null(strstr(note, "n: won deals in the week"));
    free(note);
    assert_non_null(strstr(buf, "'n = 0' 38, "));
    assert_non_null(strstr(buf, "'n = 60' 3"));
    free(buf);

    /* quarterly plans only: the even pace is 14 of about 91 days */
    w.year_bookings = 0;
    w.year_even = NAN;
    CAPTURE(buf, len, cs_plot_when_script(f, &w, "when"));
    note = note_text(buf);
    assert_non_null(strstr(note, "puts 15% of bookings in the last 14 days (14 of about 91 days)."));
    free(note);
    free(buf);
}

static void bunching_fixture(struct cs_bunching *e, double f0)
{
    memset(e, 0, sizeof *e);
    e->threshold = f0;
    for (size_t j = 0; j < CS_BUNCH_BINS; j++) {
        struct cs_bunch_bin *b = &e->bins[j];
        b->left = f0 - 0.40 + (double)j * 0.02;
        b->centre = b->left + 0.01;
        b->fit = 20.0 - 0.2 * (double)j;
        b->count = b->fit + ((j % 3) ? 1.0 : -1.0);
        b->excluded = j >= CS_BUNCH_WIN_FIRST && j <= CS_BUNCH_WIN_LAST;
        e->n_binned += (size_t)b->count;
    }
    e->bins[20].count = 40;
    e->bins[21].count = 30;
    e->verdict = CS_BUNCH_OK;
    e->excess_mass = 31.5;
    e->excess_mass_se = 6.25;
    e->b = 1.9;
    e->b_se = 0.4;
    e->z = 5.04;
    e->thin = false;
}

static void test_golden_threshold(void **state)
{
    (void)state;
    struct cs_bunching e, placebo;
    bunching_fixture(&e, 1.0);
    bunching_fixture(&placebo, 0.75);
    placebo.excess_mass = -1.2;
    placebo.excess_mass_se = 4.0;
    /* a plan id written to break out of the title */
    struct cs_plot_threshold t = {
        .plan = "Mid'Market `touch " PWNED "`\nset output '" PWNED "'",
        .period_word = "quarter", .est = &e, .placebo = &placebo,
        .low = 14.2, .high = 48.8, .level = 0.98};
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_threshold_script(f, &t, "threshold-1"));
    golden("threshold-1", buf, len);
    free(buf);

    /* issue 19: the title is the caller's (the finding's verdict); without
     * one the plot claims nothing, however large z is */
    t.plan = "MM-Q";
    CAPTURE(buf, len, cs_plot_threshold_script(f, &t, "threshold-1"));
    assert_non_null(strstr(buf, "set title 'Plan MM-Q: final attainment around the 100% floor'"));
    assert_null(strstr(buf, "more rep-quarters"));
    free(buf);
    t.title = "Plan MM-Q: no clear bunching at the 100% floor";
    CAPTURE(buf, len, cs_plot_threshold_script(f, &t, "threshold-1"));
    assert_non_null(strstr(buf, "set title 'Plan MM-Q: no clear bunching at the 100% floor'"));
    /* the interval the report prints, in its words */
    assert_non_null(strstr(buf, "'excess above the floor: 32 (98% interval 14 to 49)'"));
    free(buf);
}

static void test_golden_forest(void **state)
{
    (void)state;
    struct cs_plot_forest fo;
    memset(&fo, 0, sizeof fo);
    /* the printed intervals are the report's (widened): marginal_rate's
     * excludes 1 at 95% but its verdict is not clear, and it is grey */
    static const struct cs_plot_forest_row rows[] = {
        {"marginal_rate", "commission rate, per +1 percentage point", 1.06, 0.99, 1.13, false, false, false, 0, 0, 0, false},
        {"tier_cross", "deal crosses a tier floor", 2.4, 1.7, 3.4, true, false, false, 0, 0, 0, false},
        {"last_14_days", "closed in the last 14 days of the period", 1.7, 1.1, 2.6, true, false, false, 0, 0, 0, false},
        {"log_amount", "deal size, per doubling", 1.01, 0.9, 1.13, false, false, false, 0, 0, 0, false},
        {"type[renewal]", "renewal deal (against new)", 0.6, 0.36, 0.99, true, false, false, 0, 0, 0, false},
    };
    fo.n = sizeof rows / sizeof rows[0];
    memcpy(fo.rows, rows, sizeof rows);
    fo.deals = 1234;
    fo.left_out = 1;
    fo.left_out_terms[0] = "SPIFF on the product";
    fo.level = 0.9964;
    fo.tested = 14;
    fo.title = "Deals that carried the rep across a tier floor went with 2.40 times the odds of a "
               "risky promise";
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_forest_script(f, &fo, "how-strong"));
    golden("how-strong", buf, len);
    /* issue 19: colour is the verdict, the interval is the report's, no identifier */
    const char *or = datablock(buf, "or");
    assert_non_null(or);
    static const char head[] = "5 1.06 0.99 1.13 6\n4 2.4 1.7 3.4 2\n";
    assert_true(strncmp(or, head, sizeof head - 1) == 0);
    assert_non_null(strstr(buf, "set xlabel 'odds ratio of a risky promise, 99.6% interval"));
    assert_non_null(strstr(buf, "set label 200 'Deals that carried the rep across a tier floor went"));
    assert_non_null(strstr(buf, "at screen 0.5, screen 0.955 center"));
    char *note = note_text(buf);
    assert_non_null(strstr(note, "widened because the report tests 14 effects at once"));
    assert_non_null(strstr(note, "Not shown (no variation or no interval): SPIFF on the product."));
    assert_null(strstr(note, "spiff"));
    free(note);
    free(buf);
}

/*
 * Both estimates of a term (SPEC 14.1): the one that gives the verdict (the
 * same rep, filled) above the one across reps (open, smaller number in
 * grey), each coloured by its own verdict; a legend says which is which.
 */
static void test_golden_forest_within(void **state)
{
    (void)state;
    struct cs_plot_forest fo;
    memset(&fo, 0, sizeof fo);
    static const struct cs_plot_forest_row rows[] = {
        {"marginal_rate", "commission rate, per +1 percentage point", 1.08, 0.99, 1.18, false,
         true, true, 1.19, 1.11, 1.27, true},
        {"tier_cross", "deal crosses a tier floor", 1.56, 1.31, 1.86, true, true, true, 2.02, 1.71,
         2.39, true},
        {"log_amount", "deal size, per doubling", 1.07, 1.01, 1.13, true, false, false, 0, 0, 0,
         false},
    };
    fo.n = sizeof rows / sizeof rows[0];
    memcpy(fo.rows, rows, sizeof rows);
    fo.deals = 21093;
    fo.level = 0.97;
    fo.tested = 33;
    fo.within = true;
    fo.within_reps = 240;
    fo.title = "Same rep: deals that carried the rep across a tier floor went with 1.56 times the "
               "odds of a risky promise";
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_forest_script(f, &fo, "how-strong"));
    golden("how-strong-within", buf, len);
    /* the leading estimate above its row, the one across reps below; a row
     * without a within-rep estimate stays on its row (datablock's buffer is
     * static: one at a time) */
    const char *or = datablock(buf, "or");
    assert_non_null(or);
    static const char head[] = "3.17 1.08 0.99 1.18 6\n2.17 1.56 1.31 1.86 2\n1 1.07 1.01 1.13 2\n";
    assert_true(strncmp(or, head, sizeof head - 1) == 0);
    const char *across = datablock(buf, "across");
    assert_non_null(across);
    static const char ahead[] = "2.83 1.19 1.11 1.27 2\n1.83 2.02 1.71 2.39 2\n";
    assert_true(strncmp(across, ahead, sizeof ahead - 1) == 0);
    assert_non_null(strstr(buf, "'across 2.02 (1.71 to 2.39)'"));
    assert_non_null(strstr(buf, "title 'same rep (the verdict)'"));
    assert_non_null(strstr(buf, "title 'across reps'"));
    char *note = note_text(buf);
    assert_non_null(strstr(note, "Filled: each rep compared with themselves"));
    assert_non_null(strstr(note, "the 240 reps with both kinds of deals"));
    free(note);
    free(buf);
}

/* The push-out plot: the two groups with their intervals, the even pace,
 * the title the caller sets (the finding's). */
static void test_golden_push(void **state)
{
    (void)state;
    struct cs_plot_push p = {.share = {0.131, 0.262}, .low = {0.123, 0.21}, .high = {0.139, 0.314},
                             .n = {1143, 36}, .reps = 170, .even = 14.0 / 91.0, .clear = true,
                             .title = "After a quarter with nothing more to earn, reps close more "
                                      "of the next quarter's bookings in its first two weeks (26% "
                                      "against 13%)"};
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_push_script(f, &p, "push-out"));
    golden("push-out", buf, len);
    const char *s = datablock(buf, "s");
    assert_non_null(s);
    static const char head[] = "1 13.1 12.3 13.9 3\n2 26.2 21 31.4 2\n";
    assert_true(strncmp(s, head, sizeof head - 1) == 0);
    assert_non_null(strstr(buf, "'nothing more to earn (36 rep-quarters)' 2"));
    assert_non_null(strstr(buf, "'even pace: 15%'"));
    free(buf);
    /* not clear: grey */
    p.clear = false;
    CAPTURE(buf, len, cs_plot_push_script(f, &p, "push-out"));
    assert_non_null(strstr(datablock(buf, "s"), "2 26.2 21 31.4 6\n"));
    free(buf);
}

/* The text of `set label N '...'` in a script, '' undone; NULL when absent. */
static char *label_text(const char *script, int n)
{
    char head[32];
    snprintf(head, sizeof head, "set label %d '", n);
    const char *p = strstr(script, head);
    if (!p)
        return NULL;
    p += strlen(head);
    char *out = malloc(strlen(p) + 1), *o = out;
    assert_non_null(out);
    for (; *p; p++) {
        if (*p == '\'' && p[1] == '\'')
            *o++ = *p++;
        else if (*p == '\'')
            break;
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * A note wider than the image (a Firth fit and three terms left out: 233
 * characters) goes on two lines of even length, broken at a space, with
 * one more line of bottom margin; the words are all there, in order.
 */
static void test_note_wraps(void **state)
{
    (void)state;
    struct cs_plot_forest fo;
    memset(&fo, 0, sizeof fo);
    static const struct cs_plot_forest_row rows[] = {
        {"marginal_rate", "commission rate, per +1 percentage point", 1.06, 1.02, 1.1, true, false, false, 0, 0, 0, false},
    };
    fo.n = 1;
    memcpy(fo.rows, rows, sizeof rows);
    fo.deals = 1234567;
    fo.firth = true;
    fo.left_out = 3;
    fo.left_out_terms[0] = "spiff";
    fo.left_out_terms[1] = "type[expansion]";
    fo.left_out_terms[2] = "type[renewal]";
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_forest_script(f, &fo, "how-strong"));
    char *l1 = label_text(buf, 99), *l2 = label_text(buf, 98);
    assert_non_null(l1);
    assert_non_null(l2);
    assert_null(strstr(buf, "set label 97 "));
    assert_non_null(strstr(buf, "set bmargin 7\n"));
    assert_non_null(strstr(buf, "' at screen 0.01, screen 0.051 left"));   /* the first line above */
    size_t n1 = code_points(l1), n2 = code_points(l2);
    assert_true(n1 <= 160 && n2 <= 160);
    assert_true(n1 > n2 ? n1 - n2 < 30 : n2 - n1 < 30);   /* even, not a line and a word */
    char whole[512];
    snprintf(whole, sizeof whole, "%s %s", l1, l2);
    assert_string_equal(whole,
                        "Logistic model over 1,234,567 deals, rep-clustered intervals (Firth fit: "
                        "the data separate). Orange: clear effect; grey: no clear effect. "
                        "Associations, not proof of cause. "
                        "Not shown (no variation or no interval): spiff, type[expansion], "
                        "type[renewal].");
    free(l1);
    free(l2);
    free(buf);

    /* a note that fits stays one line, with the plot's own margin */
    fo.firth = false;
    fo.left_out = 0;
    CAPTURE(buf, len, cs_plot_forest_script(f, &fo, "how-strong"));
    assert_null(strstr(buf, "set label 98 "));
    assert_non_null(strstr(buf, "' at screen 0.01, screen 0.025 left"));
    assert_non_null(strstr(buf, "set bmargin 6\n"));
    free(buf);
}

/* s without its spaces, into out (at least strlen(s) + 1 bytes). */
static void without_spaces(const char *s, char *out)
{
    for (; *s; s++)
        if (*s != ' ')
            *out++ = *s;
    *out = '\0';
}

/*
 * Notes of any text: 300 forest notes whose dropped-term list is random
 * words of one- to four-byte UTF-8 characters, some longer than a line
 * with no space to break at (at most 340 bytes of them, so that the plot's
 * 768-byte note is never cut inside a character).  Every line holds at most 160 characters,
 * none starts inside a character, there are at most four, the margin
 * grows with them, and (up to the breaks' spaces) the lines are the note.
 */
static void test_note_wraps_any_text(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "b", "Z", "7", "[", "\xc3\xa9", "\xc2\xb1",
                                         "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    static char words[CS_REGRESS_MAX_TERMS][1024];
    uint64_t seed = 12345;
    int four = 0, hard = 0;   /* rounds cut after four lines; lines broken inside a word */
    for (int round = 0; round < 300; round++) {
        struct cs_plot_forest fo;
        memset(&fo, 0, sizeof fo);
        fo.n = 0;
        fo.deals = 42;
        fo.left_out = 1 + round % CS_REGRESS_MAX_TERMS;
        size_t budget = 340;   /* bytes of words: the note stays under its 512 */
        for (size_t t = 0; t < fo.left_out; t++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t chars = (seed >> 33) % 13 == 0 ? 150 + (seed >> 20) % 60 : 1 + (seed >> 40) % 12;
            char *w = words[t];
            size_t at = 0;
            for (size_t c = 0; c < chars && at + 5 < sizeof words[t]; c++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                const char *p = pieces[(seed >> 35) % (sizeof pieces / sizeof *pieces)];
                if (strlen(p) + 2 > budget)
                    break;
                memcpy(w + at, p, strlen(p));
                at += strlen(p);
                budget -= strlen(p);
            }
            w[at] = '\0';
            budget = budget > 2 ? budget - 2 : 0;   /* ", " */
            fo.left_out_terms[t] = w;
        }
        /* the note as the plot builds it */
        char note[768];
        int len = snprintf(note, sizeof note,
                           "Logistic model over 42 deals, rep-clustered intervals. Orange: clear "
                           "effect; grey: no clear effect. Associations, not proof of cause.");
        for (size_t i = 0; i < fo.left_out && len > 0 && (size_t)len < sizeof note; i++)
            len += snprintf(note + len, sizeof note - (size_t)len, "%s%s",
                            i ? ", " : " Not shown (no variation or no interval): ", fo.left_out_terms[i]);
        if (len > 0 && (size_t)len + 1 < sizeof note)
            memcpy(note + len, ".", 2);

        char *buf = NULL;
        size_t blen = 0;
        CAPTURE(buf, blen, cs_plot_forest_script(f, &fo, "how-strong"));
        char joined[2048] = "";
        int lines = 0;
        for (int n = 99; n >= 96; n--) {
            char *l = label_text(buf, n);
            if (!l)
                break;
            lines++;
            if (code_points(l) > 160)
                fail_msg("round %d: line %d has %zu characters", round, lines, code_points(l));
            if (((unsigned char)l[0] & 0xC0) == 0x80)
                fail_msg("round %d: line %d starts inside a character", round, lines);
            hard += code_points(l) >= 40 && !strchr(l, ' ');   /* a long word cut */
            strncat(joined, l, sizeof joined - strlen(joined) - 1);
            free(l);
        }
        assert_true(lines >= 1);
        assert_null(strstr(buf, "set label 95 "));
        char margin[32];
        snprintf(margin, sizeof margin, "set bmargin %d\n", 6 + lines - 1);
        assert_non_null(strstr(buf, margin));
        char a[2048], b[2048];
        without_spaces(joined, a);
        without_spaces(note, b);
        four += lines == 4;
        if (lines < 4)
            assert_string_equal(a, b);
        else   /* cut after four lines: what is there is the note's start */
            if (strncmp(a, b, strlen(a)) != 0)
                fail_msg("round %d:\n%s\n%s", round, a, b);
        free(buf);
    }
    assert_true(four > 0);
    assert_true(hard > 0);
}

/* A slot of a rates fixture: a point when n >= min_n. */
static void fixture_slot(struct cs_plot_rates *r, const char *label, size_t k, size_t n)
{
    size_t pos = r->n_axis++;
    snprintf(r->axis[pos], sizeof r->axis[pos], "%s", label);
    r->axis_n[pos] = n;
    r->k_total += k;
    r->n_total += n;
    if (n < r->min_n) {
        r->omitted += n;
        return;
    }
    struct cs_plot_cat *c = &r->cat[r->n_cats++];
    snprintf(c->label, sizeof c->label, "%s", label);
    c->k = k;
    c->n = n;
    c->pos = pos;
    assert_int_equal(cs_wilson(k, n, &c->w, NULL), CS_OK);
}

/* Per tier (by_plan): two plans, the second with a rate of 4 deals;
 * collateral: seven bins, two of them empty and one of 2 assets. */
static void rates_fixture(struct cs_plot_rates *r, bool by_plan)
{
    memset(r, 0, sizeof *r);
    if (by_plan) {
        r->min_n = 10;
        r->group[0] = (struct cs_plot_group){.name = "SMB-Q", .first = 0, .last = 1};
        fixture_slot(r, "6%", 40, 200);
        fixture_slot(r, "9%", 30, 120);
        r->gap[r->n_axis++] = true;
        r->group[1] = (struct cs_plot_group){.name = "Mid'Market `touch " PWNED "`", .first = 3,
                                             .last = 5};
        fixture_slot(r, "8%", 25, 60);
        fixture_slot(r, "12%", 9, 15);
        fixture_slot(r, "15%", 1, 4);
        r->n_groups = 2;
        r->group[0].k = 70;
        r->group[0].n = 320;
        r->group[1].k = 35;
        r->group[1].n = 79;
        return;
    }
    r->min_n = 3;
    static const struct { const char *label; size_t k, n; } bins[] = {
        {"below 0 (ahead)", 2, 40}, {"0-10%", 0, 0}, {"10-20%", 9, 30}, {"20-30%", 1, 2},
        {"30-40%", 6, 12}, {"40-50%", 0, 0}, {"50% or more", 3, 5}};
    for (size_t b = 0; b < sizeof bins / sizeof bins[0]; b++)
        fixture_slot(r, bins[b].label, bins[b].k, bins[b].n);
}

static void test_golden_rates(void **state)
{
    (void)state;
    struct cs_plot_rates r;
    char *buf = NULL;
    size_t len = 0;
    rates_fixture(&r, true);
    CAPTURE(buf, len, cs_plot_tier_script(f, &r, "per-tier"));
    golden("per-tier", buf, len);
    free(buf);
    rates_fixture(&r, false);
    CAPTURE(buf, len, cs_plot_collateral_script(f, &r, "collateral"));
    golden("collateral", buf, len);
    free(buf);
}

/*
 * Rates (issue 19): every bin shows its n, an empty one n = 0 (collateral
 * and per tier alike); per tier is drawn plan by plan: each plan's name
 * over its own panel and its own share dashed, never the plans' rates
 * mixed on one axis.
 */
static void test_rates_counts_and_panels(void **state)
{
    (void)state;
    struct cs_plot_rates r;
    char *buf = NULL;
    size_t len = 0;
    rates_fixture(&r, false);
    CAPTURE(buf, len, cs_plot_collateral_script(f, &r, "collateral"));
    const char *few = datablock(buf, "few");
    assert_non_null(few);
    assert_string_equal(few, "1 0\n3 2\n5 0\n");
    assert_non_null(strstr(buf, "$few using 1:(0):(sprintf('n = %d', $2)) with labels"));
    assert_non_null(strstr(buf, "$rates using 1:4:(sprintf('n = %s', strcol(6))) with labels"));
    char *note = note_text(buf);
    assert_non_null(strstr(note, "n: assets in the category (fewer than 3: no point)."));
    free(note);
    free(buf);

    rates_fixture(&r, true);
    CAPTURE(buf, len, cs_plot_tier_script(f, &r, "per-tier"));
    assert_non_null(strstr(buf, "set label 10 'SMB-Q' at first 0.5, graph 0.97 center"));
    assert_non_null(strstr(buf, "set label 11 'Mid''Market `touch " PWNED "`' at first 4, graph 0.97"));
    /* each plan's own share, over its own slots only */
    assert_non_null(strstr(buf, "set arrow 10 from first -0.4, first 21.875 to first 1.4, first 21.875"));
    assert_non_null(strstr(buf, "set arrow 11 from first 2.6, first 44.3038 to first 5.4, first 44.3038"));
    assert_null(strstr(buf, "from graph 0, first"));    /* no line over all plans */
    assert_string_equal(datablock(buf, "few"), "5 4\n");
    free(buf);
}

static void test_golden_whatif(void **state)
{
    (void)state;
    static const struct cs_plot_whatif_alt alt[] = {
        {"halve each accelerator step", 212.4, 198.0, 226.1, true},
        {"linear ramp instead of steps", 220.9, 205.3, 236.0, false},
        {"cap at the top floor (Rep's `plan`)", 238.0, NAN, NAN, false},
    };
    struct cs_plot_whatif w = {
        .title = "Halving the accelerator step cuts risky deals the most",
        .axis = "expected deals with a risky promise in the period",
        .base_label = NULL,
        .base = 241.5,
        .n_alt = 3,
        .alt = alt,
    };
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_whatif_script(f, &w, "whatif"));
    golden("whatif", buf, len);
    free(buf);
}

/* The value of `set xrange [LOW:` in a script (NAN when absent). */
static double xrange_low(const char *script)
{
    const char *p = strstr(script, "set xrange [");
    return p ? atof(p + strlen("set xrange [")) : NAN;
}

/*
 * What-if and options (issue 19): points with intervals around the
 * current plan, never bars from 0.  62.0 against 61.9 must be visible: the
 * axis spans the values, and the numbers are printed at a precision that
 * tells them apart.  A money axis names its currency.
 */
static void test_whatif_points_around_base(void **state)
{
    (void)state;
    static const struct cs_plot_whatif_alt alt[] = {
        {"1. ENT-Y cap at 130%", 60.61, 57.4, 64.8, false},
        {"2. MM-Q no step at 100%", 61.9, 61.5, 62.3, false},
        {"3. SMB-Q halve step", 59.2, 58.1, 60.4, true},
    };
    struct cs_plot_whatif w = {.title = "t", .axis = "expected risky deals, 2026Q4",
                               .base_label = "current plans", .base = 62.0, .n_alt = 3,
                               .alt = alt};
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_whatif_script(f, &w, "options-risky"));
    assert_null(strstr(buf, "boxxyerror"));
    assert_null(strstr(buf, "with boxes"));
    assert_non_null(strstr(buf, "with xerrorbars"));
    double x0 = xrange_low(buf);
    assert_true(x0 > 50 && x0 < 57.4);          /* not from 0, but the whole interval in */
    /* the current plan's reference line, and the two values told apart */
    assert_non_null(strstr(buf, "set arrow 1 from first 62, graph 0 to first 62, graph 1"));
    assert_non_null(strstr(buf, "'62.0'"));
    assert_non_null(strstr(buf, "'61.9 (61.5 to 62.3)'"));
    /* green only where the interval excludes the current value, grey elsewhere */
    assert_non_null(strstr(buf, "\n2 61.9 61.5 62.3 6\n"));
    assert_non_null(strstr(buf, "\n1 59.2 58.1 60.4 5\n"));
    assert_null(strstr(buf, "(thousands"));
    free(buf);

    /* the title counts only the options whose verdict is clear */
    static const struct cs_plot_whatif_words words = {"Risky deals", "give", "fewer", "more"};
    char title[256];
    cs_plot_whatif_title(title, sizeof title, &w, 3, &words);
    assert_string_equal(title, "Risky deals: 1 of 3 options give clearly fewer than the current plans");
    cs_plot_whatif_title(title, sizeof title, &w, 12, &words);
    assert_string_equal(title, "Risky deals: 1 of the 3 options shown give clearly fewer than the "
                               "current plans");
    struct cs_plot_whatif none = w;
    none.n_alt = 2;              /* two options, neither clear: no claim */
    cs_plot_whatif_title(title, sizeof title, &none, 2, &words);
    assert_string_equal(title, "Risky deals: no option makes a clear change from the current plans");
    none.n_alt = 1;
    cs_plot_whatif_title(title, sizeof title, &none, 1, &words);
    assert_string_equal(title, "Risky deals: no clear change under the 1. ENT-Y cap at 130%");
    none.thin = true;
    none.n_alt = 3;
    cs_plot_whatif_title(title, sizeof title, &none, 3, &words);
    assert_string_equal(title, "Risky deals: too little data to tell what any option would change");
    CAPTURE(buf, len, cs_plot_whatif_script(f, &none, "options-risky"));
    assert_null(strstr(buf, "Green:"));
    assert_non_null(strstr(buf, "\n1 59.2 58.1 60.4 6\n"));     /* grey, clear or not */
    free(buf);

    /* money: the currency on the axis */
    static const struct cs_plot_whatif_alt money[] = {
        {"1. ENT-Y cap at 130%", 261600, 171000, 326300, false}};
    struct cs_plot_whatif m = {.title = "t", .axis = "commission on the won deals, 2026Q4",
                               .currency = "USD", .base = 326300, .n_alt = 1, .alt = money};
    CAPTURE(buf, len, cs_plot_whatif_script(f, &m, "options-commission"));
    assert_non_null(strstr(buf, "set xlabel 'commission on the won deals, 2026Q4 (thousands of USD)'"));
    assert_non_null(strstr(buf, "'262 (171 to 326)'"));
    assert_true(xrange_low(buf) > 100);
    free(buf);
    m.base = 1200;
    {
        /* thousands separators on a count axis */
        static const struct cs_plot_whatif_alt many[] = {{"x", 13973, 13933, 14002, true}};
        struct cs_plot_whatif c = {.title = "t", .axis = "risky deals", .base = 14282,
                                   .n_alt = 1, .alt = many};
        CAPTURE(buf, len, cs_plot_whatif_script(f, &c, "options-risky"));
        assert_non_null(strstr(buf, "'14,282'"));
        assert_non_null(strstr(buf, "'13,973 (13,933 to 14,002)'"));
        free(buf);
    }
    {
        static const struct cs_plot_whatif_alt small[] = {{"x", 1100, 1000, 1190, true}};
        m.alt = small;
        CAPTURE(buf, len, cs_plot_whatif_script(f, &m, "options-commission"));
        assert_non_null(strstr(buf, "2026Q4 (USD)' noenhanced"));
        free(buf);
    }
}

static void test_golden_trend(void **state)
{
    (void)state;
    struct cs_plot_trend_q q[4];
    memset(q, 0, sizeof q);
    static const int32_t codes[4] = {20254, 20261, 20262, 20263};
    static const size_t won[4] = {300, 280, 120, 310}, risky[4] = {60, 70, 20, 90};
    for (size_t j = 0; j < 4; j++) {
        q[j].quarter = codes[j];
        q[j].won = won[j];
        q[j].risky = risky[j];
        assert_int_equal(cs_wilson(risky[j], won[j], &q[j].w, NULL), CS_OK);
        q[j].bookings = 1e6;
        q[j].last14_bookings = 1e5 * (double)(j + 2);
        q[j].last14_share = q[j].last14_bookings / q[j].bookings;
        q[j].thin = j == 2;
    }
    struct cs_plot_trend t = {.n = 4, .q = q, .risk = true, .annual = true};
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_trend_script(f, &t, "trend"));
    golden("trend", buf, len);
    free(buf);

    /* issue 19: every quarter shows its n, a quarter without won deals n = 0 */
    q[2].won = q[2].risky = 0;
    assert_int_equal(cs_wilson(0, 0, &q[2].w, NULL), CS_OK);
    q[2].bookings = q[2].last14_bookings = 0;
    q[2].last14_share = NAN;
    CAPTURE(buf, len, cs_plot_trend_script(f, &t, "trend"));
    assert_non_null(strstr(buf, "set x2tics ('n = 300' 0, 'n = 280' 1, 'n = 0' 2, 'n = 310' 3)"));
    assert_non_null(strstr(buf, "\n2 NaN NaN NaN NaN 0\n"));
    free(buf);
}

/* ======================================================================
 * Aggregation on the sample data
 * ==================================================================== */

struct world {
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_selection sel;
    struct cs_analysis *an;
    struct cs_measured m;     /* the above, sel included */
};

static void world_load(struct world *w, const char *dir, const char *period)
{
    struct cs_error err;
    memset(w, 0, sizeof *w);
    assert_int_equal(cs_calendar_init(&w->cal, 1, &err), CS_OK);
    struct cs_load_options lo = {.dir = dir};
    if (cs_dataset_load(&lo, &w->ds, &err) != CS_OK)
        fail_msg("load %s: %s", dir, err.msg);
    assert_int_equal(cs_incentives_compute(w->ds, &w->ds->plans, &w->cal, &w->inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(w->ds, &w->cal, &w->oc, &err), CS_OK);
    assert_int_equal(cs_select_period(period, w->ds, &w->cal, &w->sel, &err), CS_OK);
    w->m = (struct cs_measured){.ds = w->ds, .cal = &w->cal, .inc = w->inc, .oc = w->oc, .sel = &w->sel};
    assert_int_equal(cs_analysis_run(&w->m, 7, &w->an, &err), CS_OK);
}

static void world_free(struct world *w)
{
    cs_analysis_free(w->an);
    cs_outcomes_free(w->oc);
    cs_incentives_free(w->inc);
    cs_dataset_free(w->ds);
}

static void test_aggregate_sample(void **state)
{
    (void)state;
    struct world w;
    struct cs_error err;
    world_load(&w, SAMPLE_DIR, "all");

    /* where: every selected won deal in exactly one cell */
    struct cs_plot_where *wh = malloc(sizeof *wh);
    assert_non_null(wh);
    for (int coarse = 0; coarse <= 1; coarse++) {
        cs_plot_where_aggregate(&w.m, coarse, wh);
        assert_int_equal(wh->n_deals, w.an->won_selected);
        assert_int_equal(wh->n_risky, w.an->risky_selected);
        size_t sum = 0, shown = 0;
        for (size_t r = 0; r < wh->rows; r++)
            for (size_t c = 0; c < wh->cols; c++) {
                sum += wh->deals[r][c];
                shown += wh->deals[r][c] >= wh->min_cell;
                assert_true(wh->risky[r][c] <= wh->deals[r][c]);
            }
        assert_int_equal(sum, wh->n_deals);
        assert_int_equal(shown, wh->cells_shown);
    }
    /* the sample plans' floors within 0..150%: 1.0, 1.3, 1.5 */
    assert_int_equal(wh->n_floors, 3);
    assert_true(wh->floors[0] == 1.0 && wh->floors[1] == 1.3 && wh->floors[2] == 1.5);
    free(wh);

    /* when: bookings inside the 92 days plus those beyond = all selected */
    struct cs_plot_when wn;
    cs_plot_when_aggregate(&w.m, w.an, &wn);
    assert_int_equal(wn.n_deals + wn.beyond_deals, w.an->won_selected);
    double total = 0, days = 0;
    for (size_t i = 0; i < w.ds->deals.n; i++)
        if (w.inc->won[i])
            total += w.ds->deals.amount[i];
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++)
        days += wn.bookings[d];
    assert_true(fabs(days + wn.beyond_bookings - total) <= 1e-6 * total);
    assert_true(fabs(days - wn.total) <= 1e-6 * total);
    assert_true(wn.risk && wn.pooled);

    /* per tier: every selected won deal counted once */
    struct cs_plot_rates r;
    assert_int_equal(cs_plot_tier_aggregate(&w.m, &r, &err), CS_OK);
    assert_int_equal(r.n_total, w.an->won_selected);
    assert_int_equal(r.k_total, w.an->risky_selected);
    size_t n = r.omitted;
    for (size_t i = 0; i < r.n_cats; i++) {
        n += r.cat[i].n;
        assert_true(r.cat[i].n >= r.min_n);
        assert_int_equal(r.cat[i].n, r.axis_n[r.cat[i].pos]);
        if (i)
            assert_true(r.cat[i].pos > r.cat[i - 1].pos);
    }
    assert_int_equal(n, r.n_total);

    /* collateral: the collateral model's rows */
    assert_int_equal(cs_plot_collateral_aggregate(&w.m, &r, &err), CS_OK);
    const struct cs_regress_fit *cf = w.an->model[CS_MODEL_COLLATERAL].fit;
    assert_non_null(cf);
    assert_int_equal(r.n_total, cf->n);
    assert_int_equal(r.n_axis, CS_PLOT_COLLATERAL_BINS);

    /* trend: the analysis' quarters, and last-14 shares in [0, 1] */
    struct cs_plot_trend t;
    assert_int_equal(cs_plot_trend_aggregate(&w.m, w.an, &t, &err), CS_OK);
    assert_int_equal(t.n, w.an->n_quarters);
    double booked = 0;
    for (size_t j = 0; j < t.n; j++) {
        assert_int_equal(t.q[j].won, w.an->quarters[j].won);
        assert_true(t.q[j].last14_share >= 0 && t.q[j].last14_share <= 1);
        booked += t.q[j].bookings;
    }
    assert_true(fabs(booked - total) <= 1e-6 * total);
    assert_true(t.annual);     /* ENT-Y */
    cs_plot_trend_free(&t);
    cs_plot_trend_free(NULL);

    /* forest: every term but the intercept, marginal_rate per point; each
     * row leads with the estimate that gives the verdict (within the same
     * rep on the sample) and has the across-rep one beside it */
    struct cs_plot_forest fo;
    assert_true(cs_plot_forest_aggregate(w.an, &fo));
    const struct cs_regress_fit *pf = w.an->model[CS_MODEL_PROMISE_RISK].fit;
    assert_int_equal(fo.n + fo.left_out, pf->k - 1 + pf->n_dropped);
    assert_true(fo.within);
    for (size_t i = 0; i < fo.n; i++) {
        assert_true(fo.rows[i].low <= fo.rows[i].odds_ratio && fo.rows[i].odds_ratio <= fo.rows[i].high);
        const struct cs_finding *lead = cs_findings_lead(w.an->findings, CS_MODEL_PROMISE_RISK,
                                                         fo.rows[i].term);
        assert_non_null(lead);
        assert_int_equal(fo.rows[i].within, cs_model_is_within(lead->model));
        assert_int_equal(fo.rows[i].clear, lead->verdict == CS_VERDICT_CLEAR);
        if (strcmp(fo.rows[i].term, "marginal_rate") == 0) {
            assert_true(fabs(fo.rows[i].odds_ratio - exp(0.01 * lead->estimate)) < 1e-12);
            for (size_t j = 0; j < pf->k; j++)
                if (strcmp(pf->terms[j].name, "marginal_rate") == 0)
                    assert_true(fabs(fo.rows[i].beside_or - exp(0.01 * pf->terms[j].estimate)) < 1e-12);
        }
    }
    world_free(&w);
}

/* Per tier on the sample: ENT-Y and SMB-Q both pay 6% in their first
 * tier; each keeps its own slot in its own plan's panel. */
static void test_tier_by_plan_sample(void **state)
{
    (void)state;
    struct world *w = malloc(sizeof *w);
    assert_non_null(w);
    struct cs_error err;
    world_load(w, SAMPLE_DIR, NULL);
    struct cs_plot_rates r;
    assert_int_equal(cs_plot_tier_aggregate(&w->m, &r, &err), CS_OK);
    assert_int_equal(r.n_groups, 3);
    size_t six = 0, n = 0;
    for (size_t i = 0; i < r.n_axis; i++) {
        six += strcmp(r.axis[i], "6%") == 0;
        n += r.gap[i] ? 0 : r.axis_n[i];
    }
    assert_int_equal(six, 2);
    assert_int_equal(n, r.n_total);
    assert_int_equal(r.n_total, w->an->won_selected);
    for (size_t g = 0; g < r.n_groups; g++) {
        const struct cs_plot_group *gr = &r.group[g];
        size_t gn = 0;
        for (size_t pos = gr->first; pos <= gr->last; pos++) {
            assert_false(r.gap[pos]);
            gn += r.axis_n[pos];
        }
        assert_int_equal(gn, gr->n);
        if (g + 1 < r.n_groups)
            assert_true(r.gap[gr->last + 1]);
    }
    /* the plans' rates in tier order: SMB-Q pays 6%, 9%, then 0% above 200% */
    size_t smb = 0;
    while (smb < r.n_groups && strcmp(r.group[smb].name, "SMB-Q") != 0)
        smb++;
    assert_true(smb < r.n_groups);
    assert_string_equal(r.axis[r.group[smb].first], "6%");
    world_free(w);
    free(w);
}

/* ======================================================================
 * Running gnuplot
 * ==================================================================== */

static void test_run_renders(void **state)
{
    (void)state;
    if (!cs_plot_gnuplot_available(NULL, 0)) {
        print_message("gnuplot not found: skipped (install gnuplot-nox to run it)\n");
        skip();
    }
    char *dir = make_tmpdir();
    struct cs_plot_where w;
    where_fixture(&w, false);
    char *buf = NULL;
    size_t len = 0;
    CAPTURE(buf, len, cs_plot_where_script(f, &w, "where"));
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_plot_run(dir, "where", buf, len, &err);
    if (st != CS_OK)
        fail_msg("cs_plot_run: %s", err.msg);
    char path[512];
    snprintf(path, sizeof path, "%s/where.png", dir);
    assert_png(path);
    snprintf(path, sizeof path, "%s/where.svg", dir);
    assert_svg(path);
    snprintf(path, sizeof path, "%s/where.gp", dir);
    size_t glen = 0;
    char *gp = slurp(path, &glen);
    assert_non_null(gp);
    assert_int_equal(glen, len);
    assert_memory_equal(gp, buf, len);
    assert_int_equal(hidden_entries(dir), 0);
    free(gp);
    free(buf);
    rm_rf(dir);
    free(dir);
}

static void test_run_gnuplot_error(void **state)
{
    (void)state;
    if (!cs_plot_gnuplot_available(NULL, 0)) {
        print_message("gnuplot not found: skipped (install gnuplot-nox to run it)\n");
        skip();
    }
    char *dir = make_tmpdir();
    /* draws a PNG first, then fails: nothing may be left but the script */
    static const char script[] =
        "set terminal pngcairo\nset output 'bad.png'\nplot x\n"
        "set xrange [0:1] nonsense\nset output 'bad.svg'\nplot x\n";
    struct cs_error err;
    cs_error_clear(&err);
    assert_int_equal(cs_plot_run(dir, "bad", script, sizeof script - 1, &err), CS_ERR_OUTPUT);
    assert_int_equal(err.status, CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "gnuplot failed"));
    assert_non_null(strstr(err.msg, "unrecognized option"));
    assert_non_null(strstr(err.file, "bad.gp"));
    char path[512];
    snprintf(path, sizeof path, "%s/bad.png", dir);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/bad.svg", dir);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/bad.gp", dir);
    assert_true(exists(path));
    assert_int_equal(hidden_entries(dir), 0);

    /* a script that succeeds but draws no SVG is an error too */
    static const char nosvg[] = "set terminal pngcairo\nset output 'half.png'\nplot x\n";
    assert_int_equal(cs_plot_run(dir, "half", nosvg, sizeof nosvg - 1, &err), CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "no half.png or half.svg"));
    snprintf(path, sizeof path, "%s/half.png", dir);
    assert_false(exists(path));

    /* a long script into a gnuplot that quits at once: EPIPE, not SIGPIPE */
    size_t big = 1u << 20;
    char *s = malloc(big + 64);
    assert_non_null(s);
    strcpy(s, "exit status 3\n");
    memset(s + strlen(s), '#', big);
    s[big] = '\n';
    assert_int_equal(cs_plot_run(dir, "quits", s, big + 1, &err), CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "exit 3"));
    free(s);

    /* names are chosen by compsight: anything else is refused */
    assert_int_equal(cs_plot_run(dir, "../x", "", 0, &err), CS_ERR_USAGE);
    assert_int_equal(cs_plot_run(dir, "a b", "", 0, &err), CS_ERR_USAGE);
    assert_int_equal(cs_plot_run(dir, "", "", 0, &err), CS_ERR_USAGE);
    rm_rf(dir);
    free(dir);
}

/* With gnuplot off the PATH: scripts are written, no image, a flag. */
static void test_gnuplot_missing(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *empty = make_tmpdir();
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", empty, 1);

    char version[64] = "x";
    assert_false(cs_plot_gnuplot_available(version, sizeof version));
    assert_string_equal(version, "");

    struct cs_error err;
    assert_int_equal(cs_plot_run(dir, "x", "plot x\n", 7, &err), CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "gnuplot not found"));

    struct world w;
    if (saved)
        setenv("PATH", saved, 1);
    world_load(&w, SAMPLE_DIR, NULL);
    setenv("PATH", empty, 1);
    /* images of an earlier run must not stay next to the new scripts */
    char stale[512];
    snprintf(stale, sizeof stale, "%s/plots", dir);
    assert_int_equal(mkdir(stale, 0777), 0);
    snprintf(stale, sizeof stale, "%s/plots/where.png", dir);
    FILE *sf = fopen(stale, "w");
    assert_non_null(sf);
    fclose(sf);
    struct cs_plot_list l;
    cs_error_clear(&err);
    assert_int_equal(cs_plots_write(dir, &w.m, w.an, false, &l, &err), CS_OK);
    assert_true(l.gnuplot_missing);
    assert_int_equal(l.failed, 0);
    size_t scripts = 0;
    for (size_t i = 0; i < l.n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/plots/%s.gp", dir, l.items[i].name);
        assert_int_equal(exists(path), l.items[i].script);
        scripts += l.items[i].script;
        assert_false(l.items[i].rendered);
        snprintf(path, sizeof path, "%s/plots/%s.png", dir, l.items[i].name);
        assert_false(exists(path));
    }
    assert_true(scripts >= 5);
    assert_false(exists(stale));
    cs_plot_list_free(&l);
    cs_plot_list_free(NULL);
    world_free(&w);

    if (saved)
        setenv("PATH", saved, 1);
    else
        unsetenv("PATH");
    free(saved);
    rm_rf(dir);
    rm_rf(empty);
    free(dir);
    free(empty);
}

/* The whole pipeline on the sample data: every plot that is built renders. */
static void check_list(const char *dir, const struct cs_plot_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct cs_plot_item *it = &l->items[i];
        char png[512], svg[512], gp[512];
        snprintf(png, sizeof png, "%s/plots/%s.png", dir, it->name);
        snprintf(svg, sizeof svg, "%s/plots/%s.svg", dir, it->name);
        snprintf(gp, sizeof gp, "%s/plots/%s.gp", dir, it->name);
        assert_non_null(it->title);
        assert_non_null(it->kind);
        /* plain one-line texts for the report (it escapes them for Markdown/HTML) */
        for (const unsigned char *p = (const unsigned char *)it->title; *p; p++)
            assert_true(*p >= 0x20 && *p != 0x7f);
        for (const unsigned char *p = (const unsigned char *)(it->caption ? it->caption : ""); *p; p++)
            assert_true(*p >= 0x20 && *p != 0x7f);
        if (it->skipped) {
            assert_false(it->script);
            assert_false(exists(png) || exists(svg) || exists(gp));
            continue;
        }
        assert_non_null(it->caption);
        assert_true(it->script && exists(gp));
        if (!l->gnuplot_missing) {
            if (!it->rendered)
                fail_msg("%s not rendered: %s", it->name, it->error ? it->error : "?");
            assert_png(png);
            assert_svg(svg);
        }
    }
    char plots[512];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    assert_int_equal(hidden_entries(plots), 0);
}

static void test_plots_write_sample(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct world w;
    struct cs_error err;
    struct cs_plot_list l;
    world_load(&w, SAMPLE_DIR, "all");
    cs_error_clear(&err);
    enum cs_status st = cs_plots_write(dir, &w.m, w.an, true, &l, &err);
    if (st != CS_OK)
        fail_msg("cs_plots_write: %s", err.msg);
    static const char *const order[] = {"where", "when", "push-out", "threshold-1"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(l.items[i].name, order[i]);
    assert_string_equal(l.items[l.n - 1].name, "trend");
    assert_string_equal(l.items[l.n - 1].kind, "trend");
    size_t thresholds = 0;
    for (size_t i = 0; i < l.n; i++)
        thresholds += strcmp(l.items[i].kind, "threshold") == 0;
    size_t floors = 0;
    for (size_t b = 0; b < w.an->n_bunch; b++)
        floors += !w.an->bunch[b].placebo;
    assert_int_equal(thresholds, floors);
    /* both estimates in the forest plot: its text says which marker is which */
    bool forest = false;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.items[i].name, "how-strong") == 0) {
            forest = true;
            assert_non_null(l.items[i].caption);
            assert_non_null(strstr(l.items[i].caption, "filled: each rep compared with themselves "
                                                       "(26 reps with both kinds of deals)"));
            assert_non_null(strstr(l.items[i].caption, "open, below it: across reps (2,153 deals)"));
        }
    assert_true(forest);
    check_list(dir, &l);
    cs_plot_list_free(&l);

    /* a second run leaves no stale image of an earlier run with more plan
     * floors, nor a trend without --period all */
    char stale[512];
    for (size_t k = floors + 1; k <= floors + 2; k++) {
        snprintf(stale, sizeof stale, "%s/plots/threshold-%zu.%s", dir, k, k == floors + 1 ? "gp" : "png");
        FILE *f = fopen(stale, "w");
        assert_non_null(f);
        fclose(f);
    }
    st = cs_plots_write(dir, &w.m, w.an, false, &l, &err);
    assert_int_equal(st, CS_OK);
    check_list(dir, &l);
    for (size_t k = floors + 1; k <= floors + 2; k++) {
        snprintf(stale, sizeof stale, "%s/plots/threshold-%zu.%s", dir, k, k == floors + 1 ? "gp" : "png");
        assert_false(exists(stale));
    }
    snprintf(stale, sizeof stale, "%s/plots/trend.png", dir);
    assert_false(exists(stale));
    cs_plot_list_free(&l);
    world_free(&w);
    rm_rf(dir);
    free(dir);
}

/* ----------------------------------------------------------------------
 * Titles state the verdict (issue 19)
 * -------------------------------------------------------------------- */

/* The k-th bunching estimate of an that is not a placebo. */
static const struct cs_bunch_result *nth_floor(const struct cs_analysis *an, size_t k)
{
    for (size_t i = 0, seen = 0; i < an->n_bunch; i++)
        if (!an->bunch[i].placebo && seen++ == k)
            return &an->bunch[i];
    return NULL;
}

/*
 * Every plot's title is its finding's verdict in the report's words
 * (wording.c), so that a title never claims what the verdict does not;
 * a model that fails the data rule has no forest plot, and the reason
 * says what it would need.  Returns how many titles were checked.
 */
static size_t check_titles(const struct world *w, const struct cs_plot_list *l)
{
    const struct cs_analysis *an = w->an;
    const struct cs_findings *fs = an->findings;
    assert_non_null(fs);
    char want[512];
    size_t checked = 0, floor = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct cs_plot_item *it = &l->items[i];
        const struct cs_finding *f = NULL;
        /* a term's title is its verdict: the within-rep estimate's when it leads */
        if (strcmp(it->kind, "where") == 0)
            f = cs_findings_lead(fs, CS_MODEL_PROMISE_RISK, "last_14_days");
        else if (strcmp(it->kind, "when") == 0)
            f = cs_findings_timing(fs);
        else if (strcmp(it->kind, "per-tier") == 0)
            f = cs_findings_lead(fs, CS_MODEL_PROMISE_RISK, "marginal_rate");
        else if (strcmp(it->kind, "push-out") == 0) {
            cs_words_push_title(want, sizeof want, an);
            assert_string_equal(it->title, want);
            checked++;
            continue;
        }
        else if (strcmp(it->kind, "collateral") == 0)
            f = cs_findings_term(fs, CS_MODEL_COLLATERAL, "target_gap");
        else if (strcmp(it->kind, "threshold") == 0) {
            const struct cs_bunch_result *b = nth_floor(an, floor++);
            assert_non_null(b);
            if (b->est.verdict == CS_BUNCH_OK)
                f = cs_findings_bunching(fs, b->plan, b->floor, false);
        }
        /* the plots of a model that fails the data rule are not drawn */
        enum cs_model_id m = strcmp(it->kind, "collateral") == 0 ? CS_MODEL_COLLATERAL
                                                                  : CS_MODEL_PROMISE_RISK;
        const struct cs_model_rule *rule = cs_findings_model(fs, m);
        if ((strcmp(it->kind, "how-strong") == 0 || strcmp(it->kind, "per-tier") == 0 ||
             strcmp(it->kind, "collateral") == 0) && rule->fitted && !rule->rule.readable) {
            assert_non_null(it->skipped);
            assert_non_null(strstr(it->skipped, "reading it needs at least"));
        }
        if (strcmp(it->kind, "how-strong") == 0) {
            cs_words_model_title(want, sizeof want, an, CS_MODEL_PROMISE_RISK);
            assert_true(strncmp(it->title, want, strlen(want)) == 0);
            /* the headline's "(k of m elements clear)", when there is one */
            assert_true(it->title[strlen(want)] == '\0' || strstr(it->title, " elements clear)"));
            checked++;
            continue;
        }
        if (!f)
            continue;
        cs_words_finding_title(want, sizeof want, w->ds, an, f);
        assert_string_equal(it->title, want);
        /* a claim of an effect only with a clear verdict */
        if (f->verdict != CS_VERDICT_CLEAR) {
            assert_null(strstr(it->title, "times the odds"));
            assert_null(strstr(it->title, "end just above"));
        }
        checked++;
    }
    return checked;
}

static void test_titles_follow_findings(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct world *w = malloc(sizeof *w);
    assert_non_null(w);
    struct cs_error err;
    struct cs_plot_list l;
    world_load(w, SAMPLE_DIR, NULL);
    assert_int_equal(cs_plots_write(dir, &w->m, w->an, false, &l, &err), CS_OK);
    assert_true(check_titles(w, &l) >= 5);
    cs_plot_list_free(&l);
    world_free(w);
    rm_rf(dir);

    /* thin data (generate --deals 100): the forest plot of a model that
     * fails the data rule is not drawn, and no title claims an effect */
    char *data = make_tmpdir();
    struct cs_gen_options go = {.out_dir = data, .n_deals = 100, .seed = 1};
    assert_int_equal(cs_generate(&go, &err), CS_OK);
    world_load(w, data, NULL);
    const struct cs_model_rule *r = cs_findings_model(w->an->findings, CS_MODEL_PROMISE_RISK);
    assert_true(r->fitted && !r->rule.readable);
    assert_int_equal(cs_plots_write(dir, &w->m, w->an, false, &l, &err), CS_OK);
    assert_true(check_titles(w, &l) >= 2);
    for (size_t i = 0; i < l.n; i++) {
        assert_null(strstr(l.items[i].title, "times the odds"));
        if (strcmp(l.items[i].kind, "how-strong") == 0)
            assert_non_null(l.items[i].skipped);
    }
    cs_plot_list_free(&l);
    world_free(w);
    free(w);
    rm_rf(data);
    free(data);
    rm_rf(dir);
    free(dir);
}

/* ----------------------------------------------------------------------
 * Hostile names through the whole pipeline
 * -------------------------------------------------------------------- */

#define HOSTILE "'|x''Mid'Market `touch " PWNED "` system(\"touch " PWNED "\") '|touch " PWNED "' " \
                "<script>alert(1)</script> %s%n\nset output '" PWNED "'"

/* CSV field for s: quoted, quotes doubled. */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Copy src to dst replacing every whole field equal to `from` by `to`. */
static void copy_replacing(const char *src, const char *dst, const char *from, const char *to)
{
    char *text = slurp(src, NULL);
    assert_non_null(text);
    FILE *f = fopen(dst, "w");
    assert_non_null(f);
    size_t n = strlen(from);
    for (char *p = text; *p;) {
        bool start = p == text || p[-1] == ',' || p[-1] == '\n';
        if (start && strncmp(p, from, n) == 0 && (p[n] == ',' || p[n] == '\n' || p[n] == '\r' || !p[n])) {
            csv_field(f, to);
            p += n;
        } else {
            fputc(*p++, f);
        }
    }
    assert_int_equal(fclose(f), 0);
    free(text);
}

static void test_hostile_names(void **state)
{
    (void)state;
    unlink(PWNED);
    char *data = make_tmpdir();
    char *out = make_tmpdir();
    static const char *const files[] = {"claims.csv", "collateral.csv", "commissions.csv", "deals.csv",
                                        "plans.csv", "promises.csv", "quotas.csv", "reps.csv",
                                        "roadmap.csv", "spiffs.csv", "targets.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char src[512], dst[512];
        snprintf(src, sizeof src, "%s/%s", SAMPLE_DIR, files[i]);
        snprintf(dst, sizeof dst, "%s/%s", data, files[i]);
        if (strcmp(files[i], "plans.csv") == 0) {
            copy_replacing(src, dst, "MM-Q", HOSTILE);
        } else if (strcmp(files[i], "reps.csv") == 0) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s/reps.tmp", data);
            copy_replacing(src, tmp, "MM-Q", HOSTILE);
            copy_replacing(tmp, dst, "Mid-Market", HOSTILE);
            unlink(tmp);
        } else {
            copy_replacing(src, dst, "\x01", "");   /* a plain copy */
        }
    }
    struct world w;
    world_load(&w, data, "all");
    /* the hostile plan id made it through the importer */
    bool found = false;
    for (size_t p = 0; p < w.ds->plans.n; p++)
        found |= strcmp(cs_ds_str(w.ds, w.ds->plans.id[p]), HOSTILE) == 0;
    assert_true(found);

    struct cs_plot_list l;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_plots_write(out, &w.m, w.an, true, &l, &err);
    if (st != CS_OK)
        fail_msg("cs_plots_write: %s", err.msg);
    check_list(out, &l);
    bool titled = false;
    for (size_t i = 0; i < l.n; i++) {
        const struct cs_plot_item *it = &l.items[i];
        if (!it->title || !strstr(it->title, "touch " PWNED))
            continue;
        titled = true;
        if (!it->script)
            continue;
        /* the script holds the plan id as one literal, on one line */
        char gp[512];
        snprintf(gp, sizeof gp, "%s/plots/%s.gp", out, it->name);
        char *script = slurp(gp, NULL);
        assert_non_null(script);
        assert_null(strstr(script, "\nset output '" PWNED));
        assert_non_null(strstr(script, "Mid''Market `touch"));
        free(script);
        if (it->rendered) {
            char svg[512];
            snprintf(svg, sizeof svg, "%s/plots/%s.svg", out, it->name);
            char *text = slurp(svg, NULL);
            assert_non_null(text);
            assert_null(strstr(text, "<script>"));
            free(text);
        }
    }
    assert_true(titled);
    assert_false(exists(PWNED));
    cs_plot_list_free(&l);
    world_free(&w);
    rm_rf(data);
    rm_rf(out);
    free(data);
    free(out);
}

/* The what-if helper: script always, images when gnuplot is there. */
static void test_whatif_write(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    static const struct cs_plot_whatif_alt alt[] = {{"halve steps", 10, 8, 12, false}};
    struct cs_plot_whatif w = {.title = "t", .axis = "risky deals", .base = 12, .n_alt = 1, .alt = alt};
    bool rendered = true;
    struct cs_error err;
    assert_int_equal(cs_plot_whatif_write(dir, "whatif", &w, &rendered, &err), CS_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/whatif.gp", dir);
    assert_true(exists(path));
    assert_int_equal(rendered, cs_plot_gnuplot_available(NULL, 0));
    if (rendered) {
        snprintf(path, sizeof path, "%s/whatif.png", dir);
        assert_png(path);
    }
    assert_int_equal(cs_plot_whatif_write(dir, "what if", &w, &rendered, &err), CS_ERR_USAGE);
    rm_rf(dir);
    free(dir);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_literal),
        cmocka_unit_test(test_quote_utf8_and_tic),
        cmocka_unit_test(test_quote_gnuplot_reads_text),
        cmocka_unit_test(test_golden_where),
        cmocka_unit_test(test_where_uncertainty),
        cmocka_unit_test(test_golden_when),
        cmocka_unit_test(test_when_even_pace_and_counts),
        cmocka_unit_test(test_golden_threshold),
        cmocka_unit_test(test_golden_forest),
        cmocka_unit_test(test_golden_forest_within),
        cmocka_unit_test(test_golden_push),
        cmocka_unit_test(test_note_wraps),
        cmocka_unit_test(test_note_wraps_any_text),
        cmocka_unit_test(test_golden_rates),
        cmocka_unit_test(test_rates_counts_and_panels),
        cmocka_unit_test(test_tier_by_plan_sample),
        cmocka_unit_test(test_golden_whatif),
        cmocka_unit_test(test_whatif_points_around_base),
        cmocka_unit_test(test_golden_trend),
        cmocka_unit_test(test_aggregate_sample),
        cmocka_unit_test(test_run_renders),
        cmocka_unit_test(test_run_gnuplot_error),
        cmocka_unit_test(test_gnuplot_missing),
        cmocka_unit_test(test_plots_write_sample),
        cmocka_unit_test(test_titles_follow_findings),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_whatif_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
