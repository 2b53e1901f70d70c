/* options.c - the proposal's strawman options (SPEC 8), the SPIFFs it asks about, and the ranking of options. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "compsight/whatif.h"
#include "whatif_priv.h"

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ======================================================================
 * Strawman options
 * ==================================================================== */

static const char *const kind_names[CS_WHATIF_KIND_COUNT] = {
    "halve_step", "ramp_step", "remove_step", "cap_top", "decelerator", "yearly",
    "renewals_half",
};

const char *cs_whatif_kind_name(enum cs_whatif_kind k)
{
    return (unsigned)k < CS_WHATIF_KIND_COUNT ? kind_names[k] : "?";
}

/* Rounded to 10 decimals: short in a CSV, and read back as the same double. */
static double round10(double x)
{
    return round(x * 1e10) / 1e10;
}


/* Plan p's credit fraction of column c (0 new, 1 expansion, 2 renewal):
 * the table's, or 1 when it has no credit_ arrays (as cs_plan_credit
 * reads the data's, which keep 1 for a blank). */
static double credit_of(const struct cs_plans *pl, size_t p, int c)
{
    const double *v = c == 0 ? pl->credit_new : c == 1 ? pl->credit_expansion : pl->credit_renewal;
    return v ? v[p] : 1.0;
}

/*
 * Plan p of base with its period type, quota and tiers replaced, and its
 * credit fractions kept, as a table of one plan.  Returns -1 when out of
 * memory (out then empty).
 */
static int plan_alone(const struct cs_plans *base, size_t p, uint8_t period_type, double quota,
                      const double *floor, const double *rate, size_t nt, struct cs_plans *out)
{
    memset(out, 0, sizeof *out);
    out->id = malloc(sizeof *out->id);
    out->period_type = malloc(sizeof *out->period_type);
    out->quota = malloc(sizeof *out->quota);
    out->credit_new = malloc(sizeof *out->credit_new);
    out->credit_expansion = malloc(sizeof *out->credit_expansion);
    out->credit_renewal = malloc(sizeof *out->credit_renewal);
    out->tier_first = malloc(sizeof *out->tier_first);
    out->tier_count = malloc(sizeof *out->tier_count);
    out->floor = malloc(nt * sizeof *out->floor);
    out->rate = malloc(nt * sizeof *out->rate);
    if (!out->id || !out->period_type || !out->quota || !out->credit_new ||
        !out->credit_expansion || !out->credit_renewal || !out->tier_first ||
        !out->tier_count || !out->floor || !out->rate) {
        cs_plans_free(out);
        return -1;
    }
    out->n = 1;
    out->id[0] = base->id[p];
    out->period_type[0] = period_type;
    out->quota[0] = quota;
    out->credit_new[0] = credit_of(base, p, 0);
    out->credit_expansion[0] = credit_of(base, p, 1);
    out->credit_renewal[0] = credit_of(base, p, 2);
    out->tier_first[0] = 0;
    out->tier_count[0] = (uint32_t)nt;
    memcpy(out->floor, floor, nt * sizeof *out->floor);
    memcpy(out->rate, rate, nt * sizeof *out->rate);
    out->n_tiers = nt;
    return 0;
}

/* A copy of src with room for room more tiers after its own, or -1 when
 * out of memory (out then empty). */
