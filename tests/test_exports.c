/* test_exports.c - real exports as they come (SPEC 12): encodings, delimiters, map keys, excluded rows, dates, flags, maps combined. */
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
#include "compsight/diagnose.h"
#include "compsight/mapfile.h"
#include "compsight/strpool.h"
#include "input/tuning.h"

/* ------------------------------------------------------------------------
 * A data directory per test, written from byte strings
 * --------------------------------------------------------------------- */

#define PLANS "plan_id,period_type,quota,tier_floor,rate\nP1,quarter,100000,0,0.1\n"
#define REPS "rep_id,name,team,role,plan_id\nR1,Ann,East,AE,P1\nR2,Bob,West,AE,P1\n"
#define DEALS_HDR "deal_id,rep_id,account,type,amount,close_date,stage\n"
#define DEALS DEALS_HDR "D1,R1,Acme,new,100,2026-01-10,won\nD2,R2,Beta,new,200,2026-02-10,lost\n"

struct dir {
    char path[64];
};

/* Write name with n bytes of text (n 0: strlen). */
static void put_n(struct dir *d, const char *name, const char *text, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", d->path, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (!n)
        n = strlen(text);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

/* A directory with plans, reps and deals (NULL text: leave that file out),
 * then (name, text) pairs, NULL-terminated. */
static void make_dir(struct dir *d, const char *plans, const char *reps, const char *deals, ...)
{
    snprintf(d->path, sizeof d->path, "/tmp/cs_test_exports_XXXXXX");
    assert_non_null(mkdtemp(d->path));
    if (plans)
        put_n(d, "plans.csv", plans, 0);
    if (reps)
        put_n(d, "reps.csv", reps, 0);
    if (deals)
        put_n(d, "deals.csv", deals, 0);
    va_list ap;
    va_start(ap, deals);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL)
        put_n(d, name, va_arg(ap, const char *), 0);
    va_end(ap);
}

static void remove_dir(struct dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
}

static struct cs_map *map_of(const char *text)
{
    struct cs_map *m = NULL;
    struct cs_error err;
    if (cs_map_load_mem(text, strlen(text), "t.ini", &m, &err) != CS_OK)
        fail_msg("map: %s:%lu: %s", err.file, err.line, err.msg);
    return m;
}

/* Load with options o (dir filled in), with tiny batches when tiny. */
static enum cs_status load_o(struct dir *d, struct cs_load_options o, bool tiny,
                             struct cs_dataset **ds, struct cs_error *err)
{
    o.dir = d->path;
    cs_error_clear(err);
    struct cs_load_tuning t = {.thread_min_size = 1, .batch_rows = 1, .batch_text = 8,
                               .plan_min_size = 1};
    return cs_dataset_load_tuned(&o, tiny ? &t : NULL, ds, err);
}

static struct cs_dataset *load_ok(struct dir *d, struct cs_load_options o)
{
    struct cs_dataset *ds = NULL, *tiny = NULL;
    struct cs_error err;
    if (load_o(d, o, false, &ds, &err) != CS_OK)
        fail_msg("load: %s:%lu: %s: %s", err.file, err.line, err.column, err.msg);
    /* the same with one row a batch, on the reader thread */
    assert_int_equal(load_o(d, o, true, &tiny, &err), CS_OK);
    assert_int_equal(tiny->n_rejects, ds->n_rejects);
    assert_int_equal(tiny->n_excluded, ds->n_excluded);
    assert_int_equal(tiny->deals.n, ds->deals.n);
    for (size_t i = 0; i < ds->n_sources; i++) {
        assert_int_equal(tiny->sources[i].encoding, ds->sources[i].encoding);
        assert_int_equal(tiny->sources[i].encoding_detected, ds->sources[i].encoding_detected);
    }
    for (size_t i = 0; i < ds->n_rejects; i++) {
        assert_int_equal(tiny->rejects[i].line, ds->rejects[i].line);
        assert_string_equal(tiny->rejects[i].reason, ds->rejects[i].reason);
    }
    cs_dataset_free(tiny);
    for (int t = 0; t < CS_T_COUNT; t++)
        assert_int_equal(ds->counts[t].read,
                         ds->counts[t].used + ds->counts[t].rejected + ds->counts[t].excluded);
    return ds;
}

