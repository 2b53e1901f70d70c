/* cmd_generate.c - `compsight generate`: a synthetic data set with planted effects, whole or absent. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/commands.h"
#include "compsight/generate.h"
#include "stage.h"

/* The files a data set may or may not have: an earlier data set's are
 * removed when the new one has none (else they would mix with it). */
static const char *const optional_files[] = {"assignments.csv", "splits.csv"};

/*
 * The directories of out that do not exist yet, deepest first, into made
 * (at most max of them, each PATH_MAX): the ones a failed run removes
 * again, so that a refused option leaves no directory behind.
 */
static size_t missing_dirs(const char *out, char (*made)[PATH_MAX], size_t max)
{
    char p[PATH_MAX];
    struct stat sb;
    size_t n = 0;
    snprintf(p, sizeof p, "%s", out);
    while (n < max && p[0] && stat(p, &sb) != 0 && errno == ENOENT) {
        snprintf(made[n++], PATH_MAX, "%s", p);
        char *slash = strrchr(p, '/');
        while (slash && slash > p && slash[-1] == '/')
            slash--;
        if (!slash || slash == p)
            break;
        *slash = '\0';
    }
    return n;
}

/* What the commit removes: the optional files the new data set lacks. */
static size_t absent_optional(const char *stage_dir, const char **remove)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof optional_files / sizeof optional_files[0]; i++) {
        char p[PATH_MAX + 32];
        snprintf(p, sizeof p, "%s/%s", stage_dir, optional_files[i]);
        if (access(p, F_OK) != 0)
            remove[n++] = optional_files[i];
    }
    return n;
}

enum cs_status cs_cmd_generate(const struct cs_options *opt, const struct cs_io *io,
                               struct cs_error *err)
{
    if (!opt->out_dir)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "generate needs --out DIR");
    struct cs_gen_options g = {
        .out_dir = opt->out_dir,
        .n_deals = opt->n_deals,
        .seed = opt->seed,
        .dirty = opt->dirty,
        .null_effects = opt->null_effects,
        .skill = opt->skill,
        .assignments = opt->assignments,
        .splits = opt->splits,
        .credit_by_type = opt->credit_by_type,
        .plan_change_movers_set = opt->plan_change_movers_set,
        .plan_change_movers = opt->plan_change_movers,
        .plan_change_effect_set = opt->plan_change_effect_set,
        .plan_change_effect = opt->plan_change_effect,
        .fiscal_start = opt->fiscal_start,
        .preset = opt->preset,
    };
    /* Every file is written into a staging directory inside the output
     * directory and moved into place with the others (stage.h): a failure,
     * SIGINT or SIGTERM leaves the output directory as it was. */
    enum cs_status st = cs_generate_check(&g, err);
    if (st != CS_OK)
        return st;
    char made[8][PATH_MAX];
    size_t n_made = missing_dirs(opt->out_dir, made, sizeof made / sizeof made[0]);
    struct cs_staging stage = {.lock_fd = -1, .slot = -1};
    if ((st = cs_staging_open(&stage, opt->out_dir, err)) == CS_OK) {
        g.write_dir = stage.dir;
        st = cs_generate(&g, err);
    }
    if (st == CS_OK) {
        const char *remove[sizeof optional_files / sizeof optional_files[0]];
        struct cs_staging_spec spec = {.remove = remove,
                                       .n_remove = absent_optional(stage.dir, remove)};
        st = cs_staging_commit(&stage, &spec, err);
    }
    if (st != CS_OK && stage.dir[0])
        cs_error_rebase(err, stage.dir, opt->out_dir);
    cs_staging_close(&stage);
    for (size_t i = 0; st != CS_OK && i < n_made; i++)
        rmdir(made[i]);       /* only when empty: what this run made */
    if (st == CS_OK)
        cs_io_done(io, "data set written to %s/", opt->out_dir);
    return st;
}
