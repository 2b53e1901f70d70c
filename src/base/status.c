/* status.c - status strings, exit codes and the error record. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "compsight/status.h"

static const struct {
    enum cs_status status;
    int exit_code;
    const char *text;
} status_table[] = {
    {CS_OK,           0, "success"},
    {CS_ERR_USAGE,    1, "bad usage"},
    {CS_ERR_INPUT,    2, "input cannot be read or parsed"},
    {CS_ERR_REJECTS,  3, "rows were rejected (--strict)"},
    {CS_ERR_OUTPUT,   4, "output could not be written"},
    {CS_ERR_NOMEM,    4, "out of memory"},
    {CS_ERR_NOTIMPL,  1, "not implemented yet"},
    {CS_ERR_INTERNAL, 4, "internal error"},
};

const char *cs_strerror(enum cs_status status)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == status)
            return status_table[i].text;
    return "unknown status";
}

int cs_exit_code(enum cs_status status)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == status)
            return status_table[i].exit_code;
    return 4;
}

void cs_error_clear(struct cs_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    if (!src)
        src = "";
    snprintf(dst, n, "%s", src);
}

enum cs_status cs_error_set(struct cs_error *err, enum cs_status status,
                            const char *file, unsigned long line,
                            const char *column, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    copy_str(err->file, sizeof err->file, file);
    copy_str(err->column, sizeof err->column, column);
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

void cs_error_format(const struct cs_error *err, char *buf, size_t n)
{
    size_t used = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
#define APPEND(...) do { \
        int k_ = snprintf(buf + used, n - used, __VA_ARGS__); \
        if (k_ > 0) used += (size_t)k_ < n - used ? (size_t)k_ : n - used - 1; \
    } while (0)
    if (err->file[0]) {
        APPEND("%s", err->file);
        if (err->line)
            APPEND(":%lu", err->line);
        APPEND(": ");
    }
    if (err->column[0])
        APPEND("%s: ", err->column);
    if (err->status == CS_ERR_NOMEM && err->msg[0] && !strstr(err->msg, "out of memory"))
        APPEND("out of memory (%s)", err->msg);   /* the message says only where */
    else
        APPEND("%s", err->msg[0] ? err->msg : cs_strerror(err->status));
#undef APPEND
}

char *cs_quote_bytes(char *dst, size_t n, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, limit = len > 40 ? 40 : len;
    if (n < 8) {
        if (n)
            dst[0] = '\0';
        return dst;
    }
    dst[o++] = '"';
    for (size_t i = 0; i < limit && o + 8 < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    if (len > limit && o + 4 < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return dst;
}

/* The message with every path under from named under to, when it fits. */
static void rebase_msg(struct cs_error *err, const char *from, size_t n, const char *to)
{
    char out[sizeof err->msg];
    size_t o = 0, tl = strlen(to);
    const char *m = err->msg, *hit;
    bool changed = false;
    while ((hit = strstr(m, from)) != NULL) {
        size_t k = (size_t)(hit - m);
        if (hit[n] != '/') {               /* a longer name that starts alike */
            k += n;
            if (o + k >= sizeof out)
                return;
            memcpy(out + o, m, k);
            o += k;
            m += k;
            continue;
        }
        if (o + k + tl + 1 >= sizeof out)
            return;                         /* too long to name: keep the path that is right */
        memcpy(out + o, m, k);
        o += k;
        memcpy(out + o, to, tl);
        o += tl;
        m = hit + n + (tl ? 0 : 1);         /* relative: without the slash */
        changed = true;
    }
    size_t rest = strlen(m);
    if (!changed || o + rest >= sizeof out)
        return;
    memcpy(out + o, m, rest + 1);
    memcpy(err->msg, out, o + rest + 1);
}

void cs_error_rebase(struct cs_error *err, const char *from, const char *to)
{
    size_t n = from ? strlen(from) : 0;
    if (!err || !n || !to)
        return;
    rebase_msg(err, from, n, to);
    if (strncmp(err->file, from, n) != 0 || err->file[n] != '/')
        return;
    char rest[sizeof err->file];
    copy_str(rest, sizeof rest, err->file + n + 1);
    size_t tl = strlen(to), rl = strlen(rest);
    if (tl + 1 + rl >= sizeof err->file)
        return;              /* too long to name: keep the path that is right */
    if (tl) {
        memcpy(err->file, to, tl);
        err->file[tl++] = '/';
    }
    memcpy(err->file + tl, rest, rl + 1);
}

const char *cs_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO (named pipe)";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    default: return "a special file";
    }
}
