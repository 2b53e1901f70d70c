/* dataset.c - the importer: eleven CSV files into column arrays, every bad row a reject. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csvread.h"
#include "compsight/dataset.h"
#include "compsight/mem.h"

/* ------------------------------------------------------------------------
 * Growable column arrays
 *
 * A table is a set of parallel arrays; they grow together so that row i is
 * always valid in every one of them.
 * --------------------------------------------------------------------- */

struct colspec {
    void **ptr;
    size_t size;
};

struct columns {
    struct colspec spec[16];
    size_t n_spec;
    size_t *n;       /* the table's row count */
    size_t cap;
    size_t first;    /* capacity of the first allocation (0: 1024) */
};

static void columns_add(struct columns *c, void *ptr, size_t size)
{
    c->spec[c->n_spec].ptr = ptr;
    c->spec[c->n_spec].size = size;
    c->n_spec++;
}

#define ADD(c, field) columns_add((c), &(field), sizeof *(field))

/* Make room for one more row; 0 or -1 on OOM. */
static int columns_reserve(struct columns *c)
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

/* Give back the slack of the last doubling. */
static void columns_shrink(struct columns *c)
{
    size_t n = *c->n ? *c->n : 1;
    for (size_t i = 0; i < c->n_spec; i++) {
        void *p = realloc(*c->spec[i].ptr, n * c->spec[i].size);
        if (p)
            *c->spec[i].ptr = p;
    }
    c->cap = n;
}

static void columns_free(struct columns *c)
{
    for (size_t i = 0; i < c->n_spec; i++) {
        free(*c->spec[i].ptr);
        *c->spec[i].ptr = NULL;
    }
}

/* ------------------------------------------------------------------------
 * Key index: string id -> row, for the tables with a unique key
 * --------------------------------------------------------------------- */

struct keyindex {
    uint64_t *key;   /* string id (or a composite key), 0 = empty slot */
    uint32_t *row;
    size_t mask, count;
    /* Dense mode, for the big tables (deals, promises): row[] indexed by
     * the string id less base, the table's first id.  Their ids are
     * interned in row order, so references that come in file order read
     * the array nearly in order instead of probing a hash table at random;
     * base spares it the ids of the tables loaded before (a quarter of
     * the array, for promises). */
    bool dense;
    size_t base, cap;
    /* References found by their text (find_key) rather than through the
     * string pool, whose table is large and read at random: at 10M deals
     * each lookup there missed the TLB, and the loader spent half its
     * time on them.  Set for the keys that big files refer to: ids and
     * rows are the table's id column and row count.
     * - dense (deals): a reference is first looked for near the row found
     *   last, by the hashes of its keys (hash), since promises are listed
     *   in deal order and commissions by rep, each rep's deals close
     *   together;
     * - else (reps): a table of its own, slots hash << 32 | row + 1, as
     *   small as the table's rows. */
    uint32_t *const *ids;
    const size_t *rows;
    const struct cs_strpool *pool;
    uint64_t *text;
    size_t text_mask, text_count;
    uint32_t *hash;
    size_t hash_cap, last;
    /* How well the guesses go: the guesses and misses of the current
     * window of GUESS_WINDOW, and whether the last window missed more
     * than a quarter (poor: references in no useful order), when only
     * one lookup in GUESS_SAMPLE guesses, to see whether that changes. */
    unsigned tries, misses, lookups;
    bool poor;
};

static size_t key_slot(uint64_t key, size_t mask)
{
    key *= 0x9e3779b97f4a7c15ull;
    return (size_t)(key >> 32) & mask;
}

static uint32_t keyindex_get(const struct keyindex *k, uint64_t key)
{
    if (k->dense)
        return key >= k->base && key - k->base < k->cap ? k->row[key - k->base] : CS_NONE;
    if (!k->key || key == 0)
        return CS_NONE;
    size_t i = key_slot(key, k->mask);
    while (k->key[i]) {
        if (k->key[i] == key)
            return k->row[i];
        i = (i + 1) & k->mask;
    }
    return CS_NONE;
}

/* Whether pool string id holds the n bytes at s. */
static bool same_text(const struct cs_strpool *pool, uint32_t id, const char *s, size_t n)
{
    return cs_strpool_len(pool, id) == n && memcmp(cs_strpool_get(pool, id), s, n) == 0;
}

/* The pool hash of string id. */
static uint32_t id_hash(const struct cs_strpool *pool, uint32_t id)
{
    return cs_strpool_hash(cs_strpool_get(pool, id), cs_strpool_len(pool, id));
}

/* The row of the text table's key with these bytes and hash, CS_NONE when none. */
static uint32_t text_get(const struct keyindex *k, const char *s, size_t n, uint32_t hash)
{
    if (!k->text)
        return CS_NONE;
    for (size_t i = hash & k->text_mask; k->text[i]; i = (i + 1) & k->text_mask) {
        uint64_t e = k->text[i];
        uint32_t row = (uint32_t)e - 1;
        if ((uint32_t)(e >> 32) == hash && same_text(k->pool, (*k->ids)[row], s, n))
            return row;
    }
    return CS_NONE;
}

/* Enter string id key's row in the text table.  0, or -1 on OOM. */
static int text_put(struct keyindex *k, uint64_t key, uint32_t row)
{
    if ((k->text_count + 1) * 2 > k->text_mask + 1 || !k->text) {
        size_t size = k->text ? (k->text_mask + 1) * 2 : 1024;
        uint64_t *t = cs_calloc_big(size, sizeof *t);
        if (!t)
            return -1;
        for (size_t j = 0; k->text && j <= k->text_mask; j++) {
            if (!k->text[j])
                continue;
            size_t i = (uint32_t)(k->text[j] >> 32) & (size - 1);
            while (t[i])
                i = (i + 1) & (size - 1);
            t[i] = k->text[j];
        }
        free(k->text);
        k->text = t;
        k->text_mask = size - 1;
    }
    uint32_t hash = id_hash(k->pool, (uint32_t)key);
    size_t i = hash & k->text_mask;
    while (k->text[i] && (*k->ids)[(uint32_t)k->text[i] - 1] != key)
        i = (i + 1) & k->text_mask;
    k->text_count += !k->text[i];
    k->text[i] = (uint64_t)hash << 32 | (row + 1);
    return 0;
}

/* Record the hash of row's key, for guess_row.  0, or -1 on OOM. */
static int hash_put(struct keyindex *k, uint64_t key, uint32_t row)
{
    if (row >= k->hash_cap) {
        size_t cap = k->hash_cap ? k->hash_cap * 2 : 4096;
        while (cap <= row)
            cap *= 2;
        uint32_t *h = cs_realloc_big(k->hash, cap, sizeof *h);
        if (!h)
            return -1;
        k->hash = h;
        k->hash_cap = cap;
    }
    k->hash[row] = id_hash(k->pool, (uint32_t)key);
    return 0;
}

static int keyindex_put(struct keyindex *k, uint64_t key, uint32_t row)
{
    if (k->ids && (k->dense ? hash_put(k, key, row) : text_put(k, key, row)) != 0)
        return -1;
    if (k->dense) {
        if (!k->cap)
            k->base = key;
        if (key < k->base) {
            /* An id interned before the first key (the same text came
             * earlier in another column): the array grows at the front. */
            size_t shift = k->base - key, cap = k->cap * 2;
            while (cap < k->cap + shift)
                cap *= 2;
            uint32_t *r = cs_malloc_big(cap, sizeof *r);
            if (!r)
                return -1;
            memset(r, 0xff, shift * sizeof *r);   /* CS_NONE */
            memcpy(r + shift, k->row, k->cap * sizeof *r);
            memset(r + shift + k->cap, 0xff, (cap - shift - k->cap) * sizeof *r);
            free(k->row);
            k->row = r;
            k->cap = cap;
            k->base = key;
        } else if (key - k->base >= k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 4096;
            while (cap <= key - k->base)
                cap *= 2;
            uint32_t *r = cs_realloc_big(k->row, cap, sizeof *r);
            if (!r)
                return -1;
            memset(r + k->cap, 0xff, (cap - k->cap) * sizeof *r);   /* CS_NONE */
            k->row = r;
            k->cap = cap;
        }
        k->row[key - k->base] = row;
        return 0;
    }
    if (!k->key || (k->count + 1) * 2 > k->mask + 1) {
        size_t size = k->key ? (k->mask + 1) * 2 : 1024;
        uint64_t *nk = cs_calloc_big(size, sizeof *nk);
        uint32_t *nr = cs_malloc_big(size, sizeof *nr);
        if (!nk || !nr) {
            free(nk);
            free(nr);
            return -1;
        }
        for (size_t j = 0; k->key && j <= k->mask; j++) {
            if (!k->key[j])
                continue;
            size_t i = key_slot(k->key[j], size - 1);
            while (nk[i])
                i = (i + 1) & (size - 1);
            nk[i] = k->key[j];
            nr[i] = k->row[j];
        }
        free(k->key);
        free(k->row);
        k->key = nk;
        k->row = nr;
        k->mask = size - 1;
    }
    size_t i = key_slot(key, k->mask);
    while (k->key[i]) {
        if (k->key[i] == key) {
            k->row[i] = row;
            return 0;
        }
        i = (i + 1) & k->mask;
    }
    k->key[i] = key;
    k->row[i] = row;
    k->count++;
    return 0;
}

/* A non-zero key for a (row, period) pair. */
static uint64_t pair_key(uint32_t row, int32_t period)
{
    return ((uint64_t)row + 1) << 32 | (uint32_t)period;
}

static void keyindex_free(struct keyindex *k)
{
    free(k->key);
    free(k->row);
    free(k->text);
    free(k->hash);
    bool dense = k->dense;
    memset(k, 0, sizeof *k);
    k->dense = dense;
}

/* ------------------------------------------------------------------------
 * Load state
 * --------------------------------------------------------------------- */

