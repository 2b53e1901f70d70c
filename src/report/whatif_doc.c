/* whatif_doc.c - whatif.md and whatif.html: the alternative plans against the current ones, in words (SPEC 8). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/doc.h"
#include "compsight/output.h"
#include "compsight/version.h"
#include "compsight/whatifdoc.h"
#include "wording.h"

static const char *plan_name(const struct cs_dataset *ds, size_t p)
{
    return cs_ds_str(ds, ds->plans.id[p]);
}

/* "from 0%: 8%; from 100%: 12%" */
static void tiers_text(char *buf, size_t n, const struct cs_plans *pl, size_t p)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t t = 0; t < pl->tier_count[p] && o + 1 < n; t++) {
        char f[32], r[32];
        int w = snprintf(buf + o, n - o, "%sfrom %s: %s", t ? "; " : "",
                         cs_words_pct(f, sizeof f, pl->floor[pl->tier_first[p] + t]),
                         cs_words_pct(r, sizeof r, pl->rate[pl->tier_first[p] + t]));
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* Plans a document names in a sentence before it says "and N more". */
#define NAMED_PLANS 10

/* The plans of one kind (changed, listed as they are, carried over): the
 * first NAMED_PLANS and how many. */
struct plan_set {
    uint32_t p[NAMED_PLANS];
    size_t n;
};

static void plan_set_add(struct plan_set *s, size_t p)
{
    if (s->n < NAMED_PLANS)
        s->p[s->n] = (uint32_t)p;
    s->n++;
}

/* "A, B and C", or "A, B, ... and 7 more (whatif.json names them all)". */
static void name_plans(struct cs_doc *d, const struct cs_dataset *ds, const struct plan_set *s)
{
    size_t shown = s->n < NAMED_PLANS ? s->n : NAMED_PLANS;
    for (size_t i = 0; i < shown; i++)
        cs_doc_text(d, "%s%s", i == 0 ? "" : i + 1 == shown && shown == s->n ? " and " : ", ",
                    plan_name(ds, s->p[i]));
    if (shown < s->n)
        cs_doc_text(d, " and %zu more (whatif.json names them all)", s->n - shown);
}

/* Which plans the file changes, which it lists as they are, and which
 * carry over because it leaves them out (SPEC 13). */
static void plan_sources(struct cs_doc *d, const struct cs_whatif_doc *w)
{
    const struct cs_dataset *ds = w->base->ds;
    const struct cs_whatif_result *r = w->result;
    struct plan_set changed = {0}, same = {0}, over = {0};
    for (size_t p = 0, k = 0; p < ds->plans.n; p++) {
        bool ch = k < r->n_plans && r->plans[k].plan == p;
        k += ch;
        if (w->disc && w->disc->plan_shown[p] != CS_SHOWN)
            continue;           /* too few reps to be named (groups.h): see the tables */
        plan_set_add(ch ? &changed : !w->listed || w->listed[p] ? &same : &over, p);
    }
    cs_doc_para(d);
    if (changed.n) {
        cs_doc_text(d, "The file changes %zu plan%s: ", changed.n, changed.n == 1 ? "" : "s");
        name_plans(d, ds, &changed);
        cs_doc_text(d, ". ");
    } else {
        cs_doc_text(d, "The file changes no plan. ");
    }
    if (same.n) {
        cs_doc_text(d, "It also lists ");
        name_plans(d, ds, &same);
        cs_doc_text(d, ", unchanged. ");
    }
    if (over.n) {
        cs_doc_text(d, "The plan%s it leaves out carr%s over unchanged: ", over.n == 1 ? "" : "s",
                    over.n == 1 ? "ies" : "y");
        name_plans(d, ds, &over);
        cs_doc_text(d, ".");
    } else {
        cs_doc_text(d, "It lists every plan of the data.");
    }
}

/* The opening paragraphs: what is compared, on which deals. */
static void intro(struct cs_doc *d, const struct cs_whatif_doc *w, const char *per,
                  bool any_change)
{
    const struct cs_whatif_base *b = w->base;
    char x[64], y[64];
    cs_doc_para(d);
    cs_doc_text(d, "The alternative plans file against the current plans, on the %s won deals of "
                   "%s (%s reps). Generated "
                   "%s by compsight %s; teams and plans only, no person is named.",
                cs_fmt_count(x, sizeof x, b->deals), per, cs_fmt_count(y, sizeof y, b->reps),
                w->date, CS_VERSION);
    plan_sources(d, w);
    if (!any_change) {
        cs_doc_box(d, CS_BOX_OK);
        cs_doc_para(d);
        cs_doc_text(d, "The alternative plans are the same as the current ones for every plan in "
                       "use: nothing changes, and every difference below is exactly 0.");
        cs_doc_end_box(d);
    }
}

/* How the what-if's differences read. */
static const struct cs_words_change_style risky_words = {"fewer", "more", "no change", NULL,
                                                         "95% interval "};
static const struct cs_words_change_style risky_cell = {"fewer", "more", "no change", NULL, ""};

/* "In short": risky deals and commission in one paragraph each; a figure
 * is bold only when its effect is clear. */
static void in_short(struct cs_doc *d, const struct cs_whatif_doc *w)
{
    const struct cs_whatif_base *b = w->base;
    const struct cs_whatif_result *r = w->result;
    const char *cur = cs_ds_currency(b->ds);
    char x[64], y[64], ph[320], why[512];
    struct cs_data_rule rule;
    cs_whatif_model_rule(b, &rule);
    cs_doc_heading(d, 1, "In short");
    cs_doc_para(d);
    if (!b->fit) {
        cs_doc_text(d, "Risky deals cannot be predicted (%s). ", b->model_note);
    } else if (!rule.readable) {
        struct cs_model_rule mr = {.fitted = true, .logistic = true, .n = b->deals,
                                   .clusters = b->fit->clusters, .events = b->rule_events,
                                   .event_rows = b->rule_rows, .rule = rule};
        cs_doc_text(d, "The model of risky deals has too little data to read, so the alternative's "
                       "effect on them cannot be told. %s ",
                    cs_words_model_thin(why, sizeof why, &mr,
                                        b->model == CS_WHATIF_WITHIN ? CS_MODEL_PROMISE_RISK_WITHIN
                                                                     : CS_MODEL_PROMISE_RISK));
    } else if (r->risky.estimate == 0) {
        cs_doc_text(d, "With the alternative plans the model expects the same %s risky deals. ",
                    cs_words_num(x, sizeof x, r->base_risky));
    } else {
        bool clear = cs_verdict_of_interval(r->risky.low, r->risky.high) == CS_VERDICT_CLEAR;
        cs_doc_text(d, "With the alternative plans the model expects ");
        if (clear)
            cs_doc_bold(d, "%s risky deals instead of %s", cs_words_num(x, sizeof x, r->alt_risky),
                        cs_words_num(y, sizeof y, r->base_risky));
        else
            cs_doc_text(d, "%s risky deals instead of %s", cs_words_num(x, sizeof x, r->alt_risky),
                        cs_words_num(y, sizeof y, r->base_risky));
        cs_doc_text(d, ": %s. ", cs_words_change(ph, sizeof ph, r->risky.estimate, r->risky.low,
                                                 r->risky.high, &risky_words));
        if (isfinite(r->risky.low) && !clear)
            cs_doc_text(d, "The interval includes no change, so the data show no clear effect. ");
    }
    struct cs_words_change_style money = {"less", "more", "no change", cur, "95% interval "};
    cs_words_change(ph, sizeof ph, r->commission.estimate, r->commission.low, r->commission.high,
                    &money);
    if (r->commission.estimate == 0 || strcmp(ph, money.none) == 0) {
        cs_doc_text(d, "Commission on these deals stays at %s%s.",
                    r->commission.estimate == 0 ? "" : "about ",
                    cs_words_money(x, sizeof x, r->base_commission, cur));
    } else {
        cs_doc_text(d, "Commission on these deals would be %s instead of %s: %s.",
                    cs_words_money(x, sizeof x, r->alt_commission, cur),
                    cs_words_money(y, sizeof y, r->base_commission, cur),
                    cs_words_change(ph, sizeof ph, r->commission.estimate, r->commission.low,
                                    r->commission.high, &money));
    }
    cs_doc_para(d);
    cs_doc_text(d, "%s", cs_words_first_order);
}

/* "Side by side": the three figures under each plan, and the plots. */
static void side_by_side(struct cs_doc *d, const struct cs_whatif_doc *w)
{
    const struct cs_whatif_base *b = w->base;
    const struct cs_whatif_result *r = w->result;
    const char *cur = cs_ds_currency(b->ds);
    struct cs_words_change_style money = {"less", "more", "no change", cur, ""};
    char x[64], y[64];
    cs_doc_heading(d, 1, "Side by side");
    static const char *const h[] = {"measure", "current plans", "alternative",
                                    "difference (95% interval)"};
    static const bool num[] = {false, true, true, true};
    cs_doc_table(d, 4, h, num);
    {
        char a[48], c[48], e[160];
        const char *row1[] = {"expected risky deals", cs_words_num(a, sizeof a, r->base_risky),
                              cs_words_num(c, sizeof c, r->alt_risky),
                              cs_words_change(e, sizeof e, r->risky.estimate, r->risky.low,
                                              r->risky.high, &risky_cell)};
        cs_doc_row(d, row1);
        const char *row2[] = {"expected risky promises", cs_words_num(a, sizeof a, r->base_risky_promises),
                              cs_words_num(c, sizeof c, r->alt_risky_promises),
                              cs_words_change(e, sizeof e, r->risky_promises.estimate,
                                              r->risky_promises.low, r->risky_promises.high,
                                              &risky_cell)};
        cs_doc_row(d, row2);
        const char *row3[] = {"commission", cs_words_money(a, sizeof a, r->base_commission, cur),
                              cs_words_money(c, sizeof c, r->alt_commission, cur),
                              cs_words_change(e, sizeof e, r->commission.estimate, r->commission.low,
                                              r->commission.high, &money)};
        cs_doc_row(d, row3);
    }
    if (b->promise_data) {
        cs_doc_para(d);
        cs_doc_text(d, "Observed in the period: %s risky deals carrying %s risky promises.",
                    cs_fmt_count(x, sizeof x, b->observed_risky),
                    cs_fmt_count(y, sizeof y, b->observed_risky_promises));
        if (b->fit && !b->firth)
            cs_doc_text(d, " Under the current plans the model reproduces the observed count (a "
                           "logistic fit with an intercept always does), so the difference is what "
                           "matters.");
    }
    if (w->plot_risky)
        cs_words_plot_image(d, "whatif-risky",
                            "Expected risky deals, current plans against the alternative",
                            "Expected risky deals under the current plans and under the "
                            "alternative, with the alternative's 95% interval.");
    if (w->plot_commission)
        cs_words_plot_image(d, "whatif-commission",
                            "Commission, current plans against the alternative",
                            "Commission on the period's deals under the current plans and under "
                            "the alternative, with the alternative's 95% interval.");
}

/* Why attainment was recomputed, when it was: crediting (SPEC 13), or a
 * period type or quota. */
static void recompute_note(struct cs_doc *d, const struct cs_whatif_base *b,
                           const struct cs_whatif_result *r)
{
    if (r->credit_changed) {
        cs_doc_para(d);
        cs_doc_text(d, "A plan counts a type of deal differently, so attainment was recomputed "
                       "from the deals: a deal credited at less counts less toward its rep's "
                       "quota and is paid on the part that counts, and the deals after it in the "
                       "period start from a lower attainment.");
        if (b->inc->split.n)
            cs_doc_text(d, " A split deal's commission is re-priced for every rep it credits, "
                           "each under the plan that rep holds.");
    } else if (r->recomputed) {
        cs_doc_para(d);
        cs_doc_text(d, "A plan's period type or quota changes, so attainment was recomputed "
                       "from the deals for every plan. Per-rep quotas in quotas.csv still "
                       "apply where their period matches the plan's (a quarterly quota does "
                       "not apply to a yearly plan).");
    }
}

/* "What changed": each changed plan before and after, the deals it moves,
 * and the effect by plan. */
static void what_changed(struct cs_doc *d, const struct cs_whatif_doc *w)
{
    const struct cs_whatif_base *b = w->base;
    const struct cs_whatif_result *r = w->result;
    const struct cs_dataset *ds = b->ds;
    char x[64], y[64], z[96];
    cs_doc_heading(d, 1, "What changed");
    /* SPEC 13: a crediting column when the file changes how a plan credits deal types */
    static const char *const th[] = {"plan", "", "period", "quota", "tiers (from attainment: rate)",
                                     "crediting (share of a deal's amount that counts)"};
    static const bool tnum[] = {false, false, false, true, false, false};
    size_t cols = r->credit_changed ? 6 : 5;
    cs_doc_table(d, cols, th, tnum);
    size_t small = 0;
    for (size_t i = 0; i < r->n_plans; i++) {
        size_t p = r->plans[i].plan;
        if (w->disc && r->plans[i].deals && w->disc->plan_shown[p] != CS_SHOWN) {
            small++;            /* its quota is its reps' own (groups.h) */
            continue;
        }
        char q[48], t[1024], cr[256];
        for (int v = 0; v < 2; v++) {
            const struct cs_plans *pl = v ? w->alt : &ds->plans;
            tiers_text(t, sizeof t, pl, p);
            const char *cells[] = {plan_name(ds, p), v ? "alternative" : "current",
                                   cs_words_period_word(pl->period_type[p]),
                                   cs_words_money(q, sizeof q, pl->quota[p], cs_ds_currency(ds)), t,
                                   cs_words_crediting(cr, sizeof cr, ds, pl, p)};
            cs_doc_row(d, cells);
        }
    }
    if (small) {
        cs_doc_para(d);
        cs_doc_text(d, "The alternative also changes %zu plan%s with fewer than %d reps who won "
                       "deals, not shown: %s quota and tiers would be what %s reps are paid by.",
                    small, small == 1 ? "" : "s", CS_MIN_GROUP_REPS,
                    small == 1 ? "its" : "their", small == 1 ? "its" : "their");
    }
    cs_doc_para(d);
    char c1[32], c2[32], c3[32], c4[32], c5[32];
    cs_doc_text(d, "Of the period's %s won deals, %s get a different marginal rate, %s a "
                   "different tier crossing and %s a different last-two-weeks flag; %s a "
                   "different commission.", cs_fmt_count(c1, sizeof c1, b->deals),
                cs_fmt_count(c2, sizeof c2, r->changed_marginal_rate),
                cs_fmt_count(c3, sizeof c3, r->changed_tier_cross),
                cs_fmt_count(c4, sizeof c4, r->changed_last_14_days),
                cs_fmt_count(c5, sizeof c5, r->changed_commission));
    if (r->extrapolated && b->fit) {
        cs_doc_para(d);
        cs_doc_text(d, "%s deal%s a marginal rate outside the range the period's deals "
                       "had (%s to %s): for %s the model extrapolates, so read %s part "
                       "of the estimate with care.", cs_fmt_count(z, sizeof z, r->extrapolated),
                    r->extrapolated == 1 ? " gets" : "s get",
                    cs_words_pct(x, sizeof x, b->rate_min),
                    cs_words_pct(y, sizeof y, b->rate_max),
                    r->extrapolated == 1 ? "it" : "them", r->extrapolated == 1 ? "its" : "their");
    }
    recompute_note(d, b, r);
    cs_doc_heading(d, 2, "By plan");
    static const char *const ph[] = {"plan", "deals", "deals changed",
                                     "risky deals, difference (95% interval)",
                                     "commission, difference (95% interval)"};
    static const bool pnum[] = {false, true, true, true, true};
    cs_doc_table(d, 5, ph, pnum);
    /* Every plan with deals, less those too small to show (groups.h); past
     * NAMED_PLANS unchanged ones, those in one row. */
    size_t unchanged = 0, rest = 0, rest_deals = 0, not_shown = 0;
    for (size_t p = 0; p < ds->plans.n; p++)
        unchanged += b->plan_deals[p] && !cs_whatif_result_changes(r, p);
    for (size_t p = 0; p < ds->plans.n; p++) {
        struct cs_whatif_plan_effect ef;
        const struct cs_whatif_plan_effect *e = &ef;
        cs_whatif_plan_effect_of(b, r, p, &ef);
        if (!e->deals)
            continue;
        if (w->disc && w->disc->plan_shown[p] != CS_SHOWN) {
            not_shown++;        /* its figures would be its reps' own (groups.h) */
            continue;
        }
        if (!e->changed && unchanged > NAMED_PLANS) {
            rest++;
            rest_deals += e->deals;
            continue;
        }
        char a[32], c[32], e1[160], e2[160];
        struct cs_words_change_style money = {"less", "more", "no change", cs_ds_currency(ds), ""};
        cs_fmt_count(a, sizeof a, e->deals);
        cs_fmt_count(c, sizeof c, e->rows_changed);
        const char *cells[] = {plan_name(ds, p), a, c,
                               b->fit ? cs_words_change(e1, sizeof e1, e->risky.estimate,
                                                        e->risky.low, e->risky.high, &risky_cell)
                                      : "n/a",
                               cs_words_change(e2, sizeof e2, e->commission.estimate,
                                               e->commission.low, e->commission.high, &money)};
        cs_doc_row(d, cells);
    }
    if (rest) {
        char name[64], a[32];
        snprintf(name, sizeof name, "%zu unchanged plans", rest);
        const char *cells[] = {name, cs_fmt_count(a, sizeof a, rest_deals), "0",
                               b->fit ? "no change" : "n/a", "no change"};
        cs_doc_row(d, cells);
    }
    if (not_shown) {
        cs_doc_para(d);
        cs_doc_text(d, "%zu plan%s with fewer than %d reps who won deals %s not shown by %s: "
                       "%s figures would be what %s reps are paid. %s in the totals above.",
                    not_shown, not_shown == 1 ? "" : "s", CS_MIN_GROUP_REPS,
                    not_shown == 1 ? "is" : "are", not_shown == 1 ? "itself" : "themselves",
                    not_shown == 1 ? "its" : "their", not_shown == 1 ? "its" : "their",
                    not_shown == 1 ? "It counts" : "They count");
    }
}

enum cs_status cs_whatif_doc_write(const char *dir, const struct cs_whatif_doc *w,
                                   struct cs_error *err)
{
    const struct cs_whatif_base *b = w->base;
    const struct cs_whatif_result *r = w->result;
    char title[256], per[128];
    cs_words_period_phrase(per, sizeof per, &b->sel);
    snprintf(title, sizeof title, "What if the plan changed: %s", per);
    struct cs_doc *d = cs_doc_new(title);
    if (!d)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    bool any_change = r->n_plans > 0;

    intro(d, w, per, any_change);
    in_short(d, w);
    side_by_side(d, w);
    if (any_change)
        what_changed(d, w);

    cs_doc_heading(d, 1, "How to read this");
    cs_words_method_bullets(d, b);
    cs_doc_bullet(d);
    cs_doc_text(d, "Every figure at full precision is in ");
    cs_doc_link(d, "whatif.json", "whatif.json");
    cs_doc_text(d, ".");

    enum cs_status st = cs_doc_failed(d) ? cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory")
                                         : cs_doc_write(d, dir, "whatif", err);
    cs_doc_free(d);
    return st;
}
