# analyst.R - the analyst's data.table script that bench/compare.sh times against `compsight report --period all`.
#
# Usage:  Rscript bench/analyst.R DATA_DIR OUT_CSV [SEED [FISCAL_START]]
#
# What a competent analyst would write in R with data.table to get the
# figures of `compsight report --period all` (SPEC sections 5 to 7) from a
# data directory in the SPEC section 1 format (default file and column
# names, no --map, ISO dates, plain numbers; a leading currency sign,
# thousands commas and a trailing % are tolerated):
#
#   import    the eleven CSV files with fread (only the columns the
#             analysis needs: a competent analyst skips the free-text ones);
#   SPEC 5    per won deal: plan period (fiscal quarter or year), quota
#             (quotas.csv override, else the plan's), attainment before the
#             deal in (close_date, deal_id byte order) within the rep-period,
#             marginal_rate, commission, effective_rate, tier_cross,
#             gap_to_next_tier, days_to_period_end, last_14_days, spiff,
#             log_amount;
#   SPEC 6    promise classes, risky_promises, promise_risk; misstated
#             assets, target_gap, asset last_14_days;
#   SPEC 7.1-7.3  glm(binomial) / lm with sandwich::vcovCL cluster SEs
#             (defaults: HC0 for glm, HC1 for lm, G/(G-1));
#   SPEC 7.4  the 6 x 3 cor.test grid (Pearson; Spearman as cor.test on
#             frank() ranks, which is method = "spearman", exact = FALSE)
#             and p.adjust(BH);
#   SPEC 7.5  bookings share in the last 14 days, its uniform expectation,
#             chisq.test over week-of-period bins;
#   SPEC 7.6  bunching per plan floor and placebo, degree-5 polynomial,
#             500 residual-bootstrap draws;
#   SPEC 7.7  Wilson rates per team and plan; empirical-Bayes beta-binomial
#             fit over reps (optim);
#   SPEC 7.8  voice of the field;
#   SPEC 7.9  reconciliation against commissions.csv; also month-end
#             heaping and the by-quarter trend that the report carries.
#
# It writes no report: only OUT_CSV, two columns `figure,value` (numbers
# with 17 significant digits, NA for missing), and one summary line on
# standard error.  Figure names follow results.json (for example
# `models.promise_risk.marginal_rate.se_cluster`,
# `correlations.spearman.days_to_period_end.discount_pct`,
# `bunching.MM-Q.1.excess_mass`, `bunching.MM-Q.0.75.placebo.excess_mass`);
# `time.<step>` rows give the seconds each step took.
#
# The bootstrap uses R's RNG (set.seed(SEED + i) for estimate i, in
# compsight's order), so bunching SEs agree with compsight's in
# distribution only.  The deal and promise sums use R's sum/cumsum, which
# accumulate in long double where compsight uses double: differences are
# at the 1e-16 relative level.
#
# Needs R >= 4 with data.table and sandwich (Debian: r-cran-data.table,
# r-cran-sandwich).  data.table runs on every core (setDTthreads(0)), like
# compsight, which uses both cores of the benchmark VM in places.

t_start <- proc.time()[["elapsed"]]
options(warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages({
    library(data.table)
    library(sandwich)
})
setDTthreads(0L)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2L || length(args) > 4L)
    stop("usage: Rscript analyst.R DATA_DIR OUT_CSV [SEED [FISCAL_START]]")
data_dir <- args[1L]
out_csv <- args[2L]
seed <- if (length(args) >= 3L) as.numeric(args[3L]) else 1
fiscal_start <- if (length(args) >= 4L) as.integer(args[4L]) else 1L
stopifnot(!is.na(seed), !is.na(fiscal_start), fiscal_start >= 1L, fiscal_start <= 12L)

Z95 <- 1.959964
DRAWS <- 500L

# ---------------------------------------------------------------------------
# Output: figure,value rows, collected as we go
# ---------------------------------------------------------------------------

out_key <- character(0)
out_val <- character(0)
put <- function(key, value) {
    v <- if (is.logical(value)) ifelse(is.na(value), "NA", ifelse(value, "1", "0"))
         else if (is.numeric(value)) ifelse(is.finite(value), sprintf("%.17g", value), "NA")
         else as.character(value)
    out_key <<- c(out_key, key)
    out_val <<- c(out_val, v)
}
t_last <- t_start
lap <- function(step) {
    now <- proc.time()[["elapsed"]]
    put(paste0("time.", step), now - t_last)
    t_last <<- now
}

# ---------------------------------------------------------------------------
# Import (SPEC 1, 2)
# ---------------------------------------------------------------------------

