/* rows.c - the rules of every input file's rows: each row checked, rejected with its reason or appended. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "loader.h"
#include "compsight/plancheck.h"


/* ------------------------------------------------------------------------
 * Rejects, and the importer's one out-of-memory error
 * --------------------------------------------------------------------- */

enum cs_status cs_load_oom(struct loader *L)
{
    L->failed = true;
    return cs_error_set(L->err, CS_ERR_NOMEM, L->name, 0, NULL, "out of memory");
}

int cs_load_reject_msg(struct loader *L, enum cs_table t, size_t src, unsigned long line,
                       const char *column, const char *kind, const char *reason)
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
    char *copy = strdup(reason);
    if (!copy)
        return -1;
    struct cs_reject *r = &ds->rejects[ds->n_rejects++];
    struct cs_source *so = &ds->sources[src];
    const struct cs_table_def *def = cs_schema_table(t);
    r->table = (uint8_t)t;
    r->line = (uint32_t)line;
    r->column = column ? column : "";
    r->reason = copy;
    r->kind = kind;
    r->source = (uint32_t)src;
    r->source_file = so->file;
    r->source_column = NULL;
    for (size_t c = 0; column && c < def->n_columns; c++)
        if (def->columns[c].name == column)
            r->source_column = so->header[c];
    ds->counts[t].rejected++;
    so->rejected++;
    return 0;
}

int cs_load_reject(struct loader *L, enum cs_table t, unsigned long line, const char *column,
                   const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return cs_load_reject_msg(L, t, L->src, line, column, strcmp(fmt, "%s") ? fmt : NULL, buf);
}

/* The reason an excluded row gives: "footer" or "exclude.HEADER = VALUE",
 * kept once per source. */
static const char *excluded_reason(struct loader *L, const struct parsed *pr)
{
    char buf[512];
    if (pr->excluded == EXCLUDED_FOOTER)
        snprintf(buf, sizeof buf, "footer");
    else
        snprintf(buf, sizeof buf, "exclude.%s = %s",
                 cs_map_exclude_header(L->opt->map, L->t, (size_t)pr->excluded - 1),
                 pr->excl_value);
    struct cs_source *so = &L->ds->sources[L->src];
    for (size_t i = 0; i < so->n_reasons; i++)
        if (strcmp(so->reasons[i], buf) == 0)
            return so->reasons[i];
    char **r = realloc(so->reasons, (so->n_reasons + 1) * sizeof *r);
    if (!r)
        return NULL;
    so->reasons = r;
    if (!(r[so->n_reasons] = strdup(buf)))
        return NULL;
    return r[so->n_reasons++];
}

int cs_load_excluded(struct loader *L, unsigned long line, const struct parsed *pr)
{
    struct cs_dataset *ds = L->ds;
    const char *reason = excluded_reason(L, pr);
    if (!reason)
        return -1;
    if (ds->n_excluded == L->excluded_cap) {
        size_t cap = L->excluded_cap ? L->excluded_cap * 2 : 64;
        struct cs_excluded *e = realloc(ds->excluded, cap * sizeof *e);
        if (!e)
            return -1;
        ds->excluded = e;
        L->excluded_cap = cap;
    }
    struct cs_excluded *e = &ds->excluded[ds->n_excluded++];
    e->table = (uint8_t)L->t;
    e->line = (uint32_t)line;
    e->source = (uint32_t)L->src;
    e->source_file = ds->sources[L->src].file;
    e->reason = reason;
    ds->counts[L->t].excluded++;
    ds->sources[L->src].excluded++;
    return 0;
}

/* ------------------------------------------------------------------------
 * The plans and teams rejected rows leave out (the report's warning)
 * --------------------------------------------------------------------- */

/* Count a row against name[0..len) in *list; 0, or -1 on OOM.  A list
 * holds at most MAX_MISSING names (more are not named one by one). */
#define MAX_MISSING 64
static int miss(struct cs_missing **list, size_t *n, const char *name, size_t len)
{
    while (len && (*name == ' ' || *name == '\t'))
        name++, len--;
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    if (!len || !cs_utf8_valid(name, len) || memchr(name, '\0', len))
        return 0;
    for (size_t i = 0; i < *n; i++)
        if (strlen((*list)[i].name) == len && memcmp((*list)[i].name, name, len) == 0) {
            (*list)[i].rows++;
            return 0;
        }
    if (*n == MAX_MISSING)
        return 0;
    struct cs_missing *m = realloc(*list, (*n + 1) * sizeof *m);
    if (!m)
        return -1;
    *list = m;
    if (!(m[*n].name = strndup(name, len)))
        return -1;
    m[*n].rows = 1;
    (*n)++;
    return 0;
}

/* The text of a cell as read (trimmed later), even for a row rejected
 * before its cell was parsed. */
static void cell_text(const struct cell *c, const char **s, size_t *len)
{
    *s = c->str.s ? c->str.s : "";
    *len = c->str.s ? c->str.len : 0;
}