static void dump_rejects(const struct cs_dataset *ds)
{
    for (size_t i = 0; i < ds->n_rejects; i++)
        print_error("reject %s:%u %s: %s\n", ds->rejects[i].source_file, ds->rejects[i].line,
                    ds->rejects[i].column, ds->rejects[i].reason);
}

static void expect_rejects(const struct cs_dataset *ds, size_t n)
{
    if (ds->n_rejects != n)
        dump_rejects(ds);
    assert_int_equal(ds->n_rejects, n);
}

/* The account of deal i, as read. */
static const char *account(const struct cs_dataset *ds, size_t i)
{
    return cs_ds_str(ds, ds->deals.account[i]);
}

/* ------------------------------------------------------------------------
 * Encodings
 * --------------------------------------------------------------------- */

/* A Windows-1252 file is read as such when its read cells are not UTF-8. */
static void test_encoding_auto(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             DEALS_HDR "D1,R1,Caf\xe9 \x93Gr\xfcn\x94 \x80,new,100,2026-01-10,won\n"
                       "D2,R2,Plain,new,200,2026-02-10,won\n", NULL);
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 0);
    assert_string_equal(account(ds, 0), "Caf\xc3\xa9 \xe2\x80\x9cGr\xc3\xbcn\xe2\x80\x9d \xe2\x82\xac");
    const struct cs_source *so = &ds->sources[2];
    assert_string_equal(so->file, "deals.csv");
    assert_int_equal(so->encoding, CS_ENC_WINDOWS_1252);
    assert_true(so->encoding_detected);
    assert_int_equal(ds->sources[1].encoding, CS_ENC_UTF8);
    assert_false(ds->sources[1].encoding_detected);
    cs_dataset_free(ds);

    /* --encoding utf-8: the same bytes are rejected as invalid UTF-8 */
    struct cs_dataset *u = load_ok(&d, (struct cs_load_options){.encoding = CS_ENC_UTF8});
    expect_rejects(u, 1);
    assert_string_equal(u->rejects[0].reason, "invalid UTF-8");
    assert_string_equal(u->rejects[0].column, "account");
    assert_int_equal(u->rejects[0].line, 2);
    cs_dataset_free(u);

    /* a UTF-8 file stays UTF-8, accents included */
    put_n(&d, "deals.csv", DEALS_HDR "D1,R1,Caf\xc3\xa9,new,100,2026-01-10,won\n", 0);
    u = load_ok(&d, (struct cs_load_options){0});
    assert_string_equal(account(u, 0), "Caf\xc3\xa9");
    assert_int_equal(u->sources[2].encoding, CS_ENC_UTF8);
    assert_false(u->sources[2].encoding_detected);
    cs_dataset_free(u);
    remove_dir(&d);
}

/* encoding = iso-8859-1 and windows-1252 in the map; a byte Windows-1252
 * leaves unused rejects its row. */
static void test_encoding_forced(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             DEALS_HDR "D1,R1,A\x80,new,100,2026-01-10,won\nD2,R2,B\x81,new,200,2026-02-10,won\n"
                       "D3,R2,C\xe9,new,300,2026-02-10,won\n", NULL);
    struct cs_map *m = map_of("[deals]\nencoding = iso-8859-1\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    assert_string_equal(account(ds, 0), "A\xc2\x80");     /* U+0080 */
    assert_string_equal(account(ds, 1), "B\xc2\x81");
    assert_int_equal(ds->sources[2].encoding, CS_ENC_ISO_8859_1);
    assert_false(ds->sources[2].encoding_detected);
    cs_dataset_free(ds);
    cs_map_free(m);

    m = map_of("[deals]\nencoding = windows-1252\n");
    ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 1);
    assert_int_equal(ds->rejects[0].line, 3);
    assert_string_equal(ds->rejects[0].column, "account");
    assert_non_null(strstr(ds->rejects[0].reason, "not Windows-1252 text"));
    assert_string_equal(account(ds, 0), "A\xe2\x82\xac");
    assert_string_equal(account(ds, 1), "C\xc3\xa9");
    cs_dataset_free(ds);
    /* --encoding beats the map */
    ds = load_ok(&d, (struct cs_load_options){.map = m, .encoding = CS_ENC_ISO_8859_1});
    expect_rejects(ds, 0);
    cs_dataset_free(ds);
    cs_map_free(m);
    remove_dir(&d);
}

