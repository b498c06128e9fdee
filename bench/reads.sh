#!/usr/bin/env bash
# Speed of reads: the release binary on PostgreSQL, one couple with 6 plan items of mixed
# cadences started 60 days ago and 18 completions, plus 100 other couples with plans of their
# own. For each request it prints requests per second and p99 latency at 32 connections (wrk),
# the share of the `{ __typename }` floor, and the SQL statements each request cost (from the
# api's rekindle_sql_statements_total). The reads repeat, so they are warm (the read cache
# holds the couple); the `-written` cases alternate each read with the partner renaming
# themself, so every read finds its couple's members changed (figures per read). Last, the
# api's resident memory with COUPLES (10,000) couples in the read cache.
#
# Run by hand: bash bench/reads.sh
#   PG_URL    an admin URL of a PostgreSQL server (default postgres://postgres:postgres@127.0.0.1:5432/postgres);
#             the script creates and drops its own database, rekindle_bench
#   DURATION  seconds per request kind (default 10); PORT (default 18472)
#   ONLY      a subset of: floor catalog me node home progress node-written home-written
#             progress-written memory (default: all)
#   COUPLES   couples cached for the memory figure (default 10000)
# Needs: wrk (apt-get install wrk; installed here when missing), psql, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
PG_URL=${PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
DURATION=${DURATION:-10}
PORT=${PORT:-18472}
CONNECTIONS=32
DB_NAME=rekindle_bench
DB_URL="${PG_URL%/*}/$DB_NAME${DB_QUERY:-}"
COUPLES=${COUPLES:-10000}
# Known to the script, so it can sign access tokens for the couples it clones in SQL.
JWT_SECRET=bench-secret-bench-secret-bench-secret

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release --locked -p rekindle-api >/dev/null
BIN="$CARGO_TARGET_DIR/release/rekindle-api"
WORK=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
psql "$PG_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null

# Development mode (so /metrics answers on the api's address), cheap password hashing (the
# seeding signs up 202 people), no embedded worker (its heartbeats would be counted).
REKINDLE_DATA_DIR="$WORK" REKINDLE_BIND="127.0.0.1:$PORT" REKINDLE_DATABASE_URL="$DB_URL" \
REKINDLE_MIGRATE_ON_START=true REKINDLE_EMBEDDED_WORKER=false REKINDLE_LOG_FORMAT=json \
REKINDLE_ARGON2_MEMORY_KIB=1024 REKINDLE_ARGON2_ITERATIONS=1 \
REKINDLE_RATE_LIMIT_PER_IP=100000000 REKINDLE_RATE_LIMIT_PER_ACCOUNT=100000000 \
REKINDLE_JWT_SECRET="$JWT_SECRET" \
RUST_LOG=warn env ${BENCH_ENV:-} "$BIN" serve >"$WORK/api.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$WORK/api.log"; exit 1; }

echo "seeding: 1 couple with 6 items, 100 other couples"
python3 - "$PORT" "$WORK" <<'PY'
import json, sys, urllib.request, uuid
port, work = sys.argv[1], sys.argv[2]
def gql(query, variables=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, headers)
    answer = json.load(urllib.request.urlopen(req, timeout=60))
    if answer.get("errors"):
        raise SystemExit(f"seeding failed: {answer['errors']}")
    return answer["data"]
def register(name):
    data = gql("mutation($i: RegisterInput!) { register(input: $i) { accessToken } }",
               {"i": {"email": f"{name}-{uuid.uuid4().hex}@example.com", "password": "a long bench passphrase",
                      "displayName": name, "timezone": "Europe/London"}})
    return data["register"]["accessToken"]
