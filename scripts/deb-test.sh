#!/usr/bin/env bash
# Installs the .deb, starts the service, restarts it (data kept), removes the package (data
# kept), purges it (data deleted). Run as root on a Debian machine you may change; the package
# is removed again at the end. With systemd running it uses systemctl; without (a container)
# it starts the unit's ExecStart by hand as an unprivileged user with the unit's state
# directory, which checks the package, not systemd's sandboxing.
#
#   cargo deb && scripts/deb-test.sh [target/debian/promptvault_*.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
deb="${1:-$(ls -t target/debian/promptvault_*.deb | head -n1)}"
deb="$(readlink -f "$deb")"
log() { printf '== %s\n' "$*"; }

if dpkg -s promptvault >/dev/null 2>&1; then
  echo "promptvault is installed already: purge it first" >&2
  exit 1
fi
[ -e /var/lib/promptvault ] && { echo "/var/lib/promptvault exists: not touching it" >&2; exit 1; }

systemd=0
created_private=0
[ -d /run/systemd/system ] && systemd=1
pid=""
start() {
  if [ "$systemd" = 1 ]; then
    systemctl start promptvault
  else
    # What DynamicUser + StateDirectory set up, done by hand (systemd also mounts the service's
    # directory so that it can pass /var/lib/private, mode 0700: here it is 0711 for the test).
    [ -d /var/lib/private ] || created_private=1
    mkdir -p /var/lib/private/promptvault
    chmod 0711 /var/lib/private
    chown nobody:nogroup /var/lib/private/promptvault
    chmod 0750 /var/lib/private/promptvault
    [ -L /var/lib/promptvault ] || ln -s private/promptvault /var/lib/promptvault
    exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/promptvault.service)
    (cd /var/lib/promptvault && exec setpriv --reuid=nobody --regid=nogroup --clear-groups $exec_start) \
      2>/tmp/promptvault-deb-test.log &
    pid=$!
  fi
  for _ in $(seq 1 100); do
    curl -fsS http://127.0.0.1:3000/health >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the service does not answer on 127.0.0.1:3000" >&2
  cat /tmp/promptvault-deb-test.log >&2 || true
  return 1
}
stop() {
  if [ "$systemd" = 1 ]; then
    systemctl stop promptvault
  else
    kill -TERM "$pid"
    wait "$pid"
  fi
}

log "install $deb"
apt-get install -y -qq "$deb" >/dev/null
systemd-analyze verify /usr/lib/systemd/system/promptvault.service 2>&1 | grep -v 'not executable' || true
[ -f /etc/promptvault/promptvault.toml ]
log "start"
start
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"password-123","name":"Admin"}' \
  http://127.0.0.1:3000/api/auth/register >/dev/null
[ -f /var/lib/promptvault/promptvault.db ]
log "restart (the data survives)"
stop
start
curl -fsS -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"password-123"}' \
  http://127.0.0.1:3000/api/auth/login | grep -q admin@example.com
stop
log "remove keeps the data"
apt-get remove -y -qq promptvault >/dev/null
[ ! -e /usr/bin/promptvault ]
[ -f /var/lib/promptvault/promptvault.db ]
[ -f /etc/promptvault/promptvault.toml ]
log "purge deletes it"
apt-get purge -y -qq promptvault >/dev/null
[ ! -e /var/lib/promptvault ] && [ ! -e /var/lib/private/promptvault ] && [ ! -e /etc/promptvault ]
if [ "$created_private" = 1 ]; then rmdir /var/lib/private 2>/dev/null || true; else chmod 0700 /var/lib/private 2>/dev/null || true; fi
log "deb test passed"
