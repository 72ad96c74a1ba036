#!/usr/bin/env bash
# One entry point for set-up, build, the main job, tests and benchmarks.
#   scripts/dev.sh run     install deps, build, run the main job on ./data
#   scripts/dev.sh test    install deps, build, run every test: release build (unit,
#                          integration, interop), then a clang ASan+UBSan build (unit
#                          tests, then each libFuzzer target briefly)
#   scripts/dev.sh bench   install deps, build, run the Parquet throughput benchmark
#   scripts/dev.sh compare [--smoke] [--rows N] [--out DIR]   peer comparison with DuckDB,
#                          PostgreSQL, ClickHouse and SQLite (bench/compare/run.sh)
#   scripts/dev.sh setup | build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}

APT_PACKAGES=(
  build-essential cmake ninja-build clang libclang-rt-14-dev
  nlohmann-json3-dev libsnappy-dev libzstd-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libcpp-httplib-dev
  libhowardhinnant-date-dev avro-bin tzdata libsqlite3-dev
  chromium  # headless browser for the dashboard test (tests/dashboard, playwright-core)
)

log() { printf '\n== %s\n' "$*" >&2; }

setup() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ -f package-lock.json ]; then
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.pq-lock; then
      log "installing npm test tools (npm ci)"
      npm ci --no-audit --no-fund --loglevel=error
      cp package-lock.json node_modules/.pq-lock
    fi
  fi
  # Optional: chdb (~540 MB) for the lake_chdb interop test (Iceberg/Delta read by ClickHouse).
  if [ "${PARQUEDB_CHDB:-0}" = 1 ] && [ ! -d tests/lake/chdb/node_modules/chdb ]; then
    log "installing chdb for the lake_chdb test (PARQUEDB_CHDB=1)"
    npm --prefix tests/lake/chdb ci --no-audit --no-fund --loglevel=error
  fi
}

configure_build() {  # dir, extra cmake args...
  local dir=$1
  shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j "$JOBS"
}

build() {
  log "building release (build/release)"
  configure_build build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
}

main_job() {
  # The main job: tail analytics end to end. Creates a database in ./data with the
  # TailEvents stream collection and its four views, starts `parquedb serve` on a
  # free loopback port, POSTs generated Tail Worker batches to /ingest/TailEvents,
  # queries the collection and the views over HTTP, and stops the server (see
  # examples/tail-analytics/run.sh). The shop demo (examples/shop) runs as a test.
  examples/tail-analytics/run.sh build/release/src/tools/parquedb ./data
}

run_tests() {
  build
  log "tests: release build (unit + integration + interop)"
  (cd build/release && ctest --output-on-failure -j "$JOBS")
  # One clang build serves both sanitizers and fuzzing: every library is built with
  # ASan + UBSan (no recovery) and libFuzzer coverage instrumentation.
  log "tests: ASan + UBSan build (clang), unit tests"
  CC=clang CXX=clang++ configure_build build/san -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARQUEDB_FUZZ=ON -DPARQUEDB_BENCH=OFF
  (cd build/san && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$JOBS" -L unit)
  log "fuzz smoke: each libFuzzer target for ${FUZZ_SECONDS:-20}s on its seed corpus"
  local failed=0 passed=0
  for f in build/san/fuzz/*_fuzz; do
    local name corpus
    name=$(basename "$f" _fuzz)
    corpus=fuzz/corpus/$name
    mkdir -p build/san/corpus/"$name"
    if "$f" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 -artifact_prefix=build/san/ \
        build/san/corpus/"$name" \
        $([ -d "$corpus" ] && echo "$corpus") >build/san/"$name".fuzz.log 2>&1; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      tail -n 40 build/san/"$name".fuzz.log
    fi
  done
  echo "fuzz: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

bench() {
  build
  bash bench/parquet_throughput.sh "${ROWS:-5000000}"
  bash bench/db_bench.sh "${DB_ROWS:-1000000}"
  bash bench/views_bench.sh "${VIEWS_ROWS:-5000000}"
  bash bench/ingest_bench.sh "${INGEST_EVENTS:-100000}" build/release
  bash bench/sql_bench.sh "${SQL_ROWS:-1000000}"
}

case "${1:-run}" in
  setup) setup ;;
  build) setup; build ;;
  run) setup; build; main_job ;;
  test) setup; run_tests ;;
  bench) setup; bench ;;
  compare) shift; bash bench/compare/run.sh "$@" ;;  # installs its servers itself
  *) echo "usage: $0 run|test|bench|compare|setup|build" >&2; exit 2 ;;
esac