static int plans_copy(struct cs_plans *out, const struct cs_plans *src, size_t room)
{
    size_t n = src->n ? src->n : 1, nt = src->n_tiers + room;
    memset(out, 0, sizeof *out);
    out->id = cs_malloc_big(n, sizeof *out->id);
    out->period_type = cs_malloc_big(n, sizeof *out->period_type);
    out->quota = cs_malloc_big(n, sizeof *out->quota);
    out->tier_first = cs_malloc_big(n, sizeof *out->tier_first);
    out->tier_count = cs_malloc_big(n, sizeof *out->tier_count);
    out->floor = cs_malloc_big(nt, sizeof *out->floor);
    out->rate = cs_malloc_big(nt, sizeof *out->rate);
    out->credit_new = cs_malloc_big(n, sizeof *out->credit_new);
    out->credit_expansion = cs_malloc_big(n, sizeof *out->credit_expansion);
    out->credit_renewal = cs_malloc_big(n, sizeof *out->credit_renewal);
    if (!out->id || !out->period_type || !out->quota || !out->tier_first || !out->tier_count ||
        !out->floor || !out->rate || !out->credit_new || !out->credit_expansion ||
        !out->credit_renewal) {
        cs_plans_free(out);
        return -1;
    }
    for (size_t p = 0; p < src->n; p++) {
        out->credit_new[p] = credit_of(src, p, 0);
        out->credit_expansion[p] = credit_of(src, p, 1);
        out->credit_renewal[p] = credit_of(src, p, 2);
    }
    out->n = src->n;
    out->n_tiers = src->n_tiers;
    memcpy(out->id, src->id, src->n * sizeof *out->id);
    memcpy(out->period_type, src->period_type, src->n * sizeof *out->period_type);
    memcpy(out->quota, src->quota, src->n * sizeof *out->quota);
    memcpy(out->tier_first, src->tier_first, src->n * sizeof *out->tier_first);
    memcpy(out->tier_count, src->tier_count, src->n * sizeof *out->tier_count);
    memcpy(out->floor, src->floor, src->n_tiers * sizeof *out->floor);
    memcpy(out->rate, src->rate, src->n_tiers * sizeof *out->rate);
    return 0;
}

/* Plan o->plan of pl (a copy of cur with room) as option o has it, its
 * tiers after cur's; plan_restore puts it back. */
static void plan_apply(struct cs_plans *pl, const struct cs_plans *cur, const struct cs_whatif_option *o)
{
    size_t p = o->plan, nt = o->change.tier_count[0];
    pl->period_type[p] = o->change.period_type[0];
    pl->quota[p] = o->change.quota[0];
    pl->credit_new[p] = credit_of(&o->change, 0, 0);
    pl->credit_expansion[p] = credit_of(&o->change, 0, 1);
    pl->credit_renewal[p] = credit_of(&o->change, 0, 2);
    pl->tier_first[p] = (uint32_t)cur->n_tiers;
    pl->tier_count[p] = (uint32_t)nt;
    memcpy(pl->floor + cur->n_tiers, o->change.floor, nt * sizeof *pl->floor);
    memcpy(pl->rate + cur->n_tiers, o->change.rate, nt * sizeof *pl->rate);
    pl->n_tiers = cur->n_tiers + nt;
}

static void plan_restore(struct cs_plans *pl, const struct cs_plans *cur, size_t p)
{
    pl->period_type[p] = cur->period_type[p];
    pl->quota[p] = cur->quota[p];
    pl->credit_new[p] = credit_of(cur, p, 0);
    pl->credit_expansion[p] = credit_of(cur, p, 1);
    pl->credit_renewal[p] = credit_of(cur, p, 2);
    pl->tier_first[p] = cur->tier_first[p];
    pl->tier_count[p] = cur->tier_count[p];
    pl->n_tiers = cur->n_tiers;
}

bool cs_whatif_option_recomputes(const struct cs_dataset *ds, const struct cs_whatif_option *o)
{
    const struct cs_plans *cur = &ds->plans;
    size_t p = o->plan;
    return o->change.period_type[0] != cur->period_type[p] || o->change.quota[0] != cur->quota[p] ||
           credit_of(&o->change, 0, 0) != credit_of(cur, p, 0) ||
           credit_of(&o->change, 0, 1) != credit_of(cur, p, 1) ||
           credit_of(&o->change, 0, 2) != credit_of(cur, p, 2);
}

int cs_whatif_option_plans(const struct cs_dataset *ds, const struct cs_whatif_option *o,
                           struct cs_plans *out)
{
    if (plans_copy(out, &ds->plans, o->change.tier_count[0]) != 0)
        return -1;
    plan_apply(out, &ds->plans, o);
    return 0;
}

