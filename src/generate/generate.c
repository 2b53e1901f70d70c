/* generate.c - `compsight generate`: the entry point, the output directory and its files. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "compsight/calendar.h"
#include "compsight/generate.h"
#include "gen.h"

/* ===================================================================== */
/* Random number streams                                                 */
/* ===================================================================== */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* One mt19937 per part (organisation, sales, marketing), so that a change
 * in one part's draws does not shift the others' random numbers.  mt19937
 * takes a 32-bit seed. */
static gsl_rng *new_rng(uint64_t seed, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r) {
        uint64_t s = splitmix64(seed ^ splitmix64(stream));
        gsl_rng_set(r, (unsigned long)(s & 0xffffffffUL));
    }
    return r;
}

/* ===================================================================== */
/* Output directory and files                                            */
/* ===================================================================== */

static enum cs_status make_dirs(const char *path, struct cs_error *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return cs_error_set(err, CS_ERR_USAGE, path, 0, NULL, "path too long");
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return cs_error_set(err, CS_ERR_OUTPUT, buf, 0, NULL, "cannot create directory: %s",
                                strerror(errno));
        *s = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return cs_error_set(err, CS_ERR_OUTPUT, buf, 0, NULL, "cannot create directory: %s",
                            strerror(errno));
    return CS_OK;
}

/* Refuse an existing non-empty directory that is not a previous data set. */
static enum cs_status check_out_dir(const char *dir, struct cs_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return cs_error_set(err, CS_ERR_OUTPUT, dir, 0, NULL, "%s", strerror(errno));
        return make_dirs(dir, err);
    }
    if (!S_ISDIR(st.st_mode))
        return cs_error_set(err, CS_ERR_OUTPUT, dir, 0, NULL, "not a directory");
    DIR *d = opendir(dir);
    if (!d)
        return cs_error_set(err, CS_ERR_OUTPUT, dir, 0, NULL, "%s", strerror(errno));
    bool empty = true, has_deals = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        /* (".compsight-staging-*": this run's staging directory, or one
         * that a killed run left and the next run into it removes) */
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strncmp(e->d_name, ".compsight-staging-", 19) == 0)
            continue;
        empty = false;
        if (strcmp(e->d_name, "deals.csv") == 0)
            has_deals = true;
    }
    closedir(d);
    if (!empty && !has_deals)
        return cs_error_set(err, CS_ERR_OUTPUT, dir, 0, NULL,
                            "directory is not empty and holds no deals.csv; "
                            "refusing to write a data set into it");
    return CS_OK;
}

/* assignments.csv and splits.csv are written only when asked for. */
static bool file_wanted(const struct gen *g, int f)
{
    if (f == F_ASSIGNMENTS)
        return g->s13 && g->s13->assignments;
    if (f == F_SPLITS)
        return g->s13 && g->s13->splits;
    return true;
}

static const char *file_header(const struct gen *g, int f)
{
    if (f == F_PLANS && g->s13 && g->s13->credit)
        return plans_header_credit;
    if (f == F_QUOTAS && g->s13 && g->s13->assignments)
        return quotas_header_plan;
    return gfiles[f].header;
}

static enum cs_status open_files(struct gen *g)
{
    const char *dir = g->opt->write_dir ? g->opt->write_dir : g->opt->out_dir;
    for (int f = 0; f < F_COUNT; f++) {
        if (!file_wanted(g, f))
            continue;
        size_t n = strlen(dir) + strlen(gfiles[f].name) + 8;
        g->path_final[f] = malloc(n);
        g->path_tmp[f] = malloc(n);
        if (!g->path_final[f] || !g->path_tmp[f])
            return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        snprintf(g->path_final[f], n, "%s/%s", dir, gfiles[f].name);
        snprintf(g->path_tmp[f], n, "%s/%s.tmp", dir, gfiles[f].name);
        g->f[f] = fopen(g->path_tmp[f], "wb");
        if (!g->f[f])
            return cs_error_set(g->err, CS_ERR_OUTPUT, g->path_tmp[f], 0, NULL,
                                "cannot create: %s", strerror(errno));
        /* Large buffers: the deals and promises files reach gigabytes. */
        setvbuf(g->f[f], NULL, _IOFBF, f == F_DEALS || f == F_PROMISES ||
                f == F_COMMISSIONS ? (size_t)1 << 20 : (size_t)1 << 16);
        raw_line(g, (enum gfile)f, file_header(g, f));
    }
    return g->write_status;
}

/* Close every file; on success rename the .tmp files into place, on
 * failure remove them. */
static enum cs_status close_files(struct gen *g, enum cs_status st)
{
    for (int f = 0; f < F_COUNT; f++) {
        if (!g->f[f])
            continue;
        bool bad = ferror(g->f[f]) != 0;
        if (fclose(g->f[f]) != 0)
            bad = true;
        g->f[f] = NULL;
        if (bad && st == CS_OK)
            st = cs_error_set(g->err, CS_ERR_OUTPUT, g->path_tmp[f], 0, NULL,
                              "cannot write: %s", strerror(errno));
    }
    for (int f = 0; f < F_COUNT; f++) {
        if (!g->path_tmp[f])
            continue;
        if (st == CS_OK) {
            if (rename(g->path_tmp[f], g->path_final[f]) != 0)
                st = cs_error_set(g->err, CS_ERR_OUTPUT, g->path_final[f], 0, NULL,
                                  "cannot rename into place: %s", strerror(errno));
        } else {
            unlink(g->path_tmp[f]);
        }
    }
    return st;
}