# fread one file: header names trimmed and lower-cased, only `cols` (the
# lower-case names wanted; all when NULL), ids as text, blank cells NA.
read_csv <- function(name, cols = NULL, ids = character(0), required = TRUE) {
    path <- file.path(data_dir, name)
    if (!file.exists(path)) {
        if (required) stop("missing ", path)
        return(NULL)
    }
    hdr <- names(fread(path, nrows = 0L))
    low <- tolower(trimws(hdr))
    keep <- if (is.null(cols)) rep(TRUE, length(hdr)) else low %in% cols
    idc <- hdr[keep & low %in% ids]
    dt <- fread(path, select = hdr[keep], na.strings = "", strip.white = TRUE,
                colClasses = if (length(idc)) list(character = idc) else NULL,
                showProgress = FALSE)
    setnames(dt, tolower(trimws(names(dt))))
    dt
}

# Apply f to the distinct values only (enumerations, dates: few of them).
by_unique <- function(x, f) {
    u <- unique(x)
    f(u)[match(x, u)]
}
num <- function(x) {
    if (is.numeric(x)) return(as.numeric(x))
    by_unique(x, function(u) suppressWarnings(as.numeric(gsub("[$,%\u20ac\u00a3 ]", "", u))))
}
day <- function(x) {
    if (inherits(x, "IDate")) return(x)
    if (inherits(x, "POSIXt") || inherits(x, "Date")) return(as.IDate(x))
    by_unique(as.character(x), function(u) as.IDate(substr(u, 1L, 10L), format = "%Y-%m-%d"))
}
enum <- function(x) by_unique(x, function(u) {
    v <- gsub("[[:space:]_]+", "", tolower(u))
    v[v == "closedwon"] <- "won"
    v[v == "closedlost"] <- "lost"
    v
})
blank_na <- function(x) { x[!is.na(x) & x == ""] <- NA; x }

plans <- read_csv("plans.csv", ids = "plan_id")
reps <- read_csv("reps.csv", c("rep_id", "team", "plan_id"), ids = c("rep_id", "team", "plan_id"))
deals <- read_csv("deals.csv", c("deal_id", "rep_id", "type", "product", "amount",
                                 "discount_pct", "close_date", "stage"),
                  ids = c("deal_id", "rep_id", "product"))
quotas <- read_csv("quotas.csv", ids = c("rep_id", "period"), required = FALSE)
spiffs <- read_csv("spiffs.csv", c("product", "start_date", "end_date"), ids = "product",
                   required = FALSE)
commissions <- read_csv("commissions.csv", c("deal_id", "commission"), ids = "deal_id",
                        required = FALSE)
roadmap <- read_csv("roadmap.csv", c("feature_id", "title", "status", "target_date", "shipped_date"),
                    ids = "feature_id", required = FALSE)
promises <- read_csv("promises.csv", c("deal_id", "feature_id", "due_date", "text"),
                     ids = c("deal_id", "feature_id"), required = FALSE)
collateral <- read_csv("collateral.csv", c("asset_id", "owner_id", "published_date"),
                       ids = c("asset_id", "owner_id"), required = FALSE)
claims <- read_csv("claims.csv", c("asset_id", "feature_id", "claim"),
                   ids = c("asset_id", "feature_id"), required = FALSE)
targets <- read_csv("targets.csv", ids = c("owner_id", "period"), required = FALSE)
# Optional columns that an export may leave out: present, all blank.
optional <- function(dt, cols, empty) {
    if (!is.null(dt)) for (v in setdiff(cols, names(dt))) set(dt, j = v, value = rep(empty, nrow(dt)))
    dt
}
deals <- optional(deals, c("product", "type"), NA_character_)
deals <- optional(deals, "discount_pct", NA_real_)
promises <- optional(promises, c("feature_id", "due_date", "text"), NA_character_)
claims <- optional(claims, "feature_id", NA_character_)
if (is.null(roadmap) && !is.null(claims))
    roadmap <- data.table(feature_id = character(0), status = character(0))
roadmap <- optional(roadmap, c("title", "target_date", "shipped_date"), NA_character_)
lap("import")

# ---------------------------------------------------------------------------
# Fiscal calendar (SPEC 4), computed once per distinct date
# ---------------------------------------------------------------------------

