/* dataset.h - the imported data, held column-wise, and the importer. */
#ifndef COMPSIGHT_DATASET_H
#define COMPSIGHT_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/mapfile.h"
#include "compsight/parse.h"
#include "compsight/period.h"
#include "compsight/schema.h"
#include "compsight/status.h"
#include "compsight/strpool.h"

/*
 * Every table is a struct of parallel arrays of length n, one for each
 * column of its table in schema.h (CS_COLUMNS_DEALS for struct cs_deals,
 * ...), named and typed there: strings are ids into the dataset's string
 * pool (0 = blank); references to other tables are row indexes (CS_NONE =
 * absent); dates are day numbers (CS_NO_DATE = blank); numbers are doubles
 * (NAN = blank); enumerations are the constants of their value lists.
 * line[] is the physical line of the row in its file.  Only rows that
 * passed every check are here.
 */
#define CS_NONE UINT32_MAX

/* The field(s) of a column of a CS_COLUMNS_ table (schema.h). */
#define CS_FIELD(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) \
    CS_FIELD_##STORE(KIND, field)
#define CS_FIELD_VAL(KIND, field) CS_CTYPE_##KIND *field;
#define CS_FIELD_REF(KIND, field) uint32_t *field;
#define CS_FIELD_REFTEXT(KIND, field) uint32_t *field, *field##_text;
#define CS_FIELD_PLAN(KIND, field) CS_CTYPE_##KIND *field;
#define CS_FIELD_TIER(KIND, field)
#define CS_FIELD_CREDIT(KIND, field)
#define CS_FIELD_READ(KIND, field)
#define CS_TIER_FIELD(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) \
    CS_TIER_FIELD_##STORE(KIND, field)
#define CS_TIER_FIELD_PLAN(KIND, field)
#define CS_TIER_FIELD_TIER(KIND, field) CS_CTYPE_##KIND *field;
#define CS_TIER_FIELD_CREDIT(KIND, field) CS_CTYPE_##KIND *field;
#define CS_TIER_FIELD_READ(KIND, field)

/* Plans, one entry per plan (id, period_type, quota, credit_new,
 * credit_expansion, credit_renewal: 1 where the file left them blank);
 * tiers sorted by floor, floor of the first = 0 (floor, rate).  A plans
 * struct built elsewhere (a what-if's) may leave the credit_ arrays NULL:
 * cs_plan_credit then reads the data's. */
struct cs_plans {
    size_t n;
    CS_COLUMNS_PLANS(CS_FIELD, PLANS)
    uint32_t *tier_first;    /* index of the plan's first tier in floor[]/rate[] */
    uint32_t *tier_count;
    size_t n_tiers;
    CS_COLUMNS_PLANS(CS_TIER_FIELD, PLANS)
};

struct cs_reps {
    size_t n;
    CS_COLUMNS_REPS(CS_FIELD, REPS)
    uint32_t *line;
};

/* assignments.csv (SPEC 13), sorted by rep then start_date once loaded;
 * no two rows of a rep overlap. */
struct cs_assignments {
    size_t n;
    CS_COLUMNS_ASSIGNMENTS(CS_FIELD, ASSIGNMENTS)
    uint32_t *line;
    uint32_t *rep_first;     /* reps.n + 1: rep r's rows are [rep_first[r], rep_first[r + 1]);
                                NULL when there are no rows */
};

/* rates.csv (SPEC 12): currency codes as cs_currency_code() numbers; an
 * undated rate has both dates CS_NO_DATE.  No two rows of a currency
 * overlap (the importer rejects both). */
struct cs_rates {
    size_t n;
    CS_COLUMNS_RATES(CS_FIELD, RATES)
    uint32_t *line;
};

/* Amounts are in the corporate currency (ds->currency): the importer
 * divides each by its currency's rate (SPEC 12). */
struct cs_deals {
    size_t n;
    CS_COLUMNS_DEALS(CS_FIELD, DEALS)
    uint32_t *line;
};

