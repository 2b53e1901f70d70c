/* dataset.c - the importer's entry points: the CSV files of a data directory into a dataset, or an alternative plans file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "currency.h"
#include "loader.h"

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* ------------------------------------------------------------------------
 * The loader's state
 * --------------------------------------------------------------------- */

#define ADD(T, TAG, name, KIND, required, VALUES, STORE, REFS, field) ADD_FIELD(field)
#define ADD_FIELD(field) cs_columns_add(c, &tab->field, sizeof *tab->field);

/* A loader for ds (whose pool exists): the arrays of every table, the
 * plans.csv rows, a key index per table with a key.  0, or -1 on OOM
 * (free with loader_release either way). */
static int loader_init(struct loader *L, const struct cs_load_options *opt,
                       struct cs_dataset *ds, struct cs_error *err)
{
    memset(L, 0, sizeof *L);
    L->opt = opt;
    L->ds = ds;
    L->err = err;
    for (int t = 0; t < CS_T_COUNT; t++)
        cs_columns_of(ds, (enum cs_table)t, &L->cols[t]);
    struct cs_columns *c = &L->prow_cols;
    struct plan_rows *tab = &L->prow;
    c->n = &tab->n;
    CS_COLUMNS_PLANS(ADD, PLANS)
    ADD_FIELD(line)
    ADD_FIELD(src)

    static const struct {
        enum cs_table t;
        enum cs_key_kind kind;
    } keys[] = {
        {CS_T_PLANS, CS_KEY_HASHED},    {CS_T_REPS, CS_KEY_BY_TEXT},
        {CS_T_DEALS, CS_KEY_GUESSED},   {CS_T_QUOTAS, CS_KEY_HASHED},
        {CS_T_SPIFFS, CS_KEY_HASHED},   {CS_T_ROADMAP, CS_KEY_HASHED},
        {CS_T_PROMISES, CS_KEY_DENSE},  {CS_T_COLLATERAL, CS_KEY_HASHED},
        {CS_T_TARGETS, CS_KEY_HASHED},  {CS_T_SPLITS, CS_KEY_HASHED},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        enum cs_table t = keys[i].t;
        uint32_t *const *ids = t == CS_T_REPS ? &ds->reps.id : &ds->deals.id;
        const size_t *rows = t == CS_T_REPS ? &ds->reps.n : &ds->deals.n;
        if (!(L->key[t] = cs_keyindex_new(keys[i].kind, ds->str, ids, rows)))
            return -1;
    }
    return 0;
}

/* Free what the loader holds (not the dataset). */
static void loader_release(struct loader *L)
{
    cs_columns_free(&L->prow_cols);
    cs_load_batches_free(L);
    cs_currency_free(L->cur);
    cs_credit_release(L);
    for (int t = 0; t < CS_T_COUNT; t++)
        cs_keyindex_free(L->key[t]);
    for (size_t i = 0; i < L->n_rejected_reps; i++) {
        free(L->rejected_reps[i].id);
        free(L->rejected_reps[i].team);
        free(L->rejected_reps[i].plan);
    }
    free(L->rejected_reps);
}

/* ------------------------------------------------------------------------
 * One file
 * --------------------------------------------------------------------- */

/* A new source (the file being read) for table t: ds->sources grows. */
static int add_source(struct loader *L, enum cs_table t, const char *file)
{
    struct cs_dataset *ds = L->ds;
    size_t ncol = cs_schema_table(t)->n_columns;
    struct cs_source *so = realloc(ds->sources, (ds->n_sources + 1) * sizeof *so);
    if (!so)
        return -1;
    ds->sources = so;
    so += ds->n_sources;
    memset(so, 0, sizeof *so);
    so->table = (uint8_t)t;
    so->header_row = true;
    so->encoding = CS_ENC_UTF8;
    so->delimiter = ',';
    so->file = strdup(file);
    so->header = calloc(ncol, sizeof *so->header);
    so->date_reads = malloc(ncol * sizeof *so->date_reads);
    so->number_other_mark = calloc(ncol, sizeof *so->number_other_mark);
    ds->n_sources++;              /* counted now, so that cs_dataset_free frees it */
    if (!so->file || !so->header || !so->date_reads || !so->number_other_mark)
        return -1;
    memset(so->date_reads, -1, ncol);
    L->src = ds->n_sources - 1;
    return 0;
}

