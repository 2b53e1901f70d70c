/* gen.h - the generator's model constants, tables and state, shared by src/generate/. */
#ifndef COMPSIGHT_GENERATE_GEN_H
#define COMPSIGHT_GENERATE_GEN_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "compsight/generate.h"
#include "compsight/parse.h"
#include "compsight/status.h"

/*
 * The files, in the order a data set is made: generate.c (the entry point,
 * the output directory and files), org.c (reps, teams, plans, quotas,
 * spiffs, the roadmap), assign.c (SPEC 13: who changes plan or team, their
 * plan periods and prorated quotas, assignments.csv), deals.c (the sales
 * simulation: deals, pull-ins, incentive measures, commissions), splits.c
 * (SPEC 13: split deals and the credit rows they give), promises.c,
 * collateral.c (marketing: targets, collateral, claims), rows.c (CSV rows,
 * number, date and id formats, names) and tables.c (the static tables
 * below).
 */

/*
 * The model, in one paragraph (docs/GENERATOR.md has the numbers and why):
 * a company sells through Enterprise (annual plan), Mid-Market and SMB
 * (quarterly plans) AEs and has a Marketing team.  Deals are allocated to
 * rep-quarters, then each rep is simulated alone, one plan period ("unit")
 * at a time in time order, holding only the current and the next unit's
 * deals.  At the end of a unit a rep just short of quota may pull a deal in
 * from the next unit; then the unit's won deals are sorted exactly as SPEC
 * section 5 sorts them, the incentive measures are computed, and promises,
 * discounts and commissions are drawn from them.  Every planted effect is a
 * function of a section 5/6 measure so that the analysis can recover it.
 */

/* ===================================================================== */
/* Model constants (each one is documented in docs/GENERATOR.md)         */
/* ===================================================================== */

#define N_QUARTERS 8                 /* two fiscal years of history */
#define FIRST_FY 2025                /* FY2025Q1 .. FY2026Q4 */
#define N_SLOTS (N_QUARTERS + 1)     /* + the open pipeline of the next quarter */
#define PIPELINE_WEIGHT 0.6          /* open pipeline = 0.6 quarter of deals */
#define REF_DEALS 4000.0             /* deal count the segment sizes refer to */
#define DEFAULT_DEALS 4000
#define MIN_DEALS 10                 /* thin sets, to try the report on little data */
#define MAX_DEALS 100000000ULL       /* ~15 GB of CSV, ~200 MB of rep state */
#define TEAM_SIZE 10                 /* AEs per team before a team is split */
#define PROD_SD 0.2                  /* log-sd of rep productivity (mean 1) */
#define ASSETS_PER_Q 6.0             /* assets per marketer-quarter (Poisson) */

/* Effect 1: end-of-period concentration and discounting. */
#define EOQ_SHARE 0.16               /* won deals slipped into the last 14 days */
#define EOQ_DAYS 14
#define DISC_B0 9.0                  /* discount_pct = b0 + ... + N(0, sd) */
#define DISC_B_LOGAMT 2.0            /* per unit of log(amount / 10000) */
#define DISC_B_L14 5.0               /* percentage points in the last 14 days */
#define DISC_B_RENEWAL (-3.0)
#define DISC_SD 3.5

/* Effect 2: pull-ins to cross the floor-1.0 tier. */
#define PULL_FLOOR 1.0
#define PULL_LO 0.90
#define PULL_MID 0.94
#define PULL_P_NEAR 0.70             /* attainment in [0.94, 1.00) */
#define PULL_P_FAR 0.35              /* attainment in [0.90, 0.94) */
#define PULL_DAYS 5                  /* pulled deal closes in the last 5 days */

/* Effect 3 and 5: promise risk (logit scale). */
#define RISK_B0 (-2.2)
#define RISK_B_RATE 8.0
#define RISK_B_CROSS 0.6
#define RISK_B_L14 0.5
#define RISK_B_LOGAMT 0.1            /* per unit of log(amount / 10000) */
#define RISK_B_SPIFF 0.5
#define RISK_REP_SD 0.4              /* rep random intercept */
#define RISK_NULL_P 0.20
#define RISK_LOST_P 0.15
#define RISK_OPEN_P 0.10

