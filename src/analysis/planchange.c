/* planchange.c - plan changes found in the assignments (SPEC 14.3), their difference-in-differences and event study by cs_feols. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "compsight/feols.h"
#include "compsight/planchange.h"

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "plan changes: out of memory");
}

void cs_planchange_free(struct cs_plan_changes *pcs)
{
    if (!pcs)
        return;
    for (size_t i = 0; i < pcs->n; i++)
        free(pcs->items[i].treated);
    free(pcs->items);
    free(pcs->moves);
    free(pcs);
}

const struct cs_plan_change *cs_planchange_last(const struct cs_plan_changes *pcs)
{
    for (size_t i = pcs ? pcs->n : 0; i-- > 0;)
        if (pcs->items[i].run)
            return &pcs->items[i];
    return NULL;
}

/* ------------------------------------------------------------------------
 * Quarters as consecutive numbers (fiscal year * 4 + quarter - 1)
 * --------------------------------------------------------------------- */

static int32_t q_index(const struct cs_calendar *cal, int32_t day)
{
    int32_t code = cs_cal_quarter_code(cal, day);
    return (code / 10) * 4 + code % 10 - 1;
}

static int32_t q_code(int32_t index)
{
    return (index / 4) * 10 + index % 4 + 1;
}

/* ------------------------------------------------------------------------
 * Rule 1: moves and changes
 * --------------------------------------------------------------------- */

static int by_rep_start(const void *pa, const void *pb)
{
    const struct cs_pc_assignment *a = pa, *b = pb;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->plan < b->plan ? -1 : a->plan > b->plan;
}

static int by_day_rep(const void *pa, const void *pb)
{
    const struct cs_pc_move *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    return a->to < b->to ? -1 : a->to > b->to;
}

static int by_plans_day(const void *pa, const void *pb)
{
    const struct cs_pc_move *a = pa, *b = pb;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    return by_day_rep(pa, pb);
}

static int by_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

static int by_date(const void *pa, const void *pb)
{
    const struct cs_plan_change *a = pa, *b = pb;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    return a->to < b->to ? -1 : a->to > b->to;
}

/* The moves of the sorted assignments s[0..n) into *out (n_out of them). */
static enum cs_status find_moves(const struct cs_pc_assignment *s, size_t n,
                                 struct cs_pc_move **out, size_t *n_out, struct cs_error *err)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    *n_out = 0;
    if (!*out)
        return oom(err);
    for (size_t i = 1; i < n; i++)
        if (s[i].rep == s[i - 1].rep && s[i].plan != s[i - 1].plan)
            (*out)[(*n_out)++] = (struct cs_pc_move){s[i].rep, s[i - 1].plan, s[i].plan, s[i].start};
    qsort(*out, *n_out, sizeof **out, by_day_rep);
    return CS_OK;
}

/* Distinct reps of the moves m[first..last) not used yet, sorted into reps. */
static size_t group_reps(const struct cs_pc_move *m, const bool *used, size_t first, size_t last,
                         uint32_t *reps)
{
    size_t k = 0;
    for (size_t j = first; j < last; j++)
        if (!used[j])
            reps[k++] = m[j].rep;
    qsort(reps, k, sizeof *reps, by_u32);
    size_t u = 0;
    for (size_t j = 0; j < k; j++)
        if (u == 0 || reps[u - 1] != reps[j])
            reps[u++] = reps[j];
    return u;
}

/* A change from the group of moves m[first..last) (unused ones) of `count` reps. */
static enum cs_status add_change(struct cs_plan_changes *pcs, const struct cs_pc_move *m,
                                 bool *used, size_t first, size_t last, const uint32_t *reps,
                                 size_t count, const struct cs_calendar *cal, struct cs_error *err)
{
    struct cs_plan_change *grown = realloc(pcs->items, (pcs->n + 1) * sizeof *grown);
    if (!grown)
        return oom(err);
    pcs->items = grown;
    struct cs_plan_change *c = &pcs->items[pcs->n];
    memset(c, 0, sizeof *c);
    if (!(c->treated = malloc(count * sizeof *c->treated)))
        return oom(err);
    pcs->n++;
    memcpy(c->treated, reps, count * sizeof *reps);
    c->movers = count;
    c->from = m[first].from;
    c->to = m[first].to;
    c->date = m[first].day;
    c->last_move = c->date;
    for (size_t j = first; j < last; j++)
        if (!used[j]) {
            used[j] = true;
            c->last_move = m[j].day > c->last_move ? m[j].day : c->last_move;
        }
    c->quarter = cs_cal_quarter_code(cal, c->date);
    int32_t q0 = q_index(cal, c->date);
    c->first_day = cs_cal_period_first_day(cal, q_code(q0 - CS_PC_QUARTERS));
    c->last_day = cs_cal_period_last_day(cal, q_code(q0 + CS_PC_QUARTERS - 1));
    c->verdict = CS_VERDICT_THIN;
    c->q = NAN;
    c->predicted.note = "";
    c->note = "";
    return CS_OK;
}

