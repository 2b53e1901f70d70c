/* io.c - what a command prints besides its product: the closing line, warnings and progress, and terminal-safe streams. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/commands.h"

void cs_io_done(const struct cs_io *io, const char *fmt, ...)
{
    if (io->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(io->out, fmt, ap);
    va_end(ap);
    fputc('\n', io->out);
}

void cs_io_warn(const struct cs_io *io, const char *fmt, ...)
{
    if (io->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("compsight: warning: ", io->msg);
    vfprintf(io->msg, fmt, ap);
    va_end(ap);
    fputc('\n', io->msg);
}

void cs_io_progress(const struct cs_io *io, const char *fmt, ...)
{
    if (!io->progress || !io->term)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputc('\r', io->term);
    vfprintf(io->term, fmt, ap);
    va_end(ap);
    fflush(io->term);
}

void cs_io_progress_end(const struct cs_io *io)
{
    if (io->progress && io->term) {
        fprintf(io->term, "\r%60s\r", "");
        fflush(io->term);
    }
}

/* ------------------------------------------------------------------------
 * Terminal-safe streams
 *
 * A terminal takes some bytes as commands: ESC starts a sequence that can
 * retitle the window, clear the screen or remap keys, BEL rings, CR and BS
 * overwrite what was shown, and U+0080..U+009F (C1) are the same commands
 * in eight bits.  The stream below passes printable text (valid UTF-8
 * included) and newlines and tabs through, and shows every other byte as
 * \xNN; it decodes UTF-8 across writes, keeping a split sequence until
 * its last byte comes.
 * --------------------------------------------------------------------- */

struct escaper {
    FILE *to;
    unsigned char seq[4];    /* a UTF-8 sequence begun and not yet complete */
    size_t have, need;       /* bytes in seq; bytes the sequence takes in all */
};

static void put_hex(FILE *to, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char b[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    fwrite(b, 1, 4, to);
}

/* A sequence cut short: each of its bytes as \xNN. */
static void drop_seq(struct escaper *e)
{
    for (size_t i = 0; i < e->have; i++)
        put_hex(e->to, e->seq[i]);
    e->have = e->need = 0;
}

/* Can c follow seq[0..have) in a valid UTF-8 sequence? */
static bool continues(const struct escaper *e, unsigned char c)
{
    if (c < 0x80 || c > 0xbf)
        return false;
    if (e->have != 1)
        return true;
    switch (e->seq[0]) {
    case 0xe0: return c >= 0xa0;     /* no overlong forms */
    case 0xed: return c <= 0x9f;     /* no surrogates */
    case 0xf0: return c >= 0x90;
    case 0xf4: return c <= 0x8f;     /* nothing above U+10FFFF */
    default: return true;
    }
}

static void escape_byte(struct escaper *e, unsigned char c)
{
    if (e->have) {
        if (!continues(e, c)) {
            drop_seq(e);
        } else {
            e->seq[e->have++] = c;
            if (e->have == e->need) {
                if (e->seq[0] == 0xc2 && e->seq[1] <= 0x9f)
                    drop_seq(e);             /* a C1 control */
                else
                    fwrite(e->seq, 1, e->have, e->to);
                e->have = e->need = 0;
            }
            return;
        }
    }
    if (c < 0x80) {
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            put_hex(e->to, c);
        else
            putc(c, e->to);
    } else if (c >= 0xc2 && c <= 0xf4) {
        e->seq[0] = c;
        e->have = 1;
        e->need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    } else {
        put_hex(e->to, c);                   /* not the start of any sequence */
    }
}

static ssize_t escaper_write(void *cookie, const char *buf, size_t n)
{
    struct escaper *e = cookie;
    for (size_t i = 0; i < n; i++)
        escape_byte(e, (unsigned char)buf[i]);
    return ferror(e->to) ? -1 : (ssize_t)n;
}

static int escaper_close(void *cookie)
{
    struct escaper *e = cookie;
    drop_seq(e);
    int bad = fflush(e->to) != 0 || ferror(e->to);
    free(e);
    return bad ? EOF : 0;
}

FILE *cs_io_escaping(FILE *to)
{
    struct escaper *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->to = to;
    cookie_io_functions_t fns = {.write = escaper_write, .close = escaper_close};
    FILE *f = fopencookie(e, "w", fns);
    if (!f)
        free(e);
    return f;
}
