#!/usr/bin/env bash
# The coach (issue "the coach"): the safety gate's catch and false-alarm rates on the red-team
# sets in domain/tests/gate/, and messages per second through the gate on one core
# (`cargo bench -p rekindle-domain --bench gate`, domain/benches/gate.rs).
#
# And the coach's own latency on top of a model (`latency`, coach/benches/latency.rs): a fake
# OpenAI-compatible server in the process answers each request after 100 ms with a streamed
# reply; each reply is timed from asking to its last word, less the 100 ms.
#
# Run by hand: bash bench/coach.sh [gate] [latency]
#   ROUNDS       passes over both sets for the gate's throughput (default 400)
#   N            replies for the latency figure (default 2000), CONCURRENCY at once (default 32)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
BENCHES=("$@")
[ ${#BENCHES[@]} -gt 0 ] || BENCHES=(gate latency)

for bench in "${BENCHES[@]}"; do
  case "$bench" in
    gate) cargo bench --locked -q -p rekindle-domain --bench gate ;;
    latency) cargo bench --locked -q -p rekindle-coach --bench latency ;;
    *) echo "unknown benchmark $bench" >&2; exit 2 ;;
  esac
done
