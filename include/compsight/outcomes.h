/* outcomes.h - the behaviour outcomes of SPEC section 6: risky promises and misstated collateral. */
#ifndef COMPSIGHT_OUTCOMES_H
#define COMPSIGHT_OUTCOMES_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/status.h"

/* Promise classes; off_roadmap and premature are the risky ones. */
enum cs_promise_class {
    CS_PROMISE_ON_ROADMAP = 0,
    CS_PROMISE_PREMATURE = 1,
    CS_PROMISE_OFF_ROADMAP = 2,
    CS_PROMISE_CLASS_COUNT
};

/*
 * Outcomes, computed from the roadmap as given (a snapshot).  Arrays are
 * indexed like the dataset table they are named after; owned by the
 * struct, freed with cs_outcomes_free.
 *
 * Rules where SPEC 6 is silent, decided here:
 *  - a feature index CS_NONE (blank or unknown feature_id) is off_roadmap
 *    for a promise and misstated for either kind of claim;
 *  - due_date == target_date is on_roadmap (premature needs due < target);
 *    a planned/committed promise with either date blank is on_roadmap;
 *  - an `available` claim on a `shipped` feature with a blank shipped_date
 *    is not misstated: the snapshot says it shipped and gives no date to
 *    contradict the asset; with shipped_date given, it is misstated when
 *    shipped_date > published_date (shipping on the publication day is
 *    fine);  a blank published_date (importer guard) likewise counts as
 *    "no date to contradict";
 *  - an asset without claims is not misstated (claims counts them, so the
 *    analysis can leave such assets out if it wants);
 *  - promises whose deal index is CS_NONE (importer guard) are classified
 *    but counted on no deal.
 */
struct cs_outcomes {
    /* promises.csv */
    size_t n_promises;
    uint8_t *promise_class;          /* enum cs_promise_class */
    size_t class_count[CS_PROMISE_CLASS_COUNT];

    /* deals.csv: every deal, won or not */
    size_t n_deals;
    uint32_t *promises;              /* promises on the deal */
    uint32_t *risky_promises;        /* of those, off_roadmap or premature */
    uint8_t *promise_risk;           /* risky_promises > 0 */

    /* claims.csv */
    size_t n_claims;
    uint8_t *claim_misstated;

    /* collateral.csv */
    size_t n_assets;
    uint8_t *asset_misstated;        /* any of its claims misstated */
    uint32_t *asset_claims;          /* number of claims */
    int32_t *asset_quarter;          /* quarter code of published_date; CS_NO_PERIOD when blank */
    double *target_gap;              /* 1 - actual/target of the owner's row for that quarter; NAN when none */
    int32_t *days_to_quarter_end;    /* end of that quarter - published_date; -1 when blank */
    int8_t *asset_last_14_days;      /* days_to_quarter_end < 14; -1 when blank */
};

/*
 * Compute SPEC 6 for ds with quarters from cal.  target_gap uses the
 * targets.csv row whose owner is the asset's owner and whose period code
 * is the quarter code of published_date (a year row never matches; when
 * several rows match, the first one in the file wins, as in the importer; a row whose target is
 * not > 0 is ignored).  On success *out is new and owned by the caller.
 * Errors: CS_ERR_NOMEM, *out left NULL.
 */
enum cs_status cs_outcomes_compute(const struct cs_dataset *ds, const struct cs_calendar *cal,
                                   struct cs_outcomes **out, struct cs_error *err);

void cs_outcomes_free(struct cs_outcomes *oc);   /* accepts NULL */

/* Class of one promise of ds (the rule above, exposed for the what-if and tests). */
enum cs_promise_class cs_outcomes_promise_class(const struct cs_dataset *ds, size_t promise);

/* Whether claim j of ds is misstated. */
int cs_outcomes_claim_misstated(const struct cs_dataset *ds, size_t claim);

/* "off_roadmap", "premature", "on_roadmap" (static strings; "?" otherwise). */
const char *cs_outcomes_class_name(enum cs_promise_class c);

/*
 * Normalise free text for grouping (SPEC 7.8): ASCII letters folded to
 * lower case, leading and trailing white space removed, every run of white
 * space (space, tab, CR, LF, VT, FF) replaced by one space.  Other bytes,
 * UTF-8 included, are copied unchanged.  Writes at most n bytes into buf,
 * always NUL-terminated when n > 0; if the result does not fit it is cut
 * at a UTF-8 character boundary.  Returns the length of the full
 * normalised text (excluding the NUL), like snprintf, so a return >= n
 * means it was cut.  s NULL is treated as "".
 */
size_t cs_outcomes_normalize_text(const char *s, char *buf, size_t n);

#endif