/* --skill: rep skill s ~ N(0, 1) drives both volume (and so attainment and
 * the accelerators) and promising; the plan's effects stay as above. */
#define SKILL_PROD_SD 0.5            /* log-sd of productivity (instead of PROD_SD) */
#define SKILL_RISK 1.5               /* rep intercept of promise risk per sd of skill */
#define SPIFF_PRODUCT_BOOST 2.0      /* spiffed product's weight during the spiff */

/* Effect 4: collateral misstatement (logit scale). */
#define MIS_B0 (-1.4)
#define MIS_B_GAP 3.0
#define MIS_B_L14 0.5
#define MIS_NULL_P 0.25

/* Commission statements: share of manual adjustments. */
#define ADJUST_SHARE 0.01

/* Real comp plans (SPEC 13; --assignments, --splits, --credit-by-type). */
#define CHANGE_QUARTER 4             /* the fiscal-year plan change: FY2026 Q1 */
#define CHANGE_STAGGER 3             /* the last mover moves this many days later */
#define CHANGE_EFFECT (-0.08)        /* planted change of the movers' risk at the change */
#define HIRE_QUARTER 2               /* a rep hired mid-quarter: FY2025 Q3 ... */
#define HIRE_DAY 40                  /* ... on its 41st day */
#define PROMO_UP_QUARTER 1           /* a Mid-Market AE promoted to Enterprise */
#define PROMO_UP_DAY 45
#define PROMO_MM_QUARTER 5           /* an SMB AE promoted to Mid-Market */
#define PROMO_MM_DAY 50
#define TEAM_MOVE_QUARTER 6          /* an Enterprise AE moves East -> West */
#define TEAM_MOVE_DAY 30
#define SPLIT_SHARE 0.10             /* deals split between two or three reps */
#define SPLIT_CROSS 0.30             /* of those, the partner is from the next segment */
#define SPLIT_REACH 3                /* a same-segment partner is one of the next 3 AEs */

#define NO_DATE CS_NO_DATE

/* ===================================================================== */
/* Static tables (tables.c): plans, segments, products, spiffs, roadmap,  */
/* words                                                                  */
/* ===================================================================== */

#define MAX_TIERS 3
struct plan_def {
    const char *id;
    bool annual;
    double base_quota;               /* at the reference deal volume */
    int n_tiers;
    double floor[MAX_TIERS];
    double rate[MAX_TIERS];
};

enum { PLAN_ENT = 0, PLAN_MM, PLAN_SMB, N_PLANS };
extern const struct plan_def plan_defs[N_PLANS];

/* With --assignments, the plan the Mid-Market AEs move to at the fiscal
 * year change (index PLAN_MM_NEW); plan_def() covers both tables. */
enum { PLAN_MM_NEW = N_PLANS, N_ALL_PLANS };
extern const struct plan_def plan_mm_new;
/* With --credit-by-type: credit_new, credit_expansion, credit_renewal. */
extern const double plan_credit[N_ALL_PLANS][3];
/* With --splits: how a split deal's credit is shared (the owner's first). */
#define N_SPLIT_PATTERNS 3
struct split_pattern {
    int n;                           /* reps credited, owner included */
    double share[3];
    double p;                        /* how often */
};
extern const struct split_pattern split_patterns[N_SPLIT_PATTERNS];
static inline const struct plan_def *plan_def(int plan)
{
    return plan < N_PLANS ? &plan_defs[plan] : &plan_mm_new;
}

enum { SEG_ENT = 0, SEG_MM, SEG_SMB, N_SEGS };

struct segment {
    const char *team;                /* team base name */
    int plan;
    double ref_aes;                  /* AEs at REF_DEALS deals */
    int min_aes;
    double deals_per_q;              /* deals (all stages) per AE-quarter */
    double p_win;
    double amt_median, amt_sigma;    /* lognormal amount of a new deal */
    double cycle_median, cycle_sigma;/* lognormal days from created to close */
    unsigned territory;              /* accounts per rep */
};
extern const struct segment segs[N_SEGS];

