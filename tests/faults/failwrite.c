/* failwrite.c - an LD_PRELOAD shim that makes file operations on chosen paths fail, for tests/faults/run.sh. */
/*
 * Build:  cc -shared -fPIC -O2 -o failwrite.so failwrite.c -ldl
 * Use:    LD_PRELOAD=./failwrite.so FAULT_OP=write FAULT_PATH=report.html ... compsight report ...
 *
 * Works without privileges (tests run as root in CI, where chmod cannot
 * make a directory unwritable).  Environment:
 *
 *   FAULT_OP     what fails, on paths containing FAULT_PATH:
 *                  write   writes (write(2) on a file opened with open/openat,
 *                          or stdio on one opened with fopen) fail with
 *                          FAULT_ERRNO once FAULT_AFTER bytes went through:
 *                          a disk that fills up (default errno ENOSPC)
 *                  open    opening for writing fails (default EACCES): an
 *                          unwritable directory
 *                  rename  rename(2) to or from the path fails (default EXDEV)
 *                  mkdir   mkdir(2) fails (default EACCES)
 *                  read    reads fail with FAULT_ERRNO (default EIO) once
 *                          FAULT_AFTER bytes were read: a failing disk
 *                  eof     reads return end of file once FAULT_AFTER bytes
 *                          were read: a file truncated while it is read
 *                  vanish  opening for reading fails with ENOENT: the file
 *                          disappeared between the directory listing (stat)
 *                          and the open
 *                  signal  the process sends itself FAULT_SIGNAL once
 *                          FAULT_AFTER bytes were written to the file: an
 *                          interrupt at a chosen point, without timing
 *   FAULT_PATH   substring of the path (as the program passes it) that
 *                selects the files; required
 *   FAULT_AFTER  bytes (write, read, eof) that go through first; default 0
 *   FAULT_SKIP   matching opens/renames/mkdirs that succeed before the
 *                fault applies (open, rename, mkdir, vanish); default 0
 *   FAULT_ERRNO  errno by name (ENOSPC, EIO, EACCES, EROFS, EDQUOT, EXDEV,
 *                ENOENT, EPERM) or number
 *   FAULT_SIGNAL the signal of FAULT_OP=signal: INT, TERM, HUP or KILL (default
 *                TERM)
 *   FAULT_LOG    if set, a file to which each injected fault is appended
 *                (one line: op and path), so a test can tell that the
 *                fault was actually hit
 *
 * Byte quotas are per file (each matching open starts again from
 * FAULT_AFTER).  glibc's stdio calls write and read inside libc, where
 * LD_PRELOAD cannot reach, so fopen on a matching path returns a stdio
 * stream built with fopencookie over the real file descriptor, whose read
 * and write functions apply the quota.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum op { OP_NONE, OP_WRITE, OP_OPEN, OP_RENAME, OP_MKDIR, OP_READ, OP_EOF, OP_VANISH, OP_SIGNAL };

static enum op fault_op = OP_NONE;
static const char *fault_path;
static long long fault_after;
static long fault_skip;
static int fault_errno;
static int fault_signal = SIGTERM;
static const char *fault_log;
static bool ready;

#define MAX_FD 4096
static long long fd_left[MAX_FD];      /* bytes left before the fault, -1 = not tracked */

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_close)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_mkdir)(const char *, mode_t);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);

static int errno_by_name(const char *s, int dflt)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EACCES", EACCES}, {"EROFS", EROFS},
                 {"EDQUOT", EDQUOT}, {"EXDEV", EXDEV}, {"ENOENT", ENOENT}, {"EPERM", EPERM},
                 {"EMFILE", EMFILE}, {"EFBIG", EFBIG}};
    if (!s || !*s)
        return dflt;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].value;
    int v = atoi(s);
    return v > 0 ? v : dflt;
}

