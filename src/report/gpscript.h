/* gpscript.h - the common frame of the plot scripts: palette, size, font, title, notes (private to report/). */
#ifndef COMPSIGHT_REPORT_GPSCRIPT_H
#define COMPSIGHT_REPORT_GPSCRIPT_H

#include <stdio.h>

/*
 * What every builder (plot_*.c) writes its script with.  Every text goes
 * through cs_gp_quote or cs_gp_quote_tic (plot.h), here or in the builder;
 * numbers go into datablocks through cs_gp_num.  None of these fail: a
 * write error shows in ferror(f).
 */

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

/* A data value in a datablock: %.6g, locale-independent, NaN when missing
 * (gnuplot leaves it out), never "-0". */
void cs_gp_num(FILE *f, double x);

/* cs_gp_quote / cs_gp_quote_tic of a formatted text (labels built from
 * numbers; at most 511 bytes). */
void cs_gp_quotef(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cs_gp_quotef_tic(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* `set KEY 'text' noenhanced` (xlabel, ylabel, ...). */
void cs_gp_set_text(FILE *f, const char *key, const char *text);

/* The title, the finding in one line: a smaller font when long, cut with
 * an ellipsis past 150 characters. */
void cs_gp_title(FILE *f, const char *text);

/* The same, centred on the image rather than on the plot area: for plots
 * whose margins are far from even (the forest plot's long row labels on the
 * left), where a long title centred on the plot area runs off the image. */
void cs_gp_title_canvas(FILE *f, const char *text);

/* A "nice" axis maximum at or above x (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8
 * times a power of ten); 1 for x <= 0 or not finite. */
double cs_gp_nice_ceil(double x);

/* The upper end of a percentage axis: the next multiple of 10 in 10..100. */
double cs_gp_pct_ceil(double x);

/* The head of a script of the given kind drawing BASE.png (pngcairo at
 * CS_PLOT_WIDTH x CS_PLOT_HEIGHT), with the palette as linetypes 1-6; and
 * its end, which draws the same plot again as BASE.svg. */
void cs_gp_begin(FILE *f, const char *kind, const char *base);
void cs_gp_end(FILE *f, const char *base);

/* A small grey note in the bottom left corner, broken into lines of even
 * length when long, and the bottom margin: bmargin plus the extra lines. */
void cs_gp_note(FILE *f, const char *text, int bmargin);

#endif
