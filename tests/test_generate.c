/* test_generate.c - the synthetic data generator: format, references, determinism, effects. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/generate.h"

static const char *const files[11] = {
    "reps.csv", "plans.csv", "deals.csv", "quotas.csv", "spiffs.csv", "commissions.csv",
    "roadmap.csv", "promises.csv", "collateral.csv", "claims.csv", "targets.csv"};
static const char *const headers[11] = {
    "rep_id,name,team,role,plan_id,manager",
    "plan_id,period_type,quota,tier_floor,rate",
    "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage",
    "rep_id,period,quota",
    "spiff_id,product,start_date,end_date,amount",
    "rep_id,deal_id,period,commission",
    "feature_id,title,status,target_date,shipped_date",
    "promise_id,deal_id,feature_id,promised_date,due_date,text",
    "asset_id,title,owner_id,campaign,published_date",
    "asset_id,feature_id,claim,text",
    "owner_id,period,target,actual"};

#include "gen_csv.h"

static enum cs_status gen(const char *dir, uint64_t n, uint64_t seed, bool dirty, bool null_fx,
                          int fiscal_start)
{
    struct cs_gen_options o = {.out_dir = dir, .n_deals = n, .seed = seed, .dirty = dirty,
                               .null_effects = null_fx, .fiscal_start = fiscal_start};
    struct cs_error err;
    enum cs_status st = cs_generate(&o, &err);
    if (st != CS_OK)
        print_error("cs_generate: %s\n", err.msg);
    return st;
}

/* ===================================================================== */
/* Format: headers, row counts, references                               */
/* ===================================================================== */

static void test_headers_and_counts(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(gen(dir, 600, 1, false, false, 1), CS_OK);
    for (int i = 0; i < 11; i++) {
        struct csv c = csv_read(dir, files[i]);
        assert_true(c.n >= 1);
        char hdr[256] = "";
        for (size_t j = 0; j < c.nf[0]; j++) {
            if (j)
                strcat(hdr, ",");
            strcat(hdr, c.f[0][j]);
        }
        assert_string_equal(hdr, headers[i]);
        /* Every record has as many fields as its header. */
        for (size_t r = 1; r < c.n; r++)
            assert_int_equal(c.nf[r], c.nf[0]);
        csv_free(&c);
    }
    struct csv deals = csv_read(dir, "deals.csv"), plans = csv_read(dir, "plans.csv");
    struct csv comm = csv_read(dir, "commissions.csv"), prom = csv_read(dir, "promises.csv");
    struct csv rm = csv_read(dir, "roadmap.csv"), coll = csv_read(dir, "collateral.csv");
    struct csv claims = csv_read(dir, "claims.csv"), spiffs = csv_read(dir, "spiffs.csv");
    assert_int_equal(deals.n - 1, 600);                 /* exactly --deals rows */
    assert_int_equal(plans.n - 1, 9);                   /* 3 plans x 3 tiers */
    assert_int_equal(rm.n - 1, 40);
    assert_int_equal(spiffs.n - 1, 2);
    size_t won = 0;
    for (size_t i = 1; i < deals.n; i++)
        won += !strcmp(cell(&deals, i, "stage"), "won");
    assert_true(won > 240 && won < 400);
    assert_int_equal(comm.n - 1, won);                  /* one statement line per won deal */
    assert_true(prom.n - 1 > won / 3);
    assert_true(coll.n - 1 > 20);
    assert_true(claims.n - 1 >= coll.n - 1);
    csv_free(&deals);
    csv_free(&plans);
    csv_free(&comm);
    csv_free(&prom);
    csv_free(&rm);
    csv_free(&coll);
    csv_free(&claims);
    csv_free(&spiffs);
    remove_tree(dir);
    free(dir);
}

/* Feature ids that the generator uses on purpose although not on the
 * roadmap (docs/GENERATOR.md); anything else must resolve. */
static bool deliberate_unknown(const char *id)
{
    static const char *const u[] = {"FR-199", "FR-250", "FR-0117", "fr-112", "ROAD-42"};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (!strcmp(id, u[i]))
            return true;
    return false;
}

