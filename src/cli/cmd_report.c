/* cmd_report.c - `compsight report`: load, select the period, write the report files. */
#include <errno.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/backtest.h"
#include "compsight/commands.h"
#include "compsight/dealscsv.h"
#include "compsight/diagnose.h"
#include "compsight/doc.h"
#include "compsight/plot.h"
#include "compsight/rejectscsv.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/side.h"
#include "compsight/output.h"
#include "compsight/select.h"
#include "compsight/strpool.h"
#include "propose.h"
#include "stage.h"

/* rejects.csv: file,line,column,reason,source_file,source_column (SPEC
 * 12), in file load order then line order; rep identifiers as pseudonyms
 * (key), or as read (key NULL, the private copy). */
static enum cs_status write_rejects(const char *dir, const struct cs_dataset *ds,
                                    const struct cs_key *key, struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "rejects.csv", err);
    if (st != CS_OK)
        return st;
    cs_rejects_csv_write(a.f, ds, key);
    return cs_atomic_commit(&a, err);
}

/* excluded.csv (SPEC 12): file,line,reason,source_file of every row left
 * out on purpose (footers, exclude.HEADER), in load order. */
static enum cs_status write_excluded(const char *dir, const struct cs_dataset *ds,
                                     struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "excluded.csv", err);
    if (st != CS_OK)
        return st;
    fputs("file,line,reason,source_file\n", a.f);
    for (size_t i = 0; i < ds->n_excluded; i++) {
        const struct cs_excluded *e = &ds->excluded[i];
        fprintf(a.f, "%s,%u,", cs_schema_table((enum cs_table)e->table)->file, e->line);
        cs_csv_text(a.f, e->reason);
        fputc(',', a.f);
        cs_csv_text(a.f, e->source_file);
        fputc('\n', a.f);
    }
    return cs_atomic_commit(&a, err);
}

/* deals.csv with pseudonyms (key), or with --private also
 * private/deals.csv with the rep ids (key NULL). */
static enum cs_status write_deals(const char *dir, const char *name, const struct cs_measured *m,
                                  const struct cs_key *key, const struct cs_disclosure *disc,
                                  struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, name, err);
    if (st != CS_OK)
        return st;
    cs_deals_csv_write(a.f, m->ds, m->cal, m->inc, m->oc, m->sel, key, disc);
    return cs_atomic_commit(&a, err);
}

/* Everything computed once per run, whatever the number of reports. */
struct computed {
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_reconciliation *rec;
};

/* The session's data set as measured, for one selection. */
static struct cs_measured measured(const struct cs_session *s, const struct computed *c,
                                   const struct cs_selection *sel)
{
    return (struct cs_measured){s->ds, &s->cal, c->inc, c->oc, sel};
}

/*
 * deals.csv needs only the measures, and a million rows of numbers take a
 * while to format: it is written on a second thread while the analysis,
 * the plots and the proposal run on this one (all of them only read the
 * data).  Its error, if any, is reported as if it had been written where it
 * used to be, after rejects.csv: an earlier failure on this thread wins,
 * a later one loses to it.
 */
struct deals_job {
    const char *dir;
    const struct cs_measured *m;
    const struct cs_key *key;        /* the pseudonyms of the shared deals.csv */
    const struct cs_disclosure *disc;    /* its teams and plans too small to show */
    bool private_mode;               /* private/deals.csv too, with the rep ids */
    enum cs_status st;
    struct cs_error err;
    struct side_job side;
};

static void *deals_main(void *arg)
{
    struct deals_job *j = arg;
    cs_error_clear(&j->err);
    j->st = write_deals(j->dir, "deals.csv", j->m, j->key, j->disc, &j->err);
    if (j->st == CS_OK && j->private_mode) {
        char pdir[PATH_MAX];
        snprintf(pdir, sizeof pdir, "%s/private", j->dir);
        j->st = write_deals(pdir, "deals.csv", j->m, NULL, NULL, &j->err);
    }
    return NULL;
}

