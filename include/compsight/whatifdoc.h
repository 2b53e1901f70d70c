/* whatifdoc.h - whatif.md and whatif.html: the alternative plans against the current ones (SPEC 8). */
#ifndef COMPSIGHT_WHATIFDOC_H
#define COMPSIGHT_WHATIFDOC_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/dataset.h"
#include "compsight/groups.h"
#include "compsight/status.h"
#include "compsight/whatif.h"

/* What `compsight whatif` simulated, for its document; everything is
 * borrowed. */
struct cs_whatif_doc {
    const struct cs_whatif_base *base;     /* the data set is base->ds */
    const char *date;                      /* YYYY-MM-DD the document carries */
    const bool *listed;                    /* per plan of base->ds: the file lists it (the
                                              others carry over unchanged); NULL: all */
    const struct cs_plans *alt;            /* the alternative plans, every plan of base->ds */
    const struct cs_whatif_result *result; /* the alternative against the current plans */
    bool plot_risky;                       /* plots/whatif-risky.png was drawn */
    bool plot_commission;                  /* plots/whatif-commission.png was drawn */
    const struct cs_disclosure *disc;      /* plans too small to show by themselves
                                              (groups.h); NULL: every plan */
};

/* whatif.md and whatif.html in dir, each written atomically.
 * CS_ERR_OUTPUT when a file cannot be written, CS_ERR_NOMEM. */
enum cs_status cs_whatif_doc_write(const char *dir, const struct cs_whatif_doc *w,
                                   struct cs_error *err);

#endif
