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
#define MAX_EXCLUDES 16

struct batch;

/* The index of each column in a row of its table: DEALS_ID, DEALS_REP, ... */
#define COLUMN_INDEX(T, TAG, ...) T##_##TAG,
#define ROW_INDEXES(T, member, required)                                                 \
    enum { CS_COLUMNS_##T(COLUMN_INDEX, T) T##_COLUMNS };                                \
    _Static_assert(T##_COLUMNS <= MAX_COLS, #member ": more columns than a row holds");
CS_TABLES(ROW_INDEXES)

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
    const char *rej_kind;  /* the reject's kind (struct cs_reject) */
    size_t rej_msg;        /* and why: at this offset in its batch's msgs */
    struct cell *cell;     /* one per column of the table (NULL when excluded) */
    uint32_t nul_cols;     /* the columns whose text holds a NUL byte */
    uint32_t enc_cols;     /* the columns whose bytes are no text of the file's encoding */
    int excluded;          /* 0, EXCLUDED_FOOTER, or 1 + the exclude rule that matched */
    const char *excl_value;   /* that rule's value as the map lists it */
};

#define EXCLUDED_FOOTER (-1)

/*
 * What the parse of a file's rows noticed beyond the rows themselves, for
 * the date-format refusal and the hints (SPEC 12): per column, the failing
 * dates by the format they read in (CS_DATE_* + 1; 0: none) and the dates
 * that read only in the format chosen; the failing numbers, and those of
 * them the other decimal mark reads.  Counted per batch (either thread),
 * added up in file order by the loader; first_fail is the first failing
 * date's line and text.
 */
struct file_stats {
    uint64_t date_fail[MAX_COLS][4];
    uint64_t date_only_chosen[MAX_COLS];
    uint64_t number_fail[MAX_COLS], number_other_mark[MAX_COLS];
    unsigned long first_fail_line[MAX_COLS];
    char first_fail[MAX_COLS][40];
};

struct loader {
    const struct cs_load_options *opt;
    struct cs_load_tuning tune;        /* 0 = the default of tuning.h */
    struct cs_dataset *ds;
    struct cs_error *err;
    size_t reject_cap, excluded_cap;

    /* per file */
    const char *path_override;         /* read this path instead (what-if plans) */
    enum cs_table t;
    const struct cs_table_def *def;
    const char *name;                  /* display name: the file read, "deals.csv" */
    size_t file_index;                 /* of the table's files (`file = A, B`) */
    size_t src;                        /* its entry in ds->sources */
    int field_of[MAX_COLS];            /* schema column -> field index, -1 absent */
    const char *dflt[MAX_COLS];        /* map defaults */
    const char *blank[MAX_COLS];       /* COLUMN.blank */
    /* per column, bit c: */
    uint32_t mapped;                   /* the map has value lines for it */
    uint32_t skip;                     /* not parsed (stage, when is_won decides) */
    uint32_t required;                 /* a blank value is a reject */
    uint32_t use_dflt;                 /* absent, and its default stands in */
    uint32_t use_blank;                /* COLUMN.blank is set */
    uint32_t absent;                   /* blank in every row: none of the above, no field */
    uint32_t active;                   /* the others, parsed row by row */
    uint32_t rare;                     /* a default, or every column with a null marker */
    uint32_t lists;                    /* mapped or use_blank */
    bool stage_flags;                  /* deals: is_won (and is_closed) decide the stage */
    enum cs_date_format date_format;
    bool decimal_comma;
    int encoding;                      /* CS_ENC_AUTO, UTF8, WINDOWS_1252, ISO_8859_1 */
    int delimiter;                     /* for csvread: CS_CSV_DELIM_AUTO or the byte */
    bool escape;
    const char *null_text;             /* `null =`, or NULL */
    size_t null_len;
    size_t n_excl;                     /* exclude.HEADER rules, and their fields (-1 absent) */
    int excl_field[MAX_EXCLUDES];
    size_t header_fields;              /* fields of the header row (or `header =` names) */
    bool header_done;
    bool failed;
    bool header_utf8;                  /* auto: a header read was UTF-8 beyond ASCII */
    bool restart;                      /* auto: the file was not UTF-8 after all, reread */
    bool reread;                       /* this is that second reading */
    uint64_t force_cp1252[CS_T_COUNT]; /* files to read as Windows-1252 (bit: file index) */
    struct file_stats stats;           /* of the file being read */
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

    /* SPEC 13 (credit.c): splits.csv will be read; the won deals kept
     * until it is, for lack of a plan on their close date (rows, in
     * order); quotas.csv's rows with a plan_id, chained by (rep, period) */
    bool splits_ahead;
    uint32_t *provisional;
    size_t n_provisional, cap_provisional;
    struct cs_keyindex *named_quota;
    uint32_t *named_next;
    size_t cap_named;

    /* currencies (currency.c): NULL until a file needs them */
    struct cs_currency *cur;

    /* plans.csv rows, before they are grouped into plans */
    struct plan_rows {
        size_t n;
        CS_COLUMNS_PLANS(CS_PLAN_ROW_FIELD, PLANS)
        uint32_t *line;
        uint32_t *src;                 /* the source (file) of the row */
    } prow;

    /* reps rejected, for the teams and plans their deals miss (rows.c) */
    struct rejected_rep {
        char *id, *team, *plan;
    } *rejected_reps;
    size_t n_rejected_reps, cap_rejected_reps;
    struct cs_columns prow_cols;

    struct cs_columns cols[CS_T_COUNT];
};

/* Fail with CS_ERR_NOMEM in L->err (naming the file); returns the status. */
enum cs_status cs_load_oom(struct loader *L);

/* The cells of a row attributed to a plan and a team for the report's
 * warning (rows.c): called on every rejected row that has its cells. */
int cs_rows_attribute(struct loader *L, const struct cell *c);

/* ---- loader.c ---- */

/* Read path, of size bytes, into the dataset: table L->t, set up by the
 * caller.  The first error in file order: the loader's (out of memory)
 * or the reader's (the CSV, the header). */
enum cs_status cs_load_file(struct loader *L, const char *path, off_t size);

/* Free the reader's batches (kept from one file to the next). */
void cs_load_batches_free(struct loader *L);

/* ---- cells.c ---- */

/* The file's settings from the map and the options (SPEC 12 precedence):
 * encoding, delimiter, escape, null, date format, decimal mark. */
void cs_cells_settings(struct loader *L);

/* Match the header record (or the `header =` names) against the table's
 * columns (and the map): fills L->field_of, dflt, blank, mapped, skip,
 * required, excl_field and the source's headers.  0, or -1 with err set
 * (a required column is missing; CS_ERR_NOMEM). */
int cs_cells_header(struct loader *L, const struct cs_csv_record *rec, struct cs_error *err);

/*
 * Parse every schema column of a record, whose text the reader put in
 * pr->cell[c].s and .len, into pr->cell.  Returns 0 when the row may go
 * on, or 1 with pr->rej_col, pr->rej_kind and msg saying why it is
 * rejected.  Reads only the file's settings in L, never the dataset:
 * either thread runs it while the loader appends earlier rows; what it
 * notices for the hints goes to *st (the batch's).  utf8: every cell's
 * text is known to be valid UTF-8 (the reader checked its batch whole).
 */
int cs_cells_parse(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG],
                   struct file_stats *st, bool utf8);

