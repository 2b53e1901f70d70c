/* report_planchange.c - the report's section "Did the last plan change work?" (SPEC 14.3): the estimate in words, the event study, the prediction against the outcome, the caveats. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/output.h"
#include "compsight/planchange.h"
#include "report_sections.h"
#include "wording.h"

static const char *plan(const struct cs_dataset *ds, uint32_t p)
{
    return cs_ds_str(ds, ds->plans.id[p]);
}

/* No change to report: why, in the words of SPEC 14.3's definition. */
static void none_found(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_plan_changes *pcs = in->an->plan_changes;
    cs_doc_para(d);
    cs_doc_text(d, "No plan change was found%s. A plan change is at least %d reps moving from "
                   "one plan to the same new plan within %d days of each other.",
                in->an->sel.mode == CS_SELECT_QUARTER ? " up to this quarter" : "",
                CS_PC_MIN_MOVERS, CS_PC_DAYS);
    if (pcs && pcs->largest_group > 1)
        cs_doc_text(d, " The largest group of reps who moved between the same two plans within "
                       "a week was %zu, too few to compare.", pcs->largest_group);
}

/* The estimate in plain words, by its verdict (verdict.h). */
static void estimate_words(struct cs_doc *d, const struct cs_plan_change *c)
{
    char a[256], why[256];
    cs_doc_para(d);
    if (!c->estimated) {
        cs_doc_text(d, "There is no estimate yet: %s.", c->note);
        return;
    }
    cs_words_points(a, sizeof a, c->did.estimate, c->did.ci_low, c->did.ci_high, c->did.level);
    if (c->verdict == CS_VERDICT_THIN) {
        const struct cs_data_rule *r = &c->rule;
        snprintf(why, sizeof why, "it rests on %zu reps and %zu deals; reading it needs at least "
                                  "%zu reps and %zu deals", c->treated_reps + c->control_reps,
                 c->n, r->need_clusters, r->need_n);
        cs_doc_text(d, "There is too little data to tell what the change did: %s. (The figure, "
                       "for the record: %s.)", why, a);
        return;
    }
    cs_doc_text(d, "After the change, the share of won deals with a risky promise was %s for the "
                   "reps who moved than it would have been had they moved like the others: ", a);
    /* a clear estimate is not bold when the groups already moved apart
     * before the change: the data cannot back it as the plan's effect */
    bool apart = c->pre_df > 0 && c->pre_p < 0.05;
    if (c->verdict == CS_VERDICT_CLEAR && !apart)
        cs_doc_bold(d, c->did.estimate < 0 ? "a clear fall." : "a clear rise.");
    else if (c->verdict == CS_VERDICT_CLEAR)
        cs_doc_text(d, "a %s by this measure, but the two groups already differed before the "
                       "change (see the caveats), so part of it may not be the plan's doing.",
                    c->did.estimate < 0 ? "fall" : "rise");
    else
        cs_doc_text(d, "no clear effect; the interval includes no change.");
    cs_doc_text(d, " This is a difference-in-differences: the change of the movers' rate from "
                   "the four quarters before to the quarters after, minus the same change for "
                   "the others, each rep compared with itself.");
}

/* The prediction made before the change, against what happened. */
static void prediction(struct cs_doc *d, const struct cs_dataset *ds, const struct cs_plan_change *c)
{
    const struct cs_pc_predicted *p = &c->predicted;
    char a[256], b[256], n1[32];
    cs_doc_heading(d, 2, "Prediction against outcome");
    cs_doc_para(d);
    if (!p->done) {
        cs_doc_text(d, "No prediction: %s.", p->note);
        return;
    }
    cs_doc_text(d, "The what-if of plan %s on the %s won deals the movers closed in the four "
                   "quarters before the change predicts the change below: the promise-risk model "
                   "fitted on those quarters, with its interval from %zu bootstrap draws over reps.",
                plan(ds, c->to), cs_fmt_count(n1, sizeof n1, p->deals), p->draws);
    static const char *const h[] = {"", "risky-deal rate of the reps who moved", "verdict"};
    static const bool num[] = {false, true, false};
    cs_doc_table(d, 3, h, num);
    const char *r1[] = {"predicted before the change", cs_words_points(a, sizeof a, p->estimate,
                                                                      p->ci_low, p->ci_high, 0.95),
                        cs_words_verdict(cs_verdict_of_interval(p->ci_low, p->ci_high))};
    cs_doc_row(d, r1);
    const char *r2[] = {"observed after it", c->estimated
                            ? cs_words_points(b, sizeof b, c->did.estimate, c->did.ci_low,
                                              c->did.ci_high, c->did.level)
                            : "no estimate yet",
                        cs_words_verdict(c->verdict)};
    cs_doc_row(d, r2);
    if (!c->estimated || c->verdict == CS_VERDICT_THIN)
        return;
    cs_doc_para(d);
    if (p->estimate >= c->did.ci_low && p->estimate <= c->did.ci_high)
        cs_doc_text(d, "The outcome agrees with the prediction: the predicted change lies within "
                       "the observed interval.");
    else if (c->did.ci_high < p->estimate)
        cs_doc_text(d, "Risky deals fell by more than the what-if predicted. The what-if sees only "
                       "what the plan's tiers do through the commission rate at each deal; the rest "
                       "is behaviour the tiers do not explain (or something else that changed for "
                       "these reps at the same time).");
    else
        cs_doc_text(d, "Risky deals fell by less than the what-if predicted (or rose): the plan's "
                       "tiers did not work on behaviour as the model of the deals before expected.");
}