/* Groups of the moves m[0..n) sorted by plans, then day: rule 1. */
static enum cs_status find_changes(struct cs_plan_changes *pcs, const struct cs_pc_move *m,
                                   size_t n, const struct cs_calendar *cal, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    bool *used = calloc(n ? n : 1, sizeof *used);
    uint32_t *reps = malloc((n ? n : 1) * sizeof *reps);
    if (!used || !reps) {
        st = oom(err);
        goto out;
    }
    for (size_t i = 0; i < n && st == CS_OK; i++) {
        if (used[i])
            continue;
        size_t last = i;
        while (last < n && m[last].from == m[i].from && m[last].to == m[i].to &&
               m[last].day <= m[i].day + CS_PC_DAYS)
            last++;
        size_t count = group_reps(m, used, i, last, reps);
        if (count >= CS_PC_MIN_MOVERS)
            st = add_change(pcs, m, used, i, last, reps, count, cal, err);
        else if (count > pcs->largest_group)
            pcs->largest_group = count;
    }
out:
    free(used);
    free(reps);
    return st;
}

static bool is_treated(const struct cs_plan_change *c, uint32_t rep)
{
    return bsearch(&rep, c->treated, c->movers, sizeof rep, by_u32) != NULL;
}

/* What happened within CS_PC_DAYS of each change's date besides it. */
static void same_date(struct cs_plan_changes *pcs)
{
    for (size_t i = 0; i < pcs->n; i++) {
        struct cs_plan_change *c = &pcs->items[i];
        for (size_t j = 0; j < pcs->n_moves; j++) {
            const struct cs_pc_move *mv = &pcs->moves[j];
            c->other_moves += labs((long)mv->day - (long)c->date) <= CS_PC_DAYS &&
                              !is_treated(c, mv->rep);
        }
        for (size_t j = 0; j < pcs->n; j++)
            c->other_changes += j != i && labs((long)pcs->items[j].date - (long)c->date) <= CS_PC_DAYS;
    }
}

enum cs_status cs_planchange_detect(const struct cs_pc_assignment *a, size_t n,
                                    const struct cs_calendar *cal, struct cs_plan_changes **out,
                                    struct cs_error *err)
{
    *out = NULL;
    if (!a && n > 0)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plan changes: no assignments array");
    for (size_t i = 0; i < n; i++)
        if (a[i].start == CS_NO_DATE)
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, "start_date",
                                "row %zu: an assignment without a start date", i);
    enum cs_status st = CS_OK;
    struct cs_pc_assignment *s = malloc((n ? n : 1) * sizeof *s);
    struct cs_pc_move *by_plans = NULL;
    struct cs_plan_changes *pcs = calloc(1, sizeof *pcs);
    if (!s || !pcs) {
        st = oom(err);
        goto out;
    }
    if (n)
        memcpy(s, a, n * sizeof *s);
    qsort(s, n, sizeof *s, by_rep_start);
    if ((st = find_moves(s, n, &pcs->moves, &pcs->n_moves, err)) != CS_OK)
        goto out;
    if (!(by_plans = malloc((pcs->n_moves ? pcs->n_moves : 1) * sizeof *by_plans))) {
        st = oom(err);
        goto out;
    }
    if (pcs->n_moves)
        memcpy(by_plans, pcs->moves, pcs->n_moves * sizeof *by_plans);
    qsort(by_plans, pcs->n_moves, sizeof *by_plans, by_plans_day);
    if ((st = find_changes(pcs, by_plans, pcs->n_moves, cal, err)) != CS_OK)
        goto out;
    if (pcs->n)
        qsort(pcs->items, pcs->n, sizeof *pcs->items, by_date);
    same_date(pcs);
    pcs->family.alpha = pcs->family.level = NAN;
    pcs->family.q = CS_VERDICT_Q;
    *out = pcs;
    pcs = NULL;
