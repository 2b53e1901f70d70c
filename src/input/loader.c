/* loader.c - the threaded import of one file: a reader thread, batches of rows, parsed by either thread, loaded in order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "loader.h"

/*
 * A file is read in two stages: a reader splits records and parses their
 * cells into batches (csvread, cs_cells_parse: pure functions of the bytes
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
    struct parsed row[CS_BATCH_ROWS];
    struct cell cells[CS_BATCH_ROWS * MAX_COLS];   /* row i's at i * (the table's columns) */
    struct cs_strpool_key *lookup[CS_LOOKUP_ROWS * MAX_COLS];   /* see look_up */
    char *text;              /* the rows' cell text */
    size_t text_used, text_cap;
    char *msgs;              /* the reject reasons of parse_batch */
    size_t msgs_used, msgs_cap;
    char *conv;              /* the cells' text converted to UTF-8 (SPEC 12) */
    size_t conv_cap;
    bool utf8;               /* every cell is known to be valid UTF-8 (check_encoding) */
    struct file_stats stats; /* what parse_batch noticed */
};

/* A row held back: text in its first field only, maybe a report's footer
 * (SPEC 12), known once a data row follows (not one) or the file ends. */
struct held {
    unsigned long line;
    size_t off, len;         /* its first field, in held_text */
    bool may_hold_nul;
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
    struct batch *full[CS_N_BATCHES];   /* filled, in file order */
    size_t head, count;
    struct batch *spare[CS_N_BATCHES];
    size_t n_spare;
    bool done;               /* the reader has handed over its last batch */
    bool stop;               /* the loader failed: the reader stops */

    /* The file's encoding (SPEC 12), owned by the reader thread. */
    int enc;                 /* CS_ENC_AUTO while undecided, then as read */
    bool utf8_high;          /* auto: a cell read was UTF-8 beyond ASCII */
    bool detected;           /* auto: found it is not UTF-8 */
    bool restart;            /* auto: found so too late, reread as Windows-1252 */
    bool enc_stop;           /* check_encoding stopped the reading */
    struct cs_recode *rc;
    char delim;              /* the file's delimiter, from its first record */

    /* Footers: rows held back, and whether a data row came before them. */
    struct held *held;
    size_t n_held, cap_held;
    char *held_text;
    size_t held_used, held_cap;
    bool seen_data;
    uint64_t ragged;
};

static void batch_free(struct batch *b)
{
    if (b) {
        free(b->text);
        free(b->msgs);
        free(b->conv);
        free(b);
    }
}

/* Empty a batch for the reader to fill again. */
static void batch_reset(struct batch *b)
{
    b->n = b->text_used = b->msgs_used = 0;
    b->state = RAW;
    b->oom = false;
    b->utf8 = false;
    memset(&b->stats, 0, sizeof b->stats);
}

/*
 * Parse the rows of a batch (cs_cells_parse), keeping each reject reason in
 * b->msgs.  Either thread may run it, on a batch it has marked PARSING:
 * it reads only the batch and the file's settings.  Out of memory marks
 * the batch, and the loader then fails on it.
 */
