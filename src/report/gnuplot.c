/* gnuplot.c - gnuplot as a process: the one quoting function, the --version probe, running scripts with a deadline, alone or in batches. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compsight/output.h"
#include "compsight/parse.h"
#include "compsight/plot.h"
#include "gnuplot.h"

extern char **environ;

/* ======================================================================
 * Quoting: the one function every text of a script goes through
 * ==================================================================== */

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 when malformed. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)     /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* U+200B ZERO WIDTH SPACE: what goes before a quote that gnuplot's scanner
 * would otherwise misread (see cs_gp_quote in plot.h). */
#define GP_ZWSP "\xe2\x80\x8b"

/* The one quoting routine; `tic` doubles % for explicit tic labels. */
static void gp_quote(FILE *f, const char *s, bool tic)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool after_quote = true;     /* the opening quote counts */
    fputc('\'', f);
    while (*p) {
        if (*p < 0x20 || *p == 0x7f) {
            /* a newline would end the command and start one of the data's
             * choosing; the other control characters have no business in a label */
            p++;
            continue;
        }
        if (*p == '\'') {
            /* gnuplot's scanner reads a doubled quote as a quote only when
             * it follows a character other than a quote: right after the
             * opening quote, or right after another doubled quote, the pair
             * would end the string (gnuplot 5.4 src/scanner.c), so a
             * zero-width space goes in between */
            if (after_quote)
                fputs(GP_ZWSP, f);
            fputs("''", f);
            p++;
            after_quote = true;
            continue;
        }
        after_quote = false;
        if (tic && *p == '%') {
            /* gnuplot formats explicit tic labels with the axis value:
             * "6%" is a bad format, "%s%n" worse */
            fputs("%%", f);
            p++;
            continue;
        }
        size_t len = utf8_seq(p);
        if (len == 0) {
            /* cairo and the SVG (XML) output want valid UTF-8 */
            fputc('?', f);
            p++;
            continue;
        }
        fwrite(p, 1, len, f);
        p += len;
    }
    fputc('\'', f);
}

void cs_gp_quote(FILE *f, const char *s)
{
    gp_quote(f, s, false);
}

void cs_gp_quote_tic(FILE *f, const char *s)
{
    gp_quote(f, s, true);
}

/* ======================================================================
 * Running gnuplot
 * ==================================================================== */

bool cs_gp_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 24 || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* Remove the private directory and whatever gnuplot left in it. */
static void remove_tmpdir(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = strfmt("%s/%s", tmp, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(tmp);
}

/* The line of gnuplot's standard error that says what went wrong, cleaned
 * of control characters (it may echo a data-derived label) and cut. */
static void first_error_line(const char *path, char *out, size_t n)
{
    char buf[8192], cmd[160] = "";
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *found = NULL, *fallback = NULL;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (strncmp(line, "gnuplot>", 8) == 0) {
            snprintf(cmd, sizeof cmd, "%s", line + 8);
            continue;
        }
        if (*line == '\0' || *line == '^' || strncmp(line, "warning:", 8) == 0)
            continue;
        if (strstr(line, "line ") && strchr(line, ':')) {
            found = line;
            break;
        }
        if (!fallback)
            fallback = line;
    }
    if (!found)
        found = fallback;
    if (!found)
        return;
    size_t k = 0;
    const char *parts[2] = {found, cmd};
    for (int p = 0; p < 2; p++) {
        if (p == 1) {
            if (!cmd[0] || found == fallback)
                break;
            const char *sep = " (in:";
            for (const char *s = sep; *s && k + 1 < n; s++)
                out[k++] = *s;
        }
        for (const unsigned char *s = (const unsigned char *)parts[p]; *s && k + 1 < n && k < 300; s++)
            if (*s >= 0x20 && *s != 0x7f)
                out[k++] = (char)*s;
        if (p == 1 && k + 1 < n)
            out[k++] = ')';
    }
    out[k] = '\0';
}