/* splits.csv (SPEC 13): every row's rep holds a plan on its deal's
 * close_date when the deal is won; one row a deal and rep. */
struct cs_splits {
    size_t n;
    CS_COLUMNS_SPLITS(CS_FIELD, SPLITS)
    uint32_t *line;
};

struct cs_quotas {
    size_t n;
    CS_COLUMNS_QUOTAS(CS_FIELD, QUOTAS)
    uint32_t *line;
};

struct cs_spiffs {
    size_t n;
    CS_COLUMNS_SPIFFS(CS_FIELD, SPIFFS)
    uint32_t *line;
};

struct cs_commissions {
    size_t n;
    CS_COLUMNS_COMMISSIONS(CS_FIELD, COMMISSIONS)
    uint32_t *line;
};

struct cs_roadmap {
    size_t n;
    CS_COLUMNS_ROADMAP(CS_FIELD, ROADMAP)
    uint32_t *line;
};

struct cs_promises {
    size_t n;
    CS_COLUMNS_PROMISES(CS_FIELD, PROMISES)
    uint32_t *line;
};

struct cs_collateral {
    size_t n;
    CS_COLUMNS_COLLATERAL(CS_FIELD, COLLATERAL)
    uint32_t *line;
};

struct cs_claims {
    size_t n;
    CS_COLUMNS_CLAIMS(CS_FIELD, CLAIMS)
    uint32_t *line;
};

struct cs_targets {
    size_t n;
    CS_COLUMNS_TARGETS(CS_FIELD, TARGETS)
    uint32_t *line;
};

/*
 * One file read (SPEC 12): the table it fed, under what name, how.  A table
 * may be read from several files (`file = A, B` in a map), each a source.
 * Everything in it is owned by the dataset.
 */
struct cs_source {
    uint8_t table;           /* enum cs_table */
    char *file;              /* its name in the data directory (the path, for a what-if file) */
    char **header;           /* [columns of the table]: the export header each was read
                              * from, NULL for none (absent, `COLUMN = -`, a default) */
    int encoding;            /* as read: CS_ENC_UTF8, CS_ENC_WINDOWS_1252, CS_ENC_ISO_8859_1 */
    bool encoding_detected;  /* `encoding = auto` found it was not UTF-8 */
    char delimiter;          /* as read (detected or given) */
    int date_format;         /* enum cs_date_format it was read with */
    bool decimal_comma;      /* likewise */
    bool header_row;         /* false with `header = NAME, ...` */
    uint64_t read, used, rejected, excluded;
    uint64_t ragged;         /* data rows with another number of fields than the header */
    /* For the hints of check (diagnose.h), per column of the table: the
     * date format most of its failing dates read in (CS_DATE_*, -1: none),
     * and how many of its failing numbers read with the other decimal mark. */
    int8_t *date_reads;      /* CS_DATE_ISO, US, EU, CS_DATE_READS_EITHER, -1 */
    uint64_t *number_other_mark;
    char **reasons;          /* the reasons its excluded rows give (owned) */
    size_t n_reasons;
};

/* cs_source.date_reads: as us and as eu alike (days and months up to 12). */
#define CS_DATE_READS_EITHER 3

/* One input row not used, and why. */
struct cs_reject {
    uint8_t table;           /* enum cs_table */
    uint32_t line;
    const char *column;      /* static column name, "" for the whole row */
    char *reason;            /* owned by the dataset */
    const char *kind;        /* what rejects of one reason share (a static message
                              * format), NULL when that is the reason's text itself */
    uint32_t source;         /* the file read: its index in ds->sources */
    const char *source_file; /* its name (borrowed from its cs_source) */
    const char *source_column;  /* the export header of column, NULL when none */
};

/* One input row left out on purpose (SPEC 12: a report's footer, a value
 * of `exclude.HEADER`), never validated. */
struct cs_excluded {
    uint8_t table;
    uint32_t line;
    uint32_t source;         /* its index in ds->sources */
    const char *source_file; /* borrowed from its cs_source */
    const char *reason;      /* "footer" or "exclude.HEADER = VALUE", borrowed likewise */
};