/* A file that is UTF-8 beyond ASCII in one batch and not UTF-8 in a later
 * one is read again as Windows-1252 from the start: every cell alike. */
static void test_encoding_restart(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             DEALS_HDR "D1,R1,\xc3\xa9t\xc3\xa9,new,100,2026-01-10,won\n"
                       "D2,R2,Plain,new,200,2026-02-10,won\n"
                       "D3,R2,\xe9t\xe9,new,300,2026-02-10,won\n", NULL);
    /* load_ok compares one batch a row (restart) with one batch (no need) */
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 0);
    assert_string_equal(account(ds, 0), "\xc3\x83\xc2\xa9t\xc3\x83\xc2\xa9");   /* "Ã©tÃ©" */
    assert_string_equal(account(ds, 2), "\xc3\xa9t\xc3\xa9");
    assert_true(ds->sources[2].encoding_detected);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* Bytes in a column that is not read never matter (SPEC 12); a NUL byte
 * in one that is rejects the row. */
static void test_unread_bytes(void **state)
{
    (void)state;
    struct dir d;
    static const char deals[] =
        "deal_id,rep_id,Description,account,type,amount,close_date,stage\n"
        "D1,R1,rich\0text\xff\xfe,Acme,new,100,2026-01-10,won\n"
        "D2,R2,\0\0\0,Be\0ta,new,200,2026-02-10,won\n"
        "D3,R2,x,Gamma,new,300,2026-02-10,won\n";
    make_dir(&d, PLANS, REPS, NULL, NULL);
    put_n(&d, "deals.csv", deals, sizeof deals - 1);
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 1);
    assert_int_equal(ds->rejects[0].line, 3);
    assert_string_equal(ds->rejects[0].column, "account");
    assert_string_equal(ds->rejects[0].reason, "NUL byte in the value");
    assert_int_equal(ds->deals.n, 2);
    assert_int_equal(ds->sources[2].encoding, CS_ENC_UTF8);   /* the 0xff was not read */
    assert_false(ds->sources[2].encoding_detected);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* A header in Windows-1252 is matched converted, and decides the file. */
