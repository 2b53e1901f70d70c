/* doc.h - a small document model rendered as Markdown or as self-contained HTML. */
#ifndef COMPSIGHT_DOC_H
#define COMPSIGHT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "compsight/status.h"

/*
 * The report is built once as a list of blocks holding plain, unescaped
 * text; each renderer escapes for its own format (output.h), so data-derived
 * strings never reach Markdown or HTML raw.  A paragraph is a run of spans;
 * a span is plain, bold, code or a link.  The doc owns copies of every
 * string it is given.  Functions that add content return 0, or -1 when out
 * of memory (the doc stays valid; cs_doc_failed tells afterwards).
 */
struct cs_doc;

enum cs_doc_box { CS_BOX_NONE = 0, CS_BOX_OK, CS_BOX_WARN };

struct cs_doc *cs_doc_new(const char *title);       /* NULL on OOM */
void cs_doc_free(struct cs_doc *d);                  /* accepts NULL */
bool cs_doc_failed(const struct cs_doc *d);          /* some addition ran out of memory */

int cs_doc_heading(struct cs_doc *d, int level, const char *text);

/* Start a paragraph (or a bullet item, or a paragraph inside a note box). */
int cs_doc_para(struct cs_doc *d);
int cs_doc_bullet(struct cs_doc *d);
int cs_doc_box(struct cs_doc *d, enum cs_doc_box kind);   /* the box holds the spans that follow until cs_doc_end_box */
int cs_doc_end_box(struct cs_doc *d);

/* Spans, appended to the current paragraph or bullet. */
int cs_doc_text(struct cs_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cs_doc_bold(struct cs_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cs_doc_code(struct cs_doc *d, const char *text);
int cs_doc_link(struct cs_doc *d, const char *text, const char *href);

/* A table: cs_doc_table with the header cells, then rows of n cells each;
 * right-aligned columns are marked in `numeric` (may be NULL). */
int cs_doc_table(struct cs_doc *d, size_t n, const char *const *header, const bool *numeric);
int cs_doc_row(struct cs_doc *d, const char *const *cells);

/* An image: file relative to the report (plots/x.png), its alt text and a
 * caption.  HTML embeds the file from base_dir as a data: URI. */
int cs_doc_image(struct cs_doc *d, const char *file, const char *alt, const char *caption);

/* Render.  Markdown links images by path; HTML embeds them from base_dir
 * (an image that is not there is shown as its alt text and caption).
 * cs_doc_html fails (the whole page written all the same) when an image
 * that is there cannot be read: CS_ERR_NOMEM when out of memory, else
 * CS_ERR_OUTPUT; the caller then drops the page. */
void cs_doc_markdown(const struct cs_doc *d, FILE *f);
enum cs_status cs_doc_html(const struct cs_doc *d, FILE *f, const char *base_dir,
                           struct cs_error *err);

/* DIR/NAME.md and DIR/NAME.html (images embedded from dir), each written
 * atomically (output.h); errors as cs_atomic_*. */
enum cs_status cs_doc_write(const struct cs_doc *d, const char *dir, const char *name,
                            struct cs_error *err);

/* Base64 of a file's bytes into f; false when the file cannot be read. */
bool cs_base64_file(FILE *f, const char *path);

#endif
