# reference_measures.R - independent recomputation of compsight's per-deal measures (SPEC 5 and 6) in base R.
#
# Usage:  Rscript reference_measures.R DATA_DIR OUT_CSV [FISCAL_START]
#
# Reads the SPEC section 1 CSV files of DATA_DIR (ISO dates, plain numbers,
# standard column names; no --map) and writes, for every won deal, the
# section 5 measures and risky_promises / promise_risk of section 6, one row
# per deal sorted by deal_id in byte order, numbers with 17 significant
# digits.  Written from the spec, not from compsight's C code: it is the
# independent side of the cross-check in tests/test_incentives.c.
# Base R only (tested with R 4.2.2).  Tests never run it; see README.md.

options(warn = 1, stringsAsFactors = FALSE)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2 || length(args) > 3)
    stop("usage: Rscript reference_measures.R DATA_DIR OUT_CSV [FISCAL_START]")
data_dir <- args[1]
out_csv <- args[2]
fiscal_start <- if (length(args) == 3) as.integer(args[3]) else 1L
if (is.na(fiscal_start) || fiscal_start < 1L || fiscal_start > 12L)
    stop("FISCAL_START must be 1 to 12")

note <- function(...) message("reference_measures: ", ...)

# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

# Every column as text; header names trimmed and lower-cased (SPEC 1);
# blank cells stay "" (never NA) so that blank handling is explicit below.
read_table <- function(name, required = TRUE) {
    path <- file.path(data_dir, name)
    if (!file.exists(path)) {
        if (required) stop("missing ", path)
        return(NULL)
    }
    df <- read.csv(path, colClasses = "character", check.names = FALSE, quote = "\"",
                   na.strings = character(0), strip.white = TRUE,
                   fileEncoding = "UTF-8-BOM", encoding = "UTF-8")
    names(df) <- tolower(trimws(names(df)))
    df[] <- lapply(df, trimws)
    df
}

column <- function(df, name) {
    if (is.null(df) || !(name %in% names(df))) return(rep("", if (is.null(df)) 0L else nrow(df)))
    df[[name]]
}

# Day numbers (days since 1970-01-01); "" and anything unparsable -> NA.
to_day <- function(x) {
    d <- as.Date(substr(x, 1L, 10L), format = "%Y-%m-%d")
    as.numeric(d)
}

# Plain numbers; a leading $ and comma thousands separators tolerated.
to_num <- function(x) {
    y <- gsub("[$,]", "", x)
    out <- suppressWarnings(as.numeric(y))
    out[x == ""] <- NA
    out
}

norm_word <- function(x) gsub("[[:space:]_]+", "", tolower(x))

# ---------------------------------------------------------------------------
# Fiscal calendar (SPEC 4), written from the definition:
#   fiscal month index = months since the start month (0..11);
#   fiscal year = the calendar year in which the fiscal year ends.
# ---------------------------------------------------------------------------

civil <- function(day) {
    lt <- as.POSIXlt(as.Date(day, origin = "1970-01-01"), tz = "UTC")
    list(y = lt$year + 1900L, m = lt$mon + 1L)
}

fiscal_of <- function(day) {
    c <- civil(day)
    fm <- (c$m - fiscal_start) %% 12L
    # The fiscal year ends in the calendar year of its last month.
    last_month_year <- c$y + ((c$m - 1L - fm) + 11L) %/% 12L
    list(fy = last_month_year, q = fm %/% 3L + 1L)
}

first_of_month <- function(y, m0) {          # m0: 0-based month, may exceed 11
    y <- y + m0 %/% 12L
    m <- m0 %% 12L + 1L
    as.numeric(as.Date(sprintf("%04d-%02d-01", y, m)))
}

# First day of fiscal quarter q (or of the year when q == 0) of fiscal year fy.
period_start <- function(fy, q) {
    # The last month of FY fy lies in calendar year fy: month fiscal_start - 1
    # (December for start 1), 0-based (fiscal_start - 2) mod 12.  Fiscal
    # month 0 is 11 months before it; %/% and %% floor, so negatives work.
    end_m0 <- (fiscal_start - 2L) %% 12L
    start_m0 <- end_m0 - 11L + 3L * pmax(q - 1L, 0L)
    first_of_month(fy + start_m0 %/% 12L, start_m0 %% 12L)
}

period_end <- function(fy, q) {
    n <- max(length(fy), length(q))          # ifelse() takes its length from the test
    fy <- rep_len(fy, n)
    q <- rep_len(q, n)
    next_fy <- ifelse(q == 0L | q == 4L, fy + 1L, fy)
    next_q <- ifelse(q == 0L, 0L, ifelse(q == 4L, 1L, q + 1L))
    period_start(next_fy, next_q) - 1
}

