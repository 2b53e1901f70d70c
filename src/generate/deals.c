/* deals.c - the sales simulation: each AE's deals unit by unit, pull-ins, measures, commissions. */
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "gen.h"

/* ===================================================================== */
/* Sales: natural deals, pull-ins, incentive measures                    */
/* ===================================================================== */

static struct gdeal *dbuf_push(struct gen *g, struct dbuf *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct gdeal *d = realloc(b->d, cap * sizeof *d);
        if (!d) {
            if (!g->write_status)
                g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL,
                                               "out of memory");
            return NULL;
        }
        b->d = d;
        b->cap = cap;
    }
    struct gdeal *d = &b->d[b->n++];
    memset(d, 0, sizeof *d);
    return d;
}

static int cmp_created(const void *a, const void *b)
{
    const struct gdeal *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_num(const void *a, const void *b)
{
    const struct gdeal *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num;
}

/* SPEC 5 order: close_date, then deal_id byte order.  Ids have a fixed
 * width and prefix, so byte order is numeric order. */
static int cmp_close_idx(const void *a, const void *b, void *base)
{
    const struct gdeal *x = &((const struct gdeal *)base)[*(const uint32_t *)a];
    const struct gdeal *y = &((const struct gdeal *)base)[*(const uint32_t *)b];
    if (x->close != y->close)
        return x->close < y->close ? -1 : 1;
    return x->num < y->num ? -1 : x->num > y->num;
}

/* A rep's number of plan periods. */
int rep_unit_count(const struct gen *g, size_t rep_index)
{
    if (s13_has_history(g, rep_index))
        return g->s13->unit_n[rep_index];
    return plan_defs[segs[g->reps[rep_index].seg].plan].annual ? N_QUARTERS / 4 : N_QUARTERS;
}

/* Unit u of a rep: a whole period of its plan, or after the last one the
 * open pipeline; a rep with a history (--assignments) has its own list. */
static struct unit unit_of(const struct gen *g, size_t rep_index, int u)
{
    if (s13_has_history(g, rep_index))
        return s13_unit(g, rep_index, u);
    const struct rep *p = &g->reps[rep_index];
    struct unit un;
    memset(&un, 0, sizeof un);
    un.plan = segs[p->seg].plan;
    un.seg = p->seg;
    bool annual = plan_defs[un.plan].annual;
    int units = annual ? N_QUARTERS / 4 : N_QUARTERS;
    if (u >= units) {
        un.pipeline = true;
        un.q_first = un.q_last = N_QUARTERS;
        un.start = un.lo = g->qstart[N_QUARTERS];
        un.end = un.hi = g->qstart[N_QUARTERS + 1] - 1;
        return un;
    }
    un.q_first = annual ? 4 * u : u;
    un.q_last = annual ? 4 * u + 3 : u;
    un.start = un.lo = g->qstart[un.q_first];
    un.end = un.hi = g->qstart[un.q_last + 1] - 1;
    un.quota = p->quota[u];
    if (annual)
        snprintf(un.label, sizeof un.label, "%d", FIRST_FY + u);
    else
        quarter_label(u, un.label, sizeof un.label);
    return un;
}

static int pick_product(struct gen *g, int32_t close)
{
    double w[N_PRODUCTS];
    for (int i = 0; i < N_PRODUCTS; i++)
        w[i] = products[i].weight;
    /* Reps push the spiffed product while the spiff runs. */
    if (g->effects)
        for (int s = 0; s < N_SPIFFS; s++)
            if (close >= g->spiff_start[s] && close <= g->spiff_end[s])
                w[spiff_defs[s].product] *= SPIFF_PRODUCT_BOOST;
    double cdf[N_PRODUCTS], acc = 0;
    for (int i = 0; i < N_PRODUCTS; i++)
        cdf[i] = acc += w[i];
    return (int)pick_cdf(g->sales_rng, cdf, N_PRODUCTS);
}

/* The deals of one unit as they would close with no pull-in.  The deal
 * parameters are those of the unit's plan's segment, the accounts those of
 * the rep's own territory. */
static void natural_deals(struct gen *g, size_t rep_index, const struct unit *un,
                          struct dbuf *b)
{
    gsl_rng *r = g->sales_rng;
    const struct rep *p = &g->reps[rep_index];
    const struct segment *sg = &segs[un->seg];
    uint32_t territory = segs[p->seg].territory;
    b->n = 0;
    uint32_t seq = 0;
    for (int q = un->q_first; q <= un->q_last; q++) {
        unsigned count = g->alloc[p->ae * N_SLOTS + (size_t)q];
        int32_t qs = g->qstart[q], qlen = g->qstart[q + 1] - qs;
        if (s13_has_history(g, rep_index))
            s13_quarter_part(g, rep_index, un, q, &count, &qs, &qlen);
        for (unsigned k = 0; k < count; k++) {
            struct gdeal *d = dbuf_push(g, b);
            if (!d)
                return;
            d->seq = seq++;
            double u = unif(r);
            if (g->n_cust == 0 || u < 0.55) {
                d->type = 0;
                /* A prospect: an account of the territory that is not a
                 * customer yet (a few tries; re-pitching one is realistic). */
                uint32_t a = (uint32_t)unif_int(r, (int32_t)territory);
                for (int t = 0; t < 4 && g->is_cust[a]; t++)
                    a = (uint32_t)unif_int(r, (int32_t)territory);
                d->account = a;
            } else {
                d->type = u < 0.80 ? 1 : 2;
                d->account = g->cust[unif_int(r, (int32_t)g->n_cust)];
            }
            d->close = qs + unif_int(r, qlen);
            double cycle = gsl_ran_lognormal(r, log(sg->cycle_median), sg->cycle_sigma);
            /* created strictly before close: at least a day of sales cycle */
            d->created = d->close - (int32_t)fmax(1.0, fmin(cycle, 720.0));
            d->product = (uint8_t)pick_product(g, d->close);
            double amt = gsl_ran_lognormal(r, log(sg->amt_median), sg->amt_sigma) *
                         type_mult[d->type];
            if (amt < 500.0)
                amt = 500.0;
            /* Mostly whole dollars, as quotes are written; some with cents. */
            d->cents = unif(r) < 0.8 ? llround(amt) * 100 : llround(amt * 100.0);
            d->disc10 = -1;
            if (un->pipeline) {
                d->stage = ST_OPEN;
                if (d->created >= g->export_day)
                    d->created = g->export_day - 1 - unif_int(r, 30);
                if (unif(r) < 0.15)
                    d->close = NO_DATE;
                if (unif(r) < 0.10)
                    d->cents = -1;
                continue;
            }
            double s = unif(r);
            if (s < sg->p_win) {
                d->stage = ST_WON;
                /* Effect 1: slipped to the end of the plan period (not
                 * past the rep's last day on the plan). */
                if (g->effects && unif(r) < EOQ_SHARE) {
                    int32_t c = un->end - unif_int(r, EOQ_DAYS);
                    if (c > d->close && c <= un->hi)
                        d->close = c;
                }
            } else if (s < sg->p_win + 0.025) {
                d->stage = ST_OPEN;          /* stale: never closed out */
                if (unif(r) < 0.5)
                    d->close = NO_DATE;
            } else {
                d->stage = ST_LOST;
                double z = unif(r);
                if (z < 0.15)
                    d->cents = -1;
                else if (z < 0.30)
                    d->cents = 0;
            }
        }
    }
    /* Deal numbers follow creation, as a CRM assigns them.  (A rep of a
     * thin set may have no deal yet: b->d is then NULL, which qsort may
     * not be given even with nothing to sort.) */
    if (b->n > 1)
        qsort(b->d, b->n, sizeof *b->d, cmp_created);
    for (size_t i = 0; i < b->n; i++)
        b->d[i].num = ++g->next_deal;
}

/* A deal's credited amount in a unit (SPEC 13): the owner's share of it,
 * times the plan's credit fraction for its type.  For a deal of the next
 * unit that a pull-in would move, the share is the one at its old close
 * date: it differs only if a partner is hired in between. */
static double credited(const struct gen *g, const struct unit *un, const struct gdeal *d)
{
    return (double)d->cents / 100.0 * s13_own_share(g, d) * credit_fraction(g, un->plan, d->type);
}

/*
 * Effect 2.  A rep who ends the period just short of the 1.0 floor pulls in
 * the smallest deal of the next unit (or of the open pipeline) that gets
 * them over it, and closes it in the last PULL_DAYS days.  The deal moves,
 * so the next period loses it: excess mass above 1.0, missing mass below.
 */
static void pull_in(struct gen *g, size_t rep_index, const struct unit *un, struct dbuf *cur,
                    const struct unit *next, struct dbuf *nxt)
{
    /* Only at the end of the plan period: a rep who leaves the plan
     * earlier has no period end to reach. */
    if (!g->effects || un->pipeline || un->hi != un->end)
        return;
    int64_t won = 0;
    double booked = 0;               /* with section 13: the credited amount */
    for (size_t i = 0; i < cur->n; i++)
        if (cur->d[i].stage == ST_WON) {
            won += cur->d[i].cents;
            if (g->s13)
                booked += credited(g, un, &cur->d[i]);
        }
    if (g->s13)
        booked += s13_unit_credited(g, rep_index, un);
    double a = g->s13 ? booked / un->quota : (double)won / 100.0 / un->quota;
    if (a < PULL_LO || a >= PULL_FLOOR)
        return;
    double p = a >= PULL_MID ? PULL_P_NEAR : PULL_P_FAR;
    if (unif(g->sales_rng) >= p)
        return;
    /* One cent of margin so that the floating-point attainment is >= 1. */
    int64_t need = (int64_t)ceil((PULL_FLOOR * un->quota - (double)won / 100.0) * 100.0) + 1;
    double need_credit = PULL_FLOOR * un->quota - booked + 0.01;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < nxt->n; i++) {
        const struct gdeal *d = &nxt->d[i];
        /* Next period's wins, or, after the last period, the open pipeline. */
        bool enough = g->s13 ? credited(g, un, d) >= need_credit : d->cents >= need;
        bool candidate = (next->pipeline ? d->stage == ST_OPEN && d->close != NO_DATE
                                         : d->stage == ST_WON) &&
                         enough && d->created < un->end - PULL_DAYS;
        if (candidate && (best == SIZE_MAX || d->cents < nxt->d[best].cents))
            best = i;
    }
    if (best == SIZE_MAX)
        return;
    struct gdeal moved = nxt->d[best];
    nxt->d[best] = nxt->d[--nxt->n];
    moved.stage = ST_WON;
    moved.pulled = true;
    moved.close = un->end - unif_int(g->sales_rng, PULL_DAYS);
    struct gdeal *d = dbuf_push(g, cur);
    if (d)
        *d = moved;
}

