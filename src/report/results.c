/* results.c - the results.json object (SPEC 9) from an analysis. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/findings.h"
#include "compsight/output.h"
#include "compsight/planchange.h"
#include "compsight/results.h"

json_t *cs_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Set when a jansson allocation has failed, in any thread. */
static atomic_bool json_nomem;

static void *json_alloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        atomic_store(&json_nomem, true);
    return p;
}

void cs_json_init(void)
{
    json_set_alloc_funcs(json_alloc, free);
}

bool cs_json_failed(void)
{
    return atomic_load(&json_nomem);
}

enum cs_status cs_json_write(const char *dir, const char *name, const json_t *root,
                             struct cs_error *err)
{
    if (!root || cs_json_failed())
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory building %s", name);
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, name, err);
    if (st != CS_OK)
        return st;
    errno = 0;
    if (json_dumpf(root, a.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) != 0 ||
        cs_json_failed()) {
        int e = errno ? errno : EIO;
        cs_atomic_abort(&a);
        if (cs_json_failed())
            return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory writing %s", name);
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s/%s: %s", dir, name, strerror(e));
    }
    fputc('\n', a.f);
    return cs_atomic_commit(&a, err);
}

#define SET(obj, key, val) json_object_set_new((obj), (key), (val))
#define NUM(x) cs_json_number(x)
#define INT(x) json_integer((json_int_t)(x))
#define STR(x) json_string(x)

/* SPEC 12: rows_excluded per file (rows_read = rows_used + rows_rejected +
 * rows_excluded), or by_reason, {file: {reason: rows}}. */
static json_t *excluded_json(const struct cs_dataset *ds, bool by_reason)
{
    json_t *o = json_object();
    for (int t = 0; t < CS_T_COUNT; t++) {
        const char *file = cs_schema_table((enum cs_table)t)->file;
        if (!ds->counts[t].present)
            continue;
        if (!by_reason) {
            SET(o, file, INT(ds->counts[t].excluded));
            continue;
        }
        json_t *r = json_object();
        for (size_t i = 0; i < ds->n_excluded; i++) {
            const struct cs_excluded *e = &ds->excluded[i];
            if (e->table != t)
                continue;
            json_t *v = json_object_get(r, e->reason);
            SET(r, e->reason, INT(v ? json_integer_value(v) + 1 : 1));
        }
        SET(o, file, r);
    }
    return o;
}

static json_t *counts_json(const struct cs_dataset *ds, const struct cs_analysis *an)
{
    json_t *counts = json_object();
    json_t *read = json_object(), *used = json_object(), *rejected = json_object();
    json_t *absent = json_array();
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const char *file = def->file;
        const struct cs_table_counts *c = &ds->counts[t];
        if (!c->present) {
            if (def->listed_absent)
                json_array_append_new(absent, STR(file));
            continue;
        }
        SET(read, file, INT(c->read));
        SET(used, file, INT(c->used));
        SET(rejected, file, INT(c->rejected));
    }
    SET(counts, "rows_read", read);
    SET(counts, "rows_used", used);
    SET(counts, "rows_rejected", rejected);
    SET(counts, "rows_excluded", excluded_json(ds, false));
    SET(counts, "rows_excluded_by_reason", excluded_json(ds, true));
    SET(counts, "files_absent", absent);
    SET(counts, "won_deals", INT(an->won_selected));
    SET(counts, "risky_deals", INT(an->risky_selected));
    return counts;
}

static json_t *flags_json(unsigned flags)
{
    json_t *a = json_array();
    for (unsigned bit = 1; bit && bit <= CS_REGRESS_PERFECT_FIT; bit <<= 1)
        if (flags & bit)
            json_array_append_new(a, STR(cs_regress_flag_text(bit)));
    return a;
}

