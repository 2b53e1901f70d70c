/* plots.c - the report's set of plots, as a table: what each needs, its aggregate, its words and its script; cs_plots_write. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compsight/measured.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "gnuplot.h"
#include "wording.h"

/* What every plot of the report reads: the measured data, with the
 * selection the analysis was run on, and the analysis. */
struct plots_in {
    const struct cs_measured *m;
    const struct cs_analysis *an;
};

/* The list being built, and the scripts built for it. */
struct ctx {
    struct cs_plot_list *l;
    size_t cap;
    struct cs_gp_job *jobs;   /* a script per plot that has one; names set before running */
    size_t n_jobs;
    bool nomem;               /* an allocation failed: report CS_ERR_NOMEM at the end */
    struct cs_error *err;     /* where the first gnuplot failure goes */
};

void cs_plot_list_free(struct cs_plot_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].title);
        free(l->items[i].caption);
        free(l->items[i].skipped);
        free(l->items[i].error);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

static struct cs_plot_item *add_item(struct ctx *c, const char *name, const char *kind)
{
    if (c->l->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct cs_plot_item *it = realloc(c->l->items, cap * sizeof *it);
        struct cs_gp_job *jb = realloc(c->jobs, cap * sizeof *jb);
        if (it)
            c->l->items = it;
        if (jb)
            c->jobs = jb;
        if (!it || !jb) {
            c->nomem = true;
            return NULL;
        }
        c->cap = cap;
    }
    struct cs_plot_item *item = &c->l->items[c->l->n++];
    memset(item, 0, sizeof *item);
    snprintf(item->name, sizeof item->name, "%s", name);
    item->kind = kind;
    return item;
}

/* Set *dst to a new formatted string (NULL and c->nomem on failure). */
__attribute__((format(printf, 3, 4)))
static void textf(struct ctx *c, char **dst, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    free(*dst);
    *dst = s;
    if (!s)
        c->nomem = true;
}

/* The title of finding f in words (wording.c: the verdict, never more);
 * without a finding (a term the fit dropped, no timing test) the title
 * stays as it is. */
static void finding_title(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                          const struct cs_finding *f)
{
    char buf[512];
    if (f)
        textf(c, &it->title, "%s", cs_words_finding_title(buf, sizeof buf, in->m->ds, in->an, f));
}

/* When model m fails the data rule: the reason, what reading it would
 * need, into the item (true).  Its plots are then not drawn: their
 * intervals mean nothing, and the report shows no plot of the model. */
static bool model_thin(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                       enum cs_model_id m)
{
    const struct cs_model_rule *rule = cs_findings_model(in->an->findings, m);
    char buf[512];
    if (!rule || !rule->fitted || rule->rule.readable)
        return false;
    textf(c, &it->skipped, "%s", cs_words_model_thin(buf, sizeof buf, rule, m));
    return true;
}

/* A new "DIR/NAME.EXT" (NULL when out of memory). */
static char *path_of(const char *dir, const char *name, const char *ext)
{
    char *p;
    return asprintf(&p, "%s/%s.%s", dir, name, ext) < 0 ? NULL : p;
}

/* ======================================================================
 * The plots: aggregate, words and script of each
 *
 * An aggregate fills the plot's data (zeroed, of the table's size) and
 * fails only when out of memory.  The words set the item's title (when
 * the table has none) and hand it to the data for the script, so that the
 * report and the picture carry the same title; and the item's caption when
 * the plot is drawn (true) or why it is skipped (false).  The script is
 * plot.h's builder.
 * ==================================================================== */

/* "where" */

static enum cs_status where_aggregate(const struct plots_in *in, size_t k, void *data,
                                      struct cs_error *err)
{
    (void)k;
    (void)err;
    cs_plot_where_aggregate(in->m, false, data);
    if (((struct cs_plot_where *)data)->cells_shown < CS_PLOT_WHERE_MIN_SHOWN)
        cs_plot_where_aggregate(in->m, true, data);
    return CS_OK;
}

