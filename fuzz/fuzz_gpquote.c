/* fuzz_gpquote.c - fuzz cs_gp_quote: the literal, read the way gnuplot 5.4 reads it, is the text and only text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/plot.h"
#include "fuzz.h"

/*
 * The input (up to its first NUL) is a string from the data: a plan id, a
 * team, a feature title.  cs_gp_quote and cs_gp_quote_tic write it as one
 * gnuplot literal, which is read back by a model of gnuplot 5.4:
 *
 *  - the macro pass (command.c, string_expand_macros) toggles "inside
 *    single quotes" at every ' and expands @name outside quotes: the
 *    literal must hold an even number of ', so that the rest of the line is
 *    seen as it would be without it;
 *  - the scanner (scanner.c) starts a single-quoted token at ' and ends it
 *    at the next ', except that a character other than ' followed by ''
 *    takes the pair as a quote; the token must end exactly at the last byte
 *    (nothing of the data is left outside the string);
 *  - no byte of the literal is a control character (a newline ends the
 *    command and would start one of the data's choosing), and it is valid
 *    UTF-8 (cairo and the SVG terminal want it);
 *  - the token's text, '' read as ', without the zero-width spaces
 *    (U+200B) cs_gp_quote puts in front of a leading or repeated quote, is
 *    the input minus its control characters, with each byte that is not
 *    well-formed UTF-8 as '?' (zero-width spaces of the input are removed
 *    from both sides before comparing);
 *  - for tic labels (a printf format to gnuplot) each % is doubled: the
 *    text holds no lone %.
 * Backquotes and system() need no check of their own: inside a single-
 * quoted token gnuplot substitutes neither, and the token is the whole
 * literal.
 */

#define FZG_ZWSP "\xe2\x80\x8b"

/* What the text of the literal must be: the input filtered as documented,
 * zero-width spaces removed. */
static void fzg_expected(const char *s, struct fuzz_buf *w)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            i++;
            continue;
        }
        size_t k = fuzz_utf8_seq(p + i, n - i);
        if (!k) {
            fuzz_buf_put(w, "?", 1);
            i++;
            continue;
        }
        if (!(k == 3 && memcmp(p + i, FZG_ZWSP, 3) == 0))
            fuzz_buf_put(w, p + i, k);
        i += k;
    }
}

static void fzg_check(const char *in, const char *out, size_t len, bool tic)
{
    FUZZ_CHECK(len >= 2 && out[0] == '\'' && out[len - 1] == '\'',
               "the literal is not enclosed in single quotes");
    FUZZ_CHECK(fuzz_no_controls(out, len), "the literal holds a control character (newline?)");
    FUZZ_CHECK(fuzz_utf8_valid(out, len), "the literal is not valid UTF-8");
    size_t quotes = 0;
    for (size_t i = 0; i < len; i++)
        quotes += out[i] == '\'';
    FUZZ_CHECK(quotes % 2 == 0, "an odd number of quotes: gnuplot's macro pass would expand @names after it");

    /* gnuplot 5.4 scanner.c: the single-quoted token starting at out[0] */
    struct fuzz_buf text = {0};
    size_t cur = 0;
    for (;;) {
        cur++;
        FUZZ_CHECK(cur < len, "the literal never closes (gnuplot would close it at the line end)");
        if (out[cur] == '\'')
            break;                                   /* end of the token */
        if (cur + 2 < len && out[cur + 1] == '\'' && out[cur + 2] == '\'') {
            fuzz_buf_put(&text, out + cur, 1);       /* that character, then a quote */
            fuzz_buf_put(&text, "'", 1);
            cur += 2;
            continue;
        }
        fuzz_buf_put(&text, out + cur, 1);
    }
    FUZZ_CHECK(cur == len - 1, "the string ends before the literal does: the rest would be gnuplot commands");

    /* the text without zero-width spaces; tic labels: %% is one % */
    struct fuzz_buf got = {0};
    for (size_t i = 0; i < text.n;) {
        if (text.n - i >= 3 && memcmp(text.s + i, FZG_ZWSP, 3) == 0) {
            i += 3;
            continue;
        }
        if (tic && text.s[i] == '%') {
            FUZZ_CHECK(i + 1 < text.n && text.s[i + 1] == '%', "a lone % in a tic label (printf format)");
            fuzz_buf_put(&got, "%", 1);
            i += 2;
            continue;
        }
        fuzz_buf_put(&got, text.s + i, 1);
        i++;
    }
    struct fuzz_buf want = {0};
    fzg_expected(in, &want);
    FUZZ_CHECK(got.n == want.n && (got.n == 0 || memcmp(got.s, want.s, got.n) == 0),
               "gnuplot would read another text than the input");
    fuzz_buf_free(&text);
    fuzz_buf_free(&got);
    fuzz_buf_free(&want);
}

int cs_fuzz_gpquote(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    for (int tic = 0; tic < 2; tic++) {
        char *out;
        size_t len;
        FILE *f = fuzz_memstream(&out, &len);
        if (tic)
            cs_gp_quote_tic(f, s);
        else
            cs_gp_quote(f, s);
        fclose(f);
        fzg_check(s, out, len, tic);
        free(out);
    }
    free(s);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_gpquote(data, size);
}
#endif