#define MAX_COLS 16

/* The reader's batches (see read_and_load). */
#define BATCH_ROWS 2048
#define BATCH_TEXT ((size_t)1 << 20)
/* Up to three batches filled ahead of the one being loaded: with two, the
 * reader and the loader took turns, each waking the other at every batch,
 * and a 10M-deal import took 12.3 s instead of 9.4 s (medians of three
 * runs in turn; 8 batches: no faster). */
#define N_BATCHES 4
#define PREFETCH_AHEAD 8
/* Spans waiting to be faulted in, and how much the reader faults in
 * before it looks at its batches again (one huge page: about 4 ms here). */
#define MAX_PREFAULT 32
#define PREFAULT_STEP ((size_t)2 << 20)
#define THREADED_FILE_SIZE ((size_t)4 << 20)
/* Files after whose first batch the import plans ahead (plan_ahead). */
#define PLAN_MIN_SIZE ((size_t)16 << 20)
struct batch;

/* One cell of a record: its text as read, then after the column-kind parse. */
struct cell {
    const char *s;     /* its len bytes: as read, then trimmed (no NUL at len) */
    size_t len;
    double num;        /* CS_K_NUMBER / CS_K_PERCENT */
    int32_t day;       /* CS_K_DATE, CS_NO_DATE when blank */
    int32_t period;    /* CS_K_PERIOD, CS_NO_PERIOD when blank */
    int en;            /* CS_K_ENUM, -1 when blank */
    uint32_t str;      /* interned id of s (ID and TEXT kinds) */
    uint32_t hash;     /* its pool hash, computed by parse_cells */
    bool blank;
    bool hashed;       /* hash is set */
};

/* One record: its cells' text as read, then after parse_cells. */
#define REJECT_MSG 512
struct parsed {
    unsigned long line;
    const char *rej_col;   /* NULL: the row parsed; else the column it is rejected on */
    size_t rej_msg;        /* and why: at this offset in its batch's msgs */
    struct cell *cell;     /* one per column of the table */
};

struct loader {
    const struct cs_load_options *opt;
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
    uint32_t by_text;                  /* bit c: find_key resolves column c by its text */
    uint32_t guessed;                  /* the ones of them it guesses (deal_id) */

    /* the reader's batches, kept from one file to the next */
    struct batch *batch[N_BATCHES];

    /* Memory the loader is about to write for the first time, which the
     * reader faults in while it waits for a batch (see hand_over).
     * Guarded by pf_mu, the reader's mutex; NULL when not threaded. */
    pthread_mutex_t *pf_mu;
    struct cs_span pf[MAX_PREFAULT];
    size_t n_pf;

    /* key indexes */
    struct keyindex plan_key, rep_key, deal_key, feature_key, asset_key;
    struct keyindex promise_key, spiff_key;
    struct keyindex quota_key, target_key;   /* (rep, period) pairs */

    /* plans.csv rows, before they are grouped into plans */
    struct {
        size_t n;
        uint32_t *plan, *line;
        uint8_t *period_type, *dead;
        double *quota, *floor, *rate;
    } prow;
    struct columns prow_cols;

    struct columns cols[CS_T_COUNT];
};

static enum cs_status oom(struct loader *L)
{
    L->failed = true;
    return cs_error_set(L->err, CS_ERR_NOMEM, L->name, 0, NULL, "out of memory");
}

/* Record a rejected row; reason is formatted.  Returns 0, or -1 on OOM. */
static int reject(struct loader *L, enum cs_table t, unsigned long line,
                  const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int reject(struct loader *L, enum cs_table t, unsigned long line,
                  const char *column, const char *fmt, ...)
{
    struct cs_dataset *ds = L->ds;
    if (ds->n_rejects == L->reject_cap) {
        size_t cap = L->reject_cap ? L->reject_cap * 2 : 64;
        struct cs_reject *r = realloc(ds->rejects, cap * sizeof *r);
        if (!r)
            return -1;
        ds->rejects = r;
        L->reject_cap = cap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *reason = strdup(buf);
    if (!reason)
        return -1;
    struct cs_reject *r = &ds->rejects[ds->n_rejects++];
    r->table = (uint8_t)t;
    r->line = (uint32_t)line;
    r->column = column ? column : "";
    r->reason = reason;
    ds->counts[t].rejected++;
    return 0;
}

/* ------------------------------------------------------------------------
 * Header
 * --------------------------------------------------------------------- */

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool header_eq(const char *s, size_t len, const char *name)
{
    trim(&s, &len);
    return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

static int take_header(struct loader *L, const struct cs_csv_record *rec, struct cs_error *err)
{
    const struct cs_map *map = L->opt->map;
    char quoted[128];
    for (size_t c = 0; c < L->def->n_columns; c++) {
        const struct cs_column_def *col = &L->def->columns[c];
        const char *want = cs_map_header(map, L->t, (int)c);
        if (!want)
            want = col->name;
        L->field_of[c] = -1;
        for (size_t f = 0; f < rec->n; f++) {
            if (header_eq(rec->field[f], rec->len[f], want)) {
                L->field_of[c] = (int)f;
                break;
            }
        }
        L->dflt[c] = cs_map_default(map, L->t, (int)c);
        L->mapped[c] = cs_map_has_values(map, L->t, (int)c);
        if (L->field_of[c] < 0 && col->required && !L->dflt[c]) {
            cs_quote_bytes(quoted, sizeof quoted, want, strlen(want));
            cs_error_set(err, CS_ERR_INPUT, L->name, rec->line, NULL,
                         "required column %s is missing from the header", quoted);
            return -1;
        }
    }
    L->header_done = true;
    return 0;
}

/* ------------------------------------------------------------------------
 * Cells: map, trim, check UTF-8, parse by kind
 * --------------------------------------------------------------------- */

static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int parse_reject(struct parsed *pr, char msg[REJECT_MSG], const char *column,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, REJECT_MSG, fmt, ap);
    va_end(ap);
    pr->rej_col = column;
    return 1;
}

/*
 * Parse every schema column of a record, whose text on_record put in
 * pr->cell[c].s and .len, into pr->cell.  Returns 0 when the row may go
 * on, or 1 with pr->rej_col and msg saying why it is rejected.  Reads only
 * the file's settings in L, never the dataset: either thread runs it while
 * the loader appends earlier rows (see parse_batch).
 */
static int parse_cells(const struct loader *L, struct parsed *pr, char msg[REJECT_MSG])
{
    pr->rej_col = NULL;
    const struct cs_map *map = L->opt->map;
    char q[128];
    for (size_t c = 0; c < L->def->n_columns; c++) {
        const struct cs_column_def *col = &L->def->columns[c];
        struct cell *cell = &pr->cell[c];
        int f = L->field_of[c];
        const char *s = cell->s;
        size_t len = cell->len;
        trim(&s, &len);
        /* SPEC 3: a default stands in for a column the export does not
         * have; a blank cell of a column it has stays blank. */
        if (f < 0 && L->dflt[c]) {
            s = L->dflt[c];
            len = strlen(s);
        }
        if (len && !cs_utf8_valid(s, len))
            return parse_reject(pr, msg, col->name, "invalid UTF-8");
        if (len && L->mapped[c]) {
            const char *mapped = cs_map_value(map, L->t, (int)c, s, len);
            if (mapped) {
                s = mapped;
                len = strlen(s);
            }
        }
        cell->s = s;
        cell->len = len;
        cell->blank = len == 0;
        cell->num = NAN;
        cell->day = CS_NO_DATE;
        cell->period = CS_NO_PERIOD;
        cell->en = -1;
        cell->str = 0;
        cell->hashed = false;
        if (cell->blank) {
            if (col->required)
                return parse_reject(pr, msg, col->name, "required value is missing");
            continue;
        }
        switch (col->kind) {
        case CS_K_ID:
        case CS_K_TEXT:
            /* Interned later, once the row is known to be good: a rejected
             * row must not grow the string pool.  The prefetch lets the
             * row's lookups miss the cache at the same time. */
            cell->hash = cs_strpool_hash(s, len);
            cell->hashed = true;
            break;
        case CS_K_NUMBER:
        case CS_K_PERCENT:
            if (!cs_parse_number(s, len, L->decimal_comma, col->kind == CS_K_PERCENT, &cell->num))
                return parse_reject(pr, msg, col->name, "not a number: %s",
                              cs_quote_bytes(q, sizeof q, s, len));
            break;
        case CS_K_DATE:
            if (!cs_parse_date(s, len, L->date_format, &cell->day))
                return parse_reject(pr, msg, col->name, "not a date (%s): %s",
                              L->date_format == CS_DATE_US ? "expected M/D/YYYY"
                              : L->date_format == CS_DATE_EU ? "expected D/M/YYYY or D.M.YYYY"
                                                              : "expected YYYY-MM-DD",
                              cs_quote_bytes(q, sizeof q, s, len));
            break;
        case CS_K_PERIOD:
            if (!cs_parse_period(s, len, &cell->period))
                return parse_reject(pr, msg, col->name,
                              "not a period label (expected e.g. 2026Q3 or 2026): %s",
                              cs_quote_bytes(q, sizeof q, s, len));
            break;
        case CS_K_ENUM:
            cell->en = cs_schema_enum_value(L->t, (int)c, s, len);
            if (cell->en < 0) {
                char expected[160] = "";
                size_t o = 0;
                for (int v = 0; col->enum_values[v]; v++)
                    o += (size_t)snprintf(expected + o, sizeof expected - o, "%s%s",
                                          v ? ", " : "", col->enum_values[v]);
                return parse_reject(pr, msg, col->name, "unknown value %s (expected %s)",
                              cs_quote_bytes(q, sizeof q, s, len), expected);
            }
            break;
        }
    }
    return 0;
}

/* Intern a cell's text (ID and TEXT kinds). */
static int intern(struct loader *L, struct cell *cell)
{
    if (cell->blank || cell->str)
        return 0;
    if (!cell->hashed)
        return cs_strpool_intern(L->ds->str, cell->s, cell->len, &cell->str);
    return cs_strpool_intern_hashed(L->ds->str, cell->s, cell->len, cell->hash, &cell->str);
}

/* How far from the row found last guess_row looks, before and after.
 * In the generated commissions.csv, 99.99% of the references are within
 * 64 rows of the one before; in promises.csv, 99% are the same deal or
 * the next one.  When the guesses go poorly (a file in another order: by
 * date, say), only one lookup in GUESS_SAMPLE guesses, and the loader
 * prefetches the pool's slots for the column again (see load_batch): on
 * 1M deals with promises and commissions shuffled, guessing every time
 * and without the prefetches made the import 1.6 times slower. */
#define GUESS_BACK 64
#define GUESS_AHEAD 64
#define GUESS_WINDOW 4096
#define GUESS_SAMPLE 64

/* The row of a dense key near the one found last whose key is the
 * cell's, by the rows' hashes; CS_NONE when none is.  Forward first. */
static uint32_t guess_row(const struct keyindex *k, const struct cell *cell, uint32_t hash)
{
    const uint32_t *ids = *k->ids;
    size_t n = *k->rows, lo = k->last > GUESS_BACK ? k->last - GUESS_BACK : 0;
    size_t hi = n - k->last > GUESS_AHEAD ? k->last + GUESS_AHEAD : n;
    for (size_t r = k->last; r < hi; r++)
        if (k->hash[r] == hash && same_text(k->pool, ids[r], cell->s, cell->len))
            return (uint32_t)r;
    for (size_t r = lo; r < k->last && r < n; r++)
        if (k->hash[r] == hash && same_text(k->pool, ids[r], cell->s, cell->len))
            return (uint32_t)r;
    return CS_NONE;
}

/* Row index of an already-loaded key, CS_NONE when unknown or blank. */
static uint32_t find_key(struct loader *L, struct keyindex *k, const struct cell *cell)
{
    if (cell->blank)
        return CS_NONE;
    uint32_t hash = cell->hashed ? cell->hash : cs_strpool_hash(cell->s, cell->len);
    if (k->ids && !k->dense)
        return text_get(k, cell->s, cell->len, hash);
    if (k->ids && (!k->poor || k->lookups++ % GUESS_SAMPLE == 0)) {
        uint32_t r = guess_row(k, cell, hash);
        k->misses += r == CS_NONE;
        if (++k->tries == GUESS_WINDOW) {
            k->poor = k->misses > GUESS_WINDOW / 4;
            k->tries = k->misses = 0;
        }
        if (r != CS_NONE)
            return (uint32_t)(k->last = r);
    }
    uint32_t id = cs_strpool_find_hashed(L->ds->str, cell->s, cell->len, hash);
    uint32_t row = id ? keyindex_get(k, id) : CS_NONE;
    if (row != CS_NONE)
        k->last = row;
    return row;
}

#define REJECT(col, ...) return reject(L, L->t, line, (col), __VA_ARGS__) ? -1 : 1
#define QUOTE(cell) cs_quote_bytes(q, sizeof q, (cell)->s, (cell)->len)
#define CHECK(x) do { if ((x) != 0) return -1; } while (0)

/* Reject a row whose unique key was already seen. */
static int unique_key(struct loader *L, struct keyindex *k, struct cell *cell,
                      const uint32_t *lines, const char *column, unsigned long line)
{
    char q[128];
    /* Interning first costs one hash lookup instead of two for the common
     * case of a new key; a rejected row leaves its id in the pool, which is
     * harmless. */
    if (intern(L, cell) != 0)
        return -1;
    uint32_t prev = keyindex_get(k, cell->str);
    if (prev != CS_NONE)
        REJECT(column, "duplicate %s %s (first on line %u)", column, QUOTE(cell), lines[prev]);
    return 0;
}

/* ------------------------------------------------------------------------
 * One handler per table: validate the parsed cells, then append the row.
 * Each returns 0 (used), 1 (rejected) or -1 (out of memory).
 * --------------------------------------------------------------------- */

static int row_plans(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, PTYPE, QUOTA, FLOOR, RATE };
    char q[128];
    if (!(c[QUOTA].num > 0))
        REJECT("quota", "must be greater than 0: %s", QUOTE(&c[QUOTA]));
    if (!(c[FLOOR].num >= 0))
        REJECT("tier_floor", "must be 0 or more: %s", QUOTE(&c[FLOOR]));
    if (!(c[RATE].num >= 0))
        REJECT("rate", "must be 0 or more: %s", QUOTE(&c[RATE]));
    CHECK(intern(L, &c[ID]));
    CHECK(columns_reserve(&L->prow_cols));
    size_t i = L->prow.n++;
    L->prow.plan[i] = c[ID].str;
    L->prow.line[i] = (uint32_t)line;
    L->prow.period_type[i] = (uint8_t)c[PTYPE].en;
    L->prow.dead[i] = 0;
    L->prow.quota[i] = c[QUOTA].num;
    L->prow.floor[i] = c[FLOOR].num;
    L->prow.rate[i] = c[RATE].num;
    return 0;
}

static int row_reps(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, NAME, TEAM, ROLE, PLAN, MANAGER };
    struct cs_reps *r = &L->ds->reps;
    char q[128];
    int u = unique_key(L, &L->rep_key, &c[ID], r->line, "rep_id", line);
    if (u)
        return u;
    uint32_t plan = CS_NONE;
    if (!c[PLAN].blank) {
        plan = find_key(L, &L->plan_key, &c[PLAN]);
        if (plan == CS_NONE)
            REJECT("plan_id", "unknown plan_id %s (not in plans.csv, or the plan was rejected)",
                   QUOTE(&c[PLAN]));
    }
    for (int k = 0; k <= MANAGER; k++)
        CHECK(intern(L, &c[k]));
    CHECK(columns_reserve(&L->cols[CS_T_REPS]));
    size_t i = r->n++;
    r->id[i] = c[ID].str;
    r->name[i] = c[NAME].str;
    r->team[i] = c[TEAM].str;
    r->role[i] = c[ROLE].str;
    r->manager[i] = c[MANAGER].str;
    r->plan[i] = plan;
    r->line[i] = (uint32_t)line;
    return keyindex_put(&L->rep_key, c[ID].str, (uint32_t)i);
}

