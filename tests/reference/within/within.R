# within.R - fixtures and R reference values for the within-rep estimators (tests/test_clogit.c, tests/test_feols.c).
#
# Usage (from the repository root):
#     Rscript tests/reference/within/within.R tests/fixtures/within
#
# Writes, into the given directory (data with 15 significant digits, reference
# values with 17):
#   clogit_main.csv      2,054 rows in 126 strata (sizes 1, 2, 3-30 and 50,
#                        all-0 and all-1 strata among them): stratum, y,
#                        x_cont, x_bin, x_rate, x_rep (x_rep is constant
#                        within every stratum: no within variation)
#   clogit_big.csv       5,000 rows in one stratum with 1,200 events, plus
#                        four strata of 50, two of 2 and one of 1: stratum, y,
#                        x_big (sd 20, so that x'b is in the hundreds), x_bin
#   clogit_wide.csv      5,155 rows in 9 strata: one of 5,000 rows with 100
#                        events (survival's exact clogit can fit it), one of
#                        50 and one of 2 with events, and all-0 and all-1
#                        strata of 50, 2 and 1 rows: stratum, y, x_cont,
#                        x_bin, x_rate
#   clogit_ref.csv       key,value, for PREFIX main, big and wide: PREFIX.n,
#                        .strata, .uninformative, .loglik, .loglik_null;
#                        PREFIX.TERM.estimate, .se, .se_robust, .z, .p,
#                        .ci_low, .ci_high; at fixed beta PREFIX.bN.loglik,
#                        PREFIX.bN.grad.A and PREFIX.bN.hess.A.B (term
#                        indices from 0); big.r_clogit_failed (1: survival's
#                        clogit returns NA on clogit_big)
#   feols_one.csv        rep, y, x1, x2, x3 (x3 constant within rep)
#   feols_two.csv        rep, quarter, y, did, x1, ev_m4, ev_m3, ev_m2, ev_0,
#                        ev_1, ev_2, ev_3 (an unbalanced rep x quarter panel)
#   feols_split.csv      rep, quarter, y, x1, x2: two sets of reps observed
#                        in disjoint sets of quarters (two connected components)
#   feols_ref.csv        key,value, for PREFIX one, two, event, split:
#                        PREFIX.n, .rank, .rss, .sigma, .loglik;
#                        PREFIX.TERM.estimate, .se, .se_cluster, .z, .p,
#                        .ci_low, .ci_high
#
# Conditional logit.  The estimates, model-based standard errors and
# log-likelihoods of clogit_main come from survival::clogit(method = "exact")
# with coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15).  survival's exact method
# overflows on large strata (clogit_big: every coefficient NA), and R has no
# cluster-robust variance for it, so the script also carries an independent
# implementation of the exact conditional likelihood, written from its
# definition (see clogit_stratum below): it is checked here against
# clogit/coxph (the log-likelihood at fixed beta, the fit) and against
# numDeriv (the gradient and Hessian) before anything is written, and gives
# the gradients, Hessians, the clogit_big fit, and the robust covariance
# I^-1 (sum_g U_g U_g') I^-1 (U_g stratum g's score at the estimate, no
# G/(G-1) factor: SPEC 14.1).
#
# Least squares with fixed effects: lm(y ~ x + factor(rep) [+ factor(quarter)]),
# vcov(), and sandwich::vcovCL(fit, cluster = ~rep) with its defaults (HC1).
# Terms without within variation (x3, which lm does not drop: it drops a rep
# dummy instead) are left out of the formula, as the C code drops them.
#
# Deterministic: set.seed() before each fixture; the data are written with 15
# significant digits and read back before any reference is computed, so that
# R and the C tests work on the same doubles.  The C tests never run this.

