# reference_models.R - R's values of the SPEC 7.1-7.5 figures (models, correlations, timing) on a data directory, for tests/test_analysis.c.
#
# Usage (from the repository root):
#     Rscript tests/reference/models/reference_models.R tests/fixtures/models/data tests/fixtures/models
#
# Reads the SPEC section 1 CSV files of DATA_DIR (as written by
# `compsight generate`: ISO dates, plain numbers, standard column names, no
# --map, fiscal year = calendar year) and recomputes, for --period all (every
# won deal, every asset), independently of compsight's C code:
#
#   ref_models.csv    model,term,estimate,se,se_cluster,z,p,ci_low,ci_high,
#                     glm_estimate,glm_se,glm_se_cluster
#       The SPEC 7.1-7.3 models with the SPEC 9 term names.  The first
#       columns are the reference: for the logits, the maximum-likelihood
#       estimate (glm, epsilon 1e-12, then Newton-polished), model SE from
#       (X'WX)^-1 and the vcovCL HC0 sandwich G/(G-1) (X'WX)^-1 sum_g u_g u_g'
#       (X'WX)^-1, u_g = sum (y - mu) x, both at the FINAL mu (METHODS.md);
#       for the least squares fit, lm's coefficients, vcov(lm) and
#       sandwich::vcovCL(fit, cluster) (HC1, the default for lm).  z =
#       estimate / se_cluster, p = 2 pnorm(-|z|), interval estimate -/+
#       1.959964 se_cluster.  glm_* are R's published figures: coef(glm),
#       sqrt(diag(vcov(glm))) and sqrt(diag(sandwich::vcovCL(glm, cluster)))
#       with vcovCL's defaults, which use the IRLS weights of the iteration
#       before the last (see README.md); for lm they repeat lm's.
#   ref_model_summary.csv  model,key,value: n, clusters, deviance (logit;
#                     rss for lm), null_deviance (tss for lm), and
#                     max_rel_diff_* (how far glm's published figures are
#                     from the final-mu ones, for the README).
#   ref_correlations.csv  x,y,n,pearson,pearson_p,spearman,spearman_p,q
#       cor.test(method = "pearson") and cor.test(method = "spearman",
#       exact = FALSE) over the won deals where both are given; q =
#       p.adjust(pearson_p, "BH") over the 18 pairs.
#   ref_timing.csv    key,value: n, last_14_days_share, expected_share,
#       last_14_days_deal_share, expected_deal_share, chi2, df, p, and the
#       week bins (observed_I, expected_I); chi2 and p from
#       chisq.test(observed, p = expected / sum(expected)) over the bins
#       with expected > 0.
# The per-deal SPEC 5/6 measures come from tests/reference/reference_measures.R
# (written from the spec by another engineer, independently of the C code),
# run on DATA_DIR into a temporary file.
#
# Numbers with 17 significant digits, NA for missing.  Needs R >= 4 and
# sandwich (run with R 4.2.2 Patched (2022-11-10 r83330), sandwich 3.0-2).
# The C tests never run R; README.md has the provenance.

options(warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages(library(sandwich))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2)
    stop("usage: Rscript reference_models.R DATA_DIR OUT_DIR")
data_dir <- args[1]
out_dir <- args[2]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

note <- function(...) message("reference_models: ", ...)
g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))

write_csv <- function(df, name) {
    cols <- lapply(df, function(v) if (is.numeric(v)) g17(v) else as.character(v))
    lines <- c(paste(names(df), collapse = ","), do.call(paste, c(unname(cols), sep = ",")))
    con <- file(file.path(out_dir, name), open = "wb")
    writeLines(lines, con, sep = "\n")
    close(con)
}

# ---------------------------------------------------------------------------
# SPEC 5/6 per won deal: tests/reference/reference_measures.R, run as is
# ---------------------------------------------------------------------------