static const char *const format_name[3] = {"iso", "us", "eu"};
static const char *const format_shape[3] = {"YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY"};

/*
 * After a file: a date column that cannot be what its format says but
 * reads entirely in the other (SPEC 12) refuses the file, naming the
 * format to use; and what check's hints need goes to the source.
 */
static enum cs_status date_columns(struct loader *L)
{
    const struct file_stats *fs = &L->stats;
    struct cs_source *so = &L->ds->sources[L->src];
    for (size_t c = 0; c < L->def->n_columns; c++) {
        so->number_other_mark[c] = fs->number_other_mark[c];
        uint64_t fail = fs->date_fail[c][0];
        if (L->def->columns[c].kind != CS_K_DATE || !fail)
            continue;
        uint64_t us = fs->date_fail[c][1 + CS_DATE_US], eu = fs->date_fail[c][1 + CS_DATE_EU];
        int other = L->date_format == CS_DATE_US ? CS_DATE_EU
                    : L->date_format == CS_DATE_EU ? CS_DATE_US : -1;
        if (other >= 0 && fs->date_fail[c][1 + other] == fail && !fs->date_only_chosen[c]) {
            char label[64], q[128];
            cs_column_label(label, sizeof label, so->header[c], L->def->columns[c].name);
            cs_quote_bytes(q, sizeof q, fs->first_fail[c], strlen(fs->first_fail[c]));
            return cs_error_set(L->err, CS_ERR_INPUT, L->name, fs->first_fail_line[c], label,
                                "%s is not %s, and every date of the column reads as %s: the "
                                "file is written %s (use --date-format %s, or date_format = %s "
                                "in the map)", q, format_shape[L->date_format],
                                format_shape[other], format_shape[other], format_name[other],
                                format_name[other]);
        }
        /* the hint: the format most failing dates read in */
        if (us * 2 > fail && eu * 2 > fail && L->date_format == CS_DATE_ISO)
            so->date_reads[c] = CS_DATE_READS_EITHER;
        else if (us * 2 > fail && us > eu)
            so->date_reads[c] = CS_DATE_US;
        else if (eu * 2 > fail && eu > us)
            so->date_reads[c] = CS_DATE_EU;
    }
    return CS_OK;
}

/* Read file i (named name, at path, of size bytes) of table t. */
static enum cs_status load_file(struct loader *L, enum cs_table t, size_t i, const char *name,
                                const char *path, off_t size)
{
    L->file_index = i;
    L->name = name;
    L->header_done = false;
    if (add_source(L, t, name) != 0)
        return cs_load_oom(L);
    cs_cells_settings(L);
    L->ds->sources[L->src].date_format = L->date_format;
    L->ds->sources[L->src].decimal_comma = L->decimal_comma;
    enum cs_status st = cs_load_file(L, path, size);
    if (st == CS_OK && !L->header_done)
        st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 1, NULL,
                          "the file is empty (no header row)");
    if (st == CS_OK)
        st = date_columns(L);
    L->bytes_before += size > 0 ? (uint64_t)size : 0;
    return st;
}

