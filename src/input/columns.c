/* columns.c - the dataset's storage: each table's parallel arrays, grown, shrunk and freed together. */
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "compsight/mem.h"

void cs_columns_add(struct cs_columns *c, void *ptr, size_t size)
{
    c->spec[c->n_spec].ptr = ptr;
    c->spec[c->n_spec].size = size;
    c->n_spec++;
}

int cs_columns_grow(struct cs_columns *c)
{
    if (*c->n < c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : c->first > 1024 ? c->first : 1024;
    for (size_t i = 0; i < c->n_spec; i++) {
        void *p = cs_realloc_big(*c->spec[i].ptr, cap, c->spec[i].size);
        if (!p)
            return -1;
        *c->spec[i].ptr = p;
    }
    c->cap = cap;
    return 0;
}

void cs_columns_shrink(struct cs_columns *c)
{
    size_t n = *c->n ? *c->n : 1;
    for (size_t i = 0; i < c->n_spec; i++) {
        void *p = realloc(*c->spec[i].ptr, n * c->spec[i].size);
        if (p)
            *c->spec[i].ptr = p;
    }
    c->cap = n;
}

void cs_columns_free(struct cs_columns *c)
{
    for (size_t i = 0; i < c->n_spec; i++) {
        free(*c->spec[i].ptr);
        *c->spec[i].ptr = NULL;
    }
}

#define ADD(c, field) cs_columns_add((c), &(field), sizeof *(field))

void cs_columns_of(struct cs_dataset *ds, enum cs_table t, struct cs_columns *c)
{
    memset(c, 0, sizeof *c);
    switch (t) {
    case CS_T_PLANS:
        c->n = &ds->plans.n;
        ADD(c, ds->plans.id); ADD(c, ds->plans.period_type); ADD(c, ds->plans.quota);
        ADD(c, ds->plans.tier_first); ADD(c, ds->plans.tier_count);
        break;
    case CS_T_REPS:
        c->n = &ds->reps.n;
        ADD(c, ds->reps.id); ADD(c, ds->reps.name); ADD(c, ds->reps.team); ADD(c, ds->reps.role);
        ADD(c, ds->reps.manager); ADD(c, ds->reps.plan); ADD(c, ds->reps.line);
        break;
    case CS_T_DEALS:
        c->n = &ds->deals.n;
        ADD(c, ds->deals.id); ADD(c, ds->deals.rep); ADD(c, ds->deals.account);
        ADD(c, ds->deals.type); ADD(c, ds->deals.product); ADD(c, ds->deals.amount);
        ADD(c, ds->deals.discount_pct); ADD(c, ds->deals.created); ADD(c, ds->deals.close);
        ADD(c, ds->deals.stage); ADD(c, ds->deals.line);
        break;
    case CS_T_QUOTAS:
        c->n = &ds->quotas.n;
        ADD(c, ds->quotas.rep); ADD(c, ds->quotas.period); ADD(c, ds->quotas.quota);
        ADD(c, ds->quotas.line);
        break;
    case CS_T_SPIFFS:
        c->n = &ds->spiffs.n;
        ADD(c, ds->spiffs.id); ADD(c, ds->spiffs.product); ADD(c, ds->spiffs.start);
        ADD(c, ds->spiffs.end); ADD(c, ds->spiffs.amount); ADD(c, ds->spiffs.line);
        break;
    case CS_T_COMMISSIONS:
        c->n = &ds->commissions.n;
        ADD(c, ds->commissions.rep); ADD(c, ds->commissions.deal); ADD(c, ds->commissions.period);
        ADD(c, ds->commissions.commission); ADD(c, ds->commissions.line);
        break;
    case CS_T_ROADMAP:
        c->n = &ds->roadmap.n;
        ADD(c, ds->roadmap.id); ADD(c, ds->roadmap.title); ADD(c, ds->roadmap.status);
        ADD(c, ds->roadmap.target); ADD(c, ds->roadmap.shipped); ADD(c, ds->roadmap.line);
        break;
    case CS_T_PROMISES:
        c->n = &ds->promises.n;
        ADD(c, ds->promises.id); ADD(c, ds->promises.deal); ADD(c, ds->promises.feature);
        ADD(c, ds->promises.feature_text); ADD(c, ds->promises.promised); ADD(c, ds->promises.due);
        ADD(c, ds->promises.text); ADD(c, ds->promises.line);
        break;
    case CS_T_COLLATERAL:
        c->n = &ds->collateral.n;
        ADD(c, ds->collateral.id); ADD(c, ds->collateral.title); ADD(c, ds->collateral.owner);
        ADD(c, ds->collateral.campaign); ADD(c, ds->collateral.published); ADD(c, ds->collateral.line);
        break;
    case CS_T_CLAIMS:
        c->n = &ds->claims.n;
        ADD(c, ds->claims.asset); ADD(c, ds->claims.feature); ADD(c, ds->claims.feature_text);
        ADD(c, ds->claims.claim); ADD(c, ds->claims.text); ADD(c, ds->claims.line);
        break;
    case CS_T_TARGETS:
        c->n = &ds->targets.n;
        ADD(c, ds->targets.owner); ADD(c, ds->targets.period); ADD(c, ds->targets.target);
        ADD(c, ds->targets.actual); ADD(c, ds->targets.line);
        break;
    case CS_T_COUNT:
        break;
    }
}

/* ------------------------------------------------------------------------
 * Freeing a dataset, or one of its tables
 * --------------------------------------------------------------------- */

void cs_dataset_free(struct cs_dataset *ds)
{
    if (!ds)
        return;
    for (int t = 0; t < CS_T_COUNT; t++) {
        struct cs_columns c;
        cs_columns_of(ds, (enum cs_table)t, &c);
        cs_columns_free(&c);
    }
    free(ds->plans.floor);
    free(ds->plans.rate);
    for (size_t i = 0; i < ds->n_rejects; i++)
        free(ds->rejects[i].reason);
    free(ds->rejects);
    cs_strpool_free(ds->str);
    free(ds);
}

void cs_dataset_drop(struct cs_dataset *ds, enum cs_table t)
{
    if (!ds || t < 0 || t >= CS_T_COUNT || t == CS_T_PLANS)
        return;
    struct cs_columns c;
    cs_columns_of(ds, t, &c);
    cs_columns_free(&c);
    *c.n = 0;
}

void cs_plans_free(struct cs_plans *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->period_type);
    free(p->quota);
    free(p->tier_first);
    free(p->tier_count);
    free(p->floor);
    free(p->rate);
    memset(p, 0, sizeof *p);
}
