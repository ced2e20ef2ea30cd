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

# The administrator (the first account), its API token and a little content; the ids go into
# a schemathesis configuration so that operations on one prompt, tag, team, user or token
# reach their handlers' logic instead of answering 404 to random ids.
python3 - "$base" "$work" <<'PYTHON'
import json, sys, urllib.request

base, work = sys.argv[1], sys.argv[2]
token = None


def call(method, path, body=None, cookie=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r), r.headers


admin, headers = call("POST", "/api/auth/register",
                      {"email": "fuzz-admin@example.com", "password": "fuzz-password-1", "name": "Fuzz"})
cookie = headers["set-cookie"].split(";")[0]


def new_token(name):
    # Tokens are created from a signed-in session (a token cannot mint tokens).
    req = urllib.request.Request(base + "/api/auth/tokens", data=json.dumps({"name": name}).encode(),
                                 method="POST")
    req.add_header("content-type", "application/json")
    req.add_header("cookie", cookie)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


token = new_token("fuzz")["token"]
spare_token = new_token("spare")
prompts = [
    call("POST", "/api/prompts", {"title": f"Seed {i}", "body": f"Hello {{{{name}}}} number {i}\nline two",
                                  "tags": ["seed", f"t{i}"], "visibility": "PUBLIC"})[0]
    for i in (1, 2, 3)
]
call("PUT", f"/api/prompts/{prompts[0]['id']}", {"body": "Hello {{name}}\nline two changed", "message": "v2"})
share, _ = call("POST", f"/api/share/{prompts[0]['id']}/public")
team, _ = call("POST", "/api/admin/teams", {"name": "Fuzz team"})
spare_team, _ = call("POST", "/api/admin/teams", {"name": "Spare team"})
user, _ = call("POST", "/api/admin/users",
               {"email": "fuzz-user@example.com", "password": "fuzz-password-1", "teams": [team["id"]]})
spare_user, _ = call("POST", "/api/admin/users", {"email": "spare-user@example.com", "password": "fuzz-password-1"})
call("POST", f"/api/admin/teams/{team['id']}/members", {"userId": admin["id"]})
tags = {t["name"]: t["id"] for t in call("GET", "/api/tags")[0]}
spare_tag, _ = call("POST", "/api/tags", {"name": "spare"})

p, spare_p = prompts[0]["id"], prompts[2]["id"]
ops = [
    # (method or None, path regex, parameters); the first match wins.
    ("DELETE", r"^/api/prompts/\{id\}$", {"id": spare_p}),
    ("DELETE", r"^/api/tags/\{id\}$", {"id": spare_tag["id"]}),
    ("DELETE", r"^/api/admin/teams/\{id\}$", {"id": spare_team["id"]}),
    ("DELETE", r"^/api/admin/users/\{id\}$", {"id": spare_user["id"]}),
    ("DELETE", r"^/api/auth/tokens/\{id\}$", {"id": spare_token["id"]}),
    (None, r"^/api/(prompts|share)/\{id\}", {"id": p, "version_id": "1"}),
    (None, r"^/api/ratings/", {"prompt_id": p}),
    (None, r"^/api/share/public/", {"share_id": share["shareId"]}),
    (None, r"^/api/tags/\{id\}", {"id": tags["seed"]}),
    (None, r"^/api/admin/teams/\{id\}", {"id": team["id"], "user_id": user["id"]}),
    (None, r"^/api/admin/users/\{id\}", {"id": user["id"]}),
]
with open(f"{work}/schemathesis.toml", "w") as f:
    for method, regex, params in ops:
        f.write("[[operations]]\n")
        f.write(f"include-path-regex = {json.dumps(regex)}\n")
        if method:
            f.write(f"include-method = {json.dumps(method)}\n")
        f.write("parameters = { " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in params.items()) + " }\n\n")
with open(f"{work}/token", "w") as f:
    f.write(token)
PYTHON
token=$(cat "$work/token")

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
# From the temporary directory: schemathesis keeps a cache (`.schemathesis/`) where it runs.
(cd "$work" && "${st[@]}" --config-file "$work/schemathesis.toml" run "$base/api/openapi.json" \
    --url "$base" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --phases "${FUZZ_PHASES:-examples,coverage,fuzzing}" \
    --max-examples "${FUZZ_MAX_EXAMPLES:-50}" \
    --seed "${FUZZ_SEED:-1}" \
    --workers 1 \
    --report junit --report-dir "$work/report" \
    "$@") || status=$?
if grep -q "panicked\|request failed" "$work/server.log"; then
    echo "the server logged errors:" >&2
    grep "panicked\|request failed" "$work/server.log" | tail -20 >&2
    status=1
fi
exit $status
