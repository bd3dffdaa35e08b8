#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite, on 127.0.0.1 only, with trust authentication.
#
#   eval "$(bash .ci/postgres.sh)"     # start, reuse or restart it; exports GROUPCLINIC_TEST_POSTGRES_URL
#   bash .ci/postgres.sh stop          # stop it and delete its data
#
# Installs PostgreSQL from Debian packages when it is missing (as root, or with password-less
# sudo). Running it again while the cluster is up just prints the same export line, quickly.
# Only the export line goes to stdout; everything else goes to stderr.
set -euo pipefail

STATE_DIR="${GROUPCLINIC_PG_DIR:-/tmp/groupclinic-pg-$(id -u)}"
DB_NAME="groupclinic_test"
DB_USER="groupclinic"
RUN_AS="${GROUPCLINIC_PG_USER:-postgres}"   # the unprivileged account that owns the cluster

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
    local dir
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        # /usr/local/bin may hold only a few symlinks; use the folder they point into.
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return
    fi
    # Debian keeps the server binaries off PATH, one folder per major version; take the newest.
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install_postgres() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            log "PostgreSQL is not installed and I cannot install it without root"; exit 1
        fi
    fi
    log "installing PostgreSQL from Debian packages"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql postgresql-client >&2
}

# Run a PostgreSQL program as the cluster's owner: the server refuses to run as root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_owner_account() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
    fi
}

free_port() {
    python3 - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

print_export() {
    echo "export GROUPCLINIC_TEST_POSTGRES_URL=$(cat "$STATE_DIR/url")"
}

stop() {
    local bin
    bin=$(pg_bin || true)
    if [ -n "$bin" ] && [ -f "$STATE_DIR/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$STATE_DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$STATE_DIR"
    log "stopped"
}

server_options() {
    # fsync off: the data is thrown away, and it makes the tests much faster.
    # shared_buffers 1 GB (the default is 128 MB): the ICB bench's summary tables of one ICB's
    # ten years are a few hundred MB, and with 128 MB a report's first read of them came page
    # by page from the OS (the p95s); 1 GB is small beside this machine's 23 GB or a CI runner's 7.
    echo "-p $1 -k $STATE_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=1GB"
}

restart() {
    local bin=$1 port
    port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$STATE_DIR/url")
    rm -f "$STATE_DIR/data/postmaster.pid"  # left by a machine that stopped without warning
    as_owner "$bin/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 60 \
        -o "$(server_options "$port")" start >&2 || return 1
    log "PostgreSQL started again on 127.0.0.1:$port (data in $STATE_DIR)"
}

start() {
    local bin port
    bin=$(pg_bin || true)
    if [ -z "$bin" ]; then
        install_postgres
        bin=$(pg_bin)
    fi
    if [ -f "$STATE_DIR/url" ] && as_owner "$bin/pg_ctl" -D "$STATE_DIR/data" status >/dev/null 2>&1
    then
        print_export
        return
    fi
    # A cluster stopped whole (the machine restarted, say) is started again as it was: it may
    # hold the ICB bench's cached stores, which take most of an hour to build.
    if [ -f "$STATE_DIR/url" ] && [ -f "$STATE_DIR/data/PG_VERSION" ] && restart "$bin"; then
        print_export
        return
    fi
    stop 2>/dev/null  # a half-started cluster from an interrupted run
    ensure_owner_account
    mkdir -p "$STATE_DIR"
    chmod 700 "$STATE_DIR"
    [ "$(id -u)" -ne 0 ] || chown "$RUN_AS" "$STATE_DIR"

    as_owner "$bin/initdb" -D "$STATE_DIR/data" -U "$DB_USER" --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$STATE_DIR/initdb.log" 2>&1 \
        || { cat "$STATE_DIR/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 30 \
        -o "$(server_options "$port")" start >&2 \
        || { cat "$STATE_DIR/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
    echo "postgresql+psycopg://$DB_USER@127.0.0.1:$port/$DB_NAME" >"$STATE_DIR/url"
    log "PostgreSQL running on 127.0.0.1:$port (data in $STATE_DIR)"
    print_export
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) log "usage: bash .ci/postgres.sh [start|stop]"; exit 2 ;;
esac
