/* dataset.c - the importer's entry points: the CSV files of a data directory into a dataset, or an alternative plans file. */
#include <errno.h>
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

    static const struct {
        enum cs_table t;
        enum cs_key_kind kind;
    } keys[] = {
        {CS_T_PLANS, CS_KEY_HASHED},    {CS_T_REPS, CS_KEY_BY_TEXT},
        {CS_T_DEALS, CS_KEY_GUESSED},   {CS_T_QUOTAS, CS_KEY_HASHED},
        {CS_T_SPIFFS, CS_KEY_HASHED},   {CS_T_ROADMAP, CS_KEY_HASHED},
        {CS_T_PROMISES, CS_KEY_DENSE},  {CS_T_COLLATERAL, CS_KEY_HASHED},
        {CS_T_TARGETS, CS_KEY_HASHED},
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
    for (int t = 0; t < CS_T_COUNT; t++)
        cs_keyindex_free(L->key[t]);
}

/* ------------------------------------------------------------------------
 * One file
 * --------------------------------------------------------------------- */

static enum cs_status load_table(struct loader *L, enum cs_table t)
{
    const struct cs_table_def *def = cs_schema_table(t);
    const char *file = cs_map_file(L->opt->map, t);
    char *path = L->path_override ? strdup(L->path_override)
                                  : join_path(L->opt->dir, file ? file : def->file);
    enum cs_status st = CS_OK;
    if (!path)
        return cs_load_oom(L);
    L->t = t;
    L->def = def;
    /* the key index each column names a key of, if any */
    for (size_t c = 0; c < MAX_COLS; c++) {
        int refs = c < def->n_columns ? def->columns[c].references : -1;
        L->ref_key[c] = refs >= 0 ? L->key[refs] : NULL;
    }
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
        L->cols[t].first = (size_t)(sb.st_size / CS_MIN_ROW_BYTES);
    st = cs_load_file(L, path, sb.st_size);
    if (st == CS_OK && !L->header_done)
        st = cs_error_set(L->err, CS_ERR_INPUT, L->name, 1, NULL,
                          "the file is empty (no header row)");
    L->bytes_before += (uint64_t)sb.st_size;
out:
    free(path);
    return st;
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

/* ------------------------------------------------------------------------
 * Every file
 * --------------------------------------------------------------------- */

enum cs_status cs_dataset_load(const struct cs_load_options *opt,
                               struct cs_dataset **out, struct cs_error *err)
{
    return cs_dataset_load_tuned(opt, NULL, out, err);
}

enum cs_status cs_dataset_load_tuned(const struct cs_load_options *opt,
                                     const struct cs_load_tuning *tuning,
                                     struct cs_dataset **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct loader L;
    *out = NULL;
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
            st = cs_rows_build_plans(&L);
            if (st != CS_OK)
                goto out;
        }
        if ((st = cs_currency_after_table(&L, (enum cs_table)t)) != CS_OK)
            goto out;
    }
    for (int t = 0; t < CS_T_COUNT; t++)
        cs_columns_shrink(&L.cols[t]);
    if (ds->n_rejects > 1)
        qsort(ds->rejects, ds->n_rejects, sizeof *ds->rejects, cmp_reject);
out:
    loader_release(&L);
    if (st != CS_OK) {
        cs_dataset_free(ds);
        return st;
    }
    *out = ds;
    return CS_OK;
}

/* ------------------------------------------------------------------------
 * Alternative plans for a what-if
 * --------------------------------------------------------------------- */

/* Plan p of ds, in the order of ds->plans: the tiers of alternative a
 * of tmp (CS_NONE: nobody is on it, it keeps its current tiers, added
 * by keep_current).  nt: the tiers so far. */
