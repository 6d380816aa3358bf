#!/bin/bash
# webdemo's test cluster: three MariaDB Galera nodes on loopback and a
# round-robin HAProxy in front of them, so that every new connection
# lands on the next node (the worst a load balancer can do to db sync).
#
#   tools/galera.sh start        install (Debian) and start what is down
#   tools/galera.sh stop         stop HAProxy and every node
#   tools/galera.sh status       one line per node, and HAProxy
#   tools/galera.sh kill N       kill -9 node N's mariadbd (a lost node)
#   tools/galera.sh restart N    start node N again and wait until Synced
#   tools/galera.sh wipe         stop, then delete the cluster's data
#   tools/galera.sh urls         the SQL URLs: haproxy, node1..3
#
# Nodes listen on 127.0.0.1:13316, :13326, :13336, HAProxy on :13306;
# user openstack_citest, password openstack_citest, database
# openstack_citest. Data and logs live under $WEBDEMO_GALERA_DIR
# (default /tmp/webdemo-galera). Run as root (it starts mariadbd as mysql).
set -u
DIR=${WEBDEMO_GALERA_DIR:-/tmp/webdemo-galera}
PROXY_PORT=13306
USER_SQL="CREATE USER IF NOT EXISTS 'openstack_citest'@'127.0.0.1'
            IDENTIFIED BY 'openstack_citest';
          CREATE USER IF NOT EXISTS 'openstack_citest'@'localhost'
            IDENTIFIED BY 'openstack_citest';
          GRANT ALL PRIVILEGES ON *.* TO 'openstack_citest'@'127.0.0.1'
            WITH GRANT OPTION;
          GRANT ALL PRIVILEGES ON *.* TO 'openstack_citest'@'localhost'
            WITH GRANT OPTION;
          CREATE DATABASE IF NOT EXISTS openstack_citest;"

sql_port() { echo $((13306 + $1 * 10)); }
# Galera's own ports: group communication, IST and SST, per node.
group_port() { echo $((14557 + $1 * 10)); }

write_config() {
    local n=$1 node_dir=$DIR/n$1
    cat > "$DIR/n$n.cnf" <<EOF
[mysqld]
datadir=$node_dir/data
socket=$node_dir/mysqld.sock
pid-file=$node_dir/mysqld.pid
log_error=$node_dir/error.log
port=$(sql_port "$n")
bind-address=127.0.0.1
user=mysql
skip-name-resolve
# What Galera requires of every node.
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=webdemo_test
wsrep_node_name=n$n
wsrep_cluster_address=gcomm://127.0.0.1:$(group_port 1),127.0.0.1:$(group_port 2),127.0.0.1:$(group_port 3)
wsrep_node_address=127.0.0.1:$(group_port "$n")
wsrep_provider_options="base_port=$(group_port "$n");ist.recv_addr=127.0.0.1:$(($(group_port "$n") + 1));gcache.size=64M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$(($(group_port "$n") + 2))
EOF
}

write_haproxy_config() {
    cat > "$DIR/haproxy.cfg" <<EOF
global
    daemon
    pidfile $DIR/haproxy.pid
    maxconn 512
defaults
    mode tcp
    timeout connect 3s
    timeout client 1h
    timeout server 1h
listen galera
    bind 127.0.0.1:$PROXY_PORT
    balance roundrobin
    default-server check inter 1s fall 2 rise 2
    server n1 127.0.0.1:$(sql_port 1)
    server n2 127.0.0.1:$(sql_port 2)
    server n3 127.0.0.1:$(sql_port 3)
EOF
}

client() { mariadb -S "$DIR/n$1/mysqld.sock" -N -B "${@:2}" 2>/dev/null; }
node_state() { client "$1" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2; }
synced() { [ "$(node_state "$1")" = Synced ]; }
any_synced() { synced 1 || synced 2 || synced 3; }

