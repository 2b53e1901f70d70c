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

/* How a least-squares model's differences read: discounts "points
 * higher", shares of bookings "points more ... of" (the suffix). */
static struct cs_words_change_style ols_style(enum cs_model_id m, const char *interval,
                                              const char **prefix, const char **suffix)
{
    bool push = m == CS_MODEL_PUSH_OUT;
    *prefix = push ? "" : "discounts ";
    *suffix = push ? " of the next quarter's bookings closed in its first two weeks" : "";
    return (struct cs_words_change_style){push ? "points less" : "points lower",
                                          push ? "points more" : "points higher",
                                          "about the same", NULL, interval};
}

/*
 * One estimate in its reading unit with its printed interval, for beside
 * another ("2.1 times (97% interval 1.7 to 2.6)", "odds ratio 1.1, no
 * clear effect (97% interval 0.8 to 1.5)", "2.3 points higher (97%
 * interval ...)"), or "too little data to tell".
 */
static const char *estimate_words(char *buf, size_t n, const struct cs_finding *f)
{
    double s;
    char lv[48], a[48], r[96], ph[400];
    cs_words_term_subject(f->model, f->term, &s);
    if (f->verdict == CS_VERDICT_THIN) {
        snprintf(buf, n, "too little data to tell");
        return buf;
    }
    interval_words(lv, sizeof lv, f->level);
    bool clear = f->verdict == CS_VERDICT_CLEAR;
    if (!cs_model_info(f->model)->logistic) {
        const char *pre, *suf;
        double pts = cs_words_outcome_points(f->model);
        struct cs_words_change_style st = ols_style(f->model, lv, &pre, &suf);
        cs_words_change(ph, sizeof ph, pts * s * f->estimate, pts * s * f->low, pts * s * f->high,
                        &st);
        snprintf(buf, n, "%s%s%s", ph, clear ? "" : ", no clear effect", suf);
        return buf;
    }
    double hi = exp(s * f->high);
    cs_words_ratio_as(a, sizeof a, exp(s * f->estimate), hi);
    cs_words_ratio_range(r, sizeof r, exp(s * f->low), hi);
    if (clear)
        snprintf(buf, n, "%s times (%s%s)", a, lv, r);
    else
        snprintf(buf, n, "odds ratio %s, no clear effect (%s%s)", a, lv, r);
    return buf;
}

