/* session.c - what every analysing command does first: find the data, read the map, load. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/commands.h"

#ifndef CS_DATADIR
#define CS_DATADIR "/usr/local/share/compsight"
#endif

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool try_dir(char *buf, size_t n, const char *base, const char *rel)
{
    char probe[PATH_MAX];
    if (snprintf(buf, n, "%s%s", base, rel) >= (int)n)
        return false;
    if (snprintf(probe, sizeof probe, "%s/sample", buf) >= (int)sizeof probe)
        return false;
    return is_dir(probe);
}

bool cs_find_datadir(char *buf, size_t n)
{
    const char *env = getenv("COMPSIGHT_DATADIR");
    if (env && *env)
        return try_dir(buf, n, env, "");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* installed: PREFIX/bin/compsight -> PREFIX/share/compsight;
             * built: build/compsight -> data/ of the source tree. */
            if (try_dir(buf, n, exe, "/../share/compsight") || try_dir(buf, n, exe, "/../data") ||
                try_dir(buf, n, exe, "/data"))
                return true;
        }
    }
    return try_dir(buf, n, CS_DATADIR, "");
}

/* A map argument without a slash that names no file is a preset name. */
static enum cs_status load_map(const char *arg, struct cs_map **map, struct cs_error *err)
{
    struct stat sb;
    if (strchr(arg, '/') || stat(arg, &sb) == 0)
        return cs_map_load(arg, map, err);
    char dir[PATH_MAX], path[PATH_MAX + 64];
    if (!cs_find_datadir(dir, sizeof dir))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "--map %s: no such file, and the bundled presets were not found", arg);
    snprintf(path, sizeof path, "%s/maps/%s.ini", dir, arg);
    if (stat(path, &sb) != 0)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "--map %s: no such file or preset (presets: salesforce, "
                            "salesforce-api, hubspot)", arg);
    return cs_map_load(path, map, err);
}

/* Every --map in turn, combined into the first (SPEC 12: a later map's
 * keys override an earlier one's). */
static enum cs_status load_maps(const struct cs_options *opt, struct cs_map **out,
                                struct cs_error *err)
{
    enum cs_status st = CS_OK;
    *out = NULL;
    for (size_t i = 0; i < opt->n_maps && st == CS_OK; i++) {
        struct cs_map *m = NULL;
        st = load_map(opt->map[i], &m, err);
        if (st == CS_OK && *out)
            st = cs_map_merge(*out, m, err);
        if (!*out) {
            *out = m;
            m = NULL;
        }
        cs_map_free(m);
    }
    if (st != CS_OK) {
        cs_map_free(*out);
        *out = NULL;
    }
    return st;
}

struct cs_load_options cs_session_load_options(const struct cs_options *opt, const char *dir,
                                               const struct cs_map *map)
{
    return (struct cs_load_options){
        .dir = dir,
        .map = map,
        .date_format = opt->date_format,
        .date_format_given = opt->date_format_given,
        .decimal_comma = opt->decimal_comma,
        .decimal_comma_given = opt->decimal_comma,   /* a flag: given means on */
        .encoding = opt->encoding,
        .delimiter = opt->delimiter,
        .currency = opt->currency,
        .chunk_size = opt->chunk_size,
    };
}

enum cs_status cs_session_max_rejected(const struct cs_options *opt, const struct cs_dataset *ds,
                                       struct cs_error *err)
{
    if (!(opt->max_rejected >= 0))
        return CS_OK;
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_def *def = cs_schema_table((enum cs_table)t);
        const struct cs_table_counts *c = &ds->counts[t];
        uint64_t rows = c->read - c->excluded;     /* excluded rows are no data */
        if (!def->required || !rows)
            continue;
        double pct = 100.0 * (double)c->rejected / (double)rows;
        if (pct > opt->max_rejected)
            return cs_error_set(err, CS_ERR_REJECTS, def->file, 0, NULL,
                                "%.1f%% of the rows rejected (%llu of %llu), more than "
                                "--max-rejected %g%%", pct, (unsigned long long)c->rejected,
                                (unsigned long long)rows, opt->max_rejected);
    }
    return CS_OK;
}

static void show_progress(const char *file, uint64_t done, uint64_t total, void *ctx)
{
    FILE *msg = ctx;
    if (total)
        fprintf(msg, "\rcompsight: reading %-16s %3d%%", file, (int)(100.0 * (double)done / (double)total));
    else
        fprintf(msg, "\rcompsight: reading %-16s", file);
    fflush(msg);
}

enum cs_status cs_session_open(const struct cs_options *opt, const struct cs_io *io,
                               struct cs_session *s, struct cs_error *err)
{
    enum cs_status st;
    memset(s, 0, sizeof *s);
    st = cs_calendar_init(&s->cal, opt->fiscal_start ? opt->fiscal_start : 1, err);
    if (st != CS_OK)
        return st;
    if (opt->data_dir) {
        snprintf(s->data_dir, sizeof s->data_dir, "%s", opt->data_dir);
    } else {
        char dir[PATH_MAX - 16];
        if (!cs_find_datadir(dir, sizeof dir))
            return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                                "no --data given and the bundled sample data was not found "
                                "(set COMPSIGHT_DATADIR or reinstall)");
        snprintf(s->data_dir, sizeof s->data_dir, "%s/sample", dir);
    }
    struct stat sb;
    if (stat(s->data_dir, &sb) != 0)
        return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "%s: %s", s->data_dir,
                            errno == ENOENT ? "no such directory" : strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "%s: not a directory", s->data_dir);
    if (opt->n_maps) {
        st = load_maps(opt, &s->map, err);
        if (st != CS_OK)
            goto fail;
    }
    struct cs_load_options lo = cs_session_load_options(opt, s->data_dir, s->map);
    lo.progress = io->progress ? show_progress : NULL;
    lo.progress_ctx = io->msg;
    st = cs_dataset_load(&lo, &s->ds, err);
    if (io->progress)
        fprintf(io->msg, "\r%60s\r", "");
    if (st != CS_OK)
        goto fail;
    return CS_OK;
fail:
    cs_session_close(s);
    return st;
}

void cs_session_close(struct cs_session *s)
{
    cs_dataset_free(s->ds);
    cs_map_free(s->map);
    s->ds = NULL;
    s->map = NULL;
}
