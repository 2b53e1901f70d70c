/* cmd_check.c - `compsight check`: validate the inputs, list every reject, sum up per file. */
#include <string.h>

#include "compsight/commands.h"

/* Print one reject as FILE:LINE: COLUMN: REASON. */
static void print_reject(FILE *out, const struct cs_reject *r)
{
    fprintf(out, "%s:%u: ", cs_schema_table((enum cs_table)r->table)->file, r->line);
    if (r->column[0])
        fprintf(out, "%s: ", r->column);
    fprintf(out, "%s\n", r->reason);
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

/* The listing: every reject, then rows read, used and rejected per file. */
static void print_listing(FILE *out, const struct cs_session *s, size_t won)
{
    const struct cs_dataset *ds = s->ds;
    for (size_t i = 0; i < ds->n_rejects; i++)
        print_reject(out, &ds->rejects[i]);
    if (ds->n_rejects)
        fputc('\n', out);
    fprintf(out, "data: %s\n", s->data_dir);
    fprintf(out, "%-18s %10s %10s %10s\n", "file", "read", "used", "rejected");
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            if (def->listed_absent)
                fprintf(out, "%-18s %10s\n", def->file, "absent");
        } else
            fprintf(out, "%-18s %10llu %10llu %10llu\n", def->file, (unsigned long long)c->read,
                    (unsigned long long)c->used, (unsigned long long)c->rejected);
    }
    print_currency(out, ds);
    fprintf(out, "won deals: %zu\n", won);
    if (!ds->counts[CS_T_PROMISES].present || !ds->counts[CS_T_ROADMAP].present)
        fprintf(out, "note: without roadmap.csv and promises.csv there is no promise analysis\n");
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
    if (!io->quiet)
        print_listing(io->out, &s, won);

    if (won == 0)
        st = cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                          "no usable won deals: nothing to analyse");
    else if (rejected && opt->strict)
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%llu rows rejected (--strict)%s", (unsigned long long)rejected,
                          io->quiet ? "; 'compsight check' without --quiet lists them" : "");
    else
        cs_io_done(io, "%s", rejected ? "usable, with the rejects listed above" : "usable");
    cs_session_close(&s);
    return st;
}
