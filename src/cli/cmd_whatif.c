/* cmd_whatif.c - `compsight whatif` and `compsight propose`: simulate changed plans, write the what-if and the proposal draft. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "compsight/commands.h"
#include "compsight/groups.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "compsight/proposal.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "compsight/side.h"
#include "compsight/version.h"
#include "compsight/whatif.h"
#include "compsight/whatifdoc.h"
#include "propose.h"
#include "whatif_json.h"
#include "stage.h"

/* Options shown in the proposal's plot (the table lists every option). */
#define PLOT_OPTIONS 10

/* ======================================================================
 * Shared setup of both commands
 * ==================================================================== */

struct run {
    struct cs_session s;
    bool open;
    struct cs_selection sel;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_whatif_base *base;
    char out[PATH_MAX];
    char date[16];
};

static void run_close(struct run *r)
{
    cs_whatif_base_free(r->base);
    cs_outcomes_free(r->oc);
    cs_incentives_free(r->inc);
    if (r->open)
        cs_session_close(&r->s);
}

static enum cs_status run_open(const struct cs_options *opt, const struct cs_io *io,
                               struct run *r, struct cs_error *err)
{
    memset(r, 0, sizeof *r);
    enum cs_status st = cs_session_open(opt, io, &r->s, err);
    if (st != CS_OK)
        return st;
    r->open = true;
    if (r->s.ds->n_rejects && opt->strict)
        return cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                            "%zu rows rejected (--strict); 'compsight check' lists them",
                            r->s.ds->n_rejects);
    if ((st = cs_session_max_rejected(opt, r->s.ds, err)) != CS_OK)
        return st;
    if ((st = cs_select_period(opt->period, r->s.ds, &r->s.cal, &r->sel, err)) != CS_OK)
        return st;
    if (r->sel.mode == CS_SELECT_EACH)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "a what-if takes --period LABEL or all, not each");
    cs_report_date(r->date, sizeof r->date);
    return CS_OK;
}

/*
 * What a what-if no longer reads once its plans are loaded, given back as
 * the report does: the string pool's hash table (nothing looks a string
 * up any more) and the commission statements (only the report's
 * reconciliation reads them).  At 1M deals, `propose` peaked at 313 MiB
 * without this.
 */
static void let_go(struct run *r)
{
    cs_strpool_seal(r->s.ds->str);
    cs_dataset_drop(r->s.ds, CS_T_COMMISSIONS);
}

/* SPEC 5 and 6 for the session, and the output directory's name. */
static enum cs_status run_measures(const struct cs_options *opt, struct run *r, const char *sub,
                                   struct cs_error *err)
{
    enum cs_status st;
    if ((st = cs_incentives_compute(r->s.ds, &r->s.ds->plans, &r->s.cal, &r->inc, err)) != CS_OK ||
        (st = cs_outcomes_compute(r->s.ds, &r->s.cal, &r->oc, err)) != CS_OK)
        return st;
    if (opt->out_dir)
        snprintf(r->out, sizeof r->out, "%s", opt->out_dir);
    else
        snprintf(r->out, sizeof r->out, "reports/%s/%s", r->sel.label, sub);
    return opt->out_dir ? CS_OK : cs_session_check_out(&r->s, opt, r->out, err);
}

/* The session's data set as measured by run_measures, for its selection. */
static struct cs_measured run_measured(const struct run *r)
{
    return (struct cs_measured){r->s.ds, &r->s.cal, r->inc, r->oc, &r->sel};
}

/* The measures, the what-if base, and the output directory created. */
static enum cs_status run_base(const struct cs_options *opt, struct run *r, const char *sub,
                               struct cs_error *err)
{
    enum cs_status st = run_measures(opt, r, sub, err);
    struct cs_whatif_settings set = {.seed = opt->seed, .draws = 0, .threads = 2,
                                     .model = opt->model_within ? CS_WHATIF_WITHIN
                                                                : CS_WHATIF_ACROSS};
    struct cs_measured m = run_measured(r);
    if (st != CS_OK)
        return st;
    return cs_whatif_base_new(&m, &set, &r->base, err);
}

