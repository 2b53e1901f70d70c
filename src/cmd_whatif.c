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
#include "compsight/doc.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "compsight/side.h"
#include "compsight/version.h"
#include "compsight/whatif.h"

/* Shown under every simulated figure, in the words of SPEC 8's brief. */
static const char first_order[] =
    "A first-order estimate: it assumes the same deals close; it does not model reps changing "
    "behaviour beyond what the fitted association implies.";

/* Options shown in the proposal's plot (the table lists every option). */
#define PLOT_OPTIONS 10

/* ======================================================================
 * Numbers for reading (full precision stays in the JSON)
 * ==================================================================== */

/* Expected deal or promise counts: 1,234 / 56 / 3.4 / 0.42. */
static const char *fmt_n(char *buf, size_t n, double x)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (a >= 1000) {
        char tmp[48];
        int len = snprintf(tmp, sizeof tmp, "%.0f", a), o = 0;
        if (x < 0 && (size_t)o + 1 < n)
            buf[o++] = '-';
        for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
            if (i && (len - i) % 3 == 0)
                buf[o++] = ',';
            buf[o++] = tmp[i];
        }
        buf[o] = '\0';
    } else if (a >= 100 || a == 0)
        snprintf(buf, n, "%.0f", x);
    else if (a >= 1)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2f", x);
    if (strcmp(buf, "-0") == 0 || strcmp(buf, "-0.0") == 0 || strcmp(buf, "-0.00") == 0)
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

/* A rate or a floor as a percentage: 12%, 10.5%, 0%. */
static const char *fmt_pct(char *buf, size_t n, double fraction)
{
    if (!isfinite(fraction))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.4g%%", 100 * fraction);
    return buf;
}

typedef const char *(*fmt_fn)(char *, size_t, double);

/* "3.4 (1.2 to 5.6)" for a difference; with negate, of its opposite. */
static const char *fmt_ci(char *buf, size_t n, const struct cs_whatif_diff *d, bool negate, fmt_fn f)
{
    char a[48], b[48], c[48];
    double s = negate ? -1 : 1;
    double lo = negate ? d->high : d->low, hi = negate ? d->low : d->high;
    if (!isfinite(d->estimate))
        snprintf(buf, n, "n/a");
    else if (!isfinite(lo) || !isfinite(hi))
        snprintf(buf, n, "%s", f(a, sizeof a, s * d->estimate));
    else
        snprintf(buf, n, "%s (%s to %s)", f(a, sizeof a, s * d->estimate), f(b, sizeof b, s * lo),
                 f(c, sizeof c, s * hi));
    return buf;
}

/* "4.1 fewer (95% interval 0.9 to 8.3 fewer)", "(... from 2.0 fewer to 1.1 more)". */
static const char *phrase_diff(char *buf, size_t n, const struct cs_whatif_diff *d, fmt_fn f,
                               const char *less, const char *more)
{
    char a[48], b[48], c[48];
    f(a, sizeof a, fabs(d->estimate));
    if (!isfinite(d->low) || !isfinite(d->high))
        snprintf(buf, n, "%s %s", a, d->estimate < 0 ? less : more);
    else if (d->high <= 0)
        snprintf(buf, n, "%s %s (95%% interval %s to %s %s)", a, less, f(b, sizeof b, -d->high),
                 f(c, sizeof c, -d->low), less);
    else if (d->low >= 0)
        snprintf(buf, n, "%s %s (95%% interval %s to %s %s)", a, more, f(b, sizeof b, d->low),
                 f(c, sizeof c, d->high), more);
    else
        snprintf(buf, n, "%s %s (95%% interval from %s %s to %s %s)", a,
                 d->estimate < 0 ? less : more, f(b, sizeof b, -d->low), less,
                 f(c, sizeof c, d->high), more);
    return buf;
}

/* Does the interval exclude 0? */
static bool clear(const struct cs_whatif_diff *d)
{
    return isfinite(d->low) && isfinite(d->high) && (d->low > 0 || d->high < 0);
}

/* A number for a plans CSV: plain decimal (no exponent: SPEC 2), the
 * shortest that reads back as the same double. */
