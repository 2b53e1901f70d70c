/* main.c - the compsight command line: argv to options, one entry point per subcommand. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "compsight/commands.h"
#include "compsight/results.h"
#include "compsight/version.h"

/* Options beyond the common ones that a subcommand accepts. */
enum {
    OPT_OUT = 1 << 0,      /* --out */
    OPT_REPORT = 1 << 1,   /* --period --private --seed */
    OPT_PLANS = 1 << 2,    /* --plans */
    OPT_GEN = 1 << 3,      /* --deals --dirty --null --preset */
    OPT_CHECK = 1 << 4     /* --all */
};

static const struct command {
    const char *name;
    cs_command_fn run;
    unsigned opts;
    const char *summary;
    const char *usage;
} commands[] = {
    {"report", cs_cmd_report, OPT_OUT | OPT_REPORT, "write the report for a period",
     "[--data DIR] [--out DIR] [--period LABEL|all|each] [--private] [--seed N] [COMMON]"},
    {"check", cs_cmd_check, OPT_CHECK,
     "validate the inputs: rejects counted by reason, with hints (--all: every one)",
     "[--data DIR] [--all] [COMMON]"},
    {"deals", cs_cmd_deals, OPT_REPORT, "print the incentive measures of every won deal as CSV",
     "[--data DIR] [--period LABEL|all] [--private] [COMMON]"},
    {"whatif", cs_cmd_whatif, OPT_OUT | OPT_REPORT | OPT_PLANS,
     "simulate alternative plans against the current ones",
     "--plans FILE [--data DIR] [--out DIR] [--period LABEL|all] [--seed N] [COMMON]"},
    {"propose", cs_cmd_propose, OPT_OUT | OPT_REPORT, "draft a proposal of strawman plan changes",
     "[--data DIR] [--out DIR] [--period LABEL|all] [--seed N] [COMMON]"},
    {"generate", cs_cmd_generate, OPT_OUT | OPT_GEN | OPT_REPORT,
     "write a synthetic data set with planted effects",
     "--out DIR [--deals N] [--seed N] [--dirty] [--null] [--fiscal-start M] [--preset sample]"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char common_help[] =
    "Common options:\n"
    "  --data DIR               data directory (default: the bundled sample data)\n"
    "  --map FILE|salesforce|salesforce-api|hubspot\n"
    "                           column mapping for other exports (see data/maps/README.md);\n"
    "                           repeat it to combine maps, a later one's keys winning\n"
    "  --fiscal-start M         month 1-12 in which the fiscal year starts (default 1)\n"
    "  --date-format iso|us|eu  date format of the inputs (default iso; YYYY-MM-DD always reads)\n"
    "  --decimal-comma          numbers use ',' as the decimal point\n"
    "  --encoding auto|utf-8|windows-1252|iso-8859-1\n"
    "                           the files' encoding (default auto: UTF-8, else Windows-1252)\n"
    "  --delimiter auto|,|;|tab||\n"
    "                           the files' delimiter (default auto: from the header line)\n"
    "  --strict                 exit 3 when any row is rejected\n"
    "  --max-rejected PCT       exit 3 when more than PCT%% of a required file's rows are rejected\n"
    "  --quiet                  no progress line\n"
    "  --help, --version\n";

static void usage(FILE *f)
{
    fprintf(f, "usage: compsight COMMAND [OPTIONS]\n\n"
               "Shows where a sales compensation plan drives off-roadmap promises,\n"
               "misstated collateral and end-of-period behaviour.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n%s\nRun 'compsight COMMAND --help' for a command's options; 'man compsight'.\n"
               "Exit codes: 0 ok, 1 bad usage, 2 unreadable input, 3 rejects under --strict,\n"
               "4 output could not be written.\n", common_help);
}

static void command_help(FILE *f, const struct command *c)
{
    fprintf(f, "usage: compsight %s %s\n\n%s.\n\n%s", c->name, c->usage, c->summary, common_help);
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "compsight: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'compsight --help'.\n");
    va_end(ap);
    return 1;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

enum { O_DATA = 256, O_OUT, O_PERIOD, O_PRIVATE, O_MAP, O_FISCAL, O_DATEFMT, O_DECCOMMA,
       O_SEED, O_STRICT, O_QUIET, O_PLANS, O_DEALS, O_DIRTY, O_NULL, O_PRESET, O_CHUNK,
       O_HELP, O_VERSION, O_TIMINGS, O_ENCODING, O_DELIMITER, O_MAXREJ, O_ALL };

static const struct option long_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"out", required_argument, NULL, O_OUT},
    {"period", required_argument, NULL, O_PERIOD},
    {"private", no_argument, NULL, O_PRIVATE},
    {"map", required_argument, NULL, O_MAP},
    {"fiscal-start", required_argument, NULL, O_FISCAL},
    {"date-format", required_argument, NULL, O_DATEFMT},
    {"decimal-comma", no_argument, NULL, O_DECCOMMA},
    {"seed", required_argument, NULL, O_SEED},
    {"strict", no_argument, NULL, O_STRICT},
    {"quiet", no_argument, NULL, O_QUIET},
    {"plans", required_argument, NULL, O_PLANS},
    {"deals", required_argument, NULL, O_DEALS},
    {"dirty", no_argument, NULL, O_DIRTY},
    {"null", no_argument, NULL, O_NULL},
    {"preset", required_argument, NULL, O_PRESET},
    {"chunk-size", required_argument, NULL, O_CHUNK},
    {"timings", no_argument, NULL, O_TIMINGS},
    {"encoding", required_argument, NULL, O_ENCODING},
    {"delimiter", required_argument, NULL, O_DELIMITER},
    {"max-rejected", required_argument, NULL, O_MAXREJ},
    {"all", no_argument, NULL, O_ALL},
    {"help", no_argument, NULL, O_HELP},
    {"version", no_argument, NULL, O_VERSION},
    {NULL, 0, NULL, 0},
};

