/* plot_when.c - when: bookings by day before the period end and the weekly risky share. */
#include <math.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"
#include "wording.h"

void cs_plot_when_aggregate(const struct cs_measured *m, const struct cs_analysis *an,
                            struct cs_plot_when *w)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    memset(w, 0, sizeof *w);
    w->risk = an->promise_data;
    w->pooled = m->sel->mode != CS_SELECT_QUARTER;
    w->last14_share = an->timing ? an->timing->last14_share : NAN;
    w->expected_share = an->timing ? an->timing->expected_share : NAN;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(m->sel, inc->quarter[i]))
            continue;
        int32_t d = inc->days_to_period_end[i];
        double amount = ds->deals.amount[i];
        if (d < 0 || !isfinite(amount))
            continue;
        if (d >= CS_PLOT_WHEN_DAYS) {
            /* deals on annual plans closed before the year's last quarter */
            w->beyond_deals++;
            w->beyond_bookings += amount;
            continue;
        }
        size_t wk = (size_t)d / 7;
        if (wk >= CS_PLOT_WHEN_WEEKS)
            wk = CS_PLOT_WHEN_WEEKS - 1;
        w->bookings[d] += amount;
        w->deals_week[wk]++;
        w->risky_week[wk] += oc->promise_risk[i] != 0;
        w->n_deals++;
        w->total += amount;
    }
}

void cs_plot_when_script(FILE *f, const struct cs_plot_when *w, const char *base)
{
    double max = 0, ymax2 = 0;
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++)
        if (w->bookings[d] > max)
            max = w->bookings[d];
    const char *unit;
    double div = cs_words_money_unit(max, &unit);
    cs_gp_begin(f, "when", base);
    fputs("# days before the period end, bookings closed that day (in the unit of the y label)\n"
          "$days << EOD\n", f);
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++) {
        fprintf(f, "%zu ", d);
        cs_gp_num(f, w->bookings[d] / div);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    if (w->risk) {
        fputs("# week centre (days before the end), share of deals with a risky promise in %, "
              "95% Wilson interval low, high, deals\n$weeks << EOD\n", f);
        for (size_t k = 0; k < CS_PLOT_WHEN_WEEKS; k++) {
            if (w->deals_week[k] < CS_PLOT_WHEN_MIN_WEEK)
                continue;
            struct cs_wilson wi;
            cs_wilson(w->risky_week[k], w->deals_week[k], &wi, NULL);
            double first = 7.0 * (double)k;
            double last = k + 1 == CS_PLOT_WHEN_WEEKS ? CS_PLOT_WHEN_DAYS - 1 : first + 6;
            cs_gp_num(f, 0.5 * (first + last));
            fputc(' ', f);
            cs_gp_num(f, 100 * wi.rate);
            fputc(' ', f);
            cs_gp_num(f, 100 * wi.low);
            fputc(' ', f);
            cs_gp_num(f, 100 * wi.high);
            fprintf(f, " %zu\n", w->deals_week[k]);
            if (100 * wi.high > ymax2)
                ymax2 = 100 * wi.high;
        }
        fputs("EOD\n", f);
    }
    char title[256];
    if (isfinite(w->last14_share) && isfinite(w->expected_share))
        snprintf(title, sizeof title,
                 "%.0f%% of bookings closed in the last 14 days of the period "
                 "(an even pace would give %.0f%%)",
                 100 * w->last14_share, 100 * w->expected_share);
    else
        snprintf(title, sizeof title, "Bookings by day before the end of the plan period");
    cs_gp_title(f, title);
    cs_gp_set_text(f, "xlabel", "days before the end of the plan period (0 = its last day)");
    {
        char yl[96];
        snprintf(yl, sizeof yl, "bookings closed that day (%s%s)", unit,
                 w->pooled ? ", all periods added up" : "");
        cs_gp_set_text(f, "ylabel", yl);
    }
    fprintf(f, "set xrange [%g:-0.5]\n", CS_PLOT_WHEN_DAYS - 0.5);
    fprintf(f, "set yrange [0:%g]\n", cs_gp_nice_ceil(1.15 * max / div));
    fputs("set xtics 0, 7 out nomirror\n", f);
    fputs("set style fill solid 0.85 noborder\n", f);
    fputs("set boxwidth 0.8\n", f);
    /* the last 14 days (days_to_period_end < 14), where end-of-period pressure shows */
    fputs("set object 1 rectangle from first 13.5, graph 0 to first -0.5, graph 1 behind "
          "fc rgb '" GP_SHADE "' fs solid 1.0 noborder\n", f);
    fputs("set label 1 'last 14 days' at first 7, graph 0.97 center tc rgb '#4a5568' noenhanced\n", f);
    if (w->risk) {
        cs_gp_set_text(f, "y2label", "deals with a risky promise (per week, 95% interval)");
        fprintf(f, "set y2range [0:%g]\n", cs_gp_pct_ceil(1.1 * ymax2));
        fputs("set y2tics out nomirror\n", f);
        fputs("set format y2 '%.0f%%'\n", f);
        fputs("set ytics nomirror\n", f);
    }
    {
        char note[384];
        char deals[32];
        int len = snprintf(note, sizeof note, "%s deals, plan periods aligned on their last day.",
                           cs_fmt_count(deals, sizeof deals, w->n_deals));
        if (w->beyond_deals && len > 0 && (size_t)len < sizeof note) {
            double total = w->total + w->beyond_bookings;
            snprintf(note + len, sizeof note - (size_t)len,
                     " Not shown: %s deals of annual plans closed more than 13 weeks before "
                     "year end (%.0f%% of bookings).",
                     cs_fmt_count(deals, sizeof deals, w->beyond_deals),
                     total > 0 ? 100 * w->beyond_bookings / total : 0.0);
        }
        cs_gp_note(f, note, 5);
    }
    fputs("set key at graph 0.01, graph 0.99 top left\n", f);
    fprintf(f, "plot $days using 1:2 with boxes lt 1 title 'bookings per day%s'",
            w->risk ? " (left axis)" : "");
    if (w->risk)
        fputs(", \\\n     $weeks using 1:2:3:4 axes x1y2 with yerrorbars lt 2 pt 7 ps 1.6 "
              "title 'share of deals with a risky promise, weekly (right axis)', \\\n"
              "     $weeks using 1:2 axes x1y2 with lines lt 2 lw 2 notitle", f);
    fputc('\n', f);
    cs_gp_end(f, base);
}
