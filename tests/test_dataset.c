/* test_dataset.c - the importer: every reject reason, every exit-2 case, maps, chunk sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compsight/dataset.h"
#include "compsight/strpool.h"
#include "input/tuning.h"

/* ------------------------------------------------------------------------
 * A data directory per test, written from strings
 * --------------------------------------------------------------------- */

static const char *const base_files[][2] = {
    {"plans.csv", "plan_id,period_type,quota,tier_floor,rate\n"
                  "P1,quarter,100000,0,0.1\nP1,quarter,100000,1.0,0.15\n"
                  "PY,year,400000,0,0.05\n"},
    {"reps.csv", "rep_id,name,team,role,plan_id,manager\n"
                 "R1,Ann,East,AE,P1,M\nR2,Bob,West,AE,PY,M\nM1,Mia,Marketing,Marketing,,\n"},
    {"deals.csv", "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n"
                  "D1,R1,Acme,new,Core,50000,10,2026-01-01,2026-02-01,won\n"
                  "D2,R2,Beta,renewal,Core,20000,,2026-01-01,2026-03-01,lost\n"
                  "D3,R2,Gamma,expansion,Plus,,,,,open\n"},
};

struct dir {
    char path[64];
};

static void put(struct dir *d, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d->path, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

/* A fresh directory with the base files, then overrides (name, text) pairs. */
static void make_dir(struct dir *d, ...)
{
    snprintf(d->path, sizeof d->path, "/tmp/cs_test_dataset_XXXXXX");
    assert_non_null(mkdtemp(d->path));
    for (size_t i = 0; i < sizeof base_files / sizeof base_files[0]; i++)
        put(d, base_files[i][0], base_files[i][1]);
    va_list ap;
    va_start(ap, d);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL)
        put(d, name, va_arg(ap, const char *));
    va_end(ap);
}

static void remove_dir(struct dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
}

static enum cs_status load(struct dir *d, const struct cs_map *map, size_t chunk,
                           struct cs_dataset **ds, struct cs_error *err)
{
    struct cs_load_options opt = {.dir = d->path, .map = map, .chunk_size = chunk};
    cs_error_clear(err);
    return cs_dataset_load(&opt, ds, err);
}

static void assert_counts_balance(const struct cs_dataset *ds)
{
    for (int t = 0; t < CS_T_COUNT; t++)
        assert_int_equal(ds->counts[t].read,
                         ds->counts[t].used + ds->counts[t].rejected + ds->counts[t].excluded);
}

