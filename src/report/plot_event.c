/* plot_event.c - plan-change: the event study of the last plan change (SPEC 14.3), with its difference-in-differences and the backtest's prediction. */
#include <math.h>
#include <string.h>

#include "compsight/plot.h"
#include "gpscript.h"

bool cs_plot_event_aggregate(const struct cs_plan_change *c, struct cs_plot_event *e)
{
    memset(e, 0, sizeof *e);
    if (!c || !c->run || !c->estimated)
        return false;
    for (int k = 0; k < CS_PLOT_EVENTS; k++) {
        const struct cs_pc_event *ev = &c->event[k];
        cs_format_period(ev->code, e->label[k]);
        e->estimated[k] = ev->baseline || ev->estimated;
        e->estimate[k] = 100 * ev->estimate;
        e->low[k] = 100 * ev->ci_low;
        e->high[k] = 100 * ev->ci_high;
        e->treated_deals[k] = ev->treated_deals;
    }
    e->did = 100 * c->did.estimate;
    e->did_low = 100 * c->did.ci_low;
    e->did_high = 100 * c->did.ci_high;
    e->did_level = c->did.level;
    e->predicted = c->predicted.done ? 100 * c->predicted.estimate : NAN;
    e->pred_low = c->predicted.done ? 100 * c->predicted.ci_low : NAN;
    e->pred_high = c->predicted.done ? 100 * c->predicted.ci_high : NAN;
    e->treated_reps = c->treated_reps;
    e->control_reps = c->control_reps;
    return true;
}

/* The y range: every interval, the DiD's and the prediction's, and 0. */
static void y_range(const struct cs_plot_event *e, double *lo, double *hi)
{
    double a = 0, b = 0;
    for (int k = 0; k < CS_PLOT_EVENTS; k++)
        if (e->estimated[k] && isfinite(e->low[k]) && isfinite(e->high[k])) {
            a = fmin(a, e->low[k]);
            b = fmax(b, e->high[k]);
        }
    const double more[] = {e->did_low, e->did_high, e->pred_low, e->pred_high};
    for (size_t k = 0; k < 4; k++)
        if (isfinite(more[k])) {
            a = fmin(a, more[k]);
            b = fmax(b, more[k]);
        }
    double pad = 0.12 * (b - a > 0 ? b - a : 1);
    *lo = -cs_gp_nice_ceil(-(a - pad));
    *hi = cs_gp_nice_ceil(b + pad);
    if (a - pad >= 0)
        *lo = 0;
}

void cs_plot_event_script(FILE *f, const struct cs_plot_event *e, const char *base)
{
    double lo, hi;
    y_range(e, &lo, &hi);
    cs_gp_begin(f, "plan-change", base);
    fputs("# event quarter, estimate (points), 95% low, high, treated deals; baseline row apart\n"
          "$ev << EOD\n", f);
    for (int k = 0; k < CS_PLOT_EVENTS; k++) {
        if (!e->estimated[k] || k == 3)
            continue;
        fprintf(f, "%d ", k - 4);
        cs_gp_num(f, e->estimate[k]);
        fputc(' ', f);
        cs_gp_num(f, e->low[k]);
        fputc(' ', f);
        cs_gp_num(f, e->high[k]);
        fprintf(f, " %zu\n", e->treated_deals[k]);
    }
    fputs("EOD\n$base << EOD\n-1 0\nEOD\n", f);
    if (isfinite(e->predicted)) {
        fputs("# the prediction: x, estimate, low, high (points)\n$pred << EOD\n3.4 ", f);
        cs_gp_num(f, e->predicted);
        fputc(' ', f);
        cs_gp_num(f, isfinite(e->pred_low) ? e->pred_low : e->predicted);
        fputc(' ', f);
        cs_gp_num(f, isfinite(e->pred_high) ? e->pred_high : e->predicted);
        fputs("\nEOD\n", f);
    }
    cs_gp_title(f, e->title ? e->title : "The last plan change, quarter by quarter");
    cs_gp_set_text(f, "xlabel", "fiscal quarter, counted from the change (0: the quarter it happened in)");
    cs_gp_set_text(f, "ylabel", "reps who moved minus the others, risky-deal rate (points)");
    fputs("set xrange [-4.6:3.6]\n", f);
    fprintf(f, "set yrange [%g:%g]\n", lo, hi);
    fputs("set xtics (", f);
    for (int k = 0; k < CS_PLOT_EVENTS; k++) {
        fputs(k ? ", " : "", f);
        cs_gp_quotef_tic(f, "%d (%s)", k - 4, e->label[k]);
        fprintf(f, " %d", k - 4);
    }
    fputs(") noenhanced\n", f);
    fputs("set xzeroaxis lt 3 dt 2\n", f);
    fprintf(f, "set arrow from -0.5, graph 0 to -0.5, graph 1 nohead lt 3 dt 3\n");
    fputs("set label ", f);
    cs_gp_quote(f, "plan change");
    fputs(" at -0.45, graph 0.04 left textcolor rgb '#4a5568' noenhanced\n", f);
    if (isfinite(e->did_low) && isfinite(e->did_high))
        fprintf(f, "set object 1 rect from -0.5, %.6g to 3.6, %.6g fc rgb '%s' fs transparent "
                   "solid 0.18 noborder behind\n", e->did_low, e->did_high, GP_ORANGE);
    {
        char note[400];
        char lv[16];
        snprintf(lv, sizeof lv, "%.0f%%", 100 * (isfinite(e->did_level) ? e->did_level : 0.95));
        snprintf(note, sizeof note,
                 "%zu reps who moved against %zu whose plan stayed; each point against the quarter "
                 "before the change (-1), with its 95%% interval. Shaded: the whole change's "
                 "estimate after it (%s interval).%s", e->treated_reps, e->control_reps, lv,
                 isfinite(e->predicted) ? " Green: what the what-if of the new plan predicted "
                                          "before the change." : "");
        cs_gp_note(f, note, 5);
    }
    fputs("set key outside top center horizontal maxrows 2 samplen 2\n", f);
    fputs("plot $ev using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.6 "
          "title 'quarter by quarter (95% interval)', \\\n", f);
    fputs("     $base using 1:2 with points lt 2 pt 6 ps 1.6 title 'the quarter before (reference)'", f);
    fputs(", \\\n     ", f);
    fprintf(f, "[-0.5:3.6] %.6g with lines lt 2 dt 2 lw 2 title 'after the change, in all'",
            isfinite(e->did) ? e->did : 0.0);
    if (isfinite(e->predicted)) {
        fputs(", \\\n     $pred using 1:2:3:4 with yerrorbars lt 5 pt 9 ps 1.8 "
              "title 'predicted by the what-if, before the change'", f);
    }
    fputc('\n', f);
    cs_gp_end(f, base);
}
