/* tiers.c - the tier maths of one credit row (SPEC 5): commission, marginal rate, crossing. */
#include <math.h>

#include "compsight/incentives.h"

/* ======================================================================
 * Tier maths
 * ==================================================================== */

void cs_incentives_tiers(const double *floor, const double *rate, size_t n,
                         double quota, double a0, double a1,
                         double *commission, double *marginal_rate,
                         int8_t *tier_cross, double *gap_to_next_tier)
{
    /* The containing tier is the last whose floor is <= a0, so a0 exactly
     * on a floor belongs to the tier that starts there.  Plans have a
     * handful of tiers: a linear scan beats anything clever. */
    size_t k = 0;
    while (k + 1 < n && floor[k + 1] <= a0)
        k++;
    if (marginal_rate)
        *marginal_rate = n ? rate[k] : NAN;
    if (gap_to_next_tier)
        *gap_to_next_tier = k + 1 < n ? floor[k + 1] - a0 : NAN;
    if (tier_cross) {
        /* floor[k + 1] is the smallest floor > a0; a crossing needs f <= a1. */
        *tier_cross = (int8_t)(k + 1 < n && floor[k + 1] > 0 && floor[k + 1] <= a1);
    }
    if (commission) {
        /* Q * sum_k rate_k * |[a0, a1] ∩ [floor_k, floor_k+1)|, summed in
         * floor order and multiplied by Q last, as SPEC 5 writes it. */
        double acc = 0.0;
        for (size_t j = 0; j < n; j++) {
            double lo = floor[j] > a0 ? floor[j] : a0;
            double hi = a1;
            if (j + 1 < n && floor[j + 1] < hi)
                hi = floor[j + 1];
            if (hi > lo)
                acc += rate[j] * (hi - lo);
        }
        *commission = quota * acc;
    }
}

/* True when no floor lies strictly inside (a0, a1): the deal is paid at
 * one rate.  A deal ending exactly on a floor is still within one tier
 * (its overlap with the next is empty). */
static bool within_one_tier(const double *floor, size_t n, double a0, double a1)
{
    for (size_t j = 0; j < n; j++)
        if (floor[j] > a0 && floor[j] < a1)
            return false;
    return true;
}

bool cs_incentives_deal(const double *floor, const double *rate, size_t n, double quota,
                        double a0, double amount, double *commission, double *marginal_rate,
                        int8_t *tier_cross, double *gap_to_next_tier)
{
    double a1 = a0 + amount / quota;
    cs_incentives_tiers(floor, rate, n, quota, a0, a1, commission, marginal_rate, tier_cross,
                        gap_to_next_tier);
    if (!within_one_tier(floor, n, a0, a1))
        return false;
    /* The whole deal pays one rate: the exact value, which the rounding of
     * Q * rate * (a1 - a0) would scatter over a dozen effective rates. */
    *commission = *marginal_rate * amount;
    return true;
}
