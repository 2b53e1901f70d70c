/* whatif_json.c - what `compsight whatif` and `compsight propose` share in their files: the JSON of a simulation, and the plans CSV of an option. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compsight/output.h"
#include "compsight/results.h"
#include "compsight/version.h"
#include "whatif_json.h"

/* ======================================================================
 * Numbers for reading (full precision stays in the JSON)
 * ==================================================================== */

/* A number for a plans CSV: plain decimal (no exponent: SPEC 2), the
 * shortest that reads back as the same double. */
static void put_plain(FILE *f, double x)
{
    char buf[400];
    for (int prec = 0; prec <= 340; prec++) {
        snprintf(buf, sizeof buf, "%.*f", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    fputs(buf, f);
}

static const char *period_word(uint8_t type)
{
    return type == CS_PERIOD_YEAR ? "year" : "quarter";
}

/* ======================================================================
 * Files
 * ==================================================================== */

enum cs_status cs_whatif_plans_csv(const char *dir, const char *name, const struct cs_dataset *ds,
                                   const struct cs_plans *pl, struct cs_error *err)
{
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, name, err);
    if (st != CS_OK)
        return st;
    /* SPEC 13: the credit_ columns when a plan credits a type at less than
     * in full (a file without them keeps the data's fractions, all 1
     * without credit_ columns: that file is the same as before them) */
    static const uint8_t types[3] = {CS_TYPE_NEW, CS_TYPE_EXPANSION, CS_TYPE_RENEWAL};
    bool credit = false;
    for (size_t p = 0; p < pl->n; p++)
        for (int c = 0; c < 3; c++)
            credit |= cs_plan_credit(ds, pl, (uint32_t)p, types[c]) != 1.0;
    /* the quota's currency, for the reader: plans.csv ignores the column */
    fputs(credit ? "plan_id,period_type,quota,tier_floor,rate,credit_new,credit_expansion,"
                   "credit_renewal,currency\n"
                 : "plan_id,period_type,quota,tier_floor,rate,currency\n", a.f);
    for (size_t p = 0; p < pl->n; p++) {
        for (uint32_t t = 0; t < pl->tier_count[p]; t++) {
            const char *id = cs_ds_str(ds, pl->id[p]);
            cs_csv_cell(a.f, id, strlen(id), false);
            fprintf(a.f, ",%s,", period_word(pl->period_type[p]));
            put_plain(a.f, pl->quota[p]);
            fputc(',', a.f);
            put_plain(a.f, pl->floor[pl->tier_first[p] + t]);
            fputc(',', a.f);
            put_plain(a.f, pl->rate[pl->tier_first[p] + t]);
            for (int c = 0; credit && c < 3; c++) {
                fputc(',', a.f);
                put_plain(a.f, cs_plan_credit(ds, pl, (uint32_t)p, types[c]));
            }
            fprintf(a.f, ",%s\n", cs_ds_currency(ds));
        }
    }
    return cs_atomic_commit(&a, err);
}

/* ======================================================================
 * JSON
 * ==================================================================== */


static json_t *jci(const struct cs_whatif_diff *d)
{
    json_t *a = json_array();
    if (a) {
        json_array_append_new(a, cs_json_number(d->low));
        json_array_append_new(a, cs_json_number(d->high));
    }
    return a;
}

static void jdiff(json_t *o, const char *key, const struct cs_whatif_diff *d)
{
    char k[64];
    jset(o, key, cs_json_number(d->estimate));
    snprintf(k, sizeof k, "%s_ci", key);
    jset(o, k, jci(d));
}

static json_t *model_json(const struct cs_whatif_base *b)
{
    json_t *m = json_object();
    if (!m)
        return NULL;
    const struct cs_regress_fit *fit = b->fit;
    bool within = b->model == CS_WHATIF_WITHIN;
    jset(m, "name", json_string(within ? "promise_risk_within" : "promise_risk"));
    jset(m, "model", json_string(cs_whatif_model_name(b->model)));
    jset(m, "estimator", fit ? json_string(within ? "conditional logit, each rep's intercept "
                                                    "refitted" : b->firth ? "firth" : "logit")
                             : json_null());
    jset(m, "n", json_integer((json_int_t)b->deals));
    jset(m, "clusters", json_integer((json_int_t)b->reps));
    if (within)
        jset(m, "uninformative_reps", json_integer((json_int_t)b->uninformative_reps));
    jset(m, "note", json_string(b->model_note));
    json_t *terms = json_array(), *dropped = json_array();
    if (fit) {
        for (size_t t = 0; t < fit->k; t++) {
            json_t *e = json_object();
            jset(e, "name", json_string(fit->terms[t].name));
            jset(e, "estimate", cs_json_number(fit->terms[t].estimate));
            jset(e, "se_cluster", cs_json_number(fit->terms[t].se_cluster));
            jset(e, "ci_low", cs_json_number(fit->terms[t].ci_low));
            jset(e, "ci_high", cs_json_number(fit->terms[t].ci_high));
            json_array_append_new(terms, e);
        }
        for (size_t t = 0; t < fit->n_dropped; t++)
            json_array_append_new(dropped, json_string(fit->dropped[t]));
    }
    jset(m, "terms", terms);
    jset(m, "dropped", dropped);
    return m;
}

/* The figures of one simulation: the same keys in whatif.json and in each
 * option of proposal.json.  Its "plans" are those of show[0..n_show) (in
 * plan order; NULL: every plan) that have deals or change, less those too
 * small to show by themselves (disc, groups.h; NULL: none). */
void cs_whatif_json_result(json_t *o, const struct cs_whatif_base *b,
                           const struct cs_whatif_result *r, const uint32_t *show, size_t n_show,
                           const struct cs_disclosure *disc)
{
    jset(o, "base_risky", cs_json_number(r->base_risky));
    jset(o, "alt_risky", cs_json_number(r->alt_risky));
    jdiff(o, "risky_diff", &r->risky);
    jset(o, "base_risky_promises", cs_json_number(r->base_risky_promises));
    jset(o, "alt_risky_promises", cs_json_number(r->alt_risky_promises));
    jdiff(o, "risky_promises_diff", &r->risky_promises);
    jset(o, "base_commission", cs_json_number(r->base_commission));
    jset(o, "alt_commission", cs_json_number(r->alt_commission));
    jdiff(o, "commission_diff", &r->commission);
    json_t *ch = json_object();
    jset(ch, "marginal_rate", json_integer((json_int_t)r->changed_marginal_rate));
    jset(ch, "tier_cross", json_integer((json_int_t)r->changed_tier_cross));
    jset(ch, "last_14_days", json_integer((json_int_t)r->changed_last_14_days));
    jset(ch, "any_model_input", json_integer((json_int_t)r->changed_rows));
    jset(ch, "commission", json_integer((json_int_t)r->changed_commission));
    jset(ch, "marginal_rate_outside_observed", json_integer((json_int_t)r->extrapolated));
    jset(o, "deals_changed", ch);
    jset(o, "recomputed", json_boolean(r->recomputed));
    json_t *plans = json_array();
    size_t not_shown = 0;
    if (!show)
        n_show = b->ds->plans.n;
    for (size_t i = 0; i < n_show; i++) {
        size_t p = show ? show[i] : i;
        struct cs_whatif_plan_effect ef;
        const struct cs_whatif_plan_effect *e = &ef;
        cs_whatif_plan_effect_of(b, r, p, &ef);
        if (!e->deals && !e->changed)
            continue;
        /* a plan of fewer than 3 reps: its figures are theirs (groups.h) */
        if (disc && e->deals && disc->plan_shown[p] != CS_SHOWN) {
            not_shown++;
            continue;
        }
        json_t *j = json_object();
        jset(j, "plan_id", json_string(plan_name(b->ds, p)));
        jset(j, "changed", json_boolean(e->changed));
        jset(j, "deals", json_integer((json_int_t)e->deals));
        jset(j, "deals_changed", json_integer((json_int_t)e->rows_changed));
        jset(j, "base_commission", cs_json_number(e->base_commission));
        jset(j, "alt_commission", cs_json_number(e->alt_commission));
        jdiff(j, "risky_diff", &e->risky);
        jdiff(j, "commission_diff", &e->commission);
        json_array_append_new(plans, j);
    }
    jset(o, "plans", plans);
    jset(o, "plans_not_shown", json_integer((json_int_t)not_shown));
}

void cs_whatif_json_header(json_t *o, const struct cs_whatif_base *b)
{
    jset(o, "compsight", json_string(CS_VERSION));
    jset(o, "period", json_string(b->sel.label));
    jset(o, "currency", json_string(cs_ds_currency(b->ds)));   /* of every amount (SPEC 12) */
    jset(o, "won_deals", json_integer((json_int_t)b->deals));
    jset(o, "reps", json_integer((json_int_t)b->reps));
    jset(o, "observed_risky", json_integer((json_int_t)b->observed_risky));
    jset(o, "observed_risky_promises", json_integer((json_int_t)b->observed_risky_promises));
    jset(o, "risky_promises_per_risky_deal", cs_json_number(b->promises_per_risky));
    jset(o, "model", model_json(b));
    json_t *bs = json_object();
    jset(bs, "method", json_string("cluster bootstrap over reps: resample reps with replacement, "
                                   "one Newton step from the estimate on the resampled reps, "
                                   "differences recomputed on the resampled deals; percentile "
                                   "95% intervals (R quantile type 7)"));
    jset(bs, "draws", json_integer((json_int_t)b->draws));
    jset(bs, "seed", json_integer((json_int_t)b->seed));
    jset(bs, "rng", json_string("gsl mt19937"));
    jset(bs, "draws_fixed_hessian", json_integer((json_int_t)b->draws_fixed_hessian));
    jset(bs, "intervals", json_boolean(b->intervals));
    jset(o, "bootstrap", bs);
}