first_of <- function(am) as.IDate(sprintf("%04d-%02d-01", am %/% 12L, am %% 12L + 1L))
calendar <- function(d) {
    y <- year(d)
    m <- month(d)
    fm <- (m - fiscal_start) %% 12L                 # fiscal month 0..11
    fy <- y + (m - 1L - fm + 11L) %/% 12L            # named by the year it ends in
    q <- fm %/% 3L + 1L
    am <- y * 12L + m - 1L                           # absolute month
    qs <- am - fm %% 3L
    ys <- am - fm
    data.table(d = d, fy = fy, q = q, qlabel = sprintf("%dQ%d", fy, q),
               q_start = first_of(qs), q_end = first_of(qs + 3L) - 1L,
               y_start = first_of(ys), y_end = first_of(ys + 12L) - 1L)
}
cal_of <- function(dates) {
    u <- unique(dates)
    u <- u[!is.na(u)]
    cal <- calendar(u)
    cal[match(dates, u)]
}

# ---------------------------------------------------------------------------
# SPEC 5: incentive measures of every won deal
# ---------------------------------------------------------------------------

plans[, `:=`(period_type = enum(period_type), quota = num(quota), tier_floor = num(tier_floor),
             rate = num(rate))]
setorder(plans, plan_id, tier_floor)
plan_tab <- plans[, .(yearly = period_type[1L] == "year", quota = quota[1L], tiers = .N), by = plan_id]
K <- max(plan_tab$tiers)
FL <- matrix(NA_real_, nrow(plan_tab), K)           # floors, sorted, NA-padded
RT <- matrix(0, nrow(plan_tab), K)                  # rates, 0-padded
plans[, k := seq_len(.N), by = plan_id]
pidx <- match(plans$plan_id, plan_tab$plan_id)
FL[cbind(pidx, plans$k)] <- plans$tier_floor
RT[cbind(pidx, plans$k)] <- plans$rate

reps[, plan_id := blank_na(plan_id)]
deals[, `:=`(stage = enum(stage), type = enum(type), amount = num(amount),
             discount_pct = num(discount_pct), close = day(close_date))]
deals[, close_date := NULL]
deals <- deals[!duplicated(deal_id)]
won <- deals[stage == "won" & !is.na(amount) & amount > 0 & !is.na(close)]
won[reps, on = "rep_id", `:=`(plan_id = i.plan_id, team = i.team)]
won <- won[!is.na(plan_id) & plan_id %in% plan_tab$plan_id]
won[, `:=`(stage = NULL, pix = match(plan_id, plan_tab$plan_id))]
won[, yearly := plan_tab$yearly[pix]]

cal <- cal_of(won$close)
won[, `:=`(quarter = cal$qlabel,
           period = ifelse(yearly, as.character(cal$fy), cal$qlabel),
           p_start = fifelse(yearly, cal$y_start, cal$q_start),
           p_end = fifelse(yearly, cal$y_end, cal$q_end))]
rm(cal)

# Quota: the first quotas.csv row for (rep, period label), else the plan's.
won[, Q := plan_tab$quota[pix]]
if (!is.null(quotas) && nrow(quotas)) {
    qo <- quotas[, .(rep_id, period = toupper(period), quota = num(quota))][!is.na(quota) & quota > 0]
    qo <- qo[!duplicated(qo, by = c("rep_id", "period"))]
    won[qo, on = c("rep_id", "period"), Q := i.quota]
}

# Attainment in (close_date, deal_id byte order) within each rep-period;
# data.table sorts text in the C locale, i.e. by bytes.
setorder(won, rep_id, period, close, deal_id)
won[, rp := rleid(rep_id, period)]
won[, cum := cumsum(amount), by = rp]
first <- c(TRUE, won$rp[-1L] != won$rp[-nrow(won)])
won[, a0 := shift(cum, fill = 0)]
won[first, a0 := 0]
won[, `:=`(a0 = a0 / Q, cum = NULL)]
won[, a1 := a0 + amount / Q]

# Tiers: the containing tier is the last whose floor is <= a0.
n_won <- nrow(won)
pix <- won$pix
a0 <- won$a0
a1 <- won$a1
kstar <- rep(1L, n_won)
if (K > 1L) for (k in 2:K) kstar <- kstar + (!is.na(FL[pix, k]) & FL[pix, k] <= a0)
next_floor <- rep(NA_real_, n_won)
has_next <- kstar < K
next_floor[has_next] <- FL[cbind(pix[has_next], kstar[has_next] + 1L)]
acc <- numeric(n_won)
for (k in seq_len(K)) {
    lo <- pmax(FL[pix, k], a0)
    hi <- if (k < K) pmin(a1, FL[pix, k + 1L], na.rm = TRUE) else a1
    len <- hi - lo
    len[is.na(len) | len <= 0] <- 0
    acc <- acc + RT[pix, k] * len
}
won[, `:=`(marginal_rate = RT[cbind(pix, kstar)],
           commission = Q * acc,
           gap_to_next_tier = next_floor - a0,
           tier_cross = as.integer(!is.na(next_floor) & next_floor > 0 & next_floor <= a1))]