static void init(void)
{
    if (ready)
        return;
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_open64 = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
    real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    real_openat64 = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat64");
    real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    real_writev = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    real_renameat = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
    real_mkdir = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
    real_fopen = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    real_fopen64 = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen64");
    for (int i = 0; i < MAX_FD; i++)
        fd_left[i] = -1;
    const char *op = getenv("FAULT_OP");
    fault_path = getenv("FAULT_PATH");
    fault_after = getenv("FAULT_AFTER") ? atoll(getenv("FAULT_AFTER")) : 0;
    fault_skip = getenv("FAULT_SKIP") ? atol(getenv("FAULT_SKIP")) : 0;
    fault_log = getenv("FAULT_LOG");
    int dflt = 0;
    if (op && fault_path && *fault_path) {
        if (!strcmp(op, "write")) fault_op = OP_WRITE, dflt = ENOSPC;
        else if (!strcmp(op, "open")) fault_op = OP_OPEN, dflt = EACCES;
        else if (!strcmp(op, "rename")) fault_op = OP_RENAME, dflt = EXDEV;
        else if (!strcmp(op, "mkdir")) fault_op = OP_MKDIR, dflt = EACCES;
        else if (!strcmp(op, "read")) fault_op = OP_READ, dflt = EIO;
        else if (!strcmp(op, "eof")) fault_op = OP_EOF;
        else if (!strcmp(op, "vanish")) fault_op = OP_VANISH, dflt = ENOENT;
        else if (!strcmp(op, "signal")) fault_op = OP_SIGNAL;
    }
    const char *sig = getenv("FAULT_SIGNAL");
    if (sig && !strcmp(sig, "INT"))
        fault_signal = SIGINT;
    else if (sig && !strcmp(sig, "HUP"))
        fault_signal = SIGHUP;
    else if (sig && !strcmp(sig, "KILL"))
        fault_signal = SIGKILL;
    fault_errno = errno_by_name(getenv("FAULT_ERRNO"), dflt);
    ready = true;
}

__attribute__((constructor)) static void failwrite_init(void)
{
    init();
}

static bool matches(const char *path)
{
    return fault_op != OP_NONE && path && strstr(path, fault_path) != NULL;
}

