/* clogit_stratum.h - one stratum's exact conditional log-likelihood, score and information (private to src/stats/, used by clogit.c). */
#ifndef COMPSIGHT_STATS_CLOGIT_STRATUM_H
#define COMPSIGHT_STATS_CLOGIT_STRATUM_H

#include <stddef.h>
#include "compsight/regress.h"

/*
 * One informative stratum (0 < m < n): its rows are order[start..start+n)
 * of struct cs_clogit_data, m events after mirroring (m <= n - m).  A
 * stratum whose events are the majority is used mirrored, y -> 1 - y and
 * x -> -x: the conditional likelihood, score and information do not
 * change, and the recursion runs up to min(m, n - m).
 */
struct cs_clogit_stratum {
    size_t start, n, m;
    double sign;                /* -1 when mirrored */
    size_t block;               /* rows per block of the backward checkpoints (n: one block) */
};

/*
 * The strata as the recursion reads them.  The design is not copied:
 * each evaluation gathers a stratum's rows into the thread's workspace (a
 * copy would cost as much memory as the design).  Arrays are owned by
 * whoever fills the struct (clogit.c).
 */
struct cs_clogit_data {
    const double *x;            /* the design, borrowed: row i at x + i * stride */
    size_t stride;
    size_t p;                   /* terms used */
    size_t P;                   /* row stride of the workspace: p rounded up to even */
    size_t col[CS_REGRESS_MAX_TERMS];     /* their design columns */
    size_t ns;                  /* informative strata */
    struct cs_clogit_stratum *s;
    size_t *order;              /* rows of the informative strata, stratum by stratum */
    double *mean;               /* ns * P: each stratum's means of the terms used */
    unsigned char *y;           /* in the order of order: the outcome, mirrored */
    size_t rows;                /* length of order and y */
    /* workspace sizes, the largest over the strata (cs_clogit_stratum_layout) */
    size_t n_max, m_max, ck_max, blk_max;
};

/*
 * Set s->block for a stratum whose n and m are set, and add its needs to
 * the workspace sizes of dt: a backward table of at most 2^18 doubles is
 * kept whole; beyond, checkpoints every ceil(sqrt(n)) rows.
 */
void cs_clogit_stratum_layout(struct cs_clogit_stratum *s, struct cs_clogit_data *dt);

/* One thread's scratch, sized for the largest stratum of a data set. */
struct cs_clogit_ws {
    double *eta, *q, *oq, *ez;  /* n_max */
    double *xs;                 /* n_max * P: the stratum's rows, centred, mirrored */
    double *wv;                 /* n_max * P: each row's w_i of the information (moments) */
    double *F0, *F1;            /* (m_max + 2) and (m_max + 2) * P: forward, index k + 1 */
    double *bw;                 /* m_max + 2: the backward working array, index k + 1 */
    double *ck;                 /* ck_max: backward checkpoints */
    double *blk;                /* blk_max: one block's backward arrays */
};

/* 0, or -1 when out of memory (then free what was allocated with
 * cs_clogit_ws_free, which accepts a partly or never allocated one). */
int cs_clogit_ws_alloc(struct cs_clogit_ws *w, const struct cs_clogit_data *dt);
void cs_clogit_ws_free(struct cs_clogit_ws *w);

/*
 * Stratum t of dt at beta (P values, zero beyond p): adds its conditional
 * log-likelihood to *ll, writes its score to U (p) and adds its
 * information (p x p, full, row-major) to I.
 */
void cs_clogit_stratum_eval(const struct cs_clogit_data *dt, size_t t, const double *beta,
                            struct cs_clogit_ws *w, double *ll, double *U, double *I);

#endif