self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
measures_r <- file.path(dirname(normalizePath(self)), "..", "reference_measures.R")
measures_csv <- tempfile("ref_measures", fileext = ".csv")
rc <- system2(file.path(R.home("bin"), "Rscript"), c(shQuote(measures_r), shQuote(data_dir),
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
stopifnot(!anyDuplicated(deals_df$deal_id))
row <- match(m$deal_id, deals_df$deal_id)
stopifnot(!anyNA(row))
# Model rows in deals.csv order, as compsight builds its designs (the fits
# do not depend on the order beyond rounding).
m$row <- row
m <- m[order(m$row), , drop = FALSE]
d <- deals_df[m$row, , drop = FALSE]
m$rep <- d$rep_id
m$type <- tolower(d$type)
m$amount <- to_num(d$amount)
m$discount_pct <- to_num(d$discount_pct)
m$close <- to_day(d$close_date)
stopifnot(all(m$type %in% c("new", "expansion", "renewal")), all(m$amount > 0))
m$type_expansion <- as.numeric(m$type == "expansion")
m$type_renewal <- as.numeric(m$type == "renewal")
note(nrow(m), " won deals, ", length(unique(m$rep)), " reps")

# ---------------------------------------------------------------------------
# The plan period of each deal (fiscal year = calendar year: generate's
# default --fiscal-start 1), from reference_measures.R's period label.
# ---------------------------------------------------------------------------

period_bounds <- function(label) {
    fy <- as.integer(substr(label, 1L, 4L))
    q <- ifelse(nchar(label) == 6L, as.integer(substr(label, 6L, 6L)), 0L)
    first_m <- ifelse(q == 0L, 1L, 3L * (q - 1L) + 1L)
    months <- ifelse(q == 0L, 12L, 3L)
    start <- as.numeric(as.Date(sprintf("%04d-%02d-01", fy, first_m)))
    nm <- first_m + months
    end <- as.numeric(as.Date(sprintf("%04d-%02d-01", fy + (nm - 1L) %/% 12L, (nm - 1L) %% 12L + 1L))) - 1
    list(start = start, end = end)
}
pb <- period_bounds(m$period)
m$L <- pb$end - pb$start + 1
m$day <- m$close - pb$start
stopifnot(all(m$day >= 0 & m$day < m$L), all(m$L - 1 - m$day == m$days_to_period_end))

# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

deal_terms <- c("(Intercept)", "marginal_rate", "tier_cross", "last_14_days",
                "log_amount", "spiff", "type[expansion]", "type[renewal]")
deal_formula <- ~ marginal_rate + tier_cross + last_14_days + log_amount + spiff +
    type_expansion + type_renewal

z95 <- 1.959964
rel <- function(a, b) max(abs(a - b) / pmax(abs(a), abs(b)))

term_table <- function(model, names, est, se, sec, glm_est, glm_se, glm_sec) {
    z <- est / sec
    data.frame(model = model, term = names, estimate = est, se = se, se_cluster = sec,
               z = z, p = 2 * pnorm(-abs(z)), ci_low = est - z95 * sec, ci_high = est + z95 * sec,
               glm_estimate = glm_est, glm_se = glm_se, glm_se_cluster = glm_sec)
}

fit_logit <- function(model, formula, data, cluster, names) {
    fit <- glm(formula, family = binomial, data = data,
               control = glm.control(epsilon = 1e-12, maxit = 100))
    stopifnot(fit$converged, !anyNA(coef(fit)))
    X <- model.matrix(fit)
    y <- fit$y
    # Polish glm's estimate to the maximum by Newton steps at the current
    # mu, then evaluate everything at the final mu.
    b <- coef(fit)
    for (it in 1:3) {
        mu <- as.vector(plogis(X %*% b))
        step <- solve(crossprod(X, X * (mu * (1 - mu))), crossprod(X, y - mu))
        b <- b + as.vector(step)
    }
    note(model, ": last Newton polish step ", format(max(abs(step)), digits = 3),
         ", glm vs polished estimate ", format(rel(coef(fit), b), digits = 3))
    mu <- as.vector(plogis(X %*% b))
    bread <- solve(crossprod(X, X * (mu * (1 - mu))))
    U <- rowsum(X * (y - mu), cluster, reorder = FALSE)
    G <- nrow(U)
    V <- bread %*% (G / (G - 1) * crossprod(U)) %*% bread
    glm_se <- sqrt(diag(vcov(fit)))
    glm_sec <- sqrt(diag(vcovCL(fit, cluster = cluster)))
    se <- sqrt(diag(bread))
    sec <- sqrt(diag(V))
    dev <- -2 * sum(y * log(mu) + (1 - y) * log(1 - mu))
    list(terms = term_table(model, names, unname(b), unname(se), unname(sec),
                            unname(coef(fit)), unname(glm_se), unname(glm_sec)),
         summary = data.frame(model = model,
                              key = c("n", "clusters", "deviance", "null_deviance",
                                      "glm_deviance", "max_rel_diff_glm_estimate",
                                      "max_rel_diff_glm_se", "max_rel_diff_glm_se_cluster"),
                              value = c(nrow(X), G, dev, fit$null.deviance, deviance(fit),
                                        rel(coef(fit), b), rel(glm_se, se), rel(glm_sec, sec))))
}

fit_ols <- function(model, formula, data, cluster, names) {
    fit <- lm(formula, data = data)
    stopifnot(!anyNA(coef(fit)))
    X <- model.matrix(fit)
    e <- residuals(fit)
    N <- nrow(X)
    K <- ncol(X)
    V <- vcovCL(fit, cluster = cluster)
    # The same sandwich written out (METHODS.md), as a check on vcovCL's defaults.
    bread <- solve(crossprod(X))
    U <- rowsum(X * e, cluster, reorder = FALSE)
    G <- nrow(U)
    V2 <- bread %*% (G / (G - 1) * (N - 1) / (N - K) * crossprod(U)) %*% bread
    stopifnot(rel(V, V2) < 1e-10)
    b <- coef(fit)
    se <- sqrt(diag(vcov(fit)))
    sec <- sqrt(diag(V))
    y <- e + fitted(fit)
    list(terms = term_table(model, names, unname(b), unname(se), unname(sec),
                            unname(b), unname(se), unname(sec)),
         summary = data.frame(model = model, key = c("n", "clusters", "rss", "tss"),
                              value = c(N, G, sum(e^2), sum((y - mean(y))^2))))
}

pr <- fit_logit("promise_risk", update(deal_formula, promise_risk ~ .), m, m$rep, deal_terms)
q <- m[!is.na(m$discount_pct), , drop = FALSE]
dc <- fit_ols("discount", update(deal_formula, discount_pct ~ .), q, q$rep, deal_terms)

# Collateral (SPEC 6 and 7.3), written from the spec: an asset is misstated
# when any claim is; claims: `available` and the feature unknown, blank or not
# shipped on published_date (status not shipped, or shipped_date after it; a
# shipped item with a blank shipped_date counts as shipped), or `coming_soon`
# and the feature unknown, blank, exploring or not_planned.  target_gap = 1 -
# actual / target of the owner's targets.csv row for the quarter containing
# published_date (first such row with target > 0).  last_14_days: the end of
# that quarter minus published_date < 14.  Population: assets with at least
# one claim and a target_gap (compsight's collateral_rows: an asset that claims
# nothing cannot misstate), --period all.
assets <- read_table("collateral.csv")
claims <- read_table("claims.csv")
targets <- read_table("targets.csv")
roadmap <- read_table("roadmap.csv")
status <- setNames(gsub("[[:space:]_]+", "", tolower(roadmap$status)), roadmap$feature_id)
shipped <- setNames(to_day(roadmap$shipped_date), roadmap$feature_id)
pub <- to_day(assets$published_date)
ca <- match(claims$asset_id, assets$asset_id)
stopifnot(!anyNA(ca), !anyNA(pub))
f <- claims$feature_id
known <- f != "" & f %in% names(status)
st <- ifelse(known, status[f], NA)
sd <- ifelse(known, shipped[f], NA)
kind <- gsub("[[:space:]_]+", "", tolower(claims$claim))
stopifnot(all(kind %in% c("available", "comingsoon")))
mis_claim <- ifelse(kind == "available",
                    !known | st != "shipped" | (!is.na(sd) & sd > pub[ca]),
                    !known | st %in% c("exploring", "notplanned"))
n_claims <- tabulate(ca, nbins = nrow(assets))
misstated <- as.numeric(tabulate(ca[mis_claim], nbins = nrow(assets)) > 0)
pdate <- as.Date(pub, origin = "1970-01-01")
py <- as.integer(format(pdate, "%Y"))
pq <- (as.integer(format(pdate, "%m")) - 1L) %/% 3L + 1L
qb <- period_bounds(sprintf("%dQ%d", py, pq))
t_target <- to_num(targets$target)
t_actual <- to_num(targets$actual)
tkey <- paste(targets$owner_id, toupper(targets$period), sep = "\r")
tok <- !is.na(t_target) & t_target > 0
tkey[!tok] <- NA
hit <- match(paste(assets$owner_id, sprintf("%dQ%d", py, pq), sep = "\r"), tkey)
target_gap <- 1 - t_actual[hit] / t_target[hit]
col <- data.frame(misstated = misstated, target_gap = target_gap,
                  last_14_days = as.numeric(qb$end - pub < 14), owner = assets$owner_id)
col <- col[n_claims > 0 & !is.na(target_gap), , drop = FALSE]
note(nrow(col), " of ", nrow(assets), " assets in the collateral model, ",
     length(unique(col$owner)), " owners")
cm <- fit_logit("collateral", misstated ~ target_gap + last_14_days, col, col$owner,
                c("(Intercept)", "target_gap", "last_14_days"))

write_csv(rbind(pr$terms, dc$terms, cm$terms), "ref_models.csv")
write_csv(rbind(pr$summary, dc$summary, cm$summary), "ref_model_summary.csv")

# ---------------------------------------------------------------------------
# Correlations (SPEC 7.4): x varies slowest
# ---------------------------------------------------------------------------

xs <- c("marginal_rate", "effective_rate", "tier_cross", "gap_to_next_tier",
        "days_to_period_end", "spiff")
ys <- c("promise_risk", "risky_promises", "discount_pct")
cor_rows <- list()
for (x in xs) for (yv in ys) {
    a <- m[[x]]
    b <- m[[yv]]
    ok <- !is.na(a) & !is.na(b)
    a <- a[ok]
    b <- b[ok]
    ct <- cor.test(a, b, method = "pearson")
    cs <- cor.test(a, b, method = "spearman", exact = FALSE)
    cor_rows[[length(cor_rows) + 1]] <- data.frame(
        x = x, y = yv, n = sum(ok), pearson = unname(ct$estimate), pearson_p = ct$p.value,
        spearman = unname(cs$estimate), spearman_p = cs$p.value)
}
cors <- do.call(rbind, cor_rows)
cors$q <- p.adjust(cors$pearson_p, "BH")
write_csv(cors, "ref_correlations.csv")

# ---------------------------------------------------------------------------
# Timing (SPEC 7.5)
# ---------------------------------------------------------------------------

last14 <- m$day >= m$L - 14
nb <- ceiling(max(m$L) / 7)
O <- tabulate(m$day %/% 7 + 1, nbins = nb)
E <- numeric(nb)
for (i in seq_len(nb)) {
    lo <- 7 * (i - 1)
    days_in_bin <- pmax(0, pmin(m$L, lo + 7) - lo)
    E[i] <- sum(days_in_bin / m$L)
}
used <- E > 0
ct <- suppressWarnings(chisq.test(O[used], p = E[used] / sum(E[used])))
timing <- data.frame(
    key = c("n", "last_14_days_share", "expected_share", "last_14_days_deal_share",
            "expected_deal_share", "chi2", "df", "p",
            sprintf("observed_%d", seq_len(nb) - 1), sprintf("expected_%d", seq_len(nb) - 1)),
    value = c(nrow(m), sum(m$amount[last14]) / sum(m$amount),
              sum(m$amount * pmin(14, m$L) / m$L) / sum(m$amount),
              mean(last14), mean(pmin(14, m$L) / m$L),
              unname(ct$statistic), unname(ct$parameter), ct$p.value, O, E))
write_csv(timing, "ref_timing.csv")
note("written to ", out_dir)
