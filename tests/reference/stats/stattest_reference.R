# stattest_reference.R - reference values for tests/test_stattest.c: cor.test, p.adjust, chisq.test, prop.test.
#
# Usage:  Rscript stattest_reference.R [OUT_DIR]     (default: tests/fixtures/stats)
#
# Generates deterministic fixture data (set.seed; R >= 3.6 sampling), writes it
# out, and writes what base R computes on it, numbers with 17 significant
# digits.  Base R only (run with R 4.2.2).  The tests never run R; see README.md.

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

# ---------------------------------------------------------------------------
# Correlations: cor.test(method = "pearson") and
# cor.test(method = "spearman", exact = FALSE) over the complete pairs.
# ---------------------------------------------------------------------------
set.seed(20260401)
sets <- list()
# 1: small integer scales, heavy ties in both, some NA
x <- sample(0:4, 50, replace = TRUE); y <- pmin(3, pmax(0, round(x / 2 + rnorm(50, 0, 0.9))))
x[c(3, 17)] <- NA; y[c(17, 30, 41)] <- NA
sets[[1]] <- data.frame(x = x, y = y)
# 2: continuous with rounding ties
x <- round(rnorm(200, 10, 3), 1); y <- round(0.3 * x + rnorm(200, 0, 2), 0)
x[c(5, 77, 150)] <- NA
sets[[2]] <- data.frame(x = x, y = y)
# 3: binary x (like tier_cross) against a count (like risky_promises)
x <- rbinom(300, 1, 0.3); y <- rpois(300, 0.4 + 0.5 * x)
sets[[3]] <- data.frame(x = x, y = y)
# 4: the minimum, n = 3
sets[[4]] <- data.frame(x = c(1, 2, 4), y = c(2.5, 1, 3))
# 5: negative association, n = 30, distinct values
x <- rexp(30); y <- -2 * x + rnorm(30)
sets[[5]] <- data.frame(x = x, y = y)
# 6: monotone but not linear: Spearman exactly 1 (p 0), Pearson below 1
x <- 1:25; y <- exp(x / 4)
sets[[6]] <- data.frame(x = x, y = y)
# 7: larger n, integer days against a 0/1 outcome with a 0/1 missing pattern
x <- sample(0:91, 5000, replace = TRUE); y <- rbinom(5000, 1, plogis(-1.5 + 0.01 * (91 - x) / 10 - 0.004 * x))
x[sample(5000, 100)] <- NA
sets[[7]] <- data.frame(x = x, y = y)
# 8: negative zero and zero must tie; values with a repeated value in y only
sets[[8]] <- data.frame(x = c(-0.0, 0.0, 1, 2, 3, 4, -1), y = c(5, 3, 3, 3, 1, 0.5, 7))

data_rows <- list(); exp_rows <- list()
for (s in seq_along(sets)) {
    d <- sets[[s]]
    data_rows[[s]] <- data.frame(set = s, x = d$x, y = d$y)
    ok <- is.finite(d$x) & is.finite(d$y)
    xs <- d$x[ok]; ys <- d$y[ok]
    pe <- cor.test(xs, ys, method = "pearson")
    sp <- suppressWarnings(cor.test(xs, ys, method = "spearman", exact = FALSE))
    exp_rows[[s]] <- data.frame(set = s, n = sum(ok), pearson = unname(pe$estimate),
                                pearson_p = pe$p.value, spearman = unname(sp$estimate),
                                spearman_p = sp$p.value,
                                ties = as.integer(anyDuplicated(xs) > 0 || anyDuplicated(ys) > 0))
}
write_csv(do.call(rbind, data_rows), "corr_data.csv")
write_csv(do.call(rbind, exp_rows), "corr_expected.csv")