static void warn_rejects(const struct cs_options *opt, const struct cs_io *io, const struct run *r)
{
    (void)opt;
    if (r->s.ds->n_rejects)
        cs_io_warn(io, "%zu rows rejected; 'compsight check' lists them", r->s.ds->n_rejects);
}

/* Add a plot of base against alternatives when gnuplot can draw it.  A
 * plot gnuplot cannot draw costs the picture and a warning; running out
 * of memory sets *nomem instead, and the caller fails, as the report does
 * for its own plots. */
static bool plot_whatif(const char *dir, const char *name, const struct cs_plot_whatif *w,
                        const char *display_dir, const struct cs_io *io, bool *nomem)
{
    char plots[PATH_MAX + 16];
    struct cs_error perr;
    bool rendered = false;
    snprintf(plots, sizeof plots, "%s/plots", dir);
    cs_error_clear(&perr);
    if (cs_mkdir_p(plots, 0777, &perr) != CS_OK ||
        cs_plot_whatif_write(plots, name, w, &rendered, &perr) != CS_OK) {
        if (perr.status == CS_ERR_NOMEM) {
            *nomem = true;
            return false;
        }
        char buf[1200];
        if (display_dir)          /* the report's proposal: where it ends up */
            cs_error_rebase(&perr, dir, display_dir);
        cs_error_format(&perr, buf, sizeof buf);
        cs_io_warn(io, "plot %s not drawn: %s", name, buf);
        return false;
    }
    return rendered;
}

/* As the report: without gnuplot, warn once and go on without images. */
static void warn_no_gnuplot(const struct cs_io *io)
{
    if (!cs_plot_gnuplot_available(NULL, 0)) {
        char why[200];
        cs_plot_gnuplot_problem(why, sizeof why);
        cs_io_warn(io, "%s: plots/*.gp written, no images", why);
    }
}

static const struct cs_plot_whatif_words risky_words = {"Risky deals", "give", "fewer", "more"};
static const struct cs_plot_whatif_words commission_words = {"Commission", "cost", "less", "more"};

/* An alternative's point: its value, and its interval as the current value
 * plus the difference's; green when its verdict is clear. */
static struct cs_plot_whatif_alt plot_alt(const char *label, double base, double value,
                                          const struct cs_whatif_diff *d, enum cs_verdict v)
{
    return (struct cs_plot_whatif_alt){label, value, base + d->low, base + d->high,
                                       v == CS_VERDICT_CLEAR};
}

/* whatif-risky or whatif-commission: the current plans against the
 * alternative, drawn into dir (the staging directory; display_dir names it
 * in a warning).  Risky deals take the options' verdict (too little data
 * when the model fails the data rule); commission, its interval's. */
static bool plot_whatif_result(const char *dir, const char *display_dir,
                               const struct cs_whatif_base *b,
                               const struct cs_whatif_result *r, bool risky,
                               const struct cs_io *io, bool *nomem)
{
    char axis[128], title[256];
    struct cs_data_rule rule;
    cs_whatif_model_rule(b, &rule);
    enum cs_verdict v = risky ? cs_whatif_option_verdict(&rule, &r->risky)
                              : cs_verdict_of_interval(r->commission.low, r->commission.high);
    struct cs_plot_whatif_alt a =
        risky ? plot_alt("alternative plans", r->base_risky, r->alt_risky, &r->risky, v)
              : plot_alt("alternative plans", r->base_commission, r->alt_commission,
                         &r->commission, v);
    snprintf(axis, sizeof axis, risky ? "expected risky deals, %s" : "commission on the won deals, %s",
             b->sel.label);
    struct cs_plot_whatif w = {.title = title, .axis = axis,
                               .currency = risky ? NULL : cs_ds_currency(b->ds),
                               .base_label = "current plans",
                               .base = risky ? r->base_risky : r->base_commission,
                               .n_alt = 1, .alt = &a, .thin = v == CS_VERDICT_THIN};
    cs_plot_whatif_title(title, sizeof title, &w, 1, risky ? &risky_words : &commission_words);
    return plot_whatif(dir, risky ? "whatif-risky" : "whatif-commission", &w, display_dir, io,
                       nomem);
}