/*
 * SPEC 5 and 6 side by side: the incentives here, the outcomes (promises
 * and claims, which do not depend on them) on a second thread.  An error
 * of the incentives is reported before one of the outcomes, as when they
 * ran one after the other.
 */
struct outcomes_job {
    const struct cs_session *s;
    struct cs_outcomes *oc;
    enum cs_status st;
    struct cs_error err;
    struct side_job side;
};

static void *outcomes_main(void *arg)
{
    struct outcomes_job *j = arg;
    cs_error_clear(&j->err);
    j->st = cs_outcomes_compute(j->s->ds, &j->s->cal, &j->oc, &j->err);
    return NULL;
}

struct plots_job {
    const char *dir;
    const struct cs_measured *m;
    const struct cs_analysis *an;
    bool all;
    struct cs_plot_list *plots;
    enum cs_status st;
    struct cs_error err;
    struct side_job side;
};

static void *plots_main(void *arg)
{
    struct plots_job *j = arg;
    const struct cs_measured *m = j->m;
    cs_error_clear(&j->err);
    j->st = cs_plots_write(j->dir, m, j->an, j->all, j->plots, &j->err);
    return NULL;
}

static enum cs_status measure(const struct cs_session *s, struct computed *c, struct cs_error *err)
{
    struct outcomes_job j = {.s = s};
    side_start(&j.side, outcomes_main, &j);
    enum cs_status st = cs_incentives_compute(s->ds, &s->ds->plans, &s->cal, &c->inc, err);
    side_join(&j.side);
    c->oc = j.oc;
    if (st == CS_OK && j.st != CS_OK) {
        *err = j.err;
        st = j.st;
    }
    return st;
}

/* Wall-clock seconds, for --timings. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The process's resident memory in MiB (Linux), now and at its peak so
 * far; 0 if unknown. */
static void memory_mib(double *now_mib, double *peak)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    *now_mib = *peak = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            *peak = strtod(line + 6, NULL) / 1024;
        else if (strncmp(line, "VmRSS:", 6) == 0)
            *now_mib = strtod(line + 6, NULL) / 1024;
    }
    if (f)
        fclose(f);
}

static void timing(const struct cs_options *opt, const struct cs_io *io, const char *what,
                   double *t0)
{
    double t = now();
    if (opt->timings) {
        double rss, peak;
        memory_mib(&rss, &peak);
        fprintf(io->msg, "compsight: timing: %-22s %8.3f s   (memory now %.0f MiB, peak so far "
                         "%.0f MiB)\n", what, t - *t0, rss, peak);
    }
    *t0 = t;
}

static enum cs_status write_doc(const char *dir, const struct cs_doc *doc, struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "report.md", err);
    if (st != CS_OK)
        return st;
    cs_doc_markdown(doc, a.f);
    if ((st = cs_atomic_commit(&a, err)) != CS_OK)
        return st;
    if ((st = cs_atomic_open(&a, dir, "report.html", err)) != CS_OK)
        return st;
    if ((st = cs_doc_html(doc, a.f, dir, err)) != CS_OK) {
        cs_atomic_abort(&a);
        return st;
    }
    return cs_atomic_commit(&a, err);
}

/* ------------------------------------------------------------------------
 * One report, step by step
 * --------------------------------------------------------------------- */

/* What one report is written from. */
struct report_job {
    const char *dir;                 /* where its files are written (the staging directory) */
    const char *final;               /* where they end up, for text and warnings that name them */
    struct cs_measured m;            /* the data set measured, with this report's selection */
    const struct cs_reconciliation *rec;   /* SPEC 7.9, or NULL without commission statements */
    const char *data_dir;            /* the data directory read */
    const char *index_href;          /* the --period each index, or NULL */
    const struct cs_key *key;        /* the pseudonyms' key */
    const struct cs_options *opt;
    const struct cs_io *io;
};

