/* schema.h - the input files of SPEC section 1: names, columns, kinds. */
#ifndef COMPSIGHT_SCHEMA_H
#define COMPSIGHT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* Input tables in load order (each references only tables before it). */
enum cs_table {
    CS_T_PLANS = 0, CS_T_REPS, CS_T_DEALS, CS_T_QUOTAS, CS_T_SPIFFS,
    CS_T_COMMISSIONS, CS_T_ROADMAP, CS_T_PROMISES, CS_T_COLLATERAL,
    CS_T_CLAIMS, CS_T_TARGETS,
    CS_T_COUNT
};

/* How a column's text is read. */
enum cs_col_kind {
    CS_K_ID,      /* identifier, compared byte for byte after trimming */
    CS_K_TEXT,    /* free text */
    CS_K_NUMBER,  /* section 2 number */
    CS_K_PERCENT, /* number, trailing % accepted */
    CS_K_DATE,    /* section 2 date */
    CS_K_PERIOD,  /* period label "2026Q3" or "2026" */
    CS_K_ENUM     /* one of enum_values, case-insensitive */
};

struct cs_column_def {
    const char *name;
    enum cs_col_kind kind;
    bool required;              /* the header must be present and the value non-blank */
    const char *const *enum_values;  /* NULL-terminated, for CS_K_ENUM */
};

struct cs_table_def {
    const char *table;          /* section name in map files: "deals" */
    const char *file;           /* default file name: "deals.csv" */
    bool required;              /* the file must exist */
    const struct cs_column_def *columns;
    size_t n_columns;
};

/* The definition of a table (static storage). */
const struct cs_table_def *cs_schema_table(enum cs_table t);

/* Table by map-file section name ("deals"); -1 when unknown. */
int cs_schema_find_table(const char *name);

/* Column index by name within a table, case-insensitive; -1 when unknown. */
int cs_schema_find_column(enum cs_table t, const char *name);

/* Canonical enumeration value index of s[0..len) for column c of table t,
 * including the aliases of section 2 (Closed Won -> won); -1 when none. */
int cs_schema_enum_value(enum cs_table t, int column, const char *s, size_t len);

#endif