/* ======================================================================
 * compsight whatif
 * ==================================================================== */

/* Which plans the file changes, which it lists as they are, which carry
 * over (SPEC 13): whatif.json's plans_changed, plans_listed_unchanged,
 * plans_carried_over (ids in plan order) and plans_in_file; a plan too
 * small to show (disc, groups.h) is counted, not named. */
static void plan_sources_json(json_t *root, const struct cs_whatif_base *b,
                              const struct cs_whatif_result *r, const bool *listed,
                              const struct cs_disclosure *disc)
{
    const struct cs_dataset *ds = b->ds;
    json_t *changed = json_array(), *same = json_array(), *over = json_array();
    size_t in_file = 0, k = 0;
    for (size_t p = 0; p < ds->plans.n; p++) {
        bool ch = k < r->n_plans && r->plans[k].plan == p;
        k += ch;
        in_file += listed[p];
        if (disc && disc->plan_shown[p] != CS_SHOWN)
            continue;
        json_array_append_new(ch ? changed : listed[p] ? same : over, json_string(plan_name(ds, p)));
    }
    jset(root, "plans_in_file", json_integer((json_int_t)in_file));
    jset(root, "plans_changed", changed);
    jset(root, "plans_listed_unchanged", same);
    jset(root, "plans_carried_over", over);
}

enum cs_status cs_cmd_whatif(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    struct run rn;
    struct cs_plans alt = {0};
    struct cs_whatif_result *r = NULL;
    struct cs_staging stage = {.lock_fd = -1, .slot = -1};
    struct cs_disclosure *disc = NULL;
    json_t *root = NULL;
    bool *listed = NULL;
    enum cs_status st = run_open(opt, io, &rn, err);
    if (st != CS_OK)
        goto out;
    if (!opt->plans) {
        st = cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "whatif needs --plans FILE");
        goto out;
    }
    /* The alternative first: a bad file is reported before any fitting. */
    struct cs_load_options lo = cs_session_load_options(opt, rn.s.data_dir, NULL);
    if ((st = cs_plans_load_alt(opt->plans, rn.s.ds, &lo, &alt, &listed, err)) != CS_OK)
        goto out;
    let_go(&rn);
    if ((st = run_base(opt, &rn, "whatif", err)) != CS_OK ||
        (st = cs_whatif_simulate(rn.base, &alt, false, &r, err)) != CS_OK)
        goto out;

    /* plans too small to show by themselves (groups.h) */
    struct cs_measured wm = run_measured(&rn);
    if ((st = cs_disclosure_compute(&wm, &disc, err)) != CS_OK)
        goto out;
    /* everything into a staging directory, moved into place at once */
    if ((st = cs_staging_open(&stage, rn.out, err)) != CS_OK)
        goto out;
    const char *dir = stage.dir;
    const struct cs_whatif_base *b = rn.base;
    warn_no_gnuplot(io);
    bool plot_risky = false, plot_comm = false, nomem = false;
    if (b->fit)
        plot_risky = plot_whatif_result(dir, rn.out, b, r, true, io, &nomem);
    plot_comm = plot_whatif_result(dir, rn.out, b, r, false, io, &nomem);
    if (nomem) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory drawing plots");
        goto out;
    }

    if (!(root = json_object())) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    cs_whatif_json_header(root, b);
    jset(root, "plans_file", json_string(opt->plans));
    plan_sources_json(root, b, r, listed, disc);
    cs_whatif_json_result(root, b, r, NULL, 0, disc);
    /* plots/ is shared with whatever else was written there: only this
     * command's whatif-* plots are replaced */
    static const struct cs_staging_merge plots = {"plots", "whatif-"};
    const struct cs_staging_spec spec = {.merge = &plots, .n_merge = 1};
    if ((st = cs_json_write(dir, "whatif.json", root, err)) != CS_OK ||
        (st = cs_whatif_doc_write(dir, &(const struct cs_whatif_doc){
                                      .base = b, .date = rn.date,
                                      .listed = listed, .alt = &alt, .result = r,
                                      .plot_risky = plot_risky, .plot_commission = plot_comm,
                                      .disc = disc},
                                  err)) != CS_OK ||
        (st = cs_staging_commit(&stage, &spec, err)) != CS_OK)
        goto out;
    warn_rejects(opt, io, &rn);
    cs_io_done(io, "what-if written to %s/whatif.html", rn.out);