/* Exactly one reject, in file, line and column, whose reason contains text. */
static void expect_one_reject(const char *file_name, const char *file_text, const char *file,
                              unsigned line, const char *column, const char *text)
{
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, file_name, file_text, NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_counts_balance(ds);
    if (ds->n_rejects != 1) {
        for (size_t i = 0; i < ds->n_rejects; i++)
            print_error("reject %zu: line %u %s: %s\n", i, ds->rejects[i].line,
                        ds->rejects[i].column, ds->rejects[i].reason);
    }
    assert_int_equal(ds->n_rejects, 1);
    const struct cs_reject *r = &ds->rejects[0];
    assert_string_equal(cs_schema_table((enum cs_table)r->table)->file, file);
    assert_int_equal(r->line, line);
    assert_string_equal(r->column, column);
    if (!strstr(r->reason, text))
        fail_msg("reason \"%s\" lacks \"%s\"", r->reason, text);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Good input
 * --------------------------------------------------------------------- */

static void test_base_loads(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->plans.n, 2);
    assert_int_equal(ds->plans.n_tiers, 3);
    assert_int_equal(ds->reps.n, 3);
    assert_int_equal(ds->deals.n, 3);
    assert_true(ds->counts[CS_T_DEALS].present);
    assert_false(ds->counts[CS_T_PROMISES].present);
    assert_int_equal(ds->deals.stage[0], CS_STAGE_WON);
    assert_int_equal(ds->deals.type[1], CS_TYPE_RENEWAL);
    assert_true(isnan(ds->deals.amount[2]));
    assert_true(isnan(ds->deals.discount_pct[1]));
    assert_int_equal(ds->deals.close[2], CS_NO_DATE);
    assert_int_equal(ds->deals.line[2], 4);
    assert_string_equal(cs_ds_str(ds, ds->reps.team[ds->deals.rep[1]]), "West");
    assert_int_equal(ds->reps.plan[2], CS_NONE);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/*
 * Deal and promise ids whose text was interned before the table's first
 * key (a rep's name, an account, a feature): the dense key index grows at
 * its front, and every reference still finds its row.
 */
static void test_keys_seen_before(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, "deals.csv",
             "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n"
             "D1,R1,Acme,new,Core,50000,10,2026-01-01,2026-02-01,won\n"
             "Ann,R1,Beta,new,Core,20000,,2026-01-01,2026-03-01,won\n"
             "Acme,R2,Gamma,new,Core,30000,,2026-01-01,2026-03-01,won\n"
             "East,R2,Delta,new,Core,30000,,2026-01-01,2026-03-01,lost\n",
             "promises.csv",
             "promise_id,deal_id,feature_id,promised_date,due_date,text\n"
             "PR1,Acme,F1,2026-01-10,,SSO\n"
             "F1,Ann,Delta,2026-01-11,,Delta\n"
             "Gamma,East,F1,2026-01-12,,x\n",
             "commissions.csv",
             "rep_id,deal_id,period,commission\n"
             "R1,Ann,2026Q1,100\nR2,Acme,2026,50\nR1,D1,2026Q1,10\n",
             NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->deals.n, 4);
    assert_int_equal(ds->promises.n, 3);
    /* promise deals: Acme is row 2, Ann row 1, East row 3 */
    assert_int_equal(ds->promises.deal[0], 2);
    assert_int_equal(ds->promises.deal[1], 1);
    assert_int_equal(ds->promises.deal[2], 3);
    assert_int_equal(ds->commissions.deal[0], 1);
    assert_int_equal(ds->commissions.deal[1], 2);
    assert_int_equal(ds->commissions.deal[2], 0);
    cs_dataset_free(ds);
    remove_dir(&d);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Two texts prefix<number> with the same pool hash, numbers from start on. */
static void colliding_pair(const char *prefix, unsigned start, char *a, char *b)
{
    enum { N = 1 << 19 };
    uint64_t *e = malloc(N * sizeof *e);
    assert_non_null(e);
    char t[32];
    for (unsigned i = 0; i < N; i++) {
        int len = snprintf(t, sizeof t, "%s%u", prefix, start + i);
        e[i] = (uint64_t)cs_strpool_hash(t, (size_t)len) << 32 | i;
    }
    qsort(e, N, sizeof *e, cmp_u64);
    for (unsigned i = 1; i < N; i++) {
        if (e[i] >> 32 == e[i - 1] >> 32) {
            snprintf(a, 32, "%s%u", prefix, start + (uint32_t)e[i - 1]);
            snprintf(b, 32, "%s%u", prefix, start + (uint32_t)e[i]);
            free(e);
            return;
        }
    }
    free(e);
    fail_msg("no two of %u texts share a hash", (unsigned)N);
}

/*
 * References resolved without the string pool's table: reps by a table of
 * their own (grown past its first size), deals near the row found last
 * and, further off, through the pool.  Every reference's row is checked
 * against the number in its text, in deal order, by rep, backwards and at
 * random; texts that are in the pool but are not keys are not found.
 */
static void test_references_found_by_text(void **state)
{
    (void)state;
    enum { REPS = 700, DEALS = 3000, N = 14 * DEALS };
    char *reps = NULL, *deals = NULL, *comm = NULL;
    size_t rl = 0, dl = 0, cl = 0;
    FILE *fr = open_memstream(&reps, &rl), *fd = open_memstream(&deals, &dl),
         *fc = open_memstream(&comm, &cl);
    /* texts of the same hash: two rep ids, two deal ids */
    char ra[32], rb[32], da[32], db[32];
    colliding_pair("Q", 0, ra, rb);
    colliding_pair("X", 0, da, db);
    fputs("rep_id,name,team,role,plan_id,manager\n", fr);
    for (int r = 1; r <= REPS; r++)
        fprintf(fr, "R%d,Name %d,East,AE,P1,M\n", r, r);
    fprintf(fr, "%s,A,East,AE,P1,M\n%s,B,East,AE,P1,M\n", ra, rb);
    fputs("deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n", fd);
    for (int i = 1; i <= DEALS; i++) {
        /* ids of several lengths; rep i % REPS + 1 */
        fprintf(fd, "D%0*d,R%d,Acct %d,new,Core,100,,2026-01-01,2026-02-01,won\n", 1 + i % 7, i,
                i % REPS + 1, i % 50);
        if (i == 1500)   /* a duplicate: rejected, never found */
            fputs("D01,R1,Dup,new,Core,100,,2026-01-01,2026-02-01,won\n", fd);
    }
    fprintf(fd, "%s,%s,A,new,Core,100,,2026-01-01,2026-02-01,won\n", da, rb);
    fprintf(fd, "%s,%s,A,new,Core,100,,2026-01-01,2026-02-01,won\n", db, ra);
    fputs("rep_id,deal_id,period,commission\n", fc);
    unsigned x = 12345;
    static int order[N];
    int n = 0;
    for (int i = 1; i <= DEALS; i++)                     /* in order */
        order[n++] = i;
    for (int r = 0; r < 7; r++)                          /* by rep, a few reps */
        for (int i = 1; i <= DEALS; i++)
            if (i % REPS == r)
                order[n++] = i;
    for (int i = DEALS; i >= 1; i -= 3)                  /* backwards */
        order[n++] = i;
    /* at random, long enough for the loader to stop guessing (it then
     * guesses one lookup in 64, and goes back to guessing when a window
     * of those does well), then in order again, and at random again */
    while (n < 10 * DEALS) {
        x = x * 1103515245u + 12345u;
        order[n++] = 1 + (int)(x >> 8) % DEALS;
    }
    for (int k = 0; k < 2 * DEALS; k++)
        order[n++] = 1 + k / 2;
    while (n < N) {
        x = x * 1103515245u + 12345u;
        order[n++] = 1 + (int)(x >> 8) % DEALS;
    }
    for (int k = 0; k < n; k++)
        fprintf(fc, "R1,D%0*d,2026Q1,1\n", 1 + order[k] % 7, order[k]);
    fprintf(fc, "%s,%s,2026Q1,1\n%s,%s,2026Q1,1\n%s,%s,2026Q1,1\n", rb, db, ra, da, rb, db);
    /* not deal ids: a rep id, an account, a name, a deal id of another length */
    fputs("R1,R5,2026Q1,1\nR1,Acct 3,2026Q1,1\nR1,Name 9,2026Q1,1\nR1,D00000001,2026Q1,1\n", fc);
    fputs("R701,D1,2026Q1,1\nR1,,2026Q1,1\n", fc);   /* an unknown rep; a blank deal */
    fclose(fr);
    fclose(fd);
    fclose(fc);
    struct dir d;
    make_dir(&d, "reps.csv", reps, "deals.csv", deals, "commissions.csv", comm, NULL);
    for (int chunk = 0; chunk < 2; chunk++) {
        struct cs_dataset *ds = NULL;
        struct cs_error err;
        assert_int_equal(load(&d, NULL, chunk ? 1 : 0, &ds, &err), CS_OK);
        assert_int_equal(ds->deals.n, DEALS + 2);
        for (size_t i = 0; i < DEALS; i++)
            assert_int_equal(ds->deals.rep[i], (i + 1) % REPS);
        assert_int_equal(ds->deals.rep[DEALS], REPS + 1);       /* da: rb */
        assert_int_equal(ds->deals.rep[DEALS + 1], REPS);       /* db: ra */
        assert_int_equal(ds->commissions.n, n + 3);
        for (int k = 0; k < n; k++)
            assert_int_equal(ds->commissions.deal[k], order[k] - 1);
        const uint32_t deal[] = {DEALS + 1, DEALS, DEALS + 1}, rep[] = {REPS + 1, REPS, REPS + 1};
        for (int k = 0; k < 3; k++) {
            assert_int_equal(ds->commissions.deal[n + k], deal[k]);
            assert_int_equal(ds->commissions.rep[n + k], rep[k]);
        }
        /* the duplicate, the four texts that are no deal ids, the rep, the blank */
        assert_int_equal(ds->n_rejects, 7);
        assert_int_equal(ds->rejects[0].table, CS_T_DEALS);
        for (size_t r = 1; r < 7; r++) {
            assert_int_equal(ds->rejects[r].table, CS_T_COMMISSIONS);
            assert_int_equal(ds->rejects[r].line, n + 4 + r);
        }
        assert_string_equal(ds->rejects[5].column, "rep_id");
        cs_dataset_free(ds);
    }
    free(reps);
    free(deals);
    free(comm);
    remove_dir(&d);
}

/* Formats of section 2 in one file: BOM, CRLF, currency, thousands, %, quoted
 * line breaks (lines counted), case-insensitive headers in another order,
 * CRM stage spellings, unknown columns ignored. */
static const char formats_deals[] =
    "\xEF\xBB\xBF" "Stage, DEAL_ID ,rep_id,Account,type,amount,discount_pct,close_date,extra\r\n"
    "Closed Won,D1,R1,\"Acme, Inc.\",NEW,\"$12,500.50\",12.5%,2026-02-01T10:00:00,x\r\n"
    "closedlost,D2,R1,\"Multi\r\nline\r\naccount\",Renewal,\xE2\x82\xAC" "1000,0,2026-02-02 09:00,y\r\n"
    "open,D3,R1,\"He said \"\"hi\"\"\",expansion,,,,z\r\n";

static void test_value_formats(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, "deals.csv", formats_deals, NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->deals.n, 3);
    assert_true(ds->deals.amount[0] == 12500.5);
    assert_true(ds->deals.discount_pct[0] == 12.5);
    assert_true(ds->deals.amount[1] == 1000);
    assert_int_equal(ds->deals.stage[0], CS_STAGE_WON);
    assert_int_equal(ds->deals.stage[1], CS_STAGE_LOST);
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 2, 1));
    assert_string_equal(cs_ds_str(ds, ds->deals.account[0]), "Acme, Inc.");
    assert_string_equal(cs_ds_str(ds, ds->deals.account[1]), "Multi\r\nline\r\naccount");
    assert_string_equal(cs_ds_str(ds, ds->deals.account[2]), "He said \"hi\"");
    assert_int_equal(ds->deals.line[1], 3);
    assert_int_equal(ds->deals.line[2], 6);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* The same events whatever the read size: replay with chunks from 1 byte. */
