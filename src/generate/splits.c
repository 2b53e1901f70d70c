/* splits.c - real comp plans (SPEC 13): split deals, the credit rows they give other reps, splits.csv. */
#include <stdlib.h>

#include "gen.h"

/*
 * With --splits about SPLIT_SHARE of deals are credited to two or three
 * reps (split_patterns).  The reps are simulated one at a time, so a
 * deal's partners are always reps simulated later: one of the next
 * SPLIT_REACH AEs of the owner's segment or, SPLIT_CROSS of the time, an
 * AE of the next segment (Enterprise with Mid-Market, Mid-Market with SMB),
 * which puts the deal across two plans.  When the owner settles the deal,
 * each partner receives a credit row; when the partner's turn comes, its
 * credit rows take their place among its own deals in SPEC 5 order, count
 * toward its attainment and are paid.  Only credits for reps still to come
 * are held, so memory stays with the split deals in flight.
 */

double credit_fraction(const struct gen *g, int plan, int type)
{
    return g->s13 && g->s13->credit ? plan_credit[plan][type] : 1.0;
}

/* A partner for the owner at AE index ae: a later AE, nearby in its own
 * segment or at the same relative place in the next one; not the AE
 * "taken".  UINT32_MAX when there is none. */
static uint32_t pick_partner(struct gen *g, size_t ae, size_t taken)
{
    struct s13 *s = g->s13;
    int seg = g->reps[s->ae_rep[ae]].seg;
    size_t lo, hi;
    if (seg + 1 < N_SEGS && unif(s->split_rng) < SPLIT_CROSS) {
        size_t n0 = s->seg_ae[seg + 1] - s->seg_ae[seg];
        size_t n1 = s->seg_ae[seg + 2] - s->seg_ae[seg + 1];
        lo = s->seg_ae[seg + 1] + (ae - s->seg_ae[seg]) * n1 / n0;
        hi = lo + SPLIT_REACH < s->seg_ae[seg + 2] ? lo + SPLIT_REACH : s->seg_ae[seg + 2];
    } else {
        lo = ae + 1;
        hi = ae + 1 + SPLIT_REACH < s->seg_ae[seg + 1] ? ae + 1 + SPLIT_REACH : s->seg_ae[seg + 1];
    }
    size_t n = 0;
    for (size_t a = lo; a < hi; a++)
        n += a != taken;
    if (n == 0)
        return UINT32_MAX;
    size_t k = (size_t)unif_int(s->split_rng, (int32_t)n);
    for (size_t a = lo; a < hi; a++)
        if (a != taken && k-- == 0)
            return s->ae_rep[a];
    return UINT32_MAX;
}

void s13_mark_splits(struct gen *g, size_t rep_index, struct dbuf *b)
{
    struct s13 *s = g->s13;
    if (!s->splits)
        return;
    size_t ae = g->reps[rep_index].ae;
    for (size_t i = 0; i < b->n; i++) {
        struct gdeal *d = &b->d[i];
        d->split = 0;
        if (unif(s->split_rng) >= SPLIT_SHARE)
            continue;
        double u = unif(s->split_rng), acc = 0;
        int k = 0;
        while (k + 1 < N_SPLIT_PATTERNS && u >= (acc += split_patterns[k].p))
            k++;
        uint32_t a = pick_partner(g, ae, SIZE_MAX);
        if (a == UINT32_MAX)
            continue;
        d->partner[0] = a;
        if (split_patterns[k].n == 3) {
            d->partner[1] = pick_partner(g, ae, g->reps[a].ae);
            if (d->partner[1] == UINT32_MAX)
                k = 0;                   /* no third rep: halves */
        }
        d->split = (uint8_t)(k + 1);
    }
}

/* Partner j of a split deal gets its share only if it holds a plan on the
 * deal's close date (the hire, before the hire date, does not). */
static bool partner_counts(const struct gen *g, const struct gdeal *d, int j)
{
    return s13_plan_on(g, d->partner[j], d->close) >= 0;
}

double s13_own_share(const struct gen *g, const struct gdeal *d)
{
    if (!d->split)
        return 1.0;
    const struct split_pattern *sp = &split_patterns[d->split - 1];
    double share = sp->share[0];
    for (int j = 0; j + 1 < sp->n; j++)
        if (!partner_counts(g, d, j))
            share += sp->share[j + 1];
    return share;
}

static bool push_credit(struct credit_vec *v, const struct gcredit *c)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct gcredit *p = realloc(v->v, cap * sizeof *p);
        if (!p)
            return false;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = *c;
    return true;
}