out:
    /* the file that failed, named where it would have been */
    if (st != CS_OK && stage.dir[0])
        cs_error_rebase(err, stage.dir, rn.out);
    cs_staging_close(&stage);
    cs_disclosure_free(disc);
    json_decref(root);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    free(listed);
    run_close(&rn);
    return st;
}

/* ======================================================================
 * compsight propose
 * ==================================================================== */

static const char *rank_group_name(int g)
{
    static const char *const names[] = {"avoids_and_saves", "avoids_at_cost", "no_reduction", "no_model"};
    return g >= 0 && g <= 3 ? names[g] : "?";
}

static json_t *proposal_json(const struct cs_proposal *pr)
{
    const struct cs_whatif_base *b = pr->base;
    const struct cs_dataset *ds = b->ds;
    json_t *root = json_object();
    if (!root)
        return NULL;
    cs_whatif_json_header(root, b);
    if (pr->n) {
        jset(root, "base_risky", cs_json_number(pr->res[0]->base_risky));
        jset(root, "base_risky_promises", cs_json_number(pr->res[0]->base_risky_promises));
        jset(root, "base_commission", cs_json_number(pr->res[0]->base_commission));
    }
    jset(root, "ranking", json_string("first the options whose effect on risky deals is clear "
                                      "(interval excludes 0) and a reduction, then those without "
                                      "a clear effect, then clear increases; within each: group "
                                      "0: avoids risky deals and costs nothing extra (by risky "
                                      "deals avoided); group 1: avoids risky deals at extra cost "
                                      "(by risky deals avoided per unit of extra commission); "
                                      "group 2: no reduction predicted; group 3: no model (by "
                                      "cost)"));
    jset(root, "recommended", pr->recommended == SIZE_MAX ? json_null() : json_integer(0));
    json_t *opts = json_array();
    for (size_t k = 0; k < pr->n; k++) {
        size_t i = pr->order[k];
        const struct cs_whatif_option *o = &pr->opt[i];
        const struct cs_whatif_result *r = pr->res[i];
        char desc[512], file[64], notes[1024];
        cs_proposal_describe_option(desc, sizeof desc, ds, o);
        cs_proposal_option_notes(notes, sizeof notes, pr, i);
        snprintf(file, sizeof file, "options/%zu.csv", k + 1);
        double avoided = -r->risky.estimate, cost = r->commission.estimate;
        int g = cs_whatif_rank_group(avoided, cost);
        if (i == pr->recommended)
            jset(root, "recommended", json_integer((json_int_t)(k + 1)));
        json_t *j = json_object();
        jset(j, "rank", json_integer((json_int_t)(k + 1)));
        jset(j, "file", json_string(file));
        jset(j, "plan_id", json_string(plan_name(ds, o->plan)));
        jset(j, "kind", json_string(cs_whatif_kind_name(o->kind)));
        jset(j, "floor", cs_json_number(o->kind == CS_WHATIF_YEARLY ||
                                                o->kind == CS_WHATIF_RENEWALS_HALF ? NAN : o->floor));
        jset(j, "rate_before", cs_json_number(o->rate_before));
        jset(j, "rate_after", cs_json_number(o->rate_after));
        if (o->kind == CS_WHATIF_RAMP_STEP) {
            jset(j, "ramp_low", cs_json_number(o->ramp_low));
            jset(j, "ramp_high", cs_json_number(o->ramp_high));
        }
        if (o->kind == CS_WHATIF_RENEWALS_HALF) {   /* SPEC 13: the credit_renewal fraction */
            jset(j, "credit_type", json_string("renewal"));
            jset(j, "credit_before", cs_json_number(o->credit_before));
            jset(j, "credit_after", cs_json_number(o->credit_after));
        }
        jset(j, "description", json_string(desc));
        jset(j, "notes", json_string(notes));
        jset(j, "rank_group", json_integer(g));
        jset(j, "rank_group_name", json_string(rank_group_name(g)));
        jset(j, "risky_avoided", cs_json_number(avoided));
        jset(j, "risky_avoided_per_1000_extra_commission",
             cs_json_number(g == 1 ? 1000 * avoided / cost : NAN));
        jset(j, "clear_effect", json_boolean(cs_verdict_of_interval(r->risky.low, r->risky.high) ==
                                                CS_VERDICT_CLEAR));
        jset(j, "verdict", json_string(cs_verdict_name(pr->verdict[i])));
        cs_whatif_json_result(j, b, r, pr->plans, pr->n_plans, pr->disc);
        json_array_append_new(opts, j);
    }
    jset(root, "options", opts);
    json_t *ns = json_array();
    for (size_t s = 0; s < pr->n_spiffs && s < sizeof pr->spiffs / sizeof pr->spiffs[0]; s++) {
        uint32_t x = pr->spiffs[s];
        char end[16];
        cs_format_date(ds->spiffs.end[x], end);
        json_t *j = json_object();
        jset(j, "kind", json_string("spiff_off_quarter_end"));
        jset(j, "spiff_id", json_string(cs_ds_str(ds, ds->spiffs.id[x])));
        jset(j, "product", json_string(cs_ds_str(ds, ds->spiffs.product[x])));
        jset(j, "end_date", json_string(end));
        jset(j, "reason", json_string("moving a SPIFF changes when deals close, which the model "
                                      "does not predict"));
        json_array_append_new(ns, j);
    }
    if (pr->n_beyond) {
        json_t *j = json_object(), *ids = json_array();
        for (size_t p = 0; p < ds->plans.n; p++)
            if (b->plan_deals[p] && !pr->simulated[p])
                json_array_append_new(ids, json_string(plan_name(ds, p)));
        jset(j, "kind", json_string("plans_beyond_limit"));
        jset(j, "limit", json_integer(CS_WHATIF_MAX_PLANS));
        jset(j, "plans", json_integer((json_int_t)pr->n_beyond));
        jset(j, "won_deals", json_integer((json_int_t)pr->deals_beyond));
        jset(j, "plan_ids", ids);
        jset(j, "reason", json_string("the proposal simulates the plans with the most won deals "
                                      "in the period, so that its size and cost do not grow with "
                                      "the number of plans; a change to any other plan can be "
                                      "simulated with compsight whatif --plans"));
        json_array_append_new(ns, j);
    }
    jset(root, "not_simulated", ns);
    return root;
}