static bool where_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                        void *data)
{
    struct cs_plot_where *w = data;
    char n1[32], n2[32];
    /* the heat map's columns are the weeks to the period end: its title is
     * the verdict on deals closed in the last two weeks */
    finding_title(c, it, in, cs_findings_lead(in->an->findings, CS_MODEL_PROMISE_RISK,
                                              "last_14_days"));
    w->title = it->title;
    if (w->cells_shown < CS_PLOT_WHERE_MIN_SHOWN / 2) {
        textf(c, &it->skipped,
              "too few deals for a heat map: %s won deals in the period, and only %zu cells "
              "hold at least %zu of them even with coarse bins",
              cs_fmt_count(n1, sizeof n1, w->n_deals), w->cells_shown, w->min_cell);
        return false;
    }
    textf(c, &it->caption,
          "Heat map of the share of won deals carrying an off-roadmap or premature promise, "
          "by the attainment before the deal (rows of %.0f points of quota) and the weeks left "
          "to the end of the plan period (columns of %d week%s, period end on the right); "
          "cells with fewer than %zu deals are grey, cells whose share's 95%% interval is "
          "wider than %.0f points are hatched and faded, dashed lines mark the plans' tier "
          "floors; %s deals, %s with a risky promise%s.",
          100 * w->row_step, w->col_weeks, w->col_weeks == 1 ? "" : "s", w->min_cell,
          100 * CS_PLOT_WHERE_WIDE,
          cs_fmt_count(n1, sizeof n1, w->n_deals), cs_fmt_count(n2, sizeof n2, w->n_risky),
          w->coarse ? "; coarse cells because the period has few deals" : "");
    return true;
}

static void where_script(FILE *f, const void *data, const char *base)
{
    cs_plot_where_script(f, data, base);
}

/* "when" */

static enum cs_status when_aggregate(const struct plots_in *in, size_t k, void *data,
                                     struct cs_error *err)
{
    (void)k;
    (void)err;
    cs_plot_when_aggregate(in->m, in->an, data);
    return CS_OK;
}

static bool when_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                       void *data)
{
    struct cs_plot_when *w = data;
    char n1[32];
    textf(c, &it->title, "Bookings by day before the end of the plan period");
    finding_title(c, it, in, cs_findings_timing(in->an->findings));
    w->title = it->title;
    w->currency = cs_ds_currency(in->m->ds);
    if (w->n_deals == 0) {
        textf(c, &it->skipped, "no won deal of the period closed within %d days of its period end",
              CS_PLOT_WHEN_DAYS);
        return false;
    }
    textf(c, &it->caption,
          "Bars: bookings closed on each day before the end of the plan period (%s deals), "
          "dashed: the same at an even pace%s; the last 14 days are shaded.",
          cs_fmt_count(n1, sizeof n1, w->n_deals),
          w->risk ? "; orange: the share of deals with a risky promise in each week, with 95% "
                    "intervals (right axis)" : "");
    return true;
}

static void when_script(FILE *f, const void *data, const char *base)
{
    cs_plot_when_script(f, data, base);
}

/* "threshold": one plot per plan floor with a bunching estimate, in
 * an->bunch order, placebos left out (each one's label names its placebo) */

struct threshold_data {
    struct cs_plot_threshold t;
    const struct cs_bunch_result *b;
    char plan[96];            /* the plan id as plain text, for the title */
};

static size_t threshold_count(const struct plots_in *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->an->n_bunch; i++)
        n += !in->an->bunch[i].placebo;
    return n;
}

/* A data string for a plain-text title or reason: control characters
 * (a newline in a plan id) dropped, cut at about 80 bytes on a UTF-8
 * boundary.  The report still escapes it for Markdown and HTML. */
static const char *plain(const char *s, char *buf, size_t n)
{
    size_t k = 0, start = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if ((*p & 0xc0) != 0x80)
            start = k;            /* a character starts here */
        if (k + 1 >= n || k >= 80) {
            k = start;            /* full: drop the character this byte belongs to */
            break;
        }
        buf[k++] = (char)*p;
    }
    buf[k] = '\0';
    return buf;
}

/* The rest of d from its estimate d->b. */
static enum cs_status threshold_fill(const struct plots_in *in, struct threshold_data *d)
{
    const struct cs_dataset *ds = in->m->ds;
    const struct cs_bunch_result *b = d->b;
    d->t.plan = cs_ds_str(ds, ds->plans.id[b->plan]);
    d->t.period_word = ds->plans.period_type[b->plan] == CS_PERIOD_YEAR ? "year" : "quarter";
    d->t.est = &b->est;
    plain(d->t.plan, d->plan, sizeof d->plan);
    return CS_OK;
}

