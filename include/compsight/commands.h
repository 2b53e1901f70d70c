/* commands.h - the subcommands behind main(): one entry point each. */
#ifndef COMPSIGHT_COMMANDS_H
#define COMPSIGHT_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/mapfile.h"
#include "compsight/parse.h"
#include "compsight/status.h"

/* The most --map options a run takes. */
#define CS_MAX_MAPS 8

/* Everything the command line can set; main() fills it, commands read it.
 * Strings are borrowed from argv. */
struct cs_options {
    const char *data_dir;        /* NULL: the bundled sample data */
    const char *out_dir;         /* NULL: reports/<period> */
    const char *period;          /* NULL: latest quarter with won deals; "all"; "each" */
    const char *map[CS_MAX_MAPS];   /* map files or preset names, in the order given: a
                                     * later one's keys override an earlier one's (SPEC 12) */
    size_t n_maps;
    const char *plans;           /* whatif: the alternative plans file */
    const char *currency;        /* --currency: the corporate currency, NULL: from the data */
    int fiscal_start;            /* 1..12 */
    enum cs_date_format date_format;
    bool date_format_given;      /* --date-format was given: it beats the map's (SPEC 12) */
    bool decimal_comma, private_mode, strict, quiet;
    int encoding;                /* --encoding (enum cs_encoding), CS_ENC_UNSET when not given */
    int delimiter;               /* --delimiter: 0 not given, CS_DELIM_AUTO, or the byte */
    double max_rejected;         /* --max-rejected PCT; negative when not given */
    bool all;                    /* check --all: every reject and excluded row */
    uint64_t seed;
    size_t chunk_size;           /* read size, 0 = default (tests replay small sizes) */
    bool timings;                /* report: time each phase on msg (for bench/) */
    bool model_within;           /* whatif, propose, report's proposal: --model within
                                    (predict with the within-rep model, SPEC 14.1) */
    /* generate */
    uint64_t n_deals;
    bool dirty, null_effects, skill;
    const char *preset;
    /* generate, SPEC 13 (cs_gen_options says what each does) */
    bool assignments, splits, credit_by_type;
    bool plan_change_movers_set, plan_change_effect_set;
    unsigned plan_change_movers;
    double plan_change_effect;
};

/*
 * Where a command writes: out is its product (check's listing, deals'
 * CSV) and the closing line that says what was written; msg gets
 * warnings and progress.  quiet is --quiet: on success a command prints
 * nothing but a product meant for a pipe (deals' CSV): no closing line, no
 * warning (cs_io_done and cs_io_warn say nothing), no listing from check.
 * progress is true when msg is a terminal and --quiet was not given.
 */
struct cs_io {
    FILE *out;
    FILE *msg;
    bool quiet;
    bool progress;
};

/* The closing line of a command ("report written to ..."), on io->out, unless quiet. */
void cs_io_done(const struct cs_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "compsight: warning: " and the message on io->msg, unless quiet. */
void cs_io_warn(const struct cs_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef enum cs_status (*cs_command_fn)(const struct cs_options *opt, const struct cs_io *io,
                                        struct cs_error *err);

enum cs_status cs_cmd_check(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);
enum cs_status cs_cmd_report(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);
enum cs_status cs_cmd_deals(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);
enum cs_status cs_cmd_whatif(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);
enum cs_status cs_cmd_propose(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);
enum cs_status cs_cmd_generate(const struct cs_options *opt, const struct cs_io *io, struct cs_error *err);

/*
 * A loaded data set with what every analysing command needs.  Opened by
 * cs_session_open (which resolves the data directory and the map, reads
 * the files and applies --strict), closed by cs_session_close.
 */
struct cs_session {
    char data_dir[4096];
    struct cs_map *map;
    struct cs_dataset *ds;
    struct cs_calendar cal;
};

enum cs_status cs_session_open(const struct cs_options *opt, const struct cs_io *io,
                               struct cs_session *s, struct cs_error *err);
void cs_session_close(struct cs_session *s);

/* The load options of a session's data directory and map from the command
 * line (cs_session_open uses them; the what-if reads its plans file so). */
struct cs_load_options cs_session_load_options(const struct cs_options *opt, const char *dir,
                                               const struct cs_map *map);

/*
 * Print the reasons rows were rejected for, per file read (at most
 * max_reasons each), with the hints: check's output, and what report says
 * when nothing is usable.  Every line starts with prefix.
 */
struct cs_diagnosis;
void cs_print_diagnosis(FILE *out, const struct cs_dataset *ds, const struct cs_diagnosis *d,
                        const char *prefix, size_t max_reasons);

/*
 * The rows rejected beyond --max-rejected (SPEC 12), per required file
 * (plans, reps, deals): CS_ERR_REJECTS naming the file and share, else CS_OK.
 */
enum cs_status cs_session_max_rejected(const struct cs_options *opt, const struct cs_dataset *ds,
                                       struct cs_error *err);

/*
 * The directory holding the bundled data (sample/ and maps/): next to an
 * installed binary ($PREFIX/share/compsight), else the source tree's data/,
 * else the compiled-in CS_DATADIR.  $COMPSIGHT_DATADIR overrides.  Writes
 * into buf; false when none exists.
 */
bool cs_find_datadir(char *buf, size_t n);

#endif
