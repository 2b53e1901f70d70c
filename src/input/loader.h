/* loader.h - the importer's state, shared by its files: cells, rows, the loader. */
#ifndef COMPSIGHT_INPUT_LOADER_H
#define COMPSIGHT_INPUT_LOADER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "csvread.h"
#include "keyindex.h"
#include "tuning.h"
#include "compsight/dataset.h"
#include "compsight/mem.h"

/*
 * How the importer's files share the work (see docs/ARCHITECTURE.md):
 *   dataset.c  the entry points: every file in turn, or one alternative plans file;
 *   loader.c   one file: the reader thread, batches of rows, parse, load;
 *   cells.c    the header, and a row's cells parsed by the column's kind;
 *   rows.c     the rules of every file's rows (rejects), and appending a row;
 *   currency.c rates.csv as a whole, and amounts converted as rows load;
 *   keyindex.c the unique keys, columns.c the arrays.
 */

#define MAX_COLS 16
#define REJECT_MSG 512

struct batch;

/* A field of struct plan_rows: one value a plans.csv row. */
#define CS_PLAN_ROW_FIELD(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) \
    CS_CTYPE_##KIND *field;

/* One cell of a record: its text as read, then after the column-kind parse. */
struct cell {
    /* str.s: its str.len bytes, as read, then trimmed (no NUL at len);
     * str.hash: their pool hash (ID and TEXT kinds, set by cs_cells_parse);
     * str.id: their string id once looked up or interned, else 0 */
    struct cs_strpool_key str;
    double num;        /* CS_K_NUMBER / CS_K_PERCENT */
    int32_t day;       /* CS_K_DATE, CS_NO_DATE when blank */
    int32_t period;    /* CS_K_PERIOD, CS_NO_PERIOD when blank */
    int en;            /* CS_K_ENUM, -1 when blank */
    uint16_t code;     /* CS_K_CURRENCY (cs_currency_code), 0 when blank */
    bool blank;
    bool hashed;       /* str.hash is set */
};

/* One record: its cells' text as read, then after cs_cells_parse. */
struct parsed {
    unsigned long line;
    const char *rej_col;   /* NULL: the row parsed; else the column it is rejected on */
    size_t rej_msg;        /* and why: at this offset in its batch's msgs */
    struct cell *cell;     /* one per column of the table */
};

struct loader {
    const struct cs_load_options *opt;
    struct cs_load_tuning tune;        /* 0 = the default of tuning.h */
    struct cs_dataset *ds;
    struct cs_error *err;
    size_t reject_cap;

    /* per file */
    const char *path_override;         /* read this path instead (what-if plans) */
    enum cs_table t;
    const struct cs_table_def *def;
    const char *name;                  /* display name: "deals.csv" */
    int field_of[MAX_COLS];            /* schema column -> field index, -1 absent */
    const char *dflt[MAX_COLS];        /* map defaults */
    bool mapped[MAX_COLS];             /* the map has value lines for the column */
    enum cs_date_format date_format;
    bool decimal_comma;
    bool header_done;
    bool failed;
    uint64_t bytes_before, bytes_total;
    uint64_t file_size;
    bool sized;                        /* the string pool was sized for this file */
    /* the key index each column refers to (a reference to another
     * table's key: deals' rep_id, ...), NULL for the others */
    struct cs_keyindex *ref_key[MAX_COLS];

    /* the reader's batches, kept from one file to the next */
    struct batch *batch[CS_N_BATCHES];

    /* Memory the loader is about to write for the first time, which the
     * reader faults in while it waits for a batch (loader.c, hand_over).
     * Guarded by pf_mu, the reader's mutex; NULL when not threaded. */
    pthread_mutex_t *pf_mu;
    struct cs_span pf[CS_MAX_PREFAULT];
    size_t n_pf;

    /* the unique key of each table (quotas and targets: (rep, period)
     * pairs; NULL for commissions and claims, which have none) */
    struct cs_keyindex *key[CS_T_COUNT];

    /* currencies (currency.c): NULL until a file needs them */
    struct cs_currency *cur;

    /* plans.csv rows, before they are grouped into plans */
    struct plan_rows {
        size_t n;
        CS_COLUMNS_PLANS(CS_PLAN_ROW_FIELD, PLANS)
        uint32_t *line;
    } prow;
    struct cs_columns prow_cols;

    struct cs_columns cols[CS_T_COUNT];
};

/* Fail with CS_ERR_NOMEM in L->err (naming the file); returns the status. */
enum cs_status cs_load_oom(struct loader *L);

/* ---- loader.c ---- */

/* Read path, of size bytes, into the dataset: table L->t, set up by the
 * caller.  The first error in file order: the loader's (out of memory)
 * or the reader's (the CSV, the header). */
enum cs_status cs_load_file(struct loader *L, const char *path, off_t size);

/* Free the reader's batches (kept from one file to the next). */
void cs_load_batches_free(struct loader *L);

/* ---- cells.c ---- */

/* Match the header record against the table's columns (and the map):
 * fills L->field_of, dflt, mapped.  0, or -1 with err set (a required
 * column is missing). */
int cs_cells_header(struct loader *L, const struct cs_csv_record *rec, struct cs_error *err);

/*
 * Parse every schema column of a record, whose text the reader put in
 * pr->cell[c].s and .len, into pr->cell.  Returns 0 when the row may go
 * on, or 1 with pr->rej_col and msg saying why it is rejected.  Reads only
 * the file's settings in L, never the dataset: either thread runs it while
 * the loader appends earlier rows.
 */
int cs_cells_parse(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG]);

/* ---- rows.c ---- */

/* Record a rejected row of table t; reason is formatted.  0, or -1 on OOM. */
int cs_load_reject(struct loader *L, enum cs_table t, unsigned long line, const char *column,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check a parsed row of table L->t against its file's rules and append it:
 * 0 (used), 1 (rejected) or -1 (out of memory). */
int cs_rows_load(struct loader *L, struct cell *c, unsigned long line);

/* Group plans.csv's rows into plans (rejecting what does not fit). */
enum cs_status cs_rows_build_plans(struct loader *L);

#endif