options(warn = 1)
suppressPackageStartupMessages({
    library(survival)
    library(sandwich)
    library(numDeriv)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1)
    stop("usage: Rscript within.R OUT_DIR")
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
g15 <- function(v) sprintf("%.15g", v)

write_data <- function(d, name) {
    path <- file.path(out, name)
    cols <- lapply(d, function(v) if (is.numeric(v)) g15(v) else as.character(v))
    lines <- do.call(paste, c(cols, sep = ","))
    writeLines(c(paste(names(d), collapse = ","), lines), path)
    read.csv(path)          # what the C tests will read
}

kv <- new.env()
put <- function(key, value) assign(key, value, envir = kv)
write_kv <- function(name) {
    keys <- sort(ls(kv))
    vals <- vapply(keys, function(k) g17(get(k, envir = kv)), "")
    writeLines(c("key,value", paste(keys, vals, sep = ",")), file.path(out, name))
    rm(list = ls(kv), envir = kv)
}

# ----------------------------------------------------------------------
# The exact conditional log-likelihood of one stratum, from its definition:
# L = exp(sum_{y=1} eta) / e_m(w), w = exp(eta), e_m the elementary
# symmetric polynomial of degree m.  Over the rows i, e_k <- e_k + w_i e_{k-1};
# its derivatives in beta follow by differentiating that recursion.  Kept
# finite by carrying log e_k and, instead of the derivatives D_k and H_k of
# e_k, their ratios D_k / e_k and H_k / e_k (the first and second moments of
# S = sum of x over a size-k subset drawn with probability proportional to
# its product of w), which obey
#   d_k <- (1 - r) d_k + r (d_{k-1} + x_i)
#   h_k <- (1 - r) h_k + r (h_{k-1} + x_i d_{k-1}' + d_{k-1} x_i' + x_i x_i')
# with r = w_i e_{k-1} / e_k(new) in [0, 1].  Then log L = sum_{y=1} eta -
# log e_m, the score sum_{y=1} x - d_m and the Hessian -(h_m - d_m d_m').
# ----------------------------------------------------------------------
logaddexp <- function(a, b) {
    hi <- pmax(a, b)
    lo <- pmin(a, b)
    ifelse(is.infinite(lo) & lo < 0, hi, hi + log1p(exp(lo - hi)))
}

clogit_stratum <- function(X, y, beta, what = "full") {
    X <- as.matrix(X)
    p <- ncol(X)
    n <- nrow(X)
    m <- sum(y)
    if (m == 0 || m == n)
        return(list(ll = 0, grad = rep(0, p), hess = matrix(0, p, p)))
    if (what == "full") {
        # The Hessian is a covariance, h_m - d_m d_m', which cancels badly
        # when the events are nearly determined (|x'b| large): shift x by
        # the conditional mean per event, d_m / m, first.  Nothing changes
        # in exact arithmetic (the likelihood, score and Hessian are the
        # same for x - c, since every subset has m rows).
        d0 <- clogit_stratum(X, y, beta, "grad")$mean
        X <- X - matrix(d0 / m, n, p, byrow = TRUE)
    }
    eta <- drop(X %*% beta)
    if (what == "ll") {                      # the log e_k recursion alone
        le <- c(0, rep(-Inf, m))
        for (i in seq_len(n)) {
            k <- seq_len(min(i, m))
            le[k + 1] <- logaddexp(le[k + 1], eta[i] + le[k])
        }
        return(list(ll = sum(eta[y == 1]) - le[m + 1]))
    }
    le <- c(0, rep(-Inf, m))                 # log e_k, k = 0..m (index k + 1)
    d <- matrix(0, m + 1, p)                 # d_k, row k + 1
    h <- matrix(0, m + 1, p * p)             # h_k, row k + 1, column-major p x p
    for (i in seq_len(n)) {
        k <- seq_len(min(i, m))              # k = 1..min(i, m), all from the old values
        x <- X[i, ]
        new_le <- logaddexp(le[k + 1], eta[i] + le[k])
        r <- exp(eta[i] + le[k] - new_le)
        dk1 <- d[k, , drop = FALSE]          # d_{k-1}
        hk1 <- h[k, , drop = FALSE]
        xx <- as.vector(outer(x, x))
        cross <- matrix(0, length(k), p * p)
        if (what == "full") for (a in seq_len(p)) for (b in seq_len(p))
            cross[, (b - 1) * p + a] <- x[a] * dk1[, b] + dk1[, a] * x[b]
        if (what == "full")
            h[k + 1, ] <- (1 - r) * h[k + 1, , drop = FALSE] +
                r * (hk1 + cross + matrix(xx, length(k), p * p, byrow = TRUE))
        d[k + 1, ] <- (1 - r) * d[k + 1, , drop = FALSE] +
            r * (dk1 + matrix(x, length(k), p, byrow = TRUE))
        le[k + 1] <- new_le
    }
    dm <- d[m + 1, ]
    hm <- matrix(h[m + 1, ], p, p)
    list(ll = sum(eta[y == 1]) - le[m + 1], mean = dm,
         grad = colSums(X[y == 1, , drop = FALSE]) - dm,
         hess = -(hm - outer(dm, dm)))
}

# Sum over strata; keeps each stratum's score for the robust covariance.
# what: "full" (log-likelihood, score, Hessian), "grad" (no Hessian), "ll".
clogit_eval <- function(X, y, s, beta, what = "full") {
    X <- as.matrix(X)
    p <- ncol(X)
    ll <- 0
    grad <- rep(0, p)
    hess <- matrix(0, p, p)
    scores <- NULL
    for (g in sort(unique(s))) {
        r <- which(s == g)
        v <- clogit_stratum(X[r, , drop = FALSE], y[r], beta, what)
        ll <- ll + v$ll
        if (what == "ll")
            next
        grad <- grad + v$grad
        hess <- hess + v$hess
        scores <- rbind(scores, v$grad)
    }
    list(ll = ll, grad = grad, hess = hess, scores = scores)
}

# Newton from 0 to a step below 1e-13 (no step halving needed on these data).
clogit_newton <- function(X, y, s) {
    beta <- rep(0, ncol(X))
    for (it in 1:100) {
        v <- clogit_eval(X, y, s, beta)
        step <- solve(-v$hess, v$grad)
        beta <- beta + step
        if (max(abs(step)) < 1e-13 * (1 + max(abs(beta))))
            break
    }
    v <- clogit_eval(X, y, s, beta)
    I <- -v$hess
    Iinv <- solve(I)
    meat <- crossprod(v$scores)              # sum_g U_g U_g'
    list(beta = beta, ll = v$ll, vcov = Iinv, robust = Iinv %*% meat %*% Iinv,
         grad = v$grad, iter = it)
}

close_to <- function(a, b, tol, what) {
    dev <- max(abs(a - b)) / max(abs(b), 1e-300)   # relative to the largest element
    if (!(dev <= tol))
        stop(sprintf("%s: relative deviation %.3g > %.3g", what, dev, tol))
    cat(sprintf("check %-48s max rel dev %.2e (tol %.0e)\n", what, dev, tol))
}

put_fit <- function(prefix, terms, beta, se, robust_se) {
    for (j in seq_along(terms)) {
        put(sprintf("%s.%s.estimate", prefix, terms[j]), beta[j])
        put(sprintf("%s.%s.se", prefix, terms[j]), se[j])
        put(sprintf("%s.%s.se_robust", prefix, terms[j]), robust_se[j])
        z <- beta[j] / robust_se[j]
        put(sprintf("%s.%s.z", prefix, terms[j]), z)
        put(sprintf("%s.%s.p", prefix, terms[j]), 2 * pnorm(-abs(z)))
        put(sprintf("%s.%s.ci_low", prefix, terms[j]), beta[j] - 1.959964 * robust_se[j])
        put(sprintf("%s.%s.ci_high", prefix, terms[j]), beta[j] + 1.959964 * robust_se[j])
    }
}

put_at_beta <- function(prefix, v) {
    p <- length(v$grad)
    put(paste0(prefix, ".loglik"), v$ll)
    for (a in seq_len(p)) {
        put(sprintf("%s.grad.%d", prefix, a - 1), v$grad[a])
        for (b in seq_len(p))
            put(sprintf("%s.hess.%d.%d", prefix, a - 1, b - 1), v$hess[a, b])
    }
}

# ======================================================================
# clogit_main: strata of 1, 2, 3-30 and 50 rows; rep effects correlated
# with the terms; all-0 and all-1 strata; x_rep constant within strata.
# ======================================================================
set.seed(20261)
sizes <- c(rep(1, 6), rep(2, 14), sample(3:30, 96, replace = TRUE), rep(50, 10))
sizes <- sample(sizes)
G <- length(sizes)
alpha <- rnorm(G, 0, 1.2)
s <- rep(seq_len(G) - 1, sizes)               # dense ids 0..G-1, in order
n <- length(s)
x_cont <- round(rnorm(n, 10 + 0.4 * alpha[s + 1], 1), 6)
x_bin <- rbinom(n, 1, plogis(-0.5 + 0.5 * alpha[s + 1]))
x_rate <- sample(c(0.06, 0.08, 0.12, 0.15), n, replace = TRUE)
x_rep <- round(alpha[s + 1] + 3, 6)
eta <- alpha[s + 1] + 0.4 * (x_cont - 10) + 0.8 * x_bin + 6 * x_rate - 0.7
y <- rbinom(n, 1, plogis(eta))
# two strata of 3+ rows forced all 0 and two all 1
big_enough <- which(sizes >= 3)
y[s %in% (big_enough[1:2] - 1)] <- 0
y[s %in% (big_enough[3:4] - 1)] <- 1
# rows shuffled so that a stratum's rows are not contiguous
ord <- sample(n)
main <- data.frame(stratum = s, y = y, x_cont = x_cont, x_bin = x_bin,
                   x_rate = x_rate, x_rep = x_rep)[ord, ]
main <- write_data(main, "clogit_main.csv")

terms <- c("x_cont", "x_bin", "x_rate")
X <- as.matrix(main[, terms])
ctl <- coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15)
fit <- clogit(y ~ x_cont + x_bin + x_rate + strata(stratum), data = main,
              method = "exact", control = ctl)