enum cs_status cs_whatif_simulate_option(const struct cs_whatif_base *b, struct cs_whatif_work *work,
                                         const struct cs_whatif_option *o, bool per_deal,
                                         struct cs_whatif_result **out, struct cs_error *err)
{
    const struct cs_plans *cur = &b->ds->plans;
    *out = NULL;
    if (o->plan >= cur->n || o->change.n != 1 || o->change.tier_count[0] > MAX_TIERS_NEW)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "not an option of this data set");
    if (!work->plans.id && plans_copy(&work->plans, cur, MAX_TIERS_NEW) != 0)
        return oom(err);
    plan_apply(&work->plans, cur, o);
    uint32_t only = o->plan;
    enum cs_status st = cs_whatif_simulate_only(b, work, &work->plans, &only, 1, per_deal, out, err);
    plan_restore(&work->plans, cur, o->plan);
    return st;
}

struct optlist {
    struct cs_whatif_option *o;
    size_t n, cap;
};

/* Room for one more option, zeroed (not counted yet); NULL: out of memory. */
static struct cs_whatif_option *push_option(struct optlist *L)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 16;
        struct cs_whatif_option *o = realloc(L->o, cap * sizeof *o);
        if (!o)
            return NULL;
        L->o = o;
        L->cap = cap;
    }
    memset(&L->o[L->n], 0, sizeof L->o[L->n]);
    return &L->o[L->n];
}

/* Append an option built from plan p's new tiers, unless it changes nothing
 * or its floors are not strictly increasing from 0.  -1: out of memory. */
static int add_option(struct optlist *L, const struct cs_plans *base, size_t p,
                      enum cs_whatif_kind kind, uint8_t period_type, double quota,
                      const double *floor, const double *rate, size_t nt,
                      double at, double before, double after)
{
    const double *f0 = base->floor + base->tier_first[p], *r0 = base->rate + base->tier_first[p];
    bool same = period_type == base->period_type[p] && quota == base->quota[p] &&
                nt == base->tier_count[p];
    for (size_t t = 0; same && t < nt; t++)
        same = floor[t] == f0[t] && rate[t] == r0[t];
    if (same || nt == 0 || floor[0] != 0)
        return 0;
    for (size_t t = 1; t < nt; t++)
        if (!(floor[t] > floor[t - 1]))
            return 0;
    struct cs_whatif_option *o = push_option(L);
    if (!o)
        return -1;
    o->kind = kind;
    o->plan = (uint32_t)p;
    o->floor = at;
    o->rate_before = before;
    o->rate_after = after;
    o->ramp_low = o->ramp_high = NAN;
    o->credit_before = o->credit_after = NAN;
    if (plan_alone(base, p, period_type, quota, floor, rate, nt, &o->change) != 0)
        return -1;
    L->n++;
    return 0;
}

void cs_whatif_options_free(struct cs_whatif_option *o, size_t n)
{
    if (!o)
        return;
    for (size_t i = 0; i < n; i++)
        cs_plans_free(&o[i].change);
    free(o);
}

/* The options at plan p's accelerator step k (r0[k] > r0[k - 1]): halve
 * it, ramp it, remove it.  f and r are room for nt + 4 tiers.  -1: out of
 * memory. */
static int step_options(struct optlist *L, const struct cs_plans *pl, size_t p, size_t k,
                        double *f, double *r)
{
    const size_t nt = pl->tier_count[p];
    const double *f0 = pl->floor + pl->tier_first[p], *r0 = pl->rate + pl->tier_first[p];
    const uint8_t type = pl->period_type[p];
    const double quota = pl->quota[p];
    double step = r0[k] - r0[k - 1];

    /* halve the step */
    memcpy(f, f0, nt * sizeof *f);
    memcpy(r, r0, nt * sizeof *r);
    r[k] = round10(r0[k - 1] + step / 2);
    if (add_option(L, pl, p, CS_WHATIF_HALVE_STEP, type, quota, f, r, nt,
                   f0[k], r0[k], r[k]))
        return -1;

    /* a ramp: five steps of a fifth, symmetric around f, so that
     * whoever ends above f + h is paid exactly as before */
    double h = CS_WHATIF_RAMP_HALF_WIDTH;
    if ((f0[k] - f0[k - 1]) / 2 < h)
        h = (f0[k] - f0[k - 1]) / 2;
    if (k + 1 < nt && (f0[k + 1] - f0[k]) / 2 < h)
        h = (f0[k + 1] - f0[k]) / 2;
    size_t o = 0;
    for (size_t t = 0; t < k; t++, o++) {
        f[o] = f0[t];
        r[o] = r0[t];
    }
    for (int s = 1; s <= 5; s++, o++) {
        f[o] = round10(f0[k] + h * (s - 3) / 2.0);
        r[o] = s == 5 ? r0[k] : round10(r0[k - 1] + step * s / 5.0);
    }
    for (size_t t = k + 1; t < nt; t++, o++) {
        f[o] = f0[t];
        r[o] = r0[t];
    }
    size_t before = L->n;
    if (add_option(L, pl, p, CS_WHATIF_RAMP_STEP, type, quota, f, r, o,
                   f0[k], r0[k - 1], r0[k]))
        return -1;
    if (L->n > before) {
        L->o[L->n - 1].ramp_low = f[k];
        L->o[L->n - 1].ramp_high = f[k + 4];
    }

    /* remove the step: its tier merges into the one below */
    o = 0;
    for (size_t t = 0; t < nt; t++)
        if (t != k) {
            f[o] = f0[t];
            r[o++] = r0[t];
        }
    return add_option(L, pl, p, CS_WHATIF_REMOVE_STEP, type, quota, f, r, o,
                      f0[k], r0[k], r0[k - 1]);
}

