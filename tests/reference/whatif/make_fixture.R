# make_fixture.R - independent what-if predictions (SPEC 8) for tests/test_whatif.c: glm + predict on R-computed measures.
#
# Usage (from the repository root):
#   Rscript tests/reference/whatif/make_fixture.R tests/fixtures/whatif
#
# For the data set FIXTURE/data and each alternative plans file
# FIXTURE/alt_*.csv listed below, and for two selections (every won deal,
# and the latest fiscal quarter with won deals):
#   1. the SPEC 5/6 measures of every won deal under the current plans and
#      under the alternative are computed by tests/reference/reference_measures.R
#      (written from the spec, independently of compsight's C code), the
#      alternative by running it on a copy of the data whose plans.csv is
#      the alternative file;
#   2. the SPEC 7.1 model is fitted on the selected deals' current measures,
#      glm(promise_risk ~ marginal_rate + tier_cross + last_14_days +
#      log_amount + spiff + type[expansion] + type[renewal], binomial,
#      epsilon = 1e-12);
#   3. predict(type = "response") gives each selected deal's probability
#      under the current and the alternative measures.
# Writes FIXTURE/expected_totals.csv (selection, alt, key, value) with the
# sums SPEC 8 reports, and FIXTURE/expected_deals.csv with the per-deal
# predictions and commissions of a few deals.  Base R only (R 4.2.2); the C
# tests never run it.  See README.md.

options(warn = 1, stringsAsFactors = FALSE)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript make_fixture.R FIXTURE_DIR")
fixture <- args[1]
data_dir <- file.path(fixture, "data")
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
measures_script <- normalizePath(file.path(here, "..", "reference_measures.R"))
alts <- c("alt_tiers.csv", "alt_yearly.csv", "plans.csv")   # plans.csv: the identical alternative

rscript <- file.path(R.home("bin"), "Rscript")

# Measures of every won deal of dir via reference_measures.R.
measures <- function(dir) {
    out <- tempfile(fileext = ".csv")
    status <- system2(rscript, c(shQuote(measures_script), shQuote(dir), shQuote(out)),
                      stdout = FALSE, stderr = FALSE)
    if (status != 0) stop("reference_measures.R failed on ", dir)
    m <- read.csv(out, colClasses = c(deal_id = "character", period = "character"))
    unlink(out)
    m
}

# A copy of the data directory whose plans.csv is plans_file.
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
close_of <- setNames(as.Date(substr(deals_csv$close_date, 1, 10)), deals_csv$deal_id)

base <- measures(data_dir)
base$type <- unname(type_of[base$deal_id])
# Fiscal quarter of the close date (fiscal year = calendar year: --fiscal-start 1).
cd <- close_of[base$deal_id]
base$quarter <- sprintf("%sQ%d", format(cd, "%Y"), (as.integer(format(cd, "%m")) - 1L) %/% 3L + 1L)
latest <- max(base$quarter)          # labels of one format sort in time order

design <- function(m) {
    data.frame(promise_risk = m$promise_risk, marginal_rate = m$marginal_rate,
               tier_cross = m$tier_cross, last_14_days = m$last_14_days,
               log_amount = m$log_amount, spiff = m$spiff,
               type_expansion = as.numeric(m$type == "expansion"),
               type_renewal = as.numeric(m$type == "renewal"))
}
formula <- promise_risk ~ marginal_rate + tier_cross + last_14_days + log_amount + spiff +
    type_expansion + type_renewal

totals <- data.frame(selection = character(0), alt = character(0), key = character(0),
                     value = character(0))
per_deal <- NULL
fmt <- function(x) sprintf("%.17g", x)
add <- function(sel, alt, key, value)
    totals[nrow(totals) + 1, ] <<- list(sel, alt, key, fmt(value))

alt_measures <- lapply(alts, function(a) {
    src <- if (a == "plans.csv") file.path(data_dir, "plans.csv") else file.path(fixture, a)
    dir <- with_plans(src)
    m <- measures(dir)
    unlink(dir, recursive = TRUE)
    m$type <- unname(type_of[m$deal_id])
    m[match(base$deal_id, m$deal_id), ]
})
names(alt_measures) <- alts

for (sel in c("all", latest)) {
    rows <- if (sel == "all") rep(TRUE, nrow(base)) else base$quarter == sel
    b <- base[rows, ]
    fit <- glm(formula, family = binomial, data = design(b),
               control = glm.control(epsilon = 1e-12, maxit = 100))
    if (!fit$converged) stop("glm did not converge")
    cf <- coef(fit)
    for (nm in names(cf)) add(sel, "", paste0("coef:", nm), ifelse(is.na(cf[nm]), NaN, cf[nm]))
    p_base <- suppressWarnings(predict(fit, newdata = design(b), type = "response"))
    m_ratio <- sum(b$risky_promises) / sum(b$promise_risk)
    add(sel, "", "won_deals", nrow(b))
    add(sel, "", "observed_risky", sum(b$promise_risk))
    add(sel, "", "promises_per_risky", m_ratio)
    for (a in alts) {
        am <- alt_measures[[a]][rows, ]
        stopifnot(identical(am$deal_id, b$deal_id))
        p_alt <- suppressWarnings(predict(fit, newdata = design(am), type = "response"))
        add(sel, a, "base_risky", sum(p_base))
        add(sel, a, "alt_risky", sum(p_alt))
        add(sel, a, "risky_diff", sum(p_alt - p_base))
        add(sel, a, "base_risky_promises", sum(p_base) * m_ratio)
        add(sel, a, "alt_risky_promises", sum(p_alt) * m_ratio)
        add(sel, a, "base_commission", sum(b$commission))
        add(sel, a, "alt_commission", sum(am$commission))
        add(sel, a, "commission_diff", sum(am$commission - b$commission))
        add(sel, a, "changed_rows", sum(am$marginal_rate != b$marginal_rate |
                                        am$tier_cross != b$tier_cross |
                                        am$last_14_days != b$last_14_days))
        # A few deals: the first five whose prediction moved, and the first three that did not.
        moved <- which(abs(p_alt - p_base) > 0)
        still <- which(p_alt == p_base)
        pick <- c(head(moved, 5), head(still, 3))
        if (length(pick))
            per_deal <- rbind(per_deal, data.frame(
                selection = sel, alt = a, deal_id = b$deal_id[pick],
                p_base = fmt(p_base[pick]), p_alt = fmt(p_alt[pick]),
                commission_base = fmt(b$commission[pick]), commission_alt = fmt(am$commission[pick])))
    }
}

write_csv <- function(df, path) {
    con <- file(path, open = "wb")
    writeLines(c(paste(names(df), collapse = ","),
                 do.call(paste, c(unname(as.list(df)), sep = ","))), con, sep = "\n")
    close(con)
}
write_csv(totals, file.path(fixture, "expected_totals.csv"))
write_csv(per_deal, file.path(fixture, "expected_deals.csv"))
message("make_fixture: wrote ", nrow(totals), " totals and ", nrow(per_deal), " deal rows; latest quarter ", latest)
