/* promises.c - the promises reps make on deals: off-roadmap, premature and safe ones (SPEC 6). */
#include "gen.h"

/* A roadmap item whose status is status_a or status_b, uniformly. */
int pick_feature(gsl_rng *r, int status_a, int status_b)
{
    int idx[N_FEATURES], n = 0;
    for (int i = 0; i < N_FEATURES; i++)
        if (features[i].status == status_a || features[i].status == status_b)
            idx[n++] = i;
    return idx[unif_int(r, n)];
}

struct promise_ctx {
    const struct gdeal *deal;
    char deal_id[48];
};

static void write_promise(struct gen *g, const struct promise_ctx *pc, const char *feature,
                          int32_t due, const char *text)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t end = d->close != NO_DATE ? d->close : g->export_day - 1;
    int32_t promised = d->created + unif_int(r, end - d->created + 1);
    /* Dirty: the first promise with a roadmap item gets a multi-line text
     * with a comma (valid), followed by a promise for a deal that does not
     * exist (rejected). */
    bool multiline = g->opt->dirty && !g->dirty_multiline_done && feature[0];
    row_begin(&g->row);
    row_id(&g->row, 'P', ++g->next_promise, g->prom_w);
    row_str(&g->row, pc->deal_id);
    row_str(&g->row, feature);
    row_date(&g->row, promised);
    row_date(&g->row, due);
    row_str(&g->row, multiline ? "Customer asked for:\nSSO, SCIM and audit logs" : text);
    row_end(g, F_PROMISES);
    if (multiline) {
        g->dirty_multiline_done = true;
        char bad[160], pid[48], date[11];
        /* An id beyond any generated one, so that the valid rows keep
         * the ids they have without --dirty. */
        snprintf(pid, sizeof pid, "P%0*llu", g->prom_w, (unsigned long long)(3 * g->n_deals + 99));
        fmt_date(promised, date);
        snprintf(bad, sizeof bad, "%s,D%0*llu,FR-101,%s,,Promised on a deal missing from deals.csv",
                 pid, g->deal_w, (unsigned long long)(g->n_deals + 50), date);
        raw_line(g, F_PROMISES, bad);
    }
}

/* One off-roadmap or premature promise (SPEC 6). */
static void risky_promise(struct gen *g, const struct promise_ctx *pc)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t base = d->close != NO_DATE ? d->close : g->export_day;
    char fid[16], text[160];
    double u = unif(r);
    int32_t due = unif(r) < 0.25 ? NO_DATE : base + 30 + unif_int(r, 271);

    if (u >= 0.66) {
        /* Premature: a planned/committed item promised before its target. */
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++) {
            int32_t t = feature_date(g, features[i].target);
            if ((features[i].status == RM_PLANNED || features[i].status == RM_COMMITTED) &&
                t != NO_DATE && t > base + 21)
                idx[n++] = i;
        }
        if (n > 0) {
            int f = idx[unif_int(r, n)];
            int32_t t = feature_date(g, features[f].target);
            int32_t pdue = base + 14 + unif_int(r, t - 1 - (base + 14) + 1);
            feature_id(f, fid, sizeof fid);
            write_promise(g, pc, fid, pdue, unif(r) < 0.5 ? features[f].title : "");
            return;
        }
        u = 0.0;                     /* nothing left to be early for */
    }
    if (u < 0.30) {
        int f = pick_feature(r, RM_EXPLORING, RM_NOT_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_promise(g, pc, fid, due, unif(r) < 0.6 ? features[f].title : "");
    } else if (u < 0.60) {
        size_t a = pick_cdf(r, g->ask_cdf, N_ASKS);
        ask_variant(r, asks[a], text, sizeof text);
        write_promise(g, pc, "", due, text);
    } else {
        const char *uf = unknown_features[unif_int(r, (int32_t)N_UNKNOWN_FEATURES)];
        size_t a = pick_cdf(r, g->ask_cdf, N_ASKS);
        write_promise(g, pc, uf, due, asks[a]);
    }
}

/* One on-roadmap promise: shipped, or planned/committed no earlier than its
 * target (or with no target to be early for). */
static void safe_promise(struct gen *g, const struct promise_ctx *pc)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t base = d->close != NO_DATE ? d->close : g->export_day;
    char fid[16];
    int f;
    int32_t due;
    if (unif(r) < 0.6) {
        f = pick_feature(r, RM_SHIPPED, RM_SHIPPED);
        due = unif(r) < 0.5 ? NO_DATE : base + unif_int(r, 46);
    } else {
        f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        int32_t t = feature_date(g, features[f].target);
        if (t == NO_DATE)
            due = base + 30 + unif_int(r, 171);
        else
            due = unif(r) < 0.4 ? NO_DATE : (t > base ? t : base) + unif_int(r, 121);
    }
    feature_id(f, fid, sizeof fid);
    write_promise(g, pc, fid, due, unif(r) < 0.5 ? features[f].title : "");
}

void deal_promises(struct gen *g, const struct gdeal *d, bool risky, const char *deal_id)
{
    gsl_rng *r = g->sales_rng;
    struct promise_ctx pc = {.deal = d};
    snprintf(pc.deal_id, sizeof pc.deal_id, "%s", deal_id);
    int n_risky = 0, n_safe = 0;
    if (risky) {
        /* one draw per statement: the order of two calls in one
         * expression is up to the compiler, and gcc and clang differ */
        n_risky = 1 + (unif(r) < 0.25);
        n_risky += unif(r) < 0.06;
        n_safe = unif(r) < 0.25;
    } else if (unif(r) < 0.35) {
        n_safe = unif(r) < 0.3 ? 2 : 1;
    }
    for (int i = 0; i < n_risky; i++)
        risky_promise(g, &pc);
    for (int i = 0; i < n_safe; i++)
        safe_promise(g, &pc);
}