/* The k-th estimate that is not a placebo, and the placebo of its floor. */
static enum cs_status threshold_aggregate(const struct plots_in *in, size_t k, void *data,
                                          struct cs_error *err)
{
    (void)err;
    const struct cs_analysis *an = in->an;
    struct threshold_data *d = data;
    size_t i = 0;
    const struct cs_bunch_result *x = an->bunch;
    /* run_bunching makes each floor's estimate and then its placebo: the
     * k-th estimate is at 2k, with its placebo next (the scans below find
     * them in any other order, at a cost that grows with the plans). */
    if (2 * k + 1 < an->n_bunch && !x[2 * k].placebo && x[2 * k + 1].placebo &&
        x[2 * k + 1].plan == x[2 * k].plan && x[2 * k + 1].floor == x[2 * k].floor &&
        (k == 0 || (!x[2 * k - 2].placebo && x[2 * k - 1].placebo))) {
        d->b = &x[2 * k];
        d->t.placebo = &x[2 * k + 1].est;
        return threshold_fill(in, d);
    }
    for (size_t seen = 0;; i++)
        if (!an->bunch[i].placebo && seen++ == k)
            break;
    const struct cs_bunch_result *b = &an->bunch[i];
    for (size_t j = 0; j < an->n_bunch; j++)
        if (an->bunch[j].placebo && an->bunch[j].plan == b->plan && an->bunch[j].floor == b->floor)
            d->t.placebo = &an->bunch[j].est;
    d->b = b;
    return threshold_fill(in, d);
}

static bool threshold_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                            void *data)
{
    struct threshold_data *d = data;
    const char *plan = d->plan, *word = d->t.period_word;
    const struct cs_bunching *e = d->t.est, *placebo = d->t.placebo;
    double fpct = 100 * d->b->floor;
    if (e->verdict != CS_BUNCH_OK) {
        char n1[32];
        textf(c, &it->title, "Plan %s: the %.0f%% floor", plan, fpct);
        textf(c, &it->skipped, "plan %s, %.0f%% floor: %s (%s rep-%s%s within 40 points of the "
              "floor)", plan, fpct, cs_bunching_verdict_text(e->verdict),
              cs_fmt_count(n1, sizeof n1, e->n_binned), word, e->n_binned == 1 ? "" : "s");
        return false;
    }
    const struct cs_finding *f = cs_findings_bunching(in->an->findings, d->b->plan, d->b->floor,
                                                      false);
    textf(c, &it->title, "Plan %s: the %.0f%% floor", plan, fpct);
    finding_title(c, it, in, f);
    d->t.title = it->title;
    d->t.low = f ? f->low : NAN;
    d->t.high = f ? f->high : NAN;
    d->t.level = f ? f->level : NAN;
    /* the excess in the report's words: its interval where it prints one */
    char ex[160], a[32], r[64], lv[16];
    if (f && isfinite(f->low) && isfinite(f->high) && isfinite(f->level))
        snprintf(ex, sizeof ex, "%s rep-%ss (%s interval %s)",
                 cs_words_num(a, sizeof a, e->excess_mass), word,
                 cs_words_level(lv, sizeof lv, f->level),
                 cs_words_num_range(r, sizeof r, f->low, f->high));
    else
        snprintf(ex, sizeof ex, "%s rep-%ss (standard error %s)",
                 cs_words_num(a, sizeof a, e->excess_mass), word,
                 cs_words_num(r, sizeof r, e->excess_mass_se));
    textf(c, &it->caption,
          "Final attainment of the plan's rep-%ss around the %.0f%% floor (bars, bins of 2 "
          "points) with the smooth counterfactual fitted outside the shaded window; excess "
          "just above the floor %s%s.", word, fpct, ex,
          placebo && placebo->verdict == CS_BUNCH_OK ? "; the placebo point is in the label" : "");
    return true;
}

static void threshold_script(FILE *f, const void *data, const char *base)
{
    cs_plot_threshold_script(f, &((const struct threshold_data *)data)->t, base);
}

/* "how-strong" */

static enum cs_status forest_aggregate(const struct plots_in *in, size_t k, void *data,
                                       struct cs_error *err)
{
    (void)k;
    (void)err;
    cs_plot_forest_aggregate(in->an, data);   /* false exactly when it shows no row */
    return CS_OK;
}

/* After a readable model's headline: how many of its elements are clear,
 * so that one clear element does not read as the model's whole story. */
