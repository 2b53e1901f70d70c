/* rows.c - the rules of every input file's rows: each row checked, rejected with its reason or appended. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

enum cs_status cs_load_oom(struct loader *L)
{
    L->failed = true;
    return cs_error_set(L->err, CS_ERR_NOMEM, L->name, 0, NULL, "out of memory");
}

int cs_load_reject(struct loader *L, enum cs_table t, unsigned long line,
                  const char *column, const char *fmt, ...)
{
    struct cs_dataset *ds = L->ds;
    if (ds->n_rejects == L->reject_cap) {
        size_t cap = L->reject_cap ? L->reject_cap * 2 : 64;
        struct cs_reject *r = realloc(ds->rejects, cap * sizeof *r);
        if (!r)
            return -1;
        ds->rejects = r;
        L->reject_cap = cap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *reason = strdup(buf);
    if (!reason)
        return -1;
    struct cs_reject *r = &ds->rejects[ds->n_rejects++];
    r->table = (uint8_t)t;
    r->line = (uint32_t)line;
    r->column = column ? column : "";
    r->reason = reason;
    ds->counts[t].rejected++;
    return 0;
}

/* Intern a cell's text (ID and TEXT kinds). */
static int intern(struct loader *L, struct cell *cell)
{
    if (cell->blank || cell->str)
        return 0;
    if (!cell->hashed)
        return cs_strpool_intern(L->ds->str, cell->s, cell->len, &cell->str);
    return cs_strpool_intern_hashed(L->ds->str, cell->s, cell->len, cell->hash, &cell->str);
}

/* Row index of an already-loaded key of table t, CS_NONE when unknown or blank. */
static uint32_t find_key(struct loader *L, enum cs_table t, const struct cell *cell)
{
    if (cell->blank)
        return CS_NONE;
    uint32_t hash = cell->hashed ? cell->hash : cs_strpool_hash(cell->s, cell->len);
    return cs_keyindex_find(L->key[t], cell->s, cell->len, hash, cell->str);
}

#define REJECT(col, ...) return cs_load_reject(L, L->t, line, (col), __VA_ARGS__) ? -1 : 1
#define QUOTE(cell) cs_quote_bytes(q, sizeof q, (cell)->s, (cell)->len)
#define CHECK(x) do { if ((x) != 0) return -1; } while (0)

/* Reject a row whose unique key was already seen. */
static int unique_key(struct loader *L, struct cs_keyindex *k, struct cell *cell,
                      const uint32_t *lines, const char *column, unsigned long line)
{
    char q[128];
    /* Interning first costs one hash lookup instead of two for the common
     * case of a new key; a rejected row leaves its id in the pool, which is
     * harmless. */
    if (intern(L, cell) != 0)
        return -1;
    uint32_t prev = cs_keyindex_get(k, cell->str);
    if (prev != CS_NONE)
        REJECT(column, "duplicate %s %s (first on line %u)", column, QUOTE(cell), lines[prev]);
    return 0;
}

/* ------------------------------------------------------------------------
 * One handler per table: validate the parsed cells, then append the row.
 * Each returns 0 (used), 1 (rejected) or -1 (out of memory).
 * --------------------------------------------------------------------- */

static int row_plans(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, PTYPE, QUOTA, FLOOR, RATE };
    char q[128];
    if (!(c[QUOTA].num > 0))
        REJECT("quota", "must be greater than 0: %s", QUOTE(&c[QUOTA]));
    if (!(c[FLOOR].num >= 0))
        REJECT("tier_floor", "must be 0 or more: %s", QUOTE(&c[FLOOR]));
    if (!(c[RATE].num >= 0))
        REJECT("rate", "must be 0 or more: %s", QUOTE(&c[RATE]));
    CHECK(intern(L, &c[ID]));
    CHECK(cs_columns_reserve(&L->prow_cols));
    size_t i = L->prow.n++;
    L->prow.plan[i] = c[ID].str;
    L->prow.line[i] = (uint32_t)line;
    L->prow.period_type[i] = (uint8_t)c[PTYPE].en;
    L->prow.dead[i] = 0;
    L->prow.quota[i] = c[QUOTA].num;
    L->prow.floor[i] = c[FLOOR].num;
    L->prow.rate[i] = c[RATE].num;
    return 0;
}