static void test_chunk_sizes(void **state)
{
    (void)state;
    struct dir d;
    struct cs_error err;
    make_dir(&d, "deals.csv", formats_deals, "promises.csv",
             "promise_id,deal_id,feature_id,text\nP1,D1,,\"a\nb\"\nP2,D9,,x\n", NULL);
    struct cs_dataset *ref = NULL;
    assert_int_equal(load(&d, NULL, 0, &ref, &err), CS_OK);
    for (size_t chunk = 1; chunk <= sizeof formats_deals + 8; chunk++) {
        struct cs_dataset *ds = NULL;
        assert_int_equal(load(&d, NULL, chunk, &ds, &err), CS_OK);
        assert_int_equal(ds->deals.n, ref->deals.n);
        assert_int_equal(ds->n_rejects, ref->n_rejects);
        for (size_t i = 0; i < ds->deals.n; i++) {
            assert_int_equal(ds->deals.line[i], ref->deals.line[i]);
            assert_string_equal(cs_ds_str(ds, ds->deals.account[i]),
                                cs_ds_str(ref, ref->deals.account[i]));
        }
        for (size_t i = 0; i < ds->n_rejects; i++)
            assert_int_equal(ds->rejects[i].line, ref->rejects[i].line);
        cs_dataset_free(ds);
    }
    assert_int_equal(ref->n_rejects, 1);
    assert_int_equal(ref->rejects[0].line, 4);
    cs_dataset_free(ref);
    remove_dir(&d);
}

