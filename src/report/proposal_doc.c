/* proposal_doc.c - the proposal draft in words: each option described, proposal.md and proposal.html (SPEC 8). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/doc.h"
#include "compsight/output.h"
#include "compsight/proposal.h"
#include "compsight/version.h"
#include "wording.h"

static const char *plan_name(const struct cs_dataset *ds, size_t p)
{
    return cs_ds_str(ds, ds->plans.id[p]);
}

/* ======================================================================
 * An option in words
 * ==================================================================== */

void cs_proposal_describe_option(char *buf, size_t n, const struct cs_dataset *ds,
                                 const struct cs_whatif_option *o)
{
    char f[32], a[32], b[32], lo[32], hi[32], q[48];
    const char *pid = plan_name(ds, o->plan);
    cs_words_pct(f, sizeof f, o->floor);
    cs_words_pct(a, sizeof a, o->rate_before);
    cs_words_pct(b, sizeof b, o->rate_after);
    switch (o->kind) {
    case CS_WHATIF_HALVE_STEP:
        snprintf(buf, n, "%s: halve the accelerator step at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_RAMP_STEP:
        snprintf(buf, n, "%s: replace the step at %s of quota by a ramp from %s to %s "
                         "(the rate rises from %s to %s in five equal steps)",
                 pid, f, cs_words_pct(lo, sizeof lo, o->ramp_low),
                 cs_words_pct(hi, sizeof hi, o->ramp_high), a, b);
        break;
    case CS_WHATIF_REMOVE_STEP:
        snprintf(buf, n, "%s: remove the accelerator at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_CAP_TOP:
        snprintf(buf, n, "%s: cap commission at %s of quota (nothing above it instead of %s)",
                 pid, f, a);
        break;
    case CS_WHATIF_DECELERATOR:
        snprintf(buf, n, "%s: a decelerator at %s of quota (%s above it instead of %s)",
                 pid, f, b, a);
        break;
    case CS_WHATIF_YEARLY:
        cs_words_money(q, sizeof q, ds->plans.quota[o->plan] * 4, cs_ds_currency(ds));
        snprintf(buf, n, "%s: measure attainment over the fiscal year instead of the quarter "
                         "(yearly quota %s, four times the quarterly one)", pid, q);
        break;
    case CS_WHATIF_RENEWALS_HALF:
        cs_words_renewals_option(buf, n, pid, o->credit_before, o->credit_after);
        break;
    default:
        snprintf(buf, n, "%s: ?", pid);
    }
}

void cs_proposal_option_label(char *buf, size_t n, const struct cs_dataset *ds,
                              const struct cs_whatif_option *o, size_t rank)
{
    static const char *const verb[CS_WHATIF_KIND_COUNT] = {
        "halve step at", "ramp at", "no step at", "cap at", "decelerate at", "yearly",
        "renewals at half",
    };
    char f[32];
    if (o->kind == CS_WHATIF_YEARLY || o->kind == CS_WHATIF_RENEWALS_HALF)
        snprintf(buf, n, "%zu. %s %s", rank, plan_name(ds, o->plan), verb[o->kind]);
    else
        snprintf(buf, n, "%zu. %s %s %s", rank, plan_name(ds, o->plan),
                 (unsigned)o->kind < CS_WHATIF_KIND_COUNT ? verb[o->kind] : "?",
                 cs_words_pct(f, sizeof f, o->floor));
}

/* The trade-off of an option, for the recommendation (plain text). */
static void trade_off(char *buf, size_t n, const struct cs_dataset *ds, const struct cs_whatif_option *o,
                      double cost)
{
    char f[32], lo[32], hi[32];
    cs_words_pct(f, sizeof f, o->floor);
    switch (o->kind) {
    case CS_WHATIF_HALVE_STEP:
        snprintf(buf, n, "the reward for passing %s is halved, so the reps who finish above it earn "
                         "less on those bookings; some will read it as a pay cut for top performers.",
                 f);
        break;
    case CS_WHATIF_RAMP_STEP:
        snprintf(buf, n, "pay is unchanged for whoever finishes above %s, higher just below %s and "
                         "lower just above it; there is no single line left to push deals over, "
                         "but the plan is a little harder to explain.",
                 cs_words_pct(hi, sizeof hi, o->ramp_high), f);
        (void)lo;
        break;
    case CS_WHATIF_REMOVE_STEP:
        snprintf(buf, n, "there is no extra reward for passing %s at all: the strongest change at "
                         "that threshold, and the largest cut for reps who finish above it.", f);
        break;
    case CS_WHATIF_CAP_TOP:
        snprintf(buf, n, "no commission above %s of quota: it saves the most, but a rep who reaches "
                         "the cap has a reason to hold deals back for the next period.", f);
        break;
    case CS_WHATIF_DECELERATOR:
        snprintf(buf, n, "a record period above %s earns half the rate, which takes away the reason "
                         "to pad it, and gives a reason to move large deals into the next period.", f);
        break;
    case CS_WHATIF_YEARLY:
        snprintf(buf, n, "one period end a year instead of four, so less end-of-quarter pressure; "
                         "but reps wait longer for accelerators, and per-rep quarterly quotas in "
                         "quotas.csv no longer apply to %s.%s", plan_name(ds, o->plan),
                 cost < 0 ? " It also pays less: a strong quarter no longer earns accelerators on "
                            "its own, so reps will see it as a pay cut unless the rates move up." : "");
        break;
    case CS_WHATIF_RENEWALS_HALF:
        cs_words_renewals_trade_off(buf, n);
        break;
    default:
        snprintf(buf, n, "unknown.");
    }
}

/* quotas.csv rows of reps on plan p for quarters: they do not apply to a yearly plan. */
static size_t quarter_overrides(const struct cs_dataset *ds, size_t p)
{
    size_t c = 0;
    for (size_t j = 0; j < ds->quotas.n; j++) {
        uint32_t r = ds->quotas.rep[j];
        if (r < ds->reps.n && ds->reps.plan[r] == p && ds->quotas.period[j] % 10 != 0)
            c++;
    }
    return c;
}

void cs_proposal_option_notes(char *buf, size_t n, const struct cs_proposal *pr, size_t i)
{
    const struct cs_whatif_base *b = pr->base;
    const struct cs_whatif_option *o = &pr->opt[i];
    const struct cs_whatif_result *r = pr->res[i];
    size_t at = 0;
    buf[0] = '\0';
#define NOTE(...) do { int w_ = snprintf(buf + at, n - at, __VA_ARGS__); \
                       if (w_ > 0 && (size_t)w_ < n - at) at += (size_t)w_; } while (0)
    if (b->fit && r->extrapolated) {
        char lo[32], hi[32], cnt[32];
        NOTE("%s%s deal%s a marginal rate outside the range seen in the period (%s to %s): "
             "the estimate extrapolates.", at ? " " : "", cs_fmt_count(cnt, sizeof cnt, r->extrapolated),
             r->extrapolated == 1 ? " gets" : "s get",
             cs_words_pct(lo, sizeof lo, b->rate_min), cs_words_pct(hi, sizeof hi, b->rate_max));
    }
    const struct cs_regress_term *tc = cs_words_find_term(b->fit, "tier_cross");
    if (o->kind == CS_WHATIF_RAMP_STEP && tc && tc->estimate > 0)
        NOTE("%sThe ramp adds floors, and the model counts every floor crossing alike, having "
             "learnt from the current plan's larger steps: it may overstate the risk of small "
             "steps.", at ? " " : "");
    if (o->kind == CS_WHATIF_YEARLY) {
        size_t q = quarter_overrides(b->ds, o->plan);
        if (q)
            NOTE("%s%zu per-rep quarterly quotas in quotas.csv no longer apply: those reps are "
                 "measured against the plan's yearly quota.", at ? " " : "", q);
    }
#undef NOTE
}

/* ======================================================================
 * proposal.md, section by section
 * ==================================================================== */

/* What the report's verdicts say of the plan's elements: the clear
 * ones in one sentence, or that there is none, or that the model has too
 * little data to read. */
static void problem_terms(struct cs_doc *d, const struct cs_proposal *pr)
{
    const struct cs_findings *fs = pr->findings;
    const struct cs_model_rule *r = cs_findings_model(fs, CS_MODEL_PROMISE_RISK);
    char why[512], low[512];
    if (!fs || !r->fitted)
        return;
    if (!r->rule.readable) {
        cs_words_model_thin(why, sizeof why, r, CS_MODEL_PROMISE_RISK);
        cs_doc_text(d, "There is too little data to tie them to the plan's incentives: %s So the "
                       "options below rest on no evidence about risky deals; their effect on "
                       "commission is exact.", cs_words_lowered(low, sizeof low, why));
        return;
    }
    static const char *const plan_terms[] = {"marginal_rate", "tier_cross", "last_14_days", "spiff"};
    size_t said = 0, within = 0;
    for (size_t t = 0; t < sizeof plan_terms / sizeof plan_terms[0]; t++) {
        /* the finding's verdict: the same-rep estimate when it can be read */
        const struct cs_finding *f = cs_findings_lead(fs, CS_MODEL_PROMISE_RISK, plan_terms[t]);
        if (!f || f->verdict != CS_VERDICT_CLEAR)
            continue;
        double s;
        char subj[256], a[48], rng[96], lv[32];
        cs_words_lowered(subj, sizeof subj, cs_words_term_subject(CS_MODEL_PROMISE_RISK, f->term, &s));
        double hi = exp(s * f->high);
        bool w = cs_model_is_within(f->model);
        cs_doc_text(d, "%s%s went with %s times the odds of a risky deal%s (%s interval %s)",
                    said ? "; " : "The risk moves with the comp plan: ", subj,
                    cs_words_ratio_as(a, sizeof a, exp(s * f->estimate), hi),
                    w ? " within the same rep" : " across deals",
                    cs_words_level(lv, sizeof lv, f->level),
                    cs_words_ratio_range(rng, sizeof rng, exp(s * f->low), hi));
        said++;
        within += w;
    }
    if (said)
        cs_doc_text(d, ". This is an association%s, not proof that the plan causes the "
                       "promises, but it points at the plan elements a change could act on%s.",
                    within ? " (comparing each rep with themselves rules out who the reps are, "
                             "not every other cause)" : " across deals",
                    r->rule.few_clusters ? "; it rests on few reps, so read it as a pointer" : "");
    else
        cs_doc_text(d, "In this period the data show no clear link between the plan's incentives "
                       "and the risk, so the options below rest on weak evidence; the same analysis "
                       "over all periods (--period all) has more deals to go on.");
}

/* "The problem": what was observed, and what the model ties it to. */
static void problem_paragraph(struct cs_doc *d, const struct cs_proposal *pr, const char *per)
{
    const struct cs_whatif_base *b = pr->base;
    cs_doc_para(d);
    if (!b->promise_data) {
        cs_doc_text(d, "The data have no roadmap.csv and promises.csv, so risky promises cannot be "
                       "identified and the options below show only their exact effect on "
                       "commission.");
        return;
    }
    char c1[32], c2[32], c3[32], c4[32];
    cs_doc_text(d, "%s %s, %s of the %s won deals (%s) carried at least one promise that is "
                   "off the roadmap or ahead of it: %s such promises in all. ",
                b->sel.mode == CS_SELECT_QUARTER ? "In" : "Over", per,
                cs_fmt_count(c1, sizeof c1, b->observed_risky), cs_fmt_count(c2, sizeof c2, b->deals),
                cs_words_pct(c4, sizeof c4, (double)b->observed_risky / (double)b->deals),
                cs_fmt_count(c3, sizeof c3, b->observed_risky_promises));
    if (!b->fit) {
        cs_doc_text(d, "The model that links them to the plan could not be fitted (%s), so the "
                       "options below show only their exact effect on commission.", b->model_note);
        return;
    }
    problem_terms(d, pr);
}

/* The options' notes, each text once with the options it applies to.
 * False when out of memory. */
static bool notes_list(struct cs_doc *d, const struct cs_proposal *pr)
{
    char (*notes)[1024] = malloc(pr->n * sizeof *notes);
    bool *done = calloc(pr->n, sizeof *done);
    bool any_note = false;
    if (!notes || !done) {
        free(notes);
        free(done);
        return false;
    }
    for (size_t k = 0; k < pr->n; k++)
        cs_proposal_option_notes(notes[k], sizeof notes[k], pr, pr->order[k]);
    for (size_t k = 0; k < pr->n; k++) {
        if (done[k] || !notes[k][0])
            continue;
        if (!any_note) {
            cs_doc_para(d);
            cs_doc_text(d, "Notes on single options:");
            any_note = true;
        }
        size_t same = 0;
        for (size_t q = k; q < pr->n; q++)
            same += !done[q] && strcmp(notes[q], notes[k]) == 0;
        cs_doc_bullet(d);
        cs_doc_text(d, "Option%s ", same > 1 ? "s" : "");
        size_t told = 0;
        for (size_t q = k; q < pr->n; q++) {
            if (done[q] || strcmp(notes[q], notes[k]) != 0)
                continue;
            cs_doc_text(d, "%s%zu", told == 0 ? "" : told + 1 == same ? " and " : ", ", q + 1);
            done[q] = true;
            told++;
        }
        cs_doc_text(d, ": %s", notes[k]);
    }
    free(notes);
    free(done);
    return true;
}

/* How to test an edited option: the whatif command line for options/1.csv,
 * relative to this document (never a path of the user's disk). */
static void rerun_command(struct cs_doc *d, const struct cs_proposal *pr)
{
    cs_doc_para(d);
    cs_doc_text(d, "Each option is in options/N.csv next to this draft (N = its number above): "
                   "the plan it changes, in the format of plans.csv and with its plan id as it "
                   "is there (the plans a file leaves out carry over unchanged). Edit one as "
                   "text, and test it from this folder with ");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "compsight whatif --plans options/1.csv --period %s",
             pr->base->sel.label);
    cs_doc_code(d, cmd);
    cs_doc_text(d, " and --data set to the data folder this draft was made from (add the other "
                   "options it was made with, such as --map or --fiscal-start, and the same --seed "
                   "to get the same intervals).");
}

