#!/usr/bin/env bash
# Production-mode smoke run: the api refusing to start before `rekindle-api migrate` (and
# naming it), the migration, `user create` (audited), then rekindle-api and two rekindle-worker
# processes on PostgreSQL + Redis; checks readiness (GET and HEAD), the catalog, the workers'
# heartbeats, that standard output holds only JSON in JSON mode, that a command's error is one
# line without a backtrace, and that SIGTERM stops every process cleanly. Used by .ci/run;
# runnable by hand.
#   PG_URL=postgres://… REDIS_URL=redis://… BIN_DIR=target/debug bash scripts/smoke-production.sh
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"

: "${PG_URL:?set PG_URL to a PostgreSQL server URL (its database is used to create one)}"
: "${REDIS_URL:?set REDIS_URL}"
BIN_DIR=${BIN_DIR:-target/debug}
DB=rekindle_ci_smoke
PORT=${SMOKE_PORT:-18181}
WORK=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "smoke: FAILED: $*" >&2; for f in "$WORK"/*.out "$WORK"/*.err; do [ -f "$f" ] || continue; echo "--- $f"; tail -n 30 "$f"; done >&2; exit 1; }

# Every line a process wrote to standard output is a JSON object.
only_json() {
  python3 -c '
import json, sys
for path in sys.argv[1:]:
    for number, line in enumerate(open(path), 1):
        try:
            assert isinstance(json.loads(line), dict)
        except Exception:
            sys.exit(f"{path}:{number} is not a JSON object: {line!r}")
' "$@"
}

psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
psql "$PG_URL" -qc "CREATE DATABASE $DB"
DB_URL="${PG_URL%/*}/$DB"

export REKINDLE_ENV=production
export REKINDLE_JWT_SECRET=smoke-test-secret-0123456789abcdef0123
export REKINDLE_DATABASE_URL="$DB_URL"
export REKINDLE_REDIS_URL="$REDIS_URL"
export REKINDLE_QUEUE_PREFIX=ci-smoke
export REKINDLE_BIND="127.0.0.1:$PORT"
export REKINDLE_DATA_DIR="$WORK/data"
export REKINDLE_LOG_FORMAT=json

# Before the migration the api refuses to start, and says what to run; so does a command.
if "$BIN_DIR/rekindle-api" > "$WORK/premature.out" 2> "$WORK/premature.err"; then
  fail "the api started on a database that was never migrated"
fi
grep -q 'database migrations are pending (.*): run `rekindle-api migrate` first' "$WORK/premature.err" \
  || fail "the api did not name the pending migrations: $(cat "$WORK/premature.err")"
# One line, no backtrace, even with RUST_BACKTRACE set.
[ "$(wc -l < "$WORK/premature.err")" = 1 ] || fail "an error of more than one line: $(cat "$WORK/premature.err")"
if RUST_BACKTRACE=1 "$BIN_DIR/rekindle-api" user create --email not-an-address --display-name X \
  > "$WORK/bad-command.out" 2> "$WORK/bad-command.err" < /dev/null; then
  fail "user create took a bad email"
fi
grep -q '^error: ' "$WORK/bad-command.err" || fail "no error line: $(cat "$WORK/bad-command.err")"
if grep -qi 'backtrace' "$WORK/bad-command.err"; then fail "a backtrace: $(cat "$WORK/bad-command.err")"; fi

"$BIN_DIR/rekindle-api" migrate > "$WORK/migrate.out" 2> "$WORK/migrate.err" || fail "migrate"
REKINDLE_NEW_USER_PASSWORD="smoke admin passphrase" "$BIN_DIR/rekindle-api" user create \
  --email admin@smoke.test --display-name Operator --role admin > "$WORK/admin.out" 2> "$WORK/admin.err" || fail "user create"
grep -q '"created":"user"' "$WORK/admin.out" || fail "user create did not report the account as JSON"
REKINDLE_ACCESS_LOG=true REKINDLE_METRICS_BIND="127.0.0.1:$((PORT + 2))" "$BIN_DIR/rekindle-api" > "$WORK/api.out" 2> "$WORK/api.err" & pids+=($!)
REKINDLE_WORKER_BIND="127.0.0.1:$((PORT + 1))" "$BIN_DIR/rekindle-worker" > "$WORK/worker1.out" 2> "$WORK/worker1.err" & pids+=($!)
"$BIN_DIR/rekindle-worker" > "$WORK/worker2.out" 2> "$WORK/worker2.err" & pids+=($!)

ready=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" > /dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || fail "/readyz never answered 200"
for probe in healthz readyz; do
  curl -fsS --head "http://127.0.0.1:$PORT/$probe" > /dev/null || fail "HEAD /$probe"
done

body=$(curl -fsS "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
  -d '{"query":"{ rituals(first: 50) { totalCount edges { node { key steps } } } }"}')
echo "$body" | python3 -c '
import json, sys
data = json.load(sys.stdin)["data"]["rituals"]
keys = {e["node"]["key"]: e["node"]["steps"] for e in data["edges"]}
assert data["totalCount"] >= 20, data["totalCount"]
assert "six_second_kiss" in keys
assert len(keys["honesty_hour"]) == 9
' || fail "catalog query: $body"

login=$(curl -fsS "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
  -d '{"query":"mutation { login(input: { email: \"ADMIN@smoke.test\", password: \"smoke admin passphrase\" }) { accessToken user { role } } }"}')
echo "$login" | grep -q '"role":"ADMIN"' || fail "the admin made by 'user create' cannot sign in: $login"
token=$(echo "$login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
audit=$(curl -fsS "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" \
  -d '{"query":"{ admin { auditLog(first: 5) { edges { node { action via actorId targetKind } } } } }"}')
echo "$audit" | python3 -c '
import json, sys
entries = [e["node"] for e in json.load(sys.stdin)["data"]["admin"]["auditLog"]["edges"]]
assert {"action": "user.create", "via": "COMMAND_LINE", "actorId": None, "targetKind": "user"} in entries, entries
' || fail "user create is not in the audit log: $audit"

worker_up=""
for _ in $(seq 1 40); do
  if curl -fsS "http://127.0.0.1:$((PORT + 1))/metrics" | grep -q rekindle_jobs_total; then worker_up=1; break; fi
  sleep 0.5
done
[ -n "$worker_up" ] || fail "the worker's /metrics (REKINDLE_WORKER_BIND) did not answer"

public_metrics=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")
[ "$public_metrics" = 404 ] || fail "production served /metrics on the public address ($public_metrics)"
# Read whole before grep: `grep -q` stops early, and curl's broken pipe fails under pipefail.
private_metrics=$(curl -fsS "http://127.0.0.1:$((PORT + 2))/metrics") \
  || fail "the api's private /metrics (REKINDLE_METRICS_BIND) did not answer"
grep -q rekindle_http_requests_total <<< "$private_metrics" \
  || fail "the api's private /metrics lacks its HTTP counters"

workers=""
for _ in $(seq 1 40); do
  workers=$(psql "$DB_URL" -Atc "SELECT count(*) FROM worker_heartbeats")
  [ "$workers" = 2 ] && break
  sleep 0.5
done
[ "$workers" = 2 ] || fail "expected 2 worker heartbeats, found $workers"

for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then fail "process $pid ignored SIGTERM"; fi
  wait "$pid" || fail "process $pid exited with an error after SIGTERM"
done
pids=()
only_json "$WORK/migrate.out" "$WORK/admin.out" "$WORK/api.out" "$WORK/worker1.out" "$WORK/worker2.out" \
  || fail "standard output held more than JSON"
grep -q '"target":"rekindle::access"' "$WORK/api.out" || fail "no access log line"
echo "smoke: api + 2 workers on PostgreSQL and Redis: ready, catalog served, admin created and signed in, metrics private, heartbeats recorded, clean SIGTERM"