static int row_reps(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, NAME, TEAM, ROLE, PLAN, MANAGER };
    struct cs_reps *r = &L->ds->reps;
    char q[128];
    int u = unique_key(L, L->key[CS_T_REPS], &c[ID], r->line, "rep_id", line);
    if (u)
        return u;
    uint32_t plan = CS_NONE;
    if (!c[PLAN].blank) {
        plan = find_key(L, CS_T_PLANS, &c[PLAN]);
        if (plan == CS_NONE)
            REJECT("plan_id", "unknown plan_id %s (not in plans.csv, or the plan was rejected)",
                   QUOTE(&c[PLAN]));
    }
    for (int k = 0; k <= MANAGER; k++)
        CHECK(intern(L, &c[k]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_REPS]));
    size_t i = r->n++;
    r->id[i] = c[ID].str;
    r->name[i] = c[NAME].str;
    r->team[i] = c[TEAM].str;
    r->role[i] = c[ROLE].str;
    r->manager[i] = c[MANAGER].str;
    r->plan[i] = plan;
    r->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_REPS], c[ID].str, (uint32_t)i);
}

static int row_deals(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, REP, ACCOUNT, TYPE, PRODUCT, AMOUNT, DISCOUNT, CREATED, CLOSE, STAGE };
    struct cs_deals *d = &L->ds->deals;
    char q[128];
    int u = unique_key(L, L->key[CS_T_DEALS], &c[ID], d->line, "deal_id", line);
    if (u)
        return u;
    uint32_t rep = find_key(L, CS_T_REPS, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s (not in reps.csv, or the rep was rejected)",
               QUOTE(&c[REP]));
    if (L->ds->reps.plan[rep] == CS_NONE)
        REJECT("rep_id", "rep %s owns deals but has no plan_id in reps.csv", QUOTE(&c[REP]));
    bool won = c[STAGE].en == CS_STAGE_WON;
    if (won && c[AMOUNT].blank)
        REJECT("amount", "required for a won deal");
    if (won && !(c[AMOUNT].num > 0))
        REJECT("amount", "must be greater than 0 for a won deal: %s", QUOTE(&c[AMOUNT]));
    if (!c[AMOUNT].blank && !(c[AMOUNT].num >= 0))
        REJECT("amount", "must be 0 or more: %s", QUOTE(&c[AMOUNT]));
    if (!c[DISCOUNT].blank && !(c[DISCOUNT].num >= 0 && c[DISCOUNT].num <= 100))
        REJECT("discount_pct", "must be between 0 and 100: %s", QUOTE(&c[DISCOUNT]));
    if (c[STAGE].en != CS_STAGE_OPEN && c[CLOSE].blank)
        REJECT("close_date", "required for a %s deal", won ? "won" : "lost");
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[ACCOUNT]));
    CHECK(intern(L, &c[PRODUCT]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_DEALS]));
    size_t i = d->n++;
    d->id[i] = c[ID].str;
    d->rep[i] = rep;
    d->account[i] = c[ACCOUNT].str;
    d->type[i] = (uint8_t)c[TYPE].en;
    d->product[i] = c[PRODUCT].str;
    d->amount[i] = c[AMOUNT].num;
    d->discount_pct[i] = c[DISCOUNT].num;
    d->created[i] = c[CREATED].day;
    d->close[i] = c[CLOSE].day;
    d->stage[i] = (uint8_t)c[STAGE].en;
    d->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_DEALS], c[ID].str, (uint32_t)i);
}

