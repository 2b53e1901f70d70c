/* whatif_json.h - the JSON and plans CSV that `compsight whatif` and `compsight propose` both write (private to src/cli/). */
#ifndef COMPSIGHT_CLI_WHATIF_JSON_H
#define COMPSIGHT_CLI_WHATIF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "compsight/dataset.h"
#include "compsight/groups.h"
#include "compsight/status.h"
#include "compsight/whatif.h"

/* o[key] = v, null when v is NULL (jansson's allocation failed). */
static inline int jset(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v ? v : json_null());
}

static inline const char *plan_name(const struct cs_dataset *ds, size_t p)
{
    return cs_ds_str(ds, ds->plans.id[p]);
}

/*
 * The figures of one simulation into o: the same keys in whatif.json and
 * in each option of proposal.json.  Its "plans" are those of
 * show[0..n_show) (in plan order; NULL: every plan) that have deals or
 * change, less those too small to show by themselves (disc, groups.h;
 * NULL: none).  Everything is borrowed.
 */
void cs_whatif_json_result(json_t *o, const struct cs_whatif_base *b,
                           const struct cs_whatif_result *r, const uint32_t *show, size_t n_show,
                           const struct cs_disclosure *disc);

/* The header both files share: version, period, currency, counts, the
 * model and the bootstrap. */
void cs_whatif_json_header(json_t *o, const struct cs_whatif_base *b);

/*
 * An alternative plans file dir/name in plans.csv's format: the plans of
 * pl (ids are ds's strings), which for an option is the one plan it
 * changes: the others carry over when the file is read back (SPEC 13),
 * with credit_ columns when a plan of pl credits a deal type at other
 * than 1.  It is an input for compsight (whatif --plans reads it back),
 * not a spreadsheet export: the plan ids are written as plans.csv has
 * them, quoted where CSV needs it but not neutralised against formulas (a
 * leading apostrophe would make "@MM-Q" another plan), as docs/WHATIF.md
 * says.  Written atomically; CS_ERR_OUTPUT when it cannot be.
 */
enum cs_status cs_whatif_plans_csv(const char *dir, const char *name, const struct cs_dataset *ds,
                                   const struct cs_plans *pl, struct cs_error *err);

#endif
