/* plot_rates.c - per-tier and collateral: rates by category with Wilson intervals. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/groups.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"

/* A slot on the x axis for a category of k events of n: a point when n
 * reaches r->min_n, else only its n.  Past CS_PLOT_MAX_CATS slots the
 * observations are counted as omitted; returns whether the slot exists. */
static bool slot_push(struct cs_plot_rates *r, const char *label, size_t k, size_t n)
{
    r->k_total += k;
    r->n_total += n;
    if (r->n_axis == CS_PLOT_MAX_CATS) {
        r->omitted += n;
        return false;
    }
    size_t pos = r->n_axis++;
    snprintf(r->axis[pos], sizeof r->axis[pos], "%s", label);
    r->axis_n[pos] = n;
    if (n < r->min_n || n == 0) {
        r->omitted += n;
        return true;
    }
    struct cs_plot_cat *c = &r->cat[r->n_cats++];
    c->pos = pos;
    snprintf(c->label, sizeof c->label, "%s", label);
    c->k = k;
    c->n = n;
    cs_wilson(k, n, &c->w, NULL);
    return true;
}

struct rate_count {
    uint32_t plan;
    uint32_t tier;            /* the plan's first tier paying this rate; UINT32_MAX: none */
    double rate;
    size_t k, n;
};

/* By plan, then in the order of the plan's tiers (a cap paying 0% above
 * the top floor comes last, not first), then by rate. */
static int cmp_plan_tier(const void *a, const void *b)
{
    const struct rate_count *x = a, *y = b;
    if (x->plan != y->plan)
        return (x->plan > y->plan) - (x->plan < y->plan);
    if (x->tier != y->tier)
        return (x->tier > y->tier) - (x->tier < y->tier);
    return (x->rate > y->rate) - (x->rate < y->rate);
}

/* The plan's first tier whose rate is x, or UINT32_MAX. */
static uint32_t tier_of(const struct cs_plans *p, uint32_t plan, double x)
{
    if (plan >= p->n)
        return UINT32_MAX;
    for (uint32_t t = 0; t < p->tier_count[plan]; t++)
        if (fabs(p->rate[p->tier_first[plan] + t] - x) <= 1e-12)
            return t;
    return UINT32_MAX;
}

/* The (plan, rate) pairs of the won deals of m->sel, sorted by plan and
 * tier; *used of them (NULL when out of memory).  A deal's pair is looked
 * for among its plan's pairs only (a chain per plan, in the order they
 * appeared, as a scan of all pairs found them), so the cost grows with the
 * deals and the plans, not with their product. */
static struct rate_count *tier_counts(const struct cs_measured *m, size_t *used)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    const size_t np = ds->plans.n;
    /* the distinct rates are those of the plans' tiers: about n_tiers pairs */
    size_t cap = ds->plans.n_tiers ? ds->plans.n_tiers : 1;
    struct rate_count *rc = calloc(cap, sizeof *rc);
    uint32_t *next = malloc(cap * sizeof *next);
    uint32_t *head = malloc((np ? np : 1) * sizeof *head), *tail = malloc((np ? np : 1) * sizeof *tail);
    *used = 0;
    if (!rc || !next || !head || !tail)
        goto nomem;
    for (size_t p = 0; p < np; p++)
        head[p] = tail[p] = UINT32_MAX;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(m->sel, inc->quarter[i]) ||
            !isfinite(inc->marginal_rate[i]) || inc->rep_period[i] == CS_NONE)
            continue;
        uint32_t plan = inc->rp.plan[inc->rep_period[i]];
        double x = inc->marginal_rate[i];
        if (plan >= np)
            continue;
        uint32_t j = head[plan];
        while (j != UINT32_MAX && fabs(rc[j].rate - x) > 1e-12)
            j = next[j];
        if (j == UINT32_MAX) {
            if (*used == cap) {      /* only with plans other than ds's (a what-if) */
                struct rate_count *g = realloc(rc, 2 * cap * sizeof *rc);
                rc = g ? g : rc;
                uint32_t *gn = g ? realloc(next, 2 * cap * sizeof *next) : NULL;
                if (!gn)
                    goto nomem;
                next = gn;
                cap *= 2;
            }
            j = (uint32_t)(*used)++;
            rc[j] = (struct rate_count){.plan = plan, .rate = x, .tier = tier_of(&ds->plans, plan, x)};
            next[j] = UINT32_MAX;
            if (tail[plan] == UINT32_MAX)
                head[plan] = j;
            else
                next[tail[plan]] = j;
            tail[plan] = j;
        }
        rc[j].n++;
        rc[j].k += oc->promise_risk[i] != 0;
    }
    free(next);
    free(head);
    free(tail);
    qsort(rc, *used, sizeof *rc, cmp_plan_tier);
    return rc;
