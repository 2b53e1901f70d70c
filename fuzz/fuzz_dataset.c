/* fuzz_dataset.c - fuzz the importer (every input file, and a map) and the pipeline behind it. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "compsight/analysis.h"
#include "compsight/calendar.h"
#include "compsight/dataset.h"
#include "compsight/dealscsv.h"
#include "compsight/doc.h"
#include "compsight/incentives.h"
#include "compsight/mapfile.h"
#include "compsight/outcomes.h"
#include "compsight/report.h"
#include "compsight/results.h"
#include "compsight/schema.h"
#include "compsight/select.h"
#include "fuzz.h"
#include "input/tuning.h"

/*
 * Input layout:
 *   byte 0   options
 *              bits 0-1  --date-format: iso, us, eu, iso
 *              bit 2     --decimal-comma
 *              bit 3     the first segment is a --map file
 *              bit 4     also run the analysis, results.json and the report
 *              bits 5-7  chunk size of the second load: 1, 2, 3, 5, 7, 16, 64, 4096
 *   byte 1   --fiscal-start: 1 + byte % 12; bit 7: --currency EUR
 *   then     segments separated by the byte 0xFF (never part of UTF-8 text):
 *            [map,] plans, reps, deals, quotas, spiffs, commissions, roadmap,
 *            promises, collateral, claims, targets, rates, in that order (the
 *            order of SPEC 1 before section 12, so that older seeds keep
 *            their meaning; rates.csv is loaded before deals.csv).
 * Each segment is written to its file (the map's `file =` name when it has
 * one) in a private data directory; a missing optional segment is no file,
 * a missing required one (plans, reps, deals) a small valid default.
 *
 * The files are loaded twice, in 64 KiB chunks and in the chunk size of
 * byte 0 (1 MiB, the default, costs a lot under ASan for inputs of a few
 * kilobytes and is covered by fuzz_csvread).
 *
 * Properties:
 *  - loading is deterministic and the same for every chunk size (SPEC 2,
 *    csvread.h): status, error, counts, rejects and every interned string;
 *  - per file, rows_read = rows_used + rows_rejected + rows_excluded
 *    (SPEC 10, 12), the rejects and excluded rows of a file are as many as
 *    it counts, and its sources (the files read) add up to it;
 *  - every reject names a schema column (or the row), a line after the
 *    header (line 1 with `header =`), the file read, and a reason safe to
 *    print; every excluded row a line, the file and a reason; every error
 *    likewise;
 *  - every string kept is valid UTF-8; every reference resolves; won deals
 *    have a close date and a finite amount > 0 (what the incentive maths
 *    assumes), converted or not; rates left are > 0, dated on both ends or
 *    neither, and no two of a currency overlap;
 *  - the derived tables compute (or fail with a status, never a crash);
 *    with bit 4, results.json dumps as valid JSON without NaN and the HTML
 *    report has only the tags compsight writes.
 */

#define FZD_SEP 0xff

/* The tables in the order of the input's segments. */
static const enum cs_table fzd_order[CS_T_COUNT] = {
    CS_T_PLANS, CS_T_REPS, CS_T_DEALS, CS_T_QUOTAS, CS_T_SPIFFS, CS_T_COMMISSIONS,
    CS_T_ROADMAP, CS_T_PROMISES, CS_T_COLLATERAL, CS_T_CLAIMS, CS_T_TARGETS, CS_T_RATES,
};

/* The required files, when the input has no segment for them. */
static const char *const fzd_defaults[CS_T_COUNT] = {
    [CS_T_PLANS] = "plan_id,period_type,quota,tier_floor,rate\nP,quarter,100000,0,0.08\n"
                   "P,quarter,100000,1,0.12\n",
    [CS_T_REPS] = "rep_id,name,team,role,plan_id\nR1,Ann,East,AE,P\nR2,Bob,West,AE,P\n",
    [CS_T_DEALS] = "deal_id,rep_id,account,type,product,amount,discount_pct,created_date,close_date,stage\n"
                   "D1,R1,Acme,new,Core,50000,10,2026-01-05,2026-02-01,won\n"
                   "D2,R2,Beta,expansion,Core,80000,,2026-01-10,2026-03-30,won\n",
};

