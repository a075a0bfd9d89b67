#!/bin/sh
# Start the local PostgreSQL cluster the hub's tests run against, and give them a role that
# may create databases. Prints HUB_TEST_PG, the URL of a database the tests may use.
set -eu

if ! command -v pg_lsclusters >/dev/null 2>&1; then
	echo "postgres.sh: PostgreSQL is not installed (make system-packages installs it)" >&2
	exit 1
fi
as_postgres() {
	if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
	version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
	pg_createcluster "$version" main >/dev/null
	cluster=$(pg_lsclusters -h | head -n 1)
fi
set -- $cluster
version=$1 name=$2 port=$3 status=$4
if [ "$status" != online ]; then
	# (Its notes, such as a stale pid file after a reboot, must not land in the service env.)
	pg_ctlcluster "$version" "$name" start >&2
fi

as_postgres "psql -q -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'mediation'\"" | grep -q 1 ||
	as_postgres "psql -q -p $port -c \"CREATE ROLE mediation LOGIN CREATEDB PASSWORD 'mediation'\""
as_postgres "psql -q -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname = 'mediation_test'\"" | grep -q 1 ||
	as_postgres "psql -q -p $port -c \"CREATE DATABASE mediation_test OWNER mediation\""

echo "HUB_TEST_PG=postgresql+psycopg://mediation:mediation@127.0.0.1:$port/mediation_test"
