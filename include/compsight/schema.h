/* schema.h - the input files of SPEC section 1: names, columns, kinds, in one table each. */
#ifndef COMPSIGHT_SCHEMA_H
#define COMPSIGHT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/period.h"

/*
 * The input files are described once, here, as X-macro tables; the
 * enumerations, the schema (cs_schema_table), the structs of dataset.h,
 * the loader's arrays and its row handling are all expanded from them.
 * A new column is one line in its table (and its rules in
 * src/input/rows.c, if it has any).
 */

/* ------------------------------------------------------------------------
 * The tables, in load order (each references only tables before it)
 *
 * X(T, member, required): table CS_T_<T>, read into the dataset's member
 * (a struct cs_<member>) from the file "<member>.csv", whose section in
 * a map file is [member]; required: the file must exist.  Plans aside,
 * a table keeps one entry per row used (CS_ROW_TABLES).
 * --------------------------------------------------------------------- */

#define CS_ROW_TABLES(X)                                                                 \
    X(REPS, reps, true)                                                                  \
    X(ASSIGNMENTS, assignments, false) /* SPEC 13; before deals, whose plan it gives */ \
    X(RATES, rates, false) /* SPEC 12; before deals, whose amounts it converts */       \
    X(DEALS, deals, true)                                                                \
    X(SPLITS, splits, false) /* SPEC 13 */                                               \
    X(QUOTAS, quotas, false)                                                             \
    X(SPIFFS, spiffs, false)                                                             \
    X(COMMISSIONS, commissions, false)                                                   \
    X(ROADMAP, roadmap, false)                                                           \
    X(PROMISES, promises, false)                                                         \
    X(COLLATERAL, collateral, false)                                                     \
    X(CLAIMS, claims, false)                                                             \
    X(TARGETS, targets, false)

#define CS_TABLES(X) X(PLANS, plans, true) CS_ROW_TABLES(X)

#define CS_TABLE_CONSTANT_(T, member, required) CS_T_##T,
enum cs_table { CS_TABLES(CS_TABLE_CONSTANT_) CS_T_COUNT };

/* ------------------------------------------------------------------------
 * The values of the enumerated columns, in order: X(CONSTANT, "value")
 * --------------------------------------------------------------------- */

#define CS_VALUES_DEAL_TYPE(X)                                                           \
    X(CS_TYPE_NEW, "new") X(CS_TYPE_EXPANSION, "expansion") X(CS_TYPE_RENEWAL, "renewal")
#define CS_VALUES_STAGE(X) X(CS_STAGE_WON, "won") X(CS_STAGE_LOST, "lost") X(CS_STAGE_OPEN, "open")
#define CS_VALUES_RM_STATUS(X)                                                           \
    X(CS_RM_SHIPPED, "shipped") X(CS_RM_COMMITTED, "committed") X(CS_RM_PLANNED, "planned") \
    X(CS_RM_EXPLORING, "exploring") X(CS_RM_NOT_PLANNED, "not_planned")
#define CS_VALUES_CLAIM_KIND(X) X(CS_CLAIM_AVAILABLE, "available") X(CS_CLAIM_COMING_SOON, "coming_soon")

#define CS_VALUE_CONSTANT_(constant, value) constant,
enum cs_deal_type { CS_VALUES_DEAL_TYPE(CS_VALUE_CONSTANT_) };
enum cs_stage { CS_VALUES_STAGE(CS_VALUE_CONSTANT_) };
enum cs_rm_status { CS_VALUES_RM_STATUS(CS_VALUE_CONSTANT_) };
enum cs_claim_kind { CS_VALUES_CLAIM_KIND(CS_VALUE_CONSTANT_) };