static int row_deals(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, REP, ACCOUNT, TYPE, PRODUCT, AMOUNT, DISCOUNT, CREATED, CLOSE, STAGE };
    struct cs_deals *d = &L->ds->deals;
    char q[128];
    int u = unique_key(L, &L->deal_key, &c[ID], d->line, "deal_id", line);
    if (u)
        return u;
    uint32_t rep = find_key(L, &L->rep_key, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s (not in reps.csv, or the rep was rejected)",
               QUOTE(&c[REP]));
    if (L->ds->reps.plan[rep] == CS_NONE)
        REJECT("rep_id", "rep %s owns deals but has no plan_id in reps.csv", QUOTE(&c[REP]));
    bool won = c[STAGE].en == CS_STAGE_WON;
    if (won && c[AMOUNT].blank)
        REJECT("amount", "required for a won deal");
    if (won && !(c[AMOUNT].num > 0))
        REJECT("amount", "must be greater than 0 for a won deal: %s", QUOTE(&c[AMOUNT]));
    if (!c[AMOUNT].blank && !(c[AMOUNT].num >= 0))
        REJECT("amount", "must be 0 or more: %s", QUOTE(&c[AMOUNT]));
    if (!c[DISCOUNT].blank && !(c[DISCOUNT].num >= 0 && c[DISCOUNT].num <= 100))
        REJECT("discount_pct", "must be between 0 and 100: %s", QUOTE(&c[DISCOUNT]));
    if (c[STAGE].en != CS_STAGE_OPEN && c[CLOSE].blank)
        REJECT("close_date", "required for a %s deal", won ? "won" : "lost");
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[ACCOUNT]));
    CHECK(intern(L, &c[PRODUCT]));
    CHECK(columns_reserve(&L->cols[CS_T_DEALS]));
    size_t i = d->n++;
    d->id[i] = c[ID].str;
    d->rep[i] = rep;
    d->account[i] = c[ACCOUNT].str;
    d->type[i] = (uint8_t)c[TYPE].en;
    d->product[i] = c[PRODUCT].str;
    d->amount[i] = c[AMOUNT].num;
    d->discount_pct[i] = c[DISCOUNT].num;
    d->created[i] = c[CREATED].day;
    d->close[i] = c[CLOSE].day;
    d->stage[i] = (uint8_t)c[STAGE].en;
    d->line[i] = (uint32_t)line;
    return keyindex_put(&L->deal_key, c[ID].str, (uint32_t)i);
}

