/* schema.c - the static description of the input files (SPEC sections 1-2, 12). */
#include <string.h>
#include <strings.h>

#include "compsight/parse.h"
#include "compsight/schema.h"

/* The values of each enumeration, at their constants' indexes:
 * values_STAGE = {[CS_STAGE_WON] = "won", ..., NULL}. */
#define VALUE_TEXT(constant, value) [constant] = value,
#define VALUES(V) static const char *const values_##V[] = {CS_VALUES_##V(VALUE_TEXT) NULL};
VALUES(PERIOD_TYPE)
VALUES(DEAL_TYPE)
VALUES(STAGE)
VALUES(RM_STATUS)
VALUES(CLAIM_KIND)
#define values_NONE NULL

/* The table a column names a key of. */
#define REFERS_NONE (-1)
#define REFERS_(T, member, required) enum { REFERS_##T = CS_T_##T };
CS_TABLES(REFERS_)

/* The columns of each table: columns_DEALS[], ... */
#define COLUMN(T, TAG, name, KIND, required, VALUES, STORE, REFS, field)                   \
    {name, CS_K_##KIND, required, values_##VALUES, REFERS_##REFS},
#define COLUMNS(T, member, required)                                                      \
    static const struct cs_column_def columns_##T[] = {CS_COLUMNS_##T(COLUMN, T)};
CS_TABLES(COLUMNS)

/* The files of SPEC 12 on are not listed when absent (schema.h). */
#define LISTED_ABSENT(T)                                                                  \
    (CS_T_##T != CS_T_RATES && CS_T_##T != CS_T_ASSIGNMENTS && CS_T_##T != CS_T_SPLITS)
#define TABLE(T, member, required)                                                        \
    [CS_T_##T] = {#member, #member ".csv", required, LISTED_ABSENT(T), columns_##T,        \
                  sizeof columns_##T / sizeof columns_##T[0]},
static const struct cs_table_def tables[CS_T_COUNT] = {CS_TABLES(TABLE)};

const struct cs_table_def *cs_schema_table(enum cs_table t)
{
    return (unsigned)t < CS_T_COUNT ? &tables[t] : NULL;
}

int cs_schema_find_table(const char *name)
{
    for (int t = 0; t < CS_T_COUNT; t++)
        if (strcasecmp(tables[t].table, name) == 0)
            return t;
    return -1;
}

int cs_schema_find_column(enum cs_table t, const char *name)
{
    const struct cs_table_def *def = cs_schema_table(t);
    if (!def)
        return -1;
    for (size_t c = 0; c < def->n_columns; c++)
        if (strcasecmp(def->columns[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* CRM spellings of the stages (SPEC section 2). */
static const struct {
    const char *alias;
    const char *value;
} stage_aliases[] = {
    {"closed won", "won"}, {"closedwon", "won"}, {"closed_won", "won"},
    {"closed lost", "lost"}, {"closedlost", "lost"}, {"closed_lost", "lost"},
};

int cs_schema_enum_value(enum cs_table t, int column, const char *s, size_t len)
{
    const struct cs_table_def *def = cs_schema_table(t);
    if (!def || column < 0 || (size_t)column >= def->n_columns)
        return -1;
    const char *const *values = def->columns[column].enum_values;
    if (!values)
        return -1;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (int v = 0; values[v]; v++)
        if (cs_word_eq(s, len, values[v]))
            return v;
    if (values == values_STAGE) {
        for (size_t a = 0; a < sizeof stage_aliases / sizeof stage_aliases[0]; a++)
            if (cs_word_eq(s, len, stage_aliases[a].alias))
                return cs_schema_enum_value(t, column, stage_aliases[a].value,
                                            strlen(stage_aliases[a].value));
    }
    return -1;
}
