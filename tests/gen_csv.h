/* gen_csv.h - the generator tests' own small RFC 4180 reader, temp directories and id sets. */
#ifndef COMPSIGHT_TESTS_GEN_CSV_H
#define COMPSIGHT_TESTS_GEN_CSV_H

/*
 * Shared by tests/test_generate.c and tests/test_generate13.c; included
 * after cmocka.h.  The reader is independent of src/input on purpose: the
 * generator's files are checked by other code than the one that loads
 * them.  Everything is static and marked unused (no test uses it all).
 */

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GEN_CSV_UNUSED __attribute__((unused))

/* ===================================================================== */
/* Helpers: temp dirs, files, a small RFC 4180 reader                    */
/* ===================================================================== */

GEN_CSV_UNUSED static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/cs_gen_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

/* The generator writes flat directories; one level of subdirectories is
 * enough for the nested-path test. */
GEN_CSV_UNUSED static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

GEN_CSV_UNUSED static char *read_all(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

GEN_CSV_UNUSED static bool same_file(const char *a, const char *b, const char *name)
{
    size_t la, lb;
    char *x = read_all(a, name, &la), *y = read_all(b, name, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* A parsed CSV: records of fields, header included (record 0). */
struct csv {
    size_t n;                        /* records */
    size_t *nf;                      /* fields per record */
    char ***f;
};

GEN_CSV_UNUSED static void csv_free(struct csv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->nf[i]; j++)
            free(c->f[i][j]);
        free(c->f[i]);
    }
    free(c->f);
    free(c->nf);
    memset(c, 0, sizeof *c);
}

/* RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
GEN_CSV_UNUSED static struct csv csv_read(const char *dir, const char *name)
{
    struct csv c = {0};
    size_t len;
    char *buf = read_all(dir, name, &len);
    assert_non_null(buf);
    size_t cap = 0, i = 0;
    char *field = malloc(len + 1);
    assert_non_null(field);
    while (i < len) {
        if (c.n == cap) {
            cap = cap ? cap * 2 : 256;
            c.nf = realloc(c.nf, cap * sizeof *c.nf);
            c.f = realloc(c.f, cap * sizeof *c.f);
            assert_true(c.nf && c.f);
        }
        size_t nf = 0, fcap = 8;
        char **rec = malloc(fcap * sizeof *rec);
        for (;;) {
            size_t o = 0;
            if (buf[i] == '"') {
                i++;
                for (;;) {
                    assert_true(i < len);            /* unterminated quote */
                    if (buf[i] == '"' && i + 1 < len && buf[i + 1] == '"') {
                        field[o++] = '"';
                        i += 2;
                    } else if (buf[i] == '"') {
                        i++;
                        break;
                    } else {
                        field[o++] = buf[i++];
                    }
                }
            } else {
                while (i < len && buf[i] != ',' && buf[i] != '\n')
                    field[o++] = buf[i++];
            }
            field[o] = '\0';
            if (nf == fcap) {
                fcap *= 2;
                rec = realloc(rec, fcap * sizeof *rec);
            }
            rec[nf++] = strdup(field);
            if (i < len && buf[i] == ',') {
                i++;
                continue;
            }
            if (i < len && buf[i] == '\n')
                i++;
            break;
        }
        c.nf[c.n] = nf;
        c.f[c.n++] = rec;
    }
    free(field);
    free(buf);
    return c;
}

/* Column index by header name. */
GEN_CSV_UNUSED static size_t col(const struct csv *c, const char *name)
{
    for (size_t j = 0; j < c->nf[0]; j++)
        if (!strcmp(c->f[0][j], name))
            return j;
    fail_msg("no column %s", name);
    return 0;
}

GEN_CSV_UNUSED static const char *cell(const struct csv *c, size_t row, const char *name)
{
    return c->f[row][col(c, name)];
}

/* Linear lookups are fine at test sizes; ids are found via sorted copies. */
GEN_CSV_UNUSED static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct idset {
    char **v;
    size_t n;
};

GEN_CSV_UNUSED static struct idset ids_of(const struct csv *c, const char *column)
{
    struct idset s = {malloc(c->n * sizeof(char *)), 0};
    size_t k = col(c, column);
    for (size_t i = 1; i < c->n; i++)
        s.v[s.n++] = c->f[i][k];
    qsort(s.v, s.n, sizeof *s.v, cmp_str);
    return s;
}

GEN_CSV_UNUSED static bool has_id(const struct idset *s, const char *id)
{
    return bsearch(&id, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

GEN_CSV_UNUSED static size_t duplicates(const struct idset *s)
{
    size_t d = 0;
    for (size_t i = 1; i < s->n; i++)
        d += strcmp(s->v[i - 1], s->v[i]) == 0;
    return d;
}

/* Row of a record by a unique key column. */
struct krow {
    const char *k;
    size_t row;
};

GEN_CSV_UNUSED static int cmp_krow(const void *a, const void *b)
{
    return strcmp(((const struct krow *)a)->k, ((const struct krow *)b)->k);
}

GEN_CSV_UNUSED static struct krow *index_rows(const struct csv *c, const char *column)
{
    struct krow *v = malloc((c->n ? c->n : 1) * sizeof *v);
    size_t k = col(c, column);
    for (size_t i = 1; i < c->n; i++)
        v[i - 1] = (struct krow){c->f[i][k], i};
    qsort(v, c->n - 1, sizeof *v, cmp_krow);
    return v;
}

GEN_CSV_UNUSED static size_t find_row(const struct krow *v, size_t n, const char *key)
{
    struct krow probe = {key, 0};
    const struct krow *hit = bsearch(&probe, v, n, sizeof *v, cmp_krow);
    assert_non_null(hit);
    return hit->row;
}

GEN_CSV_UNUSED static bool is_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

GEN_CSV_UNUSED static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    assert_true(end != s && *end == '\0');
    return v;
}

#endif