static int row_quotas(struct loader *L, struct cell *c, unsigned long line)
{
    enum { REP, PERIOD, QUOTA };
    struct cs_quotas *qt = &L->ds->quotas;
    char q[128];
    uint32_t rep = find_key(L, &L->rep_key, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s", QUOTE(&c[REP]));
    uint32_t plan = L->ds->reps.plan[rep];
    if (plan == CS_NONE)
        REJECT("rep_id", "rep %s has no plan_id, so a quota does not apply", QUOTE(&c[REP]));
    bool yearly = L->ds->plans.period_type[plan] == CS_PERIOD_YEAR;
    bool is_year = c[PERIOD].period % 10 == 0;
    if (yearly != is_year)
        REJECT("period", "%s is a %s but the rep's plan is %s", QUOTE(&c[PERIOD]),
               is_year ? "year" : "quarter", yearly ? "annual" : "quarterly");
    if (!(c[QUOTA].num > 0))
        REJECT("quota", "must be greater than 0: %s", QUOTE(&c[QUOTA]));
    uint64_t key = pair_key(rep, c[PERIOD].period);
    uint32_t prev = keyindex_get(&L->quota_key, key);
    if (prev != CS_NONE)
        REJECT("period", "duplicate quota for this rep and period (first on line %u)",
               qt->line[prev]);
    CHECK(columns_reserve(&L->cols[CS_T_QUOTAS]));
    size_t i = qt->n++;
    qt->rep[i] = rep;
    qt->period[i] = c[PERIOD].period;
    qt->quota[i] = c[QUOTA].num;
    qt->line[i] = (uint32_t)line;
    return keyindex_put(&L->quota_key, key, (uint32_t)i);
}

static int row_spiffs(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, PRODUCT, START, END, AMOUNT };
    struct cs_spiffs *s = &L->ds->spiffs;
    char q[128];
    int u = unique_key(L, &L->spiff_key, &c[ID], s->line, "spiff_id", line);
    if (u)
        return u;
    if (c[END].day < c[START].day)
        REJECT("end_date", "before start_date");
    if (!c[AMOUNT].blank && !(c[AMOUNT].num >= 0))
        REJECT("amount", "must be 0 or more: %s", QUOTE(&c[AMOUNT]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[PRODUCT]));
    CHECK(columns_reserve(&L->cols[CS_T_SPIFFS]));
    size_t i = s->n++;
    s->id[i] = c[ID].str;
    s->product[i] = c[PRODUCT].str;
    s->start[i] = c[START].day;
    s->end[i] = c[END].day;
    s->amount[i] = c[AMOUNT].num;
    s->line[i] = (uint32_t)line;
    return keyindex_put(&L->spiff_key, c[ID].str, (uint32_t)i);
}

static int row_commissions(struct loader *L, struct cell *c, unsigned long line)
{
    enum { REP, DEAL, PERIOD, COMMISSION };
    struct cs_commissions *m = &L->ds->commissions;
    char q[128];
    uint32_t rep = find_key(L, &L->rep_key, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s", QUOTE(&c[REP]));
    uint32_t deal = find_key(L, &L->deal_key, &c[DEAL]);
    if (deal == CS_NONE)
        REJECT("deal_id", "unknown deal_id %s (not in deals.csv, or the deal was rejected)",
               QUOTE(&c[DEAL]));
    CHECK(columns_reserve(&L->cols[CS_T_COMMISSIONS]));
    size_t i = m->n++;
    m->rep[i] = rep;
    m->deal[i] = deal;
    m->period[i] = c[PERIOD].period;
    m->commission[i] = c[COMMISSION].num;
    m->line[i] = (uint32_t)line;
    return 0;
}

static int row_roadmap(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, TITLE, STATUS, TARGET, SHIPPED };
    struct cs_roadmap *r = &L->ds->roadmap;
    int u = unique_key(L, &L->feature_key, &c[ID], r->line, "feature_id", line);
    if (u)
        return u;
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[TITLE]));
    CHECK(columns_reserve(&L->cols[CS_T_ROADMAP]));
    size_t i = r->n++;
    r->id[i] = c[ID].str;
    r->title[i] = c[TITLE].str;
    r->status[i] = (uint8_t)c[STATUS].en;
    r->target[i] = c[TARGET].day;
    r->shipped[i] = c[SHIPPED].day;
    r->line[i] = (uint32_t)line;
    return keyindex_put(&L->feature_key, c[ID].str, (uint32_t)i);
}

static int row_promises(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, DEAL, FEATURE, PROMISED, DUE, TEXT };
    struct cs_promises *p = &L->ds->promises;
    char q[128];
    int u = unique_key(L, &L->promise_key, &c[ID], p->line, "promise_id", line);
    if (u)
        return u;
    uint32_t deal = find_key(L, &L->deal_key, &c[DEAL]);
    if (deal == CS_NONE)
        REJECT("deal_id", "unknown deal_id %s (not in deals.csv, or the deal was rejected)",
               QUOTE(&c[DEAL]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[FEATURE]));
    CHECK(intern(L, &c[TEXT]));
    CHECK(columns_reserve(&L->cols[CS_T_PROMISES]));
    size_t i = p->n++;
    p->id[i] = c[ID].str;
    p->deal[i] = deal;
    p->feature[i] = keyindex_get(&L->feature_key, c[FEATURE].str);
    p->feature_text[i] = c[FEATURE].str;
    p->promised[i] = c[PROMISED].day;
    p->due[i] = c[DUE].day;
    p->text[i] = c[TEXT].str;
    p->line[i] = (uint32_t)line;
    return keyindex_put(&L->promise_key, c[ID].str, (uint32_t)i);
}

static int row_collateral(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, TITLE, OWNER, CAMPAIGN, PUBLISHED };
    struct cs_collateral *a = &L->ds->collateral;
    char q[128];
    int u = unique_key(L, &L->asset_key, &c[ID], a->line, "asset_id", line);
    if (u)
        return u;
    uint32_t owner = find_key(L, &L->rep_key, &c[OWNER]);
    if (owner == CS_NONE)
        REJECT("owner_id", "unknown owner_id %s (not a rep_id of reps.csv)", QUOTE(&c[OWNER]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[TITLE]));
    CHECK(intern(L, &c[CAMPAIGN]));
    CHECK(columns_reserve(&L->cols[CS_T_COLLATERAL]));
    size_t i = a->n++;
    a->id[i] = c[ID].str;
    a->title[i] = c[TITLE].str;
    a->owner[i] = owner;
    a->campaign[i] = c[CAMPAIGN].str;
    a->published[i] = c[PUBLISHED].day;
    a->line[i] = (uint32_t)line;
    return keyindex_put(&L->asset_key, c[ID].str, (uint32_t)i);
}

static int row_claims(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ASSET, FEATURE, CLAIM, TEXT };
    struct cs_claims *k = &L->ds->claims;
    char q[128];
    uint32_t asset = find_key(L, &L->asset_key, &c[ASSET]);
    if (asset == CS_NONE)
        REJECT("asset_id", "unknown asset_id %s (not in collateral.csv, or the asset was rejected)",
               QUOTE(&c[ASSET]));
    CHECK(intern(L, &c[FEATURE]));
    CHECK(intern(L, &c[TEXT]));
    CHECK(columns_reserve(&L->cols[CS_T_CLAIMS]));
    size_t i = k->n++;
    k->asset[i] = asset;
    k->feature[i] = keyindex_get(&L->feature_key, c[FEATURE].str);
    k->feature_text[i] = c[FEATURE].str;
    k->claim[i] = (uint8_t)c[CLAIM].en;
    k->text[i] = c[TEXT].str;
    k->line[i] = (uint32_t)line;
    return 0;
}

static int row_targets(struct loader *L, struct cell *c, unsigned long line)
{
    enum { OWNER, PERIOD, TARGET, ACTUAL };
    struct cs_targets *g = &L->ds->targets;
    char q[128];
    uint32_t owner = find_key(L, &L->rep_key, &c[OWNER]);
    if (owner == CS_NONE)
        REJECT("owner_id", "unknown owner_id %s (not a rep_id of reps.csv)", QUOTE(&c[OWNER]));
    if (c[PERIOD].period % 10 == 0)
        REJECT("period", "targets are per quarter, %s is a year", QUOTE(&c[PERIOD]));
    if (!(c[TARGET].num > 0))
        REJECT("target", "must be greater than 0: %s", QUOTE(&c[TARGET]));
    if (!(c[ACTUAL].num >= 0))
        REJECT("actual", "must be 0 or more: %s", QUOTE(&c[ACTUAL]));
    uint64_t key = pair_key(owner, c[PERIOD].period);
    uint32_t prev = keyindex_get(&L->target_key, key);
    if (prev != CS_NONE)
        REJECT("period", "duplicate target for this owner and period (first on line %u)",
               g->line[prev]);
    CHECK(columns_reserve(&L->cols[CS_T_TARGETS]));
    size_t i = g->n++;
    g->owner[i] = owner;
    g->period[i] = c[PERIOD].period;
    g->target[i] = c[TARGET].num;
    g->actual[i] = c[ACTUAL].num;
    g->line[i] = (uint32_t)line;
    return keyindex_put(&L->target_key, key, (uint32_t)i);
}

typedef int (*row_fn)(struct loader *L, struct cell *c, unsigned long line);

static const row_fn row_handler[CS_T_COUNT] = {
    [CS_T_PLANS] = row_plans,
    [CS_T_REPS] = row_reps,
    [CS_T_DEALS] = row_deals,
    [CS_T_QUOTAS] = row_quotas,
    [CS_T_SPIFFS] = row_spiffs,
    [CS_T_COMMISSIONS] = row_commissions,
    [CS_T_ROADMAP] = row_roadmap,
    [CS_T_PROMISES] = row_promises,
    [CS_T_COLLATERAL] = row_collateral,
    [CS_T_CLAIMS] = row_claims,
    [CS_T_TARGETS] = row_targets,
};

#undef REJECT
#undef QUOTE
#undef CHECK

/* The columns the handlers above resolve with find_key on a key index
 * that finds them by their text (rep_key, deal_key; guessed: deal_key):
 * the loader does not prefetch their slots in the pool's table, which
 * find_key does not read, unless the guesses go poorly. */
static const struct {
    enum cs_table t;
    const char *column;
    bool guessed;
} by_text[] = {
    {CS_T_DEALS, "rep_id", false},       {CS_T_QUOTAS, "rep_id", false},
    {CS_T_COMMISSIONS, "rep_id", false}, {CS_T_COMMISSIONS, "deal_id", true},
    {CS_T_PROMISES, "deal_id", true},    {CS_T_COLLATERAL, "owner_id", false},
    {CS_T_TARGETS, "owner_id", false},
};

