/* pseudonym.c - keyed pseudonyms (BLAKE2b from libsodium) and the key file: found, created once, checked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "compsight/pseudonym.h"

enum cs_status cs_key_default_path(char *buf, size_t n, struct cs_error *err)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int len;
    /* the XDG base directory specification: a relative path is ignored */
    if (xdg && xdg[0] == '/')
        len = snprintf(buf, n, "%s/compsight/key", xdg);
    else if (home && home[0])
        len = snprintf(buf, n, "%s/.config/compsight/key", home);
    else
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "no home directory (HOME is not set) for the pseudonym key: "
                            "name one with --key-file FILE");
    if (len < 0 || (size_t)len >= n)
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "the pseudonym key's path is too long: name one with --key-file FILE");
    return CS_OK;
}

/* mkdir -p of path's directory, the directories it makes mode 0700. */
static enum cs_status make_parents(const char *path, struct cs_error *err)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: path too long", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return CS_OK;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                                "cannot create the pseudonym key's directory %s: %s", dir,
                                strerror(errno));
        *p = c;
        if (!c)
            break;
    }
    return CS_OK;
}

/* A new key at path: 32 random bytes into a temporary file, linked to
 * path, which fails (EEXIST) when another run created it meanwhile. */
static enum cs_status create_key(const char *path, bool *created, struct cs_error *err)
{
    char tmp[PATH_MAX];
    unsigned char k[CS_KEY_BYTES];
    enum cs_status st = make_parents(path, err);
    if (st != CS_OK)
        return st;
    if (snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", path) >= (int)sizeof tmp)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL, "%s: path too long", path);
    int fd = mkstemp(tmp);     /* mode 0600 */
    if (fd < 0)
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                            "cannot create the pseudonym key %s: %s", path, strerror(errno));
    randombytes_buf(k, sizeof k);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, k, sizeof k) == (ssize_t)sizeof k &&
              fsync(fd) == 0;
    int saved = errno;
    sodium_memzero(k, sizeof k);
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && link(tmp, path) == 0) {
        *created = true;
    } else if (ok && errno == EEXIST) {
        *created = false;          /* another run made it first: use theirs */
    } else {
        if (ok)
            saved = errno;
        unlink(tmp);
        return cs_error_set(err, CS_ERR_OUTPUT, NULL, 0, NULL,
                            "cannot create the pseudonym key %s: %s", path, strerror(saved));
    }
    unlink(tmp);
    return CS_OK;
}

enum cs_status cs_key_load(const char *path, struct cs_key *key, bool *created,
                           struct cs_error *err)
{
    bool made = false;
    enum cs_status st = CS_OK;
    memset(key, 0, sizeof *key);
    if (created)
        *created = false;
    if (sodium_init() < 0)
        return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL, "libsodium could not start");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) {
        if ((st = create_key(path, &made, err)) != CS_OK)
            return st;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    }
    if (fd < 0)
        return cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "pseudonym key %s: %s", path,
                            strerror(errno));
    struct stat sb;
    unsigned char extra;
    if (fstat(fd, &sb) != 0)
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL, "pseudonym key %s: %s", path,
                          strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                          "pseudonym key %s: not a regular file", path);
    else if (sb.st_uid != geteuid())
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                          "pseudonym key %s: owned by another user (uid %lu); it must be yours",
                          path, (unsigned long)sb.st_uid);
    else if (sb.st_mode & 077)
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                          "pseudonym key %s: mode %04o lets others read or change it; it must be "
                          "0600 (chmod 600 %s)", path, (unsigned)(sb.st_mode & 07777), path);
    else if (sb.st_size != CS_KEY_BYTES)
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                          "pseudonym key %s: %lld bytes, a key is exactly %d", path,
                          (long long)sb.st_size, CS_KEY_BYTES);
    else if (read(fd, key->k, CS_KEY_BYTES) != CS_KEY_BYTES || read(fd, &extra, 1) != 0)
        st = cs_error_set(err, CS_ERR_INPUT, NULL, 0, NULL,
                          "pseudonym key %s: cannot read its %d bytes", path, CS_KEY_BYTES);
    close(fd);
    if (st != CS_OK) {
        cs_key_wipe(key);
        return st;
    }
    if (created)
        *created = made;
    return CS_OK;
}

void cs_pseudonym(const struct cs_key *key, const char *id, size_t len, char *buf)
{
    unsigned char h[crypto_generichash_BYTES_MIN];     /* 16 bytes */
    crypto_generichash(h, sizeof h, (const unsigned char *)id, len, key->k, CS_KEY_BYTES);
    /* "rep-" and the first 5 bytes in hex, without printf: deals.csv
     * writes one a rep */
    static const char hex[] = "0123456789abcdef";
    memcpy(buf, "rep-", 4);
    for (int i = 0; i < 5; i++) {
        buf[4 + 2 * i] = hex[h[i] >> 4];
        buf[5 + 2 * i] = hex[h[i] & 15];
    }
    buf[14] = '\0';
}

void cs_key_wipe(struct cs_key *key)
{
    sodium_memzero(key->k, sizeof key->k);
}