/* How the options' differences read. */
static const struct cs_words_change_style risky_style = {"fewer", "more", "no change", NULL, ""};

/* "The options side by side": the ranked table, the plots, the notes and
 * how to re-run an option.  False when out of memory. */
static bool options_section(struct cs_doc *d, const struct cs_proposal *pr, bool plot_risky,
                            bool plot_comm)
{
    const struct cs_dataset *ds = pr->base->ds;
    struct cs_words_change_style money = {"less", "more", "no change", cs_ds_currency(ds), ""};
    cs_doc_heading(d, 1, "The options side by side");
    if (!pr->n) {
        cs_doc_para(d);
        cs_doc_text(d, "The current plans offer no standard change to simulate: no plan in use has "
                       "an accelerator step, a top rate above 0 or a quarterly period.");
        return true;
    }
    size_t clear = 0;
    for (size_t i = 0; i < pr->n; i++)
        clear += pr->verdict[i] == CS_VERDICT_CLEAR;
    struct cs_data_rule rule;
    cs_whatif_model_rule(pr->base, &rule);
    cs_doc_para(d);
    if (pr->base->fit && !rule.readable)
        cs_doc_text(d, "The model of risky deals has too little data to read, so no option's "
                       "effect on risky deals can be told; their effect on commission is exact. ");
    else if (pr->base->fit && clear == 0)
        cs_doc_text(d, "No option has a clear effect on risky deals in this period: every "
                       "interval includes no change. ");
    cs_doc_text(d, "Each option changes one element of one plan and leaves everything else as "
                   "it is, so that its effect can be told apart. Risky deals: how many fewer (or "
                   "more) of the period's deals the model expects to carry a risky promise (%s). ",
                pr->base->model == CS_WHATIF_WITHIN
                    ? "the same-rep promise-risk model, which compares each rep with themselves"
                    : "the promise-risk model across reps; --model within uses the same-rep one");
    cs_doc_text(d, 
                   "Commission: the exact change in commission on the same deals. Ranges are 95%% "
                   "intervals. Options whose effect on risky deals is clear come first; then they "
                   "are ranked by risky deals avoided per unit of extra commission, and one that "
                   "avoids risky deals and saves money comes first.");
    static const char *const h[] = {"#", "option", "risky deals (95% interval)",
                                    "risky promises (95% interval)", "commission (95% interval)",
                                    "effect on risky deals"};
    static const bool num[] = {true, false, true, true, true, false};
    cs_doc_table(d, 6, h, num);
    for (size_t k = 0; k < pr->n; k++) {
        size_t i = pr->order[k];
        const struct cs_whatif_result *r = pr->res[i];
        char rank[24], desc[512], a[160], c[160], e[160];
        snprintf(rank, sizeof rank, "%zu", k + 1);
        cs_proposal_describe_option(desc, sizeof desc, ds, &pr->opt[i]);
        const char *cells[] = {rank, desc,
                               cs_words_change(a, sizeof a, r->risky.estimate, r->risky.low,
                                               r->risky.high, &risky_style),
                               cs_words_change(c, sizeof c, r->risky_promises.estimate,
                                               r->risky_promises.low, r->risky_promises.high,
                                               &risky_style),
                               cs_words_change(e, sizeof e, r->commission.estimate,
                                               r->commission.low, r->commission.high, &money),
                               cs_words_verdict(pr->verdict[i])};
        cs_doc_row(d, cells);
    }
    if (plot_risky)
        cs_words_plot_image(d, "options-risky", "Expected risky deals under each option",
                            "Expected risky deals under the current plans and under each of the "
                            "first options by rank, with 95% intervals.");
    if (plot_comm)
        cs_words_plot_image(d, "options-commission", "Commission under each option",
                            "Commission on the period's deals under the current plans and under "
                            "each of the first options by rank, with 95% intervals.");
    if (!notes_list(d, pr))
        return false;
    rerun_command(d, pr);
    return true;
}