/* The by_text columns of table t into L->by_text, and the guessed ones into L->guessed. */
static void by_text_columns(struct loader *L, enum cs_table t)
{
    L->by_text = L->guessed = 0;
    for (size_t i = 0; i < sizeof by_text / sizeof *by_text; i++) {
        for (size_t c = 0; by_text[i].t == t && c < L->def->n_columns; c++) {
            if (strcmp(L->def->columns[c].name, by_text[i].column) != 0)
                continue;
            L->by_text |= 1u << c;
            if (by_text[i].guessed)
                L->guessed |= 1u << c;
        }
    }
}

/* ------------------------------------------------------------------------
 * Plans: group the tier rows, check each plan as a whole
 * --------------------------------------------------------------------- */

static int cmp_prow_index(const void *a, const void *b, void *ctx)
{
    const struct loader *L = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (L->prow.plan[i] != L->prow.plan[j])
        return L->prow.plan[i] < L->prow.plan[j] ? -1 : 1;
    if (L->prow.floor[i] != L->prow.floor[j])
        return L->prow.floor[i] < L->prow.floor[j] ? -1 : 1;
    return L->prow.line[i] < L->prow.line[j] ? -1 : L->prow.line[i] > L->prow.line[j];
}

/* The first row of a plan in file order decides its period_type and quota;
 * later rows that disagree, and repeated floors, are rejected; a plan left
 * without a floor-0 tier is rejected whole. */
static enum cs_status build_plans(struct loader *L)
{
    enum cs_status st = CS_OK;
    size_t n = L->prow.n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *first = malloc((n ? n : 1) * sizeof *first);
    struct cs_plans *p = &L->ds->plans;
    struct columns *pc = &L->cols[CS_T_PLANS];
    if (!order || !first) {
        st = oom(L);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_prow_index, L);

    p->n_tiers = 0;
    p->floor = malloc((n ? n : 1) * sizeof *p->floor);
    p->rate = malloc((n ? n : 1) * sizeof *p->rate);
    if (!p->floor || !p->rate) {
        st = oom(L);
        goto out;
    }
    for (size_t g = 0; g < n;) {
        size_t e = g;
        uint32_t plan = L->prow.plan[order[g]];
        uint32_t head = order[g];
        while (e < n && L->prow.plan[order[e]] == plan) {
            if (L->prow.line[order[e]] < L->prow.line[head])
                head = order[e];
            e++;
        }
        const char *pid = cs_strpool_get(L->ds->str, plan);
        char q[128];
        cs_quote_bytes(q, sizeof q, pid, strlen(pid));
        size_t kept = 0;
        bool has_zero = false;
        for (size_t k = g; k < e; k++) {
            uint32_t r = order[k];
            int bad = 0;
            if (L->prow.period_type[r] != L->prow.period_type[head])
                bad = reject(L, CS_T_PLANS, L->prow.line[r], "period_type",
                             "plan %s has period_type %s on line %u", q,
                             L->prow.period_type[head] ? "year" : "quarter",
                             L->prow.line[head]) ? -1 : 1;
            else if (L->prow.quota[r] != L->prow.quota[head])
                bad = reject(L, CS_T_PLANS, L->prow.line[r], "quota",
                             "plan %s has quota %.15g on line %u", q,
                             L->prow.quota[head], L->prow.line[head]) ? -1 : 1;
            else if (kept && L->prow.floor[first[kept - 1]] == L->prow.floor[r])
                bad = reject(L, CS_T_PLANS, L->prow.line[r], "tier_floor",
                             "duplicate tier_floor %.15g for plan %s (first on line %u)",
                             L->prow.floor[r], q, L->prow.line[first[kept - 1]]) ? -1 : 1;
            if (bad < 0) {
                st = oom(L);
                goto out;
            }
            if (bad) {
                L->prow.dead[r] = 1;
                continue;
            }
            first[kept++] = r;
            if (L->prow.floor[r] == 0)
                has_zero = true;
        }
        if (!has_zero) {
            for (size_t k = 0; k < kept; k++) {
                uint32_t r = first[k];
                if (reject(L, CS_T_PLANS, L->prow.line[r], "tier_floor",
                           "plan %s has no tier with floor 0", q) != 0) {
                    st = oom(L);
                    goto out;
                }
            }
        } else {
            if (columns_reserve(pc) != 0) {
                st = oom(L);
                goto out;
            }
            size_t i = p->n++;
            p->id[i] = plan;
            p->period_type[i] = L->prow.period_type[head];
            p->quota[i] = L->prow.quota[head];
            p->tier_first[i] = (uint32_t)p->n_tiers;
            p->tier_count[i] = (uint32_t)kept;
            for (size_t k = 0; k < kept; k++) {
                p->floor[p->n_tiers] = L->prow.floor[first[k]];
                p->rate[p->n_tiers] = L->prow.rate[first[k]];
                p->n_tiers++;
            }
            L->ds->counts[CS_T_PLANS].used += kept;
            if (keyindex_put(&L->plan_key, plan, (uint32_t)i) != 0) {
                st = oom(L);
                goto out;
            }
        }
        g = e;
    }
out:
    free(order);
    free(first);
    return st;
}

/* ------------------------------------------------------------------------
 * Reading one file
 * --------------------------------------------------------------------- */

/*
 * A file is read in two stages: a reader splits records and parses their
 * cells into batches (csvread, parse_cells: pure functions of the bytes
 * and the file's settings), and the loader appends the rows of each batch
 * in order (interning, references, rejects: everything that touches the
 * dataset).  For a big file the reader runs on a thread of its own, a few
 * batches ahead; for a small one each batch is loaded as soon as it is
 * full.  Either way the rows reach the loader in file order, so the
 * dataset, the rejects and the errors are the same.
 */

/*
 * A batch of rows on its way from the reader to the loader.  The reader
 * copies the rows' text in (RAW); either thread then parses them
 * (parse_batch: PARSING, then PARSED), and the loader appends them to the
 * dataset in file order.  state is guarded by the reader's mutex.
 */
enum batch_state { RAW, PARSING, PARSED };

struct batch {
    size_t n;
    enum batch_state state;
    bool oom;                /* parse_batch ran out of memory */
    struct parsed row[BATCH_ROWS];
    struct cell cells[BATCH_ROWS * MAX_COLS];   /* row i's at i * (the table's columns) */
    char *text;              /* the rows' cell text */
    size_t text_used, text_cap;
    char *msgs;              /* the reject reasons of parse_batch */
    size_t msgs_used, msgs_cap;
};

struct reader {
    struct loader *L;
    const char *path;
    struct cs_error err;     /* the reader's own: header and CSV errors */
    enum cs_status st;
    size_t batch_rows;
    struct batch *b;         /* being filled */
    bool threaded;
    /* the hand-off between the threads */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *full[N_BATCHES];   /* filled, in file order */
    size_t head, count;
    struct batch *spare[N_BATCHES];
    size_t n_spare;
    bool done;               /* the reader has handed over its last batch */
    bool stop;               /* the loader failed: the reader stops */
};

static void batch_free(struct batch *b)
{
    if (b) {
        free(b->text);
        free(b->msgs);
        free(b);
    }
}

/* Empty a batch for the reader to fill again. */
static void batch_reset(struct batch *b)
{
    b->n = b->text_used = b->msgs_used = 0;
    b->state = RAW;
    b->oom = false;
}

/*
 * Parse the rows of a batch (parse_cells), keeping each reject reason in
 * b->msgs.  Either thread may run it, on a batch it has marked PARSING:
 * it reads only the batch and the file's settings.  Out of memory marks
 * the batch, and the loader then fails on it.
 */
static void parse_batch(const struct loader *L, struct batch *b)
{
    char msg[REJECT_MSG];
    for (size_t i = 0; i < b->n && !b->oom; i++) {
        struct parsed *pr = &b->row[i];
        if (!parse_cells(L, pr, msg))
            continue;
        size_t n = strlen(msg) + 1;
        if (b->msgs_cap - b->msgs_used < n) {
            size_t cap = b->msgs_cap ? b->msgs_cap * 2 : 4096;
            while (cap - b->msgs_used < n)
                cap *= 2;
            char *m = realloc(b->msgs, cap);
            if (!m) {
                b->oom = true;
                break;
            }
            b->msgs = m;
            b->msgs_cap = cap;
        }
        memcpy(b->msgs + b->msgs_used, msg, n);
        pr->rej_msg = b->msgs_used;
        b->msgs_used += n;
    }
}

static struct batch *batch_new(size_t text_cap)
{
    struct batch *b = cs_malloc_big(1, sizeof *b);
    if (!b)
        return NULL;
    batch_reset(b);
    b->msgs = NULL;
    b->msgs_cap = 0;
    b->text_cap = text_cap;
    if (!(b->text = cs_malloc_big(b->text_cap, 1))) {
        free(b);
        return NULL;
    }
    return b;
}

/* Prefetch the hash slots of a parsed row's strings that find_key looks
 * up in the pool or intern enters there: all but the columns of mask
 * skip. */
static void prefetch_row(const struct loader *L, const struct parsed *pr, uint32_t skip,
                         void (*stage)(const struct cs_strpool *, uint32_t))
{
    if (pr->rej_col)
        return;
    for (size_t c = 0; c < L->def->n_columns; c++)
        if (pr->cell[c].hashed && !(skip >> c & 1))
            stage(L->ds->str, pr->cell[c].hash);
}

/* n, or bytes when less. */
static size_t span_part(size_t n, double bytes)
{
    return bytes < (double)n ? (size_t)bytes : n;
}

/* Queue [p, p + n) for the reader to fault in (when threaded). */
static void prefault_post(struct loader *L, void *p, size_t n)
{
    if (!L->pf_mu || !p || !n)
        return;
    pthread_mutex_lock(L->pf_mu);
    if (L->n_pf < MAX_PREFAULT)
        L->pf[L->n_pf++] = (struct cs_span){p, n};
    pthread_mutex_unlock(L->pf_mu);
}