won[, effective_rate := commission / amount]
# No floor strictly inside (a0, a1): paid at one rate, exactly.
one_tier <- is.na(next_floor) | next_floor >= a1
won[one_tier, `:=`(commission = marginal_rate * amount, effective_rate = marginal_rate)]
rm(kstar, next_floor, has_next, acc, lo, hi, len, one_tier, a0, a1, pix)

won[, `:=`(days_to_period_end = as.integer(p_end - close),
           day_of_period = as.integer(close - p_start),
           L = as.integer(p_end - p_start) + 1L,
           log_amount = log(amount),
           spiff = 0L)]
won[, last_14_days := as.integer(days_to_period_end < 14L)]
if (!is.null(spiffs) && nrow(spiffs)) {
    spiffs[, `:=`(s = day(start_date), e = day(end_date))]
    for (j in seq_len(nrow(spiffs)))
        won[product == spiffs$product[j] & close >= spiffs$s[j] & close <= spiffs$e[j], spiff := 1L]
}

# Final attainment of every rep-period (SPEC 5), for bunching.
rep_periods <- won[, .(A = sum(amount) / Q[1L]), by = .(rp, plan_id)]
lap("incentives")

# ---------------------------------------------------------------------------
# SPEC 6: promises and collateral
# ---------------------------------------------------------------------------

promise_data <- !is.null(roadmap) && !is.null(promises)
won[, risky_promises := 0L]
if (promise_data) {
    roadmap[, `:=`(status = enum(status), target = day(target_date), shipped = day(shipped_date))]
    promises[, feature_id := blank_na(feature_id)]
    promises[roadmap, on = "feature_id", `:=`(status = i.status, target = i.target)]
    promises[, due := day(due_date)]
    promises[, class := fifelse(is.na(status) | status %in% c("exploring", "notplanned"), "off_roadmap",
                        fifelse(status %in% c("planned", "committed") & !is.na(due) & !is.na(target) &
                                due < target, "premature", "on_roadmap"))]
    rp_count <- promises[class != "on_roadmap", .N, by = deal_id]
    won[rp_count, on = "deal_id", risky_promises := i.N]
    rm(rp_count)
}
won[, promise_risk := as.integer(risky_promises > 0L)]

collateral_data <- !is.null(collateral) && !is.null(claims) && !is.null(targets)
if (collateral_data) {
    collateral[, pub := day(published_date)]
    cc <- cal_of(collateral$pub)
    collateral[, `:=`(quarter = cc$qlabel, last_14_days = as.integer(cc$q_end - pub < 14L))]
    claims[, `:=`(feature_id = blank_na(feature_id), claim = enum(claim))]
    claims[roadmap, on = "feature_id", `:=`(status = i.status, shipped = i.shipped)]
    claims[collateral, on = "asset_id", pub := i.pub]
    claims[, misstated := fifelse(claim == "available",
                                  is.na(status) | status != "shipped" | (!is.na(shipped) & shipped > pub),
                                  is.na(status) | status %in% c("exploring", "notplanned"))]
    per_asset <- claims[, .(n_claims = .N, misstated = as.integer(any(misstated))), by = asset_id]
    collateral[per_asset, on = "asset_id", `:=`(n_claims = i.n_claims, misstated = i.misstated)]
    tg <- targets[, .(owner_id, quarter = toupper(period), target = num(target), actual = num(actual))]
    tg <- tg[!is.na(target) & target > 0]
    tg <- tg[!duplicated(tg, by = c("owner_id", "quarter"))]
    collateral[tg, on = c("owner_id", "quarter"), target_gap := 1 - i.actual / i.target]
    if (!"target_gap" %in% names(collateral)) collateral[, target_gap := NA_real_]
}
lap("outcomes")

# ---------------------------------------------------------------------------
# SPEC 7.1-7.3: models with cluster-robust SEs
# ---------------------------------------------------------------------------

deal_terms <- c("marginal_rate", "tier_cross", "last_14_days", "log_amount", "spiff",
                "type_expansion", "type_renewal")
term_name <- c(marginal_rate = "marginal_rate", tier_cross = "tier_cross",
               last_14_days = "last_14_days", log_amount = "log_amount", spiff = "spiff",
               type_expansion = "type[expansion]", type_renewal = "type[renewal]",
               target_gap = "target_gap", "(Intercept)" = "(Intercept)")