/* The options on plan p as a whole: cap at the top floor, a decelerator
 * at 150%, yearly measurement.  -1: out of memory. */
static int plan_options(struct optlist *L, const struct cs_plans *pl, size_t p,
                        double *f, double *r)
{
    const size_t nt = pl->tier_count[p];
    const double *f0 = pl->floor + pl->tier_first[p], *r0 = pl->rate + pl->tier_first[p];
    const uint8_t type = pl->period_type[p];
    const double quota = pl->quota[p];
    /* cap at the top floor */
    if (nt >= 2 && r0[nt - 1] > 0) {
        memcpy(f, f0, nt * sizeof *f);
        memcpy(r, r0, nt * sizeof *r);
        r[nt - 1] = 0;
        if (add_option(L, pl, p, CS_WHATIF_CAP_TOP, type, quota, f, r, nt,
                       f0[nt - 1], r0[nt - 1], 0.0))
            return -1;
    }
    /* a decelerator at 150%, above the top floor */
    if (f0[nt - 1] < CS_WHATIF_DECEL_FLOOR && r0[nt - 1] > 0) {
        memcpy(f, f0, nt * sizeof *f);
        memcpy(r, r0, nt * sizeof *r);
        f[nt] = CS_WHATIF_DECEL_FLOOR;
        r[nt] = round10(r0[nt - 1] / 2);
        if (add_option(L, pl, p, CS_WHATIF_DECELERATOR, type, quota, f, r, nt + 1,
                       CS_WHATIF_DECEL_FLOOR, r0[nt - 1], r[nt]))
            return -1;
    }
    /* measured over the year */
    if (type == CS_PERIOD_QUARTER &&
        add_option(L, pl, p, CS_WHATIF_YEARLY, CS_PERIOD_YEAR, quota * 4, f0, r0, nt,
                   0.0, NAN, NAN))
        return -1;
    return 0;
}

/* The renewal credit fraction of the option "renewals count half". */
#define RENEWALS_HALF 0.5

/* SPEC 13: renewals counted at half on plan p, when it credits them in
 * full and has renewals (has_renewals).  -1: out of memory. */
static int credit_option(struct optlist *L, const struct cs_plans *pl, size_t p, bool has_renewals)
{
    if (!has_renewals || credit_of(pl, p, 2) != 1.0)
        return 0;
    struct cs_whatif_option *o = push_option(L);
    if (!o)
        return -1;
    o->kind = CS_WHATIF_RENEWALS_HALF;
    o->plan = (uint32_t)p;
    o->floor = 0.0;
    o->rate_before = o->rate_after = NAN;
    o->ramp_low = o->ramp_high = NAN;
    o->credit_before = 1.0;
    o->credit_after = RENEWALS_HALF;
    if (plan_alone(pl, p, pl->period_type[p], pl->quota[p], pl->floor + pl->tier_first[p],
                   pl->rate + pl->tier_first[p], pl->tier_count[p], &o->change) != 0)
        return -1;
    o->change.credit_renewal[0] = RENEWALS_HALF;
    L->n++;
    return 0;
}

