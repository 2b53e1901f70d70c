/* strpool.c - string interning with an append-only arena and an open-addressing hash. */
#include <stdlib.h>
#include <string.h>

#include "compsight/mem.h"
#include "compsight/strpool.h"

/*
 * Strings live in arena blocks that are never moved or freed before the
 * pool, so the pointers handed out stay valid.  Each is stored as its
 * length (4 bytes, unaligned), its bytes and a NUL; str[id] points at the
 * bytes, so a lookup that finds the id reads the length from the cache
 * line it compares anyway.  The hash table is kept at most three quarters
 * full; its slots hold each id's hash, so growing it never re-reads the
 * strings.  Eight bytes a string beside the string itself, and the table.
 */
#define BLOCK_SIZE (4u << 20)   /* 4 MiB: large enough for huge pages */

struct block {
    struct block *next;
    size_t used, size;
    char data[];
};

struct cs_strpool {
    struct block *blocks;
    const char **str;        /* str[id], id >= 1 */
    size_t count, cap;       /* ids in use, capacity of str */
    uint64_t *table;         /* slots: hash << 32 | id (id 0 = empty); power-of-two size.
                              * The hash in the slot spares a probe the cache misses of
                              * reading the strings of the occupied slots it passes. */
    size_t mask;
    size_t bytes;
};

/* The last len < 8 bytes as one word, in two loads instead of a byte loop
 * (which stored the bytes and read them back as a word: a stall on every
 * string).  From 4 bytes up, the two 4-byte loads overlap, and on a
 * little-endian machine the result is the bytes in memory order; below 4,
 * the first, middle and last byte, which tell apart strings of the same
 * length (the caller mixes the length in). */
static uint64_t tail_word(const char *s, size_t len)
{
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        return a | (uint64_t)b << ((len - 4) * 8);
    }
    if (len == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    return u[0] | (uint64_t)u[len / 2] << 8 | (uint64_t)u[len - 1] << 16;
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    /* A multiply-xorshift over 8-byte words: fast and good enough for ids. */
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    h = (h ^ tail_word(s, len)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32);
}

struct cs_strpool *cs_strpool_new(void)
{
    struct cs_strpool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->mask = 1023;
    p->table = calloc(p->mask + 1, sizeof *p->table);
    p->cap = 256;
    p->str = malloc(p->cap * sizeof *p->str);
    if (!p->table || !p->str) {
        cs_strpool_free(p);
        return NULL;
    }
    p->str[0] = "";
    return p;
}

