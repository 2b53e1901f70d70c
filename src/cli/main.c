/* main.c - the compsight command line: argv to options, one entry point per subcommand. */
#include <errno.h>
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
#include "stage.h"

/* Standard output and error as the program writes them: on a terminal,
 * streams that escape what could drive it (cs_io_escaping). */
static FILE *out_stream, *msg_stream;

/* ===================================================================== */
/* The commands                                                          */
/* ===================================================================== */

/* One bit per command: an option's row says which commands take it. */
enum { REPORT = 1 << 0, CHECK = 1 << 1, DEALS = 1 << 2, WHATIF = 1 << 3, PROPOSE = 1 << 4,
       GENERATE = 1 << 5 };
#define READERS (REPORT | CHECK | DEALS | WHATIF | PROPOSE)   /* commands that read a data set */
#define EVERY (READERS | GENERATE)

static const struct command {
    const char *name;
    unsigned bit;
    cs_command_fn run;
    const char *summary;     /* one line in the general help */
    const char *about;       /* the paragraph of the command's own help */
} commands[] = {
    {"report", REPORT, cs_cmd_report, "write the report for a period",
     "Write the report for a period: report.html (the file to open), report.md, results.json, "
     "deals.csv, rejects.csv, plots/ and a proposal draft in proposal/."},
    {"check", CHECK, cs_cmd_check,
     "validate the inputs: rejects counted by reason, with hints (--all: every one)",
     "Validate the inputs: the rejected rows counted by reason with their first lines and a "
     "hint where one reason dominates (--all: every rejected and excluded row as FILE:LINE: "
     "COLUMN: REASON), then the rows read, used and rejected per file. Exit status 0 when the "
     "data is usable."},
    {"deals", DEALS, cs_cmd_deals, "print the incentive measures of every won deal as CSV",
     "Print the incentive and outcome measures of every won deal as CSV on standard output."},
    {"whatif", WHATIF, cs_cmd_whatif, "simulate alternative plans against the current ones",
     "Simulate alternative plans against the current ones: expected risky deals and commission "
     "cost, base against alternative; writes whatif.html, whatif.md and whatif.json."},
    {"propose", PROPOSE, cs_cmd_propose, "draft a proposal of strawman plan changes",
     "Simulate a standard set of strawman plan changes to the 20 plans with the most won deals "
     "and write an editable proposal draft: proposal.html, proposal.md and options/N.csv (the "
     "plan an option changes) to re-run any option with whatif."},
    {"generate", GENERATE, cs_cmd_generate, "write a synthetic data set with planted effects",
     "Write a synthetic data set with documented planted effects (docs/GENERATOR.md): the eleven "
     "CSV files of a data directory, thirteen with --assignments and --splits."},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* ===================================================================== */
/* The options                                                           */
/* ===================================================================== */

/* Store an option's value; NULL, or what the option takes when value is bad. */
typedef const char *(*set_fn)(struct cs_options *o, const char *value);

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

static const char *set_data(struct cs_options *o, const char *v) { o->data_dir = v; return NULL; }
static const char *set_out(struct cs_options *o, const char *v) { o->out_dir = v; return NULL; }
static const char *set_period(struct cs_options *o, const char *v) { o->period = v; return NULL; }
static const char *set_plans(struct cs_options *o, const char *v) { o->plans = v; return NULL; }
static const char *set_preset(struct cs_options *o, const char *v) { o->preset = v; return NULL; }
static const char *set_key_file(struct cs_options *o, const char *v) { o->key_file = v; return NULL; }
static const char *set_private(struct cs_options *o, const char *v) { (void)v; o->private_mode = true; return NULL; }
static const char *set_decimal(struct cs_options *o, const char *v) { (void)v; o->decimal_comma = true; return NULL; }
static const char *set_strict(struct cs_options *o, const char *v) { (void)v; o->strict = true; return NULL; }
static const char *set_quiet(struct cs_options *o, const char *v) { (void)v; o->quiet = true; return NULL; }
static const char *set_dirty(struct cs_options *o, const char *v) { (void)v; o->dirty = true; return NULL; }
static const char *set_null(struct cs_options *o, const char *v) { (void)v; o->null_effects = true; return NULL; }
static const char *set_skill(struct cs_options *o, const char *v) { (void)v; o->skill = true; return NULL; }
static const char *set_timings(struct cs_options *o, const char *v) { (void)v; o->timings = true; return NULL; }
static const char *set_assignments(struct cs_options *o, const char *v) { (void)v; o->assignments = true; return NULL; }
static const char *set_splits(struct cs_options *o, const char *v) { (void)v; o->splits = true; return NULL; }
static const char *set_credit(struct cs_options *o, const char *v) { (void)v; o->credit_by_type = true; return NULL; }

static const char *set_real_plans(struct cs_options *o, const char *v)
{
    (void)v;
    o->assignments = o->splits = o->credit_by_type = true;
    return NULL;
}

static const char *set_movers(struct cs_options *o, const char *v)
{
    uint64_t n;
    if (!parse_u64(v, &n) || n > 100000)
        return "a whole number of reps";
    o->plan_change_movers = (unsigned)n;
    o->plan_change_movers_set = true;
    return NULL;
}

/* A plain decimal such as -0.08 (the C locale: main sets none). */
static const char *set_change_effect(struct cs_options *o, const char *v)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno || !(x >= -0.5 && x <= 0.5))
        return "a decimal from -0.5 to 0.5";
    o->plan_change_effect = x;
    o->plan_change_effect_set = true;
    return NULL;
}