static void forest_count(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in)
{
    const struct cs_findings *fs = in->an->findings;
    const struct cs_model_rule *rule = cs_findings_model(fs, CS_MODEL_PROMISE_RISK);
    size_t terms = 0, clear = 0;
    for (size_t i = 0; fs && i < fs->n; i++) {
        const struct cs_finding *f = &fs->items[i];
        /* the findings' verdicts: the estimate that leads for each term */
        if (f->kind == CS_FINDING_TERM && cs_model_info(f->model)->across == CS_MODEL_PROMISE_RISK &&
            f->leads && f->in_family) {
            terms++;
            clear += f->verdict == CS_VERDICT_CLEAR;
        }
    }
    if (rule && rule->rule.readable && clear > 0 && terms > 1)
        textf(c, &it->title, "%s (%zu of %zu elements clear)", it->title, clear, terms);
}

static bool forest_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                         void *data)
{
    struct cs_plot_forest *fo = data;
    const struct cs_model_result *mr = &in->an->model[CS_MODEL_PROMISE_RISK];
    char n1[32], buf[512];
    textf(c, &it->title, "%s", cs_words_model_title(buf, sizeof buf, in->an, CS_MODEL_PROMISE_RISK));
    forest_count(c, it, in);
    fo->title = it->title;
    if (model_thin(c, it, in, CS_MODEL_PROMISE_RISK))
        return false;
    if (fo->n == 0) {
        if (mr->note && mr->note[0])
            textf(c, &it->skipped, "%s", mr->note);
        else if (!mr->fit || !mr->fit->fitted)
            textf(c, &it->skipped, "the promise-risk model could not be fitted%s%s",
                  mr->fit && mr->fit->flags ? ": " : "",
                  mr->fit && mr->fit->flags ? cs_regress_flag_text(mr->fit->flags & -mr->fit->flags) : "");
        else
            textf(c, &it->skipped, "no term of the promise-risk model has a finite interval "
                                   "(too few reps for clustered standard errors?)");
        return false;
    }
    if (fo->within) {
        char n2[32];
        textf(c, &it->caption,
              "Odds ratios of a risky promise with the report's intervals (rep-clustered, widened "
              "for the effects it tests), on a log scale; filled: each rep compared with "
              "themselves (%s reps with both kinds of deals), which gives the verdict; open, "
              "below it: across reps (%s deals); commission rate per +1 percentage point, deal "
              "size per doubling; orange where the effect is clear.%s",
              cs_fmt_count(n2, sizeof n2, fo->within_reps), cs_fmt_count(n1, sizeof n1, fo->deals),
              fo->firth ? " Firth fit across reps, because the data separate." : "");
        return true;
    }
    textf(c, &it->caption,
          "Odds ratios of a risky promise from the promise-risk model (%s deals) with the "
          "report's intervals (rep-clustered, widened for the effects it tests), on a log scale; "
          "commission rate per +1 percentage point, deal size per doubling; orange where the "
          "effect is clear.%s",
          cs_fmt_count(n1, sizeof n1, fo->deals),
          fo->firth ? " Firth fit, because the data separate." : "");
    return true;
}

static void forest_script(FILE *f, const void *data, const char *base)
{
    cs_plot_forest_script(f, data, base);
}

/* "push-out" */

static enum cs_status push_aggregate(const struct plots_in *in, size_t k, void *data,
                                     struct cs_error *err)
{
    (void)k;
    (void)err;
    cs_plot_push_aggregate(in->an, data);   /* false exactly when there is nothing to show */
    return CS_OK;
}

static bool push_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                       void *data)
{
    struct cs_plot_push *p = data;
    const struct cs_model_result *mr = &in->an->model[CS_MODEL_PUSH_OUT];
    char buf[512], n1[32];
    textf(c, &it->title, "%s", cs_words_push_title(buf, sizeof buf, in->an));
    p->title = it->title;
    if (!mr->fit) {
        textf(c, &it->skipped, "%s", mr->note);
        return false;
    }
    if (model_thin(c, it, in, CS_MODEL_PUSH_OUT))
        return false;
    if (!cs_findings_term(in->an->findings, CS_MODEL_PUSH_OUT, "nothing_to_earn")) {
        textf(c, &it->skipped, "no rep-quarter ended with nothing more to earn (no rep reached a "
                               "capped or decelerated tier)");
        return false;
    }
    textf(c, &it->caption,
          "Share of the next quarter's bookings closed in its first two weeks, after %s "
          "rep-quarters that ended with nothing more to earn (a cap or decelerator) and after "
          "the other %s, with 95%% intervals from rep-clustered errors; dashed: an even pace.",
          cs_fmt_count(n1, sizeof n1, p->n[1]), cs_fmt_count(buf, sizeof buf, p->n[0]));
    return true;
}