/*
 * After a big file's first batch, the memory the rest of the import will
 * write, estimated from the bytes left to read and the batch's bytes a
 * row (its cells' text and a separator each):
 *
 * - room in the string pool for the strings and text this file and the
 *   ones after it will add at the rate of the batch, so that its table
 *   does not double (and stop the loader) again and again on the way.
 *   The later files are counted too: the table then doubles once at most
 *   (at 1M deals, deals.csv's rate sized it for deals.csv alone, and
 *   promises.csv doubled it: 48 MiB of fresh tables instead of 32);
 * - and, when the reader runs on its own thread, that room and this
 *   file's rows of its columns go to the reader to fault in while it
 *   waits for the loader.  On the virtual machines compsight is measured
 *   on, the first write to a page costs far more than the writing (see
 *   mem.h); at 10M deals it was a quarter of the loader's time, while the
 *   reader waited a third of its own.
 *
 * A wrong guess costs memory or a doubling, never a result.
 */
static void plan_ahead(struct loader *L, const struct batch *b, size_t strings_before,
                       size_t text_before)
{
    L->sized = true;
    struct cs_strpool *pool = L->ds->str;
    const struct cs_load_options *o = L->opt;
    size_t min_size = o->plan_min_size ? o->plan_min_size : PLAN_MIN_SIZE;
    if (b->n < (o->plan_min_size ? 1 : 1024) || L->file_size < min_size)
        return;
    double row_bytes = (double)(b->text_used + b->n * L->def->n_columns) / (double)b->n;
    uint64_t ahead = L->bytes_total > L->bytes_before ? L->bytes_total - L->bytes_before : 0;
    if (ahead < L->file_size)
        ahead = L->file_size;
    double rows_ahead = (double)ahead / row_bytes;
    double file_rows = (double)L->file_size / row_bytes * 1.05;   /* with 5% to spare */
    size_t added = cs_strpool_count(pool) - strings_before;
    if (added) {
        /* Reserved for all the files ahead; faulted in for this one, so
         * that a guess too big for the later files costs no memory. */
        double ids = (double)added / (double)b->n;    /* a row */
        double text = (double)(cs_strpool_text(pool) - text_before) / (double)b->n;
        double more = rows_ahead * ids * 1.05;
        if (more > (double)UINT32_MAX)
            more = (double)UINT32_MAX;
        if (cs_strpool_reserve(pool, cs_strpool_count(pool) + (size_t)more) == 0 &&
            rows_ahead * text < (double)((size_t)1 << 40))
            (void)cs_strpool_reserve_text(pool, (size_t)(rows_ahead * text * 1.05));
        struct cs_span table, id_rest, text_rest;
        cs_strpool_unwritten(pool, &table, &id_rest, &text_rest);
        prefault_post(L, table.p, table.n);
        prefault_post(L, id_rest.p, span_part(id_rest.n, file_rows * ids * sizeof(char *)));
        prefault_post(L, text_rest.p, span_part(text_rest.n, file_rows * text));
    }
    struct columns *c = &L->cols[L->t];
    size_t rows = file_rows < (double)c->cap ? (size_t)file_rows : c->cap;
    for (size_t i = 0; i < c->n_spec && rows > *c->n; i++)
        prefault_post(L, (char *)*c->spec[i].ptr + *c->n * c->spec[i].size,
                      (rows - *c->n) * c->spec[i].size);
}

/* Append a batch's rows to the dataset.  0, or -1 on OOM. */
static int load_batch(struct loader *L, struct batch *b)
{
    if (b->oom)
        return -1;
    enum cs_table t = L->t;
    /* what the file's first batch adds to the pool, for plan_ahead */
    size_t strings_before = 0, text_before = 0;
    if (!L->sized) {
        strings_before = cs_strpool_count(L->ds->str);
        text_before = cs_strpool_text(L->ds->str);
    }
    /* A pipeline of prefetches: the hash slots of row i + 8, the id
     * pointers of row i + 4, the strings of row i + 2, each stage reading
     * what the one before brought into cache. */
    uint32_t skip = L->by_text & ~(L->deal_key.poor ? L->guessed : 0);
    for (size_t i = 0; i < b->n && i < PREFETCH_AHEAD; i++)
        prefetch_row(L, &b->row[i], skip, cs_strpool_prefetch);
    for (size_t i = 0; i < b->n; i++) {
        if (i + PREFETCH_AHEAD < b->n)
            prefetch_row(L, &b->row[i + PREFETCH_AHEAD], skip, cs_strpool_prefetch);
        if (i + PREFETCH_AHEAD / 2 < b->n)
            prefetch_row(L, &b->row[i + PREFETCH_AHEAD / 2], skip, cs_strpool_prefetch_id);
        if (i + PREFETCH_AHEAD / 4 < b->n)
            prefetch_row(L, &b->row[i + PREFETCH_AHEAD / 4], skip, cs_strpool_prefetch_bytes);
        struct parsed *pr = &b->row[i];
        L->ds->counts[t].read++;
        int r = pr->rej_col ? (reject(L, t, pr->line, pr->rej_col, "%s", b->msgs + pr->rej_msg)
                                   ? -1 : 1)
                            : row_handler[t](L, pr->cell, pr->line);
        if (r < 0) {
            oom(L);
            return -1;
        }
        /* Plan rows are counted as used once the plan as a whole checks out. */
        if (r == 0 && t != CS_T_PLANS)
            L->ds->counts[t].used++;
    }
    if (!L->sized)
        plan_ahead(L, b, strings_before, text_before);
    return 0;
}

/* The oldest batch in the queue that nobody parses yet, or NULL. */
static struct batch *oldest_raw(const struct reader *R)
{
    for (size_t i = 0; i < R->count; i++) {
        struct batch *b = R->full[(R->head + i) % N_BATCHES];
        if (b->state == RAW)
            return b;
    }
    return NULL;
}

/* Parse a queued batch, the mutex held on entry and on return. */
static void parse_queued(struct reader *R, struct batch *b)
{
    b->state = PARSING;
    pthread_mutex_unlock(&R->mu);
    parse_batch(R->L, b);
    pthread_mutex_lock(&R->mu);
    b->state = PARSED;
    pthread_cond_broadcast(&R->cv);
}

/* Fault in the next step of what the loader will write, the mutex held
 * on entry and on return. */
static void prefault_step(struct reader *R)
{
    struct loader *L = R->L;
    struct cs_span *sp = &L->pf[0];
    size_t n = sp->n < PREFAULT_STEP ? sp->n : PREFAULT_STEP;
    void *p = sp->p;
    sp->p = (char *)sp->p + n;
    if (!(sp->n -= n))
        memmove(L->pf, L->pf + 1, --L->n_pf * sizeof *L->pf);
    pthread_mutex_unlock(&R->mu);
    cs_prefault(p, n);
    pthread_mutex_lock(&R->mu);
}

/*
 * Hand the filled batch over and (unless last) start another.  0, or -1
 * to stop reading.
 *
 * The rows are parsed by whichever thread has nothing better to do: the
 * reader goes on reading while it has a spare batch to read into, and
 * otherwise parses the oldest batch nobody parses yet; the loader parses
 * one when the next batch in order is not parsed yet (see load_batches).
 * With the parsing on the reader alone, the loader waited for it half
 * the time on deals.csv at 10M deals, while on promises.csv the reader
 * waited for the loader.  What is left when the reader is out of work
 * too: faulting in the memory the loader will write.
 */
static int hand_over(struct reader *R, bool last)
{
    if (!R->threaded) {
        parse_batch(R->L, R->b);
        int r = load_batch(R->L, R->b);
        batch_reset(R->b);
        return r;
    }
    pthread_mutex_lock(&R->mu);
    R->full[(R->head + R->count++) % N_BATCHES] = R->b;
    R->b = NULL;
    R->done = last;
    pthread_cond_broadcast(&R->cv);
    while (!R->stop && (last || R->n_spare == 0)) {
        struct batch *raw = oldest_raw(R);
        if (raw)
            parse_queued(R, raw);
        else if (last)
            break;
        else if (R->L->n_pf)
            prefault_step(R);
        else
            pthread_cond_wait(&R->cv, &R->mu);
    }
    if (!last && !R->stop)
        R->b = R->spare[--R->n_spare];
    bool stop = R->stop;
    pthread_mutex_unlock(&R->mu);
    return stop ? -1 : 0;
}

/*
 * Copy a record's text into the next row of the batch (the record's
 * buffer is reused for the next one): one cell per schema column, blank
 * where the record has no such field.  The rows are parsed later, by
 * either thread (see hand_over).
 */
static int on_record(const struct cs_csv_record *rec, void *ctx)
{
    struct reader *R = ctx;
    struct loader *L = R->L;
    if (!L->header_done)
        return take_header(L, rec, &R->err);
    if (R->b->n == R->batch_rows && hand_over(R, false) != 0)
        return -1;
    const size_t ncol = L->def->n_columns;
    size_t need = 0;
    for (size_t c = 0; c < ncol; c++) {
        int f = L->field_of[c];
        if (f >= 0 && (size_t)f < rec->n)
            need += rec->len[f] + 1;
    }
    struct batch *b = R->b;
    if (b->text_used + need > b->text_cap) {
        /* Full of text: hand the batch over and put this row in the next. */
        if (b->n && hand_over(R, false) != 0)
            return -1;
        b = R->b;
        if (need > b->text_cap) {
            char *t = realloc(b->text, need);
            if (!t) {
                cs_error_set(&R->err, CS_ERR_NOMEM, L->name, 0, NULL, "out of memory");
                return -1;
            }
            b->text = t;
            b->text_cap = need;
        }
    }
    struct parsed *pr = &b->row[b->n];
    pr->line = rec->line;
    pr->cell = b->cells + b->n * ncol;
    for (size_t c = 0; c < ncol; c++) {
        struct cell *cell = &pr->cell[c];
        int f = L->field_of[c];
        if (f >= 0 && (size_t)f < rec->n) {
            char *dst = b->text + b->text_used;
            memcpy(dst, rec->field[f], rec->len[f]);
            dst[rec->len[f]] = '\0';
            cell->s = dst;
            cell->len = rec->len[f];
            b->text_used += rec->len[f] + 1;
        } else {
            cell->s = "";
            cell->len = 0;
        }
    }
    b->n++;
    return 0;
}

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
    (void)total;
    struct loader *L = ctx;
    if (L->opt->progress)
        L->opt->progress(L->name, L->bytes_before + done, L->bytes_total, L->opt->progress_ctx);
}