/* One gnuplot process in flight. */
struct gp_proc {
    pid_t pid;
    char *dir;                /* where the outputs go */
    char *name;
    char *tmp;                /* DIR/.NAME.XXXXXX, gnuplot's working directory */
    int write_errno;          /* a failed write of the script (EPIPE: gnuplot quit early) */
    struct timespec deadline; /* CLOCK_MONOTONIC: killed if still running then */
    bool timed_out;           /* it was */
};

/*
 * How long one gnuplot may run.  A plot is drawn from aggregates in well
 * under a second, so the limit only ends a gnuplot that hangs (one was
 * seen waiting forever on fontconfig after a failed allocation), which
 * would otherwise hang the report.  COMPSIGHT_GNUPLOT_TIMEOUT sets it in
 * seconds.
 */
#define GP_TIMEOUT_DEFAULT 120.0

static double gp_timeout(void)
{
    const char *env = getenv("COMPSIGHT_GNUPLOT_TIMEOUT");
    double t;
    if (env && cs_parse_number(env, strlen(env), false, false, &t) && t > 0 && t < 1e7)
        return t;
    return GP_TIMEOUT_DEFAULT;
}

/* p's deadline: gp_timeout() seconds from now. */
static void set_deadline(struct gp_proc *p)
{
    clock_gettime(CLOCK_MONOTONIC, &p->deadline);
    double end = (double)p->deadline.tv_nsec / 1e9 + gp_timeout();
    p->deadline.tv_sec += (time_t)end;
    p->deadline.tv_nsec = (long)((end - floor(end)) * 1e9);
}

/* Milliseconds left before p's deadline (0 when past), for poll(). */
static int ms_left(const struct gp_proc *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(p->deadline.tv_sec - now.tv_sec) * 1e3 +
                (double)(p->deadline.tv_nsec - now.tv_nsec) / 1e6;
    return ms <= 0 ? 0 : ms > (double)INT_MAX ? INT_MAX : (int)ceil(ms);
}

/* Why gnuplot's plot script gp was not drawn when it ran out of time. */
static enum cs_status timeout_error(struct cs_error *err, const char *gp, const char *how)
{
    return cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL,
                        "%sgnuplot did not finish within %g s and was stopped "
                        "(COMPSIGHT_GNUPLOT_TIMEOUT sets the limit)", how, gp_timeout());
}

/* Past the deadline: kill gnuplot (gp_wait then reaps it). */
static void gp_kill(struct gp_proc *p)
{
    p->timed_out = true;
    kill(p->pid, SIGKILL);
}

static void proc_release(struct gp_proc *p)
{
    if (p->tmp)
        remove_tmpdir(p->tmp);
    free(p->dir);
    free(p->name);
    free(p->tmp);
    memset(p, 0, sizeof *p);
}