/* Amount multiplier by deal type (new, expansion, renewal). */
extern const double type_mult[3];
extern const char *const type_name[3];
enum { ST_WON = 0, ST_LOST, ST_OPEN };
extern const char *const stage_name[3];

#define N_PRODUCTS 6
struct product {
    const char *name;
    double weight;
};
extern const struct product products[N_PRODUCTS];

/* SPIFFs: product, quarter index, first day in it, length in days, bonus. */
#define N_SPIFFS 2
struct spiff_def {
    const char *id;
    int product, quarter, first_day, days;
    double amount;
};
extern const struct spiff_def spiff_defs[N_SPIFFS];

enum { RM_SHIPPED = 0, RM_COMMITTED, RM_PLANNED, RM_EXPLORING, RM_NOT_PLANNED };
extern const char *const rm_status_name[5];

/* The roadmap snapshot; dates are days from the start of the data window
 * (NO_DATE = blank): tables.c says why. */
#define N_FEATURES 40
struct feature {
    const char *title;
    int status;
    int target, shipped;
};
extern const struct feature features[N_FEATURES];
#define FEATURE_BASE 101             /* feature i is FR-(101 + i) */

/* Feature ids that are not on the roadmap but look as if they were. */
#define N_UNKNOWN_FEATURES 5
extern const char *const unknown_features[N_UNKNOWN_FEATURES];

/* What the field asks for without a roadmap item; weights fall as 1/rank. */
#define N_ASKS 12
extern const char *const asks[N_ASKS];

/* Words of names: first and last names of people, three parts of account names. */
extern const char *const first_names[48];
extern const char *const last_names[48];
extern const char *const acct_a[40];
extern const char *const acct_b[30];
extern const char *const acct_c[8];

/* Asset titles: prefix + product + suffix; campaign themes. */
#define N_ASSET_TEMPLATES 6
extern const char *const asset_templates[N_ASSET_TEMPLATES][2];
#define N_THEMES 6
extern const char *const campaign_themes[N_THEMES];

/* The files of SPEC section 1, headers exactly as specified: the eleven
 * always written, then assignments.csv and splits.csv (SPEC 13), written
 * only with --assignments and --splits. */
enum gfile {
    F_REPS = 0, F_PLANS, F_DEALS, F_QUOTAS, F_SPIFFS, F_COMMISSIONS,
    F_ROADMAP, F_PROMISES, F_COLLATERAL, F_CLAIMS, F_TARGETS,
    F_ASSIGNMENTS, F_SPLITS, F_COUNT
};
struct gfile_def {
    const char *name, *header;
};
extern const struct gfile_def gfiles[F_COUNT];
/* The headers that section 13 extends: plans.csv with --credit-by-type,
 * quotas.csv with --assignments. */
extern const char *const plans_header_credit;
extern const char *const quotas_header_plan;

/* ===================================================================== */
/* Generator state                                                        */
/* ===================================================================== */

enum rep_kind { K_AE = 0, K_MANAGER, K_MARKETER };

struct rep {
    uint8_t kind, seg;
    uint32_t team;
    uint32_t manager;                /* rep index, UINT32_MAX = none */
    uint32_t ae;                     /* index among AEs (allocation row) */
    double productivity;
    double prod_q[N_QUARTERS];       /* ramp / territory factor per quarter */
    double quota[N_QUARTERS];        /* quota in force per unit */
    bool override_q[N_QUARTERS];     /* quota row in quotas.csv */
    double risk_u;                   /* rep random intercept of promise risk */
    double skill;                    /* --skill: the rep's skill (else 0) */
};

struct team {
    char name[48];
    uint8_t kind, seg;
    uint32_t manager;
};

/* One deal while its rep is being simulated. */
struct gdeal {
    uint64_t num;                    /* deal number, the id's digits */
    uint32_t account;
    uint32_t seq;                    /* generation order, for stable sorts */
    int32_t created, close;
    int64_t cents;                   /* amount; -1 = blank */
    int32_t disc10;                  /* discount_pct x 10; -1 = blank */
    uint8_t type, product, stage;
    bool pulled;
    uint8_t split;                   /* --splits: 1 + index of split_patterns, 0 = none */
    uint32_t partner[2];             /* the other reps credited (rep indices) */
};

