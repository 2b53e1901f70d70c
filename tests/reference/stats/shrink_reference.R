# shrink_reference.R - reference values for tests/test_shrink.c: beta-binomial ML (optim) and Beta posteriors.
#
# Usage:  Rscript shrink_reference.R [OUT_DIR]     (default: tests/fixtures/stats)
#
# Fits x_r ~ BetaBinomial(n_r, alpha, beta) by maximum likelihood with optim
# (BFGS on log alpha, log beta, analytic gradient, from the moment estimate of
# METHODS.md), then polishes the optimum with Newton steps on the analytic
# Hessian until the gradient is below 1e-12 (optim's own stopping rule leaves
# about 1e-7 in alpha, and much more on a flat ridge).  Digamma differences
# are finite sums (see dpsi0).  Groups with n = 0 do not enter the
# likelihood and get the prior.  Posterior mean (x + a)/(n + a + b), interval
# qbeta(c(.025, .975), a + x, b + n - x).  Writes the data and the results
# with 17 significant digits.  Base R only (run with R 4.2.2).

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

nll <- function(th, x, n) {
    a <- exp(th[1]); b <- exp(th[2]); u <- n > 0
    -sum(lchoose(n[u], x[u]) + lbeta(x[u] + a, n[u] - x[u] + b) - lbeta(a, b))
}
# psi(a + k) - psi(a) and psi'(a + k) - psi'(a) as finite sums: exact to
# rounding for any a, where differences of digamma() lose about 1e-14 each,
# which on the flat ridge toward pooling (alpha in the thousands) moves the
# polished optimum by 1e-5.  The counts here are small, so the sums are cheap.
dpsi0 <- function(a, k) vapply(seq_along(k), function(i) sum(1 / (a + seq_len(k[i]) - 1)), 0)
dpsi1 <- function(a, k) vapply(seq_along(k), function(i) -sum(1 / (a + seq_len(k[i]) - 1)^2), 0)
derivs <- function(th, x, n) {
    a <- exp(th[1]); b <- exp(th[2]); u <- n > 0; x <- x[u]; n <- n[u]
    ga <- sum(dpsi0(a, x) - dpsi0(a + b, n)); gb <- sum(dpsi0(b, n - x) - dpsi0(a + b, n))
    haa <- sum(dpsi1(a, x) - dpsi1(a + b, n)); hbb <- sum(dpsi1(b, n - x) - dpsi1(a + b, n))
    hab <- -sum(dpsi1(a + b, n))
    list(g = -c(a * ga, b * gb),
         h = -matrix(c(a^2 * haa + a * ga, a * b * hab, a * b * hab, b^2 * hbb + b * gb), 2))
}
grad <- function(th, x, n) derivs(th, x, n)$g
hess <- function(th, x, n) derivs(th, x, n)$h
fit <- function(x, n) {
    u <- n > 0; p <- x[u] / n[u]; mu <- mean(p); m1 <- mean(1 / n[u])
    rho <- (var(p) / (mu * (1 - mu)) - m1) / (1 - m1)
    stopifnot(rho > 0)
    s <- 1 / min(rho, 0.99) - 1
    o <- optim(log(c(mu * s, (1 - mu) * s)), nll, grad, x = x, n = n, method = "BFGS",
               control = list(reltol = 1e-15, maxit = 1000))
    stopifnot(o$convergence %in% c(0, 1))     # 1: maxit on a flat ridge; Newton polishes below
    th <- o$par
    for (i in 1:20) th <- th - solve(hess(th, x, n), grad(th, x, n))
    stopifnot(max(abs(grad(th, x, n))) < 1e-12, nll(th, x, n) <= o$value + 1e-12)
    a <- exp(th[1]); b <- exp(th[2])
    p0 <- sum(x) / sum(n)
    nllp <- -sum(dbinom(x[u], n[u], p0, log = TRUE))
    list(rho = rho, a = a, b = b, nll = nll(th, x, n), nll_pooled = nllp,
         mean = (x + a) / (n + a + b),
         low = qbeta(0.025, a + x, b + n - x), high = qbeta(0.975, a + x, b + n - x))
}
emit <- function(x, n, tag) {
    f <- fit(x, n)
    write_csv(data.frame(x = x, n = n), paste0("shrink_", tag, "_groups.csv"))
    write_csv(data.frame(key = c("moment_rho", "alpha", "beta", "nll", "nll_pooled", "lr"),
                         value = c(f$rho, f$a, f$b, f$nll, f$nll_pooled, 2 * (f$nll_pooled - f$nll))),
              paste0("shrink_", tag, "_fit.csv"))
    write_csv(data.frame(mean = f$mean, low = f$low, high = f$high),
              paste0("shrink_", tag, "_posterior.csv"))
    f
}

# The METHODS.md check (12 reps), to 17 digits.
f <- emit(c(0, 9, 1, 14, 2, 30, 0, 10, 3, 12, 5, 3), c(10, 12, 20, 25, 8, 40, 3, 12, 30, 15, 50, 4), "methods")
cat(sprintf("methods check: alpha %.6f beta %.6f nll %.8f\n", f$a, f$b, f$nll))

# A small overdispersion far out on the likelihood's ridge (alpha ~ 2700),
# which once stalled compsight's optimiser.
f <- emit(c(1, 4, 7, 0, 3, 2), c(1, 10, 11, 2, 10, 8), "ridge")
cat(sprintf("ridge: alpha %.6f beta %.6f nll %.10f\n", f$a, f$b, f$nll))

# Pooled by the likelihood: moment rho > 0, yet the profile at the pooled
# mean keeps falling as alpha + beta grows, toward the binomial limit.
x <- c(3, 3, 0, 3, 0, 5); n <- c(11, 5, 3, 11, 3, 12); p0 <- sum(x) / sum(n)
u <- x / n; m1 <- mean(1 / n)
prof <- sapply(10^(1:7), function(s) nll(log(c(p0 * s, (1 - p0) * s)), x, n))
stopifnot((var(u) / (mean(u) * (1 - mean(u))) - m1) / (1 - m1) > 0, all(diff(prof) < 0),
          prof[7] > -sum(dbinom(x, n, p0, log = TRUE)))
o <- optim(c(0, 0), nll, grad, x = x, n = n, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))
cat(sprintf("pooled-by-likelihood case: optim runs to alpha + beta = %.3g\n", sum(exp(o$par))))

# A generated fixture: 60 reps, deals per rep 0..80 (two reps without deals),
# rates from Beta(2, 6).
set.seed(20260402)
n <- c(0L, 0L, rpois(58, 18) + sample(c(0L, 0L, 0L, 40L), 58, replace = TRUE))
theta <- rbeta(60, 2, 6)
x <- rbinom(60, n, theta)
f <- emit(x, n, "generated")
cat(sprintf("generated: alpha %.6f beta %.6f\n", f$a, f$b))
