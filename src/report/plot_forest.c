/* plot_forest.c - how-strong: the forest plot of each plan element's odds ratio, within the same rep and across reps. */
#include <math.h>
#include <string.h>

#include "compsight/findings.h"
#include "compsight/output.h"
#include "compsight/plot.h"
#include "gpscript.h"
#include "wording.h"

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

/* The reader's label of a term and its scale; NULL for a term not in the table. */
static const char *forest_label(const char *term, double *scale)
{
    for (size_t k = 0; k < sizeof forest_terms / sizeof forest_terms[0]; k++)
        if (strcmp(term, forest_terms[k].term) == 0) {
            *scale = forest_terms[k].scale;
            return forest_terms[k].label;
        }
    *scale = 1.0;
    return NULL;
}

bool cs_plot_forest_aggregate(const struct cs_analysis *an, struct cs_plot_forest *fo)
{
    memset(fo, 0, sizeof *fo);
    fo->level = NAN;
    const struct cs_findings *fs = an->findings;
    if (fs && fs->family.m) {
        fo->level = fs->family.level;
        fo->tested = fs->family.m;
    }
    const struct cs_model_result *m = &an->model[CS_MODEL_PROMISE_RISK];
    const struct cs_regress_fit *fit = m->fit;
    if (fit && fit->separation && m->firth && m->firth->fitted) {
        fit = m->firth;
        fo->firth = true;
    }
    if (!fit || !fit->fitted)
        return false;
    fo->deals = fit->n;
    const struct cs_model_rule *wr = cs_findings_model(fs, CS_MODEL_PROMISE_RISK_WITHIN);
    fo->within_reps = wr ? wr->clusters : 0;
    double scale;
    for (size_t j = 0; j < fit->n_dropped && fo->left_out < CS_REGRESS_MAX_TERMS; j++) {
        const char *label = forest_label(fit->dropped[j], &scale);
        fo->left_out_terms[fo->left_out++] = label ? label : "another element of the model";
    }
    for (size_t j = 0; j < fit->k && fo->n < CS_REGRESS_MAX_TERMS; j++) {
        const struct cs_regress_term *t = &fit->terms[j];
        if (strcmp(t->name, "(Intercept)") == 0)
            continue;
        const char *label = forest_label(t->name, &scale);
        const struct cs_finding *f = cs_findings_term(fs, CS_MODEL_PROMISE_RISK, t->name);
        const struct cs_finding *lead = cs_findings_lead(fs, CS_MODEL_PROMISE_RISK, t->name);
        bool within = lead && cs_model_is_within(lead->model);
        double est = within ? lead->estimate : t->estimate;
        double lo = within ? lead->low : f ? f->low : t->ci_low;
        double hi = within ? lead->high : f ? f->high : t->ci_high;
        if (!isfinite(est) || !isfinite(lo) || !isfinite(hi)) {
            if (fo->left_out < CS_REGRESS_MAX_TERMS)
                fo->left_out_terms[fo->left_out++] = label ? label : "another element of the model";
            continue;
        }
        struct cs_plot_forest_row *r = &fo->rows[fo->n++];
        r->term = t->name;
        r->label = label ? label : "another element of the model";
        r->odds_ratio = exp(scale * est);
        r->low = exp(scale * lo);
        r->high = exp(scale * hi);
        r->clear = lead ? lead->verdict == CS_VERDICT_CLEAR : r->low > 1 || r->high < 1;
        r->within = within;
        /* the estimate across reps, beside the one that gives the verdict */
        if (within && f && isfinite(f->low) && isfinite(f->high)) {
            r->beside = true;
            r->beside_or = exp(scale * t->estimate);
            r->beside_low = exp(scale * f->low);
            r->beside_high = exp(scale * f->high);
            r->beside_clear = f->verdict == CS_VERDICT_CLEAR;
            fo->within = true;
        }
    }
    if (fo->n == 0)
        return false;
    return true;
}

/* A row with both estimates: the one that gives the verdict above its
 * row, the one across reps below it. */
#define NUDGE 0.17

/* Readable tics on a log axis come from a ladder of round values. */
static const double ladder[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1,
                                1.25, 1.5, 2, 3, 4, 5, 10, 20, 50, 100};
#define LADDER_N (sizeof ladder / sizeof ladder[0])
#define LADDER_ONE 10