/* What the steps of one report make; parts_free releases it. */
struct report_parts {
    struct cs_analysis *an;
    json_t *results;                 /* results.json */
    bool past_rejects;               /* rejects.csv is written: a deals.csv error now wins */
    struct cs_plot_list plots;
    char plots_note[1400];           /* for the report: why plots are missing, or "" */
    bool proposal;                   /* proposal/ is written */
    struct cs_proposal_summary summary;  /* what the report says of it */
    struct cs_doc *doc;
};

static void parts_free(struct report_parts *p)
{
    cs_doc_free(p->doc);
    cs_plot_list_free(&p->plots);
    json_decref(p->results);
    cs_analysis_free(p->an);
}

/* results.json and rejects.csv, from the analysis. */
static enum cs_status write_results(const struct report_job *rj, struct report_parts *p,
                                    struct cs_error *err)
{
    enum cs_status st = CS_OK;
    if (!(p->results = cs_results_json(rj->m.ds, rj->m.cal, p->an, rj->rec)))
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st == CS_OK)
        st = write_rejects(rj->dir, rj->m.ds, rj->key, err);
    if (st == CS_OK && rj->opt->private_mode) {
        char pdir[PATH_MAX];
        snprintf(pdir, sizeof pdir, "%s/private", rj->dir);
        st = write_rejects(pdir, rj->m.ds, NULL, err);
    }
    if (st == CS_OK)
        st = write_excluded(rj->dir, rj->m.ds, err);
    p->past_rejects = st == CS_OK;
    if (st == CS_OK)
        st = cs_json_write(rj->dir, "results.json", p->results, err);
    return st;
}

/* The proposal draft the report's closing section links (SPEC 8):
 * strawman plan changes simulated on the same deals, into proposal/. */
static enum cs_status write_proposal(const struct report_job *rj, struct report_parts *p,
                                     struct cs_error *err)
{
    char pdir[PATH_MAX + 16], shown[PATH_MAX + 16];
    snprintf(pdir, sizeof pdir, "%s/proposal", rj->dir);
    snprintf(shown, sizeof shown, "%s/proposal", rj->final);
    /* the analysis has just fitted the promise_risk model on the same
     * deals: the proposal borrows it instead of fitting it again */
    const struct cs_model_result *pm = &p->an->model[CS_MODEL_PROMISE_RISK];
    struct cs_proposal_settings ps = {
        .whatif = {.seed = rj->opt->seed, .draws = 0, .threads = 2,
                   .model = rj->opt->model_within ? CS_WHATIF_WITHIN : CS_WHATIF_ACROSS,
                   .logit = pm->fit, .firth = pm->firth,
                   .within = p->an->model[CS_MODEL_PROMISE_RISK_WITHIN].fit},
        .display_dir = shown, .findings = p->an->findings,
    };
    enum cs_status st = cs_proposal_write(pdir, &rj->m, &ps, rj->io, &p->summary, err);
    p->proposal = st == CS_OK;
    return st;
}

/* A plot that gnuplot cannot draw, or no gnuplot at all, costs the
 * pictures, not the report: say so on stderr and in the report.  (Out of
 * memory is the caller's to report.) */
static void note_missing_plots(const struct report_job *rj, const struct plots_job *pj,
                               struct report_parts *p)
{
    if (pj->st != CS_OK) {
        /* the script named relative to the report in it, and where it
         * ends up on stderr, not in the staging directory */
        char msg[1200];
        struct cs_error perr = pj->err, shown = pj->err;
        cs_error_rebase(&perr, rj->dir, "");
        cs_error_format(&perr, msg, sizeof msg);
        snprintf(p->plots_note, sizeof p->plots_note, "some plots could not be drawn (%s).", msg);
        cs_error_rebase(&shown, rj->dir, rj->final);
        cs_error_format(&shown, msg, sizeof msg);
        cs_io_warn(rj->io, "plots: %s", msg);
    } else if (p->plots.gnuplot_missing) {
        char why[200];
        if (cs_plot_gnuplot_problem(why, sizeof why))
            snprintf(p->plots_note, sizeof p->plots_note,
                     "gnuplot is not installed, so the report has no pictures; the gnuplot "
                     "scripts are in plots/ (install gnuplot-nox and rerun).");
        else
            snprintf(p->plots_note, sizeof p->plots_note,
                     "gnuplot could not be used: %s. So the report has no pictures; the "
                     "gnuplot scripts are in plots/.", why);
        cs_io_warn(rj->io, "%s: the report is written without plots", why);
    }
}

