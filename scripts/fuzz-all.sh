#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each and prints executions and crashes per target.
# Usage: scripts/fuzz-all.sh SECONDS [TARGET...]   (FUZZ_NO_BUILD=1: use the binaries as built;
# FUZZ_SANITIZER=none: build without AddressSanitizer, faster — the readers are safe Rust;
# the default is cargo-fuzz's `address`)
# Needs the nightly toolchain and cargo-fuzz (scripts/install-fuzz.sh). The committed seeds in
# fuzz/corpus/<target>/ are read, new inputs go to fuzz/work/<target>/ (not committed); a crash
# is left in fuzz/artifacts/<target>/ (minimise it with `cargo +nightly fuzz tmin`, then copy it
# to fuzz/regressions/<target>/ so that `cargo test` replays it). Exit 1 when a target crashed.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:?usage: scripts/fuzz-all.sh SECONDS [TARGET...]}"
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^insilab-fuzz$')
fi
xml_targets=" insi_request insi_response soap_fault lint fhir cda "
sanitizer="${FUZZ_SANITIZER:-address}"
# Built once; the binaries are then run directly (a `cargo fuzz run` per target would rebuild
# with other flags).
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cargo +nightly fuzz build --release --sanitizer "$sanitizer" >/dev/null || { echo "error: the fuzz targets do not build" >&2; exit 2; }
fi
bin_dir="target/x86_64-unknown-linux-gnu/release"
# Generated at fuzz time, never committed: the card CA and CRL the cpx_assertion target trusts
# and its signed seeds, from the tests' shared PKI (generated on this machine), under
# work/generated/ (cpx/ and corpus/cpx_assertion/).
generated="$PWD/work/generated"
case " ${targets[*]} " in *" cpx_assertion "*)
  (cd .. && cargo run -q -p insilab-fuzz-entries --example cpx_seeds -- "$generated") \
    || { echo "error: the cpx_assertion trust and seeds could not be generated" >&2; exit 2; }
  export INSILAB_FUZZ_CPX_DIR="$generated/cpx" ;;
esac
total=0
crashed=0
printf '%-20s %14s %8s\n' target executions crashes
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "artifacts/$t"
  dict=()
  case "$xml_targets" in *" $t "*) dict=(-dict=xml.dict) ;; esac
  # A target's own dictionary, when it has one (fuzz/dict/<target>.dict).
  if [ -f "dict/$t.dict" ]; then dict=(-dict="dict/$t.dict"); fi
  log="work/$t.log"
  seeds=("corpus/$t")
  if [ -d "$generated/corpus/$t" ]; then seeds+=("$generated/corpus/$t"); fi
  "$bin_dir/$t" "work/$t" "${seeds[@]}" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s+=$1} END {print s+0}')
  crashes=$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%-20s %14s %8s\n' "$t" "$runs" "$crashes"
  total=$((total + runs))
  crashed=$((crashed + crashes))
done
printf '%-20s %14s %8s\n' TOTAL "$total" "$crashed"
[ "$crashed" -eq 0 ]