static void test_encoding_header(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, "rep_id,\xc9quipe,plan_id\nR1,Nord,P1\nR2,S\xfc" "d,P1\n", DEALS, NULL);
    struct cs_map *m = map_of("[reps]\nteam = \xc3\x89quipe\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    assert_string_equal(cs_ds_str(ds, ds->reps.team[1]), "S\xc3\xbc" "d");
    assert_true(ds->sources[1].encoding_detected);
    assert_string_equal(ds->sources[1].header[2], "\xc3\x89quipe");
    cs_dataset_free(ds);
    cs_map_free(m);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Delimiters, header, null, escapes
 * --------------------------------------------------------------------- */

static void test_delimiters(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, "plan_id;period_type;quota;tier_floor;rate\nP1;quarter;100000;0;0,1\n",
             "rep_id\tname\tteam\tplan_id\nR1\tAnn, Jr.\tEast\tP1\nR2\tBob\tWest\tP1\n",
             "deal_id|rep_id|type|amount|close_date|stage\nD1|R1|new|100|2026-01-10|won\n",
             NULL);
    /* detected per file; plans.csv's decimal comma from the map */
    struct cs_map *m = map_of("[plans]\ndecimal_comma = true\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    assert_int_equal(ds->sources[0].delimiter, ';');
    assert_int_equal(ds->sources[1].delimiter, '\t');
    assert_int_equal(ds->sources[2].delimiter, '|');
    assert_true(ds->plans.rate[0] == 0.1);
    assert_string_equal(cs_ds_str(ds, ds->reps.name[0]), "Ann, Jr.");
    cs_dataset_free(ds);
    cs_map_free(m);

    /* given: a wrong one names the delimiter the header holds */
    struct cs_dataset *bad = NULL;
    struct cs_error err;
    assert_int_equal(load_o(&d, (struct cs_load_options){.delimiter = ','}, false, &bad, &err),
                     CS_ERR_INPUT);
    assert_string_equal(err.file, "plans.csv");
    assert_non_null(strstr(err.msg, "is the delimiter ';'?"));
    /* the map's, for one file; the command line's beats it */
    m = map_of("[plans]\ndelimiter = ;\ndecimal_comma = yes\n[reps]\ndelimiter = tab\n"
               "[deals]\ndelimiter = |\n");
    ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    cs_dataset_free(ds);
    assert_int_equal(load_o(&d, (struct cs_load_options){.map = m, .delimiter = ';'}, false,
                            &bad, &err), CS_ERR_INPUT);
    assert_string_equal(err.file, "reps.csv");
    cs_map_free(m);
    remove_dir(&d);
}

/* header = NAME, ... (no header row, line 1 is data), null = \N, escape =
 * backslash: a vtiger/MySQL dump. */
static void test_dump_keys(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS, NULL,
             "dump.csv",
             "1,\"P1\",\"Acme \\\"Big\\\" Corp\",R1,100.00,\"2026-01-10\",\"Closed Won\",\"a\\\nb\"\n"
             "2,\"P2\",\\N,R2,\\N,\\N,\"Prospecting\",\\N\n"
             "3,\"P3\",\"x\\\\y\",R2,5,2026-01-10,Weird,\\N\n",
             NULL);
    struct cs_map *m = map_of("[deals]\nfile = dump.csv\n"
                              "header = id, potential_no, related_to, owner,\n"
                              "    amount, closingdate, sales_stage, description\n"
                              "escape = backslash\nnull = \\N\n"
                              "deal_id = potential_no\nrep_id = owner\naccount = related_to\n"
                              "type.default = new\nclose_date = closingdate\n"
                              "stage = sales_stage\nstage.open = Prospecting\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 1);
    assert_int_equal(ds->rejects[0].line, 4);                /* line 1 is data; \+LF a line */
    assert_string_equal(ds->rejects[0].source_file, "dump.csv");
    assert_string_equal(ds->rejects[0].source_column, "sales_stage");
    assert_int_equal(ds->deals.n, 2);
    assert_string_equal(account(ds, 0), "Acme \"Big\" Corp");
    assert_int_equal(ds->deals.account[1], 0);               /* \N: blank */
    assert_true(isnan(ds->deals.amount[1]));
    assert_int_equal(ds->deals.line[0], 1);
    assert_int_equal(ds->deals.line[1], 3);
    assert_false(ds->sources[2].header_row);
    cs_dataset_free(ds);
    cs_map_free(m);
    remove_dir(&d);
}

/* COLUMN.blank = VALUE; COLUMN = - (its default even where a header of
 * that name exists). */
static void test_blank_and_unread(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             DEALS_HDR "D1,R1,Acme,,100,2026-01-10,won\nD2,R2,Beta,renewal,200,2026-02-10,won\n"
                       "D3,R2,,expansion,300,2026-02-10,won\n", NULL);
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 1);                        /* D1: a blank required type */
    assert_string_equal(ds->rejects[0].reason, "required value is missing");
    cs_dataset_free(ds);

    struct cs_map *m = map_of("[deals]\ntype.blank = expansion\naccount.blank = (none)\n");
    ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    assert_int_equal(ds->deals.type[0], CS_TYPE_EXPANSION);
    assert_int_equal(ds->deals.type[1], CS_TYPE_RENEWAL);
    assert_string_equal(account(ds, 2), "(none)");
    cs_dataset_free(ds);
    cs_map_free(m);

    /* type = -: the header named type is not read, its default applies */
    m = map_of("[deals]\ntype = -\ntype.default = new\n");
    ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);
    for (size_t i = 0; i < ds->deals.n; i++)
        assert_int_equal(ds->deals.type[i], CS_TYPE_NEW);
    assert_null(ds->sources[2].header[3]);
    cs_dataset_free(ds);
    cs_map_free(m);
    /* without a default: the column is missing, and the message says why */
    m = map_of("[deals]\ntype = -\n");
    struct cs_error err;
    assert_int_equal(load_o(&d, (struct cs_load_options){.map = m}, false, &ds, &err),
                     CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "reads no header for it"));
    cs_map_free(m);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Excluded rows: exclude.HEADER, footers
 * --------------------------------------------------------------------- */

