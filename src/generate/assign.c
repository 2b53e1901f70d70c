/* assign.c - real comp plans (SPEC 13): who changes plan or team, their plan periods, prorated quotas, assignments.csv. */
#include <stdlib.h>

#include "gen.h"

/*
 * With --assignments a few reps get a history (a list of stints: plan and
 * team over a date range); every other rep keeps the one plan and team of
 * reps.csv and is simulated exactly as without the option.  The events,
 * each on a fixed day so that docs/GENERATOR.md can name them:
 *
 *   - the fiscal-year plan change: at the start of FY2026 the Mid-Market
 *     AEs (all that can, or --plan-change-movers of them) move from MM-Q to
 *     MM-Q-FY26; the last mover moves CHANGE_STAGGER days later;
 *   - a Mid-Market AE promoted to Enterprise in the middle of FY2025 Q2;
 *   - an SMB AE promoted to Mid-Market (the new plan if there is one) in
 *     the middle of FY2026 Q2;
 *   - an Enterprise AE moving from the first Enterprise team to the second
 *     in the middle of FY2026 Q3 (a team-only move);
 *   - one more SMB AE, hired in the middle of FY2025 Q3, with no plan_id in
 *     reps.csv: the assignment says everything.
 *
 * A rep with a history is simulated one unit at a time like everyone, but
 * its units are the days of each plan period on which it holds that plan,
 * with the quota prorated by those days (SPEC 13).
 */

/* ===================================================================== */
/* State                                                                 */
/* ===================================================================== */

enum cs_status s13_new(struct gen *g)
{
    const struct cs_gen_options *o = g->opt;
    bool assignments = o->assignments || o->plan_change_movers_set || o->plan_change_effect_set;
    if (!assignments && !o->splits && !o->credit_by_type)
        return CS_OK;
    struct s13 *s = calloc(1, sizeof *s);
    if (!s)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->assignments = assignments;
    s->splits = o->splits;
    s->credit = o->credit_by_type;
    s->change_effect = o->plan_change_effect_set ? o->plan_change_effect
                                                 : g->effects ? CHANGE_EFFECT : 0.0;
    g->s13 = s;
    return CS_OK;
}

void s13_free(struct s13 *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->incoming && i < s->n_incoming; i++)
        free(s->incoming[i].v);
    free(s->incoming);
    gsl_rng_free(s->split_rng);
    free(s->stints);
    free(s->stint_first);
    free(s->stint_n);
    free(s->units);
    free(s->unit_first);
    free(s->unit_n);
    free(s->ae_rep);
    free(s->mover);
    free(s);
}

bool s13_has_history(const struct gen *g, size_t rep_index)
{
    return g->s13 && g->s13->stint_first && g->s13->stint_first[rep_index] != UINT32_MAX;
}

/* ===================================================================== */
/* Days, quarters, plans                                                 */
/* ===================================================================== */

static int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }

/* Days of [a0, a1] in [b0, b1] (inclusive ranges). */
static int32_t overlap(int32_t a0, int32_t a1, int32_t b0, int32_t b1)
{
    int32_t lo = imax(a0, b0), hi = imin(a1, b1);
    return hi >= lo ? hi - lo + 1 : 0;
}

/* The quarter (0 .. N_QUARTERS) holding a day of the window or the pipeline. */
static int quarter_of(const struct gen *g, int32_t day)
{
    int q = 0;
    while (q < N_QUARTERS && day >= g->qstart[q + 1])
        q++;
    return q;
}

/* The segment whose deal parameters a plan's deals follow. */
static int plan_seg(int plan)
{
    return plan == PLAN_ENT ? SEG_ENT : plan == PLAN_SMB ? SEG_SMB : SEG_MM;
}

static const struct stint *stints_of(const struct gen *g, size_t rep_index, size_t *n)
{
    *n = g->s13->stint_n[rep_index];
    return &g->s13->stints[g->s13->stint_first[rep_index]];
}