/* Spawn gnuplot in p->tmp with stdin from fd, stdout to /dev/null, stderr to gnuplot.err. */
static int spawn_gnuplot(struct gp_proc *p, int fd)
{
    char *argv[] = {"gnuplot", NULL};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    /* posix_spawn: no copy of a large address space, and chdir in the
     * child without handing the directory name to a shell */
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return rc;
    if ((rc = posix_spawn_file_actions_addchdir_np(&fa, p->tmp)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&fa, fd, 0)) == 0 &&
        (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
        (rc = posix_spawn_file_actions_addopen(&fa, 2, "gnuplot.err",
                                               O_WRONLY | O_CREAT | O_TRUNC, 0600)) == 0)
        rc = posix_spawnp(&p->pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
#else
    pid_t pid = fork();
    if (pid < 0)
        return errno;
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY), e;
        if (chdir(p->tmp) != 0 || dup2(fd, 0) < 0 || nul < 0 || dup2(nul, 1) < 0 ||
            (e = open("gnuplot.err", O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execvp("gnuplot", argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
#endif
}

/*
 * Start gnuplot on script in a fresh DIR/.NAME.XXXXXX.  On CS_OK the
 * process runs and gp_finish must be called; on error nothing is left.
 */
static enum cs_status gp_start(const char *dir, const char *name, const char *script, size_t len,
                               struct gp_proc *p, struct cs_error *err)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    set_deadline(p);
    p->dir = strfmt("%s", dir);
    p->name = strfmt("%s", name);
    p->tmp = strfmt("%s/.%s.XXXXXX", dir, name);
    if (!p->dir || !p->name || !p->tmp) {
        proc_release(p);
        return oom(err);
    }
    if (!mkdtemp(p->tmp)) {
        enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                         "cannot create a temporary directory in %s: %s", dir,
                                         strerror(errno));
        free(p->tmp);
        p->tmp = NULL;
        proc_release(p);
        return st;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        enum cs_status st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "pipe: %s",
                                         strerror(errno));
        proc_release(p);
        return st;
    }
    int rc = spawn_gnuplot(p, fds[0]);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        enum cs_status st = rc == ENOENT
            ? cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "gnuplot not found")
            : cs_error_set(err, rc == ENOMEM ? CS_ERR_NOMEM : CS_ERR_OUTPUT, NULL, 0, NULL,
                           "cannot start gnuplot: %s", strerror(rc));
        p->pid = -1;
        proc_release(p);
        return st;
    }
    /* A gnuplot that quits early (an error in the script) closes the pipe:
     * the write must fail with EPIPE, not kill compsight.  SIGPIPE is
     * blocked for this thread only (plots are drawn while another thread
     * writes other files), and one it raised is taken off before the mask
     * is restored. */
    sigset_t pipe_set, old_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    /* Without blocking, so that a gnuplot that hangs before it has read
     * the script cannot keep the write waiting past the deadline. */
    int fl = fcntl(fds[1], F_GETFL);
    if (fl >= 0)
        (void)fcntl(fds[1], F_SETFL, fl | O_NONBLOCK);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fds[1], script + off, len - off);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = fds[1], .events = POLLOUT};
            int r = poll(&pf, 1, ms_left(p));
            if (r == 0) {
                gp_kill(p);
                break;
            }
            continue;
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            p->write_errno = errno;
            break;
        }
        off += (size_t)w;
    }
    close(fds[1]);
    if (p->write_errno == EPIPE) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &now) == SIGPIPE)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return CS_OK;
}

/* Wait for gnuplot to exit, killing it at its deadline (p->timed_out);
 * -1 and errno when waiting failed. */