static enum cs_status load_table(struct loader *L, enum cs_table t)
{
    const struct cs_table_def *def = cs_schema_table(t);
    const char *const *listed;
    size_t n = L->path_override ? 0 : cs_map_files(L->opt->map, t, &listed);
    const char *one = L->path_override ? L->path_override : def->file;
    if (!n) {
        listed = &one;
        n = 1;
    }
    enum cs_status st = CS_OK;
    char **paths = calloc(n, sizeof *paths);
    off_t *sizes = calloc(n, sizeof *sizes);
    int *errs = calloc(n, sizeof *errs);
    if (!paths || !sizes || !errs) {
        st = cs_load_oom(L);
        goto out;
    }
    L->t = t;
    L->def = def;
    /* the key index each column names a key of, if any */
    for (size_t c = 0; c < MAX_COLS; c++) {
        int refs = c < def->n_columns ? def->columns[c].references : -1;
        L->ref_key[c] = refs >= 0 ? L->key[refs] : NULL;
    }
    /* Every file first: an optional table none of whose files exists is
     * absent; one of several named that is missing is an error. */
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        paths[i] = L->path_override ? strdup(L->path_override) : join_path(L->opt->dir, listed[i]);
        if (!paths[i]) {
            st = cs_load_oom(L);
            goto out;
        }
        struct stat sb;
        errs[i] = stat(paths[i], &sb) == 0 ? 0 : errno;
        sizes[i] = errs[i] ? 0 : sb.st_size;
        found += !errs[i];
    }
    if (!found && errs[0] == ENOENT && !def->required)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!errs[i])
            continue;
        L->name = listed[i];
        if (L->path_override)
            st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, NULL, "%s", strerror(errs[i]));
        else
            st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, NULL, "%s: %s%s", paths[i],
                              strerror(errs[i]),
                              errs[i] == ENOENT && def->required ? " (a required file)" : "");
        if (errs[i] == ENOENT && !def->required && n > 1)
            st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 0, NULL,
                              "%s: %s (named in the map's [%s] section with other files)",
                              paths[i], strerror(errs[i]), def->table);
        goto out;
    }
    L->ds->counts[t].present = true;
    /* Room for as many rows as the files could plausibly hold, reserved up
     * front: untouched pages cost nothing, and the arrays then fill in
     * place (huge pages, no doublings) and give back the slack at the end. */
    if (t != CS_T_PLANS) {
        off_t all = 0;
        for (size_t i = 0; i < n; i++)
            all += sizes[i];
        L->cols[t].first = (size_t)(all / CS_MIN_ROW_BYTES);
    }
    for (size_t i = 0; i < n && st == CS_OK; i++)
        st = load_file(L, t, i, listed[i], paths[i], sizes[i]);
out:
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
    free(sizes);
    free(errs);
    return st;
}

/* Rejects are collected file by file; within a file, plan-level rejects
 * come after the row-level ones, so sort each file's rejects by line. */
