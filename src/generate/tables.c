/* tables.c - the generator's static tables: plans, segments, products, spiffs, roadmap, words. */
#include "gen.h"

/* Plans as plans.csv lists them (the quota is scaled to the deal volume). */
const struct plan_def plan_defs[N_PLANS] = {
    {"ENT-Y", true, 900000.0, 3, {0.0, 1.0, 1.3}, {0.06, 0.10, 0.12}},
    {"MM-Q", false, 145000.0, 3, {0.0, 1.0, 1.5}, {0.08, 0.12, 0.15}},
    {"SMB-Q", false, 75000.0, 3, {0.0, 1.0, 2.0}, {0.06, 0.09, 0.0}},
};

/* --assignments: the plan the Mid-Market AEs move to at the FY2026 start,
 * MM-Q with its accelerator steps halved (same quota and floors). */
const struct plan_def plan_mm_new = {"MM-Q-FY26", false, 145000.0, 3, {0.0, 1.0, 1.5},
                                     {0.08, 0.10, 0.115}};

/* --credit-by-type: credit_new, credit_expansion, credit_renewal per plan
 * (ENT-Y, MM-Q, SMB-Q, MM-Q-FY26): renewals count half on ENT-Y and SMB-Q. */
const double plan_credit[N_ALL_PLANS][3] = {
    {1.0, 1.0, 0.5}, {1.0, 1.0, 1.0}, {1.0, 1.0, 0.5}, {1.0, 1.0, 1.0}};

/* --splits: 0.5/0.5, 0.6/0.4 (the owner 0.6), 0.5/0.25/0.25. */
const struct split_pattern split_patterns[N_SPLIT_PATTERNS] = {
    {2, {0.5, 0.5, 0.0}, 0.40}, {2, {0.6, 0.4, 0.0}, 0.35}, {3, {0.5, 0.25, 0.25}, 0.25}};

const struct segment segs[N_SEGS] = {
    {"Enterprise", PLAN_ENT, 8, 2, 7.5, 0.50, 48000.0, 0.60, 90.0, 0.5, 40},
    {"Mid-Market", PLAN_MM, 8, 1, 18.0, 0.55, 15000.0, 0.50, 45.0, 0.5, 100},
    {"SMB", PLAN_SMB, 9, 1, 28.0, 0.60, 4500.0, 0.50, 21.0, 0.6, 160},
};

/* Amount multiplier by deal type (new, expansion, renewal). */
const double type_mult[3] = {1.0, 0.55, 0.8};
const char *const type_name[3] = {"new", "expansion", "renewal"};
const char *const stage_name[3] = {"won", "lost", "open"};

const struct product products[N_PRODUCTS] = {
    {"Core Platform", 0.35}, {"Analytics", 0.18}, {"Connectors", 0.14},
    {"Workflow Automation", 0.13}, {"Security Suite", 0.12}, {"Mobile", 0.08},
};

/* SPIFFs: product, quarter index, first day in it, length in days, bonus. */
const struct spiff_def spiff_defs[N_SPIFFS] = {
    {"SP-01", 1, 2, 0, 62, 500.0},
    {"SP-02", 4, 5, 14, 62, 750.0},
};

const char *const rm_status_name[5] = {
    "shipped", "committed", "planned", "exploring", "not_planned"};

/*
 * The roadmap snapshot.  Dates are days from the start of the data window
 * (NO_DATE = blank), so that the same roadmap fits every fiscal start.  The
 * window is about 730 days, the export date is its end: committed and
 * planned targets lie after it (some committed ones slip just before it),
 * half the shipped items shipped inside the window so that collateral can
 * claim them before they existed.
 */
