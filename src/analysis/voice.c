/* voice.c - the voice of the field (SPEC 7.8): off-roadmap and premature promises by feature or text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/strpool.h"
#include "voice.h"

static enum cs_status oom(struct cs_error *err)
{
    return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* One promise in the voice: its group (key id), deal, and the roadmap item it joins. */
struct vpair {
    uint32_t group, deal;
    uint32_t promise;
    uint32_t feature;       /* roadmap index: its own, or the one its text names; else CS_NONE */
};

static int cmp_vpair(const void *a, const void *b)
{
    const struct vpair *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->deal != y->deal)
        return x->deal < y->deal ? -1 : 1;
    return (x->promise > y->promise) - (x->promise < y->promise);
}

static int cmp_voice(const void *a, const void *b)
{
    const struct cs_voice *x = a, *y = b;
    if (x->bookings != y->bookings)
        return x->bookings > y->bookings ? -1 : 1;
    if (x->promises != y->promises)
        return x->promises > y->promises ? -1 : 1;
    if (x->feature_text != y->feature_text)
        return x->feature_text < y->feature_text ? -1 : 1;
    return strcmp(x->text ? x->text : "", y->text ? y->text : "");
}

/* A growable text buffer for the group keys. */
struct keybuf {
    char *s;
    size_t cap;
};

static bool key_room(struct keybuf *k, size_t need)
{
    if (need <= k->cap)
        return true;
    char *nb = realloc(k->s, need);
    if (!nb)
        return false;
    k->s = nb;
    k->cap = need;
    return true;
}

/* "t:" and the normalised text into k; its length, or SIZE_MAX on OOM. */
static size_t text_key(struct keybuf *k, const char *text)
{
    size_t need = strlen(text) + 3;
    if (!key_room(k, need))
        return SIZE_MAX;
    k->s[0] = 't';
    k->s[1] = ':';
    return 2 + cs_outcomes_normalize_text(text, k->s + 2, k->cap - 2);
}

/*
 * The roadmap's titles, normalised, as text keys in *titles; item[id - 1]
 * is the roadmap index of the title with that id, or CS_NONE when two
 * items share it (a text naming both joins neither).  Blank titles are
 * left out.
 */
static enum cs_status title_index(const struct cs_dataset *ds, struct cs_strpool **titles,
                                  uint32_t **item, struct keybuf *k, struct cs_error *err)
{
    const struct cs_roadmap *rm = &ds->roadmap;
    *titles = cs_strpool_new();
    *item = malloc((rm->n ? rm->n : 1) * sizeof **item);
    if (!*titles || !*item)
        return oom(err);
    for (size_t r = 0; r < rm->n; r++) {
        size_t len = text_key(k, cs_ds_str(ds, rm->title[r]));
        if (len == SIZE_MAX)
            return oom(err);
        if (len == 2)
            continue;
        size_t before = cs_strpool_count(*titles);
        uint32_t id;
        if (cs_strpool_intern(*titles, k->s, len, &id) != 0)
            return oom(err);
        (*item)[id - 1] = id > before ? (uint32_t)r : CS_NONE;
    }
    return CS_OK;
}

/*
 * The group key of promise j into k: "f:" and its feature_id, or, when that
 * is blank, the feature_id of the one roadmap item whose title its text is,
 * else "t:" and its normalised text.  *feature: the roadmap item, or
 * CS_NONE.  Returns the key's length, or SIZE_MAX on OOM.
 */
static size_t group_key(const struct cs_dataset *ds, size_t j, const struct cs_strpool *titles,
                        const uint32_t *item, struct keybuf *k, uint32_t *feature)
{
    const struct cs_promises *pr = &ds->promises;
    uint32_t fid = pr->feature_text[j];
    *feature = pr->feature[j];
    if (!fid) {
        size_t len = text_key(k, cs_ds_str(ds, pr->text[j]));
        if (len == SIZE_MAX)
            return len;
        uint32_t t = cs_strpool_find(titles, k->s, len);
        if (!t || item[t - 1] == CS_NONE)
            return len;
        *feature = item[t - 1];
        fid = ds->roadmap.id[*feature];
    }
    const char *id = cs_ds_str(ds, fid);
    if (!key_room(k, strlen(id) + 3))
        return SIZE_MAX;
    return (size_t)snprintf(k->s, k->cap, "f:%s", id);
}

/* Open the row of pair v (the first of its group). */
static enum cs_status open_row(struct cs_voice *g, const struct cs_dataset *ds,
                               const struct cs_strpool *keys, const struct vpair *v,
                               struct cs_error *err)
{
    const char *key = cs_strpool_get(keys, v->group);
    g->feature = CS_NONE;
    if (key[0] == 'f') {
        g->feature = v->feature;
        g->feature_text = ds->promises.feature_text[v->promise];
        if (!g->feature_text)                  /* joined by its text */
            g->feature_text = ds->roadmap.id[v->feature];
    } else if (!(g->text = strdup(key + 2))) {
        return oom(err);
    }
    return CS_OK;
}

enum cs_status cs_analysis_voice(struct cs_analysis *an, const struct cs_measured *ms,
                                 const uint8_t *sel, struct cs_error *err)
{
    const struct cs_dataset *ds = ms->ds;
    const struct cs_outcomes *oc = ms->oc;
    const struct cs_promises *pr = &ds->promises;
    enum cs_status st = CS_OK;
    struct cs_strpool *keys = cs_strpool_new(), *titles = NULL;
    uint32_t *item = NULL;
    struct vpair *v = malloc((pr->n ? pr->n : 1) * sizeof *v);
    struct keybuf k = {malloc(256), 256};
    size_t nv = 0;
    if (!keys || !v || !k.s) {
        st = oom(err);
        goto out;
    }
    if ((st = title_index(ds, &titles, &item, &k, err)) != CS_OK)
        goto out;
    for (size_t j = 0; j < pr->n; j++) {
        uint32_t d = pr->deal[j];
        if (d == CS_NONE || !sel[d] || oc->promise_class[j] == CS_PROMISE_ON_ROADMAP)
            continue;
        size_t len = group_key(ds, j, titles, item, &k, &v[nv].feature);
        if (len == SIZE_MAX || cs_strpool_intern(keys, k.s, len, &v[nv].group) != 0) {
            st = oom(err);
            goto out;
        }
        v[nv].deal = d;
        v[nv].promise = (uint32_t)j;
        nv++;
    }
    qsort(v, nv, sizeof *v, cmp_vpair);
    size_t groups = cs_strpool_count(keys);
    an->voice = calloc(groups ? groups : 1, sizeof *an->voice);
    if (!an->voice) {
        st = oom(err);
        goto out;
    }
    for (size_t i = 0; i < nv; i++) {
        bool new_group = i == 0 || v[i].group != v[i - 1].group;
        if (new_group && (st = open_row(&an->voice[an->n_voice++], ds, keys, &v[i], err)) != CS_OK)
            goto out;
        struct cs_voice *g = &an->voice[an->n_voice - 1];
        g->promises++;
        g->by_text += g->feature_text && !pr->feature_text[v[i].promise];
        if (oc->promise_class[v[i].promise] == CS_PROMISE_OFF_ROADMAP)
            g->off_roadmap++;
        else
            g->premature++;
        if (new_group || v[i].deal != v[i - 1].deal) {
            g->deals++;
            g->bookings += ds->deals.amount[v[i].deal];
        }
    }
    qsort(an->voice, an->n_voice, sizeof *an->voice, cmp_voice);
out:
    cs_strpool_free(keys);
    cs_strpool_free(titles);
    free(item);
    free(v);
    free(k.s);
    return st;
}