static int cmp_reject(const void *a, const void *b)
{
    const struct cs_reject *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* ------------------------------------------------------------------------
 * Every file
 * --------------------------------------------------------------------- */

/* A file to read again as Windows-1252: its table and index in the table's files. */
struct restart {
    bool needed;
    size_t t, i;
};

/* One import of every file; *restart when a file must be read again. */
static enum cs_status load_all(const struct cs_load_options *opt,
                               const struct cs_load_tuning *tuning, const uint64_t *force,
                               struct cs_dataset **out, struct restart *restart,
                               struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct loader L;
    *out = NULL;
    restart->needed = false;
    struct cs_dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    ds->str = cs_strpool_new();
    if (loader_init(&L, opt, ds, err) != 0 || !ds->str) {
        st = cs_load_oom(&L);
        goto out;
    }
    if (tuning)
        L.tune = *tuning;
    memcpy(L.force_cp1252, force, sizeof L.force_cp1252);

    /* Total size of what will be read, for the progress line and the
     * estimates of plan_ahead. */
    for (int t = 0; t < CS_T_COUNT; t++) {
        const char *const *names;
        const char *one = cs_schema_table((enum cs_table)t)->file;
        size_t n = cs_map_files(opt->map, (enum cs_table)t, &names);
        if (!n) {
            names = &one;
            n = 1;
        }
        for (size_t i = 0; i < n; i++) {
            char *path = join_path(opt->dir, names[i]);
            struct stat sb;
            if (path && stat(path, &sb) == 0) {
                L.bytes_total += (uint64_t)sb.st_size;
                L.splits_ahead |= t == CS_T_SPLITS;
            }
            free(path);
        }
    }

    for (int t = 0; t < CS_T_COUNT; t++) {
        st = load_table(&L, (enum cs_table)t);
        if (st != CS_OK) {
            if (L.restart)
                *restart = (struct restart){true, (size_t)t, L.file_index};
            goto out;
        }
        if (t == CS_T_PLANS) {
            st = cs_rows_build_plans(&L);
            if (st != CS_OK)
                goto out;
        }
        if ((st = cs_currency_after_table(&L, (enum cs_table)t)) != CS_OK ||
            (st = cs_credit_after_table(&L, (enum cs_table)t)) != CS_OK)
            goto out;
    }
    for (int t = 0; t < CS_T_COUNT; t++)
        cs_columns_shrink(&L.cols[t]);
    if (ds->n_rejects > 1)
        qsort(ds->rejects, ds->n_rejects, sizeof *ds->rejects, cmp_reject);
    for (size_t i = 0; i < ds->n_sources; i++) {
        struct cs_source *so = &ds->sources[i];
        so->used = so->read - so->rejected - so->excluded;
    }
out:
    loader_release(&L);
    if (st != CS_OK) {
        cs_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CS_OK;
}

enum cs_status cs_dataset_load(const struct cs_load_options *opt,
                               struct cs_dataset **out, struct cs_error *err)
{
    return cs_dataset_load_tuned(opt, NULL, out, err);
}

/*
 * A file found not to be UTF-8 after rows of it were read as UTF-8 (see
 * loader.c, check_encoding) is read again as Windows-1252, from a fresh
 * start: the import runs again with that file forced, once per such file.
 */
enum cs_status cs_dataset_load_tuned(const struct cs_load_options *opt,
                                     const struct cs_load_tuning *tuning,
                                     struct cs_dataset **out, struct cs_error *err)
{
    uint64_t force[CS_T_COUNT] = {0};
    struct cs_error e;
    for (;;) {
        struct restart r;
        cs_error_clear(&e);
        enum cs_status st = load_all(opt, tuning, force, out, &r, &e);
        if (!r.needed) {
            if (err)
                *err = e;
            return st;
        }
        if (r.t >= CS_T_COUNT || r.i >= 64 || (force[r.t] >> r.i & 1))
            return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL, "encoding restart loop");
        force[r.t] |= (uint64_t)1 << r.i;
    }
}

/* ------------------------------------------------------------------------
 * Alternative plans for a what-if
 * --------------------------------------------------------------------- */

/* Plan p of out: plan a of src (a plan of the alternative file, or p
 * itself of the current plans when the file leaves p out).  nt: the
 * tiers so far. */
static void take_plan(struct cs_plans *out, size_t p, const struct cs_plans *src, uint32_t a,
                      size_t *nt)
{
    out->tier_first[p] = (uint32_t)*nt;
    out->period_type[p] = src->period_type[a];
    out->quota[p] = src->quota[a];
    out->tier_count[p] = src->tier_count[a];
    memcpy(out->floor + *nt, src->floor + src->tier_first[a], src->tier_count[a] * sizeof *out->floor);
    memcpy(out->rate + *nt, src->rate + src->tier_first[a], src->tier_count[a] * sizeof *out->rate);
    *nt += src->tier_count[a];
}

/*
 * SPEC 13: the credit fractions of out's plans: a plan the file lists
 * takes the file's value of each credit_ column its rows give (a cell not
 * blank on any of its rows; the rows agree, or the file was rejected),
 * and keeps the data's where the file lacks the column or leaves it blank;
 * a plan carried over keeps the data's.  alt_of: per plan of ds, the
 * file's plan or CS_NONE.  0, or -1 on OOM.
 */
static int alt_credit(const struct loader *L, const struct cs_dataset *ds, const uint32_t *alt_of,
                      struct cs_plans *out)
{
    const struct plan_rows *pr = &L->prow;
    const struct cs_plans *file = &L->ds->plans;
    static const uint8_t types[3] = {CS_TYPE_NEW, CS_TYPE_EXPANSION, CS_TYPE_RENEWAL};
    double *dst[3];
    const double *cell[3] = {pr->credit_new, pr->credit_expansion, pr->credit_renewal};
    const double *val[3] = {file->credit_new, file->credit_expansion, file->credit_renewal};
    size_t n = out->n ? out->n : 1;
    uint8_t *given = calloc(file->n ? file->n : 1, sizeof *given);   /* bit c: column c given */
    out->credit_new = dst[0] = malloc(n * sizeof *dst[0]);
    out->credit_expansion = dst[1] = malloc(n * sizeof *dst[1]);
    out->credit_renewal = dst[2] = malloc(n * sizeof *dst[2]);
    if (!given || !dst[0] || !dst[1] || !dst[2]) {
        free(given);
        return -1;
    }
    for (size_t r = 0; r < pr->n; r++) {
        uint32_t a = cs_keyindex_get(L->key[CS_T_PLANS], pr->id[r]);
        for (int c = 0; a != CS_NONE && c < 3; c++)
            given[a] |= (uint8_t)(!isnan(cell[c][r]) << c);
    }
    for (size_t p = 0; p < out->n; p++)
        for (int c = 0; c < 3; c++)
            dst[c][p] = alt_of[p] != CS_NONE && (given[alt_of[p]] >> c & 1)
                            ? val[c][alt_of[p]]
                            : cs_plan_credit(ds, NULL, (uint32_t)p, types[c]);
    free(given);
    return 0;
}

/* The plan of the file (loaded by L) named as ds's plan pid, or CS_NONE.
 * A plan id that begins with a formula character is written in a
 * compsight CSV with a leading apostrophe (cs_csv_text): that form names
 * it too, so that an options/N.csv of a proposal reads back as written. */
static uint32_t alt_plan_named(const struct loader *L, const char *pid)
{
    size_t len = strlen(pid);
    uint32_t sid = cs_strpool_find(L->ds->str, pid, len);
    uint32_t a = sid ? cs_keyindex_get(L->key[CS_T_PLANS], sid) : CS_NONE;
    if (a == CS_NONE && len && len < 256 && strchr("=+-@\t\r", pid[0])) {
        char q[258];
        q[0] = '\'';
        memcpy(q + 1, pid, len);
        sid = cs_strpool_find(L->ds->str, q, len + 1);
        a = sid ? cs_keyindex_get(L->key[CS_T_PLANS], sid) : CS_NONE;
    }
    return a;
}

/* The first plan of the file, in file order, that the data does not
 * have: an error naming its line (a what-if changes the data's plans; a
 * plan no rep is on would change nothing, and a misspelt id would
 * otherwise leave the plan it meant unchanged without a word). */
static enum cs_status unknown_plan(struct loader *L, const char *path, const uint32_t *ds_of)
{
    const struct plan_rows *pr = &L->prow;
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < pr->n; i++) {
        uint32_t a = cs_keyindex_get(L->key[CS_T_PLANS], pr->id[i]);
        if (a != CS_NONE && ds_of[a] == CS_NONE && (first == SIZE_MAX || pr->line[i] < pr->line[first]))
            first = i;
    }
    if (first == SIZE_MAX)
        return CS_OK;
    const char *pid = cs_strpool_get(L->ds->str, pr->id[first]);
    char q[128];
    cs_quote_bytes(q, sizeof q, pid, strlen(pid));
    return cs_error_set(L->err, CS_ERR_INPUT, path, pr->line[first], "plan_id",
                        "plan %s is not a plan of the data: an alternative plans file changes "
                        "the data's plans (a new plan would have no reps)", q);
}