static int gp_wait(struct gp_proc *p, int *status)
{
    pid_t r;
    if (!p->timed_out) {
        /* A descriptor that becomes readable when the process ends (Linux
         * 5.3): poll it until the deadline.  Without one, look every 10 ms. */
#ifdef SYS_pidfd_open
        int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#else
        int fd = -1;
#endif
        for (;;) {
            r = waitpid(p->pid, status, WNOHANG);
            if (r != 0 && !(r < 0 && errno == EINTR))
                break;
            int left = ms_left(p);
            if (left == 0) {
                gp_kill(p);
                break;
            }
            if (fd >= 0) {
                struct pollfd pf = {.fd = fd, .events = POLLIN};
                (void)poll(&pf, 1, left);
            } else {
                struct timespec nap = {0, 10000000};
                nanosleep(&nap, NULL);
            }
        }
        if (fd >= 0)
            close(fd);
        if (r != 0)              /* it exited, or waiting failed; 0: killed */
            return r < 0 ? -1 : 0;
    }
    do
        r = waitpid(p->pid, status, 0);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

/*
 * Run `gnuplot --version`: its first line into line[0..n) and true when
 * it names gnuplot and exits 0; else false and why.  It gets the same
 * deadline as a plot: a gnuplot that hangs here would otherwise hang the
 * report before its first plot.
 */
static bool probe_gnuplot(char *line, size_t n, char *why, size_t why_n, bool *missing)
{
    struct gp_proc p;
    memset(&p, 0, sizeof p);
    line[0] = '\0';
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, why_n, "cannot run gnuplot --version: pipe: %s", strerror(errno));
        return false;
    }
    char *argv[] = {"gnuplot", "--version", NULL};
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        if ((rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 1)) == 0 &&
            (rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) == 0)
            rc = posix_spawnp(&p.pid, "gnuplot", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        *missing = rc == ENOENT;
        if (rc == ENOENT)
            snprintf(why, why_n, "gnuplot not found");
        else
            snprintf(why, why_n, "cannot run gnuplot --version: %s", strerror(rc));
        return false;
    }
    set_deadline(&p);
    size_t used = 0;
    for (;;) {
        struct pollfd pf = {.fd = fds[0], .events = POLLIN};
        int r = poll(&pf, 1, ms_left(&p));
        if (r == 0) {
            gp_kill(&p);
            break;
        }
        char buf[256];
        ssize_t k = r < 0 ? -1 : read(fds[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k && used + 1 < n; i++)
            line[used++] = buf[i];
    }
    line[used] = '\0';
    close(fds[0]);
    int status = 0;
    if (gp_wait(&p, &status) != 0) {
        snprintf(why, why_n, "cannot run gnuplot --version: waiting: %s", strerror(errno));
        return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (p.timed_out) {
        snprintf(why, why_n, "gnuplot --version did not answer within %g s and was stopped; "
                 "COMPSIGHT_GNUPLOT_TIMEOUT sets the limit", gp_timeout());
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(why, why_n, "gnuplot not found");
        *missing = true;
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(line, "gnuplot", 7) != 0) {
        snprintf(why, why_n, "gnuplot --version failed");
        return false;
    }
    return true;
}

/*
 * The probe's answer, kept for the PATH it was found on: a report asks
 * several times (the report's plots, each proposal plot, the index), and
 * a gnuplot that hangs should cost one deadline, not one a question.
 */
static struct {
    pthread_mutex_t lock;
    char *path;               /* PATH when probed; NULL: not probed */
    bool ok, missing;         /* missing: not installed (else why says what failed) */
    char version[64];
    char why[200];
} probed = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool cs_plot_gnuplot_available(char *version, size_t n)
{
    const char *path = getenv("PATH");
    path = path ? path : "";
    pthread_mutex_lock(&probed.lock);
    if (!probed.path || strcmp(probed.path, path) != 0) {
        free(probed.path);
        probed.missing = false;
        probed.ok = probe_gnuplot(probed.version, sizeof probed.version, probed.why,
                                  sizeof probed.why, &probed.missing);
        if (probed.ok)
            probed.why[0] = '\0';
        else
            probed.version[0] = '\0';
        probed.path = strdup(path);     /* NULL: asked again next time */
    }
    bool ok = probed.ok;
    if (version && n)
        snprintf(version, n, "%s", probed.version);
    pthread_mutex_unlock(&probed.lock);
    return ok;
}

bool cs_plot_gnuplot_problem(char *why, size_t n)
{
    pthread_mutex_lock(&probed.lock);
    snprintf(why, n, "%s", probed.path && !probed.ok ? probed.why : "");
    bool missing = probed.path && !probed.ok && probed.missing;
    pthread_mutex_unlock(&probed.lock);
    return missing;
}

/* Move NAME.png and NAME.svg that gnuplot drew in p->tmp into p->dir. */
static enum cs_status move_images(const struct gp_proc *p, const char *name, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    char *gp = strfmt("%s/%s.gp", p->dir, name);
    char *from_png = strfmt("%s/%s.png", p->tmp, name), *from_svg = strfmt("%s/%s.svg", p->tmp, name);
    char *to_png = strfmt("%s/%s.png", p->dir, name), *to_svg = strfmt("%s/%s.svg", p->dir, name);
    struct stat sb;
    if (!gp || !from_png || !from_svg || !to_png || !to_svg)
        st = oom(err);
    else if (stat(from_png, &sb) != 0 || sb.st_size == 0 || stat(from_svg, &sb) != 0 ||
             sb.st_size == 0)
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot wrote no %s.png or %s.svg",
                          name, name);
    else if (rename(from_png, to_png) != 0)
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", to_png, strerror(errno));
    else if (rename(from_svg, to_svg) != 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: %s", to_svg, strerror(errno));
        unlink(to_png);      /* both or neither */
    }
    free(gp);
    free(from_png);
    free(from_svg);
    free(to_png);
    free(to_svg);
    return st;
}

