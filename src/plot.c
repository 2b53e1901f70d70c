/* plot.c - the report's plots: aggregation in C, gnuplot script builders, and running gnuplot safely. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compsight/output.h"
#include "compsight/parse.h"
#include "compsight/plot.h"

extern char **environ;

/* ======================================================================
 * Quoting and small writers
 * ==================================================================== */

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 when malformed. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)     /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* U+200B ZERO WIDTH SPACE: what goes before a quote that gnuplot's scanner
 * would otherwise misread (see cs_gp_quote in plot.h). */
#define GP_ZWSP "\xe2\x80\x8b"

/* The one quoting routine; `tic` doubles % for explicit tic labels. */
static void gp_quote(FILE *f, const char *s, bool tic)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool after_quote = true;     /* the opening quote counts */
    fputc('\'', f);
    while (*p) {
        if (*p < 0x20 || *p == 0x7f) {
            /* a newline would end the command and start one of the data's
             * choosing; the other control characters have no business in a label */
            p++;
            continue;
        }
        if (*p == '\'') {
            /* gnuplot's scanner reads a doubled quote as a quote only when
             * it follows a character other than a quote: right after the
             * opening quote, or right after another doubled quote, the pair
             * would end the string (gnuplot 5.4 src/scanner.c), so a
             * zero-width space goes in between */
            if (after_quote)
                fputs(GP_ZWSP, f);
            fputs("''", f);
            p++;
            after_quote = true;
            continue;
        }
        after_quote = false;
        if (tic && *p == '%') {
            /* gnuplot formats explicit tic labels with the axis value:
             * "6%" is a bad format, "%s%n" worse */
            fputs("%%", f);
            p++;
            continue;
        }
        size_t len = utf8_seq(p);
        if (len == 0) {
            /* cairo and the SVG (XML) output want valid UTF-8 */
            fputc('?', f);
            p++;
            continue;
        }
        fwrite(p, 1, len, f);
        p += len;
    }
    fputc('\'', f);
}

void cs_gp_quote(FILE *f, const char *s)
{
    gp_quote(f, s, false);
}

void cs_gp_quote_tic(FILE *f, const char *s)
{
    gp_quote(f, s, true);
}

/* A data value in a datablock: shortest-ish, locale-independent (compsight
 * never calls setlocale), NaN when missing so that gnuplot leaves it out. */
static void gp_num(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("NaN", f);
    else
        fprintf(f, "%.6g", x == 0 ? 0.0 : x);   /* no "-0" */
}

/* cs_gp_quote of a formatted text (labels built from numbers). */
__attribute__((format(printf, 2, 3)))
static void gp_quotef(FILE *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_gp_quote(f, buf);
}

/* cs_gp_quote_tic of a formatted text. */
__attribute__((format(printf, 2, 3)))
static void gp_quotef_tic(FILE *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_gp_quote_tic(f, buf);
}

/* `set KEY 'text' noenhanced` (title, xlabel, ylabel, ...). */
static void gp_set_text(FILE *f, const char *key, const char *text)
{
    fprintf(f, "set %s ", key);
    cs_gp_quote(f, text);
    fputs(" noenhanced\n", f);
}

/* The title: the finding in one line.  Long ones (a long plan id) get a
 * smaller font, and past 120 characters they are cut with an ellipsis at a
 * character boundary, so that a title never runs off the image. */
static void gp_title(FILE *f, const char *text)
{
    char buf[512];
    size_t chars = 0, i = 0, cut = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (; p[i]; i++)
        if ((p[i] & 0xc0) != 0x80 && ++chars == 118)
            cut = i;
    if (chars > 120 && cut > 0 && cut + 4 < sizeof buf) {
        memcpy(buf, text, cut);
        memcpy(buf + cut, "\xe2\x80\xa6", 4);
        text = buf;
        chars = 119;
    }
    fputs("set title ", f);
    cs_gp_quote(f, text);
    fprintf(f, " font ',%d' noenhanced\n", chars <= 80 ? 18 : chars <= 96 ? 15 : 13);
}

/* Round up to a "nice" axis maximum: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
 * times a power of ten (fine enough not to waste a third of the plot). */
