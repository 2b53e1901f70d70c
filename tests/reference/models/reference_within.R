# reference_within.R - R's values of the SPEC 14.1-14.2 models (promise_risk_within, discount_within, push_out) on a data directory, for tests/test_analysis.c.
#
# Usage (from the repository root):
#     Rscript tests/reference/models/reference_within.R tests/fixtures/models/data tests/fixtures/models
#
# Reads the SPEC section 1 CSV files of DATA_DIR (as `compsight generate`
# writes them: ISO dates, plain numbers, standard column names, fiscal year
# = calendar year) and computes, for --period all, independently of
# compsight's C code:
#
#   ref_within.csv          model,term,estimate,se,se_cluster,z,p,ci_low,ci_high
#     promise_risk_within   survival::clogit(promise_risk ~ terms +
#                           strata(rep_id), method = "exact") for the
#                           estimates and model-based SEs; the robust SE from
#                           SPEC 14.1's definition, I^-1 (sum_g U_g U_g') I^-1,
#                           by the exact conditional likelihood written from
#                           its definition in ../within/within.R (whose
#                           functions this script loads; R has no cluster
#                           variance for the exact method).
#     discount_within       lm(discount_pct ~ terms + factor(rep_id)), vcov(),
#                           sandwich::vcovCL(fit, cluster = ~rep_id) with its
#                           defaults (HC1, K counting the rep dummies).
#     push_out              lm(y ~ crossed_late + nothing_to_earn) over the
#                           rep-periods of SPEC 14.2, computed here from the
#                           deals, plans and quotas, with vcovCL(cluster =
#                           ~rep_id); a term without variation is left out,
#                           as SPEC 7 drops it.
#   ref_within_summary.csv  model,key,value: n, clusters and the counts each
#                           model reports (uninformative_reps, rank,
#                           rep_periods, nothing_to_earn, crossed_late), the
#                           log-likelihoods and RSS.
#
# z = estimate / se_cluster, p = 2 pnorm(-|z|), interval estimate -/+
# 1.959964 se_cluster.  The per-deal SPEC 5/6 measures come from
# tests/reference/reference_measures.R, run as is.  Numbers with 17
# significant digits.  Needs R >= 4, survival and sandwich (run with R
# 4.2.2 Patched (2022-11-10 r83330), survival 3.5-3, sandwich 3.0-2).  The C
# tests never run R; README.md has the provenance.

options(warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages({
    library(survival)
    library(sandwich)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2)
    stop("usage: Rscript reference_within.R DATA_DIR OUT_DIR")
data_dir <- args[1]
out_dir <- args[2]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

note <- function(...) message("reference_within: ", ...)
g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
write_csv <- function(df, name) {
    cols <- lapply(df, function(v) if (is.numeric(v)) g17(v) else as.character(v))
    lines <- c(paste(names(df), collapse = ","), do.call(paste, c(unname(cols), sep = ",")))
    con <- file(file.path(out_dir, name), open = "wb")
    writeLines(lines, con, sep = "\n")
    close(con)
}

self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))

# The exact conditional likelihood from its definition: the function
# definitions of ../within/within.R, and nothing else of that script.
for (e in parse(file.path(here, "..", "within", "within.R"))) {
    if (is.call(e) && identical(e[[1]], as.name("<-")) && is.call(e[[3]]) &&
        identical(e[[3]][[1]], as.name("function")))
        eval(e, globalenv())
}
stopifnot(exists("clogit_newton"), exists("clogit_eval"))

# ---------------------------------------------------------------------------
# SPEC 5/6 per won deal: tests/reference/reference_measures.R, run as is
# ---------------------------------------------------------------------------

measures_csv <- tempfile("ref_measures", fileext = ".csv")
rc <- system2(file.path(R.home("bin"), "Rscript"),
              c(shQuote(file.path(here, "..", "reference_measures.R")), shQuote(data_dir),
                shQuote(measures_csv)))
if (rc != 0) stop("reference_measures.R failed")
m <- read.csv(measures_csv, colClasses = c(deal_id = "character", period = "character"))
unlink(measures_csv)

