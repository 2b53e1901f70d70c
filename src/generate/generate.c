/* generate.c - synthetic compsight data sets with planted, documented effects. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "compsight/calendar.h"
#include "compsight/generate.h"
#include "compsight/parse.h"

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
#define MIN_DEALS 100
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
#define SPIFF_PRODUCT_BOOST 2.0      /* spiffed product's weight during the spiff */

/* Effect 4: collateral misstatement (logit scale). */
#define MIS_B0 (-1.4)
#define MIS_B_GAP 3.0
#define MIS_B_L14 0.5
#define MIS_NULL_P 0.25

/* Commission statements: share of manual adjustments. */
#define ADJUST_SHARE 0.01

#define NO_DATE CS_NO_DATE

/* ===================================================================== */
/* Static tables: plans, segments, products, spiffs, roadmap, words      */
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

static const struct plan_def plan_defs[N_PLANS] = {
    {"ENT-Y", true, 900000.0, 3, {0.0, 1.0, 1.3}, {0.06, 0.10, 0.12}},
    {"MM-Q", false, 145000.0, 3, {0.0, 1.0, 1.5}, {0.08, 0.12, 0.15}},
    {"SMB-Q", false, 75000.0, 3, {0.0, 1.0, 2.0}, {0.06, 0.09, 0.0}},
};

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

static const struct segment segs[N_SEGS] = {
    {"Enterprise", PLAN_ENT, 8, 2, 7.5, 0.50, 48000.0, 0.60, 90.0, 0.5, 40},
    {"Mid-Market", PLAN_MM, 8, 1, 18.0, 0.55, 15000.0, 0.50, 45.0, 0.5, 100},
    {"SMB", PLAN_SMB, 9, 1, 28.0, 0.60, 4500.0, 0.50, 21.0, 0.6, 160},
};

/* Amount multiplier by deal type (new, expansion, renewal). */
static const double type_mult[3] = {1.0, 0.55, 0.8};
static const char *const type_name[3] = {"new", "expansion", "renewal"};
enum { ST_WON = 0, ST_LOST, ST_OPEN };
static const char *const stage_name[3] = {"won", "lost", "open"};

#define N_PRODUCTS 6
static const struct { const char *name; double weight; } products[N_PRODUCTS] = {
    {"Core Platform", 0.35}, {"Analytics", 0.18}, {"Connectors", 0.14},
    {"Workflow Automation", 0.13}, {"Security Suite", 0.12}, {"Mobile", 0.08},
};

/* SPIFFs: product, quarter index, first day in it, length in days, bonus. */
#define N_SPIFFS 2
static const struct {
    const char *id;
    int product, quarter, first_day, days;
    double amount;
} spiff_defs[N_SPIFFS] = {
    {"SP-01", 1, 2, 0, 62, 500.0},
    {"SP-02", 4, 5, 14, 62, 750.0},
};

enum { RM_SHIPPED = 0, RM_COMMITTED, RM_PLANNED, RM_EXPLORING, RM_NOT_PLANNED };
static const char *const rm_status_name[5] = {
    "shipped", "committed", "planned", "exploring", "not_planned"};

/*
 * The roadmap snapshot.  Dates are days from the start of the data window
 * (NO_DATE = blank), so that the same roadmap fits every fiscal start.  The
 * window is about 730 days, the export date is its end: committed and
 * planned targets lie after it (some committed ones slip just before it),
 * half the shipped items shipped inside the window so that collateral can
 * claim them before they existed.
 */
#define N_FEATURES 40
static const struct {
    const char *title;
    int status;
    int target, shipped;
} features[N_FEATURES] = {
    {"Single sign-on (SAML 2.0)", RM_SHIPPED, -720, -700},
    {"Audit log export", RM_SHIPPED, NO_DATE, -560},
    {"Role-based access control", RM_SHIPPED, -500, -480},
    {"REST API v2", RM_SHIPPED, -430, -400},
    {"Slack integration", RM_SHIPPED, NO_DATE, -300},
    {"Custom fields", RM_SHIPPED, -240, -200},
    {"Bulk \"undo\" for imports", RM_SHIPPED, -120, -90},
    {"Dashboard sharing", RM_SHIPPED, 30, 60},
    {"Two-factor authentication", RM_SHIPPED, NO_DATE, 150},
    {"CSV import wizard", RM_SHIPPED, 240, 260},
    {"Webhooks", RM_SHIPPED, 350, 390},
    {"Mobile app (iOS)", RM_SHIPPED, 480, 520},
    {"Scheduled reports", RM_SHIPPED, 600, 640},
    {"Mobile app (Android)", RM_COMMITTED, 700, NO_DATE},
    {"SCIM provisioning", RM_COMMITTED, 745, NO_DATE},
    {"EU data residency", RM_COMMITTED, 770, NO_DATE},
    {"Advanced forecasting", RM_COMMITTED, 800, NO_DATE},
    {"Usage-based billing", RM_COMMITTED, 840, NO_DATE},
    {"Granular API tokens", RM_COMMITTED, 880, NO_DATE},
    {"Sandbox environments", RM_COMMITTED, 930, NO_DATE},
    {"Microsoft Teams integration", RM_PLANNED, 800, NO_DATE},
    {"AI deal summaries", RM_PLANNED, 860, NO_DATE},
    {"Field-level encryption", RM_PLANNED, 900, NO_DATE},
    {"Multi-currency support", RM_PLANNED, 960, NO_DATE},
    {"Custom objects", RM_PLANNED, 1020, NO_DATE},
    {"Approval workflows", RM_PLANNED, 1100, NO_DATE},
    {"Data warehouse sync", RM_PLANNED, 1180, NO_DATE},
    {"Offline mode for mobile", RM_PLANNED, NO_DATE, NO_DATE},
    {"On-premise deployment", RM_EXPLORING, NO_DATE, NO_DATE},
    {"Native ERP connector", RM_EXPLORING, 1200, NO_DATE},
    {"White-label portal", RM_EXPLORING, NO_DATE, NO_DATE},
    {"Real-time collaboration", RM_EXPLORING, NO_DATE, NO_DATE},
    {"GraphQL API", RM_EXPLORING, NO_DATE, NO_DATE},
    {"Predictive lead scoring", RM_EXPLORING, NO_DATE, NO_DATE},
    {"Voice notes", RM_EXPLORING, NO_DATE, NO_DATE},
    {"Desktop client", RM_NOT_PLANNED, NO_DATE, NO_DATE},
    {"Blockchain audit trail", RM_NOT_PLANNED, NO_DATE, NO_DATE},
    {"Custom SLA tiers", RM_NOT_PLANNED, NO_DATE, NO_DATE},
    {"Legacy IE11 support", RM_NOT_PLANNED, NO_DATE, NO_DATE},
    {"Per-user data centers", RM_NOT_PLANNED, NO_DATE, NO_DATE},
};
#define FEATURE_BASE 101             /* feature i is FR-(101 + i) */

/*
 * Feature ids that are not on the roadmap but look as if they were: typos,
 * deleted items, a zero-padded and a lower-case variant of real ids (ids
 * compare byte for byte, so these are unknown, hence off_roadmap).
 */
static const char *const unknown_features[] = {
    "FR-199", "FR-250", "FR-0117", "fr-112", "ROAD-42"};
#define N_UNKNOWN_FEATURES (sizeof unknown_features / sizeof unknown_features[0])

/* What the field asks for without a roadmap item; weights fall as 1/rank. */
static const char *const asks[] = {
    "On-premise deployment", "SAML SSO for contractors", "Two-way Salesforce sync",
    "Custom SLA 99.99%", "Data residency in Canada", "White-label mobile app",
    "Offline mode", "HIPAA BAA", "Unlimited API rate limit",
    "Custom report builder", "Dedicated instance", "Export to SAP",
};
#define N_ASKS (sizeof asks / sizeof asks[0])