/* report.md and report.html (and with --private, the private tables). */
static enum cs_status write_documents(const struct report_job *rj, struct report_parts *p,
                                      struct cs_error *err)
{
    char date[16], name[PATH_MAX];
    cs_report_date(date, sizeof date);
    snprintf(name, sizeof name, "%s", rj->data_dir);
    struct cs_report_input in = {
        .ds = rj->m.ds, .cal = rj->m.cal, .inc = rj->m.inc, .oc = rj->m.oc, .an = p->an,
        .rec = rj->rec, .data_name = basename(name), .date = date, .plots = &p->plots,
        .plots_note = p->plots_note, .proposal_href = p->proposal ? "proposal/proposal.md" : NULL,
        .index_href = rj->index_href, .proposal = p->proposal ? &p->summary : NULL,
        .private_written = rj->opt->private_mode,
    };
    enum cs_status st = CS_OK;
    if (rj->opt->private_mode)
        st = cs_report_private(&in, rj->dir, err);
    if (st == CS_OK)
        st = cs_report_build(&in, &p->doc, err);
    if (st == CS_OK)
        st = write_doc(rj->dir, p->doc, err);
    return st;
}

/*
 * One report for one selection into rj->dir: deals.csv on a second
 * thread from the start; the analysis, results.json and rejects.csv; the
 * plots on a second thread while the proposal is simulated on this one;
 * then the documents.
 */
static enum cs_status write_report_into(const struct report_job *rj, struct cs_error *err)
{
    const struct cs_options *opt = rj->opt;
    const struct cs_io *io = rj->io;
    struct report_parts p = {0};
    double t0 = now();
    struct cs_disclosure *disc = NULL;
    enum cs_status st = cs_mkdir_p(rj->dir, 0777, err);
    if (st == CS_OK)
        st = cs_disclosure_compute(&rj->m, &disc, err);
    struct deals_job deals = {.dir = rj->dir, .m = &rj->m, .key = rj->key, .disc = disc,
                              .private_mode = opt->private_mode};
    if (st == CS_OK && opt->private_mode)
        st = cs_report_private_dir(rj->dir, err);
    if (st == CS_OK)
        side_start(&deals.side, deals_main, &deals);
    if (st == CS_OK)
        st = cs_analysis_run(&rj->m, opt->seed, &p.an, err);
    timing(opt, io, "analysis (SPEC 7)", &t0);
    if (st == CS_OK)
        st = cs_whatif_backtests(&rj->m, p.an->plan_changes, opt->seed, err);
    timing(opt, io, "plan-change backtest", &t0);
    if (st == CS_OK)
        st = write_results(rj, &p, err);
    timing(opt, io, "results.json, rejects", &t0);
    struct plots_job pj = {.dir = rj->dir, .m = &rj->m, .an = p.an,
                           .all = rj->m.sel->mode == CS_SELECT_ALL, .plots = &p.plots};
    if (st == CS_OK)
        side_start(&pj.side, plots_main, &pj);
    if (st == CS_OK && p.an->model[CS_MODEL_PROMISE_RISK].fit)
        st = write_proposal(rj, &p, err);
    timing(opt, io, "proposal (SPEC 8)", &t0);
    if (pj.side.started) {
        side_join(&pj.side);
        timing(opt, io, "plots (wait)", &t0);
        if (pj.st != CS_ERR_NOMEM)
            note_missing_plots(rj, &pj, &p);
        else if (st == CS_OK)
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory drawing plots");
    }
    if (st == CS_OK)
        st = write_documents(rj, &p, err);
    timing(opt, io, "report.md, report.html", &t0);
    if (deals.side.started) {
        side_join(&deals.side);
        timing(opt, io, "deals.csv (wait)", &t0);
        if (deals.st != CS_OK && (st == CS_OK || p.past_rejects)) {
            *err = deals.err;
            st = deals.st;
        }
    }
    parts_free(&p);
    cs_disclosure_free(disc);
    return st;
}

