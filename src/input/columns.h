/* columns.h - the dataset's storage: each table's parallel arrays, grown together. */
#ifndef COMPSIGHT_INPUT_COLUMNS_H
#define COMPSIGHT_INPUT_COLUMNS_H

#include <stddef.h>

#include "compsight/dataset.h"

/*
 * The arrays of one table (the fields of a struct cs_deals, say), known by
 * their addresses: they grow together so that row i is always valid in
 * every one of them.  The arrays belong to the struct they are fields of;
 * a struct cs_columns only points at them.
 */
#define CS_COLUMNS_MAX 16

struct cs_columns {
    struct {
        void **ptr;
        size_t size;
    } spec[CS_COLUMNS_MAX];
    size_t n_spec;
    size_t *n;       /* the table's row count */
    size_t cap;
    size_t first;    /* capacity of the first allocation (0: 1024) */
};

/* Point c at the arrays of table t of ds (the tiers of plans aside: they
 * are allocated apart).  c is overwritten whole. */
void cs_columns_of(struct cs_dataset *ds, enum cs_table t, struct cs_columns *c);

/* One array more, of elements of size bytes, at *ptr (NULL or allocated). */
void cs_columns_add(struct cs_columns *c, void *ptr, size_t size);

int cs_columns_grow(struct cs_columns *c);

/* Make room for one more row; 0 or -1 on OOM (the arrays stay valid). */
static inline int cs_columns_reserve(struct cs_columns *c)
{
    return *c->n < c->cap ? 0 : cs_columns_grow(c);
}

/* Give back the slack of the last doubling. */
void cs_columns_shrink(struct cs_columns *c);

/* Free every array and set it NULL (the row count stays). */
void cs_columns_free(struct cs_columns *c);

#endif