/* The verdict of a finding and the interval the report printed (issue 19). */
static void verdict_json(json_t *o, const struct cs_finding *f, bool logit)
{
    SET(o, "verdict", STR(cs_verdict_name(f->verdict)));
    SET(o, "q", NUM(f->q));
    if (f->kind == CS_FINDING_TERM) {
        SET(o, "df", f->df > 0 ? NUM(f->df) : json_null());
        if (f->pair != SIZE_MAX)
            SET(o, "leads", json_boolean(f->leads));
    }
    if (f->kind == CS_FINDING_TIMING)
        return;
    SET(o, "reported_level", NUM(f->level));
    SET(o, "reported_low", NUM(f->low));
    SET(o, "reported_high", NUM(f->high));
    if (logit) {
        SET(o, "reported_or_low", NUM(exp(f->low)));
        SET(o, "reported_or_high", NUM(exp(f->high)));
    }
}

/* Terms of model m carry their verdicts when fit is the one read (fs non-NULL). */
static json_t *fit_json(const struct cs_regress_fit *fit, bool logit, const struct cs_findings *fs,
                        enum cs_model_id mid)
{
    json_t *m = json_object();
    SET(m, "n", INT(fit->n));
    SET(m, "clusters", INT(fit->clusters));
    SET(m, "fitted", json_boolean(fit->fitted));
    SET(m, "converged", json_boolean(fit->converged));
    SET(m, "iterations", INT(fit->iterations));
    SET(m, logit ? "deviance" : "rss", NUM(fit->deviance));
    SET(m, logit ? "null_deviance" : "tss", NUM(fit->null_deviance));
    SET(m, "separation", json_boolean(fit->separation));
    SET(m, "notes", flags_json(fit->flags));
    json_t *dropped = json_array();
    for (size_t i = 0; i < fit->n_dropped; i++)
        json_array_append_new(dropped, STR(fit->dropped[i]));
    SET(m, "dropped", dropped);
    json_t *terms = json_array();
    for (size_t j = 0; j < fit->k; j++) {
        const struct cs_regress_term *t = &fit->terms[j];
        json_t *o = json_object();
        SET(o, "name", STR(t->name));
        SET(o, "estimate", NUM(t->estimate));
        SET(o, "se", NUM(t->se));
        SET(o, "se_cluster", NUM(t->se_cluster));
        SET(o, "z", NUM(t->z));
        SET(o, "p", NUM(t->p));
        SET(o, "ci_low", NUM(t->ci_low));
        SET(o, "ci_high", NUM(t->ci_high));
        if (logit) {
            SET(o, "odds_ratio", NUM(t->odds_ratio));
            SET(o, "or_low", NUM(t->or_low));
            SET(o, "or_high", NUM(t->or_high));
            if (fit->separation)
                SET(o, "separated", json_boolean(t->separated));
        }
        const struct cs_finding *f = fs ? cs_findings_term(fs, mid, t->name) : NULL;
        if (f)
            verdict_json(o, f, logit);
        json_array_append_new(terms, o);
    }
    SET(m, "terms", terms);
    return m;
}

/* Whether model k can be read by the rule, and what it would need. */
static void rule_json(json_t *m, const struct cs_model_rule *r)
{
    SET(m, "readable", json_boolean(r->rule.readable));
    if (r->rule.readable || !r->fitted)
        return;
    json_t *needs = json_object();
    SET(needs, "clusters", INT(r->rule.need_clusters));
    if (r->logistic)
        SET(needs, "events", INT(r->rule.need_events));
    else
        SET(needs, "n", INT(r->rule.need_n));
    SET(m, "needs", needs);
}

