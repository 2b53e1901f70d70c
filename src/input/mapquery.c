/* mapquery.c - what a loaded map says of a table and a column (SPEC 3 and 12), and the words of --encoding and --delimiter. */
#include <stdlib.h>
#include <string.h>

#include "mapdata.h"

/* ------------------------------------------------------------------------
 * Lookups
 * --------------------------------------------------------------------- */

static const struct map_col *col_of(const struct cs_map *map, enum cs_table t, int c)
{
    const struct cs_table_def *def = cs_schema_table(t);
    if (!map || !def || c < 0 || (size_t)c >= def->n_columns || !map->t[t].cols)
        return NULL;
    return &map->t[t].cols[c];
}

static const struct map_table *table_of(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? &map->t[t] : NULL;
}

const char *cs_map_file(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T && T->files.n ? T->files.v[0] : NULL;
}

size_t cs_map_files(const struct cs_map *map, enum cs_table t, const char *const **names)
{
    const struct map_table *T = table_of(map, t);
    *names = T ? (const char *const *)T->files.v : NULL;
    return T ? T->files.n : 0;
}

bool cs_map_unread(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col && col->unread;
}

const char *cs_map_blank(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->blank : NULL;
}

int cs_map_encoding(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->encoding : CS_ENC_UNSET;
}

int cs_map_delimiter(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->delimiter : 0;
}

size_t cs_map_header_names(const struct cs_map *map, enum cs_table t, const char *const **names)
{
    const struct map_table *T = table_of(map, t);
    *names = T ? (const char *const *)T->header.v : NULL;
    return T ? T->header.n : 0;
}

const char *cs_map_null(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->null_text : NULL;
}

int cs_map_escape(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->escape : -1;
}

size_t cs_map_excludes(const struct cs_map *map, enum cs_table t)
{
    const struct map_table *T = table_of(map, t);
    return T ? T->n_excl : 0;
}

const char *cs_map_exclude_header(const struct cs_map *map, enum cs_table t, size_t i)
{
    const struct map_table *T = table_of(map, t);
    return T && i < T->n_excl ? T->excl[i].header : NULL;
}

const char *cs_map_exclude_match(const struct cs_map *map, enum cs_table t, size_t i,
                                 const char *s, size_t len)
{
    const struct map_table *T = table_of(map, t);
    if (!T || i >= T->n_excl || !s)
        return NULL;
    trim(&s, &len);
    const struct names *v = &T->excl[i].values;
    for (size_t k = 0; k < v->n; k++)
        if (cmp_fold(v->v[k], strlen(v->v[k]), s, len) == 0)
            return v->v[k];
    return NULL;
}

int cs_encoding_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {
        {"auto", CS_ENC_AUTO}, {"utf-8", CS_ENC_UTF8}, {"utf8", CS_ENC_UTF8},
        {"windows-1252", CS_ENC_WINDOWS_1252}, {"cp1252", CS_ENC_WINDOWS_1252},
        {"iso-8859-1", CS_ENC_ISO_8859_1}, {"latin1", CS_ENC_ISO_8859_1},
        {"latin-1", CS_ENC_ISO_8859_1},
    };
    trim(&s, &n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs_word_eq(s, n, names[i].name))
            return names[i].enc;
    return CS_ENC_UNSET;
}

const char *cs_encoding_name(int enc)
{
    switch (enc) {
    case CS_ENC_AUTO: return "auto";
    case CS_ENC_UTF8: return "UTF-8";
    case CS_ENC_WINDOWS_1252: return "Windows-1252";
    case CS_ENC_ISO_8859_1: return "ISO-8859-1";
    default: return "";
    }
}

int cs_delimiter_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int d;
    } names[] = {
        {"auto", CS_DELIM_AUTO}, {",", ','}, {";", ';'}, {"|", '|'}, {"tab", '\t'},
        {"comma", ','}, {"semicolon", ';'}, {"pipe", '|'}, {"\",\"", ','}, {"\";\"", ';'},
        {"\"|\"", '|'}, {"\\t", '\t'},
    };
    if (n == 1 && s[0] == '\t')
        return '\t';
    trim(&s, &n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (cs_word_eq(s, n, names[i].name))
            return names[i].d;
    return 0;
}

const char *cs_map_header(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->header : NULL;
}

const char *cs_map_default(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col ? col->dflt : NULL;
}

const char *cs_map_value(const struct cs_map *map, enum cs_table t, int c,
                         const char *s, size_t len)
{
    const struct map_col *col = col_of(map, t, c);
    if (!col || !col->n_vals || !s)
        return NULL;
    trim(&s, &len);
    size_t lo = 0, hi = col->n_vals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = cmp_fold(col->vals[mid].from, col->vals[mid].len, s, len);
        if (d == 0)
            return col->groups[col->vals[mid].group].to;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool cs_map_has_values(const struct cs_map *map, enum cs_table t, int c)
{
    const struct map_col *col = col_of(map, t, c);
    return col && col->n_vals;
}

int cs_map_date_format(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? map->t[t].date_format : -1;
}

int cs_map_decimal_comma(const struct cs_map *map, enum cs_table t)
{
    return map && (unsigned)t < CS_T_COUNT ? map->t[t].decimal_comma : -1;
}