const struct feature features[N_FEATURES] = {
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

/*
 * Feature ids that are not on the roadmap but look as if they were: typos,
 * deleted items, a zero-padded and a lower-case variant of real ids (ids
 * compare byte for byte, so these are unknown, hence off_roadmap).
 */
const char *const unknown_features[] = {
    "FR-199", "FR-250", "FR-0117", "fr-112", "ROAD-42"};

/* What the field asks for without a roadmap item; weights fall as 1/rank. */
const char *const asks[] = {
    "On-premise deployment", "SAML SSO for contractors", "Two-way Salesforce sync",
    "Custom SLA 99.99%", "Data residency in Canada", "White-label mobile app",
    "Offline mode", "HIPAA BAA", "Unlimited API rate limit",
    "Custom report builder", "Dedicated instance", "Export to SAP",
};

const char *const first_names[48] = {
    "Aaron", "Abigail", "Adrian", "Aisha", "Alex", "Amara", "Andre", "Bianca",
    "Carlos", "Chen", "Chloe", "Daniel", "Deepa", "Diego", "Elena", "Emeka",
    "Fatima", "Felix", "Grace", "Hannah", "Hiro", "Ines", "Isaac", "Jamal",
    "Julia", "Kai", "Kateryna", "Liam", "Lucia", "Maya", "Mohammed", "Nadia",
    "Noah", "Olivia", "Omar", "Priya", "Rafael", "Rosa", "Samuel", "Sofia",
    "Tariq", "Tomas", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe"};
const char *const last_names[48] = {
    "Adams", "Ahmed", "Alvarez", "Becker", "Bianchi", "Brooks", "Castillo", "Chen",
    "Costa", "Dubois", "Edwards", "Fischer", "Garcia", "Gupta", "Hansen", "Hughes",
    "Ivanova", "Jensen", "Johnson", "Kim", "Kowalski", "Larsen", "Lopez", "Martin",
    "Mensah", "Meyer", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Peters",
    "Quinn", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Sorensen", "Takahashi",
    "Thompson", "Tran", "Usman", "Varga", "Wagner", "Walsh", "Yilmaz", "Zhang"};

const char *const acct_a[40] = {
    "Northwind", "Blue Harbor", "Summit", "Redwood", "Silverline", "Granite",
    "Evergreen", "Ironbridge", "Lakeside", "Brightwater", "Cedar", "Falcon",
    "Harbor Point", "Keystone", "Maple", "Orion", "Pinnacle", "Quarry",
    "Riverbend", "Sterling", "Tidewater", "Vantage", "Westgate", "Aspen",
    "Beacon", "Cobalt", "Crescent", "Driftwood", "Emerald", "Fairview",
    "Golden Gate", "Highland", "Juniper", "Kestrel", "Lighthouse", "Meridian",
    "Northstar", "Oakridge", "Pacific", "Prairie"};
const char *const acct_b[30] = {
    "Logistics", "Health", "Foods", "Analytics", "Manufacturing", "Energy",
    "Insurance", "Capital", "Retail", "Labs", "Media", "Freight", "Dental",
    "Hotels", "Outfitters", "Robotics", "Pharma", "Software", "Bank",
    "Construction", "Telecom", "Partners", "Farms", "Textiles", "Aerospace",
    "Motors", "Realty", "Biotech", "Learning", "Security"};
/* ", Inc." keeps a comma in account names, so exports must quote them. */
const char *const acct_c[8] = {
    "", " Inc.", " LLC", " Group", " Ltd", ", Inc.", " GmbH", " & Co."};

/* Asset titles: prefix + product + suffix. */
const char *const asset_templates[][2] = {
    {"", " datasheet"}, {"", " overview deck"}, {"Webinar: what's new in ", ""},
    {"", " vs. spreadsheets"}, {"Buyer's guide to ", ""}, {"ROI calculator for ", ""}};
const char *const campaign_themes[] = {
    "Launch", "Pipeline push", "Webinar series", "Customer advocacy",
    "Competitive", "Events"};

/* The files of SPEC section 1, headers exactly as specified. */
const struct gfile_def gfiles[F_COUNT] = {
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
    {"assignments.csv", "rep_id,plan_id,start_date,end_date,team"},
    {"splits.csv", "deal_id,rep_id,share"},
};
const char *const plans_header_credit =
    "plan_id,period_type,quota,tier_floor,rate,credit_new,credit_expansion,credit_renewal";
const char *const quotas_header_plan = "rep_id,period,quota,plan_id";
