/* plot_where.c - where: the risky-promise heat map over attainment before the deal and weeks to the period end. */
#include <math.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"

void cs_plot_where_aggregate(const struct cs_measured *m, bool coarse, struct cs_plot_where *w)
{
    const struct cs_dataset *ds = m->ds;
    const struct cs_incentives *inc = m->inc;
    const struct cs_outcomes *oc = m->oc;
    const struct cs_selection *sel = m->sel;
    memset(w, 0, sizeof *w);
    w->coarse = coarse;
    w->row_step = coarse ? 0.25 : 0.10;
    w->rows = coarse ? 7 : 16;
    w->col_weeks = coarse ? 2 : 1;
    w->cols = coarse ? 7 : 14;
    w->min_cell = CS_PLOT_WHERE_MIN_CELL;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
            continue;
        double a0 = inc->attainment_before[i];
        int32_t days = inc->days_to_period_end[i];
        if (!isfinite(a0) || days < 0)
            continue;
        /* the small epsilon puts 0.3 (0.29999...) in the 30-40% row, as a reader expects */
        double r = floor(a0 / w->row_step + 1e-9);
        size_t row = r < 0 ? 0 : r >= (double)(w->rows - 1) ? w->rows - 1 : (size_t)r;
        size_t col = (size_t)(days / 7 / w->col_weeks);
        if (col > w->cols - 1)
            col = w->cols - 1;
        w->deals[row][col]++;
        w->risky[row][col] += oc->promise_risk[i] != 0;
        w->n_deals++;
        w->n_risky += oc->promise_risk[i] != 0;
    }
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++)
            w->cells_shown += w->deals[r][c] >= w->min_cell;
    /* the plans' tier floors inside the closed rows, each once, ascending */
    double top = w->row_step * (double)(w->rows - 1) + 1e-9;
    for (size_t t = 0; t < ds->plans.n_tiers; t++) {
        double fl = ds->plans.floor[t];
        if (!(fl > 0) || fl > top)
            continue;
        size_t j = 0;
        while (j < w->n_floors && w->floors[j] != fl)
            j++;
        if (j < w->n_floors || w->n_floors == CS_PLOT_MAX_FLOORS)
            continue;
        size_t k = w->n_floors++;
        while (k > 0 && w->floors[k - 1] > fl) {
            w->floors[k] = w->floors[k - 1];
            k--;
        }
        w->floors[k] = fl;
    }
}

/* Whether cell (r, c) is shown and its share's interval is wide. */
static bool where_wide(const struct cs_plot_where *w, size_t r, size_t c)
{
    struct cs_wilson wi;
    size_t n = w->deals[r][c];
    return n >= w->min_cell && cs_wilson(w->risky[r][c], n, &wi, NULL) == CS_OK &&
           wi.high - wi.low > CS_PLOT_WHERE_WIDE;
}

/* The datablocks: the grid for `with image`, the shown cells' labels, the
 * wide cells and the grey cells' counts.  Returns the top of the colour
 * scale: the largest share of the cells that are not wide when they are
 * most of the shown cells, else the largest share of any (a share of few
 * deals near 0 has a narrow interval too: a scale set by two such cells
 * would paint every other cell the darkest red). */
