/* mapmerge.c - several --map files combined into one (SPEC 12): a later map's keys override an earlier one's. */
#include <stdlib.h>
#include <string.h>

#include "mapdata.h"

/* ------------------------------------------------------------------------
 * Combining maps (SPEC 12): a later map's keys override an earlier one's
 * --------------------------------------------------------------------- */

/* dst becomes a copy of src; false on OOM. */
static bool names_copy(struct names *dst, const struct names *src)
{
    names_free(dst);
    for (size_t i = 0; i < src->n; i++)
        if (!names_push(dst, src->v[i], strlen(src->v[i])))
            return false;
    dst->line = src->line;
    return true;
}

/* *dst becomes a copy of src (NULL stays NULL); false on OOM. */
static bool str_copy(char **dst, const char *src)
{
    char *p = src ? dup_n(src, strlen(src)) : NULL;
    if (src && !p)
        return false;
    free(*dst);
    *dst = p;
    return true;
}

/*
 * The value lists of a column: each of src's groups (`stage.won = ...`)
 * replaces dst's group of the same value, and an export value src lists
 * leaves whatever dst's group held it, so that a user's map can move
 * "Closed Lost" from lost to won.
 */
static bool merge_values(struct map_col *D, const struct map_col *S)
{
    size_t n = 0;
    struct vmap *v = malloc((D->n_vals + S->n_vals + 1) * sizeof *v);
    size_t *gmap = malloc((S->n_groups + 1) * sizeof *gmap);
    if (!v || !gmap) {
        free(v);
        free(gmap);
        return false;
    }
    for (size_t i = 0; i < D->n_vals; i++) {
        const struct vmap *d = &D->vals[i];
        bool drop = false;
        for (size_t g = 0; g < S->n_groups && !drop; g++)
            drop = strcmp(S->groups[g].to, D->groups[d->group].to) == 0;
        for (size_t k = 0; k < S->n_vals && !drop; k++)
            drop = cmp_fold(S->vals[k].from, S->vals[k].len, d->from, d->len) == 0;
        if (drop)
            free(d->from);
        else
            v[n++] = *d;
    }
    bool ok = true;
    for (size_t g = 0; g < S->n_groups && ok; g++) {
        size_t m = 0;
        while (m < D->n_groups && strcmp(D->groups[m].to, S->groups[g].to) != 0)
            m++;
        if (m == D->n_groups) {
            ok = grow((void **)&D->groups, &D->cap_groups, D->n_groups, sizeof *D->groups) &&
                 (D->groups[m].to = dup_n(S->groups[g].to, strlen(S->groups[g].to))) != NULL;
            if (ok) {
                D->groups[m].line = S->groups[g].line;
                D->n_groups++;
            }
        }
        gmap[g] = m;
    }
    for (size_t k = 0; k < S->n_vals && ok; k++) {
        v[n] = S->vals[k];
        v[n].group = gmap[S->vals[k].group];
        if ((v[n].from = dup_n(S->vals[k].from, S->vals[k].len)) == NULL)
            ok = false;
        else
            n++;
    }
    free(D->vals);
    D->vals = v;
    D->n_vals = n;
    D->cap_vals = n;
    free(gmap);
    if (n > 1)
        qsort(D->vals, n, sizeof *D->vals, cmp_vmap);
    return ok;
}

static bool merge_table(struct map_table *D, const struct map_table *S, enum cs_table t)
{
    if (!S->section_line)
        return true;
    if (!D->section_line)
        D->section_line = S->section_line;
#define SCALAR(field)                                                                    \
    if (S->field##_line) {                                                               \
        D->field = S->field;                                                             \
        D->field##_line = S->field##_line;                                               \
    }
    SCALAR(date_format)
    SCALAR(decimal_comma)
    SCALAR(encoding)
    SCALAR(delimiter)
    SCALAR(escape)
#undef SCALAR
    if (S->files.line && !names_copy(&D->files, &S->files))
        return false;
    if (S->header.line && !names_copy(&D->header, &S->header))
        return false;
    if (S->null_line) {
        if (!str_copy(&D->null_text, S->null_text))
            return false;
        D->null_line = S->null_line;
    }
    for (size_t i = 0; i < S->n_excl; i++) {
        const struct exclude *se = &S->excl[i];
        size_t k = 0;
        while (k < D->n_excl &&
               cmp_fold(D->excl[k].header, strlen(D->excl[k].header), se->header,
                        strlen(se->header)) != 0)
            k++;
        if (k == D->n_excl) {
            if (!grow((void **)&D->excl, &D->cap_excl, D->n_excl, sizeof *D->excl))
                return false;
            memset(&D->excl[k], 0, sizeof D->excl[k]);
            if (!(D->excl[k].header = dup_n(se->header, strlen(se->header))))
                return false;
            D->n_excl++;
        }
        if (!names_copy(&D->excl[k].values, &se->values))
            return false;
    }
    if (!S->cols)
        return true;
    size_t nc = cs_schema_table(t)->n_columns;
    if (!D->cols && !(D->cols = calloc(nc, sizeof *D->cols)))
        return false;
    for (size_t c = 0; c < nc; c++) {
        const struct map_col *sc = &S->cols[c];
        struct map_col *dc = &D->cols[c];
        if (sc->header_line) {
            if (!str_copy(&dc->header, sc->header))
                return false;
            dc->unread = sc->unread;
            dc->header_line = sc->header_line;
        }
        if (sc->dflt_line) {
            if (!str_copy(&dc->dflt, sc->dflt))
                return false;
            dc->dflt_line = sc->dflt_line;
        }
        if (sc->blank_line) {
            if (!str_copy(&dc->blank, sc->blank))
                return false;
            dc->blank_line = sc->blank_line;
        }
        if (sc->n_groups && !merge_values(dc, sc))
            return false;
    }
    return true;
}

enum cs_status cs_map_merge(struct cs_map *dst, const struct cs_map *src, struct cs_error *err)
{
    if (!dst || !src)
        return CS_OK;
    for (int t = 0; t < CS_T_COUNT; t++)
        if (!merge_table(&dst->t[t], &src->t[t], (enum cs_table)t))
            return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory combining map files");
    return CS_OK;
}