int cs_rows_attribute(struct loader *L, const struct cell *c)
{
    struct cs_dataset *ds = L->ds;
    const char *s, *t, *p;
    size_t n, tn, pn;
    if (!c)
        return 0;
    switch (L->t) {
    case CS_T_PLANS:
        cell_text(&c[0], &s, &n);
        return miss(&ds->missing_plans, &ds->n_missing_plans, s, n);
    case CS_T_REPS: {
        cell_text(&c[REPS_TEAM], &t, &tn);
        cell_text(&c[REPS_PLAN], &p, &pn);
        cell_text(&c[0], &s, &n);
        if (miss(&ds->missing_teams, &ds->n_missing_teams, t, tn) != 0 ||
            miss(&ds->missing_plans, &ds->n_missing_plans, p, pn) != 0)
            return -1;
        /* kept, for the deals of this rep */
        if (L->n_rejected_reps == L->cap_rejected_reps) {
            size_t cap = L->cap_rejected_reps ? 2 * L->cap_rejected_reps : 16;
            struct rejected_rep *r = realloc(L->rejected_reps, cap * sizeof *r);
            if (!r)
                return -1;
            L->rejected_reps = r;
            L->cap_rejected_reps = cap;
        }
        struct rejected_rep *r = &L->rejected_reps[L->n_rejected_reps];
        r->id = strndup(s, n);
        r->team = strndup(t, tn);
        r->plan = strndup(p, pn);
        if (!r->id || !r->team || !r->plan) {
            free(r->id);
            free(r->team);
            free(r->plan);
            return -1;
        }
        L->n_rejected_reps++;
        return 0;
    }
    case CS_T_DEALS: {
        cell_text(&c[DEALS_REP], &s, &n);
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (!n)
            return 0;
        uint32_t rep = cs_keyindex_find(L->key[CS_T_REPS], s, n, cs_strpool_hash(s, n), 0);
        if (rep != CS_NONE) {
            const char *team = cs_ds_str(ds, ds->reps.team[rep]);
            if (miss(&ds->missing_teams, &ds->n_missing_teams, team, strlen(team)) != 0)
                return -1;
            if (ds->reps.plan[rep] != CS_NONE) {
                const char *plan = cs_ds_str(ds, ds->plans.id[ds->reps.plan[rep]]);
                return miss(&ds->missing_plans, &ds->n_missing_plans, plan, strlen(plan));
            }
            return 0;
        }
        for (size_t i = 0; i < L->n_rejected_reps; i++) {
            const struct rejected_rep *r = &L->rejected_reps[i];
            if (strlen(r->id) == n && memcmp(r->id, s, n) == 0)
                return miss(&ds->missing_teams, &ds->n_missing_teams, r->team,
                            strlen(r->team)) ||
                       miss(&ds->missing_plans, &ds->n_missing_plans, r->plan, strlen(r->plan));
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* Intern a cell's text (ID and TEXT kinds). */
static int intern(struct loader *L, struct cell *cell)
{
    if (cell->blank || cell->str.id)
        return 0;
    if (!cell->hashed)
        return cs_strpool_intern(L->ds->str, cell->str.s, cell->str.len, &cell->str.id);
    return cs_strpool_intern_hashed(L->ds->str, cell->str.s, cell->str.len, cell->str.hash,
                                    &cell->str.id);
}

/* Row index of an already-loaded key of table t, CS_NONE when unknown or blank. */
static uint32_t find_key(struct loader *L, enum cs_table t, const struct cell *cell)
{
    if (cell->blank)
        return CS_NONE;
    uint32_t hash = cell->hashed ? cell->str.hash : cs_strpool_hash(cell->str.s, cell->str.len);
    return cs_keyindex_find(L->key[t], cell->str.s, cell->str.len, hash, cell->str.id);
}

/* ------------------------------------------------------------------------
 * Appending a row: derived from the tables of schema.h
 * --------------------------------------------------------------------- */


/* The string columns are interned in column order (ids follow the order
 * strings are first seen in); a reference's text is a key of a table
 * loaded before, never a new string. */
#define INTERN(T, TAG, name, KIND, required, VALUES, STORE, REFS, field)                \
    if (IS_STRING_##KIND && INTERNS_##STORE && intern(L, &c[T##_##TAG]) != 0)           \
        return -1;
#define IS_STRING_ID 1
#define IS_STRING_TEXT 1
#define IS_STRING_NUMBER 0
#define IS_STRING_PERCENT 0
#define IS_STRING_DATE 0
#define IS_STRING_PERIOD 0
#define IS_STRING_ENUM 0
#define IS_STRING_BOOL 0
#define IS_STRING_CURRENCY 0
#define INTERNS_VAL 1
#define INTERNS_REF 0
#define INTERNS_REFTEXT 1
#define INTERNS_PLAN 1
#define INTERNS_TIER 1
#define INTERNS_CREDIT 1
#define INTERNS_READ 0

/* The field(s) of row i in tab from the column's cell, and ref[] for a
 * REF column (resolved by the row's rules). */
#define STORE(T, TAG, name, KIND, required, VALUES, STORE, REFS, field)                 \
    STORE_##STORE(KIND, field, c[T##_##TAG], ref[T##_##TAG], REFS)
#define STORE_VAL(KIND, field, cell, ref, REFS) tab->field[i] = VALUE_##KIND(cell);
#define STORE_PLAN STORE_VAL
#define STORE_TIER STORE_VAL
#define STORE_CREDIT STORE_VAL
#define STORE_READ(KIND, field, cell, ref, REFS)
#define STORE_REF(KIND, field, cell, ref, REFS) tab->field[i] = (ref);
#define STORE_REFTEXT(KIND, field, cell, ref, REFS)                                     \
    tab->field[i] = cs_keyindex_get(L->key[CS_T_##REFS], (cell).str.id);                   \
    tab->field##_text[i] = (cell).str.id;
#define VALUE_ID(cell) (cell).str.id
#define VALUE_TEXT(cell) (cell).str.id
#define VALUE_NUMBER(cell) (cell).num
#define VALUE_PERCENT(cell) (cell).num
#define VALUE_DATE(cell) (cell).day
#define VALUE_PERIOD(cell) (cell).period
#define VALUE_ENUM(cell) (uint8_t)(cell).en
#define VALUE_CURRENCY(cell) (cell).code

/* append_deals(L, c, ref, line, &row), ...: append a row that passed its
 * rules to the table; *row is its index.  0, or -1 on OOM. */
#define APPEND(T, member, required)                                                      \
    static int append_##member(struct loader *L, struct cell *c, const uint32_t *ref,   \
                               unsigned long line, uint32_t *row)                       \
    {                                                                                    \
        struct cs_##member *tab = &L->ds->member;                                        \
        (void)ref;                                                                       \
        CS_COLUMNS_##T(INTERN, T)                                                        \
        if (cs_columns_reserve(&L->cols[CS_T_##T]) != 0)                                 \
            return -1;                                                                   \
        size_t i = tab->n++;                                                             \
        CS_COLUMNS_##T(STORE, T)                                                         \
        tab->line[i] = (uint32_t)line;                                                   \
        *row = (uint32_t)i;                                                              \
        return 0;                                                                        \
    }
CS_ROW_TABLES(APPEND)

/* A plans.csv row, kept apart until the plans are built from them. */
static int append_plan_row(struct loader *L, struct cell *c, unsigned long line)
{
    CS_COLUMNS_PLANS(INTERN, PLANS)
    if (cs_columns_reserve(&L->prow_cols) != 0)
        return -1;
    struct plan_rows *tab = &L->prow;
    size_t i = tab->n++;
    CS_COLUMNS_PLANS(STORE, PLANS)
    tab->line[i] = (uint32_t)line;
    tab->src[i] = (uint32_t)L->src;
    return 0;
}

/* ------------------------------------------------------------------------
 * The rules of each file's rows: one handler per table, which checks the
 * parsed cells in order and appends the row.  Each returns 0 (used), 1
 * (rejected) or -1 (out of memory).
 * --------------------------------------------------------------------- */

/* Reject the row on column col (an index of the file's table). */
#define REJECT(col, ...)                                                                \
    return cs_rows_attribute(L, c) || cs_load_reject(L, L->t, line, NAME(col), __VA_ARGS__) ? -1 : 1
#define NAME(col) (L->def->columns[col].name)
#define QUOTE(cell) cs_quote_bytes(q, sizeof q, (cell)->str.s, (cell)->str.len)
#define CHECK(x) do { if ((x) != 0) return -1; } while (0)
#define FILE_READ(T) file_read(L, CS_T_##T)

/* The file a table was read from, for messages that name it (SPEC 12:
 * "User.csv", not "reps.csv"): its own name, or with several files the
 * table's (SPEC 1). */
static const char *file_read(const struct loader *L, enum cs_table t)
{
    const char *name = NULL;
    for (size_t i = 0; i < L->ds->n_sources; i++) {
        if (L->ds->sources[i].table != t)
            continue;
        if (name)
            return cs_schema_table(t)->file;
        name = L->ds->sources[i].file;
    }
    return name ? name : cs_schema_table(t)->file;
}

/* Reject a row whose unique key (column col of the file's table, whose
 * rows' lines are lines) was already seen. */
static int unique_key(struct loader *L, struct cell *c, size_t col, const uint32_t *lines,
                      unsigned long line)
{
    char q[128];
    /* Interning first costs one hash lookup instead of two for the common
     * case of a new key; a rejected row leaves its id in the pool, which is
     * harmless. */
    if (intern(L, &c[col]) != 0)
        return -1;
    uint32_t prev = cs_keyindex_get(L->key[L->t], c[col].str.id);
    if (prev != CS_NONE)
        REJECT(col, "duplicate %s %s (first on line %u)", NAME(col), QUOTE(&c[col]), lines[prev]);
    return 0;
}

static int row_plans(struct loader *L, struct cell *c, unsigned long line)
{
    char q[128];
    if (!cs_plan_quota_ok(c[PLANS_QUOTA].num))
        REJECT(PLANS_QUOTA, "must be greater than 0: %s", QUOTE(&c[PLANS_QUOTA]));
    if (!cs_plan_floor_ok(c[PLANS_FLOOR].num))
        REJECT(PLANS_FLOOR, "must be 0 or more: %s", QUOTE(&c[PLANS_FLOOR]));
    if (!cs_plan_rate_ok(c[PLANS_RATE].num))
        REJECT(PLANS_RATE, "must be 0 or more: %s", QUOTE(&c[PLANS_RATE]));
    for (size_t k = PLANS_CREDIT_NEW; k <= PLANS_CREDIT_RENEWAL; k++)
        if (!c[k].blank && !(c[k].num >= 0 && isfinite(c[k].num)))
            REJECT(k, "must be 0 or more: %s", QUOTE(&c[k]));
    return append_plan_row(L, c, line);
}

static int row_reps(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[REPS_COLUMNS], row;
    char q[128];
    int u = unique_key(L, c, REPS_ID, L->ds->reps.line, line);
    if (u)
        return u;
    ref[REPS_PLAN] = CS_NONE;
    if (!c[REPS_PLAN].blank) {
        ref[REPS_PLAN] = find_key(L, CS_T_PLANS, &c[REPS_PLAN]);
        if (ref[REPS_PLAN] == CS_NONE)
            REJECT(REPS_PLAN, "unknown plan_id %s (not in %s, or the plan was rejected)",
                   QUOTE(&c[REPS_PLAN]), FILE_READ(PLANS));
    }
    CHECK(append_reps(L, c, ref, line, &row));
    return cs_keyindex_put(L->key[CS_T_REPS], c[REPS_ID].str.id, row);
}

/*
 * assignments.csv (SPEC 13): a known rep and plan, an end not before the
 * start.  Overlaps are checked once the file is read (credit.c).
 */
static int row_assignments(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[ASSIGNMENTS_COLUMNS], row;
    char q[128];
    ref[ASSIGNMENTS_REP] = find_key(L, CS_T_REPS, &c[ASSIGNMENTS_REP]);
    if (ref[ASSIGNMENTS_REP] == CS_NONE)
        REJECT(ASSIGNMENTS_REP, "unknown rep_id %s (not in %s, or the rep was rejected)",
               QUOTE(&c[ASSIGNMENTS_REP]), FILE_READ(REPS));
    ref[ASSIGNMENTS_PLAN] = find_key(L, CS_T_PLANS, &c[ASSIGNMENTS_PLAN]);
    if (ref[ASSIGNMENTS_PLAN] == CS_NONE)
        REJECT(ASSIGNMENTS_PLAN, "unknown plan_id %s (not in %s, or the plan was rejected)",
               QUOTE(&c[ASSIGNMENTS_PLAN]), FILE_READ(PLANS));
    if (!c[ASSIGNMENTS_END].blank && c[ASSIGNMENTS_END].day < c[ASSIGNMENTS_START].day)
        REJECT(ASSIGNMENTS_END, "before start_date");
    return append_assignments(L, c, ref, line, &row);
}

/*
 * rates.csv: a rate > 0, for both dates or neither, ending after it
 * starts.  Overlaps, and the corporate currency's rate, are checked once
 * the file is read (currency.c).
 */
static int row_rates(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t row;
    char q[128];
    const struct cell *start = &c[RATES_START], *next = &c[RATES_NEXT];
    if (!(c[RATES_RATE].num > 0))
        REJECT(RATES_RATE, "must be greater than 0: %s", QUOTE(&c[RATES_RATE]));
    if (start->blank != next->blank)
        REJECT(start->blank ? RATES_START : RATES_NEXT,
               "required with %s (a dated rate has both dates, an undated rate neither)",
               NAME(start->blank ? RATES_NEXT : RATES_START));
    if (!start->blank && next->day <= start->day)
        REJECT(RATES_NEXT, "must be after start_date (it is the first day of the next rate)");
    CHECK(append_rates(L, c, NULL, line, &row));
    return cs_currency_rate_row(L, row);
}

/* The day whose rate converts a deal's amount (SPEC 12): its close_date,
 * an open deal's created_date (else its close_date); CS_NO_DATE: none. */
static int32_t rate_day(int stage, int32_t close, int32_t created)
{
    if (stage == CS_STAGE_OPEN && created != CS_NO_DATE)
        return created;
    return close;
}

/*
 * The amount in column amt of the row, in the currency of column cur (not
 * blank), converted to the corporate currency at day's rate (currency.c).
 * 0, 1 (rejected: no rate, or too large a number) or -1 (out of memory).
 */
static int convert(struct loader *L, struct cell *c, unsigned long line, size_t cur, size_t amt,
                   int32_t day)
{
    char code[4], date[16];
    double amount = c[amt].num, rate = NAN;
    int r = cs_currency_convert(L, c[cur].code, day, &c[amt].num, &rate);
    if (r <= 0)
        return r;
    cs_currency_text(c[cur].code, code);
    cs_format_date(day, date);
    if (r == CS_CURRENCY_TOO_LARGE)
        REJECT(cur, "%.15g %s at a rate of %.15g is too large a number", amount, code, rate);
    if (day == CS_NO_DATE)
        REJECT(cur, "no undated rate for %s (the deal has no date for a dated one)", code);
    /* one reason a currency for check, whatever the date: its kind names
     * the code, and lives in the dataset's pool (rejects borrow it) */
    char reason[64], kind[64];
    uint32_t id;
    snprintf(reason, sizeof reason, "no rate for %s on %s", code, date);
    snprintf(kind, sizeof kind, "no rate for %s on %%s", code);
    if (cs_rows_attribute(L, c) || cs_strpool_intern(L->ds->str, kind, strlen(kind), &id) != 0)
        return -1;
    return cs_load_reject_msg(L, L->t, L->src, line, NAME(cur), cs_strpool_get(L->ds->str, id),
                              reason) ? -1 : 1;
}

static int row_deals(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[DEALS_COLUMNS], row;
    char q[128];
    int u = unique_key(L, c, DEALS_ID, L->ds->deals.line, line);
    if (u)
        return u;
    const struct cell *amount = &c[DEALS_AMOUNT], *discount = &c[DEALS_DISCOUNT];
    if (L->stage_flags) {
        /* SPEC 12: won = is_won, lost = is_closed and not is_won, open
         * otherwise, whatever the stage is called (blank is false) */
        c[DEALS_STAGE].en = c[DEALS_IS_WON].en == 1      ? CS_STAGE_WON
                            : c[DEALS_IS_CLOSED].en == 1 ? CS_STAGE_LOST
                                                         : CS_STAGE_OPEN;
        c[DEALS_STAGE].blank = false;
    }
    uint32_t rep = ref[DEALS_REP] = find_key(L, CS_T_REPS, &c[DEALS_REP]);
    if (rep == CS_NONE)
        REJECT(DEALS_REP, "unknown rep_id %s (not in %s, or the rep was rejected)",
               QUOTE(&c[DEALS_REP]), FILE_READ(REPS));
    bool won = c[DEALS_STAGE].en == CS_STAGE_WON;
    /* SPEC 13: a won deal of a rep without a plan may still be credited
     * through its split rows */
    if (L->ds->reps.plan[rep] == CS_NONE && !cs_rep_has_assignments(L->ds, rep) &&
        !(won && L->splits_ahead))
        REJECT(DEALS_REP, "rep %s owns deals but has no plan_id in %s",
               QUOTE(&c[DEALS_REP]), FILE_READ(REPS));
    if (won && amount->blank)
        REJECT(DEALS_AMOUNT, "required for a won deal");
    if (won && !(amount->num > 0))
        REJECT(DEALS_AMOUNT, "must be greater than 0 for a won deal: %s", QUOTE(amount));
    if (!amount->blank && !(amount->num >= 0))
        REJECT(DEALS_AMOUNT, "must be 0 or more: %s", QUOTE(amount));
    if (!discount->blank && !(discount->num >= 0 && discount->num <= 100))
        REJECT(DEALS_DISCOUNT, "must be between 0 and 100: %s", QUOTE(discount));
    if (c[DEALS_STAGE].en != CS_STAGE_OPEN && c[DEALS_CLOSE].blank)
        REJECT(DEALS_CLOSE, "required for a %s deal", won ? "won" : "lost");
    /* SPEC 13: a won deal needs a credit row with a plan; its split rows
     * may give one (credit.c decides once splits.csv is read) */
    bool planless = won && cs_plan_on(L->ds, rep, c[DEALS_CLOSE].day, NULL) == CS_NONE;
    if (planless && !L->splits_ahead) {
        char day[16];
        cs_format_date(c[DEALS_CLOSE].day, day);
        REJECT(DEALS_REP, "the rep holds no plan on close_date %s and the deal has no split", day);
    }
    if (!c[DEALS_CURRENCY].blank) {
        int r = convert(L, c, line, DEALS_CURRENCY, DEALS_AMOUNT,
                        rate_day(c[DEALS_STAGE].en, c[DEALS_CLOSE].day, c[DEALS_CREATED].day));
        if (r)
            return r;
    }
    CHECK(append_deals(L, c, ref, line, &row));
    if (planless && cs_credit_provisional(L, row) != 0)
        return -1;
    return cs_keyindex_put(L->key[CS_T_DEALS], c[DEALS_ID].str.id, row);
}

/*
 * splits.csv (SPEC 13): a known deal and rep, 0 < share <= 1, one row a
 * deal and rep; for a won deal, a rep who holds a plan on its close_date.
 */
static int row_splits(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[SPLITS_COLUMNS], row;
    char q[128];
    const struct cs_dataset *ds = L->ds;
    uint32_t deal = ref[SPLITS_DEAL] = find_key(L, CS_T_DEALS, &c[SPLITS_DEAL]);
    if (deal == CS_NONE)
        REJECT(SPLITS_DEAL, "unknown deal_id %s (not in %s, or the deal was rejected)",
               QUOTE(&c[SPLITS_DEAL]), FILE_READ(DEALS));
    uint32_t rep = ref[SPLITS_REP] = find_key(L, CS_T_REPS, &c[SPLITS_REP]);
    if (rep == CS_NONE)
        REJECT(SPLITS_REP, "unknown rep_id %s (not in %s, or the rep was rejected)",
               QUOTE(&c[SPLITS_REP]), FILE_READ(REPS));
    double share = c[SPLITS_SHARE].num;
    if (!(share > 0 && share <= 1))
        REJECT(SPLITS_SHARE, "must be greater than 0 and at most 1: %s", QUOTE(&c[SPLITS_SHARE]));
    uint64_t key = cs_key_pair(deal, (int32_t)rep);
    uint32_t prev = cs_keyindex_get(L->key[CS_T_SPLITS], key);
    if (prev != CS_NONE)
        REJECT(SPLITS_REP, "a second split of this deal for this rep (first on line %u)",
               ds->splits.line[prev]);
    if (ds->deals.stage[deal] == CS_STAGE_WON &&
        cs_plan_on(ds, rep, ds->deals.close[deal], NULL) == CS_NONE) {
        char day[16];
        cs_format_date(ds->deals.close[deal], day);
        REJECT(SPLITS_REP, "rep %s holds no plan on the deal's close_date %s",
               QUOTE(&c[SPLITS_REP]), day);
    }
    CHECK(append_splits(L, c, ref, line, &row));
    return cs_keyindex_put(L->key[CS_T_SPLITS], key, row);
}

/* quotas.csv: a rep's figure for a period (and plan, SPEC 13), once. */
static int row_quotas(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[QUOTAS_COLUMNS], row;
    char q[128];
    const struct cs_dataset *ds = L->ds;
    uint32_t rep = ref[QUOTAS_REP] = find_key(L, CS_T_REPS, &c[QUOTAS_REP]);
    if (rep == CS_NONE)
        REJECT(QUOTAS_REP, "unknown rep_id %s", QUOTE(&c[QUOTAS_REP]));
    uint32_t named = ref[QUOTAS_PLAN] = CS_NONE;
    if (!c[QUOTAS_PLAN].blank) {
        named = ref[QUOTAS_PLAN] = find_key(L, CS_T_PLANS, &c[QUOTAS_PLAN]);
        if (named == CS_NONE)
            REJECT(QUOTAS_PLAN, "unknown plan_id %s (not in %s, or the plan was rejected)",
                   QUOTE(&c[QUOTAS_PLAN]), FILE_READ(PLANS));
    }
    bool assigned = cs_rep_has_assignments(ds, rep);
    uint32_t plan = named != CS_NONE ? named : ds->reps.plan[rep];
    if (plan == CS_NONE && !assigned)
        REJECT(QUOTAS_REP, "rep %s has no plan_id, so a quota does not apply",
               QUOTE(&c[QUOTAS_REP]));
    /* a blank plan_id of a rep with assignments means the plan held at the
     * period's end, which the calendar decides (measures/incentives.c) */
    bool is_year = c[QUOTAS_PERIOD].period % 10 == 0;
    if (named != CS_NONE || !assigned) {
        bool yearly = ds->plans.period_type[plan] == CS_PERIOD_YEAR;
        if (yearly != is_year && named != CS_NONE)
            REJECT(QUOTAS_PERIOD, "%s is a %s but the plan of plan_id is %s",
                   QUOTE(&c[QUOTAS_PERIOD]), is_year ? "year" : "quarter",
                   yearly ? "annual" : "quarterly");
        if (yearly != is_year)
            REJECT(QUOTAS_PERIOD, "%s is a %s but the rep's plan is %s", QUOTE(&c[QUOTAS_PERIOD]),
                   is_year ? "year" : "quarter", yearly ? "annual" : "quarterly");
    }
    if (!(c[QUOTAS_QUOTA].num > 0))
        REJECT(QUOTAS_QUOTA, "must be greater than 0: %s", QUOTE(&c[QUOTAS_QUOTA]));
    uint64_t key = cs_key_pair(rep, c[QUOTAS_PERIOD].period);
    uint32_t prev = named == CS_NONE ? cs_keyindex_get(L->key[CS_T_QUOTAS], key)
                                     : cs_credit_named_quota(L, key, named);
    if (prev != CS_NONE && named == CS_NONE)
        REJECT(QUOTAS_PERIOD, "duplicate quota for this rep and period (first on line %u)",
               ds->quotas.line[prev]);
    if (prev != CS_NONE)
        REJECT(QUOTAS_PLAN, "duplicate quota for this rep, plan and period (first on line %u)",
               ds->quotas.line[prev]);
    CHECK(append_quotas(L, c, ref, line, &row));
    if (named != CS_NONE)
        return cs_credit_put_named_quota(L, key, row);
    return cs_keyindex_put(L->key[CS_T_QUOTAS], key, row);
}

static int row_spiffs(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t row;
    char q[128];
    int u = unique_key(L, c, SPIFFS_ID, L->ds->spiffs.line, line);
    if (u)
        return u;
    if (c[SPIFFS_END].day < c[SPIFFS_START].day)
        REJECT(SPIFFS_END, "before start_date");
    if (!c[SPIFFS_AMOUNT].blank && !(c[SPIFFS_AMOUNT].num >= 0))
        REJECT(SPIFFS_AMOUNT, "must be 0 or more: %s", QUOTE(&c[SPIFFS_AMOUNT]));
    CHECK(append_spiffs(L, c, NULL, line, &row));
    return cs_keyindex_put(L->key[CS_T_SPIFFS], c[SPIFFS_ID].str.id, row);
}

static int row_commissions(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[COMMISSIONS_COLUMNS], row;
    char q[128];
    ref[COMMISSIONS_REP] = find_key(L, CS_T_REPS, &c[COMMISSIONS_REP]);
    if (ref[COMMISSIONS_REP] == CS_NONE)
        REJECT(COMMISSIONS_REP, "unknown rep_id %s", QUOTE(&c[COMMISSIONS_REP]));
    uint32_t deal = ref[COMMISSIONS_DEAL] = find_key(L, CS_T_DEALS, &c[COMMISSIONS_DEAL]);
    if (deal == CS_NONE)
        REJECT(COMMISSIONS_DEAL, "unknown deal_id %s (not in %s, or the deal was rejected)",
               QUOTE(&c[COMMISSIONS_DEAL]), FILE_READ(DEALS));
    if (!c[COMMISSIONS_CURRENCY].blank) {
        const struct cs_deals *d = &L->ds->deals;
        int r = convert(L, c, line, COMMISSIONS_CURRENCY, COMMISSIONS_COMMISSION,
                        rate_day(d->stage[deal], d->close[deal], d->created[deal]));
        if (r)
            return r;
    }
    return append_commissions(L, c, ref, line, &row);
}

static int row_roadmap(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t row;
    int u = unique_key(L, c, ROADMAP_ID, L->ds->roadmap.line, line);
    if (u)
        return u;
    CHECK(append_roadmap(L, c, NULL, line, &row));
    return cs_keyindex_put(L->key[CS_T_ROADMAP], c[ROADMAP_ID].str.id, row);
}

static int row_promises(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[PROMISES_COLUMNS], row;
    char q[128];
    int u = unique_key(L, c, PROMISES_ID, L->ds->promises.line, line);
    if (u)
        return u;
    ref[PROMISES_DEAL] = find_key(L, CS_T_DEALS, &c[PROMISES_DEAL]);
    if (ref[PROMISES_DEAL] == CS_NONE)
        REJECT(PROMISES_DEAL, "unknown deal_id %s (not in %s, or the deal was rejected)",
               QUOTE(&c[PROMISES_DEAL]), FILE_READ(DEALS));
    CHECK(append_promises(L, c, ref, line, &row));
    return cs_keyindex_put(L->key[CS_T_PROMISES], c[PROMISES_ID].str.id, row);
}

static int row_collateral(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[COLLATERAL_COLUMNS], row;
    char q[128];
    int u = unique_key(L, c, COLLATERAL_ID, L->ds->collateral.line, line);
    if (u)
        return u;
    ref[COLLATERAL_OWNER] = find_key(L, CS_T_REPS, &c[COLLATERAL_OWNER]);
    if (ref[COLLATERAL_OWNER] == CS_NONE)
        REJECT(COLLATERAL_OWNER, "unknown owner_id %s (not a rep_id of %s)",
               QUOTE(&c[COLLATERAL_OWNER]), FILE_READ(REPS));
    CHECK(append_collateral(L, c, ref, line, &row));
    return cs_keyindex_put(L->key[CS_T_COLLATERAL], c[COLLATERAL_ID].str.id, row);
}

static int row_claims(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[CLAIMS_COLUMNS], row;
    char q[128];
    ref[CLAIMS_ASSET] = find_key(L, CS_T_COLLATERAL, &c[CLAIMS_ASSET]);
    if (ref[CLAIMS_ASSET] == CS_NONE)
        REJECT(CLAIMS_ASSET, "unknown asset_id %s (not in %s, or the asset was rejected)",
               QUOTE(&c[CLAIMS_ASSET]), FILE_READ(COLLATERAL));
    return append_claims(L, c, ref, line, &row);
}

/* targets.csv: an owner's figure for a quarter, once. */
static int row_targets(struct loader *L, struct cell *c, unsigned long line)
{
    uint32_t ref[TARGETS_COLUMNS], row;
    char q[128];
    uint32_t owner = ref[TARGETS_OWNER] = find_key(L, CS_T_REPS, &c[TARGETS_OWNER]);
    if (owner == CS_NONE)
        REJECT(TARGETS_OWNER, "unknown owner_id %s (not a rep_id of %s)",
               QUOTE(&c[TARGETS_OWNER]), FILE_READ(REPS));
    if (c[TARGETS_PERIOD].period % 10 == 0)
        REJECT(TARGETS_PERIOD, "targets are per quarter, %s is a year", QUOTE(&c[TARGETS_PERIOD]));
    if (!(c[TARGETS_TARGET].num > 0))
        REJECT(TARGETS_TARGET, "must be greater than 0: %s", QUOTE(&c[TARGETS_TARGET]));
    if (!(c[TARGETS_ACTUAL].num >= 0))
        REJECT(TARGETS_ACTUAL, "must be 0 or more: %s", QUOTE(&c[TARGETS_ACTUAL]));
    uint64_t key = cs_key_pair(owner, c[TARGETS_PERIOD].period);
    uint32_t prev = cs_keyindex_get(L->key[CS_T_TARGETS], key);
    if (prev != CS_NONE)
        REJECT(TARGETS_PERIOD, "duplicate target for this owner and period (first on line %u)",
               L->ds->targets.line[prev]);
    CHECK(append_targets(L, c, ref, line, &row));
    return cs_keyindex_put(L->key[CS_T_TARGETS], key, row);
}

typedef int (*row_fn)(struct loader *L, struct cell *c, unsigned long line);

#define HANDLER(T, member, required) [CS_T_##T] = row_##member,
static const row_fn row_handler[CS_T_COUNT] = {CS_TABLES(HANDLER)};

int cs_rows_load(struct loader *L, struct cell *c, unsigned long line)
{
    return row_handler[L->t](L, c, line);
}

/* ------------------------------------------------------------------------
 * Plans: group the tier rows, check each plan as a whole
 * --------------------------------------------------------------------- */

#define PLAN_COLUMN(col) (cs_schema_table(CS_T_PLANS)->columns[col].name)

/* Reject plans.csv row r (an index of L->prow) on column: formatted
 * reason, of kind fmt, from the row's own file.  1, or -1 on OOM. */
static int plan_reject(struct loader *L, uint32_t r, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int plan_reject(struct loader *L, uint32_t r, const char *column, const char *fmt, ...)
{
    char buf[REJECT_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *pid = cs_strpool_get(L->ds->str, L->prow.id[r]);
    if (miss(&L->ds->missing_plans, &L->ds->n_missing_plans, pid, strlen(pid)) != 0)
        return -1;
    return cs_load_reject_msg(L, CS_T_PLANS, L->prow.src[r], L->prow.line[r], column,
                              strcmp(fmt, "%s") ? fmt : NULL, buf) ? -1 : 1;
}

static int cmp_prow_index(const void *a, const void *b, void *ctx)
{
    const struct loader *L = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (L->prow.id[i] != L->prow.id[j])
        return L->prow.id[i] < L->prow.id[j] ? -1 : 1;
    if (L->prow.floor[i] != L->prow.floor[j])
        return L->prow.floor[i] < L->prow.floor[j] ? -1 : 1;
    return L->prow.line[i] < L->prow.line[j] ? -1 : L->prow.line[i] > L->prow.line[j];
}

/* A plan row's credit fraction of column col (PLANS_CREDIT_*): 1 when blank. */
static double credit_value(const struct plan_rows *pr, size_t col, uint32_t r)
{
    const double *v = col == PLANS_CREDIT_NEW         ? pr->credit_new
                      : col == PLANS_CREDIT_EXPANSION ? pr->credit_expansion
                                                      : pr->credit_renewal;
    return isnan(v[r]) ? 1.0 : v[r];
}

/* The first credit_ column on which row r differs from row head, or -1. */
static int credit_differs(const struct plan_rows *pr, uint32_t r, uint32_t head)
{
    for (size_t k = PLANS_CREDIT_NEW; k <= PLANS_CREDIT_RENEWAL; k++)
        if (credit_value(pr, k, r) != credit_value(pr, k, head))
            return (int)k;
    return -1;
}

/*
 * The rows of one plan, order[g..e) (sorted by floor, then line), that
 * agree with its first row in file order (head) and repeat no floor,
 * into kept[]; the others are rejected.  The number kept, or -1 on OOM.
 */
static long keep_rows(struct loader *L, const uint32_t *order, size_t g, size_t e, uint32_t head,
                      const char *q, uint32_t *kept)
{
    const struct plan_rows *pr = &L->prow;
    size_t n = 0;
    for (size_t k = g; k < e; k++) {
        uint32_t r = order[k];
        int bad = 0, k2;
        if (pr->period_type[r] != pr->period_type[head])
            bad = plan_reject(L, r, PLAN_COLUMN(PLANS_PERIOD_TYPE),
                              "plan %s has period_type %s on line %u", q,
                              pr->period_type[head] ? "year" : "quarter", pr->line[head]);
        else if (pr->quota[r] != pr->quota[head])
            bad = plan_reject(L, r, PLAN_COLUMN(PLANS_QUOTA), "plan %s has quota %.15g on line %u",
                              q, pr->quota[head], pr->line[head]);
        else if ((k2 = credit_differs(pr, r, head)) >= 0)
            bad = plan_reject(L, r, PLAN_COLUMN(k2), "plan %s has %s %.15g on line %u", q,
                              PLAN_COLUMN(k2), credit_value(pr, (size_t)k2, head), pr->line[head]);
        else if (n && pr->floor[kept[n - 1]] == pr->floor[r])
            bad = plan_reject(L, r, PLAN_COLUMN(PLANS_FLOOR),
                              "duplicate tier_floor %.15g for plan %s (first on line %u)",
                              pr->floor[r], q, pr->line[kept[n - 1]]);
        if (bad < 0)
            return -1;
        if (!bad)
            kept[n++] = r;
    }
    return (long)n;
}

/*
 * The plan of string id plan made of its kept rows (head's period_type
 * and quota), checked as a whole by the plan validator: added to the
 * dataset, or each of its rows rejected with the rule it breaks (a plan
 * without a floor-0 tier; the rows' own rules leave no other).  0, or -1
 * on OOM.
 */
static int add_plan(struct loader *L, uint32_t plan, uint32_t head, const uint32_t *kept,
                    size_t n_kept, const char *pid)
{
    struct cs_plans *p = &L->ds->plans;
    if (cs_columns_reserve(&L->cols[CS_T_PLANS]) != 0)
        return -1;
    size_t i = p->n;
    p->id[i] = plan;
    p->period_type[i] = L->prow.period_type[head];
    p->quota[i] = L->prow.quota[head];
    p->credit_new[i] = credit_value(&L->prow, PLANS_CREDIT_NEW, head);
    p->credit_expansion[i] = credit_value(&L->prow, PLANS_CREDIT_EXPANSION, head);
    p->credit_renewal[i] = credit_value(&L->prow, PLANS_CREDIT_RENEWAL, head);
    p->tier_first[i] = (uint32_t)p->n_tiers;
    p->tier_count[i] = (uint32_t)n_kept;
    for (size_t k = 0; k < n_kept; k++) {
        p->floor[p->n_tiers + k] = L->prow.floor[kept[k]];
        p->rate[p->n_tiers + k] = L->prow.rate[kept[k]];
    }
    p->n_tiers += n_kept;
    struct cs_plan_fault f = cs_plan_check(p, i);
    if (f.rule != CS_PLAN_OK) {
        p->n_tiers -= n_kept;
        char msg[REJECT_MSG];
        cs_plan_fault_message(&f, CS_PLAN_STYLE_ROWS, pid, msg, sizeof msg);
        for (size_t k = 0; k < n_kept; k++)
            if (plan_reject(L, kept[k], cs_plan_fault_column(&f, CS_PLAN_STYLE_ROWS), "%s",
                            msg) < 0)
                return -1;
        return 0;
    }
    p->n++;
    L->ds->counts[CS_T_PLANS].used += n_kept;
    return cs_keyindex_put(L->key[CS_T_PLANS], plan, (uint32_t)i);
}

/* The first row of a plan in file order decides its period_type, quota and
 * credit_ fractions; later rows that disagree, and repeated floors, are
 * rejected; a plan left without a floor-0 tier is rejected whole. */
enum cs_status cs_rows_build_plans(struct loader *L)
{
    enum cs_status st = CS_OK;
    size_t n = L->prow.n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *kept = malloc((n ? n : 1) * sizeof *kept);
    struct cs_plans *p = &L->ds->plans;
    p->n_tiers = 0;
    p->floor = malloc((n ? n : 1) * sizeof *p->floor);
    p->rate = malloc((n ? n : 1) * sizeof *p->rate);
    if (!order || !kept || !p->floor || !p->rate) {
        st = cs_load_oom(L);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_prow_index, L);
    for (size_t g = 0, e; g < n; g = e) {
        uint32_t plan = L->prow.id[order[g]], head = order[g];
        for (e = g; e < n && L->prow.id[order[e]] == plan; e++)
            if (L->prow.line[order[e]] < L->prow.line[head])
                head = order[e];
        const char *pid = cs_strpool_get(L->ds->str, plan);
        char q[128];
        cs_quote_bytes(q, sizeof q, pid, strlen(pid));
        long n_kept = keep_rows(L, order, g, e, head, q, kept);
        if (n_kept < 0 || add_plan(L, plan, head, kept, (size_t)n_kept, pid) != 0) {
            st = cs_load_oom(L);
            goto out;
        }
    }
out:
    free(order);
    free(kept);
    return st;
}
