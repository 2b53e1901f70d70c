/* strpool.h - string interning: each distinct string stored once, named by a small id. */
#ifndef COMPSIGHT_STRPOOL_H
#define COMPSIGHT_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "compsight/mem.h"

/*
 * Ids start at 1 and follow insertion order; id 0 is the blank string and
 * is never stored.  Strings are byte strings (they may not contain NUL).
 * The pool owns its bytes; pointers returned by cs_strpool_get stay valid
 * until cs_strpool_free (the arena never moves stored strings).
 */
struct cs_strpool;

struct cs_strpool *cs_strpool_new(void);          /* NULL on OOM */
void cs_strpool_free(struct cs_strpool *pool);    /* accepts NULL */

/* Intern s[0..len); sets *id (0 when len == 0).  Returns 0, or -1 on OOM. */
int cs_strpool_intern(struct cs_strpool *pool, const char *s, size_t len, uint32_t *id);

/* Id of s[0..len) if already interned, else 0. */
uint32_t cs_strpool_find(const struct cs_strpool *pool, const char *s, size_t len);

/*
 * Make room for n strings in all without growing the table on the way (a
 * loader that can tell how many strings a big file will add: each
 * doubling reinserts every string, and the loader stops while it does).
 * 0, or -1 on OOM (the pool is as it was).
 */
int cs_strpool_reserve(struct cs_strpool *pool, size_t n);

/*
 * Make room for bytes of text in the block strings are being added to (a
 * string takes its length plus 5 bytes; cs_strpool_text tells how many so
 * far).  0, or -1 on OOM (the pool is as it was).
 */
int cs_strpool_reserve_text(struct cs_strpool *pool, size_t bytes);
size_t cs_strpool_text(const struct cs_strpool *pool);

/*
 * What the pool will write as it fills the room reserved: its hash table,
 * the rest of its id array and the rest of its current block of text
 * (each { NULL, 0 } when there is none).  For cs_prefault on another
 * thread: the spans are those of now, and a later growth moves them.
 */
void cs_strpool_unwritten(const struct cs_strpool *pool, struct cs_span *table,
                          struct cs_span *ids, struct cs_span *text);

/*
 * Drop the hash table of a pool that is only read from now on (at ten
 * million strings, 256 MiB), and the room reserved and not used.  Ids and
 * strings stay as they are.  The next intern builds the table again; a find on a sealed pool compares the
 * strings one by one (correct, and slow).
 */
void cs_strpool_seal(struct cs_strpool *pool);

/*
 * The pool's hash of s[0..len): a pure function, any thread may call it
 * (a loader hashes a row's strings as it splits the row, on another
 * thread); the _hashed variants take it instead of computing it again.
 */
uint32_t cs_strpool_hash(const char *s, size_t len);
int cs_strpool_intern_hashed(struct cs_strpool *pool, const char *s, size_t len, uint32_t hash,
                             uint32_t *id);
uint32_t cs_strpool_find_hashed(const struct cs_strpool *pool, const char *s, size_t len,
                                uint32_t hash);

/* A string to look up in a batch: its bytes, their hash, and its id. */
struct cs_strpool_key {
    const char *s;
    size_t len;
    uint32_t hash;           /* cs_strpool_hash(s, len) */
    uint32_t id;             /* set by cs_strpool_find_batch: 0 when not stored */
};

/*
 * Look up n strings (*keys[0], *keys[1], ... in that order), setting each
 * one's id as cs_strpool_find_hashed would.  A lookup that finds its
 * string reads a slot of the table, the string's pointer and the string,
 * each a cache miss at random when the pool is large: the batch overlaps
 * those of the lookups to come with the one under way, so that a loader
 * that looks up a few hundred rows' strings at once and then interns
 * them (a found id costs the intern nothing) rarely waits on memory.  On
 * a sealed pool every lookup compares the strings one by one (correct,
 * and slow).  The keys are the caller's; the pool only writes their ids.
 */
void cs_strpool_find_batch(const struct cs_strpool *pool, struct cs_strpool_key *const *keys,
                           size_t n);

/* The string of an id ("" for 0); borrowed, NUL-terminated. */
const char *cs_strpool_get(const struct cs_strpool *pool, uint32_t id);
size_t cs_strpool_len(const struct cs_strpool *pool, uint32_t id);

/* Number of stored strings (the largest id). */
size_t cs_strpool_count(const struct cs_strpool *pool);

/* Bytes held by the pool (for memory reports). */
size_t cs_strpool_bytes(const struct cs_strpool *pool);

#endif
