# planchange.R - fixtures and R reference values for the plan-change estimators of SPEC 14.3 (tests/test_planchange.c).
#
# Usage (from the repository root):
#     Rscript tests/reference/planchange/planchange.R tests/fixtures/planchange
#
# Writes, into the given directory:
#   pc_assign.csv   rep,plan,start,end: assignments (day numbers since
#                   1970-01-01; end NA = open), rep and plan as 0-based indexes
#   pc_deals.csv    rep,day,y: won deals (close day, promise_risk 0/1)
#   pc_ref.csv      key,value (17 significant digits), for PREFIX full (every
#                   deal) and cut (the deals up to the last day of event
#                   quarter +1, as the quarterly report of that quarter sees
#                   them):
#                     change.from, change.to, change.date, change.quarter
#                     (fiscal quarter code), change.movers, change.other_moves
#                     (moves of reps outside the change dated within 7 days
#                     of it);
#                     PREFIX.n, .treated_reps, .control_reps, .clusters;
#                     PREFIX.did.estimate, .se, .se_cluster, .z, .p, .ci_low,
#                     .ci_high (t with G - 1 df, G = reps of the sample,
#                     10..29 here: verdict.h's rule for a family of one);
#                     PREFIX.ev.Q.estimate, .se_cluster, .ci_low, .ci_high for
#                     Q in -4..3 but -1 (the baseline); Q absent when no
#                     treated deal falls in it;
#                     PREFIX.pre.wald, .df, .p: the joint test of the
#                     pre-change event terms, W = b' V^-1 b with V their
#                     vcovCL block, p from F(df, G - 1) at W / df
#
# Everything is computed here from SPEC 14.3's words, independently of the
# C code: the moves (two consecutive assignments of a rep with different
# plans; a team-only move, two rows of the same plan, is not one), the
# change (>= 5 reps moving A -> B at start dates within 7 days of the
# earliest), the window (the 4 fiscal quarters before the one holding the
# date and the 4 from it), treated (the movers) and controls (reps with no
# move dated in the window), lm(y ~ did + factor(rep) + factor(quarter)),
# vcov() and sandwich::vcovCL(fit, cluster = ~rep) (HC1, its defaults), and
# the event study lm(y ~ ev_m4 + ev_m3 + ev_m2 + ev_0 + ... + ev_3 +
# factor(rep) + factor(quarter)).  Fiscal year starting in April
# (fiscal_start 4), so that quarter codes are not calendar quarters.
#
# Deterministic: set.seed(); the C tests never run this.

options(warn = 1)
suppressPackageStartupMessages(library(sandwich))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1)
    stop("usage: Rscript planchange.R OUT_DIR")
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
g17 <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))

FISCAL_START <- 4
set.seed(20261207)

# ---------------------------------------------------------------- calendar
# Fiscal quarter index (fiscal year * 4 + quarter - 1) and code (year * 10 +
# quarter) of a day; a fiscal year is named by the calendar year it ends in.
fq <- function(day) {
    d <- as.POSIXlt(as.Date(day, origin = "1970-01-01"))
    m <- d$mon + 1
    y <- d$year + 1900
    k <- (m - FISCAL_START) %% 12
    fy <- if (FISCAL_START == 1) y else y + (m >= FISCAL_START)
    list(index = fy * 4 + k %/% 3, code = fy * 10 + k %/% 3 + 1)
}
# first and last day of the quarter with index i
q_first <- function(i) {
    fy <- i %/% 4
    k <- i %% 4
    m0 <- FISCAL_START + 3 * k            # month of the quarter's start, 1..24
    y <- fy - (FISCAL_START != 1)
    y <- y + (m0 - 1) %/% 12
    m <- (m0 - 1) %% 12 + 1
    as.numeric(as.Date(sprintf("%04d-%02d-01", y, m)))
}
q_last <- function(i) q_first(i + 1) - 1
stopifnot(q_first(fq(20000)$index) <= 20000, q_last(fq(20000)$index) >= 20000)