static void put_plain(FILE *f, double x)
{
    char buf[400];
    for (int prec = 0; prec <= 340; prec++) {
        snprintf(buf, sizeof buf, "%.*f", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    fputs(buf, f);
}

/* ======================================================================
 * Describing plans and options
 * ==================================================================== */

static const char *plan_name(const struct cs_dataset *ds, size_t p)
{
    return cs_ds_str(ds, ds->plans.id[p]);
}

static const char *period_word(uint8_t type)
{
    return type == CS_PERIOD_YEAR ? "year" : "quarter";
}

/* One line per option, plain text (the doc and JSON layers escape it). */
static void describe_option(char *buf, size_t n, const struct cs_dataset *ds,
                            const struct cs_whatif_option *o)
{
    char f[32], a[32], b[32], lo[32], hi[32], q[48];
    const char *pid = plan_name(ds, o->plan);
    fmt_pct(f, sizeof f, o->floor);
    fmt_pct(a, sizeof a, o->rate_before);
    fmt_pct(b, sizeof b, o->rate_after);
    switch (o->kind) {
    case CS_WHATIF_HALVE_STEP:
        snprintf(buf, n, "%s: halve the accelerator step at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_RAMP_STEP:
        snprintf(buf, n, "%s: replace the step at %s of quota by a ramp from %s to %s "
                         "(the rate rises from %s to %s in five equal steps)",
                 pid, f, fmt_pct(lo, sizeof lo, o->ramp_low), fmt_pct(hi, sizeof hi, o->ramp_high),
                 a, b);
        break;
    case CS_WHATIF_REMOVE_STEP:
        snprintf(buf, n, "%s: remove the accelerator at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_CAP_TOP:
        snprintf(buf, n, "%s: cap commission at %s of quota (nothing above it instead of %s)",
                 pid, f, a);
        break;
    case CS_WHATIF_DECELERATOR:
        snprintf(buf, n, "%s: a decelerator at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_YEARLY:
        cs_fmt_amount(q, sizeof q, ds->plans.quota[o->plan] * 4);
        snprintf(buf, n, "%s: measure attainment over the fiscal year instead of the quarter "
                         "(yearly quota %s, four times the quarterly one)", pid, q);
        break;
    default:
        snprintf(buf, n, "%s: ?", pid);
    }
}

/* A short label for the plot's axis. */
static void short_option(char *buf, size_t n, const struct cs_dataset *ds,
                         const struct cs_whatif_option *o, size_t rank)
{
    static const char *const verb[CS_WHATIF_KIND_COUNT] = {
        "halve step at", "ramp at", "no step at", "cap at", "decelerate at", "yearly",
    };
    char f[32];
    if (o->kind == CS_WHATIF_YEARLY)
        snprintf(buf, n, "%zu. %s yearly", rank, plan_name(ds, o->plan));
    else
        snprintf(buf, n, "%zu. %s %s %s", rank, plan_name(ds, o->plan),
                 (unsigned)o->kind < CS_WHATIF_KIND_COUNT ? verb[o->kind] : "?",
                 fmt_pct(f, sizeof f, o->floor));
}

/* The trade-off of an option, for the recommendation (plain text). */
static void trade_off(char *buf, size_t n, const struct cs_dataset *ds, const struct cs_whatif_option *o,
                      double cost)
{
    char f[32], lo[32], hi[32];
    fmt_pct(f, sizeof f, o->floor);
    switch (o->kind) {
    case CS_WHATIF_HALVE_STEP:
        snprintf(buf, n, "the reward for passing %s is halved, so the reps who finish above it earn "
                         "less on those bookings; some will read it as a pay cut for top performers.",
                 f);
        break;
    case CS_WHATIF_RAMP_STEP:
        snprintf(buf, n, "pay is unchanged for whoever finishes above %s, higher just below %s and "
                         "lower just above it; there is no single line left to push deals over, "
                         "but the plan is a little harder to explain.",
                 fmt_pct(hi, sizeof hi, o->ramp_high), f);
        (void)lo;
        break;
    case CS_WHATIF_REMOVE_STEP:
        snprintf(buf, n, "there is no extra reward for passing %s at all: the strongest change at "
                         "that threshold, and the largest cut for reps who finish above it.", f);
        break;
    case CS_WHATIF_CAP_TOP:
        snprintf(buf, n, "no commission above %s of quota: it saves the most, but a rep who reaches "
                         "the cap has a reason to hold deals back for the next period.", f);
        break;
    case CS_WHATIF_DECELERATOR:
        snprintf(buf, n, "a record period above %s earns half the rate, which takes away the reason "
                         "to pad it, and gives a reason to move large deals into the next period.", f);
        break;
    case CS_WHATIF_YEARLY:
        snprintf(buf, n, "one period end a year instead of four, so less end-of-quarter pressure; "
                         "but reps wait longer for accelerators, and per-rep quarterly quotas in "
                         "quotas.csv no longer apply to %s.%s", plan_name(ds, o->plan),
                 cost < 0 ? " It also pays less: a strong quarter no longer earns accelerators on "
                            "its own, so reps will see it as a pay cut unless the rates move up." : "");
        break;
    default:
        snprintf(buf, n, "unknown.");
    }
}

/* quotas.csv rows of reps on plan p for quarters: they do not apply to a yearly plan. */
static size_t quarter_overrides(const struct cs_dataset *ds, size_t p)
{
    size_t c = 0;
    for (size_t j = 0; j < ds->quotas.n; j++) {
        uint32_t r = ds->quotas.rep[j];
        if (r < ds->reps.n && ds->reps.plan[r] == p && ds->quotas.period[j] % 10 != 0)
            c++;
    }
    return c;
}

/* ======================================================================
 * Files
 * ==================================================================== */

/* An alternative plans file in plans.csv's format: every plan of ds, so
 * that it covers every plan in use. */
static enum cs_status write_plans_csv(const char *dir, const char *name,
                                      const struct cs_dataset *ds, const struct cs_plans *pl,
                                      struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, name, err);
    if (st != CS_OK)
        return st;
    fputs("plan_id,period_type,quota,tier_floor,rate\n", a.f);
    for (size_t p = 0; p < pl->n; p++) {
        for (uint32_t t = 0; t < pl->tier_count[p]; t++) {
            cs_csv_text(a.f, plan_name(ds, p));
            fprintf(a.f, ",%s,", period_word(pl->period_type[p]));
            put_plain(a.f, pl->quota[p]);
            fputc(',', a.f);
            put_plain(a.f, pl->floor[pl->tier_first[p] + t]);
            fputc(',', a.f);
            put_plain(a.f, pl->rate[pl->tier_first[p] + t]);
            fputc('\n', a.f);
        }
    }
    return cs_atomic_commit(&a, err);
}

/* NAME.md and NAME.html of a doc. */
static enum cs_status write_doc(const char *dir, const char *name, const struct cs_doc *doc,
                                struct cs_error *err)
{
    char file[64];
    struct cs_atomic a;
    snprintf(file, sizeof file, "%s.md", name);
    enum cs_status st = cs_atomic_open(&a, dir, file, err);
    if (st != CS_OK)
        return st;
    cs_doc_markdown(doc, a.f);
    if ((st = cs_atomic_commit(&a, err)) != CS_OK)
        return st;
    snprintf(file, sizeof file, "%s.html", name);
    if ((st = cs_atomic_open(&a, dir, file, err)) != CS_OK)
        return st;
    if ((st = cs_doc_html(doc, a.f, dir, err)) != CS_OK) {
        cs_atomic_abort(&a);
        return st;
    }
    return cs_atomic_commit(&a, err);
}

/* ======================================================================
 * JSON
 * ==================================================================== */

static int jset(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v ? v : json_null());
}

static json_t *jci(const struct cs_whatif_diff *d)
{
    json_t *a = json_array();
    if (a) {
        json_array_append_new(a, cs_json_number(d->low));
        json_array_append_new(a, cs_json_number(d->high));
    }
    return a;
}

static void jdiff(json_t *o, const char *key, const struct cs_whatif_diff *d)
{
    char k[64];
    jset(o, key, cs_json_number(d->estimate));
    snprintf(k, sizeof k, "%s_ci", key);
    jset(o, k, jci(d));
}

static json_t *model_json(const struct cs_whatif_base *b)
{
    json_t *m = json_object();
    if (!m)
        return NULL;
    const struct cs_regress_fit *fit = b->fit;
    jset(m, "name", json_string("promise_risk"));
    jset(m, "estimator", fit ? json_string(b->firth ? "firth" : "logit") : json_null());
    jset(m, "n", json_integer((json_int_t)b->deals));
    jset(m, "clusters", json_integer((json_int_t)b->reps));
    jset(m, "note", json_string(b->model_note));
    json_t *terms = json_array(), *dropped = json_array();
    if (fit) {
        for (size_t t = 0; t < fit->k; t++) {
            json_t *e = json_object();
            jset(e, "name", json_string(fit->terms[t].name));
            jset(e, "estimate", cs_json_number(fit->terms[t].estimate));
            jset(e, "se_cluster", cs_json_number(fit->terms[t].se_cluster));
            jset(e, "ci_low", cs_json_number(fit->terms[t].ci_low));
            jset(e, "ci_high", cs_json_number(fit->terms[t].ci_high));
            json_array_append_new(terms, e);
        }
        for (size_t t = 0; t < fit->n_dropped; t++)
            json_array_append_new(dropped, json_string(fit->dropped[t]));
    }
    jset(m, "terms", terms);
    jset(m, "dropped", dropped);
    return m;
}

/* The figures of one simulation: the same keys in whatif.json and in each
 * option of proposal.json. */
static void result_json(json_t *o, const struct cs_whatif_base *b, const struct cs_whatif_result *r)
{
    jset(o, "base_risky", cs_json_number(r->base_risky));
    jset(o, "alt_risky", cs_json_number(r->alt_risky));
    jdiff(o, "risky_diff", &r->risky);
    jset(o, "base_risky_promises", cs_json_number(r->base_risky_promises));
    jset(o, "alt_risky_promises", cs_json_number(r->alt_risky_promises));
    jdiff(o, "risky_promises_diff", &r->risky_promises);
    jset(o, "base_commission", cs_json_number(r->base_commission));
    jset(o, "alt_commission", cs_json_number(r->alt_commission));
    jdiff(o, "commission_diff", &r->commission);
    json_t *ch = json_object();
    jset(ch, "marginal_rate", json_integer((json_int_t)r->changed_marginal_rate));
    jset(ch, "tier_cross", json_integer((json_int_t)r->changed_tier_cross));
    jset(ch, "last_14_days", json_integer((json_int_t)r->changed_last_14_days));
    jset(ch, "any_model_input", json_integer((json_int_t)r->changed_rows));
    jset(ch, "commission", json_integer((json_int_t)r->changed_commission));
    jset(ch, "marginal_rate_outside_observed", json_integer((json_int_t)r->extrapolated));
    jset(o, "deals_changed", ch);
    jset(o, "recomputed", json_boolean(r->recomputed));
    json_t *plans = json_array();
    for (size_t p = 0; p < r->n_plans; p++) {
        const struct cs_whatif_plan_effect *e = &r->plans[p];
        if (!e->deals && !e->changed)
            continue;
        json_t *j = json_object();
        jset(j, "plan_id", json_string(plan_name(b->ds, p)));
        jset(j, "changed", json_boolean(e->changed));
        jset(j, "deals", json_integer((json_int_t)e->deals));
        jset(j, "deals_changed", json_integer((json_int_t)e->rows_changed));
        jset(j, "base_commission", cs_json_number(e->base_commission));
        jset(j, "alt_commission", cs_json_number(e->alt_commission));
        jdiff(j, "risky_diff", &e->risky);
        jdiff(j, "commission_diff", &e->commission);
        json_array_append_new(plans, j);
    }
    jset(o, "plans", plans);
}

static void header_json(json_t *o, const struct cs_whatif_base *b)
{
    jset(o, "compsight", json_string(CS_VERSION));
    jset(o, "period", json_string(b->sel.label));
    jset(o, "won_deals", json_integer((json_int_t)b->deals));
    jset(o, "reps", json_integer((json_int_t)b->reps));
    jset(o, "observed_risky", json_integer((json_int_t)b->observed_risky));
    jset(o, "observed_risky_promises", json_integer((json_int_t)b->observed_risky_promises));
    jset(o, "risky_promises_per_risky_deal", cs_json_number(b->promises_per_risky));
    jset(o, "model", model_json(b));
    json_t *bs = json_object();
    jset(bs, "method", json_string("cluster bootstrap over reps: resample reps with replacement, "
                                   "one Newton step from the estimate on the resampled reps, "
                                   "differences recomputed on the resampled deals; percentile "
                                   "95% intervals (R quantile type 7)"));
    jset(bs, "draws", json_integer((json_int_t)b->draws));
    jset(bs, "seed", json_integer((json_int_t)b->seed));
    jset(bs, "rng", json_string("gsl mt19937"));
    jset(bs, "draws_fixed_hessian", json_integer((json_int_t)b->draws_fixed_hessian));
    jset(bs, "intervals", json_boolean(b->intervals));
    jset(o, "bootstrap", bs);
}

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
    return CS_OK;
}

/* The measures, the what-if base, and the output directory created. */
static enum cs_status run_base(const struct cs_options *opt, struct run *r, const char *sub,
                               struct cs_error *err)
{
    enum cs_status st = run_measures(opt, r, sub, err);
    struct cs_whatif_options wo = {.seed = opt->seed, .draws = 0, .threads = 2};
    if (st != CS_OK ||
        (st = cs_whatif_base_new(r->s.ds, r->inc, r->oc, &r->sel, &wo, &r->base, err)) != CS_OK)
        return st;
    return cs_mkdir_p(r->out, 0777, err);
}

static void warn_rejects(const struct cs_options *opt, const struct cs_io *io, const struct run *r)
{
    (void)opt;    /* warnings print even with --quiet, which silences progress only */
    if (r->s.ds->n_rejects)
        fprintf(io->msg, "compsight: warning: %zu rows rejected; 'compsight check' lists them\n",
                r->s.ds->n_rejects);
}

/* "the fiscal quarter 2026Q2" / "all periods in the data (2025Q1 to 2026Q2)" */
static void period_phrase(char *buf, size_t n, const struct cs_selection *sel)
{
    if (sel->mode == CS_SELECT_QUARTER) {
        snprintf(buf, n, "fiscal quarter %s", sel->label);
    } else {
        char a[16], b[16];
        cs_format_period(sel->first, a);
        cs_format_period(sel->last, b);
        snprintf(buf, n, "all periods in the data (%s to %s)", a, b);
    }
}

/* Method bullets shared by whatif.md and proposal.md. */
static void method_bullets(struct cs_doc *d, const struct cs_whatif_base *b)
{
    char m[32];
    cs_doc_bullet(d);
    cs_doc_text(d, "%s", first_order);
    cs_doc_bullet(d);
    cs_doc_text(d, "Expected risky deals are the sum, over the period's %s won deals, of each "
                   "deal's chance of carrying an off-roadmap or premature promise under the "
                   "promise_risk model of the report (fitted on the same deals). The model relates "
                   "risk to the plan's incentives across deals: an association, not proof of cause.",
                cs_fmt_count(m, sizeof m, b->deals));
    if (isfinite(b->promises_per_risky)) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Expected risky promises are expected risky deals times %s, the average "
                       "number of risky promises on a risky deal in the period: the plan is taken "
                       "to act on whether a deal carries one, not on how many.",
                    fmt_n(m, sizeof m, b->promises_per_risky));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "Commission is recomputed exactly, deal by deal, under each plan (SPEC 5), for "
                   "the same deals in the same order.");
    cs_doc_bullet(d);
    if (b->intervals)
        cs_doc_text(d, "Ranges are 95%% intervals from a bootstrap over reps (%u draws, seed %llu): "
                       "each draw resamples the %s reps, updates the model's coefficients to the "
                       "resampled deals, and recomputes every difference. They cover both the "
                       "model's uncertainty and the luck of which reps and deals the period had.",
                    b->draws, (unsigned long long)b->seed, cs_fmt_count(m, sizeof m, b->reps));
    else
        cs_doc_text(d, "No intervals: the period has deals of a single rep, and a bootstrap over "
                       "reps needs at least two.");
    if (b->model_note[0]) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Note: %s.", b->model_note);
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "How the numbers are made, and how to write a plan file of your own: ");
    cs_doc_code(d, "docs/WHATIF.md");
    cs_doc_text(d, " in the compsight sources.");
}