/* Wait for gnuplot; on success move NAME.png and NAME.svg into DIR. */
static enum cs_status gp_finish(struct gp_proc *p, struct cs_error *err)
{
    enum cs_status st = CS_OK;
    int status = 0;
    char *gp = strfmt("%s/%s.gp", p->dir, p->name);
    char *errfile = strfmt("%s/gnuplot.err", p->tmp);
    int r = gp_wait(p, &status);
    if (!gp || !errfile) {
        st = oom(err);
        goto out;
    }
    if (r < 0) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "waiting for gnuplot: %s", strerror(errno));
        goto out;
    }
    if (p->timed_out) {
        st = timeout_error(err, gp, "");
        goto out;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot not found");
        goto out;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[400];
        first_error_line(errfile, line, sizeof line);
        if (WIFSIGNALED(status))
            st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot killed by signal %d%s%s",
                              WTERMSIG(status), line[0] ? ": " : "", line);
        else
            st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "gnuplot failed (exit %d)%s%s",
                              WEXITSTATUS(status), line[0] ? ": " : "", line);
        goto out;
    }
    if (p->write_errno) {
        st = cs_error_set(err, CS_ERR_OUTPUT, gp, 0, NULL, "writing to gnuplot: %s",
                          strerror(p->write_errno));
        goto out;
    }
    st = move_images(p, p->name, err);
out:
    free(gp);
    free(errfile);
    proc_release(p);
    return st;
}

enum cs_status cs_gp_write_script(const char *dir, const char *name, const char *script,
                                  size_t len, struct cs_error *err)
{
    char file[40];
    snprintf(file, sizeof file, "%s.gp", name);
    struct cs_atomic a;
    enum cs_status st = cs_atomic_open(&a, dir, file, err);
    if (st != CS_OK)
        return st;
    fwrite(script, 1, len, a.f);
    return cs_atomic_commit(&a, err);
}

enum cs_status cs_plot_run(const char *dir, const char *name, const char *script, size_t len,
                           struct cs_error *err)
{
    if (!dir || !name || !cs_gp_valid_name(name) || (!script && len))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "plot name must be [A-Za-z0-9_-]+");
    enum cs_status st = cs_gp_write_script(dir, name, script, len, err);
    if (st != CS_OK)
        return st;
    struct gp_proc p;
    st = gp_start(dir, name, script, len, &p, err);
    if (st != CS_OK)
        return st;
    return gp_finish(&p, err);
}

/* ======================================================================
 * Batches: many scripts, a few gnuplot processes
 * ==================================================================== */

/* At most this many gnuplot processes at once, and no more than the
 * processors online: rendering (about 0.2 s a plot), not the pipe, is what
 * takes the time. */
#define GP_PARALLEL 4

/* A batch's line on gnuplot's standard error after each plot it drew. */
#define GP_DRAWN "compsight-drawn "

/* Whether gnuplot's standard error in TMP/gnuplot.err has the line GP_DRAWN NAME. */
static bool batch_drew(const char *tmp, const char *name)
{
    char *path = strfmt("%s/gnuplot.err", tmp), line[256];
    FILE *f = path ? fopen(path, "r") : NULL;
    bool found = false;
    size_t want = strlen(GP_DRAWN) + strlen(name);
    while (f && !found && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        found = n == want && strncmp(line, GP_DRAWN, strlen(GP_DRAWN)) == 0 &&
                strncmp(line + strlen(GP_DRAWN), name, n - strlen(GP_DRAWN)) == 0;
    }
    if (f)
        fclose(f);
    free(path);
    return found;
}

