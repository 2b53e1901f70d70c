/* stage.c - outputs whole or absent: staging directories, their locks, the move into place, and SIGINT/SIGTERM. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compsight/output.h"
#include "stage.h"

#define STAGE_PREFIX ".compsight-staging-"
#define LOCK_NAME ".compsight-lock"
#define TRASH_NAME ".compsight-old"

/* ------------------------------------------------------------------------
 * Removing a tree, async-signal-safe
 *
 * Only system calls: openat, getdents64, unlinkat, close.  Another thread
 * (or a gnuplot in a directory of the tree) may still be creating files
 * while a signal handler removes the tree, so the top is tried again until
 * it is gone: a directory once removed takes no new file.
 * --------------------------------------------------------------------- */

static void remove_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT || depth > 32)
        return;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[2048] __attribute__((aligned(8)));
    ssize_t n;
    while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(buf + off);
            off += d->d_reclen;
            if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
                remove_at(fd, d->d_name, depth + 1);
        }
    }
    close(fd);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

void cs_staging_remove_tree(const char *path)
{
    for (int pass = 0; pass < 64; pass++) {
        remove_at(AT_FDCWD, path, 0);
        if (access(path, F_OK) != 0 && errno == ENOENT)
            return;
    }
}

/* ------------------------------------------------------------------------
 * Signals
 *
 * The handler removes every staging directory registered in slots[] and
 * ends the process by the same signal.  A commit and a dying handler
 * exclude each other through `state`: a signal that comes during a commit
 * is kept in `pending` and acted on when the commit is over, and a commit
 * never starts once the process is dying.
 * --------------------------------------------------------------------- */

#define SLOTS 8
enum { IDLE, COMMITTING, DYING };

static char slots[SLOTS][PATH_MAX];
static atomic_int slot_used[SLOTS];
static atomic_int state = IDLE;
static volatile sig_atomic_t pending;

static _Noreturn void die(int sig)
{
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&slot_used[i]))
            cs_staging_remove_tree(slots[i]);
    /* end by the signal itself, so that a shell sees the process killed
     * by it (status 128 + sig); the exit status is the same if the
     * signal cannot be delivered before _exit */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    kill(getpid(), sig);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int expect = IDLE;
    if (atomic_compare_exchange_strong(&state, &expect, DYING))
        die(sig);
    if (expect == COMMITTING) {
        pending = sig;
        return;
    }
    for (;;)            /* another thread is already removing and ending */
        pause();
}

void cs_staging_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal ignored when compsight started (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

static int slot_take(const char *dir)
{
    static atomic_flag busy[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
        if (atomic_flag_test_and_set(&busy[i]))
            continue;
        snprintf(slots[i], sizeof slots[i], "%s", dir);
        atomic_store(&slot_used[i], 1);
        return i;
    }
    return -1;            /* more stages than slots: not removed on a signal */
}

static void slot_drop(int i)
{
    if (i >= 0)
        atomic_store(&slot_used[i], 0);
    /* the slot itself is not given back: a handler may be reading its
     * path; a run opens one or two stages */
}

/* ------------------------------------------------------------------------
 * Opening: sweep the dead runs' staging directories, make our own
 * --------------------------------------------------------------------- */

/* Remove the staging directories in out whose run is gone: nobody holds
 * the lock of their .compsight-lock.  One without a lock file is removed
 * only when it is empty (a run killed between making it and its lock; a
 * live run in that moment finds its directory gone and makes another). */
static void sweep(const char *out)
{
    DIR *d = opendir(out);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX + 300], lock[PATH_MAX + 340];
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", out, e->d_name);
        snprintf(lock, sizeof lock, "%s/" LOCK_NAME, path);
        int fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
            if (errno == ENOENT)
                rmdir(path);
            continue;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            cs_staging_remove_tree(path);     /* still holding the lock */
        close(fd);
    }
    closedir(d);
}