out:
    free(s);
    free(by_plans);
    cs_planchange_free(pcs);
    return st;
}

/* ------------------------------------------------------------------------
 * Rule 2: the sample, the DiD and the event study
 * --------------------------------------------------------------------- */

static const char *const did_names[] = {"treated:post"};
static const char *const event_names[CS_PC_EVENTS - 1] = {
    "treated:quarter[-4]", "treated:quarter[-3]", "treated:quarter[-2]", "treated:quarter[0]",
    "treated:quarter[1]",  "treated:quarter[2]",  "treated:quarter[3]"};
#define BASELINE 3          /* event[BASELINE] is quarter -1 */
#define EVENT_TERMS (CS_PC_EVENTS - 1)

/* The rows of the sample, with everything the two fits need. */
struct sample {
    size_t n;
    uint32_t *row;           /* deal row of sample row i */
    uint32_t *group;         /* compact rep id */
    uint32_t *period;        /* event quarter + 4: 0 .. 7 */
    double *y;
    double *x_did;           /* n */
    double *x_ev;            /* n x EVENT_TERMS */
    size_t groups;
    uint32_t *gid;           /* per rep: its compact id, or UINT32_MAX */
    uint8_t *role;           /* per rep: 0 not in the sample, 1 treated, 2 control */
};

static void sample_free(struct sample *s)
{
    free(s->row);
    free(s->group);
    free(s->period);
    free(s->y);
    free(s->x_did);
    free(s->x_ev);
    free(s->gid);
    free(s->role);
}

/* The role of every rep: 1 treated, 2 control (no move dated in the window), 0 out. */
static void rep_roles(const struct cs_plan_changes *pcs, const struct cs_plan_change *c,
                      size_t reps, uint8_t *role)
{
    memset(role, 2, reps);
    for (size_t j = 0; j < pcs->n_moves; j++) {
        const struct cs_pc_move *mv = &pcs->moves[j];
        if (mv->rep < reps && mv->day >= c->first_day && mv->day <= c->last_day)
            role[mv->rep] = 0;
    }
    for (size_t j = 0; j < c->movers; j++)
        if (c->treated[j] < reps)
            role[c->treated[j]] = 1;
}

static bool in_sample(const struct cs_pc_deals *d, const struct cs_plan_change *c,
                      const uint8_t *role, int32_t hi, size_t i)
{
    return (!d->use || d->use[i]) && d->day[i] != CS_NO_DATE && d->day[i] >= c->first_day &&
           d->day[i] <= hi && d->rep[i] < d->reps && role[d->rep[i]] != 0;
}

static enum cs_status build_sample(const struct cs_plan_changes *pcs, struct cs_plan_change *c,
                                   const struct cs_pc_deals *d, const struct cs_calendar *cal,
                                   int32_t hi, struct sample *s, struct cs_error *err)
{
    size_t reps = d->reps ? d->reps : 1;
    s->role = malloc(reps);
    s->gid = malloc(reps * sizeof *s->gid);
    if (!s->role || !s->gid)
        return oom(err);
    rep_roles(pcs, c, d->reps, s->role);
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += in_sample(d, c, s->role, hi, i);
    size_t m = n ? n : 1;
    s->row = malloc(m * sizeof *s->row);
    s->group = malloc(m * sizeof *s->group);
    s->period = malloc(m * sizeof *s->period);
    s->y = malloc(m * sizeof *s->y);
    s->x_did = malloc(m * sizeof *s->x_did);
    s->x_ev = calloc(m * EVENT_TERMS, sizeof *s->x_ev);
    if (!s->row || !s->group || !s->period || !s->y || !s->x_did || !s->x_ev)
        return oom(err);
    for (size_t r = 0; r < d->reps; r++)
        s->gid[r] = UINT32_MAX;
    int32_t q0 = q_index(cal, c->date);
    for (size_t i = 0; i < d->n; i++) {
        if (!in_sample(d, c, s->role, hi, i))
            continue;
        uint32_t rep = d->rep[i];
        if (s->gid[rep] == UINT32_MAX)
            s->gid[rep] = (uint32_t)s->groups++;
        bool treated = s->role[rep] == 1;
        int ev = (int)(q_index(cal, d->day[i]) - q0);       /* -4 .. 3 */
        size_t k = s->n++;
        s->row[k] = (uint32_t)i;
        s->group[k] = s->gid[rep];
        s->period[k] = (uint32_t)(ev + CS_PC_QUARTERS);
        s->y[k] = d->y[i];
        s->x_did[k] = treated && d->day[i] >= c->date;
        if (treated && ev != -1)
            s->x_ev[k * EVENT_TERMS + (size_t)(ev + CS_PC_QUARTERS - (ev > -1))] = 1;
    }
    return CS_OK;
}