void cs_strpool_free(struct cs_strpool *p)
{
    if (!p)
        return;
    for (struct block *b = p->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(p->str);
    free(p->table);
    free(p);
}

/* The stored length of id >= 1, from the 4 bytes before its string. */
static uint32_t stored_len(const struct cs_strpool *p, uint32_t id)
{
    uint32_t len;
    memcpy(&len, p->str[id] - sizeof len, sizeof len);
    return len;
}

static uint32_t lookup(const struct cs_strpool *p, const char *s, size_t len,
                       uint32_t h, size_t *slot)
{
    size_t i = h & p->mask;
    for (;;) {
        uint64_t e = p->table[i];
        uint32_t id = (uint32_t)e;
        if (id == 0 || ((uint32_t)(e >> 32) == h && stored_len(p, id) == len &&
                        memcmp(p->str[id], s, len) == 0)) {
            *slot = i;
            return id;
        }
        i = (i + 1) & p->mask;
    }
}

/* Move the table to one of size slots (a power of two, larger). */
static int resize_table(struct cs_strpool *p, size_t size)
{
    uint64_t *t = cs_calloc_big(size, sizeof *t);
    if (!t)
        return -1;
    /* The old slots in order: a read from start to end, not one per id. */
    for (size_t j = 0; j <= p->mask; j++) {
        uint64_t e = p->table[j];
        if (!(uint32_t)e)
            continue;
        size_t i = (uint32_t)(e >> 32) & (size - 1);
        while (t[i])
            i = (i + 1) & (size - 1);
        t[i] = e;
    }
    free(p->table);
    p->table = t;
    p->mask = size - 1;
    return 0;
}

static int grow_table(struct cs_strpool *p)
{
    return resize_table(p, (p->mask + 1) * 2);
}

int cs_strpool_reserve(struct cs_strpool *p, size_t n)
{
    if (n > UINT32_MAX - 2)
        n = UINT32_MAX - 2;
    if (!p->table)
        return 0;            /* sealed: the table is built for what is there */
    size_t size = p->mask + 1;
    while (n * 4 > size * 3)
        size *= 2;
    if (size > p->mask + 1 && resize_table(p, size) != 0)
        return -1;
    if (n + 1 > p->cap) {
        const char **s = cs_realloc_big(p->str, n + 1, sizeof *s);
        if (!s)
            return -1;
        p->str = s;
        p->cap = n + 1;
    }
    return 0;
}

/* The table of a sealed pool, built again from the strings. */
static int rebuild_table(struct cs_strpool *p)
{
    size_t size = 1024;
    while (p->count * 4 > size * 3)
        size *= 2;
    uint64_t *t = cs_calloc_big(size, sizeof *t);
    if (!t)
        return -1;
    for (uint32_t id = 1; id <= p->count; id++) {
        uint32_t h = hash_bytes(p->str[id], stored_len(p, id));
        size_t i = h & (size - 1);
        while (t[i])
            i = (i + 1) & (size - 1);
        t[i] = (uint64_t)h << 32 | id;
    }
    p->table = t;
    p->mask = size - 1;
    return 0;
}

void cs_strpool_seal(struct cs_strpool *p)
{
    free(p->table);
    p->table = NULL;
    p->mask = 0;
    /* Room reserved and not used goes back too: the end of the id array,
     * and the whole pages at the end of the current block (which stays
     * where it is, for the pointers handed out). */
    if (p->cap > p->count + 1) {
        const char **s = realloc(p->str, (p->count + 1) * sizeof *s);
        if (s) {
            p->str = s;
            p->cap = p->count + 1;
        }
    }
    if (p->blocks)
        cs_give_back(p->blocks->data + p->blocks->used, p->blocks->size - p->blocks->used);
}

static int grow_ids(struct cs_strpool *p)
{
    size_t cap = p->cap * 2;
    const char **s = cs_realloc_big(p->str, cap, sizeof *s);
    if (!s)
        return -1;
    p->str = s;
    p->cap = cap;
    return 0;
}

/* A new current block of at least size bytes of data. */
static struct block *new_block(struct cs_strpool *p, size_t size)
{
    size = cs_big_size(sizeof(struct block) + size) - sizeof(struct block);
    struct block *b = cs_malloc_big(1, sizeof *b + size);
    if (!b)
        return NULL;
    b->size = size;
    b->used = 0;
    b->next = p->blocks;
    p->blocks = b;
    p->bytes += sizeof *b + size;
    return b;
}

int cs_strpool_reserve_text(struct cs_strpool *p, size_t bytes)
{
    if (p->blocks && p->blocks->size - p->blocks->used >= bytes)
        return 0;
    if (bytes > SIZE_MAX / 2)
        return -1;
    return new_block(p, bytes) ? 0 : -1;
}

size_t cs_strpool_text(const struct cs_strpool *p)
{
    size_t text = 0;
    for (const struct block *b = p->blocks; b; b = b->next)
        text += b->used;
    return text;
}

void cs_strpool_unwritten(const struct cs_strpool *p, struct cs_span *table,
                          struct cs_span *ids, struct cs_span *text)
{
    *table = *ids = *text = (struct cs_span){NULL, 0};
    if (p->table)
        *table = (struct cs_span){p->table, (p->mask + 1) * sizeof *p->table};
    if (p->cap > p->count + 1)
        *ids = (struct cs_span){p->str + p->count + 1, (p->cap - p->count - 1) * sizeof *p->str};
    if (p->blocks && p->blocks->size > p->blocks->used)
        *text = (struct cs_span){p->blocks->data + p->blocks->used,
                                 p->blocks->size - p->blocks->used};
}

static char *arena_alloc(struct cs_strpool *p, size_t n)
{
    struct block *b = p->blocks;
    if (!b || b->size - b->used < n) {
        /* Blocks of BLOCK_SIZE, less malloc's page, fill two whole huge pages. */
        struct block *cur = p->blocks;
        if (!(b = new_block(p, n > BLOCK_SIZE / 4 ? n : BLOCK_SIZE / 2)))
            return NULL;
        /* A big string gets its own block behind the current one, so the
         * current block keeps serving small strings. */
        if (n > BLOCK_SIZE / 4 && cur) {
            p->blocks = cur;
            b->next = cur->next;
            cur->next = b;
        }
    }
    char *out = b->data + b->used;
    b->used += n;
    return out;
}

uint32_t cs_strpool_hash(const char *s, size_t len)
{
    return hash_bytes(s, len);
}

int cs_strpool_intern(struct cs_strpool *p, const char *s, size_t len, uint32_t *id)
{
    return cs_strpool_intern_hashed(p, s, len, hash_bytes(s, len), id);
}

int cs_strpool_intern_hashed(struct cs_strpool *p, const char *s, size_t len, uint32_t h,
                             uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return 0;
    }
    if (len > UINT32_MAX - 1 || p->count >= UINT32_MAX - 2)
        return -1;
    if (!p->table && rebuild_table(p) != 0)
        return -1;
    size_t slot;
    uint32_t found = lookup(p, s, len, h, &slot);
    if (found) {
        *id = found;
        return 0;
    }
    if (p->count + 1 >= p->cap && grow_ids(p) != 0)
        return -1;
    uint32_t len32 = (uint32_t)len;
    char *copy = arena_alloc(p, sizeof len32 + len + 1);
    if (!copy)
        return -1;
    memcpy(copy, &len32, sizeof len32);
    copy += sizeof len32;
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t nid = (uint32_t)++p->count;
    p->str[nid] = copy;
    p->table[slot] = (uint64_t)h << 32 | nid;
    if (p->count * 4 > (p->mask + 1) * 3 && grow_table(p) != 0) {
        /* The string is stored and findable; only the table failed to grow. */
        *id = nid;
        return -1;
    }
    *id = nid;
    return 0;
}