/* Read the whole file; the rows before an error are handed over too. */
static void read_file(struct reader *R)
{
    struct loader *L = R->L;
    struct cs_csv_options copt = {
        .chunk_size = L->opt->chunk_size,
        .progress = on_progress,
        .progress_ctx = L,
    };
    R->st = cs_csv_read_path(R->path, L->name, &copt, on_record, R, &R->err);
    if (R->threaded) {
        if (R->b)
            (void)hand_over(R, true);
        else {
            pthread_mutex_lock(&R->mu);
            R->done = true;
            pthread_cond_broadcast(&R->cv);
            pthread_mutex_unlock(&R->mu);
        }
    } else if (R->b->n && !L->failed) {
        (void)hand_over(R, true);
    }
}

static void *reader_main(void *arg)
{
    read_file(arg);
    return NULL;
}

/* The loader's side of a threaded read: load the batches in order as
 * they are parsed, and parse one itself rather than wait. */
static void load_batches(struct reader *R)
{
    for (;;) {
        pthread_mutex_lock(&R->mu);
        for (;;) {
            if (R->count && R->full[R->head]->state == PARSED)
                break;
            struct batch *raw = oldest_raw(R);
            if (raw) {
                parse_queued(R, raw);
            } else if (R->count == 0 && R->done) {
                pthread_mutex_unlock(&R->mu);
                return;
            } else {
                pthread_cond_wait(&R->cv, &R->mu);
            }
        }
        struct batch *b = R->full[R->head];
        R->head = (R->head + 1) % N_BATCHES;
        R->count--;
        pthread_mutex_unlock(&R->mu);
        int r = load_batch(R->L, b);
        batch_reset(b);
        pthread_mutex_lock(&R->mu);
        R->spare[R->n_spare++] = b;
        if (r != 0)
            R->stop = true;
        pthread_cond_broadcast(&R->cv);
        pthread_mutex_unlock(&R->mu);
        if (r != 0)
            return;
    }
}

/*
 * Read path into the dataset: the reader on its own thread for a big file
 * (when a thread can be had), else in line.  Returns the first error in
 * file order: the loader's (out of memory) or the reader's.
 */
static enum cs_status read_and_load(struct loader *L, const char *path, off_t size)
{
    const struct cs_load_options *o = L->opt;
    struct reader R = {.L = L, .path = path};
    L->file_size = size > 0 ? (uint64_t)size : 0;
    L->sized = false;
    R.batch_rows = o->batch_rows && o->batch_rows < BATCH_ROWS ? o->batch_rows : BATCH_ROWS;
    struct batch **all = L->batch;
    size_t min = o->thread_min_size ? o->thread_min_size : THREADED_FILE_SIZE;
    size_t n_all = (uint64_t)size >= min ? N_BATCHES : 1;
    enum cs_status st = CS_OK;
    for (size_t i = 0; i < n_all; i++) {
        if (!all[i] && !(all[i] = batch_new(o->batch_text ? o->batch_text : BATCH_TEXT)))
            return oom(L);
        batch_reset(all[i]);
    }
    R.b = all[0];
    R.threaded = n_all > 1 && pthread_mutex_init(&R.mu, NULL) == 0;
    if (R.threaded && pthread_cond_init(&R.cv, NULL) != 0) {
        pthread_mutex_destroy(&R.mu);
        R.threaded = false;
    }
    if (R.threaded) {
        for (size_t i = 1; i < n_all; i++)
            R.spare[R.n_spare++] = all[i];
        L->pf_mu = &R.mu;
        L->n_pf = 0;
        pthread_t th;
        if (pthread_create(&th, NULL, reader_main, &R) == 0) {
            load_batches(&R);
            pthread_join(th, NULL);
        } else {
            R.threaded = false;
        }
        L->pf_mu = NULL;
        L->n_pf = 0;
        pthread_cond_destroy(&R.cv);
        pthread_mutex_destroy(&R.mu);
        if (!R.threaded) {   /* no thread: the same in line */
            R.n_spare = 0;
            read_file(&R);
        }
    } else {
        read_file(&R);
    }
    if (L->failed) {
        st = CS_ERR_NOMEM;   /* L->err says so already */
    } else {
        *L->err = R.err;     /* cleared by the reader when all went well */
        st = R.st;
    }
    return st;
}

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static enum cs_status load_table(struct loader *L, enum cs_table t)
{
    const struct cs_table_def *def = cs_schema_table(t);
    const char *file = cs_map_file(L->opt->map, t);
    char *path = L->path_override ? strdup(L->path_override)
                                  : join_path(L->opt->dir, file ? file : def->file);
    enum cs_status st = CS_OK;
    if (!path)
        return oom(L);
    L->t = t;
    L->def = def;
    by_text_columns(L, t);
    L->name = L->path_override ? L->path_override : def->file;
    L->header_done = false;
    int df = cs_map_date_format(L->opt->map, t);
    int dc = cs_map_decimal_comma(L->opt->map, t);
    L->date_format = df >= 0 ? (enum cs_date_format)df : L->opt->date_format;
    L->decimal_comma = dc >= 0 ? dc != 0 : L->opt->decimal_comma;

    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT && !def->required)
            goto out;
        if (L->path_override)
            st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, NULL, "%s", strerror(errno));
        else
            st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, NULL, "%s: %s%s", path,
                              strerror(errno), errno == ENOENT ? " (a required file)" : "");
        goto out;
    }
    L->ds->counts[t].present = true;
    /* Room for as many rows as the file could plausibly hold, reserved up
     * front: untouched pages cost nothing, and the arrays then fill in
     * place (huge pages, no doublings) and give back the slack at the end. */
    if (t != CS_T_PLANS)
        L->cols[t].first = (size_t)(sb.st_size / 24);
    st = read_and_load(L, path, sb.st_size);
    if (st == CS_OK && !L->header_done)
        st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 1, NULL,
                          "the file is empty (no header row)");
    L->bytes_before += (uint64_t)sb.st_size;
out:
    free(path);
    return st;
}

/* ------------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

static void setup_columns(struct loader *L)
{
    struct cs_dataset *ds = L->ds;
    struct columns *c;

    c = &L->prow_cols;
    c->n = &L->prow.n;
    ADD(c, L->prow.plan); ADD(c, L->prow.line); ADD(c, L->prow.period_type);
    ADD(c, L->prow.dead); ADD(c, L->prow.quota); ADD(c, L->prow.floor); ADD(c, L->prow.rate);

    c = &L->cols[CS_T_PLANS];
    c->n = &ds->plans.n;
    ADD(c, ds->plans.id); ADD(c, ds->plans.period_type); ADD(c, ds->plans.quota);
    ADD(c, ds->plans.tier_first); ADD(c, ds->plans.tier_count);

    c = &L->cols[CS_T_REPS];
    c->n = &ds->reps.n;
    ADD(c, ds->reps.id); ADD(c, ds->reps.name); ADD(c, ds->reps.team); ADD(c, ds->reps.role);
    ADD(c, ds->reps.manager); ADD(c, ds->reps.plan); ADD(c, ds->reps.line);

    c = &L->cols[CS_T_DEALS];
    c->n = &ds->deals.n;
    ADD(c, ds->deals.id); ADD(c, ds->deals.rep); ADD(c, ds->deals.account);
    ADD(c, ds->deals.type); ADD(c, ds->deals.product); ADD(c, ds->deals.amount);
    ADD(c, ds->deals.discount_pct); ADD(c, ds->deals.created); ADD(c, ds->deals.close);
    ADD(c, ds->deals.stage); ADD(c, ds->deals.line);

    c = &L->cols[CS_T_QUOTAS];
    c->n = &ds->quotas.n;
    ADD(c, ds->quotas.rep); ADD(c, ds->quotas.period); ADD(c, ds->quotas.quota);
    ADD(c, ds->quotas.line);

    c = &L->cols[CS_T_SPIFFS];
    c->n = &ds->spiffs.n;
    ADD(c, ds->spiffs.id); ADD(c, ds->spiffs.product); ADD(c, ds->spiffs.start);
    ADD(c, ds->spiffs.end); ADD(c, ds->spiffs.amount); ADD(c, ds->spiffs.line);

    c = &L->cols[CS_T_COMMISSIONS];
    c->n = &ds->commissions.n;
    ADD(c, ds->commissions.rep); ADD(c, ds->commissions.deal); ADD(c, ds->commissions.period);
    ADD(c, ds->commissions.commission); ADD(c, ds->commissions.line);

    c = &L->cols[CS_T_ROADMAP];
    c->n = &ds->roadmap.n;
    ADD(c, ds->roadmap.id); ADD(c, ds->roadmap.title); ADD(c, ds->roadmap.status);
    ADD(c, ds->roadmap.target); ADD(c, ds->roadmap.shipped); ADD(c, ds->roadmap.line);

    c = &L->cols[CS_T_PROMISES];
    c->n = &ds->promises.n;
    ADD(c, ds->promises.id); ADD(c, ds->promises.deal); ADD(c, ds->promises.feature);
    ADD(c, ds->promises.feature_text); ADD(c, ds->promises.promised); ADD(c, ds->promises.due);
    ADD(c, ds->promises.text); ADD(c, ds->promises.line);

    c = &L->cols[CS_T_COLLATERAL];
    c->n = &ds->collateral.n;
    ADD(c, ds->collateral.id); ADD(c, ds->collateral.title); ADD(c, ds->collateral.owner);
    ADD(c, ds->collateral.campaign); ADD(c, ds->collateral.published); ADD(c, ds->collateral.line);

    c = &L->cols[CS_T_CLAIMS];
    c->n = &ds->claims.n;
    ADD(c, ds->claims.asset); ADD(c, ds->claims.feature); ADD(c, ds->claims.feature_text);
    ADD(c, ds->claims.claim); ADD(c, ds->claims.text); ADD(c, ds->claims.line);

    c = &L->cols[CS_T_TARGETS];
    c->n = &ds->targets.n;
    ADD(c, ds->targets.owner); ADD(c, ds->targets.period); ADD(c, ds->targets.target);
    ADD(c, ds->targets.actual); ADD(c, ds->targets.line);
}

/* Rejects are collected file by file; within a file, plan-level rejects
 * come after the row-level ones, so sort each file's rejects by line. */