/* Add a plot of base against alternatives when gnuplot can draw it.  A
 * plot gnuplot cannot draw costs the picture and a warning; running out
 * of memory sets *nomem instead, and the caller fails, as the report does
 * for its own plots. */
static bool plot_whatif(const char *dir, const char *name, const struct cs_plot_whatif *w,
                        const struct cs_options *opt, const struct cs_io *io, bool *nomem)
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
        if (opt->display_dir)     /* the report's proposal: where it ends up */
            cs_error_rebase(&perr, dir, opt->display_dir);
        cs_error_format(&perr, buf, sizeof buf);
        fprintf(io->msg, "compsight: warning: plot %s not drawn: %s\n", name, buf);
        return false;
    }
    return rendered;
}

/* As the report: without gnuplot, warn once and go on without images. */
static void warn_no_gnuplot(const struct cs_options *opt, const struct cs_io *io)
{
    (void)opt;
    if (!cs_plot_gnuplot_available(NULL, 0)) {
        char why[200];
        cs_plot_gnuplot_problem(why, sizeof why);
        fprintf(io->msg, "compsight: warning: %s: plots/*.gp written, no images\n", why);
    }
}

static void add_image(struct cs_doc *d, const char *name, const char *alt, const char *caption)
{
    char file[96];
    snprintf(file, sizeof file, "plots/%s.png", name);
    cs_doc_image(d, file, alt, caption);
}