static void push_script(FILE *f, const void *data, const char *base)
{
    cs_plot_push_script(f, data, base);
}

/* "per-tier" */

static enum cs_status tier_aggregate(const struct plots_in *in, size_t k, void *data,
                                     struct cs_error *err)
{
    (void)k;
    return cs_plot_tier_aggregate(in->m, data, err);
}

static bool tier_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                       void *data)
{
    struct cs_plot_rates *r = data;
    char n1[32];
    finding_title(c, it, in, cs_findings_lead(in->an->findings, CS_MODEL_PROMISE_RISK,
                                              "marginal_rate"));
    r->title = it->title;
    if (model_thin(c, it, in, CS_MODEL_PROMISE_RISK))
        return false;
    if (cs_plot_tier_comparable(r) == 0) {
        textf(c, &it->skipped, "no plan has two commission rates with at least %zu deals each in "
                               "the period", r->min_n);
        return false;
    }
    textf(c, &it->caption,
          "Share of won deals with a risky promise at each marginal commission rate, plan by "
          "plan, with 95%% Wilson intervals and deal counts; dashed: each plan's share over all "
          "its deals (%s deals in all).",
          cs_fmt_count(n1, sizeof n1, r->n_total));
    return true;
}

static void tier_script(FILE *f, const void *data, const char *base)
{
    cs_plot_tier_script(f, data, base);
}

/* "collateral" */

#define COLLATERAL_MIN_ASSETS 20

static enum cs_status collateral_aggregate(const struct plots_in *in, size_t k, void *data,
                                           struct cs_error *err)
{
    (void)k;
    return cs_plot_collateral_aggregate(in->m, data, err);
}

static bool collateral_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                             void *data)
{
    struct cs_plot_rates *r = data;
    finding_title(c, it, in, cs_findings_term(in->an->findings, CS_MODEL_COLLATERAL, "target_gap"));
    r->title = it->title;
    if (model_thin(c, it, in, CS_MODEL_COLLATERAL))
        return false;
    if (r->n_total < COLLATERAL_MIN_ASSETS || r->n_cats < 2) {
        textf(c, &it->skipped,
              "too few assets: %zu published in the period with claims and a marketing target "
              "(at least %d, in two target-gap bins, are needed)", r->n_total, COLLATERAL_MIN_ASSETS);
        return false;
    }
    textf(c, &it->caption,
          "Share of marketing assets with a misstated claim by the target pressure on the asset "
          "(how far its marketing target was behind in the quarter of publication), with 95%% "
          "Wilson intervals and asset counts; dashed: all %zu assets.", r->n_total);
    return true;
}

static void collateral_script(FILE *f, const void *data, const char *base)
{
    cs_plot_collateral_script(f, data, base);
}

/* "trend" (--period all) */

static enum cs_status trend_aggregate(const struct plots_in *in, size_t k, void *data,
                                      struct cs_error *err)
{
    (void)k;
    return cs_plot_trend_aggregate(in->m, in->an, data, err);
}

/* The trend's title: the latest quarter against the range of the ones
 * before (thin quarters left out of the range), in figures only: no test
 * decides a trend, so the title claims none. */
static void trend_title(struct ctx *c, struct cs_plot_item *it, const struct cs_plot_trend *t)
{
    if (t->n < 2)
        return;
    const struct cs_plot_trend_q *last = &t->q[t->n - 1];
    double lo = INFINITY, hi = -INFINITY;
    size_t before = 0;        /* earlier quarters with the usual number of deals */
    for (size_t j = 0; j + 1 < t->n; j++) {
        double x = t->risk ? t->q[j].w.rate : t->q[j].last14_share;
        if (isfinite(x) && !t->q[j].thin) {
            lo = fmin(lo, x);
            hi = fmax(hi, x);
            before++;
        }
    }
    double x = t->risk ? last->w.rate : last->last14_share;
    if (!isfinite(x))
        return;
    char q[16], a[32], b[48], range[96] = "";
    cs_format_period(last->quarter, q);
    cs_words_pct(a, sizeof a, x);
    if (before)
        snprintf(range, sizeof range, ", %s in the %zu quarter%s before",
                 cs_words_pct_range(b, sizeof b, lo, hi), before, before == 1 ? "" : "s");
    if (t->risk)
        textf(c, &it->title, "Risky promises on %s of won deals in %s%s%s", a, q,
              last->thin ? " (a thin quarter)" : "", range);
    else
        textf(c, &it->title, "%s of bookings closed in the last 14 days in %s%s%s", a, q,
              last->thin ? " (a thin quarter)" : "", range);
}