nomem:
    free(rc);
    free(next);
    free(head);
    free(tail);
    *used = 0;
    return NULL;
}

enum cs_status cs_plot_tier_aggregate(const struct cs_measured *m, struct cs_plot_rates *r,
                                      struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    memset(r, 0, sizeof *r);
    r->min_n = CS_PLOT_TIER_MIN;
    size_t used = 0;
    struct cs_disclosure *disc = NULL;
    enum cs_status st = cs_disclosure_compute(m, &disc, err);
    if (st != CS_OK)
        return st;
    struct rate_count *rc = tier_counts(m, &used);
    if (!rc) {
        cs_disclosure_free(disc);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t j = 0; j < used;) {
        size_t end = j;
        while (end < used && rc[end].plan == rc[j].plan)
            end++;
        /* a panel per plan, a gap slot before every one but the first; a
         * plan of fewer than CS_MIN_GROUP_REPS reps has none: its rates
         * would be its reps' own (groups.h), its deals count as omitted */
        bool small = rc[j].plan < ds->plans.n && disc->plan_shown[rc[j].plan] != CS_SHOWN;
        bool room = !small && r->n_groups < CS_PLOT_MAX_GROUPS &&
                    r->n_axis + (r->n_groups ? 1 : 0) < CS_PLOT_MAX_CATS;
        struct cs_plot_group *g = room ? &r->group[r->n_groups] : NULL;
        if (g && r->n_groups)
            r->gap[r->n_axis++] = true;
        if (g) {
            g->name = cs_ds_str(ds, ds->plans.id[rc[j].plan]);
            g->first = r->n_axis;
        }
        for (; j < end; j++) {
            char label[32];
            snprintf(label, sizeof label, "%.4g%%", 100 * rc[j].rate);
            if (!g) {
                r->k_total += rc[j].k;
                r->n_total += rc[j].n;
                r->omitted += rc[j].n;
            } else if (slot_push(r, label, rc[j].k, rc[j].n)) {
                g->k += rc[j].k;
                g->n += rc[j].n;
            }
        }
        if (g && r->n_axis > g->first) {
            g->last = r->n_axis - 1;
            r->n_groups++;
        }
    }
    free(rc);
    cs_disclosure_free(disc);
    return CS_OK;
}

size_t cs_plot_tier_comparable(const struct cs_plot_rates *r)
{
    size_t plans = 0;
    for (size_t g = 0; g < r->n_groups; g++) {
        size_t shown = 0;
        for (size_t i = 0; i < r->n_cats; i++)
            shown += r->cat[i].pos >= r->group[g].first && r->cat[i].pos <= r->group[g].last;
        plans += shown >= 2;
    }
    return plans;
}

enum cs_status cs_plot_collateral_aggregate(const struct cs_measured *m, struct cs_plot_rates *r,
                                            struct cs_error *err)
{
    const struct cs_outcomes *oc = m->oc;
    (void)err;
    static const char *const labels[CS_PLOT_COLLATERAL_BINS] = {
        "below 0 (ahead)", "0-10%", "10-20%", "20-30%", "30-40%", "40-50%", "50% or more"};
    size_t k[CS_PLOT_COLLATERAL_BINS] = {0}, n[CS_PLOT_COLLATERAL_BINS] = {0};
    memset(r, 0, sizeof *r);
    r->min_n = CS_PLOT_COLLATERAL_MIN;
    for (size_t a = 0; a < oc->n_assets; a++) {
        double g = oc->target_gap[a];
        if (!oc->asset_claims[a] || !isfinite(g) || !cs_selected(m->sel, oc->asset_quarter[a]))
            continue;
        size_t b;
        if (g < 0)
            b = 0;
        else if (g >= 0.5 - 1e-12)
            b = CS_PLOT_COLLATERAL_BINS - 1;
        else
            b = 1 + (size_t)floor(g * 10 + 1e-9);
        n[b]++;
        k[b] += oc->asset_misstated[a] != 0;
    }
    /* every bin keeps its slot, so that an empty one shows its n = 0 */
    for (size_t b = 0; b < CS_PLOT_COLLATERAL_BINS; b++)
        slot_push(r, labels[b], k[b], n[b]);
    return CS_OK;
}