won[, `:=`(type_expansion = as.integer(type == "expansion"),
           type_renewal = as.integer(type == "renewal"))]

fit_model <- function(name, y, terms, data, cluster, logit) {
    # A term with no variation is dropped (SPEC 7).
    varies <- vapply(terms, function(v) { x <- data[[v]]; any(x != x[1L]) }, logical(1))
    dropped <- terms[!varies]
    f <- reformulate(terms[varies], response = y)
    if (logit) {
        fit <- glm(f, family = binomial, data = data,
                   control = glm.control(epsilon = 1e-10, maxit = 100))
        put(paste0("models.", name, ".deviance"), fit$deviance)
        put(paste0("models.", name, ".null_deviance"), fit$null.deviance)
        put(paste0("models.", name, ".converged"), fit$converged)
        put(paste0("models.", name, ".iterations"), fit$iter)
    } else {
        fit <- lm(f, data = data)
        put(paste0("models.", name, ".rss"), sum(residuals(fit)^2))
    }
    b <- coef(fit)
    se <- sqrt(diag(vcov(fit)))
    sec <- sqrt(diag(vcovCL(fit, cluster = cluster)))
    z <- b / sec
    put(paste0("models.", name, ".n"), nobs(fit))
    put(paste0("models.", name, ".clusters"), uniqueN(cluster))
    put(paste0("models.", name, ".dropped"), paste(term_name[dropped], collapse = ";"))
    for (j in seq_along(b)) {
        key <- paste0("models.", name, ".", term_name[[names(b)[j]]], ".")
        put(paste0(key, "estimate"), b[[j]])
        put(paste0(key, "se"), se[[j]])
        put(paste0(key, "se_cluster"), sec[[j]])
        put(paste0(key, "z"), z[[j]])
        put(paste0(key, "p"), 2 * pnorm(-abs(z[[j]])))
        put(paste0(key, "ci_low"), b[[j]] - Z95 * sec[[j]])
        put(paste0(key, "ci_high"), b[[j]] + Z95 * sec[[j]])
        if (logit) {
            put(paste0(key, "odds_ratio"), exp(b[[j]]))
            put(paste0(key, "or_low"), exp(b[[j]] - Z95 * sec[[j]]))
            put(paste0(key, "or_high"), exp(b[[j]] + Z95 * sec[[j]]))
        }
    }
    invisible(NULL)
}

if (promise_data)
    fit_model("promise_risk", "promise_risk", deal_terms, won, won$rep_id, TRUE)
lap("model_promise_risk")
dsub <- won[!is.na(discount_pct)]
if (nrow(dsub)) fit_model("discount", "discount_pct", deal_terms, dsub, dsub$rep_id, FALSE)
rm(dsub)
lap("model_discount")
if (collateral_data) {
    cm <- collateral[!is.na(n_claims) & !is.na(target_gap) & !is.na(last_14_days)]
    if (nrow(cm)) fit_model("collateral", "misstated", c("target_gap", "last_14_days"), cm,
                            cm$owner_id, TRUE)
}
lap("model_collateral")

# ---------------------------------------------------------------------------
# SPEC 7.4: correlation grid, BH over the 18 pairs
# ---------------------------------------------------------------------------

xs <- c("marginal_rate", "effective_rate", "tier_cross", "gap_to_next_tier",
        "days_to_period_end", "spiff")
ys <- c("promise_risk", "risky_promises", "discount_pct")
grid <- CJ(x = xs, y = ys, sorted = FALSE)
grid[, c("n", "pearson", "pearson_p", "spearman", "spearman_p") := NA_real_]
# Spearman: cor.test(method = "spearman", exact = FALSE) is the Pearson
# t-test on average ranks; ranking each variable once per set of complete
# rows (frank) instead of twice per pair saves most of this step's time.
ranks <- list()
ranked <- function(v, ok, tag) {
    key <- paste(v, tag)
    if (is.null(ranks[[key]])) ranks[[key]] <<- frank(won[[v]][ok], ties.method = "average")
    ranks[[key]]
}
for (r in seq_len(nrow(grid))) {
    x <- grid$x[r]
    y <- grid$y[r]
    a <- won[[x]]
    b <- won[[y]]
    ok <- !is.na(a) & !is.na(b)
    tag <- paste(if (anyNA(a)) x, if (anyNA(b)) y)   # which NA pattern defines the rows
    a <- as.numeric(a[ok])
    b <- as.numeric(b[ok])
    set(grid, r, "n", sum(ok))
    if (sum(ok) < 3L || var(a) == 0 || var(b) == 0) next
    cp <- cor.test(a, b, method = "pearson")
    cs <- cor.test(ranked(x, ok, tag), ranked(y, ok, tag), method = "pearson")
    set(grid, r, c("pearson", "pearson_p", "spearman", "spearman_p"),
        list(unname(cp$estimate), cp$p.value, unname(cs$estimate), cs$p.value))
}
rm(ranks)
grid[, q := p.adjust(pearson_p, "BH")]
for (r in seq_len(nrow(grid)))
    for (v in c("n", "pearson", "pearson_p", "spearman", "spearman_p", "q"))
        put(sprintf("correlations.%s.%s.%s", v, grid$x[r], grid$y[r]), grid[[v]][r])
