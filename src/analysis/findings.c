/* findings.c - one verdict per finding, computed once after the analysis (findings.h; the rule is verdict.h's). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/findings.h"

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static bool is_intercept(const char *name)
{
    return strcmp(name, "(Intercept)") == 0;
}

static int sign(double x)
{
    return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * The findings before the family: what each one is, and whether it is read
 * --------------------------------------------------------------------- */

/* Model m's rule, from its fit to read. */
static void model_rule(const struct cs_analysis *an, enum cs_model_id m, struct cs_model_rule *r)
{
    const struct cs_regress_fit *fit = cs_analysis_fit(an, m);
    /* a fit that failed (no variation, too few rows) still counts its rows
     * and clusters: the rule then says how much data reading it would need */
    const struct cs_regress_fit *seen = fit ? fit : an->model[m].fit;
    memset(r, 0, sizeof *r);
    r->logistic = cs_model_info(m)->logistic;
    if (!seen) {
        cs_verdict_data_rule(r->logistic, 0, 0, 0, 0, &r->rule);
        r->rule.readable = r->rule.few_clusters = false;
        return;
    }
    r->fitted = fit != NULL;
    r->n = seen->n;
    r->clusters = seen->clusters;
    for (size_t j = 0; j < seen->k; j++)
        r->k += !is_intercept(seen->terms[j].name);
    if (r->logistic) {
        /* over the rows that carry information: every row, or for the
         * within-rep logit the deals of reps with both outcomes */
        size_t rows = r->event_rows = an->model[m].event_rows;
        r->events = an->model[m].events;
        r->rarer = r->events < rows - r->events ? r->events : rows - r->events;
    }
    cs_verdict_data_rule(r->logistic, r->n, r->rarer, r->clusters, r->k, &r->rule);
    if (!fit)
        r->rule.readable = r->rule.few_clusters = false;
}

static void add_terms(const struct cs_analysis *an, enum cs_model_id m,
                      const struct cs_model_rule *r, struct cs_findings *f)
{
    const struct cs_regress_fit *fit = cs_analysis_fit(an, m);
    for (size_t j = 0; fit && j < fit->k; j++) {
        const struct cs_regress_term *t = &fit->terms[j];
        if (is_intercept(t->name))
            continue;
        struct cs_finding *x = &f->items[f->n++];
        x->kind = CS_FINDING_TERM;
        x->model = m;
        x->term = t->name;
        x->estimate = t->estimate;
        x->se = t->se_cluster;
        x->n = r->n;
        x->clusters = r->clusters;
        x->direction = isfinite(t->estimate) ? sign(t->estimate) : 0;
        x->df = r->rule.readable ? r->rule.df : 0;
        x->few_clusters = r->rule.few_clusters;
        x->stat = x->se > 0 ? x->estimate / x->se : NAN;
        x->p = r->rule.readable ? cs_verdict_p(x->stat, x->df) : NAN;
        x->in_family = r->rule.readable && isfinite(x->p);
    }
}

static void add_bunching(const struct cs_analysis *an, struct cs_findings *f)
{
    f->bunch_first = f->n;
    f->n_bunch = an->n_bunch;
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *b = &an->bunch[i];
        const struct cs_bunching *e = &b->est;
        struct cs_finding *x = &f->items[f->n++];
        x->kind = b->placebo ? CS_FINDING_PLACEBO : CS_FINDING_BUNCHING;
        x->bunch = i;
        x->plan = b->plan;
        x->floor = b->floor;
        x->n = e->n_binned;
        bool ok = e->verdict == CS_BUNCH_OK;
        x->estimate = ok ? e->excess_mass : NAN;
        x->se = ok ? e->excess_mass_se : NAN;
        x->direction = ok && isfinite(x->estimate) ? sign(x->estimate) : 0;
        x->stat = ok ? e->z : NAN;
        x->p = ok ? cs_verdict_p(e->z, 0) : NAN;
        x->in_family = !b->placebo && isfinite(x->p);
    }
}

static void add_timing(const struct cs_analysis *an, size_t reps, struct cs_findings *f)
{
    const struct cs_timing *t = an->timing;
    if (!t)
        return;
    struct cs_finding *x = &f->items[f->n++];
    x->kind = CS_FINDING_TIMING;
    x->n = t->n;
    x->clusters = reps;
    x->se = NAN;
    bool ok = t->reason == CS_TIMING_OK && reps >= CS_VERDICT_MIN_CLUSTERS;
    x->estimate = ok ? t->last14_share - t->expected_share : NAN;
    x->direction = isfinite(x->estimate) ? sign(x->estimate) : 0;
    x->stat = ok ? t->chi2 : NAN;
    x->p = ok ? t->p : NAN;
    x->in_family = ok && isfinite(x->p);
}

