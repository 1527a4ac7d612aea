# ref_nn.R -- the harness's own REFERENCE IMPLEMENTATION, in plain R, of
# greedy nearest-neighbour matching on a scalar distance (the propensity
# score), with the semantics of MatchIt >= 4.5.4's vector routine
# (matchit(method = "nearest", distance = "glm"), C++ nn_matchC_vec).
# Written for this harness from the algorithm's description; it is NOT
# MatchIt's code. It exists because Debian 12's MatchIt 4.5.1 gets that
# routine wrong (abs() on doubles truncates to int), so the harness needs a
# second, independent statement of what the correct answer is.
#
# The semantics (all checked against MatchIt's own C++ by selftest.R):
#   * All units are sorted by distance ascending; ties keep data order
#     (R's order() is stable).
#   * Treated units are taken in `ord` (MatchIt's default m.order "largest":
#     order(distance[treated], decreasing = TRUE), ties in data order).
#   * Without replacement, matching goes in ROUNDS: every treated unit gets
#     its 1st control before any gets its 2nd, and so on up to `ratio`. A
#     treated unit that finds no control in a round takes no further part.
#   * A treated unit's candidates are the nearest unused control to its LEFT
#     in the sorted order (lower distance, or equal distance and earlier in
#     the data) and the nearest unused control to its RIGHT. A candidate is
#     dropped if |d_t - d_c| > caliper (so the caliper is inclusive). Of the
#     two, the left one wins when |d_t - d_left| <= |d_t - d_right|.
#     (So exact ties go to the LOWER score; among several controls with the
#     same score below the treated unit, the one LATEST in the data wins;
#     above it, the EARLIEST. This differs from MatchIt's distance-matrix
#     routine, which takes the first control in data order among the
#     minimal distances: the two agree whenever there are no exact ties.)
#   * With replacement, each treated unit independently gets its `ratio`
#     nearest controls, merging the left and right runs with the same rule.
#   * exact: matching is done separately within each stratum.
#   * discarded units (common support) take no part.
#
# Returns an integer matrix, one row per treated unit in data order, `ratio`
# columns, holding the (1-based) row numbers of the matched controls, NA
# where none: the same layout as MatchIt's numeric match matrix.

ref_nn_match <- function(d, treat, ratio = 1L, replace = FALSE,
                         caliper = NULL, discarded = NULL, strata = NULL,
                         m.order = c("largest", "smallest", "data")) {
  m.order <- match.arg(m.order)
  n <- length(d)
  stopifnot(length(treat) == n, all(treat %in% c(0, 1)))
  if (is.null(discarded)) discarded <- rep(FALSE, n)
  if (is.null(strata)) strata <- rep(1L, n)
  cal <- if (is.null(caliper)) Inf else caliper
  ratio <- as.integer(ratio)

  ind1 <- which(treat == 1)
  mm <- matrix(NA_integer_, nrow = length(ind1), ncol = ratio)
  row_of <- integer(n)
  row_of[ind1] <- seq_along(ind1)          # unit -> its row in mm

  # Global matching order of the treated units (MatchIt's `ord`); within a
  # stratum the same relative order applies.
  ord <- switch(m.order,
                largest = ind1[order(d[ind1], decreasing = TRUE)],
                smallest = ind1[order(d[ind1], decreasing = FALSE)],
                data = ind1)

  for (s in unique(strata[!discarded])) {
    u <- which(strata == s & !discarded)
    if (!any(treat[u] == 1) || !any(treat[u] == 0)) next
    o <- u[order(d[u])]                     # stable: ties in data order
    is_c <- treat[o] == 0
    cs <- o[is_c]                           # controls in sorted order
    cd <- d[cs]
    nc <- length(cs)
    # For each unit in sorted order: number of controls sorted before it.
    # A treated unit at sorted position i has its left neighbour at control
    # position nbefore[i] and its right one at nbefore[i] + 1.
    nbefore <- cumsum(is_c) - is_c
    lpos <- integer(n)
    lpos[o[!is_c]] <- nbefore[!is_c]
    ord_s <- ord[strata[ord] == s & !discarded[ord]]

    if (!replace) {
      # "Nearest unused control at or left of sorted position p" must not be
      # a linear scan over used controls (1M pools), so used positions point
      # past themselves, union-find style with path compression: lp[j] is a
      # position <= j-1 to try next, rp[j] one >= j+1. (Inlined rather than
      # closures so that R updates the vectors in place.)
      used <- logical(nc)
      lp <- seq_len(nc) - 1L
      rp <- seq_len(nc) + 1L
      active <- rep(TRUE, length(ord_s))
      for (r in seq_len(ratio)) {
        for (i in seq_along(ord_s)) {
          if (!active[i]) next
          t <- ord_s[i]
          dt <- d[t]
          p <- lpos[t]
          # left: nearest unused at or before p (0 = none)
          jl <- p
          while (jl >= 1L && used[jl]) jl <- lp[jl]
          q <- p
          while (q >= 1L && used[q] && lp[q] != jl) { nx <- lp[q]; lp[q] <- jl; q <- nx }
          # right: nearest unused at or after p + 1 (nc + 1 = none)
          jr <- p + 1L
          while (jr <= nc && used[jr]) jr <- rp[jr]
          q <- p + 1L
          while (q <= nc && used[q] && rp[q] != jr) { nx <- rp[q]; rp[q] <- jr; q <- nx }
          dl <- if (jl >= 1L) abs(dt - cd[jl]) else Inf
          dr <- if (jr <= nc) abs(dt - cd[jr]) else Inf
          okl <- jl >= 1L && dl <= cal
          okr <- jr <= nc && dr <= cal
          if (okl && okr) j <- if (dl <= dr) jl else jr
          else if (okl) j <- jl
          else if (okr) j <- jr
          else { active[i] <- FALSE; next }
          mm[row_of[t], r] <- cs[j]
          used[j] <- TRUE
        }
      }
    } else {
      for (t in ord_s) {
        dt <- d[t]
        p <- lpos[t]
        # the `ratio` nearest on each side within the caliper, nearest first
        jl <- p
        jr <- p + 1L
        got <- 0L
        while (got < ratio) {
          dl <- if (jl >= 1L) abs(dt - cd[jl]) else Inf
          dr <- if (jr <= nc) abs(dt - cd[jr]) else Inf
          okl <- jl >= 1L && dl <= cal
          okr <- jr <= nc && dr <= cal
          if (okl && (!okr || dl <= dr)) { j <- jl; jl <- jl - 1L }
          else if (okr) { j <- jr; jr <- jr + 1L }
          else break
          got <- got + 1L
          mm[row_of[t], got] <- cs[j]
        }
      }
    }
  }
  rownames(mm) <- as.character(ind1)
  mm
}
