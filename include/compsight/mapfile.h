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

/* `file = NAME` of a table, or NULL for the default name.  map may be NULL. */
const char *cs_map_file(const struct cs_map *map, enum cs_table t);

/* The export header that column c comes from, or NULL for its own name. */
const char *cs_map_header(const struct cs_map *map, enum cs_table t, int c);

/* `COLUMN.default = VALUE`, or NULL. */
const char *cs_map_default(const struct cs_map *map, enum cs_table t, int c);

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

#endif
