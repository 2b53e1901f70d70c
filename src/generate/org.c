/* org.c - the organisation (reps, teams, quotas, deal counts) and the files that list it. */
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "gen.h"

/* ===================================================================== */
/* Organisation: reps, teams, plans, quotas                              */
/* ===================================================================== */

/* How many of each: AEs and teams per segment, marketers and their teams. */
struct org_size {
    size_t seg[N_SEGS];              /* AEs */
    size_t team_seg[N_SEGS];         /* sales teams */
    size_t aes, mkt, mkt_teams, teams;
};

static struct org_size org_size(const struct gen *g)
{
    struct org_size z = {0};
    double scale = (double)g->n_deals / REF_DEALS;
    for (int s = 0; s < N_SEGS; s++) {
        double v = round(segs[s].ref_aes * scale);
        z.seg[s] = v < segs[s].min_aes ? (size_t)segs[s].min_aes : (size_t)v;
        /* --assignments: one more SMB AE, hired mid-quarter (assign.c) */
        if (s == SEG_SMB && g->s13 && g->s13->assignments)
            z.seg[s]++;
        z.aes += z.seg[s];
    }
    z.mkt = (size_t)fmax(3.0, round(5.0 * sqrt(scale)));

    /* Teams: Enterprise always splits East/West; others split past TEAM_SIZE. */
    z.mkt_teams = (z.mkt + TEAM_SIZE - 1) / TEAM_SIZE;
    z.teams = z.mkt_teams;
    for (int s = 0; s < N_SEGS; s++) {
        z.team_seg[s] = (z.seg[s] + TEAM_SIZE - 1) / TEAM_SIZE;
        if (s == SEG_ENT && z.team_seg[s] < 2)
            z.team_seg[s] = 2;
        z.teams += z.team_seg[s];
    }
    return z;
}

/* Team t of nt of segment s (s == N_SEGS: marketing). */
static void team_name(struct team *tm, int s, size_t t, size_t nt)
{
    bool mkt = s == N_SEGS;
    if (!mkt && s == SEG_ENT) {
        if (nt == 2)
            snprintf(tm->name, sizeof tm->name, "Enterprise %s",
                     t % 2 ? "West" : "East");
        else
            snprintf(tm->name, sizeof tm->name, "Enterprise %s %zu",
                     t % 2 ? "West" : "East", t / 2 + 1);
    } else {
        const char *base = mkt ? "Marketing" : segs[s].team;
        if (nt == 1)
            snprintf(tm->name, sizeof tm->name, "%s", base);
        else
            snprintf(tm->name, sizeof tm->name, "%s %zu", base, t + 1);
    }
}

/* Lay out teams and people in reps.csv order: manager, then members. */
static void lay_out_teams(struct gen *g, const struct org_size *z)
{
    size_t ri = 0, ti = 0, ae = 0;
    for (int s = 0; s <= N_SEGS; s++) {
        bool mkt = s == N_SEGS;
        size_t members = mkt ? z->mkt : z->seg[s];
        size_t nt = mkt ? z->mkt_teams : z->team_seg[s];
        for (size_t t = 0; t < nt; t++, ti++) {
            struct team *tm = &g->teams[ti];
            tm->kind = mkt ? K_MARKETER : K_AE;
            tm->seg = (uint8_t)(mkt ? 0 : s);
            team_name(tm, s, t, nt);
            tm->manager = (uint32_t)ri;
            struct rep *m = &g->reps[ri++];
            m->kind = K_MANAGER;
            m->team = (uint32_t)ti;
            m->manager = UINT32_MAX;
            size_t lo = t * members / nt, hi = (t + 1) * members / nt;
            for (size_t k = lo; k < hi; k++) {
                struct rep *p = &g->reps[ri++];
                p->kind = mkt ? K_MARKETER : K_AE;
                p->seg = (uint8_t)(mkt ? 0 : s);
                p->team = (uint32_t)ti;
                p->manager = tm->manager;
                if (!mkt)
                    p->ae = (uint32_t)ae++;
            }
        }
    }
    g->n_teams = ti;
}

/*
 * Rep parameters.  productivity has mean 1 (with --skill it and the rep's
 * promise-risk intercept both follow the rep's skill); a ramping new hire sells
 * 40% and 70% of normal in the first two quarters, a territory change
 * scales FY2026 by 0.85 or 1.2.  Quotas follow both (quotas.csv rows).
 * Returns the total deal weight of all rep-quarters and the pipeline.
 */