static double nice_ceil(double x)
{
    if (!(x > 0) || !isfinite(x))
        return 1.0;
    double p = pow(10.0, floor(log10(x)));
    static const double steps[] = {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (x <= steps[i] * p * (1 + 1e-12))
            return steps[i] * p;
    return 10.0 * p;
}

/* Upper end of a percentage axis: the next multiple of 10, within 10..100. */
static double pct_ceil(double x)
{
    double c = ceil(x / 10 - 1e-9) * 10;
    return c < 10 ? 10 : c > 100 ? 100 : c;
}

/* ======================================================================
 * The common frame of every script: one palette, one size, one font
 * ==================================================================== */

/*
 * The palette, defined once.  Colour means the same thing on every plot:
 *   lt 1 blue    bookings, counts, the current plan
 *   lt 2 orange  risky promises, misstatements (the behaviour)
 *   lt 3 slate   reference lines, the counterfactual
 *   lt 4 red     tier floors
 *   lt 5 green   alternatives (what-if)
 *   lt 6 grey    estimates with no clear effect
 * Heat maps run from pale yellow (none) to dark red; no data is grey.
 */
#define GP_BLUE "#2b6cb0"
#define GP_ORANGE "#dd6b20"
#define GP_SLATE "#2d3748"
#define GP_RED "#c53030"
#define GP_GREEN "#2f855a"
#define GP_GREY "#a0aec0"
#define GP_SHADE "#edf2f7"
#define GP_NODATA "#d9d9d9"
#define GP_HEAT "(0 '#ffffcc', 0.3 '#fed976', 0.55 '#fd8d3c', 0.8 '#e31a1c', 1 '#800026')"

static void gp_begin(FILE *f, const char *kind, const char *base)
{
    fprintf(f, "# compsight %s plot: draws %s.png and %s.svg in the current directory.\n", kind,
            base, base);
    fprintf(f, "# Re-run from the plots directory:  gnuplot %s.gp\n", base);
    fputs("# Data are aggregated by compsight; every text is a single-quoted literal.\n", f);
    fputs("reset\n"
          "set encoding utf8\n", f);
    fprintf(f, "set terminal pngcairo size %d,%d font ',14' noenhanced background '#ffffff'\n",
            CS_PLOT_WIDTH, CS_PLOT_HEIGHT);
    fputs("set output ", f);
    gp_quotef(f, "%s.png", base);
    fputc('\n', f);
    fputs("set linetype 1 lc rgb '" GP_BLUE "' lw 2 pt 7 ps 1.4\n"
          "set linetype 2 lc rgb '" GP_ORANGE "' lw 2 pt 7 ps 1.4\n"
          "set linetype 3 lc rgb '" GP_SLATE "' lw 2 pt 7 ps 1.4\n"
          "set linetype 4 lc rgb '" GP_RED "' lw 2 pt 7 ps 1.4\n"
          "set linetype 5 lc rgb '" GP_GREEN "' lw 2 pt 7 ps 1.4\n"
          "set linetype 6 lc rgb '" GP_GREY "' lw 2 pt 7 ps 1.4\n"
          "set border 3 lc rgb '" GP_SLATE "'\n"
          "set tics nomirror out\n"
          "set grid ytics lc rgb '#e2e8f0' lw 1 dt 1\n"
          "set key top left noenhanced opaque box lc rgb '#e2e8f0'\n"
          , f);
}

/* The same plot once more as SVG: `dynamic` lets the HTML report scale it. */
static void gp_end(FILE *f, const char *base)
{
    fprintf(f, "set terminal svg size %d,%d dynamic font ',14' noenhanced background '#ffffff'\n",
            CS_PLOT_WIDTH, CS_PLOT_HEIGHT);
    fputs("set output ", f);
    gp_quotef(f, "%s.svg", base);
    fputs("\nreplot\nunset output\n", f);
}

/* A small grey note in the bottom left corner (method notes, counts). */
#define NOTE_LINE 160      /* characters a note line holds: 158 end at 1155 of 1280 pixels */
#define NOTE_LINES_MAX 4

/* The bytes of text's first line of at most width characters (UTF-8
 * code points), broken at the last space when the text goes on; *next is
 * where the following line starts (its leading spaces skipped). */
static size_t note_line(const char *text, size_t width, const char **next)
{
    size_t chars = 0, i = 0, brk = 0;
    for (; text[i] && chars < width; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
        if (text[i] == ' ')
            brk = i;
    }
    while (((unsigned char)text[i] & 0xC0) == 0x80)   /* finish the code point */
        i++;
    size_t len = !text[i] || text[i] == ' ' || !brk ? i : brk;
    const char *rest = text + len;
    while (*rest == ' ')
        rest++;
    *next = rest;
    return len;
}

/* The lines of text at width, up to max of them, into at[] and len[]; the
 * number of lines, max + 1 when the text needs more. */
static size_t note_lines(const char *text, size_t width, const char **at, size_t *len, size_t max)
{
    size_t n = 0;
    for (const char *p = text; *p; n++) {
        if (n == max)
            return max + 1;
        at[n] = p;
        len[n] = note_line(p, width, &p);
    }
    return n;
}

/*
 * A small grey note in the bottom left corner (method notes, counts), and
 * the bottom margin: bmargin character heights, one more for each line the
 * note needs beyond the first.  A note longer than the image is wide is
 * broken at spaces into as few lines as it needs (labels 99, 98, ..., the
 * last at the bottom), of even length rather than a full line and a word;
 * past NOTE_LINES_MAX lines the rest is left out.
 */
static void gp_note(FILE *f, const char *text, int bmargin)
{
    const char *at[NOTE_LINES_MAX];
    size_t len[NOTE_LINES_MAX];
    size_t n = note_lines(text, NOTE_LINE, at, len, NOTE_LINES_MAX);
    if (n > NOTE_LINES_MAX)
        n = NOTE_LINES_MAX;
    else if (n > 1)   /* the narrowest width that still takes n lines */
        for (size_t w = 40; w <= NOTE_LINE; w++)
            if (note_lines(text, w, at, len, n) == n)
                break;
    for (size_t i = 0; i < n; i++) {
        char line[4 * NOTE_LINE + 8];
        size_t l = len[i] < sizeof line - 1 ? len[i] : sizeof line - 1;
        memcpy(line, at[i], l);
        line[l] = '\0';
        fprintf(f, "set label %zu ", 99 - i);
        cs_gp_quote(f, line);
        fprintf(f, " at screen 0.01, screen %.3f left font ',11' tc rgb '#4a5568' noenhanced\n",
                0.025 + 0.026 * (double)(n - 1 - i));
    }
    fprintf(f, "set bmargin %d\n", bmargin + (n > 1 ? (int)n - 1 : 0));
}

/* ======================================================================
 * "where"
 * ==================================================================== */

void cs_plot_where_aggregate(const struct cs_dataset *ds, const struct cs_incentives *inc,
                             const struct cs_outcomes *oc, const struct cs_selection *sel,
                             bool coarse, struct cs_plot_where *w)
{
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

void cs_plot_where_script(FILE *f, const struct cs_plot_where *w, const char *base)
{
    double maxrate = 0;
    gp_begin(f, "where", base);
    /* Full grid for `with image` (NaN = too few deals, drawn as the grey
     * background); the labels get their own block with the counts. */
    fputs("# column (0 = the last weeks before the period end), row (attainment bin), "
          "share of deals with a risky promise in %\n$cells << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++) {
            size_t n = w->deals[r][c];
            double rate = n >= w->min_cell ? 100.0 * (double)w->risky[r][c] / (double)n : NAN;
            if (rate > maxrate)
                maxrate = rate;
            fprintf(f, "%zu %zu ", c, r);
            gp_num(f, rate);
            fputc('\n', f);
        }
    fputs("EOD\n", f);
    double cbmax = pct_ceil(maxrate);
    fputs("# column, row, share in %, deals, label colour (0xRRGGBB), deals for reading\n"
          "$labels << EOD\n", f);
    for (size_t r = 0; r < w->rows; r++)
        for (size_t c = 0; c < w->cols; c++) {
            size_t n = w->deals[r][c];
            if (n < w->min_cell)
                continue;
            double rate = 100.0 * (double)w->risky[r][c] / (double)n;
            /* white text on the dark end of the palette */
            unsigned colour = rate > 0.6 * cbmax ? 0xffffffu : 0x1a202cu;
            fprintf(f, "%zu %zu ", c, r);
            gp_num(f, rate);
            char count[32];
            fprintf(f, " %zu %u (%s)\n", n, colour, cs_fmt_count(count, sizeof count, n));
        }
    fputs("EOD\n", f);

    gp_title(f, "Where risky promises concentrate: attainment before the deal "
                "\xc3\x97 weeks to period end");
    gp_set_text(f, "xlabel", w->coarse
                    ? "weeks before the end of the plan period (2-week columns; period end on the right)"
                    : "weeks before the end of the plan period (period end on the right)");
    gp_set_text(f, "ylabel", "attainment before the deal (% of quota)");
    fputs("set cblabel 'share of deals with a risky promise' offset 1.5,0 noenhanced\n", f);
    fputs("set rmargin 12\n", f);
    fprintf(f, "set xrange [%g:-0.5]\n", (double)w->cols - 0.5);
    fprintf(f, "set yrange [-0.5:%g]\n", (double)w->rows - 0.5);
    fputs("set xtics (", f);
    for (size_t c = 0; c < w->cols; c++) {
        int wk = (int)c * w->col_weeks;
        if (c + 1 == w->cols)
            gp_quotef_tic(f, "%d+", wk);
        else if (w->col_weeks == 1)
            gp_quotef_tic(f, "%d", wk);
        else
            gp_quotef_tic(f, "%d-%d", wk, wk + w->col_weeks - 1);
        fprintf(f, " %zu%s", c, c + 1 < w->cols ? ", " : "");
    }
    fputs(") scale 0 noenhanced\n", f);
    /* tics at the row edges, so each row reads "from this line up" */
    fputs("set ytics (", f);
    for (size_t r = 0; r < w->rows; r++) {
        gp_quotef_tic(f, "%g%%", 100.0 * w->row_step * (double)r);
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
    fputs("set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox\n", f);
    {
        char note[384];
        char deals[32];
        snprintf(note, sizeof note,
                 "Each cell: share of deals with an off-roadmap or premature promise (number of deals). "
                 "Grey: fewer than %zu deals. %s deals in all%s.",
                 w->min_cell, cs_fmt_count(deals, sizeof deals, w->n_deals),
                 w->coarse ? ", too few for finer cells" : "");
        gp_note(f, note, 5);
    }
    /* the rate, and under it in small type the number of deals it rests on */
    fputs("plot $cells using 1:2:3 with image notitle, \\\n"
          "     $labels using 1:2:(sprintf('%.0f%%', $3)):5 with labels offset 0,0.3 "
          "tc rgb variable font ',11' notitle, \\\n"
          "     $labels using 1:2:6:5 with labels offset 0,-0.5 "
          "tc rgb variable font ',8' notitle", f);
    if (w->n_floors)
        fputs(", \\\n     NaN with lines lc rgb '" GP_SLATE "' lw 2 dt 2 title 'tier floors of the plans'",
              f);
    fputc('\n', f);
    gp_end(f, base);
}

/* ======================================================================
 * "when"
 * ==================================================================== */

void cs_plot_when_aggregate(const struct cs_dataset *ds, const struct cs_incentives *inc,
                            const struct cs_outcomes *oc, const struct cs_analysis *an,
                            struct cs_plot_when *w)
{
    memset(w, 0, sizeof *w);
    w->risk = an->promise_data;
    w->pooled = an->sel.mode != CS_SELECT_QUARTER;
    w->last14_share = an->timing ? an->timing->last14_share : NAN;
    w->expected_share = an->timing ? an->timing->expected_share : NAN;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(&an->sel, inc->quarter[i]))
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

/* Units for currency amounts: divisor and word. */
static double money_unit(double max, const char **word)
{
    if (max >= 2e6) {
        *word = "millions";
        return 1e6;
    }
    if (max >= 2e3) {
        *word = "thousands";
        return 1e3;
    }
    *word = "units";
    return 1.0;
}

void cs_plot_when_script(FILE *f, const struct cs_plot_when *w, const char *base)
{
    double max = 0, ymax2 = 0;
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++)
        if (w->bookings[d] > max)
            max = w->bookings[d];
    const char *unit;
    double div = money_unit(max, &unit);
    gp_begin(f, "when", base);
    fputs("# days before the period end, bookings closed that day (in the unit of the y label)\n"
          "$days << EOD\n", f);
    for (size_t d = 0; d < CS_PLOT_WHEN_DAYS; d++) {
        fprintf(f, "%zu ", d);
        gp_num(f, w->bookings[d] / div);
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
            gp_num(f, 0.5 * (first + last));
            fputc(' ', f);
            gp_num(f, 100 * wi.rate);
            fputc(' ', f);
            gp_num(f, 100 * wi.low);
            fputc(' ', f);
            gp_num(f, 100 * wi.high);
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
    gp_title(f, title);
    gp_set_text(f, "xlabel", "days before the end of the plan period (0 = its last day)");
    {
        char yl[96];
        snprintf(yl, sizeof yl, "bookings closed that day (%s%s)", unit,
                 w->pooled ? ", all periods added up" : "");
        gp_set_text(f, "ylabel", yl);
    }
    fprintf(f, "set xrange [%g:-0.5]\n", CS_PLOT_WHEN_DAYS - 0.5);
    fprintf(f, "set yrange [0:%g]\n", nice_ceil(1.15 * max / div));
    fputs("set xtics 0, 7 out nomirror\n", f);
    fputs("set style fill solid 0.85 noborder\n", f);
    fputs("set boxwidth 0.8\n", f);
    /* the last 14 days (days_to_period_end < 14), where end-of-period pressure shows */
    fputs("set object 1 rectangle from first 13.5, graph 0 to first -0.5, graph 1 behind "
          "fc rgb '" GP_SHADE "' fs solid 1.0 noborder\n", f);
    fputs("set label 1 'last 14 days' at first 7, graph 0.97 center tc rgb '#4a5568' noenhanced\n", f);
    if (w->risk) {
        gp_set_text(f, "y2label", "deals with a risky promise (per week, 95% interval)");
        fprintf(f, "set y2range [0:%g]\n", pct_ceil(1.1 * ymax2));
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
        gp_note(f, note, 5);
    }
    fputs("set key at graph 0.01, graph 0.99 top left\n", f);
    fprintf(f, "plot $days using 1:2 with boxes lt 1 title 'bookings per day%s'",
            w->risk ? " (left axis)" : "");
    if (w->risk)
        fputs(", \\\n     $weeks using 1:2:3:4 axes x1y2 with yerrorbars lt 2 pt 7 ps 1.6 "
              "title 'share of deals with a risky promise, weekly (right axis)', \\\n"
              "     $weeks using 1:2 axes x1y2 with lines lt 2 lw 2 notitle", f);
    fputc('\n', f);
    gp_end(f, base);
}

/* ======================================================================
 * "threshold"
 * ==================================================================== */

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
    gp_begin(f, "threshold", base);
    fputs("# bin centre (% of quota), rep-periods in the bin, counterfactual (polynomial fit)\n"
          "$bins << EOD\n", f);
    for (size_t j = 0; j < CS_BUNCH_BINS; j++) {
        const struct cs_bunch_bin *b = &e->bins[j];
        gp_num(f, 100 * b->centre);
        fputc(' ', f);
        gp_num(f, b->count);
        fputc(' ', f);
        gp_num(f, b->fit);
        fputc('\n', f);
        if (b->count > ymax)
            ymax = b->count;
        if (isfinite(b->fit) && b->fit > ymax)
            ymax = b->fit;
    }
    fputs("EOD\n", f);

    char title[384], line[256], a[64], b[64];
    bool clear = isfinite(e->z) && fabs(e->z) >= CS_Z95;
    if (clear && e->excess_mass > 0)
        snprintf(title, sizeof title,
                 "Plan %s: more rep-%ss end just above the %.0f%% floor than the smooth pattern predicts",
                 t->plan, word, fpct);
    else if (clear)
        snprintf(title, sizeof title,
                 "Plan %s: fewer rep-%ss end just above the %.0f%% floor than the smooth pattern predicts",
                 t->plan, word, fpct);
    else
        snprintf(title, sizeof title, "Plan %s: no clear bunching at the %.0f%% floor", t->plan, fpct);
    gp_title(f, title);
    {
        char xl[96];
        snprintf(xl, sizeof xl, "final attainment of a rep in a %s (%% of quota, bins of 2 points)", word);
        gp_set_text(f, "xlabel", xl);
        snprintf(xl, sizeof xl, "rep-%ss", word);
        gp_set_text(f, "ylabel", xl);
    }
    fprintf(f, "set xrange [%g:%g]\n", fpct - 40, fpct + 40);
    fprintf(f, "set yrange [0:%g]\n", nice_ceil(1.5 * ymax));
    fputs("set xtics 10 out nomirror\nset format x '%g%%'\n", f);
    fputs("set style fill solid 0.85 noborder\nset boxwidth 1.6\n", f);
    /* the excluded window of SPEC 7.6: bins with left edge in [f-0.06, f+0.06) */
    fprintf(f, "set object 1 rectangle from first %g, graph 0 to first %g, graph 1 behind "
               "fc rgb '" GP_SHADE "' fs solid 1.0 noborder\n", fpct - 6, fpct + 6);
    fprintf(f, "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead front lt 4 lw 2.5 dt 2\n",
            fpct, fpct);
    fputs("set label 1 ", f);
    gp_quotef(f, "%.0f%% floor", fpct);
    fprintf(f, " at first %g, graph 0.97 left offset 0.5,0 tc rgb '" GP_RED "' noenhanced\n", fpct);
    /* the estimates in three short lines in the top right corner, clear of
     * the key (top left) and of the floor marker (centre) */
    pm(a, sizeof a, e->excess_mass, e->excess_mass_se);
    snprintf(line, sizeof line, "excess above the floor: %s rep-%ss", a, word);
    fputs("set label 2 ", f);
    cs_gp_quote(f, line);
    fputs(" at graph 0.99, graph 0.95 right front font ',13' noenhanced\n", f);
    pm(b, sizeof b, e->b, e->b_se);
    snprintf(line, sizeof line, "relative to the smooth pattern: %s%s", b,
             e->thin ? " (thin: unstable)" : "");
    fputs("set label 3 ", f);
    cs_gp_quote(f, line);
    fputs(" at graph 0.99, graph 0.89 right front font ',13' noenhanced\n", f);
    if (t->placebo && t->placebo->verdict == CS_BUNCH_OK) {
        pm(a, sizeof a, t->placebo->excess_mass, t->placebo->excess_mass_se);
        snprintf(line, sizeof line, "placebo at %.0f%% (no floor): %s",
                 100 * t->placebo->threshold, a);
        fputs("set label 4 ", f);
        cs_gp_quote(f, line);
        fputs(" at graph 0.99, graph 0.83 right front font ',13' tc rgb '#4a5568' noenhanced\n", f);
    }
    {
        char note[384];
        char count[32];
        snprintf(note, sizeof note,
                 "%s rep-%ss within 40 points of the floor. Shaded: left out of the fit. "
                 "\xc2\xb1: bootstrap standard error. A placebo, away from any floor, should show about 0.",
                 cs_fmt_count(count, sizeof count, e->n_binned), word);
        gp_note(f, note, 5);
    }
    fputs("set key top left\n", f);
    fputs("plot $bins using 1:2 with boxes lt 1 title ", f);
    gp_quotef(f, "rep-%ss in the bin", word);
    fputs(", \\\n"
          "     $bins using 1:3 with lines lt 3 lw 3 title 'smooth counterfactual', \\\n"
          "     NaN with boxes fc rgb '" GP_SHADE "' title 'window left out of the fit'\n", f);
    gp_end(f, base);
}

/* ======================================================================
 * "how strong"
 * ==================================================================== */

/* Reader's labels and the unit each odds ratio is rescaled to. */
static const struct {
    const char *term, *label;
    double scale;             /* OR^scale: the effect of `scale` units of the term */
} forest_terms[] = {
    {"marginal_rate", "commission rate, per +1 percentage point", 0.01},
    {"tier_cross", "deal crosses a tier floor", 1.0},
    {"last_14_days", "closed in the last 14 days of the period", 1.0},
    {"log_amount", "deal size, per doubling", 0.69314718055994531},
    {"spiff", "SPIFF on the product", 1.0},
    {"type[expansion]", "expansion deal (against new)", 1.0},
    {"type[renewal]", "renewal deal (against new)", 1.0},
};

bool cs_plot_forest_aggregate(const struct cs_analysis *an, struct cs_plot_forest *fo)
{
    memset(fo, 0, sizeof *fo);
    const struct cs_model_result *m = &an->model[CS_MODEL_PROMISE_RISK];
    const struct cs_regress_fit *fit = m->fit;
    if (fit && fit->separation && m->firth && m->firth->fitted) {
        fit = m->firth;
        fo->firth = true;
    }
    if (!fit || !fit->fitted)
        return false;
    fo->deals = fit->n;
    for (size_t j = 0; j < fit->n_dropped && fo->left_out < CS_REGRESS_MAX_TERMS; j++)
        fo->left_out_terms[fo->left_out++] = fit->dropped[j];
    for (size_t j = 0; j < fit->k && fo->n < CS_REGRESS_MAX_TERMS; j++) {
        const struct cs_regress_term *t = &fit->terms[j];
        if (strcmp(t->name, "(Intercept)") == 0)
            continue;
        if (!isfinite(t->estimate) || !isfinite(t->ci_low) || !isfinite(t->ci_high)) {
            if (fo->left_out < CS_REGRESS_MAX_TERMS)
                fo->left_out_terms[fo->left_out++] = t->name;
            continue;
        }
        double scale = 1.0;
        const char *label = t->name;
        for (size_t k = 0; k < sizeof forest_terms / sizeof forest_terms[0]; k++)
            if (strcmp(t->name, forest_terms[k].term) == 0) {
                scale = forest_terms[k].scale;
                label = forest_terms[k].label;
            }
        struct cs_plot_forest_row *r = &fo->rows[fo->n++];
        r->term = t->name;
        r->label = label;
        r->odds_ratio = exp(scale * t->estimate);
        r->low = exp(scale * t->ci_low);
        r->high = exp(scale * t->ci_high);
    }
    if (fo->n == 0)
        return false;
    return true;
}

void cs_plot_forest_script(FILE *f, const struct cs_plot_forest *fo, const char *base)
{
    double lo = 1, hi = 1;
    for (size_t i = 0; i < fo->n; i++) {
        if (fo->rows[i].low < lo)
            lo = fo->rows[i].low;
        if (fo->rows[i].high > hi)
            hi = fo->rows[i].high;
    }
    /* readable tics on a log axis come from a ladder of round values */
    static const double ladder[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1,
                                    1.25, 1.5, 2, 3, 4, 5, 10, 20, 50, 100};
    const size_t nl = sizeof ladder / sizeof ladder[0], one = 10;
    /* symmetric on the log scale around 1, so that equal distances read as
     * equal effects, and ending on a round value beyond the widest interval */
    double span = fmax(log(hi), -log(lo)) * 1.08;
    if (span < log(1.25))
        span = log(1.25);
    for (size_t k = one + 1; k < nl; k++)
        if (log(ladder[k]) >= span - 1e-9) {
            span = log(ladder[k]);
            break;
        }
    double xmin = exp(-span) * 0.999, xmax = exp(span) * 1.001;
    gp_begin(f, "how-strong", base);
    fputs("# row (top = 1st term), odds ratio, 95% interval low, high, linetype "
          "(2: the interval excludes 1, 6: it does not)\n$or << EOD\n", f);
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        fprintf(f, "%zu ", fo->n - i);
        gp_num(f, r->odds_ratio);
        fputc(' ', f);
        gp_num(f, r->low);
        fputc(' ', f);
        gp_num(f, r->high);
        fprintf(f, " %d\n", r->low > 1 || r->high < 1 ? 2 : 6);
    }
    fputs("EOD\n", f);
    gp_title(f, "How strongly each plan element goes with a risky promise");
    gp_set_text(f, "xlabel", "odds ratio of a risky promise, 95% interval (log scale; "
                             "1 = no association, right of 1 = more likely)");
    fputs("unset ylabel\n", f);
    fputs("set logscale x\n", f);
    fprintf(f, "set xrange [%.6g:%.6g]\n", xmin, xmax);
    fprintf(f, "set yrange [0.4:%g]\n", (double)fo->n + 0.6);
    /* tics: the ladder values in range and at least a ninth of the axis
     * apart, walking out from 1 */
    double minsep = 2 * span / 9;
    bool keep[sizeof ladder / sizeof ladder[0]] = {false};
    keep[one] = true;
    for (int dir = -1; dir <= 1; dir += 2) {
        double last = 0;   /* log(1) */
        for (size_t k = one + (size_t)dir; k < nl; k += (size_t)dir) {
            double lv = log(ladder[k]);
            if (ladder[k] < xmin || ladder[k] > xmax)
                break;
            if (fabs(lv - last) >= minsep) {
                keep[k] = true;
                last = lv;
            }
        }
    }
    fputs("set xtics (", f);
    bool first = true;
    for (size_t k = 0; k < nl; k++) {
        if (!keep[k])
            continue;
        fputs(first ? "" : ", ", f);
        gp_quotef_tic(f, "%g", ladder[k]);
        fprintf(f, " %g", ladder[k]);
        first = false;
    }
    fputs(") out nomirror\n", f);
    fputs("set ytics (", f);
    for (size_t i = 0; i < fo->n; i++) {
        cs_gp_quote_tic(f, fo->rows[i].label);
        fprintf(f, " %zu%s", fo->n - i, i + 1 < fo->n ? ", " : "");
    }
    fputs(") scale 0 noenhanced\n", f);
    fputs("set grid noytics xtics\n", f);
    fputs("set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead back lt 3 lw 1.5 dt 2\n", f);
    /* the numbers, right of the plot, for those who read them aloud */
    fputs("set rmargin 24\n", f);
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        fprintf(f, "set label %zu ", i + 1);
        if (r->high < 100)
            gp_quotef(f, "%.2f (%.2f to %.2f)", r->odds_ratio, r->low, r->high);
        else
            gp_quotef(f, "%.3g (%.3g to %.3g)", r->odds_ratio, r->low, r->high);
        fprintf(f, " at graph 1.02, first %zu left noenhanced\n", fo->n - i);
    }
    {
        char note[512];
        char deals[32];
        int len = snprintf(note, sizeof note,
                           "Logistic model over %s deals, intervals from rep-clustered standard "
                           "errors%s. Associations, not proof of cause.",
                           cs_fmt_count(deals, sizeof deals, fo->deals),
                           fo->firth ? " (Firth fit: the data separate)" : "");
        for (size_t i = 0; i < fo->left_out && len > 0 && (size_t)len < sizeof note; i++)
            len += snprintf(note + len, sizeof note - (size_t)len, "%s%s", i ? ", " : " Not shown (no variation or no interval): ",
                            fo->left_out_terms[i]);
        if (fo->left_out && len > 0 && (size_t)len + 1 < sizeof note)
            memcpy(note + len, ".", 2);
        gp_note(f, note, 6);
    }
    fputs("set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox\n", f);
    fputs("plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle, \\\n"
          "     NaN with points lt 2 pt 7 ps 1.8 title 'interval excludes 1', \\\n"
          "     NaN with points lt 6 pt 7 ps 1.8 title 'no clear effect'\n", f);
    gp_end(f, base);
}

