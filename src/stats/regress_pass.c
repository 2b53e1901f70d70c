/* regress_pass.c - the logistic fits' passes over the rows: one chunk, or two halves added in a fixed order. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "regress_impl.h"

#define SPLIT_MIN_ROWS 65536   /* more rows: two halves (regress_impl.h) */

struct split_job {
    cs_pass_range_fn fn;
    void *arg;
    size_t lo, hi;
};

static void *split_thread(void *p)
{
    struct split_job *j = p;
    j->fn(j->arg, j->lo, j->hi, 1);
    return NULL;
}

int cs_pass_chunks(size_t n)
{
    return n > SPLIT_MIN_ROWS ? 2 : 1;
}

void cs_pass_run(cs_pass_range_fn fn, void *arg, size_t n, int threads)
{
    if (cs_pass_chunks(n) == 1) {
        fn(arg, 0, n, 0);
        return;
    }
    size_t mid = n / 2;
    struct split_job job = {fn, arg, mid, n};
    pthread_t th;
    bool started = threads >= 2 && pthread_create(&th, NULL, split_thread, &job) == 0;
    fn(arg, 0, mid, 0);
    if (!started || pthread_join(th, NULL) != 0)
        fn(arg, mid, n, 1);     /* no second thread: the same sums, sequentially */
}

void cs_pass_clear(struct pass_part *pt, size_t k, size_t G)
{
    memset(pt->A, 0, k * k * sizeof *pt->A);
    memset(pt->b, 0, k * sizeof *pt->b);
    memset(pt->score, 0, k * sizeof *pt->score);
    memset(pt->share, 0, k * sizeof *pt->share);
    pt->lp.m = 1;
    pt->lp.e = 0;
    pt->ll_far = 0;
    pt->boundary = 0;
    pt->max_deta = 0;
    if (pt->U)
        memset(pt->U, 0, G * k * sizeof *pt->U);
}

/* a = a * b, both kept as mantissa * 2^e (fixed order: deterministic). */
static void logprod_join(struct logprod *a, const struct logprod *b)
{
    int ea, eb;
    double ma = frexp(a->m, &ea), mb = frexp(b->m, &eb);
    a->m = ma * mb;
    a->e += b->e + ea + eb;
}

/* Mirror the lower triangle of a k x k row-major matrix into the upper. */
static void mirror_lower(double *A, size_t k)
{
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            A[i * k + j] = A[j * k + i];
}

/*
 * Add chunk 1 into chunk 0 (when there are two).  A is completed from its
 * lower triangle.
 */
void cs_pass_join(struct pass_part *p, size_t n, size_t k, size_t G)
{
    if (cs_pass_chunks(n) == 2) {
        const struct pass_part *q = &p[1];
        for (size_t a = 0; a < k; a++) {
            for (size_t b = 0; b <= a; b++)
                p->A[a * k + b] += q->A[a * k + b];
            p->b[a] += q->b[a];
            p->score[a] += q->score[a];
            p->share[a] = fmax(p->share[a], q->share[a]);
        }
        logprod_join(&p->lp, &q->lp);
        p->ll_far += q->ll_far;
        p->boundary += q->boundary;
        p->max_deta = fmax(p->max_deta, q->max_deta);
        if (p->U && q->U)
            for (size_t t = 0; t < G * k; t++)
                p->U[t] += q->U[t];
    }
    mirror_lower(p->A, k);
}

/* Two parts, and their cluster-sum buffers when G >= 2 (and rows split). */
struct pass_part *cs_pass_parts_new(const struct regress_work *w)
{
    struct pass_part *p = calloc(2, sizeof *p);
    if (!p)
        return NULL;
    if (w->G >= 2) {
        for (int c = 0; c < cs_pass_chunks(w->n); c++) {
            p[c].U = malloc(w->G * w->k * sizeof *p[c].U);
            if (!p[c].U) {
                free(p[0].U);
                free(p);
                return NULL;
            }
        }
    }
    return p;
}

void cs_pass_parts_free(struct pass_part *p)
{
    if (!p)
        return;
    free(p[0].U);
    free(p[1].U);
    free(p);
}