static int cmp_reject(const void *a, const void *b)
{
    const struct cs_reject *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

enum cs_status cs_dataset_load(const struct cs_load_options *opt,
                               struct cs_dataset **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct loader L;
    memset(&L, 0, sizeof L);
    *out = NULL;
    struct cs_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    L.opt = opt;
    L.ds = ds;
    L.err = err;
    L.deal_key.dense = true;
    L.promise_key.dense = true;
    ds->str = cs_strpool_new();
    if (!ds->str) {
        st = oom(&L);
        goto out;
    }
    setup_columns(&L);
    L.rep_key.ids = &ds->reps.id;
    L.rep_key.rows = &ds->reps.n;
    L.rep_key.pool = ds->str;
    L.deal_key.ids = &ds->deals.id;
    L.deal_key.rows = &ds->deals.n;
    L.deal_key.pool = ds->str;

    /* Total size of what will be read, for the progress line and the
     * estimates of plan_ahead. */
    for (int t = 0; t < CS_T_COUNT; t++) {
        const char *file = cs_map_file(opt->map, (enum cs_table)t);
        char *path = join_path(opt->dir, file ? file : cs_schema_table((enum cs_table)t)->file);
        struct stat sb;
        if (path && stat(path, &sb) == 0)
            L.bytes_total += (uint64_t)sb.st_size;
        free(path);
    }

    for (int t = 0; t < CS_T_COUNT; t++) {
        st = load_table(&L, (enum cs_table)t);
        if (st != CS_OK)
            goto out;
        if (t == CS_T_PLANS) {
            st = build_plans(&L);
            if (st != CS_OK)
                goto out;
        }
    }
    for (int t = 0; t < CS_T_COUNT; t++)
        columns_shrink(&L.cols[t]);
    if (ds->n_rejects > 1)
        qsort(ds->rejects, ds->n_rejects, sizeof *ds->rejects, cmp_reject);
out:
    columns_free(&L.prow_cols);
    for (size_t i = 0; i < N_BATCHES; i++)
        batch_free(L.batch[i]);
    keyindex_free(&L.plan_key);
    keyindex_free(&L.rep_key);
    keyindex_free(&L.deal_key);
    keyindex_free(&L.feature_key);
    keyindex_free(&L.asset_key);
    keyindex_free(&L.promise_key);
    keyindex_free(&L.spiff_key);
    keyindex_free(&L.quota_key);
    keyindex_free(&L.target_key);
    if (st != CS_OK) {
        /* Free through the column specs: they know every array. */
        for (int t = 0; t < CS_T_COUNT; t++)
            columns_free(&L.cols[t]);
        free(ds->plans.floor);
        free(ds->plans.rate);
        for (size_t i = 0; i < ds->n_rejects; i++)
            free(ds->rejects[i].reason);
        free(ds->rejects);
        cs_strpool_free(ds->str);
        free(ds);
        return st;
    }
    *out = ds;
    return CS_OK;
}

void cs_dataset_free(struct cs_dataset *ds)
{
    if (!ds)
        return;
    struct loader L;
    memset(&L, 0, sizeof L);
    L.ds = ds;
    setup_columns(&L);
    for (int t = 0; t < CS_T_COUNT; t++)
        columns_free(&L.cols[t]);
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
    struct loader L;
    memset(&L, 0, sizeof L);
    L.ds = ds;
    setup_columns(&L);
    columns_free(&L.cols[t]);
    *L.cols[t].n = 0;
}

/* ------------------------------------------------------------------------
 * Alternative plans for a what-if
 * --------------------------------------------------------------------- */

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

enum cs_status cs_plans_load_alt(const char *path, const struct cs_dataset *ds,
                                 const struct cs_load_options *opt, struct cs_plans *out,
                                 size_t *extra, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_load_options o = *opt;
    struct loader L;
    memset(&L, 0, sizeof L);
    memset(out, 0, sizeof *out);
    if (extra)
        *extra = 0;
    o.map = NULL;          /* the alternative is written in compsight's own format */
    o.progress = NULL;
    struct cs_dataset *tmp = calloc(1, sizeof *tmp);
    if (!tmp)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    L.opt = &o;
    L.ds = tmp;
    L.err = err;
    L.path_override = path;
    if (!(tmp->str = cs_strpool_new())) {
        st = oom(&L);
        goto out;
    }
    setup_columns(&L);
    if ((st = load_table(&L, CS_T_PLANS)) != CS_OK || (st = build_plans(&L)) != CS_OK)
        goto out;
    if (tmp->n_rejects) {
        qsort(tmp->rejects, tmp->n_rejects, sizeof *tmp->rejects, cmp_reject);
        const struct cs_reject *r = &tmp->rejects[0];
        st = cs_error_set(err, CS_ERR_INPUT, path, r->line, r->column, "%s", r->reason);
        goto out;
    }
    /* Reorder into ds's plan order; every plan a rep is on must be there. */
    size_t n = ds->plans.n, nt = 0;
    out->n = n;
    out->id = calloc(n ? n : 1, sizeof *out->id);
    out->period_type = calloc(n ? n : 1, sizeof *out->period_type);
    out->quota = calloc(n ? n : 1, sizeof *out->quota);
    out->tier_first = calloc(n ? n : 1, sizeof *out->tier_first);
    out->tier_count = calloc(n ? n : 1, sizeof *out->tier_count);
    out->floor = calloc(tmp->plans.n_tiers + 1, sizeof *out->floor);
    out->rate = calloc(tmp->plans.n_tiers + 1, sizeof *out->rate);
    if (!out->id || !out->period_type || !out->quota || !out->tier_first || !out->tier_count ||
        !out->floor || !out->rate) {
        st = oom(&L);
        goto out;
    }
    size_t matched = 0;
    for (size_t p = 0; p < n; p++) {
        const char *pid = cs_strpool_get(ds->str, ds->plans.id[p]);
        uint32_t sid = cs_strpool_find(tmp->str, pid, strlen(pid));
        uint32_t a = sid ? keyindex_get(&L.plan_key, sid) : CS_NONE;
        out->id[p] = ds->plans.id[p];
        if (a == CS_NONE) {
            size_t reps = 0;
            for (size_t r = 0; r < ds->reps.n; r++)
                reps += ds->reps.plan[r] == p;
            char q[128];
            cs_quote_bytes(q, sizeof q, pid, strlen(pid));
            if (reps) {
                st = cs_error_set(err, CS_ERR_INPUT, path, 0, NULL,
                                  "plan %s, which %zu reps are on, is not in the alternative plans",
                                  q, reps);
                goto out;
            }
            /* nobody is on it: keep the current plan */
            out->period_type[p] = ds->plans.period_type[p];
            out->quota[p] = ds->plans.quota[p];
            out->tier_first[p] = (uint32_t)nt;
            out->tier_count[p] = 0;
            continue;
        }
        matched++;
        out->period_type[p] = tmp->plans.period_type[a];
        out->quota[p] = tmp->plans.quota[a];
        out->tier_first[p] = (uint32_t)nt;
        out->tier_count[p] = tmp->plans.tier_count[a];
        for (uint32_t k = 0; k < tmp->plans.tier_count[a]; k++) {
            out->floor[nt] = tmp->plans.floor[tmp->plans.tier_first[a] + k];
            out->rate[nt] = tmp->plans.rate[tmp->plans.tier_first[a] + k];
            nt++;
        }
    }
    out->n_tiers = nt;
    /* plans nobody is on still need their tiers for the maths to be defined */
    for (size_t p = 0; p < n; p++) {
        if (out->tier_count[p])
            continue;
        size_t need = nt + ds->plans.tier_count[p];
        double *f = realloc(out->floor, need * sizeof *f), *r;
        if (f)
            out->floor = f;
        r = f ? realloc(out->rate, need * sizeof *r) : NULL;
        if (!f || !r) {
            st = oom(&L);
            goto out;
        }
        out->rate = r;
        out->tier_first[p] = (uint32_t)nt;
        out->tier_count[p] = ds->plans.tier_count[p];
        for (uint32_t k = 0; k < ds->plans.tier_count[p]; k++) {
            out->floor[nt] = ds->plans.floor[ds->plans.tier_first[p] + k];
            out->rate[nt] = ds->plans.rate[ds->plans.tier_first[p] + k];
            nt++;
        }
        out->n_tiers = nt;
    }
    if (extra)
        *extra = tmp->plans.n - matched;
out:
    columns_free(&L.prow_cols);
    for (size_t i = 0; i < N_BATCHES; i++)
        batch_free(L.batch[i]);
    keyindex_free(&L.plan_key);
    cs_dataset_free(tmp);
    if (st != CS_OK)
        cs_plans_free(out);
    return st;
}
