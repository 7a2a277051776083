#!/usr/bin/env bash
# What each part of the journal costs in the load generator's keep-alive ratio (issue 14,
# docs/performance.md, "What the journal costs"). Builds the `loadgen` bench of the committed
# HEAD once as it is and once per throw-away variant in scripts/journal-cost/*.patch (each
# removes one part of the journal's work: never meant to be merged), then runs every binary
# RUNS times, alternately, and prints the median ring and ring + JSONL ratios of each.
#
#   scripts/journal-cost.sh [RUNS]     # default 3; about 25 s per run and binary, plus builds
#
# Throw-away builds rather than switches read at run time: an environment variable read per
# exchange moved the ratio by about 0.015 by itself. Works in a temporary git worktree (the
# checkout is left alone); uncommitted changes are not measured. Exits 2 when a patch no longer
# applies (regenerate it: `git diff > scripts/journal-cost/<name>.patch` after the edit).
set -euo pipefail
runs="${1:-3}"
case "$runs" in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d)"
tree="$work/tree"
cleanup() {
  git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$tree" HEAD
# A target directory of its own, kept between runs (the variants rebuild only the simulator).
export CARGO_TARGET_DIR="$root/target/journal-cost"

variants=(full)
for patch in "$root"/scripts/journal-cost/*.patch; do
  variants+=("$(basename "$patch" .patch)")
done

build() {
  local name="$1" exe
  git -C "$tree" checkout --quiet -- .
  if [ "$name" != full ] && ! git -C "$tree" apply "$root/scripts/journal-cost/$name.patch"; then
    echo "error: scripts/journal-cost/$name.patch no longer applies to HEAD" >&2
    exit 2
  fi
  if ! (cd "$tree" && cargo bench -p insilab-simulator --bench loadgen --no-run \
    --message-format=json >"$work/build.json" 2>"$work/build.err"); then
    cat "$work/build.err" >&2
    echo "error: the loadgen bench of variant $name did not build" >&2
    exit 2
  fi
  exe="$(sed -n 's/.*"executable":"\([^"]*loadgen[^"]*\)".*/\1/p' "$work/build.json" | tail -1)"
  if [ -z "$exe" ]; then
    echo "error: cargo named no loadgen executable for variant $name" >&2
    exit 2
  fi
  cp "$exe" "$work/loadgen-$name"
  echo "built $name" >&2
}
for v in "${variants[@]}"; do build "$v"; done

for i in $(seq "$runs"); do
  for v in "${variants[@]}"; do
    line="$(cd "$work" && LOADGEN_RSS_REQUESTS=0 LOADGEN_ROUNDS=2 "$work/loadgen-$v" 2>&1 |
      grep '^ratio to the baseline' || true)"
    ring="$(sed -n 's/.*: ring \([0-9.]*\) req\/s.*/\1/p' <<<"$line")"
    jsonl="$(sed -n 's/.*ring + JSONL \([0-9.]*\) req\/s.*/\1/p' <<<"$line")"
    if [ -z "$ring" ] || [ -z "$jsonl" ]; then
      echo "error: variant $v printed no ratio line" >&2
      exit 2
    fi
    echo "run $i $v ring $ring jsonl $jsonl" >&2
    echo "$v $ring $jsonl" >>"$work/ratios"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '%-18s %6s %6s   (medians of %s runs, load average %s)\n' variant ring jsonl "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
for v in "${variants[@]}"; do
  r="$(awk -v v="$v" '$1 == v {print $2}' "$work/ratios" | median)"
  j="$(awk -v v="$v" '$1 == v {print $3}' "$work/ratios" | median)"
  printf '%-18s %6s %6s\n' "$v" "$r" "$j"
done
