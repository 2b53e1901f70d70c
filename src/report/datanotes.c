/* datanotes.c - the report's words on how its data was read: the loud warning on rejected rows, encodings, excluded rows (SPEC 12). */
#include <stdio.h>
#include <string.h>

#include "compsight/mapfile.h"
#include "compsight/output.h"
#include "datanotes.h"
#include "wording.h"

/* "deals.csv" or "deals.csv (read from Opportunity.csv)" */
static void file_words(char *buf, size_t n, const struct cs_dataset *ds, enum cs_table t)
{
    const char *file = cs_schema_table(t)->file;
    const char *read = NULL;
    bool several = false;
    for (size_t i = 0; i < ds->n_sources; i++) {
        if (ds->sources[i].table != t)
            continue;
        several = read != NULL;
        read = ds->sources[i].file;
    }
    if (read && strcmp(read, file) != 0 && !several)
        snprintf(buf, n, "%s (read from %s)", file, read);
    else
        snprintf(buf, n, "%s", file);
}

/* "A (12 rows), B (3 rows) and 4 more" of a missing list. */
static void missing_words(struct cs_doc *d, const struct cs_missing *m, size_t n)
{
    char a[32];
    size_t shown = n < 8 ? n : 8;
    for (size_t i = 0; i < shown; i++) {
        cs_doc_text(d, "%s", i == 0 ? "" : i + 1 == shown && shown == n ? " and " : ", ");
        cs_doc_bold(d, "%s", m[i].name);
        cs_doc_text(d, " (%s row%s)", cs_fmt_count(a, sizeof a, m[i].rows),
                    m[i].rows == 1 ? "" : "s");
    }
    if (shown < n)
        cs_doc_text(d, " and %zu more", n - shown);
}

void cs_report_rejected_warning(struct cs_doc *d, const struct cs_dataset *ds)
{
    char a[32], b[32], c[32], f[320];
    bool loud = ds->counts[CS_T_PLANS].rejected > 0;
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_counts *k = &ds->counts[t];
        if (cs_schema_table((enum cs_table)t)->required && k->read &&
            (double)k->rejected > CS_REJECTED_LOUD * (double)(k->read - k->excluded))
            loud = true;
    }
    if (!loud)
        return;
    cs_doc_box(d, CS_BOX_WARN);
    cs_doc_para(d);
    cs_doc_bold(d, "Read this first: rows are missing from this report.");
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_counts *k = &ds->counts[t];
        if (!cs_schema_table((enum cs_table)t)->required || !k->rejected)
            continue;
        uint64_t rows = k->read - k->excluded;
        bool big = (double)k->rejected > CS_REJECTED_LOUD * (double)rows;
        if (!big && t != CS_T_PLANS)
            continue;
        file_words(f, sizeof f, ds, (enum cs_table)t);
        cs_doc_bullet(d);
        cs_doc_text(d, "%s of the rows of %s were rejected (%s of %s).",
                    cs_words_pct(a, sizeof a, rows ? (double)k->rejected / (double)rows : 0),
                    f, cs_fmt_count(b, sizeof b, k->rejected), cs_fmt_count(c, sizeof c, rows));
    }
    if (ds->n_missing_plans) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Plans with rejected rows (of plans.csv, or of their reps and deals): ");
        missing_words(d, ds->missing_plans, ds->n_missing_plans);
        cs_doc_text(d, ".");
    }
    if (ds->n_missing_teams) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Teams with rejected rows (of reps.csv and deals.csv): ");
        missing_words(d, ds->missing_teams, ds->n_missing_teams);
        cs_doc_text(d, ".");
    }
    cs_doc_para(d);
    cs_doc_text(d, "Every figure below leaves these rows out. ");
    cs_doc_link(d, "rejects.csv", "rejects.csv");
    cs_doc_text(d, " lists each with its reason; ");
    cs_doc_code(d, "compsight check");
    cs_doc_text(d, " counts them by reason, with a hint where one reason dominates.");
    cs_doc_end_box(d);
}

bool cs_report_read_warns(const struct cs_dataset *ds)
{
    for (size_t i = 0; i < ds->n_sources; i++)
        if (ds->sources[i].encoding_detected)
            return true;
    return false;
}

void cs_report_read_notes(struct cs_doc *d, const struct cs_dataset *ds)
{
    char a[32], f[320];
    for (size_t i = 0; i < ds->n_sources; i++) {
        const struct cs_source *so = &ds->sources[i];
        if (!so->encoding_detected && so->encoding == CS_ENC_UTF8)
            continue;
        const char *file = cs_schema_table((enum cs_table)so->table)->file;
        if (strcmp(so->file, file) != 0)
            snprintf(f, sizeof f, "%s (%s)", so->file, file);
        else
            snprintf(f, sizeof f, "%s", file);
        cs_doc_bullet(d);
        if (so->encoding_detected)
            cs_doc_text(d, "%s is not UTF-8: it was read as Windows-1252. Check that its "
                           "accented letters look right below.", f);
        else
            cs_doc_text(d, "%s was read as %s, as the map or --encoding says.", f,
                        cs_encoding_name(so->encoding));
    }
    uint64_t excluded = 0;
    for (int t = 0; t < CS_T_COUNT; t++)
        excluded += ds->counts[t].excluded;
    if (excluded) {
        cs_doc_bullet(d);
        cs_doc_text(d, "%s row%s left out on purpose (report footers, or values the map "
                       "excludes), never read as data: listed with the rule in ",
                    cs_fmt_count(a, sizeof a, excluded), excluded == 1 ? "" : "s");
        cs_doc_link(d, "excluded.csv", "excluded.csv");
        cs_doc_text(d, ".");
    }
}
