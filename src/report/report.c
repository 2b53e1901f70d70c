/* report.c - the findings of an analysis in plain words: report.md / report.html and private/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compsight/output.h"
#include "compsight/parse.h"
#include "compsight/plot.h"
#include "compsight/report.h"
#include "compsight/version.h"
#include "datanotes.h"
#include "wording.h"

/* ------------------------------------------------------------------------
 * How each model term is read
 * --------------------------------------------------------------------- */

struct term_words {
    const char *name;
    double scale;        /* effect per this many units of the term */
    const char *subject; /* what changes, in plan language */
};

static const struct term_words term_words[] = {
    {"marginal_rate", 0.01, "Each extra percentage point of marginal commission rate"},
    {"tier_cross", 1, "Deals that carried the rep across a tier floor"},
    {"last_14_days", 1, "Deals closed in the last two weeks of the plan period"},
    {"log_amount", M_LN2, "Each doubling of deal size"},
    {"spiff", 1, "Deals on a product with a running SPIFF"},
    {"type[expansion]", 1, "Expansion deals (against new business)"},
    {"type[renewal]", 1, "Renewals (against new business)"},
    {"target_gap", 0.1, "Each 10 points by which the owner was behind marketing target"},
};

static const struct term_words *words_for(const char *term, bool collateral)
{
    if (collateral && strcmp(term, "last_14_days") == 0) {
        static const struct term_words w = {"last_14_days", 1,
                                            "Assets published in the last two weeks of the quarter"};
        return &w;
    }
    for (size_t i = 0; i < sizeof term_words / sizeof term_words[0]; i++)
        if (strcmp(term_words[i].name, term) == 0)
            return &term_words[i];
    return NULL;
}

static bool clear(const struct cs_regress_term *t)
{
    return isfinite(t->ci_low) && isfinite(t->ci_high) && (t->ci_low > 0 || t->ci_high < 0);
}

/* One sentence about a logit term: odds ratio per the term's reading unit. */
static void logit_sentence(struct cs_doc *d, const struct cs_regress_term *t, bool collateral,
                           const char *outcome)
{
    const struct term_words *w = words_for(t->name, collateral);
    char a[32], b[32], c[32];
    double s = w ? w->scale : 1;
    double or_ = exp(s * t->estimate), lo = exp(s * t->ci_low), hi = exp(s * t->ci_high);
    cs_doc_bullet(d);
    if (clear(t)) {
        cs_doc_bold(d, "%s", w ? w->subject : t->name);
        cs_doc_text(d, " went with %s times the odds of %s (95%% interval %s to %s).",
                    cs_words_ratio(a, sizeof a, or_), outcome, cs_words_ratio(b, sizeof b, lo),
                    cs_words_ratio(c, sizeof c, hi));
    } else {
        cs_doc_text(d, "%s: no clear effect on the odds of %s (odds ratio %s, 95%% interval %s to %s).",
                    w ? w->subject : t->name, outcome, cs_words_ratio(a, sizeof a, or_),
                    cs_words_ratio(b, sizeof b, lo), cs_words_ratio(c, sizeof c, hi));
    }
}

static void ols_sentence(struct cs_doc *d, const struct cs_regress_term *t)
{
    const struct term_words *w = words_for(t->name, false);
    char a[32], b[32], c[32];
    double s = w ? w->scale : 1;
    cs_doc_bullet(d);
    if (clear(t)) {
        cs_doc_bold(d, "%s", w ? w->subject : t->name);
        cs_doc_text(d, " went with %s%s percentage points of discount (95%% interval %s to %s).",
                    t->estimate > 0 ? "+" : "", cs_words_num(a, sizeof a, s * t->estimate),
                    cs_words_num(b, sizeof b, s * t->ci_low), cs_words_num(c, sizeof c, s * t->ci_high));
    } else {
        cs_doc_text(d, "%s: no clear effect on discount (%s points, 95%% interval %s to %s).",
                    w ? w->subject : t->name, cs_words_num(a, sizeof a, s * t->estimate),
                    cs_words_num(b, sizeof b, s * t->ci_low), cs_words_num(c, sizeof c, s * t->ci_high));
    }
}

