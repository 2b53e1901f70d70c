/* cmd_check.c - `compsight check`: validate the inputs, rejects counted by reason with hints (or every one), sum up per file. */
#include <string.h>

#include "compsight/commands.h"
#include "compsight/diagnose.h"

/* Print one reject as FILE:LINE: COLUMN: REASON, naming the file read and
 * the export's header (SPEC 12: "Type (type)"). */
static void print_reject(FILE *out, const struct cs_reject *r)
{
    char label[160];
    fprintf(out, "%s:%u: ", r->source_file, r->line);
    if (r->column[0])
        fprintf(out, "%s: ", cs_column_label(label, sizeof label, r->source_column, r->column));
    fprintf(out, "%s\n", r->reason);
}

static void print_excluded(FILE *out, const struct cs_excluded *e)
{
    fprintf(out, "%s:%u: excluded: %s\n", e->source_file, e->line, e->reason);
}

/* "deals.csv" or "Opportunity.csv (deals.csv)". */
static const char *file_label(char *buf, size_t n, const struct cs_source *so)
{
    const char *file = cs_schema_table((enum cs_table)so->table)->file;
    return cs_column_label(buf, n, so->file, file);
}

void cs_print_diagnosis(FILE *out, const struct cs_dataset *ds, const struct cs_diagnosis *d,
                        const char *prefix, size_t max_reasons)
{
    char label[320], col[160];
    size_t h = 0;
    for (size_t k = 0; k < d->n_reasons;) {
        uint32_t s = d->reasons[k].source;
        const struct cs_source *so = &ds->sources[s];
        fprintf(out, "%s%s: %llu of %llu rows rejected\n", prefix,
                file_label(label, sizeof label, so), (unsigned long long)so->rejected,
                (unsigned long long)so->read);
        size_t shown = 0;
        for (; k < d->n_reasons && d->reasons[k].source == s; k++, shown++) {
            const struct cs_reason *g = &d->reasons[k];
            if (shown == max_reasons) {
                size_t more = 0;
                while (k < d->n_reasons && d->reasons[k].source == s)
                    more++, k++;
                fprintf(out, "%s  (and %zu other reason%s: compsight check lists them)\n",
                        prefix, more, more == 1 ? "" : "s");
                break;
            }
            fprintf(out, "%s  %8llu  ", prefix, (unsigned long long)g->count);
            if (g->first->column[0])
                fprintf(out, "%s: ", cs_column_label(col, sizeof col, g->first->source_column,
                                                     g->first->column));
            fprintf(out, "%s  (line%s", g->first->reason, g->n_lines > 1 ? "s" : "");
            for (size_t i = 0; i < g->n_lines; i++)
                fprintf(out, "%s %u", i ? "," : "", g->lines[i]);
            fprintf(out, "%s)\n", g->count > g->n_lines ? ", ..." : "");
        }
        for (; h < d->n_hints && d->hints[h].source <= s; h++)
            if (d->hints[h].source == s)
                fprintf(out, "%s  hint: %s\n", prefix, d->hints[h].text);
    }
}

/* What the summary says of how files were read, when it is not the plain
 * case (SPEC 12: the data warnings name the file), one line a file. */
static void print_notes(FILE *out, const struct cs_dataset *ds)
{
    char label[320];
    for (size_t i = 0; i < ds->n_sources; i++) {
        const struct cs_source *so = &ds->sources[i];
        const char *sep = ": ";
        if (!so->encoding_detected && so->encoding == CS_ENC_UTF8 && so->delimiter == ',' &&
            !so->excluded)
            continue;
        fprintf(out, "note: %s", file_label(label, sizeof label, so));
        if (so->encoding_detected) {
            fprintf(out, "%snot UTF-8, read as Windows-1252", sep);
            sep = "; ";
        } else if (so->encoding != CS_ENC_UTF8) {
            fprintf(out, "%sread as %s", sep, cs_encoding_name(so->encoding));
            sep = "; ";
        }
        if (so->delimiter != ',') {
            fprintf(out, "%sdelimited by %s", sep,
                    so->delimiter == '\t' ? "tabs" : so->delimiter == ';' ? "semicolons"
                    : so->delimiter == '|' ? "'|'" : "another character");
            sep = "; ";
        }
        if (so->excluded) {
            fprintf(out, "%s%llu row%s excluded (", sep, (unsigned long long)so->excluded,
                    so->excluded == 1 ? "" : "s");
            for (size_t r = 0; r < so->n_reasons; r++) {
                uint64_t n = 0;
                for (size_t e = 0; e < ds->n_excluded; e++)
                    n += ds->excluded[e].source == i && ds->excluded[e].reason == so->reasons[r];
                fprintf(out, "%s%s: %llu", r ? ", " : "", so->reasons[r], (unsigned long long)n);
            }
            fprintf(out, "; check --all lists them)");
        }
        fputc('\n', out);
    }
}

enum cs_status cs_cmd_check(const struct cs_options *opt, const struct cs_io *io,
                            struct cs_error *err)
{
    struct cs_session s;
    struct cs_diagnosis dg = {0};
    enum cs_status st = cs_session_open(opt, io, &s, err);
    if (st != CS_OK)
        return st;
    const struct cs_dataset *ds = s.ds;
    if (opt->all) {
        for (size_t i = 0; i < ds->n_rejects; i++)
            print_reject(io->out, &ds->rejects[i]);
        for (size_t i = 0; i < ds->n_excluded; i++)
            print_excluded(io->out, &ds->excluded[i]);
        if (ds->n_rejects || ds->n_excluded)
            fputc('\n', io->out);
    }
    if ((st = cs_diagnose(ds, &dg, err)) != CS_OK)
        goto out;
    if (dg.n_reasons) {
        cs_print_diagnosis(io->out, ds, &dg, "", (size_t)-1);
        fputc('\n', io->out);
    }

    bool any_excluded = ds->n_excluded > 0;
    fprintf(io->out, "data: %s\n", s.data_dir);
    fprintf(io->out, "%-18s %10s %10s %10s", "file", "read", "used", "rejected");
    fprintf(io->out, any_excluded ? " %10s\n" : "\n", "excluded");
    uint64_t rejected = 0;
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            fprintf(io->out, "%-18s %10s\n", def->file, "absent");
            continue;
        }
        fprintf(io->out, "%-18s %10llu %10llu %10llu", def->file,
                (unsigned long long)c->read, (unsigned long long)c->used,
                (unsigned long long)c->rejected);
        if (any_excluded)
            fprintf(io->out, " %10llu", (unsigned long long)c->excluded);
        fputc('\n', io->out);
        rejected += c->rejected;
    }
    print_notes(io->out, ds);
    size_t won = 0;
    for (size_t i = 0; i < ds->deals.n; i++)
        won += ds->deals.stage[i] == CS_STAGE_WON;
    fprintf(io->out, "won deals: %zu\n", won);
    if (!ds->counts[CS_T_PROMISES].present || !ds->counts[CS_T_ROADMAP].present)
        fprintf(io->out, "note: without roadmap.csv and promises.csv there is no promise analysis\n");

    if (won == 0)
        st = cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                          "no usable won deals: nothing to analyse");
    else if (rejected && opt->strict)
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%llu rows rejected (--strict)", (unsigned long long)rejected);
    else if ((st = cs_session_max_rejected(opt, ds, err)) == CS_OK)
        fprintf(io->out, "%s\n", rejected ? "usable, with the rejects listed above" : "usable");
out:
    cs_diagnosis_free(&dg);
    cs_session_close(&s);
    return st;
}
