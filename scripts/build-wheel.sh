#!/usr/bin/env bash
# Builds a Python wheel carrying the release `insilab` binary (maturin, binary bindings), then
# proves it: installs it into a fresh virtual environment and runs `insilab demo` from there.
#
#   scripts/build-wheel.sh            # build + install + demo; wheel in target/wheels/
#   scripts/build-wheel.sh --no-test  # build only
#
# maturin is installed from PyPI into target/wheel-tools/ (never into the system Python).
# Environment: PYTHON (default python3), MATURIN_VERSION (default below),
# MATURIN_ARGS (extra `maturin build` arguments, e.g. "--target aarch64-unknown-linux-gnu --zig").
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
MATURIN_VERSION="${MATURIN_VERSION:-1.16.0}"
TOOLS=target/wheel-tools
WHEELS=target/wheels
TEST_VENV=target/wheel-test-venv
test_it=1
[ "${1:-}" = "--no-test" ] && test_it=0

started=$(date +%s)
if [ ! -x "$TOOLS/bin/maturin" ]; then
  "$PYTHON" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

rm -rf "$WHEELS"
# --compatibility manylinux2014 would refuse a binary linked against a newer glibc; `auto`
# (the default) tags the wheel with the oldest manylinux policy the binary satisfies.
# shellcheck disable=SC2086
"$TOOLS/bin/maturin" build --release --strip --out "$WHEELS" ${MATURIN_ARGS:-}
built=$(date +%s)
wheel=$(ls "$WHEELS"/insilab-*.whl)
echo "wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB) built in $((built - started)) s"

[ "$test_it" = 1 ] || exit 0

# A fresh environment, no index: the wheel must be all it takes.
rm -rf "$TEST_VENV"
"$PYTHON" -m venv "$TEST_VENV"
"$TEST_VENV/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$TEST_VENV/bin/insilab" --version
# Run from an empty directory with the venv's bin first on PATH, as a CI job would.
(cd "$work" && PATH="$OLDPWD/$TEST_VENV/bin:$PATH" insilab demo --skip-self-test --out "$work/out" --pki "$work/pki")
test -s "$work/out/report.html"
echo "wheel installed and insilab demo passed from $TEST_VENV in $(($(date +%s) - built)) s"