static bool trend_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                        void *data)
{
    struct cs_plot_trend *t = data;
    textf(c, &it->title, in->an->promise_data
                             ? "Risky-deal rate and end-of-period bookings, quarter by quarter"
                             : "End-of-period bookings, quarter by quarter");
    trend_title(c, it, t);
    t->title = it->title;
    if (t->n < 2) {
        textf(c, &it->skipped, "the data cover %zu quarter%s: no trend to show", t->n,
              t->n == 1 ? "" : "s");
        return false;
    }
    textf(c, &it->caption,
          "Per fiscal quarter: %sthe share of bookings closed in the last 14 days of the plan "
          "period.", t->risk ? "the share of won deals with a risky promise (95% Wilson "
                               "intervals) and " : "");
    return true;
}

static void trend_script(FILE *f, const void *data, const char *base)
{
    cs_plot_trend_script(f, data, base);
}

static void trend_release(void *data)
{
    cs_plot_trend_free(data);
}

/* "plan-change": the last plan change's event study (SPEC 14.3) */

static enum cs_status event_aggregate(const struct plots_in *in, size_t k, void *data,
                                      struct cs_error *err)
{
    (void)k;
    (void)err;
    cs_plot_event_aggregate(cs_planchange_last(in->an->plan_changes), data);
    return CS_OK;
}

static bool event_words(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                        void *data)
{
    struct cs_plot_event *e = data;
    const struct cs_plan_change *pc = cs_planchange_last(in->an->plan_changes);
    char buf[512];
    if (!pc) {
        textf(c, &it->skipped, "no plan change was found in the assignments");
        return false;
    }
    textf(c, &it->title, "%s", cs_words_plan_change_title(buf, sizeof buf, in->m->ds, pc));
    e->title = it->title;
    if (!pc->estimated) {
        textf(c, &it->skipped, "%s", pc->note);
        return false;
    }
    textf(c, &it->caption,
          "The risky-deal rate of the %zu reps who moved minus that of the %zu whose plan stayed, "
          "quarter by quarter around the change, each against the quarter before it, with 95%% "
          "intervals; the quarters before the change show whether the two groups moved "
          "together; shaded: the estimate over the quarters after it%s.",
          e->treated_reps, e->control_reps,
          isfinite(e->predicted) ? "; green: the what-if's prediction, made on the deals before "
                                   "the change" : "");
    return true;
}

static void event_script(FILE *f, const void *data, const char *base)
{
    cs_plot_event_script(f, data, base);
}

/* ======================================================================
 * The table
 * ==================================================================== */

/* Input files a plot cannot do without. */
enum needs { NEEDS_NOTHING, NEEDS_PROMISES, NEEDS_COLLATERAL };

struct report_plot {
    const char *kind;         /* the report's section, and the file name (numbered
                                 kind-1, kind-2, ... when count is set) */
    const char *title;        /* the title, when the data do not change it */
    enum needs needs;         /* skipped with the reason when those files are missing */
    bool trend_only;          /* drawn only when cs_plots_write is asked for the trend */
    size_t size;              /* of the aggregate */
    size_t (*count)(const struct plots_in *in);   /* plots of this kind; NULL: one */
    enum cs_status (*aggregate)(const struct plots_in *in, size_t k, void *data,
                                struct cs_error *err);
    bool (*words)(struct ctx *c, struct cs_plot_item *it, const struct plots_in *in,
                  void *data);
    void (*script)(FILE *f, const void *data, const char *base);
    void (*release)(void *data);   /* what the aggregate owns; NULL: nothing */
};