/* Commission of SPEC 5: Q x sum_k rate_k x |[a0, a1] n tier_k|. */
static double tier_commission(const struct plan_def *pd, double q, double a0, double a1)
{
    double c = 0;
    for (int k = 0; k < pd->n_tiers; k++) {
        double lo = pd->floor[k], hi = k + 1 < pd->n_tiers ? pd->floor[k + 1] : INFINITY;
        double l = fmax(a0, lo), h = fmin(a1, hi);
        if (h > l)
            c += pd->rate[k] * (h - l);
    }
    return q * c;
}

static double draw_discount(struct gen *g, const struct gdeal *d, bool l14)
{
    double mu = DISC_B0;
    if (g->effects) {
        double amt = d->cents > 0 ? (double)d->cents / 100.0 : 10000.0;
        mu += DISC_B_LOGAMT * log(amt / 10000.0) + DISC_B_L14 * (l14 ? 1 : 0) +
              (d->type == 2 ? DISC_B_RENEWAL : 0.0);
    }
    double v = mu + gsl_ran_gaussian(g->sales_rng, DISC_SD);
    return v < 0 ? 0 : v > 60 ? 60 : v;
}

/* ===================================================================== */
/* Settling a unit: measures, discounts, promises, commissions, rows     */
/* ===================================================================== */