struct dbuf {
    struct gdeal *d;
    size_t n, cap;
};

#define ROW_MAX 4096
struct row {
    char buf[ROW_MAX];
    size_t n;
    bool first;
};

struct gen {
    const struct cs_gen_options *opt;
    struct cs_error *err;
    bool effects;
    bool skill;                      /* --skill */
    int fs;
    uint64_t n_deals;

    char *path_tmp[F_COUNT], *path_final[F_COUNT];
    FILE *f[F_COUNT];
    enum cs_status write_status;

    int32_t qstart[N_QUARTERS + 2];  /* quarter starts; [N_QUARTERS] = export day */
    int32_t window_start, export_day;
    int32_t spiff_start[N_SPIFFS], spiff_end[N_SPIFFS];

    gsl_rng *org_rng, *sales_rng, *mkt_rng;

    struct rep *reps;
    size_t n_reps;
    struct team *teams;
    size_t n_teams;
    size_t n_aes, n_marketers;
    double plan_quota[N_PLANS];
    unsigned *alloc;                 /* n_aes x N_SLOTS deal counts */

    int rep_w, deal_w, prom_w, asset_w;
    uint64_t next_deal, next_promise, next_asset;

    struct dbuf cur, nxt;
    uint32_t *won_idx;               /* scratch: won deals of a unit */
    uint8_t *risky;                  /* scratch: promise risk per deal */
    size_t won_cap;
    uint8_t *is_cust;                /* territory of the current rep */
    uint32_t *cust;
    size_t n_cust;
    uint32_t acct_base;

    double ask_cdf[N_ASKS];

    /* dirty-mode bookkeeping: each injection happens once */
    bool dirty_currency_done, dirty_deals_done, dirty_multiline_done;
    char dirty_dup_id[48];
    bool dirty_dup_found;

    struct row row;

    struct s13 *s13;                 /* real comp plans (assign.c, splits.c); NULL without */
};

/* One plan period of a rep ("unit"), or the open pipeline after the last.
 * Without --assignments a unit is a whole period of the rep's plan; with
 * it, the days of a period on which the rep holds that plan (lo..hi). */
struct unit {
    int q_first, q_last;             /* quarters covered (by lo..hi) */
    bool pipeline;
    int32_t start, end;              /* plan period (or pipeline quarter) */
    int32_t lo, hi;                  /* the days of it on this plan */
    int plan;                        /* plan_def() index */
    int seg;                         /* segment whose deal parameters apply */
    double quota;
    bool quota_row;                  /* --assignments: the quota is a quotas.csv row */
    char label[16];
};

/* ===================================================================== */
/* Small helpers: random numbers, rounding (inline: used per deal)        */
/* ===================================================================== */

static inline double unif(gsl_rng *r) { return gsl_rng_uniform(r); }
static inline int32_t unif_int(gsl_rng *r, int32_t n)   /* 0 .. n-1, n >= 1 */
{
    return n <= 1 ? 0 : (int32_t)gsl_rng_uniform_int(r, (unsigned long)n);
}
static inline double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double logit(double p) { return log(p / (1.0 - p)); }

static inline size_t pick_cdf(gsl_rng *r, const double *cdf, size_t n)
{
    double u = unif(r) * cdf[n - 1];
    for (size_t i = 0; i < n; i++)
        if (u < cdf[i])
            return i;
    return n - 1;
}

static inline int n_digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Round to three significant figures: quotas look like 125000, not 124613. */
static inline double round3(double v)
{
    if (v <= 0)
        return v;
    double p = pow(10.0, floor(log10(v)) - 2.0);
    return round(v / p) * p;
}

/* A roadmap day offset as a day number (NO_DATE stays). */
static inline int32_t feature_date(const struct gen *g, int off)
{
    return off == NO_DATE ? NO_DATE : g->window_start + off;
}