/* ------------------------------------------------------------------------
 * The family, the verdicts and the printed intervals
 * --------------------------------------------------------------------- */

static enum cs_status decide(struct cs_findings *f, struct cs_error *err)
{
    double *p = malloc((f->n ? f->n : 1) * sizeof *p);
    double *q = malloc((f->n ? f->n : 1) * sizeof *q);
    bool *clear = malloc((f->n ? f->n : 1) * sizeof *clear);
    enum cs_status st = CS_OK;
    if (!p || !q || !clear) {
        st = oom(err);
        goto out;
    }
    for (size_t i = 0; i < f->n; i++)
        p[i] = f->items[i].in_family ? f->items[i].p : NAN;
    if ((st = cs_verdict_family(p, f->n, CS_VERDICT_Q, q, clear, &f->family, err)) != CS_OK)
        goto out;
    double alpha = f->family.alpha;
    for (size_t i = 0; i < f->n; i++) {
        struct cs_finding *x = &f->items[i];
        x->q = q[i];
        x->level = x->kind == CS_FINDING_TIMING ? NAN : f->family.level;
        x->low = x->high = NAN;
        if (x->in_family) {
            x->verdict = clear[i] ? CS_VERDICT_CLEAR : CS_VERDICT_UNCLEAR;
        } else if (x->kind == CS_FINDING_PLACEBO && isfinite(x->p)) {
            /* a check read at the family's level, never one of it */
            x->verdict = isfinite(alpha) && x->p <= alpha ? CS_VERDICT_CLEAR : CS_VERDICT_UNCLEAR;
        } else if (x->kind == CS_FINDING_PLACEBO || x->kind == CS_FINDING_BUNCHING) {
            x->verdict = isfinite(x->estimate) ? CS_VERDICT_UNCLEAR : CS_VERDICT_THIN;
        } else {
            x->verdict = CS_VERDICT_THIN;
        }
        if (x->kind != CS_FINDING_TIMING && x->verdict != CS_VERDICT_THIN && isfinite(alpha))
            cs_verdict_interval(x->estimate, x->se, alpha, x->df, &x->low, &x->high);
        if (x->verdict == CS_VERDICT_THIN)
            x->level = NAN;
    }
out:
    free(p);
    free(q);
    free(clear);
    return st;
}

/*
 * Each term of a within-rep model beside the same term of its across-rep
 * model, and which of the two states the finding's verdict: the
 * within-rep estimate when it can be read (its model passes the data
 * rule and kept the term), else the across-rep one.  Every other finding
 * leads alone.
 */
static void pair_terms(struct cs_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        f->items[i].pair = SIZE_MAX;
        f->items[i].leads = true;
    }
    for (size_t i = 0; i < f->n; i++) {
        struct cs_finding *w = &f->items[i];
        if (w->kind != CS_FINDING_TERM || !cs_model_is_within(w->model))
            continue;
        enum cs_model_id across = cs_model_info(w->model)->across;
        for (size_t j = 0; j < f->n; j++) {
            struct cs_finding *a = &f->items[j];
            if (a->kind != CS_FINDING_TERM || a->model != across || strcmp(a->term, w->term) != 0)
                continue;
            w->pair = j;
            a->pair = i;
            bool within_read = w->verdict != CS_VERDICT_THIN;
            w->leads = within_read;
            a->leads = !within_read;
        }
    }
}

enum cs_status cs_findings_compute(const struct cs_analysis *an, size_t timing_reps,
                                   struct cs_findings **out, struct cs_error *err)
{
    *out = NULL;
    struct cs_findings *f = calloc(1, sizeof *f);
    if (!f)
        return oom(err);
    size_t cap = an->n_bunch + 1;
    for (int m = 0; m < CS_MODEL_COUNT; m++) {
        const struct cs_regress_fit *fit = cs_analysis_fit(an, (enum cs_model_id)m);
        cap += fit ? fit->k : 0;
    }
    f->items = calloc(cap, sizeof *f->items);
    if (!f->items) {
        free(f);
        return oom(err);
    }
    f->timing_reps = timing_reps;
    for (int m = 0; m < CS_MODEL_COUNT; m++) {
        model_rule(an, (enum cs_model_id)m, &f->model[m]);
        add_terms(an, (enum cs_model_id)m, &f->model[m], f);
    }
    add_bunching(an, f);
    add_timing(an, timing_reps, f);
    enum cs_status st = decide(f, err);
    if (st != CS_OK) {
        cs_findings_free(f);
        return st;
    }
    pair_terms(f);
    *out = f;
    return CS_OK;
}

