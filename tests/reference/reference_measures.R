# reference_measures.R - independent recomputation of compsight's per-deal measures (SPEC 5, 6 and 13) in base R.
#
# Usage:  Rscript reference_measures.R DATA_DIR OUT_CSV [FISCAL_START]
#                 [--credits FILE] [--attainment FILE] [--rejects FILE]
#
# Reads the SPEC section 1 CSV files of DATA_DIR (ISO dates, plain numbers,
# standard column names; no --map) and writes, for every won deal, the
# section 5 measures and risky_promises / promise_risk of section 6, one row
# per deal sorted by deal_id in byte order, numbers with 17 significant
# digits.  Written from the spec, not from compsight's C code: it is the
# independent side of the cross-checks in tests/test_incentives.c and
# tests/test_deals_reference.c.
#
# Section 13 (real comp plans) applies when DATA_DIR has assignments.csv or
# splits.csv, or plans.csv has a credit_ column: then a deal's plan and team
# come from the assignment holding its close date, quotas are prorated by
# covered days, every deal is credited to one or more reps (credit rows), and
# OUT_CSV gains the columns team, plan_id and credit_share.  --credits writes
# one row per credit row, --attainment one row per rep, plan and period,
# --rejects the assignments.csv / splits.csv / deals.csv rows set aside and
# why.  Without any section 13 input the output is what it always was.
# Base R only (tested with R 4.2.2).  Tests never run it; see README.md.

options(warn = 1, stringsAsFactors = FALSE)

args <- commandArgs(trailingOnly = TRUE)
usage <- paste("usage: Rscript reference_measures.R DATA_DIR OUT_CSV [FISCAL_START]",
               "[--credits FILE] [--attainment FILE] [--rejects FILE]")
positional <- character(0)
extra_out <- list()
i <- 1L
while (i <= length(args)) {
    a <- args[i]
    if (a %in% c("--credits", "--attainment", "--rejects")) {
        if (i == length(args)) stop(usage)
        extra_out[[substring(a, 3L)]] <- args[i + 1L]
        i <- i + 2L
    } else {
        positional <- c(positional, a)
        i <- i + 1L
    }
}
if (length(positional) < 2 || length(positional) > 3) stop(usage)
data_dir <- positional[1]
out_csv <- positional[2]
fiscal_start <- if (length(positional) == 3) as.integer(positional[3]) else 1L
if (is.na(fiscal_start) || fiscal_start < 1L || fiscal_start > 12L)
    stop("FISCAL_START must be 1 to 12")

note <- function(...) message("reference_measures: ", ...)

# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

# Every column as text; header names trimmed and lower-cased (SPEC 1);
# blank cells stay "" (never NA) so that blank handling is explicit below.
# Line numbers (header = line 1) assume one physical line per record, which
# holds for every fixture this script is run on.
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

fmt_day <- function(d) format(as.Date(d, origin = "1970-01-01"), "%Y-%m-%d")

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

# A period label back to (fy, q): "2026Q3" -> (2026, 3), "2026" -> (2026, 0);
# anything else -> NA.
parse_label <- function(x) {
    x <- toupper(x)
    ok <- grepl("^[0-9]{4}(Q[1-4])?$", x)
    fy <- ifelse(ok, as.integer(substr(x, 1L, 4L)), NA_integer_)
    q <- ifelse(ok & nchar(x) == 6L, as.integer(substr(x, 6L, 6L)), ifelse(ok, 0L, NA_integer_))
    list(fy = fy, q = q)
}

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
assign_df <- read_table("assignments.csv", required = FALSE)
splits_df <- read_table("splits.csv", required = FALSE)

credit_cols <- c(new = "credit_new", expansion = "credit_expansion", renewal = "credit_renewal")
sec13 <- !is.null(assign_df) || !is.null(splits_df) || any(credit_cols %in% names(plans_df))
if (sec13) note("section 13 inputs present: assignments, splits and crediting by type apply")

rejects <- data.frame(file = character(0), line = integer(0), column = character(0),
                      reason = character(0))