static const char *set_model(struct cs_options *o, const char *v)
{
    if (strcmp(v, "within") == 0 || strcmp(v, "across") == 0) {
        o->model_within = strcmp(v, "within") == 0;
        return NULL;
    }
    return "across or within";
}

static const char *set_map(struct cs_options *o, const char *v)
{
    if (o->n_maps == CS_MAX_MAPS)
        return "one map file or preset each time, at most 8 in all";
    o->map[o->n_maps++] = v;
    return NULL;
}

static const char *set_all(struct cs_options *o, const char *v) { (void)v; o->all = true; return NULL; }

static const char *set_encoding(struct cs_options *o, const char *v)
{
    return (o->encoding = cs_encoding_parse(v, strlen(v))) ? NULL
           : "auto, utf-8, windows-1252 or iso-8859-1";
}

static const char *set_delimiter(struct cs_options *o, const char *v)
{
    return (o->delimiter = cs_delimiter_parse(v, strlen(v))) ? NULL : "auto, ',', ';', tab or '|'";
}

static const char *set_max_rejected(struct cs_options *o, const char *v)
{
    char *end;
    errno = 0;
    o->max_rejected = strtod(v, &end);
    if (errno || end == v || *end || !(o->max_rejected >= 0 && o->max_rejected <= 100))
        return "a percentage from 0 to 100";
    return NULL;
}

static const char *set_fiscal(struct cs_options *o, const char *v)
{
    uint64_t m;
    if (!parse_u64(v, &m) || m < 1 || m > 12)
        return "a month from 1 to 12";
    o->fiscal_start = (int)m;
    return NULL;
}

static const char *set_date_format(struct cs_options *o, const char *v)
{
    static const struct { const char *name; enum cs_date_format fmt; } formats[] = {
        {"iso", CS_DATE_ISO}, {"us", CS_DATE_US}, {"eu", CS_DATE_EU},
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(v, formats[i].name) == 0) {
            o->date_format = formats[i].fmt;
            o->date_format_given = true;   /* it beats a map's date_format (SPEC 12) */
            return NULL;
        }
    return "iso, us or eu";
}

static const char *set_currency(struct cs_options *o, const char *v)
{
    if (strlen(v) != 3 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != 3)
        return "an ISO 4217 code such as EUR";
    o->currency = v;
    return NULL;
}

static const char *set_seed(struct cs_options *o, const char *v)
{
    return parse_u64(v, &o->seed) ? NULL : "a whole number";
}

static const char *set_deals(struct cs_options *o, const char *v)
{
    return parse_u64(v, &o->n_deals) && o->n_deals > 0 ? NULL : "a positive whole number";
}

static const char *set_chunk(struct cs_options *o, const char *v)
{
    uint64_t n;
    if (!parse_u64(v, &n) || n == 0 || n > (1u << 30))
        return "a byte count";
    o->chunk_size = (size_t)n;
    return NULL;
}