/*
 * The plans of the file (loaded by L) in ds's plan order into out: a plan
 * the file lists takes the file's definition, every other plan carries
 * over as it is (*listed, when not NULL, says which were listed).
 */
static enum cs_status reorder_alt(struct loader *L, const char *path, const struct cs_dataset *ds,
                                  struct cs_plans *out, bool **listed)
{
    const struct cs_plans *file = &L->ds->plans, *cur = &ds->plans;
    size_t n = cur->n, nt = 0, total = 0;
    uint32_t *alt_of = malloc((n ? n : 1) * sizeof *alt_of);
    uint32_t *ds_of = malloc((file->n ? file->n : 1) * sizeof *ds_of);
    bool *in_file = calloc(n ? n : 1, sizeof *in_file);
    enum cs_status st = CS_OK;
    if (!alt_of || !ds_of || !in_file) {
        st = cs_load_oom(L);
        goto out;
    }
    for (size_t a = 0; a < file->n; a++)
        ds_of[a] = CS_NONE;
    for (size_t p = 0; p < n; p++) {
        alt_of[p] = alt_plan_named(L, cs_strpool_get(ds->str, cur->id[p]));
        if (alt_of[p] != CS_NONE) {
            ds_of[alt_of[p]] = (uint32_t)p;
            in_file[p] = true;
        }
        total += alt_of[p] != CS_NONE ? file->tier_count[alt_of[p]] : cur->tier_count[p];
    }
    if ((st = unknown_plan(L, path, ds_of)) != CS_OK)
        goto out;
    out->n = n;
    out->id = calloc(n ? n : 1, sizeof *out->id);
    out->period_type = calloc(n ? n : 1, sizeof *out->period_type);
    out->quota = calloc(n ? n : 1, sizeof *out->quota);
    out->tier_first = calloc(n ? n : 1, sizeof *out->tier_first);
    out->tier_count = calloc(n ? n : 1, sizeof *out->tier_count);
    out->floor = calloc(total + 1, sizeof *out->floor);
    out->rate = calloc(total + 1, sizeof *out->rate);
    if (!out->id || !out->period_type || !out->quota || !out->tier_first || !out->tier_count ||
        !out->floor || !out->rate) {
        st = cs_load_oom(L);
        goto out;
    }
    for (size_t p = 0; p < n; p++) {
        out->id[p] = cur->id[p];
        if (alt_of[p] != CS_NONE)
            take_plan(out, p, file, alt_of[p], &nt);
        else
            take_plan(out, p, cur, (uint32_t)p, &nt);
    }
    out->n_tiers = nt;
    if (alt_credit(L, ds, alt_of, out) != 0) {
        st = cs_load_oom(L);
        goto out;
    }
    if (listed) {
        *listed = in_file;
        in_file = NULL;
    }
out:
    free(alt_of);
    free(ds_of);
    free(in_file);
    return st;
}

