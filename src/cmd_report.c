/* cmd_report.c - `compsight report`: load, select the period, write the report files. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compsight/commands.h"
#include "compsight/output.h"
#include "compsight/select.h"

/* rejects.csv: file,line,column,reason, in file load order then line order. */
static enum cs_status write_rejects(const char *dir, const struct cs_dataset *ds,
                                    struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "rejects.csv", err);
    if (st != CS_OK)
        return st;
    fputs("file,line,column,reason\n", a.f);
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct cs_reject *r = &ds->rejects[i];
        fprintf(a.f, "%s,%u,", cs_schema_table((enum cs_table)r->table)->file, r->line);
        cs_csv_text(a.f, r->column);
        fputc(',', a.f);
        cs_csv_text(a.f, r->reason);
        fputc('\n', a.f);
    }
    return cs_atomic_commit(&a, err);
}

/* The "counts" object of results.json (SPEC section 9). */
static json_t *counts_json(const struct cs_dataset *ds, const struct cs_selection *sel,
                           const struct cs_calendar *cal)
{
    json_t *counts = json_object();
    json_t *read = json_object(), *used = json_object(), *rejected = json_object();
    json_t *missing = json_array();
    for (int t = 0; t < CS_T_COUNT; t++) {
        const char *file = cs_schema_table((enum cs_table)t)->file;
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            json_array_append_new(missing, json_string(file));
            continue;
        }
        json_object_set_new(read, file, json_integer((json_int_t)c->read));
        json_object_set_new(used, file, json_integer((json_int_t)c->used));
        json_object_set_new(rejected, file, json_integer((json_int_t)c->rejected));
    }
    size_t won = 0, won_sel = 0;
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (ds->deals.stage[i] != CS_STAGE_WON)
            continue;
        won++;
        won_sel += cs_selected(sel, cs_cal_quarter_code(cal, ds->deals.close[i]));
    }
    json_object_set_new(counts, "rows_read", read);
    json_object_set_new(counts, "rows_used", used);
    json_object_set_new(counts, "rows_rejected", rejected);
    json_object_set_new(counts, "files_absent", missing);
    json_object_set_new(counts, "won_deals", json_integer((json_int_t)won_sel));
    json_object_set_new(counts, "won_deals_all_periods", json_integer((json_int_t)won));
    return counts;
}

static enum cs_status write_results(const char *dir, const struct cs_session *s,
                                    const struct cs_selection *sel, const struct cs_options *opt,
                                    struct cs_error *err)
{
    json_t *root = json_object();
    if (!root)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    json_object_set_new(root, "period", json_string(sel->label));
    json_object_set_new(root, "fiscal_start", json_integer(s->cal.fiscal_start));
    json_object_set_new(root, "seed", json_integer((json_int_t)opt->seed));
    json_object_set_new(root, "counts", counts_json(s->ds, sel, &s->cal));
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "results.json", err);
    if (st == CS_OK) {
        if (json_dumpf(root, a.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) != 0) {
            cs_atomic_abort(&a);
            st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s/results.json: write failed", dir);
        } else {
            fputc('\n', a.f);
            st = cs_atomic_commit(&a, err);
        }
    }
    json_decref(root);
    return st;
}

enum cs_status cs_cmd_report(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    struct cs_session s;
    struct cs_selection sel;
    char out[PATH_MAX];
    enum cs_status st = cs_session_open(opt, io, &s, err);
    if (st != CS_OK)
        return st;
    size_t rejected = s.ds->n_rejects;
    if (rejected && opt->strict) {
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%zu rows rejected (--strict); 'compsight check' lists them", rejected);
        goto out;
    }
    st = cs_select_period(opt->period, s.ds, &s.cal, &sel, err);
    if (st != CS_OK)
        goto out;
    if (opt->out_dir)
        snprintf(out, sizeof out, "%s", opt->out_dir);
    else
        snprintf(out, sizeof out, "reports/%s", sel.label);
    st = cs_mkdir_p(out, 0777, err);
    if (st == CS_OK)
        st = write_rejects(out, s.ds, err);
    if (st == CS_OK)
        st = write_results(out, &s, &sel, opt, err);
    if (st == CS_OK) {
        if (rejected && !opt->quiet)
            fprintf(io->msg, "compsight: warning: %zu rows rejected, listed in %s/rejects.csv\n",
                    rejected, out);
        fprintf(io->out, "report written to %s/\n", out);
    }
out:
    cs_session_close(&s);
    return st;
}

enum cs_status cs_cmd_whatif(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    (void)opt;
    (void)io;
    return cs_error_set(err, CS_ERR_NOTIMPL, NULL, 0, NULL, "whatif: not implemented yet");
}

enum cs_status cs_cmd_propose(const struct cs_options *opt, const struct cs_io *io,
                              struct cs_error *err)
{
    (void)opt;
    (void)io;
    return cs_error_set(err, CS_ERR_NOTIMPL, NULL, 0, NULL, "propose: not implemented yet");
}