/* ------------------------------------------------------------------------
 * The columns of each table, in the order of SPEC section 1
 *
 * X(T, TAG, "name", KIND, required, VALUES, STORE, REFS, field):
 *   TAG       the column's index in a row of table T is T_TAG (DEALS_AMOUNT)
 *   "name"    its header in the file
 *   KIND      how its text is read: CS_K_<KIND>; its type once read is
 *             CS_CTYPE_<KIND>
 *   required  the header must be present and the value non-blank
 *   VALUES    for ENUM, the list CS_VALUES_<VALUES>; else NONE
 *   STORE     what the dataset keeps, in the member field of the table's
 *             struct:
 *             VAL      the value as read (a string id for ID and TEXT)
 *             REF      the row of table REFS whose key the value names
 *                      (a reject when there is none)
 *             REFTEXT  the same, CS_NONE when blank or unknown (not a
 *                      reject), and the text as given in field_text
 *             PLAN, TIER  (plans) the value, once per plan or per tier
 *             CREDIT   (plans) once per plan, like PLAN, but kept after the
 *                      tiers in struct cs_plans (SPEC 13's credit_
 *                      columns came later; initialisers in order still work)
 *             READ     read and checked, used by the row's rules in
 *                      rows.c, not kept (no field)
 *   REFS      the table a REF or REFTEXT column names a key of; else NONE
 *   field     the member of the struct (dataset.h) that holds it
 * --------------------------------------------------------------------- */

/* kind -> the type of the value (strings: ids in the dataset's pool, 0 =
 * blank; numbers: NAN = blank; dates: day numbers, CS_NO_DATE = blank;
 * periods: period codes of parse.h, CS_NO_PERIOD = blank) */
#define CS_CTYPE_ID uint32_t
#define CS_CTYPE_TEXT uint32_t
#define CS_CTYPE_NUMBER double
#define CS_CTYPE_PERCENT double
#define CS_CTYPE_DATE int32_t
#define CS_CTYPE_PERIOD int32_t
#define CS_CTYPE_ENUM uint8_t
#define CS_CTYPE_BOOL uint8_t
#define CS_CTYPE_CURRENCY uint16_t   /* cs_currency_code(): 1..17576, 0 = blank */

/* One row a tier; period_type, quota and the credit_ fractions the same on
 * every row of a plan.  credit_*: the share of a deal of that type that
 * counts (SPEC 13), >= 0; blank = 1, and a plan keeps 1 for a blank. */
#define CS_COLUMNS_PLANS(X, T)                                                           \
    X(T, ID, "plan_id", ID, true, NONE, PLAN, NONE, id)                                  \
    X(T, PERIOD_TYPE, "period_type", ENUM, true, PERIOD_TYPE, PLAN, NONE, period_type)   \
    X(T, QUOTA, "quota", NUMBER, true, NONE, PLAN, NONE, quota)                          \
    X(T, FLOOR, "tier_floor", NUMBER, true, NONE, TIER, NONE, floor)                     \
    X(T, RATE, "rate", NUMBER, true, NONE, TIER, NONE, rate)                             \
    X(T, CREDIT_NEW, "credit_new", NUMBER, false, NONE, CREDIT, NONE, credit_new)          \
    X(T, CREDIT_EXPANSION, "credit_expansion", NUMBER, false, NONE, CREDIT, NONE,        \
      credit_expansion)                                                                  \
    X(T, CREDIT_RENEWAL, "credit_renewal", NUMBER, false, NONE, CREDIT, NONE, credit_renewal)

#define CS_COLUMNS_REPS(X, T)                                                            \
    X(T, ID, "rep_id", ID, true, NONE, VAL, NONE, id)                                    \
    X(T, NAME, "name", TEXT, false, NONE, VAL, NONE, name)                               \
    X(T, TEAM, "team", TEXT, true, NONE, VAL, NONE, team)                                \
    X(T, ROLE, "role", TEXT, false, NONE, VAL, NONE, role)                               \
    X(T, PLAN, "plan_id", ID, false, NONE, REF, PLANS, plan) /* CS_NONE: no plan_id */   \
    X(T, MANAGER, "manager", TEXT, false, NONE, VAL, NONE, manager)

/* A rep's plan and team from start to end (SPEC 13), both inclusive; end
 * blank (CS_NO_DATE) = open; team blank (0) = the rep's in reps.csv.  No
 * two rows of a rep overlap (the importer rejects both).  Once loaded,
 * the rows are sorted by rep, then start (cs_assignment_at). */
#define CS_COLUMNS_ASSIGNMENTS(X, T)                                                     \
    X(T, REP, "rep_id", ID, true, NONE, REF, REPS, rep)                                  \
    X(T, PLAN, "plan_id", ID, true, NONE, REF, PLANS, plan)                              \
    X(T, START, "start_date", DATE, true, NONE, VAL, NONE, start)                        \
    X(T, END, "end_date", DATE, false, NONE, VAL, NONE, end)                             \
    X(T, TEAM, "team", TEXT, false, NONE, VAL, NONE, team)