/* ===================================================================== */
/* Rows (rows.c): one CSV row in g->row, written by row_end               */
/* ===================================================================== */

static inline void row_begin(struct row *r)
{
    r->n = 0;
    r->first = true;
}

static inline void row_put(struct row *r, const char *s, size_t len)
{
    /* Fields are short by construction; clip rather than overflow. */
    if (r->n + len > ROW_MAX - 2)
        len = ROW_MAX - 2 - r->n;
    memcpy(r->buf + r->n, s, len);
    r->n += len;
}

static inline void row_sep(struct row *r)
{
    if (!r->first)
        row_put(r, ",", 1);
    r->first = false;
}

static inline void row_blank(struct row *r) { row_sep(r); }

/* A text field, quoted (RFC 4180) when it holds a comma, quote, line break
 * or surrounding blanks that a reader would otherwise trim. */
void row_str(struct row *r, const char *s);
/* An integer count of 10^-decimals units, e.g. cents with decimals = 2. */
void row_scaled(struct row *r, int64_t units, int decimals);
void row_money(struct row *r, int64_t cents);
void row_fixed(struct row *r, double v, int decimals);
void row_date(struct row *r, int32_t day);
void row_id(struct row *r, char prefix, uint64_t num, int width);
/* The row to file f; a write error goes to g->write_status (the first one). */
void row_end(struct gen *g, enum gfile f);
/* A whole row given verbatim (dirty rows that must not be re-quoted). */
void raw_line(struct gen *g, enum gfile f, const char *line);

/* Formats and names (rows.c); buf sizes as each says. */
void fmt_date(int32_t day, char *buf);                        /* buf[11]: YYYY-MM-DD */
void fmt_id(char *buf, char prefix, uint64_t num, int width); /* width + 22 bytes */
void fmt_currency(int64_t cents, char *buf, size_t n);        /* "$12,345.67" */
void quarter_label(int qi, char *buf, size_t n);              /* SPEC 4: 2025Q1 */
void rep_name(size_t k, char *buf, size_t n);
void account_name(uint32_t k, char *buf, size_t n);
void rep_id(const struct gen *g, size_t rep_index, char *buf, size_t n);   /* n >= 32 */
void feature_id(int i, char *buf, size_t n);
void ask_variant(gsl_rng *r, const char *s, char *buf, size_t n);

/* ===================================================================== */
/* The parts of a data set, in the order cs_generate runs them            */
/* ===================================================================== */

/* org.c: reps, teams, plan quotas and deal counts; then their files.
 * build_org fails only for memory (g->err set). */
enum cs_status build_org(struct gen *g);
void write_plans(struct gen *g);
void write_reps(struct gen *g);
void write_quotas(struct gen *g);
void write_spiffs(struct gen *g);
void write_roadmap(struct gen *g);

/* deals.c: every AE's deals, commissions and promises (errors in g->write_status). */
void simulate_sales(struct gen *g);

/* promises.c: the promises of one deal (deals.c), a roadmap item of either status. */
void deal_promises(struct gen *g, const struct gdeal *d, bool risky, const char *deal_id);
int pick_feature(gsl_rng *r, int status_a, int status_b);

/* collateral.c: targets, collateral and claims of every marketer. */
void simulate_marketing(struct gen *g);

/* ===================================================================== */
/* Real comp plans (assign.c, splits.c): SPEC section 13                  */
/* ===================================================================== */

#define OPEN_END INT32_MAX

/* A stretch of a rep's history on one plan and team: an assignment. */
struct stint {
    int32_t start, end;              /* inclusive; end OPEN_END = open */
    int plan;
    uint32_t team;
    bool written;                    /* a row of assignments.csv (else reps.csv says it) */
    bool team_blank;                 /* written with a blank team (= reps.csv's team) */
};

/* A credit row that another rep's split deal gives a rep. */
struct gcredit {
    uint64_t num;                    /* the deal's number */
    int32_t close;
    int64_t cents;                   /* the deal's whole amount */
    double share;
    uint8_t type;
};

struct credit_vec {
    struct gcredit *v;
    size_t n, cap, next;             /* next: the first one not settled yet */
};

