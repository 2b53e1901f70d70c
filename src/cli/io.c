/* io.c - what a command prints besides its product: the closing line and warnings, both silenced by --quiet. */
#include <stdarg.h>

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