/* Per plan of b->ds (new, owned by the caller), whether a selected
 * renewal has a credit row on it: its own row's, or a split row's.
 * NULL: out of memory. */
static bool *renewal_plans(const struct cs_whatif_base *b)
{
    const struct cs_dataset *ds = b->ds;
    const struct cs_incentives *inc = b->inc;
    const struct cs_credit_rows *cr = &inc->split;
    const struct cs_whatif_priv *pv = b->priv;
    bool *has = calloc(ds->plans.n ? ds->plans.n : 1, sizeof *has);
    for (size_t j = 0; has && j < pv->m; j++) {
        uint32_t i = pv->deal[j];
        if (ds->deals.type[i] != CS_TYPE_RENEWAL)
            continue;
        has[inc->rp.plan[inc->rep_period[i]]] = true;
        for (uint32_t k = cr->n ? cs_incentives_split_first(inc, i) : CS_NONE;
             k < cr->n && cr->deal[k] == i; k++)
            has[cr->plan[k]] = true;
    }
    return has;
}

/* Plans by selected won deals, most first, then in plan order. */
static int cmp_plan_deals(const void *pa, const void *pb, void *arg)
{
    const size_t *deals = arg;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    if (deals[a] != deals[b])
        return deals[a] > deals[b] ? -1 : 1;
    return (a > b) - (a < b);
}

enum cs_status cs_whatif_options_plans(const struct cs_whatif_base *b, bool *chosen,
                                       size_t *n_chosen, struct cs_error *err)
{
    const size_t np = b->ds->plans.n;
    size_t n = 0;
    for (size_t p = 0; p < np; p++) {
        chosen[p] = b->plan_deals[p] > 0;
        n += chosen[p];
    }
    *n_chosen = n;
    if (n <= CS_WHATIF_MAX_PLANS)
        return CS_OK;
    uint32_t *by = malloc(n * sizeof *by);
    if (!by)
        return oom(err);
    for (size_t p = 0, k = 0; p < np; p++) {
        if (chosen[p])
            by[k++] = (uint32_t)p;
        chosen[p] = false;
    }
    qsort_r(by, n, sizeof *by, cmp_plan_deals, b->plan_deals);
    for (size_t i = 0; i < CS_WHATIF_MAX_PLANS; i++)
        chosen[by[i]] = true;
    free(by);
    *n_chosen = CS_WHATIF_MAX_PLANS;
    return CS_OK;
}

enum cs_status cs_whatif_options_generate(const struct cs_whatif_base *b,
                                          struct cs_whatif_option **out, size_t *n,
                                          struct cs_error *err)
{
    const struct cs_plans *pl = &b->ds->plans;
    struct optlist L = {0};
    double f[MAX_TIERS_NEW], r[MAX_TIERS_NEW];
    bool *chosen = malloc((pl->n ? pl->n : 1) * sizeof *chosen);
    bool *renewals = renewal_plans(b);
    *out = NULL;
    *n = 0;
    size_t n_chosen;
    if (!chosen || !renewals) {
        free(chosen);
        free(renewals);
        return oom(err);
    }
    if (cs_whatif_options_plans(b, chosen, &n_chosen, err) != CS_OK) {
        free(chosen);
        free(renewals);
        return CS_ERR_NOMEM;
    }
    for (size_t p = 0; p < pl->n; p++) {
        if (!chosen[p])
            continue;
        const size_t nt = pl->tier_count[p];
        const double *r0 = pl->rate + pl->tier_first[p];
        if (nt + 4 > MAX_TIERS_NEW)
            continue;                    /* a plan of 60 tiers is its own ramp already */
        for (size_t k = 1; k < nt; k++)
            if (r0[k] > r0[k - 1] &&     /* an accelerator step */
                step_options(&L, pl, p, k, f, r) != 0)
                goto nomem;
        if (plan_options(&L, pl, p, f, r) != 0 || credit_option(&L, pl, p, renewals[p]) != 0)
            goto nomem;
    }
    free(chosen);
    free(renewals);
    *out = L.o;
    *n = L.n;
    return CS_OK;
nomem:
    free(chosen);
    free(renewals);
    cs_whatif_options_free(L.o, L.n);
    return oom(err);
}

