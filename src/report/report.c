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
#include "compsight/findings.h"
#include "report_sections.h"
#include "datanotes.h"
#include "wording.h"

/* ------------------------------------------------------------------------
 * Sections
 * --------------------------------------------------------------------- */

void cs_report_add_plots(struct cs_doc *d, const struct cs_report_input *in, const char *kind)
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

/* The bulk-edit warning (bulkedit.h): each flagged day with its count, against days of its kind. */
static void trust_bulk_edits(struct cs_doc *d, const struct cs_bulk_edits *b)
{
    static const char *const like[CS_DAY_KINDS] = {
        "an ordinary day", "a month's last day", "a day in a quarter's last two weeks",
        "one of a quarter's last three days", "one of a fiscal year's last three days"};
    char a[32], w[32], e[32], date[16];
    cs_doc_bullet(d);
    cs_doc_bold(d, "Close dates look bulk-edited:");
    for (size_t i = 0; i < b->n && i < 3; i++) {
        const struct cs_bulk_day *x = &b->day[i];
        cs_format_date(x->day, date);
        cs_doc_text(d, "%s%s deals closed on %s (%s of them won), where %s holds %s%s", i ? "; " : " ",
                    cs_fmt_count(a, sizeof a, x->closes), date, cs_fmt_count(w, sizeof w, x->won),
                    like[x->kind], x->expected < 1 ? "fewer than one" : "about ",
                    x->expected < 1 ? "" : cs_fmt_count(e, sizeof e, (size_t)llround(x->expected)));
    }
    if (b->n_flagged > 3)
        cs_doc_text(d, "; and %s more days like these", cs_fmt_count(a, sizeof a, b->n_flagged - 3));
    cs_doc_text(d, ". A bulk edit or import in the CRM stamps one date on many records; selling "
                   "does not. Check %s in the CRM's history: the timing findings below may "
                   "partly reflect %s.", b->n_flagged == 1 ? "that day" : "those days",
                b->n_flagged == 1 ? "it" : "them");
}

/* The currencies the data's amounts were converted from (SPEC 12): one
 * bullet, only when there were some. */