uint32_t cs_strpool_find(const struct cs_strpool *p, const char *s, size_t len)
{
    return cs_strpool_find_hashed(p, s, len, hash_bytes(s, len));
}

uint32_t cs_strpool_find_hashed(const struct cs_strpool *p, const char *s, size_t len, uint32_t h)
{
    if (len == 0)
        return 0;
    if (!p->table) {
        /* sealed: every string, one by one */
        for (uint32_t id = 1; id <= p->count; id++)
            if (stored_len(p, id) == len && memcmp(p->str[id], s, len) == 0)
                return id;
        return 0;
    }
    size_t slot;
    return lookup(p, s, len, h, &slot);
}

const char *cs_strpool_get(const struct cs_strpool *p, uint32_t id)
{
    return id && id <= p->count ? p->str[id] : "";
}

size_t cs_strpool_len(const struct cs_strpool *p, uint32_t id)
{
    return id && id <= p->count ? stored_len(p, id) : 0;
}

size_t cs_strpool_count(const struct cs_strpool *p)
{
    return p->count;
}

size_t cs_strpool_bytes(const struct cs_strpool *p)
{
    return p->bytes + (p->table ? (p->mask + 1) * sizeof *p->table : 0) +
           p->cap * sizeof *p->str;
}

/* ------------------------------------------------------------------------
 * Lookups in a batch
 * --------------------------------------------------------------------- */

/*
 * How far ahead of the lookup under way each stage of the prefetch runs,
 * in lookups: the slot of the key AHEAD_SLOT ahead, the pointer of the id
 * that slot holds AHEAD_ID ahead (once the slot is in cache), the string
 * it points to AHEAD_BYTES ahead (once the pointer is).  The loader used
 * to run this pipeline itself, in rows of about three strings: 8, 4 and 2
 * rows ahead, while it loaded the rows in between.
 */
#define AHEAD_SLOT 24
#define AHEAD_ID 12
#define AHEAD_BYTES 6

/* The id of the first slot from hash's home, within its cache line, that
 * holds hash; 0 when none (a new string, or one further on).  Reads only
 * the slot's cache line. */
static uint32_t near_id(const struct cs_strpool *p, uint32_t hash)
{
    size_t i = hash & p->mask;
    for (size_t n = 0; n < 8; n++, i = (i + 1) & p->mask) {
        uint64_t e = p->table[i];
        if ((uint32_t)e == 0)
            return 0;
        if ((uint32_t)(e >> 32) == hash)
            return (uint32_t)e;
        if ((i & 7) == 7)
            return 0;
    }
    return 0;
}

void cs_strpool_find_batch(const struct cs_strpool *p, struct cs_strpool_key *const *keys,
                           size_t n)
{
    if (!p->table) {
        for (size_t i = 0; i < n; i++)
            keys[i]->id = cs_strpool_find_hashed(p, keys[i]->s, keys[i]->len, keys[i]->hash);
        return;
    }
    for (size_t i = 0; i < n && i < AHEAD_SLOT; i++)
        __builtin_prefetch(&p->table[keys[i]->hash & p->mask]);
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        if (i + AHEAD_SLOT < n)
            __builtin_prefetch(&p->table[keys[i + AHEAD_SLOT]->hash & p->mask]);
        if (i + AHEAD_ID < n && (id = near_id(p, keys[i + AHEAD_ID]->hash)))
            __builtin_prefetch(&p->str[id]);
        if (i + AHEAD_BYTES < n && (id = near_id(p, keys[i + AHEAD_BYTES]->hash)))
            __builtin_prefetch(p->str[id] - sizeof(uint32_t));
        const struct cs_strpool_key *k = keys[i];
        size_t slot;
        keys[i]->id = k->len ? lookup(p, k->s, k->len, k->hash, &slot) : 0;
    }
}