read_table <- function(name) {
    df <- read.csv(file.path(data_dir, name), colClasses = "character", check.names = FALSE,
                   na.strings = character(0), strip.white = TRUE, encoding = "UTF-8")
    names(df) <- tolower(trimws(names(df)))
    df[] <- lapply(df, trimws)
    df
}
to_num <- function(x) {
    out <- suppressWarnings(as.numeric(gsub("[$,%]", "", x)))
    out[x == ""] <- NA
    out
}
to_day <- function(x) as.numeric(as.Date(substr(x, 1L, 10L), format = "%Y-%m-%d"))

deals_df <- read_table("deals.csv")
row <- match(m$deal_id, deals_df$deal_id)
stopifnot(!anyNA(row))
m$row <- row
m <- m[order(m$row), , drop = FALSE]
d <- deals_df[m$row, , drop = FALSE]
m$rep <- d$rep_id
m$type <- tolower(d$type)
m$amount <- to_num(d$amount)
m$discount_pct <- to_num(d$discount_pct)
m$close <- to_day(d$close_date)
m$type_expansion <- as.numeric(m$type == "expansion")
m$type_renewal <- as.numeric(m$type == "renewal")
note(nrow(m), " won deals, ", length(unique(m$rep)), " reps")

terms <- c("marginal_rate", "tier_cross", "last_14_days", "log_amount", "spiff",
           "type[expansion]", "type[renewal]")
cols <- c("marginal_rate", "tier_cross", "last_14_days", "log_amount", "spiff",
          "type_expansion", "type_renewal")
z95 <- 1.959964
rel <- function(a, b) max(abs(a - b) / pmax(abs(a), abs(b)))
term_table <- function(model, names, est, se, sec) {
    z <- est / sec
    data.frame(model = model, term = names, estimate = est, se = se, se_cluster = sec,
               z = z, p = 2 * pnorm(-abs(z)), ci_low = est - z95 * sec, ci_high = est + z95 * sec)
}

# ---------------------------------------------------------------------------
# promise_risk_within: survival's exact clogit, the robust SE by definition
# ---------------------------------------------------------------------------

X <- as.matrix(m[, cols])
fit <- clogit(m$promise_risk ~ X + strata(m$rep), method = "exact",
              control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-15))
b_r <- unname(coef(fit))
stopifnot(!anyNA(b_r))
own <- clogit_newton(X, m$promise_risk, m$rep)
note("promise_risk_within: clogit against the definition's fit, relative ",
     format(rel(b_r, own$beta), digits = 3))
stopifnot(rel(b_r, own$beta) < 1e-8)
# the robust covariance at survival's estimate
v <- clogit_eval(X, m$promise_risk, m$rep, b_r)
Iinv <- solve(-v$hess)
robust <- Iinv %*% crossprod(v$scores) %*% Iinv
se_r <- sqrt(diag(vcov(fit)))
stopifnot(rel(se_r, sqrt(diag(Iinv))) < 1e-6)
ev <- tapply(m$promise_risk, m$rep, sum)
nn <- tapply(m$promise_risk, m$rep, length)
informative <- ev > 0 & ev < nn
prw <- term_table("promise_risk_within", terms, b_r, unname(se_r), sqrt(diag(robust)))
prw_sum <- data.frame(model = "promise_risk_within",
                      key = c("n", "clusters", "reps", "uninformative_reps", "informative_deals",
                              "events", "loglik"),
                      value = c(nrow(m), sum(informative), length(nn), sum(!informative),
                                sum(nn[informative]), sum(ev[informative]), v$ll))

# ---------------------------------------------------------------------------
# discount_within: lm with a dummy per rep, vcovCL's defaults
# ---------------------------------------------------------------------------

q <- m[!is.na(m$discount_pct), , drop = FALSE]
fit <- lm(as.formula(paste("discount_pct ~", paste(cols, collapse = " + "), "+ factor(rep)")),
          data = q)
stopifnot(!anyNA(coef(fit)[cols]))
V <- vcovCL(fit, cluster = ~rep)
dw <- term_table("discount_within", terms, unname(coef(fit)[cols]),
                 unname(sqrt(diag(vcov(fit)))[cols]), unname(sqrt(diag(V))[cols]))
dw_sum <- data.frame(model = "discount_within", key = c("n", "clusters", "rank", "rss"),
                     value = c(nrow(q), length(unique(q$rep)), fit$rank, sum(residuals(fit)^2)))

