/* plot_when.c - when: bookings by day before the period end and the weekly risky share. */
#include <math.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"
#include "wording.h"

/* Plan periods longer than this are not drawn at an even pace (a year has
 * 366 days at most). */
#define WHEN_MAX_LEN 400

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
    /* bookings by period length L, for the even pace: amount / L a day */
    double by_len[WHEN_MAX_LEN + 1] = {0};
    double q_tail = 0, y_tail = 0;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(m->sel, inc->quarter[i]))
            continue;
        int32_t d = inc->days_to_period_end[i], L = inc->period_days[i];
        double amount = ds->deals.amount[i];
        if (d < 0 || !isfinite(amount))
            continue;
        if (L >= 1 && L <= WHEN_MAX_LEN) {
            double tail = amount * (L < 14 ? L : 14) / (double)L;
            by_len[L] += amount;
            if (inc->period[i] % 10 == 0) {   /* a year code */
                w->year_bookings += amount;
                y_tail += tail;
            } else {
                w->quarter_bookings += amount;
                q_tail += tail;
            }
        }
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
    for (int32_t L = 1; L <= WHEN_MAX_LEN; L++)
        for (int32_t d = 0; d < L && d < CS_PLOT_WHEN_DAYS && by_len[L] > 0; d++)
            w->even[d] += by_len[L] / (double)L;
    w->quarter_even = w->quarter_bookings > 0 ? q_tail / w->quarter_bookings : NAN;
    w->year_even = w->year_bookings > 0 ? y_tail / w->year_bookings : NAN;
}

/* The note: what the plot rests on, and why an even pace is not 14/91 of
 * bookings when annual plans weigh in. */
static void when_note(FILE *f, const struct cs_plot_when *w)
{
    char note[640], deals[32], a[16], b[16], c[16];
    size_t len = 0;
#define NOTE(...)                                                                          \
    do {                                                                                   \
        int k_ = snprintf(note + len, sizeof note - len, __VA_ARGS__);                      \
        if (k_ > 0)                                                                        \
            len = len + (size_t)k_ < sizeof note ? len + (size_t)k_ : sizeof note - 1;       \
    } while (0)
    NOTE("%s deals, plan periods aligned on their last day.",
         cs_fmt_count(deals, sizeof deals, w->n_deals));
    double all = w->quarter_bookings + w->year_bookings;
    bool q = w->quarter_bookings > 0, y = w->year_bookings > 0;
    if (all > 0 && q && y)
        NOTE(" Dashed: an even pace (each deal's amount spread over its plan period) puts %s of "
             "bookings in the last 14 days, not 14/91 = %s, as annual plans (%s of bookings) "
             "spread theirs over 365 days.",
             cs_words_pct(a, sizeof a, (w->quarter_even * w->quarter_bookings +
                                              w->year_even * w->year_bookings) / all),
             cs_words_pct(b, sizeof b, w->quarter_even),
             cs_words_pct(c, sizeof c, w->year_bookings / all));
    else if (all > 0)
        NOTE(" Dashed: an even pace (each deal's amount spread over its plan period) puts %s of "
             "bookings in the last 14 days (14 of %s days).",
             cs_words_pct(a, sizeof a, q ? w->quarter_even : w->year_even),
             q ? "about 91" : "365");
    if (w->risk)
        NOTE(" n: won deals in the week (fewer than %d: no share drawn).", CS_PLOT_WHEN_MIN_WEEK);
    if (w->beyond_deals) {
        double total = w->total + w->beyond_bookings;
        NOTE(" Not shown: %s deals of annual plans closed more than 13 weeks before year end "
             "(%.0f%% of bookings).", cs_fmt_count(deals, sizeof deals, w->beyond_deals),
             total > 0 ? 100 * w->beyond_bookings / total : 0.0);
    }
#undef NOTE
    cs_gp_note(f, note, 5);
}

void cs_plot_when_script(FILE *f, const struct cs_plot_when *w, const char *base)
{
    double max = 0, ymax2 = 0;
    bool points = false;      /* some week has a risky-share point */
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++)
        max = fmax(max, fmax(w->bookings[d], w->even[d]));
    const char *unit;
    double div = cs_words_money_unit(max, &unit);
    cs_gp_begin(f, "when", base);
    fputs("# days before the period end, bookings closed that day, the same at an even pace "
          "(in the unit of the y label)\n$days << EOD\n", f);
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++) {
        fprintf(f, "%zu ", d);
        cs_gp_num(f, w->bookings[d] / div);
        fputc(' ', f);
        cs_gp_num(f, w->even[d] / div);
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
            points = true;
        }
        fputs("EOD\n", f);
    }
    cs_gp_title(f, w->title ? w->title : "Bookings by day before the end of the plan period");
    cs_gp_set_text(f, "xlabel", "days before the end of the plan period (0 = its last day)");
    {
        char yl[128];
        if (w->currency && div == 1.0)
            snprintf(yl, sizeof yl, "bookings closed that day (%s%s)", w->currency,
                     w->pooled ? ", all periods added up" : "");
        else
            snprintf(yl, sizeof yl, "bookings closed that day (%s%s%s%s)", unit,
                     w->currency ? " of " : "", w->currency ? w->currency : "",
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
        /* every week's deal count along the top, an empty week's n = 0 too */
        fprintf(f, "set x2range [%g:-0.5]\n", CS_PLOT_WHEN_DAYS - 0.5);
        fputs("set x2tics (", f);
        for (size_t k = 0; k < CS_PLOT_WHEN_WEEKS; k++) {
            char n[32];
            double first = 7.0 * (double)k;
            double last = k + 1 == CS_PLOT_WHEN_WEEKS ? CS_PLOT_WHEN_DAYS - 1 : first + 6;
            cs_gp_quotef_tic(f, "n = %s", cs_fmt_count(n, sizeof n, w->deals_week[k]));
            fprintf(f, " %g%s", 0.5 * (first + last), k + 1 < CS_PLOT_WHEN_WEEKS ? ", " : "");
        }
        fputs(") scale 0 font ',10' textcolor rgb '#4a5568' noenhanced\n", f);
    }
    if (points) {
        cs_gp_set_text(f, "y2label", "deals with a risky promise (per week, 95% interval)");
        fprintf(f, "set y2range [0:%g]\n", cs_gp_pct_ceil(1.1 * ymax2));
        fputs("set y2tics out nomirror\n", f);
        fputs("set format y2 '%.0f%%'\n", f);
        fputs("set ytics nomirror\n", f);
    }
    when_note(f, w);
    fputs("set key at graph 0.01, graph 0.99 top left\n", f);
    fprintf(f, "plot $days using 1:2 with boxes lt 1 title 'bookings per day%s', \\\n"
               "     $days using 1:3 with lines lt 3 lw 2 dt 2 title 'at an even pace'",
            points ? " (left axis)" : "");
    if (points)
        fputs(", \\\n     $weeks using 1:2:3:4 axes x1y2 with yerrorbars lt 2 pt 7 ps 1.6 "
              "title 'share of deals with a risky promise, weekly (right axis)', \\\n"
              "     $weeks using 1:2 axes x1y2 with lines lt 2 lw 2 notitle", f);
    fputc('\n', f);
    cs_gp_end(f, base);
}