static int row_quotas(struct loader *L, struct cell *c, unsigned long line)
{
    enum { REP, PERIOD, QUOTA };
    struct cs_quotas *qt = &L->ds->quotas;
    char q[128];
    uint32_t rep = find_key(L, CS_T_REPS, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s", QUOTE(&c[REP]));
    uint32_t plan = L->ds->reps.plan[rep];
    if (plan == CS_NONE)
        REJECT("rep_id", "rep %s has no plan_id, so a quota does not apply", QUOTE(&c[REP]));
    bool yearly = L->ds->plans.period_type[plan] == CS_PERIOD_YEAR;
    bool is_year = c[PERIOD].period % 10 == 0;
    if (yearly != is_year)
        REJECT("period", "%s is a %s but the rep's plan is %s", QUOTE(&c[PERIOD]),
               is_year ? "year" : "quarter", yearly ? "annual" : "quarterly");
    if (!(c[QUOTA].num > 0))
        REJECT("quota", "must be greater than 0: %s", QUOTE(&c[QUOTA]));
    uint64_t key = cs_key_pair(rep, c[PERIOD].period);
    uint32_t prev = cs_keyindex_get(L->key[CS_T_QUOTAS], key);
    if (prev != CS_NONE)
        REJECT("period", "duplicate quota for this rep and period (first on line %u)",
               qt->line[prev]);
    CHECK(cs_columns_reserve(&L->cols[CS_T_QUOTAS]));
    size_t i = qt->n++;
    qt->rep[i] = rep;
    qt->period[i] = c[PERIOD].period;
    qt->quota[i] = c[QUOTA].num;
    qt->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_QUOTAS], key, (uint32_t)i);
}

static int row_spiffs(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, PRODUCT, START, END, AMOUNT };
    struct cs_spiffs *s = &L->ds->spiffs;
    char q[128];
    int u = unique_key(L, L->key[CS_T_SPIFFS], &c[ID], s->line, "spiff_id", line);
    if (u)
        return u;
    if (c[END].day < c[START].day)
        REJECT("end_date", "before start_date");
    if (!c[AMOUNT].blank && !(c[AMOUNT].num >= 0))
        REJECT("amount", "must be 0 or more: %s", QUOTE(&c[AMOUNT]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[PRODUCT]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_SPIFFS]));
    size_t i = s->n++;
    s->id[i] = c[ID].str;
    s->product[i] = c[PRODUCT].str;
    s->start[i] = c[START].day;
    s->end[i] = c[END].day;
    s->amount[i] = c[AMOUNT].num;
    s->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_SPIFFS], c[ID].str, (uint32_t)i);
}

static int row_commissions(struct loader *L, struct cell *c, unsigned long line)
{
    enum { REP, DEAL, PERIOD, COMMISSION };
    struct cs_commissions *m = &L->ds->commissions;
    char q[128];
    uint32_t rep = find_key(L, CS_T_REPS, &c[REP]);
    if (rep == CS_NONE)
        REJECT("rep_id", "unknown rep_id %s", QUOTE(&c[REP]));
    uint32_t deal = find_key(L, CS_T_DEALS, &c[DEAL]);
    if (deal == CS_NONE)
        REJECT("deal_id", "unknown deal_id %s (not in deals.csv, or the deal was rejected)",
               QUOTE(&c[DEAL]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_COMMISSIONS]));
    size_t i = m->n++;
    m->rep[i] = rep;
    m->deal[i] = deal;
    m->period[i] = c[PERIOD].period;
    m->commission[i] = c[COMMISSION].num;
    m->line[i] = (uint32_t)line;
    return 0;
}

static int row_roadmap(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, TITLE, STATUS, TARGET, SHIPPED };
    struct cs_roadmap *r = &L->ds->roadmap;
    int u = unique_key(L, L->key[CS_T_ROADMAP], &c[ID], r->line, "feature_id", line);
    if (u)
        return u;
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[TITLE]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_ROADMAP]));
    size_t i = r->n++;
    r->id[i] = c[ID].str;
    r->title[i] = c[TITLE].str;
    r->status[i] = (uint8_t)c[STATUS].en;
    r->target[i] = c[TARGET].day;
    r->shipped[i] = c[SHIPPED].day;
    r->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_ROADMAP], c[ID].str, (uint32_t)i);
}

