/* credit.c - SPEC 13's inputs as a whole: assignments.csv's overlaps, split deals without a plan, quotas by plan; the plan a rep holds, and for how many days. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

#define ASSIGNMENTS_COLUMN(col) (cs_schema_table(CS_T_ASSIGNMENTS)->columns[col].name)

/* ------------------------------------------------------------------------
 * Lookups (dataset.h)
 * --------------------------------------------------------------------- */

uint32_t cs_assignment_at(const struct cs_dataset *ds, uint32_t rep, int32_t day)
{
    const struct cs_assignments *a = &ds->assignments;
    if (!a->rep_first || day == CS_NO_DATE)
        return CS_NONE;
    /* the rep's rows, by start (a handful): the last one starting by day */
    uint32_t k = CS_NONE;
    for (uint32_t j = a->rep_first[rep]; j < a->rep_first[rep + 1] && a->start[j] <= day; j++)
        k = j;
    return k != CS_NONE && (a->end[k] == CS_NO_DATE || a->end[k] >= day) ? k : CS_NONE;
}

uint32_t cs_plan_on(const struct cs_dataset *ds, uint32_t rep, int32_t day, uint32_t *team)
{
    uint32_t k = cs_assignment_at(ds, rep, day);
    if (team)
        *team = k != CS_NONE && ds->assignments.team[k] ? ds->assignments.team[k]
                                                        : ds->reps.team[rep];
    return k != CS_NONE ? ds->assignments.plan[k] : ds->reps.plan[rep];
}

bool cs_rep_has_assignments(const struct cs_dataset *ds, uint32_t rep)
{
    const uint32_t *f = ds->assignments.rep_first;
    return f && f[rep + 1] > f[rep];
}

int32_t cs_plan_days(const struct cs_dataset *ds, uint32_t rep, uint32_t plan, int32_t first,
                     int32_t last)
{
    const struct cs_assignments *a = &ds->assignments;
    bool fallback = ds->reps.plan[rep] == plan;
    if (!cs_rep_has_assignments(ds, rep))
        return fallback ? last - first + 1 : 0;
    /* the rep's rows, by start: those on plan count their days inside the
     * period; the days no row holds count when reps.csv's plan is plan */
    int32_t covered = 0, held = 0;
    for (size_t k = a->rep_first[rep]; k < a->rep_first[rep + 1]; k++) {
        int32_t lo = a->start[k] > first ? a->start[k] : first;
        int32_t end = a->end[k] == CS_NO_DATE ? INT32_MAX : a->end[k];
        int32_t hi = end < last ? end : last;
        if (hi < lo)
            continue;
        held += hi - lo + 1;
        if (a->plan[k] == plan)
            covered += hi - lo + 1;
    }
    if (fallback)
        covered += (last - first + 1) - held;
    return covered;
}

double cs_plan_credit(const struct cs_dataset *ds, const struct cs_plans *plans, uint32_t p,
                      uint8_t type)
{
    const struct cs_plans *pl = plans && plans->credit_new ? plans : &ds->plans;
    const double *v = type == CS_TYPE_RENEWAL     ? pl->credit_renewal
                      : type == CS_TYPE_EXPANSION ? pl->credit_expansion
                                                  : pl->credit_new;
    return v ? v[p] : 1.0;
}

/* ------------------------------------------------------------------------
 * Rows kept or reordered after the fact
 * --------------------------------------------------------------------- */

/* Keep rows order[0..n) of the table whose arrays c points at, in that
 * order.  0, or -1 on OOM (the table unchanged). */
static int permute(struct cs_columns *c, const uint32_t *order, size_t n)
{
    size_t big = 0;
    for (size_t s = 0; s < c->n_spec; s++)
        big = c->spec[s].size > big ? c->spec[s].size : big;
    char *tmp = malloc((n ? n : 1) * big);
    if (!tmp)
        return -1;
    for (size_t s = 0; s < c->n_spec; s++) {
        size_t z = c->spec[s].size;
        char *base = *c->spec[s].ptr;
        if (!base)
            continue;
        for (size_t k = 0; k < n; k++)
            memcpy(tmp + k * z, base + (size_t)order[k] * z, z);
        memcpy(base, tmp, n * z);
    }
    free(tmp);
    *c->n = n;
    return 0;
}

/* The source (file) rows of table t came from: the first read. */
static size_t source_of(const struct cs_dataset *ds, enum cs_table t)
{
    for (size_t i = 0; i < ds->n_sources; i++)
        if (ds->sources[i].table == t)
            return i;
    return 0;
}

/* ------------------------------------------------------------------------
 * assignments.csv: overlaps
 * --------------------------------------------------------------------- */