static void trust_currency(struct cs_doc *d, const struct cs_dataset *ds)
{
    if (!ds->n_converted)
        return;
    uint64_t deals = 0, lines = 0;
    for (size_t i = 0; i < ds->n_converted; i++) {
        deals += ds->converted[i].deals;
        lines += ds->converted[i].commissions;
    }
    char a[32], b[32];
    cs_doc_bullet(d);
    cs_doc_text(d, "Every amount is in %s: %s deal%s", cs_ds_currency(ds),
                cs_fmt_count(a, sizeof a, deals), deals == 1 ? "" : "s");
    if (lines)
        cs_doc_text(d, " and %s commission line%s", cs_fmt_count(b, sizeof b, lines),
                    lines == 1 ? "" : "s");
    cs_doc_text(d, " in ");
    for (size_t i = 0; i < ds->n_converted; i++)
        cs_doc_text(d, "%s%s", i == 0 ? "" : i + 1 == ds->n_converted ? " and " : ", ",
                    ds->converted[i].code);
    cs_doc_text(d, " were converted at the rates of rates.csv on each deal's close date (an open "
                   "deal's created date).");
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
    bool warn = rejected || recon_bad || an->heaping.flagged || an->bulk.n_flagged ||
                cs_report_read_warns(ds);
    for (size_t q = 0; q < an->n_quarters; q++)
        warn |= an->quarters[q].thin;

    cs_doc_heading(d, 1, "Data you can trust?");
    cs_doc_box(d, warn ? CS_BOX_WARN : CS_BOX_OK);
    if (recon_bad) {
        cs_doc_para(d);
        cs_doc_bold(d, "The plan model does not reproduce the commission statements: ");
        cs_doc_text(d, "only %s of paid commissions are within 1%% of what the plans in plans.csv "
                       "compute. Check plans.csv and quotas.csv before reading the findings.",
                    cs_words_pct(a, sizeof a, in->rec->share));
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
    trust_currency(d, ds);
    cs_report_read_notes(d, ds);
    cs_report_plan_notes(d, ds, in->cal, in->inc, &an->sel);
    cs_doc_bullet(d);
    if (!in->rec)
        cs_doc_text(d, "No commission statements (commissions.csv) were given, so the plan model "
                       "could not be checked against what was paid.");
    else if (!in->rec->compared)
        cs_doc_text(d, "commissions.csv has no line for a won deal: nothing to reconcile.");
    else
        cs_doc_text(d, "%s of %s paid commissions are within 1%% of the plan model%s",
                    cs_words_pct(a, sizeof a, in->rec->share), cs_fmt_count(b, sizeof b, in->rec->compared),
                    in->rec->reproduces ? ": the model reproduces the statements." : ".");
    if (in->rec && in->rec->rows_compared)
        cs_doc_text(d, " Of the %s commissions paid to one rep on a share of a split deal, %s "
                       "are within 1%% of what the plan model gives for that share.",
                    cs_fmt_count(b, sizeof b, in->rec->rows_compared),
                    cs_fmt_count(a, sizeof a, in->rec->rows_within));
    cs_doc_bullet(d);
    if (an->heaping.flagged)
        cs_doc_text(d, "Close dates are heaped on month ends: %s of won deals close on the last day "
                       "of a month, against %s for an even spread. Some CRMs default the close date "
                       "to the month end; end-of-period effects below may partly reflect that.",
                    cs_words_pct(a, sizeof a, an->heaping.share), cs_words_pct(b, sizeof b, an->heaping.expected));
    else
        cs_doc_text(d, "No heaping of close dates on month ends (%s of won deals on a month's last "
                       "day, %s expected).",
                    cs_words_pct(a, sizeof a, an->heaping.share), cs_words_pct(b, sizeof b, an->heaping.expected));
    if (an->bulk.n_flagged)
        trust_bulk_edits(d, &an->bulk);
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

/* "97.7% interval 1.2 to 3.4": a finding's printed interval. */
static const char *printed(char *buf, size_t n, const struct cs_finding *f, double lo, double hi,
                           bool ratio)
{
    char p[32], r[96];
    if (ratio)
        cs_words_ratio_range(r, sizeof r, lo, hi);
    else
        cs_words_num_range(r, sizeof r, lo, hi);
    snprintf(buf, n, "%s interval %s", cs_words_level(p, sizeof p, f->level), r);
    return buf;
}

/* The summary on risky promises: the promise model's clear plan terms,
 * largest first, or that it finds none, or that the data are too thin. */
static void summary_promise(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_model_rule *r = cs_findings_model(an->findings, CS_MODEL_PROMISE_RISK);
    char why[512];
    bool thin = r->rule.short_clusters || r->rule.short_events || r->rule.short_n;
    if (r->n == 0 || (!r->fitted && !thin))
        return;
    if (!r->rule.readable) {
        cs_doc_text(d, " There is too little data to tie risky promises to the plan's incentives. %s",
                    cs_words_model_thin(why, sizeof why, r, CS_MODEL_PROMISE_RISK));
        return;
    }
    size_t said = cs_report_summary_terms(d, in, CS_MODEL_PROMISE_RISK, 3);
    if (said == 0)
        cs_doc_text(d, " The promise-risk model finds no clear link between the plan's incentives "
                       "and risky promises in this period%s.",
                    cs_findings_model(an->findings, CS_MODEL_PROMISE_RISK_WITHIN)->rule.readable
                        ? ", across reps or within the same rep" : "");
    else if (r->rule.few_clusters)
        cs_doc_text(d, " %s on %zu reps, which is few: read %s.",
                    said == 1 ? "This rests" : "These rest", r->clusters,
                    said == 1 ? "it as a pointer" : "them as pointers");
}

/* The summary's other findings: timing, the clearest bunching, collateral. */
static void summary_others(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    const struct cs_findings *fs = an->findings;
    char a[48], b[48], c[160];
    const struct cs_finding *tf = cs_findings_timing(fs);
    if (tf && tf->verdict == CS_VERDICT_CLEAR && tf->direction > 0)
        cs_doc_text(d, " %s of bookings closed in the last two weeks of their plan period, against "
                       "%s if closing were even.",
                    cs_words_pct(a, sizeof a, an->timing->last14_share),
                    cs_words_pct(b, sizeof b, an->timing->expected_share));
    const struct cs_finding *best = NULL;
    for (size_t i = 0; i < fs->n; i++) {
        const struct cs_finding *f = &fs->items[i];
        if (f->kind == CS_FINDING_BUNCHING && f->verdict == CS_VERDICT_CLEAR && f->direction > 0 &&
            (!best || fabs(f->stat) > fabs(best->stat)))
            best = f;
    }
    if (best)
        cs_doc_text(d, " On the %s plan, final attainment piles up just above the %s floor: about "
                       "%s rep-%ss more than the smooth pattern predicts (%s).",
                    cs_ds_str(ds, ds->plans.id[best->plan]), cs_words_pct(a, sizeof a, best->floor),
                    cs_words_num_as(b, sizeof b, best->estimate, fmax(fabs(best->low), fabs(best->high))),
                    cs_words_period_word(ds->plans.period_type[best->plan]),
                    printed(c, sizeof c, best, best->low, best->high, false));
    const struct cs_finding *po = cs_findings_term(fs, CS_MODEL_PUSH_OUT, "nothing_to_earn");
    if (po && po->verdict == CS_VERDICT_CLEAR && po->direction > 0)
        cs_doc_text(d, " Reps who ended a quarter with nothing more to earn closed more of the next "
                       "quarter's bookings in its first two weeks (%s against %s): a sign of "
                       "deals held back.",
                    cs_words_pct(a, sizeof a, an->push_out.group_share[1]),
                    cs_words_pct(b, sizeof b, an->push_out.group_share[0]));
    const struct cs_finding *tg = cs_findings_term(fs, CS_MODEL_COLLATERAL, "target_gap");
    if (tg && tg->verdict == CS_VERDICT_CLEAR) {
        double hi = exp(0.1 * tg->high);
        cs_doc_text(d, " Assets published under more marketing target pressure are %s often "
                       "misstated: %s times the odds for each 10 points by which their marketing "
                       "target was behind (%s).", tg->direction > 0 ? "more" : "less",
                    cs_words_ratio_as(a, sizeof a, exp(0.1 * tg->estimate), hi),
                    printed(c, sizeof c, tg, exp(0.1 * tg->low), hi, true));
    }
}

static void section_summary(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
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
                    cs_words_pct(c, sizeof c, an->won_selected ? (double)an->risky_selected / (double)an->won_selected : NAN));
    else
        cs_doc_text(d, ".");

    summary_promise(d, in);
    summary_others(d, in);
    /* the last plan change, in its plot's words (one verdict everywhere) */
    const struct cs_plan_change *pc = cs_planchange_last(an->plan_changes);
    if (pc && pc->estimated) {
        char t[512];
        cs_doc_text(d, " %s", cs_words_plan_change_title(t, sizeof t, in->ds, pc));
        if (pc->verdict == CS_VERDICT_CLEAR && pc->pre_df > 0 && pc->pre_p < 0.05)
            cs_doc_text(d, ", though the two groups already differed before it");
        cs_doc_text(d, ".");
    }
    cs_doc_para(d);
    const struct cs_model_rule *w = cs_findings_model(an->findings, CS_MODEL_PROMISE_RISK_WITHIN);
    if (w->fitted && w->rule.readable)
        cs_doc_text(d, "These are associations, not proof that the plan caused the behaviour. "
                       "Comparing each rep with themselves rules out that the link is only who "
                       "the reps are, not every other cause; they show where a plan change is "
                       "most likely to matter.");
    else
        cs_doc_text(d, "These are associations across deals, not proof that the plan caused the "
                       "behaviour; they show where a plan change is most likely to matter.");
    if (in->proposal_href) {
        cs_doc_text(d, " Strawman plan changes and their simulated cost are in ");
        cs_doc_link(d, "the proposal draft", in->proposal_href);
        cs_doc_text(d, ".");
    }
}

static void rate_row(struct cs_doc *d, const char *name, const struct cs_group_rate *g)
{
    char n[32], r[32], rate[32], ci[96];
    cs_words_pct_range(ci, sizeof ci, g->w.low, g->w.high);
    const char *cells[] = {name, cs_fmt_count(n, sizeof n, g->deals), cs_fmt_count(r, sizeof r, g->risky),
                           cs_words_pct(rate, sizeof rate, g->w.rate), ci};
    cs_doc_row(d, cells);
}

/* The name of a row of the team or plan table: the group's, or for the
 * pool of the small ones "other teams (N)". */
static const char *group_name(char *buf, size_t n, const struct cs_dataset *ds,
                              const struct cs_group_rate *g, const struct cs_group_pool *pool,
                              bool plans)
{
    if (g->other) {
        snprintf(buf, n, "other %s (%zu)", plans ? "plans" : "teams", pool->groups);
        return buf;
    }
    return cs_ds_str(ds, plans ? ds->plans.id[g->id] : g->id);
}

/* What became of the teams (plans) with fewer than CS_MIN_GROUP_REPS reps. */
static void pool_note(struct cs_doc *d, const struct cs_group_pool *pool, const char *one,
                      const char *many)
{
    if (!pool->groups)
        return;
    const char *what = pool->groups == 1 ? one : many;
    if (pool->shown)
        cs_doc_text(d, " Other %s: %zu %s with fewer than %d reps each, %zu reps together.",
                    many, pool->groups, what, CS_MIN_GROUP_REPS, pool->reps);
    else
        cs_doc_text(d, " %zu %s with fewer than %d reps %s left out: even together %s %zu "
                       "rep%s, too few to show without describing a person.",
                    pool->groups, what, CS_MIN_GROUP_REPS, pool->groups == 1 ? "is" : "are",
                    pool->groups == 1 ? "it has" : "they have", pool->reps,
                    pool->reps == 1 ? "" : "s");
}

static void section_groups(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    char name[64];
    if (!an->promise_data)
        return;
    cs_doc_heading(d, 1, "By team and plan");
    cs_doc_para(d);
    cs_doc_text(d, "Share of won deals with a risky promise, with 95%% Wilson intervals. Small "
                   "groups have wide intervals: compare intervals, not just rates.");
    if (an->team_pool.groups || an->plan_pool.groups) {
        cs_doc_text(d, " A team or plan is shown on its own only when at least %d reps closed "
                       "its won deals, so that no figure describes a person; the smaller ones are "
                       "pooled.", CS_MIN_GROUP_REPS);
        pool_note(d, &an->team_pool, "team", "teams");
        pool_note(d, &an->plan_pool, "plan", "plans");
    }
    static const char *const th[] = {"team", "won deals", "risky", "rate", "95% interval"};
    static const bool num[] = {false, true, true, true, false};
    cs_doc_table(d, 5, th, num);
    for (size_t i = 0; i < an->n_teams; i++)
        rate_row(d, group_name(name, sizeof name, ds, &an->teams[i], &an->team_pool, false),
                 &an->teams[i]);
    static const char *const ph[] = {"plan", "won deals", "risky", "rate", "95% interval"};
    cs_doc_table(d, 5, ph, num);
    for (size_t i = 0; i < an->n_plans; i++)
        rate_row(d, group_name(name, sizeof name, ds, &an->plans[i], &an->plan_pool, true),
                 &an->plans[i]);
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
    char bh[32];
    snprintf(bh, sizeof bh, "bookings (%s)", cs_ds_currency(ds));
    const char *h[] = {"feature or request", "promises", "deals", bh, "kind"};
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
                               cs_fmt_count(n, sizeof n, v->deals), cs_words_money(b, sizeof b, v->bookings, NULL),
                               kind};
        cs_doc_row(d, cells);
    }
}