/* The report's plots, in the order of the report (docs/PLOTS.md). */
static const struct report_plot report_plots[] = {
    {"where", "Where risky promises concentrate: attainment before the deal \xc3\x97 weeks to "
              "period end", NEEDS_PROMISES, false, sizeof(struct cs_plot_where), NULL,
     where_aggregate, where_words, where_script, NULL},
    {"when", NULL, NEEDS_NOTHING, false, sizeof(struct cs_plot_when), NULL,
     when_aggregate, when_words, when_script, NULL},
    {"push-out", NULL, NEEDS_NOTHING, false, sizeof(struct cs_plot_push), NULL,
     push_aggregate, push_words, push_script, NULL},
    {"threshold", NULL, NEEDS_NOTHING, false, sizeof(struct threshold_data), threshold_count,
     threshold_aggregate, threshold_words, threshold_script, NULL},
    {"how-strong", "How strongly each plan element goes with a risky promise", NEEDS_PROMISES,
     false, sizeof(struct cs_plot_forest), NULL,
     forest_aggregate, forest_words, forest_script, NULL},
    {"per-tier", "Risky-promise rate by the commission rate in force when the deal closed",
     NEEDS_PROMISES, false, sizeof(struct cs_plot_rates), NULL,
     tier_aggregate, tier_words, tier_script, NULL},
    {"collateral", "Misstated collateral by marketing target pressure when it was published",
     NEEDS_COLLATERAL, false, sizeof(struct cs_plot_rates), NULL,
     collateral_aggregate, collateral_words, collateral_script, NULL},
    {"trend", NULL, NEEDS_NOTHING, true, sizeof(struct cs_plot_trend), NULL,
     trend_aggregate, trend_words, trend_script, trend_release},
    {"plan-change", "Did the last plan change work?", NEEDS_PROMISES, false,
     sizeof(struct cs_plot_event), NULL, event_aggregate, event_words, event_script, NULL},
};

#define N_REPORT_PLOTS (sizeof report_plots / sizeof report_plots[0])

/* Why a plot that needs `needs` cannot be drawn from an, or NULL. */
static const char *missing(enum needs needs, const struct cs_analysis *an)
{
    if (needs == NEEDS_PROMISES && !an->promise_data)
        return "no roadmap.csv and promises.csv: promises cannot be classified";
    if (needs == NEEDS_COLLATERAL && !an->collateral_data)
        return "no collateral.csv, claims.csv and targets.csv";
    return NULL;
}

/* The script of the list's last item, into a new job. */
static void add_script(struct ctx *c, const struct report_plot *rp, const void *data)
{
    struct cs_gp_job j = {.item = c->l->n - 1};
    struct cs_plot_item *it = &c->l->items[j.item];
    FILE *m = open_memstream(&j.script, &j.len);
    if (!m) {
        c->nomem = true;
        return;
    }
    rp->script(m, data, it->name);
    bool bad = ferror(m) != 0;
    if (fclose(m) != 0 || bad || !j.script) {
        free(j.script);
        c->nomem = true;
        return;
    }
    it->script = true;
    c->jobs[c->n_jobs++] = j;
}

/* Plot k of kind rp: its item, and its script unless it is skipped.
 * Running out of memory marks c; an aggregate's error is returned. */
static enum cs_status build_one(struct ctx *c, const struct report_plot *rp,
                                const struct plots_in *in, size_t k, struct cs_error *err)
{
    char name[32];
    if (rp->count)
        snprintf(name, sizeof name, "%s-%zu", rp->kind, k + 1);
    else
        snprintf(name, sizeof name, "%s", rp->kind);
    struct cs_plot_item *it = add_item(c, name, rp->kind);
    if (!it)
        return CS_OK;
    if (rp->title)
        textf(c, &it->title, "%s", rp->title);
    const char *why = missing(rp->needs, in->an);
    if (why) {
        textf(c, &it->skipped, "%s", why);
        return CS_OK;
    }
    void *data = calloc(1, rp->size);
    if (!data) {
        c->nomem = true;
        return CS_OK;
    }
    enum cs_status st = rp->aggregate(in, k, data, err);
    if (st == CS_OK && rp->words(c, it, in, data))
        add_script(c, rp, data);
    if (rp->release)
        rp->release(data);
    free(data);
    return st;
}

/* Every plot of the table, in order; stops at an aggregate's error. */
static enum cs_status build_all(struct ctx *c, const struct plots_in *in, bool trend,
                                struct cs_error *err)
{
    enum cs_status st = CS_OK;
    for (size_t p = 0; p < N_REPORT_PLOTS && st == CS_OK; p++) {
        const struct report_plot *rp = &report_plots[p];
        if (rp->trend_only && !trend)
            continue;
        size_t count = rp->count ? rp->count(in) : 1;
        for (size_t k = 0; k < count && st == CS_OK; k++)
            st = build_one(c, rp, in, k, err);
    }
    return st;
}

