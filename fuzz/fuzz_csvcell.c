/* fuzz_csvcell.c - fuzz the CSV cell writer: what it writes reads back, and no text cell starts a formula. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/csvread.h"
#include "compsight/output.h"
#include "fuzz.h"

/*
 * Input: one option byte (bit 0: a text cell, else a number cell; bit 1:
 * the cell is last on its line), then the cell's bytes (NULs dropped: the
 * importer never lets one through).  The harness writes a header line and
 * a record holding the cell and a fixed cell, reads it back with compsight's
 * own reader, and checks:
 *  - the record has the two fields, the fixed one intact;
 *  - the cell reads back as written, after undoing the apostrophe that
 *    neutralises a text cell beginning with = + - @ TAB or CR;
 *  - a text cell never reads back beginning with = + - @ TAB or CR
 *    (spreadsheet formula injection, SPEC 11);
 *  - cs_csv_text(s) writes exactly cs_csv_cell(s, strlen(s), true), and
 *    cs_csv_cell_mem the same bytes as cs_csv_cell, within 2n + 3;
 *  - cs_put_number of the first 8 bytes as a double reads back with strtod
 *    to the same double, or is empty when it is not finite.
 */

struct fzc_got {
    int records;
    size_t n;
    char *cell, *other;
    size_t cell_len;
    unsigned long line;
};

static int fzc_record(const struct cs_csv_record *rec, void *ctx)
{
    struct fzc_got *g = ctx;
    if (++g->records != 2)
        return 0;
    g->n = rec->n;
    g->line = rec->line;
    if (rec->n >= 1) {
        g->cell = malloc(rec->len[0] + 1);
        memcpy(g->cell, rec->field[0], rec->len[0] + 1);
        g->cell_len = rec->len[0];
    }
    if (rec->n >= 2)
        g->other = strdup(rec->field[1]);
    return 0;
}

static bool fzc_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static void fzc_number(const uint8_t *data, size_t size)
{
    double x;
    if (size < 8)
        return;
    memcpy(&x, data, 8);
    char *buf;
    size_t len;
    FILE *f = fuzz_memstream(&buf, &len);
    cs_put_number(f, x);
    fclose(f);
    if (!isfinite(x)) {
        FUZZ_CHECK(len == 0, "cs_put_number wrote something for NaN or Inf");
    } else {
        char *end;
        double y = strtod(buf, &end);
        FUZZ_CHECK(len > 0 && end == buf + len, "cs_put_number wrote something strtod cannot read");
        FUZZ_CHECK(y == x, "cs_put_number does not round-trip");
        FUZZ_CHECK(!strchr(buf, ','), "cs_put_number wrote a comma");
    }
    free(buf);
}

int cs_fuzz_csvcell(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool text = data[0] & 1, last = data[0] & 2;
    fzc_number(data + 1, size - 1);

    char *s = malloc(size);
    size_t n = 0;
    for (size_t i = 1; i < size; i++)
        if (data[i])
            s[n++] = (char)data[i];
    s[n] = '\0';

    char *out;
    size_t out_len;
    FILE *f = fuzz_memstream(&out, &out_len);
    fputs("a,b\n", f);
    if (last)
        fputs("x,", f);
    cs_csv_cell(f, s, n, text);
    if (!last)
        fputs(",x", f);
    fputs("\n", f);
    fclose(f);

    struct fzc_got g = {0};
    struct cs_error err;
    enum cs_status st = cs_csv_read_mem(out, out_len, "cell.csv", NULL, fzc_record, &g, &err);
    FUZZ_CHECK(st == CS_OK, "a written CSV cell does not read back (malformed CSV)");
    FUZZ_CHECK(g.records == 2, "a written CSV cell reads back as another number of records");
    FUZZ_CHECK(g.n == 2, "a written CSV cell reads back as another number of fields");
    FUZZ_CHECK(g.line == 2, "a written CSV cell does not start on line 2");
    char *cell = last ? g.other : g.cell, *fixed = last ? g.cell : g.other;
    size_t cell_len = strlen(cell);
    FUZZ_CHECK(strcmp(fixed, "x") == 0, "the cell next to the written one changed");

    const char *back = cell;
    size_t back_len = cell_len;
    if (text && n && fzc_formula_start(s[0])) {
        FUZZ_CHECK(back_len >= 1 && back[0] == '\'', "a formula-like text cell was not neutralised");
        back++;
        back_len--;
    }
    if (text)
        FUZZ_CHECK(!cell_len || !fzc_formula_start(cell[0]),
                   "a text cell reads back starting with = + - @ TAB or CR (formula injection)");
    FUZZ_CHECK(back_len == n && memcmp(back, s, n) == 0,
               "a CSV cell does not read back as written (quoting/trimming)");
    free(g.cell);
    free(g.other);
    free(out);

    /* cs_csv_text is the text cell of a C string */
    char *o1, *o2;
    size_t l1, l2;
    f = fuzz_memstream(&o1, &l1);
    cs_csv_text(f, s);
    fclose(f);
    f = fuzz_memstream(&o2, &l2);
    cs_csv_cell(f, s, n, true);
    fclose(f);
    FUZZ_CHECK(l1 == l2 && memcmp(o1, o2, l1) == 0, "cs_csv_text differs from cs_csv_cell(text)");
    free(o1);

    /* cs_csv_cell_mem writes the same bytes, within 2n + 3, and no more */
    f = fuzz_memstream(&o1, &l1);
    cs_csv_cell(f, s, n, text);
    fclose(f);
    char *mem = malloc(2 * n + 4);
    mem[2 * n + 3] = 'z';
    size_t lm = cs_csv_cell_mem(mem, s, n, text);
    FUZZ_CHECK(lm <= 2 * n + 3 && mem[2 * n + 3] == 'z', "cs_csv_cell_mem wrote past 2n + 3 bytes");
    FUZZ_CHECK(lm == l1 && memcmp(mem, o1, l1) == 0, "cs_csv_cell_mem differs from cs_csv_cell");
    free(mem);
    free(o1);
    free(o2);
    free(s);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_csvcell(data, size);
}
#endif