static double draw_reps(struct gen *g)
{
    gsl_rng *r = g->org_rng;
    double total_w = 0;
    for (size_t i = 0; i < g->n_reps; i++) {
        struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        /* with --skill one draw makes a rep both productive and prone to
         * promise: the same draws in the same order either way */
        double z = gsl_ran_gaussian(r, g->skill ? 1.0 : PROD_SD);
        if (g->skill) {
            p->skill = z;
            p->productivity = exp(SKILL_PROD_SD * z - 0.5 * SKILL_PROD_SD * SKILL_PROD_SD);
        } else {
            p->productivity = exp(z - 0.5 * PROD_SD * PROD_SD);
        }
        for (int q = 0; q < N_QUARTERS; q++)
            p->prod_q[q] = 1.0;
        if (unif(r) < 0.10) {
            p->prod_q[0] = 0.4;
            p->prod_q[1] = 0.7;
        }
        if (unif(r) < 0.08) {
            double f = unif(r) < 0.5 ? 0.85 : 1.2;
            for (int q = 4; q < N_QUARTERS; q++)
                p->prod_q[q] *= f;
        }
        p->risk_u = gsl_ran_gaussian(r, RISK_REP_SD);
        if (g->skill)
            p->risk_u = SKILL_RISK * p->skill;
        double dq = segs[p->seg].deals_per_q * p->productivity;
        for (int q = 0; q < N_QUARTERS; q++)
            total_w += dq * p->prod_q[q];
        total_w += dq * PIPELINE_WEIGHT;
    }
    return total_w;
}

/* A rep's quota in force per unit, and whether quotas.csv needs a row for it. */
static void rep_quotas(const struct gen *g, struct rep *p)
{
    const struct plan_def *pd = &plan_defs[segs[p->seg].plan];
    double pq = g->plan_quota[segs[p->seg].plan];
    int units = pd->annual ? N_QUARTERS / 4 : N_QUARTERS;
    for (int u = 0; u < units; u++) {
        double f = 0;
        if (pd->annual) {
            for (int q = 4 * u; q < 4 * u + 4; q++)
                f += p->prod_q[q] / 4.0;
        } else {
            f = p->prod_q[u];
        }
        p->override_q[u] = fabs(f - 1.0) > 1e-9;
        p->quota[u] = p->override_q[u] ? round3(pq * f) : pq;
    }
}

/* Deal counts per rep-quarter (+ pipeline): one multinomial, exact total;
 * and each rep's quotas. */
static enum cs_status allocate_deals(struct gen *g)
{
    size_t n_aes = g->n_aes;
    double *w = malloc(n_aes * N_SLOTS * sizeof *w);
    if (!w)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < g->n_reps; i++) {
        struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        double dq = segs[p->seg].deals_per_q * p->productivity;
        for (int q = 0; q < N_QUARTERS; q++)
            w[p->ae * N_SLOTS + (size_t)q] = dq * p->prod_q[q];
        w[p->ae * N_SLOTS + N_QUARTERS] = dq * PIPELINE_WEIGHT;
        rep_quotas(g, p);
        if (s13_has_history(g, i) && !s13_rep_alloc(g, i, &w[p->ae * N_SLOTS])) {
            free(w);
            return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        }
    }
    gsl_ran_multinomial(g->org_rng, n_aes * N_SLOTS, (unsigned)g->n_deals, w, g->alloc);
    free(w);
    return CS_OK;
}

enum cs_status build_org(struct gen *g)
{
    struct org_size z = org_size(g);
    g->n_reps = z.aes + z.mkt + z.teams;     /* one manager per team */
    g->n_aes = z.aes;
    g->n_marketers = z.mkt;
    g->reps = calloc(g->n_reps, sizeof *g->reps);
    g->teams = calloc(z.teams, sizeof *g->teams);
    g->alloc = calloc(z.aes * N_SLOTS, sizeof *g->alloc);
    if (!g->reps || !g->teams || !g->alloc)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory (%zu reps)",
                            g->n_reps);
    g->rep_w = n_digits(g->n_reps + 10);
    if (g->rep_w < 4)
        g->rep_w = 4;
    lay_out_teams(g, &z);
    double total_w = draw_reps(g);
    if (g->s13) {
        enum cs_status st = s13_build(g, &total_w);
        if (st != CS_OK)
            return st;
    }

    /* Plan quotas follow the realised deal volume per rep, so attainment
     * centres near 1 at any --deals. */
    double vol = (double)g->n_deals / total_w;
    for (int p = 0; p < N_PLANS; p++)
        g->plan_quota[p] = round3(plan_defs[p].base_quota * vol);
    return allocate_deals(g);
}

/* ===================================================================== */
/* The organisation's files                                              */
/* ===================================================================== */

