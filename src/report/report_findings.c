/* report_findings.c - the report's sections that state effects (where, when, thresholds, collateral), each from the verdicts of findings.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/findings.h"
#include "compsight/output.h"
#include "report_sections.h"
#include "wording.h"

/* ------------------------------------------------------------------------
 * A model and its terms
 * --------------------------------------------------------------------- */

/* "97.7% interval " (with the trailing space cs_words_change expects). */
static const char *interval_words(char *buf, size_t n, double level)
{
    char p[32];
    snprintf(buf, n, "%s interval ", cs_words_level(p, sizeof p, level));
    return buf;
}

/* What an effect of model m is on, after "the odds of". */
static const char *outcome_of(enum cs_model_id m)
{
    return m == CS_MODEL_COLLATERAL ? "a misstatement" : "a risky promise";
}

/* One term as a bullet: bold only when its verdict is clear. */
static void term_bullet(struct cs_doc *d, const struct cs_finding *f)
{
    double s;
    const char *subject = cs_words_term_subject(f->model, f->term, &s);
    char lv[48], a[48], r[96], ph[256];
    cs_doc_bullet(d);
    if (f->verdict == CS_VERDICT_THIN) {
        cs_doc_text(d, "%s: no interval can be computed for it, so it is not read.", subject);
        return;
    }
    interval_words(lv, sizeof lv, f->level);
    bool clear = f->verdict == CS_VERDICT_CLEAR;
    if (f->model == CS_MODEL_DISCOUNT) {
        struct cs_words_change_style st = {"points lower", "points higher", "about the same", NULL, lv};
        cs_words_change(ph, sizeof ph, s * f->estimate, s * f->low, s * f->high, &st);
        if (clear) {
            cs_doc_bold(d, "%s", subject);
            cs_doc_text(d, " went with discounts %s.", ph);
        } else {
            cs_doc_text(d, "%s: no clear effect on discount; %s.", subject, ph);
        }
        return;
    }
    double or_ = exp(s * f->estimate), lo = exp(s * f->low), hi = exp(s * f->high);
    cs_words_ratio_as(a, sizeof a, or_, hi);
    cs_words_ratio_range(r, sizeof r, lo, hi);
    if (clear) {
        cs_doc_bold(d, "%s", subject);
        cs_doc_text(d, " went with %s times the odds of %s (%s%s).", a, outcome_of(f->model), lv, r);
    } else {
        cs_doc_text(d, "%s: no clear effect on the odds of %s (odds ratio %s, %s%s).", subject,
                    outcome_of(f->model), a, lv, r);
    }
}

/*
 * Model m's fit when it is read; else the open paragraph says why not
 * (not run, no estimate, or too little data and what reading it would
 * need), after lead, and NULL.  what: "The promise-risk model".
 */
static const struct cs_regress_fit *model_or_why(struct cs_doc *d, const struct cs_report_input *in,
                                                 enum cs_model_id m, const char *what,
                                                 const char *lead)
{
    const struct cs_model_result *mr = &in->an->model[m];
    const struct cs_model_rule *r = cs_findings_model(in->an->findings, m);
    const struct cs_regress_fit *fit = cs_analysis_fit(in->an, m);
    char why[512];
    if (!mr->fit) {
        cs_doc_text(d, "%s%s could not be run: %s.", lead, what, mr->note);
        return NULL;
    }
    /* thin data first: a fit that failed on four deals failed for want of data */
    bool thin = r->n > 0 && (r->rule.short_clusters || r->rule.short_events || r->rule.short_n);
    if (!fit && !thin) {
        unsigned why_flags = mr->fit->flags & CS_REGRESS_UNFITTED;
        cs_doc_text(d, "%s%s has no estimate for this period: %s.", lead, what,
                    cs_regress_flag_text(why_flags & (~why_flags + 1u)));   /* the first reason */
        return NULL;
    }
    if (!fit || !r->rule.readable) {
        static const char *const about[CS_MODEL_COUNT] = {
            [CS_MODEL_PROMISE_RISK] = "the link between the plan and risky promises",
            [CS_MODEL_DISCOUNT] = "the link between the plan and discounts",
            [CS_MODEL_COLLATERAL] = "the link between marketing target pressure and misstated assets",
        };
        cs_doc_text(d, "%sToo little data to read %s. %s", lead, about[m],
                    cs_words_model_thin(why, sizeof why, r, m));
        return NULL;
    }
    return fit;
}

/* The sentence on few clusters (10 to 29), after a model's description. */
static void few_clusters(struct cs_doc *d, const struct cs_model_rule *r, enum cs_model_id m)
{
    if (!r->rule.few_clusters)
        return;
    cs_doc_text(d, " It rests on %zu %s, which is few: read it as a pointer for a closer look "
                   "(its intervals use Student's t with %.0f degrees of freedom).",
                r->clusters, m == CS_MODEL_COLLATERAL ? "asset owners" : "reps", r->rule.df);
}