lap("correlations")

# ---------------------------------------------------------------------------
# SPEC 7.5: timing
# ---------------------------------------------------------------------------

tm <- won[, .(amount, L, day_of_period)]
tail14 <- pmin(14L, tm$L) / tm$L
put("timing.n", nrow(tm))
put("timing.last_14_days_share", tm[day_of_period >= L - 14L, sum(amount)] / sum(tm$amount))
put("timing.expected_share", sum(tm$amount * tail14) / sum(tm$amount))
put("timing.last_14_days_deal_share", tm[, mean(day_of_period >= L - 14L)])
put("timing.expected_deal_share", mean(tail14))
nb <- (max(tm$L) + 6L) %/% 7L
O <- tabulate(tm$day_of_period %/% 7L + 1L, nbins = nb)
E <- numeric(nb)
by_len <- tm[, .N, by = L]                          # expected count: per period length
lo <- 7L * (seq_len(nb) - 1L)
for (r in seq_len(nrow(by_len)))
    E <- E + by_len$N[r] * pmax(0L, pmin(by_len$L[r], lo + 7L) - lo) / by_len$L[r]
used <- E > 0
ct <- suppressWarnings(chisq.test(O[used], p = E[used] / sum(E[used])))
put("timing.chi2", unname(ct$statistic))
put("timing.df", unname(ct$parameter))
put("timing.p", ct$p.value)
rm(tm, tail14)
lap("timing")

# ---------------------------------------------------------------------------
# SPEC 7.6: bunching at every plan floor > 0, and its placebo at f - 0.25
# ---------------------------------------------------------------------------

# Bins j = 0..39 of width 0.02 over [f - 0.40, f + 0.40), anchored at f;
# window j = 17..22; degree-5 polynomial in (centre - f) fitted to the
# other 34 bins.  The fit is linear in the counts: fitted = P %*% counts[fit
# bins], so the 500 bootstrap refits are one matrix product.
jj <- 0:39
u <- (jj - 19.5) * 0.02
win <- jj >= 17L & jj <= 22L
above <- win & jj >= 20L
below <- win & jj < 20L
Xall <- outer(u / 0.4, 0:5, `^`)
Xfit <- Xall[!win, , drop = FALSE]
P <- Xall %*% solve(crossprod(Xfit), t(Xfit))       # 40 x 34

bunch <- function(A, f, s) {
    t <- floor((A - f) / 0.02 + 1e-9) + 20
    inr <- t >= 0 & t < 40
    count <- tabulate(t[inr] + 1L, 40L)
    res <- list(n = length(A), n_binned = sum(inr))
    if (sum(inr) < 30L || sum(count[!win] > 0) < 6L) return(res)
    fit <- as.vector(P %*% count[!win])
    resid <- (count - fit)[!win]
    wm <- mean(fit[win])
    res$excess_mass <- sum(count[above] - fit[above])
    res$missing_mass <- sum(fit[below] - count[below])
    res$b <- if (wm > 0) res$excess_mass / wm else NA_real_
    set.seed(s)
    Y <- count + matrix(sample(resid, 40L * DRAWS, replace = TRUE), 40L, DRAWS)
    Fd <- P %*% Y[!win, , drop = FALSE]
    dB <- colSums(Y[above, ] - Fd[above, ])
    dM <- colSums(Fd[below, ] - Y[below, ])
    dw <- colMeans(Fd[win, ])
    res$excess_mass_se <- sd(dB)
    res$missing_mass_se <- sd(dM)
    res$b_se <- sd(dB[dw > 0] / dw[dw > 0])
    if (res$excess_mass_se > 1e-9 * (1 + abs(wm))) {
        res$z <- res$excess_mass / res$excess_mass_se
        res$p <- 2 * pnorm(-abs(res$z))
    }
    res
}

