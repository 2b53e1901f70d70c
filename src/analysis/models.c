/* models.c - the models of SPEC 7.1-7.3 and 14.1-14.2 as a table: each one's name, kind, terms, rows and fit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/clogit.h"
#include "compsight/feols.h"
#include "compsight/mem.h"
#include "models.h"
#include "pushout.h"

const char *const cs_deal_term_names[CS_DEAL_TERMS] = {
    "(Intercept)", "marginal_rate", "tier_cross", "last_14_days",
    "log_amount", "spiff", "type[expansion]", "type[renewal]",
};

static const char *const collateral_term_names[] = {"(Intercept)", "target_gap", "last_14_days"};

void cs_analysis_deal_row(const struct cs_dataset *ds, const struct cs_incentives *inc,
                          size_t i, double *x)
{
    x[0] = 1.0;
    x[1] = inc->marginal_rate[i];
    x[2] = inc->tier_cross[i];
    x[3] = inc->last_14_days[i];
    x[4] = inc->log_amount[i];
    x[5] = inc->spiff[i];
    x[6] = ds->deals.type[i] == CS_TYPE_EXPANSION;
    x[7] = ds->deals.type[i] == CS_TYPE_RENEWAL;
}

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ------------------------------------------------------------------------
 * Designs
 * --------------------------------------------------------------------- */

/*
 * A design's rows: x is n x k with the intercept in column 0 (the
 * within-rep fits read columns 1..k-1 of it), cl the clusters (reps, or
 * asset owners), which are the strata or groups of the within-rep fits.
 */
struct design_buf {
    double *x, *y;
    uint32_t *cl;
    size_t n, k;
};

static void design_free(struct design_buf *d)
{
    free(d->x);
    free(d->y);
    free(d->cl);
}

static int design_alloc(struct design_buf *d, size_t rows, size_t k)
{
    d->k = k;
    d->n = 0;
    d->x = cs_malloc_big(rows * k, sizeof *d->x);
    d->y = cs_malloc_big(rows, sizeof *d->y);
    d->cl = cs_malloc_big(rows, sizeof *d->cl);
    return d->x && d->y && d->cl ? 0 : -1;
}

/* What the row builders read, and the designs they fill. */
struct model_rows {
    const struct cs_measured *m;
    struct cs_analysis *an;
    const uint8_t *sel;              /* the selected won deals */
    struct design_buf deal;          /* the deal models' rows (owned): each fills it anew,
                                        so that one buffer serves them all */
    struct design_buf asset;         /* 7.3's (owned) */
    struct cs_push_rows push;        /* 14.2's (owned) */
    struct design_buf push_view;     /* the same rows as a design (not owned) */
};

/* The deal models' buffer, room for every selected won deal. */
static enum cs_status deal_buffer(struct model_rows *mr, struct cs_error *err)
{
    if (!mr->deal.x && design_alloc(&mr->deal, mr->an->won_selected ? mr->an->won_selected : 1,
                                    CS_DEAL_TERMS))
        return oom(err);
    mr->deal.n = 0;
    return CS_OK;
}

static void deal_row(struct model_rows *mr, size_t i, double y)
{
    struct design_buf *p = &mr->deal;
    cs_analysis_deal_row(mr->m->ds, mr->m->inc, i, p->x + p->n * p->k);
    p->y[p->n] = y;
    p->cl[p->n++] = mr->m->ds->deals.rep[i];
}

/* 7.1: the selected won deals, in deal order, clustered by rep. */
static enum cs_status promise_rows(struct model_rows *mr, const struct design_buf **d,
                                   const char **note, struct cs_error *err)
{
    const struct cs_dataset *ds = mr->m->ds;
    if (!mr->an->promise_data) {
        *note = "no roadmap.csv and promises.csv: promises cannot be classified";
        return CS_OK;
    }
    enum cs_status st = deal_buffer(mr, err);
    for (size_t i = 0; st == CS_OK && i < ds->deals.n; i++)
        if (mr->sel[i])
            deal_row(mr, i, mr->m->oc->promise_risk[i]);
    *d = &mr->deal;
    return st;
}