/* Room for n deals in the unit scratch arrays; false (and g->write_status) when out of memory. */
static bool unit_scratch(struct gen *g, size_t n)
{
    if (n <= g->won_cap)
        return true;
    uint32_t *w = realloc(g->won_idx, n * sizeof *w);
    if (w)
        g->won_idx = w;
    uint8_t *rk = realloc(g->risky, n);
    if (rk)
        g->risky = rk;
    if (!w || !rk) {
        g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        return false;
    }
    g->won_cap = n;
    return true;
}

/* Commission statement line of a won deal, ~1% manually adjusted. */
static void commission_line(struct gen *g, const char *rid, uint64_t deal_num,
                            const struct unit *un, int64_t paid)
{
    gsl_rng *r = g->sales_rng;
    if (unif(r) < ADJUST_SHARE) {
        if (paid < 100)
            paid += 5000 + unif_int(r, 20001);
        else if (unif(r) < 0.5)
            paid = llround((double)paid * (1.05 + 0.25 * unif(r)));
        else
            paid = llround((double)paid * (0.70 + 0.25 * unif(r)));
    }
    row_begin(&g->row);
    row_str(&g->row, rid);
    row_id(&g->row, 'D', deal_num, g->deal_w);
    row_str(&g->row, un->label);
    row_money(&g->row, paid);
    row_end(g, F_COMMISSIONS);
}

