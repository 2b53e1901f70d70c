/* plot_trend.c - trend (--period all): the risky-deal rate and end-of-period bookings by quarter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"

enum cs_status cs_plot_trend_aggregate(const struct cs_measured *m, const struct cs_analysis *an,
                                       struct cs_plot_trend *t, struct cs_error *err)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    memset(t, 0, sizeof *t);
    t->risk = an->promise_data;
    if (an->n_quarters == 0)
        return CS_OK;
    t->q = calloc(an->n_quarters, sizeof *t->q);
    if (!t->q)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    t->n = an->n_quarters;
    for (size_t j = 0; j < t->n; j++) {
        const struct cs_quarter_count *q = &an->quarters[j];
        t->q[j].quarter = q->quarter;
        t->q[j].won = q->won;
        t->q[j].risky = q->risky;
        t->q[j].thin = q->thin;
        cs_wilson(q->risky, q->won, &t->q[j].w, NULL);
    }
    /* the quarters that hold won deals, in order: found by bisection */
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || inc->quarter[i] == CS_NO_PERIOD)
            continue;
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->q[mid].quarter < inc->quarter[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == t->n || t->q[lo].quarter != inc->quarter[i])
            continue;
        size_t idx = lo;
        double amount = ds->deals.amount[i];
        t->annual |= inc->period[i] % 10 == 0;   /* a year code */
        t->q[idx].bookings += amount;
        if (inc->last_14_days[i] == 1)
            t->q[idx].last14_bookings += amount;
    }
    for (size_t j = 0; j < t->n; j++)
        t->q[j].last14_share = t->q[j].bookings > 0 ? t->q[j].last14_bookings / t->q[j].bookings : NAN;
    return CS_OK;
}

void cs_plot_trend_free(struct cs_plot_trend *t)
{
    if (!t)
        return;
    free(t->q);
    t->q = NULL;
    t->n = 0;
}

void cs_plot_trend_script(FILE *f, const struct cs_plot_trend *t, const char *base)
{
    double ymax = 0;
    size_t thin = 0;
    for (size_t j = 0; j < t->n; j++) {
        if (t->risk && 100 * t->q[j].w.high > ymax)
            ymax = 100 * t->q[j].w.high;
        if (100 * t->q[j].last14_share > ymax)
            ymax = 100 * t->q[j].last14_share;
        thin += t->q[j].thin;
    }
    cs_gp_begin(f, "trend", base);
    fputs("# quarter, risky-deal rate in %, 95% Wilson low, high, "
          "share of bookings in the last 14 days in %, won deals\n$q << EOD\n", f);
    for (size_t j = 0; j < t->n; j++) {
        const struct cs_plot_trend_q *q = &t->q[j];
        fprintf(f, "%zu ", j);
        cs_gp_num(f, t->risk ? 100 * q->w.rate : NAN);
        fputc(' ', f);
        cs_gp_num(f, t->risk ? 100 * q->w.low : NAN);
        fputc(' ', f);
        cs_gp_num(f, t->risk ? 100 * q->w.high : NAN);
        fputc(' ', f);
        cs_gp_num(f, 100 * q->last14_share);
        fprintf(f, " %zu\n", q->won);
    }
    fputs("EOD\n", f);
    cs_gp_title(f, t->title ? t->title
                            : t->risk ? "Risky-deal rate and end-of-period bookings, quarter by quarter"
                                      : "End-of-period bookings, quarter by quarter");
    cs_gp_set_text(f, "xlabel", "fiscal quarter in which the deal closed");
    cs_gp_set_text(f, "ylabel", "% of the quarter's won deals or bookings");
    fprintf(f, "set xrange [-0.5:%g]\n", (double)t->n - 0.5);
    fprintf(f, "set yrange [0:%g]\n", cs_gp_pct_ceil(1.3 * ymax));
    fputs("set format y '%.0f%%'\n", f);
    /* every quarter labelled while they fit; beyond 16, every other one */
    size_t every = t->n > 16 ? (t->n + 15) / 16 : 1;
    fputs("set xtics (", f);
    bool first = true;
    for (size_t j = 0; j < t->n; j += every) {
        char label[16];
        cs_format_period(t->q[j].quarter, label);
        fputs(first ? "" : ", ", f);
        first = false;
        cs_gp_quote_tic(f, label);
        fprintf(f, " %zu", j);
    }
    fputs(") noenhanced\n", f);
    /* every quarter's won deals along the top, n = 0 included */
    fprintf(f, "set x2range [-0.5:%g]\n", (double)t->n - 0.5);
    fputs("set x2tics (", f);
    first = true;
    for (size_t j = 0; j < t->n; j += every) {
        char n[32];
        fputs(first ? "" : ", ", f);
        first = false;
        cs_gp_quotef_tic(f, "n = %s", cs_fmt_count(n, sizeof n, t->q[j].won));
        fprintf(f, " %zu", j);
    }
    fputs(") scale 0 font ',10' textcolor rgb '#4a5568' noenhanced\n", f);
    {
        char note[384];
        int len = snprintf(note, sizeof note, "Bars: 95%% Wilson intervals; n: won deals in the quarter.");
        if (thin && len > 0 && (size_t)len < sizeof note)
            len += snprintf(note + len, sizeof note - (size_t)len,
                            " %zu quarter%s with fewer than half the usual deals: read %s with care.",
                            thin, thin == 1 ? "" : "s", thin == 1 ? "it" : "them");
        if (t->annual && len > 0 && (size_t)len < sizeof note)
            snprintf(note + len, sizeof note - (size_t)len,
                     " Annual plans end with the fiscal year: their last 14 days fall in its last quarter.");
        cs_gp_note(f, note, 5);
    }
    fputs("set key top left\n", f);
    fputs("plot ", f);
    if (t->risk)
        fputs("$q using 1:2:3:4 with yerrorlines lt 2 pt 7 ps 1.6 "
              "title 'deals with a risky promise (95% interval)', \\\n     ", f);
    fputs("$q using 1:5 with linespoints lt 1 pt 5 ps 1.4 "
          "title 'bookings closed in the last 14 days of the plan period'\n", f);
    cs_gp_end(f, base);
}
