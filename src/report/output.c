/* output.c - escapers for CSV, HTML and Markdown, and atomic file writes (numbers as text: numfmt.c). */
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/output.h"

/* How cs_csv_cell writes s[0..len): quoted, and neutralised. */
static void csv_form(const char *s, size_t len, bool text, bool *quote, bool *neutralise)
{
    *neutralise = text && len > 0 &&
                  (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                   s[0] == '\r');
    /* Readers (libcsv among them) trim spaces and tabs around unquoted
     * cells: quote those to keep them. */
    bool q = len > 0 && (s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' || s[len - 1] == '\t');
    for (size_t i = 0; i < len && !q; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            q = true;
    *quote = q;
}

void cs_csv_cell(FILE *f, const char *s, size_t len, bool text)
{
    bool quote, neutralise;
    csv_form(s, len, text, &quote, &neutralise);
    if (!quote && !neutralise) {
        /* the common case: the bytes as they are */
        fwrite(s, 1, len, f);
        return;
    }
    if (quote)
        putc_unlocked('"', f);
    if (neutralise)
        putc_unlocked('\'', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc_unlocked('"', f);
        putc_unlocked(s[i], f);
    }
    if (quote)
        putc_unlocked('"', f);
}

size_t cs_csv_cell_mem(char *dst, const char *s, size_t len, bool text)
{
    bool quote, neutralise;
    csv_form(s, len, text, &quote, &neutralise);
    if (!quote && !neutralise) {
        memcpy(dst, s, len);
        return len;
    }
    char *o = dst;
    if (quote)
        *o++ = '"';
    if (neutralise)
        *o++ = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            *o++ = '"';
        *o++ = s[i];
    }
    if (quote)
        *o++ = '"';
    return (size_t)(o - dst);
}

void cs_csv_text(FILE *f, const char *s)
{
    cs_csv_cell(f, s, strlen(s), true);
}

void cs_html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

void cs_md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fputc(' ', f);
        else if (strchr("|\\`*_[]<>#", c))
            fprintf(f, "\\%c", c);
        else
            fputc(c, f);
    }
}

static char *join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

enum cs_status cs_atomic_open(struct cs_atomic *a, const char *dir, const char *name,
                              struct cs_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = join(dir, name, "");
    a->tmp = join(dir, name, ".tmp");
    if (!a->path || !a->tmp) {
        cs_atomic_abort(a);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    /* A fresh file: a link planted at NAME.tmp is removed, never followed. */
    if (unlink(a->tmp) != 0 && errno != ENOENT) {
        /* no memory for the stream is running out of memory, not an
         * output error (which costs a plot only its picture) */
        enum cs_status st = cs_error_set(err, errno == ENOMEM ? CS_ERR_NOMEM : CS_ERR_OUTPUT,
                                         NULL, 0, NULL, "%s: %s", a->tmp, strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    a->f = fopen(a->tmp, "wxe");     /* x: O_EXCL, so nothing in the way is followed */
    if (!a->f) {
        /* no memory for the stream is running out of memory, not an
         * output error (which costs a plot only its picture) */
        enum cs_status st = cs_error_set(err, errno == ENOMEM ? CS_ERR_NOMEM : CS_ERR_OUTPUT,
                                         NULL, 0, NULL, "%s: %s", a->tmp, strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    return CS_OK;
}

enum cs_status cs_atomic_commit(struct cs_atomic *a, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    if (!a->f)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "output file not open");
    int bad = ferror(a->f);
    int saved = errno;
    if (fclose(a->f) != 0 || bad) {
        if (!bad)
            saved = errno;
        a->f = NULL;
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", a->tmp,
                          strerror(saved ? saved : EIO));
        cs_atomic_abort(a);
        return st;
    }
    a->f = NULL;
    if (rename(a->tmp, a->path) != 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", a->path,
                          strerror(errno));
        cs_atomic_abort(a);
        return st;
    }
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return CS_OK;
}

void cs_atomic_abort(struct cs_atomic *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}

enum cs_status cs_mkdir_p(const char *dir, unsigned mode, struct cs_error *err)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, c ? 0777 : (mode_t)mode) != 0 && errno != EEXIST) {
            enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                             "cannot create directory %s: %s", p,
                                             strerror(errno));
            free(p);
            return st;
        }
        p[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        free(p);
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s is not a directory", dir);
    }
    free(p);
    return CS_OK;
}

const char *cs_fmt_count(char *buf, size_t n, size_t v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%zu", v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

const char *cs_fmt_amount(char *buf, size_t n, double x)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (a >= 1e9)
        snprintf(buf, n, "%.2fB", x / 1e9);
    else if (a >= 1e6)
        snprintf(buf, n, "%.2fM", x / 1e6);
    else if (a >= 1e4)
        snprintf(buf, n, "%.0fk", x / 1e3);
    else if (a >= 1e3)
        snprintf(buf, n, "%.1fk", x / 1e3);
    else
        snprintf(buf, n, "%.0f", x);
    /* no "-0" or "-0.0k" for a value that rounds to zero */
    if (buf[0] == '-' && strspn(buf + 1, "0.kMB") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

void cs_report_date(char *buf, size_t n)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    time_t t = env && *env ? (time_t)strtoll(env, NULL, 10) : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d", &tm);
}
