/* keyindex.h - the importer's unique keys: a key to the row that has it, put and find. */
#ifndef COMPSIGHT_INPUT_KEYINDEX_H
#define COMPSIGHT_INPUT_KEYINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compsight/strpool.h"

/*
 * A key index maps the unique key of a table (a string id of the dataset's
 * pool, or a (row, period) pair made by cs_key_pair) to the row that holds
 * it.  The kinds differ only in speed, never in what a lookup returns:
 *
 * - HASHED: a hash table; for the small tables and the pair keys.
 * - DENSE: an array indexed by string id, for the big tables whose ids
 *   are interned in row order (references in file order then read it
 *   nearly in order instead of probing at random).
 * - BY_TEXT (reps) and GUESSED (deals): references are found by their
 *   text without the string pool's table, which is large and read at
 *   random (at 10M deals each lookup there missed the TLB).  BY_TEXT has
 *   a table of its own, as small as the table's rows; GUESSED (which is
 *   DENSE too) looks near the row found last, since promises come in deal
 *   order and commissions by rep, and goes back to the pool when the
 *   references come in no useful order.
 */
enum cs_key_kind { CS_KEY_HASHED, CS_KEY_DENSE, CS_KEY_BY_TEXT, CS_KEY_GUESSED };

struct cs_keyindex;

/*
 * A new, empty key index (NULL on OOM; free with cs_keyindex_free, which
 * accepts NULL).  pool is the dataset's string pool, borrowed for the
 * index's life; the by-text kinds also borrow the table's key column and
 * row count (*ids, *rows, read as the table grows; NULL for the others).
 */
struct cs_keyindex *cs_keyindex_new(enum cs_key_kind kind, const struct cs_strpool *pool,
                                    uint32_t *const *ids, const size_t *rows);
void cs_keyindex_free(struct cs_keyindex *k);

/* Enter (or move) key at row; key != 0.  0, or -1 on OOM. */
int cs_keyindex_put(struct cs_keyindex *k, uint64_t key, uint32_t row);

/* The row of key, CS_NONE when it was never put. */
uint32_t cs_keyindex_get(const struct cs_keyindex *k, uint64_t key);

/*
 * The row of the key whose text is s[0..len) (len > 0), CS_NONE when none:
 * a reference to the table.  hash is the text's pool hash; id its pool id
 * when the caller has looked it up already (0: not known, or not there).
 */
uint32_t cs_keyindex_find(struct cs_keyindex *k, const char *s, size_t len, uint32_t hash,
                          uint32_t id);

/*
 * Whether cs_keyindex_find now finds a text without the string pool's
 * table, so that a caller need not look it up there first (for GUESSED,
 * until the guesses go poorly).
 */
bool cs_keyindex_by_text(const struct cs_keyindex *k);

/* A non-zero key for a (row, period) pair. */
static inline uint64_t cs_key_pair(uint32_t row, int32_t period)
{
    return ((uint64_t)row + 1) << 32 | (uint32_t)period;
}

#endif
