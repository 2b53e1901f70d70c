/* option_pool.c - the proposal's options simulated two at a time, one on each core. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "compsight/commands.h"
#include "compsight/proposal.h"
#include "compsight/whatif.h"
#include "propose.h"

/*
 * The options are simulated two at a time, one on each core, each worker
 * taking the next option not yet taken (in the order of work_order) and
 * keeping its own working memory; every option's result depends only on
 * the option, so the order they are done in changes nothing.  On failure
 * the error of the first failed option in option order is the one
 * reported.
 */
struct option_pool {
    const struct cs_whatif_base *base;
    struct cs_proposal *pr;
    const struct cs_io *io;
    const size_t *order;     /* the options in the order they are taken */
    pthread_mutex_t mu;
    size_t next, done;
    bool failed;
    enum cs_status *st;      /* per option */
    struct cs_error *err;    /* per option */
};

static void *option_worker(void *arg)
{
    struct option_pool *P = arg;
    struct cs_whatif_work *work = cs_whatif_work_new(P->base, 1);
    for (;;) {
        pthread_mutex_lock(&P->mu);
        size_t i = P->failed || P->next == P->pr->n ? P->pr->n : P->order[P->next++];
        if (i < P->pr->n && P->io->progress)
            cs_io_progress(P->io, "compsight: simulating option %zu of %zu", ++P->done, P->pr->n);
        pthread_mutex_unlock(&P->mu);
        if (i >= P->pr->n)
            break;
        if (!work)
            P->st[i] = cs_error_set(&P->err[i], CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        else
            P->st[i] = cs_whatif_simulate_option(P->base, work, &P->pr->opt[i], false,
                                                 &P->pr->res[i], &P->err[i]);
        if (P->st[i] != CS_OK) {
            pthread_mutex_lock(&P->mu);
            P->failed = true;
            pthread_mutex_unlock(&P->mu);
        }
    }
    cs_whatif_work_free(work);
    return NULL;
}

/*
 * The order the workers take the options in.  An option's cost grows with
 * its plan's deals, and the options come in plan order: taken that way,
 * the last plan's biggest option (its yearly measurement, a SPEC 5
 * recompute) would start last and run alone on one core.  So the largest
 * are taken first (plan deals, most first; option order among equals),
 * and the recomputing options alternate with the others: the workers
 * recompute one at a time (cs_whatif_simulate_in), and two of them first
 * would leave one core waiting.
 */
static void work_order(const struct cs_whatif_base *b, const struct cs_proposal *pr, size_t *order)
{
    size_t n = pr->n, nr = 0, no = 0, k = 0;
    size_t *rec = order + n, *other = order + 2 * n;   /* order has 3n places */
    for (size_t i = 0; i < n; i++) {
        size_t *list = cs_whatif_option_recomputes(b->ds, &pr->opt[i]) ? rec : other;
        size_t *len = list == rec ? &nr : &no, at = (*len)++;
        /* insertion, stable: after every option with at least as many deals */
        while (at > 0 && b->plan_deals[pr->opt[list[at - 1]].plan] < b->plan_deals[pr->opt[i].plan]) {
            list[at] = list[at - 1];
            at--;
        }
        list[at] = i;
    }
    for (size_t r = 0, o = 0; r < nr || o < no;) {
        if (r < nr)
            order[k++] = rec[r++];
        if (o < no)
            order[k++] = other[o++];
    }
}

enum cs_status cs_proposal_simulate_options(const struct cs_whatif_base *base, struct cs_proposal *pr,
                                            const struct cs_io *io, struct cs_error *err)
{
    struct option_pool P = {.base = base, .pr = pr, .io = io};
    enum cs_status st = CS_OK;
    size_t *order = malloc(3 * (pr->n ? pr->n : 1) * sizeof *order);
    P.st = calloc(pr->n ? pr->n : 1, sizeof *P.st);
    P.err = calloc(pr->n ? pr->n : 1, sizeof *P.err);
    if (!order || !P.st || !P.err || pthread_mutex_init(&P.mu, NULL) != 0) {
        free(order);
        free(P.st);
        free(P.err);
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    work_order(base, pr, order);
    P.order = order;
    pthread_t th;
    bool threaded = pr->n > 1 && pthread_create(&th, NULL, option_worker, &P) == 0;
    option_worker(&P);
    if (threaded)
        pthread_join(th, NULL);
    pthread_mutex_destroy(&P.mu);
    for (size_t i = 0; i < pr->n && st == CS_OK; i++) {
        if (P.st[i] != CS_OK) {
            *err = P.err[i];
            st = P.st[i];
        }
    }
    for (size_t i = 0; i < pr->n && st == CS_OK; i++)
        if (!pr->res[i])     /* not reached: cannot be, as none failed */
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    free(order);
    free(P.st);
    free(P.err);
    return st;
}