struct rates_text {
    const char *kind, *title, *xlabel, *ylabel, *point_title, *overall, *unit;
};

/* The data: the points with their intervals and n, and the n of the
 * slots without a point (n = 0 for an empty bin).  Returns the top of
 * the y axis. */
static double rates_data(FILE *f, const struct cs_plot_rates *r, const struct rates_text *tx)
{
    double ymax = 0;
    for (size_t i = 0; i < r->n_cats; i++)
        ymax = fmax(ymax, 100 * r->cat[i].w.high);
    for (size_t g = 0; g < r->n_groups; g++)
        if (r->group[g].n)
            ymax = fmax(ymax, 100.0 * (double)r->group[g].k / (double)r->group[g].n);
    /* panels: room at the top for the plans' names */
    ymax = cs_gp_pct_ceil((r->n_groups ? 1.3 : 1.15) * ymax);
    fprintf(f, "# slot, rate in %%, 95%% Wilson interval low, high, %s, the same for reading\n"
               "$rates << EOD\n", tx->unit);
    for (size_t i = 0; i < r->n_cats; i++) {
        const struct cs_plot_cat *c = &r->cat[i];
        fprintf(f, "%zu ", c->pos);
        cs_gp_num(f, 100 * c->w.rate);
        fputc(' ', f);
        cs_gp_num(f, 100 * c->w.low);
        fputc(' ', f);
        cs_gp_num(f, 100 * c->w.high);
        char count[32];
        fprintf(f, " %zu %s\n", c->n, cs_fmt_count(count, sizeof count, c->n));
    }
    fputs("EOD\n", f);
    fprintf(f, "# slot, %s of the slots too thin for a point\n$few << EOD\n", tx->unit);
    for (size_t pos = 0; pos < r->n_axis; pos++) {
        bool shown = false;
        for (size_t i = 0; i < r->n_cats; i++)
            shown |= r->cat[i].pos == pos;
        if (!shown && !r->gap[pos])
            fprintf(f, "%zu %zu\n", pos, r->axis_n[pos]);
    }
    fputs("EOD\n", f);
    return ymax;
}

/* Per tier: each plan's name over its panel, its rate over all its deals
 * dashed across it, and a thin line between panels. */
static void rates_groups(FILE *f, const struct cs_plot_rates *r)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct cs_plot_group *gr = &r->group[g];
        double x0 = (double)gr->first - 0.4, x1 = (double)gr->last + 0.4;
        fprintf(f, "set label %zu ", 10 + g);
        cs_gp_quote(f, gr->name);
        fprintf(f, " at first %g, graph 0.97 center front font ',14' tc rgb '" GP_SLATE
                   "' noenhanced\n", 0.5 * ((double)gr->first + (double)gr->last));
        if (gr->n) {
            double all = 100.0 * (double)gr->k / (double)gr->n;
            fprintf(f, "set arrow %zu from first %g, first %.6g to first %g, first %.6g nohead back "
                       "lt 3 lw 1.5 dt 2\n", 10 + g, x0, all, x1, all);
            fprintf(f, "set label %zu ", 30 + g);
            cs_gp_quotef(f, "%.0f%%", all);
            fprintf(f, " at first %g, first %.6g right offset 0,0.7 font ',11' tc rgb '" GP_SLATE
                       "' noenhanced\n", x1, all);
        }
        if (g + 1 < r->n_groups)
            fprintf(f, "set arrow %zu from first %g, graph 0 to first %g, graph 1 nohead back "
                       "lc rgb '#cbd5e0' lw 1\n", 30 + g, (double)gr->last + 1, (double)gr->last + 1);
    }
}