/* The y of row i's estimate: nudged up when the across-rep one is beside it. */
static void row_y(FILE *f, const struct cs_plot_forest *fo, size_t i, double nudge)
{
    if (fo->rows[i].beside)
        fprintf(f, "%.2f", (double)(fo->n - i) + nudge);
    else
        fprintf(f, "%zu", fo->n - i);
}

/* $or: each term's leading estimate; $across: the across-rep ones beside. */
static void forest_data(FILE *f, const struct cs_plot_forest *fo)
{
    fputs("# row (top = 1st term), odds ratio, the report's interval low, high, linetype "
          "(2: a clear effect, 6: no clear effect)\n$or << EOD\n", f);
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        row_y(f, fo, i, NUDGE);
        fputc(' ', f);
        cs_gp_num(f, r->odds_ratio);
        fputc(' ', f);
        cs_gp_num(f, r->low);
        fputc(' ', f);
        cs_gp_num(f, r->high);
        fprintf(f, " %d\n", r->clear ? 2 : 6);
    }
    fputs("EOD\n", f);
    if (!fo->within)
        return;
    fputs("# the same, across reps (open circles), below the same-rep estimate\n"
          "$across << EOD\n", f);
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        if (!r->beside)
            continue;
        fprintf(f, "%.2f ", (double)(fo->n - i) - NUDGE);
        cs_gp_num(f, r->beside_or);
        fputc(' ', f);
        cs_gp_num(f, r->beside_low);
        fputc(' ', f);
        cs_gp_num(f, r->beside_high);
        fprintf(f, " %d\n", r->beside_clear ? 2 : 6);
    }
    fputs("EOD\n", f);
}

/* The x tics: the ladder values in [xmin, xmax] and at least a ninth of
 * the axis (2 span) apart, walking out from 1. */