/* rich: enough promises that blank and unknown feature ids must occur. */
static void check_valid_dataset(const char *dir, bool rich)
{
    struct csv reps = csv_read(dir, "reps.csv"), plans = csv_read(dir, "plans.csv");
    struct csv deals = csv_read(dir, "deals.csv"), quotas = csv_read(dir, "quotas.csv");
    struct csv comm = csv_read(dir, "commissions.csv"), rm = csv_read(dir, "roadmap.csv");
    struct csv prom = csv_read(dir, "promises.csv"), coll = csv_read(dir, "collateral.csv");
    struct csv claims = csv_read(dir, "claims.csv"), tg = csv_read(dir, "targets.csv");
    struct csv spiffs = csv_read(dir, "spiffs.csv");

    struct idset rep_ids = ids_of(&reps, "rep_id"), plan_ids = ids_of(&plans, "plan_id");
    struct idset deal_ids = ids_of(&deals, "deal_id"), feat_ids = ids_of(&rm, "feature_id");
    struct idset prom_ids = ids_of(&prom, "promise_id"), asset_ids = ids_of(&coll, "asset_id");
    assert_int_equal(duplicates(&rep_ids), 0);
    assert_int_equal(duplicates(&deal_ids), 0);
    assert_int_equal(duplicates(&feat_ids), 0);
    assert_int_equal(duplicates(&prom_ids), 0);
    assert_int_equal(duplicates(&asset_ids), 0);

    /* Plans: a floor-0 tier, distinct floors, one period_type and quota. */
    for (size_t i = 1; i < plans.n; i++) {
        bool zero = false;
        for (size_t j = 1; j < plans.n; j++) {
            if (strcmp(cell(&plans, i, "plan_id"), cell(&plans, j, "plan_id")))
                continue;
            assert_string_equal(cell(&plans, i, "period_type"), cell(&plans, j, "period_type"));
            assert_string_equal(cell(&plans, i, "quota"), cell(&plans, j, "quota"));
            if (i != j)
                assert_true(num(cell(&plans, i, "tier_floor")) != num(cell(&plans, j, "tier_floor")));
            zero |= num(cell(&plans, j, "tier_floor")) == 0.0;
        }
        assert_true(zero);
        assert_true(num(cell(&plans, i, "quota")) > 0);
        assert_true(num(cell(&plans, i, "rate")) >= 0);
    }
    /* Reps: plan_id resolvable when given. */
    struct idset sellers = {malloc(reps.n * sizeof(char *)), 0};
    for (size_t i = 1; i < reps.n; i++) {
        const char *p = cell(&reps, i, "plan_id");
        if (p[0]) {
            assert_true(has_id(&plan_ids, p));
            sellers.v[sellers.n++] = reps.f[i][col(&reps, "rep_id")];
        }
        assert_true(cell(&reps, i, "team")[0] != '\0');
    }
    qsort(sellers.v, sellers.n, sizeof *sellers.v, cmp_str);
    /* Deals: enumerations, amounts, dates. */
    for (size_t i = 1; i < deals.n; i++) {
        const char *stage = cell(&deals, i, "stage"), *type = cell(&deals, i, "type");
        const char *amount = cell(&deals, i, "amount"), *disc = cell(&deals, i, "discount_pct");
        const char *created = cell(&deals, i, "created_date"), *close = cell(&deals, i, "close_date");
        assert_true(has_id(&sellers, cell(&deals, i, "rep_id")));
        assert_true(!strcmp(stage, "won") || !strcmp(stage, "lost") || !strcmp(stage, "open"));
        assert_true(!strcmp(type, "new") || !strcmp(type, "expansion") || !strcmp(type, "renewal"));
        if (amount[0])
            assert_true(num(amount) >= 0);
        if (disc[0])
            assert_true(num(disc) >= 0 && num(disc) <= 100);
        assert_true(is_date(created));
        if (close[0]) {
            assert_true(is_date(close));
            assert_true(strcmp(created, close) < 0);
        }
        if (!strcmp(stage, "won")) {
            assert_true(amount[0] && num(amount) > 0);
            assert_true(close[0]);
        }
        if (!strcmp(stage, "lost"))
            assert_true(close[0]);
    }
    for (size_t i = 1; i < quotas.n; i++) {
        assert_true(has_id(&sellers, cell(&quotas, i, "rep_id")));
        assert_true(num(cell(&quotas, i, "quota")) > 0);
    }
    for (size_t i = 1; i < comm.n; i++) {
        assert_true(has_id(&rep_ids, cell(&comm, i, "rep_id")));
        assert_true(has_id(&deal_ids, cell(&comm, i, "deal_id")));
        assert_true(num(cell(&comm, i, "commission")) >= 0);
    }
    for (size_t i = 1; i < rm.n; i++) {
        const char *s = cell(&rm, i, "status");
        assert_true(!strcmp(s, "shipped") || !strcmp(s, "committed") || !strcmp(s, "planned") ||
                    !strcmp(s, "exploring") || !strcmp(s, "not_planned"));
    }
    size_t blank = 0, unknown = 0;
    for (size_t i = 1; i < prom.n; i++) {
        assert_true(has_id(&deal_ids, cell(&prom, i, "deal_id")));
        const char *f = cell(&prom, i, "feature_id");
        if (!f[0])
            blank++;
        else if (!has_id(&feat_ids, f)) {
            assert_true(deliberate_unknown(f));
            unknown++;
        }
        assert_true(is_date(cell(&prom, i, "promised_date")));
        const char *due = cell(&prom, i, "due_date");
        assert_true(!due[0] || is_date(due));
    }
    if (rich)
        assert_true(blank > 0 && unknown > 0 && unknown < (prom.n - 1) / 10);
    for (size_t i = 1; i < coll.n; i++) {
        assert_true(has_id(&rep_ids, cell(&coll, i, "owner_id")));
        assert_true(is_date(cell(&coll, i, "published_date")));
    }
    for (size_t i = 1; i < claims.n; i++) {
        assert_true(has_id(&asset_ids, cell(&claims, i, "asset_id")));
        const char *f = cell(&claims, i, "feature_id"), *k = cell(&claims, i, "claim");
        assert_true(!f[0] || has_id(&feat_ids, f));
        assert_true(!strcmp(k, "available") || !strcmp(k, "coming_soon"));
    }
    for (size_t i = 1; i < tg.n; i++) {
        assert_true(has_id(&rep_ids, cell(&tg, i, "owner_id")));
        assert_true(num(cell(&tg, i, "target")) > 0);
        assert_true(num(cell(&tg, i, "actual")) >= 0);
    }
    for (size_t i = 1; i < spiffs.n; i++)
        assert_true(strcmp(cell(&spiffs, i, "start_date"), cell(&spiffs, i, "end_date")) <= 0);

    free(rep_ids.v);
    free(plan_ids.v);
    free(deal_ids.v);
    free(feat_ids.v);
    free(prom_ids.v);
    free(asset_ids.v);
    free(sellers.v);
    csv_free(&reps);
    csv_free(&plans);
    csv_free(&deals);
    csv_free(&quotas);
    csv_free(&comm);
    csv_free(&rm);
    csv_free(&prom);
    csv_free(&coll);
    csv_free(&claims);
    csv_free(&tg);
    csv_free(&spiffs);
}