void write_reps(struct gen *g)
{
    char id[32], name[96], mgr[96], bad[160];
    bool dirty_done = false;
    for (size_t i = 0; i < g->n_reps; i++) {
        const struct rep *p = &g->reps[i];
        const struct team *tm = &g->teams[p->team];
        /* Dirty: a rep on a plan that does not exist, after the first team. */
        if (g->opt->dirty && !dirty_done && i > 0 && p->kind == K_MANAGER) {
            rep_id(g, g->n_reps + 1, id, sizeof id);
            snprintf(bad, sizeof bad, "%s,Jordan Ellis,%s,AE,ENT-Q-2019,", id, g->teams[0].name);
            raw_line(g, F_REPS, bad);
            dirty_done = true;
        }
        /* A rep whose plan or team changed is listed as of the export
         * date; the history is in assignments.csv. */
        int plan = segs[p->seg].plan;
        uint32_t manager = p->manager;
        if (s13_has_history(g, i)) {
            uint32_t team;
            s13_rep_now(g, i, &plan, &team);
            tm = &g->teams[team];
            manager = tm->manager;
        }
        row_begin(&g->row);
        rep_id(g, i, id, sizeof id);
        row_str(&g->row, id);
        rep_name(i, name, sizeof name);
        row_str(&g->row, name);
        row_str(&g->row, tm->name);
        if (p->kind == K_AE) {
            row_str(&g->row, "AE");
            if (plan >= 0)
                row_str(&g->row, plan_def(plan)->id);
            else
                row_blank(&g->row);
        } else if (p->kind == K_MANAGER) {
            row_str(&g->row, tm->kind == K_MARKETER ? "Marketing Manager" : "Sales Manager");
            row_blank(&g->row);
        } else {
            row_str(&g->row, "Marketing");
            row_blank(&g->row);
        }
        if (manager != UINT32_MAX) {
            rep_name(manager, mgr, sizeof mgr);
            row_str(&g->row, mgr);
        } else {
            row_blank(&g->row);
        }
        row_end(g, F_REPS);
    }
}

/* --assignments adds the new Mid-Market plan (same quota as MM-Q);
 * --credit-by-type adds the three credit_ columns. */
void write_plans(struct gen *g)
{
    int n = g->s13 && g->s13->new_plan ? N_ALL_PLANS : N_PLANS;
    for (int p = 0; p < n; p++) {
        const struct plan_def *pd = plan_def(p);
        double quota = g->plan_quota[p < N_PLANS ? p : PLAN_MM];
        for (int t = 0; t < pd->n_tiers; t++) {
            row_begin(&g->row);
            row_str(&g->row, pd->id);
            row_str(&g->row, pd->annual ? "year" : "quarter");
            row_money(&g->row, llround(quota * 100.0));
            row_fixed(&g->row, pd->floor[t], 2);
            row_fixed(&g->row, pd->rate[t], 4);
            if (g->s13 && g->s13->credit)
                for (int k = 0; k < 3; k++)
                    row_fixed(&g->row, plan_credit[p][k], 2);
            row_end(g, F_PLANS);
        }
    }
}

void write_quotas(struct gen *g)
{
    char id[32], label[16], bad[96];
    bool dirty_done = false;
    for (size_t i = 0; i < g->n_reps; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        bool annual = plan_defs[segs[p->seg].plan].annual;
        int units = annual ? N_QUARTERS / 4 : N_QUARTERS;
        bool plan_col = g->s13 && g->s13->assignments;     /* quotas.csv has plan_id */
        rep_id(g, i, id, sizeof id);
        if (s13_has_history(g, i))
            s13_write_quotas(g, i);
        for (int u = 0; u < units && !s13_has_history(g, i); u++) {
            if (!p->override_q[u])
                continue;
            if (annual)
                snprintf(label, sizeof label, "%d", FIRST_FY + u);
            else
                quarter_label(u, label, sizeof label);
            row_begin(&g->row);
            row_str(&g->row, id);
            row_str(&g->row, label);
            row_money(&g->row, llround(p->quota[u] * 100.0));
            if (plan_col)
                row_blank(&g->row);
            row_end(g, F_QUOTAS);
        }
        /* Dirty: a negative quota, for a period the rep has no row for. */
        if (g->opt->dirty && !dirty_done && !p->override_q[units - 1]) {
            if (annual)
                snprintf(label, sizeof label, "%d", FIRST_FY + units - 1);
            else
                quarter_label(units - 1, label, sizeof label);
            snprintf(bad, sizeof bad, "%s,%s,-5000.00%s", id, label, plan_col ? "," : "");
            raw_line(g, F_QUOTAS, bad);
            dirty_done = true;
        }
    }
}

void write_spiffs(struct gen *g)
{
    for (int s = 0; s < N_SPIFFS; s++) {
        row_begin(&g->row);
        row_str(&g->row, spiff_defs[s].id);
        row_str(&g->row, products[spiff_defs[s].product].name);
        row_date(&g->row, g->spiff_start[s]);
        row_date(&g->row, g->spiff_end[s]);
        row_money(&g->row, llround(spiff_defs[s].amount * 100.0));
        row_end(g, F_SPIFFS);
    }
}

void write_roadmap(struct gen *g)
{
    char id[16];
    for (int i = 0; i < N_FEATURES; i++) {
        row_begin(&g->row);
        feature_id(i, id, sizeof id);
        row_str(&g->row, id);
        row_str(&g->row, features[i].title);
        row_str(&g->row, rm_status_name[features[i].status]);
        row_date(&g->row, feature_date(g, features[i].target));
        row_date(&g->row, feature_date(g, features[i].shipped));
        row_end(g, F_ROADMAP);
    }
}
