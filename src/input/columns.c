/* columns.c - the dataset's storage: each table's parallel arrays, grown, shrunk and freed together. */
#include <stdio.h>
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

/* The arrays of a CS_COLUMNS_ table's columns (schema.h), in tab. */
#define ADD(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) ADD_##STORE(field)
#define ADD_VAL(field) cs_columns_add(c, &tab->field, sizeof *tab->field);
#define ADD_REF(field) ADD_VAL(field)
#define ADD_REFTEXT(field) ADD_VAL(field) ADD_VAL(field##_text)
#define ADD_PLAN(field) ADD_VAL(field)
#define ADD_TIER(field)
#define ADD_CREDIT(field) ADD_VAL(field)
#define ADD_READ(field)

#define ROW_TABLE(T, member, required)                                                    \
    case CS_T_##T: {                                                                      \
        struct cs_##member *tab = &ds->member;                                            \
        c->n = &tab->n;                                                                   \
        CS_COLUMNS_##T(ADD, T)                                                            \
        ADD_VAL(line)                                                                     \
        break;                                                                            \
    }

void cs_columns_of(struct cs_dataset *ds, enum cs_table t, struct cs_columns *c)
{
    memset(c, 0, sizeof *c);
    switch (t) {
    case CS_T_PLANS: {
        /* the tiers (floor[], rate[]) are allocated apart */
        struct cs_plans *tab = &ds->plans;
        c->n = &tab->n;
        CS_COLUMNS_PLANS(ADD, PLANS)
        ADD_VAL(tier_first)
        ADD_VAL(tier_count)
        break;
    }
    CS_ROW_TABLES(ROW_TABLE)
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
    free(ds->assignments.rep_first);
    for (size_t i = 0; i < ds->n_rejects; i++)
        free(ds->rejects[i].reason);
    free(ds->rejects);
    free(ds->excluded);
    for (size_t i = 0; i < ds->n_sources; i++) {
        struct cs_source *so = &ds->sources[i];
        const struct cs_table_def *def = cs_schema_table((enum cs_table)so->table);
        for (size_t c = 0; so->header && c < def->n_columns; c++)
            free(so->header[c]);
        free(so->header);
        free(so->file);
        free(so->date_reads);
        free(so->number_other_mark);
        for (size_t k = 0; k < so->n_reasons; k++)
            free(so->reasons[k]);
        free(so->reasons);
    }
    free(ds->sources);
    for (size_t i = 0; i < ds->n_missing_plans; i++)
        free(ds->missing_plans[i].name);
    free(ds->missing_plans);
    for (size_t i = 0; i < ds->n_missing_teams; i++)
        free(ds->missing_teams[i].name);
    free(ds->missing_teams);
    free(ds->converted);
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

#define FREE(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) free(p->field);

void cs_plans_free(struct cs_plans *p)
{
    if (!p)
        return;
    CS_COLUMNS_PLANS(FREE, PLANS)
    free(p->tier_first);
    free(p->tier_count);
    memset(p, 0, sizeof *p);
}

const char *cs_column_label(char *buf, size_t n, const char *source_column, const char *column)
{
    if (!column)
        column = "";
    if (source_column && column[0] && strcmp(source_column, column) != 0)
        snprintf(buf, n, "%s (%s)", source_column, column);
    else
        snprintf(buf, n, "%s", column);
    return buf;
}
