#!/usr/bin/env bash
# Peer comparison: ParqueDB next to DuckDB, PostgreSQL 15, ClickHouse and SQLite on the
# same seeded orders, one run, one machine (see bench/compare/README.md).
#
#   bash bench/compare/run.sh [--smoke] [--rows N] [--out DIR] [--batches B]
#        [--recompute-batches R] [--ingest-rows K] [--point-queries Q]
#        [--systems parquedb,duckdb,postgres,clickhouse,sqlite]
#   (also: bash scripts/dev.sh compare [same options])
#
# Installs what is missing (Debian: postgresql-15, clickhouse-server, clickhouse-client,
# sqlite3, libpq-dev; npm ci), builds compare_bench in $BUILD (default build/release),
# starts each server privately on 127.0.0.1 (free port, temporary data dir, as user
# nobody when run as root; tracked by PID, stopped in an EXIT trap) only for its own
# run, runs every system one after the other, then bench/compare/report.mjs prints the
# ratio table and writes DIR/results.json and DIR/chart.html. Exits non-zero if any
# peer's answers differ from ParqueDB's (beyond ClickHouse's documented blind spot for
# updates/deletes, reported as a correctness column).
# Defaults: --rows 1000000 --batches 300 --recompute-batches 30 --ingest-rows
# min(rows, 200000) --point-queries 1000 --out build/compare-results.
# --smoke: --rows 20000 --batches 60 --recompute-batches 15 --ingest-rows 20000
# --point-queries 300 (a couple of minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

ROWS=1000000 BATCHES=300 RECOMPUTE=30 INGEST="" POINTS=1000 OUT=build/compare-results
SYSTEMS=parquedb,duckdb,postgres,clickhouse,sqlite
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case "$1" in
    --smoke) ROWS=20000 BATCHES=60 RECOMPUTE=15 INGEST=20000 POINTS=300 ;;
    --rows) ROWS=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --batches) BATCHES=${2:?}; shift ;;
    --recompute-batches) RECOMPUTE=${2:?}; shift ;;
    --ingest-rows) INGEST=${2:?}; shift ;;
    --point-queries) POINTS=${2:?}; shift ;;
    --systems) SYSTEMS=${2:?}; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage ;;
  esac
  shift
done
for v in ROWS BATCHES RECOMPUTE POINTS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run.sh: --${v,,} must be a whole number, got '${!v}'" >&2; exit 2; }
done
[ -n "$INGEST" ] || INGEST=$((ROWS < 200000 ? ROWS : 200000))
[[ $INGEST =~ ^[0-9]+$ ]] || { echo "run.sh: --ingest-rows must be a whole number, got '$INGEST'" >&2; exit 2; }
IFS=, read -r -a SYS <<<"$SYSTEMS"
for s in "${SYS[@]}"; do
  case "$s" in parquedb|duckdb|postgres|clickhouse|sqlite) ;;
    *) echo "run.sh: unknown system '$s' (parquedb, duckdb, postgres, clickhouse, sqlite)" >&2; exit 2 ;;
  esac
done
has() { [[ ",$SYSTEMS," == *",$1,"* ]]; }
has parquedb || { echo "run.sh: --systems must include parquedb (the reference)" >&2; exit 2; }
log() { printf '\n== %s\n' "$*" >&2; }

