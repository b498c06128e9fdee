#!/usr/bin/env bash
# The worker's speed (issue "the worker's real job"): no-op jobs per second through Redis with
# one worker process, reminders end to end (planner -> queue -> notification rows), weekly
# summaries for many couples, and reminder lateness when many fall due in the same second. Each
# runs `cargo bench -p rekindle-worker --bench jobs` (worker/benches/jobs.rs) against a fresh
# PostgreSQL database and a fresh Redis namespace, with the settings production uses (crash
# safety on: 5 s heartbeats, no task locking, batches of 500, bounded fetch).
#
# Run by hand: bash bench/jobs.sh [noop|reminders|lateness|summaries ...]
#   PG_URL       an admin URL of a PostgreSQL server (default postgres://postgres:postgres@127.0.0.1:5432/postgres);
#                the script creates and drops its own database, rekindle_bench_jobs
#   REDIS_URL    default redis://127.0.0.1:6379/
#   N_NOOP (200000), N_REMINDERS (100000), N_LATENESS (10000), N_SUMMARIES (100000)
#   CONCURRENCY  jobs a worker runs at once per queue (default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
PG_URL=${PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/}
DB_NAME=rekindle_bench_jobs
DB_URL="${PG_URL%/*}/$DB_NAME"
BENCHES=("$@")
[ ${#BENCHES[@]} -gt 0 ] || BENCHES=(noop reminders lateness summaries)

cleanup() {
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern 'bench-jobs-*' | xargs -r -n 500 redis-cli -u "$REDIS_URL" DEL >/dev/null || true
}
trap cleanup EXIT

cargo bench --locked -p rekindle-worker --bench jobs --no-run >/dev/null 2>&1

for bench in "${BENCHES[@]}"; do
  case "$bench" in
    noop) n=${N_NOOP:-200000} ;;
    reminders) n=${N_REMINDERS:-100000} ;;
    lateness) n=${N_LATENESS:-10000} ;;
    summaries) n=${N_SUMMARIES:-100000} ;;
    *) echo "unknown benchmark $bench" >&2; exit 2 ;;
  esac
  cleanup
  psql "$PG_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  REKINDLE_DATABASE_URL="$DB_URL" REKINDLE_REDIS_URL="$REDIS_URL" \
    REKINDLE_QUEUE_PREFIX="bench-jobs-$bench-$$" \
    REKINDLE_WORKER_CONCURRENCY="${CONCURRENCY:-64}" REKINDLE_DB_MAX_CONNECTIONS=20 \
    RUST_LOG=error \
    cargo bench --locked -q -p rekindle-worker --bench jobs -- "$bench" "$n" 2>/dev/null | grep -v '^$'
done