/* Counts of the sample: reps, deals, and each event quarter's raw rates. */
static void sample_counts(struct cs_plan_change *c, const struct sample *s,
                          const struct cs_pc_deals *d, const struct cs_calendar *cal, int32_t hi)
{
    size_t k[CS_PC_EVENTS][2] = {{0}}, risky[CS_PC_EVENTS][2] = {{0}};
    for (size_t r = 0; r < d->reps; r++)
        if (s->gid[r] != UINT32_MAX) {
            c->treated_reps += s->role[r] == 1;
            c->control_reps += s->role[r] == 2;
        }
    for (size_t i = 0; i < s->n; i++) {
        bool treated = s->role[d->rep[s->row[i]]] == 1;
        size_t e = s->period[i];
        k[e][treated]++;
        risky[e][treated] += s->y[i] != 0;
        c->treated_deals += treated;
        c->treated_post_deals += s->x_did[i] != 0;
    }
    c->n = s->n;
    c->control_deals = s->n - c->treated_deals;
    int32_t q0 = q_index(cal, c->date);
    c->quarters_after = 0;
    for (int e = 0; e < CS_PC_EVENTS; e++) {
        struct cs_pc_event *ev = &c->event[e];
        memset(ev, 0, sizeof *ev);
        ev->quarter = e - CS_PC_QUARTERS;
        ev->code = q_code(q0 + ev->quarter);
        ev->baseline = e == BASELINE;
        ev->treated_deals = k[e][1];
        ev->control_deals = k[e][0];
        ev->treated_rate = k[e][1] ? (double)risky[e][1] / (double)k[e][1] : NAN;
        ev->control_rate = k[e][0] ? (double)risky[e][0] / (double)k[e][0] : NAN;
        ev->estimate = ev->se_cluster = ev->ci_low = ev->ci_high = ev->baseline ? 0 : NAN;
        if (ev->quarter >= 0 && cs_cal_period_first_day(cal, ev->code) <= hi)
            c->quarters_after++;
    }
}

/* The DiD term from its fit; the 95% interval until the family decides. */
static void read_did(struct cs_plan_change *c, const struct cs_feols_fit *f)
{
    const struct cs_regress_fit *fit = f->fit;
    c->estimated = fit->fitted && fit->k == 1 && isfinite(fit->terms[0].estimate);
    struct cs_pc_did *dd = &c->did;
    dd->estimate = dd->se = dd->se_cluster = dd->z = dd->p = dd->ci_low = dd->ci_high = NAN;
    dd->df = cs_verdict_df(f->groups);
    dd->level = 0.95;
    if (!c->estimated)
        return;
    dd->estimate = fit->terms[0].estimate;
    dd->se = fit->terms[0].se;
    dd->se_cluster = fit->terms[0].se_cluster;
    dd->z = dd->estimate / dd->se_cluster;
    dd->p = cs_verdict_p(dd->z, dd->df);
    cs_verdict_interval(dd->estimate, dd->se_cluster, 0.05, dd->df, &dd->ci_low, &dd->ci_high);
}

/* Solve the small symmetric positive definite system A x = b (p <= 3) by
 * Cholesky; false when A is not positive definite. */