int s13_plan_on(const struct gen *g, size_t rep_index, int32_t day)
{
    if (!s13_has_history(g, rep_index))
        return segs[g->reps[rep_index].seg].plan;
    size_t n;
    const struct stint *st = stints_of(g, rep_index, &n);
    for (size_t k = 0; k < n; k++)
        if (st[k].start <= day && day <= st[k].end)
            return st[k].plan;
    return -1;
}

void s13_rep_now(const struct gen *g, size_t rep_index, int *plan, uint32_t *team)
{
    size_t n;
    const struct stint *st = stints_of(g, rep_index, &n);
    const struct stint *now = &st[n - 1];
    *team = now->team;
    /* A rep whose every day is in assignments.csv has no plan in reps.csv
     * (the one hired during the window; the others' first stint starts
     * with the window). */
    *plan = st[0].start > g->window_start ? -1 : now->plan;
}

/* ===================================================================== */
/* Building the histories                                                */
/* ===================================================================== */

static bool add_stint(struct s13 *s, size_t *cap, size_t rep, int32_t start, int32_t end,
                      int plan, uint32_t team, bool written, bool team_blank)
{
    if (s->n_stints == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct stint *v = realloc(s->stints, c * sizeof *v);
        if (!v)
            return false;
        s->stints = v;
        *cap = c;
    }
    if (s->stint_first[rep] == UINT32_MAX)
        s->stint_first[rep] = (uint32_t)s->n_stints;
    s->stint_n[rep]++;
    s->stints[s->n_stints++] = (struct stint){start, end, plan, team, written, team_blank};
    return true;
}

/* The k-th team of a segment's AEs, UINT32_MAX when there is none. */
static uint32_t seg_team(const struct gen *g, int seg, size_t k)
{
    for (size_t t = 0; t < g->n_teams; t++)
        if (g->teams[t].kind == K_AE && g->teams[t].seg == seg && k-- == 0)
            return (uint32_t)t;
    return UINT32_MAX;
}

/* Deal weights of a rep with a history: each quarter's volume follows the
 * segment of the plan it holds, day by day; nothing before it is hired. */
static void history_weights(const struct gen *g, size_t rep_index, double *w)
{
    const struct rep *p = &g->reps[rep_index];
    size_t n;
    const struct stint *st = stints_of(g, rep_index, &n);
    for (int q = 0; q < N_QUARTERS; q++) {
        int32_t qs = g->qstart[q], qe = g->qstart[q + 1] - 1;
        double dq = 0;
        for (size_t k = 0; k < n; k++)
            dq += segs[plan_seg(st[k].plan)].deals_per_q *
                  (double)overlap(st[k].start, st[k].end, qs, qe) / (double)(qe - qs + 1);
        w[q] = dq * p->productivity * p->prod_q[q];
    }
    int now = st[n - 1].plan;
    w[N_QUARTERS] = segs[plan_seg(now)].deals_per_q * p->productivity * PIPELINE_WEIGHT;
}

/* What draw_reps counted for a rep: its segment's volume in every quarter. */
static double default_weight(const struct rep *p)
{
    double dq = segs[p->seg].deals_per_q * p->productivity, w = 0;
    for (int q = 0; q < N_QUARTERS; q++)
        w += dq * p->prod_q[q];
    return w + dq * PIPELINE_WEIGHT;
}

/* AE index -> rep index, and where each segment's AEs start. */
static void index_aes(struct gen *g)
{
    struct s13 *s = g->s13;
    int seg = 0;
    s->seg_ae[0] = 0;
    for (size_t i = 0; i < g->n_reps; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        while (seg < p->seg)
            s->seg_ae[++seg] = p->ae;
        s->ae_rep[p->ae] = (uint32_t)i;
    }
    while (seg < N_SEGS)
        s->seg_ae[++seg] = g->n_aes;
}

enum cs_status s13_build(struct gen *g, double *total_w)
{
    struct s13 *s = g->s13;
    s->ae_rep = calloc(g->n_aes ? g->n_aes : 1, sizeof *s->ae_rep);
    s->n_incoming = g->n_reps;
    s->incoming = calloc(g->n_reps, sizeof *s->incoming);
    if (!s->ae_rep || !s->incoming)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    index_aes(g);
    if (!s->assignments)
        return CS_OK;

