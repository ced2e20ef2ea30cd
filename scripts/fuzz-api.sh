#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against the real server on one backend.
#
#   scripts/fuzz-api.sh sqlite|postgres|mysql [extra schemathesis arguments]
#
# Sets up a fresh database (a temporary SQLite file; a `promptvault_fuzz` database on the
# PostgreSQL/MariaDB servers below), builds and starts the server on it, registers the first
# account (the administrator) and creates an API token, then runs schemathesis on
# /api/openapi.json with that token, and tears everything down. See docs/api-testing.md.
#
# Environment (defaults in brackets):
#   FUZZ_PORT [3917]               port of the server under test
#   FUZZ_MAX_EXAMPLES [50]         schemathesis test cases per operation and phase
#   FUZZ_SEED [1]                  schemathesis seed (runs are reproducible)
#   FUZZ_PHASES [examples,coverage,fuzzing]
#   FUZZ_PG_HOST [127.0.0.1] FUZZ_PG_USER [postgres]     psql -h … -U … (no password)
#   FUZZ_MY_HOST [127.0.0.1] FUZZ_MY_USER [root]         mariadb -h … -u … (no password)
#   SCHEMATHESIS [st, else python3 -m schemathesis.cli]   how to call schemathesis
#   PROMPTVAULT_BIN [target/debug/promptvault, built here]
set -euo pipefail

backend=${1:-}
case "$backend" in
sqlite | postgres | mysql) shift ;;
*)
    echo "usage: $0 sqlite|postgres|mysql [schemathesis arguments]" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
port=${FUZZ_PORT:-3917}
base="http://127.0.0.1:$port"
pg_host=${FUZZ_PG_HOST:-127.0.0.1}
pg_user=${FUZZ_PG_USER:-postgres}
my_host=${FUZZ_MY_HOST:-127.0.0.1}
my_user=${FUZZ_MY_USER:-root}
dbname=promptvault_fuzz
work=$(mktemp -d "${TMPDIR:-/tmp}/promptvault-fuzz.XXXXXX")
server_pid=

drop_db() {
    case "$backend" in
    postgres) psql -q -h "$pg_host" -U "$pg_user" -d postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null ;;
    mysql) mariadb -h "$my_host" -u "$my_user" -e "DROP DATABASE IF EXISTS $dbname" ;;
    sqlite) ;;
    esac
}

teardown() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    drop_db || true
    if [ -n "${FUZZ_KEEP:-}" ]; then
        echo "kept $work (server log: $work/server.log)"
    else
        rm -rf "$work"
    fi
}
trap teardown EXIT

# The database.
case "$backend" in
sqlite) url="sqlite://$work/fuzz.db" ;;
postgres)
    drop_db
    psql -q -h "$pg_host" -U "$pg_user" -d postgres -c "CREATE DATABASE $dbname" >/dev/null
    url="postgres://$pg_user@$pg_host:5432/$dbname"
    ;;
mysql)
    drop_db
    mariadb -h "$my_host" -u "$my_user" -e "CREATE DATABASE $dbname CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    url="mysql://$my_user@$my_host:3306/$dbname"
    ;;
esac

# The server.
bin=${PROMPTVAULT_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --quiet --bin promptvault)
    bin="$root/target/debug/promptvault"
fi
DATABASE_URL="$url" PROMPTVAULT_PORT="$port" PROMPTVAULT_BIND=127.0.0.1 \
    PROMPTVAULT_BACKUP_DIR="$work/backups" PROMPTVAULT_LOG_FORMAT=text \
    "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || {
        cat "$work/server.log" >&2
        exit 1
    }
    sleep 0.5
done
curl -sf "$base/health" >/dev/null

# The administrator (the first account) and an API token for the authenticated routes.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
curl -sf -c "$work/cookies" -H 'content-type: application/json' \
    -d '{"email":"fuzz-admin@example.com","password":"fuzz-password-1","name":"Fuzz"}' \
    "$base/api/auth/register" >/dev/null
token=$(curl -sf -b "$work/cookies" -H 'content-type: application/json' -d '{"name":"fuzz"}' \
    "$base/api/auth/tokens" | json token)
# A little content, so that lists, tags and exports are not all empty.
for i in 1 2 3; do
    curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        -d "{\"title\":\"Seed $i\",\"body\":\"Hello {{name}} number $i\",\"tags\":[\"seed\",\"t$i\"],\"visibility\":\"PUBLIC\"}" \
        "$base/api/prompts" >/dev/null
done

# The run.
if [ -n "${SCHEMATHESIS:-}" ]; then
    read -r -a st <<<"$SCHEMATHESIS"
elif command -v st >/dev/null 2>&1; then
    st=(st)
else
    st=(python3 -m schemathesis.cli)
fi
echo "fuzzing $backend at $base"
status=0
"${st[@]}" run "$base/api/openapi.json" \
    --url "$base" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --phases "${FUZZ_PHASES:-examples,coverage,fuzzing}" \
    --max-examples "${FUZZ_MAX_EXAMPLES:-50}" \
    --seed "${FUZZ_SEED:-1}" \
    --workers 1 \
    --report junit --report-dir "$work/report" \
    "$@" || status=$?
if grep -q "panicked\|request failed" "$work/server.log"; then
    echo "the server logged errors:" >&2
    grep "panicked\|request failed" "$work/server.log" | tail -20 >&2
    status=1
fi
exit $status
