/* test_proposal.c - the proposal's summary for the report: the same figures proposal.json carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/commands.h"
#include "compsight/proposal.h"
#include "compsight/whatif.h"
#include "cli/propose.h"

#ifndef CS_SOURCE_DIR
#define CS_SOURCE_DIR "."
#endif
#define SAMPLE_DIR CS_SOURCE_DIR "/data/sample"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A JSON number as written by cs_json_number: null stands for NaN. */
static double number(const json_t *j)
{
    assert_true(json_is_number(j) || json_is_null(j));
    return json_is_null(j) ? NAN : json_number_value(j);
}

/* x and y the same double, NaN included, printing both. */
static void assert_same(double x, double y, const char *what, size_t k)
{
    if (!(x == y || (isnan(x) && isnan(y))))
        fail_msg("option %zu: %s: summary %.17g, proposal.json %.17g", k + 1, what, x, y);
}

/* The interval pair of a *_ci key against d's low and high. */
static void assert_ci(const json_t *ci, const struct cs_whatif_diff *d, const char *what, size_t k)
{
    assert_true(json_is_array(ci) && json_array_size(ci) == 2);
    assert_same(d->low, number(json_array_get(ci, 0)), what, k);
    assert_same(d->high, number(json_array_get(ci, 1)), what, k);
}

/*
 * Write the proposal of the sample data for one period, as `compsight
 * report` does, and check its summary against proposal.json: the number
 * of options, and the description and the three differences with their
 * intervals of each of the best-ranked ones, bit for bit (the JSON writer
 * is independent code, and 17 digits read back exactly).
 */
static void check_period(const char *period)
{
    struct cs_error err;
    struct cs_calendar cal;
    struct cs_dataset *ds = NULL;
    struct cs_incentives *inc = NULL;
    struct cs_outcomes *oc = NULL;
    struct cs_selection sel;
    assert_int_equal(cs_calendar_init(&cal, 1, &err), CS_OK);
    struct cs_load_options lo = {.dir = SAMPLE_DIR};
    if (cs_dataset_load(&lo, &ds, &err) != CS_OK)
        fail_msg("load: %s", err.msg);
    assert_int_equal(cs_incentives_compute(ds, &ds->plans, &cal, &inc, &err), CS_OK);
    assert_int_equal(cs_outcomes_compute(ds, &cal, &oc, &err), CS_OK);
    assert_int_equal(cs_select_period(period, ds, &cal, &sel, &err), CS_OK);

    char dir[] = "/tmp/compsight-test-proposal.XXXXXX";
    assert_non_null(mkdtemp(dir));
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    const struct cs_measured m = {.ds = ds, .cal = &cal, .inc = inc, .oc = oc, .sel = &sel};
    const struct cs_proposal_settings ps = {.whatif = {.seed = 7, .draws = 0, .threads = 2}};
    const struct cs_io io = {.out = devnull, .msg = devnull, .progress = false};
    struct cs_proposal_summary s;
    memset(&s, 0xa5, sizeof s);   /* every field must be written */
    if (cs_proposal_write(dir, &m, &ps, &io, &s, &err) != CS_OK)
        fail_msg("cs_proposal_write: %s", err.msg);

    char path[96];
    snprintf(path, sizeof path, "%s/proposal.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    const json_t *opts = json_object_get(root, "options");
    assert_true(json_is_array(opts));
    assert_int_equal(s.n_options, json_array_size(opts));
    assert_true(s.n_options >= 1);   /* the sample's plans have accelerators */
    size_t top = s.n_options < CS_PROPOSAL_SUMMARY_TOP ? s.n_options : CS_PROPOSAL_SUMMARY_TOP;
    assert_int_equal(s.n_top, top);
    for (size_t k = 0; k < s.n_top; k++) {
        const json_t *o = json_array_get(opts, k);
        const struct cs_proposal_summary_option *so = &s.top[k];
        assert_int_equal(json_integer_value(json_object_get(o, "rank")), k + 1);
        assert_string_equal(so->description,
                            json_string_value(json_object_get(o, "description")));
        assert_same(so->risky.estimate, number(json_object_get(o, "risky_diff")), "risky_diff", k);
        assert_ci(json_object_get(o, "risky_diff_ci"), &so->risky, "risky_diff_ci", k);
        assert_same(so->commission.estimate, number(json_object_get(o, "commission_diff")),
                    "commission_diff", k);
        assert_ci(json_object_get(o, "commission_diff_ci"), &so->commission,
                  "commission_diff_ci", k);
    }
    json_decref(root);
    fclose(devnull);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    cs_outcomes_free(oc);
    cs_incentives_free(inc);
    cs_dataset_free(ds);
}

static void test_summary_as_json_latest(void **state)
{
    (void)state;
    check_period(NULL);
}

static void test_summary_as_json_all(void **state)
{
    (void)state;
    check_period("all");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_as_json_latest),
        cmocka_unit_test(test_summary_as_json_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
