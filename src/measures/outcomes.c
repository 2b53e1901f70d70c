/* outcomes.c - promise classes, per-deal promise risk and misstated collateral (SPEC 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "compsight/outcomes.h"

static const char *const class_names[CS_PROMISE_CLASS_COUNT] = {
    [CS_PROMISE_ON_ROADMAP] = "on_roadmap",
    [CS_PROMISE_PREMATURE] = "premature",
    [CS_PROMISE_OFF_ROADMAP] = "off_roadmap",
};

const char *cs_outcomes_class_name(enum cs_promise_class c)
{
    return (unsigned)c < CS_PROMISE_CLASS_COUNT ? class_names[c] : "?";
}

/* ======================================================================
 * Rules
 * ==================================================================== */

enum cs_promise_class cs_outcomes_promise_class(const struct cs_dataset *ds, size_t j)
{
    uint32_t f = ds->promises.feature[j];
    if (f == CS_NONE || f >= ds->roadmap.n)
        return CS_PROMISE_OFF_ROADMAP;
    switch (ds->roadmap.status[f]) {
    case CS_RM_EXPLORING:
    case CS_RM_NOT_PLANNED:
        return CS_PROMISE_OFF_ROADMAP;
    case CS_RM_PLANNED:
    case CS_RM_COMMITTED: {
        int32_t due = ds->promises.due[j], target = ds->roadmap.target[f];
        if (due != CS_NO_DATE && target != CS_NO_DATE && due < target)
            return CS_PROMISE_PREMATURE;
        return CS_PROMISE_ON_ROADMAP;
    }
    default:
        return CS_PROMISE_ON_ROADMAP;
    }
}

int cs_outcomes_claim_misstated(const struct cs_dataset *ds, size_t j)
{
    uint32_t f = ds->claims.feature[j];
    int known = f != CS_NONE && f < ds->roadmap.n;
    if (ds->claims.claim[j] == CS_CLAIM_COMING_SOON) {
        if (!known)
            return 1;
        return ds->roadmap.status[f] == CS_RM_EXPLORING ||
               ds->roadmap.status[f] == CS_RM_NOT_PLANNED;
    }
    /* available */
    if (!known || ds->roadmap.status[f] != CS_RM_SHIPPED)
        return 1;
    uint32_t a = ds->claims.asset[j];
    int32_t shipped = ds->roadmap.shipped[f];
    int32_t published = a < ds->collateral.n ? ds->collateral.published[a] : CS_NO_DATE;
    /* Shipped with no date, or no publication date: nothing contradicts it. */
    if (shipped == CS_NO_DATE || published == CS_NO_DATE)
        return 0;
    return shipped > published;
}

/* ======================================================================
 * Targets lookup: (owner, period) -> first row
 * ==================================================================== */

struct target_key {
    uint32_t owner;
    int32_t period;
    uint32_t row;
};