/* The fit to read: Firth's when the plain one separated. */
static const struct cs_regress_fit *model_fit(const struct cs_analysis *an, enum cs_model_id m)
{
    const struct cs_model_result *r = &an->model[m];
    if (r->firth && r->firth->fitted)
        return r->firth;
    return r->fit && r->fit->fitted ? r->fit : NULL;
}

/* ------------------------------------------------------------------------
 * Sections
 * --------------------------------------------------------------------- */

/* Every plot of a report section (its kind in plot.h), rendered or with
 * the reason it is not shown. */
static void add_plots(struct cs_doc *d, const struct cs_report_input *in, const char *kind)
{
    const struct cs_plot_list *pl = in->plots;
    for (size_t i = 0; pl && i < pl->n; i++) {
        const struct cs_plot_item *it = &pl->items[i];
        if (strcmp(it->kind, kind) != 0)
            continue;
        char file[64];
        snprintf(file, sizeof file, "plots/%s.png", it->name);
        if (it->rendered) {
            cs_doc_image(d, file, it->caption, it->title);
        } else if (it->skipped) {
            cs_doc_para(d);
            cs_doc_text(d, "(Plot not shown: %s.)", it->skipped);
        }
    }
}

static void section_trust(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_dataset *ds = in->ds;
    const struct cs_analysis *an = in->an;
    char a[32], b[32], c[32];
    uint64_t read = 0, used = 0, rejected = 0;
    for (int t = 0; t < CS_T_COUNT; t++) {
        read += ds->counts[t].read;
        used += ds->counts[t].used;
        rejected += ds->counts[t].rejected;
    }
    bool recon_bad = in->rec && in->rec->compared && !in->rec->reproduces;
    bool warn = rejected || recon_bad || an->heaping.flagged || cs_report_read_warns(ds);
    for (size_t q = 0; q < an->n_quarters; q++)
        warn |= an->quarters[q].thin;

    cs_doc_heading(d, 1, "Data you can trust?");
    cs_doc_box(d, warn ? CS_BOX_WARN : CS_BOX_OK);
    if (recon_bad) {
        cs_doc_para(d);
        cs_doc_bold(d, "The plan model does not reproduce the commission statements: ");
        cs_doc_text(d, "only %s of paid commissions are within 1%% of what the plans in plans.csv "
                       "compute. Check plans.csv and quotas.csv before reading the findings.",
                    cs_words_pct_share(a, sizeof a, in->rec->share));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "%s rows read, %s used, %s rejected", cs_fmt_count(a, sizeof a, read),
                cs_fmt_count(b, sizeof b, used), cs_fmt_count(c, sizeof c, rejected));
    if (rejected) {
        cs_doc_text(d, " (every rejected row is listed with its reason in ");
        cs_doc_link(d, "rejects.csv", "rejects.csv");
        cs_doc_text(d, ").");
    } else {
        cs_doc_text(d, ".");
    }
    cs_report_read_notes(d, ds);
    cs_doc_bullet(d);
    if (!in->rec)
        cs_doc_text(d, "No commission statements (commissions.csv) were given, so the plan model "
                       "could not be checked against what was paid.");
    else if (!in->rec->compared)
        cs_doc_text(d, "commissions.csv has no line for a won deal: nothing to reconcile.");
    else
        cs_doc_text(d, "%s of %s paid commissions are within 1%% of the plan model%s",
                    cs_words_pct_share(a, sizeof a, in->rec->share), cs_fmt_count(b, sizeof b, in->rec->compared),
                    in->rec->reproduces ? ": the model reproduces the statements." : ".");
    cs_doc_bullet(d);
    if (an->heaping.flagged)
        cs_doc_text(d, "Close dates are heaped on month ends: %s of won deals close on the last day "
                       "of a month, against %s for an even spread. Some CRMs default the close date "
                       "to the month end; end-of-period effects below may partly reflect that.",
                    cs_words_pct_share(a, sizeof a, an->heaping.share), cs_words_pct_share(b, sizeof b, an->heaping.expected));
    else
        cs_doc_text(d, "No heaping of close dates on month ends (%s of won deals on a month's last "
                       "day, %s expected).",
                    cs_words_pct_share(a, sizeof a, an->heaping.share), cs_words_pct_share(b, sizeof b, an->heaping.expected));
    for (size_t q = 0; q < an->n_quarters; q++) {
        if (!an->quarters[q].thin)
            continue;
        char label[16];
        cs_format_period(an->quarters[q].quarter, label);
        cs_doc_bullet(d);
        cs_doc_text(d, "%s has %s won deal%s, fewer than half the usual quarter: figures for it "
                       "are less certain.", label, cs_fmt_count(a, sizeof a, an->quarters[q].won),
                    an->quarters[q].won == 1 ? "" : "s");
    }
    if (!an->promise_data) {
        cs_doc_bullet(d);
        cs_doc_text(d, "No roadmap.csv and promises.csv: promises cannot be classified, so the "
                       "promise-risk findings are left out.");
    }
    cs_doc_end_box(d);
}