    s->stint_first = malloc(g->n_reps * sizeof *s->stint_first);
    s->stint_n = calloc(g->n_reps, sizeof *s->stint_n);
    s->unit_first = calloc(g->n_reps, sizeof *s->unit_first);
    s->unit_n = calloc(g->n_reps, sizeof *s->unit_n);
    s->mover = calloc(g->n_reps, sizeof *s->mover);
    if (!s->stint_first || !s->stint_n || !s->unit_first || !s->unit_n || !s->mover)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < g->n_reps; i++)
        s->stint_first[i] = UINT32_MAX;

    const size_t *sa = s->seg_ae;
    size_t n_mm = sa[SEG_MM + 1] - sa[SEG_MM], n_smb = sa[SEG_SMB + 1] - sa[SEG_SMB];
    int32_t ws = g->window_start, change = g->qstart[CHANGE_QUARTER];
    size_t cap = 0;
    bool ok = true;

    /* Who: the promoted Mid-Market AE is the last one, the movers the
     * others in order, the promoted SMB AE the first, the hire the last
     * SMB AE (the one org_size added), the team mover the first
     * Enterprise AE. */
    size_t up = n_mm >= 2 ? s->ae_rep[sa[SEG_MM + 1] - 1] : SIZE_MAX;
    size_t can_move = n_mm - (up != SIZE_MAX);
    size_t movers = g->opt->plan_change_movers_set ? g->opt->plan_change_movers : can_move;
    if (movers > can_move)
        return cs_error_set(g->err, CS_ERR_USAGE, NULL, 0, "--plan-change-movers",
                            "asks for %zu movers, but the company has %zu Mid-Market AEs who "
                            "can move (at --deals %llu)", movers, can_move,
                            (unsigned long long)g->n_deals);
    s->new_plan = movers > 0;
    size_t hire = s->ae_rep[sa[SEG_SMB + 1] - 1];
    size_t promo_mm = n_smb >= 3 ? s->ae_rep[sa[SEG_SMB]] : SIZE_MAX;
    size_t mover_team = s->ae_rep[sa[SEG_ENT]];
    uint32_t east = seg_team(g, SEG_ENT, 0), west = seg_team(g, SEG_ENT, 1);
    uint32_t mm_team = seg_team(g, SEG_MM, 0);

    for (size_t i = 0; i < g->n_reps && ok; i++) {
        struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        double before = default_weight(p);
        if (i == up) {
            int32_t day = g->qstart[PROMO_UP_QUARTER] + PROMO_UP_DAY;
            ok = add_stint(s, &cap, i, ws, day - 1, PLAN_MM, p->team, true, false) &&
                 add_stint(s, &cap, i, day, OPEN_END, PLAN_ENT, east, true, false);
        } else if (p->seg == SEG_MM && p->ae - sa[SEG_MM] < movers) {
            /* the last mover moves a few days late: within the 7 days of SPEC 14.3 */
            int32_t day = change + (p->ae - sa[SEG_MM] + 1 == movers && movers > 1
                                    ? CHANGE_STAGGER : 0);
            ok = add_stint(s, &cap, i, ws, day - 1, PLAN_MM, p->team, true, true) &&
                 add_stint(s, &cap, i, day, OPEN_END, PLAN_MM_NEW, p->team, true, true);
            s->mover[i] = 1;
        } else if (i == promo_mm) {
            int32_t day = g->qstart[PROMO_MM_QUARTER] + PROMO_MM_DAY;
            ok = add_stint(s, &cap, i, ws, day - 1, PLAN_SMB, p->team, true, false) &&
                 add_stint(s, &cap, i, day, OPEN_END, movers ? PLAN_MM_NEW : PLAN_MM, mm_team,
                           true, false);
        } else if (i == mover_team && west != UINT32_MAX && p->team == east) {
            /* only the old team is written: reps.csv holds the new one */
            int32_t day = g->qstart[TEAM_MOVE_QUARTER] + TEAM_MOVE_DAY;
            ok = add_stint(s, &cap, i, ws, day - 1, PLAN_ENT, east, true, false) &&
                 add_stint(s, &cap, i, day, OPEN_END, PLAN_ENT, west, false, false);
        } else if (i == hire) {
            int32_t day = g->qstart[HIRE_QUARTER] + HIRE_DAY;
            for (int q = 0; q < N_QUARTERS; q++)
                p->prod_q[q] = 1.0;          /* an experienced hire: no ramp */
            ok = add_stint(s, &cap, i, day, OPEN_END, PLAN_SMB, p->team, true, true);
        } else {
            continue;
        }
        double w[N_SLOTS], after = 0;
        history_weights(g, i, w);
        for (int k = 0; k < N_SLOTS; k++)
            after += w[k];
        *total_w += after - before;
    }
    if (!ok)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return CS_OK;
}