label <- function(fy, q) ifelse(q == 0L, sprintf("%d", fy), sprintf("%dQ%d", fy, q))

# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

plans_df <- read_table("plans.csv")
reps_df <- read_table("reps.csv")
deals_df <- read_table("deals.csv")
quotas_df <- read_table("quotas.csv", required = FALSE)
spiffs_df <- read_table("spiffs.csv", required = FALSE)
roadmap_df <- read_table("roadmap.csv", required = FALSE)
promises_df <- read_table("promises.csv", required = FALSE)

# Plans: one list per plan, tiers sorted by floor.
plan_ids <- unique(column(plans_df, "plan_id"))
plans <- lapply(plan_ids, function(id) {
    rows <- plans_df[plans_df$plan_id == id, , drop = FALSE]
    fl <- to_num(rows$tier_floor)
    rt <- to_num(rows$rate)
    o <- order(fl)
    list(type = tolower(rows$period_type[1]), quota = to_num(rows$quota[1]),
         floor = fl[o], rate = rt[o])
})
names(plans) <- plan_ids

rep_plan <- setNames(column(reps_df, "plan_id"), column(reps_df, "rep_id"))

# Deals: won deals that the importer would keep.
stage <- norm_word(column(deals_df, "stage"))
stage[stage == "closedwon"] <- "won"
stage[stage == "closedlost"] <- "lost"
deals <- data.frame(id = column(deals_df, "deal_id"), rep = column(deals_df, "rep_id"),
                    product = column(deals_df, "product"),
                    amount = to_num(column(deals_df, "amount")),
                    close = to_day(column(deals_df, "close_date")), stage = stage)
dup <- duplicated(deals$id)
if (any(dup)) note(sum(dup), " repeated deal_id rows ignored (first kept)")
deals <- deals[!dup, , drop = FALSE]
won <- deals[deals$stage == "won", , drop = FALSE]
ok <- !is.na(won$amount) & won$amount > 0 & !is.na(won$close) &
      won$rep %in% names(rep_plan) & rep_plan[won$rep] %in% plan_ids
if (any(!ok)) note(sum(!ok), " won deals without a valid amount, close date or planned rep ignored")
won <- won[ok, , drop = FALSE]

# Plan period of every won deal.
won$plan <- unname(rep_plan[won$rep])
fq <- fiscal_of(won$close)
won$yearly <- vapply(won$plan, function(p) plans[[p]]$type == "year", logical(1))
won$pq <- ifelse(won$yearly, 0L, fq$q)
won$fy <- fq$fy
won$period <- label(won$fy, won$pq)
won$period_end <- period_end(won$fy, won$pq)

# Quota: a quotas.csv row for (rep, period label), first row wins; else the plan's.
plan_quota <- vapply(won$plan, function(p) plans[[p]]$quota, numeric(1))
won$quota <- plan_quota
if (!is.null(quotas_df) && nrow(quotas_df) > 0) {
    qkey <- paste(quotas_df$rep_id, toupper(quotas_df$period), sep = "\r")
    qval <- to_num(quotas_df$quota)
    keep <- !duplicated(qkey) & !is.na(qval) & qval > 0
    qmap <- setNames(qval[keep], qkey[keep])
    hit <- qmap[paste(won$rep, won$period, sep = "\r")]
    won$quota <- ifelse(is.na(hit), plan_quota, hit)
}

# ---------------------------------------------------------------------------
# SPEC 5: attainment in (close_date, deal_id byte order) within rep-period
# ---------------------------------------------------------------------------

# Radix ordering sorts character vectors in the C locale, i.e. by bytes.
o <- order(won$rep, won$period, won$close, won$id, method = "radix")
won <- won[o, , drop = FALSE]
won$a0 <- rep(NA_real_, nrow(won))        # rep(): also right for 0 won deals
won$a1 <- rep(NA_real_, nrow(won))
group <- paste(won$rep, won$period, sep = "\r")
for (g in unique(group)) {
    idx <- which(group == g)
    s <- 0
    for (i in idx) {
        q <- won$quota[i]
        won$a0[i] <- s / q
        won$a1[i] <- won$a0[i] + won$amount[i] / q
        s <- s + won$amount[i]
    }
}

