#!/usr/bin/env bash
# Builds the container image offline and runs the operations guide's SQLite procedures against
# it from the host, as compose.yaml sets it up (./data mounted at /data).
#
# No registry is needed: the runtime stage of ./Dockerfile (FROM scratch onwards) is built from
# a binary made here — the debug build with the shared libraries it links, copied from this
# machine, or PROMPTVAULT_CONTAINER_BIN (e.g. the static release build the Dockerfile makes:
# `cargo build --release --target x86_64-unknown-linux-musl`, needs musl-tools).
# Uses podman with the runc runtime (apt-get install podman runc).
#
#   scripts/container-test.sh            # prints image size and start-up time
#   PROMPTVAULT_CONTAINER_BIN=target/x86_64-unknown-linux-musl/release/promptvault scripts/container-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d /tmp/pv-container.XXXXXX)
name="pv-ct-$$"
image="localhost/promptvault-test:$$"
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
elapsed() { python3 -c 'import sys, time; print(round(time.time() - float(sys.argv[1]), 2))' "$1"; }

# podman on this machine kind: runc (crun fails on rlimits here) and explicit limits.
cat > "$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf"
# Without systemd podman cannot schedule periodic health checks and says so at every run;
# `podman healthcheck run` below runs the image's HEALTHCHECK once instead.
podman() { command podman "$@" 2> >(grep -v 'systemd' >&2); }

# 1. The binary.
bin="${PROMPTVAULT_CONTAINER_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --quiet --bin promptvault
  bin="target/debug/promptvault"
fi
echo "binary: $bin ($(du -h "$bin" | cut -f1))"

# 2. The build context: what the Dockerfile's build stage leaves in /out.
ctx="$work/ctx"
install -D -m 0755 "$bin" "$ctx/out/root/usr/local/bin/promptvault"
install -d -m 1777 "$ctx/out/root/tmp"
install -d -m 0750 "$ctx/out/data" "$ctx/out/data/backups"
{
  echo "FROM scratch"
  if ldd "$bin" >/dev/null 2>&1; then
    # A dynamic binary: add the libraries it links, at their paths.
    mkdir -p "$ctx/libs"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
      install -D "$(readlink -f "$lib")" "$ctx/libs$lib"
    done
    echo "COPY libs/ /"
  fi
  # The runtime stage of the Dockerfile, reading the context instead of the build stage.
  sed -n '/^FROM scratch/,$p' Dockerfile | tail -n +2 | sed -e 's#--from=build ##' -e 's# /out/# out/#'
} > "$ctx/Containerfile"

started=$(date +%s.%N)
podman build --quiet --format docker -t "$image" "$ctx" >/dev/null
echo "image built in $(elapsed "$started") s"
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image size: $((size / 1024 / 1024)) MiB ($size bytes)"
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "65532:65532" ]
podman image inspect --format '{{json .Config.Healthcheck}}' "$image" | grep -q 'promptvault'

# 3. compose.yaml's setup: ./data on the host, prepared once as root, served as 65532.
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# compose.yaml's data-dir service: runs before the server (and before `compose run`).
prepare() {
  podman run --rm --user 0:0 -v "$work/data:/data" "$image" data-dir /data --owner 65532:65532 >/dev/null
}
up() {
  prepare
  local t0; t0=$(date +%s.%N)
  podman run -d --name "$name" -p "127.0.0.1:$port:3000" -v "$work/data:/data" "$image" >/dev/null
  for _ in $(seq 1 200); do
    curl -fsS "$base/health" >/dev/null 2>&1 && break
    sleep 0.05
  done
  curl -fsS "$base/health" >/dev/null
  echo "container start-up to a healthy /health: $(elapsed "$t0") s"
}
down() {
  local t0; t0=$(date +%s.%N)
  podman stop -t 30 "$name" >/dev/null
  local code; code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  podman rm "$name" >/dev/null
  echo "stopped in $(elapsed "$t0") s (exit code $code)"
  [ "$code" = 0 ]
}
mkdir -p data
up
podman healthcheck run "$name"
podman exec "$name" promptvault health --ready >/dev/null
curl -fsS "$base/ready" | grep -q '"ready":true'
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"password-123","name":"Admin"}' \
  "$base/api/auth/register" >/dev/null
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"second@example.com","password":"password-123","name":"Second"}' \
  "$base/api/auth/register" >/dev/null

# 4. The guide's procedures, verbatim, from the host.
[ "$(sqlite3 data/promptvault.db "SELECT COUNT(*) FROM User;")" = 2 ]
sqlite3 data/promptvault.db ".backup backup_$(date +%Y%m%d).db"
sqlite3 backup_$(date +%Y%m%d).db "SELECT COUNT(*) FROM User;" | grep -qx 2
gzip -c "backup_$(date +%Y%m%d).db" > backup_20240101.db.gz
sqlite3 data/promptvault.db "PRAGMA integrity_check;" | grep -qx ok
# A third account after the backup: the restore must take it away.
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"third@example.com","password":"password-123","name":"Third"}' \
  "$base/api/auth/register" >/dev/null
# The server's own backup lands in ./data/backups on the host.
podman exec "$name" promptvault db backup >/dev/null
ls data/backups/promptvault_* >/dev/null
down                                                   # docker-compose down
gunzip -c backup_20240101.db.gz > data/promptvault.db  # restore
[ "$(sqlite3 data/promptvault.db "SELECT COUNT(*) FROM User;")" = 2 ]
up                                                     # docker-compose up -d
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"second@example.com","password":"password-123"}' \
  "$base/api/auth/login" | grep -q second@example.com
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d '{"email":"third@example.com","password":"password-123"}' "$base/api/auth/login")
[ "$code" = 401 ]
# Recovery procedure (docs/operations.md): `db recover` in a one-off container, the guide's
# checks and swap from the host. (Debian 12's sqlite3 3.40 stops `.recover` with "SQL logic
# error" even on healthy files, so the guide's `.recover` pipe is tried but not required.)
down
cp data/promptvault.db data/promptvault.db.backup
if sqlite3 data/promptvault.db ".recover" 2>/dev/null | sqlite3 data/promptvault_sqlite_recovered.db 2>/dev/null; then
  echo "sqlite3 .recover worked"
else
  echo "sqlite3 .recover failed with this sqlite3 ($(sqlite3 --version | cut -d' ' -f1)); using promptvault db recover"
fi
rm -f data/promptvault_sqlite_recovered.db
prepare
podman run --rm -v "$work/data:/data" "$image" \
  db recover /data/promptvault.db --output /data/promptvault_recovered.db
sqlite3 data/promptvault_recovered.db "PRAGMA integrity_check;" | grep -qx ok
mv data/promptvault_recovered.db data/promptvault.db
up
[ "$(curl -fsS "$base/health" | grep -c '"ok":true')" = 1 ]
down
echo "container test passed"