/* An exchange rate (SPEC 12): units of currency per one unit of the
 * corporate currency, undated (both dates blank) or for [start, next). */
#define CS_COLUMNS_RATES(X, T)                                                           \
    X(T, CURRENCY, "currency", CURRENCY, true, NONE, VAL, NONE, currency)                \
    X(T, RATE, "rate", NUMBER, true, NONE, VAL, NONE, rate)                              \
    X(T, START, "start_date", DATE, false, NONE, VAL, NONE, start) /* inclusive */       \
    X(T, NEXT, "next_start_date", DATE, false, NONE, VAL, NONE, next) /* exclusive */

#define CS_COLUMNS_DEALS(X, T)                                                           \
    X(T, ID, "deal_id", ID, true, NONE, VAL, NONE, id)                                   \
    X(T, REP, "rep_id", ID, true, NONE, REF, REPS, rep)                                  \
    X(T, ACCOUNT, "account", TEXT, false, NONE, VAL, NONE, account)                      \
    X(T, TYPE, "type", ENUM, true, DEAL_TYPE, VAL, NONE, type)                           \
    X(T, PRODUCT, "product", TEXT, false, NONE, VAL, NONE, product)                      \
    X(T, AMOUNT, "amount", NUMBER, false, NONE, VAL, NONE, amount) /* never NAN if won */ \
    /* currency: the amount's; the dataset keeps it converted (SPEC 12) */               \
    X(T, CURRENCY, "currency", CURRENCY, false, NONE, READ, NONE, currency)              \
    X(T, DISCOUNT, "discount_pct", PERCENT, false, NONE, VAL, NONE, discount_pct) /* 0..100 */ \
    X(T, CREATED, "created_date", DATE, false, NONE, VAL, NONE, created)                 \
    X(T, CLOSE, "close_date", DATE, false, NONE, VAL, NONE, close) /* set if won/lost */ \
    X(T, STAGE, "stage", ENUM, true, STAGE, VAL, NONE, stage)                           \
    /* SPEC 12: with is_won read, they decide the stage (stage not required) */        \
    X(T, IS_WON, "is_won", BOOL, false, NONE, READ, NONE, is_won)                        \
    X(T, IS_CLOSED, "is_closed", BOOL, false, NONE, READ, NONE, is_closed)

/* A credit row of a split deal (SPEC 13): share in (0, 1]; one row a deal
 * and rep. */
#define CS_COLUMNS_SPLITS(X, T)                                                          \
    X(T, DEAL, "deal_id", ID, true, NONE, REF, DEALS, deal)                              \
    X(T, REP, "rep_id", ID, true, NONE, REF, REPS, rep)                                  \
    X(T, SHARE, "share", NUMBER, true, NONE, VAL, NONE, share)

/* plan: CS_NONE for a blank plan_id (SPEC 13: the plan the rep holds at
 * the period's end). */
#define CS_COLUMNS_QUOTAS(X, T)                                                          \
    X(T, REP, "rep_id", ID, true, NONE, REF, REPS, rep)                                  \
    X(T, PERIOD, "period", PERIOD, true, NONE, VAL, NONE, period)                        \
    X(T, QUOTA, "quota", NUMBER, true, NONE, VAL, NONE, quota)                           \
    X(T, PLAN, "plan_id", ID, false, NONE, REF, PLANS, plan)

#define CS_COLUMNS_SPIFFS(X, T)                                                          \
    X(T, ID, "spiff_id", ID, true, NONE, VAL, NONE, id)                                  \
    X(T, PRODUCT, "product", TEXT, true, NONE, VAL, NONE, product)                       \
    X(T, START, "start_date", DATE, true, NONE, VAL, NONE, start)                        \
    X(T, END, "end_date", DATE, true, NONE, VAL, NONE, end) /* inclusive */              \
    X(T, AMOUNT, "amount", NUMBER, false, NONE, VAL, NONE, amount)

#define CS_COLUMNS_COMMISSIONS(X, T)                                                     \
    X(T, REP, "rep_id", ID, true, NONE, REF, REPS, rep)                                  \
    X(T, DEAL, "deal_id", ID, true, NONE, REF, DEALS, deal)                              \
    X(T, PERIOD, "period", PERIOD, false, NONE, VAL, NONE, period)                       \
    X(T, COMMISSION, "commission", NUMBER, true, NONE, VAL, NONE, commission) /* converted */ \
    X(T, CURRENCY, "currency", CURRENCY, false, NONE, READ, NONE, currency)