/* The side-by-side table as CSV, for a spreadsheet. */
static enum cs_status proposal_csv(const char *dir, const struct cs_proposal *pr, struct cs_error *err)
{
    const struct cs_dataset *ds = pr->base->ds;
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "proposal_options.csv", err);
    if (st != CS_OK)
        return st;
    fputs("rank,file,plan_id,kind,description,risky_avoided,risky_avoided_low,risky_avoided_high,"
          "risky_promises_avoided,risky_promises_avoided_low,risky_promises_avoided_high,"
          "extra_commission,extra_commission_low,extra_commission_high,currency,rank_group\n", a.f);
    for (size_t k = 0; k < pr->n; k++) {
        size_t i = pr->order[k];
        const struct cs_whatif_result *r = pr->res[i];
        char desc[512];
        cs_proposal_describe_option(desc, sizeof desc, ds, &pr->opt[i]);
        fprintf(a.f, "%zu,options/%zu.csv,", k + 1, k + 1);
        cs_csv_text(a.f, plan_name(ds, pr->opt[i].plan));
        fprintf(a.f, ",%s,", cs_whatif_kind_name(pr->opt[i].kind));
        cs_csv_text(a.f, desc);
        const double v[] = {-r->risky.estimate, -r->risky.high, -r->risky.low,
                            -r->risky_promises.estimate, -r->risky_promises.high, -r->risky_promises.low,
                            r->commission.estimate, r->commission.low, r->commission.high};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++) {
            fputc(',', a.f);
            cs_put_number(a.f, v[c] == 0 ? 0.0 : v[c]);
        }
        fprintf(a.f, ",%s,%d\n", cs_ds_currency(ds),
                cs_whatif_rank_group(-r->risky.estimate, r->commission.estimate));
    }
    return cs_atomic_commit(&a, err);
}

