/* sandwich.c - cluster-robust covariances as sandwich::vcovCL and cluster ids as indices (sandwich.h). */
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "compsight/regress.h"
#include "sandwich.h"

/* An open-addressing hash table from id to index (linear probing, load <= 1/2). */
enum cs_status cs_cluster_index(const uint32_t *ids, size_t n, uint32_t **out, size_t *G,
                                struct cs_error *err)
{
    enum cs_status st = CS_OK;
    uint32_t *idx = cs_malloc_big(n, sizeof *idx);
    size_t cap = 64, used = 0;
    uint32_t *key = malloc(cap * sizeof *key), *val = malloc(cap * sizeof *val);
    if (!idx || !key || !val) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
        goto out;
    }
    memset(val, 0xff, cap * sizeof *val);
    for (size_t i = 0; i < n; i++) {
        if (2 * (used + 1) > cap) {
            size_t ncap = cap * 2;
            uint32_t *nkey = malloc(ncap * sizeof *nkey), *nval = malloc(ncap * sizeof *nval);
            if (!nkey || !nval) {
                free(nkey);
                free(nval);
                st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "regression: out of memory");
                goto out;
            }
            memset(nval, 0xff, ncap * sizeof *nval);
            for (size_t s = 0; s < cap; s++) {
                if (val[s] == UINT32_MAX)
                    continue;
                size_t h = (size_t)((key[s] * 2654435761u) & (uint32_t)(ncap - 1));
                while (nval[h] != UINT32_MAX)
                    h = (h + 1) & (ncap - 1);
                nkey[h] = key[s];
                nval[h] = val[s];
            }
            free(key);
            free(val);
            key = nkey;
            val = nval;
            cap = ncap;
        }
        uint32_t id = ids[i];
        size_t h = (size_t)((id * 2654435761u) & (uint32_t)(cap - 1));
        while (val[h] != UINT32_MAX && key[h] != id)
            h = (h + 1) & (cap - 1);
        if (val[h] == UINT32_MAX) {
            key[h] = id;
            val[h] = (uint32_t)used++;
        }
        idx[i] = val[h];
    }
    *out = idx;
    idx = NULL;
    *G = used;
out:
    free(idx);
    free(key);
    free(val);
    return st;
}

double cs_vcovcl_factor(enum cs_vcovcl_type type, size_t G, size_t n, size_t K)
{
    double nc = (double)G;
    return type == CS_VCOVCL_HC1 ? nc / (nc - 1) * (double)(n - 1) / (double)(n - K)
                                 : nc / (nc - 1);
}

void cs_sandwich(const double *B, const double *U, size_t G, size_t k, double c, double *V)
{
    double vp[CS_REGRESS_MAX_TERMS];
    for (size_t q = 0; q < k * k; q++)
        V[q] = 0;
    for (size_t g = 0; g < G; g++) {
        const double *u = U + g * k;
        for (size_t i = 0; i < k; i++) {
            double s = 0;
            for (size_t j = 0; j < k; j++)
                s += B[i * k + j] * u[j];
            vp[i] = s;
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                V[i * k + j] += vp[i] * vp[j];
    }
    for (size_t q = 0; q < k * k; q++)
        V[q] *= c;
}

void cs_vcovcl(const double *B, const double *U, size_t G, size_t n, size_t k,
               enum cs_vcovcl_type type, double *V)
{
    cs_sandwich(B, U, G, k, cs_vcovcl_factor(type, G, n, k), V);
}