static void section_summary(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    char a[32], b[32], c[32];
    cs_doc_heading(d, 1, "Summary");
    cs_doc_para(d);
    cs_doc_text(d, "%s won deals closed in %s%s", cs_fmt_count(a, sizeof a, an->won_selected),
                an->sel.mode == CS_SELECT_QUARTER ? "fiscal quarter " : "",
                an->sel.mode == CS_SELECT_QUARTER ? an->sel.label : "all periods");
    if (an->promise_data)
        cs_doc_text(d, "; %s of them (%s) carried at least one promise that is off the roadmap or "
                       "earlier than the roadmap says.",
                    cs_fmt_count(b, sizeof b, an->risky_selected),
                    cs_words_pct_share(c, sizeof c, an->won_selected ? (double)an->risky_selected / (double)an->won_selected : NAN));
    else
        cs_doc_text(d, ".");

    /* The findings, largest first: the promise model's clear plan terms. */
    const struct cs_regress_fit *pf = model_fit(an, CS_MODEL_PROMISE_RISK);
    static const char *const plan_terms[] = {"tier_cross", "marginal_rate", "last_14_days", "spiff"};
    const struct cs_regress_term *found[4];
    size_t nf = 0;
    for (size_t i = 0; i < 4; i++) {
        const struct cs_regress_term *t = cs_words_find_term(pf, plan_terms[i]);
        if (t && clear(t) && t->estimate > 0)
            found[nf++] = t;
    }
    /* Largest first, at most three, so the summary stays short. */
    for (size_t i = 1; i < nf; i++)
        for (size_t j = i; j > 0; j--) {
            const struct term_words *wa = words_for(found[j - 1]->name, false);
            const struct term_words *wb = words_for(found[j]->name, false);
            if (wa->scale * found[j - 1]->estimate >= wb->scale * found[j]->estimate)
                break;
            const struct cs_regress_term *tmp = found[j];
            found[j] = found[j - 1];
            found[j - 1] = tmp;
        }
    for (size_t i = 0; i < nf && i < 3; i++) {
        const struct term_words *w = words_for(found[i]->name, false);
        double or_ = exp(w->scale * found[i]->estimate);
        cs_doc_text(d, " %s went with %s times the odds of such a promise (95%% interval %s to %s).",
                    w->subject, cs_words_ratio(a, sizeof a, or_),
                    cs_words_ratio(b, sizeof b, exp(w->scale * found[i]->ci_low)),
                    cs_words_ratio(c, sizeof c, exp(w->scale * found[i]->ci_high)));
    }
    if (pf && nf == 0)
        cs_doc_text(d, " The promise model finds no clear link between the plan's incentives and "
                       "risky promises in this period.");
    const struct cs_timing *t = an->timing;
    if (t && t->reason == CS_TIMING_OK && t->p < 0.001 && t->last14_share > t->expected_share)
        cs_doc_text(d, " %s of bookings closed in the last two weeks of their plan period, against "
                       "%s if closing were even.",
                    cs_words_pct_share(a, sizeof a, t->last14_share), cs_words_pct_share(b, sizeof b, t->expected_share));
    const struct cs_bunch_result *best = NULL;
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *r = &an->bunch[i];
        if (!r->placebo && r->est.verdict == CS_BUNCH_OK && isfinite(r->est.z) && r->est.z > 3 &&
            (!best || r->est.z > best->est.z))
            best = r;
    }
    if (best)
        cs_doc_text(d, " On the %s plan, final attainment piles up just above the %s floor: about "
                       "%s rep-periods more than the smooth pattern predicts.",
                    cs_ds_str(ds, ds->plans.id[best->plan]), cs_words_pct_share(a, sizeof a, best->floor),
                    cs_words_num(b, sizeof b, best->est.excess_mass));
    const struct cs_regress_term *tg = cs_words_find_term(model_fit(an, CS_MODEL_COLLATERAL), "target_gap");
    if (tg && clear(tg) && tg->estimate > 0)
        cs_doc_text(d, " Marketing assets are more often misstated when their owner is behind target "
                       "(%s times the odds per 10 points of shortfall).",
                    cs_words_ratio(a, sizeof a, exp(0.1 * tg->estimate)));
    cs_doc_para(d);
    cs_doc_text(d, "These are associations across deals, not proof that the plan caused the "
                   "behaviour; they show where a plan change is most likely to matter.");
    if (in->proposal_href) {
        cs_doc_text(d, " Strawman plan changes and their simulated cost are in ");
        cs_doc_link(d, "the proposal draft", in->proposal_href);
        cs_doc_text(d, ".");
    }
}

