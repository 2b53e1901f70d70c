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

/* ------------------------------------------------------------------------
 * The output directory against the inputs
 * --------------------------------------------------------------------- */

/* Is the file at path (if it exists) inside the directory whose real path
 * is dir?  Its real path into real. */
static bool inside(const char *dir, const char *path, char *real)
{
    size_t n = strlen(dir);
    if (!realpath(path, real))
        return false;
    return strncmp(real, dir, n) == 0 && (real[n] == '/' || (n == 1 && dir[0] == '/'));
}

static enum cs_status refuse(const char *out, const char *what, const char *path,
                             struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                        "the output directory %s holds %s %s: writing there could replace or "
                        "remove it; choose another with --out", out, what, path);
}

enum cs_status cs_session_check_out(const struct cs_session *s, const struct cs_options *opt,
                                    const char *out, struct cs_error *err)
{
    char dir[PATH_MAX], real[PATH_MAX], path[PATH_MAX + 256];
    /* a directory that does not exist yet holds nothing */
    if (!realpath(out, dir))
        return CS_OK;
    if (realpath(s->data_dir, real) && strcmp(real, dir) == 0)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "the output directory %s is the data directory: the report would "
                            "replace its files (deals.csv among them); choose another with --out",
                            out);
    for (int t = 0; t < CS_T_COUNT; t++) {
        const char *const *names = NULL;
        const char *def = cs_schema_table((enum cs_table)t)->file;
        size_t n = cs_map_files(s->map, (enum cs_table)t, &names);
        for (size_t i = 0; i < (n ? n : 1); i++) {
            snprintf(path, sizeof path, "%s/%s", s->data_dir, n ? names[i] : def);
            if (inside(dir, path, real))
                return refuse(out, "the input file", path, err);
        }
    }
    if (opt->plans && inside(dir, opt->plans, real))
        return refuse(out, "the plans file", opt->plans, err);
    struct stat sb;
    for (size_t i = 0; i < opt->n_maps; i++)
        if ((strchr(opt->map[i], '/') || stat(opt->map[i], &sb) == 0) &&
            inside(dir, opt->map[i], real))
            return refuse(out, "the map file", opt->map[i], err);
    return CS_OK;
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
    const struct cs_io *io = ctx;
    if (total)
        cs_io_progress(io, "compsight: reading %-16s %3d%%", file, (int)(100.0 * (double)done / (double)total));
    else
        cs_io_progress(io, "compsight: reading %-16s", file);
}

enum cs_status cs_session_open(const struct cs_options *opt, const struct cs_io *io,
                               struct cs_session *s, struct cs_error *err)
{
    return cs_session_open_keyed(opt, io, s, NULL, err);
}

enum cs_status cs_session_open_keyed(const struct cs_options *opt, const struct cs_io *io,
                                     struct cs_session *s, struct cs_key *key,
                                     struct cs_error *err)
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
    /* before a byte of the data is read (a default output directory, which
     * names the period, is checked once the period is known) */
    if (opt->out_dir && (st = cs_session_check_out(s, opt, opt->out_dir, err)) != CS_OK)
        goto fail;
    /* the key before the data: a bad key file is found before a long read */
    if (key && (st = cs_session_key(opt, io, key, err)) != CS_OK)
        goto fail;
    struct cs_load_options lo = cs_session_load_options(opt, s->data_dir, s->map);
    lo.progress = io->progress ? show_progress : NULL;
    lo.progress_ctx = (void *)io;
    st = cs_dataset_load(&lo, &s->ds, err);
    cs_io_progress_end(io);
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

enum cs_status cs_session_key(const struct cs_options *opt, const struct cs_io *io,
                              struct cs_key *key, struct cs_error *err)
{
    char path[PATH_MAX];
    bool created = false;
    enum cs_status st = CS_OK;
    if (opt->key_file)
        snprintf(path, sizeof path, "%s", opt->key_file);
    else
        st = cs_key_default_path(path, sizeof path, err);
    if (st == CS_OK)
        st = cs_key_load(path, key, &created, err);
    if (st == CS_OK && created)
        cs_io_warn(io, "created the pseudonym key %s: keep it (mode 0600), so that reps keep their "
                       "pseudonyms from one report to the next", path);
    return st;
}
