/* models.c - the models of SPEC 7.1-7.3 as a table: each one's name, terms, rows and fit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "models.h"

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
    const struct cs_analysis *an;
    const uint8_t *sel;              /* the selected won deals */
    struct design_buf deal;          /* 7.1's rows (owned) */
    struct design_buf discount;      /* 7.2's: 7.1's moved down in place (not owned) */
    struct design_buf asset;         /* 7.3's (owned) */
};

/* 7.1: the selected won deals, in deal order, clustered by rep.  Built
 * even without promise data, for 7.2. */
static enum cs_status promise_rows(struct model_rows *mr, const struct design_buf **d,
                                   const char **note, struct cs_error *err)
{
    const struct cs_dataset *ds = mr->m->ds;
    const struct cs_outcomes *oc = mr->m->oc;
    struct design_buf *p = &mr->deal;
    if (design_alloc(p, mr->an->won_selected, CS_DEAL_TERMS))
        return oom(err);
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!mr->sel[i])
            continue;
        cs_analysis_deal_row(ds, mr->m->inc, i, p->x + p->n * p->k);
        p->y[p->n] = oc->promise_risk[i];
        p->cl[p->n++] = ds->deals.rep[i];
    }
    if (!mr->an->promise_data)
        *note = "no roadmap.csv and promises.csv: promises cannot be classified";
    *d = p;
    return CS_OK;
}

/* 7.2 takes the rows of 7.1 that have a discount, in the same order:
 * moved down in place rather than copied, which at ten million deals
 * spares a few hundred megabytes of fresh pages. */
static enum cs_status discount_rows(struct model_rows *mr, const struct design_buf **d,
                                    const char **note, struct cs_error *err)
{
    (void)err;
    const struct cs_dataset *ds = mr->m->ds;
    const struct design_buf *p = &mr->deal;
    struct design_buf *q = &mr->discount;
    *q = *p;
    q->n = 0;
    for (size_t i = 0, r = 0; i < ds->deals.n; i++) {
        if (!mr->sel[i])
            continue;
        if (isfinite(ds->deals.discount_pct[i])) {
            if (q->n != r)
                memcpy(q->x + q->n * q->k, p->x + r * p->k, q->k * sizeof *q->x);
            q->y[q->n] = ds->deals.discount_pct[i];
            q->cl[q->n++] = ds->deals.rep[i];
        }
        r++;
    }
    if (q->n == 0)
        *note = "no won deal in the period has a discount_pct";
    *d = q;
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
    if (design_alloc(c, oc->n_assets, 3))
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

/* ------------------------------------------------------------------------
 * Fits
 * --------------------------------------------------------------------- */

/* Logistic, refitted with Firth when the logit shows separation. */
static enum cs_status fit_logit(const struct cs_regress_design *d, struct cs_model_result *m,
                                struct cs_error *err)
{
    enum cs_status st = cs_regress_logit(d, NULL, &m->fit, err);
    if (st == CS_OK && m->fit->separation)
        st = cs_regress_firth(d, NULL, &m->firth, err);
    return st;
}

static enum cs_status fit_ols(const struct cs_regress_design *d, struct cs_model_result *m,
                              struct cs_error *err)
{
    return cs_regress_ols(d, &m->fit, err);
}

/* ------------------------------------------------------------------------
 * The table
 * --------------------------------------------------------------------- */

/*
 * One model.  rows() makes its design (*d) from the measured data set, or
 * says in *note (static text) why the model cannot be run, which leaves
 * it without a fit; fit() fits the design.  The models run in table order,
 * which matters once: discount's rows are promise_risk's, moved.
 */
struct model_spec {
    const char *name;
    const char *const *terms;
    enum cs_status (*rows)(struct model_rows *mr, const struct design_buf **d,
                           const char **note, struct cs_error *err);
    enum cs_status (*fit)(const struct cs_regress_design *d, struct cs_model_result *m,
                          struct cs_error *err);
};

static const struct model_spec models[CS_MODEL_COUNT] = {
    [CS_MODEL_PROMISE_RISK] = {"promise_risk", cs_deal_term_names, promise_rows, fit_logit},
    [CS_MODEL_DISCOUNT] = {"discount", cs_deal_term_names, discount_rows, fit_ols},
    [CS_MODEL_COLLATERAL] = {"collateral", collateral_term_names, collateral_rows, fit_logit},
};

enum cs_status cs_analysis_models(struct cs_analysis *an, const struct cs_measured *m,
                                  const uint8_t *sel, struct cs_error *err)
{
    struct model_rows mr = {.m = m, .an = an, .sel = sel};
    enum cs_status st = CS_OK;
    for (int i = 0; i < CS_MODEL_COUNT; i++) {
        an->model[i].name = models[i].name;
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
        if (models[i].fit == fit_logit)
            for (size_t r = 0; r < b->n; r++)
                an->model[i].events += b->y[r] != 0;
        struct cs_regress_design d = {.n = b->n, .k = b->k, .x = b->x, .y = b->y,
                                      .cluster = b->cl, .names = models[i].terms};
        st = models[i].fit(&d, &an->model[i], err);
    }
    design_free(&mr.deal);
    design_free(&mr.asset);
    return st;
}