static void section_where(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    cs_doc_heading(d, 1, "Where incentives drive the behaviour");
    const struct cs_model_result *m = &an->model[CS_MODEL_PROMISE_RISK];
    if (!m->fit) {
        cs_doc_para(d);
        cs_doc_text(d, "The promise-risk model could not be run: %s.", m->note);
        return;
    }
    add_plots(d, in, "where");
    const struct cs_regress_fit *fit = model_fit(an, CS_MODEL_PROMISE_RISK);
    cs_doc_para(d);
    char a[32], g[32];
    if (!fit) {
        cs_doc_text(d, "The promise-risk model has no estimate for this period: %s.",
                    cs_regress_flag_text(m->fit->flags & CS_REGRESS_UNFITTED));
        return;
    }
    cs_doc_text(d, "A logistic model of whether a won deal carries a risky promise, fitted on %s "
                   "deals of %s reps, holding the other plan elements, deal size and deal type "
                   "fixed. Intervals allow for deals of the same rep being alike.",
                cs_fmt_count(a, sizeof a, fit->n), cs_fmt_count(g, sizeof g, fit->clusters));
    if (m->firth)
        cs_doc_text(d, " Some terms separate the outcome perfectly, so the estimates are Firth's "
                       "penalised ones.");
    if (fit->clusters < 10)
        cs_doc_text(d, " With only %zu reps the intervals are rough: treat every figure below as "
                       "a pointer for a closer look, not a measurement.", fit->clusters);
    for (size_t j = 0; j < fit->k; j++)
        if (strcmp(fit->terms[j].name, "(Intercept)") != 0)
            logit_sentence(d, &fit->terms[j], false, "a risky promise");
    for (size_t j = 0; j < fit->n_dropped; j++) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%s: left out, it does not vary in this period.", fit->dropped[j]);
    }
    add_plots(d, in, "how-strong");
    add_plots(d, in, "per-tier");
}

static void section_when(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_timing *t = an->timing;
    char a[32], b[32], c[32];
    cs_doc_heading(d, 1, "When");
    add_plots(d, in, "when");
    cs_doc_para(d);
    if (!t || t->reason != CS_TIMING_OK) {
        cs_doc_text(d, "Too little data to test the timing of closes in this period.");
        return;
    }
    cs_doc_text(d, "%s of bookings closed in the last two weeks of their plan period; an even "
                   "pace would put %s there. ",
                cs_words_pct_share(a, sizeof a, t->last14_share), cs_words_pct_share(b, sizeof b, t->expected_share));
    if (t->p < 0.001)
        cs_doc_text(d, "Closes are not spread evenly over the weeks of the period (chi-square %s "
                       "on %d degrees of freedom, p < 0.001).",
                    cs_words_num(c, sizeof c, t->chi2), t->df);
    else
        cs_doc_text(d, "The spread of closes over the weeks of the period shows no clear "
                       "departure from an even pace (p = %s).", cs_words_num(c, sizeof c, t->p));
    const struct cs_regress_term *l14 = cs_words_find_term(model_fit(an, CS_MODEL_DISCOUNT), "last_14_days");
    if (l14) {
        cs_doc_para(d);
        cs_doc_text(d, "Discounts (a least-squares model of discount_pct on the same terms):");
        const struct cs_regress_fit *fit = model_fit(an, CS_MODEL_DISCOUNT);
        for (size_t j = 0; j < fit->k; j++)
            if (strcmp(fit->terms[j].name, "(Intercept)") != 0)
                ols_sentence(d, &fit->terms[j]);
    }
}

