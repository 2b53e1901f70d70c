/* plot_whatif.c - whatif: a base value against alternatives, for `compsight whatif` and `propose`. */
#include <math.h>
#include <stdlib.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "wording.h"

void cs_plot_whatif_script(FILE *f, const struct cs_plot_whatif *w, const char *base)
{
    size_t rows = w->n_alt + 1;
    double xmax = w->base;
    for (size_t i = 0; i < w->n_alt; i++) {
        double v = isfinite(w->alt[i].high) ? fmax(w->alt[i].high, w->alt[i].value) : w->alt[i].value;
        if (v > xmax)
            xmax = v;
    }
    const char *unit;
    double div = cs_words_value_unit(xmax, &unit);
    double x_top = cs_gp_nice_ceil(1.15 * (xmax > 0 ? xmax / div : 1));
    cs_gp_begin(f, "whatif", base);
    /* The value label goes right of the bar or of its interval, whichever
     * ends later; or right of the current plan's dashed line, when it would
     * start just left of it and be crossed by it. */
    fputs("# row (top = current plan), value, linetype, where its label goes\n$v << EOD\n", f);
    fprintf(f, "%zu ", rows);
    cs_gp_num(f, w->base / div);
    fputs(" 1 ", f);
    cs_gp_num(f, w->base / div);
    fputc('\n', f);
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        fprintf(f, "%zu ", rows - 1 - i);
        cs_gp_num(f, a->value / div);
        fputs(" 5 ", f);
        double at = (isfinite(a->high) ? fmax(a->high, a->value) : a->value) / div;
        if (at < w->base / div && w->base / div - at < 0.07 * x_top)
            at = w->base / div;
        cs_gp_num(f, at);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    fputs("# row, value, 95% interval low, high (the alternatives that have one)\n$ci << EOD\n", f);
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        if (!isfinite(a->low) || !isfinite(a->high))
            continue;
        fprintf(f, "%zu ", rows - 1 - i);
        cs_gp_num(f, a->value / div);
        fputc(' ', f);
        cs_gp_num(f, a->low / div);
        fputc(' ', f);
        cs_gp_num(f, a->high / div);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    cs_gp_title(f, w->title ? w->title : "The current plan against the alternatives");
    {
        char xl[256];
        snprintf(xl, sizeof xl, "%s%s", w->axis ? w->axis : "", unit);
        cs_gp_set_text(f, "xlabel", xl);
    }
    fputs("unset ylabel\n", f);
    fprintf(f, "set xrange [0:%g]\n", x_top);
    fprintf(f, "set yrange [0.4:%g]\n", (double)rows + 0.6);
    fputs("set ytics (", f);
    cs_gp_quote_tic(f, w->base_label ? w->base_label : "current plan");
    fprintf(f, " %zu", rows);
    for (size_t i = 0; i < w->n_alt; i++) {
        fputs(", ", f);
        cs_gp_quote_tic(f, w->alt[i].label);
        fprintf(f, " %zu", rows - 1 - i);
    }
    fputs(") scale 0 noenhanced\n", f);
    fputs("set grid noytics xtics\n", f);
    fputs("set style fill solid 0.8 noborder\n", f);
    fprintf(f, "set arrow 1 from first %.6g, graph 0 to first %.6g, graph 1 nohead front lt 3 lw 1.5 dt 2\n",
            w->base / div, w->base / div);
    cs_gp_note(f, "Bars: the value under each plan; lines: 95% intervals; dashed: the current plan.", 5);
    fputs("unset key\n", f);
    /* with no interval at all, $ci is empty: gnuplot would stop on it */
    fputs("plot $v using (0):1:(0):2:($1-0.32):($1+0.32):3 with boxxyerror lc variable notitle, \\\n", f);
    for (size_t i = 0; i < w->n_alt; i++)
        if (isfinite(w->alt[i].low) && isfinite(w->alt[i].high)) {
            fputs("     $ci using 2:1:3:4 with xerrorbars lt 3 pt -1 lw 2 notitle, \\\n", f);
            break;
        }
    fputs("     $v using 4:1:(sprintf('%.4g', $2)) with labels left offset 1,0 font ',12' notitle\n", f);
    cs_gp_end(f, base);
}

enum cs_status cs_plot_whatif_write(const char *plots_dir, const char *name,
                                    const struct cs_plot_whatif *w, bool *rendered,
                                    struct cs_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    enum cs_status st;
    if (rendered)
        *rendered = false;
    if (!cs_gp_valid_name(name))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plot name must be [A-Za-z0-9_-]+");
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    cs_plot_whatif_script(m, w, name);
    bool bad = ferror(m) != 0;
    /* glibc's fclose of a memstream returns 0 even when its last realloc
     * failed, and leaves buf NULL */
    if (fclose(m) != 0 || bad || !buf) {
        free(buf);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (cs_plot_gnuplot_available(NULL, 0)) {
        st = cs_plot_run(plots_dir, name, buf, len, err);
        if (st == CS_OK && rendered)
            *rendered = true;
    } else {
        st = cs_gp_write_script(plots_dir, name, buf, len, err);
    }
    free(buf);
    return st;
}
