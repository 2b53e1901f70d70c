/* cmd_generate.c - `compsight generate`: a synthetic data set with planted effects. */
#include "compsight/commands.h"
#include "compsight/generate.h"

enum cs_status cs_cmd_generate(const struct cs_options *opt, const struct cs_io *io,
                               struct cs_error *err)
{
    if (!opt->out_dir)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "generate needs --out DIR");
    struct cs_gen_options g = {
        .out_dir = opt->out_dir,
        .n_deals = opt->n_deals,
        .seed = opt->seed,
        .dirty = opt->dirty,
        .null_effects = opt->null_effects,
        .skill = opt->skill,
        .assignments = opt->assignments,
        .splits = opt->splits,
        .credit_by_type = opt->credit_by_type,
        .plan_change_movers_set = opt->plan_change_movers_set,
        .plan_change_movers = opt->plan_change_movers,
        .plan_change_effect_set = opt->plan_change_effect_set,
        .plan_change_effect = opt->plan_change_effect,
        .fiscal_start = opt->fiscal_start,
        .preset = opt->preset,
    };
    enum cs_status st = cs_generate(&g, err);
    if (st == CS_OK)
        cs_io_done(io, "data set written to %s/", opt->out_dir);
    return st;
}