/*
 * Start one gnuplot on jobs first, first + step, ... : each script after
 * `reset session` (which gives it a fresh gnuplot, as if run alone), then
 * a line on standard error saying it was drawn.
 */
static bool batch_start(const struct cs_gp_job *jobs, size_t n, const char *dir, size_t first,
                        size_t step, struct gp_proc *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return false;
    for (size_t j = first; j < n; j += step) {
        fputs("reset session\n", m);
        fwrite(jobs[j].script, 1, jobs[j].len, m);
        fprintf(m, "print '" GP_DRAWN "%s'\n", jobs[j].name);
    }
    bool ok = !ferror(m);
    if (fclose(m) != 0 || !buf)
        ok = false;
    struct cs_error e;
    ok = ok && gp_start(dir, jobs[first].name, buf, len, p, &e) == CS_OK;
    free(buf);
    return ok;
}

/* Wait for a batch; move the images of the plots it says it drew.  True
 * when it ran past its deadline. */
static bool batch_finish(struct cs_gp_job *jobs, size_t n, size_t first, size_t step,
                         struct gp_proc *p)
{
    int status;
    gp_wait(p, &status);
    bool hung = p->timed_out;
    for (size_t j = first; j < n; j += step) {
        struct cs_error e;
        jobs[j].rendered = batch_drew(p->tmp, jobs[j].name) &&
                           move_images(p, jobs[j].name, &e) == CS_OK;
    }
    proc_release(p);
    return hung;
}

void cs_gp_run_jobs(const char *dir, struct cs_gp_job *jobs, size_t n, cs_gp_failed_fn *failed,
                    void *ctx)
{
    struct gp_proc run[GP_PARALLEL];
    size_t job_of[GP_PARALLEL], nrun = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t par = cpus < 1 ? 1 : cpus > GP_PARALLEL ? GP_PARALLEL : (size_t)cpus;
    size_t batches = par < n ? par : n;
    bool started[GP_PARALLEL], hung = false;
    for (size_t b = 0; b < batches; b++)
        started[b] = batch_start(jobs, n, dir, b, batches, &run[b]);
    for (size_t b = 0; b < batches; b++)
        if (started[b])
            hung |= batch_finish(jobs, n, b, batches, &run[b]);

    /* what the batches left: one process a plot, par at a time */
    struct cs_error e;
    for (size_t j = 0; j <= n; j++) {
        /* finish the oldest when full, and everything at the end */
        while (nrun > 0 && (nrun == par || j == n)) {
            cs_error_clear(&e);
            if (gp_finish(&run[0], &e) == CS_OK)
                jobs[job_of[0]].rendered = true;
            else
                failed(ctx, &jobs[job_of[0]], &e);
            memmove(run, run + 1, (nrun - 1) * sizeof run[0]);
            memmove(job_of, job_of + 1, (nrun - 1) * sizeof job_of[0]);
            nrun--;
        }
        if (j == n)
            break;
        if (jobs[j].rendered)
            continue;
        cs_error_clear(&e);
        if (hung) {
            /* A gnuplot that hangs once hangs again: one at a time, the
             * undrawn plots would each wait out the limit. */
            char *gp = strfmt("%s/%s.gp", dir, jobs[j].name);
            timeout_error(&e, gp ? gp : jobs[j].name, "not drawn: ");
            free(gp);
            failed(ctx, &jobs[j], &e);
            continue;
        }
        if (gp_start(dir, jobs[j].name, jobs[j].script, jobs[j].len, &run[nrun], &e) == CS_OK)
            job_of[nrun++] = j;
        else
            failed(ctx, &jobs[j], &e);
    }
}