static int row_promises(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, DEAL, FEATURE, PROMISED, DUE, TEXT };
    struct cs_promises *p = &L->ds->promises;
    char q[128];
    int u = unique_key(L, L->key[CS_T_PROMISES], &c[ID], p->line, "promise_id", line);
    if (u)
        return u;
    uint32_t deal = find_key(L, CS_T_DEALS, &c[DEAL]);
    if (deal == CS_NONE)
        REJECT("deal_id", "unknown deal_id %s (not in deals.csv, or the deal was rejected)",
               QUOTE(&c[DEAL]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[FEATURE]));
    CHECK(intern(L, &c[TEXT]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_PROMISES]));
    size_t i = p->n++;
    p->id[i] = c[ID].str;
    p->deal[i] = deal;
    p->feature[i] = cs_keyindex_get(L->key[CS_T_ROADMAP], c[FEATURE].str);
    p->feature_text[i] = c[FEATURE].str;
    p->promised[i] = c[PROMISED].day;
    p->due[i] = c[DUE].day;
    p->text[i] = c[TEXT].str;
    p->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_PROMISES], c[ID].str, (uint32_t)i);
}

static int row_collateral(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ID, TITLE, OWNER, CAMPAIGN, PUBLISHED };
    struct cs_collateral *a = &L->ds->collateral;
    char q[128];
    int u = unique_key(L, L->key[CS_T_COLLATERAL], &c[ID], a->line, "asset_id", line);
    if (u)
        return u;
    uint32_t owner = find_key(L, CS_T_REPS, &c[OWNER]);
    if (owner == CS_NONE)
        REJECT("owner_id", "unknown owner_id %s (not a rep_id of reps.csv)", QUOTE(&c[OWNER]));
    CHECK(intern(L, &c[ID]));
    CHECK(intern(L, &c[TITLE]));
    CHECK(intern(L, &c[CAMPAIGN]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_COLLATERAL]));
    size_t i = a->n++;
    a->id[i] = c[ID].str;
    a->title[i] = c[TITLE].str;
    a->owner[i] = owner;
    a->campaign[i] = c[CAMPAIGN].str;
    a->published[i] = c[PUBLISHED].day;
    a->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_COLLATERAL], c[ID].str, (uint32_t)i);
}

static int row_claims(struct loader *L, struct cell *c, unsigned long line)
{
    enum { ASSET, FEATURE, CLAIM, TEXT };
    struct cs_claims *k = &L->ds->claims;
    char q[128];
    uint32_t asset = find_key(L, CS_T_COLLATERAL, &c[ASSET]);
    if (asset == CS_NONE)
        REJECT("asset_id", "unknown asset_id %s (not in collateral.csv, or the asset was rejected)",
               QUOTE(&c[ASSET]));
    CHECK(intern(L, &c[FEATURE]));
    CHECK(intern(L, &c[TEXT]));
    CHECK(cs_columns_reserve(&L->cols[CS_T_CLAIMS]));
    size_t i = k->n++;
    k->asset[i] = asset;
    k->feature[i] = cs_keyindex_get(L->key[CS_T_ROADMAP], c[FEATURE].str);
    k->feature_text[i] = c[FEATURE].str;
    k->claim[i] = (uint8_t)c[CLAIM].en;
    k->text[i] = c[TEXT].str;
    k->line[i] = (uint32_t)line;
    return 0;
}