# R agrees that x_rep carries nothing: with it in the model its coefficient is NA
fit_rep <- clogit(y ~ x_cont + x_bin + x_rate + x_rep + strata(stratum), data = main,
                  method = "exact", control = ctl)
stopifnot(is.na(coef(fit_rep)["x_rep"]))
close_to(coef(fit_rep)[terms], coef(fit), 1e-12, "clogit with x_rep (NA) = without")

nw <- clogit_newton(X, main$y, main$stratum)
close_to(nw$beta, unname(coef(fit)), 1e-9, "independent Newton vs clogit: estimates")
close_to(sqrt(diag(nw$vcov)), unname(sqrt(diag(vcov(fit)))), 1e-8,
         "independent vs clogit: model SE")
close_to(nw$ll, fit$loglik[2], 1e-12, "independent vs clogit: loglik")

sizes_seen <- table(main$stratum)
m_seen <- tapply(main$y, main$stratum, sum)
uninf <- sum(m_seen == 0 | m_seen == sizes_seen)
put("main.n", nrow(main))
put("main.strata", length(sizes_seen))
put("main.uninformative", uninf)
put("main.loglik", fit$loglik[2])
put("main.loglik_null", fit$loglik[1])
put("main.iter_r", fit$iter)
put_fit("main", terms, unname(coef(fit)), unname(sqrt(diag(vcov(fit)))),
        sqrt(diag(nw$robust)))

