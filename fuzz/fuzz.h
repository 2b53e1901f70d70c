/* fuzz.h - what every fuzz target shares: property checks, memory streams, a reference UTF-8 decoder. */
#ifndef COMPSIGHT_FUZZ_H
#define COMPSIGHT_FUZZ_H

/*
 * Each fuzz/fuzz_NAME.c defines `int cs_fuzz_NAME(const uint8_t *data,
 * size_t size)`, the whole target, and (unless CS_FUZZ_NO_MAIN is defined)
 * LLVMFuzzerTestOneInput calling it.  tests/test_regressions.c includes the
 * same files with CS_FUZZ_NO_MAIN and replays tests/regressions/ and
 * fuzz/corpus/ through them, so a crash found by the fuzzer stays a test.
 *
 * A target does not only run the code: it checks properties (round trips,
 * "no raw < in HTML", "the same events for every chunk size", ...).  A
 * violated property calls FUZZ_FAIL, which aborts under libFuzzer (so the
 * input is saved as a crash) and fails the cmocka test in the regression
 * replay (which defines FUZZ_FAIL before including this file).
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FAIL
static void fuzz_fail_abort(const char *file, int line, const char *what)
{
    fprintf(stderr, "\n*** compsight fuzz property violated at %s:%d: %s\n", file, line, what);
    abort();
}
#define FUZZ_FAIL(what) fuzz_fail_abort(__FILE__, __LINE__, (what))
#endif

/* Check a property; `what` says which, in words, for the crash report. */
#define FUZZ_CHECK(cond, what)      \
    do {                            \
        if (!(cond))                \
            FUZZ_FAIL(what);        \
    } while (0)

/*
 * Known open bugs (listed in fuzz/README.md with their regression inputs):
 * when CS_FUZZ_IGNORE_KNOWN is set in the environment, a target skips the
 * one property such a bug violates, so that a fuzzing run can go on
 * looking for new ones.  The regression replay never sets it: the bug's
 * test fails until the bug is fixed.
 */
static inline bool fuzz_ignore_known(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("CS_FUZZ_IGNORE_KNOWN") != NULL;
    return v;
}

/* ----------------------------------------------------------------------
 * A growable byte buffer (memory streams are not always what we want:
 * event logs compare more easily as one string).
 * -------------------------------------------------------------------- */

struct fuzz_buf {
    char *s;
    size_t n, cap;
};

static inline void fuzz_buf_put(struct fuzz_buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            abort();          /* the harness itself ran out of memory */
        b->s = s;
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static inline void fuzz_buf_puts(struct fuzz_buf *b, const char *s)
{
    fuzz_buf_put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static inline void fuzz_buf_printf(struct fuzz_buf *b, const char *fmt, ...)
{
    char tmp[1400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        fuzz_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static inline void fuzz_buf_free(struct fuzz_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

/* A FILE * writing to memory (open_memstream); the buffer is valid after fclose. */
static inline FILE *fuzz_memstream(char **ptr, size_t *len)
{
    *ptr = NULL;
    *len = 0;
    FILE *f = open_memstream(ptr, len);
    if (!f)
        abort();
    return f;
}

/* ----------------------------------------------------------------------
 * A reference UTF-8 decoder, written from RFC 3629 independently of
 * src/input/parse.c and src/report/gnuplot.c: the length of the well-formed sequence at
 * s[0..n), or 0 when the bytes there are not one (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences).
 * -------------------------------------------------------------------- */

static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = fuzz_utf8_seq(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* True when s[0..n) holds no C0 control character and no DEL: text that is
 * safe to print on a terminal (messages quote untrusted bytes, STYLE.md). */
static inline bool fuzz_no_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

/* An error record as printed by main(): no control characters, valid UTF-8. */
static inline bool fuzz_error_printable(const char *msg)
{
    size_t n = strlen(msg);
    return fuzz_no_controls(msg, n) && fuzz_utf8_valid(msg, n);
}

#endif
