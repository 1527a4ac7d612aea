#!/usr/bin/env Rscript
# run_matchit.R -- MatchIt's side of the Lifeline comparison.
#
#   Rscript bench/matchit/run_matchit.R DATA.csv OUTDIR [options]
#
# Options mirror `lifeline match`:
#   --treatment COL      (treated)      0/1 column
#   --covariates a,b,c   (all columns but treatment and outcome)
#   --outcome COL        (y)
#   --method nearest     MatchIt has no radius matching: anything else is refused
#   --ratio K            (1)
#   --replace            match with replacement
#   --caliper X          in standard deviations of the distance (MatchIt's
#                        std.caliper = TRUE): X * sd(distance of the units not
#                        discarded, treated and controls together)
#   --exact COL[,COL]    match only within strata of these columns
#   --link L             logit (default: distance = propensity score) or
#                        linear.logit (distance = logit of the score)
#   --discard D          none (default) | both | treated | control
#   --engine E           which MatchIt to run (see below; default auto)
#   --check              also run ref_nn.R's reference and compare matched sets
#   --no-balance         skip summary() (balance.csv), e.g. for timing runs
#   --max-matrix-gb G    largest distance matrix the matrix engine builds (2; MatchIt peaks at ~5x it)
#
# Engines:
#   matrix  CORRECT REFERENCE. Debian 12's MatchIt 4.5.1 mis-matches when the
#           distance is a propensity-score vector (its C++ nn_matchC_vec takes
#           abs() of doubles as int, so every gap below 1 counts as 0: wrong
#           controls, calipers ignored; it also repeats the first match with
#           replace + ratio > 1, and skips some controls for ratio > 1). So we
#           hand MatchIt the n1 x n0 MATRIX of |distance differences|, which
#           goes through its other routine (nn_matchC), correct in 4.5.1.
#           With a matrix MatchIt only allows m.order "data", so the data are
#           reordered to put the treated units in MatchIt's default order
#           (largest distance first, ties in data order) and the controls in
#           data order (the matrix routine breaks exact ties toward the first
#           control in the data). Caliper converted to the matrix's units by
#           us (std.caliper = FALSE). Feasible up to ~1e8 matrix cells.
#   ref     CORRECT REFERENCE at any size: ref_nn.R, the harness's own R
#           implementation of MatchIt >= 4.5.4's vector routine (selftest.R
#           checks it against MatchIt's C++). Uses MatchIt for the weights,
#           subclasses and balance.
#   glm     ORDINARY CALL, FOR SPEED ONLY: matchit(distance = "glm") as an
#           analyst would run it. On 4.5.1 its matched sets are WRONG.
#   auto    matrix if the matrix fits in --max-matrix-gb, otherwise ref.
#
# Writes to OUTDIR (formats in README.md): matched.csv, pairs.csv,
# coefficients.csv, balance.csv, effect.json, timing.txt. Prints timings:
# read, glm (the tight reference fit), distance matrix, matching, total.

suppressPackageStartupMessages({
  if (!requireNamespace("MatchIt", quietly = TRUE)) {
    cat("run_matchit.R: the R package MatchIt is not installed: apt-get install r-cran-matchit\n",
        file = stderr())
    quit(status = 2)
  }
  library(MatchIt)
})

# Factor levels (R sorts character columns into levels) must not depend on
# the machine's locale: byte order, as Lifeline does.
invisible(Sys.setlocale("LC_COLLATE", "C"))

die <- function(...) {
  cat("run_matchit.R: ", ..., "\n", sep = "", file = stderr())
  quit(status = 2)
}

here <- local({
  a <- commandArgs(FALSE)
  f <- sub("^--file=", "", a[startsWith(a, "--file=")])
  if (length(f)) dirname(normalizePath(f[1])) else "bench/matchit"
})
source(file.path(here, "ref_nn.R"))

# ---- arguments -------------------------------------------------------------
args <- commandArgs(TRUE)
if (length(args) < 2 || args[1] %in% c("-h", "--help")) {
  cat("usage: Rscript run_matchit.R DATA.csv OUTDIR [--treatment treated] [--covariates a,b,c]\n",
      "  [--outcome y] [--method nearest] [--ratio k] [--replace] [--caliper x] [--exact g]\n",
      "  [--link logit|linear.logit] [--discard none|both|treated|control]\n",
      "  [--engine auto|matrix|ref|glm] [--check] [--no-balance] [--max-matrix-gb G]\n", sep = "")
  quit(status = if (length(args) < 2) 2 else 0)
}
opt <- list(data = args[1], out = args[2], treatment = "treated", covariates = NULL,
            outcome = "y", method = "nearest", ratio = 1L, replace = FALSE,
            caliper = NULL, exact = NULL, link = "logit", discard = "none",
            engine = "auto", check = FALSE, balance = TRUE, max_matrix_gb = 2)
