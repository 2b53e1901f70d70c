# make_fixtures.R - generates the regression fixtures of tests/test_regress.c and R's reference fits of them.
#
# Usage (from the repository root):
#     Rscript tests/reference/regress/make_fixtures.R tests/fixtures/regress
#
# Writes, into the given directory (numbers with 17 significant digits):
#   main.csv        500 won deals, 40 rep clusters, the SPEC 7.1 terms, a 0/1
#                   outcome (y_logit) and a continuous one (y_ols)
#   dropped.csv     200 deals where spiff is constant (all 0) and
#                   type[renewal] = 1 - type[expansion] (no "new" deals): both
#                   aliased, R reports NA for them
#   separation.csv  300 deals where every spiff deal is risky (quasi-complete
#                   separation on spiff)
#   tiny.csv        20 rows in G = 2 clusters
#   ref_fits.csv    fixture,model,term,estimate,se,se_cluster,z,p,ci_low,ci_high,
#                   se_final_mu,se_cluster_final_mu
#                   (glm binomial with glm.control(epsilon = 1e-12, maxit = 100)
#                   and lm; model-based SE from summary(); cluster SE from
#                   sandwich::vcovCL(fit, cluster = ~cl) with its defaults;
#                   z = estimate / cluster SE; p = 2 * pnorm(-|z|);
#                   interval estimate -/+ 1.959964 cluster SE; the last two
#                   columns are the logit SEs recomputed by METHODS.md's
#                   formulas at the final mu, see below).  Aliased terms are
#                   written with NA.
#   ref_summary.csv fixture,model,key,value: n, clusters, and for logit
#                   iterations, deviance, null_deviance, loglik, converged;
#                   for ols rss, null_deviance (total sum of squares about
#                   the mean), loglik, sigma.
# Every fixture CSV has the columns cl (the cluster id, an integer in
# [0, 2^32)), y_logit, y_ols, then one column per design term, the intercept
# column "(Intercept)" included, in model order.
#
# Deterministic: set.seed() before each fixture.  Needs R >= 4 and sandwich
# (tested with R 4.2.2, sandwich 3.0-2).  The C tests never run this.

options(warn = 1)
suppressPackageStartupMessages(library(sandwich))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1)
    stop("usage: Rscript make_fixtures.R OUT_DIR")
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))

terms <- c("(Intercept)", "marginal_rate", "tier_cross", "last_14_days",
           "log_amount", "spiff", "type[expansion]", "type[renewal]")

# Deals in the shape of the promise_risk model of SPEC 7.1.  Cluster ids are
# arbitrary 32-bit values so that the C side cannot assume 0..G-1.
make_deals <- function(n, G) {
    ids <- sample(c(1:1000, 2147483000:2147484000, 4294960000:4294967295), G)
    rep_effect <- rnorm(G, 0, 0.6)
    r <- sample.int(G, n, replace = TRUE)
    type <- sample(c("new", "expansion", "renewal"), n, replace = TRUE,
                   prob = c(0.5, 0.3, 0.2))
    d <- data.frame(
        cl = ids[r],
        marginal_rate = sample(c(0.06, 0.08, 0.12, 0.15), n, replace = TRUE),
        tier_cross = rbinom(n, 1, 0.15),
        last_14_days = rbinom(n, 1, 0.2),
        log_amount = log(round(exp(rnorm(n, 10, 1)), 2)),
        spiff = rbinom(n, 1, 0.1),
        type_expansion = as.numeric(type == "expansion"),
        type_renewal = as.numeric(type == "renewal"))
    eta <- -3.2 + 14 * d$marginal_rate + 0.7 * d$tier_cross + 0.5 * d$last_14_days +
        0.12 * (d$log_amount - 10) + 0.4 * d$spiff - 0.3 * d$type_expansion -
        0.6 * d$type_renewal + rep_effect[r]
    d$y_logit <- rbinom(n, 1, plogis(eta))
    d$y_ols <- 4 + 40 * d$marginal_rate + 1.5 * d$tier_cross + 2 * d$last_14_days -
        0.5 * (d$log_amount - 10) + 1 * d$spiff - 0.8 * d$type_renewal +
        2 * rep_effect[r] + rnorm(n, 0, 3)
    d
}

vars <- c("marginal_rate", "tier_cross", "last_14_days", "log_amount", "spiff",
          "type_expansion", "type_renewal")

write_fixture <- function(d, name, nterm = length(terms)) {
    X <- cbind(1, as.matrix(d[, vars[seq_len(nterm - 1)], drop = FALSE]))
    colnames(X) <- terms[seq_len(nterm)]
    lines <- c(paste(c("cl", "y_logit", "y_ols", colnames(X)), collapse = ","),
               apply(cbind(sprintf("%.0f", d$cl),
                           sprintf("%d", as.integer(d$y_logit)),
                           g17(d$y_ols),
                           matrix(g17(X), nrow(X))), 1, paste, collapse = ","))
    writeLines(lines, file.path(out, paste0(name, ".csv")))
}

