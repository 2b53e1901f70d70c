/* test_output.c - the escaper of each output format, numbers, pseudonyms, atomic files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/doc.h"
#include "compsight/output.h"
#include "report/numfmt.h"

/* A memory stream to capture what a writer writes. */
struct capture {
    char *buf;
    size_t len;
    FILE *f;
};

static FILE *cap_open(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
    return c->f;
}

/* The text written (caller frees). */
static char *cap_close(struct capture *c)
{
    fclose(c->f);
    return c->buf;
}

static void expect_csv(const char *in, bool text, const char *want)
{
    struct capture cap_got;
    FILE *f = cap_open(&cap_got);
    cs_csv_cell(f, in, strlen(in), text);
    char *got = cap_close(&cap_got);
    assert_string_equal(got, want);
    free(got);
}

static void test_csv(void **state)
{
    (void)state;
    expect_csv("plain", true, "plain");
    expect_csv("a,b", true, "\"a,b\"");
    expect_csv("say \"hi\"", true, "\"say \"\"hi\"\"\"");
    expect_csv("two\nlines", true, "\"two\nlines\"");
    expect_csv("cr\rhere", true, "\"cr\rhere\"");
    expect_csv(" padded ", true, "\" padded \"");
    expect_csv("", true, "");
    /* formula neutralising, text cells only */
    expect_csv("=HYPERLINK(\"x\")", true, "\"'=HYPERLINK(\"\"x\"\")\"");
    expect_csv("+1", true, "'+1");
    expect_csv("-1", true, "'-1");
    expect_csv("@SUM(A1)", true, "'@SUM(A1)");
    expect_csv("\tx", true, "\"'\tx\"");
    expect_csv("x\t", true, "\"x\t\"");
    expect_csv("\rx", true, "\"'\rx\"");
    expect_csv("-1", false, "-1");
    /* the same cells into memory, as many of them as into the file */
    static const char *const cells[] = {
        "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " padded ", "", "=HYPERLINK(\"x\")",
        "+1", "-1", "@SUM(A1)", "\tx", "x\t", "\rx", "\"", "\"\"", ",", "=\"", "a\"b,c\r\nd ",
    };
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        for (int text = 0; text < 2; text++) {
            struct capture cap;
            FILE *f = cap_open(&cap);
            size_t len = strlen(cells[i]);
            cs_csv_cell(f, cells[i], len, text);
            char *want = cap_close(&cap);
            char mem[64];
            memset(mem, 'z', sizeof mem);
            size_t n = cs_csv_cell_mem(mem, cells[i], len, text);
            assert_true(n <= 2 * len + 3);
            assert_int_equal(n, strlen(want));
            assert_memory_equal(mem, want, n);
            assert_int_equal(mem[n], 'z');      /* nothing past it */
            free(want);
        }
    }
}

static void test_html(void **state)
{
    (void)state;
    struct capture cap_got;
    FILE *f = cap_open(&cap_got);
    cs_html_text(f, "<script>a & b \"c\" 'd'</script>");
    char *got = cap_close(&cap_got);
    assert_string_equal(got, "&lt;script&gt;a &amp; b &quot;c&quot; &#39;d&#39;&lt;/script&gt;");
    free(got);
}

static void test_markdown(void **state)
{
    (void)state;
    struct capture cap_got;
    FILE *f = cap_open(&cap_got);
    cs_md_text(f, "a|b\nc `d` *e* _f_ [g](h) <i> #j \\k");
    char *got = cap_close(&cap_got);
    assert_string_equal(got, "a\\|b c \\`d\\` \\*e\\* \\_f\\_ \\[g\\](h) \\<i\\> \\#j \\\\k");
    free(got);
}

static void expect_number(double x, const char *want)
{
    struct capture cap_got;
    FILE *f = cap_open(&cap_got);
    cs_put_number(f, x);
    char *got = cap_close(&cap_got);
    assert_string_equal(got, want);
    if (*want)
        assert_true(strtod(got, NULL) == x);
    free(got);
}

static void test_numbers(void **state)
{
    (void)state;
    expect_number(0, "0");
    expect_number(12500, "12500");
    expect_number(-3, "-3");
    expect_number(0.1, "0.1");
    expect_number(0.06, "0.06");
    expect_number(0.1 + 0.2, "0.30000000000000004");
    expect_number(1e300, "1e+300");
    expect_number(1.0 / 3, "0.3333333333333333");
    expect_number(2.5e-10, "2.5e-10");
    expect_number(NAN, "");
    expect_number(INFINITY, "");
    /* every value reads back to the same double */
    for (int i = 1; i < 20000; i++) {
        double x = 1.0 / i + i * 1e-7;
        struct capture cap_got;
        FILE *f = cap_open(&cap_got);
        cs_put_number(f, x);
        char *got = cap_close(&cap_got);
        assert_true(strtod(got, NULL) == x);
        free(got);
    }
}