static void section_thresholds(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
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
    static const char *const head[] = {"plan", "floor", "rep-periods", "excess rep-periods",
                                       "± (se)", "z", "reading"};
    static const bool num[] = {false, true, true, true, true, true, false};
    cs_doc_table(d, 7, head, num);
    for (size_t i = 0; i < an->n_bunch; i++) {
        const struct cs_bunch_result *r = &an->bunch[i];
        const struct cs_bunching *e = &r->est;
        char fl[32], n[32], bm[32], se[32], z[32], label[48];
        snprintf(label, sizeof label, "%s%s", cs_words_pct_share(fl, sizeof fl, e->threshold),
                 r->placebo ? " (placebo)" : "");
        const char *reading;
        if (e->verdict != CS_BUNCH_OK)
            reading = cs_bunching_verdict_text(e->verdict);
        else if (isfinite(e->z) && e->z > 3)
            reading = r->placebo ? "excess at a placebo point: treat the floor's result with care"
                                 : "clear excess just above the floor";
        else if (isfinite(e->z) && e->z > 2)
            reading = "some excess, not clear";
        else
            reading = "no clear excess";
        const char *cells[] = {cs_ds_str(ds, ds->plans.id[r->plan]), label,
                               cs_fmt_count(n, sizeof n, e->n_binned),
                               cs_words_num(bm, sizeof bm, e->excess_mass),
                               cs_words_num(se, sizeof se, e->excess_mass_se),
                               cs_words_num(z, sizeof z, e->z), reading};
        cs_doc_row(d, cells);
    }
    add_plots(d, in, "threshold");
    for (size_t i = 0; i < an->n_bunch; i++)
        if (an->bunch[i].est.verdict == CS_BUNCH_OK && an->bunch[i].est.thin) {
            cs_doc_para(d);
            cs_doc_text(d, "Where the counterfactual is thin (few rep-periods expected near the "
                           "floor), the relative excess b is unstable; read the count of excess "
                           "rep-periods instead.");
            break;
        }
}

static void section_collateral(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_model_result *m = &an->model[CS_MODEL_COLLATERAL];
    cs_doc_heading(d, 1, "Collateral");
    cs_doc_para(d);
    if (!m->fit) {
        cs_doc_text(d, "No collateral analysis: %s.", m->note);
        return;
    }
    const struct cs_regress_fit *fit = model_fit(an, CS_MODEL_COLLATERAL);
    if (!fit) {
        cs_doc_text(d, "The collateral model has no estimate for this period: %s.",
                    cs_regress_flag_text(m->fit->flags & CS_REGRESS_UNFITTED));
        return;
    }
    char a[32];
    cs_doc_text(d, "A logistic model of whether a published asset misstates a capability (claims "
                   "available what has not shipped, or coming soon what is not planned), over %s "
                   "assets with a marketing target for their quarter.",
                cs_fmt_count(a, sizeof a, fit->n));
    for (size_t j = 0; j < fit->k; j++)
        if (strcmp(fit->terms[j].name, "(Intercept)") != 0)
            logit_sentence(d, &fit->terms[j], true, "a misstatement");
    add_plots(d, in, "collateral");
}

static void rate_row(struct cs_doc *d, const char *name, const struct cs_group_rate *g)
{
    char n[32], r[32], rate[32], ci[64], lo[16], hi[16];
    snprintf(ci, sizeof ci, "%s to %s", cs_words_pct_share(lo, sizeof lo, g->w.low), cs_words_pct_share(hi, sizeof hi, g->w.high));
    const char *cells[] = {name, cs_fmt_count(n, sizeof n, g->deals), cs_fmt_count(r, sizeof r, g->risky),
                           cs_words_pct_share(rate, sizeof rate, g->w.rate), ci};
    cs_doc_row(d, cells);
}