static void forest_xtics(FILE *f, double span, double xmin, double xmax)
{
    double minsep = 2 * span / 9;
    bool keep[LADDER_N] = {false};
    keep[LADDER_ONE] = true;
    for (int dir = -1; dir <= 1; dir += 2) {
        double last = 0;   /* log(1) */
        for (size_t k = LADDER_ONE + (size_t)dir; k < LADDER_N; k += (size_t)dir) {
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
    for (size_t k = 0; k < LADDER_N; k++) {
        if (!keep[k])
            continue;
        fputs(first ? "" : ", ", f);
        cs_gp_quotef_tic(f, "%g", ladder[k]);
        fprintf(f, " %g", ladder[k]);
        first = false;
    }
    fputs(") out nomirror\n", f);
}

/* The numbers, right of the plot, for those who read them aloud: each
 * leading estimate, and the across-rep one smaller and grey beside its
 * circle. */
static void forest_labels(FILE *f, const struct cs_plot_forest *fo)
{
    fputs("set rmargin 24\n", f);
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        fprintf(f, "set label %zu ", i + 1);
        if (r->high < 100)
            cs_gp_quotef(f, "%.2f (%.2f to %.2f)", r->odds_ratio, r->low, r->high);
        else
            cs_gp_quotef(f, "%.3g (%.3g to %.3g)", r->odds_ratio, r->low, r->high);
        fputs(" at graph 1.02, first ", f);
        row_y(f, fo, i, NUDGE);
        fputs(" left noenhanced\n", f);
        if (!r->beside)
            continue;
        fprintf(f, "set label %zu ", 40 + i + 1);
        if (r->beside_high < 100)
            cs_gp_quotef(f, "across %.2f (%.2f to %.2f)", r->beside_or, r->beside_low, r->beside_high);
        else
            cs_gp_quotef(f, "across %.3g (%.3g to %.3g)", r->beside_or, r->beside_low,
                         r->beside_high);
        fprintf(f, " at graph 1.02, first %.2f left font ',11' tc rgb '#718096' noenhanced\n",
                (double)(fo->n - i) - NUDGE);
    }
}

/* The note under the plot: which model, which intervals, what is left out. */
static void forest_note(FILE *f, const struct cs_plot_forest *fo)
{
    char note[768], deals[32], reps[32], tested[96] = "";
    if (fo->tested > 1)
        snprintf(tested, sizeof tested, ", widened because the report tests %zu effects at once",
                 fo->tested);
    int len = fo->within
        ? snprintf(note, sizeof note,
                   "Filled: each rep compared with themselves (conditional logistic model, "
                   "the %s reps with both kinds of deals), which gives the verdict; open: "
                   "across reps (logistic model over %s deals)%s. Rep-clustered "
                   "intervals%s. Orange: clear effect; grey: no clear effect. "
                   "Associations, not proof of cause.",
                   cs_fmt_count(reps, sizeof reps, fo->within_reps),
                   cs_fmt_count(deals, sizeof deals, fo->deals),
                   fo->firth ? ", Firth fit as the data separate" : "", tested)
        : snprintf(note, sizeof note,
                   "Logistic model over %s deals, rep-clustered intervals%s%s. Orange: "
                   "clear effect; grey: no clear effect. Associations, not proof of cause.",
                   cs_fmt_count(deals, sizeof deals, fo->deals), tested,
                   fo->firth ? " (Firth fit: the data separate)" : "");
    for (size_t i = 0; i < fo->left_out && len > 0 && (size_t)len < sizeof note; i++)
        len += snprintf(note + len, sizeof note - (size_t)len, "%s%s",
                        i ? ", " : " Not shown (no variation or no interval): ",
                        fo->left_out_terms[i]);
    if (fo->left_out && len > 0 && (size_t)len + 1 < sizeof note)
        memcpy(note + len, ".", 2);
    cs_gp_note(f, note, 6);
}

void cs_plot_forest_script(FILE *f, const struct cs_plot_forest *fo, const char *base)
{
    double lo = 1, hi = 1;
    for (size_t i = 0; i < fo->n; i++) {
        const struct cs_plot_forest_row *r = &fo->rows[i];
        lo = fmin(lo, r->beside ? fmin(r->low, r->beside_low) : r->low);
        hi = fmax(hi, r->beside ? fmax(r->high, r->beside_high) : r->high);
    }
    /* symmetric on the log scale around 1, so that equal distances read as
     * equal effects, and ending on a round value beyond the widest interval */
    double span = fmax(log(hi), -log(lo)) * 1.08;
    if (span < log(1.25))
        span = log(1.25);
    for (size_t k = LADDER_ONE + 1; k < LADDER_N; k++)
        if (log(ladder[k]) >= span - 1e-9) {
            span = log(ladder[k]);
            break;
        }
    double xmin = exp(-span) * 0.999, xmax = exp(span) * 1.001;
    cs_gp_begin(f, "how-strong", base);
    forest_data(f, fo);
    cs_gp_title_canvas(f, fo->title ? fo->title : "How strongly each plan element goes with a risky promise");
    {
        char xl[192], lv[32] = "95%";
        if (isfinite(fo->level))      /* as the report words it */
            cs_words_level(lv, sizeof lv, fo->level);
        snprintf(xl, sizeof xl, "odds ratio of a risky promise, %s interval (log scale; "
                                "1 = no association, right of 1 = more likely)", lv);
        cs_gp_set_text(f, "xlabel", xl);
    }
    fputs("unset ylabel\n", f);
    fputs("set logscale x\n", f);
    fprintf(f, "set xrange [%.6g:%.6g]\n", xmin, xmax);
    fprintf(f, "set yrange [0.4:%g]\n", (double)fo->n + 0.6);
    forest_xtics(f, span, xmin, xmax);
    fputs("set ytics (", f);
    for (size_t i = 0; i < fo->n; i++) {
        cs_gp_quote_tic(f, fo->rows[i].label);
        fprintf(f, " %zu%s", fo->n - i, i + 1 < fo->n ? ", " : "");
    }
    fputs(") scale 0 noenhanced\n", f);
    fputs("set grid noytics xtics\n", f);
    fputs("set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead back lt 3 lw 1.5 dt 2\n", f);
    forest_labels(f, fo);
    forest_note(f, fo);
    if (!fo->within) {
        fputs("unset key\n", f);
        fputs("plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle\n", f);
    } else {
        fputs("set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox\n", f);
        fputs("plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle, \\\n"
              "     $across using 2:1:3:4:5 with xerrorbars lc variable pt 6 ps 1.5 lw 1.2 notitle, \\\n"
              "     NaN with points lt 3 pt 7 ps 1.5 title 'same rep (the verdict)', \\\n"
              "     NaN with points lt 3 pt 6 ps 1.5 title 'across reps'\n", f);
    }
    cs_gp_end(f, base);
}