static void test_exclude(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             "deal_id,rep_id,type,amount,close_date,stage,Pipeline\n"
             "D1,R1,new,100,2026-01-10,won,Sales\n"
             "D2,nobody,bogus,x,never,Disqualified,Sales\n"
             "D3,R2,new,200,2026-02-10,won,Partner\n"
             "D4,R2,new,300,2026-02-10,won,sales\n", NULL);
    struct cs_map *m = map_of("[deals]\nexclude.stage = Disqualified, Omitted\n"
                              "exclude.Pipeline = Partner,\n    Test\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 0);                  /* an excluded row is never validated */
    assert_int_equal(ds->counts[CS_T_DEALS].read, 4);
    assert_int_equal(ds->counts[CS_T_DEALS].used, 2);
    assert_int_equal(ds->counts[CS_T_DEALS].excluded, 2);
    assert_int_equal(ds->n_excluded, 2);
    assert_int_equal(ds->excluded[0].line, 3);
    assert_string_equal(ds->excluded[0].reason, "exclude.stage = Disqualified");
    assert_int_equal(ds->excluded[1].line, 4);
    assert_string_equal(ds->excluded[1].reason, "exclude.Pipeline = Partner");
    assert_string_equal(ds->excluded[1].source_file, "deals.csv");
    assert_int_equal(ds->sources[2].excluded, 2);
    assert_int_equal(ds->sources[2].used, 2);
    cs_dataset_free(ds);
    cs_map_free(m);
    remove_dir(&d);
}

static void test_footers(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             DEALS_HDR "D1,R1,Acme,new,100,2026-01-10,won\r\n"
                       "D9\r\n"                                   /* text in the first cell only */
                       "D2,R2,Beta,new,200,2026-02-10,won\r\n"
                       "\r\n"
                       "\"Confidential Information - Do Not Distribute\"\r\n"
                       "\"Generated By:  Jane Doe  3/4/2026 10:15 AM\",,,\r\n"
                       "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n",
             NULL);
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 1);                  /* D9, in the middle, is a row: rejected */
    assert_int_equal(ds->rejects[0].line, 3);
    assert_int_equal(ds->n_excluded, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(ds->excluded[i].reason, "footer");
    assert_int_equal(ds->excluded[0].line, 6);
    assert_int_equal(ds->excluded[2].line, 8);
    assert_int_equal(ds->counts[CS_T_DEALS].read, 6);   /* the blank line is no row */
    cs_dataset_free(ds);

    /* rows with text in their first cell alone, and no data row: data */
    put_n(&d, "deals.csv", DEALS_HDR "D1\nD2\n", 0);
    ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 2);
    assert_int_equal(ds->n_excluded, 0);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Several files per table; maps combined; precedence
 * --------------------------------------------------------------------- */

static void test_file_list(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS, NULL,
             "q1.csv", DEALS_HDR "D1,R1,Acme,new,100,2026-01-10,won\n",
             "q2.csv", "deal_id,rep_id,type,amount,close_date,stage\n"
                       "D2,R2,new,200,2026-02-10,won\nD1,R2,new,5,2026-02-10,won\n",
             NULL);
    struct cs_map *m = map_of("[deals]\nfile = q1.csv,\n    q2.csv\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 1);                  /* D1 again, in the second file */
    assert_string_equal(ds->rejects[0].source_file, "q2.csv");
    assert_int_equal(ds->rejects[0].line, 3);
    assert_non_null(strstr(ds->rejects[0].reason, "duplicate deal_id"));
    assert_int_equal(ds->counts[CS_T_DEALS].read, 3);
    assert_int_equal(ds->deals.n, 2);
    assert_int_equal(ds->deals.account[1], 0);   /* q2.csv has no account: blank */
    assert_int_equal(ds->n_sources, 4);
    assert_string_equal(ds->sources[3].file, "q2.csv");
    assert_int_equal(ds->sources[3].read, 2);
    assert_int_equal(ds->sources[3].rejected, 1);
    cs_dataset_free(ds);
    cs_map_free(m);
    /* a listed file that is missing */
    m = map_of("[deals]\nfile = q1.csv, q3.csv\n");
    struct cs_error err;
    assert_int_equal(load_o(&d, (struct cs_load_options){.map = m}, false, &ds, &err),
                     CS_ERR_INPUT);
    assert_string_equal(err.file, "q3.csv");
    cs_map_free(m);
    remove_dir(&d);
}

