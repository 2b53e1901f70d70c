/* doc.c - the report's document model and its Markdown and HTML renderers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/doc.h"
#include "compsight/output.h"

enum block_kind { B_HEADING, B_PARA, B_BULLET, B_BOX_START, B_BOX_END, B_TABLE, B_ROW, B_IMAGE };
enum span_kind { S_TEXT, S_BOLD, S_CODE, S_LINK };

struct span {
    enum span_kind kind;
    char *text;
    char *href;
};

struct block {
    enum block_kind kind;
    int level;                  /* heading level; box kind */
    struct span *spans;         /* paragraph, bullet */
    size_t n_spans;
    char **cells;               /* table header / row */
    bool *numeric;              /* table: per column */
    size_t n_cells;
    char *file, *alt, *caption; /* image */
};

struct cs_doc {
    char *title;
    struct block *blocks;
    size_t n, cap;
    size_t table_cols;
    bool failed;
};

static char *dup_str(struct cs_doc *d, const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        d->failed = true;
    return p;
}

struct cs_doc *cs_doc_new(const char *title)
{
    struct cs_doc *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (!(d->title = strdup(title))) {
        free(d);
        return NULL;
    }
    return d;
}

void cs_doc_free(struct cs_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        struct block *b = &d->blocks[i];
        for (size_t s = 0; s < b->n_spans; s++) {
            free(b->spans[s].text);
            free(b->spans[s].href);
        }
        free(b->spans);
        for (size_t c = 0; c < b->n_cells; c++)
            free(b->cells[c]);
        free(b->cells);
        free(b->numeric);
        free(b->file);
        free(b->alt);
        free(b->caption);
    }
    free(d->blocks);
    free(d->title);
    free(d);
}

bool cs_doc_failed(const struct cs_doc *d)
{
    return d->failed;
}

static struct block *add_block(struct cs_doc *d, enum block_kind kind)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct block *b = realloc(d->blocks, cap * sizeof *b);
        if (!b) {
            d->failed = true;
            return NULL;
        }
        d->blocks = b;
        d->cap = cap;
    }
    struct block *b = &d->blocks[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

int cs_doc_heading(struct cs_doc *d, int level, const char *text)
{
    struct block *b = add_block(d, B_HEADING);
    if (!b)
        return -1;
    b->level = level;
    b->spans = calloc(1, sizeof *b->spans);
    if (!b->spans || !(b->spans[0].text = dup_str(d, text))) {
        d->failed = true;
        return -1;
    }
    b->n_spans = 1;
    return 0;
}

int cs_doc_para(struct cs_doc *d)
{
    return add_block(d, B_PARA) ? 0 : -1;
}

int cs_doc_bullet(struct cs_doc *d)
{
    return add_block(d, B_BULLET) ? 0 : -1;
}

int cs_doc_box(struct cs_doc *d, enum cs_doc_box kind)
{
    struct block *b = add_block(d, B_BOX_START);
    if (!b)
        return -1;
    b->level = kind;
    return 0;
}

int cs_doc_end_box(struct cs_doc *d)
{
    return add_block(d, B_BOX_END) ? 0 : -1;
}

static int add_span(struct cs_doc *d, enum span_kind kind, const char *text, const char *href)
{
    if (d->n == 0 || (d->blocks[d->n - 1].kind != B_PARA && d->blocks[d->n - 1].kind != B_BULLET))
        if (cs_doc_para(d) != 0)
            return -1;
    struct block *b = &d->blocks[d->n - 1];
    struct span *s = realloc(b->spans, (b->n_spans + 1) * sizeof *s);
    if (!s) {
        d->failed = true;
        return -1;
    }
    b->spans = s;
    s = &b->spans[b->n_spans++];
    s->kind = kind;
    s->text = dup_str(d, text);
    s->href = href ? dup_str(d, href) : NULL;
    return s->text ? 0 : -1;
}

__attribute__((format(printf, 3, 0)))
static int add_fmt(struct cs_doc *d, enum span_kind kind, const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0) {
        d->failed = true;
        return -1;
    }
    int r = add_span(d, kind, text, NULL);
    free(text);
    return r;
}

int cs_doc_text(struct cs_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = add_fmt(d, S_TEXT, fmt, ap);
    va_end(ap);
    return r;
}

int cs_doc_bold(struct cs_doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = add_fmt(d, S_BOLD, fmt, ap);
    va_end(ap);
    return r;
}

int cs_doc_code(struct cs_doc *d, const char *text)
{
    return add_span(d, S_CODE, text, NULL);
}

int cs_doc_link(struct cs_doc *d, const char *text, const char *href)
{
    return add_span(d, S_LINK, text, href);
}