/* Everything a load produced, as text: counts, rejects, rows, the error. */
static char *digest(enum cs_status st, const struct cs_error *err, const struct cs_dataset *ds)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fprintf(f, "status %d %s:%lu:%s:%s\n", (int)st, err->file, err->line, err->column, err->msg);
    if (ds) {
        for (int t = 0; t < CS_T_COUNT; t++)
            fprintf(f, "count %d %zu %zu %zu\n", t, ds->counts[t].read, ds->counts[t].used,
                    ds->counts[t].rejected);
        for (size_t i = 0; i < ds->n_rejects; i++)
            fprintf(f, "reject %u %u %s %s\n", ds->rejects[i].table, ds->rejects[i].line,
                    ds->rejects[i].column, ds->rejects[i].reason);
        for (size_t i = 0; i < ds->deals.n; i++)
            fprintf(f, "deal %s %s %s %.17g %u\n", cs_ds_str(ds, ds->deals.id[i]),
                    cs_ds_str(ds, ds->deals.account[i]), cs_ds_str(ds, ds->deals.product[i]),
                    ds->deals.amount[i], ds->deals.line[i]);
        for (size_t i = 0; i < ds->promises.n; i++)
            fprintf(f, "promise %s %u %s %u\n", cs_ds_str(ds, ds->promises.id[i]),
                    ds->promises.deal[i], cs_ds_str(ds, ds->promises.text[i]),
                    ds->promises.line[i]);
    }
    fclose(f);
    return buf;
}

static enum cs_status load_planned(struct dir *d, size_t thread_min, size_t rows, size_t text,
                                   size_t plan_min, char **out)
{
    struct cs_load_options opt = {.dir = d->path};
    struct cs_load_tuning tune = {.thread_min_size = thread_min, .batch_rows = rows,
                                  .batch_text = text, .plan_min_size = plan_min};
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cs_dataset_load_tuned(&opt, &tune, &ds, &err);
    *out = digest(st, &err, ds);
    cs_dataset_free(ds);
    return st;
}

static enum cs_status load_tuned(struct dir *d, size_t thread_min, size_t rows, size_t text,
                                 char **out)
{
    return load_planned(d, thread_min, rows, text, 0, out);
}

/*
 * The two-thread reader gives the same dataset, rejects and errors as
 * reading in line, whatever the batch size: rows handed over one by one,
 * a batch that fills up with text in the middle of a row, a row longer
 * than a whole batch's text, a malformed record after good ones.
 */
static void test_reader_thread(void **state)
{
    (void)state;
    char *deals = NULL, *promises = NULL;
    size_t dl = 0, pl = 0;
    FILE *fd = open_memstream(&deals, &dl), *fp = open_memstream(&promises, &pl);
    fputs("deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n", fd);
    fputs("promise_id,deal_id,feature_id,text\n", fp);
    for (int i = 1; i <= 400; i++) {
        if (i % 37 == 0)
            fprintf(fd, "D%d,R1,Acme,new,Core,lots,,2026-01-01,2026-02-01,won\n", i);   /* reject */
        else if (i % 41 == 0)
            fprintf(fd, "D%d,R9,\"Multi\nLine %d\",new,Core,%d,,2026-01-01,2026-02-01,won\n", i, i, i);
        else
            fprintf(fd, "D%d,R%d,\"Account, %d\",new,Core,%d.5,5,2026-01-01,2026-02-%02d,won\n", i,
                    1 + i % 2, i % 13, 1000 + i, 1 + i % 28);
        fprintf(fp, "P%d,D%d,,\"%s%d\"\n", i, i, i % 50 == 0 ? "a long promise text, " : "t", i);
    }
    fclose(fd);
    fclose(fp);
    struct dir d;
    make_dir(&d, "deals.csv", deals, "promises.csv", promises, NULL);
    char *plain = NULL;
    assert_int_equal(load_tuned(&d, SIZE_MAX, 0, 0, &plain), CS_OK);
    char want[64];
    snprintf(want, sizeof want, "reject %d 38 amount", (int)CS_T_DEALS);   /* D37, on line 38 */
    assert_non_null(strstr(plain, want));
    const size_t rows[] = {1, 2, 3, 7, 64, 0}, text[] = {1, 10, 100, 4096, 0};
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        for (size_t t = 0; t < sizeof text / sizeof *text; t++) {
            char *threaded = NULL;
            assert_int_equal(load_tuned(&d, 1, rows[r], text[t], &threaded), CS_OK);
            if (strcmp(plain, threaded) != 0)
                fail_msg("batch_rows %zu, batch_text %zu: the threaded load differs", rows[r], text[t]);
            free(threaded);
            /* planned ahead after the first batch: pool reserved, memory
             * faulted in by the reader while it waits */
            assert_int_equal(load_planned(&d, 1, rows[r], text[t], 1, &threaded), CS_OK);
            if (strcmp(plain, threaded) != 0)
                fail_msg("batch_rows %zu, batch_text %zu: the planned load differs", rows[r], text[t]);
            free(threaded);
        }
    }
    /* a malformed record after good ones: the same error and rejects */
    free(plain);
    free(deals);
    fd = open_memstream(&deals, &dl);
    fputs("deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n", fd);
    for (int i = 1; i <= 50; i++)
        fprintf(fd, "D%d,R1,A,new,Core,%s,,2026-01-01,2026-02-01,won\n", i, i % 9 ? "100" : "x");
    fputs("D99,R1,\"unterminated,new,Core,1,,2026-01-01,2026-02-01,won\n", fd);
    fclose(fd);
    put(&d, "deals.csv", deals);
    assert_int_equal(load_tuned(&d, SIZE_MAX, 0, 0, &plain), CS_ERR_INPUT);
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        char *threaded = NULL;
        assert_int_equal(load_tuned(&d, 1, rows[r], 10, &threaded), CS_ERR_INPUT);
        assert_string_equal(plain, threaded);
        free(threaded);
    }
    free(plain);
    free(deals);
    free(promises);
    remove_dir(&d);
}