static void take_alt(struct cs_plans *out, size_t p, const struct cs_plans *alt, uint32_t a,
                     const struct cs_plans *cur, size_t *nt)
{
    out->tier_first[p] = (uint32_t)*nt;
    if (a == CS_NONE) {
        out->period_type[p] = cur->period_type[p];
        out->quota[p] = cur->quota[p];
        out->tier_count[p] = 0;
        return;
    }
    out->period_type[p] = alt->period_type[a];
    out->quota[p] = alt->quota[a];
    out->tier_count[p] = alt->tier_count[a];
    for (uint32_t k = 0; k < alt->tier_count[a]; k++) {
        out->floor[*nt] = alt->floor[alt->tier_first[a] + k];
        out->rate[*nt] = alt->rate[alt->tier_first[a] + k];
        (*nt)++;
    }
}

/* The plans nobody is on still need their tiers for the maths to be
 * defined: their current ones, after the others.  0, or -1 on OOM. */
static int keep_current(struct cs_plans *out, const struct cs_plans *cur)
{
    size_t nt = out->n_tiers;
    for (size_t p = 0; p < out->n; p++) {
        if (out->tier_count[p])
            continue;
        size_t need = nt + cur->tier_count[p];
        double *f = realloc(out->floor, need * sizeof *f), *r;
        if (f)
            out->floor = f;
        r = f ? realloc(out->rate, need * sizeof *r) : NULL;
        if (!f || !r)
            return -1;
        out->rate = r;
        out->tier_first[p] = (uint32_t)nt;
        out->tier_count[p] = cur->tier_count[p];
        for (uint32_t k = 0; k < cur->tier_count[p]; k++) {
            out->floor[nt] = cur->floor[cur->tier_first[p] + k];
            out->rate[nt] = cur->rate[cur->tier_first[p] + k];
            nt++;
        }
        out->n_tiers = nt;
    }
    return 0;
}

/* The plans of tmp (loaded by L) in ds's plan order into out. */
static enum cs_status reorder_alt(struct loader *L, const char *path, const struct cs_dataset *ds,
                                  struct cs_plans *out, size_t *extra)
{
    const struct cs_dataset *tmp = L->ds;
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
        !out->floor || !out->rate)
        return cs_load_oom(L);
    size_t matched = 0;
    for (size_t p = 0; p < n; p++) {
        const char *pid = cs_strpool_get(ds->str, ds->plans.id[p]);
        uint32_t sid = cs_strpool_find(tmp->str, pid, strlen(pid));
        uint32_t a = sid ? cs_keyindex_get(L->key[CS_T_PLANS], sid) : CS_NONE;
        out->id[p] = ds->plans.id[p];
        if (a == CS_NONE) {
            size_t reps = 0;
            for (size_t r = 0; r < ds->reps.n; r++)
                reps += ds->reps.plan[r] == p;
            char q[128];
            cs_quote_bytes(q, sizeof q, pid, strlen(pid));
            if (reps)
                return cs_error_set(L->err, CS_ERR_INPUT, path, 0, NULL,
                                    "plan %s, which %zu reps are on, is not in the alternative plans",
                                    q, reps);
        }
        matched += a != CS_NONE;
        take_alt(out, p, &tmp->plans, a, &ds->plans, &nt);
    }
    out->n_tiers = nt;
    if (keep_current(out, &ds->plans) != 0)
        return cs_load_oom(L);
    if (extra)
        *extra = tmp->plans.n - matched;
    return CS_OK;
}

enum cs_status cs_plans_load_alt(const char *path, const struct cs_dataset *ds,
                                 const struct cs_load_options *opt, struct cs_plans *out,
                                 size_t *extra, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_load_options o = *opt;
    struct loader L;
    memset(out, 0, sizeof *out);
    if (extra)
        *extra = 0;
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
    /* Reorder into ds's plan order; every plan a rep is on must be there. */
    st = reorder_alt(&L, path, ds, out, extra);
out:
    loader_release(&L);
    cs_dataset_free(tmp);
    if (st != CS_OK)
        cs_plans_free(out);
    return st;
}
