/* diagnose.h - why rows were not used: rejects grouped by reason per file, and hints (SPEC 12). */
#ifndef COMPSIGHT_DIAGNOSE_H
#define COMPSIGHT_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>
#include "compsight/dataset.h"
#include "compsight/status.h"

/*
 * One reason the rows of one file were rejected for: the rejects of that
 * file, column and kind (struct cs_reject), how many, the first (whose
 * reason is the example to show) and the lines of the first three.
 */
struct cs_reason {
    uint32_t source;            /* the file: its index in ds->sources */
    const struct cs_reject *first;
    uint64_t count;
    uint32_t lines[3];
    size_t n_lines;
};

/* A hint for one file, where most of its rows fail for one reason: the
 * date format, the delimiter, the encoding, the decimal mark, a value the
 * map does not list, a blank value. */
struct cs_hint {
    uint32_t source;
    char text[480];
};

/* The reasons and hints of a dataset: owned by it, freed with cs_diagnosis_free. */
struct cs_diagnosis {
    struct cs_reason *reasons;  /* by file (load order), then count (most first), then line */
    size_t n_reasons;
    struct cs_hint *hints;      /* by file */
    size_t n_hints;
};

/*
 * Group ds's rejects and find the hints into *out (borrowing ds, which
 * must outlive it).  CS_ERR_NOMEM with *out empty.
 */
enum cs_status cs_diagnose(const struct cs_dataset *ds, struct cs_diagnosis *out,
                           struct cs_error *err);

void cs_diagnosis_free(struct cs_diagnosis *d);   /* accepts NULL; leaves *d empty */

/* Whether a rejected share of rows counts as "most": more than half. */
#define CS_DIAGNOSE_MOST 0.5

#endif