static void parse_batch(const struct loader *L, struct batch *b)
{
    char msg[REJECT_MSG];
    for (size_t i = 0; i < b->n && !b->oom; i++) {
        struct parsed *pr = &b->row[i];
        if (pr->excluded || !cs_cells_parse(L, pr, msg, &b->stats, b->utf8))
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
    b->conv = NULL;
    b->conv_cap = 0;
    b->text_cap = text_cap;
    if (!(b->text = cs_malloc_big(b->text_cap, 1))) {
        free(b);
        return NULL;
    }
    return b;
}

/*
 * Look up in the pool, in one batch, the strings of rows [from, to) that
 * the rows' handlers will intern or find there (all but the columns of
 * skip, which their key index finds by text), so that each handler finds
 * a stored string's id in its cell.  A batch of lookups overlaps their
 * cache misses (cs_strpool_find_batch); a few hundred rows at a time, so
 * that the cells and the table's slots are still in cache when the
 * handlers intern the new strings.
 */
static void look_up(const struct loader *L, struct batch *b, size_t from, size_t to, uint32_t skip)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        struct parsed *pr = &b->row[i];
        if (pr->rej_col || pr->excluded)
            continue;
        for (size_t c = 0; c < L->def->n_columns; c++)
            if (pr->cell[c].hashed && !(skip >> c & 1))
                b->lookup[n++] = &pr->cell[c].str;
    }
    cs_strpool_find_batch(L->ds->str, b->lookup, n);
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
    if (L->n_pf < CS_MAX_PREFAULT)
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
    const struct cs_load_tuning *o = &L->tune;
    size_t min_size = o->plan_min_size ? o->plan_min_size : CS_PLAN_MIN_SIZE;
    if (b->n < (o->plan_min_size ? 1 : CS_PLAN_MIN_ROWS) || L->file_size < min_size)
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
    struct cs_columns *c = &L->cols[L->t];
    size_t rows = file_rows < (double)c->cap ? (size_t)file_rows : c->cap;
    for (size_t i = 0; i < c->n_spec && rows > *c->n; i++)
        prefault_post(L, (char *)*c->spec[i].ptr + *c->n * c->spec[i].size,
                      (rows - *c->n) * c->spec[i].size);
}

/* Add what a batch's parse noticed to the file's (in file order, so that
 * the first failing date is the file's first). */