# Fixed beta: clogit's log-likelihood (init = beta, no iteration) and the
# independent gradient and Hessian, checked against numDeriv.
betas <- list(b0 = c(0, 0, 0), b1 = c(0.3, -0.5, 2), b2 = c(1.5, 2, -10))
llfun <- function(b) clogit_eval(X, main$y, main$stratum, b, what = "ll")$ll
for (name in names(betas)) {
    b <- betas[[name]]
    v <- clogit_eval(X, main$y, main$stratum, b)
    f0 <- clogit(y ~ x_cont + x_bin + x_rate + strata(stratum), data = main,
                 method = "exact", init = b, control = coxph.control(iter.max = 0))
    close_to(v$ll, f0$loglik[1], 1e-12, paste("loglik at", name, "vs clogit(init =)"))
    close_to(v$grad, grad(llfun, b), 1e-7, paste("gradient at", name, "vs numDeriv"))
    close_to(v$hess, hessian(llfun, b), 1e-4, paste("Hessian at", name, "vs numDeriv"))
    close_to(-v$hess, solve(f0$var), 1e-9, paste("Hessian at", name, "vs clogit's information"))
    put_at_beta(paste0("main.", name), v)
}

# ======================================================================
# clogit_big: one stratum of 5,000 rows (1,200 events) with x'b in the
# hundreds, four of 50, two of 2, one of 1.
# ======================================================================
set.seed(20262)
sizes <- c(5000, 50, 50, 50, 50, 2, 2, 1)
G <- length(sizes)
s <- rep(seq_len(G) - 1, sizes)
n <- length(s)
x_big <- round(rnorm(n, 0, 20), 4)
x_bin <- rbinom(n, 1, 0.4)
y <- integer(n)
for (g in seq_len(G)) {
    r <- which(s == g - 1)
    m <- if (g == 1) 1200 else if (sizes[g] == 50) 12 + 3 * g else if (sizes[g] == 2) 1 else 0
    w <- exp(0.05 * x_big[r] + 0.7 * x_bin[r])
    y[r[sample(length(r), m, prob = w)]] <- 1     # events drawn without replacement
}
ord <- sample(n)
big <- data.frame(stratum = s, y = y, x_big = x_big, x_bin = x_bin)[ord, ]
big <- write_data(big, "clogit_big.csv")
Xb <- as.matrix(big[, c("x_big", "x_bin")])