enum cs_status cs_staging_open(struct cs_staging *s, const char *out, struct cs_error *err)
{
    memset(s, 0, sizeof *s);
    s->lock_fd = s->slot = -1;
    enum cs_status st = cs_mkdir_p(out, 0777, err);
    if (st != CS_OK)
        return st;
    if ((size_t)snprintf(s->out, sizeof s->out, "%s", out) >= sizeof s->out ||
        strlen(out) + sizeof "/" STAGE_PREFIX "XXXXXX/" LOCK_NAME > sizeof s->dir)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: path too long", out);
    sweep(out);
    char lock[PATH_MAX + 32];
    for (int tries = 0; tries < 16; tries++) {
        snprintf(s->dir, sizeof s->dir, "%s/" STAGE_PREFIX "XXXXXX", out);
        if (!mkdtemp(s->dir)) {
            s->dir[0] = '\0';
            return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "cannot write in %s: %s",
                                out, strerror(errno));
        }
        snprintf(lock, sizeof lock, "%s/" LOCK_NAME, s->dir);
        int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno == ENOENT)
            continue;           /* a sweep took the empty directory: another one */
        if (fd < 0) {
            int e = errno;
            rmdir(s->dir);
            s->dir[0] = '\0';
            return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "cannot write in %s: %s",
                                out, strerror(e));
        }
        /* Blocks only while a sweep that locked it first removes it.  A
         * file system without locks (flock fails) leaves the directory to
         * this run's own removal: no sweep can lock it either. */
        flock(fd, LOCK_EX);
        struct stat sb;
        if (fstat(fd, &sb) == 0 && sb.st_nlink == 0) {
            close(fd);          /* swept meanwhile */
            continue;
        }
        s->lock_fd = fd;
        chmod(s->dir, 0755);
        s->slot = slot_take(s->dir);
        return CS_OK;
    }
    s->dir[0] = '\0';
    return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                        "cannot write in %s: its staging directories keep being removed", out);
}

void cs_staging_close(struct cs_staging *s)
{
    if (s->dir[0]) {
        cs_staging_remove_tree(s->dir);
        slot_drop(s->slot);
        s->dir[0] = '\0';
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    s->lock_fd = s->slot = -1;
}

/* ------------------------------------------------------------------------
 * The commit
 * --------------------------------------------------------------------- */

/* One entry the commit moves in (new) or only sets aside (removal); its
 * path relative to the staging and output directories. */
struct unit {
    char *rel;
    bool removal;
    bool set_aside;          /* the earlier entry is in the trash */
    bool moved;              /* the new entry is in place */
};

struct plan {
    struct unit *u;
    size_t n, cap;
    char made[SLOTS][PATH_MAX + 600];  /* merge directories the commit made in out */
    size_t n_made;
};

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->u[i].rel);
    free(p->u);
}

static int plan_add(struct plan *p, const char *dir, const char *name, bool removal)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        struct unit *u = realloc(p->u, cap * sizeof *u);
        if (!u)
            return -1;
        p->u = u;
        p->cap = cap;
    }
    size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char *rel = malloc(len);
    if (!rel)
        return -1;
    if (dir)
        snprintf(rel, len, "%s/%s", dir, name);
    else
        snprintf(rel, len, "%s", name);
    p->u[p->n++] = (struct unit){.rel = rel, .removal = removal};
    return 0;
}

static bool has_unit(const struct plan *p, const char *rel)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->u[i].rel, rel) == 0)
            return true;
    return false;
}

static const struct cs_staging_merge *merge_of(const struct cs_staging_spec *spec, const char *name)
{
    for (size_t i = 0; spec && i < spec->n_merge; i++)
        if (strcmp(spec->merge[i].dir, name) == 0)
            return &spec->merge[i];
    return NULL;
}

/* The entries of directory path (skipping . and .., and the stage's own
 * lock and trash when top), each added as dir/name.  -1: out of memory;
 * a directory that cannot be listed adds nothing (removal lists) or fails
 * (listing the stage, say). */
static int add_entries(struct plan *p, const char *path, const char *dir, bool top,
                       const struct cs_staging_spec *spec, const char *stage, bool removal,
                       const char *prefix)
{
    DIR *d = opendir(path);
    if (!d)
        return removal ? 0 : -2;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (top && (strcmp(n, LOCK_NAME) == 0 || strcmp(n, TRASH_NAME) == 0))
            continue;
        if (prefix && strncmp(n, prefix, strlen(prefix)) != 0)
            continue;
        const struct cs_staging_merge *m = top ? merge_of(spec, n) : NULL;
        struct stat sb;
        char sub[PATH_MAX + 300];
        snprintf(sub, sizeof sub, "%s/%s", stage, n);
        if (m && lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = add_entries(p, sub, n, false, spec, stage, false, NULL);
        else if (removal) {
            char rel[PATH_MAX + 300];
            snprintf(rel, sizeof rel, "%s/%s", dir, n);
            if (!has_unit(p, rel))
                rc = plan_add(p, dir, n, true);
        } else
            rc = plan_add(p, dir, n, false);
    }
    closedir(d);
    return rc;
}

