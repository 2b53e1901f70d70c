/* mapfile.h - the --map INI files of SPEC section 3 (parsed with inih). */
#ifndef COMPSIGHT_MAPFILE_H
#define COMPSIGHT_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "compsight/schema.h"
#include "compsight/status.h"

/*
 * A loaded map.  Owned by the caller of cs_map_load, freed with cs_map_free;
 * every string returned by the accessors is borrowed from it.
 */
struct cs_map;

/* How a file's bytes are read (SPEC 12, `encoding =` and --encoding).
 * CS_ENC_UNSET: not given here (the next setting down applies). */
enum cs_encoding {
    CS_ENC_UNSET = 0,
    CS_ENC_AUTO,          /* UTF-8 when its read columns are, else Windows-1252 */
    CS_ENC_UTF8,
    CS_ENC_WINDOWS_1252,
    CS_ENC_ISO_8859_1
};

/* `delimiter = auto` (and --delimiter auto); 0 means not given. */
#define CS_DELIM_AUTO (-1)

/*
 * Load and validate a map file.  An unknown section or key, a value mapping
 * to a value the column does not have, a bad date_format or decimal_comma,
 * or a malformed line: CS_ERR_INPUT with err->file = path and err->line the
 * line of the map file.  A missing file: CS_ERR_INPUT.
 */
enum cs_status cs_map_load(const char *path, struct cs_map **out, struct cs_error *err);

/* The same from text in memory; name is used in messages. */
enum cs_status cs_map_load_mem(const char *text, size_t len, const char *name,
                               struct cs_map **out, struct cs_error *err);

void cs_map_free(struct cs_map *map);     /* accepts NULL */

/*
 * Combine maps (SPEC 12): every key src sets overrides dst's, key by key
 * (`file`, `header` and each `exclude.HEADER` list whole; each
 * `COLUMN.VALUE` list whole, and an export value src lists leaves the list
 * of dst that held it).  src is unchanged.  CS_ERR_NOMEM, after which dst
 * may be half combined (free it).
 */
enum cs_status cs_map_merge(struct cs_map *dst, const struct cs_map *src, struct cs_error *err);

/* `file = NAME` of a table (the first of a list), or NULL for the default
 * name.  map may be NULL. */
const char *cs_map_file(const struct cs_map *map, enum cs_table t);

/* `file = A, B`: the number of names, in *names (0 and NULL: the default). */
size_t cs_map_files(const struct cs_map *map, enum cs_table t, const char *const **names);

/* The export header that column c comes from, or NULL for its own name. */
const char *cs_map_header(const struct cs_map *map, enum cs_table t, int c);

/* `COLUMN = -`: read no header for column c (its default applies). */
bool cs_map_unread(const struct cs_map *map, enum cs_table t, int c);

/* `COLUMN.default = VALUE`, or NULL. */
const char *cs_map_default(const struct cs_map *map, enum cs_table t, int c);

/* `COLUMN.blank = VALUE` (a blank cell reads as VALUE), or NULL. */
const char *cs_map_blank(const struct cs_map *map, enum cs_table t, int c);

/*
 * `COLUMN.VALUE = A, B`: the tool's VALUE that the export's s[0..len) maps to
 * (matched case-insensitively after trimming), or NULL when none does.
 */
const char *cs_map_value(const struct cs_map *map, enum cs_table t, int c,
                         const char *s, size_t len);

/* Whether column c has any `COLUMN.VALUE =` line (cs_map_value can match). */
bool cs_map_has_values(const struct cs_map *map, enum cs_table t, int c);

/* Per-file date_format (CS_DATE_*) and decimal_comma (0/1); -1 when unset. */
int cs_map_date_format(const struct cs_map *map, enum cs_table t);
int cs_map_decimal_comma(const struct cs_map *map, enum cs_table t);

/* `encoding =` (CS_ENC_UNSET when unset) and `delimiter =` (0 when unset,
 * CS_DELIM_AUTO, or the byte). */
int cs_map_encoding(const struct cs_map *map, enum cs_table t);
int cs_map_delimiter(const struct cs_map *map, enum cs_table t);

/* `header = NAME, ...`: the file has no header row; the number of names,
 * in *names (0: it has one). */
size_t cs_map_header_names(const struct cs_map *map, enum cs_table t, const char *const **names);

/* `null = TEXT`, or NULL. */
const char *cs_map_null(const struct cs_map *map, enum cs_table t);

/* `escape =`: -1 unset, 0 none, 1 backslash. */
int cs_map_escape(const struct cs_map *map, enum cs_table t);

/* `exclude.HEADER = A, B`: the number of such keys; the i-th's HEADER; and
 * the value as listed that s[0..len) matches (case-insensitively, trimmed),
 * or NULL. */
size_t cs_map_excludes(const struct cs_map *map, enum cs_table t);
const char *cs_map_exclude_header(const struct cs_map *map, enum cs_table t, size_t i);
const char *cs_map_exclude_match(const struct cs_map *map, enum cs_table t, size_t i,
                                 const char *s, size_t len);

/* The encoding s[0..n) names (auto, utf-8, windows-1252, iso-8859-1 and
 * their aliases utf8, cp1252, latin1), CS_ENC_UNSET for anything else; and
 * the name of one for messages ("Windows-1252"). */
int cs_encoding_parse(const char *s, size_t n);
const char *cs_encoding_name(int enc);

/* The delimiter s[0..n) names: auto (CS_DELIM_AUTO), "," ";" "|" tab (also
 * comma, semicolon, pipe, quoted forms); 0 for anything else. */
int cs_delimiter_parse(const char *s, size_t n);

#endif