i <- 3
while (i <= length(args)) {
  a <- args[i]
  val <- function() {
    if (i + 1 > length(args)) die(a, " needs a value")
    args[i + 1]
  }
  switch(a,
    "--treatment" = { opt$treatment <- val(); i <- i + 1 },
    "--covariates" = { opt$covariates <- strsplit(val(), ",", fixed = TRUE)[[1]]; i <- i + 1 },
    "--outcome" = { opt$outcome <- val(); i <- i + 1 },
    "--method" = { opt$method <- val(); i <- i + 1 },
    "--ratio" = { opt$ratio <- as.integer(val()); i <- i + 1 },
    "--replace" = { opt$replace <- TRUE },
    "--caliper" = { opt$caliper <- as.numeric(val()); i <- i + 1 },
    "--exact" = { opt$exact <- strsplit(val(), ",", fixed = TRUE)[[1]]; i <- i + 1 },
    "--link" = { opt$link <- val(); i <- i + 1 },
    "--discard" = { opt$discard <- val(); i <- i + 1 },
    "--engine" = { opt$engine <- val(); i <- i + 1 },
    "--check" = { opt$check <- TRUE },
    "--no-balance" = { opt$balance <- FALSE },
    "--max-matrix-gb" = { opt$max_matrix_gb <- as.numeric(val()); i <- i + 1 },
    die("unknown option ", a))
  i <- i + 1
}
if (opt$method != "nearest")
  die("method '", opt$method, "': MatchIt 4.x has no radius matching; only --method nearest is compared")
if (is.na(opt$ratio) || opt$ratio < 1) die("--ratio must be a whole number >= 1")
if (!is.null(opt$caliper) && (is.na(opt$caliper) || opt$caliper <= 0)) die("--caliper must be > 0")
if (!opt$link %in% c("logit", "linear.logit")) die("--link must be logit or linear.logit")
if (!opt$discard %in% c("none", "both", "treated", "control")) die("bad --discard")
if (!opt$engine %in% c("auto", "matrix", "ref", "glm")) die("bad --engine")
if (!file.exists(opt$data)) die("no such data file: ", opt$data)
dir.create(opt$out, showWarnings = FALSE, recursive = TRUE)

now <- function() as.numeric(proc.time()[["elapsed"]])
timing <- list()
t_start <- now()

# ---- data --------------------------------------------------------------------
t0 <- now()
dat <- read.csv(opt$data, check.names = FALSE, stringsAsFactors = FALSE)
timing$read <- now() - t0
if (is.null(opt$covariates))
  opt$covariates <- setdiff(names(dat), c(opt$treatment, opt$outcome))
need <- unique(c(opt$treatment, opt$covariates, opt$outcome, opt$exact))
miss <- setdiff(need, names(dat))
if (length(miss)) die("columns not in ", opt$data, ": ", paste(miss, collapse = ", "))
if (anyNA(dat[need])) die("missing values in the columns used")
treat <- dat[[opt$treatment]]
if (!all(treat %in% c(0, 1))) die("treatment column must be 0/1")
n <- nrow(dat)
rownames(dat) <- as.character(seq_len(n))  # MatchIt's unit names = 1-based rows
n1 <- sum(treat == 1); n0 <- n - n1
bt <- function(x) paste0("`", x, "`")
f <- reformulate(bt(opt$covariates), response = bt(opt$treatment))
exact_f <- if (!is.null(opt$exact)) reformulate(bt(opt$exact)) else NULL
cat(sprintf("data: %s: %d rows, %d treated, %d controls; %d covariates\n",
            opt$data, n, n1, n0, length(opt$covariates)))