/* ======================================================================
 * Rates by category: "per tier" and "collateral"
 * ==================================================================== */

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

enum cs_status cs_plot_tier_aggregate(const struct cs_dataset *ds, const struct cs_incentives *inc,
                                      const struct cs_outcomes *oc, const struct cs_selection *sel,
                                      struct cs_plot_rates *r, struct cs_error *err)
{
    memset(r, 0, sizeof *r);
    r->min_n = CS_PLOT_TIER_MIN;
    /* the distinct rates are those of the plans' tiers: at most n_tiers of them */
    size_t cap = ds->plans.n_tiers ? ds->plans.n_tiers : 1, m = 0;
    struct rate_count *rc = calloc(cap, sizeof *rc);
    if (!rc)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]) || !isfinite(inc->marginal_rate[i]))
            continue;
        double x = inc->marginal_rate[i];
        size_t j = 0;
        while (j < m && fabs(rc[j].rate - x) > 1e-12)
            j++;
        if (j == m) {
            if (m == cap) {      /* only with plans other than ds's (a what-if) */
                struct rate_count *g = realloc(rc, 2 * cap * sizeof *rc);
                if (!g) {
                    free(rc);
                    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                }
                rc = g;
                cap *= 2;
            }
            rc[m++] = (struct rate_count){.rate = x};
        }
        rc[j].n++;
        rc[j].k += oc->promise_risk[i] != 0;
    }
    qsort(rc, m, sizeof *rc, cmp_rate);
    for (size_t j = 0; j < m; j++) {
        char label[32];
        snprintf(label, sizeof label, "%.4g%%", 100 * rc[j].rate);
        cat_push(r, label, rc[j].k, rc[j].n, false, 0);
    }
    free(rc);
    return CS_OK;
}

