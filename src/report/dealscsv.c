/* dealscsv.c - write the per-deal measures table (deals.csv, `compsight deals`). */
#include <math.h>
#include <string.h>

#include "compsight/dealscsv.h"
#include "compsight/output.h"
#include "compsight/strpool.h"
#include "numfmt.h"

static const char *const type_names[] = {"new", "expansion", "renewal"};

/*
 * The table goes out through a 64 KiB buffer of its own, filled with
 * memcpy and the formatters and handed to stdio whole: cell by cell, the
 * stdio calls (and a strlen a cell) were a third of the time the table
 * took at ten million deals.  A text cell too big for the buffer goes to
 * the file directly.
 */
#define OUT_SIZE ((size_t)64 << 10)

struct out {
    FILE *f;
    size_t n;
    char b[OUT_SIZE];
};

/* Room for need bytes (need <= OUT_SIZE). */
static char *room(struct out *o, size_t need)
{
    if (OUT_SIZE - o->n < need) {
        fwrite(o->b, 1, o->n, o->f);
        o->n = 0;
    }
    return o->b + o->n;
}

/* Each put_ writes a cell and the separator after it (',' or '\n'). */

static void put_sep(struct out *o, char sep)
{
    *room(o, 1) = sep;
    o->n++;
}

/* A cell of our own making (a date, a period, a pseudonym, a type): no
 * escaping needed. */
static void put_str(struct out *o, const char *s, char sep)
{
    size_t len = strlen(s);
    memcpy(room(o, len), s, len);
    o->n += len;
    put_sep(o, sep);
}

/* A text cell: pool string id of the data set. */
static void put_text(struct out *o, const struct cs_dataset *ds, uint32_t id, char sep)
{
    const char *s = cs_ds_str(ds, id);
    size_t len = cs_strpool_len(ds->str, id);
    if (len > (OUT_SIZE - 3) / 2) {
        room(o, OUT_SIZE);     /* empties the buffer, to keep the order */
        cs_csv_cell(o->f, s, len, true);
    } else {
        o->n += cs_csv_cell_mem(room(o, 2 * len + 3), s, len, true);
    }
    put_sep(o, sep);
}

static void put_number(struct out *o, double x, char sep)
{
    o->n += cs_format_number(x, room(o, 32));
    put_sep(o, sep);
}

static void put_int(struct out *o, long v, char sep)
{
    o->n += cs_format_int(v, room(o, 24));
    put_sep(o, sep);
}

/* The share of won deal i's own credit row (cs_incentives_credit_share),
 * deals taken in order: *x walks inc->split forward. */
static double own_share(const struct cs_incentives *inc, size_t i, size_t *x)
{
    const struct cs_credit_rows *cr = &inc->split;
    while (*x < cr->n && cr->deal[*x] < i)
        (*x)++;
    for (size_t k = *x; k < cr->n && cr->deal[k] == i; k++)
        if (cr->own[k])
            return cr->share[k];
    return 1.0;
}

void cs_deals_csv_write(FILE *f, const struct cs_dataset *ds, const struct cs_calendar *cal,
                        const struct cs_incentives *inc, const struct cs_outcomes *oc,
                        const struct cs_selection *sel, bool private_mode)
{
    (void)cal;
    const struct cs_deals *d = &ds->deals;
    struct out o;          /* 64 KiB of stack: the writers' threads have the default 8 MiB */
    o.f = f;
    o.n = 0;
    /* amount, commission and log_amount are in the corporate currency,
     * which the currency column names (SPEC 12) */
    const char *currency = cs_ds_currency(ds);
    /* SPEC 13: the share of the deal's own credit row, with splits.csv only
     * (so that the table of data without it stays as it was) */
    bool split = ds->counts[CS_T_SPLITS].present;
    size_t x = 0;          /* cursor into inc->split, for own_share */
    put_str(&o, "deal_id,rep,team,plan_id,period,account,type,product,amount,currency,discount_pct,"
                "close_date,attainment_before,marginal_rate,commission,effective_rate,"
                "tier_cross,gap_to_next_tier,days_to_period_end,last_14_days,spiff,log_amount,"
                "risky_promises,promise_risk", split ? ',' : '\n');
    if (split)
        put_str(&o, "credit_share", '\n');
    for (size_t i = 0; i < d->n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
            continue;
        uint32_t rep = d->rep[i];
        char buf[32];
        put_text(&o, ds, d->id[i], ',');
        if (private_mode) {
            put_text(&o, ds, ds->reps.id[rep], ',');
        } else {
            cs_pseudonym(cs_ds_str(ds, ds->reps.id[rep]), buf);
            put_str(&o, buf, ',');
        }
        /* SPEC 13: the team and plan of the deal's own credit row */
        put_text(&o, ds, cs_incentives_team(ds, inc, i), ',');
        put_text(&o, ds, ds->plans.id[inc->rp.plan[inc->rep_period[i]]], ',');
        cs_format_period(inc->period[i], buf);
        put_str(&o, buf, ',');
        put_text(&o, ds, d->account[i], ',');
        put_str(&o, type_names[d->type[i]], ',');
        put_text(&o, ds, d->product[i], ',');
        put_number(&o, d->amount[i], ',');
        put_str(&o, currency, ',');
        put_number(&o, d->discount_pct[i], ',');
        cs_format_date(d->close[i], buf);
        put_str(&o, buf, ',');
        put_number(&o, inc->attainment_before[i], ',');
        put_number(&o, inc->marginal_rate[i], ',');
        put_number(&o, inc->commission[i], ',');
        put_number(&o, inc->effective_rate[i], ',');
        put_int(&o, inc->tier_cross[i], ',');
        put_number(&o, inc->gap_to_next_tier[i], ',');
        put_int(&o, inc->days_to_period_end[i], ',');
        put_int(&o, inc->last_14_days[i], ',');
        put_int(&o, inc->spiff[i], ',');
        put_number(&o, inc->log_amount[i], ',');
        put_int(&o, (long)oc->risky_promises[i], ',');
        put_int(&o, oc->promise_risk[i], split ? ',' : '\n');
        if (split)
            put_number(&o, own_share(inc, i, &x), '\n');
    }
    fwrite(o.b, 1, o.n, f);
}
