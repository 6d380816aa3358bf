#!/bin/bash
# Make the local MariaDB and PostgreSQL ready for webdemo's functional
# tests: install them if missing (Debian), start them if down, and create
# the openstack_citest user and database that oslo.db's opportunistic
# test fixtures look for; install Graphviz if missing. Safe to run again
# and again.
set -euo pipefail

CITEST=openstack_citest

log() { echo "test-setup: $*"; }

apt_install() {
    if ! command -v apt-get >/dev/null; then
        log "cannot install $*: no apt-get here; install it by hand"
        exit 1
    fi
    log "installing $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_until() {
    local what=$1; shift
    for _ in $(seq 60); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    log "$what did not come up within 60s"
    exit 1
}

mariadb_ready() { mysqladmin --protocol=tcp -h127.0.0.1 -uroot ping; }

start_mariadb() {
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] \
        || apt_install mariadb-server mariadb-client
    if ! mariadb_ready >/dev/null 2>&1; then
        log "starting MariaDB"
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        start-stop-daemon --start --oknodo --background \
            --exec /usr/sbin/mariadbd
        wait_until MariaDB mariadb_ready
    fi
}

setup_mariadb() {
    mysql --protocol=tcp -h127.0.0.1 -uroot <<SQL
CREATE USER IF NOT EXISTS '$CITEST'@'%' IDENTIFIED BY '$CITEST';
CREATE USER IF NOT EXISTS '$CITEST'@'localhost' IDENTIFIED BY '$CITEST';
GRANT ALL PRIVILEGES ON *.* TO '$CITEST'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$CITEST'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS $CITEST;
FLUSH PRIVILEGES;
SQL
    log "MariaDB ready: $CITEST@127.0.0.1:3306"
}

postgres_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }

start_postgres() {
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    if ! postgres_ready; then
        log "starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect \
            "$(ls /etc/postgresql | sort -V | tail -n1)" main start
        wait_until PostgreSQL postgres_ready
    fi
}

psql_admin() {
    # Trust auth on 127.0.0.1 where it is set up; else the postgres
    # superuser over the local socket.
    if psql -h 127.0.0.1 -U postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
        psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"
    else
        su postgres -c "psql -v ON_ERROR_STOP=1 $(printf '%q ' "$@")"
    fi
}

setup_postgres() {
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='$CITEST'")" != 1 ]; then
        psql_admin -c "CREATE ROLE $CITEST WITH LOGIN PASSWORD '$CITEST'"
    fi
    # CREATEROLE lets tests make a user without DDL rights.
    psql_admin -c "ALTER ROLE $CITEST WITH CREATEDB CREATEROLE" >/dev/null
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='$CITEST'")" != 1 ]; then
        psql_admin -c "CREATE DATABASE $CITEST OWNER $CITEST"
    fi
    log "PostgreSQL ready: $CITEST@127.0.0.1:5432"
}

# Graphviz's dot draws db graph --format svg; its test needs it.
command -v dot >/dev/null || apt_install graphviz
# ApacheBench drives tools/api_benchmark.py.
command -v ab >/dev/null || apt_install apache2-utils

start_mariadb
setup_mariadb
start_postgres
setup_postgres