reject <- function(file, line, column, reason) {
    rejects <<- rbind(rejects, data.frame(file = file, line = as.integer(line), column = column,
                                          reason = reason))
}

# Plans: one list per plan, tiers sorted by floor; credit fractions by deal
# type from the plan's first row (SPEC 13: the same on every row), blank = 1.
plan_ids <- unique(column(plans_df, "plan_id"))
plans <- lapply(plan_ids, function(id) {
    rows <- plans_df[plans_df$plan_id == id, , drop = FALSE]
    fl <- to_num(rows$tier_floor)
    rt <- to_num(rows$rate)
    o <- order(fl)
    cr <- vapply(credit_cols, function(cn) {
        v <- column(rows, cn)[1]
        if (v == "") 1 else to_num(v)
    }, numeric(1))
    names(cr) <- names(credit_cols)
    list(type = tolower(rows$period_type[1]), quota = to_num(rows$quota[1]),
         floor = fl[o], rate = rt[o], credit = cr)
})
names(plans) <- plan_ids

rep_plan <- setNames(column(reps_df, "plan_id"), column(reps_df, "rep_id"))
rep_team <- setNames(column(reps_df, "team"), column(reps_df, "rep_id"))

# Deals (every stage): the first row of a repeated deal_id is kept.
stage <- norm_word(column(deals_df, "stage"))
stage[stage == "closedwon"] <- "won"
stage[stage == "closedlost"] <- "lost"
deals <- data.frame(id = column(deals_df, "deal_id"), rep = column(deals_df, "rep_id"),
                    product = column(deals_df, "product"),
                    type = norm_word(column(deals_df, "type")),
                    amount = to_num(column(deals_df, "amount")),
                    close = to_day(column(deals_df, "close_date")), stage = stage,
                    line = seq_len(nrow(deals_df)) + 1L)
dup <- duplicated(deals$id)
if (any(dup)) note(sum(dup), " repeated deal_id rows ignored (first kept)")
deals <- deals[!dup, , drop = FALSE]

# ---------------------------------------------------------------------------
# SPEC 13: assignments.  A row is checked on its own first; the rows that
# pass and overlap another passing row of the same rep are then all
# rejected, each naming the other lines.
# ---------------------------------------------------------------------------

asg <- data.frame(line = integer(0), rep = character(0), plan = character(0),
                  start = numeric(0), end = numeric(0), team = character(0))
if (!is.null(assign_df) && nrow(assign_df) > 0) {
    a <- data.frame(line = seq_len(nrow(assign_df)) + 1L, rep = column(assign_df, "rep_id"),
                    plan = column(assign_df, "plan_id"),
                    start = to_day(column(assign_df, "start_date")),
                    end = to_day(column(assign_df, "end_date")),
                    team = column(assign_df, "team"), ok = TRUE)
    end_text <- column(assign_df, "end_date")
    start_text <- column(assign_df, "start_date")
    for (k in seq_len(nrow(a))) {
        why <- NULL
        if (a$rep[k] == "") why <- c("rep_id", "missing")
        else if (!(a$rep[k] %in% names(rep_plan))) why <- c("rep_id", "unknown rep_id")
        else if (a$plan[k] == "") why <- c("plan_id", "missing")
        else if (!(a$plan[k] %in% plan_ids)) why <- c("plan_id", "unknown plan_id")
        else if (start_text[k] == "") why <- c("start_date", "missing")
        else if (is.na(a$start[k])) why <- c("start_date", "not a date")
        else if (end_text[k] != "" && is.na(a$end[k])) why <- c("end_date", "not a date")
        else if (!is.na(a$end[k]) && a$end[k] < a$start[k]) why <- c("end_date", "before start_date")
        if (!is.null(why)) {
            reject("assignments.csv", a$line[k], why[1], why[2])
            a$ok[k] <- FALSE
        }
    }
    a$end_or_inf <- ifelse(is.na(a$end), Inf, a$end)
    overlaps <- vector("list", nrow(a))
    for (r in unique(a$rep[a$ok])) {
        idx <- which(a$ok & a$rep == r)
        for (x in idx) for (y in idx) {
            if (x < y && a$start[x] <= a$end_or_inf[y] && a$start[y] <= a$end_or_inf[x]) {
                overlaps[[x]] <- c(overlaps[[x]], a$line[y])
                overlaps[[y]] <- c(overlaps[[y]], a$line[x])
            }
        }
    }
    for (k in seq_len(nrow(a))) {
        if (length(overlaps[[k]])) {
            others <- sort(overlaps[[k]])
            reject("assignments.csv", a$line[k], "start_date",
                   sprintf("overlaps the assignment of the same rep on line%s %s",
                           if (length(others) > 1) "s" else "", paste(others, collapse = ", ")))
            a$ok[k] <- FALSE
        }
    }
    asg <- a[a$ok, c("line", "rep", "plan", "start", "end", "team"), drop = FALSE]
    asg$end[is.na(asg$end)] <- Inf
}