static const char *const first_names[48] = {
    "Aaron", "Abigail", "Adrian", "Aisha", "Alex", "Amara", "Andre", "Bianca",
    "Carlos", "Chen", "Chloe", "Daniel", "Deepa", "Diego", "Elena", "Emeka",
    "Fatima", "Felix", "Grace", "Hannah", "Hiro", "Ines", "Isaac", "Jamal",
    "Julia", "Kai", "Kateryna", "Liam", "Lucia", "Maya", "Mohammed", "Nadia",
    "Noah", "Olivia", "Omar", "Priya", "Rafael", "Rosa", "Samuel", "Sofia",
    "Tariq", "Tomas", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe"};
static const char *const last_names[48] = {
    "Adams", "Ahmed", "Alvarez", "Becker", "Bianchi", "Brooks", "Castillo", "Chen",
    "Costa", "Dubois", "Edwards", "Fischer", "Garcia", "Gupta", "Hansen", "Hughes",
    "Ivanova", "Jensen", "Johnson", "Kim", "Kowalski", "Larsen", "Lopez", "Martin",
    "Mensah", "Meyer", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Peters",
    "Quinn", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Sorensen", "Takahashi",
    "Thompson", "Tran", "Usman", "Varga", "Wagner", "Walsh", "Yilmaz", "Zhang"};

static const char *const acct_a[40] = {
    "Northwind", "Blue Harbor", "Summit", "Redwood", "Silverline", "Granite",
    "Evergreen", "Ironbridge", "Lakeside", "Brightwater", "Cedar", "Falcon",
    "Harbor Point", "Keystone", "Maple", "Orion", "Pinnacle", "Quarry",
    "Riverbend", "Sterling", "Tidewater", "Vantage", "Westgate", "Aspen",
    "Beacon", "Cobalt", "Crescent", "Driftwood", "Emerald", "Fairview",
    "Golden Gate", "Highland", "Juniper", "Kestrel", "Lighthouse", "Meridian",
    "Northstar", "Oakridge", "Pacific", "Prairie"};
static const char *const acct_b[30] = {
    "Logistics", "Health", "Foods", "Analytics", "Manufacturing", "Energy",
    "Insurance", "Capital", "Retail", "Labs", "Media", "Freight", "Dental",
    "Hotels", "Outfitters", "Robotics", "Pharma", "Software", "Bank",
    "Construction", "Telecom", "Partners", "Farms", "Textiles", "Aerospace",
    "Motors", "Realty", "Biotech", "Learning", "Security"};
/* ", Inc." keeps a comma in account names, so exports must quote them. */
static const char *const acct_c[8] = {
    "", " Inc.", " LLC", " Group", " Ltd", ", Inc.", " GmbH", " & Co."};

/* Asset titles: prefix + product + suffix. */
static const char *const asset_templates[][2] = {
    {"", " datasheet"}, {"", " overview deck"}, {"Webinar: what's new in ", ""},
    {"", " vs. spreadsheets"}, {"Buyer's guide to ", ""}, {"ROI calculator for ", ""}};
#define N_ASSET_TEMPLATES (sizeof asset_templates / sizeof asset_templates[0])
static const char *const campaign_themes[] = {
    "Launch", "Pipeline push", "Webinar series", "Customer advocacy",
    "Competitive", "Events"};
#define N_THEMES (sizeof campaign_themes / sizeof campaign_themes[0])

/* The eleven files of SPEC section 1, headers exactly as specified. */
enum gfile {
    F_REPS = 0, F_PLANS, F_DEALS, F_QUOTAS, F_SPIFFS, F_COMMISSIONS,
    F_ROADMAP, F_PROMISES, F_COLLATERAL, F_CLAIMS, F_TARGETS, F_COUNT
};
static const struct { const char *name, *header; } gfiles[F_COUNT] = {
    {"reps.csv", "rep_id,name,team,role,plan_id,manager"},
    {"plans.csv", "plan_id,period_type,quota,tier_floor,rate"},
    {"deals.csv", "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage"},
    {"quotas.csv", "rep_id,period,quota"},
    {"spiffs.csv", "spiff_id,product,start_date,end_date,amount"},
    {"commissions.csv", "rep_id,deal_id,period,commission"},
    {"roadmap.csv", "feature_id,title,status,target_date,shipped_date"},
    {"promises.csv", "promise_id,deal_id,feature_id,promised_date,due_date,text"},
    {"collateral.csv", "asset_id,title,owner_id,campaign,published_date"},
    {"claims.csv", "asset_id,feature_id,claim,text"},
    {"targets.csv", "owner_id,period,target,actual"},
};

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
};

/* ===================================================================== */
/* Small helpers: random numbers, calendar                               */
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

static double unif(gsl_rng *r) { return gsl_rng_uniform(r); }
static int32_t unif_int(gsl_rng *r, int32_t n)   /* 0 .. n-1, n >= 1 */
{
    return n <= 1 ? 0 : (int32_t)gsl_rng_uniform_int(r, (unsigned long)n);
}
static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static double logit(double p) { return log(p / (1.0 - p)); }

static size_t pick_cdf(gsl_rng *r, const double *cdf, size_t n)
{
    double u = unif(r) * cdf[n - 1];
    for (size_t i = 0; i < n; i++)
        if (u < cdf[i])
            return i;
    return n - 1;
}

static int n_digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Round to three significant figures: quotas look like 125000, not 124613. */
static double round3(double v)
{
    if (v <= 0)
        return v;
    double p = pow(10.0, floor(log10(v)) - 2.0);
    return round(v / p) * p;
}

/* ===================================================================== */
/* Row building: CSV quoting and locale-free number formats              */
/* ===================================================================== */

static void row_begin(struct row *r)
{
    r->n = 0;
    r->first = true;
}

static void row_put(struct row *r, const char *s, size_t len)
{
    /* Fields are short by construction; clip rather than overflow. */
    if (r->n + len > ROW_MAX - 2)
        len = ROW_MAX - 2 - r->n;
    memcpy(r->buf + r->n, s, len);
    r->n += len;
}

static void row_sep(struct row *r)
{
    if (!r->first)
        row_put(r, ",", 1);
    r->first = false;
}

/* A text field, quoted (RFC 4180) when it holds a comma, quote, line break
 * or surrounding blanks that a reader would otherwise trim. */
static void row_str(struct row *r, const char *s)
{
    row_sep(r);
    size_t len = strlen(s);
    bool q = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
                         s[len - 1] == '\t');
    for (size_t i = 0; !q && i < len; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q) {
        row_put(r, s, len);
        return;
    }
    row_put(r, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            row_put(r, "\"", 1);
        row_put(r, s + i, 1);
    }
    row_put(r, "\"", 1);
}

static void row_blank(struct row *r) { row_sep(r); }

/* An integer count of 10^-decimals units, e.g. cents with decimals = 2. */
static void row_scaled(struct row *r, int64_t units, int decimals)
{
    char tmp[40];
    int n = 0;
    bool neg = units < 0;
    uint64_t u = neg ? (uint64_t)(-(units + 1)) + 1 : (uint64_t)units;
    int digits = 0;
    do {
        if (digits == decimals && decimals > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        digits++;
    } while (u > 0 || digits <= decimals);
    if (neg)
        tmp[n++] = '-';
    row_sep(r);
    char out[40];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    row_put(r, out, (size_t)n);
}

static void row_money(struct row *r, int64_t cents) { row_scaled(r, cents, 2); }

static void row_fixed(struct row *r, double v, int decimals)
{
    row_scaled(r, llround(v * pow(10.0, decimals)), decimals);
}

static void fmt_date(int32_t day, char *buf)
{
    int y, m, d;
    cs_civil_from_days(day, &y, &m, &d);
    /* by hand rather than snprintf: three dates per deal, ten million deals */
    buf[0] = (char)('0' + y / 1000 % 10);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

static void row_date(struct row *r, int32_t day)
{
    row_sep(r);
    if (day == NO_DATE)
        return;
    char b[11];
    fmt_date(day, b);
    row_put(r, b, 10);
}

/* prefix + num zero-padded to width (what "%c%0*llu" prints, without the
 * cost of printf on the hot path); buf holds at least width + 22 bytes. */
static void fmt_id(char *buf, char prefix, uint64_t num, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + num % 10);
        num /= 10;
    } while (num);
    size_t o = 0;
    buf[o++] = prefix;
    for (int i = n; i < width; i++)
        buf[o++] = '0';
    while (n)
        buf[o++] = digits[--n];
    buf[o] = '\0';
}