static void section_groups(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    if (!an->promise_data)
        return;
    cs_doc_heading(d, 1, "By team and plan");
    cs_doc_para(d);
    cs_doc_text(d, "Share of won deals with a risky promise, with 95%% Wilson intervals. Small "
                   "groups have wide intervals: compare intervals, not just rates.");
    static const char *const th[] = {"team", "won deals", "risky", "rate", "95% interval"};
    static const bool num[] = {false, true, true, true, false};
    cs_doc_table(d, 5, th, num);
    for (size_t i = 0; i < an->n_teams; i++)
        rate_row(d, cs_ds_str(ds, an->teams[i].id), &an->teams[i]);
    static const char *const ph[] = {"plan", "won deals", "risky", "rate", "95% interval"};
    cs_doc_table(d, 5, ph, num);
    for (size_t i = 0; i < an->n_plans; i++)
        rate_row(d, cs_ds_str(ds, ds->plans.id[an->plans[i].id]), &an->plans[i]);
    if (an->reps) {
        cs_doc_para(d);
        if (an->reps->pooled)
            cs_doc_text(d, "Across reps, the data show no evidence that individual reps differ "
                           "beyond chance, so no rep-level view would be meaningful.");
        else
            cs_doc_text(d, "Reps do differ beyond chance; rep-level rates, shrunk toward the "
                           "overall rate so that small samples are not flagged by chance, are "
                           "available only in the private report (--private).");
    }
}

static void section_voice(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    if (!an->promise_data)
        return;
    cs_doc_heading(d, 1, "Voice of the field");
    cs_doc_para(d);
    if (an->n_voice == 0) {
        cs_doc_text(d, "No off-roadmap or premature promises in this period.");
        return;
    }
    cs_doc_text(d, "What prospects are being promised beyond the roadmap, ranked by the bookings "
                   "of the deals that carried it: demand the field is hearing, and input for the "
                   "roadmap conversation.");
    static const char *const h[] = {"feature or request", "promises", "deals", "bookings", "kind"};
    static const bool num[] = {false, true, true, true, false};
    cs_doc_table(d, 5, h, num);
    for (size_t i = 0; i < an->n_voice && i < 10; i++) {
        const struct cs_voice *v = &an->voice[i];
        char what[512], p[32], n[32], b[32];
        if (v->feature_text && v->feature != CS_NONE)
            snprintf(what, sizeof what, "%s (%s)", cs_ds_str(ds, ds->roadmap.title[v->feature]),
                     cs_ds_str(ds, v->feature_text));
        else if (v->feature_text)
            snprintf(what, sizeof what, "%s (not on the roadmap)", cs_ds_str(ds, v->feature_text));
        else
            snprintf(what, sizeof what, "\"%s\"", v->text);
        const char *kind = v->premature == 0 ? "off the roadmap"
                           : v->off_roadmap == 0 ? "earlier than the roadmap" : "both";
        const char *cells[] = {what, cs_fmt_count(p, sizeof p, v->promises),
                               cs_fmt_count(n, sizeof n, v->deals), cs_fmt_amount(b, sizeof b, v->bookings), kind};
        cs_doc_row(d, cells);
    }
}

static void section_trend(struct cs_doc *d, const struct cs_report_input *in)
{
    if (in->an->sel.mode != CS_SELECT_ALL)
        return;
    cs_doc_heading(d, 1, "Trend");
    add_plots(d, in, "trend");
    static const char *const h[] = {"quarter", "won deals", "bookings", "risky rate"};
    static const bool num[] = {false, true, true, true};
    cs_doc_table(d, 4, h, num);
    for (size_t i = 0; i < in->an->n_quarters; i++) {
        const struct cs_quarter_count *q = &in->an->quarters[i];
        char label[16], w[32], b[32], r[32];
        cs_format_period(q->quarter, label);
        const char *cells[] = {label, cs_fmt_count(w, sizeof w, q->won), cs_fmt_amount(b, sizeof b, q->bookings),
                               cs_words_pct_share(r, sizeof r, q->won ? (double)q->risky / (double)q->won : NAN)};
        cs_doc_row(d, cells);
    }
}

/*
 * A proposal figure as the report has always printed it: until this
 * summary was typed, the report read proposal.json back, where a figure
 * that is not finite is null and read back as 0.  Kept byte for byte until
 * the issue on trustworthy findings decides how a missing figure reads.
 */
static double as_read_back(double x)
{
    return isfinite(x) ? x : 0.0;
}