fb <- suppressWarnings(clogit(y ~ x_big + x_bin + strata(stratum), data = big, method = "exact"))
put("big.r_clogit_failed", as.numeric(any(is.na(coef(fb)))))   # 1: survival overflows here

nwb <- clogit_newton(Xb, big$y, big$stratum)
llb <- function(b) clogit_eval(Xb, big$y, big$stratum, b, what = "ll")$ll
stopifnot(max(abs(nwb$vcov %*% nwb$grad)) < 1e-12)   # no Newton step left
put("big.n", nrow(big))
put("big.strata", G)
put("big.uninformative", 1)
put("big.loglik", nwb$ll)
put("big.loglik_null", llb(c(0, 0)))
put_fit("big", c("x_big", "x_bin"), nwb$beta, sqrt(diag(nwb$vcov)), sqrt(diag(nwb$robust)))

# Fixed beta: x'b up to about +-1500 and +-230: exp() overflows, e_m would too.
for (name in c("b1", "b2")) {
    b <- if (name == "b1") c(20, -3) else c(3, 1)
    v <- clogit_eval(Xb, big$y, big$stratum, b)
    # numDeriv with a step suited to the scale of x_big
    gnd <- grad(llb, b, method.args = list(d = 1e-4, r = 6))
    close_to(v$grad, gnd, 1e-6, paste("big: gradient at", name, "vs numDeriv"))
    # the Hessian as numDeriv's Jacobian of the (checked) gradient
    gb <- function(bb) clogit_eval(Xb, big$y, big$stratum, bb, what = "grad")$grad
    hnd <- jacobian(gb, b, method.args = list(d = 1e-4, r = 4))
    close_to(v$hess, hnd, 1e-5, paste("big: Hessian at", name, "vs numDeriv"))
    put_at_beta(paste0("big.", name), v)
}

# ======================================================================
# clogit_wide: one stratum of 5,000 rows that survival's exact clogit can
# still fit (100 events: e_100 of 5,000 weights stays below 1e308, where
# 1,200 events do not), beside strata of 50, 2 and 1 rows with events and
# all-0 and all-1 strata of each of those sizes.  Estimates, model SEs and
# log-likelihoods straight from survival on a stratum of 5,000 deals.
# ======================================================================
set.seed(20265)
sizes <- c(5000, 50, 50, 50, 2, 2, 2, 1, 1)
kind <- c("some", "some", "all0", "all1", "some", "all0", "all1", "all1", "all0")
G <- length(sizes)
s <- rep(seq_len(G) - 1, sizes)
n <- length(s)
x_cont <- round(rnorm(n, 0, 1), 6)
x_bin <- rbinom(n, 1, 0.4)
x_rate <- sample(c(0.06, 0.08, 0.12, 0.15), n, replace = TRUE)
y <- integer(n)
for (g in seq_len(G)) {
    r <- which(s == g - 1)
    if (kind[g] == "all1") {
        y[r] <- 1
    } else if (kind[g] == "some") {
        m <- if (sizes[g] == 5000) 100 else if (sizes[g] == 50) 12 else 1
        w <- exp(0.5 * x_cont[r] + 0.7 * x_bin[r] + 6 * x_rate[r])
        y[r[sample(length(r), m, prob = w)]] <- 1
    }
}
ord <- sample(n)
wide <- data.frame(stratum = s, y = y, x_cont = x_cont, x_bin = x_bin, x_rate = x_rate)[ord, ]
wide <- write_data(wide, "clogit_wide.csv")
Xw <- as.matrix(wide[, terms])
fw <- clogit(y ~ x_cont + x_bin + x_rate + strata(stratum), data = wide,
             method = "exact", control = ctl)