static void row_id(struct row *r, char prefix, uint64_t num, int width)
{
    char b[48];
    fmt_id(b, prefix, num, width);
    row_str(r, b);
}

static void row_end(struct gen *g, enum gfile f)
{
    g->row.buf[g->row.n++] = '\n';
    if (fwrite(g->row.buf, 1, g->row.n, g->f[f]) != g->row.n && !g->write_status)
        g->write_status = cs_error_set(g->err, CS_ERR_OUTPUT, g->path_tmp[f], 0, NULL,
                                       "cannot write: %s", strerror(errno));
}

/* A whole row given verbatim (dirty rows that must not be re-quoted). */
static void raw_line(struct gen *g, enum gfile f, const char *line)
{
    row_begin(&g->row);
    row_put(&g->row, line, strlen(line));
    row_end(g, f);
}

/* Period labels of SPEC section 4. */
static void quarter_label(int qi, char *buf, size_t n)
{
    snprintf(buf, n, "%dQ%d", FIRST_FY + qi / 4, qi % 4 + 1);
}

/* ===================================================================== */
/* Names                                                                 */
/* ===================================================================== */

static void rep_name(size_t k, char *buf, size_t n)
{
    size_t combos = 48 * 48;
    size_t j = (k * 1031) % combos;          /* 1031 is prime to 2304 */
    size_t tier = k / combos;
    const char *f = first_names[j % 48], *l = last_names[j / 48];
    if (tier == 0)
        snprintf(buf, n, "%s %s", f, l);
    else if (tier <= 26)
        snprintf(buf, n, "%s %c. %s", f, (char)('A' + tier - 1), l);
    else
        snprintf(buf, n, "%s %s %zu", f, l, tier);
}

static void account_name(uint32_t k, char *buf, size_t n)
{
    uint32_t combos = 40 * 30 * 8;
    uint32_t j = (uint32_t)(((uint64_t)k * 7919u) % combos);  /* 7919 prime to 9600 */
    uint32_t round_ = k / combos;
    const char *a = acct_a[j % 40], *b = acct_b[(j / 40) % 30], *c = acct_c[j / 1200];
    if (round_ == 0) {
        /* per deal: concatenate by hand */
        const char *parts[4] = {a, " ", b, c};
        size_t o = 0;
        for (int i = 0; i < 4; i++)
            for (const char *q = parts[i]; *q && o + 1 < n; q++)
                buf[o++] = *q;
        buf[o] = '\0';
    } else
        snprintf(buf, n, "%s %s %u%s", a, b, round_ + 1, c);
}

static void rep_id(const struct gen *g, size_t rep_index, char *buf, size_t n)
{
    (void)n;                                 /* callers pass >= 32 bytes */
    fmt_id(buf, 'R', rep_index + 1, g->rep_w);
}

static void feature_id(int i, char *buf, size_t n)
{
    snprintf(buf, n, "FR-%d", FEATURE_BASE + i);
}

/* A free-text ask as a rep would type it: case and spacing vary, so the
 * voice-of-the-field grouping has something to normalise. */
static void ask_variant(gsl_rng *r, const char *s, char *buf, size_t n)
{
    double u = unif(r);
    size_t len = strlen(s), o = 0;
    if (u < 0.60) {
        snprintf(buf, n, "%s", s);
    } else if (u < 0.70 || u >= 0.94) {
        for (size_t i = 0; i < len && o + 2 < n; i++)
            buf[o++] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
        if (u >= 0.94)
            buf[o++] = ' ';
        buf[o] = '\0';
    } else if (u < 0.78) {
        for (size_t i = 0; i < len && o + 1 < n; i++)
            buf[o++] = (char)((s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i]);
        buf[o] = '\0';
    } else if (u < 0.88) {
        bool doubled = false;
        for (size_t i = 0; i < len && o + 2 < n; i++) {
            buf[o++] = s[i];
            if (s[i] == ' ' && !doubled) {
                buf[o++] = ' ';
                doubled = true;
            }
        }
        buf[o] = '\0';
    } else {
        snprintf(buf, n, " %s ", s);
    }
}

/* ===================================================================== */
/* Organisation: reps, teams, plans, quotas                              */
/* ===================================================================== */

static enum cs_status build_org(struct gen *g)
{
    size_t n_seg[N_SEGS];
    double scale = (double)g->n_deals / REF_DEALS;
    size_t n_aes = 0;
    for (int s = 0; s < N_SEGS; s++) {
        double v = round(segs[s].ref_aes * scale);
        n_seg[s] = v < segs[s].min_aes ? (size_t)segs[s].min_aes : (size_t)v;
        n_aes += n_seg[s];
    }
    size_t n_mkt = (size_t)fmax(3.0, round(5.0 * sqrt(scale)));

