/* within_bench.c - times the within-rep estimators (cs_clogit, cs_feols) on the deals CSV of `compsight deals --private`. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "compsight/clogit.h"
#include "compsight/feols.h"

/*
 * Usage: within_bench DEALS.csv [RUNS [shuffle]]
 * Builds the SPEC 7.1 design without the intercept (marginal_rate,
 * tier_cross, last_14_days, log_amount, spiff, type[expansion],
 * type[renewal]) with reps as strata: promise_risk by conditional logit
 * (one thread and two), discount_pct by least squares with rep dummies and
 * with rep and quarter dummies.  Prints the best wall and CPU time of
 * RUNS (3).  With "shuffle", the rows are put in a random order first
 * (`compsight generate` writes each rep's deals together, real exports
 * rarely do, and the within estimators gather each rep's rows).
 */

static const char *const TERMS[] = {"marginal_rate", "tier_cross", "last_14_days", "log_amount",
                                    "spiff", "type[expansion]", "type[renewal]"};
enum { K = 7 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process, all threads: on a busy machine the wall time
 * says little, the CPU time still says how much work a fit is */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* column index of name in a header line split into fields */
static int col(char **f, int nf, const char *name)
{
    for (int i = 0; i < nf; i++)
        if (!strcmp(f[i], name))
            return i;
    fprintf(stderr, "within_bench: no column %s\n", name);
    exit(1);
}

/* Split a CSV line in place (RFC 4180 quotes: "" inside a quoted field is a quote). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *r = line, *w = line;
    while (n < max) {
        f[n++] = w;
        if (*r == '"') {
            for (r++; *r; r++) {
                if (*r == '"' && r[1] == '"')
                    *w++ = *r++;
                else if (*r == '"')
                    break;
                else
                    *w++ = *r;
            }
            if (*r == '"')
                r++;
        }
        while (*r && *r != ',' && *r != '\n' && *r != '\r')
            *w++ = *r++;
        if (*r != ',') {
            *w = '\0';
            break;
        }
        r++;
        *w++ = '\0';
    }
    return n;
}

/* rep ids "R0001" -> dense ids in order of first appearance (a small linear-probing table) */
struct ids {
    char **key;
    uint32_t *val;
    size_t cap, used;
};

static uint32_t intern(struct ids *t, const char *s)
{
    if (2 * (t->used + 1) > t->cap) {
        struct ids n = {calloc(t->cap * 2, sizeof(char *)), malloc(t->cap * 2 * sizeof(uint32_t)),
                        t->cap * 2, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->key[i]) {
                size_t h = 0;
                for (const char *c = t->key[i]; *c; c++)
                    h = h * 131 + (unsigned char)*c;
                for (h &= n.cap - 1; n.key[h]; h = (h + 1) & (n.cap - 1))
                    ;
                n.key[h] = t->key[i];
                n.val[h] = t->val[i];
            }
        n.used = t->used;
        free(t->key);
        free(t->val);
        *t = n;
    }
    size_t h = 0;
    for (const char *c = s; *c; c++)
        h = h * 131 + (unsigned char)*c;
    for (h &= t->cap - 1; t->key[h]; h = (h + 1) & (t->cap - 1))
        if (!strcmp(t->key[h], s))
            return t->val[h];
    t->key[h] = strdup(s);
    t->val[h] = (uint32_t)t->used;
    return (uint32_t)t->used++;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: within_bench DEALS.csv [RUNS]\n");
        return 1;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    int shuffle = argc > 3 && !strcmp(argv[3], "shuffle");
    gsl_set_error_handler_off();
    FILE *fp = fopen(argv[1], "r");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    char line[4096], *f[64];
    if (!fgets(line, sizeof line, fp))
        return 1;
    int nf = split(line, f, 64);
    int c_rep = col(f, nf, "rep"), c_type = col(f, nf, "type"), c_y = col(f, nf, "promise_risk");
    int c_disc = col(f, nf, "discount_pct"), c_close = col(f, nf, "close_date");
    int c_t[5];
    for (int j = 0; j < 5; j++)
        c_t[j] = col(f, nf, TERMS[j]);

    size_t cap = 1 << 20, n = 0, nd = 0;
    double *x = malloc(cap * K * sizeof *x), *y = malloc(cap * sizeof *y);
    double *xd = malloc(cap * K * sizeof *xd), *yd = malloc(cap * sizeof *yd);
    uint32_t *s = malloc(cap * sizeof *s), *sd = malloc(cap * sizeof *sd), *qd = malloc(cap * sizeof *qd);
    struct ids reps = {calloc(1024, sizeof(char *)), malloc(1024 * sizeof(uint32_t)), 1024, 0};
    struct ids quarters = {calloc(1024, sizeof(char *)), malloc(1024 * sizeof(uint32_t)), 1024, 0};
    while (fgets(line, sizeof line, fp)) {
        if (n == cap) {
            cap *= 2;
            x = realloc(x, cap * K * sizeof *x);
            y = realloc(y, cap * sizeof *y);
            s = realloc(s, cap * sizeof *s);
            xd = realloc(xd, cap * K * sizeof *xd);
            yd = realloc(yd, cap * sizeof *yd);
            sd = realloc(sd, cap * sizeof *sd);
            qd = realloc(qd, cap * sizeof *qd);
        }
        split(line, f, 64);
        if (!*f[c_y])
            continue;
        double *xi = x + n * K;
        for (int j = 0; j < 5; j++)
            xi[j] = strtod(f[c_t[j]], NULL);
        xi[5] = !strcmp(f[c_type], "expansion");
        xi[6] = !strcmp(f[c_type], "renewal");
        y[n] = strtod(f[c_y], NULL);
        s[n] = intern(&reps, f[c_rep]);
        if (*f[c_disc]) {
            memcpy(xd + nd * K, xi, K * sizeof *xi);
            yd[nd] = strtod(f[c_disc], NULL);
            sd[nd] = s[n];
            char q[8];                      /* calendar quarter of the close date: YYYY-Qn */
            snprintf(q, sizeof q, "%.4s%c", f[c_close], '1' + (atoi(f[c_close] + 5) - 1) / 3);
            qd[nd] = intern(&quarters, q);
            nd++;
        }
        n++;
    }
    fclose(fp);
    if (shuffle) {                          /* Fisher-Yates with a fixed LCG */
        unsigned long long r = 1;
        for (size_t i = n; i > 1; i--) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            size_t j = (size_t)((r >> 33) % i);
            double t[K];
            memcpy(t, x + (i - 1) * K, sizeof t);
            memcpy(x + (i - 1) * K, x + j * K, sizeof t);
            memcpy(x + j * K, t, sizeof t);
            double ty = y[i - 1];
            y[i - 1] = y[j];
            y[j] = ty;
            uint32_t ts = s[i - 1];
            s[i - 1] = s[j];
            s[j] = ts;
        }
    }
    printf("%s", shuffle ? "rows shuffled; " : "");
    printf("rows %zu (discount given: %zu), reps %zu, quarters %zu\n", n, nd, reps.used, quarters.used);