# The plan and team of rep r on day d: the assignment holding d, else reps.csv.
holding <- function(r, d) {
    k <- which(asg$rep == r & asg$start <= d & d <= asg$end)
    if (length(k)) k[1] else NA_integer_
}
plan_at <- function(r, d) {
    k <- holding(r, d)
    if (!is.na(k)) asg$plan[k] else unname(rep_plan[r])
}
team_at <- function(r, d) {
    k <- holding(r, d)
    if (!is.na(k) && asg$team[k] != "") asg$team[k] else unname(rep_team[r])
}
has_plan <- function(p) !is.na(p) && p != "" && p %in% plan_ids

# Days of [ps, pe] on which rep r's plan, by assignment else reps.csv, is p.
covered_days <- function(r, p, ps, pe) {
    k <- which(asg$rep == r)
    ov <- pmax(0, pmin(asg$end[k], pe) - pmax(asg$start[k], ps) + 1)
    on_p <- sum(ov[asg$plan[k] == p])
    fallback <- (pe - ps + 1) - sum(ov)
    on_p + if (identical(unname(rep_plan[r]), p)) fallback else 0
}

# ---------------------------------------------------------------------------
# SPEC 13: splits.  Checked row by row; a split of a won deal also needs its
# rep to hold a plan on the deal's close date.
# ---------------------------------------------------------------------------

spl <- data.frame(line = integer(0), deal = character(0), rep = character(0), share = numeric(0))
if (!is.null(splits_df) && nrow(splits_df) > 0) {
    s <- data.frame(line = seq_len(nrow(splits_df)) + 1L, deal = column(splits_df, "deal_id"),
                    rep = column(splits_df, "rep_id"), share_text = column(splits_df, "share"),
                    ok = TRUE)
    s$share <- to_num(s$share_text)
    seen <- character(0)
    seen_line <- integer(0)
    for (k in seq_len(nrow(s))) {
        why <- NULL
        if (s$deal[k] == "") why <- c("deal_id", "missing")
        else if (!(s$deal[k] %in% deals$id)) why <- c("deal_id", "unknown deal_id")
        else if (s$rep[k] == "") why <- c("rep_id", "missing")
        else if (!(s$rep[k] %in% names(rep_plan))) why <- c("rep_id", "unknown rep_id")
        else if (s$share_text[k] == "") why <- c("share", "missing")
        else if (is.na(s$share[k])) why <- c("share", "not a number")
        else if (s$share[k] <= 0 || s$share[k] > 1) why <- c("share", "must be greater than 0 and at most 1")
        key <- paste(s$deal[k], s$rep[k], sep = "\r")
        if (is.null(why) && key %in% seen)
            why <- c("rep_id", sprintf("a second split of this deal for this rep (first on line %d)",
                                       seen_line[match(key, seen)]))
        if (!is.null(why)) {
            reject("splits.csv", s$line[k], why[1], why[2])
            s$ok[k] <- FALSE
        } else {
            seen <- c(seen, key)
            seen_line <- c(seen_line, s$line[k])
        }
    }
    spl <- s[s$ok, c("line", "deal", "rep", "share"), drop = FALSE]
}