/* "from 0%: 8%; from 100%: 12%" */
static void tiers_text(char *buf, size_t n, const struct cs_plans *pl, size_t p)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t t = 0; t < pl->tier_count[p] && o + 1 < n; t++) {
        char f[32], r[32];
        int w = snprintf(buf + o, n - o, "%sfrom %s: %s", t ? "; " : "",
                         fmt_pct(f, sizeof f, pl->floor[pl->tier_first[p] + t]),
                         fmt_pct(r, sizeof r, pl->rate[pl->tier_first[p] + t]));
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

static const struct cs_regress_term *find_term(const struct cs_regress_fit *fit, const char *name)
{
    for (size_t t = 0; fit && t < fit->k; t++)
        if (strcmp(fit->terms[t].name, name) == 0)
            return &fit->terms[t];
    return NULL;
}

/* ======================================================================
 * compsight whatif
 * ==================================================================== */

static enum cs_status whatif_doc(const char *dir, const struct run *rn, const char *plans_path,
                                 size_t extra, const struct cs_plans *alt,
                                 const struct cs_whatif_result *r, bool plot_risky,
                                 bool plot_comm, struct cs_error *err)
{
    const struct cs_whatif_base *b = rn->base;
    const struct cs_dataset *ds = rn->s.ds;
    char title[256], per[128], x[64], y[64], z[96];
    period_phrase(per, sizeof per, &b->sel);
    snprintf(title, sizeof title, "What if the plan changed: %s", per);
    struct cs_doc *d = cs_doc_new(title);
    if (!d)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    bool any_change = false;
    for (size_t p = 0; p < r->n_plans; p++)
        any_change |= r->plans[p].changed;

    cs_doc_para(d);
    cs_doc_text(d, "The alternative plans in ");
    cs_doc_code(d, plans_path);
    cs_doc_text(d, " against the current plans, on the %s won deals of %s (%s reps). Generated "
                   "%s by compsight %s; teams and plans only, no person is named.",
                cs_fmt_count(x, sizeof x, b->deals), per, cs_fmt_count(y, sizeof y, b->reps), rn->date,
                CS_VERSION);
    if (extra) {
        cs_doc_para(d);
        cs_doc_text(d, "The file also defines %zu plan%s that no rep in the data is on; %s ignored.",
                    extra, extra == 1 ? "" : "s", extra == 1 ? "it is" : "they are");
    }
    if (!any_change) {
        cs_doc_box(d, CS_BOX_OK);
        cs_doc_para(d);
        cs_doc_text(d, "The alternative plans are the same as the current ones for every plan in "
                       "use: nothing changes, and every difference below is exactly 0.");
        cs_doc_end_box(d);
    }

    cs_doc_heading(d, 1, "In short");
    cs_doc_para(d);
    if (b->fit) {
        double dr = r->risky.estimate;
        char ph[256];
        if (dr == 0) {
            cs_doc_text(d, "With the alternative plans the model expects ");
            cs_doc_bold(d, "the same %s risky deals", fmt_n(x, sizeof x, r->base_risky));
            cs_doc_text(d, ". ");
        } else {
            cs_doc_text(d, "With the alternative plans the model expects ");
            cs_doc_bold(d, "%s risky deals instead of %s", fmt_n(x, sizeof x, r->alt_risky),
                        fmt_n(y, sizeof y, r->base_risky));
            cs_doc_text(d, ": %s. ", phrase_diff(ph, sizeof ph, &r->risky, fmt_n, "fewer", "more"));
            if (isfinite(r->risky.low) && !clear(&r->risky))
                cs_doc_text(d, "The interval includes no change, so the data show no clear effect. ");
        }
    } else {
        cs_doc_text(d, "Risky deals cannot be predicted (%s). ", b->model_note);
    }
    {
        char ph[256];
        if (r->commission.estimate == 0) {
            cs_doc_text(d, "Commission on these deals ");
            cs_doc_bold(d, "stays at %s", cs_fmt_amount(x, sizeof x, r->base_commission));
            cs_doc_text(d, ".");
        } else {
            cs_doc_text(d, "Commission on these deals would be ");
            cs_doc_bold(d, "%s instead of %s", cs_fmt_amount(x, sizeof x, r->alt_commission),
                        cs_fmt_amount(y, sizeof y, r->base_commission));
            cs_doc_text(d, ": %s.", phrase_diff(ph, sizeof ph, &r->commission, cs_fmt_amount, "less", "more"));
        }
    }
    cs_doc_para(d);
    cs_doc_text(d, "%s", first_order);

    cs_doc_heading(d, 1, "Side by side");
    static const char *const h[] = {"measure", "current plans", "alternative",
                                    "difference (95% interval)"};
    static const bool num[] = {false, true, true, true};
    cs_doc_table(d, 4, h, num);
    {
        char a[48], c[48], e[96];
        const char *row1[] = {"expected risky deals", fmt_n(a, sizeof a, r->base_risky),
                              fmt_n(c, sizeof c, r->alt_risky), fmt_ci(e, sizeof e, &r->risky, false, fmt_n)};
        cs_doc_row(d, row1);
        const char *row2[] = {"expected risky promises", fmt_n(a, sizeof a, r->base_risky_promises),
                              fmt_n(c, sizeof c, r->alt_risky_promises),
                              fmt_ci(e, sizeof e, &r->risky_promises, false, fmt_n)};
        cs_doc_row(d, row2);
        const char *row3[] = {"commission", cs_fmt_amount(a, sizeof a, r->base_commission),
                              cs_fmt_amount(c, sizeof c, r->alt_commission),
                              fmt_ci(e, sizeof e, &r->commission, false, cs_fmt_amount)};
        cs_doc_row(d, row3);
    }
    if (b->promise_data) {
        cs_doc_para(d);
        cs_doc_text(d, "Observed in the period: %s risky deals carrying %s risky promises.",
                    cs_fmt_count(x, sizeof x, b->observed_risky),
                    cs_fmt_count(y, sizeof y, b->observed_risky_promises));
        if (b->fit && !b->firth)
            cs_doc_text(d, " Under the current plans the model reproduces the observed count (a "
                           "logistic fit with an intercept always does), so the difference is what "
                           "matters.");
    }
    if (plot_risky)
        add_image(d, "whatif-risky", "Expected risky deals, current plans against the alternative",
                  "Expected risky deals under the current plans and under the alternative, with "
                  "the alternative's 95% interval.");
    if (plot_comm)
        add_image(d, "whatif-commission", "Commission, current plans against the alternative",
                  "Commission on the period's deals under the current plans and under the "
                  "alternative, with the alternative's 95% interval.");

    if (any_change) {
        cs_doc_heading(d, 1, "What changed");
        static const char *const th[] = {"plan", "", "period", "quota", "tiers (from attainment: rate)"};
        static const bool tnum[] = {false, false, false, true, false};
        cs_doc_table(d, 5, th, tnum);
        for (size_t p = 0; p < r->n_plans; p++) {
            if (!r->plans[p].changed)
                continue;
            char q[48], t[1024];
            for (int v = 0; v < 2; v++) {
                const struct cs_plans *pl = v ? alt : &ds->plans;
                tiers_text(t, sizeof t, pl, p);
                const char *cells[] = {plan_name(ds, p), v ? "alternative" : "current",
                                       period_word(pl->period_type[p]),
                                       cs_fmt_amount(q, sizeof q, pl->quota[p]), t};
                cs_doc_row(d, cells);
            }
        }
        cs_doc_para(d);
        char c1[32], c2[32], c3[32], c4[32], c5[32];
        cs_doc_text(d, "Of the period's %s won deals, %s get a different marginal rate, %s a "
                       "different tier crossing and %s a different last-two-weeks flag; %s a "
                       "different commission.", cs_fmt_count(c1, sizeof c1, b->deals),
                    cs_fmt_count(c2, sizeof c2, r->changed_marginal_rate),
                    cs_fmt_count(c3, sizeof c3, r->changed_tier_cross),
                    cs_fmt_count(c4, sizeof c4, r->changed_last_14_days),
                    cs_fmt_count(c5, sizeof c5, r->changed_commission));
        if (r->extrapolated && b->fit) {
            cs_doc_para(d);
            cs_doc_text(d, "%s deals get a marginal rate outside the range the period's deals "
                           "had (%s to %s): for them the model extrapolates, so read their part "
                           "of the estimate with care.", cs_fmt_count(z, sizeof z, r->extrapolated),
                        fmt_pct(x, sizeof x, b->rate_min), fmt_pct(y, sizeof y, b->rate_max));
        }
        if (r->recomputed) {
            cs_doc_para(d);
            cs_doc_text(d, "A plan's period type or quota changes, so attainment was recomputed "
                           "from the deals for every plan. Per-rep quotas in quotas.csv still "
                           "apply where their period matches the plan's (a quarterly quota does "
                           "not apply to a yearly plan).");
        }
        cs_doc_heading(d, 2, "By plan");
        static const char *const ph[] = {"plan", "deals", "deals changed",
                                         "risky deals, difference (95% interval)",
                                         "commission, difference (95% interval)"};
        static const bool pnum[] = {false, true, true, true, true};
        cs_doc_table(d, 5, ph, pnum);
        for (size_t p = 0; p < r->n_plans; p++) {
            const struct cs_whatif_plan_effect *e = &r->plans[p];
            if (!e->deals)
                continue;
            char a[32], c[32], e1[96], e2[96];
            cs_fmt_count(a, sizeof a, e->deals);
            cs_fmt_count(c, sizeof c, e->rows_changed);
            const char *cells[] = {plan_name(ds, p), a, c,
                                   fmt_ci(e1, sizeof e1, &e->risky, false, fmt_n),
                                   fmt_ci(e2, sizeof e2, &e->commission, false, cs_fmt_amount)};
            cs_doc_row(d, cells);
        }
    }

    cs_doc_heading(d, 1, "How to read this");
    method_bullets(d, b);
    cs_doc_bullet(d);
    cs_doc_text(d, "Every figure at full precision is in ");
    cs_doc_link(d, "whatif.json", "whatif.json");
    cs_doc_text(d, ".");

    enum cs_status st = cs_doc_failed(d) ? cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory")
                                         : write_doc(dir, "whatif", d, err);
    cs_doc_free(d);
    return st;
}

enum cs_status cs_cmd_whatif(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    struct run rn;
    struct cs_plans alt = {0};
    struct cs_whatif_result *r = NULL;
    json_t *root = NULL;
    size_t extra = 0;
    enum cs_status st = run_open(opt, io, &rn, err);
    if (st != CS_OK)
        goto out;
    if (!opt->plans) {
        st = cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "whatif needs --plans FILE");
        goto out;
    }
    /* The alternative first: a bad file is reported before any fitting. */
    struct cs_load_options lo = {.dir = rn.s.data_dir, .date_format = opt->date_format,
                                 .decimal_comma = opt->decimal_comma, .chunk_size = opt->chunk_size};
    if ((st = cs_plans_load_alt(opt->plans, rn.s.ds, &lo, &alt, &extra, err)) != CS_OK)
        goto out;
    let_go(&rn);
    if ((st = run_base(opt, &rn, "whatif", err)) != CS_OK ||
        (st = cs_whatif_simulate(rn.base, &rn.s.cal, &alt, false, &r, err)) != CS_OK)
        goto out;

    const struct cs_whatif_base *b = rn.base;
    /* plots: the alternative's interval is the current value plus the difference's */
    warn_no_gnuplot(opt, io);
    char axis[128];
    bool plot_risky = false, plot_comm = false, nomem = false;
    if (b->fit) {
        struct cs_plot_whatif_alt a = {"alternative plans", r->alt_risky,
                                       r->base_risky + r->risky.low, r->base_risky + r->risky.high};
        snprintf(axis, sizeof axis, "expected risky deals, %s", b->sel.label);
        struct cs_plot_whatif w = {"Expected risky deals: current plans against the alternative",
                                   axis, "current plans", r->base_risky, 1, &a};
        plot_risky = plot_whatif(rn.out, "whatif-risky", &w, opt, io, &nomem);
    }
    {
        struct cs_plot_whatif_alt a = {"alternative plans", r->alt_commission,
                                       r->base_commission + r->commission.low,
                                       r->base_commission + r->commission.high};
        snprintf(axis, sizeof axis, "commission on the won deals, %s", b->sel.label);
        struct cs_plot_whatif w = {"Commission: current plans against the alternative", axis,
                                   "current plans", r->base_commission, 1, &a};
        plot_comm = plot_whatif(rn.out, "whatif-commission", &w, opt, io, &nomem);
    }
    if (nomem) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory drawing plots");
        goto out;
    }

    if (!(root = json_object())) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    header_json(root, b);
    jset(root, "plans_file", json_string(opt->plans));
    jset(root, "extra_plans_ignored", json_integer((json_int_t)extra));
    result_json(root, b, r);
    if ((st = cs_json_write(rn.out, "whatif.json", root, err)) != CS_OK ||
        (st = whatif_doc(rn.out, &rn, opt->plans, extra, &alt, r, plot_risky, plot_comm, err)) != CS_OK)
        goto out;
    warn_rejects(opt, io, &rn);
    fprintf(io->out, "what-if written to %s/\n", rn.out);