/* ===================================================================== */
/* Plan periods and quotas of a rep with a history                       */
/* ===================================================================== */

/* Days of [ps, pe] on which the rep holds plan: SPEC 13's covered days. */
static int32_t covered_days(const struct stint *st, size_t n, int plan, int32_t ps, int32_t pe)
{
    int32_t d = 0;
    for (size_t k = 0; k < n; k++)
        if (st[k].plan == plan)
            d += overlap(st[k].start, st[k].end, ps, pe);
    return d;
}

static bool push_unit(struct s13 *s, const struct unit *un)
{
    if (s->n_units == s->cap_units) {
        size_t c = s->cap_units ? s->cap_units * 2 : 32;
        struct unit *v = realloc(s->units, c * sizeof *v);
        if (!v)
            return false;
        s->units = v;
        s->cap_units = c;
    }
    s->units[s->n_units++] = *un;
    return true;
}

/*
 * The units of a rep with a history, in time order: for every run of days
 * on one plan (consecutive stints on the same plan are one run: a team
 * move changes nothing), every period of that plan the run touches.  The
 * quota is the plan's prorated by the days on the plan (the plan's own
 * when the period is fully covered); a ramp or territory factor of the
 * days covered makes it a quotas.csv row, as for every other rep.
 */
static bool build_units(struct gen *g, size_t rep_index)
{
    struct s13 *s = g->s13;
    const struct rep *p = &g->reps[rep_index];
    size_t n;
    const struct stint *st = stints_of(g, rep_index, &n);
    int32_t last_day = g->export_day - 1;
    s->unit_first[rep_index] = (uint32_t)s->n_units;
    for (size_t k = 0; k < n;) {
        int plan = st[k].plan;
        int32_t run_lo = st[k].start, run_hi = st[k].end;
        for (k++; k < n && st[k].plan == plan && st[k].start == run_hi + 1; k++)
            run_hi = st[k].end;
        run_hi = imin(run_hi, last_day);
        const struct plan_def *pd = plan_def(plan);
        double plan_quota = g->plan_quota[plan < N_PLANS ? plan : PLAN_MM];
        int step = pd->annual ? 4 : 1;
        for (int q0 = 0; q0 < N_QUARTERS; q0 += step) {
            struct unit un;
            memset(&un, 0, sizeof un);
            un.start = g->qstart[q0];
            un.end = g->qstart[q0 + step] - 1;
            un.lo = imax(un.start, run_lo);
            un.hi = imin(un.end, run_hi);
            if (un.lo > un.hi)
                continue;
            un.plan = plan;
            un.seg = plan_seg(plan);
            un.q_first = quarter_of(g, un.lo);
            un.q_last = quarter_of(g, un.hi);
            if (pd->annual)
                snprintf(un.label, sizeof un.label, "%d", FIRST_FY + q0 / 4);
            else
                quarter_label(q0, un.label, sizeof un.label);
            int32_t days = un.end - un.start + 1;
            int32_t cov = covered_days(st, n, plan, un.start, un.end);
            double quota = cov == days ? plan_quota : plan_quota * cov / days;
            double f = 0, fd = 0;
            for (int q = un.q_first; q <= un.q_last; q++) {
                int32_t d = overlap(un.lo, un.hi, g->qstart[q], g->qstart[q + 1] - 1);
                f += p->prod_q[q] * d;
                fd += d;
            }
            f /= fd;
            un.quota_row = fabs(f - 1.0) > 1e-9;
            un.quota = un.quota_row ? round3(quota * f) : quota;
            if (!push_unit(s, &un))
                return false;
            s->unit_n[rep_index]++;
        }
    }
    return true;
}