# ---------------------------------------------------------------------------
# Won deals and their credit rows
# ---------------------------------------------------------------------------

won <- deals[deals$stage == "won", , drop = FALSE]
ok <- !is.na(won$amount) & won$amount > 0 & !is.na(won$close) & won$rep %in% names(rep_plan)
if (any(!ok)) note(sum(!ok), " won deals without a valid amount, close date or known rep ignored")
won <- won[ok, , drop = FALSE]

credit_parts <- vector("list", nrow(won))
keep <- logical(nrow(won))
for (k in seq_len(nrow(won))) {
    d <- won[k, ]
    rows <- spl[spl$deal == d$id, , drop = FALSE]
    if (nrow(rows)) {
        planned <- vapply(rows$rep, function(r) has_plan(plan_at(r, d$close)), logical(1))
        for (j in which(!planned))
            reject("splits.csv", rows$line[j], "rep_id",
                   sprintf("the rep holds no plan on the deal's close_date %s", fmt_day(d$close)))
        rows <- rows[planned, , drop = FALSE]
    }
    if (nrow(rows)) {
        credit_parts[[k]] <- data.frame(deal = d$id, rep = rows$rep, share = rows$share)
        keep[k] <- TRUE
    } else if (has_plan(plan_at(d$rep, d$close))) {
        credit_parts[[k]] <- data.frame(deal = d$id, rep = d$rep, share = 1)
        keep[k] <- TRUE
    } else {
        reject("deals.csv", d$line, "rep_id",
               sprintf("the rep holds no plan on close_date %s and the deal has no split", fmt_day(d$close)))
    }
}
credit <- do.call(rbind, c(list(data.frame(deal = character(0), rep = character(0),
                                           share = numeric(0))), credit_parts))
if (any(!keep)) note(sum(!keep), " won deals whose rep holds no plan on the close date ignored")
won <- won[keep, , drop = FALSE]

m <- match(credit$deal, won$id)
credit$close <- won$close[m]
credit$amount <- won$amount[m]
credit$type <- won$type[m]
credit$owner <- won$rep[m]
credit$plan <- vapply(seq_len(nrow(credit)), function(i) plan_at(credit$rep[i], credit$close[i]),
                      character(1))
credit$team <- vapply(seq_len(nrow(credit)), function(i) team_at(credit$rep[i], credit$close[i]),
                      character(1))
credit$fraction <- vapply(seq_len(nrow(credit)), function(i) {
    cr <- plans[[credit$plan[i]]]$credit
    if (credit$type[i] %in% names(cr)) unname(cr[credit$type[i]]) else 1
}, numeric(1))
credit$credited <- credit$share * credit$amount * credit$fraction

# Plan period of every credit row (SPEC 4, with the plan at the close date).
fq <- fiscal_of(credit$close)
credit$yearly <- vapply(credit$plan, function(p) plans[[p]]$type == "year", logical(1))
credit$pq <- ifelse(credit$yearly, 0L, fq$q)
credit$fy <- fq$fy
credit$period <- label(credit$fy, credit$pq)
credit$period_start <- period_start(credit$fy, credit$pq)
credit$period_end <- period_end(credit$fy, credit$pq)

# ---------------------------------------------------------------------------
# Quotas (SPEC 5 and 13): a quotas.csv row for (rep, plan, period), first row
# wins, the plan being the row's plan_id or, when blank, the plan the rep
# holds on the last day of the period; else the plan's quota prorated by the
# days of the period on which the rep held the plan.  A fully covered period
# takes the plan's quota as it is.
# ---------------------------------------------------------------------------

