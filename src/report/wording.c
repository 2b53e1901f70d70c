/* wording.c - numbers, model terms and shared passages in words, for every document and plot of report/ (wording.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compsight/output.h"
#include "wording.h"

/* ======================================================================
 * Numbers: the one formatter of every document
 *
 * Two significant digits for a figure (whole numbers stay whole: 133, not
 * 130); a range, or an estimate with its interval, gets the decimals of
 * its largest member at every end; a value that rounds to zero prints
 * "0", never "-0"; thousands separators from 1,000.
 * ==================================================================== */

/* Decimals that give a magnitude `sig` significant digits, whole numbers
 * kept whole. */
static int decimals_for(double a, int sig)
{
    if (!(a > 0) || !isfinite(a))
        return 0;
    int d = sig - 1 - (int)floor(log10(a));
    return d < 0 ? 0 : d > 8 ? 8 : d;
}

/* x with d decimals and thousands separators; "0" when it rounds to zero. */
static const char *fixed(char *buf, size_t n, double x, int d)
{
    char tmp[400], out[520];
    snprintf(tmp, sizeof tmp, "%.*f", d, fabs(x));
    bool zero = strspn(tmp, "0.") == strlen(tmp);
    size_t intlen = strcspn(tmp, "."), o = 0;
    if (x < 0 && !zero)
        out[o++] = '-';
    for (size_t i = 0; tmp[i] && o + 2 < sizeof out; i++) {
        if (i && i < intlen && (intlen - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", zero ? "0" : out);
    return buf;
}

/* The largest finite magnitude of up to three values (NAN: none). */
static double largest(double a, double b, double c)
{
    double m = 0;
    if (isfinite(a) && fabs(a) > m)
        m = fabs(a);
    if (isfinite(b) && fabs(b) > m)
        m = fabs(b);
    if (isfinite(c) && fabs(c) > m)
        m = fabs(c);
    return m;
}

/* How a set of figures is printed: one unit (divisor and suffix) and one
 * number of decimals for all. */
struct prec {
    double div;
    const char *suffix;
    int d;
};

/* x in precision p: "0" alone when it rounds to zero (no suffix, no sign). */
static const char *put(char *buf, size_t n, double x, const struct prec *p)
{
    fixed(buf, n, x / p->div, p->d);
    size_t len = strlen(buf), sl = strlen(p->suffix);
    if (strcmp(buf, "0") != 0 && len + sl < n)
        memcpy(buf + len, p->suffix, sl + 1);
    return buf;
}

/* The precision a range [lo, hi] is printed in: d decimals (in units of
 * div), and more (up to `most`) when its two ends would otherwise read
 * the same. */
static struct prec range_prec(double lo, double hi, double div, const char *suffix, int d, int most)
{
    struct prec p = {div, suffix, d < most ? d : most};
    char a[64], b[64];
    while (isfinite(lo) && isfinite(hi) && lo != hi && p.d < most &&
           strcmp(put(a, sizeof a, lo, &p), put(b, sizeof b, hi, &p)) == 0)
        p.d++;
    return p;
}

const char *cs_words_num(char *buf, size_t n, double x)
{
    return cs_words_num_as(buf, n, x, x);
}

const char *cs_words_num_as(char *buf, size_t n, double x, double like)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else
        fixed(buf, n, x, decimals_for(largest(x, like, NAN), 2));
    return buf;
}

const char *cs_words_expected(char *buf, size_t n, double x)
{
    return cs_words_num(buf, n, x);
}

const char *cs_words_num_range(char *buf, size_t n, double lo, double hi)
{
    char a[48], b[48];
    if (!isfinite(lo) || !isfinite(hi)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    struct prec p = range_prec(lo, hi, 1, "", decimals_for(largest(lo, hi, NAN), 2), 8);
    snprintf(buf, n, "%s to %s", put(a, sizeof a, lo, &p), put(b, sizeof b, hi, &p));
    return buf;
}

/* Trailing zeros of a decimal fraction dropped ("12.50" -> "12.5", "10.0" -> "10"). */
static void strip_zeros(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t k = strlen(s);
    while (k > 0 && s[k - 1] == '0')
        s[--k] = '\0';
    if (k > 0 && s[k - 1] == '.')
        s[--k] = '\0';
}

const char *cs_words_pct(char *buf, size_t n, double fraction)
{
    if (!isfinite(fraction)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    double x = 100 * fraction;
    char a[48];
    /* exact when short (a plan's 12.5% or 8.75%), else two significant digits */
    int d = decimals_for(fabs(x), 2);
    for (int e = 0; e <= 2; e++) {
        double r = round(x * pow(10, e)) / pow(10, e);
        if (fabs(x - r) <= 1e-9 * fmax(1, fabs(x)) && decimals_for(fabs(x), 3) >= e) {
            d = e > d ? e : d;
            break;
        }
    }
    fixed(a, sizeof a, x, d);
    strip_zeros(a);
    snprintf(buf, n, "%s%%", a);
    return buf;
}

const char *cs_words_pct_range(char *buf, size_t n, double lo, double hi)
{
    char a[48], b[48];
    if (!isfinite(lo) || !isfinite(hi)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    struct prec p = range_prec(100 * lo, 100 * hi, 1, "", decimals_for(100 * largest(lo, hi, NAN), 2), 8);
    snprintf(buf, n, "%s%% to %s%%", put(a, sizeof a, 100 * lo, &p), put(b, sizeof b, 100 * hi, &p));
    return buf;
}

const char *cs_words_level(char *buf, size_t n, double level)
{
    char a[48];
    if (!isfinite(level)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    /* the decimals that show how far it is from 100%, so that 99.7% never reads 100% */
    int d = decimals_for(100 * (1 - level), 1);
    fixed(a, sizeof a, 100 * level, d);
    strip_zeros(a);
    snprintf(buf, n, "%s%%", a);
    return buf;
}

/* Odds ratios: two decimals below 10 (1.08: the distance from 1 is the
 * point), one below 100, none above. */
static int ratio_decimals(double a)
{
    return a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2;
}

const char *cs_words_ratio(char *buf, size_t n, double x)
{
    return cs_words_ratio_as(buf, n, x, x);
}

const char *cs_words_ratio_as(char *buf, size_t n, double x, double like)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else
        fixed(buf, n, x, ratio_decimals(largest(x, like, NAN)));
    return buf;
}

const char *cs_words_ratio_range(char *buf, size_t n, double lo, double hi)
{
    char a[48], b[48];
    if (!isfinite(lo) || !isfinite(hi)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    struct prec p = range_prec(lo, hi, 1, "", ratio_decimals(largest(lo, hi, NAN)), 4);
    snprintf(buf, n, "%s to %s", put(a, sizeof a, lo, &p), put(b, sizeof b, hi, &p));
    return buf;
}

const char *cs_words_p(char *buf, size_t n, double p)
{
    if (!isfinite(p))
        snprintf(buf, n, "n/a");
    else if (p < 0.001)
        snprintf(buf, n, "< 0.001");
    else
        fixed(buf, n, p, decimals_for(p, 2));
    return buf;
}

/* ======================================================================
 * Money
 * ==================================================================== */

/* The unit of an amount of magnitude a: divisor and suffix. */
static double money_unit(double a, const char **suffix)
{
    if (a >= 999.5e3) {
        *suffix = "M";
        return 1e6;
    }
    if (a >= 999.5) {
        *suffix = "k";
        return 1e3;
    }
    *suffix = "";
    return 1;
}

/* The precision of amounts up to magnitude `like`, ends lo and hi told apart. */
static struct prec money_prec(double like, double lo, double hi)
{
    const char *suf;
    double div = money_unit(like, &suf);
    /* never below a hundredth of the currency */
    return range_prec(lo, hi, div, suf, decimals_for(like / div, 2), div == 1 ? 2 : 5);
}

const char *cs_words_money(char *buf, size_t n, double x, const char *currency)
{
    char a[48];
    struct prec p = money_prec(fabs(x), NAN, NAN);
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%s%s%s", put(a, sizeof a, x, &p), currency ? " " : "",
                 currency ? currency : "");
    return buf;
}

const char *cs_words_money_range(char *buf, size_t n, double lo, double hi, const char *currency)
{
    char a[48], b[48];
    if (!isfinite(lo) || !isfinite(hi)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    struct prec p = money_prec(largest(lo, hi, NAN), lo, hi);
    snprintf(buf, n, "%s to %s%s%s", put(a, sizeof a, lo, &p), put(b, sizeof b, hi, &p),
             currency ? " " : "", currency ? currency : "");
    return buf;
}

double cs_words_money_axis(char *buf, size_t n, double max, const char *currency)
{
    const char *word;
    double div = cs_words_money_unit(max, &word);
    if (div == 1.0)
        snprintf(buf, n, "%s", currency);
    else
        snprintf(buf, n, "%s of %s", word, currency);
    return div;
}

/* ======================================================================
 * Differences in words, with natural signs
 * ==================================================================== */

/* One end of an interval: its magnitude and direction, or "0" alone. */
static const char *end_words(char *buf, size_t n, double x, const struct prec *p,
                             const char *unit, const struct cs_words_change_style *st)
{
    char m[48];
    put(m, sizeof m, fabs(x), p);
    if (strcmp(m, "0") == 0)
        snprintf(buf, n, "0");
    else
        snprintf(buf, n, "%s%s %s", m, unit, x < 0 ? st->less : st->more);
    return buf;
}

const char *cs_words_change(char *buf, size_t n, double est, double lo, double hi,
                            const struct cs_words_change_style *st)
{
    char a[48], b[96], c[96], unit[24], head[96];
    bool money = st->currency != NULL;
    snprintf(unit, sizeof unit, "%s%s", money ? " " : "", money ? st->currency : "");
    if (!isfinite(est)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    bool ci = isfinite(lo) && isfinite(hi);
    double like = ci ? largest(est, lo, hi) : fabs(est);
    struct prec p = money ? money_prec(like, ci ? lo : NAN, ci ? hi : NAN)
                          : range_prec(ci ? lo : NAN, ci ? hi : NAN, 1, "", decimals_for(like, 2), 8);
    const char *lead = st->interval ? st->interval : "";
    put(a, sizeof a, fabs(est), &p);
    if (strcmp(a, "0") == 0)
        snprintf(head, sizeof head, "%s", st->none);
    else
        snprintf(head, sizeof head, "%s%s %s", a, unit, est < 0 ? st->less : st->more);
    if (!ci) {
        snprintf(buf, n, "%s", head);
        return buf;
    }
    /* both ends on one side: "0.1 to 5.6 fewer"; an end that rounds to 0
     * reads "0"; else from one side to the other */
    put(b, sizeof b, fabs(lo), &p);
    put(c, sizeof c, fabs(hi), &p);
    bool zlo = strcmp(b, "0") == 0, zhi = strcmp(c, "0") == 0;
    if (zlo && zhi)
        snprintf(buf, n, "%s", head);
    else if (zlo)
        snprintf(buf, n, "%s (%s0 to %s%s %s)", head, lead, c, unit, hi < 0 ? st->less : st->more);
    else if (zhi)
        snprintf(buf, n, "%s (%s0 to %s%s %s)", head, lead, b, unit, lo < 0 ? st->less : st->more);
    else if (hi < 0)
        snprintf(buf, n, "%s (%s%s to %s%s %s)", head, lead, c, b, unit, st->less);
    else if (lo > 0)
        snprintf(buf, n, "%s (%s%s to %s%s %s)", head, lead, b, c, unit, st->more);
    else {
        char e1[96], e2[96];
        snprintf(buf, n, "%s (%sfrom %s to %s)", head, lead, end_words(e1, sizeof e1, lo, &p, unit, st),
                 end_words(e2, sizeof e2, hi, &p, unit, st));
    }
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
 * Crediting by deal type (SPEC 13)
 * ==================================================================== */

/* The deal types in the order of plans.csv's credit_ columns, in words. */
static const uint8_t credit_types[3] = {CS_TYPE_NEW, CS_TYPE_EXPANSION, CS_TYPE_RENEWAL};
static const char *const credit_type_words[3] = {"new business", "expansions", "renewals"};

bool cs_words_credit(char *buf, size_t n, const struct cs_dataset *ds, const struct cs_plans *pl,
                     size_t p)
{
    size_t len = 0, said = 0;
    buf[0] = '\0';
    for (int t = 0; t < 3; t++) {
        double v = cs_plan_credit(ds, pl, (uint32_t)p, credit_types[t]);
        if (v == 1.0 || len >= n)
            continue;
        char pct[48];
        int w = snprintf(buf + len, n - len, "%s%s at %s", said ? " and " : "",
                         credit_type_words[t], cs_words_pct(pct, sizeof pct, v));
        if (w < 0)
            break;
        len += (size_t)w;
        said++;
    }
    return said > 0;
}

const char *cs_words_crediting(char *buf, size_t n, const struct cs_dataset *ds,
                               const struct cs_plans *pl, size_t p)
{
    char w[256];
    if (cs_words_credit(w, sizeof w, ds, pl, p))
        snprintf(buf, n, "%s", w);
    else
        snprintf(buf, n, "every deal in full");
    return buf;
}

const char *cs_words_renewals_option(char *buf, size_t n, const char *plan, double before,
                                     double after)
{
    char a[32], b[32];
    if (before == 1.0 && after == 0.5)
        snprintf(buf, n, "%s: count renewals at half (a renewal adds half its amount to "
                         "attainment and earns commission on half; today renewals count in full)",
                 plan);
    else
        snprintf(buf, n, "%s: count renewals at %s of their amount toward attainment and "
                         "commission (today %s)", plan, cs_words_pct(b, sizeof b, after),
                 cs_words_pct(a, sizeof a, before));
    return buf;
}

const char *cs_words_renewals_trade_off(char *buf, size_t n)
{
    snprintf(buf, n, "renewals earn half the commission and fill half as much of the quota, so "
                     "reps whose period leans on renewals reach their accelerators later and earn "
                     "less; effort moves toward new business and expansions, and reps with many "
                     "renewals will read it as a pay cut unless the quota or rates move with it.");
    return buf;
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
    if (b->model == CS_WHATIF_WITHIN)
        cs_doc_text(d, "Expected risky deals are the sum, over the period's %s won deals, of each "
                       "deal's chance of carrying an off-roadmap or premature promise under the "
                       "report's same-rep promise-risk model (--model within): its coefficients "
                       "compare each rep with themselves, so that who the reps are does not move "
                       "them, and each rep's own level is refitted so that the model expects the "
                       "rep's observed number of risky deals under the current plans. A rep whose "
                       "deals are all risky or all not (%zu here) keeps that rate under any plan. "
                       "Still an association, not proof of cause.",
                    cs_fmt_count(m, sizeof m, b->deals), b->uninformative_reps);
    else
        cs_doc_text(d, "Expected risky deals are the sum, over the period's %s won deals, of each "
                       "deal's chance of carrying an off-roadmap or premature promise under the "
                       "report's promise-risk model across reps (fitted on the same deals; "
                       "--model within uses the same-rep one). The model relates risk to the "
                       "plan's incentives across deals: an association, not proof of cause.",
                    cs_fmt_count(m, sizeof m, b->deals));
    if (isfinite(b->promises_per_risky)) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Expected risky promises are expected risky deals times %s, the average "
                       "number of risky promises on a risky deal in the period: the plan is taken "
                       "to act on whether a deal carries one, not on how many.",
                    cs_words_expected(m, sizeof m, b->promises_per_risky));
    }
    cs_doc_bullet(d);
    cs_doc_text(d, "Commission is recomputed exactly, deal by deal, under each plan, for the "
                   "same deals in the same order.");
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
    cs_doc_text(d, "How the numbers are made, and how to write a plan file of your own, is "
                   "explained in compsight's guide to the what-if.");
}

void cs_words_plot_image(struct cs_doc *d, const char *name, const char *alt, const char *caption)
{
    char file[96];
    snprintf(file, sizeof file, "plots/%s.png", name);
    cs_doc_image(d, file, alt, caption);
}

/* ======================================================================
 * Verdicts in words
 * ==================================================================== */

const char *cs_words_verdict(enum cs_verdict v)
{
    return cs_verdict_name(v);
}

/* ----------------------------------------------------------------------
 * Models and their terms in words
 * -------------------------------------------------------------------- */

/* How a model is talked about. */
static const struct model_words {
    const char *name;        /* "the promise-risk model" without "the ... model" */
    const char *rows;        /* what its rows are */
    const char *clusters;    /* what its clusters are */
    const char *about;       /* what reading it tells */
    const char *outcome;     /* logistic: after "the odds of"; least squares: after "no clear
                                effect on" */
    const char *more_of;     /* least squares: after "N percentage points more/less" */
    double points;           /* least squares: percentage points per unit of the outcome */
} model_words_table[CS_MODEL_COUNT] = {
    [CS_MODEL_PROMISE_RISK] = {"promise-risk", "deals", "reps",
                               "the link between the plan and risky promises",
                               "a risky promise", NULL, 0},
    [CS_MODEL_PROMISE_RISK_WITHIN] = {"same-rep promise-risk", "deals",
                                      "reps with both risky and other deals",
                                      "the link between the plan and risky promises within the "
                                      "same rep", "a risky promise", NULL, 0},
    [CS_MODEL_DISCOUNT] = {"discount", "discounted deals", "reps",
                           "the link between the plan and discounts", "discount", "discount", 1},
    [CS_MODEL_DISCOUNT_WITHIN] = {"same-rep discount", "discounted deals", "reps",
                                  "the link between the plan and discounts within the same rep",
                                  "discount", "discount", 1},
    [CS_MODEL_COLLATERAL] = {"collateral", "assets", "asset owners",
                             "the link between marketing target pressure and misstated assets",
                             "a misstated asset", NULL, 0},
    [CS_MODEL_PUSH_OUT] = {"push-out", "rep-quarters", "reps",
                           "whether reps with nothing more to earn hold deals back",
                           "the share of the next quarter's bookings closed in its first two "
                           "weeks", "of the next quarter's bookings closed in its first two weeks",
                           100},
};

static const struct model_words *words_of(enum cs_model_id m)
{
    return &model_words_table[(unsigned)m < CS_MODEL_COUNT ? m : 0];
}

const char *cs_words_model_about(enum cs_model_id m)
{
    return words_of(m)->about;
}

const char *cs_words_model_clusters(enum cs_model_id m)
{
    return words_of(m)->clusters;
}

double cs_words_outcome_points(enum cs_model_id m)
{
    return words_of(m)->points;
}

struct term_words {
    const char *name;
    double scale;        /* effect per this many units of the term */
    const char *subject; /* what changes, in plan language */
};

static const struct term_words deal_terms[] = {
    {"marginal_rate", 0.01, "Each extra percentage point of marginal commission rate"},
    {"tier_cross", 1, "Deals that carried the rep across a tier floor"},
    {"last_14_days", 1, "Deals closed in the last two weeks of the plan period"},
    {"log_amount", M_LN2, "Each doubling of deal size"},
    {"spiff", 1, "Deals on a product with a running sales incentive (SPIFF)"},
    {"type[expansion]", 1, "Expansion deals (against new business)"},
    {"type[renewal]", 1, "Renewals (against new business)"},
};

static const struct term_words asset_terms[] = {
    {"target_gap", 0.1, "Each 10 points by which an asset's marketing target was behind when "
                        "it was published"},
    {"last_14_days", 1, "Assets published in the last two weeks of the quarter"},
};

static const struct term_words push_terms[] = {
    {"crossed_late", 1, "Quarters in which a deal closed in the last two weeks carried the rep "
                        "across a tier floor"},
    {"nothing_to_earn", 1, "Quarters that ended with nothing more to earn (in a capped or "
                           "decelerated tier)"},
};

const char *cs_words_term_subject(enum cs_model_id m, const char *term, double *scale)
{
    const struct term_words *t = deal_terms;
    size_t k = sizeof deal_terms / sizeof deal_terms[0];
    if (m == CS_MODEL_COLLATERAL) {
        t = asset_terms;
        k = sizeof asset_terms / sizeof asset_terms[0];
    } else if (m == CS_MODEL_PUSH_OUT) {
        t = push_terms;
        k = sizeof push_terms / sizeof push_terms[0];
    }
    for (size_t i = 0; term && i < k; i++)
        if (strcmp(t[i].name, term) == 0) {
            if (scale)
                *scale = t[i].scale;
            return t[i].subject;
        }
    if (scale)
        *scale = 1;
    return "Another element of the model";
}

const char *cs_words_lowered(char *buf, size_t n, const char *s)
{
    snprintf(buf, n, "%s", s);
    /* an acronym (SPIFF) keeps its capitals; a sentence's first letter does not */
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

/* What model m's effects are on, after "the odds of" or "no clear effect on". */
static const char *outcome_words(enum cs_model_id m)
{
    return words_of(m)->outcome;
}

/* A data string for a plain-text title: control characters dropped, cut
 * at about 80 bytes on a UTF-8 boundary. */
static const char *plain(const char *s, char *buf, size_t n)
{
    size_t k = 0, start = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if ((*p & 0xc0) != 0x80)
            start = k;
        if (k + 1 >= n || k >= 80) {
            k = start;
            break;
        }
        buf[k++] = (char)*p;
    }
    buf[k] = '\0';
    return buf;
}

/* A term's subject, "Same rep: ..." for a within-rep estimate (a title
 * has to be short). */
static const char *term_subject_of(char *buf, size_t n, const struct cs_finding *f, double *s)
{
    const char *subject = cs_words_term_subject(f->model, f->term, s);
    char low[256];
    if (cs_model_is_within(f->model))
        snprintf(buf, n, "Same rep: %s", cs_words_lowered(low, sizeof low, subject));
    else
        snprintf(buf, n, "%s", subject);
    return buf;
}

static void term_title(char *buf, size_t n, const struct cs_finding *f)
{
    double s;
    char subject[320], a[32];
    term_subject_of(subject, sizeof subject, f, &s);
    const struct model_words *w = words_of(f->model);
    bool logistic = cs_model_info(f->model)->logistic;
    if (f->verdict == CS_VERDICT_THIN)
        snprintf(buf, n, "%s: too little data to tell", subject);
    else if (f->verdict != CS_VERDICT_CLEAR)
        snprintf(buf, n, "%s: no clear effect on %s%s", subject, logistic ? "the odds of " : "",
                 outcome_words(f->model));
    else if (!logistic)
        snprintf(buf, n, "%s went with %s percentage points %s %s", subject,
                 cs_words_num(a, sizeof a, fabs(s * f->estimate * w->points)),
                 f->direction > 0 ? "more" : "less", w->more_of);
    else
        snprintf(buf, n, "%s went with %s times the odds of %s", subject,
                 cs_words_ratio(a, sizeof a, exp(s * f->estimate)), outcome_words(f->model));
}

static void bunching_title(char *buf, size_t n, const struct cs_dataset *ds,
                           const struct cs_finding *f)
{
    char plan[96], fl[32];
    plain(cs_ds_str(ds, ds->plans.id[f->plan]), plan, sizeof plan);
    const char *unit = ds->plans.period_type[f->plan] == CS_PERIOD_YEAR ? "rep-years" : "rep-quarters";
    cs_words_pct(fl, sizeof fl, f->floor);
    if (f->verdict == CS_VERDICT_THIN)
        snprintf(buf, n, "Plan %s: too few %s near the %s floor to tell", plan, unit, fl);
    else if (f->verdict != CS_VERDICT_CLEAR)
        snprintf(buf, n, "Plan %s: no clear bunching at the %s floor", plan, fl);
    else
        snprintf(buf, n, "Plan %s: %s %s end just above the %s floor than the smooth pattern "
                         "predicts", plan, f->direction > 0 ? "more" : "fewer", unit, fl);
}

static void timing_title(char *buf, size_t n, const struct cs_analysis *an,
                         const struct cs_finding *f)
{
    const struct cs_timing *t = an->timing;
    char a[32], b[32];
    if (f->verdict == CS_VERDICT_THIN || !t) {
        snprintf(buf, n, "Too little data to test the pace of closes over the period");
        return;
    }
    cs_words_pct(a, sizeof a, t->last14_share);
    cs_words_pct(b, sizeof b, t->expected_share);
    if (f->verdict != CS_VERDICT_CLEAR)
        snprintf(buf, n, "No clear departure from an even pace of closes over the period "
                         "(%s of bookings in the last 14 days, %s at an even pace)", a, b);
    else if (f->direction > 0)
        snprintf(buf, n, "%s of bookings closed in the last 14 days of the period, against %s "
                         "at an even pace", a, b);
    else
        snprintf(buf, n, "Closes are uneven over the period, but the last 14 days hold no more "
                         "than an even pace (%s of bookings, against %s)", a, b);
}

const char *cs_words_finding_title(char *buf, size_t n, const struct cs_dataset *ds,
                                   const struct cs_analysis *an, const struct cs_finding *f)
{
    switch (f->kind) {
    case CS_FINDING_TERM: term_title(buf, n, f); break;
    case CS_FINDING_BUNCHING:
    case CS_FINDING_PLACEBO: bunching_title(buf, n, ds, f); break;
    case CS_FINDING_TIMING: timing_title(buf, n, an, f); break;
    }
    return buf;
}

/* The model's name in words. */
static const char *model_words(enum cs_model_id m)
{
    return words_of(m)->name;
}

const char *cs_words_model_title(char *buf, size_t n, const struct cs_analysis *an,
                                 enum cs_model_id m)
{
    const struct cs_model_rule *r = cs_findings_model(an->findings, m);
    const struct cs_finding *best = cs_findings_strongest(an->findings, m, 0);
    const struct model_words *w = words_of(m);
    char a[32], b[32];
    if (!r || !r->fitted)
        snprintf(buf, n, "No %s model for this period", model_words(m));
    else if (!r->rule.readable)
        snprintf(buf, n, "Too little data to read the %s model (%s %s of %s %s)", model_words(m),
                 cs_fmt_count(a, sizeof a, r->n), w->rows, cs_fmt_count(b, sizeof b, r->clusters),
                 w->clusters);
    else if (best)
        term_title(buf, n, best);
    else if (m == CS_MODEL_COLLATERAL)
        snprintf(buf, n, "No clear link between marketing target pressure and misstated assets");
    else if (m == CS_MODEL_PUSH_OUT)
        snprintf(buf, n, "No clear sign of deals held back to the next quarter");
    else
        snprintf(buf, n, "No plan element has a clear link with %s in this period",
                 cs_model_info(m)->across == CS_MODEL_PROMISE_RISK ? "risky promises"
                                                                    : "discounts");
    return buf;
}

const char *cs_words_model_thin(char *buf, size_t n, const struct cs_model_rule *r,
                                enum cs_model_id m)
{
    char a[32], b[32], c[32];
    bool assets = m == CS_MODEL_COLLATERAL;
    const char *rows = words_of(m)->rows;
    const char *cl = assets ? "owners" : words_of(m)->clusters;
    /* the within-rep logit rests on the deals of the reps with both outcomes */
    size_t n_rows = r->logistic && r->event_rows ? r->event_rows : r->n;
    size_t at = 0;
#define ADD(...) do { int w_ = snprintf(buf + at, n - at, __VA_ARGS__); \
                      if (w_ > 0 && (size_t)w_ < n - at) at += (size_t)w_; } while (0)
    buf[0] = '\0';
    ADD("This rests on %s %s of %s %s; reading it needs at least ", cs_fmt_count(a, sizeof a, n_rows),
        rows, cs_fmt_count(b, sizeof b, r->clusters), cl);
    bool both = false;
    if (r->rule.short_clusters || (!r->rule.short_events && !r->rule.short_n)) {
        ADD("%zu %s", r->rule.need_clusters, cl);
        both = true;
    }
    if (r->rule.short_events) {
        const char *kinds = assets ? "assets of each kind (misstated and not)"
                                   : "deals of each kind (risky and not)";
        ADD("%s%s %s; here %s %s", both ? " and at least " : "",
            cs_fmt_count(c, sizeof c, r->rule.need_events), kinds,
            cs_fmt_count(a, sizeof a, r->events < n_rows - r->events ? r->events : n_rows - r->events),
            r->events <= n_rows - r->events ? (assets ? "were misstated" : "were risky")
                                            : (assets ? "were not misstated" : "were not risky"));
    } else if (r->rule.short_n) {
        ADD("%s%s %s", both ? " and at least " : "", cs_fmt_count(c, sizeof c, r->rule.need_n), rows);
    }
    ADD(".");
#undef ADD
    return buf;
}

const char *cs_words_bunching_reading(const struct cs_analysis *an, const struct cs_finding *f)
{
    const struct cs_bunching *e = &an->bunch[f->bunch].est;
    bool placebo = f->kind == CS_FINDING_PLACEBO;
    if (f->verdict == CS_VERDICT_THIN)
        return e->verdict != CS_BUNCH_OK ? cs_bunching_verdict_text(e->verdict) : "too little data";
    if (f->verdict != CS_VERDICT_CLEAR)
        return placebo ? "no clear excess (as expected at a placebo point)" : "no clear excess";
    if (placebo)
        return "a clear departure at a placebo point: treat the floor's result with care";
    return f->direction > 0 ? "clear excess just above the floor"
                            : "clear shortfall just above the floor";
}

/* ----------------------------------------------------------------------
 * Plan changes (SPEC 14.3)
 * -------------------------------------------------------------------- */

const char *cs_words_points(char *buf, size_t n, double est, double lo, double hi, double level)
{
    char lead[48], lv[16];
    snprintf(lead, sizeof lead, "%s interval ", cs_words_level(lv, sizeof lv, level));
    const struct cs_words_change_style st = {"points lower", "points higher", "no change", NULL,
                                             isfinite(level) ? lead : ""};
    return cs_words_change(buf, n, 100 * est, 100 * lo, 100 * hi, &st);
}

const char *cs_words_plan_change_title(char *buf, size_t n, const struct cs_dataset *ds,
                                       const struct cs_plan_change *c)
{
    char head[256], d[16], a[48], from[96], to[96];
    cs_format_date(c->date, d);
    snprintf(head, sizeof head, "Plan %s to %s on %s",
             plain(cs_ds_str(ds, ds->plans.id[c->from]), from, sizeof from),
             plain(cs_ds_str(ds, ds->plans.id[c->to]), to, sizeof to), d);
    if (!c->estimated)
        snprintf(buf, n, "%s: no estimate yet", head);
    else if (c->verdict == CS_VERDICT_THIN)
        snprintf(buf, n, "%s: too little data to tell what it did to risky deals", head);
    else if (c->verdict == CS_VERDICT_UNCLEAR)
        snprintf(buf, n, "%s: no clear change in risky deals for the %zu reps who moved", head,
                 c->treated_reps);
    else
        snprintf(buf, n, "%s: risky deals %s for the %zu reps who moved than for the others", head,
                 cs_words_points(a, sizeof a, c->did.estimate, NAN, NAN, NAN), c->treated_reps);
    return buf;
}

const char *cs_words_within_contrast(char *buf, size_t n, const struct cs_finding *w,
                                     const struct cs_finding *a)
{
    buf[0] = '\0';
    if (!w || !a || w->verdict == CS_VERDICT_THIN || a->verdict == CS_VERDICT_THIN ||
        !isfinite(w->low) || !isfinite(w->high) || !isfinite(a->estimate))
        return buf;
    bool differ = a->estimate < w->low || a->estimate > w->high;
    bool wclear = w->verdict == CS_VERDICT_CLEAR, aclear = a->verdict == CS_VERDICT_CLEAR;
    const char *t;
    /* the same-rep estimate leads: when it shows no clear link, how far the
     * other lies from it says nothing about who the reps are */
    if (!wclear && aclear)
        t = "the same-rep comparison is too uncertain to confirm it, so the link across reps may "
            "be who the reps are";
    else if (!wclear)
        t = "neither comparison shows a clear link";
    else if (differ && a->estimate * w->estimate < 0)
        t = "across reps the link goes the other way, so it comes from who the reps are";
    else if (differ && fabs(a->estimate) > fabs(w->estimate))
        t = "part of the link across reps is who the reps are";
    else if (differ)
        t = "the link is stronger within the same rep, so differences between reps hide part of it "
            "across reps";
    else
        t = "the two agree, so who the reps are does not explain this link away";
    snprintf(buf, n, "%s", t);
    return buf;
}

const char *cs_words_push_title(char *buf, size_t n, const struct cs_analysis *an)
{
    const struct cs_finding *f = cs_findings_term(an->findings, CS_MODEL_PUSH_OUT, "nothing_to_earn");
    const struct cs_push_out *po = &an->push_out;
    char a[32], b[32];
    cs_words_pct(a, sizeof a, po->group_share[1]);
    cs_words_pct(b, sizeof b, po->group_share[0]);
    if (!f)
        snprintf(buf, n, "No rep-quarter ended with nothing more to earn");
    else if (f->verdict == CS_VERDICT_THIN)
        snprintf(buf, n, "Too few rep-quarters to tell whether deals are held back to the next "
                         "quarter");
    else if (f->verdict != CS_VERDICT_CLEAR)
        snprintf(buf, n, "No clear sign of deals held back to the next quarter (%s of its "
                         "bookings in its first two weeks, against %s)", a, b);
    else
        snprintf(buf, n, "After a quarter with nothing more to earn, reps close %s of the next "
                         "quarter's bookings in its first two weeks (%s against %s)",
                 f->direction > 0 ? "more" : "less", a, b);
    return buf;
}