/* Every term of model m's fit, then the terms left out. */
static void term_bullets(struct cs_doc *d, const struct cs_report_input *in, enum cs_model_id m,
                         const struct cs_regress_fit *fit)
{
    for (size_t j = 0; j < fit->k; j++) {
        const struct cs_finding *f = cs_findings_term(in->an->findings, m, fit->terms[j].name);
        if (f)
            term_bullet(d, f);
    }
    for (size_t j = 0; j < fit->n_dropped; j++) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%s: left out, as it does not vary in this period.",
                    cs_words_term_subject(m, fit->dropped[j], NULL));
    }
}

/* ------------------------------------------------------------------------
 * Sections
 * --------------------------------------------------------------------- */

void cs_report_where(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_model_result *mr = &an->model[CS_MODEL_PROMISE_RISK];
    cs_doc_heading(d, 1, "Where incentives drive the behaviour");
    if (mr->fit)
        cs_report_add_plots(d, in, "where");
    cs_doc_para(d);
    const struct cs_regress_fit *fit = model_or_why(d, in, CS_MODEL_PROMISE_RISK,
                                                    "The promise-risk model", "");
    if (!fit)
        return;
    char a[32], g[32];
    cs_doc_text(d, "A logistic model of whether a won deal carries a risky promise, fitted on %s "
                   "deals of %s reps, holding the other plan elements, deal size and deal type "
                   "fixed. Intervals allow for deals of the same rep being alike.",
                cs_fmt_count(a, sizeof a, fit->n), cs_fmt_count(g, sizeof g, fit->clusters));
    if (mr->firth)
        cs_doc_text(d, " Some terms separate the outcome perfectly, so the estimates are Firth's "
                       "penalised ones.");
    few_clusters(d, cs_findings_model(an->findings, CS_MODEL_PROMISE_RISK), CS_MODEL_PROMISE_RISK);
    term_bullets(d, in, CS_MODEL_PROMISE_RISK, fit);
    cs_report_add_plots(d, in, "how-strong");
    cs_report_add_plots(d, in, "per-tier");
}

/* The timing test in words: what its verdict allows. */
static void timing_paragraph(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_timing *t = in->an->timing;
    const struct cs_finding *f = cs_findings_timing(in->an->findings);
    char a[32], b[32], c[32], p[32];
    cs_doc_para(d);
    if (!t || t->reason != CS_TIMING_OK || !f) {
        cs_doc_text(d, "Too little data to test the timing of closes in this period.");
        return;
    }
    cs_doc_text(d, "%s of bookings closed in the last two weeks of their plan period; an even "
                   "pace would put %s there. ",
                cs_words_pct(a, sizeof a, t->last14_share), cs_words_pct(b, sizeof b, t->expected_share));
    cs_words_p(p, sizeof p, f->p);
    cs_words_num(c, sizeof c, t->chi2);
    if (f->verdict == CS_VERDICT_THIN)
        cs_doc_text(d, "Whether closes depart from an even pace is not tested: they come from %zu "
                       "rep%s, and the test needs at least %d.", f->clusters,
                    f->clusters == 1 ? "" : "s", CS_VERDICT_MIN_CLUSTERS);
    else if (f->verdict == CS_VERDICT_CLEAR)
        cs_doc_text(d, "Closes are not spread evenly over the weeks of the period (chi-square %s on "
                       "%d degrees of freedom, p %s%s).", c, t->df, f->p < 0.001 ? "" : "= ", p);
    else
        cs_doc_text(d, "The spread of closes over the weeks of the period shows no clear departure "
                       "from an even pace (chi-square %s on %d degrees of freedom, p %s%s; with "
                       "the %zu effects this report tests allowed for, that is within what chance "
                       "gives).", c, t->df, f->p < 0.001 ? "" : "= ", p, in->an->findings->family.m);
}

void cs_report_when(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    cs_doc_heading(d, 1, "When");
    cs_report_add_plots(d, in, "when");
    timing_paragraph(d, in);
    if (!an->model[CS_MODEL_DISCOUNT].fit)
        return;
    cs_doc_para(d);
    cs_doc_text(d, "Discounts: a least-squares model of the discount given on each won deal, on "
                   "the same plan elements.");
    const struct cs_regress_fit *fit = model_or_why(d, in, CS_MODEL_DISCOUNT, "The discount model",
                                                    " ");
    if (!fit)
        return;
    few_clusters(d, cs_findings_model(an->findings, CS_MODEL_DISCOUNT), CS_MODEL_DISCOUNT);
    term_bullets(d, in, CS_MODEL_DISCOUNT, fit);
}