/* One report for one selection into dir, a directory of the staging
 * directory, whose files end up in final. */
static enum cs_status write_report(const char *dir, const char *final, const struct cs_session *s,
                                   const struct computed *c, const struct cs_selection *sel,
                                   const struct cs_options *opt, const struct cs_io *io,
                                   const char *index_href, const struct cs_key *key,
                                   struct cs_error *err)
{
    struct report_job rj = {.dir = dir, .final = final, .m = measured(s, c, sel), .rec = c->rec,
                            .data_dir = s->data_dir, .index_href = index_href, .key = key,
                            .opt = opt, .io = io};
    return write_report_into(&rj, err);
}

/* --period each: index.md / index.html linking the quarters, with the
 * trend over every quarter (report/index_doc.c). */
static enum cs_status write_index(const char *out, const struct cs_session *s,
                                  const struct computed *c, const struct cs_selection *sel,
                                  const struct cs_options *opt, struct cs_error *err)
{
    struct cs_selection all = *sel;
    struct cs_analysis *an = NULL;
    char name[PATH_MAX];
    all.mode = CS_SELECT_ALL;
    snprintf(all.label, sizeof all.label, "all");
    struct cs_measured m = measured(s, c, &all);
    enum cs_status st = cs_analysis_run(&m, opt->seed, &an, err);
    snprintf(name, sizeof name, "%s", s->data_dir);
    if (st == CS_OK)
        st = cs_report_index_write(out, &m, an, basename(name), err);
    cs_analysis_free(an);
    return st;
}

/*
 * No won deal survived the import: say why, as check does (SPEC 12: the
 * leading reasons, their counts, the hint), then fail as before.
 */
static enum cs_status nothing_usable(const struct cs_dataset *ds, const struct cs_io *io,
                                     struct cs_error *err)
{
    for (size_t i = 0; i < ds->deals.n; i++)
        if (ds->deals.stage[i] == CS_STAGE_WON)
            return CS_OK;
    struct cs_diagnosis dg;
    if (ds->n_rejects && cs_diagnose(ds, &dg, err) == CS_OK) {
        fprintf(io->msg, "compsight: nothing usable; the rows were rejected for these reasons:\n");
        cs_print_diagnosis(io->msg, ds, &dg, "compsight: ", 3);
        cs_diagnosis_free(&dg);
    }
    return cs_error_set(err, CS_ERR_INPUT, "deals.csv", 0, NULL,
                        "no usable won deals: nothing to analyse");
}