/* "-2.8 to 4.5": effects (cs_words_num) or amounts (cs_fmt_amount). */
static const char *range(char *buf, size_t n, double lo, double hi, bool amount)
{
    char a[32], b[32];
    if (amount)
        snprintf(buf, n, "%s to %s", cs_fmt_amount(a, sizeof a, lo), cs_fmt_amount(b, sizeof b, hi));
    else
        snprintf(buf, n, "%s to %s", cs_words_num(a, sizeof a, lo), cs_words_num(b, sizeof b, hi));
    return buf;
}

static void section_options(struct cs_doc *d, const struct cs_report_input *in)
{
    cs_doc_heading(d, 1, "Options");
    const struct cs_proposal_summary *ps = in->proposal;
    if (in->proposal_href && ps && ps->n_options) {
        cs_doc_para(d);
        cs_doc_text(d, "Strawman plan changes, each changing one plan element and simulated on "
                       "this period's deals (the same deals close; the fitted association "
                       "predicts the risk). The three best ranked; ranges are 95%% intervals, "
                       "and a negative cost is a saving:");
        static const char *const h[] = {"option", "risky deals avoided", "range",
                                        "extra commission", "range"};
        static const bool num[] = {false, true, true, true, true};
        cs_doc_table(d, 5, h, num);
        for (size_t i = 0; i < ps->n_top; i++) {
            const struct cs_proposal_summary_option *o = &ps->top[i];
            char av[32], avr[64], cost[32], costr[64];
            /* avoided = -diff, so the range flips; a description cut inside
             * a character was null in proposal.json, read back as "?" */
            const char *desc = cs_utf8_valid(o->description, strlen(o->description))
                                   ? o->description : "?";
            const char *cells[] = {desc,
                                   cs_words_num(av, sizeof av, -as_read_back(o->risky.estimate)),
                                   range(avr, sizeof avr, -as_read_back(o->risky.high),
                                         -as_read_back(o->risky.low), false),
                                   cs_fmt_amount(cost, sizeof cost, as_read_back(o->commission.estimate)),
                                   range(costr, sizeof costr, as_read_back(o->commission.low),
                                         as_read_back(o->commission.high), true)};
            cs_doc_row(d, cells);
        }
        cs_doc_para(d);
        cs_doc_text(d, "Every option, the recommended one with its trade-off, and questions to take "
                       "to sales leadership are in ");
        cs_doc_link(d, "the proposal draft", in->proposal_href);
        cs_doc_text(d, ": an editable starting point, meant to be improved together.");
    } else {
        cs_doc_para(d);
        cs_doc_text(d, "No strawman options for this period (no promise-risk model to simulate "
                       "them with). Run ");
        cs_doc_code(d, "compsight whatif --plans ALT.csv");
        cs_doc_text(d, " to test a plan of your own.");
    }
}

static void section_method(struct cs_doc *d, const struct cs_report_input *in)
{
    cs_doc_heading(d, 1, "Method notes");
    cs_doc_bullet(d);
    cs_doc_text(d, "Risky promise: a promise whose feature is not on the roadmap (blank, unknown, "
                   "exploring or not planned), or is planned or committed for later than the date "
                   "the customer was told. A deal is risky when it carries at least one.");
    cs_doc_bullet(d);
    cs_doc_text(d, "Incentive measures come from the plans exactly: the marginal rate is the rate "
                   "of the tier the rep was in before the deal, counting earlier deals of the same "
                   "plan period in close-date order.");
    cs_doc_bullet(d);
    cs_doc_text(d, "Models are fitted by maximum likelihood; intervals are 95%% intervals from "
                   "cluster-robust standard errors with reps as clusters (owners for collateral).");
    cs_doc_bullet(d);
    cs_doc_text(d, "Bootstrap draws (bunching standard errors) use seed %llu; the same data and "
                   "seed give the same report. Every figure at full precision is in ",
                (unsigned long long)in->an->seed);
    cs_doc_link(d, "results.json", "results.json");
    cs_doc_text(d, ", and every deal's measures in ");
    cs_doc_link(d, "deals.csv", "deals.csv");
    cs_doc_text(d, ".");
    if (in->plots_note && in->plots_note[0]) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Plots: %s", in->plots_note);
    }
}

