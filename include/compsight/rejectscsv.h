/* rejectscsv.h - rejects.csv of SPEC section 9: every input row not used, with rep identifiers pseudonymised in shared output. */
#ifndef COMPSIGHT_REJECTSCSV_H
#define COMPSIGHT_REJECTSCSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "compsight/dataset.h"
#include "compsight/pseudonym.h"

/*
 * Write rejects.csv: the header file,line,column,reason,source_file,
 * source_column and one row per reject of ds, in load order (file and
 * column as SPEC 1 names them; source_file and source_column the file and
 * header actually read, SPEC 12).  With key (shared output), the reason of a
 * reject on a column that names a rep (reps.csv's rep_id, and every column
 * that refers to reps.csv: deals' and quotas' rep_id, collateral's and
 * targets' owner_id, ...) has each quoted value replaced by the value's
 * pseudonym, so that no rep id or name (a CRM owner's full name, through
 * the Salesforce preset) leaves private/; key NULL writes the reasons as
 * they are (private/rejects.csv).  The caller checks ferror(f).
 */
void cs_rejects_csv_write(FILE *f, const struct cs_dataset *ds, const struct cs_key *key);

/*
 * A reject's reason with every quoted value ("..." as cs_quote_bytes
 * writes it: \xNN escapes, a value over 40 bytes cut and ended with ...)
 * replaced by the pseudonym of the bytes it quotes, into out (size n,
 * always NUL-terminated).  A value cut short is named by the pseudonym of
 * the bytes shown, dots included: the same value gives the same name in
 * every run, though not the one deals.csv gives a rep whose id is longer
 * than 40 bytes.
 */
void cs_rejects_pseudonymise(const char *reason, const struct cs_key *key, char *out, size_t n);

/* Does a reject of table t on column `column` (a name of schema.h, "" for
 * the whole row) quote a rep's identifier? */
bool cs_rejects_names_rep(int table, const char *column);

#endif