static int cmp_target(const void *pa, const void *pb)
{
    const struct target_key *a = pa, *b = pb;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* Row of the first target for (owner, period) in file order, or -1. */
static long find_target(const struct target_key *k, size_t n, uint32_t owner, int32_t period)
{
    size_t lo = 0, hi = n;        /* lower bound of (owner, period) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].owner < owner || (k[mid].owner == owner && k[mid].period < period))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || k[lo].owner != owner || k[lo].period != period)
        return -1;
    return (long)k[lo].row;
}

/* ======================================================================
 * cs_outcomes_compute
 * ==================================================================== */

void cs_outcomes_free(struct cs_outcomes *oc)
{
    if (!oc)
        return;
    free(oc->promise_class);
    free(oc->promises);
    free(oc->risky_promises);
    free(oc->promise_risk);
    free(oc->claim_misstated);
    free(oc->asset_misstated);
    free(oc->asset_claims);
    free(oc->asset_quarter);
    free(oc->target_gap);
    free(oc->days_to_quarter_end);
    free(oc->asset_last_14_days);
    free(oc);
}


enum cs_status cs_outcomes_compute(const struct cs_dataset *ds, const struct cs_calendar *cal,
                                   struct cs_outcomes **out, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct cs_outcomes *oc = NULL;
    struct target_key *tk = NULL;
    size_t np = ds->promises.n, nd = ds->deals.n, nc = ds->claims.n, na = ds->collateral.n;

    *out = NULL;
    oc = calloc(1, sizeof *oc);
    if (!oc)
        goto nomem;
    oc->n_promises = np;
    oc->n_deals = nd;
    oc->n_claims = nc;
    oc->n_assets = na;
    if (!(oc->promise_class = cs_calloc_big(np, sizeof *oc->promise_class)) ||
        !(oc->promises = cs_calloc_big(nd, sizeof *oc->promises)) ||
        !(oc->risky_promises = cs_calloc_big(nd, sizeof *oc->risky_promises)) ||
        !(oc->promise_risk = cs_calloc_big(nd, sizeof *oc->promise_risk)) ||
        !(oc->claim_misstated = cs_calloc_big(nc, sizeof *oc->claim_misstated)) ||
        !(oc->asset_misstated = cs_calloc_big(na, sizeof *oc->asset_misstated)) ||
        !(oc->asset_claims = cs_calloc_big(na, sizeof *oc->asset_claims)) ||
        !(oc->asset_quarter = cs_calloc_big(na, sizeof *oc->asset_quarter)) ||
        !(oc->target_gap = cs_calloc_big(na, sizeof *oc->target_gap)) ||
        !(oc->days_to_quarter_end = cs_calloc_big(na, sizeof *oc->days_to_quarter_end)) ||
        !(oc->asset_last_14_days = cs_calloc_big(na, sizeof *oc->asset_last_14_days)))
        goto nomem;

    /* Promises and the per-deal counts. */
    for (size_t j = 0; j < np; j++) {
        enum cs_promise_class c = cs_outcomes_promise_class(ds, j);
        uint32_t di = ds->promises.deal[j];
        oc->promise_class[j] = (uint8_t)c;
        oc->class_count[c]++;
        if (di >= nd)
            continue;
        oc->promises[di]++;
        if (c != CS_PROMISE_ON_ROADMAP)
            oc->risky_promises[di]++;
    }
    for (size_t i = 0; i < nd; i++)
        oc->promise_risk[i] = oc->risky_promises[i] > 0;

    /* Claims, rolled up to their assets. */
    for (size_t j = 0; j < nc; j++) {
        uint32_t a = ds->claims.asset[j];
        oc->claim_misstated[j] = (uint8_t)cs_outcomes_claim_misstated(ds, j);
        if (a >= na)
            continue;
        oc->asset_claims[a]++;
        if (oc->claim_misstated[j])
            oc->asset_misstated[a] = 1;
    }

    /* Assets: quarter, target gap of the owner, days to quarter end. */
    size_t nt = 0;
    if (!(tk = cs_calloc_big(ds->targets.n, sizeof *tk)))
        goto nomem;
    for (size_t j = 0; j < ds->targets.n; j++) {
        if (!(ds->targets.target[j] > 0) || !isfinite(ds->targets.target[j]))
            continue;                     /* a gap needs a target > 0 */
        tk[nt].owner = ds->targets.owner[j];
        tk[nt].period = ds->targets.period[j];
        tk[nt].row = (uint32_t)j;
        nt++;
    }
    qsort(tk, nt, sizeof *tk, cmp_target);
    for (size_t a = 0; a < na; a++) {
        int32_t pub = ds->collateral.published[a];
        oc->target_gap[a] = NAN;
        if (pub == CS_NO_DATE) {
            oc->asset_quarter[a] = CS_NO_PERIOD;
            oc->days_to_quarter_end[a] = -1;
            oc->asset_last_14_days[a] = -1;
            continue;
        }
        int32_t q = cs_cal_quarter_code(cal, pub);
        oc->asset_quarter[a] = q;
        oc->days_to_quarter_end[a] = cs_cal_period_last_day(cal, q) - pub;
        oc->asset_last_14_days[a] = (int8_t)(oc->days_to_quarter_end[a] < 14);
        long row = find_target(tk, nt, ds->collateral.owner[a], q);
        if (row >= 0)
            oc->target_gap[a] = 1.0 - ds->targets.actual[row] / ds->targets.target[row];
    }

    *out = oc;
    oc = NULL;
    goto out;

nomem:
    st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory computing outcomes");
out:
    cs_outcomes_free(oc);
    free(tk);
    return st;
}

/* ======================================================================
 * Text normalisation for the voice-of-the-field grouping
 * ==================================================================== */

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t cs_outcomes_normalize_text(const char *s, char *buf, size_t n)
{
    size_t len = 0;          /* length of the full result */
    size_t cut = 0;          /* bytes written, at a character boundary */
    int pending_space = 0;
    int fits = 1;

    if (!s)
        s = "";
    while (is_space((unsigned char)*s))
        s++;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (is_space(*p)) {
            pending_space = 1;    /* written only if something follows: trims the end */
            continue;
        }
        if (pending_space) {
            if (fits && len + 1 < n)
                buf[len] = ' ';
            else
                fits = 0;
            len++;
            pending_space = 0;    /* cut stays before it: no trailing space when cut */
        }
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (fits && len + 1 < n)
            buf[len] = (char)c;
        else
            fits = 0;
        len++;
        /* A boundary is before any byte that is not a UTF-8 continuation. */
        if (fits && (p[1] & 0xC0) != 0x80)
            cut = len;
    }
    if (n > 0)
        buf[fits ? len : cut] = '\0';
    return len;
}