static char fzd_dir[64];

/* Empty the data directory (a previous input's files, a map's names). */
static void fzd_clear(void)
{
    DIR *d = opendir(fzd_dir);
    if (!d)
        abort();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", fzd_dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static void fzd_cleanup(void)
{
    if (!fzd_dir[0])
        return;
    fzd_clear();
    rmdir(fzd_dir);
    fzd_dir[0] = '\0';
}

static const char *fzd_datadir(void)
{
    if (!fzd_dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fzd_dir, sizeof fzd_dir, "%s/cs-fuzz-data-XXXXXX", base);
        if (!mkdtemp(fzd_dir))
            abort();
        atexit(fzd_cleanup);
        gsl_set_error_handler_off();
    }
    return fzd_dir;
}

static void fzd_write(const char *name, const char *s, size_t n)
{
    /* a map's file name was checked by fuzz_mapfile's properties too, but
     * the harness must never write outside its directory whatever happens */
    FUZZ_CHECK(name[0] && !strchr(name, '/') && strcmp(name, "..") != 0 && strcmp(name, ".") != 0,
               "a map file name that is not a plain name reached the importer");
    char p[600];
    snprintf(p, sizeof p, "%s/%s", fzd_dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;           /* e.g. a name too long for the file system: the file is absent */
    if (n && write(fd, s, n) != (ssize_t)n)
        abort();
    close(fd);
}

static void fzd_progress(const char *file, uint64_t done, uint64_t total, void *ctx)
{
    (void)ctx;
    FUZZ_CHECK(file != NULL, "progress without a file name");
    (void)done;
    (void)total;
}

/* Everything a load produced, as text, to compare two loads. */
static void fzd_digest(enum cs_status st, const struct cs_error *err, const struct cs_dataset *ds,
                       struct fuzz_buf *b)
{
    fuzz_buf_printf(b, "status %d %s:%lu:%s:%s\n", (int)st, err->file, err->line, err->column,
                    err->msg);
    if (!ds)
        return;
    for (int t = 0; t < CS_T_COUNT; t++)
        fuzz_buf_printf(b, "%d present=%d read=%llu used=%llu rejected=%llu\n", t,
                        (int)ds->counts[t].present, (unsigned long long)ds->counts[t].read,
                        (unsigned long long)ds->counts[t].used,
                        (unsigned long long)ds->counts[t].rejected);
    for (size_t i = 0; i < ds->n_rejects; i++)
        fuzz_buf_printf(b, "reject %u:%u:%s:%s:%s:%s\n", (unsigned)ds->rejects[i].table,
                        (unsigned)ds->rejects[i].line, ds->rejects[i].column, ds->rejects[i].reason,
                        ds->rejects[i].source_file,
                        ds->rejects[i].source_column ? ds->rejects[i].source_column : "-");
    for (size_t i = 0; i < ds->n_excluded; i++)
        fuzz_buf_printf(b, "excluded %u:%u:%s:%s\n", (unsigned)ds->excluded[i].table,
                        (unsigned)ds->excluded[i].line, ds->excluded[i].source_file,
                        ds->excluded[i].reason);
    for (size_t i = 0; i < ds->n_sources; i++)
        fuzz_buf_printf(b, "source %s enc=%d/%d delim=%d\n", ds->sources[i].file,
                        ds->sources[i].encoding, (int)ds->sources[i].encoding_detected,
                        ds->sources[i].delimiter);
    fuzz_buf_printf(b, "n %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu tiers %zu %s\n",
                    ds->plans.n, ds->reps.n, ds->rates.n, ds->deals.n, ds->quotas.n,
                    ds->spiffs.n, ds->commissions.n, ds->roadmap.n, ds->promises.n,
                    ds->collateral.n, ds->claims.n, ds->targets.n, ds->plans.n_tiers,
                    ds->currency);
    size_t ns = cs_strpool_count(ds->str);
    for (size_t id = 1; id <= ns; id++) {
        fuzz_buf_puts(b, cs_ds_str(ds, (uint32_t)id));
        fuzz_buf_puts(b, "\n");
    }
    for (size_t i = 0; i < ds->deals.n; i++)
        fuzz_buf_printf(b, "deal %u %u %.17g %d %u\n", ds->deals.id[i], ds->deals.rep[i],
                        ds->deals.amount[i], (int)ds->deals.close[i], (unsigned)ds->deals.stage[i]);
    for (size_t i = 0; i < ds->commissions.n; i++)
        fuzz_buf_printf(b, "commission %u %.17g\n", ds->commissions.deal[i],
                        ds->commissions.commission[i]);
}

static bool fzd_ref_ok(uint32_t r, size_t n, bool may_be_none)
{
    return r < n || (may_be_none && r == CS_NONE);
}

static void fzd_check_dataset(const struct cs_dataset *ds)
{
    for (int t = 0; t < CS_T_COUNT; t++) {
        const struct cs_table_counts *c = &ds->counts[t];
        FUZZ_CHECK(c->read == c->used + c->rejected + c->excluded,
                   "rows_read != rows_used + rows_rejected + rows_excluded");
        FUZZ_CHECK(c->present || c->read == 0, "rows read from a file that is not there");
        uint64_t listed = 0, excluded = 0;
        for (size_t i = 0; i < ds->n_rejects; i++)
            listed += ds->rejects[i].table == t;
        for (size_t i = 0; i < ds->n_excluded; i++)
            excluded += ds->excluded[i].table == t;
        /* a plan-level reject lists every row of the plan: at least as many
         * rejects as rejected rows is what rejects.csv needs; here exact */
        FUZZ_CHECK(listed == c->rejected, "rejects listed != rows_rejected");
        FUZZ_CHECK(excluded == c->excluded, "excluded rows listed != rows_excluded");
        struct cs_table_counts sum = {0};
        for (size_t i = 0; i < ds->n_sources; i++) {
            const struct cs_source *so = &ds->sources[i];
            if (so->table != t)
                continue;
            FUZZ_CHECK(so->read == so->used + so->rejected + so->excluded,
                       "a file's rows do not add up");
            sum.read += so->read;
            sum.used += so->used;
            sum.rejected += so->rejected;
            sum.excluded += so->excluded;
        }
        FUZZ_CHECK(sum.read == c->read && sum.used == c->used && sum.rejected == c->rejected &&
                   sum.excluded == c->excluded, "the files of a table do not add up to it");
    }
    for (size_t i = 0; i < ds->n_excluded; i++) {
        const struct cs_excluded *e = &ds->excluded[i];
        FUZZ_CHECK(e->table < CS_T_COUNT && e->source < ds->n_sources &&
                   ds->sources[e->source].table == e->table, "an excluded row of no file");
        FUZZ_CHECK(e->line >= 1 && e->reason && e->reason[0], "an excluded row without line or reason");
        FUZZ_CHECK(e->source_file == ds->sources[e->source].file, "excluded: the wrong file");
        FUZZ_CHECK(fuzz_utf8_valid(e->reason, strlen(e->reason)), "an excluded reason is not UTF-8");
    }
    const struct cs_table_def *defs[CS_T_COUNT];
    for (int t = 0; t < CS_T_COUNT; t++)
        defs[t] = cs_schema_table((enum cs_table)t);
    for (size_t i = 0; i < ds->n_rejects; i++) {
        const struct cs_reject *r = &ds->rejects[i];
        FUZZ_CHECK(r->table < CS_T_COUNT, "reject of an unknown table");
        FUZZ_CHECK(r->source < ds->n_sources && ds->sources[r->source].table == r->table &&
                   r->source_file == ds->sources[r->source].file, "a reject of no file read");
        FUZZ_CHECK(r->line >= (ds->sources[r->source].header_row ? 2u : 1u),
                   "a reject on the header line or line 0");
        FUZZ_CHECK(r->reason && r->reason[0], "a reject without a reason");
        FUZZ_CHECK(fuzz_error_printable(r->reason), "a reject reason holds raw control bytes");
        bool known = r->column[0] == '\0';
        for (size_t c = 0; !known && c < defs[r->table]->n_columns; c++)
            known = strcmp(r->column, defs[r->table]->columns[c].name) == 0;
        FUZZ_CHECK(known, "a reject names a column the file does not have");
        if (i) {
            const struct cs_reject *p = &ds->rejects[i - 1];
            FUZZ_CHECK(p->table < r->table || (p->table == r->table && p->source < r->source) ||
                       (p->table == r->table && p->source == r->source && p->line <= r->line),
                       "rejects are not in file then line order");
        }
    }
    size_t ns = cs_strpool_count(ds->str);
    for (size_t id = 1; id <= ns; id++) {
        const char *s = cs_ds_str(ds, (uint32_t)id);
        FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)), "an interned string is not valid UTF-8");
        FUZZ_CHECK(strlen(s) == cs_strpool_len(ds->str, (uint32_t)id), "strpool length");
    }
    const struct cs_plans *p = &ds->plans;
    for (size_t i = 0; i < p->n; i++) {
        FUZZ_CHECK(p->tier_count[i] >= 1, "a plan without tiers");
        FUZZ_CHECK((size_t)p->tier_first[i] + p->tier_count[i] <= p->n_tiers, "tiers out of range");
        FUZZ_CHECK(p->floor[p->tier_first[i]] == 0, "a plan whose first floor is not 0");
        FUZZ_CHECK(p->quota[i] > 0 && isfinite(p->quota[i]), "a plan quota that is not > 0");
        for (uint32_t k = 1; k < p->tier_count[i]; k++)
            FUZZ_CHECK(p->floor[p->tier_first[i] + k] > p->floor[p->tier_first[i] + k - 1],
                       "plan floors not increasing");
        for (uint32_t k = 0; k < p->tier_count[i]; k++)
            FUZZ_CHECK(p->rate[p->tier_first[i] + k] >= 0 && isfinite(p->rate[p->tier_first[i] + k]),
                       "a negative or non-finite rate");
    }
    for (size_t i = 0; i < ds->reps.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->reps.plan[i], p->n, true), "rep -> plan");
    const struct cs_deals *d = &ds->deals;
    for (size_t i = 0; i < d->n; i++) {
        FUZZ_CHECK(fzd_ref_ok(d->rep[i], ds->reps.n, false), "deal -> rep");
        FUZZ_CHECK(d->stage[i] <= CS_STAGE_OPEN && d->type[i] <= CS_TYPE_RENEWAL, "deal enums");
        if (d->stage[i] != CS_STAGE_OPEN)
            FUZZ_CHECK(d->close[i] != CS_NO_DATE, "a won or lost deal without a close date");
        FUZZ_CHECK(isnan(d->amount[i]) || (d->amount[i] >= 0 && isfinite(d->amount[i])),
                   "a deal amount that is negative or infinite");
        if (d->stage[i] == CS_STAGE_WON) {
            FUZZ_CHECK(d->amount[i] > 0 && isfinite(d->amount[i]), "a won deal without amount > 0");
            FUZZ_CHECK(ds->reps.plan[d->rep[i]] != CS_NONE, "a won deal of a rep without a plan");
        }
        if (!isnan(d->discount_pct[i]))
            FUZZ_CHECK(d->discount_pct[i] >= 0 && d->discount_pct[i] <= 100, "discount_pct range");
    }
    for (size_t i = 0; i < ds->commissions.n; i++)
        FUZZ_CHECK(isfinite(ds->commissions.commission[i]), "a commission that is not finite");
    const struct cs_rates *r = &ds->rates;
    for (size_t i = 0; i < r->n; i++) {
        FUZZ_CHECK(r->rate[i] > 0 && isfinite(r->rate[i]), "a rate that is not > 0");
        FUZZ_CHECK(r->currency[i] >= 1 && r->currency[i] <= 26 * 26 * 26, "a rate's currency");
        FUZZ_CHECK((r->start[i] == CS_NO_DATE) == (r->next[i] == CS_NO_DATE),
                   "a rate with one date");
        FUZZ_CHECK(r->start[i] == CS_NO_DATE || r->start[i] < r->next[i], "a rate ending first");
        for (size_t j = 0; j < i; j++)
            if (r->currency[j] == r->currency[i])
                FUZZ_CHECK(r->start[i] == CS_NO_DATE ? r->start[j] != CS_NO_DATE
                           : r->start[j] == CS_NO_DATE || r->next[j] <= r->start[i] ||
                             r->next[i] <= r->start[j],
                           "two rates of a currency overlap");
    }
    FUZZ_CHECK(strlen(ds->currency) == 0 || strlen(ds->currency) == 3, "the corporate currency");
    for (size_t i = 0; i < ds->quotas.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->quotas.rep[i], ds->reps.n, false), "quota -> rep");
    for (size_t i = 0; i < ds->commissions.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->commissions.rep[i], ds->reps.n, false) &&
                   fzd_ref_ok(ds->commissions.deal[i], d->n, false), "commission -> rep, deal");
    for (size_t i = 0; i < ds->promises.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->promises.deal[i], d->n, false) &&
                   fzd_ref_ok(ds->promises.feature[i], ds->roadmap.n, true), "promise -> deal, feature");
    for (size_t i = 0; i < ds->collateral.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->collateral.owner[i], ds->reps.n, false), "asset -> owner");
    for (size_t i = 0; i < ds->claims.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->claims.asset[i], ds->collateral.n, false) &&
                   fzd_ref_ok(ds->claims.feature[i], ds->roadmap.n, true), "claim -> asset, feature");
    for (size_t i = 0; i < ds->targets.n; i++)
        FUZZ_CHECK(fzd_ref_ok(ds->targets.owner[i], ds->reps.n, false), "target -> owner");
    for (size_t i = 0; i < ds->spiffs.n; i++)
        FUZZ_CHECK(ds->spiffs.start[i] != CS_NO_DATE && ds->spiffs.end[i] != CS_NO_DATE, "spiff dates");
}