static void test_date_formats(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, "deals.csv",
             "deal_id,rep_id,type,amount,close_date,stage\nD1,R1,new,\"1.234,5\",2/3/2026,won\n",
             "plans.csv", "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,\"100.000\",0,\"0,1\"\n"
             "PY,year,400000,0,\"0,05\"\n", NULL);
    struct cs_load_options opt = {.dir = d.path, .date_format = CS_DATE_EU, .decimal_comma = true};
    assert_int_equal(cs_dataset_load(&opt, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 3, 2));
    assert_true(ds->deals.amount[0] == 1234.5);
    cs_dataset_free(ds);
    opt.date_format = CS_DATE_US;
    opt.decimal_comma = false;
    assert_int_equal(cs_dataset_load(&opt, &ds, &err), CS_OK);
    /* without --decimal-comma "1.234,5" is not a number, nor is the rate
     * "0,1"; "100.000" is 100 */
    assert_true(ds->n_rejects >= 2);
    assert_string_equal(ds->rejects[0].column, "rate");
    assert_string_equal(ds->rejects[ds->n_rejects - 1].column, "amount");
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Every reject reason
 * --------------------------------------------------------------------- */

#define DEALS_HDR "deal_id,rep_id,type,amount,discount_pct,close_date,stage\n"
#define PLANS_HDR "plan_id,period_type,quota,tier_floor,rate\n"

/* One file replaced in the base directory; exactly one reject, in that
 * file, line and column, whose reason holds text. */