/* 14.1: the same deals grouped by rep (a counting sort, deal order within
 * a rep): the conditional logit reads each rep's rows in one run. */
static enum cs_status promise_within_rows(struct model_rows *mr, const struct design_buf **d,
                                          const char **note, struct cs_error *err)
{
    const struct cs_dataset *ds = mr->m->ds;
    if (!mr->an->promise_data) {
        *note = "no roadmap.csv and promises.csv: promises cannot be classified";
        return CS_OK;
    }
    size_t nr = ds->reps.n;
    size_t *start = calloc(nr + 1, sizeof *start);
    uint32_t *order = cs_malloc_big(mr->an->won_selected ? mr->an->won_selected : 1, sizeof *order);
    enum cs_status st = start && order ? deal_buffer(mr, err) : oom(err);
    if (st != CS_OK)
        goto out;
    for (size_t i = 0; i < ds->deals.n; i++)
        if (mr->sel[i])
            start[ds->deals.rep[i] + 1]++;
    for (size_t r = 0; r < nr; r++)
        start[r + 1] += start[r];
    for (size_t i = 0; i < ds->deals.n; i++)
        if (mr->sel[i])
            order[start[ds->deals.rep[i]]++] = (uint32_t)i;
    for (size_t j = 0; j < mr->an->won_selected; j++)
        deal_row(mr, order[j], mr->m->oc->promise_risk[order[j]]);
    *d = &mr->deal;
out:
    free(start);
    free(order);
    return st;
}

/* 7.2: the selected won deals with a discount_pct, in deal order. */
static enum cs_status discount_rows(struct model_rows *mr, const struct design_buf **d,
                                    const char **note, struct cs_error *err)
{
    const struct cs_dataset *ds = mr->m->ds;
    enum cs_status st = deal_buffer(mr, err);
    for (size_t i = 0; st == CS_OK && i < ds->deals.n; i++)
        if (mr->sel[i] && isfinite(ds->deals.discount_pct[i]))
            deal_row(mr, i, ds->deals.discount_pct[i]);
    if (st == CS_OK && mr->deal.n == 0)
        *note = "no won deal in the period has a discount_pct";
    *d = &mr->deal;
    return st;
}

/* 14.1: 7.2's rows as they are (the dummies need no order). */
static enum cs_status discount_within_rows(struct model_rows *mr, const struct design_buf **d,
                                           const char **note, struct cs_error *err)
{
    (void)err;
    if (mr->an->model[CS_MODEL_DISCOUNT].note[0])
        *note = mr->an->model[CS_MODEL_DISCOUNT].note;
    *d = &mr->deal;
    return CS_OK;
}

/* 7.3: assets published in the selected period with a target_gap and at
 * least one claim (an asset that claims nothing cannot misstate),
 * clustered by owner. */
static enum cs_status collateral_rows(struct model_rows *mr, const struct design_buf **d,
                                      const char **note, struct cs_error *err)
{
    const struct cs_outcomes *oc = mr->m->oc;
    struct design_buf *c = &mr->asset;
    if (!mr->an->collateral_data) {
        *note = "no collateral.csv, claims.csv and targets.csv";
        return CS_OK;
    }
    if (design_alloc(c, oc->n_assets ? oc->n_assets : 1, 3))
        return oom(err);
    for (size_t a = 0; a < oc->n_assets; a++) {
        if (!oc->asset_claims[a] || !isfinite(oc->target_gap[a]) || oc->asset_last_14_days[a] < 0 ||
            !cs_selected(&mr->an->sel, oc->asset_quarter[a]))
            continue;
        double *x = c->x + c->n * c->k;
        x[0] = 1.0;
        x[1] = oc->target_gap[a];
        x[2] = oc->asset_last_14_days[a];
        c->y[c->n] = oc->asset_misstated[a];
        c->cl[c->n++] = mr->m->ds->collateral.owner[a];
    }
    if (c->n == 0)
        *note = "no asset published in the period has claims and a marketing target";
    *d = c;
    return CS_OK;
}