/* The tags report.html may contain: what src/report/doc.c writes.  Any other tag
 * would have come from the data. */
static void fzd_check_html(const char *h, size_t n)
{
    static const char *const tags[] = {
        "a", "body", "br", "caption", "code", "div", "em", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "head", "html", "img", "li", "meta", "nav", "ol", "p", "small",
        "span", "strong", "style", "sup", "sub", "table", "tbody", "td", "th", "thead", "title",
        "tr", "ul", "section", "header", "footer", "main", "details", "summary",
    };
    for (size_t i = 0; i < n; i++) {
        if (h[i] != '<')
            continue;
        size_t j = i + 1;
        if (j < n && (h[j] == '/' || h[j] == '!'))
            j++;
        size_t k = j;
        while (k < n && ((h[k] >= 'a' && h[k] <= 'z') || (h[k] >= 'A' && h[k] <= 'Z') ||
                         (h[k] >= '0' && h[k] <= '9')))
            k++;
        if (h[i + 1] == '!')
            continue;            /* <!DOCTYPE html> */
        bool known = false;
        for (size_t t = 0; !known && t < sizeof tags / sizeof tags[0]; t++)
            known = strlen(tags[t]) == k - j && strncmp(tags[t], h + j, k - j) == 0;
        FUZZ_CHECK(known, "report.html holds a tag compsight does not write (HTML injection)");
    }
    /* A javascript: URL is harmful as an attribute's value (an href); as
     * text (a file name the report quotes, escaped) it is only text.  Text
     * cannot hold a raw quote (escaped as &quot;), so one before it marks
     * an attribute. */
    for (const char *p = h; (p = memmem(p, n - (size_t)(p - h), "javascript:", 11)) != NULL; p++)
        FUZZ_CHECK(p == h || (p[-1] != '"' && p[-1] != '\'' && p[-1] != '='),
                   "report.html holds a javascript: attribute");
}