/* The recommended option (rank k): its effect, its trade-off, and up to
 * two runners-up with a clear effect, so that the conversation has a
 * choice. */
static void recommended(struct cs_doc *d, const struct cs_proposal *pr)
{
    const struct cs_dataset *ds = pr->base->ds;
    const char *cur = cs_ds_currency(ds);
    char x[96], y[160], z[96];
    size_t i = pr->recommended, k = 0;
    while (pr->order[k] != i)
        k++;
    const struct cs_whatif_result *r = pr->res[i];
    char desc[512], to[512];
    cs_proposal_describe_option(desc, sizeof desc, ds, &pr->opt[i]);
    trade_off(to, sizeof to, ds, &pr->opt[i], r->commission.estimate);
    cs_doc_text(d, "Start the conversation with ");
    cs_doc_bold(d, "option %zu: %s", k + 1, desc);
    double like = fmax(fabs(r->risky.low), fabs(r->risky.high));
    cs_doc_text(d, ". On the same deals it would avoid about %s risky deals (95%% interval %s) "
                   "and about %s risky promises, ",
                cs_words_num_as(x, sizeof x, -r->risky.estimate, like),
                cs_words_num_range(y, sizeof y, -r->risky.high, -r->risky.low),
                cs_words_num(z, sizeof z, -r->risky_promises.estimate));
    double c = r->commission.estimate;
    if (c < 0)
        cs_doc_text(d, "and save about %s in commission (95%% interval %s).",
                    cs_words_money(x, sizeof x, -c, cur),
                    cs_words_money_range(y, sizeof y, -r->commission.high, -r->commission.low, cur));
    else if (c == 0)
        cs_doc_text(d, "at no change in commission.");
    else
        cs_doc_text(d, "for about %s more in commission (95%% interval %s).",
                    cs_words_money(x, sizeof x, c, cur),
                    cs_words_money_range(y, sizeof y, r->commission.low, r->commission.high, cur));
    cs_doc_para(d);
    cs_doc_text(d, "The trade-off: %s", to);
    size_t shown = 0;
    for (size_t q = k + 1; q < pr->n && shown < 2; q++) {
        size_t oq = pr->order[q];
        const struct cs_whatif_result *rq = pr->res[oq];
        if (!(pr->verdict[oq] == CS_VERDICT_CLEAR && rq->risky.high < 0))
            continue;
        if (!shown) {
            cs_doc_para(d);
            cs_doc_text(d, "Also worth discussing:");
        }
        cs_proposal_describe_option(desc, sizeof desc, ds, &pr->opt[oq]);
        trade_off(to, sizeof to, ds, &pr->opt[oq], rq->commission.estimate);
        double cq = rq->commission.estimate;
        cs_doc_bullet(d);
        cs_doc_text(d, "Option %zu, %s: about %s fewer risky deals, %s %s in commission. "
                       "Trade-off: %s", q + 1, desc, cs_words_num(x, sizeof x, -rq->risky.estimate),
                    cq <= 0 ? "saving" : "costing", cs_words_money(y, sizeof y, fabs(cq), cur), to);
        shown++;
    }
}