# ---- propensity score ---------------------------------------------------------
# MatchIt's default model (distance2glm): glm(formula, data, family =
# quasibinomial(link = "logit")), default glm.control (epsilon 1e-8,
# maxit 25), no weights; distance = fitted probabilities (link "logit") or
# the linear predictor (link "linear.logit"). quasibinomial gives the same
# estimates as binomial. The reference fit is the same model converged
# tightly (epsilon 1e-14, maxit 100): that is what Lifeline is compared with.
t0 <- now()
fit <- glm(f, data = dat, family = binomial(link = "logit"),
           control = glm.control(epsilon = 1e-14, maxit = 100))
timing$glm <- now() - t0
if (!fit$converged) cat("warning: tight glm did not converge in 100 iterations\n")
ps <- unname(fitted(fit))
lp <- unname(fit$linear.predictors)
dist <- if (opt$link == "logit") ps else lp
names(dist) <- rownames(dat)

write.csv(data.frame(term = names(coef(fit)),
                     estimate = sprintf("%.17g", unname(coef(fit)))),
          file.path(opt$out, "coefficients.csv"), row.names = FALSE, quote = TRUE)

discarded <- MatchIt:::discard(setNames(treat, rownames(dat)), dist, opt$discard)
cal_abs <- if (!is.null(opt$caliper)) opt$caliper * sd(dist[!discarded]) else NULL
if (!is.null(cal_abs))
  cat(sprintf("caliper: %g SD of the %s = %.17g\n", opt$caliper,
              if (opt$link == "logit") "propensity score" else "logit of the propensity score",
              cal_abs))
strata <- if (!is.null(opt$exact))
  as.integer(factor(do.call(paste, c(unname(as.list(dat[opt$exact])), sep = "\r")))) else NULL

engine <- opt$engine
cells <- as.numeric(n1) * n0
if (engine == "auto")
  engine <- if (cells * 8 / 2^30 <= opt$max_matrix_gb) "matrix" else "ref"
if (engine == "matrix" && cells * 8 / 2^30 > opt$max_matrix_gb)
  die(sprintf("the distance matrix would be %d x %d = %.1f GB (> --max-matrix-gb %g): use --engine ref for a correct reference or --engine glm for timing",
              n1, n0, cells * 8 / 2^30, opt$max_matrix_gb))