static double where_data(FILE *f, const struct cs_plot_where *w)
{
    double max_all = 0, max_narrow = 0;
    size_t shown = 0, narrow = 0;
    /* Full grid for `with image` (NaN = too few deals, drawn as the grey
     * background); the labels get their own block with the counts. */
    fputs("# column (0 = the last weeks before the period end), row (attainment bin), "
          "share of deals with a risky promise in %\n$cells << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++) {
            size_t n = w->deals[r][c];
            double rate = n >= w->min_cell ? 100.0 * (double)w->risky[r][c] / (double)n : NAN;
            if (n >= w->min_cell) {
                shown++;
                max_all = fmax(max_all, rate);
                if (!where_wide(w, r, c)) {
                    narrow++;
                    max_narrow = fmax(max_narrow, rate);
                }
            }
            fprintf(f, "%zu %zu ", c, r);
            cs_gp_num(f, rate);
            fputc('\n', f);
        }
    fputs("EOD\n", f);
    /* a wide cell does not stretch the scale when most cells are narrow */
    double cbmax = cs_gp_pct_ceil(2 * narrow > shown ? max_narrow : max_all);
    fputs("# column, row, share in %, deals, label colour (0xRRGGBB), deals for reading\n"
          "$labels << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++) {
            size_t n = w->deals[r][c];
            if (n < w->min_cell)
                continue;
            double rate = 100.0 * (double)w->risky[r][c] / (double)n;
            /* white text on the dark end of the palette; a faded cell is light */
            unsigned colour = rate > 0.6 * cbmax && !where_wide(w, r, c) ? 0xffffffu : 0x1a202cu;
            fprintf(f, "%zu %zu ", c, r);
            cs_gp_num(f, rate);
            char count[32];
            fprintf(f, " %zu %u %s\n", n, colour, cs_fmt_count(count, sizeof count, n));
        }
    fputs("EOD\n", f);
    fputs("# column, row of the cells whose 95% interval is wider than the limit\n$wide << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++)
            if (where_wide(w, r, c))
                fprintf(f, "%zu %zu\n", c, r);
    fputs("EOD\n", f);
    fputs("# column, row, deals of the grey cells (too few to show a share)\n$few << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++)
            if (w->deals[r][c] < w->min_cell)
                fprintf(f, "%zu %zu %zu\n", c, r, w->deals[r][c]);
    fputs("EOD\n", f);
    return cbmax;
}

void cs_plot_where_script(FILE *f, const struct cs_plot_where *w, const char *base)
{
    bool has_wide = false, has_few = false;
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++) {
            has_wide |= where_wide(w, r, c);
            has_few |= w->deals[r][c] < w->min_cell;
        }
    cs_gp_begin(f, "where", base);
    double cbmax = where_data(f, w);
    cs_gp_title(f, w->title ? w->title
                            : "Risky promises by attainment before the deal and weeks to period end");
    cs_gp_set_text(f, "xlabel", w->coarse
                    ? "weeks before the end of the plan period (2-week columns; period end on the right)"
                    : "weeks before the end of the plan period (period end on the right)");
    cs_gp_set_text(f, "ylabel", "attainment before the deal (% of quota)");
    fputs("set cblabel 'share of deals with a risky promise' offset 1.5,0 noenhanced\n", f);
    fputs("set rmargin 12\n", f);
    fprintf(f, "set xrange [%g:-0.5]\n", (double)w->cols - 0.5);
    fprintf(f, "set yrange [-0.5:%g]\n", (double)w->rows - 0.5);
    fputs("set xtics (", f);
    for (size_t c = 0; c < w->cols; c++) {
        int wk = (int)c * w->col_weeks;
        if (c + 1 == w->cols)
            cs_gp_quotef_tic(f, "%d+", wk);
        else if (w->col_weeks == 1)
            cs_gp_quotef_tic(f, "%d", wk);
        else
            cs_gp_quotef_tic(f, "%d-%d", wk, wk + w->col_weeks - 1);
        fprintf(f, " %zu%s", c, c + 1 < w->cols ? ", " : "");
    }
    fputs(") scale 0 noenhanced\n", f);
    /* tics at the row edges, so each row reads "from this line up" */
    fputs("set ytics (", f);
    for (size_t r = 0; r < w->rows; r++) {
        cs_gp_quotef_tic(f, "%g%%", 100.0 * w->row_step * (double)r);
        fprintf(f, " %g%s", (double)r - 0.5, r + 1 < w->rows ? ", " : "");
    }
    fputs(") noenhanced\n", f);
    fputs("unset grid\n", f);
    fputs("set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind "
          "fc rgb '" GP_NODATA "' fs solid 1.0 noborder\n", f);
    fputs("set palette defined " GP_HEAT "\n", f);
    fprintf(f, "set cbrange [0:%g]\n", cbmax);
    fputs("set format cb '%.0f%%'\n", f);
    fputs("set cbtics out nomirror\n", f);
    for (size_t k = 0; k < w->n_floors; k++) {
        double y = w->floors[k] / w->row_step - 0.5;
        fprintf(f, "set arrow %zu from graph 0, first %g to graph 1, first %g nohead front "
                   "lc rgb '" GP_SLATE "' lw 2 dt 2\n", k + 1, y, y);
    }
    fputs("unset key\n", f);
    {
        char note[512];
        char deals[32];
        snprintf(note, sizeof note,
                 "Each cell: share of deals with an off-roadmap or premature promise; n: its deals. "
                 "Grey: fewer than %zu deals. Hatched and faded: the share's 95%% interval is wider "
                 "than %.0f points, too few deals to read its colour.%s %s deals in all%s.",
                 w->min_cell, 100 * CS_PLOT_WHERE_WIDE,
                 w->n_floors ? " Dashed: the plans' tier floors." : "",
                 cs_fmt_count(deals, sizeof deals, w->n_deals),
                 w->coarse ? ", too few for finer cells" : "");
        cs_gp_note(f, note, 5);
    }
    /* the rate, and under it in small type the number of deals it rests on */
    fputs("plot $cells using 1:2:3 with image notitle, \\\n", f);
    if (has_wide)   /* faded towards the grey of no data, and hatched */
        fputs("     $wide using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#f7f7f7' "
              "fs transparent solid 0.75 noborder notitle, \\\n"
              "     $wide using 1:2:(0.5):(0.5) with boxxyerror lc rgb '#a0aec0' "
              "fs transparent pattern 4 noborder notitle, \\\n", f);
    fputs("     $labels using 1:2:(sprintf('%.0f%%', $3)):5 with labels offset 0,0.3 "
          "tc rgb variable font ',11' notitle, \\\n"
          "     $labels using 1:2:(sprintf('n = %s', strcol(6))):5 with labels offset 0,-0.5 "
          "tc rgb variable font ',8' notitle", f);
    if (has_few)
        fputs(", \\\n     $few using 1:2:(sprintf('n = %d', $3)) with labels "
              "tc rgb '#718096' font ',8' notitle", f);
    fputc('\n', f);
    cs_gp_end(f, base);
}