static void section_trend(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_analysis *an = in->an;
    if (an->sel.mode != CS_SELECT_ALL)
        return;
    cs_doc_heading(d, 1, "Trend");
    cs_report_add_plots(d, in, "trend");
    char bh[32];
    snprintf(bh, sizeof bh, "bookings (%s)", cs_ds_currency(in->ds));
    const char *h[] = {"quarter", "won deals", bh, "risky rate"};
    static const bool num[] = {false, true, true, true};
    if (!an->promise_data) {
        cs_doc_para(d);
        cs_doc_text(d, "There is no promise data (no roadmap.csv and promises.csv), so the trend "
                       "shows deals and bookings only, not the risky rate.");
    }
    cs_doc_table(d, an->promise_data ? 4 : 3, h, num);
    for (size_t i = 0; i < an->n_quarters; i++) {
        const struct cs_quarter_count *q = &an->quarters[i];
        char label[16], w[32], b[32], r[32];
        cs_format_period(q->quarter, label);
        const char *cells[] = {label, cs_fmt_count(w, sizeof w, q->won),
                               cs_words_money(b, sizeof b, q->bookings, NULL),
                               cs_words_pct(r, sizeof r, q->won ? (double)q->risky / (double)q->won : NAN)};
        cs_doc_row(d, cells);
    }
}

