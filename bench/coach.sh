#!/usr/bin/env bash
# The coach (issue "the coach"): the safety gate's catch and false-alarm rates on the red-team
# sets in domain/tests/gate/, and messages per second through the gate on one core
# (`cargo bench -p rekindle-domain --bench gate`, domain/benches/gate.rs).
#
# Run by hand: bash bench/coach.sh [gate]
#   ROUNDS  passes over both sets for the throughput figure (default 400)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
BENCHES=("$@")
[ ${#BENCHES[@]} -gt 0 ] || BENCHES=(gate)

for bench in "${BENCHES[@]}"; do
  case "$bench" in
    gate) cargo bench --locked -q -p rekindle-domain --bench gate ;;
    *) echo "unknown benchmark $bench" >&2; exit 2 ;;
  esac
done