/* What an option row does besides storing a value. */
enum action { STORE, HELP, VERSION };

/*
 * Every option, once per meaning: an option that means something different
 * to different commands (--out, --period, --seed) has a row for each.
 * Parsing, each command's --help and the "takes no option" error all read
 * this table.  A row without help is not shown (options for the tests and
 * the benchmarks).
 */
static const struct option_def {
    const char *name;        /* without the leading "--" */
    const char *arg;         /* the value as help shows it; NULL for a flag */
    unsigned commands;       /* the commands that take it */
    set_fn set;
    enum action action;
    bool required;
    const char *help;        /* what it does; NULL: hidden */
    const char *dflt;        /* its default in words (options with a value that is not required) */
} options[] = {
    {"plans", "FILE", WHATIF, set_plans, STORE, true,
     "the alternative plans to simulate, in the columns of plans.csv: only the plans that "
     "change need be in it, the others carry over unchanged; a plan the data does not have is "
     "an error", NULL},
    {"out", "DIR", GENERATE, set_out, STORE, true,
     "the folder to write the data set into: created if missing; an existing one must be "
     "empty or hold an earlier data set", NULL},
    {"data", "DIR", READERS, set_data, STORE, false,
     "the directory holding the CSV exports", "the bundled sample data"},
    {"out", "DIR", REPORT, set_out, STORE, false,
     "the folder to write the report into; only files inside it are written, and not the "
     "data folder or one holding an input file",
     "reports/PERIOD in the current directory: reports/2026Q4, reports/all or reports/each"},
    {"out", "DIR", WHATIF, set_out, STORE, false,
     "the folder to write the what-if into (not the data folder or one holding an input file)",
     "reports/PERIOD/whatif"},
    {"out", "DIR", PROPOSE, set_out, STORE, false,
     "the folder to write the proposal draft into (not the data folder or one holding an "
     "input file)", "reports/PERIOD/proposal"},
    {"period", "LABEL|all|each", REPORT, set_period, STORE, false,
     "the fiscal quarter to report on (such as 2026Q3), all quarters pooled with a trend, or "
     "each quarter in its own folder", "the latest quarter with won deals"},
    {"period", "LABEL|all", DEALS, set_period, STORE, false,
     "list only the won deals of one fiscal quarter (such as 2026Q3), or of all", "all"},
    {"period", "LABEL|all", WHATIF | PROPOSE, set_period, STORE, false,
     "the fiscal quarter whose won deals are simulated (such as 2026Q3), or all of them",
     "the latest quarter with won deals"},
    {"private", NULL, REPORT, set_private, STORE, false,
     "also write per-rep figures with names, and deals.csv and rejects.csv with rep ids, into "
     "private/ (mode 0700); shared files keep pseudonyms", NULL},
    {"private", NULL, DEALS, set_private, STORE, false,
     "rep ids instead of pseudonyms", NULL},
    {"key-file", "FILE", REPORT | DEALS, set_key_file, STORE, false,
     "the secret key of the reps' pseudonyms in shared output: made (32 random bytes, mode 0600) "
     "when missing; keep it, and the same rep keeps the same pseudonym from quarter to quarter",
     "$XDG_CONFIG_HOME/compsight/key, else ~/.config/compsight/key"},
    {"seed", "N", REPORT | WHATIF | PROPOSE, set_seed, STORE, false,
     "seed of the bootstrap draws: the same data and seed give the same output", "1"},
    {"model", "across|within", WHATIF | PROPOSE, set_model, STORE, false,
     "the model that predicts risky deals: across reps (the promise-risk model), or within "
     "reps (each rep compared with themselves, each rep's own level refitted); the output says "
     "which was used", "across"},
    {"model", "across|within", REPORT, set_model, STORE, false,
     "the model the proposal draft predicts risky deals with: across reps, or within reps "
     "(each rep compared with themselves); the findings always show both", "across"},
    {"deals", "N", GENERATE, set_deals, STORE, false,
     "the number of rows of deals.csv, from 10 to 100000000 (reps and teams scale with it)",
     "4000"},
    {"seed", "N", GENERATE, set_seed, STORE, false,
     "random seed: the same options give byte-identical files", "1"},
    {"dirty", NULL, GENERATE, set_dirty, STORE, false,
     "add the bad rows listed in docs/GENERATOR.md, to exercise the rejects", NULL},
    {"null", NULL, GENERATE, set_null, STORE, false,
     "the same company with no planted effects", NULL},
    {"skill", NULL, GENERATE, set_skill, STORE, false,
     "rep skill drives both volume (and so the accelerators) and promising: the comparison "
     "across reps overstates the plan's effect, the one within reps does not", NULL},
    {"preset", "sample", GENERATE, set_preset, STORE, false,
     "the settings of the bundled sample data set", "the default company, scaled to --deals"},
    {"real-plans", NULL, GENERATE, set_real_plans, STORE, false,
     "real comp plans (SPEC 13): --assignments, --splits and --credit-by-type together", NULL},
    {"assignments", NULL, GENERATE, set_assignments, STORE, false,
     "also write assignments.csv: the Mid-Market AEs move to a new plan at the FY2026 start, "
     "two reps are promoted and one changes team mid-quarter, one is hired mid-quarter", NULL},
    {"splits", NULL, GENERATE, set_splits, STORE, false,
     "also write splits.csv: about 10% of won deals credited to two or three reps, some across "
     "two plans", NULL},
    {"credit-by-type", NULL, GENERATE, set_credit, STORE, false,
     "plans.csv gains credit_new, credit_expansion and credit_renewal: renewals count half on "
     "ENT-Y and SMB-Q", NULL},
    {"plan-change-movers", "N", GENERATE, set_movers, STORE, false,
     "how many Mid-Market AEs move to the new plan at the FY2026 start, 0 for no plan change "
     "(implies --assignments)", "every Mid-Market AE that can"},
    {"plan-change-effect", "P", GENERATE, set_change_effect, STORE, false,
     "added to the promise-risk probability of every won deal under the new plan, -0.5 to 0.5; "
     "0 for no effect (implies --assignments)", "-0.08, or 0 with --null"},
    {"fiscal-start", "M", GENERATE, set_fiscal, STORE, false,
     "month (1 to 12) in which the generated company's fiscal year starts", "1"},
    {"map", "FILE|salesforce|salesforce-api|hubspot", READERS, set_map, STORE, false,
     "read exports with other column names and values through a map file or a built-in preset "
     "(data/maps/README.md); repeat it to combine maps, a later one's keys winning",
     "compsight's own column names"},
    {"fiscal-start", "M", READERS, set_fiscal, STORE, false,
     "month (1 to 12) in which the fiscal year starts; a fiscal year is named by the calendar "
     "year in which it ends", "1"},
    {"date-format", "iso|us|eu", READERS, set_date_format, STORE, false,
     "how the inputs write dates: YYYY-MM-DD, M/D/YYYY, or D/M/YYYY and D.M.YYYY "
     "(YYYY-MM-DD always reads)", "iso"},
    {"decimal-comma", NULL, READERS, set_decimal, STORE, false,
     "numbers use a comma as the decimal point (1.234,5)", NULL},
    {"encoding", "auto|utf-8|windows-1252|iso-8859-1", READERS, set_encoding, STORE, false,
     "the files' encoding", "auto: UTF-8, else Windows-1252"},
    {"delimiter", "auto|,|;|tab||", READERS, set_delimiter, STORE, false,
     "the files' delimiter", "auto: the most frequent of , ; tab | in the header line"},
    {"currency", "CODE", READERS, set_currency, STORE, false,
     "the corporate currency (ISO 4217), to which every amount is converted at the rates of "
     "rates.csv; see docs/INPUT.md, Currencies",
     "the currency whose undated rate in rates.csv is 1, else USD; without rates.csv, the one "
     "currency the data hold"},
    {"strict", NULL, READERS & ~CHECK, set_strict, STORE, false,
     "exit with status 3, writing nothing, when any row is rejected", NULL},
    {"strict", NULL, CHECK, set_strict, STORE, false,
     "exit with status 3 when any row is rejected", NULL},
    {"max-rejected", "PCT", READERS, set_max_rejected, STORE, false,
     "exit with status 3 when more than PCT% of a required file's rows are rejected", "no limit"},
    {"all", NULL, CHECK, set_all, STORE, false,
     "print every rejected and excluded row as FILE:LINE: COLUMN: REASON", NULL},
    {"quiet", NULL, EVERY & ~DEALS, set_quiet, STORE, false,
     "print nothing on success: no progress, no warnings, no closing line (errors still go to "
     "standard error)", NULL},
    {"quiet", NULL, DEALS, set_quiet, STORE, false,
     "print nothing but the CSV: no progress, no warnings (errors still go to standard error)",
     NULL},
    {"help", NULL, EVERY, NULL, HELP, false, "print this help and exit", NULL},
    {"version", NULL, EVERY, NULL, VERSION, false, NULL, NULL},
    {"chunk-size", "BYTES", READERS, set_chunk, STORE, false, NULL, NULL},
    {"timings", NULL, REPORT, set_timings, STORE, false, NULL, NULL},
};

