/* pseudonym.h - keyed pseudonyms for reps in shared output, and the key file they take. */
#ifndef COMPSIGHT_PSEUDONYM_H
#define COMPSIGHT_PSEUDONYM_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/status.h"

#define CS_KEY_BYTES 32
#define CS_PSEUDONYM_SIZE 16     /* "rep-" + 10 hex digits + NUL, rounded up */

/* The secret a pseudonym is keyed with: 32 bytes from the key file. */
struct cs_key {
    unsigned char k[CS_KEY_BYTES];
};

/*
 * The default key file's path into buf (size n): $XDG_CONFIG_HOME/
 * compsight/key when that variable is an absolute path, else
 * $HOME/.config/compsight/key.  CS_ERR_USAGE when neither is set (name a
 * key with --key-file), or the path does not fit.
 */
enum cs_status cs_key_default_path(char *buf, size_t n, struct cs_error *err);

/*
 * Read the key in the file at path, creating it first when there is no
 * such file: 32 random bytes (libsodium's generator), mode 0600, in
 * directories made mode 0700 where missing, written under a temporary
 * name and linked into place so that two runs that both create it end up
 * with the same key.  *created (may be NULL) says whether this call made
 * it.  The key file is the only file compsight writes outside its output
 * directory (SPEC 11).
 * Errors (err names the path): CS_ERR_INPUT when the file is not a regular
 * file, is not owned by the user, can be read or written by anyone else
 * (its mode has group or other bits), does not hold exactly 32 bytes or
 * cannot be read; CS_ERR_OUTPUT when it cannot be created; CS_ERR_INTERNAL
 * when libsodium cannot start.  *key is left zero on error.
 */
enum cs_status cs_key_load(const char *path, struct cs_key *key, bool *created,
                           struct cs_error *err);

/*
 * A stable pseudonym for a rep in shared output, into buf (at least
 * CS_PSEUDONYM_SIZE bytes): "rep-" and 10 hex digits of BLAKE2b keyed with
 * key over the rep_id's bytes (id[0..len)).  The same id and key give the
 * same name in every run and quarter; without the key, hashing guessed
 * ids finds nothing.  Thread-safe.
 */
void cs_pseudonym(const struct cs_key *key, const char *id, size_t len, char *buf);

/* Forget the key: its bytes overwritten in a way the compiler keeps. */
void cs_key_wipe(struct cs_key *key);

#endif
