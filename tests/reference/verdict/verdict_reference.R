# verdict_reference.R - reference values of the verdict rule (include/compsight/verdict.h)
# from base R: pt/qt and pnorm/qnorm for the p-values and critical values,
# p.adjust(p, "BH") for the family, and the false-coverage-rate adjusted
# intervals of Benjamini & Yekutieli (2005) at level 1 - R q / m.
#
# usage: Rscript tests/reference/verdict/verdict_reference.R tests/fixtures/verdict
# Tests never run R: tests/test_findings.c reads the files written here.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/fixtures/verdict"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
# two-sided p of z and critical value of level 1 - a: t with df, the normal when df is 0
pval <- function(z, df) mapply(function(z, d) if (d == 0) 2 * pnorm(-abs(z)) else 2 * pt(-abs(z), d), z, df)
critv <- function(a, df) mapply(function(a, d) if (d == 0) qnorm(1 - a / 2) else qt(1 - a / 2, d), a, df)

# 1. p-values and critical values: df 0 means the normal.
z <- c(0, 0.5, 1.2, 1.959964, 2.1, 2.6, 3.3, 4.7, -2.3, 6.5)
df <- c(0, 9, 13, 28, 0, 9, 19, 0, 29, 12)
p <- pval(z, df)
alpha <- c(0.05, 0.05, 0.0125, 0.0071428571428571426, 0.01, 0.003, 0.05 / 7, 0.2, 0.025, 0.0001)
crit <- critv(alpha, df)
write.csv(data.frame(z = g(z), df = g(df), p = g(p), alpha = g(alpha), crit = g(crit)),
          file.path(out, "t_values.csv"), row.names = FALSE, quote = FALSE)

# 2. Families: estimates, standard errors and df of each finding; BH at q = 0.05.
q <- 0.05
family <- function(id, est, se, df) {
  zz <- est / se
  pp <- pval(zz, df)
  qq <- p.adjust(pp, "BH")
  m <- length(pp)
  R <- sum(qq <= q)
  a <- max(R, 1) * q / m
  cc <- critv(rep(a, m), df)
  data.frame(family = id, estimate = g(est), se = g(se), df = g(df), p = g(pp), q = g(qq),
             clear = as.integer(qq <= q), m = m, R = R, alpha = g(a),
             low = g(est - cc * se), high = g(est + cc * se))
}
set.seed(19)
mixed <- family("mixed", c(0.9, -1.4, 0.2, 0.05, 2.2, -0.3, 1.1, 0.6, -0.8, 0.02, 3.1, 0.4),
                c(0.3, 0.4, 0.25, 0.2, 0.5, 0.35, 0.6, 0.5, 0.3, 0.3, 0.9, 0.45),
                c(0, 0, 0, 0, 13, 13, 13, 13, 13, 13, 0, 0))
none <- family("none", c(0.1, -0.2, 0.3, 0.15), c(0.2, 0.3, 0.25, 0.4), c(0, 0, 11, 11))
rnd_est <- round(rnorm(30, 0, 1), 6)
rnd_se <- round(runif(30, 0.2, 1), 6)
random <- family("random", rnd_est, rnd_se, rep(c(0, 9, 24), 10))
write.csv(rbind(mixed, none, random), file.path(out, "families.csv"), row.names = FALSE,
          quote = FALSE)