/* ======================================================================
 * Files and gnuplot
 * ==================================================================== */

/* Remove PLOTS/NAME.png and .svg (images == true) or also NAME.gp. */
static void remove_files(const char *pdir, const char *name, bool images)
{
    static const char *const ext[] = {"png", "svg", "gp"};
    for (size_t e = 0; e < (images ? 2u : 3u); e++) {
        char *p = path_of(pdir, name, ext[e]);
        if (p)
            unlink(p);
        free(p);
    }
}

/*
 * No image of an earlier run may stay next to a new script: a plot
 * skipped now, or one gnuplot cannot draw, must not show old numbers.
 * Nor may the plots of an earlier run that are not in the list at all:
 * threshold-K+1 ... of a run with more plan floors, and the trend.
 */
static void remove_stale(const struct cs_plot_list *l, const char *pdir, bool trend)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        remove_files(pdir, l->items[i].name, l->items[i].script);
        k += strcmp(l->items[i].kind, "threshold") == 0;
    }
    for (size_t more = k + 1;; more++) {
        char name[32];
        snprintf(name, sizeof name, "threshold-%zu", more);
        bool stale = false;
        for (const char *const *ext = (const char *const[]){"gp", "png", "svg", NULL}; *ext; ext++) {
            char *p = path_of(pdir, name, *ext);
            stale |= p && access(p, F_OK) == 0;
            free(p);
        }
        if (!stale)
            break;
        remove_files(pdir, name, false);
    }
    if (!trend)
        remove_files(pdir, "trend", false);
}

/* A job gnuplot did not draw: the item says why; the first failure goes
 * to c->err.  Running out of memory (here or in gnuplot's start) marks
 * the whole run: the caller then fails instead of warning. */
static void record_failure(void *ctx, const struct cs_gp_job *job, const struct cs_error *e)
{
    struct ctx *c = ctx;
    struct cs_plot_item *it = &c->l->items[job->item];
    char msg[1100];
    cs_error_format(e, msg, sizeof msg);
    it->error = strdup(msg);
    if (!it->error || e->status == CS_ERR_NOMEM)
        c->nomem = true;
    if (c->l->failed++ == 0 && c->err)
        *c->err = *e;
}

enum cs_status cs_plots_write(const char *dir, const struct cs_measured *measured,
                              const struct cs_analysis *an, bool trend, struct cs_plot_list *out,
                              struct cs_error *err)
{
    /* the plots show the analysis's own selection */
    struct cs_measured m = *measured;
    m.sel = &an->sel;
    const struct plots_in in = {.m = &m, .an = an};
    struct ctx c = {.l = out, .err = err};
    enum cs_status st = CS_OK;
    bool keep = false;        /* the list goes back filled: every script was written */
    char *pdir = NULL;
    memset(out, 0, sizeof *out);
    if (asprintf(&pdir, "%s/plots", dir) < 0) {
        pdir = NULL;
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    if ((st = cs_mkdir_p(pdir, 0777, err)) != CS_OK)
        goto out;
    out->gnuplot_missing = !cs_plot_gnuplot_available(out->gnuplot_version,
                                                      sizeof out->gnuplot_version);
    if ((st = build_all(&c, &in, trend, err)) != CS_OK)
        goto out;
    if (c.nomem) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < c.n_jobs && st == CS_OK; j++) {
        c.jobs[j].name = out->items[c.jobs[j].item].name;
        st = cs_gp_write_script(pdir, c.jobs[j].name, c.jobs[j].script, c.jobs[j].len, err);
    }
    if (st != CS_OK)
        goto out;
    remove_stale(out, pdir, trend);
    keep = true;
    if (!out->gnuplot_missing) {
        cs_gp_run_jobs(pdir, c.jobs, c.n_jobs, record_failure, &c);
        for (size_t j = 0; j < c.n_jobs; j++)
            out->items[c.jobs[j].item].rendered = c.jobs[j].rendered;
        if (c.nomem)
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        else if (out->failed)
            st = CS_ERR_OUTPUT;
    }
out:
    for (size_t j = 0; j < c.n_jobs; j++)
        free(c.jobs[j].script);
    free(c.jobs);
    free(pdir);
    if (!keep)
        cs_plot_list_free(out);
    return st;
}