/* A credit row from another rep's split deal, settled in this rep's unit
 * (SPEC 13): it counts toward the attainment and is paid; the deal's
 * behaviour is its owner's. */
static void settle_credit(struct gen *g, const char *rid, const struct unit *un,
                          const struct gcredit *c, double *cum)
{
    const struct plan_def *pd = plan_def(un->plan);
    double amount = (double)c->cents / 100.0 * c->share * credit_fraction(g, un->plan, c->type);
    double a0 = *cum / un->quota, a1 = a0 + amount / un->quota;
    *cum += amount;
    commission_line(g, rid, c->num, un, llround(tier_commission(pd, un->quota, a0, a1) * 100.0));
}

/* SPEC 5 order between a credit row and a deal: close_date, then deal_id. */
static bool credit_first(const struct gcredit *c, const struct gdeal *d)
{
    return c->close != d->close ? c->close < d->close : c->num < d->num;
}

/*
 * Won deals in SPEC 5 order (g->won_idx, nw of them): the incentive
 * measures, then the discount, the promise risk and the commission line
 * each deal's measures imply.  With --splits the credit rows other reps'
 * deals give this rep in this unit take their place in the same order, and
 * a split deal counts its owner's share only; with --credit-by-type the
 * plan's credit fraction of the deal's type counts.  The behaviour uses the
 * whole amount (log_amount), as SPEC 13 does.
 */
static void settle_won(struct gen *g, const char *rid, size_t rep_index, const struct rep *p,
                       const struct unit *un, struct dbuf *b, size_t nw)
{
    gsl_rng *r = g->sales_rng;
    const struct plan_def *pd = plan_def(un->plan);
    uint8_t *risky = g->risky;
    size_t nc = 0, c = 0;
    const struct gcredit *cr = g->s13 ? s13_unit_credits(g, rep_index, un, &nc) : NULL;
    double cum = 0;
    for (size_t k = 0; k < nw || c < nc;) {
        if (c < nc && (k == nw || credit_first(&cr[c], &b->d[g->won_idx[k]]))) {
            settle_credit(g, rid, un, &cr[c++], &cum);
            continue;
        }
        struct gdeal *d = &b->d[g->won_idx[k++]];
        double amount = (double)d->cents / 100.0;
        double booked = g->s13 ? credited(g, un, d) : amount;
        double a0 = cum / un->quota, a1 = a0 + booked / un->quota;
        cum += booked;
        double mr = pd->rate[0];
        bool tc = false;
        for (int t = 0; t < pd->n_tiers; t++) {
            if (pd->floor[t] <= a0)
                mr = pd->rate[t];
            if (pd->floor[t] > 0 && a0 < pd->floor[t] && pd->floor[t] <= a1)
                tc = true;
        }
        bool l14 = un->end - d->close < EOQ_DAYS;
        bool spiff = false;
        for (int s = 0; s < N_SPIFFS; s++)
            if (d->product == spiff_defs[s].product && d->close >= g->spiff_start[s] &&
                d->close <= g->spiff_end[s])
                spiff = true;
        double disc = draw_discount(g, d, l14);
        d->disc10 = unif(r) < 0.03 ? -1 : (int32_t)llround(disc * 10.0);

        double lp = g->effects
            ? RISK_B0 + RISK_B_RATE * mr + RISK_B_CROSS * tc + RISK_B_L14 * l14 +
              RISK_B_LOGAMT * log(amount / 10000.0) + RISK_B_SPIFF * spiff + p->risk_u
            : logit(RISK_NULL_P);
        double pr = logistic(lp);
        /* The planted effect of the plan change (docs/GENERATOR.md): a
         * mover's risk is the model's - D/2 on the old plan, + D/2 on the
         * new one, so the change is D and the two years average out. */
        if (g->s13 && g->s13->mover && g->s13->mover[rep_index]) {
            double e = g->s13->change_effect;
            pr = fmin(1.0, fmax(0.0, pr + (un->plan == PLAN_MM_NEW ? e / 2 : -e / 2)));
        }
        risky[g->won_idx[k - 1]] = unif(r) < pr;

        commission_line(g, rid, d->num, un, llround(tier_commission(pd, un->quota, a0, a1) * 100.0));
        if (g->s13 && d->split)
            s13_split_settled(g, rep_index, d);
    }
}

