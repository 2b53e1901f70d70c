/* fuzz_html.c - fuzz the HTML and Markdown escapers: nothing active gets through, the text survives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/output.h"
#include "fuzz.h"

/*
 * The input (up to its first NUL) is a string from the data.
 * cs_html_text: the output holds no raw < > " ', every & starts one of
 * &amp; &lt; &gt; &quot; &#39;, and decoding those gives the input back.
 * cs_md_text: the output holds no control byte; each of | \ ` * _ [ ] < >
 * appears only escaped by a backslash; removing the escapes gives the input
 * with its control characters turned into spaces.
 */

static void fzh_html(const char *s, size_t n)
{
    char *out;
    size_t len;
    FILE *f = fuzz_memstream(&out, &len);
    cs_html_text(f, s);
    fclose(f);
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    struct fuzz_buf dec = {0};
    for (size_t i = 0; i < len;) {
        char c = out[i];
        FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'',
                   "cs_html_text let < > \" or ' through raw");
        if (c == '&') {
            size_t e = 0;
            while (e < sizeof ents / sizeof ents[0] &&
                   strncmp(out + i, ents[e].ent, strlen(ents[e].ent)) != 0)
                e++;
            FUZZ_CHECK(e < sizeof ents / sizeof ents[0], "cs_html_text let a raw & through");
            fuzz_buf_put(&dec, &ents[e].c, 1);
            i += strlen(ents[e].ent);
            continue;
        }
        fuzz_buf_put(&dec, &c, 1);
        i++;
    }
    FUZZ_CHECK(dec.n == n && (n == 0 || memcmp(dec.s, s, n) == 0),
               "cs_html_text does not decode back to its input");
    fuzz_buf_free(&dec);
    free(out);
}

static void fzh_md(const char *s, size_t n)
{
    char *out;
    size_t len;
    FILE *f = fuzz_memstream(&out, &len);
    cs_md_text(f, s);
    fclose(f);
    FUZZ_CHECK(fuzz_no_controls(out, len), "cs_md_text let a control character through");
    struct fuzz_buf dec = {0};
    for (size_t i = 0; i < len; i++) {
        char c = out[i];
        if (c == '\\') {
            FUZZ_CHECK(i + 1 < len, "cs_md_text ends with a lone backslash");
            c = out[++i];
            FUZZ_CHECK(strchr("|\\`*_[]<>#", c) != NULL,
                       "cs_md_text escaped a character it does not document");
        } else {
            FUZZ_CHECK(!strchr("|`*_[]<>", c), "cs_md_text let | ` * _ [ ] < or > through unescaped");
        }
        fuzz_buf_put(&dec, &c, 1);
    }
    struct fuzz_buf want = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char w = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        fuzz_buf_put(&want, &w, 1);
    }
    FUZZ_CHECK(dec.n == want.n && (dec.n == 0 || memcmp(dec.s, want.s, dec.n) == 0),
               "cs_md_text does not unescape back to its input");
    fuzz_buf_free(&dec);
    fuzz_buf_free(&want);
    free(out);
}

int cs_fuzz_html(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s);
    fzh_html(s, n);
    fzh_md(s, n);
    free(s);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_html(data, size);
}
#endif