    /* Teams: Enterprise always splits East/West; others split past TEAM_SIZE. */
    size_t n_team_seg[N_SEGS], n_mkt_teams = (n_mkt + TEAM_SIZE - 1) / TEAM_SIZE;
    size_t n_teams = n_mkt_teams;
    for (int s = 0; s < N_SEGS; s++) {
        n_team_seg[s] = (n_seg[s] + TEAM_SIZE - 1) / TEAM_SIZE;
        if (s == SEG_ENT && n_team_seg[s] < 2)
            n_team_seg[s] = 2;
        n_teams += n_team_seg[s];
    }
    g->n_reps = n_aes + n_mkt + n_teams;     /* one manager per team */
    g->n_aes = n_aes;
    g->n_marketers = n_mkt;
    g->reps = calloc(g->n_reps, sizeof *g->reps);
    g->teams = calloc(n_teams, sizeof *g->teams);
    g->alloc = calloc(n_aes * N_SLOTS, sizeof *g->alloc);
    if (!g->reps || !g->teams || !g->alloc)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory (%zu reps)",
                            g->n_reps);
    g->rep_w = n_digits(g->n_reps + 10);
    if (g->rep_w < 4)
        g->rep_w = 4;

    /* Lay out teams and people in reps.csv order: manager, then members. */
    size_t ri = 0, ti = 0, ae = 0;
    for (int s = 0; s <= N_SEGS; s++) {
        bool mkt = s == N_SEGS;
        size_t members = mkt ? n_mkt : n_seg[s];
        size_t nt = mkt ? n_mkt_teams : n_team_seg[s];
        for (size_t t = 0; t < nt; t++, ti++) {
            struct team *tm = &g->teams[ti];
            tm->kind = mkt ? K_MARKETER : K_AE;
            tm->seg = (uint8_t)(mkt ? 0 : s);
            if (!mkt && s == SEG_ENT) {
                if (nt == 2)
                    snprintf(tm->name, sizeof tm->name, "Enterprise %s",
                             t % 2 ? "West" : "East");
                else
                    snprintf(tm->name, sizeof tm->name, "Enterprise %s %zu",
                             t % 2 ? "West" : "East", t / 2 + 1);
            } else {
                const char *base = mkt ? "Marketing" : segs[s].team;
                if (nt == 1)
                    snprintf(tm->name, sizeof tm->name, "%s", base);
                else
                    snprintf(tm->name, sizeof tm->name, "%s %zu", base, t + 1);
            }
            tm->manager = (uint32_t)ri;
            struct rep *m = &g->reps[ri++];
            m->kind = K_MANAGER;
            m->team = (uint32_t)ti;
            m->manager = UINT32_MAX;
            size_t lo = t * members / nt, hi = (t + 1) * members / nt;
            for (size_t k = lo; k < hi; k++) {
                struct rep *p = &g->reps[ri++];
                p->kind = mkt ? K_MARKETER : K_AE;
                p->seg = (uint8_t)(mkt ? 0 : s);
                p->team = (uint32_t)ti;
                p->manager = tm->manager;
                if (!mkt)
                    p->ae = (uint32_t)ae++;
            }
        }
    }
    g->n_teams = ti;

    /*
     * Rep parameters.  productivity has mean 1; a ramping new hire sells
     * 40% and 70% of normal in the first two quarters, a territory change
     * scales FY2026 by 0.85 or 1.2.  Quotas follow both (quotas.csv rows).
     */
    gsl_rng *r = g->org_rng;
    double total_w = 0;
    for (size_t i = 0; i < g->n_reps; i++) {
        struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        p->productivity = exp(gsl_ran_gaussian(r, PROD_SD) - 0.5 * PROD_SD * PROD_SD);
        for (int q = 0; q < N_QUARTERS; q++)
            p->prod_q[q] = 1.0;
        if (unif(r) < 0.10) {
            p->prod_q[0] = 0.4;
            p->prod_q[1] = 0.7;
        }
        if (unif(r) < 0.08) {
            double f = unif(r) < 0.5 ? 0.85 : 1.2;
            for (int q = 4; q < N_QUARTERS; q++)
                p->prod_q[q] *= f;
        }
        p->risk_u = gsl_ran_gaussian(r, RISK_REP_SD);
        double dq = segs[p->seg].deals_per_q * p->productivity;
        for (int q = 0; q < N_QUARTERS; q++)
            total_w += dq * p->prod_q[q];
        total_w += dq * PIPELINE_WEIGHT;
    }

    /* Plan quotas follow the realised deal volume per rep, so attainment
     * centres near 1 at any --deals. */
    double vol = (double)g->n_deals / total_w;
    for (int p = 0; p < N_PLANS; p++)
        g->plan_quota[p] = round3(plan_defs[p].base_quota * vol);

    /* Deal counts per rep-quarter (+ pipeline): one multinomial, exact total. */
    double *w = malloc(n_aes * N_SLOTS * sizeof *w);
    if (!w)
        return cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < g->n_reps; i++) {
        struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        double dq = segs[p->seg].deals_per_q * p->productivity;
        for (int q = 0; q < N_QUARTERS; q++)
            w[p->ae * N_SLOTS + (size_t)q] = dq * p->prod_q[q];
        w[p->ae * N_SLOTS + N_QUARTERS] = dq * PIPELINE_WEIGHT;
        const struct plan_def *pd = &plan_defs[segs[p->seg].plan];
        double pq = g->plan_quota[segs[p->seg].plan];
        int units = pd->annual ? N_QUARTERS / 4 : N_QUARTERS;
        for (int u = 0; u < units; u++) {
            double f = 0;
            if (pd->annual) {
                for (int q = 4 * u; q < 4 * u + 4; q++)
                    f += p->prod_q[q] / 4.0;
            } else {
                f = p->prod_q[u];
            }
            p->override_q[u] = fabs(f - 1.0) > 1e-9;
            p->quota[u] = p->override_q[u] ? round3(pq * f) : pq;
        }
    }
    gsl_ran_multinomial(r, n_aes * N_SLOTS, (unsigned)g->n_deals, w, g->alloc);
    free(w);
    return CS_OK;
}

static void write_reps(struct gen *g)
{
    char id[32], name[96], mgr[96], bad[160];
    bool dirty_done = false;
    for (size_t i = 0; i < g->n_reps; i++) {
        const struct rep *p = &g->reps[i];
        const struct team *tm = &g->teams[p->team];
        /* Dirty: a rep on a plan that does not exist, after the first team. */
        if (g->opt->dirty && !dirty_done && i > 0 && p->kind == K_MANAGER) {
            rep_id(g, g->n_reps + 1, id, sizeof id);
            snprintf(bad, sizeof bad, "%s,Jordan Ellis,%s,AE,ENT-Q-2019,", id, g->teams[0].name);
            raw_line(g, F_REPS, bad);
            dirty_done = true;
        }
        row_begin(&g->row);
        rep_id(g, i, id, sizeof id);
        row_str(&g->row, id);
        rep_name(i, name, sizeof name);
        row_str(&g->row, name);
        row_str(&g->row, tm->name);
        if (p->kind == K_AE) {
            row_str(&g->row, "AE");
            row_str(&g->row, plan_defs[segs[p->seg].plan].id);
        } else if (p->kind == K_MANAGER) {
            row_str(&g->row, tm->kind == K_MARKETER ? "Marketing Manager" : "Sales Manager");
            row_blank(&g->row);
        } else {
            row_str(&g->row, "Marketing");
            row_blank(&g->row);
        }
        if (p->manager != UINT32_MAX) {
            rep_name(p->manager, mgr, sizeof mgr);
            row_str(&g->row, mgr);
        } else {
            row_blank(&g->row);
        }
        row_end(g, F_REPS);
    }
}

static void write_plans(struct gen *g)
{
    for (int p = 0; p < N_PLANS; p++) {
        const struct plan_def *pd = &plan_defs[p];
        for (int t = 0; t < pd->n_tiers; t++) {
            row_begin(&g->row);
            row_str(&g->row, pd->id);
            row_str(&g->row, pd->annual ? "year" : "quarter");
            row_money(&g->row, llround(g->plan_quota[p] * 100.0));
            row_fixed(&g->row, pd->floor[t], 2);
            row_fixed(&g->row, pd->rate[t], 4);
            row_end(g, F_PLANS);
        }
    }
}

static void write_quotas(struct gen *g)
{
    char id[32], label[16], bad[96];
    bool dirty_done = false;
    for (size_t i = 0; i < g->n_reps; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        bool annual = plan_defs[segs[p->seg].plan].annual;
        int units = annual ? N_QUARTERS / 4 : N_QUARTERS;
        rep_id(g, i, id, sizeof id);
        for (int u = 0; u < units; u++) {
            if (!p->override_q[u])
                continue;
            if (annual)
                snprintf(label, sizeof label, "%d", FIRST_FY + u);
            else
                quarter_label(u, label, sizeof label);
            row_begin(&g->row);
            row_str(&g->row, id);
            row_str(&g->row, label);
            row_money(&g->row, llround(p->quota[u] * 100.0));
            row_end(g, F_QUOTAS);
        }
        /* Dirty: a negative quota, for a period the rep has no row for. */
        if (g->opt->dirty && !dirty_done && !p->override_q[units - 1]) {
            if (annual)
                snprintf(label, sizeof label, "%d", FIRST_FY + units - 1);
            else
                quarter_label(units - 1, label, sizeof label);
            snprintf(bad, sizeof bad, "%s,%s,-5000.00", id, label);
            raw_line(g, F_QUOTAS, bad);
            dirty_done = true;
        }
    }
}

static void write_spiffs(struct gen *g)
{
    for (int s = 0; s < N_SPIFFS; s++) {
        row_begin(&g->row);
        row_str(&g->row, spiff_defs[s].id);
        row_str(&g->row, products[spiff_defs[s].product].name);
        row_date(&g->row, g->spiff_start[s]);
        row_date(&g->row, g->spiff_end[s]);
        row_money(&g->row, llround(spiff_defs[s].amount * 100.0));
        row_end(g, F_SPIFFS);
    }
}

static int32_t feature_date(const struct gen *g, int off)
{
    return off == NO_DATE ? NO_DATE : g->window_start + off;
}

static void write_roadmap(struct gen *g)
{
    char id[16];
    for (int i = 0; i < N_FEATURES; i++) {
        row_begin(&g->row);
        feature_id(i, id, sizeof id);
        row_str(&g->row, id);
        row_str(&g->row, features[i].title);
        row_str(&g->row, rm_status_name[features[i].status]);
        row_date(&g->row, feature_date(g, features[i].target));
        row_date(&g->row, feature_date(g, features[i].shipped));
        row_end(g, F_ROADMAP);
    }
}

/* ===================================================================== */
/* Sales: natural deals, pull-ins, incentive measures, promises          */
/* ===================================================================== */