static void gen_free(struct gen *g)
{
    for (int f = 0; f < F_COUNT; f++) {
        free(g->path_tmp[f]);
        free(g->path_final[f]);
    }
    gsl_rng_free(g->org_rng);
    gsl_rng_free(g->sales_rng);
    gsl_rng_free(g->mkt_rng);
    free(g->reps);
    free(g->teams);
    free(g->alloc);
    free(g->cur.d);
    free(g->nxt.d);
    free(g->won_idx);
    free(g->risky);
    free(g->is_cust);
    free(g->cust);
    s13_free(g->s13);
}

/* ===================================================================== */
/* Entry point                                                           */
/* ===================================================================== */

enum cs_status cs_generate_check(const struct cs_gen_options *opt, struct cs_error *err)
{
    cs_error_clear(err);
    if (!opt || !opt->out_dir || !opt->out_dir[0])
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--out", "an output directory is required");
    if (opt->preset && strcmp(opt->preset, "sample") != 0)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--preset",
                            "unknown preset \"%.64s\" (known: sample)", opt->preset);
    if (opt->fiscal_start < 0 || opt->fiscal_start > 12)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--fiscal-start",
                            "must be a month 1..12, not %d", opt->fiscal_start);
    if (opt->plan_change_effect_set &&
        !(opt->plan_change_effect >= -0.5 && opt->plan_change_effect <= 0.5))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--plan-change-effect",
                            "must be between -0.5 and 0.5, not %g", opt->plan_change_effect);
    uint64_t n = opt->n_deals ? opt->n_deals : DEFAULT_DEALS;
    if (n < MIN_DEALS || n > MAX_DEALS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--deals",
                            "must be between %d and %llu, not %llu", MIN_DEALS,
                            (unsigned long long)MAX_DEALS, (unsigned long long)n);
    return CS_OK;
}

enum cs_status cs_generate(const struct cs_gen_options *opt, struct cs_error *err)
{
    enum cs_status st = cs_generate_check(opt, err);
    if (st != CS_OK)
        return st;
    uint64_t n = opt->n_deals ? opt->n_deals : DEFAULT_DEALS;

    struct gen *g = calloc(1, sizeof *g);
    if (!g)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    g->opt = opt;
    g->err = err;
    g->effects = !opt->null_effects;
    g->skill = opt->skill;
    g->fs = opt->fiscal_start ? opt->fiscal_start : 1;
    g->n_deals = n;
    g->deal_w = n_digits(n + 100) < 6 ? 6 : n_digits(n + 100);
    g->prom_w = n_digits(3 * n + 100) < 6 ? 6 : n_digits(3 * n + 100);

    /* The calendar module's quarters, so that generator and analysis agree. */
    struct cs_calendar cal = {.fiscal_start = g->fs};
    for (int i = 0; i <= N_QUARTERS + 1; i++)
        g->qstart[i] = cs_cal_period_first_day(&cal, (FIRST_FY + i / 4) * 10 + i % 4 + 1);
    g->window_start = g->qstart[0];
    g->export_day = g->qstart[N_QUARTERS];
    for (int s = 0; s < N_SPIFFS; s++) {
        g->spiff_start[s] = g->qstart[spiff_defs[s].quarter] + spiff_defs[s].first_day;
        g->spiff_end[s] = g->spiff_start[s] + spiff_defs[s].days - 1;
    }
    double acc = 0;
    for (size_t i = 0; i < N_ASKS; i++)
        g->ask_cdf[i] = acc += 1.0 / (double)(i + 1);

    g->org_rng = new_rng(opt->seed, 1);
    g->sales_rng = new_rng(opt->seed, 2);
    g->mkt_rng = new_rng(opt->seed, 3);
    if (!g->org_rng || !g->sales_rng || !g->mkt_rng) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }

    if ((st = s13_new(g)) != CS_OK)
        goto out;
    if (g->s13 && g->s13->splits && !(g->s13->split_rng = new_rng(opt->seed, 4))) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    /* The organisation first: an option it refuses (--plan-change-movers)
     * leaves no directory behind. */
    if ((st = build_org(g)) != CS_OK || (st = check_out_dir(opt->out_dir, err)) != CS_OK)
        goto out;
    g->asset_w = n_digits(g->n_marketers * N_QUARTERS * 16 + 100) < 5
        ? 5 : n_digits(g->n_marketers * N_QUARTERS * 16 + 100);
    if ((st = open_files(g)) != CS_OK)
        goto out;
    write_plans(g);
    write_reps(g);
    write_quotas(g);
    write_spiffs(g);
    write_roadmap(g);
    if (g->s13 && g->s13->assignments)
        write_assignments(g);
    simulate_sales(g);
    if (!g->write_status)
        simulate_marketing(g);
    if (!g->write_status && opt->dirty && g->s13)
        s13_dirty_rows(g);
    st = g->write_status;
    if (st == CS_OK && opt->dirty && !g->dirty_deals_done)
        st = cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                          "dirty mode found no lost deal to duplicate");

out:
    st = close_files(g, st);
    gen_free(g);
    free(g);
    return st;
}
