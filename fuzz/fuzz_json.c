/* fuzz_json.c - fuzz what results.json is made of: cs_json_number and jansson's string escaping. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compsight/parse.h"
#include "compsight/results.h"
#include "fuzz.h"

/*
 * Input: the first 8 bytes are a double, all of it is a string.
 *  - cs_json_number(x) is null exactly when x is NaN or infinite, else a
 *    real that dumps (with results.json's flags) and loads back to the
 *    very same double;
 *  - jansson takes the string exactly when cs_utf8_valid says it is UTF-8
 *    (the importer's check is what keeps json_dumps from failing);
 *  - the dumped document, in each of results.json's and compact forms,
 *    holds no raw control byte inside strings, is valid UTF-8 and loads
 *    back to the same string bytes.
 */

static void fzj_number(const uint8_t *data, size_t size)
{
    if (size < 8)
        return;
    double x;
    memcpy(&x, data, 8);
    json_t *v = cs_json_number(x);
    FUZZ_CHECK(v != NULL, "cs_json_number returned NULL");
    if (!isfinite(x)) {
        FUZZ_CHECK(json_is_null(v), "a NaN or infinite number is not null");
        json_decref(v);
        return;
    }
    FUZZ_CHECK(json_is_real(v) || json_is_integer(v), "a finite number is not a JSON number");
    json_t *root = json_pack("{s:o}", "x", v);
    FUZZ_CHECK(root != NULL, "json_pack");
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    FUZZ_CHECK(s != NULL, "a finite number does not dump");
    FUZZ_CHECK(!strstr(s, "nan") && !strstr(s, "inf") && !strstr(s, "NaN"),
               "results.json would hold NaN or Infinity");
    json_error_t e;
    json_t *back = json_loads(s, JSON_DECODE_INT_AS_REAL, &e);
    FUZZ_CHECK(back != NULL, "a dumped number does not load back");
    double y = json_number_value(json_object_get(back, "x"));
    FUZZ_CHECK(y == x, "a number does not survive results.json (JSON_REAL_PRECISION(17))");
    json_decref(back);
    free(s);
    json_decref(root);
}

static void fzj_check_dump(const char *d, size_t want_len, const char *want)
{
    size_t n = strlen(d);
    FUZZ_CHECK(fuzz_utf8_valid(d, n), "dumped JSON is not valid UTF-8");
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (in_str && c < 0x20)
            FUZZ_CHECK(false, "a raw control byte inside a JSON string");
        if (c == '\\' && in_str) {
            i++;
            continue;
        }
        if (c == '"')
            in_str = !in_str;
    }
    json_error_t e;
    json_t *back = json_loads(d, JSON_ALLOW_NUL, &e);
    FUZZ_CHECK(back != NULL, "dumped JSON does not load back");
    json_t *s = json_object_get(back, "s");
    FUZZ_CHECK(json_is_string(s), "the string is gone");
    FUZZ_CHECK(json_string_length(s) == want_len && memcmp(json_string_value(s), want, want_len) == 0,
               "a string does not survive a JSON round trip");
    json_decref(back);
}

static void fzj_string(const char *s, size_t n)
{
    json_t *js = json_stringn(s, n);
    FUZZ_CHECK((js != NULL) == cs_utf8_valid(s, n), "jansson and cs_utf8_valid disagree on UTF-8");
    FUZZ_CHECK((js != NULL) == fuzz_utf8_valid(s, n), "jansson and the reference disagree on UTF-8");
    if (!js)
        return;
    json_t *root = json_object();
    json_object_set_new(root, "s", js);
    static const size_t flags[] = {
        JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17),
        JSON_COMPACT, JSON_ENSURE_ASCII, JSON_COMPACT | JSON_ESCAPE_SLASH,
    };
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        char *d = json_dumps(root, flags[k]);
        FUZZ_CHECK(d != NULL, "json_dumps failed on a valid string");
        fzj_check_dump(d, n, s);
        if (flags[k] & JSON_ENSURE_ASCII)
            for (const char *p = d; *p; p++)
                FUZZ_CHECK((unsigned char)*p < 0x80, "JSON_ENSURE_ASCII left a non-ASCII byte");
        if (flags[k] & JSON_ESCAPE_SLASH)
            FUZZ_CHECK(!strstr(d, "</"), "JSON_ESCAPE_SLASH left </");
        free(d);
    }
    json_decref(root);
}

int cs_fuzz_json(const uint8_t *data, size_t size)
{
    fzj_number(data, size);
    fzj_string((const char *)data, size);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_json(data, size);
}
#endif
