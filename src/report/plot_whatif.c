/* plot_whatif.c - whatif: a base value against alternatives, for `compsight whatif` and `propose`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/plot.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "wording.h"

/* The axis unit of values up to max: the divisor and its words, with the
 * currency on a money axis ("thousands of USD"; "USD" alone below 2,000). */
static double whatif_unit(const struct cs_plot_whatif *w, double max, char *word, size_t n)
{
    const char *u;
    if (w->currency && w->currency[0]) {
        double div = cs_words_money_unit(max, &u);
        if (div == 1.0)
            snprintf(word, n, " (%s)", w->currency);
        else
            snprintf(word, n, " (%s of %s)", u, w->currency);
        return div;
    }
    double div = cs_words_value_unit(max, &u);
    snprintf(word, n, "%s", u);
    return div;
}

/* Decimals that tell apart values a twentieth of the axis apart (0 to 3). */
static int whatif_decimals(double span)
{
    if (!(span > 0) || !isfinite(span))
        return 1;
    int d = (int)ceil(-log10(span / 20));
    return d < 0 ? 0 : d > 3 ? 3 : d;
}

/* "61.9" at d decimals, "14,282" with thousands separators, never "-0". */
static void whatif_num(char *buf, size_t n, double x, int d)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", d, x);
    if (tmp[0] == '-' && strspn(tmp + 1, "0.") == strlen(tmp + 1))
        memmove(tmp, tmp + 1, strlen(tmp));
    const char *digits = tmp + (tmp[0] == '-');
    size_t whole = strcspn(digits, "."), o = 0;
    if (tmp[0] == '-' && o + 1 < n)
        buf[o++] = '-';
    for (size_t i = 0; digits[i] && o + 1 < n; i++) {
        if (i && i < whole && (whole - i) % 3 == 0 && o + 2 < n)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* Whether x and y print differently at d decimals. */
static bool whatif_differ(double x, double y, int d)
{
    char a[48], b[48];
    whatif_num(a, sizeof a, x, d);
    whatif_num(b, sizeof b, y, d);
    return strcmp(a, b) != 0;
}

/*
 * The current plan is a reference line (and the top row's point); each
 * alternative a point with its 95% interval, green when the interval
 * excludes the current value, grey when it does not.  The axis spans the
 * values and intervals, not 0: 62.0 against 61.9 must be visible.
 */
void cs_plot_whatif_script(FILE *f, const struct cs_plot_whatif *w, const char *base)
{
    size_t rows = w->n_alt + 1;
    double lo = w->base, hi = w->base;
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        double v[3] = {a->value, a->low, a->high};
        for (size_t k = 0; k < 3; k++)
            if (isfinite(v[k])) {
                lo = fmin(lo, v[k]);
                hi = fmax(hi, v[k]);
            }
    }
    char unit[96];
    double div = whatif_unit(w, fmax(fabs(lo), fabs(hi)), unit, sizeof unit);
    lo /= div;
    hi /= div;
    double span = hi - lo;
    if (!(span > 0))
        span = fmax(fabs(hi) * 0.1, 1.0);
    double x0 = lo - 0.08 * span, x1 = hi + 0.08 * span;
    if (x0 < 0 && lo >= 0)
        x0 = 0;                /* counts and amounts: no negative axis */
    int dec = whatif_decimals(x1 - x0);
    /* and enough to tell every value and interval end from the current
     * value: a clear interval must not print an end equal to it */
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        double v[3] = {a->value, a->low, a->high};
        for (size_t k = 0; k < 3; k++)
            while (dec < 3 && isfinite(v[k]) && v[k] != w->base &&
                   !whatif_differ(v[k] / div, w->base / div, dec))
                dec++;
    }
    cs_gp_begin(f, "whatif", base);
    fputs("# row (top = current plan), value, 95% interval low, high, linetype "
          "(1: current, 5: the interval excludes it, 6: it does not)\n$v << EOD\n", f);
    fprintf(f, "%zu", rows);
    for (int k = 0; k < 3; k++) {       /* the current value, an interval of no width */
        fputc(' ', f);
        cs_gp_num(f, w->base / div);
    }
    fputs(" 1\n", f);
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        bool ci = isfinite(a->low) && isfinite(a->high);
        fprintf(f, "%zu ", rows - 1 - i);
        cs_gp_num(f, a->value / div);
        fputc(' ', f);
        cs_gp_num(f, ci ? a->low / div : a->value / div);
        fputc(' ', f);
        cs_gp_num(f, ci ? a->high / div : a->value / div);
        fprintf(f, " %d\n", a->clear && !w->thin ? 5 : 6);
    }
    fputs("EOD\n", f);
    cs_gp_title(f, w->title ? w->title : "The current plan against the alternatives");
    {
        char xl[256];
        snprintf(xl, sizeof xl, "%s%s", w->axis ? w->axis : "", unit);
        cs_gp_set_text(f, "xlabel", xl);
    }
    fputs("unset ylabel\n", f);
    fprintf(f, "set xrange [%.6g:%.6g]\n", x0, x1);
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
    fputs("set xtics out nomirror\n", f);
    fputs("set grid noytics xtics\n", f);
    fprintf(f, "set arrow 1 from first %.6g, graph 0 to first %.6g, graph 1 nohead back lt 1 lw 1.5 dt 2\n",
            w->base / div, w->base / div);
    /* the numbers, right of the plot, at the precision the axis needs */
    fputs("set rmargin 26\n", f);
    for (size_t r = 0; r < rows; r++) {
        char v[48], l[48], h[48];
        const struct cs_plot_whatif_alt *a = r ? &w->alt[r - 1] : NULL;
        fprintf(f, "set label %zu ", r + 1);
        whatif_num(v, sizeof v, (a ? a->value : w->base) / div, dec);
        if (a && isfinite(a->low) && isfinite(a->high)) {
            whatif_num(l, sizeof l, a->low / div, dec);
            whatif_num(h, sizeof h, a->high / div, dec);
            cs_gp_quotef(f, "%s (%s to %s)", v, l, h);
        } else {
            cs_gp_quote(f, v);
        }
        fprintf(f, " at graph 1.02, first %zu left noenhanced\n", rows - r);
    }
    cs_gp_note(f, w->thin ? "Points: the value under each plan, with its 95% interval; dashed: the "
                            "current plan. Grey: too little data for a verdict."
                          : "Points: the value under each plan, with its 95% interval; dashed: the "
                            "current plan. Green: the interval excludes the current value; grey: "
                            "no clear change.", 5);
    fputs("unset key\n", f);
    fputs("plot $v using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle\n", f);
    cs_gp_end(f, base);
}
void cs_plot_whatif_title(char *buf, size_t n, const struct cs_plot_whatif *w, size_t total,
                          const struct cs_plot_whatif_words *words)
{
    size_t less = 0, more = 0;
    for (size_t i = 0; i < w->n_alt; i++) {
        less += w->alt[i].clear && w->alt[i].value < w->base;
        more += w->alt[i].clear && w->alt[i].value > w->base;
    }
    const char *cur = w->base_label ? w->base_label : "current plan";
    if (w->thin) {
        if (w->n_alt == 1)
            snprintf(buf, n, "%s: too little data to tell what the %s would change", words->what,
                     w->alt[0].label);
        else
            snprintf(buf, n, "%s: too little data to tell what any option would change",
                     words->what);
        return;
    }
    if (w->n_alt == 1) {
        if (less + more == 0)
            snprintf(buf, n, "%s: no clear change under the %s", words->what, w->alt[0].label);
        else
            snprintf(buf, n, "%s: the %s %s clearly %s than the %s", words->what, w->alt[0].label,
                     words->verb, less ? words->less : words->more, cur);
        return;
    }
    char of[64];
    if (total > w->n_alt)
        snprintf(of, sizeof of, "of the %zu options shown", w->n_alt);
    else
        snprintf(of, sizeof of, "of %zu options", w->n_alt);
    if (less + more == 0)
        snprintf(buf, n, "%s: no option makes a clear change from the %s", words->what, cur);
    else if (less && more)
        snprintf(buf, n, "%s: %zu %s %s clearly %s than the %s, %zu clearly %s", words->what,
                 less, of, words->verb, words->less, cur, more, words->more);
    else
        snprintf(buf, n, "%s: %zu %s %s clearly %s than the %s", words->what, less + more, of,
                 words->verb, less ? words->less : words->more, cur);
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