# ---------------------------------------------------------------- the data
reps <- 26
d0 <- as.numeric(as.Date("2025-04-03"))       # FY2026 Q1 starts 2025-04-01
assign <- data.frame(rep = integer(), plan = integer(), start = numeric(), end = numeric())
add <- function(rep, plan, start, end) {
    assign[nrow(assign) + 1, ] <<- list(rep, plan, start, end)
}
first <- d0 - 800
movers <- 0:7                                    # 8 reps, plan 0 -> 1, within 7 days of d0
lag <- c(0, 0, 1, 3, 5, 7, 2, 6)
for (j in seq_along(movers)) {
    add(movers[j], 0, first, d0 + lag[j] - 1)
    add(movers[j], 1, d0 + lag[j], NA)
}
add(8, 0, first, d0 + 39); add(8, 1, d0 + 40, NA)     # 0 -> 1 a month later: not in the group
add(9, 2, first, d0 + 1); add(9, 3, d0 + 2, NA)       # three reps 2 -> 3: too few for a change
add(10, 2, first, d0 + 2); add(10, 3, d0 + 3, NA)
add(11, 2, first, d0 + 4); add(11, 3, d0 + 5, NA)
add(12, 0, first, d0 - 60); add(12, 0, d0 - 59, NA)   # a team-only move: not a move, a control
add(13, 2, d0 - 900, d0 - 500); add(13, 3, d0 - 499, NA)   # a move before the window: a control
add(14, 1, d0 + 370, NA)                              # a hire after the window
# reps 15..25: no assignment rows (reps.csv's plan), controls
deals <- data.frame(rep = integer(), day = numeric(), y = integer())
rep_level <- rnorm(reps, 0, 0.08)
q_eff <- rnorm(40, 0, 0.04)
for (r in 0:(reps - 1)) {
    n <- sample(25:70, 1)
    day <- sort(round(runif(n, if (r == 14) d0 + 370 else d0 - 560, d0 + 500)))
    qi <- fq(day)$index - fq(d0)$index
    p <- 0.25 + rep_level[r + 1] + q_eff[pmin(pmax(qi + 20, 1), 40)] +
         ifelse(r %in% movers & day >= d0 + lag[match(r, movers)], -0.12, 0)
    p <- pmin(pmax(p, 0.02), 0.98)
    deals <- rbind(deals, data.frame(rep = r, day = day, y = rbinom(length(day), 1, p)))
}
deals <- deals[sample(nrow(deals)), ]                 # not grouped by rep
write.csv(assign, file.path(out, "pc_assign.csv"), row.names = FALSE, na = "NA", quote = FALSE)
write.csv(deals, file.path(out, "pc_deals.csv"), row.names = FALSE, quote = FALSE)
assign <- read.csv(file.path(out, "pc_assign.csv"))
deals <- read.csv(file.path(out, "pc_deals.csv"))

# ---------------------------------------------------------------- SPEC 14.3
a <- assign[order(assign$rep, assign$start), ]
moves <- data.frame(rep = integer(), from = integer(), to = integer(), day = numeric())
for (r in unique(a$rep)) {
    s <- a[a$rep == r, ]
    if (nrow(s) < 2) next
    for (i in 2:nrow(s))
        if (s$plan[i] != s$plan[i - 1])
            moves[nrow(moves) + 1, ] <- list(r, s$plan[i - 1], s$plan[i], s$start[i])
}
changes <- list()
for (key in unique(paste(moves$from, moves$to))) {
    m <- moves[paste(moves$from, moves$to) == key, ]
    m <- m[order(m$day, m$rep), ]
    used <- rep(FALSE, nrow(m))
    for (i in seq_len(nrow(m))) {
        if (used[i]) next
        grp <- which(!used & m$day >= m$day[i] & m$day <= m$day[i] + 7)
        if (length(unique(m$rep[grp])) >= 5) {
            used[grp] <- TRUE
            changes[[length(changes) + 1]] <- list(from = m$from[i], to = m$to[i], date = m$day[i],
                                                   reps = sort(unique(m$rep[grp])))
        }
    }
}
stopifnot(length(changes) == 1)
ch <- changes[[1]]
kv <- list()
put <- function(k, v) kv[[k]] <<- v
q0 <- fq(ch$date)
put("change.from", ch$from)
put("change.to", ch$to)
put("change.date", ch$date)
put("change.quarter", q0$code)
put("change.movers", length(ch$reps))
put("change.other_moves", sum(!(moves$rep %in% ch$reps) & abs(moves$day - ch$date) <= 7))
w_first <- q_first(q0$index - 4)
w_last <- q_last(q0$index + 3)
moved_in_window <- unique(moves$rep[moves$day >= w_first & moves$day <= w_last])
controls <- setdiff(0:(reps - 1), moved_in_window)
stopifnot(!any(ch$reps %in% controls))