/* A currency amounts were converted from (SPEC 12): for the notes on the
 * data (check, the report). */
struct cs_currency_use {
    char code[4];
    uint64_t deals, commissions;   /* rows whose amount was converted from it */
};

struct cs_table_counts {
    bool present;            /* the file was found */
    uint64_t read, used, rejected, excluded;   /* read = used + rejected + excluded */
};

/* A plan or team some rejected rows belong to (struct cs_dataset). */
struct cs_missing {
    char *name;
    uint64_t rows;
};

struct cs_dataset {
    struct cs_strpool *str;
    struct cs_plans plans;
    struct cs_reps reps;
    struct cs_assignments assignments;
    struct cs_rates rates;
    struct cs_deals deals;
    struct cs_splits splits;
    struct cs_quotas quotas;
    struct cs_spiffs spiffs;
    struct cs_commissions commissions;
    struct cs_roadmap roadmap;
    struct cs_promises promises;
    struct cs_collateral collateral;
    struct cs_claims claims;
    struct cs_targets targets;
    struct cs_table_counts counts[CS_T_COUNT];
    struct cs_reject *rejects;   /* in file load order, then line order */
    size_t n_rejects;
    struct cs_excluded *excluded;   /* likewise */
    size_t n_excluded;
    struct cs_source *sources;   /* every file read, in load order */
    size_t n_sources;
    /* Where rejected rows of plans.csv, reps.csv and deals.csv leave the
     * report short (the loud warning of SPEC 12): the plans and teams they
     * belong to, with the rows of each rejected; owned by the dataset. */
    struct cs_missing *missing_plans, *missing_teams;
    size_t n_missing_plans, n_missing_teams;
    char currency[8];            /* ISO 4217 code of every amount (the corporate currency);
                                    "" until the data say: cs_ds_currency() reads it */
    struct cs_currency_use *converted;   /* the other currencies, most rows first (owned) */
    size_t n_converted;
};


/*
 * How to read.  Precedence (SPEC 12): what the command line gave (the
 * *_given flags, encoding, delimiter) over the map, over the defaults.
 */
struct cs_load_options {
    const char *dir;                 /* data directory */
    const struct cs_map *map;        /* may be NULL (several --map: combined, cs_map_merge) */
    enum cs_date_format date_format; /* for files the map does not set, or every file */
    bool date_format_given;          /*   when given on the command line */
    bool decimal_comma;              /* likewise */
    bool decimal_comma_given;
    int encoding;                    /* enum cs_encoding: CS_ENC_UNSET = the map's, else auto */
    int delimiter;                   /* 0 = the map's, else auto; CS_DELIM_AUTO; a byte */
    const char *currency;            /* --currency: the corporate currency; NULL: from
                                        the data (SPEC 12, src/input/currency.c) */
    size_t chunk_size;               /* 0 = 1 MiB */
    /* Called now and then while reading file (a display name such as
     * "deals.csv"); done/total in bytes over all files.  May be NULL. */
    void (*progress)(const char *file, uint64_t done, uint64_t total, void *ctx);
    void *progress_ctx;
};

/*
 * Read every file of the data directory into a new dataset (*out, owned by
 * the caller, freed with cs_dataset_free).  Bad rows become rejects; rows
 * a rule leaves out (SPEC 12: footers, exclude.HEADER) are listed in
 * ds->excluded.  A missing required file or column, a malformed CSV, or a
 * date column written in another format than the one chosen (SPEC 12) is
 * CS_ERR_INPUT with err naming the file read and line, and *out is left
 * NULL.
 */
enum cs_status cs_dataset_load(const struct cs_load_options *opt,
                               struct cs_dataset **out, struct cs_error *err);

void cs_dataset_free(struct cs_dataset *ds);   /* accepts NULL */

/*
 * Free the rows of table t when nothing will read them again (the report
 * drops commissions.csv once it is reconciled): its columns become NULL
 * and its row count 0, while counts[t] (rows read, used, rejected) and
 * the rejects stay.  Plans (whose tiers live apart) are never dropped.
 */
