/* plot_push.c - push-out: the next quarter's first-two-week share after a quarter with nothing more to earn, against the others (SPEC 14.2). */
#include <math.h>
#include <string.h>

#include "compsight/findings.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"

bool cs_plot_push_aggregate(const struct cs_analysis *an, struct cs_plot_push *p)
{
    memset(p, 0, sizeof *p);
    const struct cs_push_out *po = &an->push_out;
    const struct cs_finding *f = cs_findings_term(an->findings, CS_MODEL_PUSH_OUT, "nothing_to_earn");
    if (!f || !an->model[CS_MODEL_PUSH_OUT].fit)
        return false;
    for (int g = 0; g < 2; g++) {
        p->share[g] = po->group_share[g];
        p->low[g] = po->group_low[g];
        p->high[g] = po->group_high[g];
        p->n[g] = po->group_n[g];
    }
    p->reps = po->reps;
    p->even = 14.0 / 91.0;
    p->clear = f->verdict == CS_VERDICT_CLEAR;
    return true;
}

void cs_plot_push_script(FILE *f, const struct cs_plot_push *p, const char *base)
{
    double top = p->even;
    for (int g = 0; g < 2; g++)
        top = fmax(top, isfinite(p->high[g]) ? p->high[g] : p->share[g]);
    double ymax = cs_gp_pct_ceil(100 * top * 1.1);
    cs_gp_begin(f, "push-out", base);
    fputs("# group (1: the others, 2: nothing more to earn), next quarter's first-14-day share "
          "of bookings (%), 95% interval low, high, linetype (2: a clear difference, 3: the "
          "others, 6: no clear difference)\n$s << EOD\n", f);
    for (int g = 0; g < 2; g++) {
        fprintf(f, "%d ", g + 1);
        cs_gp_num(f, 100 * p->share[g]);
        fputc(' ', f);
        cs_gp_num(f, 100 * (isfinite(p->low[g]) ? p->low[g] : p->share[g]));
        fputc(' ', f);
        cs_gp_num(f, 100 * (isfinite(p->high[g]) ? p->high[g] : p->share[g]));
        fprintf(f, " %d\n", g == 0 ? 3 : p->clear ? 2 : 6);
    }
    fputs("EOD\n", f);
    cs_gp_title(f, p->title ? p->title
                            : "The next quarter's first two weeks after a quarter with nothing "
                              "more to earn");
    cs_gp_set_text(f, "ylabel", "next quarter's bookings in its first 14 days (%)");
    fputs("unset xlabel\n", f);
    fputs("set xrange [0.4:2.6]\n", f);
    fprintf(f, "set yrange [0:%g]\n", ymax);
    fputs("set xtics (", f);
    char n0[32], n1[32];
    cs_gp_quotef_tic(f, "the others (%s rep-quarters)", cs_fmt_count(n0, sizeof n0, p->n[0]));
    fputs(" 1, ", f);
    cs_gp_quotef_tic(f, "nothing more to earn (%s rep-quarters)",
                     cs_fmt_count(n1, sizeof n1, p->n[1]));
    fputs(" 2) scale 0 noenhanced\n", f);
    fputs("set grid ytics noxtics\n", f);
    fprintf(f, "set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead back lt 3 lw 1.5 "
               "dt 2\n", 100 * p->even, 100 * p->even);
    fputs("set label 1 ", f);
    cs_gp_quotef(f, "even pace: %.0f%%", 100 * p->even);
    fprintf(f, " at graph 0.99, first %.6g right offset 0, 0.6 tc rgb '%s' noenhanced\n",
            100 * p->even, GP_SLATE);
    for (int g = 0; g < 2; g++) {
        if (!isfinite(p->share[g]))
            continue;
        fprintf(f, "set label %d ", g + 2);
        cs_gp_quotef(f, "%.1f%%", 100 * p->share[g]);
        fprintf(f, " at first %d.08, first %.6g left noenhanced\n", g + 1, 100 * p->share[g]);
    }
    {
        char note[512], reps[32];
        snprintf(note, sizeof note,
                 "Rep-quarters of quarterly plans followed by a quarter with won deals, %s reps. "
                 "Nothing more to earn: the quarter ended in a tier paying less than the plan's "
                 "first (a cap or decelerator). Points: mean share, 95%% intervals from "
                 "rep-clustered errors. Orange: a clear difference (the report's verdict); grey: "
                 "none.", cs_fmt_count(reps, sizeof reps, p->reps));
        cs_gp_note(f, note, 6);
    }
    fputs("unset key\n", f);
    fputs("plot $s using 1:2:3:4:5 with yerrorbars lc variable pt 7 ps 2 lw 2.5 notitle\n", f);
    cs_gp_end(f, base);
}