static int row_targets(struct loader *L, struct cell *c, unsigned long line)
{
    enum { OWNER, PERIOD, TARGET, ACTUAL };
    struct cs_targets *g = &L->ds->targets;
    char q[128];
    uint32_t owner = find_key(L, CS_T_REPS, &c[OWNER]);
    if (owner == CS_NONE)
        REJECT("owner_id", "unknown owner_id %s (not a rep_id of reps.csv)", QUOTE(&c[OWNER]));
    if (c[PERIOD].period % 10 == 0)
        REJECT("period", "targets are per quarter, %s is a year", QUOTE(&c[PERIOD]));
    if (!(c[TARGET].num > 0))
        REJECT("target", "must be greater than 0: %s", QUOTE(&c[TARGET]));
    if (!(c[ACTUAL].num >= 0))
        REJECT("actual", "must be 0 or more: %s", QUOTE(&c[ACTUAL]));
    uint64_t key = cs_key_pair(owner, c[PERIOD].period);
    uint32_t prev = cs_keyindex_get(L->key[CS_T_TARGETS], key);
    if (prev != CS_NONE)
        REJECT("period", "duplicate target for this owner and period (first on line %u)",
               g->line[prev]);
    CHECK(cs_columns_reserve(&L->cols[CS_T_TARGETS]));
    size_t i = g->n++;
    g->owner[i] = owner;
    g->period[i] = c[PERIOD].period;
    g->target[i] = c[TARGET].num;
    g->actual[i] = c[ACTUAL].num;
    g->line[i] = (uint32_t)line;
    return cs_keyindex_put(L->key[CS_T_TARGETS], key, (uint32_t)i);
}

typedef int (*row_fn)(struct loader *L, struct cell *c, unsigned long line);

static const row_fn row_handler[CS_T_COUNT] = {
    [CS_T_PLANS] = row_plans,
    [CS_T_REPS] = row_reps,
    [CS_T_DEALS] = row_deals,
    [CS_T_QUOTAS] = row_quotas,
    [CS_T_SPIFFS] = row_spiffs,
    [CS_T_COMMISSIONS] = row_commissions,
    [CS_T_ROADMAP] = row_roadmap,
    [CS_T_PROMISES] = row_promises,
    [CS_T_COLLATERAL] = row_collateral,
    [CS_T_CLAIMS] = row_claims,
    [CS_T_TARGETS] = row_targets,
};

#undef REJECT
#undef QUOTE
#undef CHECK

int cs_rows_load(struct loader *L, struct cell *c, unsigned long line)
{
    return row_handler[L->t](L, c, line);
}

/* The references the handlers above resolve with find_key: column, and
 * the table whose key it names. */
static const struct {
    enum cs_table t;
    const char *column;
    enum cs_table to;
} references[] = {
    {CS_T_REPS, "plan_id", CS_T_PLANS},         {CS_T_DEALS, "rep_id", CS_T_REPS},
    {CS_T_QUOTAS, "rep_id", CS_T_REPS},         {CS_T_COMMISSIONS, "rep_id", CS_T_REPS},
    {CS_T_COMMISSIONS, "deal_id", CS_T_DEALS},  {CS_T_PROMISES, "deal_id", CS_T_DEALS},
    {CS_T_COLLATERAL, "owner_id", CS_T_REPS},   {CS_T_CLAIMS, "asset_id", CS_T_COLLATERAL},
    {CS_T_TARGETS, "owner_id", CS_T_REPS},
};

void cs_rows_references(struct loader *L, enum cs_table t)
{
    for (size_t c = 0; c < MAX_COLS; c++)
        L->ref_key[c] = NULL;
    for (size_t i = 0; i < sizeof references / sizeof *references; i++) {
        for (size_t c = 0; references[i].t == t && c < L->def->n_columns; c++)
            if (strcmp(L->def->columns[c].name, references[i].column) == 0)
                L->ref_key[c] = L->key[references[i].to];
    }
}

/* ------------------------------------------------------------------------
 * Plans: group the tier rows, check each plan as a whole
 * --------------------------------------------------------------------- */

static int cmp_prow_index(const void *a, const void *b, void *ctx)
{
    const struct loader *L = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (L->prow.plan[i] != L->prow.plan[j])
        return L->prow.plan[i] < L->prow.plan[j] ? -1 : 1;
    if (L->prow.floor[i] != L->prow.floor[j])
        return L->prow.floor[i] < L->prow.floor[j] ? -1 : 1;
    return L->prow.line[i] < L->prow.line[j] ? -1 : L->prow.line[i] > L->prow.line[j];
}

/* The first row of a plan in file order decides its period_type and quota;
 * later rows that disagree, and repeated floors, are rejected; a plan left
 * without a floor-0 tier is rejected whole. */
