/* schema.c - the static description of the eleven input files (SPEC sections 1-2). */
#include <string.h>
#include <strings.h>

#include "compsight/parse.h"
#include "compsight/schema.h"

static const char *const period_types[] = {"quarter", "year", NULL};
static const char *const deal_types[] = {"new", "expansion", "renewal", NULL};
static const char *const stages[] = {"won", "lost", "open", NULL};
static const char *const rm_statuses[] = {"shipped", "committed", "planned",
                                          "exploring", "not_planned", NULL};
static const char *const claim_kinds[] = {"available", "coming_soon", NULL};

#define COLS(a) a, sizeof a / sizeof a[0]

static const struct cs_column_def plans_cols[] = {
    {"plan_id", CS_K_ID, true, NULL},
    {"period_type", CS_K_ENUM, true, period_types},
    {"quota", CS_K_NUMBER, true, NULL},
    {"tier_floor", CS_K_NUMBER, true, NULL},
    {"rate", CS_K_NUMBER, true, NULL},
};
static const struct cs_column_def reps_cols[] = {
    {"rep_id", CS_K_ID, true, NULL},
    {"name", CS_K_TEXT, false, NULL},
    {"team", CS_K_TEXT, true, NULL},
    {"role", CS_K_TEXT, false, NULL},
    {"plan_id", CS_K_ID, false, NULL},
    {"manager", CS_K_TEXT, false, NULL},
};
static const struct cs_column_def deals_cols[] = {
    {"deal_id", CS_K_ID, true, NULL},
    {"rep_id", CS_K_ID, true, NULL},
    {"account", CS_K_TEXT, false, NULL},
    {"type", CS_K_ENUM, true, deal_types},
    {"product", CS_K_TEXT, false, NULL},
    {"amount", CS_K_NUMBER, false, NULL},
    {"discount_pct", CS_K_PERCENT, false, NULL},
    {"created_date", CS_K_DATE, false, NULL},
    {"close_date", CS_K_DATE, false, NULL},
    {"stage", CS_K_ENUM, true, stages},
};
static const struct cs_column_def quotas_cols[] = {
    {"rep_id", CS_K_ID, true, NULL},
    {"period", CS_K_PERIOD, true, NULL},
    {"quota", CS_K_NUMBER, true, NULL},
};
static const struct cs_column_def spiffs_cols[] = {
    {"spiff_id", CS_K_ID, true, NULL},
    {"product", CS_K_TEXT, true, NULL},
    {"start_date", CS_K_DATE, true, NULL},
    {"end_date", CS_K_DATE, true, NULL},
    {"amount", CS_K_NUMBER, false, NULL},
};
static const struct cs_column_def commissions_cols[] = {
    {"rep_id", CS_K_ID, true, NULL},
    {"deal_id", CS_K_ID, true, NULL},
    {"period", CS_K_PERIOD, false, NULL},
    {"commission", CS_K_NUMBER, true, NULL},
};
static const struct cs_column_def roadmap_cols[] = {
    {"feature_id", CS_K_ID, true, NULL},
    {"title", CS_K_TEXT, false, NULL},
    {"status", CS_K_ENUM, true, rm_statuses},
    {"target_date", CS_K_DATE, false, NULL},
    {"shipped_date", CS_K_DATE, false, NULL},
};
static const struct cs_column_def promises_cols[] = {
    {"promise_id", CS_K_ID, true, NULL},
    {"deal_id", CS_K_ID, true, NULL},
    {"feature_id", CS_K_ID, false, NULL},
    {"promised_date", CS_K_DATE, false, NULL},
    {"due_date", CS_K_DATE, false, NULL},
    {"text", CS_K_TEXT, false, NULL},
};
static const struct cs_column_def collateral_cols[] = {
    {"asset_id", CS_K_ID, true, NULL},
    {"title", CS_K_TEXT, false, NULL},
    {"owner_id", CS_K_ID, true, NULL},
    {"campaign", CS_K_TEXT, false, NULL},
    {"published_date", CS_K_DATE, true, NULL},
};
static const struct cs_column_def claims_cols[] = {
    {"asset_id", CS_K_ID, true, NULL},
    {"feature_id", CS_K_ID, false, NULL},
    {"claim", CS_K_ENUM, true, claim_kinds},
    {"text", CS_K_TEXT, false, NULL},
};
static const struct cs_column_def targets_cols[] = {
    {"owner_id", CS_K_ID, true, NULL},
    {"period", CS_K_PERIOD, true, NULL},
    {"target", CS_K_NUMBER, true, NULL},
    {"actual", CS_K_NUMBER, true, NULL},
};

static const struct cs_table_def tables[CS_T_COUNT] = {
    [CS_T_PLANS] = {"plans", "plans.csv", true, COLS(plans_cols)},
    [CS_T_REPS] = {"reps", "reps.csv", true, COLS(reps_cols)},
    [CS_T_DEALS] = {"deals", "deals.csv", true, COLS(deals_cols)},
    [CS_T_QUOTAS] = {"quotas", "quotas.csv", false, COLS(quotas_cols)},
    [CS_T_SPIFFS] = {"spiffs", "spiffs.csv", false, COLS(spiffs_cols)},
    [CS_T_COMMISSIONS] = {"commissions", "commissions.csv", false, COLS(commissions_cols)},
    [CS_T_ROADMAP] = {"roadmap", "roadmap.csv", false, COLS(roadmap_cols)},
    [CS_T_PROMISES] = {"promises", "promises.csv", false, COLS(promises_cols)},
    [CS_T_COLLATERAL] = {"collateral", "collateral.csv", false, COLS(collateral_cols)},
    [CS_T_CLAIMS] = {"claims", "claims.csv", false, COLS(claims_cols)},
    [CS_T_TARGETS] = {"targets", "targets.csv", false, COLS(targets_cols)},
};

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
    if (values == stages) {
        for (size_t a = 0; a < sizeof stage_aliases / sizeof stage_aliases[0]; a++)
            if (cs_word_eq(s, len, stage_aliases[a].alias))
                return cs_schema_enum_value(t, column, stage_aliases[a].value,
                                            strlen(stage_aliases[a].value));
    }
    return -1;
}