void cs_findings_free(struct cs_findings *f)
{
    if (!f)
        return;
    free(f->items);
    free(f);
}

/* ------------------------------------------------------------------------
 * Look-ups
 * --------------------------------------------------------------------- */

const struct cs_finding *cs_findings_term(const struct cs_findings *f, enum cs_model_id m,
                                          const char *term)
{
    for (size_t i = 0; f && term && i < f->n; i++)
        if (f->items[i].kind == CS_FINDING_TERM && f->items[i].model == m &&
            strcmp(f->items[i].term, term) == 0)
            return &f->items[i];
    return NULL;
}

/* Bunching items in order: by plan, then floor, the placebo after its floor's. */
static int cmp_bunch_key(const struct cs_finding *x, uint32_t plan, double floor, bool placebo)
{
    if (x->plan != plan)
        return x->plan < plan ? -1 : 1;
    if (x->floor != floor)
        return x->floor < floor ? -1 : 1;
    bool xp = x->kind == CS_FINDING_PLACEBO;
    return (xp > placebo) - (xp < placebo);
}

const struct cs_finding *cs_findings_bunching(const struct cs_findings *f, uint32_t plan,
                                              double floor, bool placebo)
{
    enum cs_finding_kind k = placebo ? CS_FINDING_PLACEBO : CS_FINDING_BUNCHING;
    /* A binary search over the bunching items (run_bunching makes them in
     * this order), so that a report with many plans does not look each
     * one up among all; the scan below stays for any other order. */
    size_t lo = f ? f->bunch_first : 0, hi = f ? f->bunch_first + f->n_bunch : 0;
    while (f && lo < hi && hi <= f->n) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_bunch_key(&f->items[mid], plan, floor, placebo);
        if (c == 0)
            return f->items[mid].kind == k ? &f->items[mid] : NULL;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; f && i < f->n; i++)
        if (f->items[i].kind == k && f->items[i].plan == plan && f->items[i].floor == floor)
            return &f->items[i];
    return NULL;
}

const struct cs_finding *cs_findings_timing(const struct cs_findings *f)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (f->items[i].kind == CS_FINDING_TIMING)
            return &f->items[i];
    return NULL;
}

const struct cs_model_rule *cs_findings_model(const struct cs_findings *f, enum cs_model_id m)
{
    return f && (unsigned)m < CS_MODEL_COUNT ? &f->model[m] : NULL;
}

const struct cs_finding *cs_findings_lead(const struct cs_findings *f, enum cs_model_id m,
                                          const char *term)
{
    const struct cs_finding *x = cs_findings_term(f, m, term);
    if (x && !x->leads && x->pair != SIZE_MAX)
        return &f->items[x->pair];
    if (!x && f && (unsigned)m < CS_MODEL_COUNT && !cs_model_is_within(m))
        for (int w = 0; w < CS_MODEL_COUNT; w++)
            if (cs_model_is_within((enum cs_model_id)w) &&
                cs_model_info((enum cs_model_id)w)->across == m &&
                (x = cs_findings_term(f, (enum cs_model_id)w, term)))
                return x;
    return x;
}

const struct cs_finding *cs_findings_beside(const struct cs_findings *f,
                                            const struct cs_finding *x)
{
    return f && x && x->pair != SIZE_MAX ? &f->items[x->pair] : NULL;
}

const struct cs_finding *cs_findings_strongest(const struct cs_findings *f, enum cs_model_id m,
                                               int dir)
{
    const struct cs_finding *best = NULL;
    for (size_t i = 0; f && i < f->n; i++) {
        const struct cs_finding *x = &f->items[i];
        if (x->kind != CS_FINDING_TERM || cs_model_info(x->model)->across != m || !x->leads ||
            x->verdict != CS_VERDICT_CLEAR || (dir && x->direction != dir))
            continue;
        if (!best || fabs(x->stat) > fabs(best->stat))
            best = x;
    }
    return best;
}