install_packages() {
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing=1
    [ -e /usr/lib/galera/libgalera_smm.so ] || missing=1
    command -v rsync >/dev/null || missing=1
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing=1
    [ -z "${missing:-}" ] && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q mariadb-server galera-4 rsync haproxy >/dev/null ||
        { apt-get update -q >/dev/null &&
          apt-get install -y -q mariadb-server galera-4 rsync haproxy >/dev/null; }
}

wait_synced() {
    local n=$1 tries=${2:-90}
    for _ in $(seq "$tries"); do
        synced "$n" && return 0
        sleep 1
    done
    echo "galera: node $n did not reach Synced; see $DIR/n$n/error.log" >&2
    return 1
}

start_node() {
    local n=$1 extra=${2:-}
    mkdir -p "$DIR/n$n"
    chown mysql:mysql "$DIR/n$n"
    write_config "$n"
    if [ ! -d "$DIR/n$n/data/mysql" ]; then
        mariadb-install-db --defaults-file="$DIR/n$n.cnf" --user=mysql \
            --auth-root-authentication-method=socket >/dev/null 2>&1 ||
            { echo "galera: mariadb-install-db failed for node $n" >&2; return 1; }
    fi
    setsid /usr/sbin/mariadbd --defaults-file="$DIR/n$n.cnf" $extra \
        >/dev/null 2>&1 < /dev/null &
    wait_synced "$n"
}

start() {
    install_packages || { echo "galera: cannot install the packages" >&2; exit 1; }
    mkdir -p "$DIR"
    # The server's own service may hold its default files; ours are apart.
    if ! any_synced; then
        # A new cluster from node 1: whatever it held, it is the reference.
        [ -f "$DIR/n1/data/grastate.dat" ] &&
            sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' \
                "$DIR/n1/data/grastate.dat"
        start_node 1 --wsrep-new-cluster || exit 1
        client 1 -e "$USER_SQL" || exit 1
    fi
    for n in 1 2 3; do
        synced "$n" || start_node "$n" || exit 1
    done
    start_proxy || exit 1
    status
}

start_proxy() {
    write_haproxy_config
    if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
        return 0
    fi
    haproxy -f "$DIR/haproxy.cfg" || return 1
    for _ in $(seq 20); do
        mariadb -h 127.0.0.1 -P $PROXY_PORT -u openstack_citest \
            -popenstack_citest -N -e 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "galera: HAProxy on :$PROXY_PORT does not answer" >&2
    return 1
}

node_pid() { cat "$DIR/n$1/mysqld.pid" 2>/dev/null; }

kill_node() {
    local pid
    pid=$(node_pid "$1") || { echo "galera: node $1 is not running" >&2; exit 1; }
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$DIR/n$1/mysqld.pid"
}

stop() {
    [ -f "$DIR/haproxy.pid" ] && kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null
    rm -f "$DIR/haproxy.pid"
    for n in 3 2 1; do
        local pid
        pid=$(node_pid "$n") || continue
        kill "$pid" 2>/dev/null
        for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    done
}

status() {
    for n in 1 2 3; do
        local size
        size=$(client "$n" -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
        if [ -n "$size" ]; then
            echo "node $n 127.0.0.1:$(sql_port "$n") $(node_state "$n") cluster_size=$size"
        else
            echo "node $n 127.0.0.1:$(sql_port "$n") down"
        fi
    done
    if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
        echo "haproxy 127.0.0.1:$PROXY_PORT round-robin"
    else
        echo "haproxy down"
    fi
}

urls() {
    local base=mysql+pymysql://openstack_citest:openstack_citest@127.0.0.1
    echo "haproxy $base:$PROXY_PORT/openstack_citest"
    for n in 1 2 3; do echo "node$n $base:$(sql_port "$n")/openstack_citest"; done
}

case ${1:-status} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    kill) kill_node "${2:?which node: 1, 2 or 3}" ;;
    restart) start_node "${2:?which node: 1, 2 or 3}" ;;
    wipe) stop; rm -rf "$DIR" ;;
    urls) urls ;;
    *) echo "usage: $0 start|stop|status|kill N|restart N|wipe|urls" >&2; exit 2 ;;
esac