/* 14.2: the rep-periods whose next period is selected (pushout.c). */
static enum cs_status push_rows(struct model_rows *mr, const struct design_buf **d,
                                const char **note, struct cs_error *err)
{
    struct cs_push_out *po = &mr->an->push_out;
    enum cs_status st = cs_push_out_rows(mr->m, &mr->an->sel, &mr->push, po, err);
    if (st != CS_OK)
        return st;
    if (!po->quarterly)
        *note = "no plan is quarterly: timing across periods compares a rep's quarter with "
                "the next";
    else if (mr->push.n == 0)
        *note = "no rep has won deals both in a quarter and in the selected quarter after it";
    else if ((st = cs_push_out_groups(&mr->push, po, err)) != CS_OK)
        return st;
    mr->push_view = (struct design_buf){.x = mr->push.x, .y = mr->push.y, .cl = mr->push.rep,
                                        .n = mr->push.n, .k = CS_PUSH_TERMS};
    *d = &mr->push_view;
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * Fits
 * --------------------------------------------------------------------- */

static void count_events(const struct design_buf *b, struct cs_model_result *r)
{
    for (size_t i = 0; i < b->n; i++)
        r->events += b->y[i] != 0;
    r->event_rows = b->n;
}

/* Logistic, refitted with Firth when the logit shows separation. */
static enum cs_status fit_logit(struct model_rows *mr, const struct design_buf *b,
                                const char *const *terms, struct cs_model_result *r,
                                struct cs_error *err)
{
    (void)mr;
    struct cs_regress_design d = {.n = b->n, .k = b->k, .x = b->x, .y = b->y, .cluster = b->cl,
                                  .names = terms};
    count_events(b, r);
    enum cs_status st = cs_regress_logit(&d, NULL, &r->fit, err);
    if (st == CS_OK && r->fit->separation)
        st = cs_regress_firth(&d, NULL, &r->firth, err);
    return st;
}

static enum cs_status fit_ols(struct model_rows *mr, const struct design_buf *b,
                              const char *const *terms, struct cs_model_result *r,
                              struct cs_error *err)
{
    (void)mr;
    struct cs_regress_design d = {.n = b->n, .k = b->k, .x = b->x, .y = b->y, .cluster = b->cl,
                                  .names = terms};
    return cs_regress_ols(&d, &r->fit, err);
}

/*
 * Conditional logit with reps as strata, on the design's columns after the
 * intercept.  The events are counted over the informative reps' deals
 * (a rep whose deals are all risky or all not adds nothing to the fit).
 */
static enum cs_status fit_clogit(struct model_rows *mr, const struct design_buf *b,
                                 const char *const *terms, struct cs_model_result *r,
                                 struct cs_error *err)
{
    size_t nr = mr->m->ds->reps.n;
    struct cs_clogit_design d = {.n = b->n, .k = b->k - 1, .x = b->x + 1, .stride = b->k,
                                 .y = b->y, .stratum = b->cl, .strata = nr, .names = terms + 1};
    struct cs_clogit_fit *cf = NULL;
    size_t *cnt = calloc(nr ? nr : 1, sizeof *cnt), *ev = calloc(nr ? nr : 1, sizeof *ev);
    enum cs_status st = cnt && ev ? cs_clogit(&d, NULL, &cf, err) : oom(err);
    if (st != CS_OK)
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        cnt[b->cl[i]]++;
        ev[b->cl[i]] += b->y[i] != 0;
    }
    for (size_t g = 0; g < nr; g++)
        if (ev[g] > 0 && ev[g] < cnt[g])
            r->events += ev[g];
    r->event_rows = cf->informative_rows;
    r->reps = cf->strata;
    r->uninformative = cf->uninformative;
    r->fit = cf->fit;
    cf->fit = NULL;
out:
    cs_clogit_free(cf);
    free(cnt);
    free(ev);
    return st;
}

/* Least squares with a dummy per rep, on the design's columns after the
 * intercept (the dummies hold it). */
