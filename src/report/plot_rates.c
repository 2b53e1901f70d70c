/* plot_rates.c - per-tier and collateral: rates by category with Wilson intervals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"

/* Add a category; with fixed_axis the x slot is already in r->axis (pos),
 * else a slot is added when the category is shown. */
static void cat_push(struct cs_plot_rates *r, const char *label, size_t k, size_t n,
                     bool fixed_axis, size_t pos)
{
    r->k_total += k;
    r->n_total += n;
    if (n < r->min_n || n == 0 || r->n_cats == CS_PLOT_MAX_CATS ||
        (!fixed_axis && r->n_axis == CS_PLOT_MAX_CATS)) {
        r->omitted += n;
        return;
    }
    if (!fixed_axis) {
        pos = r->n_axis++;
        snprintf(r->axis[pos], sizeof r->axis[pos], "%s", label);
    }
    struct cs_plot_cat *c = &r->cat[r->n_cats++];
    c->pos = pos;
    snprintf(c->label, sizeof c->label, "%s", label);
    c->k = k;
    c->n = n;
    cs_wilson(k, n, &c->w, NULL);
}

struct rate_count {
    double rate;
    size_t k, n;
};

static int cmp_rate(const void *a, const void *b)
{
    double x = ((const struct rate_count *)a)->rate, y = ((const struct rate_count *)b)->rate;
    return (x > y) - (x < y);
}

enum cs_status cs_plot_tier_aggregate(const struct cs_measured *m, struct cs_plot_rates *r,
                                      struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    memset(r, 0, sizeof *r);
    r->min_n = CS_PLOT_TIER_MIN;
    /* the distinct rates are those of the plans' tiers: at most n_tiers of them */
    size_t cap = ds->plans.n_tiers ? ds->plans.n_tiers : 1, used = 0;
    struct rate_count *rc = calloc(cap, sizeof *rc);
    if (!rc)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(m->sel, inc->quarter[i]) || !isfinite(inc->marginal_rate[i]))
            continue;
        double x = inc->marginal_rate[i];
        size_t j = 0;
        while (j < used && fabs(rc[j].rate - x) > 1e-12)
            j++;
        if (j == used) {
            if (used == cap) {      /* only with plans other than ds's (a what-if) */
                struct rate_count *g = realloc(rc, 2 * cap * sizeof *rc);
                if (!g) {
                    free(rc);
                    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                }
                rc = g;
                cap *= 2;
            }
            rc[used++] = (struct rate_count){.rate = x};
        }
        rc[j].n++;
        rc[j].k += oc->promise_risk[i] != 0;
    }
    qsort(rc, used, sizeof *rc, cmp_rate);
    for (size_t j = 0; j < used; j++) {
        char label[32];
        snprintf(label, sizeof label, "%.4g%%", 100 * rc[j].rate);
        cat_push(r, label, rc[j].k, rc[j].n, false, 0);
    }
    free(rc);
    return CS_OK;
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
    /* every bin keeps its slot, so that an empty one shows as a gap */
    r->n_axis = CS_PLOT_COLLATERAL_BINS;
    for (size_t b = 0; b < CS_PLOT_COLLATERAL_BINS; b++)
        snprintf(r->axis[b], sizeof r->axis[b], "%s", labels[b]);
    for (size_t b = 0; b < CS_PLOT_COLLATERAL_BINS; b++)
        cat_push(r, labels[b], k[b], n[b], true, b);
    return CS_OK;
}

struct rates_text {
    const char *kind, *title, *xlabel, *ylabel, *point_title, *overall, *unit;
};

static void rates_script(FILE *f, const struct cs_plot_rates *r, const struct rates_text *tx,
                         const char *base)
{
    double ymax = 0;
    for (size_t i = 0; i < r->n_cats; i++)
        if (100 * r->cat[i].w.high > ymax)
            ymax = 100 * r->cat[i].w.high;
    ymax = cs_gp_pct_ceil(1.15 * ymax);
    cs_gp_begin(f, tx->kind, base);
    fprintf(f, "# category, rate in %%, 95%% Wilson interval low, high, %s, the same for reading\n"
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
    cs_gp_title(f, tx->title);
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
    if (r->n_total) {
        double all = 100.0 * (double)r->k_total / (double)r->n_total;
        fprintf(f, "set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead back "
                   "lt 3 lw 1.5 dt 2\n", all, all);
        fputs("set label 1 ", f);
        cs_gp_quotef(f, "%s: %.0f%%", tx->overall, all);
        fprintf(f, " at graph 0.99, first %.6g right offset 0,0.7 tc rgb '" GP_SLATE "' noenhanced\n", all);
    }
    {
        char note[384];
        int len = snprintf(note, sizeof note, "Bars: 95%% Wilson intervals; numbers: %s in the category.",
                           tx->unit);
        if (r->omitted && len > 0 && (size_t)len < sizeof note)
            snprintf(note + len, sizeof note - (size_t)len,
                     " Not shown: %zu in categories with fewer than %zu.", r->omitted, r->min_n);
        cs_gp_note(f, note, 5);
    }
    fputs("set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox\n", f);
    fputs("set style textbox opaque noborder margins 1,0.5\n", f);
    fputs("plot $rates using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.8 lw 2.5 title ", f);
    cs_gp_quote(f, tx->point_title);
    /* counts on a white box: the dashed overall line passes behind them */
    fputs(", \\\n     $rates using 1:4:6 with labels offset 0,0.9 boxed "
          "tc rgb '#4a5568' font ',12' notitle\n", f);
    cs_gp_end(f, base);
}

void cs_plot_tier_script(FILE *f, const struct cs_plot_rates *r, const char *base)
{
    static const struct rates_text tx = {
        .kind = "per-tier",
        .title = "Risky-promise rate by the commission rate in force when the deal closed",
        .xlabel = "marginal commission rate at the time of the deal (% of the deal's amount)",
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
