#!/usr/bin/env Rscript
# selftest.R -- is the harness's reference right?
#
#   Rscript bench/matchit/selftest.R [DATA.csv]
#
# (DATA.csv defaults to a fresh make_data.py table of 20,000 rows with 3,000
# duplicated covariate rows, so that exact propensity-score ties occur.)
#
# 1. ref_nn.R against MatchIt's OWN vector routine (C++ nn_matchC_vec, the
#    code behind distance = "glm"). On Debian's 4.5.1 that routine takes
#    abs() of doubles as int, which is harmless when every distance is a
#    whole number below 2^31. So we give both the score scaled to whole
#    numbers, round(ps * 2^30), which also creates many exact ties, and
#    require identical matched sets (ratio 1; the 4.5.1 routine has other
#    bugs for ratio > 1, shown in part 3). This pins down tie-breaking.
# 2. ref_nn.R against MatchIt's distance-MATRIX routine (nn_matchC) on the
#    real score, every configuration compare.sh uses, on a table without
#    duplicated rows: identical matched sets required. (With exact ties the
#    two routines legitimately differ: the matrix routine takes the first
#    control in data order; see ref_nn.R.)
# 3. Shows the 4.5.1 defects (informational): distance = "glm" against the
#    reference; ratio 2 with replacement; ratio 5 without replacement.
#
# Ends with "N passed, N failed"; exits 1 if anything failed.

