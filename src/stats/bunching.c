/* bunching.c - binned final attainments, polynomial counterfactual, excess mass and its residual bootstrap. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "compsight/bunching.h"

#define NFIT (CS_BUNCH_BINS - (CS_BUNCH_WIN_LAST - CS_BUNCH_WIN_FIRST + 1))   /* 34 */
#define NPAR (CS_BUNCH_DEGREE + 1)
#define NWIN (CS_BUNCH_WIN_LAST - CS_BUNCH_WIN_FIRST + 1)                  /* 6 */

const char *cs_bunching_verdict_text(enum cs_bunch_verdict verdict)
{
    switch (verdict) {
    case CS_BUNCH_OK:
        return "ok";
    case CS_BUNCH_TOO_FEW:
        return "too few rep-periods near the threshold to estimate bunching";
    case CS_BUNCH_SPARSE:
        return "too few non-empty bins outside the window to fit a counterfactual";
    }
    return "unknown verdict";
}

static bool in_window(int j)
{
    return j >= CS_BUNCH_WIN_FIRST && j <= CS_BUNCH_WIN_LAST;
}

/* Scaled regressor of bin j: (centre - f) / 0.40 = (j + 0.5 - 20) / 20. */
static double bin_u(int j)
{
    return ((double)j + 0.5 - (double)CS_BUNCH_THRESHOLD_BIN) / (double)CS_BUNCH_THRESHOLD_BIN;
}

/* The least-squares machinery, fixed for every call: QR of the 34 x 6
 * design, and the 40 x 6 design to evaluate the polynomial at every bin. */
struct fitter {
    gsl_matrix *qr;
    gsl_vector *tau, *y, *c, *res;
    gsl_matrix *all;
};

static void fitter_free(struct fitter *ft)
{
    gsl_matrix_free(ft->qr);
    gsl_vector_free(ft->tau);
    gsl_vector_free(ft->y);
    gsl_vector_free(ft->c);
    gsl_vector_free(ft->res);
    gsl_matrix_free(ft->all);
}

static enum cs_status fitter_init(struct fitter *ft, struct cs_error *err)
{
    ft->qr = gsl_matrix_alloc(NFIT, NPAR);
    ft->tau = gsl_vector_alloc(NPAR);
    ft->y = gsl_vector_alloc(NFIT);
    ft->c = gsl_vector_alloc(NPAR);
    ft->res = gsl_vector_alloc(NFIT);
    ft->all = gsl_matrix_alloc(CS_BUNCH_BINS, NPAR);
    if (!ft->qr || !ft->tau || !ft->y || !ft->c || !ft->res || !ft->all)
        return cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "bunching: fit workspace");
    for (int j = 0, r = 0; j < CS_BUNCH_BINS; j++) {
        double u = bin_u(j), p = 1.0;
        for (int k = 0; k < NPAR; k++, p *= u) {
            gsl_matrix_set(ft->all, (size_t)j, (size_t)k, p);
            if (!in_window(j))
                gsl_matrix_set(ft->qr, (size_t)r, (size_t)k, p);
        }
        if (!in_window(j))
            r++;
    }
    int gs = gsl_linalg_QR_decomp(ft->qr, ft->tau);
    if (gs != GSL_SUCCESS)
        return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                            "bunching: QR of the design failed: %s", gsl_strerror(gs));
    return CS_OK;
}

/* Fit the polynomial to y[j] over the bins outside the window; fit[0..40). */
static enum cs_status fitter_fit(struct fitter *ft, const double *y, double *fit,
                                 struct cs_error *err)
{
    for (int j = 0, r = 0; j < CS_BUNCH_BINS; j++)
        if (!in_window(j))
            gsl_vector_set(ft->y, (size_t)r++, y[j]);
    int gs = gsl_linalg_QR_lssolve(ft->qr, ft->tau, ft->y, ft->c, ft->res);
    if (gs != GSL_SUCCESS)
        return cs_error_set(err, CS_ERR_INTERNAL, NULL, 0, NULL,
                            "bunching: least squares failed: %s", gsl_strerror(gs));
    for (int j = 0; j < CS_BUNCH_BINS; j++) {
        double s = 0.0;
        for (int k = NPAR; k-- > 0;)
            s += gsl_matrix_get(ft->all, (size_t)j, (size_t)k) * gsl_vector_get(ft->c, (size_t)k);
        fit[j] = s;
    }
    return CS_OK;
}

/* B, M and the window fit mean of counts y against fit. */
static void masses(const double *y, const double *fit, double *B, double *M, double *wmean)
{
    double b = 0.0, m = 0.0, w = 0.0;
    for (int j = CS_BUNCH_WIN_FIRST; j <= CS_BUNCH_WIN_LAST; j++) {
        if (j >= CS_BUNCH_THRESHOLD_BIN)
            b += y[j] - fit[j];
        else
            m += fit[j] - y[j];
        w += fit[j];
    }
    *B = b;
    *M = m;
    *wmean = w / NWIN;
}

/* Sample standard deviation (divisor k - 1) of v[0..k); NAN when k < 2. */
static double sample_sd(const double *v, size_t k)
{
    if (k < 2)
        return NAN;
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < k; i++)
        mean += v[i];
    mean /= (double)k;
    for (size_t i = 0; i < k; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    return sqrt(ss / (double)(k - 1));
}