static void test_references_resolve(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(gen(dir, 3000, 42, false, false, 1), CS_OK);
    check_valid_dataset(dir, true);
    assert_int_equal(gen(dir, 800, 43, false, true, 4), CS_OK);   /* rewrite in place */
    check_valid_dataset(dir, true);
    remove_tree(dir);
    free(dir);
}

/* Thin sets down to the smallest --deals: exactly N deals, every reference
 * resolving, a won deal to analyse. */
static void test_thin_sets(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    static const uint64_t sizes[] = {10, 11, 40, 99};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            assert_int_equal(gen(dir, sizes[k], seed, false, seed == 3, 1 + (int)seed), CS_OK);
            check_valid_dataset(dir, false);
            struct csv deals = csv_read(dir, "deals.csv"), comm = csv_read(dir, "commissions.csv");
            assert_int_equal(deals.n - 1, sizes[k]);
            size_t won = 0;
            for (size_t i = 1; i < deals.n; i++)
                won += !strcmp(cell(&deals, i, "stage"), "won");
            assert_true(won > 0);
            assert_int_equal(comm.n - 1, won);
            csv_free(&deals);
            csv_free(&comm);
        }
    }
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* Determinism                                                           */
/* ===================================================================== */

static void test_determinism(void **state)
{
    (void)state;
    char *a = make_tmpdir(), *b = make_tmpdir(), *c = make_tmpdir();
    assert_int_equal(gen(a, 1500, 7, false, false, 1), CS_OK);
    assert_int_equal(gen(b, 1500, 7, false, false, 1), CS_OK);
    for (int i = 0; i < 11; i++)
        assert_true(same_file(a, b, files[i]));
    assert_int_equal(gen(c, 1500, 8, false, false, 1), CS_OK);
    assert_false(same_file(a, c, "deals.csv"));
    assert_false(same_file(a, c, "promises.csv"));
    assert_false(same_file(a, c, "collateral.csv"));
    assert_int_equal(gen(c, 1500, 7, false, false, 2), CS_OK);   /* fiscal start moves dates */
    assert_false(same_file(a, c, "deals.csv"));
    assert_int_equal(gen(c, 1500, 7, false, true, 1), CS_OK);    /* null model differs */
    assert_false(same_file(a, c, "deals.csv"));
    remove_tree(a);
    remove_tree(b);
    remove_tree(c);
    free(a);
    free(b);
    free(c);
}