static bool spd_solve(double *A, size_t p, const double *b, double *x)
{
    for (size_t j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * p + k] * A[j * p + k];
        if (!(s > 0))
            return false;
        A[j * p + j] = sqrt(s);
        for (size_t i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = t / A[j * p + j];
        }
    }
    for (size_t i = 0; i < p; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= A[i * p + k] * x[k];
        x[i] = t / A[i * p + i];
    }
    for (size_t i = p; i-- > 0;) {
        double t = x[i];
        for (size_t k = i + 1; k < p; k++)
            t -= A[k * p + i] * x[k];
        x[i] = t / A[i * p + i];
    }
    return true;
}

/* The event-study terms, and the joint test of the pre-change ones. */
static void read_events(struct cs_plan_change *c, const struct cs_feols_fit *f)
{
    const struct cs_regress_fit *fit = f->fit;
    double df = cs_verdict_df(f->groups);
    size_t pre[3], n_pre = 0;
    c->pre_df = 0;
    c->pre_wald = c->pre_p = NAN;
    if (!fit->fitted)
        return;
    for (size_t t = 0; t < fit->k; t++) {
        size_t col = fit->terms[t].column;
        size_t e = col + (col >= BASELINE);
        struct cs_pc_event *ev = &c->event[e];
        ev->estimated = isfinite(fit->terms[t].estimate);
        ev->estimate = fit->terms[t].estimate;
        ev->se_cluster = fit->terms[t].se_cluster;
        cs_verdict_interval(ev->estimate, ev->se_cluster, 0.05, df, &ev->ci_low, &ev->ci_high);
        if (ev->quarter < -1 && ev->estimated)
            pre[n_pre++] = t;
    }
    if (n_pre == 0 || !fit->vcov_cluster)
        return;
    double V[9], b[3], x[3];
    for (size_t a = 0; a < n_pre; a++) {
        b[a] = fit->terms[pre[a]].estimate;
        for (size_t bb = 0; bb < n_pre; bb++)
            V[a * n_pre + bb] = fit->vcov_cluster[pre[a] * fit->k + pre[bb]];
    }
    if (!spd_solve(V, n_pre, b, x))
        return;
    double w = 0;
    for (size_t a = 0; a < n_pre; a++)
        w += b[a] * x[a];
    c->pre_df = n_pre;
    c->pre_wald = w;
    c->pre_p = df > 0 ? gsl_cdf_fdist_Q(w / (double)n_pre, (double)n_pre, df)
                      : gsl_cdf_chisq_Q(w, (double)n_pre);
}

/* Why a change without an estimate has none. */
static const char *why_not(const struct cs_plan_change *c)
{
    if (c->treated_reps == 0)
        return "the reps who moved have no won deal in the quarters around the change";
    if (c->treated_post_deals == 0)
        return "the reps who moved have no won deal since the change yet";
    if (c->treated_post_deals == c->treated_deals)
        return "the reps who moved have no won deal before the change";
    if (c->control_reps == 0)
        return "every other rep changed plan around the same time: nobody to compare with";
    return "the difference-in-differences could not be fitted";
}

enum cs_status cs_planchange_did(struct cs_plan_changes *pcs, size_t ci,
                                 const struct cs_pc_deals *d, const struct cs_calendar *cal,
                                 int32_t cutoff, struct cs_error *err)
{
    if (!pcs || ci >= pcs->n || !d || (d->n && (!d->rep || !d->day || !d->y)))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plan changes: missing deal arrays");
    struct cs_plan_change *c = &pcs->items[ci];
    struct sample s = {0};
    struct cs_feols_fit *fd = NULL, *fe = NULL;
    int32_t hi = cutoff != CS_NO_DATE && cutoff < c->last_day ? cutoff : c->last_day;
    c->run = true;
    c->cutoff = hi;
    c->n = c->treated_reps = c->control_reps = c->treated_deals = c->treated_post_deals = 0;
    c->estimated = false;
    enum cs_status st = build_sample(pcs, c, d, cal, hi, &s, err);
    if (st != CS_OK)
        goto out;
    sample_counts(c, &s, d, cal, hi);
    struct cs_feols_design des = {.n = s.n, .k = 1, .x = s.x_did, .y = s.y, .group = s.group,
                                  .groups = s.groups, .period = s.period,
                                  .periods = CS_PC_EVENTS, .names = did_names};
    if ((st = cs_feols(&des, &fd, err)) != CS_OK)
        goto out;
    read_did(c, fd);
    des.k = EVENT_TERMS;
    des.x = s.x_ev;
    des.names = event_names;
    if ((st = cs_feols(&des, &fe, err)) != CS_OK)
        goto out;
    read_events(c, fe);
    cs_verdict_data_rule(false, s.n, 0, s.groups, c->estimated ? 1 : 0, &c->rule);
    c->few_treated = c->treated_reps > 0 && c->treated_reps < CS_PC_FEW_TREATED;
    c->note = c->estimated ? "" : why_not(c);
out:
    cs_feols_free(fd);
    cs_feols_free(fe);
    sample_free(&s);
    return st;
}