/* "Recommendation": the best-ranked option with a clear effect, if any. */
static void recommendation(struct cs_doc *d, const struct cs_proposal *pr)
{
    const struct cs_whatif_base *b = pr->base;
    char title[256];
    struct cs_data_rule rule;
    cs_whatif_model_rule(b, &rule);
    cs_doc_heading(d, 1, "Recommendation");
    cs_doc_para(d);
    if (!b->fit) {
        cs_doc_text(d, "Without a model of risky deals there is no recommendation: the options "
                       "differ only in cost, shown above.");
    } else if (!rule.readable) {
        cs_doc_text(d, "No recommendation: the model of risky deals has too little data to read, "
                       "so no option can be told to reduce them. A pilot on one plan, or the same "
                       "analysis over more periods (--period all), would give it more to go on.");
    } else if (pr->recommended == SIZE_MAX) {
        cs_doc_text(d, "No option has a clear effect on risky deals in this period: every "
                       "interval includes no change. ");
        if (pr->n && -pr->res[pr->order[0]]->risky.estimate > 0) {
            cs_proposal_describe_option(title, sizeof title, b->ds, &pr->opt[pr->order[0]]);
            cs_doc_text(d, "Option 1 (%s) does best on the numbers, but the data cannot tell it "
                           "from no change. A pilot on one plan would, and so might the same "
                           "analysis over all periods (--period all).", title);
        }
    } else {
        recommended(d, pr);
    }
}

