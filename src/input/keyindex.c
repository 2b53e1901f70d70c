/* keyindex.c - the importer's unique keys: hash tables, dense arrays, and references found by their text. */
#include <stdlib.h>
#include <string.h>

#include "keyindex.h"
#include "tuning.h"
#include "compsight/dataset.h"
#include "compsight/mem.h"

struct cs_keyindex {
    enum cs_key_kind kind;
    const struct cs_strpool *pool;
    uint64_t *key;   /* string id (or a composite key), 0 = empty slot */
    uint32_t *row;
    size_t mask, count;
    /* Dense kinds: row[] indexed by the string id less base, the table's
     * first id.  Their ids are interned in row order, so references that
     * come in file order read the array nearly in order instead of
     * probing a hash table at random; base spares it the ids of the
     * tables loaded before (a quarter of the array, for promises). */
    bool dense;
    size_t base, cap;
    /* The by-text kinds: the table's key column and row count.
     * - GUESSED: a reference is first looked for near the row found last,
     *   by the hashes of the rows' keys (hash);
     * - BY_TEXT: a table of its own, slots hash << 32 | row + 1. */
    uint32_t *const *ids;
    const size_t *rows;
    uint64_t *text;
    size_t text_mask, text_count;
    uint32_t *hash;
    size_t hash_cap, last;
    /* How well the guesses go: the guesses and misses of the current
     * window of CS_GUESS_WINDOW (tuning.h), and whether the last window
     * missed more than a quarter (poor: references in no useful order),
     * when only one lookup in CS_GUESS_SAMPLE guesses, to see whether
     * that changes. */
    unsigned tries, misses, lookups;
    bool poor;
};

struct cs_keyindex *cs_keyindex_new(enum cs_key_kind kind, const struct cs_strpool *pool,
                                    uint32_t *const *ids, const size_t *rows)
{
    struct cs_keyindex *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->kind = kind;
    k->pool = pool;
    k->dense = kind == CS_KEY_DENSE || kind == CS_KEY_GUESSED;
    if (kind == CS_KEY_BY_TEXT || kind == CS_KEY_GUESSED) {
        k->ids = ids;
        k->rows = rows;
    }
    return k;
}

void cs_keyindex_free(struct cs_keyindex *k)
{
    if (!k)
        return;
    free(k->key);
    free(k->row);
    free(k->text);
    free(k->hash);
    free(k);
}

bool cs_keyindex_by_text(const struct cs_keyindex *k)
{
    return k->kind == CS_KEY_BY_TEXT || (k->kind == CS_KEY_GUESSED && !k->poor);
}

/* ------------------------------------------------------------------------
 * By key: a hash table, or a dense array
 * --------------------------------------------------------------------- */

static size_t key_slot(uint64_t key, size_t mask)
{
    key *= 0x9e3779b97f4a7c15ull;
    return (size_t)(key >> 32) & mask;
}

uint32_t cs_keyindex_get(const struct cs_keyindex *k, uint64_t key)
{
    if (k->dense)
        return key >= k->base && key - k->base < k->cap ? k->row[key - k->base] : CS_NONE;
    if (!k->key || key == 0)
        return CS_NONE;
    size_t i = key_slot(key, k->mask);
    while (k->key[i]) {
        if (k->key[i] == key)
            return k->row[i];
        i = (i + 1) & k->mask;
    }
    return CS_NONE;
}

/* Enter key in a dense array.  0, or -1 on OOM. */
static int dense_put(struct cs_keyindex *k, uint64_t key, uint32_t row)
{
    if (!k->cap)
        k->base = key;
    if (key < k->base) {
        /* An id interned before the first key (the same text came
         * earlier in another column): the array grows at the front. */
        size_t shift = k->base - key, cap = k->cap * 2;
        while (cap < k->cap + shift)
            cap *= 2;
        uint32_t *r = cs_malloc_big(cap, sizeof *r);
        if (!r)
            return -1;
        memset(r, 0xff, shift * sizeof *r);   /* CS_NONE */
        memcpy(r + shift, k->row, k->cap * sizeof *r);
        memset(r + shift + k->cap, 0xff, (cap - shift - k->cap) * sizeof *r);
        free(k->row);
        k->row = r;
        k->cap = cap;
        k->base = key;
    } else if (key - k->base >= k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 4096;
        while (cap <= key - k->base)
            cap *= 2;
        uint32_t *r = cs_realloc_big(k->row, cap, sizeof *r);
        if (!r)
            return -1;
        memset(r + k->cap, 0xff, (cap - k->cap) * sizeof *r);   /* CS_NONE */
        k->row = r;
        k->cap = cap;
    }
    k->row[key - k->base] = row;
    return 0;
}

/* Enter key in the hash table.  0, or -1 on OOM. */
static int hashed_put(struct cs_keyindex *k, uint64_t key, uint32_t row)
{
    if (!k->key || (k->count + 1) * 2 > k->mask + 1) {
        size_t size = k->key ? (k->mask + 1) * 2 : 1024;
        uint64_t *nk = cs_calloc_big(size, sizeof *nk);
        uint32_t *nr = cs_malloc_big(size, sizeof *nr);
        if (!nk || !nr) {
            free(nk);
            free(nr);
            return -1;
        }
        for (size_t j = 0; k->key && j <= k->mask; j++) {
            if (!k->key[j])
                continue;
            size_t i = key_slot(k->key[j], size - 1);
            while (nk[i])
                i = (i + 1) & (size - 1);
            nk[i] = k->key[j];
            nr[i] = k->row[j];
        }
        free(k->key);
        free(k->row);
        k->key = nk;
        k->row = nr;
        k->mask = size - 1;
    }
    size_t i = key_slot(key, k->mask);
    while (k->key[i]) {
        if (k->key[i] == key) {
            k->row[i] = row;
            return 0;
        }
        i = (i + 1) & k->mask;
    }
    k->key[i] = key;
    k->row[i] = row;
    k->count++;
    return 0;
}