/* How each option's difference in risky deals and commission reads. */
static const struct cs_words_change_style risky_style = {"fewer", "more", "no change", NULL, ""};

static void options_table(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_proposal_summary *ps = in->proposal;
    const char *cur = cs_ds_currency(in->ds);
    struct cs_words_change_style money = {"less", "more", "no change", cur, ""};
    static const char *const h[] = {"option", "risky deals (95% interval)",
                                    "commission (95% interval)", "effect on risky deals"};
    static const bool num[] = {false, true, true, false};
    cs_doc_table(d, 4, h, num);
    for (size_t i = 0; i < ps->n_top; i++) {
        const struct cs_proposal_summary_option *o = &ps->top[i];
        char rk[160], cm[160];
        /* a description cut inside a character reads "?" (as proposal.json's null did) */
        const char *desc = cs_utf8_valid(o->description, strlen(o->description)) ? o->description : "?";
        const char *cells[] = {desc,
                               cs_words_change(rk, sizeof rk, o->risky.estimate, o->risky.low,
                                               o->risky.high, &risky_style),
                               cs_words_change(cm, sizeof cm, o->commission.estimate,
                                               o->commission.low, o->commission.high, &money),
                               cs_words_verdict(o->verdict)};
        cs_doc_row(d, cells);
    }
}