static const struct {
    const char *file, *text;
    unsigned line;
    const char *column, *reason;
} reject_cases[] = {
    /* the cells, as parsed */
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,2026-01-01,won\nD2,,new,10,,2026-01-01,won\n",
     3, "rep_id", "required value is missing"},
    {"deals.csv", DEALS_HDR "D1,R1,new,12abc,,2026-01-01,won\n",
     2, "amount", "not a number: \"12abc\""},
    {"deals.csv", DEALS_HDR "D1,R1,new,\"12,50\",,2026-01-01,won\n", 2, "amount", "not a number"},
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,2026-02-30,won\n",
     2, "close_date", "not a date (expected YYYY-MM-DD)"},
    {"deals.csv", DEALS_HDR "D1,R1,new,5,,2026-01-01,pending\n",
     2, "stage", "unknown value \"pending\" (expected won, lost, open)"},
    {"quotas.csv", "rep_id,period,quota\nR1,Q3-2026,5\n", 2, "period", "not a period label"},
    {"roadmap.csv", "feature_id,status\nF1,shipped\nF2,someday\n",
     3, "status", "unknown value \"someday\""},

    /* deals.csv */
    {"deals.csv", DEALS_HDR "D1,R1,new,10,150,2026-01-01,won\n",
     2, "discount_pct", "between 0 and 100"},
    {"deals.csv", DEALS_HDR "D1,R1,new,0,,2026-01-01,won\nD2,R1,new,0,,2026-01-01,lost\n",
     2, "amount", "greater than 0 for a won deal"},
    {"deals.csv", DEALS_HDR "D1,R1,new,,,2026-01-01,won\n", 2, "amount", "required for a won deal"},
    {"deals.csv", DEALS_HDR "D1,R1,new,-5,,2026-01-01,lost\n", 2, "amount", "0 or more"},
    {"deals.csv", DEALS_HDR "D1,R1,new,5,,,lost\n", 2, "close_date", "required for a lost deal"},
    {"deals.csv", DEALS_HDR "D1,R1,new,5,,2026-01-01,won\n D1 ,R1,new,5,,2026-01-02,won\n",
     3, "deal_id", "duplicate deal_id \"D1\" (first on line 2)"},
    {"deals.csv", DEALS_HDR "D1,R9,new,5,,2026-01-01,won\n", 2, "rep_id", "unknown rep_id \"R9\""},
    {"deals.csv", DEALS_HDR "D1,M1,new,5,,2026-01-01,won\n", 2, "rep_id", "has no plan_id"},

    /* reps.csv, promises.csv, quotas.csv */
    {"reps.csv", "rep_id,team,plan_id\nR1,East,P1\nR2,West,PY\nR3,East,NOPE\n",
     4, "plan_id", "unknown plan_id \"NOPE\""},
    {"promises.csv", "promise_id,deal_id,feature_id\nX1,D1,F1\nX2,D404,F1\n",
     3, "deal_id", "unknown deal_id \"D404\""},
    {"promises.csv", "promise_id,deal_id\nX1,D1\nX1,D2\n", 3, "promise_id", "duplicate promise_id"},
    {"quotas.csv", "rep_id,period,quota\nR1,2026Q1,5\nR1,2026,5\n",
     3, "period", "is a year but the rep's plan is quarterly"},
    {"quotas.csv", "rep_id,period,quota\nR2,2026,5\nR2,2026,6\n", 3, "period", "duplicate quota"},

    /* plans.csv: a plan's rows must agree */
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,year,100000,1,0.2\nPY,year,400000,0,0.05\n",
     3, "period_type", "plan \"P1\" has period_type quarter on line 2"},
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,quarter,100000,0,0.2\nPY,year,400000,0,0.05\n",
     3, "tier_floor", "duplicate tier_floor 0"},
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,quarter,-1,1,0.2\nPY,year,400000,0,0.05\n",
     3, "quota", "greater than 0"},

    /* plausible ranges (schema.h), checked as the cell is read: beyond
     * them a value is a reject naming its file, line and column, not a
     * stop later ("marginal_rate: values too large") */
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,quarter,100000,1,1e154\nPY,year,400000,0,0.05\n",
     3, "rate", "beyond the plausible range (at most 10, 1,000% of the amount): \"1e154\""},
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,quarter,100000,1e6,0.2\nPY,year,400000,0,0.05\n",
     3, "tier_floor", "beyond the plausible range (at most 100, 10,000% of quota)"},
    {"plans.csv", PLANS_HDR "P1,quarter,100000,0,0.1\nP1,quarter,4e15,1,0.15\nPY,year,400000,0,0.05\n",
     3, "quota", "beyond the plausible range (at most 1e15 either way): \"4e15\""},
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,2026-01-01,won\nD2,R1,new,1e300,,2026-01-01,won\n",
     3, "amount", "beyond the plausible range (at most 1e15 either way): \"1e300\""},
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,2026-01-01,lost\nD2,R1,new,-2e15,,2026-01-01,lost\n",
     3, "amount", "beyond the plausible range"},
    {"quotas.csv", "rep_id,period,quota\nR1,2026Q1,5\nR1,2026Q2,1.5e15\n",
     3, "quota", "beyond the plausible range (at most 1e15 either way)"},
    {"spiffs.csv", "spiff_id,product,start_date,end_date,amount\nS1,Core,2026-01-01,2026-02-01,1e16\n",
     2, "amount", "beyond the plausible range"},
    {"commissions.csv", "rep_id,deal_id,commission\nR1,D1,5\nR1,D1,-1e16\n",
     3, "commission", "beyond the plausible range"},
    {"targets.csv", "owner_id,period,target,actual\nM1,2026Q1,10,1e20\n",
     2, "actual", "beyond the plausible range"},
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,2026-01-01,won\nD2,R1,new,10,,0001-01-01,won\n",
     3, "close_date", "outside the plausible years 1900 to 2200: \"0001-01-01\""},
    {"deals.csv", DEALS_HDR "D1,R1,new,10,,9999-12-31,won\nD2,R1,new,10,,2026-01-01,won\n",
     2, "close_date", "outside the plausible years 1900 to 2200: \"9999-12-31\""},
    {"deals.csv", "deal_id,rep_id,type,amount,created_date,close_date,stage\n"
                  "D1,R1,new,10,1899-12-31,2026-01-01,won\n",
     2, "created_date", "outside the plausible years"},
    {"promises.csv", "promise_id,deal_id,promised_date\nX1,D1,2026-01-01\nX2,D1,2201-01-01\n",
     3, "promised_date", "outside the plausible years 1900 to 2200"},
    {"roadmap.csv", "feature_id,status,target_date\nF1,planned,1066-10-14\n",
     2, "target_date", "outside the plausible years"},
    {"collateral.csv", "asset_id,owner_id,published_date\nA1,M1,2026-01-01\nA2,M1,3000-01-01\n",
     3, "published_date", "outside the plausible years"},
    {"spiffs.csv", "spiff_id,product,start_date,end_date\nS1,Core,2026-01-01,2200-12-31\n"
                   "S2,Core,1899-01-01,2026-01-01\n",
     3, "start_date", "outside the plausible years"},

    /* the other files */
    {"targets.csv", "owner_id,period,target,actual\nM1,2026Q1,10,5\nM1,2026,10,5\n",
     3, "period", "targets are per quarter"},
    {"collateral.csv", "asset_id,owner_id,published_date\nA1,M1,2026-01-01\nA2,ZZ,2026-01-01\n",
     3, "owner_id", "unknown owner_id \"ZZ\""},
    {"claims.csv", "asset_id,feature_id,claim\nA1,F1,available\n", 2, "asset_id", "unknown asset_id"},
    {"spiffs.csv", "spiff_id,product,start_date,end_date\nS1,Core,2026-02-01,2026-01-01\n",
     2, "end_date", "before start_date"},
    {"commissions.csv", "rep_id,deal_id,commission\nR1,D1,5\nR1,D77,5\n",
     3, "deal_id", "unknown deal_id \"D77\""},
};

static void test_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++)
        expect_one_reject(reject_cases[i].file, reject_cases[i].text, reject_cases[i].file,
                          reject_cases[i].line, reject_cases[i].column, reject_cases[i].reason);
}

