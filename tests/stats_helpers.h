/* stats_helpers.h - shared helpers of the statistics tests: tolerances against R and R fixture readers. */
#ifndef COMPSIGHT_TESTS_STATS_HELPERS_H
#define COMPSIGHT_TESTS_STATS_HELPERS_H

/* Included by one test file each (test_bunching.c, test_shrink.c), after
 * cmocka.h; everything is static, and marked unused because not every
 * test uses every helper. */
#define UNUSED __attribute__((unused))
/* ======================================================================
 * Helpers
 * ==================================================================== */

#define EST_TOL 1e-6     /* estimates against R */
#define P_TOL 1e-5       /* interval ends (quantiles) against R */
#define EXACT 1e-12
/* assert_close, assert_near: testutil.h; assert_close_worst(EST_TOL) and
 * assert_close_worst(P_TOL) are the largest deviations from R, printed at the end. */
#include "testutil.h"

/* Numbers of one column of a fixture CSV written by tests/reference/stats/
 * (header line, no quoting).  Returns the count; *out is malloc'd. */
UNUSED static size_t read_column(const char *path, const char *col, double **out)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open fixture %s", path);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, fp));
    line[strcspn(line, "\r\n")] = '\0';
    int want = -1, c = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++)
        if (!strcmp(tok, col))
            want = c;
    if (want < 0)
        fail_msg("%s has no column %s", path, col);
    size_t n = 0;
    double *v = NULL;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        c = 0;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), c++) {
            if (c != want)
                continue;
            v = realloc(v, (n + 1) * sizeof *v);
            assert_non_null(v);
            v[n++] = !strcmp(tok, "NA") ? NAN : strtod(tok, NULL);
        }
    }
    fclose(fp);
    *out = v;
    return n;
}

/* the value of key in a key,value fixture */
UNUSED static double kv(const char *path, const char *key)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open fixture %s", path);
    char line[1024];
    double v = NAN;
    bool found = false;
    while (fgets(line, sizeof line, fp)) {
        char *comma = strchr(line, ',');
        if (comma && (size_t)(comma - line) == strlen(key) && !strncmp(line, key, strlen(key))) {
            v = strtod(comma + 1, NULL);
            found = true;
        }
    }
    fclose(fp);
    if (!found)
        fail_msg("%s has no key %s", path, key);
    return v;
}

#endif
