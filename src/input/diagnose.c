/* diagnose.c - rejects grouped by file and reason with their first lines, and the hints of SPEC 12. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/diagnose.h"
#include "compsight/mapfile.h"
#include "compsight/parse.h"

/*
 * Rejects of one reason share their file, their column and their kind:
 * the static format their reason was written from ("not a number: %s"),
 * or, for the reasons whose text is the point (an unknown value: each
 * value the map lacks is a reason of its own), the text itself.
 */
static const char *group_key(const struct cs_reject *r)
{
    return r->kind ? r->kind : r->reason;
}

static int cmp_group(const void *a, const void *b, void *ctx)
{
    const struct cs_reject *base = ctx;
    const struct cs_reject *x = &base[*(const size_t *)a], *y = &base[*(const size_t *)b];
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    int d = strcmp(x->column, y->column);
    if (d)
        return d;
    if ((x->kind == NULL) != (y->kind == NULL))
        return x->kind ? -1 : 1;
    d = strcmp(group_key(x), group_key(y));
    if (d)
        return d;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_reason(const void *a, const void *b)
{
    const struct cs_reason *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first->line < y->first->line ? -1 : x->first->line > y->first->line;
}

/* The index of column name in table t, or -1. */
static int column_index(enum cs_table t, const char *name)
{
    const struct cs_table_def *def = cs_schema_table(t);
    for (size_t c = 0; c < def->n_columns; c++)
        if (strcmp(def->columns[c].name, name) == 0)
            return (int)c;
    return -1;
}

static const char *const format_shape[3] = {"YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY"};
static const char *const format_name[3] = {"iso", "us", "eu"};

/* The hint for source so whose leading reason is r, covering n rows, or
 * "" when there is nothing to say. */
static void hint_for(const struct cs_dataset *ds, const struct cs_source *so,
                     const struct cs_reason *r, uint64_t n, uint64_t unknown_in_col,
                     char *buf, size_t size)
{
    const struct cs_reject *j = r->first;
    enum cs_table t = (enum cs_table)so->table;
    int c = column_index(t, j->column);
    char label[128];
    cs_column_label(label, sizeof label, j->source_column, j->column);
    buf[0] = '\0';
    (void)ds;
    if (c >= 0 && strncmp(j->reason, "not a date", 10) == 0) {
        int f = so->date_reads[c];
        if (f == CS_DATE_READS_EITHER)
            snprintf(buf, size, "most dates of %s read as M/D/YYYY and as D/M/YYYY (no day "
                     "above 12): choose --date-format us or eu (or date_format in the map)", label);
        else if (f >= 0 && f <= CS_DATE_EU)
            snprintf(buf, size, "most dates of %s are written %s: use --date-format %s (or "
                     "date_format = %s in the map)", label, format_shape[f], format_name[f],
                     format_name[f]);
        else
            snprintf(buf, size, "most dates of %s do not read in the date format chosen: "
                     "compare them with --date-format iso|us|eu (SPEC: YYYY-MM-DD, M/D/YYYY, "
                     "D/M/YYYY)", label);
    } else if (c >= 0 && strncmp(j->reason, "not a number", 12) == 0) {
        if (so->number_other_mark[c] * 2 > n)
            snprintf(buf, size, "most numbers of %s read with the other decimal mark: %s (or "
                     "decimal_comma = %s in the map)", label,
                     so->decimal_comma ? "drop --decimal-comma" : "use --decimal-comma",
                     so->decimal_comma ? "false" : "true");
    } else if (strcmp(j->reason, "invalid UTF-8") == 0) {
        snprintf(buf, size, "%s is not UTF-8: read it with --encoding windows-1252 (or "
                 "iso-8859-1), or leave --encoding at auto", so->file);
    } else if (strncmp(j->reason, "not Windows-1252 text", 21) == 0) {
        snprintf(buf, size, "%s holds bytes that are no Windows-1252 character: try --encoding "
                 "iso-8859-1", so->file);
    } else if (unknown_in_col) {
        snprintf(buf, size, "the map lists no value for most %s values (\"unknown value\" above): "
                 "add them to the map as %s.VALUE = A, B (data/maps/README.md)", label, j->column);
    } else if (strstr(j->reason, "owns deals but has no plan_id")) {
        snprintf(buf, size, "most deals belong to reps without a plan: give them one (a "
                 "plan_id column, or plan_id.default = PLAN in the [reps] section of your map)");
    } else if (strcmp(j->reason, "required value is missing") == 0) {
        snprintf(buf, size, "%s is blank in most rows: if a blank means one value, add "
                 "%s.blank = VALUE to the map", label, j->column);
    }
}

enum cs_status cs_diagnose(const struct cs_dataset *ds, struct cs_diagnosis *out,
                           struct cs_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = ds->n_rejects;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    out->reasons = malloc((n ? n : 1) * sizeof *out->reasons);
    out->hints = calloc(ds->n_sources ? ds->n_sources : 1, sizeof *out->hints);
    if (!idx || !out->reasons || !out->hints) {
        free(idx);
        cs_diagnosis_free(out);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    qsort_r(idx, n, sizeof *idx, cmp_group, (void *)ds->rejects);
    for (size_t i = 0; i < n;) {
        const struct cs_reject *r = &ds->rejects[idx[i]];
        struct cs_reason *g = &out->reasons[out->n_reasons++];
        memset(g, 0, sizeof *g);
        g->source = r->source;
        g->first = r;
        size_t j = i;
        for (; j < n; j++) {
            const struct cs_reject *x = &ds->rejects[idx[j]];
            if (x->source != r->source || strcmp(x->column, r->column) != 0 ||
                (x->kind == NULL) != (r->kind == NULL) || strcmp(group_key(x), group_key(r)) != 0)
                break;
            if (g->n_lines < 3)
                g->lines[g->n_lines++] = x->line;
            g->count++;
        }
        i = j;
    }
    free(idx);
    qsort(out->reasons, out->n_reasons, sizeof *out->reasons, cmp_reason);

    /* Hints: for a file most of whose rows fail, for its leading reason
     * (the unknown values of one column count as one reason) */
    for (size_t k = 0, s = 0; s < ds->n_sources; s++) {
        const struct cs_source *so = &ds->sources[s];
        uint64_t rows = so->read - so->excluded;
        while (k < out->n_reasons && out->reasons[k].source < s)
            k++;
        if (!rows || !so->rejected)
            continue;
        /* the unknown values of each column, added up */
        const struct cs_reason *lead = k < out->n_reasons && out->reasons[k].source == s
                                           ? &out->reasons[k] : NULL;
        uint64_t lead_n = lead ? lead->count : 0, unknown = 0;
        for (size_t m = k; m < out->n_reasons && out->reasons[m].source == s; m++) {
            const struct cs_reason *g = &out->reasons[m];
            if (g->first->kind || strncmp(g->first->reason, "unknown value", 13) != 0)
                continue;
            uint64_t sum = 0;
            for (size_t q = k; q < out->n_reasons && out->reasons[q].source == s; q++)
                if (!out->reasons[q].first->kind &&
                    strncmp(out->reasons[q].first->reason, "unknown value", 13) == 0 &&
                    strcmp(out->reasons[q].first->column, g->first->column) == 0)
                    sum += out->reasons[q].count;
            if (sum > lead_n || (sum == lead_n && lead == g)) {
                lead = g;
                lead_n = sum;
                unknown = sum;
            }
        }
        struct cs_hint *h = &out->hints[out->n_hints];
        h->source = (uint32_t)s;
        if (lead && (double)lead_n > CS_DIAGNOSE_MOST * (double)rows)
            hint_for(ds, so, lead, lead_n, unknown, h->text, sizeof h->text);
        if (!h->text[0] && (double)so->ragged > CS_DIAGNOSE_MOST * (double)rows &&
            (double)so->rejected > CS_DIAGNOSE_MOST * (double)rows)
            snprintf(h->text, sizeof h->text, "most rows of %s have another number of fields "
                     "than its header: is the delimiter '%s' right (--delimiter), or are numbers "
                     "written with a decimal comma and not quoted?", so->file,
                     so->delimiter == '\t' ? "tab" : (char[2]){so->delimiter, '\0'});
        if (h->text[0])
            out->n_hints++;
    }
    return CS_OK;
}

void cs_diagnosis_free(struct cs_diagnosis *d)
{
    if (!d)
        return;
    free(d->reasons);
    free(d->hints);
    memset(d, 0, sizeof *d);
}