/* Everything the commit moves or removes, in order. */
static enum cs_status make_plan(const struct cs_staging *s, const struct cs_staging_spec *spec,
                                struct plan *p, struct cs_error *err)
{
    char path[PATH_MAX + 300];
    int rc = add_entries(p, s->dir, NULL, true, spec, s->dir, false, NULL);
    /* this command's own entries of a merged directory that it no longer writes */
    for (size_t i = 0; rc == 0 && spec && i < spec->n_merge; i++) {
        if (!spec->merge[i].prefix)
            continue;
        snprintf(path, sizeof path, "%s/%s", s->out, spec->merge[i].dir);
        rc = add_entries(p, path, spec->merge[i].dir, false, NULL, path, true,
                         spec->merge[i].prefix);
    }
    for (size_t i = 0; rc == 0 && spec && i < spec->n_remove; i++)
        if (!has_unit(p, spec->remove[i]))
            rc = plan_add(p, NULL, spec->remove[i], true);
    if (rc == -2)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", s->dir, strerror(errno));
    if (rc != 0)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return CS_OK;
}

static enum cs_status move_error(const char *path, struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", path, strerror(errno));
}

/* The two phases, undone on failure (see cs_staging_commit). */
static enum cs_status commit_plan(struct cs_staging *s, const struct cs_staging_spec *spec,
                                  struct plan *p, struct cs_error *err)
{
    char trash[PATH_MAX + 32], src[PATH_MAX + 600], dst[PATH_MAX + 600];
    enum cs_status st = CS_OK;
    snprintf(trash, sizeof trash, "%s/" TRASH_NAME, s->dir);
    if (mkdir(trash, 0700) != 0)
        return move_error(trash, err);
    /* the merged directories exist in out */
    for (size_t i = 0; spec && i < spec->n_merge && p->n_made < SLOTS; i++) {
        snprintf(dst, sizeof dst, "%s/%s", s->out, spec->merge[i].dir);
        snprintf(src, sizeof src, "%s/%s", s->dir, spec->merge[i].dir);
        struct stat sb;
        if (lstat(src, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        if (mkdir(dst, 0777) == 0)
            memcpy(p->made[p->n_made++], dst, sizeof dst);
        else if (errno != EEXIST) {
            st = move_error(dst, err);
            goto undo;
        }
    }
    /* phase 1: set the earlier entries aside */
    for (size_t i = 0; i < p->n; i++) {
        struct stat sb;
        snprintf(dst, sizeof dst, "%s/%s", s->out, p->u[i].rel);
        snprintf(src, sizeof src, "%s/%zu", trash, i);
        if (lstat(dst, &sb) != 0)
            continue;
        if (rename(dst, src) != 0) {
            st = move_error(dst, err);
            goto undo;
        }
        p->u[i].set_aside = true;
    }
    /* phase 2: move the new entries in */
    for (size_t i = 0; i < p->n; i++) {
        if (p->u[i].removal)
            continue;
        snprintf(src, sizeof src, "%s/%s", s->dir, p->u[i].rel);
        snprintf(dst, sizeof dst, "%s/%s", s->out, p->u[i].rel);
        if (rename(src, dst) != 0) {
            st = move_error(dst, err);
            goto undo;
        }
        p->u[i].moved = true;
    }
    return CS_OK;
undo:
    for (size_t i = p->n; i-- > 0;) {
        if (p->u[i].moved) {
            snprintf(src, sizeof src, "%s/%s", s->out, p->u[i].rel);
            snprintf(dst, sizeof dst, "%s/%s", s->dir, p->u[i].rel);
            rename(src, dst);
        }
        if (p->u[i].set_aside) {
            snprintf(src, sizeof src, "%s/%zu", trash, i);
            snprintf(dst, sizeof dst, "%s/%s", s->out, p->u[i].rel);
            rename(src, dst);
        }
    }
    for (size_t i = 0; i < p->n_made; i++)
        rmdir(p->made[i]);
    return st;
}

enum cs_status cs_staging_commit(struct cs_staging *s, const struct cs_staging_spec *spec,
                               struct cs_error *err)
{
    struct plan p = {0};
    enum cs_status st = make_plan(s, spec, &p, err);
    if (st != CS_OK) {
        plan_free(&p);
        return st;
    }
    int expect = IDLE;
    if (!atomic_compare_exchange_strong(&state, &expect, COMMITTING))
        for (;;)        /* a signal handler is removing the stages and ending the process */
            pause();
    st = commit_plan(s, spec, &p, err);
    atomic_store(&state, IDLE);
    int sig = pending;
    if (sig) {
        expect = IDLE;
        if (atomic_compare_exchange_strong(&state, &expect, DYING))
            die(sig);
        for (;;)
            pause();
    }
    plan_free(&p);
    return st;
}