static struct gdeal *dbuf_push(struct gen *g, struct dbuf *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct gdeal *d = realloc(b->d, cap * sizeof *d);
        if (!d) {
            if (!g->write_status)
                g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL,
                                               "out of memory");
            return NULL;
        }
        b->d = d;
        b->cap = cap;
    }
    struct gdeal *d = &b->d[b->n++];
    memset(d, 0, sizeof *d);
    return d;
}

static int cmp_created(const void *a, const void *b)
{
    const struct gdeal *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_num(const void *a, const void *b)
{
    const struct gdeal *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num;
}

/* SPEC 5 order: close_date, then deal_id byte order.  Ids have a fixed
 * width and prefix, so byte order is numeric order. */
static int cmp_close_idx(const void *a, const void *b, void *base)
{
    const struct gdeal *x = &((const struct gdeal *)base)[*(const uint32_t *)a];
    const struct gdeal *y = &((const struct gdeal *)base)[*(const uint32_t *)b];
    if (x->close != y->close)
        return x->close < y->close ? -1 : 1;
    return x->num < y->num ? -1 : x->num > y->num;
}

struct unit {
    int q_first, q_last;             /* quarters covered */
    bool pipeline;
    int32_t start, end;              /* plan period (or pipeline quarter) */
    double quota;
    char label[16];
};

static struct unit unit_of(const struct gen *g, const struct rep *p, int u)
{
    struct unit un;
    memset(&un, 0, sizeof un);
    bool annual = plan_defs[segs[p->seg].plan].annual;
    int units = annual ? N_QUARTERS / 4 : N_QUARTERS;
    if (u >= units) {
        un.pipeline = true;
        un.q_first = un.q_last = N_QUARTERS;
        un.start = g->qstart[N_QUARTERS];
        un.end = g->qstart[N_QUARTERS + 1] - 1;
        return un;
    }
    un.q_first = annual ? 4 * u : u;
    un.q_last = annual ? 4 * u + 3 : u;
    un.start = g->qstart[un.q_first];
    un.end = g->qstart[un.q_last + 1] - 1;
    un.quota = p->quota[u];
    if (annual)
        snprintf(un.label, sizeof un.label, "%d", FIRST_FY + u);
    else
        quarter_label(u, un.label, sizeof un.label);
    return un;
}

static int pick_product(struct gen *g, int32_t close)
{
    double w[N_PRODUCTS];
    for (int i = 0; i < N_PRODUCTS; i++)
        w[i] = products[i].weight;
    /* Reps push the spiffed product while the spiff runs. */
    if (g->effects)
        for (int s = 0; s < N_SPIFFS; s++)
            if (close >= g->spiff_start[s] && close <= g->spiff_end[s])
                w[spiff_defs[s].product] *= SPIFF_PRODUCT_BOOST;
    double cdf[N_PRODUCTS], acc = 0;
    for (int i = 0; i < N_PRODUCTS; i++)
        cdf[i] = acc += w[i];
    return (int)pick_cdf(g->sales_rng, cdf, N_PRODUCTS);
}

/* The deals of one unit as they would close with no pull-in. */
static void natural_deals(struct gen *g, const struct rep *p, const struct unit *un,
                          struct dbuf *b)
{
    gsl_rng *r = g->sales_rng;
    const struct segment *sg = &segs[p->seg];
    b->n = 0;
    uint32_t seq = 0;
    for (int q = un->q_first; q <= un->q_last; q++) {
        unsigned count = g->alloc[p->ae * N_SLOTS + (size_t)q];
        int32_t qs = g->qstart[q], qlen = g->qstart[q + 1] - qs;
        for (unsigned k = 0; k < count; k++) {
            struct gdeal *d = dbuf_push(g, b);
            if (!d)
                return;
            d->seq = seq++;
            double u = unif(r);
            if (g->n_cust == 0 || u < 0.55) {
                d->type = 0;
                /* A prospect: an account of the territory that is not a
                 * customer yet (a few tries; re-pitching one is realistic). */
                uint32_t a = (uint32_t)unif_int(r, (int32_t)sg->territory);
                for (int t = 0; t < 4 && g->is_cust[a]; t++)
                    a = (uint32_t)unif_int(r, (int32_t)sg->territory);
                d->account = a;
            } else {
                d->type = u < 0.80 ? 1 : 2;
                d->account = g->cust[unif_int(r, (int32_t)g->n_cust)];
            }
            d->close = qs + unif_int(r, qlen);
            double cycle = gsl_ran_lognormal(r, log(sg->cycle_median), sg->cycle_sigma);
            /* created strictly before close: at least a day of sales cycle */
            d->created = d->close - (int32_t)fmax(1.0, fmin(cycle, 720.0));
            d->product = (uint8_t)pick_product(g, d->close);
            double amt = gsl_ran_lognormal(r, log(sg->amt_median), sg->amt_sigma) *
                         type_mult[d->type];
            if (amt < 500.0)
                amt = 500.0;
            /* Mostly whole dollars, as quotes are written; some with cents. */
            d->cents = unif(r) < 0.8 ? llround(amt) * 100 : llround(amt * 100.0);
            d->disc10 = -1;
            if (un->pipeline) {
                d->stage = ST_OPEN;
                if (d->created >= g->export_day)
                    d->created = g->export_day - 1 - unif_int(r, 30);
                if (unif(r) < 0.15)
                    d->close = NO_DATE;
                if (unif(r) < 0.10)
                    d->cents = -1;
                continue;
            }
            double s = unif(r);
            if (s < sg->p_win) {
                d->stage = ST_WON;
                /* Effect 1: slipped to the end of the plan period. */
                if (g->effects && unif(r) < EOQ_SHARE) {
                    int32_t c = un->end - unif_int(r, EOQ_DAYS);
                    if (c > d->close)
                        d->close = c;
                }
            } else if (s < sg->p_win + 0.025) {
                d->stage = ST_OPEN;          /* stale: never closed out */
                if (unif(r) < 0.5)
                    d->close = NO_DATE;
            } else {
                d->stage = ST_LOST;
                double z = unif(r);
                if (z < 0.15)
                    d->cents = -1;
                else if (z < 0.30)
                    d->cents = 0;
            }
        }
    }
    /* Deal numbers follow creation, as a CRM assigns them. */
    qsort(b->d, b->n, sizeof *b->d, cmp_created);
    for (size_t i = 0; i < b->n; i++)
        b->d[i].num = ++g->next_deal;
}

/*
 * Effect 2.  A rep who ends the period just short of the 1.0 floor pulls in
 * the smallest deal of the next unit (or of the open pipeline) that gets
 * them over it, and closes it in the last PULL_DAYS days.  The deal moves,
 * so the next period loses it: excess mass above 1.0, missing mass below.
 */
static void pull_in(struct gen *g, const struct unit *un, struct dbuf *cur,
                    const struct unit *next, struct dbuf *nxt)
{
    if (!g->effects || un->pipeline)
        return;
    int64_t won = 0;
    for (size_t i = 0; i < cur->n; i++)
        if (cur->d[i].stage == ST_WON)
            won += cur->d[i].cents;
    double a = (double)won / 100.0 / un->quota;
    if (a < PULL_LO || a >= PULL_FLOOR)
        return;
    double p = a >= PULL_MID ? PULL_P_NEAR : PULL_P_FAR;
    if (unif(g->sales_rng) >= p)
        return;
    /* One cent of margin so that the floating-point attainment is >= 1. */
    int64_t need = (int64_t)ceil((PULL_FLOOR * un->quota - (double)won / 100.0) * 100.0) + 1;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < nxt->n; i++) {
        const struct gdeal *d = &nxt->d[i];
        /* Next period's wins, or, after the last period, the open pipeline. */
        bool candidate = (next->pipeline ? d->stage == ST_OPEN && d->close != NO_DATE
                                         : d->stage == ST_WON) &&
                         d->cents >= need && d->created < un->end - PULL_DAYS;
        if (candidate && (best == SIZE_MAX || d->cents < nxt->d[best].cents))
            best = i;
    }
    if (best == SIZE_MAX)
        return;
    struct gdeal moved = nxt->d[best];
    nxt->d[best] = nxt->d[--nxt->n];
    moved.stage = ST_WON;
    moved.pulled = true;
    moved.close = un->end - unif_int(g->sales_rng, PULL_DAYS);
    struct gdeal *d = dbuf_push(g, cur);
    if (d)
        *d = moved;
}