/* What the models of SPEC 14 count besides every model's n and clusters. */
static void within_json(json_t *m, const struct cs_analysis *an, enum cs_model_id k)
{
    const struct cs_model_result *r = &an->model[k];
    const struct cs_push_out *po = &an->push_out;
    switch (k) {
    case CS_MODEL_PROMISE_RISK_WITHIN:
        SET(m, "reps", INT(r->reps));
        SET(m, "informative_reps", INT(r->fit->clusters));
        SET(m, "uninformative_reps", INT(r->uninformative));
        SET(m, "informative_deals", INT(r->event_rows));
        break;
    case CS_MODEL_DISCOUNT_WITHIN:
        SET(m, "reps", INT(r->reps));
        SET(m, "rank", INT(r->rank));
        break;
    case CS_MODEL_PUSH_OUT: {
        SET(m, "rep_periods", INT(po->rep_periods));
        SET(m, "candidates", INT(po->candidates));
        SET(m, "reps", INT(po->reps));
        SET(m, "crossed_late", INT(po->crossed_late));
        SET(m, "nothing_to_earn", INT(po->nothing_to_earn));
        static const char *const group[2] = {"others", "nothing_to_earn"};
        json_t *g = json_object();
        for (int i = 0; i < 2; i++) {
            json_t *o = json_object();
            SET(o, "rep_periods", INT(po->group_n[i]));
            SET(o, "reps", INT(po->group_reps[i]));
            SET(o, "first_14_days_share", NUM(po->group_share[i]));
            SET(o, "ci_low", NUM(po->group_low[i]));
            SET(o, "ci_high", NUM(po->group_high[i]));
            SET(g, group[i], o);
        }
        SET(m, "next_period_share", g);
        break;
    }
    default:
        break;
    }
}

static json_t *models_json(const struct cs_analysis *an)
{
    json_t *models = json_object();
    for (int k = 0; k < CS_MODEL_COUNT; k++) {
        const struct cs_model_result *r = &an->model[k];
        const struct cs_regress_fit *read = cs_analysis_fit(an, (enum cs_model_id)k);
        bool logit = cs_model_info((enum cs_model_id)k)->logistic;
        json_t *m;
        if (!r->fit) {
            m = json_object();
            SET(m, "fitted", json_false());
            SET(m, "note", STR(r->note));
            if (k == CS_MODEL_PUSH_OUT)
                within_json(m, an, CS_MODEL_PUSH_OUT);
        } else {
            m = fit_json(r->fit, logit, read == r->fit ? an->findings : NULL, (enum cs_model_id)k);
            if (r->firth)
                SET(m, "firth", fit_json(r->firth, true, read == r->firth ? an->findings : NULL,
                                         (enum cs_model_id)k));
            within_json(m, an, (enum cs_model_id)k);
        }
        rule_json(m, cs_findings_model(an->findings, (enum cs_model_id)k));
        SET(models, r->name, m);
    }
    return models;
}

static json_t *correlations_json(const struct cs_analysis *an)
{
    json_t *a = json_array();
    for (int x = 0; x < CS_CORR_NX; x++) {
        for (int y = 0; y < CS_CORR_NY; y++) {
            const struct cs_corr *c = &an->corr[x * CS_CORR_NY + y];
            json_t *o = json_object();
            SET(o, "x", STR(cs_corr_x_names[x]));
            SET(o, "y", STR(cs_corr_y_names[y]));
            SET(o, "n", INT(c->n));
            SET(o, "pearson", NUM(c->pearson));
            SET(o, "pearson_p", NUM(c->pearson_p));
            SET(o, "spearman", NUM(c->spearman));
            SET(o, "spearman_p", NUM(c->spearman_p));
            SET(o, "q", NUM(an->corr_q[x * CS_CORR_NY + y]));
            if (c->reason != CS_CORR_OK)
                SET(o, "note", STR(cs_corr_reason_text(c->reason)));
            json_array_append_new(a, o);
        }
    }
    return a;
}