void s13_split_settled(struct gen *g, size_t rep_index, const struct gdeal *d)
{
    struct s13 *s = g->s13;
    const struct split_pattern *sp = &split_patterns[d->split - 1];
    double own = s13_own_share(g, d);
    if (own >= 1.0)
        return;                          /* no partner holds a plan: not split */
    char did[48], rid[32];
    fmt_id(did, 'D', d->num, g->deal_w);
    rep_id(g, rep_index, rid, sizeof rid);
    row_begin(&g->row);
    row_str(&g->row, did);
    row_str(&g->row, rid);
    row_fixed(&g->row, own, 2);
    row_end(g, F_SPLITS);
    for (int j = 0; j + 1 < sp->n; j++) {
        if (!partner_counts(g, d, j))
            continue;
        rep_id(g, d->partner[j], rid, sizeof rid);
        row_begin(&g->row);
        row_str(&g->row, did);
        row_str(&g->row, rid);
        row_fixed(&g->row, sp->share[j + 1], 2);
        row_end(g, F_SPLITS);
        struct gcredit c = {d->num, d->close, d->cents, sp->share[j + 1], d->type};
        if (!push_credit(&s->incoming[d->partner[j]], &c) && !g->write_status)
            g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
}

/* ===================================================================== */
/* A rep's incoming credits                                              */
/* ===================================================================== */

static int cmp_credit(const void *a, const void *b)
{
    const struct gcredit *x = a, *y = b;
    if (x->close != y->close)
        return x->close < y->close ? -1 : 1;
    return x->num < y->num ? -1 : x->num > y->num;
}

void s13_rep_begin(struct gen *g, size_t rep_index)
{
    struct credit_vec *v = &g->s13->incoming[rep_index];
    if (v->n > 1)
        qsort(v->v, v->n, sizeof *v->v, cmp_credit);
    v->next = 0;
}

void s13_rep_end(struct gen *g, size_t rep_index)
{
    struct credit_vec *v = &g->s13->incoming[rep_index];
    free(v->v);
    memset(v, 0, sizeof *v);
}

const struct gcredit *s13_unit_credits(struct gen *g, size_t rep_index, const struct unit *un,
                                       size_t *n)
{
    struct credit_vec *v = &g->s13->incoming[rep_index];
    size_t first = v->next;
    while (!un->pipeline && v->next < v->n && v->v[v->next].close <= un->hi)
        v->next++;
    *n = v->next - first;
    return v->v ? v->v + first : NULL;
}

double s13_unit_credited(const struct gen *g, size_t rep_index, const struct unit *un)
{
    const struct credit_vec *v = &g->s13->incoming[rep_index];
    double sum = 0;
    for (size_t k = v->next; k < v->n && v->v[k].close <= un->hi; k++)
        sum += (double)v->v[k].cents / 100.0 * v->v[k].share *
               credit_fraction(g, un->plan, v->v[k].type);
    return sum;
}

/* ===================================================================== */
/* --dirty                                                               */
/* ===================================================================== */

/* Rows that must be rejected and change nothing: two overlapping
 * assignments of the first sales manager (who sells nothing), a split with
 * a share above 1 on the lost deal that --dirty also duplicates, and a
 * split of a deal that does not exist. */
void s13_dirty_rows(struct gen *g)
{
    char line[256], id[32], d0[11], d1[11], d2[11];
    if (g->s13->assignments && g->reps[0].kind == K_MANAGER) {
        rep_id(g, 0, id, sizeof id);
        fmt_date(g->window_start, d0);
        fmt_date(g->window_start + 199, d1);
        fmt_date(g->window_start + 100, d2);
        snprintf(line, sizeof line, "%s,%s,%s,%s,", id, plan_defs[PLAN_ENT].id, d0, d1);
        raw_line(g, F_ASSIGNMENTS, line);
        snprintf(line, sizeof line, "%s,%s,%s,,", id, plan_defs[PLAN_ENT].id, d2);
        raw_line(g, F_ASSIGNMENTS, line);
    }
    if (g->s13->splits && g->dirty_dup_found && g->n_aes) {
        rep_id(g, g->s13->ae_rep[0], id, sizeof id);
        snprintf(line, sizeof line, "%s,%s,1.50", g->dirty_dup_id, id);
        raw_line(g, F_SPLITS, line);
        char did[48];
        fmt_id(did, 'D', g->n_deals + 9, g->deal_w);
        snprintf(line, sizeof line, "%s,%s,0.50", did, id);
        raw_line(g, F_SPLITS, line);
    }
}
