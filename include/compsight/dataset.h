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
 * Every table is a struct of parallel arrays of length n.  Strings are ids
 * into the dataset's string pool (0 = blank); references to other tables
 * are row indexes (CS_NONE = absent); dates are day numbers (CS_NO_DATE =
 * blank); numbers are doubles (NAN = blank).  line[] is the physical line
 * of the row in its file.  Only rows that passed every check are here.
 */
#define CS_NONE UINT32_MAX

enum cs_deal_type { CS_TYPE_NEW = 0, CS_TYPE_EXPANSION = 1, CS_TYPE_RENEWAL = 2 };
enum cs_stage { CS_STAGE_WON = 0, CS_STAGE_LOST = 1, CS_STAGE_OPEN = 2 };
enum cs_rm_status { CS_RM_SHIPPED = 0, CS_RM_COMMITTED, CS_RM_PLANNED,
                    CS_RM_EXPLORING, CS_RM_NOT_PLANNED };
enum cs_claim_kind { CS_CLAIM_AVAILABLE = 0, CS_CLAIM_COMING_SOON = 1 };

/* Plans, one entry per plan; tiers sorted by floor, floor of the first = 0. */
struct cs_plans {
    size_t n;
    uint32_t *id;            /* plan_id */
    uint8_t *period_type;    /* enum cs_period_type */
    double *quota;
    uint32_t *tier_first;    /* index of the plan's first tier in floor[]/rate[] */
    uint32_t *tier_count;
    size_t n_tiers;
    double *floor;
    double *rate;
};

struct cs_reps {
    size_t n;
    uint32_t *id, *name, *team, *role, *manager;
    uint32_t *plan;          /* plan index, CS_NONE when no plan_id */
    uint32_t *line;
};

struct cs_deals {
    size_t n;
    uint32_t *id;
    uint32_t *rep;           /* rep index */
    uint32_t *account;
    uint8_t *type;           /* enum cs_deal_type */
    uint32_t *product;
    double *amount;          /* NAN when blank (never for won deals) */
    double *discount_pct;    /* 0..100, NAN when blank */
    int32_t *created;
    int32_t *close;          /* never CS_NO_DATE for won/lost deals */
    uint8_t *stage;          /* enum cs_stage */
    uint32_t *line;
};

struct cs_quotas {
    size_t n;
    uint32_t *rep;
    int32_t *period;         /* period code (parse.h) */
    double *quota;
    uint32_t *line;
};

struct cs_spiffs {
    size_t n;
    uint32_t *id, *product;
    int32_t *start, *end;    /* inclusive */
    double *amount;          /* NAN when blank */
    uint32_t *line;
};

struct cs_commissions {
    size_t n;
    uint32_t *rep, *deal;
    int32_t *period;         /* CS_NO_PERIOD when blank */
    double *commission;
    uint32_t *line;
};

struct cs_roadmap {
    size_t n;
    uint32_t *id, *title;
    uint8_t *status;         /* enum cs_rm_status */
    int32_t *target, *shipped;
    uint32_t *line;
};

struct cs_promises {
    size_t n;
    uint32_t *id;
    uint32_t *deal;          /* deal index */
    uint32_t *feature;       /* roadmap index, CS_NONE when blank or unknown */
    uint32_t *feature_text;  /* the feature_id as given (0 = blank) */
    int32_t *promised, *due;
    uint32_t *text;
    uint32_t *line;
};

struct cs_collateral {
    size_t n;
    uint32_t *id, *title;
    uint32_t *owner;         /* rep index */
    uint32_t *campaign;
    int32_t *published;
    uint32_t *line;
};

struct cs_claims {
    size_t n;
    uint32_t *asset;         /* collateral index */
    uint32_t *feature;       /* roadmap index, CS_NONE when blank or unknown */
    uint32_t *feature_text;
    uint8_t *claim;          /* enum cs_claim_kind */
    uint32_t *text;
    uint32_t *line;
};

struct cs_targets {
    size_t n;
    uint32_t *owner;         /* rep index */
    int32_t *period;
    double *target, *actual;
    uint32_t *line;
};

/* One input row not used, and why. */
struct cs_reject {
    uint8_t table;           /* enum cs_table */
    uint32_t line;
    const char *column;      /* static column name, "" for the whole row */
    char *reason;            /* owned by the dataset */
};

struct cs_table_counts {
    bool present;            /* the file was found */
    uint64_t read, used, rejected;
};

struct cs_dataset {
    struct cs_strpool *str;
    struct cs_plans plans;
    struct cs_reps reps;
    struct cs_deals deals;
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
    char currency[8];            /* ISO 4217 code of every amount (the corporate currency);
                                    "" until the data say: cs_ds_currency() reads it */
};

struct cs_load_options {
    const char *dir;                 /* data directory */
    const struct cs_map *map;        /* may be NULL */
    enum cs_date_format date_format; /* default for files the map does not set */
    bool decimal_comma;
    size_t chunk_size;               /* 0 = 1 MiB */
    /* Called now and then while reading file (a display name such as
     * "deals.csv"); done/total in bytes over all files.  May be NULL. */
    void (*progress)(const char *file, uint64_t done, uint64_t total, void *ctx);
    void *progress_ctx;
    /* How a file is read; 0 = the default.  A file of at least
     * thread_min_size bytes (default 4 MiB; SIZE_MAX: never) is split on a
     * second thread, in batches of batch_rows rows (default and at most
     * 2048) and batch_text bytes of text (default 1 MiB), and parsed by
     * whichever thread is free, while this one loads the rows.  After the first batch of a file of at
     * least plan_min_size bytes (default 16 MiB, and a first batch of at
     * least 1024 rows), the loader reserves room in the string pool for
     * the rest of the import, and the second thread faults in the memory
     * the loader will fill while it waits for it.  The dataset is the same
     * either way; tests set tiny values to exercise the hand-over and the
     * planning ahead on small files (plan_min_size set: any first batch). */
    size_t thread_min_size;
    size_t batch_rows;
    size_t batch_text;
    size_t plan_min_size;
};

/*
 * Read every file of the data directory into a new dataset (*out, owned by
 * the caller, freed with cs_dataset_free).  Bad rows become rejects; a
 * missing required file or column or a malformed CSV is CS_ERR_INPUT with
 * err naming file and line, and *out is left NULL.
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
 * apply; out->id holds ds's string ids.  Plans of the file that ds does not
 * have are ignored and counted in *extra (may be NULL); a plan of ds that no
 * rep is on keeps its current tiers.  Errors, with *out empty:
 * CS_ERR_INPUT naming path (and line and column) for a file that cannot be
 * read, a bad row, or a plan that reps are on and the file does not define;
 * CS_ERR_NOMEM.  Release with cs_plans_free.
 */
enum cs_status cs_plans_load_alt(const char *path, const struct cs_dataset *ds,
                                 const struct cs_load_options *opt, struct cs_plans *out,
                                 size_t *extra, struct cs_error *err);

/* Free the arrays of a plans struct filled by cs_plans_load_alt; accepts NULL. */
void cs_plans_free(struct cs_plans *p);

/* The corporate currency every amount is in, for documents and plot axes:
 * the one place its default is kept. */
#define CS_DEFAULT_CURRENCY "USD"
static inline const char *cs_ds_currency(const struct cs_dataset *ds)
{
    return ds && ds->currency[0] ? ds->currency : CS_DEFAULT_CURRENCY;
}

/* Convenience: the string of an id in the dataset's pool. */
static inline const char *cs_ds_str(const struct cs_dataset *ds, uint32_t id)
{
    return cs_strpool_get(ds->str, id);
}

#endif