/* Precedence (SPEC 12): the command line, then the last map that sets a
 * key, then earlier maps, then the default. */
static void test_precedence(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             "deal_id,rep_id,type,amount,close_date,stage\n"
             "D1,R1,new,\"1.250,5\",07/04/2026,won\n", NULL);
    struct cs_map *preset = map_of("[deals]\ndate_format = us\ndecimal_comma = false\n");
    struct cs_map *ours = map_of("[deals]\ndecimal_comma = true\n");
    assert_int_equal(cs_map_merge(preset, ours, NULL), CS_OK);
    /* the map's us: 4 July; --date-format eu given: 7 April */
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = preset});
    expect_rejects(ds, 0);
    assert_true(ds->deals.amount[0] == 1250.5);           /* the later map's key */
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 7, 4));
    cs_dataset_free(ds);
    ds = load_ok(&d, (struct cs_load_options){.map = preset, .date_format = CS_DATE_EU,
                                              .date_format_given = true});
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 4, 7));
    cs_dataset_free(ds);
    /* a default that is not given does not override the map */
    ds = load_ok(&d, (struct cs_load_options){.map = preset, .date_format = CS_DATE_EU});
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 7, 4));
    cs_dataset_free(ds);
    cs_map_free(preset);
    cs_map_free(ours);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Dates
 * --------------------------------------------------------------------- */

static void test_date_refusal(void **state)
{
    (void)state;
    struct dir d;
    /* D/M dates under us: refused, naming eu */
    make_dir(&d, PLANS, REPS,
             "deal_id,rep_id,type,amount,Close,stage\n"
             "D1,R1,new,100,07/04/2026,won\nD2,R1,new,100,30/03/2026,won\n"
             "D3,R1,new,100,2026-03-01,won\n", NULL);
    struct cs_map *m = map_of("[deals]\nclose_date = Close\ndate_format = us\n");
    struct cs_dataset *ds = NULL;
    struct cs_error err;
    assert_int_equal(load_o(&d, (struct cs_load_options){.map = m}, false, &ds, &err),
                     CS_ERR_INPUT);
    assert_null(ds);
    assert_string_equal(err.file, "deals.csv");
    assert_int_equal(err.line, 3);
    assert_string_equal(err.column, "Close (close_date)");
    assert_non_null(strstr(err.msg, "\"30/03/2026\" is not M/D/YYYY"));
    assert_non_null(strstr(err.msg, "use --date-format eu"));
    /* with eu: 7 April, and the ISO date reads too */
    ds = load_ok(&d, (struct cs_load_options){.map = m, .date_format = CS_DATE_EU,
                                              .date_format_given = true});
    expect_rejects(ds, 0);
    assert_int_equal(ds->deals.close[0], cs_days_from_civil(2026, 4, 7));
    assert_int_equal(ds->deals.close[2], cs_days_from_civil(2026, 3, 1));
    cs_dataset_free(ds);
    cs_map_free(m);

    /* M/D dates under eu: refused, naming us; two-digit years are 20YY */
    put_n(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\n"
                           "D1,R1,new,100,4/7/26,won\nD2,R1,new,100,3/30/26,won\n", 0);
    assert_int_equal(load_o(&d, (struct cs_load_options){.date_format = CS_DATE_EU}, false, &ds,
                            &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "use --date-format us"));
    ds = load_ok(&d, (struct cs_load_options){.date_format = CS_DATE_US});
    assert_int_equal(ds->deals.close[1], cs_days_from_civil(2026, 3, 30));
    cs_dataset_free(ds);

    /* a date that reads in neither: no refusal, rows rejected; a date only
     * us can read keeps the column us */
    put_n(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\n"
                           "D1,R1,new,100,30/03/2026,won\nD2,R1,new,100,soon,won\n", 0);
    ds = load_ok(&d, (struct cs_load_options){.date_format = CS_DATE_US});
    expect_rejects(ds, 2);
    cs_dataset_free(ds);
    put_n(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\n"
                           "D1,R1,new,100,30/03/2026,won\nD2,R1,new,100,3/30/2026,won\n", 0);
    ds = load_ok(&d, (struct cs_load_options){.date_format = CS_DATE_US});
    expect_rejects(ds, 1);
    cs_dataset_free(ds);

    /* under iso, most dates failing but reading as us: the hint says so */
    put_n(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,stage\n"
                           "D1,R1,new,100,3/30/2026,won\nD2,R1,new,100,4/13/2026,won\n"
                           "D3,R1,new,100,2026-01-01,won\n", 0);
    ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 2);
    int close = cs_schema_find_column(CS_T_DEALS, "close_date");
    assert_true(close >= 0);
    assert_int_equal(ds->sources[2].date_reads[close], CS_DATE_US);
    struct cs_diagnosis dg;
    assert_int_equal(cs_diagnose(ds, &dg, &err), CS_OK);
    assert_int_equal(dg.n_hints, 1);
    assert_non_null(strstr(dg.hints[0].text, "--date-format us"));
    cs_diagnosis_free(&dg);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Stage from is_won / is_closed
 * --------------------------------------------------------------------- */