stopifnot(!any(is.na(coef(fw))))
nww <- clogit_newton(Xw, wide$y, wide$stratum)
close_to(nww$beta, unname(coef(fw)), 1e-9, "wide: independent Newton vs clogit: estimates")
close_to(sqrt(diag(nww$vcov)), unname(sqrt(diag(vcov(fw)))), 1e-8,
         "wide: independent vs clogit: model SE")
close_to(nww$ll, fw$loglik[2], 1e-12, "wide: independent vs clogit: loglik")
m_w <- tapply(wide$y, wide$stratum, sum)
n_w <- table(wide$stratum)
put("wide.n", nrow(wide))
put("wide.strata", G)
put("wide.uninformative", sum(m_w == 0 | m_w == n_w))
put("wide.loglik", fw$loglik[2])
put("wide.loglik_null", fw$loglik[1])
put_fit("wide", terms, unname(coef(fw)), unname(sqrt(diag(vcov(fw)))), sqrt(diag(nww$robust)))
bw <- c(0.3, -0.5, 2)
vw <- clogit_eval(Xw, wide$y, wide$stratum, bw)
fw0 <- clogit(y ~ x_cont + x_bin + x_rate + strata(stratum), data = wide,
              method = "exact", init = bw, control = coxph.control(iter.max = 0))
close_to(vw$ll, fw0$loglik[1], 1e-12, "wide: loglik at b1 vs clogit(init =)")
close_to(-vw$hess, solve(fw0$var), 1e-9, "wide: Hessian at b1 vs clogit's information")
put_at_beta("wide.b1", vw)
write_kv("clogit_ref.csv")

# ======================================================================
# Least squares with fixed effects
# ======================================================================
put_lm <- function(prefix, f, cl, terms) {
    V <- vcov(f)
    Vc <- vcovCL(f, cluster = cl)
    put(paste0(prefix, ".n"), nobs(f))
    put(paste0(prefix, ".rank"), f$rank)
    put(paste0(prefix, ".rss"), sum(residuals(f)^2))
    put(paste0(prefix, ".sigma"), summary(f)$sigma)
    put(paste0(prefix, ".loglik"), as.numeric(logLik(f)))
    for (t in terms) {
        est <- coef(f)[t]
        se_c <- sqrt(Vc[t, t])
        put(sprintf("%s.%s.estimate", prefix, t), est)
        put(sprintf("%s.%s.se", prefix, t), sqrt(V[t, t]))
        put(sprintf("%s.%s.se_cluster", prefix, t), se_c)
        put(sprintf("%s.%s.z", prefix, t), est / se_c)
        put(sprintf("%s.%s.p", prefix, t), 2 * pnorm(-abs(est / se_c)))
        put(sprintf("%s.%s.ci_low", prefix, t), est - 1.959964 * se_c)
        put(sprintf("%s.%s.ci_high", prefix, t), est + 1.959964 * se_c)
    }
}