#define CS_COLUMNS_ROADMAP(X, T)                                                         \
    X(T, ID, "feature_id", ID, true, NONE, VAL, NONE, id)                                \
    X(T, TITLE, "title", TEXT, false, NONE, VAL, NONE, title)                            \
    X(T, STATUS, "status", ENUM, true, RM_STATUS, VAL, NONE, status)                     \
    X(T, TARGET, "target_date", DATE, false, NONE, VAL, NONE, target)                    \
    X(T, SHIPPED, "shipped_date", DATE, false, NONE, VAL, NONE, shipped)

#define CS_COLUMNS_PROMISES(X, T)                                                        \
    X(T, ID, "promise_id", ID, true, NONE, VAL, NONE, id)                                \
    X(T, DEAL, "deal_id", ID, true, NONE, REF, DEALS, deal)                              \
    X(T, FEATURE, "feature_id", ID, false, NONE, REFTEXT, ROADMAP, feature)              \
    X(T, PROMISED, "promised_date", DATE, false, NONE, VAL, NONE, promised)              \
    X(T, DUE, "due_date", DATE, false, NONE, VAL, NONE, due)                             \
    X(T, TEXT, "text", TEXT, false, NONE, VAL, NONE, text)

#define CS_COLUMNS_COLLATERAL(X, T)                                                      \
    X(T, ID, "asset_id", ID, true, NONE, VAL, NONE, id)                                  \
    X(T, TITLE, "title", TEXT, false, NONE, VAL, NONE, title)                            \
    X(T, OWNER, "owner_id", ID, true, NONE, REF, REPS, owner)                            \
    X(T, CAMPAIGN, "campaign", TEXT, false, NONE, VAL, NONE, campaign)                   \
    X(T, PUBLISHED, "published_date", DATE, true, NONE, VAL, NONE, published)

#define CS_COLUMNS_CLAIMS(X, T)                                                          \
    X(T, ASSET, "asset_id", ID, true, NONE, REF, COLLATERAL, asset)                      \
    X(T, FEATURE, "feature_id", ID, false, NONE, REFTEXT, ROADMAP, feature)              \
    X(T, CLAIM, "claim", ENUM, true, CLAIM_KIND, VAL, NONE, claim)                       \
    X(T, TEXT, "text", TEXT, false, NONE, VAL, NONE, text)

#define CS_COLUMNS_TARGETS(X, T)                                                         \
    X(T, OWNER, "owner_id", ID, true, NONE, REF, REPS, owner)                            \
    X(T, PERIOD, "period", PERIOD, true, NONE, VAL, NONE, period) /* a quarter */        \
    X(T, TARGET, "target", NUMBER, true, NONE, VAL, NONE, target)                        \
    X(T, ACTUAL, "actual", NUMBER, true, NONE, VAL, NONE, actual)

/* ------------------------------------------------------------------------
 * The schema, at run time
 * --------------------------------------------------------------------- */

/* How a column's text is read. */
enum cs_col_kind {
    CS_K_ID,      /* identifier, compared byte for byte after trimming */
    CS_K_TEXT,    /* free text */
    CS_K_NUMBER,  /* section 2 number */
    CS_K_PERCENT, /* number, trailing % accepted */
    CS_K_DATE,    /* section 2 date */
    CS_K_PERIOD,  /* period label "2026Q3" or "2026" */
    CS_K_ENUM,    /* one of enum_values, case-insensitive */
    CS_K_BOOL,    /* true/false, yes/no, 1/0 (SPEC 12); blank is false */
    CS_K_CURRENCY /* an ISO 4217 code: three letters, case-insensitive */
};

struct cs_column_def {
    const char *name;
    enum cs_col_kind kind;
    bool required;              /* the header must be present and the value non-blank */
    const char *const *enum_values;  /* NULL-terminated, for CS_K_ENUM */
    int references;             /* enum cs_table whose key it names (REF, REFTEXT); -1: none */
};

struct cs_table_def {
    const char *table;          /* section name in map files: "deals" */
    const char *file;           /* default file name: "deals.csv" */
    bool required;              /* the file must exist */
    bool listed_absent;         /* outputs list it when absent (files_absent, check); false
                                   for the files of SPEC 12 on, so that the outputs of
                                   data without them stay as they were */
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