/* Commission of SPEC 5: Q x sum_k rate_k x |[a0, a1] n tier_k|. */
static double tier_commission(const struct plan_def *pd, double q, double a0, double a1)
{
    double c = 0;
    for (int k = 0; k < pd->n_tiers; k++) {
        double lo = pd->floor[k], hi = k + 1 < pd->n_tiers ? pd->floor[k + 1] : INFINITY;
        double l = fmax(a0, lo), h = fmin(a1, hi);
        if (h > l)
            c += pd->rate[k] * (h - l);
    }
    return q * c;
}

static int pick_feature(gsl_rng *r, int status_a, int status_b)
{
    int idx[N_FEATURES], n = 0;
    for (int i = 0; i < N_FEATURES; i++)
        if (features[i].status == status_a || features[i].status == status_b)
            idx[n++] = i;
    return idx[unif_int(r, n)];
}

struct promise_ctx {
    const struct gdeal *deal;
    char deal_id[48];
};

static void write_promise(struct gen *g, const struct promise_ctx *pc, const char *feature,
                          int32_t due, const char *text)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t end = d->close != NO_DATE ? d->close : g->export_day - 1;
    int32_t promised = d->created + unif_int(r, end - d->created + 1);
    /* Dirty: the first promise with a roadmap item gets a multi-line text
     * with a comma (valid), followed by a promise for a deal that does not
     * exist (rejected). */
    bool multiline = g->opt->dirty && !g->dirty_multiline_done && feature[0];
    row_begin(&g->row);
    row_id(&g->row, 'P', ++g->next_promise, g->prom_w);
    row_str(&g->row, pc->deal_id);
    row_str(&g->row, feature);
    row_date(&g->row, promised);
    row_date(&g->row, due);
    row_str(&g->row, multiline ? "Customer asked for:\nSSO, SCIM and audit logs" : text);
    row_end(g, F_PROMISES);
    if (multiline) {
        g->dirty_multiline_done = true;
        char bad[160], pid[48], date[11];
        /* An id beyond any generated one, so that the valid rows keep
         * the ids they have without --dirty. */
        snprintf(pid, sizeof pid, "P%0*llu", g->prom_w, (unsigned long long)(3 * g->n_deals + 99));
        fmt_date(promised, date);
        snprintf(bad, sizeof bad, "%s,D%0*llu,FR-101,%s,,Promised on a deal missing from deals.csv",
                 pid, g->deal_w, (unsigned long long)(g->n_deals + 50), date);
        raw_line(g, F_PROMISES, bad);
    }
}

/* One off-roadmap or premature promise (SPEC 6). */
static void risky_promise(struct gen *g, const struct promise_ctx *pc)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t base = d->close != NO_DATE ? d->close : g->export_day;
    char fid[16], text[160];
    double u = unif(r);
    int32_t due = unif(r) < 0.25 ? NO_DATE : base + 30 + unif_int(r, 271);

    if (u >= 0.66) {
        /* Premature: a planned/committed item promised before its target. */
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++) {
            int32_t t = feature_date(g, features[i].target);
            if ((features[i].status == RM_PLANNED || features[i].status == RM_COMMITTED) &&
                t != NO_DATE && t > base + 21)
                idx[n++] = i;
        }
        if (n > 0) {
            int f = idx[unif_int(r, n)];
            int32_t t = feature_date(g, features[f].target);
            int32_t pdue = base + 14 + unif_int(r, t - 1 - (base + 14) + 1);
            feature_id(f, fid, sizeof fid);
            write_promise(g, pc, fid, pdue, unif(r) < 0.5 ? features[f].title : "");
            return;
        }
        u = 0.0;                     /* nothing left to be early for */
    }
    if (u < 0.30) {
        int f = pick_feature(r, RM_EXPLORING, RM_NOT_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_promise(g, pc, fid, due, unif(r) < 0.6 ? features[f].title : "");
    } else if (u < 0.60) {
        size_t a = pick_cdf(r, g->ask_cdf, N_ASKS);
        ask_variant(r, asks[a], text, sizeof text);
        write_promise(g, pc, "", due, text);
    } else {
        const char *uf = unknown_features[unif_int(r, (int32_t)N_UNKNOWN_FEATURES)];
        size_t a = pick_cdf(r, g->ask_cdf, N_ASKS);
        write_promise(g, pc, uf, due, asks[a]);
    }
}

/* One on-roadmap promise: shipped, or planned/committed no earlier than its
 * target (or with no target to be early for). */
static void safe_promise(struct gen *g, const struct promise_ctx *pc)
{
    gsl_rng *r = g->sales_rng;
    const struct gdeal *d = pc->deal;
    int32_t base = d->close != NO_DATE ? d->close : g->export_day;
    char fid[16];
    int f;
    int32_t due;
    if (unif(r) < 0.6) {
        f = pick_feature(r, RM_SHIPPED, RM_SHIPPED);
        due = unif(r) < 0.5 ? NO_DATE : base + unif_int(r, 46);
    } else {
        f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        int32_t t = feature_date(g, features[f].target);
        if (t == NO_DATE)
            due = base + 30 + unif_int(r, 171);
        else
            due = unif(r) < 0.4 ? NO_DATE : (t > base ? t : base) + unif_int(r, 121);
    }
    feature_id(f, fid, sizeof fid);
    write_promise(g, pc, fid, due, unif(r) < 0.5 ? features[f].title : "");
}

static void deal_promises(struct gen *g, const struct gdeal *d, bool risky, const char *deal_id)
{
    gsl_rng *r = g->sales_rng;
    struct promise_ctx pc = {.deal = d};
    snprintf(pc.deal_id, sizeof pc.deal_id, "%s", deal_id);
    int n_risky = 0, n_safe = 0;
    if (risky) {
        /* one draw per statement: the order of two calls in one
         * expression is up to the compiler, and gcc and clang differ */
        n_risky = 1 + (unif(r) < 0.25);
        n_risky += unif(r) < 0.06;
        n_safe = unif(r) < 0.25;
    } else if (unif(r) < 0.35) {
        n_safe = unif(r) < 0.3 ? 2 : 1;
    }
    for (int i = 0; i < n_risky; i++)
        risky_promise(g, &pc);
    for (int i = 0; i < n_safe; i++)
        safe_promise(g, &pc);
}

static double draw_discount(struct gen *g, const struct gdeal *d, bool l14)
{
    double mu = DISC_B0;
    if (g->effects) {
        double amt = d->cents > 0 ? (double)d->cents / 100.0 : 10000.0;
        mu += DISC_B_LOGAMT * log(amt / 10000.0) + DISC_B_L14 * (l14 ? 1 : 0) +
              (d->type == 2 ? DISC_B_RENEWAL : 0.0);
    }
    double v = mu + gsl_ran_gaussian(g->sales_rng, DISC_SD);
    return v < 0 ? 0 : v > 60 ? 60 : v;
}

/* Currency-formatted amount "$12,345.67" (valid per SPEC 2). */
static void fmt_currency(int64_t cents, char *buf, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)(cents / 100));
    size_t o = 0;
    buf[o++] = '$';
    for (int i = 0; i < len && o + 8 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    snprintf(buf + o, n - o, ".%02lld", (long long)(cents % 100));
}