out:
    json_decref(root);
    cs_whatif_result_free(r);
    cs_plans_free(&alt);
    run_close(&rn);
    return st;
}

/* ======================================================================
 * compsight propose
 * ==================================================================== */

struct proposal {
    const struct cs_whatif_base *base;
    const char *date;
    struct cs_whatif_option *opt;        /* generation order */
    size_t n;
    struct cs_whatif_result **res;       /* per option */
    size_t *order;                       /* rank -> option */
    size_t recommended;                  /* option index, SIZE_MAX: none clear */
    uint32_t spiffs[16];
    size_t n_spiffs;
    const char *data_dir;                /* --data as given, or NULL */
    const char *shown_dir;               /* the output directory as the user will see it */
};

/* Notes on one option, as plain sentences (empty when none). */
static void option_notes(char *buf, size_t n, const struct proposal *pr, size_t i)
{
    const struct cs_whatif_base *b = pr->base;
    const struct cs_whatif_option *o = &pr->opt[i];
    const struct cs_whatif_result *r = pr->res[i];
    size_t at = 0;
    buf[0] = '\0';
#define NOTE(...) do { int w_ = snprintf(buf + at, n - at, __VA_ARGS__); \
                       if (w_ > 0 && (size_t)w_ < n - at) at += (size_t)w_; } while (0)
    if (b->fit && r->extrapolated) {
        char lo[32], hi[32], cnt[32];
        NOTE("%s%s deals get a marginal rate outside the range seen in the period (%s to %s): "
             "the estimate extrapolates.", at ? " " : "", cs_fmt_count(cnt, sizeof cnt, r->extrapolated),
             fmt_pct(lo, sizeof lo, b->rate_min), fmt_pct(hi, sizeof hi, b->rate_max));
    }
    const struct cs_regress_term *tc = find_term(b->fit, "tier_cross");
    if (o->kind == CS_WHATIF_RAMP_STEP && tc && tc->estimate > 0)
        NOTE("%sThe ramp adds floors, and the model counts every floor crossing alike, having "
             "learnt from the current plan's larger steps: it may overstate the risk of small "
             "steps.", at ? " " : "");
    if (o->kind == CS_WHATIF_YEARLY) {
        size_t q = quarter_overrides(b->ds, o->plan);
        if (q)
            NOTE("%s%zu per-rep quarterly quotas in quotas.csv no longer apply: those reps are "
                 "measured against the plan's yearly quota.", at ? " " : "", q);
    }
#undef NOTE
}

/* "saves money" / "1.2k" / "no reduction" */
static const char *cost_per_avoided(char *buf, size_t n, const struct cs_whatif_result *r)
{
    double avoided = -r->risky.estimate, cost = r->commission.estimate;
    switch (cs_whatif_rank_group(avoided, cost)) {
    case 0: snprintf(buf, n, cost < 0 ? "saves money" : "no extra cost"); break;
    case 1: cs_fmt_amount(buf, n, cost / avoided); break;
    case 2: snprintf(buf, n, "no reduction"); break;
    default: snprintf(buf, n, "n/a"); break;
    }
    return buf;
}

static const char *rank_group_name(int g)
{
    static const char *const names[] = {"avoids_and_saves", "avoids_at_cost", "no_reduction", "no_model"};
    return g >= 0 && g <= 3 ? names[g] : "?";
}

static json_t *proposal_json(const struct proposal *pr)
{
    const struct cs_whatif_base *b = pr->base;
    const struct cs_dataset *ds = b->ds;
    json_t *root = json_object();
    if (!root)
        return NULL;
    header_json(root, b);
    if (pr->n) {
        jset(root, "base_risky", cs_json_number(pr->res[0]->base_risky));
        jset(root, "base_risky_promises", cs_json_number(pr->res[0]->base_risky_promises));
        jset(root, "base_commission", cs_json_number(pr->res[0]->base_commission));
    }
    jset(root, "ranking", json_string("group 0: avoids risky deals and costs nothing extra "
                                      "(by risky deals avoided); group 1: avoids risky deals at "
                                      "extra cost (by risky deals avoided per unit of extra "
                                      "commission); group 2: no reduction predicted; group 3: "
                                      "no model (by cost)"));
    jset(root, "recommended", pr->recommended == SIZE_MAX ? json_null() : json_integer(0));
    json_t *opts = json_array();
    for (size_t k = 0; k < pr->n; k++) {
        size_t i = pr->order[k];
        const struct cs_whatif_option *o = &pr->opt[i];
        const struct cs_whatif_result *r = pr->res[i];
        char desc[512], file[64], notes[1024];
        describe_option(desc, sizeof desc, ds, o);
        option_notes(notes, sizeof notes, pr, i);
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
        jset(j, "floor", cs_json_number(o->kind == CS_WHATIF_YEARLY ? NAN : o->floor));
        jset(j, "rate_before", cs_json_number(o->rate_before));
        jset(j, "rate_after", cs_json_number(o->rate_after));
        if (o->kind == CS_WHATIF_RAMP_STEP) {
            jset(j, "ramp_low", cs_json_number(o->ramp_low));
            jset(j, "ramp_high", cs_json_number(o->ramp_high));
        }
        jset(j, "description", json_string(desc));
        jset(j, "notes", json_string(notes));
        jset(j, "rank_group", json_integer(g));
        jset(j, "rank_group_name", json_string(rank_group_name(g)));
        jset(j, "risky_avoided", cs_json_number(avoided));
        jset(j, "risky_avoided_per_1000_extra_commission",
             cs_json_number(g == 1 ? 1000 * avoided / cost : NAN));
        jset(j, "clear_effect", json_boolean(clear(&r->risky)));
        result_json(j, b, r);
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
    jset(root, "not_simulated", ns);
    return root;
}

/* The side-by-side table as CSV, for a spreadsheet. */
static enum cs_status proposal_csv(const char *dir, const struct proposal *pr, struct cs_error *err)
{
    const struct cs_dataset *ds = pr->base->ds;
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, "proposal_options.csv", err);
    if (st != CS_OK)
        return st;
    fputs("rank,file,plan_id,kind,description,risky_avoided,risky_avoided_low,risky_avoided_high,"
          "risky_promises_avoided,risky_promises_avoided_low,risky_promises_avoided_high,"
          "extra_commission,extra_commission_low,extra_commission_high,rank_group\n", a.f);
    for (size_t k = 0; k < pr->n; k++) {
        size_t i = pr->order[k];
        const struct cs_whatif_result *r = pr->res[i];
        char desc[512];
        describe_option(desc, sizeof desc, ds, &pr->opt[i]);
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
        fprintf(a.f, ",%d\n", cs_whatif_rank_group(-r->risky.estimate, r->commission.estimate));
    }
    return cs_atomic_commit(&a, err);
}