bool s13_rep_alloc(struct gen *g, size_t rep_index, double *w)
{
    history_weights(g, rep_index, w);
    return build_units(g, rep_index);
}

struct unit s13_unit(const struct gen *g, size_t rep_index, int u)
{
    const struct s13 *s = g->s13;
    if (u < s->unit_n[rep_index])
        return s->units[s->unit_first[rep_index] + (size_t)u];
    struct unit un;
    memset(&un, 0, sizeof un);
    un.pipeline = true;
    un.q_first = un.q_last = N_QUARTERS;
    un.start = un.lo = g->qstart[N_QUARTERS];
    un.end = un.hi = g->qstart[N_QUARTERS + 1] - 1;
    un.plan = s13_plan_on(g, rep_index, g->export_day - 1);
    un.seg = plan_seg(un.plan);
    return un;
}

/* A quarter shared by two units (a move mid-quarter) splits its deal count
 * by the days of each, counted over the days the rep holds any plan; the
 * deals close within the unit's days. */
void s13_quarter_part(const struct gen *g, size_t rep_index, const struct unit *un, int q,
                      unsigned *count, int32_t *first, int32_t *days)
{
    if (un->pipeline)
        return;
    size_t n;
    const struct stint *st = stints_of(g, rep_index, &n);
    int32_t qs = g->qstart[q], qe = g->qstart[q + 1] - 1;
    int32_t lo = imax(qs, un->lo), hi = imin(qe, un->hi);
    int32_t held = 0, before = 0;
    for (size_t k = 0; k < n; k++) {
        held += overlap(st[k].start, st[k].end, qs, qe);
        before += overlap(st[k].start, st[k].end, qs, lo - 1);
    }
    if (held <= 0 || hi < lo) {
        *count = 0;
        return;
    }
    double c = (double)*count;
    long c0 = lround(c * before / held), c1 = lround(c * (before + hi - lo + 1) / held);
    *count = (unsigned)(c1 - c0);
    *first = lo;
    *days = hi - lo + 1;
}

/* ===================================================================== */
/* Files                                                                 */
/* ===================================================================== */

void write_assignments(struct gen *g)
{
    char id[32];
    for (size_t i = 0; i < g->n_reps; i++) {
        if (!s13_has_history(g, i))
            continue;
        size_t n;
        const struct stint *st = stints_of(g, i, &n);
        rep_id(g, i, id, sizeof id);
        for (size_t k = 0; k < n; k++) {
            if (!st[k].written)
                continue;
            row_begin(&g->row);
            row_str(&g->row, id);
            row_str(&g->row, plan_def(st[k].plan)->id);
            row_date(&g->row, st[k].start);
            row_date(&g->row, st[k].end == OPEN_END ? NO_DATE : st[k].end);
            if (st[k].team_blank)
                row_blank(&g->row);
            else
                row_str(&g->row, g->teams[st[k].team].name);
            row_end(g, F_ASSIGNMENTS);
        }
    }
}

/* The quotas.csv rows of a rep with a history.  A row applies to the plan
 * held on the period's last day unless it names another (SPEC 13): the
 * plan_id is written only where that is not the row's plan. */
void s13_write_quotas(struct gen *g, size_t rep_index)
{
    char id[32];
    const struct s13 *s = g->s13;
    rep_id(g, rep_index, id, sizeof id);
    for (int u = 0; u < s->unit_n[rep_index]; u++) {
        const struct unit *un = &s->units[s->unit_first[rep_index] + (size_t)u];
        if (!un->quota_row)
            continue;
        row_begin(&g->row);
        row_str(&g->row, id);
        row_str(&g->row, un->label);
        row_money(&g->row, llround(un->quota * 100.0));
        if (s13_plan_on(g, rep_index, un->end) == un->plan)
            row_blank(&g->row);
        else
            row_str(&g->row, plan_def(un->plan)->id);
        row_end(g, F_QUOTAS);
    }
}