i_est <- 0
for (p in seq_len(nrow(plan_tab))) {
    pid <- plan_tab$plan_id[p]
    A <- rep_periods[plan_id == pid, A]
    for (k in seq_len(plan_tab$tiers[p])[-1L]) {
        f <- FL[p, k]
        for (placebo in c(FALSE, TRUE)) {
            r <- bunch(A, if (placebo) f - 0.25 else f, seed + i_est)
            i_est <- i_est + 1
            key <- sprintf("bunching.%s.%s%s.", pid, format(if (placebo) f - 0.25 else f),
                           if (placebo) ".placebo" else "")
            for (v in c("n", "n_binned", "excess_mass", "excess_mass_se", "missing_mass",
                        "missing_mass_se", "b", "b_se", "z", "p"))
                put(paste0(key, v), if (is.null(r[[v]])) NA_real_ else r[[v]])
        }
    }
}
lap("bunching")

# ---------------------------------------------------------------------------
# SPEC 7.7: Wilson rates per team and plan; beta-binomial over reps
# ---------------------------------------------------------------------------

wilson <- function(k, n) {
    k <- as.numeric(k)                              # k * (n - k) overflows integers
    n <- as.numeric(n)
    z2 <- Z95^2
    centre <- (k + z2 / 2) / (n + z2)
    half <- Z95 * sqrt(k * (n - k) / n + z2 / 4) / (n + z2)
    list(rate = k / n, low = ifelse(k == 0, 0, pmax(0, centre - half)),
         high = ifelse(k == n, 1, pmin(1, centre + half)))
}
for (g in c("team", "plan_id")) {
    rt <- won[, .(deals = .N, risky = sum(promise_risk)), by = g]
    w <- wilson(rt$risky, rt$deals)
    for (r in seq_len(nrow(rt))) {
        key <- sprintf("rates.%s.%s.", if (g == "team") "team" else "plan", rt[[g]][r])
        put(paste0(key, "deals"), rt$deals[r])
        put(paste0(key, "risky"), rt$risky[r])
        put(paste0(key, "rate"), w$rate[r])
        put(paste0(key, "ci_low"), w$low[r])
        put(paste0(key, "ci_high"), w$high[r])
    }
}

# Empirical Bayes (METHODS.md): ML of the beta-binomial over reps, from the
# noise-corrected moment estimate; pooled when rho <= 0.
if (promise_data) {
    rr <- won[, .(x = sum(promise_risk), n = .N), by = rep_id]
    x <- rr$x
    nn <- rr$n
    pooled_rate <- sum(x) / sum(nn)
    raw <- x / nn
    mu <- mean(raw)
    m1 <- mean(1 / nn)
    rho0 <- (var(raw) / (mu * (1 - mu)) - m1) / (1 - m1)
    lch <- lchoose(nn, x)
    nll_pooled <- -sum(lch + x * log(pooled_rate) + (nn - x) * log1p(-pooled_rate))
    put("rep_shrinkage.reps", nrow(rr))
    put("rep_shrinkage.pooled_rate", pooled_rate)
    if (is.finite(rho0) && rho0 > 0) {
        nll <- function(th) {
            a <- exp(th[1L]); b <- exp(th[2L])
            -sum(lch + lbeta(x + a, nn - x + b) - lbeta(a, b))
        }
        prec <- 1 / min(rho0, 0.99) - 1
        opt <- optim(log(c(mu * prec, (1 - mu) * prec)), nll, method = "BFGS",
                     control = list(reltol = 1e-14, maxit = 500))
        a <- exp(opt$par[1L]); b <- exp(opt$par[2L])
        lr <- max(0, 2 * (nll_pooled - opt$value))
        put("rep_shrinkage.pooled", FALSE)
        put("rep_shrinkage.alpha", a)
        put("rep_shrinkage.beta", b)
        put("rep_shrinkage.rho", 1 / (a + b + 1))
        put("rep_shrinkage.overdispersion_lr", lr)
        put("rep_shrinkage.overdispersion_p", 0.5 * pchisq(lr, 1, lower.tail = FALSE))
        post <- (x + a) / (nn + a + b)
        put("rep_shrinkage.posterior_mean_max", max(post))
    } else {
        put("rep_shrinkage.pooled", TRUE)
    }
}
lap("rates")

# ---------------------------------------------------------------------------
# SPEC 7.8: voice of the field
# ---------------------------------------------------------------------------