/* The reference for cs_format_number, by snprintf and strtod alone: a
 * whole number below 1e15 as %lld, else the shortest of %.15g, %.16g and
 * %.17g that reads back exactly; "" for NaN and infinities.  Slow (glibc
 * formats with multiple-precision arithmetic), and plainly right. */
static size_t format_number_reference(double x, char buf[32])
{
    if (!isfinite(x)) {
        buf[0] = '\0';
        return 0;
    }
    if (fabs(x) < 1e15 && x == (double)(long long)x)
        return (size_t)snprintf(buf, 32, "%lld", (long long)x);
    snprintf(buf, 32, "%.15g", x);
    if (strtod(buf, NULL) != x) {
        snprintf(buf, 32, "%.16g", x);
        if (strtod(buf, NULL) != x)
            snprintf(buf, 32, "%.17g", x);
    }
    return strlen(buf);
}

/* The fast formatter against the snprintf/strtod reference on one value. */
static void expect_same_as_reference(double x)
{
    char fast[32], ref[32];
    size_t nf = cs_format_number(x, fast), nr = format_number_reference(x, ref);
    if (strcmp(fast, ref) != 0 || nf != nr)
        fail_msg("%a: fast \"%s\", reference \"%s\"", x, fast, ref);
}

/* splitmix64: a fixed stream of test values, the same on every machine. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_numbers_fast(void **state)
{
    (void)state;
    uint64_t seed = 2026;
    /* every bit pattern class: random doubles over the whole range */
    for (int i = 0; i < 100000; i++) {
        uint64_t u = next_u64(&seed);
        double x;
        memcpy(&x, &u, sizeof x);
        expect_same_as_reference(x);
    }
    /* what deals.csv holds: cents, rates, ratios, products and logs */
    for (int i = 0; i < 100000; i++) {
        double u = (double)(next_u64(&seed) >> 11) * 0x1p-53;
        double cents = floor(u * 1e9) / 100;
        double rate = floor(u * 1000) / 1000;
        expect_same_as_reference(cents);
        expect_same_as_reference(rate * cents);
        expect_same_as_reference(cents / (u * 1e6 + 1));
        expect_same_as_reference(log(cents + 1));
        expect_same_as_reference(u * pow(10, (int)(i % 60) - 30));
        expect_same_as_reference(-u);
    }
    /* boundaries: powers of ten and their neighbours, halfway-looking
     * decimals, the edges of the exact tables and of the integer path */
    for (int k = -330; k <= 310; k++) {
        double p = pow(10, k);
        expect_same_as_reference(p);
        expect_same_as_reference(nextafter(p, 0));
        expect_same_as_reference(nextafter(p, INFINITY));
        expect_same_as_reference(5 * p / 10);
        expect_same_as_reference(9.9999999999999995 * p);
        expect_same_as_reference(1.0000000000000005 * p);
    }
    const double edge[] = {
        0.0, -0.0, 1e15, 1e15 + 0.5, 999999999999999.9, 1e16, 0.5, 0.25, 0.125, 2.5,
        0.1 + 0.2, 1.0 / 3, 2.0 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        9007199254740993.0, 123456789012345.67, 0.30000000000000004, 1e-5, 9.99999999999999e-5,
        0.0001, 1e-4 * 0.99999999999999989,
    };
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        expect_same_as_reference(edge[i]);
        expect_same_as_reference(-edge[i]);
    }
    const long long ints[] = {0, 1, -1, 9, 10, -10, 123456789, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        char got[24], want[24];
        snprintf(want, sizeof want, "%lld", ints[i]);
        assert_int_equal(cs_format_int(ints[i], got), strlen(want));
        assert_string_equal(got, want);
    }
}

static void test_atomic(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs_test_output_XXXXXX", path[64];
    struct cs_atomic a;
    struct cs_error err;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.txt", dir);
    assert_int_equal(cs_atomic_open(&a, dir, "x.txt", &err), CS_OK);
    fputs("hello", a.f);
    assert_int_equal(access(path, F_OK), -1);          /* not there until commit */
    assert_int_equal(cs_atomic_commit(&a, &err), CS_OK);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(cs_atomic_open(&a, dir, "y.txt", &err), CS_OK);
    fputs("half", a.f);
    cs_atomic_abort(&a);                               /* nothing left behind */
    snprintf(path, sizeof path, "%s/y.txt.tmp", dir);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(cs_atomic_open(&a, "/dev/null/nowhere", "z", &err), CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "/dev/null/nowhere/z.tmp"));
    assert_int_equal(cs_mkdir_p("/dev/null/sub", 0777, &err), CS_ERR_OUTPUT);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The document model renders data through each format's escaper. */