/* ------------------------------------------------------------------------
 * Rule 3: the verdicts
 * --------------------------------------------------------------------- */

enum cs_status cs_planchange_family(struct cs_plan_changes *pcs, struct cs_error *err)
{
    size_t n = pcs->n ? pcs->n : 1;
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
    bool *clear = malloc(n * sizeof *clear);
    enum cs_status st = CS_OK;
    if (!p || !q || !clear) {
        st = oom(err);
        goto out;
    }
    for (size_t i = 0; i < pcs->n; i++) {
        const struct cs_plan_change *c = &pcs->items[i];
        p[i] = c->run && c->estimated && c->rule.readable && isfinite(c->did.p) ? c->did.p : NAN;
    }
    if ((st = cs_verdict_family(p, pcs->n, CS_VERDICT_Q, q, clear, &pcs->family, err)) != CS_OK)
        goto out;
    for (size_t i = 0; i < pcs->n; i++) {
        struct cs_plan_change *c = &pcs->items[i];
        c->q = q[i];
        if (isnan(p[i])) {
            c->verdict = CS_VERDICT_THIN;
            continue;
        }
        c->verdict = clear[i] ? CS_VERDICT_CLEAR : CS_VERDICT_UNCLEAR;
        c->did.level = pcs->family.level;
        cs_verdict_interval(c->did.estimate, c->did.se_cluster, pcs->family.alpha, c->did.df,
                            &c->did.ci_low, &c->did.ci_high);
    }
out:
    free(p);
    free(q);
    free(clear);
    return st;
}

/* ------------------------------------------------------------------------
 * On a measured data set
 * --------------------------------------------------------------------- */

/* The last day a selection reads: a quarter's last day, or CS_NO_DATE
 * (every day) for all quarters. */
static int32_t selection_end(const struct cs_measured *m)
{
    const struct cs_selection *sel = m->sel;
    if (sel->mode == CS_SELECT_QUARTER)
        return cs_cal_period_last_day(m->cal, sel->quarter);
    if (sel->mode == CS_SELECT_RANGE)
        return cs_cal_period_last_day(m->cal, sel->last);
    return CS_NO_DATE;
}

enum cs_status cs_planchange_run(const struct cs_measured *m, struct cs_plan_changes **out,
                                 struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_assignments *as = &ds->assignments;
    *out = NULL;
    struct cs_pc_assignment *a = malloc((as->n ? as->n : 1) * sizeof *a);
    if (!a)
        return oom(err);
    for (size_t i = 0; i < as->n; i++)
        a[i] = (struct cs_pc_assignment){as->rep[i], as->plan[i], as->start[i], as->end[i]};
    struct cs_plan_changes *pcs = NULL;
    enum cs_status st = cs_planchange_detect(a, as->n, m->cal, &pcs, err);
    free(a);
    if (st != CS_OK)
        return st;
    bool promises = ds->counts[CS_T_ROADMAP].present && ds->counts[CS_T_PROMISES].present;
    int32_t end = selection_end(m);
    struct cs_pc_deals d = {.n = ds->deals.n, .rep = ds->deals.rep, .day = ds->deals.close,
                            .y = m->oc->promise_risk, .use = m->inc->won, .reps = ds->reps.n};
    for (size_t i = 0; promises && i < pcs->n && st == CS_OK; i++)
        if (end == CS_NO_DATE || pcs->items[i].date <= end)
            st = cs_planchange_did(pcs, i, &d, m->cal, end, err);
    if (st == CS_OK)
        st = cs_planchange_family(pcs, err);
    if (st != CS_OK) {
        cs_planchange_free(pcs);
        return st;
    }
    *out = pcs;
    return CS_OK;
}
