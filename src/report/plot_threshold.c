/* plot_threshold.c - threshold: one plan floor's attainment histogram against the bunching counterfactual. */
#include <math.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"
#include "wording.h"

/* "3.9 ± 1.5", or without its SE "3.9 (no SE)". */
static void pm(char *buf, size_t n, double x, double se)
{
    /* whole numbers once the figure is large enough that tenths are noise */
    int d = fabs(x) >= 20 || (isfinite(se) && se >= 20) ? 0 : 1;
    if (isfinite(se))
        snprintf(buf, n, "%.*f \xc2\xb1 %.*f", d, x, d, se);
    else
        snprintf(buf, n, "%.*f (no SE)", d, x);
}

void cs_plot_threshold_script(FILE *f, const struct cs_plot_threshold *t, const char *base)
{
    const struct cs_bunching *e = t->est;
    double fpct = 100 * e->threshold;
    const char *word = t->period_word ? t->period_word : "period";
    double ymax = 0;
    cs_gp_begin(f, "threshold", base);
    fputs("# bin centre (% of quota), rep-periods in the bin, counterfactual (polynomial fit)\n"
          "$bins << EOD\n", f);
    for (size_t j = 0; j < CS_BUNCH_BINS; j++) {
        const struct cs_bunch_bin *b = &e->bins[j];
        cs_gp_num(f, 100 * b->centre);
        fputc(' ', f);
        cs_gp_num(f, b->count);
        fputc(' ', f);
        cs_gp_num(f, b->fit);
        fputc('\n', f);
        if (b->count > ymax)
            ymax = b->count;
        if (isfinite(b->fit) && b->fit > ymax)
            ymax = b->fit;
    }
    fputs("EOD\n", f);

    char title[384], line[256], a[64], b[64];
    /* the title is the finding's verdict (the caller's); this one claims nothing */
    snprintf(title, sizeof title, "Plan %s: final attainment around the %.0f%% floor", t->plan, fpct);
    cs_gp_title(f, t->title ? t->title : title);
    {
        char xl[96];
        snprintf(xl, sizeof xl, "final attainment of a rep in a %s (%% of quota, bins of 2 points)", word);
        cs_gp_set_text(f, "xlabel", xl);
        snprintf(xl, sizeof xl, "rep-%ss", word);
        cs_gp_set_text(f, "ylabel", xl);
    }
    fprintf(f, "set xrange [%g:%g]\n", fpct - 40, fpct + 40);
    fprintf(f, "set yrange [0:%g]\n", cs_gp_nice_ceil(1.5 * ymax));
    fputs("set xtics 10 out nomirror\nset format x '%g%%'\n", f);
    fputs("set style fill solid 0.85 noborder\nset boxwidth 1.6\n", f);
    /* the excluded window of SPEC 7.6: bins with left edge in [f-0.06, f+0.06) */
    fprintf(f, "set object 1 rectangle from first %g, graph 0 to first %g, graph 1 behind "
               "fc rgb '" GP_SHADE "' fs solid 1.0 noborder\n", fpct - 6, fpct + 6);
    fprintf(f, "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead front lt 4 lw 2.5 dt 2\n",
            fpct, fpct);
    fputs("set label 1 ", f);
    cs_gp_quotef(f, "%.0f%% floor", fpct);
    fprintf(f, " at first %g, graph 0.97 left offset 0.5,0 tc rgb '" GP_RED "' noenhanced\n", fpct);
    /* the estimates in three short lines in the top right corner, below
     * the floor's name and clear of the key (top left) and of the floor
     * marker (centre) */
    if (isfinite(t->low) && isfinite(t->high) && isfinite(t->level)) {
        /* the interval the report prints for this finding, in its words */
        char r[64], lv[16];
        snprintf(line, sizeof line, "excess above the floor: %s (%s interval %s)",
                 cs_words_num(a, sizeof a, e->excess_mass), cs_words_level(lv, sizeof lv, t->level),
                 cs_words_num_range(r, sizeof r, t->low, t->high));
    } else {
        pm(a, sizeof a, e->excess_mass, e->excess_mass_se);
        snprintf(line, sizeof line, "excess above the floor: %s rep-%ss", a, word);
    }
    fputs("set label 2 ", f);
    cs_gp_quote(f, line);
    fputs(" at graph 0.99, graph 0.89 right front font ',13' noenhanced\n", f);
    pm(b, sizeof b, e->b, e->b_se);
    snprintf(line, sizeof line, "relative to the smooth pattern: %s%s", b,
             e->thin ? " (thin: unstable)" : "");
    fputs("set label 3 ", f);
    cs_gp_quote(f, line);
    fputs(" at graph 0.99, graph 0.83 right front font ',13' noenhanced\n", f);
    if (t->placebo && t->placebo->verdict == CS_BUNCH_OK) {
        pm(a, sizeof a, t->placebo->excess_mass, t->placebo->excess_mass_se);
        snprintf(line, sizeof line, "placebo at %.0f%% (no floor): %s",
                 100 * t->placebo->threshold, a);
        fputs("set label 4 ", f);
        cs_gp_quote(f, line);
        fputs(" at graph 0.99, graph 0.77 right front font ',13' tc rgb '#4a5568' noenhanced\n", f);
    }
    {
        char note[384];
        char count[32];
        snprintf(note, sizeof note,
                 "%s rep-%ss within 40 points of the floor. Shaded: left out of the fit. "
                 "\xc2\xb1: bootstrap standard error. A placebo, away from any floor, should show about 0.",
                 cs_fmt_count(count, sizeof count, e->n_binned), word);
        cs_gp_note(f, note, 5);
    }
    fputs("set key top left\n", f);
    fputs("plot $bins using 1:2 with boxes lt 1 title ", f);
    cs_gp_quotef(f, "rep-%ss in the bin", word);
    fputs(", \\\n"
          "     $bins using 1:3 with lines lt 3 lw 3 title 'smooth counterfactual', \\\n"
          "     NaN with boxes fc rgb '" GP_SHADE "' title 'window left out of the fit'\n", f);
    cs_gp_end(f, base);
}
