/* test_voice.c - the voice of the field: free-text requests that name a roadmap title join its row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/doc.h"
#include "compsight/incentives.h"
#include "compsight/outcomes.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/select.h"
#include "testutil.h"

#define HANDMADE CS_TEST_DIR "/reference/handmade/"

static void check(enum cs_status st, const struct cs_error *err, const char *step)
{
    if (st != CS_OK) {
        char msg[1200];
        cs_error_format(err, msg, sizeof msg);
        fail_msg("%s: status %d: %s", step, (int)st, msg);
    }
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void copy(const char *dir, const char *name)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "cp '%s%s' '%s/'", HANDMADE, name, dir);
    assert_int_equal(system(cmd), 0);
}

/*
 * The handmade fixture's reps, plans and deals, with this roadmap and
 * these promises (period all; D5 is lost):
 *   F5 "On-premise deployment" (not planned): P1 names it on D1; P2 (D2)
 *     and P3 (D1 again) write its title as free text, in other case and
 *     spacing -> one row: 3 promises, deals D1 and D2 (30,000 +
 *     29,999.25), 2 of them joined by text.  P8 names it on the lost D5.
 *   F1 "Single sign-on" (shipped before the promises): P7 names it (on the
 *     roadmap, not in the voice); P6 writes its title as text -> the row of
 *     F1 holds P6 alone, still off the roadmap (its feature was blank).
 *   F7 and F8 share a title: P5's text matches both, joins neither.
 *   P4 "SAML SSO" and P9 "on-premise deployment (asap)" match no title.
 */
static const char roadmap[] =
    "feature_id,title,status,target_date,shipped_date\n"
    "F1,Single sign-on,shipped,2025-10-01,2025-10-15\n"
    "F5,On-premise deployment,not_planned,,\n"
    "F7,Duplicate name,exploring,,\n"
    "F8,duplicate  NAME,planned,2026-12-31,\n";
static const char promises[] =
    "promise_id,deal_id,feature_id,promised_date,due_date,text\n"
    "P1,D1,F5,2026-01-02,,On-prem for Acme\n"
    "P2,D2,,2026-02-01,,\"  On-Premise   DEPLOYMENT \"\n"
    "P3,D1,,2026-01-02,,on-premise deployment\n"
    "P4,D3,,2026-03-20,,SAML SSO\n"
    "P5,E1,,2026-01-20,,Duplicate Name\n"
    "P6,E2,,2026-01-20,,single sign-on\n"
    "P7,E3,F1,2026-02-20,,SSO\n"
    "P8,D5,F5,2026-02-01,,On-prem\n"
    "P9,E4,,2026-02-20,,on-premise deployment (asap)\n";

struct pipeline {
    char dir[64];
    struct cs_dataset *ds;
    struct cs_calendar cal;
    struct cs_selection sel;
    struct cs_incentives *inc;
    struct cs_outcomes *oc;
    struct cs_analysis *an;
};

static int setup(void **state)
{
    struct pipeline *p = calloc(1, sizeof *p);
    assert_non_null(p);
    snprintf(p->dir, sizeof p->dir, "/tmp/cs_test_voice_XXXXXX");
    assert_non_null(mkdtemp(p->dir));
    copy(p->dir, "reps.csv");
    copy(p->dir, "plans.csv");
    copy(p->dir, "deals.csv");
    put(p->dir, "roadmap.csv", roadmap);
    put(p->dir, "promises.csv", promises);
    struct cs_error err;
    struct cs_load_options lo = {.dir = p->dir};
    cs_error_clear(&err);
    check(cs_dataset_load(&lo, &p->ds, &err), &err, "load");
    check(cs_calendar_init(&p->cal, 1, &err), &err, "calendar");
    check(cs_select_period("all", p->ds, &p->cal, &p->sel, &err), &err, "select");
    check(cs_incentives_compute(p->ds, &p->ds->plans, &p->cal, &p->inc, &err), &err, "incentives");
    check(cs_outcomes_compute(p->ds, &p->cal, &p->oc, &err), &err, "outcomes");
    struct cs_measured m = {p->ds, &p->cal, p->inc, p->oc, &p->sel};
    check(cs_analysis_run(&m, 1, &p->an, &err), &err, "analysis");
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct pipeline *p = *state;
    char cmd[128];
    cs_analysis_free(p->an);
    cs_outcomes_free(p->oc);
    cs_incentives_free(p->inc);
    cs_dataset_free(p->ds);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
    int rc = system(cmd);
    free(p);
    return rc;
}

/* The row of feature id (text NULL) or of normalised text. */
static const struct cs_voice *row(const struct pipeline *p, const char *id, const char *text)
{
    for (size_t i = 0; i < p->an->n_voice; i++) {
        const struct cs_voice *v = &p->an->voice[i];
        if (id && v->feature_text && !strcmp(cs_ds_str(p->ds, v->feature_text), id))
            return v;
        if (text && v->text && !strcmp(v->text, text))
            return v;
    }
    return NULL;
}