if (promise_data) {
    norm_text <- function(s) {
        s <- chartr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", s)
        gsub("[ \t\r\n\v\f]+", " ", trimws(s, whitespace = "[ \t\r\n\v\f]"))
    }
    vf <- promises[class != "on_roadmap", .(deal_id, feature_id, text, class)]
    vf[won, on = "deal_id", amount := i.amount]
    vf <- vf[!is.na(amount)]
    vf[, key := fifelse(is.na(feature_id), paste0("t:", by_unique(fifelse(is.na(text), "", text), norm_text)),
                        paste0("f:", feature_id))]
    voice <- vf[, .(promises = .N, off_roadmap = sum(class == "off_roadmap"),
                    premature = sum(class == "premature")), by = key]
    books <- unique(vf, by = c("key", "deal_id"))[, .(deals = .N, bookings = sum(amount)), by = key]
    voice[books, on = "key", `:=`(deals = i.deals, bookings = i.bookings)]
    setorder(voice, -bookings, -promises, key)
    put("voice.groups", nrow(voice))
    for (r in seq_len(min(10L, nrow(voice)))) {
        key <- sprintf("voice.%d.", r)
        put(paste0(key, "key"), voice$key[r])
        put(paste0(key, "promises"), voice$promises[r])
        put(paste0(key, "off_roadmap"), voice$off_roadmap[r])
        put(paste0(key, "premature"), voice$premature[r])
        put(paste0(key, "deals"), voice$deals[r])
        put(paste0(key, "bookings"), voice$bookings[r])
    }
    rm(vf, books)
}
lap("voice")

# ---------------------------------------------------------------------------
# SPEC 7.9 reconciliation; data warnings; by-quarter trend
# ---------------------------------------------------------------------------

if (!is.null(commissions) && nrow(commissions)) {
    paid <- commissions[, .(paid = sum(num(commission))), by = deal_id]
    rc <- won[paid, on = "deal_id", nomatch = NULL, .(deal_id, paid = i.paid, computed = commission)]
    rc[, gap := paid - computed]
    within <- rc[, abs(gap) <= 0.01 * pmax(abs(computed), 0.5)]
    put("reconciliation.compared", nrow(rc))
    put("reconciliation.within_1pct", sum(within))
    put("reconciliation.share_within_1pct", mean(within))
    put("reconciliation.paid_total", sum(rc$paid))
    put("reconciliation.computed_total", sum(rc$computed))
    put("reconciliation.largest_gap", rc[which.max(abs(gap)), gap])
    rm(paid, rc, within)
}

month_end <- won[, mday(close + 1L) == 1L]
span <- seq(min(won$close), max(won$close), by = 1L)
expected_me <- mean(mday(span + 1L) == 1L)
put("data_warnings.month_end_heaping.month_end", sum(month_end))
put("data_warnings.month_end_heaping.share", mean(month_end))
put("data_warnings.month_end_heaping.expected", expected_me)
put("data_warnings.month_end_heaping.p",
    pbinom(sum(month_end) - 1, length(month_end), expected_me, lower.tail = FALSE))

quarters <- won[, .(won_deals = .N, risky_deals = sum(promise_risk), bookings = sum(amount)),
                keyby = quarter]
for (r in seq_len(nrow(quarters))) {
    key <- sprintf("quarters.%s.", quarters$quarter[r])
    put(paste0(key, "won_deals"), quarters$won_deals[r])
    put(paste0(key, "risky_deals"), quarters$risky_deals[r])
    put(paste0(key, "bookings"), quarters$bookings[r])
}
put("counts.won_deals", n_won)
put("counts.risky_deals", sum(won$promise_risk))
put("counts.rep_periods", nrow(rep_periods))
lap("rest")

put("time.total", proc.time()[["elapsed"]] - t_start)
# For checking only (not part of the timed work): ANALYST_DEALS=FILE writes
# the SPEC 5/6 measures per won deal, sorted by deal_id, like `compsight deals`.
deals_out <- Sys.getenv("ANALYST_DEALS")
if (nzchar(deals_out)) {
    setorder(won, deal_id)
    fwrite(won[, .(deal_id, period, attainment_before = a0, marginal_rate, commission,
                   effective_rate, tier_cross, gap_to_next_tier, days_to_period_end,
                   last_14_days, spiff, log_amount, risky_promises, promise_risk)],
           deals_out, na = "", dec = ".", scipen = 0L)
}
fwrite(data.table(figure = out_key, value = out_val), out_csv, quote = TRUE)
message(sprintf("analyst.R: %d won deals, %d rep-periods, %d figures in %.1f s -> %s",
                n_won, nrow(rep_periods), length(out_key),
                proc.time()[["elapsed"]] - t_start, out_csv))