# ---------------------------------------------------------------------------
# Benjamini-Hochberg: p.adjust(p, "BH"); NA stays NA and is not counted.
# ---------------------------------------------------------------------------
bh <- list(
    c(0.01, 0.04, 0.10, 0.20),                              # METHODS.md check
    c(0.03, NA, 0.03, 0.5, NA, 0.001, 0.03, 1, 0),          # NA, ties, 0 and 1
    c(0.7),                                                 # a single p
    round(c(runif(40)^3, runif(10)), 6),                    # 50 mixed
    c(NA, NA)                                               # nothing to adjust
)
bh_rows <- list()
for (k in seq_along(bh))
    bh_rows[[k]] <- data.frame(case = k, p = bh[[k]], q = p.adjust(bh[[k]], "BH"))
write_csv(do.call(rbind, bh_rows), "bh.csv")

# ---------------------------------------------------------------------------
# Timing: last-14-days shares and the week-of-period chi-square,
# chisq.test(observed, p = expected / sum(expected)).
# ---------------------------------------------------------------------------
nd <- 3000
L <- sample(c(90L, 91L, 92L, 365L, 366L), nd, replace = TRUE, prob = c(.3, .3, .2, .1, .1))
u <- runif(nd)
d <- as.integer(floor(ifelse(runif(nd) < 0.15, (1 - u * 0.2), u) * L))   # some end-of-period piling
d <- pmin(d, L - 1L)
amount <- round(exp(rnorm(nd, 10, 1)), 2)
write_csv(data.frame(amount = amount, period_days = L, day = d), "timing_deals.csv")
nb <- ceiling(max(L) / 7)
E <- sapply(0:(nb - 1), function(i) sum(pmax(0, pmin(L, 7 * i + 7) - 7 * i) / L))
O <- tabulate(d %/% 7 + 1, nb)
used <- E > 0
ct <- chisq.test(O[used], p = E[used] / sum(E[used]))
stopifnot(abs(ct$statistic - sum((O[used] - E[used])^2 / E[used])) < 1e-9 * ct$statistic)
last <- d >= L - 14
tim <- data.frame(
    key = c("n", "last14_share", "expected_share", "last14_deal_share", "expected_deal_share",
            "n_bins", "chi2", "df", "p", "n_small_expected",
            paste0("observed_", 0:(nb - 1)), paste0("expected_", 0:(nb - 1))),
    value = c(nd, sum(amount[last]) / sum(amount), sum(amount * pmin(14, L) / L) / sum(amount),
              mean(last), mean(pmin(14, L) / L), nb, unname(ct$statistic), unname(ct$parameter),
              ct$p.value, sum(E[used] < 5), O, E))
write_csv(tim, "timing_expected.csv")

# ---------------------------------------------------------------------------
# Wilson: the METHODS.md formula at z = 1.959964, and prop.test(correct =
# FALSE), whose interval is Wilson's at z = qnorm(0.975) (an independent
# cross-check, equal to about 1e-8).
# ---------------------------------------------------------------------------
kn <- rbind(c(0, 1), c(1, 1), c(0, 10), c(3, 10), c(10, 10), c(1, 2), c(47, 218), c(500, 1000), c(2, 100000))
z <- 1.959964
wil <- data.frame(k = kn[, 1], n = kn[, 2])
centre <- (wil$k + z^2 / 2) / (wil$n + z^2)
half <- z * sqrt(wil$k * (wil$n - wil$k) / wil$n + z^2 / 4) / (wil$n + z^2)
wil$low <- pmax(0, centre - half); wil$high <- pmin(1, centre + half)
wil$low[wil$k == 0] <- 0; wil$high[wil$k == wil$n] <- 1
pt_ci <- t(mapply(function(k, n) prop.test(k, n, correct = FALSE)$conf.int, wil$k, wil$n))
wil$proptest_low <- pt_ci[, 1]; wil$proptest_high <- pt_ci[, 2]
write_csv(wil, "wilson.csv")
cat("stattest_reference: wrote", out_dir, "\n")