/* Settle a unit: measures, discounts, promises, commissions, rows. */
static void finalize_unit(struct gen *g, size_t rep_index, const struct rep *p,
                          const struct unit *un, struct dbuf *b)
{
    gsl_rng *r = g->sales_rng;
    const struct plan_def *pd = &plan_defs[segs[p->seg].plan];
    char rid[32], did[48], acct[96];
    rep_id(g, rep_index, rid, sizeof rid);

    qsort(b->d, b->n, sizeof *b->d, cmp_num);
    size_t nw = 0;
    if (b->n > g->won_cap) {
        uint32_t *w = realloc(g->won_idx, b->n * sizeof *w);
        if (w)
            g->won_idx = w;
        uint8_t *rk = realloc(g->risky, b->n);
        if (rk)
            g->risky = rk;
        if (!w || !rk) {
            g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            return;
        }
        g->won_cap = b->n;
    }
    uint8_t *risky = g->risky;
    if (b->n)
        memset(risky, 0, b->n);
    for (size_t i = 0; i < b->n; i++)
        if (b->d[i].stage == ST_WON)
            g->won_idx[nw++] = (uint32_t)i;
    qsort_r(g->won_idx, nw, sizeof *g->won_idx, cmp_close_idx, b->d);

    /* Won deals in SPEC 5 order: measures, risk, commission lines. */
    double cum = 0;
    for (size_t k = 0; k < nw; k++) {
        struct gdeal *d = &b->d[g->won_idx[k]];
        double amount = (double)d->cents / 100.0;
        double a0 = cum / un->quota, a1 = a0 + amount / un->quota;
        cum += amount;
        double mr = pd->rate[0];
        bool tc = false;
        for (int t = 0; t < pd->n_tiers; t++) {
            if (pd->floor[t] <= a0)
                mr = pd->rate[t];
            if (pd->floor[t] > 0 && a0 < pd->floor[t] && pd->floor[t] <= a1)
                tc = true;
        }
        bool l14 = un->end - d->close < EOQ_DAYS;
        bool spiff = false;
        for (int s = 0; s < N_SPIFFS; s++)
            if (d->product == spiff_defs[s].product && d->close >= g->spiff_start[s] &&
                d->close <= g->spiff_end[s])
                spiff = true;
        double disc = draw_discount(g, d, l14);
        d->disc10 = unif(r) < 0.03 ? -1 : (int32_t)llround(disc * 10.0);

        double lp = g->effects
            ? RISK_B0 + RISK_B_RATE * mr + RISK_B_CROSS * tc + RISK_B_L14 * l14 +
              RISK_B_LOGAMT * log(amount / 10000.0) + RISK_B_SPIFF * spiff + p->risk_u
            : logit(RISK_NULL_P);
        risky[g->won_idx[k]] = unif(r) < logistic(lp);

        /* Commission statement line, ~1% manually adjusted. */
        int64_t paid = llround(tier_commission(pd, un->quota, a0, a1) * 100.0);
        if (unif(r) < ADJUST_SHARE) {
            if (paid < 100)
                paid += 5000 + unif_int(r, 20001);
            else if (unif(r) < 0.5)
                paid = llround((double)paid * (1.05 + 0.25 * unif(r)));
            else
                paid = llround((double)paid * (0.70 + 0.25 * unif(r)));
        }
        row_begin(&g->row);
        row_str(&g->row, rid);
        row_id(&g->row, 'D', d->num, g->deal_w);
        row_str(&g->row, un->label);
        row_money(&g->row, paid);
        row_end(g, F_COMMISSIONS);
    }

    /* Lost and open deals: discounts and promises at constant rates. */
    for (size_t i = 0; i < b->n; i++) {
        struct gdeal *d = &b->d[i];
        if (d->stage == ST_WON)
            continue;
        double disc = draw_discount(g, d, false);
        double blank = d->stage == ST_LOST ? 0.4 : 0.7;
        d->disc10 = unif(r) < blank ? -1 : (int32_t)llround(disc * 10.0);
        risky[i] = unif(r) < (d->stage == ST_LOST ? RISK_LOST_P : RISK_OPEN_P);
    }

    /* Promises, then the deal rows, both in deal-number order. */
    bool any_promise = false;
    for (size_t i = 0; i < b->n; i++) {
        struct gdeal *d = &b->d[i];
        fmt_id(did, 'D', d->num, g->deal_w);
        uint64_t before = g->next_promise;
        deal_promises(g, d, risky[i], did);
        any_promise = g->next_promise != before;

        row_begin(&g->row);
        row_str(&g->row, did);
        row_str(&g->row, rid);
        account_name(g->acct_base + d->account, acct, sizeof acct);
        row_str(&g->row, acct);
        row_str(&g->row, type_name[d->type]);
        row_str(&g->row, products[d->product].name);
        if (d->cents < 0) {
            row_blank(&g->row);
        } else if (g->opt->dirty && !g->dirty_currency_done && d->stage == ST_WON &&
                   d->cents >= 100000) {
            char money[48];
            fmt_currency(d->cents, money, sizeof money);
            row_str(&g->row, money);
            g->dirty_currency_done = true;
        } else {
            row_money(&g->row, d->cents);
        }
        if (d->disc10 < 0)
            row_blank(&g->row);
        else
            row_scaled(&g->row, d->disc10, 1);
        row_date(&g->row, d->created);
        row_date(&g->row, d->close);
        row_str(&g->row, stage_name[d->stage]);
        row_end(g, F_DEALS);

        if (g->opt->dirty && !g->dirty_dup_found && d->stage == ST_LOST && !any_promise) {
            snprintf(g->dirty_dup_id, sizeof g->dirty_dup_id, "%s", did);
            g->dirty_dup_found = true;
        }
        /* Customers are made by won new deals (in time order, near enough). */
        if (d->stage == ST_WON && d->type == 0 && !g->is_cust[d->account]) {
            g->is_cust[d->account] = 1;
            g->cust[g->n_cust++] = d->account;
        }
    }
}

/* Dirty deal rows, written once after the rep that owns the duplicated id. */
static void dirty_deals(struct gen *g, size_t rep_index)
{
    char rid[32], line[256], id[48];
    rep_id(g, rep_index, rid, sizeof rid);
    uint64_t n = g->n_deals;
    int w = g->deal_w;
#define DIRTY(fmt, ...) do { snprintf(line, sizeof line, fmt, __VA_ARGS__); \
        raw_line(g, F_DEALS, line); } while (0)
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 1));
    DIRTY("%s,%s,Summit Foods,new,Analytics,12abc,5.0,2025-03-01,2025-03-20,won", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 2));
    DIRTY("%s,%s,Summit Foods,new,Analytics,8200.00,5.0,2026-01-15,2026-02-30,won", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 3));
    DIRTY("%s,%s,Summit Foods,new,Analytics,8200.00,5.0,2025-04-01,2025-05-02,pending", id, rid);
    DIRTY("%s,%s,Cedar Labs,new,Connectors,9100.00,4.0,2025-02-01,2025-03-03,lost",
          g->dirty_dup_id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 4));
    DIRTY("%s,%s,Orion Dental,new,Mobile,4300.00,-5,2025-05-01,2025-06-10,lost", id, rid);
    snprintf(id, sizeof id, "D%0*llu", w, (unsigned long long)(n + 5));
    DIRTY("%s,%s,Caf\xe9 Royal,new,Core Platform,7700.00,3.0,2025-06-01,2025-07-15,lost", id, rid);
#undef DIRTY
    g->dirty_deals_done = true;
}

static void simulate_sales(struct gen *g)
{
    uint32_t max_terr = 0;
    for (int s = 0; s < N_SEGS; s++)
        if (segs[s].territory > max_terr)
            max_terr = segs[s].territory;
    g->is_cust = calloc(max_terr, 1);
    g->cust = calloc(max_terr, sizeof *g->cust);
    if (!g->is_cust || !g->cust) {
        g->write_status = cs_error_set(g->err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        return;
    }
    g->acct_base = 0;
    for (size_t i = 0; i < g->n_reps && !g->write_status; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_AE)
            continue;
        const struct segment *sg = &segs[p->seg];
        memset(g->is_cust, 0, max_terr);
        g->n_cust = 0;
        int units = plan_defs[sg->plan].annual ? N_QUARTERS / 4 : N_QUARTERS;
        struct unit un = unit_of(g, p, 0);
        natural_deals(g, p, &un, &g->cur);
        for (int u = 0; u < units && !g->write_status; u++) {
            struct unit next = unit_of(g, p, u + 1);
            natural_deals(g, p, &next, &g->nxt);
            pull_in(g, &un, &g->cur, &next, &g->nxt);
            finalize_unit(g, i, p, &un, &g->cur);
            struct dbuf t = g->cur;
            g->cur = g->nxt;
            g->nxt = t;
            un = next;
        }
        finalize_unit(g, i, p, &un, &g->cur);    /* the open pipeline */
        g->acct_base += sg->territory;
        if (g->opt->dirty && g->dirty_dup_found && !g->dirty_deals_done)
            dirty_deals(g, i);
    }
}