static json_t *timing_json(const struct cs_analysis *an)
{
    json_t *o = json_object();
    const struct cs_timing *t = an->timing;
    if (!t) {
        SET(o, "note", STR("no won deals in the period"));
        return o;
    }
    SET(o, "n", INT(t->n));
    SET(o, "last_14_days_share", NUM(t->last14_share));
    SET(o, "expected_share", NUM(t->expected_share));
    SET(o, "last_14_days_deal_share", NUM(t->last14_deal_share));
    SET(o, "expected_deal_share", NUM(t->expected_deal_share));
    SET(o, "chi2", NUM(t->chi2));
    SET(o, "df", INT(t->df));
    SET(o, "p", NUM(t->p));
    if (t->reason != CS_TIMING_OK)
        SET(o, "note", STR(cs_timing_reason_text(t->reason)));
    const struct cs_finding *f = cs_findings_timing(an->findings);
    if (f) {
        SET(o, "reps", INT(f->clusters));
        verdict_json(o, f, false);
    }
    json_t *obs = json_array(), *exp = json_array();
    for (size_t i = 0; i < t->n_bins; i++) {
        json_array_append_new(obs, NUM(t->observed[i]));
        json_array_append_new(exp, NUM(t->expected[i]));
    }
    SET(o, "week_observed", obs);
    SET(o, "week_expected", exp);
    return o;
}

static json_t *bunching_json(const struct cs_dataset *ds, const struct cs_analysis *an)
{
    json_t *a = json_array();
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *b = &an->bunch[i];
        const struct cs_bunching *e = &b->est;
        json_t *o = json_object();
        SET(o, "plan_id", STR(cs_ds_str(ds, ds->plans.id[b->plan])));
        SET(o, "threshold", NUM(e->threshold));
        SET(o, "tier_floor", NUM(b->floor));
        SET(o, "placebo", json_boolean(b->placebo));
        SET(o, "n", INT(e->n_total));
        SET(o, "n_binned", INT(e->n_binned));
        SET(o, "excess_mass", NUM(e->excess_mass));
        SET(o, "excess_mass_se", NUM(e->excess_mass_se));
        SET(o, "missing_mass", NUM(e->missing_mass));
        SET(o, "missing_mass_se", NUM(e->missing_mass_se));
        SET(o, "b", NUM(e->b));
        SET(o, "b_se", NUM(e->b_se));
        SET(o, "z", NUM(e->z));
        SET(o, "p", NUM(e->p));
        SET(o, "thin_counterfactual", json_boolean(e->thin));
        SET(o, "draws", INT(e->draws));
        if (e->verdict != CS_BUNCH_OK)
            SET(o, "note", STR(cs_bunching_verdict_text(e->verdict)));
        const struct cs_finding *f = cs_findings_bunching(an->findings, b->plan, b->floor, b->placebo);
        if (f)
            verdict_json(o, f, false);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *rates_json(const struct cs_group_rate *g, size_t n, const struct cs_dataset *ds,
                          const struct cs_group_pool *pool, bool plans)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        if (g[i].other) {
            /* the pool of the groups too small to show on their own */
            SET(o, plans ? "plan_id" : "team", STR(plans ? "other plans" : "other teams"));
            SET(o, "other", json_true());
            SET(o, plans ? "plans" : "teams", INT(pool->groups));
        } else {
            SET(o, plans ? "plan_id" : "team",
                STR(cs_ds_str(ds, plans ? ds->plans.id[g[i].id] : g[i].id)));
        }
        SET(o, "reps", INT(g[i].reps));
        SET(o, "deals", INT(g[i].deals));
        SET(o, "risky", INT(g[i].risky));
        SET(o, "rate", NUM(g[i].w.rate));
        SET(o, "ci_low", NUM(g[i].w.low));
        SET(o, "ci_high", NUM(g[i].w.high));
        json_array_append_new(a, o);
    }
    return a;
}

/* The small-group rule of shared output (groups.h): what was pooled or
 * left out. */
static json_t *pool_json(const struct cs_group_pool *p)
{
    json_t *o = json_object();
    SET(o, "pooled", INT(p->shown ? p->groups : 0));
    SET(o, "left_out", INT(p->shown ? 0 : p->groups));
    SET(o, "reps", INT(p->reps));
    return o;
}