/* One term as a bullet, from its across-rep estimate alone: bold only when
 * its verdict is clear. */
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
    if (!cs_model_info(f->model)->logistic) {
        const char *pre, *suf;
        double pts = cs_words_outcome_points(f->model);
        struct cs_words_change_style st = ols_style(f->model, lv, &pre, &suf);
        cs_words_change(ph, sizeof ph, pts * s * f->estimate, pts * s * f->low, pts * s * f->high,
                        &st);
        if (clear) {
            cs_doc_bold(d, "%s", subject);
            cs_doc_text(d, " went with %s%s%s.", pre, ph, suf);
        } else {
            cs_doc_text(d, "%s: no clear effect%s; %s%s.", subject,
                        f->model == CS_MODEL_PUSH_OUT ? "" : " on discount", ph, suf);
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
 * One term whose verdict is its within-rep estimate w, with the across-rep
 * estimate a beside it (NULL: none) and what a difference means: bold
 * only when w is clear.
 */
static void term_bullet_within(struct cs_doc *d, const struct cs_finding *w,
                               const struct cs_finding *a)
{
    double s;
    const char *subject = cs_words_term_subject(w->model, w->term, &s);
    char lv[48], x[48], r[96], ph[256], beside[512], why[320];
    bool clear = w->verdict == CS_VERDICT_CLEAR;
    interval_words(lv, sizeof lv, w->level);
    cs_doc_bullet(d);
    if (!cs_model_info(w->model)->logistic) {
        const char *pre, *suf;
        double pts = cs_words_outcome_points(w->model);
        struct cs_words_change_style st = ols_style(w->model, lv, &pre, &suf);
        cs_words_change(ph, sizeof ph, pts * s * w->estimate, pts * s * w->low, pts * s * w->high,
                        &st);
        if (clear) {
            cs_doc_bold(d, "%s", subject);
            cs_doc_text(d, " went with %s%s%s within the same rep", pre, ph, suf);
        } else {
            cs_doc_text(d, "%s: within the same rep, no clear effect on discount; %s%s", subject,
                        ph, suf);
        }
    } else {
        double hi = exp(s * w->high);
        cs_words_ratio_as(x, sizeof x, exp(s * w->estimate), hi);
        cs_words_ratio_range(r, sizeof r, exp(s * w->low), hi);
        if (clear) {
            cs_doc_bold(d, "%s", subject);
            cs_doc_text(d, " went with %s times the odds of %s within the same rep (%s%s)", x,
                        outcome_of(w->model), lv, r);
        } else {
            cs_doc_text(d, "%s: within the same rep, no clear effect on the odds of %s (odds ratio "
                           "%s, %s%s)", subject, outcome_of(w->model), x, lv, r);
        }
    }
    if (a) {
        cs_doc_text(d, "; across reps, %s", estimate_words(beside, sizeof beside, a));
        if (cs_words_within_contrast(why, sizeof why, w, a)[0])
            cs_doc_text(d, ": %s", why);
    }
    cs_doc_text(d, ".");
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
        cs_doc_text(d, "%sToo little data to read %s. %s", lead, cs_words_model_about(m),
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
                r->clusters, cs_words_model_clusters(m), r->rule.df);
}

/* Whether the within-rep model w of a term left it out (no variation within reps). */
static bool within_dropped(const struct cs_report_input *in, enum cs_model_id w, const char *term)
{
    const struct cs_regress_fit *fit = cs_analysis_fit(in->an, w);
    const struct cs_model_rule *r = cs_findings_model(in->an->findings, w);
    for (size_t j = 0; fit && r->rule.readable && j < fit->n_dropped; j++)
        if (strcmp(fit->dropped[j], term) == 0)
            return true;
    return false;
}

/*
 * Every term of model m's fit, each with the estimate that states its
 * verdict (cs_findings_lead: the within-rep one when it is read, with the
 * across-rep one beside it), then the terms left out.  within: m's
 * within-rep model, or m itself when it has none.
 */
static void term_bullets(struct cs_doc *d, const struct cs_report_input *in, enum cs_model_id m,
                         enum cs_model_id within, const struct cs_regress_fit *fit)
{
    const struct cs_findings *fs = in->an->findings;
    for (size_t j = 0; j < fit->k; j++) {
        const struct cs_finding *f = cs_findings_lead(fs, m, fit->terms[j].name);
        if (!f)
            continue;
        if (cs_model_is_within(f->model)) {
            term_bullet_within(d, f, cs_findings_beside(fs, f));
            continue;
        }
        term_bullet(d, f);
        if (within != m && within_dropped(in, within, f->term))
            cs_doc_text(d, " It does not vary within reps, so the same rep cannot be compared "
                           "with themselves on it.");
    }
    for (size_t j = 0; j < fit->n_dropped; j++) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%s: left out, as it does not vary in this period.",
                    cs_words_term_subject(m, fit->dropped[j], NULL));
    }
}

/*
 * What the within-rep model w of a section adds, after the across-rep
 * model's description: who it compares and what it rests on, or why it
 * cannot be read (then the findings rest on the comparison across reps).
 */