static void section_options(struct cs_doc *d, const struct cs_report_input *in)
{
    cs_doc_heading(d, 1, "Options");
    const struct cs_proposal_summary *ps = in->proposal;
    cs_doc_para(d);
    if (in->proposal_href && ps && !ps->n_options && ps->small_plans) {
        cs_doc_text(d, "No strawman options for this period: plans with fewer than %d reps who "
                       "won deals are not simulated (an option on one would show what they are "
                       "paid), and no other plan has one. Run ", CS_MIN_GROUP_REPS);
        cs_doc_code(d, "compsight whatif --plans ALT.csv");
        cs_doc_text(d, " to test a plan of your own.");
        return;
    }
    if (!in->proposal_href || !ps || !ps->n_options) {
        cs_doc_text(d, "No strawman options for this period (no promise-risk model to simulate "
                       "them with). Run ");
        cs_doc_code(d, "compsight whatif --plans ALT.csv");
        cs_doc_text(d, " to test a plan of your own.");
        return;
    }
    cs_doc_text(d, "Strawman plan changes, each changing one plan element and simulated on this "
                   "period's deals (the same deals close; the fitted association predicts the "
                   "risk). ");
    if (!ps->readable)
        cs_doc_text(d, "The promise-risk model has too little data to read (see above), so no "
                       "option's effect on risky deals can be told; only their effect on "
                       "commission, which is exact, is worth reading. ");
    else if (ps->n_clear == 0)
        cs_doc_text(d, "No option has a clear effect on risky deals in this period: every "
                       "interval includes no change. ");
    if (ps->small_plans)
        cs_doc_text(d, "Plans with fewer than %d reps who won deals are not simulated (an "
                       "option on one would show what they are paid). ", CS_MIN_GROUP_REPS);
    cs_doc_text(d, "The three best ranked (options with a clear effect on risky deals first, "
                   "then by risky deals avoided per unit of extra commission):");
    options_table(d, in);
    cs_doc_para(d);
    cs_doc_text(d, "Every option, the recommended one with its trade-off, and questions to take "
                   "to sales leadership are in ");
    cs_doc_link(d, "the proposal draft", in->proposal_href);
    cs_doc_text(d, ": an editable starting point, meant to be improved together.");
}

