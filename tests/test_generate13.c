/* test_generate13.c - the generator's real comp plans (SPEC 13): assignments.csv, splits.csv, crediting, the plan change. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "compsight/generate.h"
#include "gen_csv.h"

static const char *const files13[13] = {
    "reps.csv", "plans.csv", "deals.csv", "quotas.csv", "spiffs.csv", "commissions.csv",
    "roadmap.csv", "promises.csv", "collateral.csv", "claims.csv", "targets.csv",
    "assignments.csv", "splits.csv"};

/* Options of a run: o.out_dir is set by run(). */
static enum cs_status run(const char *dir, struct cs_gen_options o)
{
    o.out_dir = dir;
    struct cs_error err;
    enum cs_status st = cs_generate(&o, &err);
    if (st != CS_OK)
        print_error("cs_generate: %s\n", err.msg);
    return st;
}

static struct cs_gen_options real_plans(uint64_t n, uint64_t seed)
{
    return (struct cs_gen_options){.n_deals = n, .seed = seed, .assignments = true,
                                   .splits = true, .credit_by_type = true};
}

static char *header_of(const struct csv *c)
{
    static char hdr[512];
    hdr[0] = '\0';
    for (size_t j = 0; j < c->nf[0]; j++) {
        if (j)
            strcat(hdr, ",");
        strcat(hdr, c->f[0][j]);
    }
    return hdr;
}

/* ===================================================================== */
/* Days and fiscal periods (SPEC 4), written from the definition          */
/* ===================================================================== */