void cs_report_thresholds(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    const struct cs_findings *fs = an->findings;
    cs_doc_heading(d, 1, "At the thresholds");
    if (an->n_bunch == 0) {
        cs_doc_para(d);
        cs_doc_text(d, "No plan has a tier floor above zero, so there is no threshold to examine.");
        return;
    }
    cs_doc_para(d);
    cs_doc_text(d, "When reps just short of a floor pull deals in to cross it, final attainment "
                   "piles up just above the floor and thins just below. The excess is measured "
                   "against a smooth curve fitted to the rest of the distribution, over every "
                   "rep-period in the data. Placebo points 25 points below each floor, where "
                   "nothing pays more, show what chance alone produces.");
    if (an->bunch_plans_skipped) {
        char n1[32], n2[32];
        cs_doc_text(d, " The %d plans with the most rep-periods are examined; %s other plans with "
                       "a floor above zero (%s rep-periods) are not, so that the report does not "
                       "grow with the number of plans.", CS_BUNCH_MAX_PLANS,
                    cs_fmt_count(n1, sizeof n1, an->bunch_plans_skipped),
                    cs_fmt_count(n2, sizeof n2, an->bunch_rp_skipped));
    }
    char ih[48], lv[32];
    if (isfinite(fs->family.level))
        snprintf(ih, sizeof ih, "%s interval", cs_words_level(lv, sizeof lv, fs->family.level));
    else
        snprintf(ih, sizeof ih, "interval");
    const char *head[] = {"plan", "floor", "rep-periods", "excess rep-periods", ih, "reading"};
    static const bool num[] = {false, true, true, true, true, false};
    cs_doc_table(d, 6, head, num);
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *r = &an->bunch[i];
        const struct cs_finding *f = cs_findings_bunching(fs, r->plan, r->floor, r->placebo);
        char fl[32], n[32], bm[48], ci[96], label[48];
        snprintf(label, sizeof label, "%s%s", cs_words_pct(fl, sizeof fl, r->est.threshold),
                 r->placebo ? " (placebo)" : "");
        bool read = f && f->verdict != CS_VERDICT_THIN;
        double like = read ? fmax(fabs(f->low), fabs(f->high)) : NAN;
        const char *cells[] = {cs_ds_str(ds, ds->plans.id[r->plan]), label,
                               cs_fmt_count(n, sizeof n, r->est.n_binned),
                               read ? cs_words_num_as(bm, sizeof bm, f->estimate, like) : "n/a",
                               read ? cs_words_num_range(ci, sizeof ci, f->low, f->high) : "n/a",
                               f ? cs_words_bunching_reading(an, f) : "n/a"};
        cs_doc_row(d, cells);
    }
    cs_report_add_plots(d, in, "threshold");
    for (size_t i = 0; i < an->n_bunch; i++)
        if (an->bunch[i].est.verdict == CS_BUNCH_OK && an->bunch[i].est.thin) {
            cs_doc_para(d);
            cs_doc_text(d, "Where the counterfactual is thin (few rep-periods expected near the "
                           "floor), the relative excess is unstable; read the count of excess "
                           "rep-periods instead.");
            break;
        }
}

void cs_report_collateral(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    cs_doc_heading(d, 1, "Collateral");
    cs_doc_para(d);
    const struct cs_regress_fit *fit = model_or_why(d, in, CS_MODEL_COLLATERAL,
                                                    "The collateral analysis", "");
    if (!fit)
        return;
    char a[32];
    cs_doc_text(d, "A logistic model of whether a published asset misstates a capability (claims "
                   "available what has not shipped, or coming soon what is not planned), over %s "
                   "assets with a marketing target for their quarter: the pressure is read on the "
                   "asset, never on who wrote it.",
                cs_fmt_count(a, sizeof a, fit->n));
    few_clusters(d, cs_findings_model(an->findings, CS_MODEL_COLLATERAL), CS_MODEL_COLLATERAL);
    term_bullets(d, in, CS_MODEL_COLLATERAL, fit);
    cs_report_add_plots(d, in, "collateral");
}

/* ------------------------------------------------------------------------
 * The summary's model findings
 * --------------------------------------------------------------------- */

size_t cs_report_summary_terms(struct cs_doc *d, const struct cs_report_input *in,
                               enum cs_model_id m, size_t max)
{
    /* the plan's own elements: what a plan change acts on */
    static const char *const plan_terms[] = {"tier_cross", "marginal_rate", "last_14_days", "spiff"};
    const struct cs_finding *found[4];
    double size[4];
    size_t nf = 0;
    for (size_t i = 0; i < 4; i++) {
        const struct cs_finding *f = cs_findings_term(in->an->findings, m, plan_terms[i]);
        double s;
        cs_words_term_subject(m, plan_terms[i], &s);
        if (!f || f->verdict != CS_VERDICT_CLEAR)
            continue;
        /* largest first, by the effect in its reading unit */
        size_t at = nf++;
        double z = fabs(s * f->estimate);
        while (at > 0 && size[at - 1] < z) {
            found[at] = found[at - 1];
            size[at] = size[at - 1];
            at--;
        }
        found[at] = f;
        size[at] = z;
    }
    for (size_t i = 0; i < nf && i < max; i++) {
        const struct cs_finding *f = found[i];
        double s;
        const char *subject = cs_words_term_subject(m, f->term, &s);
        char a[48], r[96], lv[48];
        double hi = exp(s * f->high);
        cs_doc_text(d, " %s went with %s times the odds of such a promise (%s%s).", subject,
                    cs_words_ratio_as(a, sizeof a, exp(s * f->estimate), hi),
                    interval_words(lv, sizeof lv, f->level),
                    cs_words_ratio_range(r, sizeof r, exp(s * f->low), hi));
    }
    return nf < max ? nf : max;
}
