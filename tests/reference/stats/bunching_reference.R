# bunching_reference.R - reference values for tests/test_bunching.c: SPEC 7.6 bins, polynomial counterfactual, B, M, b.
#
# Usage:  Rscript bunching_reference.R [OUT_DIR]     (default: tests/fixtures/stats)
#
# Generates final attainments with bunching planted just above a floor at 1.0,
# writes them, and computes for f = 1.0 and the placebo f = 0.75, from the
# definitions of SPEC 7.6 and include/compsight/bunching.h: bin j = 20 +
# floor((A - f) / 0.02 + 1e-9), kept for 0 <= j < 40; window j = 17..22;
# lm(count ~ poly(centre - f, 5, raw = TRUE)) on the other 34 bins; B = sum
# over 20..22 of (count - fit), M = sum over 17..19 of (fit - count), b = B /
# mean fit over 17..22.  The bootstrap SE is not reproduced (R's RNG is not
# compsight's).  Base R only (run with R 4.2.2).

options(warn = 1)
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/fixtures/stats"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
write_csv <- function(df, name) {
    for (k in names(df)) if (is.numeric(df[[k]])) df[[k]] <- g17(df[[k]])
    write.csv(df, file.path(out_dir, name), row.names = FALSE, quote = FALSE)
}

set.seed(20260403)
A <- rlnorm(1500, log(0.85), 0.35)
# Plant bunching: 40% of the rep-periods just short of the floor pull in
# enough to land just above it.
short <- which(A >= 0.94 & A < 1.0)
move <- short[runif(length(short)) < 0.4]
A[move] <- 1.0 + runif(length(move), 0, 0.03)
# Values on bin edges (decimal edges are not exact doubles) and outside.
A <- c(A, rep(1.0, 5), rep(0.96, 3), 0.94, 1.06, 0.6, 1.3999999, 0.3, 2.5, 1.4)
write_csv(data.frame(attainment = A), "bunching_values.csv")

bunch <- function(A, f) {
    t <- floor((A - f) / 0.02 + 1e-9) + 20
    inr <- t >= 0 & t < 40
    j <- 0:39
    count <- tabulate(t[inr] + 1, 40)
    u <- (j - 19.5) * 0.02          # centre - f
    win <- j >= 17 & j <= 22
    d <- data.frame(count = count, u = u)
    m <- lm(count ~ poly(u, 5, raw = TRUE), data = d, subset = !win)
    stopifnot(!anyNA(coef(m)))
    fit <- unname(predict(m, newdata = d))
    above <- j >= 20 & win; below <- j < 20 & win
    B <- sum(count[above] - fit[above]); M <- sum(fit[below] - count[below])
    wm <- mean(fit[win])
    list(summary = data.frame(
             key = c("n_binned", "n_below", "n_above", "excess_mass", "missing_mass", "b",
                     "window_fit_mean", "fit_bins_with_data", "resid_sd"),
             value = c(sum(inr), sum(t < 0), sum(t >= 40), B, M, B / wm, wm,
                       sum(count[!win] > 0), sd(resid(m)))),
         bins = data.frame(j = j, count = count, fit = fit))
}
for (f in c(1.0, 0.75)) {
    r <- bunch(A, f)
    tag <- if (f == 1) "f100" else "f075"
    write_csv(r$summary, paste0("bunching_", tag, "_summary.csv"))
    write_csv(r$bins, paste0("bunching_", tag, "_bins.csv"))
    cat(sprintf("f = %.2f: B %.4f M %.4f b %.4f window mean %.3f\n", f,
                r$summary$value[4], r$summary$value[5], r$summary$value[6], r$summary$value[7]))
}