enum cs_status cs_cmd_report(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    struct cs_session s;
    struct cs_selection sel;
    struct computed c = {0};
    char out[PATH_MAX], sub[PATH_MAX + 32];
    struct cs_key key = {{0}};
    struct cs_staging stage = {.lock_fd = -1, .slot = -1};
    double t0 = now();
    enum cs_status st = cs_session_open_keyed(opt, io, &s, &key, err);
    timing(opt, io, "import", &t0);
    if (st != CS_OK) {
        cs_key_wipe(&key);
        return st;
    }
    size_t rejected = s.ds->n_rejects;
    if (rejected && opt->strict) {
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%zu rows rejected (--strict); 'compsight check' lists them", rejected);
        goto out;
    }
    if ((st = cs_session_max_rejected(opt, s.ds, err)) != CS_OK)
        goto out;
    if ((st = nothing_usable(s.ds, io, err)) != CS_OK)
        goto out;
    /* Nothing looks a string up after the import: the string pool's
     * table goes (at ten million deals, 256 MiB). */
    cs_strpool_seal(s.ds->str);
    st = cs_select_period(opt->period, s.ds, &s.cal, &sel, err);
    if (st == CS_OK)
        st = measure(&s, &c, err);
    if (st == CS_OK && s.ds->counts[CS_T_COMMISSIONS].present)
        st = cs_incentives_reconcile(s.ds, c.inc, &c.rec, err);
    /* Nor the paid commission per deal: only the reconciliation's sums
     * and largest gaps are reported (8 bytes a deal, kept to the end). */
    if (c.rec) {
        free(c.rec->paid);
        c.rec->paid = NULL;
    }
    /* Nothing reads the commission statements after the reconciliation:
     * at ten million deals, 130 MB. */
    cs_dataset_drop(s.ds, CS_T_COMMISSIONS);
    timing(opt, io, "measures (SPEC 5, 6)", &t0);
    if (st != CS_OK)
        goto out;
    if (opt->out_dir)
        snprintf(out, sizeof out, "%s", opt->out_dir);
    else
        snprintf(out, sizeof out, "reports/%s", sel.label);
    if (!opt->out_dir && (st = cs_session_check_out(&s, opt, out, err)) != CS_OK)
        goto out;

    /* Everything is written into one staging directory and moved into
     * place at once: the report, or with --period each every quarter and
     * the index.  A run without --private removes the private/ an earlier
     * run left. */
    static const char *const no_private[] = {"private"};
    struct cs_staging_spec spec = {.remove = no_private, .n_remove = opt->private_mode ? 0 : 1};
    if ((st = cs_staging_open(&stage, out, err)) != CS_OK)
        goto out;
    if (sel.mode != CS_SELECT_EACH) {
        st = write_report(stage.dir, out, &s, &c, &sel, opt, io, NULL, &key, err);
    } else {
        /* one report per quarter with won deals, under <out>/<label>/ */
        int32_t *codes = NULL;
        size_t nq = 0;
        char final[PATH_MAX + 32];
        st = cs_select_won_quarters(c.inc->won, c.inc->quarter, s.ds->deals.n, &codes, &nq, err);
        for (size_t k = 0; st == CS_OK && k < nq; k++) {
            struct cs_selection one = sel;
            one.mode = CS_SELECT_QUARTER;
            one.quarter = codes[k];
            cs_format_period(codes[k], one.label);
            snprintf(sub, sizeof sub, "%s/%s", stage.dir, one.label);
            snprintf(final, sizeof final, "%s/%s", out, one.label);
            st = write_report(sub, final, &s, &c, &one, opt, io, "../index.html", &key, err);
        }
        free(codes);
        if (st == CS_OK)
            st = write_index(stage.dir, &s, &c, &sel, opt, err);
    }
    if (st == CS_OK)
        st = cs_staging_commit(&stage, &spec, err);
    /* the file that failed, named where it would have been */
    if (st != CS_OK)
        cs_error_rebase(err, stage.dir, out);
    cs_staging_close(&stage);
    if (st == CS_OK) {
        if (rejected)
            cs_io_warn(io, "%zu rows rejected, listed in %s/rejects.csv", rejected, out);
        if (c.rec && !c.rec->compared)
            cs_io_warn(io, "commissions.csv has no line for a won deal: nothing to reconcile");
        else if (c.rec && !c.rec->reproduces)
            cs_io_warn(io, "the plan model does not reproduce the commission statements "
                           "(%.1f%% of deals within 1%%)", 100.0 * c.rec->share);
        /* the file to open: with --period each, the index of the quarters */
        cs_io_done(io, "report written to %s/%s", out,
                   sel.mode == CS_SELECT_EACH ? "index.html" : "report.html");
    }
out:
    cs_key_wipe(&key);
    cs_recon_free(c.rec);
    cs_outcomes_free(c.oc);
    cs_incentives_free(c.inc);
    cs_session_close(&s);
    return st;
}