static void fzd_pipeline(const struct cs_dataset *ds, int fiscal_start, bool full)
{
    struct cs_calendar cal;
    struct cs_error err;
    struct cs_incentives *inc = NULL;
    struct cs_outcomes *oc = NULL;
    struct cs_reconciliation *rec = NULL;
    struct cs_analysis *an = NULL;
    struct cs_doc *doc = NULL;
    json_t *root = NULL;
    if (cs_calendar_init(&cal, fiscal_start, &err) != CS_OK)
        FUZZ_FAIL("cs_calendar_init refused a month 1..12");
    enum cs_status st = cs_incentives_compute(ds, &ds->plans, &cal, &inc, &err);
    if (st != CS_OK) {
        FUZZ_CHECK(inc == NULL && fuzz_error_printable(err.msg), "incentives error");
        /* the importer checks everything the incentive maths needs */
        FUZZ_CHECK(st == CS_ERR_NOMEM, "cs_incentives_compute failed on an imported data set");
        goto out;
    }
    for (size_t i = 0; i < ds->deals.n; i++) {
        if (!inc->won[i])
            continue;
        FUZZ_CHECK(!isnan(inc->commission[i]) && !isnan(inc->marginal_rate[i]),
                   "a won deal without commission or marginal rate");
        double q = inc->rp.quota[inc->rep_period[i]];
        FUZZ_CHECK(inc->attainment_before[i] + ds->deals.amount[i] / q >= inc->attainment_before[i],
                   "attainment goes down after a won deal");
    }
    if ((st = cs_outcomes_compute(ds, &cal, &oc, &err)) != CS_OK)
        goto out;
    if (ds->counts[CS_T_COMMISSIONS].present &&
        (st = cs_incentives_reconcile(ds, inc, &rec, &err)) != CS_OK)
        goto out;
    static const char *const periods[] = {NULL, "all"};
    for (size_t k = 0; k < 2; k++) {
        struct cs_selection sel;
        if (cs_select_period(periods[k], ds, &cal, &sel, &err) != CS_OK) {
            FUZZ_CHECK(fuzz_error_printable(err.msg), "select error message");
            continue;
        }
        char *buf;
        size_t len;
        FILE *f = fuzz_memstream(&buf, &len);
        static const struct cs_key key = {{1, 2, 3}};
        cs_deals_csv_write(f, ds, &cal, inc, oc, &sel, k == 0 ? NULL : &key, NULL);
        fclose(f);
        FUZZ_CHECK(fuzz_utf8_valid(buf, len), "deals.csv is not valid UTF-8");
        free(buf);
        if (!full || k == 1)
            continue;
        if (cs_analysis_run(&(struct cs_measured){ds, &cal, inc, oc, &sel}, 1, &an, &err) != CS_OK)
            continue;
        root = cs_results_json(ds, &cal, an, rec);
        FUZZ_CHECK(root != NULL, "cs_results_json failed");
        char *js = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        FUZZ_CHECK(js != NULL, "results.json does not dump (invalid UTF-8 or NaN inside?)");
        json_error_t jerr;
        json_t *back = json_loads(js, 0, &jerr);
        FUZZ_CHECK(back != NULL, "results.json is not valid JSON");
        json_decref(back);
        free(js);
        struct cs_report_input in = {
            .ds = ds, .cal = &cal, .inc = inc, .oc = oc, .an = an, .rec = rec,
            .data_name = "fuzz<data>&'\"", .date = "2026-01-01", .plots = NULL, .plots_note = "",
            .proposal_href = NULL, .index_href = NULL, .private_written = false,
        };
        if (cs_report_build(&in, &doc, &err) == CS_OK) {
            f = fuzz_memstream(&buf, &len);
            cs_doc_markdown(doc, f);
            fclose(f);
            FUZZ_CHECK(fuzz_utf8_valid(buf, len), "report.md is not valid UTF-8");
            free(buf);
            f = fuzz_memstream(&buf, &len);
            cs_doc_html(doc, f, fzd_dir, NULL);
            fclose(f);
            FUZZ_CHECK(fuzz_utf8_valid(buf, len), "report.html is not valid UTF-8");
            fzd_check_html(buf, len);
            free(buf);
        }
    }
out:
    cs_doc_free(doc);
    json_decref(root);
    cs_analysis_free(an);
    cs_recon_free(rec);
    cs_outcomes_free(oc);
    cs_incentives_free(inc);
}