estimate <- function(prefix, last_day) {
    s <- deals[deals$day >= w_first & deals$day <= min(w_last, last_day) &
               deals$rep %in% c(ch$reps, controls), ]
    s$treated <- as.integer(s$rep %in% ch$reps)
    s$post <- as.integer(s$day >= ch$date)
    s$did <- s$treated * s$post
    s$quarter <- fq(s$day)$index
    s$rel <- s$quarter - q0$index
    G <- length(unique(s$rep))
    put(paste0(prefix, ".n"), nrow(s))
    put(paste0(prefix, ".treated_reps"), length(unique(s$rep[s$treated == 1])))
    put(paste0(prefix, ".control_reps"), length(unique(s$rep[s$treated == 0])))
    put(paste0(prefix, ".clusters"), G)
    df <- if (G >= 10 && G <= 29) G - 1 else Inf
    fit <- lm(y ~ did + factor(rep) + factor(quarter), data = s)
    V <- vcovCL(fit, cluster = ~rep)
    b <- coef(fit)[["did"]]
    se <- sqrt(vcov(fit)["did", "did"])
    sc <- sqrt(V["did", "did"])
    z <- b / sc
    crit <- qt(0.975, df)
    for (k in c("estimate", "se", "se_cluster", "z", "p", "ci_low", "ci_high"))
        put(paste0(prefix, ".did.", k),
            switch(k, estimate = b, se = se, se_cluster = sc, z = z, p = 2 * pt(-abs(z), df),
                   ci_low = b - crit * sc, ci_high = b + crit * sc))
    qs <- c(-4, -3, -2, 0, 1, 2, 3)
    terms <- character()
    for (q in qs) {
        nm <- paste0("ev_", ifelse(q < 0, paste0("m", -q), q))
        s[[nm]] <- s$treated * (s$rel == q)
        if (any(s[[nm]] == 1)) terms <- c(terms, nm)
    }
    ev <- lm(as.formula(paste("y ~", paste(terms, collapse = " + "),
                              "+ factor(rep) + factor(quarter)")), data = s)
    stopifnot(!any(is.na(coef(ev)[terms])))
    Ve <- vcovCL(ev, cluster = ~rep)
    for (q in qs) {
        nm <- paste0("ev_", ifelse(q < 0, paste0("m", -q), q))
        if (!(nm %in% terms)) next
        be <- coef(ev)[[nm]]
        se_e <- sqrt(Ve[nm, nm])
        key <- paste0(prefix, ".ev.", q, ".")
        put(paste0(key, "estimate"), be)
        put(paste0(key, "se_cluster"), se_e)
        put(paste0(key, "ci_low"), be - crit * se_e)
        put(paste0(key, "ci_high"), be + crit * se_e)
    }
    pre <- intersect(c("ev_m4", "ev_m3", "ev_m2"), terms)
    bp <- coef(ev)[pre]
    W <- drop(t(bp) %*% solve(Ve[pre, pre], bp))
    put(paste0(prefix, ".pre.wald"), W)
    put(paste0(prefix, ".pre.df"), length(pre))
    put(paste0(prefix, ".pre.p"), if (is.finite(df)) pf(W / length(pre), length(pre), df,
                                                       lower.tail = FALSE)
                                  else pchisq(W, length(pre), lower.tail = FALSE))
    cat(sprintf("%s: n %d, G %d, did %.4f (se %.4f, cluster %.4f), pre-trend p %.3f\n", prefix,
                nrow(s), G, b, se, sc, kv[[paste0(prefix, ".pre.p")]]))
}
estimate("full", Inf)
estimate("cut", q_last(q0$index + 1))
keys <- sort(names(kv))
writeLines(c("key,value", paste(keys, vapply(keys, function(k) g17(kv[[k]]), ""), sep = ",")),
           file.path(out, "pc_ref.csv"))