/* "Questions for sales leadership". */
static void questions(struct cs_doc *d, const struct cs_proposal *pr)
{
    const struct cs_dataset *ds = pr->base->ds;
    cs_doc_heading(d, 1, "Questions for sales leadership");
    cs_doc_bullet(d);
    cs_doc_text(d, "What is each accelerator meant to reward, and would any of these options lose "
                   "that? Which change would you try first, and what would you do differently?");
    if (pr->recommended != SIZE_MAX) {
        const struct cs_whatif_option *o = &pr->opt[pr->recommended];
        cs_doc_bullet(d);
        cs_doc_text(d, "Could we pilot the recommended change on the %s plan for one period, so "
                       "that we measure its effect instead of estimating it?", plan_name(ds, o->plan));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "Which deals of this period were pulled in or pushed to cross a threshold, as "
                   "far as you know? Your knowledge of the deals is the best check on what the "
                   "data suggest.");
    cs_doc_bullet(d);
    cs_doc_text(d, "The features most promised off the roadmap are listed in the report's voice "
                   "of the field. Could reps log those asks for product to weigh, instead of "
                   "promising them?");
    for (size_t s = 0; s < pr->n_spiffs && s < sizeof pr->spiffs / sizeof pr->spiffs[0]; s++) {
        uint32_t sp = pr->spiffs[s];
        char end[16];
        cs_format_date(ds->spiffs.end[sp], end);
        cs_doc_bullet(d);
        cs_doc_text(d, "The SPIFF %s on %s ends on %s, in the last two weeks of a quarter. Would it "
                       "do its job as well if it ended earlier in the quarter? (compsight cannot "
                       "simulate this: it would have to predict when deals close.)",
                    cs_ds_str(ds, ds->spiffs.id[sp]), cs_ds_str(ds, ds->spiffs.product[sp]), end);
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "How should a change be introduced so that it is fair to reps who count on "
                   "today's plan: announced a period ahead, or with a transition guarantee?");
}