/* ---- rows.c ---- */

/* Record a rejected row of table t, of the file being read; reason is
 * formatted, and fmt is its kind (struct cs_reject).  0, or -1 on OOM. */
int cs_load_reject(struct loader *L, enum cs_table t, unsigned long line, const char *column,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The same with a reason already written, of kind kind (NULL: by text), of
 * source src. */
int cs_load_reject_msg(struct loader *L, enum cs_table t, size_t src, unsigned long line,
                       const char *column, const char *kind, const char *reason);

/* Record an excluded row of the file being read.  0, or -1 on OOM. */
int cs_load_excluded(struct loader *L, unsigned long line, const struct parsed *pr);

/* Check a parsed row of table L->t against its file's rules and append it:
 * 0 (used), 1 (rejected) or -1 (out of memory). */
int cs_rows_load(struct loader *L, struct cell *c, unsigned long line);

/* Group plans.csv's rows into plans (rejecting what does not fit). */
enum cs_status cs_rows_build_plans(struct loader *L);

/* ---- credit.c (SPEC 13) ---- */

/* Keep deal row until splits.csv says whether it is credited.  0, or -1 on OOM. */
int cs_credit_provisional(struct loader *L, uint32_t row);

/* The row of quotas.csv with plan_id plan for (rep, period) key
 * (cs_key_pair), CS_NONE when none; and enter one.  0, or -1 on OOM. */
uint32_t cs_credit_named_quota(const struct loader *L, uint64_t key, uint32_t plan);
int cs_credit_put_named_quota(struct loader *L, uint64_t key, uint32_t row);

/* After table t is read: assignments.csv's overlaps rejected and its rows
 * sorted; after splits.csv, the won deals no credit row holds rejected. */
enum cs_status cs_credit_after_table(struct loader *L, enum cs_table t);

/* Free what credit.c holds in L. */
void cs_credit_release(struct loader *L);

#endif