#define N_OPTIONS (sizeof options / sizeof options[0])

/* The row of --name (name[0..len)) for command bit; *known: some command takes it. */
static const struct option_def *find_option(const char *name, size_t len, unsigned bit, bool *known)
{
    *known = false;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (strlen(options[i].name) != len || strncmp(options[i].name, name, len) != 0)
            continue;
        *known = true;
        if (options[i].commands & bit)
            return &options[i];
    }
    return NULL;
}

/* ===================================================================== */
/* Help and usage errors                                                 */
/* ===================================================================== */

#define HELP_WIDTH 79
#define HELP_INDENT 28

/* Print text from column col, word-wrapped at HELP_WIDTH; later lines start at column indent. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
    bool first = true;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int w = (int)strcspn(p, " ");
        if (!first && col + 1 + w > HELP_WIDTH) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", w, p);
        col += w;
        p += w;
        first = false;
    }
    fputc('\n', f);
}

static void general_help(FILE *f)
{
    fprintf(f, "usage: compsight COMMAND [OPTIONS]\n\n"
               "Shows where a sales compensation plan drives off-roadmap promises,\n"
               "misstated collateral and end-of-period behaviour.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'compsight COMMAND --help' for a command's options, 'man compsight' for\n"
               "everything, 'compsight --version' for the version.\n"
               "Exit codes: 0 ok, 1 bad usage, 2 unreadable input, 3 rejects under --strict,\n"
               "4 output could not be written.\n");
}

static void command_help(FILE *f, const struct command *c)
{
    fprintf(f, "usage: compsight %s", c->name);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].required && (options[i].commands & c->bit))
            fprintf(f, " --%s %s", options[i].name, options[i].arg);
    fprintf(f, " [OPTIONS]\n\n");
    wrap(f, c->about, 0, 0);
    fprintf(f, "\nOptions (a flag is off unless given):\n");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_def *o = &options[i];
        if (!o->help || !(o->commands & c->bit))
            continue;
        char name[64], text[512];
        int col = snprintf(name, sizeof name, "  --%s%s%s", o->name, o->arg ? " " : "",
                           o->arg ? o->arg : "");
        fputs(name, f);
        if (col + 2 > HELP_INDENT)
            fprintf(f, "\n%*s", HELP_INDENT, "");
        else
            fprintf(f, "%*s", HELP_INDENT - col, "");
        if (o->required)
            snprintf(text, sizeof text, "%s (required)", o->help);
        else if (o->dflt)
            snprintf(text, sizeof text, "%s (default: %s)", o->help, o->dflt);
        else
            snprintf(text, sizeof text, "%s", o->help);
        wrap(f, text, HELP_INDENT, HELP_INDENT);
    }
}

/* Where a usage error sends the reader: the command's own help, or the general one. */
static void try_help(const struct command *c)
{
    if (c)
        fprintf(msg_stream, "Try 'compsight %s --help'.\n", c->name);
    else
        fprintf(msg_stream, "Try 'compsight --help'.\n");
}

