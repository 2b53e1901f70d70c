/* groups.c - the small-group rule of shared output: teams and plans of fewer than 3 reps pooled or left out. */
#include <stdlib.h>
#include <string.h>

#include "compsight/groups.h"
#include "compsight/incentives.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Each group shown, pooled or left out by its reps; the pool's totals. */
static void decide(const size_t *reps, size_t n, uint8_t *shown, struct cs_group_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    for (size_t k = 0; k < n; k++) {
        if (reps[k] >= CS_MIN_GROUP_REPS || reps[k] == 0) {
            shown[k] = CS_SHOWN;     /* (a group without reps has no figure to show) */
            continue;
        }
        pool->groups++;
        pool->reps += reps[k];
    }
    pool->shown = pool->reps >= CS_MIN_GROUP_REPS;
    for (size_t k = 0; k < n; k++)
        if (reps[k] && reps[k] < CS_MIN_GROUP_REPS)
            shown[k] = pool->shown ? CS_SHOWN_POOLED : CS_SHOWN_NOT;
}

/* The rep of deal i's own credit row (SPEC 13), else its owner. */
static uint32_t deal_rep(const struct cs_measured *m, size_t i)
{
    const struct cs_incentives *inc = m->inc;
    if (inc->won[i] && inc->rep_period[i] != CS_NONE)
        return cs_incentives_own_rep(inc, i);
    return m->ds->deals.rep[i];
}

uint32_t cs_disclosure_deal_plan(const struct cs_measured *m, size_t i)
{
    const struct cs_incentives *inc = m->inc;
    if (inc->won[i] && inc->rep_period[i] != CS_NONE)
        return inc->rp.plan[inc->rep_period[i]];
    return m->ds->reps.plan[m->ds->deals.rep[i]];
}

uint32_t cs_disclosure_deal_team(const struct cs_disclosure *d, const struct cs_measured *m,
                                 size_t i)
{
    if (!m->ds->assignments.n)
        return d->team_of_rep[deal_rep(m, i)];
    return cs_disclosure_team_number(d, cs_incentives_team(m->ds, m->inc, i));
}

uint32_t cs_disclosure_team_number(const struct cs_disclosure *d, uint32_t team)
{
    const uint32_t *at = bsearch(&team, d->team_ids, d->n_teams, sizeof *d->team_ids, cmp_u32);
    return at ? (uint32_t)(at - d->team_ids) : 0;   /* (every team is among them) */
}

/* The teams of reps.csv and assignments.csv, numbered in string-id order,
 * and each rep's number. */
static bool number_teams(const struct cs_dataset *ds, struct cs_disclosure *d)
{
    size_t nr = ds->reps.n, na = ds->assignments.n, k = nr, nt = 0;
    if (!(d->team_ids = malloc((nr + na ? nr + na : 1) * sizeof *d->team_ids)) ||
        !(d->team_of_rep = malloc((nr ? nr : 1) * sizeof *d->team_of_rep)))
        return false;
    memcpy(d->team_ids, ds->reps.team, nr * sizeof *d->team_ids);
    for (size_t j = 0; j < na; j++)
        if (ds->assignments.team[j])
            d->team_ids[k++] = ds->assignments.team[j];
    qsort(d->team_ids, k, sizeof *d->team_ids, cmp_u32);
    for (size_t r = 0; r < k; r++)
        if (nt == 0 || d->team_ids[r] != d->team_ids[nt - 1])
            d->team_ids[nt++] = d->team_ids[r];
    d->n_teams = nt;
    for (size_t r = 0; r < nr; r++) {
        const uint32_t *at = bsearch(&ds->reps.team[r], d->team_ids, nt, sizeof *d->team_ids,
                                     cmp_u32);
        d->team_of_rep[r] = (uint32_t)(at - d->team_ids);
    }
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Without assignments a rep's team and plan are the rep's own: each rep
 * with a selected won deal counts once in them. */
static bool count_by_rep(const struct cs_measured *m, struct cs_disclosure *d)
{
    const struct cs_dataset *ds = m->ds;
    size_t nr = ds->reps.n, np = ds->plans.n;
    uint8_t *active = calloc(nr ? nr : 1, 1);
    if (!active)
        return false;
    for (size_t i = 0; i < ds->deals.n; i++)
        if (m->inc->won[i] && cs_selected(m->sel, m->inc->quarter[i]))
            active[deal_rep(m, i)] = 1;
    for (size_t r = 0; r < nr; r++) {
        if (!active[r])
            continue;
        d->team_reps[d->team_of_rep[r]]++;
        if (ds->reps.plan[r] < np)
            d->plan_reps[ds->reps.plan[r]]++;
    }
    free(active);
    return true;
}

/* With assignments a rep may count in several teams and plans: the
 * distinct (group, rep) pairs of the selected won deals, by sorting. */
static bool count_by_pair(const struct cs_measured *m, struct cs_disclosure *d)
{
    const struct cs_dataset *ds = m->ds;
    size_t n = ds->deals.n, k = 0;
    uint64_t *pt = malloc((n ? n : 1) * sizeof *pt), *pp = malloc((n ? n : 1) * sizeof *pp);
    if (!pt || !pp) {
        free(pt);
        free(pp);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!m->inc->won[i] || !cs_selected(m->sel, m->inc->quarter[i]))
            continue;
        uint64_t r = deal_rep(m, i);
        pt[k] = (uint64_t)cs_disclosure_deal_team(d, m, i) << 32 | r;
        pp[k++] = (uint64_t)cs_disclosure_deal_plan(m, i) << 32 | r;
    }
    qsort(pt, k, sizeof *pt, cmp_u64);
    qsort(pp, k, sizeof *pp, cmp_u64);
    for (size_t j = 0; j < k; j++) {
        if (j == 0 || pt[j] != pt[j - 1])
            d->team_reps[pt[j] >> 32]++;
        if ((j == 0 || pp[j] != pp[j - 1]) && (pp[j] >> 32) < ds->plans.n)
            d->plan_reps[pp[j] >> 32]++;
    }
    free(pt);
    free(pp);
    return true;
}

enum cs_status cs_disclosure_compute(const struct cs_measured *m, struct cs_disclosure **out,
                                     struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    size_t np = ds->plans.n;
    struct cs_disclosure *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d || !number_teams(ds, d) ||
        !(d->plan_reps = calloc(np ? np : 1, sizeof *d->plan_reps)) ||
        !(d->plan_shown = calloc(np ? np : 1, 1)) ||
        !(d->team_reps = calloc(d->n_teams ? d->n_teams : 1, sizeof *d->team_reps)) ||
        !(d->team_shown = calloc(d->n_teams ? d->n_teams : 1, 1)) ||
        !(ds->assignments.n ? count_by_pair(m, d) : count_by_rep(m, d)))
        goto oom;
    decide(d->team_reps, d->n_teams, d->team_shown, &d->teams);
    decide(d->plan_reps, np, d->plan_shown, &d->plans);
    *out = d;
    return CS_OK;
oom:
    cs_disclosure_free(d);
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

void cs_disclosure_free(struct cs_disclosure *d)
{
    if (!d)
        return;
    free(d->team_ids);
    free(d->team_of_rep);
    free(d->team_reps);
    free(d->team_shown);
    free(d->plan_reps);
    free(d->plan_shown);
    free(d);
}