/* Plans the "Not simulated" section names in a list before "and N more". */
#define NAMED_PLANS 10

/* The plans beyond the proposal's limit, in one bullet. */
static void beyond_limit(struct cs_doc *d, const struct cs_proposal *pr, const char *per)
{
    const struct cs_dataset *ds = pr->base->ds;
    char n1[32], n2[32];
    cs_doc_bullet(d);
    cs_doc_text(d, "%s more plans with won deals in %s (%s won deals in all): the proposal "
                   "simulates the %d plans with the most won deals, so that it stays readable "
                   "and its size and cost do not grow with the number of plans. To try a change "
                   "to one of the others, write that plan alone in a plans file and run ",
                cs_fmt_count(n1, sizeof n1, pr->n_beyond), per,
                cs_fmt_count(n2, sizeof n2, pr->deals_beyond), CS_WHATIF_MAX_PLANS);
    cs_doc_code(d, "compsight whatif --plans FILE");
    cs_doc_text(d, " (the plans a file leaves out carry over unchanged). They are ");
    size_t named = 0;
    for (size_t p = 0; p < ds->plans.n && named < NAMED_PLANS; p++) {
        if (!pr->base->plan_deals[p] || pr->simulated[p] ||
            (pr->disc && pr->disc->plan_shown[p] != CS_SHOWN))   /* (groups.h) */
            continue;
        bool last = named + 1 == pr->n_beyond;
        cs_doc_text(d, "%s%s", named == 0 ? "" : last ? " and " : ", ", plan_name(ds, p));
        named++;
    }
    if (named < pr->n_beyond)
        cs_doc_text(d, " and %zu more (proposal.json names them all)", pr->n_beyond - named);
    cs_doc_text(d, ".");
}