enum cs_status cs_plot_collateral_aggregate(const struct cs_outcomes *oc,
                                            const struct cs_selection *sel,
                                            struct cs_plot_rates *r, struct cs_error *err)
{
    (void)err;
    static const char *const labels[CS_PLOT_COLLATERAL_BINS] = {
        "below 0 (ahead)", "0-10%", "10-20%", "20-30%", "30-40%", "40-50%", "50% or more"};
    size_t k[CS_PLOT_COLLATERAL_BINS] = {0}, n[CS_PLOT_COLLATERAL_BINS] = {0};
    memset(r, 0, sizeof *r);
    r->min_n = CS_PLOT_COLLATERAL_MIN;
    for (size_t a = 0; a < oc->n_assets; a++) {
        double g = oc->target_gap[a];
        if (!oc->asset_claims[a] || !isfinite(g) || !cs_selected(sel, oc->asset_quarter[a]))
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
    ymax = pct_ceil(1.15 * ymax);
    gp_begin(f, tx->kind, base);
    fprintf(f, "# category, rate in %%, 95%% Wilson interval low, high, %s, the same for reading\n"
               "$rates << EOD\n", tx->unit);
    for (size_t i = 0; i < r->n_cats; i++) {
        const struct cs_plot_cat *c = &r->cat[i];
        fprintf(f, "%zu ", c->pos);
        gp_num(f, 100 * c->w.rate);
        fputc(' ', f);
        gp_num(f, 100 * c->w.low);
        fputc(' ', f);
        gp_num(f, 100 * c->w.high);
        char count[32];
        fprintf(f, " %zu %s\n", c->n, cs_fmt_count(count, sizeof count, c->n));
    }
    fputs("EOD\n", f);
    gp_title(f, tx->title);
    gp_set_text(f, "xlabel", tx->xlabel);
    gp_set_text(f, "ylabel", tx->ylabel);
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
        gp_quotef(f, "%s: %.0f%%", tx->overall, all);
        fprintf(f, " at graph 0.99, first %.6g right offset 0,0.7 tc rgb '" GP_SLATE "' noenhanced\n", all);
    }
    {
        char note[384];
        int len = snprintf(note, sizeof note, "Bars: 95%% Wilson intervals; numbers: %s in the category.",
                           tx->unit);
        if (r->omitted && len > 0 && (size_t)len < sizeof note)
            snprintf(note + len, sizeof note - (size_t)len,
                     " Not shown: %zu in categories with fewer than %zu.", r->omitted, r->min_n);
        gp_note(f, note, 5);
    }
    fputs("set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox\n", f);
    fputs("set style textbox opaque noborder margins 1,0.5\n", f);
    fputs("plot $rates using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.8 lw 2.5 title ", f);
    cs_gp_quote(f, tx->point_title);
    /* counts on a white box: the dashed overall line passes behind them */
    fputs(", \\\n     $rates using 1:4:6 with labels offset 0,0.9 boxed "
          "tc rgb '#4a5568' font ',12' notitle\n", f);
    gp_end(f, base);
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

/* ======================================================================
 * "whatif"
 * ==================================================================== */

/* Scale of a value axis: divisor and the words for the axis label. */
static double value_unit(double max, const char **word)
{
    if (max >= 2e6) {
        *word = " (millions)";
        return 1e6;
    }
    if (max >= 2e4) {
        *word = " (thousands)";
        return 1e3;
    }
    *word = "";
    return 1.0;
}

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
    double div = value_unit(xmax, &unit);
    double x_top = nice_ceil(1.15 * (xmax > 0 ? xmax / div : 1));
    gp_begin(f, "whatif", base);
    /* The value label goes right of the bar or of its interval, whichever
     * ends later; or right of the current plan's dashed line, when it would
     * start just left of it and be crossed by it. */
    fputs("# row (top = current plan), value, linetype, where its label goes\n$v << EOD\n", f);
    fprintf(f, "%zu ", rows);
    gp_num(f, w->base / div);
    fputs(" 1 ", f);
    gp_num(f, w->base / div);
    fputc('\n', f);
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        fprintf(f, "%zu ", rows - 1 - i);
        gp_num(f, a->value / div);
        fputs(" 5 ", f);
        double at = (isfinite(a->high) ? fmax(a->high, a->value) : a->value) / div;
        if (at < w->base / div && w->base / div - at < 0.07 * x_top)
            at = w->base / div;
        gp_num(f, at);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    fputs("# row, value, 95% interval low, high (the alternatives that have one)\n$ci << EOD\n", f);
    for (size_t i = 0; i < w->n_alt; i++) {
        const struct cs_plot_whatif_alt *a = &w->alt[i];
        if (!isfinite(a->low) || !isfinite(a->high))
            continue;
        fprintf(f, "%zu ", rows - 1 - i);
        gp_num(f, a->value / div);
        fputc(' ', f);
        gp_num(f, a->low / div);
        fputc(' ', f);
        gp_num(f, a->high / div);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    gp_title(f, w->title ? w->title : "The current plan against the alternatives");
    {
        char xl[256];
        snprintf(xl, sizeof xl, "%s%s", w->axis ? w->axis : "", unit);
        gp_set_text(f, "xlabel", xl);
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
    gp_note(f, "Bars: the value under each plan; lines: 95% intervals; dashed: the current plan.", 5);
    fputs("unset key\n", f);
    /* with no interval at all, $ci is empty: gnuplot would stop on it */
    fputs("plot $v using (0):1:(0):2:($1-0.32):($1+0.32):3 with boxxyerror lc variable notitle, \\\n", f);
    for (size_t i = 0; i < w->n_alt; i++)
        if (isfinite(w->alt[i].low) && isfinite(w->alt[i].high)) {
            fputs("     $ci using 2:1:3:4 with xerrorbars lt 3 pt -1 lw 2 notitle, \\\n", f);
            break;
        }
    fputs("     $v using 4:1:(sprintf('%.4g', $2)) with labels left offset 1,0 font ',12' notitle\n", f);
    gp_end(f, base);
}

/* ======================================================================
 * "trend"
 * ==================================================================== */

enum cs_status cs_plot_trend_aggregate(const struct cs_dataset *ds, const struct cs_incentives *inc,
                                       const struct cs_analysis *an, struct cs_plot_trend *t,
                                       struct cs_error *err)
{
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
    /* quarters are contiguous: index by (year * 4 + quarter) from the first */
    int32_t q0 = t->q[0].quarter;
    long base = (long)(q0 / 10) * 4 + q0 % 10;
    for (size_t i = 0; i < inc->n; i++) {
        if (!inc->won[i] || inc->quarter[i] == CS_NO_PERIOD)
            continue;
        long idx = (long)(inc->quarter[i] / 10) * 4 + inc->quarter[i] % 10 - base;
        if (idx < 0 || (size_t)idx >= t->n || t->q[idx].quarter != inc->quarter[i])
            continue;
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
    gp_begin(f, "trend", base);
    fputs("# quarter, risky-deal rate in %, 95% Wilson low, high, "
          "share of bookings in the last 14 days in %, won deals\n$q << EOD\n", f);
    for (size_t j = 0; j < t->n; j++) {
        const struct cs_plot_trend_q *q = &t->q[j];
        fprintf(f, "%zu ", j);
        gp_num(f, t->risk ? 100 * q->w.rate : NAN);
        fputc(' ', f);
        gp_num(f, t->risk ? 100 * q->w.low : NAN);
        fputc(' ', f);
        gp_num(f, t->risk ? 100 * q->w.high : NAN);
        fputc(' ', f);
        gp_num(f, 100 * q->last14_share);
        fprintf(f, " %zu\n", q->won);
    }
    fputs("EOD\n", f);
    gp_title(f, t->risk ? "Risky-deal rate and end-of-period bookings, quarter by quarter"
                        : "End-of-period bookings, quarter by quarter");
    gp_set_text(f, "xlabel", "fiscal quarter in which the deal closed");
    gp_set_text(f, "ylabel", "% of the quarter's won deals or bookings");
    fprintf(f, "set xrange [-0.5:%g]\n", (double)t->n - 0.5);
    fprintf(f, "set yrange [0:%g]\n", pct_ceil(1.3 * ymax));
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
    {
        char note[384];
        int len = snprintf(note, sizeof note, "Bars: 95%% Wilson intervals.");
        if (thin && len > 0 && (size_t)len < sizeof note)
            len += snprintf(note + len, sizeof note - (size_t)len,
                            " %zu quarter%s with fewer than half the usual deals: read %s with care.",
                            thin, thin == 1 ? "" : "s", thin == 1 ? "it" : "them");
        if (t->annual && len > 0 && (size_t)len < sizeof note)
            snprintf(note + len, sizeof note - (size_t)len,
                     " Annual plans end with the fiscal year: their last 14 days fall in its last quarter.");
        gp_note(f, note, 5);
    }
    fputs("set key top left\n", f);
    fputs("plot ", f);
    if (t->risk)
        fputs("$q using 1:2:3:4 with yerrorlines lt 2 pt 7 ps 1.6 "
              "title 'deals with a risky promise (95% interval)', \\\n     ", f);
    fputs("$q using 1:5 with linespoints lt 1 pt 5 ps 1.4 "
          "title 'bookings closed in the last 14 days of the plan period'\n", f);
    gp_end(f, base);
}

/* ======================================================================
 * Running gnuplot
 * ==================================================================== */

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 24 || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* Remove the private directory and whatever gnuplot left in it. */
static void remove_tmpdir(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = strfmt("%s/%s", tmp, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(tmp);
}

/* The line of gnuplot's standard error that says what went wrong, cleaned
 * of control characters (it may echo a data-derived label) and cut. */
static void first_error_line(const char *path, char *out, size_t n)
{
    char buf[8192], cmd[160] = "";
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *found = NULL, *fallback = NULL;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (strncmp(line, "gnuplot>", 8) == 0) {
            snprintf(cmd, sizeof cmd, "%s", line + 8);
            continue;
        }
        if (*line == '\0' || *line == '^' || strncmp(line, "warning:", 8) == 0)
            continue;
        if (strstr(line, "line ") && strchr(line, ':')) {
            found = line;
            break;
        }
        if (!fallback)
            fallback = line;
    }
    if (!found)
        found = fallback;
    if (!found)
        return;
    size_t k = 0;
    const char *parts[2] = {found, cmd};
    for (int p = 0; p < 2; p++) {
        if (p == 1) {
            if (!cmd[0] || found == fallback)
                break;
            const char *sep = " (in:";
            for (const char *s = sep; *s && k + 1 < n; s++)
                out[k++] = *s;
        }
        for (const unsigned char *s = (const unsigned char *)parts[p]; *s && k + 1 < n && k < 300; s++)
            if (*s >= 0x20 && *s != 0x7f)
                out[k++] = (char)*s;
        if (p == 1 && k + 1 < n)
            out[k++] = ')';
    }
    out[k] = '\0';
}

/* One gnuplot process in flight. */
struct gp_proc {
    pid_t pid;
    char *dir;                /* where the outputs go */
    char *name;
    char *tmp;                /* DIR/.NAME.XXXXXX, gnuplot's working directory */
    int write_errno;          /* a failed write of the script (EPIPE: gnuplot quit early) */
    struct timespec deadline; /* CLOCK_MONOTONIC: killed if still running then */
    bool timed_out;           /* it was */
};

/*
 * How long one gnuplot may run.  A plot is drawn from aggregates in well
 * under a second, so the limit only ends a gnuplot that hangs (one was
 * seen waiting forever on fontconfig after a failed allocation), which
 * would otherwise hang the report.  COMPSIGHT_GNUPLOT_TIMEOUT sets it in
 * seconds.
 */
#define GP_TIMEOUT_DEFAULT 120.0

static double gp_timeout(void)
{
    const char *env = getenv("COMPSIGHT_GNUPLOT_TIMEOUT");
    double t;
    if (env && cs_parse_number(env, strlen(env), false, false, &t) && t > 0 && t < 1e7)
        return t;
    return GP_TIMEOUT_DEFAULT;
}

/* p's deadline: gp_timeout() seconds from now. */
static void set_deadline(struct gp_proc *p)
{
    clock_gettime(CLOCK_MONOTONIC, &p->deadline);
    double end = (double)p->deadline.tv_nsec / 1e9 + gp_timeout();
    p->deadline.tv_sec += (time_t)end;
    p->deadline.tv_nsec = (long)((end - floor(end)) * 1e9);
}

/* Milliseconds left before p's deadline (0 when past), for poll(). */
static int ms_left(const struct gp_proc *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(p->deadline.tv_sec - now.tv_sec) * 1e3 +
                (double)(p->deadline.tv_nsec - now.tv_nsec) / 1e6;
    return ms <= 0 ? 0 : ms > (double)INT_MAX ? INT_MAX : (int)ceil(ms);
}

/* Why gnuplot's plot script gp was not drawn when it ran out of time. */
static enum cs_status timeout_error(struct cs_error *err, const char *gp, const char *how)
{
    return cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL,
                        "%sgnuplot did not finish within %g s and was stopped "
                        "(COMPSIGHT_GNUPLOT_TIMEOUT sets the limit)", how, gp_timeout());
}

/* Past the deadline: kill gnuplot (gp_wait then reaps it). */
static void gp_kill(struct gp_proc *p)
{
    p->timed_out = true;
    kill(p->pid, SIGKILL);
}

static void proc_release(struct gp_proc *p)
{
    if (p->tmp)
        remove_tmpdir(p->tmp);
    free(p->dir);
    free(p->name);
    free(p->tmp);
    memset(p, 0, sizeof *p);
}

/* Spawn gnuplot in p->tmp with stdin from fd, stdout to /dev/null, stderr to gnuplot.err. */
static int spawn_gnuplot(struct gp_proc *p, int fd)
{
    char *argv[] = {"gnuplot", NULL};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    /* posix_spawn: no copy of a large address space, and chdir in the
     * child without handing the directory name to a shell */
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return rc;
    if ((rc = posix_spawn_file_actions_addchdir_np(&fa, p->tmp)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&fa, fd, 0)) == 0 &&
        (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
        (rc = posix_spawn_file_actions_addopen(&fa, 2, "gnuplot.err",
                                               O_WRONLY | O_CREAT | O_TRUNC, 0600)) == 0)
        rc = posix_spawnp(&p->pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
#else
    pid_t pid = fork();
    if (pid < 0)
        return errno;
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY), e;
        if (chdir(p->tmp) != 0 || dup2(fd, 0) < 0 || nul < 0 || dup2(nul, 1) < 0 ||
            (e = open("gnuplot.err", O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execvp("gnuplot", argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
#endif
}

/*
 * Start gnuplot on script in a fresh DIR/.NAME.XXXXXX.  On CS_OK the
 * process runs and gp_finish must be called; on error nothing is left.
 */
static enum cs_status gp_start(const char *dir, const char *name, const char *script, size_t len,
                               struct gp_proc *p, struct cs_error *err)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    set_deadline(p);
    p->dir = strfmt("%s", dir);
    p->name = strfmt("%s", name);
    p->tmp = strfmt("%s/.%s.XXXXXX", dir, name);
    if (!p->dir || !p->name || !p->tmp) {
        proc_release(p);
        return oom(err);
    }
    if (!mkdtemp(p->tmp)) {
        enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                         "cannot create a temporary directory in %s: %s", dir,
                                         strerror(errno));
        free(p->tmp);
        p->tmp = NULL;
        proc_release(p);
        return st;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "pipe: %s",
                                         strerror(errno));
        proc_release(p);
        return st;
    }
    int rc = spawn_gnuplot(p, fds[0]);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        enum cs_status st = rc == ENOENT
            ? cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "gnuplot not found")
            : cs_error_set(err, rc == ENOMEM ? CS_ERR_NOMEM : CS_ERR_OUTPUT, NULL, 0, NULL,
                           "cannot start gnuplot: %s", strerror(rc));
        p->pid = -1;
        proc_release(p);
        return st;
    }
    /* A gnuplot that quits early (an error in the script) closes the pipe:
     * the write must fail with EPIPE, not kill compsight.  SIGPIPE is
     * blocked for this thread only (plots are drawn while another thread
     * writes other files), and one it raised is taken off before the mask
     * is restored. */
    sigset_t pipe_set, old_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    /* Without blocking, so that a gnuplot that hangs before it has read
     * the script cannot keep the write waiting past the deadline. */
    int fl = fcntl(fds[1], F_GETFL);
    if (fl >= 0)
        (void)fcntl(fds[1], F_SETFL, fl | O_NONBLOCK);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fds[1], script + off, len - off);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = fds[1], .events = POLLOUT};
            int r = poll(&pf, 1, ms_left(p));
            if (r == 0) {
                gp_kill(p);
                break;
            }
            continue;
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            p->write_errno = errno;
            break;
        }
        off += (size_t)w;
    }
    close(fds[1]);
    if (p->write_errno == EPIPE) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &now) == SIGPIPE)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return CS_OK;
}

