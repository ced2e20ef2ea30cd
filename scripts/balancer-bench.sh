#!/usr/bin/env bash
# Requests per second for fetch-by-id (GET /api/prompts/{id} with an API token) through HAProxy
# in front of 1, 2 and 3 instances on one PostgreSQL database, and straight to one instance.
# Needs haproxy, wrk and psql (Debian packages) and a release binary. Also prints how the CPU
# time of the run was shared (wrk exits before it is counted).
#
#   cargo build --release
#   scripts/balancer-bench.sh          # PROMPTVAULT_BENCH_SECS=10 per run, wrk -t2 -c32
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${PROMPTVAULT_BENCH_BIN:-target/release/promptvault}"
admin="${PROMPTVAULT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
secs="${PROMPTVAULT_BENCH_SECS:-10}"
conns="${PROMPTVAULT_BENCH_CONNECTIONS:-32}"
[ -x "$bin" ] || { echo "no binary at $bin: cargo build --release" >&2; exit 1; }

db="pvbench_$$"
url="${admin%/*}/$db"
work=$(mktemp -d /tmp/pv-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
ports=()
for i in 1 2 3; do
  port=$(free_port)
  PROMPTVAULT_INSTANCE="web$i" PROMPTVAULT_DB_MAX_CONNECTIONS=16 \
    "$bin" serve --port "$port" --database-url "$url" 2>"$work/web$i.log" &
  pids+=($!)
  ports+=("$port")
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
done

base="http://127.0.0.1:${ports[0]}"
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"password-123","name":"Bench"}' \
  -c "$work/cookies" "$base/api/auth/register" >/dev/null
token=$(curl -fsS -b "$work/cookies" -H 'content-type: application/json' -d '{"name":"bench"}' \
  "$base/api/auth/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
id=$(curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"title":"Summarize a text","body":"Summarize {{text}} in {{n}} sentences.","tags":["bench"]}' \
  "$base/api/prompts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# CPU seconds used by each kind of process (promptvault, postgres, haproxy, wrk) during a run.
cpu() {
  for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; done | python3 -c '
import sys, os, collections
t = collections.Counter()
for line in sys.stdin:
    comm = line[line.index("(") + 1:line.rindex(")")]
    f = line[line.rindex(")") + 2:].split()
    t[comm.split()[0][:11]] += int(f[11]) + int(f[12])
hz = os.sysconf("SC_CLK_TCK")
print(" ".join(f"{k}={t[k] / hz:.2f}" for k in ("promptvault", "postgres", "haproxy", "wrk")))'
}
rps() {
  local before after
  before=$(cpu)
  local r; r=$(wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" "$1" | awk '/Requests\/sec/ {print $2}')
  after=$(cpu)
  python3 - "$before" "$after" "$r" <<'PY'
import sys
b = dict(kv.split("=") for kv in sys.argv[1].split())
a = dict(kv.split("=") for kv in sys.argv[2].split())
used = {k: float(a[k]) - float(b.get(k, 0)) for k in a}
total = sum(used.values()) or 1
print(sys.argv[3], "req/s   CPU share: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in used.items()))
PY
}

echo "fetch-by-id, wrk -t2 -c$conns -d${secs}s, $(nproc) cores, PostgreSQL, $bin"
printf "direct, 1 instance:       %s\n" "$(rps "$base/api/prompts/$id")"
lb_port=$(free_port)
for n in 1 2 3; do
  {
    printf 'global\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n'
    printf 'frontend web\n  bind 127.0.0.1:%s\n  default_backend pv\nbackend pv\n  balance roundrobin\n  option httpchk GET /ready\n' "$lb_port"
    for i in $(seq 1 "$n"); do printf '  server web%s 127.0.0.1:%s check\n' "$i" "${ports[$((i - 1))]}"; done
  } > "$work/haproxy.cfg"
  haproxy -db -f "$work/haproxy.cfg" >/dev/null 2>&1 &
  hp=$!
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$lb_port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 1
  printf "HAProxy, %s instance(s):  %s\n" "$n" "$(rps "http://127.0.0.1:$lb_port/api/prompts/$id")"
  kill "$hp"; wait "$hp" 2>/dev/null || true
done
