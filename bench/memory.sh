#!/usr/bin/env bash
# Resident memory of rekindle-api: idle, at the peak of 400 concurrent registrations (each an
# argon2id hash of ~19 MiB, at most one per core at once), and after they are done.
# Targets (issue "hardening", point 14): idle near 20 MB; back under 100 MB afterwards.
# Run by hand: bash bench/memory.sh   (builds the release binary; needs python3 and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/rekindle/target}"
cargo build --release --locked -p rekindle-api >/dev/null
BIN="$CARGO_TARGET_DIR/release/rekindle-api"
WORK=$(mktemp -d)
PORT=${PORT:-18471}
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$WORK"' EXIT

REKINDLE_DATA_DIR="$WORK" REKINDLE_BIND="127.0.0.1:$PORT" REKINDLE_LOG_FORMAT=json \
REKINDLE_RATE_LIMIT_PER_IP=1000000 REKINDLE_RATE_LIMIT_PER_ACCOUNT=1000000 \
REKINDLE_PASSWORD_HASH_WAIT_SECS=600 RUST_LOG=warn ${BENCH_ENV:-} "$BIN" serve >"$WORK/api.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
sleep 1
echo "idle: $(rss) MB"

python3 - "$PORT" "$pid" <<'PY'
import json, sys, threading, time, urllib.request, uuid
port, pid = sys.argv[1], sys.argv[2]
peak = [0.0]
done = threading.Event()
def watch():
    while not done.is_set():
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        time.sleep(0.05)
failures = []
def register(i):
    body = json.dumps({"query": "mutation($i: RegisterInput!) { register(input: $i) { user { id } } }",
        "variables": {"i": {"email": f"bench-{uuid.uuid4().hex}@example.com", "password": "a long bench passphrase",
                            "displayName": f"Bench {i}", "timezone": "UTC"}}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json"})
    try:
        answer = json.load(urllib.request.urlopen(req, timeout=600))
        if answer.get("errors"):
            failures.append(answer["errors"][0]["extensions"]["code"])
    except Exception as e:  # a refused connection counts as a failure
        failures.append(str(e))
watcher = threading.Thread(target=watch); watcher.start()
start = time.time()
threads = [threading.Thread(target=register, args=(i,)) for i in range(400)]
for t in threads: t.start()
for t in threads: t.join()
done.set(); watcher.join()
print(f"400 concurrent registrations: {time.time() - start:.1f} s, {len(failures)} failed, peak {peak[0]:.1f} MB")
PY
sleep 2
echo "after: $(rss) MB"
