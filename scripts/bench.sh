#!/usr/bin/env bash
# Benchmark: builds capdiag and the capture generator in release mode, then runs examples/bench
# (see its module doc). Files are generated once into --dir (default the temp dir) and reused.
# Nothing is sent on any network. Example: scripts/bench.sh --size 1G --modes mixed,oneway,dense
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin capdiag --example gencap --example bench
exec target/release/examples/bench "$@"