/* options/1.csv .. options/N.csv, into a fresh directory (the command
 * stages its output: an earlier run's options/ is replaced whole). */
static enum cs_status write_option_files(const char *dir, const struct cs_proposal *pr,
                                         struct cs_error *err)
{
    char sub[PATH_MAX + 16], name[32];
    snprintf(sub, sizeof sub, "%s/options", dir);
    enum cs_status st = cs_mkdir_p(sub, 0777, err);
    for (size_t k = 0; k < pr->n && st == CS_OK; k++) {
        snprintf(name, sizeof name, "%zu.csv", k + 1);
        st = cs_whatif_plans_csv(sub, name, pr->base->ds, &pr->opt[pr->order[k]].change, err);
    }
    return st;
}

static bool plot_options(const char *dir, const struct cs_proposal *pr, bool risky,
                         const char *display_dir, const struct cs_io *io, bool *nomem)
{
    const struct cs_whatif_base *b = pr->base;
    size_t n = pr->n < PLOT_OPTIONS ? pr->n : PLOT_OPTIONS;
    struct cs_plot_whatif_alt alts[PLOT_OPTIONS];
    char labels[PLOT_OPTIONS][96], axis[128], title[256];
    bool thin = false;
    if (!n)
        return false;
    for (size_t k = 0; k < n; k++) {
        const struct cs_whatif_result *r = pr->res[pr->order[k]];
        cs_proposal_option_label(labels[k], sizeof labels[k], b->ds, &pr->opt[pr->order[k]], k + 1);
        if (risky)
            alts[k] = plot_alt(labels[k], r->base_risky, r->alt_risky, &r->risky,
                               pr->verdict[pr->order[k]]);
        else
            alts[k] = plot_alt(labels[k], r->base_commission, r->alt_commission, &r->commission,
                               cs_verdict_of_interval(r->commission.low, r->commission.high));
        thin |= risky && pr->verdict[pr->order[k]] == CS_VERDICT_THIN;
    }
    const struct cs_whatif_result *r0 = pr->res[pr->order[0]];
    snprintf(axis, sizeof axis, risky ? "expected risky deals, %s" : "commission on the won deals, %s",
             b->sel.label);
    struct cs_plot_whatif w = {.title = title, .axis = axis,
                               .currency = risky ? NULL : cs_ds_currency(b->ds),
                               .base_label = "current plans",
                               .base = risky ? r0->base_risky : r0->base_commission,
                               .n_alt = n, .alt = alts, .thin = thin};
    cs_plot_whatif_title(title, sizeof title, &w, pr->n, risky ? &risky_words : &commission_words);
    return plot_whatif(dir, risky ? "options-risky" : "options-commission", &w, display_dir, io,
                       nomem);
}

/* The risky-deals plot, drawn on a second thread beside the commission plot. */
struct risky_plot {
    struct side_job side;
    const char *dir;
    const struct cs_proposal *pr;
    const char *display_dir;
    const struct cs_io *io;
    bool drawn;
    bool nomem;
};

static void *risky_plot_main(void *arg)
{
    struct risky_plot *rp = arg;
    rp->drawn = plot_options(rp->dir, rp->pr, true, rp->display_dir, rp->io, &rp->nomem);
    return NULL;
}

/*
 * A plan with fewer than CS_MIN_GROUP_REPS reps is not simulated: every
 * figure of an option on it (its commission, its risky deals) would be
 * those reps' own.  Its options are dropped (freed) and the plans counted
 * for the draft's "Not simulated".
 */
static void drop_small_plans(struct cs_proposal *pr, const struct cs_disclosure *disc)
{
    size_t m = 0;
    for (size_t i = 0; i < pr->n; i++) {
        if (disc->plan_shown[pr->opt[i].plan] == CS_SHOWN)
            pr->opt[m++] = pr->opt[i];
        else
            cs_plans_free(&pr->opt[i].change);
    }
    pr->n = m;
    pr->small_plans = disc->plans.groups;
}