# ---- matching -------------------------------------------------------------------
ratio <- opt$ratio
replace <- opt$replace
mm <- NULL            # numeric match matrix: rows = treated in data order
m_obj <- NULL
if (engine == "matrix") {
  cat("engine: matrix -- CORRECT REFERENCE (MatchIt 4.5.1's distance-matrix routine)\n")
  ind1 <- which(treat == 1)
  ind0 <- which(treat == 0)
  # MatchIt's default order, m.order = "largest": treated by distance
  # descending, ties in data order (order() is stable).
  perm <- c(ind1[order(dist[ind1], decreasing = TRUE)], ind0)
  dat2 <- dat[perm, , drop = FALSE]        # rownames stay the original rows
  t0 <- now()
  d1 <- dist[perm[seq_len(n1)]]
  d0 <- dist[ind0]
  D <- matrix(0, nrow = n1, ncol = n0)
  step <- max(1L, as.integer(2e7 %/% max(1L, n1)))   # columns per chunk
  for (s in seq(1L, n0, by = step)) {
    j <- s:min(n0, s + step - 1L)
    D[, j] <- abs(outer(d1, d0[j], "-"))
  }
  timing$matrix <- now() - t0
  t0 <- now()
  args_m <- list(formula = f, data = dat2, method = "nearest", distance = D,
                 ratio = ratio, replace = replace, m.order = "data",
                 discard = unname(discarded[perm]))
  if (!is.null(cal_abs)) { args_m$caliper <- cal_abs; args_m$std.caliper <- FALSE }
  if (!is.null(exact_f)) args_m$exact <- exact_f
  m_obj <- suppressWarnings(do.call(matchit, args_m))
  timing$match <- now() - t0
  rm(D); invisible(gc())
  cm <- m_obj$match.matrix                 # character, rownames = original rows
  mm <- matrix(NA_integer_, nrow = n1, ncol = ncol(cm))
  mm[match(as.integer(rownames(cm)), ind1), ] <- as.integer(cm)
  rownames(mm) <- as.character(ind1)
} else if (engine == "ref") {
  cat("engine: ref -- CORRECT REFERENCE (ref_nn.R, MatchIt >= 4.5.4 semantics)\n")
  t0 <- now()
  mm <- ref_nn_match(dist, treat, ratio = ratio, replace = replace, caliper = cal_abs,
                     discarded = discarded, strata = strata)
  timing$match <- now() - t0
} else {
  cat("engine: glm -- ORDINARY matchit(distance = \"glm\"), FOR SPEED ONLY:",
      "MatchIt 4.5.1's matched sets are WRONG\n")
  # 1. The whole call as an analyst makes it (its own default glm inside).
  args_m <- list(formula = f, data = dat, method = "nearest", distance = "glm",
                 link = opt$link, ratio = ratio, replace = replace, discard = opt$discard)
  if (!is.null(opt$caliper)) args_m$caliper <- opt$caliper
  if (!is.null(exact_f)) args_m$exact <- exact_f
  t0 <- now()
  m_obj <- suppressWarnings(do.call(matchit, args_m))
  timing$matchit_full <- now() - t0
  # 2. Its two halves, timed apart: the glm MatchIt fits (distance2glm's
  #    call) and matching on that score through the same vector routine.
  t0 <- now()
  g_def <- glm(f, data = dat, family = quasibinomial(link = "logit"))
  timing$glm_default <- now() - t0
  d_def <- if (opt$link == "logit") fitted(g_def) else g_def$linear.predictors
  args_v <- args_m
  args_v$distance <- unname(d_def); args_v$link <- NULL
  t0 <- now()
  invisible(suppressWarnings(do.call(matchit, args_v)))
  timing$match <- now() - t0
  # 3. The same routine where 4.5.1 happens to be right: the score scaled to
  #    whole numbers (its int abs() then loses nothing; caliper in the same
  #    units). Shows the speed of correct matching through MatchIt's code.
  dI <- round(unname(d_def) / max(abs(d_def)) * 2^29)   # gaps < 2^31
  args_w <- args_v
  args_w$distance <- dI
  if (!is.null(opt$caliper)) {
    disc_w <- MatchIt:::discard(setNames(treat, rownames(dat)), dI, opt$discard)
    args_w$caliper <- opt$caliper * sd(dI[!disc_w]); args_w$std.caliper <- FALSE
  }
  t0 <- now()
  invisible(suppressWarnings(do.call(matchit, args_w)))
  timing$match_wholenum <- now() - t0
  cm <- m_obj$match.matrix
  ind1 <- which(treat == 1)
  mm <- matrix(NA_integer_, nrow = n1, ncol = ncol(cm))
  mm[match(as.integer(rownames(cm)), ind1), ] <- as.integer(cm)
  rownames(mm) <- as.character(ind1)
  cat(sprintf("max |coef(matchit's default glm) - coef(tight glm)|: %.3g\n",
              max(abs(coef(m_obj$model) - coef(fit)))))
}

# ---- weights, subclasses (MatchIt's own functions) --------------------------------
tnamed <- setNames(as.integer(treat), rownames(dat))
weights <- if (!is.null(m_obj) && engine != "matrix") unname(m_obj$weights) else
  unname(MatchIt:::weights.matrix(mm, tnamed))
if (engine == "matrix") {
  # must equal MatchIt's own weights, mapped back from the reordered data
  w_m <- numeric(n); w_m[as.integer(names(m_obj$weights))] <- m_obj$weights
  if (max(abs(w_m - weights)) > 1e-12) die("internal: weights do not map back")
}
subclass <- if (!replace) as.integer(MatchIt:::mm2subclass(mm, tnamed)) else rep(NA_integer_, n)
timing$total <- now() - t_start

# ---- outputs -----------------------------------------------------------------------
fmt <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
# Rows are numbered from 1, as R and `lifeline match` number them; distance
# is the one matched on (the logit of the score with --link linear.logit).
out_matched <- data.frame(row = seq_len(n), treated = treat, distance = fmt(dist),
                          weight = fmt(weights),
                          subclass = ifelse(is.na(subclass), "", subclass))
write.csv(out_matched, file.path(opt$out, "matched.csv"), row.names = FALSE, quote = FALSE)
pr <- which(!is.na(mm), arr.ind = TRUE)
pairs <- data.frame(treated_row = as.integer(rownames(mm))[pr[, 1]],
                    control_row = mm[pr], k = pr[, 2])
pairs <- pairs[order(pairs$treated_row, pairs$k), ]
write.csv(pairs, file.path(opt$out, "pairs.csv"), row.names = FALSE, quote = FALSE)