static void test_stage_flags(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, REPS,
             "deal_id,rep_id,type,amount,close_date,StageName,IsWon,IsClosed\n"
             "D1,R1,new,100,2026-01-10,Signed,true,true\n"
             "D2,R1,new,0,2026-01-10,Descartada,false,true\n"
             "D3,R1,new,,,Discovery,0,0\n"
             "D4,R1,new,,,Whatever,,\n"
             "D5,R1,new,5,2026-01-10,x,yes,\n"
             "D6,R1,new,5,2026-01-10,x,maybe,true\n", NULL);
    struct cs_map *m = map_of("[deals]\nstage = StageName\nis_won = IsWon\nis_closed = IsClosed\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 1);
    assert_int_equal(ds->rejects[0].line, 7);
    assert_string_equal(ds->rejects[0].source_column, "IsWon");
    assert_non_null(strstr(ds->rejects[0].reason, "not true or false"));
    static const int want[] = {CS_STAGE_WON, CS_STAGE_LOST, CS_STAGE_OPEN, CS_STAGE_OPEN,
                               CS_STAGE_WON};
    assert_int_equal(ds->deals.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ds->deals.stage[i], want[i]);
    cs_dataset_free(ds);
    cs_map_free(m);
    /* flags instead of stage: no stage column at all */
    put_n(&d, "deals.csv", "deal_id,rep_id,type,amount,close_date,is_won\n"
                           "D1,R1,new,100,2026-01-10,1\nD2,R1,new,,,0\n", 0);
    ds = load_ok(&d, (struct cs_load_options){0});
    expect_rejects(ds, 0);
    assert_int_equal(ds->deals.stage[0], CS_STAGE_WON);
    assert_int_equal(ds->deals.stage[1], CS_STAGE_OPEN);
    cs_dataset_free(ds);
    remove_dir(&d);
}

/* ------------------------------------------------------------------------
 * Rejects: the file and header read; the plans and teams they leave out;
 * check's grouping and hints
 * --------------------------------------------------------------------- */