void cs_dataset_drop(struct cs_dataset *ds, enum cs_table t);

/*
 * Read an alternative plans file (the columns and rules of plans.csv, in
 * compsight's own format: no map applies) for a what-if, into *out with the
 * plans in the order of ds->plans, so that the reps' plan indexes still
 * apply; out->id holds ds's string ids.  The file may list only the plans
 * it changes (SPEC 13): a plan of ds it leaves out carries over with its
 * current definition.  out's credit_ arrays are always set: a listed plan
 * takes the file's credit_new, credit_expansion and credit_renewal where
 * the file gives them, and keeps its current fraction for a column the
 * file lacks or a cell it leaves blank (SPEC 13).  A plan id written with the leading apostrophe that
 * compsight's CSV files put before a formula character ('=X for =X) names
 * the plan =X.  When listed is not NULL, *listed receives ds->plans.n
 * flags, true for the plans the file lists (owned by the caller: free()).
 * Errors, with *out empty and *listed NULL: CS_ERR_INPUT naming path (and
 * line and column) for a file that cannot be read, a bad row, or a plan
 * that ds does not have (the first in file order; a what-if changes the
 * data's plans, and a new one would have no reps); CS_ERR_NOMEM.
 * Release with cs_plans_free.
 */
enum cs_status cs_plans_load_alt(const char *path, const struct cs_dataset *ds,
                                 const struct cs_load_options *opt, struct cs_plans *out,
                                 bool **listed, struct cs_error *err);

/* Free the arrays of a plans struct filled by cs_plans_load_alt; accepts NULL. */
void cs_plans_free(struct cs_plans *p);

/* The corporate currency every amount is in, for documents and plot axes:
 * the one place its default is kept. */
#define CS_DEFAULT_CURRENCY "USD"
static inline const char *cs_ds_currency(const struct cs_dataset *ds)
{
    return ds && ds->currency[0] ? ds->currency : CS_DEFAULT_CURRENCY;
}

/*
 * The name of a column for messages (SPEC 12): "Type (type)" when the
 * export's header source_column is not the column's own name byte for
 * byte, else "type" (and "" for ""); into buf, which it returns.
 */
const char *cs_column_label(char *buf, size_t n, const char *source_column, const char *column);

/*
 * SPEC 13: the row of ds->assignments of rep that holds day (its start on
 * or before day, its end open or on or after it), CS_NONE when none does.
 */
uint32_t cs_assignment_at(const struct cs_dataset *ds, uint32_t rep, int32_t day);

/*
 * The plan rep holds on day: its assignment's, else reps.csv's plan_id
 * (CS_NONE when neither gives one); *team (may be NULL) its team there: the
 * assignment's, else (blank, or no assignment) reps.csv's.
 */
uint32_t cs_plan_on(const struct cs_dataset *ds, uint32_t rep, int32_t day, uint32_t *team);

/* Whether rep has any row in ds->assignments. */
bool cs_rep_has_assignments(const struct cs_dataset *ds, uint32_t rep);

/*
 * The days of [first, last] on which rep's plan is plan (SPEC 13: its
 * assignment's, else reps.csv's): the numerator of a prorated quota.
 */
int32_t cs_plan_days(const struct cs_dataset *ds, uint32_t rep, uint32_t plan, int32_t first,
                     int32_t last);

/*
 * The credit fraction of plan p for a deal of type (enum cs_deal_type):
 * plans' credit_ column, or ds's when plans has none (a what-if's
 * alternative that does not give them keeps the plan's, SPEC 13).
 */
double cs_plan_credit(const struct cs_dataset *ds, const struct cs_plans *plans, uint32_t p,
                      uint8_t type);

/* Convenience: the string of an id in the dataset's pool. */
static inline const char *cs_ds_str(const struct cs_dataset *ds, uint32_t id)
{
    return cs_strpool_get(ds->str, id);
}

#endif