SCHEDULES = [
    {"cadence": "DAILY", "localTime": "21:00"},
    {"cadence": "WEEKDAYS", "localTime": "07:30"},
    {"cadence": "WEEKLY", "daysOfWeek": ["SUNDAY"], "localTime": "19:00"},
    {"cadence": "EVERY_N_WEEKS", "intervalWeeks": 2, "daysOfWeek": ["SATURDAY"], "localTime": "10:00"},
    {"cadence": "MONTHLY", "dayOfMonth": 1, "localTime": "20:00"},
    {"cadence": "MONTHLY", "nthWeekday": {"nth": "LAST", "weekday": "FRIDAY"}, "localTime": "20:00"},
]
KEYS = [e["node"]["key"] for e in gql("{ rituals(first: 6) { edges { node { key } } } }")["rituals"]["edges"]]
def couple_with_plan(name):
    a, b = register(f"{name}-a"), register(f"{name}-b")
    code = gql("mutation { createCouple(input: {}) { invite { code } } }", token=a)["createCouple"]["invite"]["code"]
    gql("mutation($c: String!) { joinCouple(input: { code: $c }) { couple { id } } }", {"c": code}, b)
    plan = gql("mutation { createPlan(input: { name: \"Our plan\" }) { plan { id } } }", token=a)["createPlan"]["plan"]["id"]
    items = []
    for key, schedule in zip(KEYS, SCHEDULES):
        item = gql("mutation($i: AddPlanItemInput!) { addPlanItem(input: $i) { item { id } } }",
                   {"i": {"planId": plan, "ritualKey": key, "assignee": "EITHER", "schedule": schedule}}, a)
        items.append(item["addPlanItem"]["item"]["id"])
    return a, b, items
token, partner, items = couple_with_plan("bench")
for i in range(100):
    couple_with_plan(f"other{i}")
with open(f"{work}/token", "w") as f:
    f.write(token)
with open(f"{work}/partner", "w") as f:
    f.write(partner)
with open(f"{work}/item", "w") as f:
    f.write(items[0])
PY

# Sixty days of history: plans and items started then, 18 completions on real occurrences of
# each couple's daily and weekday items (12 daily, 6 weekday).
psql "$DB_URL" -q <<'SQL' >/dev/null
UPDATE plans SET created_at = now() - interval '60 days';
UPDATE plan_items SET created_at = now() - interval '60 days',
  schedule = jsonb_set(schedule::jsonb, '{starts_on}', to_jsonb((current_date - 60)::text))::json;
INSERT INTO completions (id, plan_item_id, occurrence_date, user_id, closeness, note, note_shared, created_at)
SELECT gen_random_uuid(), i.id, d::date, m.user_id, 4, NULL, false, d + interval '21 hours'
FROM plan_items i
JOIN plans p ON p.id = i.plan_id
JOIN LATERAL (SELECT user_id FROM couple_members WHERE couple_id = p.couple_id ORDER BY joined_at LIMIT 1) m ON true
JOIN LATERAL (
  SELECT d FROM generate_series(current_date - 40, current_date - 1, interval '1 day') d
  WHERE (i.schedule->>'cadence' = 'daily' AND d >= current_date - 12)
     OR (i.schedule->>'cadence' = 'weekdays' AND extract(isodow FROM d) < 6)
  ORDER BY d DESC LIMIT CASE WHEN i.schedule->>'cadence' = 'daily' THEN 12 ELSE 6 END
) days ON true
WHERE i.schedule->>'cadence' IN ('daily', 'weekdays');
SQL
echo "seeded: $(psql "$DB_URL" -Atc "SELECT count(*) FROM couples") couples, $(psql "$DB_URL" -Atc "SELECT count(*) FROM plan_items") items, $(psql "$DB_URL" -Atc "SELECT count(*) FROM completions") completions"