y <- dat[[opt$outcome]]
w1 <- weights * (treat == 1); w0 <- weights * (treat == 0)
mt <- sum(w1 * y) / sum(w1); mc <- sum(w0 * y) / sum(w0)
ess <- function(w) sum(w)^2 / sum(w^2)
effect <- sprintf(paste0('{"estimand": "ATT", "outcome": "%s", "mean_treated": %.17g, ',
                         '"mean_control": %.17g, "difference": %.17g, "n_treated_matched": %d, ',
                         '"n_control_matched": %d, "ess_control": %.17g, "engine": "%s"}\n'),
                  opt$outcome, mt, mc, mt - mc, sum(w1 > 0), sum(w0 > 0), ess(w0[w0 > 0]), engine)
writeLines(effect, file.path(opt$out, "effect.json"), sep = "")

if (opt$balance) {
  # MatchIt's own summary() on these weights: an unmatched matchit object
  # (method = NULL) on the original data, with the match filled in.
  t0 <- now()
  obj <- suppressWarnings(matchit(f, data = dat, method = NULL, distance = unname(dist)))
  obj$weights <- setNames(weights, rownames(dat))
  cmm <- matrix(rownames(dat)[mm], nrow = nrow(mm), dimnames = list(rownames(mm), NULL))
  obj$match.matrix <- cmm
  obj$subclass <- if (!replace) setNames(factor(subclass), rownames(dat)) else NULL
  obj$info$method <- "nearest"
  obj$discarded <- setNames(discarded, rownames(dat))
  s <- summary(obj, un = TRUE)
  tab <- function(x, sample) data.frame(variable = rownames(x), sample = sample,
    mean_treated = fmt(x[, 1]), mean_control = fmt(x[, 2]), std_mean_diff = fmt(x[, 3]),
    var_ratio = fmt(x[, 4]), ecdf_mean = fmt(x[, 5]), ecdf_max = fmt(x[, 6]),
    std_pair_dist = if (ncol(x) >= 7) fmt(x[, 7]) else "")
  bal <- rbind(tab(s$sum.all, "all"), tab(s$sum.matched, "matched"))
  write.csv(bal, file.path(opt$out, "balance.csv"), row.names = FALSE, quote = TRUE)
  timing$balance <- now() - t0
}

# ---- check against the reference implementation --------------------------------------
if (opt$check && engine != "ref") {
  mm_ref <- ref_nn_match(dist, treat, ratio = ratio, replace = replace, caliper = cal_abs,
                         discarded = discarded, strata = strata)
  key <- function(m) apply(m, 1, function(r) paste(sort(r[!is.na(r)]), collapse = " "))
  a <- key(mm); b <- key(mm_ref)
  bad <- which(a != b)
  # Exact ties: are the differing controls equidistant from the treated unit?
  tied <- vapply(bad, function(r) {
    t <- as.integer(rownames(mm)[r])
    cs <- setdiff(union(mm[r, ], mm_ref[r, ]), intersect(mm[r, ], mm_ref[r, ]))
    cs <- cs[!is.na(cs)]
    length(cs) >= 2 && length(unique(abs(dist[t] - dist[cs]))) < length(cs)
  }, logical(1))
  dup <- sum(duplicated(dist[!discarded]))
  if (length(bad) == 0) {
    cat(sprintf("check: %s engine and ref_nn.R give identical matched sets for all %d treated units (%d duplicated distance values in the data)\n",
                engine, n1, dup))
  } else {
    cat(sprintf("check: %s engine and ref_nn.R DIFFER for %d of %d treated units (%d involve exactly equidistant controls; %d duplicated distance values)\n",
                engine, length(bad), n1, sum(tied), dup))
    if (engine == "matrix" && all(tied))
      cat("check: all differences are exact ties, broken differently by design (see ref_nn.R)\n")
  }
  writeLines(as.character(length(bad)), file.path(opt$out, "check_differences.txt"))
}

# ---- timings -----------------------------------------------------------------------
tl <- unlist(timing)
writeLines(sprintf("%s %.3f", names(tl), tl), file.path(opt$out, "timing.txt"))
cat(sprintf("matched: %d of %d treated, %d controls (engine %s)\n",
            sum(weights[treat == 1] > 0), n1, sum(weights[treat == 0] > 0), engine))
cat("timing (s):", paste(sprintf("%s=%.3f", names(tl), tl), collapse = " "), "\n")
