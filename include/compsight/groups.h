/* groups.h - which teams and plans shared output may show on their own: none with fewer than 3 reps. */
#ifndef COMPSIGHT_GROUPS_H
#define COMPSIGHT_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/measured.h"
#include "compsight/status.h"

/*
 * A figure of a team or a plan with one or two reps describes those
 * people: in shared output (the report's tables and plots, results.json,
 * deals.csv) a team or plan is shown on its own only when at least
 * CS_MIN_GROUP_REPS reps make up its figures.  The smaller ones are pooled
 * into one "other teams" ("other plans") group, itself left out, with a
 * note, when it too has fewer reps.  The private report is not bound by
 * this.
 */
#define CS_MIN_GROUP_REPS 3

enum cs_shown {
    CS_SHOWN = 0,            /* on its own */
    CS_SHOWN_POOLED,         /* in "other teams" / "other plans" */
    CS_SHOWN_NOT             /* left out: even pooled, too few reps */
};

/* A pool of small groups. */
struct cs_group_pool {
    size_t groups;           /* teams or plans pooled (or left out) */
    size_t reps;             /* the reps they have together */
    bool shown;              /* reps >= CS_MIN_GROUP_REPS: shown as one group */
};

/*
 * For the selected won deals of m (m->sel required): the reps who have
 * any, counted per team and per plan, and how each team and plan is shown.
 * A deal's team and plan are those of its own credit row on its close date
 * (SPEC 13: the assignment that holds it, else reps.csv), so a rep who
 * moved counts in each team and plan the rep won deals in.  Teams are
 * numbered densely (team_ids[k] is team k's string id, in string-id
 * order), over the teams of reps.csv and assignments.csv.  Everything is
 * owned by the struct.
 */
struct cs_disclosure {
    size_t n_teams;
    uint32_t *team_ids;      /* [n_teams] */
    uint32_t *team_of_rep;   /* [reps.n] the number of the rep's team in reps.csv */
    size_t *team_reps;       /* [n_teams] reps with selected won deals */
    uint8_t *team_shown;     /* [n_teams] enum cs_shown */
    size_t *plan_reps;       /* [plans.n] */
    uint8_t *plan_shown;     /* [plans.n] enum cs_shown */
    struct cs_group_pool teams, plans;
};

/* Compute it: O(deals + reps log reps + plans) without assignments.csv,
 * O(deals log deals) with it.  *out is new, owned by the caller
 * (cs_disclosure_free).  CS_ERR_NOMEM, *out left NULL. */
enum cs_status cs_disclosure_compute(const struct cs_measured *m, struct cs_disclosure **out,
                                     struct cs_error *err);

void cs_disclosure_free(struct cs_disclosure *d);     /* accepts NULL */

/* Deal i's team number in d, and its plan (CS_NONE when it has none). */
uint32_t cs_disclosure_deal_team(const struct cs_disclosure *d, const struct cs_measured *m,
                                 size_t i);
uint32_t cs_disclosure_deal_plan(const struct cs_measured *m, size_t i);

/* The number in d of the team whose string id is team (every team of
 * reps.csv and assignments.csv has one). */
uint32_t cs_disclosure_team_number(const struct cs_disclosure *d, uint32_t team);

/* How team number t and plan p are shown (a plan CS_NONE: shown). */
static inline enum cs_shown cs_disclosure_team(const struct cs_disclosure *d, uint32_t t)
{
    return (enum cs_shown)d->team_shown[t];
}

static inline enum cs_shown cs_disclosure_plan(const struct cs_disclosure *d, size_t n_plans,
                                               uint32_t p)
{
    return p < n_plans ? (enum cs_shown)d->plan_shown[p] : CS_SHOWN;
}

#endif