/* What the section 13 options add to the generator's state.  Reps whose
 * plan or team never changes have no stints and no units here: they take
 * the path every rep takes without the options. */
struct s13 {
    bool assignments, splits, credit;
    double change_effect;            /* the movers' change of risk at the plan change */
    uint8_t *mover;                  /* per rep: moves at the plan change */
    bool new_plan;                   /* PLAN_MM_NEW is in plans.csv */
    gsl_rng *split_rng;              /* its own stream: splits shift no other draw */

    struct stint *stints;            /* by rep, in time order */
    size_t n_stints;
    uint32_t *stint_first;           /* per rep: its first stint; UINT32_MAX = none */
    uint8_t *stint_n;
    struct unit *units;              /* the plan periods of reps with stints, by rep */
    size_t n_units, cap_units;
    uint32_t *unit_first;
    uint8_t *unit_n;

    uint32_t *ae_rep;                /* AE index -> rep index */
    size_t seg_ae[N_SEGS + 1];       /* AE index where each home segment starts */
    struct credit_vec *incoming;     /* per rep: credits from earlier reps' splits */
    size_t n_incoming;
};

/* assign.c: history, plan periods, quotas, assignments.csv.
 * s13_new reads g->opt (NULL state when no section 13 option is on); fails
 * only for memory.  s13_build (from build_org, after draw_reps) picks the
 * reps that move, are promoted or hired and corrects *total_w for them; it
 * fails for memory, or CS_ERR_USAGE when --plan-change-movers asks for more
 * Mid-Market AEs than there are. */
enum cs_status s13_new(struct gen *g);
void s13_free(struct s13 *s);
enum cs_status s13_build(struct gen *g, double *total_w);
/* Deal weights of a rep with a history over w[0..N_SLOTS), and its plan
 * periods and quotas (needs the plan quotas); false when out of memory. */
bool s13_rep_alloc(struct gen *g, size_t rep_index, double *w);
bool s13_has_history(const struct gen *g, size_t rep_index);
/* The rep's plan on a day (plan_def() index), -1 for none (not hired yet). */
int s13_plan_on(const struct gen *g, size_t rep_index, int32_t day);
/* A rep's number of plan periods and its unit u (u == count: the pipeline). */
int rep_unit_count(const struct gen *g, size_t rep_index);
struct unit s13_unit(const struct gen *g, size_t rep_index, int u);
/* The part of quarter q's deal count and days that fall into unit un. */
void s13_quarter_part(const struct gen *g, size_t rep_index, const struct unit *un, int q,
                      unsigned *count, int32_t *first, int32_t *days);
/* A rep's plan (-1: none) and team on the export date, for reps.csv. */
void s13_rep_now(const struct gen *g, size_t rep_index, int *plan, uint32_t *team);
void write_assignments(struct gen *g);
void s13_write_quotas(struct gen *g, size_t rep_index);

/* splits.c: split deals, the credit rows they give, splits.csv. */
double credit_fraction(const struct gen *g, int plan, int type);
/* Mark the split deals of a freshly drawn unit (split_rng). */
void s13_mark_splits(struct gen *g, size_t rep_index, struct dbuf *b);
/* The owner's share of a won deal, given who holds a plan on its close date. */
double s13_own_share(const struct gen *g, const struct gdeal *d);
/* A settled split deal: its splits.csv rows and its partners' credit rows. */
void s13_split_settled(struct gen *g, size_t rep_index, const struct gdeal *d);
/* Before and after a rep is simulated: its incoming credits sorted, freed. */
void s13_rep_begin(struct gen *g, size_t rep_index);
void s13_rep_end(struct gen *g, size_t rep_index);
/* The incoming credits that close within unit un (consumed); and their
 * credited amount without consuming them (for the pull-in decision). */
const struct gcredit *s13_unit_credits(struct gen *g, size_t rep_index, const struct unit *un,
                                       size_t *n);
double s13_unit_credited(const struct gen *g, size_t rep_index, const struct unit *un);
/* --dirty: the bad rows of assignments.csv and splits.csv. */
void s13_dirty_rows(struct gen *g);

#endif
