/* collateral.c - marketing: each marketer's targets, collateral assets and the claims they make. */
#include <gsl/gsl_randist.h>

#include "gen.h"

/* ===================================================================== */
/* Marketing: targets, collateral, claims                                */
/* ===================================================================== */

static void write_claim(struct gen *g, const char *asset, const char *feature, bool available,
                        const char *what)
{
    char text[200];
    snprintf(text, sizeof text, "%s %s", what, available ? "is available today" : "is coming soon");
    row_begin(&g->row);
    row_str(&g->row, asset);
    row_str(&g->row, feature);
    row_str(&g->row, available ? "available" : "coming_soon");
    row_str(&g->row, text);
    row_end(g, F_CLAIMS);
}

/* A claim that SPEC 6 calls accurate for an asset published on day pub. */
static void accurate_claim(struct gen *g, const char *asset, int32_t pub)
{
    gsl_rng *r = g->mkt_rng;
    char fid[16];
    if (unif(r) < 0.65) {
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++)
            if (features[i].status == RM_SHIPPED && feature_date(g, features[i].shipped) <= pub)
                idx[n++] = i;
        int f = idx[unif_int(r, n)];                 /* 7 shipped before the window */
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, true, features[f].title);
    } else {
        int f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, false, features[f].title);
    }
}

static void misstated_claim(struct gen *g, const char *asset, int32_t pub)
{
    gsl_rng *r = g->mkt_rng;
    char fid[16];
    double u = unif(r);
    if (u >= 0.40 && u < 0.60) {
        /* "available" before the ship date. */
        int idx[N_FEATURES], n = 0;
        for (int i = 0; i < N_FEATURES; i++)
            if (features[i].status == RM_SHIPPED && feature_date(g, features[i].shipped) > pub)
                idx[n++] = i;
        if (n > 0) {
            int f = idx[unif_int(r, n)];
            feature_id(f, fid, sizeof fid);
            write_claim(g, asset, fid, true, features[f].title);
            return;
        }
        u = 0.0;
    }
    if (u < 0.40) {
        int f = pick_feature(r, RM_COMMITTED, RM_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, true, features[f].title);
    } else if (u < 0.85) {
        int f = pick_feature(r, RM_EXPLORING, RM_NOT_PLANNED);
        feature_id(f, fid, sizeof fid);
        write_claim(g, asset, fid, false, features[f].title);
    } else {
        /* the ask first, then whether it is claimed available: gcc's order
         * of the two draws when they were arguments of one call */
        const char *ask = asks[pick_cdf(r, g->ask_cdf, N_ASKS)];
        write_claim(g, asset, "", unif(r) < 0.7, ask);
    }
}

void simulate_marketing(struct gen *g)
{
    gsl_rng *r = g->mkt_rng;
    char rid[32], label[16], aid[32], title[200], campaign[64], acct[96], bad[128];
    bool dirty_target = false, dirty_claim = false;
    for (size_t i = 0; i < g->n_reps && !g->write_status; i++) {
        const struct rep *p = &g->reps[i];
        if (p->kind != K_MARKETER)
            continue;
        rep_id(g, i, rid, sizeof rid);
        double base = round3(150000.0 + 250000.0 * unif(r));
        double mu_gap = 0.05 + gsl_ran_gaussian(r, 0.08);
        for (int q = 0; q < N_QUARTERS; q++) {
            quarter_label(q, label, sizeof label);
            double gap = mu_gap + gsl_ran_gaussian(r, 0.18);
            gap = gap < -0.4 ? -0.4 : gap > 0.85 ? 0.85 : gap;
            double target = round3(base * (1.0 + 0.02 * q));
            double actual = round(target * (1.0 - gap));
            bool has_target = unif(r) >= 0.04;
            if (has_target) {
                gap = 1.0 - actual / target;         /* as the analysis will see it */
                row_begin(&g->row);
                row_str(&g->row, rid);
                row_str(&g->row, label);
                row_money(&g->row, llround(target * 100.0));
                row_money(&g->row, llround(actual * 100.0));
                row_end(g, F_TARGETS);
            } else {
                gap = mu_gap;                        /* no row: the person's usual gap */
            }
            if (g->opt->dirty && !dirty_target && q == N_QUARTERS - 1) {
                snprintf(bad, sizeof bad, "%s,%dQ4,0,12000", rid, FIRST_FY - 1);
                raw_line(g, F_TARGETS, bad);
                dirty_target = true;
            }

            int32_t qs = g->qstart[q], qe = g->qstart[q + 1] - 1;
            unsigned n_assets = gsl_ran_poisson(r, ASSETS_PER_Q);
            for (unsigned k = 0; k < n_assets; k++) {
                int32_t pub = qs + unif_int(r, qe - qs + 1);
                bool l14 = qe - pub < EOQ_DAYS;
                double pm = g->effects ? logistic(MIS_B0 + MIS_B_GAP * gap + MIS_B_L14 * l14)
                                       : MIS_NULL_P;
                bool mis = unif(r) < pm;
                fmt_id(aid, 'A', ++g->next_asset, g->asset_w);
                if (unif(r) < 0.15) {
                    account_name((uint32_t)unif_int(r, 9600), acct, sizeof acct);
                    snprintf(title, sizeof title, "Customer story: %s", acct);
                } else {
                    int t = unif_int(r, (int32_t)N_ASSET_TEMPLATES);
                    snprintf(title, sizeof title, "%s%s%s", asset_templates[t][0],
                             products[unif_int(r, N_PRODUCTS)].name, asset_templates[t][1]);
                }
                snprintf(campaign, sizeof campaign, "%s %s", label,
                         campaign_themes[unif_int(r, (int32_t)N_THEMES)]);
                row_begin(&g->row);
                row_str(&g->row, aid);
                row_str(&g->row, title);
                row_str(&g->row, rid);
                row_str(&g->row, campaign);
                row_date(&g->row, pub);
                row_end(g, F_COLLATERAL);

                /* 1-3 claims; a misstated asset has exactly one bad claim. */
                int n_claims = 1 + (int)gsl_ran_binomial(r, 0.5, 2);
                int mis_at = mis ? unif_int(r, n_claims) : -1;
                for (int c = 0; c < n_claims; c++) {
                    if (c == mis_at)
                        misstated_claim(g, aid, pub);
                    else
                        accurate_claim(g, aid, pub);
                }
                if (g->opt->dirty && !dirty_claim) {
                    snprintf(bad, sizeof bad, "%s,FR-101,maybe,SSO is sort of available", aid);
                    raw_line(g, F_CLAIMS, bad);
                    dirty_claim = true;
                }
            }
        }
    }
}