static void test_doc(void **state)
{
    (void)state;
    struct cs_doc *d = cs_doc_new("T <b>|");
    assert_non_null(d);
    cs_doc_heading(d, 1, "H & <i>");
    cs_doc_para(d);
    cs_doc_text(d, "team %s", "<script>x</script>|y");
    cs_doc_code(d, "a ``b`` c");
    cs_doc_link(d, "l<", "x\" onclick=\"y");
    static const char *const hdr[] = {"a|b", "n"};
    static const bool num[] = {false, true};
    cs_doc_table(d, 2, hdr, num);
    static const char *const row[] = {"<td>", "1"};
    cs_doc_row(d, row);
    assert_false(cs_doc_failed(d));
    struct capture cap_md;
    FILE *f = cap_open(&cap_md);
    cs_doc_markdown(d, f);
    char *md = cap_close(&cap_md);
    struct capture cap_html;
    f = cap_open(&cap_html);
    assert_int_equal(cs_doc_html(d, f, "/nonexistent", NULL), CS_OK);
    char *html = cap_close(&cap_html);
    assert_null(strstr(md, "<script>"));
    assert_non_null(strstr(md, "\\<script\\>"));
    assert_non_null(strstr(md, "a\\|b"));
    assert_null(strstr(md, "``b``"));
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<td><td>"));
    assert_null(strstr(html, "\" onclick"));
    assert_non_null(strstr(html, "&lt;script&gt;"));
    free(md);
    free(html);
    cs_doc_free(d);
}

/*
 * HTML (issue 19): an identifier such as a plan id "SMB-Q" never wraps at
 * its hyphen: each hyphenated word of a table cell or a paragraph sits in
 * a span the style sheet keeps on one line; other text wraps as before.
 */
static void test_doc_ids_nowrap(void **state)
{
    (void)state;
    struct cs_doc *d = cs_doc_new("T");
    assert_non_null(d);
    cs_doc_para(d);
    cs_doc_text(d, "Plan MM-Q: more rep-quarters - a dash, -13k, a&b-c, (FR-129), Mid-Market");
    static const char *const hdr[] = {"plan", "n"};
    static const bool num[] = {false, true};
    cs_doc_table(d, 2, hdr, num);
    static const char *const row[] = {"SMB-Q", "149"};
    cs_doc_row(d, row);
    static const char *const row2[] = {"ENT-Y: cap commission at 130% of quota", "1"};
    cs_doc_row(d, row2);
    assert_false(cs_doc_failed(d));
    struct capture cap;
    FILE *f = cap_open(&cap);
    struct cs_error err;
    assert_int_equal(cs_doc_html(d, f, "/nonexistent", &err), CS_OK);
    char *html = cap_close(&cap);
    assert_non_null(strstr(html, ".nw{white-space:nowrap}"));
    assert_non_null(strstr(html, "<td><span class=\"nw\">SMB-Q</span></td>"));
    assert_non_null(strstr(html, "<td><span class=\"nw\">ENT-Y:</span> cap commission at 130% of quota</td>"));
    /* plain hyphenated words may still break: only identifiers are kept whole */
    assert_non_null(strstr(html, "<p>Plan <span class=\"nw\">MM-Q:</span> more rep-quarters - "
                                 "a dash, -13k, a&amp;b-c, <span class=\"nw\">(FR-129),</span> "
                                 "<span class=\"nw\">Mid-Market</span></p>"));
    free(html);
    /* Markdown is unchanged */
    f = cap_open(&cap);
    cs_doc_markdown(d, f);
    char *md = cap_close(&cap);
    assert_non_null(strstr(md, "| SMB-Q | 149 |"));
    assert_null(strstr(md, "nw"));
    free(md);
    cs_doc_free(d);
}

/* HTML embeds an image that is there, shows one that is not as its text,
 * and fails (never a page with an empty image) on one it cannot read. */