/* The plans the proposal simulates (flags and list, owned by the caller
 * through *simulated and *plans) and the ones beyond the limit. */
static enum cs_status proposal_plans(struct cs_proposal *pr, bool **simulated, uint32_t **plans,
                                     struct cs_error *err)
{
    const struct cs_whatif_base *b = pr->base;
    size_t np = b->ds->plans.n, n = 0;
    *simulated = malloc((np ? np : 1) * sizeof **simulated);
    if (!*simulated)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    enum cs_status st = cs_whatif_options_plans(b, *simulated, &n, err);
    if (st != CS_OK)
        return st;
    if (!(*plans = malloc((n ? n : 1) * sizeof **plans)))
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t p = 0; p < np; p++) {
        if ((*simulated)[p])
            (*plans)[pr->n_plans++] = (uint32_t)p;
        else if (b->plan_deals[p]) {
            pr->n_beyond++;
            pr->deals_beyond += b->plan_deals[p];
        }
    }
    pr->simulated = *simulated;
    pr->plans = *plans;
    return CS_OK;
}

enum cs_status cs_proposal_write(const char *dir, const struct cs_measured *m,
                                 const struct cs_proposal_settings *ps, const struct cs_io *io,
                                 struct cs_proposal_summary *summary, struct cs_error *err)
{
    struct cs_proposal pr = {.recommended = SIZE_MAX, .findings = ps->findings};
    struct cs_whatif_base *base = NULL;
    struct cs_disclosure *disc = NULL;
    json_t *root = NULL;
    double *avoided = NULL, *cost = NULL;
    bool *simulated = NULL;
    uint32_t *plans = NULL;
    char date[16];
    cs_report_date(date, sizeof date);
    pr.date = date;
    if (summary)
        memset(summary, 0, sizeof *summary);
    enum cs_status st = cs_whatif_base_new(m, &ps->whatif, &base, err);
    if (st != CS_OK || (st = cs_mkdir_p(dir, 0777, err)) != CS_OK)
        goto out;
    pr.base = base;
    if ((st = cs_disclosure_compute(m, &disc, err)) != CS_OK ||
        (st = proposal_plans(&pr, &simulated, &plans, err)) != CS_OK ||
        (st = cs_whatif_options_generate(base, &pr.opt, &pr.n, err)) != CS_OK)
        goto out;
    pr.disc = disc;
    drop_small_plans(&pr, disc);
    pr.res = calloc(pr.n ? pr.n : 1, sizeof *pr.res);
    pr.order = malloc((pr.n ? pr.n : 1) * sizeof *pr.order);
    pr.verdict = malloc((pr.n ? pr.n : 1) * sizeof *pr.verdict);
    avoided = malloc((pr.n ? pr.n : 1) * sizeof *avoided);
    cost = malloc((pr.n ? pr.n : 1) * sizeof *cost);
    if (!pr.res || !pr.order || !pr.verdict || !avoided || !cost) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    if ((st = cs_proposal_simulate_options(base, &pr, io, err)) != CS_OK)
        goto out;
    struct cs_data_rule rule;
    cs_whatif_model_rule(base, &rule);
    for (size_t i = 0; i < pr.n; i++) {
        avoided[i] = -pr.res[i]->risky.estimate;
        cost[i] = pr.res[i]->commission.estimate;
        pr.verdict[i] = cs_whatif_option_verdict(&rule, &pr.res[i]->risky);
    }
    cs_io_progress_end(io);
    cs_whatif_rank(avoided, cost, pr.verdict, pr.n, pr.order);
    /* The recommendation: the best-ranked option that clearly avoids risky deals. */
    for (size_t k = 0; k < pr.n && pr.recommended == SIZE_MAX; k++) {
        const struct cs_whatif_result *r = pr.res[pr.order[k]];
        if (pr.verdict[pr.order[k]] == CS_VERDICT_CLEAR && r->risky.high < 0)
            pr.recommended = pr.order[k];
    }
    pr.n_spiffs = cs_whatif_spiffs_at_quarter_end(m, pr.spiffs,
                                                  sizeof pr.spiffs / sizeof pr.spiffs[0]);

