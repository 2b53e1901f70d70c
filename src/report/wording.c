/* wording.c - numbers, model terms and shared passages in words, for every document and plot of report/ (wording.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/output.h"
#include "wording.h"

/* ======================================================================
 * Percentages: the report's and the plan's
 * ==================================================================== */

const char *cs_words_pct_share(char *buf, size_t n, double share)
{
    if (!isfinite(share))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.*f%%", fabs(share) < 0.1 ? 1 : 0, 100 * share);
    return buf;
}

const char *cs_words_pct_plan(char *buf, size_t n, double fraction)
{
    if (!isfinite(fraction))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.4g%%", 100 * fraction);
    return buf;
}

/* ======================================================================
 * Counts and differences of a what-if
 * ==================================================================== */

const char *cs_words_expected(char *buf, size_t n, double x)
{
    double a = fabs(x);
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (a >= 1000) {
        char tmp[48];
        int len = snprintf(tmp, sizeof tmp, "%.0f", a), o = 0;
        if (x < 0 && (size_t)o + 1 < n)
            buf[o++] = '-';
        for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
            if (i && (len - i) % 3 == 0)
                buf[o++] = ',';
            buf[o++] = tmp[i];
        }
        buf[o] = '\0';
    } else if (a >= 100 || a == 0)
        snprintf(buf, n, "%.0f", x);
    else if (a >= 1)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2f", x);
    if (strcmp(buf, "-0") == 0 || strcmp(buf, "-0.0") == 0 || strcmp(buf, "-0.00") == 0)
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

const char *cs_words_ci(char *buf, size_t n, const struct cs_whatif_diff *d, bool negate,
                        cs_words_fn *f)
{
    char a[48], b[48], c[48];
    double s = negate ? -1 : 1;
    double lo = negate ? d->high : d->low, hi = negate ? d->low : d->high;
    if (!isfinite(d->estimate))
        snprintf(buf, n, "n/a");
    else if (!isfinite(lo) || !isfinite(hi))
        snprintf(buf, n, "%s", f(a, sizeof a, s * d->estimate));
    else
        snprintf(buf, n, "%s (%s to %s)", f(a, sizeof a, s * d->estimate), f(b, sizeof b, s * lo),
                 f(c, sizeof c, s * hi));
    return buf;
}

const char *cs_words_diff(char *buf, size_t n, const struct cs_whatif_diff *d, cs_words_fn *f,
                          const char *less, const char *more)
{
    char a[48], b[48], c[48];
    f(a, sizeof a, fabs(d->estimate));
    if (!isfinite(d->low) || !isfinite(d->high))
        snprintf(buf, n, "%s %s", a, d->estimate < 0 ? less : more);
    else if (d->high <= 0)
        snprintf(buf, n, "%s %s (95%% interval %s to %s %s)", a, less, f(b, sizeof b, -d->high),
                 f(c, sizeof c, -d->low), less);
    else if (d->low >= 0)
        snprintf(buf, n, "%s %s (95%% interval %s to %s %s)", a, more, f(b, sizeof b, d->low),
                 f(c, sizeof c, d->high), more);
    else
        snprintf(buf, n, "%s %s (95%% interval from %s %s to %s %s)", a,
                 d->estimate < 0 ? less : more, f(b, sizeof b, -d->low), less,
                 f(c, sizeof c, d->high), more);
    return buf;
}

bool cs_words_clear(const struct cs_whatif_diff *d)
{
    return isfinite(d->low) && isfinite(d->high) && (d->low > 0 || d->high < 0);
}

/* ======================================================================
 * Effects
 * ==================================================================== */

const char *cs_words_ratio(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (x >= 100)
        snprintf(buf, n, "%.0f", x);
    else if (x >= 10)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2f", x);
    return buf;
}

const char *cs_words_num(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (fabs(x) >= 100)
        snprintf(buf, n, "%.0f", x);
    else if (fabs(x) >= 10)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.2g", x);
    return buf;
}

const struct cs_regress_term *cs_words_find_term(const struct cs_regress_fit *fit,
                                                 const char *name)
{
    if (!fit || !fit->fitted)
        return NULL;
    for (size_t j = 0; j < fit->k; j++)
        if (strcmp(fit->terms[j].name, name) == 0)
            return &fit->terms[j];
    return NULL;
}

/* ======================================================================
 * Units of amount axes
 * ==================================================================== */

double cs_words_money_unit(double max, const char **word)
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

double cs_words_value_unit(double max, const char **word)
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

const char *cs_words_period_word(uint8_t period_type)
{
    return period_type == CS_PERIOD_YEAR ? "year" : "quarter";
}

/* ======================================================================
 * Passages shared by whatif.md and proposal.md
 * ==================================================================== */

const char cs_words_first_order[] =
    "A first-order estimate: it assumes the same deals close; it does not model reps changing "
    "behaviour beyond what the fitted association implies.";

void cs_words_period_phrase(char *buf, size_t n, const struct cs_selection *sel)
{
    if (sel->mode == CS_SELECT_QUARTER) {
        snprintf(buf, n, "fiscal quarter %s", sel->label);
    } else {
        char a[16], b[16];
        cs_format_period(sel->first, a);
        cs_format_period(sel->last, b);
        snprintf(buf, n, "all periods in the data (%s to %s)", a, b);
    }
}

void cs_words_method_bullets(struct cs_doc *d, const struct cs_whatif_base *b)
{
    char m[32];
    cs_doc_bullet(d);
    cs_doc_text(d, "%s", cs_words_first_order);
    cs_doc_bullet(d);
    cs_doc_text(d, "Expected risky deals are the sum, over the period's %s won deals, of each "
                   "deal's chance of carrying an off-roadmap or premature promise under the "
                   "promise_risk model of the report (fitted on the same deals). The model relates "
                   "risk to the plan's incentives across deals: an association, not proof of cause.",
                cs_fmt_count(m, sizeof m, b->deals));
    if (isfinite(b->promises_per_risky)) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Expected risky promises are expected risky deals times %s, the average "
                       "number of risky promises on a risky deal in the period: the plan is taken "
                       "to act on whether a deal carries one, not on how many.",
                    cs_words_expected(m, sizeof m, b->promises_per_risky));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "Commission is recomputed exactly, deal by deal, under each plan (SPEC 5), for "
                   "the same deals in the same order.");
    cs_doc_bullet(d);
    if (b->intervals)
        cs_doc_text(d, "Ranges are 95%% intervals from a bootstrap over reps (%u draws, seed %llu): "
                       "each draw resamples the %s reps, updates the model's coefficients to the "
                       "resampled deals, and recomputes every difference. They cover both the "
                       "model's uncertainty and the luck of which reps and deals the period had.",
                    b->draws, (unsigned long long)b->seed, cs_fmt_count(m, sizeof m, b->reps));
    else
        cs_doc_text(d, "No intervals: the period has deals of a single rep, and a bootstrap over "
                       "reps needs at least two.");
    if (b->model_note[0]) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Note: %s.", b->model_note);
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "How the numbers are made, and how to write a plan file of your own: ");
    cs_doc_code(d, "docs/WHATIF.md");
    cs_doc_text(d, " in the compsight sources.");
}

void cs_words_plot_image(struct cs_doc *d, const char *name, const char *alt, const char *caption)
{
    char file[96];
    snprintf(file, sizeof file, "plots/%s.png", name);
    cs_doc_image(d, file, alt, caption);
}