size_t cs_whatif_spiffs_at_quarter_end(const struct cs_measured *m, uint32_t *idx, size_t cap)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_calendar *cal = m->cal;
    size_t found = 0;
    for (size_t s = 0; s < ds->spiffs.n; s++) {
        int32_t end = ds->spiffs.end[s];
        if (end == CS_NO_DATE)
            continue;
        int32_t last = cs_cal_period_last_day(cal, cs_cal_quarter_code(cal, end));
        if (last - end < 14) {
            if (found < cap)
                idx[found] = (uint32_t)s;
            found++;
        }
    }
    return found;
}

/* ======================================================================
 * Ranking
 * ==================================================================== */

int cs_whatif_rank_group(double avoided, double cost)
{
    if (isnan(avoided))
        return 3;
    if (avoided > 0)
        return cost <= 0 ? 0 : 1;
    return 2;
}

struct rank_item {
    size_t index;
    int tier;                /* 0: clear reduction, 1: not clear, 2: clear increase */
    int group;
    double avoided, cost;
};

static int cmp_rank(const void *pa, const void *pb)
{
    const struct rank_item *a = pa, *b = pb;
    if (a->tier != b->tier)
        return a->tier < b->tier ? -1 : 1;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    double ka = 0, kb = 0, la = 0, lb = 0;     /* primary key and tie-break, larger first */
    switch (a->group) {
    case 0: ka = a->avoided; kb = b->avoided; la = -a->cost; lb = -b->cost; break;
    case 1: ka = a->avoided / a->cost; kb = b->avoided / b->cost; la = a->avoided; lb = b->avoided; break;
    case 2: ka = a->avoided; kb = b->avoided; la = -a->cost; lb = -b->cost; break;
    default: ka = -a->cost; kb = -b->cost; break;
    }
    /* NaN costs sort last within their group */
    if (isnan(ka) != isnan(kb))
        return isnan(ka) ? 1 : -1;
    if (ka != kb && !isnan(ka))
        return ka > kb ? -1 : 1;
    if (isnan(la) != isnan(lb))
        return isnan(la) ? 1 : -1;
    if (la != lb && !isnan(la))
        return la > lb ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

void cs_whatif_model_rule(const struct cs_whatif_base *b, struct cs_data_rule *out)
{
    const struct cs_regress_fit *fit = b->fit;
    size_t k = 0;
    for (size_t j = 0; fit && j < fit->k; j++)
        k += strcmp(fit->terms[j].name, "(Intercept)") != 0;
    size_t events = b->rule_events, rest = b->rule_rows - b->rule_events;
    cs_verdict_data_rule(true, b->deals, events < rest ? events : rest, fit ? fit->clusters : 0, k,
                         out);
    if (!fit)
        out->readable = out->few_clusters = false;
}

const char *cs_whatif_model_name(enum cs_whatif_model m)
{
    return m == CS_WHATIF_WITHIN ? "within" : "across";
}

enum cs_verdict cs_whatif_option_verdict(const struct cs_data_rule *rule,
                                         const struct cs_whatif_diff *risky)
{
    if (!rule->readable)
        return CS_VERDICT_THIN;
    return cs_verdict_of_interval(risky->low, risky->high);
}

/* The tier of an option in the ranking (whatif.h). */
static int rank_tier(const enum cs_verdict *verdict, size_t i, double avoided)
{
    if (!verdict || verdict[i] != CS_VERDICT_CLEAR)
        return 1;
    return avoided > 0 ? 0 : 2;
}

void cs_whatif_rank(const double *avoided, const double *cost, const enum cs_verdict *verdict,
                    size_t n, size_t *order)
{
    struct rank_item *it = malloc((n ? n : 1) * sizeof *it);
    if (!it) {                            /* keep the input order rather than fail */
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        return;
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (struct rank_item){i, rank_tier(verdict, i, avoided[i]),
                                   cs_whatif_rank_group(avoided[i], cost[i]), avoided[i], cost[i]};
    qsort(it, n, sizeof *it, cmp_rank);
    for (size_t i = 0; i < n; i++)
        order[i] = it[i].index;
    free(it);
}