static long day_of(const char *s)
{
    int y, m, d;
    assert_int_equal(sscanf(s, "%d-%d-%d", &y, &m, &d), 3);
    /* days from civil (H. Hinnant's algorithm) */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static long first_of_month(long months)     /* months since year 0 */
{
    char buf[48];
    snprintf(buf, sizeof buf, "%04ld-%02ld-01", months / 12, months % 12 + 1);
    return day_of(buf);
}

struct period {
    char label[16];
    long start, end;
};

/* The period of a plan (annual or quarterly) holding an ISO date, fiscal start fs. */
static struct period period_of(const char *date, int fs, bool annual)
{
    int y, m, d;
    assert_int_equal(sscanf(date, "%d-%d-%d", &y, &m, &d), 3);
    int fm = (m - fs + 12) % 12;               /* fiscal month 0..11 */
    int fy = fs == 1 ? y : (m >= fs ? y + 1 : y);
    long months = (long)y * 12 + (m - 1);
    long first = months - (annual ? fm : fm % 3);
    struct period p;
    p.start = first_of_month(first);
    p.end = first_of_month(first + (annual ? 12 : 3)) - 1;
    if (annual)
        snprintf(p.label, sizeof p.label, "%d", fy);
    else
        snprintf(p.label, sizeof p.label, "%dQ%d", fy, fm / 3 + 1);
    return p;
}

/* ===================================================================== */
/* A data set read back: plans, reps, assignments                        */
/* ===================================================================== */

struct plan13 {
    char id[16];
    bool annual;
    double quota, credit[3];
    int n;
    double floor[8], rate[8];
};

struct data13 {
    struct csv reps, plans, deals, quotas, comm, asg, splits;
    struct plan13 plan[8];
    int n_plans;
};

/* A file that only some options write: no records when it is absent. */
static struct csv csv_read_optional(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct csv none = {0};
    return access(path, R_OK) == 0 ? csv_read(dir, name) : none;
}

static int type_index(const char *t)
{
    return !strcmp(t, "new") ? 0 : !strcmp(t, "expansion") ? 1 : 2;
}

static void load13(const char *dir, struct data13 *D)
{
    memset(D, 0, sizeof *D);
    D->reps = csv_read(dir, "reps.csv");
    D->plans = csv_read(dir, "plans.csv");
    D->deals = csv_read(dir, "deals.csv");
    D->quotas = csv_read(dir, "quotas.csv");
    D->comm = csv_read(dir, "commissions.csv");
    D->asg = csv_read_optional(dir, "assignments.csv");
    D->splits = csv_read_optional(dir, "splits.csv");
    bool credit = D->plans.nf[0] == 8;
    for (size_t i = 1; i < D->plans.n; i++) {
        const char *id = cell(&D->plans, i, "plan_id");
        int k = 0;
        while (k < D->n_plans && strcmp(D->plan[k].id, id))
            k++;
        struct plan13 *p = &D->plan[k];
        if (k == D->n_plans) {
            assert_true(D->n_plans < 8);
            memset(p, 0, sizeof *p);
            snprintf(p->id, sizeof p->id, "%s", id);
            p->annual = !strcmp(cell(&D->plans, i, "period_type"), "year");
            p->quota = num(cell(&D->plans, i, "quota"));
            p->credit[0] = credit ? num(cell(&D->plans, i, "credit_new")) : 1;
            p->credit[1] = credit ? num(cell(&D->plans, i, "credit_expansion")) : 1;
            p->credit[2] = credit ? num(cell(&D->plans, i, "credit_renewal")) : 1;
            D->n_plans++;
        }
        /* tiers in floor order (insertion) */
        int t = p->n++;
        double f = num(cell(&D->plans, i, "tier_floor")), r = num(cell(&D->plans, i, "rate"));
        while (t > 0 && p->floor[t - 1] > f) {
            p->floor[t] = p->floor[t - 1];
            p->rate[t] = p->rate[t - 1];
            t--;
        }
        p->floor[t] = f;
        p->rate[t] = r;
    }
}

static void free13(struct data13 *D)
{
    csv_free(&D->reps);
    csv_free(&D->plans);
    csv_free(&D->deals);
    csv_free(&D->quotas);
    csv_free(&D->comm);
    csv_free(&D->asg);
    csv_free(&D->splits);
}

static int plan_index(const struct data13 *D, const char *id)
{
    for (int k = 0; k < D->n_plans; k++)
        if (!strcmp(D->plan[k].id, id))
            return k;
    return -1;
}

static size_t rep_row(const struct data13 *D, const char *rep)
{
    for (size_t r = 1; r < D->reps.n; r++)
        if (!strcmp(cell(&D->reps, r, "rep_id"), rep))
            return r;
    fail_msg("unknown rep %s", rep);
    return 0;
}

static long asg_end(const struct data13 *D, size_t a)
{
    const char *e = cell(&D->asg, a, "end_date");
    return e[0] ? day_of(e) : 99999999L;
}

/* SPEC 13: the plan of a rep on a day, by assignment, else reps.csv; -1: none. */
static int plan_on(const struct data13 *D, const char *rep, long day)
{
    for (size_t a = 1; a < D->asg.n; a++)
        if (!strcmp(cell(&D->asg, a, "rep_id"), rep) &&
            day_of(cell(&D->asg, a, "start_date")) <= day && day <= asg_end(D, a))
            return plan_index(D, cell(&D->asg, a, "plan_id"));
    const char *p = cell(&D->reps, rep_row(D, rep), "plan_id");
    return p[0] ? plan_index(D, p) : -1;
}

/* Days of [s, e] on which the rep holds plan k (SPEC 13's proration). */
static long covered(const struct data13 *D, const char *rep, int k, long s, long e)
{
    long n = 0;
    for (long d = s; d <= e; d++)
        n += plan_on(D, rep, d) == k;
    return n;
}

/* ===================================================================== */
/* Shapes                                                                */
/* ===================================================================== */

static void test_files_and_headers(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(run(dir, real_plans(3000, 5)), CS_OK);
    for (int i = 0; i < 13; i++) {
        struct csv c = csv_read(dir, files13[i]);
        assert_true(c.n >= 2);
        for (size_t r = 1; r < c.n; r++)
            assert_int_equal(c.nf[r], c.nf[0]);
        if (!strcmp(files13[i], "assignments.csv"))
            assert_string_equal(header_of(&c), "rep_id,plan_id,start_date,end_date,team");
        if (!strcmp(files13[i], "splits.csv"))
            assert_string_equal(header_of(&c), "deal_id,rep_id,share");
        if (!strcmp(files13[i], "plans.csv")) {
            assert_string_equal(header_of(&c), "plan_id,period_type,quota,tier_floor,rate,"
                                               "credit_new,credit_expansion,credit_renewal");
            assert_int_equal(c.n - 1, 12);                  /* 4 plans x 3 tiers */
        }
        if (!strcmp(files13[i], "quotas.csv"))
            assert_string_equal(header_of(&c), "rep_id,period,quota,plan_id");
        csv_free(&c);
    }
    struct csv deals = csv_read(dir, "deals.csv");
    assert_int_equal(deals.n - 1, 3000);                    /* still exactly --deals */
    csv_free(&deals);
    remove_tree(dir);
    free(dir);
}

/* Each option alone touches only what it is about. */
static void test_options_isolated(void **state)
{
    (void)state;
    char *plain = make_tmpdir(), *one = make_tmpdir();
    struct cs_gen_options base = {.n_deals = 2500, .seed = 4};
    assert_int_equal(run(plain, base), CS_OK);
    struct cs_gen_options o = base;
    o.splits = true;
    assert_int_equal(run(one, o), CS_OK);
    const char *same[] = {"reps.csv", "plans.csv", "quotas.csv", "spiffs.csv", "roadmap.csv"};
    for (size_t i = 0; i < 5; i++)
        assert_true(same_file(plain, one, same[i]));
    char path[4200];
    snprintf(path, sizeof path, "%s/assignments.csv", one);
    assert_int_not_equal(access(path, F_OK), 0);
    o = base;
    o.credit_by_type = true;
    assert_int_equal(run(one, o), CS_OK);
    assert_true(same_file(plain, one, "reps.csv"));
    assert_true(same_file(plain, one, "quotas.csv"));
    struct csv a = csv_read(plain, "plans.csv"), b = csv_read(one, "plans.csv");
    assert_int_equal(a.n, b.n);
    for (size_t r = 1; r < a.n; r++)
        for (size_t j = 0; j < a.nf[0]; j++)
            assert_string_equal(a.f[r][j], b.f[r][j]);
    csv_free(&a);
    csv_free(&b);
    remove_tree(plain);
    remove_tree(one);
    free(plain);
    free(one);
}

/* ===================================================================== */
/* assignments.csv                                                       */
/* ===================================================================== */

static void check_assignments(const char *dir, size_t want_movers)
{
    struct data13 D;
    load13(dir, &D);
    for (size_t a = 1; a < D.asg.n; a++) {
        const char *rep = cell(&D.asg, a, "rep_id");
        (void)rep_row(&D, rep);
        assert_true(plan_index(&D, cell(&D.asg, a, "plan_id")) >= 0);
        assert_true(is_date(cell(&D.asg, a, "start_date")));
        const char *e = cell(&D.asg, a, "end_date");
        assert_true(!e[0] || (is_date(e) && day_of(e) >= day_of(cell(&D.asg, a, "start_date"))));
        /* no two assignments of a rep overlap */
        for (size_t b = a + 1; b < D.asg.n; b++)
            if (!strcmp(rep, cell(&D.asg, b, "rep_id")))
                assert_true(day_of(cell(&D.asg, a, "start_date")) > asg_end(&D, b) ||
                            day_of(cell(&D.asg, b, "start_date")) > asg_end(&D, a));
    }
    /* the fiscal-year change: consecutive MM-Q then MM-Q-FY26 rows, the
     * new one starting within 7 days of 2026-01-01 */
    size_t movers = 0, promoted = 0, hired = 0, team_moves = 0;
    for (size_t a = 1; a < D.asg.n; a++) {
        const char *rep = cell(&D.asg, a, "rep_id");
        size_t rr = rep_row(&D, rep);
        bool next_same = a + 1 < D.asg.n && !strcmp(rep, cell(&D.asg, a + 1, "rep_id"));
        if (next_same && !strcmp(cell(&D.asg, a, "plan_id"), "MM-Q") &&
            !strcmp(cell(&D.asg, a + 1, "plan_id"), "MM-Q-FY26")) {
            long s = day_of(cell(&D.asg, a + 1, "start_date")) - day_of("2026-01-01");
            assert_true(s >= 0 && s <= 7);
            assert_int_equal(day_of(cell(&D.asg, a, "end_date")) + 1,
                             day_of(cell(&D.asg, a + 1, "start_date")));
            movers++;
        } else if (next_same && strcmp(cell(&D.asg, a, "plan_id"), cell(&D.asg, a + 1, "plan_id"))) {
            /* a promotion, mid-quarter: not on the first of a month */
            assert_string_not_equal(cell(&D.asg, a + 1, "start_date") + 8, "01");
            promoted++;
        }
        if (!cell(&D.reps, rr, "plan_id")[0]) {
            hired++;                          /* everything in its assignment */
            assert_string_not_equal(cell(&D.asg, a, "start_date") + 8, "01");
            assert_string_equal(cell(&D.asg, a, "end_date"), "");
        }
        if (!next_same && (a == 1 || strcmp(rep, cell(&D.asg, a - 1, "rep_id"))) &&
            cell(&D.asg, a, "end_date")[0] &&
            !strcmp(cell(&D.asg, a, "plan_id"), cell(&D.reps, rr, "plan_id")) &&
            strcmp(cell(&D.asg, a, "team"), cell(&D.reps, rr, "team")))
            team_moves++;                     /* reps.csv holds the new team */
    }
    assert_int_equal(movers, want_movers);
    assert_int_equal(promoted, 2);
    assert_int_equal(hired, 1);
    assert_int_equal(team_moves, 1);
    assert_int_equal(plan_index(&D, "MM-Q-FY26") >= 0, want_movers > 0);
    free13(&D);
}

static void test_assignments(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(run(dir, real_plans(4000, 2026)), CS_OK);
    check_assignments(dir, 7);                /* 8 Mid-Market AEs, one promoted */
    struct cs_gen_options o = {.n_deals = 4000, .seed = 3, .plan_change_movers_set = true,
                               .plan_change_movers = 3, .fiscal_start = 1};
    assert_int_equal(run(dir, o), CS_OK);     /* implies --assignments */
    check_assignments(dir, 3);
    o.plan_change_movers = 5;
    assert_int_equal(run(dir, o), CS_OK);
    check_assignments(dir, 5);
    o.plan_change_movers = 0;
    assert_int_equal(run(dir, o), CS_OK);
    check_assignments(dir, 0);
    struct cs_gen_options big = real_plans(20000, 8);
    assert_int_equal(run(dir, big), CS_OK);
    check_assignments(dir, 39);               /* 40 Mid-Market AEs */
    remove_tree(dir);
    free(dir);
}

static void test_bad_plan_change_options(void **state)
{
    (void)state;
    struct cs_error err;
    char *dir = make_tmpdir();
    struct cs_gen_options o = {.out_dir = dir, .n_deals = 4000, .plan_change_movers_set = true,
                               .plan_change_movers = 8};
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_string_equal(err.column, "--plan-change-movers");
    assert_non_null(strstr(err.msg, "7 Mid-Market AEs"));
    o.plan_change_movers_set = false;
    o.plan_change_effect_set = true;
    o.plan_change_effect = 0.7;
    assert_int_equal(cs_generate(&o, &err), CS_ERR_USAGE);
    assert_string_equal(err.column, "--plan-change-effect");
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* splits.csv                                                            */
/* ===================================================================== */

static void test_splits(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    assert_int_equal(run(dir, real_plans(6000, 9)), CS_OK);
    struct data13 D;
    load13(dir, &D);
    struct krow *deal = index_rows(&D.deals, "deal_id");
    size_t won = 0, split = 0, three = 0, across = 0, owner_in = 0;
    for (size_t i = 1; i < D.deals.n; i++)
        won += !strcmp(cell(&D.deals, i, "stage"), "won");
    for (size_t s = 1; s < D.splits.n;) {
        const char *id = cell(&D.splits, s, "deal_id");
        size_t e = s;
        while (e < D.splits.n && !strcmp(cell(&D.splits, e, "deal_id"), id))
            e++;
        size_t dr = find_row(deal, D.deals.n - 1, id);
        assert_string_equal(cell(&D.deals, dr, "stage"), "won");
        long close = day_of(cell(&D.deals, dr, "close_date"));
        double sum = 0;
        int plans[3];
        bool own = false;
        assert_true(e - s == 2 || e - s == 3);
        for (size_t k = s; k < e; k++) {
            double sh = num(cell(&D.splits, k, "share"));
            assert_true(sh > 0 && sh <= 1);
            sum += sh;
            const char *rep = cell(&D.splits, k, "rep_id");
            for (size_t j = s; j < k; j++)
                assert_string_not_equal(rep, cell(&D.splits, j, "rep_id"));
            own |= !strcmp(rep, cell(&D.deals, dr, "rep_id"));
            plans[k - s] = plan_on(&D, rep, close);
            assert_true(plans[k - s] >= 0);     /* every credited rep holds a plan */
        }
        assert_true(fabs(sum - 1.0) < 1e-12);
        owner_in += own;
        split++;
        three += e - s == 3;
        across += plans[1] != plans[0] || (e - s == 3 && plans[2] != plans[0]);
        s = e;
    }
    print_message("splits: %zu of %zu won deals, %zu three ways, %zu across two plans\n", split,
                  won, three, across);
    assert_int_equal(owner_in, split);          /* the owner is always credited */
    assert_true(split > 0.07 * (double)won && split < 0.13 * (double)won);
    assert_true(three > split / 8 && three < split / 2);
    assert_true(across > split / 20 && across < split / 2);
    free(deal);
    free13(&D);
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* commissions.csv: one line per credit row, SPEC 13 exactly              */
/* ===================================================================== */

struct credit_row {
    const char *deal, *rep;
    long close;
    char key[64];                    /* rep, plan, period */
    double credited, quota;
    int plan;
    struct period period;
};

static int cmp_credit_row(const void *a, const void *b)
{
    const struct credit_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (!c)
        c = x->close < y->close ? -1 : x->close > y->close;
    return c ? c : strcmp(x->deal, y->deal);
}

/* The quota of a rep-plan-period: a quotas.csv row (its plan_id, or the
 * plan held on the period's last day), else the plan's prorated. */
static double quota_of(const struct data13 *D, const char *rep, int k, const struct period *p)
{
    for (size_t q = 1; q < D->quotas.n; q++) {
        if (strcmp(cell(&D->quotas, q, "rep_id"), rep) || strcmp(cell(&D->quotas, q, "period"), p->label))
            continue;
        const char *pl = cell(&D->quotas, q, "plan_id");
        if ((pl[0] ? plan_index(D, pl) : plan_on(D, rep, p->end)) == k)
            return num(cell(&D->quotas, q, "quota"));
    }
    long days = p->end - p->start + 1, cov = covered(D, rep, k, p->start, p->end);
    return cov == days ? D->plan[k].quota : D->plan[k].quota * (double)cov / (double)days;
}

/* Share of credit rows whose statement line matches SPEC 13 to the cent;
 * every credit row must have exactly one line. */
static double reconcile13(const char *dir, int fs)
{
    struct data13 D;
    load13(dir, &D);
    struct credit_row *cr = calloc(2 * D.deals.n + D.splits.n, sizeof *cr);
    assert_non_null(cr);
    size_t n = 0;
    struct krow *split_of = index_rows(&D.splits, "deal_id");
    for (size_t i = 1; i < D.deals.n; i++) {
        if (strcmp(cell(&D.deals, i, "stage"), "won"))
            continue;
        const char *id = cell(&D.deals, i, "deal_id");
        double amount = num(cell(&D.deals, i, "amount"));
        const char *close = cell(&D.deals, i, "close_date");
        int type = type_index(cell(&D.deals, i, "type"));
        /* credit rows: the split rows, else the owner with share 1 */
        size_t first = D.splits.n, last = D.splits.n;
        for (size_t s = 0; s + 1 < D.splits.n; s++)
            if (!strcmp(split_of[s].k, id)) {
                if (first == D.splits.n)
                    first = s;
                last = s + 1;
            }
        size_t m = first == D.splits.n ? 1 : last - first;
        for (size_t j = 0; j < m; j++) {
            struct credit_row *c = &cr[n++];
            size_t srow = first == D.splits.n ? 0 : split_of[first + j].row;
            c->deal = id;
            c->rep = srow ? cell(&D.splits, srow, "rep_id") : cell(&D.deals, i, "rep_id");
            double share = srow ? num(cell(&D.splits, srow, "share")) : 1.0;
            c->close = day_of(close);
            c->plan = plan_on(&D, c->rep, c->close);
            assert_true(c->plan >= 0);
            c->period = period_of(close, fs, D.plan[c->plan].annual);
            snprintf(c->key, sizeof c->key, "%s|%s|%s", c->rep, D.plan[c->plan].id,
                     c->period.label);
            c->credited = share * amount * D.plan[c->plan].credit[type];
        }
    }
    qsort(cr, n, sizeof *cr, cmp_credit_row);
    for (size_t i = 0; i < n; i++)      /* one quota per rep, plan and period */
        cr[i].quota = i && !strcmp(cr[i].key, cr[i - 1].key)
            ? cr[i - 1].quota : quota_of(&D, cr[i].rep, cr[i].plan, &cr[i].period);
    assert_int_equal(D.comm.n - 1, n);                    /* one line per credit row */
    size_t match = 0;
    double cum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(cr[i].key, cr[i - 1].key))
            cum = 0;
        const struct plan13 *p = &D.plan[cr[i].plan];
        double a0 = cum / cr[i].quota, a1 = a0 + cr[i].credited / cr[i].quota, c = 0;
        cum += cr[i].credited;
        for (int k = 0; k < p->n; k++) {
            double lo = fmax(a0, p->floor[k]), hi = fmin(a1, k + 1 < p->n ? p->floor[k + 1] : INFINITY);
            if (hi > lo)
                c += p->rate[k] * (hi - lo);
        }
        c *= cr[i].quota;
        size_t hits = 0;
        for (size_t r = 1; r < D.comm.n; r++)
            if (!strcmp(cell(&D.comm, r, "deal_id"), cr[i].deal) &&
                !strcmp(cell(&D.comm, r, "rep_id"), cr[i].rep)) {
                hits++;
                assert_string_equal(cell(&D.comm, r, "period"), cr[i].period.label);
                match += fabs(num(cell(&D.comm, r, "commission")) - c) < 0.0051;
            }
        assert_int_equal(hits, 1);
    }
    double share = n ? (double)match / (double)n : 0;
    free(split_of);
    free(cr);
    free13(&D);
    return share;
}

static void test_commissions_follow_section13(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct cs_gen_options o = real_plans(3000, 21);
    assert_int_equal(run(dir, o), CS_OK);
    double share = reconcile13(dir, 1);
    print_message("statement lines matching SPEC 13 to the cent: %.4f\n", share);
    assert_true(share > 0.97 && share < 1.0);        /* ~1% planted adjustments */
    o = real_plans(2000, 22);
    o.fiscal_start = 7;
    assert_int_equal(run(dir, o), CS_OK);
    share = reconcile13(dir, 7);
    assert_true(share > 0.97 && share < 1.0);
    remove_tree(dir);
    free(dir);
}

/* Thin sets: every credit row has its statement line and a plan, down to
 * the smallest --deals, where there are too few reps for some moves. */
static void test_thin_real_plans(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    static const uint64_t sizes[] = {10, 11, 40, 99};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            struct cs_gen_options o = real_plans(sizes[k], seed);
            o.fiscal_start = (int)(seed * 5);
            assert_int_equal(run(dir, o), CS_OK);
            struct csv deals = csv_read(dir, "deals.csv");
            assert_int_equal(deals.n - 1, sizes[k]);
            csv_free(&deals);
            (void)reconcile13(dir, o.fiscal_start);
        }
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* Determinism and --dirty                                               */
/* ===================================================================== */

static void test_determinism13(void **state)
{
    (void)state;
    char *a = make_tmpdir(), *b = make_tmpdir();
    assert_int_equal(run(a, real_plans(1500, 31)), CS_OK);
    assert_int_equal(run(b, real_plans(1500, 31)), CS_OK);
    for (int i = 0; i < 13; i++)
        assert_true(same_file(a, b, files13[i]));
    assert_int_equal(run(b, real_plans(1500, 32)), CS_OK);
    assert_false(same_file(a, b, "splits.csv"));
    assert_false(same_file(a, b, "deals.csv"));
    remove_tree(a);
    remove_tree(b);
    free(a);
    free(b);
}

static void test_dirty13(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct cs_gen_options o = real_plans(2000, 3);
    o.dirty = true;
    assert_int_equal(run(dir, o), CS_OK);
    struct csv asg = csv_read(dir, "assignments.csv"), spl = csv_read(dir, "splits.csv");
    struct csv reps = csv_read(dir, "reps.csv"), deals = csv_read(dir, "deals.csv");
    /* two overlapping assignments of the first sales manager */
    size_t n = asg.n - 1;
    assert_string_equal(cell(&asg, n, "rep_id"), cell(&reps, 1, "rep_id"));
    assert_string_equal(cell(&asg, n - 1, "rep_id"), cell(&reps, 1, "rep_id"));
    assert_string_equal(cell(&reps, 1, "role"), "Sales Manager");
    assert_true(strcmp(cell(&asg, n, "start_date"), cell(&asg, n - 1, "end_date")) <= 0);
    /* a share above 1 on an existing deal, a split of a deal that does not exist */
    struct idset ids = ids_of(&deals, "deal_id");
    n = spl.n - 1;
    assert_string_equal(cell(&spl, n - 1, "share"), "1.50");
    assert_true(has_id(&ids, cell(&spl, n - 1, "deal_id")));
    assert_false(has_id(&ids, cell(&spl, n, "deal_id")));
    free(ids.v);
    csv_free(&asg);
    csv_free(&spl);
    csv_free(&reps);
    csv_free(&deals);
    remove_tree(dir);
    free(dir);
}

/* ===================================================================== */
/* The planted plan change (SPEC 14.3)                                   */
/* ===================================================================== */

/* Difference in differences of the risky-deal rate, movers against the
 * reps that never move, FY2026 against FY2025 (close dates, fiscal start 1). */
static double did_of_means(const char *dir)
{
    struct data13 D;
    load13(dir, &D);
    struct csv prom = csv_read(dir, "promises.csv"), rm = csv_read(dir, "roadmap.csv");
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
    double n[2][2] = {{0}}, y[2][2] = {{0}};
    for (size_t i = 1; i < D.deals.n; i++) {
        if (strcmp(cell(&D.deals, i, "stage"), "won"))
            continue;
        const char *rep = cell(&D.deals, i, "rep_id");
        int rows = 0, mover = 0;
        for (size_t a = 1; a < D.asg.n; a++)
            if (!strcmp(cell(&D.asg, a, "rep_id"), rep)) {
                rows++;
                mover |= !strcmp(cell(&D.asg, a, "plan_id"), "MM-Q-FY26");
            }
        if (rows > 1 && !mover)
            continue;                            /* promoted: neither group */
        int post = strcmp(cell(&D.deals, i, "close_date"), "2026-01-01") >= 0;
        n[mover][post]++;
        y[mover][post] += has_id(&risky, cell(&D.deals, i, "deal_id"));
    }
    free(risky.v);
    csv_free(&prom);
    csv_free(&rm);
    free13(&D);
    return (y[1][1] / n[1][1] - y[1][0] / n[1][0]) - (y[0][1] / n[0][1] - y[0][0] / n[0][0]);
}

/* Under --null every other risk is 0.20, so the planted effect is the
 * whole difference: recovered within about three standard errors. */
static void test_plan_change_effect(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct cs_gen_options o = {.n_deals = 30000, .seed = 12, .null_effects = true,
                               .plan_change_effect_set = true, .plan_change_effect = -0.15};
    assert_int_equal(run(dir, o), CS_OK);
    double with = did_of_means(dir);
    o.plan_change_effect = 0;
    assert_int_equal(run(dir, o), CS_OK);
    double without = did_of_means(dir);
    print_message("difference in differences: planted -0.15 gives %.4f, planted 0 gives %.4f\n",
                  with, without);
    assert_true(fabs(with + 0.15) < 0.045);
    assert_true(fabs(without) < 0.045);
    remove_tree(dir);
    free(dir);
}

int main(void)
{
    gsl_set_error_handler_off();   /* GSL's default handler aborts (STYLE.md) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_headers),
        cmocka_unit_test(test_options_isolated),
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_bad_plan_change_options),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_commissions_follow_section13),
        cmocka_unit_test(test_thin_real_plans),
        cmocka_unit_test(test_determinism13),
        cmocka_unit_test(test_dirty13),
        cmocka_unit_test(test_plan_change_effect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