    struct cs_clogit_design d = {.n = n, .k = K, .x = x, .y = y, .stratum = s,
                                 .strata = reps.used, .names = TERMS};
    struct cs_error err;
    for (int threads = 1; threads <= 2; threads++) {
        struct cs_clogit_options o = cs_clogit_options_default();
        o.threads = threads;
        double best = INFINITY, best_cpu = INFINITY;
        struct cs_clogit_fit *fit = NULL;
        for (int r = 0; r < runs; r++) {
            cs_clogit_free(fit);
            double t0 = now(), c0 = cpu();
            if (cs_clogit(&d, &o, &fit, &err) != CS_OK) {
                fprintf(stderr, "cs_clogit: %s\n", err.msg);
                return 1;
            }
            double t = now() - t0, c = cpu() - c0;
            best = t < best ? t : best;
            best_cpu = c < best_cpu ? c : best_cpu;
        }
        printf("clogit  threads %d: %.3f s wall, %.3f s cpu (iterations %d, converged %d, flags %#x, "
               "strata %zu, uninformative %zu)\n", threads, best, best_cpu, fit->fit->iterations,
               fit->fit->converged,
               fit->fit->flags, fit->strata, fit->uninformative);
        if (threads == 2)
            for (size_t t = 0; t < fit->fit->k; t++)
                printf("    %-16s %10.6f  se %.6f  robust %.6f\n", fit->fit->terms[t].name,
                       fit->fit->terms[t].estimate, fit->fit->terms[t].se, fit->fit->terms[t].se_cluster);
        cs_clogit_free(fit);
    }

    for (int way = 1; way <= 2; way++) {
        struct cs_feols_design fd = {.n = nd, .k = K, .x = xd, .y = yd, .group = sd,
                                     .groups = reps.used, .period = way == 2 ? qd : NULL,
                                     .periods = way == 2 ? quarters.used : 0, .names = TERMS};
        double best = INFINITY, best_cpu = INFINITY;
        struct cs_feols_fit *fit = NULL;
        for (int r = 0; r < runs; r++) {
            cs_feols_free(fit);
            double t0 = now(), c0 = cpu();
            if (cs_feols(&fd, &fit, &err) != CS_OK) {
                fprintf(stderr, "cs_feols: %s\n", err.msg);
                return 1;
            }
            double t = now() - t0, c = cpu() - c0;
            best = t < best ? t : best;
            best_cpu = c < best_cpu ? c : best_cpu;
        }
        printf("feols   %s: %.3f s wall, %.3f s cpu (groups %zu, periods %zu, rank %zu)\n",
               way == 1 ? "rep      " : "rep + qtr", best, best_cpu, fit->groups, fit->periods, fit->rank);
        cs_feols_free(fit);
    }
    return 0;
}