/* Wait for gnuplot to exit, killing it at its deadline (p->timed_out);
 * -1 and errno when waiting failed. */
static int gp_wait(struct gp_proc *p, int *status)
{
    pid_t r;
    if (!p->timed_out) {
        /* A descriptor that becomes readable when the process ends (Linux
         * 5.3): poll it until the deadline.  Without one, look every 10 ms. */
#ifdef SYS_pidfd_open
        int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#else
        int fd = -1;
#endif
        for (;;) {
            r = waitpid(p->pid, status, WNOHANG);
            if (r != 0 && !(r < 0 && errno == EINTR))
                break;
            int left = ms_left(p);
            if (left == 0) {
                gp_kill(p);
                break;
            }
            if (fd >= 0) {
                struct pollfd pf = {.fd = fd, .events = POLLIN};
                (void)poll(&pf, 1, left);
            } else {
                struct timespec nap = {0, 10000000};
                nanosleep(&nap, NULL);
            }
        }
        if (fd >= 0)
            close(fd);
        if (r != 0)              /* it exited, or waiting failed; 0: killed */
            return r < 0 ? -1 : 0;
    }
    do
        r = waitpid(p->pid, status, 0);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

/*
 * Run `gnuplot --version`: its first line into line[0..n) and true when
 * it names gnuplot and exits 0; else false and why.  It gets the same
 * deadline as a plot: a gnuplot that hangs here would otherwise hang the
 * report before its first plot.
 */
static bool probe_gnuplot(char *line, size_t n, char *why, size_t why_n, bool *missing)
{
    struct gp_proc p;
    memset(&p, 0, sizeof p);
    line[0] = '\0';
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, why_n, "cannot run gnuplot --version: pipe: %s", strerror(errno));
        return false;
    }
    char *argv[] = {"gnuplot", "--version", NULL};
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        if ((rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 1)) == 0 &&
            (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) == 0)
            rc = posix_spawnp(&p.pid, "gnuplot", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        *missing = rc == ENOENT;
        if (rc == ENOENT)
            snprintf(why, why_n, "gnuplot not found");
        else
            snprintf(why, why_n, "cannot run gnuplot --version: %s", strerror(rc));
        return false;
    }
    set_deadline(&p);
    size_t used = 0;
    for (;;) {
        struct pollfd pf = {.fd = fds[0], .events = POLLIN};
        int r = poll(&pf, 1, ms_left(&p));
        if (r == 0) {
            gp_kill(&p);
            break;
        }
        char buf[256];
        ssize_t k = r < 0 ? -1 : read(fds[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k && used + 1 < n; i++)
            line[used++] = buf[i];
    }
    line[used] = '\0';
    close(fds[0]);
    int status = 0;
    if (gp_wait(&p, &status) != 0) {
        snprintf(why, why_n, "cannot run gnuplot --version: waiting: %s", strerror(errno));
        return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (p.timed_out) {
        snprintf(why, why_n, "gnuplot --version did not answer within %g s and was stopped; "
                 "COMPSIGHT_GNUPLOT_TIMEOUT sets the limit", gp_timeout());
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(why, why_n, "gnuplot not found");
        *missing = true;
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(line, "gnuplot", 7) != 0) {
        snprintf(why, why_n, "gnuplot --version failed");
        return false;
    }
    return true;
}

/*
 * The probe's answer, kept for the PATH it was found on: a report asks
 * several times (the report's plots, each proposal plot, the index), and
 * a gnuplot that hangs should cost one deadline, not one a question.
 */
static struct {
    pthread_mutex_t lock;
    char *path;               /* PATH when probed; NULL: not probed */
    bool ok, missing;         /* missing: not installed (else why says what failed) */
    char version[64];
    char why[200];
} probed = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool cs_plot_gnuplot_available(char *version, size_t n)
{
    const char *path = getenv("PATH");
    path = path ? path : "";
    pthread_mutex_lock(&probed.lock);
    if (!probed.path || strcmp(probed.path, path) != 0) {
        free(probed.path);
        probed.missing = false;
        probed.ok = probe_gnuplot(probed.version, sizeof probed.version, probed.why,
                                  sizeof probed.why, &probed.missing);
        if (probed.ok)
            probed.why[0] = '\0';
        else
            probed.version[0] = '\0';
        probed.path = strdup(path);     /* NULL: asked again next time */
    }
    bool ok = probed.ok;
    if (version && n)
        snprintf(version, n, "%s", probed.version);
    pthread_mutex_unlock(&probed.lock);
    return ok;
}

bool cs_plot_gnuplot_problem(char *why, size_t n)
{
    pthread_mutex_lock(&probed.lock);
    snprintf(why, n, "%s", probed.path && !probed.ok ? probed.why : "");
    bool missing = probed.path && !probed.ok && probed.missing;
    pthread_mutex_unlock(&probed.lock);
    return missing;
}

/* Move NAME.png and NAME.svg that gnuplot drew in p->tmp into p->dir. */
static enum cs_status move_images(const struct gp_proc *p, const char *name, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    char *gp = strfmt("%s/%s.gp", p->dir, name);
    char *from_png = strfmt("%s/%s.png", p->tmp, name), *from_svg = strfmt("%s/%s.svg", p->tmp, name);
    char *to_png = strfmt("%s/%s.png", p->dir, name), *to_svg = strfmt("%s/%s.svg", p->dir, name);
    struct stat sb;
    if (!gp || !from_png || !from_svg || !to_png || !to_svg)
        st = oom(err);
    else if (stat(from_png, &sb) != 0 || sb.st_size == 0 || stat(from_svg, &sb) != 0 ||
             sb.st_size == 0)
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot wrote no %s.png or %s.svg",
                          name, name);
    else if (rename(from_png, to_png) != 0)
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", to_png, strerror(errno));
    else if (rename(from_svg, to_svg) != 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", to_svg, strerror(errno));
        unlink(to_png);      /* both or neither */
    }
    free(gp);
    free(from_png);
    free(from_svg);
    free(to_png);
    free(to_svg);
    return st;
}

