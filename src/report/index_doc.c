/* index_doc.c - the index of a --period each run: the trend over every quarter and a link to each quarter's report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "compsight/doc.h"
#include "compsight/output.h"
#include "compsight/planchange.h"
#include "compsight/plot.h"
#include "compsight/report.h"
#include "wording.h"

/* The trend plot, when gnuplot can draw it; a plot that cannot be drawn
 * costs the index its picture, not the index. */
static void index_plot(struct cs_doc *doc, const char *out, const struct cs_plot_trend *tr,
                       struct cs_error *err)
{
    char pdir[4096], *script = NULL;
    size_t len = 0;
    snprintf(pdir, sizeof pdir, "%s/plots", out);
    if (!cs_plot_gnuplot_available(NULL, 0) || cs_mkdir_p(pdir, 0777, err) != CS_OK)
        return;
    FILE *f = open_memstream(&script, &len);
    if (!f)
        return;
    cs_plot_trend_script(f, tr, "trend");
    fclose(f);
    struct cs_error perr;
    if (script && cs_plot_run(pdir, "trend", script, len, &perr) == CS_OK)
        cs_doc_image(doc, "plots/trend.png", "Key rates by quarter",
                     tr->risk
                         ? "Share of won deals with a risky promise and share of bookings in "
                           "the last two weeks, by fiscal quarter."
                         : "Share of bookings in the last two weeks, by fiscal quarter.");
    free(script);
}

/* The table of quarters: won deals, the risky share (when there is
 * promise data) and the share of bookings in the last two weeks. */
static void index_table(struct cs_doc *doc, const struct cs_plot_trend *tr)
{
    bool promises = tr->risk;
    static const char *const with[] = {"quarter", "won deals", "with a risky promise",
                                       "bookings in the last 14 days"};
    static const char *const without[] = {"quarter", "won deals", "bookings in the last 14 days"};
    static const bool num[] = {false, true, true, true};
    cs_doc_table(doc, promises ? 4 : 3, promises ? with : without, num);
    for (size_t i = 0; i < tr->n; i++) {
        char q[16], w[32], r[32], l[32];
        cs_format_period(tr->q[i].quarter, q);
        cs_fmt_count(w, sizeof w, tr->q[i].won);
        cs_words_pct(r, sizeof r, tr->q[i].w.rate);
        cs_words_pct(l, sizeof l, tr->q[i].last14_share);
        const char *cells4[] = {q, w, r, l};
        const char *cells3[] = {q, w, l};
        cs_doc_row(doc, promises ? cells4 : cells3);
    }
    if (!promises) {
        cs_doc_para(doc);
        cs_doc_text(doc, "There is no promise data (no roadmap.csv and promises.csv), so the "
                         "quarters show no risky-promise rate.");
    }
}

/* The plan changes of the data (SPEC 14.3), each with its reading over
 * all the data and a link to the report of the quarter it happened in
 * (each quarterly report from then on carries it). */
static void index_changes(struct cs_doc *doc, const struct cs_measured *m,
                          const struct cs_analysis *an)
{
    const struct cs_plan_changes *pcs = an->plan_changes;
    if (!an->promise_data)
        return;
    cs_doc_heading(doc, 1, "Plan changes");
    cs_doc_para(doc);
    if (!cs_planchange_last(pcs)) {
        cs_doc_text(doc, "No plan change was found in the data (at least %d reps moving from one "
                         "plan to the same new plan within %d days).", CS_PC_MIN_MOVERS, CS_PC_DAYS);
        return;
    }
    cs_doc_text(doc, "Each quarter's report from the change on says whether it worked, with the "
                     "data up to that quarter; over all the data:");
    for (size_t i = 0; i < pcs->n; i++) {
        const struct cs_plan_change *c = &pcs->items[i];
        char t[512], q[16], href[48];
        if (!c->run)
            continue;
        cs_format_period(c->quarter, q);
        snprintf(href, sizeof href, "%s/report.html", q);
        cs_doc_bullet(doc);
        cs_doc_text(doc, "%s (", cs_words_plan_change_title(t, sizeof t, m->ds, c));
        cs_doc_link(doc, q, href);
        cs_doc_text(doc, ").");
    }
}

enum cs_status cs_report_index_write(const char *out, const struct cs_measured *m,
                                     const struct cs_analysis *an, const char *data_name,
                                     struct cs_error *err)
{
    struct cs_plot_trend tr = {0};
    struct cs_doc *doc = NULL;
    char title[512], date[16];
    enum cs_status st = cs_plot_trend_aggregate(m, an, &tr, err);
    if (st != CS_OK)
        goto out;
    snprintf(title, sizeof title, "Reports by quarter: %s", data_name);
    cs_report_date(date, sizeof date);
    if (!(doc = cs_doc_new(title))) {
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    cs_doc_para(doc);
    cs_doc_text(doc, "Generated %s by compsight. One report per fiscal quarter with won deals; "
                     "shared reports name teams and plans only.", date);
    index_plot(doc, out, &tr, err);
    index_table(doc, &tr);
    index_changes(doc, m, an);
    cs_doc_heading(doc, 1, "Quarters");
    for (size_t i = 0; i < tr.n; i++) {
        if (!tr.q[i].won)
            continue;
        char q[16], href[48];
        cs_format_period(tr.q[i].quarter, q);
        snprintf(href, sizeof href, "%s/report.html", q);
        cs_doc_bullet(doc);
        cs_doc_link(doc, q, href);
    }
    if (cs_doc_failed(doc))
        st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    else
        st = cs_doc_write(doc, out, "index", err);
out:
    cs_doc_free(doc);
    cs_plot_trend_free(&tr);
    return st;
}
