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

enum cs_status cs_cmd_check(const struct cs_options *opt, const struct cs_io *io,
                            struct cs_error *err)
{
    struct cs_session s;
    enum cs_status st = cs_session_open(opt, io, &s, err);
    if (st != CS_OK)
        return st;
    const struct cs_dataset *ds = s.ds;
    for (size_t i = 0; i < ds->n_rejects; i++)
        print_reject(io->out, &ds->rejects[i]);
    if (ds->n_rejects)
        fputc('\n', io->out);

    fprintf(io->out, "data: %s\n", s.data_dir);
    fprintf(io->out, "%-18s %10s %10s %10s\n", "file", "read", "used", "rejected");
    uint64_t rejected = 0;
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            if (def->listed_absent)
                fprintf(io->out, "%-18s %10s\n", def->file, "absent");
            continue;
        }
        fprintf(io->out, "%-18s %10llu %10llu %10llu\n", def->file,
                (unsigned long long)c->read, (unsigned long long)c->used,
                (unsigned long long)c->rejected);
        rejected += c->rejected;
    }
    size_t won = 0;
    for (size_t i = 0; i < ds->deals.n; i++)
        won += ds->deals.stage[i] == CS_STAGE_WON;
    print_currency(io->out, ds);
    fprintf(io->out, "won deals: %zu\n", won);
    if (!ds->counts[CS_T_PROMISES].present || !ds->counts[CS_T_ROADMAP].present)
        fprintf(io->out, "note: without roadmap.csv and promises.csv there is no promise analysis\n");

    if (won == 0)
        st = cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                          "no usable won deals: nothing to analyse");
    else if (rejected && opt->strict)
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%llu rows rejected (--strict)", (unsigned long long)rejected);
    else
        fprintf(io->out, "%s\n", rejected ? "usable, with the rejects listed above" : "usable");
    cs_session_close(&s);
    return st;
}