static int cmp_assignment(const void *a, const void *b, void *ctx)
{
    const struct cs_assignments *t = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (t->rep[i] != t->rep[j])
        return t->rep[i] < t->rep[j] ? -1 : 1;
    if (t->start[i] != t->start[j])
        return t->start[i] < t->start[j] ? -1 : 1;
    return t->line[i] < t->line[j] ? -1 : t->line[i] > t->line[j];
}

static bool overlap(const struct cs_assignments *t, uint32_t i, uint32_t j)
{
    int32_t ei = t->end[i] == CS_NO_DATE ? INT32_MAX : t->end[i];
    int32_t ej = t->end[j] == CS_NO_DATE ? INT32_MAX : t->end[j];
    return t->start[i] <= ej && t->start[j] <= ei;
}

/* Reject row i of the rep's rows order[g..e) for every other row it
 * overlaps (there is one): "on line 3", "on lines 6, 10".  0, or -1 on OOM. */
static int reject_overlap(struct loader *L, const uint32_t *order, size_t g, size_t e, uint32_t i,
                          size_t n_other)
{
    const struct cs_assignments *t = &L->ds->assignments;
    uint32_t lines[64];
    size_t n = 0;
    for (size_t k = g; k < e; k++)
        if (order[k] != i && overlap(t, i, order[k]) && n < 64)
            lines[n++] = t->line[order[k]];
    /* by line, as a reader looks them up */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && lines[b] < lines[b - 1]; b--) {
            uint32_t x = lines[b];
            lines[b] = lines[b - 1];
            lines[b - 1] = x;
        }
    char buf[REJECT_MSG];
    int len = snprintf(buf, sizeof buf, "overlaps the assignment of the same rep on line%s ",
                       n_other > 1 ? "s" : "");
    for (size_t k = 0; k < n && len > 0 && (size_t)len < sizeof buf - 16; k++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%u", k ? ", " : "", lines[k]);
    if (n_other > n && len > 0 && (size_t)len < sizeof buf - 16)
        snprintf(buf + len, sizeof buf - (size_t)len, ", ...");
    L->ds->counts[CS_T_ASSIGNMENTS].used--;
    return cs_load_reject_msg(L, CS_T_ASSIGNMENTS, source_of(L->ds, CS_T_ASSIGNMENTS), t->line[i],
                              ASSIGNMENTS_COLUMN(ASSIGNMENTS_START),
                              "overlaps the assignment of the same rep on line %s", buf);
}

/* assignments.rep_first from the rows, sorted by rep.  0, or -1 on OOM. */
static int index_reps(struct cs_dataset *ds)
{
    struct cs_assignments *a = &ds->assignments;
    size_t nr = ds->reps.n;
    if (!(a->rep_first = calloc(nr + 1, sizeof *a->rep_first)))
        return -1;
    for (size_t k = 0; k < a->n; k++)
        a->rep_first[a->rep[k] + 1]++;
    for (size_t r = 0; r < nr; r++)
        a->rep_first[r + 1] += a->rep_first[r];
    return 0;
}

/* Reject every row that overlaps another of its rep, keep the others
 * sorted by rep and start (and indexed by rep). */
static enum cs_status assignments_read(struct loader *L)
{
    struct cs_assignments *t = &L->ds->assignments;
    size_t n = t->n, kept = 0;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *keep = malloc((n ? n : 1) * sizeof *keep);
    enum cs_status st = CS_OK;
    if (!order || !keep)
        goto nomem;
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_assignment, t);
    for (size_t g = 0, e; g < n; g = e) {
        for (e = g; e < n && t->rep[order[e]] == t->rep[order[g]]; e++)
            ;
        for (size_t k = g; k < e; k++) {
            size_t others = 0;
            for (size_t m = g; m < e; m++)
                others += m != k && overlap(t, order[k], order[m]);
            if (!others)
                keep[kept++] = order[k];
            else if (reject_overlap(L, order, g, e, order[k], others) != 0)
                goto nomem;
        }
    }
    if (permute(&L->cols[CS_T_ASSIGNMENTS], keep, kept) != 0)
        goto nomem;
    if (kept && index_reps(L->ds) != 0)
        goto nomem;
    goto out;
nomem:
    st = cs_load_oom(L);
out:
    free(order);
    free(keep);
    return st;
}

/* ------------------------------------------------------------------------
 * splits.csv: the won deals whose owner holds no plan
 * --------------------------------------------------------------------- */