/* The verdict rule (verdict.h) in plain words. */
static void method_rule(struct cs_doc *d, const struct cs_findings *fs)
{
    char lv[32];
    cs_doc_bullet(d);
    cs_doc_text(d, "A model is read only when it rests on at least %d reps (asset owners for the "
                   "collateral model) and on at least %d cases of its rarer outcome for each "
                   "element it weighs (for the discount model, %d deals for each); otherwise its "
                   "section says there is too little data and how much reading it would need. With "
                   "%d to %d reps the intervals are wider (Student's t with one degree of freedom "
                   "fewer than reps), and the text says the reps are few. Bunching at a floor is "
                   "read only with enough rep-periods near it; placebo points are checks, never "
                   "findings. The timing test needs at least %d reps too.",
                CS_VERDICT_MIN_CLUSTERS, CS_VERDICT_PER_TERM, CS_VERDICT_PER_TERM,
                CS_VERDICT_MIN_CLUSTERS, CS_VERDICT_T_MAX_CLUSTERS, CS_VERDICT_MIN_CLUSTERS);
    cs_doc_bullet(d);
    if (fs->family.m == 0) {
        cs_doc_text(d, "No effect could be tested in this period, so the report states none.");
        return;
    }
    cs_doc_text(d, "The report tests %zu effect%s at once; to keep chance findings out, each "
                   "interval is widened for that number (a false-discovery-rate adjustment: here "
                   "they are %s intervals), and an effect is called clear only when its widened "
                   "interval excludes no effect. %zu %s clear.",
                fs->family.m, fs->family.m == 1 ? "" : "s", cs_words_level(lv, sizeof lv, fs->family.level),
                fs->family.rejected, fs->family.rejected == 1 ? "is" : "are");
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
    cs_doc_text(d, "Models are fitted by maximum likelihood; their intervals come from "
                   "cluster-robust standard errors, with deals of the same rep (assets of the same "
                   "owner) allowed to be alike.");
    cs_doc_bullet(d);
    cs_doc_text(d, "Same rep against themselves: the promise-risk model is also fitted with each "
                   "rep as a stratum (conditional logistic regression), and the discount model "
                   "with a term for each rep, so that what differs between reps cannot make a "
                   "link appear; reps whose deals are all risky or all not add nothing to the "
                   "first. When both estimates exist, the same-rep one gives the finding's "
                   "verdict, in the summary, the text, the plot titles and the proposal alike, "
                   "and the one across reps is shown beside it; when the same-rep one has too "
                   "little data, or the element does not vary within reps, the one across reps "
                   "gives it. The two are said to differ when the estimate across reps lies "
                   "outside the same-rep interval (a reading aid, not a test): a link that is "
                   "stronger across reps is partly who the reps are.");
    cs_doc_bullet(d);
    cs_doc_text(d, "Holding deals back: for each rep on a quarterly plan and each quarter "
                   "followed by one in which the rep has won deals, the share of the next "
                   "quarter's bookings closed in its first 14 days, by least squares on whether "
                   "the quarter ended in a tier paying less than the plan's first (a cap or "
                   "decelerator: nothing more to earn) and whether a deal closed in its last 14 "
                   "days carried the rep across a tier floor, with intervals allowing for "
                   "quarters of the same rep being alike.");
    method_rule(d, in->an->findings);
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
    cs_report_where(d, in);
    cs_report_plan_change(d, in);
    cs_report_when(d, in);
    cs_report_thresholds(d, in);
    cs_report_collateral(d, in);
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

enum cs_status cs_report_private_dir(const char *dir, struct cs_error *err)
{
    char pdir[4096];
    snprintf(pdir, sizeof pdir, "%s/private", dir);
    enum cs_status st = cs_mkdir_p(pdir, 0700, err);
    if (st != CS_OK)
        return st;
    /* mkdir honours the umask; the private directory must be 0700 whatever it is */
    if (chmod(pdir, 0700) != 0)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "cannot restrict %s to its owner", pdir);
    return CS_OK;
}

enum cs_status cs_report_private(const struct cs_report_input *in, const char *dir,
                                 struct cs_error *err)
{
    char pdir[4096];
    const struct cs_analysis *an = in->an;
    const struct cs_dataset *ds = in->ds;
    snprintf(pdir, sizeof pdir, "%s/private", dir);
    enum cs_status st = cs_report_private_dir(dir, err);
    if (st != CS_OK)
        return st;
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