static void problem_paragraph(struct cs_doc *d, const struct proposal *pr, const char *per)
{
    const struct cs_whatif_base *b = pr->base;
    char x[64], y[64], z[64];
    cs_doc_para(d);
    if (!b->promise_data) {
        cs_doc_text(d, "The data have no roadmap.csv and promises.csv, so risky promises cannot be "
                       "identified and the options below show only their exact effect on "
                       "commission.");
        return;
    }
    char c1[32], c2[32], c3[32];
    cs_doc_text(d, "%s %s, %s of the %s won deals (%.0f%%) carried at least one promise that is "
                   "off the roadmap or ahead of it: %s such promises in all. ",
                b->sel.mode == CS_SELECT_QUARTER ? "In" : "Over", per,
                cs_fmt_count(c1, sizeof c1, b->observed_risky), cs_fmt_count(c2, sizeof c2, b->deals),
                100.0 * (double)b->observed_risky / (double)b->deals,
                cs_fmt_count(c3, sizeof c3, b->observed_risky_promises));
    if (!b->fit) {
        cs_doc_text(d, "The model that links them to the plan could not be fitted (%s), so the "
                       "options below show only their exact effect on commission.", b->model_note);
        return;
    }
    static const struct {
        const char *term, *lead;
        double scale;
    } terms[] = {
        {"marginal_rate", "each extra percentage point of commission rate goes with", 0.01},
        {"tier_cross", "a deal that crosses a tier floor has", 1},
        {"last_14_days", "a deal closed in the last two weeks of the plan period has", 1},
        {"spiff", "a deal under a SPIFF has", 1},
    };
    size_t said = 0;
    for (size_t t = 0; t < sizeof terms / sizeof terms[0]; t++) {
        const struct cs_regress_term *e = find_term(b->fit, terms[t].term);
        if (!e || !isfinite(e->ci_low) || !(e->ci_low > 0 || e->ci_high < 0))
            continue;
        double s = terms[t].scale;
        snprintf(x, sizeof x, "%.2f", exp(s * e->estimate));
        snprintf(y, sizeof y, "%.2f", exp(s * e->ci_low));
        snprintf(z, sizeof z, "%.2f", exp(s * e->ci_high));
        cs_doc_text(d, "%s%s %s times the odds of a risky deal (95%% interval %s to %s)",
                    said ? "; " : "Across deals, the risk moves with the comp plan: ",
                    terms[t].lead, x, y, z);
        said++;
    }
    if (said)
        cs_doc_text(d, ". This is an association across deals, not proof that the plan causes the "
                       "promises, but it points at the plan elements a change could act on.");
    else
        cs_doc_text(d, "In this period the data show no clear link between the plan's incentives "
                       "and the risk (every interval includes no effect), so the options below rest "
                       "on weak evidence; the same analysis over all periods (--period all) has "
                       "more deals to go on.");
}

static enum cs_status proposal_doc(const char *dir, const struct proposal *pr, bool plot_risky,
                                   bool plot_comm, struct cs_error *err)
{
    const struct cs_whatif_base *b = pr->base;
    const struct cs_dataset *ds = b->ds;
    char title[256], per[128], x[96], y[96], z[96];
    period_phrase(per, sizeof per, &b->sel);
    snprintf(title, sizeof title, "Draft proposal: comp plan changes to reduce off-roadmap "
                                  "promises (%s)",
             b->sel.mode == CS_SELECT_QUARTER ? b->sel.label : "all periods");
    struct cs_doc *d = cs_doc_new(title);
    if (!d)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    cs_doc_para(d);
    cs_doc_text(d, "A draft for the conversation with sales leadership, generated %s by compsight "
                   "%s from the deals of %s. It is meant to be edited: every option can be "
                   "changed and re-run, and every question below is open. Plans and teams only; "
                   "no person is named.", pr->date, CS_VERSION, per);

    cs_doc_heading(d, 1, "The problem");
    problem_paragraph(d, pr, per);

    cs_doc_heading(d, 1, "The options side by side");
    if (!pr->n) {
        cs_doc_para(d);
        cs_doc_text(d, "The current plans offer no standard change to simulate: no plan in use has "
                       "an accelerator step, a top rate above 0 or a quarterly period.");
    } else {
        cs_doc_para(d);
        cs_doc_text(d, "Each option changes one element of one plan and leaves everything else as "
                       "it is, so that its effect can be told apart. Risky deals avoided: how many "
                       "fewer of the period's deals the model expects to carry a risky promise. "
                       "Extra commission: the exact change in commission on the same deals "
                       "(negative: a saving). Ranges are 95%% intervals. Options are ranked by "
                       "risky deals avoided per unit of extra cost; one that avoids risky deals "
                       "and saves money comes first.");
        static const char *const h[] = {"#", "option", "risky deals avoided",
                                        "risky promises avoided", "extra commission",
                                        "extra commission per risky deal avoided"};
        static const bool num[] = {true, false, true, true, true, true};
        cs_doc_table(d, 6, h, num);
        for (size_t k = 0; k < pr->n; k++) {
            size_t i = pr->order[k];
            const struct cs_whatif_result *r = pr->res[i];
            char rank[24], desc[512], a[96], c[96], e[96], f[48];
            snprintf(rank, sizeof rank, "%zu", k + 1);
            describe_option(desc, sizeof desc, ds, &pr->opt[i]);
            const char *cells[] = {rank, desc, fmt_ci(a, sizeof a, &r->risky, true, fmt_n),
                                   fmt_ci(c, sizeof c, &r->risky_promises, true, fmt_n),
                                   fmt_ci(e, sizeof e, &r->commission, false, cs_fmt_amount),
                                   cost_per_avoided(f, sizeof f, r)};
            cs_doc_row(d, cells);
        }
        if (plot_risky)
            add_image(d, "options-risky", "Expected risky deals under each option",
                      "Expected risky deals under the current plans and under each of the "
                      "first options by rank, with 95% intervals.");
        if (plot_comm)
            add_image(d, "options-commission", "Commission under each option",
                      "Commission on the period's deals under the current plans and under each "
                      "of the first options by rank, with 95% intervals.");
        /* Notes, each text once with the options it applies to. */
        char (*notes)[1024] = malloc(pr->n * sizeof *notes);
        bool *done = calloc(pr->n, sizeof *done);
        bool any_note = false;
        if (!notes || !done) {
            free(notes);
            free(done);
            cs_doc_free(d);
            return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        }
        for (size_t k = 0; k < pr->n; k++)
            option_notes(notes[k], sizeof notes[k], pr, pr->order[k]);
        for (size_t k = 0; k < pr->n; k++) {
            if (done[k] || !notes[k][0])
                continue;
            if (!any_note) {
                cs_doc_para(d);
                cs_doc_text(d, "Notes on single options:");
                any_note = true;
            }
            size_t same = 0;
            for (size_t q = k; q < pr->n; q++)
                same += !done[q] && strcmp(notes[q], notes[k]) == 0;
            cs_doc_bullet(d);
            cs_doc_text(d, "Option%s ", same > 1 ? "s" : "");
            size_t told = 0;
            for (size_t q = k; q < pr->n; q++) {
                if (done[q] || strcmp(notes[q], notes[k]) != 0)
                    continue;
                cs_doc_text(d, "%s%zu", told == 0 ? "" : told + 1 == same ? " and " : ", ", q + 1);
                done[q] = true;
                told++;
            }
            cs_doc_text(d, ": %s", notes[k]);
        }
        free(notes);
        free(done);
        cs_doc_para(d);
        cs_doc_text(d, "Each option's plans are in options/N.csv (N = its number above), in the "
                       "format of plans.csv: edit one, and test it with ");
        char cmd[3 * PATH_MAX];
        int at = snprintf(cmd, sizeof cmd, "compsight whatif --plans %s/options/1.csv",
                          pr->shown_dir ? pr->shown_dir : dir);
        if (pr->data_dir && at > 0 && (size_t)at < sizeof cmd)
            at += snprintf(cmd + at, sizeof cmd - (size_t)at, " --data %s", pr->data_dir);
        if (at > 0 && (size_t)at < sizeof cmd)
            snprintf(cmd + at, sizeof cmd - (size_t)at, " --period %s", b->sel.label);
        cs_doc_code(d, cmd);
        cs_doc_text(d, " (add the other options this draft was made with, such as --map or "
                       "--fiscal-start, and the same --seed to get the same intervals).");
    }

    cs_doc_heading(d, 1, "Recommendation");
    cs_doc_para(d);
    if (!b->fit) {
        cs_doc_text(d, "Without a model of risky deals there is no recommendation: the options "
                       "differ only in cost, shown above.");
    } else if (pr->recommended == SIZE_MAX) {
        cs_doc_text(d, "No option has a clear effect on risky deals in this period: every "
                       "interval includes no change. ");
        if (pr->n && -pr->res[pr->order[0]]->risky.estimate > 0) {
            describe_option(title, sizeof title, ds, &pr->opt[pr->order[0]]);
            cs_doc_text(d, "Option 1 (%s) does best on the numbers, but the data cannot tell it "
                           "from no change. A pilot on one plan would, and so might the same "
                           "analysis over all periods (--period all).", title);
        }
    } else {
        size_t i = pr->recommended, k = 0;
        while (pr->order[k] != i)
            k++;
        const struct cs_whatif_result *r = pr->res[i];
        char desc[512], to[512];
        describe_option(desc, sizeof desc, ds, &pr->opt[i]);
        trade_off(to, sizeof to, ds, &pr->opt[i], r->commission.estimate);
        cs_doc_text(d, "Start the conversation with ");
        cs_doc_bold(d, "option %zu: %s", k + 1, desc);
        cs_doc_text(d, ". On the same deals it would avoid about %s risky deals (95%% interval "
                       "%s to %s) and about %s risky promises, ",
                    fmt_n(x, sizeof x, -r->risky.estimate), fmt_n(y, sizeof y, -r->risky.high),
                    fmt_n(z, sizeof z, -r->risky.low), fmt_n(title, sizeof title, -r->risky_promises.estimate));
        double c = r->commission.estimate;
        if (c < 0)
            cs_doc_text(d, "and save about %s in commission (95%% interval %s to %s).",
                        cs_fmt_amount(x, sizeof x, -c), cs_fmt_amount(y, sizeof y, -r->commission.high),
                        cs_fmt_amount(z, sizeof z, -r->commission.low));
        else if (c == 0)
            cs_doc_text(d, "at no change in commission.");
        else
            cs_doc_text(d, "for about %s more in commission (95%% interval %s to %s).",
                        cs_fmt_amount(x, sizeof x, c), cs_fmt_amount(y, sizeof y, r->commission.low),
                        cs_fmt_amount(z, sizeof z, r->commission.high));
        if (k > 0)
            cs_doc_text(d, " It is the best-ranked option whose effect on risky deals is clear; "
                           "the ones ranked above it are not distinguishable from no change.");
        cs_doc_para(d);
        cs_doc_text(d, "The trade-off: %s", to);
        /* Two runners-up with a clear effect, so that the conversation has a choice. */
        size_t shown = 0;
        for (size_t q = k + 1; q < pr->n && shown < 2; q++) {
            const struct cs_whatif_result *rq = pr->res[pr->order[q]];
            if (!(clear(&rq->risky) && rq->risky.high < 0))
                continue;
            if (!shown) {
                cs_doc_para(d);
                cs_doc_text(d, "Also worth discussing:");
            }
            describe_option(desc, sizeof desc, ds, &pr->opt[pr->order[q]]);
            trade_off(to, sizeof to, ds, &pr->opt[pr->order[q]], rq->commission.estimate);
            double cq = rq->commission.estimate;
            cs_doc_bullet(d);
            cs_doc_text(d, "Option %zu, %s: about %s fewer risky deals, %s %s in commission. "
                           "Trade-off: %s", q + 1, desc, fmt_n(x, sizeof x, -rq->risky.estimate),
                        cq <= 0 ? "saving" : "costing", cs_fmt_amount(y, sizeof y, fabs(cq)), to);
            shown++;
        }
    }

    cs_doc_heading(d, 1, "What these numbers do and do not say");
    method_bullets(d, b);

    cs_doc_heading(d, 1, "Questions for sales leadership");
    cs_doc_bullet(d);
    cs_doc_text(d, "What is each accelerator meant to reward, and would any of these options lose "
                   "that? Which change would you try first, and what would you do differently?");
    if (pr->recommended != SIZE_MAX) {
        const struct cs_whatif_option *o = &pr->opt[pr->recommended];
        cs_doc_bullet(d);
        cs_doc_text(d, "Could we pilot the recommended change on the %s plan for one period, so "
                       "that we measure its effect instead of estimating it?", plan_name(ds, o->plan));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "Which deals of this period were pulled in or pushed to cross a threshold, as "
                   "far as you know? Your knowledge of the deals is the best check on what the "
                   "data suggest.");
    cs_doc_bullet(d);
    cs_doc_text(d, "The features most promised off the roadmap are listed in the report's voice "
                   "of the field. Could reps log those asks for product to weigh, instead of "
                   "promising them?");
    for (size_t s = 0; s < pr->n_spiffs && s < sizeof pr->spiffs / sizeof pr->spiffs[0]; s++) {
        uint32_t sp = pr->spiffs[s];
        char end[16];
        cs_format_date(ds->spiffs.end[sp], end);
        cs_doc_bullet(d);
        cs_doc_text(d, "The SPIFF %s on %s ends on %s, in the last two weeks of a quarter. Would it "
                       "do its job as well if it ended earlier in the quarter? (compsight cannot "
                       "simulate this: it would have to predict when deals close.)",
                    cs_ds_str(ds, ds->spiffs.id[sp]), cs_ds_str(ds, ds->spiffs.product[sp]), end);
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "How should a change be introduced so that it is fair to reps who count on "
                   "today's plan: announced a period ahead, or with a transition guarantee?");

    bool skipped = false;
    for (size_t p = 0; p < ds->plans.n; p++) {
        size_t reps = 0;
        for (size_t q = 0; q < ds->reps.n; q++)
            reps += ds->reps.plan[q] == p;
        if (reps && !b->plan_deals[p]) {
            if (!skipped) {
                cs_doc_heading(d, 1, "Not simulated");
                skipped = true;
            }
            cs_doc_bullet(d);
            cs_doc_text(d, "The %s plan: none of its reps won a deal in %s, so no change to it has "
                           "an effect to show.", plan_name(ds, p), per);
        }
    }
    cs_doc_para(d);
    cs_doc_text(d, "Every figure at full precision is in ");
    cs_doc_link(d, "proposal.json", "proposal.json");
    cs_doc_text(d, ", and the table above in ");
    cs_doc_link(d, "proposal_options.csv", "proposal_options.csv");
    cs_doc_text(d, ".");

    enum cs_status st = cs_doc_failed(d) ? cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory")
                                         : write_doc(dir, "proposal", d, err);
    cs_doc_free(d);
    return st;
}