/* The caveats: other changes at the date, few reps, pre-trends, time. */
static void caveats(struct cs_doc *d, const struct cs_plan_change *c)
{
    char p[32];
    cs_doc_heading(d, 2, "Caveats");
    cs_doc_bullet(d);
    if (c->other_moves || c->other_changes)
        cs_doc_text(d, "Other changes at the same date: %zu other rep%s changed plan within %d "
                       "days of it%s. Anything that changed for the movers on the same date is "
                       "part of the estimate.", c->other_moves, c->other_moves == 1 ? "" : "s",
                    CS_PC_DAYS, c->other_changes ? ", among them another plan change" : "");
    else
        cs_doc_text(d, "No other rep changed plan within %d days of it. Changes the data do not "
                       "record (territories, pricing, a new fiscal year's targets) that came "
                       "with the new plan would still be part of the estimate.", CS_PC_DAYS);
    if (c->few_treated) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Few reps: only %zu reps moved. An estimate on so few reps moves with any "
                       "one of them; read it as a pointer, not a measurement.", c->treated_reps);
    }
    cs_doc_bullet(d);
    if (c->pre_df == 0)
        cs_doc_text(d, "Pre-trends: there are too few quarters before the change to check that "
                       "the two groups moved together before it.");
    else if (c->pre_p < 0.05)
        cs_doc_text(d, "Pre-trends: before the change, the reps who moved and the others did not "
                       "move together (the quarters before it differ, p = %s; see the plot). Part "
                       "of the estimate may be a difference that was there already.%s",
                    cs_words_p(p, sizeof p, c->pre_p),
                    c->few_treated ? " With few reps this test also rejects too often." : "");
    else
        cs_doc_text(d, "Pre-trends: before the change, the two groups moved together as far as the "
                       "data tell (no clear difference in the quarters before it, p = %s).",
                    cs_words_p(p, sizeof p, c->pre_p));
    if (c->quarters_after < CS_PC_QUARTERS) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Early read: the data reach %d of the %d quarters after the change.",
                    c->quarters_after, CS_PC_QUARTERS);
    }
}

void cs_report_plan_change(struct cs_doc *d, const struct cs_report_input *in)
{
    const struct cs_dataset *ds = in->ds;
    const struct cs_plan_changes *pcs = in->an->plan_changes;
    /* a data set with no assignments holds no plan history: no section
     * (REPORT.md: "when the data hold one") */
    if (!in->an->promise_data || !ds->counts[CS_T_ASSIGNMENTS].present)
        return;
    cs_doc_heading(d, 1, "Did the last plan change work?");
    const struct cs_plan_change *c = cs_planchange_last(pcs);
    if (!c) {
        none_found(d, in);
        return;
    }
    char d0[16], d1[16];
    cs_format_date(c->date, d0);
    cs_format_date(c->last_move, d1);
    cs_doc_para(d);
    cs_doc_text(d, "On %s, %zu reps moved from plan %s to plan %s", d0, c->movers, plan(ds, c->from),
                plan(ds, c->to));
    if (c->last_move != c->date)
        cs_doc_text(d, " (the last of them on %s)", d1);
    char n1[32];
    cs_doc_text(d, ". They are compared with the %zu reps who changed no plan in the four quarters "
                   "before and after, over %s won deals of both groups.", c->control_reps,
                cs_fmt_count(n1, sizeof n1, c->n));
    estimate_words(d, c);
    cs_report_add_plots(d, in, "plan-change");
    prediction(d, ds, c);
    caveats(d, c);
    size_t earlier = 0;
    for (size_t i = 0; i < pcs->n; i++)
        earlier += pcs->items[i].run && &pcs->items[i] != c;
    if (earlier) {
        cs_doc_para(d);
        cs_doc_text(d, "Earlier plan changes:");
        for (size_t i = 0; i < pcs->n; i++) {
            const struct cs_plan_change *e = &pcs->items[i];
            char t[512];
            if (!e->run || e == c)
                continue;
            cs_doc_bullet(d);
            cs_doc_text(d, "%s.", cs_words_plan_change_title(t, sizeof t, ds, e));
        }
    }
}