# feols_one: 40 reps of 1 to 30 rows, rep effects correlated with x1.
set.seed(20263)
G <- 40
sizes <- c(1, 1, 2, sample(2:30, G - 3, replace = TRUE))
s <- rep(seq_len(G) - 1, sizes)
n <- length(s)
a <- rnorm(G, 0, 2)
x1 <- round(rnorm(n, 0.5 * a[s + 1], 1), 6)
x2 <- rbinom(n, 1, 0.3)
x3 <- round(a[s + 1] * 0.3 + 1, 6)
yv <- round(a[s + 1] + 0.7 * x1 - 1.1 * x2 + rnorm(n, 0, 1 + 0.5 * abs(a[s + 1])), 6)
ord <- sample(n)
one <- write_data(data.frame(rep = s, y = yv, x1 = x1, x2 = x2, x3 = x3)[ord, ], "feols_one.csv")
f1 <- lm(y ~ x1 + x2 + factor(rep), data = one)
put_lm("one", f1, ~rep, c("x1", "x2"))
# lm keeps x3 (it drops a rep dummy instead): the slopes of x1, x2 stay the same
f1x <- lm(y ~ x1 + x2 + x3 + factor(rep), data = one)
close_to(coef(f1x)[c("x1", "x2")], coef(f1)[c("x1", "x2")], 1e-9, "one: x3 changes nothing")
stopifnot(sum(is.na(coef(f1x))) == 1)

# feols_two: 30 reps x 12 quarters, each rep-quarter present with
# probability 0.7 and 1-8 deals; 10 reps move to a new plan at quarter 6.
set.seed(20264)
G <- 30
Tq <- 12
rows <- NULL
for (g in 0:(G - 1)) for (t in 0:(Tq - 1)) {
    if (runif(1) < 0.7) rows <- rbind(rows, cbind(g, t, seq_len(sample(1:8, 1))))
}
s <- rows[, 1]
q <- rows[, 2]
n <- length(s)
treated <- s < 10
rel <- q - 6
post <- as.numeric(q >= 6)
a <- rnorm(G, 0, 1)
tq <- rnorm(Tq, 0, 0.5)
did <- as.numeric(treated) * post
x1 <- round(rnorm(n, 0.3 * a[s + 1] + 0.2 * tq[q + 1], 1), 6)
yv <- round(a[s + 1] + tq[q + 1] - 0.4 * did + 0.5 * x1 + rnorm(n, 0, 1), 6)
ev <- sapply(c(-4, -3, -2, 0, 1, 2, 3), function(r) as.numeric(treated & rel == r))
colnames(ev) <- c("ev_m4", "ev_m3", "ev_m2", "ev_0", "ev_1", "ev_2", "ev_3")
ord <- sample(n)
two <- data.frame(rep = s, quarter = q, y = yv, did = did, x1 = x1, ev)[ord, ]
two <- write_data(two, "feols_two.csv")
f2 <- lm(y ~ did + x1 + factor(rep) + factor(quarter), data = two)
put_lm("two", f2, ~rep, c("did", "x1"))
f2e <- lm(y ~ ev_m4 + ev_m3 + ev_m2 + ev_0 + ev_1 + ev_2 + ev_3 + factor(rep) + factor(quarter),
          data = two)
put_lm("event", f2e, ~rep, colnames(ev))

# feols_split: reps 0-9 in quarters 0-4, reps 10-19 in quarters 5-9.
set.seed(20265)
rows <- NULL
for (g in 0:19) {
    qs <- if (g < 10) 0:4 else 5:9
    for (t in qs) if (runif(1) < 0.8) rows <- rbind(rows, cbind(g, t, seq_len(sample(1:5, 1))))
}
s <- rows[, 1]
q <- rows[, 2]
n <- length(s)
a <- rnorm(20)
x1 <- round(rnorm(n, a[s + 1], 1), 6)
x2 <- rbinom(n, 1, 0.5)
yv <- round(a[s + 1] + 0.3 * q + 0.8 * x1 + 0.5 * x2 + rnorm(n), 6)
split <- write_data(data.frame(rep = s, quarter = q, y = yv, x1 = x1, x2 = x2)[sample(n), ],
                    "feols_split.csv")
f3 <- lm(y ~ x1 + x2 + factor(rep) + factor(quarter), data = split)
stopifnot(sum(is.na(coef(f3))) == 1)        # one quarter dummy aliased: 2 components
put_lm("split", f3, ~rep, c("x1", "x2"))
write_kv("feols_ref.csv")

cat("R:", R.version.string, "; survival", as.character(packageVersion("survival")),
    "; sandwich", as.character(packageVersion("sandwich")),
    "; numDeriv", as.character(packageVersion("numDeriv")), "\n")