enum cs_status cs_bunching_estimate(const double *a, size_t n, double f, uint64_t seed,
                                    size_t draws, struct cs_bunching *out,
                                    struct cs_error *err)
{
    enum cs_status st = CS_OK;
    struct fitter ft = {0};
    gsl_rng *rng = NULL;
    double *dB = NULL, *dM = NULL, *db = NULL;

    if (!out || (n > 0 && !a))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL, "cs_bunching_estimate: NULL argument");
    if (!isfinite(f))
        return cs_error_set(err, CS_ERR_USAGE, NULL, 0, NULL,
                            "cs_bunching_estimate: threshold is not finite");

    struct cs_bunching *o = out;
    *o = (struct cs_bunching){0};
    o->threshold = f;
    o->n_total = n;
    o->window_fit_mean = o->excess_mass = o->missing_mass = o->b = NAN;
    o->excess_mass_se = o->missing_mass_se = o->b_se = o->z = o->p = NAN;
    const double lo = f - CS_BUNCH_HALF_RANGE;
    for (int j = 0; j < CS_BUNCH_BINS; j++) {
        o->bins[j].left = lo + j * CS_BUNCH_WIDTH;
        o->bins[j].centre = lo + (j + 0.5) * CS_BUNCH_WIDTH;
        o->bins[j].fit = NAN;
        o->bins[j].excluded = in_window(j);
    }

    /* Bin.  t is compared before the conversion to an integer so that huge
     * values never overflow it. */
    double count[CS_BUNCH_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i])) {
            o->n_nonfinite++;
            continue;
        }
        double t = floor((a[i] - f) / CS_BUNCH_WIDTH + CS_BUNCH_EDGE_EPS) + CS_BUNCH_THRESHOLD_BIN;
        if (t < 0.0) {
            o->n_below++;
        } else if (t >= CS_BUNCH_BINS) {
            o->n_above++;
        } else {
            count[(int)t] += 1.0;
            o->n_binned++;
        }
    }
    for (int j = 0; j < CS_BUNCH_BINS; j++) {
        o->bins[j].count = count[j];
        if (!in_window(j) && count[j] > 0.0)
            o->fit_bins_with_data++;
    }
    if (o->n_binned < CS_BUNCH_MIN_VALUES) {
        o->verdict = CS_BUNCH_TOO_FEW;
        return CS_OK;
    }
    if (o->fit_bins_with_data < CS_BUNCH_MIN_FIT_BINS) {
        o->verdict = CS_BUNCH_SPARSE;
        return CS_OK;
    }

    /* The counterfactual and the estimates. */
    if ((st = fitter_init(&ft, err)) != CS_OK)
        goto out;
    double fit[CS_BUNCH_BINS], resid[NFIT];
    if ((st = fitter_fit(&ft, count, fit, err)) != CS_OK)
        goto out;
    for (int j = 0, r = 0; j < CS_BUNCH_BINS; j++) {
        o->bins[j].fit = fit[j];
        if (!in_window(j))
            resid[r++] = count[j] - fit[j];
    }
    masses(count, fit, &o->excess_mass, &o->missing_mass, &o->window_fit_mean);
    o->thin = !(o->window_fit_mean >= CS_BUNCH_THIN_FIT);
    if (o->window_fit_mean > 0.0)
        o->b = o->excess_mass / o->window_fit_mean;

    /* The residual bootstrap. */
    if (draws > 0) {
        rng = gsl_rng_alloc(gsl_rng_mt19937);
        dB = malloc(draws * sizeof *dB);
        dM = malloc(draws * sizeof *dM);
        db = malloc(draws * sizeof *db);
        if (!rng || !dB || !dM || !db) {
            st = cs_error_set(err, CS_ERR_NOMEM, NULL, 0, NULL, "bunching: %zu draws", draws);
            goto out;
        }
        gsl_rng_set(rng, (unsigned long)((seed ^ (seed >> 32)) & UINT64_C(0xffffffff)));
        double y[CS_BUNCH_BINS], yfit[CS_BUNCH_BINS];
        for (size_t d = 0; d < draws; d++) {
            for (int j = 0; j < CS_BUNCH_BINS; j++)
                y[j] = count[j] + resid[gsl_rng_uniform_int(rng, NFIT)];
            if ((st = fitter_fit(&ft, y, yfit, err)) != CS_OK)
                goto out;
            double wm;
            masses(y, yfit, &dB[d], &dM[d], &wm);
            if (wm > 0.0)
                db[o->b_draws++] = dB[d] / wm;
        }
        o->draws = draws;
        o->excess_mass_se = sample_sd(dB, draws);
        o->missing_mass_se = sample_sd(dM, draws);
        o->b_se = sample_sd(db, o->b_draws);
    }
    /* A perfect fit leaves residuals at rounding level and an SE of 1e-15:
     * B / se would be noise over noise. */
    if (o->excess_mass_se > 1e-9 * (1.0 + fabs(o->window_fit_mean))) {
        o->z = o->excess_mass / o->excess_mass_se;
        o->p = 2.0 * gsl_cdf_ugaussian_Q(fabs(o->z));
    }

out:
    fitter_free(&ft);
    gsl_rng_free(rng);
    free(dB);
    free(dM);
    free(db);
    return st;
}