/* A plan without a floor-0 tier is rejected whole, and the reject cascades. */
static void test_reject_plan_without_zero(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, "plans.csv", PLANS_HDR "P1,quarter,100,0,0.1\nPY,year,400,0.5,0.05\nPY,year,400,1,0.1\n",
             NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_counts_balance(ds);
    /* both PY rows, then R2 (on PY) in reps.csv, then R2's two deals: a
     * cascade that names its cause at every step */
    assert_int_equal(ds->n_rejects, 5);
    assert_int_equal(ds->rejects[0].line, 3);
    assert_string_equal(ds->rejects[0].reason, "plan \"PY\" has no tier with floor 0");
    assert_string_equal(ds->rejects[1].column, "tier_floor");
    assert_int_equal(ds->rejects[2].table, CS_T_REPS);
    assert_int_equal(ds->rejects[3].table, CS_T_DEALS);
    assert_int_equal(ds->plans.n, 1);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* Unknown and blank feature ids are data (off-roadmap), not rejects. */
static void test_feature_references(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, "roadmap.csv", "feature_id,title,status\nF1,Thing,planned\n",
             "promises.csv", "promise_id,deal_id,feature_id,text\nX1,D1,F1,\nX2,D1,F9,\nX3,D1,,SSO\n", NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    assert_int_equal(ds->n_rejects, 0);
    assert_int_equal(ds->promises.feature[0], 0);
    assert_int_equal(ds->promises.feature[1], CS_NONE);
    assert_string_equal(cs_ds_str(ds, ds->promises.feature_text[1]), "F9");
    assert_int_equal(ds->promises.feature_text[2], 0);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Exit-2 cases: the file as a whole cannot be used
 * --------------------------------------------------------------------- */

/* One file replaced (text NULL: removed; len 0: strlen(text)): the load
 * fails with CS_ERR_INPUT naming that file and line, the message holding
 * reason, and no dataset. */
static const struct {
    const char *file, *text;
    size_t len;
    unsigned long line;
    const char *reason;
} input_errors[] = {
    {"reps.csv", NULL, 0, 0, "a required file"},
    {"deals.csv", "deal_id,rep_id,amount,close_date,stage\nD1,R1,5,2026-01-01,won\n", 0,
     1, "required column \"type\" is missing"},
    {"deals.csv", DEALS_HDR "D1,R1,new,5,,2026-01-01,won\nD2,R1,\"new,5,,2026-01-01,won\n", 0,
     3, "unterminated"},
    {"reps.csv", "rep_id,team,plan_id\nR1,East,P1\nR2,We\"st,PY\n", 0, 3, "malformed"},
    {"reps.csv", "", 0, 1, "empty"},
    /* a column read twice: trimmed and case-folded, the same header */
    {"deals.csv", "deal_id,rep_id,type,amount,close_date,stage,\" Amount \"\nD1,R1,new,5,2026-01-01,won,7\n",
     0, 1, "the header has \"amount\" twice: column 4 \"amount\" and column 7 \" Amount \""},
    {"reps.csv", "REP_ID,team,plan_id,rep_id\nR1,East,P1,R1\n", 0, 1,
     "the header has \"rep_id\" twice: column 1 \"REP_ID\" and column 4 \"rep_id\""},
};

static void test_input_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof input_errors / sizeof *input_errors; i++) {
        struct dir d;
        struct cs_dataset *ds = (struct cs_dataset *)1;
        struct cs_error err;
        char p[128];
        make_dir(&d, NULL);
        snprintf(p, sizeof p, "%s/%s", d.path, input_errors[i].file);
        if (!input_errors[i].text) {
            assert_int_equal(unlink(p), 0);
        } else {
            FILE *f = fopen(p, "wb");
            assert_non_null(f);
            size_t len = input_errors[i].len ? input_errors[i].len : strlen(input_errors[i].text);
            assert_int_equal(fwrite(input_errors[i].text, 1, len, f), len);
            fclose(f);
        }
        assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_ERR_INPUT);
        assert_null(ds);
        assert_string_equal(err.file, input_errors[i].file);
        assert_int_equal(err.line, input_errors[i].line);
        if (!strstr(err.msg, input_errors[i].reason))
            fail_msg("%s: message \"%s\" lacks \"%s\"", input_errors[i].file, err.msg,
                     input_errors[i].reason);
        remove_dir(&d);
    }
}

static void test_field_too_long(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    make_dir(&d, NULL);
    size_t n = (1u << 20) + 10;
    char *text = malloc(n + 64);
    assert_non_null(text);
    strcpy(text, "rep_id,team,plan_id\nR1,\"");
    size_t o = strlen(text);
    memset(text + o, 'x', n);
    strcpy(text + o + n, "\",P1\n");
    put(&d, "reps.csv", text);
    free(text);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_ERR_INPUT);
    assert_string_equal(err.file, "reps.csv");
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "1 MiB"));
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * --map
 * --------------------------------------------------------------------- */