fits <- list()
summaries <- list()

fit_fixture <- function(d, name, nterm = length(terms)) {
    f <- reformulate(vars[seq_len(nterm - 1)], response = "y")
    for (model in c("logit", "ols")) {
        if (model == "logit") {
            d$y <- d$y_logit
            fit <- glm(f, family = binomial, data = d,
                       control = glm.control(epsilon = 1e-12, maxit = 100))
        } else {
            d$y <- d$y_ols
            fit <- lm(f, data = d)
        }
        est <- coef(fit)
        # vcov() pads aliased terms with NA; vcovCL() leaves them out
        se <- sqrt(diag(vcov(fit, complete = TRUE)))
        vcl <- vcovCL(fit, cluster = ~cl)
        vc <- setNames(rep(NA_real_, length(est)), names(est))
        vc[rownames(vcl)] <- sqrt(diag(vcl))
        z <- est / vc
        # glm's summary() and vcovCL() take the weights of the last IRLS
        # step, i.e. of the mu before the final update; METHODS.md takes
        # (X'WX)^-1 and the scores at the final mu.  The two differ by
        # about 5e-7 here; record the final-mu figures too, for a tighter
        # check of the formula.
        se_mu <- vc_mu <- setNames(rep(NA_real_, length(est)), names(est))
        if (model == "logit") {
            X <- model.matrix(fit)[, ok <- !is.na(est), drop = FALSE]
            mu <- fitted(fit)
            B <- solve(crossprod(X, X * (mu * (1 - mu))))
            U <- rowsum(X * (d$y - mu), d$cl)
            G <- nrow(U)
            se_mu[ok] <- sqrt(diag(B))
            vc_mu[ok] <- sqrt(diag(B %*% (G / (G - 1) * crossprod(U)) %*% B))
        } else {
            se_mu <- se
            vc_mu <- vc
        }
        fits[[length(fits) + 1]] <<- data.frame(
            fixture = name, model = model, term = terms[seq_len(nterm)], estimate = g17(est),
            se = g17(se), se_cluster = g17(vc), z = g17(z),
            p = g17(2 * pnorm(-abs(z))), ci_low = g17(est - 1.959964 * vc),
            ci_high = g17(est + 1.959964 * vc), se_final_mu = g17(se_mu),
            se_cluster_final_mu = g17(vc_mu))
        if (model == "logit") {
            s <- c(n = nobs(fit), clusters = length(unique(d$cl)),
                   iterations = fit$iter, deviance = deviance(fit),
                   null_deviance = fit$null.deviance,
                   loglik = as.numeric(logLik(fit)), converged = fit$converged)
        } else {
            s <- c(n = nobs(fit), clusters = length(unique(d$cl)),
                   rss = deviance(fit), null_deviance = sum((d$y - mean(d$y))^2),
                   loglik = as.numeric(logLik(fit)), sigma = summary(fit)$sigma)
        }
        summaries[[length(summaries) + 1]] <<- data.frame(
            fixture = name, model = model, key = names(s), value = g17(s))
    }
}

# main: the regular case.
set.seed(20260101)
main <- make_deals(500, 40)
write_fixture(main, "main")
fit_fixture(main, "main")

# dropped: no spiff deals and no "new" deals in the selection.
set.seed(20260102)
dr <- make_deals(200, 25)
dr$spiff <- 0
dr$type_expansion <- rbinom(200, 1, 0.6)
dr$type_renewal <- 1 - dr$type_expansion
write_fixture(dr, "dropped")
fit_fixture(dr, "dropped")

# separation: every spiff deal is risky.  glm warns that fitted probabilities
# are numerically 1; its estimates for spiff are meaningless (recorded only to
# show what R does), the C test checks the detection and the Firth refit.
set.seed(20260103)
sep <- make_deals(300, 30)
sep$spiff <- rbinom(300, 1, 0.12)
sep$y_logit[sep$spiff == 1] <- 1
write_fixture(sep, "separation")
fit_fixture(sep, "separation")

# tiny: 20 rows in 2 clusters (G/(G-1) = 2) and the first 4 terms only, so
# that the small-sample corrections weigh heavily and the fit still exists.
set.seed(20260104)
tiny <- make_deals(20, 2)
tiny$y_logit[1:4] <- c(0, 1, 0, 1)          # both outcomes in each dummy level
tiny$tier_cross[1:4] <- c(1, 1, 0, 0)
tiny$last_14_days[1:4] <- c(0, 0, 1, 1)
write_fixture(tiny, "tiny", 4)
fit_fixture(tiny, "tiny", 4)

fits <- do.call(rbind, fits)
summaries <- do.call(rbind, summaries)
write.csv(fits, file.path(out, "ref_fits.csv"), row.names = FALSE, quote = FALSE)
write.csv(summaries, file.path(out, "ref_summary.csv"), row.names = FALSE, quote = FALSE)
message("make_fixtures: wrote ", out)