static void note(const char *what, const char *path)
{
    if (!fault_log)
        return;
    int fd = real_open(fault_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[1200];
    int n = snprintf(line, sizeof line, "%s %s\n", what, path ? path : "(fd)");
    if (n > 0)
        real_write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    real_close(fd);
}

/* One matching call that may be let through (FAULT_SKIP). */
static bool take_skip(void)
{
    if (fault_skip > 0) {
        fault_skip--;
        return true;
    }
    return false;
}

static bool writing(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* Decide an open of path with flags; returns -1 (errno set) to fail it. */
static int before_open(const char *path, int flags)
{
    if (!matches(path))
        return 0;
    if (fault_op == OP_OPEN && writing(flags) && !take_skip()) {
        note("open", path);
        errno = fault_errno;
        return -1;
    }
    if (fault_op == OP_VANISH && !writing(flags) && !take_skip()) {
        note("vanish", path);
        errno = fault_errno;
        return -1;
    }
    return 0;
}

static void after_open(const char *path, int fd, int flags)
{
    if (fd < 0 || fd >= MAX_FD)
        return;
    fd_left[fd] = -1;
    if (!matches(path))
        return;
    if (((fault_op == OP_WRITE || fault_op == OP_SIGNAL) && writing(flags)) ||
        ((fault_op == OP_READ || fault_op == OP_EOF) && !writing(flags)))
        fd_left[fd] = fault_after;
}

#define OPEN_MODE(flags, mode)                          \
    do {                                                \
        if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) { \
            va_list ap;                                 \
            va_start(ap, flags);                        \
            mode = va_arg(ap, mode_t);                  \
            va_end(ap);                                 \
        }                                               \
    } while (0)

int open(const char *path, int flags, ...)
{
    init();
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    if (before_open(path, flags) < 0)
        return -1;
    int fd = real_open(path, flags, mode);
    after_open(path, fd, flags);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    init();
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    if (before_open(path, flags) < 0)
        return -1;
    int fd = (real_open64 ? real_open64 : real_open)(path, flags, mode);
    after_open(path, fd, flags);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    init();
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    if (before_open(path, flags) < 0)
        return -1;
    int fd = real_openat(dirfd, path, flags, mode);
    after_open(path, fd, flags);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    init();
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    if (before_open(path, flags) < 0)
        return -1;
    int fd = (real_openat64 ? real_openat64 : real_openat)(dirfd, path, flags, mode);
    after_open(path, fd, flags);
    return fd;
}

int close(int fd)
{
    init();
    if (fd >= 0 && fd < MAX_FD)
        fd_left[fd] = -1;
    return real_close(fd);
}

/* How many of n bytes may go through fd; -1 with errno set to fail now. */
static ssize_t quota(int fd, size_t n, bool is_write)
{
    if (fd < 0 || fd >= MAX_FD || fd_left[fd] < 0)
        return (ssize_t)n;
    if (fd_left[fd] == 0 && n > 0) {
        if (is_write && fault_op == OP_SIGNAL) {
            note("signal", NULL);
            fd_left[fd] = -1;
            raise(fault_signal);
            return (ssize_t)n;
        }
        if (!is_write && fault_op == OP_EOF) {
            note("eof", NULL);
            return 0;
        }
        note(is_write ? "write" : "read", NULL);
        errno = fault_errno;
        return -1;
    }
    return (ssize_t)((long long)n < fd_left[fd] ? (long long)n : fd_left[fd]);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    init();
    ssize_t q = quota(fd, n, true);
    if (q < 0)
        return -1;
    ssize_t w = real_write(fd, buf, (size_t)q);
    if (w > 0 && fd < MAX_FD && fd >= 0 && fd_left[fd] >= 0)
        fd_left[fd] -= w;
    return w;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    init();
    if (fd >= 0 && fd < MAX_FD && fd_left[fd] >= 0) {
        ssize_t total = 0;
        for (int i = 0; i < cnt; i++) {
            ssize_t w = write(fd, iov[i].iov_base, iov[i].iov_len);
            if (w < 0)
                return total ? total : -1;
            total += w;
            if ((size_t)w < iov[i].iov_len)
                break;
        }
        return total;
    }
    return real_writev(fd, iov, cnt);
}

ssize_t read(int fd, void *buf, size_t n)
{
    init();
    ssize_t q = quota(fd, n, false);
    if (q <= 0)
        return q;
    ssize_t r = real_read(fd, buf, (size_t)q);
    if (r > 0 && fd < MAX_FD && fd >= 0 && fd_left[fd] >= 0)
        fd_left[fd] -= r;
    return r;
}

int rename(const char *from, const char *to)
{
    init();
    if (fault_op == OP_RENAME && (matches(from) || matches(to)) && !take_skip()) {
        note("rename", to);
        errno = fault_errno;
        return -1;
    }
    return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    init();
    if (fault_op == OP_RENAME && (matches(from) || matches(to)) && !take_skip()) {
        note("rename", to);
        errno = fault_errno;
        return -1;
    }
    return real_renameat(fromfd, from, tofd, to);
}

int mkdir(const char *path, mode_t mode)
{
    init();
    if (fault_op == OP_MKDIR && matches(path) && !take_skip()) {
        note("mkdir", path);
        errno = fault_errno;
        return -1;
    }
    return real_mkdir(path, mode);
}

/* ---- stdio: a cookie stream over the real descriptor ---------------- */

static ssize_t ck_read(void *c, char *buf, size_t n)
{
    return read((int)(long)c, buf, n);
}

static ssize_t ck_write(void *c, const char *buf, size_t n)
{
    /* glibc takes a short count from a cookie as an error without errno,
     * so go on as its own file stream does: until done or write fails */
    size_t done = 0;
    while (done < n) {
        ssize_t w = write((int)(long)c, buf + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static int ck_seek(void *c, off64_t *off, int whence)
{
    off64_t r = lseek64((int)(long)c, *off, whence);
    if (r < 0)
        return -1;
    *off = r;
    return 0;
}

static int ck_close(void *c)
{
    return close((int)(long)c);
}

static int mode_flags(const char *mode)
{
    int flags = 0;
    bool plus = strchr(mode, '+') != NULL;
    switch (mode[0]) {
    case 'r': flags = plus ? O_RDWR : O_RDONLY; break;
    case 'w': flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC; break;
    case 'a': flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND; break;
    default: return -1;
    }
    if (strchr(mode, 'x'))
        flags |= O_EXCL;
    if (strchr(mode, 'e'))
        flags |= O_CLOEXEC;
    return flags;
}

static FILE *wrap_fopen(const char *path, const char *mode, FILE *(*real)(const char *, const char *))
{
    init();
    int flags = mode ? mode_flags(mode) : -1;
    if (!matches(path) || flags < 0)
        return real(path, mode);
    int fd = open(path, flags, 0666);     /* applies open/vanish faults and the quota */
    if (fd < 0)
        return NULL;
    cookie_io_functions_t io = {.read = ck_read, .write = ck_write, .seek = ck_seek, .close = ck_close};
    char m[8];
    snprintf(m, sizeof m, "%c%s", mode[0], strchr(mode, '+') ? "+" : "");
    FILE *f = fopencookie((void *)(long)fd, m, io);
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    init();
    return wrap_fopen(path, mode, real_fopen);
}

FILE *fopen64(const char *path, const char *mode)
{
    init();
    return wrap_fopen(path, mode, real_fopen64 ? real_fopen64 : real_fopen);
}