/* The committed sample is what `make sample` produces. */
static void test_committed_sample_is_current(void **state)
{
    (void)state;
    char ref[4096];
    snprintf(ref, sizeof ref, "%s/data/sample", CS_SOURCE_DIR);
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/deals.csv", ref);
    if (access(probe, R_OK) != 0)
        skip();
    char *dir = make_tmpdir();
    /* `make sample`: --preset sample --real-plans (SPEC 13) */
    struct cs_gen_options o = {.out_dir = dir, .seed = 2026, .preset = "sample",
                               .assignments = true, .splits = true, .credit_by_type = true};
    struct cs_error err;
    assert_int_equal(cs_generate(&o, &err), CS_OK);
    static const char *const more[] = {"assignments.csv", "splits.csv"};
    for (int i = 0; i < 13; i++) {
        const char *f = i < 11 ? files[i] : more[i - 11];
        if (!same_file(ref, dir, f))
            fail_msg("data/sample/%s is stale: run `make sample`", f);
    }
    struct csv deals = csv_read(dir, "deals.csv");
    assert_int_equal(deals.n - 1, 4000);
    csv_free(&deals);
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* The tier formula: commissions.csv against SPEC section 5              */
/* ===================================================================== */

struct won {
    const char *rep, *id, *close;
    char period[16];
    double amount, q;
    int plan;
};

static int cmp_won(const void *a, const void *b)
{
    const struct won *x = a, *y = b;
    int c = strcmp(x->rep, y->rep);
    if (!c)
        c = strcmp(x->period, y->period);
    if (!c)
        c = strcmp(x->close, y->close);
    if (!c)
        c = strcmp(x->id, y->id);
    return c;
}

/* Fiscal period label of an ISO date (SPEC 4). */
static void period_of(const char *date, int fs, bool annual, char *out, size_t n)
{
    int y, m, d;
    assert_int_equal(sscanf(date, "%d-%d-%d", &y, &m, &d), 3);
    int fy = fs == 1 ? y : (m >= fs ? y + 1 : y);
    int q = ((m - fs + 12) % 12) / 3 + 1;
    if (annual)
        snprintf(out, n, "%d", fy);
    else
        snprintf(out, n, "%dQ%d", fy, q);
}

struct plan_tiers {
    char id[16];
    bool annual;
    double quota;
    int n;
    double floor[8], rate[8];
};

/* Recompute every won deal's commission; return the share that matches the
 * statement to the cent; fill final attainments of quarterly rep-periods. */
static double reconcile(const char *dir, int fs, double *att, size_t *n_att)
{
    struct csv reps = csv_read(dir, "reps.csv"), plans = csv_read(dir, "plans.csv");
    struct csv deals = csv_read(dir, "deals.csv"), quotas = csv_read(dir, "quotas.csv");
    struct csv comm = csv_read(dir, "commissions.csv");
    struct plan_tiers pt[8];
    int np = 0;
    for (size_t i = 1; i < plans.n; i++) {
        const char *id = cell(&plans, i, "plan_id");
        int k = 0;
        while (k < np && strcmp(pt[k].id, id))
            k++;
        if (k == np) {
            memset(&pt[np], 0, sizeof pt[np]);
            snprintf(pt[np].id, sizeof pt[np].id, "%s", id);
            pt[np].annual = !strcmp(cell(&plans, i, "period_type"), "year");
            pt[np].quota = num(cell(&plans, i, "quota"));
            np++;
        }
        pt[k].floor[pt[k].n] = num(cell(&plans, i, "tier_floor"));
        pt[k].rate[pt[k].n++] = num(cell(&plans, i, "rate"));
    }
    for (int k = 0; k < np; k++)            /* sort tiers by floor */
        for (int a = 0; a < pt[k].n; a++)
            for (int b = a + 1; b < pt[k].n; b++)
                if (pt[k].floor[b] < pt[k].floor[a]) {
                    double f = pt[k].floor[a], r = pt[k].rate[a];
                    pt[k].floor[a] = pt[k].floor[b];
                    pt[k].rate[a] = pt[k].rate[b];
                    pt[k].floor[b] = f;
                    pt[k].rate[b] = r;
                }
    struct won *w = calloc(deals.n, sizeof *w);
    size_t nw = 0;
    for (size_t i = 1; i < deals.n; i++) {
        if (strcmp(cell(&deals, i, "stage"), "won"))
            continue;
        struct won *x = &w[nw++];
        x->rep = cell(&deals, i, "rep_id");
        x->id = cell(&deals, i, "deal_id");
        x->close = cell(&deals, i, "close_date");
        x->amount = num(cell(&deals, i, "amount"));
        const char *plan = NULL;
        for (size_t r = 1; r < reps.n; r++)
            if (!strcmp(cell(&reps, r, "rep_id"), x->rep))
                plan = cell(&reps, r, "plan_id");
        assert_non_null(plan);
        x->plan = 0;
        while (strcmp(pt[x->plan].id, plan))
            x->plan++;
        period_of(x->close, fs, pt[x->plan].annual, x->period, sizeof x->period);
        x->q = pt[x->plan].quota;
        for (size_t r = 1; r < quotas.n; r++)
            if (!strcmp(cell(&quotas, r, "rep_id"), x->rep) &&
                !strcmp(cell(&quotas, r, "period"), x->period))
                x->q = num(cell(&quotas, r, "quota"));
    }
    qsort(w, nw, sizeof *w, cmp_won);
    struct idset cids = ids_of(&comm, "deal_id");
    struct krow *crow = index_rows(&comm, "deal_id");
    size_t match = 0;
    double cum = 0;
    *n_att = 0;
    for (size_t i = 0; i < nw; i++) {
        if (i == 0 || strcmp(w[i].rep, w[i - 1].rep) || strcmp(w[i].period, w[i - 1].period))
            cum = 0;
        const struct plan_tiers *p = &pt[w[i].plan];
        double a0 = cum / w[i].q, a1 = a0 + w[i].amount / w[i].q, c = 0;
        cum += w[i].amount;
        for (int k = 0; k < p->n; k++) {
            double lo = fmax(a0, p->floor[k]);
            double hi = fmin(a1, k + 1 < p->n ? p->floor[k + 1] : INFINITY);
            if (hi > lo)
                c += p->rate[k] * (hi - lo);
        }
        c *= w[i].q;
        assert_true(has_id(&cids, w[i].id));
        size_t r = find_row(crow, comm.n - 1, w[i].id);
        match += fabs(num(cell(&comm, r, "commission")) - c) < 0.0051;
        assert_string_equal(cell(&comm, r, "period"), w[i].period);
        bool last = i + 1 == nw || strcmp(w[i].rep, w[i + 1].rep) ||
                    strcmp(w[i].period, w[i + 1].period);
        if (last && !p->annual && att)
            att[(*n_att)++] = cum / w[i].q;
    }
    double share = nw ? (double)match / (double)nw : 0;
    free(cids.v);
    free(crow);
    free(w);
    csv_free(&reps);
    csv_free(&plans);
    csv_free(&deals);
    csv_free(&quotas);
    csv_free(&comm);
    return share;
}

static void test_commissions_follow_tier_formula(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    double att[2000];
    size_t n_att;
    for (int fs = 1; fs <= 7; fs += 6) {
        assert_int_equal(gen(dir, 4000, 99, false, false, fs), CS_OK);
        double share = reconcile(dir, fs, att, &n_att);
        /* ~1% are planted manual adjustments; the rest match to the cent. */
        assert_true(share > 0.97);
        assert_true(share < 1.0);
        /* Attainment spreads around quota. */
        size_t mid = 0;
        for (size_t i = 0; i < n_att; i++)
            mid += att[i] >= 0.5 && att[i] < 1.6;
        assert_true(n_att > 100);
        assert_true((double)mid / (double)n_att > 0.7);
    }
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* Planted effects against the null model                               */
/* ===================================================================== */

struct effects {
    double l14_share;                /* bookings in the last 14 days, quarterly plans */
    size_t below, above;             /* final attainments in [0.94,1) and [1,1.06) */
    size_t below15, above15;         /* the same around the 1.5 floor */
    double risk_l14, risk_early;     /* promise_risk rate by last_14_days */
};

static struct effects measure(const char *dir)
{
    struct effects e = {0};
    static double att[40000];
    size_t n_att;
    (void)reconcile(dir, 1, att, &n_att);
    for (size_t i = 0; i < n_att; i++) {
        e.below += att[i] >= 0.94 && att[i] < 1.0;
        e.above += att[i] >= 1.0 && att[i] < 1.06;
        e.below15 += att[i] >= 1.44 && att[i] < 1.5;
        e.above15 += att[i] >= 1.5 && att[i] < 1.56;
    }
    struct csv reps = csv_read(dir, "reps.csv"), deals = csv_read(dir, "deals.csv");
    struct csv prom = csv_read(dir, "promises.csv"), rm = csv_read(dir, "roadmap.csv");
    /* Risky deals per SPEC 6 (off roadmap or premature). */
    struct idset risky = {malloc(prom.n * sizeof(char *)), 0};
    for (size_t i = 1; i < prom.n; i++) {
        const char *f = cell(&prom, i, "feature_id"), *due = cell(&prom, i, "due_date");
        bool bad = true;
        for (size_t r = 1; r < rm.n && f[0]; r++) {
            if (strcmp(cell(&rm, r, "feature_id"), f))
                continue;
            const char *st = cell(&rm, r, "status"), *t = cell(&rm, r, "target_date");
            bad = !strcmp(st, "exploring") || !strcmp(st, "not_planned") ||
                  ((!strcmp(st, "planned") || !strcmp(st, "committed")) && due[0] && t[0] &&
                   strcmp(due, t) < 0);
        }
        if (bad)
            risky.v[risky.n++] = prom.f[i][col(&prom, "deal_id")];
    }
    qsort(risky.v, risky.n, sizeof *risky.v, cmp_str);
    double book = 0, book14 = 0, n14 = 0, r14 = 0, n0 = 0, r0 = 0;
    for (size_t i = 1; i < deals.n; i++) {
        if (strcmp(cell(&deals, i, "stage"), "won"))
            continue;
        const char *rep = cell(&deals, i, "rep_id");
        bool quarterly = false;
        for (size_t r = 1; r < reps.n; r++)
            if (!strcmp(cell(&reps, r, "rep_id"), rep))
                quarterly = strcmp(cell(&reps, r, "plan_id"), "ENT-Y") != 0;
        if (!quarterly)
            continue;
        int y, m, d;
        assert_int_equal(sscanf(cell(&deals, i, "close_date"), "%d-%d-%d", &y, &m, &d), 3);
        /* Fiscal start 1: the quarter ends with month ((m-1)/3)*3 + 3; the
         * data years 2025-2026 have no 29 February. */
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int days_left = mdays[m - 1] - d;
        for (int k = m + 1; k <= (m - 1) / 3 * 3 + 3; k++)
            days_left += mdays[k - 1];
        bool l14 = days_left < 14;
        double amt = num(cell(&deals, i, "amount"));
        book += amt;
        book14 += l14 ? amt : 0;
        bool rk = has_id(&risky, cell(&deals, i, "deal_id"));
        if (l14) {
            n14++;
            r14 += rk;
        } else {
            n0++;
            r0 += rk;
        }
    }
    e.l14_share = book14 / book;
    e.risk_l14 = r14 / n14;
    e.risk_early = r0 / n0;
    free(risky.v);
    csv_free(&reps);
    csv_free(&deals);
    csv_free(&prom);
    csv_free(&rm);
    return e;
}

static void test_effects_planted_and_absent_in_null(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(gen(dir, 40000, 5, false, false, 1), CS_OK);
    struct effects fx = measure(dir);
    assert_int_equal(gen(dir, 40000, 5, false, true, 1), CS_OK);
    struct effects nl = measure(dir);
    print_message("effects: l14 share %.3f, [0.94,1) %zu [1,1.06) %zu, [1.44,1.5) %zu [1.5,1.56) %zu, "
                  "risk l14 %.3f early %.3f\n", fx.l14_share, fx.below, fx.above, fx.below15,
                  fx.above15, fx.risk_l14, fx.risk_early);
    print_message("null:    l14 share %.3f, [0.94,1) %zu [1,1.06) %zu, [1.44,1.5) %zu [1.5,1.56) %zu, "
                  "risk l14 %.3f early %.3f\n", nl.l14_share, nl.below, nl.above, nl.below15,
                  nl.above15, nl.risk_l14, nl.risk_early);
    /* 1. end-of-quarter concentration: ~30% against 15.4% uniform */
    assert_true(fx.l14_share > 0.25 && fx.l14_share < 0.36);
    assert_true(nl.l14_share > 0.12 && nl.l14_share < 0.19);
    /* 2. bunching just above the 1.0 floor, none at 1.5, none in the null */
    assert_true(fx.above > 2 * fx.below);
    assert_true(fx.above15 < 2 * fx.below15 + 10 && fx.below15 < 2 * fx.above15 + 10);
    assert_true(nl.above < 2 * nl.below && nl.below < 2 * nl.above);
    /* 3. promise risk higher in the last 14 days; flat in the null */
    assert_true(fx.risk_l14 > fx.risk_early + 0.04);
    assert_true(fabs(nl.risk_l14 - nl.risk_early) < 0.04);
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* Dirty mode                                                            */
/* ===================================================================== */

static size_t count_rows(const struct csv *c, const char *column, const char *value)
{
    size_t n = 0, k = col(c, column);
    for (size_t i = 1; i < c->n; i++)
        n += !strcmp(c->f[i][k], value);
    return n;
}

static void test_dirty_rows(void **state)
{
    (void)state;
    char *clean = make_tmpdir(), *dirty = make_tmpdir();
    assert_int_equal(gen(clean, 2000, 3, false, false, 1), CS_OK);
    assert_int_equal(gen(dirty, 2000, 3, true, false, 1), CS_OK);

    /* Files without injections are unchanged by --dirty. */
    const char *untouched[] = {"plans.csv", "spiffs.csv", "roadmap.csv", "commissions.csv",
                               "collateral.csv"};
    for (size_t i = 0; i < sizeof untouched / sizeof untouched[0]; i++)
        assert_true(same_file(clean, dirty, untouched[i]));

    struct csv deals = csv_read(dirty, "deals.csv"), cdeals = csv_read(clean, "deals.csv");
    assert_int_equal(deals.n, cdeals.n + 6);
    assert_int_equal(count_rows(&deals, "amount", "12abc"), 1);
    assert_int_equal(count_rows(&deals, "close_date", "2026-02-30"), 1);
    assert_int_equal(count_rows(&deals, "stage", "pending"), 1);
    assert_int_equal(count_rows(&deals, "discount_pct", "-5"), 1);
    struct idset ids = ids_of(&deals, "deal_id");
    assert_int_equal(duplicates(&ids), 1);
    free(ids.v);
    size_t bad_utf8 = 0, currency = 0;
    for (size_t i = 1; i < deals.n; i++) {
        if (strstr(cell(&deals, i, "account"), "Caf\xe9 "))
            bad_utf8++;
        const char *a = cell(&deals, i, "amount");
        if (a[0] == '$' && strchr(a, ','))
            currency++;
    }
    assert_int_equal(bad_utf8, 1);
    assert_int_equal(currency, 1);

    struct csv reps = csv_read(dirty, "reps.csv");
    assert_int_equal(count_rows(&reps, "plan_id", "ENT-Q-2019"), 1);
    struct csv quotas = csv_read(dirty, "quotas.csv");
    assert_int_equal(count_rows(&quotas, "quota", "-5000.00"), 1);
    struct csv tg = csv_read(dirty, "targets.csv");
    assert_int_equal(count_rows(&tg, "target", "0"), 1);
    struct csv claims = csv_read(dirty, "claims.csv");
    assert_int_equal(count_rows(&claims, "claim", "maybe"), 1);

    /* Promises: one multi-line text with a comma (valid), one unknown deal. */
    struct csv prom = csv_read(dirty, "promises.csv"), cprom = csv_read(clean, "promises.csv");
    assert_int_equal(prom.n, cprom.n + 1);
    struct idset did = ids_of(&cdeals, "deal_id");
    size_t multiline = 0, orphan = 0;
    for (size_t i = 1; i < prom.n; i++) {
        const char *t = cell(&prom, i, "text");
        multiline += strchr(t, '\n') && strchr(t, ',');
        orphan += !has_id(&did, cell(&prom, i, "deal_id"));
    }
    assert_int_equal(multiline, 1);
    assert_int_equal(orphan, 1);
    free(did.v);

    csv_free(&deals);
    csv_free(&cdeals);
    csv_free(&reps);
    csv_free(&quotas);
    csv_free(&tg);
    csv_free(&claims);
    csv_free(&prom);
    csv_free(&cprom);
    remove_tree(clean);
    remove_tree(dirty);
    free(clean);
    free(dirty);
}

/* ===================================================================== */
/* Options and the output directory                                     */
/* ===================================================================== */

static void test_bad_options(void **state)
{
    (void)state;
    struct cs_error err;
    assert_int_equal(cs_generate(NULL, &err), CS_ERR_USAGE);
    struct cs_gen_options o = {.out_dir = "/tmp/cs_gen_never_created", .fiscal_start = 13};
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_string_equal(err.column, "--fiscal-start");
    o.fiscal_start = 1;
    o.n_deals = 9;          /* the smallest set is 10 deals */
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_string_equal(err.column, "--deals");
    assert_non_null(strstr(err.msg, "between 10 and"));
    o.n_deals = 0;
    o.preset = "huge";
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "huge"));
    o.preset = NULL;
    o.out_dir = "";
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_int_not_equal(access("/tmp/cs_gen_never_created", F_OK), 0);
}

static void test_output_directory_rules(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char path[4200];
    /* A non-empty directory without deals.csv is refused and left alone. */
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("keep me\n", f);
    fclose(f);
    struct cs_gen_options o = {.out_dir = dir, .n_deals = 200, .seed = 1};
    struct cs_error err;
    assert_int_equal(cs_generate(&o, &err), CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "deals.csv"));
    DIR *d = opendir(dir);
    size_t entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);
    /* Missing parents are created; a previous data set is overwritten. */
    snprintf(path, sizeof path, "%s/a/b", dir);
    o.out_dir = path;
    assert_int_equal(cs_generate(&o, &err), CS_OK);
    o.seed = 2;
    assert_int_equal(cs_generate(&o, &err), CS_OK);
    d = opendir(path);
    entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        entries += e->d_name[0] != '.';
        assert_null(strstr(e->d_name, ".tmp"));
    }
    closedir(d);
    assert_int_equal(entries, 11);
    remove_tree(dir);
    free(dir);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_and_counts),
        cmocka_unit_test(test_references_resolve),
        cmocka_unit_test(test_thin_sets),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_committed_sample_is_current),
        cmocka_unit_test(test_commissions_follow_tier_formula),
        cmocka_unit_test(test_effects_planted_and_absent_in_null),
        cmocka_unit_test(test_dirty_rows),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_output_directory_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
