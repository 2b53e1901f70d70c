/* stage.h - outputs whole or absent: a locked staging directory per run, moved into place at once (private to src/cli/). */
#ifndef COMPSIGHT_CLI_STAGE_H
#define COMPSIGHT_CLI_STAGE_H

#include <limits.h>
#include <stddef.h>
#include "compsight/status.h"

/*
 * A command that writes files (report, whatif, propose) writes them into a
 * staging directory made inside its output directory, and moves them into
 * place only when every one is written:
 *
 *   struct cs_staging st;
 *   cs_staging_open(&st, out, err);       write into st.dir ...
 *   cs_staging_commit(&st, &spec, err);   cs_staging_close(&st);
 *
 * A failure before the commit, or in it, leaves the output directory as it
 * was; cs_staging_close removes the staging directory in every case.
 *
 * The run holds an flock on the file .compsight-lock inside its staging
 * directory for as long as it lives (the kernel lets go when it exits,
 * however it ends).  cs_staging_open first removes the staging directories
 * that earlier runs left in the output directory (killed, say, by SIGKILL
 * or the out-of-memory killer): those whose lock nobody holds, never a
 * concurrent run's.  SIGINT, SIGTERM and SIGHUP remove the open staging
 * directories and end the process by that signal (exit status 130, 143,
 * 129 in a shell), once cs_staging_signals() has installed the handler; a
 * signal during a commit waits for the commit to end, so the output is the
 * new one or the earlier one, whole.
 */
struct cs_staging {
    char out[PATH_MAX];      /* the output directory */
    char dir[PATH_MAX];      /* the staging directory inside it, "" when not open */
    int lock_fd;             /* holds the flock; -1 when not open */
    int slot;                /* its place among the directories a signal removes; -1: none */
};

/* A directory of the output that several commands write into (plots/):
 * its entries are moved in one by one instead of the directory as a whole,
 * and the entries whose names begin with prefix (this command's own, such
 * as "whatif-") that the new output does not have are removed. */
struct cs_staging_merge {
    const char *dir;
    const char *prefix;
};

/* What a commit does besides moving every staged entry into place. */
struct cs_staging_spec {
    const struct cs_staging_merge *merge;   /* directories merged, not replaced */
    size_t n_merge;
    const char *const *remove;            /* entries of the output directory to remove
                                             (private/ of an earlier --private run) */
    size_t n_remove;
};

/* Make out (mkdir -p), sweep the staging directories of dead runs from it,
 * and make and lock a fresh staging directory in it.  CS_ERR_OUTPUT naming
 * the directory; CS_ERR_NOMEM. */
enum cs_status cs_staging_open(struct cs_staging *s, const char *out, struct cs_error *err);

/*
 * Move every entry of the staging directory into the output directory,
 * replacing what an earlier run left there, as spec says (NULL: replace
 * each entry whole, remove nothing).  Two phases, undone when a later step
 * fails: the entries to replace or remove are first set aside (into the
 * staging directory), then the new ones moved in.  Either the new output
 * is complete, or the earlier one is back as it was.  CS_ERR_OUTPUT naming
 * the path that could not be moved; CS_ERR_NOMEM.
 */
enum cs_status cs_staging_commit(struct cs_staging *s, const struct cs_staging_spec *spec,
                               struct cs_error *err);

/* Remove the staging directory (what is left in it) and let go of its
 * lock.  Accepts a stage that is not open. */
void cs_staging_close(struct cs_staging *s);

/* rm -rf path, never following a link; safe in a signal handler. */
void cs_staging_remove_tree(const char *path);

/* Install the SIGINT, SIGTERM and SIGHUP handler (main() does, once). */
void cs_staging_signals(void);

#endif