enum cs_status cs_rows_build_plans(struct loader *L)
{
    enum cs_status st = CS_OK;
    size_t n = L->prow.n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *first = malloc((n ? n : 1) * sizeof *first);
    struct cs_plans *p = &L->ds->plans;
    struct cs_columns *pc = &L->cols[CS_T_PLANS];
    if (!order || !first) {
        st = cs_load_oom(L);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_prow_index, L);

    p->n_tiers = 0;
    p->floor = malloc((n ? n : 1) * sizeof *p->floor);
    p->rate = malloc((n ? n : 1) * sizeof *p->rate);
    if (!p->floor || !p->rate) {
        st = cs_load_oom(L);
        goto out;
    }
    for (size_t g = 0; g < n;) {
        size_t e = g;
        uint32_t plan = L->prow.plan[order[g]];
        uint32_t head = order[g];
        while (e < n && L->prow.plan[order[e]] == plan) {
            if (L->prow.line[order[e]] < L->prow.line[head])
                head = order[e];
            e++;
        }
        const char *pid = cs_strpool_get(L->ds->str, plan);
        char q[128];
        cs_quote_bytes(q, sizeof q, pid, strlen(pid));
        size_t kept = 0;
        bool has_zero = false;
        for (size_t k = g; k < e; k++) {
            uint32_t r = order[k];
            int bad = 0;
            if (L->prow.period_type[r] != L->prow.period_type[head])
                bad = cs_load_reject(L, CS_T_PLANS, L->prow.line[r], "period_type",
                             "plan %s has period_type %s on line %u", q,
                             L->prow.period_type[head] ? "year" : "quarter",
                             L->prow.line[head]) ? -1 : 1;
            else if (L->prow.quota[r] != L->prow.quota[head])
                bad = cs_load_reject(L, CS_T_PLANS, L->prow.line[r], "quota",
                             "plan %s has quota %.15g on line %u", q,
                             L->prow.quota[head], L->prow.line[head]) ? -1 : 1;
            else if (kept && L->prow.floor[first[kept - 1]] == L->prow.floor[r])
                bad = cs_load_reject(L, CS_T_PLANS, L->prow.line[r], "tier_floor",
                             "duplicate tier_floor %.15g for plan %s (first on line %u)",
                             L->prow.floor[r], q, L->prow.line[first[kept - 1]]) ? -1 : 1;
            if (bad < 0) {
                st = cs_load_oom(L);
                goto out;
            }
            if (bad) {
                L->prow.dead[r] = 1;
                continue;
            }
            first[kept++] = r;
            if (L->prow.floor[r] == 0)
                has_zero = true;
        }
        if (!has_zero) {
            for (size_t k = 0; k < kept; k++) {
                uint32_t r = first[k];
                if (cs_load_reject(L, CS_T_PLANS, L->prow.line[r], "tier_floor",
                           "plan %s has no tier with floor 0", q) != 0) {
                    st = cs_load_oom(L);
                    goto out;
                }
            }
        } else {
            if (cs_columns_reserve(pc) != 0) {
                st = cs_load_oom(L);
                goto out;
            }
            size_t i = p->n++;
            p->id[i] = plan;
            p->period_type[i] = L->prow.period_type[head];
            p->quota[i] = L->prow.quota[head];
            p->tier_first[i] = (uint32_t)p->n_tiers;
            p->tier_count[i] = (uint32_t)kept;
            for (size_t k = 0; k < kept; k++) {
                p->floor[p->n_tiers] = L->prow.floor[first[k]];
                p->rate[p->n_tiers] = L->prow.rate[first[k]];
                p->n_tiers++;
            }
            L->ds->counts[CS_T_PLANS].used += kept;
            if (cs_keyindex_put(L->key[CS_T_PLANS], plan, (uint32_t)i) != 0) {
                st = cs_load_oom(L);
                goto out;
            }
        }
        g = e;
    }
out:
    free(order);
    free(first);
    return st;
}