enum cs_status cs_report_build(const struct cs_report_input *in, struct cs_doc **out,
                               struct cs_error *err)
{
    char title[512];
    *out = NULL;
    snprintf(title, sizeof title, "Where the comp plan drives behaviour: %s, %s%s", in->data_name,
             in->an->sel.mode == CS_SELECT_QUARTER ? "fiscal quarter " : "",
             in->an->sel.mode == CS_SELECT_QUARTER ? in->an->sel.label : "all periods");
    struct cs_doc *d = cs_doc_new(title);
    if (!d)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    cs_doc_para(d);
    cs_doc_text(d, "Generated %s by compsight %s. Shared report: teams and plans only, no person "
                   "is named.", in->date, CS_VERSION);
    if (in->index_href) {
        cs_doc_text(d, " ");
        cs_doc_link(d, "All quarters", in->index_href);
    }
    cs_report_rejected_warning(d, in->ds);
    section_trust(d, in);
    section_summary(d, in);
    section_where(d, in);
    section_when(d, in);
    section_thresholds(d, in);
    section_collateral(d, in);
    section_groups(d, in);
    section_voice(d, in);
    section_trend(d, in);
    section_options(d, in);
    section_method(d, in);
    if (cs_doc_failed(d)) {
        cs_doc_free(d);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    *out = d;
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * Private report
 * --------------------------------------------------------------------- */

enum cs_status cs_report_private(const struct cs_report_input *in, const char *dir,
                                 struct cs_error *err)
{
    char pdir[4096];
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    snprintf(pdir, sizeof pdir, "%s/private", dir);
    enum cs_status st = cs_mkdir_p(pdir, 0700, err);
    if (st != CS_OK)
        return st;
    /* mkdir honours the umask; the private directory must be 0700 whatever it is */
    if (chmod(pdir, 0700) != 0)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "cannot restrict %s to its owner", pdir);
    struct cs_atomic a;
    if ((st = cs_atomic_open(&a, pdir, "reps.csv", err)) != CS_OK)
        return st;
    fputs("rep_id,name,team,won_deals,risky_deals,raw_rate,shrunk_rate,ci_low,ci_high,pooled\n", a.f);
    const struct cs_shrink *s = an->reps;
    for (size_t g = 0; s && g < s->m; g++) {
        uint32_t r = an->rep_of_group[g];
        cs_csv_text(a.f, cs_ds_str(ds, ds->reps.id[r]));
        fputc(',', a.f);
        cs_csv_text(a.f, cs_ds_str(ds, ds->reps.name[r]));
        fputc(',', a.f);
        cs_csv_text(a.f, cs_ds_str(ds, ds->reps.team[r]));
        size_t risky = 0, won = 0;
        for (size_t i = 0; i < ds->deals.n; i++)
            if (ds->deals.rep[i] == r && in->inc->won[i] && cs_selected(&an->sel, in->inc->quarter[i])) {
                won++;
                risky += in->oc->promise_risk[i];
            }
        fprintf(a.f, ",%zu,%zu,", won, risky);
        cs_put_number(a.f, s->raw[g]);
        fputc(',', a.f);
        cs_put_number(a.f, s->mean[g]);
        fputc(',', a.f);
        cs_put_number(a.f, s->low[g]);
        fputc(',', a.f);
        cs_put_number(a.f, s->high[g]);
        fprintf(a.f, ",%d\n", s->pooled);
    }
    if ((st = cs_atomic_commit(&a, err)) != CS_OK)
        return st;
    if ((st = cs_atomic_open(&a, pdir, "README.md", err)) != CS_OK)
        return st;
    fprintf(a.f, "# Private: per-rep rates\n\nThis directory is readable by its owner only. "
                 "It holds per-rep rates of deals with a risky promise for %s.\n\n",
            an->sel.label);
    if (!s)
        fputs("No per-rep figures: there is no promise data.\n", a.f);
    else if (s->pooled)
        fputs("The data show no evidence that reps differ beyond chance: every rep is given the "
              "pooled rate. Do not rank reps on these figures.\n", a.f);
    else
        fputs("Rates are shrunk toward the overall rate by an empirical-Bayes beta-binomial "
              "prior, so that a rep with few deals is not flagged by chance. Intervals are 95% "
              "posterior intervals; compare intervals, not point rates. These figures describe "
              "where the plan's incentives land; they are not a performance judgement.\n", a.f);
    return cs_atomic_commit(&a, err);
}