static void merge_stats(struct file_stats *to, const struct file_stats *from, size_t ncol)
{
    for (size_t c = 0; c < ncol; c++) {
        if (from->date_fail[c][0]) {
            if (!to->date_fail[c][0]) {
                to->first_fail_line[c] = from->first_fail_line[c];
                memcpy(to->first_fail[c], from->first_fail[c], sizeof to->first_fail[c]);
            }
            for (int k = 0; k < 4; k++)
                to->date_fail[c][k] += from->date_fail[c][k];
        }
        to->date_only_chosen[c] += from->date_only_chosen[c];
        to->number_fail[c] += from->number_fail[c];
        to->number_other_mark[c] += from->number_other_mark[c];
    }
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
    uint32_t skip = 0;
    for (size_t c = 0; c < L->def->n_columns; c++)
        if (L->ref_key[c] && cs_keyindex_by_text(L->ref_key[c]))
            skip |= 1u << c;
    merge_stats(&L->stats, &b->stats, L->def->n_columns);
    struct cs_source *so = &L->ds->sources[L->src];
    for (size_t i = 0; i < b->n; i++) {
        if (i % CS_LOOKUP_ROWS == 0)
            look_up(L, b, i, i + CS_LOOKUP_ROWS < b->n ? i + CS_LOOKUP_ROWS : b->n, skip);
        struct parsed *pr = &b->row[i];
        L->ds->counts[t].read++;
        so->read++;
        int r;
        if (pr->excluded)
            r = cs_load_excluded(L, pr->line, pr) ? -1 : 2;
        else if (pr->rej_col)
            r = cs_rows_attribute(L, pr->cell) ||
                        cs_load_reject_msg(L, t, L->src, pr->line, pr->rej_col, pr->rej_kind,
                                           b->msgs + pr->rej_msg)
                    ? -1 : 1;
        else
            r = cs_rows_load(L, pr->cell, pr->line);
        if (r < 0) {
            cs_load_oom(L);
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
        struct batch *b = R->full[(R->head + i) % CS_N_BATCHES];
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
    size_t n = sp->n < CS_PREFAULT_STEP ? sp->n : CS_PREFAULT_STEP;
    void *p = sp->p;
    sp->p = (char *)sp->p + n;
    if (!(sp->n -= n))
        memmove(L->pf, L->pf + 1, --L->n_pf * sizeof *L->pf);
    pthread_mutex_unlock(&R->mu);
    cs_prefault(p, n);
    pthread_mutex_lock(&R->mu);
}

/* ------------------------------------------------------------------------
 * The file's encoding (SPEC 12)
 * --------------------------------------------------------------------- */

/*
 * encoding = auto: the file is UTF-8 when every cell read is (the columns
 * that are not read never count), otherwise Windows-1252.  The reader
 * decides in file order, a batch at a time as it hands it over: a batch
 * of ASCII alone (the usual case, one scan of its text) says nothing;
 * one that is valid UTF-8 beyond ASCII commits the file to UTF-8; one that
 * is not makes it Windows-1252 from that batch on (the batches before were
 * ASCII, the same in both).  Not UTF-8 after a commitment to it (a file
 * that mixes both) means the rows loaded so far were read wrongly: the
 * import starts again with the file read as Windows-1252 from the start.
 */

/* The reader's converter, opened when first needed. */
static struct cs_recode *recoder(struct reader *R)
{
    if (!R->rc && !(R->rc = cs_recode_new(R->enc)))
        cs_error_set(&R->err, CS_ERR_NOMEM, R->L->name, 0, NULL,
                     "cannot convert from %s (iconv)", cs_encoding_name(R->enc));
    return R->rc;
}

/* Auto-detection (R->enc auto) on high bytes s[0..len): valid UTF-8 keeps
 * the file UTF-8 (1); invalid after earlier valid high bytes asks for a
 * restart (-1); else the file is Windows-1252 from here on (0).  With a
 * named encoding: 0. */
static int detect(struct reader *R, const char *s, size_t len)
{
    if (R->enc != CS_ENC_AUTO)
        return 0;
    if (cs_utf8_valid(s, len)) {
        R->utf8_high = true;
        return 1;
    }
    if (R->utf8_high) {
        R->restart = true;
        return -1;
    }
    R->enc = CS_ENC_WINDOWS_1252;
    R->detected = true;
    return 0;
}

/* A cell read outside the batch (an exclude.HEADER column): what it says
 * about the encoding, and its text to match, converted into buf (3 * len
 * bytes) when the file is not UTF-8.  -1 to stop (restart, or no iconv). */
static int read_cell(struct reader *R, const char **s, size_t *len, char *buf)
{
    if (R->enc == CS_ENC_UTF8 || !cs_has_high(*s, *len))
        return 0;
    int u = detect(R, *s, *len);
    if (u != 0)
        return u < 0 ? -1 : 0;
    struct cs_recode *rc = recoder(R);
    if (!rc)
        return -1;
    size_t n = cs_recode(rc, *s, *len, buf);
    if (n != (size_t)-1) {
        *s = buf;
        *len = n;
    }
    return 0;
}

/* Convert the cells of a batch from the file's single-byte encoding. */
static int convert_batch(struct reader *R, struct batch *b)
{
    struct cs_recode *rc = recoder(R);
    if (!rc)
        return -1;
    size_t need = 3 * b->text_used + 1;
    if (b->conv_cap < need) {
        char *p = realloc(b->conv, need);
        if (!p) {
            cs_error_set(&R->err, CS_ERR_NOMEM, R->L->name, 0, NULL, "out of memory");
            return -1;
        }
        b->conv = p;
        b->conv_cap = need;
    }
    const size_t ncol = R->L->def->n_columns;
    size_t used = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct parsed *pr = &b->row[i];
        if (pr->excluded)
            continue;
        for (size_t c = 0; c < ncol; c++) {
            struct cell *cell = &pr->cell[c];
            if (!cell->str.len || !cs_has_high(cell->str.s, cell->str.len))
                continue;
            size_t n = cs_recode(rc, cell->str.s, cell->str.len, b->conv + used);
            if (n == (size_t)-1) {
                pr->enc_cols |= 1u << c;
                continue;
            }
            b->conv[used + n] = '\0';
            cell->str.s = b->conv + used;
            cell->str.len = n;
            used += n + 1;
        }
    }
    b->utf8 = true;          /* iconv writes UTF-8; what it could not read is in enc_cols */
    return 0;
}

/* Decide, or apply, the file's encoding on a batch about to be handed
 * over.  0, or -1 to stop (R->restart, or an error in R->err). */
static int check_encoding(struct reader *R, struct batch *b)
{
    /* ASCII alone (the usual case) is valid UTF-8 in every encoding: the
     * cells need no check of their own (b->utf8) */
    if (!b->text_used || !cs_has_high(b->text, b->text_used)) {
        b->utf8 = true;
        return 0;
    }
    if (R->enc == CS_ENC_UTF8)
        return 0;                /* each cell is checked, and rejected when it is not */
    int u = detect(R, b->text, b->text_used);
    if (u < 0)
        return -1;
    if (u > 0) {
        b->utf8 = true;
        return 0;
    }
    return convert_batch(R, b);
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
    /* the encoding is decided before either thread parses the batch; when
     * that stops the reading (a restart, no iconv), the last hand-over
     * still hands over, for the loader to finish (the import is thrown
     * away) */
    if (R->b && !R->enc_stop && check_encoding(R, R->b) != 0) {
        R->enc_stop = true;
        if (!last)
            return -1;
    }
    if (!R->threaded) {
        parse_batch(R->L, R->b);
        int r = load_batch(R->L, R->b);
        batch_reset(R->b);
        return r;
    }
    pthread_mutex_lock(&R->mu);
    R->full[(R->head + R->count++) % CS_N_BATCHES] = R->b;
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

/* The next row of the batch (handing the batch over when it is full),
 * or NULL to stop. */
static inline struct parsed *next_row(struct reader *R, size_t need)
{
    if (R->b->n == R->batch_rows && hand_over(R, false) != 0)
        return NULL;
    struct batch *b = R->b;
    if (b->text_used + need > b->text_cap) {
        /* Full of text: hand the batch over and put this row in the next. */
        if (b->n && hand_over(R, false) != 0)
            return NULL;
        b = R->b;
        if (need > b->text_cap) {
            char *t = realloc(b->text, need);
            if (!t) {
                cs_error_set(&R->err, CS_ERR_NOMEM, R->L->name, 0, NULL, "out of memory");
                return NULL;
            }
            b->text = t;
            b->text_cap = need;
        }
    }
    struct parsed *pr = &b->row[b->n];
    pr->rej_col = NULL;
    pr->excluded = 0;
    pr->nul_cols = pr->enc_cols = 0;
    return pr;
}

/* An excluded row: counted and listed in file order by the loader. */
static int add_excluded(struct reader *R, unsigned long line, int why, const char *value)
{
    struct parsed *pr = next_row(R, 0);
    if (!pr)
        return -1;
    pr->line = line;
    pr->excluded = why;
    pr->excl_value = value;
    pr->cell = NULL;
    R->b->n++;
    return 0;
}

/* The exclude.HEADER rule a record's values match (1 + its index), or 0;
 * -1 to stop. */
static int excluded_by(struct reader *R, const struct cs_csv_record *rec, const char **value)
{
    struct loader *L = R->L;
    for (size_t i = 0; i < L->n_excl; i++) {
        int f = L->excl_field[i];
        if (f < 0 || (size_t)f >= rec->n || !rec->len[f])
            continue;
        const char *s = rec->field[f];
        size_t len = rec->len[f];
        char small[192], *buf = len <= 64 ? small : malloc(3 * len + 1);
        if (!buf) {
            cs_error_set(&R->err, CS_ERR_NOMEM, L->name, 0, NULL, "out of memory");
            return -1;
        }
        int r = read_cell(R, &s, &len, buf);
        const char *match = r == 0 ? cs_map_exclude_match(L->opt->map, L->t, i, s, len) : NULL;
        if (buf != small)
            free(buf);
        if (r != 0)
            return -1;
        if (match) {
            *value = match;
            return (int)i + 1;
        }
    }
    return 0;
}

/*
 * A data row: excluded by a rule, or its text copied into the next row of
 * the batch (the record's buffer is reused for the next one): one cell
 * per schema column, blank where the record has no such field.  The rows
 * are parsed later, by either thread (see hand_over).
 */
static int add_row(struct reader *R, const struct cs_csv_record *rec)
{
    struct loader *L = R->L;
    if (L->n_excl) {
        const char *value = NULL;
        int rule = excluded_by(R, rec, &value);
        if (rule < 0)
            return -1;
        if (rule)
            return add_excluded(R, rec->line, rule, value);
    }
    R->ragged += rec->n != L->header_fields;
    const size_t ncol = L->def->n_columns;
    size_t need = 0;
    for (size_t c = 0; c < ncol; c++) {
        int f = L->field_of[c];
        if (f >= 0 && (size_t)f < rec->n)
            need += rec->len[f] + 1;
    }
    struct parsed *pr = next_row(R, need);
    if (!pr)
        return -1;
    struct batch *b = R->b;
    pr->line = rec->line;
    pr->cell = b->cells + b->n * ncol;
    const size_t nf = rec->n;
    for (size_t c = 0; c < ncol; c++) {
        struct cell *cell = &pr->cell[c];
        int f = L->field_of[c];
        if (f >= 0 && (size_t)f < nf) {
            char *dst = b->text + b->text_used;
            size_t len = rec->len[f];
            memcpy(dst, rec->field[f], len);
            dst[len] = '\0';
            cell->str.s = dst;
            cell->str.len = len;
            b->text_used += len + 1;
        } else {
            cell->str.s = "";
            cell->str.len = 0;
        }
    }
    /* NUL bytes matter in the columns read only (SPEC 12) */
    if (rec->may_hold_nul)
        for (size_t c = 0; c < ncol; c++)
            if (pr->cell[c].str.len && memchr(pr->cell[c].str.s, '\0', pr->cell[c].str.len))
                pr->nul_cols |= 1u << c;
    b->n++;
    return 0;
}

/* Text in the first field only (SPEC 12: what a report's footer looks
 * like); most rows have text in their second field, and leave at once. */
static inline bool first_field_only(const struct loader *L, const struct cs_csv_record *rec)
{
    if (rec->n < 2 ? rec->n < 1 || L->header_fields < 2 : rec->len[1] != 0)
        return false;
    if (!rec->len[0])
        return false;
    for (size_t f = 2; f < rec->n; f++)
        if (rec->len[f])
            return false;
    return true;
}

static int hold(struct reader *R, const struct cs_csv_record *rec)
{
    if (R->n_held == R->cap_held) {
        size_t cap = R->cap_held ? 2 * R->cap_held : 8;
        struct held *h = realloc(R->held, cap * sizeof *h);
        if (!h)
            goto oom;
        R->held = h;
        R->cap_held = cap;
    }
    if (R->held_cap - R->held_used < rec->len[0]) {
        size_t cap = R->held_cap ? 2 * R->held_cap : 256;
        while (cap - R->held_used < rec->len[0])
            cap *= 2;
        char *t = realloc(R->held_text, cap);
        if (!t)
            goto oom;
        R->held_text = t;
        R->held_cap = cap;
    }
    struct held *h = &R->held[R->n_held++];
    h->line = rec->line;
    h->off = R->held_used;
    h->len = rec->len[0];
    h->may_hold_nul = rec->may_hold_nul;
    memcpy(R->held_text + R->held_used, rec->field[0], rec->len[0]);
    R->held_used += rec->len[0];
    return 0;
oom:
    cs_error_set(&R->err, CS_ERR_NOMEM, R->L->name, 0, NULL, "out of memory");
    return -1;
}

/* The rows held back: data rows after all (footer false), or the footer. */
static int release_held(struct reader *R, bool footer)
{
    for (size_t i = 0; i < R->n_held; i++) {
        const struct held *h = &R->held[i];
        int r;
        if (footer) {
            r = add_excluded(R, h->line, EXCLUDED_FOOTER, NULL);
        } else {
            const char *field = R->held_text + h->off;
            size_t len = h->len;
            struct cs_csv_record one = {.field = &field, .len = &len, .n = 1, .line = h->line,
                                        .may_hold_nul = h->may_hold_nul, .delimiter = R->delim};
            r = add_row(R, &one);
        }
        if (r != 0)
            return -1;
    }
    R->n_held = 0;
    R->held_used = 0;
    return 0;
}

/* The header has been matched: the reader takes the file's encoding over. */
static void header_read(struct reader *R)
{
    R->enc = R->L->encoding;
    R->utf8_high = R->L->header_utf8;
    R->detected = R->L->ds->sources[R->L->src].encoding_detected;
}

static int on_record(const struct cs_csv_record *rec, void *ctx)
{
    struct reader *R = ctx;
    struct loader *L = R->L;
    if (!L->header_done) {
        R->delim = rec->delimiter;
        int r = cs_cells_header(L, rec, &R->err);
        header_read(R);
        return r;
    }
    R->delim = rec->delimiter;
    if (first_field_only(L, rec))
        return hold(R, rec);
    if (R->n_held && release_held(R, false) != 0)
        return -1;
    R->seen_data = true;
    return add_row(R, rec);
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
        .delimiter = L->delimiter,
        .escape_backslash = L->escape,
    };
    R->st = cs_csv_read_path(R->path, L->name, &copt, on_record, R, &R->err);
    /* rows held back at the end: a footer after data rows, else data */
    if (R->st == CS_OK && R->n_held && release_held(R, R->seen_data) != 0)
        R->st = R->err.status != CS_OK ? R->err.status : CS_ERR_INPUT;
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
        R->head = (R->head + 1) % CS_N_BATCHES;
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
enum cs_status cs_load_file(struct loader *L, const char *path, off_t size)
{
    const struct cs_load_tuning *o = &L->tune;
    struct reader R = {.L = L, .path = path};
    L->file_size = size > 0 ? (uint64_t)size : 0;
    L->sized = false;
    R.batch_rows = o->batch_rows && o->batch_rows < CS_BATCH_ROWS ? o->batch_rows : CS_BATCH_ROWS;
    struct batch **all = L->batch;
    size_t min = o->thread_min_size ? o->thread_min_size : CS_THREADED_FILE_SIZE;
    size_t n_all = (uint64_t)size >= min ? CS_N_BATCHES : 1;
    enum cs_status st = CS_OK;
    for (size_t i = 0; i < n_all; i++) {
        if (!all[i] && !(all[i] = batch_new(o->batch_text ? o->batch_text : CS_BATCH_TEXT)))
            return cs_load_oom(L);
        batch_reset(all[i]);
    }
    R.b = all[0];
    R.enc = L->encoding;
    R.delim = L->delimiter > 0 ? (char)L->delimiter : ',';
    /* `header = NAME, ...`: no header row, these are its names */
    const char *const *names;
    size_t n_names = cs_map_header_names(L->opt->map, L->t, &names);
    if (n_names && !L->path_override) {
        size_t *lens = malloc(n_names * sizeof *lens);
        if (!lens)
            return cs_load_oom(L);
        for (size_t i = 0; i < n_names; i++)
            lens[i] = strlen(names[i]);
        struct cs_csv_record h = {.field = names, .len = lens, .n = n_names, .line = 1,
                                  .delimiter = R.delim};
        L->ds->sources[L->src].header_row = false;
        int r = cs_cells_header(L, &h, L->err);
        free(lens);
        if (r != 0)
            return L->err->status;
        header_read(&R);
    }
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
    struct cs_source *so = &L->ds->sources[L->src];
    so->encoding = R.enc == CS_ENC_AUTO ? CS_ENC_UTF8 : R.enc;
    so->encoding_detected = R.detected || L->reread;
    so->delimiter = R.delim;
    so->ragged = R.ragged;
    L->restart = R.restart;
    cs_recode_free(R.rc);
    free(R.held);
    free(R.held_text);
    if (L->failed) {
        st = CS_ERR_NOMEM;   /* L->err says so already */
    } else if (R.restart) {
        st = CS_ERR_INPUT;   /* the caller reads the file again (L->restart) */
    } else {
        *L->err = R.err;     /* cleared by the reader when all went well */
        st = R.st;
    }
    return st;
}

void cs_load_batches_free(struct loader *L)
{
    for (size_t i = 0; i < CS_N_BATCHES; i++) {
        batch_free(L->batch[i]);
        L->batch[i] = NULL;
    }
}