/* Lost and open deals: discounts and promise risk at constant rates. */
static void settle_others(struct gen *g, struct dbuf *b)
{
    gsl_rng *r = g->sales_rng;
    for (size_t i = 0; i < b->n; i++) {
        struct gdeal *d = &b->d[i];
        if (d->stage == ST_WON)
            continue;
        double disc = draw_discount(g, d, false);
        double blank = d->stage == ST_LOST ? 0.4 : 0.7;
        d->disc10 = unif(r) < blank ? -1 : (int32_t)llround(disc * 10.0);
        g->risky[i] = unif(r) < (d->stage == ST_LOST ? RISK_LOST_P : RISK_OPEN_P);
    }
}

/* One row of deals.csv (--dirty: the first big won deal's amount as "$12,345.67"). */
static void deal_row(struct gen *g, const char *did, const char *rid, const struct gdeal *d)
{
    char acct[96];
    row_begin(&g->row);
    row_str(&g->row, did);
    row_str(&g->row, rid);
    account_name(g->acct_base + d->account, acct, sizeof acct);
    row_str(&g->row, acct);
    row_str(&g->row, type_name[d->type]);
    row_str(&g->row, products[d->product].name);
    if (d->cents < 0) {
        row_blank(&g->row);
    } else if (g->opt->dirty && !g->dirty_currency_done && d->stage == ST_WON &&
               d->cents >= 100000) {
        char money[48];
        fmt_currency(d->cents, money, sizeof money);
        row_str(&g->row, money);
        g->dirty_currency_done = true;
    } else {
        row_money(&g->row, d->cents);
    }
    if (d->disc10 < 0)
        row_blank(&g->row);
    else
        row_scaled(&g->row, d->disc10, 1);
    row_date(&g->row, d->created);
    row_date(&g->row, d->close);
    row_str(&g->row, stage_name[d->stage]);
    row_end(g, F_DEALS);
}

/* Promises, then the deal rows, both in deal-number order; new customers. */
static void write_deals(struct gen *g, const char *rid, struct dbuf *b)
{
    char did[48];
    bool any_promise = false;
    for (size_t i = 0; i < b->n; i++) {
        struct gdeal *d = &b->d[i];
        fmt_id(did, 'D', d->num, g->deal_w);
        uint64_t before = g->next_promise;
        deal_promises(g, d, g->risky[i], did);
        any_promise = g->next_promise != before;
        deal_row(g, did, rid, d);

        if (g->opt->dirty && !g->dirty_dup_found && d->stage == ST_LOST && !any_promise) {
            snprintf(g->dirty_dup_id, sizeof g->dirty_dup_id, "%s", did);
            g->dirty_dup_found = true;
        }
        /* Customers are made by won new deals (in time order, near enough). */
        if (d->stage == ST_WON && d->type == 0 && !g->is_cust[d->account]) {
            g->is_cust[d->account] = 1;
            g->cust[g->n_cust++] = d->account;
        }
    }
}