static void test_map(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    struct cs_map *map = NULL;
    static const char map_text[] =
        "[deals]\n"
        "file = opps.csv\n"
        "deal_id = Opportunity ID\n"
        "rep_id = Owner\n"
        "amount = Amount\n"
        "close_date = Close Date\n"
        "stage = Stage\n"
        "stage.won = Closed Won, Signed\n"
        "stage.open = Prospecting\n"
        "type.default = new\n"
        "date_format = us\n";
    assert_int_equal(cs_map_load_mem(map_text, strlen(map_text), "test.ini", &map, &err), CS_OK);
    make_dir(&d, "opps.csv",
             "Opportunity ID,Owner,Amount,Close Date,Stage\n"
             "O1,R1,\"$1,000\",3/31/2026,Closed Won\n"
             "O2,R1,5,4/1/2026,signed\n"
             "O3,R1,,,Prospecting\n"
             "O4,R1,5,4/1/2026,Lost Cause\n", NULL);
    assert_int_equal(load(&d, map, 0, &ds, &err), CS_OK);
    assert_int_equal(ds->deals.n, 3);
    assert_int_equal(ds->deals.stage[1], CS_STAGE_WON);
    assert_int_equal(ds->deals.stage[2], CS_STAGE_OPEN);
    assert_int_equal(ds->deals.type[0], CS_TYPE_NEW);
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 3, 31));
    assert_int_equal(ds->n_rejects, 1);
    /* a reject names the file of SPEC section 1, whatever the map reads */
    assert_int_equal(ds->rejects[0].table, CS_T_DEALS);
    assert_int_equal(ds->rejects[0].line, 5);
    assert_string_equal(ds->rejects[0].column, "stage");
    cs_dataset_free(ds);
    cs_map_free(map);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Alternative plans (what-if)
 * --------------------------------------------------------------------- */

static void test_alt_plans(void **state)
{
    (void)state;
    struct dir d;
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    struct cs_plans alt;
    bool *listed = NULL;
    make_dir(&d, "alt.csv", "plan_id,period_type,quota,tier_floor,rate\n"
                            "PY,year,500000,0,0.04\nP1,quarter,90000,0,0.1\n"
                            "P1,quarter,90000,1.2,0.11\nP1,quarter,90000,2,0\n",
             "new.csv", "plan_id,period_type,quota,tier_floor,rate\n"
                        "P1,quarter,1,0,0.1\nNEW,quarter,5,0,0.1\nNEW2,quarter,5,0,0.1\n",
             "bad.csv", "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,1,0,0.1\nPY,year,x,0,0.1\n",
             "short.csv", "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,1,0,0.1\n", NULL);
    assert_int_equal(load(&d, NULL, 0, &ds, &err), CS_OK);
    struct cs_load_options opt = {.dir = d.path};
    char path[128];
    snprintf(path, sizeof path, "%s/alt.csv", d.path);
    assert_int_equal(cs_plans_load_alt(path, ds, &opt, &alt, &listed, &err), CS_OK);
    assert_int_equal(alt.n, ds->plans.n);
    for (size_t p = 0; p < alt.n; p++) {
        const char *id = cs_ds_str(ds, ds->plans.id[p]);
        assert_true(listed[p]);
        if (strcmp(id, "P1") == 0) {
            assert_int_equal(alt.tier_count[p], 3);
            assert_true(alt.quota[p] == 90000);
            assert_true(alt.floor[alt.tier_first[p] + 1] == 1.2);
            assert_true(alt.rate[alt.tier_first[p] + 2] == 0);
        } else {
            assert_int_equal(alt.tier_count[p], 1);
            assert_true(alt.quota[p] == 500000);
        }
    }
    cs_plans_free(&alt);
    free(listed);
    /* a plan the data does not have: an error at its line */
    snprintf(path, sizeof path, "%s/new.csv", d.path);
    assert_int_equal(cs_plans_load_alt(path, ds, &opt, &alt, &listed, &err), CS_ERR_INPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.column, "plan_id");
    assert_non_null(strstr(err.msg, "plan \"NEW\" is not a plan of the data"));
    assert_null(listed);
    snprintf(path, sizeof path, "%s/bad.csv", d.path);
    assert_int_equal(cs_plans_load_alt(path, ds, &opt, &alt, NULL, &err), CS_ERR_INPUT);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.column, "quota");
    /* a file that lists only P1: PY carries over as it is (SPEC 13) */
    snprintf(path, sizeof path, "%s/short.csv", d.path);
    assert_int_equal(cs_plans_load_alt(path, ds, &opt, &alt, &listed, &err), CS_OK);
    for (size_t p = 0; p < alt.n; p++) {
        bool p1 = strcmp(cs_ds_str(ds, ds->plans.id[p]), "P1") == 0;
        assert_int_equal(listed[p], p1);
        assert_true(alt.quota[p] == (p1 ? 1 : ds->plans.quota[p]));
        assert_int_equal(alt.tier_count[p], p1 ? 1 : ds->plans.tier_count[p]);
        for (uint32_t t = 0; !p1 && t < alt.tier_count[p]; t++)
            assert_true(alt.rate[alt.tier_first[p] + t] == ds->plans.rate[ds->plans.tier_first[p] + t]);
    }
    cs_plans_free(&alt);
    free(listed);
    snprintf(path, sizeof path, "%s/none.csv", d.path);
    assert_int_equal(cs_plans_load_alt(path, ds, &opt, &alt, NULL, &err), CS_ERR_INPUT);
    cs_plans_free(&alt);
    cs_dataset_free(ds);
    remove_dir(&d);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_loads),
        cmocka_unit_test(test_keys_seen_before),
        cmocka_unit_test(test_references_found_by_text),
        cmocka_unit_test(test_value_formats),
        cmocka_unit_test(test_chunk_sizes),
        cmocka_unit_test(test_reader_thread),
        cmocka_unit_test(test_date_formats),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_reject_plan_without_zero),
        cmocka_unit_test(test_feature_references),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_field_too_long),
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_alt_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