/* "Not simulated": plans in use none of whose reps won a deal, and the
 * plans beyond the proposal's limit.  False when out of memory. */
static bool not_simulated(struct cs_doc *d, const struct cs_proposal *pr, const char *per)
{
    const struct cs_dataset *ds = pr->base->ds;
    size_t np = ds->plans.n, idle = 0, named = 0;
    size_t *reps = calloc(np ? np : 1, sizeof *reps);
    if (!reps)
        return false;
    for (size_t q = 0; q < ds->reps.n; q++)
        if (ds->reps.plan[q] < np)
            reps[ds->reps.plan[q]]++;
    for (size_t p = 0; p < np; p++)
        idle += reps[p] && !pr->base->plan_deals[p];
    if (idle || pr->n_beyond || pr->small_plans)
        cs_doc_heading(d, 1, "Not simulated");
    if (pr->small_plans) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%zu plan%s with fewer than %d reps who won deals in %s: a change to %s "
                       "would show what %s reps are paid, so %s not named or simulated here.",
                    pr->small_plans, pr->small_plans == 1 ? "" : "s", CS_MIN_GROUP_REPS, per,
                    pr->small_plans == 1 ? "it" : "one of them",
                    pr->small_plans == 1 ? "its" : "their",
                    pr->small_plans == 1 ? "it is" : "they are");
    }
    for (size_t p = 0; p < np && named < NAMED_PLANS; p++) {
        if (reps[p] && !pr->base->plan_deals[p]) {
            cs_doc_bullet(d);
            cs_doc_text(d, "The %s plan: none of its reps won a deal in %s, so no change to it has "
                           "an effect to show.", plan_name(ds, p), per);
            named++;
        }
    }
    if (named < idle) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%zu more plans none of whose reps won a deal in %s.", idle - named, per);
    }
    if (pr->n_beyond)
        beyond_limit(d, pr, per);
    free(reps);
    return true;
}