# ---------------------------------------------------------------------------
# push_out (SPEC 14.2), from the deals: rep-periods of quarterly plans
# ---------------------------------------------------------------------------

reps <- read_table("reps.csv")
plans <- read_table("plans.csv")
quotas <- read_table("quotas.csv")
m$plan <- reps$plan_id[match(m$rep, reps$rep_id)]
ptype <- tolower(plans$period_type[match(m$plan, plans$plan_id)])
w <- m[ptype == "quarter", , drop = FALSE]
key <- paste(w$rep, w$plan, w$period, sep = "\r")
# final attainment: the period's won amounts over Q (quotas.csv, else the plan's)
qkey <- paste(quotas$rep_id, toupper(quotas$period), sep = "\r")
qrow <- match(paste(w$rep, w$period, sep = "\r"), qkey)
Q <- ifelse(is.na(qrow), to_num(plans$quota[match(w$plan, plans$plan_id)]),
            to_num(quotas$quota[qrow]))
rp <- unique(data.frame(key = key, rep = w$rep, plan = w$plan, period = w$period, Q = Q))
stopifnot(!anyDuplicated(rp$key))
rp$booked <- as.vector(tapply(w$amount, key, sum)[rp$key])
qstart <- as.numeric(as.Date(sprintf("%s-%02d-01", substr(w$period, 1, 4),
                                     3L * (as.integer(substr(w$period, 6, 6)) - 1L) + 1L)))
rp$first14 <- as.vector(tapply(w$amount * (w$close - qstart < 14), key, sum)[rp$key])
rp$crossed_late <- as.vector(tapply(w$tier_cross == 1 & w$last_14_days == 1, key, any)[rp$key])
rp$attainment <- rp$booked / rp$Q
tier_rate <- function(plan, a) {
    t <- plans[plans$plan_id == plan, , drop = FALSE]
    fl <- to_num(t$tier_floor)
    rt <- to_num(t$rate)[order(fl)]
    fl <- sort(fl)
    c(in_tier = rt[max(which(fl <= a))], first = rt[1])
}
tr <- t(mapply(tier_rate, rp$plan, rp$attainment))
rp$nothing_to_earn <- as.numeric(tr[, "in_tier"] < tr[, "first"])
next_label <- function(p) {
    y <- as.integer(substr(p, 1, 4))
    k <- as.integer(substr(p, 6, 6))
    ifelse(k == 4L, sprintf("%dQ1", y + 1L), sprintf("%dQ%d", y, k + 1L))
}
nxt <- match(paste(rp$rep, rp$plan, next_label(rp$period), sep = "\r"), rp$key)
po <- rp[!is.na(nxt), , drop = FALSE]
po$y <- rp$first14[nxt[!is.na(nxt)]] / rp$booked[nxt[!is.na(nxt)]]
po$crossed_late <- as.numeric(po$crossed_late)
vary <- c(crossed_late = length(unique(po$crossed_late)) > 1,
          nothing_to_earn = length(unique(po$nothing_to_earn)) > 1)
kept <- names(vary)[vary]
fit <- lm(as.formula(paste("y ~", if (length(kept)) paste(kept, collapse = " + ") else "1")),
          data = po)
V <- vcovCL(fit, cluster = ~rep)
pnames <- c("(Intercept)", kept)
pw <- term_table("push_out", pnames, unname(coef(fit)), unname(sqrt(diag(vcov(fit)))),
                 unname(sqrt(diag(V))))
pw_sum <- data.frame(model = "push_out",
                     key = c("n", "clusters", "rep_periods", "crossed_late", "nothing_to_earn",
                             "dropped_nothing_to_earn", "rss"),
                     value = c(nrow(po), length(unique(po$rep)), nrow(po), sum(po$crossed_late),
                               sum(po$nothing_to_earn), as.numeric(!vary["nothing_to_earn"]),
                               sum(residuals(fit)^2)))
note("push_out: ", nrow(po), " rep-periods of ", length(unique(po$rep)), " reps, ",
     sum(po$nothing_to_earn), " with nothing to earn, ", sum(po$crossed_late), " crossed late")

write_csv(rbind(prw, dw, pw), "ref_within.csv")
write_csv(rbind(prw_sum, dw_sum, pw_sum), "ref_within_summary.csv")
note("written to ", out_dir)
