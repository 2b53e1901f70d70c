/* cmd_deals.c - `compsight deals`: the section 5/6 measures of every won deal as CSV. */
#include "compsight/commands.h"
#include "compsight/dealscsv.h"
#include "compsight/select.h"

enum cs_status cs_cmd_deals(const struct cs_options *opt, const struct cs_io *io,
                            struct cs_error *err)
{
    struct cs_session s;
    struct cs_selection sel;
    struct cs_incentives *inc = NULL;
    struct cs_outcomes *oc = NULL;
    struct cs_key key = {{0}};
    enum cs_status st = cs_session_open_keyed(opt, io, &s, opt->private_mode ? NULL : &key, err);
    if (st != CS_OK) {
        cs_key_wipe(&key);
        return st;
    }
    if (s.ds->n_rejects && opt->strict) {
        st = cs_error_set(err, CS_ERR_REJECTS, NULL, 0, NULL,
                          "%zu rows rejected (--strict); 'compsight check' lists them",
                          s.ds->n_rejects);
        goto out;
    }
    if ((st = cs_session_max_rejected(opt, s.ds, err)) != CS_OK)
        goto out;
    /* deals lists every period unless one is asked for. */
    st = cs_select_period(opt->period ? opt->period : "all", s.ds, &s.cal, &sel, err);
    if (st == CS_OK && sel.mode == CS_SELECT_EACH)
        st = cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "deals takes --period LABEL or all");
    if (st == CS_OK)
        st = cs_incentives_compute(s.ds, &s.ds->plans, &s.cal, &inc, err);
    if (st == CS_OK)
        st = cs_outcomes_compute(s.ds, &s.cal, &oc, err);
    if (st != CS_OK)
        goto out;
    cs_deals_csv_write(io->out, s.ds, &s.cal, inc, oc, &sel, opt->private_mode ? NULL : &key,
                       NULL);
    if (s.ds->n_rejects)
        cs_io_warn(io, "%zu rows rejected; 'compsight check' lists them", s.ds->n_rejects);
out:
    cs_key_wipe(&key);
    cs_outcomes_free(oc);
    cs_incentives_free(inc);
    cs_session_close(&s);
    return st;
}