int cs_fuzz_dataset(const uint8_t *data, size_t size)
{
    static const size_t chunks[8] = {1, 2, 3, 5, 7, 16, 64, 4096};
    if (size < 2)
        return 0;
    fzd_datadir();
    fzd_clear();
    unsigned o = data[0];
    int fiscal_start = 1 + data[1] % 12;
    const char *p = (const char *)data + 2, *end = (const char *)data + size;

    /* cut the segments */
    const char *seg[CS_T_COUNT + 1] = {""};
    size_t seg_len[CS_T_COUNT + 1] = {0};
    size_t nseg = 0;
    while (p < end && nseg < CS_T_COUNT + 1) {
        const char *q = memchr(p, FZD_SEP, (size_t)(end - p));
        seg[nseg] = p;
        seg_len[nseg] = q ? (size_t)(q - p) : (size_t)(end - p);
        nseg++;
        if (!q)
            break;
        p = q + 1;
    }
    size_t first = 0;
    struct cs_map *map = NULL;
    struct cs_error err;
    if (o & 8) {
        first = 1;
        if (cs_map_load_mem(nseg ? seg[0] : "", nseg ? seg_len[0] : 0, "fuzz.ini", &map, &err) != CS_OK)
            return 0;                    /* bad maps are fuzz_mapfile's business */
    }
    for (int i = 0; i < CS_T_COUNT; i++) {
        enum cs_table t = fzd_order[i];
        const char *file = cs_map_file(map, t);
        if (!file)
            file = cs_schema_table(t)->file;
        size_t k = first + (size_t)i;
        if (k < nseg)
            fzd_write(file, seg[k], seg_len[k]);
        else if (fzd_defaults[t])
            fzd_write(file, fzd_defaults[t], strlen(fzd_defaults[t]));
    }

    struct cs_load_options lo = {
        .dir = fzd_dir, .map = map, .date_format = (enum cs_date_format)((o & 3) == 3 ? 0 : o & 3),
        .decimal_comma = (o & 4) != 0, .chunk_size = 65536, .progress = fzd_progress,
        .currency = data[1] & 0x80 ? "EUR" : NULL,
    };
    struct cs_dataset *ds = (struct cs_dataset *)1, *ds2 = (struct cs_dataset *)1;
    struct cs_error err2;
    enum cs_status st = cs_dataset_load(&lo, &ds, &err);
    /* the second load: another chunk size, and the two-thread reader with
     * small batches, planning ahead (pool reserved, memory faulted in by
     * the reader) half of the time */
    lo.chunk_size = chunks[(o >> 5) & 7];
    lo.progress = NULL;
    struct cs_load_tuning tune = {
        .thread_min_size = 1, .batch_rows = 1 + data[1] % 5,
        .batch_text = 1 + (size_t)(data[1] >> 3) * 8, .plan_min_size = data[1] & 4 ? 1 : 0,
    };
    enum cs_status st2 = cs_dataset_load_tuned(&lo, &tune, &ds2, &err2);

    struct fuzz_buf a = {0}, b = {0};
    if (st != CS_OK) {
        FUZZ_CHECK(ds == NULL, "a failed load left *out set");
        FUZZ_CHECK(st == CS_ERR_INPUT || st == CS_ERR_NOMEM || (st == CS_ERR_USAGE && lo.currency),
                   "a load failed with an odd status");
        FUZZ_CHECK(err.msg[0] && fuzz_error_printable(err.msg), "load error message");
        FUZZ_CHECK(err.file[0] != '\0' || st == CS_ERR_USAGE, "a load error that names no file");
    }
    fzd_digest(st, &err, st == CS_OK ? ds : NULL, &a);
    fzd_digest(st2, &err2, st2 == CS_OK ? ds2 : NULL, &b);
    if (getenv("CS_FUZZ_VERBOSE"))       /* what a seed exercises */
        fprintf(stderr, "%.*s", (int)(a.n < 2000 ? a.n : 2000), a.s);
    FUZZ_CHECK(a.n == b.n && memcmp(a.s, b.s, a.n) == 0,
               "two loads of the same files differ (chunk size, reader thread)");
    fuzz_buf_free(&a);
    fuzz_buf_free(&b);
    if (st2 == CS_OK)
        cs_dataset_free(ds2);
    if (st == CS_OK) {
        fzd_check_dataset(ds);
        fzd_pipeline(ds, fiscal_start, (o & 16) != 0);
        cs_dataset_free(ds);
    }
    cs_map_free(map);
    return 0;
}

#ifndef CS_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return cs_fuzz_dataset(data, size);
}
#endif
