/* test_pseudonym.c - keyed pseudonyms (BLAKE2b) and the key file: made once, mode 0600, checked. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "compsight/pseudonym.h"
#include "compsight/rejectscsv.h"
#include "compsight/schema.h"
#include "compsight/status.h"

#define FIXTURE_KEY CS_TEST_DIR "/fixtures/key"

/* A fresh directory under /tmp for one test; the caller removes it. */
static void fresh_dir(char *dir)
{
    strcpy(dir, "/tmp/cs_test_key_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

/* The committed test key (tests/fixtures/key: the bytes 0..31), copied
 * with mode 0600 as a key must have (git keeps no such mode). */
static void fixture_copy(const char *path)
{
    unsigned char k[CS_KEY_BYTES];
    FILE *f = fopen(FIXTURE_KEY, "rb");
    assert_non_null(f);
    assert_int_equal(fread(k, 1, sizeof k, f), sizeof k);
    fclose(f);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, k, sizeof k), (ssize_t)sizeof k);
    close(fd);
}

static void test_values(void **state)
{
    (void)state;
    char dir[64], path[96], a[CS_PSEUDONYM_SIZE], b[CS_PSEUDONYM_SIZE];
    struct cs_key key;
    struct cs_error err;
    bool created = true;
    fresh_dir(dir);
    snprintf(path, sizeof path, "%s/key", dir);
    fixture_copy(path);
    assert_int_equal(cs_key_load(path, &key, &created, &err), CS_OK);
    assert_false(created);
    for (int i = 0; i < CS_KEY_BYTES; i++)
        assert_int_equal(key.k[i], i);
    /* computed apart, in Python: hashlib.blake2b(id, key=bytes(range(32)),
     * digest_size=16).hexdigest()[:10] */
    cs_pseudonym(&key, "R0001", 5, a);
    assert_string_equal(a, "rep-a08ed70a8d");
    cs_pseudonym(&key, "R0002", 5, a);
    assert_string_equal(a, "rep-ecede3c0f8");
    cs_pseudonym(&key, "R21", 3, a);
    assert_string_equal(a, "rep-48fcce30fe");
    cs_pseudonym(&key, "", 0, a);
    assert_string_equal(a, "rep-3daf97bce7");
    /* the bytes given, not the C string: an id may hold a NUL */
    cs_pseudonym(&key, "R0001\0x", 7, b);
    assert_string_not_equal(a, b);
    /* another key, other names: without the key, hashing guesses finds nothing */
    struct cs_key other = key;
    other.k[0] ^= 1;
    cs_pseudonym(&other, "R0001", 5, b);
    assert_string_not_equal(b, "rep-a08ed70a8d");
    cs_key_wipe(&key);
    for (int i = 0; i < CS_KEY_BYTES; i++)
        assert_int_equal(key.k[i], 0);
    unlink(path);
    rmdir(dir);
}

static void test_created_once(void **state)
{
    (void)state;
    char dir[64], path[128], d1[64];
    struct cs_key k1, k2;
    struct cs_error err;
    bool created = false;
    struct stat sb;
    fresh_dir(dir);
    /* missing directories are made, mode 0700 */
    snprintf(d1, sizeof d1, "%s/conf", dir);
    snprintf(path, sizeof path, "%s/compsight/key", d1);
    assert_int_equal(cs_key_load(path, &k1, &created, &err), CS_OK);
    assert_true(created);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_size, CS_KEY_BYTES);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/compsight", d1);
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    /* the second use reads the same key and makes nothing */
    assert_int_equal(cs_key_load(path, &k2, &created, &err), CS_OK);
    assert_false(created);
    assert_memory_equal(k1.k, k2.k, CS_KEY_BYTES);
    /* not all zero: random bytes (a chance of 2^-256 to fail) */
    int nonzero = 0;
    for (int i = 0; i < CS_KEY_BYTES; i++)
        nonzero |= k1.k[i];
    assert_true(nonzero);
    /* no temporary file left beside it */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) = 1", sub);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_refused(void **state)
{
    (void)state;
    char dir[64], path[96];
    struct cs_key key;
    struct cs_error err;
    fresh_dir(dir);
    snprintf(path, sizeof path, "%s/key", dir);
    fixture_copy(path);
    /* readable by the group or others */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "mode 0640 lets others read or change it"));
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(key.k[1], 0);
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_OK);
    /* one byte short, one byte too many */
    assert_int_equal(truncate(path, CS_KEY_BYTES - 1), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "31 bytes, a key is exactly 32"));
    assert_int_equal(truncate(path, CS_KEY_BYTES + 1), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_int_equal(truncate(path, 0), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    unlink(path);
    /* a directory, a FIFO */
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "not a regular file"));
    rmdir(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(cs_key_load(path, &key, NULL, &err), CS_ERR_INPUT);
    assert_non_null(strstr(err.msg, "not a regular file"));
    unlink(path);
    /* a regular file where its directory should be: cannot be read */
    char under[128];
    snprintf(under, sizeof under, "%s/afile", dir);
    fixture_copy(under);
    snprintf(under, sizeof under, "%s/afile/key", dir);
    assert_int_equal(cs_key_load(under, &key, NULL, &err), CS_ERR_INPUT);
    snprintf(under, sizeof under, "%s/afile", dir);
    unlink(under);
    rmdir(dir);
    /* missing, and its directory cannot be made (not even by root) */
    assert_int_equal(cs_key_load("/proc/cs-no-such-dir/compsight/key", &key, NULL, &err),
                     CS_ERR_OUTPUT);
    assert_non_null(strstr(err.msg, "cannot create the pseudonym key's directory"));
}