static int add_cells(struct cs_doc *d, enum block_kind kind, size_t n, const char *const *cells,
                     const bool *numeric)
{
    struct block *b = add_block(d, kind);
    if (!b)
        return -1;
    b->cells = calloc(n ? n : 1, sizeof *b->cells);
    b->numeric = calloc(n ? n : 1, sizeof *b->numeric);
    if (!b->cells || !b->numeric) {
        d->failed = true;
        return -1;
    }
    b->n_cells = n;
    for (size_t c = 0; c < n; c++) {
        if (!(b->cells[c] = dup_str(d, cells[c])))
            return -1;
        b->numeric[c] = numeric && numeric[c];
    }
    return 0;
}

int cs_doc_table(struct cs_doc *d, size_t n, const char *const *header, const bool *numeric)
{
    d->table_cols = n;
    return add_cells(d, B_TABLE, n, header, numeric);
}

int cs_doc_row(struct cs_doc *d, const char *const *cells)
{
    return add_cells(d, B_ROW, d->table_cols, cells, NULL);
}

int cs_doc_image(struct cs_doc *d, const char *file, const char *alt, const char *caption)
{
    struct block *b = add_block(d, B_IMAGE);
    if (!b)
        return -1;
    b->file = dup_str(d, file);
    b->alt = dup_str(d, alt);
    b->caption = dup_str(d, caption);
    return b->file && b->alt && b->caption ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Markdown
 * --------------------------------------------------------------------- */

static void md_spans(FILE *f, const struct block *b)
{
    for (size_t s = 0; s < b->n_spans; s++) {
        const struct span *sp = &b->spans[s];
        switch (sp->kind) {
        case S_TEXT:
            cs_md_text(f, sp->text);
            break;
        case S_BOLD:
            fputs("**", f);
            cs_md_text(f, sp->text);
            fputs("**", f);
            break;
        case S_CODE:
            /* inline code cannot escape: use a fence longer than any run
             * of backquotes inside */
            fputs("`` ", f);
            for (const char *p = sp->text; *p; p++)
                fputc((unsigned char)*p < 0x20 ? ' ' : *p == '`' ? '\'' : *p, f);
            fputs(" ``", f);
            break;
        case S_LINK:
            fputc('[', f);
            cs_md_text(f, sp->text);
            fputs("](", f);
            for (const char *p = sp->href; *p; p++)
                if ((unsigned char)*p > 0x20 && *p != '(' && *p != ')')
                    fputc(*p, f);
            fputc(')', f);
            break;
        }
    }
}

void cs_doc_markdown(const struct cs_doc *d, FILE *f)
{
    bool in_box = false;
    fputs("# ", f);
    cs_md_text(f, d->title);
    fputs("\n", f);
    for (size_t i = 0; i < d->n; i++) {
        const struct block *b = &d->blocks[i];
        const char *quote = in_box ? "> " : "";
        switch (b->kind) {
        case B_HEADING:
            fprintf(f, "\n%.*s ", b->level + 1, "######");
            cs_md_text(f, b->spans[0].text);
            fputs("\n", f);
            break;
        case B_PARA:
            fprintf(f, "%s\n%s", quote, quote);
            md_spans(f, b);
            fputs("\n", f);
            break;
        case B_BULLET:
            if (i == 0 || d->blocks[i - 1].kind != B_BULLET)
                fprintf(f, "%s\n", quote);
            fprintf(f, "%s- ", quote);
            md_spans(f, b);
            fputs("\n", f);
            break;
        case B_BOX_START:
            in_box = true;
            fputs("\n", f);
            break;
        case B_BOX_END:
            in_box = false;
            break;
        case B_TABLE:
        case B_ROW:
            if (b->kind == B_TABLE)
                fputs("\n", f);
            fputs("|", f);
            for (size_t c = 0; c < b->n_cells; c++) {
                fputc(' ', f);
                cs_md_text(f, b->cells[c]);
                fputs(" |", f);
            }
            fputs("\n", f);
            if (b->kind == B_TABLE) {
                fputs("|", f);
                for (size_t c = 0; c < b->n_cells; c++)
                    fputs(b->numeric[c] ? "---:|" : "---|", f);
                fputs("\n", f);
            }
            break;
        case B_IMAGE:
            fputs("\n![", f);
            cs_md_text(f, b->alt);
            fprintf(f, "](%s)\n", b->file);
            if (b->caption[0]) {
                fputs("\n*", f);
                cs_md_text(f, b->caption);
                fputs("*\n", f);
            }
            break;
        }
    }
}

/* ------------------------------------------------------------------------
 * HTML
 * --------------------------------------------------------------------- */

static const char css[] =
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;"
    "max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.2rem;"
    "border-bottom:1px solid #d8dde6;padding-bottom:.2rem}h3{font-size:1.1rem}"
    "table{border-collapse:collapse;margin:1rem 0;font-size:.92rem;max-width:100%;display:block;"
    "overflow-x:auto}th,td{border-bottom:1px solid #e3e7ee;padding:.3rem .6rem;text-align:left;"
    "vertical-align:top}th{background:#f3f5f8}td.n,th.n{text-align:right;font-variant-numeric:"
    "tabular-nums}figure{margin:1.2rem 0}img{max-width:100%;height:auto;border:1px solid #e3e7ee}"
    "figcaption{font-size:.9rem;color:#4a5568}code{background:#f3f5f8;padding:0 .2rem;"
    "word-break:break-all}.box{border-left:4px solid #2f855a;background:#f0fff4;padding:.3rem 1rem;"
    "margin:1rem 0}.box.warn{border-color:#c05621;background:#fffaf0}p,li{overflow-wrap:anywhere}"
    ".nw{white-space:nowrap}"
    "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}figure,table{"
    "page-break-inside:avoid}a{color:inherit}}";

/* Identifiers that must not break at their hyphen ("SMB-Q", "ENT-Y:",
 * "FR-129", "Mid-Market"): a word of at most ID_MAX bytes with a hyphen
 * between two letters or digits, one of them a capital or a digit.  Plain
 * words ("rep-periods", "off-roadmap") may still break there, and longer
 * words may wrap: a page never scrolls for them. */
#define ID_MAX 40

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

static bool is_upper_or_digit(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static bool hyphenated_id(const char *w, size_t len)
{
    if (len > ID_MAX)
        return false;
    for (size_t i = 1; i + 1 < len; i++) {
        unsigned char a = (unsigned char)w[i - 1], b = (unsigned char)w[i + 1];
        if (w[i] == '-' && is_alnum(a) && is_alnum(b) && (is_upper_or_digit(a) || is_upper_or_digit(b)))
            return true;
    }
    return false;
}

/* cs_html_text of s[0..len). */
static void html_piece(FILE *f, const char *s, size_t len)
{
    char buf[ID_MAX + 1];
    for (size_t i = 0; i < len; i += ID_MAX) {
        size_t k = len - i < ID_MAX ? len - i : ID_MAX;
        memcpy(buf, s + i, k);
        buf[k] = '\0';
        cs_html_text(f, buf);
    }
}

/* cs_html_text of s, with each hyphenated identifier in a span that does
 * not wrap (class nw: white-space:nowrap), so that "SMB-Q" never reads
 * "SMB-" and "Q" on two lines. */
static void html_text_ids(FILE *f, const char *s)
{
    while (*s) {
        size_t sp = strspn(s, " \t\n");
        html_piece(f, s, sp);
        s += sp;
        size_t len = strcspn(s, " \t\n");
        bool id = hyphenated_id(s, len);
        if (id)
            fputs("<span class=\"nw\">", f);
        html_piece(f, s, len);
        if (id)
            fputs("</span>", f);
        s += len;
    }
}

static void html_spans(FILE *f, const struct block *b)
{
    for (size_t s = 0; s < b->n_spans; s++) {
        const struct span *sp = &b->spans[s];
        switch (sp->kind) {
        case S_TEXT:
            html_text_ids(f, sp->text);
            break;
        case S_BOLD:
            fputs("<strong>", f);
            html_text_ids(f, sp->text);
            fputs("</strong>", f);
            break;
        case S_CODE:
            fputs("<code>", f);
            cs_html_text(f, sp->text);
            fputs("</code>", f);
            break;
        case S_LINK:
            fputs("<a href=\"", f);
            cs_html_text(f, sp->href);
            fputs("\">", f);
            cs_html_text(f, sp->text);
            fputs("</a>", f);
            break;
        }
    }
}

/* Base64 of the rest of in into f; false when reading failed (errno says why). */
static bool base64_stream(FILE *f, FILE *in)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char buf[3 * 4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        for (size_t i = 0; i < got; i += 3) {
            unsigned v = (unsigned)buf[i] << 16;
            if (i + 1 < got)
                v |= (unsigned)buf[i + 1] << 8;
            if (i + 2 < got)
                v |= buf[i + 2];
            fputc(tab[v >> 18 & 63], f);
            fputc(tab[v >> 12 & 63], f);
            fputc(i + 1 < got ? tab[v >> 6 & 63] : '=', f);
            fputc(i + 2 < got ? tab[v & 63] : '=', f);
        }
    }
    return !ferror(in);
}

bool cs_base64_file(FILE *f, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    bool ok = base64_stream(f, in);
    fclose(in);
    return ok;
}

enum cs_status cs_doc_html(const struct cs_doc *d, FILE *f, const char *base_dir,
                           struct cs_error *err)
{
    enum cs_status st = CS_OK;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    cs_html_text(f, d->title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    cs_html_text(f, d->title);
    fputs("</h1>\n", f);
    bool in_list = false, in_table = false;
    const struct block *head = NULL;     /* the last table's header, for its rows */
    for (size_t i = 0; i < d->n; i++) {
        const struct block *b = &d->blocks[i];
        if (in_list && b->kind != B_BULLET) {
            fputs("</ul>\n", f);
            in_list = false;
        }
        if (in_table && b->kind != B_ROW) {
            fputs("</tbody></table>\n", f);
            in_table = false;
        }
        switch (b->kind) {
        case B_HEADING:
            fprintf(f, "<h%d>", b->level + 1);
            cs_html_text(f, b->spans[0].text);
            fprintf(f, "</h%d>\n", b->level + 1);
            break;
        case B_PARA:
            fputs("<p>", f);
            html_spans(f, b);
            fputs("</p>\n", f);
            break;
        case B_BULLET:
            if (!in_list)
                fputs("<ul>\n", f);
            in_list = true;
            fputs("<li>", f);
            html_spans(f, b);
            fputs("</li>\n", f);
            break;
        case B_BOX_START:
            fprintf(f, "<div class=\"box%s\">\n", b->level == CS_BOX_WARN ? " warn" : "");
            break;
        case B_BOX_END:
            fputs("</div>\n", f);
            break;
        case B_TABLE:
            fputs("<table><thead><tr>", f);
            for (size_t c = 0; c < b->n_cells; c++) {
                fputs(b->numeric[c] ? "<th class=\"n\">" : "<th>", f);
                html_text_ids(f, b->cells[c]);
                fputs("</th>", f);
            }
            fputs("</tr></thead><tbody>\n", f);
            in_table = true;
            head = b;
            break;
        case B_ROW: {
            const struct block *h = head ? head : b;
            fputs("<tr>", f);
            for (size_t c = 0; c < b->n_cells; c++) {
                fputs(c < h->n_cells && h->numeric[c] ? "<td class=\"n\">" : "<td>", f);
                html_text_ids(f, b->cells[c]);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
            break;
        }
        case B_IMAGE: {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", base_dir, b->file);
            fputs("<figure>", f);
            /* Only an image that is not there is shown as its text: one
             * that cannot be read (out of memory for the stream, an I/O
             * error) would make a page without its picture. */
            int read_errno = 0;
            errno = 0;
            FILE *in = fopen(path, "rb");
            if (!in && errno != ENOENT)
                read_errno = errno ? errno : EIO;
            if (in) {
                fputs("<img alt=\"", f);
                cs_html_text(f, b->alt);
                fputs("\" src=\"data:image/png;base64,", f);
                errno = 0;
                if (!base64_stream(f, in))
                    read_errno = errno ? errno : EIO;
                fclose(in);
                fputs("\">", f);
            } else {
                fputs("<p><em>(plot not available: ", f);
                cs_html_text(f, b->alt);
                fputs(")</em></p>", f);
            }
            if (b->caption[0]) {
                fputs("<figcaption>", f);
                cs_html_text(f, b->caption);
                fputs("</figcaption>", f);
            }
            fputs("</figure>\n", f);
            if (read_errno && st == CS_OK)
                st = read_errno == ENOMEM
                         ? cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory")
                         : cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                        "cannot embed %s in the HTML: %s", b->file,
                                        strerror(read_errno));
            break;
        }
        }
    }
    if (in_list)
        fputs("</ul>\n", f);
    if (in_table)
        fputs("</tbody></table>\n", f);
    fputs("</body>\n</html>\n", f);
    return st;
}

enum cs_status cs_doc_write(const struct cs_doc *d, const char *dir, const char *name,
                            struct cs_error *err)
{
    char file[64];
    struct cs_atomic a;
    snprintf(file, sizeof file, "%s.md", name);
    enum cs_status st = cs_atomic_open(&a, dir, file, err);
    if (st != CS_OK)
        return st;
    cs_doc_markdown(d, a.f);
    if ((st = cs_atomic_commit(&a, err)) != CS_OK)
        return st;
    snprintf(file, sizeof file, "%s.html", name);
    if ((st = cs_atomic_open(&a, dir, file, err)) != CS_OK)
        return st;
    if ((st = cs_doc_html(d, a.f, dir, err)) != CS_OK) {
        cs_atomic_abort(&a);
        return st;
    }
    return cs_atomic_commit(&a, err);
}
