/* cmd_whatif.c - `compsight whatif` and `compsight propose`: simulate changed plans. */
#include "compsight/commands.h"

enum cs_status cs_cmd_whatif(const struct cs_options *opt, const struct cs_io *io,
                             struct cs_error *err)
{
    (void)opt;
    (void)io;
    return cs_error_set(err, CS_ERR_NOTIMPL, NULL, 0, NULL, "whatif: not implemented yet");
}

enum cs_status cs_cmd_propose(const struct cs_options *opt, const struct cs_io *io,
                              struct cs_error *err)
{
    (void)opt;
    (void)io;
    return cs_error_set(err, CS_ERR_NOTIMPL, NULL, 0, NULL, "propose: not implemented yet");
}