static int bad_usage(const struct command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_usage(const struct command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(msg_stream, "compsight: ");
    vfprintf(msg_stream, fmt, ap);
    fputc('\n', msg_stream);
    va_end(ap);
    try_help(c);
    return 1;
}

/* ===================================================================== */
/* main                                                                  */
/* ===================================================================== */

/*
 * argv[2..] into *opt for command c.  Returns -1 when the command should
 * run, else the exit code (help and version print and exit 0).
 */
static int parse_options(int argc, char **argv, const struct command *c, struct cs_options *opt)
{
    bool seen[N_OPTIONS] = {false};
    for (int i = 2; i < argc; i++) {
        const char *a = strcmp(argv[i], "-h") == 0 ? "--help" : argv[i];
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return bad_usage(c, "unexpected argument '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        int len = eq ? (int)(eq - name) : (int)strlen(name);
        bool known;
        const struct option_def *o = find_option(name, (size_t)len, c->bit, &known);
        if (!o)
            return known ? bad_usage(c, "%s takes no option '--%.*s'", c->name, len, name)
                         : bad_usage(c, "unknown option '--%.*s'", len, name);
        const char *value = NULL;
        if (o->arg && eq)
            value = eq + 1;
        else if (o->arg && i + 1 < argc)
            value = argv[++i];
        else if (o->arg)
            return bad_usage(c, "option '--%s' needs a value (%s)", o->name, o->arg);
        else if (eq)
            return bad_usage(c, "option '--%s' takes no value", o->name);
        seen[o - options] = true;
        if (o->action == HELP) {
            command_help(out_stream, c);
            return 0;
        }
        if (o->action == VERSION) {
            fprintf(out_stream, "compsight %s\n", CS_VERSION);
            return 0;
        }
        const char *takes = o->set(opt, value);
        if (takes)
            return bad_usage(c, "--%s takes %s, not '%s'", o->name, takes, value);
    }
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].required && (options[i].commands & c->bit) && !seen[i])
            return bad_usage(c, "%s needs --%s %s", c->name, options[i].name, options[i].arg);
    return -1;
}