/* ------------------------------------------------------------------------
 * By text: a table of its own (BY_TEXT), the hashes of the rows (GUESSED)
 * --------------------------------------------------------------------- */

/* Whether pool string id holds the n bytes at s. */
static bool same_text(const struct cs_strpool *pool, uint32_t id, const char *s, size_t n)
{
    return cs_strpool_len(pool, id) == n && memcmp(cs_strpool_get(pool, id), s, n) == 0;
}

/* The pool hash of string id. */
static uint32_t id_hash(const struct cs_strpool *pool, uint32_t id)
{
    return cs_strpool_hash(cs_strpool_get(pool, id), cs_strpool_len(pool, id));
}

/* The row of the text table's key with these bytes and hash, CS_NONE when none. */
static uint32_t text_get(const struct cs_keyindex *k, const char *s, size_t n, uint32_t hash)
{
    if (!k->text)
        return CS_NONE;
    for (size_t i = hash & k->text_mask; k->text[i]; i = (i + 1) & k->text_mask) {
        uint64_t e = k->text[i];
        uint32_t row = (uint32_t)e - 1;
        if ((uint32_t)(e >> 32) == hash && same_text(k->pool, (*k->ids)[row], s, n))
            return row;
    }
    return CS_NONE;
}

/* Enter string id key's row in the text table.  0, or -1 on OOM. */
static int text_put(struct cs_keyindex *k, uint64_t key, uint32_t row)
{
    if ((k->text_count + 1) * 2 > k->text_mask + 1 || !k->text) {
        size_t size = k->text ? (k->text_mask + 1) * 2 : 1024;
        uint64_t *t = cs_calloc_big(size, sizeof *t);
        if (!t)
            return -1;
        for (size_t j = 0; k->text && j <= k->text_mask; j++) {
            if (!k->text[j])
                continue;
            size_t i = (uint32_t)(k->text[j] >> 32) & (size - 1);
            while (t[i])
                i = (i + 1) & (size - 1);
            t[i] = k->text[j];
        }
        free(k->text);
        k->text = t;
        k->text_mask = size - 1;
    }
    uint32_t hash = id_hash(k->pool, (uint32_t)key);
    size_t i = hash & k->text_mask;
    while (k->text[i] && (*k->ids)[(uint32_t)k->text[i] - 1] != key)
        i = (i + 1) & k->text_mask;
    k->text_count += !k->text[i];
    k->text[i] = (uint64_t)hash << 32 | (row + 1);
    return 0;
}

/* Record the hash of row's key, for guess_row.  0, or -1 on OOM. */
static int hash_put(struct cs_keyindex *k, uint64_t key, uint32_t row)
{
    if (row >= k->hash_cap) {
        size_t cap = k->hash_cap ? k->hash_cap * 2 : 4096;
        while (cap <= row)
            cap *= 2;
        uint32_t *h = cs_realloc_big(k->hash, cap, sizeof *h);
        if (!h)
            return -1;
        k->hash = h;
        k->hash_cap = cap;
    }
    k->hash[row] = id_hash(k->pool, (uint32_t)key);
    return 0;
}

int cs_keyindex_put(struct cs_keyindex *k, uint64_t key, uint32_t row)
{
    if (k->kind == CS_KEY_GUESSED && hash_put(k, key, row) != 0)
        return -1;
    if (k->kind == CS_KEY_BY_TEXT && text_put(k, key, row) != 0)
        return -1;
    return k->dense ? dense_put(k, key, row) : hashed_put(k, key, row);
}

/* The row of a GUESSED key near the one found last whose key is s[0..n),
 * by the rows' hashes; CS_NONE when none is.  Forward first. */
static uint32_t guess_row(const struct cs_keyindex *k, const char *s, size_t n, uint32_t hash)
{
    const uint32_t *ids = *k->ids;
    size_t rows = *k->rows, lo = k->last > CS_GUESS_BACK ? k->last - CS_GUESS_BACK : 0;
    size_t hi = rows - k->last > CS_GUESS_AHEAD ? k->last + CS_GUESS_AHEAD : rows;
    for (size_t r = k->last; r < hi; r++)
        if (k->hash[r] == hash && same_text(k->pool, ids[r], s, n))
            return (uint32_t)r;
    for (size_t r = lo; r < k->last && r < rows; r++)
        if (k->hash[r] == hash && same_text(k->pool, ids[r], s, n))
            return (uint32_t)r;
    return CS_NONE;
}

uint32_t cs_keyindex_find(struct cs_keyindex *k, const char *s, size_t len, uint32_t hash,
                          uint32_t id)
{
    if (k->kind == CS_KEY_BY_TEXT)
        return text_get(k, s, len, hash);
    if (k->kind == CS_KEY_GUESSED && (!k->poor || k->lookups++ % CS_GUESS_SAMPLE == 0)) {
        uint32_t r = guess_row(k, s, len, hash);
        k->misses += r == CS_NONE;
        if (++k->tries == CS_GUESS_WINDOW) {
            k->poor = k->misses > CS_GUESS_WINDOW / 4;
            k->tries = k->misses = 0;
        }
        if (r != CS_NONE)
            return (uint32_t)(k->last = r);
    }
    if (!id)
        id = cs_strpool_find_hashed(k->pool, s, len, hash);
    uint32_t row = id ? cs_keyindex_get(k, id) : CS_NONE;
    if (row != CS_NONE)
        k->last = row;
    return row;
}
