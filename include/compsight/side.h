/* side.h - work done on a second thread while this one goes on. */
#ifndef COMPSIGHT_SIDE_H
#define COMPSIGHT_SIDE_H

#include <pthread.h>
#include <stdbool.h>

/*
 * side_start runs fn(arg) on a thread, or right away when no thread can
 * be had; side_join waits for it.  The work only reads what both threads
 * share, and reports through arg.
 */
struct side_job {
    pthread_t th;
    bool started, threaded;
};

static inline void side_start(struct side_job *j, void *(*fn)(void *), void *arg)
{
    j->started = true;
    j->threaded = pthread_create(&j->th, NULL, fn, arg) == 0;
    if (!j->threaded)
        fn(arg);
}

static inline void side_join(struct side_job *j)
{
    if (j->threaded)
        pthread_join(j->th, NULL);
    j->threaded = false;
}

#endif