static void test_join_by_title(void **state)
{
    const struct pipeline *p = *state;
    assert_int_equal(p->ds->counts[CS_T_PROMISES].rejected, 0);
    assert_int_equal(p->an->n_voice, 5);
    const struct cs_voice *f5 = row(p, "F5", NULL);
    assert_non_null(f5);
    assert_int_equal(f5->feature, 1);                     /* roadmap row 2 */
    assert_int_equal(f5->promises, 3);
    assert_int_equal(f5->deals, 2);
    assert_close(f5->bookings, 30000 + 29999.25, 1e-15);
    assert_int_equal(f5->off_roadmap, 3);
    assert_int_equal(f5->premature, 0);
    assert_int_equal(f5->by_text, 2);
    assert_null(row(p, NULL, "on-premise deployment"));  /* no second row */

    const struct cs_voice *f1 = row(p, "F1", NULL);
    assert_non_null(f1);
    assert_int_equal(f1->promises, 1);
    assert_int_equal(f1->by_text, 1);
    assert_int_equal(f1->off_roadmap, 1);
    assert_close(f1->bookings, 40000, 1e-15);

    /* two roadmap items share the title: no join */
    const struct cs_voice *dup = row(p, NULL, "duplicate name");
    assert_non_null(dup);
    assert_int_equal(dup->feature_text, 0);
    assert_int_equal(dup->feature, CS_NONE);
    assert_null(row(p, "F7", NULL));
    assert_null(row(p, "F8", NULL));
    assert_non_null(row(p, NULL, "saml sso"));
    assert_non_null(row(p, NULL, "on-premise deployment (asap)"));

    /* order: bookings, then promises, then text rows before feature rows */
    static const char *const order[] = {"saml sso", "F5", "duplicate name", "F1",
                                        "on-premise deployment (asap)"};
    for (size_t i = 0; i < 5; i++) {
        const struct cs_voice *v = &p->an->voice[i];
        const char *name = v->text ? v->text : cs_ds_str(p->ds, v->feature_text);
        assert_string_equal(name, order[i]);
    }
}

/* The class of a joined promise is that of SPEC 6: blank feature, off the roadmap. */
static void test_class_unchanged(void **state)
{
    const struct pipeline *p = *state;
    const struct cs_promises *pr = &p->ds->promises;
    for (size_t j = 0; j < pr->n; j++) {
        const char *id = cs_ds_str(p->ds, pr->id[j]);
        if (!strcmp(id, "P2") || !strcmp(id, "P3") || !strcmp(id, "P6")) {
            assert_int_equal(pr->feature[j], CS_NONE);
            assert_int_equal(p->oc->promise_class[j], CS_PROMISE_OFF_ROADMAP);
        }
        if (!strcmp(id, "P7"))
            assert_int_equal(p->oc->promise_class[j], CS_PROMISE_ON_ROADMAP);
    }
}

/* results.json and the report's table show one row. */
static void test_outputs_one_row(void **state)
{
    const struct pipeline *p = *state;
    json_t *root = cs_results_json(p->ds, &p->cal, p->an, NULL);
    assert_non_null(root);
    json_t *voice = json_object_get(root, "voice_of_the_field");
    assert_int_equal(json_array_size(voice), 5);
    json_t *f5 = json_array_get(voice, 1);
    assert_string_equal(json_string_value(json_object_get(f5, "feature_id")), "F5");
    assert_string_equal(json_string_value(json_object_get(f5, "title")), "On-premise deployment");
    assert_int_equal(json_integer_value(json_object_get(f5, "promises")), 3);
    assert_int_equal(json_integer_value(json_object_get(f5, "joined_by_text")), 2);
    assert_null(json_object_get(json_array_get(voice, 0), "joined_by_text"));   /* a text row */
    json_decref(root);

    struct cs_report_input in = {.ds = p->ds, .cal = &p->cal, .inc = p->inc, .oc = p->oc,
                                 .an = p->an, .data_name = "voice", .date = "2026-12-01",
                                 .plots_note = ""};
    struct cs_doc *doc = NULL;
    struct cs_error err;
    check(cs_report_build(&in, &doc, &err), &err, "report");
    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    assert_non_null(f);
    cs_doc_markdown(doc, f);
    assert_int_equal(fclose(f), 0);
    cs_doc_free(doc);
    assert_non_null(strstr(md, "| On-premise deployment (F5) | 3 | 2 |"));
    assert_null(strstr(md, "| \"on-premise deployment\" |"));
    assert_non_null(strstr(md, "| Single sign-on (F1) | 1 | 1 |"));
    free(md);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_by_title),
        cmocka_unit_test(test_class_unchanged),
        cmocka_unit_test(test_outputs_one_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
