/* datanotes.c - the report's words on how its data was read: rejected rows, encodings, excluded rows (SPEC 12), plan changes and splits (SPEC 13). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compsight/groups.h"
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

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The teams (plans) with rejected rows: by name those that shared output
 * shows on their own (an->teams, an->plans: groups.h), the others only
 * counted, as the name of a team or plan of one or two reps points at
 * them.  Out of memory: none named.
 */
static void missing_groups_words(struct cs_doc *d, const struct cs_dataset *ds,
                                 const struct cs_missing *missing, size_t n,
                                 const struct cs_group_rate *groups, size_t n_groups,
                                 bool plans)
{
    const char **shown = malloc((n_groups ? n_groups : 1) * sizeof *shown);
    struct cs_missing *named = malloc((n ? n : 1) * sizeof *named);
    size_t ns = 0, nn = 0, small = 0;
    uint64_t small_rows = 0;
    char a[32];
    for (size_t k = 0; shown && k < n_groups; k++)
        if (!groups[k].other)
            shown[ns++] = cs_ds_str(ds, plans ? ds->plans.id[groups[k].id] : groups[k].id);
    if (shown)
        qsort(shown, ns, sizeof *shown, cmp_name);
    for (size_t i = 0; i < n; i++) {
        const char *name = missing[i].name;
        if (named && shown && bsearch(&name, shown, ns, sizeof *shown, cmp_name)) {
            named[nn++] = missing[i];
        } else {
            small++;
            small_rows += missing[i].rows;
        }
    }
    if (nn)
        missing_words(d, named, nn);
    if (small && plans)
        cs_doc_text(d, "%s%zu plan%s not shown on %s own (no reps who won deals, or fewer than "
                       "%d), not named (%s row%s)", nn ? "; and " : "", small,
                    small == 1 ? "" : "s", small == 1 ? "its" : "their", CS_MIN_GROUP_REPS,
                    cs_fmt_count(a, sizeof a, small_rows), small_rows == 1 ? "" : "s");
    else if (small)
        cs_doc_text(d, "%s%zu team%s of fewer than %d reps, not named (%s row%s)",
                    nn ? "; and " : "", small, small == 1 ? "" : "s", CS_MIN_GROUP_REPS,
                    cs_fmt_count(a, sizeof a, small_rows), small_rows == 1 ? "" : "s");
    free(shown);
    free(named);
}

void cs_report_rejected_warning(struct cs_doc *d, const struct cs_dataset *ds,
                                const struct cs_analysis *an)
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
        missing_groups_words(d, ds, ds->missing_plans, ds->n_missing_plans, an->plans,
                             an->n_plans, true);
        cs_doc_text(d, ".");
    }
    if (ds->n_missing_teams) {
        cs_doc_bullet(d);
        cs_doc_text(d, "Teams with rejected rows (of reps.csv and deals.csv): ");
        missing_groups_words(d, ds, ds->missing_teams, ds->n_missing_teams, an->teams,
                             an->n_teams, false);
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

/* ------------------------------------------------------------------------
 * SPEC 13: plan changes, split deals, crediting by type
 * --------------------------------------------------------------------- */

/* Whether rep's plan or team differs on day and on the day before, day
 * being in a selected quarter. */
static bool changes_on(const struct cs_dataset *ds, const struct cs_calendar *cal,
                       const struct cs_selection *sel, uint32_t rep, int32_t day)
{
    if (!cs_selected(sel, cs_cal_quarter_code(cal, day)))
        return false;
    uint32_t t0, t1;
    uint32_t p0 = cs_plan_on(ds, rep, day - 1, &t0), p1 = cs_plan_on(ds, rep, day, &t1);
    return p0 != p1 || t0 != t1;
}

/* The reps whose plan or team changes on a day of the selected quarters. */
static size_t reps_changed(const struct cs_dataset *ds, const struct cs_calendar *cal,
                           const struct cs_selection *sel)
{
    const struct cs_assignments *a = &ds->assignments;
    size_t n = 0;
    for (size_t k = 0; k < a->n;) {
        uint32_t rep = a->rep[k];
        bool changed = false;
        for (; k < a->n && a->rep[k] == rep; k++)
            changed = changed || changes_on(ds, cal, sel, rep, a->start[k]) ||
                      (a->end[k] != CS_NO_DATE && changes_on(ds, cal, sel, rep, a->end[k] + 1));
        n += changed;
    }
    return n;
}

void cs_report_plan_notes(struct cs_doc *d, const struct cs_dataset *ds,
                          const struct cs_calendar *cal, const struct cs_incentives *inc,
                          const struct cs_selection *sel)
{
    char a[32], b[32], words[256];
    if (ds->counts[CS_T_ASSIGNMENTS].present) {
        static const struct cs_selection all = {.mode = CS_SELECT_ALL};
        size_t n = reps_changed(ds, cal, sel), in_all = reps_changed(ds, cal, &all);
        cs_doc_bullet(d);
        if (n == 0)
            cs_doc_text(d, "No rep changed plan or team in the period");
        else
            cs_doc_text(d, "%s rep%s changed plan or team in the period",
                        cs_fmt_count(a, sizeof a, n), n == 1 ? "" : "s");
        if (in_all != n)
            cs_doc_text(d, " (%s in all the data)", cs_fmt_count(b, sizeof b, in_all));
        cs_doc_text(d, ". Each deal counts in the plan and team its rep held on its close date, "
                       "and a quota is prorated by the days a rep held the plan.");
    }
    if (ds->counts[CS_T_SPLITS].present) {
        size_t split = 0, won = 0;
        for (size_t i = 0; i < inc->n; i++) {
            if (!inc->won[i] || !cs_selected(sel, inc->quarter[i]))
                continue;
            won++;
            split += cs_incentives_split_first(inc, (uint32_t)i) != CS_NONE;
        }
        cs_doc_bullet(d);
        cs_doc_text(d, "%s won deal%s %s split between reps, %s of %s won deals; "
                       "each rep's share counts toward that rep's attainment and commission.",
                    cs_fmt_count(a, sizeof a, split), split == 1 ? "" : "s",
                    split == 1 ? "was" : "were", cs_words_pct(b, sizeof b,
                                                             won ? (double)split / (double)won : 0),
                    cs_fmt_count(words, sizeof words, won));
    }
    const struct cs_plans *pl = &ds->plans;
    for (size_t p = 0; pl->credit_new && p < pl->n; p++) {
        if (!cs_words_credit(words, sizeof words, ds, pl, p))
            continue;
        cs_doc_bullet(d);
        cs_doc_text(d, "Plan %s credits %s of their amount toward attainment and commission.",
                    cs_ds_str(ds, pl->id[p]), words);
    }
}