/* Wait for gnuplot; on success move NAME.png and NAME.svg into DIR. */
static enum cs_status gp_finish(struct gp_proc *p, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    int status = 0;
    char *gp = strfmt("%s/%s.gp", p->dir, p->name);
    char *errfile = strfmt("%s/gnuplot.err", p->tmp);
    int r = gp_wait(p, &status);
    if (!gp || !errfile) {
        st = oom(err);
        goto out;
    }
    if (r < 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "waiting for gnuplot: %s", strerror(errno));
        goto out;
    }
    if (p->timed_out) {
        st = timeout_error(err, gp, "");
        goto out;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot not found");
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[400];
        first_error_line(errfile, line, sizeof line);
        if (WIFSIGNALED(status))
            st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot killed by signal %d%s%s",
                              WTERMSIG(status), line[0] ? ": " : "", line);
        else
            st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot failed (exit %d)%s%s",
                              WEXITSTATUS(status), line[0] ? ": " : "", line);
        goto out;
    }
    if (p->write_errno) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "writing to gnuplot: %s",
                          strerror(p->write_errno));
        goto out;
    }
    st = move_images(p, p->name, err);
out:
    free(gp);
    free(errfile);
    proc_release(p);
    return st;
}

/* Write DIR/NAME.gp atomically. */
static enum cs_status write_script(const char *dir, const char *name, const char *script,
                                   size_t len, struct cs_error *err)
{
    char file[40];
    snprintf(file, sizeof file, "%s.gp", name);
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, file, err);
    if (st != CS_OK)
        return st;
    fwrite(script, 1, len, a.f);
    return cs_atomic_commit(&a, err);
}

enum cs_status cs_plot_run(const char *dir, const char *name, const char *script, size_t len,
                           struct cs_error *err)
{
    if (!dir || !name || !valid_name(name) || (!script && len))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plot name must be [A-Za-z0-9_-]+");
    enum cs_status st = write_script(dir, name, script, len, err);
    if (st != CS_OK)
        return st;
    struct gp_proc p;
    st = gp_start(dir, name, script, len, &p, err);
    if (st != CS_OK)
        return st;
    return gp_finish(&p, err);
}

/* ======================================================================
 * The report's plots
 * ==================================================================== */

/* At most this many gnuplot processes at once, and no more than the
 * processors online: rendering (about 0.2 s a plot), not the pipe, is what
 * takes the time. */
#define GP_PARALLEL 4

void cs_plot_list_free(struct cs_plot_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].title);
        free(l->items[i].caption);
        free(l->items[i].skipped);
        free(l->items[i].error);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

struct job {
    size_t item;              /* index in the list */
    char *buf;                /* the script */
    size_t len;
};

struct ctx {
    struct cs_plot_list *l;
    size_t cap;
    struct job *jobs;
    size_t n_jobs;
    bool nomem;               /* an allocation failed: report CS_ERR_NOMEM at the end */
    bool hung;                /* a batch's gnuplot ran past its deadline */
};

static struct cs_plot_item *add_item(struct ctx *c, const char *name, const char *kind)
{
    if (c->l->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct cs_plot_item *it = realloc(c->l->items, cap * sizeof *it);
        struct job *jb = realloc(c->jobs, cap * sizeof *jb);
        if (it)
            c->l->items = it;
        if (jb)
            c->jobs = jb;
        if (!it || !jb) {
            c->nomem = true;
            return NULL;
        }
        c->cap = cap;
    }
    struct cs_plot_item *item = &c->l->items[c->l->n++];
    memset(item, 0, sizeof *item);
    snprintf(item->name, sizeof item->name, "%s", name);
    item->kind = kind;
    return item;
}

/* Set *dst to a new formatted string (NULL and c->nomem on failure). */
__attribute__((format(printf, 3, 4)))
static void textf(struct ctx *c, char **dst, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    free(*dst);
    *dst = s;
    if (!s)
        c->nomem = true;
}

/* The script being built for the last item: a memstream, closed by job_end. */
static FILE *job_begin(struct ctx *c, struct job *j)
{
    j->item = c->l->n - 1;
    j->buf = NULL;
    j->len = 0;
    FILE *m = open_memstream(&j->buf, &j->len);
    if (!m)
        c->nomem = true;
    return m;
}

static void job_end(struct ctx *c, struct job *j, FILE *m)
{
    if (!m)
        return;
    bool bad = ferror(m) != 0;
    if (fclose(m) != 0 || bad || !j->buf) {
        free(j->buf);
        c->nomem = true;
        return;
    }
    c->l->items[j->item].script = true;
    c->jobs[c->n_jobs++] = *j;
}

/* Remove PLOTS/NAME.png and .svg (images == true) or also NAME.gp. */
static void remove_files(const char *pdir, const char *name, bool images)
{
    static const char *const ext[] = {"png", "svg", "gp"};
    for (size_t e = 0; e < (images ? 2u : 3u); e++) {
        char *p = strfmt("%s/%s.%s", pdir, name, ext[e]);
        if (p)
            unlink(p);
        free(p);
    }
}

static void remove_outputs(const char *pdir, const char *name)
{
    remove_files(pdir, name, false);
}

static void remove_images(const char *pdir, const char *name)
{
    remove_files(pdir, name, true);
}

static void plot_where(struct ctx *c, const struct cs_dataset *ds, const struct cs_incentives *inc,
                       const struct cs_outcomes *oc, const struct cs_analysis *an)
{
    char n1[32], n2[32];
    struct cs_plot_item *it = add_item(c, "where", "where");
    if (!it)
        return;
    textf(c, &it->title, "Where risky promises concentrate: attainment before the deal "
                         "\xc3\x97 weeks to period end");
    if (!an->promise_data) {
        textf(c, &it->skipped, "no roadmap.csv and promises.csv: promises cannot be classified");
        return;
    }
    struct cs_plot_where *w = malloc(sizeof *w);
    if (!w) {
        c->nomem = true;
        return;
    }
    cs_plot_where_aggregate(ds, inc, oc, &an->sel, false, w);
    if (w->cells_shown < CS_PLOT_WHERE_MIN_SHOWN)
        cs_plot_where_aggregate(ds, inc, oc, &an->sel, true, w);
    if (w->cells_shown < CS_PLOT_WHERE_MIN_SHOWN / 2) {
        textf(c, &it->skipped,
              "too few deals for a heat map: %s won deals in the period, and only %zu cells "
              "hold at least %zu of them even with coarse bins",
              cs_fmt_count(n1, sizeof n1, w->n_deals), w->cells_shown, w->min_cell);
        free(w);
        return;
    }
    textf(c, &it->caption,
          "Heat map of the share of won deals carrying an off-roadmap or premature promise, "
          "by the attainment before the deal (rows of %.0f points of quota) and the weeks left "
          "to the end of the plan period (columns of %d week%s, period end on the right); "
          "cells with fewer than %zu deals are grey, dashed lines mark the plans' tier floors; "
          "%s deals, %s with a risky promise%s.",
          100 * w->row_step, w->col_weeks, w->col_weeks == 1 ? "" : "s", w->min_cell,
          cs_fmt_count(n1, sizeof n1, w->n_deals), cs_fmt_count(n2, sizeof n2, w->n_risky),
          w->coarse ? "; coarse cells because the period has few deals" : "");
    struct job j;
    FILE *m = job_begin(c, &j);
    if (m)
        cs_plot_where_script(m, w, it->name);
    job_end(c, &j, m);
    free(w);
}