/* ===================================================================== */
/* Marketing: targets, collateral, claims                                */
/* ===================================================================== */

static void write_claim(struct gen *g, const char *asset, const char *feature, bool available,
                        const char *what)
{
    char text[200];
    snprintf(text, sizeof text, "%s %s", what, available ? "is available today" : "is coming soon");
    row_begin(&g->row);
    row_str(&g->row, asset);
    row_str(&g->row, feature);
    row_str(&g->row, available ? "available" : "coming_soon");
    row_str(&g->row, text);
    row_end(g, F_CLAIMS);
}

/* A claim that SPEC 6 calls accurate for an asset published on day pub. */
static void accurate_claim(struct gen *g, const char *asset, int32_t pub)
{
    gsl_rng *r = g->mkt_rng;
    char fid[16];
    if (unif(r) < 0.65) {
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++)
            if (features[i].status == RM_SHIPPED && feature_date(g, features[i].shipped) <= pub)
                idx[n++] = i;
        int f = idx[unif_int(r, n)];                 /* 7 shipped before the window */
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, true, features[f].title);
    } else {
        int f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, false, features[f].title);
    }
}

static void misstated_claim(struct gen *g, const char *asset, int32_t pub)
{
    gsl_rng *r = g->mkt_rng;
    char fid[16];
    double u = unif(r);
    if (u >= 0.40 && u < 0.60) {
        /* "available" before the ship date. */
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++)
            if (features[i].status == RM_SHIPPED && feature_date(g, features[i].shipped) > pub)
                idx[n++] = i;
        if (n > 0) {
            int f = idx[unif_int(r, n)];
            feature_id(f, fid, sizeof fid);
            write_claim(g, asset, fid, true, features[f].title);
            return;
        }
        u = 0.0;
    }
    if (u < 0.40) {
        int f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, true, features[f].title);
    } else if (u < 0.85) {
        int f = pick_feature(r, RM_EXPLORING, RM_NOT_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, false, features[f].title);
    } else {
        /* the ask first, then whether it is claimed available: gcc's order
         * of the two draws when they were arguments of one call */
        const char *ask = asks[pick_cdf(r, g->ask_cdf, N_ASKS)];
        write_claim(g, asset, "", unif(r) < 0.7, ask);
    }
}

static void simulate_marketing(struct gen *g)
{
    gsl_rng *r = g->mkt_rng;
    char rid[32], label[16], aid[32], title[200], campaign[64], acct[96], bad[128];
    bool dirty_target = false, dirty_claim = false;
    for (size_t i = 0; i < g->n_reps && !g->write_status; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_MARKETER)
            continue;
        rep_id(g, i, rid, sizeof rid);
        double base = round3(150000.0 + 250000.0 * unif(r));
        double mu_gap = 0.05 + gsl_ran_gaussian(r, 0.08);
        for (int q = 0; q < N_QUARTERS; q++) {
            quarter_label(q, label, sizeof label);
            double gap = mu_gap + gsl_ran_gaussian(r, 0.18);
            gap = gap < -0.4 ? -0.4 : gap > 0.85 ? 0.85 : gap;
            double target = round3(base * (1.0 + 0.02 * q));
            double actual = round(target * (1.0 - gap));
            bool has_target = unif(r) >= 0.04;
            if (has_target) {
                gap = 1.0 - actual / target;         /* as the analysis will see it */
                row_begin(&g->row);
                row_str(&g->row, rid);
                row_str(&g->row, label);
                row_money(&g->row, llround(target * 100.0));
                row_money(&g->row, llround(actual * 100.0));
                row_end(g, F_TARGETS);
            } else {
                gap = mu_gap;                        /* no row: the person's usual gap */
            }
            if (g->opt->dirty && !dirty_target && q == N_QUARTERS - 1) {
                snprintf(bad, sizeof bad, "%s,%dQ4,0,12000", rid, FIRST_FY - 1);
                raw_line(g, F_TARGETS, bad);
                dirty_target = true;
            }

            int32_t qs = g->qstart[q], qe = g->qstart[q + 1] - 1;
            unsigned n_assets = gsl_ran_poisson(r, ASSETS_PER_Q);
            for (unsigned k = 0; k < n_assets; k++) {
                int32_t pub = qs + unif_int(r, qe - qs + 1);
                bool l14 = qe - pub < EOQ_DAYS;
                double pm = g->effects ? logistic(MIS_B0 + MIS_B_GAP * gap + MIS_B_L14 * l14)
                                       : MIS_NULL_P;
                bool mis = unif(r) < pm;
                fmt_id(aid, 'A', ++g->next_asset, g->asset_w);
                if (unif(r) < 0.15) {
                    account_name((uint32_t)unif_int(r, 9600), acct, sizeof acct);
                    snprintf(title, sizeof title, "Customer story: %s", acct);
                } else {
                    int t = unif_int(r, (int32_t)N_ASSET_TEMPLATES);
                    snprintf(title, sizeof title, "%s%s%s", asset_templates[t][0],
                             products[unif_int(r, N_PRODUCTS)].name, asset_templates[t][1]);
                }
                snprintf(campaign, sizeof campaign, "%s %s", label,
                         campaign_themes[unif_int(r, (int32_t)N_THEMES)]);
                row_begin(&g->row);
                row_str(&g->row, aid);
                row_str(&g->row, title);
                row_str(&g->row, rid);
                row_str(&g->row, campaign);
                row_date(&g->row, pub);
                row_end(g, F_COLLATERAL);

                /* 1-3 claims; a misstated asset has exactly one bad claim. */
                int n_claims = 1 + (int)gsl_ran_binomial(r, 0.5, 2);
                int mis_at = mis ? unif_int(r, n_claims) : -1;
                for (int c = 0; c < n_claims; c++) {
                    if (c == mis_at)
                        misstated_claim(g, aid, pub);
                    else
                        accurate_claim(g, aid, pub);
                }
                if (g->opt->dirty && !dirty_claim) {
                    snprintf(bad, sizeof bad, "%s,FR-101,maybe,SSO is sort of available", aid);
                    raw_line(g, F_CLAIMS, bad);
                    dirty_claim = true;
                }
            }
        }
    }
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
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
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

static enum cs_status open_files(struct gen *g)
{
    const char *dir = g->opt->out_dir;
    for (int f = 0; f < F_COUNT; f++) {
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
        raw_line(g, (enum gfile)f, gfiles[f].header);
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
}

/* ===================================================================== */
/* Entry point                                                           */
/* ===================================================================== */

enum cs_status cs_generate(const struct cs_gen_options *opt, struct cs_error *err)
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
    uint64_t n = opt->n_deals ? opt->n_deals : DEFAULT_DEALS;
    if (n < MIN_DEALS || n > MAX_DEALS)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, "--deals",
                            "must be between %d and %llu, not %llu", MIN_DEALS,
                            (unsigned long long)MAX_DEALS, (unsigned long long)n);

    struct gen *g = calloc(1, sizeof *g);
    if (!g)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    g->opt = opt;
    g->err = err;
    g->effects = !opt->null_effects;
    g->fs = opt->fiscal_start ? opt->fiscal_start : 1;
    g->n_deals = n;
    g->deal_w = n_digits(n + 100) < 6 ? 6 : n_digits(n + 100);
    g->prom_w = n_digits(3 * n + 100) < 6 ? 6 : n_digits(3 * n + 100);

    enum cs_status st = check_out_dir(opt->out_dir, err);
    if (st != CS_OK)
        goto out;

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

    if ((st = build_org(g)) != CS_OK)
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
    simulate_sales(g);
    if (!g->write_status)
        simulate_marketing(g);
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