static void test_reject_names(void **state)
{
    (void)state;
    struct dir d;
    make_dir(&d, PLANS, NULL, NULL,
             "User.csv", "Id,Name,Department\nU1,Ann,East\nU2,Bob,West\n",
             "Opportunity.csv", "Id,OwnerId,Type,Amount,CloseDate,StageName\n"
                                "O1,U1,New Business,5,2026-01-01,Closed Won\n"
                                "O2,U2,New Business,5,2026-01-01,Closed Won\n"
                                "O3,U3,New Business,5,2026-01-01,Closed Won\n",
             NULL);
    struct cs_map *m = map_of("[reps]\nfile = User.csv\nrep_id = Id\nname = Name\nteam = Department\n"
                              "plan_id.default = P1\n"
                              "[deals]\nfile = Opportunity.csv\ndeal_id = Id\nrep_id = OwnerId\n"
                              "type = Type\namount = Amount\nclose_date = CloseDate\n"
                              "stage = StageName\n");
    struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.map = m});
    expect_rejects(ds, 3);
    const struct cs_reject *r = &ds->rejects[0];
    assert_string_equal(r->source_file, "Opportunity.csv");
    assert_string_equal(r->source_column, "Type");
    assert_string_equal(r->column, "type");
    char label[64];
    assert_string_equal(cs_column_label(label, sizeof label, r->source_column, r->column),
                        "Type (type)");
    assert_string_equal(cs_column_label(label, sizeof label, "type", "type"), "type");
    assert_string_equal(cs_column_label(label, sizeof label, NULL, "type"), "type");
    assert_non_null(strstr(r->reason, "unknown value \"New Business\""));
    /* the teams and plans the rejected deals belong to */
    assert_int_equal(ds->n_missing_teams, 2);
    assert_string_equal(ds->missing_teams[0].name, "East");
    assert_int_equal(ds->missing_plans[0].rows, 2);
    /* grouped by reason: one unknown value, three rows, first three lines */
    struct cs_diagnosis dg;
    struct cs_error err;
    assert_int_equal(cs_diagnose(ds, &dg, &err), CS_OK);
    assert_int_equal(dg.n_reasons, 1);
    assert_int_equal(dg.reasons[0].count, 3);
    assert_int_equal(dg.reasons[0].n_lines, 3);
    assert_int_equal(dg.reasons[0].lines[2], 4);
    assert_int_equal(dg.n_hints, 1);
    assert_non_null(strstr(dg.hints[0].text, "type.VALUE = A, B"));
    cs_diagnosis_free(&dg);
    cs_dataset_free(ds);
    cs_map_free(m);
    remove_dir(&d);
}

/* The hints of check (SPEC 12): the decimal mark, the encoding, blanks,
 * the delimiter. */
static void test_hints(void **state)
{
    (void)state;
    static const struct {
        const char *deals;
        int encoding;
        const char *hint;
    } cases[] = {
        {"deal_id,rep_id,type,amount,close_date,stage\n"
         "D1,R1,new,\"12,5\",2026-01-01,won\nD2,R1,new,\"1.234,5\",2026-01-01,won\n",
         0, "use --decimal-comma"},
        {"deal_id,rep_id,type,amount,close_date,stage\n"
         "D1,R1,new,5,2026-01-01,won\nD2,R1,n\xe9w,5,2026-01-01,won\nD3,R1,n\xe9w,5,2026-01-01,won\n",
         CS_ENC_UTF8, "--encoding windows-1252"},
        {"deal_id,rep_id,type,amount,close_date,stage\n"
         "D1,R1,,5,2026-01-01,won\nD2,R1,,5,2026-01-01,won\n", 0, "type.blank = VALUE"},
        {"deal_id,rep_id,type,amount,close_date,stage\n"
         "D1,R1,new,5,2026-01-01,won,x,y\nD2,R1,new,5,2026-01-01,pending,1\n"
         "D3,R1,new,5,2026-01-01,pending,1\n", 0, "the map lists no value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dir d;
        make_dir(&d, PLANS, REPS, cases[i].deals, NULL);
        struct cs_dataset *ds = load_ok(&d, (struct cs_load_options){.encoding = cases[i].encoding});
        struct cs_diagnosis dg;
        struct cs_error err;
        assert_int_equal(cs_diagnose(ds, &dg, &err), CS_OK);
        if (dg.n_hints != 1 || !strstr(dg.hints[0].text, cases[i].hint))
            fail_msg("case %zu: %zu hints, %s", i, dg.n_hints, dg.n_hints ? dg.hints[0].text : "");
        cs_diagnosis_free(&dg);
        cs_dataset_free(ds);
        remove_dir(&d);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding_auto),
        cmocka_unit_test(test_encoding_forced),
        cmocka_unit_test(test_encoding_restart),
        cmocka_unit_test(test_unread_bytes),
        cmocka_unit_test(test_encoding_header),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_dump_keys),
        cmocka_unit_test(test_blank_and_unread),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_footers),
        cmocka_unit_test(test_file_list),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_date_refusal),
        cmocka_unit_test(test_stage_flags),
        cmocka_unit_test(test_reject_names),
        cmocka_unit_test(test_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
