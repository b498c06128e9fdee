#!/usr/bin/env bash
# Pushes (issue "reaching people and platforms reliably"): pushes per second through one worker
# process to a fake Web Push service, and how late reminders' pushes arrive when 10,000 fall due
# over one minute. Each runs `cargo bench -p rekindle-worker --bench push`
# (worker/benches/push.rs) against a fresh PostgreSQL database and a fresh Redis namespace, with
# production's queue settings; every push is encrypted (RFC 8291) and signed (VAPID) for real.
#
# Run by hand: bash bench/push.sh [throughput|lateness ...]
#   PG_URL       an admin URL of a PostgreSQL server (default postgres://postgres:postgres@127.0.0.1:5432/postgres);
#                the script creates and drops its own database, rekindle_bench_push
#   REDIS_URL    default redis://127.0.0.1:6379/
#   N_THROUGHPUT (20000), N_LATENESS (10000)
#   CONCURRENCY  jobs a worker runs at once per queue (default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
PG_URL=${PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/}
DB_NAME=rekindle_bench_push
DB_URL="${PG_URL%/*}/$DB_NAME"
BENCHES=("$@")
[ ${#BENCHES[@]} -gt 0 ] || BENCHES=(throughput lateness)

cleanup() {
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern 'bench-push-*' | xargs -r -n 500 redis-cli -u "$REDIS_URL" DEL >/dev/null || true
}
trap cleanup EXIT

cargo bench --locked -p rekindle-worker --bench push --no-run >/dev/null 2>&1

for bench in "${BENCHES[@]}"; do
  case "$bench" in
    throughput) n=${N_THROUGHPUT:-20000} ;;
    lateness) n=${N_LATENESS:-10000} ;;
    crypto) n=${N_CRYPTO:-20000} ;;
    *) echo "unknown benchmark $bench" >&2; exit 2 ;;
  esac
  cleanup
  psql "$PG_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  REKINDLE_DATABASE_URL="$DB_URL" REKINDLE_REDIS_URL="$REDIS_URL" \
    REKINDLE_QUEUE_PREFIX="bench-push-$bench-$$" \
    REKINDLE_WORKER_CONCURRENCY="${CONCURRENCY:-64}" REKINDLE_DB_MAX_CONNECTIONS=20 \
    RUST_LOG=error \
    cargo bench --locked -q -p rekindle-worker --bench push -- "$bench" "$n" 2>/dev/null | grep -v '^$'
done