static enum cs_status fit_feols(struct model_rows *mr, const struct design_buf *b,
                                const char *const *terms, struct cs_model_result *r,
                                struct cs_error *err)
{
    struct cs_feols_design d = {.n = b->n, .k = b->k - 1, .x = b->x + 1, .stride = b->k,
                                .y = b->y, .group = b->cl, .groups = mr->m->ds->reps.n,
                                .names = terms + 1};
    struct cs_feols_fit *ff = NULL;
    enum cs_status st = cs_feols(&d, &ff, err);
    if (st != CS_OK)
        return st;
    r->reps = ff->groups;
    r->rank = ff->rank;
    r->fit = ff->fit;
    ff->fit = NULL;
    cs_feols_free(ff);
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * The table
 * --------------------------------------------------------------------- */

/*
 * One model.  rows() makes its design (*d) from the measured data set, or
 * says in *note (static text) why the model cannot be run, which leaves
 * it without a fit; fit() fits the design.  The models run in table
 * order, which matters: the deal models share one buffer, each filling it
 * anew, and discount_within fits discount's rows as they are.  terms name
 * the design's columns (a within-rep fit drops the first, the intercept).
 */
typedef enum cs_status (*rows_fn)(struct model_rows *mr, const struct design_buf **d,
                                  const char **note, struct cs_error *err);
typedef enum cs_status (*fit_fn)(struct model_rows *mr, const struct design_buf *b,
                                 const char *const *terms, struct cs_model_result *r,
                                 struct cs_error *err);

static const struct model_spec {
    struct cs_model_info info;
    const char *const *terms;
    rows_fn rows;
    fit_fn fit;
} models[CS_MODEL_COUNT] = {
    [CS_MODEL_PROMISE_RISK] = {{"promise_risk", true, CS_MODEL_PROMISE_RISK},
                               cs_deal_term_names, promise_rows, fit_logit},
    [CS_MODEL_PROMISE_RISK_WITHIN] = {{"promise_risk_within", true, CS_MODEL_PROMISE_RISK},
                                      cs_deal_term_names, promise_within_rows, fit_clogit},
    [CS_MODEL_DISCOUNT] = {{"discount", false, CS_MODEL_DISCOUNT},
                           cs_deal_term_names, discount_rows, fit_ols},
    [CS_MODEL_DISCOUNT_WITHIN] = {{"discount_within", false, CS_MODEL_DISCOUNT},
                                  cs_deal_term_names, discount_within_rows, fit_feols},
    [CS_MODEL_COLLATERAL] = {{"collateral", true, CS_MODEL_COLLATERAL},
                             collateral_term_names, collateral_rows, fit_logit},
    [CS_MODEL_PUSH_OUT] = {{"push_out", false, CS_MODEL_PUSH_OUT},
                           cs_push_term_names, push_rows, fit_ols},
};

const struct cs_model_info *cs_model_info(enum cs_model_id m)
{
    return &models[(unsigned)m < CS_MODEL_COUNT ? m : 0].info;
}

enum cs_status cs_analysis_models(struct cs_analysis *an, const struct cs_measured *m,
                                  const uint8_t *sel, struct cs_error *err)
{
    struct model_rows mr = {.m = m, .an = an, .sel = sel};
    enum cs_status st = CS_OK;
    for (int i = 0; i < CS_MODEL_COUNT; i++) {
        an->model[i].name = models[i].info.name;
        an->model[i].note = "";
    }
    for (int i = 0; i < CS_MODEL_COUNT && st == CS_OK; i++) {
        const struct design_buf *b = NULL;
        const char *note = NULL;
        if ((st = models[i].rows(&mr, &b, &note, err)) != CS_OK)
            break;
        if (note) {
            an->model[i].note = note;
            continue;
        }
        st = models[i].fit(&mr, b, models[i].terms, &an->model[i], err);
    }
    design_free(&mr.deal);
    design_free(&mr.asset);
    cs_push_rows_free(&mr.push);
    return st;
}