static json_t *small_groups_json(const struct cs_analysis *an)
{
    json_t *o = json_object();
    SET(o, "min_reps", INT(CS_MIN_GROUP_REPS));
    SET(o, "rule", STR("a team or plan is shown on its own only when at least min_reps reps "
                       "closed its selected won deals; the others are pooled as \"other teams\" "
                       "or \"other plans\", or left out when the pool has fewer reps; a plan's "
                       "bunching is estimated only with at least min_reps reps"));
    SET(o, "teams", pool_json(&an->team_pool));
    SET(o, "plans", pool_json(&an->plan_pool));
    SET(o, "bunching_plans_left_out", INT(an->bunch_plans_left_out));
    return o;
}

static json_t *shrink_json(const struct cs_analysis *an)
{
    json_t *o = json_object();
    const struct cs_shrink *s = an->reps;
    if (!s) {
        SET(o, "note", STR(an->promise_data ? "no reps with won deals" : "no promise data"));
        return o;
    }
    SET(o, "reps", INT(s->m_used));
    SET(o, "pooled", json_boolean(s->pooled));
    SET(o, "outcome", STR(cs_shrink_outcome_text(s->outcome)));
    SET(o, "pooled_rate", NUM(s->pooled_rate));
    SET(o, "alpha", NUM(s->alpha));
    SET(o, "beta", NUM(s->beta));
    SET(o, "rho", NUM(s->rho));
    SET(o, "overdispersion_lr", NUM(s->lr));
    SET(o, "overdispersion_p", NUM(s->lr_p));
    return o;
}