/* options/1.csv .. options/N.csv, and stale higher numbers of an earlier run removed. */
static enum cs_status write_option_files(const char *dir, const struct proposal *pr,
                                         struct cs_error *err)
{
    char sub[PATH_MAX + 16], name[32], path[PATH_MAX + 64];
    snprintf(sub, sizeof sub, "%s/options", dir);
    enum cs_status st = cs_mkdir_p(sub, 0777, err);
    for (size_t k = 0; k < pr->n && st == CS_OK; k++) {
        snprintf(name, sizeof name, "%zu.csv", k + 1);
        st = write_plans_csv(sub, name, pr->base->ds, &pr->opt[pr->order[k]].plans, err);
    }
    for (size_t k = pr->n + 1; st == CS_OK; k++) {
        snprintf(path, sizeof path, "%s/%zu.csv", sub, k);
        if (unlink(path) != 0)
            break;
    }
    return st;
}

static bool plot_options(const char *dir, const struct proposal *pr, bool risky,
                         const struct cs_options *opt, const struct cs_io *io, bool *nomem)
{
    const struct cs_whatif_base *b = pr->base;
    size_t n = pr->n < PLOT_OPTIONS ? pr->n : PLOT_OPTIONS;
    struct cs_plot_whatif_alt alts[PLOT_OPTIONS];
    char labels[PLOT_OPTIONS][96], axis[128];
    if (!n)
        return false;
    for (size_t k = 0; k < n; k++) {
        const struct cs_whatif_result *r = pr->res[pr->order[k]];
        short_option(labels[k], sizeof labels[k], b->ds, &pr->opt[pr->order[k]], k + 1);
        if (risky)
            alts[k] = (struct cs_plot_whatif_alt){labels[k], r->alt_risky,
                                                  r->base_risky + r->risky.low,
                                                  r->base_risky + r->risky.high};
        else
            alts[k] = (struct cs_plot_whatif_alt){labels[k], r->alt_commission,
                                                  r->base_commission + r->commission.low,
                                                  r->base_commission + r->commission.high};
    }
    const struct cs_whatif_result *r0 = pr->res[pr->order[0]];
    snprintf(axis, sizeof axis, risky ? "expected risky deals, %s" : "commission on the won deals, %s",
             b->sel.label);
    struct cs_plot_whatif w = {risky ? "Expected risky deals under each option"
                                     : "Commission under each option",
                               axis, "current plans", risky ? r0->base_risky : r0->base_commission,
                               n, alts};
    return plot_whatif(dir, risky ? "options-risky" : "options-commission", &w, opt, io, nomem);
}

/* The risky-deals plot, drawn on a second thread beside the commission plot. */
struct risky_plot {
    struct side_job side;
    const char *dir;
    const struct proposal *pr;
    const struct cs_options *opt;
    const struct cs_io *io;
    bool drawn;
    bool nomem;
};

static void *risky_plot_main(void *arg)
{
    struct risky_plot *rp = arg;
    rp->drawn = plot_options(rp->dir, rp->pr, true, rp->opt, rp->io, &rp->nomem);
    return NULL;
}

/*
 * The options are simulated two at a time, one on each core, each worker
 * taking the next option not yet taken (in the order of work_order) and
 * keeping its own working memory; every option's result depends only on
 * the option, so the order they are done in changes nothing.  On failure
 * the error of the first failed option in option order is the one
 * reported.
 */
struct option_pool {
    const struct cs_whatif_base *base;
    const struct cs_calendar *cal;
    struct proposal *pr;
    const struct cs_io *io;
    const size_t *order;     /* the options in the order they are taken */
    pthread_mutex_t mu;
    size_t next, done;
    bool failed;
    enum cs_status *st;      /* per option */
    struct cs_error *err;    /* per option */
};

