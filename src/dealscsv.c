/* dealscsv.c - write the per-deal measures table (deals.csv, `compsight deals`). */
#include <math.h>
#include <string.h>

#include "compsight/dealscsv.h"
#include "compsight/output.h"

static const char *const type_names[] = {"new", "expansion", "renewal"};

static void put_int(FILE *f, long v)
{
    char buf[24];
    fwrite(buf, 1, cs_format_int(v, buf), f);
}

void cs_deals_csv_write(FILE *f, const struct cs_dataset *ds, const struct cs_calendar *cal,
                        const struct cs_incentives *inc, const struct cs_outcomes *oc,
                        const struct cs_selection *sel, bool private_mode)
{
    (void)cal;
    const struct cs_deals *d = &ds->deals;
    /* One lock for the whole table: the per-character calls below are the
     * unlocked variants, and a million rows of locked fputc cost seconds. */
    flockfile(f);
    fputs("deal_id,rep,team,plan_id,period,account,type,product,amount,discount_pct,close_date,"
          "attainment_before,marginal_rate,commission,effective_rate,tier_cross,"
          "gap_to_next_tier,days_to_period_end,last_14_days,spiff,log_amount,"
          "risky_promises,promise_risk\n", f);
    for (size_t i = 0; i < d->n; i++) {
        if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
            continue;
        uint32_t rep = d->rep[i];
        char buf[32];
        cs_csv_text(f, cs_ds_str(ds, d->id[i]));
        putc_unlocked(',', f);
        if (private_mode) {
            cs_csv_text(f, cs_ds_str(ds, ds->reps.id[rep]));
        } else {
            cs_pseudonym(cs_ds_str(ds, ds->reps.id[rep]), buf);
            fputs(buf, f);
        }
        putc_unlocked(',', f);
        cs_csv_text(f, cs_ds_str(ds, ds->reps.team[rep]));
        putc_unlocked(',', f);
        cs_csv_text(f, cs_ds_str(ds, ds->plans.id[ds->reps.plan[rep]]));
        putc_unlocked(',', f);
        cs_format_period(inc->period[i], buf);
        fputs(buf, f);
        putc_unlocked(',', f);
        cs_csv_text(f, cs_ds_str(ds, d->account[i]));
        putc_unlocked(',', f);
        fputs(type_names[d->type[i]], f);
        putc_unlocked(',', f);
        cs_csv_text(f, cs_ds_str(ds, d->product[i]));
        putc_unlocked(',', f);
        cs_put_number(f, d->amount[i]);
        putc_unlocked(',', f);
        cs_put_number(f, d->discount_pct[i]);
        cs_format_date(d->close[i], buf);
        putc_unlocked(',', f);
        fputs(buf, f);
        putc_unlocked(',', f);
        cs_put_number(f, inc->attainment_before[i]);
        putc_unlocked(',', f);
        cs_put_number(f, inc->marginal_rate[i]);
        putc_unlocked(',', f);
        cs_put_number(f, inc->commission[i]);
        putc_unlocked(',', f);
        cs_put_number(f, inc->effective_rate[i]);
        putc_unlocked(',', f);
        put_int(f, inc->tier_cross[i]);
        putc_unlocked(',', f);
        cs_put_number(f, inc->gap_to_next_tier[i]);
        putc_unlocked(',', f);
        put_int(f, inc->days_to_period_end[i]);
        putc_unlocked(',', f);
        put_int(f, inc->last_14_days[i]);
        putc_unlocked(',', f);
        put_int(f, inc->spiff[i]);
        putc_unlocked(',', f);
        cs_put_number(f, inc->log_amount[i]);
        putc_unlocked(',', f);
        put_int(f, (long)oc->risky_promises[i]);
        putc_unlocked(',', f);
        put_int(f, oc->promise_risk[i]);
        putc_unlocked('\n', f);
    }
    funlockfile(f);
}
