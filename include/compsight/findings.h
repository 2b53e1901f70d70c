/* findings.h - one verdict per finding, computed once after the analysis: what every document, plot and results.json read. */
#ifndef COMPSIGHT_FINDINGS_H
#define COMPSIGHT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compsight/analysis.h"
#include "compsight/status.h"
#include "compsight/verdict.h"

/*
 * A finding is anything a report states an effect for: each non-intercept
 * term of each model (the within-rep models and the push-out model of
 * SPEC 14 included), each bunching estimate at a plan's floor, and the
 * timing test.  A term estimated both across reps and within reps is one
 * finding with two estimates: both are tested in the family, and the one
 * that leads (cs_findings_lead) gives its verdict.  cs_analysis_run builds the findings last (an->findings),
 * once every model, bunching estimate and the timing test is computed;
 * the report, the plots, results.json and the proposal only read them.
 * The rule is verdict.h's.  Placebo bunching points get a reading too
 * (kind CS_FINDING_PLACEBO, at the family's level) but are never in the
 * family and never a finding of the report.
 */

enum cs_finding_kind {
    CS_FINDING_TERM = 0,     /* a term of a model */
    CS_FINDING_BUNCHING,     /* excess mass at a plan's tier floor */
    CS_FINDING_PLACEBO,      /* the same at the placebo point below it: a check, not a finding */
    CS_FINDING_TIMING        /* closes over the weeks of the period (chi-square) */
};

struct cs_finding {
    enum cs_finding_kind kind;
    enum cs_model_id model;  /* TERM: its model */
    const char *term;        /* TERM: the term's name as in results.json (borrowed from the
                                analysis's fit); NULL otherwise */
    size_t bunch;            /* BUNCHING, PLACEBO: its index in an->bunch */
    uint32_t plan;           /* BUNCHING, PLACEBO: plan index */
    double floor;            /* BUNCHING, PLACEBO: the tier floor (not the placebo point) */
    enum cs_verdict verdict;
    int direction;           /* sign of the estimate: +1, -1, 0 (0 also when not finite) */
    double estimate;         /* TERM: coefficient (log odds for a logistic model);
                                BUNCHING, PLACEBO: excess mass B in rep-periods;
                                TIMING: last-14-days share of bookings minus the even-pace share */
    double se;               /* TERM: cluster-robust SE; BUNCHING: bootstrap SE of B; TIMING: NAN */
    double stat;             /* z (or t) = estimate / se; TIMING: chi-square */
    double p;                /* by the rule: t(df) or normal; TIMING: chi-square p */
    double q;                /* Benjamini-Hochberg q over the family; NAN when not in it */
    double df;               /* TERM: t degrees of freedom, 0 = normal; else 0 */
    double level;            /* level of the printed interval (the family's); NAN when none */
    double low, high;        /* the printed interval, on the estimate's scale (exp() them for
                                an odds ratio); NAN for TIMING and when not readable */
    size_t n;                /* TERM: rows of the fit; BUNCHING: rep-periods binned;
                                TIMING: deals */
    size_t clusters;         /* TERM: clusters of its model (promise_risk_within: the reps
                                with both risky and other deals); TIMING: reps;
                                BUNCHING: 0 */
    bool in_family;          /* tested with the others (readable, finite p, not a placebo) */
    bool few_clusters;       /* rests on 10..29 clusters: say the reps are few */
    size_t pair;             /* TERM of a within-rep model or of its across-rep model: the
                                index in items of the same term in the other; else SIZE_MAX */
    bool leads;              /* this finding's verdict is the one the report states for its
                                term: a within-rep estimate that can be read leads, and the
                                across-rep one beside it does not; every unpaired finding
                                leads */
};

/* A model as a whole: whether it can be read, and what it would need. */
struct cs_model_rule {
    bool fitted;             /* a fit with estimates exists (Firth's when it separated) */
    bool logistic;
    size_t n, clusters;      /* rows and clusters of the fit, fitted or not (0: no fit run) */
    size_t k;                /* non-intercept terms kept */
    size_t events;           /* logistic: rows with y = 1 (among event_rows) */
    size_t event_rows;       /* logistic: the rows the rule weighs: n, or for the within-rep
                                logit the deals of the reps with both outcomes */
    size_t rarer;            /* logistic: rows of the rarer outcome,
                                min(events, event_rows - events) */
    struct cs_data_rule rule;   /* rule.readable is false when !fitted */
};

struct cs_findings {
    struct cs_finding *items;    /* every term of every fitted model (in model, then term
                                    order), then bunching and placebos (an->bunch order),
                                    then the timing test when there is one */
    size_t n;
    size_t bunch_first, n_bunch; /* where the bunching items are: items[bunch_first + i] is
                                    an->bunch[i]'s (sorted by plan, floor, placebo) */
    struct cs_model_rule model[CS_MODEL_COUNT];
    size_t timing_reps;          /* reps the timing test rests on (selected won deals') */
    struct cs_family family;     /* m, R, q and the printed intervals' level */
};

/*
 * The findings of an analysis whose models, bunching and timing are
 * computed; timing_reps = distinct reps of the selected won deals (the
 * timing test needs CS_VERDICT_MIN_CLUSTERS).  Term names are borrowed
 * from an's fits: the findings must not outlive an.  On success *out is
 * new, owned by the caller (cs_findings_free; cs_analysis_run stores it in
 * an->findings, which cs_analysis_free frees).  Errors: CS_ERR_NOMEM,
 * *out left NULL.
 */
enum cs_status cs_findings_compute(const struct cs_analysis *an, size_t timing_reps,
                                   struct cs_findings **out, struct cs_error *err);

void cs_findings_free(struct cs_findings *f);   /* accepts NULL */

/* Look-ups; every returned pointer is borrowed from f.  NULL when f is
 * NULL or there is no such finding. */

/* Term `term` of model m. */
const struct cs_finding *cs_findings_term(const struct cs_findings *f, enum cs_model_id m,
                                          const char *term);

/* The bunching estimate of plan `plan` at its floor `floor` (placebo:
 * the placebo point below that floor). */
const struct cs_finding *cs_findings_bunching(const struct cs_findings *f, uint32_t plan,
                                              double floor, bool placebo);

/* The timing test. */
const struct cs_finding *cs_findings_timing(const struct cs_findings *f);

/* Model m as a whole (never NULL when f is not NULL). */
const struct cs_model_rule *cs_findings_model(const struct cs_findings *f, enum cs_model_id m);

/*
 * The finding that states term `term`'s verdict for across-rep model m
 * (SPEC 14.1, docs/ARCHITECTURE.md): the within-rep model's estimate of
 * the term when it can be read (verdict not too little data), else model
 * m's own.  For any other model, or a within-rep model, the term itself.
 */
const struct cs_finding *cs_findings_lead(const struct cs_findings *f, enum cs_model_id m,
                                          const char *term);

/* The other estimate of the same term: the across-rep one beside a
 * within-rep finding, or the within-rep one beside an across-rep finding;
 * NULL when the term has no such pair. */
const struct cs_finding *cs_findings_beside(const struct cs_findings *f,
                                            const struct cs_finding *x);

/* The clear leading finding (cs_findings_lead) of across-rep model m or
 * its within-rep model with the largest |stat| among those of direction
 * dir (+1, -1, or 0 for either), or NULL when none is clear. */
const struct cs_finding *cs_findings_strongest(const struct cs_findings *f, enum cs_model_id m,
                                               int dir);

#endif
