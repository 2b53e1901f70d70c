# firth.R - independent Firth (1993) penalised logistic regression for the reference values of cs_regress_firth.
#
# Usage (from the repository root, after make_fixtures.R):
#     Rscript tests/reference/regress/firth.R tests/fixtures/regress
#
# Debian has no R package logistf, so this is written from the definition,
# not from compsight's C code: maximise the penalised log-likelihood
#     l*(b) = sum(y log p + (1 - y) log(1 - p)) + 1/2 log det(X' W X),
# W = diag(p (1 - p)), by Newton's method on the modified score
#     U*(b) = X' (y - p + h (1/2 - p)),   h = diag(W^1/2 X (X'WX)^-1 X' W^1/2),
# with the Fisher information X'WX as the Hessian and the step scaled so that
# no coefficient moves by more than 5 (logistf's maxstep), started from 0,
# iterated until the largest step is below 1e-13.  Two independent checks
# guard the result: the solution must also be a maximum found by optim()
# (BFGS on l* itself, no score formula involved), and, for a saturated 2x2
# table, the known closed form (Firth's estimate = the log odds ratio with
# 1/2 added to every cell).
#
# Writes ref_firth.csv: fixture,term,estimate,se,se_cluster,z,p,ci_low,ci_high
# with se = sqrt(diag((X'WX)^-1)) at the estimate (logistf's Wald variance)
# and se_cluster from the sandwich of compsight's METHODS.md applied to the
# modified scores: (X'WX)^-1 [G/(G-1) sum_g u_g u_g'] (X'WX)^-1, u_g the sum
# over the cluster's rows of (y - p + h (1/2 - p)) x.  Also writes
# ref_firth_summary.csv: fixture,key,value (iterations, penalised log-lik,
# log-likelihood).  17 significant digits.  Base R only.

options(warn = 1)
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1)
    stop("usage: Rscript firth.R FIXTURE_DIR")
dir <- args[1]
g17 <- function(v) sprintf("%.17g", v)

penalised_loglik <- function(b, X, y) {
    eta <- drop(X %*% b)
    ll <- sum(y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE))
    p <- plogis(eta)
    ll + 0.5 * as.numeric(determinant(crossprod(X, X * (p * (1 - p))))$modulus)
}

firth <- function(X, y, maxit = 200, tol = 1e-13) {
    b <- rep(0, ncol(X))
    for (it in seq_len(maxit)) {
        p <- plogis(drop(X %*% b))
        w <- p * (1 - p)
        info <- crossprod(X, X * w)
        cov <- solve(info)
        h <- w * rowSums((X %*% cov) * X)
        ustar <- crossprod(X, y - p + h * (0.5 - p))
        step <- drop(cov %*% ustar)
        big <- max(abs(step))
        if (big > 5) step <- step * 5 / big
        b <- b + step
        if (big < tol) break
    }
    if (big >= tol) stop("firth: no convergence")
    p <- plogis(drop(X %*% b))
    w <- p * (1 - p)
    cov <- solve(crossprod(X, X * w))
    h <- w * rowSums((X %*% cov) * X)
    list(coef = b, cov = cov, p = p, h = h, iter = it,
         score_rows = X * (y - p + h * (0.5 - p)))
}

# Check 1: the closed form for a saturated 2x2 table, with a zero cell.
x <- c(rep(0, 15), rep(1, 8)); y <- c(rep(0, 10), rep(1, 5), rep(1, 8))
f <- firth(cbind(1, x), y)
closed <- c(log(5.5 / 10.5), log((8.5 / 0.5) / (5.5 / 10.5)))
stopifnot(max(abs(f$coef - closed)) < 1e-10)
o <- optim(c(0, 0), function(b) -penalised_loglik(b, cbind(1, x), y), method = "BFGS",
           control = list(reltol = 1e-14))
stopifnot(max(abs(o$par - closed)) < 1e-4)

out_terms <- list(); out_summary <- list()
for (name in c("main", "separation", "tiny")) {
    d <- read.csv(file.path(dir, paste0(name, ".csv")), check.names = FALSE)
    X <- as.matrix(d[, -(1:3)])
    y <- d$y_logit
    f <- firth(X, y)
    # Check 2: optim on the penalised likelihood itself lands on the same point.
    o <- optim(rep(0, ncol(X)), function(b) -penalised_loglik(b, X, y),
               method = "BFGS", control = list(reltol = 1e-14, maxit = 10000))
    # (BFGS stops short of Newton's precision: Newton's point must be at
    # least as high, and optim's close to it)
    stopifnot(o$convergence == 0,
              penalised_loglik(f$coef, X, y) >= -o$value - 1e-9,
              penalised_loglik(f$coef, X, y) + o$value < 1e-5,
              max(abs(o$par - f$coef) / pmax(1, abs(f$coef))) < 1e-2)
    U <- rowsum(f$score_rows, d$cl)
    G <- nrow(U)
    vcl <- f$cov %*% (G / (G - 1) * crossprod(U)) %*% f$cov
    se <- sqrt(diag(f$cov)); scl <- sqrt(diag(vcl)); z <- f$coef / scl
    out_terms[[name]] <- data.frame(
        fixture = name, term = colnames(X), estimate = g17(f$coef), se = g17(se),
        se_cluster = g17(scl), z = g17(z), p = g17(2 * pnorm(-abs(z))),
        ci_low = g17(f$coef - 1.959964 * scl), ci_high = g17(f$coef + 1.959964 * scl))
    eta <- drop(X %*% f$coef)
    ll <- sum(y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE))
    out_summary[[name]] <- data.frame(
        fixture = name, key = c("iterations", "penalised_loglik", "loglik"),
        value = c(f$iter, g17(penalised_loglik(f$coef, X, y)), g17(ll)))
}
write.csv(do.call(rbind, out_terms), file.path(dir, "ref_firth.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, out_summary), file.path(dir, "ref_firth_summary.csv"),
          row.names = FALSE, quote = FALSE)
message("firth: wrote ", dir)
