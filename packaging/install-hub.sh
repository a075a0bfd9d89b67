#!/bin/sh
# Turn a fresh Debian 12 machine into the mediation hub, in one command:
#
#   sudo packaging/install-hub.sh --name hub.example.org [--cert FILE --key FILE]
#                                 [--workers N] [--source DIR]
#
# It installs PostgreSQL (a database and role for the hub, its password kept in
# /etc/mediation-hub/hub.env, readable by root and the hub alone), the hub in a virtual
# environment under /opt/mediation-hub/releases with pinned versions, run by systemd as
# several uvicorn workers on loopback, nginx in front with TLS (a self-signed certificate
# until --cert and --key are given), and coturn for TURN. Re-running it upgrades: the new
# version goes in and the hub restarts; the previous one is kept (`previous`) to roll back.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/release.sh
. "$here/lib/release.sh"

source_dir=$(cd "$here/.." && pwd)
name=""
cert=""
key=""
workers=""
while [ $# -gt 0 ]; do
    case $1 in
        --name) name=${2:?--name needs the hub host name}; shift 2 ;;
        --cert) cert=${2:?--cert needs a file}; shift 2 ;;
        --key) key=${2:?--key needs a file}; shift 2 ;;
        --workers) workers=${2:?--workers needs a number}; shift 2 ;;
        --source) source_dir=${2:?--source needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$name" ] || fail "--name (the hub's host name) is required"
if [ -n "$cert" ] && [ -z "$key" ] || [ -z "$cert" ] && [ -n "$key" ]; then
    fail "--cert and --key go together"
fi
[ "$(id -u)" = 0 ] || fail "run as root (sudo $0)"
case $workers in
    "") workers=$(( $(nproc) * 2 + 1 )) ;;
    *[!0-9]*) fail "--workers takes a number" ;;
esac

root=${HUB_ROOT:-/opt/mediation-hub}
etc=/etc/mediation-hub

apt_install python3 python3-venv ca-certificates systemd postgresql nginx-light coturn openssl \
    janus janus-tools

system_user mediation-hub /var/lib/mediation-hub
install -d -o mediation-hub -g mediation-hub -m 0700 /var/lib/mediation-hub
install -d -o root -g mediation-hub -m 0750 "$etc"

say "Building the hub from $source_dir"
release=$(build_release "$source_dir" "$root")
say "Release: $release"

# The database: a role with a random password, kept in hub.env (root and the hub only).
if systemd_running; then
    systemctl start postgresql.service
fi
# The cluster's port (5432 unless another PostgreSQL held it when the cluster was made).
pg_port=$(pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $3 }')
pg_port=${pg_port:-5432}
if [ ! -e "$etc/hub.env" ]; then
    password=$(openssl rand -hex 24)
    turn_secret=$(openssl rand -hex 32)
    umask 077
    cat > "$etc/hub.env" <<ENV
HUB_DB=postgresql+psycopg://mediation_hub:$password@127.0.0.1:$pg_port/mediation_hub
HUB_WORKERS=$workers
HUB_TURN_URLS=turn:$name:3478?transport=udp,turns:$name:5349?transport=tcp
HUB_TURN_SECRET=$turn_secret
ENV
    umask 022
fi
# The SFU (Janus): its API on loopback for the hub alone, with secrets of its own.
if ! grep -q '^HUB_SFU_URL=' "$etc/hub.env"; then
    cat >> "$etc/hub.env" <<ENV
HUB_SFU_URL=http://127.0.0.1:8188/janus
HUB_SFU_ADMIN_URL=http://127.0.0.1:7188/admin
HUB_SFU_ADMIN_SECRET=$(openssl rand -hex 24)
HUB_SFU_ROOM_KEY=$(openssl rand -hex 24)
HUB_SFU_RECORDINGS=/var/lib/mediation-hub/recordings
ENV
fi
chown root:mediation-hub "$etc/hub.env"
chmod 0640 "$etc/hub.env"
sed -i -e "s/^HUB_WORKERS=.*/HUB_WORKERS=$workers/" \
    -e "s|^\(HUB_DB=postgresql+psycopg://mediation_hub:[^@]*@127.0.0.1:\)[0-9]*/|\1$pg_port/|" \
    "$etc/hub.env"