static void *option_worker(void *arg)
{
    struct option_pool *P = arg;
    struct cs_whatif_work *work = cs_whatif_work_new(P->base, 1);
    for (;;) {
        pthread_mutex_lock(&P->mu);
        size_t i = P->failed || P->next == P->pr->n ? P->pr->n : P->order[P->next++];
        if (i < P->pr->n && P->io->progress && P->io->msg) {
            fprintf(P->io->msg, "\rcompsight: simulating option %zu of %zu", ++P->done, P->pr->n);
            fflush(P->io->msg);
        }
        pthread_mutex_unlock(&P->mu);
        if (i >= P->pr->n)
            break;
        if (!work)
            P->st[i] = cs_error_set(&P->err[i], CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        else
            P->st[i] = cs_whatif_simulate_in(P->base, work, P->cal, &P->pr->opt[i].plans, false,
                                             &P->pr->res[i], &P->err[i]);
        if (P->st[i] != CS_OK) {
            pthread_mutex_lock(&P->mu);
            P->failed = true;
            pthread_mutex_unlock(&P->mu);
        }
    }
    cs_whatif_work_free(work);
    return NULL;
}

/*
 * The order the workers take the options in.  An option's cost grows with
 * its plan's deals, and the options come in plan order: taken that way,
 * the last plan's biggest option (its yearly measurement, a SPEC 5
 * recompute) would start last and run alone on one core.  So the largest
 * are taken first (plan deals, most first; option order among equals),
 * and the recomputing options alternate with the others: the workers
 * recompute one at a time (cs_whatif_simulate_in), and two of them first
 * would leave one core waiting.
 */
static void work_order(const struct cs_whatif_base *b, const struct proposal *pr, size_t *order)
{
    size_t n = pr->n, nr = 0, no = 0, k = 0;
    size_t *rec = order + n, *other = order + 2 * n;   /* order has 3n places */
    for (size_t i = 0; i < n; i++) {
        size_t *list = cs_whatif_recomputes(b->ds, &pr->opt[i].plans) ? rec : other;
        size_t *len = list == rec ? &nr : &no, at = (*len)++;
        /* insertion, stable: after every option with at least as many deals */
        while (at > 0 && b->plan_deals[pr->opt[list[at - 1]].plan] < b->plan_deals[pr->opt[i].plan]) {
            list[at] = list[at - 1];
            at--;
        }
        list[at] = i;
    }
    for (size_t r = 0, o = 0; r < nr || o < no;) {
        if (r < nr)
            order[k++] = rec[r++];
        if (o < no)
            order[k++] = other[o++];
    }
}

static enum cs_status simulate_options(const struct cs_whatif_base *base,
                                       const struct cs_calendar *cal, struct proposal *pr,
                                       const struct cs_io *io, struct cs_error *err)
{
    struct option_pool P = {.base = base, .cal = cal, .pr = pr, .io = io};
    enum cs_status st = CS_OK;
    size_t *order = malloc(3 * (pr->n ? pr->n : 1) * sizeof *order);
    P.st = calloc(pr->n ? pr->n : 1, sizeof *P.st);
    P.err = calloc(pr->n ? pr->n : 1, sizeof *P.err);
    if (!order || !P.st || !P.err || pthread_mutex_init(&P.mu, NULL) != 0) {
        free(order);
        free(P.st);
        free(P.err);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    work_order(base, pr, order);
    P.order = order;
    pthread_t th;
    bool threaded = pr->n > 1 && pthread_create(&th, NULL, option_worker, &P) == 0;
    option_worker(&P);
    if (threaded)
        pthread_join(th, NULL);
    pthread_mutex_destroy(&P.mu);
    for (size_t i = 0; i < pr->n && st == CS_OK; i++) {
        if (P.st[i] != CS_OK) {
            *err = P.err[i];
            st = P.st[i];
        }
    }
    for (size_t i = 0; i < pr->n && st == CS_OK; i++)
        if (!pr->res[i])     /* not reached: cannot be, as none failed */
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    free(order);
    free(P.st);
    free(P.err);
    return st;
}

enum cs_status cs_whatif_write_proposal(const char *dir, const struct cs_dataset *ds,
                                       const struct cs_calendar *cal,
                                       const struct cs_incentives *inc,
                                       const struct cs_outcomes *oc,
                                       const struct cs_selection *sel,
                                       const struct cs_options *opt, const struct cs_io *io,
                                       const struct cs_regress_fit *logit,
                                       const struct cs_regress_fit *firth,
                                       size_t *n_options, json_t **json, struct cs_error *err)
{
    struct proposal pr = {.recommended = SIZE_MAX, .data_dir = opt->data_dir,
                          .shown_dir = opt->display_dir ? opt->display_dir : dir};
    struct cs_whatif_base *base = NULL;
    json_t *root = NULL;
    double *avoided = NULL, *cost = NULL;
    char date[16];
    cs_report_date(date, sizeof date);
    pr.date = date;
    if (n_options)
        *n_options = 0;
    if (json)
        *json = NULL;
    struct cs_whatif_options wo = {.seed = opt->seed, .draws = 0, .threads = 2,
                                   .logit = logit, .firth = firth};
    enum cs_status st = cs_whatif_base_new(ds, inc, oc, sel, &wo, &base, err);
    if (st != CS_OK || (st = cs_mkdir_p(dir, 0777, err)) != CS_OK)
        goto out;
    pr.base = base;
    if ((st = cs_whatif_options_generate(base, &pr.opt, &pr.n, err)) != CS_OK)
        goto out;
    pr.res = calloc(pr.n ? pr.n : 1, sizeof *pr.res);
    pr.order = malloc((pr.n ? pr.n : 1) * sizeof *pr.order);
    avoided = malloc((pr.n ? pr.n : 1) * sizeof *avoided);
    cost = malloc((pr.n ? pr.n : 1) * sizeof *cost);
    if (!pr.res || !pr.order || !avoided || !cost) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    if ((st = simulate_options(base, cal, &pr, io, err)) != CS_OK)
        goto out;
    for (size_t i = 0; i < pr.n; i++) {
        avoided[i] = -pr.res[i]->risky.estimate;
        cost[i] = pr.res[i]->commission.estimate;
    }
    if (io->progress)
        fprintf(io->msg, "\r%60s\r", "");
    cs_whatif_rank(avoided, cost, pr.n, pr.order);
    /* The recommendation: the best-ranked option that clearly avoids risky deals. */
    for (size_t k = 0; k < pr.n && pr.recommended == SIZE_MAX; k++) {
        const struct cs_whatif_result *r = pr.res[pr.order[k]];
        if (clear(&r->risky) && r->risky.high < 0)
            pr.recommended = pr.order[k];
    }
    pr.n_spiffs = cs_whatif_spiffs_at_quarter_end(ds, cal, pr.spiffs,
                                                  sizeof pr.spiffs / sizeof pr.spiffs[0]);

    warn_no_gnuplot(opt, io);
    /* Two gnuplot runs of a fifth of a second each: one on each core. */
    struct risky_plot rp = {.dir = dir, .pr = &pr, .opt = opt, .io = io};
    if (base->fit)
        side_start(&rp.side, risky_plot_main, &rp);
    bool nomem = false;
    bool plot_comm = plot_options(dir, &pr, false, opt, io, &nomem);
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
        (st = proposal_doc(dir, &pr, plot_risky, plot_comm, err)) != CS_OK)
        goto out;
    if (n_options)
        *n_options = pr.n;
    if (json) {
        *json = root;
        root = NULL;
    }
out:
    json_decref(root);
    free(avoided);
    free(cost);
    if (pr.res)
        for (size_t i = 0; i < pr.n; i++)
            cs_whatif_result_free(pr.res[i]);
    free(pr.res);
    free(pr.order);
    cs_whatif_options_free(pr.opt, pr.n);
    cs_whatif_base_free(base);
    return st;
}

enum cs_status cs_cmd_propose(const struct cs_options *opt, const struct cs_io *io,
                              struct cs_error *err)
{
    struct run rn;
    size_t n = 0;
    enum cs_status st = run_open(opt, io, &rn, err);
    if (st != CS_OK)
        goto out;
    let_go(&rn);
    if ((st = run_measures(opt, &rn, "proposal", err)) != CS_OK)
        goto out;
    if ((st = cs_whatif_write_proposal(rn.out, rn.s.ds, &rn.s.cal, rn.inc, rn.oc, &rn.sel, opt, io,
                                       NULL, NULL, &n, NULL, err)) != CS_OK)
        goto out;
    warn_rejects(opt, io, &rn);
    fprintf(io->out, "proposal written to %s/ (%zu options)\n", rn.out, n);
out:
    run_close(&rn);
    return st;
}
