#!/bin/sh
# Installs cargo-fuzz (the libFuzzer driver for `cargo +nightly fuzz`).
# Usage: scripts/install-fuzz.sh
# Needs a nightly toolchain (`rustup toolchain install nightly`) to run the
# fuzz targets; cargo-fuzz itself builds on stable or nightly.
set -eu
if command -v cargo-fuzz >/dev/null 2>&1; then
    echo "cargo-fuzz already installed: $(cargo fuzz --version 2>/dev/null || echo unknown)"
    exit 0
fi
cargo install cargo-fuzz --locked