qmap <- numeric(0)
if (!is.null(quotas_df) && nrow(quotas_df) > 0) {
    lab <- toupper(column(quotas_df, "period"))
    pl <- parse_label(lab)
    qplan <- column(quotas_df, "plan_id")
    for (k in which(qplan == "" & !is.na(pl$fy)))
        qplan[k] <- plan_at(quotas_df$rep_id[k], period_end(pl$fy[k], pl$q[k]))
    qplan[is.na(qplan)] <- ""
    qkey <- paste(quotas_df$rep_id, qplan, lab, sep = "\r")
    qval <- to_num(quotas_df$quota)
    keep_q <- !duplicated(qkey) & !is.na(qval) & qval > 0 & qplan != ""
    qmap <- setNames(qval[keep_q], qkey[keep_q])
}

groups <- unique(credit[, c("rep", "plan", "period", "period_start", "period_end")])
groups$key <- paste(groups$rep, groups$plan, groups$period, sep = "\r")
groups$period_days <- groups$period_end - groups$period_start + 1
groups$covered_days <- vapply(seq_len(nrow(groups)), function(i)
    covered_days(groups$rep[i], groups$plan[i], groups$period_start[i], groups$period_end[i]),
    numeric(1))
groups$plan_quota <- vapply(groups$plan, function(p) plans[[p]]$quota, numeric(1))
groups$quota <- ifelse(groups$covered_days == groups$period_days, groups$plan_quota,
                       groups$plan_quota * groups$covered_days / groups$period_days)
hit <- qmap[groups$key]
groups$overridden <- !is.na(hit)
groups$quota[groups$overridden] <- hit[groups$overridden]
credit$key <- paste(credit$rep, credit$plan, credit$period, sep = "\r")
credit$quota <- groups$quota[match(credit$key, groups$key)]

# ---------------------------------------------------------------------------
# SPEC 5 on every credit row: attainment in (close_date, deal_id byte order)
# within rep, plan and period, with the credited amount in place of amount
# ---------------------------------------------------------------------------