static void test_doc_images(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs_test_output_XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/plots", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/plots/a.png", dir);
    FILE *img = fopen(path, "wb");
    assert_non_null(img);
    fputs("abcd", img);                       /* base64: YWJjZA== */
    assert_int_equal(fclose(img), 0);
    struct cs_doc *d = cs_doc_new("T");
    assert_non_null(d);
    cs_doc_image(d, "plots/a.png", "A", "");
    cs_doc_image(d, "plots/none.png", "None", "");
    assert_false(cs_doc_failed(d));
    struct capture cap;
    FILE *f = cap_open(&cap);
    struct cs_error err;
    assert_int_equal(cs_doc_html(d, f, dir, &err), CS_OK);
    char *html = cap_close(&cap);
    assert_non_null(strstr(html, "src=\"data:image/png;base64,YWJjZA==\""));
    assert_non_null(strstr(html, "(plot not available: None)"));
    free(html);
    /* a "file" that cannot be read: a directory */
    snprintf(path, sizeof path, "%s/plots/none.png", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    f = cap_open(&cap);
    assert_int_equal(cs_doc_html(d, f, dir, &err), CS_ERR_OUTPUT);
    free(cap_close(&cap));
    assert_non_null(strstr(err.msg, "cannot embed plots/none.png in the HTML: Is a directory"));
    cs_doc_free(d);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* cs_error_rebase names a file under one directory under another, and
 * leaves every other name alone; cs_error_format says "out of memory". */
static void test_error_rebase(void **state)
{
    (void)state;
    struct cs_error e;
    cs_error_set(&e, CS_ERR_OUTPUT, "/out/.staging-x/plots/where.gp", 0, NULL, "failed");
    struct cs_error rel = e, abs = e, other = e, same = e;
    cs_error_rebase(&rel, "/out/.staging-x", "");
    assert_string_equal(rel.file, "plots/where.gp");
    cs_error_rebase(&abs, "/out/.staging-x", "/out");
    assert_string_equal(abs.file, "/out/plots/where.gp");
    char buf[200];
    cs_error_format(&abs, buf, sizeof buf);
    assert_string_equal(buf, "/out/plots/where.gp: failed");
    cs_error_rebase(&other, "/out/.staging", "/elsewhere");   /* a prefix, not a directory */
    assert_string_equal(other.file, "/out/.staging-x/plots/where.gp");
    cs_error_rebase(&same, "/out/.staging-x/plots/where.gp", "/x");   /* the file itself */
    assert_string_equal(same.file, "/out/.staging-x/plots/where.gp");
    char longdir[300];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    struct cs_error toolong = e;
    cs_error_rebase(&toolong, "/out/.staging-x", longdir);    /* no room: unchanged */
    assert_string_equal(toolong.file, "/out/.staging-x/plots/where.gp");
    /* an out-of-memory error that says only where still says what */
    struct cs_error nomem;
    cs_error_set(&nomem, CS_ERR_NOMEM, NULL, 0, NULL, "cs_timing: %d bins", 53);
    cs_error_format(&nomem, buf, sizeof buf);
    assert_string_equal(buf, "out of memory (cs_timing: 53 bins)");
    cs_error_set(&nomem, CS_ERR_NOMEM, "deals.csv", 0, NULL, "out of memory");
    cs_error_format(&nomem, buf, sizeof buf);
    assert_string_equal(buf, "deals.csv: out of memory");
    cs_error_rebase(NULL, "/a", "/b");
    cs_error_rebase(&rel, NULL, "/b");
    assert_string_equal(rel.file, "plots/where.gp");
    /* paths in the message: every one under the directory, not a longer
     * name that starts alike; one that would no longer fit stays */
    struct cs_error m;
    cs_error_set(&m, CS_ERR_OUTPUT, NULL, 0, NULL,
                 "/out/.staging-x/results.json.tmp: full (/out/.staging-xy/a, /out/.staging-x/b)");
    struct cs_error m_abs = m, m_rel = m, m_long = m;
    cs_error_rebase(&m_abs, "/out/.staging-x", "/out");
    assert_string_equal(m_abs.msg, "/out/results.json.tmp: full (/out/.staging-xy/a, /out/b)");
    assert_string_equal(m_abs.file, "");
    cs_error_rebase(&m_rel, "/out/.staging-x", "");
    assert_string_equal(m_rel.msg, "results.json.tmp: full (/out/.staging-xy/a, b)");
    char huge[700];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    cs_error_rebase(&m_long, "/out/.staging-x", huge);
    assert_string_equal(m_long.msg, m.msg);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_numbers_fast),
        cmocka_unit_test(test_atomic),
        cmocka_unit_test(test_doc),
        cmocka_unit_test(test_doc_ids_nowrap),
        cmocka_unit_test(test_doc_images),
        cmocka_unit_test(test_error_rebase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