static void within_paragraph(struct cs_doc *d, const struct cs_report_input *in, enum cs_model_id w)
{
    const struct cs_analysis *an = in->an;
    const struct cs_model_result *mr = &an->model[w];
    const struct cs_model_rule *r = cs_findings_model(an->findings, w);
    bool logistic = cs_model_info(w)->logistic;
    char a[32], b[32], why[512];
    cs_doc_text(d, " Each rep is also compared with themselves: %s, so that what differs between "
                   "reps (skill, territory, book of business) cannot make a link appear.",
                logistic ? "the same model with each rep as a stratum (conditional logistic "
                           "regression)"
                         : "the same model with a term for each rep (rep fixed effects)");
    if (!mr->fit || !cs_analysis_fit(an, w)) {
        cs_doc_text(d, " That comparison could not be made here (%s), so the findings below rest "
                       "on the comparison across reps.",
                    !mr->fit ? mr->note : cs_regress_flag_text(mr->fit->flags & CS_REGRESS_UNFITTED));
        return;
    }
    if (!r->rule.readable) {
        char low[512];
        cs_words_model_thin(why, sizeof why, r, w);
        cs_doc_text(d, " It has too little data to be read: %s The findings below rest on the "
                       "comparison across reps, where who the reps are can make a link appear.",
                    cs_words_lowered(low, sizeof low, why));
        return;
    }
    if (logistic)
        cs_doc_text(d, " It rests on the %s reps who have both risky and other deals (%s deals)",
                    cs_fmt_count(a, sizeof a, r->clusters), cs_fmt_count(b, sizeof b, r->event_rows));
    else
        cs_doc_text(d, " It rests on %s deals of %s reps", cs_fmt_count(a, sizeof a, r->n),
                    cs_fmt_count(b, sizeof b, r->clusters));
    const struct cs_model_rule *ra = cs_findings_model(an->findings, cs_model_info(w)->across);
    if (r->rule.few_clusters && r->clusters != ra->clusters)   /* else said of the model above */
        cs_doc_text(d, ", which is few (its intervals use Student's t with %.0f degrees of "
                       "freedom)", r->rule.df);
    if (logistic && mr->uninformative)
        cs_doc_text(d, "; the %zu rep%s whose deals are all of one kind add%s nothing to it",
                    mr->uninformative, mr->uninformative == 1 ? "" : "s",
                    mr->uninformative == 1 ? "s" : "");
    cs_doc_text(d, ". Where it can be read, its estimate gives each finding's verdict, and the "
                   "estimate across reps stands beside it.");
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
    within_paragraph(d, in, CS_MODEL_PROMISE_RISK_WITHIN);
    term_bullets(d, in, CS_MODEL_PROMISE_RISK, CS_MODEL_PROMISE_RISK_WITHIN, fit);
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

/*
 * Holding deals back (SPEC 14.2): whether reps who ended a quarter with
 * nothing more to earn close more of the next quarter's bookings in its
 * first two weeks, with its plot.
 */
static void push_out_paragraph(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_push_out *po = &an->push_out;
    const struct cs_model_result *mr = &an->model[CS_MODEL_PUSH_OUT];
    char a[32], b[32], c[32];
    cs_doc_para(d);
    /* not bold: bold marks clear findings only */
    cs_doc_text(d, "Holding deals back.");
    if (!po->quarterly) {
        cs_doc_text(d, " No plan is quarterly, so a rep's quarter cannot be compared with the "
                       "next.");
        return;
    }
    cs_doc_text(d, " A rep who has reached a cap or a decelerator earns less on the next deal "
                   "than at the start of the quarter, and may hold deals back until the next "
                   "quarter begins. ");
    if (!mr->fit) {
        cs_doc_text(d, "This cannot be measured for this period: %s.", mr->note);
        return;
    }
    char which[96] = "every quarter followed by one in which the same rep has won deals";
    int year, q;
    if (an->sel.mode == CS_SELECT_QUARTER) {
        /* the quarter before the selected one, named: fiscal years are named
         * by the year they end in, so 2026Q1 follows 2025Q4 */
        if (sscanf(an->sel.label, "%dQ%d", &year, &q) == 2 && q >= 1 && q <= 4)
            snprintf(which, sizeof which, "%dQ%d, the quarter before %s, for reps with won "
                     "deals in both", q == 1 ? year - 1 : year, q == 1 ? 4 : q - 1, an->sel.label);
        else
            snprintf(which, sizeof which, "the quarter before the selected one, for reps with "
                     "won deals in both");
    }
    cs_doc_text(d, "Over %s rep-quarters of %s reps (%s), the share of the next quarter's "
                   "bookings closed in its first two weeks is compared between the rep-quarters "
                   "that ended with nothing more to earn and the others, holding fixed whether a "
                   "late deal crossed a tier floor. ",
                cs_fmt_count(a, sizeof a, po->rep_periods), cs_fmt_count(b, sizeof b, po->reps),
                which);
    const struct cs_regress_fit *fit = model_or_why(d, in, CS_MODEL_PUSH_OUT, "The push-out model",
                                                    "");
    if (!fit)
        return;
    const struct cs_finding *f = cs_findings_term(an->findings, CS_MODEL_PUSH_OUT,
                                                  "nothing_to_earn");
    if (!f) {
        cs_doc_text(d, "No rep-quarter among them ended with nothing more to earn (no rep reached "
                       "a capped or decelerated tier), so holding back cannot be measured.");
    } else {
        const char *reading = f->verdict == CS_VERDICT_THIN ? ""
                              : f->verdict != CS_VERDICT_CLEAR ? ": no clear sign of deals held back"
                              : f->direction > 0 ? ": a sign of deals held back to the next quarter"
                                                 : ": no sign of deals held back";
        cs_doc_text(d, "Rep-quarters that ended with nothing more to earn (%s of them) were "
                       "followed by %s of the next quarter's bookings in its first two weeks, "
                       "the others by %s%s.",
                    cs_fmt_count(c, sizeof c, po->nothing_to_earn),
                    cs_words_pct(a, sizeof a, po->group_share[1]),
                    cs_words_pct(b, sizeof b, po->group_share[0]), reading);
    }
    few_clusters(d, cs_findings_model(an->findings, CS_MODEL_PUSH_OUT), CS_MODEL_PUSH_OUT);
    term_bullets(d, in, CS_MODEL_PUSH_OUT, CS_MODEL_PUSH_OUT, fit);
    cs_report_add_plots(d, in, "push-out");
}

void cs_report_when(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    cs_doc_heading(d, 1, "When");
    cs_report_add_plots(d, in, "when");
    timing_paragraph(d, in);
    push_out_paragraph(d, in);
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
    within_paragraph(d, in, CS_MODEL_DISCOUNT_WITHIN);
    term_bullets(d, in, CS_MODEL_DISCOUNT, CS_MODEL_DISCOUNT_WITHIN, fit);
}

void cs_report_thresholds(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    const struct cs_findings *fs = an->findings;
    cs_doc_heading(d, 1, "At the thresholds");
    if (an->n_bunch == 0) {
        cs_doc_para(d);
        if (an->bunch_plans_left_out)
            cs_doc_text(d, "Every plan with a tier floor above zero has fewer than %d reps, so "
                           "its attainments would describe them: no threshold is examined here.",
                        CS_MIN_GROUP_REPS);
        else
            cs_doc_text(d, "No plan has a tier floor above zero, so there is no threshold to "
                           "examine.");
        return;
    }
    cs_doc_para(d);
    cs_doc_text(d, "When reps just short of a floor pull deals in to cross it, final attainment "
                   "piles up just above the floor and thins just below. The excess is measured "
                   "against a smooth curve fitted to the rest of the distribution, over every "
                   "rep-period in the data. Placebo points 25 points below each floor, where "
                   "nothing pays more, show what chance alone produces.");
    if (an->bunch_plans_left_out)
        cs_doc_text(d, " %zu plan%s with fewer than %d reps %s left out: %s attainments would "
                       "describe %s reps.", an->bunch_plans_left_out,
                    an->bunch_plans_left_out == 1 ? "" : "s", CS_MIN_GROUP_REPS,
                    an->bunch_plans_left_out == 1 ? "is" : "are",
                    an->bunch_plans_left_out == 1 ? "its" : "their",
                    an->bunch_plans_left_out == 1 ? "its" : "their");
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
    term_bullets(d, in, CS_MODEL_COLLATERAL, CS_MODEL_COLLATERAL, fit);
    cs_report_add_plots(d, in, "collateral");
}

/* ------------------------------------------------------------------------
 * The summary's model findings
 * --------------------------------------------------------------------- */

/* The across-rep estimate beside a within-rep one, short: "2.1 times",
 * "odds ratio 1.2, no clear effect", "too little data". */
static const char *beside_short(char *buf, size_t n, const struct cs_finding *a)
{
    double s;
    char x[48];
    cs_words_term_subject(a->model, a->term, &s);
    if (a->verdict == CS_VERDICT_THIN)
        snprintf(buf, n, "too little data to tell");
    else if (a->verdict == CS_VERDICT_CLEAR)
        snprintf(buf, n, "%s times", cs_words_ratio(x, sizeof x, exp(s * a->estimate)));
    else
        snprintf(buf, n, "odds ratio %s, no clear effect",
                 cs_words_ratio(x, sizeof x, exp(s * a->estimate)));
    return buf;
}

size_t cs_report_summary_terms(struct cs_doc *d, const struct cs_report_input *in,
                               enum cs_model_id m, size_t max)
{
    /* the plan's own elements: what a plan change acts on */
    static const char *const plan_terms[] = {"tier_cross", "marginal_rate", "last_14_days", "spiff"};
    const struct cs_findings *fs = in->an->findings;
    const struct cs_finding *found[4];
    double size[4];
    size_t nf = 0, said = 0;
    for (size_t i = 0; i < 4; i++) {
        const struct cs_finding *f = cs_findings_lead(fs, m, plan_terms[i]);
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
    for (size_t i = 0; i < nf && i < max; i++, said++) {
        const struct cs_finding *f = found[i];
        const struct cs_finding *a = cs_findings_beside(fs, f);
        double s;
        const char *subject = cs_words_term_subject(m, f->term, &s);
        char x[48], r[96], lv[48], low[256], b[96], why[320];
        double hi = exp(s * f->high);
        cs_words_ratio_as(x, sizeof x, exp(s * f->estimate), hi);
        cs_words_ratio_range(r, sizeof r, exp(s * f->low), hi);
        interval_words(lv, sizeof lv, f->level);
        if (!cs_model_is_within(f->model)) {
            cs_doc_text(d, " %s went with %s times the odds of such a promise (%s%s).", subject, x,
                        lv, r);
            continue;
        }
        cs_doc_text(d, " Within the same rep, %s went with %s times the odds of such a promise "
                       "(%s%s", cs_words_lowered(low, sizeof low, subject), x, lv, r);
        if (a) {
            cs_doc_text(d, "; across reps %s", beside_short(b, sizeof b, a));
            if (cs_words_within_contrast(why, sizeof why, f, a)[0])
                cs_doc_text(d, ": %s", why);
        }
        cs_doc_text(d, ").");
    }
    /* a link across reps that the same-rep comparison does not confirm:
     * the VP's objection, answered in the summary */
    for (size_t i = 0; i < 4; i++) {
        const struct cs_finding *f = cs_findings_lead(fs, m, plan_terms[i]);
        const struct cs_finding *a = cs_findings_beside(fs, f);
        if (!f || !a || !cs_model_is_within(f->model) || f->verdict == CS_VERDICT_CLEAR ||
            a->verdict != CS_VERDICT_CLEAR)
            continue;
        double s;
        const char *subject = cs_words_term_subject(m, f->term, &s);
        char x[48], y[48], r[96], lv[48], low[256];
        double hi = exp(s * f->high);
        cs_doc_text(d, " Across reps, %s went with %s times the odds of such a promise, but "
                       "within the same rep there is no clear link (odds ratio %s, %s%s): the link "
                       "across reps may be who the reps are rather than the plan.",
                    cs_words_lowered(low, sizeof low, subject),
                    cs_words_ratio(y, sizeof y, exp(s * a->estimate)),
                    cs_words_ratio_as(x, sizeof x, exp(s * f->estimate), hi),
                    interval_words(lv, sizeof lv, f->level),
                    cs_words_ratio_range(r, sizeof r, exp(s * f->low), hi));
        said++;
    }
    return said;
}
