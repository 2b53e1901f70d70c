/* groups.c - the small-group rule of shared output: teams and plans of fewer than 3 reps pooled or left out. */
#include <stdlib.h>
#include <string.h>

#include "compsight/groups.h"

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

enum cs_status cs_disclosure_compute(const struct cs_measured *m, struct cs_disclosure **out,
                                     struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    size_t nr = ds->reps.n, np = ds->plans.n;
    uint8_t *active = calloc(nr ? nr : 1, 1);
    struct cs_disclosure *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d || !active ||
        !(d->team_ids = malloc((nr ? nr : 1) * sizeof *d->team_ids)) ||
        !(d->team_of_rep = malloc((nr ? nr : 1) * sizeof *d->team_of_rep)) ||
        !(d->plan_reps = calloc(np ? np : 1, sizeof *d->plan_reps)) ||
        !(d->plan_shown = calloc(np ? np : 1, 1)))
        goto oom;
    /* the reps' distinct teams, numbered in string-id order */
    memcpy(d->team_ids, ds->reps.team, nr * sizeof *d->team_ids);
    qsort(d->team_ids, nr, sizeof *d->team_ids, cmp_u32);
    size_t nt = 0;
    for (size_t r = 0; r < nr; r++)
        if (nt == 0 || d->team_ids[r] != d->team_ids[nt - 1])
            d->team_ids[nt++] = d->team_ids[r];
    d->n_teams = nt;
    for (size_t r = 0; r < nr; r++) {
        const uint32_t *at = bsearch(&ds->reps.team[r], d->team_ids, nt, sizeof *d->team_ids,
                                     cmp_u32);
        d->team_of_rep[r] = (uint32_t)(at - d->team_ids);
    }
    if (!(d->team_reps = calloc(nt ? nt : 1, sizeof *d->team_reps)) ||
        !(d->team_shown = calloc(nt ? nt : 1, 1)))
        goto oom;
    /* the reps with a selected won deal, counted in their team and plan */
    for (size_t i = 0; i < ds->deals.n; i++)
        if (inc->won[i] && cs_selected(m->sel, inc->quarter[i]))
            active[ds->deals.rep[i]] = 1;
    for (size_t r = 0; r < nr; r++) {
        if (!active[r])
            continue;
        d->team_reps[d->team_of_rep[r]]++;
        if (ds->reps.plan[r] < np)
            d->plan_reps[ds->reps.plan[r]]++;
    }
    decide(d->team_reps, nt, d->team_shown, &d->teams);
    decide(d->plan_reps, np, d->plan_shown, &d->plans);
    free(active);
    *out = d;
    return CS_OK;
oom:
    free(active);
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

enum cs_shown cs_disclosure_team(const struct cs_disclosure *d, uint32_t r)
{
    return (enum cs_shown)d->team_shown[d->team_of_rep[r]];
}

enum cs_shown cs_disclosure_plan(const struct cs_disclosure *d, const struct cs_dataset *ds,
                                 uint32_t r)
{
    uint32_t p = ds->reps.plan[r];
    return p < ds->plans.n ? (enum cs_shown)d->plan_shown[p] : CS_SHOWN;
}
