/* gpscript.c - the common frame of every plot script: one palette, one size, one font; titles, notes, numbers. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compsight/plot.h"
#include "gpscript.h"

/* A data value in a datablock: shortest-ish, locale-independent (compsight
 * never calls setlocale), NaN when missing so that gnuplot leaves it out. */
void cs_gp_num(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("NaN", f);
    else
        fprintf(f, "%.6g", x == 0 ? 0.0 : x);   /* no "-0" */
}

/* cs_gp_quote of a formatted text (labels built from numbers). */
void cs_gp_quotef(FILE *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_gp_quote(f, buf);
}

/* cs_gp_quote_tic of a formatted text. */
void cs_gp_quotef_tic(FILE *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cs_gp_quote_tic(f, buf);
}

/* `set KEY 'text' noenhanced` (title, xlabel, ylabel, ...). */
void cs_gp_set_text(FILE *f, const char *key, const char *text)
{
    fprintf(f, "set %s ", key);
    cs_gp_quote(f, text);
    fputs(" noenhanced\n", f);
}

/* The title: the finding in one line.  Long ones (a verdict in words, a
 * long plan id) get a smaller font, and past TITLE_MAX characters they are
 * cut with an ellipsis at a character boundary, so that a title never runs
 * off the image (150 characters of 12-point type take about 1,100 of its
 * 1,280 pixels). */
#define TITLE_MAX 150

/* The title cut to TITLE_MAX characters (into buf when cut), and its font
 * size: the smaller the longer. */
static const char *title_fit(const char *text, char *buf, size_t cap, int *font)
{
    size_t chars = 0, i = 0, cut = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (; p[i]; i++)
        if ((p[i] & 0xc0) != 0x80 && ++chars == TITLE_MAX - 2)
            cut = i;
    if (chars > TITLE_MAX && cut > 0 && cut + 4 < cap) {
        memcpy(buf, text, cut);
        memcpy(buf + cut, "\xe2\x80\xa6", 4);
        text = buf;
        chars = TITLE_MAX - 1;
    }
    *font = chars <= 80 ? 18 : chars <= 96 ? 15 : chars <= 120 ? 13 : 12;
    return text;
}

void cs_gp_title(FILE *f, const char *text)
{
    char buf[1024];
    int font;
    text = title_fit(text, buf, sizeof buf, &font);
    fputs("set title ", f);
    cs_gp_quote(f, text);
    fprintf(f, " font ',%d' noenhanced\n", font);
}

/* A blank title of the same font keeps the top margin a title needs; the
 * text itself is a label centred on the image. */
void cs_gp_title_canvas(FILE *f, const char *text)
{
    char buf[1024];
    int font;
    text = title_fit(text, buf, sizeof buf, &font);
    fprintf(f, "set title ' ' font ',%d'\n", font);
    fputs("set label 200 ", f);
    cs_gp_quote(f, text);
    fprintf(f, " at screen 0.5, screen 0.955 center font ',%d' noenhanced\n", font);
}

/* Round up to a "nice" axis maximum: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
 * times a power of ten (fine enough not to waste a third of the plot). */
double cs_gp_nice_ceil(double x)
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
double cs_gp_pct_ceil(double x)
{
    double c = ceil(x / 10 - 1e-9) * 10;
    return c < 10 ? 10 : c > 100 ? 100 : c;
}

/* ======================================================================
 * The common frame of every script: one palette, one size, one font
 * ==================================================================== */

void cs_gp_begin(FILE *f, const char *kind, const char *base)
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
    cs_gp_quotef(f, "%s.png", base);
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
void cs_gp_end(FILE *f, const char *base)
{
    fprintf(f, "set terminal svg size %d,%d dynamic font ',14' noenhanced background '#ffffff'\n",
            CS_PLOT_WIDTH, CS_PLOT_HEIGHT);
    fputs("set output ", f);
    cs_gp_quotef(f, "%s.svg", base);
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
void cs_gp_note(FILE *f, const char *text, int bmargin)
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