# Radix ordering sorts character vectors in the C locale, i.e. by bytes.
o <- order(credit$rep, credit$plan, credit$period, credit$close, credit$deal, method = "radix")
credit <- credit[o, , drop = FALSE]
credit$a0 <- rep(NA_real_, nrow(credit))        # rep(): also right for 0 rows
credit$a1 <- rep(NA_real_, nrow(credit))
for (g in unique(credit$key)) {
    idx <- which(credit$key == g)
    s <- 0
    for (i in idx) {
        q <- credit$quota[i]
        credit$a0[i] <- s / q
        credit$a1[i] <- credit$a0[i] + credit$credited[i] / q
        s <- s + credit$credited[i]
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
tm <- t(mapply(tier_measures, credit$plan, credit$a0, credit$a1, credit$quota))
if (nrow(credit) == 0) tm <- matrix(numeric(0), 0, 4,
                                    dimnames = list(NULL, c("commission", "marginal_rate",
                                                            "tier_cross", "gap_to_next_tier")))
credit$commission <- tm[, "commission"]
credit$marginal_rate <- tm[, "marginal_rate"]
credit$tier_cross <- tm[, "tier_cross"]
credit$gap_to_next_tier <- tm[, "gap_to_next_tier"]
credit$effective_rate <- credit$commission / (credit$share * credit$amount)
# A credit row with no floor strictly inside (a0, a1) is paid at one rate:
# its commission is rate * credited amount exactly and its effective rate
# is rate * credit fraction (q * rate * (a1 - a0) equals that only up to
# rounding).  SPEC 13 asks for exactly these values.
one_tier <- mapply(function(p, a0, a1) !any(plans[[p]]$floor > a0 & plans[[p]]$floor < a1),
                   credit$plan, credit$a0, credit$a1)
if (length(one_tier)) {
    credit$commission[one_tier] <- credit$marginal_rate[one_tier] * credit$credited[one_tier]
    credit$effective_rate[one_tier] <- credit$marginal_rate[one_tier] * credit$fraction[one_tier]
}

# The deal's own credit row: its owner's, else the largest share (ties:
# rep_id in byte order).
credit$is_owner <- credit$rep == credit$owner
o <- order(credit$deal, !credit$is_owner, -credit$share, credit$rep, method = "radix")
own <- credit[o, , drop = FALSE]
own <- own[!duplicated(own$deal), , drop = FALSE]
credit$own <- paste(credit$deal, credit$rep, sep = "\r") %in% paste(own$deal, own$rep, sep = "\r")

m <- match(won$id, own$deal)
won$plan <- own$plan[m]
won$team <- own$team[m]
won$period <- own$period[m]
won$period_end <- own$period_end[m]
won$credit_share <- own$share[m]
won$a0 <- own$a0[m]
won$marginal_rate <- own$marginal_rate[m]
won$tier_cross <- own$tier_cross[m]
won$gap_to_next_tier <- own$gap_to_next_tier[m]
won$effective_rate <- own$effective_rate[m]
total <- tapply(credit$commission, credit$deal, sum)
won$commission <- if (nrow(won)) as.numeric(total[won$id]) else numeric(0)
# With one credit row (no split) the sum is that row's value unchanged.
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

write_lines <- function(df, path) {
    lines <- c(paste(names(df), collapse = ","),
               if (nrow(df)) do.call(paste, c(unname(as.list(df)), sep = ",")) else character(0))
    con <- file(path, open = "wb")      # LF line ends on every platform
    writeLines(lines, con, sep = "\n")
    close(con)
}

won <- won[order(won$id, method = "radix"), , drop = FALSE]
out <- data.frame(deal_id = csv_text(won$id))
if (sec13) {
    out$team <- csv_text(won$team)
    out$plan_id <- csv_text(won$plan)
}
out$period <- won$period
if (sec13) out$credit_share <- fmt_num(won$credit_share)
out <- cbind(out, data.frame(
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
    promise_risk = fmt_int(won$promise_risk)))
write_lines(out, out_csv)
note(nrow(out), " won deals written to ", out_csv)

if (!is.null(extra_out$credits)) {
    cr <- credit[order(credit$deal, credit$rep, method = "radix"), , drop = FALSE]
    write_lines(data.frame(
        deal_id = csv_text(cr$deal), rep_id = csv_text(cr$rep), own = fmt_int(cr$own),
        plan_id = csv_text(cr$plan), team = csv_text(cr$team), period = cr$period,
        share = fmt_num(cr$share), credit_fraction = fmt_num(cr$fraction),
        credited_amount = fmt_num(cr$credited), quota = fmt_num(cr$quota),
        attainment_before = fmt_num(cr$a0), attainment_after = fmt_num(cr$a1),
        marginal_rate = fmt_num(cr$marginal_rate), tier_cross = fmt_int(cr$tier_cross),
        gap_to_next_tier = fmt_num(cr$gap_to_next_tier), commission = fmt_num(cr$commission),
        effective_rate = fmt_num(cr$effective_rate)), extra_out$credits)
    note(nrow(cr), " credit rows written to ", extra_out$credits)
}

if (!is.null(extra_out$attainment)) {
    booked <- tapply(credit$credited, credit$key, sum)
    rows <- tapply(credit$credited, credit$key, length)
    gr <- groups[order(groups$rep, groups$plan, groups$period, method = "radix"), , drop = FALSE]
    write_lines(data.frame(
        rep_id = csv_text(gr$rep), plan_id = csv_text(gr$plan), period = gr$period,
        period_days = fmt_int(gr$period_days), covered_days = fmt_int(gr$covered_days),
        quota_overridden = fmt_int(gr$overridden), quota = fmt_num(gr$quota),
        credit_rows = fmt_int(rows[gr$key]), credited_amount = fmt_num(booked[gr$key]),
        final_attainment = fmt_num(booked[gr$key] / gr$quota)), extra_out$attainment)
    note(nrow(gr), " rep-periods written to ", extra_out$attainment)
}

if (!is.null(extra_out$rejects)) {
    rj <- rejects[order(rejects$file, rejects$line, method = "radix"), , drop = FALSE]
    write_lines(data.frame(file = rj$file, line = fmt_int(rj$line), column = rj$column,
                           reason = csv_text(rj$reason)), extra_out$rejects)
    note(nrow(rj), " rejects written to ", extra_out$rejects)
}