enum cs_status cs_proposal_doc_write(const char *dir, const struct cs_proposal *pr,
                                     bool plot_risky, bool plot_commission,
                                     struct cs_error *err)
{
    const struct cs_whatif_base *b = pr->base;
    char title[256], per[128];
    cs_words_period_phrase(per, sizeof per, &b->sel);
    snprintf(title, sizeof title, "Draft proposal: comp plan changes to reduce off-roadmap "
                                  "promises (%s)",
             b->sel.mode == CS_SELECT_QUARTER ? b->sel.label : "all periods");
    struct cs_doc *d = cs_doc_new(title);
    if (!d)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    enum cs_status st = CS_OK;
    cs_doc_para(d);
    cs_doc_text(d, "A draft for the conversation with sales leadership, generated %s by compsight "
                   "%s from the deals of %s. It is meant to be edited: every option can be "
                   "changed and re-run, and every question below is open. Plans and teams only; "
                   "no person is named.", pr->date, CS_VERSION, per);

    cs_doc_heading(d, 1, "The problem");
    problem_paragraph(d, pr, per);
    if (!options_section(d, pr, plot_risky, plot_commission)) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    recommendation(d, pr);

    cs_doc_heading(d, 1, "What these numbers do and do not say");
    cs_words_method_bullets(d, b);
    questions(d, pr);
    if (!not_simulated(d, pr, per)) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    cs_doc_para(d);
    cs_doc_text(d, "Every figure at full precision is in ");
    cs_doc_link(d, "proposal.json", "proposal.json");
    cs_doc_text(d, ", and the table above in ");
    cs_doc_link(d, "proposal_options.csv", "proposal_options.csv");
    cs_doc_text(d, ".");

    st = cs_doc_failed(d) ? cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory")
                          : cs_doc_write(d, dir, "proposal", err);
out:
    cs_doc_free(d);
    return st;
}

void cs_proposal_summarize(const struct cs_proposal *pr, struct cs_proposal_summary *s)
{
    memset(s, 0, sizeof *s);
    s->n_options = pr->n;
    s->small_plans = pr->small_plans;
    s->n_top = pr->n < CS_PROPOSAL_SUMMARY_TOP ? pr->n : CS_PROPOSAL_SUMMARY_TOP;
    struct cs_data_rule rule;
    cs_whatif_model_rule(pr->base, &rule);
    s->predicts = pr->base->fit != NULL;
    s->readable = rule.readable;
    for (size_t i = 0; i < pr->n; i++)
        s->n_clear += pr->verdict[i] == CS_VERDICT_CLEAR;
    for (size_t k = 0; k < s->n_top; k++) {
        size_t i = pr->order[k];
        struct cs_proposal_summary_option *o = &s->top[k];
        cs_proposal_describe_option(o->description, sizeof o->description, pr->base->ds,
                                    &pr->opt[i]);
        o->risky = pr->res[i]->risky;
        o->commission = pr->res[i]->commission;
        o->verdict = pr->verdict[i];
    }
}
