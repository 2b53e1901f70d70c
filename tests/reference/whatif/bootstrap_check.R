# bootstrap_check.R - does the one-step cluster bootstrap of src/whatif/base.c match a full refit? (a check, not a fixture)
#
# Usage (from the repository root, after make_fixture.R):
#   Rscript tests/reference/whatif/bootstrap_check.R tests/fixtures/whatif [DRAWS]
#
# On FIXTURE/data with every won deal selected, for each alternative of
# make_fixture.R, draws DRAWS (default 1000) cluster-bootstrap samples of
# reps and computes, on the SAME draws, the risky-deal difference
#   refit:    glm refitted to convergence on the resampled deals (the
#             textbook cluster bootstrap), and
#   one-step: one Newton step from the full-data estimate, H_w^-1 sum_g
#             (w_g - 1) u_g (what src/whatif/base.c does),
# then prints the 2.5% / 97.5% quantiles of both and the correlation of the
# draws.  Prints only; the numbers quoted in README.md come from here.  R's
# RNG differs from GSL's, so these are not the C program's draws: the
# point is the agreement of the two methods on identical resamples.

options(warn = 1, stringsAsFactors = FALSE)
args <- commandArgs(trailingOnly = TRUE)
fixture <- args[1]
draws <- if (length(args) > 1) as.integer(args[2]) else 1000L
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
measures_script <- normalizePath(file.path(here, "..", "reference_measures.R"))
data_dir <- file.path(fixture, "data")
rscript <- file.path(R.home("bin"), "Rscript")

measures <- function(dir) {
    out <- tempfile(fileext = ".csv")
    if (system2(rscript, c(shQuote(measures_script), shQuote(dir), shQuote(out)),
                stdout = FALSE, stderr = FALSE) != 0) stop("reference_measures.R failed")
    m <- read.csv(out, colClasses = c(deal_id = "character", period = "character"))
    unlink(out)
    m
}
with_plans <- function(plans_file) {
    dir <- tempfile("whatif-")
    dir.create(dir)
    for (f in list.files(data_dir, pattern = "\\.csv$"))
        file.copy(file.path(data_dir, f), file.path(dir, f))
    file.copy(plans_file, file.path(dir, "plans.csv"), overwrite = TRUE)
    dir
}
deals_csv <- read.csv(file.path(data_dir, "deals.csv"), colClasses = "character")
type_of <- setNames(tolower(trimws(deals_csv$type)), deals_csv$deal_id)
rep_of <- setNames(deals_csv$rep_id, deals_csv$deal_id)
X <- function(m) cbind(1, m$marginal_rate, m$tier_cross, m$last_14_days, m$log_amount, m$spiff,
                       as.numeric(type_of[m$deal_id] == "expansion"),
                       as.numeric(type_of[m$deal_id] == "renewal"))

base <- measures(data_dir)
xb <- X(base)
y <- base$promise_risk
cl <- rep_of[base$deal_id]
reps <- sort(unique(cl))
G <- length(reps)
g <- match(cl, reps)
fit <- glm.fit(xb, y, family = binomial(), control = glm.control(epsilon = 1e-12, maxit = 100))
beta <- fit$coefficients
p <- drop(plogis(xb %*% beta))
U <- rowsum(xb * (y - p), g)                         # G x k scores
H <- lapply(split(seq_along(y), g), function(i) crossprod(xb[i, , drop = FALSE],
                                                          xb[i, , drop = FALSE] * (p[i] * (1 - p[i]))))

set.seed(2026)
W <- replicate(draws, tabulate(sample.int(G, G, replace = TRUE), G))   # G x draws
for (a in c("alt_tiers.csv", "alt_yearly.csv")) {
    dir <- with_plans(file.path(fixture, a))
    am <- measures(dir)
    unlink(dir, recursive = TRUE)
    am <- am[match(base$deal_id, am$deal_id), ]
    xa <- X(am)
    refit <- onestep <- numeric(draws)
    for (d in seq_len(draws)) {
        w <- W[, d][g]                                # per-deal weight = its rep's count
        f <- suppressWarnings(glm.fit(xb, y, weights = w, family = binomial(),
                                      control = glm.control(epsilon = 1e-10, maxit = 100)))
        bd <- f$coefficients
        refit[d] <- sum(w * (plogis(xa %*% bd) - plogis(xb %*% bd)))
        Hw <- Reduce(`+`, Map(`*`, H, W[, d]))
        step <- solve(Hw, colSums(U * (W[, d] - 1)))
        b1 <- beta + step
        onestep[d] <- sum(w * (plogis(xa %*% b1) - plogis(xb %*% b1)))
    }
    est <- sum(plogis(xa %*% beta) - plogis(xb %*% beta))
    q <- function(x) quantile(x, c(0.025, 0.975), type = 7)
    cat(sprintf("%s: estimate %.4f\n  refit    95%% [%.4f, %.4f]  sd %.4f\n  one-step 95%% [%.4f, %.4f]  sd %.4f\n  correlation of the draws %.4f, max |difference| %.4f\n",
                a, est, q(refit)[1], q(refit)[2], sd(refit), q(onestep)[1], q(onestep)[2],
                sd(onestep), cor(refit, onestep), max(abs(refit - onestep))))
}