static void plot_when(struct ctx *c, const struct cs_dataset *ds, const struct cs_incentives *inc,
                      const struct cs_outcomes *oc, const struct cs_analysis *an)
{
    char n1[32];
    struct cs_plot_item *it = add_item(c, "when", "when");
    if (!it)
        return;
    struct cs_plot_when *w = malloc(sizeof *w);
    if (!w) {
        c->nomem = true;
        return;
    }
    cs_plot_when_aggregate(ds, inc, oc, an, w);
    if (isfinite(w->last14_share) && isfinite(w->expected_share))
        textf(c, &it->title,
              "%.0f%% of bookings closed in the last 14 days of the period "
              "(an even pace would give %.0f%%)",
              100 * w->last14_share, 100 * w->expected_share);
    else
        textf(c, &it->title, "Bookings by day before the end of the plan period");
    if (w->n_deals == 0) {
        textf(c, &it->skipped, "no won deal of the period closed within %d days of its period end",
              CS_PLOT_WHEN_DAYS);
        free(w);
        return;
    }
    textf(c, &it->caption,
          "Bars: bookings closed on each day before the end of the plan period (%s deals)%s; "
          "the last 14 days are shaded.",
          cs_fmt_count(n1, sizeof n1, w->n_deals),
          w->risk ? "; orange: the share of deals with a risky promise in each week, with 95% "
                    "intervals (right axis)" : "");
    struct job j;
    FILE *m = job_begin(c, &j);
    if (m)
        cs_plot_when_script(m, w, it->name);
    job_end(c, &j, m);
    free(w);
}

/* A data string for a plain-text title or reason: control characters
 * (a newline in a plan id) dropped, cut at about 80 bytes on a UTF-8
 * boundary.  The report still escapes it for Markdown and HTML. */
static const char *plain(const char *s, char *buf, size_t n)
{
    size_t k = 0, start = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if ((*p & 0xc0) != 0x80)
            start = k;            /* a character starts here */
        if (k + 1 >= n || k >= 80) {
            k = start;            /* full: drop the character this byte belongs to */
            break;
        }
        buf[k++] = (char)*p;
    }
    buf[k] = '\0';
    return buf;
}

static void plot_thresholds(struct ctx *c, const struct cs_dataset *ds, const struct cs_analysis *an)
{
    size_t k = 0;
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *b = &an->bunch[i];
        if (b->placebo)
            continue;
        const struct cs_bunching *placebo = NULL;
        for (size_t j = 0; j < an->n_bunch; j++)
            if (an->bunch[j].placebo && an->bunch[j].plan == b->plan && an->bunch[j].floor == b->floor)
                placebo = &an->bunch[j].est;
        char name[32];
        snprintf(name, sizeof name, "threshold-%zu", ++k);
        struct cs_plot_item *it = add_item(c, name, "threshold");
        if (!it)
            return;
        const char *plan_id = cs_ds_str(ds, ds->plans.id[b->plan]);
        char plan_buf[96];
        const char *plan = plain(plan_id, plan_buf, sizeof plan_buf);
        const char *word = ds->plans.period_type[b->plan] == CS_PERIOD_YEAR ? "year" : "quarter";
        const struct cs_bunching *e = &b->est;
        double fpct = 100 * b->floor;
        if (e->verdict != CS_BUNCH_OK) {
            textf(c, &it->title, "Plan %s: the %.0f%% floor", plan, fpct);
            char n1[32];
            textf(c, &it->skipped, "%s (%s rep-%ss within 40 points of the floor)",
                  cs_bunching_verdict_text(e->verdict), cs_fmt_count(n1, sizeof n1, e->n_binned),
                  word);
            continue;
        }
        bool clear = isfinite(e->z) && fabs(e->z) >= CS_Z95;
        if (clear)
            textf(c, &it->title,
                  "Plan %s: %s rep-%ss end just above the %.0f%% floor than the smooth pattern predicts",
                  plan, e->excess_mass > 0 ? "more" : "fewer", word, fpct);
        else
            textf(c, &it->title, "Plan %s: no clear bunching at the %.0f%% floor", plan, fpct);
        textf(c, &it->caption,
              "Final attainment of the plan's rep-%ss around the %.0f%% floor (bars, bins of 2 "
              "points) with the smooth counterfactual fitted outside the shaded window; excess "
              "just above the floor %.1f rep-%ss (standard error %.1f)%s.",
              word, fpct, e->excess_mass, word, e->excess_mass_se,
              placebo && placebo->verdict == CS_BUNCH_OK ? "; the placebo point is in the label" : "");
        struct cs_plot_threshold t = {.plan = plan_id, .period_word = word, .est = e, .placebo = placebo};
        struct job j;
        FILE *m = job_begin(c, &j);
        if (m)
            cs_plot_threshold_script(m, &t, it->name);
        job_end(c, &j, m);
    }
}

static void plot_forest(struct ctx *c, const struct cs_analysis *an)
{
    char n1[32];
    struct cs_plot_item *it = add_item(c, "how-strong", "how-strong");
    if (!it)
        return;
    textf(c, &it->title, "How strongly each plan element goes with a risky promise");
    const struct cs_model_result *mr = &an->model[CS_MODEL_PROMISE_RISK];
    struct cs_plot_forest *fo = malloc(sizeof *fo);
    if (!fo) {
        c->nomem = true;
        return;
    }
    if (!an->promise_data || !cs_plot_forest_aggregate(an, fo)) {
        if (!an->promise_data)
            textf(c, &it->skipped, "no roadmap.csv and promises.csv: promises cannot be classified");
        else if (mr->note && mr->note[0])
            textf(c, &it->skipped, "%s", mr->note);
        else if (!mr->fit || !mr->fit->fitted)
            textf(c, &it->skipped, "the promise_risk model could not be fitted%s%s",
                  mr->fit && mr->fit->flags ? ": " : "",
                  mr->fit && mr->fit->flags ? cs_regress_flag_text(mr->fit->flags & -mr->fit->flags) : "");
        else
            textf(c, &it->skipped, "no term of the promise_risk model has a finite interval "
                                   "(too few reps for clustered standard errors?)");
        free(fo);
        return;
    }
    textf(c, &it->caption,
          "Odds ratios of a risky promise from the promise_risk model (%s deals) with 95%% "
          "intervals from rep-clustered standard errors, on a log scale; commission rate per +1 "
          "percentage point, deal size per doubling; orange where the interval excludes 1.%s",
          cs_fmt_count(n1, sizeof n1, fo->deals),
          fo->firth ? " Firth fit, because the data separate." : "");
    struct job j;
    FILE *m = job_begin(c, &j);
    if (m)
        cs_plot_forest_script(m, fo, it->name);
    job_end(c, &j, m);
    free(fo);
}

static enum cs_status plot_tier(struct ctx *c, const struct cs_dataset *ds,
                                const struct cs_incentives *inc, const struct cs_outcomes *oc,
                                const struct cs_analysis *an, struct cs_error *err)
{
    char n1[32];
    struct cs_plot_item *it = add_item(c, "per-tier", "per-tier");
    if (!it)
        return CS_OK;
    textf(c, &it->title, "Risky-promise rate by the commission rate in force when the deal closed");
    if (!an->promise_data) {
        textf(c, &it->skipped, "no roadmap.csv and promises.csv: promises cannot be classified");
        return CS_OK;
    }
    struct cs_plot_rates *r = malloc(sizeof *r);
    if (!r) {
        c->nomem = true;
        return CS_OK;
    }
    enum cs_status st = cs_plot_tier_aggregate(ds, inc, oc, &an->sel, r, err);
    if (st != CS_OK) {
        free(r);
        return st;
    }
    if (r->n_cats < 2) {
        textf(c, &it->skipped, "fewer than two commission rates with at least %zu deals in the period",
              r->min_n);
    } else {
        textf(c, &it->caption,
              "Share of won deals with a risky promise at each marginal commission rate, with 95%% "
              "Wilson intervals and deal counts; dashed: all %s deals.",
              cs_fmt_count(n1, sizeof n1, r->n_total));
        struct job j;
        FILE *m = job_begin(c, &j);
        if (m)
            cs_plot_tier_script(m, r, it->name);
        job_end(c, &j, m);
    }
    free(r);
    return CS_OK;
}

#define COLLATERAL_MIN_ASSETS 20

static enum cs_status plot_collateral(struct ctx *c, const struct cs_outcomes *oc,
                                      const struct cs_analysis *an, struct cs_error *err)
{
    struct cs_plot_item *it = add_item(c, "collateral", "collateral");
    if (!it)
        return CS_OK;
    textf(c, &it->title, "Misstated collateral by marketing target pressure when it was published");
    if (!an->collateral_data) {
        textf(c, &it->skipped, "no collateral.csv, claims.csv and targets.csv");
        return CS_OK;
    }
    struct cs_plot_rates *r = malloc(sizeof *r);
    if (!r) {
        c->nomem = true;
        return CS_OK;
    }
    enum cs_status st = cs_plot_collateral_aggregate(oc, &an->sel, r, err);
    if (st != CS_OK) {
        free(r);
        return st;
    }
    if (r->n_total < COLLATERAL_MIN_ASSETS || r->n_cats < 2) {
        textf(c, &it->skipped,
              "too few assets: %zu published in the period with claims and a marketing target "
              "(at least %d, in two target-gap bins, are needed)", r->n_total, COLLATERAL_MIN_ASSETS);
    } else {
        textf(c, &it->caption,
              "Share of marketing assets with a misstated claim by the owner's target gap in the "
              "quarter of publication, with 95%% Wilson intervals and asset counts; dashed: all %zu "
              "assets.", r->n_total);
        struct job j;
        FILE *m = job_begin(c, &j);
        if (m)
            cs_plot_collateral_script(m, r, it->name);
        job_end(c, &j, m);
    }
    free(r);
    return CS_OK;
}