/* main() once the streams are set up: the exit code. */
static int run(int argc, char **argv)
{
    if (argc < 2) {
        general_help(msg_stream);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        general_help(out_stream);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        fprintf(out_stream, "compsight %s\n", CS_VERSION);
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (!cmd)
        return bad_usage(NULL, "unknown command '%s'", argv[1]);

    struct cs_options opt = {.fiscal_start = 1, .seed = 1, .max_rejected = -1};
    int code = parse_options(argc, argv, cmd, &opt);
    if (code >= 0)
        return code;

    bool progress = !opt.quiet && isatty(STDERR_FILENO);
    struct cs_io io = {.out = out_stream, .msg = msg_stream, .quiet = opt.quiet,
                       .progress = progress, .term = progress ? stderr : NULL};
    struct cs_error err;
    cs_error_clear(&err);
    enum cs_status st = cmd->run(&opt, &io, &err);
    if (st != CS_OK) {
        char buf[1200];
        if (err.status == CS_OK)
            err.status = st;
        cs_error_format(&err, buf, sizeof buf);
        fprintf(msg_stream, "compsight: %s\n", buf);
        if (st == CS_ERR_USAGE)
            try_help(cmd);
    }
    return cs_exit_code(st);
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
    /* SIGINT, SIGTERM, SIGHUP: remove the staging directory, then end */
    cs_staging_signals();
    /* On a terminal, no byte of the data reaches it raw (SECURITY.md);
     * files and pipes get the bytes as read. */
    out_stream = isatty(STDOUT_FILENO) ? cs_io_escaping(stdout) : NULL;
    msg_stream = isatty(STDERR_FILENO) ? cs_io_escaping(stderr) : NULL;
    if (out_stream)
        setvbuf(out_stream, NULL, _IOLBF, 0);
    else
        out_stream = stdout;
    if (msg_stream)
        setvbuf(msg_stream, NULL, _IONBF, 0);
    else
        msg_stream = stderr;
    int code = run(argc, argv);
    bool out_bad = out_stream != stdout && fclose(out_stream) != 0;
    if (msg_stream != stderr)
        fclose(msg_stream);
    if (code == 0 && (out_bad || fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "compsight: error writing standard output\n");
        return cs_exit_code(CS_ERR_OUTPUT);
    }
    return code;
}