password=$(sed -n 's|^HUB_DB=postgresql+psycopg://mediation_hub:\([^@]*\)@.*|\1|p' "$etc/hub.env")
turn_secret=$(sed -n 's/^HUB_TURN_SECRET=//p' "$etc/hub.env")
if pg_lsclusters -h 2>/dev/null | grep -q online; then
    if ! runuser -u postgres -- psql -p "$pg_port" -tAc "SELECT 1 FROM pg_roles WHERE rolname='mediation_hub'" | grep -q 1; then
        runuser -u postgres -- psql -p "$pg_port" -q -c "CREATE ROLE mediation_hub LOGIN PASSWORD '$password'"
    fi
    if ! runuser -u postgres -- psql -p "$pg_port" -tAc "SELECT 1 FROM pg_database WHERE datname='mediation_hub'" | grep -q 1; then
        runuser -u postgres -- createdb -p "$pg_port" -O mediation_hub mediation_hub
    fi
else
    say "PostgreSQL is not running here: create the role and database mediation_hub later."
fi

# TLS: the given certificate, or a self-signed one until there is a real one.
tls=/etc/ssl/mediation-hub
install -d -m 0755 "$tls"
if [ -n "$cert" ]; then
    install -m 0644 "$cert" "$tls/hub.crt"
    install -m 0640 -g turnserver "$key" "$tls/hub.key"
elif [ ! -e "$tls/hub.crt" ]; then
    openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=$name" \
        -addext "subjectAltName=DNS:$name" -keyout "$tls/hub.key" -out "$tls/hub.crt" 2>/dev/null
    say "A self-signed certificate for $name is in $tls; give --cert and --key for a real one."
fi
chgrp turnserver "$tls/hub.key" 2>/dev/null || true
chmod 0640 "$tls/hub.key"

# nginx in front, coturn beside it.
sed -e "s|@SERVER_NAME@|$name|g" -e "s|@TLS_CERT@|$tls/hub.crt|g" -e "s|@TLS_KEY@|$tls/hub.key|g" \
    "$here/nginx/mediation-hub.conf.in" > /etc/nginx/sites-available/mediation-hub
ln -sfn ../sites-available/mediation-hub /etc/nginx/sites-enabled/mediation-hub
rm -f /etc/nginx/sites-enabled/default
sed -e "s|@REALM@|$name|g" -e "s|@TURN_SECRET@|$turn_secret|g" \
    -e "s|@TLS_CERT@|$tls/hub.crt|g" -e "s|@TLS_KEY@|$tls/hub.key|g" \
    "$here/coturn/turnserver.conf.in" > /etc/turnserver.conf
chown root:turnserver /etc/turnserver.conf
chmod 0640 /etc/turnserver.conf
if [ -e /etc/default/coturn ]; then
    sed -i 's/^#*TURNSERVER_ENABLED=.*/TURNSERVER_ENABLED=1/' /etc/default/coturn
fi

install -D -m 0644 "$here/systemd/mediation-hub.service" /etc/systemd/system/mediation-hub.service
install -D -m 0644 "$here/systemd/mediation-sfu.service" /etc/systemd/system/mediation-sfu.service
systemctl enable mediation-hub.service mediation-sfu.service nginx.service coturn.service \
    postgresql.service

old=""
if [ -L "$root/current" ]; then
    old=$(readlink -f "$root/current")
fi
if [ "$old" != "$(readlink -f "$release")" ]; then
    if [ -n "$old" ]; then
        point "$root" previous "$old"
    fi
    point "$root" current "$release"
fi

if systemd_running; then
    systemctl daemon-reload
    nginx -t
    systemctl restart mediation-sfu.service mediation-hub.service coturn.service
    systemctl reload-or-restart nginx.service
fi
say "The hub is installed: $(readlink "$root/current"), https://$name/"