/* Settle a unit: measures, discounts, promises, commissions, rows. */
static void finalize_unit(struct gen *g, size_t rep_index, const struct unit *un,
                          struct dbuf *b)
{
    const struct rep *p = &g->reps[rep_index];
    char rid[32];
    rep_id(g, rep_index, rid, sizeof rid);

    if (b->n > 1)
        qsort(b->d, b->n, sizeof *b->d, cmp_num);
    if (!unit_scratch(g, b->n))
        return;
    if (b->n)
        memset(g->risky, 0, b->n);
    size_t nw = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->d[i].stage == ST_WON)
            g->won_idx[nw++] = (uint32_t)i;
    if (nw > 1)
        qsort_r(g->won_idx, nw, sizeof *g->won_idx, cmp_close_idx, b->d);

    settle_won(g, rid, rep_index, p, un, b, nw);
    settle_others(g, b);
    write_deals(g, rid, b);
}

/* Dirty deal rows, written once after the rep that owns the duplicated id. */
static void dirty_deals(struct gen *g, size_t rep_index)
{
    char rid[32], line[256], id[48];
    rep_id(g, rep_index, rid, sizeof rid);
    uint64_t n = g->n_deals;
    int w = g->deal_w;
#define DIRTY(fmt, ...) do { snprintf(line, sizeof line, fmt, __VA_ARGS__); \
        raw_line(g, F_DEALS, line); } while (0)
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 1));
    DIRTY("%s,%s,Summit Foods,new,Analytics,12abc,5.0,2025-03-01,2025-03-20,won", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 2));
    DIRTY("%s,%s,Summit Foods,new,Analytics,8200.00,5.0,2026-01-15,2026-02-30,won", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 3));
    DIRTY("%s,%s,Summit Foods,new,Analytics,8200.00,5.0,2025-04-01,2025-05-02,pending", id, rid);
    DIRTY("%s,%s,Cedar Labs,new,Connectors,9100.00,4.0,2025-02-01,2025-03-03,lost",
          g->dirty_dup_id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 4));
    DIRTY("%s,%s,Orion Dental,new,Mobile,4300.00,-5,2025-05-01,2025-06-10,lost", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 5));
    DIRTY("%s,%s,Caf\xe9 Royal,new,Core Platform,7700.00,3.0,2025-06-01,2025-07-15,lost", id, rid);
#undef DIRTY
    g->dirty_deals_done = true;
}

void simulate_sales(struct gen *g)
{
    uint32_t max_terr = 0;
    for (int s = 0; s < N_SEGS; s++)
        if (segs[s].territory > max_terr)
            max_terr = segs[s].territory;
    g->is_cust = calloc(max_terr, 1);
    g->cust = calloc(max_terr, sizeof *g->cust);
    if (!g->is_cust || !g->cust) {
        g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        return;
    }
    g->acct_base = 0;
    for (size_t i = 0; i < g->n_reps && !g->write_status; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        const struct segment *sg = &segs[p->seg];
        memset(g->is_cust, 0, max_terr);
        g->n_cust = 0;
        if (g->s13)
            s13_rep_begin(g, i);
        int units = rep_unit_count(g, i);
        struct unit un = unit_of(g, i, 0);
        natural_deals(g, i, &un, &g->cur);
        if (g->s13)
            s13_mark_splits(g, i, &g->cur);
        for (int u = 0; u < units && !g->write_status; u++) {
            struct unit next = unit_of(g, i, u + 1);
            natural_deals(g, i, &next, &g->nxt);
            if (g->s13)
                s13_mark_splits(g, i, &g->nxt);
            pull_in(g, i, &un, &g->cur, &next, &g->nxt);
            finalize_unit(g, i, &un, &g->cur);
            struct dbuf t = g->cur;
            g->cur = g->nxt;
            g->nxt = t;
            un = next;
        }
        finalize_unit(g, i, &un, &g->cur);    /* the open pipeline */
        if (g->s13)
            s13_rep_end(g, i);
        g->acct_base += sg->territory;
        if (g->opt->dirty && g->dirty_dup_found && !g->dirty_deals_done)
            dirty_deals(g, i);
    }
}