int cs_credit_provisional(struct loader *L, uint32_t row)
{
    if (L->n_provisional == L->cap_provisional) {
        size_t cap = L->cap_provisional ? 2 * L->cap_provisional : 16;
        uint32_t *p = realloc(L->provisional, cap * sizeof *p);
        if (!p)
            return -1;
        L->provisional = p;
        L->cap_provisional = cap;
    }
    L->provisional[L->n_provisional++] = row;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/*
 * Reject the won deals kept provisionally that no split row credits: the
 * rows of deals.csv left are moved down, splits.csv's references follow,
 * and the deals' key index is built again (nothing else refers to deals
 * yet).  Rare: only a rep without a plan on a won deal's close date.
 */
static enum cs_status drop_uncredited(struct loader *L)
{
    struct cs_dataset *ds = L->ds;
    struct cs_deals *d = &ds->deals;
    size_t np = L->n_provisional, n = d->n, kept = 0;
    bool *credited = calloc(np ? np : 1, sizeof *credited);
    uint32_t *keep = NULL, *moved = NULL;
    enum cs_status st = CS_OK;
    if (!credited)
        goto nomem;
    for (size_t j = 0; j < ds->splits.n; j++) {
        uint32_t *hit = bsearch(&ds->splits.deal[j], L->provisional, np, sizeof *hit, cmp_u32);
        if (hit)
            credited[hit - L->provisional] = true;
    }
    size_t drop = 0;
    for (size_t k = 0; k < np; k++)
        drop += !credited[k];
    if (!drop)
        goto out;
    keep = malloc((n ? n : 1) * sizeof *keep);
    moved = malloc((n ? n : 1) * sizeof *moved);
    if (!keep || !moved)
        goto nomem;
    for (size_t i = 0, k = 0; i < n; i++) {
        while (k < np && L->provisional[k] < i)
            k++;
        if (k < np && L->provisional[k] == i && !credited[k]) {
            char day[16], reason[128];
            cs_format_date(d->close[i], day);
            snprintf(reason, sizeof reason,
                     "the rep holds no plan on close_date %s and the deal has no split", day);
            ds->counts[CS_T_DEALS].used--;
            if (cs_load_reject_msg(L, CS_T_DEALS, source_of(ds, CS_T_DEALS), d->line[i], "rep_id",
                                   "the rep holds no plan on close_date %s and the deal has no "
                                   "split", reason) != 0)
                goto nomem;
            moved[i] = CS_NONE;
            continue;
        }
        moved[i] = (uint32_t)kept;
        keep[kept++] = (uint32_t)i;
    }
    if (permute(&L->cols[CS_T_DEALS], keep, kept) != 0)
        goto nomem;
    for (size_t j = 0; j < ds->splits.n; j++)
        ds->splits.deal[j] = moved[ds->splits.deal[j]];
    cs_keyindex_free(L->key[CS_T_DEALS]);
    if (!(L->key[CS_T_DEALS] = cs_keyindex_new(CS_KEY_GUESSED, ds->str, &d->id, &d->n)))
        goto nomem;
    for (size_t i = 0; i < d->n; i++)
        if (cs_keyindex_put(L->key[CS_T_DEALS], d->id[i], (uint32_t)i) != 0)
            goto nomem;
    goto out;
nomem:
    st = cs_load_oom(L);
out:
    free(credited);
    free(keep);
    free(moved);
    return st;
}

/* ------------------------------------------------------------------------
 * quotas.csv rows with a plan_id
 * --------------------------------------------------------------------- */

uint32_t cs_credit_named_quota(const struct loader *L, uint64_t key, uint32_t plan)
{
    if (!L->named_quota)
        return CS_NONE;
    for (uint32_t r = cs_keyindex_get(L->named_quota, key); r != CS_NONE; r = L->named_next[r])
        if (L->ds->quotas.plan[r] == plan)
            return r;
    return CS_NONE;
}

int cs_credit_put_named_quota(struct loader *L, uint64_t key, uint32_t row)
{
    if (!L->named_quota &&
        !(L->named_quota = cs_keyindex_new(CS_KEY_HASHED, L->ds->str, NULL, NULL)))
        return -1;
    if (row >= L->cap_named) {
        size_t cap = L->cap_named ? 2 * L->cap_named : 64;
        while (cap <= row)
            cap *= 2;
        uint32_t *p = realloc(L->named_next, cap * sizeof *p);
        if (!p)
            return -1;
        L->named_next = p;
        L->cap_named = cap;
    }
    L->named_next[row] = cs_keyindex_get(L->named_quota, key);
    return cs_keyindex_put(L->named_quota, key, row);
}

/* ------------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

enum cs_status cs_credit_after_table(struct loader *L, enum cs_table t)
{
    if (t == CS_T_ASSIGNMENTS && L->ds->assignments.n)
        return assignments_read(L);
    if (t == CS_T_SPLITS && L->n_provisional)
        return drop_uncredited(L);
    return CS_OK;
}

void cs_credit_release(struct loader *L)
{
    free(L->provisional);
    cs_keyindex_free(L->named_quota);
    free(L->named_next);
}
