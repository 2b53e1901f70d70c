/* test_output.c - the escaper of each output format, numbers, pseudonyms, atomic files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/doc.h"
#include "compsight/output.h"

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

static void test_pseudonym(void **state)
{
    (void)state;
    char a[16], b[16], c[16];
    cs_pseudonym("R0001", a);
    cs_pseudonym("R0001", b);
    cs_pseudonym("R0002", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 14);
    assert_null(strstr(a, "R0001"));
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
    cs_doc_html(d, f, "/nonexistent");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_pseudonym),
        cmocka_unit_test(test_atomic),
        cmocka_unit_test(test_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
