/* rejectscsv.c - rejects.csv: every row not used, with rep identifiers as pseudonyms in shared output. */
#include <string.h>

#include "compsight/output.h"
#include "compsight/rejectscsv.h"
#include "compsight/schema.h"

bool cs_rejects_names_rep(int table, const char *column)
{
    if (!column || !column[0] || table < 0 || table >= CS_T_COUNT)
        return false;
    const struct cs_table_def *def = cs_schema_table((enum cs_table)table);
    for (size_t c = 0; c < def->n_columns; c++) {
        if (strcmp(def->columns[c].name, column) != 0)
            continue;
        /* reps.csv's own key, or a reference to it */
        return (table == CS_T_REPS && strcmp(column, "rep_id") == 0) ||
               def->columns[c].references == CS_T_REPS;
    }
    return false;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void cs_rejects_pseudonymise(const char *reason, const struct cs_key *key, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return;
    for (const char *p = reason; *p && o + 1 < n;) {
        if (*p != '"') {
            out[o++] = *p++;
            continue;
        }
        /* a quoted value: decode it up to its closing quote */
        char bytes[128];
        size_t len = 0;
        const char *q = p + 1;
        while (*q && *q != '"' && len < sizeof bytes) {
            if (q[0] == '\\' && q[1] == 'x' && hexval(q[2]) >= 0 && hexval(q[3]) >= 0) {
                bytes[len++] = (char)(hexval(q[2]) * 16 + hexval(q[3]));
                q += 4;
            } else {
                bytes[len++] = *q++;
            }
        }
        if (*q != '"') {          /* no closing quote: not a value, keep the text */
            out[o++] = *p++;
            continue;
        }
        char name[CS_PSEUDONYM_SIZE];
        cs_pseudonym(key, bytes, len, name);
        for (const char *s = name; *s && o + 1 < n; s++)
            out[o++] = *s;
        p = q + 1;
    }
    out[o] = '\0';
}

void cs_rejects_csv_write(FILE *f, const struct cs_dataset *ds, const struct cs_key *key)
{
    fputs("file,line,column,reason,source_file,source_column\n", f);
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct cs_reject *r = &ds->rejects[i];
        fprintf(f, "%s,%u,", cs_schema_table((enum cs_table)r->table)->file, r->line);
        cs_csv_text(f, r->column);
        fputc(',', f);
        if (key && cs_rejects_names_rep(r->table, r->column)) {
            char shown[1024];
            cs_rejects_pseudonymise(r->reason, key, shown, sizeof shown);
            cs_csv_text(f, shown);
        } else {
            cs_csv_text(f, r->reason);
        }
        fputc(',', f);
        cs_csv_text(f, r->source_file);
        fputc(',', f);
        cs_csv_text(f, r->source_column ? r->source_column : "");
        fputc('\n', f);
    }
}