TOKEN=$(cat "$WORK/token")
PARTNER=$(cat "$WORK/partner")
ITEM=$(cat "$WORK/item")
statements() { curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^rekindle_sql_statements_total / { print $2 }'; }

# A wrk script POSTing one GraphQL document, with the token when asked.
script() { # script NAME AUTH QUERY
  python3 - "$WORK/$1.lua" "$2" "$3" "$TOKEN" <<'PY'
import json, sys
path, auth, query, token = sys.argv[1:]
body = json.dumps({"query": query})
headers = {"Content-Type": "application/json"}
if auth == "yes":
    headers["Authorization"] = f"Bearer {token}"
lua = "wrk.method = \"POST\"\nwrk.body = " + json.dumps(body) + "\n"
for k, v in headers.items():
    lua += f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n"
open(path, "w").write(lua)
open(path + ".json", "w").write(body)
PY
}

HOME_QUERY='{ me { id displayName couple { id members { displayName isMe } activePlan { id name items { id ritual { key title } schedule { cadence localTime } assignee nextOccurrences(first: 1) streak { current longest unit } } } } } }'
PROGRESS_QUERY='{ me { couple { progress(weeks: 12) { weeks { weekStart planned completed rate averageCloseness } streaks { couple { current } items { item { id } streak { current unit } } } balance { category share } } } } }'
# A read right after the partner wrote: each connection alternates the partner renaming
# themself (which raises the couple's members version) and the read, so every read finds the
# cache older than the database and reads the members again.
written() { # written NAME QUERY
  python3 - "$WORK/$1.lua" "$2" "$TOKEN" "$PARTNER" <<'PY'
import json, sys
path, query, token, partner = sys.argv[1:]
read = json.dumps({"query": query})
write = json.dumps({"query": 'mutation($n: String) { updateProfile(input: { displayName: $n }) { user { id } } }', "variables": {"n": "NAME"}})
lua = f"""
local n = 0
local read = {json.dumps(read)}
local write = {json.dumps(write)}
local function headers(token)
  return {{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }}
end
request = function()
  n = n + 1
  if n % 2 == 1 then
    return wrk.format("POST", nil, headers({json.dumps(partner)}), (write:gsub("NAME", "Partner " .. n)))
  end
  return wrk.format("POST", nil, headers({json.dumps(token)}), read)
end
"""
open(path, "w").write(lua)
open(path + ".json", "w").write(read)
PY
}

script floor no '{ __typename }'
script catalog no '{ ritual(key: "six_second_kiss") { id key title summary whyItHelps category defaultCadence durationMinutes steps } }'
script me yes '{ me { id } }'
script node yes "{ node(id: \"$ITEM\") { id ... on PlanItem { assignee createdAt schedule { cadence localTime timezone } } } }"
script home yes "$HOME_QUERY"
script progress yes "$PROGRESS_QUERY"
written node-written "{ node(id: \"$ITEM\") { id ... on PlanItem { assignee createdAt schedule { cadence localTime timezone } } } }"
written home-written "$HOME_QUERY"
written progress-written "$PROGRESS_QUERY"

floor_rps=""
printf '%-10s %12s %10s %10s %12s\n' request "req/s" "p99 ms" "of floor" "statements"
for name in ${ONLY:-floor catalog me node home progress node-written home-written progress-written}; do
  [ "$name" = memory ] && continue
  # One request first: it must answer without errors.
  headers=(-H 'content-type: application/json')
  grep -q Authorization "$WORK/$name.lua" && headers+=(-H "authorization: Bearer $TOKEN")
  answer=$(curl -fsS "${headers[@]}" --data @"$WORK/$name.lua.json" "http://127.0.0.1:$PORT/graphql")
  if echo "$answer" | grep -q '"errors"'; then echo "$name answered an error: $answer" >&2; exit 1; fi
  before=$(statements)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/$name.lua" "http://127.0.0.1:$PORT/graphql")
  after=$(statements)
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 } print v }')
  if echo "$out" | grep -q "Non-2xx"; then echo "$name: $(echo "$out" | grep Non-2xx)" >&2; fi
  [ -z "$floor_rps" ] && floor_rps=$rps
  if [[ $name == *-written ]]; then
    # Half the requests are the partner's writes: count the reads, and statements per read
    # (the write's own included).
    rps=$(awk -v a="$rps" 'BEGIN { printf "%.2f", a / 2 }')
    requests=$((requests / 2))
  fi
  share=$(awk -v a="$rps" -v b="$floor_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }')
  per=$(awk -v s="$((after - before))" -v r="$requests" 'BEGIN { printf "%.2f", s / r }')
  printf '%-10s %12s %10.2f %10s %12s\n' "$name" "$rps" "$p99" "$share" "$per"
done

# Resident memory with many couples cached: COUPLES copies of the bench couple (its members,
# plan, items and completions, each with a session) cloned in SQL, then the home screen read
# once by one member of each, which fills its couple's three parts.
memory() {
  local pid_rss user
  pid_rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$pid/status"; }
  user=$(psql "$DB_URL" -Atc "SELECT id FROM users WHERE display_name = 'bench-a'")
  echo "memory: cloning the bench couple $COUPLES times"
  psql "$DB_URL" -q -v n="$COUPLES" <<'SQL' >/dev/null
CREATE TEMP TABLE bench_couple AS
  SELECT m.couple_id AS id FROM couple_members m JOIN users u ON u.id = m.user_id WHERE u.display_name = 'bench-a';
CREATE TEMP TABLE copies AS SELECT generate_series(1, :n) AS n;
INSERT INTO users SELECT (jsonb_populate_record(NULL::users, to_jsonb(u)
    || jsonb_build_object('id', md5(c.n || ':' || u.id)::uuid, 'email', c.n || '-' || u.email))).*
  FROM users u JOIN couple_members m ON m.user_id = u.id JOIN bench_couple b ON b.id = m.couple_id, copies c;
INSERT INTO couples SELECT (jsonb_populate_record(NULL::couples, to_jsonb(x)
    || jsonb_build_object('id', md5(c.n || ':' || x.id)::uuid))).*
  FROM couples x JOIN bench_couple b ON b.id = x.id, copies c;
INSERT INTO couple_members SELECT (jsonb_populate_record(NULL::couple_members, to_jsonb(m)
    || jsonb_build_object('couple_id', md5(c.n || ':' || m.couple_id)::uuid, 'user_id', md5(c.n || ':' || m.user_id)::uuid))).*
  FROM couple_members m JOIN bench_couple b ON b.id = m.couple_id, copies c;
INSERT INTO sessions SELECT (jsonb_populate_record(NULL::sessions, to_jsonb(s)
    || jsonb_build_object('id', md5('s' || c.n || ':' || s.user_id)::uuid, 'user_id', md5(c.n || ':' || s.user_id)::uuid,
                          'revoked_at', NULL, 'expires_at', now() + interval '1 day'))).*
  FROM (SELECT DISTINCT ON (s.user_id) s.* FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE u.display_name = 'bench-a' ORDER BY s.user_id, s.created_at) s, copies c;
INSERT INTO plans SELECT (jsonb_populate_record(NULL::plans, to_jsonb(p)
    || jsonb_build_object('id', md5(c.n || ':' || p.id)::uuid, 'couple_id', md5(c.n || ':' || p.couple_id)::uuid))).*
  FROM plans p JOIN bench_couple b ON b.id = p.couple_id, copies c;
INSERT INTO plan_items SELECT (jsonb_populate_record(NULL::plan_items, to_jsonb(i)
    || jsonb_build_object('id', md5(c.n || ':' || i.id)::uuid, 'plan_id', md5(c.n || ':' || i.plan_id)::uuid))).*
  FROM plan_items i JOIN plans p ON p.id = i.plan_id JOIN bench_couple b ON b.id = p.couple_id, copies c;
INSERT INTO completions SELECT (jsonb_populate_record(NULL::completions, to_jsonb(x)
    || jsonb_build_object('id', md5(c.n || ':' || x.id)::uuid, 'plan_item_id', md5(c.n || ':' || x.plan_item_id)::uuid,
                          'user_id', md5(c.n || ':' || x.user_id)::uuid))).*
  FROM completions x JOIN plan_items i ON i.id = x.plan_item_id JOIN plans p ON p.id = i.plan_id
  JOIN bench_couple b ON b.id = p.couple_id, copies c;
ANALYZE;
SQL
  echo "memory: RSS before filling the cache $(pid_rss)"
  python3 - "$PORT" "$COUPLES" "$user" "$JWT_SECRET" "$HOME_QUERY" <<'PY'
import base64, concurrent.futures, hashlib, hmac, json, sys, time, urllib.request, uuid
port, couples, user, secret, query = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=")
def md5_uuid(text):
    return str(uuid.UUID(hashlib.md5(text.encode()).hexdigest()))
kid = hashlib.sha256(secret.encode()).hexdigest()[:16]
def token(n):
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    claims = {"sub": md5_uuid(f"{n}:{user}"), "role": "member", "sid": md5_uuid(f"s{n}:{user}"),
              "iat": now, "exp": now + 900, "iss": "rekindle", "aud": "rekindle-api", "jti": str(uuid.uuid4())}
    signing = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    return (signing + b"." + b64(hmac.new(secret.encode(), signing, hashlib.sha256).digest())).decode()
body = json.dumps({"query": query}).encode()
def read(n):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body,
                                 {"content-type": "application/json", "authorization": f"Bearer {token(n)}"})
    answer = json.load(urllib.request.urlopen(req, timeout=60))
    if answer.get("errors") or not answer["data"]["me"]["couple"]:
        raise SystemExit(f"couple {n} answered {answer}")
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(read, range(1, couples + 1)))
PY
  local metrics
  metrics=$(curl -fsS "http://127.0.0.1:$PORT/metrics")
  echo "memory: RSS with $(echo "$metrics" | awk '/^rekindle_read_cache_entries / { print $2 }') couples cached $(pid_rss)" \
    "(the cache's own estimate of its rows: $(echo "$metrics" | awk '/^rekindle_read_cache_bytes / { printf "%.1f MB", $2 / 1048576 }'))"
}
if [[ " ${ONLY:-memory} " == *" memory "* ]]; then memory; fi