# ---- install
PG_BIN=/usr/lib/postgresql/15/bin
need=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in postgresql-15 clickhouse-server clickhouse-client sqlite3 libpq-dev; do installed "$p" || need+=("$p"); done
bash scripts/dev.sh setup  # base packages (compilers, libsqlite3-dev, node) and npm ci
if ((${#need[@]})); then
  log "installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # The packages' own service start is not used (and fails harmlessly in containers).
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- build
BUILD=${BUILD:-build/release}
log "building compare_bench ($BUILD)"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD" -j "${JOBS:-$(nproc)}" compare_bench >/dev/null
BIN=$BUILD/bench/compare/compare_bench

# ---- servers: private, on 127.0.0.1, tracked by PID
TMP=$(mktemp -d /tmp/parquedb-compare.XXXXXX)
chmod 755 "$TMP"
PIDS=()
stop_pid() {  # pid: SIGTERM, wait up to 20 s, then SIGKILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "run.sh: PID $pid did not stop on SIGTERM, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local k
  for ((k = ${#PIDS[@]} - 1; k >= 0; k--)); do stop_pid "${PIDS[k]}"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# postgres refuses to run as root: servers run as nobody then (setpriv execs, so the PID
# we record is the server's own).
AS=()
SERVER_USER=$(id -un)
if [ "$(id -u)" -eq 0 ]; then AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups); SERVER_USER=nobody; fi
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_for() {  # pid what cmd...: until cmd succeeds (30 s) while pid lives
  local pid=$1 what=$2
  shift 2
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $what exited during start-up" >&2; return 1; }
    sleep 0.1
  done
  echo "run.sh: $what did not come up in 30 s" >&2
  return 1
}
untrack() { local p keep=(); for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

PG_PID="" CH_PID=""
start_postgres() {
  local d=$TMP/pg
  mkdir -p "$d" && chown "$SERVER_USER" "$d"
  "${AS[@]}" "$PG_BIN/initdb" -D "$d/data" -U bench --auth=trust -E UTF8 --no-locale >"$TMP/initdb.log" 2>&1 ||
    { cat "$TMP/initdb.log" >&2; return 1; }
  PG_PORT=$(free_port)
  "${AS[@]}" "$PG_BIN/postgres" -D "$d/data" -c listen_addresses=127.0.0.1 -p "$PG_PORT" \
    -c unix_socket_directories="$d" -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c max_parallel_workers_per_gather=0 -c shared_buffers=1GB -c work_mem=256MB -c max_wal_size=8GB \
    -c jit=off >"$TMP/postgres.log" 2>&1 &
  PG_PID=$!
  PIDS+=("$PG_PID")
  wait_for "$PG_PID" postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
    { tail -20 "$TMP/postgres.log" >&2; return 1; }
  echo "postgres: PID $PG_PID, 127.0.0.1:$PG_PORT, data $d/data" >&2
}
start_clickhouse() {
  local d=$TMP/ch
  mkdir -p "$d"/{data,tmp,user_files,format_schemas}
  CH_PORT=$(free_port) CH_TCP=$(free_port)
  cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><console>0</console></logger>
  <http_port>$CH_PORT</http_port>
  <tcp_port>$CH_TCP</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
EOF
  cat >"$d/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>1</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
  chown -R "$SERVER_USER" "$d"
  "${AS[@]}" clickhouse-server --config-file="$d/config.xml" >"$TMP/clickhouse.log" 2>&1 &
  CH_PID=$!
  PIDS+=("$CH_PID")
  wait_for "$CH_PID" clickhouse node -e "fetch('http://127.0.0.1:$CH_PORT/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" ||
    { tail -20 "$TMP/clickhouse.log" "$d/error.log" >&2 2>/dev/null; return 1; }
  echo "clickhouse: PID $CH_PID, http 127.0.0.1:$CH_PORT, data $d/data" >&2
}

# ---- run
mkdir -p "$OUT"
rm -f "$OUT"/{parquedb,duckdb,postgres,clickhouse,sqlite}.json
mkdir -p "$TMP/work" && chown "$SERVER_USER" "$TMP/work"
ARGS=(--rows "$ROWS" --batches "$BATCHES" --recompute-batches "$RECOMPUTE" --ingest-rows "$INGEST"
      --point-queries "$POINTS" --dir "$TMP/work")
# Each step runs in the background and is waited for, so a SIGTERM/SIGINT to this script
# is handled at once (the EXIT trap then stops the step and the servers by PID).
step() {  # out-file command...
  local out=$1 pid
  shift
  "$@" >"$out" &
  pid=$!
  PIDS+=("$pid")
  wait "$pid"
  untrack "$pid"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for s in "${SYS[@]}"; do
  log "$s: $ROWS rows, $BATCHES batches, ingest $INGEST rows"
  t0=$(date +%s)
  case "$s" in
    parquedb|sqlite) step "$OUT/$s.json" "$BIN" --system "$s" "${ARGS[@]}" ;;
    duckdb) step "$OUT/$s.json" node bench/compare/duckdb_compare.mjs "${ARGS[@]}" ;;
    postgres)
      start_postgres
      step "$OUT/$s.json" "$BIN" --system postgres "${ARGS[@]}" --pg "host=127.0.0.1 port=$PG_PORT user=bench dbname=postgres"
      stop_pid "$PG_PID"; untrack "$PG_PID" ;;
    clickhouse)
      start_clickhouse
      step "$OUT/$s.json" "$BIN" --system clickhouse "${ARGS[@]}" --ch-port "$CH_PORT"
      stop_pid "$CH_PID"; untrack "$CH_PID" ;;
  esac
  echo "$s: $(($(date +%s) - t0)) s" >&2
done
log "report"
node bench/compare/report.mjs "$OUT" "load average before the run: $LOAD_BEFORE"
