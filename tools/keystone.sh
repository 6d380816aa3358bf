#!/bin/bash
# A real Keystone on loopback for webdemo's API tests: keystone from PyPI
# in a virtualenv of its own, its own SQLite database, Fernet tokens,
# served by gunicorn; then the projects, users and roles the tests use
# (tools/keystone_accounts.py).
#
#   tools/keystone.sh start    install what is missing, set up, serve
#   tools/keystone.sh stop     stop the server
#   tools/keystone.sh status   the URL if it answers, else exit 1
#   tools/keystone.sh wipe     stop, then delete everything it made
#
# Keystone listens on 127.0.0.1:$WEBDEMO_KEYSTONE_PORT (default 15000);
# everything lives under $WEBDEMO_KEYSTONE_DIR (default
# /tmp/webdemo-keystone). The admin's password is "admin-Pa55word"; the
# webdemo service user's and each test user's are in keystone_accounts.py.
# These passwords are for a loopback test server and nothing else.
set -u
DIR=${WEBDEMO_KEYSTONE_DIR:-/tmp/webdemo-keystone}
PORT=${WEBDEMO_KEYSTONE_PORT:-15000}
URL=http://127.0.0.1:$PORT/v3
# The release the tests are written against; its range is pinned here
# as the project's own dependencies are in requirements.txt.
KEYSTONE_SPEC=${WEBDEMO_KEYSTONE_SPEC:-'keystone>=30,<31'}
HERE=$(cd "$(dirname "$0")" && pwd)

say() { echo "keystone: $*"; }

answers() {
    "$DIR/venv/bin/python" - "$URL" <<'EOF' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
EOF
}

install() {
    [ -x "$DIR/venv/bin/keystone-manage" ] && return 0
    say "installing $KEYSTONE_SPEC into $DIR/venv"
    python3 -m venv "$DIR/venv" &&
        "$DIR/venv/bin/pip" install -q "$KEYSTONE_SPEC" gunicorn
}

write_config() {
    mkdir -p "$DIR/fernet-keys" "$DIR/credential-keys"
    cat > "$DIR/keystone.conf" <<EOF
[DEFAULT]
log_file = $DIR/keystone.log
[database]
connection = sqlite:///$DIR/keystone.db
[fernet_tokens]
key_repository = $DIR/fernet-keys
[fernet_receipts]
key_repository = $DIR/fernet-keys
[credential]
key_repository = $DIR/credential-keys
EOF
    # Keystone parses sys.argv through oslo.config when it is imported:
    # gunicorn's own arguments must not reach it, so gunicorn reads
    # everything from this file and the command line stays empty.
    cat > "$DIR/gunicorn.conf.py" <<EOF
import sys
del sys.argv[1:]
wsgi_app = 'keystone.wsgi.api:application'
bind = '127.0.0.1:$PORT'
workers = 2
pidfile = '$DIR/gunicorn.pid'
errorlog = '$DIR/gunicorn.log'
raw_env = ['OS_KEYSTONE_CONFIG_DIR=$DIR']
EOF
}

manage() {
    "$DIR/venv/bin/keystone-manage" --config-file "$DIR/keystone.conf" "$@"
}

set_up() {
    [ -f "$DIR/bootstrapped" ] && return 0
    say "db_sync, fernet_setup, credential_setup, bootstrap"
    manage db_sync &&
        manage fernet_setup --keystone-user "$(id -un)" \
            --keystone-group "$(id -gn)" &&
        manage credential_setup --keystone-user "$(id -un)" \
            --keystone-group "$(id -gn)" &&
        manage bootstrap --bootstrap-password admin-Pa55word \
            --bootstrap-admin-url "$URL" --bootstrap-public-url "$URL" \
            --bootstrap-internal-url "$URL" --bootstrap-region-id RegionOne &&
        touch "$DIR/bootstrapped"
}

serve() {
    answers && return 0
    say "serving on $URL"
    # All of its output to the log, none to whoever called this script
    # (a pipe held open would keep the caller waiting).
    (cd "$DIR" && OS_KEYSTONE_CONFIG_DIR=$DIR \
        exec "$DIR/venv/bin/gunicorn" --config "$DIR/gunicorn.conf.py") \
        >> "$DIR/gunicorn.log" 2>&1 < /dev/null &
    for _ in $(seq 1 120); do
        answers && return 0
        sleep 0.5
    done
    say "did not answer on $URL; see $DIR/gunicorn.log and keystone.log"
    return 1
}

start() {
    mkdir -p "$DIR"
    install && write_config && set_up && serve &&
        "$DIR/venv/bin/python" "$HERE/keystone_accounts.py" "$URL" &&
        say "ready: $URL"
}

stop() {
    local pid
    pid=$(cat "$DIR/gunicorn.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    # Gone, not only silent: gunicorn refuses to start while its pid
    # file names a live master.
    for _ in $(seq 1 120); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    say "gunicorn $pid did not stop"
    return 1
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) answers && echo "$URL" ;;
    wipe) stop; rm -rf "$DIR" ;;
    *) echo "usage: $0 start|stop|status|wipe" >&2; exit 2 ;;
esac