tier_measures <- function(p, a0, a1, q) {
    fl <- plans[[p]]$floor
    rt <- plans[[p]]$rate
    upper <- c(fl[-1], Inf)
    overlap <- pmax(0, pmin(a1, upper) - pmax(a0, fl))
    above <- fl[fl > a0]
    c(commission = q * sum(rt * overlap),
      marginal_rate = rt[max(which(fl <= a0))],
      tier_cross = as.numeric(any(fl > 0 & a0 < fl & fl <= a1)),
      gap_to_next_tier = if (length(above)) min(above) - a0 else NA_real_)
}
tm <- t(mapply(tier_measures, won$plan, won$a0, won$a1, won$quota))
if (nrow(won) == 0) tm <- matrix(numeric(0), 0, 4,
                                 dimnames = list(NULL, c("commission", "marginal_rate",
                                                         "tier_cross", "gap_to_next_tier")))
won$commission <- tm[, "commission"]
won$marginal_rate <- tm[, "marginal_rate"]
won$tier_cross <- tm[, "tier_cross"]
won$gap_to_next_tier <- tm[, "gap_to_next_tier"]
won$effective_rate <- won$commission / won$amount
# A deal with no floor strictly inside (a0, a1) is paid at one rate: its
# commission is rate * amount exactly and its effective rate is the rate
# (q * rate * (a1 - a0) equals that only up to rounding).  compsight uses
# the same exact values.
one_tier <- mapply(function(p, a0, a1) !any(plans[[p]]$floor > a0 & plans[[p]]$floor < a1),
                   won$plan, won$a0, won$a1)
if (length(one_tier)) {
    won$commission[one_tier] <- won$marginal_rate[one_tier] * won$amount[one_tier]
    won$effective_rate[one_tier] <- won$marginal_rate[one_tier]
}
won$days_to_period_end <- won$period_end - won$close
won$last_14_days <- as.numeric(won$days_to_period_end < 14)
won$log_amount <- log(won$amount)

# SPIFF: some row with the same product and start <= close <= end.
won$spiff <- numeric(nrow(won))
if (!is.null(spiffs_df) && nrow(spiffs_df) > 0) {
    sp_start <- to_day(spiffs_df$start_date)
    sp_end <- to_day(spiffs_df$end_date)
    won$spiff <- vapply(seq_len(nrow(won)), function(i) {
        as.numeric(won$product[i] != "" &&
                   any(spiffs_df$product == won$product[i] &
                       sp_start <= won$close[i] & won$close[i] <= sp_end, na.rm = TRUE))
    }, numeric(1))
}

# ---------------------------------------------------------------------------
# SPEC 6: promises
# ---------------------------------------------------------------------------

won$risky_promises <- numeric(nrow(won))
if (!is.null(promises_df) && nrow(promises_df) > 0) {
    rm_status <- setNames(norm_word(column(roadmap_df, "status")), column(roadmap_df, "feature_id"))
    rm_target <- setNames(to_day(column(roadmap_df, "target_date")), column(roadmap_df, "feature_id"))
    f <- promises_df$feature_id
    st <- ifelse(f != "" & f %in% names(rm_status), rm_status[f], NA)
    due <- to_day(column(promises_df, "due_date"))
    target <- ifelse(is.na(st), NA, rm_target[f])
    off <- is.na(st) | st %in% c("exploring", "notplanned")
    premature <- !off & st %in% c("planned", "committed") &
                 !is.na(due) & !is.na(target) & due < target
    risky <- off | premature
    counts <- tapply(risky, promises_df$deal_id, sum)
    hit <- counts[won$id]
    won$risky_promises <- ifelse(is.na(hit), 0, hit)
}
won$promise_risk <- as.numeric(won$risky_promises > 0)

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

fmt_num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
fmt_int <- function(x) sprintf("%d", as.integer(x))
csv_text <- function(x) ifelse(grepl("[\",\r\n]", x), paste0("\"", gsub("\"", "\"\"", x), "\""), x)

won <- won[order(won$id, method = "radix"), , drop = FALSE]
out <- data.frame(
    deal_id = csv_text(won$id),
    period = won$period,
    attainment_before = fmt_num(won$a0),
    marginal_rate = fmt_num(won$marginal_rate),
    commission = fmt_num(won$commission),
    effective_rate = fmt_num(won$effective_rate),
    tier_cross = fmt_int(won$tier_cross),
    gap_to_next_tier = fmt_num(won$gap_to_next_tier),
    days_to_period_end = fmt_int(won$days_to_period_end),
    last_14_days = fmt_int(won$last_14_days),
    spiff = fmt_int(won$spiff),
    log_amount = fmt_num(won$log_amount),
    risky_promises = fmt_int(won$risky_promises),
    promise_risk = fmt_int(won$promise_risk))
lines <- c(paste(names(out), collapse = ","),
           if (nrow(out)) do.call(paste, c(unname(as.list(out)), sep = ",")) else character(0))
con <- file(out_csv, open = "wb")      # LF line ends on every platform
writeLines(lines, con, sep = "\n")
close(con)
note(nrow(out), " won deals written to ", out_csv)