    warn_no_gnuplot(io);
    /* Two gnuplot runs of a fifth of a second each: one on each core. */
    struct risky_plot rp = {.dir = dir, .pr = &pr, .display_dir = ps->display_dir, .io = io};
    if (base->fit)
        side_start(&rp.side, risky_plot_main, &rp);
    bool nomem = false;
    bool plot_comm = plot_options(dir, &pr, false, ps->display_dir, io, &nomem);
    side_join(&rp.side);
    bool plot_risky = rp.drawn;
    if (nomem || rp.nomem) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory drawing plots");
        goto out;
    }
    if ((st = write_option_files(dir, &pr, err)) != CS_OK)
        goto out;
    if (!(root = proposal_json(&pr))) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    if ((st = cs_json_write(dir, "proposal.json", root, err)) != CS_OK ||
        (st = proposal_csv(dir, &pr, err)) != CS_OK ||
        (st = cs_proposal_doc_write(dir, &pr, plot_risky, plot_comm, err)) != CS_OK)
        goto out;
    if (summary)
        cs_proposal_summarize(&pr, summary);
out:
    json_decref(root);
    free(avoided);
    free(cost);
    if (pr.res)
        for (size_t i = 0; i < pr.n; i++)
            cs_whatif_result_free(pr.res[i]);
    free(pr.res);
    free(pr.order);
    free(pr.verdict);
    free(simulated);
    free(plans);
    cs_whatif_options_free(pr.opt, pr.n);
    cs_whatif_base_free(base);
    cs_disclosure_free(disc);
    return st;
}

enum cs_status cs_cmd_propose(const struct cs_options *opt, const struct cs_io *io,
                              struct cs_error *err)
{
    struct run rn;
    struct cs_proposal_summary sum = {0};
    struct cs_analysis *an = NULL;
    struct cs_staging stage = {.lock_fd = -1, .slot = -1};
    enum cs_status st = run_open(opt, io, &rn, err);
    if (st != CS_OK)
        goto out;
    let_go(&rn);
    if ((st = run_measures(opt, &rn, "proposal", err)) != CS_OK)
        goto out;
    struct cs_measured m = run_measured(&rn);
    /* The report's analysis of the same selection: its verdicts are what the
     * problem statement says, and its promise_risk fit is borrowed. */
    if ((st = cs_analysis_run(&m, opt->seed, &an, err)) != CS_OK)
        goto out;
    const struct cs_model_result *pm = &an->model[CS_MODEL_PROMISE_RISK];
    struct cs_proposal_settings ps = {
        .whatif = {.seed = opt->seed, .draws = 0, .threads = 2,
                   .model = opt->model_within ? CS_WHATIF_WITHIN : CS_WHATIF_ACROSS,
                   .logit = pm->fit, .firth = pm->firth,
                   .within = an->model[CS_MODEL_PROMISE_RISK_WITHIN].fit},
        .findings = an->findings};
    /* everything into a staging directory, moved into place at once;
     * options/ is replaced whole, and in plots/ only this command's
     * options-* plots */
    static const struct cs_staging_merge plots = {"plots", "options-"};
    const struct cs_staging_spec spec = {.merge = &plots, .n_merge = 1};
    ps.display_dir = rn.out;
    if ((st = cs_staging_open(&stage, rn.out, err)) != CS_OK ||
        (st = cs_proposal_write(stage.dir, &m, &ps, io, &sum, err)) != CS_OK ||
        (st = cs_staging_commit(&stage, &spec, err)) != CS_OK)
        goto out;
    warn_rejects(opt, io, &rn);
    cs_io_done(io, "proposal written to %s/proposal.html (%zu options)", rn.out, sum.n_options);
out:
    if (st != CS_OK && stage.dir[0])
        cs_error_rebase(err, stage.dir, rn.out);
    cs_staging_close(&stage);
    cs_analysis_free(an);
    run_close(&rn);
    return st;
}