enum cs_status cs_plans_load_alt(const char *path, const struct cs_dataset *ds,
                                 const struct cs_load_options *opt, struct cs_plans *out,
                                 bool **listed, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_load_options o = *opt;
    struct loader L;
    memset(out, 0, sizeof *out);
    if (listed)
        *listed = NULL;
    o.map = NULL;          /* the alternative is written in compsight's own format */
    o.progress = NULL;
    struct cs_dataset *tmp = calloc(1, sizeof *tmp);
    if (!tmp)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    tmp->str = cs_strpool_new();
    if (loader_init(&L, &o, tmp, err) != 0 || !tmp->str) {
        st = cs_load_oom(&L);
        goto out;
    }
    L.path_override = path;
    if ((st = load_table(&L, CS_T_PLANS)) != CS_OK || (st = cs_rows_build_plans(&L)) != CS_OK)
        goto out;
    if (tmp->n_rejects) {
        qsort(tmp->rejects, tmp->n_rejects, sizeof *tmp->rejects, cmp_reject);
        const struct cs_reject *r = &tmp->rejects[0];
        st = cs_error_set(err, CS_ERR_INPUT, path, r->line, r->column, "%s", r->reason);
        goto out;
    }
    /* Into ds's plan order, the plans the file leaves out carried over. */
    st = reorder_alt(&L, path, ds, out, listed);
out:
    loader_release(&L);
    cs_dataset_free(tmp);
    if (st != CS_OK)
        cs_plans_free(out);
    return st;
}