/* Which option needs which OPT_ flag (0 = common). */
static unsigned option_kind(int o)
{
    switch (o) {
    case O_OUT: return OPT_OUT;
    case O_PERIOD: case O_PRIVATE: case O_SEED: return OPT_REPORT;
    case O_PLANS: return OPT_PLANS;
    case O_DEALS: case O_DIRTY: case O_NULL: case O_PRESET: return OPT_GEN;
    case O_ALL: return OPT_CHECK;
    default: return 0;
    }
}

/* The options of SPEC 12 (how files are read, how many rejects a batch
 * run takes): 0, or 1 after a bad usage message. */
static int reading_option(int o, const char *arg, struct cs_options *opt)
{
    switch (o) {
    case O_MAP:
        if (opt->n_maps == CS_MAX_MAPS)
            return bad_usage("at most %d --map options", CS_MAX_MAPS);
        opt->map[opt->n_maps++] = arg;
        return 0;
    case O_ENCODING:
        if (!(opt->encoding = cs_encoding_parse(arg, strlen(arg))))
            return bad_usage("--encoding takes auto, utf-8, windows-1252 or iso-8859-1, "
                             "not '%s'", arg);
        return 0;
    case O_DELIMITER:
        if (!(opt->delimiter = cs_delimiter_parse(arg, strlen(arg))))
            return bad_usage("--delimiter takes auto, ',', ';', tab or '|', not '%s'", arg);
        return 0;
    case O_MAXREJ: {
        char *end;
        errno = 0;
        opt->max_rejected = strtod(arg, &end);
        if (errno || end == arg || *end || !(opt->max_rejected >= 0 && opt->max_rejected <= 100))
            return bad_usage("--max-rejected takes a percentage from 0 to 100, not '%s'", arg);
        return 0;
    }
    case O_ALL:
        opt->all = true;
        return 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    /* Big column arrays and hash tables grow by doubling: with a fixed
     * mmap threshold they stay mmapped, and realloc moves them with mremap
     * instead of copying (glibc otherwise raises the threshold after the
     * first large free, and every later doubling copies). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    cs_json_init();    /* a failed JSON allocation fails the write (results.h) */
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("compsight %s\n", CS_VERSION);
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (!cmd)
        return bad_usage("unknown command '%s'", argv[1]);

    struct cs_options opt = {.fiscal_start = 1, .seed = 1, .max_rejected = -1};
    opterr = 0;
    optind = 2;
    int o, idx = -1;
    while ((o = getopt_long(argc, argv, ":h", long_opts, &idx)) != -1) {
        if (o == '?')
            return bad_usage("unknown option '%s'", argv[optind - 1]);
        if (o == ':')
            return bad_usage("option '%s' needs a value", argv[optind - 1]);
        unsigned kind = option_kind(o);
        if (kind && !(cmd->opts & kind))
            return bad_usage("%s takes no option '--%s'", cmd->name, long_opts[idx].name);
        uint64_t v;
        switch (o) {
        case 'h':
        case O_HELP: command_help(stdout, cmd); return 0;
        case O_VERSION: printf("compsight %s\n", CS_VERSION); return 0;
        case O_DATA: opt.data_dir = optarg; break;
        case O_OUT: opt.out_dir = optarg; break;
        case O_PERIOD: opt.period = optarg; break;
        case O_PRIVATE: opt.private_mode = true; break;

        case O_FISCAL:
            if (!parse_u64(optarg, &v) || v < 1 || v > 12)
                return bad_usage("--fiscal-start takes a month from 1 to 12, not '%s'", optarg);
            opt.fiscal_start = (int)v;
            break;
        case O_DATEFMT:
            if (strcmp(optarg, "iso") == 0) opt.date_format = CS_DATE_ISO;
            else if (strcmp(optarg, "us") == 0) opt.date_format = CS_DATE_US;
            else if (strcmp(optarg, "eu") == 0) opt.date_format = CS_DATE_EU;
            else return bad_usage("--date-format takes iso, us or eu, not '%s'", optarg);
            opt.date_format_given = true;
            break;
        case O_MAP: case O_ENCODING: case O_DELIMITER: case O_MAXREJ: case O_ALL:
            if (reading_option(o, optarg, &opt) != 0)
                return 1;
            break;
        case O_DECCOMMA: opt.decimal_comma = true; break;
        case O_SEED:
            if (!parse_u64(optarg, &opt.seed))
                return bad_usage("--seed takes a whole number, not '%s'", optarg);
            break;
        case O_STRICT: opt.strict = true; break;
        case O_QUIET: opt.quiet = true; break;
        case O_PLANS: opt.plans = optarg; break;
        case O_DEALS:
            if (!parse_u64(optarg, &opt.n_deals) || opt.n_deals == 0)
                return bad_usage("--deals takes a positive whole number, not '%s'", optarg);
            break;
        case O_DIRTY: opt.dirty = true; break;
        case O_NULL: opt.null_effects = true; break;
        case O_PRESET: opt.preset = optarg; break;
        case O_TIMINGS: opt.timings = true; break;
        case O_CHUNK:
            if (!parse_u64(optarg, &v) || v == 0 || v > (1u << 30))
                return bad_usage("--chunk-size takes a byte count, not '%s'", optarg);
            opt.chunk_size = (size_t)v;
            break;
        }
    }
    if (optind < argc)
        return bad_usage("unexpected argument '%s'", argv[optind]);
    if ((cmd->opts & OPT_PLANS) && !opt.plans)
        return bad_usage("%s needs --plans FILE", cmd->name);

    struct cs_io io = {.out = stdout, .msg = stderr,
                       .progress = !opt.quiet && isatty(STDERR_FILENO)};
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cmd->run(&opt, &io, &err);
    if (st == CS_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "compsight: error writing standard output\n");
        return cs_exit_code(CS_ERR_OUTPUT);
    }
    if (st != CS_OK) {
        char buf[1200];
        if (err.status == CS_OK)
            err.status = st;
        cs_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "compsight: %s\n", buf);
    }
    return cs_exit_code(st);
}