suppressPackageStartupMessages({
  if (!requireNamespace("MatchIt", quietly = TRUE)) {
    cat("selftest.R: R package MatchIt missing: apt-get install r-base-core r-cran-matchit\n",
        file = stderr())
    quit(status = 2)
  }
  library(MatchIt)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
here <- local({
  a <- commandArgs(FALSE)
  f <- sub("^--file=", "", a[startsWith(a, "--file=")])
  if (length(f)) dirname(normalizePath(f[1])) else "bench/matchit"
})
source(file.path(here, "ref_nn.R"))

make <- function(path, n, seed, dups) {
  st <- system2(file.path(here, "make_data.py"),
                c(path, n, seed, "--duplicates", dups), stdout = FALSE, stderr = FALSE)
  if (st != 0) stop("make_data.py failed")
  read.csv(path, check.names = FALSE, stringsAsFactors = FALSE)
}
args <- commandArgs(TRUE)
tmp <- tempfile("selftest"); dir.create(tmp)
tied <- if (length(args) >= 1) read.csv(args[1], stringsAsFactors = FALSE) else
  make(file.path(tmp, "tied.csv"), 20000, 3, 3000)
clean <- make(file.path(tmp, "clean.csv"), 20000, 1, 0)

covs <- c("age", "female", "employed", "prev_offences", "prev_custodial", "days_since_last",
          "age_first_offence", "ogrs3", "drug_misuse", "unstable_housing", "region")
f <- reformulate(covs, response = "treated")
passed <- 0L; failed <- 0L
report <- function(ok, what) {
  cat(sprintf("%s  %s\n", if (ok) "PASS" else "FAIL", what))
  if (ok) passed <<- passed + 1L else failed <<- failed + 1L
}
key <- function(m) apply(m, 1, function(r) paste(sort(r[!is.na(r)]), collapse = " "))
# MatchIt's character match matrix -> numeric, rows = treated in data order
as_num_mm <- function(cm, treat) {
  ind1 <- which(treat == 1)
  mm <- matrix(NA_integer_, nrow = length(ind1), ncol = ncol(cm))
  mm[match(as.integer(rownames(cm)), ind1), ] <- as.integer(cm)
  mm
}
score <- function(dat) {
  rownames(dat) <- as.character(seq_len(nrow(dat)))
  fit <- glm(f, data = dat, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
  unname(fitted(fit))
}

# ---- 1. vector routine, whole-number distances --------------------------------------
dat <- tied; rownames(dat) <- as.character(seq_len(nrow(dat)))
treat <- dat$treated
dI <- round(score(dat) * 2^30)
cat(sprintf("part 1: %d rows, %d treated; %d duplicated whole-number distances\n",
            nrow(dat), sum(treat), sum(duplicated(dI))))
strata_f <- as.integer(factor(dat$female))
for (cfg in list(list(name = "1:1"),
                 list(name = "1:1 caliper 0.2 SD", caliper = 0.2),
                 list(name = "1:1 caliper 0.05 SD", caliper = 0.05),
                 list(name = "1:1 exact female", exact = TRUE),
                 list(name = "1:1 with replacement", replace = TRUE),
                 list(name = "1:1 discard both, caliper 0.1", discard = "both", caliper = 0.1))) {
  replace <- isTRUE(cfg$replace)
  disc <- MatchIt:::discard(setNames(treat, rownames(dat)), dI,
                            if (is.null(cfg$discard)) "none" else cfg$discard)
  cal <- if (!is.null(cfg$caliper)) cfg$caliper * sd(dI[!disc]) else NULL
  a <- list(formula = f, data = dat, method = "nearest", distance = dI,
            replace = replace, discard = disc)
  if (!is.null(cal)) { a$caliper <- cal; a$std.caliper <- FALSE }
  if (isTRUE(cfg$exact)) a$exact <- ~female
  m <- suppressWarnings(do.call(matchit, a))
  ref <- ref_nn_match(dI, treat, replace = replace, caliper = cal, discarded = disc,
                      strata = if (isTRUE(cfg$exact)) strata_f else NULL)
  d <- sum(key(as_num_mm(m$match.matrix, treat)) != key(ref))
  report(d == 0, sprintf("ref_nn.R == MatchIt nn_matchC_vec (whole-number distance, ties): %s (%d differ)",
                         cfg$name, d))
}

# ---- 2. matrix routine, real score, no duplicated rows ---------------------------------
dat <- clean; rownames(dat) <- as.character(seq_len(nrow(dat)))
treat <- dat$treated
ps <- score(dat)
ind1 <- which(treat == 1); ind0 <- which(treat == 0)
perm <- c(ind1[order(ps[ind1], decreasing = TRUE)], ind0)
dat2 <- dat[perm, ]
D <- abs(outer(ps[perm[seq_along(ind1)]], ps[ind0], "-"))
cat(sprintf("part 2: %d rows, %d treated; %d duplicated scores\n",
            nrow(dat), sum(treat), sum(duplicated(ps))))
for (cfg in list(list(name = "1:1 caliper 0.2 SD", caliper = 0.2),
                 list(name = "1:3", ratio = 3),
                 list(name = "1:1 with replacement", replace = TRUE),
                 list(name = "1:1 exact female", exact = TRUE),
                 list(name = "1:3 caliper 0.05 SD", ratio = 3, caliper = 0.05),
                 list(name = "1:2 with replacement, caliper 0.1", ratio = 2, replace = TRUE, caliper = 0.1))) {
  ratio <- if (is.null(cfg$ratio)) 1L else cfg$ratio
  replace <- isTRUE(cfg$replace)
  cal <- if (!is.null(cfg$caliper)) cfg$caliper * sd(ps) else NULL
  a <- list(formula = f, data = dat2, method = "nearest", distance = D, ratio = ratio,
            replace = replace, m.order = "data")
  if (!is.null(cal)) { a$caliper <- cal; a$std.caliper <- FALSE }
  if (isTRUE(cfg$exact)) a$exact <- ~female
  m <- suppressWarnings(do.call(matchit, a))
  ref <- ref_nn_match(ps, treat, ratio = ratio, replace = replace, caliper = cal,
                      strata = if (isTRUE(cfg$exact)) as.integer(factor(dat$female)) else NULL)
  d <- sum(key(as_num_mm(m$match.matrix, treat)) != key(ref))
  report(d == 0, sprintf("ref_nn.R == MatchIt nn_matchC (distance matrix, real score): %s (%d differ)",
                         cfg$name, d))
}

# ---- 3. the 4.5.1 defects (informational) -------------------------------------------------
cat("part 3 (informational): MatchIt", as.character(packageVersion("MatchIt")), "with distance = \"glm\"\n")
m <- suppressWarnings(matchit(f, data = dat, method = "nearest", distance = "glm", caliper = 0.2))
ps_m <- unname(m$distance)
cal <- 0.2 * sd(ps_m)
ref <- ref_nn_match(ps_m, treat, caliper = cal)
mm <- as_num_mm(m$match.matrix, treat)
gap <- abs(ps_m[ind1] - ps_m[mm[, 1]])
cat(sprintf("  1:1 caliper 0.2: %d of %d treated get a different control than the correct algorithm; %d pairs are further apart than the caliper (%.4g)\n",
            sum(key(mm) != key(ref)), length(ind1), sum(gap > cal, na.rm = TRUE), cal))
m <- suppressWarnings(matchit(f, data = dat, method = "nearest", distance = "glm", ratio = 2, replace = TRUE))
mm <- as_num_mm(m$match.matrix, treat)
cat(sprintf("  1:2 with replacement: %d of %d treated units have the same control twice\n",
            sum(mm[, 1] == mm[, 2], na.rm = TRUE), length(ind1)))
# 4.5.1 also compares 0-based candidates with the 1-based match matrix when
# excluding a treated unit's earlier matches, so in rounds 2+ it can skip the
# control in the data row right after an earlier match (rare: about 1 in
# 10,000 treated units at ratio 2), even where abs() does no harm.
dI <- round(ps * 2^30)
m <- suppressWarnings(matchit(f, data = dat, method = "nearest", distance = dI, ratio = 5))
ref <- ref_nn_match(dI, treat, ratio = 5)
cat(sprintf("  1:5 without replacement, even on whole-number distances: %d of %d treated differ from the correct algorithm\n",
            sum(key(as_num_mm(m$match.matrix, treat)) != key(ref)), length(ind1)))

unlink(tmp, recursive = TRUE)
cat(sprintf("%d passed, %d failed\n", passed, failed))
quit(status = if (failed > 0) 1 else 0)