static enum cs_status plot_trend(struct ctx *c, const struct cs_dataset *ds,
                                 const struct cs_incentives *inc, const struct cs_analysis *an,
                                 struct cs_error *err)
{
    struct cs_plot_item *it = add_item(c, "trend", "trend");
    if (!it)
        return CS_OK;
    textf(c, &it->title, an->promise_data
                             ? "Risky-deal rate and end-of-period bookings, quarter by quarter"
                             : "End-of-period bookings, quarter by quarter");
    struct cs_plot_trend t;
    enum cs_status st = cs_plot_trend_aggregate(ds, inc, an, &t, err);
    if (st != CS_OK)
        return st;
    if (t.n < 2) {
        textf(c, &it->skipped, "the data cover %zu quarter%s: no trend to show", t.n,
              t.n == 1 ? "" : "s");
    } else {
        textf(c, &it->caption,
              "Per fiscal quarter: %sthe share of bookings closed in the last 14 days of the plan "
              "period.", t.risk ? "the share of won deals with a risky promise (95% Wilson "
                                  "intervals) and " : "");
        struct job j;
        FILE *m = job_begin(c, &j);
        if (m)
            cs_plot_trend_script(m, &t, it->name);
        job_end(c, &j, m);
    }
    cs_plot_trend_free(&t);
    return CS_OK;
}

/* A batch's line on gnuplot's standard error after each plot it drew. */
#define GP_DRAWN "compsight-drawn "

/* Whether gnuplot's standard error in TMP/gnuplot.err has the line GP_DRAWN NAME. */
static bool batch_drew(const char *tmp, const char *name)
{
    char *path = strfmt("%s/gnuplot.err", tmp), line[256];
    FILE *f = path ? fopen(path, "r") : NULL;
    bool found = false;
    size_t want = strlen(GP_DRAWN) + strlen(name);
    while (f && !found && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        found = n == want && strncmp(line, GP_DRAWN, strlen(GP_DRAWN)) == 0 &&
                strncmp(line + strlen(GP_DRAWN), name, n - strlen(GP_DRAWN)) == 0;
    }
    if (f)
        fclose(f);
    free(path);
    return found;
}

/*
 * Start one gnuplot on jobs first, first + step, ... : each script after
 * `reset session` (which gives it a fresh gnuplot, as if run alone), then
 * a line on standard error saying it was drawn.
 */
static bool batch_start(struct ctx *c, const char *pdir, size_t first, size_t step,
                        struct gp_proc *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return false;
    for (size_t j = first; j < c->n_jobs; j += step) {
        fputs("reset session\n", m);
        fwrite(c->jobs[j].buf, 1, c->jobs[j].len, m);
        fprintf(m, "print '" GP_DRAWN "%s'\n", c->l->items[c->jobs[j].item].name);
    }
    bool ok = !ferror(m);
    if (fclose(m) != 0 || !buf)
        ok = false;
    struct cs_error e;
    ok = ok && gp_start(pdir, c->l->items[c->jobs[first].item].name, buf, len, p, &e) == CS_OK;
    free(buf);
    return ok;
}

/* Wait for a batch; move the images of the plots it says it drew. */
static void batch_finish(struct ctx *c, size_t first, size_t step, struct gp_proc *p)
{
    int status;
    gp_wait(p, &status);
    c->hung |= p->timed_out;
    for (size_t j = first; j < c->n_jobs; j += step) {
        struct cs_plot_item *it = &c->l->items[c->jobs[j].item];
        struct cs_error e;
        it->rendered = batch_drew(p->tmp, it->name) && move_images(p, it->name, &e) == CS_OK;
    }
    proc_release(p);
}

/* Record that item it was not drawn, and why; the first failure goes to
 * err.  Running out of memory (here or in gnuplot's start) marks the
 * whole run: the caller then fails instead of warning. */
static void record_failure(struct ctx *c, struct cs_plot_item *it, const struct cs_error *e,
                           struct cs_error *err)
{
    char msg[1100];
    cs_error_format(e, msg, sizeof msg);
    it->error = strdup(msg);
    if (!it->error || e->status == CS_ERR_NOMEM)
        c->nomem = true;
    if (c->l->failed++ == 0 && err)
        *err = *e;
}

/*
 * Run the jobs' scripts, one gnuplot per processor (at most GP_PARALLEL):
 * starting gnuplot takes about 0.1 s of processor time (cairo, pango,
 * fontconfig), as much as drawing a plot, so each process draws a batch.
 * gnuplot stops at the first error, so a batch that did not draw all its
 * plots leaves the rest to one process per plot, run `par` at a time:
 * a plot gnuplot cannot draw costs only its own picture, and its error
 * names its script.  Failures are recorded on the items, the first one
 * in err.
 */
static void run_jobs(struct ctx *c, const char *pdir, struct cs_error *err)
{
    struct gp_proc run[GP_PARALLEL];
    size_t item_of[GP_PARALLEL], nrun = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t par = cpus < 1 ? 1 : cpus > GP_PARALLEL ? GP_PARALLEL : (size_t)cpus;
    size_t batches = par < c->n_jobs ? par : c->n_jobs;
    bool started[GP_PARALLEL];
    for (size_t b = 0; b < batches; b++)
        started[b] = batch_start(c, pdir, b, batches, &run[b]);
    for (size_t b = 0; b < batches; b++)
        if (started[b])
            batch_finish(c, b, batches, &run[b]);

    struct cs_error e;
    for (size_t j = 0; j <= c->n_jobs; j++) {
        /* finish the oldest when full, and everything at the end */
        while (nrun > 0 && (nrun == par || j == c->n_jobs)) {
            struct cs_plot_item *it = &c->l->items[item_of[0]];
            cs_error_clear(&e);
            if (gp_finish(&run[0], &e) == CS_OK)
                it->rendered = true;
            else
                record_failure(c, it, &e, err);
            memmove(run, run + 1, (nrun - 1) * sizeof run[0]);
            memmove(item_of, item_of + 1, (nrun - 1) * sizeof item_of[0]);
            nrun--;
        }
        if (j == c->n_jobs)
            break;
        struct job *jb = &c->jobs[j];
        struct cs_plot_item *it = &c->l->items[jb->item];
        if (it->rendered)
            continue;
        cs_error_clear(&e);
        if (c->hung) {
            /* A gnuplot that hangs once hangs again: one at a time, the
             * undrawn plots would each wait out the limit. */
            char *gp = strfmt("%s/%s.gp", pdir, it->name);
            timeout_error(&e, gp ? gp : it->name, "not drawn: ");
            free(gp);
            record_failure(c, it, &e, err);
            continue;
        }
        if (gp_start(pdir, it->name, jb->buf, jb->len, &run[nrun], &e) == CS_OK)
            item_of[nrun++] = jb->item;
        else
            record_failure(c, it, &e, err);
    }
}

enum cs_status cs_plots_write(const char *dir, const struct cs_dataset *ds,
                              const struct cs_calendar *cal, const struct cs_incentives *inc,
                              const struct cs_outcomes *oc, const struct cs_analysis *an,
                              bool trend, struct cs_plot_list *out, struct cs_error *err)
{
    (void)cal;    /* periods come precomputed in inc and an */
    struct ctx c = {.l = out};
    enum cs_status st = CS_OK;
    memset(out, 0, sizeof *out);
    char *pdir = strfmt("%s/plots", dir);
    if (!pdir)
        return oom(err);
    if ((st = cs_mkdir_p(pdir, 0777, err)) != CS_OK)
        goto fail;
    out->gnuplot_missing = !cs_plot_gnuplot_available(out->gnuplot_version,
                                                      sizeof out->gnuplot_version);

    plot_where(&c, ds, inc, oc, an);
    plot_when(&c, ds, inc, oc, an);
    plot_thresholds(&c, ds, an);
    plot_forest(&c, an);
    if ((st = plot_tier(&c, ds, inc, oc, an, err)) != CS_OK ||
        (st = plot_collateral(&c, oc, an, err)) != CS_OK ||
        (trend && (st = plot_trend(&c, ds, inc, an, err)) != CS_OK))
        goto fail;
    if (c.nomem) {
        st = oom(err);
        goto fail;
    }

    for (size_t j = 0; j < c.n_jobs; j++) {
        const struct job *jb = &c.jobs[j];
        if ((st = write_script(pdir, out->items[jb->item].name, jb->buf, jb->len, err)) != CS_OK)
            goto fail;
    }
    /* No image of an earlier run may stay next to a new script: a plot
     * skipped now, or one gnuplot cannot draw, must not show old numbers. */
    for (size_t i = 0; i < out->n; i++) {
        if (!out->items[i].script)
            remove_outputs(pdir, out->items[i].name);
        else
            remove_images(pdir, out->items[i].name);
    }
    /* threshold-K+1 ... of an earlier run with more plan floors */
    {
        size_t k = 0;
        for (size_t i = 0; i < out->n; i++)
            k += strcmp(out->items[i].kind, "threshold") == 0;
        for (size_t more = k + 1;; more++) {
            char name[32];
            snprintf(name, sizeof name, "threshold-%zu", more);
            bool stale = false;
            for (const char *const *ext = (const char *const[]){"gp", "png", "svg", NULL}; *ext; ext++) {
                char *p = strfmt("%s/%s.%s", pdir, name, *ext);
                stale |= p && access(p, F_OK) == 0;
                free(p);
            }
            if (!stale)
                break;
            remove_outputs(pdir, name);
        }
    }
    if (!trend)
        remove_outputs(pdir, "trend");

    if (!out->gnuplot_missing) {
        run_jobs(&c, pdir, err);
        if (c.nomem)
            st = oom(err);
        else if (out->failed)
            st = CS_ERR_OUTPUT;
    }
    for (size_t j = 0; j < c.n_jobs; j++)
        free(c.jobs[j].buf);
    free(c.jobs);
    free(pdir);
    return st;

fail:
    for (size_t j = 0; j < c.n_jobs; j++)
        free(c.jobs[j].buf);
    free(c.jobs);
    free(pdir);
    cs_plot_list_free(out);
    return st;
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
    if (!valid_name(name))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plot name must be [A-Za-z0-9_-]+");
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return oom(err);
    cs_plot_whatif_script(m, w, name);
    bool bad = ferror(m) != 0;
    /* glibc's fclose of a memstream returns 0 even when its last realloc
     * failed, and leaves buf NULL */
    if (fclose(m) != 0 || bad || !buf) {
        free(buf);
        return oom(err);
    }
    if (cs_plot_gnuplot_available(NULL, 0)) {
        st = cs_plot_run(plots_dir, name, buf, len, err);
        if (st == CS_OK && rendered)
            *rendered = true;
    } else {
        st = write_script(plots_dir, name, buf, len, err);
    }
    free(buf);
    return st;
}