static json_t *voice_json(const struct cs_dataset *ds, const struct cs_analysis *an)
{
    json_t *a = json_array();
    for (size_t i = 0; i < an->n_voice; i++) {
        const struct cs_voice *v = &an->voice[i];
        json_t *o = json_object();
        if (v->feature_text) {
            SET(o, "feature_id", STR(cs_ds_str(ds, v->feature_text)));
            SET(o, "title", v->feature != CS_NONE ? STR(cs_ds_str(ds, ds->roadmap.title[v->feature]))
                                                  : json_null());
        } else {
            SET(o, "feature_id", json_null());
            SET(o, "text", STR(v->text));
        }
        SET(o, "promises", INT(v->promises));
        if (v->feature_text)    /* blank-feature promises whose text is the item's title */
            SET(o, "joined_by_text", INT(v->by_text));
        SET(o, "off_roadmap", INT(v->off_roadmap));
        SET(o, "premature", INT(v->premature));
        SET(o, "deals", INT(v->deals));
        SET(o, "bookings", NUM(v->bookings));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *recon_json(const struct cs_dataset *ds, const struct cs_reconciliation *rec)
{
    json_t *o = json_object();
    if (!rec) {
        SET(o, "present", json_false());
        return o;
    }
    SET(o, "present", json_true());
    SET(o, "lines", INT(rec->lines));
    SET(o, "lines_not_won", INT(rec->lines_not_won));
    SET(o, "compared", INT(rec->compared));
    SET(o, "within_1pct", INT(rec->within));
    SET(o, "share_within_1pct", NUM(rec->share));
    SET(o, "reproduces", json_boolean(rec->reproduces));
    SET(o, "paid_total", NUM(rec->paid_total));
    SET(o, "computed_total", NUM(rec->computed_total));
    if (ds->counts[CS_T_SPLITS].present) {
        /* SPEC 13: lines of split deals against their rep's credit row */
        SET(o, "credit_rows_compared", INT(rec->rows_compared));
        SET(o, "credit_rows_within_1pct", INT(rec->rows_within));
    }
    json_t *gaps = json_array();
    for (size_t i = 0; i < rec->n_gaps; i++) {
        json_t *g = json_object();
        SET(g, "deal_id", STR(cs_ds_str(ds, ds->deals.id[rec->gaps[i].deal])));
        SET(g, "paid", NUM(rec->gaps[i].paid));
        SET(g, "computed", NUM(rec->gaps[i].computed));
        SET(g, "gap", NUM(rec->gaps[i].gap));
        json_array_append_new(gaps, g);
    }
    SET(o, "largest_gaps", gaps);
    return o;
}

static json_t *warnings_json(const struct cs_analysis *an)
{
    json_t *o = json_object();
    const struct cs_heaping *h = &an->heaping;
    json_t *heap = json_object();
    SET(heap, "deals", INT(h->deals));
    SET(heap, "month_end", INT(h->month_end));
    SET(heap, "share", NUM(h->share));
    SET(heap, "expected", NUM(h->expected));
    SET(heap, "p", NUM(h->p));
    SET(heap, "flagged", json_boolean(h->flagged));
    SET(o, "month_end_heaping", heap);
    json_t *bulk = json_array();
    for (size_t i = 0; i < an->bulk.n; i++) {
        const struct cs_bulk_day *b = &an->bulk.day[i];
        char date[16];
        cs_format_date(b->day, date);
        json_array_append_new(bulk, json_pack("{s:s, s:I, s:I, s:o, s:s}", "date", date,
                                              "closes", (json_int_t)b->closes, "won",
                                              (json_int_t)b->won, "expected", NUM(b->expected),
                                              "kind_of_day", cs_day_kind_name(b->kind)));
    }
    SET(o, "bulk_edits", bulk);
    SET(o, "bulk_edit_days", INT(an->bulk.n_flagged));
    json_t *thin = json_array();
    for (size_t i = 0; i < an->n_quarters; i++) {
        if (!an->quarters[i].thin)
            continue;
        char label[16];
        cs_format_period(an->quarters[i].quarter, label);
        json_array_append_new(thin, STR(label));
    }
    SET(o, "thin_quarters", thin);
    return o;
}

static json_t *quarters_json(const struct cs_analysis *an)
{
    json_t *a = json_array();
    for (size_t i = 0; i < an->n_quarters; i++) {
        const struct cs_quarter_count *q = &an->quarters[i];
        char label[16];
        cs_format_period(q->quarter, label);
        json_t *o = json_object();
        SET(o, "quarter", STR(label));
        SET(o, "won_deals", INT(q->won));
        SET(o, "risky_deals", INT(q->risky));
        SET(o, "risky_rate", NUM(q->won ? (double)q->risky / (double)q->won : NAN));
        SET(o, "bookings", NUM(q->bookings));
        json_array_append_new(a, o);
    }
    return a;
}

/* SPEC 14.3: the changes the report covers (dated up to its selection's
 * end), with the keys SPEC 14.3 lists, in its order, then a few of our own
 * (docs/PLANCHANGE.md): movers, quarter, the verdict and the level and df
 * of the printed interval, the joint pre-change test, why there is no
 * estimate. */
static json_t *did_json(const struct cs_plan_change *c)
{
    const struct cs_pc_did *d = &c->did;
    json_t *o = json_object();
    SET(o, "estimate", NUM(d->estimate));
    SET(o, "se", NUM(d->se));
    SET(o, "se_cluster", NUM(d->se_cluster));
    SET(o, "z", NUM(d->z));
    SET(o, "p", NUM(d->p));
    SET(o, "ci_low", NUM(d->ci_low));
    SET(o, "ci_high", NUM(d->ci_high));
    SET(o, "level", NUM(d->level));
    SET(o, "df", d->df > 0 ? NUM(d->df) : json_null());
    SET(o, "verdict", STR(cs_verdict_name(c->verdict)));
    SET(o, "q", NUM(c->q));
    return o;
}

static json_t *plan_change_json(const struct cs_dataset *ds, const struct cs_plan_change *c)
{
    char date[16], q[16];
    json_t *o = json_object(), *ev = json_array(), *pr = json_object();
    cs_format_date(c->date, date);
    cs_format_period(c->quarter, q);
    SET(o, "from", STR(cs_ds_str(ds, ds->plans.id[c->from])));
    SET(o, "to", STR(cs_ds_str(ds, ds->plans.id[c->to])));
    SET(o, "date", STR(date));
    SET(o, "treated_reps", INT(c->treated_reps));
    SET(o, "control_reps", INT(c->control_reps));
    SET(o, "n", INT(c->n));
    SET(o, "did", did_json(c));
    for (int e = 0; e < CS_PC_EVENTS; e++) {
        const struct cs_pc_event *x = &c->event[e];
        json_t *t = json_object();
        SET(t, "quarter", INT(x->quarter));
        SET(t, "estimate", NUM(x->estimate));
        SET(t, "se_cluster", x->baseline ? json_null() : NUM(x->se_cluster));
        SET(t, "ci_low", x->baseline ? json_null() : NUM(x->ci_low));
        SET(t, "ci_high", x->baseline ? json_null() : NUM(x->ci_high));
        json_array_append_new(ev, t);
    }
    SET(o, "event_study", ev);
    const struct cs_pc_predicted *p = &c->predicted;
    SET(pr, "estimate", NUM(p->estimate));
    SET(pr, "ci_low", NUM(p->ci_low));
    SET(pr, "ci_high", NUM(p->ci_high));
    SET(pr, "deals", INT(p->deals));
    SET(pr, "draws", INT(p->draws));
    SET(o, "predicted", pr);
    SET(o, "movers", INT(c->movers));
    SET(o, "quarter", STR(q));
    SET(o, "pre_trend", json_pack("{s:o, s:I, s:o}", "statistic", NUM(c->pre_wald), "df",
                                  (json_int_t)c->pre_df, "p", NUM(c->pre_p)));
    SET(o, "note", STR(c->estimated ? (p->note ? p->note : "") : c->note));
    return o;
}

static json_t *plan_changes_json(const struct cs_dataset *ds, const struct cs_analysis *an)
{
    json_t *a = json_array();
    const struct cs_plan_changes *pcs = an->plan_changes;
    for (size_t i = 0; pcs && i < pcs->n; i++)
        if (pcs->items[i].run)
            json_array_append_new(a, plan_change_json(ds, &pcs->items[i]));
    return a;
}

json_t *cs_results_json(const struct cs_dataset *ds, const struct cs_calendar *cal,
                        const struct cs_analysis *an, const struct cs_reconciliation *rec)
{
    json_t *root = json_object();
    if (!root)
        return NULL;
    SET(root, "period", STR(an->sel.label));
    SET(root, "currency", STR(cs_ds_currency(ds)));   /* of every amount (SPEC 12) */
    SET(root, "fiscal_start", INT(cal->fiscal_start));
    SET(root, "seed", INT(an->seed));
    SET(root, "counts", counts_json(ds, an));
    SET(root, "models", models_json(an));
    SET(root, "correlations", correlations_json(an));
    SET(root, "timing", timing_json(an));
    SET(root, "bunching", bunching_json(ds, an));
    if (an->bunch_plans_skipped) {       /* beyond CS_BUNCH_MAX_PLANS: not examined */
        json_t *o = json_object();
        SET(o, "plans", json_integer((json_int_t)an->bunch_plans_skipped));
        SET(o, "rep_periods", json_integer((json_int_t)an->bunch_rp_skipped));
        SET(o, "limit", json_integer(CS_BUNCH_MAX_PLANS));
        SET(root, "bunching_not_examined", o);
    }
    SET(root, "rates", json_pack("{s:o, s:o}",
                                 "team", rates_json(an->teams, an->n_teams, ds, &an->team_pool, false),
                                 "plan", rates_json(an->plans, an->n_plans, ds, &an->plan_pool, true)));
    SET(root, "small_groups", small_groups_json(an));
    SET(root, "rep_shrinkage", shrink_json(an));
    SET(root, "voice_of_the_field", voice_json(ds, an));
    SET(root, "reconciliation", recon_json(ds, rec));
    SET(root, "data_warnings", warnings_json(an));
    SET(root, "quarters", quarters_json(an));
    SET(root, "plan_changes", plan_changes_json(ds, an));
    return root;
}