static void test_default_path(void **state)
{
    (void)state;
    char buf[256];
    struct cs_error err;
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("HOME", "/home/someone", 1);
    setenv("XDG_CONFIG_HOME", "/etc/xdg-of-someone", 1);
    assert_int_equal(cs_key_default_path(buf, sizeof buf, &err), CS_OK);
    assert_string_equal(buf, "/etc/xdg-of-someone/compsight/key");
    setenv("XDG_CONFIG_HOME", "relative/ignored", 1);       /* the XDG spec: ignored */
    assert_int_equal(cs_key_default_path(buf, sizeof buf, &err), CS_OK);
    assert_string_equal(buf, "/home/someone/.config/compsight/key");
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(cs_key_default_path(buf, sizeof buf, &err), CS_OK);
    assert_string_equal(buf, "/home/someone/.config/compsight/key");
    unsetenv("HOME");
    assert_int_equal(cs_key_default_path(buf, sizeof buf, &err), CS_ERR_USAGE);
    assert_non_null(strstr(err.msg, "--key-file"));
    if (home)
        setenv("HOME", home, 1);
    if (xdg)
        setenv("XDG_CONFIG_HOME", xdg, 1);
    free(home);
    free(xdg);
}


static void test_rejects(void **state)
{
    (void)state;
    struct cs_key key;
    for (int i = 0; i < CS_KEY_BYTES; i++)
        key.k[i] = (unsigned char)i;
    char q[128], reason[256], out[256];
    /* the value as cs_quote_bytes quotes it (escapes and all) is named by
     * the pseudonym of its bytes: a"b\c and an e acute (Python, as above) */
    static const char v[] = "a\"b\\c\xc3\xa9";
    snprintf(reason, sizeof reason, "unknown rep_id %s (not in reps.csv)",
             cs_quote_bytes(q, sizeof q, v, strlen(v)));
    cs_rejects_pseudonymise(reason, &key, out, sizeof out);
    assert_string_equal(out, "unknown rep_id rep-87fb223469 (not in reps.csv)");
    /* two values, and the text around them kept */
    cs_rejects_pseudonymise("rep \"Jane Doe\" and \"Jane Doe\".", &key, out, sizeof out);
    assert_string_equal(out, "rep rep-02ede8461a and rep-02ede8461a.");
    /* a value cut at 40 bytes: the bytes shown, dots included */
    static const char longid[] = "0123456789012345678901234567890123456789tail";
    snprintf(reason, sizeof reason, "duplicate rep_id %s (first on line 2)",
             cs_quote_bytes(q, sizeof q, longid, strlen(longid)));
    cs_rejects_pseudonymise(reason, &key, out, sizeof out);
    assert_string_equal(out, "duplicate rep_id rep-17960c6f9f (first on line 2)");
    /* an unmatched quote is text */
    cs_rejects_pseudonymise("a \"b", &key, out, sizeof out);
    assert_string_equal(out, "a \"b");
    /* a small buffer: cut, NUL-terminated */
    cs_rejects_pseudonymise("rep \"Jane Doe\"", &key, out, 8);
    assert_string_equal(out, "rep rep");
    /* which columns name a rep */
    assert_true(cs_rejects_names_rep(CS_T_REPS, "rep_id"));
    assert_true(cs_rejects_names_rep(CS_T_DEALS, "rep_id"));
    assert_true(cs_rejects_names_rep(CS_T_QUOTAS, "rep_id"));
    assert_true(cs_rejects_names_rep(CS_T_COMMISSIONS, "rep_id"));
    assert_true(cs_rejects_names_rep(CS_T_COLLATERAL, "owner_id"));
    assert_true(cs_rejects_names_rep(CS_T_TARGETS, "owner_id"));
    assert_false(cs_rejects_names_rep(CS_T_REPS, "plan_id"));
    assert_false(cs_rejects_names_rep(CS_T_DEALS, "amount"));
    assert_false(cs_rejects_names_rep(CS_T_DEALS, "deal_id"));
    assert_false(cs_rejects_names_rep(CS_T_PLANS, "plan_id"));
    assert_false(cs_rejects_names_rep(CS_T_DEALS, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_created_once),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