static void rates_script(FILE *f, const struct cs_plot_rates *r, const struct rates_text *tx,
                         const char *base)
{
    cs_gp_begin(f, tx->kind, base);
    double ymax = rates_data(f, r, tx);
    cs_gp_title(f, r->title ? r->title : tx->title);
    cs_gp_set_text(f, "xlabel", tx->xlabel);
    cs_gp_set_text(f, "ylabel", tx->ylabel);
    fprintf(f, "set xrange [-0.6:%g]\n", (double)r->n_axis - 0.4);
    fprintf(f, "set yrange [0:%g]\n", ymax);
    fputs("set format y '%.0f%%'\n", f);
    fputs("set xtics (", f);
    for (size_t i = 0; i < r->n_axis; i++) {
        cs_gp_quote_tic(f, r->axis[i]);
        fprintf(f, " %zu%s", i, i + 1 < r->n_axis ? ", " : "");
    }
    fputs(") scale 0 noenhanced\n", f);
    if (r->n_groups) {
        rates_groups(f, r);
    } else if (r->n_total) {
        double all = 100.0 * (double)r->k_total / (double)r->n_total;
        fprintf(f, "set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead back "
                   "lt 3 lw 1.5 dt 2\n", all, all);
        fputs("set label 1 ", f);
        cs_gp_quotef(f, "%s: %.0f%%", tx->overall, all);
        fprintf(f, " at graph 0.99, first %.6g right offset 0,0.7 tc rgb '" GP_SLATE "' noenhanced\n", all);
    }
    {
        char note[512];
        int len = snprintf(note, sizeof note,
                           "Points: %s; bars: 95%% Wilson intervals; n: %s in the category "
                           "(fewer than %zu: no point).%s", tx->point_title, tx->unit, r->min_n,
                           r->n_groups ? " Dashed: each plan's share over all its deals." : "");
        size_t thin = 0;      /* in slots that show only their n; the rest is off the axis */
        for (size_t pos = 0; pos < r->n_axis; pos++)
            thin += !r->gap[pos] && r->axis_n[pos] < r->min_n ? r->axis_n[pos] : 0;
        size_t cut = r->omitted > thin ? r->omitted - thin : 0;
        if (cut && len > 0 && (size_t)len < sizeof note)
            snprintf(note + len, sizeof note - (size_t)len, " Not shown: %zu in further categories.",
                     cut);
        cs_gp_note(f, note, 5);
    }
    /* no key: the title is a sentence that needs the width; the note says what the points are */
    fputs("unset key\n", f);
    fputs("set style textbox opaque noborder margins 1,0.5\n", f);
    fputs("plot $rates using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.8 lw 2.5 notitle", f);
    /* n on a white box: the dashed lines pass behind them */
    fputs(", \\\n     $rates using 1:4:(sprintf('n = %s', strcol(6))) with labels offset 0,0.9 "
          "boxed tc rgb '#4a5568' font ',12' notitle", f);
    size_t few = 0;
    for (size_t pos = 0; pos < r->n_axis; pos++)
        few += !r->gap[pos];
    if (few > r->n_cats)
        fputs(", \\\n     $few using 1:(0):(sprintf('n = %d', $2)) with labels offset 0,0.9 "
              "boxed tc rgb '#718096' font ',12' notitle", f);
    fputc('\n', f);
    cs_gp_end(f, base);
}

void cs_plot_tier_script(FILE *f, const struct cs_plot_rates *r, const char *base)
{
    static const struct rates_text tx = {
        .kind = "per-tier",
        .title = "Risky-promise rate by the commission rate in force, plan by plan",
        .xlabel = "marginal commission rate at the time of the deal (% of the deal's amount), "
                  "by plan, tiers in order",
        .ylabel = "deals with a risky promise",
        .point_title = "share of deals with an off-roadmap or premature promise",
        .overall = "all deals",
        .unit = "deals",
    };
    rates_script(f, r, &tx, base);
}

void cs_plot_collateral_script(FILE *f, const struct cs_plot_rates *r, const char *base)
{
    static const struct rates_text tx = {
        .kind = "collateral",
        .title = "Misstated collateral by marketing target pressure when it was published",
        .xlabel = "marketing target not yet reached in the quarter (target gap)",
        .ylabel = "assets with a misstated claim",
        .point_title = "share of assets claiming what the roadmap does not support",
        .overall = "all assets",
        .unit = "assets",
    };
    rates_script(f, r, &tx, base);
}
