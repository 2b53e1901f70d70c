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

/* The corporate currency, when the data or --currency named one, and the
 * currencies converted to it (SPEC 12); nothing for data without. */
static void print_currency(FILE *out, const struct cs_dataset *ds)
{
    if (!ds->currency[0])
        return;
    fprintf(out, "currency: amounts in %s", ds->currency);
    for (size_t i = 0; i < ds->n_converted; i++) {
        const struct cs_currency_use *u = &ds->converted[i];
        fprintf(out, "%s%s (", i ? ", " : ", converted from ", u->code);
        if (u->deals)
            fprintf(out, "%llu deal%s", (unsigned long long)u->deals, u->deals == 1 ? "" : "s");
        if (u->commissions)
            fprintf(out, "%s%llu commission line%s", u->deals ? ", " : "",
                    (unsigned long long)u->commissions, u->commissions == 1 ? "" : "s");
        fputc(')', out);
    }
    fputc('\n', out);
}

/* The listing: the rejects (counted by reason, or every one with --all),
 * then rows read, used, rejected (and excluded) per file.  0, or the
 * status of a failure. */
static enum cs_status print_listing(FILE *out, const struct cs_options *opt,
                                    const struct cs_session *s, size_t won, struct cs_error *err)
{
    const struct cs_dataset *ds = s->ds;
    struct cs_diagnosis dg = {0};
    enum cs_status st;
    if (opt->all) {
        for (size_t i = 0; i < ds->n_rejects; i++)
            print_reject(out, &ds->rejects[i]);
        for (size_t i = 0; i < ds->n_excluded; i++)
            print_excluded(out, &ds->excluded[i]);
        if (ds->n_rejects || ds->n_excluded)
            fputc('\n', out);
    }
    if ((st = cs_diagnose(ds, &dg, err)) != CS_OK)
        return st;
    if (dg.n_reasons) {
        cs_print_diagnosis(out, ds, &dg, "", (size_t)-1);
        fputc('\n', out);
    }
    cs_diagnosis_free(&dg);

    bool any_excluded = ds->n_excluded > 0;
    fprintf(out, "data: %s\n", s->data_dir);
    fprintf(out, "%-18s %10s %10s %10s", "file", "read", "used", "rejected");
    fprintf(out, any_excluded ? " %10s\n" : "\n", "excluded");
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            if (def->listed_absent)
                fprintf(out, "%-18s %10s\n", def->file, "absent");
            continue;
        }
        fprintf(out, "%-18s %10llu %10llu %10llu", def->file, (unsigned long long)c->read,
                (unsigned long long)c->used, (unsigned long long)c->rejected);
        if (any_excluded)
            fprintf(out, " %10llu", (unsigned long long)c->excluded);
        fputc('\n', out);
    }
    print_notes(out, ds);
    print_currency(out, ds);
    fprintf(out, "won deals: %zu\n", won);
    if (!ds->counts[CS_T_PROMISES].present || !ds->counts[CS_T_ROADMAP].present)
        fprintf(out, "note: without roadmap.csv and promises.csv there is no promise analysis\n");
    return CS_OK;
}

enum cs_status cs_cmd_check(const struct cs_options *opt, const struct cs_io *io,
                            struct cs_error *err)
{
    struct cs_session s;
    enum cs_status st = cs_session_open(opt, io, &s, err);
    if (st != CS_OK)
        return st;
    const struct cs_dataset *ds = s.ds;
    uint64_t rejected = 0;
    for (int t = 0; t < CS_T_COUNT; t++)
        rejected += ds->counts[t].present ? ds->counts[t].rejected : 0;
    size_t won = 0;
    for (size_t i = 0; i < ds->deals.n; i++)
        won += ds->deals.stage[i] == CS_STAGE_WON;
    /* --quiet: the exit status says it all (and an error, on stderr, why) */
    if (!io->quiet && (st = print_listing(io->out, opt, &s, won, err)) != CS_OK)
        goto out;

    if (won == 0)
        st = cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                          "no usable won deals: nothing to analyse");
    else if (rejected && opt->strict)
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%llu rows rejected (--strict)%s", (unsigned long long)rejected,
                          io->quiet ? "; 'compsight check' without --quiet lists them" : "");
    else if ((st = cs_session_max_rejected(opt, ds, err)) == CS_OK)
        cs_io_done(io, "%s", rejected ? "usable, with the rejects listed above" : "usable");
out:
    cs_session_close(&s);
    return st;
}
